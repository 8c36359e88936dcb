# SPDX-License-Identifier: BSD-2-Clause
"""The loader: the library found, every function of the header bound with
its prototype, SPARSECODE_LIBRARY honoured, the version."""
import os
import re
import subprocess
import sys

import pytest

import sparsecode as sc
from sparsecode import _lib

from conftest import CHECKOUT, HEADER


def header_functions():
    with open(HEADER) as f:
        text = f.read()
    return set(re.findall(r"SC_API\b[^;{]*?\b(sc_[a-z0-9_]+)\s*\(", text))


@pytest.mark.skipif(not os.path.exists(HEADER), reason="not run from a checkout")
def test_every_function_of_the_header_has_a_prototype():
    assert header_functions() == set(_lib.PROTOTYPES)


@pytest.mark.skipif(not os.path.exists(HEADER), reason="not run from a checkout")
def test_the_loaded_library_has_every_function_of_the_header():
    # Fails against a library built before all the header's functions
    # were implemented (the tests that need them are skipped instead).
    assert _lib.MISSING == []


def test_version_matches_the_header():
    with open(HEADER) as f:
        text = f.read()
    parts = [re.search(r"#define SC_VERSION_%s\s+(\d+)" % p, text).group(1)
             for p in ("MAJOR", "MINOR", "RELEASE")]
    assert sc.version() == ".".join(parts)
    assert sc.version_number() == int(parts[0]) * 10000 + \
        int(parts[1]) * 100 + int(parts[2])
    assert sc.blas_name()


def run_python(code, **env):
    e = dict(os.environ, PYTHONPATH=os.path.join(CHECKOUT, "python"))
    e.update(env)
    return subprocess.run([sys.executable, "-c", code], env=e,
                          capture_output=True, text=True)


def test_a_wrong_library_path_is_an_import_error_naming_it(tmp_path):
    missing = str(tmp_path / "libnothing.so")
    r = run_python("import sparsecode", SPARSECODE_LIBRARY=missing)
    assert r.returncode != 0
    assert "ImportError" in r.stderr and missing in r.stderr
    assert "SPARSECODE_LIBRARY" in r.stderr


def test_the_library_named_by_the_variable_is_used():
    r = run_python("import sparsecode; print(sparsecode.library_path())",
                   SPARSECODE_LIBRARY=sc.library_path())
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == sc.library_path()


def test_blas_threads():
    n = sc.blas_threads()
    assert n >= 1
    try:
        sc.set_blas_threads(n)
    except sc.StateError as e:  # a BLAS without thread control
        assert "BLAS" in e.message or "blas" in e.message
    with pytest.raises(sc.RangeError):
        sc.set_blas_threads(0)


@pytest.mark.skipif(not os.path.exists(os.path.join(CHECKOUT, "lib", _lib.SONAME)),
                    reason="the checkout's lib/ is not built")
def test_without_the_variable_the_checkouts_build_tree_is_used():
    # PYTHONPATH=python from a built checkout: lib/ next to python/.
    env = dict(os.environ)
    env.pop("SPARSECODE_LIBRARY", None)
    env["PYTHONPATH"] = os.path.join(CHECKOUT, "python")
    r = subprocess.run([sys.executable, "-c",
                        "import sparsecode; print(sparsecode.library_path())"],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == os.path.join(CHECKOUT, "lib", _lib.SONAME)
