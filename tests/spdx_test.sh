#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# spdx_test.sh -- the license-header test, run by `make check` (and by
# `make test-spdx`): every source file of the project must say
#
#     SPDX-License-Identifier: BSD-2-Clause
#
# on its first line, or on its second after a #! line, so that a new file
# cannot forget it.  Source files are the tracked and the new (untracked,
# not ignored) files named *.c *.h *.cpp *.sh *.py *.map *.pc.in *.cmake
# *.cmake.in Makefile CMakeLists.txt Doxyfile, and every file that starts
# with #!.  Outside a git checkout (e.g. an unpacked tarball) every file
# under the tree is looked at instead.
#
#   tests/spdx_test.sh [RESULT_FILE]
#
# Prints the files without the line and how many files were checked; it
# counts as one test: RESULT_FILE, when given, gets "1 0" or "0 1".
set -euo pipefail

result_file=${1:-}
tag='SPDX-License-Identifier: BSD-2-Clause'

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    list_files() { git ls-files --cached --others --exclude-standard; }
else
    list_files() { find . -path ./build -prune -o -path ./lib -prune -o -type f -print | sed 's|^\./||'; }
fi

is_source() {
    case $1 in
        *.c | *.h | *.cpp | *.sh | *.py | *.map | *.pc.in | *.cmake | *.cmake.in) return 0 ;;
        Makefile | */Makefile | CMakeLists.txt | */CMakeLists.txt | Doxyfile | */Doxyfile) return 0 ;;
    esac
    # (tr: binary files, such as tests/fixtures/*.model, hold NUL bytes)
    [ "$(head -c 2 "$1" | tr -d '\0')" = '#!' ]
}

passed=0
failed=0
while IFS= read -r f; do
    [ -f "$f" ] || continue     # deleted but not yet committed
    is_source "$f" || continue
    if [ "$(head -c 2 "$f")" = '#!' ]; then
        line=$(sed -n 2p "$f")
    else
        line=$(sed -n 1p "$f")
    fi
    case $line in
        *"$tag"*) passed=$((passed + 1)) ;;
        *) echo "spdx: $f: no '$tag' on its first line (or second, after #!)"
           failed=$((failed + 1)) ;;
    esac
done < <(list_files)

if [ "$failed" = 0 ]; then
    echo "spdx: all $passed source files carry the SPDX line"
    [ -z "$result_file" ] || echo "1 0" > "$result_file"
else
    echo "spdx: FAILED: $failed of $((passed + failed)) source files lack the SPDX line"
    [ -z "$result_file" ] || echo "0 1" > "$result_file"
    exit 1
fi
