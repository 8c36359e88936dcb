/* SPDX-License-Identifier: BSD-2-Clause */
/* check_buffer.c -- models in memory: sc_model_save_buffer and
 * sc_model_load_buffer (the bytes of sc_model_save, loaded with the same
 * checks) and sc_model_clone (an independent model that trains bit for
 * bit as the original).  Argument checks with their exact statuses,
 * every truncation and byte flip of a buffer, failed allocations. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_hook.h"
#include "suites.h"
#include "testutil.h"

/* A small dense model with a classifier, Adam, trained 3 steps, so that
 * the moments are not zero. */
static sc_model *trained_dense(void)
{
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_ITERATIONS, 3}, {SC_MODEL_PARAM_CLASSES, 2},
        {SC_MODEL_PARAM_CLASS_WEIGHT, 0.5},
        {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM},
        {SC_MODEL_PARAM_LEARNING_RATE, 0.01}};
    sc_model *m = tu_model(6, 4, settings, 5, 51);
    tu_data d = tu_data_make(12, 6, 4, 2, 52);
    tu_train(m, &d, 4, 0, 3, NULL);
    tu_data_free(&d);
    return m;
}

/* A local model: 1 x 5 x 5 images, 3 x 3 windows at stride 2 (2 x 2
 * positions), 2 maps; one thread, SGD; trained 3 steps. */
static sc_model *trained_local(void)
{
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_LOCAL_FIELD, 3}, {SC_MODEL_PARAM_LOCAL_STRIDE, 2},
        {SC_MODEL_PARAM_IMAGE_HEIGHT, 5}, {SC_MODEL_PARAM_IMAGE_WIDTH, 5},
        {SC_MODEL_PARAM_ITERATIONS, 2}, {SC_MODEL_PARAM_THREADS, 1}};
    sc_model *m = tu_model(25, 8, settings, 6, 53);
    tu_data d = tu_data_make(12, 25, 8, 0, 54);
    tu_train(m, &d, 4, 0, 3, NULL);
    tu_data_free(&d);
    return m;
}

/* m's bytes (malloc'd), asserting the size query and the save agree. */
static unsigned char *bytes_of(const sc_model *m, sc_model_contents contents,
                               size_t *size)
{
    ck_assert_int_eq(sc_model_save_buffer(m, contents, NULL, 0, size),
                     SC_OK);
    unsigned char *bytes = malloc(*size);
    ck_assert_ptr_nonnull(bytes);
    size_t written = 0;
    ck_assert_int_eq(sc_model_save_buffer(m, contents, bytes, *size,
                                          &written), SC_OK);
    ck_assert_uint_eq(written, *size);
    return bytes;
}

static sc_model *load_buffer_ok(const void *bytes, size_t size)
{
    sc_model *m = NULL;
    sc_status s = sc_model_load_buffer(&m, bytes, size);
    ck_assert_msg(s == SC_OK, "load: %s (%s)", sc_status_string(s),
                  sc_last_message());
    ck_assert_ptr_nonnull(m);
    return m;
}

/* Both models' full bytes (parameters, weights, moments, step count) are
 * the same. */
static void assert_same_bytes(const sc_model *a, const sc_model *b)
{
    size_t sa, sb;
    unsigned char *ba = bytes_of(a, SC_MODEL_CONTENTS_FULL, &sa);
    unsigned char *bb = bytes_of(b, SC_MODEL_CONTENTS_FULL, &sb);
    ck_assert_uint_eq(sa, sb);
    ck_assert_msg(memcmp(ba, bb, sa) == 0, "the models' bytes differ");
    free(ba);
    free(bb);
}

/* ---- save_buffer ------------------------------------------------------- */

