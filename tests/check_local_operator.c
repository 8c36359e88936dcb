/* SPDX-License-Identifier: BSD-2-Clause */
/* check_local_operator.c -- the local unshared operator (operator.h,
 * operator_local.c) is the dense operator whose matrix M holds its weights
 * at the window entries and zeros elsewhere:
 *
 *   M[pos*f + u][ch*H*W + (oy*s + dy)*W + (ox*s + dx)]
 *       = weights[pos*f*patch + u*patch + (ch*r + dy)*r + dx]
 *
 * so forward, transpose and accumulate_gradient agree with the dense verbs
 * on M, through the generic verbs (per-call scratch), with a caller
 * scratch and with none.  Also: projection clips each filter, and a bad
 * geometry is refused. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "operator.h"
#include "operator_local.h"
#include "testutil.h"

#define REL 1e-5

typedef struct {
    size_t c, h, w, r, s, f;
} geometry;

/* The first five take the sgemm path; the rest have f % 8 == 0, so that
 * on a CPU with AVX2 they take the vector kernels (operator_local_avx2.c)
 * too, and run both. */
static const geometry geometries[] = {
    {2, 7, 7, 3, 2, 3},  /* 3 x 3 positions, overlapping windows */
    {1, 5, 6, 2, 1, 2},  /* 4 x 5 positions, non-square */
    {3, 4, 4, 4, 1, 2},  /* r = H = W: one position */
    {2, 8, 9, 3, 2, 2},  /* floor: last pixel row and column in no window */
    {1, 6, 6, 2, 3, 1},  /* stride > r: gaps between windows */
    {2, 9, 10, 3, 2, 8}, /* vector kernels: 2 channels, floor */
    {1, 8, 8, 8, 1, 16}, /* one position, rows of 8, two groups of 8 maps */
    {1, 12, 11, 5, 3, 8}, /* 25 pixels a window: blocks of 8, 8 and 9 */
    {3, 6, 6, 5, 1, 8},  /* 75 pixels a window: blocks of 10 and 11 */
    {1, 6, 7, 4, 2, 8},  /* 16 pixels: blocks of 8 and 8; stride 2 */
};
#define GEOMETRY_COUNT (sizeof geometries / sizeof geometries[0])

/* Batches across the vector kernels' tiles of 8 samples.  (The
 * gradient's blocks of 64 samples are crossed by the threads test below,
 * batch 300, against the no-scratch path.) */
static const size_t batches[] = {1, 5, 37};
#define BATCH_COUNT (sizeof batches / sizeof batches[0])

/* The dense column of weight index i of a local operator, and its row. */
static void weight_entry(const sc_operator *op, size_t i, size_t *row,
                         size_t *col)
{
    const sc_local_geometry *g = &op->local;
    size_t patch = g->patch;
    *row = i / patch;
    size_t pos = *row / g->f, j = i % patch;
    size_t ch = j / (g->r * g->r), dy = j / g->r % g->r, dx = j % g->r;
    size_t oy = pos / g->wout, ox = pos % g->wout;
    *col = ch * g->h * g->w + (oy * g->stride + dy) * g->w + ox * g->stride +
           dx;
}

/* m (rows x cols) <- the dense matrix holding w (local layout). */
static void to_dense(const sc_operator *op, const float *w, float *m)
{
    memset(m, 0, op->rows * op->cols * sizeof *m);
    for (size_t i = 0; i < op->weight_count; i++) {
        size_t row, col;
        weight_entry(op, i, &row, &col);
        ck_assert_msg(m[row * op->cols + col] == 0.0f,
                      "two weights map to one entry");
        m[row * op->cols + col] = w[i];
    }
}

