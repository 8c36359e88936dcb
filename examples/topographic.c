/* SPDX-License-Identifier: BSD-2-Clause */
/* topographic.c -- a sparse auto-encoder whose units sit on a torus and
 * are made sparse in overlapping pools (Kavukcuoglu, Ranzato, Fergus &
 * LeCun, "Learning invariant features through topographic filter maps",
 * CVPR 2009), trained on small patches of MNIST-format images or of
 * photographs (PGM) through libsparsecode's public API only.
 *
 *   topographic --data DIR | --images DIR [--seed S] [--filters FILE.png]
 *               [--torus RxC] [--pool P] [--stride S] [--group-weight G]
 *               [--encoder unrolled|psd] [--epochs E] [--patches N] ...
 *
 * The loss is the reconstruction error plus the group term
 *
 *     lambda_g sum_p sqrt(sum_{i in pool p} w_i z_i^2)
 *
 * which costs less when units that fire together share a pool.  The pools
 * overlap, so units close on the torus learn similar filters, and the
 * decoder's filters, drawn in their torus layout, form a smooth map.
 *
 * Two encoders: "unrolled" trains the whole auto-encoder (T unrolled
 * steps, relu) on that loss by back-propagation; "psd" is predictive
 * sparse decomposition as in the paper: the codes are inferred by the
 * library's solver under the group term, the dictionary takes a block
 * coordinate descent step on them, and a fast encoder (soft shrink)
 * learns to predict them (examples/support/psd.h).
 *
 * At the end it prints one line, on held-out patches and on the decoder:
 *
 *   recon_error=<e> sparsity=<s> neighbour_similarity=<n>
 *   random_similarity=<r> duplicate_fraction=<d>
 *
 * e = mean |x - xhat|^2 / |x|^2 with the encoder's codes, s = fraction of
 * code entries that are 0, n = mean |cosine| between the filters of torus
 * neighbours (right and below, wrapping: each 4-neighbour pair once),
 * r = mean |cosine| over all pairs of distinct filters and d = the
 * fraction of those neighbour pairs with |cosine| > 0.95 (near-copies).
 * A smooth topographic map has n well above r and d small.  See
 * docs/topographic.md.
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
#include "support/natural_patches.h"
#include "support/output_paths.h"
#include "support/progress.h"
#include "support/psd.h"
#include "support/report.h"

#define PROGRAM "topographic"
#define CHECK(call) REPORT_CHECK(PROGRAM, call)

/* The defaults, chosen on Fashion-MNIST (docs/topographic.md). */
#define DEFAULT_PATCH 12          /* patches are 12 x 12 pixels */
#define DEFAULT_TORUS 16          /* 16 x 16 = 256 units */
#define DEFAULT_POOL 6
#define DEFAULT_STRIDE 3
#define DEFAULT_SIGMA 2.0         /* Gaussian pool weights */
#define DEFAULT_GROUP_WEIGHT 0.05
#define DEFAULT_L1_WEIGHT 0.0
#define DEFAULT_ITERS 3           /* T, unrolled encoder steps */
#define DEFAULT_EPOCHS 10
#define DEFAULT_PATCHES 100000    /* training patches */
#define TEST_PATCHES 5000         /* held-out patches, from the test images */
#define DEFAULT_BATCH 100
#define DEFAULT_LEARNING_RATE 0.002
/* A patch whose mean pixel (in [0, 1]) is below this is background and
 * is drawn again. */
#define MIN_INK 0.03
/* Photographs (--images): the width in pixels of the Gaussian window of
 * the local contrast normalisation. */
#define DEFAULT_LCN_SIGMA 4.0
/* --encoder psd: the defaults, chosen on the validation part of the
 * photographs (docs/topographic.md).  The first five replace the
 * unrolled encoder's defaults above. */
