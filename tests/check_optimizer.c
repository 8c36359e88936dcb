/* SPDX-License-Identifier: BSD-2-Clause */
/* check_optimizer.c -- the staged update of optimizer.c: (O1) and (O2)
 * element by element against the formulas, no subnormal value in the
 * training state however long it trains, a refused update that changes
 * nothing whichever thread found the bad value, and the same bits on any
 * number of threads.  Refusal through sc_model_step is check_step.c's. */
#include <check.h>
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "model.h"
#include "optimizer.h"
#include "suites.h"
#include "testutil.h"

static int is_subnormal(float x)
{
    return x != 0.0f && fabsf(x) < FLT_MIN;
}

/* Subnormal values in any weight, moment or staged array of the model. */
static size_t subnormals_in_state(const sc_model *m)
{
    size_t found = 0;
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        const sc_tensor *ts = &m->state.tensor[t];
        const float *arrays[] = {ts->w, ts->m1, ts->m2};
        for (size_t a = 0; a < 3; a++)
            for (size_t i = 0; i < ts->count; i++)
                found += is_subnormal(arrays[a][i]);
    }
    return found;
}

/* Every array trained, at the model's settings, scale 1. */
static void all_scales(double scale[SC_TENSOR_COUNT])
{
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        scale[t] = 1.0;
}

/* A copy of tensor t's weights and moments. */
typedef struct {
    float *w, *m1, *m2;
    size_t count;
} tensor_copy;

static tensor_copy copy_tensor(const sc_tensor *t)
{
    tensor_copy c = {malloc(t->count * sizeof(float)),
                     malloc(t->count * sizeof(float)),
                     malloc(t->count * sizeof(float)), t->count};
    ck_assert(c.w != NULL && c.m1 != NULL && c.m2 != NULL);
    memcpy(c.w, t->w, t->count * sizeof(float));
    memcpy(c.m1, t->m1, t->count * sizeof(float));
    memcpy(c.m2, t->m2, t->count * sizeof(float));
    return c;
}

static void free_copy(tensor_copy *c)
{
    free(c->w);
    free(c->m1);
    free(c->m2);
}

static void assert_same_tensor(const tensor_copy *c, const sc_tensor *t)
{
    ck_assert_uint_eq(c->count, t->count);
    ck_assert(memcmp(c->w, t->w, c->count * sizeof(float)) == 0);
    ck_assert(memcmp(c->m1, t->m1, c->count * sizeof(float)) == 0);
    ck_assert(memcmp(c->m2, t->m2, c->count * sizeof(float)) == 0);
}

/* ---- the formulas ------------------------------------------------------ */

/* A model whose tensors hold random weights, moments and gradients; the
 * settings are set on it so that sc_optimizer_settings_of reads them. */
static sc_model *random_state_model(int optimizer)
{
    const tu_setting settings[] = {{SC_MODEL_PARAM_ITERATIONS, 3},
                                   {SC_MODEL_PARAM_CLASSES, 4},
                                   {SC_MODEL_PARAM_OPTIMIZER, optimizer},
                                   {SC_MODEL_PARAM_LEARNING_RATE, 0.01},
                                   {SC_MODEL_PARAM_MOMENTUM, 0.8},
                                   {SC_MODEL_PARAM_ADAM_BETA1, 0.85},
                                   {SC_MODEL_PARAM_ADAM_BETA2, 0.99}};
    sc_model *m = tu_model(20, 16, settings, 7, 3);
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        sc_tensor *ts = &m->state.tensor[t];
        tu_fill(ts->w, ts->count, 100 + (uint64_t)t, -1.0f, 1.0f);
        tu_fill(ts->grad, ts->count, 200 + (uint64_t)t, -0.5f, 0.5f);
        tu_fill(ts->m1, ts->count, 300 + (uint64_t)t, -0.1f, 0.1f);
        tu_fill(ts->m2, ts->count, 400 + (uint64_t)t, 0.0f, 0.01f);
    }
    m->state.steps = 6; /* the update is step 7 */
    return m;
}

