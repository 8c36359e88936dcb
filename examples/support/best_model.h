/* SPDX-License-Identifier: BSD-2-Clause */
/* best_model.h -- early stopping on a validation set: the model of the
 * epoch with the lowest validation error so far, kept in a temporary
 * file (sc_model_save / sc_model_load) and taken back after training. */
#ifndef EXAMPLE_BEST_MODEL_H
#define EXAMPLE_BEST_MODEL_H

#include <sparsecode.h>

typedef struct {
    char path[4096];   /* the temporary file; "" before best_model_open */
    double error;      /* the lowest error offered so far (INFINITY) */
    long epoch;        /* its epoch (0 may be the initial model), -1
                          before any */
    long last_epoch;   /* the epoch of the last offer, -1 before any */
} best_model;

/* Creates the temporary file ($TMPDIR, else /tmp) named after `tag`.
 * Returns 0, or 1 after a message on stderr as `program`. */
int best_model_open(best_model *b, const char *program, const char *tag);

/* Saves m when `error` is below every error offered before. */
int best_model_offer(best_model *b, const char *program, const sc_model *m,
                     double error, long epoch);

/* When an earlier epoch than the last offered was the best, replaces *m
 * by the model loaded from the file (and frees the old one). */
int best_model_take(best_model *b, const char *program, sc_model **m);

/* Removes the file.  Safe on a best_model that was never opened. */
void best_model_close(best_model *b);

#endif
