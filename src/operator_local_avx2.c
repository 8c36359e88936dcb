/* SPDX-License-Identifier: BSD-2-Clause */
/* operator_local_avx2.c -- the local operator's three products as AVX2 +
 * FMA kernels (operator_local.h), for f % 8 == 0.
 *
 * The per-position products of examples/local are 100 x 8 x 49: too small
 * for sgemm to run near its rate, and their windows must first be gathered
 * for it.  Here the batch is taken 8 samples at a time (a tile, transposed
 * so that one vector is one pixel or one code of the 8 samples), and every
 * window is read in place from the tile, its sums kept in registers:
 *
 *   forward    the 8 maps' codes of one position: per window pixel, the
 *              pixel's vector times each map's weight (a broadcast);
 *   transpose  per window pixel, the sum over 8 maps of the code vector
 *              times the map's weight, added into the image tile;
 *   gradient   8 maps x up to GRADIENT_TAPS window pixels: per sample,
 *              the vector of its 8 maps' dy times each pixel (a
 *              broadcast), summed over the batch in order, from a wider
 *              tile of GRADIENT_SAMPLES samples.
 *
 * Transposing the tiles in and out is the price of reading windows in
 * place; at examples/local's sizes the kernels still run 1.5-2x faster
 * than the sgemm path (docs/local.md, "Speed").
 *
 * The functions carry a target attribute instead of the file taking
 * -mavx2, so the library still runs on any x86-64 (operator_local.c only
 * calls them when sc_local_avx2_available()) and builds on other
 * architectures, where this file defines that test and stubs never
 * called. */
#include "operator_local.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define SC_HAVE_AVX2_KERNELS 1
#else
#define SC_HAVE_AVX2_KERNELS 0
#endif

#if SC_HAVE_AVX2_KERNELS
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define SC_AVX2 __attribute__((target("avx2,fma")))

#define TILE SC_LOCAL_TILE
/* The gradient's register tile: 12 sums of 8 maps, one dy vector and a
 * broadcast fill AVX2's 16 vector registers. */
#define GRADIENT_TAPS 12
/* The gradient sums over the batch this many samples at a time: a longer
 * loop per register tile than one TILE. */
#define GRADIENT_SAMPLES 64

/* The compiler's runtime reads the CPU's features in a constructor, before
 * any library call: nothing to initialise here, so this is reentrant. */
