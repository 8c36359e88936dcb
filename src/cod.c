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

int64_t sc_cod(const sc_solver *s, const sc_problem *p, size_t batch,
               const float *c, float *z, int *converged)
{
    size_t k = s->k;
    const float *g = s->gram;
    double *beta = malloc(k * sizeof *beta);
    double *zbar = malloc(k * sizeof *zbar);
    double *zd = malloc(k * sizeof *zd);
    if (beta == NULL || zbar == NULL || zd == NULL) {
        free(beta);
        free(zbar);
        free(zd);
        return -1;
    }
    uint64_t cap = p->max_iterations * (uint64_t)k, most = 0;
    int all_converged = 1;
    for (size_t b = 0; b < batch; b++) {
        /* beta = c - G z + diag(G) z from the start z (0, or warm) */
        for (size_t i = 0; i < k; i++) {
            beta[i] = c[b * k + i];
            zd[i] = z[b * k + i];
        }
        for (size_t j = 0; j < k; j++)
            if (zd[j] != 0.0)
                for (size_t i = 0; i < k; i++)
                    if (i != j)
                        beta[i] -= g[j * k + i] * zd[j];
        uint64_t updates = 0;
        int done = 0;
        while (!done && updates < cap) {
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
                done = 1;
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
            z[b * k + i] = (float)zd[i];
        all_converged &= done;
        if (updates > most)
            most = updates;
    }
    free(beta);
    free(zbar);
    free(zd);
    *converged = all_converged;
    return (int64_t)((most + k - 1) / k);
}
