/* SPDX-License-Identifier: BSD-2-Clause */
/* check_step.c -- sc_model_step on bad input (every failure leaves the
 * model exactly as it was, including the optimiser state that only shows
 * in later steps) and its basic behaviour: the step count, the statistics,
 * the step sizes, and that training lowers the loss; with the LISTA and
 * the LCoD encoder.  Gradient correctness is check_gradient.c's. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

#define N_IN 8
#define N_UNITS 12
#define CLASSES 3
#define BATCH 6
#define SAMPLES 48

/* Two identical models (m and twin) with a classifier, each trained two
 * steps so that the optimiser state is not zero, and their data.  which:
 * bit 0 the optimiser, bit 1 the encoder (LISTA, LCoD). */
typedef struct {
    sc_model *m, *twin;
    tu_data d;
} pair;

static pair make_pair(int which)
{
    const tu_setting settings[] = {{SC_MODEL_PARAM_ITERATIONS, 3},
                                   {SC_MODEL_PARAM_CLASSES, CLASSES},
                                   {SC_MODEL_PARAM_OPTIMIZER, which & 1},
                                   {SC_MODEL_PARAM_LEARNING_RATE, 0.01},
                                   {SC_MODEL_PARAM_ENCODER, which >> 1}};
    pair p = {tu_model(N_IN, N_UNITS, settings, 5, 9),
              tu_model(N_IN, N_UNITS, settings, 5, 9),
              tu_data_make(SAMPLES, N_IN, N_UNITS, CLASSES, 10)};
    tu_train(p.m, &p.d, BATCH, 0, 2, NULL);
    tu_train(p.twin, &p.d, BATCH, 0, 2, NULL);
    return p;
}

static void free_pair(pair *p)
{
    sc_model_free(p->m);
    sc_model_free(p->twin);
    tu_data_free(&p->d);
}

static void set_both(pair *p, sc_model_param id, double value)
{
    tu_set(p->m, id, value);
    tu_set(p->twin, id, value);
}

static sc_model_stats sentinel_stats(void)
{
    sc_model_stats s;
    memset(&s, 0xA5, sizeof s);
    s.size = sizeof s;
    return s;
}

/* Asserts that a step on p->m with these arguments fails with `expected`,
 * changes nothing visible, leaves the stats untouched and a message naming
 * sc_model_step. */
static void expect_step_refused(pair *p, const float *x,
                                const int32_t *labels, const float *targets,
                                size_t batch, sc_status expected)
{
    tu_snapshot before;
    tu_snapshot_take(p->m, &before);
    sc_model_stats stats = sentinel_stats(), pristine = stats;
    sc_status s = sc_model_step(p->m, x, labels, targets, batch, &stats);
    char said[512];
    snprintf(said, sizeof said, "%s", sc_last_message());
    ck_assert_msg(s == expected, "step gave %s, expected %s (%s)",
                  sc_status_string(s), sc_status_string(expected), said);
    ck_assert_msg(memcmp(&stats, &pristine, sizeof stats) == 0,
                  "stats written by a failed step");
    TU_ASSERT_UNCHANGED(p->m, &before);
    tu_snapshot_free(&before);
    TU_ASSERT_CONTAINS(said, "sc_model_step");
    ck_assert_str_eq(sc_model_message(p->m), said);
}

/* One good step on m and on its twin (which never saw m's failures) gives
 * the same bits: no hidden optimiser state was touched either. */
static void assert_twins_train_alike(pair *p)
{
    tu_train(p->m, &p->d, BATCH, 5, 1, NULL);
    tu_train(p->twin, &p->d, BATCH, 5, 1, NULL);
    TU_ASSERT_SAME_MODEL(p->m, p->twin);
}

/* Both of the above. */
static void expect_step_fails(pair *p, const float *x, const int32_t *labels,
                              const float *targets, size_t batch,
                              sc_status expected)
{
    expect_step_refused(p, x, labels, targets, batch, expected);
    assert_twins_train_alike(p);
}

/* ---- errors ------------------------------------------------------------ */

