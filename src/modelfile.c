/* SPDX-License-Identifier: BSD-2-Clause */
/* modelfile.c -- saving and loading models, to files and to buffers.
 *
 * Format version 4, every number little-endian (docs/file-format.md):
 *
 *   offset  size  field
 *   0       8     magic "SCMODEL\0"
 *   8       4     u32 format version (4)
 *   12      4     u32 contents: 0 full, 1 inference (sc_model_contents)
 *   16      8     u64 n (inputs)
 *   24      8     u64 k (units)
 *   32      8     u64 steps taken (0 in an inference file)
 *   40      4     u32 P, the number of parameter records
 *   44      16*P  P times { u32 parameter id, u32 flags, f64 value }; flag
 *                 bit 0 (RECORD_IGNORABLE): a reader that does not know
 *                 the id may skip the record; P <= MAX_RECORDS
 *   44+16P  4     u32 CRC-32 of the bytes before it (the header's CRC)
 *   ...           SC_TENSOR_COUNT times { u32 tensor index, u64 count,
 *                 count f32 weights, and in a full file count f32 m1 and
 *                 count f32 m2 }; the counts are those of sc_model_shape
 *                 (a local model's encoder and decoder hold k x C*r*r
 *                 filters)
 *   end-4   4     u32 CRC-32 (IEEE) of every byte before it
 *
 * The parameters are tagged: a known parameter the file lacks keeps its
 * default, so adding a parameter to the library orphans no file; an
 * unknown one is SC_ERR_VERSION (a newer writer's) unless the writer
 * marked it ignorable, and so are unknown record flags and contents.
 * They are judged only once the header's CRC has matched, so that a
 * flipped bit is SC_ERR_FORMAT, never taken for a newer writer.
 * SC_MODEL_PARAM_THREADS is a run-time setting: it is not written, and a
 * loaded model has its default whatever an older file says.
 *
 * Versions 1 to 3, read too, have no contents field and no header CRC,
 * records of 12 bytes { u32 id, f64 value }, exactly the parameters
 * sc_param_in_file_version gives (each once), and always the optimiser
 * state.
 *
 * Loading reads the bytes once, front to back, from a file or a buffer
 * (one decoder over an sc_source, file_source.c): the header and the
 * parameter records first (at most MAX_RECORDS, into a fixed buffer),
 * then, once the length they imply has been compared with the real
 * length (fstat's for a file, taken before anything is read), the weights
 * straight into the model's arrays, in 16 KB pieces, the CRC of every
 * byte computed as they pass (the header's CRC is the running CRC at its
 * place, and counts in the file's); it is checked at the end.  Nothing
 * is allocated from the sizes before the length check, and a failed
 * allocation is SC_ERR_NOMEM.  Saving encodes the bytes (byte_codec.c)
 * into a buffer (the caller's, for sc_model_save_buffer) and, for a file,
 * hands them to sc_write_atomically (atomic_file.c).
 */
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "byte_codec.h"
#include "crc32.h"
#include "file_source.h"
#include "model.h"

#define FORMAT_VERSION 4
#define OLDEST_FORMAT_VERSION 1
/* The first version with tagged records and a contents field. */
#define TAGGED_VERSION 4

/* Flags of a tagged parameter record; any other bit set is a newer
 * writer's (SC_ERR_VERSION). */
#define RECORD_IGNORABLE 1u
#define RECORD_FLAGS_KNOWN RECORD_IGNORABLE

/* The most parameter records a file may hold (this library knows
 * SC_MODEL_PARAM_COUNT): they are read whole, before they are judged. */
#define MAX_RECORDS 512

/* Bytes of the header before the parameter records, and of one record. */
static size_t header_size(uint32_t version)
{
    return version >= TAGGED_VERSION ? 44 : 40;
}

static size_t record_size(uint32_t version)
{
    return version >= TAGGED_VERSION ? 16 : 12;
}

/* The number of parameters a file of `version` holds: exactly so for
 * versions 1 to 3; what this library writes for the current one. */
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

/* The arrays a record of `contents` holds per weight: the weights, and in
 * a full file the two moments. */
static size_t arrays_per_tensor(uint32_t contents)
{
    return contents == SC_MODEL_CONTENTS_FULL ? 3 : 1;
}

static size_t encoded_size(const sc_model *m, sc_model_contents contents)
{
    /* The header, the records, the header's CRC and the file's. */
    size_t size = header_size(FORMAT_VERSION) +
                  record_size(FORMAT_VERSION) *
                      params_in_version(FORMAT_VERSION) + 4 + 4;
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        size += 12 + arrays_per_tensor(contents) * 4 *
                         m->state.tensor[t].count;
    return size;
}

