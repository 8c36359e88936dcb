/* operator.h -- the linear operator, the central seam of the library.
 *
 * The encoder W_e, the lateral matrix S, the decoder W_d and the classifier
 * C are each an operator A mapping R^cols -> R^rows, with four verbs:
 *
 *   forward              Y = X A^T       (each row of X is one sample)
 *   transpose            X = Y A
 *   accumulate_gradient  dA += alpha * dY^T X
 *   project_columns / project_rows: clip column or row norms (constraints)
 *
 * Every batch is row-major (batch x cols in, batch x rows out).  Today an
 * operator is dense: its weights are a rows x cols row-major matrix and
 * every verb is one sgemm.  The recurrence, the losses, the optimiser and
 * the file format only use these verbs and the weight array, so another
 * kind (a local operator) plugs in here.
 */
#ifndef SC_OPERATOR_H
#define SC_OPERATOR_H

#include <stddef.h>

typedef enum {
    SC_OPERATOR_DENSE = 0
} sc_operator_kind;

typedef struct {
    sc_operator_kind kind;
    size_t rows, cols;
    size_t weight_count;   /* number of floats in weights */
    float *weights;        /* owned; rows x cols row-major when dense */
} sc_operator;

/* Allocates a zeroed dense operator.  Returns 0 on success, -1 if out of
 * memory (op is then zeroed). */
int sc_operator_init_dense(sc_operator *op, size_t rows, size_t cols);
void sc_operator_release(sc_operator *op);

/* y (batch x rows) = x (batch x cols) A^T + beta * y */
void sc_operator_forward(const sc_operator *op, size_t batch, const float *x,
                         float beta, float *y);

/* x (batch x cols) = y (batch x rows) A + beta * x */
void sc_operator_transpose(const sc_operator *op, size_t batch,
                           const float *y, float beta, float *x);

/* grad (shaped like the weights) = alpha * dy^T x + beta * grad, where dy
 * is batch x rows and x is batch x cols. */
void sc_operator_accumulate_gradient(const sc_operator *op, size_t batch,
                                     const float *dy, const float *x,
                                     float alpha, float beta, float *grad);

/* Scales every column (input-side vector) of A whose L2 norm exceeds
 * max_norm back to max_norm: the decoder constraint (C1). */
void sc_operator_project_columns(sc_operator *op, double max_norm,
                                 double *scratch /* cols doubles */);

/* Same for rows (output-side vectors): the classifier constraint (C1). */
void sc_operator_project_rows(sc_operator *op, double max_norm);

#endif
