/* SPDX-License-Identifier: BSD-2-Clause */
/* losses.c -- the loss terms and their gradients with respect to z.
 * Values are means over the batch, so every gradient carries 1/batch. */
#include <math.h>
#include <string.h>

#include "losses.h"
#include "vector.h"

/* eps in r = sqrt(|z|^2 + eps): keeps zhat finite for an all-zero code. */
#define SC_CODE_NORM_EPSILON 1e-8

/* The sums below run in LANES partial sums of double, element i going to
 * sum i % LANES, added in a fixed order at the end: loops the compiler
 * vectorises, with the same bits at every vector width (vector.h). */
#define LANES 8

static double add_lanes(const double part[LANES])
{
    double sum = 0.0;
    for (size_t j = 0; j < LANES; j++)
        sum += part[j];
    return sum;
}

/* sum_i a_i b_i, in lanes. */
SC_VECTOR_CLONES
static double dot(size_t count, const float *restrict a,
                  const float *restrict b)
{
    double part[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= count; i += LANES)
        for (size_t j = 0; j < LANES; j++)
            part[j] += (double)a[i + j] * b[i + j];
    for (; i < count; i++)
        part[i % LANES] += (double)a[i] * b[i];
    return add_lanes(part);
}

sc_loss_operators sc_loss_operators_of(const sc_state *s)
{
    sc_loss_operators o = {s->encoder.cols, s->lateral.rows, s->classes,
                           &s->decoder, &s->classifier, s->class_bias,
                           &s->pools};
    return o;
}

sc_loss_weights sc_loss_weights_of(const sc_model *m)
{
    sc_loss_weights w;
    w.recon = sc_model_value(m, SC_MODEL_PARAM_RECON_WEIGHT);
    w.l1 = sc_model_value(m, SC_MODEL_PARAM_L1_WEIGHT);
    w.group = sc_model_value(m, SC_MODEL_PARAM_GROUP_WEIGHT);
    w.classification = m->state.classes > 0
                           ? sc_model_value(m, SC_MODEL_PARAM_CLASS_WEIGHT)
                           : 0.0;
    w.regression = sc_model_value(m, SC_MODEL_PARAM_REGRESSION_WEIGHT);
    w.normalize_code = sc_model_value(m, SC_MODEL_PARAM_NORMALIZE_CODE) != 0.0;
    w.group_epsilon = sc_model_value(m, SC_MODEL_PARAM_GROUP_EPSILON);
    if (m->state.pools.count == 0)
        w.group = 0.0;
    return w;
}

/* r <- (r - x) * scale, where r holds W_d z; returns sum (r - x)^2. */
SC_VECTOR_CLONES
static double scaled_residual(size_t count, const float *restrict x,
                              float *restrict r, float scale)
{
    double part[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= count; i += LANES)
        for (size_t j = 0; j < LANES; j++) {
            float d = r[i + j] - x[i + j];
            part[j] += (double)d * d;
            r[i + j] = d * scale;
        }
    for (; i < count; i++) {
        float d = r[i] - x[i];
        part[i % LANES] += (double)d * d;
        r[i] = d * scale;
    }
    return add_lanes(part);
}

/* (L1) 1/2 |W_d z - x|^2.  With a gradient (grad_decoder not NULL):
 * initialises grad_z with its gradient and writes dW_d. */
static double reconstruction(const sc_loss_operators *o, double weight,
                             size_t batch, const float *x, const float *z,
                             float *residual, float *grad_z,
                             float *grad_decoder, float *scratch)
{
    sc_operator_forward(o->decoder, batch, z, 0.0f, residual, scratch);
    /* d/dz = W_d^T r and dW_d = r z^T, both scaled by weight / batch. */
    double sum = scaled_residual(batch * o->n, x, residual,
                                 (float)(weight / (double)batch));
    if (grad_decoder == NULL)
        return 0.5 * sum;
    sc_operator_transpose(o->decoder, batch, residual, 0.0f, grad_z,
                          scratch);
    sc_operator_accumulate_gradient(o->decoder, batch, residual, z, 1.0f,
                                    0.0f, grad_decoder, scratch);
    return 0.5 * sum;
}

/* (L2) lambda sum |z_i|: adds lambda sign(z) / batch (g) to grad_z when
 * `add`.  Also counts actives. */
