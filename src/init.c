/* SPDX-License-Identifier: BSD-2-Clause */
/* init.c -- the three initialisations.  Each fills a fresh decoder W_d and
 * derives the encoder from it by the ISTA relation (I1 in docs/math.md):
 *
 *     W_e = alpha W_d^T,   S = I - alpha W_d^T W_d,   theta = alpha lambda,
 *
 * with alpha = 1/L, L >= lambda_max(W_d^T W_d) from power iteration, or
 * alpha = SC_MODEL_PARAM_INIT_STEP when that is set (DrSAE's code, I2).  The
 * fresh state replaces the model's only when everything succeeded.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rng.h"
#include "spectral.h"

#define LIPSCHITZ_MARGIN 1.01

/* G = W_d^T W_d (k x k) through the decoder's verbs, GRAM_CHUNK rows at
 * a time: the rows of an identity block give the atoms W_d e_j, and the
 * transpose of those gives rows of G.  The same code serves dense and
 * local decoders (whose G links only units with overlapping windows).
 * Returns -1 if out of memory. */
#define GRAM_CHUNK 64
static int decoder_gram(const sc_state *s, size_t n, size_t k, float *gram)
{
    size_t chunk = k < GRAM_CHUNK ? k : GRAM_CHUNK;
    size_t scratch_count = sc_state_operator_scratch(s, chunk);
    float *unit = calloc(chunk * k, sizeof(float));
    float *atoms = malloc(chunk * n * sizeof(float));
    float *scratch = scratch_count > 0
                         ? malloc(scratch_count * sizeof(float)) : NULL;
    int failed = unit == NULL || atoms == NULL ||
                 (scratch_count > 0 && scratch == NULL);
    for (size_t j0 = 0; j0 < k && !failed; j0 += chunk) {
        size_t rows = k - j0 < chunk ? k - j0 : chunk;
        memset(unit, 0, chunk * k * sizeof(float));
        for (size_t r = 0; r < rows; r++)
            unit[r * k + j0 + r] = 1.0f;
        sc_operator_forward(&s->decoder, rows, unit, 0.0f, atoms, scratch);
        sc_operator_transpose(&s->decoder, rows, atoms, 0.0f,
                              gram + j0 * k, scratch);
    }
    free(unit);
    free(atoms);
    free(scratch);
    return failed ? -1 : 0;
}

/* Derives the encoder of `s` from its decoder by the ISTA relation, with
 * step alpha = SC_MODEL_PARAM_INIT_STEP, or 1/L when that is 0 (I1, I2). */
static sc_status apply_ista_relation(sc_model *m, sc_state *s,
                                     const char *caller)
{
    size_t n = m->n, k = m->k;
    float *gram = s->lateral.weights;
    /* G = W_d^T W_d, written straight into S's storage. */
    double lambda_max = decoder_gram(s, n, k, gram) == 0
                            ? sc_largest_eigenvalue(gram, k) : -1.0;
    if (lambda_max < 0)
        return sc_fail(m->message, SC_ERR_NOMEM, "%s: out of memory",
                       caller);
    if (!isfinite(lambda_max) || !sc_all_finite(gram, k * k))
        return sc_fail(m->message, SC_ERR_RANGE,
                       "%s: the dictionary's values are too large "
                       "(W_d^T W_d overflows float)", caller);
    if (!(lambda_max > 0))
        return sc_fail(m->message, SC_ERR_RANGE,
                       "%s: the dictionary is zero or too small (W_d^T W_d "
                       "has no positive eigenvalue in float)", caller);
    double alpha = sc_model_value(m, SC_MODEL_PARAM_INIT_STEP);
    if (alpha == 0.0)
        alpha = 1.0 / (LIPSCHITZ_MARGIN * lambda_max);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            gram[i * k + j] = (float)((i == j) - alpha * gram[i * k + j]);
    sc_operator_set_scaled_transpose(&s->encoder, &s->decoder, (float)alpha);
    float theta = (float)(sc_model_value(m, SC_MODEL_PARAM_L1_WEIGHT) * alpha);
    for (size_t i = 0; i < k; i++)
        s->threshold[i] = theta;
    return SC_OK;
}

/* Common tail of every init: ISTA relation, then adopt or discard. */
static sc_status finish_init(sc_model *m, sc_state *fresh,
                             const char *caller)
{
    sc_status status = apply_ista_relation(m, fresh, caller);
    if (status != SC_OK) {
        sc_state_release(fresh);
        return status;
    }
    sc_model_adopt_state(m, fresh);
    return SC_OK;
}

