/* SPDX-License-Identifier: BSD-2-Clause */
/* check_lcod.c -- the LCoD encoder (SC_MODEL_PARAM_ENCODER = SC_ENCODER_LCOD,
 * docs/math.md E5 and B5): its parameter and the refusal of local models;
 * codes at init equal to T updates of coordinate descent computed here,
 * independently (and checked against the solver's CoD); inference that
 * follows the equations and is reentrant; and training that lowers the
 * error of its predictions of optimal codes.  The gradients are
 * check_gradient.c's; bad input to a step and the step sizes
 * check_step.c's; files check_file.c's. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

#define N_IN 10
#define N_UNITS 16
#define BATCH 9
#define LAMBDA 0.1

/* ---- the parameter ------------------------------------------------------ */

START_TEST(encoder_parameter)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    double value = -1, lo = -1, hi = -1;
    ck_assert_int_eq(sc_model_get(m, SC_MODEL_PARAM_ENCODER, &value), SC_OK);
    ck_assert(value == SC_ENCODER_LISTA);
    ck_assert_int_eq(sc_model_param_bounds(SC_MODEL_PARAM_ENCODER, &lo, &hi),
                     SC_OK);
    ck_assert(lo == 0 && hi == 1);
    const double bad[] = {2, 0.5, -1, NAN};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_ENCODER, bad[i]),
                         SC_ERR_RANGE);
        TU_ASSERT_CONTAINS(sc_model_message(m), "SC_MODEL_PARAM_ENCODER");
        ck_assert_int_eq(sc_model_get(m, SC_MODEL_PARAM_ENCODER, &value),
                         SC_OK);
        ck_assert(value == SC_ENCODER_LISTA);
    }
    tu_set(m, SC_MODEL_PARAM_ENCODER, SC_ENCODER_LCOD);
    ck_assert_int_eq(sc_model_init_random(m, 1), SC_OK);
    /* Structural: fixed by the init. */
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_ENCODER, SC_ENCODER_LISTA),
                     SC_ERR_STATE);
    ck_assert_int_eq(sc_model_get(m, SC_MODEL_PARAM_ENCODER, &value), SC_OK);
    ck_assert(value == SC_ENCODER_LCOD);
    sc_model_free(m);
}
END_TEST

/* A local model (a 4 x 5 image, 3 x 3 windows, 2 x 3 positions of 2
 * maps) with the LCoD encoder: every init fails with SC_ERR_RANGE, naming
 * both parameters, and leaves the model uninitialised; the same model
 * with LISTA's encoder initialises. */
START_TEST(local_model_refused)
{
    enum { H = 4, W = 5, LN = H * W, LK = 12 };
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_LOCAL_FIELD, 3}, {SC_MODEL_PARAM_IMAGE_HEIGHT, H},
        {SC_MODEL_PARAM_IMAGE_WIDTH, W}, {SC_MODEL_PARAM_ENCODER, SC_ENCODER_LCOD}};
    sc_model *m = tu_model(LN, LK, settings, 4, TU_NO_INIT);
    float x[4 * LN], dictionary[LN * LK];
    tu_fill(x, 4 * LN, 1, -1, 1);
    tu_fill(dictionary, LN * LK, 2, -1, 1);
    tu_snapshot before;
    tu_snapshot_take(m, &before);
    for (int init = 0; init < 3; init++) {
        sc_status s = init == 0 ? sc_model_init_random(m, 3)
                      : init == 1 ? sc_model_init_dictionary(m, dictionary)
                                  : sc_model_init_data(m, x, 4, 3);
        ck_assert_msg(s == SC_ERR_RANGE, "init %d gave %s", init,
                      sc_status_string(s));
        TU_ASSERT_CONTAINS(sc_last_message(), "SC_MODEL_PARAM_ENCODER");
        TU_ASSERT_CONTAINS(sc_last_message(), "SC_MODEL_PARAM_LOCAL_FIELD");
        TU_ASSERT_CONTAINS(sc_model_message(m), "SC_MODEL_PARAM_LOCAL_FIELD");
        TU_ASSERT_UNCHANGED(m, &before);
    }
    tu_snapshot_free(&before);
    /* Still settable: the same geometry with LISTA's encoder works. */
    tu_set(m, SC_MODEL_PARAM_ENCODER, SC_ENCODER_LISTA);
    ck_assert_int_eq(sc_model_init_random(m, 3), SC_OK);
    sc_model_free(m);
}
END_TEST

