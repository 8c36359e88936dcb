/* SPDX-License-Identifier: BSD-2-Clause */
/* psd.h -- the sparse-coding half of predictive sparse decomposition
 * (PSD; Kavukcuoglu, Ranzato & LeCun 2008, and its topographic form,
 * Kavukcuoglu, Ranzato, Fergus & LeCun, CVPR 2009) with a topographic
 * group penalty: a dictionary D (n x k, unit-norm columns) held by the
 * example, codes inferred by the library's solver, and dictionary steps on D.
 * The fast encoder that predicts the codes is an sc_model trained by the
 * caller to regress them (SC_MODEL_PARAM_REGRESSION_WEIGHT).
 *
 * Inference minimises, for each input x and prediction p = F(x),
 *
 *     1/2 |x - D z|^2 + lambda_g sum_p sqrt(sum_{i in P_p} w_i z_i^2 + eps)
 *       + lambda |z|_1 + alpha/2 |z - p|^2
 *
 * The prediction term is a least-squares term in z, so it is solved
 * exactly as the first term of a stacked problem:
 * 1/2 |[x; sqrt(alpha) p] - [D; sqrt(alpha) I] z|^2. */
#ifndef EXAMPLE_PSD_H
#define EXAMPLE_PSD_H

#include <stddef.h>

#include <sparsecode.h>

typedef struct {
    size_t rows, cols;          /* the torus */
    double pool, stride, sigma; /* the pools */
    double group_weight;        /* lambda_g */
    double epsilon;             /* eps of the group term's square root */
    double l1_weight;           /* lambda */
    double alpha;               /* weight of the prediction term */
    double iterations;          /* FISTA iterations per inference */
    double memory;              /* batches the dictionary statistics
                                   average over, about (>= 1) */
} psd_settings;

typedef struct {
    size_t n, k, batch;
    psd_settings s;
    float *dictionary;   /* D, n x k row-major */
    float *stacked;      /* [D; sqrt(alpha) I], (n + k) x k */
    float *inputs;       /* batch x (n + k) stacked inputs */
    float *residual;     /* batch x n */
    double *a, *b;       /* running Z^T Z (k x k) and Z^T X (k x n) */
    double steps;        /* dictionary updates so far */
} psd;

/* Makes a learner for n-dimensional inputs, k units and batches of up to
 * batch inputs, starting from the dictionary d (n x k, copied, columns
 * scaled to unit norm).  Checks the settings by configuring a solver
 * once.  Returns SC_OK, or the solver's status with its message in err. */
sc_status psd_create(psd *p, const float *d, size_t n, size_t k,
                     size_t batch, const psd_settings *s, char *err,
                     size_t errsize);
void psd_free(psd *p);

/* Infers the codes z (count x k, count <= batch) of x (count x n) for
 * the current D; prediction (count x k) may be NULL when alpha is 0.
 * *objective, if not NULL, receives the mean objective without the
 * prediction term.  Returns SC_OK or the failing call's status. */
sc_status psd_infer(const psd *p, const float *x, const float *prediction,
                    size_t count, float *z, double *objective);

/* One step on D for the batch's codes, as the online dictionary learning
 * of Mairal, Bach, Ponce & Sapiro (2009) and the library's sc_dictionary
 * do: running statistics A = sum beta^age Z^T Z / count and
 * B = sum beta^age Z^T X / count, with beta = 1 - 1/min(steps, memory),
 * then one pass of block coordinate descent over the columns of D, each
 * scaled to unit norm (PSD's constraint).  Returns the mean of
 * 1/2 |x - D z|^2 before the step. */
double psd_update_dictionary(psd *p, const float *x, const float *z,
                             size_t count);

#endif
