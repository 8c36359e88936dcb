/* SPDX-License-Identifier: BSD-2-Clause */
/* evaluate.c -- sc_model_evaluate: the statistics of a step without the
 * step, on a const model, through the step's own forward pass and loss
 * code (step.h, losses.h) with per-call buffers. */
#include <math.h>

#include "losses.h"
#include "model.h"
#include "step.h"

/* Samples per piece: the buffers hold this many.  A batch of at most
 * this many gives the very values a step reports; a longer one is the
 * mean of its pieces' means, weighted by their sizes. */
#define SC_EVALUATE_CHUNK 256

static void add_weighted(sc_loss_values *sum, const sc_loss_values *v,
                         double weight)
{
    sum->loss += v->loss * weight;
    sum->recon += v->recon * weight;
    sum->l1 += v->l1 * weight;
    sum->group += v->group * weight;
    sum->classification += v->classification * weight;
    sum->regression += v->regression * weight;
    sum->active_fraction += v->active_fraction * weight;
    sum->class_error += v->class_error * weight;
}

static int all_values_finite(const sc_loss_values *v)
{
    const double all[] = {v->loss, v->recon, v->l1, v->group,
                          v->classification, v->regression};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!isfinite(all[i]))
            return 0;
    return 1;
}

sc_status sc_model_evaluate(const sc_model *model, const float *x,
                            const int32_t *labels, const float *targets,
                            size_t batch, sc_model_stats *stats)
{
    static const char caller[] = "sc_model_evaluate";
    if (model == NULL || stats == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       model == NULL ? "model" : "stats");
    /* Without labels, no classification figures. */
    sc_loss_weights w = sc_loss_weights_of(model);
    if (labels == NULL)
        w.classification = 0.0;
    sc_status status = sc_check_step_input(model, NULL, x, labels, targets,
                                           batch, stats, &w, caller);
    if (status != SC_OK)
        return status;
    size_t n = model->n, k = model->k;
    size_t chunk = batch < SC_EVALUATE_CHUNK ? batch : SC_EVALUATE_CHUNK;
    sc_train_buffers buf;
    if (sc_forward_buffers_create(model, chunk, &buf) != SC_OK)
        return sc_fail(NULL, SC_ERR_NOMEM, "%s: out of memory", caller);
    const sc_state *s = &model->state;
    sc_loss_operators ops = sc_loss_operators_of(s);
    int lcod = sc_model_value(model, SC_MODEL_PARAM_ENCODER) == SC_ENCODER_LCOD;
    sc_loss_values total = {0}, piece;
    for (size_t b = 0; b < batch; b += chunk) {
        size_t rows = batch - b < chunk ? batch - b : chunk;
        const float *xb = x + b * n;
        const float *z = sc_forward(s, sc_unroll_of(model, rows), lcod, xb,
                                    &buf, 0);
        sc_losses_evaluate(&ops, &w, rows, xb, z, labels ? labels + b : NULL,
                           targets ? targets + b * k : NULL, &buf, NULL,
                           &piece);
        if (rows == batch)
            total = piece;
        else
            add_weighted(&total, &piece, (double)rows / (double)batch);
    }
    sc_train_buffers_release(&buf);
    if (!all_values_finite(&total))
        return sc_fail(NULL, SC_ERR_NONFINITE,
                       "%s: the losses overflowed to NaN or Inf (loss %g): "
                       "the model's weights are too large for these inputs",
                       caller, total.loss);
    sc_stats_report(stats, &total);
    return SC_OK;
}