/* ---- coordinate descent at init ---------------------------------------- */

/* (S5) with h the soft threshold by lambda, or its non-negative form. */
static double best_value(double beta, double diagonal, int nonnegative)
{
    double m = nonnegative ? beta - LAMBDA : fabs(beta) - LAMBDA;
    if (m <= 0)
        return 0.0;
    return (nonnegative ? m : copysign(m, beta)) / diagonal;
}

/* `updates` updates of coordinate descent for 1/2|x - Dz|^2 + lambda|z|_1
 * (z >= 0 if nonnegative) from z = 0, written here in double from the
 * n x k dictionary D, in the order of docs/math.md (S5): z receives the
 * code after the updates, zbar every coordinate's best value then. */
static void coordinate_descent(const float *d, size_t n, size_t k,
                               const float *x, int nonnegative,
                               size_t updates, double *z, double *zbar)
{
    double *gram = malloc(k * k * sizeof *gram);
    double *beta = malloc(k * sizeof *beta);
    for (size_t i = 0; i < k; i++) {
        beta[i] = 0.0;
        for (size_t r = 0; r < n; r++)
            beta[i] += (double)d[r * k + i] * x[r];
        for (size_t j = 0; j < k; j++) {
            gram[i * k + j] = 0.0;
            for (size_t r = 0; r < n; r++)
                gram[i * k + j] += (double)d[r * k + i] * d[r * k + j];
        }
        z[i] = 0.0;
    }
    for (size_t u = 0; u < updates; u++) {
        size_t j = 0;
        double largest = -1.0;
        for (size_t i = 0; i < k; i++) {
            zbar[i] = best_value(beta[i], gram[i * k + i], nonnegative);
            if (fabs(zbar[i] - z[i]) > largest) {
                largest = fabs(zbar[i] - z[i]);
                j = i;
            }
        }
        double change = zbar[j] - z[j];
        for (size_t i = 0; i < k; i++)
            if (i != j)
                beta[i] -= gram[i * k + j] * change;
        z[j] = zbar[j];
    }
    for (size_t i = 0; i < k; i++)
        zbar[i] = best_value(beta[i], gram[i * k + i], nonnegative);
    free(gram);
    free(beta);
}

/* _i: bit 0 the shrink (relu: non-negative CoD); the rest picks T: 1, 5,
 * 16 = k and 40 (every unit chosen, some again). */
