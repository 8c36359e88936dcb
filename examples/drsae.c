/* SPDX-License-Identifier: BSD-2-Clause */
/* drsae.c -- the discriminative recurrent sparse auto-encoder of Rolfe &
 * LeCun (ICLR 2013) on MNIST-format data, through libsparsecode's public
 * API only.
 *
 *   drsae --data DIR [--recipe adam|paper] [--units 400] [--iters 11]
 *         [--epochs-pre N] [--epochs N] [--batch B] [--seed S]
 *         [--valid N] [--terms recon,l1,class] [--save FILE] [--load FILE]
 *         [--filters FILE.png] [--units-plot FILE.png]
 *         [--lambda L] [--lr RATE] [--class-weight W] [--optimizer adam|sgd]
 *         [--lr-decay D] [--classifier-norm N] [--classifier-rate S]
 *         [--encoder-norm B] [--init-step A] [--init-noise V]
 *         [--repeat-scaling 0|1]
 *
 * The last five set SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE, the W_e row bound
 * B/T, the inits' step A/T, SC_MODEL_PARAM_INIT_NOISE and
 * SC_MODEL_PARAM_REPEAT_SCALING (docs/math.md).
 *
 * Phase 1 trains the auto-encoder (reconstruction + L1) alone; phase 2
 * adds the classifier on the normalised code.  A recipe sets every
 * training option the others leave unset: `adam` (the default, tuned for
 * Fashion-MNIST) or `paper` (the DrSAE authors' code, with fewer epochs;
 * docs/drsae.md lists what it keeps and what it changes).  With --valid N
 * the last N training images are held out, the validation error is
 * printed after every epoch, and the model of the epoch with the lowest
 * validation error is the one evaluated and saved.  At the end it prints
 * `test_error=<percent>` and the paper's split of the units into part-
 * units and categorical-units.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sparsecode.h>

#include "support/args.h"
#include "support/best_model.h"
#include "support/evaluation.h"
#include "support/idx.h"
#include "support/image_grid.h"
#include "support/model_check.h"
#include "support/output_paths.h"
#include "support/report.h"
#include "support/training.h"
#include "support/unit_types.h"

#define PROGRAM "drsae"
/* A failed call: its status and the library's message; 1 for main. */
#define CHECK(call) REPORT_CHECK(PROGRAM, call)

/* What a recipe fixes.  Rates are for losses averaged over the batch. */
typedef struct {
    const char *name;
    int optimizer;
    double momentum;         /* SGD's */
    long batch, epochs_pre, epochs;
    double lambda, learning_rate, class_weight;
    double epoch_decay;      /* rate factor per phase-2 epoch */
    double step_decay;       /* rate / (1 + step_decay * steps), all steps */
    double classifier_norm, classifier_rate;
    double encoder_norm_t;   /* W_e row bound times T (0: none) */
    double init_step_t;      /* the inits' step times T (0: 1/L) */
    double init_noise;
    double repeat_scaling;   /* 1: rates / repeat counts (O3); 0: not */
} recipe;

/* adam: chosen on a validation split of Fashion-MNIST (docs/drsae.md).
 * paper: the authors' code (rolfe/recpool, the run of 2012-12-18):
 * SGD without momentum on batches of 10 at 5e-3 / (1 + 5e-6 n) on summed
 * gradients of 5 x 1/2|x - Dz|^2 + 0.09 |z|_1 + NLL, which is rate 0.25
 * on the mean of 1/2|x - Dz|^2 + 0.018 |z|_1 + 0.2 NLL; E rows <= 1.25/T,
 * D columns <= 1, C rows <= 5; C's rate / 5; E = 1.25/T D^T, S = I -
 * 1.25/T D^T D, D = a random column + 0.25 of a sample.  Their 100 + 1000
 * epochs are 10 + 40 here. */
static const recipe recipes[] = {
    {"adam", SC_OPTIMIZER_ADAM, 0.9, 100, 2, 26, 0.02, 0.001, 1.0, 0.92, 0.0,
     20.0, 1.0, 0.0, 0.0, 0.0, 1.0},
    {"paper", SC_OPTIMIZER_SGD, 0.0, 10, 10, 40, 0.018, 0.25, 0.2, 1.0, 5e-6,
     5.0, 0.2, 1.25, 1.25, 4.0, 1.0},
};

