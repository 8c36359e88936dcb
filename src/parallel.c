/* SPDX-License-Identifier: BSD-2-Clause */
/* parallel.c -- the blocking parallel for of parallel.h, on POSIX
 * threads. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <unistd.h>

#include "parallel.h"

size_t sc_parallel_threads(void)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online < 1)
        return 1;
    return (size_t)online < SC_PARALLEL_MAX_THREADS ? (size_t)online
                                                    : SC_PARALLEL_MAX_THREADS;
}

typedef struct {
    sc_parallel_body body;
    void *arg;
    size_t begin, end, thread;
} range;

static void *run_range(void *p)
{
    const range *r = p;
    r->body(r->arg, r->begin, r->end, r->thread);
    return NULL;
}

void sc_parallel_for(size_t count, size_t threads, sc_parallel_body body,
                     void *arg)
{
    if (threads > count)
        threads = count;
    if (threads > SC_PARALLEL_MAX_THREADS)
        threads = SC_PARALLEL_MAX_THREADS;
    if (threads <= 1) {
        if (count > 0)
            body(arg, 0, count, 0);
        return;
    }
    range ranges[SC_PARALLEL_MAX_THREADS];
    pthread_t ids[SC_PARALLEL_MAX_THREADS];
    int started[SC_PARALLEL_MAX_THREADS];
    size_t base = count / threads, extra = count % threads, at = 0;
    for (size_t t = 0; t < threads; t++) {
        size_t length = base + (t < extra);
        ranges[t] = (range){body, arg, at, at + length, t};
        at += length;
    }
    for (size_t t = 1; t < threads; t++)
        started[t] = pthread_create(&ids[t], NULL, run_range,
                                    &ranges[t]) == 0;
    run_range(&ranges[0]);
    for (size_t t = 1; t < threads; t++) {
        if (started[t])
            pthread_join(ids[t], NULL);
        else
            run_range(&ranges[t]);
    }
}