sc_status sc_model_init_random(sc_model *model, uint64_t seed)
{
    static const char caller[] = "sc_model_init_random";
    if (model == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: model is NULL", caller);
    sc_state fresh;
    sc_status status = sc_state_create(model, &fresh, caller);
    if (status != SC_OK)
        return status;
    double bound = sc_model_value(model, SC_MODEL_PARAM_DECODER_MAX_NORM);
    sc_rng rng;
    sc_rng_seed(&rng, seed);
    for (size_t i = 0; i < fresh.decoder.weight_count; i++)
        fresh.decoder.weights[i] = (float)sc_rng_normal(&rng);
    for (size_t j = 0; j < model->k; j++)
        sc_operator_set_column_norm(&fresh.decoder, j, bound, 0);
    return finish_init(model, &fresh, caller);
}

sc_status sc_model_init_dictionary(sc_model *model, const float *dictionary)
{
    static const char caller[] = "sc_model_init_dictionary";
    if (model == NULL || dictionary == NULL)
        return sc_fail(model ? model->message : NULL, SC_ERR_NULL,
                       "%s: %s is NULL", caller,
                       model == NULL ? "model" : "dictionary");
    size_t n = model->n, k = model->k;
    if (!sc_all_finite(dictionary, n * k))
        return sc_fail(model->message, SC_ERR_NONFINITE,
                       "%s: the dictionary holds NaN or Inf", caller);
    sc_state fresh;
    sc_status status = sc_state_create(model, &fresh, caller);
    if (status != SC_OK)
        return status;
    double bound = sc_model_value(model, SC_MODEL_PARAM_DECODER_MAX_NORM);
    for (size_t j = 0; j < k; j++) {
        sc_operator_load_column(&fresh.decoder, j, dictionary + j, k);
        sc_operator_set_column_norm(&fresh.decoder, j, bound, 1);
    }
    return finish_init(model, &fresh, caller);
}

/* out = s/|s| + noise r/|r|, r a Gaussian vector from rng (I2); out = s
 * for a zero sample, which the caller then draws again.  Returns out. */
static const float *add_noise(const float *sample, size_t n, double noise,
                              sc_rng *rng, float *out)
{
    double ss = 0.0, rr = 0.0;
    for (size_t i = 0; i < n; i++) {
        ss += (double)sample[i] * sample[i];
        out[i] = (float)sc_rng_normal(rng);
        rr += (double)out[i] * out[i];
    }
    double a = ss > 0 ? 1.0 / sqrt(ss) : 0.0;
    double b = ss > 0 && rr > 0 ? noise / sqrt(rr) : 0.0;
    for (size_t i = 0; i < n; i++)
        out[i] = (float)(a * sample[i] + b * out[i]);
    return out;
}

sc_status sc_model_init_data(sc_model *model, const float *x, size_t count,
                             uint64_t seed)
{
    static const char caller[] = "sc_model_init_data";
    if (model == NULL || x == NULL)
        return sc_fail(model ? model->message : NULL, SC_ERR_NULL,
                       "%s: %s is NULL", caller,
                       model == NULL ? "model" : "x");
    size_t n = model->n, k = model->k;
    if (count == 0 || count > SIZE_MAX / n / sizeof(float))
        return sc_fail(model->message, SC_ERR_SIZE,
                       "%s: count %zu is %s", caller, count,
                       count == 0 ? "0" : "too large");
    if (!sc_all_finite(x, count * n))
        return sc_fail(model->message, SC_ERR_NONFINITE,
                       "%s: x holds NaN or Inf", caller);
    sc_state fresh;
    sc_status status = sc_state_create(model, &fresh, caller);
    if (status != SC_OK)
        return status;
    double bound = sc_model_value(model, SC_MODEL_PARAM_DECODER_MAX_NORM);
    double noise = sc_model_value(model, SC_MODEL_PARAM_INIT_NOISE);
    float *mixed = noise > 0 ? malloc(n * sizeof(float)) : NULL;
    if (noise > 0 && mixed == NULL) {
        sc_state_release(&fresh);
        return sc_fail(model->message, SC_ERR_NOMEM, "%s: out of memory",
                       caller);
    }
    sc_rng rng;
    sc_rng_seed(&rng, seed);
    for (size_t j = 0; j < k; j++) {
        /* A random sample (a local unit: its window of one), normalised;
         * a few retries skip zero samples.  With noise, (I2): the unit
         * sample plus noise times a random unit vector. */
        int placed = 0;
        for (int attempt = 0; attempt < 16 && !placed; attempt++) {
            const float *sample = x + sc_rng_below(&rng, count) * n;
            if (mixed != NULL)
                sample = add_noise(sample, n, noise, &rng, mixed);
            sc_operator_load_column(&fresh.decoder, j, sample, 1);
            placed = sc_operator_set_column_norm(&fresh.decoder, j, bound, 0);
        }
    }
    free(mixed);
    return finish_init(model, &fresh, caller);
}
