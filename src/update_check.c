/* SPDX-License-Identifier: BSD-2-Clause */
/* update_check.c -- the check of update_check.h: a weight limit, a bound
 * on the encoder's growth, and, when the bound cannot decide, the probe's
 * forward pass through the new weights. */
#include <float.h>
#include <math.h>

#include "losses.h"
#include "step.h"
#include "update_check.h"
#include "vector.h"

/* (1): the largest L1 norm of a row, and |theta|, |c|. */
#define WEIGHT_LIMIT 18446744073709551616.0   /* 2^64 */

/* What the bound must stay below to prove that float arithmetic stays
 * finite: a float sum of m terms can exceed the sum of their magnitudes
 * by a factor (1 + m FLT_EPSILON / 2), below 2 for the m <= 2^24 terms of
 * any product here; a further 2 covers the bound's own double rounding. */
#define SAFE_BOUND (FLT_MAX / 4.0)

#define LANES 8

/* The L1 norm of one row, summed in lanes so that the loop vectorises. */
SC_VECTOR_CLONES
static double row_l1(size_t count, const float *restrict w)
{
    double part[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= count; i += LANES)
        for (size_t j = 0; j < LANES; j++)
            part[j] += fabsf(w[i + j]);
    for (; i < count; i++)
        part[i % LANES] += fabsf(w[i]);
    double sum = 0.0;
    for (size_t j = 0; j < LANES; j++)
        sum += part[j];
    return sum;
}

/* The L1 norms of the rows of a rows x cols array: the largest, and
 * their sum. */
typedef struct {
    double largest, total;
} row_norms;

static row_norms measure(const float *w, size_t rows, size_t cols)
{
    row_norms r = {0.0, 0.0};
    for (size_t i = 0; i < rows; i++) {
        double l1 = row_l1(cols, w + i * cols);
        r.largest = l1 > r.largest ? l1 : r.largest;
        r.total += l1;
    }
    return r;
}

/* The norms the bound needs, in the operators' terms: |A y|_inf <=
 * gain * |y|_inf. */
typedef struct {
    double encoder, lateral, decoder, classifier;
    double theta_below;      /* max(0, -min theta): what a relu adds */
    double bias;             /* max |c| */
    int within_limit;        /* (1) */
} gains;

static gains measure_model(const sc_state *s)
{
    gains g = {0};
    /* A local encoder's row is one unit's filter (operator.h); the
     * decoder stores the same map, and a pixel of W_d z sums at most
     * every unit's weight for it, so the sum of all rows bounds it. */
    const sc_operator *e = &s->encoder, *d = &s->decoder;
    size_t k = s->lateral.rows;
    row_norms we = measure(e->weights, k, e->weight_count / k);
    row_norms sl = measure(s->lateral.weights, k, k);
    row_norms wd = d->kind == SC_OPERATOR_LOCAL
                       ? measure(d->weights, k, d->weight_count / k)
                       : measure(d->weights, d->rows, d->cols);
    row_norms cl = s->classes > 0 ? measure(s->classifier.weights,
                                            s->classes, k)
                                  : (row_norms){0.0, 0.0};
    g.encoder = we.largest;
    g.lateral = sl.largest;
    g.decoder = d->kind == SC_OPERATOR_LOCAL ? wd.total : wd.largest;
    g.classifier = cl.largest;
    double theta = 0.0;
    for (size_t i = 0; i < k; i++) {
        g.theta_below = fmax(g.theta_below, -(double)s->threshold[i]);
        theta = fmax(theta, fabs((double)s->threshold[i]));
    }
    for (size_t c = 0; c < s->classes; c++)
        g.bias = fmax(g.bias, fabs((double)s->class_bias[c]));
    g.within_limit = we.largest <= WEIGHT_LIMIT &&
                     sl.largest <= WEIGHT_LIMIT &&
                     wd.largest <= WEIGHT_LIMIT &&
                     cl.largest <= WEIGHT_LIMIT && theta <= WEIGHT_LIMIT &&
                     g.bias <= WEIGHT_LIMIT;
    return g;
}