START_TEST(step_before_init)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    float x[BATCH * N_IN];
    tu_fill(x, BATCH * N_IN, 1, -1, 1);
    sc_model_stats stats = sentinel_stats(), pristine = stats;
    tu_snapshot before;
    tu_snapshot_take(m, &before);
    ck_assert_int_eq(sc_model_step(m, x, NULL, NULL, BATCH, &stats),
                     SC_ERR_STATE);
    TU_ASSERT_UNCHANGED(m, &before);
    tu_snapshot_free(&before);
    ck_assert(memcmp(&stats, &pristine, sizeof stats) == 0);
    TU_ASSERT_CONTAINS(sc_model_message(m), "sc_model_step");
    sc_model_free(m);
}
END_TEST

START_TEST(step_null_arguments)
{
    pair p = make_pair(_i);
    ck_assert_int_eq(sc_model_step(NULL, p.d.x, NULL, NULL, BATCH, NULL),
                     SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_step");
    expect_step_fails(&p, NULL, NULL, NULL, BATCH, SC_ERR_NULL);
    /* Labels needed once the class weight is > 0. */
    set_both(&p, SC_MODEL_PARAM_CLASS_WEIGHT, 0.5);
    expect_step_fails(&p, p.d.x, NULL, p.d.targets, BATCH, SC_ERR_NULL);
    set_both(&p, SC_MODEL_PARAM_CLASS_WEIGHT, 0);
    /* Targets needed once the regression weight is > 0. */
    set_both(&p, SC_MODEL_PARAM_REGRESSION_WEIGHT, 0.5);
    expect_step_fails(&p, p.d.x, p.d.labels, NULL, BATCH, SC_ERR_NULL);
    free_pair(&p);
}
END_TEST

START_TEST(step_batch_zero)
{
    pair p = make_pair(_i);
    expect_step_fails(&p, p.d.x, p.d.labels, p.d.targets, 0, SC_ERR_SIZE);
    free_pair(&p);
}
END_TEST

START_TEST(step_batch_overflow)
{
    pair p = make_pair(_i);
    expect_step_fails(&p, p.d.x, p.d.labels, p.d.targets, SIZE_MAX,
                      SC_ERR_SIZE);
    expect_step_fails(&p, p.d.x, p.d.labels, p.d.targets,
                      SIZE_MAX / N_UNITS + 1, SC_ERR_SIZE);
    free_pair(&p);
}
END_TEST

START_TEST(step_labels_out_of_range)
{
    pair p = make_pair(_i);
    set_both(&p, SC_MODEL_PARAM_CLASS_WEIGHT, 1);
    const int32_t bad[] = {-1, CLASSES, CLASSES + 1, INT32_MAX, INT32_MIN};
    const size_t where[] = {0, BATCH - 1};
    int32_t labels[BATCH];
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++)
        for (size_t w = 0; w < 2; w++) {
            memcpy(labels, p.d.labels, sizeof labels);
            labels[where[w]] = bad[b];
            expect_step_fails(&p, p.d.x, labels, p.d.targets, BATCH,
                              SC_ERR_RANGE);
        }
    free_pair(&p);
}
END_TEST

START_TEST(step_class_weight_without_classifier)
{
    sc_model *m = tu_model(N_IN, N_UNITS,
                           (tu_setting[]){{SC_MODEL_PARAM_ITERATIONS, 3}}, 1, 4);
    tu_data d = tu_data_make(SAMPLES, N_IN, N_UNITS, 2, 5);
    tu_set(m, SC_MODEL_PARAM_CLASS_WEIGHT, 1);
    tu_snapshot before;
    tu_snapshot_take(m, &before);
    for (int32_t i = 0; i < BATCH; i++)
        d.labels[i] = 0;
    ck_assert_int_eq(sc_model_step(m, d.x, d.labels, NULL, BATCH, NULL),
                     SC_ERR_STATE);
    TU_ASSERT_UNCHANGED(m, &before);
    tu_snapshot_free(&before);
    TU_ASSERT_CONTAINS(sc_model_message(m), "sc_model_step");
    /* Switching the term off makes the same step legal. */
    tu_set(m, SC_MODEL_PARAM_CLASS_WEIGHT, 0);
    ck_assert_int_eq(sc_model_step(m, d.x, d.labels, NULL, BATCH, NULL),
                     SC_OK);
    sc_model_free(m);
    tu_data_free(&d);
}
END_TEST

