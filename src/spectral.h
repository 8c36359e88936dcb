/* SPDX-License-Identifier: BSD-2-Clause */
/* spectral.h -- the largest eigenvalue of a Gram matrix, for the step
 * size 1/L of ISTA, FISTA and the ISTA relation (I1). */
#ifndef SC_SPECTRAL_H
#define SC_SPECTRAL_H

#include <stddef.h>

/* Largest eigenvalue of the symmetric positive semi-definite k x k matrix
 * g, by power iteration from a fixed pseudo-random start (so the result is
 * deterministic), stopped when the Rayleigh quotient changes by less than
 * 1e-7 relative or after 500 iterations.  -1 if out of memory. */
double sc_largest_eigenvalue(const float *g, size_t k);

#endif
