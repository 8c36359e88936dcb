/* SPDX-License-Identifier: BSD-2-Clause */
/* load_exercise.c -- see load_exercise.h. */
#include "load_exercise.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sparsecode.h"

/* The encoder's work grows with T * k * n per sample; a model bigger than
 * this is only loaded, not run, to keep an execution fast. */
#define MAX_WORK ((size_t)1 << 22)

static void fail(const char *what, sc_status status)
{
    fprintf(stderr, "%s: %s (%s)\n", what, sc_status_string(status),
            sc_last_message());
    abort();
}

void fz_use_model(const sc_model *m, fz_bytes *more)
{
    size_t n = sc_model_inputs(m), k = sc_model_units(m);
    double t = 0, classes = 0;
    if (sc_model_get(m, SC_MODEL_PARAM_ITERATIONS, &t) != SC_OK ||
        sc_model_get(m, SC_MODEL_PARAM_CLASSES, &classes) != SC_OK)
        fail("sc_model_get on a loaded model", SC_ERR_STATE);
    if ((double)n * (double)k * (t + 1) > (double)MAX_WORK)
        return;
    size_t c = (size_t)classes;
    float *x = malloc(n * sizeof *x), *z = malloc(k * sizeof *z),
          *xhat = malloc(n * sizeof *xhat);
    float *probs = malloc((c > 0 ? c : 1) * sizeof *probs);
    if (x == NULL || z == NULL || xhat == NULL || probs == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        x[i] = fz_float(more);
    sc_status status = sc_model_encode(m, x, 1, z);
    if (status == SC_OK) {
        for (size_t i = 0; i < k; i++)
            if (!isfinite(z[i]))
                fail("sc_model_encode: SC_OK with a non-finite code",
                     status);
        status = sc_model_decode(m, z, 1, xhat);
        if (status == SC_OK)
            for (size_t i = 0; i < n; i++)
                if (!isfinite(xhat[i]))
                    fail("sc_model_decode: SC_OK with a non-finite output",
                         status);
    } else if (status != SC_ERR_NONFINITE) {
        fail("sc_model_encode", status);
    }
    int32_t label;
    status = sc_model_predict(m, x, 1, &label, probs);
    if (status == SC_OK && (label < 0 || (size_t)label >= c))
        fail("sc_model_predict: label out of range", status);
    if (status != SC_OK && status != SC_ERR_NONFINITE &&
        !(status == SC_ERR_STATE && c == 0))
        fail("sc_model_predict", status);
    for (int w = SC_WEIGHT_ENCODER; w <= SC_WEIGHT_CLASS_BIAS; w++) {
        const float *data;
        size_t rows, cols;
        status = sc_model_weights(m, (sc_weight)w, &data, &rows, &cols);
        if (status == SC_OK) {
            volatile float sum = 0;
            for (size_t i = 0; i < rows * cols; i++)
                sum += data[i];   /* every element readable (ASan) */
            (void)sum;
        } else if (!(status == SC_ERR_STATE && c == 0 &&
                     w >= SC_WEIGHT_CLASSIFIER)) {
            fail("sc_model_weights", status);
        }
    }
    free(x);
    free(z);
    free(xhat);
    free(probs);
}

sc_model *fz_load_checked(const unsigned char *file, size_t size)
{
    char path[32];
    int fd = fz_memfile(file, size, path);
    sc_model *m = NULL;
    sc_status status = sc_model_load(&m, path);
    close(fd);
    switch (status) {
    case SC_OK:
        if (m == NULL || !sc_model_is_initialized(m))
            fail("sc_model_load: SC_OK without an initialised model",
                 status);
        return m;
    case SC_ERR_FORMAT:
    case SC_ERR_VERSION:
        if (m != NULL)
            fail("sc_model_load: failed but wrote *out", status);
        return NULL;
    default:
        /* SC_ERR_IO cannot happen on a memfd, nor SC_ERR_NOMEM on the
         * sizes a file of bounded length implies. */
        fail("sc_model_load", status);
        return NULL;
    }
}
