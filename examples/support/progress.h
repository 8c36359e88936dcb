/* SPDX-License-Identifier: BSD-2-Clause */
/* progress.h -- a one-line progress bar on stderr for the examples. */
#ifndef EXAMPLE_PROGRESS_H
#define EXAMPLE_PROGRESS_H

#include <stddef.h>

typedef struct {
    const char *label;
    size_t total, done;
    double started, last_draw;
    int tty;
} progress;

double progress_now(void);    /* seconds, monotonic */
void progress_start(progress *p, const char *label, size_t total);
/* Advances by `step` samples and redraws at most 10 times a second (on a
 * terminal) with `status`, e.g. the losses. */
void progress_update(progress *p, size_t step, const char *status);
/* Draws the final state and ends the line. */
void progress_finish(progress *p, const char *status);

#endif
