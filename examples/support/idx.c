/* SPDX-License-Identifier: BSD-2-Clause */
/* idx.c -- an IDX reader that checks every header field and length, and
 * the integrity of gzip-compressed files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <zlib.h>

#include "idx.h"

static int read_exact(gzFile f, void *buf, size_t size)
{
    unsigned char *p = buf;
    while (size > 0) {
        unsigned chunk = size > (1u << 30) ? (1u << 30) : (unsigned)size;
        int got = gzread(f, p, chunk);
        if (got <= 0)
            return -1;
        p += got;
        size -= (size_t)got;
    }
    return 0;
}

/* Why a read failed: zlib's message for a damaged gzip stream, else
 * (end of file, or a gzip stream cut short) "truncated". */
static void read_failure(gzFile f, const char *path, const char *what,
                         char *err, size_t errsize)
{
    int code = Z_OK;
    const char *message = gzerror(f, &code);
    size_t len = strlen(path);   /* zlib's message starts "path: " */
    if (strncmp(message, path, len) == 0 && strncmp(message + len, ": ", 2) == 0)
        message += len + 2;
    if (code == Z_OK || code == Z_BUF_ERROR)
        snprintf(err, errsize, "%s: truncated %s", path, what);
    else
        snprintf(err, errsize, "%s: corrupt %s (zlib: %s)", path, what,
                 message);
}

/* After the last item: the file must end there, and a gzip file's
 * trailer (its CRC-32 and length) must be there and match, which zlib
 * checks only when it reads past the end of the data.  (A gzip file cut
 * short makes gzread return 0, as at the end of a file, with the error
 * Z_BUF_ERROR.) */
static int check_end(gzFile f, const char *path, char *err, size_t errsize)
{
    unsigned char extra;
    int got = gzread(f, &extra, 1), code = Z_OK;
    if (got == 0 && (gzerror(f, &code), code == Z_OK))
        return 0;
    if (got > 0)
        snprintf(err, errsize, "%s: longer than its header says", path);
    else
        read_failure(f, path, "end of file", err, errsize);
    return -1;
}

static uint32_t big_endian(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           b[3];
}

/* Opens dir/name, else dir/name.gz (gzread reads plain files too). */
static gzFile open_either(const char *dir, const char *name, char *path,
                          size_t pathsize)
{
    snprintf(path, pathsize, "%s/%s", dir, name);
    FILE *probe = fopen(path, "rb");
    if (probe == NULL)
        snprintf(path, pathsize, "%s/%s.gz", dir, name);
    else
        fclose(probe);
    return gzopen(path, "rb");
}

static int read_idx(const char *dir, const char *name, int dims,
                    idx_data *out, char *err, size_t errsize)
{
    char path[4096];
    memset(out, 0, sizeof *out);
    gzFile f = open_either(dir, name, path, sizeof path);
    if (f == NULL) {
        snprintf(err, errsize, "cannot open %s/%s (or %s.gz)", dir, name,
                 name);
        return -1;
    }
    unsigned char header[16];
    size_t header_size = 4 + 4 * (size_t)dims;
    if (read_exact(f, header, header_size) != 0) {
        read_failure(f, path, "header", err, errsize);
        gzclose(f);
        return -1;
    }
    uint32_t magic = big_endian(header);
    if (magic != (uint32_t)(0x800 | dims)) {
        snprintf(err, errsize, "%s: not an IDX%d file of unsigned bytes "
                 "(magic 0x%08x)", path, dims, (unsigned)magic);
        gzclose(f);
        return -1;
    }
    out->count = big_endian(header + 4);
    out->rows = dims == 3 ? big_endian(header + 8) : 1;
    out->cols = dims == 3 ? big_endian(header + 12) : 1;
    size_t item = out->rows * out->cols;
    if (out->count == 0 || item == 0 || out->rows > 4096 ||
        out->cols > 4096 || out->count > ((size_t)1 << 28) / item) {
        snprintf(err, errsize, "%s: implausible sizes %zu x %zu x %zu", path,
                 out->count, out->rows, out->cols);
        gzclose(f);
        return -1;
    }
    size_t total = out->count * item;
    unsigned char *raw = malloc(total);
    int bad = raw == NULL;
    if (bad)
        snprintf(err, errsize, "%s: out of memory", path);
    else if ((bad = read_exact(f, raw, total) != 0))
        read_failure(f, path, "data", err, errsize);
    else
        bad = check_end(f, path, err, errsize) != 0;
    if (bad) {
        free(raw);
        gzclose(f);
        return -1;
    }
    gzclose(f);
    if (dims == 3) {
        out->images = malloc(total * sizeof(float));
        for (size_t i = 0; out->images != NULL && i < total; i++)
            out->images[i] = raw[i] / 255.0f;
    } else {
        out->labels = malloc(total * sizeof(int32_t));
        for (size_t i = 0; out->labels != NULL && i < total; i++)
            out->labels[i] = raw[i];
    }
    free(raw);
    if (out->images == NULL && out->labels == NULL) {
        snprintf(err, errsize, "%s: out of memory", path);
        return -1;
    }
    return 0;
}

int idx_read_images(const char *dir, const char *name, idx_data *out,
                    char *err, size_t errsize)
{
    return read_idx(dir, name, 3, out, err, errsize);
}

int idx_read_labels(const char *dir, const char *name, idx_data *out,
                    char *err, size_t errsize)
{
    return read_idx(dir, name, 1, out, err, errsize);
}

void idx_free_dataset(idx_dataset *d)
{
    idx_data *all[] = {&d->train_images, &d->train_labels, &d->test_images,
                       &d->test_labels};
    for (int i = 0; i < 4; i++) {
        free(all[i]->images);
        free(all[i]->labels);
        memset(all[i], 0, sizeof *all[i]);
    }
}

int idx_read_dataset(const char *dir, idx_dataset *d, char *err,
                     size_t errsize)
{
    memset(d, 0, sizeof *d);
    if (idx_read_images(dir, "train-images-idx3-ubyte", &d->train_images,
                        err, errsize) ||
        idx_read_labels(dir, "train-labels-idx1-ubyte", &d->train_labels,
                        err, errsize) ||
        idx_read_images(dir, "t10k-images-idx3-ubyte", &d->test_images, err,
                        errsize) ||
        idx_read_labels(dir, "t10k-labels-idx1-ubyte", &d->test_labels, err,
                        errsize)) {
        idx_free_dataset(d);
        return -1;
    }
    if (d->train_images.count != d->train_labels.count ||
        d->test_images.count != d->test_labels.count ||
        d->train_images.rows != d->test_images.rows ||
        d->train_images.cols != d->test_images.cols) {
        snprintf(err, errsize, "%s: the image and label files do not match "
                 "in count or image size", dir);
        idx_free_dataset(d);
        return -1;
    }
    return 0;
}

void idx_normalize_rows(float *x, size_t count, size_t dim)
{
    for (size_t i = 0; i < count; i++) {
        float *row = x + i * dim;
        double s = 0.0;
        for (size_t j = 0; j < dim; j++)
            s += (double)row[j] * row[j];
        if (s > 0)
            for (size_t j = 0; j < dim; j++)
                row[j] = (float)(row[j] / sqrt(s));
    }
}
