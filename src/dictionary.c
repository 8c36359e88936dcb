/* SPDX-License-Identifier: BSD-2-Clause */
/* dictionary.c -- dictionary learning: codes by a lasso method of
 * sc_solver (SC_DICTIONARY_PARAM_SOLVER_METHOD), then an update of D by
 * Mairal et al.'s online algorithm (D1-D2 in docs/math.md) or by a
 * minibatch gradient step (D3).  A step that would leave NaN or Inf in D
 * is refused and D, A and B are restored.  The solver is planned once and
 * given each new D (sc_solver_replace_dictionary). */
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "columns.h"
#include "dictionary.h"
#include "rng.h"

#define SC_MAX_DIMENSION ((size_t)1 << 24)
#define SC_MAX_ELEMENTS  ((size_t)1 << 31)
#define DICT_PARAM_COUNT SC_DICTIONARY_PARAM_COUNT

#define ROW(id, key, lo, hi, def, integral) \
    { id, #id, key, lo, hi, def, integral, 0, 0 }

static const sc_param_info dict_rows[] = {
    ROW(SC_DICTIONARY_PARAM_METHOD, "method",                       0,     1,   SC_DICTIONARY_METHOD_ONLINE, 1),
    ROW(SC_DICTIONARY_PARAM_LAMBDA, "lambda",                       0,     1e6, 0.1,                         0),
    ROW(SC_DICTIONARY_PARAM_NONNEGATIVE, "nonnegative",             0,     1,   0,                           1),
    ROW(SC_DICTIONARY_PARAM_SOLVER_ITERATIONS, "solver_iterations", 1,     1e7, 200,                         1),
    ROW(SC_DICTIONARY_PARAM_SOLVER_TOLERANCE, "solver_tolerance",   0,     1,   1e-4,                        0),
    ROW(SC_DICTIONARY_PARAM_LEARNING_RATE, "learning_rate",         1e-12, 1e3, 0.1,                         0),
    ROW(SC_DICTIONARY_PARAM_SOLVER_METHOD, "solver_method",         0,     SC_SOLVER_METHOD_HIGHEST,
        SC_SOLVER_METHOD_CD_ACTIVE, 1),
};
_Static_assert(sizeof dict_rows / sizeof dict_rows[0] == DICT_PARAM_COUNT,
               "DICT_PARAM_COUNT");
const sc_param_table sc_dictionary_param_table = {dict_rows, DICT_PARAM_COUNT};

/* The sc_solver_methods that may code a learner's batches: those that
 * solve the lasso problem the learner minimises (OMP, greedy with a
 * budget of non-zeros, does not). */
#define LASSO(method) {method, #method}
static const struct {
    sc_solver_method method;
    const char *name;
} lasso_methods[] = {
    LASSO(SC_SOLVER_METHOD_ISTA),
    LASSO(SC_SOLVER_METHOD_FISTA),
    LASSO(SC_SOLVER_METHOD_COD),
    LASSO(SC_SOLVER_METHOD_CD_ACTIVE),
    LASSO(SC_SOLVER_METHOD_LARS),
};
#undef LASSO
#define LASSO_METHOD_COUNT (sizeof lasso_methods / sizeof lasso_methods[0])

sc_status sc_dictionary_check_solver_method(double method, char *message,
                                            const char *caller)
{
    for (size_t i = 0; i < LASSO_METHOD_COUNT; i++)
        if (method == (double)lasso_methods[i].method)
            return SC_OK;
    char names[256] = "";
    for (size_t i = 0; i < LASSO_METHOD_COUNT; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                 i == 0 ? "" : ", ", lasso_methods[i].name);
    return sc_fail(message, SC_ERR_RANGE, "%s: "
                   "SC_DICTIONARY_PARAM_SOLVER_METHOD = %g is not a lasso "
                   "method; use one of %s", caller, method, names);
}

double sc_dictionary_value(const double *values, sc_dictionary_param id)
{
    return values[sc_table_index(&sc_dictionary_param_table, (int)id)];
}

static double value(const sc_dictionary *d, sc_dictionary_param id)
{
    return sc_dictionary_value(d->values, id);
}

sc_status sc_dictionary_create(sc_dictionary **out, size_t n, size_t k)
{
    static const char caller[] = "sc_dictionary_create";
    if (out == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: out is NULL", caller);
    if (n == 0 || k == 0 || n > SC_MAX_DIMENSION || k > SC_MAX_DIMENSION ||
        n * k > SC_MAX_ELEMENTS || k * k > SC_MAX_ELEMENTS)
        return sc_fail(NULL, SC_ERR_SIZE, "%s: %zu x %zu is %s", caller, n,
                       k, n == 0 || k == 0 ? "empty" : "too large");
    sc_dictionary *d = calloc(1, sizeof *d);
    if (d == NULL)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    d->n = n;
    d->k = k;
    sc_table_defaults(&sc_dictionary_param_table, d->values);
    *out = d;
    return SC_OK;
}

static void release_scratch(sc_dictionary *d)
{
    free(d->codes);
    free(d->residual);
    free(d->saved_atoms);
    free(d->saved_a);
    free(d->saved_b);
    free(d->column);
    d->codes = d->residual = d->saved_atoms = d->saved_a = d->saved_b =
        d->column = NULL;
    d->capacity = 0;
}

void sc_dictionary_free(sc_dictionary *dict)
{
    if (dict == NULL)
        return;
    free(dict->atoms);
    free(dict->a);
    free(dict->b);
    sc_solver_free(dict->solver);
    release_scratch(dict);
    free(dict);
}

const char *sc_dictionary_message(const sc_dictionary *dict)
{
    return dict == NULL ? "" : dict->message;
}

sc_status sc_dictionary_param_bounds(sc_dictionary_param param, double *lo,
                                     double *hi)
{
    return sc_table_bounds(&sc_dictionary_param_table, (int)param, lo, hi,
                           "sc_dictionary_param_bounds");
}

/* Fails with `status` and the message "caller: <the thread's last
 * message><suffix>" (the last message is copied first: sc_fail writes
 * over it). */
static sc_status fail_because(char *message, sc_status status,
                              const char *caller, const char *suffix)
{
    char cause[SC_MESSAGE_SIZE];
    snprintf(cause, sizeof cause, "%s", sc_last_message());
    return sc_fail(message, status, "%s: %s%s", caller, cause, suffix);
}

sc_status sc_dictionary_make_solver(size_t n, size_t k, const float *atoms,
                                    const double *values, sc_solver **out)
{
#define V(id) sc_dictionary_value(values, id)
    sc_solver *s;
    sc_status status = sc_solver_create(&s, atoms, n, k);
    if (status != SC_OK)
        return status;
    status = sc_solver_set(s, SC_SOLVER_PARAM_METHOD,
                           V(SC_DICTIONARY_PARAM_SOLVER_METHOD));
    if (status == SC_OK)
        status = sc_solver_set(s, SC_SOLVER_PARAM_LAMBDA,
                               V(SC_DICTIONARY_PARAM_LAMBDA));
    if (status == SC_OK)
        status = sc_solver_set(s, SC_SOLVER_PARAM_NONNEGATIVE,
                               V(SC_DICTIONARY_PARAM_NONNEGATIVE));
    if (status == SC_OK)
        status = sc_solver_set(s, SC_SOLVER_PARAM_MAX_ITERATIONS,
                               V(SC_DICTIONARY_PARAM_SOLVER_ITERATIONS));
    if (status == SC_OK)
        status = sc_solver_set(s, SC_SOLVER_PARAM_TOLERANCE,
                               V(SC_DICTIONARY_PARAM_SOLVER_TOLERANCE));
    /* No cap on the support: LARS (the one lasso method that reads it)
     * then returns the exact lasso codes. */
    if (status == SC_OK)
        status = sc_solver_set(s, SC_SOLVER_PARAM_MAX_NONZEROS, 0);
#undef V
    if (status != SC_OK) {
        sc_solver_free(s);
        return status;
    }
    *out = s;
    return SC_OK;
}

const char *sc_dictionary_param_name(sc_dictionary_param param)
{
    return sc_table_name(&sc_dictionary_param_table, (int)param);
}

sc_status sc_dictionary_param_from_name(const char *name,
                                        sc_dictionary_param *param)
{
    int id = 0;
    sc_status status = sc_table_from_name(&sc_dictionary_param_table, name,
                                          param == NULL ? NULL : &id,
                                          "sc_dictionary_param_from_name");
    if (status == SC_OK)
        *param = (sc_dictionary_param)id;
    return status;
}

sc_status sc_dictionary_set(sc_dictionary *dict, sc_dictionary_param param,
                            double v)
{
    static const char caller[] = "sc_dictionary_set";
    if (dict == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: dict is NULL", caller);
    const sc_param_info *info;
    sc_status status = sc_table_check_set(&sc_dictionary_param_table,
                                          (int)param, v,
                                          dict->message, caller, &info);
    if (status == SC_OK && param == SC_DICTIONARY_PARAM_SOLVER_METHOD)
        status = sc_dictionary_check_solver_method(v, dict->message, caller);
    if (status != SC_OK)
        return status;
    double values[DICT_PARAM_COUNT];
    memcpy(values, dict->values, sizeof values);
    values[sc_table_index(&sc_dictionary_param_table, (int)param)] = v;
    if (dict->initialized) {
        /* The solver carries the coding settings: rebuild it. */
        sc_solver *s = NULL;
        status = sc_dictionary_make_solver(dict->n, dict->k, dict->atoms,
                                           values, &s);
        if (status != SC_OK)
            return fail_because(dict->message, status, caller, "");
        sc_solver_free(dict->solver);
        dict->solver = s;
    }
    memcpy(dict->values, values, sizeof values);
    return SC_OK;
}

sc_status sc_dictionary_get(const sc_dictionary *dict,
                            sc_dictionary_param param,
                            double *v)
{
    return sc_table_get(&sc_dictionary_param_table, dict,
                        dict ? dict->values : NULL,
                        (int)param, v, "sc_dictionary_get");
}

static int all_finite(const float *x, size_t count)
{
    int ok = 1;
    for (size_t i = 0; i < count; i++)
        ok &= fabsf(x[i]) <= 3.4028235e38f;
    return ok;
}

/* New, uninitialised D (n x k) and zero statistics A (k x k), B (n x k);
 * SC_ERR_NOMEM (nothing allocated) or SC_OK. */
static sc_status new_state(size_t n, size_t k, float **atoms, float **a,
                           float **b)
{
    *atoms = malloc(n * k * sizeof **atoms);
    *a = calloc(k * k, sizeof **a);
    *b = calloc(n * k, sizeof **b);
    if (*atoms != NULL && *a != NULL && *b != NULL)
        return SC_OK;
    free(*atoms);
    free(*a);
    free(*b);
    return SC_ERR_NOMEM;
}

void sc_dictionary_adopt(sc_dictionary *d, float *atoms, float *a, float *b,
                         sc_solver *solver, uint64_t steps)
{
    free(d->atoms);
    free(d->a);
    free(d->b);
    sc_solver_free(d->solver);
    d->atoms = atoms;
    d->a = a;
    d->b = b;
    d->solver = solver;
    d->steps = steps;
    d->initialized = 1;
}

/* The end of an init: a solver for atoms, then the new state adopted
 * (statistics zero, step 0); on failure everything new is freed and the
 * learner is unchanged.  cause: SC_OK, or the status of a failure found
 * while making the atoms (the thread's message says what). */
static sc_status finish_init(sc_dictionary *d, float *atoms, float *a,
                             float *b, sc_status cause, const char *caller)
{
    sc_solver *solver = NULL;
    sc_status status = cause != SC_OK
                           ? cause
                           : sc_dictionary_make_solver(d->n, d->k, atoms,
                                                       d->values, &solver);
    if (status != SC_OK) {
        free(atoms);
        free(a);
        free(b);
        return fail_because(d->message, status, caller, "");
    }
    sc_dictionary_adopt(d, atoms, a, b, solver, 0);
    return SC_OK;
}

sc_status sc_dictionary_init_data(sc_dictionary *dict, const float *x,
                                  size_t count, uint64_t seed)
{
    static const char caller[] = "sc_dictionary_init_data";
    if (dict == NULL || x == NULL)
        return sc_fail(dict ? dict->message : NULL, SC_ERR_NULL,
                       "%s: %s is NULL", caller, dict ? "x" : "dict");
    size_t n = dict->n, k = dict->k;
    if (count == 0 || count > SIZE_MAX / n / sizeof(float))
        return sc_fail(dict->message, SC_ERR_SIZE, "%s: count %zu is %s",
                       caller, count, count == 0 ? "0" : "too large");
    if (!all_finite(x, count * n))
        return sc_fail(dict->message, SC_ERR_NONFINITE,
                       "%s: x holds NaN or Inf", caller);
    float *atoms, *a, *b;
    if (new_state(n, k, &atoms, &a, &b) != SC_OK)
        return sc_fail(dict->message, SC_ERR_NOMEM, "%s: out of memory",
                       caller);
    sc_rng rng;
    sc_rng_seed(&rng, seed);
    /* Atom j: a random sample, or the first non-zero one after it
     * (wrapping), so zero samples are skipped. */
    int placed_all = 1;
    for (size_t j = 0; j < k && placed_all; j++) {
        size_t start = (size_t)sc_rng_below(&rng, count);
        int placed = 0;
        for (size_t tried = 0; tried < count && !placed; tried++) {
            const float *sample = x + ((start + tried) % count) * n;
            for (size_t i = 0; i < n; i++)
                atoms[i * k + j] = sample[i];
            placed = sc_column_set_norm(atoms, n, k, j, 1.0, 0);
        }
        placed_all = placed;
    }
    return finish_init(dict, atoms, a, b,
                       placed_all ? SC_OK
                                  : sc_fail(NULL, SC_ERR_RANGE,
                                            "every sample is zero"),
                       caller);
}

/* The largest deviation from 1 that a column scaled to unit norm keeps
 * in float (a few roundings of 6e-8). */
#define UNIT_NORM_TOLERANCE 1e-5

sc_status sc_dictionary_init_atoms(sc_dictionary *dict, const float *atoms_in)
{
    static const char caller[] = "sc_dictionary_init_atoms";
    if (dict == NULL || atoms_in == NULL)
        return sc_fail(dict ? dict->message : NULL, SC_ERR_NULL,
                       "%s: %s is NULL", caller, dict ? "atoms" : "dict");
    size_t n = dict->n, k = dict->k;
    if (!all_finite(atoms_in, n * k))
        return sc_fail(dict->message, SC_ERR_NONFINITE,
                       "%s: atoms hold NaN or Inf", caller);
    float *atoms, *a, *b;
    if (new_state(n, k, &atoms, &a, &b) != SC_OK)
        return sc_fail(dict->message, SC_ERR_NOMEM, "%s: out of memory",
                       caller);
    memcpy(atoms, atoms_in, n * k * sizeof *atoms);
    sc_status cause = SC_OK;
    for (size_t j = 0; j < k && cause == SC_OK; j++) {
        if (!sc_column_set_norm(atoms, n, k, j, 1.0, 0)) {
            cause = sc_fail(NULL, SC_ERR_RANGE, "atom %zu is zero", j);
            continue;
        }
        double norm = 0.0;
        for (size_t i = 0; i < n; i++)
            norm += (double)atoms[i * k + j] * atoms[i * k + j];
        if (!(fabs(sqrt(norm) - 1.0) <= UNIT_NORM_TOLERANCE))
            cause = sc_fail(NULL, SC_ERR_RANGE, "atom %zu cannot be scaled "
                            "to unit norm in float", j);
    }
    return finish_init(dict, atoms, a, b, cause, caller);
}

static sc_status reserve(sc_dictionary *d, size_t batch)
{
    if (batch <= d->capacity)
        return SC_OK;
    size_t n = d->n, k = d->k;
    release_scratch(d);
    d->codes = malloc(batch * k * sizeof(float));
    d->residual = malloc(batch * n * sizeof(float));
    d->saved_atoms = malloc(n * k * sizeof(float));
    d->saved_a = malloc(k * k * sizeof(float));
    d->saved_b = malloc(n * k * sizeof(float));
    d->column = malloc(n * sizeof(float));
    if (!d->codes || !d->residual || !d->saved_atoms || !d->saved_a ||
        !d->saved_b || !d->column) {
        release_scratch(d);
        return SC_ERR_NOMEM;
    }
    d->capacity = batch;
    return SC_OK;
}

/* (D1) A <- beta A + Z^T Z / batch, B <- beta B + X^T Z / batch, where the
 * forgetting factor beta = (theta + 1 - batch) / (theta + 1), with
 * theta = (t + 1) batch for the first batch steps and batch^2 + t + 1 -
 * batch after, lets the statistics of the first, poorly coded batches
 * fade (Mairal et al. 2009, section 3.4; scikit-learn's schedule).
 * (D2) one pass of block coordinate descent over the columns:
 * u_j = (b_j - D a_j) / A_jj + d_j, d_j = u_j / max(|u_j|, 1). */
static void online_update(sc_dictionary *d, const float *x, size_t batch)
{
    size_t n = d->n, k = d->k;
    float *atoms = d->atoms, *u = d->column;
    double t = (double)d->steps, bs = (double)batch;
    double theta = t < bs - 1 ? (t + 1) * bs : bs * bs + t + 1 - bs;
    float beta = (float)((theta + 1 - bs) / (theta + 1));
    sc_gemm(1, 0, k, k, batch, 1.0f / (float)batch, d->codes, k, d->codes, k,
            beta, d->a, k);
    sc_gemm(1, 0, n, k, batch, 1.0f / (float)batch, x, n, d->codes, k, beta,
            d->b, k);
    for (size_t j = 0; j < k; j++) {
        float ajj = d->a[j * k + j];
        if (ajj <= 0.0f)
            continue;           /* an atom no code has used yet */
        for (size_t i = 0; i < n; i++) {
            const float *row = atoms + i * k;
            double dot = 0.0;   /* (D a_j)_i, A symmetric */
            for (size_t l = 0; l < k; l++)
                dot += (double)row[l] * d->a[j * k + l];
            u[i] = (float)((d->b[i * k + j] - dot) / ajj + row[j]);
        }
        for (size_t i = 0; i < n; i++)
            atoms[i * k + j] = u[i];
        sc_column_set_norm(atoms, n, k, j, 1.0, 1);
    }
}

/* (D3) D <- D - rate (D Z^T - X^T) Z / batch, columns clipped to 1. */
static void sgd_update(sc_dictionary *d, const float *x, size_t batch)
{
    size_t n = d->n, k = d->k;
    float rate = (float)value(d, SC_DICTIONARY_PARAM_LEARNING_RATE);
    sc_gemm(0, 1, batch, n, k, 1.0f, d->codes, k, d->atoms, k, 0.0f,
            d->residual, n);
    for (size_t i = 0; i < batch * n; i++)
        d->residual[i] -= x[i];
    sc_gemm(1, 0, n, k, batch, -rate / (float)batch, d->residual, n,
            d->codes, k, 1.0f, d->atoms, k);
    for (size_t j = 0; j < k; j++)
        sc_column_set_norm(d->atoms, n, k, j, 1.0, 1);
}

static sc_status check_batch(const sc_dictionary *d, const float *x,
                             size_t batch, char *message, const char *caller)
{
    if (!d->initialized)
        return sc_fail(message, SC_ERR_STATE,
                       "%s: the dictionary is not initialised", caller);
    size_t widest = d->n > d->k ? d->n : d->k;
    if (batch == 0 || batch > (size_t)INT_MAX ||
        batch > SIZE_MAX / widest / sizeof(float))
        return sc_fail(message, SC_ERR_SIZE, "%s: batch %zu is %s", caller,
                       batch, batch == 0 ? "0" : "too large");
    if (!all_finite(x, batch * d->n))
        return sc_fail(message, SC_ERR_NONFINITE, "%s: x holds NaN or Inf",
                       caller);
    return SC_OK;
}

sc_status sc_dictionary_step(sc_dictionary *dict, const float *x,
                             size_t batch, sc_dictionary_stats *stats)
{
    static const char caller[] = "sc_dictionary_step";
    if (dict == NULL || x == NULL)
        return sc_fail(dict ? dict->message : NULL, SC_ERR_NULL,
                       "%s: %s is NULL", caller, dict ? "x" : "dict");
    if (stats != NULL && stats->size < offsetof(sc_dictionary_stats, objective)
                                       + sizeof stats->objective)
        return sc_fail(dict->message, SC_ERR_SIZE, "%s: stats->size = %zu; "
                       "set it to sizeof(sc_dictionary_stats)", caller, stats->size);
    sc_status status = check_batch(dict, x, batch, dict->message, caller);
    if (status != SC_OK)
        return status;
    if (reserve(dict, batch) != SC_OK)
        return sc_fail(dict->message, SC_ERR_NOMEM, "%s: out of memory",
                       caller);
    size_t n = dict->n, k = dict->k;
    sc_solver_report report = {.size = sizeof report};
    status = sc_solver_run(dict->solver, x, batch, dict->codes, &report);
    if (status != SC_OK)
        return fail_because(dict->message, status, caller, " (coding the "
                            "batch)");
    memcpy(dict->saved_atoms, dict->atoms, n * k * sizeof(float));
    memcpy(dict->saved_a, dict->a, k * k * sizeof(float));
    memcpy(dict->saved_b, dict->b, n * k * sizeof(float));
    int method = (int)value(dict, SC_DICTIONARY_PARAM_METHOD);
    if (method == SC_DICTIONARY_METHOD_ONLINE)
        online_update(dict, x, batch);
    else
        sgd_update(dict, x, batch);
    int finite = all_finite(dict->atoms, n * k) && all_finite(dict->a, k * k)
                 && all_finite(dict->b, n * k);
    if (finite)
        status = sc_solver_replace_dictionary(dict->solver, dict->atoms);
    if (!finite || status != SC_OK) {
        memcpy(dict->atoms, dict->saved_atoms, n * k * sizeof(float));
        memcpy(dict->a, dict->saved_a, k * k * sizeof(float));
        memcpy(dict->b, dict->saved_b, n * k * sizeof(float));
        return finite ? fail_because(dict->message, status, caller,
                                     "; the dictionary is unchanged")
                      : sc_fail(dict->message, SC_ERR_NONFINITE,
                                "%s: the update produced NaN or Inf; the "
                                "dictionary is unchanged", caller);
    }
    dict->steps++;
    if (stats != NULL) {
        size_t active = 0;
        for (size_t i = 0; i < batch * k; i++)
            active += dict->codes[i] != 0.0f;
        sc_dictionary_stats full = {stats->size, report.objective,
                              (double)active / (double)(batch * k)};
        memcpy(stats, &full,
               stats->size < sizeof full ? stats->size : sizeof full);
    }
    return SC_OK;
}

sc_status sc_dictionary_atoms(const sc_dictionary *dict, const float **atoms)
{
    static const char caller[] = "sc_dictionary_atoms";
    if (dict == NULL || atoms == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       dict == NULL ? "dict" : "atoms");
    if (!dict->initialized)
        return sc_fail(NULL, SC_ERR_STATE,
                       "%s: the dictionary is not initialised", caller);
    *atoms = dict->atoms;
    return SC_OK;
}

sc_status sc_dictionary_objective(const sc_dictionary *dict, const float *x,
                                  size_t batch, double *objective)
{
    static const char caller[] = "sc_dictionary_objective";
    if (dict == NULL || x == NULL || objective == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: a pointer argument is NULL",
                       caller);
    sc_status status = check_batch(dict, x, batch, NULL, caller);
    if (status != SC_OK)
        return status;
    float *codes = malloc(batch * dict->k * sizeof *codes);
    if (codes == NULL)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    sc_solver_report report = {.size = sizeof report};
    status = sc_solver_run(dict->solver, x, batch, codes, &report);
    free(codes);
    if (status != SC_OK)
        return status;
    *objective = report.objective;
    return SC_OK;
}
