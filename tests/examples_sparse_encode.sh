# SPDX-License-Identifier: BSD-2-Clause
# examples_sparse_encode.sh -- the checks of examples/sparse_encode,
# sourced by tests/examples_test.sh after its data set is made (it uses
# that script's $examples, $data, $tmp and its helpers run, check, pass,
# fail, has_out, not_has_out, exited, exits_with, fails_with, same and
# png_head):
#
#   . tests/examples_sparse_encode.sh
#
# On the tiny data set (8 x 8 images) it learns 24 atoms, saves them,
# encodes the 100 test images with every method on the saved atoms, and
# checks the result lines: the objectives are finite numbers, FISTA and
# CD_ACTIVE reach the same objective within the bound their duality gaps
# give, no method goes below the optimum, OMP keeps to --nonzeros,
# reloaded atoms give the learned run's figures, two threads the same
# figures as one; the PNG; and the answers to bad arguments and
# unwritable outputs.  The runs take well under a second each.
# Variables and helpers come from examples_test.sh.
# shellcheck shell=bash disable=SC2154
if [ -z "${BASH_VERSION:-}" ] || [ "${BASH_SOURCE[0]}" = "$0" ]; then
    echo "examples_sparse_encode.sh: source it from tests/examples_test.sh" >&2
    exit 2
fi

