/* SPDX-License-Identifier: BSD-2-Clause */
/* check_solver.c -- the sparse coding solvers (sc_solver_*): ISTA, FISTA,
 * CoD and CD_ACTIVE, signed and non-negative, with and without the group
 * term; and OMP (greedy selection, least squares on the support, the
 * stops).
 *
 * Every reference value is computed here, in double precision, from the
 * float dictionary the solver was given:
 *   - closed forms: an orthogonal dictionary separates the problem per
 *     coordinate (per group with the group term), one atom is a scalar
 *     problem;
 *   - optimality (KKT) conditions on random overcomplete dictionaries;
 *   - comparisons between the methods (CoD = FISTA at the optimum, FISTA
 *     ahead of ISTA on an ill-conditioned dictionary);
 *   - the report, reproducibility, batch independence, concurrent runs on
 *     one const solver, and every documented error status.
 *
 * Tolerances: the solvers work in float32 (eps = 1.19e-7).  Objectives are
 * sums of O(10) terms of size O(1) and are compared to 1e-5 relative:
 * about 100 float roundings.  Other tolerances are explained where used;
 * those set "by measurement" were measured on this library (the largest
 * value seen is in the comment) and carry a margin of 5-100x.  Set
 * SC_TEST_MEASURE=1 to print the measured quantities again.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solver.h"   /* sc_fista with the sparse gradient forced on/off */
#include "suites.h"
#include "testutil.h"

#define MAXN 128
#define MAXK 128

/* ---- helpers ------------------------------------------------------------- */

static const char *const method_names[] = {"ISTA", "FISTA", "CoD",
                                           "CD_ACTIVE", "OMP", "LARS"};

/* Prints a measured quantity when SC_TEST_MEASURE is set (to re-derive the
 * tolerances below); silent otherwise. */
static void measured(const char *what, const char *detail, double value)
{
    if (getenv("SC_TEST_MEASURE") != NULL)
        fprintf(stderr, "measure: %s [%s] = %.6g\n", what, detail, value);
}

static sc_solver *make_solver(const float *d, size_t n, size_t k)
{
    sc_solver *s = NULL;
    sc_status st = sc_solver_create(&s, d, n, k);
    ck_assert_msg(st == SC_OK, "sc_solver_create(%zu, %zu): %s (%s)", n, k,
                  sc_status_string(st), sc_last_message());
    ck_assert(s != NULL);
    return s;
}

static void sset(sc_solver *s, sc_solver_param p, double v)
{
    sc_status st = sc_solver_set(s, p, v);
    ck_assert_msg(st == SC_OK, "sc_solver_set(%d, %g): %s (%s)", (int)p, v,
                  sc_status_string(st), sc_solver_message(s));
}

static double sget(const sc_solver *s, sc_solver_param p)
{
    double v = NAN;
    ck_assert_int_eq(sc_solver_get(s, p, &v), SC_OK);
    return v;
}

static void configure(sc_solver *s, int method, double lambda, int nonneg,
                      double max_iterations, double tolerance)
{
    sset(s, SC_SOLVER_PARAM_METHOD, method);
    sset(s, SC_SOLVER_PARAM_LAMBDA, lambda);
    sset(s, SC_SOLVER_PARAM_NONNEGATIVE, nonneg);
    sset(s, SC_SOLVER_PARAM_MAX_ITERATIONS, max_iterations);
    sset(s, SC_SOLVER_PARAM_TOLERANCE, tolerance);
}

static sc_solver_report run_ok(const sc_solver *s, const float *x,
                               size_t batch, float *codes)
{
    sc_solver_report rep;
    memset(&rep, 0, sizeof rep);
    rep.size = sizeof rep;
    sc_status st = sc_solver_run(s, x, batch, codes, &rep);
    ck_assert_msg(st == SC_OK, "sc_solver_run(batch %zu): %s (%s)", batch,
                  sc_status_string(st), sc_last_message());
    return rep;
}

static double objective_of(const sc_solver *s, const float *x,
                           const float *codes, size_t batch)
{
    double obj = NAN;
    sc_status st = sc_solver_objective(s, x, codes, batch, &obj);
    ck_assert_msg(st == SC_OK, "sc_solver_objective: %s (%s)",
                  sc_status_string(st), sc_last_message());
    return obj;
}

static int rel_close(double a, double b, double rel)
{
    return fabs(a - b) <= rel * fmax(fabs(a), fabs(b));
}

/* Standard normal deviates from tu_fill's uniforms (Box-Muller). */
static void fill_normal(double *out, size_t count, uint64_t seed)
{
    float u[2 * MAXN * MAXK];
    ck_assert(2 * count <= sizeof u / sizeof u[0]);
    tu_fill(u, 2 * count, seed, 0.0f, 1.0f);
    for (size_t i = 0; i < count; i++) {
        double u1 = 1.0 - (double)u[2 * i], u2 = (double)u[2 * i + 1];
        out[i] = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    }
}

/* Scales each column of the double n x k matrix a to unit norm and stores
 * it as float in d. */
static void normalise_columns(const double *a, size_t n, size_t k, float *d)
{
    for (size_t j = 0; j < k; j++) {
        double norm = 0.0;
        for (size_t i = 0; i < n; i++)
            norm += a[i * k + j] * a[i * k + j];
        norm = sqrt(norm);
        ck_assert(norm > 0.0);
        for (size_t i = 0; i < n; i++)
            d[i * k + j] = (float)(a[i * k + j] / norm);
    }
}

/* For each of batch rows: out_b = D in_b (transpose 0: in_b has k
 * entries, out_b n) or D^T in_b (transpose 1: n in, k out), summed in
 * double and rounded to float; D is n x k, row-major. */
static void dictionary_product(const float *d, size_t n, size_t k,
                               int transpose, const float *in, size_t batch,
                               float *out)
{
    size_t rows = transpose ? k : n, inner = transpose ? n : k;
    for (size_t b = 0; b < batch; b++)
        for (size_t r = 0; r < rows; r++) {
            double sum = 0.0;
            for (size_t q = 0; q < inner; q++)
                sum += (double)(transpose ? d[q * k + r] : d[r * k + q]) *
                       in[b * inner + q];
            out[b * rows + r] = (float)sum;
        }
}

/* A random n x k dictionary with unit-norm Gaussian columns. */
static void random_dictionary(float *d, size_t n, size_t k, uint64_t seed)
{
    double a[MAXN * MAXK];
    ck_assert(n * k <= MAXN * MAXK);
    fill_normal(a, n * k, seed);
    normalise_columns(a, n, k, d);
}

/* A random orthogonal n x n matrix: modified Gram-Schmidt, twice, on the
 * columns of a Gaussian matrix, in double. */
static void random_orthogonal(float *d, size_t n, uint64_t seed)
{
    double a[MAXN * MAXN];
    ck_assert(n <= MAXN);
    fill_normal(a, n * n, seed);
    for (int pass = 0; pass < 2; pass++)
        for (size_t j = 0; j < n; j++) {
            for (size_t p = 0; p < j; p++) {
                double dot = 0.0;
                for (size_t i = 0; i < n; i++)
                    dot += a[i * n + p] * a[i * n + j];
                for (size_t i = 0; i < n; i++)
                    a[i * n + j] -= dot * a[i * n + p];
            }
            double norm = 0.0;
            for (size_t i = 0; i < n; i++)
                norm += a[i * n + j] * a[i * n + j];
            norm = sqrt(norm);
            for (size_t i = 0; i < n; i++)
                a[i * n + j] /= norm;
        }
    for (size_t i = 0; i < n * n; i++)
        d[i] = (float)a[i];
}

/* A permuted identity: column j is e_{perm(j)}, perm(j) = (5 j + 3) mod n
 * (a permutation for n = 16). */
static void permuted_identity(float *d, size_t n)
{
    memset(d, 0, n * n * sizeof *d);
    for (size_t j = 0; j < n; j++)
        d[((5 * j + 3) % n) * n + j] = 1.0f;
}

/* r = x - D z and g = D^T r, in double, for one sample. */
static void residual_and_gradient(const float *d, size_t n, size_t k,
                                  const float *x, const double *z, double *r,
                                  double *g)
{
    for (size_t i = 0; i < n; i++) {
        double acc = x[i];
        for (size_t j = 0; j < k; j++)
            acc -= (double)d[i * k + j] * z[j];
        r[i] = acc;
    }
    for (size_t j = 0; j < k; j++) {
        double acc = 0.0;
        for (size_t i = 0; i < n; i++)
            acc += (double)d[i * k + j] * r[i];
        g[j] = acc;
    }
}

static void to_double(const float *z, size_t count, double *out)
{
    for (size_t i = 0; i < count; i++)
        out[i] = z[i];
}

/* 1/2 |x - D z|^2 + lambda |z|_1 + lambda_g sum_g |z_g|_2 for one sample,
 * with contiguous groups of `group` units (0: no group term). */
static double objective_ref(const float *d, size_t n, size_t k,
                            const float *x, const double *z, double lambda,
                            double lambda_g, size_t group)
{
    double r[MAXN], g[MAXK];
    residual_and_gradient(d, n, k, x, z, r, g);
    double obj = 0.0;
    for (size_t i = 0; i < n; i++)
        obj += 0.5 * r[i] * r[i];
    for (size_t j = 0; j < k; j++)
        obj += lambda * fabs(z[j]);
    if (group > 0)
        for (size_t p = 0; p < k; p += group) {
            double ss = 0.0;
            for (size_t j = p; j < p + group; j++)
                ss += z[j] * z[j];
            obj += lambda_g * sqrt(ss);
        }
    return obj;
}

/* The mean of objective_ref over a batch of float codes. */
static double batch_objective_ref(const float *d, size_t n, size_t k,
                                  const float *x, const float *codes,
                                  size_t batch, double lambda,
                                  double lambda_g, size_t group)
{
    double z[MAXK], sum = 0.0;
    for (size_t b = 0; b < batch; b++) {
        to_double(codes + b * k, k, z);
        sum += objective_ref(d, n, k, x + b * n, z, lambda, lambda_g, group);
    }
    return sum / (double)batch;
}

static double shrink(double v, double t, int nonneg)
{
    if (nonneg)
        return v > t ? v - t : 0.0;
    return fabs(v) > t ? copysign(fabs(v) - t, v) : 0.0;
}

/* The exact solution for an orthogonal D (D^T D = I): with v = D^T x the
 * problem separates; per coordinate z = shrink(v, lambda), then per group
 * z_g = max(0, 1 - lambda_g / |z_g|) z_g (the prox of the sum of the two
 * norms is the composition, L1 first). */
static void orthogonal_solution(const float *d, size_t n, const float *x,
                                double lambda, int nonneg, double lambda_g,
                                size_t group, double *z)
{
    for (size_t j = 0; j < n; j++) {
        double v = 0.0;
        for (size_t i = 0; i < n; i++)
            v += (double)d[i * n + j] * x[i];
        z[j] = shrink(v, lambda, nonneg);
    }
    if (group > 0)
        for (size_t p = 0; p < n; p += group) {
            double ss = 0.0;
            for (size_t j = p; j < p + group; j++)
                ss += z[j] * z[j];
            double scale = ss > 0.0 ? fmax(0.0, 1.0 - lambda_g / sqrt(ss))
                                    : 0.0;
            for (size_t j = p; j < p + group; j++)
                z[j] *= scale;
        }
}

/* The largest violation of the L1 optimality conditions at codes z (one
 * sample): with g = D^T (x - D z),
 *   signed:       |g_i| <= lambda, and g_i = lambda sign(z_i) where z_i != 0;
 *   non-negative: g_i <= lambda, and g_i = lambda where z_i > 0, z >= 0
 * (a negative code counts as an infinite violation). */
static double kkt_violation(const float *d, size_t n, size_t k,
                            const float *x, const float *zf, double lambda,
                            int nonneg)
{
    double z[MAXK], r[MAXN], g[MAXK], worst = 0.0;
    to_double(zf, k, z);
    residual_and_gradient(d, n, k, x, z, r, g);
    for (size_t i = 0; i < k; i++) {
        double v;
        if (nonneg) {
            if (z[i] < 0.0)
                return INFINITY;
            v = z[i] > 0.0 ? fabs(g[i] - lambda) : g[i] - lambda;
        } else {
            v = z[i] != 0.0 ? fabs(g[i] - copysign(lambda, z[i]))
                            : fabs(g[i]) - lambda;
        }
        worst = fmax(worst, v);
    }
    return worst;
}

/* Fills a buffer with a bit pattern no solver writes, to see that a failed
 * call left it alone. */
static void fill_sentinel(float *p, size_t count)
{
    for (size_t i = 0; i < count; i++)
        p[i] = -12345.6789f;
}

static void assert_sentinel(const float *p, size_t count)
{
    for (size_t i = 0; i < count; i++)
        ck_assert_msg(p[i] == -12345.6789f, "element %zu was written: %g", i,
                      (double)p[i]);
}

/* ---- 1. orthogonal dictionaries: the closed form -------------------------- */

#define ORTH_N 16
#define ORTH_BATCH 4

/* _i = 2 * method + nonneg.  Both a permuted identity and a random
 * orthogonal matrix.  Codes to 1e-5: the float D is orthogonal to ~1e-7 and
 * the stopping rule (tol 1e-6, geometric convergence at rate 1 - 1/L ~ 0
 * since L ~ 1) leaves the iterate ~1e-6 from the optimum at most. */
START_TEST(orthogonal_closed_form)
{
    const int method = _i / 2, nonneg = _i % 2;
    const double lambda = 0.3;
    float d[ORTH_N * ORTH_N], x[ORTH_BATCH * ORTH_N];
    float codes[ORTH_BATCH * ORTH_N], expect[ORTH_BATCH * ORTH_N];
    tu_fill(x, ORTH_BATCH * ORTH_N, 101, -1.0f, 1.0f);
    for (int which = 0; which < 2; which++) {
        if (which == 0)
            permuted_identity(d, ORTH_N);
        else
            random_orthogonal(d, ORTH_N, 202);
        sc_solver *s = make_solver(d, ORTH_N, ORTH_N);
        configure(s, method, lambda, nonneg, 1000, 1e-6);
        sc_solver_report rep = run_ok(s, x, ORTH_BATCH, codes);

        double exact_obj = 0.0, z[ORTH_N];
        size_t zeros = 0, nonzeros = 0;
        for (size_t b = 0; b < ORTH_BATCH; b++) {
            orthogonal_solution(d, ORTH_N, x + b * ORTH_N, lambda, nonneg,
                                0.0, 0, z);
            for (size_t j = 0; j < ORTH_N; j++) {
                expect[b * ORTH_N + j] = (float)z[j];
                if (z[j] == 0.0)
                    zeros++;
                else
                    nonzeros++;
            }
            exact_obj += objective_ref(d, ORTH_N, ORTH_N, x + b * ORTH_N, z,
                                       lambda, 0.0, 0);
        }
        exact_obj /= ORTH_BATCH;
        /* the data exercise both branches of the threshold */
        ck_assert(zeros >= 8 && nonzeros >= 8);

        for (size_t i = 0; i < ORTH_BATCH * ORTH_N; i++)
            ck_assert_msg(fabs((double)codes[i] - (double)expect[i]) <= 1e-5,
                          "%s nonneg=%d D#%d: code %zu = %.9g, exact %.9g",
                          method_names[method], nonneg, which, i,
                          (double)codes[i], (double)expect[i]);
        ck_assert_msg(rep.converged == 1, "%s nonneg=%d D#%d: not converged "
                      "after %llu iterations", method_names[method], nonneg,
                      which, (unsigned long long)rep.iterations);
        ck_assert(rep.iterations >= 1 && rep.iterations < 1000);
        ck_assert_msg(rel_close(rep.objective, exact_obj, 1e-5),
                      "%s nonneg=%d D#%d: objective %.9g, exact %.9g",
                      method_names[method], nonneg, which, rep.objective,
                      exact_obj);
        sc_solver_free(s);
    }
}
END_TEST

/* ---- 2. one atom ------------------------------------------------------------ */

/* k = 1: z = shrink(d^T x, lambda) since |d| = 1.  x = c d + w with w
 * orthogonal to d, so that d^T x = c: c covers above, below, inside the
 * threshold on both sides. */
