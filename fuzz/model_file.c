/* SPDX-License-Identifier: BSD-2-Clause */
/* model_file.c -- see model_file.h.  The layout is that of
 * src/modelfile.c's comment and docs/file-format.md. */
#include "model_file.h"

#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "model.h"

/* Files larger than this many floats get zero-length weight records (so
 * the loader refuses them by length), to keep one execution fast. */
#define MAX_FLOATS ((size_t)1 << 18)

static void set(double *values, sc_model_param id, double value)
{
    values[sc_param_index(id)] = value;
}

void fz_choose_model(fz_bytes *b, double *values, size_t *n, size_t *k)
{
    *n = fz_range(b, 1, 12);
    *k = fz_range(b, 1, 12);
    switch (fz_u8(b) % 6) {
    case 0:   /* dense */
        break;
    case 1:   /* a classifier */
        set(values, SC_MODEL_PARAM_CLASSES, (double)fz_range(b, 2, 5));
        break;
    case 2: { /* contiguous groups */
        size_t g = fz_range(b, 1, 4);
        *k = g * fz_range(b, 1, 4);
        set(values, SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_CONTIGUOUS);
        set(values, SC_MODEL_PARAM_GROUP_SIZE, (double)g);
        break;
    }
    case 3: { /* topographic groups */
        size_t rows = fz_range(b, 1, 4), cols = fz_range(b, 1, 4);
        *k = rows * cols;
        set(values, SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC);
        set(values, SC_MODEL_PARAM_TORUS_ROWS, (double)rows);
        set(values, SC_MODEL_PARAM_TORUS_COLS, (double)cols);
        set(values, SC_MODEL_PARAM_POOL_SIZE, (double)fz_range(b, 1, 3));
        set(values, SC_MODEL_PARAM_POOL_STRIDE, (double)fz_range(b, 1, 2));
        set(values, SC_MODEL_PARAM_POOL_SIGMA, (double)fz_range(b, 0, 2));
        break;
    }
    default: { /* local, with topographic pools over positions or not */
        size_t r = fz_range(b, 1, 3), stride = fz_range(b, 1, 2);
        size_t c = fz_range(b, 1, 2);
        size_t h = r + fz_range(b, 0, 3), w = r + fz_range(b, 0, 3);
        size_t positions = ((h - r) / stride + 1) * ((w - r) / stride + 1);
        size_t maps = fz_range(b, 1, 3);
        *n = c * h * w;
        *k = maps * positions;
        set(values, SC_MODEL_PARAM_LOCAL_FIELD, (double)r);
        set(values, SC_MODEL_PARAM_LOCAL_STRIDE, (double)stride);
        set(values, SC_MODEL_PARAM_IMAGE_CHANNELS, (double)c);
        set(values, SC_MODEL_PARAM_IMAGE_HEIGHT, (double)h);
        set(values, SC_MODEL_PARAM_IMAGE_WIDTH, (double)w);
        if (fz_u8(b) & 1) {
            set(values, SC_MODEL_PARAM_GROUP_LAYOUT,
                SC_GROUP_LAYOUT_TOPOGRAPHIC);
            set(values, SC_MODEL_PARAM_TORUS_ROWS, 1);
            set(values, SC_MODEL_PARAM_TORUS_COLS, (double)maps);
            set(values, SC_MODEL_PARAM_POOL_SIZE, (double)fz_range(b, 1, 2));
            set(values, SC_MODEL_PARAM_POOL_POSITIONS,
                (double)fz_range(b, 1, 2));
        }
        break;
    }
    }
    uint8_t extras = fz_u8(b);
    if (extras & 1)
        set(values, SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM);
    if (extras & 2)
        set(values, SC_MODEL_PARAM_SHRINK, SC_SHRINK_SOFT);
    if (extras & 4)
        set(values, SC_MODEL_PARAM_ENCODER, SC_ENCODER_LCOD);
    set(values, SC_MODEL_PARAM_ITERATIONS, (double)fz_range(b, 1, 4));
    /* Versions 1 to 3 hold a thread count, which a load does not take
     * (a loaded model has the default): it is written, and ignored. */
    set(values, SC_MODEL_PARAM_THREADS, 1);
}

/* The weight counts the header implies (sc_model_shape), or small counts
 * from b when it implies none. */