# --- examples/sparse_encode -------------------------------------------------------
sparse_encode=$(cd "$examples" && pwd)/sparse_encode
se_tiny=(--data "$data" --atoms 24 --train 300 --test 100 --epochs 2 --batch 20)
se_atoms=$tmp/se_atoms.bin
# The runs on the saved atoms (their number is the file's).
se_load=(--data "$data" --test 100 --load-atoms "$se_atoms")
# The result line; a number is a decimal or exponent form, never nan/inf.
se_num='-?[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?'
se_line="^method=[a-z_]+ lambda=$se_num objective=$se_num support=$se_num recon=$se_num seconds=$se_num gap=$se_num converged=[01]\$"
# se_value NAME FILE: the value of NAME=<x> on FILE's result line.
se_value() { grep -E "$se_line" "$2" | tail -n 1 | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
# se_at_most A B: A <= B as numbers.
se_at_most() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN {exit !(a + 0 <= b + 0)}'; }

if [ ! -x "$sparse_encode" ]; then
    last=""
    fail "$sparse_encode is built (make examples-build)"
else
    # Learning the atoms once (with FISTA), then every method on them.
    run se_fista "$sparse_encode" "${se_tiny[@]}" --method fista --save-atoms "$se_atoms" \
        --png "$tmp/se.png"
    check "sparse_encode learns and saves the atoms: exit status 0" exited 0
    check "sparse_encode reads the tiny data" \
        has_out "data: 300 training and 100 test images of 8 x 8 (unit L2 norm)"
    cp "$last.out" "$tmp/se_learned.out"
    for m in ista fista cod cd_active omp lars; do
        run "se_$m" "$sparse_encode" "${se_load[@]}" --method "$m"
        check "sparse_encode --method $m: exit status 0 and a result line with finite numbers" \
            grep -qE "$se_line" "$last.out"
    done
    check "sparse_encode --load-atoms reads the saved atoms" \
        has_out "dictionary: 24 atoms read from $se_atoms"
    # The same atoms, bit for bit, give the same codes: the learned run's
    # figures (but for the time).
    same_figures() { sed -n "s/ seconds=[^ ]*//p" "$1" | grep -E '^method='; }
    check "sparse_encode: reloaded atoms give the learned run's result line" \
        same "$(same_figures "$tmp/se_learned.out")" "$(same_figures "$tmp/se_fista.out")"

    # FISTA and CD_ACTIVE solve the same lasso.  The report's gap g is the
    # largest relative duality gap over the images, so each image's
    # objective is within g F of its optimum, and so is the mean:
    # F - F* <= g F.  Hence |F_fista - F_cd| <= (g_fista + g_cd) max F,
    # plus 1e-6 relative for the gap being that of the float problem
    # (c = D^T x and G = D^T D in float) while F here is computed in double
    # (measured: the same 9 digits, with gaps 2e-6 and 2e-7).
    f_fista=$(se_value objective "$tmp/se_fista.out") g_fista=$(se_value gap "$tmp/se_fista.out")
    f_cd=$(se_value objective "$tmp/se_cd_active.out") g_cd=$(se_value gap "$tmp/se_cd_active.out")
    # shellcheck disable=SC2016
    check "sparse_encode: FISTA and CD_ACTIVE converge (converged=1 both)" \
        sh -c 'grep -q " converged=1$" "$1" && grep -q " converged=1$" "$2"' _ \
        "$tmp/se_fista.out" "$tmp/se_cd_active.out"
    check "sparse_encode: FISTA's objective ${f_fista:-none} equals CD_ACTIVE's ${f_cd:-none} within (gaps ${g_fista:-none} + ${g_cd:-none} + 1e-6) x F" \
        awk -v a="${f_fista:-x}" -v b="${f_cd:-y}" -v ga="${g_fista:-1}" -v gb="${g_cd:-1}" \
        'BEGIN { d = a - b; if (d < 0) d = -d; m = a > b ? a : b
                 exit !(a == a + 0 && b == b + 0 && d <= (ga + gb + 1e-6) * m) }'
    # LARS returns the exact solution at lambda (MAX_NONZEROS 0 in the
    # example): the same bound with its own gap.
    f_lars=$(se_value objective "$tmp/se_lars.out") g_lars=$(se_value gap "$tmp/se_lars.out")
    check "sparse_encode --method lars: converged=1" grep -q " converged=1$" "$tmp/se_lars.out"
    check "sparse_encode: LARS's objective ${f_lars:-none} equals CD_ACTIVE's ${f_cd:-none} within (gaps ${g_lars:-none} + ${g_cd:-none} + 1e-6) x F" \
        awk -v a="${f_lars:-x}" -v b="${f_cd:-y}" -v ga="${g_lars:-1}" -v gb="${g_cd:-1}" \
        'BEGIN { d = a - b; if (d < 0) d = -d; m = a > b ? a : b
                 exit !(a == a + 0 && b == b + 0 && d <= (ga + gb + 1e-6) * m) }'
    # No codes go below the optimum F* >= F_cd (1 - g_cd): not ISTA's
    # (stopped at 1000 iterations), not CoD's, not OMP's (which does not
    # solve the lasso: its objective is that of its codes).
    lower=$(awk -v f="${f_cd:-0}" -v g="${g_cd:-1}" 'BEGIN {printf "%.12g", f * (1 - g - 1e-6)}')
    for m in ista cod omp; do
        f=$(se_value objective "$tmp/se_$m.out")
        check "sparse_encode --method $m: objective ${f:-none} not below the optimum's bound $lower" \
            se_at_most "$lower" "$f"
    done
    check "sparse_encode --method omp: at most 10 non-zeros per code (the solver's default)" \
        se_at_most "$(se_value support "$tmp/se_omp.out")" 10
    run se_omp3 "$sparse_encode" "${se_load[@]}" --method omp --nonzeros 3
    check "sparse_encode --method omp --nonzeros 3: support=3.000 (24 atoms, 64 pixels: no exact fit stops earlier)" \
        [ "$(se_value support "$last.out")" = 3.000 ]
    # Threads over samples give the same bits (docs/solvers.md).
    run se_threads "$sparse_encode" "${se_load[@]}" --method cd_active --threads 2
    check "sparse_encode --threads 2: CD_ACTIVE's result line as with 1 thread" \
        same "$(same_figures "$tmp/se_cd_active.out")" "$(same_figures "$last.out")"

    # 24 atoms of 8 x 8 at scale 2 in a 5 x 5 grid: 86 x 86 pixels; the 8
    # test images over their reconstructions at scale 4: 265 x 67, under a
    # title of 37 characters (221 pixels); margins of 4, a gap of 6 and
    # two lines of text (9 pixels, 2 below each): 273 x 189 = 0x111 x 0xbd.
    check "sparse_encode --png draws a 273 x 189 PNG" [ "$(png_head "$tmp/se.png" 2>/dev/null)" = \
        "89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 48 44 52 00 00 01 11 00 00 00 bd" ]

    # --- bad arguments: exit status 2 and a message, nothing done
    run se_method "$sparse_encode" "${se_tiny[@]}" --method simplex
    check "sparse_encode --method simplex: exit status 2, the names of the methods" \
        exits_with 2 "--method is one of ista fista cod cd_active omp lars"
    run se_nonzeros "$sparse_encode" "${se_tiny[@]}" --nonzeros 3
    check "sparse_encode --nonzeros without --method omp or lars: exit status 2" \
        exits_with 2 "--nonzeros is for --method omp and lars"
    run se_lambda "$sparse_encode" "${se_tiny[@]}" --lambda -0.1
    check "sparse_encode --lambda -0.1: exit status 2, 'bad number'" \
        exits_with 2 "bad number '-0.1'"
    run se_atoms0 "$sparse_encode" "${se_tiny[@]}" --atoms 0
    check "sparse_encode --atoms 0: exit status 2" \
        exits_with 2 "--atoms, --train, --test and --batch must be >= 1"
    run se_both "$sparse_encode" "${se_tiny[@]}" --load-atoms "$se_atoms"
    check "sparse_encode --load-atoms with --atoms: exit status 2" \
        exits_with 2 "--load-atoms takes the atoms (and their number) from the file"
    run se_nodata "$sparse_encode" --method fista
    check "sparse_encode without --data: exit status 2 and the usage text" \
        exits_with 2 "usage: sparse_encode --data DIR"
    run se_option "$sparse_encode" "${se_tiny[@]}" --no-such-option
    check "sparse_encode with an unknown option: exit status 2 and the usage text" \
        exits_with 2 "usage: sparse_encode --data DIR"
    # The solver checks its own bounds; its message is shown.
    run se_tol "$sparse_encode" "${se_load[@]}" --tolerance 2
    check "sparse_encode --tolerance 2: fails with the solver's SC_ERR_RANGE" \
        fails_with "SC_ERR_RANGE"

    # --- outputs that cannot be written: status 1 before any work
    run se_png "$sparse_encode" "${se_tiny[@]}" --png "$tmp/no/such/dir/se.png"
    check "sparse_encode --png in a missing directory: exit status 1, naming it" \
        exits_with 1 "--png $tmp/no/such/dir/se.png: cannot write there"
    check "sparse_encode --png in a missing directory: fails before reading the data" \
        not_has_out "data:"
    run se_savedir "$sparse_encode" "${se_tiny[@]}" --save-atoms "$tmp"
    check "sparse_encode --save-atoms onto a directory: exit status 1" \
        exits_with 1 "--save-atoms $tmp: cannot write there: a directory"

    # --- atoms files that do not fit
    head -c 100 "$se_atoms" > "$tmp/se_short.bin"
    run se_short "$sparse_encode" --data "$data" --load-atoms "$tmp/se_short.bin"
    check "sparse_encode --load-atoms of a truncated file: fails with 'truncated'" \
        fails_with "se_short.bin: truncated"
    run se_notatoms "$sparse_encode" --data "$data" --load-atoms "$se_atoms.missing"
    check "sparse_encode --load-atoms of a missing file: fails, naming it" \
        fails_with "se_atoms.bin.missing: No such file"
    # The header says 64 x 24; 63 x 24 values do not fit 8 x 8 images.
    { printf 'SCATOMS1\077\000\000\000\030\000\000\000'
      tail -c +17 "$se_atoms" | head -c $((63 * 24 * 4)); } > "$tmp/se_63.bin"
    run se_63 "$sparse_encode" --data "$data" --load-atoms "$tmp/se_63.bin"
    check "sparse_encode --load-atoms of atoms of 63 pixels: fails, saying why" \
        fails_with "holds atoms of 63 pixels, the images have 64"
fi
