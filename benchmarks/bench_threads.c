/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_threads.c -- how the library's threads and the BLAS's share the
 * cores (docs/threads.md): encoding Fashion-MNIST's 10,000 test images
 *
 *   dense    the DrSAE model 784-400, T = 11: its products run on the
 *            BLAS's threads (sc_blas_set_threads 1 and 2), from one
 *            caller thread, and from 2 caller threads each encoding half
 *            (oversubscribed with 2 BLAS threads on 2 cores);
 *   local    examples/local's model (28 x 28, 7 x 7 windows at stride 3,
 *            8 maps, T = 3): its window products on the library's threads
 *            (SC_MODEL_PARAM_THREADS 1 and 2, changed at run time on one
 *            model), its lateral products on the BLAS's.
 *
 * Each figure is the best of `rounds` (default 5) alternated rounds, in
 * images per second; the local model's codes are compared bit for bit
 * across its thread counts.
 *
 *   bench_threads [rounds]
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sparsecode.h>

#include "support/bench.h"

enum { MAX_SETTINGS = 8, MAX_CONFIGS = 8 };

typedef struct {
    const sc_model *m;
    const float *x;
    size_t batch;
    float *codes;
} job;

static void *encode_job(void *arg)
{
    job *j = arg;
    bench_check(sc_model_encode(j->m, j->x, j->batch, j->codes),
                "sc_model_encode");
    return NULL;
}

/* Seconds to encode d on `callers` threads of ours, each a contiguous
 * share. */
static double encode_time(const sc_model *m, const bench_data *d,
                          float *codes, size_t callers)
{
    size_t k = sc_model_units(m), share = (d->count + callers - 1) / callers;
    pthread_t ids[4];
    job jobs[4];
    double start = bench_now();
    for (size_t c = 0; c < callers; c++) {
        size_t first = c * share;
        size_t count = first + share <= d->count ? share : d->count - first;
        jobs[c] = (job){m, d->x + first * d->dim, count, codes + first * k};
        if (c > 0)
            pthread_create(&ids[c], NULL, encode_job, &jobs[c]);
    }
    encode_job(&jobs[0]);
    for (size_t c = 1; c < callers; c++)
        pthread_join(ids[c], NULL);
    return bench_now() - start;
}

/* One measured configuration. */
typedef struct {
    const char *what;
    sc_model *m;
    double model_threads;     /* SC_MODEL_PARAM_THREADS */
    size_t blas_threads, callers;
    double best;              /* seconds */
} config;

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    bench_print_machine();
    bench_data d = bench_fashion_mnist(1);
    const bench_setting dense_settings[] = {
        {SC_MODEL_PARAM_ITERATIONS, 11}, {SC_MODEL_PARAM_CLASSES, 10}};
    sc_model *dense = bench_model(784, 400, dense_settings, 2, &d);
    size_t local_k = 0;
    bench_check(sc_model_local_units(1, 28, 28, 7, 3, 8, &local_k),
                "sc_model_local_units");
    const bench_setting local_settings[] = {
        {SC_MODEL_PARAM_LOCAL_FIELD, 7}, {SC_MODEL_PARAM_LOCAL_STRIDE, 3},
        {SC_MODEL_PARAM_IMAGE_HEIGHT, 28}, {SC_MODEL_PARAM_IMAGE_WIDTH, 28},
        {SC_MODEL_PARAM_ITERATIONS, 3}};
    sc_model *local = bench_model(784, local_k, local_settings, 5, &d);

    config configs[] = {
        {"dense, BLAS 1 thread, 1 caller", dense, 0, 1, 1, 1e9},
        {"dense, BLAS 2 threads, 1 caller", dense, 0, 2, 1, 1e9},
        {"dense, BLAS 1 thread, 2 callers", dense, 0, 1, 2, 1e9},
        {"dense, BLAS 2 threads, 2 callers", dense, 0, 2, 2, 1e9},
        {"local, library 1, BLAS 1", local, 1, 1, 1, 1e9},
        {"local, library 2, BLAS 1", local, 2, 1, 1, 1e9},
        {"local, library 2, BLAS 2", local, 2, 2, 1, 1e9},
    };
    size_t count = sizeof configs / sizeof configs[0];
    size_t widest = local_k > 400 ? local_k : 400;
    float *codes = malloc(d.count * widest * sizeof(float));
    float *reference = malloc(d.count * local_k * sizeof(float));
    int local_identical = 1, have_reference = 0;
    for (int r = 0; r < rounds; r++)
        for (size_t c = 0; c < count; c++) {
            config *g = &configs[c];
            bench_check(sc_model_set(g->m, SC_MODEL_PARAM_THREADS,
                                     g->model_threads), "sc_model_set");
            bench_set_blas_threads(g->blas_threads);
            double t = encode_time(g->m, &d, codes, g->callers);
            if (t < g->best)
                g->best = t;
            if (g->m == local) {
                if (!have_reference)
                    memcpy(reference, codes, d.count * local_k * sizeof(float));
                have_reference = 1;
                local_identical &= memcmp(reference, codes, d.count * local_k *
                                          sizeof(float)) == 0;
            }
        }
    printf("encoding %zu test images, best of %d rounds (images/s):\n",
           d.count, rounds);
    for (size_t c = 0; c < count; c++)
        printf("  %-36s %9.0f\n", configs[c].what,
               (double)d.count / configs[c].best);
    printf("local codes identical across thread counts: %s\n",
           local_identical ? "yes" : "NO");
    free(codes);
    free(reference);
    sc_model_free(dense);
    sc_model_free(local);
    bench_data_free(&d);
    return local_identical ? 0 : 1;
}
