/* SPDX-License-Identifier: BSD-2-Clause */
/* check_dictionary_file.c -- sc_dictionary_save and sc_dictionary_load:
 * the round trip resumes learning bit for bit (two learners, one of them
 * saved and loaded midway, identical after more steps), argument checks,
 * every truncation and every bit flip of a small file, hostile files with
 * a valid CRC (built from the layout in docs/file-format.md, "Dictionary
 * files"), the loader's memory (the length checked before allocating;
 * every failed allocation SC_ERR_NOMEM). */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_hook.h"
#include "crc32.h"
#include "dictionary.h"
#include "suites.h"
#include "testutil.h"

#define N 16
#define K 24
#define SAMPLES 400
#define BATCH 32

/* Small learners for the byte-level tests: n = 6, k = 4. */
#define SN 6
#define SK 4

static char base[TU_PATH_MAX], dir[TU_PATH_MAX];
static void make_base(void) { tu_tempdir_make(base, NULL); }
static void remove_base(void) { tu_tempdir_remove(base); }
static void make_dir(void) { tu_tempdir_make(dir, base); }
static void remove_dir(void) { tu_tempdir_remove(dir); }

static long sentinel_object;
#define SENTINEL ((sc_dictionary *)(void *)&sentinel_object)

static sc_dictionary *learner(size_t n, size_t k, int method, int coder,
                              const float *x, size_t count)
{
    sc_dictionary *d = NULL;
    ck_assert_int_eq(sc_dictionary_create(&d, n, k), SC_OK);
    ck_assert_int_eq(sc_dictionary_set(d, SC_DICTIONARY_PARAM_METHOD, method),
                     SC_OK);
    ck_assert_int_eq(sc_dictionary_set(d, SC_DICTIONARY_PARAM_SOLVER_METHOD,
                                       coder),
                     SC_OK);
    ck_assert_int_eq(sc_dictionary_set(d, SC_DICTIONARY_PARAM_LAMBDA, 0.2),
                     SC_OK);
    ck_assert_int_eq(sc_dictionary_set(d, SC_DICTIONARY_PARAM_LEARNING_RATE,
                                       1.5),
                     SC_OK);
    ck_assert_int_eq(sc_dictionary_init_data(d, x, count, 9), SC_OK);
    return d;
}

static void steps(sc_dictionary *d, const float *x, size_t first, size_t count,
                  double *objectives)
{
    for (size_t s = first; s < first + count; s++) {
        sc_dictionary_stats st = {.size = sizeof st};
        sc_status status = sc_dictionary_step(
            d, x + ((s * BATCH) % (SAMPLES - BATCH + 1)) * d->n, BATCH, &st);
        ck_assert_msg(status == SC_OK, "step %zu: %s (%s)", s,
                      sc_status_string(status), sc_dictionary_message(d));
        if (objectives != NULL)
            objectives[s - first] = st.objective;
    }
}

/* The whole learner state, bit for bit. */
static void assert_same_learner(const sc_dictionary *a, const sc_dictionary *b,
                                const char *when)
{
    size_t n = a->n, k = a->k;
    ck_assert(a->n == b->n && a->k == b->k);
    ck_assert_msg(a->steps == b->steps, "%s: steps %llu vs %llu", when,
                  (unsigned long long)a->steps, (unsigned long long)b->steps);
    ck_assert_msg(memcmp(a->values, b->values, sizeof a->values) == 0,
                  "%s: parameters differ", when);
    ck_assert_msg(memcmp(a->atoms, b->atoms, n * k * sizeof(float)) == 0,
                  "%s: D differs", when);
    ck_assert_msg(memcmp(a->a, b->a, k * k * sizeof(float)) == 0,
                  "%s: A differs", when);
    ck_assert_msg(memcmp(a->b, b->b, n * k * sizeof(float)) == 0,
                  "%s: B differs", when);
}

/* _i = 2 * method + coder index (FISTA, CD_ACTIVE).  Learner `kept` runs
 * 20 steps; learner `saved` runs the first 10, is saved, freed and loaded
 * as `loaded`, which runs the last 10: the same D, A, B, step count and
 * step objectives, bit for bit.  Under FISTA the loaded learner's step
 * size is the saved one (its power iteration state is in the file). */
