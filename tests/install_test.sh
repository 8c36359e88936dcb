#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# install_test.sh -- installs libsparsecode into temporary directories and
# builds a small program against it the way an outside user would, through
# pkg-config.  Run by `make check` from the top of the tree; it can also be
# run by hand there (after `make`).
#
#  1. A staged install: make install DESTDIR=<tmp> PREFIX=/usr.  The exact
#     file list is checked, a program is built through pkg-config with
#     PKG_CONFIG_SYSROOT_DIR and run, then make uninstall must remove every
#     file it installed.
#     The man pages are part of the list: the overview libsparsecode(3)
#     always, and the pages `make docs` generated (docs/api/man/man3: the
#     sc_*, SC_*, sparsecode_* and sparsecode.h pages) when they are
#     there; every `.so` link among them must point to an installed page.
#     If cmake is installed, tests/cmake_consumer is configured with
#     CMAKE_PREFIX_PATH=<tmp>/usr (the package is used where it was moved
#     to, not at /usr), and its programs, linked to the shared and to the
#     static imported target, are run.
#  2. An install to PREFIX=<tmp>/prefix: a program is built against the
#     shared library (`pkg-config --cflags --libs`) and, separately,
#     against the static one (`pkg-config --static --libs` with
#     libsparsecode.a), and both are run.  pkg-config sees only the
#     installed libsparsecode.pc (PKG_CONFIG_LIBDIR is that directory
#     alone), so neither link may depend on another package's .pc (such
#     as openblas.pc).  If man is installed, libsparsecode(3) must render
#     with `man -l`, and, when the generated pages are there,
#     `man -M PREFIX/share/man 3 sc_model_create` must show that function.
#  3. Which build `make install` takes without BLAS=: after the library of
#     the other BLAS is built (`make lib BLAS=<other>`), a plain
#     `make install` must refuse, install nothing and name BLAS=<other>;
#     `make install BLAS=<other>` must install that build; and after
#     `make lib` (the default BLAS) a plain `make install` installs the
#     default build.  The configuration under test is built last again at
#     the end, so the tree is left as it was.
#
# Environment (set by the Makefile): MAKE, CC, SC_MAKE_ARGS (e.g.
# "BLAS=reference"), SC_RUN_LIBPATH (directories to put first in
# LD_LIBRARY_PATH when running, e.g. the reference BLAS's),
# SC_BLAS_DEFAULT (the BLAS that make takes without BLAS=).
set -euo pipefail

MAKE=${MAKE:-make}

# Under `make -n check` this script still runs (its command line names
# $(MAKE)), but the makes it starts would only print: nothing to test.
make_flags=${MAKEFLAGS:-}
make_flags=${make_flags%% *}
case $make_flags in
    -*) ;;
    *n*) echo "install test: skipped (make -n)"; exit 0 ;;
esac
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
read -r -a make_args <<< "${SC_MAKE_ARGS:-}"
run_libpath=${SC_RUN_LIBPATH:-}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "install test: FAILED: $*" >&2
    exit 1
}

# Runs a program with the BLAS directory (if any) and $1 in the library path.
run() {
    local path
    path=$(printf '%s:' "$1" "$run_libpath" "${LD_LIBRARY_PATH:-}" | tr -s : | sed 's/^://; s/:$//')
    shift
    LD_LIBRARY_PATH=$path "$@"
}

cat > "$tmp/prog.c" <<'EOF'
/* A user's program: only the public header, found through pkg-config. */
#include <stdio.h>
#include <sparsecode.h>

int main(void)
{
    sc_model *m = NULL;
    float x[2 * 6] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f,
                      0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f};
    float z[2 * 4];
    sc_status s;

    if (sc_version() != SC_VERSION_NUMBER) {
        fprintf(stderr, "version mismatch: %u vs %d\n", sc_version(),
                SC_VERSION_NUMBER);
        return 1;
    }
    s = sc_model_create(&m, 6, 4);
    if (s == SC_OK)
        s = sc_model_set(m, SC_MODEL_PARAM_ITERATIONS, 3);
    if (s == SC_OK)
        s = sc_model_init_random(m, 7);
    if (s == SC_OK)
        s = sc_model_encode(m, x, 2, z);
    if (s != SC_OK) {
        fprintf(stderr, "%s: %s\n", sc_status_string(s), sc_last_message());
        sc_model_free(m);
        return 1;
    }
    sc_model_free(m);
    printf("libsparsecode %s works\n", sc_version_string());
    return 0;
}
EOF

