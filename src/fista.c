/* SPDX-License-Identifier: BSD-2-Clause */
/* fista.c -- ISTA and FISTA on a batch, through the Gram matrix:
 *
 *   (S1) g = D^T (D y - x) = G y - c
 *   (S2) z' = prox(y - g / L)
 *   (S3) FISTA: t' = (1 + sqrt(1 + 4 t^2)) / 2,
 *               y = z' + (t - 1) / t' (z' - z);  ISTA: y = z'
 *   (S4) adaptive restart (O'Donoghue & Candes, gradient scheme): when
 *        (y - z') . (z' - z) > 0 the momentum points uphill: t = 1, y = z'.
 *
 * Each sample keeps its own t; the batch stops when every sample moved by
 * at most tol * max(1, |z'|_inf) in one iteration.
 *
 * (S1) is computed two ways.  A row of y with few non-zeros (fewer than
 * p->sparse_below; most rows, after the first iterations) takes
 * g = sum over y_j != 0 of y_j G_j, G being symmetric; the other rows are
 * gathered into one sgemm.  After the gradient, (S2)-(S4) and the
 * tolerance test are one float pass over the row (update_row).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "lasso.h"
#include "solver.h"

/* The row pass keeps LANES independent partial maxima, sums and counts,
 * block by block: the compiler vectorises a block without reassociating
 * float sums (a plain reduction loop would stay scalar).  The counts are
 * floats too, which keeps the block free of branches (GCC 12). */
enum { LANES = 16 };

/* A row takes the sparse gradient when it has fewer than k /
 * SPARSE_FRACTION non-zeros (measured: see docs/lista.md). */
#define SPARSE_FRACTION 4

typedef struct {
    float change[LANES];   /* max |z' - z|                          */
    float top[LANES];      /* max(1, |z'|)                          */
    float uphill[LANES];   /* (y - z') . (z' - z)  (S4)             */
    float nnz_y[LANES];    /* non-zeros of the momentum step's y    */
    float nnz_z[LANES];    /* non-zeros of z'                       */
} tally;

/* (S2) without the group prox: z' = soft(v, tau) * scale at
 * v = u - step (g - c), or max(v - tau, 0) * scale when nonnegative;
 * scale = 1 / (1 + step lambda_2) makes it the prox of the elastic net
 * (exactly 1 without the L2 term). */
static inline float shrink_step(float u, float g, float c, float step,
                                float tau, float scale, int nonnegative)
{
    float v = u - step * (g - c);
    float m = (nonnegative ? v : fabsf(v)) - tau;
    return m > 0.0f ? copysignf(m, v) * scale : 0.0f;
}

/* One element of the row pass: the tolerance and restart quantities at
 * z' = n, then (S3) y <- z' + beta (z' - z) and z <- z'. */
static inline void visit(tally *a, size_t l, float n, float *y, float *z,
                         float beta)
{
    float d = n - *z, ad = fabsf(d), an = fabsf(n);
    a->change[l] = ad > a->change[l] ? ad : a->change[l];
    a->top[l] = an > a->top[l] ? an : a->top[l];
    a->uphill[l] += (*y - n) * d;
    float next = n + beta * d;
    a->nnz_y[l] += next != 0.0f ? 1.0f : 0.0f;
    a->nnz_z[l] += n != 0.0f ? 1.0f : 0.0f;
    *y = next;
    *z = n;
}

typedef struct {
    int moved;       /* the row has not met the tolerance     */
    int restart;     /* (S4) restarted, or ISTA               */
    size_t nnz;      /* non-zeros of the new y                */
} row_result;

/* (S2)-(S4) for one row in one pass, given its gradient g (without -c)
 * and the momentum weight beta = (t - 1) / t' (0 for ISTA).  With the
 * exact group prox, z' is made first in scratch (k floats), and the pass
 * then reads it through the same shrink_step, made the identity by
 * g = c and tau = 0. */
