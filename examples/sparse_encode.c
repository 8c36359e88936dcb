/* SPDX-License-Identifier: BSD-2-Clause */
/* sparse_encode.c -- sparse coding of MNIST-format images with a learned
 * dictionary, through libsparsecode's public API only: sc_dictionary
 * learns the atoms D, sc_solver encodes the test images with the method
 * asked for.
 *
 *   sparse_encode --data DIR [--atoms 256] [--lambda 0.1]
 *                 [--method ista|fista|cod|cd_active|omp|lars]
 *                 [--nonzeros N]
 *                 [--train 20000] [--test 10000] [--epochs 1] [--batch 64]
 *                 [--seed 1] [--threads 1] [--tolerance T]
 *                 [--max-iterations N] [--png FILE]
 *                 [--save-atoms FILE | --load-atoms FILE]
 *
 * Every image is scaled to unit L2 norm, as in the other examples.  The
 * dictionary (D, n x K, unit-norm atoms) is learned on --train training
 * images drawn by the seed (sc_dictionary, online method, --epochs passes
 * in minibatches of --batch, with the same lambda), or read with
 * --load-atoms.  Then the first --test test images x are encoded by
 * sc_solver_run, each z solving
 *
 *     min_z  1/2 |x - D z|^2 + lambda |z|_1          (docs/math.md, S0)
 *
 * (OMP instead picks --nonzeros atoms greedily and ignores lambda: its
 * objective is that of its codes in the problem above).  The last line is
 *
 *   method=<m> lambda=<l> objective=<f> support=<s> recon=<e>
 *   seconds=<t> gap=<g> converged=<0|1>                    (one line)
 *
 * f: the mean of the objective above over the test images, computed here
 * in double from D, x and the float codes; s: the mean number of non-zero
 * codes per image; e: the mean of |x - D z|^2 (with unit-norm images, the
 * relative squared error); t: the wall time of the sc_solver_run call
 * alone; g and converged: the solver's report (the largest relative
 * duality gap over the test images, and whether every image met the
 * tolerance).
 *
 * --png draws the atoms and the first test images above their
 * reconstructions D z.  --save-atoms / --load-atoms write and read the
 * dictionary in the raw layout of examples/support/atoms_file.h.
 *
 * Exit status: 0; 2 for a bad option; 1 for any other failure (data not
 * found, an output that cannot be written, a failed library call).  See
 * docs/sparse_encode.md for a run on Fashion-MNIST.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sparsecode.h>

#include "support/args.h"
#include "support/atoms_file.h"
#include "support/batches.h"
#include "support/dictionary_learning.h"
#include "support/idx.h"
#include "support/output_paths.h"
#include "support/plot.h"
#include "support/progress.h"
#include "support/report.h"

#define PROGRAM "sparse_encode"
#define CHECK(call) REPORT_CHECK(PROGRAM, call)

/* The defaults: the dictionary of examples/lista (docs/lista.md), the
 * whole Fashion-MNIST test file. */
#define DEFAULT_ATOMS 256
#define DEFAULT_LAMBDA 0.1
#define DEFAULT_TRAIN 20000
#define DEFAULT_TEST 10000
#define DEFAULT_EPOCHS 1
#define DEFAULT_BATCH 64
#define DEFAULT_THREADS 1
/* --png: this many test images and their reconstructions. */
#define PNG_IMAGES 8

/* The methods by name: a new method is one more row.  `nonzeros`: the
 * SC_SOLVER_PARAM_MAX_NONZEROS used when --nonzeros is not given: -1 for
 * the methods that ignore it, the solver's default (10) for OMP, and 0
 * (no limit) for LARS, so that LARS returns the exact lasso solution. */
static const struct {
    const char *name;
    sc_solver_method method;
    long nonzeros;
} methods[] = {
    {"ista", SC_SOLVER_METHOD_ISTA, -1},
    {"fista", SC_SOLVER_METHOD_FISTA, -1},
    {"cod", SC_SOLVER_METHOD_COD, -1},
    {"cd_active", SC_SOLVER_METHOD_CD_ACTIVE, -1},
    {"omp", SC_SOLVER_METHOD_OMP, 10},
    {"lars", SC_SOLVER_METHOD_LARS, 0},
};
#define METHOD_COUNT (sizeof methods / sizeof *methods)

