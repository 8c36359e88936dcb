/* SPDX-License-Identifier: BSD-2-Clause */
/* check_update_check.c -- a step must not leave weights under which the
 * model overflows (issue #14, item 7; src/update_check.h).
 *
 * The regression: inputs of 1e18 at the largest SGD learning rate give a
 * step whose every new value is finite (W_e reaches about 2e38), so the
 * library before this check accepted it, and every later encode, of
 * those inputs and of ordinary ones, returned SC_ERR_NONFINITE.  It is
 * refused now, with the model unchanged, through sc_model_step and
 * through the gradient interface.  The other tests pin down which part
 * of the check decides: the bound for an ordinary model, the probe's
 * forward pass for a long recurrence the bound cannot settle (which
 * keeps training), the weight limit without a probe. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "sparsecode.h"
#include "testutil.h"
#include "update_check.h"

enum { N = 7, K = 9, SAMPLES = 40, BATCH = 6, CLASSES = 3 };

/* _i: the encoder (LISTA, LCoD); SGD, where one step's size follows the
 * gradient's (Adam's is about the learning rate whatever the input). */
static sc_model *make(int encoder, uint64_t seed)
{
    const tu_setting settings[] = {{SC_MODEL_PARAM_ITERATIONS, 3},
                                   {SC_MODEL_PARAM_CLASSES, CLASSES},
                                   {SC_MODEL_PARAM_ENCODER, encoder},
                                   {SC_MODEL_PARAM_LEARNING_RATE, 0.01}};
    return tu_model(N, K, settings, 4, seed);
}

/* Inputs of magnitude `scale` with the signs of ordinary data. */
static void scaled(const float *x, float *out, size_t count, float scale)
{
    for (size_t i = 0; i < count; i++)
        out[i] = x[i] >= 0 ? scale : -scale;
}

START_TEST(step_leaving_overflowing_weights_is_refused)
{
    sc_model *m = make(_i, 2), *twin = make(_i, 2);
    tu_data d = tu_data_make(SAMPLES, N, K, CLASSES, 3);
    tu_train(m, &d, BATCH, 0, 2, NULL);
    tu_train(twin, &d, BATCH, 0, 2, NULL);
    float huge[BATCH * N], codes[BATCH * K];
    scaled(d.x, huge, BATCH * N, 1e18f);
    tu_set(m, SC_MODEL_PARAM_LEARNING_RATE, 1e3);
    tu_snapshot before;
    tu_snapshot_take(m, &before);
    sc_status s = sc_model_step(m, huge, d.labels, NULL, BATCH, NULL);
    /* Accepted before the check: then this encode of ordinary data
     * (and of `huge`) returned SC_ERR_NONFINITE. */
    ck_assert_msg(s == SC_ERR_NONFINITE, "step gave %s; an encode of "
                  "ordinary data now gives %s", sc_status_string(s),
                  sc_status_string(sc_model_encode(m, d.x, BATCH, codes)));
    TU_ASSERT_UNCHANGED(m, &before);
    tu_snapshot_free(&before);
    TU_ASSERT_CONTAINS(sc_model_message(m), "sc_model_step");
    TU_ASSERT_CONTAINS(sc_model_message(m), "overflow");
    ck_assert_int_eq(sc_model_encode(m, d.x, BATCH, codes), SC_OK);
    ck_assert_int_eq(sc_model_encode(m, huge, BATCH, codes), SC_OK);
    /* Nothing hidden changed either: the next good step is the twin's. */
    tu_set(m, SC_MODEL_PARAM_LEARNING_RATE, 0.01);
    tu_train(m, &d, BATCH, 2, 1, NULL);
    tu_train(twin, &d, BATCH, 2, 1, NULL);
    TU_ASSERT_SAME_MODEL(m, twin);
    sc_model_free(m);
    sc_model_free(twin);
    tu_data_free(&d);
}
END_TEST

START_TEST(apply_leaving_overflowing_weights_is_refused)
{
    sc_model *m = make(_i, 4);
    tu_data d = tu_data_make(SAMPLES, N, K, CLASSES, 5);
    float huge[BATCH * N], codes[BATCH * K];
    scaled(d.x, huge, BATCH * N, 1e18f);
    tu_set(m, SC_MODEL_PARAM_LEARNING_RATE, 1e3);
    size_t size = sc_model_gradient_size(m);
    float *gradient = malloc(size * sizeof(float));
    ck_assert_int_eq(sc_model_gradient_compute(m, huge, d.labels, NULL, BATCH,
                                               gradient, NULL), SC_OK);
    tu_snapshot before;
    tu_snapshot_take(m, &before);
    ck_assert_int_eq(sc_model_gradient_apply(m, gradient, 1),
                     SC_ERR_NONFINITE);
    TU_ASSERT_UNCHANGED(m, &before);
    tu_snapshot_free(&before);
    TU_ASSERT_CONTAINS(sc_model_message(m), "sc_model_gradient_apply");
    ck_assert_int_eq(sc_model_encode(m, d.x, BATCH, codes), SC_OK);
    /* A model that computed nothing checks the weight limit alone, which
     * the 2e38 weights of this update exceed as well. */
    sc_model *receiver = make(_i, 4);
    tu_set(receiver, SC_MODEL_PARAM_LEARNING_RATE, 1e3);
    ck_assert_int_eq(sc_model_gradient_apply(receiver, gradient, 1),
                     SC_ERR_NONFINITE);
    ck_assert_uint_eq(sc_model_steps_taken(receiver), 0);
    free(gradient);
    sc_model_free(m);
    sc_model_free(receiver);
    tu_data_free(&d);
}
END_TEST

