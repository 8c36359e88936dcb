/* SPDX-License-Identifier: BSD-2-Clause */
/* warm_start.c -- see warm_start.h; the byte layout is that of
 * docs/file-format.md (version 4). */
#include "warm_start.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* The common CRC-32 (reflected polynomial 0xEDB88320), as zlib's. */
static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++, v >>= 8)
        p[i] = (unsigned char)(v & 0xFF);
}

/* Sets the ITERATIONS record of an inference file of format version 4 to
 * steps and writes both CRCs again; 0, or -1 if the bytes are not laid
 * out so.  Version 4: a 44-byte header with P at offset 40, P records of
 * { u32 id, u32 flags, f64 value }, the header's CRC, the weights, the
 * file's CRC. */
static int rewrite(unsigned char *f, size_t size, int steps)
{
    if (size < 52 || memcmp(f, "SCMODEL", 8) != 0 ||
        get_le(f + 8, 4) != 4 ||
        get_le(f + 12, 4) != SC_MODEL_CONTENTS_INFERENCE)
        return -1;
    size_t params = (size_t)get_le(f + 40, 4);
    if (params > (size - 52) / 16)
        return -1;
    size_t end = 44 + 16 * params;
    int found = 0;
    for (size_t at = 44; at < end; at += 16)
        if (get_le(f + at, 4) == SC_MODEL_PARAM_ITERATIONS) {
            double t = steps;
            uint64_t bits;
            memcpy(&bits, &t, sizeof bits);
            put_le(f + at + 8, bits, 8);
            found = 1;
        }
    if (!found)
        return -1;
    put_le(f + end, crc32_ieee(f, end), 4);
    put_le(f + size - 4, crc32_ieee(f, size - 4), 4);
    return 0;
}

int warm_start(const char *program, const sc_model *from, int steps,
               sc_model **out)
{
    size_t size = 0;
    sc_status s = sc_model_save_buffer(from, SC_MODEL_CONTENTS_INFERENCE,
                                       NULL, 0, &size);
    if (s != SC_OK)
        return report_failure(program, "sc_model_save_buffer", s);
    unsigned char *bytes = malloc(size);
    if (bytes == NULL) {
        fprintf(stderr, "%s: warm start: out of memory\n", program);
        return 1;
    }
    int rc = 0;
    if ((s = sc_model_save_buffer(from, SC_MODEL_CONTENTS_INFERENCE, bytes,
                                  size, &size)) != SC_OK)
        rc = report_failure(program, "sc_model_save_buffer", s);
    else if (rewrite(bytes, size, steps) != 0) {
        fprintf(stderr, "%s: warm start: the model's bytes are not laid "
                "out as format version 4\n", program);
        rc = 1;
    } else if ((s = sc_model_load_buffer(out, bytes, size)) != SC_OK)
        rc = report_failure(program, "sc_model_load_buffer", s);
    free(bytes);
    return rc;
}
