/* SPDX-License-Identifier: BSD-2-Clause */
/* check_lars.c -- SC_SOLVER_METHOD_LARS and sc_solver_path (src/lars.c,
 * docs/math.md (S9)).
 *
 * References, computed here in double from the float data the solver
 * was given:
 *   - the optimality (KKT) conditions of the problem as posed (D and x)
 *     at the returned codes, within the rounding bound of kkt_slack();
 *   - the exact solution by enumeration of every support and sign
 *     pattern (k <= 5), on the float problem that the homotopy follows
 *     (the solver's G and the c = D^T x of sc_gemm, as sc_solver_run
 *     computes them): the path's knots, and its linear interpolation
 *     between them, against it;
 *   - CD_ACTIVE at a tight tolerance; the closed form of the elastic
 *     net on an orthonormal dictionary;
 *   - bits across thread counts, the stops (MAX_NONZEROS,
 *     MAX_ITERATIONS), degenerate dictionaries, and every error status.
 * Set SC_TEST_MEASURE=1 to print the measured ratios behind the
 * tolerances.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"     /* sc_gemm: c = D^T x as the solver computes it */
#include "solver.h"   /* the solver's float Gram matrix */
#include "suites.h"
#include "testutil.h"

#define MAXN 24
#define MAXK 48
#define UNIT_ROUNDOFF (1.0 / 16777216.0)   /* float: 2^-24 */

static void report_measure(const char *what, double value)
{
    if (getenv("SC_TEST_MEASURE") != NULL)
        fprintf(stderr, "measure: %s = %.6g\n", what, value);
}

/* An n x k dictionary of unit-norm atoms: entries uniform in [-1, 1),
 * plus `common` times one direction shared by every atom (common = 2
 * makes the atoms coherent: cosines around 0.8). */
static void make_dictionary(float *d, size_t n, size_t k, uint64_t seed,
                            double common)
{
    float raw[MAXN * MAXK], shared[MAXN];
    ck_assert(n <= MAXN && k <= MAXK);
    tu_fill(raw, n * k, seed, -1.0f, 1.0f);
    tu_fill(shared, n, seed + 1, -1.0f, 1.0f);
    for (size_t j = 0; j < k; j++) {
        double norm = 0.0;
        for (size_t i = 0; i < n; i++) {
            double v = raw[i * k + j] + common * shared[i];
            norm += v * v;
        }
        for (size_t i = 0; i < n; i++)
            d[i * k + j] =
                (float)((raw[i * k + j] + common * shared[i]) / sqrt(norm));
    }
}

static void set(sc_solver *s, sc_solver_param p, double v)
{
    sc_status st = sc_solver_set(s, p, v);
    ck_assert_msg(st == SC_OK, "sc_solver_set(%d, %g): %s", (int)p, v,
                  sc_solver_message(s));
}

/* A LARS solver for d, MAX_NONZEROS 0 (no limit). */
static sc_solver *lars_solver(const float *d, size_t n, size_t k,
                              double lambda, int nonneg, double l2)
{
    sc_solver *s = NULL;
    ck_assert_int_eq(sc_solver_create(&s, d, n, k), SC_OK);
    set(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_LARS);
    set(s, SC_SOLVER_PARAM_LAMBDA, lambda);
    set(s, SC_SOLVER_PARAM_NONNEGATIVE, nonneg);
    set(s, SC_SOLVER_PARAM_L2, l2);
    set(s, SC_SOLVER_PARAM_MAX_NONZEROS, 0);
    return s;
}

static sc_solver_report run(const sc_solver *s, const float *x, size_t batch,
                            float *codes)
{
    sc_solver_report rep = {.size = sizeof rep};
    sc_status st = sc_solver_run(s, x, batch, codes, &rep);
    ck_assert_msg(st == SC_OK, "sc_solver_run: %s", sc_last_message());
    return rep;
}

static size_t nonzeros(const float *z, size_t k)
{
    size_t count = 0;
    for (size_t j = 0; j < k; j++)
        count += z[j] != 0.0f;
    return count;
}

/* ---- optimality ------------------------------------------------------- */

/* g = D^T (x - D z) - lambda_2 z for one sample, in double; and the
 * rounding slack of each g_i (see kkt_violation). */
static void gradient_and_slack(const float *d, size_t n, size_t k,
                               const float *x, const float *z, double l2,
                               double *g, double *slack)
{
    double r[MAXN], dz[MAXN];   /* r = x - D z;  dz = |D| |z| */
    for (size_t i = 0; i < n; i++) {
        double acc = x[i], mag = 0.0;
        for (size_t j = 0; j < k; j++) {
            acc -= (double)d[i * k + j] * z[j];
            mag += fabs((double)d[i * k + j]) * fabs((double)z[j]);
        }
        r[i] = acc;
        dz[i] = mag;
    }
    double gamma_n = n * UNIT_ROUNDOFF / (1.0 - n * UNIT_ROUNDOFF);
    for (size_t j = 0; j < k; j++) {
        double acc = 0.0, dx = 0.0, ddz = 0.0;
        for (size_t i = 0; i < n; i++) {
            double dij = d[i * k + j];
            acc += dij * r[i];
            dx += fabs(dij) * fabs((double)x[i]);
            ddz += fabs(dij) * dz[i];
        }
        g[j] = acc - l2 * z[j];
        slack[j] = 2.0 * (gamma_n * dx + (gamma_n + UNIT_ROUNDOFF) * ddz +
                          UNIT_ROUNDOFF * l2 * fabs((double)z[j]));
    }
}

