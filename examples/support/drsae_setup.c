/* SPDX-License-Identifier: BSD-2-Clause */
/* drsae_setup.c -- the DrSAE examples' options, recipes, model and
 * schedule (drsae_setup.h). */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "drsae_setup.h"
#include "report.h"

/* A failed call: its status and the library's message; 1 for main. */
#define CHECK(call) REPORT_CHECK(program, call)

/* adam: chosen on a validation split of Fashion-MNIST (docs/drsae.md).
 * paper: the authors' code (rolfe/recpool, the run of 2012-12-18):
 * SGD without momentum on batches of 10 at 5e-3 / (1 + 5e-6 n) on summed
 * gradients of 5 x 1/2|x - Dz|^2 + 0.09 |z|_1 + NLL, which is rate 0.25
 * on the mean of 1/2|x - Dz|^2 + 0.018 |z|_1 + 0.2 NLL; E rows <= 1.25/T,
 * D columns <= 1, C rows <= 5; C's rate / 5; E = 1.25/T D^T, S = I -
 * 1.25/T D^T D, D = a random column + 0.25 of a sample.  Their 100 + 1000
 * epochs are 10 + 40 here. */
static const drsae_recipe recipes[] = {
    {"adam", SC_OPTIMIZER_ADAM, 0.9, 100, 2, 26, 0.02, 0.001, 1.0, 0.92, 0.0,
     20.0, 1.0, 0.0, 0.0, 0.0, 1.0},
    {"paper", SC_OPTIMIZER_SGD, 0.0, 10, 10, 40, 0.018, 0.25, 0.2, 1.0, 5e-6,
     5.0, 0.2, 1.25, 1.25, 4.0, 1.0},
};

static void usage(const char *program, FILE *to)
{
    fprintf(to, "usage: %s", program);
    fprintf(to,
            " --data DIR [--recipe adam|paper] [--units 400] "
            "[--iters 11]\n"
            "        [--epochs-pre N] [--epochs N] [--batch B] "
            "[--seed 1] [--valid N]\n"
            "        [--terms recon,l1,class] [--save FILE] "
            "[--load FILE]\n"
            "        [--filters FILE.png] [--units-plot FILE.png] "
            "[--lambda L] [--lr RATE]\n"
            "        [--class-weight W] [--optimizer adam|sgd] "
            "[--lr-decay D]\n"
            "        [--classifier-norm N] [--classifier-rate S] "
            "[--encoder-norm B]\n"
            "        [--init-step A] [--init-noise V] "
            "[--repeat-scaling 0|1]\n"
            "        [--shards P]\n");
}

/* A comma list of recon, l1 and class, as DRSAE_TERM_* bits; -1 if bad. */
static int parse_terms(const char *text)
{
    int terms = 0;
    while (*text != 0) {
        size_t len = strcspn(text, ",");
        if (len == 5 && strncmp(text, "recon", 5) == 0)
            terms |= DRSAE_TERM_RECON;
        else if (len == 2 && strncmp(text, "l1", 2) == 0)
            terms |= DRSAE_TERM_L1;
        else if (len == 5 && strncmp(text, "class", 5) == 0)
            terms |= DRSAE_TERM_CLASS;
        else
            return -1;
        text += len + (text[len] == ',');
    }
    return terms == 0 ? -1 : terms;
}

