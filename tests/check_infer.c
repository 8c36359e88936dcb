/* SPDX-License-Identifier: BSD-2-Clause */
/* check_infer.c -- encode, decode and predict: argument checks, outputs
 * untouched on failure, agreement with the header's equations, batch
 * independence, and concurrent use of one const model. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

#define N_IN 8
#define N_UNITS 12
#define CLASSES 3
#define BATCH 37
#define SENTINEL 12345.5f

/* A model with a classifier, trained a few steps with the class term on so
 * that its classifier is not zero; _shrink picks relu or soft. */
static sc_model *trained(int shrink)
{
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_ITERATIONS, 4}, {SC_MODEL_PARAM_SHRINK, shrink},
        {SC_MODEL_PARAM_CLASSES, CLASSES}, {SC_MODEL_PARAM_CLASS_WEIGHT, 1},
        {SC_MODEL_PARAM_L1_WEIGHT, 0.05}};
    sc_model *m = tu_model(N_IN, N_UNITS, settings, 5, 17);
    tu_data d = tu_data_make(64, N_IN, N_UNITS, CLASSES, 18);
    tu_train(m, &d, 16, 0, 10, NULL);
    tu_data_free(&d);
    return m;
}

static void fill_sentinel(float *x, size_t count)
{
    for (size_t i = 0; i < count; i++)
        x[i] = SENTINEL;
}

static void assert_sentinel(const float *x, size_t count)
{
    for (size_t i = 0; i < count; i++)
        ck_assert_msg(x[i] == SENTINEL, "output [%zu] written on failure",
                      i);
}

static void assert_labels_sentinel(const int32_t *labels, size_t count)
{
    for (size_t i = 0; i < count; i++)
        ck_assert_msg(labels[i] == -7, "label [%zu] written on failure", i);
}

/* Runs one of the three calls (0 encode, 1 decode, 2 predict with labels
 * and probs) with pre-filled outputs; asserts `expected`, the outputs
 * untouched, and the message naming the function. */
static void expect_failure(const sc_model *m, int call, const float *in,
                           size_t batch, sc_status expected)
{
    static const char *const names[] = {"sc_model_encode", "sc_model_decode",
                                        "sc_model_predict"};
    float out[BATCH * N_UNITS];
    int32_t labels[BATCH];
    fill_sentinel(out, BATCH * N_UNITS);
    for (size_t i = 0; i < BATCH; i++)
        labels[i] = -7;
    sc_status s;
    if (call == 0)
        s = sc_model_encode(m, in, batch, out);
    else if (call == 1)
        s = sc_model_decode(m, in, batch, out);
    else
        s = sc_model_predict(m, in, batch, labels, out);
    ck_assert_msg(s == expected, "%s gave %s, expected %s", names[call],
                  sc_status_string(s), sc_status_string(expected));
    assert_sentinel(out, BATCH * N_UNITS);
    assert_labels_sentinel(labels, BATCH);
    TU_ASSERT_CONTAINS(sc_last_message(), names[call]);
}

/* ---- errors -------------------------------------------------------------- */

