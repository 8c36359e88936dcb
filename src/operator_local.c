/* SPDX-License-Identifier: BSD-2-Clause */
/* operator_local.c -- the local unshared operator (Gregor & LeCun,
 * arXiv:1006.0448): every unit sees an r x r x c window of the image
 * through weights of its own.  See operator.h for the geometry, the weight
 * layout and the scratch rules.
 *
 * With scratch, when f % 8 == 0 and the CPU has AVX2 and FMA, the verbs
 * run the vector kernels of operator_local_avx2.c, which read the windows
 * in place.  Otherwise, with scratch, each position is one sgemm over the
 * batch's gathered windows (batch x c*r*r, row-major).  Without scratch, a
 * window is c*r contiguous runs of r pixels in each sample, so each run is
 * one small sgemm reading the image in place (lda = cols) and nothing is
 * gathered.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include "blas.h"
#include "operator.h"
#include "operator_local.h"
#include "parallel.h"

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
    g.threads = 1;
    g.vector_kernels = f % 8 == 0 && sc_local_avx2_available();
    op->kind = SC_OPERATOR_LOCAL;
    op->rows = rows;
    op->cols = cols;
    op->weight_count = weights;
    op->local = g;
    return 0;
}

/* Each sgemm here is kept to at most BLOCK_PRODUCT = m*n*k, by splitting
 * the batch into blocks of block_rows() samples: OpenBLAS runs products
 * that small in the calling thread (its own threads start above 2^18), so
 * the threads below, one per core, do not contend for its thread pool.
 * The blocking does not depend on the thread count, and neither do the
 * results.  A call under PARALLEL_FLOPS stays on the calling thread. */
#define BLOCK_PRODUCT ((size_t)1 << 18)
#define PARALLEL_FLOPS 4e6
/* The transpose shares out blocks of at most this many samples. */
#define TRANSPOSE_ROWS 32