START_TEST(codes_are_coordinate_descent_at_init)
{
    static const size_t steps[] = {1, 5, N_UNITS, 40};
    int shrink = _i & 1, nonnegative = shrink == SC_SHRINK_RELU;
    size_t T = steps[_i >> 1];
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_ENCODER, SC_ENCODER_LCOD}, {SC_MODEL_PARAM_ITERATIONS, (double)T},
        {SC_MODEL_PARAM_SHRINK, shrink}, {SC_MODEL_PARAM_L1_WEIGHT, LAMBDA},
        {SC_MODEL_PARAM_INIT_STEP, 1}};
    sc_model *m = tu_model(N_IN, N_UNITS, settings, 5, 7);
    const float *d;
    size_t rows, cols;
    ck_assert_int_eq(sc_model_weights(m, SC_WEIGHT_DECODER, &d, &rows, &cols),
                     SC_OK);
    ck_assert(rows == N_IN && cols == N_UNITS);
    float x[BATCH * N_IN], codes[BATCH * N_UNITS], expected[BATCH * N_UNITS];
    tu_fill(x, BATCH * N_IN, 8, -1, 1);
    ck_assert_int_eq(sc_model_encode(m, x, BATCH, codes), SC_OK);
    double z[N_UNITS], zbar[N_UNITS];
    size_t changed = 0;
    for (size_t b = 0; b < BATCH; b++) {
        coordinate_descent(d, N_IN, N_UNITS, x + b * N_IN, nonnegative, T, z,
                           zbar);
        for (size_t i = 0; i < N_UNITS; i++) {
            expected[b * N_UNITS + i] = (float)zbar[i];
            changed += z[i] != 0.0;
        }
    }
    /* float against double: the weights' rounding (S = I - D^T D is not
     * exactly 0 on its diagonal), T updates of B in float. */
    TU_ASSERT_CLOSE(codes, expected, BATCH * N_UNITS, 1e-5);
    /* Not a trivial comparison: each sample's first updates set units. */
    ck_assert_uint_ge(changed, BATCH * (T < 3 ? T : 3));

    /* This file's CoD is the solver's: after whole iterations (k updates
     * each), the same codes. */
    if (T % N_UNITS == 0) {
        sc_solver *solver = NULL;
        ck_assert_int_eq(sc_solver_create(&solver, d, N_IN, N_UNITS), SC_OK);
        ck_assert_int_eq(sc_solver_set(solver, SC_SOLVER_PARAM_METHOD,
                                       SC_SOLVER_METHOD_COD), SC_OK);
        ck_assert_int_eq(sc_solver_set(solver, SC_SOLVER_PARAM_LAMBDA, LAMBDA),
                         SC_OK);
        ck_assert_int_eq(sc_solver_set(solver, SC_SOLVER_PARAM_NONNEGATIVE,
                                       nonnegative), SC_OK);
        ck_assert_int_eq(sc_solver_set(solver, SC_SOLVER_PARAM_TOLERANCE, 0),
                         SC_OK);
        ck_assert_int_eq(sc_solver_set(solver, SC_SOLVER_PARAM_MAX_ITERATIONS,
                                       (double)(T / N_UNITS)), SC_OK);
        float solved[BATCH * N_UNITS], mine[BATCH * N_UNITS];
        ck_assert_int_eq(sc_solver_run(solver, x, BATCH, solved, NULL),
                         SC_OK);
        for (size_t b = 0; b < BATCH; b++) {
            coordinate_descent(d, N_IN, N_UNITS, x + b * N_IN, nonnegative,
                               T, z, zbar);
            for (size_t i = 0; i < N_UNITS; i++)
                mine[b * N_UNITS + i] = (float)z[i];
        }
        TU_ASSERT_CLOSE(mine, solved, BATCH * N_UNITS, 1e-5);
        sc_solver_free(solver);
    }
    sc_model_free(m);
}
END_TEST

/* ---- inference ------------------------------------------------------------ */

/* An LCoD model with a classifier, trained a few steps with every term. */
static sc_model *trained(int shrink)
{
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_ENCODER, SC_ENCODER_LCOD}, {SC_MODEL_PARAM_ITERATIONS, 6},
        {SC_MODEL_PARAM_SHRINK, shrink}, {SC_MODEL_PARAM_CLASSES, 3},
        {SC_MODEL_PARAM_CLASS_WEIGHT, 1}, {SC_MODEL_PARAM_L1_WEIGHT, 0.05},
        {SC_MODEL_PARAM_REGRESSION_WEIGHT, 0.5}, {SC_MODEL_PARAM_OPTIMIZER,
                                            SC_OPTIMIZER_ADAM},
        {SC_MODEL_PARAM_LEARNING_RATE, 0.01}};
    sc_model *m = tu_model(N_IN, N_UNITS, settings, 9, 17);
    tu_data d = tu_data_make(64, N_IN, N_UNITS, 3, 18);
    tu_train(m, &d, 16, 0, 10, NULL);
    tu_data_free(&d);
    return m;
}

static const float *weights_of(const sc_model *m, sc_weight which)
{
    const float *w;
    size_t rows, cols;
    ck_assert_int_eq(sc_model_weights(m, which, &w, &rows, &cols), SC_OK);
    return w;
}