START_TEST(step_nonfinite_input)
{
    pair p = make_pair(_i);
    set_both(&p, SC_MODEL_PARAM_REGRESSION_WEIGHT, 0.5);
    const float bad[] = {NAN, INFINITY, -INFINITY};
    float x[BATCH * N_IN], t[BATCH * N_UNITS];
    for (size_t b = 0; b < 3; b++) {
        const size_t wx[] = {0, BATCH * N_IN - 1};
        const size_t wt[] = {0, BATCH * N_UNITS - 1};
        for (size_t w = 0; w < 2; w++) {
            memcpy(x, p.d.x, sizeof x);
            x[wx[w]] = bad[b];
            expect_step_fails(&p, x, p.d.labels, p.d.targets, BATCH,
                              SC_ERR_NONFINITE);
            memcpy(t, p.d.targets, sizeof t);
            t[wt[w]] = bad[b];
            expect_step_fails(&p, p.d.x, p.d.labels, t, BATCH,
                              SC_ERR_NONFINITE);
        }
    }
    free_pair(&p);
}
END_TEST

START_TEST(step_that_overflows_is_undone)
{
    /* Finite inputs whose step overflows float: the step is refused and
     * rolled back.  (At the largest learning rate, inputs of 1e18 still
     * give a finite SGD step here: W_e reaches about 2e38; 1e19 does not.) */
    pair p = make_pair(_i);
    const struct {
        double learning_rate;
        float scale;
    } cases[] = {{1e3, 1e19f}, {1e3, 1e20f}, {0.01, 1e30f}, {0.01, FLT_MAX}};
    float x[BATCH * N_IN];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double lr;
        ck_assert_int_eq(sc_model_get(p.m, SC_MODEL_PARAM_LEARNING_RATE, &lr),
                         SC_OK);
        set_both(&p, SC_MODEL_PARAM_LEARNING_RATE, cases[c].learning_rate);
        for (size_t i = 0; i < BATCH * N_IN; i++)
            x[i] = p.d.x[i] >= 0 ? cases[c].scale : -cases[c].scale;
        uint64_t steps = sc_model_steps_taken(p.m);
        expect_step_refused(&p, x, p.d.labels, p.d.targets, BATCH,
                            SC_ERR_NONFINITE);
        ck_assert_uint_eq(sc_model_steps_taken(p.m), steps);
        set_both(&p, SC_MODEL_PARAM_LEARNING_RATE, lr);
        assert_twins_train_alike(&p);
    }
    free_pair(&p);
}
END_TEST

START_TEST(step_stats_size)
{
    pair p = make_pair(_i);
    const size_t bad[] = {0, 1, sizeof(size_t),
                          offsetof(sc_model_stats, loss) + sizeof(double) - 1};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        tu_snapshot before;
        tu_snapshot_take(p.m, &before);
        sc_model_stats stats = sentinel_stats();
        stats.size = bad[b];
        sc_model_stats pristine = stats;
        ck_assert_int_eq(sc_model_step(p.m, p.d.x, p.d.labels, p.d.targets,
                                       BATCH, &stats), SC_ERR_SIZE);
        ck_assert(memcmp(&stats, &pristine, sizeof stats) == 0);
        TU_ASSERT_UNCHANGED(p.m, &before);
        tu_snapshot_free(&before);
    }
    free_pair(&p);
}
END_TEST

