/* SPDX-License-Identifier: BSD-2-Clause */
/* cd.c -- active-set coordinate descent on the Gram matrix (covariance
 * updates, as in glmnet: Friedman, Hastie & Tibshirani 2010), one sample
 * at a time (docs/math.md (S6)-(S8)).
 *
 * Per sample, with c = D^T x, G = D^T D and a = G_jj + lambda_2:
 *
 *   corr = c - G z                 kept up to date, in float
 *   update of j:  beta = corr_j + G_jj z_j,
 *                 z_j' = h(beta) / a          (h: soft threshold by
 *                 lambda, or its non-negative form)
 *                 corr -= (z_j' - z_j) G_j    an axpy with row j of G
 *                                             (= column j: G is symmetric)
 *
 * From z = 0, codes first enter greedily (greedy_start).  Then a round
 * is: cyclic sweeps over the active set (the codes that were
 * non-zero after the last full sweep), at most SWEEPS_BEFORE_SOLVE, then
 * the exact solution on the support with its signs (S8, a feature-sign
 * step) when the support is small; or, when it is large or its atoms
 * nearly dependent, sweeps until one changes nothing or lowers the
 * objective by less than SETTLE * tol * F.  Then one sweep over all k
 * codes, which lets new codes in.  The duality gap (S7) from the float
 * corr then says whether the round made progress and whether the sample
 * may be done; when it may, when it stalls, and every EXACT_EVERY-th
 * round, corr is recomputed exactly from the support, in double
 * (cancelling the drift of the float axpys), and only that gap stops the
 * sample.  (Cyclic sweeps alone crawl when the atoms of the support are
 * coherent: 86 sweeps per sample on Fashion-MNIST's raw images, against
 * ~5 rounds with S8.  The exact correlations cost |support| k in double;
 * on supports of 80 codes, every round's took a quarter of the time.)
 *
 * Storage is float (z, corr, G: an axpy reads k floats); what decides the
 * stop (the exact correlations, the gap) is double.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cholesky.h"
#include "solver.h"

/* The active sweeps stop when one lowers the objective by less than this
 * fraction of the gap the run is asked to reach, or after SWEEPS_BEFORE
 * _SOLVE sweeps when the support is small enough for (S8): at most
 * MAX_SOLVE codes (its factor, kept up to date, costs about m^3 / 6 over
 * the sample's run, and a solve m^2, against m k for a sweep), with at
 * most SOLVE_SHRINKS repeats as codes leave it.  (A larger MAX_SOLVE was
 * slower on supports of 80 codes of well-conditioned atoms, where sweeps
 * converge fast.) */
#define SETTLE 0.1
#define SWEEPS_BEFORE_SOLVE 2
#define MAX_SOLVE 64
#define SOLVE_SHRINKS 3
#define GREEDY_CODES 16
#define EXACT_EVERY 4

typedef void (*axpy_fn)(size_t k, float a, const float *x, float *y);

