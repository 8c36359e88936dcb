/* SPDX-License-Identifier: BSD-2-Clause */
/* check_gradient.c -- every gradient of the training loss against central
 * finite differences: each loss term alone, both shrink functions, the
 * recurrence at T = 1, 2 and 11, and the classifier with and without the
 * normalised code; the same through a local model (local unshared
 * encoder and decoder over a small image, S restricted to overlapping
 * windows, topographic pools repeated at every position); and through the
 * LCoD encoder (every loss term, both shrinks, T = 1 to 11 coordinate
 * steps, more than the 9 units, so that units are chosen again).
 *
 * The loss is piecewise smooth: it has kinks where a unit switches on or
 * off, and for LCoD where the unit a step chooses changes.  A finite
 * difference is only meaningful when the perturbation crosses no kink, so
 * each check compares the activity pattern of every unit at every step
 * (LCoD: of every output unit, and every step's choice and the sign of the
 * value it gives) on both sides and uses only directions that keep it; it
 * asserts that enough directions qualified.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "operator_local.h"
#include "sparsecode.h"
#include "step.h"

#define N_IN 7
#define N_UNITS 9
/* The local model: a 1 x 3 x 4 image, 2 x 2 windows at stride 1 (2 x 3
 * positions, of which (0,0) and (0,2) do not overlap), 4 maps each, or 8
 * (LOCAL_VECTOR), which on a CPU with AVX2 runs the vector kernels. */
#define LOCAL_HEIGHT 3
#define LOCAL_WIDTH 4
#define LOCAL_FIELD 2
#define LOCAL_MAPS 4
#define LOCAL_VECTOR_MAPS 8
#define LOCAL_POSITIONS 6
#define LOCAL_IN (LOCAL_HEIGHT * LOCAL_WIDTH)
#define MAX_IN LOCAL_IN
#define MAX_UNITS (LOCAL_POSITIONS * LOCAL_VECTOR_MAPS)
#define BATCH 4
#define CLASSES 3
#define DIRECTIONS 24
#define SPARSE_COORDINATES 3
#define EPSILON 2e-4
#define KINK_MARGIN 2e-3

typedef struct {
    sc_model *m;
    size_t n, k;
    float x[BATCH * MAX_IN];
    float targets[BATCH * MAX_UNITS];
    int32_t labels[BATCH];
} fixture;

static double uniform(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return ((*state >> 8) & 0xFFFF) / 65536.0;
}

/* gradient_case.local: the local model with 4 maps, the same with pools
 * over 2 x 2 positions, and the local model with 8 maps. */
enum { LOCAL_PLAIN = 1, LOCAL_POOLED = 2, LOCAL_VECTOR = 3 };

/* A model whose every loss term is set by the caller, with weights moved
 * away from the ISTA init so that S, theta and C are generic. */
