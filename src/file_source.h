/* SPDX-License-Identifier: BSD-2-Clause */
/* file_source.h -- reading one of the library's files front to back, in
 * bounded pieces, with its CRC-32 computed on the way: the loaders'
 * discipline (docs/file-format.md).  The bytes come from a file or from
 * a caller's buffer, with the same checks and messages.  Every failure
 * is a status and the thread's message, prefixed by the source's
 * caller. */
#ifndef SC_FILE_SOURCE_H
#define SC_FILE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* The bytes being loaded: the file fd, or `bytes` when that is not
 * NULL.  size is the real length (fstat's for a file), crc the CRC of the
 * `at` bytes taken so far. */
typedef struct {
    int fd;
    const unsigned char *bytes;
    uint64_t size, at;
    uint32_t crc;
    const char *path, *caller;
} sc_source;

/* Opens path for reading (O_NONBLOCK: a FIFO cannot make the call wait)
 * and takes its length; anything but a regular file is refused.
 * SC_OK, or SC_ERR_IO (nothing left open). */
sc_status sc_source_open(sc_source *src, const char *path,
                         const char *caller);

/* The size bytes at bytes, which stay the caller's; nothing to close. */
void sc_source_from_buffer(sc_source *src, const void *bytes, size_t size,
                           const char *caller);

/* Closes the file of sc_source_open; nothing for a buffer. */
void sc_source_close(sc_source *src);

/* A loader from a path: out and path must not be NULL (SC_ERR_NULL,
 * "caller: out is NULL"); then sc_source_open and decode(src, out) over
 * it, the file closed whatever decode returns. */
sc_status sc_source_load_file(void *out, const char *path,
                              sc_status (*decode)(sc_source *src, void *out),
                              const char *caller);

/* SC_ERR_FORMAT with the message "caller: what". */
sc_status sc_source_format_error(const sc_source *src, const char *what);

/* Reads exactly size bytes, without adding them to the CRC: SC_OK,
 * SC_ERR_IO, or SC_ERR_FORMAT ("the file is truncated", a buffer's too)
 * when the bytes end first. */
sc_status sc_source_read(sc_source *src, unsigned char *bytes, size_t size);

/* sc_source_read, the bytes added to the CRC. */
sc_status sc_source_take(sc_source *src, unsigned char *bytes, size_t size);

/* Takes count little-endian f32 (f64) into v, at most 16 KB at a time. */
sc_status sc_source_take_floats(sc_source *src, float *v, size_t count);
sc_status sc_source_take_doubles(sc_source *src, double *v, size_t count);

/* Reads the stored CRC (u32) and checks that the bytes end there (a
 * file may have grown since fstat) and that the CRC, of every byte taken
 * before it, matches: SC_OK, SC_ERR_IO or SC_ERR_FORMAT. */
sc_status sc_source_check_end(sc_source *src);

#endif
