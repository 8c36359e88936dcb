/* SPDX-License-Identifier: BSD-2-Clause */
/* testutil.h -- helpers shared by the Check suites: the table of every
 * public parameter, deterministic data, models built in one call, a
 * training loop, bit-for-bit snapshots of a model's observable state, and
 * a scratch directory.  Helpers that cannot continue (a setup step that
 * fails) fail the running test through ck_assert. */
#ifndef SC_TESTUTIL_H
#define SC_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sparsecode.h"

/* ---- the parameters, as the header documents them --------------------- */

/* One public parameter.  lo/hi are the bounds the header states (NaN where
 * it states none); lo_open/hi_open mark an exclusive end, e.g. the
 * learning rate's (0, 1e3], where the library's inclusive bound must lie
 * strictly inside. */
typedef struct {
    sc_model_param id;
    const char *name;      /* "SC_MODEL_PARAM_ITERATIONS" */
    int integral;          /* counts, enums and flags */
    int structural;        /* settable before init only */
    double def;            /* the documented default */
    double lo, hi;
    int lo_open, hi_open;
} tu_param;

extern const tu_param tu_params[];
extern const size_t tu_param_count;

/* Identifiers that name no parameter. */
extern const int tu_unknown_params[];
extern const size_t tu_unknown_param_count;

/* ---- data ------------------------------------------------------------- */

/* Fills x[0..count) with values uniform in [lo, hi), a fixed function of
 * seed (splitmix64), the same on every platform. */
void tu_fill(float *x, size_t count, uint64_t seed, float lo, float hi);

/* A training set: count samples of n inputs, labels i % classes (0 when
 * classes is 0) and targets of k units in [0, 1). */
typedef struct {
    size_t count, n, k;
    float *x;
    int32_t *labels;
    float *targets;
} tu_data;

tu_data tu_data_make(size_t count, size_t n, size_t k, size_t classes,
                     uint64_t seed);
void tu_data_free(tu_data *d);

/* ---- models ----------------------------------------------------------- */

typedef struct {
    sc_model_param id;
    double value;
} tu_setting;

#define TU_NO_INIT UINT64_MAX

/* A pointer no allocation returns, to pre-set an out argument with and
 * check that a failed call left it untouched. */
extern sc_model *const tu_sentinel;

/* A new n x k model with the settings applied in order, initialised by
 * sc_model_init_random(seed) unless seed is TU_NO_INIT. */
sc_model *tu_model(size_t n, size_t k, const tu_setting *settings,
                   size_t count, uint64_t seed);

/* Asserts that sc_model_set succeeds. */
void tu_set(sc_model *m, sc_model_param id, double value);

/* Runs `steps` training steps of `batch` samples, cycling through the data
 * set: step s (counting from first_step) uses samples starting at
 * (s * batch) % count, so a run split in two (0..a, a..b) sees the same
 * batches as one run.  Labels and targets are passed always.  losses, if
 * not NULL, receives each step's stats.loss.  Asserts SC_OK. */
void tu_train(sc_model *m, const tu_data *d, size_t batch, size_t first_step,
              size_t steps, double *losses);

/* ---- snapshots -------------------------------------------------------- */

#define TU_WEIGHT_COUNT 6

/* Everything the public API shows of a model: sizes, state, step count,
 * every parameter (and the status of each get), every weight array (and
 * the status of each sc_model_weights call), copied. */
typedef struct {
    size_t n, k;
    int initialized;
    uint64_t steps;
    double params[64];
    sc_status param_status[64];
    sc_status weight_status[TU_WEIGHT_COUNT];
    size_t rows[TU_WEIGHT_COUNT], cols[TU_WEIGHT_COUNT];
    float *weights[TU_WEIGHT_COUNT];
} tu_snapshot;

void tu_snapshot_take(const sc_model *m, tu_snapshot *s);
void tu_snapshot_free(tu_snapshot *s);

/* NULL when the two snapshots are equal bit for bit, else a description of
 * the first difference (in a static buffer). */
const char *tu_snapshot_diff(const tu_snapshot *a, const tu_snapshot *b);

