/* drsae.c -- the discriminative recurrent sparse auto-encoder of Rolfe &
 * LeCun (ICLR 2013) on MNIST-format data, through libsparsecode's public
 * API only.
 *
 *   drsae --data DIR [--units 400] [--iters 11] [--epochs-pre N]
 *         [--epochs N] [--batch B] [--seed S] [--save FILE] [--load FILE]
 *         [--filters FILE.png]
 *
 * Phase 1 trains the auto-encoder (reconstruction + L1) alone; phase 2
 * adds the classifier on the normalised code.  At the end it prints
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
#include "support/batches.h"
#include "support/evaluation.h"
#include "support/idx.h"
#include "support/image_grid.h"
#include "support/progress.h"
#include "support/report.h"
#include "support/training.h"

#define PROGRAM "drsae"

/* The training defaults, chosen on Fashion-MNIST (docs/drsae.md). */
#define DEFAULT_LAMBDA 0.02
#define DEFAULT_LEARNING_RATE 0.001
#define DEFAULT_CLASS_WEIGHT 1.0
#define DEFAULT_DECAY 0.8     /* learning rate factor per phase-2 epoch */
/* The bound on the rows of C.  The paper's 5 caps the logits of the unit-
 * length code at +-5, which costs about 0.7 points of test error on
 * Fashion-MNIST here (11.2 % against 10.5 %, docs/drsae.md). */
#define DEFAULT_CLASSIFIER_NORM 20.0

typedef struct {
    const char *data, *save, *load, *filters;
    long units, iters, epochs_pre, epochs, batch;
    unsigned long long seed;
    double lambda, learning_rate, class_weight, decay, classifier_norm;
    int optimizer;
} options;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: drsae --data DIR [--units 400] [--iters 11] "
            "[--epochs-pre 2] [--epochs 10]\n"
            "             [--batch 100] [--seed 1] [--save FILE] "
            "[--load FILE] [--filters FILE.png]\n"
            "             [--lambda 0.02] [--lr 0.001] [--class-weight 1] "
            "[--optimizer adam|sgd]\n"
            "             [--lr-decay 0.8] [--classifier-norm 20]\n");
}