# --- 1. staged install with DESTDIR -----------------------------------------
stage=$tmp/stage
"$MAKE" --no-print-directory -s install DESTDIR="$stage" PREFIX=/usr "${make_args[@]}" >/dev/null

version=$(sed -n 's/^#define SC_VERSION_\(MAJOR\|MINOR\|RELEASE\)[[:space:]]*\([0-9]*\).*/\2/p' \
    include/sparsecode.h | paste -sd.)
major=${version%%.*}
expected="./usr/include/sparsecode.h
./usr/lib/cmake/libsparsecode/libsparsecodeConfig.cmake
./usr/lib/cmake/libsparsecode/libsparsecodeConfigVersion.cmake
./usr/lib/libsparsecode.a
./usr/lib/libsparsecode.so
./usr/lib/libsparsecode.so.$major
./usr/lib/libsparsecode.so.$version
./usr/lib/pkgconfig/libsparsecode.pc
./usr/share/doc/libsparsecode/LICENSE
./usr/share/doc/libsparsecode/README.md
./usr/share/man/man3/libsparsecode.3"
# The generated man pages, when `make docs` made them (see the Makefile).
man_generated=$(cd docs/api/man/man3 2>/dev/null &&
    ls -1 -- sc_*.3 SC_*.3 sparsecode_*.3 sparsecode.h.3 2>/dev/null || true)
if [ -n "$man_generated" ]; then
    expected=$(printf '%s\n%s\n' "$expected" "$(printf './usr/share/man/man3/%s\n' $man_generated)")
fi
expected=$(printf '%s\n' "$expected" | LC_ALL=C sort)
actual=$(cd "$stage" && find . \( -type f -o -type l \) | LC_ALL=C sort)
[ "$actual" = "$expected" ] || fail "installed files differ:
$actual
expected:
$expected"
[ "$(readlink "$stage/usr/lib/libsparsecode.so")" = "libsparsecode.so.$major" ] ||
    fail "libsparsecode.so does not point to libsparsecode.so.$major"
[ "$(readlink "$stage/usr/lib/libsparsecode.so.$major")" = "libsparsecode.so.$version" ] ||
    fail "libsparsecode.so.$major does not point to libsparsecode.so.$version"
soname=$(readelf -d "$stage/usr/lib/libsparsecode.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$soname" = "libsparsecode.so.$major" ] || fail "SONAME is '$soname'"
grep -qx 'prefix=/usr' "$stage/usr/lib/pkgconfig/libsparsecode.pc" ||
    fail "libsparsecode.pc does not say prefix=/usr"
