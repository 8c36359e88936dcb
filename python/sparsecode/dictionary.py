# SPDX-License-Identifier: BSD-2-Clause
"""DictionaryLearner: learning D for sparse coding (sc_dictionary)."""
import ctypes
import os
import struct
from dataclasses import dataclass

from . import _arrays, _lib
from ._errors import call
from ._handle import AtomsHandle, ParamTable, new_handle


@dataclass(frozen=True)
class DictionaryStats:
    """sc_dictionary_stats: one step's figures."""
    objective: float        # mean objective of the batch before the update
    active_fraction: float  # fraction of non-zero code entries


class DictionaryLearner(AtomsHandle):
    """Learns D (n x k, unit-norm columns) from minibatches
    (sc_dictionary_create), with parameters by name (``lam`` for
    ``lambda``; method "online" or "sgd"; solver_method a lasso method by
    name).  Initialise with init_data or init_atoms, then step."""
    _kind = "dictionary"
    _free = "sc_dictionary_free"
    _params = ParamTable("dictionary")

    def __init__(self, n_inputs, n_atoms, **params):
        n, k = int(n_inputs), int(n_atoms)
        super().__init__(new_handle("sc_dictionary_create", n, k), n, k,
                         **params)

    def init_data(self, x, seed=0):
        """Atoms = k samples of x (count x n) chosen by `seed`
        (sc_dictionary_init_data)."""
        x = self._inputs(x)
        call("sc_dictionary_init_data", self._handle, _arrays.fp(x),
             x.shape[0], int(seed))

    def init_atoms(self, atoms):
        """Starts from a given D (n x k), columns scaled to unit norm
        (sc_dictionary_init_atoms)."""
        d = _arrays.floats("atoms", atoms, (self._n, self._k))
        call("sc_dictionary_init_atoms", self._handle, _arrays.fp(d))

    def step(self, x):
        """One minibatch update (sc_dictionary_step)."""
        x = self._inputs(x)
        s = _lib.DictionaryStats()
        s.size = ctypes.sizeof(_lib.DictionaryStats)
        call("sc_dictionary_step", self._handle, _arrays.fp(x), x.shape[0],
             ctypes.byref(s))
        return DictionaryStats(s.objective, s.active_fraction)

    @property
    def atoms(self):
        """A read-only copy of D (n x k) (sc_dictionary_atoms)."""
        data = _lib.c_float_p()
        call("sc_dictionary_atoms", self._handle, ctypes.byref(data))
        return _arrays.copy_of(data, (self._n, self._k))

    def objective(self, x):
        """Mean objective of a batch, codes by FISTA to the learner's
        tolerance (sc_dictionary_objective)."""
        x = self._inputs(x)
        value = ctypes.c_double()
        call("sc_dictionary_objective", self._handle, _arrays.fp(x),
             x.shape[0], ctypes.byref(value))
        return value.value

    def save(self, path):
        """Writes the learner (settings, D, statistics) atomically
        (sc_dictionary_save)."""
        call("sc_dictionary_save", self._handle, os.fsencode(path))

    @classmethod
    def load(cls, path):
        """A learner read from `path` (sc_dictionary_load)."""
        p = new_handle("sc_dictionary_load", os.fsencode(path))
        try:
            n, k = _file_sizes(path)
        except BaseException:
            _lib.sc_dictionary_free(p)
            raise
        self = cls.__new__(cls)
        AtomsHandle.__init__(self, p, n, k)
        return self

    def __repr__(self):
        if self.closed:
            return "<sparsecode.DictionaryLearner (closed)>"
        return "<sparsecode.DictionaryLearner %d x %d>" % (self._n, self._k)


def _file_sizes(path):
    """n and k of a dictionary file the library has just loaded.

    The C API has no getter for a learner's sizes, so they are read from
    the file's header as docs/file-format.md lays it out ("Dictionary
    files": magic "SCDICT\\0\\0", u32 version, u64 n, u64 k, little-endian).
    """
    with open(path, "rb") as f:
        head = f.read(28)
    if len(head) != 28 or head[:8] != b"SCDICT\0\0":
        raise ValueError("%s: not a dictionary file's header" % path)
    return (struct.unpack_from("<Q", head, 12)[0],
            struct.unpack_from("<Q", head, 20)[0])