/* The loss terms --terms can switch off. */
enum { TERM_RECON = 1, TERM_L1 = 2, TERM_CLASS = 4 };

typedef struct {
    const char *data, *save, *load, *filters, *units_plot;
    long units, iters, valid;
    unsigned long long seed;
    int terms;
    recipe r;                /* the recipe, with the options given */
} options;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: drsae --data DIR [--recipe adam|paper] [--units 400] "
            "[--iters 11]\n"
            "             [--epochs-pre N] [--epochs N] [--batch B] "
            "[--seed 1] [--valid N]\n"
            "             [--terms recon,l1,class] [--save FILE] "
            "[--load FILE]\n"
            "             [--filters FILE.png] [--units-plot FILE.png] "
            "[--lambda L] [--lr RATE]\n"
            "             [--class-weight W] [--optimizer adam|sgd] "
            "[--lr-decay D]\n"
            "             [--classifier-norm N] [--classifier-rate S] "
            "[--encoder-norm B]\n"
            "             [--init-step A] [--init-noise V] "
            "[--repeat-scaling 0|1]\n");
}

/* A comma list of recon, l1 and class, as TERM_* bits; -1 if bad. */
static int parse_terms(const char *text)
{
    int terms = 0;
    while (*text != 0) {
        size_t len = strcspn(text, ",");
        if (len == 5 && strncmp(text, "recon", 5) == 0)
            terms |= TERM_RECON;
        else if (len == 2 && strncmp(text, "l1", 2) == 0)
            terms |= TERM_L1;
        else if (len == 5 && strncmp(text, "class", 5) == 0)
            terms |= TERM_CLASS;
        else
            return -1;
        text += len + (text[len] == ',');
    }
    return terms == 0 ? -1 : terms;
}

