/* SPDX-License-Identifier: BSD-2-Clause */
/* check_fixtures.c -- model files of format versions 1, 2 and 3, written
 * by the library at the commits that wrote those versions
 * (tests/fixtures/README.md), still load: with the parameters their
 * writer set (and the defaults of those their version lacks), the
 * weights that give the codes their writer computed, the optimiser
 * state, and training that resumes. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "suites.h"
#include "testutil.h"

/* Where the fixtures are: $SC_FIXTURES_DIR, else tests/fixtures (the
 * tests run from the top of the tree). */
static void fixture_path(char *path, const char *name)
{
    const char *dir = getenv("SC_FIXTURES_DIR");
    tu_path(path, dir != NULL ? dir : "tests/fixtures", name);
}

typedef struct {
    const char *name;      /* tests/fixtures/NAME.model and NAME.codes */
    int version;
    int local;
} fixture;

static const fixture fixtures[] = {
    {"dense-v1", 1, 0}, {"dense-v2", 2, 0}, {"dense-v3", 3, 0},
    {"local-v2", 2, 1}, {"local-v3", 3, 1}};
#define FIXTURES (sizeof fixtures / sizeof fixtures[0])

/* What tests/fixtures/make_fixture.c sets; every other parameter has its
 * default, SC_MODEL_PARAM_THREADS too (the local model's writer set it
 * to 1, which a load does not take). */
static const tu_setting dense_settings[] = {
    {SC_MODEL_PARAM_ITERATIONS, 3}, {SC_MODEL_PARAM_SHRINK, SC_SHRINK_SOFT},
    {SC_MODEL_PARAM_CLASSES, 2},
    {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS},
    {SC_MODEL_PARAM_GROUP_SIZE, 2}, {SC_MODEL_PARAM_L1_WEIGHT, 0.07},
    {SC_MODEL_PARAM_GROUP_WEIGHT, 0.01}, {SC_MODEL_PARAM_CLASS_WEIGHT, 0.5},
    {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM},
    {SC_MODEL_PARAM_LEARNING_RATE, 0.01}, {0, 0}};
static const tu_setting local_settings[] = {
    {SC_MODEL_PARAM_ITERATIONS, 2}, {SC_MODEL_PARAM_LOCAL_FIELD, 3},
    {SC_MODEL_PARAM_LOCAL_STRIDE, 2}, {SC_MODEL_PARAM_IMAGE_HEIGHT, 5},
    {SC_MODEL_PARAM_IMAGE_WIDTH, 5}, {SC_MODEL_PARAM_LEARNING_RATE, 0.02},
    {0, 0}};

static double expected_value(const fixture *f, size_t i)
{
    const tu_setting *s = f->local ? local_settings : dense_settings;
    for (; s->id != 0; s++)
        if (s->id == tu_params[i].id)
            return s->value;
    return tu_params[i].def;
}

/* The path of fixture f's file with `suffix` (".model", ".codes"). */
static void fixture_file(char *path, const fixture *f, const char *suffix)
{
    char name[64];
    snprintf(name, sizeof name, "%s%s", f->name, suffix);
    fixture_path(path, name);
}

/* Fixture f's model, which must load. */
static sc_model *load_fixture(const fixture *f)
{
    char path[TU_PATH_MAX];
    fixture_file(path, f, ".model");
    sc_model *m = NULL;
    sc_status s = sc_model_load(&m, path);
    ck_assert_msg(s == SC_OK, "%s: %s (%s)", path, sc_status_string(s),
                  sc_last_message());
    return m;
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void get_floats(const unsigned char *p, float *v, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t bits = get_u32(p + 4 * i);
        memcpy(&v[i], &bits, sizeof bits);
    }
}

START_TEST(fixture_loads_with_its_parameters)
{
    const fixture *f = &fixtures[_i];
    char path[TU_PATH_MAX];
    fixture_file(path, f, ".model");
    size_t size;
    unsigned char *bytes = tu_read_file(path, &size);
    ck_assert_uint_eq(get_u32(bytes + 8), (uint32_t)f->version);
    free(bytes);
    sc_model *m = load_fixture(f);
    ck_assert_uint_eq(sc_model_inputs(m), f->local ? 25 : 16);
    ck_assert_uint_eq(sc_model_units(m), 8);
    ck_assert_uint_eq(sc_model_steps_taken(m), 3);
    for (size_t i = 0; i < tu_param_count; i++) {
        double v = -1;
        ck_assert_int_eq(sc_model_get(m, tu_params[i].id, &v), SC_OK);
        ck_assert_msg(v == expected_value(f, i), "%s: %s = %g, not %g",
                      f->name, tu_params[i].name, v, expected_value(f, i));
    }
    /* The optimiser state was loaded: Adam's second moment (and SGD's
     * velocity) of the decoder is not all zero after three steps. */
    const sc_tensor *decoder = &m->state.tensor[SC_TENSOR_DECODER];
    float *moment = f->local ? decoder->m1 : decoder->m2;
    int nonzero = 0;
    for (size_t i = 0; i < decoder->count; i++)
        nonzero |= moment[i] != 0.0f;
    ck_assert_msg(nonzero, "%s: the decoder's moments are all zero",
                  f->name);
    sc_model_free(m);
}
END_TEST

