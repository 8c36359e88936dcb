/* SPDX-License-Identifier: BSD-2-Clause */
/* shape.h -- the structure a model's parameters fix: dense, or local
 * unshared filters over an image (SC_MODEL_PARAM_LOCAL_FIELD > 0), and the
 * length of every trainable array.  A pure function of the sizes and the
 * structural parameters, so that init, load and the file format check a
 * geometry in one place without depending on the model handle. */
#ifndef SC_SHAPE_H
#define SC_SHAPE_H

#include <stddef.h>

#include "status.h"

/* The trainable arrays, in sc_weight order (SC_WEIGHT_ENCODER - 1 ...). */
enum {
    SC_TENSOR_ENCODER,
    SC_TENSOR_LATERAL,
    SC_TENSOR_THRESHOLD,
    SC_TENSOR_DECODER,
    SC_TENSOR_CLASSIFIER,
    SC_TENSOR_CLASS_BIAS,
    SC_TENSOR_COUNT
};

/* Largest n or k, and largest element count of one weight matrix. */
#define SC_MAX_DIMENSION ((size_t)1 << 24)
#define SC_MAX_ELEMENTS  ((size_t)1 << 31)

/* What the shape is computed from: the model's sizes and the structural
 * parameters' values. */
typedef struct {
    size_t n, k, classes;
    int lcod;              /* SC_MODEL_PARAM_ENCODER is SC_ENCODER_LCOD */
    size_t field;          /* SC_MODEL_PARAM_LOCAL_FIELD; 0: dense */
    size_t channels, height, width, stride;  /* the image, when local */
    size_t threads;        /* SC_MODEL_PARAM_THREADS resolved */
} sc_shape_spec;

/* The structure itself. */
typedef struct {
    size_t field;          /* r; 0 for a dense model (the rest then 0) */
    size_t channels, height, width, stride;
    size_t positions;      /* Hout * Wout */
    size_t grid_rows, grid_cols;  /* Hout, Wout */
    size_t maps;           /* f = k / positions */
    size_t threads;        /* the threads of a local model's operators */
    size_t counts[SC_TENSOR_COUNT];  /* every trainable array's length */
} sc_shape;

/* Checks the spec (the local geometry against n and k, LCoD only dense,
 * the classifier's size) and computes the shape, allocating nothing.
 * SC_OK, or SC_ERR_RANGE / SC_ERR_SIZE with the message naming the
 * parameters written to `message` (may be NULL) as sc_fail does; *shape
 * is then zeroed. */
sc_status sc_shape_compute(const sc_shape_spec *spec, sc_shape *shape,
                           char *message, const char *caller);

#endif
