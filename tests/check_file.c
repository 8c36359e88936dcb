/* SPDX-License-Identifier: BSD-2-Clause */
/* check_file.c -- sc_model_save and sc_model_load: argument checks, the
 * round trip (bit for bit, resumable training), every truncation and
 * every single-byte corruption of a small file, hostile files with a
 * valid CRC, the loader's memory (the length checked before allocating,
 * bounded reads, every failed allocation SC_ERR_NOMEM), and atomic saving
 * (an existing file is replaced whole or left untouched, keeping its mode
 * and owner; names up to NAME_MAX; no temporary file left behind, also
 * by a save killed with SIGKILL or SIGXFSZ).
 *
 * The hostile files are built from the layout in docs/file-format.md
 * (format version 4); files of versions 1 to 3 are made from it too (and
 * tests/check_fixtures.c loads ones the earlier library wrote). */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc_hook.h"
#include "model.h"
#include "suites.h"
#include "testutil.h"

/* Each test gets a fresh directory `dir` (checked fixture, in the test's
 * process) inside `base`, which the test case's unchecked fixture creates
 * and removes in the runner's process: so a test that fails in fork mode,
 * whose own teardown never runs, leaves nothing behind either. */
static char base[TU_PATH_MAX], dir[TU_PATH_MAX];

static void make_base(void)
{
    tu_tempdir_make(base, NULL);
}

static void remove_base(void)
{
    tu_tempdir_remove(base);
}

static void make_dir(void)
{
    tu_tempdir_make(dir, base);
}

static void remove_dir(void)
{
    tu_tempdir_remove(dir);
}


/* A small model with a classifier and a group term, trained a few steps
 * so that weights and optimiser moments are all in play; its encoder is
 * LISTA's or LCoD's. */
static sc_model *small_model_of(size_t n, size_t k, int optimizer,
                                int encoder)
{
    const tu_setting settings[] = {
        {SC_MODEL_PARAM_ITERATIONS, 3}, {SC_MODEL_PARAM_SHRINK, SC_SHRINK_SOFT},
        {SC_MODEL_PARAM_CLASSES, 2}, {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS},
        {SC_MODEL_PARAM_GROUP_SIZE, 1}, {SC_MODEL_PARAM_GROUP_WEIGHT, 0.01},
        {SC_MODEL_PARAM_CLASS_WEIGHT, 0.5}, {SC_MODEL_PARAM_OPTIMIZER, optimizer},
        {SC_MODEL_PARAM_LEARNING_RATE, 0.01}, {SC_MODEL_PARAM_L1_WEIGHT, 0.07},
        {SC_MODEL_PARAM_ENCODER, encoder}};
    sc_model *m = tu_model(n, k, settings, 11, 41);
    tu_data d = tu_data_make(20, n, k, 2, 42);
    tu_train(m, &d, 4, 0, 3, NULL);
    tu_data_free(&d);
    return m;
}

static sc_model *small_model(size_t n, size_t k, int optimizer)
{
    return small_model_of(n, k, optimizer, SC_ENCODER_LISTA);
}

static void save_ok(const sc_model *m, const char *path)
{
    sc_status s = sc_model_save(m, path, SC_MODEL_CONTENTS_FULL);
    ck_assert_msg(s == SC_OK, "save %s: %s (%s)", path, sc_status_string(s),
                  sc_last_message());
}

static sc_model *load_ok(const char *path)
{
    sc_model *m = NULL;
    sc_status s = sc_model_load(&m, path);
    ck_assert_msg(s == SC_OK, "load %s: %s (%s)", path, sc_status_string(s),
                  sc_last_message());
    ck_assert_ptr_nonnull(m);
    return m;
}

/* Loads path, which must give a model identical to m. */
static void assert_loads_as(const sc_model *m, const char *path)
{
    sc_model *back = load_ok(path);
    TU_ASSERT_SAME_MODEL(m, back);
    sc_model_free(back);
}

/* Loads path, which must fail with `expected` (or `also`, when that is not
 * SC_OK), leaving *out untouched. */
static void expect_load_fails(const char *path, sc_status expected,
                              sc_status also, const char *what, size_t at)
{
    sc_model *m = tu_sentinel;
    sc_status s = sc_model_load(&m, path);
    if (s == SC_OK && m != tu_sentinel)
        sc_model_free(m);
    ck_assert_msg(s == expected || (also != SC_OK && s == also),
                  "%s %zu: load gave %s", what, at, sc_status_string(s));
    ck_assert_msg(m == tu_sentinel, "%s %zu: *out written", what, at);
}

/* Writes bytes to dir/name and expects the load to fail so. */
static void expect_bytes_rejected(const void *bytes, size_t size,
                                  sc_status expected, sc_status also,
                                  const char *what, size_t at)
{
    char path[TU_PATH_MAX];
    tu_path(path, dir, "bad.bin");
    tu_write_file(path, bytes, size);
    expect_load_fails(path, expected, also, what, at);
}

/* A saved small model's bytes (n = 5, k = 3, 2 classes), in static
 * buffers so that a failing test leaks nothing under CK_FORK=no: `small`
 * holds the file (followed by zeros), `edited` is scratch for a copy. */
#define SMALL_MAX 4096
static unsigned char small[SMALL_MAX], edited[SMALL_MAX];

static size_t small_file(void)
{
    char path[TU_PATH_MAX];
    tu_path(path, dir, "small.bin");
    sc_model *m = small_model(5, 3, SC_OPTIMIZER_ADAM);
    save_ok(m, path);
    sc_model_free(m);
    size_t size;
    unsigned char *data = tu_read_file(path, &size);
    int fits = size + 16 <= SMALL_MAX;
    if (fits) {
        memset(small, 0, sizeof small);
        memcpy(small, data, size);
    }
    free(data);
    ck_assert_msg(fits, "the small model file has %zu bytes", size);
    ck_assert_int_eq(unlink(path), 0);
    return size;
}

/* Models a and b (7 inputs, 9 units, 2 classes) give the same codes,
 * reconstructions and class probabilities, bit for bit, for 11 inputs
 * from `seed`. */
static void assert_same_outputs(const sc_model *a, const sc_model *b,
                                uint64_t seed)
{
    float x[11 * 7], za[11 * 9], zb[11 * 9], xa[11 * 7], xb[11 * 7];
    float pa[11 * 2], pb[11 * 2];
    tu_fill(x, 11 * 7, seed, -1, 1);
    ck_assert_int_eq(sc_model_encode(a, x, 11, za), SC_OK);
    ck_assert_int_eq(sc_model_encode(b, x, 11, zb), SC_OK);
    ck_assert(memcmp(za, zb, sizeof za) == 0);
    ck_assert_int_eq(sc_model_decode(a, za, 11, xa), SC_OK);
    ck_assert_int_eq(sc_model_decode(b, za, 11, xb), SC_OK);
    ck_assert(memcmp(xa, xb, sizeof xa) == 0);
    ck_assert_int_eq(sc_model_predict(a, x, 11, NULL, pa), SC_OK);
    ck_assert_int_eq(sc_model_predict(b, x, 11, NULL, pb), SC_OK);
    ck_assert(memcmp(pa, pb, sizeof pa) == 0);
}

/* ---- save errors ---------------------------------------------------- */

START_TEST(save_null_arguments)
{
    sc_model *m = small_model(5, 3, 0);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "m.bin");
    ck_assert_int_eq(sc_model_save(NULL, path, SC_MODEL_CONTENTS_FULL),
                     SC_ERR_NULL);
    ck_assert_int_eq(sc_model_save(m, NULL, SC_MODEL_CONTENTS_FULL),
                     SC_ERR_NULL);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_save");
    ck_assert_uint_eq(tu_dir_entries(dir), 0);
    sc_model_free(m);
}
END_TEST

