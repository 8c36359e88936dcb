/* SPDX-License-Identifier: BSD-2-Clause */
/* local.c -- a sparse auto-encoder with local unshared filters (Gregor &
 * LeCun, "Emergence of complex-like cells in a temporal product network
 * with local receptive fields", arXiv:1006.0448) on whole MNIST-format
 * images, through libsparsecode's public API only.
 *
 *   local --data DIR [--seed S] [--filters FILE.png] [--maps F]
 *         [--field R] [--stride S] [--iters T] [--epochs-pre N]
 *         [--epochs N] [--batch B] [--lr RATE] [--lambda L] [--save FILE]
 *         [--valid N] [--init data|random]
 *   local --complex --data DIR [the options above but --epochs-pre]
 *         [--group G] [--pool-maps P] [--pool-positions Q] [--max-shift D]
 *         [--pool-filters FILE.png]
 *
 * The units sit on a grid of positions over the image (with field 7 and
 * stride 3 on 28 x 28 images: 8 x 8 positions), F units ("maps") at each
 * position.  Every unit sees only the R x R window at its position, with
 * encoder and decoder filters of its own: nothing is shared between
 * positions, unlike a convolution.  The model is otherwise the DrSAE of
 * examples/drsae: a relu encoder unrolled T times, a linear decoder, and
 * in phase 2 a softmax classifier on the normalised code.
 *
 * It draws the decoder's filters in place (each position's F filters as a
 * small block, the blocks on the grid of positions) and ends with
 *
 *   recon_error=<e> active=<a>
 *   test_error=<percent>
 *
 * e = sum |x - xhat|^2 / sum |x|^2 over the test images and a = the
 * fraction of their code entries that are non-zero.
 *
 * --complex trains the same local filters without a classifier, with the
 * topographic group term instead (weight G): each pool is a P x P window
 * of maps (the maps of a position on a torus laid out as in the picture)
 * at Q x Q neighbouring positions (SC_MODEL_PARAM_POOL_POSITIONS).  That is the
 * paper's layer of complex cells over overlapping neighbourhoods.  It
 * measures how much the codes and the pooled responses change when the
 * test images move by 1 .. D pixels (support/shift_change.h), before and
 * after training, and ends with
 *
 *   recon_error=<e> active=<a>
 *   shift_change_units=<u> shift_change_pools=<p>
 *
 * --valid N holds out the last N training images and reports every figure
 * on them instead of the test images (test_error becomes valid_error).
 * See docs/local.md.
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
#include "support/local_pools.h"
#include "support/output_paths.h"
#include "support/progress.h"
#include "support/report.h"
#include "support/shift_change.h"
#include "support/training.h"

#define PROGRAM "local"
#define CHECK(call) REPORT_CHECK(PROGRAM, call)

/* The defaults of the classifier mode, chosen on a validation split of
 * Fashion-MNIST's training images (docs/local.md). */
#define DEFAULT_MAPS 8            /* units per position */
#define DEFAULT_FIELD 7           /* 7 x 7 windows ... */
#define DEFAULT_STRIDE 3          /* ... every 3 pixels: 8 x 8 positions */
#define DEFAULT_ITERS 2           /* T, unrolled encoder steps */
#define DEFAULT_EPOCHS_PRE 2
#define DEFAULT_EPOCHS 15
#define DEFAULT_BATCH 100
#define DEFAULT_LAMBDA 0.02
#define DEFAULT_LEARNING_RATE 0.003
#define DEFAULT_DECAY 0.9         /* rate factor per phase-2 epoch */
#define DEFAULT_CLASSIFIER_NORM 20.0 /* as examples/drsae (docs/drsae.md) */

/* The defaults of --complex, chosen on a validation split of
 * Fashion-MNIST's training images (docs/local.md). */
#define COMPLEX_EPOCHS 5
#define COMPLEX_ITERS 3           /* T */
#define COMPLEX_GROUP 0.02        /* group weight lambda_g */
#define COMPLEX_POOL_MAPS 1       /* P: one map ... */
#define COMPLEX_POOL_POSITIONS 2  /* ... at 2 x 2 neighbouring positions */
#define COMPLEX_MAX_SHIFT 2       /* shifts of 1 and 2 pixels */

