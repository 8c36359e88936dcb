/* SPDX-License-Identifier: BSD-2-Clause */
/* cholesky.h -- a Cholesky factor grown one row at a time, and solves
 * with it, in double; shared by the exact support step of CD_ACTIVE
 * (cd.c, docs/math.md (S8)) and OMP's progressive factorisation (omp.c).
 *
 * L is lower triangular, row-major with leading dimension ld: L_ij is
 * l[i * ld + j]; only i >= j is read. */
#ifndef SC_CHOLESKY_H
#define SC_CHOLESKY_H

#include <stddef.h>

/* Appends row m to the factor L of an m x m matrix A, making it that of
 * the (m + 1) x (m + 1) matrix with the new row a_m0 .. a_mm, which the
 * caller has stored in l[m * ld + 0 .. m]: row m becomes
 *   L_mj = (a_mj - sum_{q<j} L_mq L_jq) / L_jj,
 *   L_mm = sqrt(a_mm - sum_{q<m} L_mq^2).
 * Returns 0 (row m then undefined) when the pivot a_mm - |L_m|^2 is not
 * above 1e-10 (1 + |a_mm|): the new row is (numerically) a combination
 * of the earlier ones. */
int sc_cholesky_append(double *l, size_t ld, size_t m);

/* Solves L L^T w = b for the m x m factor L, in place in b. */
void sc_cholesky_solve(const double *l, size_t ld, size_t m, double *b);

#endif