START_TEST(null_arguments)
{
    sc_model *m = trained(SC_SHRINK_RELU);
    float in[BATCH * N_UNITS], out[BATCH * N_UNITS];
    int32_t labels[BATCH];
    tu_fill(in, BATCH * N_UNITS, 3, -1, 1);
    fill_sentinel(out, BATCH * N_UNITS);
    ck_assert_int_eq(sc_model_encode(NULL, in, 1, out), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_encode(m, NULL, 1, out), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_encode(m, in, 1, NULL), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_decode(NULL, in, 1, out), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_decode(m, NULL, 1, out), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_decode(m, in, 1, NULL), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_predict(NULL, in, 1, labels, out), SC_ERR_NULL);
    ck_assert_int_eq(sc_model_predict(m, NULL, 1, labels, out), SC_ERR_NULL);
    /* "At least one of labels and probs must be given." */
    ck_assert_int_eq(sc_model_predict(m, in, 1, NULL, NULL), SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_predict");
    assert_sentinel(out, BATCH * N_UNITS);
    sc_model_free(m);
}
END_TEST

START_TEST(batch_zero)
{
    sc_model *m = trained(SC_SHRINK_RELU);
    float in[BATCH * N_UNITS];
    tu_fill(in, BATCH * N_UNITS, 3, -1, 1);
    for (int call = 0; call < 3; call++)
        expect_failure(m, call, in, 0, SC_ERR_SIZE);
    sc_model_free(m);
}
END_TEST

START_TEST(batch_overflow)
{
    /* batch * k overflows: a caller cannot own such buffers, so the size
     * is refused before anything is read. */
    sc_model *m = trained(SC_SHRINK_RELU);
    float in[BATCH * N_UNITS];
    tu_fill(in, BATCH * N_UNITS, 3, -1, 1);
    const size_t huge[] = {SIZE_MAX, SIZE_MAX / N_UNITS + 1,
                           SIZE_MAX / 2 + 1};
    for (size_t h = 0; h < sizeof huge / sizeof huge[0]; h++)
        for (int call = 0; call < 3; call++)
            expect_failure(m, call, in, huge[h], SC_ERR_SIZE);
    sc_model_free(m);
}
END_TEST

START_TEST(before_init)
{
    sc_model *m = tu_model(N_IN, N_UNITS,
                           (tu_setting[]){{SC_MODEL_PARAM_CLASSES, CLASSES}}, 1,
                           TU_NO_INIT);
    float in[BATCH * N_UNITS];
    tu_fill(in, BATCH * N_UNITS, 3, -1, 1);
    for (int call = 0; call < 3; call++)
        expect_failure(m, call, in, 1, SC_ERR_STATE);
    sc_model_free(m);
}
END_TEST

START_TEST(nonfinite_input)
{
    sc_model *m = trained(SC_SHRINK_RELU);
    float in[BATCH * N_UNITS];
    const float bad[] = {NAN, INFINITY, -INFINITY};
    for (int call = 0; call < 3; call++) {
        size_t width = call == 1 ? N_UNITS : N_IN;
        const size_t where[] = {0, 5 * width + 3, BATCH * width - 1};
        for (size_t b = 0; b < 3; b++)
            for (size_t w = 0; w < 3; w++) {
                tu_fill(in, BATCH * N_UNITS, 3, -1, 1);
                in[where[w]] = bad[b];
                expect_failure(m, call, in, BATCH, SC_ERR_NONFINITE);
            }
    }
    sc_model_free(m);
}
END_TEST

/* Overwrites every entry of one of the model's weight arrays, as a model
 * file with finite but huge weights would hold them.  The array belongs to
 * the model and is not const memory; writing it stands for such a file. */
static void set_weights(sc_model *m, sc_weight which, float value)
{
    const float *w;
    size_t rows, cols;
    ck_assert_int_eq(sc_model_weights(m, which, &w, &rows, &cols), SC_OK);
    for (size_t i = 0; i < rows * cols; i++)
        ((float *)w)[i] = value;
}

/* Finite input, finite weights, overflowing outputs: SC_ERR_NONFINITE
 * with a message saying so, never SC_OK with NaN or Inf (issue #14). */
START_TEST(overflow_is_reported)
{
    float x[BATCH * N_IN], codes[BATCH * N_UNITS], probs[BATCH * CLASSES];
    int32_t labels[BATCH];
    for (size_t i = 0; i < BATCH * N_IN; i++)
        x[i] = 0.5f;
    for (size_t i = 0; i < BATCH * N_UNITS; i++)
        codes[i] = 1.0f;

    sc_model *m = trained(SC_SHRINK_RELU);
    set_weights(m, SC_WEIGHT_DECODER, 3e38f);
    float xhat[BATCH * N_IN];
    ck_assert_int_eq(sc_model_decode(m, codes, BATCH, xhat),
                     SC_ERR_NONFINITE);
    ck_assert_ptr_nonnull(strstr(sc_last_message(), "sc_model_decode: the "
                                 "reconstruction overflowed"));
    sc_model_free(m);

    m = trained(SC_SHRINK_RELU);
    set_weights(m, SC_WEIGHT_ENCODER, 3e38f);
    ck_assert_int_eq(sc_model_encode(m, x, BATCH, codes), SC_ERR_NONFINITE);
    ck_assert_ptr_nonnull(strstr(sc_last_message(), "sc_model_encode: the "
                                 "codes overflowed"));
    ck_assert_int_eq(sc_model_predict(m, x, BATCH, labels, probs),
                     SC_ERR_NONFINITE);
    ck_assert_ptr_nonnull(strstr(sc_last_message(), "sc_model_predict: the "
                                 "class probabilities overflowed"));
    sc_model_free(m);
}
END_TEST

START_TEST(predict_without_classifier)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, 3);
    float in[BATCH * N_IN];
    tu_fill(in, BATCH * N_IN, 3, -1, 1);
    expect_failure(m, 2, in, BATCH, SC_ERR_STATE);
    int32_t labels[BATCH];
    for (size_t i = 0; i < BATCH; i++)
        labels[i] = -7;
    ck_assert_int_eq(sc_model_predict(m, in, BATCH, labels, NULL),
                     SC_ERR_STATE);
    assert_labels_sentinel(labels, BATCH);
    sc_model_free(m);
}
END_TEST

