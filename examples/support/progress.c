/* SPDX-License-Identifier: BSD-2-Clause */
/* progress.c -- [#####.....]  45%  27000/60000  5123 samples/s  status */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

double progress_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void draw(progress *p, const char *status, int final)
{
    const int width = 24;
    double elapsed = progress_now() - p->started;
    int filled = p->total ? (int)(width * p->done / p->total) : width;
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[width] = 0;
    fprintf(stderr, "%s%-10s [%s] %3d%% %6zu/%zu %7.0f samples/s  %s%s",
            p->tty ? "\r" : "", p->label, bar,
            p->total ? (int)(100 * p->done / p->total) : 100, p->done,
            p->total, elapsed > 0 ? (double)p->done / elapsed : 0.0,
            status ? status : "", p->tty && !final ? "\033[K" : "\n");
    fflush(stderr);
}

void progress_start(progress *p, const char *label, size_t total)
{
    p->label = label;
    p->total = total;
    p->done = 0;
    p->started = p->last_draw = progress_now();
    p->tty = isatty(2);
}

void progress_update(progress *p, size_t step, const char *status)
{
    p->done += step;
    double now = progress_now();
    /* On a terminal redraw often; in a log file, a line every 10 s. */
    if (now - p->last_draw >= (p->tty ? 0.1 : 10.0)) {
        p->last_draw = now;
        draw(p, status, 0);
    }
}

void progress_finish(progress *p, const char *status)
{
    draw(p, status, 1);
}
