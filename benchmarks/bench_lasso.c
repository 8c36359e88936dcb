/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_lasso.c -- the lasso solvers of sc_solver on a dumped problem:
 * how long each takes to a mean objective within 1e-4 (relative) of the
 * optimum.
 *
 *   bench_lasso FILE [--method M] [--threads N]
 *
 * FILE is a problem in the SCLASSO1 layout that `bench_fista --dump`
 * writes (see benchmarks/bench_fista.c): D (n x k), X (batch x n), lambda,
 * and bench_fista's optimum f*.  M is one of fista, cod, cd_active, omp,
 * lars, all (default all); N is SC_SOLVER_PARAM_THREADS (default 1; 0 =
 * one per processor), which splits the batch of cod, cd_active, omp and
 * lars over threads.
 * OpenBLAS runs the sgemms on OPENBLAS_NUM_THREADS threads (set it to 1
 * on a shared machine, and to N to give the sgemms the same cores: the
 * two pools never run at once, see include/sparsecode.h).
 *
 * The optimum: the lower of the dump's f* and CD_ACTIVE run to a
 * relative duality gap of 1e-9.  Each method's effort: FISTA and CoD
 * their iteration count at tolerance 0 (doubling, then bisection), the
 * smallest that reaches the target; CD_ACTIVE its tolerance (its
 * stopping gap), the largest of 1e-1, 3e-2, 1e-2, ... that reaches it.
 * OMP solves no lasso and has no such effort: it runs at the optimum's
 * mean number of non-zeros per code, rounded (SC_SOLVER_PARAM_MAX_NONZEROS),
 * and its lasso objective and gap are printed as measured.  LARS has no
 * effort either: it runs the homotopy down to lambda and returns the
 * exact solution (SC_SOLVER_PARAM_MAX_NONZEROS 0, no limit); its line
 * gives the most events (knots) of any code and whether every code
 * reached lambda.  Then that setting is timed, best of 5, with no report
 * (the objective is measured apart), and one line is printed per method:
 *
 *   method=<name> seconds=<best of 5> objective=<mean objective>
 *       gap=<(objective - optimum) / optimum> <effort> threads=<N>
 *       (<effort>: iterations=, tolerance=, nonzeros= or
 *       steps= converged=)
 *       cpu_seconds=<the least CPU time of the 5, all threads>
 *
 * (On a machine shared with other work the wall time includes the time
 * the process waited for a core; the CPU time does not.)
 *
 * It also prints the physical floor: the sgemm c = X D plus the Gram
 * matrix D^T D (best of 5), what any solver of this problem on this
 * machine must compute.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>
#include <sparsecode.h>

#include "support/bench.h"

#define TARGET 1e-4
#define TIMING_RUNS 5
#define MAX_COUNT 100000
#define OPT_TOLERANCE 1e-9

typedef struct {
    uint32_t n, k, batch, flags;
    double lambda, optimum;
    double nonzeros;      /* the optimum's mean non-zeros per code */
    float *d, *x, *z;
    sc_solver *solver;
} problem;

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static double get_f64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = u << 8 | p[i];
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* Reads the floats of a little-endian float32 array (this benchmark runs
 * on little-endian machines only, checked in main). */
static void read_floats(FILE *f, float *out, size_t count, const char *path)
{
    if (fread(out, sizeof *out, count, f) != count) {
        fprintf(stderr, "bench_lasso: %s: truncated\n", path);
        exit(1);
    }
}

static problem load(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char h[56];
    if (f == NULL || fread(h, 1, sizeof h, f) != sizeof h ||
        memcmp(h, "SCLASSO1", 8) != 0) {
        fprintf(stderr, "bench_lasso: %s: not an SCLASSO1 file\n", path);
        exit(1);
    }
    problem p;
    memset(&p, 0, sizeof p);
    p.n = get_u32(h + 8);
    p.k = get_u32(h + 12);
    p.batch = get_u32(h + 16);
    p.flags = get_u32(h + 20);
    p.lambda = get_f64(h + 24);
    p.optimum = get_f64(h + 32);
    if (p.n == 0 || p.k == 0 || p.batch == 0 || p.n > 1u << 16 ||
        p.k > 1u << 16 || p.batch > 1u << 24) {
        fprintf(stderr, "bench_lasso: %s: bad sizes\n", path);
        exit(1);
    }
    p.d = malloc((size_t)p.n * p.k * sizeof *p.d);
    p.x = malloc((size_t)p.batch * p.n * sizeof *p.x);
    p.z = malloc((size_t)p.batch * p.k * sizeof *p.z);
    if (p.d == NULL || p.x == NULL || p.z == NULL) {
        fprintf(stderr, "bench_lasso: out of memory\n");
        exit(1);
    }
    read_floats(f, p.d, (size_t)p.n * p.k, path);
    read_floats(f, p.x, (size_t)p.batch * p.n, path);
    fclose(f);
    return p;
}

