/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "svm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "status.h"

double lab_svm_bytes(size_t p, size_t n)
{
    double P = (double)p, N = (double)n + 1;
    /* The Cholesky factor, its scratch, u, w, the margins and the sets. */
    return N * N * 8 + 4 * N * 8 + 3 * P * 8 + N * sizeof(size_t) + 2 * P;
}

/* ==== The Cholesky factor of the passive set's normal matrix ====================== */

/* L (k x k, lower, row-major with leading dimension ld) is the factor of
 * E_S^T E_S, whose (q, r) entry is a_s[q].a_s[r] + 1. */
typedef struct factor {
    double *l;
    size_t ld, k;
    size_t *s;   /* the passive set, in the order of L's rows */
    double *z;   /* (k) scratch: the least-squares solution on S */
} factor;

/* Append column t: L gets the row (l, d) with L l = E_S^T e_t and
 * d^2 = |e_t|^2 - |l|^2. Refused (0) when d^2 is not clearly positive: e_t
 * is then (numerically) in the span of the passive columns, which
 * Lawson-Hanson's algorithm never needs. */
static int factor_append(factor *f, size_t n, const double *a, size_t t)
{
    if (f->k == f->ld)
        return 0;
    double *row = f->l + f->k * f->ld;
    const double *at = a + t * n;
    for (size_t q = 0; q < f->k; q++)
        row[q] = cblas_ddot((int)n, a + f->s[q] * n, 1, at, 1) + 1;
    double tt = cblas_ddot((int)n, at, 1, at, 1) + 1;
    if (f->k)
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)f->k, f->l,
                    (int)f->ld, row, 1);
    double d2 = tt - (f->k ? cblas_ddot((int)f->k, row, 1, row, 1) : 0);
    if (!(d2 > 1e-12 * tt))
        return 0;
    row[f->k] = sqrt(d2);
    f->s[f->k++] = t;
    return 1;
}

/* Remove position q: drop L's row q, then turn the rows below, which now
 * reach one column past the diagonal, back into lower-triangular form by
 * Givens rotations of neighbouring columns (L G Gᵀ Lᵀ = L Lᵀ). */
static void factor_delete(factor *f, size_t q)
{
    size_t ld = f->ld, k = f->k;
    for (size_t i = q; i + 1 < k; i++) {
        memmove(f->l + i * ld, f->l + (i + 1) * ld, (i + 2) * sizeof *f->l);
        f->s[i] = f->s[i + 1];
    }
    for (size_t i = q; i + 1 < k; i++) {
        double x = f->l[i * ld + i], y = f->l[i * ld + i + 1], c, s;
        cblas_drotg(&x, &y, &c, &s);
        cblas_drot((int)(k - 1 - i), f->l + i * ld + i, (int)ld, f->l + i * ld + i + 1, (int)ld,
                   c, s);
        f->l[i * ld + i + 1] = 0;
    }
    f->k--;
}

/* z = argmin |E_S z - f|: L L^T z = E_S^T f = 1. */
static void factor_solve(factor *f)
{
    for (size_t q = 0; q < f->k; q++)
        f->z[q] = 1;
    cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)f->k, f->l,
                (int)f->ld, f->z, 1);
    cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, (int)f->k, f->l,
                (int)f->ld, f->z, 1);
}

/* ==== Lawson-Hanson NNLS on E = [A^T; 1^T], f = e_{N+1} ============================ */

/* v = A_S^T u_S (n) and sum u. */
static double primal(const factor *f, size_t n, const double *a, const double *u, double *v)
{
    double sum = 0;
    memset(v, 0, n * sizeof *v);
    for (size_t q = 0; q < f->k; q++) {
        cblas_daxpy((int)n, u[f->s[q]], a + f->s[q] * n, 1, v, 1);
        sum += u[f->s[q]];
    }
    return sum;
}

