# SPDX-License-Identifier: BSD-2-Clause
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
# model written with --save, --valid, and that bad arguments fail with a
# message.  Then --complex (pools over neighbouring positions, no
# classifier): its summary and shift-change fields, the pools' picture,
# and its own bad arguments.  The runs take well under a second each.
# Variables and helpers come from examples_test.sh.
# shellcheck shell=bash disable=SC2154
if [ -z "${BASH_VERSION:-}" ] || [ "${BASH_SOURCE[0]}" = "$0" ]; then
    echo "examples_local.sh: source it from tests/examples_test.sh" >&2
    exit 2
fi

# --- examples/local -------------------------------------------------------------
local_ex=$(cd "$examples" && pwd)/local
# The tiny setting; the image size comes from the data, T is the default
# (2; --complex's is 3).
local_tiny=(--field 4 --stride 2 --maps 4 --epochs-pre 1 --epochs 3 --batch 20)
# Measured with these settings (libsparsecode 0.1.0, OpenBLAS, -O3) for
# --seed 1..30: test_error 0.00 and recon_error 0.035-0.066 every time
# (0.037-0.068 with --iters 3); with --epochs 0 (classifier untrained)
# test_error 59.00; untrained (--epochs-pre 0 --epochs 0) recon_error
# 0.128.  Chance is 66.7 %.
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
    check "local takes the 8 x 8 size from the data: 3 x 3 positions x 4 maps = 36 units, T = 2 by default" \
        has_out "3 x 3 positions x 4 maps = 36 units, T = 2"
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

    # A local model's decoder holds one 4 x 4 filter per unit, not the
    # 64 x 36 matrix drsae draws: drsae --load refuses it (it overflowed
    # a heap buffer drawing the filters, issue 13) and writes no PNG.
    run drsae_local "$drsae" --data "$data" --load "$tmp/local.bin" \
        --filters "$tmp/drsae_local.png"
    check "drsae --load of a local model: fails, saying it is a local model" \
        fails_with "$tmp/local.bin is a local model (SC_MODEL_PARAM_LOCAL_FIELD = 4); drsae uses dense models"
    check "drsae --load of a local model: no filters drawn" test ! -e "$tmp/drsae_local.png"

    # Output paths are checked before training, not after it.
    run local_nodir "$local_ex" --data "$data" "${local_tiny[@]}" \
        --save "$tmp/missing/local.bin"
    check "local --save into a missing directory: fails before training, naming it" \
        sh -c 'grep -qF -- "local: --save $1/missing/local.bin: cannot write there: $1/missing: No such file or directory" "$2" &&
               ! grep -q "^model:" "$3"' _ "$tmp" "$last.err" "$last.out"
    run local_dirpng "$local_ex" --data "$data" "${local_tiny[@]}" --filters "$tmp"
    check "local --filters naming a directory: fails before training" \
        sh -c 'grep -qF -- "local: --filters $1: cannot write there: a directory" "$2" &&
               ! grep -q "^model:" "$3"' _ "$tmp" "$last.err" "$last.out"

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

    # --valid N: the figures are those of the last N training images.
    run local_valid "$local_ex" --data "$data" "${local_tiny[@]}" --valid 100 \
        --filters "$tmp/local_valid.png"
    check "local --valid 100: exit status 0" exited 0
    check "local --valid 100 says what it holds out" \
        has_out "the last 100 training images are held out"
    check "local --valid 100 ends with valid_error= (not test_error=)" \
        grep -qE '^valid_error=[0-9.]+$' "$last.out"
    run local_valid_all "$local_ex" --data "$data" "${local_tiny[@]}" --valid 300
    check "local --valid 300 of 300 training images: fails" \
        fails_with "--valid 300 leaves no training images of 300"

    # --- --complex -------------------------------------------------------------
    # The group term's pools: one map at 2 x 2 neighbouring positions, so
    # 2 x 2 position windows x 4 maps = 16 pools of 4 units.
    local_complex=(--complex --field 4 --stride 2 --maps 4 --epochs 3 --batch 20
                   --group 0.05 --pool-maps 1 --pool-positions 2)
    local_shift='^shift_change_units=([0-9.]+) shift_change_pools=([0-9.]+)$'
    local_untrained='^untrained: recon_error=[0-9.]+ active=[0-9.]+ shift_change_units=[0-9.]+ shift_change_pools=[0-9.]+$'
    # field VALUE_NAME LINE_PATTERN: NAME's value on the last line of the
    # last run's stdout that matches the pattern.
    local_field() { grep -E "$2" "$last.out" | tail -n 1 | sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
    run local_complex "$local_ex" --data "$data" "${local_complex[@]}" \
        --filters "$tmp/complex.png" --pool-filters "$tmp/complex_pools.png"
    check "local --complex trains: exit status 0" exited 0
    check "local --complex's T is its own default, 3" has_out "= 36 units, T = 3"
    check "local --complex describes its pools: 16 pools of 1 x 1 maps at 2 x 2 positions" \
        has_out "pools: 16, each 1 x 1 maps at 2 x 2 positions, group weight 0.05"
    check "local --complex prints the untrained model's figures" \
        grep -qE "$local_untrained" "$last.out"
    check "local --complex prints recon_error= active=" \
        grep -qE "$local_summary" "$last.out"
    check "local --complex ends with shift_change_units= shift_change_pools=" \
        bash -c "tail -n 1 '$last.out' | grep -qE '$local_shift'"
    check "local --complex has no classifier: no test_error" \
        bash -c "! grep -q error= <(grep -v recon_error '$last.out')"
    # Measured for --seed 1..30 (libsparsecode 0.1.0, OpenBLAS, -O3): after
    # training units 0.23-0.27 and pools 0.19-0.23, pools below units by
    # 0.02-0.05 every time; untrained units 0.33-0.38, pools 0.17-0.20.
    # A pool's response is the norm of its units, so |s(x') - s(x)| <=
    # |z(x') - z(x)| pool by pool: pools below units checks that the pools
    # are computed as the group term defines them, not that training made
    # them invariant (docs/local.md says what does).
    # recon_error: 0.043-0.051 for --seed 1..30; untrained 0.088-0.147.
    complex_recon=$(local_value recon_error)
    check "local --complex recon_error=${complex_recon:-(none)} < 0.07" \
        below "$complex_recon" 0.07
    complex_units=$(local_field shift_change_units "$local_shift")
    complex_pools=$(local_field shift_change_pools "$local_shift")
    check "local --complex shift_change_units=${complex_units:-(none)} in (0.1, 0.5)" \
        bash -c "awk -v u='${complex_units:-x}' 'BEGIN {exit !(u > 0.1 && u < 0.5)}'"
    check "local --complex shift_change_pools=${complex_pools:-(none)} > 0" \
        below 0 "$complex_pools"
    check "local --complex pools change less than units: $complex_pools < $complex_units" \
        below "$complex_pools" "$complex_units"
    untrained_units=$(local_field shift_change_units "$local_untrained")
    untrained_pools=$(local_field shift_change_pools "$local_untrained")
    check "local --complex untrained: pools $untrained_pools < units $untrained_units" \
        below "$untrained_pools" "$untrained_units"
    # 3 x 3 blocks of 2 x 2 filters (41 x 41, as above); the pools' picture
    # is the 16 most active pools, one a row of 4 tiles of 4 x 4: 21 x 81.
    check "local --complex draws the filters in place: a 41 x 41 PNG" \
        [ "$(png_head "$tmp/complex.png" 2>/dev/null)" = \
        "89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 48 44 52 00 00 00 29 00 00 00 29" ]
    check "local --complex --pool-filters: 16 pools of 4 filters, a 21 x 81 PNG" \
        [ "$(png_head "$tmp/complex_pools.png" 2>/dev/null)" = \
        "89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 48 44 52 00 00 00 15 00 00 00 51" ]

    # Untrained (--epochs 0), the final figures are the untrained ones.
    run local_complex0 "$local_ex" --data "$data" "${local_complex[@]}" \
        --epochs 0 --filters "$tmp/complex0.png"
    check "local --complex --epochs 0: exit status 0" exited 0
    check "local --complex --epochs 0: the final shift change is the untrained one" \
        same "$(local_field shift_change_units "$local_untrained") $(local_field shift_change_pools "$local_untrained")" \
        "$(local_field shift_change_units "$local_shift") $(local_field shift_change_pools "$local_shift")"

    # --init random: random filters, which a shift changes more than the
    # data's windows (measured: units 0.59 against 0.38 for seed 1).
    run local_complex_random "$local_ex" --data "$data" "${local_complex[@]}" \
        --epochs 0 --init random --filters "$tmp/complex_random.png"
    check "local --complex --init random: exit status 0" exited 0
    check "local --complex --init random prints the untrained figures" \
        grep -qE "$local_untrained" "$last.out"
    run local_badinit "$local_ex" --data "$data" "${local_tiny[@]}" --init zero
    check "local --init zero: exit status 2" \
        exits_with 2 "--init is data or random, not 'zero'"
    run local_group_only "$local_ex" --data "$data" "${local_tiny[@]}" --group 0.1
    check "local --group without --complex: exit status 2" \
        exits_with 2 "need --complex"
    run local_complex_pre "$local_ex" --data "$data" "${local_complex[@]}" --epochs-pre 1
    check "local --complex --epochs-pre: exit status 2" \
        exits_with 2 "no --epochs-pre"
    run local_complex_span "$local_ex" --data "$data" "${local_complex[@]}" \
        --pool-positions 4
    check "local --complex --pool-positions 4 on 3 x 3 positions: the library's message" \
        fails_with "POOL_POSITIONS = 4 exceeds the 3 x 3 positions"
    run local_complex_badgroup "$local_ex" --data "$data" "${local_complex[@]}" --group x
    check "local --complex --group x: exit status 2, 'bad number'" \
        exits_with 2 "bad number 'x'"
fi
