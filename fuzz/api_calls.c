/* SPDX-License-Identifier: BSD-2-Clause */
/* api_calls.c -- libFuzzer harness: random sequences of API calls on a
 * small model of any kind (model_file.c's fz_choose_model): set a
 * parameter, the three inits, step, encode, decode, predict, read the
 * weights, and a save/load round trip, with inputs that are ordinary,
 * huge, subnormal, Inf or NaN.  It checks the API's promises:
 *   - a call that fails changes nothing: every weight array (through
 *     sc_model_weights), every parameter, the step count and whether the
 *     model is initialised are as before, and so is the optimiser state
 *     (the moments, read from the library's internal model.h);
 *   - a const call (encode, decode, predict, weights) changes nothing;
 *   - SC_OK from encode, decode or predict means finite outputs;
 *   - a saved model loads back with the same weights, parameters (but the
 *     thread count, which is not saved) and step count.
 * Sanitizers catch the rest (overflows, leaks, undefined behaviour). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "model.h"
#include "model_file.h"
#include "sparsecode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CALLS 24
#define MAX_BATCH 3

/* What a failed call must leave as it was. */
typedef struct {
    uint64_t weights;          /* FNV-1a of every weight array and shape */
    uint64_t moments;          /* FNV-1a of the optimiser's moments */
    double params[SC_MODEL_PARAM_COUNT];
    uint64_t steps;
    int initialized;
} snapshot;

static const char *call_name;
/* FUZZ_TRACE=1 in the environment prints every call and its status (to
 * follow a replayed input). */
static int trace;

static void die(const char *what)
{
    fprintf(stderr, "api_calls: %s: %s (last message: %s)\n", call_name,
            what, sc_last_message());
    abort();
}

static uint64_t fnv(uint64_t h, const void *p, size_t size)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < size; i++)
        h = (h ^ b[i]) * 1099511628211u;
    return h;
}

static void take_snapshot(const sc_model *m, snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->weights = 14695981039346656037u;
    for (int w = SC_WEIGHT_ENCODER; w <= SC_WEIGHT_CLASS_BIAS; w++) {
        const float *data;
        size_t rows = 0, cols = 0;
        if (sc_model_weights(m, (sc_weight)w, &data, &rows, &cols) != SC_OK)
            continue;
        s->weights = fnv(s->weights, &rows, sizeof rows);
        s->weights = fnv(s->weights, &cols, sizeof cols);
        s->weights = fnv(s->weights, data, rows * cols * sizeof *data);
    }
    s->moments = 14695981039346656037u;
    for (int t = 0; m->initialized && t < SC_TENSOR_COUNT; t++) {
        const sc_tensor *ts = &m->state.tensor[t];
        s->moments = fnv(s->moments, ts->m1, ts->count * sizeof *ts->m1);
        s->moments = fnv(s->moments, ts->m2, ts->count * sizeof *ts->m2);
    }
    for (int i = 0; i < SC_MODEL_PARAM_COUNT; i++)
        if (sc_model_get(m, (sc_model_param)sc_param_at(i)->id,
                         &s->params[i]) !=
            SC_OK)
            die("sc_model_get of a known parameter failed");
    s->steps = sc_model_steps_taken(m);
    s->initialized = sc_model_is_initialized(m);
}

static void expect_same(const snapshot *a, const snapshot *b)
{
    if (a->weights != b->weights)
        die("the weights changed");
    if (a->moments != b->moments)
        die("the optimiser state changed");
    if (memcmp(a->params, b->params, sizeof a->params) != 0)
        die("a parameter changed");
    if (a->steps != b->steps)
        die("the step count changed");
    if (a->initialized != b->initialized)
        die("the initialised flag changed");
}

static void expect_finite(const float *v, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!isfinite(v[i]))
            die("SC_OK with a non-finite output");
}

/* Inputs: count floats from b, mostly ordinary. */
static void fill(fz_bytes *b, float *v, size_t count)
{
    int edgy = fz_u8(b) < 32;
    for (size_t i = 0; i < count; i++)
        v[i] = edgy ? fz_float(b) : ((float)fz_u8(b) - 128.0f) / 64.0f;
}

static size_t classes_of(const sc_model *m)
{
    double c = 0;
    if (sc_model_get(m, SC_MODEL_PARAM_CLASSES, &c) != SC_OK)
        die("sc_model_get");
    return (size_t)c;
}

/* Saves m, loads it back, checks it is the same, and returns the loaded
 * model in place of m. */
static sc_model *round_trip(sc_model *m)
{
    char path[128];
    snprintf(path, sizeof path, "%s/model.bin", fz_scratch_dir());
    snapshot before, after;
    take_snapshot(m, &before);
    sc_status status = sc_model_save(m, path, SC_MODEL_CONTENTS_FULL);
    if (status == SC_ERR_STATE && !sc_model_is_initialized(m))
        return m;
    if (status != SC_OK)
        die("sc_model_save of an initialised model failed");
    sc_model *loaded = NULL;
    if (sc_model_load(&loaded, path) != SC_OK)
        die("a saved model does not load");
    take_snapshot(loaded, &after);
    /* The thread count is not saved: the loaded model has the default. */
    int threads = sc_param_index(SC_MODEL_PARAM_THREADS);
    if (after.params[threads] != sc_param_at(threads)->initial)
        die("a loaded model's thread count is not the default");
    after.params[threads] = before.params[threads];
    expect_same(&before, &after);
    sc_model_free(m);
    return loaded;
}

