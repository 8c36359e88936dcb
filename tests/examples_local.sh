# examples_local.sh -- the checks of examples/local, sourced by
# tests/examples_test.sh after its data set is made (it uses that script's
# $examples, $data, $tmp and its helpers run, check, pass, fail, has_out,
# exited, exits_with, fails_with, below and png_head):
#
#   . tests/examples_local.sh
#
# On the tiny data set (8 x 8 images, 3 classes) it trains a local model
# with 4 x 4 windows at stride 2 (3 x 3 positions, 4 maps: 36 units) and
# checks the exit status, the summary line and the test error, the PNG
# written with --filters and the one written to the default path, the
# model written with --save, and that bad arguments fail with a message.
# The runs take well under a second.
# Variables and helpers come from examples_test.sh.
# shellcheck shell=bash disable=SC2154
if [ -z "${BASH_VERSION:-}" ] || [ "${BASH_SOURCE[0]}" = "$0" ]; then
    echo "examples_local.sh: source it from tests/examples_test.sh" >&2
    exit 2
fi

# --- examples/local -------------------------------------------------------------
local_ex=$(cd "$examples" && pwd)/local
# The tiny setting; the image size comes from the data.
local_tiny=(--field 4 --stride 2 --maps 4 --epochs-pre 1 --epochs 3 --batch 20)
# Measured with these settings (libsparsecode 0.1.0, OpenBLAS, -O3) for
# --seed 1..30: test_error 0.00 and recon_error 0.039-0.066 every time;
# with --epochs 0 (classifier untrained) test_error 59.00; untrained
# (--epochs-pre 0 --epochs 0) recon_error 0.106.  Chance is 66.7 %.
max_local_test_error=10
max_local_recon=0.085
local_summary='^recon_error=[0-9.]+ active=[0-9.]+$'
# local_value NAME: the value of NAME=<x> in the last run's summary line.
local_value() { grep -E "$local_summary" "$last.out" | tail -n 1 | sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
# The test error, "test_error=X" on the last line of stdout.
local_test_error() { tail -n 1 "$last.out" | sed -n 's/^test_error=\([0-9][0-9]*\.[0-9]*\)$/\1/p'; }

if [ ! -x "$local_ex" ]; then
    last=""
    fail "$local_ex is built (make examples-build)"
else
    run local "$local_ex" --data "$data" "${local_tiny[@]}" --filters "$tmp/local.png" \
        --save "$tmp/local.bin"
    check "local trains: exit status 0" exited 0
    check "local takes the 8 x 8 size from the data: 3 x 3 positions x 4 maps = 36 units" \
        has_out "3 x 3 positions x 4 maps = 36 units"
    check "local prints the summary line" grep -qE "$local_summary" "$last.out"
    local_recon=$(local_value recon_error) local_active=$(local_value active)
    check "local recon_error=${local_recon:-(none)} < $max_local_recon" \
        below "$local_recon" "$max_local_recon"
    check "local active=${local_active:-(none)} in (0, 1]" \
        below 0 "$local_active"
    check "local active=${local_active:-(none)} <= 1" below "$local_active" 1.0000001
    local_error=$(local_test_error)
    check "local ends with test_error=${local_error:-(none)} < $max_local_test_error" \
        below "$local_error" "$max_local_test_error"
    # 3 x 3 blocks of 2 x 2 filters, a blank tile between blocks: 8 x 8
    # tiles of 4 x 4 with 1-pixel borders, 41 x 41 pixels.
    check "local draws the filters in place: a 41 x 41 PNG (--filters)" \
        [ "$(png_head "$tmp/local.png" 2>/dev/null)" = \
        "89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 48 44 52 00 00 00 29 00 00 00 29" ]
    check "local saves the model (--save)" test -s "$tmp/local.bin"

    # Without --filters the picture goes to ./local_filters.png.
    mkdir -p "$tmp/local_cwd"
    run local_default env -C "$tmp/local_cwd" "$local_ex" --data "$data" \
        "${local_tiny[@]}" --epochs 0
    check "local without --filters: exit status 0" exited 0
    check "local without --filters writes local_filters.png" \
        [ "$(png_head "$tmp/local_cwd/local_filters.png" 2>/dev/null | cut -c 1-23)" = \
        "89 50 4e 47 0d 0a 1a 0a" ]

    run local_nodata "$local_ex" "${local_tiny[@]}"
    check "local without --data: exit status 2 and the usage text" \
        exits_with 2 "usage: local --data DIR"
    run local_badnum "$local_ex" --data "$data" "${local_tiny[@]}" --maps 4x
    check "local --maps 4x: exit status 2, 'bad number'" \
        exits_with 2 "bad number '4x'"
    run local_badlr "$local_ex" --data "$data" "${local_tiny[@]}" --lr -1
    check "local --lr -1: exit status 2, 'bad number'" \
        exits_with 2 "bad number '-1'"
    # The library checks the windows against the image; its message is shown.
    run local_field "$local_ex" --data "$data" "${local_tiny[@]}" --field 9
    check "local --field 9 on 8 x 8 images: fails with the library's message" \
        fails_with "the 9 x 9 field is larger than the 8 x 8 image"
    run local_stride "$local_ex" --data "$data" "${local_tiny[@]}" --stride 0
    check "local --stride 0: fails with SC_ERR_RANGE" fails_with "SC_ERR_RANGE"
    run local_batch "$local_ex" --data "$data" "${local_tiny[@]}" --batch 301
    check "local --batch larger than the training set: fails" \
        fails_with "--batch 301 is larger than the 300 training images"
fi
