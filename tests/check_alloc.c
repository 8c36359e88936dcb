/* SPDX-License-Identifier: BSD-2-Clause */
/* check_alloc.c -- a warm training step allocates nothing, dense, local or
 * with the LCoD encoder.
 *
 * Every allocation the library makes is counted by alloc_hook.c.  (BLAS's
 * own buffers are not the library's and are not counted.)
 */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>

#include "alloc_hook.h"
#include "sparsecode.h"
#include "testutil.h"

/* Trains at `batch` after warming at `warm`, with every term on; with
 * `local`, a local model (a 4 x 5 image, 3 x 3 windows, 2 x 3 positions
 * of 2 maps), whose operators work in the model's scratch; the encoder
 * LISTA's or (dense only) LCoD's. */
static void check_warm_steps(int optimizer, size_t warm, size_t batch,
                             int local, int encoder)
{
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_ENCODER, encoder},
        {SC_MODEL_PARAM_ITERATIONS, 4},         {SC_MODEL_PARAM_CLASSES, 3},
        {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS},
        {SC_MODEL_PARAM_GROUP_SIZE, 2},         {SC_MODEL_PARAM_CLASS_WEIGHT, 0.5},
        {SC_MODEL_PARAM_GROUP_WEIGHT, 0.1},     {SC_MODEL_PARAM_REGRESSION_WEIGHT, 0.2},
        {SC_MODEL_PARAM_OPTIMIZER, optimizer},  {SC_MODEL_PARAM_LEARNING_RATE, 1e-3},
        /* the local geometry, applied only with `local` */
        {SC_MODEL_PARAM_LOCAL_FIELD, 3},        {SC_MODEL_PARAM_IMAGE_HEIGHT, 4},
        {SC_MODEL_PARAM_IMAGE_WIDTH, 5}};
    size_t count = sizeof settings / sizeof settings[0] - (local ? 0 : 3);
    size_t n = local ? 20 : 10, k = local ? 12 : 8;
    sc_model *m = tu_model(n, k, settings, count, 5);
    tu_data d = tu_data_make(warm, n, k, 3, 9);
    sc_model_stats stats = {.size = sizeof stats};
    ck_assert_int_eq(sc_model_step(m, d.x, d.labels, d.targets, warm, &stats),
                     SC_OK);
    /* No Check call between the counts: Check allocates for itself. */
    sc_status status[5];
    size_t before = tu_allocations();
    for (int i = 0; i < 5; i++)
        status[i] = sc_model_step(m, d.x, d.labels, d.targets, batch, &stats);
    size_t after = tu_allocations();
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(status[i], SC_OK);
    ck_assert_uint_eq(after, before);
    tu_data_free(&d);
    sc_model_free(m);
}

START_TEST(warm_sgd_step_does_not_allocate)
{
    check_warm_steps(SC_OPTIMIZER_SGD, 32, 32, 0, SC_ENCODER_LISTA);
}
END_TEST

START_TEST(warm_adam_step_does_not_allocate)
{
    check_warm_steps(SC_OPTIMIZER_ADAM, 32, 32, 0, SC_ENCODER_LISTA);
}
END_TEST

START_TEST(warm_local_step_does_not_allocate)
{
    check_warm_steps(SC_OPTIMIZER_ADAM, 32, 32, 1, SC_ENCODER_LISTA);
    check_warm_steps(SC_OPTIMIZER_SGD, 32, 9, 1, SC_ENCODER_LISTA);
}
END_TEST

START_TEST(smaller_batch_after_warm_does_not_allocate)
{
    check_warm_steps(SC_OPTIMIZER_ADAM, 32, 7, 0, SC_ENCODER_LISTA);
}
END_TEST

START_TEST(warm_lcod_step_does_not_allocate)
{
    check_warm_steps(SC_OPTIMIZER_ADAM, 32, 32, 0, SC_ENCODER_LCOD);
    check_warm_steps(SC_OPTIMIZER_SGD, 32, 7, 0, SC_ENCODER_LCOD);
}
END_TEST

/* The counter sees the library's allocations: a cold step must show. */
START_TEST(counter_sees_library_allocations)
{
    const tu_setting settings[] = {{SC_MODEL_PARAM_ITERATIONS, 2}};
    sc_model *m = tu_model(6, 4, settings, 1, 1);
    tu_data d = tu_data_make(4, 6, 4, 0, 2);
    size_t before = tu_allocations();
    sc_status status = sc_model_step(m, d.x, NULL, NULL, 4, NULL);
    size_t after = tu_allocations();
    ck_assert_int_eq(status, SC_OK);
    ck_assert_uint_gt(after, before);
    tu_data_free(&d);
    sc_model_free(m);
}
END_TEST

Suite *alloc_suite(void)
{
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("warm_step");
    tcase_add_test(tc, warm_sgd_step_does_not_allocate);
    tcase_add_test(tc, warm_adam_step_does_not_allocate);
    tcase_add_test(tc, smaller_batch_after_warm_does_not_allocate);
    tcase_add_test(tc, warm_local_step_does_not_allocate);
    tcase_add_test(tc, warm_lcod_step_does_not_allocate);
    tcase_add_test(tc, counter_sees_library_allocations);
    suite_add_tcase(s, tc);
    return s;
}
