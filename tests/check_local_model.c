/* SPDX-License-Identifier: BSD-2-Clause */
/* check_local_model.c -- a model with local unshared filters
 * (SC_MODEL_PARAM_LOCAL_FIELD > 0) through the public API: its geometry checks
 * and their exact statuses, its equivalence with a dense model holding
 * the same entries, its lateral links, its weights' shape, and a save/load
 * round trip that resumes bit for bit.  The gradients are checked against
 * finite differences in check_gradient.c. */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "suites.h"
#include "testutil.h"

/* The geometry of most tests: 2 channels of 6 x 7, 3 x 3 windows at stride
 * 2: 2 x 3 positions, of which (0,0) and (0,2) do not overlap (distance
 * 2 * 2 = 4 >= 3), with 3 maps each. */
#define CHANNELS 2
#define HEIGHT 6
#define WIDTH 7
#define FIELD 3
#define STRIDE 2
#define MAPS 3
#define INPUTS (CHANNELS * HEIGHT * WIDTH)
#define POSITIONS 6
#define UNITS (POSITIONS * MAPS)
#define PATCH (CHANNELS * FIELD * FIELD)

static const tu_setting geometry[] = {
    {SC_MODEL_PARAM_LOCAL_FIELD, FIELD},  {SC_MODEL_PARAM_LOCAL_STRIDE, STRIDE},
    {SC_MODEL_PARAM_IMAGE_CHANNELS, CHANNELS},
    {SC_MODEL_PARAM_IMAGE_HEIGHT, HEIGHT}, {SC_MODEL_PARAM_IMAGE_WIDTH, WIDTH}};
#define GEOMETRY_COUNT (sizeof geometry / sizeof geometry[0])

/* A local model with the geometry above and `extra` settings after it,
 * not initialised. */
static sc_model *local_model(const tu_setting *extra, size_t count)
{
    tu_setting all[GEOMETRY_COUNT + 12];
    ck_assert_uint_le(count, 12);
    memcpy(all, geometry, sizeof geometry);
    if (count > 0)
        memcpy(all + GEOMETRY_COUNT, extra, count * sizeof *extra);
    return tu_model(INPUTS, UNITS, all, GEOMETRY_COUNT + count, TU_NO_INIT);
}

/* Whether the window of unit i contains input pixel j. */
static int in_window(size_t unit, size_t pixel)
{
    size_t pos = unit / MAPS, oy = pos / 3 * STRIDE, ox = pos % 3 * STRIDE;
    size_t y = pixel % (HEIGHT * WIDTH) / WIDTH, x = pixel % WIDTH;
    return y >= oy && y < oy + FIELD && x >= ox && x < ox + FIELD;
}

/* ---- geometry and its statuses ---------------------------------------- */

START_TEST(local_units_counts_positions_times_maps)
{
    size_t k = 0;
    ck_assert_int_eq(sc_model_local_units(CHANNELS, HEIGHT, WIDTH, FIELD,
                                          STRIDE,
                                    MAPS, &k), SC_OK);
    ck_assert_uint_eq(k, UNITS);
    /* 28 x 28, 7 x 7 at stride 3: 8 x 8 positions (the last 0 pixels
     * unused); at stride 4: 6 x 6 (the last 1 unused). */
    ck_assert_int_eq(sc_model_local_units(1, 28, 28, 7, 3, 8, &k), SC_OK);
    ck_assert_uint_eq(k, 8 * 8 * 8);
    ck_assert_int_eq(sc_model_local_units(1, 28, 28, 7, 4, 1, &k), SC_OK);
    ck_assert_uint_eq(k, 6 * 6);
    /* The field may be the whole image: one position. */
    ck_assert_int_eq(sc_model_local_units(3, 5, 5, 5, 1, 4, &k), SC_OK);
    ck_assert_uint_eq(k, 4);
}
END_TEST