typedef struct {
    const char *data, *png, *save_atoms, *load_atoms;
    long atoms, train, test, epochs, batch, threads;
    long nonzeros, max_iterations;   /* -1: not given */
    double lambda, tolerance;        /* tolerance -1: not given */
    unsigned long long seed;
    size_t method;                   /* index in methods[] */
    int atoms_given;
} options;

static void usage(FILE *to)
{
    fprintf(to, "usage: sparse_encode --data DIR [--atoms %d] [--lambda %g] "
            "[--method ", DEFAULT_ATOMS, DEFAULT_LAMBDA);
    for (size_t i = 0; i < METHOD_COUNT; i++)
        fprintf(to, "%s%s", i ? "|" : "", methods[i].name);
    fprintf(to, "]\n"
            "                     [--nonzeros N (omp, lars)] [--train %d] "
            "[--test %d] [--epochs %d]\n"
            "                     [--batch %d] [--seed 1] [--threads %d] "
            "[--tolerance T]\n"
            "                     [--max-iterations N] [--png FILE]\n"
            "                     [--save-atoms FILE | --load-atoms FILE]\n"
            "--tolerance, --max-iterations and --nonzeros default to the "
            "solver's defaults.\n", DEFAULT_TRAIN, DEFAULT_TEST,
            DEFAULT_EPOCHS, DEFAULT_BATCH, DEFAULT_THREADS);
}

/* --method NAME: its index in methods[], or -1 with a message. */
static int parse_method(const char *text, size_t *index)
{
    for (size_t i = 0; i < METHOD_COUNT; i++)
        if (strcmp(text, methods[i].name) == 0) {
            *index = i;
            return 0;
        }
    fprintf(stderr, PROGRAM ": --method is one of");
    for (size_t i = 0; i < METHOD_COUNT; i++)
        fprintf(stderr, " %s", methods[i].name);
    fprintf(stderr, ", not '%s'\n", text);
    return -1;
}

/* The checks across options; 0, or -1 with a message. */
static int check_options(const options *o)
{
    if (o->atoms < 1 || o->train < 1 || o->test < 1 || o->batch < 1) {
        fprintf(stderr, PROGRAM ": --atoms, --train, --test and --batch "
                "must be >= 1\n");
        return -1;
    }
    if (o->load_atoms != NULL && (o->save_atoms != NULL || o->atoms_given)) {
        fprintf(stderr, PROGRAM ": --load-atoms takes the atoms (and their "
                "number) from the file: not with --atoms or --save-atoms\n");
        return -1;
    }
    if (o->nonzeros >= 0 && methods[o->method].nonzeros < 0) {
        fprintf(stderr, PROGRAM ": --nonzeros is for --method omp and "
                "lars (the other methods take --lambda alone)\n");
        return -1;
    }
    return 0;
}