START_TEST(round_trip_resumes_bit_for_bit)
{
    const sc_solver_method coders[] = {SC_SOLVER_METHOD_FISTA,
                                       SC_SOLVER_METHOD_CD_ACTIVE};
    const int method = _i / 2, coder = (int)coders[_i % 2];
    float x[SAMPLES * N];
    tu_fill(x, SAMPLES * N, 17, -1.0f, 1.0f);
    sc_dictionary *kept = learner(N, K, method, coder, x, SAMPLES);
    sc_dictionary *saved = learner(N, K, method, coder, x, SAMPLES);
    steps(kept, x, 0, 10, NULL);
    steps(saved, x, 0, 10, NULL);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "dict.bin");
    ck_assert_int_eq(sc_dictionary_save(saved, path), SC_OK);
    double lipschitz = sc_solver_lipschitz(saved->solver);
    sc_dictionary_free(saved);
    sc_dictionary *loaded = SENTINEL;
    sc_status st = sc_dictionary_load(&loaded, path);
    ck_assert_msg(st == SC_OK, "load: %s (%s)", sc_status_string(st),
                  sc_last_message());
    ck_assert(loaded != SENTINEL);
    assert_same_learner(kept, loaded, "after load");
    if (coder == SC_SOLVER_METHOD_FISTA)
        ck_assert(sc_solver_lipschitz(loaded->solver) == lipschitz);
    double objective_kept[10], objective_loaded[10];
    steps(kept, x, 10, 10, objective_kept);
    steps(loaded, x, 10, 10, objective_loaded);
    assert_same_learner(kept, loaded, "10 steps after load");
    ck_assert(memcmp(objective_kept, objective_loaded,
                     sizeof objective_kept) == 0);
    sc_dictionary_free(kept);
    sc_dictionary_free(loaded);
}
END_TEST

START_TEST(save_rejects_bad_input)
{
    float x[SAMPLES * N];
    tu_fill(x, SAMPLES * N, 18, -1.0f, 1.0f);
    char path[TU_PATH_MAX], missing[TU_PATH_MAX];
    tu_path(path, dir, "d.bin");
    tu_path(missing, dir, "no/such/dir/d.bin");
    sc_dictionary *d = NULL;
    ck_assert_int_eq(sc_dictionary_create(&d, N, K), SC_OK);
    ck_assert_int_eq(sc_dictionary_save(NULL, path), SC_ERR_NULL);
    ck_assert_str_eq(sc_last_message(), "sc_dictionary_save: dict is NULL");
    ck_assert_int_eq(sc_dictionary_save(d, NULL), SC_ERR_NULL);
    ck_assert_str_eq(sc_last_message(), "sc_dictionary_save: path is NULL");
    ck_assert_int_eq(sc_dictionary_save(d, path), SC_ERR_STATE);
    ck_assert_str_eq(sc_last_message(),
                     "sc_dictionary_save: the dictionary is not initialised");
    ck_assert_int_eq(access(path, F_OK), -1);
    ck_assert_int_eq(sc_dictionary_init_data(d, x, SAMPLES, 1), SC_OK);
    ck_assert_int_eq(sc_dictionary_save(d, missing), SC_ERR_IO);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_dictionary_save: ");
    TU_ASSERT_CONTAINS(sc_last_message(), missing);
    ck_assert_uint_eq(tu_dir_entries(dir), 0);
    sc_dictionary_free(d);
}
END_TEST

/* ---- a small file, and the layout of docs/file-format.md ------------------ */

#define OFF_VERSION 8
#define OFF_N 12
#define OFF_K 20
#define OFF_P 36
#define OFF_RECORDS 40
#define RECORDS 7
#define OFF_D (OFF_RECORDS + 12 * RECORDS)
#define OFF_A (OFF_D + 4 * SN * SK)
#define OFF_B (OFF_A + 4 * SK * SK)
#define OFF_RAYLEIGH (OFF_B + 4 * SN * SK)
#define OFF_TOP (OFF_RAYLEIGH + 8)
#define SMALL_SIZE (OFF_TOP + 8 * SK + 4)

