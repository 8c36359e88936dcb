/* SPDX-License-Identifier: BSD-2-Clause */
/* idx_read.c -- libFuzzer harness for the examples' IDX reader
 * (examples/support/idx.c), which users copy.  The first byte chooses:
 *   bit 0  labels (IDX1) or images (IDX3)
 *   bit 1  the rest of the bytes gzip-compressed, or written as they are
 *          (they may still be gzip: the reader goes by the magic bytes)
 *   bit 2  gzip: the data in two members (cat a.gz b.gz, legal)
 *   bit 3  the file called NAME.gz, read through the reader's fallback
 *   bit 4  gzip: one byte of garbage after the last member, which the
 *          reader must refuse
 *   bits 5-6  parts - 1: the file is also read in that many parts
 *   bit 7  (with parts) read the last part, else the first
 * A read that succeeds must have consumed exactly a header and the data
 * it declares, with images in [0, 1] and labels in [0, 255].  A part
 * read (idx_read_part) must agree with the whole read: both succeed (the
 * part may fail only for being empty), or the whole fails and the part
 * too, unless the whole was refused for its size (the limit is on what
 * is held); a part read is the whole read's slice, bit for bit. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz_util.h"
#include "idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
    fprintf(stderr, "idx_read harness: %s\n", what);
    abort();
}

/* Appends one gzip member holding data[0, size) to f. */
static void write_member(FILE *f, const uint8_t *data, size_t size)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2");
    unsigned char out[4096];
    z.next_in = (unsigned char *)(uintptr_t)data;
    z.avail_in = (uInt)size;
    int status;
    do {
        z.next_out = out;
        z.avail_out = sizeof out;
        status = deflate(&z, Z_FINISH);
        fwrite(out, 1, sizeof out - z.avail_out, f);
    } while (status == Z_OK);
    if (status != Z_STREAM_END)
        die("deflate");
    deflateEnd(&z);
}

/* Reads part `part` of `parts` of dir/data and compares it with the
 * whole read (NULL if it failed, with its message whole_err). */
static void check_part(const char *dir, int labels, size_t parts,
                       size_t part, const idx_data *whole,
                       const char *whole_err)
{
    idx_data p;
    size_t first = 0, total = 0;
    char err[512] = "";
    int got = idx_read_part(dir, "data", labels, part, parts, &p, &first,
                            &total, err, sizeof err);
    if (got != 0) {
        if (p.images != NULL || p.labels != NULL || p.count != 0)
            die("a failed part read left data behind");
        if (strlen(err) == 0)
            die("a failed part read without a message");
        if (whole != NULL && strstr(err, "is empty") == NULL)
            die("a part read failed where the whole read succeeded");
        return;
    }
    if (whole == NULL) {
        if (strstr(whole_err, "implausible sizes") == NULL)
            die("a part read succeeded where the whole read failed");
        free(p.images);
        free(p.labels);
        return;
    }
    size_t item = whole->rows * whole->cols;
    if (total != whole->count || p.rows != whole->rows ||
        p.cols != whole->cols ||
        first != whole->count * part / parts ||
        p.count != whole->count * (part + 1) / parts - first)
        die("a part's range is not the whole read's");
    size_t bytes = p.count * item * (labels ? sizeof *p.labels
                                            : sizeof *p.images);
    const void *mine = labels ? (const void *)p.labels
                              : (const void *)p.images;
    const void *theirs = labels ? (const void *)(whole->labels + first * item)
                                : (const void *)(whole->images + first * item);
    if (memcmp(mine, theirs, bytes) != 0)
        die("a part's values are not the whole read's");
    free(p.images);
    free(p.labels);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > ((size_t)1 << 20))
        return 0;
    uint8_t options = data[0];
    const uint8_t *payload = data + 1;
    size_t length = size - 1;
    int labels = options & 1, gzip = options & 2, two = options & 4;
    int gz_name = options & 8, garbage = gzip && (options & 16);

    const char *dir = fz_scratch_dir();
    char plain[128], gz[128];
    snprintf(plain, sizeof plain, "%s/data", dir);
    snprintf(gz, sizeof gz, "%s/data.gz", dir);
    unlink(plain);
    unlink(gz);
    FILE *f = fopen(gz_name ? gz : plain, "wb");
    if (f == NULL)
        die("cannot write the input file");
    if (gzip) {
        size_t first = two ? length / 2 : length;
        write_member(f, payload, first);
        if (two)
            write_member(f, payload + first, length - first);
        if (garbage)
            fputc(options, f);
    } else {
        fwrite(payload, 1, length, f);
    }
    if (fclose(f) != 0)
        die("cannot write the input file");

    idx_data d;
    char err[512];
    int got = labels ? idx_read_labels(dir, "data", &d, err, sizeof err)
                     : idx_read_images(dir, "data", &d, err, sizeof err);
    size_t parts = 1 + (options >> 5 & 3);
    if (parts > 1)
        check_part(dir, labels, parts, options & 128 ? parts - 1 : 0,
                   got == 0 ? &d : NULL, err);
    if (got != 0) {
        if (d.images != NULL || d.labels != NULL || d.count != 0)
            die("a failed read left data behind");
        if (strlen(err) == 0)
            die("a failed read without a message");
        return 0;
    }
    if (garbage)
        die("trailing garbage after the gzip stream was accepted");
    /* Unless the bytes were gzip themselves, they were the IDX file. */
    int raw_gzip = !gzip && length >= 2 && payload[0] == 0x1f &&
                   payload[1] == 0x8b;
    size_t header = labels ? 8 : 16;
    size_t values = d.count * d.rows * d.cols;
    if (values == 0 || (!raw_gzip && length != header + values))
        die("a read succeeded with a length that is not the header's");
    for (size_t i = 0; i < values; i++) {
        if (labels ? (d.labels[i] < 0 || d.labels[i] > 255)
                   : !(d.images[i] >= 0.0f && d.images[i] <= 1.0f))
            die("a value out of range");
    }
    free(d.images);
    free(d.labels);
    return 0;
}