START_TEST(step_stats_versioned_by_size)
{
    /* The smallest struct holds size and loss: only those are written. */
    pair p = make_pair(_i);
    sc_model_stats full = {.size = sizeof full};
    sc_model_stats small = sentinel_stats(), pristine;
    small.size = offsetof(sc_model_stats, loss) + sizeof(double);
    pristine = small;
    ck_assert_int_eq(sc_model_step(p.m, p.d.x, NULL, NULL, BATCH, &small),
                     SC_OK);
    ck_assert_int_eq(sc_model_step(p.twin, p.d.x, NULL, NULL, BATCH, &full),
                     SC_OK);
    ck_assert(small.loss == full.loss);
    ck_assert_uint_eq(small.size, pristine.size);
    ck_assert(memcmp((char *)&small + offsetof(sc_model_stats, recon),
                     (char *)&pristine + offsetof(sc_model_stats, recon),
                     sizeof small - offsetof(sc_model_stats, recon)) == 0);
    TU_ASSERT_SAME_MODEL(p.m, p.twin);

    /* A newer caller's larger struct: the bytes past ours are untouched. */
    struct {
        sc_model_stats stats;
        unsigned char future[32];
    } big;
    memset(&big, 0x5A, sizeof big);
    big.stats.size = sizeof big;
    ck_assert_int_eq(sc_model_step(p.m, p.d.x, NULL, NULL, BATCH,
                                   &big.stats), SC_OK);
    for (size_t i = 0; i < sizeof big.future; i++)
        ck_assert_uint_eq(big.future[i], 0x5A);
    ck_assert(isfinite(big.stats.loss) && isfinite(big.stats.recon));
    free_pair(&p);
}
END_TEST

/* ---- a good step ------------------------------------------------------- */

START_TEST(good_step_counts_and_reports)
{
    /* recon + L1 only (the defaults): stats.recon, l1 and active_fraction
     * are batch means taken before the update, so they can be recomputed
     * from encode and decode. */
    pair p = make_pair(_i);
    const float *x = p.d.x;
    float z[BATCH * N_UNITS], xhat[BATCH * N_IN];
    ck_assert_int_eq(sc_model_encode(p.m, x, BATCH, z), SC_OK);
    ck_assert_int_eq(sc_model_decode(p.m, z, BATCH, xhat), SC_OK);
    double recon = 0.0, l1 = 0.0, active = 0.0;
    for (size_t i = 0; i < BATCH * N_IN; i++)
        recon += 0.5 * ((double)x[i] - xhat[i]) * ((double)x[i] - xhat[i]);
    for (size_t i = 0; i < BATCH * N_UNITS; i++) {
        l1 += fabs((double)z[i]);
        active += z[i] != 0.0f;
    }
    recon /= BATCH;
    l1 /= BATCH;
    active /= BATCH * N_UNITS;

    uint64_t steps = sc_model_steps_taken(p.m);
    sc_model_stats st = {.size = sizeof st};
    ck_assert_int_eq(sc_model_step(p.m, x, NULL, NULL, BATCH, &st), SC_OK);
    ck_assert_uint_eq(sc_model_steps_taken(p.m), steps + 1);
    ck_assert_msg(fabs(st.recon - recon) <= 1e-4 * (1 + recon),
                  "recon %g vs %g", st.recon, recon);
    ck_assert_msg(fabs(st.l1 - l1) <= 1e-4 * (1 + l1), "l1 %g vs %g", st.l1,
                  l1);
    ck_assert_msg(fabs(st.active_fraction - active) <= 1e-9,
                  "active %g vs %g", st.active_fraction, active);
    /* loss = 1 * recon + 0.1 * l1; the other terms are off. */
    ck_assert_msg(fabs(st.loss - (st.recon + 0.1 * st.l1)) <=
                      1e-6 * (1 + st.loss), "loss %g", st.loss);
    ck_assert(st.group == 0.0 && st.classification == 0.0 &&
              st.regression == 0.0 && st.class_error == 0.0);

    /* The step changed the weights; stats may be NULL. */
    tu_snapshot before;
    tu_snapshot_take(p.m, &before);
    ck_assert_int_eq(sc_model_step(p.m, x, NULL, NULL, BATCH, NULL), SC_OK);
    ck_assert_uint_eq(sc_model_steps_taken(p.m), steps + 2);
    tu_snapshot after;
    tu_snapshot_take(p.m, &after);
    ck_assert_ptr_nonnull(tu_snapshot_diff(&before, &after));
    tu_snapshot_free(&before);
    tu_snapshot_free(&after);
    free_pair(&p);
}
END_TEST

