/* operator_local.c -- the local unshared operator (Gregor & LeCun,
 * arXiv:1006.0448): every unit sees an r x r x c window of the image
 * through weights of its own.  See operator.h for the geometry, the weight
 * layout and the scratch rules.
 *
 * With scratch, each position is one sgemm over the batch's gathered
 * windows (batch x c*r*r, row-major).  Without, a window is c*r contiguous
 * runs of r pixels in each sample, so each run is one small sgemm reading
 * the image in place (lda = cols) and nothing is gathered.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include "blas.h"
#include "operator.h"

/* *out = a * b if that is at most INT_MAX (so sc_gemm's int arguments
 * hold it), else returns 0. */
static int mul_limit(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > (size_t)INT_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

int sc_operator_init_local(sc_operator *op, size_t c, size_t h, size_t w,
                           size_t r, size_t stride, size_t f)
{
    memset(op, 0, sizeof *op);
    if (c == 0 || h == 0 || w == 0 || r == 0 || stride == 0 || f == 0)
        return -2;
    if (r > h || r > w)
        return -2;
    sc_local_geometry g = {.c = c, .h = h, .w = w, .r = r, .stride = stride,
                           .f = f};
    g.hout = (h - r) / stride + 1;
    g.wout = (w - r) / stride + 1;
    size_t hw, cols, rr, positions, rows, weights;
    if (!mul_limit(h, w, &hw) || !mul_limit(c, hw, &cols) ||
        !mul_limit(r, r, &rr) || !mul_limit(c, rr, &g.patch) ||
        !mul_limit(g.hout, g.wout, &positions) ||
        !mul_limit(positions, f, &rows) ||
        !mul_limit(rows, g.patch, &weights))
        return -2;
    op->weights = calloc(weights, sizeof(float));
    if (op->weights == NULL)
        return -1;
    op->kind = SC_OPERATOR_LOCAL;
    op->rows = rows;
    op->cols = cols;
    op->weight_count = weights;
    op->local = g;
    return 0;
}

size_t sc_operator_scratch_floats(const sc_operator *op, size_t batch)
{
    if (op->kind != SC_OPERATOR_LOCAL)
        return 0;
    size_t patch = op->local.patch;
    if (batch != 0 && patch > SIZE_MAX / batch)
        return 0;
    return batch * patch;
}

/* The column of the window's top-left pixel, channel 0, of position pos. */
static size_t window_origin(const sc_local_geometry *g, size_t pos)
{
    size_t oy = pos / g->wout, ox = pos % g->wout;
    return oy * g->stride * g->w + ox * g->stride;
}

/* The offset, from the window origin, of run (ch, dy) in the image. */
static size_t run_offset(const sc_local_geometry *g, size_t run)
{
    size_t ch = run / g->r, dy = run % g->r;
    return ch * g->h * g->w + dy * g->w;
}

/* patches (batch x patch) <- the windows at origin of every sample. */
static void gather(const sc_local_geometry *g, size_t cols, size_t batch,
                   const float *x, size_t origin, float *patches)
{
    size_t r = g->r, runs = g->c * r;
    for (size_t b = 0; b < batch; b++) {
        const float *src = x + b * cols + origin;
        float *dst = patches + b * g->patch;
        for (size_t run = 0; run < runs; run++)
            memcpy(dst + run * r, src + run_offset(g, run), r * sizeof *dst);
    }
}

/* The windows at origin of every sample += patches (batch x patch). */
static void scatter_add(const sc_local_geometry *g, size_t cols, size_t batch,
                        const float *patches, size_t origin, float *x)
{
    size_t r = g->r, runs = g->c * r;
    for (size_t b = 0; b < batch; b++) {
        float *dst = x + b * cols + origin;
        const float *src = patches + b * g->patch;
        for (size_t run = 0; run < runs; run++) {
            float *d = dst + run_offset(g, run);
            const float *s = src + run * r;
            for (size_t dx = 0; dx < r; dx++)
                d[dx] += s[dx];
        }
    }
}

void sc_operator_local_forward(const sc_operator *op, size_t batch,
                               const float *x, float beta, float *y,
                               float *scratch)
{
    const sc_local_geometry *g = &op->local;
    size_t f = g->f, patch = g->patch, runs = g->c * g->r;
    size_t positions = g->hout * g->wout;
    for (size_t pos = 0; pos < positions; pos++) {
        const float *block = op->weights + pos * f * patch;
        float *ypos = y + pos * f;
        size_t origin = window_origin(g, pos);
        if (scratch != NULL) {
            /* y[:, pos*f .. +f] = patches block^T + beta y */
            gather(g, op->cols, batch, x, origin, scratch);
            sc_gemm(0, 1, batch, f, patch, 1.0f, scratch, patch, block, patch,
                    beta, ypos, op->rows);
        } else {
            for (size_t run = 0; run < runs; run++)
                sc_gemm(0, 1, batch, f, g->r, 1.0f,
                        x + origin + run_offset(g, run), op->cols,
                        block + run * g->r, patch, run == 0 ? beta : 1.0f,
                        ypos, op->rows);
        }
    }
}

void sc_operator_local_transpose(const sc_operator *op, size_t batch,
                                 const float *y, float beta, float *x,
                                 float *scratch)
{
    const sc_local_geometry *g = &op->local;
    size_t f = g->f, patch = g->patch, runs = g->c * g->r;
    size_t positions = g->hout * g->wout, count = batch * op->cols;
    /* Windows overlap, so x is scaled once and every window adds to it.
     * beta == 0 overwrites (as sgemm does), even NaN. */
    if (beta == 0.0f)
        memset(x, 0, count * sizeof *x);
    else if (beta != 1.0f)
        for (size_t i = 0; i < count; i++)
            x[i] *= beta;
    for (size_t pos = 0; pos < positions; pos++) {
        const float *block = op->weights + pos * f * patch;
        const float *ypos = y + pos * f;
        size_t origin = window_origin(g, pos);
        if (scratch != NULL) {
            /* patches = y[:, pos*f .. +f] block, then added into x */
            sc_gemm(0, 0, batch, patch, f, 1.0f, ypos, op->rows, block, patch,
                    0.0f, scratch, patch);
            scatter_add(g, op->cols, batch, scratch, origin, x);
        } else {
            for (size_t run = 0; run < runs; run++)
                sc_gemm(0, 0, batch, g->r, f, 1.0f, ypos, op->rows,
                        block + run * g->r, patch, 1.0f,
                        x + origin + run_offset(g, run), op->cols);
        }
    }
}

void sc_operator_local_accumulate_gradient(const sc_operator *op,
                                           size_t batch, const float *dy,
                                           const float *x, float alpha,
                                           float beta, float *grad,
                                           float *scratch)
{
    const sc_local_geometry *g = &op->local;
    size_t f = g->f, patch = g->patch, runs = g->c * g->r;
    size_t positions = g->hout * g->wout;
    for (size_t pos = 0; pos < positions; pos++) {
        float *block = grad + pos * f * patch;
        const float *dypos = dy + pos * f;
        size_t origin = window_origin(g, pos);
        if (scratch != NULL) {
            /* block = alpha dy[:, pos*f .. +f]^T patches + beta block */
            gather(g, op->cols, batch, x, origin, scratch);
            sc_gemm(1, 0, f, patch, batch, alpha, dypos, op->rows, scratch,
                    patch, beta, block, patch);
        } else {
            for (size_t run = 0; run < runs; run++)
                sc_gemm(1, 0, f, g->r, batch, alpha, dypos, op->rows,
                        x + origin + run_offset(g, run), op->cols, beta,
                        block + run * g->r, patch);
        }
    }
}

void sc_operator_local_project(sc_operator *op, double max_norm)
{
    size_t patch = op->local.patch;
    for (size_t i = 0; i < op->rows; i++) {
        float *filter = op->weights + i * patch;
        double s = 0.0;
        for (size_t j = 0; j < patch; j++)
            s += (double)filter[j] * filter[j];
        if (s > max_norm * max_norm) {
            float scale = (float)(max_norm / sqrt(s));
            for (size_t j = 0; j < patch; j++)
                filter[j] *= scale;
        }
    }
}
