/* SPDX-License-Identifier: BSD-2-Clause */
/* lista.c -- the LISTA experiment of Gregor & LeCun ("Learning fast
 * approximations of sparse coding", ICML 2010) on MNIST-format data,
 * through libsparsecode's public API only.
 *
 *   lista --data DIR [--atoms 256] [--lambda 0.1] [--seed 1]
 *         [--train 20000] [--valid 5000] [--test 10000] [--nonnegative]
 *         [--warm-start lcod] [...]
 *
 * 1. Learns a dictionary D (n x K) for sparse coding on the training
 *    subset (sc_dictionary, online method of Mairal et al.).
 * 2. Computes the optimal codes z* = argmin 1/2|x - Dz|^2 + lambda|z|_1
 *    of the training, the validation and the held-out subset with FISTA
 *    run to convergence (sc_solver).  The training and the validation
 *    subset are disjoint sets of images of the training file.
 * 3. For each T in 1, 2, 3, 5, 7 trains a LISTA encoder with T unrolled
 *    steps (an sc_model initialised as T steps of ISTA on D, then trained
 *    to regress z* only) and an LCoD encoder with T coordinate steps (the
 *    same, with SC_MODEL_PARAM_ENCODER = SC_ENCODER_LCOD and SC_MODEL_PARAM_INIT_STEP
 *    = 1: it starts as T updates of coordinate descent on D), and
 *    compares, on the held-out subset, their prediction errors with that
 *    of FISTA stopped after T and after 10 T iterations.  With a
 *    validation subset (--valid N > 0) each encoder's validation error is
 *    measured after every epoch and the encoder of the epoch with the
 *    lowest one is kept (early stopping; epoch 0 is the initial
 *    encoder); it prints for each encoder
 *
 *      <name> T=<t> valid by epoch 0..<epochs>: <e> <e> ...
 *
 *    and for each T, before the held-out row (on one line)
 *
 *      T=<t> train_lista=<e> valid_lista=<e> epoch_lista=<n>
 *            train_lcod=<e> valid_lcod=<e> epoch_lcod=<n>
 *
 *    with the errors of the kept encoders and their epochs.  The held-out
 *    row is
 *
 *      T=<t> lista=<e> lcod=<e> fista=<e> fista10x=<e> lista_us=<us>
 *            lcod_us=<us> fista10x_us=<us>      (on one line)
 *
 *    where e = sum |z - z*|^2 / sum |z*|^2 over the held-out set and the
 *    times are wall-clock microseconds per sample (best of a few runs over
 *    the whole held-out batch).
 *
 *    With --warm-start lcod (the default; also lista, lista,lcod or none)
 *    the encoders of those kinds for each T after the first start from
 *    the trained encoders of the previous T instead (progressive
 *    training); a LISTA encoder with T = 1 is no start, since it never
 *    uses S.  This goes through the model's bytes in memory
 *    (support/warm_start.c; the format is docs/file-format.md), as the
 *    library has no call that sets weights.
 *
 * Every image is scaled to unit L2 norm, as in examples/drsae.  See
 * docs/lista.md for the figures and the choice of defaults.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sparsecode.h>

#include "support/args.h"
#include "support/batches.h"
#include "support/best_model.h"
#include "support/dictionary_learning.h"
#include "support/idx.h"
#include "support/progress.h"
#include "support/report.h"
#include "support/warm_start.h"

#define PROGRAM "lista"

/* The defaults, chosen on Fashion-MNIST (docs/lista.md): the training
 * set's size, the epochs, the rate and its decay on the errors of the
 * 5,000 validation images (the lowest mean over T among the settings
 * whose error fell at every T).  With 5,000 training images the error
 * stopped falling after T = 2 (the encoder overfitted); with 20,000 it
 * falls at every T.  The held-out set is the whole test file: on its
 * first 1,000 images the errors of consecutive T differed by less than
 * their sampling noise. */
#define DEFAULT_ATOMS 256
#define DEFAULT_LAMBDA 0.1
#define DEFAULT_TRAIN 20000
#define DEFAULT_VALID 5000
#define DEFAULT_TEST 10000
#define DEFAULT_DICT_EPOCHS 1
#define DEFAULT_DICT_BATCH 64
#define DEFAULT_EPOCHS 30
#define DEFAULT_BATCH 64
#define DEFAULT_LEARNING_RATE 1e-3
#define DEFAULT_DECAY 0.95
/* 1: W_e's and S's rates divided by their repeat counts (docs/math.md,
 * O3), which under Adam makes their steps T times smaller. */
