/* SPDX-License-Identifier: BSD-2-Clause */
/* warm_start.c -- see warm_start.h; the byte layout is that of
 * docs/file-format.md. */
#define _POSIX_C_SOURCE 200809L
#include "warm_start.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

/* The common CRC-32 (reflected polynomial 0xEDB88320), as zlib's. */
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

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++, v >>= 8)
        p[i] = (unsigned char)(v & 0xFF);
}

/* Rewrites the file image in place; 0, or -1 if it is not laid out as
 * format version 3 says. */
static int rewrite(unsigned char *f, size_t size, int steps)
{
    if (size < 44 || memcmp(f, "SCMODEL", 8) != 0 || get_le(f + 8, 4) != 3)
        return -1;
    put_le(f + 28, 0, 8);                        /* steps taken */
    size_t params = (size_t)get_le(f + 36, 4), at = 40;
    int found = 0;
    for (size_t i = 0; i < params; i++, at += 12) {
        if (at + 12 > size - 4)
            return -1;
        if (get_le(f + at, 4) == SC_MODEL_PARAM_ITERATIONS) {
            double t = steps;
            uint64_t bits;
            memcpy(&bits, &t, sizeof bits);
            put_le(f + at + 4, bits, 8);
            found = 1;
        }
    }
    /* the six weight records: {u32 index, u64 count, count f32 weights,
     * count f32 m1, count f32 m2}; the moments become zeros */
    for (int r = 0; r < 6; r++) {
        if (at + 12 > size - 4)
            return -1;
        size_t count = (size_t)get_le(f + at + 4, 8);
        at += 12 + 4 * count;
        if (count > size || at + 8 * count > size - 4)
            return -1;
        memset(f + at, 0, 8 * count);
        at += 8 * count;
    }
    if (!found || at != size - 4)
        return -1;
    put_le(f + size - 4, crc32_ieee(f, size - 4), 4);
    return 0;
}

/* Reads the file at path, rewrites it and writes it back; 0 or -1. */
static int rewrite_file(const char *path, int steps)
{
    FILE *fp = fopen(path, "r+b");
    if (fp == NULL)
        return -1;
    unsigned char *f = NULL;
    long size = -1;
    int ok = fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) > 0 &&
             fseek(fp, 0, SEEK_SET) == 0 &&
             (f = malloc((size_t)size)) != NULL &&
             fread(f, 1, (size_t)size, fp) == (size_t)size &&
             rewrite(f, (size_t)size, steps) == 0 &&
             fseek(fp, 0, SEEK_SET) == 0 &&
             fwrite(f, 1, (size_t)size, fp) == (size_t)size;
    free(f);
    return fclose(fp) == 0 && ok ? 0 : -1;
}

int warm_start(const char *program, const sc_model *from, int steps,
               sc_model **out)
{
    char path[4096];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/%s-warm-XXXXXX", dir ? dir : "/tmp",
             program);
    int fd = mkstemp(path);
    if (fd < 0) {
        fprintf(stderr, "%s: warm start: cannot create %s\n", program, path);
        return 1;
    }
    close(fd);
    int rc = 0;
    sc_status s = sc_model_save(from, path, SC_MODEL_CONTENTS_FULL);
    if (s != SC_OK)
        rc = report_failure(program, "sc_model_save", s);
    else if (rewrite_file(path, steps) != 0) {
        fprintf(stderr, "%s: warm start: cannot rewrite the model file "
                "%s\n", program, path);
        rc = 1;
    } else if ((s = sc_model_load(out, path)) != SC_OK)
        rc = report_failure(program, "sc_model_load", s);
    unlink(path);
    return rc;
}