/* The largest violation of the optimality conditions at codes z (one
 * sample), in units of the rounding slack:
 *   signed:       |g_i| <= lambda; g_i = lambda sign(z_i) where z_i != 0;
 *   non-negative: g_i <= lambda;   g_i = lambda where z_i > 0; z >= 0
 * (a negative code is an infinite violation).  The slack: the homotopy
 * meets the conditions exactly (to ~1e-15) for c~ = fl(D^T x) and
 * G~ = fl(D^T D), then rounds z to float.  Any float dot product of
 * length n, summed in any order, with or without FMA, is within
 * gamma_n = n u / (1 - n u) of the exact one relative to the sum of the
 * terms' magnitudes (u = 2^-24), so |c~ - D^T x| <= gamma_n |D|^T |x|,
 * |(G~ - D^T D) z| <= gamma_n |D|^T |D| |z|, and the rounding of z adds
 * at most u |G~| |z| <= u |D|^T |D| |z| (and u lambda_2 |z_i|); the slack
 * is twice their sum, the factor 2 covering the double arithmetic of the
 * check and of the path.  Returns violation / slack (<= 1 passes). */
static double kkt_violation(const float *d, size_t n, size_t k,
                            const float *x, const float *z, double lambda,
                            int nonneg, double l2)
{
    double g[MAXK], slack[MAXK], worst = 0.0;
    gradient_and_slack(d, n, k, x, z, l2, g, slack);
    for (size_t i = 0; i < k; i++) {
        double v;
        if (nonneg && z[i] < 0.0f)
            return INFINITY;
        if (z[i] != 0.0f)
            v = fabs(g[i] - copysign(lambda, z[i]));
        else
            v = (nonneg ? g[i] : fabs(g[i])) - lambda;
        worst = fmax(worst, v / (slack[i] + DBL_MIN));
    }
    return worst;
}

#define KKT_N 20
#define KKT_K 40
#define KKT_BATCH 8

/* _i: bit 0 coherent atoms, bit 1 z >= 0, bit 2 lambda_2 = 0.1.  Every
 * code meets the optimality conditions within the rounding slack (the
 * largest ratio measured: 0.03 of the slack, which is an a-priori
 * bound), the report says converged, and its relative duality gap (S7)
 * is float rounding: at most 1e-5 (measured: at most 9.1e-7). */
START_TEST(lars_kkt)
{
    const int coherent = _i & 1, nonneg = (_i >> 1) & 1;
    const double l2 = (_i >> 2) & 1 ? 0.1 : 0.0, lambda = 0.1;
    float d[KKT_N * KKT_K], x[KKT_BATCH * KKT_N], z[KKT_BATCH * KKT_K];
    make_dictionary(d, KKT_N, KKT_K, 100 + (uint64_t)_i, coherent ? 2.0 : 0.0);
    tu_fill(x, KKT_BATCH * KKT_N, 200 + (uint64_t)_i, -1.0f, 1.0f);
    sc_solver *s = lars_solver(d, KKT_N, KKT_K, lambda, nonneg, l2);
    sc_solver_report rep = run(s, x, KKT_BATCH, z);
    ck_assert_int_eq(rep.converged, 1);
    ck_assert(rep.iterations >= 1 && rep.iterations <= 1000);
    report_measure("lars gap", rep.gap);
    ck_assert_msg(rep.gap <= 1e-5, "gap %g", rep.gap);
    double worst = 0.0;
    size_t support = 0;
    for (size_t b = 0; b < KKT_BATCH; b++) {
        worst = fmax(worst, kkt_violation(d, KKT_N, KKT_K, x + b * KKT_N,
                                          z + b * KKT_K, lambda, nonneg, l2));
        support += nonzeros(z + b * KKT_K, KKT_K);
    }
    report_measure("lars kkt violation / slack", worst);
    ck_assert_msg(worst <= 1.0, "case %d: KKT violated by %g x the rounding "
                  "slack", _i, worst);
    ck_assert(support >= KKT_BATCH);   /* not the trivial z = 0 */
    sc_solver_free(s);
}
END_TEST

/* _i as in lars_kkt.  CD_ACTIVE to a relative gap of 1e-9 (or its fixed
 * point) reaches the same objective: within 1e-6 relative (both are the
 * optimum of the float problem up to the rounding of float codes;
 * measured: at most 1.2e-8), and LARS's objective is not above
 * CD_ACTIVE's by more than that; the codes agree to 1e-5 relative to
 * max(1, |z|) (measured: at most 1.2e-7, one or two float ulps). */
START_TEST(lars_agrees_with_cd_active)
{
    const int coherent = _i & 1, nonneg = (_i >> 1) & 1;
    const double l2 = (_i >> 2) & 1 ? 0.1 : 0.0, lambda = 0.1;
    float d[KKT_N * KKT_K], x[KKT_BATCH * KKT_N];
    float zl[KKT_BATCH * KKT_K], zc[KKT_BATCH * KKT_K];
    make_dictionary(d, KKT_N, KKT_K, 300 + (uint64_t)_i, coherent ? 2.0 : 0.0);
    tu_fill(x, KKT_BATCH * KKT_N, 400 + (uint64_t)_i, -1.0f, 1.0f);
    sc_solver *s = lars_solver(d, KKT_N, KKT_K, lambda, nonneg, l2);
    sc_solver_report rl = run(s, x, KKT_BATCH, zl);
    set(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_CD_ACTIVE);
    set(s, SC_SOLVER_PARAM_TOLERANCE, 1e-9);
    set(s, SC_SOLVER_PARAM_MAX_ITERATIONS, 100000);
    sc_solver_report rc = run(s, x, KKT_BATCH, zc);
    double rel = fabs(rl.objective - rc.objective) / rc.objective;
    report_measure("lars vs cd_active objective", rel);
    ck_assert_msg(rel <= 1e-6 && rl.objective <= rc.objective * (1 + 1e-6),
                  "LARS %.9g, CD_ACTIVE %.9g", rl.objective, rc.objective);
    double far = 0.0;
    for (size_t i = 0; i < KKT_BATCH * KKT_K; i++)
        far = fmax(far, fabs((double)zl[i] - zc[i]) /
                            fmax(1.0, fabs((double)zc[i])));
    report_measure("lars vs cd_active codes", far);
    ck_assert_msg(far <= 1e-5, "codes differ by %g", far);
    sc_solver_free(s);
}
END_TEST