/* The CPU time of the process (all its threads), in seconds. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double last_cpu;   /* the CPU time of the last run */

/* One timed run with no report; the mean objective is measured after. */
static double run(const problem *p, int method, double tolerance,
                  uint64_t iterations, double *objective)
{
    bench_check(sc_solver_set(p->solver, SC_SOLVER_PARAM_METHOD, method),
                "sc_solver_set(METHOD)");
    bench_check(sc_solver_set(p->solver, SC_SOLVER_PARAM_TOLERANCE, tolerance),
                "sc_solver_set(TOLERANCE)");
    bench_check(sc_solver_set(p->solver, SC_SOLVER_PARAM_MAX_ITERATIONS,
                              (double)iterations),
                "sc_solver_set(MAX_ITERATIONS)");
    double c0 = cpu_now(), t0 = bench_now();
    bench_check(sc_solver_run(p->solver, p->x, p->batch, p->z, NULL),
                "sc_solver_run");
    double t = bench_now() - t0;
    last_cpu = cpu_now() - c0;
    bench_check(sc_solver_objective(p->solver, p->x, p->z, p->batch,
                                    objective),
                "sc_solver_objective");
    return t;
}

static double gap(const problem *p, double objective)
{
    return (objective - p->optimum) / fabs(p->optimum);
}

/* The smallest iteration count (tolerance 0) that reaches the target:
 * doubling, then bisection; 0 if none up to MAX_COUNT does. */