static int parse(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"data", required_argument, 0, 'd'},
        {"atoms", required_argument, 0, 'k'},
        {"lambda", required_argument, 0, 'l'},
        {"method", required_argument, 0, 'm'},
        {"nonzeros", required_argument, 0, 'z'},
        {"train", required_argument, 0, 'n'},
        {"test", required_argument, 0, 't'},
        {"epochs", required_argument, 0, 'e'},
        {"batch", required_argument, 0, 'b'},
        {"seed", required_argument, 0, 's'},
        {"threads", required_argument, 0, 'j'},
        {"tolerance", required_argument, 0, 'T'},
        {"max-iterations", required_argument, 0, 'I'},
        {"png", required_argument, 0, 'p'},
        {"save-atoms", required_argument, 0, 'S'},
        {"load-atoms", required_argument, 0, 'L'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    *o = (options){.atoms = DEFAULT_ATOMS, .train = DEFAULT_TRAIN,
                   .test = DEFAULT_TEST, .epochs = DEFAULT_EPOCHS,
                   .batch = DEFAULT_BATCH, .threads = DEFAULT_THREADS,
                   .nonzeros = -1, .max_iterations = -1,
                   .lambda = DEFAULT_LAMBDA, .tolerance = -1, .seed = 1,
                   .method = 1 /* fista, the solver's default */};
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'd': o->data = optarg; break;
        case 'k':
            bad = args_long(optarg, &o->atoms);
            o->atoms_given = 1;
            break;
        case 'l': bad = args_double(optarg, &o->lambda); break;
        case 'm':
            if (parse_method(optarg, &o->method) != 0)
                return -1;
            break;
        case 'z': bad = args_long(optarg, &o->nonzeros); break;
        case 'n': bad = args_long(optarg, &o->train); break;
        case 't': bad = args_long(optarg, &o->test); break;
        case 'e': bad = args_long(optarg, &o->epochs); break;
        case 'b': bad = args_long(optarg, &o->batch); break;
        case 's': bad = args_seed(optarg, &o->seed); break;
        case 'j': bad = args_long(optarg, &o->threads); break;
        case 'T': bad = args_double(optarg, &o->tolerance); break;
        case 'I': bad = args_long(optarg, &o->max_iterations); break;
        case 'p': o->png = optarg; break;
        case 'S': o->save_atoms = optarg; break;
        case 'L': o->load_atoms = optarg; break;
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
    /* The solver checks the bounds of lambda, the threads, the
     * tolerance, the iterations and the non-zeros; its message says
     * what is wrong. */
    return check_options(o);
}

/* Fails (1) before any work if an output file cannot be written. */
static int check_outputs(const options *o)
{
    const output_path paths[] = {{"--png", o->png},
                                 {"--save-atoms", o->save_atoms}};
    return output_paths_check(PROGRAM, paths, sizeof paths / sizeof *paths);
}

/* The dictionary, n x *k, in *d (malloc'd): read from --load-atoms, or
 * learned on `count` training images of x.  Returns 0, or 1 with a
 * message. */
static int get_dictionary(const options *o, const float *x, size_t count,
                          size_t n, const float *held_out, size_t held_count,
                          float **d, size_t *k)
{
    if (o->load_atoms != NULL) {
        char err[512];
        size_t rows;
        if (atoms_file_read(o->load_atoms, d, &rows, k, err, sizeof err)) {
            fprintf(stderr, PROGRAM ": %s\n", err);
            return 1;
        }
        if (rows != n) {
            fprintf(stderr, PROGRAM ": %s holds atoms of %zu pixels, the "
                    "images have %zu\n", o->load_atoms, rows, n);
            free(*d);
            *d = NULL;
            return 1;
        }
        printf("dictionary: %zu atoms read from %s\n", *k, o->load_atoms);
        return 0;
    }
    *k = (size_t)o->atoms;
    *d = malloc(n * *k * sizeof **d);
    if (*d == NULL)
        return report_failure(PROGRAM, "malloc", SC_ERR_NOMEM);
    dictionary_settings s = {.lambda = o->lambda, .nonnegative = 0,
                             .epochs = o->epochs, .batch = (size_t)o->batch,
                             .seed = o->seed,
                             .coder = SC_SOLVER_METHOD_CD_ACTIVE};
    return dictionary_learn(PROGRAM, &s, x, count, n, *k, held_out,
                            held_count, *d);
}

