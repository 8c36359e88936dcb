/* operator.c -- the dense operator: every verb is one sgemm (or a norm
 * pass).  See operator.h for the contract. */
#include <math.h>
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

void sc_operator_forward(const sc_operator *op, size_t batch, const float *x,
                         float beta, float *y)
{
    sc_gemm(0, 1, batch, op->rows, op->cols, 1.0f, x, op->cols, op->weights,
            op->cols, beta, y, op->rows);
}

void sc_operator_transpose(const sc_operator *op, size_t batch,
                           const float *y, float beta, float *x)
{
    sc_gemm(0, 0, batch, op->cols, op->rows, 1.0f, y, op->rows, op->weights,
            op->cols, beta, x, op->cols);
}

void sc_operator_accumulate_gradient(const sc_operator *op, size_t batch,
                                     const float *dy, const float *x,
                                     float alpha, float beta, float *grad)
{
    sc_gemm(1, 0, op->rows, op->cols, batch, alpha, dy, op->rows, x, op->cols,
            beta, grad, op->cols);
}

void sc_operator_project_columns(sc_operator *op, double max_norm,
                                 double *sumsq)
{
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
