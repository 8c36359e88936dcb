# SPDX-License-Identifier: BSD-2-Clause
"""The binding's ctypes prototypes and structs against
include/sparsecode.h: every function's return type and each parameter's
type, every struct's fields in order with their types."""
import ctypes
import os
import re

import pytest

from sparsecode import _lib

from conftest import HEADER

pytestmark = pytest.mark.skipif(not os.path.exists(HEADER),
                                reason="not run from a checkout")

HANDLES = ("sc_model", "sc_solver", "sc_dictionary")
STRUCTS = {"sc_model_stats": _lib.ModelStats,
           "sc_solver_report": _lib.SolverReport,
           "sc_dictionary_stats": _lib.DictionaryStats}
SCALARS = {"size_t": ctypes.c_size_t, "double": ctypes.c_double,
           "uint64_t": ctypes.c_uint64, "int": ctypes.c_int,
           "unsigned": ctypes.c_uint, "int32_t": ctypes.c_int32,
           "float": ctypes.c_float}


def header_text():
    with open(HEADER) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)      # comments
    return re.sub(r"^\s*#.*$", " ", text, flags=re.M)       # directives


def ctype_of(c_type):
    """The ctypes type the binding must use for a C type (without the
    parameter's name)."""
    t = re.sub(r"\bconst\b", " ", c_type)
    stars = t.count("*")
    base = t.replace("*", " ").split()
    base = base[0] if base else "void"
    if base == "char" and stars == 1:
        return ctypes.c_char_p
    if base == "void":
        return None if stars == 0 else ctypes.c_void_p
    if base in HANDLES:
        return ctypes.c_void_p if stars == 1 else ctypes.POINTER(ctypes.c_void_p)
    if base in STRUCTS:
        t = STRUCTS[base]
    elif base in SCALARS:
        t = SCALARS[base]
    elif base.startswith("sc_"):          # an enum: sc_status, sc_*_param...
        t = ctypes.c_int
    else:
        raise AssertionError("no ctypes type for %r" % c_type)
    for _ in range(stars):
        t = ctypes.POINTER(t)
    return t


def declarations():
    """{name: (return type, [parameter types])} of every SC_API function."""
    out = {}
    pattern = r"SC_API\s+(?:SC_NODISCARD\s+)?([^;{(]*?)\b(sc_\w+)\s*\(([^)]*)\)\s*;"
    for ret, name, params in re.findall(pattern, header_text()):
        types = []
        if params.strip() != "void":
            for p in params.split(","):
                p = p.strip()
                # drop the parameter's name: the last identifier
                types.append(re.sub(r"\b\w+\s*$", "", p).strip())
        out[name] = (ret.strip(), types)
    return out


def same(a, b):
    """Equal ctypes types (POINTER types compared by what they point to)."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    pa, pb = getattr(a, "_type_", None), getattr(b, "_type_", None)
    if hasattr(a, "contents") and hasattr(b, "contents"):
        return same(pa, pb)
    return ctypes.sizeof(a) == ctypes.sizeof(b) and pa == pb


@pytest.mark.parametrize("name", sorted(_lib.PROTOTYPES))
def test_prototype_matches_the_header(name):
    decl = declarations()
    assert name in decl, "%s is not declared in the header" % name
    ret, params = decl[name]
    restype, argtypes = _lib.PROTOTYPES[name]
    assert same(restype, ctype_of(ret)), (ret, restype)
    assert len(argtypes) == len(params), params
    for c_type, given in zip(params, argtypes):
        assert same(given, ctype_of(c_type)), (c_type, given)


@pytest.mark.parametrize("struct", sorted(STRUCTS))
def test_struct_fields_match_the_header(struct):
    body = re.search(r"typedef\s+struct\s*\{([^}]*)\}\s*%s\s*;" % struct,
                     header_text()).group(1)
    fields = [re.match(r"\s*(.*?)\s*(\w+)\s*$", f).groups()
              for f in body.split(";") if f.strip()]
    ours = STRUCTS[struct]._fields_
    assert [n for _, n in fields] == [n for n, _ in ours]
    for (c_type, _), (_, given) in zip(fields, ours):
        assert same(given, ctype_of(c_type)), (struct, c_type, given)
