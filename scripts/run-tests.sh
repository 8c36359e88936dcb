#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run-tests.sh -- runs a Check test runner and reports its counts.
#
#   scripts/run-tests.sh LABEL RESULT_FILE COMMAND [ARG...]
#
# Runs COMMAND (a Check runner, possibly under valgrind), showing its
# output, then prints "LABEL: N passed, M failed" from Check's summary line
# ("100%: Checks: N, Failures: F, Errors: E").  A run that exits non-zero
# although Check counted no failure (a valgrind error, a crash in
# CK_FORK=no mode), a run with no summary and a run of zero tests all count
# as failures.  If RESULT_FILE is not empty, "N M" is written to it.
# Exits 0 only if everything passed.
set -uo pipefail

label=$1 result=$2
shift 2

log=$(mktemp)
trap 'rm -f "$log"' EXIT

"$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

summary=$(grep -E '[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -n 1)
if [ -z "$summary" ]; then
    echo "$label: no Check summary in the output (exit status $status)"
    passed=0 failed=1
else
    checks=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$summary")
    failures=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$summary")
    errors=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$summary")
    failed=$((failures + errors))
    passed=$((checks - failed))
    if [ "$checks" = 0 ]; then
        echo "$label: no test ran"
        failed=1
    elif [ "$status" != 0 ] && [ "$failed" = 0 ]; then
        echo "$label: the run exited with status $status (errors reported above)"
        failed=1
    fi
fi

[ -n "$result" ] && echo "$passed $failed" > "$result"
echo "$label: $passed passed, $failed failed"
[ "$failed" = 0 ]
