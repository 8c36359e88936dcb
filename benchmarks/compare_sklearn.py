#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""compare_sklearn.py -- scikit-learn's lasso_cd against libsparsecode's FISTA
(or its active-set coordinate descent), scikit-learn's OMP against
libsparsecode's, or scikit-learn's lasso_lars against libsparsecode's
LARS-lasso, on the problem that benchmarks/bench_fista.c dumps.

    build/openblas/benchmarks/bench_fista --dump /tmp/lasso.bin
    /usr/bin/python3 benchmarks/compare_sklearn.py /tmp/lasso.bin \
        [--fista-seconds T] [--n-jobs 1,2] [--repeat 3] \
        [--method fista|cd_active|omp|lars] [--against own|lasso_cd] \
        [--threads N]

--method lars --against lasso_cd times the library's LARS against
scikit-learn's lasso_cd at the smallest effort that reaches the target gap,
side by side, as for cd_active (the issue's lasso target is met by the
library's fastest lasso method on each problem).

With --method cd_active (SC_SOLVER_METHOD_CD_ACTIVE, SC_SOLVER_PARAM_THREADS = N) the
library's setting is its stopping gap, the largest of 10^-1, 10^-1.5, ...
that reaches the target (found here, as bench_lasso does), and the library
is timed through ctypes alternately with sklearn's fastest setting.

The problem is  min_z 1/2 |x - D z|^2 + lambda |z|_1  for every row x of X
(the dump holds D, X, lambda, the optimum mean objective f* that
bench_fista found and the FISTA time to reach 1e-4 of it).  This script

1. checks sklearn's scaling by comparing objectives: it runs
   sklearn.decomposition.sparse_encode(X, D.T, algorithm='lasso_cd',
   alpha=a) for a = lambda and a = lambda / n_features and computes the
   objective above for each result;
2. takes as optimum the lower of f* and a tight sklearn solution;
3. times sparse_encode at increasing max_iter (sklearn's own tol, 1e-4, is
   fixed inside sparse_encode), and, if that does not reach the target,
   the same Lasso estimator that sparse_encode builds with a tighter tol;
   the smallest setting whose mean objective is within 1e-4 (relative) of
   the optimum is sklearn's time (best of --repeat runs);
4. prints sklearn_time / fista_time.

With --method omp (SC_SOLVER_METHOD_OMP) there is no target to reach: both sides
run at the same number of non-zeros per code, the optimum's mean support
size rounded (the optimum: the library's CD_ACTIVE to a gap of 1e-9, as in
bench_lasso), scikit-learn as sparse_encode(algorithm='omp',
n_nonzero_coefs=s) with the Gram matrix precomputed (orthogonal_mp_gram
underneath; X D is computed in the call, as in the library's run); the
script prints both lasso objectives, the share of codes whose supports
agree, and the two times, alternating, best of 5.

With --method lars (SC_SOLVER_METHOD_LARS) there is no target either: both
sides compute the exact lasso solution at lambda by the homotopy,
scikit-learn as sparse_encode(algorithm='lasso_lars', alpha=a) with the
Gram matrix precomputed (LassoLars(alpha=a / n_features, fit_path=False,
precompute=gram) underneath, which minimises the objective above divided
by n_features: a = lambda; the script checks it against lambda /
n_features as for lasso_cd), the library with SC_SOLVER_PARAM_MAX_NONZEROS 0
(no limit); the script prints both mean objectives, their gap to the
optimum (the library's CD_ACTIVE to a gap of 1e-9), the largest
difference between the codes, and the two times, alternating, best of 5,
for each --n-jobs value.

Needs numpy and scikit-learn (Debian: apt-get install python3-sklearn
python3-numpy).  Not part of `make bench`, which runs only C programs.
"""
import argparse
import ctypes
import os
import struct
import sys
import time
import warnings

# Short max_iter settings are meant not to converge: no ConvergenceWarning,
# here or in sparse_encode's worker processes (n_jobs > 1).
os.environ["PYTHONWARNINGS"] = "ignore"
warnings.filterwarnings("ignore")

try:
    import numpy as np
    import sklearn
    from sklearn.decomposition import sparse_encode
    from sklearn.linear_model import Lasso
except ImportError as e:  # pragma: no cover
    sys.exit("compare_sklearn: %s (install python3-numpy and python3-sklearn, "
             "and run Debian's /usr/bin/python3)" % e)

TARGET = 1e-4
MAX_ITERS = (1, 2, 3, 5, 7, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100, 120,
             150, 200, 300, 500, 1000)
HEADER = struct.Struct("<8sIIIIdddQ")


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < HEADER.size:
        sys.exit("compare_sklearn: %s: truncated header" % path)
    magic, n, k, batch, flags, lam, opt, fista_s, fista_it = HEADER.unpack_from(raw)
    if magic != b"SCLASSO1":
        sys.exit("compare_sklearn: %s: not a bench_fista dump" % path)
    need = HEADER.size + 4 * (n * k + batch * n)
    if len(raw) != need:
        sys.exit("compare_sklearn: %s: %d bytes, expected %d" % (path, len(raw), need))
    off = HEADER.size
    d = np.frombuffer(raw, dtype="<f4", count=n * k, offset=off).reshape(n, k)
    off += 4 * n * k
    x = np.frombuffer(raw, dtype="<f4", count=batch * n, offset=off).reshape(batch, n)
    return dict(n=n, k=k, batch=batch, nonneg=bool(flags & 1), lam=lam,
                opt=opt, fista_s=fista_s, fista_it=fista_it,
                D=d.astype(np.float64), X=x.astype(np.float64))


def objective(p, z):
    """Mean over the batch of 1/2 |x - D z|^2 + lambda |z|_1."""
    r = p["X"] - z @ p["D"].T
    return float(np.mean(0.5 * np.sum(r * r, axis=1) + p["lam"] * np.sum(np.abs(z), axis=1)))


def encode_sparse_encode(p, alpha, max_iter, n_jobs):
    return sparse_encode(p["X"], p["Dt"], gram=p["gram"], algorithm="lasso_cd",
                         alpha=alpha, max_iter=max_iter, n_jobs=n_jobs,
                         positive=p["nonneg"])


def encode_lasso(p, alpha, max_iter, tol):
    """What sparse_encode(algorithm='lasso_cd') runs (sklearn 1.2,
    decomposition/_dict_learning.py, _sparse_encode), with tol exposed:
    Lasso(alpha=alpha / n_features, fit_intercept=False, precompute=gram,
    max_iter, warm_start=True).fit(D, X.T)."""
    clf = Lasso(alpha=alpha / p["n"], fit_intercept=False, precompute=p["gram"],
                max_iter=max_iter, warm_start=True, tol=tol,
                positive=p["nonneg"])
    clf.fit(p["D"], p["X"].T)
    return clf.coef_


class Fista:
    """libsparsecode's FISTA (or another method) through ctypes, to time it
    again next to sklearn (the machine's speed drifts; alternating the two
    keeps the ratio fair)."""

    SC_SOLVER_PARAM_METHOD, SC_SOLVER_PARAM_LAMBDA, SC_SOLVER_PARAM_MAX_ITERATIONS, SC_SOLVER_PARAM_TOLERANCE = 1, 2, 4, 5
    SC_SOLVER_PARAM_NONNEGATIVE, SC_SOLVER_PARAM_THREADS, SC_SOLVER_PARAM_MAX_NONZEROS = 3, 16, 17
    METHODS = {"fista": 1, "cd_active": 3, "omp": 4, "lars": 5}

    def __init__(self, path, p, method="fista", threads=1):
        self.lib = ctypes.CDLL(path)
        L = self.lib
        L.sc_solver_create.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p,
                                       ctypes.c_size_t, ctypes.c_size_t]
        L.sc_solver_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_double]
        L.sc_solver_run.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                    ctypes.c_void_p, ctypes.c_void_p]
        L.sc_solver_free.argtypes = [ctypes.c_void_p]
        L.sc_last_message.restype = ctypes.c_char_p
        L.sc_blas_name.restype = ctypes.c_char_p
        self.d = np.ascontiguousarray(p["D"], dtype=np.float32)
        self.x = np.ascontiguousarray(p["X"], dtype=np.float32)
        self.z = np.zeros((p["batch"], p["k"]), dtype=np.float32)
        self.solver = ctypes.c_void_p()
        self.check(L.sc_solver_create(ctypes.byref(self.solver), self.d.ctypes.data,
                                      p["n"], p["k"]))
        for param, value in ((self.SC_SOLVER_PARAM_METHOD, self.METHODS[method]),
                             (self.SC_SOLVER_PARAM_LAMBDA, p["lam"]),
                             (self.SC_SOLVER_PARAM_NONNEGATIVE, int(p["nonneg"])),
                             (self.SC_SOLVER_PARAM_TOLERANCE, 0),
                             (self.SC_SOLVER_PARAM_MAX_ITERATIONS, p["fista_it"])):
            self.check(L.sc_solver_set(self.solver, param, float(value)))
        if method != "fista":
            self.check(L.sc_solver_set(self.solver, self.SC_SOLVER_PARAM_THREADS, float(threads)))
            self.check(L.sc_solver_set(self.solver, self.SC_SOLVER_PARAM_MAX_ITERATIONS, 1e5))
        if method == "lars":
            self.set_nonzeros(0)
        self.batch = p["batch"]

    def set_nonzeros(self, count):
        self.check(self.lib.sc_solver_set(self.solver, self.SC_SOLVER_PARAM_MAX_NONZEROS,
                                          float(count)))

    def set_tolerance(self, tol):
        self.check(self.lib.sc_solver_set(self.solver, self.SC_SOLVER_PARAM_TOLERANCE, float(tol)))

    def check(self, status):
        if status != 0:
            sys.exit("compare_sklearn: libsparsecode: status %d: %s"
                     % (status, self.lib.sc_last_message().decode()))

    def __call__(self):
        self.check(self.lib.sc_solver_run(self.solver, self.x.ctypes.data, self.batch,
                                          self.z.ctypes.data, None))
        return self.z.astype(np.float64)


def find_library():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.normpath(os.path.join(here, os.pardir, "lib", "libsparsecode.so"))
    return path if os.path.exists(path) else None


def timed(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def timed_cpu(fn):
    """Wall time, and this process's CPU time (all its threads), of one call;
    on a machine shared with other work the wall time includes waiting for
    a core, the CPU time does not (sklearn's n_jobs > 1 workers are other
    processes: their CPU time is not counted)."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def compare_omp(a, p):
    """--method omp: both OMPs at the optimum's mean support size."""
    if a.lib in (None, "none"):
        sys.exit("compare_sklearn: --method omp needs the library (--lib)")
    if p["nonneg"]:
        sys.exit("compare_sklearn: the library's OMP does not take z >= 0")
    best = Fista(a.lib, p, "cd_active", a.threads)
    best.set_tolerance(1e-9)
    z_opt = best()
    support = np.count_nonzero(z_opt) / p["batch"]
    s = max(1, int(round(support)))
    print("optimum: f* = %.9f (CD_ACTIVE to gap 1e-9), %.2f non-zeros per code; "
          "OMP at %d" % (objective(p, z_opt), support, s))
    omp = Fista(a.lib, p, "omp", a.threads)
    omp.set_nonzeros(s)
    jobs = [int(j) for j in a.n_jobs.split(",")]

    def sk(j):
        return sparse_encode(p["X"], p["Dt"], gram=p["gram"], algorithm="omp",
                             n_nonzero_coefs=s, n_jobs=j)

    times = {}
    for j in jobs:
        sk(j)  # warm up (worker start-up)
        times[j] = timed(lambda: sk(j), a.repeat)[0]
        print("  sparse_encode(omp) n_jobs=%d: %.4f s" % (j, times[j]))
    j = min(times, key=times.get)
    z_sk, z_lib = sk(j), omp()
    same = np.mean(np.all((z_sk != 0) == (z_lib != 0), axis=1))
    res = lambda z: float(np.mean(np.sum((p["X"] - z @ p["D"].T) ** 2, axis=1)))
    print("objective (lasso, lambda %g): library %.9f, sklearn %.9f; mean |x - Dz|^2: "
          "library %.9f, sklearn %.9f; same support in %.1f %% of the codes"
          % (p["lam"], objective(p, z_lib), objective(p, z_sk), res(z_lib), res(z_sk),
             100 * same))
    lib_best = sk_best = lib_cpu = sk_cpu = float("inf")
    for _ in range(max(5, a.repeat)):
        t, c, _ = timed_cpu(omp)
        lib_best, lib_cpu = min(lib_best, t), min(lib_cpu, c)
        t, c, _ = timed_cpu(lambda: sk(j))
        sk_best, sk_cpu = min(sk_best, t), min(sk_cpu, c)
    print("omp through %s (%s), %d non-zeros, %d threads, alternating with "
          "sparse_encode(omp, n_jobs=%d):" % (a.lib, omp.lib.sc_blas_name().decode(), s,
                                              a.threads, j))
    print("  omp %.4f s, sklearn %.4f s (best of %d each)"
          % (lib_best, sk_best, max(5, a.repeat)))
    print("  CPU time: omp %.4f s, sklearn %.4f s (least of each); ratio %.2f"
          % (lib_cpu, sk_cpu, sk_cpu / lib_cpu))
    print("sklearn_seconds=%.6f" % sk_best)
    print("omp_seconds=%.6f" % lib_best)
    print("ratio sklearn_time / omp_time = %.2f (target >= 10: %s)"
          % (sk_best / lib_best, "met" if sk_best / lib_best >= 10 else "NOT met"))


def compare_lars(a, p):
    """--method lars: both homotopies to the exact solution at lambda."""
    if a.lib in (None, "none"):
        sys.exit("compare_sklearn: --method lars needs the library (--lib)")
    best = Fista(a.lib, p, "cd_active", a.threads)
    best.set_tolerance(1e-9)
    opt = objective(p, best())
    gap = lambda z: (objective(p, z) - opt) / abs(opt)
    print("optimum: f* = %.9f (CD_ACTIVE to gap 1e-9)" % opt)

    def sk(alpha, j):
        return sparse_encode(p["X"], p["Dt"], gram=p["gram"], algorithm="lasso_lars",
                             alpha=alpha, n_jobs=j, positive=p["nonneg"])

    lam, n = p["lam"], p["n"]
    g_lam, g_lam_n = gap(sk(lam, 1)), gap(sk(lam / n, 1))
    alpha = lam if abs(g_lam) <= abs(g_lam_n) else lam / n
    print("scaling: sparse_encode(lasso_lars, alpha=lambda) gap %.2e; alpha=lambda/n_features "
          "gap %.2e: using alpha = %s" % (g_lam, g_lam_n,
                                          "lambda" if alpha == lam else "lambda / n_features"))
    lars = Fista(a.lib, p, "lars", a.threads)
    z_lib = lars()
    z_sk = sk(alpha, 1)
    print("objective: library %.9f (gap %.2e), sklearn %.9f (gap %.2e); max |z_lib - z_sk| %.2e; "
          "%.2f non-zeros per code" % (objective(p, z_lib), gap(z_lib), objective(p, z_sk),
                                       gap(z_sk), np.max(np.abs(z_lib - z_sk)),
                                       np.count_nonzero(z_lib) / p["batch"]))
    rows = []
    for j in [int(j) for j in a.n_jobs.split(",")]:
        sk(alpha, j)  # warm up (worker start-up)
        lib_best = sk_best = lib_cpu = sk_cpu = float("inf")
        for _ in range(max(5, a.repeat)):
            t, c, _ = timed_cpu(lars)
            lib_best, lib_cpu = min(lib_best, t), min(lib_cpu, c)
            t, c, _ = timed_cpu(lambda: sk(alpha, j))
            sk_best, sk_cpu = min(sk_best, t), min(sk_cpu, c)
        print("  lars (%d threads) %.4f s (CPU %.4f s), sparse_encode(lasso_lars, n_jobs=%d) "
              "%.4f s (CPU %.4f s): ratio %.1f" % (a.threads, lib_best, lib_cpu, j, sk_best,
                                                   sk_cpu, sk_best / lib_best))
        rows.append((sk_best, j, lib_best))
    sk_s, j, _ = min(rows)
    lib_s = min(r[2] for r in rows)
    print("lars through %s (%s), %d threads (its best of all rounds), against "
          "sklearn's fastest (n_jobs=%d):"
          % (a.lib, lars.lib.sc_blas_name().decode(), a.threads, j))
    print("sklearn_seconds=%.6f" % sk_s)
    print("lars_seconds=%.6f" % lib_s)
    print("ratio sklearn_time / lars_time = %.2f (target >= 20: %s)"
          % (sk_s / lib_s, "met" if sk_s / lib_s >= 20 else "NOT met"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dump")
    ap.add_argument("--fista-seconds", type=float, default=None,
                    help="FISTA's time (default: the one in the dump)")
    ap.add_argument("--n-jobs", default="1,2",
                    help="sparse_encode n_jobs values to try (default 1,2)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lib", default=find_library(),
                    help="libsparsecode.so to time FISTA again, alternating with "
                    "sklearn (default: the in-tree lib/libsparsecode.so; "
                    "'none' to use the dump's time)")
    ap.add_argument("--method", default="fista", choices=sorted(Fista.METHODS),
                    help="the library's method timed against sklearn (default fista)")
    ap.add_argument("--against", default="own", choices=("own", "lasso_cd"),
                    help="--method lars: scikit-learn's lasso_lars (own, the "
                    "default) or lasso_cd at the smallest effort that reaches "
                    "the target gap (the issue's lasso target, side by side)")
    ap.add_argument("--threads", type=int, default=1,
                    help="SC_SOLVER_PARAM_THREADS for --method cd_active, omp or lars "
                    "(default 1)")
    a = ap.parse_args()

    p = load(a.dump)
    p["Dt"] = np.ascontiguousarray(p["D"].T)          # sklearn's dictionary
    p["gram"] = p["Dt"] @ p["Dt"].T                 # precomputed, as FISTA's plan
    lam, n = p["lam"], p["n"]
    if a.method == "omp" or (a.method == "lars" and a.against == "own"):
        print("problem: %s: batch %d, n %d, k %d, lambda %g; sklearn %s, numpy %s"
              % (a.dump, p["batch"], n, p["k"], lam, sklearn.__version__, np.__version__))
        (compare_omp if a.method == "omp" else compare_lars)(a, p)
        return
    fista_s = a.fista_seconds if a.fista_seconds is not None else p["fista_s"]
    print("problem: %s: batch %d, n %d, k %d, lambda %g; sklearn %s, numpy %s"
          % (a.dump, p["batch"], n, p["k"], lam, sklearn.__version__, np.__version__))
    print("bench_fista: f* = %.9f, FISTA %d iterations in %.4f s"
          % (p["opt"], p["fista_it"], fista_s))

    # 1. Scaling.
    f_lam = objective(p, encode_sparse_encode(p, lam, 1000, 1))
    f_lam_n = objective(p, encode_sparse_encode(p, lam / n, 1000, 1))
    print("scaling: sparse_encode(alpha=lambda) gives objective %.9f (gap %.2e); "
          "alpha=lambda/n_features gives %.9f (gap %.2e)"
          % (f_lam, (f_lam - p["opt"]) / p["opt"], f_lam_n, (f_lam_n - p["opt"]) / p["opt"]))
    alpha = lam if abs(f_lam - p["opt"]) <= abs(f_lam_n - p["opt"]) else lam / n
    print("scaling: using alpha = %s (sparse_encode divides alpha by n_features "
          "itself in this sklearn)" % ("lambda" if alpha == lam else "lambda / n_features"))

    # 2. The optimum.
    f_tight = objective(p, encode_lasso(p, alpha, 100000, 1e-12))
    opt = min(p["opt"], f_tight)
    print("optimum: f* = %.9f (bench_fista %.9f, sklearn tol 1e-12 %.9f)"
          % (opt, p["opt"], f_tight))
    gap = lambda z: (objective(p, z) - opt) / abs(opt)

    # 3. Timing to the target.
    results = []
    for jobs in [int(j) for j in a.n_jobs.split(",")]:
        encode_sparse_encode(p, alpha, 10, jobs)  # warm up (worker start-up)
        found = None
        for max_iter in MAX_ITERS:
            t, z = timed(lambda: encode_sparse_encode(p, alpha, max_iter, jobs), a.repeat)
            g = gap(z)
            print("  sparse_encode n_jobs=%d max_iter=%-5d gap %.2e  %.4f s" % (jobs, max_iter, g, t))
            if g <= TARGET:
                found = ("sparse_encode(lasso_cd, max_iter=%d, n_jobs=%d)" % (max_iter, jobs), t,
                         lambda m=max_iter, j=jobs: encode_sparse_encode(p, alpha, m, j))
                break
        if found is None:
            for tol in (1e-5, 1e-6, 1e-7, 1e-8):
                t, z = timed(lambda: encode_lasso(p, alpha, 100000, tol), a.repeat)
                g = gap(z)
                print("  Lasso tol=%.0e gap %.2e  %.4f s" % (tol, g, t))
                if g <= TARGET:
                    found = ("Lasso as in sparse_encode, tol=%.0e, 1 job" % tol, t,
                             lambda tl=tol: encode_lasso(p, alpha, 100000, tl))
                    break
        if found is not None:
            results.append(found)
    if not results:
        sys.exit("compare_sklearn: sklearn never reached the target")
    setting, sk_s, sk_fn = min(results, key=lambda r: r[1])
    print("sklearn: fastest to gap <= %g: %s: %.4f s" % (TARGET, setting, sk_s))

    # 4. FISTA (or the chosen method) again, alternating with that sklearn
    # setting.
    if a.method != "fista" and a.lib in (None, "none"):
        sys.exit("compare_sklearn: --method %s needs the library (--lib)" % a.method)
    if a.fista_seconds is None and a.lib not in (None, "none"):
        fista = Fista(a.lib, p, a.method, a.threads)
        if a.method == "fista":
            print("FISTA again through %s (%s), %d iterations, alternating with sklearn:"
                  % (a.lib, fista.lib.sc_blas_name().decode(), p["fista_it"]))
        else:
            for e in range(2, 13):
                tol = 10.0 ** (-0.5 * e)
                fista.set_tolerance(tol)
                g = gap(fista())
                print("  %s tolerance %.2e: gap %.2e" % (a.method, tol, g))
                if g <= TARGET:
                    break
            print("%s through %s (%s), tolerance %.2e, %d threads, alternating with sklearn:"
                  % (a.method, a.lib, fista.lib.sc_blas_name().decode(), tol, a.threads))
        fista_best = sk_best = fista_cpu = sk_cpu = float("inf")
        for _ in range(max(5, a.repeat)):
            t, c, z = timed_cpu(fista)
            fista_best, fista_cpu = min(fista_best, t), min(fista_cpu, c)
            t, c, _ = timed_cpu(sk_fn)
            sk_best, sk_cpu = min(sk_best, t), min(sk_cpu, c)
        print("  %s %.4f s (gap %.2e), sklearn %.4f s (best of %d each)"
              % (a.method, fista_best, gap(z), sk_best, max(5, a.repeat)))
        print("  CPU time: %s %.4f s, sklearn %.4f s (least of each); ratio %.2f"
              % (a.method, fista_cpu, sk_cpu, sk_cpu / fista_cpu))
        fista_s, sk_s = fista_best, sk_best
    print("sklearn_seconds=%.6f" % sk_s)
    print("%s_seconds=%.6f" % (a.method, fista_s))
    print("ratio sklearn_time / %s_time = %.2f (target >= 10: %s)"
          % (a.method, sk_s / fista_s, "met" if sk_s / fista_s >= 10 else "NOT met"))


if __name__ == "__main__":
    main()
