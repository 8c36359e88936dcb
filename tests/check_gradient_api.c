/* SPDX-License-Identifier: BSD-2-Clause */
/* check_gradient_api.c -- the gradient interface: sc_model_gradient_size,
 * _block, _compute and _apply.
 *
 *   - sc_model_step is compute + apply bit for bit: twin models, one
 *     stepped and one computed and applied, have the same weights and
 *     optimiser moments (memcmp) after every one of several steps, for
 *     dense LISTA (with a classifier and groups), LCoD, and a local model,
 *     with SGD and Adam;
 *   - the blocks lie end to end in the order W_e, S, theta, W_d, C, c,
 *     each as long as sc_model_weights' array;
 *   - the mean of two half batches' buffers applied as two buffers makes
 *     the full batch's step, within float rounding;
 *   - apply refuses NaN and Inf and leaves the model as it was;
 *   - every bad argument's status.
 * The buffer against finite differences of the loss is in
 * check_gradient.c, which checks every case through it. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "sparsecode.h"
#include "testutil.h"

enum { N = 12, K_DENSE = 9, SAMPLES = 40, BATCH = 8, CLASSES = 3 };

/* The configurations: _i of the loop tests. */
typedef struct {
    const char *name;
    size_t n, k;
    tu_setting settings[12];
    size_t count;
} config;

static const config configs[] = {
    {"lista, classifier, groups, SGD", N, K_DENSE,
     {{SC_MODEL_PARAM_ITERATIONS, 4}, {SC_MODEL_PARAM_CLASSES, CLASSES},
      {SC_MODEL_PARAM_CLASS_WEIGHT, 0.5}, {SC_MODEL_PARAM_GROUP_LAYOUT, 1},
      {SC_MODEL_PARAM_GROUP_SIZE, 3}, {SC_MODEL_PARAM_GROUP_WEIGHT, 0.1},
      {SC_MODEL_PARAM_REGRESSION_WEIGHT, 0.2},
      {SC_MODEL_PARAM_LEARNING_RATE, 0.02}}, 8},
    {"lista soft, classifier, Adam", N, K_DENSE,
     {{SC_MODEL_PARAM_ITERATIONS, 3}, {SC_MODEL_PARAM_SHRINK, SC_SHRINK_SOFT},
      {SC_MODEL_PARAM_CLASSES, CLASSES}, {SC_MODEL_PARAM_CLASS_WEIGHT, 1},
      {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM},
      {SC_MODEL_PARAM_LEARNING_RATE, 0.005},
      {SC_MODEL_PARAM_ENCODER_MAX_NORM, 0.5}}, 7},
    {"lcod, classifier, groups, SGD", N, K_DENSE,
     {{SC_MODEL_PARAM_ENCODER, SC_ENCODER_LCOD}, {SC_MODEL_PARAM_ITERATIONS, 5},
      {SC_MODEL_PARAM_CLASSES, CLASSES}, {SC_MODEL_PARAM_CLASS_WEIGHT, 0.5},
      {SC_MODEL_PARAM_GROUP_LAYOUT, 1}, {SC_MODEL_PARAM_GROUP_SIZE, 3},
      {SC_MODEL_PARAM_GROUP_WEIGHT, 0.1}, {SC_MODEL_PARAM_LEARNING_RATE, 0.02}},
     8},
    {"lcod, Adam", N, K_DENSE,
     {{SC_MODEL_PARAM_ENCODER, SC_ENCODER_LCOD}, {SC_MODEL_PARAM_ITERATIONS, 4},
      {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM},
      {SC_MODEL_PARAM_LEARNING_RATE, 0.005}}, 4},
    /* A 1 x 3 x 4 image, 2 x 2 windows: 6 positions x 8 maps. */
    {"local, classifier, topographic pools, Adam", N, 48,
     {{SC_MODEL_PARAM_LOCAL_FIELD, 2}, {SC_MODEL_PARAM_IMAGE_HEIGHT, 3},
      {SC_MODEL_PARAM_IMAGE_WIDTH, 4}, {SC_MODEL_PARAM_ITERATIONS, 3},
      {SC_MODEL_PARAM_CLASSES, CLASSES}, {SC_MODEL_PARAM_CLASS_WEIGHT, 0.5},
      {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC},
      {SC_MODEL_PARAM_TORUS_ROWS, 2}, {SC_MODEL_PARAM_TORUS_COLS, 4},
      {SC_MODEL_PARAM_POOL_SIZE, 2}, {SC_MODEL_PARAM_GROUP_WEIGHT, 0.1},
      {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM}}, 12},
    {"local, SGD, 2 threads", N, 48,
     {{SC_MODEL_PARAM_LOCAL_FIELD, 2}, {SC_MODEL_PARAM_IMAGE_HEIGHT, 3},
      {SC_MODEL_PARAM_IMAGE_WIDTH, 4}, {SC_MODEL_PARAM_ITERATIONS, 2},
      {SC_MODEL_PARAM_THREADS, 2}, {SC_MODEL_PARAM_LEARNING_RATE, 0.05}}, 6},
};
#define CONFIG_COUNT ((int)(sizeof configs / sizeof configs[0]))

