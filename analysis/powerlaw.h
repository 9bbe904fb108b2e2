/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Whether a curve y(x) is a power law, and its exponent: a straight line
 * fitted to log y against log x by least squares (GSL's gsl_fit_linear),
 * checked against the curve's local slopes.
 *
 * A chord across a curved line is not an exponent. So the fit is said to
 * hold only when the curve has at least three points, all y > 0, and every
 * local slope (the secant between neighbouring x) lies within a relative
 * LAB_POWERLAW_TOL of the fitted slope: a bent curve, or one that flattens
 * onto a floor, fails, and its local slopes are what to quote.
 *
 * Ownership: nothing allocated crosses this interface. */
#ifndef LAB_POWERLAW_H
#define LAB_POWERLAW_H

#include <stddef.h>

/* How far (relative) a local slope may stray from the fitted one. */
#define LAB_POWERLAW_TOL 0.25

typedef struct lab_powerlaw {
    size_t points;        /* points used (those with x > 0 and y > 0) */
    double slope;         /* d log y / d log x of the fitted line (NaN: fewer than 2 points) */
    double slope_se;      /* its standard error (NaN: fewer than 3 points) */
    double local_min;     /* the smallest and largest local slope (NaN: none) */
    double local_max;
    int holds;            /* 1 when the fit is a power law by the rule above */
} lab_powerlaw;

/* Fit the n points (x[i], y[i]), x increasing. Points with x <= 0 or y <= 0
 * or not finite are left out (and so the curve is not a power law). */
void lab_powerlaw_fit(const double *x, const double *y, size_t n, lab_powerlaw *out);

#endif