#define DEFAULT_PSD_GROUP_WEIGHT 0.1
#define DEFAULT_PSD_L1_WEIGHT 0.02
#define DEFAULT_PSD_ITERS 1       /* T: a one-layer encoder, as PSD's */
#define DEFAULT_PSD_EPOCHS 3
#define DEFAULT_PSD_PATCHES 50000
#define DEFAULT_PSD_ALPHA 1.0     /* weight of the prediction term */
#define DEFAULT_PSD_SOLVER_ITERS 30
#define DEFAULT_PSD_MEMORY 100    /* batches in the dictionary statistics */
#define DEFAULT_PSD_EPSILON 1e-3  /* eps in sqrt(sum w z^2 + eps) */
/* |cosine| above which two neighbouring filters count as duplicates. */
#define DUPLICATE_COSINE 0.95

typedef enum { ENCODER_UNROLLED, ENCODER_PSD } encoder_kind;

typedef struct {
    const char *data, *images, *filters, *save;
    long patch, rows, cols, pool, stride, iters, epochs, patches, batch;
    long psd_iters;
    unsigned long long seed;
    double group_weight, l1_weight, learning_rate, sigma, lcn_sigma;
    double psd_alpha, psd_memory, psd_epsilon;
    encoder_kind encoder;
    int test;   /* --images: measure on the test part, not validation */
} options;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: topographic --data DIR | --images DIR [--seed 1] "
            "[--filters topographic_filters.png]\n"
            "                   [--patch 12] [--torus 16x16 | --units 256] "
            "[--pool 6] [--stride 3]\n"
            "                   [--sigma 2] [--group-weight 0.05] [--l1 0] "
            "[--iters 3] [--epochs 10]\n"
            "                   [--patches 100000] [--batch 100] "
            "[--lr 0.002] [--save FILE]\n"
            "                   [--encoder unrolled|psd] [--alpha 1] "
            "[--psd-iters 30] [--psd-memory 100]\n"
            "                   [--epsilon 0.001] [--lcn-sigma 4] [--test]\n"
            "--encoder psd changes the defaults to --group-weight 0.1 "
            "--l1 0.02 --iters 1\n--epochs 3 --patches 50000.\n");
}

