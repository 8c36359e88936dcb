/* SPDX-License-Identifier: BSD-2-Clause */
/* check_model.c -- creating and freeing models, the accessors, the weight
 * view, and the three initialisations: their argument checks, the
 * structural checks at init, "a failed init keeps the previous state",
 * and what a successful init produces. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

#define N_IN 10
#define N_UNITS 15
#define N_SAMPLES 40


/* ---- create ------------------------------------------------------------- */

START_TEST(create_null_out)
{
    ck_assert_int_eq(sc_model_create(NULL, 3, 4), SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_create");
}
END_TEST

static void expect_create_size_error(size_t n, size_t k)
{
    sc_model *m = tu_sentinel;
    sc_status s = sc_model_create(&m, n, k);
    ck_assert_msg(s == SC_ERR_SIZE, "create(%zu, %zu) gave %s", n, k,
                  sc_status_string(s));
    ck_assert_ptr_eq(m, tu_sentinel);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_create");
}

START_TEST(create_zero_sizes)
{
    expect_create_size_error(0, 3);
    expect_create_size_error(3, 0);
    expect_create_size_error(0, 0);
}
END_TEST

START_TEST(create_absurd_sizes)
{
    const size_t big = (size_t)1 << 40, limit = (size_t)1 << 24;
    const size_t bad[][2] = {
        {SIZE_MAX, 1}, {1, SIZE_MAX}, {SIZE_MAX, SIZE_MAX},
        {big, 4}, {4, big}, {big, big},
        {limit + 1, 1}, {1, limit + 1},        /* "larger than 2^24" */
        {SIZE_MAX / 2 + 1, 2}, {2, SIZE_MAX / 2 + 1}, /* n*k wraps */
        /* docs/api-conventions.md: n*k and k*k at most 2^31. */
        {limit, limit}, {(size_t)1 << 17, (size_t)1 << 15},
        {1, (size_t)1 << 16},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_create_size_error(bad[i][0], bad[i][1]);
}
END_TEST

START_TEST(create_largest_sizes)
{
    /* Creation allocates no weights ("no weights yet"), so the largest
     * legal shapes are cheap to create. */
    const size_t good[][2] = {
        {(size_t)1 << 24, 1}, {1, (size_t)1 << 15},
        {(size_t)1 << 16, (size_t)1 << 15},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        sc_model *m = NULL;
        ck_assert_int_eq(sc_model_create(&m, good[i][0], good[i][1]), SC_OK);
        ck_assert_uint_eq(sc_model_inputs(m), good[i][0]);
        ck_assert_uint_eq(sc_model_units(m), good[i][1]);
        sc_model_free(m);
    }
}
END_TEST

START_TEST(create_fresh_state)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    ck_assert_uint_eq(sc_model_inputs(m), N_IN);
    ck_assert_uint_eq(sc_model_units(m), N_UNITS);
    ck_assert_int_eq(sc_model_is_initialized(m), 0);
    ck_assert_uint_eq(sc_model_steps_taken(m), 0);
    ck_assert_str_eq(sc_model_message(m), "");
    sc_model_free(m);
}
END_TEST

START_TEST(accessors_of_null)
{
    ck_assert_uint_eq(sc_model_inputs(NULL), 0);
    ck_assert_uint_eq(sc_model_units(NULL), 0);
    ck_assert_int_eq(sc_model_is_initialized(NULL), 0);
    ck_assert_str_eq(sc_model_message(NULL), "");
    sc_model_free(NULL);
}
END_TEST

/* ---- weights view ---------------------------------------------------------- */

static void expect_weights_error(const sc_model *m, int which,
                                 sc_status expected)
{
    const float *data = (const float *)tu_sentinel;
    size_t rows = 77, cols = 78;
    sc_status s = sc_model_weights(m, (sc_weight)which, &data, &rows, &cols);
    ck_assert_msg(s == expected, "weights(%d) gave %s", which,
                  sc_status_string(s));
    ck_assert_ptr_eq(data, (const float *)tu_sentinel);
    ck_assert_uint_eq(rows, 77);
    ck_assert_uint_eq(cols, 78);
}

START_TEST(weights_errors)
{
    sc_model *fresh = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, 1);
    const float *data;
    size_t rows, cols;
    for (int w = SC_WEIGHT_ENCODER; w <= SC_WEIGHT_CLASS_BIAS; w++) {
        expect_weights_error(fresh, w, SC_ERR_STATE);
        expect_weights_error(NULL, w, SC_ERR_NULL);
        ck_assert_int_eq(sc_model_weights(m, (sc_weight)w, NULL, &rows,
                                          &cols), SC_ERR_NULL);
        ck_assert_int_eq(sc_model_weights(m, (sc_weight)w, &data, NULL,
                                          &cols), SC_ERR_NULL);
        ck_assert_int_eq(sc_model_weights(m, (sc_weight)w, &data, &rows,
                                          NULL), SC_ERR_NULL);
    }
    const int unknown[] = {0, 7, 100, -1};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        expect_weights_error(m, unknown[i], SC_ERR_PARAM);
    /* No classifier (SC_MODEL_PARAM_CLASSES 0). */
    expect_weights_error(m, SC_WEIGHT_CLASSIFIER, SC_ERR_STATE);
    expect_weights_error(m, SC_WEIGHT_CLASS_BIAS, SC_ERR_STATE);
    sc_model_free(fresh);
    sc_model_free(m);
}
END_TEST

