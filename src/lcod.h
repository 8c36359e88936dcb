/* SPDX-License-Identifier: BSD-2-Clause */
/* lcod.h -- learned coordinate descent (LCoD, Gregor & LeCun 2010): the
 * forward pass of the encoder kind SC_ENCODER_LCOD and its exact gradient
 * (E5 and B5 in docs/math.md). */
#ifndef SC_LCOD_H
#define SC_LCOD_H

#include <stddef.h>
#include <stdint.h>

#include "encoder.h"

/* What back-propagation through an LCoD encoder needs of its forward
 * pass (E5, B5): for sample b and coordinate step t = 1..T, entry
 * b*T + t-1 of each array holds the unit j_t chosen, its new value
 * Zbar_t[j_t] and its change e_t = Zbar_t[j_t] - Z_{t-1}[j_t]. */
typedef struct {
    uint32_t *pick;
    float *value;
    float *change;
} sc_lcod_trace;


/* Forward (E5), one sample at a time, T = run.steps coordinate steps:
 *     B = W_e x,  Z = 0
 *     T times:  Zbar = h(B; theta),  j = argmax_i |Zbar_i - Z_i| (lowest i
 *               on ties),  B += S[:, j] (Zbar_j - Z_j),  Z_j = Zbar_j
 *     z = h(B; theta)
 * (the paper's names; docs/math.md writes beta for B and y for Z).
 * x is the batch x n input; b receives W_e x (batch x k) and holds B_T
 * on return; z receives the codes (batch x k); scratch holds k floats (a
 * sample's Z); op_scratch is the operator scratch (NULL for a dense
 * model).  trace, when not NULL, receives every step's choice for
 * sc_lcod_backward (T x batch entries).  Reads the model only: reentrant
 * on a const state. */
void sc_lcod_forward(const sc_encoder_weights *e, sc_unroll run,
                     const float *x, float *b, float *z, float *scratch,
                     sc_lcod_trace *trace, float *op_scratch);

/* Back-propagation through the T steps (B5), the choices of the forward
 * pass held fixed.  b is B_T and trace the record of sc_lcod_forward;
 * grad_z holds dL/dz (batch x k).  grad_b receives dL/d(W_e x) (batch x
 * k).  scratch holds k floats.  Writes the gradients of W_e, S and
 * theta into g.  x is the batch x n input; op_scratch the operator
 * scratch (NULL for a dense model). */
void sc_lcod_backward(const sc_encoder_weights *e,
                      const sc_encoder_gradients *g, sc_unroll run,
                      const float *x, const float *b,
                      const sc_lcod_trace *trace, const float *grad_z,
                      float *grad_b, float *scratch, float *op_scratch);

#endif
