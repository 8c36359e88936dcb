/* SPDX-License-Identifier: BSD-2-Clause */
/* model.c -- the model handle: create, free, parameters, accessors, and
 * the state that init and load replace as a whole. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "parallel.h"
#include "vector.h"

double sc_model_value(const sc_model *m, sc_model_param id)
{
    return m->values[sc_param_index(id)];
}

/* Without an early exit, so that it vectorises: every caller's data is
 * finite but for a mistake. */
SC_VECTOR_CLONES
static int all_finite(const float *x, size_t count)
{
    int finite = 1;
    for (size_t i = 0; i < count; i++)
        finite &= fabsf(x[i]) <= FLT_MAX;
    return finite;
}

/* A plain function around the clones: a cloned function's dispatcher is
 * exported whatever its visibility (GCC 12), so only static functions
 * are marked. */
int sc_all_finite(const float *x, size_t count)
{
    return all_finite(x, count);
}

sc_status sc_model_create(sc_model **out, size_t n_inputs, size_t n_units)
{
    static const char caller[] = "sc_model_create";
    if (out == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: out is NULL", caller);
    if (n_inputs == 0 || n_units == 0)
        return sc_fail(NULL, SC_ERR_SIZE, "%s: %s is 0", caller,
                       n_inputs == 0 ? "n_inputs" : "n_units");
    if (n_inputs > SC_MAX_DIMENSION || n_units > SC_MAX_DIMENSION ||
        n_inputs * n_units > SC_MAX_ELEMENTS ||
        n_units * n_units > SC_MAX_ELEMENTS)
        return sc_fail(NULL, SC_ERR_SIZE,
                       "%s: %zu inputs x %zu units is too large (at most "
                       "2^24 each and 2^31 weights per matrix)",
                       caller, n_inputs, n_units);
    sc_model *m = calloc(1, sizeof *m);
    if (m == NULL)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    m->n = n_inputs;
    m->k = n_units;
    sc_param_defaults(m->values);
    *out = m;
    return SC_OK;
}

void sc_train_buffers_release(sc_train_buffers *b)
{
    float **slabs[] = {&b->u, &b->a, &b->z, &b->delta, &b->grad_z,
                       &b->grad_u, &b->residual, &b->zhat, &b->grad_zhat,
                       &b->norms, &b->logits, &b->probe};
    for (size_t i = 0; i < sizeof slabs / sizeof slabs[0]; i++) {
        free(*slabs[i]);
        *slabs[i] = NULL;
    }
    free(b->columns);
    b->columns = NULL;
    free(b->trace.pick);
    free(b->trace.value);
    free(b->trace.change);
    b->trace = (sc_lcod_trace){NULL, NULL, NULL};
    free(b->operator);
    b->operator = NULL;
    b->batch = 0;
    b->probe_rows = 0;
    b->probe_scale = 0.0;
}

void sc_model_free(sc_model *model)
{
    if (model == NULL)
        return;
    sc_state_release(&model->state);
    sc_train_buffers_release(&model->train);
    free(model);
}

const char *sc_model_message(const sc_model *model)
{
    return model == NULL ? "" : model->message;
}

size_t sc_model_threads(const sc_model *m)
{
    size_t threads = (size_t)sc_model_value(m, SC_MODEL_PARAM_THREADS);
    return threads == 0 ? sc_parallel_threads() : threads;
}

/* SC_MODEL_PARAM_THREADS at run time: a local model's operators take the
 * new count at their next call (the training buffers' scratch, sized for
 * the old one, is regrown by the next sc_train_buffers_reserve; inference
 * sizes its scratch per call).  A dense model's products run on the
 * BLAS's threads (sc_blas_set_threads), so it has nothing to change.
 * Results do not depend on the count (operator.h). */
static void apply_threads(sc_model *m)
{
    sc_state *s = &m->state;
    if (s->shape.field == 0)
        return;
    s->shape.threads = sc_model_threads(m);
    s->encoder.local.threads = s->shape.threads;
    s->decoder.local.threads = s->shape.threads;
}

sc_status sc_model_set(sc_model *model, sc_model_param param, double value)
{
    static const char caller[] = "sc_model_set";
    if (model == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: model is NULL", caller);
    const sc_param_info *info = sc_param_lookup(param);
    if (info != NULL && info->structural && model->initialized)
        return sc_fail(model->message, SC_ERR_STATE,
                       "%s: %s fixes the model's structure and cannot change "
                       "after init", caller, info->name);
    sc_status s = sc_table_check_set(&sc_model_param_table, (int)param,
                                     value, model->message, caller, &info);
    if (s != SC_OK)
        return s;
    model->values[sc_param_index(param)] = value;
    if (param == SC_MODEL_PARAM_THREADS && model->initialized)
        apply_threads(model);
    return SC_OK;
}

sc_status sc_model_get(const sc_model *model, sc_model_param param,
                       double *value)
{
    return sc_table_get(&sc_model_param_table, model,
                        model ? model->values : NULL, (int)param, value,
                        "sc_model_get");
}

size_t sc_model_inputs(const sc_model *model)
{
    return model == NULL ? 0 : model->n;
}

size_t sc_model_units(const sc_model *model)
{
    return model == NULL ? 0 : model->k;
}

int sc_model_is_initialized(const sc_model *model)
{
    return model != NULL && model->initialized;
}

uint64_t sc_model_steps_taken(const sc_model *model)
{
    return model == NULL ? 0 : model->state.steps;
}

sc_status sc_check_weight(const sc_model *m, sc_weight which,
                          const char *caller)
{
    if (which < SC_WEIGHT_ENCODER || which > SC_WEIGHT_CLASS_BIAS)
        return sc_fail(NULL, SC_ERR_PARAM, "%s: unknown weight %d", caller,
                       (int)which);
    if (!m->initialized)
        return sc_fail(NULL, SC_ERR_STATE, "%s: model is not initialised",
                       caller);
    if ((which == SC_WEIGHT_CLASSIFIER || which == SC_WEIGHT_CLASS_BIAS) &&
        m->state.classes == 0)
        return sc_fail(NULL, SC_ERR_STATE, "%s: the model has no classifier "
                       "(SC_MODEL_PARAM_CLASSES is 0)", caller);
    return SC_OK;
}

sc_status sc_model_weights(const sc_model *model, sc_weight which,
                           const float **data, size_t *rows, size_t *cols)
{
    static const char caller[] = "sc_model_weights";
    if (model == NULL || data == NULL || rows == NULL || cols == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: a pointer argument is NULL",
                       caller);
    sc_status status = sc_check_weight(model, which, caller);
    if (status != SC_OK)
        return status;
    const sc_state *s = &model->state;
    size_t r, c;
    if (s->shape.field > 0 &&
        (which == SC_WEIGHT_ENCODER || which == SC_WEIGHT_DECODER)) {
        /* Local: one filter per unit, over its window only. */
        *data = s->tensor[which - SC_WEIGHT_ENCODER].w;
        *rows = model->k;
        *cols = s->encoder.local.patch;
        return SC_OK;
    }
    switch (which) {
    case SC_WEIGHT_ENCODER:    r = model->k;   c = model->n; break;
    case SC_WEIGHT_LATERAL:    r = model->k;   c = model->k; break;
    case SC_WEIGHT_DECODER:    r = model->n;   c = model->k; break;
    case SC_WEIGHT_CLASSIFIER: r = s->classes; c = model->k; break;
    case SC_WEIGHT_THRESHOLD:  r = model->k;   c = 1;        break;
    default:                   r = s->classes; c = 1;        break;
    }
    *data = s->tensor[which - SC_WEIGHT_ENCODER].w;
    *rows = r;
    *cols = c;
    return SC_OK;
}

/* ---- shape ------------------------------------------------------------ */

sc_status sc_model_shape(sc_model *m, sc_shape *shape, const char *caller)
{
    sc_shape_spec spec = {
        m->n, m->k, (size_t)sc_model_value(m, SC_MODEL_PARAM_CLASSES),
        sc_model_value(m, SC_MODEL_PARAM_ENCODER) == SC_ENCODER_LCOD,
        (size_t)sc_model_value(m, SC_MODEL_PARAM_LOCAL_FIELD),
        (size_t)sc_model_value(m, SC_MODEL_PARAM_IMAGE_CHANNELS),
        (size_t)sc_model_value(m, SC_MODEL_PARAM_IMAGE_HEIGHT),
        (size_t)sc_model_value(m, SC_MODEL_PARAM_IMAGE_WIDTH),
        (size_t)sc_model_value(m, SC_MODEL_PARAM_LOCAL_STRIDE),
        sc_model_threads(m)};
    return sc_shape_compute(&spec, shape, m->message, caller);
}

sc_status sc_model_local_shape(const sc_model *model, size_t *grid_height,
                               size_t *grid_width, size_t *maps)
{
    static const char caller[] = "sc_model_local_shape";
    if (model == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: model is NULL", caller);
    if (!model->initialized)
        return sc_fail(NULL, SC_ERR_STATE, "%s: model is not initialised",
                       caller);
    const sc_shape *shape = &model->state.shape;
    if (shape->field == 0)
        return sc_fail(NULL, SC_ERR_STATE, "%s: the model is dense "
                       "(SC_MODEL_PARAM_LOCAL_FIELD is 0)", caller);
    if (grid_height != NULL)
        *grid_height = shape->grid_rows;
    if (grid_width != NULL)
        *grid_width = shape->grid_cols;
    if (maps != NULL)
        *maps = shape->maps;
    return SC_OK;
}

/* ---- state ------------------------------------------------------------ */

size_t sc_state_operator_scratch(const sc_state *s, size_t batch)
{
    size_t most = 0;
    const sc_operator *ops[] = {&s->encoder, &s->decoder};
    for (size_t i = 0; i < 2; i++) {
        if (ops[i]->kind != SC_OPERATOR_LOCAL)
            continue;
        size_t need = sc_operator_scratch_floats(ops[i], batch);
        if (need == 0)
            return SIZE_MAX;
        if (need > most)
            most = need;
    }
    return most;
}

void sc_state_release(sc_state *s)
{
    sc_operator_release(&s->encoder);
    sc_operator_release(&s->lateral);
    sc_operator_release(&s->decoder);
    sc_operator_release(&s->classifier);
    free(s->threshold);
    free(s->class_bias);
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        free(s->tensor[t].grad);
        free(s->tensor[t].m1);
        free(s->tensor[t].m2);
        free(s->tensor[t].next_m1);
        free(s->tensor[t].next_m2);
    }
    sc_pools_release(&s->pools);
    memset(s, 0, sizeof *s);
}

static int tensor_attach(sc_tensor *t, float *w, size_t count)
{
    t->w = w;
    t->count = count;
    if (count == 0)
        return 0;
    t->grad = calloc(count, sizeof(float));
    t->m1 = calloc(count, sizeof(float));
    t->m2 = calloc(count, sizeof(float));
    t->next_m1 = calloc(count, sizeof(float));
    t->next_m2 = calloc(count, sizeof(float));
    return t->grad != NULL && t->m1 != NULL && t->m2 != NULL &&
                   t->next_m1 != NULL && t->next_m2 != NULL
               ? 0 : -1;
}

/* Where tensor t's weights are owned. */
static float **weights_owner(sc_state *s, int t)
{
    float **owner[SC_TENSOR_COUNT] = {
        &s->encoder.weights, &s->lateral.weights, &s->threshold,
        &s->decoder.weights, &s->classifier.weights, &s->class_bias};
    return owner[t];
}

void sc_state_swap_weights(sc_state *s, int t)
{
    sc_tensor *tensor = &s->tensor[t];
    float **owner = weights_owner(s, t);
    *owner = tensor->grad;
    tensor->grad = tensor->w;
    tensor->w = *owner;
}

/* The encoder and decoder: dense, or local over the shape's geometry, the
 * decoder then being the transpose of a map like the encoder's. */
static int create_operators(sc_state *s, size_t n, size_t k)
{
    const sc_shape *g = &s->shape;
    if (g->field == 0)
        return sc_operator_init_dense(&s->encoder, k, n) |
               sc_operator_init_dense(&s->decoder, n, k);
    int failed = 0;
    for (int i = 0; i < 2; i++) {
        sc_operator *op = i == 0 ? &s->encoder : &s->decoder;
        failed |= sc_operator_init_local(op, g->channels, g->height,
                                         g->width, g->field, g->stride,
                                         g->maps) != 0;
        op->local.threads = g->threads;
    }
    s->decoder.transposed = 1;
    return failed;
}

sc_status sc_state_create(sc_model *m, sc_state *s, const char *caller)
{
    size_t n = m->n, k = m->k;
    size_t classes = (size_t)sc_model_value(m, SC_MODEL_PARAM_CLASSES);
    memset(s, 0, sizeof *s);
    sc_status status = sc_model_shape(m, &s->shape, caller);
    if (status != SC_OK)
        return status;
    /* A local model's topographic pools lie on each position's maps. */
    int local = s->shape.field > 0;
    sc_pool_geometry geometry = {
        (int)sc_model_value(m, SC_MODEL_PARAM_GROUP_LAYOUT),
        (size_t)sc_model_value(m, SC_MODEL_PARAM_GROUP_SIZE),
        (size_t)sc_model_value(m, SC_MODEL_PARAM_TORUS_ROWS),
        (size_t)sc_model_value(m, SC_MODEL_PARAM_TORUS_COLS),
        (size_t)sc_model_value(m, SC_MODEL_PARAM_POOL_SIZE),
        (size_t)sc_model_value(m, SC_MODEL_PARAM_POOL_STRIDE),
        sc_model_value(m, SC_MODEL_PARAM_POOL_SIGMA), "SC_MODEL_PARAM_",
        local ? s->shape.grid_rows : 0, local ? s->shape.grid_cols : 0,
        (size_t)sc_model_value(m, SC_MODEL_PARAM_POOL_POSITIONS)};
    status = sc_pools_build(&s->pools, k, &geometry, m->message, caller);
    if (status != SC_OK) {
        memset(s, 0, sizeof *s);
        return status;
    }
    s->classes = classes;
    int failed = create_operators(s, n, k);
    failed |= sc_operator_init_dense(&s->lateral, k, k);
    failed |= sc_operator_init_dense(&s->classifier, classes, k);
    s->threshold = calloc(k, sizeof(float));
    s->class_bias = calloc(classes > 0 ? classes : 1, sizeof(float));
    failed |= s->threshold == NULL || s->class_bias == NULL;
    for (int t = 0; t < SC_TENSOR_COUNT && !failed; t++)
        failed |= tensor_attach(&s->tensor[t], *weights_owner(s, t),
                                s->shape.counts[t]);
    if (failed) {
        sc_state_release(s);
        return sc_fail(m->message, SC_ERR_NOMEM,
                       "%s: out of memory for a %zu x %zu model", caller, n,
                       k);
    }
    return SC_OK;
}

void sc_model_adopt_state(sc_model *m, sc_state *fresh)
{
    sc_state_release(&m->state);
    m->state = *fresh;
    memset(fresh, 0, sizeof *fresh);
    m->initialized = 1;
    /* The training buffers depend on the class count: start afresh. */
    sc_train_buffers_release(&m->train);
}

sc_status sc_check_batch(const sc_model *m, size_t batch, int training,
                         char *message, const char *caller)
{
    size_t t = (size_t)sc_model_value(m, SC_MODEL_PARAM_ITERATIONS);
    size_t widest = m->n > m->k ? m->n : m->k;
    if (m->state.classes > widest)
        widest = m->state.classes;
    if (batch == 0)
        return sc_fail(message, SC_ERR_SIZE, "%s: batch is 0", caller);
    /* Inference works in chunks, so only the caller's arrays must be
     * addressable; a training step stacks T steps in one sgemm, whose
     * sizes are ints. */
    if (batch > SIZE_MAX / widest / sizeof(float) ||
        (training && (batch > (size_t)INT_MAX / t ||
                      batch > SIZE_MAX / t / widest / sizeof(float))))
        return sc_fail(message, SC_ERR_SIZE,
                       "%s: batch %zu is too large%s", caller, batch,
                       training ? " for one training step" : "");
    return SC_OK;
}

/* Allocates buffers for `batch` samples; with `training`, for
 * back-propagation (every LISTA step's slab, LCoD's trace, the probe),
 * else for a forward pass and the loss values (two code slabs).  SC_OK
 * or SC_ERR_NOMEM with *fresh zeroed. */
static sc_status buffers_create(const sc_model *m, size_t batch,
                                int training, sc_train_buffers *fresh)
{
    size_t n = m->n, k = m->k, classes = m->state.classes;
    size_t t = (size_t)sc_model_value(m, SC_MODEL_PARAM_ITERATIONS);
    int lcod = sc_model_value(m, SC_MODEL_PARAM_ENCODER) == SC_ENCODER_LCOD;
    /* LISTA keeps every step's slab for back-propagation, and a forward
     * pass without history alternates two code slabs; LCoD needs one of
     * each, and a trace of its steps. */
    size_t slabs = lcod ? 1 : training ? t : 1;
    size_t code_slabs = lcod ? 1 : slabs > 2 ? slabs : 2;
    *fresh = (sc_train_buffers){0};
    fresh->batch = batch;
    fresh->threads = m->state.shape.threads;
    fresh->u = malloc(batch * k * sizeof(float));
    fresh->a = malloc(slabs * batch * k * sizeof(float));
    fresh->z = malloc(code_slabs * batch * k * sizeof(float));
    fresh->delta = malloc(slabs * batch * k * sizeof(float));
    int extra_failed = 0;
    if (lcod && training) {
        fresh->trace.pick = malloc(t * batch * sizeof(uint32_t));
        fresh->trace.value = malloc(t * batch * sizeof(float));
        fresh->trace.change = malloc(t * batch * sizeof(float));
        extra_failed = !fresh->trace.pick || !fresh->trace.value ||
                       !fresh->trace.change;
    }
    if (training) {
        fresh->probe = malloc(batch * n * sizeof(float));
        extra_failed |= fresh->probe == NULL;
    }
    fresh->grad_z = malloc(batch * k * sizeof(float));
    fresh->grad_u = malloc(batch * k * sizeof(float));
    fresh->residual = malloc(batch * n * sizeof(float));
    fresh->zhat = malloc(batch * k * sizeof(float));
    fresh->grad_zhat = malloc(batch * k * sizeof(float));
    fresh->norms = malloc(batch * sizeof(float));
    fresh->logits = malloc(batch * (classes > 0 ? classes : 1) * sizeof(float));
    fresh->columns = malloc(k * sizeof(double));
    /* The local operators' scratch; none for a dense model. */
    size_t scratch = sc_state_operator_scratch(&m->state, batch);
    int scratch_failed = scratch == SIZE_MAX ||
                         scratch > SIZE_MAX / sizeof(float);
    if (!scratch_failed && scratch > 0) {
        fresh->operator = malloc(scratch * sizeof(float));
        scratch_failed = fresh->operator == NULL;
    }
    if (!fresh->u || !fresh->a || !fresh->z || !fresh->delta ||
        !fresh->grad_z || !fresh->grad_u || !fresh->residual ||
        !fresh->zhat || !fresh->grad_zhat || !fresh->norms ||
        !fresh->logits || !fresh->columns || scratch_failed ||
        extra_failed) {
        sc_train_buffers_release(fresh);
        return SC_ERR_NOMEM;
    }
    return SC_OK;
}

sc_status sc_train_buffers_reserve(sc_model *m, size_t batch)
{
    sc_train_buffers *b = &m->train;
    /* Regrown for a larger batch, or for another thread count (the
     * operators' scratch is sized by it: SC_MODEL_PARAM_THREADS). */
    if (batch <= b->batch && b->threads == m->state.shape.threads)
        return SC_OK;
    sc_train_buffers fresh;
    if (buffers_create(m, batch > b->batch ? batch : b->batch, 1, &fresh) !=
        SC_OK)
        return SC_ERR_NOMEM;
    /* The last compute's batch, for the check of the next apply. */
    if (b->probe_rows > 0) {
        memcpy(fresh.probe, b->probe, b->probe_rows * m->n * sizeof(float));
        fresh.probe_rows = b->probe_rows;
        fresh.probe_scale = b->probe_scale;
    }
    sc_train_buffers_release(b);
    *b = fresh;
    return SC_OK;
}

sc_status sc_model_clone(sc_model **out, const sc_model *model)
{
    static const char caller[] = "sc_model_clone";
    if (out == NULL || model == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       out == NULL ? "out" : "model");
    sc_model *copy;
    sc_status status = sc_model_create(&copy, model->n, model->k);
    if (status != SC_OK)
        return status;
    memcpy(copy->values, model->values, sizeof copy->values);
    if (model->initialized) {
        /* The same parameters give the same shape, pools and operators;
         * then the trainable arrays, their moments and the step count. */
        sc_state s;
        status = sc_state_create(copy, &s, caller);
        if (status != SC_OK) {
            sc_model_free(copy);
            return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
        }
        for (int t = 0; t < SC_TENSOR_COUNT; t++) {
            const sc_tensor *from = &model->state.tensor[t];
            sc_tensor *to = &s.tensor[t];
            if (from->count == 0)
                continue;
            memcpy(to->w, from->w, from->count * sizeof(float));
            memcpy(to->m1, from->m1, from->count * sizeof(float));
            memcpy(to->m2, from->m2, from->count * sizeof(float));
        }
        s.steps = model->state.steps;
        sc_model_adopt_state(copy, &s);
    }
    *out = copy;
    return SC_OK;
}

sc_status sc_forward_buffers_create(const sc_model *m, size_t batch,
                                    sc_train_buffers *b)
{
    return buffers_create(m, batch, 0, b);
}
