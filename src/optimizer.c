/* SPDX-License-Identifier: BSD-2-Clause */
/* optimizer.c -- the parameter updates, staged so that a step whose new
 * values are not all finite can be refused without having changed
 * anything, in one pass over each array.
 *
 * Per element the pass reads the weight, the gradient and the moments and
 * writes the new moments to spare arrays and the new weight over the
 * gradient, which is not needed after it; a commit then swaps pointers.
 * The loops are element-wise, so they run at the machine's vector width
 * (vector.h) and split across threads with the same bits. */
#include <float.h>
#include <math.h>

#include "optimizer.h"
#include "parallel.h"
#include "vector.h"

sc_optimizer_settings sc_optimizer_settings_of(const sc_model *m)
{
    sc_optimizer_settings o;
    o.kind = (int)sc_model_value(m, SC_MODEL_PARAM_OPTIMIZER);
    o.learning_rate = sc_model_value(m, SC_MODEL_PARAM_LEARNING_RATE);
    o.momentum = sc_model_value(m, SC_MODEL_PARAM_MOMENTUM);
    o.beta1 = sc_model_value(m, SC_MODEL_PARAM_ADAM_BETA1);
    o.beta2 = sc_model_value(m, SC_MODEL_PARAM_ADAM_BETA2);
    o.epsilon = sc_model_value(m, SC_MODEL_PARAM_ADAM_EPSILON);
    o.step = m->state.steps + 1;
    return o;
}

/* 1 unless x is NaN or +-Inf.  Written as a comparison so that the loops
 * below have no branch and vectorise. */
static inline int finite(float x)
{
    return fabsf(x) <= FLT_MAX;
}

/* x, or 0 if x is subnormal: a value that would otherwise decay through
 * the subnormal range, about 100x slower to compute with on x86
 * (docs/math.md, "Subnormal numbers").  NaN stays NaN. */
static inline float flush(float x)
{
    return fabsf(x) < FLT_MIN ? 0.0f : x;
}

/* The per-array constants of one update. */
typedef struct {
    float rate;        /* SGD: lr;  Adam: lr_t = lr sqrt(c2) / c1 */
    float decay;       /* SGD: mu;  Adam: beta1 */
    float decay2;      /* Adam: beta2 */
    float epsilon;     /* Adam: eps_t = eps sqrt(c2) */
} coefficients;

/* (O1) v <- mu v - lr g;  w <- w + v.  Elements [0, count) of one array;
 * gw holds g on entry and the new w on return. */
SC_VECTOR_CLONES
static int sgd(size_t count, coefficients c, const float *restrict w,
               float *restrict gw, const float *restrict vel,
               float *restrict next_vel)
{
    int ok = 1;
    for (size_t i = 0; i < count; i++) {
        float v = c.decay * vel[i] - c.rate * gw[i], vf = flush(v);
        float nw = w[i] + vf;
        /* Finite checked before the flush, which keeps it: written so,
         * the loop vectorises. */
        ok &= finite(v) & finite(nw);
        next_vel[i] = vf;
        gw[i] = flush(nw);
    }
    return ok;
}

/* (O2) m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;
 *      w <- w - lr_t m / (sqrt(v) + eps_t)
 * with the bias corrections folded into lr_t and eps_t.  As sgd(). */
SC_VECTOR_CLONES
static int adam(size_t count, coefficients c, const float *restrict w,
                float *restrict gw, const float *restrict m1,
                const float *restrict m2, float *restrict next_m1,
                float *restrict next_m2)
{
    float b1 = c.decay, b2 = c.decay2;
    int ok = 1;
    for (size_t i = 0; i < count; i++) {
        float g = gw[i];
        float m = b1 * m1[i] + (1.0f - b1) * g, mf = flush(m);
        float v = b2 * m2[i] + (1.0f - b2) * g * g, vf = flush(v);
        float nw = w[i] - c.rate * mf / (sqrtf(vf) + c.epsilon);
        ok &= finite(m) & finite(v) & finite(nw);
        next_m1[i] = mf;
        next_m2[i] = vf;
        gw[i] = flush(nw);
    }
    return ok;
}

