/* SPDX-License-Identifier: BSD-2-Clause */
/* evaluation.c -- the examples' measures of a trained model. */
#include <stdlib.h>

#include "evaluation.h"
#include "report.h"

int evaluation_reconstruction(const char *program, const sc_model *m,
                              const float *x, size_t count, double *recon,
                              double *active)
{
    size_t n = sc_model_inputs(m), k = sc_model_units(m);
    float *z = malloc(count * k * sizeof *z);
    float *xhat = malloc(count * n * sizeof *xhat);
    sc_status s = z == NULL || xhat == NULL ? SC_ERR_NOMEM : SC_OK;
    if (s == SC_OK)
        s = sc_model_encode(m, x, count, z);
    if (s == SC_OK)
        s = sc_model_decode(m, z, count, xhat);
    if (s == SC_OK) {
        double err = 0, norm = 0;
        size_t nonzero = 0;
        for (size_t i = 0; i < count * n; i++) {
            err += (double)(x[i] - xhat[i]) * (x[i] - xhat[i]);
            norm += (double)x[i] * x[i];
        }
        for (size_t i = 0; i < count * k; i++)
            nonzero += z[i] != 0;
        *recon = norm > 0 ? err / norm : 0.0;
        *active = (double)nonzero / (double)(count * k);
    }
    free(z);
    free(xhat);
    return s == SC_OK ? 0 : report_failure(program, "evaluating", s);
}

int evaluation_test_error(const char *program, const sc_model *m,
                          const float *x, const int32_t *y, size_t count,
                          double *percent)
{
    int32_t *pred = malloc(count * sizeof *pred);
    if (pred == NULL)
        return report_failure(program, "malloc", SC_ERR_NOMEM);
    sc_status s = sc_model_predict(m, x, count, pred, NULL);
    if (s != SC_OK) {
        free(pred);
        return report_failure(program, "sc_model_predict", s);
    }
    size_t wrong = 0;
    for (size_t i = 0; i < count; i++)
        wrong += pred[i] != y[i];
    free(pred);
    *percent = 100.0 * (double)wrong / (double)count;
    return 0;
}