static int parse(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"data", required_argument, 0, 'd'},
        {"images", required_argument, 0, 'I'},
        {"lcn-sigma", required_argument, 0, 'L'},
        {"encoder", required_argument, 0, 'E'},
        {"alpha", required_argument, 0, 'a'},
        {"psd-iters", required_argument, 0, 'F'},
        {"psd-memory", required_argument, 0, 'R'},
        {"epsilon", required_argument, 0, 'x'},
        {"test", no_argument, 0, 'T'},
        {"seed", required_argument, 0, 's'},
        {"filters", required_argument, 0, 'f'},
        {"patch", required_argument, 0, 'P'},
        {"torus", required_argument, 0, 't'},
        {"units", required_argument, 0, 'u'},
        {"pool", required_argument, 0, 'p'},
        {"stride", required_argument, 0, 'S'},
        {"sigma", required_argument, 0, 'g'},
        {"group-weight", required_argument, 0, 'G'},
        {"l1", required_argument, 0, 'l'},
        {"iters", required_argument, 0, 'i'},
        {"epochs", required_argument, 0, 'e'},
        {"patches", required_argument, 0, 'n'},
        {"batch", required_argument, 0, 'b'},
        {"lr", required_argument, 0, 'r'},
        {"save", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    *o = (options){.filters = "topographic_filters.png",
                   .patch = DEFAULT_PATCH,
                   .rows = DEFAULT_TORUS, .cols = DEFAULT_TORUS,
                   .pool = DEFAULT_POOL, .stride = DEFAULT_STRIDE,
                   .iters = -1, .epochs = -1, .patches = -1,
                   .batch = DEFAULT_BATCH,
                   .seed = 1, .sigma = DEFAULT_SIGMA,
                   .group_weight = -1, .l1_weight = -1,
                   .learning_rate = DEFAULT_LEARNING_RATE,
                   .lcn_sigma = DEFAULT_LCN_SIGMA,
                   .encoder = ENCODER_UNROLLED,
                   .psd_alpha = DEFAULT_PSD_ALPHA,
                   .psd_iters = DEFAULT_PSD_SOLVER_ITERS,
                   .psd_memory = DEFAULT_PSD_MEMORY,
                   .psd_epsilon = DEFAULT_PSD_EPSILON};
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        long v = 0;
        int bad = 0;
        switch (c) {
        case 'd': o->data = optarg; break;
        case 'I': o->images = optarg; break;
        case 'T': o->test = 1; break;
        case 'E':
            if (strcmp(optarg, "unrolled") == 0)
                o->encoder = ENCODER_UNROLLED;
            else if (strcmp(optarg, "psd") == 0)
                o->encoder = ENCODER_PSD;
            else {
                fprintf(stderr, PROGRAM ": --encoder is unrolled or psd, "
                        "not '%s'\n", optarg);
                return -1;
            }
            break;
        case 'L': bad = args_double(optarg, &o->lcn_sigma); break;
        case 'a': bad = args_double(optarg, &o->psd_alpha); break;
        case 'F': bad = args_long(optarg, &o->psd_iters); break;
        case 'R': bad = args_double(optarg, &o->psd_memory); break;
        case 'x': bad = args_double(optarg, &o->psd_epsilon); break;
        case 'f': o->filters = optarg; break;
        case 'o': o->save = optarg; break;
        case 't': {
            /* ROWSxCOLS */
            char *x = strchr(optarg, 'x');
            if (x == NULL) {
                bad = 1;
                break;
            }
            *x = 0;
            bad = args_long(optarg, &o->rows) || args_long(x + 1, &o->cols);
            *x = 'x';
            break;
        }
        case 'u': /* a square torus */
            bad = args_long(optarg, &v);
            o->rows = o->cols = lround(sqrt((double)v));
            if (!bad && o->rows * o->cols != v) {
                fprintf(stderr, PROGRAM ": --units %ld is not a square; "
                        "use --torus ROWSxCOLS\n", v);
                return -1;
            }
            break;
        case 's': bad = args_seed(optarg, &o->seed); break;
        case 'P': bad = args_long(optarg, &o->patch); break;
        case 'p': bad = args_long(optarg, &o->pool); break;
        case 'S': bad = args_long(optarg, &o->stride); break;
        case 'i': bad = args_long(optarg, &o->iters); break;
        case 'e': bad = args_long(optarg, &o->epochs); break;
        case 'n': bad = args_long(optarg, &o->patches); break;
        case 'b': bad = args_long(optarg, &o->batch); break;
        case 'g': bad = args_double(optarg, &o->sigma); break;
        case 'G': bad = args_double(optarg, &o->group_weight); break;
        case 'l': bad = args_double(optarg, &o->l1_weight); break;
        case 'r': bad = args_double(optarg, &o->learning_rate); break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
        if (bad) {
            fprintf(stderr, PROGRAM ": bad number '%s'\n", optarg);
            return -1;
        }
    }
    if ((o->data == NULL) == (o->images == NULL) || optind != argc) {
        usage(stderr);
        return -1;
    }
    /* The defaults of the options not given (still -1) depend on the
     * encoder. */
    int psd = o->encoder == ENCODER_PSD;
    if (o->iters < 0)
        o->iters = psd ? DEFAULT_PSD_ITERS : DEFAULT_ITERS;
    if (o->epochs < 0)
        o->epochs = psd ? DEFAULT_PSD_EPOCHS : DEFAULT_EPOCHS;
    if (o->patches < 0)
        o->patches = psd ? DEFAULT_PSD_PATCHES : DEFAULT_PATCHES;
    if (o->group_weight < 0)
        o->group_weight = psd ? DEFAULT_PSD_GROUP_WEIGHT
                              : DEFAULT_GROUP_WEIGHT;
    if (o->l1_weight < 0)
        o->l1_weight = psd ? DEFAULT_PSD_L1_WEIGHT : DEFAULT_L1_WEIGHT;
    /* Bounds that keep the sizes below from overflowing. */
    if (o->patch < 1 || o->patch > 1000 || o->rows < 1 || o->cols < 1 ||
        o->rows > (1L << 24) / o->cols || o->batch < 1 ||
        o->patches < o->batch || o->patches > 100000000 ||
        o->lcn_sigma > 100 || o->psd_memory < 1) {
        fprintf(stderr, PROGRAM ": need 1 <= --patch <= 1000, a torus of 1 "
                "to 2^24 units, --batch >= 1, --batch <= --patches <= "
                "1e8, --lcn-sigma <= 100 and --psd-memory >= 1\n");
        return -1;
    }
    /* Pool size, stride, iterations and the weights are checked by the
     * library, whose message says what is wrong. */
    return 0;
}