static uint64_t smallest_count(const problem *p, int method)
{
    double obj;
    uint64_t lo = 0, hi = 1;
    for (;;) {
        run(p, method, 0, hi, &obj);
        if (gap(p, obj) <= TARGET)
            break;
        if (hi >= MAX_COUNT)
            return 0;
        lo = hi;
        hi *= 2;
    }
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        run(p, method, 0, mid, &obj);
        if (gap(p, obj) <= TARGET)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

/* CD_ACTIVE's largest stopping gap, of 1e-1, 3e-2, 1e-2, ..., 1e-6, that
 * reaches the target. */
static double largest_tolerance(const problem *p)
{
    for (int e = 2; e <= 12; e++) {
        double tol = pow(10.0, -0.5 * e);
        double obj;
        run(p, SC_SOLVER_METHOD_CD_ACTIVE, tol, MAX_COUNT, &obj);
        if (gap(p, obj) <= TARGET)
            return tol;
    }
    return 0;
}

static void bench_method(const problem *p, int method, const char *name,
                         double threads)
{
    double tolerance = 0, obj = NAN, best = INFINITY, best_cpu = INFINITY;
    uint64_t count = MAX_COUNT;
    char effort[64];
    if (method == SC_SOLVER_METHOD_OMP) {
        if (p->flags & 1) {
            printf("method=%s: z >= 0 is not supported\n", name);
            return;
        }
        double s = fmax(1.0, round(p->nonzeros));
        bench_check(sc_solver_set(p->solver, SC_SOLVER_PARAM_MAX_NONZEROS, s),
                    "sc_solver_set(MAX_NONZEROS)");
        snprintf(effort, sizeof effort, "nonzeros=%g", s);
    } else if (method == SC_SOLVER_METHOD_LARS) {
        bench_check(sc_solver_set(p->solver, SC_SOLVER_PARAM_MAX_NONZEROS, 0),
                    "sc_solver_set(MAX_NONZEROS)");
        run(p, method, tolerance, count, &obj);     /* sets the method */
        sc_solver_report r = {.size = sizeof r};
        bench_check(sc_solver_run(p->solver, p->x, p->batch, p->z, &r),
                    "sc_solver_run(LARS)");
        snprintf(effort, sizeof effort, "steps=%llu converged=%d",
                 (unsigned long long)r.iterations, r.converged);
    } else if (method == SC_SOLVER_METHOD_CD_ACTIVE) {
        tolerance = largest_tolerance(p);
        snprintf(effort, sizeof effort, "tolerance=%g", tolerance);
        if (tolerance == 0) {
            printf("method=%s: no tolerance reaches the target\n", name);
            return;
        }
    } else {
        count = smallest_count(p, method);
        snprintf(effort, sizeof effort, "iterations=%llu",
                 (unsigned long long)count);
        if (count == 0) {
            printf("method=%s: %d iterations do not reach the target\n",
                   name, MAX_COUNT);
            return;
        }
    }
    for (int r = 0; r < TIMING_RUNS; r++) {
        double t = run(p, method, tolerance, count, &obj);
        best = t < best ? t : best;
        best_cpu = last_cpu < best_cpu ? last_cpu : best_cpu;
    }
    printf("method=%s seconds=%.6f objective=%.9f gap=%.3e %s threads=%g "
           "cpu_seconds=%.6f\n",
           name, best, obj, gap(p, obj), effort, threads, best_cpu);
    fflush(stdout);
}

/* The sgemm c = X D and the Gram matrix D^T D, best of 5 after a warm-up;
 * *cpu: the least CPU time. */
static double floor_seconds(const problem *p, double *cpu)
{
    float *c = malloc((size_t)p->batch * p->k * sizeof *c);
    float *g = malloc((size_t)p->k * p->k * sizeof *g);
    if (c == NULL || g == NULL) {
        fprintf(stderr, "bench_lasso: out of memory\n");
        exit(1);
    }
    double best = INFINITY;
    *cpu = INFINITY;
    for (int r = 0; r <= TIMING_RUNS; r++) {
        double c0 = cpu_now(), t0 = bench_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)p->batch,
                    (int)p->k, (int)p->n, 1.0f, p->x, (int)p->n, p->d,
                    (int)p->k, 0.0f, c, (int)p->k);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p->k,
                    (int)p->k, (int)p->n, 1.0f, p->d, (int)p->k, p->d,
                    (int)p->k, 0.0f, g, (int)p->k);
        double t = bench_now() - t0, used = cpu_now() - c0;
        if (r > 0 && t < best)
            best = t;
        if (r > 0 && used < *cpu)
            *cpu = used;
    }
    free(c);
    free(g);
    return best;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *which = "all";
    double threads = 1;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--method"))
            which = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--threads"))
            threads = atof(argv[++i]);
        else if (argv[i][0] != '-' && path == NULL)
            path = argv[i];
        else
            path = NULL, argc = 0;
    }
    const uint16_t probe = 1;
    if (path == NULL || *(const unsigned char *)&probe != 1) {
        fprintf(stderr, "usage: bench_lasso FILE [--method fista|cod|"
                        "cd_active|omp|lars|all] [--threads N]  (little-endian "
                        "machines)\n");
        return 2;
    }
    problem p = load(path);
    bench_print_machine();
    printf("problem: %s: batch %u, n %u, k %u, lambda %g%s\n", path,
           p.batch, p.n, p.k, p.lambda, p.flags & 1 ? ", z >= 0" : "");
    double t0 = bench_now();
    bench_check(sc_solver_create(&p.solver, p.d, p.n, p.k),
                "sc_solver_create");
    printf("plan:    sc_solver_create %.1f ms\n", 1e3 * (bench_now() - t0));
    bench_check(sc_solver_set(p.solver, SC_SOLVER_PARAM_LAMBDA, p.lambda),
                "sc_solver_set(LAMBDA)");
    bench_check(sc_solver_set(p.solver, SC_SOLVER_PARAM_NONNEGATIVE,
                              p.flags & 1),
                "sc_solver_set(NONNEGATIVE)");
    bench_check(sc_solver_set(p.solver, SC_SOLVER_PARAM_THREADS, threads),
                "sc_solver_set(THREADS)");

    double cd_opt;
    run(&p, SC_SOLVER_METHOD_CD_ACTIVE, OPT_TOLERANCE, MAX_COUNT, &cd_opt);
    size_t nonzero = 0;
    for (size_t i = 0; i < (size_t)p.batch * p.k; i++)
        nonzero += p.z[i] != 0.0f;
    printf("optimum: f* = %.9f (dump %.9f, CD_ACTIVE to gap %g %.9f); "
           "%.1f non-zeros per code\n",
           fmin(p.optimum, cd_opt), p.optimum, OPT_TOLERANCE, cd_opt,
           (double)nonzero / p.batch);
    p.optimum = fmin(p.optimum, cd_opt);
    p.nonzeros = (double)nonzero / p.batch;
    double floor_cpu, floor_wall = floor_seconds(&p, &floor_cpu);
    printf("floor:   sgemm X D + Gram D^T D %.3f ms (best of %d; CPU time "
           "%.3f ms)\n", 1e3 * floor_wall, TIMING_RUNS, 1e3 * floor_cpu);

    static const struct {
        const char *name;
        int method;
    } methods[] = {{"fista", SC_SOLVER_METHOD_FISTA},
                   {"cod", SC_SOLVER_METHOD_COD},
                   {"cd_active", SC_SOLVER_METHOD_CD_ACTIVE},
                   {"omp", SC_SOLVER_METHOD_OMP},
                   {"lars", SC_SOLVER_METHOD_LARS}};
    int found = 0;
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++)
        if (!strcmp(which, "all") || !strcmp(which, methods[m].name)) {
            bench_method(&p, methods[m].method, methods[m].name, threads);
            found = 1;
        }
    if (!found)
        fprintf(stderr, "bench_lasso: unknown method %s\n", which);
    sc_solver_free(p.solver);
    free(p.d);
    free(p.x);
    free(p.z);
    return found ? 0 : 2;
}