static unsigned char small[SMALL_SIZE];

/* A small learner (n = 6, k = 4, FISTA, a few steps) saved into small. */
static void small_file(void)
{
    float x[SAMPLES * SN];
    tu_fill(x, SAMPLES * SN, 19, -1.0f, 1.0f);
    sc_dictionary *d = learner(SN, SK, SC_DICTIONARY_METHOD_ONLINE,
                               SC_SOLVER_METHOD_FISTA, x, SAMPLES);
    steps(d, x, 0, 3, NULL);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "small.bin");
    ck_assert_int_eq(sc_dictionary_save(d, path), SC_OK);
    size_t size = 0;
    unsigned char *bytes = tu_read_file(path, &size);
    ck_assert_uint_eq(size, SMALL_SIZE);
    memcpy(small, bytes, size);
    free(bytes);
    unlink(path);
    sc_dictionary_free(d);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_f64(unsigned char *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_u64(p, bits);
}

static void put_f32(unsigned char *p, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_u32(p, bits);
}

static void fix_crc(unsigned char *bytes, size_t size)
{
    put_u32(bytes + size - 4, sc_crc32(bytes, size - 4));
}

/* Loads bytes written to a file: `expected`, *out untouched unless OK. */
static void expect_load(const unsigned char *bytes, size_t size,
                        sc_status expected, const char *what, size_t at)
{
    char path[TU_PATH_MAX];
    tu_path(path, dir, "edited.bin");
    tu_write_file(path, bytes, size);
    sc_dictionary *d = SENTINEL;
    sc_status s = sc_dictionary_load(&d, path);
    ck_assert_msg(s == expected, "%s %zu: %s (%s), not %s", what, at,
                  sc_status_string(s), sc_last_message(),
                  sc_status_string(expected));
    if (s == SC_OK)
        sc_dictionary_free(d);
    else
        ck_assert_msg(d == SENTINEL, "%s %zu: *out written", what, at);
    if (s != SC_OK)
        TU_ASSERT_CONTAINS(sc_last_message(), "sc_dictionary_load: ");
}

/* The parameter record of id in small (offset of its value), or 0. */
static size_t record_value(const unsigned char *bytes, uint32_t id)
{
    for (size_t r = 0; r < RECORDS; r++) {
        const unsigned char *p = bytes + OFF_RECORDS + 12 * r;
        uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
                     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        if (v == id)
            return OFF_RECORDS + 12 * r + 4;
    }
    return 0;
}

/* The layout: the file holds what the learner holds, where the format page
 * says (checked by rewriting D's first entry and λ and loading). */
START_TEST(layout_is_the_documented_one)
{
    small_file();
    ck_assert(memcmp(small, "SCDICT\0\0", 8) == 0);
    ck_assert_int_eq(small[OFF_VERSION], 1);
    ck_assert_int_eq(small[OFF_N], SN);
    ck_assert_int_eq(small[OFF_K], SK);
    ck_assert_int_eq(small[OFF_P], RECORDS);
    ck_assert_uint_eq(sc_crc32(small, SMALL_SIZE - 4),
                      (uint32_t)small[SMALL_SIZE - 4] |
                          (uint32_t)small[SMALL_SIZE - 3] << 8 |
                          (uint32_t)small[SMALL_SIZE - 2] << 16 |
                          (uint32_t)small[SMALL_SIZE - 1] << 24);
    unsigned char edited[SMALL_SIZE];
    memcpy(edited, small, SMALL_SIZE);
    put_f32(edited + OFF_D, 0.125f);
    put_f64(edited + record_value(edited, SC_DICTIONARY_PARAM_LAMBDA), 0.375);
    put_f32(edited + OFF_B + 4, -2.5f);
    fix_crc(edited, SMALL_SIZE);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "layout.bin");
    tu_write_file(path, edited, SMALL_SIZE);
    sc_dictionary *d = NULL;
    ck_assert_int_eq(sc_dictionary_load(&d, path), SC_OK);
    double lambda = 0;
    ck_assert_int_eq(sc_dictionary_get(d, SC_DICTIONARY_PARAM_LAMBDA, &lambda),
                     SC_OK);
    ck_assert(lambda == 0.375);
    ck_assert(d->atoms[0] == 0.125f);
    ck_assert(d->b[1] == -2.5f);
    ck_assert_uint_eq(d->steps, 3);
    sc_dictionary_free(d);
}
END_TEST

