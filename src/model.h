/* SPDX-License-Identifier: BSD-2-Clause */
/* model.h -- the model handle's layout, private to the library. */
#ifndef SC_MODEL_H
#define SC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "lcod.h"
#include "operator.h"
#include "params.h"
#include "pools.h"
#include "shape.h"
#include "status.h"

/* One trainable array with its gradient and optimiser moments (m1: SGD
 * velocity or Adam's first moment; m2: Adam's second moment).  A step
 * stages the new moments in next_m1 and next_m2 and the new weights in
 * grad, and swaps them in once all are known to be finite
 * (optimizer.h). */
typedef struct {
    float *w;          /* owned by an operator or by sc_state */
    size_t count;      /* 0 for an absent classifier */
    float *grad, *m1, *m2;
    float *next_m1, *next_m2;
} sc_tensor;

/* Everything an init creates and a load restores: replaced as a whole, so
 * that a failed init leaves the previous state in place. */
typedef struct {
    sc_operator encoder;     /* W_e: k x n */
    sc_operator lateral;     /* S:   k x k */
    sc_operator decoder;     /* W_d: n x k */
    sc_operator classifier;  /* C:   classes x k (absent: 0 x k) */
    float *threshold;        /* theta: k */
    float *class_bias;       /* c: classes */
    sc_tensor tensor[SC_TENSOR_COUNT];
    sc_pools pools;
    sc_shape shape;
    size_t classes;
    uint64_t steps;
} sc_state;

/* Scratch of the training step, grown to the largest batch seen, so a
 * warm step does not allocate.  Slabs are batch x k unless noted. */
typedef struct {
    size_t batch;            /* capacity in samples */
    size_t threads;          /* the local operators' threads that
                                `operator` was sized for */
    float *u;                /* W_e x */
    float *a, *z, *delta;    /* T slabs each: pre-activations, codes, deltas
                                (LCoD: one slab each: B, the codes, and
                                one sample's Z or its gradient) */
    sc_lcod_trace trace;     /* LCoD only (else NULL): T x batch entries */
    float *grad_z;           /* dL/dz, then g_t during back-propagation */
    float *grad_u;           /* sum_t delta_t */
    float *residual;         /* batch x n: W_d z - x */
    float *zhat, *grad_zhat; /* normalised codes and their gradient */
    float *norms;            /* batch: r = sqrt(|z|^2 + eps) */
    float *logits;           /* batch x classes: logits, then dL/dlogits */
    double *columns;         /* k doubles for the column projection */
    float *operator;         /* sc_state_operator_scratch(state, batch)
                                floats for the local verbs, or NULL */
    /* The model's own buffers only: the inputs of the last
     * sc_model_gradient_compute, which sc_model_gradient_apply runs
     * through the new weights (update_check.h). */
    float *probe;            /* batch x n */
    size_t probe_rows;       /* 0: none since init */
    double probe_scale;      /* max |probe| */
} sc_train_buffers;

struct sc_model_s {
    size_t n, k;
    double values[SC_MODEL_PARAM_COUNT];
    int initialized;
    sc_state state;
    sc_train_buffers train;
    char message[SC_MESSAGE_SIZE];
};

/* The shape (shape.h) of the model's sizes and structural parameters,
 * allocating nothing.  SC_OK, or SC_ERR_RANGE / SC_ERR_SIZE with the
 * message set on the model. */
sc_status sc_model_shape(sc_model *m, sc_shape *shape, const char *caller);

/* The threads a local model's operators and element-wise passes use:
 * SC_MODEL_PARAM_THREADS, 0 resolved to the online processors. */
size_t sc_model_threads(const sc_model *m);

/* The current value of a parameter (id must be valid). */
double sc_model_value(const sc_model *m, sc_model_param id);

/* Allocates a zeroed state for the model's sizes and structural parameters
 * (pools included).  SC_OK, SC_ERR_SIZE / SC_ERR_NOMEM with the message set
 * on the model; *state is zeroed on failure. */
sc_status sc_state_create(sc_model *m, sc_state *state, const char *caller);

void sc_state_release(sc_state *state);

/* Swaps tensor t's weights with its gradient array, wherever the weights
 * are owned (an operator, theta or c), so that what the step staged in
 * the gradient becomes the weights. */
void sc_state_swap_weights(sc_state *state, int t);

/* The scratch, in floats, that the state's operators want for a batch
 * (operator.h): 0 for a dense model.  SIZE_MAX if that overflows. */
size_t sc_state_operator_scratch(const sc_state *state, size_t batch);

/* Replaces the model's state with `fresh` (taking ownership) and marks
 * the model initialised. */
void sc_model_adopt_state(sc_model *m, sc_state *fresh);

/* Grows the training buffers to hold `batch` samples.  SC_OK or
 * SC_ERR_NOMEM (the old buffers are kept). */
sc_status sc_train_buffers_reserve(sc_model *m, size_t batch);

/* Buffers for the forward pass and the loss values of `batch` samples
 * without back-propagation (the encoder keeps no history: see
 * sc_forward), for a call on a const model.  SC_OK or SC_ERR_NOMEM (*b
 * then zeroed).  Released with sc_train_buffers_release. */
sc_status sc_forward_buffers_create(const sc_model *m, size_t batch,
                                    sc_train_buffers *b);
void sc_train_buffers_release(sc_train_buffers *b);

/* Checks a batch size: non-zero, its arrays addressable, and for a
 * training step (training != 0) the T-slab products within BLAS's int
 * sizes.  SC_OK or SC_ERR_SIZE with the message set. */
sc_status sc_check_batch(const sc_model *m, size_t batch, int training,
                         char *message, const char *caller);

/* Checks that the model has weight array `which` (sc_model_weights'
 * errors after its NULL checks): SC_ERR_PARAM for an unknown id,
 * SC_ERR_STATE before init or for a classifier array without classes;
 * the message in sc_last_message only (a const call). */
sc_status sc_check_weight(const sc_model *m, sc_weight which,
                          const char *caller);

/* 1 if all count values are finite. */
int sc_all_finite(const float *x, size_t count);

#endif
