/* SPDX-License-Identifier: BSD-2-Clause */
/* drsae_setup.h -- the DrSAE examples' options, recipes, model and
 * schedule, shared by examples/drsae (one process) and
 * examples/drsae_mpi (data-parallel), so that both train the same model
 * the same way. */
#ifndef EXAMPLE_DRSAE_SETUP_H
#define EXAMPLE_DRSAE_SETUP_H

#include <stddef.h>

#include <sparsecode.h>

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
} drsae_recipe;

/* The loss terms --terms can switch off. */
enum { DRSAE_TERM_RECON = 1, DRSAE_TERM_L1 = 2, DRSAE_TERM_CLASS = 4 };

typedef struct {
    const char *data, *save, *load, *filters, *units_plot;
    long units, iters, valid;
    long shards;             /* --shards P: the sample order of P ranks */
    unsigned long long seed;
    int terms;
    drsae_recipe r;          /* the recipe, with the options given */
} drsae_options;

/* Parses drsae's options (docs in examples/drsae.c) into *o, messages
 * naming `program`.  Returns 0, or -1 after printing the problem (or the
 * usage); --help prints the usage and exits 0. */
int drsae_parse(const char *program, int argc, char **argv, drsae_options *o);

/* A new model with the options' recipe and terms, initialised from the
 * images x (count of dim) by sc_model_init_data with the options' seed.
 * Returns 0 (*out the model), or 1 after reporting a failure as
 * `program` (*out then the model to free, or NULL). */
int drsae_create_model(const char *program, const drsae_options *o,
                       const float *x, size_t count, size_t dim,
                       sc_model **out);

/* Epoch e (0-based, counting phase 1's) of a run: its label for the
 * progress bar, whether it is in phase 2, and the class weight and
 * learning rate it trains with. */
typedef struct {
    char label[32];
    int phase2;
    double class_weight, rate;
} drsae_epoch;

/* The number of epochs of the run (phase 1's, phase 2's). */
long drsae_epochs_pre(const drsae_options *o);

/* Fills *plan for epoch e and sets its class weight and rate on m.
 * Returns 0, or 1 after reporting a failure as `program`. */
int drsae_epoch_start(const char *program, const drsae_options *o, long e,
                      sc_model *m, drsae_epoch *plan);

#endif
