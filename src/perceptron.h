/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Perceptrons learning a sign teacher: the closed-form and iterative
 * learners, and the measures of a student J against a teacher T.
 *
 * The examples are given as the P x N matrix A of rows y_mu x_mu
 * (row-major), since every learner here sees an example only through it:
 * the student is right on example mu when (A J)_mu > 0.
 *
 * Ownership: the caller owns every array. */
#ifndef LAB_PERCEPTRON_H
#define LAB_PERCEPTRON_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

/* How a student J does against teacher t. */
typedef struct lab_perc_eval {
    double overlap;     /* R = J.T / (|J| |T|) */
    double test_error;  /* arccos(R) / pi: exact for isotropic Gaussian inputs */
    double train_error; /* fraction of examples with (A J)_mu <= 0 */
    double margin;      /* min_mu (A J)_mu / |J| (+inf when P = 0) */
} lab_perc_eval;

/* Evaluate J (n); m (p) is scratch for the margins. Every field is NaN when
 * J is zero or not finite. */
lab_perc_eval lab_perc_evaluate(size_t p, size_t n, const double *a, const double *t,
                                const double *j, double *m);

/* Hebb's rule: J = sum_mu y_mu x_mu = A^T 1. */
void lab_perc_hebb(size_t p, size_t n, const double *a, double *j);

/* Rosenblatt's perceptron from J = 0: each epoch visits the examples in an
 * order drawn from r and adds y_mu x_mu to J when (A J)_mu <= 0; it stops
 * after the first epoch without a mistake or after max_epochs. Returns the
 * epochs run; *converged says whether the last one made no mistake. */
long lab_perc_rosenblatt(size_t p, size_t n, const double *a, long max_epochs, gsl_rng *r,
                         double *j, size_t *order, int *converged);

#endif
