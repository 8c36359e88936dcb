/* SPDX-License-Identifier: BSD-2-Clause */
/* training.h -- one epoch of training, shared by the examples that train
 * a model on a labelled set (drsae, drsae_mpi, local). */
#ifndef EXAMPLE_TRAINING_H
#define EXAMPLE_TRAINING_H

#include <stddef.h>
#include <stdint.h>

#include <sparsecode.h>

/* A learning rate that decays with every step, as in the DrSAE authors'
 * code: rate / (1 + per_step * steps), where *steps counts the steps of
 * every epoch so far (the caller's counter, advanced here). */
typedef struct {
    double rate, per_step;
    size_t *steps;
} training_schedule;

/* Before a step: sets SC_MODEL_PARAM_LEARNING_RATE from the schedule and
 * advances its count; nothing if schedule is NULL.  Returns 0, or 1 after
 * reporting a failure as `program`. */
int training_schedule_next(const char *program, sc_model *m,
                           const training_schedule *schedule);

/* The running means of an epoch's step statistics, for the progress
 * bar. */
typedef struct {
    double recon, l1, cls, active, err;
    size_t steps;
} training_tally;

void training_tally_add(training_tally *t, const sc_model_stats *st);

/* "recon R  l1 L  class C  err E%  active A%" (the means so far). */
void training_tally_format(const training_tally *t, char *text,
                           size_t size);

/* One pass of sc_model_step over the samples order[0..count) of x (dim
 * floats each, labels y) in batches of `batch` (a partial last batch is
 * left out), drawing a progress bar labelled `label`.  xb (batch * dim)
 * and yb (batch) are the caller's scratch; schedule as
 * training_schedule_next.  Returns 0, or 1 after reporting a failed step
 * as `program`. */
int training_pass(const char *program, sc_model *m, const float *x,
                  const int32_t *y, const size_t *order, size_t count,
                  size_t dim, size_t batch, float *xb, int32_t *yb,
                  const char *label, const training_schedule *schedule);

/* One epoch: order (count entries, the caller's, kept between epochs) is
 * shuffled with *rng (support/batches.h), then training_pass runs over
 * it. */
int training_epoch(const char *program, sc_model *m, const float *x,
                   const int32_t *y, size_t count, size_t dim, size_t batch,
                   size_t *order, float *xb, int32_t *yb, const char *label,
                   unsigned long long *rng,
                   const training_schedule *schedule);

#endif
