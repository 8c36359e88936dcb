/* SPDX-License-Identifier: BSD-2-Clause */
/* load_exercise.h -- what the model-file harnesses do with a file: load
 * it, and when it loads, use the model (encode, decode, predict, read
 * every weight array) on inputs from the rest of the fuzzer's bytes. */
#ifndef FUZZ_LOAD_EXERCISE_H
#define FUZZ_LOAD_EXERCISE_H

#include <stddef.h>

#include "fuzz_util.h"

#include "sparsecode.h"

/* Loads the `size` bytes of `file` (from a memfd) and checks that the
 * status is one the API documents for a load: the model, or NULL when the
 * file was refused.  Aborts on anything else. */
sc_model *fz_load_checked(const unsigned char *file, size_t size);

/* Runs a loaded model on an input read from `more` (encode, decode,
 * predict; SC_OK must mean finite outputs) and reads every weight array
 * it has.  Aborts on a status the API does not document. */
void fz_use_model(const sc_model *m, fz_bytes *more);

#endif