typedef struct {
    const char *data, *filters, *save, *pool_filters;
    long maps, field, stride, iters, epochs_pre, epochs, batch, valid;
    int complex, init_random;
    long pool_maps, pool_positions, max_shift;
    unsigned long long seed;
    double lambda, learning_rate, decay, group;
} options;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: local --data DIR [--seed 1] [--filters local_filters.png] "
            "[--maps 8]\n"
            "             [--field 7] [--stride 3] [--iters 2] "
            "[--epochs-pre 2] [--epochs 15]\n"
            "             [--batch 100] [--lr 0.003] [--lambda 0.02] "
            "[--lr-decay 0.9] [--save FILE]\n"
            "             [--valid N] [--init data|random]\n"
            "       local --complex --data DIR [the options above but "
            "--epochs-pre;\n"
            "             --iters 3, --epochs 5]\n"
            "             [--group 0.02] [--pool-maps 1] "
            "[--pool-positions 2] [--max-shift 2]\n"
            "             [--pool-filters FILE.png]\n");
}

/* The options of the classifier mode: the group term's are refused. */
static int classifier_defaults(options *o)
{
    if (o->group >= 0 || o->pool_maps >= 0 || o->pool_positions >= 0 ||
        o->max_shift >= 0 || o->pool_filters != NULL) {
        fprintf(stderr, PROGRAM ": --group, --pool-maps, --pool-positions, "
                "--max-shift and --pool-filters need --complex\n");
        return -1;
    }
    if (o->epochs_pre < 0)
        o->epochs_pre = DEFAULT_EPOCHS_PRE;
    if (o->epochs < 0)
        o->epochs = DEFAULT_EPOCHS;
    if (o->iters < 0)
        o->iters = DEFAULT_ITERS;
    return 0;
}

/* The options of --complex: one phase of training, no classifier. */
static int complex_defaults(options *o)
{
    if (o->epochs_pre >= 0) {
        fprintf(stderr, PROGRAM ": --complex trains in one phase "
                "(--epochs): no --epochs-pre\n");
        return -1;
    }
    o->epochs_pre = 0;
    if (o->epochs < 0)
        o->epochs = COMPLEX_EPOCHS;
    if (o->iters < 0)
        o->iters = COMPLEX_ITERS;
    if (o->group < 0)
        o->group = COMPLEX_GROUP;
    if (o->pool_maps < 0)
        o->pool_maps = COMPLEX_POOL_MAPS;
    if (o->pool_positions < 0)
        o->pool_positions = COMPLEX_POOL_POSITIONS;
    if (o->max_shift < 0)
        o->max_shift = COMPLEX_MAX_SHIFT;
    /* Pool sizes and positions are checked by the library at init. */
    return 0;
}