/* ---- results --------------------------------------------------------------- */

START_TEST(single_rows_match_batch)
{
    sc_model *m = trained(_i);
    float x[BATCH * N_IN], codes[BATCH * N_UNITS], xhat[BATCH * N_IN];
    float probs[BATCH * CLASSES];
    int32_t labels[BATCH];
    tu_fill(x, BATCH * N_IN, 4, -1, 1);
    ck_assert_int_eq(sc_model_encode(m, x, BATCH, codes), SC_OK);
    ck_assert_int_eq(sc_model_decode(m, codes, BATCH, xhat), SC_OK);
    ck_assert_int_eq(sc_model_predict(m, x, BATCH, labels, probs), SC_OK);
    for (size_t b = 0; b < BATCH; b++) {
        float z1[N_UNITS], x1[N_IN], p1[CLASSES];
        int32_t l1;
        ck_assert_int_eq(sc_model_encode(m, x + b * N_IN, 1, z1), SC_OK);
        TU_ASSERT_CLOSE(z1, codes + b * N_UNITS, N_UNITS, 1e-5);
        ck_assert_int_eq(sc_model_decode(m, codes + b * N_UNITS, 1, x1),
                         SC_OK);
        TU_ASSERT_CLOSE(x1, xhat + b * N_IN, N_IN, 1e-5);
        ck_assert_int_eq(sc_model_predict(m, x + b * N_IN, 1, &l1, p1),
                         SC_OK);
        TU_ASSERT_CLOSE(p1, probs + b * CLASSES, CLASSES, 1e-5);
    }
    sc_model_free(m);
}
END_TEST

/* h(a; theta) of the header, in double. */
static double shrink(int soft, double a, double theta)
{
    if (!soft)
        return a - theta > 0 ? a - theta : 0.0;
    double m = fabs(a) - theta;
    return m > 0 ? copysign(m, a) : 0.0;
}

static const float *weights_of(const sc_model *m, sc_weight which)
{
    const float *data;
    size_t rows, cols;
    ck_assert_int_eq(sc_model_weights(m, which, &data, &rows, &cols), SC_OK);
    return data;
}