int sc_local_avx2_available(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

size_t sc_local_avx2_tile_floats(const sc_operator *op)
{
    size_t both = op->cols + op->rows;
    if (both < op->cols || both > SIZE_MAX / TILE ||
        op->cols > SIZE_MAX / GRADIENT_SAMPLES)
        return 0;
    size_t forward = TILE * both, gradient = GRADIENT_SAMPLES * op->cols;
    return forward > gradient ? forward : gradient;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* The 8 x 8 transpose of r[0..8), in registers. */
SC_AVX2 static void transpose8(__m256 r[8])
{
    __m256 t[8], s[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        s[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        s[i + 2] =
            _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        s[i + 3] =
            _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x20);
        r[i + 4] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x31);
    }
}

/* tile[p*width + q + i] = src[(q + i)*ld + p] for p < len, q + i < m:
 * m <= width samples of len floats each (rows ld apart), transposed so
 * that a pixel's samples are contiguous; width is a multiple of 8, and the
 * lanes of missing samples are zero. */
SC_AVX2 static void pack_tile(const float *src, size_t ld, size_t m,
                              size_t len, size_t width, float *tile)
{
    for (size_t q = 0; q < width; q += 8, src += 8 * ld) {
        size_t here = m > q ? min_size(8, m - q) : 0;
        size_t p = 0;
        for (; p + 8 <= len; p += 8) {
            __m256 r[8];
            for (int i = 0; i < 8; i++)
                r[i] = (size_t)i < here
                           ? _mm256_loadu_ps(src + (size_t)i * ld + p)
                           : _mm256_setzero_ps();
            transpose8(r);
            for (int j = 0; j < 8; j++)
                _mm256_storeu_ps(tile + (p + (size_t)j) * width + q, r[j]);
        }
        for (; p < len; p++)
            for (size_t i = 0; i < 8; i++)
                tile[p * width + q + i] = i < here ? src[i * ld + p] : 0.0f;
    }
}

/* dst[i*ld + p] = tile[p*TILE + i] + beta dst[i*ld + p] for p < len,
 * i < m (beta == 0 overwrites). */
SC_AVX2 static void unpack_tile(const float *tile, size_t len, size_t m,
                                float beta, float *dst, size_t ld)
{
    __m256 scale = _mm256_set1_ps(beta);
    size_t p = 0;
    for (; p + 8 <= len; p += 8) {
        __m256 r[8];
        for (int j = 0; j < 8; j++)
            r[j] = _mm256_loadu_ps(tile + (p + (size_t)j) * TILE);
        transpose8(r);
        for (int i = 0; i < 8; i++) {
            if ((size_t)i == m)
                break;
            float *at = dst + (size_t)i * ld + p;
            __m256 v = r[i];
            if (beta != 0.0f)
                v = _mm256_fmadd_ps(scale, _mm256_loadu_ps(at), v);
            _mm256_storeu_ps(at, v);
        }
    }
    for (; p < len; p++)
        for (size_t i = 0; i < m; i++) {
            float *at = dst + i * ld + p;
            float v = tile[p * TILE + i];
            *at = beta == 0.0f ? v : v + beta * *at;
        }
}

/* Codes tile yt of position pos = its filters . its windows in image tile
 * xt (eq. E4's local W_e x). */
SC_AVX2 static void forward_position(const sc_operator *op, size_t pos,
                                     const float *xt, float *yt)
{
    const sc_local_geometry *g = &op->local;
    size_t f = g->f, r = g->r, patch = g->patch, plane = g->h * g->w;
    const float *window = xt + sc_local_window_origin(g, pos) * TILE;
    for (size_t u0 = 0; u0 < f; u0 += 8) {
        const float *w = op->weights + (pos * f + u0) * patch;
        __m256 acc[8];
        for (int u = 0; u < 8; u++)
            acc[u] = _mm256_setzero_ps();
        for (size_t ch = 0; ch < g->c; ch++)
            for (size_t dy = 0; dy < r; dy++, w += r) {
                const float *in = window + (ch * plane + dy * g->w) * TILE;
                for (size_t dx = 0; dx < r; dx++) {
                    __m256 pixel = _mm256_loadu_ps(in + dx * TILE);
                    for (int u = 0; u < 8; u++)
                        acc[u] = _mm256_fmadd_ps(
                            _mm256_broadcast_ss(w + (size_t)u * patch + dx),
                            pixel, acc[u]);
                }
            }
        for (int u = 0; u < 8; u++)
            _mm256_storeu_ps(yt + (pos * f + u0 + (size_t)u) * TILE, acc[u]);
    }
}

/* Image tile xt += position pos's filters^T . its codes in tile yt. */
SC_AVX2 static void transpose_position(const sc_operator *op, size_t pos,
                                       const float *yt, float *xt)
{
    const sc_local_geometry *g = &op->local;
    size_t f = g->f, r = g->r, patch = g->patch, plane = g->h * g->w;
    float *window = xt + sc_local_window_origin(g, pos) * TILE;
    for (size_t u0 = 0; u0 < f; u0 += 8) {
        const float *w = op->weights + (pos * f + u0) * patch;
        __m256 code[8];
        for (int u = 0; u < 8; u++)
            code[u] = _mm256_loadu_ps(yt + (pos * f + u0 + (size_t)u) * TILE);
        for (size_t ch = 0; ch < g->c; ch++)
            for (size_t dy = 0; dy < r; dy++, w += r) {
                float *out = window + (ch * plane + dy * g->w) * TILE;
                for (size_t dx = 0; dx < r; dx++) {
                    /* Two partial sums halve the chain of dependent adds. */
                    __m256 even = _mm256_setzero_ps(), odd = even;
                    for (int u = 0; u < 8; u += 2) {
                        even = _mm256_fmadd_ps(
                            _mm256_broadcast_ss(w + (size_t)u * patch + dx),
                            code[u], even);
                        odd = _mm256_fmadd_ps(
                            _mm256_broadcast_ss(w + (size_t)(u + 1) * patch +
                                                dx),
                            code[u + 1], odd);
                    }
                    float *at = out + dx * TILE;
                    _mm256_storeu_ps(at, _mm256_add_ps(_mm256_loadu_ps(at),
                                                       _mm256_add_ps(even,
                                                                     odd)));
                }
            }
    }
}

/* A product of one position between tiles: forward_position or
 * transpose_position. */
typedef void (*position_product)(const sc_operator *op, size_t pos,
                                 const float *in, float *out);

/* The loop forward and transpose share, over samples [begin, end) a tile
 * at a time: the tile of `in` (in_len floats a sample) is packed, every
 * position's product runs from it into the output tile (zeroed first if
 * the product adds into it), and that is unpacked into `out` (out_len
 * floats a sample) with beta.  Inlined into each verb, so that the
 * product is a direct call there, and inlined too. */
static inline __attribute__((always_inline, target("avx2,fma"))) void
tile_loop(const sc_operator *op, size_t begin, size_t end, const float *in,
          size_t in_len, float beta, float *out, size_t out_len, float *tile,
          position_product product, int adds)
{
    const sc_local_geometry *g = &op->local;
    size_t positions = g->hout * g->wout;
    float *in_tile = tile, *out_tile = tile + TILE * in_len;
    for (size_t b0 = begin; b0 < end; b0 += TILE) {
        size_t m = min_size(TILE, end - b0);
        pack_tile(in + b0 * in_len, in_len, m, in_len, TILE, in_tile);
        if (adds)
            memset(out_tile, 0, TILE * out_len * sizeof *out_tile);
        for (size_t pos = 0; pos < positions; pos++)
            product(op, pos, in_tile, out_tile);
        unpack_tile(out_tile, out_len, m, beta, out + b0 * out_len, out_len);
    }
}

SC_AVX2 void sc_local_avx2_forward(const sc_operator *op, size_t begin,
                                   size_t end, const float *x, float beta,
                                   float *y, float *tile)
{
    /* Every position writes all its codes: nothing to zero. */
    tile_loop(op, begin, end, x, op->cols, beta, y, op->rows, tile,
              forward_position, 0);
}

SC_AVX2 void sc_local_avx2_transpose(const sc_operator *op, size_t begin,
                                     size_t end, const float *y, float beta,
                                     float *x, float *tile)
{
    /* Windows overlap, and some pixels lie in none: the image tile starts
     * at zero. */
    tile_loop(op, begin, end, y, op->rows, beta, x, op->cols, tile,
              transpose_position, 1);
}

/* A window pixel's place, stepped through in filter order without
 * dividing: channel, row, column and the offset from the window origin. */
typedef struct {
    size_t ch, dy, dx, offset;
} tap_cursor;

static void tap_next(const sc_local_geometry *g, tap_cursor *t)
{
    if (++t->dx < g->r) {
        t->offset++;
        return;
    }
    t->dx = 0;
    if (++t->dy == g->r) {
        t->dy = 0;
        t->ch++;
    }
    t->offset = t->ch * g->h * g->w + t->dy * g->w;
}

/* A block of `width` window pixels, given by at[j], of 8 maps: sums s
 * (tap j of the maps at s[j*f]) += each of m samples' dy (d, one row per
 * sample) times its pixels (at[j][i] for sample i). */
static inline __attribute__((always_inline, target("avx2,fma"))) void
gradient_block(const float *const *at, int width, const float *d,
               size_t rows, size_t m, float *s, size_t f)
{
    __m256 acc[GRADIENT_TAPS];
    for (int j = 0; j < width; j++)
        acc[j] = _mm256_loadu_ps(s + (size_t)j * f);
    for (size_t i = 0; i < m; i++, d += rows) {
        __m256 dv = _mm256_loadu_ps(d);
        for (int j = 0; j < width; j++)
            acc[j] = _mm256_fmadd_ps(_mm256_broadcast_ss(at[j] + i), dv,
                                     acc[j]);
    }
    for (int j = 0; j < width; j++)
        _mm256_storeu_ps(s + (size_t)j * f, acc[j]);
}

/* gradient_block with a width known at compile time, so that its sums
 * stay in registers. */
#define GRADIENT_BLOCK_CASE(width)                                           \
    case width:                                                              \
        gradient_block(at, width, d, rows, m, s, f);                         \
        break;

/* sums (position pos's, tap-major: tap t of map u at t*f + u) += the
 * tile's m samples of dy (rows b0 .. b0+m of dy, at pos) times their
 * windows in image tile xt (GRADIENT_SAMPLES wide), sample by sample.  The
 * window's pixels go in the fewest blocks of at most GRADIENT_TAPS, of
 * near-equal widths (49 = 10 + 10 + 10 + 10 + 9): a narrow block would
 * leave the FMA units waiting on its few chains of dependent sums. */
SC_AVX2 static void gradient_position(const sc_operator *op, size_t pos,
                                      const float *xt, const float *dy,
                                      size_t m, float *sums)
{
    const sc_local_geometry *g = &op->local;
    size_t f = g->f, patch = g->patch, rows = op->rows;
    size_t blocks = (patch + GRADIENT_TAPS - 1) / GRADIENT_TAPS;
    size_t narrow = patch / blocks, wide = blocks - patch % blocks;
    const float *window =
        xt + sc_local_window_origin(g, pos) * GRADIENT_SAMPLES;
    for (size_t u0 = 0; u0 < f; u0 += 8) {
        tap_cursor tap = {0, 0, 0, 0};
        const float *d = dy + pos * f + u0;
        size_t t0 = 0;
        for (size_t block = 0; block < blocks; block++) {
            /* The first `wide` blocks have `narrow` pixels, the rest one
             * more. */
            int width = (int)(narrow + (block >= wide));
            const float *at[GRADIENT_TAPS];
            for (int j = 0; j < width; j++) {
                at[j] = window + tap.offset * GRADIENT_SAMPLES;
                tap_next(g, &tap);
            }
            float *s = sums + t0 * f + u0;
            switch (width) {
                GRADIENT_BLOCK_CASE(1)
                GRADIENT_BLOCK_CASE(2)
                GRADIENT_BLOCK_CASE(3)
                GRADIENT_BLOCK_CASE(4)
                GRADIENT_BLOCK_CASE(5)
                GRADIENT_BLOCK_CASE(6)
                GRADIENT_BLOCK_CASE(7)
                GRADIENT_BLOCK_CASE(8)
                GRADIENT_BLOCK_CASE(9)
                GRADIENT_BLOCK_CASE(10)
                GRADIENT_BLOCK_CASE(11)
            default:
                gradient_block(at, GRADIENT_TAPS, d, rows, m, s, f);
            }
            t0 += (size_t)width;
        }
    }
}

SC_AVX2 void sc_local_avx2_gradient(const sc_operator *op, size_t begin,
                                    size_t end, size_t batch,
                                    const float *dy, const float *x,
                                    float alpha, float beta, float *grad,
                                    float *tile, float *sums)
{
    const sc_local_geometry *g = &op->local;
    size_t f = g->f, patch = g->patch, cols = op->cols, block = f * patch;
    memset(sums + begin * block, 0, (end - begin) * block * sizeof *sums);
    for (size_t b0 = 0; b0 < batch; b0 += GRADIENT_SAMPLES) {
        size_t m = min_size(GRADIENT_SAMPLES, batch - b0);
        pack_tile(x + b0 * cols, cols, m, cols, GRADIENT_SAMPLES, tile);
        for (size_t pos = begin; pos < end; pos++)
            gradient_position(op, pos, tile, dy + b0 * op->rows, m,
                              sums + pos * block);
    }
    for (size_t pos = begin; pos < end; pos++) {
        const float *s = sums + pos * block;
        float *out = grad + pos * block;
        for (size_t u = 0; u < f; u++)
            for (size_t t = 0; t < patch; t++, out++) {
                float v = alpha * s[t * f + u];
                *out = beta == 0.0f ? v : v + beta * *out;
            }
    }
}

#else /* no AVX2 kernels in this build: never called */

int sc_local_avx2_available(void)
{
    return 0;
}

size_t sc_local_avx2_tile_floats(const sc_operator *op)
{
    (void)op;
    return 0;
}

void sc_local_avx2_forward(const sc_operator *op, size_t begin, size_t end,
                           const float *x, float beta, float *y, float *tile)
{
    (void)op, (void)begin, (void)end, (void)x, (void)beta, (void)y;
    (void)tile;
}

void sc_local_avx2_transpose(const sc_operator *op, size_t begin,
                             size_t end, const float *y, float beta,
                             float *x, float *tile)
{
    (void)op, (void)begin, (void)end, (void)y, (void)beta, (void)x;
    (void)tile;
}

void sc_local_avx2_gradient(const sc_operator *op, size_t begin, size_t end,
                            size_t batch, const float *dy, const float *x,
                            float alpha, float beta, float *grad,
                            float *tile, float *sums)
{
    (void)op, (void)begin, (void)end, (void)batch, (void)dy, (void)x;
    (void)alpha, (void)beta, (void)grad, (void)tile, (void)sums;
}

#endif