START_TEST(local_units_bad_geometry)
{
    size_t k = 77;
    ck_assert_int_eq(sc_model_local_units(1, 5, 5, 3, 1, 2, NULL), SC_ERR_NULL);
    /* A window larger than the image, in either direction. */
    ck_assert_int_eq(sc_model_local_units(1, 5, 9, 6, 1, 2, &k), SC_ERR_RANGE);
    TU_ASSERT_CONTAINS(sc_last_message(), "larger than the 5 x 9 image");
    ck_assert_int_eq(sc_model_local_units(1, 9, 5, 6, 1, 2, &k), SC_ERR_RANGE);
    /* Zero stride, field, size or maps. */
    ck_assert_int_eq(sc_model_local_units(1, 5, 5, 3, 0, 2, &k), SC_ERR_RANGE);
    TU_ASSERT_CONTAINS(sc_last_message(), "stride 0");
    ck_assert_int_eq(sc_model_local_units(1, 5, 5, 0, 1, 2, &k), SC_ERR_RANGE);
    ck_assert_int_eq(sc_model_local_units(0, 5, 5, 3, 1, 2, &k), SC_ERR_RANGE);
    ck_assert_int_eq(sc_model_local_units(1, 0, 5, 3, 1, 2, &k), SC_ERR_RANGE);
    ck_assert_int_eq(sc_model_local_units(1, 5, 5, 3, 1, 0, &k), SC_ERR_RANGE);
    /* Products that overflow size_t, or more than 2^24 units. */
    ck_assert_int_eq(sc_model_local_units(SIZE_MAX / 2, 4, 4, 1, 1, 1, &k),
                     SC_ERR_SIZE);
    ck_assert_int_eq(sc_model_local_units(1, SIZE_MAX / 2, SIZE_MAX / 2, 1, 1,
                                          1,
                                    &k), SC_ERR_SIZE);
    ck_assert_int_eq(sc_model_local_units(1, 1u << 20, 1u << 20, 1, 1, 1, &k),
                     SC_ERR_SIZE);
    ck_assert_int_eq(sc_model_local_units(1, 64, 64, 1, 1, SIZE_MAX / 1024, &k),
                     SC_ERR_SIZE);
    ck_assert_uint_eq(k, 77); /* untouched by every failure */
}
END_TEST

START_TEST(set_rejects_zero_stride_and_sizes)
{
    sc_model *m = tu_model(INPUTS, UNITS, NULL, 0, TU_NO_INIT);
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_LOCAL_STRIDE, 0),
                     SC_ERR_RANGE);
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_IMAGE_CHANNELS, 0),
                     SC_ERR_RANGE);
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_LOCAL_FIELD, 2.5),
                     SC_ERR_RANGE);
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_IMAGE_HEIGHT, -1),
                     SC_ERR_RANGE);
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_IMAGE_WIDTH, 2e6),
                     SC_ERR_RANGE);
    sc_model_free(m);
}
END_TEST

/* Each bad geometry, set before init: the status init must return. */
typedef struct {
    const char *name;
    sc_model_param param;
    double value;
    sc_status expected;
    const char *message;
} bad_geometry;

static const bad_geometry bad[] = {
    {"field larger than the image", SC_MODEL_PARAM_LOCAL_FIELD, 7, SC_ERR_RANGE,
     "larger than the 6 x 7 image"},
    {"image size not set", SC_MODEL_PARAM_IMAGE_HEIGHT, 0, SC_ERR_RANGE,
     "SC_MODEL_PARAM_IMAGE_HEIGHT"},
    {"pixels != inputs", SC_MODEL_PARAM_IMAGE_CHANNELS, 3, SC_ERR_SIZE,
     "has 126 pixels, but the model has 84 inputs"},
    {"units not a multiple of positions", SC_MODEL_PARAM_LOCAL_STRIDE, 1,
     SC_ERR_SIZE, "not a whole number of maps over 20 positions"},
    {"image too large to count", SC_MODEL_PARAM_IMAGE_WIDTH, 1e6, SC_ERR_SIZE,
     "has 12000000 pixels"},
};