static void make_pair(const geometry *g, sc_operator *local,
                      sc_operator *dense, uint64_t seed)
{
    ck_assert_int_eq(sc_operator_init_local(local, g->c, g->h, g->w, g->r,
                                            g->s, g->f),
                     0);
    ck_assert_uint_eq(local->kind, SC_OPERATOR_LOCAL);
    ck_assert_uint_eq(local->local.hout, (g->h - g->r) / g->s + 1);
    ck_assert_uint_eq(local->local.wout, (g->w - g->r) / g->s + 1);
    ck_assert_uint_eq(local->cols, g->c * g->h * g->w);
    ck_assert_uint_eq(local->rows,
                      local->local.hout * local->local.wout * g->f);
    ck_assert_uint_eq(local->weight_count,
                      local->rows * g->c * g->r * g->r);
    for (size_t i = 0; i < local->weight_count; i++)
        ck_assert(local->weights[i] == 0.0f);
    tu_fill(local->weights, local->weight_count, seed, -1.0f, 1.0f);
    ck_assert_int_eq(sc_operator_init_dense(dense, local->rows, local->cols),
                     0);
    to_dense(local, local->weights, dense->weights);
    ck_assert_int_eq(local->local.vector_kernels,
                     g->f % 8 == 0 && sc_local_avx2_available());
}

/* The ways to run a local verb.  VIA_GENERIC runs the generic verbs on
 * the same weights marked as transposed (as a local decoder is), whose
 * transpose must again be the dense matrix: forward through it is the
 * local transpose, and so on.  VIA_SCRATCH runs the local verb with
 * scratch, on the operator's kernels; VIA_SGEMM the same on the sgemm
 * path (for an operator without vector kernels, the same as
 * VIA_SCRATCH); VIA_NO_SCRATCH the local verb without scratch. */
enum { VIA_GENERIC, VIA_SCRATCH, VIA_SGEMM, VIA_NO_SCRATCH, VIA_COUNT };

/* The operator to run `via` with: op itself, or for VIA_SGEMM a view of
 * it on the sgemm path. */
static sc_operator operator_for(const sc_operator *op, int via)
{
    sc_operator view = *op;
    if (via == VIA_SGEMM)
        view.local.vector_kernels = 0;
    return view;
}

static sc_operator transposed_view(const sc_operator *op)
{
    sc_operator view = *op;
    view.transposed = 1;
    return view;
}

static float *scratch_for(const sc_operator *op, size_t batch, int via)
{
    if (via == VIA_NO_SCRATCH)
        return NULL;
    /* One thread: a tile for the vector kernels and the sums of their
     * gradient, or a batch of windows for the sgemm path; the larger of
     * the two when both run. */
    size_t count = sc_operator_scratch_floats(op, batch);
    size_t per_sample = op->local.f * op->local.patch;
    size_t block = per_sample >= (1u << 18) ? 1 : (1u << 18) / per_sample;
    size_t windows = (batch < block ? batch : block) * op->local.patch;
    size_t want = windows;
    if (sc_local_vector_verb(op, SC_LOCAL_VERB_GRADIENT))
        want = sc_local_avx2_tile_floats(op) + op->weight_count;
    else if (op->local.vector_kernels)
        want = sc_local_avx2_tile_floats(op) > windows
                   ? sc_local_avx2_tile_floats(op)
                   : windows;
    ck_assert_uint_eq(count, want);
    /* Poisoned: the verbs must not read what they did not write. */
    float *s = malloc(count * sizeof *s);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < count; i++)
        s[i] = NAN;
    return s;
}

/* forward (transpose == 0) or transpose of geometry `index` against the
 * dense verb on the same matrix, every way, for each batch and beta. */