START_TEST(one_atom_closed_form)
{
    const int method = _i / 2, nonneg = _i % 2;
    enum { N = 10, B = 5 };
    const double lambda = 0.1, c[B] = {1.5, -0.8, 0.05, -0.09, 0.3};
    double a[N], u[N];
    float d[N], x[B * N], codes[B];
    fill_normal(a, N, 303);
    normalise_columns(a, N, 1, d);
    for (size_t b = 0; b < B; b++) {
        fill_normal(u, N, 400 + b);
        double du = 0.0;
        for (size_t i = 0; i < N; i++)
            du += (double)d[i] * u[i];
        for (size_t i = 0; i < N; i++)
            x[b * N + i] = (float)(c[b] * d[i] + 0.5 * (u[i] - du * d[i]));
    }
    sc_solver *s = make_solver(d, N, 1);
    configure(s, method, lambda, nonneg, 1000, 1e-6);
    sc_solver_report rep = run_ok(s, x, B, codes);
    double exact_obj = 0.0;
    for (size_t b = 0; b < B; b++) {
        double dx = 0.0;
        for (size_t i = 0; i < N; i++)
            dx += (double)d[i] * x[b * N + i];
        double z = shrink(dx, lambda, nonneg);
        /* 1e-5: d^T x is c to ~1e-7 and L = |d|^2 = 1, so every method
         * lands on the fixed point in a few iterations. */
        ck_assert_msg(fabs((double)codes[b] - z) <= 1e-5,
                      "%s nonneg=%d: sample %zu code %.9g, exact %.9g",
                      method_names[method], nonneg, b, (double)codes[b], z);
        exact_obj += objective_ref(d, N, 1, x + b * N, &z, lambda, 0.0, 0);
    }
    ck_assert(rep.converged == 1);
    ck_assert(rel_close(rep.objective, exact_obj / B, 1e-5));
    sc_solver_free(s);
}
END_TEST

/* ---- 3. KKT on an overcomplete dictionary ---------------------------------- */

#define KKT_N 20
#define KKT_K 40
#define KKT_BATCH 8

/* Inputs in [-0.5, 0.5] keep the codes below 1 in size, where a float's
 * ulp (<= 6e-8) is below the stopping tolerance 1e-7: the float iteration
 * can then meet the tolerance instead of cycling by one ulp.
 *
 * KKT tolerance 1e-5: g = D^T (x - D z) is evaluated in double at the
 * returned float codes.  Stopping when no coordinate moves by more than
 * tol = 1e-7 leaves z within ~tol / (1 - rate) of the optimum (the rate
 * on the support is 1 - mu/L, mu/L ~ 0.01-0.1 here), and g is off by up
 * to L (~6) times that: 1e-5 ~ 100 tol.  Largest violation measured:
 * 7.2e-7 (ISTA, ~1000 iterations), 1.9e-7 (FISTA, ~150), 1.7e-7 (CoD,
 * ~35 sweeps). */
#define KKT_TOL 1e-5

START_TEST(kkt_overcomplete)
{
    const int method = _i / 2, nonneg = _i % 2;
    const double lambda = 0.1;
    float d[KKT_N * KKT_K], x[KKT_BATCH * KKT_N], codes[KKT_BATCH * KKT_K];
    random_dictionary(d, KKT_N, KKT_K, 505);
    tu_fill(x, KKT_BATCH * KKT_N, 606, -0.5f, 0.5f);
    sc_solver *s = make_solver(d, KKT_N, KKT_K);
    configure(s, method, lambda, nonneg, 20000, 1e-7);
    sc_solver_report rep = run_ok(s, x, KKT_BATCH, codes);
    double worst = 0.0;
    size_t active = 0;
    for (size_t b = 0; b < KKT_BATCH; b++) {
        double v = kkt_violation(d, KKT_N, KKT_K, x + b * KKT_N,
                                 codes + b * KKT_K, lambda, nonneg);
        worst = fmax(worst, v);
        size_t support = 0;
        for (size_t j = 0; j < KKT_K; j++)
            support += codes[b * KKT_K + j] != 0.0f;
        /* D is in general position, so the solution is unique and its
         * support has at most n atoms */
        ck_assert_msg(support <= KKT_N, "sample %zu: %zu active codes", b,
                      support);
        active += support;
    }
    measured("kkt violation", method_names[method], worst);
    measured("kkt iterations", method_names[method], (double)rep.iterations);
    ck_assert_msg(worst <= KKT_TOL, "%s nonneg=%d: KKT violated by %.3g "
                  "(%llu iterations, converged %d)", method_names[method],
                  nonneg, worst, (unsigned long long)rep.iterations,
                  rep.converged);
    /* not the trivial solution */
    ck_assert(active >= KKT_BATCH);
    ck_assert(rep.iterations <= 20000);
    sc_solver_free(s);
}
END_TEST

/* ---- 4. FISTA ahead of ISTA ------------------------------------------------- */

/* d_j = normalise(a + 0.3 e_j) with one shared random unit a: the atoms
 * are strongly correlated (|cos| ~ 0.92) and D^T D has condition number
 * ~2e2 (eigenvalues ~0.08 and ~18).  (With 0.1 instead of 0.3 the
 * condition number is ~2e3 and neither method gets anywhere in 100
 * iterations.) */
static void correlated_dictionary(float *d, size_t n, size_t k, uint64_t seed)
{
    double a[MAXN], m[MAXN * MAXK];
    fill_normal(a, n, seed);
    double na = 0.0;
    for (size_t i = 0; i < n; i++)
        na += a[i] * a[i];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            m[i * k + j] = a[i] / sqrt(na) + (i == j % n ? 0.3 : 0.0);
    normalise_columns(m, n, k, d);
}

#define ILL_N 20
#define ILL_K 20
#define ILL_BATCH 4
#define ILL_ITERATIONS 100

/* _i = nonneg.  100 iterations each from z = 0, tolerance 0; the optimum
 * is FISTA's objective after 20000.  Gap ratio ISTA/FISTA measured: 408x
 * (signed: gaps 0.39 and 9.5e-4), 3e5x (non-negative: 3.2e-3 and 1e-8,
 * FISTA at the optimum to rounding); asserted: at least 10x.  (At 50
 * iterations the signed ratio is ~40x.) */
START_TEST(fista_ahead_of_ista_when_ill_conditioned)
{
    const int nonneg = _i;
    const double lambda = 0.1;
    float d[ILL_N * ILL_K], x[ILL_BATCH * ILL_N], codes[ILL_BATCH * ILL_K];
    correlated_dictionary(d, ILL_N, ILL_K, 707);
    tu_fill(x, ILL_BATCH * ILL_N, 808, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, ILL_N, ILL_K);
    configure(s, SC_SOLVER_METHOD_FISTA, lambda, nonneg, 20000, 0);
    double optimum = run_ok(s, x, ILL_BATCH, codes).objective;
    sset(s, SC_SOLVER_PARAM_MAX_ITERATIONS, ILL_ITERATIONS);
    double fista = run_ok(s, x, ILL_BATCH, codes).objective;
    sset(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_ISTA);
    double ista = run_ok(s, x, ILL_BATCH, codes).objective;
    double gap_f = fista - optimum, gap_i = ista - optimum;
    measured("ISTA gap / FISTA gap", nonneg ? "nonneg" : "signed",
             gap_i / gap_f);
    measured("FISTA gap", nonneg ? "nonneg" : "signed", gap_f);
    measured("ISTA gap", nonneg ? "nonneg" : "signed", gap_i);
    /* The optimum is a lower bound of both (up to float rounding of the
     * objective, 1e-6 relative). */
    ck_assert(gap_f >= -1e-6 * optimum && gap_i >= -1e-6 * optimum);
    /* ISTA is far from the optimum: well above the objective's rounding */
    ck_assert_msg(gap_i > 1e-4 * optimum, "ISTA gap %.3g, optimum %.6g",
                  gap_i, optimum);
    ck_assert_msg(gap_i >= 10.0 * fmax(gap_f, 0.0), "gaps: ISTA %.3g, "
                  "FISTA %.3g", gap_i, gap_f);
    sc_solver_free(s);
}
END_TEST

/* ---- 5. CoD and FISTA agree --------------------------------------------------- */

/* _i = nonneg.  Both to tolerance 1e-7 on the KKT problem.  A random
 * overcomplete D is in general position, so the solution is unique and
 * both must find it: codes to 1e-4 (the distance to the solution is at
 * most the optimality residual, ~2e-7 measured, over mu, the smallest
 * eigenvalue of D_S^T D_S on the support, ~0.05-0.5).  Measured largest
 * difference: 3.3e-6 (signed), 1.5e-6 (non-negative). */
START_TEST(cod_agrees_with_fista)
{
    const int nonneg = _i;
    const double lambda = 0.1;
    float d[KKT_N * KKT_K], x[KKT_BATCH * KKT_N];
    float zc[KKT_BATCH * KKT_K], zf[KKT_BATCH * KKT_K];
    random_dictionary(d, KKT_N, KKT_K, 909);
    tu_fill(x, KKT_BATCH * KKT_N, 1010, -0.5f, 0.5f);
    sc_solver *s = make_solver(d, KKT_N, KKT_K);
    configure(s, SC_SOLVER_METHOD_FISTA, lambda, nonneg, 20000, 1e-7);
    sc_solver_report rf = run_ok(s, x, KKT_BATCH, zf);
    sset(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_COD);
    sc_solver_report rc = run_ok(s, x, KKT_BATCH, zc);
    ck_assert_msg(rel_close(rf.objective, rc.objective, 1e-5),
                  "FISTA %.9g, CoD %.9g", rf.objective, rc.objective);
    double worst = 0.0;
    for (size_t i = 0; i < KKT_BATCH * KKT_K; i++)
        worst = fmax(worst, fabs((double)zc[i] - (double)zf[i]));
    measured("|CoD - FISTA| codes", nonneg ? "nonneg" : "signed", worst);
    ck_assert_msg(worst <= 1e-4, "codes differ by %.3g", worst);
    sc_solver_free(s);
}
END_TEST

/* ---- 5b. FISTA's sparse and dense gradients agree ------------------------ */

/* Runs the library's ISTA/FISTA (sc_fista, internal) with every row's
 * gradient (S1) taken by the sparse sum of rows of G (sparse_below =
 * k + 1) or by sgemm (sparse_below = 0). */
static void fista_forced(const sc_solver *s, sc_problem p, size_t sparse_below,
                         const float *c, size_t batch, float *z)
{
    p.sparse_below = sparse_below;
    memset(z, 0, batch * s->k * sizeof *z);   /* sc_fista starts from z */
    int converged = 0;
    int64_t it = sc_fista(s, &p, batch, c, z, &converged);
    ck_assert_msg(it > 0, "sc_fista returned %lld", (long long)it);
    ck_assert(p.tolerance == 0 || converged);
}

/* _i = 2 * method (ISTA, FISTA) + nonneg, on the KKT problem.
 * - 30 iterations, tolerance 0: the two gradients differ only in their
 *   summation order, so the iterates agree to float rounding.  Measured
 *   largest difference 1.2e-7 (ISTA), 4.2e-7 (FISTA), relative to
 *   max(1, |z|); asserted 1e-5.  (Converged: 1.3e-6 measured.)
 * - to tolerance 1e-7: both satisfy the KKT conditions (KKT_TOL) and, the
 *   solution being unique, agree to 1e-4 as CoD and FISTA do above. */
START_TEST(sparse_gradient_matches_dense)
{
    const int method = _i / 2 ? SC_SOLVER_METHOD_FISTA : SC_SOLVER_METHOD_ISTA;
    const int nonneg = _i % 2;
    const double lambda = 0.1;
    float d[KKT_N * KKT_K], x[KKT_BATCH * KKT_N], c[KKT_BATCH * KKT_K];
    float zs[KKT_BATCH * KKT_K], zd[KKT_BATCH * KKT_K];
    random_dictionary(d, KKT_N, KKT_K, 3131);
    tu_fill(x, KKT_BATCH * KKT_N, 3232, -0.5f, 0.5f);
    dictionary_product(d, KKT_N, KKT_K, 1, x, KKT_BATCH, c);   /* D^T x */
    sc_solver *s = make_solver(d, KKT_N, KKT_K);
    configure(s, method, lambda, nonneg, 30, 0);
    sc_problem p = sc_solver_problem(s);
    fista_forced(s, p, KKT_K + 1, c, KKT_BATCH, zs);
    fista_forced(s, p, 0, c, KKT_BATCH, zd);
    double worst = 0.0, top = 1.0;
    size_t nonzero = 0;
    for (size_t i = 0; i < KKT_BATCH * KKT_K; i++) {
        worst = fmax(worst, fabs((double)zs[i] - (double)zd[i]));
        top = fmax(top, fabs((double)zd[i]));
        nonzero += zd[i] != 0.0f;
    }
    measured("sparse vs dense gradient, 30 iterations",
             method_names[method], worst / top);
    ck_assert_msg(worst <= 1e-5 * top, "%s nonneg=%d: codes differ by %.3g "
                  "after 30 iterations", method_names[method], nonneg, worst);
    ck_assert(nonzero > 0);   /* not the trivial z = 0 */

    configure(s, method, lambda, nonneg, 20000, 1e-7);
    p = sc_solver_problem(s);
    fista_forced(s, p, KKT_K + 1, c, KKT_BATCH, zs);
    fista_forced(s, p, 0, c, KKT_BATCH, zd);
    worst = 0.0;
    for (size_t b = 0; b < KKT_BATCH; b++) {
        const float *xb = x + b * KKT_N;
        double vs = kkt_violation(d, KKT_N, KKT_K, xb, zs + b * KKT_K, lambda,
                                  nonneg);
        double vd = kkt_violation(d, KKT_N, KKT_K, xb, zd + b * KKT_K, lambda,
                                  nonneg);
        ck_assert_msg(vs <= KKT_TOL && vd <= KKT_TOL, "sample %zu: KKT "
                      "violated by %.3g (sparse), %.3g (dense)", b, vs, vd);
    }
    for (size_t i = 0; i < KKT_BATCH * KKT_K; i++)
        worst = fmax(worst, fabs((double)zs[i] - (double)zd[i]));
    measured("sparse vs dense gradient, converged", method_names[method],
             worst);
    ck_assert_msg(worst <= 1e-4, "converged codes differ by %.3g", worst);
    ck_assert_msg(rel_close(objective_of(s, x, zs, KKT_BATCH),
                            objective_of(s, x, zd, KKT_BATCH), 1e-5),
                  "objectives differ");
    sc_solver_free(s);
}
END_TEST

/* ---- 6. the group term ---------------------------------------------------- */

/* Contiguous groups of 4 with lambda = 0: at the optimum, with
 * r = x - D z and G_g = D_g^T r,
 *     z_g != 0:  G_g = lambda_g z_g / |z_g|,
 *     z_g == 0:  |G_g| <= lambda_g.
 * _i = method (ISTA, FISTA).  Tolerance as for the L1 KKT test: measured
 * largest violation 1.3e-7 (FISTA), 5.0e-7 (ISTA). */
#define GROUP_TOL 1e-5

START_TEST(group_block_kkt)
{
    const int method = _i;
    const double lambda_g = 0.3;
    const size_t group = 4;
    float d[KKT_N * KKT_K], x[KKT_BATCH * KKT_N], codes[KKT_BATCH * KKT_K];
    random_dictionary(d, KKT_N, KKT_K, 1111);
    tu_fill(x, KKT_BATCH * KKT_N, 1212, -0.5f, 0.5f);
    sc_solver *s = make_solver(d, KKT_N, KKT_K);
    configure(s, method, 0.0, 0, 20000, 1e-7);
    sset(s, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS);
    sset(s, SC_SOLVER_PARAM_GROUP_SIZE, (double)group);
    sset(s, SC_SOLVER_PARAM_GROUP_WEIGHT, lambda_g);
    sc_solver_report rep = run_ok(s, x, KKT_BATCH, codes);
    double worst = 0.0;
    size_t active_groups = 0;
    for (size_t b = 0; b < KKT_BATCH; b++) {
        double z[KKT_K], r[KKT_N], g[KKT_K];
        to_double(codes + b * KKT_K, KKT_K, z);
        residual_and_gradient(d, KKT_N, KKT_K, x + b * KKT_N, z, r, g);
        for (size_t p = 0; p < KKT_K; p += group) {
            double zn = 0.0, gn = 0.0;
            for (size_t j = p; j < p + group; j++) {
                zn += z[j] * z[j];
                gn += g[j] * g[j];
            }
            zn = sqrt(zn);
            gn = sqrt(gn);
            if (zn > 0.0) {
                active_groups++;
                for (size_t j = p; j < p + group; j++)
                    worst = fmax(worst, fabs(g[j] - lambda_g * z[j] / zn));
            } else {
                worst = fmax(worst, gn - lambda_g);
            }
        }
    }
    measured("block KKT violation", method_names[method], worst);
    ck_assert_msg(worst <= GROUP_TOL, "%s: block KKT violated by %.3g (%llu "
                  "iterations)", method_names[method], worst,
                  (unsigned long long)rep.iterations);
    ck_assert(active_groups > 0 && active_groups < KKT_BATCH * KKT_K / group);
    /* the report's objective is the group objective at these codes */
    double ref = batch_objective_ref(d, KKT_N, KKT_K, x, codes, KKT_BATCH,
                                     0.0, lambda_g, group);
    ck_assert_msg(rel_close(rep.objective, ref, 1e-5), "objective %.9g, "
                  "recomputed %.9g", rep.objective, ref);
    sc_solver_free(s);
}
END_TEST

