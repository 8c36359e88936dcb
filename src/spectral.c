/* SPDX-License-Identifier: BSD-2-Clause */
/* spectral.c -- power iteration. */
#include <math.h>
#include <stdlib.h>

#include "rng.h"
#include "spectral.h"

#define MAX_ITERATIONS 500
#define MIN_ITERATIONS 20
#define RELATIVE_CHANGE 1e-7

double sc_largest_eigenvalue(const float *g, size_t k)
{
    double *v = malloc(2 * k * sizeof *v);
    if (v == NULL)
        return -1.0;
    double *w = v + k;
    sc_rng rng;
    sc_rng_seed(&rng, 0x5eed);
    double vnorm = 0.0;
    for (size_t i = 0; i < k; i++) {
        v[i] = 0.5 + sc_rng_uniform(&rng);
        vnorm += v[i] * v[i];
    }
    for (size_t i = 0; i < k; i++)
        v[i] /= sqrt(vnorm);
    double lambda = 0.0;
    for (int it = 0; it < MAX_ITERATIONS; it++) {
        /* w = G v; lambda = v.w (v has unit norm); v = w / |w|. */
        double norm = 0.0, rayleigh = 0.0;
        for (size_t i = 0; i < k; i++) {
            const float *row = g + i * k;
            double s = 0.0;
            for (size_t j = 0; j < k; j++)
                s += (double)row[j] * v[j];
            w[i] = s;
            norm += s * s;
            rayleigh += s * v[i];
        }
        double previous = lambda;
        lambda = rayleigh;
        norm = sqrt(norm);
        if (norm == 0.0)
            break;
        for (size_t i = 0; i < k; i++)
            v[i] = w[i] / norm;
        if (it >= MIN_ITERATIONS &&
            fabs(lambda - previous) <= RELATIVE_CHANGE * fabs(lambda))
            break;
    }
    free(v);
    return lambda;
}
