/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kind "perceptron" and its learners against known values: Hebb's
 * overlap against its large-N expectation; the max-margin student's KKT
 * conditions; Gibbs samples inside the version space, uniform on the sphere
 * with no examples and a half-space with one, their mean overlap against
 * the replica-symmetric value, and Gelman-Rubin's R-hat over chains; rows
 * that depend on the config alone; learners with no student as rows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "blas.h"
#include "config.h"
#include "gibbs.h"
#include "kind.h"
#include "perceptron.h"
#include "rng.h"
#include "svm.h"
#include "tap.h"

/* A teacher t (n) and p examples: x, y and a = y x. */
typedef struct problem {
    size_t p, n;
    double *t, *x, *y, *a;
} problem;

static problem make(size_t p, size_t n, uint64_t seed)
{
    problem pr = { p, n, malloc(n * sizeof(double)), malloc((p + 1) * n * sizeof(double)),
                   malloc((p + 1) * sizeof(double)), malloc((p + 1) * n * sizeof(double)) };
    if (!pr.t || !pr.x || !pr.y || !pr.a)
        bail("out of memory");
    gsl_rng *r = lab_rng_alloc(seed, 77);
    lab_rng_fill_normal(r, pr.t, n, 1.0);
    lab_rng_fill_normal(r, pr.x, p * n, 1.0);
    for (size_t mu = 0; mu < p; mu++) {
        pr.y[mu] = cblas_ddot((int)n, pr.x + mu * n, 1, pr.t, 1) >= 0 ? 1 : -1;
        for (size_t i = 0; i < n; i++)
            pr.a[mu * n + i] = pr.y[mu] * pr.x[mu * n + i];
    }
    gsl_rng_free(r);
    return pr;
}

static void release(problem *pr)
{
    free(pr->t);
    free(pr->x);
    free(pr->y);
    free(pr->a);
}

static double overlap(size_t n, const double *j, const double *t)
{
    return cblas_ddot((int)n, j, 1, t, 1) / (cblas_dnrm2((int)n, j, 1) * cblas_dnrm2((int)n, t, 1));
}

/* E R of Hebb's rule for large N: sqrt(2 alpha / (2 alpha + pi)). */
static void test_hebb(void)
{
    enum { N = 200, TRIALS = 20 };
    double alpha = 2, sum = 0, j[N], m[2 * N + 1];
    for (int s = 0; s < TRIALS; s++) {
        problem pr = make((size_t)(alpha * N), N, 100 + s);
        lab_perc_hebb(pr.p, N, pr.a, j);
        lab_perc_eval e = lab_perc_evaluate(pr.p, N, pr.a, pr.t, j, m);
        sum += e.overlap;
        release(&pr);
    }
    double want = sqrt(2 * alpha / (2 * alpha + M_PI)), got = sum / TRIALS;
    ok(fabs(got - want) < 0.015, "Hebb at N = %d, alpha = 2: mean R %.4f over %d teachers, "
       "large-N value %.4f", N, got, TRIALS, want);
}

/* The hard margin: lambda >= 0, J = sum lambda a, margins 1 on the support
 * and >= 1 off it. */
static void test_maxmargin(void)
{
    enum { N = 50 };
    problem pr = make(150, N, 3);
    double j[N], lam[150], jr[N] = { 0 }, m[150];
    lab_svm_result res;
    char err[256];
    int rc = lab_svm_maxmargin(pr.p, N, pr.x, pr.y, j, lam, &res, err, sizeof err);
    ok(rc == 0 && !res.fallback, "max margin at N = 50, P = 150 solved exactly (%s; %ld "
       "active-set rounds, %zu support vectors)", rc ? err : "ok", res.rounds, res.support);
    double neg = 0, on = 0, off = INFINITY, diff = 0;
    size_t sv = 0;
    for (size_t mu = 0; mu < pr.p; mu++) {
        neg = fmin(neg, lam[mu]);
        cblas_daxpy(N, lam[mu], pr.a + mu * N, 1, jr, 1);
    }
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)pr.p, N, 1.0, pr.a, N, j, 1, 0.0, m, 1);
    for (size_t mu = 0; mu < pr.p; mu++) {
        if (lam[mu] > 0) {
            sv++;
            on = fmax(on, fabs(m[mu] - 1));
        } else {
            off = fmin(off, m[mu]);
        }
    }
    for (size_t i = 0; i < N; i++)
        diff = fmax(diff, fabs(jr[i] - j[i]));
    ok(neg == 0 && sv == res.support && on < 1e-9 && off > 1 - 1e-9 && diff < 1e-9
           && res.kkt < 1e-9,
       "KKT: lambda >= 0, J = sum lambda y x (max diff %.1g), support margins 1 (max dev "
       "%.1g), the others >= 1 (min %.6f)", diff, on, off);
    double jn = cblas_dnrm2(N, j, 1);
    ok(fabs(res.kappa - 1 / jn) < 1e-12 && res.kappa > 0,
       "the stability kappa = 1/|J| = %.4f > 0: every example separated", res.kappa);
    release(&pr);
}

