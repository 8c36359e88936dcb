/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_local.c -- GFLOP/s of the local unshared operator (src/
 * operator_local.c) against the sgemm rate this same run measures.
 *
 *   bench_local [seconds per measurement, default 1] [training steps,
 *               default 3000]
 *
 * For each geometry (the one of examples/local and a larger one) and each
 * verb -- forward (encoder: codes = patches x filters), transpose
 * (decoder: patches added back into images) and the weight gradient -- it
 * prints the useful GFLOP/s, 2 * batch * units * (C*r*r) per call, and
 * that rate as a fraction of two sgemm rates measured in the same run:
 *
 *   dense   the rate of one sgemm of batch x units x n, the dense layer the
 *           local operator replaces (a large, efficient product: the
 *           machine's sgemm limit at this size, on as many threads as the
 *           operator has; the target is >= 50 % of it);
 *   blocks  the rate of the per-position sgemms alone (positions products
 *           of batch x f x C*r*r), which is what the operator's sgemm path
 *           is made of: the rest of it is gathering and scattering
 *           windows.
 *
 * Each geometry runs with 1 thread and with one per online processor
 * (SC_MODEL_PARAM_THREADS = 1 and 0); OpenBLAS is given the same number for the
 * two sgemm rates.  Every figure is the fastest 5 ms window of 3
 * interleaved rounds (this machine's speed drifts).  The BLAS and its
 * kernel are named first.  Each verb is timed as the operator runs it (on
 * the AVX2 kernels where the CPU has them and they are the faster,
 * operator_local.c) and, where that is the AVX2 kernels, on the sgemm path
 * too.
 *
 * Last, the model of examples/local (the first geometry, T = 3, a
 * classifier, Adam) trains on Fashion-MNIST for 3,000 steps from a fresh
 * init, on 1 thread and on every core: the rate of every 500 steps, so
 * that a training state that slows down as it ages shows as a last window
 * slower than the first.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cblas.h>
#include <sparsecode.h>

#include "operator.h"
#include "operator_local.h"
#include "parallel.h"
#include "support/bench.h"

typedef struct {
    const char *name;
    size_t batch, c, h, w, r, stride, f;
} geometry;

static const geometry geometries[] = {
    {"examples/local: 28x28, 7x7 at stride 3, 8 maps", 100, 1, 28, 28, 7,
     3, 8},
    {"larger: 3x32x32, 8x8 at stride 4, 32 maps", 256, 3, 32, 32, 8, 4, 32},
};

/* The verbs, in the order of SC_LOCAL_VERB_* (operator_local.h). */
#define VERB_COUNT 3
static const char *const verb_names[] = {"forward", "transpose", "gradient"};

typedef struct {
    const sc_operator *op;
    size_t batch;
    float *x, *y, *grad, *scratch;
} workload;

static void run_verb(const workload *wl, int verb)
{
    const sc_operator *op = wl->op;
    switch (verb) {
    case SC_LOCAL_VERB_FORWARD:
        sc_operator_local_forward(op, wl->batch, wl->x, 0.0f, wl->y,
                                  wl->scratch);
        break;
    case SC_LOCAL_VERB_TRANSPOSE:
        sc_operator_local_transpose(op, wl->batch, wl->y, 0.0f, wl->x,
                                    wl->scratch);
        break;
    default:
        sc_operator_local_accumulate_gradient(op, wl->batch, wl->y, wl->x,
                                              1.0f, 0.0f, wl->grad,
                                              wl->scratch);
    }
}

/* The best seconds per call of run(arg) over `seconds`: the calls are
 * timed in windows of at least WINDOW seconds, and the fastest window
 * counts.  A virtual machine's neighbours steal whole slices of time; the
 * best window is the speed of the code, not of the neighbours. */
#define WINDOW 0.005

static double best_time(void (*run)(const void *), const void *arg,
                        double seconds)
{
    double best = 1e30, start = bench_now(), t0 = start, t;
    long calls = 0;
    do {
        run(arg);
        calls++;
        t = bench_now();
        if (t - t0 >= WINDOW) {
            if ((t - t0) / (double)calls < best)
                best = (t - t0) / (double)calls;
            calls = 0;
            t0 = t;
        }
    } while (t - start < seconds);
    return best;
}

typedef struct {
    const workload *wl;
    int verb;
} verb_call;

static void run_verb_call(const void *p)
{
    const verb_call *v = p;
    run_verb(v->wl, v->verb);
}

static double time_verb(const workload *wl, int verb, double seconds)
{
    verb_call v = {wl, verb};
    return best_time(run_verb_call, &v, seconds);
}

/* repeat sgemms of m x n x k (row-major, B transposed as in forward). */
typedef struct {
    int m, n, k, repeat;
    const float *a, *b;
    float *c;
} sgemm_call;

static void run_sgemm_call(const void *p)
{
    const sgemm_call *s = p;
    for (int i = 0; i < s->repeat; i++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s->m, s->n,
                    s->k, 1.0f, s->a, s->k, s->b, s->k, 0.0f, s->c, s->n);
}

/* Seconds per `repeat` sgemms of m x n x k. */
static double time_sgemm(int m, int n, int k, int repeat, float *a, float *b,
                         float *c, double seconds)
{
    sgemm_call call = {m, n, k, repeat, a, b, c};
    return best_time(run_sgemm_call, &call, seconds);
}

static void bench(const geometry *g, size_t threads, double seconds)
{
    sc_operator op;
    if (sc_operator_init_local(&op, g->c, g->h, g->w, g->r, g->stride,
                               g->f) != 0) {
        fprintf(stderr, "bench_local: bad geometry %s\n", g->name);
        exit(1);
    }
    op.local.threads = threads;
    bench_set_blas_threads(threads);
    size_t batch = g->batch, rows = op.rows, cols = op.cols;
    size_t patch = op.local.patch;
    size_t positions = op.local.hout * op.local.wout;
    /* The operator's kernels: the AVX2 ones where the CPU has them, and
     * the sgemm path in any case, in one scratch large enough for both. */
    int kernels = op.local.vector_kernels ? 2 : 1;
    int vector[VERB_COUNT]; /* the verbs the operator runs on AVX2 */
    for (int v = 0; v < VERB_COUNT; v++)
        vector[v] = sc_local_vector_verb(&op, v);
    size_t scratch = sc_operator_scratch_floats(&op, batch);
    op.local.vector_kernels = 0;
    if (sc_operator_scratch_floats(&op, batch) > scratch)
        scratch = sc_operator_scratch_floats(&op, batch);
    workload wl = {&op, batch, malloc(batch * cols * sizeof(float)),
                   malloc(batch * rows * sizeof(float)),
                   malloc(op.weight_count * sizeof(float)),
                   malloc(scratch * sizeof(float))};
    size_t dense_big = (batch > rows ? batch : rows) * cols;
    float *a = malloc(dense_big * sizeof(float));
    float *b = malloc(dense_big * sizeof(float));
    float *c = malloc(batch * rows * sizeof(float));
    if (!wl.x || !wl.y || !wl.grad || !wl.scratch || !a || !b || !c) {
        fprintf(stderr, "bench_local: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < batch * cols; i++)
        wl.x[i] = (float)(i % 97) * 0.01f;
    for (size_t i = 0; i < batch * rows; i++)
        wl.y[i] = (float)(i % 89) * 0.01f;
    for (size_t i = 0; i < op.weight_count; i++)
        op.weights[i] = (float)(i % 83) * 0.01f;
    for (size_t i = 0; i < dense_big; i++)
        a[i] = b[i] = (float)(i % 101) * 0.01f;

    double best[2][VERB_COUNT], dense = 1e30, blocks = 1e30;
    for (int k = 0; k < 2; k++)
        for (int v = 0; v < VERB_COUNT; v++)
            best[k][v] = 1e30;
    /* k = 0: each verb as the operator runs it; k = 1: on the sgemm path,
     * for the verbs the operator runs on AVX2. */
    for (int round = 0; round < 3; round++) {
        for (int k = 0; k < kernels; k++) {
            op.local.vector_kernels = k == 0 && kernels == 2;
            for (int v = 0; v < VERB_COUNT; v++) {
                if (k == 1 && !vector[v])
                    continue;
                double t = time_verb(&wl, v, seconds);
                if (t < best[k][v])
                    best[k][v] = t;
            }
        }
        double t = time_sgemm((int)batch, (int)rows, (int)cols, 1, a, b, c,
                              seconds);
        if (t < dense)
            dense = t;
        t = time_sgemm((int)batch, (int)g->f, (int)patch, (int)positions, a,
                       b, c, seconds);
        if (t < blocks)
            blocks = t;
    }
    double useful = 2.0 * (double)batch * (double)rows * (double)patch;
    double dense_rate = 2.0 * batch * rows * cols / dense / 1e9;
    double blocks_rate = useful / blocks / 1e9;
    printf("%s, batch %zu: %zu positions x %zu maps, patch %zu, "
           "%zu thread%s\n", g->name, batch, positions, g->f, patch, threads,
           threads == 1 ? "" : "s");
    printf("  sgemm dense %zux%zux%zu: %.1f GFLOP/s; per-position blocks: "
           "%.1f GFLOP/s\n", batch, rows, cols, dense_rate, blocks_rate);
    for (int k = 0; k < kernels; k++)
        for (int v = 0; v < VERB_COUNT; v++) {
            if (k == 1 && !vector[v])
                continue;
            double rate = useful / best[k][v] / 1e9;
            printf("  %-9s %-5s %8.3f ms  %6.1f GFLOP/s  %5.1f%% of dense "
                   "sgemm  %5.1f%% of blocks\n", verb_names[v],
                   vector[v] && k == 0 ? "AVX2" : "sgemm", 1e3 * best[k][v],
                   rate, 100.0 * rate / dense_rate,
                   100.0 * rate / blocks_rate);
        }
    free(wl.x);
    free(wl.y);
    free(wl.grad);
    free(wl.scratch);
    free(a);
    free(b);
    free(c);
    sc_operator_release(&op);
}

/* examples/local's model with its defaults, trained for `steps` steps on
 * `threads` threads (OpenBLAS's and the library's). */
static void sustained_training(const bench_data *d, size_t threads,
                               size_t steps)
{
    const geometry *g = &geometries[0];
    size_t units;
    bench_check(sc_model_local_units(g->c, g->h, g->w, g->r, g->stride, g->f,
                               &units),
          "sc_model_local_units");
    const bench_setting settings[] = {
        {SC_MODEL_PARAM_LOCAL_FIELD, (double)g->r},
        {SC_MODEL_PARAM_LOCAL_STRIDE, (double)g->stride},
        {SC_MODEL_PARAM_IMAGE_HEIGHT, (double)g->h},
        {SC_MODEL_PARAM_IMAGE_WIDTH, (double)g->w},
        {SC_MODEL_PARAM_ITERATIONS, 3},
        {SC_MODEL_PARAM_CLASSES, 10},
        {SC_MODEL_PARAM_CLASS_WEIGHT, 1.0},
        {SC_MODEL_PARAM_L1_WEIGHT, 0.02},
        {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM},
        {SC_MODEL_PARAM_LEARNING_RATE, 0.003},
        {SC_MODEL_PARAM_CLASSIFIER_MAX_NORM, 20},
        {SC_MODEL_PARAM_THREADS, (double)threads}};
    sc_model *m = bench_model(d->dim, units, settings,
                              sizeof settings / sizeof settings[0], d);
    bench_set_blas_threads(threads);
    bench_sustained run = bench_train(m, d, g->batch, steps, NULL, NULL);
    char what[128];
    snprintf(what, sizeof what, "train examples/local's model, batch %zu, "
             "%zu thread%s", g->batch, threads, threads == 1 ? "" : "s");
    bench_print_sustained(what, &run, 0);
    sc_model_free(m);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    long steps = argc > 2 ? atol(argv[2]) : 3000;
    if (!(seconds > 0) || steps < BENCH_WINDOW) {
        fprintf(stderr, "usage: bench_local [seconds per measurement] "
                "[training steps >= %d]\n", BENCH_WINDOW);
        return 2;
    }
    bench_print_machine();
    size_t all = sc_parallel_threads();
    for (size_t i = 0; i < sizeof geometries / sizeof geometries[0]; i++) {
        bench(&geometries[i], 1, seconds);
        if (all > 1)
            bench(&geometries[i], all, seconds);
    }
    bench_data train = bench_fashion_mnist(0);
    sustained_training(&train, 1, (size_t)steps);
    if (all > 1)
        sustained_training(&train, all, (size_t)steps);
    bench_data_free(&train);
    return 0;
}
