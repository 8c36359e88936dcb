/* SPDX-License-Identifier: BSD-2-Clause */
/* psd.c -- codes from the solver under the topographic group term, and
 * block coordinate descent on the dictionary (see psd.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "psd.h"

/* Scales every column of d (n x k) to unit norm; zero columns stay. */
static void normalize_columns(float *d, size_t n, size_t k)
{
    for (size_t j = 0; j < k; j++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += (double)d[i * k + j] * d[i * k + j];
        if (s > 0)
            for (size_t i = 0; i < n; i++)
                d[i * k + j] = (float)(d[i * k + j] / sqrt(s));
    }
}

/* A solver for dictionary (rows x k) with the settings' group term. */
static sc_status make_solver(sc_solver **out, const float *dictionary,
                             size_t rows, size_t k, const psd_settings *s,
                             char *err, size_t errsize)
{
    sc_solver *sv = NULL;
    sc_status st = sc_solver_create(&sv, dictionary, rows, k);
    const struct {
        sc_solver_param param;
        double value;
    } set[] = {
        {SC_SOLVER_PARAM_METHOD, SC_SOLVER_METHOD_FISTA},
        {SC_SOLVER_PARAM_LAMBDA, s->l1_weight},
        {SC_SOLVER_PARAM_MAX_ITERATIONS, s->iterations},
        {SC_SOLVER_PARAM_TOLERANCE, 0},
        {SC_SOLVER_PARAM_TORUS_ROWS, (double)s->rows},
        {SC_SOLVER_PARAM_TORUS_COLS, (double)s->cols},
        {SC_SOLVER_PARAM_POOL_SIZE, s->pool},
        {SC_SOLVER_PARAM_POOL_STRIDE, s->stride},
        {SC_SOLVER_PARAM_POOL_SIGMA, s->sigma},
        {SC_SOLVER_PARAM_GROUP_EPSILON, s->epsilon},
        {SC_SOLVER_PARAM_GROUP_WEIGHT, s->group_weight},
        {SC_SOLVER_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC}};
    for (size_t i = 0; st == SC_OK && i < sizeof set / sizeof set[0]; i++)
        st = sc_solver_set(sv, set[i].param, set[i].value);
    if (st != SC_OK) {
        if (err != NULL)
            snprintf(err, errsize, "%s", sc_solver_message(sv));
        sc_solver_free(sv);
        return st;
    }
    *out = sv;
    return SC_OK;
}

sc_status psd_create(psd *p, const float *d, size_t n, size_t k,
                     size_t batch, const psd_settings *s, char *err,
                     size_t errsize)
{
    *p = (psd){.n = n, .k = k, .batch = batch, .s = *s};
    p->dictionary = malloc(n * k * sizeof(float));
    p->stacked = malloc((n + k) * k * sizeof(float));
    p->inputs = malloc(batch * (n + k) * sizeof(float));
    p->residual = malloc(batch * n * sizeof(float));
    p->a = calloc(k * k, sizeof(double));
    p->b = calloc(k * n, sizeof(double));
    if (p->dictionary == NULL || p->stacked == NULL || p->inputs == NULL ||
        p->residual == NULL || p->a == NULL || p->b == NULL) {
        psd_free(p);
        snprintf(err, errsize, "out of memory");
        return SC_ERR_NOMEM;
    }
    memcpy(p->dictionary, d, n * k * sizeof(float));
    normalize_columns(p->dictionary, n, k);
    /* The lower block sqrt(alpha) I of the stacked dictionary is fixed. */
    memset(p->stacked + n * k, 0, k * k * sizeof(float));
    for (size_t j = 0; j < k; j++)
        p->stacked[(n + j) * k + j] = (float)sqrt(s->alpha);
    sc_solver *check = NULL;
    sc_status st = make_solver(&check, p->dictionary, n, k, s, err, errsize);
    sc_solver_free(check);
    if (st != SC_OK)
        psd_free(p);
    return st;
}

void psd_free(psd *p)
{
    free(p->dictionary);
    free(p->stacked);
    free(p->inputs);
    free(p->residual);
    free(p->a);
    free(p->b);
    *p = (psd){0};
}

