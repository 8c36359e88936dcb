# SPDX-License-Identifier: BSD-2-Clause
# examples_topographic.sh -- the checks of examples/topographic, sourced
# by tests/examples_test.sh after its data set is made (it uses that
# script's $examples, $data, $tmp and its helpers run, check, pass, fail,
# has_out, has_err, exited, exits_with, fails_with, below and png_head):
#
#   . tests/examples_topographic.sh
#
# On the tiny data set (8 x 8 images) it trains a 4 x 4 torus on 6 x 6
# patches, checks the exit status, the summary line, the PNG written with
# --filters and the one written to the default path, and that bad
# arguments fail with a message.  On a generated 64 x 48 PGM image it does
# the same for --images and --encoder psd.  The runs take well under a
# second each.
# Variables and helpers come from examples_test.sh.
# shellcheck shell=bash disable=SC2154
if [ -z "${BASH_VERSION:-}" ] || [ "${BASH_SOURCE[0]}" = "$0" ]; then
    echo "examples_topographic.sh: source it from tests/examples_test.sh" >&2
    exit 2
fi

# --- examples/topographic -------------------------------------------------------
topographic=$(cd "$examples" && pwd)/topographic
# The tiny setting: 16 units on a 4 x 4 torus, 2 x 2 pools at stride 1.
topo_tiny=(--patch 6 --torus 4x4 --pool 2 --stride 1 --epochs 5 --patches 2000
           --batch 20 --group-weight 0.05)
