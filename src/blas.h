/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one place where the lab calls OpenBLAS for dense products.
 *
 * lab_gemm() gives small products to the library chosen at configure time
 * (--with-gemm=openblas|blis|libxsmm, README "Small-matrix GEMM"); OpenBLAS
 * does the rest. Each library sums in its own order: results are
 * reproducible with one library and differ between them in the last bits.
 *
 * All matrices are row-major and contiguous. lab_gemm() works out the leading
 * dimensions from the shapes, so call sites read as the maths they compute,
 * e.g. lab_gemm(0, 1, B, M, D, 1.0, X, W, 0.0, Z);  Z = X W^T. */
#ifndef LAB_BLAS_H
#define LAB_BLAS_H

#include <stddef.h>

/* C = alpha op(A) op(B) + beta C, where op(A) is (m,k), op(B) is (k,n) and C is
 * (m,n); trans_a / trans_b say whether A / B are stored transposed. */
void lab_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k,
              double alpha, const double *a, const double *b,
              double beta, double *c);

/* Do now what lab_gemm() does once on its first call with these arguments:
 * with libxsmm (--with-gemm=libxsmm) generate the kernel, which allocates,
 * so that the calls after it allocate nothing. Nothing with the others. */
void lab_gemm_prepare(int trans_a, int trans_b, size_t m, size_t n, size_t k, double alpha,
                      double beta);

/* y = alpha A^T x + beta y for A of shape (m,n): column sums when x is ones. */
void lab_gemv_t(size_t m, size_t n, double alpha, const double *a,
                const double *x, double beta, double *y);

/* The lower triangle of C (n,n) += A^T A, for A of shape (k,n). */
void lab_syrk_t(size_t n, size_t k, const double *a, double *c);

/* The Cholesky factor of a symmetric positive-definite A (n,n), in place:
 * its lower triangle becomes L with A = L L^T (the strict upper triangle is
 * left as it was); by LAPACK's dpotrf in OpenBLAS. Returns 0, or k > 0 when
 * the leading minor of order k is not positive definite, or -1 when n
 * exceeds LAPACK's int. */
long lab_cholesky(size_t n, double *a);

/* B (m,n) := B L^-T for L (n,n) lower triangular: each row b of B becomes
 * the solution z of L z = b. */
void lab_trsm_lt(size_t m, size_t n, const double *l, double *b);

/* Least squares of least norm: the x (n) minimising |A x - b|, and among
 * those |x|, for A of shape (m,n) and b (m), both row-major and unchanged;
 * by LAPACK's dgelsd (the SVD) in OpenBLAS. Singular values below rcond
 * times the largest count as zero (rcond < 0: max(m, n) times the machine
 * epsilon, the rounding of the SVD itself, as numpy's lstsq does). Returns
 * the rank of A, or -1 when memory runs out or LAPACK fails. */
long lab_lstsq(size_t m, size_t n, const double *a, const double *b, double rcond, double *x);

/* The bytes lab_lstsq() allocates for an (m,n) problem: A and b in LAPACK's
 * layout, and the workspace dgelsd asks for (a query that allocates
 * nothing). INFINITY when m or n exceeds LAPACK's int. */
double lab_lstsq_bytes(size_t m, size_t n);

/* Make every BLAS call run on the calling thread. The lab runs one
 * single-threaded cell per core: this is faster at MLP sizes and keeps the
 * summation order, hence every bit, independent of the machine's cores. */
void lab_blas_single_thread(void);

/* A one-line description of the BLAS in use, for provenance headers:
 * "OpenBLAS 0.3.21 ...; core Haswell; threads 1; gemm libxsmm 1.17 target
 * cpx up to 8388608 mnk" (the library behind lab_gemm()). Writes into buf. */
const char *lab_blas_describe(char *buf, size_t len);

#endif
