/* topographic.c -- a sparse auto-encoder whose units sit on a torus and
 * are made sparse in overlapping pools (Kavukcuoglu, Ranzato, Fergus &
 * LeCun, "Learning invariant features through topographic filter maps",
 * CVPR 2009), trained on small patches of MNIST-format images through
 * libsparsecode's public API only.
 *
 *   topographic --data DIR [--seed S] [--filters FILE.png] [--torus RxC]
 *               [--pool P] [--stride S] [--group-weight G] [--epochs E]
 *               [--patches N] ...
 *
 * The loss is the reconstruction error plus the group term
 *
 *     lambda_g sum_p sqrt(sum_{i in pool p} w_i z_i^2)
 *
 * which costs less when units that fire together share a pool.  The pools
 * overlap, so units close on the torus learn similar filters, and the
 * decoder's filters, drawn in their torus layout, form a smooth map.
 * At the end it prints one line, on held-out patches and on the decoder:
 *
 *   recon_error=<e> sparsity=<s> neighbour_similarity=<n>
 *   random_similarity=<r>
 *
 * e = mean |x - xhat|^2 / |x|^2, s = fraction of code entries that are 0,
 * n = mean |cosine| between the filters of torus neighbours (right and
 * below) and r = mean |cosine| over all pairs of distinct filters.  A
 * topographic map has n well above r.  See docs/topographic.md.
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

typedef struct {
    const char *data, *filters, *save;
    long patch, rows, cols, pool, stride, iters, epochs, patches, batch;
    unsigned long long seed;
    double group_weight, l1_weight, learning_rate, sigma;
} options;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: topographic --data DIR [--seed 1] "
            "[--filters topographic_filters.png]\n"
            "                   [--patch 12] [--torus 16x16 | --units 256] "
            "[--pool 6] [--stride 3]\n"
            "                   [--sigma 2] [--group-weight 0.05] [--l1 0] "
            "[--iters 3] [--epochs 10]\n"
            "                   [--patches 100000] [--batch 100] "
            "[--lr 0.002] [--save FILE]\n");
}

static int parse(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"data", required_argument, 0, 'd'},
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
                   .iters = DEFAULT_ITERS, .epochs = DEFAULT_EPOCHS,
                   .patches = DEFAULT_PATCHES, .batch = DEFAULT_BATCH,
                   .seed = 1, .sigma = DEFAULT_SIGMA,
                   .group_weight = DEFAULT_GROUP_WEIGHT,
                   .l1_weight = DEFAULT_L1_WEIGHT,
                   .learning_rate = DEFAULT_LEARNING_RATE};
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        long v = 0;
        int bad = 0;
        switch (c) {
        case 'd': o->data = optarg; break;
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
        case 's':
            bad = args_long(optarg, &v);
            o->seed = (unsigned long long)v;
            break;
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
    if (o->data == NULL || optind != argc) {
        usage(stderr);
        return -1;
    }
    /* Bounds that keep the sizes below from overflowing. */
    if (o->patch < 1 || o->patch > 1000 || o->rows < 1 || o->cols < 1 ||
        o->rows > (1L << 24) / o->cols || o->batch < 1 ||
        o->patches < o->batch || o->patches > 100000000) {
        fprintf(stderr, PROGRAM ": need 1 <= --patch <= 1000, a torus of 1 "
                "to 2^24 units, --batch >= 1 and --batch <= --patches <= "
                "1e8\n");
        return -1;
    }
    /* Pool size, stride, iterations and the weights are checked by the
     * library, whose message says what is wrong. */
    return 0;
}

/* A number uniform in [0, n): the top bits of a 64-bit LCG. */
static size_t uniform(unsigned long long *rng, size_t n)
{
    *rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (size_t)((*rng >> 33) % n);
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
                           uniform(rng, im->count) * im->rows * im->cols;
        size_t top = uniform(rng, im->rows - side + 1);
        size_t left = uniform(rng, im->cols - side + 1);
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
        sc_step_stats st = {.size = sizeof st};
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

/* |cosine| of decoder columns a and b of W_d (n x k). */
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

/* Mean |cosine| between torus neighbours (each unit with the one to its
 * right and the one below, wrapping) and between all distinct pairs. */
static int map_similarity(const sc_model *m, size_t rows, size_t cols,
                          double *neighbour, double *any_pair)
{
    const float *wd;
    size_t n, k;
    CHECK(sc_model_weights(m, SC_WEIGHT_DECODER, &wd, &n, &k));
    double near = 0, all = 0;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            size_t u = r * cols + c;
            near += similarity(wd, n, k, u, r * cols + (c + 1) % cols);
            near += similarity(wd, n, k, u, (r + 1) % rows * cols + c);
        }
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++)
            all += similarity(wd, n, k, a, b);
    *neighbour = near / (2.0 * (double)k);
    *any_pair = k > 1 ? all / ((double)k * (double)(k - 1) / 2) : 0.0;
    return 0;
}