/* ---- the path against enumeration ------------------------------------- */

#define TINY_N 8

/* The float problem the homotopy follows: c = D^T x (sc_gemm, as
 * sc_solver_run and sc_solver_path compute it) and G~ = G + lambda_2 I. */
typedef struct {
    size_t k;
    int nonneg;
    double c[MAXK], g[MAXK * MAXK];
} float_problem;

static float_problem float_problem_of(const sc_solver *s, const float *d,
                                      size_t n, size_t k, const float *x,
                                      int nonneg, double l2)
{
    float_problem fp;
    float c[MAXK];
    fp.k = k;
    fp.nonneg = nonneg;
    sc_gemm(0, 0, 1, k, n, 1.0f, x, n, d, k, 0.0f, c, k);
    for (size_t i = 0; i < k; i++) {
        fp.c[i] = c[i];
        for (size_t j = 0; j < k; j++)
            fp.g[i * k + j] = s->gram[i * k + j] + (i == j ? l2 : 0.0);
    }
    return fp;
}

/* Solves the m x m system a y = b (Gaussian elimination, partial
 * pivoting, in place); 0 if singular. */
static int solve_small(double *a, double *b, size_t m)
{
    for (size_t col = 0; col < m; col++) {
        size_t p = col;
        for (size_t r = col + 1; r < m; r++)
            if (fabs(a[r * m + col]) > fabs(a[p * m + col]))
                p = r;
        if (a[p * m + col] == 0.0)
            return 0;
        for (size_t j = 0; j < m; j++) {
            double t = a[col * m + j];
            a[col * m + j] = a[p * m + j];
            a[p * m + j] = t;
        }
        double t = b[col];
        b[col] = b[p];
        b[p] = t;
        for (size_t r = col + 1; r < m; r++) {
            double f = a[r * m + col] / a[col * m + col];
            for (size_t j = col; j < m; j++)
                a[r * m + j] -= f * a[col * m + j];
            b[r] -= f * b[col];
        }
    }
    for (size_t r = m; r-- > 0;) {
        for (size_t j = r + 1; j < m; j++)
            b[r] -= a[r * m + j] * b[j];
        b[r] /= a[r * m + r];
    }
    return 1;
}

/* F(z) - 1/2 |x|^2 = 1/2 z G~ z - c.z + lambda |z|_1. */
static double reduced_objective(const float_problem *fp, const double *z,
                                double lambda)
{
    double f = 0.0;
    for (size_t i = 0; i < fp->k; i++) {
        double gz = 0.0;
        for (size_t j = 0; j < fp->k; j++)
            gz += fp->g[i * fp->k + j] * z[j];
        f += 0.5 * z[i] * gz - fp->c[i] * z[i] + lambda * fabs(z[i]);
    }
    return f;
}

/* The exact solution at lambda by enumeration: for every support S and
 * signs s (z >= 0: +1 only), z_S = G~_SS^{-1} (c_S - lambda s) is a
 * solution when sign(z_S) = s and |c_j - G~_jS z_S| <= lambda outside S
 * (to 1e-12 of the data's scale, double rounding); of those, the lowest
 * objective (they coincide unless lambda is a knot).  Returns the support
 * as a bit mask. */
static unsigned exact_solution(const float_problem *fp, double lambda,
                               double *z)
{
    size_t k = fp->k, patterns = 1;
    for (size_t i = 0; i < k; i++)
        patterns *= 3;
    double best = INFINITY, scale = 1e-12 * (1.0 + lambda);
    for (size_t i = 0; i < k; i++)
        scale = fmax(scale, 1e-12 * fabs(fp->c[i]));
    unsigned support = 0;
    int found = 0;
    for (size_t code = 0; code < patterns; code++) {
        double sign[MAXK], a[MAXK * MAXK], y[MAXK], cand[MAXK] = {0};
        size_t idx[MAXK], m = 0, rest = code;
        int skip = 0;
        for (size_t i = 0; i < k; i++, rest /= 3) {
            sign[i] = (double)(rest % 3) - 1.0;   /* -1, 0, +1 */
            skip |= fp->nonneg && sign[i] < 0.0;
            if (sign[i] != 0.0)
                idx[m++] = i;
        }
        if (skip)
            continue;
        for (size_t p = 0; p < m; p++) {
            for (size_t q = 0; q < m; q++)
                a[p * m + q] = fp->g[idx[p] * k + idx[q]];
            y[p] = fp->c[idx[p]] - lambda * sign[idx[p]];
        }
        if (m > 0 && !solve_small(a, y, m))
            continue;
        int ok = 1;
        for (size_t p = 0; p < m; p++) {
            cand[idx[p]] = y[p];
            ok &= y[p] * sign[idx[p]] > 0.0;
        }
        for (size_t j = 0; j < k && ok; j++) {
            if (sign[j] != 0.0)
                continue;
            double corr = fp->c[j];
            for (size_t q = 0; q < k; q++)
                corr -= fp->g[j * k + q] * cand[q];
            ok &= (fp->nonneg ? corr : fabs(corr)) <= lambda + scale;
        }
        double f = ok ? reduced_objective(fp, cand, lambda) : INFINITY;
        if (ok && f < best) {
            best = f;
            found = 1;
            support = 0;
            for (size_t i = 0; i < k; i++) {
                z[i] = cand[i];
                support |= (cand[i] != 0.0 ? 1u : 0u) << i;
            }
        }
    }
    ck_assert_msg(found, "no solution found by enumeration at %g", lambda);
    return support;
}

