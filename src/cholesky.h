/* SPDX-License-Identifier: BSD-2-Clause */
/* cholesky.h -- a Cholesky factor grown one row at a time, shrunk by
 * one row and column, and solves with it, in double; shared by the exact
 * support step of CD_ACTIVE (cd.c, docs/math.md (S8)), OMP's progressive
 * factorisation (omp.c) and LARS's active set (lars.c, (S9)), which also
 * removes atoms.
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

/* Removes row and column p from the m x m matrix A = L L^T: the factor
 * becomes that of the (m - 1) x (m - 1) matrix without them (rows below
 * p move up by one).  Deleting row p of L leaves rows p+1..m-1 with one
 * entry too many (an upper Hessenberg block in columns p..m-1); Givens
 * rotations of neighbouring columns, which leave L L^T unchanged, zero
 * its superdiagonal (m - p)^2 work, no division by a small pivot. */
void sc_cholesky_remove(double *l, size_t ld, size_t m, size_t p);

/* Solves L L^T w = b for the m x m factor L, in place in b: the two
 * triangular solves below. */
void sc_cholesky_solve(const double *l, size_t ld, size_t m, double *b);

/* Solves rows from..m-1 of L v = b, in place in b, whose entries
 * 0..from-1 already hold v (from = 0: the whole solve).  A factor grown
 * by a row (or whose rows from p on changed) needs only the new rows. */
void sc_cholesky_forward(const double *l, size_t ld, size_t from, size_t m,
                         double *b);

/* Solves L^T w = v, in place in v. */
void sc_cholesky_backward(const double *l, size_t ld, size_t m, double *v);

#endif