#define DEFAULT_REPEAT_SCALING 1
/* --warm-start lcod: LCoD's validation error was lower at every T and
 * fell at every T; LISTA's was far higher from a warm start. */
#define DEFAULT_WARM_START (1 << SC_ENCODER_LCOD)
/* With --nonnegative (relu units) the rate of the signed model kills
 * units for good (a relu unit that is off for every sample gets no
 * gradient), so the relu encoder trains slower and longer. */
#define NONNEG_EPOCHS 80
#define NONNEG_LEARNING_RATE 3e-4
#define NONNEG_DECAY 0.97
/* FISTA for the optimal codes z*. */
#define OPT_TOLERANCE 1e-6
#define OPT_MAX_ITERATIONS 5000
/* The held-out timings are the best of this many runs. */
#define TIMING_RUNS 3

#define MAX_STEPS 16
static const int default_steps[] = {1, 2, 3, 5, 7};

typedef struct {
    const char *data;
    long atoms, train, valid, test, dict_epochs, dict_batch, epochs, batch;
    unsigned long long seed;
    double lambda, learning_rate, decay, repeat_scaling;
    int nonnegative;
    int warm_start;   /* bits 1 << SC_ENCODER_LISTA, 1 << SC_ENCODER_LCOD */
    int steps[MAX_STEPS];
    size_t steps_count;
} options;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: lista --data DIR [--atoms %d] [--lambda %g] [--seed 1]\n"
            "             [--train %d] [--valid %d] [--test %d] "
            "[--nonnegative]\n"
            "             [--dict-epochs %d] [--dict-batch %d] [--epochs %d]\n"
            "             [--batch %d] [--lr %g] [--lr-decay %g] "
            "[--steps 1,2,3,5,7]\n"
            "             [--repeat-scaling 0|1] [--warm-start lcod]\n"
            "(with --nonnegative: --epochs %d --lr %g --lr-decay %g)\n",
            DEFAULT_ATOMS, DEFAULT_LAMBDA, DEFAULT_TRAIN, DEFAULT_VALID,
            DEFAULT_TEST,
            DEFAULT_DICT_EPOCHS, DEFAULT_DICT_BATCH, DEFAULT_EPOCHS,
            DEFAULT_BATCH, DEFAULT_LEARNING_RATE, DEFAULT_DECAY,
            NONNEG_EPOCHS, NONNEG_LEARNING_RATE, NONNEG_DECAY);
}

/* --steps: a comma-separated list of T values in [1, 1000]. */
static int parse_steps(const char *text, options *o)
{
    o->steps_count = 0;
    const char *p = text;
    for (;;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1 || v > 1000 || o->steps_count == MAX_STEPS ||
            (*end != ',' && *end != 0)) {
            fprintf(stderr, "lista: --steps wants up to %d values in "
                    "[1, 1000] separated by commas, not '%s'\n", MAX_STEPS,
                    text);
            return -1;
        }
        o->steps[o->steps_count++] = (int)v;
        if (*end == 0)
            return 0;
        p = end + 1;
    }
}

/* --warm-start: "lista", "lcod", "lista,lcod" (either order) or "none". */
static int parse_warm_start(const char *text, options *o)
{
    static const char *const names[] = {"lista,lcod", "lcod,lista", "lista",
                                        "lcod", "none"};
    static const int bits[] = {
        1 << SC_ENCODER_LISTA | 1 << SC_ENCODER_LCOD,
        1 << SC_ENCODER_LISTA | 1 << SC_ENCODER_LCOD,
        1 << SC_ENCODER_LISTA, 1 << SC_ENCODER_LCOD, 0};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(text, names[i]) == 0) {
            o->warm_start = bits[i];
            return 0;
        }
    fprintf(stderr, "lista: --warm-start wants lista, lcod, lista,lcod or "
            "none, not '%s'\n", text);
    return -1;
}

