/* SPDX-License-Identifier: BSD-2-Clause */
/* dictionary.h -- the dictionary learner's layout, private to the
 * library: dictionary.c learns, dictionaryfile.c saves and loads. */
#ifndef SC_DICTIONARY_H
#define SC_DICTIONARY_H

#include <stddef.h>
#include <stdint.h>

#include "params.h"
#include "solver.h"
#include "status.h"

#define SC_DICTIONARY_PARAM_COUNT 7

struct sc_dictionary_s {
    size_t n, k;
    double values[SC_DICTIONARY_PARAM_COUNT];
    int initialized;
    float *atoms;          /* D, n x k */
    float *a, *b;          /* A (k x k) and B (n x k), see online_update */
    uint64_t steps;        /* steps since init */
    sc_solver *solver;     /* for the current D, with the current settings */
    /* step scratch, grown to the largest batch */
    size_t capacity;
    float *codes, *residual;
    float *saved_atoms, *saved_a, *saved_b, *column;
    char message[SC_MESSAGE_SIZE];
};

extern const sc_param_table sc_dictionary_param_table;

/* The value of parameter id in values (a learner's, or a candidate set). */
double sc_dictionary_value(const double *values, sc_dictionary_param id);

/* Whether `method` may code a learner's batches (a lasso method);
 * SC_OK, or SC_ERR_RANGE with the message (to `message`, may be NULL)
 * naming the method and the caller. */
sc_status sc_dictionary_check_solver_method(double method, char *message,
                                            const char *caller);

/* A solver for atoms (n x k) with the coding settings in values, in
 * *out; on failure the status of sc_solver_create or sc_solver_set with
 * the thread's message set. */
sc_status sc_dictionary_make_solver(size_t n, size_t k, const float *atoms,
                                    const double *values, sc_solver **out);

/* Gives d the state atoms, a, b (malloc'd, n x k, k x k, n x k), solver
 * and step count, freeing the old one; d is then initialised. */
void sc_dictionary_adopt(sc_dictionary *d, float *atoms, float *a, float *b,
                         sc_solver *solver, uint64_t steps);

#endif
