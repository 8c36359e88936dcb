/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_dictionary.c -- dictionary learning (sc_dictionary, online
 * method) on Fashion-MNIST: the time of a step, and the held-out
 * objective reached per second of training, with FISTA and with
 * active-set coordinate descent (CD_ACTIVE) as the coder.
 *
 *   bench_dictionary [--steps S] [--atoms K] [--batch B] [--lambda L]
 *                    [--every E]
 *
 * Times are CPU seconds of the process (one thread: OpenBLAS is set to
 * one; the wall seconds of the steps are printed too), so that a shared
 * machine's load weighs less on them.
 *
 * Defaults: K = 256 atoms, batches of B = 256 training images (unit L2
 * norm, taken in order), lambda 0.1, S = 300 steps, D initialised from
 * the training images with seed 1; the coder's tolerance and cap are the
 * learner's defaults (1e-4, 200).  For each coder:
 *
 *   - step_ms: the mean time of sc_dictionary_step;
 *   - replace_ms: the mean time of what a step now does to give the
 *     solver the new D (sc_solver_replace_dictionary on a solver planned
 *     once, with the coder's method, on each step's new D);
 *   - replan_ms: the mean time of what a step did before (a new solver:
 *     sc_solver_create, which copies D and computes G and its largest
 *     eigenvalue from a cold start, plus the settings), on the same D;
 *   - before_step_ms = step_ms - replace_ms + replan_ms;
 *   - power_iterations_warm, _cold: the mean iterations of the power
 *     iteration behind L in replace (FISTA only; CD_ACTIVE does not use
 *     L: 0) and in the re-plan;
 *   - every E steps, the held-out objective: the mean of
 *     1/2 |x - D z|^2 + lambda |z|_1 over the first 1000 test images, at
 *     codes from CD_ACTIVE run to a relative duality gap of 1e-6 (the same
 *     judge for both coders; not timed), against the training seconds so
 *     far (CPU seconds).
 * Then, for each coder, the training seconds to reach the higher of the
 * two final held-out objectives.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dictionary.h"
#include "solver.h"
#include "support/bench.h"

#define HELD_OUT 1000

/* Seconds of CPU time of this process: on a shared machine, the work
 * done, less sensitive than wall time to other programs' load (every
 * timed call runs on this one thread, OpenBLAS with one thread). */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
#define MAX_POINTS 1024

typedef struct {
    size_t atoms, batch, steps, every;
    double lambda;
} options;

typedef struct {
    const char *name;
    sc_solver_method method;
    size_t points;
    double seconds[MAX_POINTS], objective[MAX_POINTS];
    double step, replace, replan;   /* total CPU seconds */
    double wall;                    /* the steps' wall seconds */
    double warm_iterations, cold_iterations;   /* totals, FISTA only */
} run;

static double heldout_objective(const sc_dictionary *d, const bench_data *test,
                                const options *o, float *codes)
{
    const float *atoms = NULL;
    bench_check(sc_dictionary_atoms(d, &atoms), "sc_dictionary_atoms");
    sc_solver *judge = NULL;
    bench_check(sc_solver_create(&judge, atoms, test->dim, o->atoms),
                "sc_solver_create");
    bench_check(sc_solver_set(judge, SC_SOLVER_PARAM_METHOD,
                              SC_SOLVER_METHOD_CD_ACTIVE), "sc_solver_set");
    bench_check(sc_solver_set(judge, SC_SOLVER_PARAM_LAMBDA, o->lambda),
                "sc_solver_set");
    bench_check(sc_solver_set(judge, SC_SOLVER_PARAM_TOLERANCE, 1e-6),
                "sc_solver_set");
    bench_check(sc_solver_set(judge, SC_SOLVER_PARAM_MAX_ITERATIONS, 10000),
                "sc_solver_set");
    sc_solver_report report = {.size = sizeof report};
    bench_check(sc_solver_run(judge, test->x, HELD_OUT, codes, &report),
                "sc_solver_run");
    sc_solver_free(judge);
    return report.objective;
}

/* The old per-step re-plan, timed: a new solver with the learner's
 * settings for atoms. */
static double time_replan(const sc_dictionary *d, run *r)
{
    double start = cpu_now();
    sc_solver *s = NULL;
    bench_check(sc_dictionary_make_solver(d->n, d->k, d->atoms, d->values, &s),
                "sc_dictionary_make_solver");
    double seconds = cpu_now() - start;
    r->cold_iterations += s->power_iterations;
    sc_solver_free(s);
    return seconds;
}