/* The solver for D with the options' method and settings; prints them. */
static int build_solver(sc_solver **out, const options *o, const float *d,
                        size_t n, size_t k)
{
    CHECK(sc_solver_create(out, d, n, k));
    sc_solver *s = *out;
    CHECK(sc_solver_set(s, SC_SOLVER_PARAM_METHOD, methods[o->method].method));
    CHECK(sc_solver_set(s, SC_SOLVER_PARAM_LAMBDA, o->lambda));
    CHECK(sc_solver_set(s, SC_SOLVER_PARAM_THREADS, (double)o->threads));
    if (o->tolerance >= 0)
        CHECK(sc_solver_set(s, SC_SOLVER_PARAM_TOLERANCE, o->tolerance));
    if (o->max_iterations >= 0)
        CHECK(sc_solver_set(s, SC_SOLVER_PARAM_MAX_ITERATIONS,
                            (double)o->max_iterations));
    long nonzeros_limit =
        o->nonzeros >= 0 ? o->nonzeros : methods[o->method].nonzeros;
    if (nonzeros_limit >= 0)
        CHECK(sc_solver_set(s, SC_SOLVER_PARAM_MAX_NONZEROS,
                            (double)nonzeros_limit));
    double tol, iters, nonzeros;
    CHECK(sc_solver_get(s, SC_SOLVER_PARAM_TOLERANCE, &tol));
    CHECK(sc_solver_get(s, SC_SOLVER_PARAM_MAX_ITERATIONS, &iters));
    CHECK(sc_solver_get(s, SC_SOLVER_PARAM_MAX_NONZEROS, &nonzeros));
    if (methods[o->method].method == SC_SOLVER_METHOD_OMP)
        printf("solver: omp, at most %g non-zeros per code; %ld thread(s)\n",
               nonzeros, o->threads);
    else
        printf("solver: %s, lambda %g, tolerance %g, at most %g iterations; "
               "%ld thread(s)\n", methods[o->method].name, o->lambda, tol,
               iters, o->threads);
    return 0;
}

/* xhat = D z for one code, through the transposed dictionary dt (k x n,
 * atom j contiguous at dt + j*n): only the non-zero codes cost. */
static void reconstruct(const float *dt, size_t n, size_t k, const float *z,
                        double *xhat)
{
    for (size_t i = 0; i < n; i++)
        xhat[i] = 0;
    for (size_t j = 0; j < k; j++)
        if (z[j] != 0)
            for (size_t i = 0; i < n; i++)
                xhat[i] += (double)dt[j * n + i] * z[j];
}

typedef struct {
    double objective, support, recon;   /* means over the images */
} code_measures;

/* The measures of the result line for count images x (n each) and their
 * codes z (k each); xhat is n doubles of scratch. */
static code_measures measure_codes(const float *dt, size_t n, size_t k,
                                   const float *x, const float *z,
                                   size_t count, double lambda, double *xhat)
{
    double objective = 0, support = 0, recon = 0;
    for (size_t s = 0; s < count; s++) {
        const float *zs = z + s * k, *xs = x + s * n;
        reconstruct(dt, n, k, zs, xhat);
        double r2 = 0, l1 = 0;
        for (size_t i = 0; i < n; i++)
            r2 += (xs[i] - xhat[i]) * (xs[i] - xhat[i]);
        for (size_t j = 0; j < k; j++) {
            l1 += fabs((double)zs[j]);
            support += zs[j] != 0;
        }
        objective += 0.5 * r2 + lambda * l1;
        recon += r2;
    }
    double c = (double)count;
    return (code_measures){objective / c, support / c, recon / c};
}

/* The PNG of --png: the atoms in a square-ish grid, and under them the
 * first `shown` test images (upper row) above their reconstructions
 * (lower row), drawn twice as large.  0 is mid-grey.  Atoms are scaled
 * each to its own range; the images and reconstructions share one scale
 * (that of the brightest image shown), so the shrinkage of the L1 term
 * shows as a fainter reconstruction. */