START_TEST(updates_follow_the_formulas)
{
    /* _i = 0: SGD (O1), 1: Adam (O2), each element against the formula in
     * double; scale 0.5 on the lateral matrix as (O3) would give it. */
    int adam = _i == 1;
    sc_model *m = random_state_model(
        adam ? SC_OPTIMIZER_ADAM : SC_OPTIMIZER_SGD);
    double scale[SC_TENSOR_COUNT];
    all_scales(scale);
    scale[SC_TENSOR_LATERAL] = 0.5;
    tensor_copy before[SC_TENSOR_COUNT];
    float *grads[SC_TENSOR_COUNT];
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        const sc_tensor *ts = &m->state.tensor[t];
        before[t] = copy_tensor(ts);
        grads[t] = malloc(ts->count * sizeof(float));
        memcpy(grads[t], ts->grad, ts->count * sizeof(float));
    }
    sc_optimizer_settings o = sc_optimizer_settings_of(m);
    ck_assert_uint_eq(o.step, 7);
    ck_assert_int_eq(sc_optimizer_stage(m->state.tensor, scale, &o, 1), 1);
    sc_optimizer_commit(&m->state, scale, &o);

    /* The coefficients as the library holds them, in float; the rest in
     * double. */
    const double b1 = 0.85f, b2 = 0.99f, mu = 0.8f;
    const double c1 = 1.0f - 0.85f, c2 = 1.0f - 0.99f;
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        const sc_tensor *ts = &m->state.tensor[t];
        const tensor_copy *b = &before[t];
        double lr = (float)(0.01 * scale[t]);
        for (size_t i = 0; i < ts->count; i++) {
            double g = grads[t][i], w, m1, m2 = b->m2[i];
            /* A float sum a + b is within a few ulps of max(|a|, |b|)
             * (2^-24 each): allow 8 (2^-21) of |a| + |b|. */
            double m1_size, m2_size = fabs(m2);
            if (adam) {
                m1 = b1 * b->m1[i] + c1 * g;
                m2 = b2 * b->m2[i] + c2 * g * g;
                m1_size = fabs(b1 * b->m1[i]) + fabs(c1 * g);
                m2_size = fabs(b2 * b->m2[i]) + fabs(c2 * g * g);
                double mhat = m1 / (1 - pow(0.85, 7));
                double vhat = m2 / (1 - pow(0.99, 7));
                w = b->w[i] - lr * mhat / (sqrt(vhat) + 1e-8);
            } else {
                m1 = mu * b->m1[i] - lr * g;
                m1_size = fabs(mu * b->m1[i]) + fabs(lr * g);
                w = b->w[i] + m1;
            }
            ck_assert_msg(fabs(ts->m1[i] - m1) <= 0x1p-21 * m1_size,
                          "tensor %d m1[%zu] = %.9g, expected %.9g", t, i,
                          ts->m1[i], m1);
            ck_assert_msg(fabs(ts->m2[i] - m2) <= 0x1p-21 * m2_size,
                          "tensor %d m2[%zu] = %.9g, expected %.9g", t, i,
                          ts->m2[i], m2);
            /* w of order 1 and its step below 0.1: 8 ulps of 1 */
            ck_assert_msg(fabs(ts->w[i] - w) <= 1e-6,
                          "tensor %d w[%zu] = %g, expected %g", t, i,
                          ts->w[i], w);
        }
        free_copy(&before[t]);
        free(grads[t]);
    }
    sc_model_free(m);
}
END_TEST

START_TEST(untrained_arrays_stay)
{
    /* scale 0: the array, its moments and its gradient are not touched. */
    sc_model *m = random_state_model(_i ? SC_OPTIMIZER_ADAM
                                        : SC_OPTIMIZER_SGD);
    double scale[SC_TENSOR_COUNT];
    all_scales(scale);
    scale[SC_TENSOR_CLASSIFIER] = 0.0;
    sc_tensor *c = &m->state.tensor[SC_TENSOR_CLASSIFIER];
    tensor_copy before = copy_tensor(c);
    float *grad = c->grad;
    sc_optimizer_settings o = sc_optimizer_settings_of(m);
    ck_assert_int_eq(sc_optimizer_stage(m->state.tensor, scale, &o, 1), 1);
    sc_optimizer_commit(&m->state, scale, &o);
    assert_same_tensor(&before, c);
    ck_assert_ptr_eq(c->grad, grad);
    ck_assert_ptr_eq(c->w, m->state.classifier.weights);
    free_copy(&before);
    sc_model_free(m);
}
END_TEST

