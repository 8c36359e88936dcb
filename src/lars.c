/* SPDX-License-Identifier: BSD-2-Clause */
/* lars.c -- LARS-lasso: the homotopy of Efron, Hastie, Johnstone &
 * Tibshirani (2004, "Least angle regression", with their lasso
 * modification) on the Gram matrix, one sample at a time
 * (docs/math.md (S9)); and sc_solver_path, which returns its knots.
 *
 * Per sample, with c = D^T x, G~ = G + lambda_2 I (the elastic net is
 * the lasso of [D; sqrt(lambda_2) I], whose Gram matrix G~ is), the
 * active set A with signs s_A, and corr = c - G~ z (= lambda s_A on A):
 *
 *   start    lambda = |c|_inf (z >= 0: max(0, max c)), z = 0, A empty
 *   segment  w = (G~_AA)^{-1} s_A      by the Cholesky factor of G~_AA
 *            slope = -G~_{:,A} w       d corr / d gamma as lambda falls
 *                                      by gamma and z_A grows by gamma w
 *   events   an atom i outside A reaches corr_i = +-(lambda - gamma);
 *            an atom q of A reaches z_q = 0 (it leaves A: the lasso
 *            modification); or lambda - gamma reaches the solver's lambda
 *   step     to the first event: lambda -= gamma, z_A += gamma w,
 *            corr += gamma slope; then A gains or loses that atom, its
 *            factor one row (sc_cholesky_append) or one row and column
 *            (sc_cholesky_remove)
 *
 * Degenerate cases, none of which loops: an atom that just left A is not
 * let back in on the side it left from during the next segment (in exact
 * arithmetic its correlation moves away from that side; rounding could
 * make it re-enter at once), but may come back with the other sign;
 * ties go to the lowest index, a leaving atom before an entering one; an
 * atom whose factor pivot is at most 1e-10 (1 + G~_ii) (a combination of
 * A, e.g. a duplicate atom) is left out of this sample's path for good,
 * and the code is not "converged" when, at the end, its correlation
 * passes lambda (1 + 1e-6) (otherwise the code is the lasso solution
 * with it at 0); a code stops after SC_SOLVER_PARAM_MAX_ITERATIONS
 * events, or when an atom would enter a full active set
 * (SC_SOLVER_PARAM_MAX_NONZEROS), at the exact solution at that event's
 * lambda, not converged.
 *
 * G and c are float, as the solver holds them; z_A, w, corr and the
 * factor are double.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "cholesky.h"
#include "solver.h"

/* An atom left out (a combination of A) leaves the code optimal when its
 * correlation ends at most lambda; this relative margin absorbs the
 * rounding of that correlation, which for an exact duplicate equals
 * +-lambda (the double path: ~1e-15), for a nearly dependent atom
 * differs from it by up to ~1e-10 relative (the pivot's threshold). */
#define LEFT_OUT_MARGIN 1e-6
#define FIRST_FACTOR_SIZE 32

enum { OUTSIDE, ACTIVE, LEFT_OUT };

typedef enum { REACHED, STOPPED } ending;

/* The knots of one path, when sc_solver_path asks for them. */
typedef struct {
    size_t max_knots, count;
    double last;            /* the last knot's lambda */
    double *lambdas;        /* NULL: count and check the knots only */
    float *codes;           /* max_knots x k */
    int finite;             /* every code fits in float */
} knots;

/* The scratch of one sample's run. */
typedef struct {
    size_t k, limit;        /* limit: the most atoms A may hold */
    size_t max_nonzeros;    /* 0: no limit */
    size_t ld;              /* the factor's leading dimension, grown */
    double *corr;           /* k: c - G~ z                        */
    double *slope;          /* k: d corr / d gamma                */
    unsigned char *state;   /* k: OUTSIDE, ACTIVE or LEFT_OUT     */
    double *blocked;        /* k: 0 for the atoms that may enter,
                               +Inf for the others (the scan adds it) */
    size_t *active;         /* limit: A, in order of entry        */
    double *sign;           /* limit: s_A                         */
    double *za;             /* limit: z_A                         */
    double *v;              /* limit: L^{-1} s_A (L L^T = G~_AA), kept
                               up to date row by row               */
    double *w;              /* limit: (G~_AA)^{-1} s_A = L^{-T} v */
    double *factor;         /* ld x ld: the Cholesky factor of G~_AA */
    int out_of_memory;
    double *gammas;         /* k: the scan's scratch              */
    double (*scan)(size_t k, double lambda, const double *corr,
                   const double *slope, const double *blocked,
                   int nonnegative, double *gammas, size_t *at);
    void (*advance)(size_t k, double gamma, const double *slope,
                    double *corr);
} workspace;