START_TEST(save_buffer_bad_arguments)
{
    sc_model *m = trained_dense();
    unsigned char bytes[16];
    size_t size = 7;
    ck_assert_int_eq(sc_model_save_buffer(NULL, SC_MODEL_CONTENTS_FULL,
                                          bytes, sizeof bytes, &size),
                     SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_save_buffer: model");
    ck_assert_int_eq(sc_model_save_buffer(m, SC_MODEL_CONTENTS_FULL, bytes,
                                          sizeof bytes, NULL), SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_save_buffer: size");
    ck_assert_int_eq(sc_model_save_buffer(m, (sc_model_contents)2, NULL, 0,
                                          &size), SC_ERR_RANGE);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_save_buffer: contents");
    ck_assert_uint_eq(size, 7);
    sc_model *fresh = tu_model(6, 4, NULL, 0, TU_NO_INIT);
    ck_assert_int_eq(sc_model_save_buffer(fresh, SC_MODEL_CONTENTS_FULL,
                                          NULL, 0, &size), SC_ERR_STATE);
    TU_ASSERT_CONTAINS(sc_last_message(), "not initialised");
    ck_assert_uint_eq(size, 7);
    sc_model_free(fresh);
    sc_model_free(m);
}
END_TEST

START_TEST(save_buffer_too_small)
{
    /* Too small by one byte, or none at all: SC_ERR_SIZE, the size
     * reported, the buffer untouched. */
    sc_model *m = trained_dense();
    size_t need;
    ck_assert_int_eq(sc_model_save_buffer(m, SC_MODEL_CONTENTS_FULL, NULL,
                                          0, &need), SC_OK);
    unsigned char *bytes = malloc(need);
    ck_assert_ptr_nonnull(bytes);
    const size_t capacities[] = {need - 1, 0};
    for (size_t i = 0; i < 2; i++) {
        memset(bytes, 0xA5, need);
        size_t size = 0;
        ck_assert_int_eq(sc_model_save_buffer(m, SC_MODEL_CONTENTS_FULL,
                                              bytes, capacities[i], &size),
                         SC_ERR_SIZE);
        TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_save_buffer: capacity");
        ck_assert_uint_eq(size, need);
        for (size_t j = 0; j < need; j++)
            ck_assert_uint_eq(bytes[j], 0xA5);
    }
    free(bytes);
    sc_model_free(m);
}
END_TEST

START_TEST(save_buffer_is_the_file)
{
    /* The bytes are those sc_model_save writes, for both contents. */
    sc_model *m = trained_dense();
    char dir[TU_PATH_MAX], path[TU_PATH_MAX];
    tu_tempdir_make(dir, NULL);
    tu_path(path, dir, "m.bin");
    for (int c = SC_MODEL_CONTENTS_FULL; c <= SC_MODEL_CONTENTS_INFERENCE;
         c++) {
        ck_assert_int_eq(sc_model_save(m, path, (sc_model_contents)c), SC_OK);
        size_t file_size, size;
        unsigned char *file = tu_read_file(path, &file_size);
        unsigned char *bytes = bytes_of(m, (sc_model_contents)c, &size);
        ck_assert_uint_eq(size, file_size);
        ck_assert(memcmp(bytes, file, size) == 0);
        free(file);
        free(bytes);
    }
    tu_tempdir_remove(dir);
    sc_model_free(m);
}
END_TEST

/* ---- load_buffer ------------------------------------------------------- */

START_TEST(load_buffer_bad_arguments)
{
    sc_model *m = trained_dense();
    size_t size;
    unsigned char *bytes = bytes_of(m, SC_MODEL_CONTENTS_FULL, &size);
    ck_assert_int_eq(sc_model_load_buffer(NULL, bytes, size), SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_load_buffer: out");
    sc_model *out = tu_sentinel;
    ck_assert_int_eq(sc_model_load_buffer(&out, NULL, size), SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_load_buffer: buffer");
    ck_assert_ptr_eq(out, tu_sentinel);
    free(bytes);
    sc_model_free(m);
}
END_TEST

/* _i: 0 dense, 1 local. */
START_TEST(load_buffer_resumes_bit_for_bit)
{
    /* Saved to a buffer after 3 steps and loaded, the model is the same,
     * and trains on as the original does. */
    sc_model *a = _i == 0 ? trained_dense() : trained_local();
    size_t n = sc_model_inputs(a), k = sc_model_units(a);
    size_t size;
    unsigned char *bytes = bytes_of(a, SC_MODEL_CONTENTS_FULL, &size);
    sc_model *b = load_buffer_ok(bytes, size);
    free(bytes);
    /* The loaded model has the default thread count (a local model's
     * verbs give the same bits on any number of threads). */
    double threads = -1;
    ck_assert_int_eq(sc_model_get(b, SC_MODEL_PARAM_THREADS, &threads), SC_OK);
    ck_assert(threads == 0);
    tu_data d = tu_data_make(20, n, k, _i == 0 ? 2 : 0, 55);
    tu_train(a, &d, 4, 3, 5, NULL);
    tu_train(b, &d, 4, 3, 5, NULL);
    ck_assert_uint_eq(sc_model_steps_taken(b), 8);
    assert_same_bytes(a, b);
    tu_data_free(&d);
    sc_model_free(a);
    sc_model_free(b);
}
END_TEST

START_TEST(load_buffer_every_truncation_and_flip)
{
    /* No proper prefix loads, nor any buffer with one byte's bits all
     * flipped; the refusal is SC_ERR_FORMAT (SC_ERR_VERSION for the
     * version field, bytes 8-11), never SC_ERR_IO, *out untouched. */
    sc_model *m = trained_dense();
    size_t size;
    unsigned char *bytes = bytes_of(m, SC_MODEL_CONTENTS_INFERENCE, &size);
    for (size_t len = 0; len < size; len++) {
        sc_model *out = tu_sentinel;
        sc_status s = sc_model_load_buffer(&out, bytes, len);
        ck_assert_msg(s == SC_ERR_FORMAT, "prefix of %zu bytes: %s", len,
                      sc_status_string(s));
        ck_assert_ptr_eq(out, tu_sentinel);
    }
    for (size_t i = 0; i < size; i++) {
        bytes[i] ^= 0xFF;
        sc_model *out = tu_sentinel;
        sc_status s = sc_model_load_buffer(&out, bytes, size);
        int version = i >= 8 && i < 12;
        ck_assert_msg(s == SC_ERR_FORMAT || (version && s == SC_ERR_VERSION),
                      "byte %zu flipped: %s", i, sc_status_string(s));
        ck_assert_ptr_eq(out, tu_sentinel);
        bytes[i] ^= 0xFF;
    }
    sc_model_free(load_buffer_ok(bytes, size));
    free(bytes);
    sc_model_free(m);
}
END_TEST

START_TEST(load_buffer_allocation_failure_is_nomem)
{
    sc_model *m = trained_dense();
    size_t size;
    unsigned char *bytes = bytes_of(m, SC_MODEL_CONTENTS_FULL, &size);
    long nth = 0;
    for (;; nth++) {
        sc_model *out = tu_sentinel;
        tu_alloc_fail_nth(nth);
        sc_status s = sc_model_load_buffer(&out, bytes, size);
        int injected = tu_alloc_failed();
        tu_alloc_fail_nth(-1);
        if (!injected) {
            ck_assert_int_eq(s, SC_OK);
            sc_model_free(out);
            break;
        }
        ck_assert_msg(s == SC_ERR_NOMEM, "allocation %ld failing: %s (%s)",
                      nth, sc_status_string(s), sc_last_message());
        ck_assert_ptr_eq(out, tu_sentinel);
    }
    ck_assert_int_gt(nth, 0);
    free(bytes);
    sc_model_free(m);
}
END_TEST

START_TEST(load_buffer_takes_the_models_memory)
{
    /* A buffer whose header claims 2^14 x 2^14 is refused without a large
     * allocation; a real 840 KB model loads with no allocation of the
     * buffer's size (the largest is one weight matrix, 120 KB). */
    const tu_setting settings[] = {{SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM}};
    sc_model *m = tu_model(300, 100, settings, 1, 3);
    size_t size;
    unsigned char *bytes = bytes_of(m, SC_MODEL_CONTENTS_FULL, &size);
    tu_alloc_largest_reset();
    sc_model *back = load_buffer_ok(bytes, size);
    ck_assert_msg(tu_alloc_largest() <= size / 2, "a %zu-byte allocation "
                  "to load %zu bytes", tu_alloc_largest(), size);
    TU_ASSERT_SAME_MODEL(m, back);
    sc_model_free(back);
    const uint64_t huge = (uint64_t)1 << 14;
    for (int i = 0; i < 8; i++)   /* n and k: offsets 16 and 24 */
        bytes[16 + i] = bytes[24 + i] = (unsigned char)(huge >> (8 * i));
    tu_alloc_largest_reset();
    sc_model *out = tu_sentinel;
    ck_assert_int_eq(sc_model_load_buffer(&out, bytes, size), SC_ERR_FORMAT);
    ck_assert_uint_lt(tu_alloc_largest(), (size_t)1 << 20);
    ck_assert_ptr_eq(out, tu_sentinel);
    free(bytes);
    sc_model_free(m);
}
END_TEST

/* ---- clone ------------------------------------------------------------- */

START_TEST(clone_bad_arguments)
{
    sc_model *m = trained_dense();
    ck_assert_int_eq(sc_model_clone(NULL, m), SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_clone: out");
    sc_model *out = tu_sentinel;
    ck_assert_int_eq(sc_model_clone(&out, NULL), SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_clone: model");
    ck_assert_ptr_eq(out, tu_sentinel);
    sc_model_free(m);
}
END_TEST

START_TEST(clone_uninitialised)
{
    /* Parameters set before init carry over; the clone is uninitialised
     * and inits as the original does. */
    const tu_setting settings[] = {{SC_MODEL_PARAM_ITERATIONS, 5},
                                   {SC_MODEL_PARAM_THREADS, 1},
                                   {SC_MODEL_PARAM_L1_WEIGHT, 0.2}};
    sc_model *m = tu_model(6, 4, settings, 3, TU_NO_INIT);
    sc_model *c = NULL;
    ck_assert_int_eq(sc_model_clone(&c, m), SC_OK);
    ck_assert_int_eq(sc_model_is_initialized(c), 0);
    TU_ASSERT_SAME_MODEL(m, c);
    ck_assert_int_eq(sc_model_init_random(m, 9), SC_OK);
    ck_assert_int_eq(sc_model_init_random(c, 9), SC_OK);
    TU_ASSERT_SAME_MODEL(m, c);
    sc_model_free(c);
    sc_model_free(m);
}
END_TEST

/* _i: 0 dense, 1 local. */
START_TEST(clone_trains_bit_for_bit)
{
    /* A clone equals its original in every parameter (the thread count
     * too), weight, moment and the step count; both then train the same
     * steps to the same bits; and they are independent: training one
     * leaves the other as it was. */
    sc_model *a = _i == 0 ? trained_dense() : trained_local();
    size_t n = sc_model_inputs(a), k = sc_model_units(a);
    sc_model *b = NULL;
    ck_assert_int_eq(sc_model_clone(&b, a), SC_OK);
    TU_ASSERT_SAME_MODEL(a, b);
    assert_same_bytes(a, b);
    tu_data d = tu_data_make(20, n, k, _i == 0 ? 2 : 0, 56);
    tu_train(a, &d, 4, 3, 6, NULL);
    tu_train(b, &d, 4, 3, 6, NULL);
    TU_ASSERT_SAME_MODEL(a, b);
    assert_same_bytes(a, b);
    tu_snapshot before;
    tu_snapshot_take(b, &before);
    tu_train(a, &d, 4, 9, 2, NULL);
    TU_ASSERT_UNCHANGED(b, &before);
    tu_snapshot_free(&before);
    tu_data_free(&d);
    sc_model_free(a);
    sc_model_free(b);
}
END_TEST

START_TEST(clone_allocation_failure_is_nomem)
{
    sc_model *m = trained_local();
    tu_snapshot before;
    tu_snapshot_take(m, &before);
    long nth = 0;
    for (;; nth++) {
        sc_model *out = tu_sentinel;
        tu_alloc_fail_nth(nth);
        sc_status s = sc_model_clone(&out, m);
        int injected = tu_alloc_failed();
        tu_alloc_fail_nth(-1);
        if (!injected) {
            ck_assert_int_eq(s, SC_OK);
            sc_model_free(out);
            break;
        }
        ck_assert_msg(s == SC_ERR_NOMEM, "allocation %ld failing: %s (%s)",
                      nth, sc_status_string(s), sc_last_message());
        ck_assert_ptr_eq(out, tu_sentinel);
    }
    ck_assert_int_gt(nth, 0);
    TU_ASSERT_UNCHANGED(m, &before);
    tu_snapshot_free(&before);
    sc_model_free(m);
}
END_TEST

Suite *buffer_suite(void)
{
    Suite *s = suite_create("buffer");
    TCase *save = tcase_create("save_buffer");
    tcase_add_test(save, save_buffer_bad_arguments);
    tcase_add_test(save, save_buffer_too_small);
    tcase_add_test(save, save_buffer_is_the_file);
    suite_add_tcase(s, save);

    TCase *load = tcase_create("load_buffer");
    tcase_add_test(load, load_buffer_bad_arguments);
    tcase_add_loop_test(load, load_buffer_resumes_bit_for_bit, 0, 2);
    tcase_add_test(load, load_buffer_every_truncation_and_flip);
    tcase_add_test(load, load_buffer_allocation_failure_is_nomem);
    tcase_add_test(load, load_buffer_takes_the_models_memory);
    suite_add_tcase(s, load);

    TCase *clone = tcase_create("clone");
    tcase_add_test(clone, clone_bad_arguments);
    tcase_add_test(clone, clone_uninitialised);
    tcase_add_loop_test(clone, clone_trains_bit_for_bit, 0, 2);
    tcase_add_test(clone, clone_allocation_failure_is_nomem);
    suite_add_tcase(s, clone);
    return s;
}