/* Orthogonal D with contiguous groups: z_g = max(0, 1 - lambda_g/|v_g|) v_g
 * with v = D^T x (lambda = 0), and the composite prox with lambda > 0.
 * _i = 2 * case + (method == FISTA), case 0: lambda = 0, 1: lambda = 0.2. */
START_TEST(group_orthogonal_closed_form)
{
    const int method = _i % 2 ? SC_SOLVER_METHOD_FISTA : SC_SOLVER_METHOD_ISTA;
    const double lambda = _i / 2 ? 0.2 : 0.0, lambda_g = 1.0;
    float d[ORTH_N * ORTH_N], x[ORTH_BATCH * ORTH_N];
    float codes[ORTH_BATCH * ORTH_N];
    random_orthogonal(d, ORTH_N, 1313);
    tu_fill(x, ORTH_BATCH * ORTH_N, 1414, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, ORTH_N, ORTH_N);
    configure(s, method, lambda, 0, 1000, 1e-6);
    sset(s, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS);
    sset(s, SC_SOLVER_PARAM_GROUP_SIZE, 4);
    sset(s, SC_SOLVER_PARAM_GROUP_WEIGHT, lambda_g);
    sc_solver_report rep = run_ok(s, x, ORTH_BATCH, codes);
    double exact_obj = 0.0, z[ORTH_N];
    size_t zero_groups = 0, active_groups = 0;
    for (size_t b = 0; b < ORTH_BATCH; b++) {
        orthogonal_solution(d, ORTH_N, x + b * ORTH_N, lambda, 0, lambda_g,
                            4, z);
        for (size_t j = 0; j < ORTH_N; j++)
            ck_assert_msg(fabs((double)codes[b * ORTH_N + j] - z[j]) <= 1e-5,
                          "%s lambda %g: sample %zu code %zu = %.9g, exact "
                          "%.9g", method_names[method], lambda, b, j,
                          (double)codes[b * ORTH_N + j], z[j]);
        for (size_t p = 0; p < ORTH_N; p += 4) {
            if (z[p] == 0.0 && z[p + 1] == 0.0 && z[p + 2] == 0.0 &&
                z[p + 3] == 0.0)
                zero_groups++;
            else
                active_groups++;
        }
        exact_obj += objective_ref(d, ORTH_N, ORTH_N, x + b * ORTH_N, z,
                                   lambda, lambda_g, 4);
    }
    ck_assert(zero_groups >= 2 && active_groups >= 2);
    ck_assert(rep.converged == 1);
    ck_assert_msg(rel_close(rep.objective, exact_obj / ORTH_BATCH, 1e-5),
                  "objective %.9g, exact %.9g", rep.objective,
                  exact_obj / ORTH_BATCH);
    sc_solver_free(s);
}
END_TEST

/* Overlapping topographic pools (16 units on a 4 x 4 torus, 3 x 3 pools at
 * stride 1, lambda_g 0.05): no closed form.  FISTA must improve on z = 0
 * (measured: to 0.64 / 0.77 of it, signed / non-negative) and do at least
 * as well as ISTA after the same 100 iterations (measured: ISTA higher by
 * 1.6e-2 / 7.8e-3), and the report's objective must be
 * sc_solver_objective at the returned codes (1e-5 relative: the same
 * function, possibly summed in another order). */
START_TEST(group_topographic)
{
    enum { N = 12, K = 16, B = 6 };
    const int nonneg = _i;
    float d[N * K], x[B * N], zf[B * K], zi[B * K], zero[B * K];
    random_dictionary(d, N, K, 1515);
    tu_fill(x, B * N, 1616, -1.0f, 1.0f);
    memset(zero, 0, sizeof zero);
    sc_solver *s = make_solver(d, N, K);
    configure(s, SC_SOLVER_METHOD_FISTA, 0.05, nonneg, 100, 0);
    sset(s, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC);
    sset(s, SC_SOLVER_PARAM_POOL_SIZE, 3);
    sset(s, SC_SOLVER_PARAM_POOL_STRIDE, 1);
    sset(s, SC_SOLVER_PARAM_GROUP_WEIGHT, 0.05);
    sc_solver_report rf = run_ok(s, x, B, zf);
    ck_assert(rf.iterations == 100);
    double at_zero = objective_of(s, x, zero, B);
    double at_fista = objective_of(s, x, zf, B);
    sset(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_ISTA);
    sc_solver_report ri = run_ok(s, x, B, zi);
    measured("topographic ISTA - FISTA objective", nonneg ? "nonneg" : "signed",
             ri.objective - rf.objective);
    ck_assert_msg(rel_close(rf.objective, at_fista, 1e-5), "report %.9g, "
                  "sc_solver_objective %.9g", rf.objective, at_fista);
    ck_assert_msg(rel_close(ri.objective, objective_of(s, x, zi, B), 1e-5),
                  "ISTA report %.9g", ri.objective);
    /* At z = 0 the objective is 1/2 |x|^2, plus, if the objective uses
     * the smooth surrogate, lambda_g sqrt(eps) for each of the 16 pools
     * (the header leaves open which of the two it reports). */
    double half_x2 = 0.0, eps = sget(s, SC_SOLVER_PARAM_GROUP_EPSILON);
    for (size_t i = 0; i < B * N; i++)
        half_x2 += 0.5 * (double)x[i] * x[i];
    half_x2 /= B;
    ck_assert_msg(at_zero >= half_x2 * (1 - 1e-6) &&
                  at_zero <= (half_x2 + 0.05 * 16 * sqrt(eps)) * (1 + 1e-6),
                  "objective at 0: %.9g, 1/2|x|^2 = %.9g", at_zero, half_x2);
    measured("topographic FISTA / objective at 0", nonneg ? "nonneg" :
             "signed", rf.objective / at_zero);
    ck_assert_msg(rf.objective < at_zero, "FISTA %.9g vs z = 0 %.9g",
                  rf.objective, at_zero);
    ck_assert_msg(rf.objective <= ri.objective * (1 + 1e-6),
                  "FISTA %.9g, ISTA %.9g", rf.objective, ri.objective);
    for (size_t i = 0; nonneg && i < B * K; i++)
        ck_assert(zf[i] >= 0.0f && zi[i] >= 0.0f);
    sc_solver_free(s);
}
END_TEST

/* sc_solver_objective itself, at given codes, against the formula:
 * signed, non-negative (+Inf at a negative code), contiguous groups. */
START_TEST(objective_matches_formula)
{
    enum { N = 8, K = 12, B = 3 };
    float d[N * K], x[B * N], z[B * K];
    random_dictionary(d, N, K, 1717);
    tu_fill(x, B * N, 1818, -1.0f, 1.0f);
    tu_fill(z, B * K, 1919, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, N, K);
    sset(s, SC_SOLVER_PARAM_LAMBDA, 0.25);
    double ref = batch_objective_ref(d, N, K, x, z, B, 0.25, 0.0, 0);
    ck_assert(rel_close(objective_of(s, x, z, B), ref, 1e-5));

    sset(s, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS);
    sset(s, SC_SOLVER_PARAM_GROUP_SIZE, 3);
    sset(s, SC_SOLVER_PARAM_GROUP_WEIGHT, 0.7);
    ref = batch_objective_ref(d, N, K, x, z, B, 0.25, 0.7, 3);
    ck_assert(rel_close(objective_of(s, x, z, B), ref, 1e-5));

    sset(s, SC_SOLVER_PARAM_NONNEGATIVE, 1);
    double obj = objective_of(s, x, z, B);
    ck_assert_msg(isinf(obj) && obj > 0, "negative codes: %g", obj);
    for (size_t i = 0; i < B * K; i++)
        z[i] = fabsf(z[i]);
    ref = batch_objective_ref(d, N, K, x, z, B, 0.25, 0.7, 3);
    ck_assert(rel_close(objective_of(s, x, z, B), ref, 1e-5));
    sc_solver_free(s);
}
END_TEST

/* ---- 7. the report ---------------------------------------------------------- */

START_TEST(report_iterations_and_convergence)
{
    const int method = _i;
    float d[KKT_N * KKT_K], x[KKT_BATCH * KKT_N], codes[KKT_BATCH * KKT_K];
    random_dictionary(d, KKT_N, KKT_K, 2020);
    tu_fill(x, KKT_BATCH * KKT_N, 2121, -0.5f, 0.5f);
    sc_solver *s = make_solver(d, KKT_N, KKT_K);

    /* tolerance 0: exactly the cap, never converged */
    const double caps[] = {1, 2, 37};
    for (size_t c = 0; c < 3; c++) {
        configure(s, method, 0.1, 0, caps[c], 0);
        sc_solver_report rep = run_ok(s, x, KKT_BATCH, codes);
        ck_assert_msg(rep.iterations == (uint64_t)caps[c], "%s cap %g: %llu "
                      "iterations", method_names[method], caps[c],
                      (unsigned long long)rep.iterations);
        ck_assert_int_eq(rep.converged, 0);
        ck_assert(isfinite(rep.objective));
        ck_assert(rel_close(rep.objective, objective_of(s, x, codes,
                                                        KKT_BATCH), 1e-5));
    }

    /* a loose tolerance converges before a generous cap */
    configure(s, method, 0.1, 0, 5000, 1e-3);
    sc_solver_report rep = run_ok(s, x, KKT_BATCH, codes);
    ck_assert_int_eq(rep.converged, 1);
    ck_assert(rep.iterations >= 1 && rep.iterations < 5000);

    /* a tight tolerance with a small cap: stops at the cap, not converged */
    configure(s, method, 0.1, 0, 3, 1e-7);
    rep = run_ok(s, x, KKT_BATCH, codes);
    ck_assert(rep.iterations <= 3);
    ck_assert(rep.iterations == 3 && rep.converged == 0);

    /* report NULL: same codes as with a report */
    float again[KKT_BATCH * KKT_K];
    ck_assert_int_eq(sc_solver_run(s, x, KKT_BATCH, again, NULL), SC_OK);
    ck_assert(memcmp(codes, again, sizeof codes) == 0);
    sc_solver_free(s);
}
END_TEST

START_TEST(report_size_too_small)
{
    enum { N = 6, K = 8, B = 2 };
    float d[N * K], x[B * N], codes[B * K];
    random_dictionary(d, N, K, 2222);
    tu_fill(x, B * N, 2323, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, N, K);
    const size_t sizes[] = {0, 1, sizeof(size_t)};
    for (size_t i = 0; i < 3; i++) {
        sc_solver_report rep, copy;
        memset(&rep, 0xA5, sizeof rep);
        rep.size = sizes[i];
        memcpy(&copy, &rep, sizeof rep);
        fill_sentinel(codes, B * K);
        ck_assert_int_eq(sc_solver_run(s, x, B, codes, &rep), SC_ERR_SIZE);
        assert_sentinel(codes, B * K);
        ck_assert(memcmp(&rep, &copy, sizeof rep) == 0);
        TU_ASSERT_CONTAINS(sc_last_message(), "sc_solver_run");
    }
    sc_solver_free(s);
}
END_TEST

/* ---- 8. plan once, run many ------------------------------------------------- */

START_TEST(runs_are_reproducible)
{
    const int method = _i;
    float d[KKT_N * KKT_K], x[KKT_BATCH * KKT_N];
    float a[KKT_BATCH * KKT_K], b[KKT_BATCH * KKT_K];
    random_dictionary(d, KKT_N, KKT_K, 2424);
    tu_fill(x, KKT_BATCH * KKT_N, 2525, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, KKT_N, KKT_K);
    configure(s, method, 0.1, 0, 500, 1e-6);
    sc_solver_report ra = run_ok(s, x, KKT_BATCH, a);
    sc_solver_report rb = run_ok(s, x, KKT_BATCH, b);
    ck_assert(memcmp(a, b, sizeof a) == 0);
    ck_assert(ra.iterations == rb.iterations && ra.converged == rb.converged);
    ck_assert(memcmp(&ra.objective, &rb.objective, sizeof(double)) == 0);
    sc_solver_free(s);
}
END_TEST

/* Batch of 1 against rows of a batch of 33, with tolerance 0 and a fixed
 * number of iterations (with a tolerance the batch runs until its slowest
 * sample converges, so its rows may take more iterations than the sample
 * alone).  The same arithmetic, but BLAS may pick another kernel (and
 * summation order) for one row than for 33, and 300 FISTA iterations away
 * from the optimum can grow a rounding difference: measured bit for bit
 * equal with OpenBLAS's Cooperlake kernel, and up to 4.1e-6 under valgrind,
 * where OpenBLAS runs a kernel without AVX-512.  Hence 2e-5 relative to
 * max(1, |z|), five times the largest difference seen. */
START_TEST(batch_of_one_matches_rows)
{
    const int method = _i;
    enum { B = 33 };
    float d[KKT_N * KKT_K], x[B * KKT_N], all[B * KKT_K], one[KKT_K];
    random_dictionary(d, KKT_N, KKT_K, 2626);
    tu_fill(x, B * KKT_N, 2727, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, KKT_N, KKT_K);
    configure(s, method, 0.1, 0, 300, 0);
    run_ok(s, x, B, all);
    const size_t rows[] = {0, 1, 17, 32};
    double worst = 0.0;
    int identical = 1;
    for (size_t r = 0; r < 4; r++) {
        run_ok(s, x + rows[r] * KKT_N, 1, one);
        TU_ASSERT_CLOSE(one, all + rows[r] * KKT_K, KKT_K, 2e-5);
        identical &= memcmp(one, all + rows[r] * KKT_K, sizeof one) == 0;
        for (size_t j = 0; j < KKT_K; j++)
            worst = fmax(worst, fabs((double)one[j] -
                                     (double)all[rows[r] * KKT_K + j]));
    }
    measured("batch-1 vs batch-33 difference", method_names[method], worst);
    measured("batch-1 bit-identical to batch-33", method_names[method],
             identical);
    sc_solver_free(s);
}
END_TEST

#define THREADS 4
#define T_BATCH 8

typedef struct {
    const sc_solver *solver;
    const float *x;
    float codes[T_BATCH * KKT_K];
    sc_solver_report report;
    sc_status status;
} thread_job;

static void *thread_run(void *arg)
{
    thread_job *job = arg;
    for (int rep = 0; rep < 5; rep++) {
        memset(&job->report, 0, sizeof job->report);
        job->report.size = sizeof job->report;
        job->status = sc_solver_run(job->solver, job->x, T_BATCH, job->codes,
                                    &job->report);
        if (job->status != SC_OK)
            break;
    }
    return NULL;
}

/* 4 threads each solve their own batch five times on one const solver; the
 * results must equal a serial run bit for bit (each run has its own
 * scratch, and the arithmetic does not depend on the thread). */
START_TEST(concurrent_runs_match_serial)
{
    const int method = _i;
    float d[KKT_N * KKT_K], x[THREADS * T_BATCH * KKT_N];
    random_dictionary(d, KKT_N, KKT_K, 2828);
    tu_fill(x, THREADS * T_BATCH * KKT_N, 2929, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, KKT_N, KKT_K);
    configure(s, method, 0.1, method == 0, 200, 1e-6);
    static thread_job serial[THREADS], parallel[THREADS];
    for (int t = 0; t < THREADS; t++) {
        serial[t].solver = parallel[t].solver = s;
        serial[t].x = parallel[t].x = x + (size_t)t * T_BATCH * KKT_N;
        thread_run(&serial[t]);
        ck_assert_int_eq(serial[t].status, SC_OK);
    }
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_create(&th[t], NULL, thread_run,
                                        &parallel[t]), 0);
    for (int t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_join(th[t], NULL), 0);
    for (int t = 0; t < THREADS; t++) {
        ck_assert_int_eq(parallel[t].status, SC_OK);
        ck_assert_msg(memcmp(parallel[t].codes, serial[t].codes,
                             sizeof serial[t].codes) == 0,
                      "thread %d: codes differ from the serial run", t);
        ck_assert(parallel[t].report.iterations ==
                  serial[t].report.iterations);
        ck_assert(memcmp(&parallel[t].report.objective,
                         &serial[t].report.objective, sizeof(double)) == 0);
    }
    sc_solver_free(s);
}
END_TEST

/* ---- 9. bad input ----------------------------------------------------------- */

static long solver_sentinel_object;
#define SOLVER_SENTINEL ((sc_solver *)(void *)&solver_sentinel_object)

static void expect_create(const float *d, size_t n, size_t k,
                          sc_status expected)
{
    sc_solver *s = SOLVER_SENTINEL;
    sc_status st = sc_solver_create(&s, d, n, k);
    ck_assert_msg(st == expected, "sc_solver_create(n %zu, k %zu) gave %s, "
                  "not %s", n, k, sc_status_string(st), sc_status_string(expected));
    ck_assert_msg(s == SOLVER_SENTINEL, "out was written on failure");
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_solver_create");
}