static void setup_once(fixture *f, size_t T, int shrink, int classes,
                       int groups, int local, int encoder, unsigned seed)
{
    size_t maps = local == LOCAL_VECTOR ? LOCAL_VECTOR_MAPS : LOCAL_MAPS;
    f->n = local ? LOCAL_IN : N_IN;
    f->k = local ? LOCAL_POSITIONS * maps : N_UNITS;
    ck_assert_int_eq(sc_model_create(&f->m, f->n, f->k), SC_OK);
    if (local) {
        size_t k = 0;
        ck_assert_int_eq(sc_model_local_units(1, LOCAL_HEIGHT, LOCAL_WIDTH,
                                        LOCAL_FIELD, 1, maps, &k),
                         SC_OK);
        ck_assert_uint_eq(k, f->k);
        ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_LOCAL_FIELD,
                                      LOCAL_FIELD), SC_OK);
        ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_IMAGE_HEIGHT,
                                      LOCAL_HEIGHT), SC_OK);
        ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_IMAGE_WIDTH,
                                      LOCAL_WIDTH), SC_OK);
        /* topographic pools over 2 x 2 positions as well */
        ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_POOL_POSITIONS,
                                      local == LOCAL_POOLED ? 2 : 1),
                         SC_OK);
    }
    ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_ITERATIONS, (double)T),
                     SC_OK);
    ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_ENCODER, encoder),
                     SC_OK);
    ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_SHRINK, shrink), SC_OK);
    ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_CLASSES, classes),
                     SC_OK);
    if (groups == SC_GROUP_LAYOUT_CONTIGUOUS) {
        ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_GROUP_LAYOUT,
                                      groups), SC_OK);
        ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_GROUP_SIZE, 3),
                         SC_OK);
    } else if (groups == SC_GROUP_LAYOUT_TOPOGRAPHIC) {
        ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_GROUP_LAYOUT,
                                      groups), SC_OK);
        ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_POOL_SIZE, 2),
                         SC_OK);
        ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_POOL_STRIDE, 1),
                         SC_OK);
        ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_POOL_SIGMA, 0.8),
                         SC_OK);
    }
    ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_L1_WEIGHT, 0.05), SC_OK);
    ck_assert_int_eq(sc_model_init_random(f->m, 3), SC_OK);
    sc_state *s = &f->m->state;
    for (int t = 0; t < SC_TENSOR_COUNT; t++)
        for (size_t i = 0; i < s->tensor[t].count; i++)
            s->tensor[t].w[i] += (float)(0.2 * (uniform(&seed) - 0.5));
    if (local) /* S's links between windows that do not overlap: none */
        sc_operator_local_mask_links(&s->encoder, s->lateral.weights);
    /* The kernels a local case runs: the vector ones exactly when it has
     * 8 maps and the CPU has AVX2. */
    if (local)
        ck_assert_int_eq(s->encoder.local.vector_kernels,
                         local == LOCAL_VECTOR && sc_local_avx2_available());
    for (size_t i = 0; i < f->k; i++)
        s->threshold[i] = (float)(0.02 + 0.05 * uniform(&seed));
    for (size_t i = 0; i < BATCH * f->n; i++)
        f->x[i] = (float)(2.0 * uniform(&seed) - 0.5);
    for (size_t i = 0; i < BATCH * f->k; i++)
        f->targets[i] = (float)uniform(&seed);
    for (size_t b = 0; b < BATCH; b++)
        f->labels[b] = (int32_t)(b % (classes > 0 ? classes : 1));
    ck_assert_int_eq(sc_train_buffers_reserve(f->m, BATCH), SC_OK);
}

static int is_lcod(const fixture *f)
{
    return sc_model_value(f->m, SC_MODEL_PARAM_ENCODER) == SC_ENCODER_LCOD;
}

/* The smallest distance of any unit at any step from its kink, |a| = theta
 * (soft) or a = theta (relu), at the fixture's point.  LCoD: of every
 * output unit (the last B), and of every step's value that is not 0. */
static double kink_margin(fixture *f)
{
    sc_loss_weights w = sc_loss_weights_of(f->m);
    sc_loss_values v;
    sc_compute_gradients(f->m, &w, f->x, f->labels, f->targets, BATCH, &v);
    size_t T = (size_t)sc_model_value(f->m, SC_MODEL_PARAM_ITERATIONS);
    int soft = sc_model_value(f->m, SC_MODEL_PARAM_SHRINK) == SC_SHRINK_SOFT;
    double margin = INFINITY;
    if (is_lcod(f)) {
        for (size_t i = 0; i < T * BATCH; i++) {
            double value = fabs(f->m->train.trace.value[i]);
            if (value > 0 && value < margin)
                margin = value;
        }
        T = 1;   /* the one slab of a: the last B */
    }
    for (size_t i = 0; i < T * BATCH * f->k; i++) {
        double a = f->m->train.a[i], theta = f->m->state.threshold[i % f->k];
        double d = soft ? fabs(fabs(a) - theta) : fabs(a - theta);
        if (d < margin)
            margin = d;
    }
    return margin;
}

/* A fixture whose point lies at least KINK_MARGIN from every kink, so the
 * loss is smooth around it; the random draw is repeated until it does. */