static int parse(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"data", required_argument, 0, 'd'},
        {"atoms", required_argument, 0, 'k'},
        {"lambda", required_argument, 0, 'l'},
        {"seed", required_argument, 0, 's'},
        {"train", required_argument, 0, 'n'},
        {"valid", required_argument, 0, 'v'},
        {"test", required_argument, 0, 't'},
        {"nonnegative", no_argument, 0, 'N'},
        {"dict-epochs", required_argument, 0, 'D'},
        {"dict-batch", required_argument, 0, 'B'},
        {"epochs", required_argument, 0, 'e'},
        {"batch", required_argument, 0, 'b'},
        {"lr", required_argument, 0, 'r'},
        {"lr-decay", required_argument, 0, 'y'},
        {"steps", required_argument, 0, 'T'},
        {"repeat-scaling", required_argument, 0, 'P'},
        {"warm-start", required_argument, 0, 'W'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    /* epochs, learning rate and decay: -1 until given (their defaults
     * depend on --nonnegative). */
    *o = (options){NULL, DEFAULT_ATOMS, DEFAULT_TRAIN, DEFAULT_VALID,
                   DEFAULT_TEST,
                   DEFAULT_DICT_EPOCHS, DEFAULT_DICT_BATCH, -1, DEFAULT_BATCH,
                   1, DEFAULT_LAMBDA, -1, -1, DEFAULT_REPEAT_SCALING, 0,
                   DEFAULT_WARM_START, {0},
                   0};
    for (size_t i = 0; i < sizeof default_steps / sizeof *default_steps; i++)
        o->steps[o->steps_count++] = default_steps[i];
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'd': o->data = optarg; break;
        case 'k': bad = args_long(optarg, &o->atoms); break;
        case 'l': bad = args_double(optarg, &o->lambda); break;
        case 's': bad = args_seed(optarg, &o->seed); break;
        case 'n': bad = args_long(optarg, &o->train); break;
        case 'v': bad = args_long(optarg, &o->valid); break;
        case 't': bad = args_long(optarg, &o->test); break;
        case 'N': o->nonnegative = 1; break;
        case 'W':
            if (parse_warm_start(optarg, o) != 0)
                return -1;
            break;
        case 'D': bad = args_long(optarg, &o->dict_epochs); break;
        case 'B': bad = args_long(optarg, &o->dict_batch); break;
        case 'e': bad = args_long(optarg, &o->epochs); break;
        case 'b': bad = args_long(optarg, &o->batch); break;
        case 'r': bad = args_double(optarg, &o->learning_rate); break;
        case 'y': bad = args_double(optarg, &o->decay); break;
        case 'P': bad = args_double(optarg, &o->repeat_scaling); break;
        case 'T':
            if (parse_steps(optarg, o) != 0)
                return -1;
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
        if (bad) {
            fprintf(stderr, PROGRAM ": bad number '%s'\n", optarg);
            return -1;
        }
    }
    if (o->data == NULL || optind != argc) {
        usage(stderr);
        return -1;
    }
    if (o->atoms < 1 || o->train < 1 || o->test < 1 || o->dict_batch < 1 ||
        o->batch < 1) {
        fprintf(stderr, "lista: --atoms, --train, --test, --dict-batch and "
                "--batch must be >= 1\n");
        return -1;
    }
    if (o->epochs < 0)
        o->epochs = o->nonnegative ? NONNEG_EPOCHS : DEFAULT_EPOCHS;
    if (o->learning_rate < 0)
        o->learning_rate = o->nonnegative ? NONNEG_LEARNING_RATE
                                          : DEFAULT_LEARNING_RATE;
    if (o->decay < 0)
        o->decay = o->nonnegative ? NONNEG_DECAY : DEFAULT_DECAY;
    if (o->learning_rate <= 0) {
        fprintf(stderr, "lista: --lr must be > 0\n");
        return -1;
    }
    return 0;
}

/* A failed call: its status and the library's message; 1 for main. */
#define CHECK(call) REPORT_CHECK(PROGRAM, call)

/* num / den, the relative error of sums of squares. */
static double ratio(double num, double den)
{
    return den > 0 ? num / den : (num > 0 ? INFINITY : 0.0);
}

/* Adds sum |a - b|^2 to *num and sum |b|^2 to *den over count values. */
static void squared_errors(const float *a, const float *b, size_t count,
                           double *num, double *den)
{
    for (size_t i = 0; i < count; i++) {
        double d = (double)a[i] - b[i];
        *num += d * d;
        *den += (double)b[i] * b[i];
    }
}

/* sum |a - b|^2 / sum |b|^2 over count values. */
static double relative_error(const float *a, const float *b, size_t count)
{
    double num = 0, den = 0;
    squared_errors(a, b, count, &num, &den);
    return ratio(num, den);
}

static double nonzero_fraction(const float *z, size_t count)
{
    size_t nz = 0;
    for (size_t i = 0; i < count; i++)
        nz += z[i] != 0.0f;
    return count ? (double)nz / (double)count : 0.0;
}

/* 2. The optimal codes, in chunks so that each chunk stops as soon as its
 * own samples have converged (a run stops for its whole batch). */
