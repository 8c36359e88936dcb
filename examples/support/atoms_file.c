/* SPDX-License-Identifier: BSD-2-Clause */
/* atoms_file.c -- the raw atoms file of atoms_file.h. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoms_file.h"

static const char MAGIC[8] = {'S', 'C', 'A', 'T', 'O', 'M', 'S', '1'};
#define MAX_SIDE ((size_t)1 << 24)

static void put_u32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

int atoms_file_write(const char *path, const float *d, size_t n, size_t k,
                     char *err, size_t errsize)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return -1;
    }
    unsigned char head[16];
    memcpy(head, MAGIC, sizeof MAGIC);
    put_u32(head + 8, (uint32_t)n);
    put_u32(head + 12, (uint32_t)k);
    int ok = fwrite(head, 1, sizeof head, f) == sizeof head;
    for (size_t i = 0; ok && i < n * k; i++) {
        uint32_t bits;
        unsigned char b[4];
        memcpy(&bits, &d[i], sizeof bits);
        put_u32(b, bits);
        ok = fwrite(b, 1, 4, f) == 4;
    }
    ok &= fclose(f) == 0;
    if (!ok)
        snprintf(err, errsize, "%s: write failed", path);
    return ok ? 0 : -1;
}

/* Reads the n x k values that follow the header; 0 or -1 with a message. */
static int read_values(FILE *f, const char *path, float *d, size_t count,
                       char *err, size_t errsize)
{
    for (size_t i = 0; i < count; i++) {
        unsigned char b[4];
        if (fread(b, 1, 4, f) != 4) {
            snprintf(err, errsize, "%s: truncated (%zu of %zu values)", path,
                     i, count);
            return -1;
        }
        uint32_t bits = get_u32(b);
        memcpy(&d[i], &bits, sizeof bits);
        if (!isfinite(d[i])) {
            snprintf(err, errsize, "%s: value %zu is not finite", path, i);
            return -1;
        }
    }
    if (fgetc(f) != EOF) {
        snprintf(err, errsize, "%s: longer than its header says", path);
        return -1;
    }
    return 0;
}

int atoms_file_read(const char *path, float **d, size_t *n, size_t *k,
                    char *err, size_t errsize)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return -1;
    }
    unsigned char head[16];
    if (fread(head, 1, sizeof head, f) != sizeof head ||
        memcmp(head, MAGIC, sizeof MAGIC) != 0) {
        snprintf(err, errsize, "%s: not an atoms file (no SCATOMS1 header)",
                 path);
        fclose(f);
        return -1;
    }
    size_t rows = get_u32(head + 8), cols = get_u32(head + 12);
    if (rows == 0 || cols == 0 || rows > MAX_SIDE || cols > MAX_SIDE ||
        rows > ((size_t)1 << 31) / cols) {
        snprintf(err, errsize, "%s: implausible size %zu x %zu", path, rows,
                 cols);
        fclose(f);
        return -1;
    }
    float *values = malloc(rows * cols * sizeof *values);
    int rc = values == NULL ? -1 : 0;
    if (rc != 0)
        snprintf(err, errsize, "%s: out of memory for %zu x %zu atoms", path,
                 rows, cols);
    else
        rc = read_values(f, path, values, rows * cols, err, errsize);
    fclose(f);
    if (rc != 0) {
        free(values);
        return -1;
    }
    *d = values;
    *n = rows;
    *k = cols;
    return 0;
}