START_TEST(sgd_keeps_the_second_moment)
{
    /* SGD has no second moment: the array Adam left there is kept as it
     * is, so that switching back to Adam finds it. */
    sc_model *m = random_state_model(SC_OPTIMIZER_SGD);
    double scale[SC_TENSOR_COUNT];
    all_scales(scale);
    sc_tensor *e = &m->state.tensor[SC_TENSOR_ENCODER];
    tensor_copy before = copy_tensor(e);
    sc_optimizer_settings o = sc_optimizer_settings_of(m);
    for (int step = 0; step < 3; step++) {
        ck_assert_int_eq(sc_optimizer_stage(m->state.tensor, scale, &o, 1), 1);
        sc_optimizer_commit(&m->state, scale, &o);
    }
    ck_assert(memcmp(before.m2, e->m2, e->count * sizeof(float)) == 0);
    free_copy(&before);
    sc_model_free(m);
}
END_TEST

/* ---- subnormal numbers -------------------------------------------------- */

START_TEST(decaying_moments_reach_zero)
{
    /* One gradient, then none: m1 decays by beta1 (Adam) or mu (SGD's
     * velocity) every step.  In plain float arithmetic it would enter the
     * subnormal range and then stay at the smallest subnormal for ever
     * (0.9 * 2^-149 rounds back to 2^-149), which the witness below
     * computes; the update writes 0 instead. */
    int adam = _i == 1;
    sc_model *m = random_state_model(
        adam ? SC_OPTIMIZER_ADAM : SC_OPTIMIZER_SGD);
    tu_set(m, SC_MODEL_PARAM_ADAM_BETA1, 0.9);
    tu_set(m, SC_MODEL_PARAM_MOMENTUM, 0.9);
    double scale[SC_TENSOR_COUNT];
    all_scales(scale);
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        sc_tensor *ts = &m->state.tensor[t];
        memset(ts->m1, 0, ts->count * sizeof(float));
        memset(ts->m2, 0, ts->count * sizeof(float));
    }
    float witness = 0.0f;
    int witness_was_subnormal = 0;
    for (int step = 0; step < 1500; step++) {
        sc_optimizer_settings o = sc_optimizer_settings_of(m);
        for (int t = 0; t < SC_TENSOR_COUNT; t++) {
            sc_tensor *ts = &m->state.tensor[t];
            if (step == 0)
                tu_fill(ts->grad, ts->count, 500 + (uint64_t)t, -1e-3f,
                        1e-3f);
            else
                memset(ts->grad, 0, ts->count * sizeof(float));
        }
        ck_assert_int_eq(sc_optimizer_stage(m->state.tensor, scale, &o, 1), 1);
        sc_optimizer_commit(&m->state, scale, &o);
        m->state.steps++;
        ck_assert_uint_eq(subnormals_in_state(m), 0);
        /* The same recurrence for a gradient of 1e-3, without the flush:
         * m1 = 0.1 g, then 0.9 m1 (Adam); the velocity likewise. */
        volatile float decay = 0.9f;
        witness = step == 0 ? 1e-4f : decay * witness;
        witness_was_subnormal |= is_subnormal(witness);
    }
    ck_assert_msg(witness_was_subnormal && is_subnormal(witness),
                  "the unflushed recurrence should end subnormal, at %g",
                  (double)witness);
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        const sc_tensor *ts = &m->state.tensor[t];
        for (size_t i = 0; i < ts->count; i++)
            ck_assert_msg(ts->m1[i] == 0.0f, "tensor %d m1[%zu] = %g", t, i,
                          (double)ts->m1[i]);
    }
    sc_model_free(m);
}
END_TEST

