/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "svm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <linear.h>

#include "blas.h"
#include "status.h"

/* liblinear prints its progress to stdout unless told otherwise. */
static void quiet(const char *s)
{
    (void)s;
}

double lab_svm_bytes(size_t p, size_t n)
{
    double P = (double)p, N = (double)n;
    /* liblinear's copy of the data (a node per value and an end marker per
     * row), its model and duals; then A, the support rows, their Gram matrix
     * and the margins. */
    return P * (N + 1) * sizeof(struct feature_node) + P * sizeof(void *) + 4 * P * 8
           + N * 8 + 2 * P * N * 8 + N * N * 8 + 4 * P * 8 + 4 * N * 8;
}

/* liblinear's approximate solution (n), scaled as y J.x >= ~1. */
static int liblinear_guess(size_t p, size_t n, const double *x, const double *y, double *w)
{
    struct feature_node *nodes = malloc(p * (n + 1) * sizeof *nodes);
    struct feature_node **rows = malloc(p * sizeof *rows);
    double *labels = malloc(p * sizeof *labels);
    int rc = LAB_ENOMEM;
    if (!nodes || !rows || !labels)
        goto done;
    for (size_t mu = 0; mu < p; mu++) {
        rows[mu] = nodes + mu * (n + 1);
        for (size_t i = 0; i < n; i++)
            rows[mu][i] = (struct feature_node){ (int)i + 1, x[mu * n + i] };
        rows[mu][n] = (struct feature_node){ -1, 0 };
        labels[mu] = y[mu];
    }
    struct problem prob = { (int)p, (int)n, labels, rows, -1 };
    struct parameter par = { .solver_type = L2R_L2LOSS_SVC, .eps = 1e-6, .C = 1e6 };
    rc = LAB_ENUMERIC;
    if (check_parameter(&prob, &par))
        goto done;
    set_print_string_function(quiet);
    /* liblinear draws its coordinate order from rand(): seed it, so a
     * process's earlier calls do not change this one. */
    srand(1);
    struct model *m = train(&prob, &par);
    if (!m)
        goto done;
    /* The decision w.x > 0 means the model's first label. */
    double sign = m->nr_class == 2 && m->label[0] == -1 ? -1 : 1;
    for (size_t i = 0; i < n; i++)
        w[i] = m->nr_class == 2 ? sign * m->w[i] : 0;
    free_and_destroy_model(&m);
    rc = LAB_OK;
done:
    free(nodes);
    free(rows);
    free(labels);
    return rc;
}