/* Writes the encoded_size(m, contents) bytes of m's file at w->data. */
static void encode(const sc_model *m, sc_model_contents contents,
                   sc_writer *w)
{
    const sc_state *s = &m->state;
    int full = contents == SC_MODEL_CONTENTS_FULL;
    memcpy(w->data, magic, sizeof magic);
    w->size = sizeof magic;
    sc_put_u32(w, FORMAT_VERSION);
    sc_put_u32(w, (uint32_t)contents);
    sc_put_u64(w, m->n);
    sc_put_u64(w, m->k);
    /* The step count goes with the moments: Adam's bias correction
     * (docs/math.md, O2) starts again with a fresh optimiser state. */
    sc_put_u64(w, full ? s->steps : 0);
    sc_put_u32(w, params_in_version(FORMAT_VERSION));
    for (int i = 0; i < SC_MODEL_PARAM_COUNT; i++) {
        uint32_t id = (uint32_t)sc_param_at(i)->id;
        if (!sc_param_in_file_version(id, FORMAT_VERSION))
            continue;
        sc_put_u32(w, id);
        sc_put_u32(w, 0);   /* flags: every parameter matters */
        sc_put_f64(w, m->values[i]);
    }
    sc_put_u32(w, sc_crc32(w->data, w->size));
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        const sc_tensor *ts = &s->tensor[t];
        sc_put_u32(w, (uint32_t)t);
        sc_put_u64(w, ts->count);
        sc_put_floats(w, ts->w, ts->count);
        if (full) {
            sc_put_floats(w, ts->m1, ts->count);
            sc_put_floats(w, ts->m2, ts->count);
        }
    }
    sc_put_u32(w, sc_crc32(w->data, w->size));
}

/* The checks sc_model_save and sc_model_save_buffer share. */
static sc_status check_save(const sc_model *model,
                            sc_model_contents contents, const char *caller)
{
    if (contents != SC_MODEL_CONTENTS_FULL &&
        contents != SC_MODEL_CONTENTS_INFERENCE)
        return sc_fail(NULL, SC_ERR_RANGE, "%s: contents = %d is neither "
                       "SC_MODEL_CONTENTS_FULL nor "
                       "SC_MODEL_CONTENTS_INFERENCE", caller, (int)contents);
    if (!model->initialized)
        return sc_fail(NULL, SC_ERR_STATE, "%s: model is not initialised",
                       caller);
    return SC_OK;
}

sc_status sc_model_save(const sc_model *model, const char *path,
                        sc_model_contents contents)
{
    static const char caller[] = "sc_model_save";
    if (model == NULL || path == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       model == NULL ? "model" : "path");
    sc_status status = check_save(model, contents, caller);
    if (status != SC_OK)
        return status;
    sc_writer w = {malloc(encoded_size(model, contents)), 0};
    if (w.data == NULL)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    encode(model, contents, &w);
    status = sc_write_atomically(path, w.data, w.size, caller);
    free(w.data);
    return status;
}

sc_status sc_model_save_buffer(const sc_model *model,
                               sc_model_contents contents, void *buffer,
                               size_t capacity, size_t *size)
{
    static const char caller[] = "sc_model_save_buffer";
    if (model == NULL || size == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       model == NULL ? "model" : "size");
    sc_status status = check_save(model, contents, caller);
    if (status != SC_OK)
        return status;
    *size = encoded_size(model, contents);
    if (buffer == NULL)
        return SC_OK;
    if (capacity < *size)
        return sc_fail(NULL, SC_ERR_SIZE, "%s: capacity %zu is less than "
                       "the %zu bytes of the model", caller, capacity, *size);
    sc_writer w = {buffer, 0};
    encode(model, contents, &w);
    return SC_OK;
}

/* ---- load ------------------------------------------------------------- */

/* What the header says, before the parameter records. */
typedef struct {
    uint32_t version;
    uint32_t contents;   /* 0 (full) for versions 1 to 3 */
    uint64_t n, k, steps;
    uint32_t records;
} file_header;