START_TEST(create_rejects_bad_input)
{
    float d[6 * 4];
    random_dictionary(d, 6, 4, 3030);
    ck_assert_int_eq(sc_solver_create(NULL, d, 6, 4), SC_ERR_NULL);
    expect_create(NULL, 6, 4, SC_ERR_NULL);
    expect_create(d, 0, 4, SC_ERR_SIZE);
    expect_create(d, 6, 0, SC_ERR_SIZE);
    expect_create(d, 0, 0, SC_ERR_SIZE);
    /* absurd sizes: rejected before D is read (d holds only 24 floats) */
    expect_create(d, ((size_t)1 << 24) + 1, 1, SC_ERR_SIZE);
    expect_create(d, 1, ((size_t)1 << 24) + 1, SC_ERR_SIZE);
    expect_create(d, (size_t)1 << 16, (size_t)1 << 16, SC_ERR_SIZE); /* n*k */
    expect_create(d, 1, (size_t)1 << 16, SC_ERR_SIZE);                /* k*k */
    expect_create(d, SIZE_MAX, SIZE_MAX, SC_ERR_SIZE);
    expect_create(d, SIZE_MAX, 1, SC_ERR_SIZE);

    float bad[6 * 4];
    const float nonfinite[] = {NAN, INFINITY, -INFINITY};
    for (size_t v = 0; v < 3; v++)
        for (size_t at = 0; at < 24; at += 23) {
            memcpy(bad, d, sizeof bad);
            bad[at] = nonfinite[v];
            expect_create(bad, 6, 4, SC_ERR_NONFINITE);
        }
    memset(bad, 0, sizeof bad);
    expect_create(bad, 6, 4, SC_ERR_RANGE);
    bad[5] = -0.0f;
    expect_create(bad, 6, 4, SC_ERR_RANGE);
    /* one non-zero entry is a valid (rank-one) dictionary */
    bad[7] = 1e-3f;
    sc_solver *s = make_solver(bad, 6, 4);
    sc_solver_free(s);
    sc_solver_free(NULL);
}
END_TEST

/* The documented defaults and bounds; NAN: the header states none.  The
 * torus and pool parameters are documented "as for the model's". */
typedef struct {
    sc_solver_param id;
    const char *name;
    int integral;
    double def, lo, hi;
} solver_param_doc;

#define SP(id, integral, def, lo, hi) {id, #id, integral, def, lo, hi}
static const solver_param_doc solver_params[] = {
    SP(SC_SOLVER_PARAM_METHOD,         1, SC_SOLVER_METHOD_FISTA, 0, 5),
    SP(SC_SOLVER_PARAM_LAMBDA,         0, 0.1,  0, 1e6),
    SP(SC_SOLVER_PARAM_NONNEGATIVE,    1, 0,    0, 1),
    SP(SC_SOLVER_PARAM_MAX_ITERATIONS, 1, 1000, 1, 1e7),
    SP(SC_SOLVER_PARAM_TOLERANCE,      0, 1e-6, 0, 1),
    SP(SC_SOLVER_PARAM_GROUP_LAYOUT,   1, SC_GROUP_LAYOUT_NONE, 0, 2),
    SP(SC_SOLVER_PARAM_GROUP_WEIGHT,   0, 0,    0, 1e6),
    SP(SC_SOLVER_PARAM_GROUP_SIZE,     1, 4,    NAN, NAN),
    SP(SC_SOLVER_PARAM_TORUS_ROWS,     1, 0,    0, 1e6),
    SP(SC_SOLVER_PARAM_TORUS_COLS,     1, 0,    0, 1e6),
    SP(SC_SOLVER_PARAM_POOL_SIZE,      1, 3,    1, 1000),
    SP(SC_SOLVER_PARAM_POOL_STRIDE,    1, 1,    1, 1000),
    SP(SC_SOLVER_PARAM_POOL_SIGMA,     0, 0,    0, NAN),
    SP(SC_SOLVER_PARAM_GROUP_EPSILON,  0, 1e-4, 1e-12, 1),
    SP(SC_SOLVER_PARAM_L2,             0, 0,    0, 1e6),
    SP(SC_SOLVER_PARAM_THREADS,        1, 1,    0, 64),
    SP(SC_SOLVER_PARAM_MAX_NONZEROS,   1, 10,   0, 16777216),
    SP(SC_SOLVER_PARAM_MAX_RESIDUAL,   0, 0,    0, 1e15),
};
#define SOLVER_PARAM_COUNT (sizeof solver_params / sizeof solver_params[0])

static const int unknown_solver_params[] = {0, 19, 99, -1, 1000};

static void snapshot_params(const sc_solver *s, double *v)
{
    for (size_t i = 0; i < SOLVER_PARAM_COUNT; i++)
        ck_assert_int_eq(sc_solver_get(s, solver_params[i].id, &v[i]), SC_OK);
}

/* sc_solver_set(param, value) fails with `expected`, changes no parameter
 * and leaves a message naming sc_solver_set. */
static void expect_set(sc_solver *s, sc_solver_param p, double value,
                       sc_status expected)
{
    double before[SOLVER_PARAM_COUNT], after[SOLVER_PARAM_COUNT];
    snapshot_params(s, before);
    sc_status st = sc_solver_set(s, p, value);
    ck_assert_msg(st == expected, "sc_solver_set(%d, %.17g) gave %s, not %s",
                  (int)p, value, sc_status_string(st), sc_status_string(expected));
    snapshot_params(s, after);
    ck_assert_msg(memcmp(before, after, sizeof before) == 0,
                  "a failed sc_solver_set(%d, %g) changed a parameter",
                  (int)p, value);
    TU_ASSERT_CONTAINS(sc_solver_message(s), "sc_solver_set");
}

START_TEST(bounds_and_defaults)
{
    float d[6 * 4];
    random_dictionary(d, 6, 4, 3131);
    sc_solver *s = make_solver(d, 6, 4);
    ck_assert_str_eq(sc_solver_message(s), "");
    ck_assert_str_eq(sc_solver_message(NULL), "");
    for (size_t i = 0; i < SOLVER_PARAM_COUNT; i++) {
        const solver_param_doc *p = &solver_params[i];
        double lo = NAN, hi = NAN, v = NAN;
        ck_assert_msg(sc_solver_param_bounds(p->id, &lo, &hi) == SC_OK, "%s",
                      p->name);
        ck_assert_msg(isfinite(lo) && isfinite(hi) && lo <= hi,
                      "%s: [%g, %g]", p->name, lo, hi);
        if (!isnan(p->lo))
            ck_assert_msg(lo == p->lo, "%s: lo %g, header says %g", p->name,
                          lo, p->lo);
        if (!isnan(p->hi))
            ck_assert_msg(hi == p->hi, "%s: hi %g, header says %g", p->name,
                          hi, p->hi);
        ck_assert_int_eq(sc_solver_get(s, p->id, &v), SC_OK);
        ck_assert_msg(v == p->def, "%s default %.17g, header says %.17g",
                      p->name, v, p->def);
        ck_assert_msg(v >= lo && v <= hi, "%s default %g outside [%g, %g]",
                      p->name, v, lo, hi);
    }
    /* a group size below 1 is meaningless */
    double lo, hi;
    ck_assert_int_eq(
        sc_solver_param_bounds(SC_SOLVER_PARAM_GROUP_SIZE, &lo, &hi), SC_OK);
    ck_assert(lo >= 1);
    /* nor is a negative epsilon under a square root */
    ck_assert_int_eq(
        sc_solver_param_bounds(SC_SOLVER_PARAM_GROUP_EPSILON, &lo, &hi),
        SC_OK);
    ck_assert(lo >= 0);
    sc_solver_free(s);
}
END_TEST

START_TEST(params_unknown_and_null)
{
    float d[6 * 4];
    random_dictionary(d, 6, 4, 3232);
    sc_solver *s = make_solver(d, 6, 4);
    for (size_t u = 0; u < sizeof unknown_solver_params / sizeof(int); u++) {
        sc_solver_param id = (sc_solver_param)unknown_solver_params[u];
        double lo = 42, hi = 43, v = 44;
        ck_assert_int_eq(sc_solver_param_bounds(id, &lo, &hi), SC_ERR_PARAM);
        ck_assert(lo == 42 && hi == 43);
        ck_assert_int_eq(sc_solver_get(s, id, &v), SC_ERR_PARAM);
        ck_assert(v == 44);
        expect_set(s, id, 1.0, SC_ERR_PARAM);
    }
    double v = 44, lo = 42;
    ck_assert_int_eq(sc_solver_set(NULL, SC_SOLVER_PARAM_LAMBDA, 0.5),
                     SC_ERR_NULL);
    ck_assert_int_eq(sc_solver_get(NULL, SC_SOLVER_PARAM_LAMBDA, &v),
                     SC_ERR_NULL);
    ck_assert_int_eq(sc_solver_get(s, SC_SOLVER_PARAM_LAMBDA, NULL),
                     SC_ERR_NULL);
    ck_assert_int_eq(sc_solver_param_bounds(SC_SOLVER_PARAM_LAMBDA, NULL, &v),
                     SC_ERR_NULL);
    ck_assert_int_eq(sc_solver_param_bounds(SC_SOLVER_PARAM_LAMBDA, &lo, NULL),
                     SC_ERR_NULL);
    ck_assert(v == 44 && lo == 42);
    ck_assert(sc_solver_lipschitz(NULL) == 0.0);
    sc_solver_free(s);
}
END_TEST

START_TEST(params_out_of_range)
{
    float d[6 * 4];
    random_dictionary(d, 6, 4, 3333);
    sc_solver *s = make_solver(d, 6, 4);
    for (size_t i = 0; i < SOLVER_PARAM_COUNT; i++) {
        const solver_param_doc *p = &solver_params[i];
        double lo, hi;
        ck_assert_int_eq(sc_solver_param_bounds(p->id, &lo, &hi), SC_OK);
        const double bad[] = {nextafter(lo, -INFINITY), lo - 1, -1e300,
                              nextafter(hi, INFINITY), hi + 1, 1e300,
                              NAN, INFINITY, -INFINITY};
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++)
            expect_set(s, p->id, bad[b], SC_ERR_RANGE);
        if (p->integral && lo + 0.5 < hi) {
            expect_set(s, p->id, lo + 0.5, SC_ERR_RANGE);
            expect_set(s, p->id, nextafter(lo + 1, INFINITY), SC_ERR_RANGE);
        }
        TU_ASSERT_CONTAINS(sc_solver_message(s), "sc_solver_set");
    }
    /* and valid values are taken exactly */
    sset(s, SC_SOLVER_PARAM_LAMBDA, 0.375);
    ck_assert(sget(s, SC_SOLVER_PARAM_LAMBDA) == 0.375);
    sset(s, SC_SOLVER_PARAM_MAX_ITERATIONS, 1e7);
    ck_assert(sget(s, SC_SOLVER_PARAM_MAX_ITERATIONS) == 1e7);
    sset(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_COD);
    ck_assert(sget(s, SC_SOLVER_PARAM_METHOD) == SC_SOLVER_METHOD_COD);
    sc_solver_free(s);
}
END_TEST

START_TEST(group_geometry_checked)
{
    float d[8 * 16];
    random_dictionary(d, 8, 16, 3434);
    /* k = 10: the default group size 4 does not divide it */
    sc_solver *s10 = make_solver(d, 8, 10);
    expect_set(s10, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS,
               SC_ERR_SIZE);
    ck_assert(sget(s10, SC_SOLVER_PARAM_GROUP_LAYOUT) == SC_GROUP_LAYOUT_NONE);
    /* nor does sqrt(10) make a square torus */
    expect_set(s10, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC,
               SC_ERR_SIZE);
    sset(s10, SC_SOLVER_PARAM_GROUP_SIZE, 5);
    sset(s10, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS);
    sc_solver_free(s10);

    sc_solver *s = make_solver(d, 8, 16);
    sset(s, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS);
    expect_set(s, SC_SOLVER_PARAM_GROUP_SIZE, 5, SC_ERR_SIZE);
    expect_set(s, SC_SOLVER_PARAM_GROUP_SIZE, 32, SC_ERR_SIZE);
    ck_assert(sget(s, SC_SOLVER_PARAM_GROUP_SIZE) == 4);
    sset(s, SC_SOLVER_PARAM_GROUP_SIZE, 8);
    sset(s, SC_SOLVER_PARAM_GROUP_SIZE, 16);
    sset(s, SC_SOLVER_PARAM_GROUP_SIZE, 1);
    /* 16 units on the default 4 x 4 torus; 3 rows cannot hold 16 units */
    sset(s, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC);
    expect_set(s, SC_SOLVER_PARAM_TORUS_ROWS, 3, SC_ERR_SIZE);
    expect_set(s, SC_SOLVER_PARAM_TORUS_COLS, 3, SC_ERR_SIZE);
    ck_assert(sget(s, SC_SOLVER_PARAM_TORUS_ROWS) == 0);
    sc_solver_free(s);
}
END_TEST

START_TEST(run_rejects_bad_input)
{
    enum { N = 6, K = 8, B = 3 };
    float d[N * K], x[B * N], codes[B * K];
    random_dictionary(d, N, K, 3535);
    tu_fill(x, B * N, 3636, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, N, K);
    sc_solver_report rep = {.size = sizeof rep};
    /* the torus geometry (2 x 4, pools of 2) while no layout uses it */
    sset(s, SC_SOLVER_PARAM_TORUS_ROWS, 2);
    sset(s, SC_SOLVER_PARAM_TORUS_COLS, 4);
    sset(s, SC_SOLVER_PARAM_POOL_SIZE, 2);

#define EXPECT_RUN(solver, xs, batch, cs, r, expected)                       \
    do {                                                                     \
        fill_sentinel(codes, B * K);                                         \
        ck_assert_int_eq(sc_solver_run((solver), (xs), (batch), (cs), (r)),  \
                         (expected));                                        \
        assert_sentinel(codes, B * K);                                       \
    } while (0)

    EXPECT_RUN(NULL, x, B, codes, &rep, SC_ERR_NULL);
    EXPECT_RUN(s, NULL, B, codes, &rep, SC_ERR_NULL);
    ck_assert_int_eq(sc_solver_run(s, x, B, NULL, &rep), SC_ERR_NULL);
    EXPECT_RUN(s, x, 0, codes, &rep, SC_ERR_SIZE);
    /* batch * k overflows: rejected before anything is read */
    EXPECT_RUN(s, x, SIZE_MAX / 2, codes, &rep, SC_ERR_SIZE);
    EXPECT_RUN(s, x, SIZE_MAX, codes, NULL, SC_ERR_SIZE);

    const float nonfinite[] = {NAN, INFINITY, -INFINITY};
    for (size_t v = 0; v < 3; v++) {
        float bad[B * N];
        memcpy(bad, x, sizeof bad);
        bad[B * N - 1] = nonfinite[v];
        EXPECT_RUN(s, bad, B, codes, &rep, SC_ERR_NONFINITE);
        TU_ASSERT_CONTAINS(sc_last_message(), "sc_solver_run");
    }

    /* CoD supports the L1 term only: setting is allowed, running is not */
    sset(s, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS);
    sset(s, SC_SOLVER_PARAM_GROUP_WEIGHT, 0.3);
    sset(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_COD);
    EXPECT_RUN(s, x, B, codes, &rep, SC_ERR_STATE);
    EXPECT_RUN(s, x, B, codes, NULL, SC_ERR_STATE);
    sset(s, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC);
    EXPECT_RUN(s, x, B, codes, &rep, SC_ERR_STATE);
    /* and FISTA with the same settings runs */
    sset(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_FISTA);
    run_ok(s, x, B, codes);
#undef EXPECT_RUN
    sc_solver_free(s);
}
END_TEST

START_TEST(objective_rejects_bad_input)
{
    enum { N = 6, K = 8, B = 3 };
    float d[N * K], x[B * N], z[B * K], bad[B * K];
    random_dictionary(d, N, K, 3737);
    tu_fill(x, B * N, 3838, -1.0f, 1.0f);
    tu_fill(z, B * K, 3939, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, N, K);
    double obj = 42.0;
    ck_assert_int_eq(sc_solver_objective(NULL, x, z, B, &obj), SC_ERR_NULL);
    ck_assert_int_eq(sc_solver_objective(s, NULL, z, B, &obj), SC_ERR_NULL);
    ck_assert_int_eq(sc_solver_objective(s, x, NULL, B, &obj), SC_ERR_NULL);
    ck_assert_int_eq(sc_solver_objective(s, x, z, B, NULL), SC_ERR_NULL);
    ck_assert_int_eq(sc_solver_objective(s, x, z, 0, &obj), SC_ERR_SIZE);
    ck_assert_int_eq(sc_solver_objective(s, x, z, SIZE_MAX / 2, &obj),
                     SC_ERR_SIZE);
    memcpy(bad, z, sizeof bad);
    bad[4] = NAN;
    ck_assert_int_eq(sc_solver_objective(s, x, bad, B, &obj),
                     SC_ERR_NONFINITE);
    bad[4] = INFINITY;
    ck_assert_int_eq(sc_solver_objective(s, x, bad, B, &obj),
                     SC_ERR_NONFINITE);
    float badx[B * N];
    memcpy(badx, x, sizeof badx);
    badx[0] = -INFINITY;
    ck_assert_int_eq(sc_solver_objective(s, badx, z, B, &obj),
                     SC_ERR_NONFINITE);
    ck_assert(obj == 42.0);
    sc_solver_free(s);
}
END_TEST

