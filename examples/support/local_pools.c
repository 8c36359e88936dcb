/* SPDX-License-Identifier: BSD-2-Clause */
/* local_pools.c -- the topographic pools of a local model (local_pools.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_grid.h"
#include "local_pools.h"

int local_pools_build(local_pools *pools, const local_pool_geometry *g)
{
    *pools = (local_pools){0};
    if (g->size == 0 || g->stride == 0 || g->span == 0 ||
        g->size > g->rows || g->size > g->cols || g->span > g->hout ||
        g->span > g->wout)
        return -1;
    size_t pool_rows = (g->rows + g->stride - 1) / g->stride;
    size_t pool_cols = (g->cols + g->stride - 1) / g->stride;
    size_t per_window = pool_rows * pool_cols;
    size_t windows_across = g->wout - g->span + 1;
    size_t windows = (g->hout - g->span + 1) * windows_across;
    size_t members = g->size * g->size * g->span * g->span;
    size_t maps = g->rows * g->cols;
    pools->count = per_window * windows;
    pools->start = malloc((pools->count + 1) * sizeof *pools->start);
    pools->units = malloc(pools->count * members * sizeof *pools->units);
    if (pools->start == NULL || pools->units == NULL) {
        local_pools_free(pools);
        return -1;
    }
    size_t n = 0;
    for (size_t p = 0; p < pools->count; p++) {
        size_t window = p / per_window;
        size_t pi = p % per_window / pool_cols, pj = p % pool_cols;
        size_t wy = window / windows_across, wx = window % windows_across;
        pools->start[p] = n;
        for (size_t qy = wy; qy < wy + g->span; qy++)
            for (size_t qx = wx; qx < wx + g->span; qx++)
                for (size_t di = 0; di < g->size; di++)
                    for (size_t dj = 0; dj < g->size; dj++) {
                        size_t r = (pi * g->stride + di) % g->rows;
                        size_t c = (pj * g->stride + dj) % g->cols;
                        size_t position = qy * g->wout + qx;
                        pools->units[n++] = position * maps + r * g->cols + c;
                    }
    }
    pools->start[pools->count] = n;
    return 0;
}

void local_pools_free(local_pools *pools)
{
    free(pools->start);
    free(pools->units);
    *pools = (local_pools){0};
}

void local_pools_responses(const local_pools *pools, const float *z,
                           size_t batch, size_t k, float *out)
{
    for (size_t b = 0; b < batch; b++)
        for (size_t p = 0; p < pools->count; p++) {
            double sum = 0;
            for (size_t m = pools->start[p]; m < pools->start[p + 1]; m++) {
                double v = z[b * k + pools->units[m]];
                sum += v * v;
            }
            out[b * pools->count + p] = (float)sqrt(sum);
        }
}

int local_pools_draw(const char *path, const local_pools *pools,
                     const size_t *order, size_t shown, const float *filters,
                     size_t side, char *err, size_t errsize)
{
    size_t members = pools->count ? pools->start[1] - pools->start[0] : 0;
    size_t len = side * side;
    float *tiles = malloc((shown * members * len + 1) * sizeof *tiles);
    if (tiles == NULL) {
        snprintf(err, errsize, "out of memory for the pools' picture");
        return -1;
    }
    for (size_t r = 0; r < shown; r++)
        for (size_t j = 0; j < members; j++)
            memcpy(tiles + (r * members + j) * len,
                   filters + pools->units[pools->start[order[r]] + j] * len,
                   len * sizeof *tiles);
    int rc = image_grid_write_png(path, tiles, shown * members, side, side,
                                  len, 1, members, err, errsize);
    free(tiles);
    return rc;
}
