/* SPDX-License-Identifier: BSD-2-Clause */
/* natural_patches.c -- contrast-normalised photographs cut into patches. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batches.h"
#include "natural_patches.h"

static const double part_bounds[][2] = {
    [NATURAL_TRAIN] = {0.0, 0.7},
    [NATURAL_VALIDATION] = {0.7, 0.85},
    [NATURAL_TEST] = {0.85, 1.0}};

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of dir's *.pgm files, sorted, in *names (count in *count).
 * Returns 0, or -1 with a message. */
static int pgm_names(const char *dir, char ***names, size_t *count,
                     char *err, size_t errsize)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        snprintf(err, errsize, "%s: cannot open the directory", dir);
        return -1;
    }
    char **list = NULL;
    size_t n = 0;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".pgm") != 0)
            continue;
        char **grown = realloc(list, (n + 1) * sizeof *list);
        char *name = malloc(strlen(dir) + len + 2);
        if (grown != NULL)
            list = grown;
        if (grown == NULL || name == NULL) {
            free(name);
            snprintf(err, errsize, "out of memory");
            rc = -1;
            break;
        }
        sprintf(name, "%s/%s", dir, e->d_name);
        list[n++] = name;
    }
    closedir(d);
    if (rc == 0 && n == 0) {
        snprintf(err, errsize, "%s: no .pgm images", dir);
        rc = -1;
    }
    if (rc != 0) {
        for (size_t i = 0; i < n; i++)
            free(list[i]);
        free(list);
        return -1;
    }
    qsort(list, n, sizeof *list, by_name);
    *names = list;
    *count = n;
    return 0;
}

int natural_read_dir(const char *dir, double sigma, natural_images *out,
                     char *err, size_t errsize)
{
    *out = (natural_images){0};
    char **names = NULL;
    size_t n = 0;
    if (pgm_names(dir, &names, &n, err, errsize) != 0)
        return -1;
    natural_images im = {.images = calloc(n, sizeof(pgm_image))};
    int rc = im.images == NULL ? -1 : 0;
    if (rc != 0)
        snprintf(err, errsize, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = pgm_read(names[i], &im.images[i], err, errsize);
        im.count += rc == 0;
        if (rc == 0 && natural_contrast_normalize(im.images[i].pixels,
                                                  im.images[i].rows,
                                                  im.images[i].cols,
                                                  sigma) != 0) {
            snprintf(err, errsize, "out of memory");
            rc = -1;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc != 0) {
        natural_free(&im);
        return -1;
    }
    *out = im;
    return 0;
}

void natural_free(natural_images *im)
{
    for (size_t i = 0; i < im->count; i++)
        pgm_free(&im->images[i]);
    free(im->images);
    *im = (natural_images){0};
}

/* out = G*in for the separable Gaussian g (taps 2r+1, g[r] the centre),
 * weights renormalised where the window leaves the image; tmp holds
 * rows x cols. */
static void blur(const float *in, float *out, float *tmp, size_t rows,
                 size_t cols, const double *g, long r)
{
    for (size_t y = 0; y < rows; y++)      /* along the rows */
        for (size_t x = 0; x < cols; x++) {
            double s = 0, w = 0;
            for (long d = -r; d <= r; d++) {
                long xx = (long)x + d;
                if (xx >= 0 && xx < (long)cols) {
                    s += g[d + r] * in[y * cols + (size_t)xx];
                    w += g[d + r];
                }
            }
            tmp[y * cols + x] = (float)(s / w);
        }
    for (size_t y = 0; y < rows; y++)      /* then along the columns */
        for (size_t x = 0; x < cols; x++) {
            double s = 0, w = 0;
            for (long d = -r; d <= r; d++) {
                long yy = (long)y + d;
                if (yy >= 0 && yy < (long)rows) {
                    s += g[d + r] * tmp[(size_t)yy * cols + x];
                    w += g[d + r];
                }
            }
            out[y * cols + x] = (float)(s / w);
        }
}

int natural_contrast_normalize(float *pixels, size_t rows, size_t cols,
                               double sigma)
{
    long r = (long)ceil(3 * sigma);
    size_t count = rows * cols;
    double *g = malloc((size_t)(2 * r + 1) * sizeof *g);
    float *local = malloc(count * sizeof *local);
    float *tmp = malloc(count * sizeof *tmp);
    if (g == NULL || local == NULL || tmp == NULL) {
        free(g);
        free(local);
        free(tmp);
        return -1;
    }
    for (long d = -r; d <= r; d++)
        g[d + r] = sigma > 0 ? exp(-0.5 * (double)(d * d) / (sigma * sigma))
                             : 1.0;
    /* v = x - G*x */
    blur(pixels, local, tmp, rows, cols, g, r);
    for (size_t i = 0; i < count; i++)
        pixels[i] -= local[i];
    /* s = sqrt(G*v^2), and its mean over the image */
    for (size_t i = 0; i < count; i++)
        local[i] = pixels[i] * pixels[i];
    blur(local, local, tmp, rows, cols, g, r);
    double mean = 0;
    for (size_t i = 0; i < count; i++)
        mean += sqrt(local[i]) / (double)count;
    for (size_t i = 0; i < count; i++) {
        double s = sqrt(local[i]);
        double d = s > mean ? s : mean;
        pixels[i] = d > 0 ? (float)(pixels[i] / d) : 0.0f;
    }
    free(g);
    free(local);
    free(tmp);
    return 0;
}

int natural_cut_patches(const natural_images *im, natural_part part,
                        size_t side, float *out, size_t count,
                        unsigned long long *rng, char *err, size_t errsize)
{
    static const char *const names[] = {"training", "validation", "test"};
    for (size_t i = 0; i < im->count; i++) {
        const pgm_image *p = &im->images[i];
        size_t lo = (size_t)(part_bounds[part][0] * (double)p->cols);
        size_t hi = (size_t)(part_bounds[part][1] * (double)p->cols);
        if (hi - lo < side || p->rows < side) {
            snprintf(err, errsize, "image %zu (%zu x %zu): its %s part "
                     "(columns %zu to %zu) is smaller than the %zu x %zu "
                     "patches", i + 1, p->rows, p->cols, names[part], lo,
                     hi - 1, side, side);
            return -1;
        }
    }
    for (size_t i = 0; i < count; i++) {
        const pgm_image *p = &im->images[batches_uniform(rng, im->count)];
        size_t lo = (size_t)(part_bounds[part][0] * (double)p->cols);
        size_t hi = (size_t)(part_bounds[part][1] * (double)p->cols);
        size_t top = batches_uniform(rng, p->rows - side + 1);
        size_t left = lo + batches_uniform(rng, hi - lo - side + 1);
        for (size_t r = 0; r < side; r++)
            memcpy(out + (i * side + r) * side,
                   p->pixels + (top + r) * p->cols + left,
                   side * sizeof *out);
    }
    return 0;
}
