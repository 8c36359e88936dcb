/* SPDX-License-Identifier: BSD-2-Clause */
/* infer.c -- encode, decode and predict on a const model.  Reentrant:
 * the scratch is allocated per call, and long batches are processed in
 * chunks so the scratch stays small. */
#include <stdlib.h>
#include <string.h>

#include "losses.h"
#include "model.h"
#include "step.h"

/* Samples per chunk: large enough for sgemm to run at full rate. */
#define SC_INFER_CHUNK 256

/* The checks shared by every inference call. */
static sc_status check_inference(const sc_model *m, const void *in,
                                 size_t batch, const void *out,
                                 size_t in_width, const char *caller)
{
    if (m == NULL || in == NULL || out == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       m == NULL ? "model" : in == NULL ? "input" : "output");
    if (!m->initialized)
        return sc_fail(NULL, SC_ERR_STATE, "%s: model is not initialised",
                       caller);
    sc_status status = sc_check_batch(m, batch, 0, NULL, caller);
    if (status != SC_OK)
        return status;
    if (!sc_all_finite(in, batch * in_width))
        return sc_fail(NULL, SC_ERR_NONFINITE, "%s: the input holds NaN or "
                       "Inf", caller);
    return SC_OK;
}

/* Finite inputs and finite weights can still overflow (weights trained or
 * loaded at huge values): no call returns SC_OK with NaN or Inf outputs. */
static sc_status check_outputs(const float *out, size_t count,
                               const char *what, const char *caller)
{
    if (sc_all_finite(out, count))
        return SC_OK;
    return sc_fail(NULL, SC_ERR_NONFINITE, "%s: the %s overflowed to NaN or "
                   "Inf from finite input: the model's weights are too large "
                   "for it", caller, what);
}

/* The local operators' scratch for `rows` samples: NULL for a dense model,
 * and *failed set if it is needed but cannot be had. */
static float *operator_scratch(const sc_state *s, size_t rows, int *failed)
{
    size_t count = sc_state_operator_scratch(s, rows);
    if (count == 0)
        return NULL;
    float *p = count > SIZE_MAX / sizeof(float)
                   ? NULL : malloc(count * sizeof(float));
    *failed |= p == NULL;
    return p;
}

/* Encodes `rows` samples into codes (rows x k) through the step's own
 * forward pass (step.h), in buffers for `rows` samples or more; returns
 * the codes inside buf. */
static const float *encode_chunk(const sc_model *m, sc_train_buffers *buf,
                                 const float *x, size_t rows)
{
    int lcod = sc_model_value(m, SC_MODEL_PARAM_ENCODER) == SC_ENCODER_LCOD;
    return sc_forward(&m->state, sc_unroll_of(m, rows), lcod, x, buf, 0);
}

sc_status sc_model_encode(const sc_model *model, const float *x,
                          size_t batch, float *codes)
{
    static const char caller[] = "sc_model_encode";
    sc_status status = check_inference(model, x, batch, codes,
                                       model ? model->n : 0, caller);
    if (status != SC_OK)
        return status;
    size_t chunk = batch < SC_INFER_CHUNK ? batch : SC_INFER_CHUNK;
    sc_train_buffers buf;
    if (sc_forward_buffers_create(model, chunk, &buf) != SC_OK)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    for (size_t b = 0; b < batch && status == SC_OK; b += chunk) {
        size_t rows = batch - b < chunk ? batch - b : chunk;
        const float *z = encode_chunk(model, &buf, x + b * model->n, rows);
        memcpy(codes + b * model->k, z, rows * model->k * sizeof(float));
        status = check_outputs(codes + b * model->k, rows * model->k,
                               "codes", caller);
    }
    sc_train_buffers_release(&buf);
    return status;
}

sc_status sc_model_decode(const sc_model *model, const float *codes,
                          size_t batch, float *x)
{
    static const char caller[] = "sc_model_decode";
    sc_status status = check_inference(model, codes, batch, x,
                                       model ? model->k : 0, caller);
    if (status != SC_OK)
        return status;
    size_t chunk = batch < SC_INFER_CHUNK ? batch : SC_INFER_CHUNK;
    int failed = 0;
    float *scratch = operator_scratch(&model->state, chunk, &failed);
    if (failed)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    for (size_t b = 0; b < batch && status == SC_OK; b += chunk) {
        size_t rows = batch - b < chunk ? batch - b : chunk;
        sc_operator_forward(&model->state.decoder, rows,
                            codes + b * model->k, 0.0f, x + b * model->n,
                            scratch);
        status = check_outputs(x + b * model->n, rows * model->n,
                               "reconstruction", caller);
    }
    free(scratch);
    return status;
}

sc_status sc_model_predict(const sc_model *model, const float *x,
                           size_t batch, int32_t *labels, float *probs)
{
    static const char caller[] = "sc_model_predict";
    const void *out = labels != NULL ? (const void *)labels
                                     : (const void *)probs;
    sc_status status = check_inference(model, x, batch, out,
                                       model ? model->n : 0, caller);
    if (status != SC_OK)
        return status;
    size_t classes = model->state.classes;
    if (classes == 0)
        return sc_fail(NULL, SC_ERR_STATE, "%s: the model has no classifier "
                       "(SC_MODEL_PARAM_CLASSES is 0)", caller);
    int normalize = sc_model_value(model, SC_MODEL_PARAM_NORMALIZE_CODE) != 0.0;
    size_t chunk = batch < SC_INFER_CHUNK ? batch : SC_INFER_CHUNK;
    sc_train_buffers buf;
    if (sc_forward_buffers_create(model, chunk, &buf) != SC_OK)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    float *p = buf.logits;
    for (size_t b = 0; b < batch && status == SC_OK; b += chunk) {
        size_t rows = batch - b < chunk ? batch - b : chunk;
        const float *z = encode_chunk(model, &buf, x + b * model->n, rows);
        sc_classifier_forward(&model->state.classifier,
                              model->state.class_bias, rows, z, normalize,
                              buf.zhat, buf.norms, p);
        status = check_outputs(p, rows * classes, "class probabilities",
                               caller);
        if (status != SC_OK)
            break;
        if (probs != NULL)
            memcpy(probs + b * classes, p, rows * classes * sizeof(float));
        if (labels != NULL)
            for (size_t r = 0; r < rows; r++) {
                const float *row = p + r * classes;
                size_t best = 0;
                for (size_t c = 1; c < classes; c++)
                    if (row[c] > row[best])
                        best = c;
                labels[b + r] = (int32_t)best;
            }
    }
    sc_train_buffers_release(&buf);
    return status;
}
