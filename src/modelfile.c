/* modelfile.c -- saving and loading models.
 *
 * Format version 3, every number little-endian.  Versions 1 and 2, read
 * too, are the same layout with fewer parameters, the missing ones keeping
 * their defaults: version 2 lacks the six of ids 19 (SC_PARAM_ENCODER: a
 * LISTA model) and 48-52 (SC_PARAM_ENCODER_MAX_NORM to
 * SC_PARAM_INIT_NOISE), and version 1 also the seven local parameters
 * (SC_PARAM_LOCAL_FIELD to SC_PARAM_POOL_POSITIONS, ids 12-18: a dense
 * model):
 *
 *   offset  size  field
 *   0       8     magic "SCMODEL\0"
 *   8       4     u32 format version (3)
 *   12      8     u64 n (inputs)
 *   20      8     u64 k (units)
 *   28      8     u64 steps taken
 *   36      4     u32 P, the number of parameters (SC_PARAM_COUNT)
 *   40      12*P  P times { u32 parameter id, f64 value }
 *   ...           SC_TENSOR_COUNT times { u32 tensor index, u64 count,
 *                 count f32 weights, count f32 m1, count f32 m2 }; the
 *                 counts are those of sc_model_shape (a local model's
 *                 encoder and decoder hold k x C*r*r filters)
 *   end-4   4     u32 CRC-32 (IEEE) of every byte before it
 *
 * Loading reads the whole file, checks its length and CRC, then parses
 * with a bounds-checked reader; every size is compared with the one the
 * parameters imply before anything is allocated from it.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "model.h"

#define FORMAT_VERSION 3
#define OLDEST_FORMAT_VERSION 1

/* Whether a file of `version` holds parameter `id`. */
static int param_in_version(uint32_t id, uint32_t version)
{
    if (version < 3 && (id == SC_PARAM_ENCODER ||
                        (id >= SC_PARAM_ENCODER_MAX_NORM &&
                         id <= SC_PARAM_INIT_NOISE)))
        return 0;
    return version >= 2 || id < SC_PARAM_LOCAL_FIELD ||
           id > SC_PARAM_POOL_POSITIONS;
}

/* The number of parameters a file of `version` holds. */
static uint32_t params_in_version(uint32_t version)
{
    uint32_t count = 0;
    for (int i = 0; i < SC_PARAM_COUNT; i++)
        count += (uint32_t)param_in_version((uint32_t)sc_param_at(i)->id,
                                            version);
    return count;
}
static const unsigned char magic[8] = {'S', 'C', 'M', 'O', 'D', 'E', 'L', 0};

/* ---- little-endian writer into a byte buffer ------------------------- */

typedef struct {
    unsigned char *data;
    size_t size;
} writer;

static void put_u32(writer *w, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        w->data[w->size++] = (unsigned char)(v >> (8 * i));
}

static void put_u64(writer *w, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        w->data[w->size++] = (unsigned char)(v >> (8 * i));
}

static void put_f64(writer *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_u64(w, bits);
}

static void put_floats(writer *w, const float *v, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        put_u32(w, bits);
    }
}

/* ---- bounds-checked little-endian reader ----------------------------- */

typedef struct {
    const unsigned char *data;
    size_t size, at;
} reader;

static int get_u32(reader *r, uint32_t *v)
{
    if (r->size - r->at < 4)
        return -1;
    *v = 0;
    for (int i = 0; i < 4; i++)
        *v |= (uint32_t)r->data[r->at++] << (8 * i);
    return 0;
}

static int get_u64(reader *r, uint64_t *v)
{
    if (r->size - r->at < 8)
        return -1;
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v |= (uint64_t)r->data[r->at++] << (8 * i);
    return 0;
}

static int get_f64(reader *r, double *v)
{
    uint64_t bits;
    if (get_u64(r, &bits) != 0)
        return -1;
    memcpy(v, &bits, sizeof *v);
    return 0;
}

static int get_floats(reader *r, float *v, size_t count)
{
    if ((r->size - r->at) / 4 < count)
        return -1;
    for (size_t i = 0; i < count; i++) {
        uint32_t bits = 0;
        get_u32(r, &bits);
        memcpy(&v[i], &bits, sizeof bits);
    }
    return 0;
}

/* ---- save ------------------------------------------------------------- */

static size_t encoded_size(const sc_model *m)
{
    size_t size = sizeof magic + 4 + 8 + 8 + 8 + 4 + 12 * SC_PARAM_COUNT + 4;
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        size += 4 + 8 + 3 * 4 * m->state.tensor[t].count;
    return size;
}

