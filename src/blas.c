/* SPDX-License-Identifier: BSD-2-Clause */
/* blas.c -- the sgemm wrapper over CBLAS (OpenBLAS or the reference). */
#include <stdio.h>

#include <cblas.h>

#include "blas.h"
#include "sparsecode.h"

#ifdef SC_BLAS_OPENBLAS
/* Declared by OpenBLAS's cblas.h on most versions; repeated here so the
 * file does not depend on which header copy is found. */
char *openblas_get_corename(void);
#endif

void sc_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t kk,
             float alpha, const float *a, size_t lda, const float *b,
             size_t ldb, float beta, float *c, size_t ldc)
{
    if (m == 0 || n == 0)
        return;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)kk,
                alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

const char *sc_blas_name(void)
{
#ifdef SC_BLAS_OPENBLAS
    static _Thread_local char name[128];
    snprintf(name, sizeof name, "OpenBLAS (%s kernel)", openblas_get_corename());
    return name;
#else
    return "reference CBLAS";
#endif
}
