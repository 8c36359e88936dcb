/* SPDX-License-Identifier: BSD-2-Clause */
/* check_params.c -- the parameter interface: bounds, defaults, set/get,
 * the checks of sc_model_set (range, NaN, integrality, unknown ids, NULL,
 * structural after init), and that a failed set changes nothing. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

#define N_IN 5
#define N_UNITS 8

static void bounds_of(const tu_param *p, double *lo, double *hi)
{
    ck_assert_msg(sc_model_param_bounds(p->id, lo, hi) == SC_OK, "%s", p->name);
}

/* Asserts that sc_model_set(m, id, value) fails with `expected`, leaves
 * every parameter and weight as it was, and leaves a model message that
 * contains `needle`. */
static void expect_rejected(sc_model *m, sc_model_param id, double value,
                            sc_status expected, const char *needle)
{
    tu_snapshot before;
    tu_snapshot_take(m, &before);
    sc_status s = sc_model_set(m, id, value);
    ck_assert_msg(s == expected, "sc_model_set(%d, %.17g) gave %s, not %s",
                  (int)id, value, sc_status_string(s), sc_status_string(expected));
    TU_ASSERT_UNCHANGED(m, &before);
    tu_snapshot_free(&before);
    TU_ASSERT_CONTAINS(sc_model_message(m), "sc_model_set");
    TU_ASSERT_CONTAINS(sc_model_message(m), needle);
}

/* ---- bounds -------------------------------------------------------------- */

START_TEST(bounds_of_every_parameter)
{
    for (size_t i = 0; i < tu_param_count; i++) {
        const tu_param *p = &tu_params[i];
        double lo = NAN, hi = NAN;
        bounds_of(p, &lo, &hi);
        ck_assert_msg(isfinite(lo) && isfinite(hi) && lo <= hi,
                      "%s: [%g, %g]", p->name, lo, hi);
        if (!isnan(p->lo)) {
            if (p->lo_open)
                ck_assert_msg(lo > p->lo, "%s: lo %g is not > %g", p->name,
                              lo, p->lo);
            else
                ck_assert_msg(lo == p->lo, "%s: lo %g, header says %g",
                              p->name, lo, p->lo);
        }
        if (!isnan(p->hi)) {
            if (p->hi_open)
                ck_assert_msg(hi < p->hi, "%s: hi %g is not < %g", p->name,
                              hi, p->hi);
            else
                ck_assert_msg(hi == p->hi, "%s: hi %g, header says %g",
                              p->name, hi, p->hi);
        }
    }
}
END_TEST

START_TEST(bounds_null_pointers)
{
    double v = 42.0;
    ck_assert_int_eq(sc_model_param_bounds(SC_MODEL_PARAM_ITERATIONS, NULL, &v),
                     SC_ERR_NULL);
    ck_assert_int_eq(sc_model_param_bounds(SC_MODEL_PARAM_ITERATIONS, &v, NULL),
                     SC_ERR_NULL);
    ck_assert_int_eq(sc_model_param_bounds(SC_MODEL_PARAM_ITERATIONS, NULL,
                                           NULL),
                     SC_ERR_NULL);
    ck_assert(v == 42.0);
}
END_TEST

START_TEST(bounds_unknown_ids)
{
    for (size_t i = 0; i < tu_unknown_param_count; i++) {
        double lo = 42.0, hi = 43.0;
        ck_assert_int_eq(
            sc_model_param_bounds((sc_model_param)tu_unknown_params[i], &lo,
                                  &hi),
            SC_ERR_PARAM);
        ck_assert(lo == 42.0 && hi == 43.0);
    }
}
END_TEST

/* ---- defaults and round trips --------------------------------------------- */

START_TEST(defaults_documented_and_in_bounds)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    for (size_t i = 0; i < tu_param_count; i++) {
        const tu_param *p = &tu_params[i];
        double lo, hi, v = NAN;
        bounds_of(p, &lo, &hi);
        ck_assert_int_eq(sc_model_get(m, p->id, &v), SC_OK);
        ck_assert_msg(v >= lo && v <= hi, "%s default %g outside [%g, %g]",
                      p->name, v, lo, hi);
        ck_assert_msg(v == p->def, "%s default %.17g, header says %.17g",
                      p->name, v, p->def);
    }
    sc_model_free(m);
}
END_TEST

START_TEST(set_get_round_trip_at_bounds)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    for (size_t i = 0; i < tu_param_count; i++) {
        const tu_param *p = &tu_params[i];
        double lo, hi, v;
        bounds_of(p, &lo, &hi);
        const double ends[2] = {hi, lo};
        for (int e = 0; e < 2; e++) {
            ck_assert_msg(sc_model_set(m, p->id, ends[e]) == SC_OK,
                          "%s = %.17g: %s", p->name, ends[e],
                          sc_model_message(m));
            ck_assert_int_eq(sc_model_get(m, p->id, &v), SC_OK);
            ck_assert_msg(memcmp(&v, &ends[e], sizeof v) == 0,
                          "%s: set %.17g, got %.17g", p->name, ends[e], v);
        }
    }
    sc_model_free(m);
}
END_TEST

