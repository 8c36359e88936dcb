/* SPDX-License-Identifier: BSD-2-Clause */
/* bench.h -- what the benchmarks share: the clock, the machine's name,
 * OpenBLAS's thread count, the training data and the sustained training
 * run that every model's benchmark reports. */
#ifndef BENCH_SUPPORT_H
#define BENCH_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include <sparsecode.h>

/* Seconds on the monotonic clock. */
double bench_now(void);

/* Exits with the status and the library's message unless s is SC_OK;
 * `what` names the call. */
void bench_check(sc_status s, const char *what);

/* Prints the library's version, the CPU's model name, the online
 * processors, and the BLAS with its kernel. */
void bench_print_machine(void);

/* The threads OpenBLAS uses from now on (nothing for another BLAS, which
 * then runs one); returns the count in effect. */
size_t bench_set_blas_threads(size_t threads);

/* Fashion-MNIST's training or test images (Debian's dataset-fashion-mnist),
 * each scaled to unit L2 norm as examples/drsae does, and their labels.
 * Exits with a message naming the package if they cannot be read. */
typedef struct {
    size_t count, dim, rows, cols;
    float *x;
    int32_t *labels;
} bench_data;

bench_data bench_fashion_mnist(int test);
void bench_data_free(bench_data *d);

/* A new n x k model with the settings applied in order, initialised from
 * d's samples with seed 1.  Exits with the library's message on a
 * failure. */
typedef struct {
    sc_model_param id;
    double value;
} bench_setting;

sc_model *bench_model(size_t n, size_t k, const bench_setting *settings,
                      size_t count, const bench_data *d);

/* The rates of a long training run, in BENCH_WINDOW-step windows, and
 * beside each window a reference rate measured just before and just
 * after it (GFLOP/s), so that a slow spell of the machine, which lasts
 * seconds on a shared virtual machine, weighs on both. */
#define BENCH_WINDOW 500
#define BENCH_MAX_WINDOWS 64
typedef struct {
    size_t windows;
    double rate[BENCH_MAX_WINDOWS];          /* samples/s of each window */
    double reference[BENCH_MAX_WINDOWS + 1]; /* before window w: [w] */
} bench_sustained;

/* A reference rate in GFLOP/s, measured when called; 0 if none. */
typedef double (*bench_reference)(void *arg);

/* Trains m for `steps` steps of `batch` samples taken in order from d
 * (wrapping around), timing each window of BENCH_WINDOW steps and calling
 * reference (if not NULL) before the first window and after each.  Exits
 * with the library's message if a step fails. */
bench_sustained bench_train(sc_model *m, const bench_data *d, size_t batch,
                            size_t steps, bench_reference reference,
                            void *arg);

/* Prints every window's samples/s on one line (and, with flops per sample
 * and reference rates, its share of the mean of the references on either
 * side), then the first and the last window in full. */
void bench_print_sustained(const char *what, const bench_sustained *s,
                           double flops);

#endif