START_TEST(good_step_every_term)
{
    /* Every term on: each statistic is finite and in its range, and the
     * loss is the weighted sum.  _i: bit 0 the shrink, bit 1 the encoder. */
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_ENCODER, _i >> 1},
        {SC_MODEL_PARAM_ITERATIONS, 3}, {SC_MODEL_PARAM_SHRINK, _i & 1},
        {SC_MODEL_PARAM_CLASSES, CLASSES}, {SC_MODEL_PARAM_GROUP_LAYOUT, 1},
        {SC_MODEL_PARAM_GROUP_SIZE, 3}, {SC_MODEL_PARAM_RECON_WEIGHT, 0.7},
        {SC_MODEL_PARAM_L1_WEIGHT, 0.2}, {SC_MODEL_PARAM_GROUP_WEIGHT, 0.3},
        {SC_MODEL_PARAM_CLASS_WEIGHT, 1.5}, {SC_MODEL_PARAM_REGRESSION_WEIGHT, 0.4}};
    sc_model *m = tu_model(N_IN, N_UNITS, settings, 11, 6);
    tu_data d = tu_data_make(SAMPLES, N_IN, N_UNITS, CLASSES, 7);
    for (int s = 0; s < 5; s++) {
        sc_model_stats st = {.size = sizeof st};
        ck_assert_int_eq(sc_model_step(m, d.x, d.labels, d.targets, BATCH,
                                       &st), SC_OK);
        const double v[] = {st.loss, st.recon, st.l1, st.group,
                            st.classification, st.regression,
                            st.active_fraction, st.class_error};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            ck_assert_msg(isfinite(v[i]) && v[i] >= 0, "stat %zu = %g", i,
                          v[i]);
        ck_assert(st.recon > 0 && st.classification > 0 && st.regression > 0);
        ck_assert(st.active_fraction <= 1 && st.class_error <= 1);
        double sum = 0.7 * st.recon + 0.2 * st.l1 + 0.3 * st.group +
                     1.5 * st.classification + 0.4 * st.regression;
        ck_assert_msg(fabs(st.loss - sum) <= 1e-6 * (1 + sum),
                      "loss %g, weighted sum %g", st.loss, sum);
    }
    ck_assert_uint_eq(sc_model_steps_taken(m), 5);
    sc_model_free(m);
    tu_data_free(&d);
}
END_TEST

static double row_norm(const float *a, size_t cols, size_t r)
{
    double s = 0.0;
    for (size_t j = 0; j < cols; j++)
        s += (double)a[r * cols + j] * a[r * cols + j];
    return sqrt(s);
}