/* y += a x */
static void axpy_plain(size_t k, float a, const float *restrict x,
                       float *restrict y)
{
    for (size_t i = 0; i < k; i++)
        y[i] += a * x[i];
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The same loop, vectorised by GCC for AVX2 (8 floats) instead of SSE2:
 * the same arithmetic (ISO C mode does not contract into FMA), so the
 * results do not depend on which one runs. */
__attribute__((target("avx2"))) static void
axpy_avx2(size_t k, float a, const float *restrict x, float *restrict y)
{
    for (size_t i = 0; i < k; i++)
        y[i] += a * x[i];
}

static axpy_fn pick_axpy(void)
{
    return __builtin_cpu_supports("avx2") ? axpy_avx2 : axpy_plain;
}
#else
static axpy_fn pick_axpy(void)
{
    return axpy_plain;
}
#endif

/* The scratch of one sample's run. */
typedef struct {
    float *corr;          /* c - G z, incrementally          */
    double *exact;        /* c - G z in double: exact after
                             refresh, corr widened after
                             estimate                        */
    size_t *active;       /* the active set                  */
    size_t count;         /* its size                        */
    double *chol;         /* (S8)'s Cholesky factor of G_FF +
                             lambda_2 I, k x k room (leading
                             dimension k)                    */
    size_t *factor_codes; /* F, the codes of its rows        */
    size_t factored;      /* |F|                             */
    unsigned char *in_factor;  /* k flags: j is in F         */
    double *rhs;          /* k: its right side, then w       */
    float *diagonal;      /* G_jj, read by every update      */
    double *inverse;      /* 1 / (G_jj + lambda_2), or 0 when
                             that is not positive (a division
                             was on every update's critical
                             path: 6 % of the run on 80-code
                             supports)                        */
    axpy_fn axpy;
} workspace;

typedef struct {
    size_t changes;       /* codes that changed in a sweep */
    double decrease;      /* sum of a (z_j' - z_j)^2 / 2: what the sweep
                             lowered the objective by, at least */
} sweep_result;

/* The update of coordinate j (S6). */
static inline void update(const sc_solver *s, const sc_problem *p,
                          size_t j, float *z, workspace *w, sweep_result *r)
{
    size_t k = s->k;
    const float *row = s->gram + j * k;
    double gjj = w->diagonal[j], inverse = w->inverse[j];
    if (inverse == 0.0)
        return;                /* a zero atom without L2: z_j stays 0 */
    float old = z[j];
    double beta = (double)w->corr[j] + gjj * old;
    double m = p->nonnegative ? beta - p->lambda : fabs(beta) - p->lambda;
    float next = m > 0.0 ? (float)((p->nonnegative ? m : copysign(m, beta)) *
                                   inverse)
                         : 0.0f;
    if (next == old)
        return;
    float delta = next - old;
    w->axpy(k, -delta, row, w->corr);
    z[j] = next;
    r->changes++;
    r->decrease += 0.5 * (gjj + p->l2) * (double)delta * delta;
}

static sweep_result active_sweep(const sc_solver *s, const sc_problem *p,
                                 float *z, workspace *w)
{
    sweep_result r = {0, 0.0};
    for (size_t q = 0; q < w->count; q++)
        update(s, p, w->active[q], z, w, &r);
    return r;
}

/* A sweep over all k codes; the active set becomes the support. */
static sweep_result full_sweep(const sc_solver *s, const sc_problem *p,
                               float *z, workspace *w)
{
    sweep_result r = {0, 0.0};
    float lambda = (float)p->lambda;
    for (size_t j = 0; j < s->k; j++) {
        /* a zero code stays 0 unless its correlation passes lambda (the
         * test of update, without reading G's diagonal) */
        float a = p->nonnegative ? w->corr[j] : fabsf(w->corr[j]);
        if (z[j] == 0.0f && a <= lambda)
            continue;
        update(s, p, j, z, w, &r);
    }
    size_t m = 0;
    for (size_t j = 0; j < s->k; j++) {   /* without a branch */
        w->active[m] = j;
        m += z[j] != 0.0f;
    }
    w->count = m;
    return r;
}

/* (S8)'s factor is kept from one step to the next within a sample: the
 * codes that left the support since the last step leave it (a removal,
 * (m - p)^2 work each) and those that joined are appended (m^2 / 2 each),
 * so a sample pays about one factorisation of its final support in all,
 * instead of m^3 / 6 at every step. */
static void factor_drop(const sc_solver *s, workspace *w, const float *z)
{
    size_t k = s->k;
    for (size_t q = w->factored; q-- > 0;) {
        size_t j = w->factor_codes[q];
        if (z[j] != 0.0f)
            continue;
        sc_cholesky_remove(w->chol, k, w->factored, q);
        memmove(w->factor_codes + q, w->factor_codes + q + 1,
                (w->factored - q - 1) * sizeof *w->factor_codes);
        w->factored--;
        w->in_factor[j] = 0;
    }
}

/* Appends the codes of the support that are not in the factor yet.
 * Returns 0 when one is numerically dependent on the others. */
static int factor_grow(const sc_solver *s, const sc_problem *p,
                       const float *z, workspace *w)
{
    size_t k = s->k;
    for (size_t a = 0; a < w->count; a++) {
        size_t j = w->active[a], m = w->factored;
        if (z[j] == 0.0f || w->in_factor[j])
            continue;
        const float *row = s->gram + j * k;
        double *own = w->chol + m * k;
        for (size_t b = 0; b < m; b++)
            own[b] = row[w->factor_codes[b]];
        own[m] = row[j] + p->l2;
        if (!sc_cholesky_append(w->chol, k, m))
            return 0;
        w->factor_codes[m] = j;
        w->factored = m + 1;
        w->in_factor[j] = 1;
    }
    return 1;
}

static void factor_clear(workspace *w)
{
    for (size_t q = 0; q < w->factored; q++)
        w->in_factor[w->factor_codes[q]] = 0;
    w->factored = 0;
}

/* (S8) The exact minimiser on the support with its signs fixed: with
 * S the support and sigma the signs of z_S, w solves
 * (G_SS + lambda_2 I) w = c_S - lambda sigma.  z moves towards w as far
 * as no code changes sign (the objective is that quadratic on the way,
 * so it decreases); a code that reaches 0 leaves S and the step is
 * repeated on the smaller support (Lee et al. 2007's feature-sign step).
 * Returns the codes changed; -1 if a factorisation failed (the caller
 * falls back to sweeps). */
static long support_step(const sc_solver *s, const sc_problem *p,
                         const float *c, float *z, workspace *w)
{
    size_t k = s->k;
    long changed = 0;
    size_t m = 0;
    for (size_t a = 0; a < w->count; a++)     /* the support only */
        if (z[w->active[a]] != 0.0f)
            w->active[m++] = w->active[a];
    w->count = m;
    for (int repeat = 0; w->count > 0 && repeat < SOLVE_SHRINKS; repeat++) {
        factor_drop(s, w, z);
        if (!factor_grow(s, p, z, w)) {
            factor_clear(w);
            return -1;  /* atoms of the support nearly dependent */
        }
        m = w->factored;
        const size_t *act = w->factor_codes;
        for (size_t a = 0; a < m; a++) {
            double sign = z[act[a]] > 0.0f ? 1.0 : -1.0;
            w->rhs[a] = (double)c[act[a]] - p->lambda * sign;
        }
        sc_cholesky_solve(w->chol, k, m, w->rhs);
        /* the longest step in [0, 1] along w - z that keeps the signs */
        double t = 1.0;
        for (size_t a = 0; a < m; a++) {
            double from = z[act[a]], to = w->rhs[a];
            if ((from > 0.0 && to < 0.0) || (from < 0.0 && to > 0.0))
                t = fmin(t, from / (from - to));
        }
        size_t kept = 0;   /* the active set in the factor's order */
        for (size_t a = 0; a < m; a++) {
            size_t j = act[a];
            double from = z[j], to = w->rhs[a];
            float next = (float)(from + t * (to - from));
            if (t < 1.0 && ((from > 0.0 && to < 0.0) ||
                            (from < 0.0 && to > 0.0)) &&
                fabs(next) <= 1e-6 * fabs(from))
                next = 0.0f;   /* this code reaches 0 at step t */
            if ((next > 0.0f) != (from > 0.0) && next != 0.0f)
                next = 0.0f;   /* rounding crossed 0 */
            if (next != z[j]) {
                w->axpy(k, -(next - z[j]), s->gram + j * k, w->corr);
                z[j] = next;
                changed++;
            }
            if (next != 0.0f)
                w->active[kept++] = j;
        }
        w->count = kept;
        if (kept == m)
            break;
    }
    return changed;
}

/* corr = c - G z exactly (in double, then rounded), and the gap (S7). */
static sc_gap refresh(const sc_solver *s, const sc_problem *p,
                      const float *c, double xx, const float *z,
                      workspace *w)
{
    sc_lasso_correlations(s, c, z, w->exact);
    for (size_t i = 0; i < s->k; i++)
        w->corr[i] = (float)w->exact[i];
    return sc_lasso_gap(p, s->k, c, xx, z, w->exact);
}

/* The gap (S7) from the float correlations as the axpys left them: what
 * decides whether to go on; a stop needs refresh's. */
static sc_gap estimate(const sc_solver *s, const sc_problem *p,
                       const float *c, double xx, const float *z,
                       workspace *w)
{
    for (size_t i = 0; i < s->k; i++)
        w->exact[i] = w->corr[i];
    return sc_lasso_gap(p, s->k, c, xx, z, w->exact);
}

/* From z = 0: codes let in one at a time, each time the zero code of
 * largest correlation (the choice of Gregor & LeCun's CoD, restricted to
 * new codes), updated by (S6), until no zero code violates |r_j| <=
 * lambda or GREEDY_CODES are in.  The coherent atoms of image data would
 * otherwise all enter the first cyclic sweep (its first atoms before the
 * best ones have lowered the correlations of the rest), and the rounds
 * would have to push them out again one by one. */
/* The zero code whose correlation passes lambda the most, or k if none:
 * the largest value in LANES independent maxima (a loop GCC vectorises,
 * as fista.c's row pass), then its first index. */
static size_t largest_new(const float *corr, const float *z, size_t k,
                          int nonnegative, float lambda)
{
    enum { LANES = 16 };
    float lane[LANES];
    for (size_t l = 0; l < LANES; l++)
        lane[l] = lambda;
    for (size_t i0 = 0; i0 < k; i0 += LANES) {
        size_t end = i0 + LANES < k ? i0 + LANES : k;
        for (size_t i = i0; i < end; i++) {
            float a = nonnegative ? corr[i] : fabsf(corr[i]);
            a = z[i] == 0.0f ? a : 0.0f;
            lane[i - i0] = a > lane[i - i0] ? a : lane[i - i0];
        }
    }
    float top = lambda;
    for (size_t l = 0; l < LANES; l++)
        top = lane[l] > top ? lane[l] : top;
    if (!(top > lambda))
        return k;
    for (size_t j = 0; j < k; j++)
        if (z[j] == 0.0f && (nonnegative ? corr[j] : fabsf(corr[j])) == top)
            return j;
    return k;
}

static void greedy_start(const sc_solver *s, const sc_problem *p, float *z,
                         workspace *w)
{
    size_t k = s->k;
    for (size_t step = 0; step < GREEDY_CODES; step++) {
        size_t best = largest_new(w->corr, z, k, p->nonnegative,
                                  (float)p->lambda);
        if (best == k)
            break;
        sweep_result r = {0, 0.0};
        update(s, p, best, z, w, &r);
        if (r.changes == 0)
            break;
        w->active[w->count++] = best;
    }
}

/* One sample from the start in z; returns the sweeps run and sets *done
 * when the gap met the tolerance. */
static int64_t solve_sample(const sc_solver *s, const sc_problem *p,
                            const float *c, double xx, float *z, void *work,
                            int *done)
{
    workspace *w = work;
    uint64_t cap = p->max_iterations, sweeps = 0, rounds = 0;
    factor_clear(w);
    w->count = 0;
    for (size_t j = 0; j < s->k; j++)
        if (z[j] != 0.0f)
            w->active[w->count++] = j;
    sc_gap g = refresh(s, p, c, xx, z, w);
    double exact_before = INFINITY;
    *done = 0;
    if (w->count == 0 && g.gap > p->tolerance * g.objective && cap > 0) {
        greedy_start(s, p, z, w);
        sweeps++;
    }
    for (;;) {
        if (g.gap <= p->tolerance * g.objective) {
            *done = 1;
            break;
        }
        if (sweeps >= cap) {
            g = refresh(s, p, c, xx, z, w);
            *done = g.gap <= p->tolerance * g.objective;
            break;
        }
        double before = g.objective;
        /* the active set: cyclic sweeps until they settle, or a few and
         * then its exact solution (S8) when it is small (and its atoms
         * are not nearly dependent) */
        double settled = SETTLE * p->tolerance * g.objective;
        int calm = 0;
        for (int a = 0; w->count > 0 && sweeps < cap; a++) {
            if ((calm || a >= SWEEPS_BEFORE_SOLVE) &&
                w->count <= MAX_SOLVE && support_step(s, p, c, z, w) >= 0) {
                sweeps++;
                break;
            }
            if (calm)
                break;
            sweep_result r = active_sweep(s, p, z, w);
            sweeps++;
            calm = r.changes == 0 || r.decrease <= settled;
        }
        if (sweeps >= cap)
            continue;          /* the check above ends the sample */
        full_sweep(s, p, z, w);
        sweeps++;
        rounds++;
        /* the float correlations say whether to go on; a stop, a stall
         * and every EXACT_EVERY-th round are checked on exact ones */
        g = estimate(s, p, c, xx, z, w);
        if (g.gap > p->tolerance * g.objective && g.objective < before &&
            rounds % EXACT_EVERY != 0)
            continue;
        g = refresh(s, p, c, xx, z, w);
        if (!(g.objective < exact_before)) {
            /* no progress: a fixed point of the float iteration */
            *done = g.gap <= p->tolerance * g.objective;
            break;
        }
        exact_before = g.objective;
    }
    return (int64_t)sweeps;
}

static void release_work(void *work)
{
    workspace *w = work;
    if (w == NULL)
        return;
    free(w->corr);
    free(w->exact);
    free(w->active);
    free(w->chol);
    free(w->factor_codes);
    free(w->in_factor);
    free(w->rhs);
    free(w->diagonal);
    free(w->inverse);
    free(w);
}

static void *make_work(const sc_solver *s, const sc_problem *p)
{
    size_t k = s->k;
    workspace *w = malloc(sizeof *w);
    if (w == NULL)
        return NULL;
    *w = (workspace){malloc(k * sizeof(float)), malloc(k * sizeof(double)),
                     malloc(k * sizeof(size_t)), 0,
                     malloc(k * k * sizeof(double)),
                     malloc(k * sizeof(size_t)), 0, calloc(k, 1),
                     malloc(k * sizeof(double)), malloc(k * sizeof(float)),
                     malloc(k * sizeof(double)), pick_axpy()};
    if (w->corr == NULL || w->exact == NULL || w->active == NULL ||
        w->chol == NULL || w->factor_codes == NULL || w->in_factor == NULL ||
        w->rhs == NULL || w->diagonal == NULL || w->inverse == NULL) {
        release_work(w);
        return NULL;
    }
    for (size_t j = 0; j < k; j++) {
        w->diagonal[j] = s->gram[j * k + j];
        double a = w->diagonal[j] + p->l2;
        w->inverse[j] = a > 0.0 ? 1.0 / a : 0.0;
    }
    return w;
}

const sc_sample_method sc_cd_active_method = {make_work, solve_sample,
                                              release_work};