/* L >= lambda_max(D^T D): the Rayleigh quotient of the top eigenvector
 * (power iteration in double, 2000 steps) is a lower bound of lambda_max
 * and equals it to ~1e-12 here. */
static double top_eigenvalue(const float *d, size_t n, size_t k)
{
    double v[MAXK], w[MAXK], r[MAXN], rq = 0.0;
    for (size_t j = 0; j < k; j++)
        v[j] = 1.0 + 0.01 * (double)j;
    for (int it = 0; it < 2000; it++) {
        /* w = D^T D v, rq = v.w / v.v */
        for (size_t i = 0; i < n; i++) {
            r[i] = 0.0;
            for (size_t j = 0; j < k; j++)
                r[i] += (double)d[i * k + j] * v[j];
        }
        double vv = 0.0, vw = 0.0, ww = 0.0;
        for (size_t j = 0; j < k; j++) {
            w[j] = 0.0;
            for (size_t i = 0; i < n; i++)
                w[j] += (double)d[i * k + j] * r[i];
            vv += v[j] * v[j];
            vw += v[j] * w[j];
            ww += w[j] * w[j];
        }
        rq = vw / vv;
        for (size_t j = 0; j < k; j++)
            v[j] = w[j] / sqrt(ww);
    }
    return rq;
}

START_TEST(lipschitz_bounds_top_eigenvalue)
{
    float d[MAXN * MAXK];
    const size_t shapes[][2] = {{20, 40}, {16, 16}, {10, 1}, {30, 12}};
    for (size_t c = 0; c < 4; c++) {
        size_t n = shapes[c][0], k = shapes[c][1];
        random_dictionary(d, n, k, 4040 + c);
        /* unnormalised columns too: scale column j by 1 + j/4 */
        if (c == 3)
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < k; j++)
                    d[i * k + j] *= 1.0f + 0.25f * (float)j;
        sc_solver *s = make_solver(d, n, k);
        double L = sc_solver_lipschitz(s), top = top_eigenvalue(d, n, k);
        measured("L / lambda_max", "", L / top);
        ck_assert_msg(L >= top, "%zu x %zu: L = %.9g < lambda_max %.9g", n,
                      k, L, top);
        sc_solver_free(s);
    }
    random_orthogonal(d, 16, 4141);
    sc_solver *s = make_solver(d, 16, 16);
    ck_assert(sc_solver_lipschitz(s) >= top_eigenvalue(d, 16, 16));
    sc_solver_free(s);
}
END_TEST

/* ---- 10. the elastic net, active-set CD, warm starts, threads ---------- */

/* The elastic net's closed form for an orthogonal D: the problem
 * separates, z_j = shrink(v_j, lambda) / (1 + lambda_2), then per group
 * the block threshold by lambda_g / (1 + lambda_2) (the prox of the sum,
 * docs/math.md (S2) with the L2 term). */
static void elastic_orthogonal_solution(const float *d, size_t n,
                                        const float *x, double lambda,
                                        double l2, int nonneg,
                                        double lambda_g, size_t group,
                                        double *z)
{
    orthogonal_solution(d, n, x, lambda, nonneg, 0.0, 0, z);
    for (size_t j = 0; j < n; j++)
        z[j] /= 1.0 + l2;
    if (group > 0)
        for (size_t p = 0; p < n; p += group) {
            double ss = 0.0;
            for (size_t j = p; j < p + group; j++)
                ss += z[j] * z[j];
            double t = lambda_g / (1.0 + l2);
            double scale = ss > 0.0 ? fmax(0.0, 1.0 - t / sqrt(ss)) : 0.0;
            for (size_t j = p; j < p + group; j++)
                z[j] *= scale;
        }
}

static double half_square(const double *z, size_t k)
{
    double sq = 0.0;
    for (size_t j = 0; j < k; j++)
        sq += z[j] * z[j];
    return 0.5 * sq;
}

/* _i = 2 * method + nonneg, lambda_2 = 0.7; and for ISTA and FISTA the
 * same with contiguous groups of 4 (lambda_g 0.5).  Codes to 1e-5 as in
 * orthogonal_closed_form; the objective (sc_solver_objective, which
 * carries the L2 term) to 1e-5 relative. */
START_TEST(elastic_net_orthogonal_closed_form)
{
    const int method = _i / 2, nonneg = _i % 2;
    const double lambda = 0.3, l2 = 0.7;
    float d[ORTH_N * ORTH_N], x[ORTH_BATCH * ORTH_N];
    float codes[ORTH_BATCH * ORTH_N];
    random_orthogonal(d, ORTH_N, 4242);
    tu_fill(x, ORTH_BATCH * ORTH_N, 4343, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, ORTH_N, ORTH_N);
    int groups = method == SC_SOLVER_METHOD_ISTA || method == SC_SOLVER_METHOD_FISTA;
    for (int grouped = 0; grouped <= groups; grouped++) {
        double lambda_g = grouped ? 0.5 : 0.0;
        configure(s, method, lambda, nonneg, 1000, 1e-6);
        sset(s, SC_SOLVER_PARAM_L2, l2);
        if (grouped) {
            sset(s, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS);
            sset(s, SC_SOLVER_PARAM_GROUP_WEIGHT, lambda_g);
        }
        sc_solver_report rep = run_ok(s, x, ORTH_BATCH, codes);
        double exact_obj = 0.0, z[ORTH_N];
        size_t nonzeros = 0;
        for (size_t b = 0; b < ORTH_BATCH; b++) {
            elastic_orthogonal_solution(d, ORTH_N, x + b * ORTH_N, lambda, l2,
                                        nonneg, lambda_g, grouped ? 4 : 0, z);
            for (size_t j = 0; j < ORTH_N; j++) {
                nonzeros += z[j] != 0.0;
                ck_assert_msg(fabs((double)codes[b * ORTH_N + j] - z[j]) <=
                                  1e-5,
                              "%s nonneg=%d groups=%d: code %zu,%zu = %.9g, "
                              "exact %.9g", method_names[method], nonneg,
                              grouped, b, j, (double)codes[b * ORTH_N + j],
                              z[j]);
            }
            exact_obj += objective_ref(d, ORTH_N, ORTH_N, x + b * ORTH_N, z,
                                       lambda, lambda_g, grouped ? 4 : 0) +
                         l2 * half_square(z, ORTH_N);
        }
        ck_assert(nonzeros >= 4);
        exact_obj /= ORTH_BATCH;
        ck_assert(rep.converged == 1);
        ck_assert_msg(rel_close(rep.objective, exact_obj, 1e-5),
                      "%s: objective %.9g, exact %.9g", method_names[method],
                      rep.objective, exact_obj);
        ck_assert(rel_close(objective_of(s, x, codes, ORTH_BATCH), exact_obj,
                            1e-5));
        ck_assert(grouped ? isnan(rep.gap) : rep.gap <= 1e-5);
    }
    sc_solver_free(s);
}
END_TEST

/* The largest violation of the elastic net's optimality conditions:
 * kkt_violation with g = D^T (x - D z) - lambda_2 z. */
static double kkt_violation_l2(const float *d, size_t n, size_t k,
                               const float *x, const float *zf,
                               double lambda, double l2, int nonneg)
{
    double z[MAXK], r[MAXN], g[MAXK], worst = 0.0;
    to_double(zf, k, z);
    residual_and_gradient(d, n, k, x, z, r, g);
    for (size_t i = 0; i < k; i++) {
        double gi = g[i] - l2 * z[i], v;
        if (nonneg) {
            if (z[i] < 0.0)
                return INFINITY;
            v = z[i] > 0.0 ? fabs(gi - lambda) : gi - lambda;
        } else {
            v = z[i] != 0.0 ? fabs(gi - copysign(lambda, z[i]))
                            : fabs(gi) - lambda;
        }
        worst = fmax(worst, v);
    }
    return worst;
}

/* _i = 4 * coherent + 2 * (lambda_2 > 0) + nonneg.  CD_ACTIVE to a
 * relative gap of 1e-6 (the default tolerance) against FISTA run 20000
 * iterations to tolerance 1e-9, on the random KKT problem and on the
 * coherent dictionary of test 4 (|cos| ~ 0.92 between atoms).
 * CD_ACTIVE's objective must be at most FISTA's plus 1e-6 relative (both
 * are near the optimum to float rounding), its codes must satisfy the
 * KKT conditions to KKT_TOL, and its report must say converged with the
 * gap it reached.  (1e-6, not lower: the gap of float codes bottoms out
 * near 1e-7, the rounding of z moving D^T r by ~1e-7 of lambda; runs
 * asked for 1e-7 stopped at their fixed point with gaps of 0.9e-7 to
 * 1.8e-7.)  Measured (SC_TEST_MEASURE=1): the "cd" lines. */
START_TEST(cd_active_reaches_fista_optimum)
{
    const int coherent = _i / 4, elastic = (_i / 2) % 2, nonneg = _i % 2;
    const double lambda = 0.1, l2 = elastic ? 0.3 : 0.0;
    enum { N = KKT_N, K = KKT_K, B = KKT_BATCH };
    float d[N * K], x[B * N], zf[B * K], zc[B * K];
    if (coherent)
        correlated_dictionary(d, N, K, 4444);
    else
        random_dictionary(d, N, K, 4545);
    tu_fill(x, B * N, 4646, -0.5f, 0.5f);
    sc_solver *s = make_solver(d, N, K);
    configure(s, SC_SOLVER_METHOD_FISTA, lambda, nonneg, 20000, 1e-9);
    sset(s, SC_SOLVER_PARAM_L2, l2);
    sc_solver_report rf = run_ok(s, x, B, zf);
    configure(s, SC_SOLVER_METHOD_CD_ACTIVE, lambda, nonneg, 20000, 1e-6);
    sc_solver_report rc = run_ok(s, x, B, zc);
    double worst = 0.0;
    for (size_t b = 0; b < B; b++)
        worst = fmax(worst, kkt_violation_l2(d, N, K, x + b * N, zc + b * K,
                                             lambda, l2, nonneg));
    char what[64];
    snprintf(what, sizeof what, "coherent=%d l2=%g nonneg=%d", coherent, l2,
             nonneg);
    measured("cd kkt violation", what, worst);
    measured("cd sweeps", what, (double)rc.iterations);
    measured("cd gap", what, rc.gap);
    measured("cd objective - fista", what, rc.objective - rf.objective);
    ck_assert_msg(rc.objective <= rf.objective * (1.0 + 1e-6),
                  "%s: CD %.12g, FISTA %.12g", what, rc.objective,
                  rf.objective);
    ck_assert_msg(worst <= KKT_TOL, "%s: KKT violated by %.3g", what, worst);
    ck_assert_msg(rc.converged == 1 && rc.gap <= 1e-6, "%s: converged %d, "
                  "gap %.3g", what, rc.converged, rc.gap);
    ck_assert(rc.iterations >= 1 && rc.iterations < 20000);
    sc_solver_free(s);
}
END_TEST

/* CD_ACTIVE's two regimes that the problems above do not reach, against
 * LARS's exact solution (MAX_NONZEROS 0), _i = 2 * kind + nonneg:
 * kind 0, supports larger than the 64 codes of its exact step (S8), so
 * that sweeps alone settle the active set and the float correlations
 * decide most rounds (n 120, k 128, lambda 0.02; with z >= 0 the inputs
 * are x = D u, u uniform in [0, 1]^k; the precondition, a mean support
 * above 64, is asserted: measured 102 and 104); kind 1, atoms that are
 * exact copies and negations of others (1 = 0, 3 = -2, 5 = 4), whose
 * factor cannot take both, so the round falls back to sweeps.  The
 * objective must be LARS's to 1e-6 relative and the optimality conditions
 * hold to KKT_TOL (measured: at most 1.0e-6), every sample converged to
 * the tolerance asked: 1e-6, and 1e-5 for kind 0, where the gap of float
 * codes bottoms out higher (LARS's exact codes, rounded to float, have
 * gaps of 2.2e-6 and 3.6e-6 there). */
START_TEST(cd_active_large_and_dependent_supports)
{
    const int kind = _i / 2, nonneg = _i % 2;
    enum { N = 120, K = 128, B = 6, DN = 20, DK = 40 };
    const size_t n = kind == 0 ? N : DN, k = kind == 0 ? K : DK;
    const double lambda = kind == 1 ? 0.1 : 0.02;
    const double tolerance = kind == 0 ? 1e-5 : 1e-6;
    float d[N * K], x[B * N], zl[B * K], zc[B * K];
    random_dictionary(d, n, k, kind == 0 ? 7070 : 7171);
    if (kind == 1)
        for (size_t i = 0; i < n; i++) {
            d[i * k + 1] = d[i * k + 0];
            d[i * k + 3] = -d[i * k + 2];
            d[i * k + 5] = d[i * k + 4];
        }
    tu_fill(x, B * n, 7272, -0.5f, 0.5f);
    if (kind == 0 && nonneg) {
        /* x = D u, u in [0, 1]^k: a large non-negative support */
        float u[B * K];
        tu_fill(u, B * k, 7373, 0.0f, 1.0f);
        dictionary_product(d, n, k, 0, u, B, x);
    }
    sc_solver *s = make_solver(d, n, k);
    configure(s, SC_SOLVER_METHOD_LARS, lambda, nonneg, 100000, tolerance);
    sset(s, SC_SOLVER_PARAM_MAX_NONZEROS, 0);
    sc_solver_report rl = run_ok(s, x, B, zl);
    configure(s, SC_SOLVER_METHOD_CD_ACTIVE, lambda, nonneg, 100000,
              tolerance);
    sc_solver_report rc = run_ok(s, x, B, zc);
    size_t support = 0;
    double worst = 0.0;
    for (size_t b = 0; b < B; b++) {
        for (size_t j = 0; j < k; j++)
            support += zc[b * k + j] != 0.0f;
        worst = fmax(worst, kkt_violation_l2(d, n, k, x + b * n, zc + b * k,
                                             lambda, 0.0, nonneg));
    }
    char what[64];
    snprintf(what, sizeof what, "kind=%d nonneg=%d", kind, nonneg);
    measured("cd large/dependent support", what, (double)support / B);
    measured("cd large/dependent kkt", what, worst);
    measured("cd large/dependent objective - lars", what,
             rc.objective - rl.objective);
    measured("cd large/dependent gap", what, rc.gap);
    measured("cd large/dependent lars gap", what, rl.gap);
    if (kind == 0)
        ck_assert_msg(support > 64 * B, "%s: mean support %.1f, not above 64",
                      what, (double)support / B);
    ck_assert_msg(rc.objective <= rl.objective * (1.0 + 1e-6),
                  "%s: CD_ACTIVE %.12g, LARS %.12g", what, rc.objective,
                  rl.objective);
    ck_assert_msg(worst <= KKT_TOL, "%s: KKT violated by %.3g", what, worst);
    ck_assert_msg(rc.converged == 1 && rc.gap <= tolerance, "%s: converged "
                  "%d, gap %.3g", what, rc.converged, rc.gap);
    sc_solver_free(s);
}
END_TEST

/* The gap in the report is (S7) at the returned codes: recomputed here in
 * double from D and x, after 2 iterations (far from the optimum, gap
 * above 1e-3), for every method, with and without z >= 0 and lambda_2.
 * The report evaluates (S7) on the data as the solver holds it, c = D^T x
 * and G = D^T D rounded to float (header, "Stopping"): that moves the
 * primal and dual values, of size F, by a few float roundings of F, so
 * the two relative gaps may differ by a few FLT_EPSILON besides the
 * 1e-4 relative allowed for the rest (measured: 2.1 FLT_EPSILON with the
 * reference BLAS, whose sums round differently from OpenBLAS's). */
