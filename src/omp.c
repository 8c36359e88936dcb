/* SPDX-License-Identifier: BSD-2-Clause */
/* omp.c -- orthogonal matching pursuit on the Gram matrix (Batch-OMP:
 * Rubinstein, Zibulevsky & Elad 2008, "Efficient implementation of the
 * K-SVD algorithm using batch orthogonal matching pursuit", algorithm 3,
 * without its error-tracking shortcut), one sample at a time.
 *
 * Per sample, with c = D^T x, G = D^T D and the support S (in order of
 * selection):
 *
 *   alpha = c - G_{:,S} gamma_S    the correlations D^T r of the
 *                                  residual r = x - D_S gamma_S
 *   j = argmax_{i not in S} |alpha_i|, joins S
 *   L L^T = G_SS                   one more row of the factor L
 *                                  (cholesky.h), so a step costs |S|^2
 *                                  instead of a factorisation's |S|^3/3
 *   gamma_S = (L L^T)^{-1} c_S     the least-squares fit on S
 *
 * without computing gamma_S at every step: with v = L^{-1} c_S and
 * U = G_{:,S} L^{-T} (k x |S|),
 *
 *   alpha = c - U v,  |r|^2 = |x|^2 - c_S . gamma_S = |x|^2 - |v|^2,
 *
 * and a new atom j adds one entry to v and one column to U:
 *
 *   v_m = (c_j - L_{m,<m} . v_{<m}) / L_mm
 *   u_m = (G_{:,j} - U_{:,<m} L_{m,<m}^T) / L_mm       (k |S| work)
 *   alpha -= v_m u_m,  |r|^2 -= v_m^2
 *
 * so a step costs k |S| and no solve of |S|^2 (a chain of dependent
 * sums, which took a third of the time at 79 atoms); gamma = L^{-T} v
 * once, at the end.
 *
 * The factor, v, U, gamma, alpha and |r|^2 are double; G and c are float,
 * as the solver holds them.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cholesky.h"
#include "solver.h"

/* The scratch of one sample's run, for at most cap atoms. */
typedef struct {
    size_t cap;
    double *alpha;           /* k: D^T r                        */
    unsigned char *chosen;   /* k: 1 for the atoms of S         */
    size_t *support;         /* cap: S, in order of selection   */
    double *factor;          /* cap x cap: L, leading dim. cap  */
    double *gamma;           /* cap: v, then the fit on S       */
    double *columns;         /* cap x k: U's columns u_q        */
    const double **earlier;  /* cap: pointers to u_0 .. u_m-1   */
} workspace;

/* The atom not in S of largest |alpha|, the lowest index on ties; k when
 * every atom not in S has alpha = 0 (nothing left to fit). */
static size_t largest_correlation(const workspace *w, size_t k)
{
    size_t best = k;
    double top = 0.0;
    for (size_t i = 0; i < k; i++) {
        double a = fabs(w->alpha[i]);
        if (!w->chosen[i] && a > top) {
            top = a;
            best = i;
        }
    }
    return best;
}

/* One sample: writes its code z (all k entries) and returns the atoms
 * selected; *done is 0 when it stopped at a dependent atom. */
static int64_t solve_sample(const sc_solver *s, const sc_problem *p,
                            const float *c, double xx, float *z, void *work,
                            int *done)
{
    workspace *w = work;
    size_t k = s->k, m = 0, cap = w->cap;
    for (size_t i = 0; i < k; i++)
        w->alpha[i] = c[i];
    memset(w->chosen, 0, k);
    double r2 = xx;
    *done = 1;
    while (m < cap && !(r2 <= p->max_residual)) {
        size_t j = largest_correlation(w, k);
        if (j == k)
            break;
        /* row m of G_SS: G_{j,S} and G_jj, then its factor row */
        const float *gj = s->gram + j * k;
        double *row = w->factor + m * cap;
        for (size_t q = 0; q < m; q++)
            row[q] = gj[w->support[q]];
        row[m] = gj[j];
        if (!sc_cholesky_append(w->factor, cap, m)) {
            *done = 0;       /* d_j is (nearly) in the span of D_S */
            break;
        }
        w->support[m] = j;
        w->chosen[j] = 1;
        /* v_m, then u_m = (G_{:,j} - sum_q L_mq u_q) / L_mm */
        w->gamma[m] = c[j];
        sc_cholesky_forward(w->factor, cap, m, m + 1, w->gamma);
        double *u = w->columns + m * k;
        for (size_t i = 0; i < k; i++)
            u[i] = gj[i];
        sc_subtract_vectors(k, w->earlier, row, m, u);
        double inverse = 1.0 / row[m], vm = w->gamma[m];
        for (size_t i = 0; i < k; i++) {
            u[i] *= inverse;
            w->alpha[i] -= vm * u[i];
        }
        w->earlier[m] = u;
        r2 -= vm * vm;
        m++;
    }
    sc_cholesky_backward(w->factor, cap, m, w->gamma);   /* gamma */
    memset(z, 0, k * sizeof *z);
    for (size_t q = 0; q < m; q++)
        z[w->support[q]] = (float)w->gamma[q];
    return (int64_t)m;
}

static void release_work(void *work)
{
    workspace *w = work;
    if (w == NULL)
        return;
    free(w->alpha);
    free(w->chosen);
    free(w->support);
    free(w->factor);
    free(w->gamma);
    free(w->columns);
    free(w->earlier);
    free(w);
}

static void *make_work(const sc_solver *s, const sc_problem *p)
{
    size_t k = s->k, cap = s->n < k ? s->n : k;
    if (p->max_nonzeros > 0 && p->max_nonzeros < cap)
        cap = p->max_nonzeros;
    if (cap > SIZE_MAX / cap / sizeof(double) ||
        k > SIZE_MAX / cap / sizeof(double))
        return NULL;
    workspace *w = malloc(sizeof *w);
    if (w == NULL)
        return NULL;
    *w = (workspace){.cap = cap,
                     .alpha = malloc(k * sizeof(double)),
                     .chosen = malloc(k),
                     .support = malloc(cap * sizeof(size_t)),
                     .factor = malloc(cap * cap * sizeof(double)),
                     .gamma = malloc(cap * sizeof(double)),
                     .columns = malloc(cap * k * sizeof(double)),
                     .earlier = malloc(cap * sizeof(double *))};
    if (w->alpha == NULL || w->chosen == NULL || w->support == NULL ||
        w->factor == NULL || w->gamma == NULL || w->columns == NULL ||
        w->earlier == NULL) {
        release_work(w);
        return NULL;
    }
    return w;
}

const sc_sample_method sc_omp_method = {make_work, solve_sample,
                                        release_work};
