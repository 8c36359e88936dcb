# SPDX-License-Identifier: BSD-2-Clause
"""One exception class per sc_status, and the check of every call's status.

Every failed library call raises a subclass of SparseCodeError carrying
``status`` (the C name, e.g. "SC_ERR_RANGE"), ``code`` (its number) and
``message`` (the library's own message, from sc_last_message(): what
exactly was wrong, e.g. "sc_model_set: l1_weight -1 is outside [0, 1e6]").
Mistakes the package finds itself, before any C call (a wrong shape or
dtype), raise ValueError instead.
"""
from . import _lib
from ._enums import STATUS


class SparseCodeError(Exception):
    """A library call returned a status other than SC_OK."""
    status = None
    code = None

    def __init__(self, message, function=None):
        self.message = message
        self.function = function
        super().__init__("%s: %s" % (self.status, message))


class NullArgumentError(SparseCodeError):
    """SC_ERR_NULL: a required pointer was NULL (a bug in this package)."""
    status, code = "SC_ERR_NULL", 1


class SizeError(SparseCodeError):
    """SC_ERR_SIZE: a size is zero, too large or inconsistent."""
    status, code = "SC_ERR_SIZE", 2


class ParameterError(SparseCodeError):
    """SC_ERR_PARAM: unknown parameter."""
    status, code = "SC_ERR_PARAM", 3


class RangeError(SparseCodeError):
    """SC_ERR_RANGE: a value outside its documented bounds."""
    status, code = "SC_ERR_RANGE", 4


class StateError(SparseCodeError):
    """SC_ERR_STATE: not allowed in the handle's current state."""
    status, code = "SC_ERR_STATE", 5


class NoMemoryError(SparseCodeError):
    """SC_ERR_NOMEM: memory allocation failed."""
    status, code = "SC_ERR_NOMEM", 6


class NonFiniteError(SparseCodeError):
    """SC_ERR_NONFINITE: NaN or Inf in an input or a result."""
    status, code = "SC_ERR_NONFINITE", 7


class FileIOError(SparseCodeError):
    """SC_ERR_IO: a file could not be opened, read, written or renamed."""
    status, code = "SC_ERR_IO", 8


class FormatError(SparseCodeError):
    """SC_ERR_FORMAT: not a model file, or a corrupt one."""
    status, code = "SC_ERR_FORMAT", 9


class VersionError(SparseCodeError):
    """SC_ERR_VERSION: a file format this library does not read."""
    status, code = "SC_ERR_VERSION", 10


#: status number -> exception class
ERRORS = {cls.code: cls for cls in (
    NullArgumentError, SizeError, ParameterError, RangeError, StateError,
    NoMemoryError, NonFiniteError, FileIOError, FormatError, VersionError)}
assert all(STATUS[c] == cls.status for c, cls in ERRORS.items())


class UnknownStatusError(SparseCodeError):
    """A status this package does not know (a newer library)."""

    def __init__(self, code, message, function=None):
        self.code = code
        self.status = "status %d" % code
        super().__init__(message, function)


def check(status, function):
    """Raises the exception of `status` (from a call of `function`, made on
    this thread just before) unless it is SC_OK."""
    if status == 0:
        return
    message = _lib.sc_last_message().decode("utf-8", "replace")
    cls = ERRORS.get(status)
    if cls is None:
        raise UnknownStatusError(status, message, function)
    raise cls(message, function)


def call(name, *args):
    """Calls the library function `name` and raises on failure."""
    check(getattr(_lib, name)(*args), name)
