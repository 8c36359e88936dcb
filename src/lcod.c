/* SPDX-License-Identifier: BSD-2-Clause */
/* lcod.c -- learned coordinate descent (Gregor & LeCun, "Learning fast
 * approximations of sparse coding", ICML 2010, sec. 3), the encoder kind
 * SC_ENCODER_LCOD.
 *
 * Each of the T steps moves one unit, the one whose shrunk value differs
 * most from its current value, and passes that change on to every unit
 * through one column of S (E5).  A step costs O(k), so a sample costs
 * O(n k) for W_e x (one sgemm for the batch) plus O(T k): much less than
 * LISTA's T products with S when T is small against k.  Back-propagation
 * walks the steps in reverse with the choices held fixed (B5); it needs
 * only B_T and, per step, the unit chosen, its new value and its change.
 *
 * The steps run one sample at a time, so the results do not depend on
 * the batch beyond W_e x.  B is kept in float: T is at most 1000 updates,
 * not the millions that make the solver's CoD (cod.c) keep it in double.
 */
#include <string.h>

#include "lcod.h"
#include "sparsecode.h"

static inline float shrink(int kind, float v, float theta)
{
    return kind == SC_SHRINK_RELU ? sc_shrink_relu(v, theta)
                                  : sc_shrink_soft(v, theta);
}

/* -dh/dtheta at a unit whose shrunk value is v (E2): 1 for an active
 * relu unit, sign(v) for an active soft one, 0 for an inactive one. */
static inline float threshold_slope(int kind, float v)
{
    if (v == 0.0f)
        return 0.0f;
    return kind == SC_SHRINK_RELU || v > 0.0f ? 1.0f : -1.0f;
}

void sc_lcod_forward(const sc_encoder_weights *e, sc_unroll run,
                     const float *x, float *b, float *z, float *scratch,
                     sc_lcod_trace *trace, float *op_scratch)
{
    size_t k = e->lateral->rows, T = run.steps;
    /* (E5) B = W_e x: one sgemm for the batch. */
    sc_operator_forward(e->encoder, run.batch, x, 0.0f, b, op_scratch);
    const float *S = e->lateral->weights, *theta = e->threshold;
    float *Z = scratch;
    for (size_t r = 0; r < run.batch; r++) {
        float *B = b + r * k;
        memset(Z, 0, k * sizeof(float));
        for (size_t t = 0; t < T; t++) {
            /* (E5) the unit whose best value moved furthest from Z. */
            size_t j = 0;
            float largest = -1.0f;
            for (size_t i = 0; i < k; i++) {
                float d = fabsf(shrink(run.shrink, B[i], theta[i]) - Z[i]);
                if (d > largest) {
                    largest = d;
                    j = i;
                }
            }
            float value = shrink(run.shrink, B[j], theta[j]);
            float change = value - Z[j];
            /* B += S[:, j] (Zbar_j - Z_j): column j of the row-major S. */
            for (size_t i = 0; i < k; i++)
                B[i] += S[i * k + j] * change;
            Z[j] = value;
            if (trace != NULL) {
                trace->pick[r * T + t] = (uint32_t)j;
                trace->value[r * T + t] = value;
                trace->change[r * T + t] = change;
            }
        }
        for (size_t i = 0; i < k; i++)
            z[r * k + i] = shrink(run.shrink, B[i], theta[i]);
    }
}

void sc_lcod_backward(const sc_encoder_weights *e,
                      const sc_encoder_gradients *g, sc_unroll run,
                      const float *x, const float *b,
                      const sc_lcod_trace *trace, const float *grad_z,
                      float *grad_b, float *scratch, float *op_scratch)
{
    size_t k = e->lateral->rows, T = run.steps;
    const float *S = e->lateral->weights, *theta = e->threshold;
    float *dS = g->lateral, *dtheta = g->threshold;
    float *gZ = scratch;
    memset(dS, 0, k * k * sizeof(float));
    memset(dtheta, 0, k * sizeof(float));
    for (size_t r = 0; r < run.batch; r++) {
        const float *B = b + r * k, *gz = grad_z + r * k;
        float *gB = grad_b + r * k;
        /* (B5) through the last shrink z = h(B_T): gB = h'(B_T) gz. */
        for (size_t i = 0; i < k; i++) {
            float v = shrink(run.shrink, B[i], theta[i]);
            gB[i] = v != 0.0f ? gz[i] : 0.0f;
            dtheta[i] -= threshold_slope(run.shrink, v) * gz[i];
            gZ[i] = 0.0f;
        }
        /* (B5) the steps in reverse; gB is dL/dB_t, gZ dL/dZ_t. */
        for (size_t t = T; t-- > 0;) {
            size_t j = trace->pick[r * T + t];
            float value = trace->value[r * T + t];
            float change = trace->change[r * T + t];
            /* de = S[:, j] . gB, and dS[:, j] += gB e. */
            double dot = 0.0;
            for (size_t i = 0; i < k; i++) {
                dot += (double)S[i * k + j] * gB[i];
                dS[i * k + j] += gB[i] * change;
            }
            float de = (float)dot;
            /* Zbar_j feeds e and Z_t[j]; Z_{t-1}[j] enters only e. */
            float dvalue = de + gZ[j];
            gZ[j] = -de;
            /* Zbar_j = h(B_{t-1}[j]; theta_j). */
            if (value != 0.0f) {
                gB[j] += dvalue;
                dtheta[j] -= threshold_slope(run.shrink, value) * dvalue;
            }
        }
    }
    /* (B5) dW_e = dB_0^T x: one sgemm over the batch. */
    sc_operator_accumulate_gradient(e->encoder, run.batch, grad_b, x, 1.0f,
                                    0.0f, g->encoder, op_scratch);
}
