# SPDX-License-Identifier: BSD-2-Clause
"""The checks of every array argument, made before any C call.

Policy (docs/python.md):
- floating arrays: float32 is used as it is; float64 is converted (a
  copy); any other dtype (integers, float16, complex, objects) is refused;
- integer labels: any integer dtype, converted to int32 when it is not
  (values outside int32 refused); other dtypes refused;
- layout: an array that is not C-contiguous (a transposed or strided
  view) is copied to a C-contiguous one, never refused;
- the number of dimensions and every size are checked against the handle;
  a batch of 0 samples is refused.
Every refusal is a ValueError naming the argument and the shape expected.
"""
import numpy as np

from . import _lib


def _shape_text(shape):
    return "(" + ", ".join(str(s) for s in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _as_array(name, a):
    if isinstance(a, np.ndarray):
        return a
    try:
        return np.asarray(a)
    except Exception as e:  # ragged lists and the like
        raise ValueError("%s: not convertible to an array (%s)" % (name, e))


def floats(name, a, shape):
    """`a` as a C-contiguous float32 array of `shape`, whose entries are
    sizes or, for a size that may be anything >= 1, its name (e.g.
    ("batch", 64))."""
    a = _as_array(name, a)
    expected = _shape_text(shape)
    if a.dtype == np.float64:
        a = a.astype(np.float32)
    elif a.dtype != np.float32:
        raise ValueError("%s: dtype %s refused: give float32 (or float64, "
                         "converted with a copy), shape %s"
                         % (name, a.dtype, expected))
    if a.ndim != len(shape):
        raise ValueError("%s: expected a %d-D array of shape %s, got shape %s"
                         % (name, len(shape), expected, _shape_text(a.shape)))
    for got, want in zip(a.shape, shape):
        if got < 1 or (isinstance(want, int) and got != want):
            raise ValueError("%s: expected shape %s, got %s"
                             % (name, expected, _shape_text(a.shape)))
    return np.ascontiguousarray(a)


def labels(name, a, batch):
    """`a` as a C-contiguous int32 vector of `batch` labels."""
    a = _as_array(name, a)
    expected = _shape_text((batch,))
    if a.dtype.kind not in "iu":
        raise ValueError("%s: dtype %s refused: give integer labels "
                         "(converted to int32), shape %s"
                         % (name, a.dtype, expected))
    if a.shape != (batch,):
        raise ValueError("%s: expected shape %s (one label per sample), got %s"
                         % (name, expected, _shape_text(a.shape)))
    if a.dtype != np.int32:
        info = np.iinfo(np.int32)
        if a.size and (a.min() < info.min or a.max() > info.max):
            raise ValueError("%s: labels outside the int32 range" % name)
        a = a.astype(np.int32)
    return np.ascontiguousarray(a)


def fp(a):
    """A float * to a checked float32 array (None -> NULL)."""
    if a is None:
        return None
    return a.ctypes.data_as(_lib.c_float_p)


def ip(a):
    """An int32_t * to a checked int32 array (None -> NULL)."""
    if a is None:
        return None
    return a.ctypes.data_as(_lib.c_int32_p)


def dp(a):
    """A double * to a float64 array."""
    return a.ctypes.data_as(_lib.c_double_p)


def copy_of(pointer, shape):
    """A read-only numpy copy of `shape` floats at a library pointer."""
    out = np.ctypeslib.as_array(pointer, shape=shape).copy()
    out.setflags(write=False)
    return out
