/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "blas.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "configure.h"
#if defined LAB_GEMM_BLIS
#include <blis.h>
#elif defined LAB_GEMM_XSMM
#include <libxsmm.h>
#endif

/* LAPACK in OpenBLAS, through its Fortran interface (Debian's OpenBLAS has
 * no LAPACKE): every argument by reference, matrices column-major. */
void dgelsd_(const int *m, const int *n, const int *nrhs, double *a, const int *lda,
             double *b, const int *ldb, double *s, const double *rcond, int *rank,
             double *work, const int *lwork, int *iwork, int *info);
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);

#if defined LAB_GEMM_XSMM
/* The largest product (m n k multiply-adds) given to libxsmm: bench/gemm-bench
 * measured its kernels ahead of OpenBLAS's up to 256 x 256 x 128 and behind
 * at 512 x 512 x 128 (README, "Small-matrix GEMM"). */
#define XSMM_MAX_MNK (256.0 * 256.0 * 128.0)

/* The libxsmm kernel for C = op(A) op(B) (+ C), or NULL when libxsmm has
 * none for the case and OpenBLAS is to do it. Row-major C = op(A) op(B) is column-major
 * C^T = op(B)^T op(A)^T, so the kernel's first operand is B, its second A.
 * libxsmm 1.17 generates kernels with alpha = 1 and beta = 0 or 1 only, and
 * for a transposed second operand only: a transposed B is left to OpenBLAS
 * (the training step's forward product is lab_dense_forward's anyway). */
static libxsmm_dmmfunction xsmm_kernel(int trans_a, int trans_b, size_t m, size_t n,
                                       size_t k, double alpha, double beta)
{
    if (trans_b || alpha != 1.0 || (beta != 0.0 && beta != 1.0) || m == 0 || n == 0
        || k == 0 || (double)m * (double)n * (double)k > XSMM_MAX_MNK)
        return NULL;
    libxsmm_blasint M = (libxsmm_blasint)n, N = (libxsmm_blasint)m, K = (libxsmm_blasint)k;
    libxsmm_blasint lda = M, ldb = trans_a ? N : K, ldc = M;
    int flags = trans_a ? LIBXSMM_GEMM_FLAG_TRANS_B : LIBXSMM_GEMM_FLAG_NONE;
    return libxsmm_dmmdispatch(M, N, K, &lda, &ldb, &ldc, &alpha, &beta, &flags, NULL);
}
#endif

void lab_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k,
              double alpha, const double *a, const double *b,
              double beta, double *c)
{
    /* Row-major: the leading dimension is the stored row length. */
    int lda = (int)(trans_a ? m : k);
    int ldb = (int)(trans_b ? k : n);
#if defined LAB_GEMM_BLIS
    if (m > 0 && n > 0) {
        /* BLIS takes both strides of each stored matrix: row-major has
         * column stride 1. */
        bli_dgemm(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                  trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, (dim_t)m, (dim_t)n, (dim_t)k,
                  &alpha, (double *)a, lda > 0 ? lda : 1, 1, (double *)b, ldb > 0 ? ldb : 1, 1,
                  &beta, c, (inc_t)n, 1);
        return;
    }
#elif defined LAB_GEMM_XSMM
    libxsmm_dmmfunction f = xsmm_kernel(trans_a, trans_b, m, n, k, alpha, beta);
    if (f) {
        f(b, a, c); /* the column-major view: B first */
        return;
    }
#endif
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
                alpha, a, lda > 0 ? lda : 1, b, ldb > 0 ? ldb : 1,
                beta, c, n > 0 ? (int)n : 1);
}

void lab_gemm_prepare(int trans_a, int trans_b, size_t m, size_t n, size_t k, double alpha,
                      double beta)
{
#if defined LAB_GEMM_XSMM
    xsmm_kernel(trans_a, trans_b, m, n, k, alpha, beta);
#else
    (void)trans_a, (void)trans_b, (void)m, (void)n, (void)k, (void)alpha, (void)beta;
#endif
}

void lab_gemv_t(size_t m, size_t n, double alpha, const double *a,
                const double *x, double beta, double *y)
{
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)m, (int)n, alpha, a,
                n > 0 ? (int)n : 1, x, 1, beta, y, 1);
}

void lab_syrk_t(size_t n, size_t k, const double *a, double *c)
{
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)n, (int)k, 1.0, a,
                n > 0 ? (int)n : 1, 1.0, c, n > 0 ? (int)n : 1);
}