static void setup(fixture *f, size_t T, int shrink, int classes, int groups,
                  int local, int encoder)
{
    for (unsigned seed = 1; seed < 5000; seed++) {
        setup_once(f, T, shrink, classes, groups, local, encoder, seed);
        if (kink_margin(f) >= KINK_MARGIN)
            return;
        sc_model_free(f->m);
    }
    ck_abort_msg("no smooth fixture found");
}

/* Only the given terms on, each with a weight that is not 1, so that a
 * missing weight factor shows. */
static void weights(fixture *f, double recon, double l1, double group,
                    double cls, double regression)
{
    ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_RECON_WEIGHT, recon),
                     SC_OK);
    ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_L1_WEIGHT, l1), SC_OK);
    ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_GROUP_WEIGHT, group),
                     SC_OK);
    ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_CLASS_WEIGHT, cls),
                     SC_OK);
    ck_assert_int_eq(sc_model_set(f->m, SC_MODEL_PARAM_REGRESSION_WEIGHT,
                                  regression),
                     SC_OK);
}

/* The size of loss_at's pattern. */
static size_t pattern_size(const fixture *f)
{
    size_t T = (size_t)sc_model_value(f->m, SC_MODEL_PARAM_ITERATIONS);
    return is_lcod(f) ? BATCH * f->k + 2 * T * BATCH : T * BATCH * f->k;
}

/* The loss, and the activity pattern (-1, 0, 1 per unit and step; LCoD:
 * per output unit, then each step's unit and the sign of its value). */
static double loss_at(fixture *f, signed char *pattern)
{
    sc_loss_weights w = sc_loss_weights_of(f->m);
    sc_loss_values v;
    sc_compute_gradients(f->m, &w, f->x, f->labels, f->targets, BATCH, &v);
    size_t T = (size_t)sc_model_value(f->m, SC_MODEL_PARAM_ITERATIONS);
    const float *z = f->m->train.z;
    size_t slabs = is_lcod(f) ? 1 : T;
    for (size_t i = 0; i < slabs * BATCH * f->k; i++)
        pattern[i] = (signed char)((z[i] > 0) - (z[i] < 0));
    if (is_lcod(f)) {
        const sc_lcod_trace *trace = &f->m->train.trace;
        signed char *steps = pattern + BATCH * f->k;
        for (size_t i = 0; i < T * BATCH; i++) {
            float value = trace->value[i];
            steps[2 * i] = (signed char)trace->pick[i];
            steps[2 * i + 1] = (signed char)((value > 0) - (value < 0));
        }
    }
    return v.loss;
}

/* Whether coordinate i of tensor t may move: a local model's S has no
 * links between windows that do not overlap (their gradient is 0 by
 * construction, and a training step never makes them non-zero). */
static int movable(const fixture *f, int t, size_t i)
{
    const sc_state *s = &f->m->state;
    if (t != SC_TENSOR_LATERAL || s->shape.field == 0)
        return 1;
    float row[MAX_UNITS * MAX_UNITS];
    for (size_t j = 0; j < f->k * f->k; j++)
        row[j] = 1.0f;
    sc_operator_local_mask_links(&s->encoder, row);
    return row[i] != 0.0f;
}

/* The analytic gradient of tensor t as the public interface gives it:
 * its block of sc_model_gradient_compute's buffer. */
static void public_gradient(fixture *f, int t, float *grad, size_t count)
{
    size_t size = sc_model_gradient_size(f->m), offset, length;
    float *buffer = malloc(size * sizeof(float));
    ck_assert_int_eq(sc_model_gradient_compute(f->m, f->x, f->labels,
                                               f->targets, BATCH, buffer,
                                               NULL), SC_OK);
    ck_assert_int_eq(sc_model_gradient_block(f->m, (sc_weight)(t + 1),
                                             &offset, &length), SC_OK);
    ck_assert_uint_eq(length, count);
    memcpy(grad, buffer + offset, count * sizeof(float));
    free(buffer);
}

/* Checks the analytic gradient of each listed tensor along random sparse
 * directions. */
