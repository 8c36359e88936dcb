/* SPDX-License-Identifier: BSD-2-Clause */
/* idx.c -- an IDX reader that checks every header field and length, and
 * the integrity of gzip-compressed files.
 *
 * What it refuses, before spending memory or time on it:
 *   - anything but a regular file (a FIFO or a device would block or
 *     never end): it is opened non-blocking and checked with fstat;
 *   - a header whose sizes pass IDX_MAX_VALUES (idx.h);
 *   - data that is not there: memory grows with the bytes actually read
 *     (decompressed), never to the header's claim up front, so a small
 *     file that claims a large data set fails at its real end, having
 *     cost about its own decompressed size;
 *   - a gzip file whose last member is followed by anything but another
 *     gzip member.  Concatenated members (cat a.gz b.gz) are legal gzip
 *     and read as one stream, as gzip -d does; other trailing bytes, which
 *     zlib's gzread would ignore, are an error. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "idx.h"

/* A plain or gzip-compressed regular file, read as one byte stream. */
typedef struct {
    int fd;
    int gzip;             /* 1: inflate gzip members */
    int member_ended;     /* gzip: the last member's end was reached */
    int at_eof;           /* read() returned 0 */
    z_stream z;
    unsigned char in[1 << 16];
    const char *path;
} source;

/* Keeps at least `need` unread input bytes in s->in unless the file ends
 * first.  Returns -1 on a read error (errno set). */
static int fill(source *s, size_t need)
{
    if (s->z.avail_in > 0 && s->z.next_in != s->in) {
        memmove(s->in, s->z.next_in, s->z.avail_in);
        s->z.next_in = s->in;
    }
    if (s->z.avail_in == 0)
        s->z.next_in = s->in;
    while (s->z.avail_in < need && !s->at_eof) {
        ssize_t got = read(s->fd, s->in + s->z.avail_in,
                           sizeof s->in - s->z.avail_in);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        if (got == 0)
            s->at_eof = 1;
        s->z.avail_in += (unsigned)got;
    }
    return 0;
}

/* Reads up to size bytes into buf; *got is what was read (0 at the clean
 * end of the data).  Returns 0, or -1 with a message naming `what`:
 * "truncated" (the file, or a gzip member, ends early), "corrupt" (zlib's
 * message), "trailing bytes" or a read error. */
static int source_read(source *s, unsigned char *buf, size_t size,
                       size_t *got, const char *what, char *err,
                       size_t errsize)
{
    *got = 0;
    while (*got < size) {
        if (!s->gzip) {
            if (s->z.avail_in == 0 && fill(s, 1) != 0)
                goto read_error;
            if (s->z.avail_in == 0)
                return 0;
            size_t take = s->z.avail_in < size - *got ? s->z.avail_in
                                                       : size - *got;
            memcpy(buf + *got, s->z.next_in, take);
            s->z.next_in += take;
            s->z.avail_in -= (unsigned)take;
            *got += take;
            continue;
        }
        if (s->member_ended) {
            /* After a member: the end of the file, another member, or
             * bytes that are not gzip. */
            if (fill(s, 2) != 0)
                goto read_error;
            if (s->z.avail_in == 0)
                return 0;
            if (s->z.avail_in < 2 || s->z.next_in[0] != 0x1f ||
                s->z.next_in[1] != 0x8b) {
                snprintf(err, errsize, "%s: trailing bytes after the gzip "
                         "stream", s->path);
                return -1;
            }
            inflateReset(&s->z);
            s->member_ended = 0;
        }
        if (s->z.avail_in == 0) {
            if (fill(s, 1) != 0)
                goto read_error;
            if (s->z.avail_in == 0) {
                snprintf(err, errsize, "%s: truncated %s", s->path, what);
                return -1;
            }
        }
        size_t room = size - *got;
        s->z.next_out = buf + *got;
        s->z.avail_out = room > UINT_MAX ? UINT_MAX : (unsigned)room;
        unsigned before = s->z.avail_out;
        int code = inflate(&s->z, Z_NO_FLUSH);
        *got += before - s->z.avail_out;
        if (code == Z_STREAM_END)
            s->member_ended = 1;
        else if (code != Z_OK && code != Z_BUF_ERROR) {
            snprintf(err, errsize, "%s: corrupt %s (zlib: %s)", s->path,
                     what, s->z.msg != NULL ? s->z.msg : zError(code));
            return -1;
        }
    }
    return 0;
read_error:
    snprintf(err, errsize, "%s: cannot read: %s", s->path, strerror(errno));
    return -1;
}

