/* SPDX-License-Identifier: BSD-2-Clause */
/* infer.c -- encode, decode and predict on a const model.  Reentrant:
 * the scratch is allocated per call, and long batches are processed in
 * chunks so the scratch stays small. */
#include <stdlib.h>
#include <string.h>

#include "encoder.h"
#include "lcod.h"
#include "losses.h"
#include "model.h"

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

/* Scratch of one chunked encoder run. */
typedef struct {
    float *u, *a, *z;
    float *op;   /* the local operators' scratch (NULL for a dense model) */
} encode_scratch;

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

static int scratch_alloc(encode_scratch *sc, const sc_state *s, size_t rows,
                         size_t k)
{
    int failed = 0;
    sc->u = malloc(rows * k * sizeof(float));
    sc->a = malloc(rows * k * sizeof(float));
    sc->z = malloc(2 * rows * k * sizeof(float));
    sc->op = operator_scratch(s, rows, &failed);
    return sc->u != NULL && sc->a != NULL && sc->z != NULL && !failed ? 0
                                                                     : -1;
}

static void scratch_free(encode_scratch *sc)
{
    free(sc->u);
    free(sc->a);
    free(sc->z);
    free(sc->op);
}

/* Encodes `rows` samples into codes (rows x k) with the given scratch. */
static void encode_chunk(const sc_model *m, encode_scratch *sc,
                         const float *x, size_t rows, float *codes)
{
    const sc_state *s = &m->state;
    sc_unroll run = {rows, (size_t)sc_model_value(m, SC_MODEL_PARAM_ITERATIONS),
                     (int)sc_model_value(m, SC_MODEL_PARAM_SHRINK)};
    if (sc_model_value(m, SC_MODEL_PARAM_ENCODER) == SC_ENCODER_LCOD) {
        /* (E5): B = W_e x in a, one sample's Z in z. */
        sc_operator_forward(&s->encoder, rows, x, 0.0f, sc->a, sc->op);
        sc_lcod_forward(s, run, sc->a, codes, sc->z, NULL);
        return;
    }
    sc_operator_forward(&s->encoder, rows, x, 0.0f, sc->u, sc->op);
    const float *z = sc_encoder_forward(s, run, sc->u, sc->a, sc->z, 0);
    memcpy(codes, z, rows * m->k * sizeof(float));
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
    encode_scratch sc;
    if (scratch_alloc(&sc, &model->state, chunk, model->k) != 0) {
        scratch_free(&sc);
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    }
    for (size_t b = 0; b < batch && status == SC_OK; b += chunk) {
        size_t rows = batch - b < chunk ? batch - b : chunk;
        encode_chunk(model, &sc, x + b * model->n, rows,
                     codes + b * model->k);
        status = check_outputs(codes + b * model->k, rows * model->k,
                               "codes", caller);
    }
    scratch_free(&sc);
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
    size_t classes = model->state.classes, k = model->k;
    if (classes == 0)
        return sc_fail(NULL, SC_ERR_STATE, "%s: the model has no classifier "
                       "(SC_MODEL_PARAM_CLASSES is 0)", caller);
    int normalize = sc_model_value(model, SC_MODEL_PARAM_NORMALIZE_CODE) != 0.0;
    size_t chunk = batch < SC_INFER_CHUNK ? batch : SC_INFER_CHUNK;
    encode_scratch sc;
    float *codes = malloc(chunk * k * sizeof(float));
    float *zhat = malloc(chunk * k * sizeof(float));
    float *norms = malloc(chunk * sizeof(float));
    float *p = malloc(chunk * classes * sizeof(float));
    int failed = scratch_alloc(&sc, &model->state, chunk, k) != 0 || codes == NULL ||
                 zhat == NULL || norms == NULL || p == NULL;
    for (size_t b = 0; b < batch && !failed && status == SC_OK; b += chunk) {
        size_t rows = batch - b < chunk ? batch - b : chunk;
        encode_chunk(model, &sc, x + b * model->n, rows, codes);
        sc_classifier_forward(&model->state, rows, codes, normalize, zhat,
                              norms, p);
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
    scratch_free(&sc);
    free(codes);
    free(zhat);
    free(norms);
    free(p);
    if (failed)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    return status;
}