long lab_cholesky(size_t n, double *a)
{
    if (n > INT_MAX)
        return -1;
    /* Row-major lower is column-major upper: A = U^T U there is L L^T here. */
    int N = (int)n, lda = N > 0 ? N : 1, info = 0;
    dpotrf_("U", &N, a, &lda, &info);
    return info < 0 ? -1 : info;
}

void lab_trsm_lt(size_t m, size_t n, const double *l, double *b)
{
    cblas_dtrsm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, (int)m,
                (int)n, 1.0, l, n > 0 ? (int)n : 1, b, n > 0 ? (int)n : 1);
}

long lab_lstsq(size_t m, size_t n, const double *a, const double *b, double rcond, double *x)
{
    int M = (int)m, N = (int)n, nrhs = 1, lda = M > 0 ? M : 1;
    int ldb = M > N ? M : N, rank = 0, info = 0, lwork = -1, liwork = 0;
    ldb = ldb > 0 ? ldb : 1;
    size_t k = m < n ? m : n;
    double *acol = malloc((m * n > 0 ? m * n : 1) * sizeof *acol);
    double *bx = calloc((size_t)ldb, sizeof *bx);
    double *sv = malloc((k > 0 ? k : 1) * sizeof *sv), query;
    double *work = NULL;
    int *iwork = NULL;
    long result = -1;
    if (!acol || !bx || !sv)
        goto done;
    /* Row-major A is column-major A^T: transpose into LAPACK's layout. */
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            acol[j * m + i] = a[i * n + j];
    memcpy(bx, b, m * sizeof *b);
    if (rcond < 0) /* as numpy's lstsq: rounding errors of the SVD itself */
        rcond = (double)(m > n ? m : n) * DBL_EPSILON;
    dgelsd_(&M, &N, &nrhs, acol, &lda, bx, &ldb, sv, &rcond, &rank, &query, &lwork, &liwork,
            &info);
    if (info != 0)
        goto done;
    lwork = (int)query;
    liwork = liwork > 1 ? liwork : 1;
    if (!(work = malloc((size_t)lwork * sizeof *work))
        || !(iwork = malloc((size_t)liwork * sizeof *iwork)))
        goto done;
    dgelsd_(&M, &N, &nrhs, acol, &lda, bx, &ldb, sv, &rcond, &rank, work, &lwork, iwork,
            &info);
    if (info == 0) {
        memcpy(x, bx, n * sizeof *x);
        result = rank;
    }
done:
    free(acol);
    free(bx);
    free(sv);
    free(work);
    free(iwork);
    return result;
}

double lab_lstsq_bytes(size_t m, size_t n)
{
    if (m >= INT_MAX || n >= INT_MAX)
        return INFINITY;
    int M = (int)m, N = (int)n, nrhs = 1, lda = M > 0 ? M : 1, ldb = M > N ? M : N;
    int rank = 0, info = 0, lwork = -1, liwork = 0;
    double a = 0, b = 0, sv = 0, rcond = -1, query = 0;
    ldb = ldb > 0 ? ldb : 1;
    /* With lwork = -1, dgelsd only reports its workspace: a, b and sv are
     * not read. */
    dgelsd_(&M, &N, &nrhs, &a, &lda, &b, &ldb, &sv, &rcond, &rank, &query, &lwork, &liwork,
            &info);
    double k = (double)(m < n ? m : n);
    return ((double)m * (double)n + (double)ldb + k + (info == 0 ? query : 0))
               * sizeof(double) + (double)(liwork > 1 ? liwork : 1) * sizeof(int);
}

void lab_blas_single_thread(void)
{
    openblas_set_num_threads(1);
#if defined LAB_GEMM_BLIS
    bli_thread_set_num_threads(1);
#endif
}

const char *lab_blas_describe(char *buf, size_t len)
{
    const char *config = openblas_get_config();
    const char *core = openblas_get_corename();
    char gemm[128];
#if defined LAB_GEMM_BLIS
    snprintf(gemm, sizeof gemm, "BLIS %s arch %s", bli_info_get_version_str(),
             bli_arch_string(bli_arch_query_id()));
#elif defined LAB_GEMM_XSMM
    snprintf(gemm, sizeof gemm, "libxsmm %s target %s up to %.0f mnk", LIBXSMM_VERSION,
             libxsmm_get_target_arch(), XSMM_MAX_MNK);
#else
    snprintf(gemm, sizeof gemm, "OpenBLAS");
#endif
    snprintf(buf, len, "%s; core %s; threads %d; gemm %s", config ? config : "OpenBLAS",
             core ? core : "?", openblas_get_num_threads(), gemm);
    return buf;
}
