/* SPDX-License-Identifier: BSD-2-Clause */
/* modelfile.c -- saving and loading models.
 *
 * Format version 3, every number little-endian.  Versions 1 and 2, read
 * too, are the same layout with fewer parameters, the missing ones keeping
 * their defaults: version 2 lacks the six of ids 19 (SC_MODEL_PARAM_ENCODER: a
 * LISTA model) and 48-52 (SC_MODEL_PARAM_ENCODER_MAX_NORM to
 * SC_MODEL_PARAM_INIT_NOISE), and version 1 also the seven local parameters
 * (SC_MODEL_PARAM_LOCAL_FIELD to SC_MODEL_PARAM_POOL_POSITIONS, ids 12-18: a dense
 * model):
 *
 *   offset  size  field
 *   0       8     magic "SCMODEL\0"
 *   8       4     u32 format version (3)
 *   12      8     u64 n (inputs)
 *   20      8     u64 k (units)
 *   28      8     u64 steps taken
 *   36      4     u32 P, the number of parameters (SC_MODEL_PARAM_COUNT)
 *   40      12*P  P times { u32 parameter id, f64 value }
 *   ...           SC_TENSOR_COUNT times { u32 tensor index, u64 count,
 *                 count f32 weights, count f32 m1, count f32 m2 }; the
 *                 counts are those of sc_model_shape (a local model's
 *                 encoder and decoder hold k x C*r*r filters)
 *   end-4   4     u32 CRC-32 (IEEE) of every byte before it
 *
 * Loading reads the file once, front to back: the header and parameter
 * records first, then, once the length they imply has been compared with
 * the file's real length (fstat), the weights straight into the model's
 * arrays, 16 KB at a time, the CRC computed as they pass; it is
 * checked at the end (file_source.c).  Nothing is allocated from the sizes before the
 * length check, and a failed allocation is SC_ERR_NOMEM.  Saving encodes
 * the file in memory and hands it to sc_write_atomically
 * (atomic_file.c).
 */
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "byte_codec.h"
#include "crc32.h"
#include "file_source.h"
#include "model.h"

#define FORMAT_VERSION 3
#define OLDEST_FORMAT_VERSION 1

/* The number of parameters a file of `version` holds. */
static uint32_t params_in_version(uint32_t version)
{
    uint32_t count = 0;
    for (int i = 0; i < SC_MODEL_PARAM_COUNT; i++)
        count += (uint32_t)sc_param_in_file_version(
            (uint32_t)sc_param_at(i)->id, version);
    return count;
}
static const unsigned char magic[8] = {'S', 'C', 'M', 'O', 'D', 'E', 'L', 0};

/* ---- save ------------------------------------------------------------- */

static size_t encoded_size(const sc_model *m)
{
    size_t size = sizeof magic + 4 + 8 + 8 + 8 + 4 + 12 * SC_MODEL_PARAM_COUNT + 4;
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        size += 4 + 8 + 3 * 4 * m->state.tensor[t].count;
    return size;
}

static void encode(const sc_model *m, sc_writer *w)
{
    const sc_state *s = &m->state;
    memcpy(w->data, magic, sizeof magic);
    w->size = sizeof magic;
    sc_put_u32(w, FORMAT_VERSION);
    sc_put_u64(w, m->n);
    sc_put_u64(w, m->k);
    sc_put_u64(w, s->steps);
    sc_put_u32(w, SC_MODEL_PARAM_COUNT);
    for (int i = 0; i < SC_MODEL_PARAM_COUNT; i++) {
        sc_put_u32(w, (uint32_t)sc_param_at(i)->id);
        sc_put_f64(w, m->values[i]);
    }
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        const sc_tensor *ts = &s->tensor[t];
        sc_put_u32(w, (uint32_t)t);
        sc_put_u64(w, ts->count);
        sc_put_floats(w, ts->w, ts->count);
        sc_put_floats(w, ts->m1, ts->count);
        sc_put_floats(w, ts->m2, ts->count);
    }
    sc_put_u32(w, sc_crc32(w->data, w->size));
}

sc_status sc_model_save(const sc_model *model, const char *path,
                        sc_model_contents contents)
{
    static const char caller[] = "sc_model_save";
    if (model == NULL || path == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       model == NULL ? "model" : "path");
    if (contents != SC_MODEL_CONTENTS_FULL)
        return sc_fail(NULL, SC_ERR_RANGE, "%s: contents = %d is not "
                       "SC_MODEL_CONTENTS_FULL", caller, (int)contents);
    if (!model->initialized)
        return sc_fail(NULL, SC_ERR_STATE, "%s: model is not initialised",
                       caller);
    sc_writer w = {malloc(encoded_size(model)), 0};
    if (w.data == NULL)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    encode(model, &w);
    sc_status status = sc_write_atomically(path, w.data, w.size, caller);
    free(w.data);
    return status;
}

/* ---- load ------------------------------------------------------------- */

/* Parses the sizes and parameter records in `head` (the bytes after the
 * version) into a new model, *out; checks that the file's length is the
 * one they imply. */
