/* SPDX-License-Identifier: BSD-2-Clause */
/* step.c -- one training step: forward, losses, back-propagation through
 * time (the compute half), then a checked update and the constraints (the
 * apply half).  sc_model_step is the two halves back to back; the gradient
 * interface (gradient.c) calls them apart.  The model changes only after
 * every new value has been computed and checked (update_check.h). */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "encoder.h"
#include "lcod.h"
#include "losses.h"
#include "model.h"
#include "optimizer.h"
#include "step.h"
#include "update_check.h"

sc_status sc_check_step_input(const sc_model *m, char *msg, const float *x,
                              const int32_t *labels, const float *targets,
                              size_t batch, const sc_model_stats *stats,
                              const sc_loss_weights *w, const char *caller)
{
    if (x == NULL)
        return sc_fail(msg, SC_ERR_NULL, "%s: x is NULL", caller);
    if (!m->initialized)
        return sc_fail(msg, SC_ERR_STATE, "%s: model is not initialised",
                       caller);
    if (sc_model_value(m, SC_MODEL_PARAM_CLASS_WEIGHT) > 0 &&
        m->state.classes == 0)
        return sc_fail(msg, SC_ERR_STATE,
                       "%s: SC_MODEL_PARAM_CLASS_WEIGHT > 0 but the model has no "
                       "classifier (SC_MODEL_PARAM_CLASSES is 0)", caller);
    if (w->classification > 0 && labels == NULL)
        return sc_fail(msg, SC_ERR_NULL,
                       "%s: labels is NULL but the class weight is > 0",
                       caller);
    if (w->regression > 0 && targets == NULL)
        return sc_fail(msg, SC_ERR_NULL,
                       "%s: targets is NULL but the regression weight is > 0",
                       caller);
    sc_status status = sc_check_batch(m, batch, 1, msg, caller);
    if (status != SC_OK)
        return status;
    if (stats != NULL &&
        stats->size < offsetof(sc_model_stats, loss) + sizeof stats->loss)
        return sc_fail(msg, SC_ERR_SIZE,
                       "%s: stats->size = %zu; set it to sizeof(sc_model_stats)",
                       caller, stats->size);
    if (w->classification > 0)
        for (size_t b = 0; b < batch; b++)
            if (labels[b] < 0 || (size_t)labels[b] >= m->state.classes)
                return sc_fail(msg, SC_ERR_RANGE,
                               "%s: labels[%zu] = %d is outside [0, %zu)",
                               caller, b, (int)labels[b], m->state.classes);
    if (!sc_all_finite(x, batch * m->n))
        return sc_fail(msg, SC_ERR_NONFINITE, "%s: x holds NaN or Inf",
                       caller);
    if (w->regression > 0 && !sc_all_finite(targets, batch * m->k))
        return sc_fail(msg, SC_ERR_NONFINITE,
                       "%s: targets hold NaN or Inf", caller);
    return SC_OK;
}

sc_unroll sc_unroll_of(const sc_model *m, size_t batch)
{
    sc_unroll run = {batch,
                     (size_t)sc_model_value(m, SC_MODEL_PARAM_ITERATIONS),
                     (int)sc_model_value(m, SC_MODEL_PARAM_SHRINK)};
    return run;
}

/* The state's encoder weights, and where its gradients go. */
static sc_encoder_weights encoder_weights(const sc_state *s)
{
    sc_encoder_weights e = {&s->encoder, &s->lateral, s->threshold};
    return e;
}

static sc_encoder_gradients encoder_gradients(sc_state *s)
{
    sc_encoder_gradients g = {s->tensor[SC_TENSOR_ENCODER].grad,
                              s->tensor[SC_TENSOR_LATERAL].grad,
                              s->tensor[SC_TENSOR_THRESHOLD].grad};
    return g;
}

const float *sc_forward(const sc_state *s, sc_unroll run, int lcod,
                        const float *x, sc_train_buffers *buf, int history)
{
    sc_encoder_weights e = encoder_weights(s);
    if (lcod) {
        /* (E5): B = W_e x in a, one sample's Z in delta. */
        sc_lcod_forward(&e, run, x, buf->a, buf->z, buf->delta,
                        history ? &buf->trace : NULL, buf->operator);
        return buf->z;
    }
    /* (E1): u = W_e x in u. */
    return sc_encoder_forward(&e, run, x, buf->u, buf->a, buf->z, history,
                              buf->operator);
}

