/* SPDX-License-Identifier: BSD-2-Clause */
/* make_corpus.c -- writes the fuzzers' seed corpus (make fuzz runs it):
 *
 *   make_corpus DIR
 *
 *   DIR/load_raw/     real saved models of every kind, each trained a few
 *                     steps so the optimiser state is not zero: dense
 *                     (SGD), dense Adam, LCoD, a classifier, contiguous
 *                     groups, topographic groups, local, local with pools
 *                     over positions; the classifier's inference-only
 *                     file; and format versions 1, 2 and 3 of the dense
 *                     model, 2 of the local one (rewritten as
 *                     tests/check_file.c's load_older_versions does)
 *   DIR/load_struct/  byte strings that make model_file.c write each kind
 *   DIR/load_buffer/  the same for the load_buffer harness
 *   DIR/idx_read/     small IDX files, images and labels, plain and gzip,
 *                     in idx_read.c's input format (an options byte first)
 *   DIR/api_calls/    byte strings that start each model kind
 *   DIR/dict_file/    saved dictionary learners (online and SGD; coded by
 *                     FISTA, CD_ACTIVE, COD; signed and non-negative), in
 *                     dict_file.c's input format (a leading byte)
 *
 * Every file is a few KB at most; a fixed generator makes them the same
 * on every run.  Exits 0, or 1 with a message. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crc32.h"
#include "model.h"
#include "model_file.h"
#include "sparsecode.h"

static const char *root;
static unsigned long long state = 20261130ULL;

static unsigned next_byte(void)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(state >> 56);
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "make_corpus: %s: %s\n", what, detail);
    exit(1);
}

static void check(sc_status status, const char *what)
{
    if (status != SC_OK)
        die(what, sc_last_message());
}

static void path_of(char *path, size_t size, const char *sub,
                    const char *name)
{
    snprintf(path, size, "%s/%s%s%s", root, sub, name ? "/" : "",
             name ? name : "");
}

static void write_file(const char *sub, const char *name, const void *data,
                       size_t size)
{
    char path[4096];
    path_of(path, sizeof path, sub, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        die("cannot write", path);
}

static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        die("cannot read", path);
    unsigned char *data = malloc(1 << 20);
    *size = fread(data, 1, 1 << 20, f);
    fclose(f);
    return data;
}

/* ---- saved models ---------------------------------------------------- */

typedef struct {
    const char *name;
    size_t n, k;
    struct { sc_model_param id; double value; } set[10];
} model_kind;

static const model_kind kinds[] = {
    {"dense", 16, 8, {{SC_MODEL_PARAM_ITERATIONS, 3}}},
    {"dense-adam", 16, 8, {{SC_MODEL_PARAM_ITERATIONS, 3},
                           {SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM}}},
    {"dense-lcod-soft", 12, 6, {{SC_MODEL_PARAM_ENCODER, SC_ENCODER_LCOD},
                                {SC_MODEL_PARAM_SHRINK, SC_SHRINK_SOFT}}},
    {"classes", 16, 8, {{SC_MODEL_PARAM_ITERATIONS, 2}, {SC_MODEL_PARAM_CLASSES, 3},
                        {SC_MODEL_PARAM_CLASS_WEIGHT, 1}}},
    {"groups-contiguous", 12, 8, {{SC_MODEL_PARAM_ITERATIONS, 2},
                                  {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS},
                                  {SC_MODEL_PARAM_GROUP_SIZE, 2},
                                  {SC_MODEL_PARAM_GROUP_WEIGHT, 0.1}}},
    {"groups-topographic", 12, 9, {{SC_MODEL_PARAM_ITERATIONS, 2},
                                   {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC},
                                   {SC_MODEL_PARAM_POOL_SIZE, 2},
                                   {SC_MODEL_PARAM_POOL_SIGMA, 1},
                                   {SC_MODEL_PARAM_GROUP_WEIGHT, 0.1}}},
    /* 1 x 5 x 5 images, 3 x 3 windows at stride 2: 2 x 2 positions. */
    {"local", 25, 8, {{SC_MODEL_PARAM_LOCAL_FIELD, 3}, {SC_MODEL_PARAM_LOCAL_STRIDE, 2},
                      {SC_MODEL_PARAM_IMAGE_HEIGHT, 5}, {SC_MODEL_PARAM_IMAGE_WIDTH, 5},
                      {SC_MODEL_PARAM_ITERATIONS, 2}, {SC_MODEL_PARAM_THREADS, 1}}},
    {"local-pools", 25, 8, {{SC_MODEL_PARAM_LOCAL_FIELD, 3}, {SC_MODEL_PARAM_LOCAL_STRIDE, 2},
                            {SC_MODEL_PARAM_IMAGE_HEIGHT, 5}, {SC_MODEL_PARAM_IMAGE_WIDTH, 5},
                            {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC},
                            {SC_MODEL_PARAM_TORUS_ROWS, 1}, {SC_MODEL_PARAM_TORUS_COLS, 2},
                            {SC_MODEL_PARAM_POOL_SIZE, 1}, {SC_MODEL_PARAM_POOL_POSITIONS, 2}}},
};
#define KINDS (sizeof kinds / sizeof kinds[0])

