/* SPDX-License-Identifier: BSD-2-Clause */
/* batches.h -- shuffled minibatches for the examples' training loops. */
#ifndef EXAMPLE_BATCHES_H
#define EXAMPLE_BATCHES_H

#include <stddef.h>

/* Shuffles order[0..count) in place (Fisher-Yates) with a 64-bit linear
 * congruential generator whose state is *rng: the same state gives the
 * same order on every platform. */
void batches_shuffle(size_t *order, size_t count, unsigned long long *rng);

/* A number uniform in [0, n) (n >= 1) from the same generator: the top
 * bits of the next state. */
size_t batches_uniform(unsigned long long *rng, size_t n);

/* Copies rows order[0..count) of src (dim floats each) into dst. */
void batches_gather(float *dst, const float *src, const size_t *order,
                    size_t count, size_t dim);

#endif
