/* SPDX-License-Identifier: BSD-2-Clause */
/* params.h -- the parameter table: names, bounds, defaults, and whether a
 * parameter is an integer or fixes the model's structure. */
#ifndef SC_PARAMS_H
#define SC_PARAMS_H

#include <stdint.h>

#include "sparsecode.h"

/* Number of parameters; values live in an array of this many doubles,
 * indexed by sc_param_index(). */
#define SC_MODEL_PARAM_COUNT 38

typedef struct {
    int id;                /* an sc_model_param, sc_solver_param, sc_dictionary_param */
    const char *name;      /* "SC_MODEL_PARAM_ITERATIONS" */
    const char *key;       /* "iterations": the name without its prefix, in
                              lower case (sc_model_param_name) */
    double lo, hi;         /* inclusive bounds */
    double initial;        /* default */
    int integral;          /* the value must be an integer */
    int structural;        /* settable only before init */
    double gap;            /* values in (0, gap) are refused: e.g. 2 for
                              SC_MODEL_PARAM_CLASSES, which may be 0 or >= 2 */
} sc_param_info;

/* A table of parameters: the model's, a solver's, a dictionary's. */
typedef struct {
    const sc_param_info *rows;
    int count;
} sc_param_table;

extern const sc_param_table sc_model_param_table;

/* The position of id in the table (its index into a values array), or -1. */
int sc_table_index(const sc_param_table *table, int id);

/* The entry of id, or NULL for an unknown id. */
const sc_param_info *sc_table_lookup(const sc_param_table *table, int id);

/* Writes every default into values[table->count]. */
void sc_table_defaults(const sc_param_table *table, double *values);

/* Checks value against info: NaN, bounds, integrality and the gap.
 * Returns SC_OK or SC_ERR_RANGE with a message written to `message` (may
 * be NULL). */
sc_status sc_param_check(const sc_param_info *info, double value,
                         char *message, const char *caller);

/* Whether a model file of format `version` holds parameter `id`
 * (docs/file-format.md): version 4 (tagged records) every known parameter
 * but SC_MODEL_PARAM_THREADS, a run-time setting (a version 4 writer
 * writes exactly these; a file may lack some); version 3 every one;
 * version 2 lacks SC_MODEL_PARAM_ENCODER and ids 48-52, version 1 also
 * the local ones, 12-18.  The loader and the fuzzers' file generator
 * share it. */
int sc_param_in_file_version(uint32_t id, uint32_t version);

/* The shared bodies of sc_model_param_name / _from_name and the solver's
 * and dictionary's: the row's key, or NULL for an unknown id; and the id
 * whose key is `name` (SC_ERR_NULL, SC_ERR_PARAM with the message set,
 * *id untouched on failure). */
const char *sc_table_name(const sc_param_table *table, int id);
sc_status sc_table_from_name(const sc_param_table *table, const char *name,
                             int *id, const char *caller);

/* The bounds query shared by sc_model_param_bounds, sc_solver_param_bounds and
 * sc_dictionary_param_bounds. */
sc_status sc_table_bounds(const sc_param_table *table, int id, double *lo,
                          double *hi, const char *caller);

/* The shared body of sc_model_get, sc_solver_get and sc_dictionary_get:
 * handle is the caller's handle (only tested for NULL), values its array. */
sc_status sc_table_get(const sc_param_table *table, const void *handle,
                       const double *values, int id, double *value,
                       const char *caller);

/* The shared first half of every set: the id must be known and the value
 * within bounds.  On success *info is the entry; on failure the status,
 * with the message written to `message`. */
sc_status sc_table_check_set(const sc_param_table *table, int id,
                             double value, char *message, const char *caller,
                             const sc_param_info **info);

/* The model's table, by sc_model_param. */
const sc_param_info *sc_param_lookup(sc_model_param id);
const sc_param_info *sc_param_at(int i);
int sc_param_index(sc_model_param id);
void sc_param_defaults(double *values);

#endif