static void check_product_matches_dense(size_t index, int transpose)
{
    const geometry *g = &geometries[index];
    unsigned seed = transpose ? 200 : 100, data_seed = transpose ? 17 : 7;
    sc_operator local, dense;
    make_pair(g, &local, &dense, seed + (unsigned)index);
    sc_operator flipped = transposed_view(&local);
    for (size_t bi = 0; bi < BATCH_COUNT; bi++) {
        size_t batch = batches[bi];
        size_t in = batch * (transpose ? local.rows : local.cols);
        size_t out = batch * (transpose ? local.cols : local.rows);
        float *x = malloc(in * sizeof *x), *y0 = malloc(out * sizeof *y0);
        float *want = malloc(out * sizeof *want);
        float *got = malloc(out * sizeof *got);
        tu_fill(x, in, data_seed + bi, -1.0f, 1.0f);
        tu_fill(y0, out, data_seed + 1 + bi, -1.0f, 1.0f);
        const float betas[] = {0.0f, 1.0f, 0.5f};
        for (size_t b = 0; b < 3; b++)
            for (int via = 0; via < VIA_COUNT; via++) {
                memcpy(want, y0, out * sizeof *want);
                memcpy(got, y0, out * sizeof *got);
                if (betas[b] == 0.0f)
                    for (size_t i = 0; i < out; i++)
                        got[i] = NAN; /* beta 0 overwrites */
                sc_operator op = operator_for(&local, via);
                float *scratch = scratch_for(&op, batch, via);
                if (transpose) {
                    sc_operator_transpose(&dense, batch, x, betas[b], want,
                                          NULL);
                    if (via == VIA_GENERIC)
                        sc_operator_forward(&flipped, batch, x, betas[b],
                                            got, scratch);
                    else
                        sc_operator_local_transpose(&op, batch, x, betas[b],
                                                    got, scratch);
                } else {
                    sc_operator_forward(&dense, batch, x, betas[b], want,
                                        NULL);
                    if (via == VIA_GENERIC)
                        sc_operator_transpose(&flipped, batch, x, betas[b],
                                              got, scratch);
                    else
                        sc_operator_local_forward(&op, batch, x, betas[b],
                                                  got, scratch);
                }
                free(scratch);
                TU_ASSERT_CLOSE(got, want, out, REL);
            }
        free(x);
        free(y0);
        free(want);
        free(got);
    }
    sc_operator_release(&local);
    sc_operator_release(&dense);
}

START_TEST(test_forward_matches_dense)
{
    check_product_matches_dense((size_t)_i, 0);
}
END_TEST

START_TEST(test_transpose_matches_dense)
{
    check_product_matches_dense((size_t)_i, 1);
}
END_TEST

/* The local gradient, expanded to the dense layout, is the dense gradient
 * restricted to the window entries; every weight index maps to its own
 * entry (to_dense checks that). */
START_TEST(test_gradient_matches_dense)
{
    const geometry *g = &geometries[_i];
    sc_operator local, dense;
    make_pair(g, &local, &dense, 300 + _i);
    sc_operator flipped = transposed_view(&local);
    size_t wc = local.weight_count, mc = local.rows * local.cols;
    float *g0 = malloc(wc * sizeof *g0), *got = malloc(wc * sizeof *got);
    float *dg0 = malloc(mc * sizeof *dg0), *want = malloc(mc * sizeof *want);
    float *expanded = malloc(mc * sizeof *expanded);
    float *mask = malloc(mc * sizeof *mask), *ones = malloc(wc * sizeof *ones);
    for (size_t i = 0; i < wc; i++)
        ones[i] = 1.0f;
    to_dense(&local, ones, mask);
    for (size_t bi = 0; bi < BATCH_COUNT; bi++) {
        size_t batch = batches[bi], n = batch * local.cols,
               k = batch * local.rows;
        float *x = malloc(n * sizeof *x), *dy = malloc(k * sizeof *dy);
        tu_fill(x, n, 27 + bi, -1.0f, 1.0f);
        tu_fill(dy, k, 28 + bi, -1.0f, 1.0f);
        tu_fill(g0, wc, 29 + bi, -1.0f, 1.0f);
        to_dense(&local, g0, dg0);
        const float alphas[] = {1.0f, 0.25f, -2.0f};
        const float betas[] = {0.0f, 1.0f, 0.5f};
        for (size_t a = 0; a < 3; a++)
            for (int via = 0; via < VIA_COUNT; via++) {
                memcpy(want, dg0, mc * sizeof *want);
                memcpy(got, g0, wc * sizeof *got);
                if (betas[a] == 0.0f)
                    for (size_t i = 0; i < wc; i++)
                        got[i] = NAN;
                sc_operator_accumulate_gradient(&dense, batch, dy, x,
                                                alphas[a], betas[a], want,
                                                NULL);
                sc_operator op = operator_for(&local, via);
                float *scratch = scratch_for(&op, batch, via);
                if (via == VIA_GENERIC)
                    sc_operator_accumulate_gradient(&flipped, batch,
                                                    x, dy, alphas[a],
                                                    betas[a], got, scratch);
                else
                    sc_operator_local_accumulate_gradient(
                        &op, batch, dy, x, alphas[a], betas[a], got,
                        scratch);
                free(scratch);
                for (size_t i = 0; i < mc; i++)
                    want[i] *= mask[i];
                to_dense(&local, got, expanded);
                TU_ASSERT_CLOSE(expanded, want, mc, REL);
            }
        free(x);
        free(dy);
    }
    free(g0);
    free(got);
    free(dg0);
    free(want);
    free(expanded);
    free(mask);
    free(ones);
    sc_operator_release(&local);
    sc_operator_release(&dense);
}
END_TEST

