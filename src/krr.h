/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Kernel ridge regression with a Gaussian (RBF) kernel: a generic learner
 * that knows nothing of its target's structure (THEORY.md §10.2).
 *
 * On n training points x (n,d) with labels y, it predicts
 *   f(x) = sum_i alpha_i K(x, x_i),   (K + ridge I) alpha = y,
 *   K(x, x') = exp(-|x - x'|^2 / (2 length^2)),
 * solving by the Cholesky factor of K + ridge I (LAPACK's dpotrf through
 * src/blas.h). No intercept: the targets it is used on have mean 0.
 *
 * Ownership: a lab_krr owns its copy of the training inputs, its
 * coefficients, its factor and its prediction scratch, all allocated by
 * lab_krr_alloc(); lab_krr_free(NULL) does nothing. */
#ifndef LAB_KRR_H
#define LAB_KRR_H

#include <stddef.h>

typedef struct lab_krr lab_krr;

/* A model for n >= 1 training points of dimension d; NULL when out of
 * memory. */
lab_krr *lab_krr_alloc(size_t n, size_t d);
void lab_krr_free(lab_krr *m);

/* The bytes lab_krr_alloc() takes. */
double lab_krr_bytes(size_t n, size_t d);

/* Fit the n points x (n,d), labels y (n), with length > 0 and ridge >= 0.
 * LAB_ENUMERIC when K + ridge I is not positive definite in floating point
 * (a ridge too small for the kernel's conditioning). */
int lab_krr_fit(lab_krr *m, const double *x, const double *y, double length, double ridge);

/* Predictions at t points xt (t,d): out (t). */
void lab_krr_predict(const lab_krr *m, size_t t, const double *xt, double *out);

#endif