START_TEST(fixture_encodes_as_its_writer)
{
    /* The codes the writer computed for its inputs, after saving.  The
     * same BLAS gives them bit for bit; another (the reference BLAS in
     * CI, another OpenBLAS kernel) sums the T (<= 3) matrix products of
     * at most 25 + 8 terms in another order, each within a few float
     * epsilons (1.2e-7) of the sum of the terms' magnitudes, which are
     * of order 1 here: 1e-5 of max(1, |z|) covers that with room, and is
     * far below any change of weights or parameters (a code's size is
     * 0.1 to 1).  Measured: 0 with OpenBLAS, at most 2.4e-7 with the
     * reference BLAS. */
    const fixture *f = &fixtures[_i];
    sc_model *m = load_fixture(f);
    char path[TU_PATH_MAX];
    fixture_file(path, f, ".codes");
    size_t size;
    unsigned char *bytes = tu_read_file(path, &size);
    ck_assert_uint_ge(size, 12);
    size_t batch = get_u32(bytes), n = get_u32(bytes + 4),
           k = get_u32(bytes + 8);
    ck_assert_uint_eq(n, sc_model_inputs(m));
    ck_assert_uint_eq(k, sc_model_units(m));
    ck_assert_uint_eq(size, 12 + 4 * batch * (n + k));
    float *x = malloc(batch * n * sizeof *x);
    float *stored = malloc(batch * k * sizeof *stored);
    float *codes = malloc(batch * k * sizeof *codes);
    ck_assert(x != NULL && stored != NULL && codes != NULL);
    get_floats(bytes + 12, x, batch * n);
    get_floats(bytes + 12 + 4 * batch * n, stored, batch * k);
    ck_assert_int_eq(sc_model_encode(m, x, batch, codes), SC_OK);
    TU_ASSERT_CLOSE(codes, stored, batch * k, 1e-5);
    /* Not a vacuous comparison: some codes are non-zero. */
    float largest = 0;
    for (size_t i = 0; i < batch * k; i++)
        largest = fmaxf(largest, fabsf(stored[i]));
    ck_assert_msg(largest > 0.01f, "%s: the stored codes are ~0 (%g)",
                  f->name, (double)largest);
    free(x);
    free(stored);
    free(codes);
    free(bytes);
    sc_model_free(m);
}
END_TEST

START_TEST(fixture_resumes_training)
{
    /* The old file trains on: steps succeed and change the weights; and
     * saved in the current format and loaded again, it trains to the same
     * bits, so nothing the old file held was lost on the way. */
    const fixture *f = &fixtures[_i];
    sc_model *a = load_fixture(f), *b = NULL;
    size_t size;
    ck_assert_int_eq(sc_model_save_buffer(a, SC_MODEL_CONTENTS_FULL, NULL, 0,
                                          &size), SC_OK);
    unsigned char *bytes = malloc(size);
    ck_assert_ptr_nonnull(bytes);
    ck_assert_int_eq(sc_model_save_buffer(a, SC_MODEL_CONTENTS_FULL, bytes,
                                          size, &size), SC_OK);
    ck_assert_int_eq(sc_model_load_buffer(&b, bytes, size), SC_OK);
    free(bytes);
    TU_ASSERT_SAME_MODEL(a, b);
    tu_snapshot before;
    tu_snapshot_take(a, &before);
    size_t n = sc_model_inputs(a), k = sc_model_units(a);
    tu_data d = tu_data_make(16, n, k, f->local ? 0 : 2, 57);
    tu_train(a, &d, 4, 0, 4, NULL);
    tu_train(b, &d, 4, 0, 4, NULL);
    ck_assert_uint_eq(sc_model_steps_taken(a), 7);
    tu_snapshot after;
    tu_snapshot_take(a, &after);
    ck_assert_msg(tu_snapshot_diff(&before, &after) != NULL,
                  "%s: four steps changed nothing", f->name);
    tu_snapshot_free(&before);
    tu_snapshot_free(&after);
    TU_ASSERT_SAME_MODEL(a, b);
    tu_data_free(&d);
    sc_model_free(a);
    sc_model_free(b);
}
END_TEST

Suite *fixtures_suite(void)
{
    Suite *s = suite_create("fixtures");
    TCase *t = tcase_create("versions");
    tcase_add_loop_test(t, fixture_loads_with_its_parameters, 0, FIXTURES);
    tcase_add_loop_test(t, fixture_encodes_as_its_writer, 0, FIXTURES);
    tcase_add_loop_test(t, fixture_resumes_training, 0, FIXTURES);
    suite_add_tcase(s, t);
    return s;
}