START_TEST(save_bad_contents)
{
    sc_model *m = small_model(5, 3, 0);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "m.bin");
    const int bad[] = {2, -1, 1000};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(sc_model_save(m, path, (sc_model_contents)bad[i]),
                         SC_ERR_RANGE);
        TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_save: contents");
    }
    ck_assert_uint_eq(tu_dir_entries(dir), 0);
    sc_model_free(m);
}
END_TEST

START_TEST(save_uninitialised)
{
    sc_model *m = tu_model(5, 3, NULL, 0, TU_NO_INIT);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "m.bin");
    ck_assert_int_eq(sc_model_save(m, path, SC_MODEL_CONTENTS_FULL),
                     SC_ERR_STATE);
    ck_assert_uint_eq(tu_dir_entries(dir), 0);
    sc_model_free(m);
}
END_TEST

START_TEST(save_into_missing_directory)
{
    sc_model *m = small_model(5, 3, 0);
    char path[TU_PATH_MAX], file[TU_PATH_MAX];
    tu_path(path, dir, "missing/m.bin");
    ck_assert_int_eq(sc_model_save(m, path, SC_MODEL_CONTENTS_FULL), SC_ERR_IO);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_save");
    ck_assert_uint_eq(tu_dir_entries(dir), 0);
    /* A "directory" that is a regular file. */
    tu_path(file, dir, "file");
    tu_write_file(file, "x", 1);
    tu_path(path, dir, "file/m.bin");
    ck_assert_int_eq(sc_model_save(m, path, SC_MODEL_CONTENTS_FULL), SC_ERR_IO);
    ck_assert_uint_eq(tu_dir_entries(dir), 1);
    sc_model_free(m);
}
END_TEST

/* ---- round trip ---------------------------------------------------------- */

/* _i: the optimiser (_i % 2) and the encoder (_i / 2: LISTA, LCoD). */
START_TEST(round_trip_bit_for_bit)
{
    sc_model *m = small_model_of(7, 9, _i % 2, _i / 2);
    char path[TU_PATH_MAX], again[TU_PATH_MAX];
    tu_path(path, dir, "m.bin");
    tu_path(again, dir, "again.bin");
    save_ok(m, path);
    ck_assert_uint_eq(tu_dir_entries(dir), 1); /* no temporary left */
    sc_model *l = load_ok(path);
    TU_ASSERT_SAME_MODEL(m, l);
    ck_assert_int_eq(sc_model_is_initialized(l), 1);
    ck_assert_uint_eq(sc_model_steps_taken(l), 3);
    double encoder = -1;
    ck_assert_int_eq(sc_model_get(l, SC_MODEL_PARAM_ENCODER, &encoder), SC_OK);
    ck_assert(encoder == _i / 2);
    /* Loaded means initialised: structure is fixed. */
    ck_assert_int_eq(sc_model_set(l, SC_MODEL_PARAM_ITERATIONS, 5),
                     SC_ERR_STATE);

    /* The same codes, reconstructions and probabilities, bit for bit. */
    assert_same_outputs(m, l, 43);

    /* Saving the loaded model writes the same bytes. */
    save_ok(l, again);
    size_t sa, sb;
    unsigned char *a = tu_read_file(path, &sa), *b = tu_read_file(again, &sb);
    ck_assert_uint_eq(sa, sb);
    ck_assert(memcmp(a, b, sa) == 0);
    free(a);
    free(b);
    sc_model_free(l);
    sc_model_free(m);
}
END_TEST

START_TEST(resume_bit_for_bit)
{
    /* Train A 20 steps, saving after 10; load B from the save and train it
     * the same last 10 steps: A and B end equal bit for bit.  _i: the
     * optimiser (_i % 2) and the encoder (_i / 2: LISTA, LCoD). */
    sc_model *a = small_model_of(7, 9, _i % 2, _i / 2);
    tu_data d = tu_data_make(30, 7, 9, 2, 44);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "resume.bin");
    tu_train(a, &d, 5, 0, 10, NULL);
    save_ok(a, path);
    tu_train(a, &d, 5, 10, 10, NULL);
    sc_model *b = load_ok(path);
    tu_train(b, &d, 5, 10, 10, NULL);
    ck_assert_uint_eq(sc_model_steps_taken(b), 23);
    TU_ASSERT_SAME_MODEL(a, b);
    sc_model_free(a);
    sc_model_free(b);
    tu_data_free(&d);
}
END_TEST

/* Zeroes m's optimiser state and step count: what a model loaded from
 * an inference file starts training from. */
static void forget_optimizer(sc_model *m)
{
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        sc_tensor *ts = &m->state.tensor[t];
        if (ts->count == 0)
            continue;
        memset(ts->m1, 0, ts->count * sizeof(float));
        memset(ts->m2, 0, ts->count * sizeof(float));
    }
    m->state.steps = 0;
}

static int optimizer_state_is_zero(const sc_model *m)
{
    int zero = m->state.steps == 0;
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        const sc_tensor *ts = &m->state.tensor[t];
        for (size_t i = 0; i < ts->count; i++)
            zero &= ts->m1[i] == 0.0f && ts->m2[i] == 0.0f;
    }
    return zero;
}

/* _i: the optimiser (_i % 2) and the encoder (_i / 2: LISTA, LCoD). */
START_TEST(inference_round_trip)
{
    /* An inference file holds no moments: a third of the arrays (plus
     * the header).  The loaded model has every parameter and weight, so
     * it encodes, decodes and predicts bit for bit as the saved one; its
     * optimiser state is fresh (zero moments, step count 0), and it
     * trains as the saved model would from that state. */
    sc_model *m = small_model_of(7, 9, _i % 2, _i / 2);
    char full[TU_PATH_MAX], path[TU_PATH_MAX], again[TU_PATH_MAX];
    tu_path(full, dir, "full.bin");
    tu_path(path, dir, "inference.bin");
    tu_path(again, dir, "again.bin");
    save_ok(m, full);
    ck_assert_int_eq(sc_model_save(m, path, SC_MODEL_CONTENTS_INFERENCE),
                     SC_OK);
    size_t full_size, size;
    unsigned char *full_bytes = tu_read_file(full, &full_size);
    unsigned char *bytes = tu_read_file(path, &size);
    size_t floats = 0;
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        floats += m->state.tensor[t].count;
    ck_assert_uint_eq(full_size - size, 8 * floats);
    free(full_bytes);

    sc_model *l = load_ok(path);
    ck_assert_uint_eq(sc_model_steps_taken(l), 0);
    ck_assert(optimizer_state_is_zero(l));
    for (int w = SC_WEIGHT_ENCODER; w <= SC_WEIGHT_CLASS_BIAS; w++) {
        const float *a, *b;
        size_t ra, ca, rb, cb;
        ck_assert_int_eq(sc_model_weights(m, (sc_weight)w, &a, &ra, &ca),
                         SC_OK);
        ck_assert_int_eq(sc_model_weights(l, (sc_weight)w, &b, &rb, &cb),
                         SC_OK);
        ck_assert_uint_eq(ra * ca, rb * cb);
        ck_assert(memcmp(a, b, ra * ca * sizeof(float)) == 0);
    }
    for (size_t i = 0; i < tu_param_count; i++) {
        double a, b;
        ck_assert_int_eq(sc_model_get(m, tu_params[i].id, &a), SC_OK);
        ck_assert_int_eq(sc_model_get(l, tu_params[i].id, &b), SC_OK);
        ck_assert(a == b);
    }
    assert_same_outputs(m, l, 45);

    /* Saved again, the same bytes. */
    ck_assert_int_eq(sc_model_save(l, again, SC_MODEL_CONTENTS_INFERENCE),
                     SC_OK);
    size_t again_size;
    unsigned char *again_bytes = tu_read_file(again, &again_size);
    ck_assert_uint_eq(again_size, size);
    ck_assert(memcmp(again_bytes, bytes, size) == 0);
    free(again_bytes);
    free(bytes);

    /* Training: as the saved model with its optimiser state forgotten. */
    forget_optimizer(m);
    tu_data d = tu_data_make(30, 7, 9, 2, 46);
    tu_train(m, &d, 5, 0, 6, NULL);
    tu_train(l, &d, 5, 0, 6, NULL);
    ck_assert_uint_eq(sc_model_steps_taken(l), 6);
    TU_ASSERT_SAME_MODEL(m, l);
    tu_data_free(&d);
    sc_model_free(l);
    sc_model_free(m);
}
END_TEST

