/* SPDX-License-Identifier: BSD-2-Clause */
/* check_ista.c -- an encoder initialised from a dictionary by the ISTA
 * relation (I1) computes, after T steps, the codes of T ISTA iterations
 * from z = 0 (relu: non-negative ISTA; soft: plain ISTA), computed here
 * independently in double precision. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "sparsecode.h"

#define N_IN 12
#define N_UNITS 20
#define BATCH 5

static double uniform(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return ((*state >> 8) & 0xFFFF) / 65536.0;
}

/* T iterations of z <- h(z + D^T (x - D z) / L - lambda / L). */
static void ista(const float *d, double lipschitz, double lambda, int soft,
                 const float *x, size_t steps, double *z)
{
    double r[N_IN], v[N_UNITS];
    for (size_t i = 0; i < N_UNITS; i++)
        z[i] = 0.0;
    for (size_t t = 0; t < steps; t++) {
        for (size_t i = 0; i < N_IN; i++) {
            r[i] = x[i];
            for (size_t j = 0; j < N_UNITS; j++)
                r[i] -= (double)d[i * N_UNITS + j] * z[j];
        }
        for (size_t j = 0; j < N_UNITS; j++) {
            double g = 0.0;
            for (size_t i = 0; i < N_IN; i++)
                g += (double)d[i * N_UNITS + j] * r[i];
            v[j] = z[j] + g / lipschitz;
        }
        double theta = lambda / lipschitz;
        for (size_t j = 0; j < N_UNITS; j++) {
            double m = fabs(v[j]) - theta;
            if (soft)
                z[j] = m > 0 ? copysign(m, v[j]) : 0.0;
            else
                z[j] = v[j] - theta > 0 ? v[j] - theta : 0.0;
        }
    }
}

static const size_t unrolls[] = {1, 2, 5, 11, 40};

static void check_equivalence(int shrink, size_t steps)
{
    unsigned seed = 11;
    float dict[N_IN * N_UNITS], x[BATCH * N_IN], codes[BATCH * N_UNITS];
    for (size_t i = 0; i < N_IN * N_UNITS; i++)
        dict[i] = (float)(uniform(&seed) - 0.5);
    for (size_t i = 0; i < BATCH * N_IN; i++)
        x[i] = (float)(uniform(&seed) - 0.3);
    const double lambda = 0.05;
    sc_model *m;
    ck_assert_int_eq(sc_model_create(&m, N_IN, N_UNITS), SC_OK);
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_ITERATIONS, (double)steps),
                     SC_OK);
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_SHRINK, shrink), SC_OK);
    ck_assert_int_eq(sc_model_set(m, SC_MODEL_PARAM_L1_WEIGHT, lambda), SC_OK);
    ck_assert_int_eq(sc_model_init_dictionary(m, dict), SC_OK);
    ck_assert_int_eq(sc_model_encode(m, x, BATCH, codes), SC_OK);

    /* The model's own W_d (columns clipped to norm 1) and L = lambda/theta. */
    const float *d, *theta;
    size_t rows, cols;
    ck_assert_int_eq(sc_model_weights(m, SC_WEIGHT_DECODER, &d, &rows, &cols),
                     SC_OK);
    ck_assert_int_eq(sc_model_weights(m, SC_WEIGHT_THRESHOLD, &theta, &rows,
                                      &cols), SC_OK);
    double lipschitz = lambda / theta[0];

    /* L must bound the largest eigenvalue of D^T D: check with the
     * Rayleigh quotient of a few vectors. */
    for (int trial = 0; trial < 5; trial++) {
        double v[N_UNITS], dv[N_IN], vv = 0, dd = 0;
        for (size_t j = 0; j < N_UNITS; j++) {
            v[j] = uniform(&seed) - 0.5;
            vv += v[j] * v[j];
        }
        for (size_t i = 0; i < N_IN; i++) {
            dv[i] = 0;
            for (size_t j = 0; j < N_UNITS; j++)
                dv[i] += d[i * N_UNITS + j] * v[j];
            dd += dv[i] * dv[i];
        }
        ck_assert_double_le(dd / vv, lipschitz);
    }

    for (size_t b = 0; b < BATCH; b++) {
        double z[N_UNITS];
        ista(d, lipschitz, lambda, shrink == SC_SHRINK_SOFT, x + b * N_IN,
             steps, z);
        for (size_t j = 0; j < N_UNITS; j++)
            ck_assert_msg(fabs(z[j] - codes[b * N_UNITS + j]) <=
                              1e-4 * (1.0 + fabs(z[j])),
                          "T=%zu sample %zu unit %zu: ISTA %.7g, encoder %.7g",
                          steps, b, j, z[j], codes[b * N_UNITS + j]);
    }
    sc_model_free(m);
}

START_TEST(relu_encoder_is_nonnegative_ista)
{
    check_equivalence(SC_SHRINK_RELU, unrolls[_i]);
}
END_TEST

START_TEST(soft_encoder_is_ista)
{
    check_equivalence(SC_SHRINK_SOFT, unrolls[_i]);
}
END_TEST

Suite *ista_suite(void)
{
    Suite *s = suite_create("ista");
    TCase *tc = tcase_create("equivalence");
    tcase_add_loop_test(tc, relu_encoder_is_nonnegative_ista, 0, 5);
    tcase_add_loop_test(tc, soft_encoder_is_ista, 0, 5);
    suite_add_tcase(s, tc);
    return s;
}