static int draw_png(const char *path, const float *d, size_t k,
                    size_t rows, size_t cols, const float *x,
                    const float *xhat, size_t shown, const char *method)
{
    const long margin = 4, gap = 6, text = plot_text_height(1);
    size_t scale = rows < 16 && cols < 16 ? 2 : 1;
    size_t grid = (size_t)ceil(sqrt((double)k));
    long aw, ah, pw, ph;
    plot_image_grid_size(k, rows, cols, scale, grid, &aw, &ah);
    plot_image_grid_size(2 * shown, rows, cols, 2 * scale, shown, &pw, &ph);
    char atoms_title[64], pairs_title[96];
    snprintf(atoms_title, sizeof atoms_title, "%zu atoms", k);
    snprintf(pairs_title, sizeof pairs_title,
             "test images / reconstructions (%s)", method);
    long width = aw > pw ? aw : pw;
    long tw = plot_text_width(pairs_title, 1);
    width = (tw > width ? tw : width) + 2 * margin;
    long height = margin + text + 2 + ah + gap + text + 2 + ph + margin;

    float *tiles = malloc(2 * shown * rows * cols * sizeof *tiles);
    char err[512] = "out of memory";
    plot_canvas canvas = {0};
    int rc = tiles == NULL ||
             plot_canvas_create(&canvas, (size_t)width, (size_t)height, err,
                                sizeof err) != 0;
    double range = 0;
    if (rc == 0) {
        size_t n = rows * cols;
        memcpy(tiles, x, shown * n * sizeof *tiles);
        memcpy(tiles + shown * n, xhat, shown * n * sizeof *tiles);
        for (size_t i = 0; i < shown * n; i++)
            range = fabs(x[i]) > range ? fabs(x[i]) : range;
        long y = margin;
        plot_text(&canvas, margin, y, atoms_title, 1, PLOT_BLACK);
        y += text + 2;
        /* Atom j's pixel i is d[i * k + j]: tile stride 1, pixel stride k. */
        rc = plot_image_grid(&canvas, margin, y, scale, d, k, rows, cols, 1,
                             k, grid, err, sizeof err);
        y += ah + gap;
        plot_text(&canvas, margin, y, pairs_title, 1, PLOT_BLACK);
        y += text + 2;
        if (rc == 0)
            rc = plot_image_grid_range(&canvas, margin, y, 2 * scale, tiles,
                                       2 * shown, rows, cols, n, 1, shown,
                                       range, err, sizeof err);
    }
    if (rc == 0)
        rc = plot_write_png(&canvas, path, err, sizeof err);
    plot_canvas_free(&canvas);
    free(tiles);
    if (rc != 0) {
        fprintf(stderr, PROGRAM ": %s: %s\n", path, err);
        return 1;
    }
    printf("png: %s (%zu atoms; %zu test images over their "
           "reconstructions)\n", path, k, shown);
    return 0;
}

/* Reconstructions of the first `shown` codes, as float, for draw_png. */
static int draw_results(const options *o, const float *d, const float *dt,
                        size_t k, const idx_data *test, const float *z,
                        size_t count)
{
    size_t n = test->rows * test->cols;
    size_t shown = count < PNG_IMAGES ? count : PNG_IMAGES;
    float *xhat = malloc(shown * n * sizeof *xhat);
    double *row = malloc(n * sizeof *row);
    if (xhat == NULL || row == NULL) {
        free(xhat);
        free(row);
        return report_failure(PROGRAM, "malloc", SC_ERR_NOMEM);
    }
    for (size_t s = 0; s < shown; s++) {
        reconstruct(dt, n, k, z + s * k, row);
        for (size_t i = 0; i < n; i++)
            xhat[s * n + i] = (float)row[i];
    }
    int rc = draw_png(o->png, d, k, test->rows, test->cols, test->images,
                      xhat, shown, methods[o->method].name);
    free(xhat);
    free(row);
    return rc;
}

/* Encodes the count test images of x with the solver, times the call and
 * prints the result line; draws the PNG if asked. */
