/* SPDX-License-Identifier: BSD-2-Clause */
/* dictionaryfile.c -- saving and loading dictionary learners.
 *
 * Format version 1, every number little-endian (docs/file-format.md):
 *
 *   offset  size  field
 *   0       8     magic "SCDICT\0\0"
 *   8       4     u32 format version (1)
 *   12      8     u64 n (inputs)
 *   20      8     u64 k (atoms)
 *   28      8     u64 steps since init
 *   36      4     u32 P, the number of parameter records
 *                 (<= SC_DICTIONARY_PARAM_COUNT)
 *   40      12*P  P times { u32 parameter id, f64 value }
 *   ...     4nk   D, n x k f32, row-major
 *   ...     4kk   A, k x k f32
 *   ...     4nk   B, n x k f32
 *   ...     8     f64 the solver's estimate of lambda_max(D^T D)
 *   ...     8k    k f64, the power iteration's last iterate
 *   end-4   4     u32 CRC-32 (IEEE) of every byte before it
 *
 * The last two fields are the state behind ISTA's and FISTA's step
 * size: with them a loaded learner takes the same steps, bit for bit, as
 * the one saved.  A parameter that a file does not hold takes its
 * default; each one it holds must be known, appear once and pass
 * sc_dictionary_set's checks.  Loading follows sc_model_load
 * (file_source.c): the length the header implies is compared with the
 * file's before anything is allocated from it, arrays are read in 16 KB
 * pieces, and every value is checked.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "byte_codec.h"
#include "crc32.h"
#include "dictionary.h"
#include "file_source.h"
#include "model.h"      /* sc_all_finite */

#define FORMAT_VERSION 1
#define HEADER_BYTES 40
#define PARAM_RECORD_BYTES 12
/* The loader accepts atoms of norm up to 1 + this (the learner projects
 * them to norm <= 1 in float: a few roundings of 6e-8). */
#define NORM_TOLERANCE 1e-5

static const unsigned char magic[8] = {'S', 'C', 'D', 'I', 'C', 'T', 0, 0};

/* The bytes after the parameter records, for n x k. */
static uint64_t body_bytes(uint64_t n, uint64_t k)
{
    return 4 * (2 * n * k + k * k) + 8 + 8 * k + 4;
}

/* ---- save ------------------------------------------------------------- */

static void encode(const sc_dictionary *d, sc_writer *w)
{
    size_t n = d->n, k = d->k;
    const sc_solver *s = d->solver;
    memcpy(w->data, magic, sizeof magic);
    w->size = sizeof magic;
    sc_put_u32(w, FORMAT_VERSION);
    sc_put_u64(w, n);
    sc_put_u64(w, k);
    sc_put_u64(w, d->steps);
    sc_put_u32(w, SC_DICTIONARY_PARAM_COUNT);
    for (int i = 0; i < SC_DICTIONARY_PARAM_COUNT; i++) {
        sc_put_u32(w, (uint32_t)sc_dictionary_param_table.rows[i].id);
        sc_put_f64(w, d->values[i]);
    }
    sc_put_floats(w, d->atoms, n * k);
    sc_put_floats(w, d->a, k * k);
    sc_put_floats(w, d->b, n * k);
    sc_put_f64(w, s->rayleigh);
    sc_put_doubles(w, s->top, k);
    sc_put_u32(w, sc_crc32(w->data, w->size));
}

sc_status sc_dictionary_save(const sc_dictionary *dict, const char *path)
{
    static const char caller[] = "sc_dictionary_save";
    if (dict == NULL || path == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       dict == NULL ? "dict" : "path");
    if (!dict->initialized)
        return sc_fail(NULL, SC_ERR_STATE,
                       "%s: the dictionary is not initialised", caller);
    size_t size = HEADER_BYTES +
                  PARAM_RECORD_BYTES * SC_DICTIONARY_PARAM_COUNT +
                  (size_t)body_bytes(dict->n, dict->k);
    sc_writer w = {malloc(size), 0};
    if (w.data == NULL)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    encode(dict, &w);
    sc_status status = sc_write_atomically(path, w.data, w.size, caller);
    free(w.data);
    return status;
}

/* ---- load ------------------------------------------------------------- */

/* What the header says, before anything is allocated from it. */
typedef struct {
    uint64_t n, k, steps;
    double values[SC_DICTIONARY_PARAM_COUNT];
} header;

/* Reads and checks magic, version, sizes and parameter records, and the
 * file's length against the one they imply. */