static int optimal_codes(sc_solver *solver, const float *x, size_t count,
                         size_t dim, size_t k, float *z, const char *label)
{
    const size_t chunk = 500;
    progress bar;
    progress_start(&bar, label, count);
    uint64_t most = 0;
    size_t unconverged = 0;
    char status[96] = "";
    for (size_t b = 0; b < count; b += chunk) {
        size_t m = count - b < chunk ? count - b : chunk;
        sc_solver_report r = {.size = sizeof r};
        CHECK(sc_solver_run(solver, x + b * dim, m, z + b * k, &r));
        if (r.iterations > most)
            most = r.iterations;
        unconverged += !r.converged;
        snprintf(status, sizeof status, "iterations <= %llu",
                 (unsigned long long)most);
        progress_update(&bar, m, status);
    }
    progress_finish(&bar, status);
    if (unconverged)
        fprintf(stderr, "lista: warning: FISTA did not reach tolerance %g "
                "within %d iterations in %zu chunk(s) of the %s set\n",
                OPT_TOLERANCE, OPT_MAX_ITERATIONS, unconverged, label);
    return 0;
}

/* Inputs and their optimal codes. */
typedef struct {
    const float *x, *zs;
    size_t count;
} coded_set;

/* What every encoder is trained and measured on. */
typedef struct {
    const float *d;           /* the dictionary, dim x k */
    size_t dim, k;
    coded_set train, valid, test;
    float *z;                 /* scratch codes, scratch_rows x k */
    size_t scratch_rows;      /* >= test.count */
} problem;

/* A trained encoder: its errors on the three subsets, the epoch it was
 * kept from, and the time of encoding the whole held-out batch. */
typedef struct {
    double train, valid, test, seconds;
    long epoch;
} measured;

/* The relative error of model m on a subset, encoded in chunks of the
 * scratch's rows. */
static int encoder_error(const sc_model *m, const problem *p,
                         const coded_set *set, double *error)
{
    double num = 0, den = 0;
    for (size_t b = 0; b < set->count; b += p->scratch_rows) {
        size_t rows = set->count - b < p->scratch_rows ? set->count - b
                                                       : p->scratch_rows;
        CHECK(sc_model_encode(m, set->x + b * p->dim, rows, p->z));
        squared_errors(p->z, set->zs + b * p->k, rows * p->k, &num, &den);
    }
    *error = ratio(num, den);
    return 0;
}

/* One epoch of regression on z* in shuffled minibatches; the status
 * shows the running mean of the steps' errors, each taken before the
 * step's update. */
static int regression_epoch(sc_model *m, const options *o, const problem *p,
                            size_t batch, size_t *order, float *xb,
                            float *zb, unsigned long long *rng,
                            progress *bar, char *status, size_t size,
                            long epoch)
{
    const coded_set *t = &p->train;
    batches_shuffle(order, t->count, rng);
    double err = 0, energy = 0;
    for (size_t b = 0; b + batch <= t->count; b += batch) {
        batches_gather(xb, t->x, order + b, batch, p->dim);
        batches_gather(zb, t->zs, order + b, batch, p->k);
        sc_model_stats st = {.size = sizeof st};
        CHECK(sc_model_step(m, xb, NULL, zb, batch, &st));
        /* st.regression is 1/2 |z - z*|^2 averaged over the batch. */
        err += 2.0 * st.regression * (double)batch;
        for (size_t i = 0; i < batch * p->k; i++)
            energy += (double)zb[i] * zb[i];
        snprintf(status, size, "epoch %ld/%ld  training error %.4f",
                 epoch, o->epochs, ratio(err, energy));
        progress_update(bar, batch, status);
    }
    return 0;
}

/* Trains an encoder (LISTA or LCoD) with T steps on (x, z*) of the
 * training subset.  With a validation subset, it measures the validation
 * error before training and after every epoch, prints them on one line,
 * and replaces *m by the encoder with the lowest one (*valid, from
 * *epoch); else it keeps the last epoch's (*valid = NAN). */