static int parse(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"data", required_argument, 0, 'd'},
        {"recipe", required_argument, 0, 'R'},
        {"units", required_argument, 0, 'u'},
        {"iters", required_argument, 0, 'i'},
        {"epochs-pre", required_argument, 0, 'p'},
        {"epochs", required_argument, 0, 'e'},
        {"batch", required_argument, 0, 'b'},
        {"seed", required_argument, 0, 's'},
        {"valid", required_argument, 0, 'v'},
        {"terms", required_argument, 0, 't'},
        {"save", required_argument, 0, 'S'},
        {"load", required_argument, 0, 'L'},
        {"filters", required_argument, 0, 'f'},
        {"units-plot", required_argument, 0, 'U'},
        {"lambda", required_argument, 0, 'l'},
        {"lr", required_argument, 0, 'r'},
        {"class-weight", required_argument, 0, 'c'},
        {"optimizer", required_argument, 0, 'o'},
        {"lr-decay", required_argument, 0, 'y'},
        {"classifier-norm", required_argument, 0, 'n'},
        {"classifier-rate", required_argument, 0, 'C'},
        {"encoder-norm", required_argument, 0, 'E'},
        {"init-step", required_argument, 0, 'A'},
        {"init-noise", required_argument, 0, 'V'},
        {"repeat-scaling", required_argument, 0, 'P'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    /* First the recipe, whose values the other options then override. */
    *o = (options){.units = 400, .iters = 11, .seed = 1,
                   .terms = TERM_RECON | TERM_L1 | TERM_CLASS,
                   .r = recipes[0]};
    for (int i = 1; i < argc; i++) {
        const char *name = NULL;
        if (strcmp(argv[i], "--recipe") == 0 && i + 1 < argc)
            name = argv[i + 1];
        else if (strncmp(argv[i], "--recipe=", 9) == 0)
            name = argv[i] + 9;
        if (name == NULL)
            continue;
        size_t count = sizeof recipes / sizeof recipes[0], r = 0;
        while (r < count && strcmp(recipes[r].name, name) != 0)
            r++;
        if (r == count) {
            fprintf(stderr, PROGRAM ": --recipe is adam or paper\n");
            return -1;
        }
        o->r = recipes[r];
    }
    recipe *r = &o->r;
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        long v = 0;
        int bad = 0;
        switch (c) {
        case 'd': o->data = optarg; break;
        case 'R': break;
        case 'u': bad = args_long(optarg, &o->units); break;
        case 'i': bad = args_long(optarg, &o->iters); break;
        case 'p': bad = args_long(optarg, &r->epochs_pre); break;
        case 'e': bad = args_long(optarg, &r->epochs); break;
        case 'b': bad = args_long(optarg, &r->batch); break;
        case 's':
            bad = args_long(optarg, &v);
            o->seed = (unsigned long long)v;
            break;
        case 'v': bad = args_long(optarg, &o->valid); break;
        case 't':
            o->terms = parse_terms(optarg);
            if (o->terms < 0) {
                fprintf(stderr, PROGRAM ": --terms is a comma list of "
                        "recon, l1 and class\n");
                return -1;
            }
            break;
        case 'S': o->save = optarg; break;
        case 'L': o->load = optarg; break;
        case 'f': o->filters = optarg; break;
        case 'U': o->units_plot = optarg; break;
        case 'l': bad = args_double(optarg, &r->lambda); break;
        case 'r': bad = args_double(optarg, &r->learning_rate); break;
        case 'c': bad = args_double(optarg, &r->class_weight); break;
        case 'y': bad = args_double(optarg, &r->epoch_decay); break;
        case 'n': bad = args_double(optarg, &r->classifier_norm); break;
        case 'C': bad = args_double(optarg, &r->classifier_rate); break;
        case 'E': bad = args_double(optarg, &r->encoder_norm_t); break;
        case 'A': bad = args_double(optarg, &r->init_step_t); break;
        case 'V': bad = args_double(optarg, &r->init_noise); break;
        case 'P': bad = args_double(optarg, &r->repeat_scaling); break;
        case 'o':
            if (strcmp(optarg, "adam") && strcmp(optarg, "sgd")) {
                fprintf(stderr, PROGRAM ": --optimizer is adam or sgd\n");
                return -1;
            }
            r->optimizer = strcmp(optarg, "adam") ? SC_OPTIMIZER_SGD
                                                  : SC_OPTIMIZER_ADAM;
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
    if (o->units < 1 || o->iters < 1 || r->batch < 1) {
        fprintf(stderr, PROGRAM ": --units, --iters and --batch must be "
                ">= 1\n");
        return -1;
    }
    return 0;
}

/* A new model with the options' recipe and terms, initialised from the
 * training images x (count of dim). */
static int create_model(const options *o, const float *x, size_t count,
                        size_t dim, sc_model **out)
{
    const recipe *r = &o->r;
    double t = (double)o->iters;
    sc_model *m;
    CHECK(sc_model_create(&m, dim, (size_t)o->units));
    *out = m;
    const struct {
        sc_model_param id;
        double value;
    } settings[] = {
        {SC_MODEL_PARAM_ITERATIONS, t},
        {SC_MODEL_PARAM_CLASSES, 10},
        {SC_MODEL_PARAM_RECON_WEIGHT, o->terms & TERM_RECON ? 1.0 : 0.0},
        {SC_MODEL_PARAM_L1_WEIGHT, o->terms & TERM_L1 ? r->lambda : 0.0},
        {SC_MODEL_PARAM_OPTIMIZER, r->optimizer},
        {SC_MODEL_PARAM_MOMENTUM, r->momentum},
        {SC_MODEL_PARAM_LEARNING_RATE, r->learning_rate},
        {SC_MODEL_PARAM_CLASSIFIER_MAX_NORM, r->classifier_norm},
        {SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE, r->classifier_rate},
        {SC_MODEL_PARAM_ENCODER_MAX_NORM, r->encoder_norm_t / t},
        {SC_MODEL_PARAM_INIT_STEP, r->init_step_t / t},
        {SC_MODEL_PARAM_INIT_NOISE, r->init_noise},
        {SC_MODEL_PARAM_REPEAT_SCALING, r->repeat_scaling}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        CHECK(sc_model_set(m, settings[i].id, settings[i].value));
    CHECK(sc_model_init_data(m, x, count, o->seed));
    return 0;
}

/* The run's data: the training images, of which the last `valid` are held
 * out, and the test images, all scaled to unit L2 norm. */
typedef struct {
    idx_dataset d;
    size_t dim, ntrain, nvalid, ntest;
    const float *valid_x;
    const int32_t *valid_y;
} split;

/* Trains phases 1 and 2, offering the model of every epoch to `best`
 * when there is a validation set. */
static int train(const options *o, sc_model *m, const split *s,
                 best_model *best)
{
    const recipe *r = &o->r;
    size_t batch = (size_t)r->batch, dim = s->dim;
    size_t *order = malloc(s->ntrain * sizeof *order);
    float *xb = malloc(batch * dim * sizeof *xb);
    int32_t *yb = malloc(batch * sizeof *yb);
    if (order == NULL || xb == NULL || yb == NULL) {
        free(order);
        free(xb);
        free(yb);
        return report_failure(PROGRAM, "malloc", SC_ERR_NOMEM);
    }
    for (size_t i = 0; i < s->ntrain; i++)
        order[i] = i;
    unsigned long long rng = o->seed;
    size_t steps = 0;
    /* Phase 1 needs an unsupervised term. */
    long pre = o->terms & (TERM_RECON | TERM_L1) ? r->epochs_pre : 0;
    int rc = 0;
    for (long e = 0; rc == 0 && e < pre + r->epochs; e++) {
        int phase2 = e >= pre;
        char label[32];
        snprintf(label, sizeof label, "%s %ld", phase2 ? "train" : "pretrain",
                 phase2 ? e - pre + 1 : e + 1);
        double weight = phase2 && o->terms & TERM_CLASS ? r->class_weight
                                                         : 0.0;
        /* Phase 2 starts at the full rate and decays each epoch; the
         * paper's rate decays with every step instead. */
        double rate = r->learning_rate *
                      pow(r->epoch_decay, phase2 ? (double)(e - pre) : 0.0);
        training_schedule schedule = {rate, r->step_decay, &steps};
        sc_status st = sc_model_set(m, SC_MODEL_PARAM_CLASS_WEIGHT, weight);
        if (st == SC_OK)
            st = sc_model_set(m, SC_MODEL_PARAM_LEARNING_RATE, rate);
        if (st != SC_OK) {
            rc = report_failure(PROGRAM, "sc_model_set", st);
            break;
        }
        rc = training_epoch(PROGRAM, m, s->d.train_images.images,
                            s->d.train_labels.labels, s->ntrain, dim, batch,
                            order, xb, yb, label, &rng,
                            r->step_decay > 0 ? &schedule : NULL);
        double valid = 0;
        if (rc == 0 && s->nvalid > 0)
            rc = evaluation_test_error(PROGRAM, m, s->valid_x, s->valid_y,
                                       s->nvalid, &valid);
        if (rc != 0 || s->nvalid == 0)
            continue;
        printf("epoch %ld valid_error=%.2f\n", e + 1, valid);
        rc = best_model_offer(best, PROGRAM, m, valid, e + 1);
    }
    if (rc == 0 && best->epoch > 0)
        printf("best_epoch=%ld valid_error=%.2f\n", best->epoch, best->error);
    free(order);
    free(xb);
    free(yb);
    return rc;
}

/* Reads and splits the data; prints what it is. */
static int read_split(const options *o, split *s)
{
    char err[512];
    if (idx_read_dataset(o->data, &s->d, err, sizeof err) != 0) {
        fprintf(stderr, PROGRAM ": %s\n", err);
        return 1;
    }
    idx_dataset *d = &s->d;
    s->dim = d->train_images.rows * d->train_images.cols;
    s->ntest = d->test_images.count;
    size_t count = d->train_images.count;
    idx_normalize_rows(d->train_images.images, count, s->dim);
    idx_normalize_rows(d->test_images.images, s->ntest, s->dim);
    if ((size_t)o->valid >= count) {
        fprintf(stderr, PROGRAM ": --valid %ld leaves no training image of "
                "%zu\n", o->valid, count);
        return 1;
    }
    s->nvalid = (size_t)o->valid;
    s->ntrain = count - s->nvalid;
    s->valid_x = d->train_images.images + s->ntrain * s->dim;
    s->valid_y = d->train_labels.labels + s->ntrain;
    printf("data: %zu training, %zu validation and %zu test images of "
           "%zu x %zu\n", s->ntrain, s->nvalid, s->ntest,
           d->train_images.rows, d->train_images.cols);
    /* An epoch takes whole batches only: with fewer images than one batch
     * it would train nothing. */
    if (o->load == NULL && (size_t)o->r.batch > s->ntrain) {
        fprintf(stderr, PROGRAM ": --batch %ld is larger than the %zu "
                "training images\n", o->r.batch, s->ntrain);
        return 1;
    }
    return 0;
}

/* The trained (or loaded) model's test error, unit analysis and
 * pictures. */
static int report(const options *o, const sc_model *m, const split *s)
{
    double percent = 0;
    size_t rows = s->d.train_images.rows, cols = s->d.train_images.cols;
    int rc = evaluation_test_error(PROGRAM, m, s->d.test_images.images,
                                   s->d.test_labels.labels, s->ntest,
                                   &percent);
    if (rc == 0)
        printf("test_error=%.2f\n", percent);
    unit_types u = {0};
    if (rc == 0)
        rc = unit_types_measure(PROGRAM, m, s->d.test_images.images,
                                s->ntest, &u);
    if (rc == 0)
        unit_types_print(&u);
    char err[256];
    if (rc == 0 && o->units_plot != NULL) {
        if (unit_types_plot(&u, m, rows, cols, o->units_plot, err,
                            sizeof err) != 0) {
            fprintf(stderr, PROGRAM ": %s\n", err);
            rc = 1;
        } else {
            printf("units plot: %s\n", o->units_plot);
        }
    }
    unit_types_free(&u);
    if (rc == 0 && o->filters != NULL) {
        const float *wd;
        size_t n, k;
        CHECK(sc_model_weights(m, SC_WEIGHT_DECODER, &wd, &n, &k));
        size_t grid = (size_t)ceil(sqrt((double)k));
        /* Column i of W_d (n x k) is filter i: stride 1 between filters
         * and k between its pixels. */
        if (image_grid_write_png(o->filters, wd, k, rows, cols, 1, k, grid,
                                 err, sizeof err) != 0) {
            fprintf(stderr, PROGRAM ": %s\n", err);
            return 1;
        }
        printf("filters: %s\n", o->filters);
    }
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    if (parse(argc, argv, &o) != 0)
        return 2;
    report_start(PROGRAM);
    /* Before any work: the outputs can be written. */
    const output_path outputs[] = {{"--save", o.load == NULL ? o.save : NULL},
                                   {"--filters", o.filters},
                                   {"--units-plot", o.units_plot}};
    if (output_paths_check(PROGRAM, outputs,
                           sizeof outputs / sizeof outputs[0]) != 0)
        return 1;
    split s = {0};
    if (read_split(&o, &s) != 0) {
        idx_free_dataset(&s.d);
        return 1;
    }
    /* The model of the epoch with the lowest validation error. */
    best_model best = {.path = ""};
    if (o.valid > 0 && o.load == NULL &&
        best_model_open(&best, PROGRAM, "best") != 0) {
        idx_free_dataset(&s.d);
        return 1;
    }
    sc_model *m = NULL;
    int rc = 0;
    if (o.load != NULL) {
        sc_status st = sc_model_load(&m, o.load);
        /* A dense model of the data's size, with a classifier: what
         * the report evaluates and draws. */
        const model_use use = {s.dim, 0, 1};
        if (st != SC_OK)
            rc = report_failure(PROGRAM, "sc_model_load", st);
        else
            rc = model_check(PROGRAM, o.load, m, &use);
    } else {
        rc = create_model(&o, s.d.train_images.images, s.ntrain, s.dim, &m);
        if (rc == 0)
            printf("model: %zu-%ld, T = %ld, relu encoder, linear decoder, "
                   "softmax classifier; recipe %s\n", s.dim, o.units, o.iters,
                   o.r.name);
        if (rc == 0)
            rc = train(&o, m, &s, &best);
        if (rc == 0)
            rc = best_model_take(&best, PROGRAM, &m);
        if (rc == 0 && o.save != NULL) {
            sc_status st = sc_model_save(m, o.save, SC_MODEL_CONTENTS_FULL);
            if (st != SC_OK)
                rc = report_failure(PROGRAM, "sc_model_save", st);
            else
                printf("saved: %s\n", o.save);
        }
    }
    best_model_close(&best);
    if (rc == 0)
        rc = report(&o, m, &s);
    sc_model_free(m);
    idx_free_dataset(&s.d);
    return rc;
}