/* Cuts count side x side patches at random places of random images
 * (pixels in [0, 1]) into out (count x side*side), drawing again any patch
 * that is mostly background, and scales each patch to unit L2 norm as
 * examples/drsae scales its images.  Returns 0, or 1 with a message. */
static int cut_patches(const idx_data *im, size_t side, float *out,
                       size_t count, unsigned long long *rng)
{
    if (im->count == 0) {
        fprintf(stderr, PROGRAM ": no images to cut patches from\n");
        return 1;
    }
    if (im->rows < side || im->cols < side) {
        fprintf(stderr, PROGRAM ": the images (%zu x %zu) are smaller than "
                "the %zu x %zu patches\n", im->rows, im->cols, side, side);
        return 1;
    }
    size_t dim = side * side;
    for (size_t i = 0, tries = 0; i < count; tries++) {
        if (tries > 100 * count + 1000) {
            fprintf(stderr, PROGRAM ": the images are almost blank\n");
            return 1;
        }
        const float *img = im->images +
                           batches_uniform(rng,
                                           im->count) * im->rows * im->cols;
        size_t top = batches_uniform(rng, im->rows - side + 1);
        size_t left = batches_uniform(rng, im->cols - side + 1);
        float *p = out + i * dim;
        double ink = 0;
        for (size_t r = 0; r < side; r++)
            for (size_t c = 0; c < side; c++)
                ink += p[r * side + c] = img[(top + r) * im->cols + left + c];
        i += ink >= MIN_INK * (double)dim;
    }
    idx_normalize_rows(out, count, dim);
    return 0;
}

/* Reads the photographs of o->images and cuts the training patches and
 * the held-out ones (validation, or test with --test) from their parts
 * (examples/support/natural_patches.h).  All patches are scaled by one
 * factor that makes the training patches' mean |x|^2 equal to 1.
 * Returns 0, or 1 with a message. */
static int natural_patches(const options *o, float *train, size_t count,
                           float *held, size_t held_count,
                           unsigned long long *rng)
{
    natural_images im;
    char err[512];
    size_t side = (size_t)o->patch, dim = side * side;
    int rc = natural_read_dir(o->images, o->lcn_sigma, &im, err, sizeof err);
    if (rc == 0)
        rc = natural_cut_patches(&im, NATURAL_TRAIN, side, train, count, rng,
                                 err, sizeof err) ||
             natural_cut_patches(&im, o->test ? NATURAL_TEST
                                              : NATURAL_VALIDATION,
                                 side, held, held_count, rng, err,
                                 sizeof err);
    if (rc == 0)
        printf("images: %zu from %s, contrast-normalised (sigma %g)\n",
               im.count, o->images, o->lcn_sigma);
    natural_free(&im);
    if (rc != 0) {
        fprintf(stderr, PROGRAM ": %s\n", err);
        return 1;
    }
    double energy = 0;
    for (size_t i = 0; i < count * dim; i++)
        energy += (double)train[i] * train[i];
    float scale = energy > 0 ? (float)sqrt((double)count / energy) : 1.0f;
    for (size_t i = 0; i < count * dim; i++)
        train[i] *= scale;
    for (size_t i = 0; i < held_count * dim; i++)
        held[i] *= scale;
    return 0;
}

