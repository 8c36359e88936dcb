# SPDX-License-Identifier: BSD-2-Clause
"""Solver: sparse coding of inputs with a fixed dictionary (sc_solver)."""
import ctypes
from dataclasses import dataclass

import numpy as np

from . import _arrays, _lib
from ._errors import call
from ._handle import AtomsHandle, ParamTable, new_handle


@dataclass(frozen=True)
class Report:
    """sc_solver_report: what a run did."""
    iterations: int
    objective: float   # mean over the batch of the final objective
    converged: bool
    gap: float         # largest relative duality gap over the batch


def _report_struct():
    r = _lib.SolverReport()
    r.size = ctypes.sizeof(_lib.SolverReport)
    return r


def _report(r):
    return Report(int(r.iterations), r.objective, bool(r.converged), r.gap)


class Solver(AtomsHandle):
    """A dictionary D (n x k) planned for sparse coding (sc_solver_create):

        min_z 1/2 |x - D z|^2 + lam |z|_1 + 1/2 l2 |z|^2 [+ group term]

    ``Solver(D, method="cd_active", lam=0.1, **params)``: the parameters by
    their names in the library's table (``lam`` stands for ``lambda``, a
    Python keyword); methods by name: "ista", "fista", "cod", "cd_active",
    "omp", "lars".  Note that the default method here is "cd_active" (the
    library's own default is "fista").  encode, encode_from, path and
    objective may run from many threads at once.
    """
    _kind = "solver"
    _free = "sc_solver_free"
    _params = ParamTable("solver")

    def __init__(self, dictionary, method="cd_active", lam=0.1, **params):
        d = _arrays.floats("dictionary", dictionary, ("n", "k"))
        n, k = d.shape
        super().__init__(new_handle("sc_solver_create", _arrays.fp(d), n, k),
                         n, k, method=method, lam=lam, **params)

    @property
    def lipschitz(self):
        """L >= lambda_max(D^T D), ISTA's and FISTA's step 1/L."""
        return _lib.sc_solver_lipschitz(self._handle)

    def encode(self, x, report=False):
        """The codes (batch x k, float32) of inputs x (batch x n), from
        z = 0 (sc_solver_run); with report=True, (codes, Report)."""
        x = self._inputs(x)
        z = np.empty((x.shape[0], self._k), dtype=np.float32)
        r = _report_struct()
        call("sc_solver_run", self._handle, _arrays.fp(x), x.shape[0],
             _arrays.fp(z), ctypes.byref(r))
        return (z, _report(r)) if report else z

    def encode_from(self, x, start, report=False):
        """As encode, started from the codes `start` (batch x k), a warm
        start (sc_solver_run_from)."""
        x = self._inputs(x)
        z0 = _arrays.floats("start", start, (x.shape[0], self._k))
        z = np.empty((x.shape[0], self._k), dtype=np.float32)
        r = _report_struct()
        call("sc_solver_run_from", self._handle, _arrays.fp(x), x.shape[0],
             _arrays.fp(z0), _arrays.fp(z), ctypes.byref(r))
        return (z, _report(r)) if report else z

    def path(self, x, max_knots=None):
        """The lasso path of one input x (n,) by LARS (sc_solver_path):
        (lambdas (knots,), codes (knots x k)), lambdas decreasing down to
        the solver's lambda.  max_knots defaults to 2 k + 2."""
        x = _arrays.floats("x", x, (self._n,))
        if max_knots is None:
            max_knots = 2 * self._k + 2
        max_knots = int(max_knots)
        if max_knots < 1:
            raise ValueError("max_knots: >= 1; got %d" % max_knots)
        lambdas = np.empty(max_knots, dtype=np.float64)
        codes = np.empty((max_knots, self._k), dtype=np.float32)
        knots = ctypes.c_size_t()
        call("sc_solver_path", self._handle, _arrays.fp(x), max_knots,
             _arrays.dp(lambdas), _arrays.fp(codes), ctypes.byref(knots))
        return lambdas[:knots.value].copy(), codes[:knots.value].copy()

    def objective(self, x, codes):
        """The mean objective of codes (batch x k) for inputs x
        (sc_solver_objective)."""
        x = self._inputs(x)
        z = _arrays.floats("codes", codes, (x.shape[0], self._k))
        value = ctypes.c_double()
        call("sc_solver_objective", self._handle, _arrays.fp(x), _arrays.fp(z),
             x.shape[0], ctypes.byref(value))
        return value.value

    def __repr__(self):
        if self.closed:
            return "<sparsecode.Solver (closed)>"
        return "<sparsecode.Solver %d x %d, %s, lambda %g>" % (
            self._n, self._k, self.get("method"), self.get("lambda"))