static void check_all_tensors(fixture *f, const char *name,
                              const int *tensors, int count)
{
    size_t size = pattern_size(f);
    signed char *p0 = malloc(size), *pp = malloc(size), *pm = malloc(size);
    unsigned seed = 99;
    (void)loss_at(f, p0);
    sc_state *s = &f->m->state;
    for (int c = 0; c < count; c++) {
        sc_tensor *t = &s->tensor[tensors[c]];
        float *grad = malloc(t->count * sizeof(float));
        float *dir = malloc(t->count * sizeof(float));
        float *saved = malloc(t->count * sizeof(float));
        (void)loss_at(f, p0);
        public_gradient(f, tensors[c], grad, t->count);
        memcpy(saved, t->w, t->count * sizeof(float));
        int usable = 0;
        for (int d = 0; d < DIRECTIONS; d++) {
            /* A sparse direction: a few coordinates move, so that few
             * units come near their kink. */
            double analytic = 0.0;
            memset(dir, 0, t->count * sizeof(float));
            for (int j = 0; j < SPARSE_COORDINATES; j++) {
                size_t i;
                do
                    i = (size_t)(uniform(&seed) * (double)t->count);
                while (!movable(f, tensors[c], i));
                dir[i] = uniform(&seed) < 0.5 ? -1.0f : 1.0f;
            }
            for (size_t i = 0; i < t->count; i++)
                analytic += (double)dir[i] * grad[i];
            for (size_t i = 0; i < t->count; i++)
                t->w[i] = (float)(saved[i] + EPSILON * dir[i]);
            double plus = loss_at(f, pp);
            for (size_t i = 0; i < t->count; i++)
                t->w[i] = (float)(saved[i] - EPSILON * dir[i]);
            double minus = loss_at(f, pm);
            memcpy(t->w, saved, t->count * sizeof(float));
            if (memcmp(pp, p0, size) || memcmp(pm, p0, size))
                continue;   /* crossed a kink: not a smooth direction */
            usable++;
            double numeric = (plus - minus) / (2 * EPSILON);
            double scale = fabs(analytic) > fabs(numeric) ? fabs(analytic)
                                                          : fabs(numeric);
            /* The loss is computed in float, so the difference resolves
             * slopes only down to a few ulps of the loss over 2 EPSILON:
             * the absolute floor grows with |loss| (3e-4 up to |loss| =
             * 1).  The local fixtures' losses are about 5. */
            double loss_scale = fabs(plus) > 1.0 ? fabs(plus) : 1.0;
            ck_assert_msg(fabs(analytic - numeric) <=
                              2e-2 * scale + 3e-4 * loss_scale,
                          "%s: tensor %d direction %d: analytic %.6g, finite "
                          "difference %.6g", name, tensors[c], d, analytic,
                          numeric);
        }
        ck_assert_msg(usable >= DIRECTIONS / 2,
                      "%s: tensor %d: only %d of %d directions were smooth",
                      name, tensors[c], usable, DIRECTIONS);
        free(grad);
        free(dir);
        free(saved);
    }
    free(p0);
    free(pp);
    free(pm);
}

/* One gradient check: the model's structure and which terms are on. */
typedef struct {
    const char *name;
    size_t steps;            /* T */
    int shrink, classes, groups, normalize;
    double recon, l1, group, classification, regression;
    int local;               /* 0, or one of the local models below */
    int encoder;             /* sc_encoder */
} gradient_case;