/* Reads the magic, the version and the rest of the fixed header. */
static sc_status read_header(sc_source *src, file_header *h)
{
    const char *caller = src->caller;
    unsigned char head[44];
    if (src->size < sizeof magic + 8 ||
        sc_source_take(src, head, sizeof magic + 4) != SC_OK ||
        memcmp(head, magic, sizeof magic) != 0)
        return sc_source_format_error(src, "not a libsparsecode model file");
    sc_reader r = {head, sizeof magic + 4, sizeof magic};
    sc_get_u32(&r, &h->version);
    if (h->version < OLDEST_FORMAT_VERSION || h->version > FORMAT_VERSION)
        return sc_fail(NULL, SC_ERR_VERSION, "%s: format version %u; this "
                       "library reads %d to %d", caller,
                       (unsigned)h->version, OLDEST_FORMAT_VERSION,
                       FORMAT_VERSION);
    size_t rest = header_size(h->version) - r.at;
    sc_status status = sc_source_take(src, head + r.at, rest);
    if (status != SC_OK)
        return status;
    r.size += rest;
    h->contents = SC_MODEL_CONTENTS_FULL;
    if (h->version >= TAGGED_VERSION)
        sc_get_u32(&r, &h->contents);
    sc_get_u64(&r, &h->n);
    sc_get_u64(&r, &h->k);
    sc_get_u64(&r, &h->steps);
    sc_get_u32(&r, &h->records);
    return SC_OK;
}

/* Reads the parameter records and, in a tagged file, the header's CRC,
 * into `records`: SC_OK once they are known to be what the writer wrote
 * (versions 1 to 3: their count; later: the header's CRC). */
static sc_status read_records(sc_source *src, const file_header *h,
                              unsigned char *records)
{
    const char *caller = src->caller;
    if (h->version < TAGGED_VERSION &&
        h->records != params_in_version(h->version))
        return sc_source_format_error(src, "wrong number of parameters");
    size_t size = record_size(h->version);
    if (h->records > MAX_RECORDS)
        return sc_source_format_error(src, "too many parameter records");
    if (h->records > (src->size - src->at) / size)
        return sc_source_format_error(src, "the file's length does not "
                                      "match the sizes it declares");
    sc_status status = sc_source_take(src, records, size * h->records);
    if (status != SC_OK || h->version < TAGGED_VERSION)
        return status;
    /* The header's own CRC, so that what follows is judged on the bytes
     * the writer wrote: an unknown id is then a newer writer's, not a
     * flipped bit. */
    uint32_t crc = src->crc, stored;
    unsigned char bytes[4];
    if ((status = sc_source_take(src, bytes, sizeof bytes)) != SC_OK)
        return status;
    sc_reader r = {bytes, sizeof bytes, 0};
    sc_get_u32(&r, &stored);
    if (stored != crc)
        return sc_source_format_error(src, "header CRC mismatch: the file "
                                      "is corrupt");
    if (h->contents != SC_MODEL_CONTENTS_FULL &&
        h->contents != SC_MODEL_CONTENTS_INFERENCE)
        return sc_fail(NULL, SC_ERR_VERSION, "%s: contents %u; this library "
                       "reads 0 (full) and 1 (inference)", caller,
                       (unsigned)h->contents);
    return SC_OK;
}

/* Applies one parameter record, read by r, to m: SC_OK, or the status
 * that refuses it.  seen counts the known parameters applied so far. */
static sc_status apply_record(const sc_source *src, sc_reader *r,
                              uint32_t version, sc_model *m,
                              unsigned char *seen)
{
    const char *caller = src->caller;
    uint32_t id = 0, flags = 0;
    double value = 0;
    sc_get_u32(r, &id);
    if (version >= TAGGED_VERSION)
        sc_get_u32(r, &flags);
    sc_get_f64(r, &value);
    const sc_param_info *info = sc_param_lookup((sc_model_param)id);
    if (flags & ~RECORD_FLAGS_KNOWN)
        return sc_fail(NULL, SC_ERR_VERSION, "%s: the record of parameter "
                       "%u has flags 0x%x, unknown to this library", caller,
                       (unsigned)id, (unsigned)flags);
    if (info == NULL && version >= TAGGED_VERSION) {
        if (flags & RECORD_IGNORABLE)
            return SC_OK;
        return sc_fail(NULL, SC_ERR_VERSION, "%s: parameter %u is unknown to "
                       "this library (a newer one wrote the file)", caller,
                       (unsigned)id);
    }
    /* Every parameter at most once (versions 1 to 3: exactly once, by
     * their count), each within its bounds. */
    if (info == NULL || !sc_param_in_file_version(id, version) ||
        seen[sc_param_index((sc_model_param)id)]++ ||
        sc_param_check(info, value, NULL, caller) != SC_OK)
        return sc_source_format_error(src, "bad or repeated parameter "
                                      "record");
    /* The thread count is the loading process's business, not the
     * file's: versions 1 to 3 hold it, it is checked and left alone. */
    if (id != SC_MODEL_PARAM_THREADS)
        m->values[sc_param_index((sc_model_param)id)] = value;
    return SC_OK;
}

