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

/* The rates of a long training run, in WINDOW-step windows. */
#define BENCH_WINDOW 500
#define BENCH_MAX_WINDOWS 64
typedef struct {
    size_t windows;
    double rate[BENCH_MAX_WINDOWS];   /* samples/s of each window */
} bench_sustained;

/* Trains m for `steps` steps of `batch` samples taken in order from d
 * (wrapping around), timing each window of BENCH_WINDOW steps.  Exits
 * with the library's message if a step fails. */
bench_sustained bench_train(sc_model *m, const bench_data *d, size_t batch,
                            size_t steps);

/* Prints the rate of every window on one line, then the first and the
 * last window's rates, with `flops` per sample (if > 0) as GFLOP/s and,
 * when sgemm_gflops > 0 too, as a share of that sgemm rate. */
void bench_print_sustained(const char *what, const bench_sustained *s,
                           double flops, double sgemm_gflops);

#endif
