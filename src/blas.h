/* SPDX-License-Identifier: BSD-2-Clause */
/* blas.h -- the one place that talks to CBLAS.  Everything else calls
 * sc_gemm(); no other file includes cblas.h. */
#ifndef SC_BLAS_H
#define SC_BLAS_H

#include <stddef.h>

/* C (m x n) = alpha * op(A) op(B) + beta * C, all row-major.  op(A) is
 * m x kk: A itself (trans_a == 0, lda >= kk) or A^T (A is kk x m).  Sizes
 * have been checked by the caller to fit in an int. */
void sc_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t kk,
             float alpha, const float *a, size_t lda, const float *b,
             size_t ldb, float beta, float *c, size_t ldc);

#endif