static int parse(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"data", required_argument, 0, 'd'},
        {"seed", required_argument, 0, 's'},
        {"filters", required_argument, 0, 'f'},
        {"save", required_argument, 0, 'o'},
        {"maps", required_argument, 0, 'm'},
        {"field", required_argument, 0, 'r'},
        {"stride", required_argument, 0, 'S'},
        {"iters", required_argument, 0, 'i'},
        {"epochs-pre", required_argument, 0, 'p'},
        {"epochs", required_argument, 0, 'e'},
        {"batch", required_argument, 0, 'b'},
        {"lr", required_argument, 0, 'l'},
        {"lambda", required_argument, 0, 'L'},
        {"lr-decay", required_argument, 0, 'y'},
        {"valid", required_argument, 0, 'v'},
        {"complex", no_argument, 0, 'c'},
        {"init", required_argument, 0, 'I'},
        {"group", required_argument, 0, 'g'},
        {"pool-maps", required_argument, 0, 'P'},
        {"pool-positions", required_argument, 0, 'Q'},
        {"max-shift", required_argument, 0, 'D'},
        {"pool-filters", required_argument, 0, 'F'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    *o = (options){.filters = "local_filters.png",
                   .maps = DEFAULT_MAPS, .field = DEFAULT_FIELD,
                   .stride = DEFAULT_STRIDE, .iters = -1,
                   .epochs_pre = -1, .epochs = -1,
                   .batch = DEFAULT_BATCH, .seed = 1,
                   .lambda = DEFAULT_LAMBDA,
                   .learning_rate = DEFAULT_LEARNING_RATE,
                   .decay = DEFAULT_DECAY, .group = -1, .pool_maps = -1,
                   .pool_positions = -1, .max_shift = -1};
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'd': o->data = optarg; break;
        case 'f': o->filters = optarg; break;
        case 'o': o->save = optarg; break;
        case 's': bad = args_seed(optarg, &o->seed); break;
        case 'm': bad = args_long(optarg, &o->maps); break;
        case 'r': bad = args_long(optarg, &o->field); break;
        case 'S': bad = args_long(optarg, &o->stride); break;
        case 'i': bad = args_long(optarg, &o->iters); break;
        case 'p': bad = args_long(optarg, &o->epochs_pre); break;
        case 'e': bad = args_long(optarg, &o->epochs); break;
        case 'b': bad = args_long(optarg, &o->batch); break;
        case 'l': bad = args_double(optarg, &o->learning_rate); break;
        case 'L': bad = args_double(optarg, &o->lambda); break;
        case 'y': bad = args_double(optarg, &o->decay); break;
        case 'v': bad = args_long(optarg, &o->valid); break;
        case 'c': o->complex = 1; break;
        case 'I':
            o->init_random = strcmp(optarg, "random") == 0;
            if (!o->init_random && strcmp(optarg, "data") != 0) {
                fprintf(stderr, PROGRAM ": --init is data or random, not "
                        "'%s'\n", optarg);
                return -1;
            }
            break;
        case 'g': bad = args_double(optarg, &o->group); break;
        case 'P': bad = args_long(optarg, &o->pool_maps); break;
        case 'Q': bad = args_long(optarg, &o->pool_positions); break;
        case 'D': bad = args_long(optarg, &o->max_shift); break;
        case 'F': o->pool_filters = optarg; break;
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
    if (o->batch < 1) {
        fprintf(stderr, PROGRAM ": --batch must be >= 1\n");
        return -1;
    }
    /* The geometry (field, stride, maps), T and the pools are checked by
     * the library, whose message says what is wrong. */
    return o->complex ? complex_defaults(o) : classifier_defaults(o);
}

/* The rows of the block of tiles that holds a position's maps in the
 * picture: the largest divisor of maps up to its square root (8 maps make
 * 2 x 4).  --complex puts the maps on a torus of the same shape, so that a
 * pool's maps are neighbouring tiles. */
static size_t block_rows(size_t maps)
{
    size_t rows = maps > 1 ? (size_t)sqrt((double)maps) : 1;
    while (maps % rows != 0)
        rows--;
    return rows;
}

/* The decoder's filters in place.  sc_model_weights gives W_d of a local
 * model as k rows of r*r: row i is the filter of unit i, which is map
 * i % maps at position i / maps = py * wout + px.  The picture puts each
 * position's filters in a block of brows x bcols tiles (block_rows) and
 * the blocks on the hout x wout grid of positions, so block (py, px) sits
 * where its window sits in the image, with a row and a column of blank
 * (mid-grey) tiles between blocks.  image_grid_write_png draws tiles in
 * row-major order, so each row of W_d is first copied to its tile's
 * place. */
