/* SPDX-License-Identifier: BSD-2-Clause */
/* rng.c -- splitmix64 (Steele, Lea & Flood 2014) and what is built on it. */
#include <math.h>

#include "rng.h"

void sc_rng_seed(sc_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

uint64_t sc_rng_next(sc_rng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double sc_rng_uniform(sc_rng *rng)
{
    return (double)(sc_rng_next(rng) >> 11) * 0x1.0p-53;
}

double sc_rng_normal(sc_rng *rng)
{
    double u1 = 1.0 - sc_rng_uniform(rng); /* (0, 1]: log is finite */
    double u2 = sc_rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint64_t sc_rng_below(sc_rng *rng, uint64_t bound)
{
    /* Rejection keeps the result unbiased. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t r;
    do
        r = sc_rng_next(rng);
    while (r >= limit);
    return r % bound;
}
