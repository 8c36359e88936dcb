/* SPDX-License-Identifier: BSD-2-Clause */
/* warm_start.h -- a model with T unrolled steps that starts from the
 * weights of a trained model with another T (progressive training of an
 * unrolled encoder: T steps start where T' < T steps ended).
 *
 * The library has no call that sets weights, and T (SC_MODEL_PARAM_ITERATIONS)
 * is structural, so this goes through the documented model file
 * (docs/file-format.md, version 4), in memory: it saves the trained model
 * to a buffer without its optimiser state (SC_MODEL_CONTENTS_INFERENCE:
 * zero moments and step count once loaded, a fresh Adam or SGD, as after
 * an init), rewrites the ITERATIONS record and the CRCs, and loads the
 * result. */
#ifndef EXAMPLE_WARM_START_H
#define EXAMPLE_WARM_START_H

#include <sparsecode.h>

/* *out: a new model, `from` with T = steps and a fresh optimiser state.
 * Returns 0, or 1 after a message on stderr as `program`. */
int warm_start(const char *program, const sc_model *from, int steps,
               sc_model **out);

#endif