int lab_svm_maxmargin(size_t p, size_t n, const double *x, const double *y, double *j,
                      double *lambda, lab_svm_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (p == 0)
        return lab_fail(err, errlen, LAB_EINVAL, "max margin: no examples");
    double *a = malloc(p * n * sizeof *a), *m = malloc(p * sizeof *m);
    double *as = malloc(n * n * sizeof *as), *g = malloc(n * n * sizeof *g);
    double *lam = malloc(n * sizeof *lam);
    char *in = calloc(p, 1);
    size_t *s = malloc(n * sizeof *s), ns = 0;
    double *guess = NULL;
    int rc = LAB_ENOMEM;
    if (!a || !m || !as || !g || !lam || !in || !s)
        goto done;
    for (size_t mu = 0; mu < p; mu++)
        for (size_t i = 0; i < n; i++)
            a[mu * n + i] = y[mu] * x[mu * n + i];

    /* The support set liblinear's answer suggests: the margins below 1 +
     * 1e-3 (the L2-loss margins of support vectors sit just under 1), at
     * most n of them; the active set corrects the guess. */
    guess = calloc(n, sizeof *guess);
    rc = guess ? liblinear_guess(p, n, x, y, guess) : LAB_ENOMEM;
    if (rc == LAB_ENOMEM)
        goto done;
    memcpy(j, guess, n * sizeof *j);
    if (rc == LAB_OK) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p, (int)n, 1.0, a, (int)n, j, 1, 0.0, m, 1);
        double mn = INFINITY;
        for (size_t mu = 0; mu < p; mu++)
            mn = fmin(mn, m[mu]);
        for (size_t mu = 0; mu < p && mn > 0; mu++)
            if (m[mu] < 1 + 1e-3 && ns < n) {
                in[mu] = 1;
                s[ns++] = mu;
            }
    }

    /* Active set: solve on S, drop the most negative multiplier, else add
     * the most violated margin. */
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    rc = LAB_ENUMERIC;
    const double tol = 1e-9;
    long max_rounds = 4 * (long)p + 100;
    for (res->rounds = 0; res->rounds <= max_rounds; res->rounds++) {
        /* S in increasing order, so the result does not depend on the path. */
        size_t k = 0;
        for (size_t mu = 0; mu < p; mu++)
            if (in[mu])
                s[k++] = mu;
        ns = k;
        for (size_t q = 0; q < ns; q++)
            memcpy(as + q * n, a + s[q] * n, n * sizeof *as);
        int ok = 1;
        if (ns > 0) {
            lab_gemm(0, 1, ns, ns, n, 1.0, as, as, 0.0, g);
            gsl_matrix_view gv = gsl_matrix_view_array(g, ns, ns);
            gsl_vector_view lv = gsl_vector_view_array(lam, ns);
            gsl_vector_set_all(&lv.vector, 1.0);
            ok = gsl_linalg_cholesky_decomp1(&gv.matrix) == GSL_SUCCESS
                 && gsl_linalg_cholesky_svx(&gv.matrix, &lv.vector) == GSL_SUCCESS;
        }
        if (!ok)
            break;
        /* Drop every negative multiplier at once; once there is none, add
         * the violated margins, most violated first, while the set has
         * room. Late rounds change one example at a time, which cannot
         * cycle where the wholesale changes might. */
        int single = 1;
        size_t worst = ns, dropped = 0;
        for (size_t q = 0; q < ns; q++)
            if (lam[q] < 0) {
                if (!single)
                    in[s[q]] = 0, dropped++;
                if (worst == ns || lam[q] < lam[worst])
                    worst = q;
            }
        if (worst < ns) {
            in[s[worst]] = 0;
            continue;
        }
        memset(j, 0, n * sizeof *j);
        for (size_t q = 0; q < ns; q++)
            cblas_daxpy((int)n, lam[q], as + q * n, 1, j, 1);
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p, (int)n, 1.0, a, (int)n, j, 1, 0.0, m, 1);
        size_t added = 0, room = n - ns;
        for (;;) {
            size_t add = p;
            for (size_t mu = 0; mu < p; mu++)
                if (!in[mu] && m[mu] < 1 - tol && (add == p || m[mu] < m[add]))
                    add = mu;
            if (add == p || added == room || (single && added == 1))
                break;
            in[add] = 1;
            added++;
        }
        if (added == 0) {
            /* Nothing violated (or no room: the Gram matrix would be singular). */
            size_t viol = 0;
            for (size_t mu = 0; mu < p; mu++)
                viol += !in[mu] && m[mu] < 1 - tol;
            rc = viol ? LAB_ENUMERIC : LAB_OK;
            break;
        }
    }
    gsl_set_error_handler(old);
    if (rc != LAB_OK) {
        /* The active set can cycle (it takes no partial steps): keep
         * liblinear's answer when it separates the data, scaled to a
         * smallest margin of 1, with its KKT violation reported. */
        double mn = INFINITY;
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p, (int)n, 1.0, a, (int)n, guess, 1, 0.0,
                    m, 1);
        for (size_t mu = 0; mu < p; mu++)
            mn = fmin(mn, m[mu]);
        if (!(mn > 0) || !isfinite(mn)) {
            rc = lab_fail(err, errlen, LAB_ENUMERIC, "max margin: the active-set solve failed "
                          "after %ld rounds and liblinear's answer does not separate the data",
                          res->rounds);
            goto done;
        }
        rc = LAB_OK;
        ns = 0;
        memset(in, 0, p);
        for (size_t i = 0; i < n; i++)
            j[i] = guess[i] / mn;
        for (size_t mu = 0; mu < p; mu++) {
            m[mu] /= mn;
            if (m[mu] < 1 + 1e-3 && ns < n) {
                in[mu] = 1;
                s[ns++] = mu;
            }
        }
        res->fallback = 1;
        for (size_t q = 0; q < ns; q++)
            lam[q] = 0; /* not known */
    }
    double jj = cblas_ddot((int)n, j, 1, j, 1), kkt = 0;
    if (lambda)
        memset(lambda, 0, p * sizeof *lambda);
    for (size_t q = 0; q < ns; q++) {
        if (lambda)
            lambda[s[q]] = lam[q];
        kkt = fmax(kkt, fmax(-lam[q], fabs(m[s[q]] - 1)));
    }
    for (size_t mu = 0; mu < p; mu++)
        if (!in[mu])
            kkt = fmax(kkt, 1 - m[mu]);
    res->support = ns;
    res->kappa = 1 / sqrt(jj);
    res->kkt = kkt;
done:
    free(guess);
    free(a);
    free(m);
    free(as);
    free(g);
    free(lam);
    free(in);
    free(s);
    if (rc == LAB_ENOMEM)
        lab_fail(err, errlen, rc, "out of memory");
    return rc;
}