START_TEST(init_rejects_bad_geometry)
{
    const bad_geometry *b = &bad[_i];
    sc_model *m = local_model(NULL, 0);
    tu_set(m, b->param, b->value);
    ck_assert_int_eq(sc_model_init_random(m, 1), b->expected);
    TU_ASSERT_CONTAINS(sc_model_message(m), b->message);
    ck_assert(!sc_model_is_initialized(m));
    float x[INPUTS] = {0};
    x[0] = 1.0f;
    ck_assert_int_eq(sc_model_init_data(m, x, 1, 1), b->expected);
    ck_assert(!sc_model_is_initialized(m));
    sc_model_free(m);
}
END_TEST

/* ---- a local model is a dense model with zeros outside the windows ----- */

/* A dense n x k dictionary, then the same with every entry outside its
 * unit's window zeroed. */
static void windowed_dictionary(float *d)
{
    tu_fill(d, INPUTS * UNITS, 41, -1.0f, 1.0f);
    for (size_t i = 0; i < INPUTS; i++)
        for (size_t j = 0; j < UNITS; j++)
            if (!in_window(j, i))
                d[i * UNITS + j] = 0.0f;
}

START_TEST(local_equals_dense_with_the_same_entries)
{
    static float d[INPUTS * UNITS], full[INPUTS * UNITS];
    windowed_dictionary(d);
    tu_fill(full, INPUTS * UNITS, 41, -1.0f, 1.0f);
    const tu_setting soft[] = {{SC_MODEL_PARAM_SHRINK, SC_SHRINK_SOFT},
                               {SC_MODEL_PARAM_ITERATIONS, 6}};
    sc_model *local = local_model(soft, 2);
    sc_model *dense = tu_model(INPUTS, UNITS, soft, 2, TU_NO_INIT);
    /* The local init reads only the window of each column: the full
     * dictionary and the windowed one give the same local model. */
    ck_assert_int_eq(sc_model_init_dictionary(local, full), SC_OK);
    ck_assert_int_eq(sc_model_init_dictionary(dense, d), SC_OK);

    enum { B = 5 };
    float x[B * INPUTS], zl[B * UNITS], zd[B * UNITS];
    float xl[B * INPUTS], xd[B * INPUTS];
    tu_fill(x, B * INPUTS, 42, -1.0f, 1.0f);
    ck_assert_int_eq(sc_model_encode(local, x, B, zl), SC_OK);
    ck_assert_int_eq(sc_model_encode(dense, x, B, zd), SC_OK);
    TU_ASSERT_CLOSE(zl, zd, B * UNITS, 1e-4);
    size_t active = 0;
    for (size_t i = 0; i < B * UNITS; i++)
        active += zl[i] != 0.0f;
    ck_assert_uint_gt(active, B); /* a real comparison, not of zeros */
    ck_assert_uint_lt(active, B * UNITS);
    ck_assert_int_eq(sc_model_decode(local, zl, B, xl), SC_OK);
    ck_assert_int_eq(sc_model_decode(dense, zl, B, xd), SC_OK);
    TU_ASSERT_CLOSE(xl, xd, B * INPUTS, 1e-5);

    /* The same S and threshold (the ISTA relation through the verbs). */
    const float *sl, *sd, *tl, *td;
    size_t r, c;
    ck_assert_int_eq(sc_model_weights(local, SC_WEIGHT_LATERAL, &sl, &r, &c),
                     SC_OK);
    ck_assert_int_eq(sc_model_weights(dense, SC_WEIGHT_LATERAL, &sd, &r, &c),
                     SC_OK);
    TU_ASSERT_CLOSE(sl, sd, UNITS * UNITS, 1e-5);
    ck_assert_int_eq(sc_model_weights(local, SC_WEIGHT_THRESHOLD, &tl, &r,
                                      &c), SC_OK);
    ck_assert_int_eq(sc_model_weights(dense, SC_WEIGHT_THRESHOLD, &td, &r,
                                      &c), SC_OK);
    TU_ASSERT_CLOSE(tl, td, UNITS, 1e-5);
    sc_model_free(local);
    sc_model_free(dense);
}
END_TEST