/* Gibbs samples stay strictly inside the version space. */
static void test_version_space(void)
{
    enum { N = 50, P = 250 };
    problem pr = make(P, N, 4);
    double j[N], m[P], worst = INFINITY;
    lab_svm_result res;
    char err[256];
    if (lab_svm_maxmargin(P, N, pr.x, pr.y, j, NULL, &res, err, sizeof err))
        bail("%s", err);
    lab_gibbs *g = lab_gibbs_alloc(P, N, pr.a);
    gsl_rng *r = lab_rng_alloc(5, 5);
    int started = lab_gibbs_start(g, j) == 0;
    for (int s = 0; s < 300; s++) {
        lab_gibbs_sweep(g, r);
        cblas_dgemv(CblasRowMajor, CblasNoTrans, P, N, 1.0, pr.a, N, lab_gibbs_state(g), 1, 0.0,
                    m, 1);
        for (size_t mu = 0; mu < P; mu++)
            worst = fmin(worst, m[mu]);
    }
    ok(started && worst > 0, "300 Gibbs sweeps at alpha = 5 all classify every example "
       "correctly (smallest margin %.3g)", worst);
    double zero[N] = { 0 };
    ok(lab_gibbs_start(g, zero) != 0, "a start outside the version space is refused");
    gsl_rng_free(r);
    lab_gibbs_free(g);
    release(&pr);
}

/* With no example, samples are uniform on the sphere: R has mean 0 and
 * variance 1/N. With one, J.a/|a| is half-normal: mean sqrt(2/pi). */
static void test_known_spaces(void)
{
    enum { N = 20, K = 4000 };
    problem pr = make(1, N, 6);
    double j[N], s1 = 0, s2 = 0;
    gsl_rng *r = lab_rng_alloc(7, 5);
    lab_gibbs *g = lab_gibbs_alloc(0, N, pr.a);
    lab_rng_fill_normal(r, j, N, 1.0);
    lab_gibbs_start(g, j);
    for (int s = 0; s < K; s++) {
        lab_gibbs_sweep(g, r);
        double rr = overlap(N, lab_gibbs_state(g), pr.t);
        s1 += rr;
        s2 += rr * rr;
    }
    double mean = s1 / K, var = s2 / K - mean * mean;
    ok(fabs(mean) < 4 / sqrt(N * (double)K) && fabs(var * N - 1) < 0.1,
       "P = 0: R over %d sweeps has mean %.4f (0) and N var %.3f (1)", K, mean, var * N);
    lab_gibbs_free(g);

    g = lab_gibbs_alloc(1, N, pr.a);
    double an = cblas_dnrm2(N, pr.a, 1), proj = 0, neg = 0;
    for (size_t i = 0; i < N; i++)
        j[i] = pr.a[i] / an;
    lab_gibbs_start(g, j);
    for (int s = 0; s < K; s++) {
        lab_gibbs_sweep(g, r);
        double pa = cblas_ddot(N, lab_gibbs_state(g), 1, pr.a, 1) / an;
        proj += pa;
        neg += pa <= 0;
    }
    proj /= K;
    ok(neg == 0 && fabs(proj - sqrt(2 / M_PI)) < 0.05,
       "P = 1: the half-space; J.a/|a| has mean %.4f (half-normal: %.4f)", proj,
       sqrt(2 / M_PI));
    gsl_rng_free(r);
    lab_gibbs_free(g);
    release(&pr);
}

/* The chains' mean R against the replica-symmetric Gibbs value at alpha = 2
 * (R = 0.7283: R / sqrt(1 - R) = (alpha / pi) int Dt exp(-R t^2/2) /
 * H(-sqrt(R) t), THEORY.md section 11), and R-hat over 4 chains per teacher. */