void sc_compute_gradients(sc_model *m, const sc_loss_weights *w,
                          const float *x, const int32_t *labels,
                          const float *targets, size_t batch,
                          sc_loss_values *values)
{
    sc_state *s = &m->state;
    sc_train_buffers *buf = &m->train;
    sc_unroll run = sc_unroll_of(m, batch);
    int lcod = sc_model_value(m, SC_MODEL_PARAM_ENCODER) == SC_ENCODER_LCOD;
    sc_loss_operators ops = sc_loss_operators_of(s);
    sc_loss_gradients g = {s->tensor[SC_TENSOR_DECODER].grad,
                           s->tensor[SC_TENSOR_CLASSIFIER].grad,
                           s->tensor[SC_TENSOR_CLASS_BIAS].grad};
    sc_encoder_weights e = encoder_weights(s);
    sc_encoder_gradients eg = encoder_gradients(s);
    /* Forward (E1 or E5), losses (L1-L5), back-propagation (B1-B4 or
     * B5). */
    const float *z = sc_forward(s, run, lcod, x, buf, 1);
    sc_losses_evaluate(&ops, w, batch, x, z, labels, targets, buf, &g,
                       values);
    if (lcod)
        sc_lcod_backward(&e, &eg, run, x, buf->a, &buf->trace, buf->grad_z,
                         buf->grad_u, buf->delta, buf->operator);
    else
        sc_encoder_backward(&e, &eg, run, x, buf->z, buf->grad_z,
                            buf->delta, buf->grad_u, buf->operator);
}

/* The threads of the step's element-wise passes.  A local model's
 * products run on its own threads, which are idle between them, so the
 * passes share them.  A dense model's products run on the BLAS's threads,
 * and OpenBLAS's workers spin on the other cores between products: a
 * second thread of ours then competes with one of them, and made a step of
 * the 784-400 model 30 % slower on 2 cores (docs/drsae.md, "Speed"), so
 * the passes stay on the calling thread. */
static size_t element_threads(const sc_state *s)
{
    return s->encoder.kind == SC_OPERATOR_LOCAL ? s->shape.threads : 1;
}

void sc_stats_report(sc_model_stats *stats, const sc_loss_values *v)
{
    sc_model_stats full;
    full.size = stats->size;
    full.loss = v->loss;
    full.recon = v->recon;
    full.l1 = v->l1;
    full.group = v->group;
    full.classification = v->classification;
    full.regression = v->regression;
    full.active_fraction = v->active_fraction;
    full.class_error = v->class_error;
    size_t bytes = stats->size < sizeof full ? stats->size : sizeof full;
    memcpy(stats, &full, bytes);
}

double sc_max_magnitude(const float *x, size_t count)
{
    float most = 0.0f;
    for (size_t i = 0; i < count; i++) {
        float a = fabsf(x[i]);
        most = a > most ? a : most;
    }
    return most;
}

sc_status sc_step_compute(sc_model *m, const float *x, const int32_t *labels,
                          const float *targets, size_t batch,
                          const sc_model_stats *stats,
                          sc_loss_values *values, const char *caller)
{
    sc_loss_weights w = sc_loss_weights_of(m);
    sc_status status = sc_check_step_input(m, m->message, x, labels,
                                           targets, batch, stats, &w,
                                           caller);
    if (status != SC_OK)
        return status;
    if (sc_train_buffers_reserve(m, batch) != SC_OK)
        return sc_fail(m->message, SC_ERR_NOMEM,
                       "%s: out of memory for a batch of %zu", caller, batch);
    sc_compute_gradients(m, &w, x, labels, targets, batch, values);
    if (!isfinite(values->loss))
        return sc_fail(m->message, SC_ERR_NONFINITE,
                       "%s: the loss overflowed to NaN or Inf (%g); the "
                       "model is unchanged: lower "
                       "SC_MODEL_PARAM_LEARNING_RATE or scale the inputs",
                       caller, values->loss);
    return SC_OK;
}

/* The step scales of the arrays a step trains (0 for the others): the
 * repeat counts (O3) and the classifier's own scale. */
