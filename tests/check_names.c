/* SPDX-License-Identifier: BSD-2-Clause */
/* check_names.c -- parameters by name: sc_model_param_name and
 * sc_model_param_from_name, the solver's and the dictionary's, and
 * sc_model_param_is_structural.  Every id the header lists round-trips
 * through its name, which is the constant without its prefix in lower
 * case; unknown ids give NULL, unknown names SC_ERR_PARAM, NULL pointers
 * SC_ERR_NULL; and "structural" is what sc_model_set refuses after init. */
#include <check.h>
#include <ctype.h>
#include <string.h>

#include "sparsecode.h"
#include "testutil.h"

/* "SC_MODEL_PARAM_L1_WEIGHT" without "SC_MODEL_PARAM_", in lower case. */
static void expected_name(const char *constant, const char *prefix,
                          char *out, size_t size)
{
    size_t skip = strlen(prefix);
    ck_assert_msg(strncmp(constant, prefix, skip) == 0, "%s", constant);
    size_t i = 0;
    for (; constant[skip + i] != '\0' && i + 1 < size; i++)
        out[i] = (char)tolower((unsigned char)constant[skip + i]);
    out[i] = '\0';
}

/* The solver's and the dictionary's parameters as the header lists them. */
typedef struct {
    int id;
    const char *constant;
} listed;

#define L(id) { id, #id }
static const listed solver_params[] = {
    L(SC_SOLVER_PARAM_METHOD),        L(SC_SOLVER_PARAM_LAMBDA),
    L(SC_SOLVER_PARAM_NONNEGATIVE),   L(SC_SOLVER_PARAM_MAX_ITERATIONS),
    L(SC_SOLVER_PARAM_TOLERANCE),     L(SC_SOLVER_PARAM_GROUP_LAYOUT),
    L(SC_SOLVER_PARAM_GROUP_WEIGHT),  L(SC_SOLVER_PARAM_GROUP_SIZE),
    L(SC_SOLVER_PARAM_TORUS_ROWS),    L(SC_SOLVER_PARAM_TORUS_COLS),
    L(SC_SOLVER_PARAM_POOL_SIZE),     L(SC_SOLVER_PARAM_POOL_STRIDE),
    L(SC_SOLVER_PARAM_POOL_SIGMA),    L(SC_SOLVER_PARAM_GROUP_EPSILON),
    L(SC_SOLVER_PARAM_L2),            L(SC_SOLVER_PARAM_THREADS),
    L(SC_SOLVER_PARAM_MAX_NONZEROS),  L(SC_SOLVER_PARAM_MAX_RESIDUAL)};
static const listed dictionary_params[] = {
    L(SC_DICTIONARY_PARAM_METHOD),
    L(SC_DICTIONARY_PARAM_LAMBDA),
    L(SC_DICTIONARY_PARAM_NONNEGATIVE),
    L(SC_DICTIONARY_PARAM_SOLVER_ITERATIONS),
    L(SC_DICTIONARY_PARAM_SOLVER_TOLERANCE),
    L(SC_DICTIONARY_PARAM_LEARNING_RATE)};
#undef L

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Ids around and between the listed ones, none of them a parameter of
 * the handle whose bounds query says SC_ERR_PARAM. */
static const int probe_ids[] = {-1000, -1, 0, 19, 26, 39, 53, 64, 99, 9999};

START_TEST(model_names_round_trip)
{
    for (size_t i = 0; i < tu_param_count; i++) {
        const tu_param *p = &tu_params[i];
        char want[64];
        expected_name(p->name, "SC_MODEL_PARAM_", want, sizeof want);
        const char *name = sc_model_param_name(p->id);
        ck_assert_msg(name != NULL, "%s has no name", p->name);
        ck_assert_str_eq(name, want);
        sc_model_param back = (sc_model_param)-5;
        ck_assert_int_eq(sc_model_param_from_name(name, &back), SC_OK);
        ck_assert_int_eq(back, p->id);
    }
    /* The header's own example. */
    ck_assert_str_eq(sc_model_param_name(SC_MODEL_PARAM_L1_WEIGHT),
                     "l1_weight");
}
END_TEST

