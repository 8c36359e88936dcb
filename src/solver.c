/* SPDX-License-Identifier: BSD-2-Clause */
/* solver.c -- the sparse coding solver handle: plan (copy D, its Gram
 * matrix and Lipschitz constant), parameters, and runs (cold or warm,
 * on one thread or split over samples). */
#include <limits.h>
#include <stddef.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "parallel.h"
#include "params.h"
#include "solver.h"
#include "spectral.h"

#define SC_MAX_DIMENSION ((size_t)1 << 24)
#define SC_MAX_ELEMENTS  ((size_t)1 << 31)

#define ROW(id, key, lo, hi, def, integral) \
    { id, #id, key, lo, hi, def, integral, 0, 0 }

static const sc_param_info solver_rows[] = {
    ROW(SC_SOLVER_PARAM_METHOD, "method",                 0,     SC_SOLVER_METHOD_HIGHEST, SC_SOLVER_METHOD_FISTA, 1),
    ROW(SC_SOLVER_PARAM_LAMBDA, "lambda",                 0,     1e6,                     0.1,                    0),
    ROW(SC_SOLVER_PARAM_NONNEGATIVE, "nonnegative",       0,     1,                       0,                      1),
    ROW(SC_SOLVER_PARAM_MAX_ITERATIONS, "max_iterations", 1,     1e7,                     1000,                   1),
    ROW(SC_SOLVER_PARAM_TOLERANCE, "tolerance",           0,     1,                       1e-6,                   0),
    ROW(SC_SOLVER_PARAM_GROUP_LAYOUT, "group_layout",     0,     2,                       0,                      1),
    ROW(SC_SOLVER_PARAM_GROUP_WEIGHT, "group_weight",     0,     1e6,                     0,                      0),
    ROW(SC_SOLVER_PARAM_GROUP_SIZE, "group_size",         1,     1e6,                     4,                      1),
    ROW(SC_SOLVER_PARAM_TORUS_ROWS, "torus_rows",         0,     1e6,                     0,                      1),
    ROW(SC_SOLVER_PARAM_TORUS_COLS, "torus_cols",         0,     1e6,                     0,                      1),
    ROW(SC_SOLVER_PARAM_POOL_SIZE, "pool_size",           1,     1000,                    3,                      1),
    ROW(SC_SOLVER_PARAM_POOL_STRIDE, "pool_stride",       1,     1000,                    1,                      1),
    ROW(SC_SOLVER_PARAM_POOL_SIGMA, "pool_sigma",         0,     1000,                    0,                      0),
    ROW(SC_SOLVER_PARAM_GROUP_EPSILON, "group_epsilon",   1e-12, 1,                       1e-4,                   0),
    ROW(SC_SOLVER_PARAM_L2, "l2",                         0,     1e6,                     0,                      0),
    ROW(SC_SOLVER_PARAM_THREADS, "threads",               0,     SC_PARALLEL_MAX_THREADS, 1,                      1),
    ROW(SC_SOLVER_PARAM_MAX_NONZEROS, "max_nonzeros",     0,     SC_MAX_DIMENSION,        10,                     1),
    ROW(SC_SOLVER_PARAM_MAX_RESIDUAL, "max_residual",     0,     1e15,                    0,                      0),
};
_Static_assert(sizeof solver_rows / sizeof solver_rows[0] ==
                   SC_SOLVER_PARAM_COUNT, "SC_SOLVER_PARAM_COUNT");

static const sc_param_table solver_table = {solver_rows,
                                            SC_SOLVER_PARAM_COUNT};

static double value(const sc_solver *s, sc_solver_param id)
{
    return s->values[sc_table_index(&solver_table, (int)id)];
}

sc_problem sc_solver_problem(const sc_solver *s)
{
    sc_problem p;
    p.lambda = value(s, SC_SOLVER_PARAM_LAMBDA);
    p.l2 = value(s, SC_SOLVER_PARAM_L2);
    p.group_weight = s->pools.count > 0 ? value(s, SC_SOLVER_PARAM_GROUP_WEIGHT)
                                        : 0.0;
    p.group_epsilon = value(s, SC_SOLVER_PARAM_GROUP_EPSILON);
    p.tolerance = value(s, SC_SOLVER_PARAM_TOLERANCE);
    p.nonnegative = value(s, SC_SOLVER_PARAM_NONNEGATIVE) != 0.0;
    p.momentum =
        (int)value(s, SC_SOLVER_PARAM_METHOD) == SC_SOLVER_METHOD_FISTA;
    p.max_iterations = (uint64_t)value(s, SC_SOLVER_PARAM_MAX_ITERATIONS);
    p.sparse_below = sc_fista_sparse_cutoff(s->k);
    p.max_nonzeros = (size_t)value(s, SC_SOLVER_PARAM_MAX_NONZEROS);
    p.max_residual = value(s, SC_SOLVER_PARAM_MAX_RESIDUAL);
    return p;
}

/* Rebuilds the pools from the group parameters; on failure the old pools
 * stay. */
/* Whether a parameter is part of the pools' geometry. */
static int is_group_geometry(sc_solver_param param)
{
    switch (param) {
    case SC_SOLVER_PARAM_GROUP_LAYOUT:
    case SC_SOLVER_PARAM_GROUP_SIZE:
    case SC_SOLVER_PARAM_TORUS_ROWS:
    case SC_SOLVER_PARAM_TORUS_COLS:
    case SC_SOLVER_PARAM_POOL_SIZE:
    case SC_SOLVER_PARAM_POOL_STRIDE:
    case SC_SOLVER_PARAM_POOL_SIGMA:
        return 1;
    default:
        return 0;
    }
}

static sc_status rebuild_pools(sc_solver *s, const double *values,
                               const char *caller)
{
#define V(id) values[sc_table_index(&solver_table, (int)(id))]
    sc_pool_geometry g = {(int)V(SC_SOLVER_PARAM_GROUP_LAYOUT),
                          (size_t)V(SC_SOLVER_PARAM_GROUP_SIZE),
                          (size_t)V(SC_SOLVER_PARAM_TORUS_ROWS),
                          (size_t)V(SC_SOLVER_PARAM_TORUS_COLS),
                          (size_t)V(SC_SOLVER_PARAM_POOL_SIZE),
                          (size_t)V(SC_SOLVER_PARAM_POOL_STRIDE),
                          V(SC_SOLVER_PARAM_POOL_SIGMA), "SC_SOLVER_PARAM_", 0, 0,
                          0};
#undef V
    sc_pools fresh;
    sc_status status = sc_pools_build(&fresh, s->k, &g, s->message, caller);
    if (status != SC_OK)
        return status;
    double *load = calloc(s->k, sizeof *load);
    if (load == NULL) {
        sc_pools_release(&fresh);
        return sc_fail(s->message, SC_ERR_NOMEM, "%s: out of memory", caller);
    }
    int unit_weights = 1;
    size_t members = fresh.count ? fresh.start[fresh.count] : 0;
    for (size_t m = 0; m < members; m++) {
        load[fresh.units[m]] += fresh.weights[m];
        unit_weights &= fresh.weights[m] == 1.0f;
    }
    double overlap = 0.0;
    for (size_t i = 0; i < s->k; i++)
        if (load[i] > overlap)
            overlap = load[i];
    free(load);
    sc_pools_release(&s->pools);
    s->pools = fresh;
    /* With unit weights, load[i] counts the pools that hold unit i: the
     * pools are disjoint when none holds more than one. */
    s->exact_group_prox = unit_weights && overlap <= 1.0;
    s->pool_overlap = overlap;
    return SC_OK;
}

static int all_finite(const float *v, size_t count)
{
    int ok = 1;
    for (size_t i = 0; i < count; i++)
        ok &= isfinite(v[i]) != 0;
    return ok;
}

static int all_zero(const float *v, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (v[i] != 0.0f)
            return 0;
    return 1;
}

/* The checks of a new Gram matrix g = d^T d: it must be finite, and
 * `positive` (lambda_max, or with no estimate the largest diagonal
 * entry, which is positive exactly when lambda_max is) must be > 0.
 * SC_ERR_RANGE with the message, or SC_OK. */
static sc_status check_gram(const float *d, const float *g, size_t n,
                            size_t k, double positive, const char *caller)
{
    if (!all_finite(g, k * k) || !isfinite(positive))
        return sc_fail(NULL, SC_ERR_RANGE, "%s: the dictionary's values "
                       "are too large (D^T D overflows float)", caller);
    if (!(positive > 0))
        return sc_fail(NULL, SC_ERR_RANGE, "%s: the dictionary is %s",
                       caller, all_zero(d, n * k)
                                   ? "zero"
                                   : "too small (D^T D underflows to 0)");
    return SC_OK;
}

/* The cold estimate of lambda_max(G) into s->rayleigh, s->top and L. */
static void estimate_lipschitz_cold(sc_solver *s)
{
    sc_power_start(s->top, s->k);
    sc_power_result r = sc_power_iteration(s->gram, s->k, s->top,
                                           s->power_scratch,
                                           SC_POWER_COLD_MIN_ITERATIONS);
    s->rayleigh = r.last;
    s->power_iterations = r.iterations;
    s->lipschitz = SC_LIPSCHITZ_MARGIN * s->rayleigh;
    s->lipschitz_stale = 0;
}

sc_status sc_solver_create(sc_solver **out, const float *dictionary,
                           size_t n, size_t k)
{
    static const char caller[] = "sc_solver_create";
    if (out == NULL || dictionary == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       out == NULL ? "out" : "dictionary");
    if (n == 0 || k == 0 || n > SC_MAX_DIMENSION || k > SC_MAX_DIMENSION ||
        n * k > SC_MAX_ELEMENTS || k * k > SC_MAX_ELEMENTS)
        return sc_fail(NULL, SC_ERR_SIZE,
                       "%s: a %zu x %zu dictionary is %s", caller, n, k,
                       n == 0 || k == 0 ? "empty" : "too large");
    if (!all_finite(dictionary, n * k))
        return sc_fail(NULL, SC_ERR_NONFINITE,
                       "%s: the dictionary holds NaN or Inf", caller);
    sc_solver *s = calloc(1, sizeof *s);
    float *d = malloc(n * k * sizeof *d), *g = malloc(k * k * sizeof *g);
    double *top = malloc(3 * k * sizeof *top);
    if (s == NULL || d == NULL || g == NULL || top == NULL) {
        free(s);
        free(d);
        free(g);
        free(top);
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    }
    memcpy(d, dictionary, n * k * sizeof *d);
    sc_gemm(1, 0, k, k, n, 1.0f, d, k, d, k, 0.0f, g, k);   /* G = D^T D */
    s->n = n;
    s->k = k;
    s->dictionary = d;
    s->gram = g;
    s->top = top;                 /* the three vectors are one block */
    s->top_next = top + k;
    s->power_scratch = top + 2 * k;
    sc_table_defaults(&solver_table, s->values);
    estimate_lipschitz_cold(s);
    sc_status status = check_gram(d, g, n, k, s->rayleigh, caller);
    if (status != SC_OK) {
        sc_solver_free(s);
        return status;
    }
    *out = s;
    return SC_OK;
}

int sc_solver_method_uses_lipschitz(int method)
{
    return method == SC_SOLVER_METHOD_ISTA || method == SC_SOLVER_METHOD_FISTA;
}

sc_status sc_solver_replace_dictionary(sc_solver *s, const float *d)
{
    static const char caller[] = "sc_solver_replace_dictionary";
    size_t n = s->n, k = s->k;
    if (!all_finite(d, n * k))
        return sc_fail(NULL, SC_ERR_NONFINITE,
                       "%s: the dictionary holds NaN or Inf", caller);
    if (s->gram_next == NULL &&
        (s->gram_next = malloc(k * k * sizeof *s->gram_next)) == NULL)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    float *g = s->gram_next;
    sc_gemm(1, 0, k, k, n, 1.0f, d, k, d, k, 0.0f, g, k);   /* G = D^T D */
    int uses_l = sc_solver_method_uses_lipschitz(
        (int)value(s, SC_SOLVER_PARAM_METHOD));
    /* The new estimate goes to the candidate vector; s is untouched until
     * every check has passed. */
    double *candidate = s->top_next, *scratch = s->power_scratch;
    double rayleigh = 0.0, positive = 0.0;
    sc_power_result power = {0.0, 0.0, 0};
    if (uses_l) {
        /* From the previous top vector with a share of the cold start
         * (sc_power_warm_start), by the cold estimate's stopping rule. */
        sc_power_warm_start(candidate, s->lipschitz_stale ? NULL : s->top, k);
        power = sc_power_iteration(g, k, candidate, scratch,
                                   s->lipschitz_stale
                                       ? SC_POWER_COLD_MIN_ITERATIONS
                                       : SC_POWER_WARM_MIN_ITERATIONS);
        rayleigh = power.highest;
        positive = rayleigh;
    } else {
        for (size_t j = 0; j < k; j++)
            positive = g[j * k + j] > positive ? g[j * k + j] : positive;
    }
    sc_status status = check_gram(d, g, n, k, positive, caller);
    if (status != SC_OK)
        return status;
    memcpy(s->dictionary, d, n * k * sizeof *d);
    s->gram_next = s->gram;
    s->gram = g;
    if (uses_l) {
        memcpy(s->top, candidate, k * sizeof *candidate);
        s->rayleigh = rayleigh;
        s->power_iterations = power.iterations;
        s->lipschitz = SC_LIPSCHITZ_MARGIN * rayleigh;
        s->lipschitz_stale = 0;
    } else {
        s->lipschitz_stale = 1;
    }
    return SC_OK;
}

void sc_solver_restore_lipschitz(sc_solver *s, const double *top,
                                 double rayleigh)
{
    memcpy(s->top, top, s->k * sizeof *top);
    s->rayleigh = rayleigh;
    s->lipschitz = SC_LIPSCHITZ_MARGIN * rayleigh;
    s->lipschitz_stale = 0;
}

void sc_solver_free(sc_solver *solver)
{
    if (solver == NULL)
        return;
    free(solver->dictionary);
    free(solver->gram);
    free(solver->gram_next);
    free(solver->top);   /* and top_next, power_scratch: one block */
    sc_pools_release(&solver->pools);
    free(solver);
}

const char *sc_solver_message(const sc_solver *solver)
{
    return solver == NULL ? "" : solver->message;
}

double sc_solver_lipschitz(const sc_solver *solver)
{
    return solver == NULL ? 0.0 : solver->lipschitz;
}

sc_status sc_solver_param_bounds(sc_solver_param param, double *lo, double *hi)
{
    return sc_table_bounds(&solver_table, (int)param, lo, hi,
                           "sc_solver_param_bounds");
}

const char *sc_solver_param_name(sc_solver_param param)
{
    return sc_table_name(&solver_table, (int)param);
}

sc_status sc_solver_param_from_name(const char *name, sc_solver_param *param)
{
    int id = 0;
    sc_status status = sc_table_from_name(&solver_table, name,
                                          param == NULL ? NULL : &id,
                                          "sc_solver_param_from_name");
    if (status == SC_OK)
        *param = (sc_solver_param)id;
    return status;
}

sc_status sc_solver_set(sc_solver *solver, sc_solver_param param,
                        double v)
{
    static const char caller[] = "sc_solver_set";
    if (solver == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: solver is NULL", caller);
    const sc_param_info *info;
    sc_status status = sc_table_check_set(&solver_table, (int)param, v,
                                          solver->message, caller, &info);
    if (status != SC_OK)
        return status;
    double values[SC_SOLVER_PARAM_COUNT];
    memcpy(values, solver->values, sizeof values);
    values[sc_table_index(&solver_table, (int)param)] = v;
    /* A change of the group geometry rebuilds (and checks) the pools. */
    if (is_group_geometry(param)) {
        status = rebuild_pools(solver, values, caller);
        if (status != SC_OK)
            return status;
    }
    memcpy(solver->values, values, sizeof values);
    /* L was not kept up to date under a method that does not use it. */
    if (param == SC_SOLVER_PARAM_METHOD && solver->lipschitz_stale &&
        sc_solver_method_uses_lipschitz((int)v))
        estimate_lipschitz_cold(solver);
    return SC_OK;
}

sc_status sc_solver_get(const sc_solver *solver, sc_solver_param param,
                        double *v)
{
    return sc_table_get(&solver_table, solver, solver ? solver->values : NULL,
                        (int)param, v, "sc_solver_get");
}

/* The checks shared by run and objective. */
static sc_status check_batch(const sc_solver *s, const float *x,
                             size_t batch, const char *caller)
{
    size_t widest = s->n > s->k ? s->n : s->k;
    if (batch == 0 || batch > (size_t)INT_MAX ||
        batch > SIZE_MAX / widest / sizeof(float))
        return sc_fail(NULL, SC_ERR_SIZE, "%s: batch %zu is %s", caller,
                       batch, batch == 0 ? "0" : "too large");
    if (!all_finite(x, batch * s->n))
        return sc_fail(NULL, SC_ERR_NONFINITE, "%s: x holds NaN or Inf",
                       caller);
    return SC_OK;
}

int64_t sc_each_sample(const sc_solver *s, const sc_problem *p, size_t batch,
                       const float *c, const double *xx, float *z,
                       sc_sample_solver solve, void *work, int *converged)
{
    size_t k = s->k;
    int64_t most = 0;
    int all = 1;
    for (size_t b = 0; b < batch; b++) {
        int done;
        int64_t effort = solve(s, p, c + b * k, xx[b], z + b * k, work,
                               &done);
        if (effort < 0)
            return -1;
        all &= done;
        if (effort > most)
            most = effort;
    }
    *converged = all;
    return most;
}

static int is_per_sample(int method)
{
    return method == SC_SOLVER_METHOD_COD ||
           method == SC_SOLVER_METHOD_CD_ACTIVE ||
           method == SC_SOLVER_METHOD_OMP || method == SC_SOLVER_METHOD_LARS;
}

/* xx[b] = |x_b|^2 in double, in LANES partial sums (entry i in sum
 * i mod LANES, added in a fixed order): one running sum is a chain of n
 * dependent additions; the lanes vectorise, with the same result on any
 * vector width. */
static void squared_norms(const float *x, size_t rows, size_t n, double *xx)
{
    enum { LANES = 8 };
    for (size_t b = 0; b < rows; b++) {
        const float *xb = x + b * n;
        double lane[LANES] = {0};
        size_t i = 0;
        for (; i + LANES <= n; i += LANES)
            for (size_t l = 0; l < LANES; l++)
                lane[l] += (double)xb[i + l] * xb[i + l];
        for (size_t l = 0; i + l < n; l++)
            lane[l] += (double)xb[i + l] * xb[i + l];
        xx[b] = ((lane[0] + lane[4]) + (lane[1] + lane[5])) +
                ((lane[2] + lane[6]) + (lane[3] + lane[7]));
    }
}

/* The largest relative duality gap (S7) over samples at codes z; corr:
 * k doubles of scratch. */
static double largest_gap(const sc_solver *s, const sc_problem *p,
                          size_t batch, const float *c, const double *xx,
                          const float *z, double *corr)
{
    size_t k = s->k;
    double worst = 0.0;
    for (size_t b = 0; b < batch; b++) {
        sc_lasso_correlations(s, c + b * k, z + b * k, corr);
        sc_gap g = sc_lasso_gap(p, k, c + b * k, xx[b], z + b * k, corr);
        double rel = g.objective > 0.0 ? g.gap / g.objective : 0.0;
        if (rel > worst)
            worst = rel;
    }
    return worst;
}

/* What a run (or one block of it) came to. */
typedef struct {
    int64_t iterations;   /* the most of any sample; -1: out of memory */
    int converged;        /* every sample */
    int overflow;         /* D^T x overflows float: nothing was solved */
    int codes_finite;
    double gap;           /* the largest relative gap (when asked) */
    double objective;     /* the SUM of the samples' objectives (when asked) */
} outcome;

/* The run's inputs and what it asks for, shared by both paths. */
typedef struct {
    const sc_solver *solver;
    const sc_problem *problem;
    int method;
    const float *x, *start;   /* start NULL: from z = 0 */
    size_t batch;
    int want_gap, want_objective;
    float *z;                 /* batch x k: the codes being solved */
} run_task;

/* ISTA and FISTA iterate the whole batch together through sgemm. */
static outcome run_batch(const run_task *t)
{
    const sc_solver *s = t->solver;
    size_t n = s->n, k = s->k, batch = t->batch;
    size_t rows = batch < SC_SOLVER_BLOCK ? batch : SC_SOLVER_BLOCK;
    outcome o = {-1, 0, 0, 0, 0.0, 0.0};
    float *c = malloc(batch * k * sizeof *c);
    float *residual = malloc(rows * n * sizeof *residual);
    double *corr = malloc(k * sizeof *corr);
    if (c != NULL && residual != NULL && corr != NULL) {
        /* c = X D: row b is D^T x_b. */
        sc_gemm(0, 0, batch, k, n, 1.0f, t->x, n, s->dictionary, k, 0.0f,
                c, k);
        o.overflow = !all_finite(c, batch * k);
        if (t->start != NULL)
            memcpy(t->z, t->start, batch * k * sizeof *t->z);
        else
            memset(t->z, 0, batch * k * sizeof *t->z);
        o.iterations = o.overflow ? 0 : sc_fista(s, t->problem, batch, c,
                                                 t->z, &o.converged);
    }
    if (o.iterations >= 0 && !o.overflow) {
        o.codes_finite = all_finite(t->z, batch * k);
        if (t->want_gap) {
            double *xx = malloc(batch * sizeof *xx);
            if (xx == NULL) {
                o.iterations = -1;
            } else {
                squared_norms(t->x, batch, n, xx);
                o.gap = largest_gap(s, t->problem, batch, c, xx, t->z, corr);
                free(xx);
            }
        }
        if (t->want_objective)
            o.objective = sc_solver_total_objective(s, t->problem, t->x,
                                                    t->z, batch, residual);
    }
    free(c);
    free(residual);
    free(corr);
    return o;
}

/* The per-sample methods (CoD, CD_ACTIVE, OMP, LARS) run the whole
 * pipeline on fixed blocks of SC_SOLVER_BLOCK samples (the last one
 * shorter): c = X D, its overflow check, |x|^2, the solve, the gap and
 * the objective.  The blocks do not depend on the thread count, so every
 * BLAS call and every sum is the same on any number of threads; the
 * threads take the next block as they finish one. */
typedef struct {
    const run_task *task;
    size_t blocks;
    atomic_size_t next;   /* the next block not yet taken */
    outcome *outcomes;    /* one per block */
} block_job;

/* The method of a per-sample run. */
static const sc_sample_method *sample_method(int method)
{
    switch (method) {
    case SC_SOLVER_METHOD_COD:
        return &sc_cod_method;
    case SC_SOLVER_METHOD_OMP:
        return &sc_omp_method;
    case SC_SOLVER_METHOD_LARS:
        return &sc_lars_method;
    default:
        return &sc_cd_active_method;
    }
}

/* A thread's scratch, made once and used for every block it takes. */
typedef struct {
    float *c;          /* rows x k: c = X D */
    float *residual;   /* rows x n */
    double *xx;        /* rows: |x_b|^2 */
    double *corr;      /* k: the gap's correlations */
    void *work;        /* the method's */
} block_scratch;

/* One block with a thread's scratch. */
static outcome run_block(const run_task *t, size_t block,
                         const block_scratch *scratch)
{
    float *c = scratch->c, *residual = scratch->residual;
    double *xx = scratch->xx, *corr = scratch->corr;
    const sc_solver *s = t->solver;
    size_t n = s->n, k = s->k, first = block * SC_SOLVER_BLOCK;
    size_t rows = t->batch - first < SC_SOLVER_BLOCK ? t->batch - first
                                                     : SC_SOLVER_BLOCK;
    const float *x = t->x + first * n;
    float *z = t->z + first * k;
    outcome o = {0, 0, 0, 0, 0.0, 0.0};
    sc_gemm(0, 0, rows, k, n, 1.0f, x, n, s->dictionary, k, 0.0f, c, k);
    if (!all_finite(c, rows * k)) {
        o.overflow = 1;
        return o;
    }
    squared_norms(x, rows, n, xx);
    if (t->start != NULL)
        memcpy(z, t->start + first * k, rows * k * sizeof *z);
    else
        memset(z, 0, rows * k * sizeof *z);
    o.iterations = sc_each_sample(s, t->problem, rows, c, xx, z,
                                  sample_method(t->method)->solve,
                                  scratch->work, &o.converged);
    if (o.iterations < 0)
        return o;
    o.codes_finite = all_finite(z, rows * k);
    if (t->want_gap)
        o.gap = largest_gap(s, t->problem, rows, c, xx, z, corr);
    if (t->want_objective)
        o.objective = sc_solver_objective_sum(s, t->problem, x, z, rows,
                                              residual);
    return o;
}

/* A thread of sc_parallel_for: takes blocks until none is left.  Its
 * scratch is allocated once; without it, every block it takes is out of
 * memory. */
static void run_blocks(void *arg, size_t begin, size_t end, size_t thread)
{
    (void)begin;
    (void)end;
    (void)thread;
    block_job *j = arg;
    const run_task *t = j->task;
    const sc_sample_method *method = sample_method(t->method);
    size_t n = t->solver->n, k = t->solver->k;
    size_t rows = t->batch < SC_SOLVER_BLOCK ? t->batch : SC_SOLVER_BLOCK;
    block_scratch scratch = {malloc(rows * k * sizeof(float)),
                             malloc(rows * n * sizeof(float)),
                             malloc(rows * sizeof(double)),
                             malloc(k * sizeof(double)),
                             method->make(t->solver, t->problem)};
    int ok = scratch.c != NULL && scratch.residual != NULL &&
             scratch.xx != NULL && scratch.corr != NULL &&
             scratch.work != NULL;
    for (;;) {
        size_t block = atomic_fetch_add(&j->next, 1);
        if (block >= j->blocks)
            break;
        j->outcomes[block] = ok ? run_block(t, block, &scratch)
                                : (outcome){-1, 0, 0, 0, 0.0, 0.0};
    }
    free(scratch.c);
    free(scratch.residual);
    free(scratch.xx);
    free(scratch.corr);
    method->release(scratch.work);
}

/* The blocks' outcomes in block order: iterations the most, converged
 * all, the largest gap, the objectives summed block after block. */
static outcome combine(const outcome *blocks, size_t count)
{
    outcome all = {0, 1, 0, 1, 0.0, 0.0};
    int nomem = 0;
    for (size_t b = 0; b < count; b++) {
        const outcome *o = &blocks[b];
        nomem |= o->iterations < 0;
        all.overflow |= o->overflow;
        if (o->iterations > all.iterations)
            all.iterations = o->iterations;
        all.converged &= o->converged;
        all.codes_finite &= o->codes_finite;
        if (o->gap > all.gap)
            all.gap = o->gap;
        all.objective += o->objective;
    }
    if (nomem)
        all.iterations = -1;
    return all;
}

static outcome run_per_sample(const run_task *t, size_t threads)
{
    size_t blocks = (t->batch + SC_SOLVER_BLOCK - 1) / SC_SOLVER_BLOCK;
    block_job job = {t, blocks, 0, calloc(blocks, sizeof(outcome))};
    if (job.outcomes == NULL)
        return (outcome){-1, 0, 0, 0, 0.0, 0.0};
    atomic_init(&job.next, 0);
    if (threads > blocks)
        threads = blocks;
    sc_parallel_for(threads, threads, run_blocks, &job);
    outcome all = combine(job.outcomes, blocks);
    free(job.outcomes);
    return all;
}

/* sc_solver_run and sc_solver_run_from; start NULL: from z = 0. */
static sc_status run(const sc_solver *solver, const float *x, size_t batch,
                     const float *start, float *codes,
                     sc_solver_report *report, const char *caller)
{
    if (solver == NULL || x == NULL || codes == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       solver == NULL ? "solver" : x == NULL ? "x" : "codes");
    if (report != NULL && report->size < offsetof(sc_solver_report, iterations)
                                           + sizeof report->iterations)
        return sc_fail(NULL, SC_ERR_SIZE, "%s: report->size = %zu; set it to "
                       "sizeof(sc_solver_report)", caller, report->size);
    sc_status status = check_batch(solver, x, batch, caller);
    if (status != SC_OK)
        return status;
    sc_problem p = sc_solver_problem(solver);
    size_t k = solver->k;
    if (start != NULL)
        for (size_t i = 0; i < batch * k; i++) {
            if (!isfinite(start[i]))
                return sc_fail(NULL, SC_ERR_NONFINITE,
                               "%s: start holds NaN or Inf", caller);
            if (p.nonnegative && start[i] < 0.0f)
                return sc_fail(NULL, SC_ERR_RANGE, "%s: start[%zu] = %g is "
                               "negative and SC_SOLVER_PARAM_NONNEGATIVE is set",
                               caller, i, (double)start[i]);
        }
    int method = (int)value(solver, SC_SOLVER_PARAM_METHOD);
    if ((method == SC_SOLVER_METHOD_COD || method == SC_SOLVER_METHOD_CD_ACTIVE) &&
        p.group_weight > 0)
        return sc_fail(NULL, SC_ERR_STATE, "%s: coordinate descent (%s) "
                       "supports the L1 and L2 terms only; use ISTA or FISTA "
                       "with the group term", caller,
                       method == SC_SOLVER_METHOD_COD ? "SC_SOLVER_METHOD_COD"
                                               : "SC_SOLVER_METHOD_CD_ACTIVE");
    if (method == SC_SOLVER_METHOD_LARS && p.group_weight > 0)
        return sc_fail(NULL, SC_ERR_STATE, "%s: the LARS-lasso homotopy "
                       "(SC_SOLVER_METHOD_LARS) supports the L1 and L2 terms "
                       "only; use ISTA or FISTA with the group term", caller);
    if (method == SC_SOLVER_METHOD_OMP &&
        (p.group_weight > 0 || p.l2 > 0 || p.nonnegative))
        return sc_fail(NULL, SC_ERR_STATE, "%s: orthogonal matching pursuit "
                       "(SC_SOLVER_METHOD_OMP) does not support %s; use "
                       "SC_SOLVER_METHOD_CD_ACTIVE, or FISTA for the group term",
                       caller, p.group_weight > 0 ? "the group term"
                       : p.l2 > 0 ? "the L2 term (SC_SOLVER_PARAM_L2 > 0)"
                                  : "z >= 0 (SC_SOLVER_PARAM_NONNEGATIVE)");
    size_t threads = (size_t)value(solver, SC_SOLVER_PARAM_THREADS);
    if (threads == 0)
        threads = sc_parallel_threads();
    int has_gap = report != NULL &&
                  report->size >= offsetof(sc_solver_report, gap) +
                                      sizeof report->gap;
    float *z = malloc(batch * k * sizeof *z);
    /* The gap (S7) is the lasso's: none with the group term. */
    run_task task = {solver, &p, method, x, start, batch,
                     has_gap && p.group_weight <= 0, report != NULL, z};
    outcome o = {-1, 0, 0, 0, 0.0, 0.0};
    if (z != NULL)
        o = is_per_sample(method) ? run_per_sample(&task, threads)
                                  : run_batch(&task);
    double objective = o.objective / (double)batch;
    double gap = task.want_gap ? o.gap : NAN;
    /* Overflow (docs/api-conventions.md): inputs whose product D^T x
     * overflows float are SC_ERR_RANGE before any iteration; codes, an
     * objective or a gap that overflow while solving are SC_ERR_NONFINITE.
     * Either way codes and report are untouched. */
    status = SC_OK;
    if (o.iterations < 0)
        status = sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    else if (o.overflow)
        status = sc_fail(NULL, SC_ERR_RANGE, "%s: x is too large for the "
                         "dictionary (D^T x overflows float)", caller);
    else if (!o.codes_finite || (report != NULL && !isfinite(objective)) ||
             (task.want_gap && !isfinite(gap)))
        status = sc_fail(NULL, SC_ERR_NONFINITE, "%s: the %s overflowed "
                         "float (x or the dictionary too large)", caller,
                         o.codes_finite ? "objective" : "codes");
    if (status == SC_OK) {
        memcpy(codes, z, batch * k * sizeof *z);
        if (report != NULL) {
            sc_solver_report full = {report->size, (uint64_t)o.iterations,
                                     objective, o.converged, gap};
            memcpy(report, &full,
                   report->size < sizeof full ? report->size : sizeof full);
        }
    }
    free(z);
    return status;
}

sc_status sc_solver_run(const sc_solver *solver, const float *x,
                        size_t batch, float *codes, sc_solver_report *report)
{
    return run(solver, x, batch, NULL, codes, report, "sc_solver_run");
}

sc_status sc_solver_run_from(const sc_solver *solver, const float *x,
                             size_t batch, const float *start, float *codes,
                             sc_solver_report *report)
{
    static const char caller[] = "sc_solver_run_from";
    if (start == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: start is NULL", caller);
    return run(solver, x, batch, start, codes, report, caller);
}

sc_status sc_solver_objective(const sc_solver *solver, const float *x,
                              const float *codes, size_t batch,
                              double *objective)
{
    static const char caller[] = "sc_solver_objective";
    if (solver == NULL || x == NULL || codes == NULL || objective == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: a pointer argument is NULL",
                       caller);
    sc_status status = check_batch(solver, x, batch, caller);
    if (status != SC_OK)
        return status;
    for (size_t i = 0; i < batch * solver->k; i++)
        if (!isfinite(codes[i]))
            return sc_fail(NULL, SC_ERR_NONFINITE,
                           "%s: codes hold NaN or Inf", caller);
    size_t rows = batch < SC_SOLVER_BLOCK ? batch : SC_SOLVER_BLOCK;
    float *residual = malloc(rows * solver->n * sizeof *residual);
    if (residual == NULL)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    sc_problem p = sc_solver_problem(solver);
    double mean = sc_solver_total_objective(solver, &p, x, codes, batch,
                                            residual) / (double)batch;
    free(residual);
    /* +Inf is the documented value for a code that violates z >= 0; any
     * other non-finite value is an overflow (of D z or of the sums). */
    int violates = 0;
    for (size_t i = 0; i < batch * solver->k && p.nonnegative; i++)
        violates |= codes[i] < 0.0f;
    if (!violates && !isfinite(mean))
        return sc_fail(NULL, SC_ERR_NONFINITE, "%s: the objective "
                       "overflowed (x, codes or the dictionary too large)",
                       caller);
    *objective = mean;
    return SC_OK;
}
