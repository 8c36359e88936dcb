# SPDX-License-Identifier: BSD-2-Clause
"""sparsecode: Python binding of libsparsecode (sparse coding and sparse
auto-encoders), numpy in, numpy out.

    import sparsecode as sc
    m = sc.Model(784, 400, iterations=11, l1_weight=0.02, classes=10)
    m.init_data(x_train, seed=1)
    stats = m.step(x_batch, labels=y_batch)
    z = m.encode(x)

See docs/python.md.  Pure Python over ctypes: the shared library is
found as sparsecode._lib explains (SPARSECODE_LIBRARY, the checkout's
lib/, the system).  Every library call releases the GIL.
"""
from . import _lib, idx
from ._errors import (FileIOError, FormatError, NoMemoryError,
                      NonFiniteError, NullArgumentError, ParameterError,
                      RangeError, SizeError, SparseCodeError, StateError,
                      UnknownStatusError, VersionError, check)
from .dictionary import DictionaryLearner, DictionaryStats
from .model import Model, Stats, local_units
from .solver import Report, Solver

__version__ = "0.1.0"

__all__ = [
    "Model", "Stats", "local_units", "Solver", "Report",
    "DictionaryLearner", "DictionaryStats",
    "idx", "version", "version_number", "blas_name", "blas_threads",
    "set_blas_threads", "library_path",
    "SparseCodeError", "NullArgumentError", "SizeError", "ParameterError",
    "RangeError", "StateError", "NoMemoryError", "NonFiniteError",
    "FileIOError", "FormatError", "VersionError", "UnknownStatusError",
]


def version():
    """The loaded library's version string, e.g. "0.1.0"
    (sc_version_string)."""
    return _lib.sc_version_string().decode()


def version_number():
    """MAJOR*10000 + MINOR*100 + RELEASE of the loaded library
    (sc_version)."""
    return _lib.sc_version()


def blas_name():
    """The BLAS the library was built with (sc_blas_name)."""
    return _lib.sc_blas_name().decode()


def blas_threads():
    """The BLAS's thread count (sc_blas_threads)."""
    return _lib.sc_blas_threads()


def set_blas_threads(threads):
    """Sets the BLAS's thread count, process-wide (sc_blas_set_threads);
    call it while no other library call runs."""
    check(_lib.sc_blas_set_threads(int(threads)), "sc_blas_set_threads")


def library_path():
    """The file of the shared library in use."""
    return _lib.PATH
