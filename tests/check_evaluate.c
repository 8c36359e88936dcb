/* SPDX-License-Identifier: BSD-2-Clause */
/* check_evaluate.c -- sc_model_evaluate (the step's statistics without the
 * step) and sc_model_local_shape. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sparsecode.h"
#include "testutil.h"

enum { N = 12, K = 9, SAMPLES = 600, BATCH = 10, CLASSES = 3 };

/* Every loss term on; _i: bit 0 the shrink, bit 1 the encoder, bit 2 a
 * local model (LISTA only: 6 positions x 8 maps over a 3 x 4 image). */
static sc_model *make(int i, uint64_t seed, size_t *k)
{
    int local = (i >> 2) & 1;
    *k = local ? 48 : K;
    tu_setting settings[16] = {
        {SC_MODEL_PARAM_ITERATIONS, 3}, {SC_MODEL_PARAM_SHRINK, i & 1},
        {SC_MODEL_PARAM_ENCODER, local ? 0 : (i >> 1) & 1},
        {SC_MODEL_PARAM_CLASSES, CLASSES}, {SC_MODEL_PARAM_CLASS_WEIGHT, 0.7},
        {SC_MODEL_PARAM_GROUP_LAYOUT, 1}, {SC_MODEL_PARAM_GROUP_SIZE, 3},
        {SC_MODEL_PARAM_GROUP_WEIGHT, 0.2},
        {SC_MODEL_PARAM_REGRESSION_WEIGHT, 0.3},
        {SC_MODEL_PARAM_L1_WEIGHT, 0.15}};
    size_t count = 10;
    if (local) {
        settings[count++] = (tu_setting){SC_MODEL_PARAM_LOCAL_FIELD, 2};
        settings[count++] = (tu_setting){SC_MODEL_PARAM_IMAGE_HEIGHT, 3};
        settings[count++] = (tu_setting){SC_MODEL_PARAM_IMAGE_WIDTH, 4};
    }
    return tu_model(N, *k, settings, count, seed);
}

START_TEST(evaluate_is_the_steps_statistics)
{
    /* The stats a step reports are taken before its update: evaluate on
     * a twin gives the same bits (the same forward pass and loss code, a
     * batch within one piece), and changes nothing. */
    size_t k;
    sc_model *a = make(_i, 3, &k), *b = make(_i, 3, &k);
    tu_data d = tu_data_make(SAMPLES, N, k, CLASSES, 4);
    for (int s = 0; s < 4; s++) {
        const size_t at = (size_t)s * BATCH;
        sc_model_stats e = {.size = sizeof e}, t = {.size = sizeof t};
        tu_snapshot before;
        tu_snapshot_take(a, &before);
        ck_assert_int_eq(sc_model_evaluate(a, d.x + at * N, d.labels + at,
                                           d.targets + at * k, BATCH, &e),
                         SC_OK);
        TU_ASSERT_UNCHANGED(a, &before);
        tu_snapshot_free(&before);
        ck_assert_int_eq(sc_model_step(b, d.x + at * N, d.labels + at,
                                       d.targets + at * k, BATCH, &t), SC_OK);
        ck_assert_msg(memcmp(&e, &t, sizeof e) == 0,
                      "step %d: evaluate loss %.9g recon %.9g class %.9g, "
                      "step %.9g %.9g %.9g", s, e.loss, e.recon,
                      e.classification, t.loss, t.recon, t.classification);
        ck_assert(e.classification > 0 && e.group > 0 && e.regression > 0);
        /* Keep a and b twins for the next batch. */
        ck_assert_int_eq(sc_model_step(a, d.x + at * N, d.labels + at,
                                       d.targets + at * k, BATCH, NULL),
                         SC_OK);
    }
    sc_model_free(a);
    sc_model_free(b);
    tu_data_free(&d);
}
END_TEST