START_TEST(report_gap_matches_definition)
{
    const int method = _i / 4, nonneg = _i % 2;
    const double lambda = 0.1, l2 = (_i / 2) % 2 ? 0.4 : 0.0;
    enum { N = KKT_N, K = KKT_K, B = 5 };
    float d[N * K], x[B * N], codes[B * K];
    random_dictionary(d, N, K, 4747);
    tu_fill(x, B * N, 4848, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, N, K);
    configure(s, method, lambda, nonneg, 2, 0);
    sset(s, SC_SOLVER_PARAM_L2, l2);
    sc_solver_report rep = run_ok(s, x, B, codes);
    double worst = 0.0;
    for (size_t b = 0; b < B; b++) {
        double z[K], r[N], g[K], xx = 0.0, xr = 0.0, rr = 0.0, l1 = 0.0;
        double sq = 0.0, m = 0.0;
        to_double(codes + b * K, K, z);
        residual_and_gradient(d, N, K, x + b * N, z, r, g);
        for (size_t i = 0; i < N; i++) {
            xx += (double)x[b * N + i] * x[b * N + i];
            xr += (double)x[b * N + i] * r[i];
            rr += r[i] * r[i];
        }
        for (size_t j = 0; j < K; j++) {
            l1 += fabs(z[j]);
            sq += z[j] * z[j];
            double a = g[j] - l2 * z[j];
            m = fmax(m, nonneg ? a : fabs(a));
        }
        double primal = 0.5 * rr + lambda * l1 + 0.5 * l2 * sq;
        double t = m > lambda ? lambda / m : 1.0;
        double dual = t * xr - 0.5 * t * t * (rr + l2 * sq);
        worst = fmax(worst, (primal - dual) / primal);
        (void)xx;
    }
    ck_assert_msg(worst > 1e-3, "%s: the test wants a point far from the "
                  "optimum (gap %.3g)", method_names[method], worst);
    ck_assert_msg(fabs(rep.gap - worst) <= 1e-4 * worst + 8 * FLT_EPSILON,
                  "%s nonneg=%d l2=%g: "
                  "report gap %.9g, definition %.9g", method_names[method],
                  nonneg, l2, rep.gap, worst);
    sc_solver_free(s);
}
END_TEST

/* A warm start from the optimum returns at once: after a run to
 * tolerance 1e-6, sc_solver_run_from at its codes takes at most one
 * iteration (CD_ACTIVE: one sweep; ISTA, FISTA, CoD: one iteration),
 * converges, and does not make the objective worse (1e-6 relative).  In
 * place (start == codes) gives the same bits as separate buffers. */
START_TEST(warm_start_from_optimum)
{
    const int method = _i / 2, nonneg = _i % 2;
    float d[KKT_N * KKT_K], x[KKT_BATCH * KKT_N];
    float opt[KKT_BATCH * KKT_K], warm[KKT_BATCH * KKT_K];
    float inplace[KKT_BATCH * KKT_K];
    random_dictionary(d, KKT_N, KKT_K, 4949);
    tu_fill(x, KKT_BATCH * KKT_N, 5050, -0.5f, 0.5f);
    sc_solver *s = make_solver(d, KKT_N, KKT_K);
    configure(s, method, 0.1, nonneg, 100000, 1e-6);
    sset(s, SC_SOLVER_PARAM_L2, 0.1);
    sc_solver_report cold = run_ok(s, x, KKT_BATCH, opt);
    ck_assert(cold.converged == 1);
    sc_solver_report rep = {.size = sizeof rep};
    ck_assert_int_eq(sc_solver_run_from(s, x, KKT_BATCH, opt, warm, &rep),
                     SC_OK);
    measured("warm start iterations", method_names[method],
             (double)rep.iterations);
    measured("cold start iterations", method_names[method],
             (double)cold.iterations);
    ck_assert_msg(rep.iterations <= 1 && rep.converged == 1,
                  "%s: %llu iterations from the optimum, converged %d",
                  method_names[method], (unsigned long long)rep.iterations,
                  rep.converged);
    ck_assert(rep.objective <= cold.objective * (1.0 + 1e-6));
    memcpy(inplace, opt, sizeof inplace);
    sc_solver_report again = {.size = sizeof again};
    ck_assert_int_eq(sc_solver_run_from(s, x, KKT_BATCH, inplace, inplace,
                                        &again), SC_OK);
    ck_assert(memcmp(inplace, warm, sizeof warm) == 0);
    ck_assert(again.iterations == rep.iterations);
    sc_solver_free(s);
}
END_TEST

/* Runs s on `threads` threads into many (batch x KKT_K) and asserts the codes
 * and the report of the run that gave `one` and r1, bit for bit. */
static void assert_same_run(sc_solver *s, const float *x, size_t batch,
                            double threads, const float *one,
                            const sc_solver_report *r1, float *many)
{
    sset(s, SC_SOLVER_PARAM_THREADS, threads);
    sc_solver_report rn = run_ok(s, x, batch, many);
    ck_assert_msg(memcmp(one, many, batch * KKT_K * sizeof *one) == 0,
                  "%s, %g threads: codes differ",
                  method_names[(int)sget(s, SC_SOLVER_PARAM_METHOD)], threads);
    ck_assert(r1->iterations == rn.iterations &&
              r1->converged == rn.converged);
    ck_assert(memcmp(&r1->objective, &rn.objective, sizeof(double)) == 0);
    ck_assert(memcmp(&r1->gap, &rn.gap, sizeof(double)) == 0);
}

/* SC_SOLVER_PARAM_THREADS splits the batch over threads for CoD, CD_ACTIVE and
 * OMP (and is accepted, and changes nothing, for ISTA and FISTA): 1, 2, 3, 7
 * and 0 (one per processor) threads give the same codes and report bit for
 * bit, on a batch of 37 that no count divides evenly. */
START_TEST(threads_give_identical_bits)
{
    const int method = _i;
    enum { B = 37 };
    float d[KKT_N * KKT_K], x[B * KKT_N], one[B * KKT_K], many[B * KKT_K];
    random_dictionary(d, KKT_N, KKT_K, 5151);
    tu_fill(x, B * KKT_N, 5252, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, KKT_N, KKT_K);
    configure(s, method, 0.1, 0, 300, 1e-6);
    if (method == SC_SOLVER_METHOD_OMP)      /* which takes no L2 term */
        sset(s, SC_SOLVER_PARAM_MAX_NONZEROS, 5);
    else
        sset(s, SC_SOLVER_PARAM_L2, 0.05);
    sc_solver_report r1 = run_ok(s, x, B, one);
    const double counts[] = {2, 3, 7, 0};
    for (size_t c = 0; c < 4; c++)
        assert_same_run(s, x, B, counts[c], one, &r1, many);
    sc_solver_free(s);
}
END_TEST

/* ---- blocks: the per-sample methods run a batch in fixed blocks of
 * SC_SOLVER_BLOCK samples (c = X D, the solve, the gap and the objective
 * per block), shared out to the threads. */

enum { BLOCKS_BATCH = 2 * SC_SOLVER_BLOCK + 5 };   /* a short third block */
static const int block_methods[] = {SC_SOLVER_METHOD_COD,
                                    SC_SOLVER_METHOD_CD_ACTIVE,
                                    SC_SOLVER_METHOD_OMP,
                                    SC_SOLVER_METHOD_LARS};

/* A solver on the KKT problem's random dictionary, with atom 0 all
 * positive (for the overflow test), set up for `method`: the lasso
 * methods to the KKT tolerance's setting (kkt_overcomplete), LARS to the
 * exact solution, OMP to 5 atoms. */
static sc_solver *block_solver(float *d, int method)
{
    random_dictionary(d, KKT_N, KKT_K, 7171);
    for (size_t i = 0; i < KKT_N; i++)
        d[i * KKT_K] = 1.0f / sqrtf((float)KKT_N);
    sc_solver *s = make_solver(d, KKT_N, KKT_K);
    configure(s, method, 0.1, 0, 20000, 1e-7);
    sset(s, SC_SOLVER_PARAM_MAX_NONZEROS,
         method == SC_SOLVER_METHOD_OMP ? 5 : 0);
    return s;
}

/* _i indexes block_methods.  Every sample of every block, the short last
 * one too, is solved: the lasso methods meet the optimality conditions
 * to KKT_TOL, OMP's codes hold 1 to 5 atoms and leave less residual than
 * x.  1, 2 and 3 threads give the same codes and report bit for bit, and
 * the report's objective (the blocks' sums added in block order) is
 * sc_solver_objective's of the codes to the bit. */
START_TEST(blocks_solve_every_sample_on_any_thread_count)
{
    const int method = block_methods[_i];
    static float d[KKT_N * KKT_K], x[BLOCKS_BATCH * KKT_N];
    static float one[BLOCKS_BATCH * KKT_K], many[BLOCKS_BATCH * KKT_K];
    sc_solver *s = block_solver(d, method);
    tu_fill(x, BLOCKS_BATCH * KKT_N, 7272, -0.5f, 0.5f);
    sc_solver_report r1 = run_ok(s, x, BLOCKS_BATCH, one);
    double worst = 0.0;
    for (size_t b = 0; b < BLOCKS_BATCH; b++) {
        const float *xb = x + b * KKT_N, *zb = one + b * KKT_K;
        if (method != SC_SOLVER_METHOD_OMP) {
            worst = fmax(worst, kkt_violation(d, KKT_N, KKT_K, xb, zb, 0.1,
                                              0));
            continue;
        }
        double z[MAXK], r[MAXN], g[MAXK], rr = 0.0, xx = 0.0;
        size_t support = 0;
        for (size_t j = 0; j < KKT_K; j++)
            support += zb[j] != 0.0f;
        to_double(zb, KKT_K, z);
        residual_and_gradient(d, KKT_N, KKT_K, xb, z, r, g);
        for (size_t i = 0; i < KKT_N; i++) {
            rr += r[i] * r[i];
            xx += (double)xb[i] * xb[i];
        }
        ck_assert_msg(support >= 1 && support <= 5 && rr < xx,
                      "sample %zu: %zu atoms, |r|^2 %g, |x|^2 %g", b,
                      support, rr, xx);
    }
    ck_assert_msg(worst <= KKT_TOL, "%s: KKT violated by %.3g",
                  method_names[method], worst);
    double objective = objective_of(s, x, one, BLOCKS_BATCH);
    ck_assert(memcmp(&objective, &r1.objective, sizeof objective) == 0);
    for (double threads = 2; threads <= 3; threads++)
        assert_same_run(s, x, BLOCKS_BATCH, threads, one, &r1, many);
    sc_solver_free(s);
}
END_TEST

/* _i indexes block_methods.  One sample whose D^T x overflows float (x =
 * 3e38 (1, ..., 1) along the all-positive atom 0), in the middle block or
 * in the short last one, makes the whole run SC_ERR_RANGE with its
 * message, codes and report untouched, on 1, 2 and 3 threads, cold and
 * warm, although the other blocks are fine. */
START_TEST(overflow_in_one_block_fails_the_run)
{
    const int method = block_methods[_i];
    static float d[KKT_N * KKT_K], x[BLOCKS_BATCH * KKT_N];
    static float codes[BLOCKS_BATCH * KKT_K], start[BLOCKS_BATCH * KKT_K];
    sc_solver *s = block_solver(d, method);
    memset(start, 0, sizeof start);
    const size_t culprits[] = {SC_SOLVER_BLOCK + 3, BLOCKS_BATCH - 1};
    for (size_t c = 0; c < 2; c++) {
        tu_fill(x, BLOCKS_BATCH * KKT_N, 7373, -0.5f, 0.5f);
        for (size_t i = 0; i < KKT_N; i++)
            x[culprits[c] * KKT_N + i] = 3e38f;
        for (double threads = 1; threads <= 3; threads++) {
            sset(s, SC_SOLVER_PARAM_THREADS, threads);
            for (int warm = 0; warm <= 1; warm++) {
                sc_solver_report rep = {.size = sizeof rep, .iterations = 77};
                fill_sentinel(codes, BLOCKS_BATCH * KKT_K);
                sc_status st =
                    warm ? sc_solver_run_from(s, x, BLOCKS_BATCH, start, codes,
                                              &rep)
                         : sc_solver_run(s, x, BLOCKS_BATCH, codes, &rep);
                ck_assert_msg(st == SC_ERR_RANGE, "%s, sample %zu, %g "
                              "threads, warm %d: %s (%s)",
                              method_names[method], culprits[c], threads, warm,
                              sc_status_string(st), sc_last_message());
                TU_ASSERT_CONTAINS(sc_last_message(),
                                   "x is too large for the dictionary");
                assert_sentinel(codes, BLOCKS_BATCH * KKT_K);
                ck_assert_uint_eq(rep.iterations, 77);
            }
        }
    }
    sc_solver_free(s);
}
END_TEST

/* CD_ACTIVE's stopping: tolerance 0 runs until the cap (1, 2, 5 sweeps:
 * not converged, far from a fixed point); a loose tolerance (1e-2)
 * converges early with a gap at most that; the reported gap falls as the
 * cap grows. */
START_TEST(cd_active_report_and_stopping)
{
    float d[KKT_N * KKT_K], x[KKT_BATCH * KKT_N], codes[KKT_BATCH * KKT_K];
    random_dictionary(d, KKT_N, KKT_K, 5353);
    tu_fill(x, KKT_BATCH * KKT_N, 5454, -0.5f, 0.5f);
    sc_solver *s = make_solver(d, KKT_N, KKT_K);
    const double caps[] = {1, 2, 5};
    double previous = INFINITY;
    for (size_t c = 0; c < 3; c++) {
        configure(s, SC_SOLVER_METHOD_CD_ACTIVE, 0.1, 0, caps[c], 0);
        sc_solver_report rep = run_ok(s, x, KKT_BATCH, codes);
        ck_assert_msg(rep.iterations == (uint64_t)caps[c], "cap %g: %llu "
                      "sweeps", caps[c], (unsigned long long)rep.iterations);
        ck_assert_int_eq(rep.converged, 0);
        ck_assert(rep.gap > 0.0 && rep.gap < previous);
        previous = rep.gap;
        ck_assert(rel_close(rep.objective,
                            objective_of(s, x, codes, KKT_BATCH), 1e-5));
    }
    configure(s, SC_SOLVER_METHOD_CD_ACTIVE, 0.1, 0, 5000, 1e-2);
    sc_solver_report rep = run_ok(s, x, KKT_BATCH, codes);
    ck_assert(rep.converged == 1 && rep.gap <= 1e-2);
    ck_assert(rep.iterations >= 1 && rep.iterations < 5000);
    sc_solver_free(s);
}
END_TEST

/* A caller compiled against the older sc_solver_report (without gap)
 * passes its smaller size: the run writes that much and no more, with the
 * same values as a full report. */
typedef struct {
    size_t size;
    uint64_t iterations;
    double objective;
    int converged;
} report_before_gap;

START_TEST(report_old_size_still_works)
{
    enum { N = 6, K = 8, B = 2 };
    float d[N * K], x[B * N], codes[B * K];
    random_dictionary(d, N, K, 5555);
    tu_fill(x, B * N, 5656, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, N, K);
    configure(s, SC_SOLVER_METHOD_CD_ACTIVE, 0.1, 0, 100, 1e-6);
    sc_solver_report full = run_ok(s, x, B, codes);
    union {
        report_before_gap old;
        unsigned char bytes[sizeof(sc_solver_report) + 16];
    } buffer;
    memset(&buffer, 0xA5, sizeof buffer);
    buffer.old.size = sizeof buffer.old;
    ck_assert_int_eq(sc_solver_run(s, x, B, codes,
                                   (sc_solver_report *)(void *)&buffer),
                     SC_OK);
    ck_assert(buffer.old.iterations == full.iterations);
    ck_assert(buffer.old.objective == full.objective);
    ck_assert(buffer.old.converged == full.converged);
    for (size_t i = sizeof buffer.old; i < sizeof buffer.bytes; i++)
        ck_assert_msg(buffer.bytes[i] == 0xA5, "byte %zu past the old "
                      "report was written", i);
    sc_solver_free(s);
}
END_TEST

/* sc_solver_run_from's own errors, each with codes and report untouched;
 * and CD_ACTIVE refuses the group term like CoD. */
