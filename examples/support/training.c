/* SPDX-License-Identifier: BSD-2-Clause */
/* training.c -- one epoch of training for the examples. */
#include <stdio.h>

#include "batches.h"
#include "progress.h"
#include "report.h"
#include "training.h"

int training_schedule_next(const char *program, sc_model *m,
                           const training_schedule *schedule)
{
    if (schedule == NULL)
        return 0;
    double done = (double)(*schedule->steps)++;
    double rate = schedule->rate / (1.0 + schedule->per_step * done);
    REPORT_CHECK(program, sc_model_set(m, SC_MODEL_PARAM_LEARNING_RATE, rate));
    return 0;
}

void training_tally_add(training_tally *t, const sc_model_stats *st)
{
    t->recon += st->recon;
    t->l1 += st->l1;
    t->cls += st->classification;
    t->active += st->active_fraction;
    t->err += st->class_error;
    t->steps++;
}

void training_tally_format(const training_tally *t, char *text, size_t size)
{
    double n = t->steps > 0 ? (double)t->steps : 1.0;
    snprintf(text, size,
             "recon %.4f  l1 %.3f  class %.3f  err %.2f%%  active %.1f%%",
             t->recon / n, t->l1 / n, t->cls / n, 100 * t->err / n,
             100 * t->active / n);
}

int training_pass(const char *program, sc_model *m, const float *x,
                  const int32_t *y, const size_t *order, size_t count,
                  size_t dim, size_t batch, float *xb, int32_t *yb,
                  const char *label, const training_schedule *schedule)
{
    progress bar;
    progress_start(&bar, label, count);
    training_tally tally = {0};
    char status[160] = "";
    for (size_t b = 0; b + batch <= count; b += batch) {
        batches_gather(xb, x, order + b, batch, dim);
        for (size_t i = 0; i < batch; i++)
            yb[i] = y[order[b + i]];
        sc_model_stats st = {.size = sizeof st};
        if (training_schedule_next(program, m, schedule) != 0)
            return 1;
        REPORT_CHECK(program, sc_model_step(m, xb, yb, NULL, batch, &st));
        training_tally_add(&tally, &st);
        training_tally_format(&tally, status, sizeof status);
        progress_update(&bar, batch, status);
    }
    progress_finish(&bar, status);
    return 0;
}

int training_epoch(const char *program, sc_model *m, const float *x,
                   const int32_t *y, size_t count, size_t dim, size_t batch,
                   size_t *order, float *xb, int32_t *yb, const char *label,
                   unsigned long long *rng,
                   const training_schedule *schedule)
{
    batches_shuffle(order, count, rng);
    return training_pass(program, m, x, y, order, count, dim, batch, xb, yb,
                         label, schedule);
}