START_TEST(model_unknown_ids_and_names)
{
    for (size_t i = 0; i < tu_unknown_param_count; i++) {
        sc_model_param id = (sc_model_param)tu_unknown_params[i];
        ck_assert_ptr_null(sc_model_param_name(id));
        ck_assert_int_eq(sc_model_param_is_structural(id), 0);
    }
    /* Case-sensitive, whole names only, and not the constant itself. */
    const char *bad[] = {"", "L1_WEIGHT", "l1_weigh", "l1_weight ",
                         "SC_MODEL_PARAM_L1_WEIGHT", "l1-weight", "lambda"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        sc_model_param id = SC_MODEL_PARAM_SHRINK;
        ck_assert_int_eq(sc_model_param_from_name(bad[i], &id), SC_ERR_PARAM);
        ck_assert_int_eq(id, SC_MODEL_PARAM_SHRINK);   /* untouched */
        TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_param_from_name");
    }
    sc_model_param id = SC_MODEL_PARAM_SHRINK;
    ck_assert_int_eq(sc_model_param_from_name(NULL, &id), SC_ERR_NULL);
    ck_assert_int_eq(id, SC_MODEL_PARAM_SHRINK);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_param_from_name");
    ck_assert_int_eq(sc_model_param_from_name("shrink", NULL), SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "param");
}
END_TEST

/* Every id the bounds query knows, whether or not testutil lists it. */
#define MAX_ID 128

/* For every parameter: set to its current value succeeds before init, and
 * after init fails with SC_ERR_STATE exactly when it is structural. */
START_TEST(structural_is_what_set_refuses)
{
    size_t structural = 0, count = 0;
    for (int id = 0; id < MAX_ID; id++) {
        double lo, hi, v;
        sc_model_param p = (sc_model_param)id;
        if (sc_model_param_bounds(p, &lo, &hi) != SC_OK)
            continue;
        count++;
        sc_model *m = tu_model(6, 4, NULL, 0, TU_NO_INIT);
        ck_assert_int_eq(sc_model_get(m, p, &v), SC_OK);
        ck_assert_int_eq(sc_model_set(m, p, v), SC_OK);
        ck_assert_int_eq(sc_model_init_random(m, 1), SC_OK);
        sc_status s = sc_model_set(m, p, v);
        int is = sc_model_param_is_structural(p);
        const char *name = sc_model_param_name(p);
        ck_assert_msg(is == 0 || is == 1, "%s: %d", name, is);
        ck_assert_msg(s == (is ? SC_ERR_STATE : SC_OK),
                      "%s: is_structural %d but set after init gave %s",
                      name, is, sc_status_string(s));
        structural += (size_t)is;
        sc_model_free(m);
    }
    /* ... and the header agrees where testutil transcribes it. */
    for (size_t i = 0; i < tu_param_count; i++)
        ck_assert_msg(sc_model_param_is_structural(tu_params[i].id) ==
                          tu_params[i].structural,
                      "%s: the header says structural %d", tu_params[i].name,
                      tu_params[i].structural);
    /* The local geometry fixes the operators; the thread count is a
     * run-time setting. */
    ck_assert_int_eq(sc_model_param_is_structural(SC_MODEL_PARAM_LOCAL_FIELD),
                     1);
    ck_assert_int_eq(sc_model_param_is_structural(SC_MODEL_PARAM_IMAGE_WIDTH),
                     1);
    ck_assert_int_eq(sc_model_param_is_structural(SC_MODEL_PARAM_POOL_POSITIONS), 1);
    ck_assert_int_eq(sc_model_param_is_structural(SC_MODEL_PARAM_THREADS), 0);
    ck_assert_uint_gt(structural, 0);
    ck_assert_uint_lt(structural, count);
    ck_assert_uint_gt(count, tu_param_count);
}
END_TEST