/* ---- init: argument errors keep the previous state ---------------------- */

/* _i = 0: a fresh model; _i = 1: an initialised model with 2 steps taken
 * (so a failed init must keep weights, parameters and the step count). */
static sc_model *subject(int initialised, tu_data *data)
{
    *data = tu_data_make(N_SAMPLES, N_IN, N_UNITS, 0, 99);
    if (!initialised)
        return tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    sc_model *m = tu_model(N_IN, N_UNITS,
                           (tu_setting[]){{SC_MODEL_PARAM_ITERATIONS, 3}}, 1, 3);
    tu_train(m, data, 8, 0, 2, NULL);
    return m;
}

/* Asserts that `call` on model m fails with `expected`, changes nothing
 * observable, and leaves a message naming `fn` for the thread and m. */
#define EXPECT_INIT_FAILS(m, call, expected, fn)                           \
    do {                                                                   \
        tu_snapshot before_;                                               \
        tu_snapshot_take((m), &before_);                                   \
        sc_status got_ = (call);                                           \
        char said_[512];                                                   \
        snprintf(said_, sizeof said_, "%s", sc_last_message());            \
        ck_assert_msg(got_ == (expected), "%s gave %s, expected %s", #call, \
                      sc_status_string(got_), sc_status_string(expected));     \
        TU_ASSERT_UNCHANGED((m), &before_);                                \
        tu_snapshot_free(&before_);                                        \
        TU_ASSERT_CONTAINS(said_, (fn));                                   \
        ck_assert_str_eq(sc_model_message(m), said_);                      \
    } while (0)

