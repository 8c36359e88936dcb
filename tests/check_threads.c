/* SPDX-License-Identifier: BSD-2-Clause */
/* check_threads.c -- threads as run-time settings: SC_MODEL_PARAM_THREADS
 * may change at any time, for local and dense models, without changing a
 * bit of any result; sc_blas_set_threads / sc_blas_threads drive
 * OpenBLAS's pool and refuse with the reference BLAS. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sparsecode.h"
#include "testutil.h"

/* A local model: a 1 x 24 x 24 image, 8 x 8 windows at stride 4 (5 x 5
 * positions), 16 maps: products of 2 x 200 x 400 x 64 = 10 MFLOP at batch
 * 200, above the 4 and 8 MFLOP from which the operators start their
 * threads (operator_local.c). */
enum { SIDE = 24, FIELD = 8, STRIDE = 4, MAPS = 16, N = SIDE * SIDE,
       K = 25 * MAPS, SAMPLES = 400, BATCH = 200 };

static sc_model *local_model(double threads)
{
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_LOCAL_FIELD, FIELD}, {SC_MODEL_PARAM_LOCAL_STRIDE, STRIDE},
        {SC_MODEL_PARAM_IMAGE_HEIGHT, SIDE}, {SC_MODEL_PARAM_IMAGE_WIDTH, SIDE},
        {SC_MODEL_PARAM_ITERATIONS, 3}, {SC_MODEL_PARAM_THREADS, threads},
        {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM},
        {SC_MODEL_PARAM_LEARNING_RATE, 0.002}};
    return tu_model(N, K, settings, 8, 7);
}

START_TEST(local_threads_change_at_run_time)
{
    /* One model on 1 thread throughout; its twin switches between 1, 2,
     * 3 and 0 (all online processors) between steps, between a compute
     * and its apply, and between encodes: the same bits everywhere. */
    size_t units = 0;
    ck_assert_int_eq(sc_model_local_units(1, SIDE, SIDE, FIELD, STRIDE, MAPS,
                                          &units), SC_OK);
    ck_assert_uint_eq(units, K);
    sc_model *one = local_model(1), *varied = local_model(2);
    tu_data d = tu_data_make(SAMPLES, N, K, 0, 8);
    const double counts[] = {3, 1, 0, 2, 3};
    size_t size = sc_model_gradient_size(varied);
    float *gradient = malloc(size * sizeof(float));
    float *a = malloc(BATCH * K * sizeof(float));
    float *b = malloc(BATCH * K * sizeof(float));
    for (size_t s = 0; s < 5; s++) {
        tu_train(one, &d, BATCH, s, 1, NULL);
        size_t at = (s * BATCH) % (SAMPLES - BATCH + 1);
        ck_assert_int_eq(sc_model_gradient_compute(varied, d.x + at * N, NULL,
                                                   NULL, BATCH, gradient,
                                                   NULL), SC_OK);
        tu_set(varied, SC_MODEL_PARAM_THREADS, counts[s]);
        ck_assert_int_eq(sc_model_gradient_apply(varied, gradient, 1), SC_OK);
        TU_ASSERT_SAME_MODEL(one, varied);
        ck_assert_int_eq(sc_model_encode(one, d.x, BATCH, a), SC_OK);
        ck_assert_int_eq(sc_model_encode(varied, d.x, BATCH, b), SC_OK);
        ck_assert(memcmp(a, b, BATCH * K * sizeof(float)) == 0);
    }
    double v;
    ck_assert_int_eq(sc_model_get(varied, SC_MODEL_PARAM_THREADS, &v), SC_OK);
    ck_assert(v == 3);
    free(gradient);
    free(a);
    free(b);
    sc_model_free(one);
    sc_model_free(varied);
    tu_data_free(&d);
}
END_TEST

START_TEST(dense_threads_settable_and_inert)
{
    /* A dense model's products run on the BLAS's threads: the setting is
     * accepted at any time and changes nothing. */
    const tu_setting settings[] = {{SC_MODEL_PARAM_ITERATIONS, 3}};
    sc_model *m = tu_model(12, 9, settings, 1, 3), *twin = tu_model(12, 9,
                                                                    settings,
                                                                    1, 3);
    tu_data d = tu_data_make(SAMPLES, 12, 9, 0, 4);
    tu_set(m, SC_MODEL_PARAM_THREADS, 4);
    tu_train(m, &d, 8, 0, 3, NULL);
    tu_set(m, SC_MODEL_PARAM_THREADS, 1);
    tu_train(m, &d, 8, 3, 3, NULL);
    tu_train(twin, &d, 8, 0, 6, NULL);
    double v;
    ck_assert_int_eq(sc_model_get(m, SC_MODEL_PARAM_THREADS, &v), SC_OK);
    ck_assert(v == 1);
    /* The snapshot compares every parameter too: equalise that one. */
    tu_set(twin, SC_MODEL_PARAM_THREADS, 1);
    TU_ASSERT_SAME_MODEL(m, twin);
    /* Out of range after init: SC_ERR_RANGE, as before. */
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_THREADS, 65), SC_ERR_RANGE);
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_THREADS, 1.5),
                     SC_ERR_RANGE);
    sc_model_free(m);
    sc_model_free(twin);
    tu_data_free(&d);
}
END_TEST

START_TEST(blas_threads)
{
    size_t original = sc_blas_threads();
    ck_assert_uint_ge(original, 1);
    ck_assert_int_eq(sc_blas_set_threads(0), SC_ERR_RANGE);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_blas_set_threads");
    ck_assert_int_eq(sc_blas_set_threads(1025), SC_ERR_RANGE);
    ck_assert_uint_eq(sc_blas_threads(), original);
#ifdef SC_BLAS_OPENBLAS
    ck_assert_int_eq(sc_blas_set_threads(1), SC_OK);
    ck_assert_uint_eq(sc_blas_threads(), 1);
    ck_assert_int_eq(sc_blas_set_threads(2), SC_OK);
    /* OpenBLAS may cap the count at the threads it was built for. */
    ck_assert(sc_blas_threads() >= 1 && sc_blas_threads() <= 2);
    ck_assert_int_eq(sc_blas_set_threads(original), SC_OK);
    ck_assert_uint_eq(sc_blas_threads(), original);
#else
    ck_assert_int_eq(sc_blas_set_threads(1), SC_ERR_STATE);
    TU_ASSERT_CONTAINS(sc_last_message(), "no thread control");
    TU_ASSERT_CONTAINS(sc_last_message(), sc_blas_name());
    ck_assert_uint_eq(sc_blas_threads(), 1);
#endif
}
END_TEST

Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *t = tcase_create("threads");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, local_threads_change_at_run_time);
    tcase_add_test(t, dense_threads_settable_and_inert);
    tcase_add_test(t, blas_threads);
    suite_add_tcase(s, t);
    return s;
}