/* ---- load errors -------------------------------------------------------- */

START_TEST(load_null_arguments)
{
    char path[TU_PATH_MAX];
    tu_path(path, dir, "m.bin");
    sc_model *m = small_model(5, 3, 0);
    save_ok(m, path);
    sc_model_free(m);
    ck_assert_int_eq(sc_model_load(NULL, path), SC_ERR_NULL);
    sc_model *out = tu_sentinel;
    ck_assert_int_eq(sc_model_load(&out, NULL), SC_ERR_NULL);
    ck_assert_ptr_eq(out, tu_sentinel);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_load");
}
END_TEST

START_TEST(load_missing_or_not_a_file)
{
    char path[TU_PATH_MAX];
    tu_path(path, dir, "missing.bin");
    expect_load_fails(path, SC_ERR_IO, SC_OK, "missing", 0);
    TU_ASSERT_CONTAINS(sc_last_message(), "sc_model_load");
    tu_path(path, dir, "missing/m.bin");
    expect_load_fails(path, SC_ERR_IO, SC_OK, "missing dir", 0);
    /* A directory cannot be read as a file. */
    expect_load_fails(dir, SC_ERR_IO, SC_ERR_FORMAT, "directory", 0);
}
END_TEST

/* sc_model_load in a thread, so that a load that blocks can be seen. */
typedef struct {
    const char *path;
    sc_model *out;
    sc_status status;
    int done;
    pthread_mutex_t lock;
    pthread_cond_t finished;
} load_job;

static void *load_in_thread(void *arg)
{
    load_job *j = arg;
    sc_status s = sc_model_load(&j->out, j->path);
    pthread_mutex_lock(&j->lock);
    j->status = s;
    j->done = 1;
    pthread_cond_signal(&j->finished);
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

START_TEST(load_fifo_returns)
{
    /* A FIFO is not a regular file: the load must say so, not wait for a
     * writer.  If it blocks, the test opens the FIFO for writing itself to
     * release it (so it never hangs, with or without fork mode). */
    char path[TU_PATH_MAX];
    tu_path(path, dir, "fifo");
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    load_job j = {path, tu_sentinel, SC_OK, 0, PTHREAD_MUTEX_INITIALIZER,
                  PTHREAD_COND_INITIALIZER};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, load_in_thread, &j), 0);
    struct timespec limit;
    ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &limit), 0);
    limit.tv_sec += 1;
    pthread_mutex_lock(&j.lock);
    while (!j.done &&
           pthread_cond_timedwait(&j.finished, &j.lock, &limit) == 0)
        ;
    int blocked = !j.done;
    pthread_mutex_unlock(&j.lock);
    if (blocked) {
        int fd = open(path, O_WRONLY);
        if (fd >= 0)
            close(fd);
    }
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    if (j.status == SC_OK && j.out != tu_sentinel)
        sc_model_free(j.out);
    ck_assert_msg(!blocked, "sc_model_load blocked on a FIFO for 1 s (it "
                  "returned %s once a writer came)", sc_status_string(j.status));
    ck_assert_msg(j.status == SC_ERR_IO || j.status == SC_ERR_FORMAT,
                  "load gave %s", sc_status_string(j.status));
    ck_assert_ptr_eq(j.out, tu_sentinel);
}
END_TEST

START_TEST(load_garbage)
{
    expect_bytes_rejected("", 0, SC_ERR_FORMAT, SC_OK, "empty", 0);
    const size_t sizes[] = {1, 7, 8, 12, 100, 1016, 5000};
    unsigned char *bytes = malloc(5000);
    ck_assert_ptr_nonnull(bytes);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        static float noise[5000];
        tu_fill(noise, sizes[s], 50 + s, 0, 256);
        for (size_t i = 0; i < sizes[s]; i++)
            bytes[i] = (unsigned char)noise[i];
        expect_bytes_rejected(bytes, sizes[s], SC_ERR_FORMAT, SC_OK,
                              "random bytes", sizes[s]);
        /* Behind a valid magic, the version is random too. */
        if (sizes[s] >= 8) {
            memcpy(bytes, "SCMODEL", 8);
            expect_bytes_rejected(bytes, sizes[s], SC_ERR_FORMAT,
                                  SC_ERR_VERSION, "magic + random",
                                  sizes[s]);
        }
    }
    free(bytes);
}
END_TEST

/* The small file written to dir/name, open for in-place edits. */
static int open_small_file(const unsigned char *data, size_t size,
                           char *path)
{
    tu_path(path, dir, "edited.bin");
    tu_write_file(path, data, size);
    int fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    return fd;
}

static void put_byte(int fd, size_t at, unsigned char byte)
{
    ck_assert_int_eq(pwrite(fd, &byte, 1, (off_t)at), 1);
}

START_TEST(load_every_truncation)
{
    size_t size = small_file();
    char path[TU_PATH_MAX];
    int fd = open_small_file(small, size, path);
    /* The whole file loads ... */
    sc_model_free(load_ok(path));
    /* ... and no proper prefix of it does. */
    for (size_t len = size; len-- > 0;) {
        ck_assert_int_eq(ftruncate(fd, (off_t)len), 0);
        expect_load_fails(path, SC_ERR_FORMAT, SC_OK, "truncated at", len);
    }
    close(fd);
}
END_TEST

START_TEST(load_every_byte_corrupted)
{
    /* Each byte in turn: all bits flipped, the lowest, the highest. */
    static const unsigned char flips[] = {0xFF, 0x01, 0x80};
    size_t size = small_file();
    char path[TU_PATH_MAX];
    int fd = open_small_file(small, size, path);
    for (size_t f = 0; f < sizeof flips; f++)
        for (size_t i = 0; i < size; i++) {
            put_byte(fd, i, small[i] ^ flips[f]);
            /* Bytes 8..11 are the format version. */
            int version = i >= 8 && i < 12;
            expect_load_fails(path, SC_ERR_FORMAT,
                              version ? SC_ERR_VERSION : SC_OK,
                              "corrupt byte", i);
            put_byte(fd, i, small[i]);
        }
    /* Every byte restored: the file loads again. */
    sc_model_free(load_ok(path));
    close(fd);
}
END_TEST

START_TEST(load_trailing_bytes)
{
    size_t size = small_file();
    for (size_t extra = 1; extra <= 8; extra++)
        expect_bytes_rejected(small, size + extra, SC_ERR_FORMAT, SC_OK,
                              "extra bytes", extra);
}
END_TEST

/* ---- the loader's memory ------------------------------------------------ */

START_TEST(load_checks_length_before_allocating)
{
    /* A small model's file made 1 GiB long (sparse, 4 KB on disk): its
     * header's sizes do not match the length, which is refused before any
     * large allocation; and a header claiming 2^14 x 2^14 in a small file.
     * A large allocation (at least the tensors' own size) is what reading
     * the file whole would take. */
    const size_t limit = (size_t)1 << 20;
    size_t size = small_file();
    char path[TU_PATH_MAX];
    tu_path(path, dir, "long.bin");
    tu_write_file(path, small, size);
    ck_assert_int_eq(truncate(path, (off_t)1 << 30), 0);
    tu_alloc_largest_reset();
    expect_load_fails(path, SC_ERR_FORMAT, SC_OK, "1 GiB file", 0);
    ck_assert_msg(tu_alloc_largest() < limit, "a %zu-byte allocation "
                  "for a file whose header does not match its length",
                  tu_alloc_largest());
    memcpy(edited, small, size);
    const uint64_t huge = (uint64_t)1 << 14;
    for (int i = 0; i < 8; i++)
        edited[12 + i] = edited[20 + i] = (unsigned char)(huge >> (8 * i));
    tu_alloc_largest_reset();
    expect_bytes_rejected(edited, size, SC_ERR_FORMAT, SC_OK,
                          "claims 2^14 x 2^14", 0);
    ck_assert_uint_lt(tu_alloc_largest(), limit);
}
END_TEST