START_TEST(init_null_arguments)
{
    tu_data d;
    sc_model *m = subject(_i, &d);
    ck_assert_int_eq(sc_model_init_random(NULL, 1), SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_init_random");
    ck_assert_int_eq(sc_model_init_dictionary(NULL, d.x), SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_init_dictionary");
    ck_assert_int_eq(sc_model_init_data(NULL, d.x, N_SAMPLES, 1),
                     SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_init_data");
    EXPECT_INIT_FAILS(m, sc_model_init_dictionary(m, NULL), SC_ERR_NULL,
                      "sc_model_init_dictionary");
    EXPECT_INIT_FAILS(m, sc_model_init_data(m, NULL, N_SAMPLES, 1),
                      SC_ERR_NULL, "sc_model_init_data");
    sc_model_free(m);
    tu_data_free(&d);
}
END_TEST

START_TEST(init_data_bad_count)
{
    tu_data d;
    sc_model *m = subject(_i, &d);
    EXPECT_INIT_FAILS(m, sc_model_init_data(m, d.x, 0, 1), SC_ERR_SIZE,
                      "sc_model_init_data");
    /* count * n overflows: refused before anything is read. */
    EXPECT_INIT_FAILS(m, sc_model_init_data(m, d.x, SIZE_MAX, 1),
                      SC_ERR_SIZE, "sc_model_init_data");
    EXPECT_INIT_FAILS(m, sc_model_init_data(m, d.x, SIZE_MAX / N_IN + 1, 1),
                      SC_ERR_SIZE, "sc_model_init_data");
    sc_model_free(m);
    tu_data_free(&d);
}
END_TEST

/* Inputs at the ends of float's range (issue 14, item 9): subnormal and
 * near-3e38 samples are non-zero and finite, so init_data makes decoder
 * columns of norm 1 (the default bound) along them (on main, 1e-45 gave
 * SC_ERR_RANGE "the dictionary is zero"); a dictionary of norm-1e-30
 * columns is refused as too small, not as zero. */
START_TEST(init_extreme_magnitudes)
{
    const float scales[] = {1e-45f, 1e-38f, 3e38f / (float)N_IN};
    for (size_t c = 0; c < sizeof scales / sizeof scales[0]; c++) {
        tu_data d = tu_data_make(N_SAMPLES, N_IN, N_UNITS, 0, 77);
        for (size_t i = 0; i < (size_t)N_SAMPLES * N_IN; i++)
            d.x[i] *= scales[c];
        sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
        sc_status st = sc_model_init_data(m, d.x, N_SAMPLES, 3);
        ck_assert_msg(st == SC_OK, "scale %g: %s (%s)", (double)scales[c],
                      sc_status_string(st), sc_model_message(m));
        const float *w = NULL;
        size_t rows = 0, cols = 0;
        ck_assert_int_eq(sc_model_weights(m, SC_WEIGHT_DECODER, &w, &rows,
                                          &cols), SC_OK);
        for (size_t j = 0; j < cols; j++) {
            double sq = 0.0;
            for (size_t i = 0; i < rows; i++)
                sq += (double)w[i * cols + j] * w[i * cols + j];
            ck_assert_msg(fabs(sqrt(sq) - 1.0) <= 1e-5, "scale %g: column "
                          "%zu has norm %.9g", (double)scales[c], j,
                          sqrt(sq));
        }
        sc_model_free(m);
        tu_data_free(&d);
    }
    float dict[N_IN * N_UNITS];
    tu_fill(dict, N_IN * N_UNITS, 5, -1, 1);
    for (size_t i = 0; i < N_IN * N_UNITS; i++)
        dict[i] *= 1e-30f;
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    EXPECT_INIT_FAILS(m, sc_model_init_dictionary(m, dict), SC_ERR_RANGE,
                      "too small");
    sc_model_free(m);
}
END_TEST

START_TEST(init_nonfinite)
{
    tu_data d;
    sc_model *m = subject(_i, &d);
    float dict[N_IN * N_UNITS];
    const float bad[] = {NAN, INFINITY, -INFINITY};
    const size_t where[] = {0, N_IN * N_UNITS / 2, N_IN * N_UNITS - 1};
    for (size_t b = 0; b < 3; b++)
        for (size_t w = 0; w < 3; w++) {
            tu_fill(dict, N_IN * N_UNITS, 5, -1, 1);
            dict[where[w]] = bad[b];
            EXPECT_INIT_FAILS(m, sc_model_init_dictionary(m, dict),
                              SC_ERR_NONFINITE, "sc_model_init_dictionary");
        }
    /* In the last sample of the data, which a seed may never pick. */
    float saved = d.x[N_SAMPLES * N_IN - 1];
    for (size_t b = 0; b < 3; b++) {
        d.x[N_SAMPLES * N_IN - 1] = bad[b];
        EXPECT_INIT_FAILS(m, sc_model_init_data(m, d.x, N_SAMPLES, 1),
                          SC_ERR_NONFINITE, "sc_model_init_data");
    }
    d.x[N_SAMPLES * N_IN - 1] = saved;
    sc_model_free(m);
    tu_data_free(&d);
}
END_TEST

START_TEST(init_zero_dictionary)
{
    tu_data d;
    sc_model *m = subject(_i, &d);
    float zeros[N_SAMPLES * N_IN] = {0};
    EXPECT_INIT_FAILS(m, sc_model_init_dictionary(m, zeros), SC_ERR_RANGE,
                      "sc_model_init_dictionary");
    EXPECT_INIT_FAILS(m, sc_model_init_data(m, zeros, N_SAMPLES, 1),
                      SC_ERR_RANGE, "sc_model_init_data");
    EXPECT_INIT_FAILS(m, sc_model_init_data(m, zeros, 1, 7), SC_ERR_RANGE,
                      "sc_model_init_data");
    sc_model_free(m);
    tu_data_free(&d);
}
END_TEST

/* ---- init: structural parameters that do not fit together --------------- */

typedef struct {
    size_t k;
    tu_setting settings[4];
    size_t count;
    const char *needle; /* the parameter the message must name */
} structure;

#define CONTIGUOUS {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS}
#define TOPOGRAPHIC {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC}

static const structure bad_structures[] = {
    {6, {CONTIGUOUS, {SC_MODEL_PARAM_GROUP_SIZE, 4}}, 2, "SC_MODEL_PARAM_GROUP_SIZE"},
    {6, {CONTIGUOUS, {SC_MODEL_PARAM_GROUP_SIZE, 12}}, 2, "SC_MODEL_PARAM_GROUP_SIZE"},
    {15, {CONTIGUOUS}, 1, "SC_MODEL_PARAM_GROUP_SIZE"}, /* default 4 */
    {12, {TOPOGRAPHIC}, 1, "SC_MODEL_PARAM_TORUS"},     /* 12 is not a square */
    {12, {TOPOGRAPHIC, {SC_MODEL_PARAM_TORUS_ROWS, 3}, {SC_MODEL_PARAM_TORUS_COLS, 5}},
     3, "SC_MODEL_PARAM_TORUS"},
    {12, {TOPOGRAPHIC, {SC_MODEL_PARAM_TORUS_ROWS, 3}}, 2, "SC_MODEL_PARAM_TORUS"},
    {12, {TOPOGRAPHIC, {SC_MODEL_PARAM_TORUS_COLS, 4}}, 2, "SC_MODEL_PARAM_TORUS"},
    {16, {TOPOGRAPHIC, {SC_MODEL_PARAM_POOL_SIZE, 5}}, 2, "SC_MODEL_PARAM_POOL_SIZE"},
    {16, {TOPOGRAPHIC, {SC_MODEL_PARAM_TORUS_ROWS, 2}, {SC_MODEL_PARAM_TORUS_COLS, 8}},
     3, "SC_MODEL_PARAM_POOL_SIZE"}, /* default pool 3 > 2 rows */
    {16, {TOPOGRAPHIC, {SC_MODEL_PARAM_POOL_SIZE, 2}, {SC_MODEL_PARAM_POOL_STRIDE, 5}},
     3, "SC_MODEL_PARAM_POOL_STRIDE"},
};
#define BAD_STRUCTURES \
    ((int)(sizeof bad_structures / sizeof bad_structures[0]))

static const structure good_structures[] = {
    {6, {CONTIGUOUS, {SC_MODEL_PARAM_GROUP_SIZE, 3}}, 2, NULL},
    {6, {CONTIGUOUS, {SC_MODEL_PARAM_GROUP_SIZE, 6}}, 2, NULL},
    {16, {CONTIGUOUS}, 1, NULL},
    {16, {TOPOGRAPHIC}, 1, NULL}, /* 4 x 4, pools 3 x 3 at stride 1 */
    {12, {TOPOGRAPHIC, {SC_MODEL_PARAM_TORUS_ROWS, 3}, {SC_MODEL_PARAM_TORUS_COLS, 4}},
     3, NULL},
    {16, {TOPOGRAPHIC, {SC_MODEL_PARAM_TORUS_ROWS, 2}, {SC_MODEL_PARAM_TORUS_COLS, 8},
          {SC_MODEL_PARAM_POOL_SIZE, 2}}, 4, NULL},
    {16, {TOPOGRAPHIC, {SC_MODEL_PARAM_POOL_SIZE, 4}, {SC_MODEL_PARAM_POOL_STRIDE, 4}},
     3, NULL},
    /* Group parameters are ignored without a group layout. */
    {6, {{SC_MODEL_PARAM_GROUP_SIZE, 4}, {SC_MODEL_PARAM_POOL_SIZE, 50}}, 2, NULL},
};
#define GOOD_STRUCTURES \
    ((int)(sizeof good_structures / sizeof good_structures[0]))

/* Runs init number `which` (0 random, 1 dictionary, 2 data). */
static sc_status run_init(sc_model *m, int which, const float *data,
                          size_t count)
{
    switch (which) {
    case 0: return sc_model_init_random(m, 11);
    case 1: return sc_model_init_dictionary(m, data);
    default: return sc_model_init_data(m, data, count, 11);
    }
}

static const char *const init_names[] = {
    "sc_model_init_random", "sc_model_init_dictionary", "sc_model_init_data"};

START_TEST(init_inconsistent_structure)
{
    const structure *st = &bad_structures[_i];
    float data[N_IN * 16 * 4];
    tu_fill(data, sizeof data / sizeof data[0], 21, -1, 1);
    sc_model *m = tu_model(N_IN, st->k, st->settings, st->count, TU_NO_INIT);
    for (int which = 0; which < 3; which++) {
        EXPECT_INIT_FAILS(m, run_init(m, which, data, 4), SC_ERR_SIZE,
                          init_names[which]);
        TU_ASSERT_CONTAINS(sc_model_message(m), st->needle);
        ck_assert_int_eq(sc_model_is_initialized(m), 0);
    }
    sc_model_free(m);
}
END_TEST

START_TEST(init_consistent_structure)
{
    const structure *st = &good_structures[_i];
    float data[N_IN * 16 * 4];
    tu_fill(data, sizeof data / sizeof data[0], 21, -1, 1);
    sc_model *m = tu_model(N_IN, st->k, st->settings, st->count, TU_NO_INIT);
    for (int which = 0; which < 3; which++) {
        sc_status s = run_init(m, which, data, 4);
        ck_assert_msg(s == SC_OK, "%s: %s (%s)", init_names[which],
                      sc_status_string(s), sc_model_message(m));
        ck_assert_int_eq(sc_model_is_initialized(m), 1);
    }
    sc_model_free(m);
}
END_TEST

/* ---- init: what a successful init produces ------------------------------- */

static const float *weight(const sc_model *m, sc_weight which, size_t rows,
                           size_t cols)
{
    const float *data = NULL;
    size_t r = 0, c = 0;
    ck_assert_int_eq(sc_model_weights(m, which, &data, &r, &c), SC_OK);
    ck_assert_ptr_nonnull(data);
    ck_assert_msg(r == rows && c == cols, "weight %d is %zu x %zu, not "
                  "%zu x %zu", (int)which, r, c, rows, cols);
    for (size_t i = 0; i < r * c; i++)
        ck_assert_msg(isfinite(data[i]), "weight %d [%zu] = %g", (int)which,
                      i, (double)data[i]);
    return data;
}

static double column_norm(const float *d, size_t n, size_t k, size_t j)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)d[i * k + j] * d[i * k + j];
    return sqrt(s);
}

START_TEST(init_shapes_and_norms)
{
    /* Every init, with a classifier of 3 classes. */
    float data[N_SAMPLES * N_IN];
    tu_fill(data, N_SAMPLES * N_IN, 4, -2, 2);
    sc_model *m = tu_model(N_IN, N_UNITS,
                           (tu_setting[]){{SC_MODEL_PARAM_CLASSES, 3}}, 1,
                           TU_NO_INIT);
    ck_assert_int_eq(run_init(m, _i, data, N_SAMPLES), SC_OK);
    ck_assert_int_eq(sc_model_is_initialized(m), 1);
    ck_assert_uint_eq(sc_model_steps_taken(m), 0);
    weight(m, SC_WEIGHT_ENCODER, N_UNITS, N_IN);
    weight(m, SC_WEIGHT_LATERAL, N_UNITS, N_UNITS);
    weight(m, SC_WEIGHT_THRESHOLD, N_UNITS, 1);
    const float *d = weight(m, SC_WEIGHT_DECODER, N_IN, N_UNITS);
    for (size_t j = 0; j < N_UNITS; j++) {
        double norm = column_norm(d, N_IN, N_UNITS, j);
        ck_assert_msg(norm <= 1.0 + 1e-5, "column %zu norm %g", j, norm);
        /* init_random: "a random unit-norm decoder"; init_data: samples
         * "normalised to the decoder bound". */
        if (_i != 1)
            ck_assert_msg(fabs(norm - 1.0) <= 1e-5, "column %zu norm %g", j,
                          norm);
    }
    /* "classifier weights 0" */
    const float *c = weight(m, SC_WEIGHT_CLASSIFIER, 3, N_UNITS);
    const float *b = weight(m, SC_WEIGHT_CLASS_BIAS, 3, 1);
    for (size_t i = 0; i < 3 * N_UNITS; i++)
        ck_assert(c[i] == 0.0f);
    for (size_t i = 0; i < 3; i++)
        ck_assert(b[i] == 0.0f);
    sc_model_free(m);
}
END_TEST

START_TEST(init_respects_decoder_bound)
{
    /* "columns of norm <= 1" is the default bound: with a bound of 0.5 set
     * before init, every init keeps W_d columns within 0.5. */
    float data[N_SAMPLES * N_IN];
    tu_fill(data, N_SAMPLES * N_IN, 4, -2, 2);
    sc_model *m = tu_model(N_IN, N_UNITS,
                           (tu_setting[]){{SC_MODEL_PARAM_DECODER_MAX_NORM, 0.5}},
                           1, TU_NO_INIT);
    ck_assert_int_eq(run_init(m, _i, data, N_SAMPLES), SC_OK);
    const float *d = weight(m, SC_WEIGHT_DECODER, N_IN, N_UNITS);
    for (size_t j = 0; j < N_UNITS; j++) {
        double norm = column_norm(d, N_IN, N_UNITS, j);
        ck_assert_msg(norm <= 0.5 * (1.0 + 1e-5), "%s: column %zu norm %g",
                      init_names[_i], j, norm);
    }
    sc_model_free(m);
}
END_TEST

START_TEST(init_dictionary_keeps_directions)
{
    /* Columns of norm 0.25 .. 4: those above the bound (1) are scaled to
     * it, those within are kept; every direction is kept. */
    float dict[N_IN * N_UNITS];
    tu_fill(dict, N_IN * N_UNITS, 8, -1, 1);
    double scale[N_UNITS];
    for (size_t j = 0; j < N_UNITS; j++) {
        double norm = column_norm(dict, N_IN, N_UNITS, j);
        double want = 0.25 * pow(16.0, (double)j / (N_UNITS - 1));
        scale[j] = want;
        for (size_t i = 0; i < N_IN; i++)
            dict[i * N_UNITS + j] = (float)(dict[i * N_UNITS + j] * want /
                                            norm);
    }
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    ck_assert_int_eq(sc_model_init_dictionary(m, dict), SC_OK);
    const float *d = weight(m, SC_WEIGHT_DECODER, N_IN, N_UNITS);
    for (size_t j = 0; j < N_UNITS; j++) {
        double norm = column_norm(d, N_IN, N_UNITS, j);
        double dot = 0.0, in = column_norm(dict, N_IN, N_UNITS, j);
        for (size_t i = 0; i < N_IN; i++)
            dot += (double)d[i * N_UNITS + j] * dict[i * N_UNITS + j];
        ck_assert_msg(dot / (norm * in) >= 1.0 - 1e-6,
                      "column %zu changed direction", j);
        double expected = scale[j] > 1.0 ? 1.0 : scale[j];
        ck_assert_msg(fabs(norm - expected) <= 1e-5 * (1.0 + expected),
                      "column %zu: norm %g, expected %g", j, norm, expected);
    }
    sc_model_free(m);
}
END_TEST

START_TEST(init_data_columns_are_samples)
{
    float data[N_SAMPLES * N_IN];
    tu_fill(data, N_SAMPLES * N_IN, 12, -3, 3);
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    ck_assert_int_eq(sc_model_init_data(m, data, N_SAMPLES, 77), SC_OK);
    const float *d = weight(m, SC_WEIGHT_DECODER, N_IN, N_UNITS);
    for (size_t j = 0; j < N_UNITS; j++) {
        int found = 0;
        for (size_t s = 0; s < N_SAMPLES && !found; s++) {
            const float *x = data + s * N_IN;
            double norm = 0.0;
            for (size_t i = 0; i < N_IN; i++)
                norm += (double)x[i] * x[i];
            norm = sqrt(norm);
            found = 1;
            for (size_t i = 0; i < N_IN && found; i++)
                found = fabs(d[i * N_UNITS + j] - x[i] / norm) <= 1e-5;
        }
        ck_assert_msg(found, "decoder column %zu is no normalised sample", j);
    }
    sc_model_free(m);
}
END_TEST

/* Largest eigenvalue of the k x k Gram matrix of d (n x k), in double by
 * power iteration; approaches from below. */
static double gram_lambda_max(const float *d, size_t n, size_t k,
                              double *gram)
{
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) {
            double s = 0.0;
            for (size_t i = 0; i < n; i++)
                s += (double)d[i * k + a] * d[i * k + b];
            gram[a * k + b] = s;
        }
    double v[N_UNITS], w[N_UNITS], lambda = 0.0;
    for (size_t i = 0; i < k; i++)
        v[i] = 1.0 + 0.01 * (double)i;
    for (int it = 0; it < 2000; it++) {
        double norm = 0.0, vv = 0.0, vw = 0.0;
        for (size_t a = 0; a < k; a++) {
            w[a] = 0.0;
            for (size_t b = 0; b < k; b++)
                w[a] += gram[a * k + b] * v[b];
            norm += w[a] * w[a];
            vv += v[a] * v[a];
            vw += v[a] * w[a];
        }
        lambda = vw / vv;
        norm = sqrt(norm);
        for (size_t a = 0; a < k; a++)
            v[a] = w[a] / norm;
    }
    return lambda;
}

