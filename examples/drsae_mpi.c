/* SPDX-License-Identifier: BSD-2-Clause */
/* drsae_mpi.c -- data-parallel DrSAE training on MPI, through the
 * library's gradient interface (docs/gradient.md, docs/scaling.md).  The
 * library has no MPI dependency: this program brings it.
 *
 *   mpirun -np P drsae_mpi --data DIR [--units 400] [--iters 11]
 *         [--epochs-pre N] [--epochs N] [--batch B] [--seed S] [--save FILE]
 *         [and drsae's recipe and training options]
 *
 * --batch is the GLOBAL batch: B / P samples per rank per step, so B must
 * be a multiple of P (refused otherwise: unequal local batches would need
 * each buffer weighted by b_i P / B before the sum, docs/gradient.md, and
 * every rank must take the same number of steps).  The recipe, options
 * and schedule are drsae's (support/drsae_setup.c); --load, --valid,
 * --filters, --units-plot and --shards are not offered.
 *
 * Every rank reads only its part of the training files (rank r of P:
 * images [N r / P, N (r + 1) / P), support/idx.h idx_read_part).  Rank 0
 * initialises the model from its part and broadcasts it (the bytes of
 * sc_model_save_buffer), so every rank starts from the same bits.  Each
 * step:
 *   1. every rank computes the gradient of its local batch, drawn from its
 *      own shuffle of its part (support/shards.h);
 *   2. one MPI_Allreduce (MPI_SUM, in place, MPI_FLOAT) adds up the
 *      buffers, with a few floats appended: a failed compute's flag and
 *      the batch statistics for the progress line;
 *   3. if any compute failed, every rank skips the step; else every rank
 *      applies the sum with buffers = P;
 *   4. the apply statuses are combined (one more MPI_Allreduce, of three
 *      ints): if every rank refused the update,
 *      every model is as before (the library's guarantee); if only some
 *      did (the refusal's third test runs each rank's own inputs), the
 *      lowest refusing rank, whose model is the pre-step one, sends its
 *      bytes to all others.  Either way the step is skipped on every
 *      rank, and rank 0 says so.
 * After every epoch the ranks compare a 64-bit hash of their model's
 * bytes (sc_model_save_buffer, optimiser state included) and stop with an
 * error if they differ.  Rank 0 then saves (--save), evaluates the test set and
 * prints `test_error=`, with the run's samples/s and the time per step in
 * the gradient, the allreduce (the transfer, and the wait for slower
 * ranks) and the apply, and the time of one allreduce alone (after a
 * barrier: the transfer alone).
 *
 * Any rank that fails to read its data (or to set up the model) makes
 * every rank stop with a message and exit 1, through a collective status
 * before training: no rank is left waiting in a collective.
 *
 * With P = 1 the run is examples/drsae's, bit for bit (compute + apply(1)
 * is the step, and the order is drsae's); with P > 1 it trains on the
 * global batches of `drsae --shards P`, the same up to float summation
 * order (tests/examples_mpi.sh compares them).
 *
 *   mpirun -np P drsae_mpi --data DIR --load MODEL --encode-only PREFIX
 *
 * encodes instead: every rank reads its part of the training images and
 * the model, encodes its part and writes the codes to PREFIX.<rank> (an
 * IDX file of floats, magic 0x00000D02, images x units), with no
 * communication but the statuses: embarrassingly parallel.
 *
 * For the tests, DRSAE_MPI_FAULT=KIND:RANK injects a fault on one rank:
 * `nan` (a NaN in its first gradient, so in every rank's sum: every rank
 * refuses and skips that step), `refuse` (a NaN in its own copy of the
 * first sum: it alone refuses, and the others must take its model back)
 * or `drift` (one extra apply after the first epoch: the hash must catch
 * it).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include <sparsecode.h>

#include "support/batches.h"
#include "support/drsae_setup.h"
#include "support/evaluation.h"
#include "support/idx.h"
#include "support/model_check.h"
#include "support/output_paths.h"
#include "support/progress.h"
#include "support/report.h"
#include "support/shards.h"
#include "support/training.h"

#define PROGRAM "drsae_mpi"

/* The floats appended to the gradient buffer, summed with it. */
enum { EXTRA_FAILED, EXTRA_RECON, EXTRA_L1, EXTRA_CLASS, EXTRA_ERR,
       EXTRA_ACTIVE, EXTRA_COUNT };

