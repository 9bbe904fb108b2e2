/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "svm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "blas.h"
#include "status.h"

double lab_svm_bytes(size_t p, size_t n)
{
    double P = (double)p, N = (double)n + 1;
    /* The Cholesky factor, its scratch, u, w, the margins and the sets;
     * the polish's A_S and its transpose (at most N rows of n) and one
     * least-squares solve of the larger shape. */
    double k = (double)(p < n + 1 ? p : n + 1), ls = lab_lstsq_bytes((size_t)k, n);
    double lt = lab_lstsq_bytes(n, (size_t)k);
    return N * N * 8 + 4 * N * 8 + 3 * P * 8 + N * sizeof(size_t) + 2 * P
           + 2 * k * (double)n * 8 + 3 * k * 8 + (ls > lt ? ls : lt);
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

/* The KKT violation above which the solution is polished, and the most
 * rounds (each two SVDs of the support's shape). Below it the NNLS's J is
 * kept as it is, so a solve that was accurate keeps its bits. */
#define POLISH_FROM 1e-9
#define POLISH_ROUNDS 50

/* ==== Polishing the active set by SVD ============================================ */

/* The NNLS above solves normal equations, which square the condition
 * number of E_S, and returns J = v / (1 - sum u). On slab-shaped data
 * (keep-hard pruning, THEORY.md section 11.1) the margins are small, |J| =
 * 1 / kappa reaches 50 to 300, 1 - sum u = 1 / (1 + |J|^2) is small, and
 * the KKT violation reaches 1e-3 although the active set is right or
 * nearly so. polish() then works on the set S alone, without normal
 * equations: J is the least-norm solution of A_S J = 1 and lambda_S the
 * solution of A_S^T lambda_S = J (both by LAPACK's SVD, lab_lstsq); a
 * negative multiplier leaves S, else the most violated margin off S
 * enters, until the KKT conditions hold to tol or max_rounds pass. On
 * success j, lambda (when not NULL), passive and *kkt hold the polished
 * solution and the rounds taken are returned; 0 when it did not do
 * better (nothing is changed), -1 when memory runs out. */
static long polish(size_t p, size_t n, const double *a, char *passive, double *j,
                   double *lambda, double tol, long max_rounds, double *kkt)
{
    size_t *s = malloc((n + 1) * sizeof *s);
    double *as = malloc((n + 1) * n * sizeof *as), *ast = malloc((n + 1) * n * sizeof *ast);
    double *ones = malloc((n + 1) * sizeof *ones), *ls = malloc((n + 1) * sizeof *ls);
    double *jn = malloc(n * sizeof *jn), *m = malloc(p * sizeof *m);
    char *in = malloc(p);
    long rounds = -1;
    if (!s || !as || !ast || !ones || !ls || !jn || !m || !in)
        goto done;
    memcpy(in, passive, p);
    rounds = 0;
    for (long r = 1; r <= max_rounds; r++) {
        size_t k = 0;
        for (size_t mu = 0; mu < p && k <= n; mu++)
            if (in[mu])
                s[k++] = mu;
        if (k == 0 || k > n)
            break;
        for (size_t q = 0; q < k; q++) {
            memcpy(as + q * n, a + s[q] * n, n * sizeof *as);
            for (size_t i = 0; i < n; i++)
                ast[i * k + q] = a[s[q] * n + i];
            ones[q] = 1;
        }
        if (lab_lstsq(k, n, as, ones, -1, jn) < 0 || lab_lstsq(n, k, ast, jn, -1, ls) < 0) {
            rounds = -1;
            break;
        }
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p, (int)n, 1.0, a, (int)n, jn, 1, 0.0,
                    m, 1);
        double worst = 0, low = 0;
        size_t enter = p, leave = k;
        for (size_t q = 0; q < k; q++) {
            worst = fmax(worst, fabs(m[s[q]] - 1));
            if (ls[q] < low)
                low = ls[q], leave = q;
        }
        double off = 0;
        for (size_t mu = 0; mu < p; mu++)
            if (!in[mu] && 1 - m[mu] > off)
                off = 1 - m[mu], enter = mu;
        double violation = fmax(worst, off);
        if (leave == k && violation < *kkt) { /* a better solution: keep it */
            memcpy(j, jn, n * sizeof *j);
            memcpy(passive, in, p);
            if (lambda) {
                memset(lambda, 0, p * sizeof *lambda);
                for (size_t q = 0; q < k; q++)
                    lambda[s[q]] = ls[q];
            }
            *kkt = violation;
            rounds = r;
        }
        if (leave < k) {
            in[s[leave]] = 0;
            continue;
        }
        if (violation <= tol || enter == p || off <= worst)
            break;
        if (k < n) {
            in[enter] = 1;
            continue;
        }
        /* S is full: a_e = A_S^T beta exactly. Moving multiplier t onto e
         * and t beta off S keeps J and raises the dual objective by
         * t (1 - margin_e) > 0; the largest t keeps lambda_S - t beta >= 0
         * and drops the column that reaches 0 (a dual simplex step). */
        double *beta = jn; /* jn is recomputed at the next round */
        if (lab_lstsq(n, k, ast, a + enter * n, -1, beta) < 0) {
            rounds = -1;
            break;
        }
        size_t drop = k;
        double step = INFINITY;
        for (size_t q = 0; q < k; q++)
            if (beta[q] > 0 && ls[q] / beta[q] < step)
                step = ls[q] / beta[q], drop = q;
        if (drop == k)
            break;
        in[s[drop]] = 0;
        in[enter] = 1;
    }
done:
    free(s);
    free(as);
    free(ast);
    free(ones);
    free(ls);
    free(jn);
    free(m);
    free(in);
    return rounds;
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
    res->kkt = kkt;
    /* Polish where the normal equations lost the digits (see polish()). */
    if (kkt > POLISH_FROM) {
        long r = polish(p, n, a, passive, j, lambda, 1e-12, POLISH_ROUNDS, &res->kkt);
        if (r < 0) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            goto done;
        }
        if (r > 0) {
            res->polished = r;
            res->support = 0;
            for (size_t mu = 0; mu < p; mu++)
                res->support += passive[mu] != 0;
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p, (int)n, 1.0, a, (int)n, j, 1, 0.0,
                        w, 1);
            least = INFINITY;
            for (size_t mu = 0; mu < p; mu++)
                least = fmin(least, w[mu]);
        }
    }
    res->kappa = least / cblas_dnrm2((int)n, j, 1);
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