/* Room for row m of the factor: doubles ld (up to limit) when m reaches
 * it; 0 if out of memory. */
static int make_room(workspace *w, size_t m)
{
    if (m < w->ld)
        return 1;
    size_t ld = w->ld * 2 < w->limit ? w->ld * 2 : w->limit;
    double *grown = malloc(ld * ld * sizeof *grown);
    if (grown == NULL)
        return 0;
    for (size_t i = 0; i < m; i++)
        memcpy(grown + i * ld, w->factor + i * w->ld, (i + 1) * sizeof *grown);
    free(w->factor);
    w->factor = grown;
    w->ld = ld;
    return 1;
}

/* Writes the codes of the current point (z_A on A, 0 elsewhere). */
static void write_codes(const workspace *w, size_t m, float *z)
{
    memset(z, 0, w->k * sizeof *z);
    for (size_t q = 0; q < m; q++)
        z[w->active[q]] = (float)w->za[q];
}

/* Records the point at lambda as a knot (over the last one when lambda
 * did not move: A changed twice at one point); 0 once max_knots are
 * written. */
static int record(knots *path, const workspace *w, size_t m, double lambda)
{
    if (path == NULL)
        return 1;
    for (size_t q = 0; q < m; q++)
        if (!(fabs(w->za[q]) <= FLT_MAX))
            path->finite = 0;
    size_t at = path->count > 0 && path->last == lambda ? path->count - 1
                                                        : path->count++;
    path->last = lambda;
    if (path->lambdas != NULL) {
        path->lambdas[at] = lambda;
        write_codes(w, m, path->codes + at * w->k);
    }
    return path->count < path->max_knots;
}

/* The gamma >= 0 at which corr_i + gamma slope_i reaches side
 * (lambda - gamma), side +1 or -1; +Inf if it never does for gamma > 0
 * (the correlation falls no slower than lambda). */
static inline double reaches(double lambda, double ci, double si,
                             double side)
{
    double rate = 1.0 + side * si;
    double g = (lambda - side * ci) / rate;
    g = rate > 0.0 ? g : INFINITY;
    return g > 0.0 ? g : 0.0;
}

/* The kernels of a segment, over all k atoms.  The scan is the time of
 * the homotopy (k divisions per event): the gamma of every atom into
 * scratch (an element-wise loop that GCC vectorises), their minimum in
 * LANES independent minima (another), then the first index that holds
 * it. */
enum { LANES = 8 };

/* The first atom to reach +-(lambda - gamma) (z >= 0: +(lambda - gamma)
 * only), the lowest index on ties, among those whose blocked entry is 0
 * (the others: +Inf); returns its gamma (+Inf if none) and sets *at.
 * gammas: k scratch doubles. */
#define SCAN_BODY                                                          \
    for (size_t i = 0; i < k; i++) {                                      \
        /* reaches() for both sides, inline (an AVX2 function cannot   \
         * inline a plain one) */                                         \
        double ci = corr[i], si = slope[i];                               \
        double up = 1.0 + si, down = 1.0 - si;                            \
        double g = (lambda - ci) / up, h = (lambda + ci) / down;          \
        g = up > 0.0 ? g : INFINITY;                                      \
        h = down > 0.0 && !nonnegative ? h : INFINITY;                    \
        g = h < g ? h : g;                                                \
        gammas[i] = (g > 0.0 ? g : 0.0) + blocked[i];                     \
    }                                                                     \
    double lane[LANES];                                                   \
    for (size_t l = 0; l < LANES; l++)                                    \
        lane[l] = INFINITY;                                               \
    size_t full = k - k % LANES;                                          \
    for (size_t i0 = 0; i0 < full; i0 += LANES)                           \
        for (size_t l = 0; l < LANES; l++)                                \
            lane[l] = gammas[i0 + l] < lane[l] ? gammas[i0 + l] : lane[l]; \
    for (size_t i = full; i < k; i++)                                     \
        lane[0] = gammas[i] < lane[0] ? gammas[i] : lane[0];              \
    double best = INFINITY;                                               \
    for (size_t l = 0; l < LANES; l++)                                    \
        best = lane[l] < best ? lane[l] : best;                           \
    *at = k;                                                              \
    for (size_t i = 0; i < k && best < INFINITY; i++)                     \
        if (gammas[i] == best) {                                          \
            *at = i;                                                      \
            break;                                                        \
        }                                                                 \
    return best;