/* One call chosen by b; returns the model (a round trip replaces it). */
static sc_model *one_call(sc_model *m, fz_bytes *b, float *x, float *z,
                          float *out, float *probs, int32_t *labels)
{
    size_t n = sc_model_inputs(m), k = sc_model_units(m);
    size_t classes = classes_of(m);
    size_t batch = fz_range(b, 1, MAX_BATCH);
    snapshot before, after;
    take_snapshot(m, &before);
    sc_status status = SC_OK;
    int is_const = 0;
    switch (fz_u8(b) % 10) {
    case 0: {
        int i = (int)fz_range(b, 0, SC_MODEL_PARAM_COUNT - 1);
        const sc_param_info *info = sc_param_at(i);
        if (info->id == SC_MODEL_PARAM_THREADS)
            return m;   /* one thread, as set up */
        call_name = "sc_model_set";
        status = sc_model_set(m, (sc_model_param)info->id,
                              fz_param_value(b, info));
        break;
    }
    case 1:
        call_name = "sc_model_init_random";
        status = sc_model_init_random(m, fz_u8(b));
        break;
    case 2:
        call_name = "sc_model_init_data";
        fill(b, x, batch * n);
        status = sc_model_init_data(m, x, batch, fz_u8(b));
        break;
    case 3:
        call_name = "sc_model_init_dictionary";
        fill(b, out, n * k);
        status = sc_model_init_dictionary(m, out);
        break;
    case 4: {
        call_name = "sc_model_step";
        fill(b, x, batch * n);
        fill(b, z, batch * k);
        for (size_t i = 0; i < batch; i++)
            labels[i] = (int32_t)fz_range(b, 0, classes + 1) - 1;
        uint8_t which = fz_u8(b);
        sc_model_stats stats = {.size = sizeof stats};
        status = sc_model_step(m, x, which & 1 ? labels : NULL,
                               which & 2 ? z : NULL, batch,
                               which & 4 ? &stats : NULL);
        break;
    }
    case 5:
        call_name = "sc_model_encode";
        is_const = 1;
        fill(b, x, batch * n);
        status = sc_model_encode(m, x, batch, z);
        if (status == SC_OK)
            expect_finite(z, batch * k);
        break;
    case 6:
        call_name = "sc_model_decode";
        is_const = 1;
        fill(b, z, batch * k);
        status = sc_model_decode(m, z, batch, out);
        if (status == SC_OK)
            expect_finite(out, batch * n);
        break;
    case 7:
        call_name = "sc_model_predict";
        is_const = 1;
        fill(b, x, batch * n);
        status = sc_model_predict(m, x, batch, labels, probs);
        if (status == SC_OK) {
            expect_finite(probs, batch * classes);
            for (size_t i = 0; i < batch; i++)
                if (labels[i] < 0 || (size_t)labels[i] >= classes)
                    die("a label out of range");
        }
        break;
    case 8:
        call_name = "save and load";
        if (trace)
            fprintf(stderr, "%s\n", call_name);
        return round_trip(m);
    default: {
        call_name = "sc_model_weights";
        is_const = 1;
        const float *data;
        size_t rows, cols;
        status = sc_model_weights(m, (sc_weight)fz_range(b, 0, 7), &data,
                                  &rows, &cols);
        break;
    }
    }
    if (trace)
        fprintf(stderr, "%s: %s\n", call_name, sc_status_string(status));
    if (status != SC_OK || is_const) {
        take_snapshot(m, &after);
        expect_same(&before, &after);
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    trace = getenv("FUZZ_TRACE") != NULL;
    fz_bytes b = {data, size, 0};
    double values[SC_MODEL_PARAM_COUNT];
    sc_param_defaults(values);
    size_t n, k;
    fz_choose_model(&b, values, &n, &k);
    sc_model *m;
    if (sc_model_create(&m, n, k) != SC_OK)
        abort();
    for (int i = 0; i < SC_MODEL_PARAM_COUNT; i++) {
        const sc_param_info *info = sc_param_at(i);
        if (values[i] != info->initial &&
            sc_model_set(m, (sc_model_param)info->id, values[i]) != SC_OK)
            abort();   /* fz_choose_model keeps within bounds */
    }
    /* Scratch for the largest batch; classes may be set up to 1e5. */
    size_t big = MAX_BATCH * (n > k ? n : k);
    float *x = malloc(MAX_BATCH * n * sizeof *x);
    float *z = malloc(MAX_BATCH * k * sizeof *z);
    float *out = malloc((big > n * k ? big : n * k) * sizeof *out);
    float *probs = malloc(MAX_BATCH * 100000 * sizeof *probs);
    int32_t *labels = malloc(MAX_BATCH * sizeof *labels);
    if (x == NULL || z == NULL || out == NULL || probs == NULL ||
        labels == NULL)
        abort();
    for (int call = 0; call < MAX_CALLS && b.at < b.size; call++)
        m = one_call(m, &b, x, z, out, probs, labels);
    sc_model_free(m);
    free(x);
    free(z);
    free(out);
    free(probs);
    free(labels);
    return 0;
}
