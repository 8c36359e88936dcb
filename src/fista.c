/* fista.c -- ISTA and FISTA on a batch, through the Gram matrix:
 *
 *   (S1) g = D^T (D y - x) = y G - c     (one sgemm for the batch)
 *   (S2) z' = prox(y - g / L)
 *   (S3) FISTA: t' = (1 + sqrt(1 + 4 t^2)) / 2,
 *               y = z' + (t - 1) / t' (z' - z);  ISTA: y = z'
 *   (S4) adaptive restart (O'Donoghue & Candes, gradient scheme): when
 *        (y - z') . (z' - z) > 0 the momentum points uphill: t = 1, y = z'.
 *
 * Each sample keeps its own t; the batch stops when every sample moved by
 * at most tol * max(1, |z'|_inf) in one iteration.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "lasso.h"
#include "solver.h"

int64_t sc_fista(const sc_solver *s, const sc_problem *p, size_t batch,
                 const float *c, float *z, int *converged)
{
    size_t k = s->k, size = batch * k;
    float *y = malloc(size * sizeof *y);
    float *next = malloc(size * sizeof *next);
    float *grad = malloc(size * sizeof *grad);
    double *t = malloc(batch * sizeof *t);
    if (y == NULL || next == NULL || grad == NULL || t == NULL) {
        free(y);
        free(next);
        free(grad);
        free(t);
        return -1;
    }
    int smooth_group = sc_lasso_group_is_smooth(s, p);
    /* The surrogate's curvature is at most lambda_g * overlap / sqrt(eps). */
    double lipschitz = s->lipschitz;
    if (smooth_group)
        lipschitz += p->group_weight * s->pool_overlap /
                     sqrt(p->group_epsilon);
    double step = 1.0 / lipschitz;
    memset(z, 0, size * sizeof *z);
    memset(y, 0, size * sizeof *y);
    for (size_t b = 0; b < batch; b++)
        t[b] = 1.0;

    uint64_t it = 0;
    int done = 0;
    while (it < p->max_iterations && !done) {
        it++;
        /* (S1) */
        sc_gemm(0, 0, batch, k, k, 1.0f, y, k, s->gram, k, 0.0f, grad, k);
        done = p->tolerance > 0;
        for (size_t b = 0; b < batch; b++) {
            float *yb = y + b * k, *gb = grad + b * k;
            float *zb = z + b * k, *nb = next + b * k;
            const float *cb = c + b * k;
            /* (S1) g = G y - c, then (S2)'s gradient step written into gb;
             * the subtraction of c joins the step's pass over the row. */
            if (smooth_group) {
                for (size_t i = 0; i < k; i++)
                    gb[i] -= cb[i];
                sc_lasso_surrogate_gradient(s, p, yb, gb);
                for (size_t i = 0; i < k; i++)
                    gb[i] = (float)(yb[i] - step * gb[i]);
            } else {
                for (size_t i = 0; i < k; i++)
                    gb[i] = (float)(yb[i] - step * (gb[i] - cb[i]));
            }
            sc_lasso_prox(s, p, step, gb, nb);
            double change = 0.0, top = 1.0, uphill = 0.0;
            for (size_t i = 0; i < k; i++) {
                double d = (double)nb[i] - zb[i];
                if (fabs(d) > change)
                    change = fabs(d);
                if (fabs(nb[i]) > top)
                    top = fabs(nb[i]);
                uphill += ((double)yb[i] - nb[i]) * d;
            }
            if (change > p->tolerance * top)
                done = 0;
            /* (S3, S4) */
            if (!p->momentum || uphill > 0) {
                t[b] = 1.0;
                memcpy(yb, nb, k * sizeof *yb);
            } else {
                double t_next = 0.5 * (1.0 + sqrt(1.0 + 4.0 * t[b] * t[b]));
                float beta = (float)((t[b] - 1.0) / t_next);
                for (size_t i = 0; i < k; i++)
                    yb[i] = nb[i] + beta * (nb[i] - zb[i]);
                t[b] = t_next;
            }
        }
        memcpy(z, next, size * sizeof *z);
    }
    *converged = done;
    free(y);
    free(next);
    free(grad);
    free(t);
    return (int64_t)it;
}
