/* SPDX-License-Identifier: BSD-2-Clause */
/* bench.c -- the benchmarks' shared pieces (bench.h). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../examples/support/idx.h"
#include "bench.h"

#define FASHION_MNIST "/usr/share/datasets/fashion-mnist"

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void bench_print_machine(void)
{
    char line[256], cpu[256] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "model name", 10) == 0) {
            const char *colon = strchr(line, ':');
            if (colon != NULL)
                snprintf(cpu, sizeof cpu, "%s", colon + 2);
            cpu[strcspn(cpu, "\n")] = '\0';
            break;
        }
    if (f != NULL)
        fclose(f);
    printf("libsparsecode %s; %s, %ld online processors; %s\n",
           sc_version_string(), cpu, sysconf(_SC_NPROCESSORS_ONLN),
           sc_blas_name());
}

size_t bench_set_blas_threads(size_t threads)
{
    /* SC_ERR_STATE for a BLAS without threads, which then runs one. */
    if (sc_blas_set_threads(threads) != SC_OK)
        return 1;
    return sc_blas_threads();
}

bench_data bench_fashion_mnist(int test)
{
    idx_data images, labels;
    char err[512];
    const char *prefix = test ? "t10k" : "train";
    char name[64];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
    int failed = idx_read_images(FASHION_MNIST, name, &images, err,
                                 sizeof err);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
    if (!failed)
        failed = idx_read_labels(FASHION_MNIST, name, &labels, err,
                                 sizeof err);
    if (failed) {
        fprintf(stderr, "bench: %s\n(install Debian's dataset-fashion-mnist; "
                "make bench does)\n", err);
        exit(1);
    }
    bench_data d = {images.count, images.rows * images.cols, images.rows,
                    images.cols, images.images, labels.labels};
    idx_normalize_rows(d.x, d.count, d.dim);
    return d;
}

void bench_data_free(bench_data *d)
{
    free(d->x);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

void bench_check(sc_status s, const char *what)
{
    if (s != SC_OK) {
        fprintf(stderr, "bench: %s: %s: %s\n", what, sc_status_string(s),
                sc_last_message());
        exit(1);
    }
}

sc_model *bench_model(size_t n, size_t k, const bench_setting *settings,
                      size_t count, const bench_data *d)
{
    sc_model *m;
    bench_check(sc_model_create(&m, n, k), "sc_model_create");
    for (size_t i = 0; i < count; i++)
        bench_check(sc_model_set(m, settings[i].id, settings[i].value),
              "sc_model_set");
    bench_check(sc_model_init_data(m, d->x, d->count, 1),
                "sc_model_init_data");
    return m;
}

bench_sustained bench_train(sc_model *m, const bench_data *d, size_t batch,
                            size_t steps, bench_reference reference,
                            void *arg)
{
    bench_sustained s = {0};
    size_t per_epoch = d->count / batch;
    s.reference[0] = reference != NULL ? reference(arg) : 0.0;
    double start = bench_now();
    for (size_t step = 0; step < steps; step++) {
        size_t first = (step % per_epoch) * batch;
        bench_check(sc_model_step(m, d->x + first * d->dim,
                                  d->labels + first, NULL, batch, NULL),
                    "sc_model_step");
        if ((step + 1) % BENCH_WINDOW == 0 && s.windows < BENCH_MAX_WINDOWS) {
            double t = bench_now();
            s.rate[s.windows++] = (double)(BENCH_WINDOW * batch) / (t - start);
            s.reference[s.windows] = reference != NULL ? reference(arg) : 0.0;
            start = bench_now();
        }
    }
    return s;
}

/* Window w's share of the sgemm rate around it, or 0 without one. */
static double share(const bench_sustained *s, size_t w, double flops)
{
    double around = 0.5 * (s->reference[w] + s->reference[w + 1]);
    return around > 0 ? s->rate[w] * flops * 1e-9 / around : 0.0;
}

void bench_print_sustained(const char *what, const bench_sustained *s,
                           double flops)
{
    if (s->windows == 0)
        return;
    int shares = flops > 0 && s->reference[0] > 0;
    printf("%s, per %d steps: samples/s%s\n ", what, BENCH_WINDOW,
           shares ? " (share of sgemm)" : "");
    for (size_t w = 0; w < s->windows; w++) {
        printf(" %.0f", s->rate[w]);
        if (shares)
            printf(" (%.0f%%)", 100.0 * share(s, w, flops));
    }
    printf("\n");
    size_t ends[2] = {0, s->windows - 1};
    for (int e = 0; e < 2; e++) {
        size_t w = ends[e];
        double rate = s->rate[w];
        printf("  steps %5zu-%-5zu %8.0f samples/s", w * BENCH_WINDOW + 1,
               (w + 1) * BENCH_WINDOW, rate);
        if (flops > 0)
            printf(" %7.1f GFLOP/s", rate * flops * 1e-9);
        if (shares)
            printf("  %5.1f%% of sgemm (%.1f and %.1f GFLOP/s around it)",
                   100.0 * share(s, w, flops), s->reference[w],
                   s->reference[w + 1]);
        printf("\n");
    }
    printf("  last / first: %.2f\n", s->rate[s->windows - 1] / s->rate[0]);
}
