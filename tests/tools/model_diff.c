/* SPDX-License-Identifier: BSD-2-Clause */
/* model_diff.c -- how far apart two models' weights are, for
 * tests/examples_mpi.sh.
 *
 *   model_diff A B
 *
 * Prints, for every weight array both models have, its relative
 * distance |A - B| / |A| (Frobenius norms, in double), one line
 * "NAME RELATIVE" each, then "max RELATIVE".  Exits 0, 1 if the models
 * cannot be loaded or their arrays differ in shape. */
#include <math.h>
#include <stdio.h>

#include <sparsecode.h>

static const struct {
    sc_weight which;
    const char *name;
} arrays[] = {{SC_WEIGHT_ENCODER, "W_e"},   {SC_WEIGHT_LATERAL, "S"},
              {SC_WEIGHT_THRESHOLD, "theta"}, {SC_WEIGHT_DECODER, "W_d"},
              {SC_WEIGHT_CLASSIFIER, "C"},  {SC_WEIGHT_CLASS_BIAS, "c"}};

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: model_diff A B\n");
        return 2;
    }
    sc_model *a = NULL, *b = NULL;
    if (sc_model_load(&a, argv[1]) != SC_OK ||
        sc_model_load(&b, argv[2]) != SC_OK) {
        fprintf(stderr, "model_diff: cannot load: %s\n", sc_last_message());
        sc_model_free(a);
        return 1;
    }
    double worst = 0;
    int rc = 0;
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        const float *x, *y;
        size_t rx, cx, ry, cy;
        sc_status sa = sc_model_weights(a, arrays[i].which, &x, &rx, &cx);
        sc_status sb = sc_model_weights(b, arrays[i].which, &y, &ry, &cy);
        if (sa != SC_OK && sb != SC_OK)
            continue;
        if (sa != SC_OK || sb != SC_OK || rx != ry || cx != cy) {
            fprintf(stderr, "model_diff: %s differs in shape\n",
                    arrays[i].name);
            rc = 1;
            break;
        }
        double diff = 0, norm = 0;
        for (size_t j = 0; j < rx * cx; j++) {
            diff += ((double)x[j] - y[j]) * ((double)x[j] - y[j]);
            norm += (double)x[j] * x[j];
        }
        double relative = norm > 0 ? sqrt(diff / norm) : sqrt(diff);
        printf("%s %.3g\n", arrays[i].name, relative);
        if (relative > worst)
            worst = relative;
    }
    if (rc == 0)
        printf("max %.3g\n", worst);
    sc_model_free(a);
    sc_model_free(b);
    return rc;
}