/* One epoch over the shuffled training patches, with a progress bar. */
static int train_epoch(sc_model *m, const float *x, size_t count,
                       size_t dim, size_t batch, size_t *order, float *xb,
                       const char *label, unsigned long long *rng)
{
    batches_shuffle(order, count, rng);
    progress bar;
    progress_start(&bar, label, count);
    double recon = 0, group = 0, active = 0;
    size_t steps = 0;
    char status[128] = "";
    for (size_t b = 0; b + batch <= count; b += batch) {
        batches_gather(xb, x, order + b, batch, dim);
        sc_model_stats st = {.size = sizeof st};
        CHECK(sc_model_step(m, xb, NULL, NULL, batch, &st));
        recon += st.recon;
        group += st.group;
        active += st.active_fraction;
        steps++;
        snprintf(status, sizeof status,
                 "recon %.4f  group %.3f  active %.1f%%", recon / steps,
                 group / steps, 100 * active / steps);
        progress_update(&bar, batch, status);
    }
    progress_finish(&bar, status);
    return 0;
}

/* One epoch of PSD: for each minibatch, the codes z* inferred for the
 * current dictionary and the encoder's prediction, a step of the
 * dictionary on them, and one step of the encoder (m) regressing them.
 * zp and zs hold batch x k codes. */
static int train_psd_epoch(sc_model *m, psd *p, const float *x, size_t count,
                           size_t batch, size_t *order, float *xb,
                           float *zp, float *zs, const char *label,
                           unsigned long long *rng)
{
    batches_shuffle(order, count, rng);
    progress bar;
    progress_start(&bar, label, count);
    double recon = 0, predict = 0, active = 0;
    size_t steps = 0;
    char status[128] = "";
    for (size_t b = 0; b + batch <= count; b += batch) {
        batches_gather(xb, x, order + b, batch, p->n);
        if (p->s.alpha > 0)
            CHECK(sc_model_encode(m, xb, batch, zp));
        CHECK(psd_infer(p, xb, zp, batch, zs, NULL));
        recon += psd_update_dictionary(p, xb, zs, batch);
        sc_model_stats st = {.size = sizeof st};
        CHECK(sc_model_step(m, xb, NULL, zs, batch, &st));
        predict += st.regression;
        active += st.active_fraction;
        steps++;
        snprintf(status, sizeof status,
                 "recon %.4f  predict %.4f  active %.1f%%", recon / steps,
                 predict / steps, 100 * active / steps);
        progress_update(&bar, batch, status);
    }
    progress_finish(&bar, status);
    return 0;
}

/* |cosine| of columns a and b of the decoder wd (n x k). */
static double similarity(const float *wd, size_t n, size_t k, size_t a,
                         size_t b)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t j = 0; j < n; j++) {
        ab += (double)wd[j * k + a] * wd[j * k + b];
        aa += (double)wd[j * k + a] * wd[j * k + a];
        bb += (double)wd[j * k + b] * wd[j * k + b];
    }
    return aa > 0 && bb > 0 ? fabs(ab) / sqrt(aa * bb) : 0.0;
}

/* Over the 2k pairs of torus neighbours (each unit with the one to its
 * right and the one below, wrapping: every 4-neighbour pair once), the
 * mean |cosine| and the fraction above DUPLICATE_COSINE; and the mean
 * |cosine| over all distinct pairs. */
typedef struct {
    double neighbour, any_pair, duplicates;
} map_measures;

static map_measures map_similarity(const float *wd, size_t n, size_t rows,
                                   size_t cols)
{
    size_t k = rows * cols;
    double near = 0, all = 0;
    size_t copies = 0;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            size_t u = r * cols + c;
            double right = similarity(wd, n, k, u, r * cols + (c + 1) % cols);
            double below = similarity(wd, n, k, u, (r + 1) % rows * cols + c);
            near += right + below;
            copies += (right > DUPLICATE_COSINE) + (below > DUPLICATE_COSINE);
        }
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++)
            all += similarity(wd, n, k, a, b);
    return (map_measures){
        .neighbour = near / (2.0 * (double)k),
        .any_pair = k > 1 ? all / ((double)k * (double)(k - 1) / 2) : 0.0,
        .duplicates = (double)copies / (2.0 * (double)k)};
}

/* The decoder's columns (wd, n x k) as side x side tiles, one per unit,
 * laid out as the torus: unit r*cols + c in row r, column c. */