START_TEST(steps_keep_the_constraints)
{
    /* After every step: W_d columns within the decoder bound, C rows within
     * the classifier bound, W_e rows within the encoder bound, theta >= 0
     * for the soft shrink.  Large steps
     * and tight bounds, so that the projections have work to do.  _i: bit
     * 0 the optimiser, bit 1 the encoder. */
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_ITERATIONS, 3}, {SC_MODEL_PARAM_SHRINK, SC_SHRINK_SOFT},
        {SC_MODEL_PARAM_CLASSES, CLASSES}, {SC_MODEL_PARAM_CLASS_WEIGHT, 1},
        {SC_MODEL_PARAM_OPTIMIZER, _i & 1}, {SC_MODEL_PARAM_LEARNING_RATE, 0.5},
        {SC_MODEL_PARAM_DECODER_MAX_NORM, 0.5},
        {SC_MODEL_PARAM_CLASSIFIER_MAX_NORM, 0.3},
        {SC_MODEL_PARAM_ENCODER_MAX_NORM, 0.2}, {SC_MODEL_PARAM_ENCODER, _i >> 1}};
    sc_model *m = tu_model(N_IN, N_UNITS, settings, 10, 8);
    tu_data d = tu_data_make(SAMPLES, N_IN, N_UNITS, CLASSES, 9);
    double widest_row = 0.0, widest_encoder_row = 0.0;
    for (size_t s = 0; s < 20; s++) {
        tu_train(m, &d, BATCH, s, 1, NULL);
        const float *w;
        size_t rows, cols;
        ck_assert_int_eq(sc_model_weights(m, SC_WEIGHT_DECODER, &w, &rows,
                                          &cols), SC_OK);
        for (size_t j = 0; j < cols; j++) {
            double c = 0.0;
            for (size_t i = 0; i < rows; i++)
                c += (double)w[i * cols + j] * w[i * cols + j];
            ck_assert_msg(sqrt(c) <= 0.5 * (1 + 1e-5),
                          "step %zu: W_d column %zu norm %g", s, j, sqrt(c));
        }
        ck_assert_int_eq(sc_model_weights(m, SC_WEIGHT_CLASSIFIER, &w, &rows,
                                          &cols), SC_OK);
        for (size_t r = 0; r < rows; r++) {
            double norm = row_norm(w, cols, r);
            ck_assert_msg(norm <= 0.3 * (1 + 1e-5),
                          "step %zu: C row %zu norm %g", s, r, norm);
            widest_row = norm > widest_row ? norm : widest_row;
        }
        ck_assert_int_eq(sc_model_weights(m, SC_WEIGHT_ENCODER, &w, &rows,
                                          &cols), SC_OK);
        for (size_t r = 0; r < rows; r++) {
            double norm = row_norm(w, cols, r);
            ck_assert_msg(norm <= 0.2 * (1 + 1e-5),
                          "step %zu: W_e row %zu norm %g", s, r, norm);
            widest_encoder_row = norm > widest_encoder_row
                                     ? norm : widest_encoder_row;
        }
        ck_assert_int_eq(sc_model_weights(m, SC_WEIGHT_THRESHOLD, &w, &rows,
                                          &cols), SC_OK);
        for (size_t i = 0; i < rows; i++)
            ck_assert_msg(w[i] >= 0.0f, "step %zu: theta[%zu] = %g", s, i,
                          (double)w[i]);
    }
    ck_assert_msg(widest_row >= 0.3 * 0.99,
                  "the classifier bound never bound (%g)", widest_row);
    ck_assert_msg(widest_encoder_row >= 0.2 * 0.99,
                  "the encoder bound never bound (%g)", widest_encoder_row);
    sc_model_free(m);
    tu_data_free(&d);
}
END_TEST

/* The change that one SGD step without momentum makes to weight
 * `which` of a fresh model built with `settings` (the same model, data
 * and batch every call), into delta (rows * cols floats).  The batch of 5
 * has unequal class counts, so that the class bias's first gradient is
 * not 0. */
static void one_step_change(const tu_setting *settings, size_t count,
                            sc_weight which, float *delta, size_t size)
{
    sc_model *m = tu_model(N_IN, N_UNITS, settings, count, 12);
    tu_data d = tu_data_make(SAMPLES, N_IN, N_UNITS, CLASSES, 13);
    const float *w;
    size_t rows, cols;
    ck_assert_int_eq(sc_model_weights(m, which, &w, &rows, &cols), SC_OK);
    ck_assert_uint_eq(rows * cols, size);
    memcpy(delta, w, size * sizeof(float));
    tu_train(m, &d, 5, 0, 1, NULL);
    ck_assert_int_eq(sc_model_weights(m, which, &w, &rows, &cols), SC_OK);
    for (size_t i = 0; i < size; i++)
        delta[i] = w[i] - delta[i];
    sc_model_free(m);
    tu_data_free(&d);
}

/* Asserts b = factor * a element by element, within float rounding of
 * the weights' differences (values of order 1: 1e-6 absolute), and that
 * the change is not zero. */
static void assert_scaled(const float *a, const float *b, size_t size,
                          double factor, const char *what)
{
    double largest = 0.0;
    for (size_t i = 0; i < size; i++) {
        ck_assert_msg(fabs(b[i] - factor * a[i]) <= 1e-6 + 1e-5 * fabs(b[i]),
                      "%s[%zu]: %g, expected %g x %g", what, i, (double)b[i],
                      factor, (double)a[i]);
        largest = fabs(a[i]) > largest ? fabs(a[i]) : largest;
    }
    ck_assert_msg(largest > 1e-4, "%s did not change: the test says "
                  "nothing", what);
}