/* A bound on |z_T|_inf for inputs with |x|_inf <= scale, also bounding
 * every intermediate of the encoder, or +Inf when one exceeds SAFE_BOUND.
 * Either shrink gives |h(a; theta)| <= |a| + max(0, -theta). */
static double code_bound(const gains *g, sc_unroll run, int lcod,
                         double scale)
{
    double u = g->encoder * scale;
    if (lcod) {
        /* (E5): each step adds S[:, j] (Zbar_j - Z_j) to B, with
         * |Zbar_j| <= |B| + theta_below and |Z_j| <= the largest Zbar so
         * far; |S_ij| <= the L1 norm of its row. */
        double b = u, z = 0.0;
        for (size_t t = 0; t < run.steps && b <= SAFE_BOUND; t++) {
            double bar = b + g->theta_below;
            b += g->lateral * (bar + z);
            z = fmax(z, bar);
        }
        b += g->theta_below;
        return b <= SAFE_BOUND ? b : INFINITY;
    }
    /* (E1): a_t = u + S z_{t-1}, z_t = h(a_t). */
    double z = 0.0;
    for (size_t t = 0; t < run.steps; t++) {
        double a = u + g->lateral * z;
        if (!(a <= SAFE_BOUND))
            return INFINITY;
        z = a + g->theta_below;
    }
    return z <= SAFE_BOUND ? z : INFINITY;
}

/* 1 if the bound proves the probe's outputs finite. */
static int bound_proves_finite(const sc_model *m, const gains *g,
                               double scale)
{
    const sc_state *s = &m->state;
    int lcod = sc_model_value(m, SC_MODEL_PARAM_ENCODER) == SC_ENCODER_LCOD;
    double z = code_bound(g, sc_unroll_of(m, 1), lcod, scale);
    /* The reconstruction and its residual W_d z - x. */
    if (!(g->decoder * z + scale <= SAFE_BOUND))
        return 0;
    if (s->classes == 0)
        return 1;
    /* The logits C zhat + c, with |zhat| <= 1 when normalised; softmax
     * of finite logits is finite. */
    int normalize = sc_model_value(m, SC_MODEL_PARAM_NORMALIZE_CODE) != 0.0;
    double zhat = normalize ? 1.0 : z;
    return g->classifier * zhat + g->bias <= SAFE_BOUND;
}

/* 1 if the probe's codes, reconstruction and class probabilities are
 * finite under the model's weights: the forward pass itself. */
static int probe_stays_finite(sc_model *m, const float *probe, size_t rows)
{
    const sc_state *s = &m->state;
    sc_train_buffers *buf = &m->train;
    int lcod = sc_model_value(m, SC_MODEL_PARAM_ENCODER) == SC_ENCODER_LCOD;
    const float *z = sc_forward(s, sc_unroll_of(m, rows), lcod, probe, buf,
                                0);
    if (!sc_all_finite(z, rows * m->k))
        return 0;
    sc_operator_forward(&s->decoder, rows, z, 0.0f, buf->residual,
                        buf->operator);
    if (!sc_all_finite(buf->residual, rows * m->n))
        return 0;
    if (s->classes == 0)
        return 1;
    int normalize = sc_model_value(m, SC_MODEL_PARAM_NORMALIZE_CODE) != 0.0;
    sc_classifier_forward(&s->classifier, s->class_bias, rows, z, normalize,
                          buf->zhat, buf->norms, buf->logits);
    return sc_all_finite(buf->logits, rows * s->classes);
}

int sc_update_bound_proves_finite(const sc_model *m, double probe_scale)
{
    gains g = measure_model(&m->state);
    return bound_proves_finite(m, &g, probe_scale);
}

int sc_update_check(sc_model *m, const float *probe, size_t rows,
                    double probe_scale)
{
    gains g = measure_model(&m->state);
    if (!g.within_limit)
        return 0;
    if (probe == NULL || rows == 0 ||
        bound_proves_finite(m, &g, probe_scale))
        return 1;
    return probe_stays_finite(m, probe, rows);
}