static double shrink_value(int shrink, double v, double theta)
{
    double m = shrink == SC_SHRINK_RELU ? v - theta : fabs(v) - theta;
    if (m <= 0)
        return 0.0;
    return shrink == SC_SHRINK_RELU ? m : copysign(m, v);
}

/* (E5) in double from the model's weights, for one sample. */
static void lcod_in_double(const sc_model *m, int shrink, size_t T,
                           const float *x, double *z)
{
    const float *we = weights_of(m, SC_WEIGHT_ENCODER);
    const float *s = weights_of(m, SC_WEIGHT_LATERAL);
    const float *theta = weights_of(m, SC_WEIGHT_THRESHOLD);
    double b[N_UNITS], state[N_UNITS] = {0};
    for (size_t i = 0; i < N_UNITS; i++) {
        b[i] = 0.0;
        for (size_t r = 0; r < N_IN; r++)
            b[i] += (double)we[i * N_IN + r] * x[r];
    }
    for (size_t t = 0; t < T; t++) {
        size_t j = 0;
        double largest = -1.0;
        for (size_t i = 0; i < N_UNITS; i++) {
            double d = fabs(shrink_value(shrink, b[i], theta[i]) - state[i]);
            if (d > largest) {
                largest = d;
                j = i;
            }
        }
        double value = shrink_value(shrink, b[j], theta[j]);
        for (size_t i = 0; i < N_UNITS; i++)
            b[i] += (double)s[i * N_UNITS + j] * (value - state[j]);
        state[j] = value;
    }
    for (size_t i = 0; i < N_UNITS; i++)
        z[i] = shrink_value(shrink, b[i], theta[i]);
}

/* A trained model's codes follow (E5), its reconstructions (E3) and
 * class probabilities (L4) are those of its codes, and no call writes
 * into the model or its inputs.  _i: the shrink. */
START_TEST(inference_follows_the_equations)
{
    sc_model *m = trained(_i);
    enum { K = 3 };
    float x[BATCH * N_IN], copy[BATCH * N_IN], codes[BATCH * N_UNITS];
    float expected[BATCH * N_UNITS], xhat[BATCH * N_IN];
    float probs[BATCH * K], own[BATCH * K];
    int32_t labels[BATCH];
    tu_fill(x, BATCH * N_IN, 19, -1, 1);
    memcpy(copy, x, sizeof x);
    tu_snapshot before;
    tu_snapshot_take(m, &before);
    ck_assert_int_eq(sc_model_encode(m, x, BATCH, codes), SC_OK);
    ck_assert_int_eq(sc_model_decode(m, codes, BATCH, xhat), SC_OK);
    ck_assert_int_eq(sc_model_predict(m, x, BATCH, labels, probs), SC_OK);
    TU_ASSERT_UNCHANGED(m, &before);
    tu_snapshot_free(&before);
    ck_assert(memcmp(x, copy, sizeof x) == 0);

    size_t active = 0;
    for (size_t b = 0; b < BATCH; b++) {
        double z[N_UNITS];
        lcod_in_double(m, _i, 6, x + b * N_IN, z);
        for (size_t i = 0; i < N_UNITS; i++) {
            expected[b * N_UNITS + i] = (float)z[i];
            active += z[i] != 0.0;
        }
    }
    TU_ASSERT_CLOSE(codes, expected, BATCH * N_UNITS, 1e-5);
    ck_assert_uint_gt(active, 0);

    /* x^ = W_d z; p = softmax(C z/|z| + c), labels its argmax. */
    const float *wd = weights_of(m, SC_WEIGHT_DECODER);
    const float *c = weights_of(m, SC_WEIGHT_CLASSIFIER);
    const float *bias = weights_of(m, SC_WEIGHT_CLASS_BIAS);
    float own_xhat[BATCH * N_IN];
    for (size_t b = 0; b < BATCH; b++) {
        const float *z = codes + b * N_UNITS;
        double norm = 1e-8, s[K], top = -INFINITY, sum = 0.0;
        for (size_t r = 0; r < N_IN; r++) {
            double v = 0.0;
            for (size_t i = 0; i < N_UNITS; i++)
                v += (double)wd[r * N_UNITS + i] * z[i];
            own_xhat[b * N_IN + r] = (float)v;
        }
        for (size_t i = 0; i < N_UNITS; i++)
            norm += (double)z[i] * z[i];
        for (size_t q = 0; q < K; q++) {
            s[q] = bias[q];
            for (size_t i = 0; i < N_UNITS; i++)
                s[q] += (double)c[q * N_UNITS + i] * z[i] / sqrt(norm);
            top = s[q] > top ? s[q] : top;
        }
        for (size_t q = 0; q < K; q++)
            sum += exp(s[q] - top);
        size_t best = 0;
        for (size_t q = 0; q < K; q++) {
            own[b * K + q] = (float)(exp(s[q] - top) / sum);
            best = own[b * K + q] > own[b * K + best] ? q : best;
        }
        ck_assert_int_eq(labels[b], (int32_t)best);
    }
    TU_ASSERT_CLOSE(xhat, own_xhat, BATCH * N_IN, 1e-5);
    TU_ASSERT_CLOSE(probs, own, BATCH * K, 1e-5);
    sc_model_free(m);
}
END_TEST

