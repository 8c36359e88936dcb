/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_drsae.c -- throughput of the DrSAE model 784-400, T = 11, on
 * Fashion-MNIST, against the sgemm rate that this same run measures for
 * the same sequence of sgemm shapes, on 1 thread and on every core:
 *
 *   training  batch 100 for 3,000 steps from a fresh init (the classifier
 *             on, Adam, as examples/drsae's phase 2): the rate of every
 *             500 steps as GFLOP/s and as a share of the sgemm rate of
 *             the step's shapes, measured for a second before and after
 *             each window (a shared virtual machine has slow spells of
 *             several seconds, which then weigh on both).  A training
 *             state that slows down as it ages (subnormal floats, after
 *             about 700 steps once) shows as a last window slower than
 *             the first.
 *   encoding  batch 4096 (samples/s and share of sgemm, the median of 5
 *             rounds that each time the library and then sgemm) and
 *             batch 1 (the median latency of one call on 1 thread and
 *             on every core, in alternated rounds).
 *
 *   bench_drsae [training steps, default 3000]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cblas.h>
#include <sparsecode.h>

#include "support/bench.h"

enum { N = 784, K = 400, T = 11, CLASSES = 10, TRAIN_BATCH = 100,
       BIG_BATCH = 4096 };

/* Seconds given to each sgemm rate and to each encoding measurement. */
#define SECONDS 3.0

/* One sgemm shape: C (m x n) = A (m x kk) B (kk x n). */
typedef struct {
    int m, n, kk, repeat;
} shape;

/* The sgemm calls of one training step at batch b (see src/step.c):
 * encoder, T-1 lateral steps, decode, its two gradients, the classifier's
 * three products, T-1 back-propagated lateral steps, dS over the stacked
 * steps, dW_e. */
static int training_shapes(int b, shape *s)
{
    shape list[] = {
        {b, K, N, 1},        {b, K, K, T - 1},     {b, N, K, 1},
        {b, K, N, 1},        {N, K, b, 1},         {b, CLASSES, K, 1},
        {CLASSES, K, b, 1},  {b, K, CLASSES, 1},   {b, K, K, T - 1},
        {K, K, (T - 1) * b, 1}, {K, N, b, 1}};
    int count = (int)(sizeof list / sizeof list[0]);
    for (int i = 0; i < count; i++)
        s[i] = list[i];
    return count;
}

/* The sgemm calls of encoding at batch b. */
static int encoding_shapes(int b, shape *s)
{
    s[0] = (shape){b, K, N, 1};
    s[1] = (shape){b, K, K, T - 1};
    return 2;
}

static double flops_of(const shape *s, int count)
{
    double f = 0;
    for (int i = 0; i < count; i++)
        f += 2.0 * s[i].m * s[i].n * s[i].kk * s[i].repeat;
    return f;
}

/* GFLOP/s of running the shapes back to back for about `seconds`, on
 * operands as large as the largest shape needs. */
static double sgemm_rate(const shape *s, int count, double seconds)
{
    size_t big = 0;
    for (int i = 0; i < count; i++) {
        size_t sizes[3] = {(size_t)s[i].m * (size_t)s[i].kk,
                           (size_t)s[i].kk * (size_t)s[i].n,
                           (size_t)s[i].m * (size_t)s[i].n};
        for (int j = 0; j < 3; j++)
            big = sizes[j] > big ? sizes[j] : big;
    }
    float *a = calloc(big, sizeof(float)), *b = calloc(big, sizeof(float)),
          *c = calloc(big, sizeof(float));
    if (a == NULL || b == NULL || c == NULL) {
        fprintf(stderr, "bench_drsae: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < big; i++)
        a[i] = b[i] = 0.001f * (float)(i % 1000);
    long runs = 0;
    double start = bench_now(), elapsed;
    do {
        for (int i = 0; i < count; i++)
            for (int r = 0; r < s[i].repeat; r++)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                            s[i].m, s[i].n, s[i].kk, 1.0f, a, s[i].kk, b,
                            s[i].n, 0.0f, c, s[i].n);
        runs++;
    } while ((elapsed = bench_now() - start) < seconds);
    free(a);
    free(b);
    free(c);
    return flops_of(s, count) * (double)runs / elapsed * 1e-9;
}

/* The sgemm rate of one training step's shapes, over REFERENCE_SECONDS:
 * measured between the windows of the training run. */
#define REFERENCE_SECONDS 1.0

typedef struct {
    shape shapes[16];
    int count;
} training_reference;

static double training_rate(void *arg)
{
    const training_reference *r = arg;
    return sgemm_rate(r->shapes, r->count, REFERENCE_SECONDS);
}

/* The model of examples/drsae in its phase 2, initialised from the data. */
static sc_model *make_model(const bench_data *d, size_t threads)
{
    const bench_setting settings[] = {
        {SC_MODEL_PARAM_ITERATIONS, T},      {SC_MODEL_PARAM_CLASSES, CLASSES},
        {SC_MODEL_PARAM_CLASS_WEIGHT, 1.0},  {SC_MODEL_PARAM_L1_WEIGHT, 0.02},
        {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM},
        {SC_MODEL_PARAM_LEARNING_RATE, 1e-3},
        {SC_MODEL_PARAM_CLASSIFIER_MAX_NORM, 20},
        {SC_MODEL_PARAM_THREADS, (double)threads}};
    return bench_model(N, K, settings, sizeof settings / sizeof settings[0],
                       d);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ROUNDS rounds, each a measurement of the library's and one of the
 * reference's, back to back, so that a slow spell of the machine weighs
 * on both; the median round counts. */
#define ROUNDS 5

/* Encoding BIG_BATCH samples per call: samples/s and share of the sgemm
 * rate of its shapes, each round over SECONDS / ROUNDS twice. */
static void measure_encoding(const sc_model *m, const bench_data *d,
                             float *codes, size_t threads)
{
    shape s[2];
    int count = encoding_shapes(BIG_BATCH, s);
    double flops = flops_of(s, count) / BIG_BATCH;
    double rate[ROUNDS], gemm[ROUNDS], share[ROUNDS], sorted[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        long calls = 0;
        double start = bench_now(), elapsed;
        do {
            bench_check(sc_model_encode(m, d->x, BIG_BATCH, codes),
                  "sc_model_encode");
            calls++;
        } while ((elapsed = bench_now() - start) < SECONDS / ROUNDS);
        rate[r] = (double)calls * BIG_BATCH / elapsed;
        gemm[r] = sgemm_rate(s, count, SECONDS / ROUNDS);
        sorted[r] = share[r] = rate[r] * flops * 1e-9 / gemm[r];
    }
    qsort(sorted, ROUNDS, sizeof *sorted, by_value);
    int r = 0;
    while (share[r] != sorted[ROUNDS / 2])
        r++;
    printf("encode batch %d, %zu thread%s: %8.0f samples/s %7.1f GFLOP/s  "
           "%5.1f%% of sgemm (%.1f GFLOP/s); median of %d rounds, shares "
           "%.0f-%.0f%%\n", BIG_BATCH, threads, threads == 1 ? "" : "s",
           rate[r], rate[r] * flops * 1e-9, 100.0 * share[r], gemm[r],
           ROUNDS, 100.0 * sorted[0], 100.0 * sorted[ROUNDS - 1]);
}

/* The median seconds of one call encoding one sample, over `seconds` (at
 * most LATENCIES calls). */
#define LATENCIES 100000

static double median_latency(const sc_model *m, const bench_data *d,
                             float *codes, double *scratch, double seconds)
{
    size_t calls = 0;
    double start = bench_now(), before = start, after;
    do {
        bench_check(sc_model_encode(m, d->x + (calls % d->count) * N, 1,
                                    codes),
              "sc_model_encode");
        after = bench_now();
        scratch[calls++] = after - before;
        before = after;
    } while (after - start < seconds && calls < LATENCIES);
    qsort(scratch, calls, sizeof *scratch, by_value);
    return scratch[calls / 2];
}

/* Encoding one sample per call on 1 thread and on `all`, alternated in
 * ROUNDS rounds: the median latency of each. */
static void measure_latency(const bench_data *train, const bench_data *test,
                            float *codes, size_t all)
{
    sc_model *m = make_model(train, 1);
    double *scratch = malloc(LATENCIES * sizeof *scratch);
    double latency[2][ROUNDS];
    size_t counts[2] = {1, all};
    if (scratch == NULL)
        exit(1);
    for (int r = 0; r < ROUNDS; r++)
        for (int c = 0; c < 2; c++) {
            bench_set_blas_threads(counts[c]);
            latency[c][r] = median_latency(m, test, codes, scratch,
                                           SECONDS / ROUNDS);
        }
    for (int c = 0; c < 2; c++)
        qsort(latency[c], ROUNDS, sizeof latency[c][0], by_value);
    printf("encode batch 1: median %.1f us per call on 1 thread, %.1f us on "
           "%zu (%.2fx); %d alternated rounds\n", 1e6 * latency[0][ROUNDS / 2],
           1e6 * latency[1][ROUNDS / 2], all,
           latency[1][ROUNDS / 2] / latency[0][ROUNDS / 2], ROUNDS);
    free(scratch);
    sc_model_free(m);
}

int main(int argc, char **argv)
{
    long steps = argc > 1 ? atol(argv[1]) : 3000;
    if (steps < BENCH_WINDOW) {
        fprintf(stderr, "usage: bench_drsae [training steps >= %d]\n",
                BENCH_WINDOW);
        return 2;
    }
    bench_print_machine();
    bench_data train = bench_fashion_mnist(0), test = bench_fashion_mnist(1);
    printf("model %d-%d, T = %d, %d classes, relu, recon + L1 + class, "
           "Adam; Fashion-MNIST, unit-norm images\n", N, K, T, CLASSES);
    float *codes = malloc((size_t)BIG_BATCH * K * sizeof(float));
    if (codes == NULL || test.count < BIG_BATCH)
        return 1;

    size_t all = (size_t)sysconf(_SC_NPROCESSORS_ONLN);
    size_t counts[2] = {1, all};
    for (int c = 0; c < (all > 1 ? 2 : 1); c++) {
        size_t threads = bench_set_blas_threads(counts[c]);
        sc_model *m = make_model(&train, threads);
        training_reference ref;
        ref.count = training_shapes(TRAIN_BATCH, ref.shapes);
        bench_sustained run = bench_train(m, &train, TRAIN_BATCH,
                                          (size_t)steps, training_rate, &ref);
        char what[64];
        snprintf(what, sizeof what, "train batch %d, %zu thread%s",
                 TRAIN_BATCH, threads, threads == 1 ? "" : "s");
        bench_print_sustained(what, &run,
                              flops_of(ref.shapes, ref.count) / TRAIN_BATCH);
        measure_encoding(m, &test, codes, threads);
        sc_model_free(m);
    }
    if (all > 1)
        measure_latency(&train, &test, codes, all);
    free(codes);
    bench_data_free(&train);
    bench_data_free(&test);
    return 0;
}
