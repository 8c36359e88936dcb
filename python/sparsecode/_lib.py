# SPDX-License-Identifier: BSD-2-Clause
"""Loading libsparsecode with ctypes, and the prototype of every function used.

The shared library is looked for, in this order:

1. the file named by the environment variable ``SPARSECODE_LIBRARY``;
2. the build tree of the checkout this package sits in: ``lib/`` next to
   ``python/`` (``make`` puts ``libsparsecode.so.0`` there);
3. the system's ``libsparsecode.so.0`` (``ctypes.util.find_library``, then
   the dynamic loader's own search, which honours ``LD_LIBRARY_PATH``).

Every function is called through ``ctypes.CDLL``, which releases the GIL
for the duration of each foreign call: Python threads run library calls in
parallel (the library's thread rules say which calls may overlap).

A function the loaded library lacks (an older library) is bound to a stub
that raises :class:`NotImplementedError` naming it, so that the rest of the
package still works.
"""
import ctypes
import ctypes.util
import os
from ctypes import (POINTER, Structure, c_char_p, c_double, c_int, c_size_t,
                    c_uint, c_uint64, c_void_p)

#: The library's major version this package was written for (its soname).
ABI_MAJOR = 0
SONAME = "libsparsecode.so.%d" % ABI_MAJOR

c_float_p = POINTER(ctypes.c_float)
c_int32_p = POINTER(ctypes.c_int32)
c_double_p = POINTER(c_double)
c_size_t_p = POINTER(c_size_t)
c_int_p = POINTER(c_int)     # the enums' storage (int with GCC and Clang)
status_t = c_int             # sc_status
enum_t = c_int               # sc_*_param, sc_weight, sc_model_contents


class ModelStats(Structure):
    """sc_model_stats, versioned by its leading size field."""
    _fields_ = [("size", c_size_t), ("loss", c_double), ("recon", c_double),
                ("l1", c_double), ("group", c_double),
                ("classification", c_double), ("regression", c_double),
                ("active_fraction", c_double), ("class_error", c_double)]


class SolverReport(Structure):
    """sc_solver_report, versioned by its leading size field."""
    _fields_ = [("size", c_size_t), ("iterations", c_uint64),
                ("objective", c_double), ("converged", c_int),
                ("gap", c_double)]


class DictionaryStats(Structure):
    """sc_dictionary_stats, versioned by its leading size field."""
    _fields_ = [("size", c_size_t), ("objective", c_double),
                ("active_fraction", c_double)]


_P = c_void_p        # an opaque handle: sc_model *, sc_solver *, sc_dictionary *
_PP = POINTER(c_void_p)