START_TEST(long_training_holds_no_subnormal)
{
    /* 2,000 Adam steps of DrSAE at the scale of the real data (unit-norm
     * inputs, lambda 0.02, the classifier on from step 500): units that
     * stop firing leave their moments decaying towards 0.  No weight or
     * moment is ever subnormal, and some moments were indeed flushed:
     * non-zero after the first steps, exactly 0 at the end, which float
     * arithmetic alone never reaches (see decaying_moments_reach_zero). */
    enum { N = 64, K = 48, SAMPLES = 400, BATCH = 20, STEPS = 2000 };
    const tu_setting settings[] = {{SC_MODEL_PARAM_ITERATIONS, 5},
                                   {SC_MODEL_PARAM_CLASSES, 10},
                                   {SC_MODEL_PARAM_L1_WEIGHT, 0.02},
                                   {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM},
                                   {SC_MODEL_PARAM_LEARNING_RATE, 1e-3},
                                   {SC_MODEL_PARAM_THREADS, 1}};
    sc_model *m = tu_model(N, K, settings, 6, TU_NO_INIT);
    tu_data d = tu_data_make(SAMPLES, N, K, 10, 77);
    for (size_t s = 0; s < SAMPLES; s++) { /* unit-norm, non-negative */
        float *x = d.x + s * N;
        double sq = 0;
        for (size_t j = 0; j < N; j++) {
            x[j] = fabsf(x[j]) * (float)(j % 7 == s % 7); /* sparse strokes */
            sq += (double)x[j] * x[j];
        }
        for (size_t j = 0; j < N; j++)
            x[j] = sq > 0 ? (float)(x[j] / sqrt(sq)) : 0.0f;
    }
    ck_assert_int_eq(sc_model_init_data(m, d.x, SAMPLES, 5), SC_OK);
    tu_train(m, &d, BATCH, 0, 20, NULL);
    size_t total = 0;
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        total += m->state.tensor[t].count;
    unsigned char *was_nonzero = calloc(total, 1);
    ck_assert_ptr_nonnull(was_nonzero);
    size_t at = 0;
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        for (size_t i = 0; i < m->state.tensor[t].count; i++)
            was_nonzero[at++] = m->state.tensor[t].m1[i] != 0.0f;

    for (size_t step = 20; step < STEPS; step += 100) {
        if (step >= 500)
            tu_set(m, SC_MODEL_PARAM_CLASS_WEIGHT, 1.0);
        tu_train(m, &d, BATCH, step, 100, NULL);
        ck_assert_msg(subnormals_in_state(m) == 0,
                      "%zu subnormal values after %zu steps",
                      subnormals_in_state(m), step + 100);
    }
    size_t flushed = 0;
    at = 0;
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        for (size_t i = 0; i < m->state.tensor[t].count; i++)
            flushed += was_nonzero[at++] && m->state.tensor[t].m1[i] == 0.0f;
    ck_assert_msg(flushed > 0, "no moment decayed to 0: the test does not "
                  "reach the subnormal range");
    free(was_nonzero);
    tu_data_free(&d);
    sc_model_free(m);
}
END_TEST

/* The caller's floating-point control modes: the rounding direction and,
 * on x86, MXCSR without its status flags (flush-to-zero, denormals-are-
 * zero, rounding, exception masks).  Status flags are left out: any
 * floating-point work sets "inexact". */
typedef struct {
    int rounding;
    unsigned control;
} fp_modes;

static fp_modes fp_modes_now(void)
{
    fp_modes f = {fegetround(), 0};
#if defined(__x86_64__) || defined(__i386__)
    f.control = _mm_getcsr() & ~0x3Fu;
#endif
    return f;
}

START_TEST(calls_leave_the_floating_point_modes)
{
    /* The flush of subnormal values is the optimiser's own arithmetic:
     * training, encoding, decoding and predicting leave the caller's
     * modes as they were, whether they are the defaults (_i = 0) or a
     * caller's flush-to-zero with rounding towards zero (_i = 1). */
    const tu_setting settings[] = {{SC_MODEL_PARAM_CLASSES, 4},
                                   {SC_MODEL_PARAM_CLASS_WEIGHT, 1},
                                   {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM}};
    sc_model *m = tu_model(20, 16, settings, 3, 6);
    tu_data d = tu_data_make(40, 20, 16, 4, 7);
    fp_modes caller = fp_modes_now();
    if (_i == 1) {
        ck_assert_int_eq(fesetround(FE_TOWARDZERO), 0);
#if defined(__x86_64__) || defined(__i386__)
        _mm_setcsr(_mm_getcsr() | 0x8000u); /* flush-to-zero */
#endif
    }
    fp_modes before = fp_modes_now();
    float z[40 * 16], x[40 * 20], p[40 * 4];
    int32_t labels[40];
    tu_train(m, &d, 10, 0, 3, NULL);
    ck_assert_int_eq(sc_model_encode(m, d.x, 40, z), SC_OK);
    ck_assert_int_eq(sc_model_decode(m, z, 40, x), SC_OK);
    ck_assert_int_eq(sc_model_predict(m, d.x, 40, labels, p), SC_OK);
    fp_modes after = fp_modes_now();
    fesetround(caller.rounding);
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr((_mm_getcsr() & 0x3Fu) | caller.control);
#endif
    ck_assert_int_eq(after.rounding, before.rounding);
    ck_assert_uint_eq(after.control, before.control);
    tu_data_free(&d);
    sc_model_free(m);
}
END_TEST

/* ---- threads ------------------------------------------------------------ */

/* Large enough (n = k = 256: 197,000 elements) that the update runs on
 * more than one thread. */