START_TEST(classifier_rate_scale)
{
    /* SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE 0.2 (DrSAE's) makes SGD's first step
     * of C and c 0.2 times as large and leaves the decoder's alone. */
    enum { C_SIZE = CLASSES * N_UNITS, D_SIZE = N_IN * N_UNITS };
    float c1[C_SIZE], c2[C_SIZE], b1[CLASSES], b2[CLASSES], d1[D_SIZE],
        d2[D_SIZE];
    for (int scaled = 0; scaled < 2; scaled++) {
        const tu_setting settings[] = {
            {SC_MODEL_PARAM_ITERATIONS, 3}, {SC_MODEL_PARAM_CLASSES, CLASSES},
            {SC_MODEL_PARAM_CLASS_WEIGHT, 1}, {SC_MODEL_PARAM_MOMENTUM, 0},
            {SC_MODEL_PARAM_LEARNING_RATE, 0.1},
            {SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE, scaled ? 0.2 : 1.0}};
        one_step_change(settings, 6, SC_WEIGHT_CLASSIFIER,
                        scaled ? c2 : c1, C_SIZE);
        one_step_change(settings, 6, SC_WEIGHT_CLASS_BIAS, scaled ? b2 : b1,
                        CLASSES);
        one_step_change(settings, 6, SC_WEIGHT_DECODER, scaled ? d2 : d1,
                        D_SIZE);
    }
    assert_scaled(c1, c2, C_SIZE, 0.2, "C");
    assert_scaled(b1, b2, CLASSES, 0.2, "c");
    assert_scaled(d1, d2, D_SIZE, 1.0, "W_d");
}
END_TEST

START_TEST(repeat_scaling_off)
{
    /* SC_MODEL_PARAM_REPEAT_SCALING 0 drops (O3): SGD's first step of W_e is T
     * times as large, and S's T - 1 times, than with the default.  The
     * first step's gradient is the same, since the weights are. */
    enum { T = 4, E_SIZE = N_UNITS * N_IN, S_SIZE = N_UNITS * N_UNITS };
    float e1[E_SIZE], e2[E_SIZE], s1[S_SIZE], s2[S_SIZE];
    for (int off = 0; off < 2; off++) {
        const tu_setting settings[] = {
            {SC_MODEL_PARAM_ITERATIONS, T}, {SC_MODEL_PARAM_MOMENTUM, 0},
            {SC_MODEL_PARAM_LEARNING_RATE, 0.05},
            {SC_MODEL_PARAM_REPEAT_SCALING, off ? 0 : 1}};
        one_step_change(settings, 4, SC_WEIGHT_ENCODER, off ? e2 : e1,
                        E_SIZE);
        one_step_change(settings, 4, SC_WEIGHT_LATERAL, off ? s2 : s1,
                        S_SIZE);
    }
    assert_scaled(e1, e2, E_SIZE, T, "W_e");
    assert_scaled(s1, s2, S_SIZE, T - 1, "S");
}
END_TEST

START_TEST(repeat_scaling_lcod)
{
    /* LCoD's repeat counts (O3): W_e 1, S T, theta T + 1.  With
     * SC_MODEL_PARAM_REPEAT_SCALING 0, SGD's first step of W_e is as large as
     * with the default, S's T times and theta's T + 1 times (relu: theta
     * is not clipped). */
    enum { T = 4, E_SIZE = N_UNITS * N_IN, S_SIZE = N_UNITS * N_UNITS };
    float e1[E_SIZE], e2[E_SIZE], s1[S_SIZE], s2[S_SIZE], t1[N_UNITS],
        t2[N_UNITS];
    for (int off = 0; off < 2; off++) {
        const tu_setting settings[] = {
            {SC_MODEL_PARAM_ENCODER, SC_ENCODER_LCOD}, {SC_MODEL_PARAM_ITERATIONS, T},
            {SC_MODEL_PARAM_MOMENTUM, 0}, {SC_MODEL_PARAM_LEARNING_RATE, 0.05},
            {SC_MODEL_PARAM_REPEAT_SCALING, off ? 0 : 1}};
        one_step_change(settings, 5, SC_WEIGHT_ENCODER, off ? e2 : e1,
                        E_SIZE);
        one_step_change(settings, 5, SC_WEIGHT_LATERAL, off ? s2 : s1,
                        S_SIZE);
        one_step_change(settings, 5, SC_WEIGHT_THRESHOLD, off ? t2 : t1,
                        N_UNITS);
    }
    assert_scaled(e1, e2, E_SIZE, 1, "W_e");
    assert_scaled(s1, s2, S_SIZE, T, "S");
    assert_scaled(t1, t2, N_UNITS, T + 1, "theta");
}
END_TEST