static sc_model *make(const config *c, uint64_t seed)
{
    return tu_model(c->n, c->k, c->settings, c->count, seed);
}

/* Every trained array and its optimiser moments, bit for bit. */
static void assert_same_state(const sc_model *a, const sc_model *b,
                              const char *name, int step)
{
    TU_ASSERT_SAME_MODEL(a, b);
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        const sc_tensor *x = &a->state.tensor[t], *y = &b->state.tensor[t];
        ck_assert_uint_eq(x->count, y->count);
        if (x->count == 0)      /* an absent classifier */
            continue;
        size_t bytes = x->count * sizeof(float);
        ck_assert_msg(memcmp(x->w, y->w, bytes) == 0 &&
                          memcmp(x->m1, y->m1, bytes) == 0 &&
                          memcmp(x->m2, y->m2, bytes) == 0,
                      "%s, step %d: array %d differs", name, step, t);
    }
}

START_TEST(step_is_compute_then_apply)
{
    const config *c = &configs[_i];
    sc_model *stepped = make(c, 21), *split = make(c, 21);
    tu_data d = tu_data_make(SAMPLES, c->n, c->k, CLASSES, 22);
    size_t size = sc_model_gradient_size(split);
    ck_assert_uint_gt(size, 0);
    float *gradient = malloc(size * sizeof(float));
    for (int s = 0; s < 6; s++) {
        size_t batch = BATCH - (size_t)(s % 3);
        size_t at = (size_t)s * 5 % (SAMPLES - BATCH);
        const float *x = d.x + at * c->n, *targets = d.targets + at * c->k;
        const int32_t *labels = d.labels + at;
        sc_model_stats a = {.size = sizeof a}, b = {.size = sizeof b};
        ck_assert_int_eq(sc_model_step(stepped, x, labels, targets, batch, &a),
                         SC_OK);
        ck_assert_int_eq(sc_model_gradient_compute(split, x, labels, targets,
                                                   batch, gradient, &b),
                         SC_OK);
        ck_assert_int_eq(sc_model_gradient_apply(split, gradient, 1), SC_OK);
        ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "%s: stats differ",
                      c->name);
        assert_same_state(stepped, split, c->name, s);
    }
    ck_assert_uint_eq(sc_model_steps_taken(split), 6);
    free(gradient);
    sc_model_free(stepped);
    sc_model_free(split);
    tu_data_free(&d);
}
END_TEST

START_TEST(blocks_lie_end_to_end)
{
    const config *c = &configs[_i];
    sc_model *m = make(c, 3);
    double classes;
    ck_assert_int_eq(sc_model_get(m, SC_MODEL_PARAM_CLASSES, &classes), SC_OK);
    size_t expected_offset = 0;
    for (sc_weight w = SC_WEIGHT_ENCODER; w <= SC_WEIGHT_CLASS_BIAS; w++) {
        size_t offset = 7, count = 7, rows, cols;
        const float *data;
        int present = classes > 0 || (w != SC_WEIGHT_CLASSIFIER &&
                                      w != SC_WEIGHT_CLASS_BIAS);
        sc_status s = sc_model_gradient_block(m, w, &offset, &count);
        if (!present) {
            ck_assert_int_eq(s, SC_ERR_STATE);
            TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_gradient_block");
            ck_assert_uint_eq(offset, 7);
            continue;
        }
        ck_assert_int_eq(s, SC_OK);
        ck_assert_int_eq(sc_model_weights(m, w, &data, &rows, &cols), SC_OK);
        ck_assert_uint_eq(offset, expected_offset);
        ck_assert_uint_eq(count, rows * cols);
        expected_offset += count;
    }
    ck_assert_uint_eq(sc_model_gradient_size(m), expected_offset);
    sc_model_free(m);
}
END_TEST

