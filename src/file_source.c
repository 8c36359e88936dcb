/* SPDX-License-Identifier: BSD-2-Clause */
/* file_source.c -- checked, chunked reading of the library's files, from
 * a file or a buffer. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "byte_codec.h"
#include "crc32.h"
#include "file_source.h"

/* The most bytes of arrays read at once. */
#define CHUNK_BYTES 16384

sc_status sc_source_open(sc_source *src, const char *path,
                         const char *caller)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return sc_fail(NULL, SC_ERR_IO, "%s: cannot open %s: %s", caller,
                       path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return sc_fail(NULL, SC_ERR_IO, "%s: %s is not a regular file",
                       caller, path);
    }
    *src = (sc_source){.fd = fd, .size = (uint64_t)st.st_size,
                       .path = path, .caller = caller};
    return SC_OK;
}

void sc_source_from_buffer(sc_source *src, const void *bytes, size_t size,
                           const char *caller)
{
    *src = (sc_source){.fd = -1, .bytes = bytes, .size = size,
                       .path = "the buffer", .caller = caller};
}

void sc_source_close(sc_source *src)
{
    if (src->fd >= 0)
        close(src->fd);
    src->fd = -1;
}

sc_status sc_source_load_file(void *out, const char *path,
                              sc_status (*decode)(sc_source *src, void *out),
                              const char *caller)
{
    if (out == NULL || path == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       out == NULL ? "out" : "path");
    sc_source src;
    sc_status status = sc_source_open(&src, path, caller);
    if (status != SC_OK)
        return status;
    status = decode(&src, out);
    sc_source_close(&src);
    return status;
}

sc_status sc_source_format_error(const sc_source *src, const char *what)
{
    return sc_fail(NULL, SC_ERR_FORMAT, "%s: %s", src->caller, what);
}

static sc_status truncated(const sc_source *src)
{
    return sc_source_format_error(src, "the file is truncated");
}

sc_status sc_source_read(sc_source *src, unsigned char *bytes, size_t size)
{
    if (src->bytes != NULL) {
        if (src->size - src->at < size)
            return truncated(src);
        memcpy(bytes, src->bytes + src->at, size);
        src->at += size;
        return SC_OK;
    }
    size_t done = 0;
    while (done < size) {
        ssize_t got = read(src->fd, bytes + done, size - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return sc_fail(NULL, SC_ERR_IO, "%s: cannot read %s: %s",
                           src->caller, src->path, strerror(errno));
        if (got == 0)
            return truncated(src);
        done += (size_t)got;
    }
    src->at += size;
    return SC_OK;
}

sc_status sc_source_take(sc_source *src, unsigned char *bytes, size_t size)
{
    sc_status status = sc_source_read(src, bytes, size);
    if (status == SC_OK)
        src->crc = sc_crc32_update(src->crc, bytes, size);
    return status;
}

/* Takes count numbers of `width` bytes, chunk by chunk, decoding each
 * chunk with decode. */
static sc_status take_numbers(sc_source *src, void *v, size_t count,
                              size_t width,
                              int (*decode)(sc_reader *, void *, size_t))
{
    unsigned char chunk[CHUNK_BYTES];
    unsigned char *out = v;
    size_t per_chunk = CHUNK_BYTES / width;
    while (count > 0) {
        size_t now = count < per_chunk ? count : per_chunk;
        sc_status status = sc_source_take(src, chunk, width * now);
        if (status != SC_OK)
            return status;
        sc_reader r = {chunk, width * now, 0};
        decode(&r, out, now);
        out += width * now;
        count -= now;
    }
    return SC_OK;
}

static int decode_floats(sc_reader *r, void *v, size_t count)
{
    return sc_get_floats(r, v, count);
}

static int decode_doubles(sc_reader *r, void *v, size_t count)
{
    return sc_get_doubles(r, v, count);
}

sc_status sc_source_take_floats(sc_source *src, float *v, size_t count)
{
    return take_numbers(src, v, count, sizeof *v, decode_floats);
}

sc_status sc_source_take_doubles(sc_source *src, double *v, size_t count)
{
    return take_numbers(src, v, count, sizeof *v, decode_doubles);
}

sc_status sc_source_check_end(sc_source *src)
{
    unsigned char bytes[5];
    sc_status status = sc_source_read(src, bytes, 4);
    if (status != SC_OK)
        return status;
    sc_reader r = {bytes, 4, 0};
    uint32_t stored;
    sc_get_u32(&r, &stored);
    /* A file may have grown since fstat. */
    if (sc_source_read(src, bytes + 4, 1) == SC_OK)
        return sc_source_format_error(src, "unexpected bytes after the CRC");
    if (src->crc != stored)
        return sc_source_format_error(src, "CRC mismatch: the file is "
                                      "corrupt or truncated");
    return SC_OK;
}
