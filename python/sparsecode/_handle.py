# SPDX-License-Identifier: BSD-2-Clause
"""What every handle (model, solver, dictionary learner) shares: its
pointer, its deterministic release and its parameters by name."""
import ctypes

from . import _arrays, _lib
from ._enums import ENUM_PARAMS
from ._errors import call


class ParamTable:
    """The parameter names of one kind of handle, from the library's own
    table (sc_<kind>_param_name / _from_name / _bounds)."""

    def __init__(self, kind):
        self.kind = kind
        self._name_of = getattr(_lib, "sc_%s_param_name" % kind)
        self._from_name = "sc_%s_param_from_name" % kind
        self._bounds = "sc_%s_param_bounds" % kind
        self.enums = ENUM_PARAMS[kind]
        self._ids = {}

    def id(self, name):
        """The id of the parameter `name` (raises ParameterError with the
        library's message for an unknown name)."""
        if name not in self._ids:
            if not isinstance(name, str):
                raise TypeError("parameter names are strings, not %r" % name)
            value = ctypes.c_int()
            call(self._from_name, name.encode(), ctypes.byref(value))
            self._ids[name] = value.value
        return self._ids[name]

    def names(self):
        """Every parameter's name, in the order of the ids (the library's
        ids are small: its tables span 1..63)."""
        out = []
        for i in range(256):
            n = self._name_of(i)
            if n is not None:
                out.append(n.decode())
        return out

    def bounds(self, name):
        lo, hi = ctypes.c_double(), ctypes.c_double()
        call(self._bounds, self.id(name), ctypes.byref(lo), ctypes.byref(hi))
        return lo.value, hi.value

    def value(self, name, value):
        """The double the library takes for `value` (an enum parameter may be
        given by its name, e.g. shrink="soft"; booleans become 0/1)."""
        table = self.enums.get(name)
        if isinstance(value, str):
            if table is None:
                raise ValueError("%s: a number is expected, not %r"
                                 % (name, value))
            if value not in table:
                raise ValueError("%s: %r is not one of %s"
                                 % (name, value, ", ".join(sorted(table))))
            return float(table[value])
        if isinstance(value, bool):
            return 1.0 if value else 0.0
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError("%s: a number is expected, not %r"
                             % (name, value)) from None

    def display(self, name, value):
        """A value as get() returns it: the name for an enum parameter,
        else the float the library holds."""
        for key, v in self.enums.get(name, {}).items():
            if v == value:
                return key
        return value


class Handle:
    """A library handle, released by close(), by a `with` block's end, or
    when the object is garbage-collected."""
    _kind = None       # "model", "solver", "dictionary"
    _free = None       # the name of the sc_*_free function
    _params = None     # the ParamTable of the kind

    def __init__(self, pointer, **params):
        """Takes a new handle (a ctypes.c_void_p) and sets `params` on it by
        name; a refused parameter releases the handle and raises."""
        self._ptr = pointer
        try:
            self.set(**params)
        except BaseException:
            self.close()
            raise

    @property
    def _handle(self):
        p = getattr(self, "_ptr", None)
        if p is None or not p.value:
            raise ValueError("this %s is closed" % self._kind)
        return p

    @property
    def closed(self):
        p = getattr(self, "_ptr", None)
        return p is None or not p.value

    def close(self):
        """Releases the library's handle now (idempotent).  The object must
        not be used by another thread at the same time."""
        p = getattr(self, "_ptr", None)
        if p is not None and p.value:
            self._ptr = None
            getattr(_lib, self._free)(p)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: the module may be gone
            pass

    # parameters by name
    def set(self, **params):
        """Sets parameters by their names in the library's table, in the
        order given; stops at the first the library refuses."""
        h = self._handle
        setter = "sc_%s_set" % self._kind
        for name, value in params.items():
            name = _ALIASES.get(name, name)
            call(setter, h, self._params.id(name),
                 self._params.value(name, value))

    def get(self, name):
        """The current value of the parameter `name`: its name for an
        enum-valued parameter (e.g. "soft"), else a float."""
        name = _ALIASES.get(name, name)
        value = ctypes.c_double()
        call("sc_%s_get" % self._kind, self._handle, self._params.id(name),
             ctypes.byref(value))
        return self._params.display(name, value.value)

    def params(self):
        """Every parameter's current value, by name."""
        return {name: self.get(name) for name in self._params.names()}

    @classmethod
    def param_names(cls):
        """The names of this kind's parameters, from the library."""
        return cls._params.names()

    @classmethod
    def param_bounds(cls, name):
        """(lo, hi), the inclusive range of the parameter `name`."""
        return cls._params.bounds(_ALIASES.get(name, name))


class AtomsHandle(Handle):
    """A handle on n x k atoms (Solver, DictionaryLearner): their shape,
    and the check of a batch of inputs against it."""

    def __init__(self, pointer, n_inputs, n_atoms, **params):
        self._n, self._k = n_inputs, n_atoms
        super().__init__(pointer, **params)

    @property
    def n_inputs(self):
        return self._n

    @property
    def n_atoms(self):
        return self._k

    def _inputs(self, x):
        return _arrays.floats("x", x, ("batch", self._n))


# `lambda` is a Python keyword: lam=0.1 stands for it.
_ALIASES = {"lam": "lambda"}


def new_handle(create, *args):
    """Calls sc_*_create(&out, *args) or another constructor of that shape
    and returns the new pointer."""
    out = ctypes.c_void_p()
    call(create, ctypes.byref(out), *args)
    return out