static int draw_filters(const sc_model *m, const char *path, size_t hout,
                        size_t wout, size_t maps, size_t field)
{
    const float *wd;
    size_t k, len;
    CHECK(sc_model_weights(m, SC_WEIGHT_DECODER, &wd, &k, &len));
    size_t brows = block_rows(maps);
    size_t bcols = maps / brows;
    /* Tiles, counting the blank ones between blocks. */
    size_t rows = hout * (brows + 1) - 1, cols = wout * (bcols + 1) - 1;
    float *tiles = calloc(rows * cols * len, sizeof *tiles);
    if (tiles == NULL)
        return report_failure(PROGRAM, "malloc", SC_ERR_NOMEM);
    for (size_t i = 0; i < k; i++) {
        size_t position = i / maps, map = i % maps;
        size_t r = position / wout * (brows + 1) + map / bcols;
        size_t c = position % wout * (bcols + 1) + map % bcols;
        memcpy(tiles + (r * cols + c) * len, wd + i * len, len * sizeof *wd);
    }
    char err[256];
    int rc = image_grid_write_png(path, tiles, rows * cols, field, field, len,
                                  1, cols, err, sizeof err);
    free(tiles);
    if (rc != 0) {
        fprintf(stderr, PROGRAM ": %s\n", err);
        return 1;
    }
    printf("filters: %s (%zu x %zu positions, each a block of %zu x %zu "
           "filters of %zu x %zu)\n", path, hout, wout, brows, bcols, field,
           field);
    return 0;
}

/* The group term of --complex: the maps of each position on a torus of
 * the picture's block shape, pools of pool_maps x pool_maps maps (disjoint:
 * the stride is the pool's side) at pool_positions x pool_positions
 * neighbouring positions. */
static sc_status set_pools(sc_model *m, const options *o)
{
    size_t rows = block_rows((size_t)o->maps);
    const struct {
        sc_model_param param;
        double value;
    } settings[] = {
        {SC_MODEL_PARAM_GROUP_LAYOUT, SC_GROUP_LAYOUT_TOPOGRAPHIC},
        {SC_MODEL_PARAM_TORUS_ROWS, (double)rows},
        {SC_MODEL_PARAM_TORUS_COLS, (double)((size_t)o->maps / rows)},
        {SC_MODEL_PARAM_POOL_SIZE, (double)o->pool_maps},
        {SC_MODEL_PARAM_POOL_STRIDE, (double)o->pool_maps},
        {SC_MODEL_PARAM_POOL_POSITIONS, (double)o->pool_positions},
        {SC_MODEL_PARAM_GROUP_WEIGHT, o->group},
    };
    sc_status s = SC_OK;
    for (size_t i = 0; s == SC_OK && i < sizeof settings / sizeof *settings;
         i++)
        s = sc_model_set(m, settings[i].param, settings[i].value);
    return s;
}

/* Creates the model: the image and its grid of windows first (these fix
 * the shape, so they come before init), then the training parameters,
 * then weights from training images (sc_model_init_data: each unit's
 * decoder filter is its window of a random image), or with --init random
 * random ones (sc_model_init_random). */
static int build_model(sc_model **out, const options *o, size_t height,
                       size_t width, const float *x, size_t count,
                       size_t *units)
{
    /* k = positions x maps; the library checks that the windows fit. */
    CHECK(sc_model_local_units(1, height, width, (size_t)o->field,
                         (size_t)o->stride, (size_t)o->maps, units));
    CHECK(sc_model_create(out, height * width, *units));
    sc_model *m = *out;
    CHECK(sc_model_set(m, SC_MODEL_PARAM_LOCAL_FIELD, (double)o->field));
    CHECK(sc_model_set(m, SC_MODEL_PARAM_LOCAL_STRIDE, (double)o->stride));
    CHECK(sc_model_set(m, SC_MODEL_PARAM_IMAGE_CHANNELS, 1));
    CHECK(sc_model_set(m, SC_MODEL_PARAM_IMAGE_HEIGHT, (double)height));
    CHECK(sc_model_set(m, SC_MODEL_PARAM_IMAGE_WIDTH, (double)width));
    CHECK(sc_model_set(m, SC_MODEL_PARAM_ITERATIONS, (double)o->iters));
    if (o->complex)
        CHECK(set_pools(m, o));
    else
        CHECK(sc_model_set(m, SC_MODEL_PARAM_CLASSES, 10));
    CHECK(sc_model_set(m, SC_MODEL_PARAM_L1_WEIGHT, o->lambda));
    CHECK(sc_model_set(m, SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM));
    CHECK(sc_model_set(m, SC_MODEL_PARAM_LEARNING_RATE, o->learning_rate));
    CHECK(sc_model_set(m, SC_MODEL_PARAM_CLASSIFIER_MAX_NORM,
                       DEFAULT_CLASSIFIER_NORM));
    if (o->init_random)
        CHECK(sc_model_init_random(m, o->seed));
    else
        CHECK(sc_model_init_data(m, x, count, o->seed));
    return 0;
}

