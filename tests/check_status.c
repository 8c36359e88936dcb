/* SPDX-License-Identifier: BSD-2-Clause */
/* check_status.c -- status names, the version, and the messages: the
 * per-thread sc_last_message() and the per-model sc_model_message(). */
#include <check.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

static const struct {
    sc_status status;
    const char *name;
} statuses[] = {
    {SC_OK, "SC_OK"},
    {SC_ERR_NULL, "SC_ERR_NULL"},
    {SC_ERR_SIZE, "SC_ERR_SIZE"},
    {SC_ERR_PARAM, "SC_ERR_PARAM"},
    {SC_ERR_RANGE, "SC_ERR_RANGE"},
    {SC_ERR_STATE, "SC_ERR_STATE"},
    {SC_ERR_NOMEM, "SC_ERR_NOMEM"},
    {SC_ERR_NONFINITE, "SC_ERR_NONFINITE"},
    {SC_ERR_IO, "SC_ERR_IO"},
    {SC_ERR_FORMAT, "SC_ERR_FORMAT"},
    {SC_ERR_VERSION, "SC_ERR_VERSION"},
};
#define STATUS_COUNT (sizeof statuses / sizeof statuses[0])

/* ---- status names and version ---------------------------------------- */

START_TEST(status_values_are_the_abi)
{
    /* The numbers are part of the ABI. */
    for (size_t i = 0; i < STATUS_COUNT; i++)
        ck_assert_int_eq((int)statuses[i].status, (int)i);
}
END_TEST

START_TEST(status_str_names_each_status)
{
    for (size_t i = 0; i < STATUS_COUNT; i++) {
        const char *s = sc_status_string(statuses[i].status);
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_gt(strlen(s), 0);
        /* "a short constant name for a status", e.g. "SC_ERR_NULL: ..." */
        ck_assert_msg(strncmp(s, statuses[i].name, strlen(statuses[i].name))
                          == 0, "\"%s\" does not start with %s", s,
                      statuses[i].name);
        ck_assert_str_ne(s, "unknown status");
        /* Constant: the same pointer's text on a second call. */
        ck_assert_str_eq(sc_status_string(statuses[i].status), s);
    }
}
END_TEST

START_TEST(status_str_distinct)
{
    for (size_t i = 0; i < STATUS_COUNT; i++)
        for (size_t j = i + 1; j < STATUS_COUNT; j++)
            ck_assert_str_ne(sc_status_string(statuses[i].status),
                             sc_status_string(statuses[j].status));
}
END_TEST

START_TEST(status_str_unknown)
{
    const int unknown[] = {11, 12, 100, -1, INT_MAX, INT_MIN};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = sc_status_string((sc_status)unknown[i]);
        ck_assert_ptr_nonnull(s);
        ck_assert_str_eq(s, "unknown status");
    }
}
END_TEST

START_TEST(version_number_matches_header)
{
    ck_assert_uint_eq(sc_version(), SC_VERSION_NUMBER);
    ck_assert_uint_eq(SC_VERSION_NUMBER, SC_VERSION_MAJOR * 10000 +
                                             SC_VERSION_MINOR * 100 +
                                             SC_VERSION_RELEASE);
}
END_TEST

START_TEST(version_string_matches_header)
{
    const char *v = sc_version_string();
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v, SC_VERSION_STRING);
    /* ... and names the same version as the number. */
    unsigned major, minor, release;
    char tail;
    ck_assert_int_eq(sscanf(v, "%u.%u.%u%c", &major, &minor, &release, &tail),
                     3);
    ck_assert_uint_eq(major * 10000 + minor * 100 + release, sc_version());
}
END_TEST

START_TEST(blas_name_is_text)
{
    const char *name = sc_blas_name();
    ck_assert_ptr_nonnull(name);
    ck_assert_uint_gt(strlen(name), 0);
}
END_TEST

/* ---- sc_last_message --------------------------------------------------- */

/* A failing call of each public function that reports through
 * sc_last_message(), and the function name its message must contain. */
typedef struct {
    const char *function;
    sc_status expected;
} failure;

