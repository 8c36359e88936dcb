#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check-exports.sh -- checks the symbols a shared library exports.
#
#   scripts/check-exports.sh LIB.so HEADER
#
# The functions defined in LIB's dynamic symbol table must be exactly the
# functions HEADER declares with SC_API (one declaration per line starting
# with "SC_API"), and each must carry a SPARSECODE_* version from the
# linker version script.  Prints the differences and exits 1 on any.
set -eu

lib=$1 header=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Defined dynamic symbols, without the version nodes' own (type A) entries.
nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' > "$tmp/raw"
sed 's/@.*//' "$tmp/raw" | sort -u > "$tmp/exported"
grep '^SC_API' "$header" | sed 's/(.*//; s/.*[ *]//' | sort -u > "$tmp/declared"

comm -23 "$tmp/exported" "$tmp/declared" > "$tmp/extra"
comm -13 "$tmp/exported" "$tmp/declared" > "$tmp/missing"
grep -v '@@\{0,1\}SPARSECODE_' "$tmp/raw" > "$tmp/unversioned" || true

ok=1
if [ -s "$tmp/extra" ]; then
    echo "exported but not declared with SC_API in $header:"
    sed 's/^/    /' "$tmp/extra"; ok=0
fi
if [ -s "$tmp/missing" ]; then
    echo "declared with SC_API but not exported (not implemented?):"
    sed 's/^/    /' "$tmp/missing"; ok=0
fi
if [ -s "$tmp/unversioned" ]; then
    echo "exported without a SPARSECODE_* version:"
    sed 's/^/    /' "$tmp/unversioned"; ok=0
fi

if [ $ok = 1 ]; then
    echo "exports: $(wc -l < "$tmp/exported") functions, all sc_*, all declared, all versioned"
else
    exit 1
fi
