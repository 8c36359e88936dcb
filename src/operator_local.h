/* SPDX-License-Identifier: BSD-2-Clause */
/* operator_local.h -- what operator_local.c (the verbs, their blocking and
 * threads) shares with operator_local_avx2.c (the vector kernels): the
 * window arithmetic and the kernels' entry points.  Internal. */
#ifndef SC_OPERATOR_LOCAL_H
#define SC_OPERATOR_LOCAL_H

#include <stddef.h>

#include "operator.h"

/* The column of the window's top-left pixel, channel 0, of position pos. */
static inline size_t sc_local_window_origin(const sc_local_geometry *g,
                                            size_t pos)
{
    size_t oy = pos / g->wout, ox = pos % g->wout;
    return oy * g->stride * g->w + ox * g->stride;
}

/* The offset, from the window origin, of run (ch, dy) = run / r, run % r:
 * the r contiguous pixels of one window row of one channel. */
static inline size_t sc_local_run_offset(const sc_local_geometry *g,
                                         size_t run)
{
    size_t ch = run / g->r, dy = run % g->r;
    return ch * g->h * g->w + dy * g->w;
}

/* The three verbs, and whether the operator runs one on the vector
 * kernels below (when local.vector_kernels is set: always the forward; the
 * transpose and gradient while the weights fit a level-2 cache; see
 * operator_local.c). */
enum {
    SC_LOCAL_VERB_FORWARD,
    SC_LOCAL_VERB_TRANSPOSE,
    SC_LOCAL_VERB_GRADIENT
};
int sc_local_vector_verb(const sc_operator *op, int verb);

/* ---- the AVX2 + FMA kernels (operator_local_avx2.c) ---------------------
 *
 * They take the batch SC_LOCAL_TILE samples at a time, transposed into a
 * tile with the samples minor (pixel p of sample i at tile[p*TILE + i]),
 * so that one vector holds one pixel, or one code, of 8 samples.  They
 * require f % 8 == 0 and a CPU that sc_local_avx2_available() accepts;
 * operator_local.c checks both when it sets g->vector_kernels.  Each is
 * deterministic: its sums run in an order that depends on neither the
 * threads nor the ranges the caller gives them. */
#define SC_LOCAL_TILE 8

/* 1 if this build has the kernels and the CPU runs AVX2 and FMA. */
int sc_local_avx2_available(void);

/* The per-thread scratch of every kernel, in floats: one tile of images
 * and one of codes, SC_LOCAL_TILE * (cols + rows), or the gradient's wider
 * tile of images if larger; 0 if that overflows. */
size_t sc_local_avx2_tile_floats(const sc_operator *op);

/* Forward on samples [begin, end):
 *   y = x A^T + beta y   (beta == 0 overwrites, even NaN). */
void sc_local_avx2_forward(const sc_operator *op, size_t begin, size_t end,
                           const float *x, float beta, float *y,
                           float *tile);

/* Transpose on samples [begin, end):
 *   x = y A + beta x     (beta == 0 overwrites, even NaN),
 * each sample's windows added in position order. */
void sc_local_avx2_transpose(const sc_operator *op, size_t begin,
                             size_t end, const float *y, float beta,
                             float *x, float *tile);

/* Gradient on positions [begin, end), over the whole batch:
 *   grad block of pos = alpha dy[:, pos*f .. +f]^T windows + beta block,
 * (beta == 0 overwrites), summing the samples in order.  sums holds
 * weight_count floats, of which the thread uses the part of its
 * positions. */
void sc_local_avx2_gradient(const sc_operator *op, size_t begin, size_t end,
                            size_t batch, const float *dy, const float *x,
                            float alpha, float beta, float *grad,
                            float *tile, float *sums);

#endif
