/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "blas.h"

#include <stdio.h>
#include <string.h>

#include <cblas.h>

void lab_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k,
              double alpha, const double *a, const double *b,
              double beta, double *c)
{
    /* Row-major: the leading dimension is the stored row length. */
    int lda = (int)(trans_a ? m : k);
    int ldb = (int)(trans_b ? k : n);
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
                alpha, a, lda > 0 ? lda : 1, b, ldb > 0 ? ldb : 1,
                beta, c, n > 0 ? (int)n : 1);
}

void lab_gemv_t(size_t m, size_t n, double alpha, const double *a,
                const double *x, double beta, double *y)
{
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)m, (int)n, alpha, a,
                n > 0 ? (int)n : 1, x, 1, beta, y, 1);
}

void lab_blas_single_thread(void)
{
    openblas_set_num_threads(1);
}

const char *lab_blas_describe(char *buf, size_t len)
{
    const char *config = openblas_get_config();
    const char *core = openblas_get_corename();
    snprintf(buf, len, "%s; core %s; threads %d", config ? config : "OpenBLAS",
             core ? core : "?", openblas_get_num_threads());
    return buf;
}