START_TEST(set_touches_only_its_parameter)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    for (size_t i = 0; i < tu_param_count; i++) {
        const tu_param *p = &tu_params[i];
        double lo, hi;
        bounds_of(p, &lo, &hi);
        tu_snapshot before, after;
        tu_snapshot_take(m, &before);
        tu_set(m, p->id, hi);
        tu_snapshot_take(m, &after);
        for (size_t j = 0; j < tu_param_count; j++)
            if (j != i)
                ck_assert_msg(memcmp(&before.params[j], &after.params[j],
                                     sizeof(double)) == 0,
                              "setting %s changed %s", p->name,
                              tu_params[j].name);
        ck_assert(after.params[i] == hi);
        tu_snapshot_free(&before);
        tu_snapshot_free(&after);
    }
    sc_model_free(m);
}
END_TEST

START_TEST(integral_values_accepted_for_real_parameters)
{
    /* The integrality rule is for integer parameters only. */
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    for (size_t i = 0; i < tu_param_count; i++) {
        const tu_param *p = &tu_params[i];
        if (p->integral)
            continue;
        double lo, hi, v;
        bounds_of(p, &lo, &hi);
        double mid = lo + (hi - lo) * 0.1234567;
        ck_assert_msg(mid != floor(mid) || hi - lo < 1, "%s", p->name);
        ck_assert_msg(sc_model_set(m, p->id, mid) == SC_OK, "%s = %g",
                      p->name, mid);
        ck_assert_int_eq(sc_model_get(m, p->id, &v), SC_OK);
        ck_assert(v == mid);
    }
    sc_model_free(m);
}
END_TEST

/* ---- rejected values ------------------------------------------------------ */

START_TEST(out_of_range_rejected)
{
    const tu_param *p = &tu_params[_i];
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    double lo, hi;
    bounds_of(p, &lo, &hi);
    const double bad[] = {
        nextafter(lo, -INFINITY), lo - 1, -1e300, nextafter(hi, INFINITY),
        hi + 1, 1e300, NAN, -NAN, INFINITY, -INFINITY,
    };
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++)
        expect_rejected(m, p->id, bad[b], SC_ERR_RANGE, p->name);
    sc_model_free(m);
}
END_TEST

START_TEST(non_integral_rejected)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    size_t checked = 0;
    for (size_t i = 0; i < tu_param_count; i++) {
        const tu_param *p = &tu_params[i];
        if (!p->integral)
            continue;
        double lo, hi;
        bounds_of(p, &lo, &hi);
        const double bad[] = {lo + 0.5, nextafter(lo, INFINITY),
                              nextafter(hi, -INFINITY), hi - 0.25};
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++)
            expect_rejected(m, p->id, bad[b], SC_ERR_RANGE, p->name);
        checked++;
    }
    /* ITERATIONS, SHRINK, CLASSES, GROUP_LAYOUT, GROUP_SIZE, TORUS_ROWS,
     * TORUS_COLS, POOL_SIZE, POOL_STRIDE, ENCODER, NORMALIZE_CODE,
     * OPTIMIZER, REPEAT_SCALING. */
    ck_assert_uint_eq(checked, 13);
    sc_model_free(m);
}
END_TEST

START_TEST(classes_one_rejected)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    expect_rejected(m, SC_MODEL_PARAM_CLASSES, 1, SC_ERR_RANGE, "CLASSES");
    tu_set(m, SC_MODEL_PARAM_CLASSES, 2);
    expect_rejected(m, SC_MODEL_PARAM_CLASSES, 1, SC_ERR_RANGE, "CLASSES");
    tu_set(m, SC_MODEL_PARAM_CLASSES, 0);
    sc_model_free(m);
}
END_TEST

START_TEST(unknown_ids_rejected)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    for (size_t i = 0; i < tu_unknown_param_count; i++) {
        sc_model_param id = (sc_model_param)tu_unknown_params[i];
        char number[16];
        snprintf(number, sizeof number, "%d", tu_unknown_params[i]);
        expect_rejected(m, id, 1.0, SC_ERR_PARAM, number);
        double v = 42.0;
        ck_assert_int_eq(sc_model_get(m, id, &v), SC_ERR_PARAM);
        ck_assert(v == 42.0);
    }
    sc_model_free(m);
}
END_TEST

START_TEST(null_arguments)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, TU_NO_INIT);
    double v = 42.0;
    ck_assert_int_eq(sc_model_set(NULL, SC_MODEL_PARAM_ITERATIONS, 3),
                     SC_ERR_NULL);
    ck_assert_int_eq(sc_model_set(NULL, (sc_model_param)9999, NAN),
                     SC_ERR_NULL);
    ck_assert_int_eq(sc_model_get(NULL, SC_MODEL_PARAM_ITERATIONS, &v),
                     SC_ERR_NULL);
    ck_assert(v == 42.0);
    ck_assert_int_eq(sc_model_get(m, SC_MODEL_PARAM_ITERATIONS, NULL),
                     SC_ERR_NULL);
    ck_assert_int_eq(sc_model_get(NULL, SC_MODEL_PARAM_ITERATIONS, NULL),
                     SC_ERR_NULL);
    sc_model_free(m);
}
END_TEST

