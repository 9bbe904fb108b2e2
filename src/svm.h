/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The perceptron of maximal stability: the hard-margin linear SVM without a
 * bias, minimise |J|^2 subject to y_mu J.x_mu >= 1 for every example.
 *
 * liblinear's dual coordinate descent (L1-loss SVM with a large C) finds
 * the support vectors to a tolerance; an active-set solve then makes the
 * answer exact: on the support set S the margins are 1, so J = sum_S
 * lambda_mu y_mu x_mu with the Gram system G_SS lambda = 1, and S is
 * changed one example at a time until lambda >= 0 and every other margin
 * is >= 1 (the KKT conditions; THEORY.md section 11). The result depends on
 * S alone, not on liblinear's coordinate order. Taking no partial steps,
 * the active set can cycle; then liblinear's answer is kept (flagged).
 *
 * Ownership: the caller owns every array; nothing is kept between calls. */
#ifndef LAB_SVM_H
#define LAB_SVM_H

#include <stddef.h>

typedef struct lab_svm_result {
    size_t support;  /* |S|: examples with lambda > 0 */
    double kappa;    /* the stability min_mu y_mu J.x_mu / |J| = 1 / |J| */
    double kkt;      /* the largest violation: max(-lambda, 1 - margin off S, |margin - 1| on S) */
    long rounds;     /* active-set changes after liblinear */
    int fallback;    /* the active set failed: J is liblinear's (lambda unknown: 0) */
} lab_svm_result;

/* The maximal-stability J (n) for the p x n inputs x (row-major) with
 * labels y (+-1), scaled so that the smallest margin is 1, and its
 * multipliers lambda (p; may be NULL). LAB_ENUMERIC with a message when the
 * data are not separated (or the solve fails), LAB_EINVAL when p = 0,
 * LAB_ENOMEM. */
int lab_svm_maxmargin(size_t p, size_t n, const double *x, const double *y, double *j,
                      double *lambda, lab_svm_result *res, char *err, size_t errlen);

/* The most bytes lab_svm_maxmargin() allocates for p x n. */
double lab_svm_bytes(size_t p, size_t n);

#endif
