/* SPDX-License-Identifier: BSD-2-Clause */
/* byte_codec.c -- little-endian numbers in byte buffers. */
#include <string.h>

#include "byte_codec.h"

void sc_put_u32(sc_writer *w, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        w->data[w->size++] = (unsigned char)(v >> (8 * i));
}

void sc_put_u64(sc_writer *w, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        w->data[w->size++] = (unsigned char)(v >> (8 * i));
}

void sc_put_f64(sc_writer *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    sc_put_u64(w, bits);
}

void sc_put_floats(sc_writer *w, const float *v, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        sc_put_u32(w, bits);
    }
}

void sc_put_doubles(sc_writer *w, const double *v, size_t count)
{
    for (size_t i = 0; i < count; i++)
        sc_put_f64(w, v[i]);
}

int sc_get_u32(sc_reader *r, uint32_t *v)
{
    if (r->size - r->at < 4)
        return -1;
    *v = 0;
    for (int i = 0; i < 4; i++)
        *v |= (uint32_t)r->data[r->at++] << (8 * i);
    return 0;
}

int sc_get_u64(sc_reader *r, uint64_t *v)
{
    if (r->size - r->at < 8)
        return -1;
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v |= (uint64_t)r->data[r->at++] << (8 * i);
    return 0;
}

int sc_get_f64(sc_reader *r, double *v)
{
    uint64_t bits;
    if (sc_get_u64(r, &bits) != 0)
        return -1;
    memcpy(v, &bits, sizeof *v);
    return 0;
}

int sc_get_floats(sc_reader *r, float *v, size_t count)
{
    if ((r->size - r->at) / 4 < count)
        return -1;
    for (size_t i = 0; i < count; i++) {
        uint32_t bits = 0;
        sc_get_u32(r, &bits);
        memcpy(&v[i], &bits, sizeof bits);
    }
    return 0;
}

int sc_get_doubles(sc_reader *r, double *v, size_t count)
{
    if ((r->size - r->at) / 8 < count)
        return -1;
    for (size_t i = 0; i < count; i++)
        sc_get_f64(r, &v[i]);
    return 0;
}
