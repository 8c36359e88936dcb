/* SPDX-License-Identifier: BSD-2-Clause */
/* training.c -- one epoch of training for the examples. */
#include <stdio.h>

#include "batches.h"
#include "progress.h"
#include "report.h"
#include "training.h"

int training_epoch(const char *program, sc_model *m, const float *x,
                   const int32_t *y, size_t count, size_t dim, size_t batch,
                   size_t *order, float *xb, int32_t *yb, const char *label,
                   unsigned long long *rng,
                   const training_schedule *schedule)
{
    batches_shuffle(order, count, rng);
    progress bar;
    progress_start(&bar, label, count);
    double recon = 0, l1 = 0, cls = 0, active = 0, err = 0;
    size_t steps = 0;
    char status[160] = "";
    for (size_t b = 0; b + batch <= count; b += batch) {
        batches_gather(xb, x, order + b, batch, dim);
        for (size_t i = 0; i < batch; i++)
            yb[i] = y[order[b + i]];
        sc_model_stats st = {.size = sizeof st};
        if (schedule != NULL) {
            double done = (double)(*schedule->steps)++;
            double rate = schedule->rate / (1.0 + schedule->per_step * done);
            REPORT_CHECK(program,
                         sc_model_set(m, SC_MODEL_PARAM_LEARNING_RATE, rate));
        }
        REPORT_CHECK(program, sc_model_step(m, xb, yb, NULL, batch, &st));
        recon += st.recon;
        l1 += st.l1;
        cls += st.classification;
        active += st.active_fraction;
        err += st.class_error;
        steps++;
        snprintf(status, sizeof status,
                 "recon %.4f  l1 %.3f  class %.3f  err %.2f%%  active %.1f%%",
                 recon / steps, l1 / steps, cls / steps, 100 * err / steps,
                 100 * active / steps);
        progress_update(&bar, batch, status);
    }
    progress_finish(&bar, status);
    return 0;
}