SC_VECTOR_CLONES
static double l1(int add, float g, size_t count, const float *restrict z,
                 float *restrict grad_z, size_t *active)
{
    double part[LANES] = {0};
    size_t nonzero = 0, i = 0;
    for (; i + LANES <= count; i += LANES)
        for (size_t j = 0; j < LANES; j++) {
            part[j] += fabsf(z[i + j]);
            nonzero += z[i + j] != 0.0f;
        }
    for (; i < count; i++) {
        part[i % LANES] += fabsf(z[i]);
        nonzero += z[i] != 0.0f;
    }
    if (add)
        for (i = 0; i < count; i++)
            grad_z[i] += z[i] > 0.0f ? g : z[i] < 0.0f ? -g : 0.0f;
    *active = nonzero;
    return add_lanes(part);
}

/* (L3) lambda_g sum_p sqrt(sum_{i in p} w_i z_i^2 + eps); gradient
 * lambda_g w_i z_i / sqrt(...). */
static double group(const sc_pools *pools, double weight, double eps,
                    size_t batch, size_t k, const float *z, float *grad_z,
                    float scale)
{
    double sum = 0.0;
    for (size_t b = 0; b < batch; b++) {
        const float *zb = z + b * k;
        float *gb = grad_z + b * k;
        for (size_t p = 0; p < pools->count; p++) {
            double energy = eps;
            for (size_t m = pools->start[p]; m < pools->start[p + 1]; m++) {
                double v = zb[pools->units[m]];
                energy += pools->weights[m] * v * v;
            }
            double norm = sqrt(energy);
            sum += norm;
            if (norm == 0.0)
                continue;
            double g = weight * scale / norm;
            for (size_t m = pools->start[p]; m < pools->start[p + 1]; m++) {
                uint32_t u = pools->units[m];
                gb[u] += (float)(g * pools->weights[m] * zb[u]);
            }
        }
    }
    return sum;
}

/* (L5) 1/2 |z - z*|^2: gradient z - z*, times g. */
SC_VECTOR_CLONES
static double regression(float g, size_t count, const float *restrict z,
                         const float *restrict targets,
                         float *restrict grad_z)
{
    double part[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= count; i += LANES)
        for (size_t j = 0; j < LANES; j++) {
            float d = z[i + j] - targets[i + j];
            part[j] += (double)d * d;
            grad_z[i + j] += g * d;
        }
    for (; i < count; i++) {
        float d = z[i] - targets[i];
        part[i % LANES] += (double)d * d;
        grad_z[i] += g * d;
    }
    return 0.5 * add_lanes(part);
}

/* out = z / r, in double as the formula reads. */
SC_VECTOR_CLONES
static void divide(size_t count, const float *restrict z, double r,
                   float *restrict out)
{
    for (size_t i = 0; i < count; i++)
        out[i] = (float)(z[i] / r);
}

/* (L4)'s gradient through the normalisation: gz += (g - zhat (zhat . g))
 * / r. */
SC_VECTOR_CLONES
static void add_normalized_gradient(size_t count, const float *restrict zh,
                                    const float *restrict g, double dot_zg,
                                    double inv_r, float *restrict gz)
{
    for (size_t i = 0; i < count; i++)
        gz[i] += (float)((g[i] - zh[i] * dot_zg) * inv_r);
}

void sc_classifier_forward(const sc_operator *classifier,
                           const float *class_bias, size_t batch,
                           const float *z, int normalize, float *zhat,
                           float *norms, float *probs)
{
    size_t k = classifier->cols, classes = classifier->rows;
    for (size_t b = 0; b < batch; b++) {
        const float *zb = z + b * k;
        double r = normalize ? sqrt(SC_CODE_NORM_EPSILON + dot(k, zb, zb))
                             : 1.0;
        norms[b] = (float)r;
        divide(k, zb, r, zhat + b * k);
    }
    sc_operator_forward(classifier, batch, zhat, 0.0f, probs, NULL);
    for (size_t b = 0; b < batch; b++) {
        float *row = probs + b * classes;
        float top = -INFINITY;
        for (size_t c = 0; c < classes; c++) {
            row[c] += class_bias[c];
            if (row[c] > top)
                top = row[c];
        }
        double total = 0.0;
        for (size_t c = 0; c < classes; c++) {
            row[c] = expf(row[c] - top);
            total += row[c];
        }
        for (size_t c = 0; c < classes; c++)
            row[c] = (float)(row[c] / total);
    }
}