static int draw_filters(const float *wd, size_t k, const char *path,
                        size_t side, size_t cols)
{
    char err[256];
    /* Column i of W_d (n x k) is filter i: stride 1 between filters and k
     * between its pixels. */
    if (image_grid_write_png(path, wd, k, side, side, 1, k, cols, err,
                             sizeof err) != 0) {
        fprintf(stderr, PROGRAM ": %s\n", err);
        return 1;
    }
    printf("filters: %s (%zu x %zu tiles of %zu x %zu, in torus order)\n",
           path, k / cols, cols, side, side);
    return 0;
}

/* Creates the model: the structure first, then the training parameters,
 * then random initial weights (docs/topographic.md: starting from
 * training patches instead gives a weaker map in the same time).  With
 * --encoder psd the model is only the fast encoder: soft shrink, trained
 * on the regression term alone; the group term is the solver's. */
static int build_model(sc_model **out, const options *o)
{
    size_t k = (size_t)(o->rows * o->cols);
    sc_status s = sc_model_create(out, (size_t)(o->patch * o->patch), k);
    if (s != SC_OK)
        return report_failure(PROGRAM, "sc_model_create", s);
    sc_model *m = *out;
    CHECK(sc_model_set(m, SC_MODEL_PARAM_ITERATIONS, (double)o->iters));
    if (o->encoder == ENCODER_PSD) {
        CHECK(sc_model_set(m, SC_MODEL_PARAM_SHRINK, SC_SHRINK_SOFT));
        CHECK(sc_model_set(m, SC_MODEL_PARAM_RECON_WEIGHT, 0));
        CHECK(sc_model_set(m, SC_MODEL_PARAM_REGRESSION_WEIGHT, 1));
        CHECK(sc_model_set(m, SC_MODEL_PARAM_L1_WEIGHT, 0));
    } else {
        CHECK(sc_model_set(m, SC_MODEL_PARAM_GROUP_LAYOUT,
                           SC_GROUP_LAYOUT_TOPOGRAPHIC));
        CHECK(sc_model_set(m, SC_MODEL_PARAM_TORUS_ROWS, (double)o->rows));
        CHECK(sc_model_set(m, SC_MODEL_PARAM_TORUS_COLS, (double)o->cols));
        CHECK(sc_model_set(m, SC_MODEL_PARAM_POOL_SIZE, (double)o->pool));
        CHECK(sc_model_set(m, SC_MODEL_PARAM_POOL_STRIDE, (double)o->stride));
        CHECK(sc_model_set(m, SC_MODEL_PARAM_POOL_SIGMA, o->sigma));
        CHECK(sc_model_set(m, SC_MODEL_PARAM_GROUP_WEIGHT, o->group_weight));
        CHECK(sc_model_set(m, SC_MODEL_PARAM_L1_WEIGHT, o->l1_weight));
    }
    CHECK(sc_model_set(m, SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM));
    CHECK(sc_model_set(m, SC_MODEL_PARAM_LEARNING_RATE, o->learning_rate));
    CHECK(sc_model_init_random(m, o->seed));
    return 0;
}

/* --encoder psd: the learner of the dictionary, started from the model's
 * random decoder. */
static int build_psd(psd *p, const sc_model *m, const options *o)
{
    const float *wd;
    size_t n, k;
    CHECK(sc_model_weights(m, SC_WEIGHT_DECODER, &wd, &n, &k));
    psd_settings s = {.rows = (size_t)o->rows, .cols = (size_t)o->cols,
                      .pool = (double)o->pool, .stride = (double)o->stride,
                      .sigma = o->sigma, .group_weight = o->group_weight,
                      .epsilon = o->psd_epsilon, .l1_weight = o->l1_weight,
                      .alpha = o->psd_alpha,
                      .iterations = (double)o->psd_iters,
                      .memory = o->psd_memory};
    char err[512];
    sc_status st = psd_create(p, wd, n, k, (size_t)o->batch, &s, err,
                              sizeof err);
    if (st != SC_OK) {
        fprintf(stderr, PROGRAM ": the PSD solver: %s: %s\n",
                sc_status_string(st), err);
        return 1;
    }
    return 0;
}