START_TEST(evaluate_long_batch)
{
    /* 600 samples run in pieces of 256: the weighted mean of the pieces'
     * means, against a step's one pass.  Both sum the same terms in
     * another order, in double over float products: they agree to float
     * rounding of the codes (1e-6 relative), far inside 1e-5. */
    size_t k;
    sc_model *a = make(_i, 5, &k), *b = make(_i, 5, &k);
    tu_data d = tu_data_make(SAMPLES, N, k, CLASSES, 6);
    sc_model_stats e = {.size = sizeof e}, t = {.size = sizeof t};
    ck_assert_int_eq(sc_model_evaluate(a, d.x, d.labels, d.targets, SAMPLES,
                                       &e), SC_OK);
    ck_assert_int_eq(sc_model_step(b, d.x, d.labels, d.targets, SAMPLES, &t),
                     SC_OK);
    const double ev[] = {e.loss, e.recon, e.l1, e.group, e.classification,
                         e.regression, e.active_fraction, e.class_error};
    const double tv[] = {t.loss, t.recon, t.l1, t.group, t.classification,
                         t.regression, t.active_fraction, t.class_error};
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++)
        ck_assert_msg(fabs(ev[i] - tv[i]) <= 1e-5 * fmax(1.0, fabs(tv[i])),
                      "figure %zu: %.9g vs %.9g", i, ev[i], tv[i]);
    sc_model_free(a);
    sc_model_free(b);
    tu_data_free(&d);
}
END_TEST

START_TEST(evaluate_without_labels)
{
    /* No labels: the classification figures read 0 and the loss leaves
     * the term out. */
    size_t k;
    sc_model *m = make(0, 7, &k);
    tu_data d = tu_data_make(SAMPLES, N, k, CLASSES, 8);
    sc_model_stats with = {.size = sizeof with};
    sc_model_stats without = {.size = sizeof without};
    ck_assert_int_eq(sc_model_evaluate(m, d.x, d.labels, d.targets, BATCH,
                                       &with), SC_OK);
    ck_assert_int_eq(sc_model_evaluate(m, d.x, NULL, d.targets, BATCH,
                                       &without), SC_OK);
    ck_assert(without.classification == 0.0 && without.class_error == 0.0);
    ck_assert(with.classification > 0.0);
    ck_assert(with.recon == without.recon && with.l1 == without.l1 &&
              with.group == without.group);
    ck_assert_msg(fabs(without.loss - (with.loss - 0.7 * with.classification))
                      <= 1e-12 * with.loss, "%g vs %g", without.loss,
                  with.loss);
    sc_model_free(m);
    tu_data_free(&d);
}
END_TEST

/* Asserts that evaluate fails with `expected`, names itself and writes
 * nothing into the stats. */
static void expect_refused(const sc_model *m, const float *x,
                           const int32_t *labels, const float *targets,
                           size_t batch, sc_model_stats *stats,
                           sc_status expected)
{
    sc_model_stats pristine;
    if (stats != NULL)
        memcpy(&pristine, stats, sizeof pristine);
    sc_status s = sc_model_evaluate(m, x, labels, targets, batch, stats);
    ck_assert_msg(s == expected, "gave %s, expected %s (%s)",
                  sc_status_string(s), sc_status_string(expected),
                  sc_last_message());
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_evaluate");
    if (stats != NULL)
        ck_assert(memcmp(stats, &pristine, sizeof pristine) == 0);
}