START_TEST(weights_are_one_filter_per_unit)
{
    static float d[INPUTS * UNITS];
    windowed_dictionary(d);
    sc_model *m = local_model(NULL, 0);
    ck_assert_int_eq(sc_model_init_dictionary(m, d), SC_OK);
    const float *w;
    size_t rows, cols;
    ck_assert_int_eq(sc_model_weights(m, SC_WEIGHT_DECODER, &w, &rows, &cols),
                     SC_OK);
    ck_assert_uint_eq(rows, UNITS);
    ck_assert_uint_eq(cols, PATCH);
    /* Row j is column j of D within unit j's window, scaled to norm <= 1
     * (the decoder bound), in the documented order (c*r + dy)*r + dx. */
    for (size_t j = 0; j < UNITS; j++) {
        size_t pos = j / MAPS, oy = pos / 3 * STRIDE, ox = pos % 3 * STRIDE;
        double norm = 0.0;
        for (size_t i = 0; i < INPUTS; i++)
            norm += (double)d[i * UNITS + j] * d[i * UNITS + j];
        double scale = norm > 1.0 ? 1.0 / sqrt(norm) : 1.0;
        for (size_t ch = 0; ch < CHANNELS; ch++)
            for (size_t dy = 0; dy < FIELD; dy++)
                for (size_t dx = 0; dx < FIELD; dx++) {
                    size_t pixel = ch * HEIGHT * WIDTH +
                                   (oy + dy) * WIDTH + ox + dx;
                    double want = d[pixel * UNITS + j] * scale;
                    double got = w[j * PATCH + (ch * FIELD + dy) * FIELD + dx];
                    ck_assert_double_eq_tol(got, want, 1e-6);
                }
    }
    ck_assert_int_eq(sc_model_weights(m, SC_WEIGHT_ENCODER, &w, &rows, &cols),
                     SC_OK);
    ck_assert_uint_eq(rows, UNITS);
    ck_assert_uint_eq(cols, PATCH);
    sc_model_free(m);
}
END_TEST

/* ---- lateral links --------------------------------------------------- */

static void assert_links_local(const sc_model *m)
{
    const float *s;
    size_t rows, cols, links = 0;
    ck_assert_int_eq(sc_model_weights(m, SC_WEIGHT_LATERAL, &s, &rows, &cols),
                     SC_OK);
    for (size_t i = 0; i < UNITS; i++)
        for (size_t j = 0; j < UNITS; j++) {
            /* Positions 0 = (0,0) and 2 = (0,2), 3 = (1,0) and 5 = (1,2),
             * 0 and 5, 2 and 3 are 4 pixels apart horizontally: no
             * overlap with 3 x 3 windows. */
            size_t p = i / MAPS, q = j / MAPS;
            size_t dx = p % 3 > q % 3 ? p % 3 - q % 3 : q % 3 - p % 3;
            if (dx == 2)
                ck_assert_msg(s[i * UNITS + j] == 0.0f,
                              "S[%zu][%zu] = %g links windows that do not "
                              "overlap", i, j, (double)s[i * UNITS + j]);
            else
                links += s[i * UNITS + j] != 0.0f;
        }
    ck_assert_uint_gt(links, UNITS); /* the others do link */
}

START_TEST(lateral_links_only_overlapping_windows)
{
    const tu_setting train[] = {
        {SC_MODEL_PARAM_ITERATIONS, 3}, {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM},
        {SC_MODEL_PARAM_LEARNING_RATE, 1e-2}};
    sc_model *m = local_model(train, 3);
    ck_assert_int_eq(sc_model_init_random(m, 3), SC_OK);
    assert_links_local(m);
    tu_data d = tu_data_make(64, INPUTS, UNITS, 0, 5);
    tu_train(m, &d, 16, 0, 12, NULL);
    assert_links_local(m);
    tu_data_free(&d);
    sc_model_free(m);
}
END_TEST

/* SC_MODEL_PARAM_THREADS splits the local verbs' work, never a sum: training
 * and encoding give the same bits with 1 and 4 threads.  The model is the
 * size of examples/local (28 x 28, 7 x 7 windows at stride 3, 8 maps), so
 * that each call is large enough (over 4 MFLOP) to be split; T = 1 keeps
 * the step to the local products (and the test fast under valgrind). */
