/* SPDX-License-Identifier: BSD-2-Clause */
/* optimizer.h -- SGD with momentum and Adam (O1-O3 in docs/math.md). */
#ifndef SC_OPTIMIZER_H
#define SC_OPTIMIZER_H

#include <stdint.h>

#include "model.h"

typedef struct {
    int kind;               /* sc_optimizer */
    double learning_rate, momentum, beta1, beta2, epsilon;
    uint64_t step;          /* 1 for the first update (Adam's correction) */
} sc_optimizer_settings;

sc_optimizer_settings sc_optimizer_settings_of(const sc_model *m);

/* Computes one update (O1 or O2) of every array t (tensors[t], in
 * SC_TENSOR_* order) with scale[t] > 0, its
 * learning rate multiplied by scale[t] (1/T for W_e and theta, 1/(T-1) for
 * S, O3), in one pass over each array, without changing anything the
 * model uses: the new weights are written over the array's gradient, and
 * the new moments into its next_m1 and next_m2.  A new value below FLT_MIN
 * in magnitude is written as 0 (docs/math.md, "Subnormal numbers").
 * Runs on up to `threads` threads when the arrays are long enough to gain
 * from them; the result does not depend on the thread count.
 * Returns 1 if every new value is finite, 0 if any is NaN or +-Inf: the
 * step must then be refused, and the model is as it was. */
int sc_optimizer_stage(sc_tensor tensors[SC_TENSOR_COUNT],
                       const double scale[SC_TENSOR_COUNT],
                       const sc_optimizer_settings *o, size_t threads);

/* Makes the values that sc_optimizer_stage computed the model's, for every
 * array with scale[t] > 0, for the same settings: pointer swaps, no copy,
 * wherever the state owns each array (an operator, theta or c).  The
 * gradients are then garbage until the next step computes them; a second
 * commit with the same arguments swaps everything back. */
void sc_optimizer_commit(sc_state *s, const double scale[SC_TENSOR_COUNT],
                         const sc_optimizer_settings *o);

#endif