START_TEST(init_ista_relation)
{
    /* W_e = W_d^T / L, S = I - W_d^T W_d / L, theta = lambda / L, with
     * L >= lambda_max(W_d^T W_d) and lambda = SC_MODEL_PARAM_L1_WEIGHT. */
    const double lambda = 0.3;
    float data[N_SAMPLES * N_IN];
    tu_fill(data, N_SAMPLES * N_IN, 13, -1, 1);
    sc_model *m = tu_model(N_IN, N_UNITS,
                           (tu_setting[]){{SC_MODEL_PARAM_L1_WEIGHT, lambda}}, 1,
                           TU_NO_INIT);
    ck_assert_int_eq(run_init(m, _i, data, N_SAMPLES), SC_OK);
    const float *we = weight(m, SC_WEIGHT_ENCODER, N_UNITS, N_IN);
    const float *s = weight(m, SC_WEIGHT_LATERAL, N_UNITS, N_UNITS);
    const float *theta = weight(m, SC_WEIGHT_THRESHOLD, N_UNITS, 1);
    const float *d = weight(m, SC_WEIGHT_DECODER, N_IN, N_UNITS);
    double gram[N_UNITS * N_UNITS];
    double lmax = gram_lambda_max(d, N_IN, N_UNITS, gram);
    for (size_t j = 0; j < N_UNITS; j++)
        ck_assert(theta[j] == theta[0]);
    ck_assert(theta[0] > 0.0f);
    double L = lambda / theta[0];
    ck_assert_msg(L >= lmax * (1.0 - 1e-4) && L <= 2.0 * lmax,
                  "L = %g, lambda_max = %g", L, lmax);
    for (size_t a = 0; a < N_UNITS; a++) {
        for (size_t i = 0; i < N_IN; i++)
            ck_assert_msg(fabs(we[a * N_IN + i] * L - d[i * N_UNITS + a]) <=
                              1e-5, "W_e[%zu][%zu]", a, i);
        for (size_t b = 0; b < N_UNITS; b++) {
            double expected = (a == b) - gram[a * N_UNITS + b] / L;
            ck_assert_msg(fabs(s[a * N_UNITS + b] - expected) <= 1e-5,
                          "S[%zu][%zu] = %g, expected %g", a, b,
                          (double)s[a * N_UNITS + b], expected);
        }
    }
    sc_model_free(m);
}
END_TEST