static const gradient_case cases[] = {
    /* each term alone, at T = 3 */
    {"reconstruction", 3, SC_SHRINK_RELU, 0, SC_GROUP_LAYOUT_NONE, 1,
     0.7, 0, 0, 0, 0, 0, 0},
    {"l1", 3, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_NONE, 1, 0, 0.3, 0, 0, 0, 0, 0},
    {"group contiguous", 3, SC_SHRINK_RELU, 0, SC_GROUP_LAYOUT_CONTIGUOUS, 1,
     0, 0, 0.4, 0, 0, 0, 0},
    {"group topographic", 3, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_TOPOGRAPHIC, 1,
     0, 0, 0.4, 0, 0, 0, 0},
    {"classification normalised", 3, SC_SHRINK_RELU, CLASSES,
     SC_GROUP_LAYOUT_NONE, 1, 0, 0, 0, 0.9, 0, 0, 0},
    {"classification raw", 3, SC_SHRINK_SOFT, CLASSES, SC_GROUP_LAYOUT_NONE, 0,
     0, 0, 0, 0.9, 0, 0, 0},
    {"regression", 3, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_NONE, 1, 0, 0, 0, 0, 1.3, 0, 0},
    /* the recurrence at T = 1, 2, 11: DrSAE's terms together (relu), and
     * LISTA's (soft, with code regression) */
    {"drsae T=1", 1, SC_SHRINK_RELU, CLASSES, SC_GROUP_LAYOUT_CONTIGUOUS, 1,
     1, 0.1, 0.05, 0.5, 0, 0, 0},
    {"drsae T=2", 2, SC_SHRINK_RELU, CLASSES, SC_GROUP_LAYOUT_CONTIGUOUS, 1,
     1, 0.1, 0.05, 0.5, 0, 0, 0},
    {"drsae T=11", 11, SC_SHRINK_RELU, CLASSES, SC_GROUP_LAYOUT_CONTIGUOUS, 1,
     1, 0.1, 0.05, 0.5, 0, 0, 0},
    {"lista T=1", 1, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_NONE, 1, 1, 0.1, 0, 0, 0.5, 0, 0},
    {"lista T=2", 2, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_NONE, 1, 1, 0.1, 0, 0, 0.5, 0, 0},
    {"lista T=11", 11, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_NONE, 1,
     1, 0.1, 0, 0, 0.5, 0, 0},
    /* the local model */
    {"local reconstruction", 3, SC_SHRINK_RELU, 0, SC_GROUP_LAYOUT_NONE, 1,
     0.7, 0, 0, 0, 0, LOCAL_PLAIN, 0},
    {"local topographic", 3, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_TOPOGRAPHIC, 1,
     0.5, 0.1, 0.4, 0, 0, LOCAL_PLAIN, 0},
    {"local topographic over positions", 3, SC_SHRINK_RELU, 0,
     SC_GROUP_LAYOUT_TOPOGRAPHIC, 1, 0.5, 0.1, 0.4, 0, 0, LOCAL_POOLED, 0},
    {"local drsae T=2", 2, SC_SHRINK_RELU, CLASSES, SC_GROUP_LAYOUT_CONTIGUOUS, 1,
     1, 0.1, 0.05, 0.5, 0, LOCAL_PLAIN, 0},
    {"local drsae T=11", 11, SC_SHRINK_RELU, CLASSES, SC_GROUP_LAYOUT_CONTIGUOUS, 1,
     1, 0.1, 0.05, 0.5, 0, LOCAL_PLAIN, 0},
    {"local lista T=5", 5, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_NONE, 1,
     1, 0.1, 0, 0, 0.5, LOCAL_PLAIN, 0},
    /* the local model with 8 maps: the vector kernels */
    {"local 8 maps drsae T=3", 3, SC_SHRINK_RELU, CLASSES,
     SC_GROUP_LAYOUT_CONTIGUOUS, 1, 1, 0.1, 0.05, 0.5, 0, LOCAL_VECTOR, 0},
    /* (ReLU: with 48 units, a smooth point of the soft shrink is too
     * rare a draw) */
    {"local 8 maps regression T=4", 4, SC_SHRINK_RELU, 0, SC_GROUP_LAYOUT_NONE, 1,
     1, 0.1, 0, 0, 0.5, LOCAL_VECTOR, 0},
    /* the LCoD encoder (E5, B5): each term alone at T = 5, both shrinks */
    {"lcod reconstruction", 5, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_NONE, 1,
     0.7, 0, 0, 0, 0, 0, SC_ENCODER_LCOD},
    {"lcod reconstruction relu", 5, SC_SHRINK_RELU, 0, SC_GROUP_LAYOUT_NONE, 1,
     0.7, 0, 0, 0, 0, 0, SC_ENCODER_LCOD},
    {"lcod l1", 5, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_NONE, 1, 0, 0.3, 0, 0, 0, 0,
     SC_ENCODER_LCOD},
    {"lcod group contiguous", 5, SC_SHRINK_RELU, 0, SC_GROUP_LAYOUT_CONTIGUOUS, 1,
     0, 0, 0.4, 0, 0, 0, SC_ENCODER_LCOD},
    {"lcod group topographic", 5, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_TOPOGRAPHIC,
     1, 0, 0, 0.4, 0, 0, 0, SC_ENCODER_LCOD},
    {"lcod classification normalised", 5, SC_SHRINK_RELU, CLASSES,
     SC_GROUP_LAYOUT_NONE, 1, 0, 0, 0, 0.9, 0, 0, SC_ENCODER_LCOD},
    {"lcod classification raw", 5, SC_SHRINK_SOFT, CLASSES, SC_GROUP_LAYOUT_NONE,
     0, 0, 0, 0, 0.9, 0, 0, SC_ENCODER_LCOD},
    {"lcod regression", 5, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_NONE, 1,
     0, 0, 0, 0, 1.3, 0, SC_ENCODER_LCOD},
    {"lcod regression relu", 5, SC_SHRINK_RELU, 0, SC_GROUP_LAYOUT_NONE, 1,
     0, 0, 0, 0, 1.3, 0, SC_ENCODER_LCOD},
    /* T = 1, and more steps than units (units chosen again): LISTA's and
     * DrSAE's terms together */
    {"lcod lista T=1", 1, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_NONE, 1,
     1, 0.1, 0, 0, 0.5, 0, SC_ENCODER_LCOD},
    {"lcod lista T=11", 11, SC_SHRINK_SOFT, 0, SC_GROUP_LAYOUT_NONE, 1,
     1, 0.1, 0, 0, 0.5, 0, SC_ENCODER_LCOD},
    {"lcod drsae T=2", 2, SC_SHRINK_RELU, CLASSES, SC_GROUP_LAYOUT_CONTIGUOUS, 1,
     1, 0.1, 0.05, 0.5, 0, 0, SC_ENCODER_LCOD},
    {"lcod drsae T=11", 11, SC_SHRINK_RELU, CLASSES, SC_GROUP_LAYOUT_CONTIGUOUS, 1,
     1, 0.1, 0.05, 0.5, 0, 0, SC_ENCODER_LCOD},
};