static void encode(const sc_model *m, writer *w)
{
    const sc_state *s = &m->state;
    memcpy(w->data, magic, sizeof magic);
    w->size = sizeof magic;
    put_u32(w, FORMAT_VERSION);
    put_u64(w, m->n);
    put_u64(w, m->k);
    put_u64(w, s->steps);
    put_u32(w, SC_PARAM_COUNT);
    for (int i = 0; i < SC_PARAM_COUNT; i++) {
        put_u32(w, (uint32_t)sc_param_at(i)->id);
        put_f64(w, m->values[i]);
    }
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        const sc_tensor *ts = &s->tensor[t];
        put_u32(w, (uint32_t)t);
        put_u64(w, ts->count);
        put_floats(w, ts->w, ts->count);
        put_floats(w, ts->m1, ts->count);
        put_floats(w, ts->m2, ts->count);
    }
    put_u32(w, sc_crc32(w->data, w->size));
}

/* Writes all of data to a fresh temporary file beside path, syncs it and
 * renames it over path.  On any failure the temporary file is removed and
 * path is untouched. */
/* A temporary name beside path, unique across threads and processes
 * (with O_EXCL making any clash an error to retry, not a shared file). */
static _Atomic unsigned temp_counter;

static int create_temporary(const char *path, char *tmp, size_t size)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(tmp, size, "%s.tmp-%ld-%u", path, (long)getpid(),
                 temp_counter++);
        /* Mode 0666 less the umask, as fopen would give the final file. */
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

/* Writes all of data to a fresh temporary file beside path, syncs it and
 * renames it over path.  On any failure the temporary file is removed and
 * path is untouched. */