static coefficients coefficients_of(const sc_optimizer_settings *o,
                                    double scale)
{
    double lr = o->learning_rate * scale;
    coefficients c = {(float)lr, (float)o->momentum, 0.0f, 0.0f};
    if (o->kind == SC_OPTIMIZER_ADAM) {
        double c1 = 1.0 - pow(o->beta1, (double)o->step);
        double c2 = 1.0 - pow(o->beta2, (double)o->step);
        /* Folding the corrections: lr_t = lr sqrt(c2) / c1,
         * eps_t = eps sqrt(c2). */
        c.rate = (float)(lr * sqrt(c2) / c1);
        c.decay = (float)o->beta1;
        c.decay2 = (float)o->beta2;
        c.epsilon = (float)(o->epsilon * sqrt(c2));
    }
    return c;
}

/* The arrays of one staged update, laid end to end: element e of the
 * whole is element e - first[j] of array tensors[j]. */
typedef struct {
    sc_tensor *tensors;
    int adam;
    size_t count;                         /* arrays taking part */
    int which[SC_TENSOR_COUNT];           /* their SC_TENSOR_* */
    coefficients c[SC_TENSOR_COUNT];
    size_t first[SC_TENSOR_COUNT + 1];
    int ok[SC_PARALLEL_MAX_THREADS];      /* one flag per thread */
} stage_call;

/* Stages elements [begin, end) of the whole (a parallel body). */
static void stage_range(void *arg, size_t begin, size_t end, size_t thread)
{
    stage_call *call = arg;
    int ok = 1;
    for (size_t j = 0; j < call->count; j++) {
        size_t lo = begin > call->first[j] ? begin : call->first[j];
        size_t hi = end < call->first[j + 1] ? end : call->first[j + 1];
        if (lo >= hi)
            continue;
        sc_tensor *t = &call->tensors[call->which[j]];
        size_t at = lo - call->first[j], count = hi - lo;
        if (call->adam)
            ok &= adam(count, call->c[j], t->w + at, t->grad + at,
                       t->m1 + at, t->m2 + at, t->next_m1 + at,
                       t->next_m2 + at);
        else
            ok &= sgd(count, call->c[j], t->w + at, t->grad + at,
                      t->m1 + at, t->next_m1 + at);
    }
    call->ok[thread] = ok;
}

/* A second thread pays for its start (30-80 us) from about this many
 * elements (bench_drsae: the 787,000 weights of the 784-400 model take
 * about 0.5 ms on one core). */
#define PARALLEL_ELEMENTS ((size_t)1 << 17)

int sc_optimizer_stage(sc_tensor tensors[SC_TENSOR_COUNT],
                       const double scale[SC_TENSOR_COUNT],
                       const sc_optimizer_settings *o, size_t threads)
{
    stage_call call;
    call.tensors = tensors;
    call.adam = o->kind == SC_OPTIMIZER_ADAM;
    call.count = 0;
    call.first[0] = 0;
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        if (!(scale[t] > 0) || tensors[t].count == 0)
            continue;
        call.which[call.count] = t;
        call.c[call.count] = coefficients_of(o, scale[t]);
        call.first[call.count + 1] = call.first[call.count] +
                                     tensors[t].count;
        call.count++;
    }
    size_t total = call.first[call.count];
    if (total < PARALLEL_ELEMENTS || threads < 1)
        threads = 1;
    if (threads > SC_PARALLEL_MAX_THREADS)
        threads = SC_PARALLEL_MAX_THREADS;
    for (size_t i = 0; i < threads; i++)
        call.ok[i] = 1;
    sc_parallel_for(total, threads, stage_range, &call);
    int ok = 1;
    for (size_t i = 0; i < threads; i++)
        ok &= call.ok[i];
    return ok;
}

static void swap(float **a, float **b)
{
    float *t = *a;
    *a = *b;
    *b = t;
}

void sc_optimizer_commit(sc_state *s, const double scale[SC_TENSOR_COUNT],
                         const sc_optimizer_settings *o)
{
    for (int t = 0; t < SC_TENSOR_COUNT; t++) {
        sc_tensor *tensor = &s->tensor[t];
        if (!(scale[t] > 0) || tensor->count == 0)
            continue;
        swap(&tensor->m1, &tensor->next_m1);
        if (o->kind == SC_OPTIMIZER_ADAM) /* SGD has no second moment */
            swap(&tensor->m2, &tensor->next_m2);
        sc_state_swap_weights(s, t);
    }
}
