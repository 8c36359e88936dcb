/* SPDX-License-Identifier: BSD-2-Clause */
/* testutil.c -- helpers shared by the Check suites (see testutil.h). */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

/* ---- the parameters --------------------------------------------------- */

#define P(id, integral, structural, def, lo, hi, lo_open, hi_open) \
    { id, #id, integral, structural, def, lo, hi, lo_open, hi_open }

/* Bounds and defaults as written next to each value in sparsecode.h; the
 * enum-valued parameters span their enum, the flag 0 and 1.  NAN: the
 * header states no bound. */
const tu_param tu_params[] = {
    P(SC_MODEL_PARAM_ITERATIONS,           1, 1, 11,   1, 1000,   0, 0),
    P(SC_MODEL_PARAM_SHRINK,               1, 1, 0,    0, 1,      0, 0),
    P(SC_MODEL_PARAM_CLASSES,              1, 1, 0,    0, 100000, 0, 0),
    P(SC_MODEL_PARAM_GROUP_LAYOUT,         1, 1, 0,    0, 2,      0, 0),
    P(SC_MODEL_PARAM_GROUP_SIZE,           1, 1, 4,    1, 1e6,    0, 0),
    P(SC_MODEL_PARAM_TORUS_ROWS,           1, 1, 0,    0, 1e6,    0, 0),
    P(SC_MODEL_PARAM_TORUS_COLS,           1, 1, 0,    0, 1e6,    0, 0),
    P(SC_MODEL_PARAM_POOL_SIZE,            1, 1, 3,    1, 1000,   0, 0),
    P(SC_MODEL_PARAM_POOL_STRIDE,          1, 1, 1,    1, 1000,   0, 0),
    P(SC_MODEL_PARAM_POOL_SIGMA,           0, 1, 0,    0, NAN,    0, 0),
    P(SC_MODEL_PARAM_GROUP_EPSILON,        0, 1, 1e-8, 0, 1,      0, 0),
    P(SC_MODEL_PARAM_ENCODER,              1, 1, 0,    0, 1,      0, 0),
    P(SC_MODEL_PARAM_RECON_WEIGHT,         0, 0, 1,    0, NAN,    0, 0),
    P(SC_MODEL_PARAM_L1_WEIGHT,            0, 0, 0.1,  0, NAN,    0, 0),
    P(SC_MODEL_PARAM_GROUP_WEIGHT,         0, 0, 0,    0, NAN,    0, 0),
    P(SC_MODEL_PARAM_CLASS_WEIGHT,         0, 0, 0,    0, NAN,    0, 0),
    P(SC_MODEL_PARAM_REGRESSION_WEIGHT,    0, 0, 0,    0, NAN,    0, 0),
    P(SC_MODEL_PARAM_NORMALIZE_CODE,       1, 0, 1,    0, 1,      0, 0),
    P(SC_MODEL_PARAM_OPTIMIZER,            1, 0, 0,    0, 1,      0, 0),
    P(SC_MODEL_PARAM_LEARNING_RATE,        0, 0, 0.05, 0, 1e3,    1, 0),
    P(SC_MODEL_PARAM_MOMENTUM,             0, 0, 0.9,  0, 1,      0, 1),
    P(SC_MODEL_PARAM_ADAM_BETA1,           0, 0, 0.9,  0, 1,      0, 1),
    P(SC_MODEL_PARAM_ADAM_BETA2,           0, 0, 0.999, 0, 1,     0, 1),
    P(SC_MODEL_PARAM_ADAM_EPSILON,         0, 0, 1e-8, 0, 1,      1, 0),
    P(SC_MODEL_PARAM_DECODER_MAX_NORM,     0, 0, 1,    NAN, NAN,  0, 0),
    P(SC_MODEL_PARAM_CLASSIFIER_MAX_NORM,  0, 0, 5,    NAN, NAN,  0, 0),
    P(SC_MODEL_PARAM_ENCODER_MAX_NORM,     0, 0, 0,    0, 1e6,    0, 0),
    P(SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE, 0, 0, 1,   NAN, 1e6,  0, 0),
    P(SC_MODEL_PARAM_REPEAT_SCALING,       1, 0, 1,    0, 1,      0, 0),
    P(SC_MODEL_PARAM_INIT_STEP,            0, 0, 0,    0, 1e6,    0, 0),
    P(SC_MODEL_PARAM_INIT_NOISE,           0, 0, 0,    0, 1e6,    0, 0),
};

const size_t tu_param_count = sizeof tu_params / sizeof tu_params[0];

const int tu_unknown_params[] = {0, 26, 39, 53, 9999, -1};
const size_t tu_unknown_param_count =
    sizeof tu_unknown_params / sizeof tu_unknown_params[0];

/* ---- data ------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void tu_fill(float *x, size_t count, uint64_t seed, float lo, float hi)
{
    uint64_t state = seed;
    for (size_t i = 0; i < count; i++) {
        double u = (double)(splitmix64(&state) >> 11) / 9007199254740992.0;
        x[i] = (float)(lo + (hi - lo) * u);
    }
}

tu_data tu_data_make(size_t count, size_t n, size_t k, size_t classes,
                     uint64_t seed)
{
    tu_data d = {count, n, k, malloc(count * n * sizeof(float)),
                 malloc(count * sizeof(int32_t)),
                 malloc(count * k * sizeof(float))};
    ck_assert(d.x != NULL && d.labels != NULL && d.targets != NULL);
    tu_fill(d.x, count * n, seed, -1.0f, 1.0f);
    tu_fill(d.targets, count * k, seed + 1, 0.0f, 1.0f);
    for (size_t i = 0; i < count; i++)
        d.labels[i] = classes > 0 ? (int32_t)(i % classes) : 0;
    return d;
}

void tu_data_free(tu_data *d)
{
    free(d->x);
    free(d->labels);
    free(d->targets);
    d->x = d->targets = NULL;
    d->labels = NULL;
}

/* ---- models ----------------------------------------------------------- */

static long sentinel_object;
sc_model *const tu_sentinel = (sc_model *)(void *)&sentinel_object;

void tu_set(sc_model *m, sc_model_param id, double value)
{
    sc_status s = sc_model_set(m, id, value);
    ck_assert_msg(s == SC_OK, "sc_model_set(%d, %g): %s (%s)", (int)id, value,
                  sc_status_string(s), sc_model_message(m));
}

sc_model *tu_model(size_t n, size_t k, const tu_setting *settings,
                   size_t count, uint64_t seed)
{
    sc_model *m = NULL;
    sc_status s = sc_model_create(&m, n, k);
    ck_assert_msg(s == SC_OK, "sc_model_create(%zu, %zu): %s", n, k,
                  sc_status_string(s));
    for (size_t i = 0; i < count; i++)
        tu_set(m, settings[i].id, settings[i].value);
    if (seed != TU_NO_INIT) {
        s = sc_model_init_random(m, seed);
        ck_assert_msg(s == SC_OK, "sc_model_init_random: %s (%s)",
                      sc_status_string(s), sc_model_message(m));
    }
    return m;
}

void tu_train(sc_model *m, const tu_data *d, size_t batch, size_t first_step,
              size_t steps, double *losses)
{
    ck_assert(batch >= 1 && batch <= d->count);
    for (size_t s = first_step; s < first_step + steps; s++) {
        size_t start = (s * batch) % (d->count - batch + 1);
        sc_model_stats stats = {.size = sizeof stats};
        sc_status st = sc_model_step(m, d->x + start * d->n,
                                     d->labels + start,
                                     d->targets + start * d->k, batch,
                                     &stats);
        ck_assert_msg(st == SC_OK, "step %zu: %s (%s)", s, sc_status_string(st),
                      sc_model_message(m));
        if (losses != NULL)
            losses[s - first_step] = stats.loss;
    }
}

/* ---- snapshots -------------------------------------------------------- */

void tu_snapshot_take(const sc_model *m, tu_snapshot *s)
{
    memset(s, 0, sizeof *s);
    ck_assert(tu_param_count <= sizeof s->params / sizeof s->params[0]);
    s->n = sc_model_inputs(m);
    s->k = sc_model_units(m);
    s->initialized = sc_model_is_initialized(m);
    s->steps = sc_model_steps_taken(m);
    for (size_t i = 0; i < tu_param_count; i++)
        s->param_status[i] = sc_model_get(m, tu_params[i].id, &s->params[i]);
    for (int w = 0; w < TU_WEIGHT_COUNT; w++) {
        const float *data = NULL;
        size_t rows = 0, cols = 0;
        s->weight_status[w] = sc_model_weights(m, (sc_weight)(w + 1), &data,
                                               &rows, &cols);
        if (s->weight_status[w] != SC_OK)
            continue;
        s->rows[w] = rows;
        s->cols[w] = cols;
        size_t bytes = rows * cols * sizeof(float);
        s->weights[w] = malloc(bytes > 0 ? bytes : 1);
        ck_assert(s->weights[w] != NULL);
        if (bytes > 0)
            memcpy(s->weights[w], data, bytes);
    }
}

void tu_snapshot_free(tu_snapshot *s)
{
    for (int w = 0; w < TU_WEIGHT_COUNT; w++) {
        free(s->weights[w]);
        s->weights[w] = NULL;
    }
}

const char *tu_snapshot_diff(const tu_snapshot *a, const tu_snapshot *b)
{
    static char text[256];
    if (a->n != b->n || a->k != b->k)
        return "sizes";
    if (a->initialized != b->initialized) {
        snprintf(text, sizeof text, "is_initialized %d vs %d", a->initialized,
                 b->initialized);
        return text;
    }
    if (a->steps != b->steps) {
        snprintf(text, sizeof text, "steps_taken %llu vs %llu",
                 (unsigned long long)a->steps, (unsigned long long)b->steps);
        return text;
    }
    for (size_t i = 0; i < tu_param_count; i++)
        if (a->param_status[i] != b->param_status[i] ||
            memcmp(&a->params[i], &b->params[i], sizeof a->params[i]) != 0) {
            snprintf(text, sizeof text, "%s: %.17g vs %.17g",
                     tu_params[i].name, a->params[i], b->params[i]);
            return text;
        }
    for (int w = 0; w < TU_WEIGHT_COUNT; w++) {
        if (a->weight_status[w] != b->weight_status[w] ||
            a->rows[w] != b->rows[w] || a->cols[w] != b->cols[w]) {
            snprintf(text, sizeof text, "weight %d: status %d vs %d, shape "
                     "%zux%zu vs %zux%zu", w + 1, (int)a->weight_status[w],
                     (int)b->weight_status[w], a->rows[w], a->cols[w],
                     b->rows[w], b->cols[w]);
            return text;
        }
        for (size_t i = 0; i < a->rows[w] * a->cols[w]; i++)
            if (memcmp(&a->weights[w][i], &b->weights[w][i],
                       sizeof(float)) != 0) {
                snprintf(text, sizeof text, "weight %d [%zu]: %.9g vs %.9g",
                         w + 1, i, (double)a->weights[w][i],
                         (double)b->weights[w][i]);
                return text;
            }
    }
    return NULL;
}

/* ---- assertions ------------------------------------------------------- */

size_t tu_first_far(const float *a, const float *b, size_t count, double rel)
{
    for (size_t i = 0; i < count; i++) {
        double scale = fabs((double)b[i]) > 1.0 ? fabs((double)b[i]) : 1.0;
        if (!(fabs((double)a[i] - (double)b[i]) <= rel * scale))
            return i;
    }
    return (size_t)-1;
}

/* ---- files ------------------------------------------------------------ */

void tu_tempdir_make(char *path, const char *parent)
{
    const char *base = parent != NULL ? parent : getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    int len = snprintf(path, TU_PATH_MAX, "%s/sc_test_XXXXXX", base);
    ck_assert(len > 0 && len < TU_PATH_MAX);
    ck_assert_msg(mkdtemp(path) != NULL, "mkdtemp(%s): %s", path,
                  strerror(errno));
}

void tu_tempdir_remove(const char *path)
{
    chmod(path, 0700);
    DIR *dir = opendir(path);
    if (dir == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char child[TU_PATH_MAX];
        tu_path(child, path, e->d_name);
        struct stat st;
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
            tu_tempdir_remove(child);
        else
            unlink(child);
    }
    closedir(dir);
    rmdir(path);
}

size_t tu_dir_entries(const char *path)
{
    DIR *dir = opendir(path);
    ck_assert_msg(dir != NULL, "opendir(%s): %s", path, strerror(errno));
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            count++;
    closedir(dir);
    return count;
}

void tu_path(char *out, const char *dir, const char *name)
{
    int len = snprintf(out, TU_PATH_MAX, "%s/%s", dir, name);
    ck_assert(len > 0 && len < TU_PATH_MAX);
}

unsigned char *tu_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "fopen(%s): %s", path, strerror(errno));
    ck_assert(fseek(f, 0, SEEK_END) == 0);
    long len = ftell(f);
    ck_assert(len >= 0);
    ck_assert(fseek(f, 0, SEEK_SET) == 0);
    unsigned char *data = malloc((size_t)len + 1);
    ck_assert(data != NULL);
    ck_assert(fread(data, 1, (size_t)len, f) == (size_t)len);
    fclose(f);
    *size = (size_t)len;
    return data;
}

void tu_write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "fopen(%s): %s", path, strerror(errno));
    ck_assert(size == 0 || fwrite(data, 1, size, f) == size);
    ck_assert(fclose(f) == 0);
}

size_t tu_loop_length(size_t full, size_t reduced)
{
    const char *v = getenv("SC_TEST_UNDER_VALGRIND");
    return v != NULL && v[0] == '1' ? reduced : full;
}