static sc_status decode_header(const sc_source *src, sc_reader *head,
                               uint32_t version, sc_model **out,
                               uint64_t *steps)
{
    const char *caller = src->caller;
    uint64_t n, k;
    uint32_t count;
    sc_get_u64(head, &n);
    sc_get_u64(head, &k);
    sc_get_u64(head, steps);
    sc_get_u32(head, &count);
    sc_model *m;
    sc_status status = sc_model_create(&m, (size_t)n, (size_t)k);
    if (status == SC_ERR_NOMEM)
        return status;
    if (status != SC_OK)
        return sc_fail(NULL, SC_ERR_FORMAT, "%s: bad sizes %llu x %llu",
                       caller, (unsigned long long)n, (unsigned long long)k);
    /* Every parameter exactly once, each within its bounds. */
    unsigned char seen[SC_MODEL_PARAM_COUNT] = {0};
    for (uint32_t i = 0; i < count; i++) {
        uint32_t id;
        double value;
        const sc_param_info *info;
        if (sc_get_u32(head, &id) || sc_get_f64(head, &value) ||
            !sc_param_in_file_version(id, version) ||
            (info = sc_param_lookup((sc_model_param)id)) == NULL ||
            seen[sc_param_index((sc_model_param)id)]++ ||
            sc_param_check(info, value, NULL, caller) != SC_OK) {
            sc_model_free(m);
            return sc_source_format_error(src, "bad or repeated parameter record");
        }
        m->values[sc_param_index((sc_model_param)id)] = value;
    }
    /* The length the sizes imply against the real one, before anything
     * is allocated from them. */
    sc_shape shape;
    if (sc_model_shape(m, &shape, caller) != SC_OK) {
        sc_model_free(m);
        return sc_source_format_error(src, "inconsistent structural parameters");
    }
    uint64_t expected = src->at + 4;
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        expected += 12 + 12 * (uint64_t)shape.counts[t];
    if (expected != src->size) {
        sc_model_free(m);
        return sc_source_format_error(src, "the file's length does not match the "
                            "sizes it declares");
    }
    *out = m;
    return SC_OK;
}

/* Reads the weight records into s, whose counts are the model's. */
static sc_status read_tensors(sc_source *src, sc_state *s)
{
    for (uint32_t t = 0; t < SC_TENSOR_COUNT; t++) {
        unsigned char bytes[12];
        sc_status status = sc_source_take(src, bytes, sizeof bytes);
        if (status != SC_OK)
            return status;
        sc_reader r = {bytes, sizeof bytes, 0};
        uint32_t index;
        uint64_t count;
        sc_tensor *ts = &s->tensor[t];
        sc_get_u32(&r, &index);
        sc_get_u64(&r, &count);
        if (index != t || count != ts->count)
            return sc_source_format_error(src, "bad weight array");
        if ((status = sc_source_take_floats(src, ts->w, ts->count)) != SC_OK ||
            (status = sc_source_take_floats(src, ts->m1, ts->count)) != SC_OK ||
            (status = sc_source_take_floats(src, ts->m2, ts->count)) != SC_OK)
            return status;
    }
    return SC_OK;
}

static int state_finite(const sc_state *s)
{
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        const sc_tensor *ts = &s->tensor[t];
        if (!sc_all_finite(ts->w, ts->count) ||
            !sc_all_finite(ts->m1, ts->count) ||
            !sc_all_finite(ts->m2, ts->count))
            return 0;
    }
    return 1;
}

/* Loads the model in src into *out. */
static sc_status load(sc_source *src, sc_model **out)
{
    const char *caller = src->caller;
    unsigned char head[40 + 12 * SC_MODEL_PARAM_COUNT];
    /* Magic and version: what the file is. */
    if (src->size < sizeof magic + 8 ||
        sc_source_take(src, head, sizeof magic + 4) != SC_OK ||
        memcmp(head, magic, sizeof magic) != 0)
        return sc_source_format_error(src, "not a libsparsecode model file");
    sc_reader r = {head, sizeof magic + 4, sizeof magic};
    uint32_t version;
    sc_get_u32(&r, &version);
    if (version < OLDEST_FORMAT_VERSION || version > FORMAT_VERSION)
        return sc_fail(NULL, SC_ERR_VERSION, "%s: format version %u; this "
                       "library reads %d to %d", caller, (unsigned)version,
                       OLDEST_FORMAT_VERSION, FORMAT_VERSION);
    /* Sizes, step count and the parameter records, of a known length. */
    uint32_t params = params_in_version(version);
    sc_status status = sc_source_take(src, head, 28);
    if (status != SC_OK)
        return status;
    r = (sc_reader){head, 28, 24};
    uint32_t count;
    sc_get_u32(&r, &count);
    if (count != params)
        return sc_source_format_error(src, "wrong number of parameters");
    if ((status = sc_source_take(src, head + 28, 12 * (size_t)count)) != SC_OK)
        return status;
    r = (sc_reader){head, 28 + 12 * (size_t)count, 0};
    sc_model *m = NULL;
    uint64_t steps = 0;
    if ((status = decode_header(src, &r, version, &m, &steps)) != SC_OK)
        return status;
    /* Only now, the length checked, the weights' memory. */
    sc_state s;
    status = sc_state_create(m, &s, caller);
    if (status != SC_OK) {
        sc_model_free(m);
        return status == SC_ERR_NOMEM
                   ? status
                   : sc_source_format_error(src, "inconsistent structural "
                                  "parameters");
    }
    if ((status = read_tensors(src, &s)) == SC_OK &&
        (status = sc_source_check_end(src)) == SC_OK && !state_finite(&s))
        status = sc_source_format_error(src, "bad weight array");
    if (status != SC_OK) {
        sc_state_release(&s);
        sc_model_free(m);
        return status;
    }
    s.steps = steps;
    sc_model_adopt_state(m, &s);
    *out = m;
    return SC_OK;
}

sc_status sc_model_load(sc_model **out, const char *path)
{
    static const char caller[] = "sc_model_load";
    if (out == NULL || path == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       out == NULL ? "out" : "path");
    sc_source src;
    sc_status opened = sc_source_open(&src, path, caller);
    if (opened != SC_OK)
        return opened;
    sc_status status = load(&src, out);
    sc_source_close(&src);
    return status;
}