START_TEST(blocks_hold_their_arrays_gradients)
{
    /* An SGD step without momentum moves each array by -lr * scale *
     * block: the block at each offset is that array's gradient. */
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_ITERATIONS, 3}, {SC_MODEL_PARAM_CLASSES, CLASSES},
        {SC_MODEL_PARAM_CLASS_WEIGHT, 1}, {SC_MODEL_PARAM_MOMENTUM, 0},
        {SC_MODEL_PARAM_LEARNING_RATE, 0.01},
        {SC_MODEL_PARAM_REPEAT_SCALING, 0}};
    sc_model *m = tu_model(N, K_DENSE, settings, 6, 4);
    /* No projection after the step (set after init, which scales the
     * decoder's columns to the bound). */
    tu_set(m, SC_MODEL_PARAM_DECODER_MAX_NORM, 1e6);
    tu_set(m, SC_MODEL_PARAM_CLASSIFIER_MAX_NORM, 1e6);
    tu_data d = tu_data_make(SAMPLES, N, K_DENSE, CLASSES, 5);
    size_t size = sc_model_gradient_size(m);
    float *gradient = malloc(size * sizeof(float));
    ck_assert_int_eq(sc_model_gradient_compute(m, d.x, d.labels, NULL, BATCH,
                                               gradient, NULL), SC_OK);
    tu_snapshot before;
    tu_snapshot_take(m, &before);
    ck_assert_int_eq(sc_model_gradient_apply(m, gradient, 1), SC_OK);
    for (sc_weight w = SC_WEIGHT_ENCODER; w <= SC_WEIGHT_CLASS_BIAS; w++) {
        size_t offset, count, rows, cols;
        const float *now;
        ck_assert_int_eq(sc_model_gradient_block(m, w, &offset, &count), SC_OK);
        ck_assert_int_eq(sc_model_weights(m, w, &now, &rows, &cols), SC_OK);
        const float *was = before.weights[w - SC_WEIGHT_ENCODER];
        double largest = 0.0;
        for (size_t i = 0; i < count; i++) {
            double moved = (double)now[i] - was[i];
            double expected = -0.01 * gradient[offset + i];
            ck_assert_msg(fabs(moved - expected) <= 1e-6 + 1e-4 * fabs(expected),
                          "weight %d [%zu]: moved %g, -lr g = %g", (int)w, i,
                          moved, expected);
            largest = fmax(largest, fabs(expected));
        }
        ck_assert_msg(largest > 1e-5, "weight %d: no gradient", (int)w);
    }
    tu_snapshot_free(&before);
    free(gradient);
    sc_model_free(m);
    tu_data_free(&d);
}
END_TEST

START_TEST(half_batches_sum_to_the_full_step)
{
    /* Two workers' buffers of 8 samples each, summed and applied as 2
     * buffers, against one step of the 16: the same mean gradient, summed
     * in another order (the BLAS's, over 8 rows twice instead of 16, then
     * one float addition and a division by 2).  Gradients here are of
     * order 1 and sums of a few hundred products, so they agree to about
     * 1e-6; an SGD step of rate 0.05 moves a weight by 0.05 g, so the
     * weights must agree to well within 1e-5 (relative to max(1, |w|)),
     * while the step moves some of them by more than 1e-3. */
    const config *c = &configs[_i];
    sc_model *full = make(c, 8), *parts = make(c, 8);
    tu_set(full, SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_SGD);
    tu_set(parts, SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_SGD);
    tu_set(full, SC_MODEL_PARAM_LEARNING_RATE, 0.05);
    tu_set(parts, SC_MODEL_PARAM_LEARNING_RATE, 0.05);
    tu_data d = tu_data_make(SAMPLES, c->n, c->k, CLASSES, 9);
    size_t size = sc_model_gradient_size(parts);
    float *a = malloc(size * sizeof(float)), *b = malloc(size * sizeof(float));
    tu_snapshot start;
    tu_snapshot_take(full, &start);
    for (int s = 0; s < 3; s++) {
        const size_t half = 8, at = (size_t)s * 7;
        ck_assert_int_eq(sc_model_step(full, d.x + at * c->n, d.labels + at,
                                       d.targets + at * c->k, 2 * half, NULL),
                         SC_OK);
        ck_assert_int_eq(sc_model_gradient_compute(
                             parts, d.x + at * c->n, d.labels + at,
                             d.targets + at * c->k, half, a, NULL), SC_OK);
        ck_assert_int_eq(sc_model_gradient_compute(
                             parts, d.x + (at + half) * c->n,
                             d.labels + at + half,
                             d.targets + (at + half) * c->k, half, b, NULL),
                         SC_OK);
        for (size_t i = 0; i < size; i++)
            a[i] += b[i];
        ck_assert_int_eq(sc_model_gradient_apply(parts, a, 2), SC_OK);
    }
    double moved = 0.0;
    for (sc_weight w = SC_WEIGHT_ENCODER; w <= SC_WEIGHT_DECODER; w++) {
        const float *x, *y;
        size_t rows, cols;
        ck_assert_int_eq(sc_model_weights(full, w, &x, &rows, &cols), SC_OK);
        ck_assert_int_eq(sc_model_weights(parts, w, &y, &rows, &cols), SC_OK);
        TU_ASSERT_CLOSE(y, x, rows * cols, 1e-5);
        const float *was = start.weights[w - SC_WEIGHT_ENCODER];
        for (size_t i = 0; i < rows * cols; i++)
            moved = fmax(moved, fabs((double)x[i] - was[i]));
    }
    ck_assert_msg(moved > 1e-3, "%s: the steps moved nothing (%g)", c->name,
                  moved);
    tu_snapshot_free(&start);
    free(a);
    free(b);
    sc_model_free(full);
    sc_model_free(parts);
    tu_data_free(&d);
}
END_TEST

