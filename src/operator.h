/* SPDX-License-Identifier: BSD-2-Clause */
/* operator.h -- the linear operator, the central seam of the library.
 *
 * The encoder W_e, the lateral matrix S, the decoder W_d and the classifier
 * C are each an operator A mapping R^cols -> R^rows, with four verbs:
 *
 *   forward              Y = X A^T       (each row of X is one sample)
 *   transpose            X = Y A
 *   accumulate_gradient  dA += alpha * dY^T X
 *   project_columns / project_rows: clip column or row norms (constraints)
 *
 * Every batch is row-major (batch x cols in, batch x rows out).  Today an
 * operator is dense: its weights are a rows x cols row-major matrix and
 * every verb is one sgemm.  The recurrence, the losses, the optimiser and
 * the file format only use these verbs and the weight array, so another
 * kind (a local operator) plugs in here.
 */
#ifndef SC_OPERATOR_H
#define SC_OPERATOR_H

#include <stddef.h>

typedef enum {
    SC_OPERATOR_DENSE = 0,
    SC_OPERATOR_LOCAL = 1   /* local unshared filters: operator_local.c */
} sc_operator_kind;

/* The geometry of a local operator (all zero for a dense one).  The input
 * is an image of c x h x w, channel-major (pixel (ch, y, x) is column
 * ch*h*w + y*w + x).  The output is a grid of hout x wout positions, stride
 * `stride`, each seeing the r x r x c window whose top-left pixel is
 * (oy*stride, ox*stride), with f units per position: unit u at position
 * pos = oy*wout + ox is row pos*f + u.
 *
 *   hout = (h - r) / stride + 1,  wout = (w - r) / stride + 1   (floor)
 *
 * The division rounds down: when (h - r) % stride != 0 the last
 * (h - r) % stride pixel rows (likewise columns) lie in no window.  Such
 * pixels are ignored by forward and left at beta * x by transpose.
 *
 * Weights are position-major: position pos owns the f x patch row-major
 * block at weights + pos*f*patch, where patch = c*r*r and the entry of unit
 * u for pixel (ch, dy, dx) of its window is at u*patch + (ch*r + dy)*r + dx.
 * Row pos*f + u of the weights is therefore unit u's whole filter. */
typedef struct {
    size_t c, h, w;        /* input channels, height, width */
    size_t r, stride, f;   /* window side, stride, units per position */
    size_t hout, wout;     /* output grid */
    size_t patch;          /* c * r * r: the length of one filter */
    size_t threads;        /* not geometry: the threads the verbs may use
                              (parallel.h), one scratch slice each; 1 from
                              sc_operator_init_local, the owner may raise
                              it before sizing scratch */
    int vector_kernels;    /* not geometry: 1 when the verbs with scratch
                              run the AVX2 kernels of operator_local_avx2.c
                              (set by sc_operator_init_local when f % 8 ==
                              0 and the CPU has them; 0 selects the sgemm
                              path, which the tests compare with them) */
} sc_local_geometry;

typedef struct {
    sc_operator_kind kind;
    /* 1 when the operator is the transpose of the map its weights store:
     * a local decoder W_d (codes -> pixels) stores the local map pixels ->
     * codes, whose transpose it is.  The verbs below then swap forward and
     * transpose, and the roles of dy and x in the gradient.  rows, cols and
     * the weight layout always describe the stored map. */
    int transposed;
    size_t rows, cols;
    size_t weight_count;   /* number of floats in weights */
    float *weights;        /* owned; rows x cols row-major when dense,
                              position-major blocks when local */
    sc_local_geometry local; /* SC_OPERATOR_LOCAL only; zero otherwise */
} sc_operator;

/* Allocates a zeroed dense operator.  Returns 0 on success, -1 if out of
 * memory (op is then zeroed). */
int sc_operator_init_dense(sc_operator *op, size_t rows, size_t cols);
void sc_operator_release(sc_operator *op);

/* Allocates a zeroed local operator (geometry above): cols = c*h*w,
 * rows = hout*wout*f, weight_count = rows*c*r*r.  Returns 0 on success,
 * -1 if out of memory, -2 for a bad geometry: a zero size or stride,
 * r > h or r > w, or any of cols, rows, weight_count above INT_MAX (the
 * limit of sc_gemm's int arguments; just under 2^31).  op is zeroed on
 * failure.  Defined in operator_local.c. */
int sc_operator_init_local(sc_operator *op, size_t c, size_t h, size_t w,
                           size_t r, size_t stride, size_t f);