START_TEST(results_follow_the_equations)
{
    /* a_1 = W_e x, a_t = W_e x + S z_{t-1}, z_t = h(a_t; theta), T = 4;
     * xhat = W_d z; probs = softmax(C z/|z| + c). */
    int soft = _i;
    sc_model *m = trained(soft);
    const float *we = weights_of(m, SC_WEIGHT_ENCODER);
    const float *s = weights_of(m, SC_WEIGHT_LATERAL);
    const float *theta = weights_of(m, SC_WEIGHT_THRESHOLD);
    const float *wd = weights_of(m, SC_WEIGHT_DECODER);
    const float *c = weights_of(m, SC_WEIGHT_CLASSIFIER);
    const float *cb = weights_of(m, SC_WEIGHT_CLASS_BIAS);
    float x[BATCH * N_IN], codes[BATCH * N_UNITS], xhat[BATCH * N_IN];
    float probs[BATCH * CLASSES];
    int32_t labels[BATCH];
    tu_fill(x, BATCH * N_IN, 5, -1, 1);
    ck_assert_int_eq(sc_model_encode(m, x, BATCH, codes), SC_OK);
    ck_assert_int_eq(sc_model_decode(m, codes, BATCH, xhat), SC_OK);
    ck_assert_int_eq(sc_model_predict(m, x, BATCH, labels, probs), SC_OK);
    size_t negative = 0, nonzero = 0;
    for (size_t b = 0; b < BATCH; b++) {
        double u[N_UNITS], z[N_UNITS], a[N_UNITS];
        for (size_t j = 0; j < N_UNITS; j++) {
            u[j] = 0.0;
            for (size_t i = 0; i < N_IN; i++)
                u[j] += (double)we[j * N_IN + i] * x[b * N_IN + i];
            z[j] = shrink(soft, u[j], theta[j]);
        }
        for (int t = 2; t <= 4; t++) {
            for (size_t j = 0; j < N_UNITS; j++) {
                a[j] = u[j];
                for (size_t l = 0; l < N_UNITS; l++)
                    a[j] += (double)s[j * N_UNITS + l] * z[l];
            }
            for (size_t j = 0; j < N_UNITS; j++)
                z[j] = shrink(soft, a[j], theta[j]);
        }
        float zf[N_UNITS], xf[N_IN], pf[CLASSES];
        double norm = 0.0;
        for (size_t j = 0; j < N_UNITS; j++) {
            zf[j] = (float)z[j];
            norm += z[j] * z[j];
            const float got = codes[b * N_UNITS + j];
            negative += got < 0.0f;
            nonzero += got != 0.0f;
            if (!soft)
                ck_assert_msg(got >= 0.0f, "relu code %g < 0", (double)got);
        }
        TU_ASSERT_CLOSE(codes + b * N_UNITS, zf, N_UNITS, 1e-4);
        for (size_t i = 0; i < N_IN; i++) {
            double v = 0.0;
            for (size_t j = 0; j < N_UNITS; j++)
                v += (double)wd[i * N_UNITS + j] * codes[b * N_UNITS + j];
            xf[i] = (float)v;
        }
        TU_ASSERT_CLOSE(xhat + b * N_IN, xf, N_IN, 1e-5);
        /* The default SC_MODEL_PARAM_NORMALIZE_CODE = 1 classifies z/|z|; the
         * library may add a tiny epsilon to |z|, hence the tolerance. */
        norm = sqrt(norm);
        double logit[CLASSES], top = -INFINITY, sum = 0.0;
        for (size_t k = 0; k < CLASSES; k++) {
            logit[k] = cb[k];
            for (size_t j = 0; j < N_UNITS; j++)
                logit[k] += (double)c[k * N_UNITS + j] *
                            (norm > 0 ? z[j] / norm : 0.0);
            top = logit[k] > top ? logit[k] : top;
        }
        for (size_t k = 0; k < CLASSES; k++)
            sum += exp(logit[k] - top);
        for (size_t k = 0; k < CLASSES; k++)
            pf[k] = (float)(exp(logit[k] - top) / sum);
        TU_ASSERT_CLOSE(probs + b * CLASSES, pf, CLASSES, 1e-4);
    }
    ck_assert_msg(nonzero > 0, "every code is zero: the test says nothing");
    if (soft)
        ck_assert_msg(negative > 0, "soft shrink gave no negative code");
    sc_model_free(m);
}
END_TEST

START_TEST(probabilities_and_labels)
{
    sc_model *m = trained(SC_SHRINK_RELU);
    float x[BATCH * N_IN], probs[BATCH * CLASSES], probs2[BATCH * CLASSES];
    int32_t labels[BATCH], labels2[BATCH];
    tu_fill(x, BATCH * N_IN, 6, -1, 1);
    ck_assert_int_eq(sc_model_predict(m, x, BATCH, labels, probs), SC_OK);
    for (size_t b = 0; b < BATCH; b++) {
        double sum = 0.0;
        int32_t best = 0;
        for (int32_t k = 0; k < CLASSES; k++) {
            float p = probs[b * CLASSES + (size_t)k];
            ck_assert(p >= 0.0f && p <= 1.0f);
            sum += p;
            if (p > probs[b * CLASSES + (size_t)best])
                best = k;
        }
        ck_assert_msg(fabs(sum - 1.0) <= 1e-5, "row %zu sums to %.9g", b,
                      sum);
        ck_assert_int_eq(labels[b], best);
    }
    /* Labels only and probabilities only give the same answers. */
    ck_assert_int_eq(sc_model_predict(m, x, BATCH, labels2, NULL), SC_OK);
    ck_assert(memcmp(labels, labels2, sizeof labels) == 0);
    ck_assert_int_eq(sc_model_predict(m, x, BATCH, NULL, probs2), SC_OK);
    ck_assert(memcmp(probs, probs2, sizeof probs) == 0);
    sc_model_free(m);
}
END_TEST

