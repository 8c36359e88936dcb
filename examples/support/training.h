/* SPDX-License-Identifier: BSD-2-Clause */
/* training.h -- one epoch of training, shared by the examples that train
 * a model on a labelled set (drsae, local). */
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

/* One epoch of sc_model_step over a shuffled copy of the training set
 * (count samples of dim floats in x, labels y), in batches of `batch`,
 * drawing a progress bar labelled `label` with the running means of the
 * step's losses.  order (count), xb (batch * dim) and yb (batch) are the
 * caller's scratch; *rng is the shuffle's state (support/batches.h).
 * schedule, if not NULL, sets SC_MODEL_PARAM_LEARNING_RATE before every step;
 * else the model's rate is used as it is.
 * Returns 0, or 1 after reporting a failed step as `program`. */
int training_epoch(const char *program, sc_model *m, const float *x,
                   const int32_t *y, size_t count, size_t dim, size_t batch,
                   size_t *order, float *xb, int32_t *yb, const char *label,
                   unsigned long long *rng,
                   const training_schedule *schedule);

#endif
