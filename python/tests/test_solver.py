# SPDX-License-Identifier: BSD-2-Clause
"""Solver: the methods agree on the objective within the gap they report,
warm starts, the objective call, the LARS path and OMP's sparsity."""
import numpy as np
import pytest

import sparsecode as sc

from conftest import make_data, needs


@pytest.fixture
def problem(rng):
    d = rng.standard_normal((20, 40))
    d /= np.linalg.norm(d, axis=0)
    return d.astype(np.float32), make_data(rng, 12, 20)


def lasso_objective(d, x, z, lam):
    """The mean of 1/2 |x - D z|^2 + lam |z|_1 in double (docs/math.md S0)."""
    d, x, z = (a.astype(np.float64) for a in (d, x, z))
    r = x - z @ d.T
    return np.mean(0.5 * np.sum(r * r, axis=1) + lam * np.sum(np.abs(z), axis=1))


@pytest.mark.parametrize("method", ["fista", "cod", "ista", "lars"])
def test_methods_reach_cd_active_objective_within_the_reported_gaps(problem, method):
    d, x = problem
    lam = 0.1
    # cd_active to its default relative gap, 1e-6 (gaps below ~1e-7 are
    # float rounding, the header says)
    with sc.Solver(d, method="cd_active", lam=lam) as ref:
        z_ref, r_ref = ref.encode(x, report=True)
    if method == "lars" and "sc_solver_path" in sc._lib.MISSING:
        pytest.skip("LARS is not in %s" % sc.library_path())
    with sc.Solver(d, method=method, lam=lam, tolerance=1e-7,
                   max_iterations=200000) as s:
        z, r = s.encode(x, report=True)
    assert r_ref.converged
    # Each run's objective is within its own relative gap of the optimum
    # F*, which is at least F - gap F; so |F - F_ref| <= (gap + gap_ref) F
    # plus float rounding of the reported values (1e-6 relative).
    f, f_ref = r.objective, r_ref.objective
    assert abs(f - f_ref) <= (r.gap + r_ref.gap + 1e-6) * max(f, f_ref)
    # the report's objective is the problem's, computed here in double
    assert f == pytest.approx(lasso_objective(d, x, z, lam), rel=1e-5)


def test_objective_call_matches_the_report(problem):
    d, x = problem
    with sc.Solver(d, lam=0.2) as s:
        z, r = s.encode(x, report=True)
        assert s.objective(x, z) == pytest.approx(r.objective, rel=1e-6)
        assert s.objective(x, z) == pytest.approx(lasso_objective(d, x, z, 0.2),
                                                  rel=1e-5)


def test_warm_start_at_the_solution_stays(problem):
    d, x = problem
    with sc.Solver(d, lam=0.1) as s:
        z, r = s.encode(x, report=True)
        z2, r2 = s.encode_from(x, z, report=True)
        assert r.converged and r2.converged
        assert r2.iterations <= 1
        assert np.allclose(z2, z, atol=1e-6)


def test_nonnegative_codes(problem):
    d, x = problem
    with sc.Solver(d, lam=0.05, nonnegative=True) as s:
        assert s.get("nonnegative") == 1
        assert np.all(s.encode(x) >= 0)


def test_omp_keeps_at_most_max_nonzeros(problem):
    d, x = problem
    with sc.Solver(d, method="omp", max_nonzeros=3) as s:
        z = s.encode(x)
    assert np.all(np.count_nonzero(z, axis=1) <= 3)
    assert np.all(np.count_nonzero(z, axis=1) >= 1)


@needs("sc_solver_path")
def test_lars_path_ends_at_the_solvers_lambda_with_its_solution(problem):
    d, x = problem
    lam = 0.15
    with sc.Solver(d, method="lars", lam=lam, max_nonzeros=0) as s:
        lambdas, codes = s.path(x[0])
        z = s.encode(x[:1])
    assert np.all(np.diff(lambdas) < 0)
    assert lambdas[0] == pytest.approx(np.max(np.abs(d.T.astype(np.float64) @ x[0])),
                                       rel=1e-5)
    assert lambdas[-1] == pytest.approx(lam)
    assert codes.shape == (len(lambdas), 40)
    assert np.allclose(codes[-1], z[0], atol=1e-5)
    assert not np.any(codes[0])  # the path starts at z = 0


def test_solver_threads_give_the_same_bits(problem):
    d, x = problem
    with sc.Solver(d, method="cd_active", threads=1) as one, \
            sc.Solver(d, method="cd_active", threads=2) as two:
        assert np.array_equal(one.encode(x), two.encode(x))


def test_solver_properties(problem):
    d, x = problem
    with sc.Solver(d) as s:
        assert (s.n_inputs, s.n_atoms) == (20, 40)
        top = np.linalg.eigvalsh(d.T.astype(np.float64) @ d)[-1]
        assert top <= s.lipschitz <= 1.1 * top
        assert s.get("method") == "cd_active"
        assert s.get("lambda") == pytest.approx(0.1)
        assert "cd_active" in repr(s)
