/* SPDX-License-Identifier: BSD-2-Clause */
/* losses.h -- the loss terms on the code z = z_T (L1-L5 in docs/math.md),
 * their values and their gradients. */
#ifndef SC_LOSSES_H
#define SC_LOSSES_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* The weights of the terms; a weight of 0 switches a term off. */
typedef struct {
    double recon, l1, group, classification, regression;
    int normalize_code;     /* classify z / |z| instead of z */
    double group_epsilon;
} sc_loss_weights;

/* Per-sample means of the unweighted terms, and their weighted sum. */
typedef struct {
    double loss, recon, l1, group, classification, regression;
    double active_fraction, class_error;
} sc_loss_values;

/* Reads the loss weights out of the model's parameters. */
sc_loss_weights sc_loss_weights_of(const sc_model *m);

/* What the losses read besides the codes: the sizes, W_d (n x k), the
 * classifier C (classes x k) with its bias c, and the pools of the group
 * term. */
typedef struct {
    size_t n, k, classes;
    const sc_operator *decoder, *classifier;
    const float *class_bias;
    const sc_pools *pools;
} sc_loss_operators;

sc_loss_operators sc_loss_operators_of(const sc_state *s);

/* Where the losses write the gradients of the arrays they use directly
 * (each shaped like its weights). */
typedef struct {
    float *decoder, *classifier, *class_bias;
} sc_loss_gradients;

/* Evaluates every active term on the batch x k codes z, averaged over the
 * batch, with buf's residual, zhat, norms and logits as scratch.  With g:
 * writes dL/dz into buf->grad_z and the gradients of W_d, C and c into g
 * (only for the active terms that use them).  With g NULL: the values
 * only, the same bits, without the products that only the gradients
 * need (buf->grad_z is then scratch).  labels and targets are read only
 * when their terms are on. */
void sc_losses_evaluate(const sc_loss_operators *o, const sc_loss_weights *w,
                        size_t batch, const float *x, const float *z,
                        const int32_t *labels, const float *targets,
                        sc_train_buffers *buf, const sc_loss_gradients *g,
                        sc_loss_values *out);

/* The classifier's forward pass (L4): zhat = z / r with
 * r = sqrt(|z|^2 + eps) when normalize, else zhat = z (r = 1), then
 * probs = softmax(zhat C^T + c), batch x classes, for the classes x k
 * classifier C and its bias c.  norms receives r. */
void sc_classifier_forward(const sc_operator *classifier,
                           const float *class_bias, size_t batch,
                           const float *z, int normalize, float *zhat,
                           float *norms, float *probs);

#endif