/* _i: bit 0 the shrink, bit 1 the optimiser, bit 2 the encoder. */
START_TEST(training_lowers_the_loss)
{
    int shrink = _i & 1, optimizer = (_i >> 1) & 1, encoder = _i >> 2;
    enum { N = 16, K = 24, COUNT = 64, STEPS = 200, B = 16 };
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_ITERATIONS, 3}, {SC_MODEL_PARAM_SHRINK, shrink},
        {SC_MODEL_PARAM_OPTIMIZER, optimizer},
        {SC_MODEL_PARAM_LEARNING_RATE, optimizer == SC_OPTIMIZER_ADAM ? 0.002 : 0.05},
        {SC_MODEL_PARAM_L1_WEIGHT, 0.05}, {SC_MODEL_PARAM_ENCODER, encoder}};
    sc_model *m = tu_model(N, K, settings, 6, 31);
    tu_data d = tu_data_make(COUNT, N, K, 0, 32);
    double losses[STEPS];
    tu_train(m, &d, B, 0, STEPS, losses);
    double last = 0.0;
    for (int i = STEPS - 10; i < STEPS; i++)
        last += losses[i] / 10;
    /* The margin: the last ten steps' mean loss at most 60 % of the
     * first step's (0.26 to 0.44 with OpenBLAS, over learning rates 0.4x
     * to 2x these). */
    ck_assert_msg(last <= 0.6 * losses[0],
                  "shrink %d optimiser %d encoder %d: first loss %g, last "
                  "mean %g", shrink, optimizer, encoder, losses[0], last);
    sc_model_free(m);
    tu_data_free(&d);
}
END_TEST

Suite *step_suite(void)
{
    Suite *s = suite_create("step");

    /* Loop index: bit 0 the optimiser (0 SGD, 1 Adam), bit 1 the encoder
     * (0 LISTA, 1 LCoD). */
    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, step_before_init);
    tcase_add_loop_test(errors, step_null_arguments, 0, 4);
    tcase_add_loop_test(errors, step_batch_zero, 0, 4);
    tcase_add_loop_test(errors, step_batch_overflow, 0, 4);
    tcase_add_loop_test(errors, step_labels_out_of_range, 0, 4);
    tcase_add_test(errors, step_class_weight_without_classifier);
    tcase_add_loop_test(errors, step_nonfinite_input, 0, 4);
    tcase_add_loop_test(errors, step_that_overflows_is_undone, 0, 4);
    tcase_add_loop_test(errors, step_stats_size, 0, 4);
    suite_add_tcase(s, errors);

    TCase *good = tcase_create("good");
    tcase_add_loop_test(good, step_stats_versioned_by_size, 0, 4);
    tcase_add_loop_test(good, good_step_counts_and_reports, 0, 4);
    tcase_add_loop_test(good, good_step_every_term, 0, 4);
    tcase_add_loop_test(good, steps_keep_the_constraints, 0, 4);
    tcase_add_test(good, classifier_rate_scale);
    tcase_add_test(good, repeat_scaling_off);
    tcase_add_test(good, repeat_scaling_lcod);
    tcase_add_loop_test(good, training_lowers_the_loss, 0, 8);
    suite_add_tcase(s, good);
    return s;
}