/* |a - b|_inf over the k codes, relative to max(1, |b|_inf). */
static double code_distance(const double *a, const double *b, size_t k)
{
    double far = 0.0, top = 1.0;
    for (size_t i = 0; i < k; i++) {
        far = fmax(far, fabs(a[i] - b[i]));
        top = fmax(top, fabs(b[i]));
    }
    return far / top;
}

#define PATH_KNOTS 64
#define BETWEEN 9      /* points inside each segment */

/* The tiny problems: k atoms in R^8 (`common` as in make_dictionary),
 * the seeds of D and x, lambda_2 and the solver's lambda.  The last two
 * have an atom that leaves A and comes back at once with the opposite
 * sign (found by searching seeds: a homotopy that barred it from the
 * next segment altogether misses the re-entry and ends elsewhere). */
static const struct {
    size_t k;
    int nonneg;
    double common, l2, lambda;
    uint64_t dictionary_seed, x_seed;
} tiny[] = {
    {3, 0, 0.5, 0.0, 0.01, 500, 600}, {3, 1, 0.5, 0.0, 0.01, 501, 601},
    {4, 0, 0.5, 0.05, 0.01, 502, 602}, {4, 1, 0.5, 0.0, 0.01, 503, 603},
    {5, 0, 0.5, 0.0, 0.01, 504, 604}, {5, 1, 0.5, 0.05, 0.01, 505, 605},
    {5, 0, 0.5, 0.0, 0.001, 8, 10}, {5, 0, 2.0, 0.0, 0.001, 15, 17},
};

/* _i: a case of tiny[].  On the float problem the homotopy follows:
 *   - lambda_0 = |c|_inf (z >= 0: max c), the lambdas strictly decrease,
 *     the last is the solver's lambda;
 *   - the codes at every knot, and their linear interpolation at 9
 *     points inside every segment, equal the exact solution found by
 *     enumeration, to 8 u (the rounding of the float codes, u = 2^-24,
 *     and of the interpolation, with a margin for the double path;
 *     measured: at most 0.9 u);
 *   - the support of the exact solution is the same at the 9 points of a
 *     segment (no knot missed) and differs between the last point of a
 *     segment and the first of the next (every knot is a change). */
START_TEST(lars_path_matches_enumeration)
{
    const size_t k = tiny[_i].k;
    const int nonneg = tiny[_i].nonneg;
    const double l2 = tiny[_i].l2, lambda = tiny[_i].lambda;
    float d[TINY_N * 5], x[TINY_N];
    make_dictionary(d, TINY_N, k, tiny[_i].dictionary_seed, tiny[_i].common);
    tu_fill(x, TINY_N, tiny[_i].x_seed, -1.0f, 1.0f);
    sc_solver *s = lars_solver(d, TINY_N, k, lambda, nonneg, l2);
    double lambdas[PATH_KNOTS];
    float codes[PATH_KNOTS * 5];
    size_t count = 0;
    ck_assert_int_eq(sc_solver_path(s, x, PATH_KNOTS, lambdas, codes, &count),
                     SC_OK);
    ck_assert(count >= 2 && count < PATH_KNOTS);
    float_problem fp = float_problem_of(s, d, TINY_N, k, x, nonneg, l2);
    double top = 0.0;
    for (size_t i = 0; i < k; i++)
        top = fmax(top, nonneg ? fp.c[i] : fabs(fp.c[i]));
    ck_assert(lambdas[0] == top);
    ck_assert(lambdas[count - 1] == lambda);
    for (size_t t = 0; t + 1 < count; t++)
        ck_assert(lambdas[t + 1] < lambdas[t]);
    const double tol = 8.0 * UNIT_ROUNDOFF;
    double worst = 0.0, exact[MAXK], knot[MAXK], near[MAXK];
    unsigned previous = 0;
    for (size_t t = 0; t < count; t++) {
        for (size_t i = 0; i < k; i++)
            knot[i] = codes[t * k + i];
        exact_solution(&fp, lambdas[t], exact);
        worst = fmax(worst, code_distance(knot, exact, k));
        if (t + 1 == count)
            break;
        unsigned first = 0;
        for (int f = 1; f <= BETWEEN; f++) {
            double frac = f / (BETWEEN + 1.0);   /* from knot t down */
            double lam = lambdas[t] - frac * (lambdas[t] - lambdas[t + 1]);
            for (size_t i = 0; i < k; i++)
                near[i] = (1.0 - frac) * codes[t * k + i] +
                          frac * codes[(t + 1) * k + i];
            unsigned support = exact_solution(&fp, lam, exact);
            worst = fmax(worst, code_distance(near, exact, k));
            if (f == 1) {
                first = support;
                ck_assert_msg(t == 0 || support != previous,
                              "knot %zu (lambda %g) changes nothing", t,
                              lambdas[t]);
            }
            ck_assert_msg(support == first, "a knot inside segment %zu", t);
            previous = support;
        }
    }
    report_measure("path vs enumeration / u", worst / UNIT_ROUNDOFF);
    ck_assert_msg(worst <= tol, "path off the exact solution by %g", worst);
    sc_solver_free(s);
}
END_TEST