START_TEST(init_step_relation)
{
    /* With SC_MODEL_PARAM_INIT_STEP = alpha (DrSAE's code: 1.25/T), every init
     * gives W_e = alpha W_d^T, S = I - alpha W_d^T W_d and theta = alpha
     * lambda, whatever L is. */
    const double lambda = 0.3, alpha = 0.1136;
    float data[N_SAMPLES * N_IN];
    tu_fill(data, N_SAMPLES * N_IN, 14, -1, 1);
    const tu_setting settings[] = {{SC_MODEL_PARAM_L1_WEIGHT, lambda},
                                   {SC_MODEL_PARAM_INIT_STEP, alpha}};
    sc_model *m = tu_model(N_IN, N_UNITS, settings, 2, TU_NO_INIT);
    ck_assert_int_eq(run_init(m, _i, data, N_SAMPLES), SC_OK);
    const float *we = weight(m, SC_WEIGHT_ENCODER, N_UNITS, N_IN);
    const float *s = weight(m, SC_WEIGHT_LATERAL, N_UNITS, N_UNITS);
    const float *theta = weight(m, SC_WEIGHT_THRESHOLD, N_UNITS, 1);
    const float *d = weight(m, SC_WEIGHT_DECODER, N_IN, N_UNITS);
    for (size_t a = 0; a < N_UNITS; a++) {
        ck_assert_msg(fabs(theta[a] - alpha * lambda) <= 1e-7,
                      "theta[%zu] = %g", a, (double)theta[a]);
        for (size_t i = 0; i < N_IN; i++)
            ck_assert_msg(fabs(we[a * N_IN + i] - alpha * d[i * N_UNITS + a])
                              <= 1e-7, "W_e[%zu][%zu]", a, i);
        for (size_t b = 0; b < N_UNITS; b++) {
            double g = 0.0;
            for (size_t i = 0; i < N_IN; i++)
                g += (double)d[i * N_UNITS + a] * d[i * N_UNITS + b];
            double expected = (a == b) - alpha * g;
            ck_assert_msg(fabs(s[a * N_UNITS + b] - expected) <= 1e-6,
                          "S[%zu][%zu] = %g, expected %g", a, b,
                          (double)s[a * N_UNITS + b], expected);
        }
    }
    sc_model_free(m);
}
END_TEST