START_TEST(inputs_only_read)
{
    sc_model *m = trained(SC_SHRINK_SOFT);
    float x[BATCH * N_IN], copy[BATCH * N_IN], codes[BATCH * N_UNITS];
    float ccopy[BATCH * N_UNITS], xhat[BATCH * N_IN], probs[BATCH * CLASSES];
    int32_t labels[BATCH];
    tu_fill(x, BATCH * N_IN, 7, -1, 1);
    memcpy(copy, x, sizeof x);
    tu_snapshot before;
    tu_snapshot_take(m, &before);
    ck_assert_int_eq(sc_model_encode(m, x, BATCH, codes), SC_OK);
    memcpy(ccopy, codes, sizeof codes);
    ck_assert_int_eq(sc_model_decode(m, codes, BATCH, xhat), SC_OK);
    ck_assert_int_eq(sc_model_predict(m, x, BATCH, labels, probs), SC_OK);
    ck_assert(memcmp(x, copy, sizeof x) == 0);
    ck_assert(memcmp(codes, ccopy, sizeof codes) == 0);
    TU_ASSERT_UNCHANGED(m, &before);
    tu_snapshot_free(&before);
    sc_model_free(m);
}
END_TEST

/* ---- threads ----------------------------------------------------------------- */

#define THREADS 4
#define THREAD_BATCH 64
#define ROUNDS 25

typedef struct {
    const sc_model *m;
    const float *x;
    const float *codes;    /* serial results */
    const float *xhat;
    const float *probs;
    int ok;
} job;

static void *infer_repeatedly(void *arg)
{
    job *j = arg;
    float codes[THREAD_BATCH * N_UNITS], xhat[THREAD_BATCH * N_IN];
    float probs[THREAD_BATCH * CLASSES];
    int32_t labels[THREAD_BATCH];
    j->ok = 1;
    for (int r = 0; r < ROUNDS && j->ok; r++) {
        j->ok &= sc_model_encode(j->m, j->x, THREAD_BATCH, codes) == SC_OK;
        j->ok &= memcmp(codes, j->codes, sizeof codes) == 0;
        j->ok &= sc_model_decode(j->m, codes, THREAD_BATCH, xhat) == SC_OK;
        j->ok &= memcmp(xhat, j->xhat, sizeof xhat) == 0;
        j->ok &= sc_model_predict(j->m, j->x, THREAD_BATCH, labels, probs) ==
                 SC_OK;
        j->ok &= memcmp(probs, j->probs, sizeof probs) == 0;
    }
    return NULL;
}

