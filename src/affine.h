/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The affine least-squares predictor f(x) = w.x + b, and the teacher's
 * linear baseline eps_OLS built on it (THEORY.md, "How nonlinear is the
 * teacher?").
 *
 * The fit minimises (1/n) sum_i (w.x_i + b - y_i)^2 + lambda |w|^2 as one
 * least-squares problem (the ridge as D extra rows sqrt(n lambda) e_j)
 * solved by LAPACK's SVD; with n <= D and lambda = 0 it gives the solution
 * of least norm, which interpolates the training set.
 *
 * Ownership: callers own every buffer; nothing is kept between calls. */
#ifndef LAB_AFFINE_H
#define LAB_AFFINE_H

#include <stddef.h>

#include "config.h"
#include "data.h"

/* Fit theta = (w_1 .. w_D, b) to ds with ridge lambda >= 0. LAB_ENOMEM when
 * memory runs out or LAPACK fails. */
int lab_affine_fit(const lab_dataset *ds, double lambda, double *theta);

/* The bytes lab_affine_fit() allocates for n points in D dimensions. */
double lab_affine_fit_bytes(size_t n, size_t D, double lambda);

/* Mean squared error of theta's predictor on ds, divided by var. */
double lab_affine_error(const lab_dataset *ds, const double *theta, double var);

/* The training-set size of the baseline for input dimension D:
 * max(16384, 64 (D + 1)), so that the finite-sample excess of least squares,
 * about (D + 1) / n of the error, stays below 0.4 %. */
size_t lab_affine_baseline_n(size_t D);

/* eps_OLS of the teacher of cell config c: the test error (over the teacher's
 * variance, on the cell's own test set) of the least-squares affine predictor
 * fitted without ridge on the first lab_affine_baseline_n(D) inputs of the
 * cell's training stream, labelled without noise. It depends only on the
 * keys that shape the teacher and the data, and the seed. LAB_ENOMEM or
 * LAB_ENUMERIC with a message. */
int lab_affine_baseline(const lab_config *c, double *eps_ols, char *err, size_t errlen);

/* The most bytes lab_affine_baseline() holds at once for c. */
double lab_affine_baseline_bytes(const lab_config *c);

#endif