/* Makes, trains three steps and saves one kind; returns its path. */
static void save_kind(const model_kind *kind, char *path, size_t size)
{
    sc_model *m;
    check(sc_model_create(&m, kind->n, kind->k), kind->name);
    for (int i = 0; i < 10 && kind->set[i].id != 0; i++)
        check(sc_model_set(m, kind->set[i].id, kind->set[i].value),
              kind->name);
    check(sc_model_set(m, SC_MODEL_PARAM_THREADS, 1), kind->name);
    check(sc_model_init_random(m, 7), kind->name);
    enum { BATCH = 4 };
    float x[BATCH * 32];
    int32_t labels[BATCH];
    for (int step = 0; step < 3; step++) {
        for (size_t i = 0; i < BATCH * kind->n; i++)
            x[i] = (float)next_byte() / 255.0f;
        for (int i = 0; i < BATCH; i++)
            labels[i] = (int32_t)(next_byte() % 3);
        check(sc_model_step(m, x, labels, NULL, BATCH, NULL), kind->name);
    }
    char name[128];
    snprintf(name, sizeof name, "%s.bin", kind->name);
    path_of(path, size, "load_raw", name);
    check(sc_model_save(m, path, SC_MODEL_CONTENTS_FULL), kind->name);
    sc_model_free(m);
}

/* The saved model at `full` saved again without its optimiser state, as
 * load_raw/NAME. */
static void save_inference(const char *full, const char *name)
{
    sc_model *m;
    check(sc_model_load(&m, full), name);
    char path[4096];
    path_of(path, sizeof path, "load_raw", name);
    check(sc_model_save(m, path, SC_MODEL_CONTENTS_INFERENCE), name);
    sc_model_free(m);
}

/* Rewrites the current-version (4) file of a full save at `path` as
 * format `version` (1 to 3): no contents field, the parameters that
 * version holds as 12-byte records { id, value } (the thread count, which
 * version 4 does not hold, as 1), no header CRC, the CRC resealed. */
static void write_old_version(const char *path, unsigned version,
                              const char *name)
{
    size_t size;
    unsigned char *cur = read_file(path, &size);
    unsigned char *old = malloc(size + 12);
    memcpy(old, cur, 8);
    old[8] = (unsigned char)version;
    old[9] = old[10] = old[11] = 0;
    memcpy(old + 12, cur + 16, 24);                 /* n, k, steps */
    uint32_t count = cur[40] | cur[41] << 8, kept = 0;
    size_t at = 40;
    for (int i = 0; i < SC_MODEL_PARAM_COUNT; i++) {
        uint32_t id = (uint32_t)sc_param_at(i)->id;
        if (!sc_param_in_file_version(id, version))
            continue;
        unsigned char value[8] = {0, 0, 0, 0, 0, 0, 0xF0, 0x3F};  /* 1.0 */
        for (uint32_t r = 0; r < count; r++) {
            const unsigned char *rec = cur + 44 + 16 * (size_t)r;
            if ((uint32_t)(rec[0] | rec[1] << 8) == id)
                memcpy(value, rec + 8, 8);
        }
        for (int b = 0; b < 4; b++)
            old[at + (size_t)b] = (unsigned char)(id >> (8 * b));
        memcpy(old + at + 4, value, 8);
        at += 12;
        kept++;
    }
    old[36] = (unsigned char)kept;
    old[37] = (unsigned char)(kept >> 8);
    old[38] = old[39] = 0;
    size_t weights = 44 + 16 * (size_t)count + 4;
    memcpy(old + at, cur + weights, size - weights - 4);
    at += size - weights - 4;
    uint32_t crc = sc_crc32(old, at);
    for (int i = 0; i < 4; i++)
        old[at++] = (unsigned char)(crc >> (8 * i));
    write_file("load_raw", name, old, at);
    free(cur);
    free(old);
}

/* ---- dictionary files -------------------------------------------------- */