START_TEST(load_rejects_bad_arguments_and_files)
{
    small_file();
    char path[TU_PATH_MAX];
    tu_path(path, dir, "small.bin");
    tu_write_file(path, small, SMALL_SIZE);
    sc_dictionary *d = SENTINEL;
    ck_assert_int_eq(sc_dictionary_load(NULL, path), SC_ERR_NULL);
    ck_assert_str_eq(sc_last_message(), "sc_dictionary_load: out is NULL");
    ck_assert_int_eq(sc_dictionary_load(&d, NULL), SC_ERR_NULL);
    ck_assert_str_eq(sc_last_message(), "sc_dictionary_load: path is NULL");
    char missing[TU_PATH_MAX];
    tu_path(missing, dir, "missing.bin");
    ck_assert_int_eq(sc_dictionary_load(&d, missing), SC_ERR_IO);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_dictionary_load: cannot open");
    ck_assert_int_eq(sc_dictionary_load(&d, dir), SC_ERR_IO);
    TU_ASSERT_CONTAINS(sc_last_message(), "is not a regular file");
    ck_assert(d == SENTINEL);
    expect_load(small, 0, SC_ERR_FORMAT, "empty file", 0);
    /* a model file is not a dictionary file */
    sc_model *m = NULL;
    ck_assert_int_eq(sc_model_create(&m, SN, SK), SC_OK);
    ck_assert_int_eq(sc_model_init_random(m, 1), SC_OK);
    char model_path[TU_PATH_MAX];
    tu_path(model_path, dir, "model.bin");
    ck_assert_int_eq(sc_model_save(m, model_path, SC_MODEL_CONTENTS_FULL),
                     SC_OK);
    sc_model_free(m);
    ck_assert_int_eq(sc_dictionary_load(&d, model_path), SC_ERR_FORMAT);
    ck_assert_str_eq(sc_last_message(),
                     "sc_dictionary_load: not a libsparsecode dictionary file");
    /* another version, with a valid CRC */
    unsigned char edited[SMALL_SIZE + 1];
    memcpy(edited, small, SMALL_SIZE);
    put_u32(edited + OFF_VERSION, 2);
    fix_crc(edited, SMALL_SIZE);
    expect_load(edited, SMALL_SIZE, SC_ERR_VERSION, "version 2", 0);
    ck_assert_str_eq(sc_last_message(), "sc_dictionary_load: dictionary "
                     "format version 2; this library reads 1");
    /* a byte after the CRC */
    memcpy(edited, small, SMALL_SIZE);
    edited[SMALL_SIZE] = 0;
    expect_load(edited, SMALL_SIZE + 1, SC_ERR_FORMAT, "appended byte", 0);
    expect_load(small, SMALL_SIZE, SC_OK, "the file itself", 0);
}
END_TEST

START_TEST(load_every_truncation)
{
    small_file();
    for (size_t len = 0; len < SMALL_SIZE; len++)
        expect_load(small, len, SC_ERR_FORMAT, "truncated at", len);
}
END_TEST

/* Every single bit flipped in turn: the version's bytes give
 * SC_ERR_VERSION, every other byte SC_ERR_FORMAT (a header check, or else
 * the CRC). */
START_TEST(load_every_bit_flipped)
{
    small_file();
    unsigned char edited[SMALL_SIZE];
    for (size_t at = 0; at < SMALL_SIZE; at++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(edited, small, SMALL_SIZE);
            edited[at] ^= (unsigned char)(1u << bit);
            sc_status expected = at >= OFF_VERSION && at < OFF_VERSION + 4
                                     ? SC_ERR_VERSION : SC_ERR_FORMAT;
            expect_load(edited, SMALL_SIZE, expected, "bit flipped in byte",
                        at);
        }
}
END_TEST