static void weight_counts(fz_bytes *b, size_t n, size_t k,
                          const double *values, size_t *counts)
{
    sc_model *m;
    sc_shape shape;
    /* sc_model_shape expects values within their bounds, as the loader
     * checks them first. */
    int ok = 1;
    for (int i = 0; i < SC_MODEL_PARAM_COUNT; i++)
        ok &= sc_param_check(sc_param_at(i), values[i], NULL, "fuzz") == SC_OK;
    ok = ok && sc_model_create(&m, n, k) == SC_OK;
    if (ok) {
        memcpy(m->values, values, sizeof m->values);
        ok = sc_model_shape(m, &shape, "fuzz") == SC_OK;
        sc_model_free(m);
    }
    size_t total = 0;
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        counts[t] = ok ? shape.counts[t] : fz_range(b, 0, 16);
        total += counts[t];
    }
    if (total > MAX_FLOATS / 3)
        memset(counts, 0, SC_TENSOR_COUNT * sizeof *counts);
}

typedef struct {
    unsigned char *data;
    size_t size;
} buffer;

static void put(buffer *w, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        w->data[w->size++] = (unsigned char)(v >> (8 * i));
}

static void put_f64(buffer *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put(w, bits, 8);
}

/* A weight: mostly a small ordinary value, sometimes an edge case. */
static void put_weight(buffer *w, fz_bytes *b)
{
    uint8_t byte = fz_u8(b);
    float v = byte < 240 ? ((float)byte - 120.0f) / 128.0f : fz_float(b);
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    put(w, bits, 4);
}

/* Where a version's fields are (docs/file-format.md): version 4 has a
 * contents field, 16-byte records { id, flags, value } and the header's
 * CRC after them; versions 1 to 3 12-byte records { id, value }. */
typedef struct {
    size_t steps_at, params_at, record;
} layout;

static layout layout_of(unsigned version)
{
    return version >= 4 ? (layout){32, 44, 16} : (layout){28, 40, 12};
}

/* Breaks one rule of the format in the file of w (size without the CRC);
 * returns whether the CRC is to be left wrong. */
static int break_rule(fz_bytes *b, buffer *w, layout at, uint32_t params,
                      size_t weights_at, int *edited)
{
    uint8_t which = fz_u8(b);
    if (which < 224 || params == 0)
        return 0;
    *edited = 1;
    size_t i = fz_range(b, 0, params - 1), j = fz_range(b, 0, params - 1);
    unsigned char *pi = w->data + at.params_at + at.record * i;
    unsigned char *pj = w->data + at.params_at + at.record * j;
    unsigned char tmp[16];
    switch (which % 8) {
    case 0: /* two parameter records swapped: order does not matter */
        memcpy(tmp, pi, at.record);
        memcpy(pi, pj, at.record);
        memcpy(pj, tmp, at.record);
        return 0;
    case 1: /* one record's id made another's: a repeat */
        memcpy(pi, pj, 4);
        return 0;
    case 2: /* a raw id, or in version 4 raw flags */
        memcpy(pi + (at.record == 16 && (fz_u8(b) & 1) ? 4 : 0),
               (uint32_t[]){fz_u32(b)}, 4);
        return 0;
    case 3: /* the first weight record's index or count */
        w->data[weights_at + fz_range(b, 0,
                                      11)] ^= (unsigned char)(1u << (fz_u8(b) % 8));
        return 0;
    case 4: /* the CRC */
        return 1;
    case 5: /* a truncation */
        w->size -= fz_range(b, 0, w->size - at.params_at);
        return 0;
    case 6: /* the step count */
        w->data[at.steps_at + fz_range(b, 0, 7)] = fz_u8(b);
        return 0;
    default: /* any byte flipped, the CRC resealed */
        w->data[fz_range(b, 0,
                         w->size - 1)] ^= (unsigned char)(1u << (fz_u8(b) % 8));
        return 0;
    }
}

/* Whether the file holds parameter i: every one its version holds, but a
 * version 4 file may lack some (they load as their defaults). */
static int holds(unsigned version, int i, uint32_t dropped)
{
    return sc_param_in_file_version((uint32_t)sc_param_at(i)->id, version) &&
           !(version >= 4 && i < 32 && (dropped >> i & 1));
}

