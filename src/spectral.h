/* SPDX-License-Identifier: BSD-2-Clause */
/* spectral.h -- the largest eigenvalue of a Gram matrix, for the step
 * size 1/L of ISTA, FISTA and the ISTA relation (I1). */
#ifndef SC_SPECTRAL_H
#define SC_SPECTRAL_H

#include <stddef.h>

/* The power iteration's fixed pseudo-random unit start vector, k doubles
 * (the same on every platform, so cold estimates are deterministic). */
void sc_power_start(double *v, size_t k);

/* A warm start: the unit vector along previous + SC_POWER_WARM_MIX times
 * the cold start (previous: a unit vector, k doubles, e.g. the last
 * iterate for a nearby matrix; NULL: the cold start itself), into v.
 * Mixing in the cold start keeps every direction that the cold start
 * reaches within reach: if the top eigenvector has turned (nearly)
 * orthogonal to `previous` -- two top eigenvalues crossing -- the
 * iteration does not settle on the lower one (from `previous` alone, an
 * exact eigenvector for the lower eigenvalue, it would never leave it). */
void sc_power_warm_start(double *v, const double *previous, size_t k);
#define SC_POWER_WARM_MIX 0.1

/* What a power iteration found.  In exact arithmetic the Rayleigh
 * quotients of a positive semi-definite G's iterates never decrease
 * (the moments v^T G^j v are log-convex in j), so `highest` = `last`
 * and both are lower bounds on lambda_max(G); in float they may differ
 * in the last bits. */
typedef struct {
    double last;       /* the Rayleigh quotient of the last iterate     */
    double highest;    /* the highest Rayleigh quotient met             */
    int iterations;
} sc_power_result;

/* Power iteration on the k x k symmetric positive semi-definite matrix g
 * from the unit vector v, which receives the last iterate (an
 * approximate top eigenvector); work: k doubles of scratch.  It runs at
 * least min_iterations + 1 iterations and stops when the Rayleigh
 * quotient changes by at most 1e-7 relative, or after 500.  A zero
 * product G v stops it with last = 0. */
sc_power_result sc_power_iteration(const float *g, size_t k, double *v,
                                   double *work, int min_iterations);

/* The cold estimate: sc_power_iteration from sc_power_start with at least
 * SC_POWER_COLD_MIN_ITERATIONS iterations. */
#define SC_POWER_COLD_MIN_ITERATIONS 20
/* A warm start's: the Rayleigh quotient of the start vector may already
 * have settled, but the cold share must have had iterations to grow. */
#define SC_POWER_WARM_MIN_ITERATIONS 2

/* Largest eigenvalue of the symmetric positive semi-definite k x k matrix
 * g: the cold estimate's last Rayleigh quotient.  -1 if out of memory. */
double sc_largest_eigenvalue(const float *g, size_t k);

#endif