START_TEST(init_data_noise)
{
    /* SC_MODEL_PARAM_INIT_NOISE = nu: each decoder column is s/|s| + nu r/|r|,
     * normalised, s one of the samples.  In n = 400 dimensions a random
     * direction is nearly orthogonal to s (cosine about +-0.05), so the
     * column's cosine with its sample is 1/sqrt(1 + nu^2) within 0.15, and
     * its norm is the decoder bound. */
    enum { N = 400, K = 6, COUNT = 20 };
    const double noise = 1.0, expected = 1.0 / sqrt(1.0 + noise * noise);
    float *data = malloc(COUNT * N * sizeof(float));
    ck_assert_ptr_nonnull(data);
    tu_fill(data, COUNT * N, 15, 0, 1);
    sc_model *m = tu_model(N, K, (tu_setting[]){{SC_MODEL_PARAM_INIT_NOISE,
                           noise}},
                           1, TU_NO_INIT);
    ck_assert_int_eq(sc_model_init_data(m, data, COUNT, 3), SC_OK);
    const float *d = weight(m, SC_WEIGHT_DECODER, N, K);
    for (size_t j = 0; j < K; j++) {
        double best = -1.0, norm = 0.0;
        for (size_t i = 0; i < N; i++)
            norm += (double)d[i * K + j] * d[i * K + j];
        for (size_t c = 0; c < COUNT; c++) {
            double dot = 0.0, ss = 0.0;
            for (size_t i = 0; i < N; i++) {
                dot += (double)d[i * K + j] * data[c * N + i];
                ss += (double)data[c * N + i] * data[c * N + i];
            }
            double cosine = dot / sqrt(ss * norm);
            best = cosine > best ? cosine : best;
        }
        ck_assert_msg(fabs(sqrt(norm) - 1.0) <= 1e-5, "column %zu norm %g",
                      j, sqrt(norm));
        ck_assert_msg(fabs(best - expected) <= 0.15,
                      "column %zu: cosine %g with its sample, expected %g", j,
                      best, expected);
    }
    free(data);
    sc_model_free(m);
}
END_TEST