/* The decoder's columns as side x side tiles, one per unit, laid out as
 * the torus: unit r*cols + c in row r, column c. */
static int draw_filters(const sc_model *m, const char *path, size_t side,
                        size_t cols)
{
    const float *wd;
    size_t n, k;
    CHECK(sc_model_weights(m, SC_WEIGHT_DECODER, &wd, &n, &k));
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
 * training patches instead gives a weaker map in the same time). */
static int build_model(sc_model **out, const options *o)
{
    size_t k = (size_t)(o->rows * o->cols);
    sc_status s = sc_model_create(out, (size_t)(o->patch * o->patch), k);
    if (s != SC_OK)
        return report_failure(PROGRAM, "sc_model_create", s);
    sc_model *m = *out;
    CHECK(sc_model_set(m, SC_PARAM_ITERATIONS, (double)o->iters));
    CHECK(sc_model_set(m, SC_PARAM_GROUP_LAYOUT, SC_GROUPS_TOPOGRAPHIC));
    CHECK(sc_model_set(m, SC_PARAM_TORUS_ROWS, (double)o->rows));
    CHECK(sc_model_set(m, SC_PARAM_TORUS_COLS, (double)o->cols));
    CHECK(sc_model_set(m, SC_PARAM_POOL_SIZE, (double)o->pool));
    CHECK(sc_model_set(m, SC_PARAM_POOL_STRIDE, (double)o->stride));
    CHECK(sc_model_set(m, SC_PARAM_POOL_SIGMA, o->sigma));
    CHECK(sc_model_set(m, SC_PARAM_GROUP_WEIGHT, o->group_weight));
    CHECK(sc_model_set(m, SC_PARAM_L1_WEIGHT, o->l1_weight));
    CHECK(sc_model_set(m, SC_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM));
    CHECK(sc_model_set(m, SC_PARAM_LEARNING_RATE, o->learning_rate));
    CHECK(sc_model_init_random(m, o->seed));
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
        fprintf(stderr, PROGRAM ": %s\n", err);
        return 1;
    }
    size_t side = (size_t)o.patch, dim = side * side;
    size_t count = (size_t)o.patches, batch = (size_t)o.batch;
    unsigned long long rng = o.seed;
    float *train = malloc(count * dim * sizeof *train);
    float *test = malloc(TEST_PATCHES * dim * sizeof *test);
    float *xb = malloc(batch * dim * sizeof *xb);
    size_t *order = malloc(count * sizeof *order);
    int rc = train == NULL || test == NULL || xb == NULL || order == NULL;
    if (rc)
        fprintf(stderr, PROGRAM ": out of memory\n");
    for (size_t i = 0; rc == 0 && i < count; i++)
        order[i] = i;
    if (rc == 0)
        rc = cut_patches(&d.train_images, side, train, count, &rng) ||
             cut_patches(&d.test_images, side, test, TEST_PATCHES, &rng);
    if (rc == 0)
        printf("data: %zu training and %d held-out patches of %zu x %zu\n",
               count, TEST_PATCHES, side, side);

    sc_model *m = NULL;
    if (rc == 0)
        rc = build_model(&m, &o);
    if (rc == 0)
        printf("model: %zu-%ld, T = %ld, torus %ld x %ld, pools %ld x %ld "
               "at stride %ld, sigma %g, group weight %g\n", dim,
               o.rows * o.cols, o.iters, o.rows, o.cols, o.pool, o.pool,
               o.stride, o.sigma, o.group_weight);
    for (long e = 0; rc == 0 && e < o.epochs; e++) {
        char label[32];
        snprintf(label, sizeof label, "epoch %ld", e + 1);
        rc = train_epoch(m, train, count, dim, batch, order, xb, label, &rng);
    }

    if (rc == 0 && o.save != NULL) {
        sc_status s = sc_model_save(m, o.save);
        rc = s == SC_OK ? 0 : report_failure(PROGRAM, "sc_model_save", s);
        if (rc == 0)
            printf("saved: %s\n", o.save);
    }
    double recon = 0, active = 0, near = 0, far = 0;
    if (rc == 0)
        rc = evaluation_reconstruction(PROGRAM, m, test, TEST_PATCHES, &recon,
                                       &active);
    double sparsity = 1.0 - active; /* the fraction of zero code entries */
    if (rc == 0)
        rc = map_similarity(m, (size_t)o.rows, (size_t)o.cols, &near, &far);
    if (rc == 0)
        rc = draw_filters(m, o.filters, side, (size_t)o.cols);
    if (rc == 0)
        printf("recon_error=%.4f sparsity=%.4f neighbour_similarity=%.4f "
               "random_similarity=%.4f\n", recon, sparsity, near, far);
    sc_model_free(m);
    free(train);
    free(test);
    free(xb);
    free(order);
    idx_free_dataset(&d);
    return rc;
}
