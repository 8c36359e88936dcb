# SPDX-License-Identifier: BSD-2-Clause
# examples_tutorial.sh -- the checks of examples/tutorial (step 1 of
# docs/tutorial.md), sourced by tests/examples_test.sh after its data set
# is made (it uses that script's $examples, $data, $tmp and its helpers
# run, check, pass, fail, has_out, has_err, exited, exits_with,
# fails_with, corrupt and png_head):
#
#   . tests/examples_tutorial.sh
#
# On the tiny data set it runs `tutorial train`, which trains a 64-128
# model, saves it, draws its filters and writes the codes of the 100 test
# images, then
# `tutorial reload` in a second process, which must load the model and
# report codes identical to the saved ones.  A codes file with one byte
# changed must be reported as one differing value; a damaged model, a
# model of another size and a wrong command line must fail with a
# message.  Each run takes well under a second.  Last, the C code that
# docs/tutorial.md quotes must be in examples/tutorial.c word for word.
# shellcheck shell=bash disable=SC2154
if [ -z "${BASH_VERSION:-}" ] || [ "${BASH_SOURCE[0]}" = "$0" ]; then
    echo "examples_tutorial.sh: source it from tests/examples_test.sh" >&2
    exit 2
fi

tut=$tmp/tutorial
mkdir -p "$tut"

run tut_train "$tutorial" train "$data" "$tut/model.scm" "$tut/codes.bin" "$tut/filters.png"
check "tutorial train: exit status 0" exited 0
check "tutorial train: one line per epoch (2)" \
    [ "$(grep -cE '^epoch [12]: reconstruction error [0-9.]+, active units [0-9.]+ %$' "$last.out")" = 2 ]
check "tutorial train: saves the model" has_out "saved $tut/model.scm"
check "tutorial train: the model file is there" test -s "$tut/model.scm"
# 128 filters of 8 x 8, 16 a row, 1-pixel borders: 145 x 73 (0x91 by 0x49).
check "tutorial train: draws the filters, a 145 x 73 PNG" [ "$(png_head "$tut/filters.png" 2>/dev/null)" = \
    "89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 48 44 52 00 00 00 91 00 00 00 49" ]
# 100 test images x 128 units x 4 bytes.
check "tutorial train: writes the codes of the 100 test images (51200 bytes)" \
    [ "$(wc -c < "$tut/codes.bin" 2>/dev/null)" = 51200 ]

run tut_reload "$tutorial" reload "$data" "$tut/model.scm" "$tut/codes.bin"
check "tutorial reload (another process): exit status 0" exited 0
check "tutorial reload: loads the model" has_out "loaded $tut/model.scm"
check "tutorial reload: codes identical to the trained model's" \
    has_out "codes of 100 test images: identical to $tut/codes.bin"

# The comparison must see a change: one byte of one code flipped.
cp "$tut/codes.bin" "$tut/changed.bin"
corrupt "$tut/changed.bin"
run tut_changed "$tutorial" reload "$data" "$tut/model.scm" "$tut/changed.bin"
check "tutorial reload against a codes file with one byte changed: exit status 1, 1 value differs" \
    sh -c '[ "$1" = 1 ] && grep -qF "codes of 100 test images: 1 of 12800 values differ from $2" "$3"' \
    _ "$status" "$tut/changed.bin" "$last.out"

cp "$tut/model.scm" "$tut/bad.scm"
corrupt "$tut/bad.scm"
run tut_bad "$tutorial" reload "$data" "$tut/bad.scm" "$tut/codes.bin"
check "tutorial reload of a model with a flipped byte: fails with SC_ERR_FORMAT" \
    fails_with "SC_ERR_FORMAT"

# drsae's model from the start of examples_test.sh: 64 inputs, 16 units.
run tut_other "$tutorial" reload "$data" "$data/m.bin" "$tut/codes.bin"
check "tutorial reload of a model of another size: fails, naming the sizes" \
    fails_with "$data/m.bin: a 64-16 model, not 64-128"

run tut_missing "$tutorial" reload "$data" "$tut/model.scm" "$tut/missing.bin"
check "tutorial reload without the codes file: fails, naming it" \
    fails_with "tutorial: cannot read $tut/missing.bin"

run tut_usage "$tutorial" encode "$data" "$tut/model.scm" "$tut/codes.bin"
check "tutorial with an unknown mode: exit status 2 and the usage" \
    exits_with 2 "usage: tutorial train DATA_DIR MODEL_FILE CODES_FILE [FILTERS_PNG]"
run tut_usage_reload "$tutorial" reload "$data" "$tut/model.scm" "$tut/codes.bin" "$tut/f.png"
check "tutorial reload with a picture to draw (train only): exit status 2" \
    exits_with 2 "tutorial reload DATA_DIR MODEL_FILE CODES_FILE"

# docs/tutorial.md quotes examples/tutorial.c: each ```c block of the page
# must be a run of whole lines of the file, so that the page cannot drift
# from the program that this test runs.
tutorial_quotes() {
    local source block n=0 stale=0
    source=$(cat examples/tutorial.c) || return 1
    while IFS= read -r -d '' block; do
        n=$((n + 1))
        case $'\n'"$source"$'\n' in
            *$'\n'"$block"$'\n'*) ;;
            *) stale=$((stale + 1)); echo "        not in examples/tutorial.c:"
               printf '%s\n' "$block" | sed 's/^/        | /' | head -n 5 ;;
        esac
    done < <(awk '/^```c$/ {inside = 1; block = ""; next}
                  inside && /^```$/ {inside = 0; printf "%s%c", substr(block, 2), 0; next}
                  inside {block = block "\n" $0}' docs/tutorial.md)
    echo "        $n quoted blocks, $stale not in the file"
    [ "$n" -gt 0 ] && [ "$stale" = 0 ]
}
last=""
check "docs/tutorial.md quotes examples/tutorial.c word for word" tutorial_quotes