START_TEST(load_reads_in_bounded_chunks)
{
    /* An 840 KB file loads without an allocation of its size: the largest
     * holds one weight matrix of the model (100 x 300 floats, with its
     * optimiser moments at most 360 KB). */
    const tu_setting settings[] = {{SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM}};
    sc_model *m = tu_model(300, 100, settings, 1, 3);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "big.bin");
    save_ok(m, path);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    tu_alloc_largest_reset();
    sc_model *back = load_ok(path);
    size_t largest = tu_alloc_largest();
    ck_assert_msg(largest <= (size_t)st.st_size / 2, "a %zu-byte "
                  "allocation to load a %lld-byte file", largest,
                  (long long)st.st_size);
    TU_ASSERT_SAME_MODEL(m, back);
    sc_model_free(back);
    sc_model_free(m);
}
END_TEST

START_TEST(load_allocation_failure_is_nomem)
{
    /* Every allocation of a load failing in turn: each time SC_ERR_NOMEM,
     * *out untouched (and, under the sanitizer, nothing leaked). */
    size_t size = small_file();
    char path[TU_PATH_MAX];
    tu_path(path, dir, "m.bin");
    tu_write_file(path, small, size);
    long nth = 0;
    for (;; nth++) {
        sc_model *m = tu_sentinel;
        tu_alloc_fail_nth(nth);
        sc_status s = sc_model_load(&m, path);
        int injected = tu_alloc_failed();
        tu_alloc_fail_nth(-1);
        if (!injected) {
            ck_assert_int_eq(s, SC_OK);
            sc_model_free(m);
            break;
        }
        ck_assert_msg(s == SC_ERR_NOMEM, "allocation %ld failing: load "
                      "gave %s (%s)", nth, sc_status_string(s),
                      sc_last_message());
        ck_assert_ptr_eq(m, tu_sentinel);
    }
    ck_assert_int_gt(nth, 0);
}
END_TEST

/* ---- hostile files with a valid CRC --------------------------------------- */

static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* The version 4 layout: a 44-byte header, P at 40, 16-byte parameter
 * records { id, flags, value }, the header's CRC, the weight records. */
#define V4_HEADER 44
#define V4_RECORD 16

static size_t records_end(const unsigned char *data)
{
    return V4_HEADER + V4_RECORD * (size_t)get_le(data + 40, 4);
}

/* Writes both CRCs of a version 4 file of `size` bytes: the header's
 * (when P leaves room for it) and the file's. */
static void reseal(unsigned char *data, size_t size)
{
    uint64_t count = get_le(data + 40, 4);
    if (count <= (size - V4_HEADER - 8) / V4_RECORD)
        put_le(data + records_end(data),
               crc32_ieee(data, records_end(data)), 4);
    put_le(data + size - 4, crc32_ieee(data, size - 4), 4);
}

/* The offset of parameter id's record in a model file. */
static size_t param_record(const unsigned char *data, sc_model_param id)
{
    uint32_t count = (uint32_t)get_le(data + 40, 4);
    for (uint32_t i = 0; i < count; i++)
        if (get_le(data + V4_HEADER + V4_RECORD * (size_t)i, 4) ==
            (uint64_t)id)
            return V4_HEADER + V4_RECORD * (size_t)i;
    ck_abort_msg("parameter %d not in the file", (int)id);
    return 0;
}

/* The offset of parameter id's value. */
static size_t param_value(const unsigned char *data, sc_model_param id)
{
    return param_record(data, id) + 8;
}

/* The offset of weight record `index` (0..5) of a full file. */
static size_t weight_record(const unsigned char *data, int index)
{
    size_t at = records_end(data) + 4;
    for (int r = 0; r < index; r++)
        at += 12 + 12 * (size_t)get_le(data + at + 4, 8);
    ck_assert_uint_eq(get_le(data + at, 4), (uint64_t)index);
    return at;
}

static void put_f64(unsigned char *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_le(p, bits, 8);
}

static void put_f32(unsigned char *p, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_le(p, bits, 4);
}

/* Each hostile edit of the small file; returns its name, or NULL past the
 * last.  *expected is the status the header names for it. */
static const char *hostile_edit(int which, unsigned char *d, size_t size,
                                sc_status *expected)
{
    *expected = SC_ERR_FORMAT;
    (void)size;
    switch (which) {
    case 0: put_le(d + 8, 5, 4); *expected = SC_ERR_VERSION;
            return "format version 5";
    case 1: put_le(d + 8, 0, 4); *expected = SC_ERR_VERSION;
            return "format version 0";
    case 2: put_le(d + 16, 0, 8); return "n = 0";
    case 3: put_le(d + 24, 0, 8); return "k = 0";
    case 4: put_le(d + 24, (uint64_t)1 << 40, 8); return "k = 2^40";
    case 5: put_le(d + 16, UINT64_MAX, 8); return "n = 2^64 - 1";
    case 6: put_le(d + 16, 6, 8); return "n one larger";
    case 7: put_le(d + 24, 4, 8); return "k one larger";
    case 8: put_le(d + 16, (uint64_t)1 << 24, 8);
            put_le(d + 24, (uint64_t)1 << 24, 8); return "n = k = 2^24";
    case 9: put_le(d + 40, get_le(d + 40, 4) - 1, 4);
            return "one parameter fewer (the file then too long)";
    case 10: put_le(d + 40, UINT32_MAX, 4); return "2^32 - 1 parameters";
    case 11: put_f64(d + param_value(d, SC_MODEL_PARAM_ITERATIONS), 0);
             return "ITERATIONS = 0";
    case 12: put_f64(d + param_value(d, SC_MODEL_PARAM_ITERATIONS), 2.5);
             return "ITERATIONS = 2.5";
    case 13: put_f64(d + param_value(d, SC_MODEL_PARAM_L1_WEIGHT), NAN);
             return "L1_WEIGHT = NaN";
    case 14: put_f64(d + param_value(d, SC_MODEL_PARAM_CLASSES), 1);
             return "CLASSES = 1";
    case 15: put_f64(d + param_value(d, SC_MODEL_PARAM_CLASSES), 3);
             return "CLASSES = 3 (sizes do not match)";
    case 16: put_le(d + param_record(d, SC_MODEL_PARAM_SHRINK), 39, 4);
             *expected = SC_ERR_VERSION;
             return "unknown parameter id 39, not ignorable";
    case 17: put_f64(d + param_value(d, SC_MODEL_PARAM_ITERATIONS), 1);
             put_le(d + param_record(d, SC_MODEL_PARAM_ITERATIONS),
                    SC_MODEL_PARAM_SHRINK, 4);
             return "SHRINK twice (both 1), ITERATIONS (3) missing";
    case 18: put_le(d + param_record(d, SC_MODEL_PARAM_SHRINK),
                    SC_MODEL_PARAM_POOL_SIGMA, 4);
             return "POOL_SIGMA twice (first = 1), SHRINK (soft) missing";
    case 19: put_f64(d + param_value(d, SC_MODEL_PARAM_GROUP_SIZE), 2);
             return "GROUP_SIZE 2 does not divide k = 3";
    case 20: put_f32(d + weight_record(d, 0) + 12, NAN);
             return "NaN weight in W_e";
    case 21: put_f32(d + weight_record(d, 3) + 12, INFINITY);
             return "Inf weight in W_d";
    case 22: put_f32(d + weight_record(d, 1) + 12 +
                         8 * get_le(d + weight_record(d, 1) + 4, 8), NAN);
             return "NaN second moment of S";
    case 23: put_le(d + weight_record(d, 2), 5, 4);
             return "weight record index 5 where 2 belongs";
    case 24: put_le(d + weight_record(d, 2) + 4, 4, 8);
             return "theta count one larger";
    case 25: put_le(d + weight_record(d, 5) + 4, UINT64_MAX, 8);
             return "class bias count 2^64 - 1";
    case 26: put_le(d + 8, 1, 4);
             return "version 1 header on a version 4 file";
    case 27: put_f64(d + param_value(d, SC_MODEL_PARAM_LOCAL_FIELD), 2);
             put_f64(d + param_value(d, SC_MODEL_PARAM_IMAGE_HEIGHT), 1);
             put_f64(d + param_value(d, SC_MODEL_PARAM_IMAGE_WIDTH), 5);
             return "LOCAL_FIELD 2 larger than a 1 x 5 image";
    case 28: put_le(d + 8, 2, 4);
             return "version 2 header on a version 4 file";
    case 29: put_f64(d + param_value(d, SC_MODEL_PARAM_ENCODER), 2);
             return "ENCODER = 2";
    case 30: put_f64(d + param_value(d, SC_MODEL_PARAM_ENCODER),
                     SC_ENCODER_LCOD);
             put_f64(d + param_value(d, SC_MODEL_PARAM_LOCAL_FIELD), 1);
             put_f64(d + param_value(d, SC_MODEL_PARAM_IMAGE_HEIGHT), 1);
             put_f64(d + param_value(d, SC_MODEL_PARAM_IMAGE_WIDTH), 5);
             return "an LCoD encoder on a local model";
    case 31: put_le(d + 8, 3, 4);
             return "version 3 header on a version 4 file";
    case 32: put_le(d + 12, 2, 4); *expected = SC_ERR_VERSION;
             return "contents 2";
    case 33: put_le(d + 12, SC_MODEL_CONTENTS_INFERENCE, 4);
             return "contents inference on a full file (too long)";
    case 34: put_le(d + param_record(d, SC_MODEL_PARAM_SHRINK) + 4, 2, 4);
             *expected = SC_ERR_VERSION;
             return "record flag 2, unknown";
    case 35: put_le(d + param_record(d, SC_MODEL_PARAM_SHRINK) + 4,
                    0x80000001u, 4);
             *expected = SC_ERR_VERSION;
             return "record flags 0x80000001, one unknown";
    case 36: put_le(d + param_record(d, SC_MODEL_PARAM_POOL_SIGMA),
                    SC_MODEL_PARAM_THREADS, 4);
             return "a THREADS record, which version 4 does not hold";
    case 37: put_le(d + 40, 513, 4);
             return "513 parameter records, more than a file may hold";
    default: return NULL;
    }
}

