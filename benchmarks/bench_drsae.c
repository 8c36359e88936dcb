/* bench_drsae.c -- throughput of the DrSAE model 784-400, T = 11:
 * training at batch 100, encoding at batch 1 and 1024.  Each figure is
 * given as samples/s, GFLOP/s, and as a fraction of the sgemm rate that
 * this same run measures for the same sequence of sgemm shapes.
 *
 *   bench_drsae [seconds per measurement, default 5]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cblas.h>
#include <sparsecode.h>

enum { N = 784, K = 400, T = 11, CLASSES = 10, TRAIN_BATCH = 100,
       BIG_BATCH = 1024 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

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

/* GFLOP/s of running the shapes back to back for about `seconds`. */
static double sgemm_rate(const shape *s, int count, double seconds)
{
    size_t big = (size_t)K * (T - 1) * BIG_BATCH + (size_t)N * BIG_BATCH;
    float *a = calloc(big, sizeof(float)), *b = calloc(big, sizeof(float)),
          *c = calloc(big, sizeof(float));
    for (size_t i = 0; i < big; i++)
        a[i] = b[i] = 0.001f * (float)(i % 1000);
    long runs = 0;
    double start = now(), elapsed;
    do {
        for (int i = 0; i < count; i++)
            for (int r = 0; r < s[i].repeat; r++)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                            s[i].m, s[i].n, s[i].kk, 1.0f, a, s[i].kk, b,
                            s[i].n, 0.0f, c, s[i].n);
        runs++;
    } while ((elapsed = now() - start) < seconds);
    free(a);
    free(b);
    free(c);
    return flops_of(s, count) * (double)runs / elapsed * 1e-9;
}

static void fill(float *x, size_t count, unsigned seed)
{
    for (size_t i = 0; i < count; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = (float)((seed >> 16) & 0xFF) / 255.0f * 0.07f;
    }
}

/* What is timed: training steps or encodings at one batch size. */
typedef struct {
    sc_model *model;
    const float *x;
    const int32_t *labels;
    float *codes;
    int batch, train;
} workload;

/* Samples per second of the workload over about `seconds`. */
static double workload_rate(const workload *w, double seconds)
{
    long calls = 0;
    double start = now(), elapsed;
    do {
        sc_status s = w->train
            ? sc_model_step(w->model, w->x, w->labels, NULL,
                            (size_t)w->batch, NULL)
            : sc_model_encode(w->model, w->x, (size_t)w->batch, w->codes);
        if (s != SC_OK) {
            fprintf(stderr, "bench_drsae: %s\n", sc_last_message());
            exit(1);
        }
        calls++;
    } while ((elapsed = now() - start) < seconds);
    return (double)calls * w->batch / elapsed;
}

/* Alternates the workload and its sgemm shapes for ROUNDS rounds and keeps
 * the best rate of each, so that a slow moment of the machine (other load,
 * clock changes) does not land on one side only. */
#define ROUNDS 5

static void measure(const char *what, const workload *w, const shape *s,
                    int count, double seconds)
{
    double best = 0, best_gemm = 0;
    for (int r = 0; r < ROUNDS; r++) {
        double rate = workload_rate(w, seconds / ROUNDS);
        double gemm = sgemm_rate(s, count, seconds / ROUNDS);
        if (rate > best)
            best = rate;
        if (gemm > best_gemm)
            best_gemm = gemm;
    }
    double flops = flops_of(s, count) / w->batch;
    double gflops = best * flops * 1e-9;
    printf("%-18s %9.0f samples/s %7.1f GFLOP/s   sgemm %6.1f GFLOP/s   "
           "%5.1f%% of sgemm\n", what, best, gflops, best_gemm,
           100.0 * gflops / best_gemm);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 5.0;
    if (seconds <= 0)
        seconds = 5.0;
    printf("libsparsecode %s, %s\n", sc_version_string(), sc_blas_name());
    printf("model %d-%d, T = %d, %d classes, relu, recon + L1 + class; "
           "best of %d rounds\n", N, K, T, CLASSES, ROUNDS);

    sc_model *m;
    float *x = malloc((size_t)BIG_BATCH * N * sizeof(float));
    float *z = malloc((size_t)BIG_BATCH * K * sizeof(float));
    int32_t labels[TRAIN_BATCH];
    fill(x, (size_t)BIG_BATCH * N, 1);
    for (int i = 0; i < TRAIN_BATCH; i++)
        labels[i] = i % CLASSES;
    if (x == NULL || z == NULL || sc_model_create(&m, N, K) != SC_OK ||
        sc_model_set(m, SC_PARAM_CLASSES, CLASSES) != SC_OK ||
        sc_model_set(m, SC_PARAM_CLASS_WEIGHT, 1.0) != SC_OK ||
        sc_model_set(m, SC_PARAM_L1_WEIGHT, 0.02) != SC_OK ||
        sc_model_set(m, SC_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM) != SC_OK ||
        sc_model_set(m, SC_PARAM_LEARNING_RATE, 1e-4) != SC_OK ||
        sc_model_init_data(m, x, BIG_BATCH, 1) != SC_OK) {
        fprintf(stderr, "bench_drsae: setup failed: %s\n", sc_last_message());
        return 1;
    }

    shape s[16];
    workload train = {m, x, labels, z, TRAIN_BATCH, 1};
    measure("train  batch 100", &train, s, training_shapes(TRAIN_BATCH, s),
            seconds);
    workload one = {m, x, NULL, z, 1, 0};
    measure("encode batch 1", &one, s, encoding_shapes(1, s), seconds);
    workload many = {m, x, NULL, z, BIG_BATCH, 0};
    measure("encode batch 1024", &many, s, encoding_shapes(BIG_BATCH, s),
            seconds);
    sc_model_free(m);
    free(x);
    free(z);
    return 0;
}