# Measured with these settings (libsparsecode 0.1.0, OpenBLAS, -O3) for
# --seed 1..30: recon_error 0.12-0.15, and neighbour_similarity above
# random_similarity by 0.030 or more every time; untrained (--epochs 0)
# 0.79, with neighbours less alike (0.125) than random pairs (0.131).
max_topo_recon=0.4
topo_summary='^recon_error=[0-9.]+ sparsity=[0-9.]+ neighbour_similarity=[0-9.]+ random_similarity=[0-9.]+ duplicate_fraction=[0-9.]+$'
# topo_value NAME: the value of NAME=<x> in the last run's summary line.
topo_value() { grep -E "$topo_summary" "$last.out" | tail -n 1 | sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

if [ ! -x "$topographic" ]; then
    last=""
    fail "$topographic is built (make examples-build)"
else
    run topo "$topographic" --data "$data" "${topo_tiny[@]}" --filters "$tmp/topo.png"
    check "topographic trains: exit status 0" exited 0
    check "topographic prints the summary line" grep -qE "$topo_summary" "$last.out"
    topo_recon=$(topo_value recon_error)
    check "topographic recon_error=${topo_recon:-(none)} < $max_topo_recon" \
        below "$topo_recon" "$max_topo_recon"
    topo_near=$(topo_value neighbour_similarity) topo_far=$(topo_value random_similarity)
    check "topographic: torus neighbours more alike than random pairs (${topo_near:-none} > ${topo_far:-none})" \
        below "$topo_far" "$topo_near"
    topo_dup=$(topo_value duplicate_fraction)
    check "topographic duplicate_fraction=${topo_dup:-(none)} is a fraction" \
        below "$topo_dup" 1.0001
    # 1 x 1 patches: every filter is a single number, so every pair of
    # filters has |cos| = 1: all neighbour pairs are duplicates.
    run topo_dup1 "$topographic" --data "$data" "${topo_tiny[@]}" --patch 1 --epochs 1 \
        --filters "$tmp/topo_dup1.png"
    check "topographic --patch 1: every neighbour pair a duplicate (duplicate_fraction=1)" \
        has_out "neighbour_similarity=1.0000 random_similarity=1.0000 duplicate_fraction=1.0000"
    # 16 filters of 6 x 6 in a 4 x 4 grid with 1-pixel borders: 29 x 29.
    check "topographic draws the torus: a 29 x 29 PNG (--filters)" \
        [ "$(png_head "$tmp/topo.png" 2>/dev/null)" = \
        "89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 48 44 52 00 00 00 1d 00 00 00 1d" ]

    # Models drsae cannot use: 6 x 6 patches (36 inputs against the data's
    # 64), and 8 x 8 ones without a classifier.
    run topo_save6 "$topographic" --data "$data" "${topo_tiny[@]}" --epochs 1 \
        --filters "$tmp/topo6.png" --save "$tmp/topo6.bin"
    run drsae_topo6 "$drsae" --data "$data" --load "$tmp/topo6.bin"
    check "drsae --load of a 36-input model on 64-pixel images: fails, saying so" \
        fails_with "$tmp/topo6.bin expects 36 inputs, the data has 64"
    run topo_save8 "$topographic" --data "$data" "${topo_tiny[@]}" --epochs 1 --patch 8 \
        --filters "$tmp/topo8.png" --save "$tmp/topo8.bin"
    run drsae_topo8 "$drsae" --data "$data" --load "$tmp/topo8.bin"
    check "drsae --load of a model without a classifier: fails, saying so" \
        fails_with "$tmp/topo8.bin has no classifier (SC_MODEL_PARAM_CLASSES = 0); drsae needs one"

    # Output paths are checked before training, not after it.
    touch "$tmp/topo_file"
    run topo_notdir "$topographic" --data "$data" "${topo_tiny[@]}" \
        --filters "$tmp/topo_file/t.png"
    check "topographic --filters under a regular file: fails before training" \
        sh -c 'grep -qF -- "topographic: --filters $1/topo_file/t.png: cannot write there: $1/topo_file is not a directory" "$2" &&
               ! grep -q "^model:" "$3"' _ "$tmp" "$last.err" "$last.out"
    run topo_nosave "$topographic" --data "$data" "${topo_tiny[@]}" \
        --filters "$tmp/topo_ns.png" --save "$tmp/missing/t.bin"
    check "topographic --save into a missing directory: fails before training" \
        sh -c 'grep -qF -- "topographic: --save $1/missing/t.bin: cannot write there" "$2" &&
               ! grep -q "^model:" "$3" && [ ! -e "$1/topo_ns.png" ]' _ "$tmp" "$last.err" "$last.out"

    # Without --filters the picture goes to ./topographic_filters.png.
    mkdir -p "$tmp/topo_cwd"
    run topo_default env -C "$tmp/topo_cwd" "$topographic" --data "$data" \
        "${topo_tiny[@]}" --epochs 1
    check "topographic without --filters: exit status 0" exited 0
    check "topographic without --filters writes topographic_filters.png" \
        [ "$(png_head "$tmp/topo_cwd/topographic_filters.png" 2>/dev/null | cut -c 1-23)" = \
        "89 50 4e 47 0d 0a 1a 0a" ]

    run topo_nodata "$topographic" "${topo_tiny[@]}"
    check "topographic without --data: exit status 2 and the usage text" \
        exits_with 2 "usage: topographic --data DIR"
    run topo_badnum "$topographic" --data "$data" "${topo_tiny[@]}" --epochs 3x
    check "topographic --epochs 3x: exit status 2, 'bad number'" \
        exits_with 2 "bad number '3x'"
    run topo_badweight "$topographic" --data "$data" "${topo_tiny[@]}" --group-weight -1
    check "topographic --group-weight -1: exit status 2, 'bad number'" \
        exits_with 2 "bad number '-1'"
    run topo_badtorus "$topographic" --data "$data" --torus 4by4
    check "topographic --torus 4by4: exit status 2, 'bad number'" \
        exits_with 2 "bad number '4by4'"
    # The library checks the pool against the torus; its message is shown.
    run topo_pool "$topographic" --data "$data" "${topo_tiny[@]}" --pool 5
    check "topographic --pool 5 on a 4 x 4 torus: fails with the library's message" \
        fails_with "POOL_SIZE = 5 exceeds the 4 x 4 torus"
    run topo_patch "$topographic" --data "$data" "${topo_tiny[@]}" --patch 9
    check "topographic --patch 9 on 8 x 8 images: fails" \
        fails_with "smaller than the 9 x 9 patches"

    # --images: a generated 64 x 48 binary PGM (stripes, a sawtooth and a
    # little fixed noise), in a directory with a file that is not a .pgm.
    topo_img=$tmp/topo_images
    mkdir -p "$topo_img"
    LC_ALL=C awk 'BEGIN {
        w = 64; h = 48; printf "P5\n# a test image\n%d %d\n255\n", w, h
        for (y = 0; y < h; y++) for (x = 0; x < w; x++) {
            v = 128 + 50 * sin(0.7 * x + 0.3 * y) + 40 * ((x + 2 * y) % 17 < 8 ? 1 : -1) \
                + (x * 7919 + y * 104729) % 23 - 11
            printf "%c", int(v < 1 ? 1 : v > 255 ? 255 : v)
        } }' > "$topo_img/stripes.pgm"
    echo "not an image" > "$topo_img/README"
    # Measured for --seed 1..10 with these settings: recon_error
    # 0.158-0.173, neighbour_similarity above random_similarity by 0.074 or
    # more; untrained (--epochs 0) 0.74, neighbours less alike than random
    # pairs (0.125 against 0.131).
    topo_psd=(--patch 6 --torus 4x4 --pool 2 --stride 1 --epochs 5 --patches 2000
              --batch 20 --group-weight 0.05 --l1 0.05 --encoder psd)
    run topo_psd "$topographic" --images "$topo_img" "${topo_psd[@]}" --filters "$tmp/topo_psd.png"
    check "topographic --images --encoder psd: exit status 0" exited 0
    check "topographic --encoder psd prints the summary line" grep -qE "$topo_summary" "$last.out"
    check "topographic --encoder psd reads the one .pgm image" has_out "images: 1 from"
    check "topographic --encoder psd measures the validation part" \
        has_out "data: 2000 training and 5000 validation patches of 6 x 6"
    check "topographic --encoder psd reports the inferred codes" \
        grep -qE '^psd: inferred codes recon_error=[0-9.]+ objective=[0-9.]+ prediction_error=[0-9.]+$' "$last.out"
    topo_recon=$(topo_value recon_error)
    check "topographic --encoder psd recon_error=${topo_recon:-(none)} < $max_topo_recon" \
        below "$topo_recon" "$max_topo_recon"
    topo_near=$(topo_value neighbour_similarity) topo_far=$(topo_value random_similarity)
    check "topographic --encoder psd: neighbours more alike than random pairs (${topo_near:-none} > ${topo_far:-none})" \
        below "$topo_far" "$topo_near"
    check "topographic --encoder psd draws the torus: a 29 x 29 PNG" \
        [ "$(png_head "$tmp/topo_psd.png" 2>/dev/null)" = \
        "89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 48 44 52 00 00 00 1d 00 00 00 1d" ]
    # The unrolled encoder on the same image, measured on the test part.
    run topo_img_unrolled "$topographic" --images "$topo_img" "${topo_tiny[@]}" --test \
        --filters "$tmp/topo_img.png"
    check "topographic --images --test: exit status 0 and the test part" \
        has_out "data: 2000 training and 5000 test patches of 6 x 6"
    topo_recon=$(topo_value recon_error)
    check "topographic --images recon_error=${topo_recon:-(none)} < $max_topo_recon" \
        below "$topo_recon" "$max_topo_recon"

    run topo_both "$topographic" --data "$data" --images "$topo_img" "${topo_tiny[@]}"
    check "topographic --data and --images: exit status 2 and the usage text" \
        exits_with 2 "usage: topographic --data DIR | --images DIR"
    run topo_encoder "$topographic" --images "$topo_img" "${topo_tiny[@]}" --encoder lista
    check "topographic --encoder lista: exit status 2 with a message" \
        exits_with 2 "--encoder is unrolled or psd, not 'lista'"
    run topo_memory "$topographic" --images "$topo_img" "${topo_psd[@]}" --psd-memory 0
    check "topographic --psd-memory 0: exit status 2 with a message" \
        exits_with 2 "--psd-memory >= 1"
    # The solver checks its settings; its message is shown.
    run topo_psd_pool "$topographic" --images "$topo_img" "${topo_psd[@]}" --pool 5
    check "topographic --encoder psd --pool 5 on a 4 x 4 torus: fails with the solver's message" \
        fails_with "POOL_SIZE = 5 exceeds the 4 x 4 torus"
    run topo_noimages "$topographic" --images "$tmp/topo_cwd" "${topo_tiny[@]}"
    check "topographic --images of a directory without .pgm: fails" \
        fails_with "no .pgm images"
    head -c 1000 "$topo_img/stripes.pgm" > "$tmp/topo_cwd/cut.pgm"
    run topo_cut "$topographic" --images "$tmp/topo_cwd" "${topo_tiny[@]}"
    check "topographic --images with a truncated PGM: fails" \
        fails_with "cut.pgm: truncated pixel data"
    # 64 columns: training 0-43, validation 44-53, test 54-63.
    run topo_bigpatch "$topographic" --images "$topo_img" "${topo_tiny[@]}" --patch 11 \
        --filters "$tmp/topo_big.png"
    check "topographic --images --patch 11: the 10-pixel validation part is too narrow" \
        fails_with "validation part (columns 44 to 53) is smaller than the 11 x 11 patches"
fi
