/* SPDX-License-Identifier: BSD-2-Clause */
/* local_pools.h -- the topographic pools of a local model and their
 * responses, for the examples that measure them (examples/local
 * --complex).
 *
 * The library builds these pools for its group term (docs/math.md L3,
 * src/pools.c) but does not hand them out, so they are rebuilt here from
 * the same documented layout: unit u of a local model is map u % f at
 * position u / f = py * wout + px; the f maps of each position lie on a
 * rows x cols torus (map m at cell (m / cols, m % cols)); a pool is a
 * size x size window of maps (top-left cell (i * stride, j * stride),
 * wrapping around the torus) taken at span x span neighbouring positions
 * (position windows at stride 1, not wrapping at the image's edge).  The
 * weights are all 1 (SC_MODEL_PARAM_POOL_SIGMA = 0). */
#ifndef EXAMPLE_LOCAL_POOLS_H
#define EXAMPLE_LOCAL_POOLS_H

#include <stddef.h>

typedef struct {
    size_t count;   /* pools */
    size_t *start;  /* pool p's members are units[start[p] .. start[p+1]) */
    size_t *units;
} local_pools;

typedef struct {
    size_t hout, wout;   /* the grid of positions */
    size_t rows, cols;   /* the torus of maps: rows * cols maps */
    size_t size, stride; /* SC_MODEL_PARAM_POOL_SIZE, SC_MODEL_PARAM_POOL_STRIDE */
    size_t span;         /* SC_MODEL_PARAM_POOL_POSITIONS */
} local_pool_geometry;

/* Builds the pools of g.  Returns 0, or -1 (out of memory, or a geometry
 * the library would refuse: a pool larger than the torus, a span larger
 * than the grid, a zero size). */
int local_pools_build(local_pools *pools, const local_pool_geometry *g);
void local_pools_free(local_pools *pools);

/* The pooled responses s_p = sqrt(sum_{i in p} z_i^2) (the group term's
 * s_p without its epsilon): out[b * count + p] for each of the batch codes
 * z[b * k ...]. */
void local_pools_responses(const local_pools *pools, const float *z,
                           size_t batch, size_t k, float *out);

/* Draws pools order[0 .. shown) to a PNG, one pool a row: the filters of
 * its members (rows of filters, side x side floats each: a local model's
 * sc_model_weights) left to right, in member order (positions row by row,
 * then the maps of each, row by row on the torus).  Returns 0, or -1 with
 * a message in err. */
int local_pools_draw(const char *path, const local_pools *pools,
                     const size_t *order, size_t shown, const float *filters,
                     size_t side, char *err, size_t errsize);

#endif