/* Phase 1 (reconstruction + L1) for epochs_pre epochs, then phase 2 (the
 * classifier added, the rate decaying each epoch) for epochs epochs.
 * --complex has no phase 1 and no classifier: its epochs are phase 2's
 * with the class weight 0 (reconstruction + L1 + group).  The first ntrain
 * training images are used. */
static int train(sc_model *m, const options *o, const idx_dataset *d,
                 size_t ntrain, size_t dim)
{
    size_t batch = (size_t)o->batch;
    size_t *order = malloc(ntrain * sizeof *order);
    float *xb = malloc(batch * dim * sizeof *xb);
    int32_t *yb = malloc(batch * sizeof *yb);
    unsigned long long rng = o->seed;
    int rc = order == NULL || xb == NULL || yb == NULL
                 ? report_failure(PROGRAM, "malloc", SC_ERR_NOMEM)
                 : 0;
    for (size_t i = 0; rc == 0 && i < ntrain; i++)
        order[i] = i;
    for (long e = 0; rc == 0 && e < o->epochs_pre + o->epochs; e++) {
        int phase2 = e >= o->epochs_pre;
        long number = phase2 ? e - o->epochs_pre + 1 : e + 1;
        char label[32];
        snprintf(label, sizeof label, "%s %ld", phase2 ? "train" : "pretrain",
                 number);
        double rate = o->learning_rate *
                      pow(o->decay, phase2 ? (double)(number - 1) : 0.0);
        double class_weight = phase2 && !o->complex ? 1.0 : 0.0;
        sc_status s = sc_model_set(m, SC_MODEL_PARAM_CLASS_WEIGHT,
                                   class_weight);
        if (s == SC_OK)
            s = sc_model_set(m, SC_MODEL_PARAM_LEARNING_RATE, rate);
        rc = s != SC_OK ? report_failure(PROGRAM, "sc_model_set", s)
                        : training_epoch(PROGRAM, m, d->train_images.images,
                                         d->train_labels.labels, ntrain, dim,
                                         batch, order, xb, yb, label, &rng,
                                         NULL);
    }
    free(order);
    free(xb);
    free(yb);
    return rc;
}

/* --complex's measures of the model before training, on one line: the
 * reconstruction (which shows how good a code it is) and the shift
 * change (which shows what pooling alone does, with no training). */
static int print_untrained(const sc_model *m, const options *o,
                           const local_pools *pools, const float *x,
                           size_t count, size_t height, size_t width)
{
    double recon = 0, active = 0, units = 0, pooled = 0;
    if (evaluation_reconstruction(PROGRAM, m, x, count, &recon, &active) ||
        shift_change(PROGRAM, m, pools, x, count, height, width,
                     (size_t)o->max_shift, &units, &pooled))
        return 1;
    printf("untrained: recon_error=%.4f active=%.4f shift_change_units=%.4f "
           "shift_change_pools=%.4f\n", recon, active, units, pooled);
    return 0;
}

/* --complex's summary of the trained model. */
static int print_shift_change(const sc_model *m, const options *o,
                              const local_pools *pools, const float *x,
                              size_t count, size_t height, size_t width)
{
    double units = 0, pooled = 0;
    if (shift_change(PROGRAM, m, pools, x, count, height, width,
                     (size_t)o->max_shift, &units, &pooled) != 0)
        return 1;
    printf("shift_change_units=%.4f shift_change_pools=%.4f\n", units,
           pooled);
    return 0;
}

/* The pools drawn by --pool-filters, and the images that rank them. */
#define POOLS_SHOWN 16
#define POOL_RANK_IMAGES 1000

