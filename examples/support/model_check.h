/* SPDX-License-Identifier: BSD-2-Clause */
/* model_check.h -- what an example checks of a model it loads from a
 * file before it uses it.  A model file holds any model the library can
 * make, and an example reads the weights of one kind: a local model's
 * decoder is k x C*r*r (one filter per unit), not the n x k of a dense
 * one, and drawing one as the other reads past its end. */
#ifndef EXAMPLE_MODEL_CHECK_H
#define EXAMPLE_MODEL_CHECK_H

#include <stddef.h>

#include <sparsecode.h>

/* What the example will do with the model. */
typedef struct {
    size_t inputs;    /* the data's input size (pixels per image) */
    int local;        /* 1: the example uses local models, 0: dense ones */
    int classifier;   /* 1: it needs a classifier */
} model_use;

/* 0 if m (loaded from path) is of the kind `use` wants, with as many
 * inputs and a classifier if needed; else 1, after a message on stderr as
 * `program` saying what is wrong. */
int model_check(const char *program, const char *path, const sc_model *m,
                const model_use *use);

#endif
