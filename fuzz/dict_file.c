/* SPDX-License-Identifier: BSD-2-Clause */
/* dict_file.c -- libFuzzer harness: the fuzzer's bytes are an options
 * byte and a dictionary file, loaded by sc_dictionary_load (from a
 * memfd).  When the options byte is odd the file's last four bytes are
 * first replaced by the CRC of the others, so that mutations reach the
 * checks behind the CRC (the seeds, from make_corpus, are saved learners
 * with a 1 in front).  A load may only
 * succeed or say SC_ERR_FORMAT / SC_ERR_VERSION, leaving *out alone.  A
 * learner that loads must hold finite atoms in the unit ball, take a step
 * on an input made of the file's own bytes (with a documented status),
 * and survive a save and load unchanged. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc32.h"
#include "dictionary.h"
#include "fuzz_util.h"
#include "sparsecode.h"

/* A step costs about batch * k * (n + k) per coder iteration: a learner
 * bigger than this is only loaded and saved, not stepped. */
#define MAX_WORK ((size_t)1 << 16)
#define BATCH 2

static void fail(const char *what, sc_status status)
{
    fprintf(stderr, "%s: %s (%s)\n", what, sc_status_string(status),
            sc_last_message());
    abort();
}

static sc_dictionary *load_checked(const char *path)
{
    static long sentinel_object;
    sc_dictionary *sentinel = (sc_dictionary *)(void *)&sentinel_object;
    sc_dictionary *d = sentinel;
    sc_status status = sc_dictionary_load(&d, path);
    if (status == SC_OK) {
        if (d == sentinel || d == NULL)
            fail("sc_dictionary_load: SC_OK without a learner", status);
        return d;
    }
    if (d != sentinel)
        fail("sc_dictionary_load: failed but wrote *out", status);
    if (status != SC_ERR_FORMAT && status != SC_ERR_VERSION)
        fail("sc_dictionary_load", status);
    return NULL;
}

/* What a loaded learner must be: initialised, atoms finite and in the
 * unit ball (to float rounding). */
static void check_atoms(const sc_dictionary *d)
{
    const float *atoms = NULL;
    sc_status status = sc_dictionary_atoms(d, &atoms);
    if (status != SC_OK)
        fail("sc_dictionary_atoms on a loaded learner", status);
    for (size_t j = 0; j < d->k; j++) {
        double norm = 0.0;
        for (size_t i = 0; i < d->n; i++) {
            if (!isfinite(atoms[i * d->k + j]))
                fail("loaded atoms hold NaN or Inf", SC_OK);
            norm += (double)atoms[i * d->k + j] * atoms[i * d->k + j];
        }
        if (!(sqrt(norm) <= 1.0 + 1e-4))
            fail("a loaded atom is outside the unit ball", SC_OK);
    }
}

/* Saves d and loads it again: the same learner, bit for bit. */
static void check_round_trip(const sc_dictionary *d)
{
    char path[256];
    snprintf(path, sizeof path, "%s/dict.bin", fz_scratch_dir());
    sc_status status = sc_dictionary_save(d, path);
    if (status != SC_OK)
        fail("sc_dictionary_save of a loaded learner", status);
    sc_dictionary *again = load_checked(path);
    if (again == NULL)
        fail("a saved learner does not load", SC_ERR_FORMAT);
    size_t n = d->n, k = d->k;
    if (again->steps != d->steps ||
        memcmp(again->values, d->values, sizeof d->values) != 0 ||
        memcmp(again->atoms, d->atoms, n * k * sizeof(float)) != 0 ||
        memcmp(again->a, d->a, k * k * sizeof(float)) != 0 ||
        memcmp(again->b, d->b, n * k * sizeof(float)) != 0)
        fail("save and load changed the learner", SC_OK);
    sc_dictionary_free(again);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned char *file = malloc(size);
    if (file == NULL)
        abort();
    size_t length = size - 1;
    memcpy(file, data + 1, length);
    if ((data[0] & 1) && length >= 4) {
        uint32_t crc = sc_crc32(file, length - 4);
        for (int i = 0; i < 4; i++)
            file[length - 4 + i] = (unsigned char)(crc >> (8 * i));
    }
    char path[32];
    int fd = fz_memfile(file, length, path);
    free(file);
    sc_dictionary *d = load_checked(path);
    close(fd);
    if (d == NULL)
        return 0;
    check_atoms(d);
    if (BATCH * d->k * (d->n + d->k) <= MAX_WORK) {
        fz_bytes more = {data, size, 0};
        float *x = malloc(BATCH * d->n * sizeof *x);
        if (x == NULL)
            abort();
        for (size_t i = 0; i < BATCH * d->n; i++)
            x[i] = fz_float(&more);
        /* A step may refuse non-finite input (or an update that would
         * make it), or input whose D^T x overflows (the solver's
         * SC_ERR_RANGE, passed through). */
        sc_status status = sc_dictionary_step(d, x, BATCH, NULL);
        if (status != SC_OK && status != SC_ERR_NONFINITE &&
            status != SC_ERR_RANGE)
            fail("sc_dictionary_step on a loaded learner", status);
        check_atoms(d);
        free(x);
    }
    check_round_trip(d);
    sc_dictionary_free(d);
    return 0;
}
