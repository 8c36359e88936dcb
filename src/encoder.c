/* SPDX-License-Identifier: BSD-2-Clause */
/* encoder.c -- the unrolled recurrence z_t = h(W_e x + S z_{t-1}; theta)
 * and its exact gradient.  Each sum over t is one sgemm over the stacked
 * steps (the slabs are contiguous), not T small ones. */
#include <math.h>
#include <string.h>

#include "encoder.h"
#include "sparsecode.h"
#include "vector.h"

/* (E1, E2) for one step, in one pass over memory: a = u + a (a holds
 * z_{t-1} S^T on entry, or is ignored at t = 1, first_step), then
 * z = h(a; theta).  a keeps the pre-activation a_t.  The loops have no
 * branches, so that they vectorise. */
SC_VECTOR_CLONES
static void step_shrink(int kind, size_t batch, size_t k, const float *theta,
                        const float *u, float *a, int first_step, float *z)
{
    for (size_t b = 0; b < batch; b++) {
        const float *restrict ub = u + b * k;
        float *restrict ab = a + b * k;
        float *restrict zb = z + b * k;
        if (first_step)
            memcpy(ab, ub, k * sizeof(float));
        else
            for (size_t i = 0; i < k; i++)
                ab[i] += ub[i];
        if (kind == SC_SHRINK_RELU)
            for (size_t i = 0; i < k; i++)
                zb[i] = sc_shrink_relu(ab[i], theta[i]);
        else
            for (size_t i = 0; i < k; i++)
                zb[i] = sc_shrink_soft(ab[i], theta[i]);
    }
}

const float *sc_encoder_forward(const sc_encoder_weights *e, sc_unroll run,
                                const float *x, float *u, float *a, float *z,
                                int keep_history, float *op_scratch)
{
    size_t k = e->lateral->rows, slab = run.batch * k;
    sc_operator_forward(e->encoder, run.batch, x, 0.0f, u, op_scratch);
    float *z_prev = NULL;
    for (size_t t = 1; t <= run.steps; t++) {
        float *a_t = keep_history ? a + (t - 1) * slab : a;
        float *z_t = keep_history ? z + (t - 1) * slab : z + (t % 2) * slab;
        if (z_prev != NULL)
            sc_operator_forward(e->lateral, run.batch, z_prev, 0.0f, a_t,
                                NULL);
        step_shrink(run.shrink, run.batch, k, e->threshold, u, a_t,
                    z_prev == NULL, z_t);
        z_prev = z_t;
    }
    return z_prev;
}

/* (B1) delta_t = g_t * h'(a_t), where h' is 1 exactly where z_t != 0, and
 * du = delta_t (first) or du + delta_t: the sum of (B4) on the way. */
SC_VECTOR_CLONES
static void mask_delta(size_t count, const float *restrict z_t,
                       const float *restrict g, float *restrict d_t,
                       float *restrict du, int first)
{
    if (first)
        for (size_t i = 0; i < count; i++)
            du[i] = d_t[i] = z_t[i] != 0.0f ? g[i] : 0.0f;
    else
        for (size_t i = 0; i < count; i++)
            du[i] += d_t[i] = z_t[i] != 0.0f ? g[i] : 0.0f;
}

/* (B4) dtheta = -sum over rows of du (relu: theta is a plain bias), or
 * -sum_t delta_t * sign(z_t) over the T slabs' rows (soft), in row
 * order. */
SC_VECTOR_CLONES
static void threshold_gradient(int shrink, size_t rows, size_t k,
                               const float *restrict du,
                               const float *restrict z,
                               const float *restrict delta,
                               float *restrict grad_theta)
{
    memset(grad_theta, 0, k * sizeof(float));
    if (shrink == SC_SHRINK_RELU) {
        for (size_t r = 0; r < rows; r++)
            for (size_t i = 0; i < k; i++)
                grad_theta[i] -= du[r * k + i];
        return;
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t i = 0; i < k; i++) {
            float zi = z[r * k + i], d = delta[r * k + i];
            grad_theta[i] -= zi > 0.0f ? d : zi < 0.0f ? -d : 0.0f;
        }
}

void sc_encoder_backward(const sc_encoder_weights *e,
                         const sc_encoder_gradients *g, sc_unroll run,
                         const float *x, const float *z, float *grad_z,
                         float *delta, float *grad_u, float *scratch)
{
    size_t k = e->lateral->rows, slab = run.batch * k, T = run.steps;

    /* (B1) delta_t, (B2) g_{t-1} = S^T delta_t, and du = sum_t delta_t. */
    for (size_t t = T; t >= 1; t--) {
        float *d_t = delta + (t - 1) * slab;
        mask_delta(slab, z + (t - 1) * slab, grad_z, d_t, grad_u, t == T);
        if (t >= 2)
            sc_operator_transpose(e->lateral, run.batch, d_t, 0.0f, grad_z,
                                  NULL);
    }

    /* (B3) dS = sum_{t>=2} delta_t z_{t-1}^T: one sgemm over T-1 slabs. */
    if (T >= 2)
        sc_operator_accumulate_gradient(e->lateral, (T - 1) * run.batch,
                                        delta + slab, z, 1.0f, 0.0f,
                                        g->lateral, NULL);
    else
        memset(g->lateral, 0, e->lateral->weight_count * sizeof(float));
    /* A local model's S links only units whose windows overlap: its
     * gradient is projected onto those links, so the others stay 0. */
    if (e->encoder->kind == SC_OPERATOR_LOCAL)
        sc_operator_local_mask_links(e->encoder, g->lateral);

    /* (B4) dW_e = du^T x, and dtheta. */
    sc_operator_accumulate_gradient(e->encoder, run.batch, grad_u, x, 1.0f,
                                    0.0f, g->encoder, scratch);
    size_t rows = run.shrink == SC_SHRINK_RELU ? run.batch : T * run.batch;
    threshold_gradient(run.shrink, rows, k, grad_u, z, delta,
                       g->threshold);
}