/* ---- the stops ---------------------------------------------------------- */

/* The code for x alone is the last knot of its path, bit for bit (the
 * same c, the same arithmetic), with or without a stop. */
static void assert_run_is_last_knot(const sc_solver *s, const float *x,
                                    size_t k, float *code, double *last,
                                    int *converged)
{
    double lambdas[256];
    float knots[256 * MAXK];
    size_t count = 0;
    sc_solver_report rep = run(s, x, 1, code);
    ck_assert_int_eq(sc_solver_path(s, x, 256, lambdas, knots, &count),
                     SC_OK);
    ck_assert(count >= 1 && count < 256);
    ck_assert(memcmp(code, knots + (count - 1) * k, k * sizeof *code) == 0);
    *last = lambdas[count - 1];
    *converged = rep.converged;
}

/* MAX_NONZEROS = 3 at a lambda whose solutions have more: each code has
 * at most 3 non-zeros and is the exact solution (KKT) at the lambda of
 * the knot where it stopped, which is its path's last; a code stopped
 * above lambda is not converged; with 0 (no limit) all converge. */
START_TEST(lars_max_nonzeros)
{
    const double lambda = 0.02;
    float d[KKT_N * KKT_K], x[KKT_BATCH * KKT_N], z[KKT_BATCH * KKT_K];
    make_dictionary(d, KKT_N, KKT_K, 700, 0.0);
    tu_fill(x, KKT_BATCH * KKT_N, 800, -1.0f, 1.0f);
    sc_solver *s = lars_solver(d, KKT_N, KKT_K, lambda, 0, 0.0);
    ck_assert_int_eq(run(s, x, KKT_BATCH, z).converged, 1);
    size_t larger = 0;
    for (size_t b = 0; b < KKT_BATCH; b++)
        larger += nonzeros(z + b * KKT_K, KKT_K) > 3;
    ck_assert(larger > 0);
    set(s, SC_SOLVER_PARAM_MAX_NONZEROS, 3);
    ck_assert_int_eq(run(s, x, KKT_BATCH, z).converged, 0);
    size_t stopped = 0;
    for (size_t b = 0; b < KKT_BATCH; b++) {
        float code[KKT_K];
        double last;
        int converged;
        assert_run_is_last_knot(s, x + b * KKT_N, KKT_K, code, &last,
                                &converged);
        ck_assert(nonzeros(code, KKT_K) <= 3);
        ck_assert(last >= lambda);
        ck_assert_int_eq(converged, last == lambda);
        stopped += last > lambda;
        double v = kkt_violation(d, KKT_N, KKT_K, x + b * KKT_N, code, last,
                                 0, 0.0);
        ck_assert_msg(v <= 1.0, "sample %zu: not the solution at its last "
                      "knot %g (%g x slack)", b, last, v);
    }
    ck_assert_uint_eq(stopped, larger);
    sc_solver_free(s);
}
END_TEST

/* MAX_ITERATIONS caps the changes of the support: 2 give codes of at
 * most 2 atoms, not converged, the last knot of the path under the same
 * cap, the exact solution there. */
START_TEST(lars_max_iterations)
{
    float d[KKT_N * KKT_K], x[KKT_N], code[KKT_K];
    make_dictionary(d, KKT_N, KKT_K, 900, 2.0);
    tu_fill(x, KKT_N, 1000, -1.0f, 1.0f);
    sc_solver *s = lars_solver(d, KKT_N, KKT_K, 0.01, 0, 0.0);
    set(s, SC_SOLVER_PARAM_MAX_ITERATIONS, 2);
    sc_solver_report rep = run(s, x, 1, code);
    ck_assert_int_eq(rep.converged, 0);
    ck_assert_uint_eq(rep.iterations, 2);
    double last;
    int converged;
    assert_run_is_last_knot(s, x, KKT_K, code, &last, &converged);
    ck_assert(nonzeros(code, KKT_K) <= 2 && last > 0.01);
    ck_assert(kkt_violation(d, KKT_N, KKT_K, x, code, last, 0, 0.0) <= 1.0);
    sc_solver_free(s);
}
END_TEST

/* ---- closed form, threads, warm start ---------------------------------- */

/* _i = 2 * nonneg + (lambda_2 > 0).  A Sylvester-Hadamard dictionary
 * (16 x 16, entries +-1/4: orthonormal exactly in float, G = I) makes
 * the elastic net separable: z = h(D^T x) / (1 + lambda_2), h the soft
 * threshold by lambda (or its one-sided form).  The tolerance: the
 * rounding of c = D^T x in float, gamma_16 |D|^T |x|, and of z. */
