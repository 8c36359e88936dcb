#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# ensure-deps.sh -- make sure the Debian packages a make target needs are
# installed.
#
#   scripts/ensure-deps.sh MODE|PACKAGE...
#
# MODE is one of the package sets below (several may be given, and plain
# package names may be mixed in).  Installed packages are checked with
# dpkg-query.  If nothing is missing the script prints nothing and exits 0.
# If something is missing and we are root (or sudo works without a
# password) it runs `apt-get update` and `apt-get install -y
# --no-install-recommends` for the missing packages; otherwise it prints the
# command to run and exits 1.
#
# SC_NO_DEPS=1 skips the whole check (for non-Debian systems, or when the
# dependencies come from elsewhere).  On a system without dpkg-query the
# script only prints which packages it would have wanted.
set -eu

if [ "${SC_NO_DEPS:-0}" = 1 ]; then
    exit 0
fi

# The package sets.
set_build="build-essential pkg-config libopenblas-dev libblas-dev"
set_check="$set_build check libsubunit-dev"
set_examples="$set_build libpng-dev zlib1g-dev"
# Open MPI, for examples/drsae_mpi (make mpi) and its test in make check.
set_mpi="$set_examples libopenmpi-dev openmpi-bin"
# The Python binding's tests (make check runs them when these are there;
# CI always) and `pip install ./python` (docs/python.md).
set_python="python3 python3-numpy python3-pytest python3-setuptools python3-venv"

packages=""
for arg in "$@"; do
    case $arg in
        build)     packages="$packages $set_build" ;;
        check)     packages="$packages $set_check $set_examples" ;;  # make check runs the examples too
        sanitize)  packages="$packages $set_check" ;;
        valgrind)  packages="$packages $set_check valgrind" ;;
        abi)       packages="$packages $set_build abigail-tools" ;;
        docs)      packages="$packages doxygen" ;;
        examples)  packages="$packages $set_examples" ;;
        mpi)       packages="$packages $set_mpi" ;;
        python)    packages="$packages $set_python" ;;
        demo)      packages="$packages $set_examples dataset-fashion-mnist" ;;
        fuzz)      packages="$packages $set_build clang zlib1g-dev" ;;
        ci)        packages="$packages $set_check $set_examples $set_mpi $set_python valgrind abigail-tools cmake clang doxygen man-db" ;;  # set_mpi: make check's MPI test; cmake: the install test's CMake consumer; clang: make fuzz; doxygen: make docs; man-db: the install test reads the man pages
        -*)        echo "ensure-deps.sh: unknown option $arg" >&2; exit 2 ;;
        *)         packages="$packages $arg" ;;
    esac
done
if [ -z "$packages" ]; then
    echo "usage: $0 build|check|sanitize|valgrind|abi|docs|examples|mpi|python|demo|fuzz|ci|PACKAGE..." >&2
    exit 2
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "ensure-deps.sh: not a Debian system; make sure the equivalents of these are installed:" >&2
    echo "   $packages" >&2
    exit 0
fi

# Which packages are missing (each listed once).
missing=""
for p in $packages; do
    case " $missing " in *" $p "*) continue ;; esac
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case $status in
        *" installed") ;;
        *) missing="$missing $p" ;;
    esac
done
missing=${missing# }
[ -z "$missing" ] && exit 0

echo "ensure-deps.sh: missing packages: $missing" >&2
if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    echo "ensure-deps.sh: install them with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing" >&2
    echo "(or set SC_NO_DEPS=1 to skip this check)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$sudo apt-get update
# shellcheck disable=SC2086
$sudo apt-get install -y --no-install-recommends $missing
