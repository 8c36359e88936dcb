#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run-pytest.sh -- runs the Python binding's tests (python/tests) and keeps
# their counts for `make check`.
#
#   scripts/run-pytest.sh RESULT_FILE PYTHON [PYTEST_ARG...]
#
# If PYTHON can import numpy and pytest, runs `PYTHON -m pytest` on
# python/tests, showing its output (its last line is pytest's summary,
# "N passed, M skipped in T s"), and writes "passed failed" to RESULT_FILE
# (failed counts failures and errors; a run without a summary counts as
# one failure).  Otherwise it says why the tests are skipped and writes
# "0 0", unless SC_PYTHON_TESTS=required (CI), which makes the skip a
# failure.  The library and the environment come from the caller
# (SPARSECODE_LIBRARY, LD_LIBRARY_PATH, PYTHONPATH).  Exits 0 only if
# nothing failed.
set -uo pipefail

result=$1 python=$2
shift 2

if ! "$python" -c 'import numpy, pytest' 2>/dev/null; then
    why="$python cannot import numpy and pytest (Debian: python3-numpy python3-pytest)"
    if [ "${SC_PYTHON_TESTS:-}" = required ]; then
        echo "python tests: FAILED: $why, and SC_PYTHON_TESTS=required"
        echo "0 1" > "$result"
        exit 1
    fi
    echo "python tests: skipped: $why"
    echo "0 0" > "$result"
    exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$python" -m pytest -p no:cacheprovider "$@" python/tests 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

summary=$(grep -E '^=*.* in [0-9.]+s' "$log" | tail -n 1)
count() { grep -oE "[0-9]+ $1" <<<"$summary" | grep -oE '^[0-9]+' || echo 0; }
passed=$(count passed)
failed=$(( $(count failed) + $(count error) ))
if [ -z "$summary" ] || { [ "$status" != 0 ] && [ "$failed" = 0 ]; }; then
    failed=$((failed + 1))
fi
echo "$passed $failed" > "$result"
[ "$failed" = 0 ]