START_TEST(lars_elastic_net_orthonormal)
{
    enum { N = 16, B = 4 };
    const int nonneg = _i >> 1;
    const double l2 = _i & 1 ? 0.3 : 0.0, lambda = 0.2;
    float d[N * N], x[B * N], z[B * N];
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            unsigned odd = 0;            /* the parity of i & j */
            for (size_t bits = i & j; bits != 0; bits >>= 1)
                odd ^= bits & 1u;
            d[i * N + j] = odd ? -0.25f : 0.25f;
        }
    tu_fill(x, B * N, 1100 + (uint64_t)_i, -1.0f, 1.0f);
    sc_solver *s = lars_solver(d, N, N, lambda, nonneg, l2);
    sc_solver_report rep = run(s, x, B, z);
    ck_assert_int_eq(rep.converged, 1);
    double gamma_n = N * UNIT_ROUNDOFF / (1.0 - N * UNIT_ROUNDOFF);
    for (size_t b = 0; b < B; b++)
        for (size_t j = 0; j < N; j++) {
            double c = 0.0, mag = 0.0;
            for (size_t i = 0; i < N; i++) {
                c += (double)d[i * N + j] * x[b * N + i];
                mag += 0.25 * fabs((double)x[b * N + i]);
            }
            double h = nonneg ? fmax(c - lambda, 0.0)
                              : copysign(fmax(fabs(c) - lambda, 0.0), c);
            double want = h / (1.0 + l2);
            double tol = gamma_n * mag / (1.0 + l2) +
                         2.0 * UNIT_ROUNDOFF * fabs(want);
            ck_assert_msg(fabs(z[b * N + j] - want) <= tol,
                          "sample %zu atom %zu: %.9g, closed form %.9g", b, j,
                          (double)z[b * N + j], want);
        }
    sc_solver_free(s);
}
END_TEST

/* Threads 2, 3 and 0 (one per processor) give the codes and the report
 * of 1 thread bit for bit, on a batch of 37 that no count divides, with
 * coherent atoms and the L2 term; sc_solver_run_from ignores its start
 * (the homotopy restarts from lambda_0), bit for bit too. */
START_TEST(lars_threads_and_start)
{
    enum { B = 37 };
    float d[KKT_N * KKT_K], x[B * KKT_N], one[B * KKT_K], many[B * KKT_K];
    float start[B * KKT_K];
    make_dictionary(d, KKT_N, KKT_K, 1200, 2.0);
    tu_fill(x, B * KKT_N, 1300, -1.0f, 1.0f);
    tu_fill(start, B * KKT_K, 1400, -1.0f, 1.0f);
    sc_solver *s = lars_solver(d, KKT_N, KKT_K, 0.05, 0, 0.05);
    sc_solver_report r1 = run(s, x, B, one);
    const double counts[] = {2, 3, 0};
    for (size_t c = 0; c < 3; c++) {
        set(s, SC_SOLVER_PARAM_THREADS, counts[c]);
        sc_solver_report rn = run(s, x, B, many);
        ck_assert_msg(memcmp(one, many, sizeof one) == 0,
                      "%g threads: codes differ", counts[c]);
        ck_assert(r1.iterations == rn.iterations &&
                  r1.converged == rn.converged);
        ck_assert(memcmp(&r1.objective, &rn.objective, sizeof(double)) == 0);
        ck_assert(memcmp(&r1.gap, &rn.gap, sizeof(double)) == 0);
    }
    sc_solver_report rw = {.size = sizeof rw};
    ck_assert_int_eq(sc_solver_run_from(s, x, B, start, many, &rw), SC_OK);
    ck_assert(memcmp(one, many, sizeof one) == 0);
    ck_assert(rw.iterations == r1.iterations);
    sc_solver_free(s);
}
END_TEST

/* ---- degenerate cases --------------------------------------------------- */

/* An exact duplicate (atom 3 = atom 1) and an opposite (atom 5 =
 * -atom 2): the second of each pair is left out (its factor pivot is 0),
 * the codes meet the optimality conditions of the full problem (the
 * left-out atoms' correlations equal +-those of their twins), and the
 * report says converged. */
START_TEST(lars_duplicate_atoms)
{
    enum { N = 10, K = 12, B = 6 };
    float d[N * K], x[B * N], z[B * K];
    make_dictionary(d, N, K, 1500, 0.0);
    for (size_t i = 0; i < N; i++) {
        d[i * K + 3] = d[i * K + 1];
        d[i * K + 5] = -d[i * K + 2];
    }
    tu_fill(x, B * N, 1600, -1.0f, 1.0f);
    for (int nonneg = 0; nonneg < 2; nonneg++) {
        sc_solver *s = lars_solver(d, N, K, 0.05, nonneg, 0.0);
        sc_solver_report rep = run(s, x, B, z);
        ck_assert_int_eq(rep.converged, 1);
        for (size_t b = 0; b < B; b++) {
            const float *zb = z + b * K;
            ck_assert(zb[1] == 0.0f || zb[3] == 0.0f);
            ck_assert(zb[2] == 0.0f || zb[5] == 0.0f);
            ck_assert(kkt_violation(d, N, K, x + b * N, zb, 0.05, nonneg,
                                    0.0) <= 1.0);
        }
        sc_solver_free(s);
    }
}
END_TEST

/* More atoms than dimensions, lambda = 0: the path runs until the
 * active set spans R^n (atoms beyond are dependent and left out); it
 * ends, within the step cap, at an exact fit (objective ~0) with at most
 * n non-zeros per code. */
START_TEST(lars_overcomplete_to_zero)
{
    enum { N = 6, K = 14, B = 5 };
    float d[N * K], x[B * N], z[B * K];
    make_dictionary(d, N, K, 1700, 0.3);
    tu_fill(x, B * N, 1800, -1.0f, 1.0f);
    sc_solver *s = lars_solver(d, N, K, 0.0, 0, 0.0);
    sc_solver_report rep = run(s, x, B, z);
    ck_assert(rep.iterations <= 1000);
    ck_assert_msg(rep.objective <= 1e-8, "objective %g", rep.objective);
    for (size_t b = 0; b < B; b++)
        ck_assert(nonzeros(z + b * K, K) <= N);
    sc_solver_free(s);
}
END_TEST