/* GCC keeps the selects of the scan as branches, and so the loop
 * scalar, unless it may assume that comparisons do not trap; the
 * library reads no floating-point exception flags, and the arithmetic is
 * the same. */
#if defined(__GNUC__) && !defined(__clang__)
#define BLENDS __attribute__((optimize("no-trapping-math")))
#else
#define BLENDS
#endif

BLENDS static double scan_plain(size_t k, double lambda,
                         const double *restrict corr,
                         const double *restrict slope,
                         const double *restrict blocked, int nonnegative,
                         double *restrict gammas, size_t *at)
{
    SCAN_BODY
}

static void advance_plain(size_t k, double gamma, const double *restrict slope,
                          double *restrict corr)
{
    for (size_t i = 0; i < k; i++)
        corr[i] += gamma * slope[i];
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The same loops for AVX2 (4 doubles): the same arithmetic, element by
 * element (ISO C mode contracts nothing into FMA), and a minimum does
 * not round, so the results do not depend on which one runs. */
BLENDS __attribute__((target("avx2"))) static double
scan_avx2(size_t k, double lambda, const double *restrict corr,
          const double *restrict slope, const double *restrict blocked,
          int nonnegative, double *restrict gammas, size_t *at)
{
    SCAN_BODY
}

__attribute__((target("avx2"))) static void
advance_avx2(size_t k, double gamma, const double *restrict slope,
             double *restrict corr)
{
    for (size_t i = 0; i < k; i++)
        corr[i] += gamma * slope[i];
}

static int has_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}
#else
#define scan_avx2 scan_plain
#define advance_avx2 advance_plain
static int has_avx2(void)
{
    return 0;
}
#endif
#undef SCAN_BODY

/* The first event along the segment (S9): returns gamma, and in *which
 * the position in A of the atom that leaves (*leaving = 1), or the atom
 * that enters, or k when the segment reaches the solver's lambda (ties:
 * the end, then a leaving atom, then the lowest index).  The atom that
 * just left A (barred, k if none) may not re-enter on the side it left
 * from (barred_side): there it sits at gamma = 0, and moves away in
 * exact arithmetic. */
static double next_event(const workspace *w, size_t m, double lambda,
                         double gamma_end, int nonnegative, size_t barred,
                         double barred_side, size_t *which, int *leaving)
{
    double best = gamma_end;
    *which = w->k;
    *leaving = 0;
    for (size_t q = 0; q < m; q++) {    /* z_q reaches 0 */
        double toward = w->w[q] * w->sign[q];
        double from = w->za[q] * w->sign[q];
        double g = (from > 0.0 ? from : 0.0) / -toward;
        if (toward < 0.0 && g < best) {
            best = g;
            *which = q;
            *leaving = 1;
        }
    }
    size_t first;                       /* corr_i reaches +-(lambda - g) */
    double g = w->scan(w->k, lambda, w->corr, w->slope, w->blocked,
                       nonnegative, w->gammas, &first);
    if (barred < w->k) {                /* the other side only */
        double other = -barred_side;
        double h = nonnegative && other < 0.0
                       ? INFINITY
                       : reaches(lambda, w->corr[barred], w->slope[barred],
                                 other);
        if (h < g || (h == g && barred < first)) {
            g = h;
            first = barred;
        }
    }
    if (g < best) {
        best = g;
        *which = first;
        *leaving = 0;
    }
    return best;
}

/* Lets atom i into A (its sign that of its correlation); leaves it out
 * for good when its factor row has no positive pivot. */
static void enter(const sc_solver *s, const sc_problem *p, workspace *w,
                  size_t *m, size_t i, int nonnegative)
{
    w->blocked[i] = INFINITY;
    if (*m >= w->limit) {       /* rank min(n, k) reached: dependent */
        w->state[i] = LEFT_OUT;
        return;
    }
    if (!make_room(w, *m)) {
        w->out_of_memory = 1;
        return;
    }
    const float *gi = s->gram + i * s->k;
    double *row = w->factor + *m * w->ld;
    for (size_t q = 0; q < *m; q++)
        row[q] = gi[w->active[q]];
    row[*m] = (double)gi[i] + p->l2;
    if (!sc_cholesky_append(w->factor, w->ld, *m)) {
        w->state[i] = LEFT_OUT;
        return;
    }
    w->active[*m] = i;
    w->sign[*m] = nonnegative || w->corr[i] > 0.0 ? 1.0 : -1.0;
    w->za[*m] = 0.0;
    w->v[*m] = w->sign[*m];
    sc_cholesky_forward(w->factor, w->ld, *m, *m + 1, w->v);
    w->state[i] = ACTIVE;
    (*m)++;
}