START_TEST(init_deterministic)
{
    float data[N_SAMPLES * N_IN];
    tu_fill(data, N_SAMPLES * N_IN, 14, -1, 1);
    sc_model *a = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    sc_model *b = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    /* Same seed (or the same dictionary): the same bits. */
    for (int which = 0; which < 3; which++) {
        ck_assert_int_eq(run_init(a, which, data, N_SAMPLES), SC_OK);
        ck_assert_int_eq(run_init(b, which, data, N_SAMPLES), SC_OK);
        TU_ASSERT_SAME_MODEL(a, b);
    }
    /* Different seeds: different decoders. */
    const float *da, *db;
    size_t r, c;
    ck_assert_int_eq(sc_model_init_random(a, 1), SC_OK);
    ck_assert_int_eq(sc_model_init_random(b, 2), SC_OK);
    ck_assert_int_eq(sc_model_weights(a, SC_WEIGHT_DECODER, &da, &r, &c),
                     SC_OK);
    ck_assert_int_eq(sc_model_weights(b, SC_WEIGHT_DECODER, &db, &r, &c),
                     SC_OK);
    ck_assert(memcmp(da, db, r * c * sizeof(float)) != 0);
    ck_assert_int_eq(sc_model_init_data(a, data, N_SAMPLES, 1), SC_OK);
    ck_assert_int_eq(sc_model_init_data(b, data, N_SAMPLES, 2), SC_OK);
    ck_assert_int_eq(sc_model_weights(a, SC_WEIGHT_DECODER, &da, &r, &c),
                     SC_OK);
    ck_assert_int_eq(sc_model_weights(b, SC_WEIGHT_DECODER, &db, &r, &c),
                     SC_OK);
    ck_assert(memcmp(da, db, r * c * sizeof(float)) != 0);
    sc_model_free(a);
    sc_model_free(b);
}
END_TEST