static void learn(run *r, const bench_data *train, const bench_data *test,
                  const options *o, float *codes)
{
    size_t n = train->dim;
    sc_dictionary *d = NULL;
    bench_check(sc_dictionary_create(&d, n, o->atoms), "sc_dictionary_create");
    bench_check(sc_dictionary_set(d, SC_DICTIONARY_PARAM_LAMBDA, o->lambda),
                "sc_dictionary_set");
    bench_check(sc_dictionary_set(d, SC_DICTIONARY_PARAM_SOLVER_METHOD,
                                  r->method), "sc_dictionary_set");
    bench_check(sc_dictionary_init_data(d, train->x, train->count, 1),
                "sc_dictionary_init_data");
    /* The solver whose replace is timed: planned once, given each D. */
    sc_solver *mirror = NULL;
    bench_check(sc_dictionary_make_solver(n, o->atoms, d->atoms, d->values,
                                          &mirror), "sc_dictionary_make_solver");
    double trained = 0.0;
    r->points = 0;
    r->step = r->replace = r->replan = r->wall = 0.0;
    r->warm_iterations = r->cold_iterations = 0.0;

    for (size_t s = 0; s <= o->steps; s++) {
        if ((s % o->every == 0 || s == o->steps) && r->points < MAX_POINTS) {
            r->seconds[r->points] = trained;
            r->objective[r->points] = heldout_objective(d, test, o, codes);
            printf("coder=%s step=%zu train_cpu_seconds=%.2f heldout=%.6f\n",
                   r->name, s, trained, r->objective[r->points]);
            fflush(stdout);
            r->points++;
        }
        if (s == o->steps)
            break;
        size_t first = (s * o->batch) % (train->count - o->batch + 1);
        double wall = bench_now(), start = cpu_now();
        bench_check(sc_dictionary_step(d, train->x + first * n, o->batch, NULL),
                    "sc_dictionary_step");
        double took = cpu_now() - start;
        r->wall += bench_now() - wall;
        trained += took;
        r->step += took;
        start = cpu_now();
        bench_check(sc_solver_replace_dictionary(mirror, d->atoms),
                    "sc_solver_replace_dictionary");
        r->replace += cpu_now() - start;

        r->replan += time_replan(d, r);
        if (sc_solver_method_uses_lipschitz((int)r->method))
            r->warm_iterations += mirror->power_iterations;
    }
    sc_solver_free(mirror);
    sc_dictionary_free(d);
}

/* Training seconds at which r first reached objective <= target (linear
 * in between evaluation points); -1 if never. */
static double seconds_to(const run *r, double target)
{
    for (size_t p = 0; p < r->points; p++)
        if (r->objective[p] <= target) {
            if (p == 0)
                return 0.0;
            double f = (r->objective[p - 1] - target) /
                       (r->objective[p - 1] - r->objective[p]);
            return r->seconds[p - 1] + f * (r->seconds[p] - r->seconds[p - 1]);
        }
    return -1.0;
}

int main(int argc, char **argv)
{
    options o = {256, 256, 300, 25, 0.1};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--steps") == 0)
            o.steps = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--atoms") == 0)
            o.atoms = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--batch") == 0)
            o.batch = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--lambda") == 0)
            o.lambda = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--every") == 0)
            o.every = strtoul(argv[i + 1], NULL, 10);
        else {
            fprintf(stderr, "bench_dictionary: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (o.steps == 0 || o.atoms == 0 || o.batch == 0 || o.every == 0) {
        fprintf(stderr, "bench_dictionary: --steps, --atoms, --batch and "
                "--every must be positive\n");
        return 2;
    }
    bench_print_machine();
    printf("BLAS threads: %zu\n", bench_set_blas_threads(1));
    bench_data train = bench_fashion_mnist(0), test = bench_fashion_mnist(1);
    printf("Fashion-MNIST: k=%zu atoms, batch %zu, lambda %g, %zu steps, "
           "held-out: the first %d test images\n", o.atoms, o.batch,
           o.lambda, o.steps, HELD_OUT);
    float *codes = malloc(HELD_OUT * o.atoms * sizeof *codes);
    if (codes == NULL)
        return 1;
    run runs[2] = {{.name = "FISTA", .method = SC_SOLVER_METHOD_FISTA},
                   {.name = "CD_ACTIVE", .method = SC_SOLVER_METHOD_CD_ACTIVE}};
    for (int r = 0; r < 2; r++)
        learn(&runs[r], &train, &test, &o, codes);
    double target = fmax(runs[0].objective[runs[0].points - 1],
                         runs[1].objective[runs[1].points - 1]);
    for (int r = 0; r < 2; r++) {
        const run *x = &runs[r];
        double steps = (double)o.steps;
        printf("coder=%s step_ms=%.2f replace_ms=%.3f replan_ms=%.3f "
               "before_step_ms=%.2f power_iterations_warm=%.1f cold=%.1f "
               "final_heldout=%.6f cpu_seconds_to_%.6f=%.2f "
               "(steps' wall seconds %.1f)\n", x->name, 1e3 * x->step / steps,
               1e3 * x->replace / steps, 1e3 * x->replan / steps,
               1e3 * (x->step - x->replace + x->replan) / steps,
               x->warm_iterations / steps, x->cold_iterations / steps,
               x->objective[x->points - 1], target, seconds_to(x, target),
               x->wall);
    }
    free(codes);
    bench_data_free(&train);
    bench_data_free(&test);
    return 0;
}