START_TEST(apply_refuses_nonfinite)
{
    const config *c = &configs[_i];
    sc_model *m = make(c, 30), *twin = make(c, 30);
    tu_data d = tu_data_make(SAMPLES, c->n, c->k, CLASSES, 31);
    size_t size = sc_model_gradient_size(m);
    float *gradient = malloc(size * sizeof(float));
    float *bad = malloc(size * sizeof(float));
    /* A step first, so that the optimiser has moments to keep. */
    tu_train(m, &d, BATCH, 0, 1, NULL);
    tu_train(twin, &d, BATCH, 0, 1, NULL);
    ck_assert_int_eq(sc_model_gradient_compute(m, d.x, d.labels, d.targets,
                                               BATCH, gradient, NULL), SC_OK);
    const float values[] = {NAN, INFINITY, -INFINITY};
    const size_t where[] = {0, size / 2, size - 1};
    for (size_t v = 0; v < 3; v++)
        for (size_t w = 0; w < 3; w++) {
            memcpy(bad, gradient, size * sizeof(float));
            bad[where[w]] = values[v];
            tu_snapshot before;
            tu_snapshot_take(m, &before);
            ck_assert_int_eq(sc_model_gradient_apply(m, bad, 1),
                             SC_ERR_NONFINITE);
            TU_ASSERT_UNCHANGED(m, &before);
            tu_snapshot_free(&before);
            TU_ASSERT_CONTAINS(sc_model_message(m), "sc_model_gradient_apply");
        }
    /* The clean buffer then makes exactly the twin's step: no moment was
     * touched by the refusals. */
    ck_assert_int_eq(sc_model_gradient_apply(m, gradient, 1), SC_OK);
    tu_train(twin, &d, BATCH, 0, 1, NULL);
    assert_same_state(m, twin, c->name, 1);
    free(gradient);
    free(bad);
    sc_model_free(m);
    sc_model_free(twin);
    tu_data_free(&d);
}
END_TEST