enum { WIDE = 256 };

START_TEST(refused_update_changes_nothing_on_any_thread)
{
    /* A NaN gradient in the first element (the first thread's range) or
     * the last (the second's): the stage reports it and the commit never
     * runs, so nothing the model uses has changed. */
    const tu_setting settings[] = {{SC_MODEL_PARAM_CLASSES, 10},
                                   {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM}};
    sc_model *m = tu_model(WIDE, WIDE, settings, 2, 8);
    double scale[SC_TENSOR_COUNT];
    all_scales(scale);
    int where = _i == 0 ? SC_TENSOR_ENCODER : SC_TENSOR_CLASS_BIAS;
    tensor_copy before[SC_TENSOR_COUNT];
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        sc_tensor *ts = &m->state.tensor[t];
        tu_fill(ts->grad, ts->count, 600 + (uint64_t)t, -0.1f, 0.1f);
        before[t] = copy_tensor(ts);
    }
    sc_tensor *bad = &m->state.tensor[where];
    bad->grad[_i == 0 ? 0 : bad->count - 1] = NAN;
    sc_optimizer_settings o = sc_optimizer_settings_of(m);
    ck_assert_int_eq(sc_optimizer_stage(m->state.tensor, scale, &o, 2), 0);
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        assert_same_tensor(&before[t], &m->state.tensor[t]);
        free_copy(&before[t]);
    }
    sc_model_free(m);
}
END_TEST

START_TEST(threads_give_the_same_bits)
{
    /* The same update staged on 1 and on 3 threads (ranges that cut
     * arrays at odd places) writes the same bits, with SGD (_i = 0) and
     * Adam (_i = 1).  Through sc_model_step, a local model's threads are
     * compared in check_local_model.c. */
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_CLASSES, 10},
        {SC_MODEL_PARAM_OPTIMIZER, _i ? SC_OPTIMIZER_ADAM : SC_OPTIMIZER_SGD}};
    sc_model *models[2];
    for (int i = 0; i < 2; i++) {
        models[i] = tu_model(WIDE, WIDE, settings, 2, 8);
        for (int t = 0; t < SC_TENSOR_COUNT; t++) {
            sc_tensor *ts = &models[i]->state.tensor[t];
            tu_fill(ts->grad, ts->count, 700 + (uint64_t)t, -0.1f, 0.1f);
            tu_fill(ts->m1, ts->count, 800 + (uint64_t)t, -0.01f, 0.01f);
            tu_fill(ts->m2, ts->count, 900 + (uint64_t)t, 0.0f, 0.01f);
        }
        double scale[SC_TENSOR_COUNT];
        all_scales(scale);
        sc_optimizer_settings o = sc_optimizer_settings_of(models[i]);
        ck_assert_int_eq(sc_optimizer_stage(models[i]->state.tensor, scale, &o,
                                            i == 0 ? 1 : 3), 1);
        sc_optimizer_commit(&models[i]->state, scale, &o);
    }
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        tensor_copy c = copy_tensor(&models[0]->state.tensor[t]);
        assert_same_tensor(&c, &models[1]->state.tensor[t]);
        free_copy(&c);
    }
    sc_model_free(models[0]);
    sc_model_free(models[1]);
}
END_TEST

Suite *optimizer_suite(void)
{
    Suite *s = suite_create("optimizer");
    TCase *formulas = tcase_create("formulas");
    tcase_add_loop_test(formulas, updates_follow_the_formulas, 0, 2);
    tcase_add_loop_test(formulas, untrained_arrays_stay, 0, 2);
    tcase_add_test(formulas, sgd_keeps_the_second_moment);
    suite_add_tcase(s, formulas);

    TCase *subnormal = tcase_create("subnormal");
    tcase_set_timeout(subnormal, 60);
    tcase_add_loop_test(subnormal, decaying_moments_reach_zero, 0, 2);
    tcase_add_test(subnormal, long_training_holds_no_subnormal);
    tcase_add_loop_test(subnormal, calls_leave_the_floating_point_modes, 0,
                        2);
    suite_add_tcase(s, subnormal);

    TCase *threads = tcase_create("threads");
    tcase_set_timeout(threads, 30);
    tcase_add_loop_test(threads, refused_update_changes_nothing_on_any_thread,
                        0, 2);
    tcase_add_loop_test(threads, threads_give_the_same_bits, 0, 2);
    suite_add_tcase(s, threads);
    return s;
}
