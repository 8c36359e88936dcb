/* SPDX-License-Identifier: BSD-2-Clause */
/* lasso.c -- the objective, the duality gap, the group prox and the
 * group surrogate. */
#include <math.h>

#include "blas.h"
#include "lasso.h"

int sc_lasso_group_is_smooth(const sc_solver *s, const sc_problem *p)
{
    return p->group_weight > 0 && !s->exact_group_prox;
}

void sc_lasso_group_prox(const sc_solver *s, const sc_problem *p,
                         float step, float *z)
{
    if (p->group_weight <= 0 || !s->exact_group_prox)
        return;
    /* Block soft threshold: z_g <- max(0, 1 - tau_g / |z_g|) z_g.  After
     * the L1 threshold this is the exact prox of the sum of both terms. */
    double tau_g = p->group_weight * step;
    const sc_pools *pools = &s->pools;
    for (size_t g = 0; g < pools->count; g++) {
        double sq = 0.0;
        for (size_t m = pools->start[g]; m < pools->start[g + 1]; m++)
            sq += (double)z[pools->units[m]] * z[pools->units[m]];
        double norm = sqrt(sq);
        float scale = norm > tau_g ? (float)(1.0 - tau_g / norm) : 0.0f;
        for (size_t m = pools->start[g]; m < pools->start[g + 1]; m++)
            z[pools->units[m]] *= scale;
    }
}

void sc_lasso_surrogate_gradient(const sc_solver *s, const sc_problem *p,
                                 const float *z, float *grad)
{
    const sc_pools *pools = &s->pools;
    for (size_t g = 0; g < pools->count; g++) {
        double energy = p->group_epsilon;
        for (size_t m = pools->start[g]; m < pools->start[g + 1]; m++)
            energy += pools->weights[m] * (double)z[pools->units[m]] *
                      z[pools->units[m]];
        double scale = p->group_weight / sqrt(energy);
        for (size_t m = pools->start[g]; m < pools->start[g + 1]; m++)
            grad[pools->units[m]] +=
                (float)(scale * pools->weights[m] * z[pools->units[m]]);
    }
}

double sc_group_penalty(const sc_solver *s, const sc_problem *p,
                        const float *z)
{
    if (p->group_weight <= 0)
        return 0.0;
    const sc_pools *pools = &s->pools;
    double eps = s->exact_group_prox ? 0.0 : p->group_epsilon;
    double total = 0.0;
    for (size_t g = 0; g < pools->count; g++) {
        double energy = eps;
        for (size_t m = pools->start[g]; m < pools->start[g + 1]; m++)
            energy += pools->weights[m] * (double)z[pools->units[m]] *
                      z[pools->units[m]];
        total += sqrt(energy);
    }
    return p->group_weight * total;
}

/* corr -= a * row, in double (row in float); and corr -= a_0 row_0 + ...
 * + a_3 row_3 in one pass, subtracting the four products in that order,
 * element by element: the same arithmetic as four passes of the first,
 * with a quarter of the loads and stores of corr. */
#define SUBTRACT_ROW_BODY                                                  \
    for (size_t i = 0; i < k; i++)                                        \
        corr[i] -= a * row[i];
#define SUBTRACT_ROWS4_BODY(type)                                          \
    const type *restrict r0 = rows[0], *restrict r1 = rows[1];            \
    const type *restrict r2 = rows[2], *restrict r3 = rows[3];            \
    for (size_t i = 0; i < k; i++)                                        \
        corr[i] = corr[i] - a[0] * r0[i] - a[1] * r1[i] - a[2] * r2[i] -  \
                  a[3] * r3[i];

static void subtract_row(size_t k, double a, const float *restrict row,
                         double *restrict corr)
{
    SUBTRACT_ROW_BODY
}

static void subtract_rows4(size_t k, const double *a,
                           const float *const *rows, double *restrict corr)
{
    SUBTRACT_ROWS4_BODY(float)
}

/* The same with rows of doubles. */
static void subtract_vector(size_t k, double a, const double *restrict row,
                            double *restrict corr)
{
    SUBTRACT_ROW_BODY
}

