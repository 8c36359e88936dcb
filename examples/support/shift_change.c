/* SPDX-License-Identifier: BSD-2-Clause */
/* shift_change.c -- the change of codes and pooled responses under small
 * shifts of the input (shift_change.h). */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "shift_change.h"

/* Images encoded at a time: bounds the scratch memory. */
#define CHUNK 500

/* dst = src moved by (dy, dx) pixels, the uncovered pixels 0. */
static void shift_image(float *dst, const float *src, size_t height,
                        size_t width, long dy, long dx)
{
    memset(dst, 0, height * width * sizeof *dst);
    for (long y = 0; y < (long)height; y++) {
        long sy = y - dy;
        if (sy < 0 || sy >= (long)height)
            continue;
        for (long x = 0; x < (long)width; x++) {
            long sx = x - dx;
            if (sx >= 0 && sx < (long)width)
                dst[y * (long)width + x] = src[sy * (long)width + sx];
        }
    }
}

/* Adds sum |a - b|^2 to *diff and sum |b|^2 to *norm over n values. */
static void accumulate(const float *a, const float *b, size_t n, double *diff,
                       double *norm)
{
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - b[i];
        *diff += d * d;
        *norm += (double)b[i] * b[i];
    }
}

int shift_change(const char *program, const sc_model *m,
                 const local_pools *pools, const float *x, size_t count,
                 size_t height, size_t width, size_t max_shift,
                 double *units, double *pooled)
{
    size_t n = height * width, k = sc_model_units(m), np = pools->count;
    float *xs = malloc(CHUNK * n * sizeof *xs);
    float *z0 = malloc(CHUNK * k * sizeof *z0);
    float *z1 = malloc(CHUNK * k * sizeof *z1);
    float *s0 = malloc(CHUNK * np * sizeof *s0);
    float *s1 = malloc(CHUNK * np * sizeof *s1);
    sc_status s = xs == NULL || z0 == NULL || z1 == NULL || s0 == NULL ||
                          s1 == NULL
                      ? SC_ERR_NOMEM
                      : SC_OK;
    double unit_diff = 0, unit_norm = 0, pool_diff = 0, pool_norm = 0;
    for (size_t first = 0; s == SC_OK && first < count; first += CHUNK) {
        size_t b = count - first < CHUNK ? count - first : CHUNK;
        s = sc_model_encode(m, x + first * n, b, z0);
        if (s != SC_OK)
            break;
        local_pools_responses(pools, z0, b, k, s0);
        /* The four directions at each distance. */
        for (size_t d = 1; s == SC_OK && d <= max_shift; d++)
            for (int dir = 0; s == SC_OK && dir < 4; dir++) {
                long dy = dir == 0 ? (long)d : dir == 1 ? -(long)d : 0;
                long dx = dir == 2 ? (long)d : dir == 3 ? -(long)d : 0;
                for (size_t i = 0; i < b; i++)
                    shift_image(xs + i * n, x + (first + i) * n, height,
                                width, dy, dx);
                s = sc_model_encode(m, xs, b, z1);
                if (s != SC_OK)
                    break;
                local_pools_responses(pools, z1, b, k, s1);
                accumulate(z1, z0, b * k, &unit_diff, &unit_norm);
                accumulate(s1, s0, b * np, &pool_diff, &pool_norm);
            }
    }
    free(xs);
    free(z0);
    free(z1);
    free(s0);
    free(s1);
    if (s != SC_OK)
        return report_failure(program, "shift_change", s);
    *units = unit_norm > 0 ? unit_diff / unit_norm : 0.0;
    *pooled = pool_norm > 0 ? pool_diff / pool_norm : 0.0;
    return 0;
}