/* Values a learner cannot hold, each with a valid CRC: SC_ERR_FORMAT. */
START_TEST(load_rejects_hostile_values)
{
    small_file();
    unsigned char e[SMALL_SIZE];
    const size_t lambda = record_value(small, SC_DICTIONARY_PARAM_LAMBDA);
    const size_t coder = record_value(small, SC_DICTIONARY_PARAM_SOLVER_METHOD);
    ck_assert(lambda != 0 && coder != 0);
#define HOSTILE(what, edit)                                        \
    do {                                                           \
        memcpy(e, small, SMALL_SIZE);                              \
        edit;                                                      \
        fix_crc(e, SMALL_SIZE);                                    \
        expect_load(e, SMALL_SIZE, SC_ERR_FORMAT, what, 0);        \
    } while (0)
    HOSTILE("n = 0", put_u64(e + OFF_N, 0));
    HOSTILE("k = 2^25", put_u64(e + OFF_K, (uint64_t)1 << 25));
    HOSTILE("n = 2^63", put_u64(e + OFF_N, (uint64_t)1 << 63));
    HOSTILE("n one too many", put_u64(e + OFF_N, SN + 1));
    HOSTILE("P = 8", put_u32(e + OFF_P, 8));
    HOSTILE("P = 2^32 - 1", put_u32(e + OFF_P, UINT32_MAX));
    HOSTILE("P = 6", put_u32(e + OFF_P, 6));
    HOSTILE("unknown id", put_u32(e + lambda - 4, 99));
    HOSTILE("repeated id", put_u32(e + lambda - 4, SC_DICTIONARY_PARAM_METHOD));
    HOSTILE("lambda -1", put_f64(e + lambda, -1.0));
    HOSTILE("lambda NaN", put_f64(e + lambda, NAN));
    HOSTILE("coder OMP", put_f64(e + coder, SC_SOLVER_METHOD_OMP));
    HOSTILE("coder 0.5", put_f64(e + coder, 0.5));
    HOSTILE("D NaN", put_f32(e + OFF_D + 8, NAN));
    HOSTILE("atom of norm 2", put_f32(e + OFF_D, 2.0f));
    HOSTILE("A Inf", put_f32(e + OFF_A + 4, INFINITY));
    HOSTILE("A negative diagonal", put_f32(e + OFF_A + 4 * (SK + 1), -1.0f));
    HOSTILE("B NaN", put_f32(e + OFF_B, NAN));
    HOSTILE("rayleigh 0", put_f64(e + OFF_RAYLEIGH, 0.0));
    HOSTILE("rayleigh NaN", put_f64(e + OFF_RAYLEIGH, NAN));
    HOSTILE("rayleigh Inf", put_f64(e + OFF_RAYLEIGH, INFINITY));
    HOSTILE("top NaN", put_f64(e + OFF_TOP + 8, NAN));
    HOSTILE("zero atoms", memset(e + OFF_D, 0, 4 * SN * SK));
#undef HOSTILE
    ck_assert_str_eq(sc_last_message(), "sc_dictionary_load: the atoms cannot "
                     "be coded (zero or too small)");
}
END_TEST

/* Parameters a file does not hold take their defaults: a file of P = 0
 * (its length adjusted) loads with every default. */
START_TEST(load_missing_parameters_take_defaults)
{
    small_file();
    unsigned char e[SMALL_SIZE];
    const size_t records = 12 * RECORDS;
    memcpy(e, small, OFF_RECORDS);
    memcpy(e + OFF_RECORDS, small + OFF_D, SMALL_SIZE - OFF_D);
    put_u32(e + OFF_P, 0);
    fix_crc(e, SMALL_SIZE - records);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "defaults.bin");
    tu_write_file(path, e, SMALL_SIZE - records);
    sc_dictionary *d = NULL, *fresh = NULL;
    sc_status st = sc_dictionary_load(&d, path);
    ck_assert_msg(st == SC_OK, "%s (%s)", sc_status_string(st),
                  sc_last_message());
    ck_assert_int_eq(sc_dictionary_create(&fresh, SN, SK), SC_OK);
    ck_assert(memcmp(d->values, fresh->values, sizeof d->values) == 0);
    sc_dictionary_free(fresh);
    sc_dictionary_free(d);
}
END_TEST