static void subtract_vectors4(size_t k, const double *a,
                              const double *const *rows,
                              double *restrict corr)
{
    SUBTRACT_ROWS4_BODY(double)
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The same loops vectorised for AVX2 (4 doubles): the same arithmetic,
 * element by element, as ISO C mode contracts nothing into FMA. */
__attribute__((target("avx2"))) static void
subtract_row_avx2(size_t k, double a, const float *restrict row,
                  double *restrict corr)
{
    SUBTRACT_ROW_BODY
}

__attribute__((target("avx2"))) static void
subtract_rows4_avx2(size_t k, const double *a, const float *const *rows,
                    double *restrict corr)
{
    SUBTRACT_ROWS4_BODY(float)
}

__attribute__((target("avx2"))) static void
subtract_vector_avx2(size_t k, double a, const double *restrict row,
                     double *restrict corr)
{
    SUBTRACT_ROW_BODY
}

__attribute__((target("avx2"))) static void
subtract_vectors4_avx2(size_t k, const double *a, const double *const *rows,
                       double *restrict corr)
{
    SUBTRACT_ROWS4_BODY(double)
}
#endif
#undef SUBTRACT_ROW_BODY
#undef SUBTRACT_ROWS4_BODY

typedef void (*subtract_fn)(size_t, double, const float *, double *);
typedef void (*subtract4_fn)(size_t, const double *, const float *const *,
                             double *);

static int has_avx2(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    return __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

static subtract_fn pick_subtract(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (has_avx2())
        return subtract_row_avx2;
#endif
    return subtract_row;
}

static subtract4_fn pick_subtract4(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (has_avx2())
        return subtract_rows4_avx2;
#endif
    return subtract_rows4;
}

void sc_gram_subtract_rows(const sc_solver *s, const size_t *rows,
                           const double *weights, size_t count, double *acc)
{
    subtract_fn subtract = pick_subtract();
    subtract4_fn subtract4 = pick_subtract4();
    size_t k = s->k, q = 0;
    for (; q + 4 <= count; q += 4) {
        const float *four[4] = {s->gram + rows[q] * k, s->gram + rows[q + 1] * k,
                                s->gram + rows[q + 2] * k,
                                s->gram + rows[q + 3] * k};
        subtract4(k, weights + q, four, acc);
    }
    for (; q < count; q++)
        subtract(k, weights[q], s->gram + rows[q] * k, acc);
}

void sc_subtract_vectors(size_t k, const double *const *vectors,
                         const double *weights, size_t count, double *acc)
{
    void (*subtract)(size_t, double, const double *, double *) =
        subtract_vector;
    void (*subtract4)(size_t, const double *, const double *const *,
                      double *) = subtract_vectors4;
#if defined(__x86_64__) && defined(__GNUC__)
    if (has_avx2()) {
        subtract = subtract_vector_avx2;
        subtract4 = subtract_vectors4_avx2;
    }
#endif
    size_t q = 0;
    for (; q + 4 <= count; q += 4)
        subtract4(k, weights + q, vectors + q, acc);
    for (; q < count; q++)
        subtract(k, weights[q], vectors[q], acc);
}

void sc_lasso_correlations(const sc_solver *s, const float *c,
                           const float *z, double *corr)
{
    enum { CHUNK = 64 };
    size_t k = s->k, rows[CHUNK], count = 0;
    double weights[CHUNK];
    for (size_t i = 0; i < k; i++)
        corr[i] = c[i];
    /* the non-zeros in chunks, four rows of G per pass over corr (row j
     * of G is its column j: G is symmetric) */
    for (size_t j = 0; j < k; j++) {
        if (z[j] == 0.0f)
            continue;
        rows[count] = j;
        weights[count++] = z[j];
        if (count == CHUNK) {
            sc_gram_subtract_rows(s, rows, weights, count, corr);
            count = 0;
        }
    }
    sc_gram_subtract_rows(s, rows, weights, count, corr);
}

/* (S7) with r = x - D z:  |r|^2 = |x|^2 - z.c - z.corr  (z.G z = z.c -
 * z.corr),  x.r = |x|^2 - z.c,  D^T r = corr.  The elastic net is the
 * lasso of D~ = [D; sqrt(l2) I], x~ = [x; 0], whose residual is
 * r~ = [r; -sqrt(l2) z] and D~^T r~ = corr - l2 z; the dual point is
 * s r~, scaled into the feasible set |D~^T theta|_inf <= lambda (z >= 0:
 * D~^T theta <= lambda). */
sc_gap sc_lasso_gap(const sc_problem *p, size_t k, const float *c,
                    double xx, const float *z, const double *corr)
{
    double zc = 0.0, zcorr = 0.0, l1 = 0.0, sq = 0.0, m = 0.0;
    for (size_t i = 0; i < k; i++) {
        double zi = z[i];
        zc += zi * c[i];
        zcorr += zi * corr[i];
        l1 += fabs(zi);
        sq += zi * zi;
        double a = corr[i] - p->l2 * zi;
        if (!p->nonnegative)
            a = fabs(a);
        if (a > m)
            m = a;
    }
    double rr = fmax(xx - zc - zcorr, 0.0), xr = xx - zc;
    double scale = m > p->lambda ? p->lambda / m : 1.0;
    sc_gap g;
    g.objective = 0.5 * rr + p->lambda * l1 + 0.5 * p->l2 * sq;
    double dual = scale * xr - 0.5 * scale * scale * (rr + p->l2 * sq);
    g.gap = fmax(g.objective - dual, 0.0);
    return g;
}

/* (S0) 1/2 |x - D z|^2 + lambda |z|_1 + 1/2 lambda_2 |z|^2 + group term,
 * summed over the rows samples, with one sgemm. */
double sc_solver_objective_sum(const sc_solver *s, const sc_problem *p,
                               const float *x, const float *z, size_t rows,
                               float *residual)
{
    size_t n = s->n, k = s->k;
    /* residual = Z D^T - X */
    sc_gemm(0, 1, rows, n, k, 1.0f, z, k, s->dictionary, k, 0.0f,
            residual, n);
    double total = 0.0;
    for (size_t b = 0; b < rows; b++) {
        const float *zb = z + b * k, *xb = x + b * n;
        const float *rb = residual + b * n;
        double sq = 0.0, l1 = 0.0, l2 = 0.0;
        for (size_t i = 0; i < n; i++) {
            double r = (double)rb[i] - xb[i];
            sq += r * r;
        }
        for (size_t i = 0; i < k; i++) {
            if (p->nonnegative && zb[i] < 0.0f)
                return INFINITY;
            l1 += fabs(zb[i]);
            l2 += (double)zb[i] * zb[i];
        }
        total += 0.5 * sq + p->lambda * l1 + 0.5 * p->l2 * l2 +
                 sc_group_penalty(s, p, zb);
    }
    return total;
}

double sc_solver_total_objective(const sc_solver *s, const sc_problem *p,
                                 const float *x, const float *z, size_t batch,
                                 float *residual)
{
    double total = 0.0;
    for (size_t first = 0; first < batch; first += SC_SOLVER_BLOCK) {
        size_t rows = batch - first < SC_SOLVER_BLOCK ? batch - first
                                                      : SC_SOLVER_BLOCK;
        total += sc_solver_objective_sum(s, p, x + first * s->n,
                                         z + first * s->k, rows, residual);
    }
    return total;
}
