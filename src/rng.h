/* SPDX-License-Identifier: BSD-2-Clause */
/* rng.h -- a small deterministic generator (splitmix64), so that the same
 * seed gives the same weights on every platform and BLAS. */
#ifndef SC_RNG_H
#define SC_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t state;
} sc_rng;

void sc_rng_seed(sc_rng *rng, uint64_t seed);
uint64_t sc_rng_next(sc_rng *rng);
/* Uniform in [0, 1). */
double sc_rng_uniform(sc_rng *rng);
/* Standard normal (Box-Muller). */
double sc_rng_normal(sc_rng *rng);
/* Uniform integer in [0, bound), bound >= 1. */
uint64_t sc_rng_below(sc_rng *rng, uint64_t bound);

#endif