static int train_encoder(sc_model **m, const options *o, int steps,
                         const char *name, const problem *p, double *valid,
                         long *epoch)
{
    size_t count = p->train.count;
    size_t batch = (size_t)o->batch < count ? (size_t)o->batch : count;
    size_t curve_size = 16 * ((size_t)o->epochs + 1) + 1;
    size_t *order = malloc(count * sizeof *order);
    float *xb = malloc(batch * p->dim * sizeof *xb);
    float *zb = malloc(batch * p->k * sizeof *zb);
    char *curve = malloc(curve_size);
    if (order == NULL || xb == NULL || zb == NULL || curve == NULL) {
        free(order);
        free(xb);
        free(zb);
        free(curve);
        return report_failure(PROGRAM, "malloc", SC_ERR_NOMEM);
    }
    for (size_t i = 0; i < count; i++)
        order[i] = i;
    curve[0] = 0;
    size_t curve_len = 0;
    unsigned long long rng = o->seed * 31 + (unsigned long long)steps;
    char label[32], status[160] = "";
    snprintf(label, sizeof label, "%s T=%d", name, steps);
    best_model best = {.path = ""};
    int validating = p->valid.count > 0;
    int rc = validating ? best_model_open(&best, PROGRAM, name) : 0;
    progress bar;
    progress_start(&bar, label, (size_t)o->epochs * (count - count % batch));
    double rate = o->learning_rate;
    for (long e = 0; rc == 0 && e <= o->epochs; e++) {
        if (e > 0) {   /* epoch 0 is the initialisation */
            sc_status s = sc_model_set(*m, SC_MODEL_PARAM_LEARNING_RATE, rate);
            if (s != SC_OK)
                rc = report_failure(PROGRAM,
                                    "sc_model_set(SC_MODEL_PARAM_LEARNING_RATE)", s);
            if (rc == 0)
                rc = regression_epoch(*m, o, p, batch, order, xb, zb, &rng,
                                      &bar, status, sizeof status, e);
            rate *= o->decay;
        }
        double v = 0;
        if (rc == 0 && validating)
            rc = encoder_error(*m, p, &p->valid, &v);
        if (rc == 0 && validating) {
            rc = best_model_offer(&best, PROGRAM, *m, v, e);
            curve_len += (size_t)snprintf(curve + curve_len,
                                          curve_size - curve_len, " %.4f", v);
            size_t used = strlen(status);
            snprintf(status + used, sizeof status - used,
                     "%svalid %.4f (best %.4f)", used ? "  " : "", v,
                     best.error);
        }
    }
    if (rc == 0)
        progress_finish(&bar, status);
    if (rc == 0 && validating) {
        printf("%s T=%d valid by epoch 0..%ld:%s\n", name, steps, o->epochs,
               curve);
        rc = best_model_take(&best, PROGRAM, m);
        *valid = best.error;
        *epoch = best.epoch;
    } else {
        *valid = NAN;
        *epoch = o->epochs;
    }
    best_model_close(&best);
    free(order);
    free(xb);
    free(zb);
    free(curve);
    return rc;
}

/* A new encoder of the given kind with T steps, initialised on D. */
static int initial_encoder(const options *o, int steps, int encoder,
                           const problem *p, sc_model **out)
{
    sc_model *m = NULL;
    sc_status s = sc_model_create(&m, p->dim, p->k);
    const char *what = "sc_model_create";
#define MSET(param, v)                        \
    if (s == SC_OK) {                         \
        s = sc_model_set(m, param, v);        \
        what = "sc_model_set(" #param ")";    \
    }
    MSET(SC_MODEL_PARAM_ENCODER, encoder);
    MSET(SC_MODEL_PARAM_ITERATIONS, steps);
    MSET(SC_MODEL_PARAM_SHRINK,
         o->nonnegative ? SC_SHRINK_RELU : SC_SHRINK_SOFT);
    /* lambda sets theta = lambda / L (LISTA: T steps of ISTA) or, with
     * the init step 1, theta = lambda (LCoD: T updates of coordinate
     * descent) in the initialisation ... */
    MSET(SC_MODEL_PARAM_L1_WEIGHT, o->lambda);
    MSET(SC_MODEL_PARAM_INIT_STEP, encoder == SC_ENCODER_LCOD ? 1 : 0);
    MSET(SC_MODEL_PARAM_RECON_WEIGHT, 0);
    MSET(SC_MODEL_PARAM_REGRESSION_WEIGHT, 1);
    MSET(SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM);
    MSET(SC_MODEL_PARAM_LEARNING_RATE, o->learning_rate);
    MSET(SC_MODEL_PARAM_REPEAT_SCALING, o->repeat_scaling);
    if (s == SC_OK) {
        s = sc_model_init_dictionary(m, p->d);
        what = "sc_model_init_dictionary";
    }
    /* ... and training then only regresses z* (a training parameter). */
    MSET(SC_MODEL_PARAM_L1_WEIGHT, 0);
#undef MSET
    if (s != SC_OK) {
        sc_model_free(m);
        return report_failure(PROGRAM, what, s);
    }
    *out = m;
    return 0;
}