/* Atom at position q of A leaves it, at lambda. */
static void leave(workspace *w, size_t *m, size_t q, double lambda)
{
    size_t j = w->active[q];
    w->corr[j] = lambda * w->sign[q];
    w->state[j] = OUTSIDE;      /* blocked until the next event (barred) */
    sc_cholesky_remove(w->factor, w->ld, *m, q);
    for (size_t r = q + 1; r < *m; r++) {
        w->active[r - 1] = w->active[r];
        w->sign[r - 1] = w->sign[r];
        w->za[r - 1] = w->za[r];
    }
    (*m)--;
    for (size_t r = q; r < *m; r++)     /* the rows of L that changed */
        w->v[r] = w->sign[r];
    sc_cholesky_forward(w->factor, w->ld, q, *m, w->v);
}

/* The homotopy for one sample, from lambda_max down to the solver's
 * lambda; leaves A's size in *size.  Returns the events run; *done is 1
 * when the code is the lasso solution at the solver's lambda. */
static uint64_t homotopy(const sc_solver *s, const sc_problem *p,
                         const float *c, workspace *w, knots *path,
                         size_t *size, int *done)
{
    size_t k = s->k, m = 0, barred = k;
    double barred_side = 0.0;
    int nonnegative = p->nonnegative;
    double lambda = 0.0;
    for (size_t i = 0; i < k; i++) {
        w->corr[i] = c[i];
        w->state[i] = OUTSIDE;
        w->blocked[i] = 0.0;
        double a = nonnegative ? w->corr[i] : fabs(w->corr[i]);
        lambda = a > lambda ? a : lambda;
    }
    *size = 0;
    *done = 1;
    if (!record(path, w, 0, lambda) || lambda <= p->lambda)
        return 0;
    ending end = STOPPED;
    uint64_t steps = 0;
    while (steps < p->max_iterations && !w->out_of_memory) {
        memcpy(w->w, w->v, m * sizeof *w->w);
        sc_cholesky_backward(w->factor, w->ld, m, w->w);
        memset(w->slope, 0, k * sizeof *w->slope);
        sc_gram_subtract_rows(s, w->active, w->w, m, w->slope);
        size_t which;
        int leaving;
        double gamma = next_event(w, m, lambda, lambda - p->lambda,
                                  nonnegative, barred, barred_side, &which,
                                  &leaving);
        lambda = which == k ? p->lambda : lambda - gamma;
        for (size_t q = 0; q < m; q++)
            w->za[q] += gamma * w->w[q];
        w->advance(k, gamma, w->slope, w->corr);
        steps++;
        if (barred < k)
            w->blocked[barred] = 0.0;
        barred = k;
        if (which == k) {
            end = REACHED;
            record(path, w, m, lambda);
            break;
        }
        if (leaving) {
            barred = w->active[which];
            barred_side = w->sign[which];
            leave(w, &m, which, lambda);
        } else if (w->max_nonzeros > 0 && m >= w->max_nonzeros) {
            record(path, w, m, lambda);
            break;
        } else {
            enter(s, p, w, &m, which, nonnegative);
        }
        if (!record(path, w, m, lambda))
            break;
    }
    for (size_t i = 0; i < k && end == REACHED; i++)
        if (w->state[i] == LEFT_OUT) {
            double a = nonnegative ? w->corr[i] : fabs(w->corr[i]);
            if (a > lambda * (1.0 + LEFT_OUT_MARGIN))
                end = STOPPED;
        }
    *done = end == REACHED;
    *size = m;
    return steps;
}

static int64_t solve_sample(const sc_solver *s, const sc_problem *p,
                            const float *c, double xx, float *z, void *work,
                            int *done)
{
    (void)xx;
    workspace *w = work;
    size_t m;
    uint64_t steps = homotopy(s, p, c, w, NULL, &m, done);
    write_codes(w, m, z);
    /* a factor that could not grow: out_of_memory stays set for the rest
     * of the scratch's life */
    return w->out_of_memory ? -1 : (int64_t)steps;
}

