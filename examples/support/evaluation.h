/* SPDX-License-Identifier: BSD-2-Clause */
/* evaluation.h -- the examples' measures of a trained model on held-out
 * data. */
#ifndef EXAMPLE_EVALUATION_H
#define EXAMPLE_EVALUATION_H

#include <stddef.h>
#include <stdint.h>

#include <sparsecode.h>

/* Encodes and decodes count samples of x: *recon = sum |x - xhat|^2 /
 * sum |x|^2 (0 for all-zero x) and *active = the fraction of code entries
 * that are non-zero.  Returns 0, or 1 after reporting a failure as
 * `program`. */
int evaluation_reconstruction(const char *program, const sc_model *m,
                              const float *x, size_t count, double *recon,
                              double *active);

/* The percentage of the count samples of x whose predicted class is not
 * their label y.  Returns 0, or 1 after reporting a failure as
 * `program`. */
int evaluation_test_error(const char *program, const sc_model *m,
                          const float *x, const int32_t *y, size_t count,
                          double *percent);

#endif