/* Builds an encoder of the given kind with T steps, initialised on D or,
 * when `from` is not NULL, with the weights of the trained encoder
 * `from` (--warm-start); trains it on (x, z*) and measures it: its
 * errors, and r->seconds, the best of TIMING_RUNS encodings of the whole
 * held-out batch.  *trained receives it (the caller frees it). */
static int learned_encoder(const options *o, int steps, int encoder,
                           const problem *p, const sc_model *from,
                           measured *r, sc_model **trained)
{
    sc_model *m = NULL;
    int rc = from ? warm_start(PROGRAM, from, steps, &m)
                  : initial_encoder(o, steps, encoder, p, &m);
    if (rc != 0)
        return rc;
    rc = train_encoder(&m, o, steps,
                       encoder == SC_ENCODER_LCOD ? "lcod" : "lista", p,
                       &r->valid, &r->epoch);
    if (rc == 0)
        rc = encoder_error(m, p, &p->train, &r->train);
    r->seconds = INFINITY;
    for (int i = 0; rc == 0 && i < TIMING_RUNS; i++) {
        double t0 = progress_now();
        sc_status s = sc_model_encode(m, p->test.x, p->test.count, p->z);
        double t = progress_now() - t0;
        if (s != SC_OK)
            rc = report_failure(PROGRAM, "sc_model_encode", s);
        r->seconds = t < r->seconds ? t : r->seconds;
    }
    if (rc == 0)
        r->test = relative_error(p->z, p->test.zs, p->test.count * p->k);
    if (rc == 0)
        *trained = m;
    else
        sc_model_free(m);
    return rc;
}

/* The encoder that a new one with --warm-start starts from: the trained
 * one of the previous T, except a LISTA encoder with T = 1, which never
 * uses S (S stays at its initial value; a second step on top of the
 * first step's trained W_e and theta roughly doubles the code, and on
 * Fashion-MNIST training from there stalled: docs/lista.md). */
static const sc_model *warm_start_from(const options *o, int encoder,
                                       const sc_model *previous)
{
    double steps = 0;
    if (!(o->warm_start & 1 << encoder) || previous == NULL ||
        sc_model_get(previous, SC_MODEL_PARAM_ITERATIONS, &steps) != SC_OK)
        return NULL;
    return encoder == SC_ENCODER_LISTA && steps < 2 ? NULL : previous;
}

/* The comparison for one T: prints its rows.  trained[0] and [1] are
 * the LISTA and LCoD encoders of the previous T (NULL at first), which
 * the new ones replace; with --warm-start the new ones start from them
 * (warm_start_from). */