#define CASE_COUNT ((int)(sizeof cases / sizeof cases[0]))

START_TEST(gradient_matches_finite_differences)
{
    const gradient_case *c = &cases[_i];
    fixture f;
    setup(&f, c->steps, c->shrink, c->classes, c->groups, c->local,
          c->encoder);
    weights(&f, c->recon, c->l1, c->group, c->classification, c->regression);
    ck_assert_int_eq(sc_model_set(f.m, SC_MODEL_PARAM_NORMALIZE_CODE,
                                  c->normalize),
                     SC_OK);
    /* The encoder always; the decoder and classifier when a term uses
     * them (otherwise their gradient is not computed). */
    int tensors[SC_TENSOR_COUNT], count = 0;
    tensors[count++] = SC_TENSOR_ENCODER;
    tensors[count++] = SC_TENSOR_LATERAL;
    tensors[count++] = SC_TENSOR_THRESHOLD;
    if (c->recon > 0)
        tensors[count++] = SC_TENSOR_DECODER;
    if (c->classification > 0) {
        tensors[count++] = SC_TENSOR_CLASSIFIER;
        tensors[count++] = SC_TENSOR_CLASS_BIAS;
    }
    check_all_tensors(&f, c->name, tensors, count);
    sc_model_free(f.m);
}
END_TEST

Suite *gradient_suite(void)
{
    Suite *s = suite_create("gradient");
    TCase *tc = tcase_create("finite_differences");
    tcase_add_loop_test(tc, gradient_matches_finite_differences, 0,
                        CASE_COUNT);
    suite_add_tcase(s, tc);
    return s;
}