/* The length is compared with the file's before anything is allocated
 * from the sizes: a 1 GiB (sparse) file behind a small learner's header,
 * and a header claiming 4096 x 4096 in a small file, are refused without
 * an allocation of even 1 MB. */
START_TEST(load_checks_length_before_allocating)
{
    small_file();
    const size_t limit = (size_t)1 << 20;
    char path[TU_PATH_MAX];
    tu_path(path, dir, "long.bin");
    tu_write_file(path, small, SMALL_SIZE);
    ck_assert_int_eq(truncate(path, (off_t)1 << 30), 0);
    tu_alloc_largest_reset();
    sc_dictionary *d = SENTINEL;
    ck_assert_int_eq(sc_dictionary_load(&d, path), SC_ERR_FORMAT);
    ck_assert_str_eq(sc_last_message(), "sc_dictionary_load: the file's length "
                     "does not match the sizes it declares");
    ck_assert_msg(tu_alloc_largest() < limit, "a %zu-byte allocation",
                  tu_alloc_largest());
    unsigned char e[SMALL_SIZE];
    memcpy(e, small, SMALL_SIZE);
    put_u64(e + OFF_N, 4096);
    put_u64(e + OFF_K, 4096);
    fix_crc(e, SMALL_SIZE);
    tu_alloc_largest_reset();
    expect_load(e, SMALL_SIZE, SC_ERR_FORMAT, "4096 x 4096", 0);
    ck_assert_msg(tu_alloc_largest() < limit, "a %zu-byte allocation",
                  tu_alloc_largest());
    ck_assert(d == SENTINEL);
}
END_TEST

/* Every allocation of a load failing in turn: each time SC_ERR_NOMEM and
 * *out untouched, until the load needs no more and succeeds. */
START_TEST(load_out_of_memory_is_nomem)
{
    small_file();
    char path[TU_PATH_MAX];
    tu_path(path, dir, "small.bin");
    tu_write_file(path, small, SMALL_SIZE);
    long nth = 0;
    for (;; nth++) {
        sc_dictionary *d = SENTINEL;
        tu_alloc_fail_nth(nth);
        sc_status s = sc_dictionary_load(&d, path);
        int injected = tu_alloc_failed();
        tu_alloc_fail_nth(-1);
        if (!injected) {
            ck_assert_int_eq(s, SC_OK);
            sc_dictionary_free(d);
            break;
        }
        ck_assert_msg(s == SC_ERR_NOMEM, "allocation %ld failing: load gave "
                      "%s (%s)", nth, sc_status_string(s), sc_last_message());
        ck_assert(d == SENTINEL);
    }
    ck_assert_int_gt(nth, 3);
}
END_TEST

Suite *dictionary_file_suite(void)
{
    Suite *s = suite_create("dictionary_file");
    TCase *tc = tcase_create("round trip");
    tcase_add_unchecked_fixture(tc, make_base, remove_base);
    tcase_add_checked_fixture(tc, make_dir, remove_dir);
    tcase_add_loop_test(tc, round_trip_resumes_bit_for_bit, 0, 4);
    tcase_add_test(tc, save_rejects_bad_input);
    tcase_add_test(tc, layout_is_the_documented_one);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile files");
    /* thousands of small files written and loaded: under 1 s alone, but
     * the 4 s default is too tight on a loaded machine */
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, make_base, remove_base);
    tcase_add_checked_fixture(tc, make_dir, remove_dir);
    tcase_add_test(tc, load_rejects_bad_arguments_and_files);
    tcase_add_test(tc, load_every_truncation);
    tcase_add_test(tc, load_every_bit_flipped);
    tcase_add_test(tc, load_rejects_hostile_values);
    tcase_add_test(tc, load_missing_parameters_take_defaults);
    tcase_add_test(tc, load_checks_length_before_allocating);
    tcase_add_test(tc, load_out_of_memory_is_nomem);
    suite_add_tcase(s, tc);
    return s;
}
