/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The perceptron of maximal stability: the hard-margin linear SVM without a
 * bias, minimise |J|^2 subject to A J >= 1 (A the P x N matrix of rows
 * y_mu x_mu).
 *
 * This is a least-distance problem, which Lawson and Hanson (1974, ch. 23)
 * reduce to non-negative least squares: with E the (N+1) x P matrix of
 * columns (a_mu, 1) and f = (0, ..., 0, 1), the u >= 0 minimising
 * |E u - f| gives J = A^T u / (1 - sum u) and the multipliers
 * lambda = u / (1 - sum u). Their NNLS active-set algorithm terminates in
 * finitely many steps in exact arithmetic (no cycling: the residual falls
 * strictly between two visits of a passive set); here it solves the
 * normal equations on the passive set through a Cholesky factor that is
 * updated when a column enters or leaves (THEORY.md section 5.3). When
 * those normal equations lose the digits (small margins: KKT violation
 * above 1e-9) the support is polished by SVD (LAPACK's dgelsd), which
 * adds or drops a column at a time until the KKT conditions hold. It draws
 * no random numbers, so J depends on A alone.
 *
 * Ownership: the caller owns every array; nothing is kept between calls. */
#ifndef LAB_SVM_H
#define LAB_SVM_H

#include <stddef.h>

typedef struct lab_svm_result {
    size_t support;  /* |S|: examples with lambda > 0 */
    double kappa;    /* the stability min_mu (A J)_mu / |J| = 1 / |J| */
    double kkt;      /* the largest violation of the KKT conditions, from the
                      * margins m = A J recomputed at the end: 1 - m off the
                      * support, |m - 1| on it (lambda >= 0 and J = A^T lambda
                      * hold by construction) */
    long rounds;     /* NNLS iterations: columns that entered the passive set */
    long polished;   /* rounds of the SVD polish of the support (0: the NNLS's
                      * solution met the KKT conditions to 1e-9 and was kept) */
} lab_svm_result;

/* The maximal-stability J (n) for the p x n matrix a (row-major, rows
 * y_mu x_mu), scaled so that the smallest margin is 1, and its multipliers
 * lambda (p; may be NULL). LAB_ENUMERIC with a message when the examples
 * are not separable (a nonzero residual f - E u at the NNLS optimum) or
 * the iterations run out (3 p + 10 n + 100; then *res still says how far
 * it got), LAB_EINVAL when p = 0, LAB_ENOMEM. */
int lab_svm_maxmargin(size_t p, size_t n, const double *a, double *j, double *lambda,
                      lab_svm_result *res, char *err, size_t errlen);

/* The most bytes lab_svm_maxmargin() allocates for p x n. */
double lab_svm_bytes(size_t p, size_t n);

#endif