/* The row-major layout: weights[pos*f*patch + u*patch + j] is row
 * pos*f + u; checked directly on one hand-worked entry. */
START_TEST(test_layout_by_hand)
{
    sc_operator op;
    /* c=2, H=W=7, r=3, s=2, f=3: position (oy=1, ox=2) is pos 5; unit 1;
     * channel 1, dy=2, dx=0: pixel (1, 4, 4) */
    ck_assert_int_eq(sc_operator_init_local(&op, 2, 7, 7, 3, 2, 3), 0);
    size_t patch = 18, i = 5 * 3 * patch + 1 * patch + (1 * 3 + 2) * 3 + 0;
    op.weights[i] = 1.0f;
    float x[98] = {0}, y[27];
    x[1 * 49 + 4 * 7 + 4] = 2.0f;
    sc_operator_forward(&op, 1, x, 0.0f, y, NULL);
    for (size_t j = 0; j < 27; j++)
        ck_assert_msg(y[j] == (j == 5 * 3 + 1 ? 2.0f : 0.0f), "y[%zu]", j);
    sc_operator_release(&op);
}
END_TEST

static double filter_norm(const float *w, size_t n)
{
    double s = 0.0;
    for (size_t j = 0; j < n; j++)
        s += (double)w[j] * w[j];
    return sqrt(s);
}

/* Both project verbs clip each unit's filter, and leave short ones alone
 * bit for bit. */
START_TEST(test_projection_clips_filters)
{
    for (int rows = 0; rows < 2; rows++) {
        sc_operator op;
        ck_assert_int_eq(sc_operator_init_local(&op, 2, 7, 7, 3, 2, 3), 0);
        size_t patch = op.local.patch;
        tu_fill(op.weights, op.weight_count, 41 + rows, -1.0f, 1.0f);
        for (size_t u = 0; u < op.rows; u++) /* every other filter short */
            if (u % 2 == 1)
                for (size_t j = 0; j < patch; j++)
                    op.weights[u * patch + j] *= 0.05f;
        float *before = malloc(op.weight_count * sizeof *before);
        memcpy(before, op.weights, op.weight_count * sizeof *before);
        const double max_norm = 1.0;
        if (rows) {
            sc_operator_project_rows(&op, max_norm);
        } else {
            double scratch[1];
            sc_operator_project_columns(&op, max_norm, scratch);
        }
        for (size_t u = 0; u < op.rows; u++) {
            const float *w = op.weights + u * patch, *b = before + u * patch;
            double nb = filter_norm(b, patch), na = filter_norm(w, patch);
            if (nb <= max_norm) {
                ck_assert(memcmp(w, b, patch * sizeof *w) == 0);
            } else {
                ck_assert_msg(fabs(na - max_norm) < 1e-5, "filter %zu: %g", u,
                              na);
                for (size_t j = 0; j < patch; j++) /* same direction */
                    ck_assert(fabs(w[j] - b[j] * max_norm / nb) < 1e-6);
            }
        }
        ck_assert(filter_norm(before, patch) > max_norm); /* test is live */
        free(before);
        sc_operator_release(&op);
    }
}
END_TEST