START_TEST(bad_arguments)
{
    const config *c = &configs[0];
    sc_model *m = make(c, 40), *fresh = make(c, TU_NO_INIT);
    tu_data d = tu_data_make(SAMPLES, c->n, c->k, CLASSES, 41);
    size_t size = sc_model_gradient_size(m), offset = 5, count = 5;
    float *gradient = calloc(size, sizeof(float));

    /* size and block */
    ck_assert_uint_eq(sc_model_gradient_size(NULL), 0);
    ck_assert_uint_eq(sc_model_gradient_size(fresh), 0);
    ck_assert_int_eq(sc_model_gradient_block(NULL, SC_WEIGHT_ENCODER, &offset,
                                             &count), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_gradient_block(m, SC_WEIGHT_ENCODER, NULL,
                                             &count), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_gradient_block(m, SC_WEIGHT_ENCODER, &offset,
                                             NULL), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_gradient_block(m, (sc_weight)0, &offset,
                                             &count), SC_ERR_PARAM);
    ck_assert_int_eq(sc_model_gradient_block(m, (sc_weight)99, &offset,
                                             &count), SC_ERR_PARAM);
    ck_assert_int_eq(sc_model_gradient_block(fresh, SC_WEIGHT_ENCODER,
                                             &offset, &count), SC_ERR_STATE);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_gradient_block");
    ck_assert_uint_eq(offset, 5);
    ck_assert_uint_eq(count, 5);

    /* compute: as sc_model_step, and the buffer */
    tu_snapshot before;
    tu_snapshot_take(m, &before);
    ck_assert_int_eq(sc_model_gradient_compute(NULL, d.x, d.labels, d.targets,
                                               BATCH, gradient, NULL),
                     SC_ERR_NULL);
    ck_assert_int_eq(sc_model_gradient_compute(m, d.x, d.labels, d.targets,
                                               BATCH,
                                               NULL, NULL), SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_model_message(m), "sc_model_gradient_compute");
    ck_assert_int_eq(sc_model_gradient_compute(m, NULL, d.labels, d.targets,
                                               BATCH,
                                               gradient, NULL), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_gradient_compute(m, d.x, NULL, d.targets, BATCH,
                                               gradient, NULL), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_gradient_compute(m, d.x, d.labels, d.targets, 0,
                                               gradient, NULL), SC_ERR_SIZE);
    ck_assert_int_eq(sc_model_gradient_compute(fresh, d.x, d.labels, d.targets,
                                               BATCH, gradient, NULL),
                     SC_ERR_STATE);
    float x[BATCH * N];
    memcpy(x, d.x, sizeof x);
    x[3] = NAN;
    ck_assert_int_eq(sc_model_gradient_compute(m, x, d.labels, d.targets, BATCH,
                                               gradient, NULL),
                     SC_ERR_NONFINITE);
    int32_t labels[BATCH];
    memcpy(labels, d.labels, sizeof labels);
    labels[1] = CLASSES;
    ck_assert_int_eq(sc_model_gradient_compute(m, d.x, labels, d.targets, BATCH,
                                               gradient, NULL), SC_ERR_RANGE);
    sc_model_stats small = {.size = 1};
    ck_assert_int_eq(sc_model_gradient_compute(m, d.x, d.labels, d.targets,
                                               BATCH,
                                               gradient, &small),
                     SC_ERR_SIZE);
    TU_ASSERT_CONTAINS(sc_model_message(m), "sc_model_gradient_compute");
    TU_ASSERT_UNCHANGED(m, &before);

    /* apply */
    ck_assert_int_eq(sc_model_gradient_apply(NULL, gradient, 1), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_gradient_apply(m, NULL, 1), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_gradient_apply(m, gradient, 0), SC_ERR_SIZE);
    TU_ASSERT_CONTAINS(sc_model_message(m), "sc_model_gradient_apply");
    ck_assert_int_eq(sc_model_gradient_apply(fresh, gradient, 1),
                     SC_ERR_STATE);
    TU_ASSERT_CONTAINS(sc_model_message(fresh), "not initialised");
    TU_ASSERT_UNCHANGED(m, &before);
    tu_snapshot_free(&before);
    free(gradient);
    sc_model_free(m);
    sc_model_free(fresh);
    tu_data_free(&d);
}
END_TEST

START_TEST(apply_without_compute)
{
    /* A model that computed nothing (a worker that only applies the sum
     * it receives) applies a buffer like its twin that computed it. */
    const config *c = &configs[_i];
    sc_model *worker = make(c, 50), *receiver = make(c, 50);
    tu_data d = tu_data_make(SAMPLES, c->n, c->k, CLASSES, 51);
    size_t size = sc_model_gradient_size(worker);
    float *gradient = malloc(size * sizeof(float));
    ck_assert_int_eq(sc_model_gradient_compute(worker, d.x, d.labels,
                                               d.targets, BATCH, gradient,
                                               NULL), SC_OK);
    ck_assert_int_eq(sc_model_gradient_apply(worker, gradient, 1), SC_OK);
    ck_assert_int_eq(sc_model_gradient_apply(receiver, gradient, 1), SC_OK);
    assert_same_state(worker, receiver, c->name, 0);
    free(gradient);
    sc_model_free(worker);
    sc_model_free(receiver);
    tu_data_free(&d);
}
END_TEST

Suite *gradient_api_suite(void)
{
    Suite *s = suite_create("gradient_api");
    TCase *t = tcase_create("gradient_api");
    tcase_set_timeout(t, 60);
    tcase_add_loop_test(t, step_is_compute_then_apply, 0, CONFIG_COUNT);
    tcase_add_loop_test(t, blocks_lie_end_to_end, 0, CONFIG_COUNT);
    tcase_add_test(t, blocks_hold_their_arrays_gradients);
    tcase_add_loop_test(t, half_batches_sum_to_the_full_step, 0,
                        CONFIG_COUNT);
    tcase_add_loop_test(t, apply_refuses_nonfinite, 0, CONFIG_COUNT);
    tcase_add_test(t, bad_arguments);
    tcase_add_loop_test(t, apply_without_compute, 0, CONFIG_COUNT);
    suite_add_tcase(s, t);
    return s;
}