/* --pool-filters: the decoder filters of the POOLS_SHOWN pools with the
 * largest mean response over (up to POOL_RANK_IMAGES of) the evaluation
 * images, one pool a row (local_pools_draw). */
static int draw_pools(const sc_model *m, const local_pools *pools,
                      const float *x, size_t count, size_t field,
                      const char *path)
{
    size_t k = sc_model_units(m), np = pools->count;
    size_t b = count < POOL_RANK_IMAGES ? count : POOL_RANK_IMAGES;
    float *z = malloc(b * k * sizeof *z), *s = malloc(b * np * sizeof *s);
    double *mean = calloc(np, sizeof *mean);
    size_t *order = malloc(np * sizeof *order);
    sc_status st = z == NULL || s == NULL || mean == NULL || order == NULL
                       ? SC_ERR_NOMEM
                       : sc_model_encode(m, x, b, z);
    const float *wd = NULL;
    size_t rows = 0, len = 0;
    if (st == SC_OK)
        st = sc_model_weights(m, SC_WEIGHT_DECODER, &wd, &rows, &len);
    int rc = st == SC_OK ? 0 : report_failure(PROGRAM, "draw_pools", st);
    if (rc == 0) {
        local_pools_responses(pools, z, b, k, s);
        for (size_t i = 0; i < b * np; i++)
            mean[i % np] += s[i];
        /* Selection sort of the few largest: POOLS_SHOWN passes. */
        size_t shown = np < POOLS_SHOWN ? np : POOLS_SHOWN;
        for (size_t p = 0; p < np; p++)
            order[p] = p;
        for (size_t r = 0; r < shown; r++)
            for (size_t p = r + 1; p < np; p++)
                if (mean[order[p]] > mean[order[r]]) {
                    size_t t = order[r];
                    order[r] = order[p];
                    order[p] = t;
                }
        char err[256];
        rc = local_pools_draw(path, pools, order, shown, wd, field, err,
                              sizeof err);
        if (rc != 0)
            fprintf(stderr, PROGRAM ": %s\n", err);
        else
            printf("pool filters: %s (the %zu most active pools, one a row "
                   "of %zu filters)\n", path, shown,
                   pools->start[1] - pools->start[0]);
    }
    free(z);
    free(s);
    free(mean);
    free(order);
    return rc;
}

/* The pools of --complex, as set_pools gives them to the library. */
static int build_pools(local_pools *pools, const options *o, size_t hout,
                       size_t wout)
{
    size_t rows = block_rows((size_t)o->maps);
    local_pool_geometry g = {
        .hout = hout, .wout = wout, .rows = rows,
        .cols = (size_t)o->maps / rows, .size = (size_t)o->pool_maps,
        .stride = (size_t)o->pool_maps, .span = (size_t)o->pool_positions};
    if (local_pools_build(pools, &g) != 0)
        return report_failure(PROGRAM, "local_pools_build", SC_ERR_NOMEM);
    printf("pools: %zu, each %ld x %ld maps at %ld x %ld positions, group "
           "weight %g\n", pools->count, o->pool_maps, o->pool_maps,
           o->pool_positions, o->pool_positions, o->group);
    return 0;
}

