/* SPDX-License-Identifier: BSD-2-Clause */
/* byte_codec.h -- numbers to and from little-endian bytes, the encoding
 * of the library's files (model files, dictionary files), whatever the
 * host's byte order.  Floats go by their IEEE 754 bit patterns. */
#ifndef SC_BYTE_CODEC_H
#define SC_BYTE_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* A writer appends at data + size; the caller sized data for it all. */
typedef struct {
    unsigned char *data;
    size_t size;
} sc_writer;

void sc_put_u32(sc_writer *w, uint32_t v);
void sc_put_u64(sc_writer *w, uint64_t v);
void sc_put_f64(sc_writer *w, double v);
void sc_put_floats(sc_writer *w, const float *v, size_t count);
void sc_put_doubles(sc_writer *w, const double *v, size_t count);

/* A reader takes from data + at, never past data + size: each get
 * returns 0, or -1 (nothing read) when too few bytes are left. */
typedef struct {
    const unsigned char *data;
    size_t size, at;
} sc_reader;

int sc_get_u32(sc_reader *r, uint32_t *v);
int sc_get_u64(sc_reader *r, uint64_t *v);
int sc_get_f64(sc_reader *r, double *v);
int sc_get_floats(sc_reader *r, float *v, size_t count);
int sc_get_doubles(sc_reader *r, double *v, size_t count);

#endif
