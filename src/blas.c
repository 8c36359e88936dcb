/* SPDX-License-Identifier: BSD-2-Clause */
/* blas.c -- the sgemm wrapper over CBLAS (OpenBLAS or the reference). */
#include <stdio.h>

#include <cblas.h>

#include "blas.h"
#include "sparsecode.h"
#include "status.h"

#ifdef SC_BLAS_OPENBLAS
/* Declared by OpenBLAS's cblas.h on most versions; repeated here so the
 * file does not depend on which header copy is found. */
char *openblas_get_corename(void);
void openblas_set_num_threads(int threads);
int openblas_get_num_threads(void);
#endif

/* The most threads sc_blas_set_threads accepts (the header's bound). */
#define SC_BLAS_MAX_THREADS 1024

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
    snprintf(name, sizeof name, "OpenBLAS (%s kernel)",
             openblas_get_corename());
    return name;
#else
    return "reference CBLAS";
#endif
}

sc_status sc_blas_set_threads(size_t threads)
{
    static const char caller[] = "sc_blas_set_threads";
    if (threads == 0 || threads > SC_BLAS_MAX_THREADS)
        return sc_fail(NULL, SC_ERR_RANGE, "%s: threads = %zu is outside "
                       "[1, %d]", caller, threads, SC_BLAS_MAX_THREADS);
#ifdef SC_BLAS_OPENBLAS
    /* OpenBLAS caps the count at the threads it was built for;
     * sc_blas_threads reads back what it took. */
    openblas_set_num_threads((int)threads);
    return SC_OK;
#else
    return sc_fail(NULL, SC_ERR_STATE, "%s: the library was built with %s, "
                   "which has no thread control (it runs on the calling "
                   "thread)", caller, sc_blas_name());
#endif
}

size_t sc_blas_threads(void)
{
#ifdef SC_BLAS_OPENBLAS
    int threads = openblas_get_num_threads();
    return threads < 1 ? 1 : (size_t)threads;
#else
    return 1;
#endif
}