static int workspace_make(workspace *w, const sc_solver *s,
                          const sc_problem *p)
{
    size_t k = s->k, limit = p->l2 > 0.0 || s->n > k ? k : s->n;
    memset(w, 0, sizeof *w);
    w->k = k;
    w->limit = limit;
    w->max_nonzeros = p->max_nonzeros;
    w->ld = limit < FIRST_FACTOR_SIZE ? limit : FIRST_FACTOR_SIZE;
    w->corr = malloc(k * sizeof *w->corr);
    w->slope = malloc(k * sizeof *w->slope);
    w->state = malloc(k);
    w->blocked = malloc(k * sizeof *w->blocked);
    w->gammas = malloc(k * sizeof *w->gammas);
    w->active = malloc(limit * sizeof *w->active);
    w->sign = malloc(limit * sizeof *w->sign);
    w->za = malloc(limit * sizeof *w->za);
    w->v = malloc(limit * sizeof *w->v);
    w->w = malloc(limit * sizeof *w->w);
    w->factor = malloc(w->ld * w->ld * sizeof *w->factor);
    w->scan = has_avx2() ? scan_avx2 : scan_plain;
    w->advance = has_avx2() ? advance_avx2 : advance_plain;
    return w->corr != NULL && w->slope != NULL && w->state != NULL &&
           w->blocked != NULL && w->gammas != NULL &&
           w->active != NULL && w->sign != NULL && w->za != NULL &&
           w->v != NULL && w->w != NULL && w->factor != NULL;
}

static void workspace_free(workspace *w)
{
    free(w->corr);
    free(w->slope);
    free(w->state);
    free(w->blocked);
    free(w->gammas);
    free(w->active);
    free(w->sign);
    free(w->za);
    free(w->v);
    free(w->w);
    free(w->factor);
}

static void release_work(void *work)
{
    if (work == NULL)
        return;
    workspace_free(work);
    free(work);
}

static void *make_work(const sc_solver *s, const sc_problem *p)
{
    workspace *w = malloc(sizeof *w);
    if (w == NULL)
        return NULL;
    if (!workspace_make(w, s, p)) {
        release_work(w);
        return NULL;
    }
    return w;
}

const sc_sample_method sc_lars_method = {make_work, solve_sample,
                                         release_work};

sc_status sc_solver_path(const sc_solver *solver, const float *x,
                         size_t max_knots, double *lambdas, float *codes,
                         size_t *count)
{
    static const char caller[] = "sc_solver_path";
    if (solver == NULL || x == NULL || lambdas == NULL || codes == NULL ||
        count == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       solver == NULL   ? "solver"
                       : x == NULL      ? "x"
                       : lambdas == NULL ? "lambdas"
                       : codes == NULL  ? "codes"
                                        : "knots");
    size_t n = solver->n, k = solver->k;
    if (max_knots == 0 || max_knots > SIZE_MAX / k / sizeof(float))
        return sc_fail(NULL, SC_ERR_SIZE, "%s: max_knots %zu is %s", caller,
                       max_knots, max_knots == 0 ? "0" : "too large");
    sc_problem p = sc_solver_problem(solver);
    if (p.group_weight > 0)
        return sc_fail(NULL, SC_ERR_STATE, "%s: the LARS-lasso path "
                       "(SC_SOLVER_METHOD_LARS) supports the L1 and L2 terms "
                       "only; unset the group term", caller);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return sc_fail(NULL, SC_ERR_NONFINITE, "%s: x holds NaN or Inf",
                           caller);
    workspace w;
    float *c = malloc(k * sizeof *c);
    sc_status status = SC_OK;
    if (c == NULL || !workspace_make(&w, solver, &p)) {
        free(c);
        if (c != NULL)
            workspace_free(&w);
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    }
    /* c = D^T x as sc_solver_run computes it for a batch of one */
    sc_gemm(0, 0, 1, k, n, 1.0f, x, n, solver->dictionary, k, 0.0f, c, k);
    int finite_c = 1;
    for (size_t i = 0; i < k; i++)
        finite_c &= isfinite(c[i]) != 0;
    /* A first pass counts the knots and checks that every code fits in
     * float, so that a failure leaves the outputs untouched; the second
     * (the same arithmetic) writes them. */
    knots check = {max_knots, 0, 0.0, NULL, NULL, 1};
    size_t m;
    int done;
    if (finite_c)
        homotopy(solver, &p, c, &w, &check, &m, &done);
    if (!finite_c)
        status = sc_fail(NULL, SC_ERR_RANGE, "%s: x is too large for the "
                         "dictionary (D^T x overflows float)", caller);
    else if (w.out_of_memory)
        status = sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    else if (!check.finite)
        status = sc_fail(NULL, SC_ERR_NONFINITE, "%s: the codes overflowed "
                         "float (x or the dictionary too large)", caller);
    if (status == SC_OK) {
        knots out = {max_knots, 0, 0.0, lambdas, codes, 1};
        homotopy(solver, &p, c, &w, &out, &m, &done);
        *count = out.count;
    }
    workspace_free(&w);
    free(c);
    return status;
}