START_TEST(load_hostile_files)
{
    size_t size = small_file();
    /* This test's CRC is the library's: resealing changes nothing. */
    memcpy(edited, small, size);
    reseal(edited, size);
    ck_assert(memcmp(edited, small, size) == 0);
    for (int w = 0;; w++) {
        sc_status expected;
        memcpy(edited, small, size);
        const char *name = hostile_edit(w, edited, size, &expected);
        if (name == NULL)
            break;
        reseal(edited, size);
        expect_bytes_rejected(edited, size, expected, SC_OK, name, (size_t)w);
    }
}
END_TEST

/* The small file with its parameter records replaced by `count` records
 * at `records` (16 bytes each), written to `edited`, both CRCs resealed;
 * returns its size. */
static size_t with_records(size_t size, const unsigned char *records,
                           uint32_t count)
{
    size_t weights = records_end(small) + 4, at = V4_HEADER;
    ck_assert_uint_le(V4_HEADER + V4_RECORD * (size_t)count + 4 +
                          (size - weights), SMALL_MAX);
    memcpy(edited, small, V4_HEADER);
    put_le(edited + 40, count, 4);
    memcpy(edited + at, records, V4_RECORD * (size_t)count);
    at += V4_RECORD * (size_t)count + 4;
    memcpy(edited + at, small + weights, size - weights);
    at += size - weights;
    reseal(edited, at);
    return at;
}

/* Loads the `size` bytes of `edited`. */
static sc_model *load_edited(size_t size)
{
    char path[TU_PATH_MAX];
    tu_path(path, dir, "tagged.bin");
    tu_write_file(path, edited, size);
    return load_ok(path);
}

START_TEST(load_tagged_records)
{
    /* Version 4's records carry their ids: their order does not matter, a
     * known parameter a file lacks takes its default (a file written
     * before the parameter existed), and an unknown one marked ignorable
     * is skipped (a file from a newer library). */
    size_t size = small_file();
    sc_model *m = small_model(5, 3, SC_OPTIMIZER_ADAM);
    uint32_t count = (uint32_t)get_le(small + 40, 4);
    const unsigned char *records = small + V4_HEADER;
    static unsigned char changed[V4_RECORD * (SC_MODEL_PARAM_COUNT + 1)];
    ck_assert_uint_lt(count, SC_MODEL_PARAM_COUNT + 1);

    /* Reversed. */
    for (uint32_t i = 0; i < count; i++)
        memcpy(changed + V4_RECORD * (size_t)i,
               records + V4_RECORD * (size_t)(count - 1 - i), V4_RECORD);
    sc_model *l = load_edited(with_records(size, changed, count));
    TU_ASSERT_SAME_MODEL(m, l);
    sc_model_free(l);

    /* Without SC_MODEL_PARAM_LEARNING_RATE (0.01 in the model): the
     * default, 0.05; the rest as saved. */
    size_t dropped = param_record(small, SC_MODEL_PARAM_LEARNING_RATE) -
                     V4_HEADER;
    memcpy(changed, records, dropped);
    memcpy(changed + dropped, records + dropped + V4_RECORD,
           V4_RECORD * (size_t)count - dropped - V4_RECORD);
    l = load_edited(with_records(size, changed, count - 1));
    double rate = 0;
    ck_assert_int_eq(sc_model_get(l, SC_MODEL_PARAM_LEARNING_RATE, &rate),
                     SC_OK);
    ck_assert(rate == 0.05);
    ck_assert_int_eq(sc_model_set(l, SC_MODEL_PARAM_LEARNING_RATE, 0.01),
                     SC_OK);
    TU_ASSERT_SAME_MODEL(m, l);
    sc_model_free(l);

    /* With an unknown parameter, id 1000, marked ignorable (flag 1). */
    memcpy(changed, records, V4_RECORD * (size_t)count);
    unsigned char *extra = changed + V4_RECORD * (size_t)count;
    put_le(extra, 1000, 4);
    put_le(extra + 4, 1, 4);
    put_f64(extra + 8, 42);
    l = load_edited(with_records(size, changed, count + 1));
    TU_ASSERT_SAME_MODEL(m, l);
    sc_model_free(l);
    /* The same record not marked ignorable: a newer library's file. */
    put_le(extra + 4, 0, 4);
    size_t refused = with_records(size, changed, count + 1);
    expect_bytes_rejected(edited, refused, SC_ERR_VERSION, SC_OK,
                          "unknown parameter 1000", 0);
    TU_ASSERT_CONTAINS(sc_last_message(), "parameter 1000 is unknown");
    sc_model_free(m);
}
END_TEST

/* Older versions hold exactly their parameters (src/modelfile.c):
 * version 3 every one, version 2 not ids 19 and 48-52, version 1 not the
 * seven local ones (12-18) either; they have no contents field and no
 * header CRC, and 12-byte records { id, value }.  Such a file, made here
 * from a dense model's current one (_i = 0, 1, 2: version 1, 2, 3), still
 * loads, as the same model, which saves as the current file again.  The
 * thread count versions 2 and 3 hold (3 here) is not loaded: the model
 * keeps its default. */