static int parse(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"data", required_argument, 0, 'd'},
        {"units", required_argument, 0, 'u'},
        {"iters", required_argument, 0, 'i'},
        {"epochs-pre", required_argument, 0, 'p'},
        {"epochs", required_argument, 0, 'e'},
        {"batch", required_argument, 0, 'b'},
        {"seed", required_argument, 0, 's'},
        {"save", required_argument, 0, 'S'},
        {"load", required_argument, 0, 'L'},
        {"filters", required_argument, 0, 'f'},
        {"lambda", required_argument, 0, 'l'},
        {"lr", required_argument, 0, 'r'},
        {"class-weight", required_argument, 0, 'c'},
        {"optimizer", required_argument, 0, 'o'},
        {"lr-decay", required_argument, 0, 'y'},
        {"classifier-norm", required_argument, 0, 'n'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    *o = (options){NULL, NULL, NULL, NULL, 400, 11, 2, 10, 100, 1,
                   DEFAULT_LAMBDA, DEFAULT_LEARNING_RATE, DEFAULT_CLASS_WEIGHT,
                   DEFAULT_DECAY, DEFAULT_CLASSIFIER_NORM, SC_OPTIMIZER_ADAM};
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        long v = 0;
        int bad = 0;
        switch (c) {
        case 'd': o->data = optarg; break;
        case 'u': bad = args_long(optarg, &o->units); break;
        case 'i': bad = args_long(optarg, &o->iters); break;
        case 'p': bad = args_long(optarg, &o->epochs_pre); break;
        case 'e': bad = args_long(optarg, &o->epochs); break;
        case 'b': bad = args_long(optarg, &o->batch); break;
        case 's':
            bad = args_long(optarg, &v);
            o->seed = (unsigned long long)v;
            break;
        case 'S': o->save = optarg; break;
        case 'L': o->load = optarg; break;
        case 'f': o->filters = optarg; break;
        case 'l': bad = args_double(optarg, &o->lambda); break;
        case 'r': bad = args_double(optarg, &o->learning_rate); break;
        case 'c': bad = args_double(optarg, &o->class_weight); break;
        case 'y': bad = args_double(optarg, &o->decay); break;
        case 'n': bad = args_double(optarg, &o->classifier_norm); break;
        case 'o':
            if (strcmp(optarg, "adam") && strcmp(optarg, "sgd")) {
                fprintf(stderr, "drsae: --optimizer is adam or sgd\n");
                return -1;
            }
            o->optimizer = strcmp(optarg, "adam") ? SC_OPTIMIZER_SGD
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
    if (o->units < 1 || o->iters < 1 || o->batch < 1) {
        fprintf(stderr, "drsae: --units, --iters and --batch must be >= 1\n");
        return -1;
    }
    return 0;
}

/* A failed call: its status and the library's message; 1 for main. */
#define CHECK(call) REPORT_CHECK(PROGRAM, call)

/* The paper's analysis: the angle between unit i's encoder row and its
 * decoder column.  Part-units keep the two aligned (as in ISTA, where
 * W_e = W_d^T / L); categorical-units, shaped by the classifier, do not. */
static int report_unit_types(const sc_model *m)
{
    const float *we, *wd;
    size_t k, n, rows, cols;
    CHECK(sc_model_weights(m, SC_WEIGHT_ENCODER, &we, &k, &n));
    CHECK(sc_model_weights(m, SC_WEIGHT_DECODER, &wd, &rows, &cols));
    size_t histogram[9] = {0}, categorical = 0;
    for (size_t i = 0; i < k; i++) {
        double dot = 0, ee = 0, dd = 0;
        for (size_t j = 0; j < n; j++) {
            dot += (double)we[i * n + j] * wd[j * k + i];
            ee += (double)we[i * n + j] * we[i * n + j];
            dd += (double)wd[j * k + i] * wd[j * k + i];
        }
        double angle = ee > 0 && dd > 0
                           ? acos(fmax(-1.0, fmin(1.0, dot / sqrt(ee * dd)))) *
                                 180.0 / 3.14159265358979323846
                           : 90.0;
        histogram[angle >= 180 ? 8 : (size_t)(angle / 20)]++;
        categorical += angle > 45.0;
    }
    printf("unit types (angle between encoder row and decoder column):\n");
    for (int b = 0; b < 9; b++)
        printf("  %3d-%3d deg  %4zu  %.*s\n", 20 * b, 20 * b + 20,
               histogram[b], (int)(histogram[b] * 60 / k),
               "############################################################");
    printf("part_units=%zu categorical_units=%zu (angle > 45 deg)\n",
           k - categorical, categorical);
    return 0;
}

static int draw_filters(const sc_model *m, const char *path, size_t rows,
                        size_t cols)
{
    const float *wd;
    size_t n, k;
    CHECK(sc_model_weights(m, SC_WEIGHT_DECODER, &wd, &n, &k));
    char err[256];
    size_t grid = (size_t)ceil(sqrt((double)k));
    /* Column i of W_d (n x k) is filter i: stride 1 between filters and k
     * between its pixels. */
    if (image_grid_write_png(path, wd, k, rows, cols, 1, k, grid, err,
                             sizeof err) != 0) {
        fprintf(stderr, "drsae: %s\n", err);
        return 1;
    }
    printf("filters: %s\n", path);
    return 0;
}

int main(int argc, char **argv)
{
    options o;
    if (parse(argc, argv, &o) != 0)
        return 2;
    report_start(PROGRAM);

    idx_dataset d;
    char err[512];
    if (idx_read_dataset(o.data, &d, err, sizeof err) != 0) {
        fprintf(stderr, "drsae: %s\n", err);
        return 1;
    }
    size_t dim = d.train_images.rows * d.train_images.cols;
    size_t ntrain = d.train_images.count, ntest = d.test_images.count;
    idx_normalize_rows(d.train_images.images, ntrain, dim);
    idx_normalize_rows(d.test_images.images, ntest, dim);
    printf("data: %zu training and %zu test images of %zu x %zu\n", ntrain,
           ntest, d.train_images.rows, d.train_images.cols);

    /* An epoch takes whole batches only: with fewer images than one batch
     * it would train nothing. */
    if (o.load == NULL && (size_t)o.batch > ntrain) {
        fprintf(stderr, "drsae: --batch %ld is larger than the %zu training "
                "images\n", o.batch, ntrain);
        idx_free_dataset(&d);
        return 1;
    }

    sc_model *m = NULL;
    int rc = 0;
    if (o.load != NULL) {
        sc_status s = sc_model_load(&m, o.load);
        if (s != SC_OK) {
            idx_free_dataset(&d);
            return report_failure(PROGRAM, "sc_model_load", s);
        }
        if (sc_model_inputs(m) != dim) {
            fprintf(stderr, "drsae: %s expects %zu inputs, the data has %zu\n",
                    o.load, sc_model_inputs(m), dim);
            rc = 1;
        }
    } else {
        size_t batch = (size_t)o.batch;
        size_t *order = malloc(ntrain * sizeof *order);
        float *xb = malloc(batch * dim * sizeof *xb);
        int32_t *yb = malloc(batch * sizeof *yb);
        unsigned long long rng = o.seed;
        rc = order == NULL || xb == NULL || yb == NULL;
        for (size_t i = 0; rc == 0 && i < ntrain; i++)
            order[i] = i;
        sc_status s = rc ? SC_ERR_NOMEM : sc_model_create(&m, dim, (size_t)o.units);
        if (s == SC_OK)
            s = sc_model_set(m, SC_PARAM_ITERATIONS, (double)o.iters);
        if (s == SC_OK)
            s = sc_model_set(m, SC_PARAM_CLASSES, 10);
        if (s == SC_OK)
            s = sc_model_set(m, SC_PARAM_L1_WEIGHT, o.lambda);
        if (s == SC_OK)
            s = sc_model_set(m, SC_PARAM_OPTIMIZER, o.optimizer);
        if (s == SC_OK)
            s = sc_model_set(m, SC_PARAM_LEARNING_RATE, o.learning_rate);
        if (s == SC_OK)
            s = sc_model_set(m, SC_PARAM_CLASSIFIER_MAX_NORM, o.classifier_norm);
        if (s == SC_OK)
            s = sc_model_init_data(m, d.train_images.images, ntrain, o.seed);
        if (s != SC_OK)
            rc = report_failure(PROGRAM, "creating the model", s);
        printf("model: %zu-%ld, T = %ld, %s\n", dim, o.units, o.iters,
               "relu encoder, linear decoder, softmax classifier");
        for (long e = 0; rc == 0 && e < o.epochs_pre + o.epochs; e++) {
            int phase2 = e >= o.epochs_pre;
            char label[32];
            snprintf(label, sizeof label, "%s %ld", phase2 ? "train" : "pretrain",
                     phase2 ? e - o.epochs_pre + 1 : e + 1);
            s = sc_model_set(m, SC_PARAM_CLASS_WEIGHT,
                             phase2 ? o.class_weight : 0.0);
            /* Phase 2 starts at the full rate and decays each epoch. */
            double rate = o.learning_rate *
                          pow(o.decay, phase2 ? (double)(e - o.epochs_pre) : 0.0);
            if (s == SC_OK)
                s = sc_model_set(m, SC_PARAM_LEARNING_RATE, rate);
            if (s != SC_OK)
                rc = report_failure(PROGRAM, "sc_model_set", s);
            else
                rc = training_epoch(PROGRAM, m, d.train_images.images,
                                    d.train_labels.labels, ntrain, dim,
                                    batch, order, xb, yb, label, &rng);
        }
        free(order);
        free(xb);
        free(yb);
        if (rc == 0 && o.save != NULL) {
            s = sc_model_save(m, o.save);
            if (s != SC_OK)
                rc = report_failure(PROGRAM, "sc_model_save", s);
            else
                printf("saved: %s\n", o.save);
        }
    }
    double percent = 0;
    if (rc == 0)
        rc = evaluation_test_error(PROGRAM, m, d.test_images.images,
                                   d.test_labels.labels, ntest, &percent);
    if (rc == 0)
        printf("test_error=%.2f\n", percent);
    if (rc == 0)
        rc = report_unit_types(m);
    if (rc == 0 && o.filters != NULL)
        rc = draw_filters(m, o.filters, d.train_images.rows,
                          d.train_images.cols);
    sc_model_free(m);
    idx_free_dataset(&d);
    return rc;
}
