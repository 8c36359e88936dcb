#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# examples_mpi.sh -- end-to-end test of examples/drsae_mpi on 1 and 2 MPI
# ranks, run by `make check` when mpicc and mpirun are there.
#
#   tests/examples_mpi.sh [RESULT_FILE]
#
# On the examples test's tiny data set (tests/tools/make_idx.c: 300
# training and 100 test images of 8 x 8, 3 classes) it checks that:
#  - on 1 rank drsae_mpi trains examples/drsae's model bit for bit (the
#    saved files are equal: compute + apply(1) is the step, docs/gradient.md);
#  - on 2 ranks with a global batch of 20 it trains the model of
#    `drsae --shards 2 --batch 20` (the same global batches in one
#    process) up to float summation order: every weight array within a
#    relative distance of 1e-4 (see TOLERANCE below), the same test error,
#    while drsae's own order is far from it (so the comparison can fail);
#  - the ranks compare their models after every epoch, and a rank that
#    drifts (DRSAE_MPI_FAULT=drift:1, one extra update) stops every rank
#    with a message;
#  - a NaN in one rank's gradient (DRSAE_MPI_FAULT=nan:1) is refused on
#    every rank: that step is skipped everywhere and the models stay equal;
#  - a rank that cannot read its data (a missing directory on rank 1 only,
#    an MPMD launch) stops every rank with a message, within the time
#    limit; a global batch that is not a multiple of the ranks is refused;
#  - --encode-only writes each rank's codes of its part.
#
# Counts like tests/examples_test.sh: the last line is "mpi: N passed, M
# failed", "N M" goes to RESULT_FILE.  Environment: SC_EXAMPLES_DIR,
# SC_MAKE_IDX, SC_MODEL_DIFF (the built tests/tools/model_diff), MPIRUN.
set -uo pipefail

result=${1:-}
examples=${SC_EXAMPLES_DIR:-examples}
drsae=$examples/drsae
mpi=$examples/drsae_mpi
make_idx=${SC_MAKE_IDX:?SC_MAKE_IDX: the built tests/tools/make_idx}
model_diff=${SC_MODEL_DIFF:?SC_MODEL_DIFF: the built tests/tools/model_diff}
limit=60
# The largest relative distance |A - B| / |A| of a weight array between
# drsae_mpi on 2 ranks and drsae --shards 2.  The two differ only in how
# the batch's gradient is summed (per rank over 10 samples, each scaled
# by 1/10, then the two means added and halved, against one sum over 20
# scaled by 1/20): float rounding, about 6e-8 per operation, carried
# through 60 Adam steps.  Measured (OpenBLAS, 1 thread): 2.1e-7 at most
# (theta).  The same run on drsae's own sample order (a real difference
# in what is trained) is 0.02 to 1.06 away.  1e-4 is 500 times the
# measured rounding and 200 times below the smallest real difference.
TOLERANCE=1e-4

launch=(${MPIRUN:-mpirun} --oversubscribe)
[ "$(id -u)" = 0 ] && launch+=(--allow-run-as-root)

passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OPENBLAS_NUM_THREADS=1