static size_t block_rows(const sc_local_geometry *g)
{
    size_t per_row = g->f * g->patch;
    return per_row >= BLOCK_PRODUCT ? 1 : BLOCK_PRODUCT / per_row;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* The threads worth starting for one verb on a batch.  Starting and
 * joining a thread costs 30-80 us on the 2-core virtual machine of
 * docs/local.md: a call on the vector kernels, twice as fast per FLOP as
 * the sgemm path, gains from a second thread only from about
 * VECTOR_PARALLEL_FLOPS (bench_local: at 5 MFLOP a second thread made every
 * verb slower, at 10 MFLOP 1.1-1.5x faster). */
#define VECTOR_PARALLEL_FLOPS 8e6

static size_t threads_for(const sc_operator *op, size_t batch, int verb)
{
    double flops = 2.0 * (double)batch * (double)op->rows *
                   (double)op->local.patch;
    double least = sc_local_vector_verb(op, verb) ? VECTOR_PARALLEL_FLOPS
                                                  : PARALLEL_FLOPS;
    return flops < least ? 1 : op->local.threads;
}

/* The vector kernels' transpose and gradient read a position's filters
 * again for every tile of samples; once all the filters outgrow a core's
 * level-2 cache (above VECTOR_WEIGHTS_MAX floats, 1 MiB), the sgemm path,
 * which takes one position's filters for the whole batch, is faster
 * (bench_local's larger geometry: 301,056 weights, 72.6 against 57.3
 * GFLOP/s for the transpose on one core; at 150,528 weights the kernels
 * still win, 59.5 against 50.3).  Their forward was faster at every size
 * measured. */
#define VECTOR_WEIGHTS_MAX ((size_t)1 << 18)

int sc_local_vector_verb(const sc_operator *op, int verb)
{
    return op->local.vector_kernels &&
           (verb == SC_LOCAL_VERB_FORWARD ||
            op->weight_count <= VECTOR_WEIGHTS_MAX);
}

/* The scratch of the vector kernels: a tile per thread, and the gradient's
 * sums if it runs on them; 0 if that overflows. */
static size_t vector_scratch(const sc_operator *op)
{
    const sc_local_geometry *g = &op->local;
    size_t tile = sc_local_avx2_tile_floats(op);
    size_t sums = sc_local_vector_verb(op, SC_LOCAL_VERB_GRADIENT)
                      ? op->weight_count
                      : 0;
    if (tile == 0 || g->threads > SIZE_MAX / tile ||
        g->threads * tile > SIZE_MAX - sums)
        return 0;
    return g->threads * tile + sums;
}

/* The scratch of the sgemm path: one slice of a block of windows per
 * thread; 0 if that overflows. */
static size_t gemm_scratch(const sc_operator *op, size_t batch)
{
    const sc_local_geometry *g = &op->local;
    size_t slice = min_size(batch, block_rows(g));
    if (slice == 0 || g->patch > SIZE_MAX / slice ||
        g->threads > SIZE_MAX / (slice * g->patch))
        return 0;
    return g->threads * slice * g->patch;
}

size_t sc_operator_scratch_floats(const sc_operator *op, size_t batch)
{
    if (op->kind != SC_OPERATOR_LOCAL || batch == 0)
        return 0;
    if (!op->local.vector_kernels)
        return gemm_scratch(op, batch);
    size_t vector = vector_scratch(op);
    if (vector == 0 || sc_local_vector_verb(op, SC_LOCAL_VERB_TRANSPOSE))
        return vector;
    /* Transpose and gradient on the sgemm path. */
    size_t gemm = gemm_scratch(op, batch);
    return gemm == 0 ? 0 : vector > gemm ? vector : gemm;
}

/* x[0 .. count) *= beta; beta == 0 writes zeros (over NaN too). */
static void scale(float *x, size_t count, float beta)
{
    if (beta == 0.0f)
        memset(x, 0, count * sizeof *x);
    else if (beta != 1.0f)
        for (size_t i = 0; i < count; i++)
            x[i] *= beta;
}

/* patches (batch x patch) <- the windows at origin of every sample. */
static void gather(const sc_local_geometry *g, size_t cols, size_t batch,
                   const float *x, size_t origin, float *patches)
{
    size_t r = g->r, plane = g->h * g->w;
    for (size_t b = 0; b < batch; b++) {
        float *dst = patches + b * g->patch;
        for (size_t ch = 0; ch < g->c; ch++) {
            const float *src = x + b * cols + origin + ch * plane;
            for (size_t dy = 0; dy < r; dy++, src += g->w, dst += r)
                for (size_t dx = 0; dx < r; dx++)
                    dst[dx] = src[dx];
        }
    }
}

/* The windows at origin of every sample += patches (batch x patch). */
static void scatter_add(const sc_local_geometry *g, size_t cols, size_t batch,
                        const float *patches, size_t origin, float *x)
{
    size_t r = g->r, plane = g->h * g->w;
    for (size_t b = 0; b < batch; b++) {
        const float *src = patches + b * g->patch;
        for (size_t ch = 0; ch < g->c; ch++) {
            float *dst = x + b * cols + origin + ch * plane;
            for (size_t dy = 0; dy < r; dy++, dst += g->w, src += r)
                for (size_t dx = 0; dx < r; dx++)
                    dst[dx] += src[dx];
        }
    }
}

/* One call of a verb, shared by the threads that run its ranges. */
typedef struct {
    const sc_operator *op;
    size_t batch;
    const float *in;     /* x (forward, gradient) or y (transpose) */
    const float *dy;     /* gradient: dy; NULL for forward */
    float *out;          /* y (forward), x (transpose), grad (gradient) */
    float alpha, beta;
    float *scratch;      /* one slice of slice_floats per thread */
    size_t slice_floats;
    size_t rows;         /* samples per block */
    int verb;            /* SC_LOCAL_VERB_* */
    int vector;          /* on the vector kernels */
} local_call;

/* forward or gradient, positions [begin, end): each block of samples'
 * windows is gathered, then
 *   forward:  y[:, pos*f .. +f] = patches block^T + beta y
 *   gradient: block = alpha dy[:, pos*f .. +f]^T patches + beta block,
 *             summing the sample blocks in order. */
static void gathered_positions(void *arg, size_t begin, size_t end,
                               size_t thread)
{
    const local_call *c = arg;
    const sc_operator *op = c->op;
    const sc_local_geometry *g = &op->local;
    size_t f = g->f, patch = g->patch;
    float *slice = c->scratch + thread * c->slice_floats;
    for (size_t pos = begin; pos < end; pos++) {
        size_t origin = sc_local_window_origin(g, pos);
        float *weights = c->dy != NULL ? c->out : op->weights;
        float *block = weights + pos * f * patch;
        for (size_t b0 = 0; b0 < c->batch; b0 += c->rows) {
            size_t m = min_size(c->rows, c->batch - b0);
            gather(g, op->cols, m, c->in + b0 * op->cols, origin, slice);
            if (c->dy == NULL)
                sc_gemm(0, 1, m, f, patch, 1.0f, slice, patch, block, patch,
                        c->beta, c->out + b0 * op->rows + pos * f, op->rows);
            else
                sc_gemm(1, 0, f, patch, m, c->alpha,
                        c->dy + b0 * op->rows + pos * f, op->rows, slice,
                        patch, b0 == 0 ? c->beta : 1.0f, block, patch);
        }
    }
}

/* transpose, sample blocks [begin, end): each sample's x is scaled, then
 * every window adds to it in position order. */
static void transpose_blocks(void *arg, size_t begin, size_t end,
                             size_t thread)
{
    const local_call *c = arg;
    const sc_operator *op = c->op;
    const sc_local_geometry *g = &op->local;
    size_t f = g->f, patch = g->patch, positions = g->hout * g->wout;
    float *slice = c->scratch + thread * c->slice_floats;
    for (size_t i = begin; i < end; i++) {
        size_t b0 = i * c->rows, m = min_size(c->rows, c->batch - b0);
        float *xb = c->out + b0 * op->cols;
        scale(xb, m * op->cols, c->beta);
        for (size_t pos = 0; pos < positions; pos++) {
            /* patches = y[:, pos*f .. +f] block, then added into x */
            sc_gemm(0, 0, m, patch, f, 1.0f, c->in + b0 * op->rows + pos * f,
                    op->rows, op->weights + pos * f * patch, patch, 0.0f,
                    slice, patch);
            scatter_add(g, op->cols, m, slice, sc_local_window_origin(g, pos),
                        xb);
        }
    }
}

/* The vector kernels' bodies.  forward and transpose share out tiles of
 * samples; each sample's sums are its own, so any split gives the same
 * results.  gradient shares out positions. */
static void vector_samples(void *arg, size_t begin, size_t end,
                           size_t thread)
{
    const local_call *c = arg;
    float *tile = c->scratch + thread * c->slice_floats;
    size_t first = begin * SC_LOCAL_TILE;
    size_t last = min_size(end * SC_LOCAL_TILE, c->batch);
    if (c->verb == SC_LOCAL_VERB_TRANSPOSE)
        sc_local_avx2_transpose(c->op, first, last, c->in, c->beta, c->out,
                                tile);
    else
        sc_local_avx2_forward(c->op, first, last, c->in, c->beta, c->out,
                              tile);
}

static void vector_positions(void *arg, size_t begin, size_t end,
                             size_t thread)
{
    const local_call *c = arg;
    const sc_operator *op = c->op;
    sc_local_avx2_gradient(op, begin, end, c->batch, c->dy, c->in, c->alpha,
                           c->beta, c->out,
                           c->scratch + thread * c->slice_floats,
                           c->scratch + op->local.threads * c->slice_floats);
}

/* The part of a call every verb shares: the path, the blocking and each
 * thread's scratch slice. */
static local_call call_of(const sc_operator *op, size_t batch,
                          float *scratch, int verb)
{
    size_t rows = block_rows(&op->local);
    int vector = sc_local_vector_verb(op, verb);
    size_t slice = vector ? sc_local_avx2_tile_floats(op)
                          : min_size(batch, rows) * op->local.patch;
    return (local_call){.op = op, .batch = batch, .scratch = scratch,
                        .rows = rows, .slice_floats = slice, .verb = verb,
                        .vector = vector};
}

/* Runs a call with scratch on its threads.  The vector kernels share out
 * tiles of samples (forward, transpose) or positions (gradient); the
 * sgemm path positions (forward, gradient) or blocks of TRANSPOSE_ROWS
 * samples (transpose).  Blocks of samples are small enough to share out,
 * and of a size that does not depend on the thread count, so neither do
 * the sgemm calls (a BLAS may round an m-row product differently for
 * another m). */
static void run_call(local_call *c)
{
    const sc_local_geometry *g = &c->op->local;
    size_t threads = threads_for(c->op, c->batch, c->verb);
    size_t positions = g->hout * g->wout;
    if (c->vector && c->verb == SC_LOCAL_VERB_GRADIENT) {
        sc_parallel_for(positions, threads, vector_positions, c);
    } else if (c->vector) {
        sc_parallel_for((c->batch + SC_LOCAL_TILE - 1) / SC_LOCAL_TILE,
                        threads, vector_samples, c);
    } else if (c->verb == SC_LOCAL_VERB_TRANSPOSE) {
        c->rows = min_size(c->rows, TRANSPOSE_ROWS);
        sc_parallel_for((c->batch + c->rows - 1) / c->rows, threads,
                        transpose_blocks, c);
    } else {
        sc_parallel_for(positions, threads, gathered_positions, c);
    }
}

void sc_operator_local_forward(const sc_operator *op, size_t batch,
                               const float *x, float beta, float *y,
                               float *scratch)
{
    const sc_local_geometry *g = &op->local;
    size_t f = g->f, patch = g->patch, runs = g->c * g->r;
    size_t positions = g->hout * g->wout;
    if (scratch != NULL) {
        local_call c = call_of(op, batch, scratch, SC_LOCAL_VERB_FORWARD);
        c.in = x;
        c.out = y;
        c.beta = beta;
        run_call(&c);
        return;
    }
    for (size_t pos = 0; pos < positions; pos++) {
        size_t origin = sc_local_window_origin(g, pos);
        for (size_t run = 0; run < runs; run++)
            sc_gemm(0, 1, batch, f, g->r, 1.0f,
                    x + origin + sc_local_run_offset(g, run), op->cols,
                    op->weights + pos * f * patch + run * g->r, patch,
                    run == 0 ? beta : 1.0f, y + pos * f, op->rows);
    }
}

void sc_operator_local_transpose(const sc_operator *op, size_t batch,
                                 const float *y, float beta, float *x,
                                 float *scratch)
{
    const sc_local_geometry *g = &op->local;
    size_t f = g->f, patch = g->patch, runs = g->c * g->r;
    size_t positions = g->hout * g->wout;
    /* Windows overlap, so x is scaled once and every window adds to it.
     * beta == 0 overwrites (as sgemm does), even NaN. */
    if (scratch != NULL) {
        local_call c = call_of(op, batch, scratch, SC_LOCAL_VERB_TRANSPOSE);
        c.in = y;
        c.out = x;
        c.beta = beta;
        run_call(&c);
        return;
    }
    scale(x, batch * op->cols, beta);
    for (size_t pos = 0; pos < positions; pos++) {
        size_t origin = sc_local_window_origin(g, pos);
        for (size_t run = 0; run < runs; run++)
            sc_gemm(0, 0, batch, g->r, f, 1.0f, y + pos * f, op->rows,
                    op->weights + pos * f * patch + run * g->r, patch, 1.0f,
                    x + origin + sc_local_run_offset(g, run), op->cols);
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
    if (scratch != NULL) {
        local_call c = call_of(op, batch, scratch, SC_LOCAL_VERB_GRADIENT);
        c.in = x;
        c.dy = dy;
        c.out = grad;
        c.alpha = alpha;
        c.beta = beta;
        run_call(&c);
        return;
    }
    for (size_t pos = 0; pos < positions; pos++) {
        size_t origin = sc_local_window_origin(g, pos);
        for (size_t run = 0; run < runs; run++)
            sc_gemm(1, 0, f, g->r, batch, alpha, dy + pos * f, op->rows,
                    x + origin + sc_local_run_offset(g, run), op->cols, beta,
                    grad + pos * f * patch + run * g->r, patch);
    }
}

void sc_operator_local_load_unit(sc_operator *op, size_t j, const float *v,
                                 size_t stride)
{
    const sc_local_geometry *g = &op->local;
    size_t origin = sc_local_window_origin(g, j / g->f), r = g->r;
    float *filter = op->weights + j * g->patch;
    for (size_t run = 0; run < g->c * r; run++) {
        size_t at = origin + sc_local_run_offset(g, run);
        for (size_t dx = 0; dx < r; dx++)
            filter[run * r + dx] = v[(at + dx) * stride];
    }
}

/* Windows at grid distance d apart along one axis overlap iff
 * d * stride < r. */
static int windows_overlap(const sc_local_geometry *g, size_t p, size_t q)
{
    size_t py = p / g->wout, px = p % g->wout;
    size_t qy = q / g->wout, qx = q % g->wout;
    size_t dy = py > qy ? py - qy : qy - py;
    size_t dx = px > qx ? px - qx : qx - px;
    return dy * g->stride < g->r && dx * g->stride < g->r;
}

void sc_operator_local_mask_links(const sc_operator *op, float *s)
{
    const sc_local_geometry *g = &op->local;
    size_t k = op->rows, f = g->f, positions = g->hout * g->wout;
    for (size_t p = 0; p < positions; p++)
        for (size_t q = 0; q < positions; q++)
            if (!windows_overlap(g, p, q))
                for (size_t u = 0; u < f; u++)
                    memset(s + (p * f + u) * k + q * f, 0, f * sizeof *s);
}