sc_status psd_infer(const psd *p, const float *x, const float *prediction,
                    size_t count, float *z, double *objective)
{
    size_t n = p->n, k = p->k;
    int stacked = p->s.alpha > 0;
    const float *dict = p->dictionary, *in = x;
    if (stacked) {
        /* [x; sqrt(alpha) F(x)] against [D; sqrt(alpha) I] */
        float root = (float)sqrt(p->s.alpha);
        memcpy(p->stacked, p->dictionary, n * k * sizeof(float));
        for (size_t b = 0; b < count; b++) {
            memcpy(p->inputs + b * (n + k), x + b * n, n * sizeof(float));
            for (size_t j = 0; j < k; j++)
                p->inputs[b * (n + k) + n + j] = root * prediction[b * k + j];
        }
        dict = p->stacked;
        in = p->inputs;
    }
    sc_solver *sv = NULL;
    sc_status st = make_solver(&sv, dict, stacked ? n + k : n, k, &p->s,
                               NULL, 0);
    if (st == SC_OK)
        st = sc_solver_run(sv, in, count, z, NULL);
    sc_solver_free(sv);
    if (st == SC_OK && objective != NULL) {
        /* The objective of D alone, without the prediction term. */
        st = make_solver(&sv, p->dictionary, n, k, &p->s, NULL, 0);
        if (st == SC_OK)
            st = sc_solver_objective(sv, x, z, count, objective);
        sc_solver_free(sv);
    }
    return st;
}

double psd_update_dictionary(psd *p, const float *x, const float *z,
                             size_t count)
{
    size_t n = p->n, k = p->k;
    float *d = p->dictionary, *r = p->residual;
    double loss = 0;
    /* r = D z - x for each input */
    for (size_t b = 0; b < count; b++)
        for (size_t i = 0; i < n; i++) {
            double s = -x[b * n + i];
            for (size_t j = 0; j < k; j++)
                s += (double)d[i * k + j] * z[b * k + j];
            r[b * n + i] = (float)s;
            loss += 0.5 * s * s;
        }
    /* The running statistics, the older batches weighted down by beta:
     * A <- beta A + Z^T Z / count (k x k, symmetric) and
     * B <- beta B + Z^T X / count (k x n: row j is X^T z_j). */
    p->steps++;
    double beta = 1.0 - 1.0 / (p->steps < p->s.memory ? p->steps
                                                       : p->s.memory);
    for (size_t i = 0; i < k * k; i++)
        p->a[i] *= beta;
    for (size_t i = 0; i < k * n; i++)
        p->b[i] *= beta;
    for (size_t s = 0; s < count; s++) {
        const float *zs = z + s * k, *xs = x + s * n;
        for (size_t i = 0; i < k; i++) {
            if (zs[i] == 0)
                continue;
            double zi = zs[i] / (double)count, *ai = p->a + i * k,
                   *bi = p->b + i * n;
            for (size_t j = 0; j < k; j++)
                ai[j] += zi * zs[j];
            for (size_t j = 0; j < n; j++)
                bi[j] += zi * xs[j];
        }
    }
    /* One pass of block coordinate descent over the columns (Mairal et
     * al. 2009): d_j <- d_j + (b_j - D a_j) / A_jj, then unit norm. */
    for (size_t j = 0; j < k; j++) {
        const double *aj = p->a + j * k;   /* = column j, A symmetric */
        if (aj[j] < 1e-12)
            continue;
        double norm = 0;
        for (size_t i = 0; i < n; i++) {
            const float *di = d + i * k;
            double da[4] = {0, 0, 0, 0};   /* row i of D times a_j */
            size_t l = 0;
            for (; l + 4 <= k; l += 4)
                for (size_t q = 0; q < 4; q++)
                    da[q] += (double)di[l + q] * aj[l + q];
            for (; l < k; l++)
                da[0] += (double)di[l] * aj[l];
            double u = di[j] + (p->b[j * n + i] - (da[0] + da[1]) -
                                (da[2] + da[3])) / aj[j];
            r[i] = (float)u;   /* the new column, in scratch */
            norm += u * u;
        }
        if (norm > 0)
            for (size_t i = 0; i < n; i++)
                d[i * k + j] = (float)(r[i] / sqrt(norm));
    }
    return loss / (double)count;
}