static void step_scales(const sc_model *m, double scale[SC_TENSOR_COUNT])
{
    sc_loss_weights w = sc_loss_weights_of(m);
    size_t T = (size_t)sc_model_value(m, SC_MODEL_PARAM_ITERATIONS);
    int repeats = sc_model_value(m, SC_MODEL_PARAM_REPEAT_SCALING) != 0.0;
    double classifier = w.classification > 0
        ? sc_model_value(m, SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE) : 0.0;
    if (sc_model_value(m, SC_MODEL_PARAM_ENCODER) == SC_ENCODER_LCOD) {
        /* LCoD's repeat counts (O3): W_e x once, S in each of the T
         * steps, theta in the T steps' shrinks and the last one. */
        scale[SC_TENSOR_ENCODER] = 1.0;
        scale[SC_TENSOR_LATERAL] = repeats ? 1.0 / (double)T : 1.0;
        scale[SC_TENSOR_THRESHOLD] = repeats ? 1.0 / (double)(T + 1) : 1.0;
    } else {
        scale[SC_TENSOR_ENCODER] = repeats ? 1.0 / (double)T : 1.0;
        scale[SC_TENSOR_THRESHOLD] = scale[SC_TENSOR_ENCODER];
        scale[SC_TENSOR_LATERAL] = T < 2 ? 0.0
                                   : repeats ? 1.0 / (double)(T - 1) : 1.0;
    }
    scale[SC_TENSOR_DECODER] = w.recon > 0 ? 1.0 : 0.0;
    scale[SC_TENSOR_CLASSIFIER] = classifier;
    scale[SC_TENSOR_CLASS_BIAS] = classifier;
}

/* The norm constraints (C1) on the arrays just updated. */
static void constrain(sc_model *m, const double scale[SC_TENSOR_COUNT])
{
    sc_state *s = &m->state;
    if (scale[SC_TENSOR_DECODER] > 0)
        sc_operator_project_columns(
            &s->decoder, sc_model_value(m, SC_MODEL_PARAM_DECODER_MAX_NORM),
            m->train.columns);
    if (scale[SC_TENSOR_CLASSIFIER] > 0)
        sc_operator_project_rows(
            &s->classifier,
            sc_model_value(m, SC_MODEL_PARAM_CLASSIFIER_MAX_NORM));
    double encoder_bound = sc_model_value(m, SC_MODEL_PARAM_ENCODER_MAX_NORM);
    if (encoder_bound > 0)
        sc_operator_project_rows(&s->encoder, encoder_bound);
    if (sc_model_value(m, SC_MODEL_PARAM_SHRINK) == SC_SHRINK_SOFT)
        for (size_t i = 0; i < m->k; i++)
            if (s->threshold[i] < 0.0f)
                s->threshold[i] = 0.0f;
}

sc_status sc_step_apply(sc_model *m, const float *probe, size_t rows,
                        double probe_scale, const char *caller)
{
    sc_state *s = &m->state;
    double scale[SC_TENSOR_COUNT];
    step_scales(m, scale);

    /* Stage the update; refuse it, changing nothing, if any new value is
     * not finite. */
    sc_optimizer_settings opt = sc_optimizer_settings_of(m);
    if (!sc_optimizer_stage(s->tensor, scale, &opt, element_threads(s)))
        return sc_fail(m->message, SC_ERR_NONFINITE,
                       "%s: the update overflowed to NaN or Inf; the model is "
                       "unchanged: lower SC_MODEL_PARAM_LEARNING_RATE or "
                       "scale the inputs", caller);
    sc_optimizer_commit(s, scale, &opt);
    constrain(m, scale);

    /* The state the update leaves must still encode (update_check.h);
     * else a second commit swaps every array back. */
    if (!sc_update_check(m, probe, rows, probe_scale)) {
        sc_optimizer_commit(s, scale, &opt);
        return sc_fail(m->message, SC_ERR_NONFINITE,
                       "%s: the update would leave weights under which the "
                       "model's outputs overflow (%s); the model is "
                       "unchanged: lower SC_MODEL_PARAM_LEARNING_RATE or "
                       "scale the inputs", caller,
                       probe != NULL ? "on the batch" : "weights too large");
    }
    s->steps++;
    return SC_OK;
}

sc_status sc_model_step(sc_model *model, const float *x,
                        const int32_t *labels, const float *targets,
                        size_t batch, sc_model_stats *stats)
{
    static const char caller[] = "sc_model_step";
    if (model == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: model is NULL", caller);
    sc_loss_values values;
    sc_status status = sc_step_compute(model, x, labels, targets, batch,
                                       stats, &values, caller);
    if (status != SC_OK)
        return status;
    status = sc_step_apply(model, x, batch,
                           sc_max_magnitude(x, batch * model->n), caller);
    if (status != SC_OK)
        return status;
    if (stats != NULL)
        sc_stats_report(stats, &values);
    return SC_OK;
}