#define TU_ASSERT_SAME_SNAPSHOT(a, b)                                     \
    do {                                                                  \
        const char *tu_diff_ = tu_snapshot_diff((a), (b));                \
        ck_assert_msg(tu_diff_ == NULL, "snapshots differ: %s", tu_diff_); \
    } while (0)

/* Asserts that model m looks exactly as in the snapshot *before. */
#define TU_ASSERT_UNCHANGED(m, before)                                    \
    do {                                                                  \
        tu_snapshot tu_now_;                                              \
        tu_snapshot_take((m), &tu_now_);                                  \
        const char *tu_diff_ = tu_snapshot_diff((before), &tu_now_);      \
        ck_assert_msg(tu_diff_ == NULL, "model changed: %s", tu_diff_);   \
        tu_snapshot_free(&tu_now_);                                       \
    } while (0)

/* Asserts that models a and b look the same bit for bit. */
#define TU_ASSERT_SAME_MODEL(a, b)                                        \
    do {                                                                  \
        tu_snapshot tu_a_, tu_b_;                                         \
        tu_snapshot_take((a), &tu_a_);                                    \
        tu_snapshot_take((b), &tu_b_);                                    \
        TU_ASSERT_SAME_SNAPSHOT(&tu_a_, &tu_b_);                          \
        tu_snapshot_free(&tu_a_);                                         \
        tu_snapshot_free(&tu_b_);                                         \
    } while (0)

/* ---- assertions ------------------------------------------------------- */

/* Asserts that the string s is not NULL and contains needle. */
#define TU_ASSERT_CONTAINS(s, needle)                                     \
    do {                                                                  \
        const char *tu_s_ = (s);                                          \
        ck_assert_msg(tu_s_ != NULL && strstr(tu_s_, (needle)) != NULL,   \
                      "\"%s\" does not contain \"%s\"",                   \
                      tu_s_ ? tu_s_ : "(null)", (needle));                \
    } while (0)

/* Asserts |a[i] - b[i]| <= rel * max(1, |b[i]|) for every i. */
#define TU_ASSERT_CLOSE(a, b, count, rel)                                 \
    do {                                                                  \
        size_t tu_i_ = tu_first_far((a), (b), (count), (rel));            \
        ck_assert_msg(tu_i_ == (size_t)-1, "element %zu: %.9g vs %.9g",   \
                      tu_i_, tu_i_ == (size_t)-1 ? 0.0 : (double)(a)[tu_i_], \
                      tu_i_ == (size_t)-1 ? 0.0 : (double)(b)[tu_i_]);    \
    } while (0)

/* The first index where a and b differ by more than rel * max(1, |b|), or
 * (size_t)-1. */
size_t tu_first_far(const float *a, const float *b, size_t count, double rel);

/* ---- files ------------------------------------------------------------ */

/* Creates a fresh private directory under parent (NULL: $TMPDIR, or /tmp);
 * path must hold at least TU_PATH_MAX bytes. */
#define TU_PATH_MAX 512
void tu_tempdir_make(char *path, const char *parent);

/* Removes a directory and everything under it (restoring write permission
 * where needed).  Missing is fine. */
void tu_tempdir_remove(const char *path);

/* The number of entries in a directory, without "." and "..". */
size_t tu_dir_entries(const char *path);

/* snprintf into a TU_PATH_MAX buffer, asserting it fits. */
void tu_path(char *out, const char *dir, const char *name);

/* Whole-file read (malloc'd, *size set) and write; both assert success. */
unsigned char *tu_read_file(const char *path, size_t *size);
void tu_write_file(const char *path, const void *data, size_t size);

/* The length of a long loop (steps of a learning run, say): `full`, or
 * `reduced` under `make valgrind`, which sets SC_TEST_UNDER_VALGRIND=1.
 * memcheck runs the code some 50 times slower; the same paths are taken
 * with fewer repetitions, and make check and make sanitize run the full
 * length.  Only for loops whose assertions hold at every length. */
size_t tu_loop_length(size_t full, size_t reduced);

#endif