int drsae_parse(const char *program, int argc, char **argv, drsae_options *o)
{
    static const struct option longs[] = {
        {"data", required_argument, 0, 'd'},
        {"recipe", required_argument, 0, 'R'},
        {"units", required_argument, 0, 'u'},
        {"iters", required_argument, 0, 'i'},
        {"epochs-pre", required_argument, 0, 'p'},
        {"epochs", required_argument, 0, 'e'},
        {"batch", required_argument, 0, 'b'},
        {"seed", required_argument, 0, 's'},
        {"valid", required_argument, 0, 'v'},
        {"terms", required_argument, 0, 't'},
        {"save", required_argument, 0, 'S'},
        {"load", required_argument, 0, 'L'},
        {"filters", required_argument, 0, 'f'},
        {"units-plot", required_argument, 0, 'U'},
        {"lambda", required_argument, 0, 'l'},
        {"lr", required_argument, 0, 'r'},
        {"class-weight", required_argument, 0, 'c'},
        {"optimizer", required_argument, 0, 'o'},
        {"lr-decay", required_argument, 0, 'y'},
        {"classifier-norm", required_argument, 0, 'n'},
        {"classifier-rate", required_argument, 0, 'C'},
        {"encoder-norm", required_argument, 0, 'E'},
        {"init-step", required_argument, 0, 'A'},
        {"init-noise", required_argument, 0, 'V'},
        {"repeat-scaling", required_argument, 0, 'P'},
        {"shards", required_argument, 0, 'H'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    /* First the recipe, whose values the other options then override. */
    *o = (drsae_options){.units = 400, .iters = 11, .shards = 1, .seed = 1,
                   .terms = DRSAE_TERM_RECON | DRSAE_TERM_L1 | DRSAE_TERM_CLASS,
                   .r = recipes[0]};
    for (int i = 1; i < argc; i++) {
        const char *name = NULL;
        if (strcmp(argv[i], "--recipe") == 0 && i + 1 < argc)
            name = argv[i + 1];
        else if (strncmp(argv[i], "--recipe=", 9) == 0)
            name = argv[i] + 9;
        if (name == NULL)
            continue;
        size_t count = sizeof recipes / sizeof recipes[0], r = 0;
        while (r < count && strcmp(recipes[r].name, name) != 0)
            r++;
        if (r == count) {
            fprintf(stderr, "%s: --recipe is adam or paper\n", program);
            return -1;
        }
        o->r = recipes[r];
    }
    drsae_recipe *r = &o->r;
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'd': o->data = optarg; break;
        case 'R': break;
        case 'u': bad = args_long(optarg, &o->units); break;
        case 'i': bad = args_long(optarg, &o->iters); break;
        case 'p': bad = args_long(optarg, &r->epochs_pre); break;
        case 'e': bad = args_long(optarg, &r->epochs); break;
        case 'b': bad = args_long(optarg, &r->batch); break;
        case 's': bad = args_seed(optarg, &o->seed); break;
        case 'v': bad = args_long(optarg, &o->valid); break;
        case 't':
            o->terms = parse_terms(optarg);
            if (o->terms < 0) {
                fprintf(stderr, "%s: --terms is a comma list of "
                        "recon, l1 and class\n", program);
                return -1;
            }
            break;
        case 'S': o->save = optarg; break;
        case 'L': o->load = optarg; break;
        case 'f': o->filters = optarg; break;
        case 'U': o->units_plot = optarg; break;
        case 'l': bad = args_double(optarg, &r->lambda); break;
        case 'r': bad = args_double(optarg, &r->learning_rate); break;
        case 'c': bad = args_double(optarg, &r->class_weight); break;
        case 'y': bad = args_double(optarg, &r->epoch_decay); break;
        case 'n': bad = args_double(optarg, &r->classifier_norm); break;
        case 'C': bad = args_double(optarg, &r->classifier_rate); break;
        case 'E': bad = args_double(optarg, &r->encoder_norm_t); break;
        case 'A': bad = args_double(optarg, &r->init_step_t); break;
        case 'V': bad = args_double(optarg, &r->init_noise); break;
        case 'P': bad = args_double(optarg, &r->repeat_scaling); break;
        case 'H': bad = args_long(optarg, &o->shards); break;
        case 'o':
            if (strcmp(optarg, "adam") && strcmp(optarg, "sgd")) {
                fprintf(stderr, "%s: --optimizer is adam or sgd\n", program);
                return -1;
            }
            r->optimizer = strcmp(optarg, "adam") ? SC_OPTIMIZER_SGD
                                                  : SC_OPTIMIZER_ADAM;
            break;
        case 'h': usage(program, stdout); exit(0);
        default: usage(program, stderr); return -1;
        }
        if (bad) {
            fprintf(stderr, "%s: bad number '%s'\n", program, optarg);
            return -1;
        }
    }
    if (o->data == NULL || optind != argc) {
        usage(program, stderr);
        return -1;
    }
    if (o->units < 1 || o->iters < 1 || r->batch < 1 || o->shards < 1) {
        fprintf(stderr, "%s: --units, --iters, --batch and --shards must "
                "be >= 1\n", program);
        return -1;
    }
    return 0;
}