static void test_mixing(void)
{
    enum { N = 100, P = 200, CHAINS = 4, TEACHERS = 4, BURN = 200, SWEEPS = 1500 };
    double j[N], total = 0, worst_rhat = 0;
    for (int tch = 0; tch < TEACHERS; tch++) {
        problem pr = make(P, N, 20 + tch);
        lab_svm_result res;
        char err[256];
        if (lab_svm_maxmargin(P, N, pr.x, pr.y, j, NULL, &res, err, sizeof err))
            bail("%s", err);
        double sc = sqrt((double)N) / cblas_dnrm2(N, j, 1);
        cblas_dscal(N, sc, j, 1);
        double mean[CHAINS], var[CHAINS], grand = 0, within = 0, between = 0;
        for (int c = 0; c < CHAINS; c++) {
            lab_gibbs *g = lab_gibbs_alloc(P, N, pr.a);
            gsl_rng *r = lab_rng_alloc(1000 + tch, (uint64_t)c);
            lab_gibbs_start(g, j);
            double s1 = 0, s2 = 0;
            for (int s = 0; s < BURN + SWEEPS; s++) {
                lab_gibbs_sweep(g, r);
                if (s < BURN)
                    continue;
                double rr = overlap(N, lab_gibbs_state(g), pr.t);
                s1 += rr;
                s2 += rr * rr;
            }
            mean[c] = s1 / SWEEPS;
            var[c] = (s2 - SWEEPS * mean[c] * mean[c]) / (SWEEPS - 1);
            grand += mean[c] / CHAINS;
            within += var[c] / CHAINS;
            gsl_rng_free(r);
            lab_gibbs_free(g);
        }
        for (int c = 0; c < CHAINS; c++)
            between += SWEEPS * (mean[c] - grand) * (mean[c] - grand) / (CHAINS - 1);
        double vhat = (SWEEPS - 1.0) / SWEEPS * within + between / SWEEPS;
        worst_rhat = fmax(worst_rhat, sqrt(vhat / within));
        total += grand / TEACHERS;
        release(&pr);
    }
    ok(fabs(total - 0.7283) < 0.03, "Gibbs at N = 100, alpha = 2: mean R %.4f over %d teachers "
       "(replica-symmetric: 0.7283)", total, TEACHERS);
    ok(worst_rhat < 1.1, "Gelman-Rubin R-hat of R over %d chains of %d sweeps (after %d): at "
       "most %.3f < 1.1", CHAINS, SWEEPS, BURN, worst_rhat);
}

/* The rows of a config's single cell. */
static size_t run_cell(const char *text, double *v, size_t max)
{
    lab_config c, cell;
    char err[512];
    if (lab_config_init(&c) || lab_config_load_string(&c, text, "p.cfg", err, sizeof err)
        || lab_config_finish(&c, err, sizeof err) || lab_config_ncells(&c) != 1
        || lab_config_copy(&cell, &c) || lab_config_cell(&c, 0, &cell))
        bail("config: %s", err);
    const lab_kind *k = lab_config_kind(&c);
    size_t nrows = k->rows(&cell);
    if (nrows * k->ncolumns > max)
        bail("too many rows");
    lab_rows rows = { nrows, k->ncolumns, v };
    if (k->run(&cell, &rows, NULL, err, sizeof err))
        bail("run: %s", err);
    lab_config_release(&cell);
    lab_config_release(&c);
    return nrows;
}

static void test_kind(void)
{
    const lab_kind *k = lab_kind_find("perceptron");
    long status = lab_kind_column(k, "status"), wall = lab_kind_column(k, "wall_s");
    long learner = lab_kind_column(k, "learner"), test = lab_kind_column(k, "test_error");
    size_t nc = k->ncolumns;
    double a[5 * 16], b[5 * 16];
    const char *cfg = "[experiment]\nkind = perceptron\n[perceptron]\ndim = 40\nalpha = 3\n"
                      "burnin = 20\nsamples = 10\nthin = 2\n";
    size_t n1 = run_cell(cfg, a, 80), n2 = run_cell(cfg, b, 80);
    int same = n1 == 5 && n2 == 5;
    for (size_t i = 0; i < n1 * nc && same; i++)
        same = (long)(i % nc) == wall || memcmp(&a[i], &b[i], sizeof a[i]) == 0;
    ok(same, "a cell's five rows are the same bit for bit when run again");
    int fine = 1;
    for (size_t r = 0; r < n1; r++)
        fine = fine && a[r * nc + status] == LAB_ROW_OK && a[r * nc + test] < 0.5;
    ok(fine, "every learner beats chance at alpha = 3");

    size_t n0 = run_cell("[experiment]\nkind = perceptron\n[perceptron]\ndim = 20\nalpha = 0\n"
                         "learners = perceptron, hebb, maxmargin, gibbs\nburnin = 5\n"
                         "samples = 5\n", a, 80);
    int rows_ok = n0 == 4;
    for (size_t r = 0; r < n0 && rows_ok; r++) {
        int gibbs = a[r * nc + learner] == 1;
        rows_ok = a[r * nc + status] == (gibbs ? LAB_ROW_OK : LAB_ROW_DIVERGED)
                  && (gibbs || isnan(a[r * nc + test]));
    }
    ok(rows_ok, "with no example, hebb, maxmargin and perceptron give diverged rows (no "
       "student) and gibbs a sample of the sphere");
}

int main(void)
{
    lab_blas_single_thread();
    plan(13);
    test_hebb();
    test_maxmargin();
    test_version_space();
    test_known_spaces();
    test_mixing();
    test_kind();
    return 0;
}
