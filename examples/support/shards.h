/* SPDX-License-Identifier: BSD-2-Clause */
/* shards.h -- the sample order of data-parallel training: P ranks, each
 * holding one contiguous part of the training set (idx_read_part's
 * split) and drawing its local batch from its own shuffle of that part.
 * examples/drsae_mpi trains so; examples/drsae --shards P trains in one
 * process on the same global batches, for comparison. */
#ifndef EXAMPLE_SHARDS_H
#define EXAMPLE_SHARDS_H

#include <stddef.h>

/* The first sample of part `part` of `parts` of count samples:
 * count * part / parts (as idx_read_part). */
size_t shards_first(size_t count, size_t part, size_t parts);

/* The steps of an epoch: every rank takes the same number, the smallest
 * part's whole local batches, (count / parts) / local. */
size_t shards_steps(size_t count, size_t parts, size_t local);

/* The shuffle state of part `part` at the start of the run: seed + part
 * times an odd constant, so part 0 of 1 shuffles as the one-process
 * drsae does (with state seed). */
unsigned long long shards_seed(unsigned long long seed, size_t part);

/* One epoch of all parts in one process: each part's range of `order`
 * (count entries, kept between epochs, starting as 0..count-1) is
 * shuffled with its state rngs[part], and `batched` (steps * parts *
 * local entries) receives the global batches: for each step, part 0's
 * next local batch, then part 1's, ... */
void shards_epoch_order(size_t *order, size_t *batched, size_t count,
                        size_t parts, size_t local,
                        unsigned long long *rngs);

#endif