static int in_version(uint64_t id, int version)
{
    if (version < 3 && (id == SC_MODEL_PARAM_ENCODER ||
                        (id >= SC_MODEL_PARAM_ENCODER_MAX_NORM &&
                         id <= SC_MODEL_PARAM_INIT_NOISE)))
        return 0;
    return version >= 2 || id < SC_MODEL_PARAM_LOCAL_FIELD ||
           id > SC_MODEL_PARAM_POOL_POSITIONS;
}

START_TEST(load_older_versions)
{
    int version = _i + 1;
    size_t size = small_file();
    /* magic, version, n, k, steps, count */
    memcpy(edited, small, 8);
    put_le(edited + 8, (uint64_t)version, 4);
    memcpy(edited + 12, small + 16, 24);
    uint32_t count = (uint32_t)get_le(small + 40, 4), kept = 0;
    size_t out = 40;
    for (uint32_t i = 0; i < count; i++) {
        const unsigned char *rec = small + V4_HEADER + V4_RECORD * (size_t)i;
        ck_assert_uint_eq(get_le(rec + 4, 4), 0);  /* no flags */
        if (!in_version(get_le(rec, 4), version))
            continue;
        memcpy(edited + out, rec, 4);
        memcpy(edited + out + 4, rec + 8, 8);
        out += 12;
        kept++;
    }
    if (in_version(SC_MODEL_PARAM_THREADS, version)) {
        put_le(edited + out, SC_MODEL_PARAM_THREADS, 4);
        put_f64(edited + out + 4, 3);
        out += 12;
        kept++;
    }
    /* docs/file-format.md: 25, 32 and 38 parameters. */
    const uint32_t expected[] = {25, 32, 38};
    ck_assert_uint_eq(kept, expected[version - 1]);
    put_le(edited + 36, kept, 4);
    size_t weights = records_end(small) + 4;
    memcpy(edited + out, small + weights, size - weights);
    out += size - weights;
    put_le(edited + out - 4, crc32_ieee(edited, out - 4), 4);

    char path[TU_PATH_MAX], again[TU_PATH_MAX];
    tu_path(path, dir, "old.bin");
    tu_path(again, dir, "current.bin");
    tu_write_file(path, edited, out);
    sc_model *m = load_ok(path);
    double threads = -1;
    ck_assert_int_eq(sc_model_get(m, SC_MODEL_PARAM_THREADS, &threads), SC_OK);
    ck_assert(threads == 0);
    save_ok(m, again);
    size_t size2;
    unsigned char *data = tu_read_file(again, &size2);
    ck_assert_uint_eq(size2, size);
    ck_assert(memcmp(data, small, size) == 0);
    free(data);
    sc_model_free(m);
}
END_TEST

/* ---- atomic saving ---------------------------------------------------------- */

START_TEST(save_replaces_whole_file)
{
    sc_model *m = small_model(5, 3, 0);
    char path[TU_PATH_MAX], fresh[TU_PATH_MAX];
    tu_path(path, dir, "m.bin");
    tu_path(fresh, dir, "fresh.bin");
    /* A longer file first: none of its tail may survive. */
    size_t junk_size = 100000;
    unsigned char *junk = malloc(junk_size);
    ck_assert_ptr_nonnull(junk);
    memset(junk, 0xEE, junk_size);
    tu_write_file(path, junk, junk_size);
    save_ok(m, path);
    save_ok(m, fresh);
    size_t sa, sb;
    unsigned char *a = tu_read_file(path, &sa), *b = tu_read_file(fresh, &sb);
    ck_assert_uint_eq(sa, sb);
    ck_assert(memcmp(a, b, sa) == 0);
    ck_assert_uint_eq(tu_dir_entries(dir), 2);
    sc_model_free(load_ok(path));
    free(a);
    free(b);
    free(junk);
    sc_model_free(m);
}
END_TEST

static const char old_text[] = "the previous file, which must survive";

static void write_old(const char *path)
{
    tu_write_file(path, old_text, sizeof old_text);
}

static void assert_old(const char *path)
{
    size_t size;
    unsigned char *now = tu_read_file(path, &size);
    ck_assert_uint_eq(size, sizeof old_text);
    ck_assert(memcmp(now, old_text, size) == 0);
    free(now);
}

START_TEST(failed_save_keeps_existing_file)
{
    /* The write fails part way (a file size limit, which binds root too):
     * the old file is intact and no temporary file is left. */
    sc_model *m = small_model(5, 3, 0);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "m.bin");
    write_old(path);
    struct rlimit saved, small;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 100;
    void (*handler)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert(handler != SIG_ERR);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    sc_status s = sc_model_save(m, path, SC_MODEL_CONTENTS_FULL);
    /* Restore before any assertion: Check itself writes files. */
    int restored = setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, handler);
    ck_assert_int_eq(restored, 0);
    ck_assert_msg(s == SC_ERR_IO, "save gave %s", sc_status_string(s));
    assert_old(path);
    ck_assert_uint_eq(tu_dir_entries(dir), 1);
    sc_model_free(m);
}
END_TEST

START_TEST(failed_save_over_a_directory)
{
    /* path names a non-empty directory: rename cannot replace it. */
    sc_model *m = small_model(5, 3, 0);
    char path[TU_PATH_MAX], inner[TU_PATH_MAX];
    tu_path(path, dir, "m.bin");
    ck_assert_int_eq(mkdir(path, 0700), 0);
    tu_path(inner, path, "keep");
    write_old(inner);
    ck_assert_int_eq(sc_model_save(m, path, SC_MODEL_CONTENTS_FULL), SC_ERR_IO);
    assert_old(inner);
    ck_assert_uint_eq(tu_dir_entries(dir), 1);
    ck_assert_uint_eq(tu_dir_entries(path), 1);
    sc_model_free(m);
}
END_TEST

START_TEST(failed_save_in_read_only_directory)
{
    sc_model *m = small_model(5, 3, 0);
    char sub[TU_PATH_MAX], path[TU_PATH_MAX], probe[TU_PATH_MAX];
    tu_path(sub, dir, "ro");
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    tu_path(path, sub, "m.bin");
    tu_path(probe, sub, "probe");
    write_old(path);
    ck_assert_int_eq(chmod(sub, 0500), 0);
    /* Root (or a capability) writes anyway: nothing to test then. */
    FILE *f = fopen(probe, "w");
    if (f != NULL) {
        fclose(f);
        unlink(probe);
    } else {
        sc_status s = sc_model_save(m, path, SC_MODEL_CONTENTS_FULL);
        ck_assert_msg(s == SC_ERR_IO, "save gave %s", sc_status_string(s));
        assert_old(path);
        ck_assert_uint_eq(tu_dir_entries(sub), 1);
    }
    ck_assert_int_eq(chmod(sub, 0700), 0);
    sc_model_free(m);
}
END_TEST

START_TEST(saved_file_permissions)
{
    /* docs/file-format.md: the permissions a plain fopen would give. */
    sc_model *m = small_model(5, 3, 0);
    const mode_t masks[] = {022, 077, 002};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        char path[TU_PATH_MAX];
        tu_path(path, dir, "perm.bin");
        mode_t old = umask(masks[i]);
        sc_status s = sc_model_save(m, path, SC_MODEL_CONTENTS_FULL);
        umask(old);
        ck_assert_int_eq(s, SC_OK);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_msg((st.st_mode & 0777) == (0666 & ~masks[i]),
                      "umask %03o: mode %03o", (unsigned)masks[i],
                      (unsigned)(st.st_mode & 0777));
        ck_assert_int_eq(unlink(path), 0);
    }
    sc_model_free(m);
}
END_TEST

