/* optimizer.c -- the parameter updates.  One function computes an update
 * and either only checks it or writes it, so the check and the write can
 * never disagree. */
#include <float.h>
#include <math.h>

#include "optimizer.h"

sc_optimizer_settings sc_optimizer_settings_of(const sc_model *m)
{
    sc_optimizer_settings o;
    o.kind = (int)sc_model_value(m, SC_PARAM_OPTIMIZER);
    o.learning_rate = sc_model_value(m, SC_PARAM_LEARNING_RATE);
    o.momentum = sc_model_value(m, SC_PARAM_MOMENTUM);
    o.beta1 = sc_model_value(m, SC_PARAM_ADAM_BETA1);
    o.beta2 = sc_model_value(m, SC_PARAM_ADAM_BETA2);
    o.epsilon = sc_model_value(m, SC_PARAM_ADAM_EPSILON);
    o.step = m->state.steps + 1;
    return o;
}

/* 1 unless x is NaN or +-Inf.  Written as a comparison so that the loops
 * below have no branch and vectorise. */
static inline int finite(float x)
{
    return fabsf(x) <= FLT_MAX;
}

/* (O1) v <- mu v - lr g;  w <- w + v. */
static int sgd(sc_tensor *t, float lr, float mu, int apply)
{
    const float *g = t->grad;
    float *w = t->w, *vel = t->m1;
    if (!apply) {
        int ok = 1;
        for (size_t i = 0; i < t->count; i++) {
            float v = mu * vel[i] - lr * g[i];
            ok &= finite(v) & finite(w[i] + v);
        }
        return ok;
    }
    for (size_t i = 0; i < t->count; i++) {
        float v = mu * vel[i] - lr * g[i];
        vel[i] = v;
        w[i] += v;
    }
    return 1;
}

/* (O2) m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;
 *      w <- w - lr mhat / (sqrt(vhat) + eps), with mhat = m / (1 - b1^t),
 *      vhat = v / (1 - b2^t). */
static int adam(sc_tensor *t, const sc_optimizer_settings *o, double lr,
                int apply)
{
    float b1 = (float)o->beta1, b2 = (float)o->beta2;
    double c1 = 1.0 - pow(o->beta1, (double)o->step);
    double c2 = 1.0 - pow(o->beta2, (double)o->step);
    /* Folding the corrections: lr_t = lr sqrt(c2) / c1, eps_t = eps sqrt(c2). */
    float lr_t = (float)(lr * sqrt(c2) / c1);
    float eps_t = (float)(o->epsilon * sqrt(c2));
    const float *g = t->grad;
    float *w = t->w, *m1 = t->m1, *m2 = t->m2;
    if (!apply) {
        int ok = 1;
        for (size_t i = 0; i < t->count; i++) {
            float m = b1 * m1[i] + (1.0f - b1) * g[i];
            float v = b2 * m2[i] + (1.0f - b2) * g[i] * g[i];
            ok &= finite(m) & finite(v) &
                  finite(w[i] - lr_t * m / (sqrtf(v) + eps_t));
        }
        return ok;
    }
    for (size_t i = 0; i < t->count; i++) {
        float m = b1 * m1[i] + (1.0f - b1) * g[i];
        float v = b2 * m2[i] + (1.0f - b2) * g[i] * g[i];
        m1[i] = m;
        m2[i] = v;
        w[i] -= lr_t * m / (sqrtf(v) + eps_t);
    }
    return 1;
}

int sc_optimizer_update(sc_tensor *t, const sc_optimizer_settings *o,
                        double scale, int apply)
{
    double lr = o->learning_rate * scale;
    if (o->kind == SC_OPTIMIZER_ADAM)
        return adam(t, o, lr, apply);
    return sgd(t, (float)lr, (float)o->momentum, apply);
}
