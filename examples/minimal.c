/* SPDX-License-Identifier: BSD-2-Clause */
/* minimal.c -- the smallest complete libsparsecode program: create a
 * model, initialise it, train a few steps, encode, decode, free.  Every
 * call's status is checked.  Build it like any program that uses the
 * library:
 *
 *     cc minimal.c $(pkg-config --cflags --libs libsparsecode) -o minimal
 */
#include <stdio.h>
#include <stdlib.h>

#include <sparsecode.h>

#define INPUTS 64
#define UNITS 32
#define BATCH 16

/* Prints what failed and why, and leaves main with status 1. */
#define CHECK(call)                                                        \
    do {                                                                   \
        sc_status status_ = (call);                                        \
        if (status_ != SC_OK) {                                            \
            fprintf(stderr, "%s: %s\n  %s\n", #call,                       \
                    sc_status_string(status_), sc_last_message());            \
            sc_model_free(model);                                          \
            return 1;                                                      \
        }                                                                  \
    } while (0)

int main(void)
{
    float x[BATCH * INPUTS], codes[BATCH * UNITS], back[BATCH * INPUTS];
    sc_model *model = NULL;

    /* Some data: uniform random values in [0, 1]. */
    srand(1);
    for (int i = 0; i < BATCH * INPUTS; i++)
        x[i] = (float)rand() / (float)RAND_MAX;

    CHECK(sc_model_create(&model, INPUTS, UNITS));
    CHECK(sc_model_set(model, SC_MODEL_PARAM_ITERATIONS, 5));
    CHECK(sc_model_set(model, SC_MODEL_PARAM_L1_WEIGHT, 0.05));
    CHECK(sc_model_set(model, SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM));
    CHECK(sc_model_set(model, SC_MODEL_PARAM_LEARNING_RATE, 1e-3));
    CHECK(sc_model_init_data(model, x, BATCH, 42));

    sc_model_stats stats = {.size = sizeof stats};
    for (int step = 0; step < 50; step++) {
        CHECK(sc_model_step(model, x, NULL, NULL, BATCH, &stats));
        if (step % 10 == 0 || step == 49)
            printf("step %2d  loss %.4f  reconstruction %.4f  active %.0f%%\n",
                   step, stats.loss, stats.recon,
                   100 * stats.active_fraction);
    }

    CHECK(sc_model_encode(model, x, BATCH, codes));
    CHECK(sc_model_decode(model, codes, BATCH, back));
    double error = 0, energy = 0;
    for (int i = 0; i < BATCH * INPUTS; i++) {
        error += (double)(x[i] - back[i]) * (x[i] - back[i]);
        energy += (double)x[i] * x[i];
    }
    printf("relative reconstruction error %.3f with libsparsecode %s\n",
           error / energy, sc_version_string());
    sc_model_free(model);
    return 0;
}
