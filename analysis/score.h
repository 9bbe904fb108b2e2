/* SPDX-License-Identifier: GPL-3.0-or-later */
/* How well a fitted curve matches points, and which points are held out.
 *
 *   rmsle     sqrt(mean (log f(x_i) - log y_i)^2), the log error of the
 *             extrapolation literature (Alabdulmohsin et al. 2022; Caballero
 *             et al. 2023 score log y, not log(y + 1))
 *   div       delta_i = (f(x_i) - y_i) / y_i, Rosenfeld et al.'s divergence,
 *             reported by its mean and sample standard deviation.
 *
 * Ownership: no allocation crosses this interface. */
#ifndef LAB_SCORE_H
#define LAB_SCORE_H

#include <stddef.h>

#include "fit.h"
#include "forms.h"

typedef struct lab_score {
    size_t n;        /* points where the curve is finite and positive */
    double rmsle;    /* infinite when there are other points */
    double mean_div; /* mean of delta_i over the n points */
    double std_div;  /* sample standard deviation of delta_i (NaN below 2 points) */
    size_t nonfinite; /* points where the curve is not finite or not positive */
} lab_score;

/* Score theta on the points of d. */
void lab_score_points(const lab_form *f, const double *theta, const lab_fit_data *d,
                      lab_score *s);

/* Hold out (holdout[i] = 1) the points whose x0 is among the largest
 * fraction frac of the distinct values of x0 (at least one value, and at
 * least one value kept). */
void lab_split_fraction(const double *x0, size_t n, double frac, char *holdout);

/* Hold out the points with x0 >= from. */
void lab_split_from(const double *x0, size_t n, double from, char *holdout);

#endif