/* ---- structural and training parameters after init ------------------------ */

START_TEST(structural_rejected_after_init)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, 1);
    size_t structural = 0;
    for (size_t i = 0; i < tu_param_count; i++) {
        const tu_param *p = &tu_params[i];
        if (!p->structural)
            continue;
        double lo, hi, now;
        bounds_of(p, &lo, &hi);
        ck_assert_int_eq(sc_model_get(m, p->id, &now), SC_OK);
        /* Another valid value, and the current value itself. */
        double other = now == hi ? lo : hi;
        expect_rejected(m, p->id, other, SC_ERR_STATE, p->name);
        expect_rejected(m, p->id, now, SC_ERR_STATE, p->name);
        structural++;
    }
    ck_assert_uint_eq(structural, 12);
    ck_assert_int_eq(sc_model_is_initialized(m), 1);
    sc_model_free(m);
}
END_TEST

START_TEST(training_parameters_set_after_init)
{
    sc_model *m = tu_model(N_IN, N_UNITS, NULL, 0, 1);
    for (size_t i = 0; i < tu_param_count; i++) {
        const tu_param *p = &tu_params[i];
        if (p->structural)
            continue;
        double lo, hi, now, v;
        bounds_of(p, &lo, &hi);
        ck_assert_int_eq(sc_model_get(m, p->id, &now), SC_OK);
        double other = now == hi ? lo : hi;
        ck_assert_msg(sc_model_set(m, p->id, other) == SC_OK, "%s: %s",
                      p->name, sc_model_message(m));
        ck_assert_int_eq(sc_model_get(m, p->id, &v), SC_OK);
        ck_assert(v == other);
        /* Still range-checked after init. */
        expect_rejected(m, p->id, NAN, SC_ERR_RANGE, p->name);
    }
    /* The DrSAE phase switch of the header, on a model with a classifier. */
    sc_model *c = tu_model(N_IN, N_UNITS,
                           (tu_setting[]){{SC_MODEL_PARAM_CLASSES, 3}}, 1, 2);
    tu_set(c, SC_MODEL_PARAM_CLASS_WEIGHT, 1);
    tu_set(c, SC_MODEL_PARAM_LEARNING_RATE, 0.01);
    sc_model_free(c);
    sc_model_free(m);
}
END_TEST

START_TEST(structural_settable_after_failed_init)
{
    /* A failed init leaves the model uninitialised: structure may still
     * change, and a fixed structure then initialises. */
    sc_model *m = tu_model(N_IN, 6, NULL, 0, TU_NO_INIT);
    tu_set(m, SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS);
    tu_set(m, SC_MODEL_PARAM_GROUP_SIZE, 4);
    ck_assert_int_eq(sc_model_init_random(m, 1), SC_ERR_SIZE);
    ck_assert_int_eq(sc_model_is_initialized(m), 0);
    tu_set(m, SC_MODEL_PARAM_GROUP_SIZE, 3);
    ck_assert_int_eq(sc_model_init_random(m, 1), SC_OK);
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_GROUP_SIZE, 2),
                     SC_ERR_STATE);
    sc_model_free(m);
}
END_TEST

Suite *params_suite(void)
{
    Suite *s = suite_create("params");

    TCase *bounds = tcase_create("bounds");
    tcase_add_test(bounds, bounds_of_every_parameter);
    tcase_add_test(bounds, bounds_null_pointers);
    tcase_add_test(bounds, bounds_unknown_ids);
    suite_add_tcase(s, bounds);

    TCase *values = tcase_create("values");
    tcase_add_test(values, defaults_documented_and_in_bounds);
    tcase_add_test(values, set_get_round_trip_at_bounds);
    tcase_add_test(values, set_touches_only_its_parameter);
    tcase_add_test(values, integral_values_accepted_for_real_parameters);
    suite_add_tcase(s, values);

    TCase *rejected = tcase_create("rejected");
    tcase_add_loop_test(rejected, out_of_range_rejected, 0,
                        (int)tu_param_count);
    tcase_add_test(rejected, non_integral_rejected);
    tcase_add_test(rejected, classes_one_rejected);
    tcase_add_test(rejected, unknown_ids_rejected);
    tcase_add_test(rejected, null_arguments);
    suite_add_tcase(s, rejected);

    TCase *state = tcase_create("state");
    tcase_add_test(state, structural_rejected_after_init);
    tcase_add_test(state, training_parameters_set_after_init);
    tcase_add_test(state, structural_settable_after_failed_init);
    suite_add_tcase(s, state);
    return s;
}
