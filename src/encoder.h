/* SPDX-License-Identifier: BSD-2-Clause */
/* encoder.h -- the recurrent encoder's forward pass and its back-propagation
 * through time (E1, E2, B1-B4 in docs/math.md). */
#ifndef SC_ENCODER_H
#define SC_ENCODER_H

#include <math.h>
#include <stddef.h>

#include "operator.h"
#include "sparsecode.h"

/* (E2) relu: max(v - theta, 0); soft: sign(v) max(|v| - theta, 0). */
/* Both shrinks pass NaN through (NaN <= 0 is false), so that an overflow
 * inside the unrolled encoder reaches its output and is reported there,
 * instead of being turned into a zero code. */
static inline float sc_shrink_relu(float v, float theta)
{
    float m = v - theta;
    return m <= 0.0f ? 0.0f : m;
}

static inline float sc_shrink_soft(float v, float theta)
{
    float m = fabsf(v) - theta;
    return m <= 0.0f ? 0.0f : copysignf(m, v);
}

/* The encoder's weights, which the forward passes read: W_e (k x n), S
 * (k x k) and theta (k). */
typedef struct {
    const sc_operator *encoder, *lateral;
    const float *threshold;
} sc_encoder_weights;

/* Where back-propagation writes their gradients (written, not
 * accumulated), each shaped like its weights. */
typedef struct {
    float *encoder, *lateral, *threshold;
} sc_encoder_gradients;

/* The shape of one encoder run: batch samples, T steps, the shrink. */
typedef struct {
    size_t batch;
    size_t steps;      /* T */
    int shrink;        /* sc_shrink */
} sc_unroll;

/* Forward recurrence (E1) of the batch x n inputs x:
 *     u = W_e x,  a_1 = u,  a_t = u + z_{t-1} S^T,  z_t = h(a_t; theta)
 * u receives W_e x (batch x k).  With keep_history, a and z hold T slabs
 * of batch x k (slab t-1 holds step t), as back-propagation needs.
 * Without, a is one slab and z two (used alternately).  op_scratch is the
 * operator scratch of sc_state_operator_scratch(s, batch) floats (NULL
 * for a dense model).  Returns the slab holding z_T. */
const float *sc_encoder_forward(const sc_encoder_weights *e, sc_unroll run,
                                const float *x, float *u, float *a, float *z,
                                int keep_history, float *op_scratch);

/* Back-propagation through time (B1-B4).  grad_z holds dL/dz_T on entry
 * and is used as g_t (overwritten).  a and z are the T-slab histories of
 * the forward pass, delta receives T slabs, grad_u the sum of the deltas.
 * Writes the gradients of W_e, S and theta into g (a local model's S
 * only on the links between overlapping windows).  x is the batch x n
 * input; scratch is the operator scratch of sc_state_operator_scratch(s,
 * batch) floats. */
void sc_encoder_backward(const sc_encoder_weights *e,
                         const sc_encoder_gradients *g, sc_unroll run,
                         const float *x, const float *z, float *grad_z,
                         float *delta, float *grad_u, float *scratch);

#endif