static row_result update_row(const sc_solver *s, const sc_problem *p,
                             float step, float beta, const float *g,
                             const float *c, float *y, float *z,
                             float *scratch)
{
    size_t k = s->k;
    float tau = (float)(p->lambda * step);
    float scale = (float)(1.0 / (1.0 + step * p->l2));
    int nonneg = p->nonnegative;
    const float *u = y;
    if (p->group_weight > 0 && s->exact_group_prox) {
        for (size_t i = 0; i < k; i++)
            scratch[i] = shrink_step(y[i], g[i], c[i], step, tau, scale,
                                     nonneg);
        /* the prox of the sum: L1, L2 scale, then the block threshold by
         * lambda_g step scale */
        sc_lasso_group_prox(s, p, step * scale, scratch);
        u = scratch;
        g = c;
        tau = 0.0f;
        scale = 1.0f;
    }
    tally a;
    memset(&a, 0, sizeof a);
    for (size_t l = 0; l < LANES; l++)
        a.top[l] = 1.0f;
    for (size_t i0 = 0; i0 < k; i0 += LANES) {
        size_t end = i0 + LANES < k ? i0 + LANES : k;
        for (size_t i = i0; i < end; i++)
            visit(&a, i - i0,
                  shrink_step(u[i], g[i], c[i], step, tau, scale, nonneg),
                  y + i, z + i, beta);
    }
    float change = 0.0f, top = 0.0f, uphill = 0.0f;
    size_t nnz_y = 0, nnz_z = 0;
    for (size_t l = 0; l < LANES; l++) {
        change = a.change[l] > change ? a.change[l] : change;
        top = a.top[l] > top ? a.top[l] : top;
        uphill += a.uphill[l];
        nnz_y += (size_t)a.nnz_y[l];   /* exact: at most k / LANES */
        nnz_z += (size_t)a.nnz_z[l];
    }
    row_result r;
    r.moved = (double)change > p->tolerance * (double)top;
    /* (S4): restart from y = z' (z now holds z') */
    r.restart = !p->momentum || uphill > 0.0f;
    if (r.restart && beta != 0.0f)
        memcpy(y, z, k * sizeof *y);
    r.nnz = r.restart ? nnz_z : nnz_y;
    return r;
}

/* (S1) for a sparse row: g = sum_{j: y_j != 0} y_j G_j (G = D^T D is
 * symmetric, so its row j is its column j), four rows of G per pass over
 * g.  index: k slots. */
static void sparse_gradient(const float *gram, size_t k, const float *y,
                            float *g, size_t *index)
{
    size_t m = 0;
    for (size_t j = 0; j < k; j++) {   /* without a branch to mispredict */
        index[m] = j;
        m += y[j] != 0.0f;
    }
    memset(g, 0, k * sizeof *g);
    size_t q = 0;
    for (; q + 4 <= m; q += 4) {
        const float *r[4];
        float w[4];
        for (size_t e = 0; e < 4; e++) {
            r[e] = gram + index[q + e] * k;
            w[e] = y[index[q + e]];
        }
        for (size_t i = 0; i < k; i++)
            g[i] += w[0] * r[0][i] + w[1] * r[1][i] + w[2] * r[2][i] +
                    w[3] * r[3][i];
    }
    for (; q < m; q++) {
        const float *r = gram + index[q] * k;
        float w = y[index[q]];
        for (size_t i = 0; i < k; i++)
            g[i] += w * r[i];
    }
}

/* (S1) for the dense rows (nnz >= sparse_below) in one sgemm into grad,
 * their rows gathered into packed first unless every row is dense. */
