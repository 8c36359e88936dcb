/* SPDX-License-Identifier: BSD-2-Clause */
/* cod.c -- coordinate descent (Gregor & LeCun 2010), one sample at a time.
 *
 *   (S5) keep beta = c - G z + diag(G) z, so that the best value of
 *        coordinate j alone is zbar_j = h(beta_j) / G_jj (h: the soft
 *        threshold by lambda, or its non-negative form).  Each update
 *        picks j = argmax |zbar_j - z_j|, sets z_j = zbar_j and updates
 *        beta_i -= G_ij (zbar_j - z_j) for i != j.
 *
 * It starts from the z it is given (0, or a warm start), and stops when
 * max |zbar - z| <= tol * max(1, |z|_inf); an iteration is
 * k updates, the cost of one ISTA iteration.  beta and z are kept in
 * double: millions of incremental updates in float drift from the true
 * beta by more than the tolerance.
 */
#include <math.h>
#include <stdlib.h>

#include "solver.h"

/* With the elastic net's 1/2 lambda_2 z^2 the curvature of coordinate j
 * is G_jj + lambda_2. */
static double best_value(const sc_problem *p, double beta, double diagonal)
{
    double curvature = diagonal + p->l2;
    if (!(curvature > 0.0))
        return 0.0;            /* a zero atom without L2 never helps */
    double m = p->nonnegative ? beta - p->lambda : fabs(beta) - p->lambda;
    if (m <= 0.0)
        return 0.0;
    return (p->nonnegative ? m : copysign(m, beta)) / curvature;
}

/* The scratch: k doubles each. */
typedef struct {
    double *beta, *zbar, *zd;
} workspace;

static void release_work(void *work)
{
    workspace *w = work;
    if (w == NULL)
        return;
    free(w->beta);
    free(w->zbar);
    free(w->zd);
    free(w);
}

static void *make_work(const sc_solver *s, const sc_problem *p)
{
    (void)p;
    size_t k = s->k;
    workspace *w = malloc(sizeof *w);
    if (w == NULL)
        return NULL;
    *w = (workspace){malloc(k * sizeof(double)), malloc(k * sizeof(double)),
                     malloc(k * sizeof(double))};
    if (w->beta == NULL || w->zbar == NULL || w->zd == NULL) {
        release_work(w);
        return NULL;
    }
    return w;
}

/* One sample from the start in z; the effort is in iterations of k
 * updates. */
static int64_t solve_sample(const sc_solver *s, const sc_problem *p,
                            const float *c, double xx, float *z, void *work,
                            int *done)
{
    (void)xx;
    size_t k = s->k;
    const float *g = s->gram;
    const workspace *w = work;
    double *beta = w->beta, *zbar = w->zbar, *zd = w->zd;
    uint64_t cap = p->max_iterations * (uint64_t)k;
    /* beta = c - G z + diag(G) z from the start z (0, or warm) */
    for (size_t i = 0; i < k; i++) {
        beta[i] = c[i];
        zd[i] = z[i];
    }
    for (size_t j = 0; j < k; j++)
        if (zd[j] != 0.0)
            for (size_t i = 0; i < k; i++)
                if (i != j)
                    beta[i] -= g[j * k + i] * zd[j];
    uint64_t updates = 0;
    *done = 0;
    while (updates < cap) {
        size_t j = 0;
        double largest = -1.0, top = 1.0;
        for (size_t i = 0; i < k; i++) {
            zbar[i] = best_value(p, beta[i], g[i * k + i]);
            double d = fabs(zbar[i] - zd[i]);
            if (d > largest) {
                largest = d;
                j = i;
            }
            if (fabs(zd[i]) > top)
                top = fabs(zd[i]);
        }
        if (p->tolerance > 0 && largest <= p->tolerance * top) {
            *done = 1;
            break;
        }
        double delta = zbar[j] - zd[j];
        const float *row = g + j * k;     /* G is symmetric */
        for (size_t i = 0; i < k; i++)
            if (i != j)
                beta[i] -= row[i] * delta;
        zd[j] = zbar[j];
        updates++;
    }
    for (size_t i = 0; i < k; i++)
        z[i] = (float)zd[i];
    return (int64_t)((updates + k - 1) / k);
}

const sc_sample_method sc_cod_method = {make_work, solve_sample,
                                        release_work};