int main(int argc, char **argv)
{
    options o;
    if (parse(argc, argv, &o) != 0)
        return 2;
    report_start(PROGRAM);
    /* Before any work: the outputs can be written. */
    const output_path outputs[] = {{"--filters", o.filters},
                                   {"--save", o.save},
                                   {"--pool-filters", o.pool_filters}};
    if (output_paths_check(PROGRAM, outputs,
                           sizeof outputs / sizeof outputs[0]) != 0)
        return 1;

    idx_dataset d;
    char err[512];
    if (idx_read_dataset(o.data, &d, err, sizeof err) != 0) {
        fprintf(stderr, PROGRAM ": %s\n", err);
        return 1;
    }
    size_t height = d.train_images.rows, width = d.train_images.cols;
    size_t dim = height * width;
    size_t ntrain = d.train_images.count, ntest = d.test_images.count;
    idx_normalize_rows(d.train_images.images, ntrain, dim);
    idx_normalize_rows(d.test_images.images, ntest, dim);
    printf("data: %zu training and %zu test images of %zu x %zu\n", ntrain,
           ntest, height, width);

    /* The images every figure is measured on: the test set, or with
     * --valid N the last N training images, which are then not trained
     * on. */
    const float *eval_x = d.test_images.images;
    const int32_t *eval_y = d.test_labels.labels;
    size_t neval = ntest;
    if (o.valid > 0) {
        if ((size_t)o.valid >= ntrain) {
            fprintf(stderr, PROGRAM ": --valid %ld leaves no training "
                    "images of %zu\n", o.valid, ntrain);
            idx_free_dataset(&d);
            return 1;
        }
        ntrain -= (size_t)o.valid;
        eval_x = d.train_images.images + ntrain * dim;
        eval_y = d.train_labels.labels + ntrain;
        neval = (size_t)o.valid;
        printf("valid: the last %zu training images are held out; the "
               "figures below are theirs\n", neval);
    }

    /* An epoch takes whole batches only: with fewer images than one batch
     * it would train nothing. */
    if ((size_t)o.batch > ntrain) {
        fprintf(stderr, PROGRAM ": --batch %ld is larger than the %zu "
                "training images\n", o.batch, ntrain);
        idx_free_dataset(&d);
        return 1;
    }

    sc_model *m = NULL;
    size_t k = 0;
    int rc = build_model(&m, &o, height, width, d.train_images.images,
                         ntrain, &k);
    /* The grid of positions, as the model has it. */
    size_t hout = 0, wout = 0;
    if (rc == 0) {
        sc_status s = sc_model_local_shape(m, &hout, &wout, NULL);
        if (s != SC_OK)
            rc = report_failure(PROGRAM, "sc_model_local_shape", s);
    }
    if (rc == 0) {
        printf("model: %zu x %zu image, %ld x %ld windows at stride %ld: "
               "%zu x %zu positions x %ld maps = %zu units, T = %ld\n",
               height, width, o.field, o.field, o.stride, hout, wout,
               o.maps, k, o.iters);
    }
    /* --complex: the pools, and the shift change of the untrained model
     * (the control that shows what pooling alone does). */
    local_pools pools = {0};
    if (rc == 0 && o.complex)
        rc = build_pools(&pools, &o, hout, wout);
    if (rc == 0 && o.complex)
        rc = print_untrained(m, &o, &pools, eval_x, neval, height, width);
    if (rc == 0)
        rc = train(m, &o, &d, ntrain, dim);
    if (rc == 0 && o.save != NULL) {
        sc_status s = sc_model_save(m, o.save, SC_MODEL_CONTENTS_FULL);
        rc = s == SC_OK ? 0 : report_failure(PROGRAM, "sc_model_save", s);
        if (rc == 0)
            printf("saved: %s\n", o.save);
    }
    if (rc == 0)
        rc = draw_filters(m, o.filters, hout, wout, (size_t)o.maps,
                          (size_t)o.field);
    double recon = 0, active = 0, percent = 0;
    if (rc == 0)
        rc = evaluation_reconstruction(PROGRAM, m, eval_x, neval, &recon,
                                       &active);
    if (rc == 0)
        printf("recon_error=%.4f active=%.4f\n", recon, active);
    if (rc == 0 && o.pool_filters != NULL)
        rc = draw_pools(m, &pools, eval_x, neval, (size_t)o.field,
                        o.pool_filters);
    if (rc == 0 && o.complex)
        rc = print_shift_change(m, &o, &pools, eval_x, neval, height, width);
    if (rc == 0 && !o.complex)
        rc = evaluation_test_error(PROGRAM, m, eval_x, eval_y, neval,
                                   &percent);
    if (rc == 0 && !o.complex)
        printf("%s_error=%.2f\n", o.valid > 0 ? "valid" : "test", percent);
    local_pools_free(&pools);
    sc_model_free(m);
    idx_free_dataset(&d);
    return rc;
}