static void dense_gradients(const sc_solver *s, const sc_problem *p,
                            size_t batch, const float *y, const size_t *nnz,
                            float *packed, float *grad)
{
    size_t k = s->k, m = 0;
    for (size_t b = 0; b < batch; b++)
        if (nnz[b] >= p->sparse_below)
            m++;
    if (m == 0)
        return;
    if (m < batch)
        for (size_t b = 0, slot = 0; b < batch; b++)
            if (nnz[b] >= p->sparse_below)
                memcpy(packed + slot++ * k, y + b * k, k * sizeof *y);
    sc_gemm(0, 0, m, k, k, 1.0f, m == batch ? y : packed, k, s->gram, k,
            0.0f, grad, k);
}

/* The buffers of one run. */
typedef struct {
    float *y, *packed, *grad, *row;
    size_t *index;     /* k slots, for sparse_gradient */
    double *t;         /* FISTA's t, per sample   */
    size_t *nnz;       /* non-zeros of y, per row */
} workspace;

/* Iterates from y = z (0, or a warm start); returns the iteration
 * count. */
static int64_t iterate(const sc_solver *s, const sc_problem *p,
                       size_t batch, const float *c, float *z,
                       const workspace *w, int *converged)
{
    size_t k = s->k;
    int smooth_group = sc_lasso_group_is_smooth(s, p);
    /* The surrogate's curvature is at most lambda_g * overlap / sqrt(eps). */
    double lipschitz = s->lipschitz;
    if (smooth_group)
        lipschitz += p->group_weight * s->pool_overlap /
                     sqrt(p->group_epsilon);
    float step = (float)(1.0 / lipschitz);
    memcpy(w->y, z, batch * k * sizeof *w->y);
    for (size_t b = 0; b < batch; b++) {
        w->t[b] = 1.0;
        w->nnz[b] = 0;
        for (size_t i = 0; i < k; i++)
            w->nnz[b] += z[b * k + i] != 0.0f;
    }
    uint64_t it = 0;
    int done = 0;
    while (it < p->max_iterations && !done) {
        it++;
        dense_gradients(s, p, batch, w->y, w->nnz, w->packed, w->grad);
        float *dense = w->grad;
        done = p->tolerance > 0;
        for (size_t b = 0; b < batch; b++) {
            float *yb = w->y + b * k, *gb;
            /* (S1) */
            if (w->nnz[b] >= p->sparse_below) {
                gb = dense;
                dense += k;
            } else {
                gb = w->row;
                sparse_gradient(s->gram, k, yb, gb, w->index);
            }
            if (smooth_group)
                sc_lasso_surrogate_gradient(s, p, yb, gb);
            /* (S2)-(S4) */
            double t = w->t[b], t_next = 0.5 * (1.0 + sqrt(1.0 + 4.0 * t * t));
            float beta = p->momentum ? (float)((t - 1.0) / t_next) : 0.0f;
            row_result r = update_row(s, p, step, beta, gb, c + b * k, yb,
                                      z + b * k, w->row + k);
            w->t[b] = r.restart ? 1.0 : t_next;
            w->nnz[b] = r.nnz;
            if (r.moved)
                done = 0;
        }
    }
    *converged = done;
    return (int64_t)it;
}

size_t sc_fista_sparse_cutoff(size_t k)
{
    return k / SPARSE_FRACTION;
}

int64_t sc_fista(const sc_solver *s, const sc_problem *p, size_t batch,
                 const float *c, float *z, int *converged)
{
    size_t k = s->k, size = batch * k;
    workspace w = {malloc(size * sizeof(float)), malloc(size * sizeof(float)),
                   malloc(size * sizeof(float)), malloc(2 * k * sizeof(float)),
                   malloc(k * sizeof(size_t)), malloc(batch * sizeof(double)),
                   malloc(batch * sizeof(size_t))};
    int64_t it = -1;
    if (w.y != NULL && w.packed != NULL && w.grad != NULL && w.row != NULL &&
        w.index != NULL && w.t != NULL && w.nnz != NULL)
        it = iterate(s, p, batch, c, z, &w, converged);
    free(w.y);
    free(w.packed);
    free(w.grad);
    free(w.row);
    free(w.index);
    free(w.t);
    free(w.nnz);
    return it;
}