# name: (restype, argtypes)
PROTOTYPES = {
    # version, BLAS, statuses
    "sc_version": (c_uint, []),
    "sc_version_string": (c_char_p, []),
    "sc_blas_name": (c_char_p, []),
    "sc_blas_set_threads": (status_t, [c_size_t]),
    "sc_blas_threads": (c_size_t, []),
    "sc_status_string": (c_char_p, [status_t]),
    "sc_last_message": (c_char_p, []),
    # model: parameters
    "sc_model_param_bounds": (status_t, [enum_t, c_double_p, c_double_p]),
    "sc_model_param_name": (c_char_p, [enum_t]),
    "sc_model_param_from_name": (status_t, [c_char_p, c_int_p]),
    "sc_model_param_is_structural": (c_int, [enum_t]),
    "sc_model_local_units": (status_t, [c_size_t] * 6 + [c_size_t_p]),
    "sc_model_local_shape": (status_t, [_P, c_size_t_p, c_size_t_p, c_size_t_p]),
    # model: life cycle
    "sc_model_create": (status_t, [_PP, c_size_t, c_size_t]),
    "sc_model_free": (None, [_P]),
    "sc_model_message": (c_char_p, [_P]),
    "sc_model_set": (status_t, [_P, enum_t, c_double]),
    "sc_model_get": (status_t, [_P, enum_t, c_double_p]),
    "sc_model_inputs": (c_size_t, [_P]),
    "sc_model_units": (c_size_t, [_P]),
    "sc_model_is_initialized": (c_int, [_P]),
    "sc_model_init_random": (status_t, [_P, c_uint64]),
    "sc_model_init_dictionary": (status_t, [_P, c_float_p]),
    "sc_model_init_data": (status_t, [_P, c_float_p, c_size_t, c_uint64]),
    # model: training and inference
    "sc_model_step": (status_t, [_P, c_float_p, c_int32_p, c_float_p, c_size_t,
                                 POINTER(ModelStats)]),
    "sc_model_steps_taken": (c_uint64, [_P]),
    "sc_model_evaluate": (status_t, [_P, c_float_p, c_int32_p, c_float_p,
                                     c_size_t, POINTER(ModelStats)]),
    "sc_model_encode": (status_t, [_P, c_float_p, c_size_t, c_float_p]),
    "sc_model_decode": (status_t, [_P, c_float_p, c_size_t, c_float_p]),
    "sc_model_predict": (status_t, [_P, c_float_p, c_size_t, c_int32_p,
                                    c_float_p]),
    "sc_model_weights": (status_t, [_P, enum_t, POINTER(c_float_p),
                                    c_size_t_p, c_size_t_p]),
    # model: gradient interface
    "sc_model_gradient_size": (c_size_t, [_P]),
    "sc_model_gradient_block": (status_t, [_P, enum_t, c_size_t_p, c_size_t_p]),
    "sc_model_gradient_compute": (status_t, [_P, c_float_p, c_int32_p,
                                             c_float_p, c_size_t, c_float_p,
                                             POINTER(ModelStats)]),
    "sc_model_gradient_apply": (status_t, [_P, c_float_p, c_size_t]),
    # model: files and copies
    "sc_model_save": (status_t, [_P, c_char_p, enum_t]),
    "sc_model_save_buffer": (status_t, [_P, enum_t, c_void_p, c_size_t,
                                        c_size_t_p]),
    "sc_model_load": (status_t, [_PP, c_char_p]),
    "sc_model_load_buffer": (status_t, [_PP, c_void_p, c_size_t]),
    "sc_model_clone": (status_t, [_PP, _P]),
    # solver
    "sc_solver_create": (status_t, [_PP, c_float_p, c_size_t, c_size_t]),
    "sc_solver_free": (None, [_P]),
    "sc_solver_message": (c_char_p, [_P]),
    "sc_solver_set": (status_t, [_P, enum_t, c_double]),
    "sc_solver_get": (status_t, [_P, enum_t, c_double_p]),
    "sc_solver_param_bounds": (status_t, [enum_t, c_double_p, c_double_p]),
    "sc_solver_param_name": (c_char_p, [enum_t]),
    "sc_solver_param_from_name": (status_t, [c_char_p, c_int_p]),
    "sc_solver_lipschitz": (c_double, [_P]),
    "sc_solver_run": (status_t, [_P, c_float_p, c_size_t, c_float_p,
                                 POINTER(SolverReport)]),
    "sc_solver_run_from": (status_t, [_P, c_float_p, c_size_t, c_float_p,
                                      c_float_p, POINTER(SolverReport)]),
    "sc_solver_path": (status_t, [_P, c_float_p, c_size_t, c_double_p,
                                  c_float_p, c_size_t_p]),
    "sc_solver_objective": (status_t, [_P, c_float_p, c_float_p, c_size_t,
                                       c_double_p]),
    # dictionary learner
    "sc_dictionary_create": (status_t, [_PP, c_size_t, c_size_t]),
    "sc_dictionary_free": (None, [_P]),
    "sc_dictionary_message": (c_char_p, [_P]),
    "sc_dictionary_set": (status_t, [_P, enum_t, c_double]),
    "sc_dictionary_get": (status_t, [_P, enum_t, c_double_p]),
    "sc_dictionary_param_bounds": (status_t, [enum_t, c_double_p, c_double_p]),
    "sc_dictionary_param_name": (c_char_p, [enum_t]),
    "sc_dictionary_param_from_name": (status_t, [c_char_p, c_int_p]),
    "sc_dictionary_init_data": (status_t, [_P, c_float_p, c_size_t, c_uint64]),
    "sc_dictionary_init_atoms": (status_t, [_P, c_float_p]),
    "sc_dictionary_step": (status_t, [_P, c_float_p, c_size_t,
                                      POINTER(DictionaryStats)]),
    "sc_dictionary_atoms": (status_t, [_P, POINTER(c_float_p)]),
    "sc_dictionary_save": (status_t, [_P, c_char_p]),
    "sc_dictionary_load": (status_t, [_PP, c_char_p]),
    "sc_dictionary_objective": (status_t, [_P, c_float_p, c_size_t, c_double_p]),
}


def _candidates():
    """The library files to try, in the documented order, with where each
    comes from."""
    env = os.environ.get("SPARSECODE_LIBRARY")
    if env:
        # Named explicitly: no fallback that would hide a wrong path.
        return [(env, "$SPARSECODE_LIBRARY")]
    found = []
    here = os.path.dirname(os.path.abspath(__file__))
    checkout = os.path.dirname(os.path.dirname(here))  # python/sparsecode -> .
    in_tree = os.path.join(checkout, "lib", SONAME)
    if os.path.basename(os.path.dirname(here)) == "python" and \
            os.path.exists(in_tree):
        found.append((in_tree, "the checkout's build tree"))
    system = ctypes.util.find_library("sparsecode")
    if system:
        found.append((system, "the system (find_library)"))
    found.append((SONAME, "the dynamic loader's search path"))
    return found


def _load():
    errors = []
    for path, origin in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            errors.append("%s (%s): %s" % (path, origin, e))
    raise ImportError(
        "sparsecode: cannot load libsparsecode (build it with `make` in the "
        "checkout, install it, or name the file in SPARSECODE_LIBRARY):\n  "
        + "\n  ".join(errors))


class _Missing:
    """Stands for a function the loaded library does not export."""

    def __init__(self, name):
        self.__name__ = name

    def __call__(self, *args):
        raise NotImplementedError(
            "%s is not in the loaded library %s (an older libsparsecode?)"
            % (self.__name__, PATH))


def _bind(dll):
    functions = {}
    for name, (restype, argtypes) in PROTOTYPES.items():
        try:
            f = getattr(dll, name)
        except AttributeError:
            functions[name] = _Missing(name)
            continue
        f.restype = restype
        f.argtypes = argtypes
        functions[name] = f
    return functions


DLL, PATH = _load()
_functions = _bind(DLL)
MISSING = sorted(n for n, f in _functions.items() if isinstance(f, _Missing))
globals().update(_functions)

_version = _functions["sc_version"]()
if _version // 10000 != ABI_MAJOR:
    raise ImportError("sparsecode: %s is version %s; this package needs %d.x"
                      % (PATH, _functions["sc_version_string"]().decode(),
                         ABI_MAJOR))