static int read_exact(source *s, void *buf, size_t size, const char *what,
                      char *err, size_t errsize)
{
    size_t got;
    if (source_read(s, buf, size, &got, what, err, errsize) != 0)
        return -1;
    if (got < size) {
        snprintf(err, errsize, "%s: truncated %s", s->path, what);
        return -1;
    }
    return 0;
}

/* After the last item: the file must end there (a gzip file with its
 * trailer, whose CRC-32 and length inflate checks at the member's end). */
static int check_end(source *s, char *err, size_t errsize)
{
    unsigned char extra;
    size_t got;
    if (source_read(s, &extra, 1, &got, "end of file", err, errsize) != 0)
        return -1;
    if (got > 0) {
        snprintf(err, errsize, "%s: longer than its header says", s->path);
        return -1;
    }
    return 0;
}

/* Opens path, refusing anything but a regular file without blocking on
 * it, and sniffs gzip's magic.  Returns 0, 1 (no such file), or -1 with a
 * message. */
static int source_open(source *s, const char *path, char *err,
                       size_t errsize)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (s->fd < 0) {
        if (errno == ENOENT)
            return 1;
        snprintf(err, errsize, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(s->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errsize, "%s: not a regular file", path);
        close(s->fd);
        return -1;
    }
    int flags = fcntl(s->fd, F_GETFL);
    if (flags >= 0)
        fcntl(s->fd, F_SETFL, flags & ~O_NONBLOCK);
    if (fill(s, 2) != 0) {
        snprintf(err, errsize, "cannot read %s: %s", path, strerror(errno));
        close(s->fd);
        return -1;
    }
    s->gzip = s->z.avail_in >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
    if (s->gzip && inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
        snprintf(err, errsize, "%s: out of memory", path);
        close(s->fd);
        return -1;
    }
    return 0;
}

static void source_close(source *s)
{
    if (s->gzip)
        inflateEnd(&s->z);
    close(s->fd);
}

static uint32_t big_endian(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           b[3];
}

/* Opens dir/name, else dir/name.gz. */
static int open_either(source *s, const char *dir, const char *name,
                       char *path, size_t pathsize, char *err,
                       size_t errsize)
{
    snprintf(path, pathsize, "%s/%s", dir, name);
    int r = source_open(s, path, err, errsize);
    if (r == 1) {
        snprintf(path, pathsize, "%s/%s.gz", dir, name);
        r = source_open(s, path, err, errsize);
    }
    if (r == 1)
        snprintf(err, errsize, "cannot open %s/%s (or %s.gz)", dir, name,
                 name);
    return r == 0 ? 0 : -1;
}

/* Reads exactly total bytes of data, growing the buffer (from 1 MiB,
 * doubling) only as the bytes arrive.  Returns the buffer, or NULL with
 * a message. */
static unsigned char *read_data(source *s, size_t total, char *err,
                                size_t errsize)
{
    size_t have = 0, capacity = 0;
    unsigned char *raw = NULL;
    while (have < total) {
        if (have == capacity) {
            size_t grown = capacity == 0 ? (size_t)1 << 20 : 2 * capacity;
            if (grown > total)
                grown = total;
            unsigned char *bigger = realloc(raw, grown);
            if (bigger == NULL) {
                snprintf(err, errsize, "%s: out of memory", s->path);
                free(raw);
                return NULL;
            }
            raw = bigger;
            capacity = grown;
        }
        size_t got;
        if (source_read(s, raw + have, capacity - have, &got, "data", err,
                        errsize) != 0) {
            free(raw);
            return NULL;
        }
        if (got < capacity - have) {   /* the file ended */
            snprintf(err, errsize, "%s: truncated data", s->path);
            free(raw);
            return NULL;
        }
        have += got;
    }
    return raw;
}

/* Reads and discards `size` bytes of data (a shard's neighbours: the
 * whole file is still read, so that a gzip member's CRC-32 is checked,
 * but only a chunk at a time is held).  Returns 0, or -1 with a
 * message. */
