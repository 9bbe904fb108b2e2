/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "perceptron.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>

lab_perc_eval lab_perc_evaluate(size_t p, size_t n, const double *a, const double *t,
                                const double *j, double *m)
{
    lab_perc_eval e = { NAN, NAN, NAN, NAN };
    double jj = cblas_ddot((int)n, j, 1, j, 1), tt = cblas_ddot((int)n, t, 1, t, 1);
    if (!(jj > 0) || !isfinite(jj) || !(tt > 0))
        return e;
    double r = cblas_ddot((int)n, j, 1, t, 1) / sqrt(jj * tt);
    e.overlap = r;
    e.test_error = acos(fmax(-1, fmin(1, r))) / M_PI;
    double wrong = 0, mn = INFINITY;
    if (p > 0)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p, (int)n, 1.0, a, (int)n, j, 1, 0.0, m, 1);
    for (size_t mu = 0; mu < p; mu++) {
        wrong += m[mu] <= 0;
        mn = m[mu] < mn ? m[mu] : mn;
    }
    e.train_error = p ? wrong / (double)p : 0;
    e.margin = mn / sqrt(jj);
    return e;
}

void lab_perc_hebb(size_t p, size_t n, const double *a, double *j)
{
    memset(j, 0, n * sizeof *j);
    /* A^T 1: the rows added in order (the cost of one GEMV, and no vector of
     * ones to allocate). */
    for (size_t mu = 0; mu < p; mu++)
        cblas_daxpy((int)n, 1.0, a + mu * n, 1, j, 1);
}

long lab_perc_rosenblatt(size_t p, size_t n, const double *a, long max_epochs, gsl_rng *r,
                         double *j, size_t *order, int *converged)
{
    memset(j, 0, n * sizeof *j);
    for (size_t mu = 0; mu < p; mu++)
        order[mu] = mu;
    *converged = 0;
    long epoch = 0;
    while (epoch < max_epochs && !*converged) {
        epoch++;
        if (p > 1)
            gsl_ran_shuffle(r, order, p, sizeof *order);
        size_t mistakes = 0;
        for (size_t k = 0; k < p; k++) {
            const double *row = a + order[k] * n;
            if (cblas_ddot((int)n, row, 1, j, 1) <= 0) {
                cblas_daxpy((int)n, 1.0, row, 1, j, 1);
                mistakes++;
            }
        }
        *converged = mistakes == 0;
    }
    return epoch;
}
