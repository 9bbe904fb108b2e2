/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "powerlaw.h"

#include <math.h>

#include <gsl/gsl_fit.h>

/* Points beyond this are left out (a sweep axis is rarely longer), and the
 * curve is then not called a power law. */
#define MAXPOINTS 4096

void lab_powerlaw_fit(const double *x, const double *y, size_t n, lab_powerlaw *out)
{
    double lx[MAXPOINTS], ly[MAXPOINTS];
    size_t m = 0, left_out = 0;
    for (size_t i = 0; i < n; i++) {
        if (m < MAXPOINTS && x[i] > 0 && y[i] > 0 && isfinite(x[i]) && isfinite(y[i])) {
            lx[m] = log(x[i]);
            ly[m++] = log(y[i]);
        } else {
            left_out++;
        }
    }
    *out = (lab_powerlaw){ m, NAN, NAN, NAN, NAN, 0 };
    if (m < 2)
        return;
    double c0, c1, cov00, cov01, cov11, sumsq;
    gsl_fit_linear(lx, 1, ly, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    out->slope = c1;
    /* gsl_fit_linear's covariance takes the residuals' variance as
     * sumsq / (m - 2): none with two points. */
    out->slope_se = m > 2 ? sqrt(cov11) : NAN;
    out->local_min = INFINITY;
    out->local_max = -INFINITY;
    for (size_t i = 0; i + 1 < m; i++) {
        double s = (ly[i + 1] - ly[i]) / (lx[i + 1] - lx[i]);
        out->local_min = fmin(out->local_min, s);
        out->local_max = fmax(out->local_max, s);
    }
    double tol = LAB_POWERLAW_TOL * fabs(c1);
    out->holds = m >= 3 && left_out == 0 && c1 != 0 && out->local_min >= c1 - tol
                 && out->local_max <= c1 + tol;
}