START_TEST(run_from_rejects_bad_input)
{
    enum { N = 6, K = 8, B = 3 };
    float d[N * K], x[B * N], start[B * K], codes[B * K];
    random_dictionary(d, N, K, 5757);
    tu_fill(x, B * N, 5858, -1.0f, 1.0f);
    tu_fill(start, B * K, 5959, 0.0f, 1.0f);
    sc_solver *s = make_solver(d, N, K);
    sc_solver_report rep, copy;
    memset(&rep, 0x5A, sizeof rep);
    rep.size = sizeof rep;
    memcpy(&copy, &rep, sizeof rep);

#define EXPECT_FROM(solver, xs, batch, st, r, expected)                      \
    do {                                                                     \
        fill_sentinel(codes, B * K);                                         \
        ck_assert_int_eq(sc_solver_run_from((solver), (xs), (batch), (st),   \
                                            codes, (r)), (expected));        \
        assert_sentinel(codes, B * K);                                       \
        ck_assert(memcmp(&rep, &copy, sizeof rep) == 0);                     \
        TU_ASSERT_CONTAINS(sc_last_message(), "sc_solver_run_from");         \
    } while (0)

    EXPECT_FROM(NULL, x, B, start, &rep, SC_ERR_NULL);
    EXPECT_FROM(s, NULL, B, start, &rep, SC_ERR_NULL);
    EXPECT_FROM(s, x, B, NULL, &rep, SC_ERR_NULL);
    EXPECT_FROM(s, x, 0, start, &rep, SC_ERR_SIZE);
    float bad[B * K];
    const float nonfinite[] = {NAN, INFINITY, -INFINITY};
    for (size_t v = 0; v < 3; v++) {
        memcpy(bad, start, sizeof bad);
        bad[B * K - 1] = nonfinite[v];
        EXPECT_FROM(s, x, B, bad, &rep, SC_ERR_NONFINITE);
    }
    /* a negative start is fine for the signed problem ... */
    memcpy(bad, start, sizeof bad);
    bad[5] = -0.25f;
    ck_assert_int_eq(sc_solver_run_from(s, x, B, bad, codes, NULL), SC_OK);
    /* ... and out of range with z >= 0, for every method */
    sset(s, SC_SOLVER_PARAM_NONNEGATIVE, 1);
    for (int method = 0; method <= SC_SOLVER_METHOD_OMP; method++) {
        sset(s, SC_SOLVER_PARAM_METHOD, method);
        EXPECT_FROM(s, x, B, bad, &rep, SC_ERR_RANGE);
    }
    sset(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_CD_ACTIVE);
    ck_assert_int_eq(sc_solver_run_from(s, x, B, start, codes, NULL), SC_OK);
    /* the group term: ISTA and FISTA only */
    sset(s, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS);
    sset(s, SC_SOLVER_PARAM_GROUP_WEIGHT, 0.3);
    sset(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_CD_ACTIVE);
    EXPECT_FROM(s, x, B, start, &rep, SC_ERR_STATE);
    TU_ASSERT_CONTAINS(sc_last_message(), "SC_SOLVER_METHOD_CD_ACTIVE");
    fill_sentinel(codes, B * K);
    ck_assert_int_eq(sc_solver_run(s, x, B, codes, NULL), SC_ERR_STATE);
    assert_sentinel(codes, B * K);
    sset(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_FISTA);
    ck_assert_int_eq(sc_solver_run_from(s, x, B, start, codes, NULL), SC_OK);
#undef EXPECT_FROM
    sc_solver_free(s);
}
END_TEST

/* ---- overflow: reported, never SC_OK with non-finite values (issue 14,
 * item 8).  Inputs whose D^T D or D^T x overflow float are SC_ERR_RANGE
 * ("too large"); codes or an objective that overflow while solving are
 * SC_ERR_NONFINITE ("overflowed").  Either way nothing is written. */

START_TEST(create_reports_overflow_and_underflow)
{
    enum { N = 6, K = 8 };
    float d[N * K], scaled[N * K];
    random_dictionary(d, N, K, 4141);
    sc_solver *s = (sc_solver *)&s;   /* must stay untouched */
    /* columns of norm 1e20: D^T D holds 1e40, beyond float */
    for (size_t i = 0; i < N * K; i++)
        scaled[i] = d[i] * 1e20f;
    ck_assert_int_eq(sc_solver_create(&s, scaled, N, K), SC_ERR_RANGE);
    TU_ASSERT_CONTAINS(sc_last_message(), "too large");
    ck_assert(s == (sc_solver *)&s);
    /* columns of norm 1e-30: D^T D underflows to 0 but D is not zero */
    for (size_t i = 0; i < N * K; i++)
        scaled[i] = d[i] * 1e-30f;
    ck_assert_int_eq(sc_solver_create(&s, scaled, N, K), SC_ERR_RANGE);
    TU_ASSERT_CONTAINS(sc_last_message(), "too small");
    ck_assert(s == (sc_solver *)&s);
    /* a zero dictionary is still called zero */
    memset(scaled, 0, sizeof scaled);
    ck_assert_int_eq(sc_solver_create(&s, scaled, N, K), SC_ERR_RANGE);
    TU_ASSERT_CONTAINS(sc_last_message(), "is zero");
}
END_TEST

/* Asserts the overflow contract of one run: SC_OK with finite codes and
 * a finite objective, or SC_ERR_RANGE / SC_ERR_NONFINITE (as `expected`
 * demands when it is not SC_OK) with codes and report untouched. */
static sc_status run_overflow_case(const sc_solver *s, const float *x,
                                   size_t batch, const float *start,
                                   size_t k, sc_status expected,
                                   const char *what)
{
    float codes[4 * MAXK];
    ck_assert(batch * k <= 4 * MAXK);
    sc_solver_report rep = {.size = sizeof rep, .iterations = 77};
    fill_sentinel(codes, batch * k);
    sc_status st = start != NULL
                       ? sc_solver_run_from(s, x, batch, start, codes, &rep)
                       : sc_solver_run(s, x, batch, codes, &rep);
    if (expected != SC_OK)
        ck_assert_msg(st == expected, "%s: %s (%s)", what, sc_status_string(st),
                      sc_last_message());
    if (st == SC_OK) {
        for (size_t i = 0; i < batch * k; i++)
            ck_assert_msg(isfinite(codes[i]), "%s: SC_OK with code %zu = %g",
                          what, i, (double)codes[i]);
        ck_assert_msg(isfinite(rep.objective), "%s: objective %g", what,
                      rep.objective);
        return st;
    }
    ck_assert_msg(st == SC_ERR_RANGE || st == SC_ERR_NONFINITE, "%s: %s",
                  what, sc_status_string(st));
    TU_ASSERT_CONTAINS(sc_last_message(),
                       st == SC_ERR_RANGE ? "too large" : "overflowed");
    assert_sentinel(codes, batch * k);
    ck_assert_uint_eq(rep.iterations, 77);
    return st;
}

/* _i = method.  Two atoms 1e-3 apart: x = 1e38 e_2 has least-squares
 * codes of about 1e41, beyond float (CoD reaches Inf, on main it returned
 * SC_OK with them; OMP's least-squares fit on both atoms is that 1e41,
 * SC_ERR_NONFINITE; the other methods stop short with finite codes).  Then
 * x = 3e38 (1, ..., 1) along an all-positive atom of a random dictionary:
 * D^T x = sqrt(6) 3e38 overflows before any iteration, SC_ERR_RANGE for
 * every method.  Cold and warm runs alike. */
START_TEST(run_reports_overflow)
{
    enum { N = 6, K = 8, B = 2 };
    const int method = _i;
    const float eps = 1e-3f, norm = sqrtf(1.0f + eps * eps);
    const float near[2 * 2] = {1.0f, 1.0f / norm, 0.0f, eps / norm};
    const float x_near[2] = {0.0f, 1e38f}, zero2[2] = {0.0f, 0.0f};
    sc_solver *s = make_solver(near, 2, 2);
    sset(s, SC_SOLVER_PARAM_METHOD, method);
    sset(s, SC_SOLVER_PARAM_LAMBDA, 0.0);
    sset(s, SC_SOLVER_PARAM_MAX_ITERATIONS, 1e5);
    sset(s, SC_SOLVER_PARAM_TOLERANCE, 0.0);
    sc_status cod = method == SC_SOLVER_METHOD_COD ? SC_ERR_NONFINITE : SC_OK;
    run_overflow_case(s, x_near, 1, NULL, 2, cod, "near atoms, cold");
    run_overflow_case(s, x_near, 1, zero2, 2, cod, "near atoms, warm");
    sc_solver_free(s);

    float d[N * K], x[B * N], start[B * K];
    random_dictionary(d, N, K, 4242);
    for (size_t i = 0; i < N; i++)
        d[i * K] = 1.0f / sqrtf((float)N);   /* atom 0: all positive */
    s = make_solver(d, N, K);
    sset(s, SC_SOLVER_PARAM_METHOD, method);
    for (size_t i = 0; i < B * N; i++)
        x[i] = 3e38f;
    memset(start, 0, sizeof start);
    run_overflow_case(s, x, B, NULL, K, SC_ERR_RANGE, "D^T x, cold");
    run_overflow_case(s, x, B, start, K, SC_ERR_RANGE, "D^T x, warm");
    /* 1e38: whatever the method reaches, never SC_OK with Inf */
    for (size_t i = 0; i < B * N; i++)
        x[i] = 1e38f;
    run_overflow_case(s, x, B, NULL, K, SC_OK, "x = 1e38, cold");
    run_overflow_case(s, x, B, start, K, SC_OK, "x = 1e38, warm");
    sc_solver_free(s);
}
END_TEST

START_TEST(objective_reports_overflow)
{
    enum { N = 6, K = 8, B = 2 };
    float d[N * K], x[B * N], z[B * K];
    random_dictionary(d, N, K, 4343);
    for (size_t i = 0; i < N; i++)
        d[i * K] = 1.0f / sqrtf((float)N);
    tu_fill(x, B * N, 4444, -1.0f, 1.0f);
    /* z = 3e38 on the all-positive atom: D z = 3e38 / sqrt(6) per
     * coordinate, finite; with every code 3e38, D z overflows */
    sc_solver *s = make_solver(d, N, K);
    double obj = 42.0;
    for (size_t i = 0; i < B * K; i++)
        z[i] = 3e38f;
    ck_assert_int_eq(sc_solver_objective(s, x, z, B, &obj),
                     SC_ERR_NONFINITE);
    TU_ASSERT_CONTAINS(sc_last_message(), "overflowed");
    ck_assert(obj == 42.0);
    /* the documented +Inf for a negative code under the constraint stays */
    sset(s, SC_SOLVER_PARAM_NONNEGATIVE, 1);
    memset(z, 0, sizeof z);
    z[3] = -1.0f;
    ck_assert_int_eq(sc_solver_objective(s, x, z, B, &obj), SC_OK);
    ck_assert(isinf(obj) && obj > 0);
    sc_solver_free(s);
}
END_TEST

/* ---- OMP ------------------------------------------------------------------ */

/* The least-squares fit of x on the m atoms `support` of D, in double (the
 * normal equations by Gaussian elimination with partial pivoting); returns
 * |x - D_S coef|^2. */
static double least_squares(const float *d, size_t n, size_t k,
                            const float *x, const size_t *support, size_t m,
                            double *coef)
{
    double a[MAXK][MAXK + 1];
    ck_assert(m <= MAXK);
    for (size_t p = 0; p < m; p++) {
        for (size_t q = 0; q <= m; q++) {
            double sum = 0.0;
            for (size_t i = 0; i < n; i++)
                sum += (double)d[i * k + support[p]] *
                       (q < m ? (double)d[i * k + support[q]] : (double)x[i]);
            a[p][q] = sum;
        }
    }
    for (size_t c = 0; c < m; c++) {
        size_t pivot = c;
        for (size_t r = c + 1; r < m; r++)
            if (fabs(a[r][c]) > fabs(a[pivot][c]))
                pivot = r;
        for (size_t q = 0; q <= m; q++) {
            double t = a[c][q];
            a[c][q] = a[pivot][q];
            a[pivot][q] = t;
        }
        ck_assert(a[c][c] != 0.0);
        for (size_t r = c + 1; r < m; r++) {
            double f = a[r][c] / a[c][c];
            for (size_t q = c; q <= m; q++)
                a[r][q] -= f * a[c][q];
        }
    }
    for (size_t c = m; c-- > 0;) {
        double v = a[c][m];
        for (size_t q = c + 1; q < m; q++)
            v -= a[c][q] * coef[q];
        coef[c] = v / a[c][c];
    }
    double full[MAXK] = {0}, r[MAXN], g[MAXK], rr = 0.0;
    for (size_t p = 0; p < m; p++)
        full[support[p]] = coef[p];
    residual_and_gradient(d, n, k, x, full, r, g);
    for (size_t i = 0; i < n; i++)
        rr += r[i] * r[i];
    return rr;
}

/* |x - D z|^2 in double for one float code. */
static double squared_residual(const float *d, size_t n, size_t k,
                               const float *x, const float *zf)
{
    double z[MAXK], r[MAXN], g[MAXK], rr = 0.0;
    to_double(zf, k, z);
    residual_and_gradient(d, n, k, x, z, r, g);
    for (size_t i = 0; i < n; i++)
        rr += r[i] * r[i];
    return rr;
}

/* The support of a code, in increasing order; returns its size. */
static size_t support_of(const float *z, size_t k, size_t *support)
{
    size_t m = 0;
    for (size_t j = 0; j < k; j++)
        if (z[j] != 0.0f)
            support[m++] = j;
    return m;
}

static void configure_omp(sc_solver *s, double nonzeros, double residual)
{
    sset(s, SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_OMP);
    sset(s, SC_SOLVER_PARAM_MAX_NONZEROS, nonzeros);
    sset(s, SC_SOLVER_PARAM_MAX_RESIDUAL, residual);
}

#define OMP_N 12
#define OMP_K 24
#define OMP_BATCH 8

/* OMP's support is what greedy selection picks and its coefficients are
 * the least-squares fit on it.  The reference replays greedy selection in
 * double from D: at each step, among the atoms of OMP's support not yet
 * taken, the one of largest |d_j^T r| must be the largest over all atoms
 * not yet taken (to 1e-5 relative: the solver's c and G are float; by
 * measurement the top two correlations were never within 3.5e-4
 * relative of each other here, so no near-tie decides); it is taken, and
 * r becomes the residual of the least-squares fit.  The code then equals
 * that fit to 1e-5 of its largest entry (float G on supports of <= 6
 * unit atoms in 12 dimensions; largest seen 3.4e-7). */
START_TEST(omp_greedy_least_squares)
{
    const size_t sizes[] = {1, 2, 3, 6};
    const size_t want = sizes[_i % 4];
    float d[OMP_N * OMP_K], x[OMP_BATCH * OMP_N], codes[OMP_BATCH * OMP_K];
    random_dictionary(d, OMP_N, OMP_K, 6100 + (uint64_t)_i);
    tu_fill(x, OMP_BATCH * OMP_N, 6200 + (uint64_t)_i, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, OMP_N, OMP_K);
    configure_omp(s, (double)want, 0.0);
    sc_solver_report rep = run_ok(s, x, OMP_BATCH, codes);
    ck_assert_int_eq(rep.converged, 1);
    ck_assert_uint_eq(rep.iterations, want);
    double closest_tie = INFINITY, worst_coef = 0.0;
    for (size_t b = 0; b < OMP_BATCH; b++) {
        const float *xb = x + b * OMP_N, *zb = codes + b * OMP_K;
        size_t omp_support[MAXK], taken[MAXK];
        int in_omp[MAXK] = {0}, in_taken[MAXK] = {0};
        size_t m = support_of(zb, OMP_K, omp_support);
        ck_assert_uint_eq(m, want);
        for (size_t q = 0; q < m; q++)
            in_omp[omp_support[q]] = 1;
        double coef[MAXK], full[MAXK] = {0}, r[MAXN], g[MAXK];
        for (size_t step = 0; step < m; step++) {
            residual_and_gradient(d, OMP_N, OMP_K, xb, full, r, g);
            double top = 0.0, second = 0.0, pick_value = -1.0;
            size_t pick = OMP_K;
            for (size_t j = 0; j < OMP_K; j++) {
                if (in_taken[j])
                    continue;
                double a = fabs(g[j]);
                if (a > top) {
                    second = top;
                    top = a;
                } else if (a > second) {
                    second = a;
                }
                if (in_omp[j] && a > pick_value) {
                    pick_value = a;
                    pick = j;
                }
            }
            ck_assert(pick < OMP_K);
            ck_assert_msg(pick_value >= top * (1.0 - 1e-5), "sample %zu, "
                          "step %zu: OMP took atom %zu, |d^T r| = %g, while "
                          "the largest is %g", b, step, pick, pick_value,
                          top);
            closest_tie = fmin(closest_tie, (top - second) / top);
            taken[step] = pick;
            in_taken[pick] = 1;
            least_squares(d, OMP_N, OMP_K, xb, taken, step + 1, coef);
            memset(full, 0, sizeof full);
            for (size_t q = 0; q <= step; q++)
                full[taken[q]] = coef[q];
        }
        double scale = 0.0;
        for (size_t j = 0; j < OMP_K; j++)
            scale = fmax(scale, fabs(full[j]));
        for (size_t j = 0; j < OMP_K; j++) {
            double err = fabs((double)zb[j] - full[j]) / scale;
            worst_coef = fmax(worst_coef, err);
            ck_assert_msg(err <= 1e-5, "sample %zu, z[%zu] = %.9g, least "
                          "squares %.9g", b, j, (double)zb[j], full[j]);
        }
    }
    measured("omp closest tie", "greedy", closest_tie);
    measured("omp coefficient error", "greedy", worst_coef);
    sc_solver_free(s);
}
END_TEST