static sc_model *threaded_model(double threads)
{
    size_t k = 0;
    ck_assert_int_eq(sc_model_local_units(1, 28, 28, 7, 3, 8, &k), SC_OK);
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_LOCAL_FIELD, 7},  {SC_MODEL_PARAM_LOCAL_STRIDE, 3},
        {SC_MODEL_PARAM_IMAGE_HEIGHT, 28}, {SC_MODEL_PARAM_IMAGE_WIDTH, 28},
        {SC_MODEL_PARAM_ITERATIONS, 1},   {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM},
        {SC_MODEL_PARAM_THREADS, threads}};
    return tu_model(784, k, settings, sizeof settings / sizeof settings[0],
                    4);
}

START_TEST(threads_do_not_change_results)
{
    sc_model *a = threaded_model(1), *b = threaded_model(4);
    size_t k = sc_model_units(a);
    enum { B = 100 };
    tu_data d = tu_data_make(3 * B, 784, k, 0, 8);
    tu_train(a, &d, B, 0, 2, NULL);
    tu_train(b, &d, B, 0, 2, NULL);
    TU_ASSERT_SAME_MODEL(a, b);
    float *za = malloc(3 * B * k * sizeof(float));
    float *zb = malloc(3 * B * k * sizeof(float));
    ck_assert_int_eq(sc_model_encode(a, d.x, 3 * B, za), SC_OK);
    ck_assert_int_eq(sc_model_encode(b, d.x, 3 * B, zb), SC_OK);
    ck_assert(memcmp(za, zb, 3 * B * k * sizeof(float)) == 0);
    free(za);
    free(zb);
    tu_data_free(&d);
    sc_model_free(a);
    sc_model_free(b);
}
END_TEST

/* Topographic pools over positions x maps: the 3 maps of each position on
 * a 1 x 3 torus, single-map windows (POOL_SIZE 1) at stride 1, spanning
 * 2 x 2 of the 2 x 3 positions: 3 map windows x 2 position windows, each
 * pool holding one map at 4 positions. */
START_TEST(pools_span_positions_and_maps)
{
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC},
        {SC_MODEL_PARAM_TORUS_ROWS, 1}, {SC_MODEL_PARAM_TORUS_COLS, 3},
        {SC_MODEL_PARAM_POOL_SIZE, 1},  {SC_MODEL_PARAM_POOL_POSITIONS, 2}};
    sc_model *m = local_model(settings, 5);
    ck_assert_int_eq(sc_model_init_random(m, 2), SC_OK);
    const sc_pools *pools = &m->state.pools;
    ck_assert_uint_eq(pools->count, 6);
    /* pool (position window wx, map u): positions (0,wx), (0,wx+1),
     * (1,wx), (1,wx+1), i.e. position indices wx, wx+1, 3+wx, 4+wx. */
    for (size_t p = 0; p < 6; p++) {
        size_t wx = p / 3, u = p % 3;
        size_t want[4] = {wx * MAPS + u, (wx + 1) * MAPS + u,
                          (3 + wx) * MAPS + u, (4 + wx) * MAPS + u};
        ck_assert_uint_eq(pools->start[p + 1] - pools->start[p], 4);
        for (size_t i = 0; i < 4; i++)
            ck_assert_uint_eq(pools->units[pools->start[p] + i], want[i]);
    }
    sc_model_free(m);

    /* A span larger than the grid of positions is refused at init. */
    const tu_setting too_wide[] = {
        {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC},
        {SC_MODEL_PARAM_TORUS_ROWS, 1}, {SC_MODEL_PARAM_TORUS_COLS, 3},
        {SC_MODEL_PARAM_POOL_SIZE, 1},  {SC_MODEL_PARAM_POOL_POSITIONS, 3}};
    m = local_model(too_wide, 5);
    ck_assert_int_eq(sc_model_init_random(m, 2), SC_ERR_SIZE);
    TU_ASSERT_CONTAINS(sc_model_message(m),
                       "SC_MODEL_PARAM_POOL_POSITIONS = 3 exceeds the 2 x 3 "
                       "positions");
    sc_model_free(m);
}
END_TEST

