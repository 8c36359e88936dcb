/* SPDX-License-Identifier: BSD-2-Clause */
/* spectral.c -- power iteration. */
#include <math.h>
#include <stdlib.h>

#include "rng.h"
#include "spectral.h"

#define MAX_ITERATIONS 500
#define RELATIVE_CHANGE 1e-7

void sc_power_start(double *v, size_t k)
{
    sc_rng rng;
    sc_rng_seed(&rng, 0x5eed);
    double vnorm = 0.0;
    for (size_t i = 0; i < k; i++) {
        v[i] = 0.5 + sc_rng_uniform(&rng);
        vnorm += v[i] * v[i];
    }
    for (size_t i = 0; i < k; i++)
        v[i] /= sqrt(vnorm);
}

void sc_power_warm_start(double *v, const double *previous, size_t k)
{
    sc_power_start(v, k);
    if (previous == NULL)
        return;
    double norm = 0.0;
    for (size_t i = 0; i < k; i++) {
        v[i] = previous[i] + SC_POWER_WARM_MIX * v[i];
        norm += v[i] * v[i];
    }
    norm = sqrt(norm);
    for (size_t i = 0; i < k; i++)
        v[i] /= norm;
}

sc_power_result sc_power_iteration(const float *g, size_t k, double *v,
                                   double *work, int min_iterations)
{
    double *w = work;
    sc_power_result r = {0.0, 0.0, 0};
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
        r.iterations = it + 1;
        if (it == 0 || lambda > r.highest)
            r.highest = lambda;
        norm = sqrt(norm);
        if (norm == 0.0)
            break;
        for (size_t i = 0; i < k; i++)
            v[i] = w[i] / norm;
        if (it >= min_iterations &&
            fabs(lambda - previous) <= RELATIVE_CHANGE * fabs(lambda))
            break;
    }
    r.last = lambda;
    return r;
}

double sc_largest_eigenvalue(const float *g, size_t k)
{
    double *v = malloc(2 * k * sizeof *v);
    if (v == NULL)
        return -1.0;
    sc_power_start(v, k);
    sc_power_result r = sc_power_iteration(g, k, v, v + k,
                                           SC_POWER_COLD_MIN_ITERATIONS);
    free(v);
    return r.last;
}