/* On an orthonormal D, OMP with s non-zeros is the best s-term
 * approximation: its support is the best of all C(8, s) supports found
 * by exhaustive search, and its squared residual that minimum (1e-5). */
START_TEST(omp_orthonormal_best_s_term)
{
    enum { N = 8, B = 6 };
    const size_t want = 1 + (size_t)_i;
    float d[N * N], x[B * N], codes[B * N];
    random_orthogonal(d, N, 6300 + (uint64_t)_i);
    tu_fill(x, B * N, 6400 + (uint64_t)_i, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, N, N);
    configure_omp(s, (double)want, 0.0);
    run_ok(s, x, B, codes);
    for (size_t b = 0; b < B; b++) {
        double best = INFINITY, coef[MAXK];
        unsigned best_mask = 0;
        for (unsigned mask = 0; mask < (1u << N); mask++) {
            size_t support[N], m = 0;
            for (size_t j = 0; j < N; j++)
                if (mask & (1u << j))
                    support[m++] = j;
            if (m != want)
                continue;
            double rr = least_squares(d, N, N, x + b * N, support, m, coef);
            if (rr < best) {
                best = rr;
                best_mask = mask;
            }
        }
        unsigned omp_mask = 0;
        for (size_t j = 0; j < N; j++)
            if (codes[b * N + j] != 0.0f)
                omp_mask |= 1u << j;
        ck_assert_msg(omp_mask == best_mask, "sample %zu, s = %zu: OMP's "
                      "support %#x, the best %#x", b, want, omp_mask,
                      best_mask);
        double rr = squared_residual(d, N, N, x + b * N, codes + b * N);
        ck_assert_msg(fabs(rr - best) <= 1e-5 * fmax(best, 1e-3),
                      "sample %zu: residual %.9g, best %.9g", b, rr, best);
    }
    sc_solver_free(s);
}
END_TEST

/* Two non-zeros on random overcomplete dictionaries, against exhaustive
 * search over all C(24, 2) pairs: OMP's pair is a 2-term fit, so its
 * squared residual is at least the best pair's, and it is the residual
 * of the least-squares fit on that pair (1e-5 relative): greedy need not
 * find the best pair, and the test does not ask it to. */
START_TEST(omp_two_atoms_against_all_pairs)
{
    float d[OMP_N * OMP_K], x[OMP_BATCH * OMP_N], codes[OMP_BATCH * OMP_K];
    random_dictionary(d, OMP_N, OMP_K, 6500 + (uint64_t)_i);
    tu_fill(x, OMP_BATCH * OMP_N, 6600 + (uint64_t)_i, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, OMP_N, OMP_K);
    configure_omp(s, 2, 0.0);
    run_ok(s, x, OMP_BATCH, codes);
    size_t optimal = 0;
    for (size_t b = 0; b < OMP_BATCH; b++) {
        const float *xb = x + b * OMP_N;
        double best = INFINITY, coef[2];
        for (size_t i = 0; i < OMP_K; i++)
            for (size_t j = i + 1; j < OMP_K; j++) {
                size_t pair[2] = {i, j};
                best = fmin(best, least_squares(d, OMP_N, OMP_K, xb, pair, 2,
                                                coef));
            }
        size_t pair[MAXK];
        ck_assert_uint_eq(support_of(codes + b * OMP_K, OMP_K, pair), 2);
        double fit = least_squares(d, OMP_N, OMP_K, xb, pair, 2, coef);
        double rr = squared_residual(d, OMP_N, OMP_K, xb, codes + b * OMP_K);
        ck_assert_msg(rel_close(rr, fit, 1e-5), "sample %zu: residual %.9g, "
                      "least squares on its pair %.9g", b, rr, fit);
        ck_assert_msg(rr >= best * (1.0 - 1e-5), "sample %zu: residual "
                      "%.9g below the best pair's %.9g", b, rr, best);
        optimal += rr <= best * (1.0 + 1e-5);
    }
    measured("omp pairs that are the best pair", "of 8", (double)optimal);
    sc_solver_free(s);
}
END_TEST

/* The residual stop (no count limit): every code has |x - D z|^2 <= eps,
 * and is the first that does along the greedy path: run alone, it equals,
 * bit for bit, the code OMP returns with its number m of non-zeros as the
 * only stop, and the code with m - 1 non-zeros has a residual above eps.
 * (Alone, both times: the sgemm c = X D may round a sample differently in
 * a batch of 1 than in a larger one, e.g. with the kernel OpenBLAS picks
 * under valgrind.)  An eps at least |x|^2 gives the zero code. */
START_TEST(omp_residual_stop)
{
    const double eps = 0.05 + 0.25 * _i;
    float d[OMP_N * OMP_K], x[OMP_BATCH * OMP_N], codes[OMP_BATCH * OMP_K];
    float one[OMP_K];
    random_dictionary(d, OMP_N, OMP_K, 6700 + (uint64_t)_i);
    tu_fill(x, OMP_BATCH * OMP_N, 6800 + (uint64_t)_i, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, OMP_N, OMP_K);
    configure_omp(s, 0, eps);
    sc_solver_report rep = run_ok(s, x, OMP_BATCH, codes);
    ck_assert_int_eq(rep.converged, 1);
    size_t most = 0;
    for (size_t b = 0; b < OMP_BATCH; b++) {
        const float *xb = x + b * OMP_N, *zb = codes + b * OMP_K;
        size_t support[MAXK], m = support_of(zb, OMP_K, support);
        most = m > most ? m : most;
        double rr = squared_residual(d, OMP_N, OMP_K, xb, zb);
        ck_assert_msg(rr <= eps * (1.0 + 1e-5), "sample %zu: residual %.9g "
                      "above %g with %zu atoms", b, rr, eps, m);
        ck_assert(m >= 1);   /* |x|^2 is about 4 > eps */
        float alone[OMP_K];
        configure_omp(s, 0, eps);
        run_ok(s, xb, 1, alone);
        size_t ma = support_of(alone, OMP_K, support);
        ck_assert(ma >= 1);
        configure_omp(s, (double)ma, 0.0);
        run_ok(s, xb, 1, one);
        ck_assert_msg(memcmp(one, alone, sizeof one) == 0, "sample %zu: the "
                      "residual stop at %zu atoms differs from the count "
                      "stop", b, ma);
        if (ma > 1) {
            configure_omp(s, (double)(ma - 1), 0.0);
            run_ok(s, xb, 1, one);
            ck_assert_msg(squared_residual(d, OMP_N, OMP_K, xb, one) > eps,
                          "sample %zu: %zu atoms already met %g", b, ma - 1,
                          eps);
        }
        configure_omp(s, 0, eps);
    }
    ck_assert_uint_eq(rep.iterations, most);
    /* eps >= |x|^2: nothing to fit */
    configure_omp(s, 0, 1e6);
    fill_sentinel(codes, OMP_BATCH * OMP_K);
    rep = run_ok(s, x, OMP_BATCH, codes);
    for (size_t i = 0; i < OMP_BATCH * OMP_K; i++)
        ck_assert(codes[i] == 0.0f);
    ck_assert(rep.iterations == 0 && rep.converged == 1);
    sc_solver_free(s);
}
END_TEST

/* OMP ignores lambda and the warm start: sc_solver_run_from from any
 * start, and any lambda, give the codes of sc_solver_run bit for bit; the
 * report's objective is the lasso objective at them (with the solver's
 * lambda) and its gap the relative duality gap there. */
START_TEST(omp_ignores_lambda_and_start)
{
    float d[OMP_N * OMP_K], x[OMP_BATCH * OMP_N], start[OMP_BATCH * OMP_K];
    float cold[OMP_BATCH * OMP_K], warm[OMP_BATCH * OMP_K];
    random_dictionary(d, OMP_N, OMP_K, 6900);
    tu_fill(x, OMP_BATCH * OMP_N, 7000, -1.0f, 1.0f);
    tu_fill(start, OMP_BATCH * OMP_K, 7100, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, OMP_N, OMP_K);
    configure_omp(s, 4, 0.0);
    sset(s, SC_SOLVER_PARAM_LAMBDA, 0.1);
    sc_solver_report rep = run_ok(s, x, OMP_BATCH, cold);
    ck_assert(rel_close(rep.objective,
                        batch_objective_ref(d, OMP_N, OMP_K, x, cold,
                                            OMP_BATCH, 0.1, 0.0, 0),
                        1e-5));
    ck_assert(isfinite(rep.gap) && rep.gap > 0.0);
    sc_solver_report wrep = {.size = sizeof wrep};
    ck_assert_int_eq(sc_solver_run_from(s, x, OMP_BATCH, start, warm, &wrep),
                     SC_OK);
    ck_assert(memcmp(cold, warm, sizeof cold) == 0);
    ck_assert(wrep.iterations == rep.iterations &&
              memcmp(&wrep.objective, &rep.objective, sizeof(double)) == 0);
    sset(s, SC_SOLVER_PARAM_LAMBDA, 0.0);
    run_ok(s, x, OMP_BATCH, warm);
    ck_assert(memcmp(cold, warm, sizeof cold) == 0);
    sc_solver_free(s);
}
END_TEST

/* OMP refuses z >= 0, the L2 term and the group term with SC_ERR_STATE
 * and a message naming it, from sc_solver_run and sc_solver_run_from,
 * codes untouched; a count of 0 means min(n, k). */
START_TEST(omp_rejects_unsupported_terms)
{
    enum { N = 6, K = 8, B = 3 };
    float d[N * K], x[B * N], codes[B * K], start[B * K] = {0};
    random_dictionary(d, N, K, 7200);
    tu_fill(x, B * N, 7300, -1.0f, 1.0f);
    sc_solver *s = make_solver(d, N, K);
    configure_omp(s, 3, 0.0);
    for (int term = 0; term < 3; term++) {
        if (term == 0)
            sset(s, SC_SOLVER_PARAM_NONNEGATIVE, 1);
        else if (term == 1)
            sset(s, SC_SOLVER_PARAM_L2, 0.1);
        else {
            sset(s, SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS);
            sset(s, SC_SOLVER_PARAM_GROUP_WEIGHT, 0.3);
        }
        fill_sentinel(codes, B * K);
        ck_assert_int_eq(sc_solver_run(s, x, B, codes, NULL), SC_ERR_STATE);
        TU_ASSERT_CONTAINS(sc_last_message(), "SC_SOLVER_METHOD_OMP");
        TU_ASSERT_CONTAINS(sc_last_message(), term == 0 ? "NONNEGATIVE"
                                              : term == 1 ? "SC_SOLVER_PARAM_L2"
                                                          : "group term");
        ck_assert_int_eq(sc_solver_run_from(s, x, B, start, codes, NULL),
                         SC_ERR_STATE);
        assert_sentinel(codes, B * K);
        sset(s, SC_SOLVER_PARAM_NONNEGATIVE, 0);
        sset(s, SC_SOLVER_PARAM_L2, 0);
        sset(s, SC_SOLVER_PARAM_GROUP_WEIGHT, 0);
    }
    /* a group layout with weight 0 is no group term */
    run_ok(s, x, B, codes);
    size_t support[MAXK];
    configure_omp(s, 0, 0.0);      /* up to min(n, k) = 6 atoms */
    sc_solver_report rep = run_ok(s, x, B, codes);
    ck_assert(rep.iterations >= 1 && rep.iterations <= N);
    for (size_t b = 0; b < B; b++)
        ck_assert(support_of(codes + b * K, K, support) <= N);
    configure_omp(s, 1e6, 0.0);    /* more than min(n, k): the same */
    float again[B * K];
    run_ok(s, x, B, again);
    ck_assert(memcmp(codes, again, sizeof again) == 0);
    sc_solver_free(s);
}
END_TEST

/* An atom that is (in float) a combination of the support stops its code
 * there, not converged: d1 = (1, 1e-6) / |.| rounds to a unit vector
 * whose Gram entries with d0 = e0 are all 1 in float, so after d1
 * (the larger correlation with x = (1, 0.5)) the factor's pivot for d0
 * is 0; the code is the fit on d1 alone, c_1 / G_11. */
START_TEST(omp_dependent_atom_stops)
{
    enum { N = 4, K = 2 };
    const float d[N * K] = {1.0f, 1.0f, 0.0f, 1e-6f, 0.0f, 0.0f, 0.0f, 0.0f};
    const float x[N] = {1.0f, 0.5f, 0.0f, 0.0f};
    float codes[K];
    sc_solver *s = make_solver(d, N, K);
    configure_omp(s, 2, 0.0);
    sc_solver_report rep = run_ok(s, x, 1, codes);
    ck_assert_int_eq(rep.converged, 0);
    ck_assert_uint_eq(rep.iterations, 1);
    ck_assert(codes[0] == 0.0f);
    ck_assert(rel_close(codes[1], 1.0 + 0.5e-6, 1e-7));
    sc_solver_free(s);
}
END_TEST

Suite *solver_suite(void)
{
    Suite *s = suite_create("solver");

    TCase *tc = tcase_create("closed_form");
    tcase_add_loop_test(tc, orthogonal_closed_form, 0, 8);
    tcase_add_loop_test(tc, one_atom_closed_form, 0, 8);
    tcase_add_loop_test(tc, group_orthogonal_closed_form, 0, 4);
    tcase_add_test(tc, objective_matches_formula);
    suite_add_tcase(s, tc);

    tc = tcase_create("optimality");
    tcase_add_loop_test(tc, kkt_overcomplete, 0, 8);
    tcase_add_loop_test(tc, cd_active_large_and_dependent_supports, 0, 4);
    tcase_add_loop_test(tc, fista_ahead_of_ista_when_ill_conditioned, 0, 2);
    tcase_add_loop_test(tc, cod_agrees_with_fista, 0, 2);
    tcase_add_loop_test(tc, sparse_gradient_matches_dense, 0, 4);
    tcase_add_loop_test(tc, group_block_kkt, 0, 2);
    tcase_add_loop_test(tc, group_topographic, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("report");
    tcase_add_loop_test(tc, report_iterations_and_convergence, 0, 3);
    tcase_add_test(tc, report_size_too_small);
    suite_add_tcase(s, tc);

    tc = tcase_create("plan_once");
    tcase_add_loop_test(tc, runs_are_reproducible, 0, 4);
    tcase_add_loop_test(tc, batch_of_one_matches_rows, 0, 4);
    tcase_add_loop_test(tc, concurrent_runs_match_serial, 0, 4);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, create_rejects_bad_input);
    tcase_add_test(tc, bounds_and_defaults);
    tcase_add_test(tc, params_unknown_and_null);
    tcase_add_test(tc, params_out_of_range);
    tcase_add_test(tc, group_geometry_checked);
    tcase_add_test(tc, run_rejects_bad_input);
    tcase_add_test(tc, objective_rejects_bad_input);
    tcase_add_test(tc, lipschitz_bounds_top_eigenvalue);
    tcase_add_test(tc, run_from_rejects_bad_input);
    tcase_add_test(tc, create_reports_overflow_and_underflow);
    tcase_add_loop_test(tc, run_reports_overflow, 0, 5);
    tcase_add_test(tc, objective_reports_overflow);
    suite_add_tcase(s, tc);

    tc = tcase_create("elastic_net_cd_warm_threads");
    tcase_add_loop_test(tc, elastic_net_orthogonal_closed_form, 0, 8);
    tcase_add_loop_test(tc, cd_active_reaches_fista_optimum, 0, 8);
    tcase_add_loop_test(tc, report_gap_matches_definition, 0, 16);
    tcase_add_loop_test(tc, warm_start_from_optimum, 0, 8);
    tcase_add_loop_test(tc, threads_give_identical_bits, 0, 5);
    tcase_add_loop_test(tc, blocks_solve_every_sample_on_any_thread_count, 0,
                        4);
    tcase_add_loop_test(tc, overflow_in_one_block_fails_the_run, 0, 4);
    tcase_add_test(tc, cd_active_report_and_stopping);
    tcase_add_test(tc, report_old_size_still_works);
    suite_add_tcase(s, tc);

    tc = tcase_create("omp");
    tcase_add_loop_test(tc, omp_greedy_least_squares, 0, 8);
    tcase_add_loop_test(tc, omp_orthonormal_best_s_term, 0, 4);
    tcase_add_loop_test(tc, omp_two_atoms_against_all_pairs, 0, 4);
    tcase_add_loop_test(tc, omp_residual_stop, 0, 4);
    tcase_add_test(tc, omp_ignores_lambda_and_start);
    tcase_add_test(tc, omp_rejects_unsupported_terms);
    tcase_add_test(tc, omp_dependent_atom_stops);
    suite_add_tcase(s, tc);
    return s;
}