/* A 6 x 4 learner with these settings, three steps taken, saved. */
static void save_dictionary(const char *name, int method, int coder,
                            int nonnegative)
{
    enum { N = 6, K = 4, COUNT = 16, BATCH = 4 };
    sc_dictionary *d;
    check(sc_dictionary_create(&d, N, K), name);
    check(sc_dictionary_set(d, SC_DICTIONARY_PARAM_METHOD, method), name);
    check(sc_dictionary_set(d, SC_DICTIONARY_PARAM_SOLVER_METHOD, coder), name);
    check(sc_dictionary_set(d, SC_DICTIONARY_PARAM_NONNEGATIVE, nonnegative),
          name);
    float x[COUNT * N];
    for (size_t i = 0; i < COUNT * N; i++)
        x[i] = (float)next_byte() / 255.0f - (nonnegative ? 0.0f : 0.5f);
    check(sc_dictionary_init_data(d, x, COUNT, 3), name);
    for (int step = 0; step < 3; step++)
        check(sc_dictionary_step(d, x + step * BATCH * N, BATCH, NULL), name);
    /* dict_file.c's input: a byte saying "reseal the CRC" (1), the file */
    char path[4096];
    path_of(path, sizeof path, "dict_file", "saving.tmp");
    check(sc_dictionary_save(d, path), name);
    sc_dictionary_free(d);
    size_t size;
    unsigned char *file = read_file(path, &size);
    remove(path);
    unsigned char *input = malloc(size + 1);
    if (input == NULL)
        die("out of memory", name);
    input[0] = 1;
    memcpy(input + 1, file, size);
    write_file("dict_file", name, input, size + 1);
    free(file);
    free(input);
}

/* ---- IDX files ------------------------------------------------------- */

/* A tiny IDX file in idx_read.c's format: options byte, header, data. */
static void write_idx(const char *name, unsigned options)
{
    unsigned char buf[16 + 3 * 16 + 1];
    int labels = options & 1;
    size_t at = 0;
    buf[at++] = (unsigned char)options;
    const unsigned char images_head[16] = {0, 0, 8, 3, 0, 0, 0, 3,
                                           0, 0, 0, 4, 0, 0, 0, 4};
    const unsigned char labels_head[8] = {0, 0, 8, 1, 0, 0, 0, 3};
    memcpy(buf + at, labels ? labels_head : images_head, labels ? 8 : 16);
    at += labels ? 8 : 16;
    for (size_t i = 0; i < (labels ? 3u : 48u); i++)
        buf[at++] = (unsigned char)(labels ? next_byte() % 10 : next_byte());
    write_file("idx_read", name, buf, at);
}

/* ---- byte strings for the generator harnesses ------------------------ */

static void write_bytes(const char *sub, unsigned kind, unsigned version)
{
    unsigned char buf[256];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)next_byte();
    char name[64];
    size_t at = 0;
    if (version != 0)
        buf[at++] = (unsigned char)version;  /* model_file.c: 0 is v4,
                                                2 v2, 3 v1, 4 v3 */
    buf[at + 2] = (unsigned char)kind;       /* after n and k */
    snprintf(name, sizeof name, "kind%u-v%u", kind, version);
    write_file(sub, name, buf, sizeof buf);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_corpus DIR\n");
        return 2;
    }
    root = argv[1];
    const char *subs[] = {NULL, "load_raw", "load_struct", "load_buffer",
                          "idx_read", "api_calls", "dict_file"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        char path[4096];
        path_of(path, sizeof path, subs[i] ? subs[i] : "", NULL);
        if (mkdir(path, 0777) != 0 && i == 0)
            die("cannot create", path);
    }
    char path[4096], dense[4096], local[4096], classes[4096];
    for (size_t i = 0; i < KINDS; i++) {
        save_kind(&kinds[i], path, sizeof path);
        if (strcmp(kinds[i].name, "dense") == 0)
            strcpy(dense, path);
        if (strcmp(kinds[i].name, "local") == 0)
            strcpy(local, path);
        if (strcmp(kinds[i].name, "classes") == 0)
            strcpy(classes, path);
    }
    write_old_version(dense, 1, "dense-v1.bin");
    write_old_version(dense, 2, "dense-v2.bin");
    write_old_version(dense, 3, "dense-v3.bin");
    write_old_version(local, 2, "local-v2.bin");
    save_inference(classes, "classes-inference.bin");

    save_dictionary("online-fista.bin", SC_DICTIONARY_METHOD_ONLINE,
                    SC_SOLVER_METHOD_FISTA, 0);
    save_dictionary("online-cd.bin", SC_DICTIONARY_METHOD_ONLINE,
                    SC_SOLVER_METHOD_CD_ACTIVE, 1);
    save_dictionary("sgd-cod.bin", SC_DICTIONARY_METHOD_SGD,
                    SC_SOLVER_METHOD_COD, 0);

    write_idx("images", 0x00);
    write_idx("labels", 0x01);
    write_idx("images-gzip", 0x02);
    write_idx("labels-gzip-two-members", 0x07);
    write_idx("images-gzip-fallback-name", 0x0a);

    for (unsigned kind = 0; kind < 6; kind++) {
        write_bytes("load_struct", kind, 0);
        write_bytes("api_calls", kind, 0);
    }
    write_bytes("load_struct", 0, 3);   /* version 1 */
    write_bytes("load_struct", 5, 2);   /* version 2, local */
    write_bytes("load_struct", 1, 4);   /* version 3 */
    for (unsigned kind = 0; kind < 6; kind++)
        write_bytes("load_buffer", kind, 0);
    return 0;
}
