/* SPDX-License-Identifier: BSD-2-Clause */
/* pools.h -- the pools of the group sparsity term (L3 in docs/math.md):
 * contiguous blocks, or overlapping windows on a 2-D torus. */
#ifndef SC_POOLS_H
#define SC_POOLS_H

#include <stddef.h>
#include <stdint.h>

#include "sparsecode.h"

/* Pool p holds the units units[start[p] .. start[p+1]) with weights
 * weights[same range]. */
typedef struct {
    size_t count;
    size_t *start;     /* count + 1 offsets */
    uint32_t *units;
    float *weights;
} sc_pools;

/* The layout of the pools, from a model's or a solver's parameters. */
typedef struct {
    int layout;              /* sc_group_layout */
    size_t group_size;       /* contiguous */
    size_t rows, cols;       /* topographic torus; 0 x 0: square */
    size_t size, stride;     /* pool side and stride */
    double sigma;            /* Gaussian weights; 0: uniform */
    const char *prefix;      /* "SC_MODEL_PARAM_" or "SC_SOLVER_PARAM_", for messages */
    /* Topographic pools of a local model: the units form grid_rows x
     * grid_cols consecutive blocks (its positions, row-major), each with
     * its own torus of maps; a pool is a map window over a span x span
     * window of neighbouring positions (stride 1, not wrapping).  All 0
     * (or span 0) for a dense model: one block. */
    size_t grid_rows, grid_cols, span;
} sc_pool_geometry;

/* Builds the pools for k units.  An empty set (count 0) for
 * SC_GROUP_LAYOUT_NONE.  Returns SC_OK, SC_ERR_SIZE (sizes that do not fit
 * together, with the message naming the parameters) or SC_ERR_NOMEM.  On
 * failure *pools is left zeroed. */
sc_status sc_pools_build(sc_pools *pools, size_t k,
                         const sc_pool_geometry *geometry, char *message,
                         const char *caller);


void sc_pools_release(sc_pools *pools);

#endif
