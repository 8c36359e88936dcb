/* SPDX-License-Identifier: BSD-2-Clause */
/* pgm.h -- reading binary greyscale PGM ("P5") images, for the examples. */
#ifndef EXAMPLE_PGM_H
#define EXAMPLE_PGM_H

#include <stddef.h>

typedef struct {
    size_t rows, cols;
    float *pixels;   /* rows x cols, row-major, scaled to [0, 1] */
} pgm_image;

/* Reads a binary PGM (magic "P5", maxval 1..65535; 2 bytes per pixel,
 * most significant first, when maxval > 255), with "#" comments in the
 * header.  Returns 0, or -1 with a message in err (size errsize). */
int pgm_read(const char *path, pgm_image *out, char *err, size_t errsize);

void pgm_free(pgm_image *image);

#endif
