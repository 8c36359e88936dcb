/* SPDX-License-Identifier: BSD-2-Clause */
/* step.h -- the pieces of a training step that sc_model_step, the
 * gradient interface (gradient.c), sc_model_evaluate (evaluate.c) and the
 * gradient tests share: the checks of a batch, the forward pass, the
 * gradient of the batch's mean loss, and the checked update. */
#ifndef SC_STEP_H
#define SC_STEP_H

#include <stddef.h>
#include <stdint.h>

#include "encoder.h"
#include "losses.h"
#include "model.h"

/* Checks everything a step reads before it touches the model, as
 * sc_model_step documents it.  Labels are required when w's class weight
 * is > 0 (a caller that may go without passes w with that weight 0).
 * message: the model's (an exclusive call) or NULL (a const one). */
sc_status sc_check_step_input(const sc_model *m, char *message,
                              const float *x, const int32_t *labels,
                              const float *targets, size_t batch,
                              const sc_model_stats *stats,
                              const sc_loss_weights *w, const char *caller);

/* The encoder's forward pass of a batch whose inputs have been checked,
 * into buf: u = W_e x, then LISTA's recurrence (E1) or LCoD's steps
 * (E5).  With history, every LISTA step's slab and LCoD's trace are kept
 * for back-propagation (buf from sc_train_buffers_reserve); without, buf
 * may come from sc_forward_buffers_create.  Returns the codes z_T
 * (batch x k, inside buf).  Reads the state only. */
const float *sc_forward(const sc_state *s, sc_unroll run, int lcod,
                        const float *x, sc_train_buffers *buf, int history);

/* The shape of the model's encoder run on a batch. */
sc_unroll sc_unroll_of(const sc_model *m, size_t batch);

/* Runs the forward pass, the losses and back-propagation through time on
 * a batch whose inputs have been checked, with the training buffers
 * reserved for it.  Leaves every gradient of the batch's mean loss in its
 * tensor's grad (the decoder's only when the reconstruction weight is
 * > 0, the classifier's only when the class weight is > 0) and the loss
 * values in *values.  Changes no weight. */
void sc_compute_gradients(sc_model *m, const sc_loss_weights *w,
                          const float *x, const int32_t *labels,
                          const float *targets, size_t batch,
                          sc_loss_values *values);

/* The first half of a step: the checks, the buffers, then
 * sc_compute_gradients.  SC_OK, or the status of a bad input,
 * SC_ERR_NOMEM, or SC_ERR_NONFINITE for a loss that is not finite; the
 * message names `caller`.  Changes no weight. */
sc_status sc_step_compute(sc_model *m, const float *x, const int32_t *labels,
                          const float *targets, size_t batch,
                          const sc_model_stats *stats,
                          sc_loss_values *values, const char *caller);

/* The second half: one optimiser update from the gradients in the
 * tensors' grad arrays (those of a mean loss), the constraints, and the
 * check of update_check.h against `probe` (rows inputs of largest
 * magnitude probe_scale; NULL for none), which needs the training buffers
 * reserved for rows samples.  SC_OK with the step count advanced, or
 * SC_ERR_NONFINITE with the model exactly as before. */
sc_status sc_step_apply(sc_model *m, const float *probe, size_t rows,
                        double probe_scale, const char *caller);

/* Copies the values into the caller's struct, as many fields as fit. */
void sc_stats_report(sc_model_stats *stats, const sc_loss_values *v);

/* max |x_i| over count values (0 for none). */
double sc_max_magnitude(const float *x, size_t count);

#endif