START_TEST(reinit_resets_training)
{
    /* A repeated init resets weights, optimiser state and step count: a
     * trained then re-initialised model trains exactly like a new one. */
    tu_data d = tu_data_make(N_SAMPLES, N_IN, N_UNITS, 0, 15);
    const tu_setting settings[] = {{SC_MODEL_PARAM_ITERATIONS, 3},
                                   {SC_MODEL_PARAM_OPTIMIZER, _i}};
    sc_model *a = tu_model(N_IN, N_UNITS, settings, 2, 5);
    tu_train(a, &d, 8, 0, 3, NULL);
    ck_assert_uint_eq(sc_model_steps_taken(a), 3);
    ck_assert_int_eq(sc_model_init_random(a, 5), SC_OK);
    ck_assert_uint_eq(sc_model_steps_taken(a), 0);
    sc_model *b = tu_model(N_IN, N_UNITS, settings, 2, 5);
    TU_ASSERT_SAME_MODEL(a, b);
    tu_train(a, &d, 8, 0, 2, NULL);
    tu_train(b, &d, 8, 0, 2, NULL);
    TU_ASSERT_SAME_MODEL(a, b);
    sc_model_free(a);
    sc_model_free(b);
    tu_data_free(&d);
}
END_TEST

Suite *model_suite(void)
{
    Suite *s = suite_create("model");

    TCase *create = tcase_create("create");
    tcase_add_test(create, create_null_out);
    tcase_add_test(create, create_zero_sizes);
    tcase_add_test(create, create_absurd_sizes);
    tcase_add_test(create, create_largest_sizes);
    tcase_add_test(create, create_fresh_state);
    tcase_add_test(create, accessors_of_null);
    tcase_add_test(create, weights_errors);
    suite_add_tcase(s, create);

    TCase *bad = tcase_create("init_errors");
    tcase_add_loop_test(bad, init_null_arguments, 0, 2);
    tcase_add_loop_test(bad, init_data_bad_count, 0, 2);
    tcase_add_loop_test(bad, init_nonfinite, 0, 2);
    tcase_add_test(bad, init_extreme_magnitudes);
    tcase_add_loop_test(bad, init_zero_dictionary, 0, 2);
    tcase_add_loop_test(bad, init_inconsistent_structure, 0, BAD_STRUCTURES);
    tcase_add_loop_test(bad, init_consistent_structure, 0, GOOD_STRUCTURES);
    suite_add_tcase(s, bad);

    TCase *init = tcase_create("init");
    tcase_add_loop_test(init, init_shapes_and_norms, 0, 3);
    tcase_add_loop_test(init, init_respects_decoder_bound, 0, 3);
    tcase_add_test(init, init_dictionary_keeps_directions);
    tcase_add_test(init, init_data_columns_are_samples);
    tcase_add_loop_test(init, init_ista_relation, 0, 3);
    tcase_add_loop_test(init, init_step_relation, 0, 3);
    tcase_add_test(init, init_data_noise);
    tcase_add_test(init, init_deterministic);
    tcase_add_loop_test(init, reinit_resets_training, 0, 2);
    suite_add_tcase(s, init);
    return s;
}
