/* SPDX-License-Identifier: BSD-2-Clause */
/* step.h -- the gradient of the training loss, shared by the training step
 * and the gradient tests. */
#ifndef SC_STEP_H
#define SC_STEP_H

#include <stddef.h>
#include <stdint.h>

#include "losses.h"
#include "model.h"

/* Runs the forward pass, the losses and back-propagation through time on
 * a batch whose inputs have been checked, with the training buffers
 * reserved for it.  Leaves every gradient in its tensor's grad (the
 * decoder's only when the reconstruction weight is > 0, the classifier's
 * only when the class weight is > 0) and the loss values in *values.
 * Changes no weight. */
void sc_compute_gradients(sc_model *m, const sc_loss_weights *w,
                          const float *x, const int32_t *labels,
                          const float *targets, size_t batch,
                          sc_loss_values *values);

#endif