/* The scratch, in floats, that the local verbs below want for a batch:
 * for a local operator on the sgemm path, threads * min(batch, block) *
 * c*r*r, where a block is the samples one small sgemm takes; on the vector
 * kernels, threads * sc_local_avx2_tile_floats(op), + weight_count if the
 * gradient runs on them (operator_local.h); the larger of the two when the
 * verbs take both paths.  0 if that overflows, or for a batch of 0; 0 for
 * a dense operator. */
size_t sc_operator_scratch_floats(const sc_operator *op, size_t batch);

/* The generic verbs.  `scratch` holds sc_operator_scratch_floats(op,
 * batch) floats, or is NULL (a dense operator ignores it; a local one then
 * takes its slower path, see below).  None of them allocates or fails.
 * For a transposed operator, A below is the transpose of the stored map. */

/* y (batch x rows) = x (batch x cols) A^T + beta * y */
void sc_operator_forward(const sc_operator *op, size_t batch, const float *x,
                         float beta, float *y, float *scratch);

/* x (batch x cols) = y (batch x rows) A + beta * x */
void sc_operator_transpose(const sc_operator *op, size_t batch,
                           const float *y, float beta, float *x,
                           float *scratch);

/* grad (shaped like the weights) = alpha * dy^T x + beta * grad, where dy
 * is batch x rows and x is batch x cols. */
void sc_operator_accumulate_gradient(const sc_operator *op, size_t batch,
                                     const float *dy, const float *x,
                                     float alpha, float beta, float *grad,
                                     float *scratch);

/* Scales every column (input-side vector) of A whose L2 norm exceeds
 * max_norm back to max_norm: the decoder constraint (C1). */
void sc_operator_project_columns(sc_operator *op, double max_norm,
                                 double *scratch /* cols doubles */);

/* Same for rows (output-side vectors): the classifier constraint (C1).
 * On a local operator both clip every unit's filter (c*r*r floats). */
void sc_operator_project_rows(sc_operator *op, double max_norm);

/* ---- atoms: the columns of a decoder ------------------------------------
 * For a dense operator, column j of its rows x cols matrix; for a
 * transposed local operator (a local decoder), unit j's filter, which is
 * column j of the decoder within unit j's window. */

/* Column j from the vector v of `rows` entries v[i * stride] (for a local
 * decoder: v is an image, and unit j's window is cut from it). */
void sc_operator_load_column(sc_operator *op, size_t j, const float *v,
                             size_t stride);

/* Scales column j to L2 norm `norm`, or with clip_only only if it is
 * longer.  Returns 0 for a zero column (left as it is), else 1. */
int sc_operator_set_column_norm(sc_operator *op, size_t j, double norm,
                                int clip_only);

/* dst = scale * src^T, where dst has src's transposed shape: a dense
 * k x n from a dense n x k, or a local encoder from a local decoder of the
 * same geometry (which store the same layout). */
void sc_operator_set_scaled_transpose(sc_operator *dst,
                                      const sc_operator *src, float scale);

/* ---- the local operator's verbs (operator_local.c) ---------------------
 *
 * The generic verbs above dispatch here for SC_OPERATOR_LOCAL.  Scratch:
 * these take a caller-owned scratch of sc_operator_scratch_floats(op,
 * batch) floats, so a const operator needs no allocation and the verbs are
 * reentrant.  With scratch, they run the AVX2 kernels when
 * local.vector_kernels is set (f % 8 == 0 on a CPU with AVX2 and FMA),
 * else one gathered sgemm per position.  With scratch == NULL they take a
 * slower path that needs none (c*r small sgemms per position, one per
 * contiguous row segment of a window).  The three agree to rounding.
 *
 * The model owns this scratch in its training buffers (and inference in
 * its per-call chunk scratch), so a warm training step allocates nothing.
 *
 * Deterministic for any local.threads: threads take positions or samples,
 * never parts of one sum; transpose adds overlapping windows in position
 * order. */
void sc_operator_local_forward(const sc_operator *op, size_t batch,
                               const float *x, float beta, float *y,
                               float *scratch);
void sc_operator_local_transpose(const sc_operator *op, size_t batch,
                                 const float *y, float beta, float *x,
                                 float *scratch);
void sc_operator_local_accumulate_gradient(const sc_operator *op,
                                           size_t batch, const float *dy,
                                           const float *x, float alpha,
                                           float beta, float *grad,
                                           float *scratch);

/* Unit j's filter <- its window of the image v (entries v[i * stride]). */
void sc_operator_local_load_unit(sc_operator *op, size_t j, const float *v,
                                 size_t stride);

/* Zeroes the entries of the k x k matrix s (k = the operator's rows, a
 * lateral matrix S over its units) that link two units whose windows do
 * not overlap. */
void sc_operator_local_mask_links(const sc_operator *op, float *s);

#endif
