/* cd.c -- active-set coordinate descent on the Gram matrix (covariance
 * updates, as in glmnet: Friedman, Hastie & Tibshirani 2010), one sample
 * at a time (docs/math.md (S6)-(S7)).
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
 * A round is: cyclic sweeps over the active set (the codes that were
 * non-zero after the last full sweep) until a sweep changes nothing or
 * lowers the objective by less than SETTLE * tol * F; then one sweep
 * over all k codes, which lets new codes in; then corr is recomputed
 * exactly from the support, in double (cancelling the drift of the float
 * axpys), and the duality gap (S7) decides whether to stop.
 *
 * Storage is float (z, corr, G: an axpy reads k floats); what decides the
 * stop (the exact correlations, the gap) is double.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solver.h"

/* The active sweeps stop when one lowers the objective by less than this
 * fraction of the gap the run is asked to reach. */
#define SETTLE 0.1

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
    double *exact;        /* c - G z, recomputed in double   */
    size_t *active;       /* the active set                  */
    size_t count;         /* its size                        */
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
    double gjj = row[j], a = gjj + p->l2;
    if (!(a > 0.0))
        return;                /* a zero atom without L2: z_j stays 0 */
    float old = z[j];
    double beta = (double)w->corr[j] + gjj * old;
    double m = p->nonnegative ? beta - p->lambda : fabs(beta) - p->lambda;
    float next = m > 0.0 ? (float)((p->nonnegative ? m : copysign(m, beta)) /
                                   a)
                         : 0.0f;
    if (next == old)
        return;
    float delta = next - old;
    w->axpy(k, -delta, row, w->corr);
    z[j] = next;
    r->changes++;
    r->decrease += 0.5 * a * (double)delta * delta;
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
    for (size_t j = 0; j < s->k; j++)
        update(s, p, j, z, w, &r);
    w->count = 0;
    for (size_t j = 0; j < s->k; j++)
        if (z[j] != 0.0f)
            w->active[w->count++] = j;
    return r;
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

/* One sample from the start in z; returns the sweeps run and sets *done
 * when the gap met the tolerance. */
static uint64_t solve_sample(const sc_solver *s, const sc_problem *p,
                             const float *c, double xx, float *z,
                             workspace *w, int *done)
{
    uint64_t cap = p->max_iterations, sweeps = 0;
    w->count = 0;
    for (size_t j = 0; j < s->k; j++)
        if (z[j] != 0.0f)
            w->active[w->count++] = j;
    sc_gap g = refresh(s, p, c, xx, z, w);
    *done = 0;
    for (;;) {
        if (g.gap <= p->tolerance * g.objective) {
            *done = 1;
            break;
        }
        if (sweeps >= cap)
            break;
        double settled = SETTLE * p->tolerance * g.objective;
        size_t moved = 0;
        while (w->count > 0 && sweeps < cap) {
            sweep_result r = active_sweep(s, p, z, w);
            sweeps++;
            moved += r.changes;
            if (r.changes == 0 || r.decrease <= settled)
                break;
        }
        if (sweeps >= cap) {
            g = refresh(s, p, c, xx, z, w);
            *done = g.gap <= p->tolerance * g.objective;
            break;
        }
        sweep_result r = full_sweep(s, p, z, w);
        sweeps++;
        moved += r.changes;
        g = refresh(s, p, c, xx, z, w);
        if (moved == 0) {      /* a fixed point of the float iteration */
            *done = g.gap <= p->tolerance * g.objective;
            break;
        }
    }
    return sweeps;
}

int64_t sc_cd_active(const sc_solver *s, const sc_problem *p, size_t batch,
                     const float *c, const double *xx, float *z,
                     int *converged)
{
    size_t k = s->k;
    workspace w = {malloc(k * sizeof(float)), malloc(k * sizeof(double)),
                   malloc(k * sizeof(size_t)), 0, pick_axpy()};
    int64_t most = -1;
    if (w.corr != NULL && w.exact != NULL && w.active != NULL) {
        int all = 1;
        most = 0;
        for (size_t b = 0; b < batch; b++) {
            int done;
            uint64_t sweeps = solve_sample(s, p, c + b * k, xx[b], z + b * k,
                                           &w, &done);
            all &= done;
            if ((int64_t)sweeps > most)
                most = (int64_t)sweeps;
        }
        *converged = all;
    }
    free(w.corr);
    free(w.exact);
    free(w.active);
    return most;
}
