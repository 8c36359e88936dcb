/* SPDX-License-Identifier: BSD-2-Clause */
/* batches.c -- shuffling and gathering rows. */
#include <string.h>

#include "batches.h"

void batches_shuffle(size_t *order, size_t count, unsigned long long *rng)
{
    for (size_t i = count > 0 ? count - 1 : 0; i > 0; i--) {
        *rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t j = (size_t)((*rng >> 33) % (i + 1));
        size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

size_t batches_uniform(unsigned long long *rng, size_t n)
{
    *rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (size_t)((*rng >> 33) % n);
}

void batches_gather(float *dst, const float *src, const size_t *order,
                    size_t count, size_t dim)
{
    for (size_t i = 0; i < count; i++)
        memcpy(dst + i * dim, src + order[i] * dim, dim * sizeof(float));
}