START_TEST(evaluate_bad_inputs)
{
    size_t k;
    sc_model *m = make(0, 9, &k);
    sc_model *fresh = tu_model(N, K, NULL, 0, TU_NO_INIT);
    sc_model *plain = tu_model(N, K, NULL, 0, 10);   /* no classifier */
    tu_data d = tu_data_make(SAMPLES, N, k, CLASSES, 11);
    sc_model_stats st;
    memset(&st, 0x5A, sizeof st);
    st.size = sizeof st;
    expect_refused(NULL, d.x, d.labels, d.targets, BATCH, &st, SC_ERR_NULL);
    expect_refused(m, d.x, d.labels, d.targets, BATCH, NULL, SC_ERR_NULL);
    expect_refused(m, NULL, d.labels, d.targets, BATCH, &st, SC_ERR_NULL);
    expect_refused(m, d.x, d.labels, NULL, BATCH, &st, SC_ERR_NULL);
    expect_refused(fresh, d.x, NULL, NULL, BATCH, &st, SC_ERR_STATE);
    expect_refused(m, d.x, d.labels, d.targets, 0, &st, SC_ERR_SIZE);
    expect_refused(m, d.x, d.labels, d.targets, SIZE_MAX, &st, SC_ERR_SIZE);
    tu_set(plain, SC_MODEL_PARAM_CLASS_WEIGHT, 1);
    expect_refused(plain, d.x, d.labels, NULL, BATCH, &st, SC_ERR_STATE);
    int32_t labels[BATCH];
    memcpy(labels, d.labels, sizeof labels);
    labels[BATCH - 1] = -1;
    expect_refused(m, d.x, labels, d.targets, BATCH, &st, SC_ERR_RANGE);
    float x[BATCH * N], t[BATCH * 48];
    memcpy(x, d.x, sizeof x);
    x[0] = INFINITY;
    expect_refused(m, x, d.labels, d.targets, BATCH, &st, SC_ERR_NONFINITE);
    memcpy(t, d.targets, BATCH * k * sizeof(float));
    t[5] = NAN;
    expect_refused(m, d.x, d.labels, t, BATCH, &st, SC_ERR_NONFINITE);
    /* Finite inputs whose losses overflow. */
    for (size_t i = 0; i < BATCH * N; i++)
        x[i] = d.x[i] >= 0 ? 3e38f : -3e38f;
    expect_refused(m, x, d.labels, d.targets, BATCH, &st, SC_ERR_NONFINITE);
    sc_model_stats small = {.size = sizeof(size_t)};
    expect_refused(m, d.x, d.labels, d.targets, BATCH, &small, SC_ERR_SIZE);
    sc_model_free(m);
    sc_model_free(fresh);
    sc_model_free(plain);
    tu_data_free(&d);
}
END_TEST

START_TEST(local_shape)
{
    /* A 2 x 9 x 11 image, 3 x 3 windows at stride 2: a 4 x 5 grid. */
    size_t k = 0;
    ck_assert_int_eq(sc_model_local_units(2, 9, 11, 3, 2, 6, &k), SC_OK);
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_LOCAL_FIELD, 3}, {SC_MODEL_PARAM_LOCAL_STRIDE, 2},
        {SC_MODEL_PARAM_IMAGE_CHANNELS, 2}, {SC_MODEL_PARAM_IMAGE_HEIGHT, 9},
        {SC_MODEL_PARAM_IMAGE_WIDTH, 11}, {SC_MODEL_PARAM_ITERATIONS, 2}};
    sc_model *m = tu_model(2 * 9 * 11, k, settings, 6, TU_NO_INIT);
    size_t rows = 77, cols = 77, maps = 77;
    ck_assert_int_eq(sc_model_local_shape(m, &rows, &cols, &maps),
                     SC_ERR_STATE);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_local_shape");
    ck_assert(rows == 77 && cols == 77 && maps == 77);
    ck_assert_int_eq(sc_model_init_random(m, 1), SC_OK);
    ck_assert_int_eq(sc_model_local_shape(m, &rows, &cols, &maps), SC_OK);
    ck_assert_uint_eq(rows, 4);
    ck_assert_uint_eq(cols, 5);
    ck_assert_uint_eq(maps, 6);
    ck_assert_uint_eq(rows * cols * maps, k);
    /* Any output may be NULL. */
    size_t only = 0;
    ck_assert_int_eq(sc_model_local_shape(m, NULL, &only, NULL), SC_OK);
    ck_assert_uint_eq(only, 5);
    ck_assert_int_eq(sc_model_local_shape(NULL, &rows, &cols, &maps),
                     SC_ERR_NULL);
    sc_model *dense = tu_model(N, K, NULL, 0, 1);
    ck_assert_int_eq(sc_model_local_shape(dense, &rows, &cols, &maps),
                     SC_ERR_STATE);
    TU_ASSERT_CONTAINS(sc_last_message(), "dense");
    sc_model_free(m);
    sc_model_free(dense);
}
END_TEST

Suite *evaluate_suite(void)
{
    Suite *s = suite_create("evaluate");
    TCase *t = tcase_create("evaluate");
    /* _i: 0-3 dense (shrink, encoder), 4-5 local LISTA (shrink). */
    tcase_add_loop_test(t, evaluate_is_the_steps_statistics, 0, 6);
    tcase_add_loop_test(t, evaluate_long_batch, 0, 6);
    tcase_add_test(t, evaluate_without_labels);
    tcase_add_test(t, evaluate_bad_inputs);
    tcase_add_test(t, local_shape);
    suite_add_tcase(s, t);
    return s;
}