static int compare(const options *o, int steps, sc_solver *solver,
                   const problem *p, sc_model *trained[2], int *claim_holds)
{
    measured lista = {0}, lcod = {0};
    const int kinds[2] = {SC_ENCODER_LISTA, SC_ENCODER_LCOD};
    measured *results[2] = {&lista, &lcod};
    int rc = 0;
    for (int i = 0; rc == 0 && i < 2; i++) {
        sc_model *m = NULL;
        rc = learned_encoder(o, steps, kinds[i], p,
                             warm_start_from(o, kinds[i], trained[i]),
                             results[i], &m);
        if (rc == 0) {
            sc_model_free(trained[i]);
            trained[i] = m;
        }
    }

    const coded_set *h = &p->test;
    size_t entries = h->count * p->k;
    sc_status s = SC_OK;
    double fista = 0, fista10 = 0, fista10_s = INFINITY;
    if (rc == 0 && ((s = sc_solver_set(solver, SC_SOLVER_PARAM_TOLERANCE,
                                       0)) != SC_OK ||
                    (s = sc_solver_set(solver, SC_SOLVER_PARAM_MAX_ITERATIONS,
                                       steps)) != SC_OK))
        rc = report_failure(PROGRAM, "sc_solver_set", s);
    if (rc == 0 && (s = sc_solver_run(solver, h->x, h->count, p->z,
                                      NULL)) != SC_OK)
        rc = report_failure(PROGRAM, "sc_solver_run", s);
    if (rc == 0) {
        fista = relative_error(p->z, h->zs, entries);
        if ((s = sc_solver_set(solver, SC_SOLVER_PARAM_MAX_ITERATIONS,
                               10.0 * steps)) != SC_OK)
            rc = report_failure(PROGRAM, "sc_solver_set", s);
    }
    for (int r = 0; rc == 0 && r < TIMING_RUNS; r++) {
        double t0 = progress_now();
        s = sc_solver_run(solver, h->x, h->count, p->z, NULL);
        double t = progress_now() - t0;
        if (s != SC_OK)
            rc = report_failure(PROGRAM, "sc_solver_run", s);
        fista10_s = t < fista10_s ? t : fista10_s;
    }
    if (rc == 0 && p->valid.count > 0)
        printf("T=%d train_lista=%.4f valid_lista=%.4f epoch_lista=%ld "
               "train_lcod=%.4f valid_lcod=%.4f epoch_lcod=%ld\n", steps,
               lista.train, lista.valid, lista.epoch, lcod.train, lcod.valid,
               lcod.epoch);
    if (rc == 0) {
        fista10 = relative_error(p->z, h->zs, entries);
        double per = 1e6 / (double)h->count;
        printf("T=%d lista=%.4f lcod=%.4f fista=%.4f fista10x=%.4f "
               "lista_us=%.1f lcod_us=%.1f fista10x_us=%.1f\n", steps,
               lista.test, lcod.test, fista, fista10, lista.seconds * per,
               lcod.seconds * per, fista10_s * per);
        *claim_holds &= lista.test < fista10;
    }
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    if (parse(argc, argv, &o) != 0)
        return 2;
    report_start(PROGRAM);
    double started = progress_now();

    idx_dataset data;
    char err[512];
    if (idx_read_dataset(o.data, &data, err, sizeof err) != 0) {
        fprintf(stderr, "lista: %s\n", err);
        return 1;
    }
    size_t dim = data.train_images.rows * data.train_images.cols;
    size_t k = (size_t)o.atoms;
    size_t ntrain = (size_t)o.train, nvalid = (size_t)o.valid;
    size_t ntest = (size_t)o.test;
    if (ntrain > data.train_images.count) {
        fprintf(stderr, "lista: --train %zu: the data has %zu training "
                "images; using them all\n", ntrain, data.train_images.count);
        ntrain = data.train_images.count;
    }
    if (nvalid > data.train_images.count - ntrain) {
        fprintf(stderr, "lista: --valid %zu: the training file has %zu "
                "images, %zu of them for training; give a smaller --train "
                "or --valid\n", nvalid, data.train_images.count, ntrain);
        idx_free_dataset(&data);
        return 2;
    }
    if (ntest > data.test_images.count) {
        fprintf(stderr, "lista: --test %zu: the data has %zu test images; "
                "using them all\n", ntest, data.test_images.count);
        ntest = data.test_images.count;
    }

    /* The training subset: ntrain images drawn by the seed; the
     * validation subset: the next nvalid of the same draw; the held-out
     * subset: the first ntest images of the test file.  Unit L2 norm. */
    size_t scratch_rows = ntest > 1000 ? ntest : 1000;
    size_t *order = malloc(data.train_images.count * sizeof *order);
    float *xtrain = malloc((ntrain + nvalid) * dim * sizeof *xtrain);
    float *ztrain = malloc((ntrain + nvalid) * k * sizeof *ztrain);
    float *ztest = malloc(ntest * k * sizeof *ztest);
    float *zscratch = malloc(scratch_rows * k * sizeof *zscratch);
    float *d = malloc(dim * k * sizeof *d);
    const float *xtest = data.test_images.images;
    int rc = 0;
    if (order == NULL || xtrain == NULL || ztrain == NULL || ztest == NULL ||
        zscratch == NULL || d == NULL) {
        rc = report_failure(PROGRAM, "malloc", SC_ERR_NOMEM);
        goto done;
    }
    for (size_t i = 0; i < data.train_images.count; i++)
        order[i] = i;
    unsigned long long rng = o.seed;
    batches_shuffle(order, data.train_images.count, &rng);
    batches_gather(xtrain, data.train_images.images, order, ntrain + nvalid,
                   dim);
    idx_normalize_rows(xtrain, ntrain + nvalid, dim);
    idx_normalize_rows(data.test_images.images, ntest, dim);
    const float *xvalid = xtrain + ntrain * dim;
    float *zvalid = ztrain + ntrain * k;
    printf("data: %zu training, %zu validation and %zu held-out images of "
           "%zu x %zu (unit L2 norm)\n", ntrain, nvalid, ntest,
           data.train_images.rows, data.train_images.cols);
    printf("problem: min 1/2|x - Dz|^2 + %g |z|_1%s, D %zu x %zu; BLAS: %s\n",
           o.lambda, o.nonnegative ? ", z >= 0" : "", dim, k, sc_blas_name());

    /* 1. dictionary */
    /* FISTA codes the batches, as when docs/lista.md was measured (the
     * library's default, CD_ACTIVE, is about 3x faster per step on
     * Fashion-MNIST: docs/solvers.md, "Dictionary learning"). */
    dictionary_settings ds = {o.lambda, o.nonnegative, o.dict_epochs,
                              (size_t)o.dict_batch, o.seed,
                              SC_SOLVER_METHOD_FISTA};
    if ((rc = dictionary_learn(PROGRAM, &ds, xtrain, ntrain, dim, k, xtest,
                               ntest, d)))
        goto done;

    /* 2. optimal codes */
    sc_solver *solver = NULL;
    sc_status s = sc_solver_create(&solver, d, dim, k);
    if (s != SC_OK) {
        rc = report_failure(PROGRAM, "sc_solver_create", s);
        goto done;
    }
    if ((s = sc_solver_set(solver, SC_SOLVER_PARAM_METHOD,
                           SC_SOLVER_METHOD_FISTA)) != SC_OK ||
        (s = sc_solver_set(solver, SC_SOLVER_PARAM_LAMBDA,
                           o.lambda)) != SC_OK ||
        (s = sc_solver_set(solver, SC_SOLVER_PARAM_NONNEGATIVE,
                           o.nonnegative)) != SC_OK ||
        (s = sc_solver_set(solver, SC_SOLVER_PARAM_TOLERANCE,
                           OPT_TOLERANCE)) != SC_OK ||
        (s = sc_solver_set(solver, SC_SOLVER_PARAM_MAX_ITERATIONS,
                           OPT_MAX_ITERATIONS)) != SC_OK)
        rc = report_failure(PROGRAM, "sc_solver_set", s);
    if (rc == 0)
        rc = optimal_codes(solver, xtrain, ntrain, dim, k, ztrain, "z* train");
    if (rc == 0 && nvalid > 0)
        rc = optimal_codes(solver, xvalid, nvalid, dim, k, zvalid, "z* valid");
    if (rc == 0)
        rc = optimal_codes(solver, xtest, ntest, dim, k, ztest, "z* test");
    if (rc == 0)
        printf("optimal codes: FISTA to tolerance %g (at most %d iterations), "
               "L = %.3f, %.1f%% of the held-out code entries non-zero\n",
               OPT_TOLERANCE, OPT_MAX_ITERATIONS, sc_solver_lipschitz(solver),
               100 * nonzero_fraction(ztest, ntest * k));

    /* 3. LISTA and LCoD against FISTA */
    if (rc == 0)
        printf("LISTA and LCoD: %s shrink, trained on z* for %ld epochs "
               "(batch %ld, Adam, lr %g x %g per epoch)%s\n",
               o.nonnegative ? "relu" : "soft", o.epochs, o.batch,
               o.learning_rate, o.decay,
               nvalid > 0 ? ", each kept from its epoch of lowest "
                            "validation error" : "");
    if (rc == 0 && o.warm_start)
        printf("warm start: each %s%s%s encoder after the first T starts "
               "from the trained one of the previous T (LISTA: if that T "
               ">= 2)\n", o.warm_start & 1 << SC_ENCODER_LISTA ? "LISTA" : "",
               o.warm_start == (1 << SC_ENCODER_LISTA | 1 << SC_ENCODER_LCOD)
                   ? " and " : "",
               o.warm_start & 1 << SC_ENCODER_LCOD ? "LCoD" : "");
    problem p = {d, dim, k, {xtrain, ztrain, ntrain}, {xvalid, zvalid, nvalid},
                 {xtest, ztest, ntest}, zscratch, scratch_rows};
    int claim = 1;
    sc_model *trained[2] = {NULL, NULL};
    for (size_t i = 0; rc == 0 && i < o.steps_count; i++)
        rc = compare(&o, o.steps[i], solver, &p, trained, &claim);
    sc_model_free(trained[0]);
    sc_model_free(trained[1]);
    if (rc == 0)
        printf("claim (LISTA with T steps beats FISTA with 10 T): %s; "
               "%.0f s in all\n", claim ? "holds for every T" : "FAILS",
               progress_now() - started);
    sc_solver_free(solver);
done:
    free(order);
    free(xtrain);
    free(ztrain);
    free(ztest);
    free(zscratch);
    free(d);
    idx_free_dataset(&data);
    return rc;
}