/* (L4) -log softmax(C zhat + c)_y.  With g = C^T (p - onehot(y)), the
 * gradient is (g - zhat (zhat . g)) / r when normalised, g otherwise. */
static double classification(const sc_loss_operators *o,
                             const sc_loss_weights *w, size_t batch,
                             const float *z, const int32_t *labels,
                             sc_train_buffers *buf,
                             const sc_loss_gradients *g, double *errors)
{
    size_t k = o->k, classes = o->classes;
    float *p = buf->logits;
    sc_classifier_forward(o->classifier, o->class_bias, batch, z,
                          w->normalize_code, buf->zhat, buf->norms, p);
    double loss = 0.0;
    size_t wrong = 0;
    float scale = (float)(w->classification / (double)batch);
    for (size_t b = 0; b < batch; b++) {
        float *row = p + b * classes;
        size_t y = (size_t)labels[b], best = 0;
        for (size_t c = 1; c < classes; c++)
            if (row[c] > row[best])
                best = c;
        wrong += best != y;
        loss -= log(row[y] > 1e-30f ? (double)row[y] : 1e-30);
        row[y] -= 1.0f;                 /* p - onehot(y) */
        for (size_t c = 0; c < classes; c++)
            row[c] *= scale;
    }
    *errors = (double)wrong;
    if (g == NULL)
        return loss;
    float *grad_bias = g->class_bias, *grad_z = buf->grad_z;
    memset(grad_bias, 0, classes * sizeof(float));
    for (size_t b = 0; b < batch; b++)
        for (size_t c = 0; c < classes; c++)
            grad_bias[c] += p[b * classes + c];
    sc_operator_accumulate_gradient(o->classifier, batch, p, buf->zhat,
                                    1.0f, 0.0f, g->classifier, NULL);
    sc_operator_transpose(o->classifier, batch, p, 0.0f, buf->grad_zhat,
                          NULL);
    for (size_t b = 0; b < batch; b++) {
        const float *zh = buf->zhat + b * k, *gh = buf->grad_zhat + b * k;
        float *gz = grad_z + b * k;
        if (!w->normalize_code) {
            for (size_t i = 0; i < k; i++)
                gz[i] += gh[i];
            continue;
        }
        add_normalized_gradient(k, zh, gh, dot(k, zh, gh),
                                1.0 / buf->norms[b], gz);
    }
    return loss;
}

void sc_losses_evaluate(const sc_loss_operators *o, const sc_loss_weights *w,
                        size_t batch, const float *x, const float *z,
                        const int32_t *labels, const float *targets,
                        sc_train_buffers *buf, const sc_loss_gradients *g,
                        sc_loss_values *out)
{
    size_t k = o->k;
    float *grad_z = buf->grad_z;
    float scale = (float)(1.0 / (double)batch);
    double inv_batch = 1.0 / (double)batch;
    memset(out, 0, sizeof *out);

    if (w->recon > 0)
        out->recon = reconstruction(o, w->recon, batch, x, z, buf->residual,
                                    grad_z, g ? g->decoder : NULL,
                                    buf->operator) * inv_batch;
    if (w->recon <= 0 || g == NULL)
        memset(grad_z, 0, batch * k * sizeof(float));

    size_t active;
    out->l1 = l1(w->l1 > 0, (float)w->l1 * scale, batch * k, z, grad_z,
                 &active) * inv_batch;
    out->active_fraction = (double)active / (double)(batch * k);

    if (w->group > 0)
        out->group = group(o->pools, w->group, w->group_epsilon, batch, k,
                           z, grad_z, scale) * inv_batch;
    if (w->regression > 0)
        out->regression = regression((float)w->regression * scale,
                                     batch * k, z, targets, grad_z) *
                          inv_batch;
    if (w->classification > 0) {
        double errors;
        out->classification = classification(o, w, batch, z, labels, buf, g,
                                             &errors) * inv_batch;
        out->class_error = errors * inv_batch;
    }
    out->loss = w->recon * out->recon + w->l1 * out->l1 +
                w->group * out->group +
                w->classification * out->classification +
                w->regression * out->regression;
}