START_TEST(concurrent_inference)
{
    sc_model *m = trained(SC_SHRINK_RELU);
    float x[THREAD_BATCH * N_IN], codes[THREAD_BATCH * N_UNITS];
    float xhat[THREAD_BATCH * N_IN], probs[THREAD_BATCH * CLASSES];
    int32_t labels[THREAD_BATCH];
    tu_fill(x, THREAD_BATCH * N_IN, 8, -1, 1);
    ck_assert_int_eq(sc_model_encode(m, x, THREAD_BATCH, codes), SC_OK);
    ck_assert_int_eq(sc_model_decode(m, codes, THREAD_BATCH, xhat), SC_OK);
    ck_assert_int_eq(sc_model_predict(m, x, THREAD_BATCH, labels, probs),
                     SC_OK);
    pthread_t threads[THREADS];
    job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (job){m, x, codes, xhat, probs, 0};
        ck_assert_int_eq(pthread_create(&threads[t], NULL, infer_repeatedly,
                                        &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
        ck_assert_msg(jobs[t].ok, "thread %d got other results", t);
    }
    sc_model_free(m);
}
END_TEST

/* ---- slow: only with SC_SLOW_TESTS set ---------------------------------- */

START_TEST(small_batches_follow_the_equations)
{
    /* Up to 16 samples, the dense forward runs in blocks of rows (src/
     * operator.c); 17 run as one product.  Each batch size, at a size
     * where the blocks split the matrix (n = 600, k = 500: blocks of 27
     * rows at 16 samples), decodes and encodes (T = 1: z = relu(W_e x -
     * theta)) as the equations say, in double, within float rounding:
     * 2^-20 of the sum of the terms' magnitudes. */
    enum { WN = 600, WK = 500, MOST = 17 };
    sc_model *m = tu_model(WN, WK, (tu_setting[]){{SC_MODEL_PARAM_ITERATIONS,
                           1}},
                           1, 23);
    const float *we = weights_of(m, SC_WEIGHT_ENCODER);
    const float *theta = weights_of(m, SC_WEIGHT_THRESHOLD);
    const float *wd = weights_of(m, SC_WEIGHT_DECODER);
    float *x = malloc(MOST * WN * sizeof(float));
    float *z = malloc(MOST * WK * sizeof(float));
    float *out = malloc(MOST * (WN + WK) * sizeof(float));
    ck_assert(x != NULL && z != NULL && out != NULL);
    tu_fill(x, MOST * WN, 31, -1, 1);
    tu_fill(z, MOST * WK, 32, 0, 1);
    const size_t batches[] = {1, 2, 5, 16, 17};
    size_t positive = 0;
    for (size_t c = 0; c < sizeof batches / sizeof batches[0]; c++) {
        size_t batch = batches[c];
        ck_assert_int_eq(sc_model_decode(m, z, batch, out), SC_OK);
        for (size_t b = 0; b < batch; b++)
            for (size_t i = 0; i < WN; i++) {
                double ref = 0, size = 0;
                for (size_t j = 0; j < WK; j++) {
                    double t = (double)wd[i * WK + j] * z[b * WK + j];
                    ref += t;
                    size += fabs(t);
                }
                ck_assert_msg(fabs(out[b * WN + i] - ref) <=
                                  0x1p-20 * size,
                              "batch %zu: xhat[%zu][%zu] = %.9g, expected "
                              "%.9g", batch, b, i, out[b * WN + i], ref);
            }
        ck_assert_int_eq(sc_model_encode(m, x, batch, out), SC_OK);
        for (size_t b = 0; b < batch; b++)
            for (size_t j = 0; j < WK; j++) {
                double u = -(double)theta[j], size = fabs(theta[j]);
                for (size_t i = 0; i < WN; i++) {
                    double t = (double)we[j * WN + i] * x[b * WN + i];
                    u += t;
                    size += fabs(t);
                }
                double ref = u > 0 ? u : 0;
                positive += ref > 0;
                ck_assert_msg(fabs(out[b * WK + j] - ref) <= 0x1p-20 * size,
                              "batch %zu: z[%zu][%zu] = %.9g, expected %.9g",
                              batch, b, j, out[b * WK + j], ref);
            }
    }
    ck_assert_msg(positive > 0, "every code is zero: the test says nothing");
    free(x);
    free(z);
    free(out);
    sc_model_free(m);
}
END_TEST

START_TEST(large_batch_at_many_iterations)
{
    /* "Any batch size >= 1"; SC_ERR_SIZE only for batch 0 or batch * k
     * overflowing.  At T = 1000 a batch of INT_MAX / 1000 + 1 (8.6 MB of
     * input for n = k = 1) must encode like one sample at a time.  About
     * 7 s at -O2, hence the opt-in. */
    sc_model *m = tu_model(1, 1, (tu_setting[]){{SC_MODEL_PARAM_ITERATIONS,
                           1000}},
                           1, 3);
    size_t batch = (size_t)INT_MAX / 1000 + 1;
    float *x = malloc(batch * sizeof(float));
    float *z = malloc(batch * sizeof(float));
    ck_assert(x != NULL && z != NULL);
    tu_fill(x, batch, 9, -1, 1);
    sc_status s = sc_model_encode(m, x, batch, z);
    ck_assert_msg(s == SC_OK, "encode of %zu samples: %s (%s)", batch,
                  sc_status_string(s), sc_last_message());
    float one;
    ck_assert_int_eq(sc_model_encode(m, x + batch - 1, 1, &one), SC_OK);
    ck_assert(one == z[batch - 1]);
    free(x);
    free(z);
    sc_model_free(m);
}
END_TEST

Suite *infer_suite(void)
{
    Suite *s = suite_create("infer");

    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, null_arguments);
    tcase_add_test(errors, batch_zero);
    tcase_add_test(errors, batch_overflow);
    tcase_add_test(errors, before_init);
    tcase_add_test(errors, nonfinite_input);
    tcase_add_test(errors, predict_without_classifier);
    tcase_add_test(errors, overflow_is_reported);
    suite_add_tcase(s, errors);

    TCase *results = tcase_create("results");
    tcase_add_loop_test(results, single_rows_match_batch, 0, 2);
    tcase_add_loop_test(results, results_follow_the_equations, 0, 2);
    tcase_add_test(results, small_batches_follow_the_equations);
    tcase_add_test(results, probabilities_and_labels);
    tcase_add_test(results, inputs_only_read);
    suite_add_tcase(s, results);

    TCase *threads = tcase_create("threads");
    tcase_add_test(threads, concurrent_inference);
    suite_add_tcase(s, threads);

    if (getenv("SC_SLOW_TESTS") != NULL) {
        TCase *slow = tcase_create("slow");
        tcase_set_timeout(slow, 120);
        tcase_add_test(slow, large_batch_at_many_iterations);
        suite_add_tcase(s, slow);
    }
    return s;
}
