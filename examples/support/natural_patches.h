/* SPDX-License-Identifier: BSD-2-Clause */
/* natural_patches.h -- patches of photographs for the examples: every
 * PGM image of a directory, locally contrast-normalised, cut into
 * patches from separate column bands for training, validation and test. */
#ifndef EXAMPLE_NATURAL_PATCHES_H
#define EXAMPLE_NATURAL_PATCHES_H

#include <stddef.h>

#include "pgm.h"

typedef struct {
    size_t count;
    pgm_image *images;   /* contrast-normalised pixels */
} natural_images;

/* The three parts of every image: its columns [lo, hi) as fractions of
 * its width.  Training is the left 70 %, validation the next 15 %, test
 * the right 15 %. */
typedef enum { NATURAL_TRAIN, NATURAL_VALIDATION, NATURAL_TEST } natural_part;

/* Reads every file whose name ends in ".pgm" in dir, in name order, and
 * applies local contrast normalisation to each (natural_contrast_normalize
 * with the given sigma).  Returns 0, or -1 with a message in err. */
int natural_read_dir(const char *dir, double sigma, natural_images *out,
                     char *err, size_t errsize);
void natural_free(natural_images *im);

/* Local contrast normalisation (Jarrett, Kavukcuoglu, Ranzato & LeCun,
 * ICCV 2009), in place: with G a Gaussian window of width sigma pixels
 * (weights renormalised at the borders),
 *     v = x - G*x,   s = sqrt(G*v^2),   y = v / max(mean(s), s),
 * so that each neighbourhood has mean 0 and, where there is contrast,
 * unit local deviation, while flat regions are not blown up.
 * Returns 0, or -1 (out of memory). */
int natural_contrast_normalize(float *pixels, size_t rows, size_t cols,
                               double sigma);

/* Cuts count side x side patches at random positions (a 64-bit LCG with
 * state *rng) of random images, inside the columns of part, into out
 * (count x side*side).  Returns 0, or -1 with a message (a part narrower
 * or an image lower than a patch). */
int natural_cut_patches(const natural_images *im, natural_part part,
                        size_t side, float *out, size_t count,
                        unsigned long long *rng, char *err, size_t errsize);

#endif
