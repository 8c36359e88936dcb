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
 *         [--repeat-scaling 0|1] [--shards P]
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
 *
 * --shards P trains on the global batches that examples/drsae_mpi makes
 * on P ranks (support/shards.h: each rank's local batch of B/P samples
 * from its own part of the training set, the init from part 0), so that
 * the two can be compared; P = 1 is the default order.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sparsecode.h>

#include "support/best_model.h"
#include "support/drsae_setup.h"
#include "support/evaluation.h"
#include "support/idx.h"
#include "support/image_grid.h"
#include "support/model_check.h"
#include "support/output_paths.h"
#include "support/report.h"
#include "support/shards.h"
#include "support/training.h"
#include "support/unit_types.h"

#define PROGRAM "drsae"
/* A failed call: its status and the library's message; 1 for main. */
#define CHECK(call) REPORT_CHECK(PROGRAM, call)

/* The run's data: the training images, of which the last `valid` are held
 * out, and the test images, all scaled to unit L2 norm. */
typedef struct {
    idx_dataset d;
    size_t dim, ntrain, nvalid, ntest;
    const float *valid_x;
    const int32_t *valid_y;
} split;

/* Trains phases 1 and 2, offering the model of every epoch to `best`
 * when there is a validation set.  With --shards P the global batches
 * are those of examples/drsae_mpi on P ranks (support/shards.h). */
static int train(const drsae_options *o, sc_model *m, const split *s,
                 best_model *best)
{
    const drsae_recipe *r = &o->r;
    size_t batch = (size_t)r->batch, dim = s->dim;
    size_t parts = (size_t)o->shards, local = batch / parts;
    size_t batched_count = shards_steps(s->ntrain, parts, local) * batch;
    size_t *order = malloc(s->ntrain * sizeof *order);
    size_t *batched = malloc((batched_count + 1) * sizeof *batched);
    unsigned long long *rngs = malloc(parts * sizeof *rngs);
    float *xb = malloc(batch * dim * sizeof *xb);
    int32_t *yb = malloc(batch * sizeof *yb);
    int rc = 0;
    if (order == NULL || batched == NULL || rngs == NULL || xb == NULL ||
        yb == NULL) {
        rc = report_failure(PROGRAM, "malloc", SC_ERR_NOMEM);
        goto done;
    }
    for (size_t i = 0; i < s->ntrain; i++)
        order[i] = i;
    for (size_t p = 0; p < parts; p++)
        rngs[p] = shards_seed(o->seed, p);
    size_t steps = 0;
    long pre = drsae_epochs_pre(o);
    for (long e = 0; rc == 0 && e < pre + r->epochs; e++) {
        drsae_epoch plan;
        rc = drsae_epoch_start(PROGRAM, o, e, m, &plan);
        if (rc != 0)
            break;
        training_schedule schedule = {plan.rate, r->step_decay, &steps};
        const training_schedule *decay = r->step_decay > 0 ? &schedule
                                                           : NULL;
        const float *x = s->d.train_images.images;
        const int32_t *y = s->d.train_labels.labels;
        if (parts == 1) {
            rc = training_epoch(PROGRAM, m, x, y, s->ntrain, dim, batch,
                                order, xb, yb, plan.label, &rngs[0], decay);
        } else {
            shards_epoch_order(order, batched, s->ntrain, parts, local, rngs);
            rc = training_pass(PROGRAM, m, x, y, batched, batched_count, dim,
                               batch, xb, yb, plan.label, decay);
        }
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
done:
    free(order);
    free(batched);
    free(rngs);
    free(xb);
    free(yb);
    return rc;
}

/* Reads and splits the data; prints what it is. */
static int read_split(const drsae_options *o, split *s)
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
    /* --shards P: P equal local batches, each within its part. */
    if (o->load == NULL && o->shards > 1 &&
        (o->r.batch % o->shards != 0 ||
         (size_t)(o->r.batch / o->shards) > s->ntrain / (size_t)o->shards)) {
        fprintf(stderr, PROGRAM ": --batch %ld is not %ld equal local "
                "batches within parts of %zu training images\n", o->r.batch,
                o->shards, s->ntrain / (size_t)o->shards);
        return 1;
    }
    return 0;
}

/* The trained (or loaded) model's test error, unit analysis and
 * pictures. */
static int report(const drsae_options *o, const sc_model *m, const split *s)
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
    drsae_options o;
    if (drsae_parse(PROGRAM, argc, argv, &o) != 0)
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
        /* With --shards P, from part 0 alone, as drsae_mpi's rank 0. */
        size_t init_count = shards_first(s.ntrain, 1, (size_t)o.shards);
        rc = drsae_create_model(PROGRAM, &o, s.d.train_images.images,
                                init_count, s.dim, &m);
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