pass() { passed=$((passed + 1)); echo "  ok    $1"; }
fail() {
    failed=$((failed + 1))
    echo "  FAIL  $1"
    if [ -n "${last:-}" ]; then
        echo "        last run: $last_cmd (exit status $status)"
        sed 's/^/        stdout: /' "$last.out" | tail -n 15
        tr '\r' '\n' < "$last.err" | sed 's/^/        stderr: /' | tail -n 15
    fi
}
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
run() {
    last=$tmp/$1
    shift
    last_cmd="$*"
    timeout "$limit" "$@" > "$last.out" 2> "$last.err"
    status=$?
}
has_out() { grep -qF -- "$1" "$last.out"; }
has_err() { grep -qF -- "$1" "$last.err"; }
count_out() { grep -cF -- "$1" "$last.out"; }
failed_run() { [ "$status" != 0 ] && [ "$status" != 124 ] && [ "$status" -lt 128 ]; }
test_error_of() { sed -n 's/^test_error=\([0-9.]*\)$/\1/p' "$1.out" | tail -n 1; }
# max_diff A B: model_diff's "max" line.
max_diff() { "$model_diff" "$1" "$2" | sed -n 's/^max //p'; }
below() { [ -n "$1" ] && awk -v a="$1" -v b="$2" 'BEGIN {exit !(a + 0 < b + 0)}'; }
finish() {
    [ -n "$result" ] && echo "$passed $failed" > "$result"
    echo "mpi: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}

for p in "$drsae" "$mpi" "$make_idx" "$model_diff"; do
    if [ ! -x "$p" ]; then
        last=""
        fail "$p is built"
        finish
        exit 1
    fi
done

data=$tmp/data
mkdir "$data" && "$make_idx" "$data" 300 100 || exit 1
echo "mpi test: $mpi with $("${launch[0]}" --version 2>/dev/null | head -n 1); data: 300 + 100 images of 8 x 8"
args=(--data "$data" --units 16 --iters 3 --epochs-pre 1 --epochs 3 --batch 20)

# --- 1 rank: drsae's model, bit for bit -----------------------------------------
run drsae "$drsae" "${args[@]}" --save "$tmp/drsae.bin"
run mpi1 "${launch[@]}" -np 1 "$mpi" "${args[@]}" --save "$tmp/mpi1.bin"
check "drsae_mpi on 1 rank: exit status 0" [ "$status" = 0 ]
check "drsae_mpi on 1 rank saves drsae's model, byte for byte" \
    cmp -s "$tmp/drsae.bin" "$tmp/mpi1.bin"

# --- 2 ranks: drsae --shards 2 up to summation order ---------------------------
run shards "$drsae" "${args[@]}" --shards 2 --save "$tmp/shards.bin"
check "drsae --shards 2: exit status 0" [ "$status" = 0 ]
run mpi2 "${launch[@]}" -np 2 "$mpi" "${args[@]}" --save "$tmp/mpi2.bin"
check "drsae_mpi on 2 ranks: exit status 0" [ "$status" = 0 ]
check "drsae_mpi on 2 ranks: the models agree after each of the 4 epochs" \
    [ "$(count_out "models are identical")" = 4 ]
check "drsae_mpi on 2 ranks prints its speed and allreduce time" \
    has_out "samples/s per rank"
near=$(max_diff "$tmp/shards.bin" "$tmp/mpi2.bin")
check "2 ranks vs drsae --shards 2: weights within $TOLERANCE (${near:-none})" \
    below "$near" "$TOLERANCE"
check "2 ranks vs drsae --shards 2: the same test error ($(test_error_of "$tmp/mpi2") vs $(test_error_of "$tmp/shards"))" \
    [ -n "$(test_error_of "$tmp/mpi2")" ] && [ "$(test_error_of "$tmp/mpi2")" = "$(test_error_of "$tmp/shards")" ]
far=$(max_diff "$tmp/drsae.bin" "$tmp/mpi2.bin")
check "2 ranks vs drsae's own order: far apart (${far:-none} > 100 x $TOLERANCE)" \
    below "$(awk -v t="$TOLERANCE" 'BEGIN {print 100 * t}')" "$far"

# --- faults -------------------------------------------------------------------
run drift "${launch[@]}" -np 2 -x DRSAE_MPI_FAULT=drift:1 "$mpi" "${args[@]}"
check "a rank that drifts: non-zero exit" failed_run
check "a rank that drifts: both ranks say the models differ after epoch 1" \
    [ "$(grep -c "after epoch 1 the models differ across ranks" "$last.err")" = 2 ]
run nan "${launch[@]}" -np 2 -x DRSAE_MPI_FAULT=nan:1 "$mpi" "${args[@]}" \
    --save "$tmp/nan.bin"
check "a NaN in rank 1's gradient: exit status 0" [ "$status" = 0 ]
check "a NaN in rank 1's gradient: step 1 refused and skipped on every rank" \
    has_err "step 1 skipped on every rank: the update was refused"
check "a NaN in rank 1's gradient: skipped_steps=1, the models still agree" \
    has_out "skipped_steps=1" && [ "$(count_out "models are identical")" = 4 ]
run missing "${launch[@]}" -np 1 "$mpi" "${args[@]}" : \
    -np 1 "$mpi" --data "$tmp/no-such-dir" --units 16 --iters 3 --batch 20
check "rank 1 cannot read its data: non-zero exit, no hang" failed_run
check "rank 1 cannot read its data: rank 1 says why" \
    has_err "drsae_mpi: rank 1: cannot open $tmp/no-such-dir/train-images-idx3-ubyte"
check "rank 1 cannot read its data: rank 0 stops too, saying so" \
    has_err "drsae_mpi: rank 0: stopping: another rank could not read its data"
run odd "${launch[@]}" -np 2 "$mpi" "${args[@]}" --batch 21
check "--batch 21 on 2 ranks: refused" failed_run
check "--batch 21 on 2 ranks: the message" has_err "make it a multiple of the 2 ranks"

# --- encoding: each rank its part ---------------------------------------------
# header FILE: the first 12 bytes in hex (magic, items, units).
header() { od -An -tx1 -N 12 "$1" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
run encode "${launch[@]}" -np 2 "$mpi" --data "$data" --load "$tmp/mpi2.bin" \
    --encode-only "$tmp/codes"
check "--encode-only on 2 ranks: exit status 0" [ "$status" = 0 ]
check "--encode-only: rank 1 encodes images 150 to 300" \
    has_out "rank 1: images 150 to 300 of 300 encoded"
check "--encode-only: two IDX float files of 150 x 16 codes" \
    [ "$(header "$tmp/codes.0")" = "00 00 0d 02 00 00 00 96 00 00 00 10" ] &&
    [ "$(header "$tmp/codes.1")" = "00 00 0d 02 00 00 00 96 00 00 00 10" ] &&
    [ "$(wc -c < "$tmp/codes.0")" = $((12 + 150 * 16 * 4)) ] &&
    [ "$(wc -c < "$tmp/codes.1")" = $((12 + 150 * 16 * 4)) ]
run encode_no_model "${launch[@]}" -np 2 "$mpi" --data "$data" \
    --encode-only "$tmp/codes"
check "--encode-only without --load: refused with a message" \
    failed_run && has_err "--encode-only needs --load MODEL"

finish
