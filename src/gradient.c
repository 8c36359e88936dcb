/* SPDX-License-Identifier: BSD-2-Clause */
/* gradient.c -- the gradient interface: a step split into
 * sc_model_gradient_compute (the gradient of a batch's mean loss into the
 * caller's flat buffer) and sc_model_gradient_apply (the update from such
 * a buffer, or the sum of several), for data-parallel training
 * (docs/gradient.md).  Both are the halves of sc_model_step (step.c); the
 * buffer is only copied in and out, so that compute + apply of one buffer
 * is the step bit for bit. */
#include <string.h>

#include "losses.h"
#include "model.h"
#include "step.h"

/* Block t (SC_TENSOR_*, the sc_weight order) starts after every earlier
 * array's; an absent classifier has 0 floats. */
static size_t block_offset(const sc_state *s, int t)
{
    size_t offset = 0;
    for (int i = 0; i < t; i++)
        offset += s->tensor[i].count;
    return offset;
}

size_t sc_model_gradient_size(const sc_model *model)
{
    if (model == NULL || !model->initialized)
        return 0;
    return block_offset(&model->state, SC_TENSOR_COUNT);
}

sc_status sc_model_gradient_block(const sc_model *model, sc_weight which,
                                  size_t *offset, size_t *count)
{
    static const char caller[] = "sc_model_gradient_block";
    if (model == NULL || offset == NULL || count == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       model == NULL ? "model"
                                     : offset == NULL ? "offset" : "count");
    sc_status status = sc_check_weight(model, which, caller);
    if (status != SC_OK)
        return status;
    int t = (int)(which - SC_WEIGHT_ENCODER);
    *offset = block_offset(&model->state, t);
    *count = model->state.tensor[t].count;
    return SC_OK;
}

/* Whether the compute half wrote tensor t's gradient: the decoder's needs
 * the reconstruction term, the classifier's the classification term. */
static int computed(const sc_loss_weights *w, int t)
{
    if (t == SC_TENSOR_DECODER)
        return w->recon > 0;
    if (t == SC_TENSOR_CLASSIFIER || t == SC_TENSOR_CLASS_BIAS)
        return w->classification > 0;
    return 1;
}

sc_status sc_model_gradient_compute(sc_model *model, const float *x,
                                    const int32_t *labels,
                                    const float *targets, size_t batch,
                                    float *gradient, sc_model_stats *stats)
{
    static const char caller[] = "sc_model_gradient_compute";
    if (model == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: model is NULL", caller);
    if (gradient == NULL)
        return sc_fail(model->message, SC_ERR_NULL, "%s: gradient is NULL",
                       caller);
    sc_loss_values values;
    sc_status status = sc_step_compute(model, x, labels, targets, batch,
                                       stats, &values, caller);
    if (status != SC_OK)
        return status;
    /* The gradients out, zeros for the arrays this batch does not train. */
    const sc_state *s = &model->state;
    sc_loss_weights w = sc_loss_weights_of(model);
    float *at = gradient;
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        const sc_tensor *tensor = &s->tensor[t];
        if (tensor->count == 0)      /* an absent classifier: no arrays */
            continue;
        if (computed(&w, t))
            memcpy(at, tensor->grad, tensor->count * sizeof(float));
        else
            memset(at, 0, tensor->count * sizeof(float));
        at += tensor->count;
    }
    if (!sc_all_finite(gradient, sc_model_gradient_size(model)))
        return sc_fail(model->message, SC_ERR_NONFINITE,
                       "%s: the gradient overflowed to NaN or Inf; scale "
                       "the inputs", caller);
    /* The batch, for the check of the update that apply makes. */
    sc_train_buffers *buf = &model->train;
    memcpy(buf->probe, x, batch * model->n * sizeof(float));
    buf->probe_rows = batch;
    buf->probe_scale = sc_max_magnitude(x, batch * model->n);
    if (stats != NULL)
        sc_stats_report(stats, &values);
    return SC_OK;
}

sc_status sc_model_gradient_apply(sc_model *model, const float *gradient,
                                  size_t buffers)
{
    static const char caller[] = "sc_model_gradient_apply";
    if (model == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: model is NULL", caller);
    if (gradient == NULL)
        return sc_fail(model->message, SC_ERR_NULL, "%s: gradient is NULL",
                       caller);
    if (buffers == 0)
        return sc_fail(model->message, SC_ERR_SIZE,
                       "%s: buffers is 0 (the number of buffers summed into "
                       "gradient)", caller);
    if (!model->initialized)
        return sc_fail(model->message, SC_ERR_STATE,
                       "%s: model is not initialised", caller);
    size_t size = sc_model_gradient_size(model);
    if (!sc_all_finite(gradient, size))
        return sc_fail(model->message, SC_ERR_NONFINITE,
                       "%s: the gradient holds NaN or Inf; the model is "
                       "unchanged", caller);
    /* The constraints use the training buffers' scratch. */
    if (sc_train_buffers_reserve(model, 1) != SC_OK)
        return sc_fail(model->message, SC_ERR_NOMEM, "%s: out of memory",
                       caller);
    /* The gradients in, as the compute half leaves them: the mean of the
     * `buffers` buffers summed. */
    sc_state *s = &model->state;
    const float *at = gradient;
    float count = (float)buffers;
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        sc_tensor *tensor = &s->tensor[t];
        if (tensor->count == 0)
            continue;
        if (buffers == 1)
            memcpy(tensor->grad, at, tensor->count * sizeof(float));
        else
            for (size_t i = 0; i < tensor->count; i++)
                tensor->grad[i] = at[i] / count;
        at += tensor->count;
    }
    const sc_train_buffers *buf = &model->train;
    return sc_step_apply(model, buf->probe_rows > 0 ? buf->probe : NULL,
                         buf->probe_rows, buf->probe_scale, caller);
}