typedef struct {
    int rank, size;
} world;

/* 1 on every rank if `flag` is non-zero on any. */
static int any_rank(int flag)
{
    int any = 0;
    MPI_Allreduce(&flag, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return any;
}

/* A fault to inject (DRSAE_MPI_FAULT, see the top). */
typedef enum { FAULT_NONE, FAULT_NAN, FAULT_REFUSE, FAULT_DRIFT } fault;

static fault fault_here(const world *w)
{
    const char *spec = getenv("DRSAE_MPI_FAULT");
    int rank = -1;
    if (spec == NULL)
        return FAULT_NONE;
    if (sscanf(spec, "nan:%d", &rank) == 1 && rank == w->rank)
        return FAULT_NAN;
    if (sscanf(spec, "refuse:%d", &rank) == 1 && rank == w->rank)
        return FAULT_REFUSE;
    if (sscanf(spec, "drift:%d", &rank) == 1 && rank == w->rank)
        return FAULT_DRIFT;
    return FAULT_NONE;
}

/* This rank's part of the training set, and (rank 0) the test set. */
typedef struct {
    idx_data images, labels, test_images, test_labels;
    size_t first, total, dim;
} shard;

static void shard_free(shard *s)
{
    idx_data *all[] = {&s->images, &s->labels, &s->test_images,
                       &s->test_labels};
    for (int i = 0; i < 4; i++) {
        free(all[i]->images);
        free(all[i]->labels);
    }
}

/* Reads this rank's part (and rank 0 the test files); 0, or 1 after a
 * message naming the rank. */
static int shard_read(const world *w, const char *dir, shard *s)
{
    char err[512];
    size_t part = (size_t)w->rank, parts = (size_t)w->size;
    size_t first_labels = 0, total_labels = 0;
    int bad = idx_read_part(dir, "train-images-idx3-ubyte", 0, part, parts,
                            &s->images, &s->first, &s->total, err,
                            sizeof err) ||
              idx_read_part(dir, "train-labels-idx1-ubyte", 1, part, parts,
                            &s->labels, &first_labels, &total_labels, err,
                            sizeof err);
    if (!bad && total_labels != s->total) {
        snprintf(err, sizeof err, "%s: %zu training images but %zu labels",
                 dir, s->total, total_labels);
        bad = 1;
    }
    if (!bad && w->rank == 0)
        bad = idx_read_images(dir, "t10k-images-idx3-ubyte", &s->test_images,
                              err, sizeof err) ||
              idx_read_labels(dir, "t10k-labels-idx1-ubyte", &s->test_labels,
                              err, sizeof err);
    if (!bad && w->rank == 0 &&
        (s->test_images.count != s->test_labels.count ||
         s->test_images.rows != s->images.rows ||
         s->test_images.cols != s->images.cols)) {
        snprintf(err, sizeof err, "%s: the test files do not match the "
                 "training files in count or image size", dir);
        bad = 1;
    }
    if (bad) {
        fprintf(stderr, PROGRAM ": rank %d: %s\n", w->rank, err);
        return 1;
    }
    s->dim = s->images.rows * s->images.cols;
    idx_normalize_rows(s->images.images, s->images.count, s->dim);
    if (w->rank == 0)
        idx_normalize_rows(s->test_images.images, s->test_images.count,
                           s->dim);
    return 0;
}

/* The same data set on every rank: the header's count and the image size
 * agree.  0, or 1 on every rank after a message from rank 0. */
static int shards_agree(const world *w, const shard *s)
{
    unsigned long mine[3] = {s->total, s->dim, s->images.rows};
    unsigned long low[3], high[3];
    MPI_Allreduce(mine, low, 3, MPI_UNSIGNED_LONG, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(mine, high, 3, MPI_UNSIGNED_LONG, MPI_MAX, MPI_COMM_WORLD);
    if (memcmp(low, high, sizeof low) == 0)
        return 0;
    if (w->rank == 0)
        fprintf(stderr, PROGRAM ": the ranks read different data sets "
                "(%lu to %lu training images of %lu to %lu pixels)\n",
                low[0], high[0], low[1], high[1]);
    return 1;
}

/* The bytes of m (the FULL file: weights, parameters, optimiser state);
 * NULL after a message if they cannot be had. */
static unsigned char *model_bytes(const sc_model *m, size_t *size)
{
    sc_status st = sc_model_save_buffer(m, SC_MODEL_CONTENTS_FULL, NULL, 0,
                                        size);
    unsigned char *bytes = st == SC_OK ? malloc(*size) : NULL;
    if (bytes != NULL)
        st = sc_model_save_buffer(m, SC_MODEL_CONTENTS_FULL, bytes, *size,
                                  size);
    if (st != SC_OK || bytes == NULL) {
        report_failure(PROGRAM, "sc_model_save_buffer",
                       st != SC_OK ? st : SC_ERR_NOMEM);
        free(bytes);
        return NULL;
    }
    return bytes;
}

/* Every rank's *m becomes root's model (its bytes broadcast and loaded).
 * Collective; 0, or 1 on every rank if any rank failed. */
static int model_broadcast(const world *w, int root, sc_model **m)
{
    size_t size = 0;
    unsigned char *bytes = NULL;
    int bad = 0;
    if (w->rank == root) {
        bytes = model_bytes(*m, &size);
        bad = bytes == NULL;
    }
    if (any_rank(bad))
        return 1;
    unsigned long long count = size;
    MPI_Bcast(&count, 1, MPI_UNSIGNED_LONG_LONG, root, MPI_COMM_WORLD);
    size = (size_t)count;
    if (w->rank != root)
        bytes = malloc(size);
    bad = bytes == NULL || size > INT32_MAX;
    if (any_rank(bad)) {
        free(bytes);
        if (w->rank == 0)
            fprintf(stderr, PROGRAM ": cannot broadcast a model of %zu "
                    "bytes\n", size);
        return 1;
    }
    MPI_Bcast(bytes, (int)size, MPI_BYTE, root, MPI_COMM_WORLD);
    if (w->rank != root) {
        sc_model *loaded = NULL;
        sc_status st = sc_model_load_buffer(&loaded, bytes, size);
        if (st != SC_OK) {
            bad = report_failure(PROGRAM, "sc_model_load_buffer", st);
        } else {
            sc_model_free(*m);
            *m = loaded;
        }
    }
    free(bytes);
    return any_rank(bad);
}

/* After an epoch: the CRC-32 of every rank's model bytes must agree.  0,
 * or 1 on every rank after a message. */
static int models_agree(const world *w, const sc_model *m, long epoch)
{
    size_t size;
    unsigned char *bytes = model_bytes(m, &size);
    if (any_rank(bytes == NULL)) {
        free(bytes);
        return 1;
    }
    /* FNV-1a, 64 bits.  (Not a CRC-32: the file ends with the CRC-32 of
     * the bytes before, and a CRC over data and its own CRC is the same
     * constant for every model.) */
    uint64_t hash = 14695981039346656037ULL;
    for (size_t i = 0; i < size; i++)
        hash = (hash ^ bytes[i]) * 1099511628211ULL;
    free(bytes);
    uint64_t low, high;
    MPI_Allreduce(&hash, &low, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&hash, &high, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    if (low != high) {
        fprintf(stderr, PROGRAM ": rank %d: after epoch %ld the models "
                "differ across ranks (hash %016llx here, %016llx to "
                "%016llx)\n", w->rank, epoch, (unsigned long long)hash,
                (unsigned long long)low, (unsigned long long)high);
        return 1;
    }
    if (w->rank == 0)
        printf("epoch %ld: the %d models are identical (hash %016llx)\n",
               epoch, w->size, (unsigned long long)hash);
    return 0;
}

/* What a run measured (this rank's). */
typedef struct {
    double train_seconds;
    double compute_seconds;    /* in sc_model_gradient_compute */
    double allreduce_seconds;  /* in the step's MPI_Allreduce: the transfer
                                  and the wait for slower ranks */
    double apply_seconds;      /* in sc_model_gradient_apply */
    double allreduce_alone;    /* one MPI_Allreduce of the buffer after a
                                  barrier: the transfer alone */
    size_t steps, skipped;
} timing;

/* The time of one MPI_Allreduce of `count` floats when every rank is
 * ready (after a barrier): the median of 21 calls, on the slowest rank. */
static double allreduce_alone(float *buffer, size_t count)
{
    enum { CALLS = 21 };
    double times[CALLS];
    for (int i = 0; i < CALLS; i++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, buffer, (int)count, MPI_FLOAT, MPI_SUM,
                      MPI_COMM_WORLD);
        times[i] = MPI_Wtime() - t0;
    }
    for (int i = 1; i < CALLS; i++)   /* insertion sort */
        for (int j = i; j > 0 && times[j] < times[j - 1]; j--) {
            double swap = times[j];
            times[j] = times[j - 1];
            times[j - 1] = swap;
        }
    double median = times[CALLS / 2], slowest = 0;
    MPI_Allreduce(&median, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return slowest;
}

/* One step (see the top, 1-4): 0 (applied or skipped alike on every
 * rank), or 1 on every rank. */
static int step(const world *w, sc_model **m, const float *xb,
                const int32_t *yb, size_t local, float *buffer, size_t size,
                fault *inject, training_tally *tally, timing *t)
{
    sc_model_stats st = {.size = sizeof st};
    double t_compute = MPI_Wtime();
    sc_status cs = sc_model_gradient_compute(*m, xb, yb, NULL, local, buffer,
                                             &st);
    t->compute_seconds += MPI_Wtime() - t_compute;
    float *extra = buffer + size;
    memset(extra, 0, EXTRA_COUNT * sizeof *extra);
    if (cs != SC_OK) {
        report_failure(PROGRAM, "sc_model_gradient_compute", cs);
        extra[EXTRA_FAILED] = 1;
    } else {
        extra[EXTRA_RECON] = (float)st.recon;
        extra[EXTRA_L1] = (float)st.l1;
        extra[EXTRA_CLASS] = (float)st.classification;
        extra[EXTRA_ERR] = (float)st.class_error;
        extra[EXTRA_ACTIVE] = (float)st.active_fraction;
    }
    if (*inject == FAULT_NAN) {
        buffer[0] = NAN;
        *inject = FAULT_NONE;
    }
    double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, buffer, (int)(size + EXTRA_COUNT), MPI_FLOAT,
                  MPI_SUM, MPI_COMM_WORLD);
    t->allreduce_seconds += MPI_Wtime() - t0;
    t->steps++;
    if (*inject == FAULT_REFUSE) {   /* this rank's sum only */
        buffer[0] = NAN;
        *inject = FAULT_NONE;
    }
    if (extra[EXTRA_FAILED] > 0) {
        t->skipped++;
        if (w->rank == 0)
            fprintf(stderr, PROGRAM ": step %zu skipped on every rank: the "
                    "gradient failed on %.0f rank(s)\n", t->steps,
                    extra[EXTRA_FAILED]);
        return 0;
    }
    double t_apply = MPI_Wtime();
    sc_status as = sc_model_gradient_apply(*m, buffer, (size_t)w->size);
    t->apply_seconds += MPI_Wtime() - t_apply;
    if (as != SC_OK && as != SC_ERR_NONFINITE)
        report_failure(PROGRAM, "sc_model_gradient_apply", as);
    /* One call for the three answers, all as minima: the lowest refusing
     * rank (size if none), minus "applied" (-1 if any rank applied), and
     * minus "failed otherwise" (-1 if any apply failed for another
     * reason). */
    int mine[3] = {as == SC_ERR_NONFINITE ? w->rank : w->size, -(as == SC_OK),
                   -(as != SC_OK && as != SC_ERR_NONFINITE)};
    int low[3];
    MPI_Allreduce(mine, low, 3, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (low[2] < 0)
        return 1;
    if (low[0] < w->size) {
        /* Some rank refused: its model is the pre-step one.  Ranks that
         * applied take it back from the lowest such rank. */
        int any_applied = low[1] < 0;
        if (any_applied && model_broadcast(w, low[0], m) != 0)
            return 1;
        t->skipped++;
        if (w->rank == 0)
            fprintf(stderr, PROGRAM ": step %zu skipped on every rank: the "
                    "update was refused (SC_ERR_NONFINITE) on rank %d%s\n",
                    t->steps, low[0], any_applied ? " and not on all: "
                    "the pre-step model restored from it" : "");
        return 0;
    }
    sc_model_stats global = {.size = sizeof global};
    double ranks = (double)w->size;
    global.recon = extra[EXTRA_RECON] / ranks;
    global.l1 = extra[EXTRA_L1] / ranks;
    global.classification = extra[EXTRA_CLASS] / ranks;
    global.class_error = extra[EXTRA_ERR] / ranks;
    global.active_fraction = extra[EXTRA_ACTIVE] / ranks;
    training_tally_add(tally, &global);
    return 0;
}

/* Phases 1 and 2 on every rank. */
static int train(const world *w, const drsae_options *o, sc_model **m,
                 const shard *s, timing *t)
{
    const drsae_recipe *r = &o->r;
    size_t local = (size_t)r->batch / (size_t)w->size, dim = s->dim;
    size_t count = s->images.count;
    size_t steps = shards_steps(s->total, (size_t)w->size, local);
    size_t size = sc_model_gradient_size(*m);
    size_t *order = malloc(count * sizeof *order);
    float *xb = malloc(local * dim * sizeof *xb);
    int32_t *yb = malloc(local * sizeof *yb);
    float *buffer = malloc((size + EXTRA_COUNT) * sizeof *buffer);
    int rc = any_rank(order == NULL || xb == NULL || yb == NULL ||
                      buffer == NULL || size + EXTRA_COUNT > INT32_MAX);
    if (rc != 0 && w->rank == 0)
        fprintf(stderr, PROGRAM ": out of memory, or a gradient of %zu "
                "floats, more than one MPI call takes\n", size);
    for (size_t i = 0; rc == 0 && i < count; i++)
        order[i] = i;
    unsigned long long rng = shards_seed(o->seed, (size_t)w->rank);
    size_t decayed = 0;
    fault inject = fault_here(w);
    double started = MPI_Wtime();
    for (long e = 0; rc == 0 && e < drsae_epochs_pre(o) + r->epochs; e++) {
        drsae_epoch plan;
        rc = any_rank(drsae_epoch_start(PROGRAM, o, e, *m, &plan));
        training_schedule schedule = {plan.rate, r->step_decay, &decayed};
        const training_schedule *decay = r->step_decay > 0 ? &schedule
                                                           : NULL;
        batches_shuffle(order, count, &rng);
        progress bar;
        if (w->rank == 0)
            progress_start(&bar, plan.label, steps * (size_t)r->batch);
        training_tally tally = {0};
        char status[160] = "";
        for (size_t k = 0; rc == 0 && k < steps; k++) {
            batches_gather(xb, s->images.images, order + k * local, local,
                           dim);
            for (size_t i = 0; i < local; i++)
                yb[i] = s->labels.labels[order[k * local + i]];
            /* No collective status: the models are identical, so the
             * rate is set, or refused, alike on every rank. */
            rc = training_schedule_next(PROGRAM, *m, decay);
            if (rc == 0)
                rc = step(w, m, xb, yb, local, buffer, size, &inject, &tally,
                          t);
            if (rc == 0 && w->rank == 0) {
                training_tally_format(&tally, status, sizeof status);
                progress_update(&bar, (size_t)r->batch, status);
            }
        }
        if (w->rank == 0)
            progress_finish(&bar, status);
        if (rc == 0 && e == 0)
            rc = any_rank(fault_here(w) == FAULT_DRIFT &&
                          sc_model_gradient_apply(*m, buffer, 1) != SC_OK);
        if (rc == 0)
            rc = models_agree(w, *m, e + 1);
    }
    t->train_seconds = MPI_Wtime() - started;
    if (rc == 0)
        t->allreduce_alone = allreduce_alone(buffer, size + EXTRA_COUNT);
    free(order);
    free(xb);
    free(yb);
    free(buffer);
    return rc;
}

/* Rank 0's end: save, evaluate, and the speed of the run. */
static int finish(const world *w, const drsae_options *o, const sc_model *m,
                  const shard *s, const timing *t)
{
    /* Each rank's times, and the slowest rank's. */
    double mine[4] = {t->compute_seconds, t->allreduce_seconds,
                      t->apply_seconds, t->train_seconds};
    double slowest[4];
    MPI_Reduce(mine, slowest, 4, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (w->rank != 0)
        return 0;
    size_t local = (size_t)o->r.batch / (size_t)w->size;
    if (t->steps > 0 && t->train_seconds > 0) {
        double per_rank = (double)(t->steps * local) / t->train_seconds;
        double ms = 1e3 / (double)t->steps;
        printf("speed: %zu steps of %d x %zu samples in %.2f s: %.0f "
               "samples/s per rank, %.0f in total\n", t->steps, w->size,
               local, t->train_seconds, per_rank, per_rank * w->size);
        printf("per step (rank 0 / slowest rank): compute %.2f / %.2f ms, "
               "allreduce %.2f / %.2f ms, apply %.2f / %.2f ms; allreduce "
               "alone %.2f ms\n", ms * t->compute_seconds,
               ms * slowest[0], ms * t->allreduce_seconds, ms * slowest[1],
               ms * t->apply_seconds, ms * slowest[2],
               1e3 * t->allreduce_alone);
    }
    if (t->skipped > 0)
        printf("skipped_steps=%zu\n", t->skipped);
    if (o->save != NULL) {
        sc_status st = sc_model_save(m, o->save, SC_MODEL_CONTENTS_FULL);
        if (st != SC_OK)
            return report_failure(PROGRAM, "sc_model_save", st);
        printf("saved: %s\n", o->save);
    }
    double percent = 0;
    int rc = evaluation_test_error(PROGRAM, m, s->test_images.images,
                                   s->test_labels.labels,
                                   s->test_images.count, &percent);
    if (rc == 0)
        printf("test_error=%.2f\n", percent);
    return rc;
}

/* --encode-only: the codes file of rank r, PREFIX.r (an IDX file of
 * floats, magic 0x00000D02: items x units, big-endian). */
static int write_codes(const char *path, const float *codes, size_t count,
                       size_t units)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    unsigned char header[12] = {0, 0, 0x0D, 2};
    const uint32_t sizes[2] = {(uint32_t)count, (uint32_t)units};
    for (int i = 0; i < 2; i++)
        for (int b = 0; b < 4; b++)
            header[4 + 4 * i + b] = (unsigned char)(sizes[i] >> (24 - 8 * b));
    int bad = fwrite(header, 1, sizeof header, f) != sizeof header;
    for (size_t i = 0; !bad && i < count * units; i++) {
        uint32_t bits;
        memcpy(&bits, &codes[i], sizeof bits);
        unsigned char be[4] = {(unsigned char)(bits >> 24),
                               (unsigned char)(bits >> 16),
                               (unsigned char)(bits >> 8),
                               (unsigned char)bits};
        bad = fwrite(be, 1, 4, f) != 4;
    }
    return fclose(f) != 0 || bad ? -1 : 0;
}

/* Every rank encodes its part of the training images with the model of
 * --load and writes its codes to PREFIX.<rank>: no communication but the
 * statuses and the closing sums. */
static int encode_only(const world *w, const drsae_options *o,
                       const char *prefix)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s.%d", prefix, w->rank);
    const output_path outputs[] = {{"--encode-only", path}};
    if (any_rank(output_paths_check(PROGRAM, outputs, 1)))
        return 1;
    idx_data images = {0};
    size_t first = 0, total = 0;
    int bad = idx_read_part(o->data, "train-images-idx3-ubyte", 0,
                            (size_t)w->rank, (size_t)w->size, &images,
                            &first, &total, err, sizeof err);
    if (bad)
        fprintf(stderr, PROGRAM ": rank %d: %s\n", w->rank, err);
    sc_model *m = NULL;
    if (!bad) {
        size_t dim = images.rows * images.cols;
        idx_normalize_rows(images.images, images.count, dim);
        sc_status st = sc_model_load(&m, o->load);
        const model_use use = {dim, 0, 0};
        bad = st != SC_OK ? report_failure(PROGRAM, "sc_model_load", st)
                          : model_check(PROGRAM, o->load, m, &use);
    }
    if (any_rank(bad)) {
        if (!bad)
            fprintf(stderr, PROGRAM ": rank %d: stopping: another rank "
                    "could not read its data or the model\n", w->rank);
        sc_model_free(m);
        free(images.images);
        return 1;
    }
    size_t units = sc_model_units(m), dim = images.rows * images.cols;
    float *codes = malloc(images.count * units * sizeof *codes);
    double started = MPI_Wtime();
    sc_status st = codes == NULL ? SC_ERR_NOMEM : SC_OK;
    /* In pieces of 1000 images: the encoder's workspace grows with the
     * batch. */
    for (size_t at = 0; st == SC_OK && at < images.count; at += 1000) {
        size_t n = images.count - at < 1000 ? images.count - at : 1000;
        st = sc_model_encode(m, images.images + at * dim, n,
                             codes + at * units);
    }
    double seconds = MPI_Wtime() - started;
    if (st != SC_OK)
        bad = report_failure(PROGRAM, "sc_model_encode", st);
    if (!bad && write_codes(path, codes, images.count, units) != 0) {
        fprintf(stderr, PROGRAM ": rank %d: cannot write %s\n", w->rank,
                path);
        bad = 1;
    }
    if (!bad)
        printf("rank %d: images %zu to %zu of %zu encoded in %.2f s "
               "(%.0f images/s): %s\n", w->rank, first,
               first + images.count, total, seconds,
               (double)images.count / seconds, path);
    double slowest = 0;
    MPI_Reduce(&seconds, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0,
               MPI_COMM_WORLD);
    bad = any_rank(bad);
    if (!bad && w->rank == 0)
        printf("encoded: %zu images on %d ranks in %.2f s (the slowest "
               "rank): %.0f images/s\n", total, w->size, slowest,
               (double)total / slowest);
    free(codes);
    free(images.images);
    sc_model_free(m);
    return bad;
}

/* The options drsae has and this program does not. */
static int refuse_options(const drsae_options *o, const char *encode)
{
    if (encode != NULL && o->load == NULL) {
        fprintf(stderr, PROGRAM ": --encode-only needs --load MODEL\n");
        return 1;
    }
    const char *given = o->load != NULL && encode == NULL ? "--load"
                        : o->valid > 0          ? "--valid"
                        : o->filters != NULL    ? "--filters"
                        : o->units_plot != NULL ? "--units-plot"
                        : o->shards != 1        ? "--shards"
                                                : NULL;
    if (given == NULL)
        return 0;
    fprintf(stderr, PROGRAM ": %s is drsae's, not offered here\n", given);
    return 1;
}

static int run(const world *w, const drsae_options *o)
{
    if (o->r.batch % w->size != 0) {
        if (w->rank == 0)
            fprintf(stderr, PROGRAM ": --batch %ld is the global batch: "
                    "make it a multiple of the %d ranks\n", o->r.batch,
                    w->size);
        return 1;
    }
    const output_path outputs[] = {{"--save", o->save}};
    if (any_rank(w->rank == 0 && output_paths_check(PROGRAM, outputs, 1)))
        return 1;
    shard s = {0};
    int bad = shard_read(w, o->data, &s);
    if (any_rank(bad)) {
        if (!bad)
            fprintf(stderr, PROGRAM ": rank %d: stopping: another rank "
                    "could not read its data\n", w->rank);
        shard_free(&s);
        return 1;
    }
    size_t local = (size_t)o->r.batch / (size_t)w->size;
    int rc = shards_agree(w, &s);
    if (rc == 0 && local > s.total / (size_t)w->size) {
        if (w->rank == 0)
            fprintf(stderr, PROGRAM ": --batch %ld is larger than %d parts "
                    "of %zu training images\n", o->r.batch, w->size,
                    s.total / (size_t)w->size);
        rc = 1;
    }
    if (rc == 0 && w->rank == 0)
        printf("data: %zu training images in %d parts (rank 0: %zu from "
               "%zu), %zu test images of %zu x %zu\n", s.total, w->size,
               s.images.count, s.first, s.test_images.count, s.images.rows,
               s.images.cols);
    sc_model *m = NULL;
    if (rc == 0) {
        bad = 0;
        if (w->rank == 0)
            bad = drsae_create_model(PROGRAM, o, s.images.images,
                                     s.images.count, s.dim, &m);
        rc = any_rank(bad);
    }
    if (rc == 0)
        rc = model_broadcast(w, 0, &m);
    if (rc == 0 && w->rank == 0)
        printf("model: %zu-%ld, T = %ld, recipe %s; global batch %ld = %d "
               "ranks x %zu; gradient of %zu floats\n", s.dim, o->units,
               o->iters, o->r.name, o->r.batch, w->size, local,
               sc_model_gradient_size(m));
    timing t = {0};
    if (rc == 0)
        rc = train(w, o, &m, &s, &t);
    if (rc == 0)
        rc = any_rank(finish(w, o, m, &s, &t));
    sc_model_free(m);
    shard_free(&s);
    return rc;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    world w;
    MPI_Comm_rank(MPI_COMM_WORLD, &w.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &w.size);
    report_start(PROGRAM);
    /* --encode-only PREFIX is this program's; the rest is drsae's.
     * Every rank parses the same arguments and decides alike. */
    const char *encode = NULL;
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--encode-only") == 0 && i + 1 < argc)
            encode = argv[++i];
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    drsae_options o;
    int rc = drsae_parse(PROGRAM, argc, argv, &o) != 0 ||
                     refuse_options(&o, encode) != 0
                 ? 2
             : encode != NULL ? encode_only(&w, &o, encode)
                              : run(&w, &o);
    MPI_Finalize();
    return rc;
}