cmp -s LICENSE "$stage/usr/share/doc/libsparsecode/LICENSE" || fail "the installed LICENSE differs from LICENSE"
# Every man page link (.so man3/X.3) points to an installed page.
mandir=$stage/usr/share/man/man3
for page in "$mandir"/*.3; do
    target=$(sed -n '1s/^\.so //p' "$page")
    [ -z "$target" ] || [ -f "$stage/usr/share/man/$target" ] ||
        fail "man page $(basename "$page") links to $target, which is not installed"
done
if [ -n "$man_generated" ]; then
    man_note="$(echo "$man_generated" | wc -l) generated man pages and libsparsecode(3)"
else
    man_note="libsparsecode(3) only (no generated man pages: make docs not run)"
fi
echo "install test: staged install (DESTDIR, PREFIX=/usr): files, links, SONAME, .pc, license, $man_note ok"

# pkg-config as a cross-compiling user would see the staged tree.
stage_pc() {
    env -u PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR="$stage" PKG_CONFIG_LIBDIR="$stage/usr/lib/pkgconfig" \
        PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 \
        "$PKG_CONFIG" "$@"
}
stage_pc --exists libsparsecode || fail "pkg-config does not find the staged libsparsecode"
[ "$(stage_pc --modversion libsparsecode)" = "$version" ] || fail "pkg-config --modversion"
# shellcheck disable=SC2046
"$CC" -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$tmp/prog_staged" "$tmp/prog.c" \
    $(stage_pc --cflags --libs libsparsecode)
run "$stage/usr/lib" "$tmp/prog_staged" >/dev/null || fail "the program built against the staged install"
echo "install test: program built with the staged .pc (PKG_CONFIG_SYSROOT_DIR) runs"

# The CMake package, found in the staged tree: its config file says
# PREFIX=/usr but sits in $stage/usr, so this also shows it is relocatable.
if command -v cmake >/dev/null 2>&1; then
    cmake_build=$tmp/cmake-build
    cmake -S tests/cmake_consumer -B "$cmake_build" -DCMAKE_C_COMPILER="$CC" \
        -DCMAKE_PREFIX_PATH="$stage/usr" -DPROG="$tmp/prog.c" >"$tmp/cmake.log" 2>&1 ||
        fail "cmake could not configure the consumer project:
$(cat "$tmp/cmake.log")"
    grep -q "libsparsecode $version from $stage/usr/lib/cmake/libsparsecode" "$tmp/cmake.log" ||
        fail "find_package did not take the staged package:
$(cat "$tmp/cmake.log")"
    cmake --build "$cmake_build" >"$tmp/cmake-build.log" 2>&1 ||
        fail "the consumer project does not build:
$(cat "$tmp/cmake-build.log")"
    linked=$(run "$stage/usr/lib" ldd "$cmake_build/prog_shared")
    printf '%s\n' "$linked" | grep -q "libsparsecode.so.$major => $stage/usr/lib/" ||
        fail "the CMake prog_shared does not load libsparsecode from $stage/usr/lib; ldd says:
$linked"
    if readelf -d "$cmake_build/prog_static" | grep -q 'NEEDED.*libsparsecode'; then
        fail "the CMake prog_static needs the shared libsparsecode"
    fi
    run "$stage/usr/lib" "$cmake_build/prog_shared" >/dev/null || fail "the CMake prog_shared"
    run "" "$cmake_build/prog_static" >/dev/null || fail "the CMake prog_static"
    echo "install test: find_package(libsparsecode CONFIG) in the staged tree: shared and static targets build and run; version $((major + 1)) refused"
else
    echo "install test: cmake not installed: CMake package test skipped"
fi

"$MAKE" --no-print-directory -s uninstall DESTDIR="$stage" PREFIX=/usr "${make_args[@]}" >/dev/null
left=$(cd "$stage" && find . \( -type f -o -type l \))
[ -z "$left" ] || fail "make uninstall left: $left"
echo "install test: make uninstall removed every installed file"

# --- 2. install to a prefix; shared and static builds -------------------------
prefix=$tmp/prefix
"$MAKE" --no-print-directory -s install PREFIX="$prefix" "${make_args[@]}" >/dev/null
# Only the installed .pc is on pkg-config's search path.
pc() {
    env -u PKG_CONFIG_PATH PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" "$PKG_CONFIG" "$@"
}
pc --validate libsparsecode 2>/dev/null || pc --exists libsparsecode || fail "pkg-config rejects libsparsecode.pc"
for p in openblas blas; do
    if pc --exists "$p"; then fail "pkg-config still finds $p.pc: the test would not show that libsparsecode.pc is enough"; fi
done
pc --cflags --libs libsparsecode >/dev/null || fail "pkg-config --cflags --libs libsparsecode (only its own .pc)"
pc --static --libs libsparsecode >/dev/null || fail "pkg-config --static --libs libsparsecode (only its own .pc)"

# Shared: the program must load libsparsecode.so.MAJOR from the prefix.
# shellcheck disable=SC2046
"$CC" -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$tmp/prog_shared" "$tmp/prog.c" \
    $(pc --cflags --libs libsparsecode) -Wl,-rpath,"$prefix/lib"
linked=$(run "" ldd "$tmp/prog_shared")
printf '%s\n' "$linked" | grep -q "libsparsecode.so.$major => $prefix/lib/" ||
    fail "prog_shared does not load libsparsecode from $prefix/lib; ldd says:
$linked"
run "" "$tmp/prog_shared" || fail "the program linked to the shared library"

# Static: libsparsecode.a, with its private dependencies from --static.
static_libs=$(pc --static --libs libsparsecode)
static_libs=${static_libs//-lsparsecode/-Wl,-Bstatic -lsparsecode -Wl,-Bdynamic}
# shellcheck disable=SC2046,SC2086
"$CC" -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$tmp/prog_static" "$tmp/prog.c" \
    $(pc --cflags libsparsecode) $static_libs
if readelf -d "$tmp/prog_static" | grep -q 'NEEDED.*libsparsecode'; then
    fail "prog_static still needs the shared libsparsecode"
fi
run "" "$tmp/prog_static" || fail "the program linked to the static library"
echo "install test: programs built with pkg-config and only libsparsecode.pc (shared, and static with --static) run"

# The man pages, read as a user would.  (man-db's seccomp sandbox can fail
# in containers that filter system calls: it is not what is tested here.)
if command -v man >/dev/null 2>&1; then
    export MAN_DISABLE_SECCOMP=1
    overview=$(MANWIDTH=80 man -l "$prefix/share/man/man3/libsparsecode.3" 2>&1) ||
        fail "man -l libsparsecode.3 failed: $overview"
    printf '%s\n' "$overview" | grep -q 'libsparsecode - sparse coding' ||
        fail "man -l libsparsecode.3 does not show its NAME line:
$overview"
    if [ -n "$man_generated" ]; then
        page=$(MANWIDTH=80 man -M "$prefix/share/man" 3 sc_model_create 2>&1) ||
            fail "man -M $prefix/share/man 3 sc_model_create failed: $page"
        printf '%s\n' "$page" | grep -q 'sc_status sc_model_create (sc_model \*\* out' ||
            fail "man 3 sc_model_create does not document sc_model_create:
$page"
        echo "install test: man -l libsparsecode.3 and man 3 sc_model_create read the installed pages"
    else
        echo "install test: man -l libsparsecode.3 reads the installed page (no generated pages to read)"
    fi
else
    echo "install test: man not installed: the man pages are checked as files only"
fi
"$MAKE" --no-print-directory -s uninstall PREFIX="$prefix" "${make_args[@]}" >/dev/null

# --- 3. make install without BLAS= takes the build made last, or refuses -----
default_blas=${SC_BLAS_DEFAULT:-}
case $default_blas in
    openblas) other_blas=reference ;;
    reference) other_blas=openblas ;;
    *) fail "SC_BLAS_DEFAULT is '$default_blas' (the Makefile sets it)" ;;
esac
# A make that sees no BLAS= (not from this test's own make either, whose
# command-line variables reach sub-makes through MAKEFLAGS).
make_plain() {
    env -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES -u BLAS "$MAKE" --no-print-directory -s "$@"
}
installed_so() { echo "$1/lib/libsparsecode.so.$version"; }
choice=$tmp/choice
if [ "$other_blas" = openblas ] && ! "$PKG_CONFIG" --exists openblas; then
    echo "install test: no openblas.pc: the choice of build by make install is not tested"
else
    make_plain lib BLAS="$other_blas" >/dev/null
    if make_plain install PREFIX="$choice" >"$tmp/refusal.log" 2>&1; then
        fail "make install without BLAS= installed the BLAS=$default_blas build after make lib BLAS=$other_blas"
    fi
    grep -q "make install BLAS=$other_blas" "$tmp/refusal.log" ||
        fail "make install's refusal does not name BLAS=$other_blas:
$(cat "$tmp/refusal.log")"
    [ ! -e "$choice" ] || fail "make install refused but created $choice"
    make_plain install PREFIX="$choice" BLAS="$other_blas" >/dev/null
    cmp -s "build/$other_blas/lib/libsparsecode.so.$version" "$(installed_so "$choice")" ||
        fail "make install BLAS=$other_blas did not install build/$other_blas/lib's library"
    make_plain uninstall PREFIX="$choice" >/dev/null
    make_plain lib >/dev/null
    make_plain install PREFIX="$choice" >/dev/null ||
        fail "make install without BLAS= after a plain make"
    cmp -s "lib/libsparsecode.so.$version" "$(installed_so "$choice")" ||
        fail "make install without BLAS= after a plain make did not install lib/'s library"
    make_plain uninstall PREFIX="$choice" >/dev/null
    echo "install test: make install without BLAS= refuses after make BLAS=$other_blas (naming it), installs the default build after make"
fi
# Leave the configuration under test as the one built last.
make_plain lib "${make_args[@]}" >/dev/null

echo "install test: passed"
