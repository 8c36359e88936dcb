/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_fista.c -- how long FISTA (sc_solver, SC_SOLVER_METHOD_FISTA) takes to
 * reach an objective within 1e-4 (relative) of the optimum of
 *
 *     mean over the batch of  1/2 |x - D z|^2 + lambda |z|_1
 *
 * for a batch of 1000 inputs of n = 784 and k = 256 atoms.
 *
 *   bench_fista [--lambda L] [--data DIR]
 *               [--synthetic | --learned | --noisy-atoms] [--dump FILE]
 *
 * The problem: with Fashion-MNIST (DIR, default
 * /usr/share/datasets/fashion-mnist, when its training images can be
 * read) D holds the first 256 training images as its columns and x the
 * next 1000, all scaled to unit L2 norm; otherwise (or with --synthetic)
 * a random problem of the same size (Gaussian unit-norm atoms, inputs that
 * are sparse combinations of them plus noise, scaled to unit norm).
 * With --learned, x is the same and D is learned by the library's
 * sc_dictionary (online method, FISTA coding, lambda as given, 3 passes
 * in minibatches of 64) on the 5000 training images that follow x: the representative
 * use, encoding with a learned dictionary.
 * With --noisy-atoms, x is the same and each atom is one of the first 256
 * images (unit norm) plus Gaussian noise of twice its norm (sigma =
 * NOISY_ATOMS_NOISE / sqrt(n) per pixel), scaled to unit norm again: the
 * atoms are far less coherent (L about 32 instead of 159), and at lambda
 * 0.05 a code has about 80 non-zeros, the second problem of issue 12.
 *
 * Steps: the optimum f* from a long run (tolerance 1e-9, 20000
 * iterations; the library's coordinate descent run to the same tolerance
 * is a cross-check and f* is the lower of the two); then runs with
 * increasing SC_SOLVER_PARAM_MAX_ITERATIONS and tolerance 0 (doubling, then
 * bisection) find the smallest iteration count whose mean objective is
 * within 1e-4 of f*; that run is timed (best of 5) and printed as
 * "fista_seconds=<t>".  Runs stopped by the tolerance alone are reported
 * too.  --dump FILE writes the problem for benchmarks/compare_sklearn.py
 * (format below).
 *
 * Dump format (all little-endian):
 *     offset  0  8 bytes   "SCLASSO1"
 *             8  uint32    n (input dimension)
 *            12  uint32    k (atoms)
 *            16  uint32    batch
 *            20  uint32    flags (0; bit 0 would mean z >= 0)
 *            24  float64   lambda
 *            32  float64   f*, the optimum mean objective found here
 *            40  float64   fista_seconds
 *            48  uint64    the FISTA iteration count that was timed
 *            56  float32   D, n x k row-major (column j is atom j)
 *                float32   X, batch x n row-major
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>
#include <sparsecode.h>

enum { N = 784, K = 256, BATCH = 1000, TIMING_RUNS = 5 };
enum { LEARN_IMAGES = 5000, LEARN_BATCH = 64, LEARN_PASSES = 3 };
#define TARGET 1e-4
#define OPT_TOLERANCE 1e-9
#define OPT_ITERATIONS 20000
#define DEFAULT_LAMBDA 0.1
#define NOISY_ATOMS_NOISE 2.0
#define DEFAULT_DATA "/usr/share/datasets/fashion-mnist"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what, sc_status s)
{
    fprintf(stderr, "bench_fista: %s: %s (%s)\n", what, sc_status_string(s),
            sc_last_message());
    exit(1);
}

