/* SPDX-License-Identifier: BSD-2-Clause */
/* update_check.h -- whether the weights a step leaves behind still encode
 * (issue #14, item 7).  A step's new values can all be finite and yet so
 * large that every later encode overflows; such a step is refused.
 *
 * The criterion, checked on the new weights once the constraints are
 * applied:
 *
 *   1. a weight-magnitude limit: every row of W_e, S, W_d and C has an L1
 *      norm of at most 2^64 (so one product of any of them with an input
 *      of entries up to 2^32 in magnitude stays below 2^96, far inside
 *      float's 2^128), and |theta|, |c| are at most 2^64 too;
 *   2. the probe, the batch the gradient was computed on: its codes,
 *      reconstruction and (with a classifier) class probabilities through
 *      the new weights are finite.
 *
 * (2) is decided first by a bound on the encoder's growth, |z_T| and
 * |W_d z_T| from the L1 norms of the rows and max |x|, computed in double
 * (update_check.c); only when the bound cannot prove finiteness is the
 * probe run through the new weights.  The bound only ever answers "finite
 * for sure", so the decision is that of the forward pass itself. */
#ifndef SC_UPDATE_CHECK_H
#define SC_UPDATE_CHECK_H

#include <stddef.h>

#include "model.h"

/* 1 if the model's current weights pass the criterion above for the
 * `rows` inputs `probe` (of largest magnitude probe_scale; probe NULL:
 * test 1 only), else 0.  May run the forward pass in the model's training
 * buffers, which must hold rows samples; changes no weight. */
int sc_update_check(sc_model *m, const float *probe, size_t rows,
                    double probe_scale);

/* 1 if the growth bound alone proves that every input of largest
 * magnitude probe_scale gives finite outputs under the model's weights
 * (exposed for the tests: they check which way a decision went). */
int sc_update_bound_proves_finite(const sc_model *m, double probe_scale);

#endif