static failure fail_call(int which)
{
    sc_model *m = NULL;
    double lo, hi, v;
    float buf[4] = {0};
    int32_t label;
    const float *data;
    size_t rows, cols;
    switch (which) {
    case 0: return (failure){"sc_model_create", sc_model_create(&m, 0, 3)};
    case 1: return (failure){"sc_model_param_bounds",
                             sc_model_param_bounds((sc_model_param)9999,
                                                   &lo, &hi)};
    case 2: return (failure){"sc_model_set",
                             sc_model_set(NULL, SC_MODEL_PARAM_ITERATIONS, 1)};
    case 3: return (failure){"sc_model_get",
                             sc_model_get(NULL, SC_MODEL_PARAM_ITERATIONS, &v)};
    case 4: return (failure){"sc_model_init_random",
                             sc_model_init_random(NULL, 1)};
    case 5: return (failure){"sc_model_init_dictionary",
                             sc_model_init_dictionary(NULL, buf)};
    case 6: return (failure){"sc_model_init_data",
                             sc_model_init_data(NULL, buf, 1, 1)};
    case 7: return (failure){"sc_model_step",
                             sc_model_step(NULL, buf, NULL, NULL, 1, NULL)};
    case 8: return (failure){"sc_model_encode",
                             sc_model_encode(NULL, buf, 1, buf)};
    case 9: return (failure){"sc_model_decode",
                             sc_model_decode(NULL, buf, 1, buf)};
    case 10: return (failure){"sc_model_predict",
                              sc_model_predict(NULL, buf, 1, &label, NULL)};
    case 11: return (failure){"sc_model_weights",
                              sc_model_weights(NULL, SC_WEIGHT_ENCODER, &data,
                                               &rows, &cols)};
    case 12: return (failure){"sc_model_save",
                              sc_model_save(NULL, "x",
                                            SC_MODEL_CONTENTS_FULL)};
    case 13: return (failure){"sc_model_save_buffer",
                              sc_model_save_buffer(NULL, SC_MODEL_CONTENTS_FULL,
                                                   NULL, 0, &rows)};
    case 14: return (failure){"sc_model_load_buffer",
                              sc_model_load_buffer(&m, NULL, 0)};
    case 15: return (failure){"sc_model_clone", sc_model_clone(&m, NULL)};
    default: return (failure){"sc_model_load", sc_model_load(&m, NULL)};
    }
}
#define FAIL_CALLS 17

START_TEST(last_message_names_the_function)
{
    failure f = fail_call(_i);
    ck_assert_int_eq(f.expected,
                     _i == 0 ? SC_ERR_SIZE : _i == 1 ? SC_ERR_PARAM
                                                     : SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), f.function);
}
END_TEST

static void *read_message(void *out)
{
    snprintf(out, 256, "%s", sc_last_message());
    return NULL;
}

START_TEST(last_message_empty_on_a_fresh_thread)
{
    /* Make this thread's message non-empty first: a new thread must still
     * start with "". */
    sc_model *m = NULL;
    ck_assert_int_eq(sc_model_create(&m, 0, 0), SC_ERR_SIZE);
    char seen[256] = "not run";
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, read_message, seen), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert_str_eq(seen, "");
}
END_TEST

START_TEST(last_message_says_what_was_wrong)
{
    sc_model *m = NULL;
    ck_assert_int_eq(sc_model_create(&m, 0, 5), SC_ERR_SIZE);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_create");
    TU_ASSERT_CONTAINS(sc_last_message(), "n_inputs");
    ck_assert_int_eq(sc_model_create(&m, 5, 0), SC_ERR_SIZE);
    TU_ASSERT_CONTAINS(sc_last_message(), "n_units");
}
END_TEST

START_TEST(last_message_kept_by_success)
{
    sc_model *m = NULL;
    ck_assert_int_eq(sc_model_create(&m, 0, 3), SC_ERR_SIZE);
    char before[256];
    snprintf(before, sizeof before, "%s", sc_last_message());
    ck_assert_uint_gt(strlen(before), 0);
    ck_assert_int_eq(sc_model_create(&m, 3, 3), SC_OK);
    double v;
    ck_assert_int_eq(sc_model_get(m, SC_MODEL_PARAM_ITERATIONS, &v), SC_OK);
    ck_assert_str_eq(sc_last_message(), before);
    sc_model_free(m);
}
END_TEST

/* Each of two threads fails in its own way many times and checks after
 * each failure, and at the end, that its message is its own. */
typedef struct {
    int kind;
    int ok;
} thread_job;

static void *fail_repeatedly(void *arg)
{
    thread_job *job = arg;
    job->ok = 1;
    for (int i = 0; i < 2000 && job->ok; i++) {
        if (job->kind == 0) {
            sc_model *m = NULL;
            job->ok &= sc_model_create(&m, 0, 7) == SC_ERR_SIZE;
            job->ok &= strstr(sc_last_message(), "sc_model_create") != NULL;
        } else {
            double lo, hi;
            job->ok &= sc_model_param_bounds((sc_model_param)9999, &lo, &hi) ==
                       SC_ERR_PARAM;
            job->ok &= strstr(sc_last_message(),
                              "sc_model_param_bounds") != NULL;
        }
    }
    return NULL;
}