/* ---- save and load ----------------------------------------------------- */

static char dir[TU_PATH_MAX];

static void make_dir(void)
{
    tu_tempdir_make(dir, NULL);
}

static void remove_dir(void)
{
    tu_tempdir_remove(dir);
}

START_TEST(save_load_resumes_bit_for_bit)
{
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_ITERATIONS, 4},   {SC_MODEL_PARAM_CLASSES, 3},
        {SC_MODEL_PARAM_CLASS_WEIGHT, 0.5},
        {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC},
        {SC_MODEL_PARAM_TORUS_ROWS, 1},   {SC_MODEL_PARAM_TORUS_COLS, 3},
        {SC_MODEL_PARAM_POOL_SIZE, 1},    {SC_MODEL_PARAM_GROUP_WEIGHT, 0.1},
        {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM}};
    sc_model *a = local_model(settings, sizeof settings / sizeof settings[0]);
    ck_assert_int_eq(sc_model_init_random(a, 9), SC_OK);
    tu_data d = tu_data_make(48, INPUTS, UNITS, 3, 6);
    tu_train(a, &d, 12, 0, 4, NULL);

    char path[TU_PATH_MAX];
    tu_path(path, dir, "local.bin");
    ck_assert_int_eq(sc_model_save(a, path, SC_MODEL_CONTENTS_FULL), SC_OK);
    sc_model *b = NULL;
    ck_assert_int_eq(sc_model_load(&b, path), SC_OK);
    TU_ASSERT_SAME_MODEL(a, b);
    double field = 0;
    ck_assert_int_eq(sc_model_get(b, SC_MODEL_PARAM_LOCAL_FIELD, &field),
                     SC_OK);
    ck_assert_double_eq(field, FIELD);

    /* Both continue identically. */
    double la[4], lb[4];
    tu_train(a, &d, 12, 4, 4, la);
    tu_train(b, &d, 12, 4, 4, lb);
    for (int i = 0; i < 4; i++)
        ck_assert_double_eq(la[i], lb[i]);
    TU_ASSERT_SAME_MODEL(a, b);
    float za[12 * UNITS], zb[12 * UNITS];
    ck_assert_int_eq(sc_model_encode(a, d.x, 12, za), SC_OK);
    ck_assert_int_eq(sc_model_encode(b, d.x, 12, zb), SC_OK);
    ck_assert(memcmp(za, zb, sizeof za) == 0);
    tu_data_free(&d);
    sc_model_free(a);
    sc_model_free(b);
}
END_TEST

Suite *local_model_suite(void)
{
    Suite *s = suite_create("local_model");
    TCase *geometry_case = tcase_create("geometry");
    tcase_add_test(geometry_case, local_units_counts_positions_times_maps);
    tcase_add_test(geometry_case, local_units_bad_geometry);
    tcase_add_test(geometry_case, set_rejects_zero_stride_and_sizes);
    tcase_add_loop_test(geometry_case, init_rejects_bad_geometry, 0,
                        (int)(sizeof bad / sizeof bad[0]));
    suite_add_tcase(s, geometry_case);

    TCase *model_case = tcase_create("model");
    tcase_add_test(model_case, local_equals_dense_with_the_same_entries);
    tcase_add_test(model_case, weights_are_one_filter_per_unit);
    tcase_add_test(model_case, lateral_links_only_overlapping_windows);
    tcase_add_test(model_case, threads_do_not_change_results);
    tcase_add_test(model_case, pools_span_positions_and_maps);
    suite_add_tcase(s, model_case);

    TCase *file_case = tcase_create("file");
    tcase_add_checked_fixture(file_case, make_dir, remove_dir);
    tcase_add_test(file_case, save_load_resumes_bit_for_bit);
    suite_add_tcase(s, file_case);
    return s;
}