int lab_svm_maxmargin(size_t p, size_t n, const double *a, double *j, double *lambda,
                      lab_svm_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->kappa = res->kkt = NAN;
    if (p == 0)
        return lab_fail(err, errlen, LAB_EINVAL, "max margin: no examples");
    factor f = { malloc((n + 1) * (n + 1) * sizeof(double)), n + 1, 0,
                 malloc((n + 1) * sizeof(size_t)), malloc((n + 1) * sizeof(double)) };
    double *u = calloc(p, sizeof *u), *w = malloc(p * sizeof *w), *v = malloc(n * sizeof *v);
    char *passive = calloc(p, 1), *refused = calloc(p, 1);
    int rc = LAB_ENOMEM;
    if (!f.l || !f.s || !f.z || !u || !w || !v || !passive || !refused) {
        lab_fail(err, errlen, rc, "out of memory");
        goto done;
    }
    /* The gradient w = E^T (f - E u) = (1 - sum u) 1 - A v is (1 - sum u)
     * (1 - margin) at J = v / (1 - sum u): a column enters when its margin
     * is below 1 - tol. */
    const double tol = 1e-10;
    long steps = 0, max_steps = 3 * (long)p + 10 * (long)n + 100;
    rc = LAB_ENUMERIC;
    for (;;) {
        double slack = 1 - primal(&f, n, a, u, v);
        for (size_t mu = 0; mu < p; mu++)
            w[mu] = slack;
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p, (int)n, -1.0, a, (int)n, v, 1, 1.0, w,
                    1);
        /* The most violated margin that may enter: one whose column is
         * independent of the passive ones and whose least-squares
         * coefficient comes out positive (Lawson-Hanson's steps 5-6). */
        size_t t;
        for (;;) {
            t = p;
            for (size_t mu = 0; mu < p; mu++)
                if (!passive[mu] && !refused[mu] && w[mu] > tol * slack
                    && (t == p || w[mu] > w[t]))
                    t = mu;
            if (t == p || !factor_append(&f, n, a, t)) {
                if (t == p)
                    break;
                refused[t] = 1;
                continue;
            }
            factor_solve(&f);
            if (f.z[f.k - 1] > 0)
                break;
            f.k--; /* drop the row just appended */
            refused[t] = 1;
        }
        if (t == p) {
            rc = slack > 1e-12 ? LAB_OK : LAB_ENUMERIC;
            break;
        }
        if (++steps > max_steps)
            break;
        res->rounds++;
        passive[t] = 1;
        memset(refused, 0, p);
        /* Move from u towards z until a passive coefficient reaches 0, drop
         * it, and solve again, until z > 0 on the passive set. */
        for (;;) {
            double theta = 1;
            size_t hit = f.k;
            for (size_t q = 0; q < f.k; q++) {
                double uq = u[f.s[q]], zq = f.z[q];
                if (zq <= 0 && uq / (uq - zq) < theta)
                    theta = uq / (uq - zq), hit = q;
            }
            if (hit == f.k)
                break;
            if (++steps > max_steps)
                break;
            for (size_t q = 0; q < f.k; q++)
                u[f.s[q]] += theta * (f.z[q] - u[f.s[q]]);
            u[f.s[hit]] = 0;
            for (size_t q = f.k; q-- > 0;)
                if (u[f.s[q]] <= 0) {
                    u[f.s[q]] = 0;
                    passive[f.s[q]] = 0;
                    factor_delete(&f, q);
                }
            factor_solve(&f);
        }
        if (steps > max_steps)
            break;
        for (size_t q = 0; q < f.k; q++)
            u[f.s[q]] = f.z[q];
    }
    if (rc != LAB_OK) {
        if (steps > max_steps)
            lab_fail(err, errlen, rc, "max margin: no convergence after %ld NNLS steps", steps);
        else
            lab_fail(err, errlen, rc, "max margin: the examples are not separable");
        goto done;
    }

    /* J and lambda; the KKT conditions from margins computed afresh. */
    double slack = 1 - primal(&f, n, a, u, v);
    for (size_t i = 0; i < n; i++)
        j[i] = v[i] / slack;
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p, (int)n, 1.0, a, (int)n, j, 1, 0.0, w, 1);
    double kkt = 0, least = INFINITY;
    for (size_t mu = 0; mu < p; mu++) {
        kkt = fmax(kkt, passive[mu] ? fabs(w[mu] - 1) : 1 - w[mu]);
        least = fmin(least, w[mu]);
        if (lambda)
            lambda[mu] = passive[mu] ? u[mu] / slack : 0;
    }
    res->support = f.k;
    res->kappa = least / cblas_dnrm2((int)n, j, 1);
    res->kkt = kkt;
done:
    free(f.l);
    free(f.s);
    free(f.z);
    free(u);
    free(w);
    free(v);
    free(passive);
    free(refused);
    return rc;
}
