/* SPDX-License-Identifier: BSD-2-Clause */
/* parallel.h -- a blocking parallel for, for the local operator's
 * positions and samples.
 *
 * Why not OpenMP: its threads busy-wait between regions (GOMP's default
 * wait policy), and with a threaded BLAS whose own workers spin too, a
 * training step of a local model ran 8x slower on 2 cores than with one
 * thread (docs/local.md).  These threads are created per call and joined,
 * so nothing spins; a region costs some tens of microseconds, which is why
 * callers only split work worth several MFLOP. */
#ifndef SC_PARALLEL_H
#define SC_PARALLEL_H

#include <stddef.h>

/* The body of a parallel loop: runs items [begin, end) as thread number
 * `thread` (0 is the calling thread), e.g. to pick a scratch slice. */
typedef void (*sc_parallel_body)(void *arg, size_t begin, size_t end,
                                 size_t thread);

/* The threads sc_parallel_for may use: the online processors, at least 1
 * and at most SC_PARALLEL_MAX_THREADS. */
#define SC_PARALLEL_MAX_THREADS 64
size_t sc_parallel_threads(void);

/* Splits [0, count) into `threads` contiguous ranges (the first ones one
 * longer when count does not divide) and runs each on its own thread, the
 * caller running range 0; returns when all are done.  If a thread cannot
 * be started, the caller runs its range too, so the call never fails.
 * threads is capped at count and at SC_PARALLEL_MAX_THREADS. */
void sc_parallel_for(size_t count, size_t threads, sc_parallel_body body,
                     void *arg);

#endif
