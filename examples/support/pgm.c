/* SPDX-License-Identifier: BSD-2-Clause */
/* pgm.c -- a binary PGM reader that checks the header and the length. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "pgm.h"

/* The next header number: skips white space and "#" comments up to the
 * end of their line.  Returns 0, or -1 if there is no number. */
static int header_number(FILE *f, unsigned long *value)
{
    int c = fgetc(f);
    for (;;) {
        while (c != EOF && isspace(c))
            c = fgetc(f);
        if (c != '#')
            break;
        while (c != EOF && c != '\n')
            c = fgetc(f);
    }
    if (c == EOF || !isdigit(c))
        return -1;
    unsigned long v = 0;
    for (; c != EOF && isdigit(c); c = fgetc(f)) {
        if (v > 100000000UL)
            return -1;
        v = v * 10 + (unsigned long)(c - '0');
    }
    /* Exactly one white-space character ends the header's last number. */
    if (c == EOF || !isspace(c))
        return -1;
    *value = v;
    return 0;
}

int pgm_read(const char *path, pgm_image *out, char *err, size_t errsize)
{
    *out = (pgm_image){0};
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errsize, "%s: cannot open", path);
        return -1;
    }
    unsigned long cols = 0, rows = 0, maxval = 0;
    int ok = fgetc(f) == 'P' && fgetc(f) == '5' &&
             header_number(f, &cols) == 0 && header_number(f, &rows) == 0 &&
             header_number(f, &maxval) == 0;
    if (!ok || cols == 0 || rows == 0 || maxval == 0 || maxval > 65535 ||
        cols > 100000 || rows > 100000) {
        snprintf(err, errsize, "%s: not a binary PGM (P5) image of at most "
                 "100000 x 100000 pixels", path);
        fclose(f);
        return -1;
    }
    size_t count = (size_t)rows * cols, bytes = maxval > 255 ? 2 : 1;
    unsigned char *raw = malloc(count * bytes);
    float *pixels = malloc(count * sizeof *pixels);
    if (raw == NULL || pixels == NULL) {
        snprintf(err, errsize, "%s: out of memory", path);
        ok = 0;
    } else if (fread(raw, bytes, count, f) != count) {
        snprintf(err, errsize, "%s: truncated pixel data", path);
        ok = 0;
    }
    for (size_t i = 0; ok && i < count; i++) {
        unsigned v = bytes == 1 ? raw[i] : (unsigned)raw[2 * i] << 8 | raw[2 * i + 1];
        if (v > maxval) {
            snprintf(err, errsize, "%s: a pixel above maxval %lu", path,
                     maxval);
            ok = 0;
        }
        pixels[i] = (float)v / (float)maxval;
    }
    free(raw);
    fclose(f);
    if (!ok) {
        free(pixels);
        return -1;
    }
    *out = (pgm_image){.rows = rows, .cols = cols, .pixels = pixels};
    return 0;
}

void pgm_free(pgm_image *image)
{
    free(image->pixels);
    *image = (pgm_image){0};
}