static int encode_test_set(const options *o, const sc_solver *solver,
                           const float *d, size_t k, const idx_data *test,
                           size_t count)
{
    size_t n = test->rows * test->cols;
    const float *x = test->images;
    float *z = malloc(count * k * sizeof *z);
    float *dt = malloc(k * n * sizeof *dt);
    double *xhat = malloc(n * sizeof *xhat);
    if (z == NULL || dt == NULL || xhat == NULL) {
        free(z);
        free(dt);
        free(xhat);
        return report_failure(PROGRAM, "malloc", SC_ERR_NOMEM);
    }
    sc_solver_report report = {.size = sizeof report};
    double t0 = progress_now();
    sc_status st = sc_solver_run(solver, x, count, z, &report);
    double seconds = progress_now() - t0;
    int rc = st == SC_OK ? 0 : report_failure(PROGRAM, "sc_solver_run", st);
    if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < k; j++)
                dt[j * n + i] = d[i * k + j];
        code_measures m = measure_codes(dt, n, k, x, z, count, o->lambda,
                                        xhat);
        if (o->png != NULL)
            rc = draw_results(o, d, dt, k, test, z, count);
        if (rc == 0)
            printf("method=%s lambda=%g objective=%.9g support=%.3f "
                   "recon=%.6g seconds=%.4f gap=%.3g converged=%d\n",
                   methods[o->method].name, o->lambda, m.objective,
                   m.support, m.recon, seconds, report.gap,
                   report.converged);
    }
    free(z);
    free(dt);
    free(xhat);
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    if (parse(argc, argv, &o) != 0)
        return 2;
    report_start(PROGRAM);
    if (check_outputs(&o) != 0)
        return 1;

    idx_dataset data;
    char err[512];
    if (idx_read_dataset(o.data, &data, err, sizeof err) != 0) {
        fprintf(stderr, PROGRAM ": %s\n", err);
        return 1;
    }
    idx_data *train = &data.train_images, *test = &data.test_images;
    size_t n = train->rows * train->cols;
    size_t ntrain = (size_t)o.train < train->count ? (size_t)o.train
                                                   : train->count;
    size_t ntest = (size_t)o.test < test->count ? (size_t)o.test
                                                : test->count;
    int rc = 0;
    if (test->rows != train->rows || test->cols != train->cols || ntest == 0 ||
        ntrain == 0) {
        fprintf(stderr, PROGRAM ": need training and test images of one "
                "size (have %zu of %zu x %zu and %zu of %zu x %zu)\n",
                train->count, train->rows, train->cols, test->count,
                test->rows, test->cols);
        rc = 1;
    }

    /* The training subset: ntrain images drawn by the seed (as
     * examples/lista draws them); the test subset: the first ntest
     * images of the test file.  Unit L2 norm. */
    size_t *order = malloc(train->count * sizeof *order);
    float *xtrain = malloc(ntrain * n * sizeof *xtrain);
    if (rc == 0 && (order == NULL || xtrain == NULL))
        rc = report_failure(PROGRAM, "malloc", SC_ERR_NOMEM);
    if (rc == 0) {
        for (size_t i = 0; i < train->count; i++)
            order[i] = i;
        unsigned long long rng = o.seed;
        batches_shuffle(order, train->count, &rng);
        batches_gather(xtrain, train->images, order, ntrain, n);
        idx_normalize_rows(xtrain, ntrain, n);
        idx_normalize_rows(test->images, ntest, n);
        printf("data: %zu training and %zu test images of %zu x %zu "
               "(unit L2 norm)\n", ntrain, ntest, train->rows, train->cols);
    }

    float *d = NULL;
    size_t k = 0;
    if (rc == 0)
        rc = get_dictionary(&o, xtrain, ntrain, n, test->images, ntest, &d,
                            &k);
    if (rc == 0 && o.save_atoms != NULL) {
        if (atoms_file_write(o.save_atoms, d, n, k, err, sizeof err) != 0) {
            fprintf(stderr, PROGRAM ": %s\n", err);
            rc = 1;
        } else {
            printf("atoms: saved to %s\n", o.save_atoms);
        }
    }
    sc_solver *solver = NULL;
    if (rc == 0)
        rc = build_solver(&solver, &o, d, n, k);
    if (rc == 0)
        rc = encode_test_set(&o, solver, d, k, test, ntest);
    sc_solver_free(solver);
    free(d);
    free(order);
    free(xtrain);
    idx_free_dataset(&data);
    return rc;
}
