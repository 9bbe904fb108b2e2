/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "affine.h"

#include <math.h>
#include <stdlib.h>

#include "blas.h"
#include "problem.h"
#include "status.h"

/* A = [X 1; sqrt(n lambda) I 0], b = [y; 0]. */
int lab_affine_fit(const lab_dataset *ds, double lambda, double *theta)
{
    size_t n = ds->n, d = ds->d, p = d + 1, m = n + (lambda > 0 ? d : 0);
    double *a = calloc(m * p, sizeof *a), *b = calloc(m, sizeof *b);
    long rank = -1;
    if (a && b) {
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < d; j++)
                a[i * p + j] = ds->x[i * d + j];
            a[i * p + d] = 1.0;
            b[i] = ds->y[i];
        }
        for (size_t j = 0; m > n && j < d; j++)
            a[(n + j) * p + j] = sqrt((double)n * lambda);
        rank = lab_lstsq(m, p, a, b, -1.0, theta);
    }
    free(a);
    free(b);
    return rank < 0 ? LAB_ENOMEM : LAB_OK;
}

double lab_affine_fit_bytes(size_t n, size_t D, double lambda)
{
    size_t p = D + 1, m = n + (lambda > 0 ? D : 0);
    return ((double)m * (double)p + (double)m) * sizeof(double) + lab_lstsq_bytes(m, p);
}

double lab_affine_error(const lab_dataset *ds, const double *theta, double var)
{
    double sse = 0;
    for (size_t i = 0; i < ds->n; i++) {
        double f = theta[ds->d];
        for (size_t j = 0; j < ds->d; j++)
            f += theta[j] * ds->x[i * ds->d + j];
        sse += (f - ds->y[i]) * (f - ds->y[i]);
    }
    return sse / (double)ds->n / var;
}

size_t lab_affine_baseline_n(size_t D)
{
    size_t n = 64 * (D + 1);
    return n > 16384 ? n : 16384;
}

int lab_affine_baseline(const lab_config *c, double *eps_ols, char *err, size_t errlen)
{
    lab_config cell;
    int rc = lab_config_copy(&cell, c);
    if (rc != LAB_OK)
        return lab_fail(err, errlen, rc, "out of memory");
    /* The population's best affine predictor: many noiseless samples. */
    cell.n = (long)lab_affine_baseline_n((size_t)c->input_dim);
    cell.label_noise = 0.0;
    lab_problem prob = { 0 };
    double *theta = malloc(((size_t)c->input_dim + 1) * sizeof *theta);
    rc = theta ? lab_problem_make(&cell, &prob, err, errlen)
               : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK && lab_affine_fit(prob.train, 0.0, theta) != LAB_OK)
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory in the least-squares fit");
    if (rc == LAB_OK)
        *eps_ols = lab_affine_error(prob.test, theta, prob.var);
    lab_problem_release(&prob);
    free(theta);
    lab_config_release(&cell);
    return rc;
}

double lab_affine_baseline_bytes(const lab_config *c)
{
    size_t D = (size_t)c->input_dim, n = lab_affine_baseline_n(D);
    return lab_problem_bytes(c, (double)n) + (double)(D + 1) * sizeof(double)
           + lab_affine_fit_bytes(n, D, 0.0);
}