/* Ties and trivial paths, by hand on the unit vectors e_0, e_1, e_2 of
 * R^4:
 *   - x = e_0 + e_1 ties atoms 0 and 1 (c = (1, 1, 0)): one knot at
 *     lambda_0 = 1 for both entries, then z = (1 - lambda, 1 - lambda, 0);
 *   - z >= 0 with x = -e_0 - e_1 (no positive correlation): lambda_0 = 0,
 *     the one knot (0, z = 0), a code of zeros after 0 events;
 *   - lambda >= lambda_0: the one knot lambda_0, z = 0. */
START_TEST(lars_ties_and_trivial_paths)
{
    enum { N = 4, K = 3 };
    float d[N * K] = {0};
    for (size_t j = 0; j < K; j++)
        d[j * K + j] = 1.0f;
    const float x[N] = {1.0f, 1.0f, 0.0f, 0.0f}, minus[N] = {-1.0f, -1.0f};
    double lambdas[8];
    float codes[8 * K], z[K];
    size_t count = 0;
    sc_solver *s = lars_solver(d, N, K, 0.25, 0, 0.0);
    ck_assert_int_eq(sc_solver_path(s, x, 8, lambdas, codes, &count), SC_OK);
    ck_assert_uint_eq(count, 2);
    ck_assert(lambdas[0] == 1.0 && lambdas[1] == 0.25);
    ck_assert(codes[0] == 0.0f && codes[1] == 0.0f && codes[2] == 0.0f);
    ck_assert(codes[3] == 0.75f && codes[4] == 0.75f && codes[5] == 0.0f);
    set(s, SC_SOLVER_PARAM_NONNEGATIVE, 1);
    ck_assert_int_eq(sc_solver_path(s, minus, 8, lambdas, codes, &count),
                     SC_OK);
    ck_assert(count == 1 && lambdas[0] == 0.0);
    sc_solver_report rep = run(s, minus, 1, z);
    ck_assert(rep.iterations == 0 && rep.converged == 1);
    ck_assert(z[0] == 0.0f && z[1] == 0.0f && z[2] == 0.0f);
    set(s, SC_SOLVER_PARAM_NONNEGATIVE, 0);
    set(s, SC_SOLVER_PARAM_LAMBDA, 2.0);
    ck_assert_int_eq(sc_solver_path(s, x, 8, lambdas, codes, &count), SC_OK);
    ck_assert(count == 1 && lambdas[0] == 1.0 && nonzeros(codes, K) == 0);
    /* max_knots = 1 at a lambda below lambda_0: lambda_0 only */
    set(s, SC_SOLVER_PARAM_LAMBDA, 0.25);
    ck_assert_int_eq(sc_solver_path(s, x, 1, lambdas, codes, &count), SC_OK);
    ck_assert(count == 1 && lambdas[0] == 1.0 && nonzeros(codes, K) == 0);
    sc_solver_free(s);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

static void fill_sentinels(double *lambdas, float *codes, size_t knots,
                           size_t k, size_t *count)
{
    for (size_t i = 0; i < knots; i++)
        lambdas[i] = -7.0;
    for (size_t i = 0; i < knots * k; i++)
        codes[i] = -7.0f;
    *count = 12345;
}

static void assert_sentinels(const double *lambdas, const float *codes,
                             size_t knots, size_t k, size_t count)
{
    for (size_t i = 0; i < knots; i++)
        ck_assert(lambdas[i] == -7.0);
    for (size_t i = 0; i < knots * k; i++)
        ck_assert(codes[i] == -7.0f);
    ck_assert_uint_eq(count, 12345);
}

/* Every bad input of sc_solver_path gives its status and a message
 * naming the function, outputs untouched; the group term is SC_ERR_STATE
 * for the path and for LARS runs (message naming the method); the path
 * works whatever the solver's method. */
START_TEST(lars_rejects_bad_input)
{
    enum { N = 6, K = 8, KNOTS = 16, B = 2 };
    float d[N * K], x[B * N], codes[KNOTS * K], z[B * K];
    double lambdas[KNOTS];
    size_t count;
    make_dictionary(d, N, K, 1900, 0.0);
    tu_fill(x, B * N, 2000, -1.0f, 1.0f);
    sc_solver *s = lars_solver(d, N, K, 0.1, 0, 0.0);

#define EXPECT_PATH(solver, xs, knots, l, c, n, status)                      \
    do {                                                                     \
        fill_sentinels(lambdas, codes, KNOTS, K, &count);                    \
        ck_assert_int_eq(sc_solver_path((solver), (xs), (knots), (l), (c),   \
                                        (n)),                                \
                         (status));                                          \
        TU_ASSERT_CONTAINS(sc_last_message(), "sc_solver_path");             \
        assert_sentinels(lambdas, codes, KNOTS, K, count);                   \
    } while (0)

    EXPECT_PATH(NULL, x, KNOTS, lambdas, codes, &count, SC_ERR_NULL);
    EXPECT_PATH(s, NULL, KNOTS, lambdas, codes, &count, SC_ERR_NULL);
    EXPECT_PATH(s, x, KNOTS, NULL, codes, &count, SC_ERR_NULL);
    EXPECT_PATH(s, x, KNOTS, lambdas, NULL, &count, SC_ERR_NULL);
    EXPECT_PATH(s, x, KNOTS, lambdas, codes, NULL, SC_ERR_NULL);
    EXPECT_PATH(s, x, 0, lambdas, codes, &count, SC_ERR_SIZE);
    EXPECT_PATH(s, x, SIZE_MAX / 2, lambdas, codes, &count, SC_ERR_SIZE);
    const float nonfinite[] = {NAN, INFINITY, -INFINITY};
    for (size_t v = 0; v < 3; v++) {
        float bad[N];
        memcpy(bad, x, sizeof bad);
        bad[N - 1] = nonfinite[v];
        EXPECT_PATH(s, bad, KNOTS, lambdas, codes, &count, SC_ERR_NONFINITE);
    }
    float huge[N];
    for (size_t i = 0; i < N; i++)
        huge[i] = 3e38f;         /* D^T x overflows float */
    EXPECT_PATH(s, huge, KNOTS, lambdas, codes, &count, SC_ERR_RANGE);

    /* the group term: the path and a LARS run refuse it */
    set(s, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS);
    set(s, SC_SOLVER_PARAM_GROUP_WEIGHT, 0.3);
    EXPECT_PATH(s, x, KNOTS, lambdas, codes, &count, SC_ERR_STATE);
    TU_ASSERT_CONTAINS(sc_last_message(), "SC_SOLVER_METHOD_LARS");
    for (size_t i = 0; i < B * K; i++)
        z[i] = -7.0f;
    ck_assert_int_eq(sc_solver_run(s, x, B, z, NULL), SC_ERR_STATE);
    TU_ASSERT_CONTAINS(sc_last_message(), "SC_SOLVER_METHOD_LARS");
    ck_assert_int_eq(sc_solver_run_from(s, x, B, z, z, NULL), SC_ERR_STATE);
    for (size_t i = 0; i < B * K; i++)
        ck_assert(z[i] == -7.0f);
    set(s, SC_SOLVER_PARAM_GROUP_WEIGHT, 0.0);
#undef EXPECT_PATH

    /* whatever the method: the same path */
    double again[KNOTS];
    float codes_again[KNOTS * K];
    size_t count_again;
    ck_assert_int_eq(sc_solver_path(s, x, KNOTS, lambdas, codes, &count),
                     SC_OK);
    set(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_FISTA);
    ck_assert_int_eq(sc_solver_path(s, x, KNOTS, again, codes_again,
                                    &count_again),
                     SC_OK);
    ck_assert_uint_eq(count, count_again);
    ck_assert(memcmp(lambdas, again, count * sizeof *again) == 0);
    ck_assert(memcmp(codes, codes_again, count * K * sizeof *codes) == 0);
    sc_solver_free(s);
}
END_TEST

/* Codes that overflow float while the inputs do not: atoms at cos
 * 1 - 5e-7 (d_1 = (1, 1e-3) normalised, d_0 = e_0) and x = 1e36 e_1, so
 * the fit at lambda = 0 needs z_1 ~ 1e39 while D^T x ~ 1e33.  The path
 * and the run give SC_ERR_NONFINITE, outputs untouched. */
START_TEST(lars_codes_overflow)
{
    enum { N = 2, K = 2 };
    const double norm = sqrt(1.0 + 1e-6);
    const float d[N * K] = {1.0f, (float)(1.0 / norm), 0.0f,
                            (float)(1e-3 / norm)};
    const float x[N] = {0.0f, 1e36f};
    double lambdas[8];
    float codes[8 * K], z[K] = {-7.0f, -7.0f};
    size_t count;
    sc_solver *s = lars_solver(d, N, K, 0.0, 0, 0.0);
    fill_sentinels(lambdas, codes, 8, K, &count);
    ck_assert_int_eq(sc_solver_path(s, x, 8, lambdas, codes, &count),
                     SC_ERR_NONFINITE);
    TU_ASSERT_CONTAINS(sc_last_message(), "overflowed");
    assert_sentinels(lambdas, codes, 8, K, count);
    ck_assert_int_eq(sc_solver_run(s, x, 1, z, NULL), SC_ERR_NONFINITE);
    ck_assert(z[0] == -7.0f && z[1] == -7.0f);
    sc_solver_free(s);
}
END_TEST

Suite *lars_suite(void)
{
    Suite *s = suite_create("lars");
    TCase *tc = tcase_create("optimality");
    tcase_add_loop_test(tc, lars_kkt, 0, 8);
    tcase_add_loop_test(tc, lars_agrees_with_cd_active, 0, 8);
    tcase_add_loop_test(tc, lars_elastic_net_orthonormal, 0, 4);
    suite_add_tcase(s, tc);

    tc = tcase_create("path");
    tcase_add_loop_test(tc, lars_path_matches_enumeration, 0,
                        (int)(sizeof tiny / sizeof tiny[0]));
    tcase_add_test(tc, lars_max_nonzeros);
    tcase_add_test(tc, lars_max_iterations);
    tcase_add_test(tc, lars_ties_and_trivial_paths);
    suite_add_tcase(s, tc);

    tc = tcase_create("runs");
    tcase_add_test(tc, lars_threads_and_start);
    tcase_add_test(tc, lars_duplicate_atoms);
    tcase_add_test(tc, lars_overcomplete_to_zero);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, lars_rejects_bad_input);
    tcase_add_test(tc, lars_codes_overflow);
    suite_add_tcase(s, tc);
    return s;
}