#define THREADS 4
#define THREAD_BATCH 300   /* more than one chunk of inference */
#define ROUNDS 10

typedef struct {
    const sc_model *m;
    const float *x, *codes;
    int ok;
} job;

static void *encode_repeatedly(void *arg)
{
    job *j = arg;
    float *codes = malloc(THREAD_BATCH * N_UNITS * sizeof *codes);
    j->ok = codes != NULL;
    for (int r = 0; r < ROUNDS && j->ok; r++) {
        j->ok &= sc_model_encode(j->m, j->x, THREAD_BATCH, codes) == SC_OK;
        j->ok &= memcmp(codes, j->codes,
                        THREAD_BATCH * N_UNITS * sizeof *codes) == 0;
    }
    free(codes);
    return NULL;
}

/* Threads encoding with one const model get the serial codes, bit for
 * bit: the scratch is per call. */
START_TEST(concurrent_encoding)
{
    sc_model *m = trained(SC_SHRINK_SOFT);
    static float x[THREAD_BATCH * N_IN], codes[THREAD_BATCH * N_UNITS];
    tu_fill(x, THREAD_BATCH * N_IN, 20, -1, 1);
    ck_assert_int_eq(sc_model_encode(m, x, THREAD_BATCH, codes), SC_OK);
    pthread_t threads[THREADS];
    job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (job){m, x, codes, 0};
        ck_assert_int_eq(pthread_create(&threads[t], NULL, encode_repeatedly,
                                        &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
        ck_assert_msg(jobs[t].ok, "thread %d got other codes", t);
    }
    sc_model_free(m);
}
END_TEST

/* ---- training ------------------------------------------------------------ */

/* e = sum |z - z*|^2 / sum |z*|^2. */
static double relative_error(const float *z, const float *target,
                             size_t count)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < count; i++) {
        num += ((double)z[i] - target[i]) * ((double)z[i] - target[i]);
        den += (double)target[i] * target[i];
    }
    return num / den;
}

/* LISTA's experiment in small (docs/lista.md) with LCoD: an encoder of T
 * coordinate steps, initialised as CoD on a dictionary D, trained to
 * regress the optimal codes z* of D, predicts them better, on the
 * training data and on held-out data.  _i: the shrink. */