START_TEST(save_keeps_mode_and_owner)
{
    /* Saving over a file keeps its mode whatever the umask, and (as root)
     * its owner and group. */
    sc_model *m = small_model(5, 3, 0);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "kept.bin");
    const mode_t modes[] = {0600, 0640, 0444, 0604};
    mode_t old_mask = umask(022);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        write_old(path);
        ck_assert_int_eq(chmod(path, modes[i]), 0);
        sc_status s = sc_model_save(m, path, SC_MODEL_CONTENTS_FULL);
        struct stat st;
        int stated = stat(path, &st);
        umask(old_mask);
        ck_assert_int_eq(s, SC_OK);
        ck_assert_int_eq(stated, 0);
        ck_assert_msg((st.st_mode & 07777) == modes[i], "mode %03o saved "
                      "over became %03o", (unsigned)modes[i],
                      (unsigned)(st.st_mode & 07777));
        umask(022);
    }
    umask(old_mask);
    if (geteuid() == 0) {
        write_old(path);
        ck_assert_int_eq(chown(path, 12345, 23456), 0);
        save_ok(m, path);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_uint_eq(st.st_uid, 12345);
        ck_assert_uint_eq(st.st_gid, 23456);
    }
    ck_assert_uint_eq(tu_dir_entries(dir), 1);
    sc_model_free(m);
}
END_TEST

START_TEST(save_longest_names)
{
    /* Names of 250 and 255 (NAME_MAX) bytes: the temporary's name must
     * fit too. */
    sc_model *m = small_model(5, 3, 0);
    const size_t lengths[] = {250, NAME_MAX};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        char name[NAME_MAX + 1], path[TU_PATH_MAX];
        memset(name, 'a' + (int)i, lengths[i]);
        name[lengths[i]] = '\0';
        tu_path(path, dir, name);
        save_ok(m, path);
        assert_loads_as(m, path);
        save_ok(m, path);
    }
    ck_assert_uint_eq(tu_dir_entries(dir), 2);
    sc_model_free(m);
}
END_TEST

START_TEST(save_to_a_bare_name)
{
    /* A path without a directory part: the current directory's. */
    sc_model *m = small_model(5, 3, 0);
    char cwd[TU_PATH_MAX];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(dir), 0);
    sc_status s = sc_model_save(m, "bare.bin", SC_MODEL_CONTENTS_FULL);
    sc_status again = sc_model_save(m, "bare.bin", SC_MODEL_CONTENTS_FULL);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_int_eq(s, SC_OK);
    ck_assert_int_eq(again, SC_OK);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "bare.bin");
    assert_loads_as(m, path);
    ck_assert_uint_eq(tu_dir_entries(dir), 1);
    sc_model_free(m);
}
END_TEST

START_TEST(save_not_blocked_by_leftovers)
{
    /* Files under the names that saves of an earlier process with this
     * PID might have left when killed (path.tmp-PID-N, the old scheme: in
     * a container the application is always PID 1) do not stop a save;
     * nor does a file under the new scheme's prefix. */
    sc_model *m = small_model(5, 3, 0);
    char path[TU_PATH_MAX], other[TU_PATH_MAX];
    tu_path(path, dir, "m.bin");
    const int leftovers = 1000;
    for (int i = 0; i < leftovers; i++) {
        char name[64];
        snprintf(name, sizeof name, "m.bin.tmp-%ld-%d", (long)getpid(), i);
        tu_path(other, dir, name);
        tu_write_file(other, "", 0);
    }
    tu_path(other, dir, ".sc-save-not-a-temporary");
    tu_write_file(other, "", 0);
    save_ok(m, path);
    assert_loads_as(m, path);
    /* Others' files are not the save's to remove. */
    ck_assert_uint_eq(tu_dir_entries(dir), (size_t)leftovers + 2);
    sc_model_free(m);
}
END_TEST

START_TEST(save_killed_by_file_size_limit)
{
    /* A child saving under `ulimit -f` is killed by SIGXFSZ mid-write:
     * the old file is intact, and after the next save nothing is left
     * beside it. */
    sc_model *m = small_model(5, 3, 0);
    char path[TU_PATH_MAX];
    tu_path(path, dir, "m.bin");
    write_old(path);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct rlimit small = {100, 100};
        signal(SIGXFSZ, SIG_DFL);
        setrlimit(RLIMIT_FSIZE, &small);
        (void)!sc_model_save(m, path, SC_MODEL_CONTENTS_FULL);
        _exit(0);
    }
    int wstatus;
    ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
    ck_assert(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGXFSZ);
    assert_old(path);
    save_ok(m, path);
    ck_assert_uint_eq(tu_dir_entries(dir), 1);
    sc_model_free(m);
}
END_TEST

/* Saves a or b to path alternately until killed. */
_Noreturn static void save_until_killed(const sc_model *a, const sc_model *b,
                                        const char *path)
{
    for (unsigned i = 0;; i++)
        if (sc_model_save(i % 2 ? b : a, path, SC_MODEL_CONTENTS_FULL) != SC_OK)
            _exit(1);
}

START_TEST(save_killed_at_random_moments)
{
    /* A child saving two models in turn is killed (SIGKILL) at random
     * moments, 150 times: the target is always one of the two models
     * whole; after the next save no temporary is left.  About 2 s. */
    sc_model *a = small_model(5, 3, 0), *b = small_model(6, 4, 1);
    char out[TU_PATH_MAX], path[TU_PATH_MAX], ref_a[TU_PATH_MAX],
        ref_b[TU_PATH_MAX];
    tu_path(ref_a, dir, "a.bin");
    tu_path(ref_b, dir, "b.bin");
    save_ok(a, ref_a);
    save_ok(b, ref_b);
    size_t size_a, size_b;
    unsigned char *bytes_a = tu_read_file(ref_a, &size_a);
    unsigned char *bytes_b = tu_read_file(ref_b, &size_b);
    tu_path(out, dir, "out");
    ck_assert_int_eq(mkdir(out, 0700), 0);
    tu_path(path, out, "target.bin");
    save_ok(a, path);
    unsigned seed = 20261130;
    int kills = 150, exited = 0, left_over = 0;
    for (int i = 0; i < kills; i++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0)
            save_until_killed(a, b, path);
        /* 0 to 5 ms: before, during and between saves. */
        struct timespec pause = {0, (long)(rand_r(&seed) % 5000) * 1000};
        nanosleep(&pause, NULL);
        kill(pid, SIGKILL);
        int wstatus;
        ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
        exited += !WIFSIGNALED(wstatus);
        left_over += tu_dir_entries(out) > 1;
        size_t size;
        unsigned char *now = tu_read_file(path, &size);
        int is_a = size == size_a && memcmp(now, bytes_a, size) == 0;
        int is_b = size == size_b && memcmp(now, bytes_b, size) == 0;
        free(now);
        ck_assert_msg(is_a || is_b, "kill %d: the target is neither model",
                      i);
    }
    ck_assert_int_eq(exited, 0);
    save_ok(b, path);
    ck_assert_msg(tu_dir_entries(out) == 1, "%zu files beside the target "
                  "after a save (%d of %d kills had left one)",
                  tu_dir_entries(out) - 1, left_over, kills);
    free(bytes_a);
    free(bytes_b);
    sc_model_free(a);
    sc_model_free(b);
}
END_TEST

#define SAVERS 4

typedef struct {
    const sc_model *m;
    char path[TU_PATH_MAX];
    sc_status status;
} save_job;

static void *save_in_thread(void *arg)
{
    save_job *j = arg;
    j->status = sc_model_save(j->m, j->path, SC_MODEL_CONTENTS_FULL);
    return NULL;
}

