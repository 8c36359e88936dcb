/* SPDX-License-Identifier: BSD-2-Clause */
/* shards.c -- the sample order of data-parallel training (shards.h). */
#include "batches.h"
#include "shards.h"

size_t shards_first(size_t count, size_t part, size_t parts)
{
    return count * part / parts;
}

size_t shards_steps(size_t count, size_t parts, size_t local)
{
    return count / parts / local;
}

unsigned long long shards_seed(unsigned long long seed, size_t part)
{
    return seed + 0x9E3779B97F4A7C15ULL * (unsigned long long)part;
}

void shards_epoch_order(size_t *order, size_t *batched, size_t count,
                        size_t parts, size_t local,
                        unsigned long long *rngs)
{
    size_t steps = shards_steps(count, parts, local), at = 0;
    for (size_t p = 0; p < parts; p++) {
        size_t first = shards_first(count, p, parts);
        size_t end = shards_first(count, p + 1, parts);
        batches_shuffle(order + first, end - first, &rngs[p]);
    }
    for (size_t s = 0; s < steps; s++)
        for (size_t p = 0; p < parts; p++)
            for (size_t i = 0; i < local; i++)
                batched[at++] = order[shards_first(count, p, parts) +
                                      s * local + i];
}
