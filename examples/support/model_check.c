/* SPDX-License-Identifier: BSD-2-Clause */
/* model_check.c -- see model_check.h. */
#include "model_check.h"

#include <stdio.h>

/* The value of a parameter of a loaded model (which has every one). */
static double value_of(const sc_model *m, sc_model_param param)
{
    double value = 0;
    return sc_model_get(m, param, &value) == SC_OK ? value : 0;
}

int model_check(const char *program, const char *path, const sc_model *m,
                const model_use *use)
{
    double field = value_of(m, SC_MODEL_PARAM_LOCAL_FIELD);
    if ((field > 0) != (use->local != 0)) {
        fprintf(stderr, "%s: %s is a %s model (SC_MODEL_PARAM_LOCAL_FIELD = "
                "%g); %s uses %s models\n", program, path,
                field > 0 ? "local" : "dense", field, program,
                use->local ? "local" : "dense");
        return 1;
    }
    if (sc_model_inputs(m) != use->inputs) {
        fprintf(stderr, "%s: %s expects %zu inputs, the data has %zu\n",
                program, path, sc_model_inputs(m), use->inputs);
        return 1;
    }
    if (use->classifier && value_of(m, SC_MODEL_PARAM_CLASSES) == 0) {
        fprintf(stderr, "%s: %s has no classifier (SC_MODEL_PARAM_CLASSES = "
                "0); %s needs one\n", program, path, program);
        return 1;
    }
    return 0;
}