START_TEST(training_regresses_optimal_codes)
{
    enum { N = 12, K = 20, TRAIN = 256, TEST = 64, B = 32, EPOCHS = 30 };
    int shrink = _i;
    /* D: a random unit-norm dictionary, that of a model's init. */
    sc_model *source = tu_model(N, K, NULL, 0, 21);
    static float d[N * K];
    memcpy(d, weights_of(source, SC_WEIGHT_DECODER), sizeof d);
    sc_model_free(source);

    static float x[(TRAIN + TEST) * N], zs[(TRAIN + TEST) * K];
    static float z[(TRAIN + TEST) * K];
    tu_fill(x, (TRAIN + TEST) * N, 22, -1, 1);
    sc_solver *solver = NULL;
    ck_assert_int_eq(sc_solver_create(&solver, d, N, K), SC_OK);
    ck_assert_int_eq(sc_solver_set(solver, SC_SOLVER_PARAM_LAMBDA, LAMBDA),
                     SC_OK);
    ck_assert_int_eq(sc_solver_set(solver, SC_SOLVER_PARAM_NONNEGATIVE,
                                   shrink == SC_SHRINK_RELU), SC_OK);
    ck_assert_int_eq(sc_solver_set(solver, SC_SOLVER_PARAM_TOLERANCE, 1e-7),
                     SC_OK);
    ck_assert_int_eq(sc_solver_set(solver, SC_SOLVER_PARAM_MAX_ITERATIONS,
                                   20000),
                     SC_OK);
    ck_assert_int_eq(sc_solver_run(solver, x, TRAIN + TEST, zs, NULL), SC_OK);
    sc_solver_free(solver);

    const tu_setting settings[] = {
        {SC_MODEL_PARAM_ENCODER, SC_ENCODER_LCOD}, {SC_MODEL_PARAM_ITERATIONS, 4},
        {SC_MODEL_PARAM_SHRINK, shrink}, {SC_MODEL_PARAM_L1_WEIGHT, LAMBDA},
        {SC_MODEL_PARAM_INIT_STEP, 1}, {SC_MODEL_PARAM_RECON_WEIGHT, 0},
        {SC_MODEL_PARAM_REGRESSION_WEIGHT, 1},
        {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM},
        {SC_MODEL_PARAM_LEARNING_RATE, 3e-3}};
    sc_model *m = tu_model(N, K, settings, 9, TU_NO_INIT);
    ck_assert_int_eq(sc_model_init_dictionary(m, d), SC_OK);
    tu_set(m, SC_MODEL_PARAM_L1_WEIGHT, 0);

    ck_assert_int_eq(sc_model_encode(m, x, TRAIN + TEST, z), SC_OK);
    double train0 = relative_error(z, zs, TRAIN * K);
    double test0 = relative_error(z + TRAIN * K, zs + TRAIN * K, TEST * K);
    for (int e = 0; e < EPOCHS; e++)
        for (size_t b = 0; b + B <= TRAIN; b += B)
            ck_assert_int_eq(sc_model_step(m, x + b * N, NULL, zs + b * K, B,
                                           NULL), SC_OK);
    ck_assert_int_eq(sc_model_encode(m, x, TRAIN + TEST, z), SC_OK);
    double train1 = relative_error(z, zs, TRAIN * K);
    double test1 = relative_error(z + TRAIN * K, zs + TRAIN * K, TEST * K);
    /* Measured: soft 0.223 -> 0.065 and 0.280 -> 0.117, relu 0.403 ->
     * 0.121 and 0.375 -> 0.167. */
    ck_assert_msg(train1 <= 0.6 * train0 && test1 <= 0.7 * test0,
                  "shrink %d: training error %g -> %g, held-out %g -> %g",
                  shrink, train0, train1, test0, test1);
    sc_model_free(m);
}
END_TEST

Suite *lcod_suite(void)
{
    Suite *s = suite_create("lcod");
    TCase *model = tcase_create("model");
    tcase_add_test(model, encoder_parameter);
    tcase_add_test(model, local_model_refused);
    tcase_add_loop_test(model, codes_are_coordinate_descent_at_init, 0, 8);
    suite_add_tcase(s, model);

    TCase *infer = tcase_create("inference");
    tcase_add_loop_test(infer, inference_follows_the_equations, 0, 2);
    tcase_add_test(infer, concurrent_encoding);
    suite_add_tcase(s, infer);

    TCase *train = tcase_create("training");
    tcase_add_loop_test(train, training_regresses_optimal_codes, 0, 2);
    suite_add_tcase(s, train);
    return s;
}
