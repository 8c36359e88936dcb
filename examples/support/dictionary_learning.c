/* SPDX-License-Identifier: BSD-2-Clause */
/* dictionary_learning.c -- sc_dictionary over shuffled minibatches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sparsecode.h>

#include "batches.h"
#include "dictionary_learning.h"
#include "progress.h"
#include "report.h"

/* The learner with its settings and its initial atoms; 0, or 1 after
 * reporting. */
static int create_learner(const char *program, sc_dictionary **out,
                          const dictionary_settings *s, const float *x,
                          size_t count, size_t dim, size_t k)
{
    sc_status st = sc_dictionary_create(out, dim, k);
    const char *what = "sc_dictionary_create";
#define DSET(p, v)                                   \
    if (st == SC_OK) {                               \
        st = sc_dictionary_set(*out, p, v);          \
        what = "sc_dictionary_set(" #p ")";          \
    }
    DSET(SC_DICTIONARY_PARAM_METHOD, SC_DICTIONARY_METHOD_ONLINE);
    DSET(SC_DICTIONARY_PARAM_LAMBDA, s->lambda);
    DSET(SC_DICTIONARY_PARAM_NONNEGATIVE, s->nonnegative);
    DSET(SC_DICTIONARY_PARAM_SOLVER_METHOD, s->coder);
#undef DSET
    if (st == SC_OK) {
        st = sc_dictionary_init_data(*out, x, count, s->seed);
        what = "sc_dictionary_init_data";
    }
    return st == SC_OK ? 0 : report_failure(program, what, st);
}

/* One shuffled pass over x in minibatches, with a progress bar. */
static int learn_epoch(const char *program, sc_dictionary *dict,
                       const float *x, size_t count, size_t dim,
                       size_t batch, size_t *order, float *xb,
                       const char *label, unsigned long long *rng)
{
    batches_shuffle(order, count, rng);
    char status[128] = "";
    progress bar;
    progress_start(&bar, label, count - count % batch);
    double obj = 0, active = 0;
    size_t steps = 0;
    for (size_t b = 0; b + batch <= count; b += batch) {
        batches_gather(xb, x, order + b, batch, dim);
        sc_dictionary_stats st = {.size = sizeof st};
        REPORT_CHECK(program, sc_dictionary_step(dict, xb, batch, &st));
        obj += st.objective;
        active += st.active_fraction;
        steps++;
        snprintf(status, sizeof status, "objective %.5f  active %.1f%%",
                 obj / (double)steps, 100 * active / (double)steps);
        progress_update(&bar, batch, status);
    }
    progress_finish(&bar, status);
    return 0;
}

int dictionary_learn(const char *program, const dictionary_settings *s,
                     const float *x, size_t count, size_t dim, size_t k,
                     const float *held_out, size_t held_count, float *d)
{
    size_t batch = s->batch < count ? s->batch : count;
    size_t *order = malloc(count * sizeof *order);
    float *xb = malloc(batch * dim * sizeof *xb);
    if (order == NULL || xb == NULL) {
        free(order);
        free(xb);
        return report_failure(program, "malloc", SC_ERR_NOMEM);
    }
    for (size_t i = 0; i < count; i++)
        order[i] = i;
    unsigned long long rng = s->seed ^ 0x5bd1e995ULL;
    sc_dictionary *dict = NULL;
    int rc = create_learner(program, &dict, s, x, count, dim, k);
    double objective = 0;
    sc_status st;
    if (rc == 0 && (st = sc_dictionary_objective(dict, held_out, held_count,
                                                 &objective)) != SC_OK)
        rc = report_failure(program, "sc_dictionary_objective", st);
    if (rc == 0)
        printf("dictionary: %zu atoms from training images, held-out "
               "objective %.5f\n", k, objective);
    for (long e = 0; rc == 0 && e < s->epochs; e++) {
        char label[32];
        snprintf(label, sizeof label, "dict %ld", e + 1);
        rc = learn_epoch(program, dict, x, count, dim, batch, order, xb,
                         label, &rng);
    }
    if (rc == 0 && (st = sc_dictionary_objective(dict, held_out, held_count,
                                                 &objective)) != SC_OK)
        rc = report_failure(program, "sc_dictionary_objective", st);
    if (rc == 0)
        printf("dictionary: learned, held-out objective %.5f\n", objective);
    const float *atoms = NULL;
    if (rc == 0 && (st = sc_dictionary_atoms(dict, &atoms)) != SC_OK)
        rc = report_failure(program, "sc_dictionary_atoms", st);
    if (rc == 0)
        memcpy(d, atoms, dim * k * sizeof *d);
    sc_dictionary_free(dict);
    free(order);
    free(xb);
    return rc;
}