/* --encoder psd, on the held-out patches x: the encoder's codes decoded by
 * D (recon, active) and, on a line of their own, the codes the solver
 * infers: their reconstruction error, the mean objective, and how well
 * the encoder predicts them, |z* - F(x)|^2 / |z*|^2. */
static int evaluate_psd(const sc_model *m, const psd *p, const float *x,
                        size_t count, double *recon, double *active)
{
    size_t n = p->n, k = p->k, b = p->batch;
    float *zp = malloc(count * k * sizeof *zp);
    float *zs = malloc(count * k * sizeof *zs);
    int rc = zp == NULL || zs == NULL;
    if (rc)
        fprintf(stderr, PROGRAM ": out of memory\n");
    sc_status st = rc ? SC_OK : sc_model_encode(m, x, count, zp);
    if (st != SC_OK)
        rc = report_failure(PROGRAM, "sc_model_encode", st);
    double objective = 0;
    for (size_t i = 0; rc == 0 && i < count; i += b) {
        size_t part = count - i < b ? count - i : b;
        double obj = 0;
        st = psd_infer(p, x + i * n, zp + i * k, part, zs + i * k, &obj);
        if (st != SC_OK)
            rc = report_failure(PROGRAM, "psd_infer", st);
        objective += obj * (double)part / (double)count;
    }
    if (rc == 0) {
        const float *d = p->dictionary;
        double err_f = 0, err_s = 0, norm = 0, miss = 0, target = 0;
        size_t nonzero = 0;
        for (size_t s = 0; s < count; s++) {
            for (size_t i = 0; i < n; i++) {
                double xf = 0, xs = 0;
                for (size_t j = 0; j < k; j++) {
                    xf += (double)d[i * k + j] * zp[s * k + j];
                    xs += (double)d[i * k + j] * zs[s * k + j];
                }
                double xi = x[s * n + i];
                err_f += (xi - xf) * (xi - xf);
                err_s += (xi - xs) * (xi - xs);
                norm += xi * xi;
            }
            for (size_t j = 0; j < k; j++) {
                double e = (double)zs[s * k + j] - zp[s * k + j];
                miss += e * e;
                target += (double)zs[s * k + j] * zs[s * k + j];
                nonzero += zp[s * k + j] != 0;
            }
        }
        *recon = norm > 0 ? err_f / norm : 0.0;
        *active = (double)nonzero / (double)(count * k);
        printf("psd: inferred codes recon_error=%.4f objective=%.4f "
               "prediction_error=%.4f\n", norm > 0 ? err_s / norm : 0.0,
               objective, target > 0 ? miss / target : 0.0);
    }
    free(zp);
    free(zs);
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    if (parse(argc, argv, &o) != 0)
        return 2;
    report_start(PROGRAM);
    /* Before any work: the outputs can be written. */
    const output_path outputs[] = {{"--filters", o.filters},
                                   {"--save", o.save}};
    if (output_paths_check(PROGRAM, outputs,
                           sizeof outputs / sizeof outputs[0]) != 0)
        return 1;

    size_t side = (size_t)o.patch, dim = side * side;
    size_t count = (size_t)o.patches, batch = (size_t)o.batch;
    size_t k = (size_t)(o.rows * o.cols);
    unsigned long long rng = o.seed;
    float *train = malloc(count * dim * sizeof *train);
    float *held = malloc(TEST_PATCHES * dim * sizeof *held);
    float *xb = malloc(batch * dim * sizeof *xb);
    float *zp = calloc(batch * k, sizeof *zp);
    float *zs = malloc(batch * k * sizeof *zs);
    size_t *order = malloc(count * sizeof *order);
    int rc = train == NULL || held == NULL || xb == NULL || zp == NULL ||
             zs == NULL || order == NULL;
    if (rc)
        fprintf(stderr, PROGRAM ": out of memory\n");
    for (size_t i = 0; rc == 0 && i < count; i++)
        order[i] = i;
    if (rc == 0 && o.images != NULL) {
        rc = natural_patches(&o, train, count, held, TEST_PATCHES, &rng);
        if (rc == 0)
            printf("data: %zu training and %d %s patches of %zu x %zu\n",
                   count, TEST_PATCHES, o.test ? "test" : "validation",
                   side, side);
    } else if (rc == 0) {
        idx_dataset d;
        char err[512];
        if (idx_read_dataset(o.data, &d, err, sizeof err) != 0) {
            fprintf(stderr, PROGRAM ": %s\n", err);
            rc = 1;
        } else {
            rc = cut_patches(&d.train_images, side, train, count, &rng) ||
                 cut_patches(&d.test_images, side, held, TEST_PATCHES, &rng);
            idx_free_dataset(&d);
        }
        if (rc == 0)
            printf("data: %zu training and %d held-out patches of %zu x "
                   "%zu\n", count, TEST_PATCHES, side, side);
    }

    sc_model *m = NULL;
    psd p = {0};
    if (rc == 0)
        rc = build_model(&m, &o);
    if (rc == 0 && o.encoder == ENCODER_PSD)
        rc = build_psd(&p, m, &o);
    if (rc == 0 && o.encoder == ENCODER_PSD)
        printf("model: %zu-%zu, PSD: FISTA %ld iterations, alpha %g, "
               "dictionary memory %g batches; encoder T = %ld, soft shrink; torus "
               "%ld x %ld, pools %ld x %ld at stride %ld, sigma %g, group "
               "weight %g\n", dim, k, o.psd_iters, o.psd_alpha, o.psd_memory,
               o.iters, o.rows, o.cols, o.pool, o.pool, o.stride, o.sigma,
               o.group_weight);
    else if (rc == 0)
        printf("model: %zu-%zu, T = %ld, torus %ld x %ld, pools %ld x %ld "
               "at stride %ld, sigma %g, group weight %g\n", dim, k,
               o.iters, o.rows, o.cols, o.pool, o.pool, o.stride, o.sigma,
               o.group_weight);
    for (long e = 0; rc == 0 && e < o.epochs; e++) {
        char label[32];
        snprintf(label, sizeof label, "epoch %ld", e + 1);
        rc = o.encoder == ENCODER_PSD
                 ? train_psd_epoch(m, &p, train, count, batch, order, xb,
                                   zp, zs, label, &rng)
                 : train_epoch(m, train, count, dim, batch, order, xb,
                               label, &rng);
    }

    if (rc == 0 && o.save != NULL) {
        sc_status s = sc_model_save(m, o.save, SC_MODEL_CONTENTS_FULL);
        rc = s == SC_OK ? 0 : report_failure(PROGRAM, "sc_model_save", s);
        if (rc == 0)
            printf("saved: %s%s\n", o.save, o.encoder == ENCODER_PSD
                   ? " (the encoder; its decoder is not the PSD dictionary)"
                   : "");
    }
    double recon = 0, active = 0;
    if (rc == 0)
        rc = o.encoder == ENCODER_PSD
                 ? evaluate_psd(m, &p, held, TEST_PATCHES, &recon, &active)
                 : evaluation_reconstruction(PROGRAM, m, held, TEST_PATCHES,
                                             &recon, &active);
    double sparsity = 1.0 - active; /* the fraction of zero code entries */
    const float *wd = p.dictionary;
    size_t n = dim;
    if (rc == 0 && o.encoder == ENCODER_UNROLLED) {
        sc_status s = sc_model_weights(m, SC_WEIGHT_DECODER, &wd, &n, &k);
        rc = s == SC_OK ? 0 : report_failure(PROGRAM, "sc_model_weights", s);
    }
    map_measures map = {0};
    if (rc == 0) {
        map = map_similarity(wd, n, (size_t)o.rows, (size_t)o.cols);
        rc = draw_filters(wd, k, o.filters, side, (size_t)o.cols);
    }
    if (rc == 0)
        printf("recon_error=%.4f sparsity=%.4f neighbour_similarity=%.4f "
               "random_similarity=%.4f duplicate_fraction=%.4f\n", recon,
               sparsity, map.neighbour, map.any_pair, map.duplicates);
    psd_free(&p);
    sc_model_free(m);
    free(train);
    free(held);
    free(xb);
    free(zp);
    free(zs);
    free(order);
    return rc;
}