static sc_status read_header(sc_source *src, header *h)
{
    unsigned char bytes[HEADER_BYTES +
                        PARAM_RECORD_BYTES * SC_DICTIONARY_PARAM_COUNT];
    if (src->size < sizeof magic + 4 ||
        sc_source_take(src, bytes, sizeof magic + 4) != SC_OK ||
        memcmp(bytes, magic, sizeof magic) != 0)
        return sc_source_format_error(src, "not a libsparsecode dictionary "
                                      "file");
    sc_reader r = {bytes, sizeof magic + 4, sizeof magic};
    uint32_t version, count;
    sc_get_u32(&r, &version);
    if (version != FORMAT_VERSION)
        return sc_fail(NULL, SC_ERR_VERSION, "%s: dictionary format version "
                       "%u; this library reads %d", src->caller,
                       (unsigned)version, FORMAT_VERSION);
    sc_status status = sc_source_take(src, bytes + r.at, HEADER_BYTES - r.at);
    if (status != SC_OK)
        return status;
    r.size = HEADER_BYTES;
    sc_get_u64(&r, &h->n);
    sc_get_u64(&r, &h->k);
    sc_get_u64(&r, &h->steps);
    sc_get_u32(&r, &count);
    if (count > SC_DICTIONARY_PARAM_COUNT)
        return sc_source_format_error(src, "too many parameter records");
    if ((status = sc_source_take(src, bytes + HEADER_BYTES,
                                 PARAM_RECORD_BYTES * (size_t)count)) != SC_OK)
        return status;
    r.size = HEADER_BYTES + PARAM_RECORD_BYTES * (size_t)count;
    /* Each parameter at most once, known, and valid as for a set. */
    const sc_param_table *table = &sc_dictionary_param_table;
    sc_table_defaults(table, h->values);
    unsigned char seen[SC_DICTIONARY_PARAM_COUNT] = {0};
    for (uint32_t i = 0; i < count; i++) {
        uint32_t id;
        double v;
        sc_get_u32(&r, &id);
        sc_get_f64(&r, &v);
        int index = id <= INT32_MAX ? sc_table_index(table, (int)id) : -1;
        if (index < 0 || seen[index]++ ||
            sc_param_check(&table->rows[index], v, NULL,
                           src->caller) != SC_OK ||
            (id == SC_DICTIONARY_PARAM_SOLVER_METHOD &&
             sc_dictionary_check_solver_method(v, NULL, src->caller) != SC_OK))
            return sc_source_format_error(src, "bad or repeated parameter "
                                          "record");
        h->values[index] = v;
    }
    /* The sizes, then the length they imply against the real one. */
    sc_dictionary *probe = NULL;
    if (h->n > SIZE_MAX || h->k > SIZE_MAX ||
        (status = sc_dictionary_create(&probe, (size_t)h->n,
                                       (size_t)h->k)) == SC_ERR_SIZE)
        return sc_fail(NULL, SC_ERR_FORMAT, "%s: bad sizes %llu x %llu",
                       src->caller, (unsigned long long)h->n,
                       (unsigned long long)h->k);
    sc_dictionary_free(probe);
    if (status != SC_OK)
        return status;
    if (src->at + body_bytes(h->n, h->k) != src->size)
        return sc_source_format_error(src, "the file's length does not match "
                                      "the sizes it declares");
    return SC_OK;
}

/* Whether the learner's arrays hold what a learner can: finite values,
 * atoms in the unit ball, a non-negative diagonal of A (sums of squares)
 * and a valid power iteration state. */
static int state_valid(size_t n, size_t k, const float *atoms,
                       const float *a, const float *b, const double *top,
                       double rayleigh)
{
    if (!sc_all_finite(atoms, n * k) || !sc_all_finite(a, k * k) ||
        !sc_all_finite(b, n * k) || !(rayleigh > 0) || !isfinite(rayleigh))
        return 0;
    for (size_t j = 0; j < k; j++) {
        double norm = 0.0;
        for (size_t i = 0; i < n; i++)
            norm += (double)atoms[i * k + j] * atoms[i * k + j];
        if (!(sqrt(norm) <= 1.0 + NORM_TOLERANCE) || !(a[j * k + j] >= 0) ||
            !isfinite(top[j]))
            return 0;
    }
    return 1;
}

/* Reads the arrays, the power iteration state and the CRC into a new
 * learner for the header h. */
static sc_status read_learner(sc_source *src, const header *h,
                              sc_dictionary **out)
{
    size_t n = (size_t)h->n, k = (size_t)h->k;
    sc_dictionary *d = NULL;
    sc_status status = sc_dictionary_create(&d, n, k);
    if (status != SC_OK)
        return status;
    memcpy(d->values, h->values, sizeof d->values);
    float *atoms = malloc(n * k * sizeof *atoms);
    float *a = malloc(k * k * sizeof *a), *b = malloc(n * k * sizeof *b);
    double *top = malloc(k * sizeof *top), rayleigh = 0.0;
    sc_solver *solver = NULL;
    if (atoms == NULL || a == NULL || b == NULL || top == NULL)
        status = sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory",
                         src->caller);
    if (status == SC_OK &&
        (status = sc_source_take_floats(src, atoms, n * k)) == SC_OK &&
        (status = sc_source_take_floats(src, a, k * k)) == SC_OK &&
        (status = sc_source_take_floats(src, b, n * k)) == SC_OK &&
        (status = sc_source_take_doubles(src, &rayleigh, 1)) == SC_OK &&
        (status = sc_source_take_doubles(src, top, k)) == SC_OK &&
        (status = sc_source_check_end(src)) == SC_OK &&
        !state_valid(n, k, atoms, a, b, top, rayleigh))
        status = sc_source_format_error(src, "bad values (atoms beyond the "
                                        "unit ball, NaN or Inf)");
    if (status == SC_OK) {
        status = sc_dictionary_make_solver(n, k, atoms, d->values, &solver);
        if (status != SC_OK && status != SC_ERR_NOMEM)
            status = sc_source_format_error(src, "the atoms cannot be coded "
                                            "(zero or too small)");
    }
    if (status != SC_OK) {
        free(atoms);
        free(a);
        free(b);
        free(top);
        sc_dictionary_free(d);
        return status;
    }
    if (sc_solver_method_uses_lipschitz((int)sc_dictionary_value(
            d->values, SC_DICTIONARY_PARAM_SOLVER_METHOD)))
        sc_solver_restore_lipschitz(solver, top, rayleigh);
    free(top);
    sc_dictionary_adopt(d, atoms, a, b, solver, h->steps);
    *out = d;
    return SC_OK;
}

/* Loads the learner in src into *out, an sc_dictionary **. */
static sc_status load(sc_source *src, void *out)
{
    header h;
    sc_status status = read_header(src, &h);
    if (status == SC_OK)
        status = read_learner(src, &h, out);
    return status;
}

sc_status sc_dictionary_load(sc_dictionary **out, const char *path)
{
    return sc_source_load_file(out, path, load, "sc_dictionary_load");
}