int drsae_create_model(const char *program, const drsae_options *o,
                       const float *x, size_t count, size_t dim,
                       sc_model **out)
{
    const drsae_recipe *r = &o->r;
    double t = (double)o->iters;
    sc_model *m;
    CHECK(sc_model_create(&m, dim, (size_t)o->units));
    *out = m;
    const struct {
        sc_model_param id;
        double value;
    } settings[] = {
        {SC_MODEL_PARAM_ITERATIONS, t},
        {SC_MODEL_PARAM_CLASSES, 10},
        {SC_MODEL_PARAM_RECON_WEIGHT, o->terms & DRSAE_TERM_RECON ? 1.0 : 0.0},
        {SC_MODEL_PARAM_L1_WEIGHT, o->terms & DRSAE_TERM_L1 ? r->lambda : 0.0},
        {SC_MODEL_PARAM_OPTIMIZER, r->optimizer},
        {SC_MODEL_PARAM_MOMENTUM, r->momentum},
        {SC_MODEL_PARAM_LEARNING_RATE, r->learning_rate},
        {SC_MODEL_PARAM_CLASSIFIER_MAX_NORM, r->classifier_norm},
        {SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE, r->classifier_rate},
        {SC_MODEL_PARAM_ENCODER_MAX_NORM, r->encoder_norm_t / t},
        {SC_MODEL_PARAM_INIT_STEP, r->init_step_t / t},
        {SC_MODEL_PARAM_INIT_NOISE, r->init_noise},
        {SC_MODEL_PARAM_REPEAT_SCALING, r->repeat_scaling}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        CHECK(sc_model_set(m, settings[i].id, settings[i].value));
    CHECK(sc_model_init_data(m, x, count, o->seed));
    return 0;
}


long drsae_epochs_pre(const drsae_options *o)
{
    /* Phase 1 needs an unsupervised term. */
    return o->terms & (DRSAE_TERM_RECON | DRSAE_TERM_L1) ? o->r.epochs_pre
                                                         : 0;
}

int drsae_epoch_start(const char *program, const drsae_options *o, long e,
                      sc_model *m, drsae_epoch *plan)
{
    const drsae_recipe *r = &o->r;
    long pre = drsae_epochs_pre(o);
    plan->phase2 = e >= pre;
    snprintf(plan->label, sizeof plan->label, "%s %ld",
             plan->phase2 ? "train" : "pretrain",
             plan->phase2 ? e - pre + 1 : e + 1);
    plan->class_weight = plan->phase2 && o->terms & DRSAE_TERM_CLASS
                             ? r->class_weight
                             : 0.0;
    /* Phase 2 starts at the full rate and decays each epoch; the paper's
     * rate decays with every step instead. */
    plan->rate = r->learning_rate *
                 pow(r->epoch_decay, plan->phase2 ? (double)(e - pre) : 0.0);
    CHECK(sc_model_set(m, SC_MODEL_PARAM_CLASS_WEIGHT, plan->class_weight));
    CHECK(sc_model_set(m, SC_MODEL_PARAM_LEARNING_RATE, plan->rate));
    return 0;
}
