/* SPDX-License-Identifier: BSD-2-Clause */
/* operator.c -- the dense operator: every verb is one sgemm (or a norm
 * pass).  A local operator's verbs live in operator_local.c; the verbs here
 * dispatch to them.  See operator.h for the contract. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "columns.h"
#include "operator.h"
#include "vector.h"

int sc_operator_init_dense(sc_operator *op, size_t rows, size_t cols)
{
    memset(op, 0, sizeof *op);
    op->weights = calloc(rows * cols, sizeof(float));
    if (op->weights == NULL)
        return -1;
    op->kind = SC_OPERATOR_DENSE;
    op->rows = rows;
    op->cols = cols;
    op->weight_count = rows * cols;
    return 0;
}

void sc_operator_release(sc_operator *op)
{
    free(op->weights);
    memset(op, 0, sizeof *op);
}

/* OpenBLAS runs a product of m*n*k <= 2^18 on the calling thread, with
 * its small-matrix kernels (0.3.21), and a larger one through its regular
 * path, which packs all of A into its own layout on every call and splits
 * the work across its threads.  For a few samples that costs more than the
 * product: the forward of up to SMALL_BATCH samples is cut into blocks of
 * rows of A that small.  The 784-400 encoder with T = 11 on 2 Zen 4 cores
 * (bench_drsae's machine) took, at batch 1 / 4 / 16, 94 / 507 / 867 us in
 * whole products on 2 threads, and 97 / 151 / 592 us in blocks; at batch
 * 24 the two were level, beyond it whole products on 2 threads win. */
#define SMALL_BATCH 16
#define SMALL_PRODUCT ((size_t)1 << 18)

static void blocked_forward(const sc_operator *op, size_t batch,
                            const float *x, float beta, float *y)
{
    size_t per_row = batch * op->cols;
    size_t block = per_row >= SMALL_PRODUCT ? 1 : SMALL_PRODUCT / per_row;
    for (size_t first = 0; first < op->rows; first += block) {
        size_t rows = op->rows - first < block ? op->rows - first : block;
        sc_gemm(0, 1, batch, rows, op->cols, 1.0f, x, op->cols,
                op->weights + first * op->cols, op->cols, beta, y + first,
                op->rows);
    }
}

/* For a transposed operator (a local decoder) A = B^T, where B is the
 * stored map: forward through A is transpose through B and back, and
 * dA = alpha dy^T x is dB = alpha x^T dy. */
void sc_operator_forward(const sc_operator *op, size_t batch, const float *x,
                         float beta, float *y, float *scratch)
{
    if (op->kind == SC_OPERATOR_LOCAL) {
        if (op->transposed)
            sc_operator_local_transpose(op, batch, x, beta, y, scratch);
        else
            sc_operator_local_forward(op, batch, x, beta, y, scratch);
        return;
    }
    if (batch <= SMALL_BATCH)
        blocked_forward(op, batch, x, beta, y);
    else
        sc_gemm(0, 1, batch, op->rows, op->cols, 1.0f, x, op->cols,
                op->weights, op->cols, beta, y, op->rows);
}

void sc_operator_transpose(const sc_operator *op, size_t batch,
                           const float *y, float beta, float *x,
                           float *scratch)
{
    if (op->kind == SC_OPERATOR_LOCAL) {
        if (op->transposed)
            sc_operator_local_forward(op, batch, y, beta, x, scratch);
        else
            sc_operator_local_transpose(op, batch, y, beta, x, scratch);
        return;
    }
    sc_gemm(0, 0, batch, op->cols, op->rows, 1.0f, y, op->rows, op->weights,
            op->cols, beta, x, op->cols);
}

void sc_operator_accumulate_gradient(const sc_operator *op, size_t batch,
                                     const float *dy, const float *x,
                                     float alpha, float beta, float *grad,
                                     float *scratch)
{
    if (op->kind == SC_OPERATOR_LOCAL) {
        if (op->transposed)
            sc_operator_local_accumulate_gradient(op, batch, x, dy, alpha,
                                                  beta, grad, scratch);
        else
            sc_operator_local_accumulate_gradient(op, batch, dy, x, alpha,
                                                  beta, grad, scratch);
        return;
    }
    sc_gemm(1, 0, op->rows, op->cols, batch, alpha, dy, op->rows, x, op->cols,
            beta, grad, op->cols);
}

/* Clips each of `count` contiguous vectors of `length` floats at w to
 * L2 norm <= max_norm: the rows of a dense matrix, or a local operator's
 * filters (each unit's filter is its row when the operator is an encoder
 * and its column when it is a decoder, used through transpose, so the
 * per-unit constraint is the same either way). */
static void clip_vectors(float *w, size_t count, size_t length,
                         double max_norm)
{
    for (size_t i = 0; i < count; i++)
        sc_column_set_norm(w + i * length, length, 1, 0, max_norm, 1);
}

/* (C1) for the columns of a dense rows x cols matrix: the squared norms
 * in double, then each column over max_norm scaled back to it.  Both
 * passes run along the rows, so they vectorise across columns. */
SC_VECTOR_CLONES
static void clip_columns(float *restrict w, size_t rows, size_t cols,
                         double max_norm, double *restrict sumsq)
{
    memset(sumsq, 0, cols * sizeof *sumsq);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            double v = w[i * cols + j];
            sumsq[j] += v * v;
        }
    for (size_t j = 0; j < cols; j++)
        sumsq[j] = sumsq[j] > max_norm * max_norm ? max_norm / sqrt(sumsq[j])
                                                  : 1.0;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            w[i * cols + j] *= (float)sumsq[j];
}

void sc_operator_project_columns(sc_operator *op, double max_norm,
                                 double *sumsq)
{
    if (op->kind == SC_OPERATOR_LOCAL) {
        clip_vectors(op->weights, op->rows, op->local.patch, max_norm);
        return;
    }
    clip_columns(op->weights, op->rows, op->cols, max_norm, sumsq);
}

void sc_operator_project_rows(sc_operator *op, double max_norm)
{
    size_t length = op->kind == SC_OPERATOR_LOCAL ? op->local.patch
                                                  : op->cols;
    clip_vectors(op->weights, op->rows, length, max_norm);
}

void sc_operator_load_column(sc_operator *op, size_t j, const float *v,
                             size_t stride)
{
    if (op->kind == SC_OPERATOR_LOCAL) {
        sc_operator_local_load_unit(op, j, v, stride);
        return;
    }
    for (size_t i = 0; i < op->rows; i++)
        op->weights[i * op->cols + j] = v[i * stride];
}

int sc_operator_set_column_norm(sc_operator *op, size_t j, double norm,
                                int clip_only)
{
    if (op->kind == SC_OPERATOR_LOCAL) /* unit j's filter: contiguous */
        return sc_column_set_norm(op->weights + j * op->local.patch,
                                  op->local.patch, 1, 0, norm, clip_only);
    return sc_column_set_norm(op->weights, op->rows, op->cols, j, norm,
                              clip_only);
}

void sc_operator_set_scaled_transpose(sc_operator *dst,
                                      const sc_operator *src, float scale)
{
    if (src->kind == SC_OPERATOR_LOCAL) {
        for (size_t i = 0; i < src->weight_count; i++)
            dst->weights[i] = scale * src->weights[i];
        return;
    }
    size_t n = src->rows, k = src->cols;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < n; j++)
            dst->weights[i * n + j] = scale * src->weights[j * k + i];
}