static sc_status write_atomically(const char *path, const unsigned char *data,
                                  size_t size, const char *caller)
{
    size_t tmp_size = strlen(path) + 48;
    char *tmp = malloc(tmp_size);
    if (tmp == NULL)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    int fd = create_temporary(path, tmp, tmp_size);
    if (fd < 0) {
        sc_status s = sc_fail(NULL, SC_ERR_IO, "%s: cannot create a file "
                              "beside %s: %s", caller, path, strerror(errno));
        free(tmp);
        return s;
    }
    const char *failed = NULL;
    size_t done = 0;
    while (done < size && failed == NULL) {
        ssize_t wrote = write(fd, data + done, size - done);
        if (wrote < 0 && errno != EINTR)
            failed = "write";
        else if (wrote > 0)
            done += (size_t)wrote;
    }
    if (failed == NULL && fsync(fd) != 0)
        failed = "fsync";
    if (close(fd) != 0 && failed == NULL)
        failed = "close";
    if (failed == NULL && rename(tmp, path) != 0)
        failed = "rename";
    sc_status status = SC_OK;
    if (failed != NULL) {
        status = sc_fail(NULL, SC_ERR_IO, "%s: %s of %s failed: %s", caller,
                         failed, path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return status;
}

sc_status sc_model_save(const sc_model *model, const char *path)
{
    static const char caller[] = "sc_model_save";
    if (model == NULL || path == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       model == NULL ? "model" : "path");
    if (!model->initialized)
        return sc_fail(NULL, SC_ERR_STATE, "%s: model is not initialised",
                       caller);
    writer w = {malloc(encoded_size(model)), 0};
    if (w.data == NULL)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    encode(model, &w);
    sc_status status = write_atomically(path, w.data, w.size, caller);
    free(w.data);
    return status;
}

/* ---- load ------------------------------------------------------------- */

/* Reads the whole file; SC_ERR_IO, SC_ERR_FORMAT (too short or too long
 * to be a model) or SC_ERR_NOMEM. */
static sc_status read_file(const char *path, unsigned char **data,
                           size_t *size, const char *caller)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; anything
     * but a regular file is then refused. */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return sc_fail(NULL, SC_ERR_IO, "%s: cannot open %s: %s", caller,
                       path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return sc_fail(NULL, SC_ERR_IO, "%s: %s is not a regular file",
                       caller, path);
    }
    FILE *f = fdopen(fd, "rb");
    if (f == NULL) {
        close(fd);
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    }
    /* The largest possible model: 2^31 floats in each of a few arrays, 3
     * copies each; anything longer is not a model file. */
    const uint64_t max_size = (uint64_t)1 << 37;
    if ((uint64_t)st.st_size > max_size) {
        fclose(f);
        return sc_fail(NULL, SC_ERR_FORMAT, "%s: %s is too large to be a "
                       "model file", caller, path);
    }
    *size = (size_t)st.st_size;
    *data = malloc(*size > 0 ? *size : 1);
    if (*data == NULL) {
        fclose(f);
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    }
    size_t got = fread(*data, 1, *size, f);
    int error = ferror(f);
    fclose(f);
    if (error || got != *size) {
        free(*data);
        return sc_fail(NULL, SC_ERR_IO, "%s: cannot read %s", caller, path);
    }
    return SC_OK;
}

static sc_status format_error(const char *caller, const char *what)
{
    return sc_fail(NULL, SC_ERR_FORMAT, "%s: %s", caller, what);
}

/* Parses a file whose length and CRC have been checked into a new model. */
static sc_status decode(reader *r, uint32_t version, sc_model **out,
                        const char *caller)
{
    uint64_t n, k, steps;
    uint32_t count;
    if (get_u64(r, &n) || get_u64(r, &k) || get_u64(r, &steps) ||
        get_u32(r, &count))
        return format_error(caller, "truncated header");
    sc_model *m;
    if (sc_model_create(&m, (size_t)n, (size_t)k) != SC_OK)
        return sc_fail(NULL, SC_ERR_FORMAT, "%s: bad sizes %llu x %llu",
                       caller, (unsigned long long)n, (unsigned long long)k);
    if (count != params_in_version(version)) {
        sc_model_free(m);
        return format_error(caller, "wrong number of parameters");
    }
    /* Every parameter exactly once, each within its bounds. */
    unsigned char seen[SC_PARAM_COUNT] = {0};
    for (uint32_t i = 0; i < count; i++) {
        uint32_t id;
        double value;
        const sc_param_info *info;
        if (get_u32(r, &id) || get_f64(r, &value) ||
            !param_in_version(id, version) ||
            (info = sc_param_lookup((sc_param)id)) == NULL ||
            seen[sc_param_index((sc_param)id)]++ ||
            sc_param_check(info, value, NULL, caller) != SC_OK) {
            sc_model_free(m);
            return format_error(caller, "bad or repeated parameter record");
        }
        m->values[sc_param_index((sc_param)id)] = value;
    }
    /* Compare the length the sizes imply with the real one before
     * allocating anything from them. */
    sc_shape shape;
    if (sc_model_shape(m, &shape, caller) != SC_OK) {
        sc_model_free(m);
        return format_error(caller, "inconsistent structural parameters");
    }
    uint64_t expected = r->at + 4;
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        expected += 12 + 12 * (uint64_t)shape.counts[t];
    if (expected != r->size) {
        sc_model_free(m);
        return format_error(caller, "the file's length does not match the "
                            "sizes it declares");
    }
    sc_state s;
    sc_status status = sc_state_create(m, &s, caller);
    if (status != SC_OK) {
        sc_model_free(m);
        return status == SC_ERR_NOMEM
                   ? status
                   : format_error(caller, "inconsistent structural "
                                  "parameters");
    }
    for (uint32_t t = 0; t < SC_TENSOR_COUNT; t++) {
        uint32_t index;
        uint64_t size;
        sc_tensor *ts = &s.tensor[t];
        if (get_u32(r, &index) || get_u64(r, &size) || index != t ||
            size != ts->count || get_floats(r, ts->w, ts->count) ||
            get_floats(r, ts->m1, ts->count) ||
            get_floats(r, ts->m2, ts->count) ||
            !sc_all_finite(ts->w, ts->count) ||
            !sc_all_finite(ts->m1, ts->count) ||
            !sc_all_finite(ts->m2, ts->count)) {
            sc_state_release(&s);
            sc_model_free(m);
            return format_error(caller, "bad weight array");
        }
    }
    if (r->size - r->at != 4) {
        sc_state_release(&s);
        sc_model_free(m);
        return format_error(caller, "unexpected bytes after the weights");
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
    unsigned char *data = NULL;
    size_t size = 0;
    sc_status status = read_file(path, &data, &size, caller);
    if (status != SC_OK)
        return status;
    reader r = {data, size, 0};
    uint32_t version = 0, stored_crc = 0;
    if (size < sizeof magic + 8 || memcmp(data, magic, sizeof magic) != 0) {
        status = format_error(caller, "not a libsparsecode model file");
    } else {
        r.at = sizeof magic;
        get_u32(&r, &version);
        reader tail = {data, size, size - 4};
        get_u32(&tail, &stored_crc);
        if (version < OLDEST_FORMAT_VERSION || version > FORMAT_VERSION)
            status = sc_fail(NULL, SC_ERR_VERSION,
                             "%s: format version %u; this library reads %d "
                             "to %d", caller, (unsigned)version,
                             OLDEST_FORMAT_VERSION, FORMAT_VERSION);
        else if (sc_crc32(data, size - 4) != stored_crc)
            status = format_error(caller, "CRC mismatch: the file is "
                                  "corrupt or truncated");
        else
            status = decode(&r, version, out, caller);
    }
    free(data);
    return status;
}