START_TEST(concurrent_saves)
{
    /* Saving is a const call: several threads at once, to different
     * paths, write the same bytes. */
    sc_model *m = small_model(7, 9, 1);
    save_job jobs[SAVERS];
    pthread_t threads[SAVERS];
    for (int t = 0; t < SAVERS; t++) {
        char name[32];
        snprintf(name, sizeof name, "m%d.bin", t);
        jobs[t].m = m;
        jobs[t].status = SC_ERR_NOMEM;
        tu_path(jobs[t].path, dir, name);
        ck_assert_int_eq(pthread_create(&threads[t], NULL, save_in_thread,
                                        &jobs[t]), 0);
    }
    for (int t = 0; t < SAVERS; t++)
        ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
    size_t first_size;
    unsigned char *first = tu_read_file(jobs[0].path, &first_size);
    for (int t = 0; t < SAVERS; t++) {
        ck_assert_int_eq(jobs[t].status, SC_OK);
        size_t size;
        unsigned char *bytes = tu_read_file(jobs[t].path, &size);
        ck_assert_uint_eq(size, first_size);
        ck_assert(memcmp(bytes, first, size) == 0);
        free(bytes);
    }
    ck_assert_uint_eq(tu_dir_entries(dir), SAVERS);
    free(first);
    sc_model_free(m);
}
END_TEST

/* ---- slow: only with SC_SLOW_TESTS set ------------------------------------ */

#define UMASK_SAVERS 4
#define UMASK_SAVES 1500

typedef struct {
    const sc_model *m;
    char path[TU_PATH_MAX];
    int failures, wrong_mode;
} umask_saver;

static pthread_mutex_t savers_lock = PTHREAD_MUTEX_INITIALIZER;
static int savers_finished;

static void *save_repeatedly(void *arg)
{
    umask_saver *j = arg;
    for (int i = 0; i < UMASK_SAVES; i++) {
        struct stat st;
        if (sc_model_save(j->m, j->path, SC_MODEL_CONTENTS_FULL) != SC_OK ||
            stat(j->path, &st) != 0)
            j->failures++;
        else if ((st.st_mode & 0777) != 0644)
            j->wrong_mode++;
    }
    pthread_mutex_lock(&savers_lock);
    savers_finished++;
    pthread_mutex_unlock(&savers_lock);
    return NULL;
}

static int all_savers_finished(void)
{
    pthread_mutex_lock(&savers_lock);
    int done = savers_finished == UMASK_SAVERS;
    pthread_mutex_unlock(&savers_lock);
    return done;
}

START_TEST(save_leaves_the_umask_alone)
{
    /* Saving is a const call that may run beside anything: it must not
     * change process-wide state such as the umask, even for an instant.
     * Savers run while this thread keeps creating files with mode 0666
     * under umask 022: every one must come out 0644, and so must every
     * saved model.  A race, so a pass proves little; a failure is real.
     * About 7 s. */
    sc_model *m = small_model(5, 3, 0);
    mode_t old = umask(022);
    umask_saver jobs[UMASK_SAVERS];
    pthread_t threads[UMASK_SAVERS];
    savers_finished = 0;
    for (int t = 0; t < UMASK_SAVERS; t++) {
        char name[32];
        snprintf(name, sizeof name, "s%d.bin", t);
        jobs[t] = (umask_saver){m, "", 0, 0};
        tu_path(jobs[t].path, dir, name);
        ck_assert_int_eq(pthread_create(&threads[t], NULL, save_repeatedly,
                                        &jobs[t]), 0);
    }
    char probe[TU_PATH_MAX];
    tu_path(probe, dir, "probe");
    long created = 0, wrong = 0;
    while (!all_savers_finished()) {
        int fd = open(probe, O_CREAT | O_EXCL | O_WRONLY, 0666);
        if (fd < 0)
            continue;
        struct stat st;
        if (fstat(fd, &st) == 0 && (st.st_mode & 0777) != 0644)
            wrong++;
        created++;
        close(fd);
        unlink(probe);
    }
    for (int t = 0; t < UMASK_SAVERS; t++)
        ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
    mode_t after = umask(old);
    ck_assert_msg(after == 022, "the saves left the umask at %03o",
                  (unsigned)after);
    for (int t = 0; t < UMASK_SAVERS; t++) {
        ck_assert_int_eq(jobs[t].failures, 0);
        ck_assert_msg(jobs[t].wrong_mode == 0, "saver %d: %d saved files "
                      "not 0644 under umask 022", t, jobs[t].wrong_mode);
    }
    ck_assert_msg(wrong == 0, "%ld of %ld files created beside the saves "
                  "were not 0644: the umask changed", wrong, created);
    sc_model_free(m);
}
END_TEST

Suite *file_suite(void)
{
    Suite *s = suite_create("file");

    TCase *save = tcase_create("save");
    tcase_add_unchecked_fixture(save, make_base, remove_base);
    tcase_add_checked_fixture(save, make_dir, remove_dir);
    tcase_add_test(save, save_null_arguments);
    tcase_add_test(save, save_bad_contents);
    tcase_add_test(save, save_uninitialised);
    tcase_add_loop_test(save, inference_round_trip, 0, 4);
    tcase_add_test(save, save_into_missing_directory);
    tcase_add_loop_test(save, round_trip_bit_for_bit, 0, 4);
    tcase_add_loop_test(save, resume_bit_for_bit, 0, 4);
    suite_add_tcase(s, save);

    TCase *load = tcase_create("load");
    tcase_add_unchecked_fixture(load, make_base, remove_base);
    tcase_add_checked_fixture(load, make_dir, remove_dir);
    tcase_add_test(load, load_null_arguments);
    tcase_add_test(load, load_missing_or_not_a_file);
    tcase_add_test(load, load_fifo_returns);
    tcase_add_test(load, load_garbage);
    tcase_add_test(load, load_every_truncation);
    tcase_add_test(load, load_every_byte_corrupted);
    tcase_add_test(load, load_trailing_bytes);
    tcase_add_test(load, load_hostile_files);
    tcase_add_test(load, load_checks_length_before_allocating);
    tcase_add_test(load, load_reads_in_bounded_chunks);
    tcase_add_test(load, load_allocation_failure_is_nomem);
    tcase_add_loop_test(load, load_older_versions, 0, 3);
    tcase_add_test(load, load_tagged_records);
    suite_add_tcase(s, load);

    TCase *atomic = tcase_create("atomic");
    tcase_add_unchecked_fixture(atomic, make_base, remove_base);
    tcase_add_checked_fixture(atomic, make_dir, remove_dir);
    tcase_add_test(atomic, save_replaces_whole_file);
    tcase_add_test(atomic, failed_save_keeps_existing_file);
    tcase_add_test(atomic, failed_save_over_a_directory);
    tcase_add_test(atomic, failed_save_in_read_only_directory);
    tcase_add_test(atomic, saved_file_permissions);
    tcase_add_test(atomic, concurrent_saves);
    tcase_add_test(atomic, save_keeps_mode_and_owner);
    tcase_add_test(atomic, save_longest_names);
    tcase_add_test(atomic, save_to_a_bare_name);
    tcase_add_test(atomic, save_not_blocked_by_leftovers);
    suite_add_tcase(s, atomic);

    /* Over a second of forks, kills and synced saves: more time under
     * the sanitizers and on slow disks. */
    TCase *killed = tcase_create("killed");
    tcase_set_timeout(killed, 30);
    tcase_add_unchecked_fixture(killed, make_base, remove_base);
    tcase_add_checked_fixture(killed, make_dir, remove_dir);
    tcase_add_test(killed, save_killed_at_random_moments);
    tcase_add_test(killed, save_killed_by_file_size_limit);
    suite_add_tcase(s, killed);

    if (getenv("SC_SLOW_TESTS") != NULL) {
        TCase *slow = tcase_create("slow");
        tcase_set_timeout(slow, 120);
        tcase_add_unchecked_fixture(slow, make_base, remove_base);
        tcase_add_checked_fixture(slow, make_dir, remove_dir);
        tcase_add_test(slow, save_leaves_the_umask_alone);
        suite_add_tcase(s, slow);
    }
    return s;
}