#define CHECK(call)                         \
    do {                                    \
        sc_status status_ = (call);         \
        if (status_ != SC_OK)               \
            die(#call, status_);            \
    } while (0)

static void normalize(float *v, size_t count, size_t stride)
{
    double s = 0;
    for (size_t i = 0; i < count; i++)
        s += (double)v[i * stride] * v[i * stride];
    if (s > 0)
        for (size_t i = 0; i < count; i++)
            v[i * stride] = (float)(v[i * stride] / sqrt(s));
}

/* ---------------------------------------------------------------------------
 * The problem
 * ------------------------------------------------------------------------ */

/* Reads the first `count` 28 x 28 images of DIR/train-images-idx3-ubyte
 * (plain, or .gz through `gzip -dc`: the benchmarks link no zlib) into
 * out (count x N, pixels / 255).  Returns 0, or -1 with a reason. */
static int read_images(const char *dir, size_t count, float *out,
                       char *why, size_t whysize)
{
    char path[4096], cmd[4200];
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte", dir);
    FILE *f = fopen(path, "rb");
    int piped = 0;
    if (f == NULL) {
        snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", dir);
        if (access(path, R_OK) != 0 || strchr(path, '\'') != NULL) {
            snprintf(why, whysize, "no readable %s/train-images-idx3-ubyte"
                     "[.gz]", dir);
            return -1;
        }
        snprintf(cmd, sizeof cmd, "gzip -dc '%s' 2>/dev/null", path);
        f = popen(cmd, "r");
        piped = 1;
        if (f == NULL) {
            snprintf(why, whysize, "cannot run gzip -dc on %s", path);
            return -1;
        }
    }
    unsigned char header[16];
    int ok = fread(header, 1, sizeof header, f) == sizeof header;
    uint32_t field[4] = {0, 0, 0, 0};
    for (int i = 0; ok && i < 4; i++)
        field[i] = (uint32_t)header[4 * i] << 24 |
                   (uint32_t)header[4 * i + 1] << 16 |
                   (uint32_t)header[4 * i + 2] << 8 | header[4 * i + 3];
    if (!ok || field[0] != 0x803 || field[2] * field[3] != N ||
        field[1] < count) {
        snprintf(why, whysize, "%s: %s", path,
                 ok ? "not an IDX3 file of enough 28 x 28 images"
                    : "truncated header");
        ok = 0;
    }
    unsigned char *raw = ok ? malloc(count * N) : NULL;
    if (ok && (raw == NULL || fread(raw, 1, count * N, f) != count * N)) {
        snprintf(why, whysize, "%s: %s", path,
                 raw == NULL ? "out of memory" : "truncated data");
        ok = 0;
    }
    for (size_t i = 0; ok && i < count * N; i++)
        out[i] = raw[i] / 255.0f;
    free(raw);
    if (piped)
        pclose(f);   /* gzip may end on SIGPIPE: the data is read */
    else
        fclose(f);
    return ok ? 0 : -1;
}

static uint64_t rng_state = 20240611ULL;

static double uniform(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double gaussian(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

/* A synthetic problem: Gaussian atoms, and inputs made of 10 atoms with
 * Gaussian weights plus 5 % noise. */
static void synthetic(float *d, float *x)
{
    for (size_t i = 0; i < (size_t)N * K; i++)
        d[i] = (float)gaussian();
    for (size_t j = 0; j < K; j++)
        normalize(d + j, N, K);
    for (size_t b = 0; b < BATCH; b++) {
        float *xb = x + b * N;
        for (size_t i = 0; i < N; i++)
            xb[i] = (float)(0.05 * gaussian() / sqrt((double)N));
        for (int a = 0; a < 10; a++) {
            size_t j = (size_t)(uniform() * K) % K;
            double w = gaussian();
            for (size_t i = 0; i < N; i++)
                xb[i] += (float)(w * d[i * K + j]);
        }
        normalize(xb, N, 1);
    }
}

/* Noisy atoms: image j (unit norm) plus Gaussian noise of norm about
 * NOISY_ATOMS_NOISE, scaled to unit norm. */
static void noisy_atoms(const float *images, float *d)
{
    double sigma = NOISY_ATOMS_NOISE / sqrt((double)N);
    for (size_t j = 0; j < K; j++) {
        for (size_t i = 0; i < N; i++)
            d[i * K + j] = (float)(images[j * N + i] + sigma * gaussian());
        normalize(d + j, N, K);
    }
}

/* D learned by sc_dictionary on `count` unit-norm images (N each). */
static void learn_dictionary(const float *images, size_t count,
                             double lambda, float *d)
{
    sc_dictionary *dict = NULL;
    CHECK(sc_dictionary_create(&dict, N, K));
    CHECK(sc_dictionary_set(dict, SC_DICTIONARY_PARAM_METHOD,
                            SC_DICTIONARY_METHOD_ONLINE));
    CHECK(sc_dictionary_set(dict, SC_DICTIONARY_PARAM_LAMBDA, lambda));
    /* FISTA codes the batches, as when the learned problem of
     * docs/lista.md and docs/solvers.md was measured. */
    CHECK(sc_dictionary_set(dict, SC_DICTIONARY_PARAM_SOLVER_METHOD,
                            SC_SOLVER_METHOD_FISTA));
    CHECK(sc_dictionary_init_data(dict, images, count, 1));
    for (int pass = 0; pass < LEARN_PASSES; pass++)
        for (size_t b = 0; b + LEARN_BATCH <= count; b += LEARN_BATCH)
            CHECK(sc_dictionary_step(dict, images + b * N, LEARN_BATCH,
                                     NULL));
    const float *atoms;
    CHECK(sc_dictionary_atoms(dict, &atoms));
    memcpy(d, atoms, (size_t)N * K * sizeof *d);
    sc_dictionary_free(dict);
}

/* Fills D (N x K) and X (BATCH x N); returns a description. */
static const char *make_problem(const char *dir, int force_synthetic,
                                int learned, int noisy, double lambda,
                                float *d, float *x)
{
    static char what[4200];
    char why[4200] = "--synthetic";
    size_t count = K + BATCH + (learned ? LEARN_IMAGES : 0);
    float *images = malloc(count * N * sizeof *images);
    if (images == NULL) {
        fprintf(stderr, "bench_fista: out of memory\n");
        exit(1);
    }
    if (!force_synthetic &&
        read_images(dir, count, images, why, sizeof why) == 0) {
        for (size_t b = 0; b < count; b++)
            normalize(images + b * N, N, 1);
        memcpy(x, images + (size_t)K * N, (size_t)BATCH * N * sizeof *x);
        if (learned) {
            learn_dictionary(images + (size_t)(K + BATCH) * N, LEARN_IMAGES,
                             lambda, d);
            snprintf(what, sizeof what, "Fashion-MNIST (%s): D learned by "
                     "sc_dictionary (online, %d passes, batch %d) on "
                     "training images %d..%d, x = images %d..%d, unit norm",
                     dir, LEARN_PASSES, LEARN_BATCH, K + BATCH,
                     K + BATCH + LEARN_IMAGES - 1, K, K + BATCH - 1);
        } else if (noisy) {
            noisy_atoms(images, d);
            snprintf(what, sizeof what, "Fashion-MNIST (%s): D = training "
                     "images 0..%d plus Gaussian noise of norm %g, x = "
                     "images %d..%d, unit norm", dir, K - 1,
                     NOISY_ATOMS_NOISE, K, K + BATCH - 1);
        } else {
            for (size_t j = 0; j < K; j++)
                for (size_t i = 0; i < N; i++)
                    d[i * K + j] = images[j * N + i];
            snprintf(what, sizeof what, "Fashion-MNIST (%s): D = training "
                     "images 0..%d, x = images %d..%d, unit norm", dir,
                     K - 1, K, K + BATCH - 1);
        }
    } else {
        synthetic(d, x);
        snprintf(what, sizeof what, "synthetic (%s): Gaussian unit-norm "
                 "atoms, x = 10 atoms + 5 %% noise, unit norm", why);
    }
    free(images);
    return what;
}

/* ---------------------------------------------------------------------------
 * Runs
 * ------------------------------------------------------------------------ */

typedef struct {
    sc_solver *solver;
    const float *x;
    float *z;
    double optimum;
} bench;

/* One run with the given settings: the report, and the wall time. */
static double run(const bench *b, int method, double tolerance,
                  uint64_t iterations, sc_solver_report *r)
{
    CHECK(sc_solver_set(b->solver, SC_SOLVER_PARAM_METHOD, method));
    CHECK(sc_solver_set(b->solver, SC_SOLVER_PARAM_TOLERANCE, tolerance));
    CHECK(sc_solver_set(b->solver, SC_SOLVER_PARAM_MAX_ITERATIONS,
                        (double)iterations));
    *r = (sc_solver_report){.size = sizeof *r};
    double t0 = now();
    CHECK(sc_solver_run(b->solver, b->x, BATCH, b->z, r));
    return now() - t0;
}

static double best_time(const bench *b, int method, double tolerance,
                        uint64_t iterations, sc_solver_report *r)
{
    double best = INFINITY;
    for (int i = 0; i < TIMING_RUNS; i++) {
        double t = run(b, method, tolerance, iterations, r);
        best = t < best ? t : best;
    }
    return best;
}

static double gap(const bench *b, const sc_solver_report *r)
{
    return (r->objective - b->optimum) / fabs(b->optimum);
}

/* The smallest iteration count (tolerance 0) whose objective is within
 * TARGET of the optimum: doubling, then bisection. */
static uint64_t smallest_count(const bench *b, int method)
{
    sc_solver_report r;
    uint64_t lo = 0, hi = 1;
    for (;;) {
        run(b, method, 0, hi, &r);
        printf("  %-5s %6llu iterations  gap %.2e\n",
               method == SC_SOLVER_METHOD_FISTA ? "fista" : "cod",
               (unsigned long long)hi, gap(b, &r));
        if (gap(b, &r) <= TARGET)
            break;
        if (hi >= OPT_ITERATIONS)
            return 0;
        lo = hi;
        hi *= 2;
    }
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        run(b, method, 0, mid, &r);
        if (gap(b, &r) <= TARGET)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

/* The time of FISTA's one sgemm per iteration, batch x k times the k x k
 * Gram matrix: the floor of an iteration's cost on this machine (best of
 * 20 after a warm-up). */
static double gemm_seconds(const float *gram_like, float *out)
{
    float *a = calloc((size_t)BATCH * K, sizeof *a);
    if (a == NULL) {
        fprintf(stderr, "bench_fista: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < (size_t)BATCH * K; i++)
        a[i] = (float)(i % 17) * 0.01f;
    double best = INFINITY;
    for (int r = 0; r < 21; r++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, BATCH, K, K,
                    1.0f, a, K, gram_like, K, 0.0f, out, K);
        double t = now() - t0;
        if (r > 0 && t < best)
            best = t;
    }
    free(a);
    return best;
}

/* ---------------------------------------------------------------------------
 * The dump for compare_sklearn.py
 * ------------------------------------------------------------------------ */

static int put_u32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                          (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    return fwrite(b, 1, 4, f) == 4 ? 0 : -1;
}

static int put_u64(FILE *f, uint64_t v)
{
    return put_u32(f, (uint32_t)v) || put_u32(f, (uint32_t)(v >> 32)) ? -1
                                                                       : 0;
}

static int put_f64(FILE *f, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return put_u64(f, u);
}

static int put_f32s(FILE *f, const float *v, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t u;
        memcpy(&u, &v[i], sizeof u);
        if (put_u32(f, u))
            return -1;
    }
    return 0;
}

static void dump(const char *path, const float *d, const float *x,
                 double lambda, double optimum, double seconds,
                 uint64_t iterations)
{
    FILE *f = fopen(path, "wb");
    int bad = f == NULL;
    if (!bad)
        bad = fwrite("SCLASSO1", 1, 8, f) != 8 || put_u32(f, N) ||
              put_u32(f, K) || put_u32(f, BATCH) || put_u32(f, 0) ||
              put_f64(f, lambda) || put_f64(f, optimum) ||
              put_f64(f, seconds) || put_u64(f, iterations) ||
              put_f32s(f, d, (size_t)N * K) ||
              put_f32s(f, x, (size_t)BATCH * N);
    if (f != NULL && fclose(f) != 0)
        bad = 1;
    if (bad) {
        fprintf(stderr, "bench_fista: cannot write %s\n", path);
        exit(1);
    }
    printf("dumped: %s (D, X, lambda, f*, fista_seconds)\n", path);
}

/* ---------------------------------------------------------------------------
 * main
 * ------------------------------------------------------------------------ */

static void usage(FILE *to)
{
    fprintf(to, "usage: bench_fista [--lambda 0.1] [--data DIR] "
            "[--synthetic | --learned | --noisy-atoms] [--dump FILE]\n");
}

int main(int argc, char **argv)
{
    const char *dir = DEFAULT_DATA, *dump_path = NULL;
    double lambda = DEFAULT_LAMBDA;
    int force_synthetic = 0, learned = 0, noisy = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--synthetic")) {
            force_synthetic = 1;
        } else if (!strcmp(argv[i], "--learned")) {
            learned = 1;
        } else if (!strcmp(argv[i], "--noisy-atoms")) {
            noisy = 1;
        } else if (i + 1 < argc && !strcmp(argv[i], "--dump")) {
            dump_path = argv[++i];
        } else if (i + 1 < argc && !strcmp(argv[i], "--data")) {
            dir = argv[++i];
        } else if (i + 1 < argc && !strcmp(argv[i], "--lambda")) {
            char *end;
            lambda = strtod(argv[++i], &end);
            if (*end != 0 || !(lambda > 0)) {
                fprintf(stderr, "bench_fista: bad --lambda '%s'\n", argv[i]);
                return 2;
            }
        } else {
            usage(!strcmp(argv[i], "--help") ? stdout : stderr);
            return strcmp(argv[i], "--help") ? 2 : 0;
        }
    }
    if (force_synthetic + learned + noisy > 1) {
        fprintf(stderr, "bench_fista: --synthetic, --learned and "
                "--noisy-atoms exclude one another\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    float *d = malloc((size_t)N * K * sizeof *d);
    float *x = malloc((size_t)BATCH * N * sizeof *x);
    float *z = malloc((size_t)BATCH * K * sizeof *z);
    if (d == NULL || x == NULL || z == NULL) {
        fprintf(stderr, "bench_fista: out of memory\n");
        return 1;
    }
    const char *what = make_problem(dir, force_synthetic, learned, noisy,
                                    lambda, d, x);
    printf("problem: %s\n", what);
    printf("         batch %d, n %d, k %d, lambda %g; BLAS: %s; %ld CPUs\n",
           BATCH, N, K, lambda, sc_blas_name(),
           sysconf(_SC_NPROCESSORS_ONLN));

    bench b = {NULL, x, z, 0};
    double t0 = now();
    CHECK(sc_solver_create(&b.solver, d, N, K));
    double plan = now() - t0;
    CHECK(sc_solver_set(b.solver, SC_SOLVER_PARAM_LAMBDA, lambda));
    printf("plan:    sc_solver_create %.1f ms (Gram matrix, L = %.3f)\n",
           1e3 * plan, sc_solver_lipschitz(b.solver));

    /* The optimum. */
    sc_solver_report r, rc;
    double t_long = run(&b, SC_SOLVER_METHOD_FISTA, OPT_TOLERANCE,
                        OPT_ITERATIONS, &r);
    double t_cod = run(&b, SC_SOLVER_METHOD_COD, OPT_TOLERANCE, OPT_ITERATIONS,
                       &rc);
    b.optimum = r.objective < rc.objective ? r.objective : rc.objective;
    size_t nonzero = 0;
    for (size_t i = 0; i < (size_t)BATCH * K; i++)
        nonzero += z[i] != 0.0f;
    printf("optimum: f* = %.9f (FISTA %.9f after %llu iterations%s, %.2f s; "
           "CoD %.9f after %llu, %.2f s); %.1f%% of the code entries "
           "non-zero\n", b.optimum, r.objective,
           (unsigned long long)r.iterations, r.converged ? ", converged" : "",
           t_long, rc.objective, (unsigned long long)rc.iterations, t_cod,
           100.0 * (double)nonzero / ((double)BATCH * K));

    /* FISTA with a fixed iteration count. */
    printf("FISTA, tolerance 0, increasing iterations (target: gap <= %g):\n",
           TARGET);
    uint64_t count = smallest_count(&b, SC_SOLVER_METHOD_FISTA);
    if (count == 0) {
        fprintf(stderr, "bench_fista: FISTA does not reach the target within "
                "%d iterations\n", OPT_ITERATIONS);
        return 1;
    }
    double fista_s = best_time(&b, SC_SOLVER_METHOD_FISTA, 0, count, &r);
    double gemm = gemm_seconds(d, z);   /* any k x k block of D will do */
    printf("FISTA:   %llu iterations reach gap %.2e in %.4f s (best of %d; "
           "%.3f ms per iteration, %.1f x the %.3f ms of its sgemm "
           "%d x %d x %d at %.1f GFLOP/s)\n", (unsigned long long)count,
           gap(&b, &r), fista_s, TIMING_RUNS, 1e3 * fista_s / (double)count,
           fista_s / (double)count / gemm, 1e3 * gemm, BATCH, K, K,
           2.0 * BATCH * K * K / gemm * 1e-9);

    /* FISTA stopped by its tolerance. */
    printf("FISTA stopped by the tolerance (max %d iterations):\n",
           OPT_ITERATIONS);
    double tol_s = 0, tol_hit = 0;
    uint64_t tol_iterations = 0;
    for (double tol = 1e-2; tol >= 1e-7 && tol_hit == 0; tol /= 10) {
        double t = best_time(&b, SC_SOLVER_METHOD_FISTA, tol, OPT_ITERATIONS,
                             &r);
        printf("  tolerance %.0e  %6llu iterations  gap %.2e  %.4f s\n", tol,
               (unsigned long long)r.iterations, gap(&b, &r), t);
        if (gap(&b, &r) <= TARGET) {
            tol_hit = tol;
            tol_s = t;
            tol_iterations = r.iterations;
        }
    }
    if (tol_hit > 0)
        printf("FISTA:   tolerance %.0e is the largest that reaches the "
               "target: %llu iterations, %.4f s\n", tol_hit,
               (unsigned long long)tol_iterations, tol_s);

    /* The library's coordinate descent, for comparison. */
    printf("CoD, tolerance 0, increasing iterations (k updates each):\n");
    uint64_t cod_count = smallest_count(&b, SC_SOLVER_METHOD_COD);
    if (cod_count > 0) {
        double cod_s = best_time(&b, SC_SOLVER_METHOD_COD, 0, cod_count, &r);
        printf("CoD:     %llu iterations reach gap %.2e in %.4f s\n",
               (unsigned long long)cod_count, gap(&b, &r), cod_s);
    }

    printf("fista_iterations=%llu\n", (unsigned long long)count);
    printf("fista_seconds=%.6f\n", fista_s);
    if (dump_path != NULL)
        dump(dump_path, d, x, lambda, b.optimum, fista_s, count);
    sc_solver_free(b.solver);
    free(d);
    free(x);
    free(z);
    return 0;
}
