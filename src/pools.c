/* SPDX-License-Identifier: BSD-2-Clause */
/* pools.c -- building group pools.
 *
 * Contiguous: units [g*p, g*(p+1)).  Topographic: unit u sits at
 * (u / cols, u % cols) of a rows x cols torus; pool (i, j) is the
 * size x size window whose top-left cell is (i*stride, j*stride), wrapping
 * around both edges, for i < ceil(rows/stride), j < ceil(cols/stride).
 * With sigma > 0 a member at offset (di, dj) from the window's centre has
 * weight exp(-(di^2 + dj^2) / (2 sigma^2)); otherwise every weight is 1.
 * A local model's units form a grid of positions, each a block of
 * consecutive units on its own torus of maps; a pool is then a map window
 * over a span x span window of neighbouring positions (pools.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "pools.h"
#include "status.h"

static sc_status allocate(sc_pools *pools, size_t count, size_t members)
{
    pools->count = count;
    pools->start = malloc((count + 1) * sizeof *pools->start);
    pools->units = malloc(members * sizeof *pools->units);
    pools->weights = malloc(members * sizeof *pools->weights);
    if (pools->start == NULL || pools->units == NULL ||
        pools->weights == NULL) {
        sc_pools_release(pools);
        return SC_ERR_NOMEM;
    }
    return SC_OK;
}

static sc_status build_contiguous(sc_pools *pools, size_t k, size_t g,
                                  const char *prefix, char *message,
                                  const char *caller)
{
    if (g == 0 || g > k || k % g != 0)
        return sc_fail(message, SC_ERR_SIZE,
                       "%s: %sGROUP_SIZE = %zu does not divide the %zu units",
                       caller, prefix, g, k);
    if (allocate(pools, k / g, k) != SC_OK)
        return sc_fail(message, SC_ERR_NOMEM, "%s: out of memory for pools",
                       caller);
    for (size_t p = 0; p <= pools->count; p++)
        pools->start[p] = p * g;
    for (size_t u = 0; u < k; u++) {
        pools->units[u] = (uint32_t)u;
        pools->weights[u] = 1.0f;
    }
    return SC_OK;
}

static sc_status build_topographic(sc_pools *pools, size_t k,
                                   const sc_pool_geometry *g, char *message,
                                   const char *caller)
{
    size_t rows = g->rows, cols = g->cols, size = g->size;
    size_t stride = g->stride;
    double sigma = g->sigma;
    const char *prefix = g->prefix;

    int local = g->grid_rows > 0 && g->grid_cols > 0;
    size_t grid_rows = local ? g->grid_rows : 1;
    size_t grid_cols = local ? g->grid_cols : 1;
    size_t span = local && g->span > 1 ? g->span : 1;
    size_t replicas = grid_rows * grid_cols;
    size_t block = k / replicas;
    if (rows == 0 && cols == 0) {
        rows = (size_t)llround(sqrt((double)block));
        cols = rows;
    }
    if (rows == 0 || cols == 0 || rows * cols != block ||
        block * replicas != k)
        return sc_fail(message, SC_ERR_SIZE,
                       "%s: torus %zu x %zu does not hold the %zu units%s "
                       "(set %sTORUS_ROWS and _COLS)",
                       caller, rows, cols, block,
                       local ? " of each position" : "", prefix);
    if (size > rows || size > cols)
        return sc_fail(message, SC_ERR_SIZE,
                       "%s: %sPOOL_SIZE = %zu exceeds the %zu x %zu torus",
                       caller, prefix, size, rows, cols);
    if (stride > rows || stride > cols)
        return sc_fail(message, SC_ERR_SIZE,
                       "%s: %sPOOL_STRIDE = %zu exceeds the %zu x %zu "
                       "torus", caller, prefix, stride, rows, cols);
    if (span > grid_rows || span > grid_cols)
        return sc_fail(message, SC_ERR_SIZE,
                       "%s: %sPOOL_POSITIONS = %zu exceeds the %zu x %zu "
                       "positions", caller, prefix, span, grid_rows,
                       grid_cols);

    /* Pools per position window, and position windows. */
    size_t pool_rows = (rows + stride - 1) / stride;
    size_t pool_cols = (cols + stride - 1) / stride;
    size_t windows_across = grid_cols - span + 1;
    size_t per_window = pool_rows * pool_cols;
    size_t count = per_window * (grid_rows - span + 1) * windows_across;
    size_t members = size * size * span * span;
    if (allocate(pools, count, count * members) != SC_OK)
        return sc_fail(message, SC_ERR_NOMEM, "%s: out of memory for pools",
                       caller);

    double centre = 0.5 * (double)(size - 1);
    size_t m = 0;
    for (size_t p = 0; p < count; p++) {
        size_t window = p / per_window, pi = p % per_window / pool_cols;
        size_t pj = p % pool_cols;
        size_t wy = window / windows_across, wx = window % windows_across;
        pools->start[p] = m;
        for (size_t qy = wy; qy < wy + span; qy++)
            for (size_t qx = wx; qx < wx + span; qx++)
                for (size_t di = 0; di < size; di++)
                    for (size_t dj = 0; dj < size; dj++) {
                        size_t r = (pi * stride + di) % rows;
                        size_t c = (pj * stride + dj) % cols;
                        double d2 = (di - centre) * (di - centre) +
                                    (dj - centre) * (dj - centre);
                        size_t position = qy * grid_cols + qx;
                        pools->units[m] =
                            (uint32_t)(position * block + r * cols + c);
                        pools->weights[m] =
                            sigma > 0 ? (float)exp(-d2 / (2 * sigma * sigma))
                                      : 1.0f;
                        m++;
                    }
    }
    pools->start[count] = m;
    return SC_OK;
}

sc_status sc_pools_build(sc_pools *pools, size_t k,
                         const sc_pool_geometry *geometry, char *message,
                         const char *caller)
{
    memset(pools, 0, sizeof *pools);
    switch (geometry->layout) {
    case SC_GROUP_LAYOUT_CONTIGUOUS:
        return build_contiguous(pools, k, geometry->group_size,
                                geometry->prefix, message, caller);
    case SC_GROUP_LAYOUT_TOPOGRAPHIC:
        return build_topographic(pools, k, geometry, message, caller);
    default:
        return SC_OK;
    }
}

void sc_pools_release(sc_pools *pools)
{
    free(pools->start);
    free(pools->units);
    free(pools->weights);
    memset(pools, 0, sizeof *pools);
}