START_TEST(last_message_is_per_thread)
{
    /* Sequential: a failure on another thread leaves ours alone. */
    sc_model *m = NULL;
    ck_assert_int_eq(sc_model_create(&m, 0, 3), SC_ERR_SIZE);
    char mine[256];
    snprintf(mine, sizeof mine, "%s", sc_last_message());
    pthread_t t;
    thread_job other = {1, 0};
    ck_assert_int_eq(pthread_create(&t, NULL, fail_repeatedly, &other), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert(other.ok);
    ck_assert_str_eq(sc_last_message(), mine);

    /* Concurrent: two threads failing differently at the same time. */
    thread_job jobs[2] = {{0, 0}, {1, 0}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(
            pthread_create(&threads[i], NULL, fail_repeatedly, &jobs[i]), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
        ck_assert_msg(jobs[i].ok, "thread %d saw another thread's message",
                      i);
    }
    ck_assert_str_eq(sc_last_message(), mine);
}
END_TEST

/* ---- sc_model_message -------------------------------------------------- */

START_TEST(model_message_empty_then_set_by_exclusive_calls)
{
    sc_model *m = tu_model(4, 6, NULL, 0, TU_NO_INIT);
    ck_assert_str_eq(sc_model_message(m), "");
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_ITERATIONS, 0),
                     SC_ERR_RANGE);
    TU_ASSERT_CONTAINS(sc_model_message(m), "SC_MODEL_PARAM_ITERATIONS");
    /* The thread's message says the same. */
    ck_assert_str_eq(sc_last_message(), sc_model_message(m));
    /* A successful call does not clear it. */
    tu_set(m, SC_MODEL_PARAM_ITERATIONS, 3);
    TU_ASSERT_CONTAINS(sc_model_message(m), "SC_MODEL_PARAM_ITERATIONS");
    sc_model_free(m);
}
END_TEST

START_TEST(model_message_null_model)
{
    const char *s = sc_model_message(NULL);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "");
}
END_TEST

START_TEST(model_message_untouched_by_const_calls)
{
    /* Calls on a const model report through sc_last_message() only. */
    sc_model *m = tu_model(4, 6, NULL, 0, TU_NO_INIT);
    float x[4] = {0}, z[6];
    int32_t label;
    ck_assert_int_eq(sc_model_encode(m, x, 1, z), SC_ERR_STATE);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_encode");
    ck_assert_str_eq(sc_model_message(m), "");
    ck_assert_int_eq(sc_model_decode(m, z, 1, x), SC_ERR_STATE);
    ck_assert_int_eq(sc_model_predict(m, x, 1, &label, NULL), SC_ERR_STATE);
    double v;
    ck_assert_int_eq(sc_model_get(m, (sc_model_param)9999, &v), SC_ERR_PARAM);
    ck_assert_int_eq(sc_model_save(m, "/nonexistent/x",
                                   SC_MODEL_CONTENTS_FULL), SC_ERR_STATE);
    ck_assert_str_eq(sc_model_message(m), "");
    sc_model_free(m);
}
END_TEST

Suite *status_suite(void)
{
    Suite *s = suite_create("status");

    TCase *names = tcase_create("names");
    tcase_add_test(names, status_values_are_the_abi);
    tcase_add_test(names, status_str_names_each_status);
    tcase_add_test(names, status_str_distinct);
    tcase_add_test(names, status_str_unknown);
    tcase_add_test(names, version_number_matches_header);
    tcase_add_test(names, version_string_matches_header);
    tcase_add_test(names, blas_name_is_text);
    suite_add_tcase(s, names);

    TCase *last = tcase_create("last_message");
    tcase_add_loop_test(last, last_message_names_the_function, 0, FAIL_CALLS);
    tcase_add_test(last, last_message_empty_on_a_fresh_thread);
    tcase_add_test(last, last_message_says_what_was_wrong);
    tcase_add_test(last, last_message_kept_by_success);
    tcase_add_test(last, last_message_is_per_thread);
    suite_add_tcase(s, last);

    TCase *model = tcase_create("model_message");
    tcase_add_test(model, model_message_empty_then_set_by_exclusive_calls);
    tcase_add_test(model, model_message_null_model);
    tcase_add_test(model, model_message_untouched_by_const_calls);
    suite_add_tcase(s, model);
    return s;
}