START_TEST(test_bad_geometry)
{
    sc_operator op;
    struct {
        size_t c, h, w, r, s, f;
    } bad[] = {
        {1, 5, 5, 6, 1, 1},            /* r > H and W */
        {1, 5, 8, 6, 1, 1},            /* r > H */
        {1, 8, 5, 6, 1, 1},            /* r > W */
        {1, 5, 5, 3, 0, 1},            /* stride 0 */
        {0, 5, 5, 3, 1, 1},            /* zero sizes */
        {1, 0, 5, 3, 1, 1},
        {1, 5, 0, 3, 1, 1},
        {1, 5, 5, 0, 1, 1},
        {1, 5, 5, 3, 1, 0},
        {1, SIZE_MAX, SIZE_MAX, 1, 1, 1},       /* size_t overflow */
        {SIZE_MAX, 2, 2, 1, 1, 1},
        {1, 1, 1, 1, 1, SIZE_MAX},
        {1, 1u << 16, 1u << 16, 1, 1, 1},       /* cols = 2^32 */
        {3, 1000, 1000, 10, 1, 64},             /* 1.9e10 weights */
        {1, 1u << 15, 1u << 15, 1u << 15, 1, 2}, /* one position, 2^31 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&op, 0xA5, sizeof op);
        ck_assert_msg(sc_operator_init_local(&op, bad[i].c, bad[i].h, bad[i].w,
                                             bad[i].r, bad[i].s, bad[i].f) ==
                          -2,
                      "case %zu", i);
        ck_assert_ptr_null(op.weights);
        ck_assert_uint_eq(op.weight_count, 0);
    }
    /* Just under the limit is fine in principle; a small good one works. */
    ck_assert_int_eq(sc_operator_init_local(&op, 1, 1, 1, 1, 1, 1), 0);
    ck_assert_uint_eq(op.rows, 1);
    ck_assert_uint_eq(op.cols, 1);
    sc_operator_release(&op);
}
END_TEST

/* Sizes of a dense operator are untouched by the new fields. */
/* Threads split positions or samples but never a sum, so the results are
 * bit for bit those of one thread: on the sgemm path (_i = 0) and on the
 * vector kernels (_i = 1, where the CPU has them; else the sgemm path
 * again).  The sizes are large enough (over 4 MFLOP a call) for the work
 * to be split, and the batch spans several sgemm blocks and vector tiles
 * (the gradient sums them). */
START_TEST(test_threads_give_identical_results)
{
    sc_operator one, many;
    ck_assert_int_eq(sc_operator_init_local(&one, 2, 20, 21, 5, 2, 24), 0);
    ck_assert_int_eq(sc_operator_init_local(&many, 2, 20, 21, 5, 2, 24), 0);
    one.local.vector_kernels = _i && one.local.vector_kernels;
    many.local.vector_kernels = one.local.vector_kernels;
    many.local.threads = 3;
    size_t batch = 300, n = one.cols, k = one.rows, wc = one.weight_count;
    ck_assert_uint_gt(2 * batch * k * one.local.patch, 4000000);
    tu_fill(one.weights, wc, 61, -1.0f, 1.0f);
    memcpy(many.weights, one.weights, wc * sizeof(float));
    float *x = malloc(batch * n * sizeof(float));
    float *y = malloc(batch * k * sizeof(float));
    float *a = malloc(batch * k * sizeof(float));
    float *b = malloc(batch * k * sizeof(float));
    float *ga = malloc(wc * sizeof(float)), *gb = malloc(wc * sizeof(float));
    float *s1 = malloc(sc_operator_scratch_floats(&one, batch) * 4);
    float *s3 = malloc(sc_operator_scratch_floats(&many, batch) * 4);
    /* Per thread: a tile (vector kernels) or a slice of windows; the
     * vector gradient's sums once. */
    size_t shared = one.local.vector_kernels ? wc : 0;
    ck_assert_uint_eq(sc_operator_scratch_floats(&many, batch) - shared,
                      3 * (sc_operator_scratch_floats(&one, batch) - shared));
    tu_fill(x, batch * n, 62, -1.0f, 1.0f);
    tu_fill(y, batch * k, 63, -1.0f, 1.0f);

    sc_operator_local_forward(&one, batch, x, 0.0f, a, s1);
    sc_operator_local_forward(&many, batch, x, 0.0f, b, s3);
    ck_assert(memcmp(a, b, batch * k * sizeof(float)) == 0);

    sc_operator_local_transpose(&one, batch, y, 0.0f, a, s1);
    sc_operator_local_transpose(&many, batch, y, 0.0f, b, s3);
    ck_assert(memcmp(a, b, batch * n * sizeof(float)) == 0);

    sc_operator_local_accumulate_gradient(&one, batch, y, x, 0.5f, 0.0f, ga,
                                          s1);
    sc_operator_local_accumulate_gradient(&many, batch, y, x, 0.5f, 0.0f, gb,
                                          s3);
    ck_assert(memcmp(ga, gb, wc * sizeof(float)) == 0);
    /* and the threaded result is the right one: the no-scratch path. */
    sc_operator_local_accumulate_gradient(&one, batch, y, x, 0.5f, 0.0f, ga,
                                          NULL);
    TU_ASSERT_CLOSE(gb, ga, wc, 1e-4);
    free(x);
    free(y);
    free(a);
    free(b);
    free(ga);
    free(gb);
    free(s1);
    free(s3);
    sc_operator_release(&one);
    sc_operator_release(&many);
}
END_TEST

/* The vector gradient takes a window's pixels in blocks of 1 to 12, each
 * width its own code: 1 x 1 windows of c = 1 .. 13 channels give every
 * width (13 = 7 + 6), checked against the no-scratch path (itself checked
 * against the dense matrix above), with beta 0 and 0.5. */
START_TEST(test_gradient_every_block_width)
{
    for (size_t c = 1; c <= 13; c++) {
        sc_operator op;
        ck_assert_int_eq(sc_operator_init_local(&op, c, 2, 3, 1, 1, 8), 0);
        size_t batch = 9, n = op.cols, k = op.rows, wc = op.weight_count;
        float *x = malloc(batch * n * sizeof *x);
        float *dy = malloc(batch * k * sizeof *dy);
        float *got = malloc(wc * sizeof *got);
        float *want = malloc(wc * sizeof *want);
        tu_fill(x, batch * n, 80 + c, -1.0f, 1.0f);
        tu_fill(dy, batch * k, 100 + c, -1.0f, 1.0f);
        for (int b = 0; b < 2; b++) {
            float beta = b == 0 ? 0.0f : 0.5f;
            tu_fill(got, wc, 120 + c, -1.0f, 1.0f);
            memcpy(want, got, wc * sizeof *want);
            float *scratch = scratch_for(&op, batch, VIA_SCRATCH);
            sc_operator_local_accumulate_gradient(&op, batch, dy, x, 0.75f,
                                                  beta, got, scratch);
            sc_operator_local_accumulate_gradient(&op, batch, dy, x, 0.75f,
                                                  beta, want, NULL);
            free(scratch);
            TU_ASSERT_CLOSE(got, want, wc, REL);
        }
        free(x);
        free(dy);
        free(got);
        free(want);
        sc_operator_release(&op);
    }
}
END_TEST

/* Above 2^18 weights the vector transpose and gradient give way to the
 * sgemm path, the forward does not: the operator then runs both paths on
 * one scratch, and agrees with the sgemm path throughout (which the tests
 * above compare with the dense matrix). */
START_TEST(test_large_weights_mix_paths)
{
    sc_operator op;
    /* 2 x 2 positions of 264 maps over 16 x 16 windows: 270,336 weights */
    ck_assert_int_eq(sc_operator_init_local(&op, 1, 32, 32, 16, 16, 264), 0);
    ck_assert_uint_gt(op.weight_count, 1u << 18);
    int vector = sc_local_avx2_available();
    ck_assert_int_eq(sc_local_vector_verb(&op, SC_LOCAL_VERB_FORWARD), vector);
    ck_assert_int_eq(sc_local_vector_verb(&op, SC_LOCAL_VERB_TRANSPOSE), 0);
    ck_assert_int_eq(sc_local_vector_verb(&op, SC_LOCAL_VERB_GRADIENT), 0);
    sc_operator plain = op;
    plain.local.vector_kernels = 0;
    size_t batch = 11, n = op.cols, k = op.rows, wc = op.weight_count;
    tu_fill(op.weights, wc, 71, -1.0f, 1.0f);
    float *scratch = scratch_for(&op, batch, VIA_SCRATCH);
    float *plain_scratch = scratch_for(&plain, batch, VIA_SGEMM);
    float *x = malloc(batch * n * sizeof *x);
    float *y = malloc(batch * k * sizeof *y);
    size_t most = batch * (n > k ? n : k);
    float *a = malloc(most * sizeof *a), *b = malloc(most * sizeof *b);
    float *ga = malloc(wc * sizeof *ga), *gb = malloc(wc * sizeof *gb);
    tu_fill(x, batch * n, 72, -1.0f, 1.0f);
    tu_fill(y, batch * k, 73, -1.0f, 1.0f);
    sc_operator_local_forward(&op, batch, x, 0.0f, a, scratch);
    sc_operator_local_forward(&plain, batch, x, 0.0f, b, plain_scratch);
    TU_ASSERT_CLOSE(a, b, batch * k, REL);
    sc_operator_local_transpose(&op, batch, y, 0.0f, a, scratch);
    sc_operator_local_transpose(&plain, batch, y, 0.0f, b, plain_scratch);
    TU_ASSERT_CLOSE(a, b, batch * n, REL);
    sc_operator_local_accumulate_gradient(&op, batch, y, x, 1.0f, 0.0f, ga,
                                          scratch);
    sc_operator_local_accumulate_gradient(&plain, batch, y, x, 1.0f, 0.0f,
                                          gb, plain_scratch);
    TU_ASSERT_CLOSE(ga, gb, wc, REL);
    free(x);
    free(y);
    free(a);
    free(b);
    free(ga);
    free(gb);
    free(scratch);
    free(plain_scratch);
    sc_operator_release(&op);
}
END_TEST

START_TEST(test_dense_has_no_geometry)
{
    sc_operator op;
    ck_assert_int_eq(sc_operator_init_dense(&op, 3, 4), 0);
    ck_assert_uint_eq(op.kind, SC_OPERATOR_DENSE);
    ck_assert_uint_eq(op.local.patch, 0);
    ck_assert_uint_eq(sc_operator_scratch_floats(&op, 10), 0);
    sc_operator_release(&op);
}
END_TEST

Suite *local_operator_suite(void)
{
    Suite *s = suite_create("local_operator");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_forward_matches_dense, 0, GEOMETRY_COUNT);
    tcase_add_loop_test(tc, test_transpose_matches_dense, 0, GEOMETRY_COUNT);
    tcase_add_loop_test(tc, test_gradient_matches_dense, 0, GEOMETRY_COUNT);
    tcase_add_test(tc, test_layout_by_hand);
    tcase_add_test(tc, test_projection_clips_filters);
    tcase_add_test(tc, test_bad_geometry);
    tcase_add_test(tc, test_dense_has_no_geometry);
    tcase_add_test(tc, test_large_weights_mix_paths);
    tcase_add_test(tc, test_gradient_every_block_width);
    tcase_add_loop_test(tc, test_threads_give_identical_results, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