/* Reads the parameter records into a new model of the header's sizes,
 * *out, and checks that the length of the bytes is the one they imply. */
static sc_status read_parameters(sc_source *src, const file_header *h,
                                 sc_model **out)
{
    const char *caller = src->caller;
    unsigned char records[16 * MAX_RECORDS];
    sc_status status = read_records(src, h, records);
    if (status != SC_OK)
        return status;
    /* Beyond sc_model_create's limits, also where size_t is narrower. */
    sc_model *m = NULL;
    status = h->n > SC_MAX_DIMENSION || h->k > SC_MAX_DIMENSION
                 ? SC_ERR_SIZE
                 : sc_model_create(&m, (size_t)h->n, (size_t)h->k);
    if (status == SC_ERR_NOMEM)
        return status;
    if (status != SC_OK)
        return sc_fail(NULL, SC_ERR_FORMAT, "%s: bad sizes %llu x %llu",
                       caller, (unsigned long long)h->n,
                       (unsigned long long)h->k);
    unsigned char seen[SC_MODEL_PARAM_COUNT] = {0};
    sc_reader r = {records, record_size(h->version) * h->records, 0};
    for (uint32_t i = 0; i < h->records; i++)
        if ((status = apply_record(src, &r, h->version, m, seen)) != SC_OK) {
            sc_model_free(m);
            return status;
        }
    /* The length the sizes imply against the real one, before anything
     * is allocated from them. */
    sc_shape shape;
    if (sc_model_shape(m, &shape, caller) != SC_OK) {
        sc_model_free(m);
        return sc_source_format_error(src, "inconsistent structural "
                                      "parameters");
    }
    uint64_t expected = src->at + 4;
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        expected += 12 + 4 * arrays_per_tensor(h->contents) *
                             (uint64_t)shape.counts[t];
    if (expected != src->size) {
        sc_model_free(m);
        return sc_source_format_error(src, "the file's length does not "
                                      "match the sizes it declares");
    }
    *out = m;
    return SC_OK;
}

/* Reads the weight records into s, whose counts are the model's; the
 * moments of an inference file stay zero. */
static sc_status read_tensors(sc_source *src, uint32_t contents,
                              sc_state *s)
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
        status = sc_source_take_floats(src, ts->w, ts->count);
        if (status == SC_OK && contents == SC_MODEL_CONTENTS_FULL &&
            (status = sc_source_take_floats(src, ts->m1, ts->count)) == SC_OK)
            status = sc_source_take_floats(src, ts->m2, ts->count);
        if (status != SC_OK)
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

/* Loads the model in src into *out, an sc_model **. */
static sc_status load(sc_source *src, void *out)
{
    const char *caller = src->caller;
    file_header h = {0};
    sc_model *m = NULL;
    sc_status status = read_header(src, &h);
    if (status == SC_OK)
        status = read_parameters(src, &h, &m);
    if (status != SC_OK)
        return status;
    /* Only now, the length checked, the weights' memory. */
    sc_state s;
    status = sc_state_create(m, &s, caller);
    if (status != SC_OK) {
        sc_model_free(m);
        return status == SC_ERR_NOMEM
                   ? status
                   : sc_source_format_error(src, "inconsistent "
                                            "structural parameters");
    }
    if ((status = read_tensors(src, h.contents, &s)) == SC_OK &&
        (status = sc_source_check_end(src)) == SC_OK && !state_finite(&s))
        status = sc_source_format_error(src, "bad weight array");
    if (status != SC_OK) {
        sc_state_release(&s);
        sc_model_free(m);
        return status;
    }
    s.steps = h.steps;
    sc_model_adopt_state(m, &s);
    *(sc_model **)out = m;
    return SC_OK;
}

sc_status sc_model_load(sc_model **out, const char *path)
{
    /* The real length first (sc_source_open's fstat): every length the
     * file claims is checked against it. */
    return sc_source_load_file(out, path, load, "sc_model_load");
}

sc_status sc_model_load_buffer(sc_model **out, const void *buffer,
                               size_t size)
{
    static const char caller[] = "sc_model_load_buffer";
    if (out == NULL || buffer == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       out == NULL ? "out" : "buffer");
    sc_source src;
    sc_source_from_buffer(&src, buffer, size, caller);
    return load(&src, out);
}
