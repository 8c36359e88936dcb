/* operator.c -- the dense operator: every verb is one sgemm (or a norm
 * pass).  A local operator's verbs live in operator_local.c; the verbs here
 * dispatch to them.  See operator.h for the contract. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "operator.h"

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

/* Per-call scratch for the generic verbs on a local operator (see the TODO
 * in operator.h); NULL (the no-scratch path) if it cannot be had. */
static float *local_scratch(const sc_operator *op, size_t batch)
{
    size_t count = sc_operator_scratch_floats(op, batch);
    if (count == 0 || count > SIZE_MAX / sizeof(float))
        return NULL;
    return malloc(count * sizeof(float));
}

void sc_operator_forward(const sc_operator *op, size_t batch, const float *x,
                         float beta, float *y)
{
    if (op->kind == SC_OPERATOR_LOCAL) {
        float *scratch = local_scratch(op, batch);
        sc_operator_local_forward(op, batch, x, beta, y, scratch);
        free(scratch);
        return;
    }
    sc_gemm(0, 1, batch, op->rows, op->cols, 1.0f, x, op->cols, op->weights,
            op->cols, beta, y, op->rows);
}

void sc_operator_transpose(const sc_operator *op, size_t batch,
                           const float *y, float beta, float *x)
{
    if (op->kind == SC_OPERATOR_LOCAL) {
        float *scratch = local_scratch(op, batch);
        sc_operator_local_transpose(op, batch, y, beta, x, scratch);
        free(scratch);
        return;
    }
    sc_gemm(0, 0, batch, op->cols, op->rows, 1.0f, y, op->rows, op->weights,
            op->cols, beta, x, op->cols);
}

void sc_operator_accumulate_gradient(const sc_operator *op, size_t batch,
                                     const float *dy, const float *x,
                                     float alpha, float beta, float *grad)
{
    if (op->kind == SC_OPERATOR_LOCAL) {
        float *scratch = local_scratch(op, batch);
        sc_operator_local_accumulate_gradient(op, batch, dy, x, alpha, beta,
                                              grad, scratch);
        free(scratch);
        return;
    }
    sc_gemm(1, 0, op->rows, op->cols, batch, alpha, dy, op->rows, x, op->cols,
            beta, grad, op->cols);
}

void sc_operator_project_columns(sc_operator *op, double max_norm,
                                 double *sumsq)
{
    if (op->kind == SC_OPERATOR_LOCAL) {
        sc_operator_local_project(op, max_norm); /* needs no scratch */
        return;
    }
    size_t rows = op->rows, cols = op->cols;
    memset(sumsq, 0, cols * sizeof *sumsq);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            double w = op->weights[i * cols + j];
            sumsq[j] += w * w;
        }
    for (size_t j = 0; j < cols; j++)
        sumsq[j] = sumsq[j] > max_norm * max_norm ? max_norm / sqrt(sumsq[j])
                                                  : 1.0;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            op->weights[i * cols + j] *= (float)sumsq[j];
}

void sc_operator_project_rows(sc_operator *op, double max_norm)
{
    if (op->kind == SC_OPERATOR_LOCAL) {
        sc_operator_local_project(op, max_norm);
        return;
    }
    for (size_t i = 0; i < op->rows; i++) {
        float *row = op->weights + i * op->cols;
        double s = 0.0;
        for (size_t j = 0; j < op->cols; j++)
            s += (double)row[j] * row[j];
        if (s > max_norm * max_norm) {
            float scale = (float)(max_norm / sqrt(s));
            for (size_t j = 0; j < op->cols; j++)
                row[j] *= scale;
        }
    }
}