static int skip_data(source *s, size_t size, char *err, size_t errsize)
{
    unsigned char chunk[1 << 14];
    while (size > 0) {
        size_t take = size < sizeof chunk ? size : sizeof chunk;
        if (read_exact(s, chunk, take, "data", err, errsize) != 0)
            return -1;
        size -= take;
    }
    return 0;
}

/* Reads part `part` of `parts` of the items of dir/name (the whole file
 * for 0 of 1): items [total * part / parts, total * (part + 1) / parts),
 * with *total set to the header's count and *first to the part's first
 * item. */
static int read_idx(const char *dir, const char *name, int dims, size_t part,
                    size_t parts, idx_data *out, size_t *first,
                    size_t *total_items, char *err, size_t errsize)
{
    char path[4096];
    memset(out, 0, sizeof *out);
    source *s = malloc(sizeof *s);
    if (s == NULL) {
        snprintf(err, errsize, "%s/%s: out of memory", dir, name);
        return -1;
    }
    if (open_either(s, dir, name, path, sizeof path, err, errsize) != 0) {
        free(s);
        return -1;
    }
    unsigned char header[16];
    size_t header_size = 4 + 4 * (size_t)dims;
    if (read_exact(s, header, header_size, "header", err, errsize) != 0)
        goto fail;
    uint32_t magic = big_endian(header);
    if (magic != (uint32_t)(0x800 | dims)) {
        snprintf(err, errsize, "%s: not an IDX%d file of unsigned bytes "
                 "(magic 0x%08x)", path, dims, (unsigned)magic);
        goto fail;
    }
    out->count = big_endian(header + 4);
    out->rows = dims == 3 ? big_endian(header + 8) : 1;
    out->cols = dims == 3 ? big_endian(header + 12) : 1;
    size_t item = out->rows * out->cols;
    *total_items = out->count;
    /* The part's range (the product in 64 bits: the count < 2^32). */
    *first = (size_t)((unsigned long long)out->count * part / parts);
    size_t end = (size_t)((unsigned long long)out->count * (part + 1) / parts);
    /* The limit is on what is held: the part. */
    if (out->count == 0 || item == 0 || out->rows > IDX_MAX_SIDE ||
        out->cols > IDX_MAX_SIDE || end - *first > IDX_MAX_VALUES / item) {
        snprintf(err, errsize, "%s: implausible sizes %zu x %zu x %zu%s "
                 "(idx.h: at most %d x %d images, %llu values)", path,
                 out->count, out->rows, out->cols,
                 parts > 1 ? " for one part" : "", IDX_MAX_SIDE,
                 IDX_MAX_SIDE, (unsigned long long)IDX_MAX_VALUES);
        goto fail;
    }
    if (end == *first) {
        snprintf(err, errsize, "%s: part %zu of %zu of %zu items is empty",
                 path, part + 1, parts, out->count);
        goto fail;
    }
    out->count = end - *first;
    size_t total = out->count * item;
    if (skip_data(s, *first * item, err, errsize) != 0)
        goto fail;
    unsigned char *raw = read_data(s, total, err, errsize);
    if (raw == NULL)
        goto fail;
    if (skip_data(s, (*total_items - end) * item, err, errsize) != 0 ||
        check_end(s, err, errsize) != 0) {
        free(raw);
        goto fail;
    }
    source_close(s);
    free(s);
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
fail:
    source_close(s);
    free(s);
    memset(out, 0, sizeof *out);
    return -1;
}

int idx_read_images(const char *dir, const char *name, idx_data *out,
                    char *err, size_t errsize)
{
    size_t first, total;
    return read_idx(dir, name, 3, 0, 1, out, &first, &total, err, errsize);
}

int idx_read_labels(const char *dir, const char *name, idx_data *out,
                    char *err, size_t errsize)
{
    size_t first, total;
    return read_idx(dir, name, 1, 0, 1, out, &first, &total, err, errsize);
}

int idx_read_part(const char *dir, const char *name, int labels, size_t part,
                  size_t parts, idx_data *out, size_t *first, size_t *total,
                  char *err, size_t errsize)
{
    if (parts == 0 || part >= parts) {
        memset(out, 0, sizeof *out);
        snprintf(err, errsize, "%s/%s: no part %zu of %zu", dir, name,
                 part + 1, parts);
        return -1;
    }
    return read_idx(dir, name, labels ? 1 : 3, part, parts, out, first,
                    total, err, errsize);
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