START_TEST(ordinary_model_is_settled_by_the_bound)
{
    /* Unit-scale data through a freshly initialised model: the bound
     * alone proves the outputs finite, so the step runs no extra
     * forward pass; and also for inputs of 1e30. */
    sc_model *m = make(_i, 6);
    ck_assert(sc_update_bound_proves_finite(m, 1.0));
    ck_assert(sc_update_bound_proves_finite(m, 1e30));
    /* Not for inputs whose product with W_e overflows. */
    ck_assert(!sc_update_bound_proves_finite(m, 1e38));
    sc_model_free(m);
}
END_TEST

START_TEST(long_recurrence_is_settled_by_the_forward_pass)
{
    /* T = 1000 with |S|_inf > 1: the bound grows like |S|_inf^T and
     * proves nothing, while the codes themselves stay small; the probe's
     * forward pass accepts the steps, and training goes on. */
    const tu_setting settings[] = {{SC_MODEL_PARAM_ITERATIONS, 1000},
                                   {SC_MODEL_PARAM_LEARNING_RATE, 0.001}};
    sc_model *m = tu_model(N, K, settings, 2, 7);
    /* Make |S|_inf exceed 1 (a large diagonal entry), as a trained
     * LISTA's may, with theta large enough that the codes stay bounded. */
    sc_state *s = &m->state;
    for (size_t i = 0; i < K; i++)
        s->lateral.weights[i * K + i] = 1.5f;
    for (size_t i = 0; i < K; i++)
        s->threshold[i] = 2.0f;
    ck_assert(!sc_update_bound_proves_finite(m, 1.0));
    tu_data d = tu_data_make(SAMPLES, N, K, 0, 8);
    float codes[BATCH * K];
    sc_status first = sc_model_encode(m, d.x, BATCH, codes);
    for (int step = 0; step < 3; step++) {
        sc_status st = sc_model_step(m, d.x, NULL, NULL, BATCH, NULL);
        /* Accepted exactly when the batch still encodes. */
        ck_assert_int_eq(st, first == SC_OK ? SC_OK : SC_ERR_NONFINITE);
    }
    ck_assert_int_eq(first, SC_OK);
    ck_assert_uint_eq(sc_model_steps_taken(m), 3);
    ck_assert(!sc_update_bound_proves_finite(m, 1.0));
    sc_model_free(m);
    tu_data_free(&d);
}
END_TEST

START_TEST(weight_limit)
{
    /* A model whose weights exceed the limit (2^64 for a row's L1 norm)
     * takes no further step, whatever the inputs; at the limit it may. */
    sc_model *m = make(0, 9);
    tu_data d = tu_data_make(SAMPLES, N, K, CLASSES, 10);
    sc_state *s = &m->state;
    float *row = s->encoder.weights;       /* row 0 of W_e */
    for (size_t j = 0; j < N; j++)
        row[j] = 0.0f;
    row[0] = 0x1p62f;                       /* inside the limit */
    float tiny[BATCH * N];
    scaled(d.x, tiny, BATCH * N, 1e-30f);
    tu_set(m, SC_MODEL_PARAM_LEARNING_RATE, 1e-12);
    ck_assert_int_eq(sc_model_step(m, tiny, NULL, NULL, BATCH, NULL), SC_OK);
    row = s->encoder.weights;               /* the step swapped arrays */
    row[0] = 0x1p66f;                       /* beyond */
    tu_snapshot before;
    tu_snapshot_take(m, &before);
    ck_assert_int_eq(sc_model_step(m, tiny, NULL, NULL, BATCH, NULL),
                     SC_ERR_NONFINITE);
    TU_ASSERT_UNCHANGED(m, &before);
    tu_snapshot_free(&before);
    sc_model_free(m);
    tu_data_free(&d);
}
END_TEST

Suite *update_check_suite(void)
{
    Suite *s = suite_create("update_check");
    TCase *t = tcase_create("update_check");
    tcase_set_timeout(t, 60);
    tcase_add_loop_test(t, step_leaving_overflowing_weights_is_refused, 0, 2);
    tcase_add_loop_test(t, apply_leaving_overflowing_weights_is_refused, 0, 2);
    tcase_add_loop_test(t, ordinary_model_is_settled_by_the_bound, 0, 2);
    tcase_add_test(t, long_recurrence_is_settled_by_the_forward_pass);
    tcase_add_test(t, weight_limit);
    suite_add_tcase(s, t);
    return s;
}