START_TEST(every_model_name_round_trips)
{
    /* Also the ids testutil does not list (the local ones, threads). */
    size_t named = 0;
    for (int id = 0; id < MAX_ID; id++) {
        const char *name = sc_model_param_name((sc_model_param)id);
        if (name == NULL)
            continue;
        named++;
        ck_assert_uint_gt(strlen(name), 0);
        for (const char *c = name; *c; c++)
            ck_assert_msg((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                              *c == '_', "%s", name);
        sc_model_param back;
        ck_assert_int_eq(sc_model_param_from_name(name, &back), SC_OK);
        ck_assert_int_eq(back, id);
    }
    ck_assert_uint_eq(named, tu_param_count + 7);   /* + ids 12-18 */
    ck_assert_str_eq(sc_model_param_name(SC_MODEL_PARAM_LOCAL_FIELD),
                     "local_field");
    ck_assert_str_eq(sc_model_param_name(SC_MODEL_PARAM_THREADS), "threads");
    ck_assert_str_eq(sc_model_param_name(SC_MODEL_PARAM_POOL_POSITIONS),
                     "pool_positions");
}
END_TEST

/* The checks shared by the solver and the dictionary. */
typedef const char *(*name_fn)(int id);
typedef sc_status (*from_name_fn)(const char *name, int *id);
typedef sc_status (*bounds_fn)(int id, double *lo, double *hi);

static void check_handle(const listed *params, size_t count,
                         const char *prefix, name_fn name_of,
                         from_name_fn from_name, bounds_fn bounds,
                         const char *caller)
{
    for (size_t i = 0; i < count; i++) {
        char want[64];
        expected_name(params[i].constant, prefix, want, sizeof want);
        const char *name = name_of(params[i].id);
        ck_assert_msg(name != NULL, "%s has no name", params[i].constant);
        ck_assert_str_eq(name, want);
        int back = -5;
        ck_assert_int_eq(from_name(name, &back), SC_OK);
        ck_assert_int_eq(back, params[i].id);
    }
    /* Every id the bounds query knows is listed, and no other has a
     * name: the names come from the same table as the bounds. */
    for (size_t i = 0; i < COUNT(probe_ids); i++) {
        double lo, hi;
        int known = bounds(probe_ids[i], &lo, &hi) == SC_OK;
        ck_assert_msg(!known, "id %d has bounds but is not listed",
                      probe_ids[i]);
        ck_assert_ptr_null(name_of(probe_ids[i]));
    }
    int id = 77;
    ck_assert_int_eq(from_name("no_such_parameter", &id), SC_ERR_PARAM);
    ck_assert_int_eq(id, 77);
    TU_ASSERT_CONTAINS(sc_last_message(), caller);
    TU_ASSERT_CONTAINS(sc_last_message(), "no_such_parameter");
    ck_assert_int_eq(from_name(NULL, &id), SC_ERR_NULL);
    ck_assert_int_eq(id, 77);
    TU_ASSERT_CONTAINS(sc_last_message(), caller);
    ck_assert_int_eq(from_name(name_of(params[0].id), NULL), SC_ERR_NULL);
}

static const char *solver_name(int id)
{
    return sc_solver_param_name((sc_solver_param)id);
}

static sc_status solver_from_name(const char *name, int *id)
{
    sc_solver_param p = (sc_solver_param)(id ? *id : 0);
    sc_status s = sc_solver_param_from_name(name, id ? &p : NULL);
    if (id != NULL)
        *id = (int)p;
    return s;
}

static sc_status solver_bounds(int id, double *lo, double *hi)
{
    return sc_solver_param_bounds((sc_solver_param)id, lo, hi);
}

static const char *dictionary_name(int id)
{
    return sc_dictionary_param_name((sc_dictionary_param)id);
}

static sc_status dictionary_from_name(const char *name, int *id)
{
    sc_dictionary_param p = (sc_dictionary_param)(id ? *id : 0);
    sc_status s = sc_dictionary_param_from_name(name, id ? &p : NULL);
    if (id != NULL)
        *id = (int)p;
    return s;
}

static sc_status dictionary_bounds(int id, double *lo, double *hi)
{
    return sc_dictionary_param_bounds((sc_dictionary_param)id, lo, hi);
}

START_TEST(solver_names)
{
    check_handle(solver_params, COUNT(solver_params), "SC_SOLVER_PARAM_",
                 solver_name, solver_from_name, solver_bounds,
                 "sc_solver_param_from_name");
    ck_assert_str_eq(sc_solver_param_name(SC_SOLVER_PARAM_MAX_ITERATIONS),
                     "max_iterations");
}
END_TEST

START_TEST(dictionary_names)
{
    check_handle(dictionary_params, COUNT(dictionary_params),
                 "SC_DICTIONARY_PARAM_", dictionary_name,
                 dictionary_from_name, dictionary_bounds,
                 "sc_dictionary_param_from_name");
    ck_assert_str_eq(sc_dictionary_param_name(SC_DICTIONARY_PARAM_LAMBDA),
                     "lambda");
}
END_TEST

START_TEST(model_ids_without_names_have_no_bounds)
{
    /* The model's names and bounds come from one table, too. */
    for (int id = -2; id < 128; id++) {
        double lo, hi;
        int known = sc_model_param_bounds((sc_model_param)id, &lo, &hi) ==
                    SC_OK;
        ck_assert_msg(known == (sc_model_param_name((sc_model_param)id) !=
                                NULL), "id %d", id);
    }
}
END_TEST

Suite *names_suite(void)
{
    Suite *s = suite_create("names");
    TCase *t = tcase_create("names");
    tcase_add_test(t, model_names_round_trip);
    tcase_add_test(t, model_unknown_ids_and_names);
    tcase_add_test(t, structural_is_what_set_refuses);
    tcase_add_test(t, every_model_name_round_trips);
    tcase_add_test(t, solver_names);
    tcase_add_test(t, dictionary_names);
    tcase_add_test(t, model_ids_without_names_have_no_bounds);
    suite_add_tcase(s, t);
    return s;
}