void fz_make_model_file(fz_bytes *b, fz_model_file *out)
{
    uint8_t v = fz_u8(b) % 5;
    unsigned version = v == 2 ? 2 : v == 3 ? 1 : v == 4 ? 3 : 4;
    double values[SC_MODEL_PARAM_COUNT];
    sc_param_defaults(values);
    size_t n, k;
    fz_choose_model(b, values, &n, &k);
    /* A few parameters anywhere in or out of their bounds. */
    for (uint8_t edits = fz_u8(b) % 4; edits > 0; edits--) {
        int i = (int)fz_range(b, 0, SC_MODEL_PARAM_COUNT - 1);
        values[i] = fz_param_value(b, sc_param_at(i));
    }
    /* Version 4: the contents, sometimes parameters left out, and
     * sometimes a record of an unknown id, ignorable or not. */
    uint32_t contents = 0, dropped = 0;
    uint8_t extra = 0;
    if (version >= 4) {
        uint8_t choice = fz_u8(b);
        contents = choice & 1;
        if (choice & 2)
            dropped = fz_u32(b);
        if (choice & 4)
            extra = (uint8_t)(1 + (fz_u8(b) & 1));   /* 1 ignorable, 2 not */
    }
    /* The file holds some parameters: the others are loaded as their
     * defaults, so they count with those. */
    double stored[SC_MODEL_PARAM_COUNT];
    sc_param_defaults(stored);
    uint32_t params = extra != 0;
    for (int i = 0; i < SC_MODEL_PARAM_COUNT; i++)
        if (holds(version, i, dropped)) {
            stored[i] = values[i];
            params++;
        }
    size_t counts[SC_TENSOR_COUNT];
    weight_counts(b, n, k, stored, counts);

    layout at = layout_of(version);
    size_t arrays = contents == 0 ? 3 : 1;
    size_t size = at.params_at + at.record * (size_t)params + 4 + 4;
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        size += 12 + 4 * arrays * counts[t];
    buffer w = {malloc(size), 0};
    if (w.data == NULL)
        abort();
    memcpy(w.data, "SCMODEL", 8);
    w.size = 8;
    put(&w, version, 4);
    if (version >= 4)
        put(&w, contents, 4);
    put(&w, n, 8);
    put(&w, k, 8);
    put(&w,
        contents == 0 && fz_u8(b) < 200 ? fz_u8(b) : contents == 0 ? fz_u64(b) : 0, 8);
    put(&w, params, 4);
    for (int i = 0; i < SC_MODEL_PARAM_COUNT; i++)
        if (holds(version, i, dropped)) {
            put(&w, (uint64_t)sc_param_at(i)->id, 4);
            if (version >= 4)
                put(&w, 0, 4);
            put_f64(&w, stored[i]);
        }
    if (extra != 0) {
        put(&w, 1000 + fz_u8(b), 4);
        put(&w, extra == 1, 4);   /* RECORD_IGNORABLE */
        put_f64(&w, fz_f64(b));
    }
    size_t records_end = w.size;
    if (version >= 4)
        put(&w, 0, 4);            /* the header's CRC, written below */
    size_t weights_at = w.size;
    int zero_moments = fz_u8(b) & 1;   /* SGD from init: m1 = m2 = 0 */
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        put(&w, (uint64_t)t, 4);
        put(&w, counts[t], 8);
        for (size_t part = 0; part < arrays; part++)
            for (size_t i = 0; i < counts[t]; i++) {
                if (part > 0 && zero_moments)
                    put(&w, 0, 4);
                else
                    put_weight(&w, b);
            }
    }
    out->edited = 0;
    int bad_crc = break_rule(b, &w, at, params, weights_at, &out->edited);
    /* The header's CRC over what the records now are (unless cut off). */
    if (version >= 4 && w.size >= records_end + 4) {
        uint32_t crc = sc_crc32(w.data, records_end);
        for (int i = 0; i < 4; i++)
            w.data[records_end + (size_t)i] = (unsigned char)(crc >> (8 * i));
    }
    uint32_t crc = sc_crc32(w.data, w.size);
    put(&w, bad_crc ? crc ^ 1 : crc, 4);
    out->data = w.data;
    out->size = w.size;
    out->version = version;
    out->contents = (int)contents;
    out->canonical = version >= 4 && extra == 0 &&
                     params == (uint32_t)(SC_MODEL_PARAM_COUNT - 1);
}
