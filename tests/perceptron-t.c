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
#include <gsl/gsl_cdf.h>

#include "blas.h"
#include "config.h"
#include "gibbs.h"
#include "kind.h"
#include "perceptron.h"
#include "rng.h"
#include "status.h"
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

/* The largest KKT violation of (j, lam) computed here from scratch:
 * lambda >= 0, J = sum lambda a, margins 1 where lambda > 0 and >= 1
 * elsewhere; *sv counts lambda > 0 and *least is the smallest margin. */
static double kkt_of(const problem *pr, const double *j, const double *lam, size_t *sv,
                     double *least)
{
    size_t n = pr->n;
    double *jr = calloc(n, sizeof *jr), *m = malloc(pr->p * sizeof *m), worst = 0;
    if (!jr || !m)
        bail("out of memory");
    *sv = 0;
    *least = INFINITY;
    for (size_t mu = 0; mu < pr->p; mu++) {
        worst = fmax(worst, -lam[mu]);
        cblas_daxpy((int)n, lam[mu], pr->a + mu * n, 1, jr, 1);
    }
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)pr->p, (int)n, 1.0, pr->a, (int)n, j, 1, 0.0,
                m, 1);
    for (size_t mu = 0; mu < pr->p; mu++) {
        *sv += lam[mu] > 0;
        worst = fmax(worst, lam[mu] > 0 ? fabs(m[mu] - 1) : 1 - m[mu]);
        *least = fmin(*least, m[mu]);
    }
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs(jr[i] - j[i]) / cblas_dnrm2((int)n, j, 1));
    free(jr);
    free(m);
    return worst;
}

/* The hard margin by NNLS: the KKT conditions to 1e-9 where the active set
 * of liblinear's answer used to cycle (N = 100, alpha = 10) and at
 * N = 400, alpha = 0.5 and 10. */
static void test_maxmargin(void)
{
    static const struct { size_t n; double alpha; int teachers; } cases[] = {
        { 50, 3, 1 }, { 100, 10, 8 }, { 400, 0.5, 1 }, { 400, 10, 1 }
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t n = cases[c].n, p = (size_t)(cases[c].alpha * (double)n);
        double worst = 0, worst_res = 0, min_margin = INFINITY, kappa_dev = 0;
        int solved = 1;
        size_t support_ok = 1;
        for (int s = 0; s < cases[c].teachers; s++) {
            problem pr = make(p, n, 3 + (uint64_t)s);
            double *j = malloc(n * sizeof *j), *lam = malloc(p * sizeof *lam);
            lab_svm_result res;
            char err[256];
            if (!j || !lam)
                bail("out of memory");
            solved &= lab_svm_maxmargin(p, n, pr.a, j, lam, &res, err, sizeof err) == 0;
            size_t sv;
            double least;
            worst = fmax(worst, kkt_of(&pr, j, lam, &sv, &least));
            worst_res = fmax(worst_res, res.kkt);
            min_margin = fmin(min_margin, least);
            support_ok &= sv == res.support && sv <= n + 1;
            kappa_dev = fmax(kappa_dev, fabs(res.kappa * cblas_dnrm2((int)n, j, 1) - least));
            free(j);
            free(lam);
            release(&pr);
        }
        ok(solved && worst < 1e-9 && worst_res < 1e-9 && min_margin > 1 - 1e-9 && support_ok
               && kappa_dev < 1e-12,
           "max margin at N = %zu, alpha = %g (%d teachers): KKT violation %.1g (reported "
           "%.1g), smallest margin 1 - %.1g, kappa = min margin / |J|", n, cases[c].alpha,
           cases[c].teachers, worst, worst_res, 1 - min_margin);
    }
    /* Two copies of one example with opposite labels: not separable. */
    double a[2 * 3] = { 0.3, -1.2, 0.7, -0.3, 1.2, -0.7 }, j[3];
    lab_svm_result res;
    char err[256];
    ok(lab_svm_maxmargin(2, 3, a, j, NULL, &res, err, sizeof err) == LAB_ENUMERIC
           && strstr(err, "not separable"), "inseparable examples are refused (%s)", err);
}

/* Gibbs samples stay strictly inside the version space. */
static void test_version_space(void)
{
    enum { N = 50, P = 250 };
    problem pr = make(P, N, 4);
    double j[N], m[P], worst = INFINITY;
    lab_svm_result res;
    char err[256];
    if (lab_svm_maxmargin(P, N, pr.a, j, NULL, &res, err, sizeof err))
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

/* The mirror image in a truncated normal: F(z') - F(a) = F(b) - F(z), on
 * either side of zero and in a far tail; overrelaxed sweeps with P = 0 keep
 * R uniform on the sphere (mean 0, N var 1). */
static void test_overrelax(void)
{
    static const double cases[][3] = { { -0.4, 1.7, 0.9 }, { 0.6, 2.1, 1.3 }, { -3.2, -1.1, -2.5 },
                                       { 9.0, 9.5, 9.1 } };
    double worst = 0, back = 0;
    for (size_t c = 0; c < 4; c++) {
        double a = cases[c][0], b = cases[c][1], z = cases[c][2];
        double zr = lab_truncated_normal_reflect(a, b, z);
        /* Compare in Q on the upper side, where it keeps its digits. */
        double lhs = gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(zr);
        double rhs = gsl_cdf_ugaussian_Q(z) - gsl_cdf_ugaussian_Q(b);
        worst = fmax(worst, fabs(lhs - rhs) / fabs(rhs));
        back = fmax(back, fabs(lab_truncated_normal_reflect(a, b, zr) - z));
    }
    ok(worst < 1e-9 && back < 1e-9, "the mirror image in a truncated normal keeps the mass "
       "beyond it (worst relative error %.1g) and is its own inverse (%.1g)", worst, back);
    enum { N = 20, K = 4000 };
    problem pr = make(1, N, 8);
    double j[N], s1 = 0, s2 = 0;
    gsl_rng *r = lab_rng_alloc(9, 5);
    lab_gibbs *g = lab_gibbs_alloc(0, N, pr.a);
    lab_rng_fill_normal(r, j, N, 1.0);
    lab_gibbs_start(g, j);
    for (int s = 0; s < K; s++) {
        lab_gibbs_sweep(g, r);
        lab_gibbs_overrelax(g);
        double rr = overlap(N, lab_gibbs_state(g), pr.t);
        s1 += rr;
        s2 += rr * rr;
    }
    double mean = s1 / K, var = s2 / K - mean * mean;
    ok(fabs(mean) < 4 / sqrt(N * (double)K) && fabs(var * N - 1) < 0.1,
       "P = 0, a sweep and an overrelaxed sweep in turn: R over %d has mean %.4f (0) and N var "
       "%.3f (1)", K, mean, var * N);
    gsl_rng_free(r);
    lab_gibbs_free(g);
    release(&pr);
}

/* Over-dispersed starts: inside the version space, each chain's its own,
 * those pushed to the walls (tilt +1) at lower R than those pulled to the
 * centre (tilt -1); a start outside is refused. */
static void test_dispersed(void)
{
    enum { N = 50, P = 100, C = 6 };
    problem pr = make(P, N, 11);
    double j[N], st[C][N], m[P], worst = INFINITY, closest = INFINITY, rin = 0, rout = 0;
    lab_svm_result res;
    char err[256];
    if (lab_svm_maxmargin(P, N, pr.a, j, NULL, &res, err, sizeof err))
        bail("%s", err);
    cblas_dscal(N, sqrt((double)N) / cblas_dnrm2(N, j, 1), j, 1);
    lab_gibbs *g = lab_gibbs_alloc(P, N, pr.a);
    gsl_rng *r = lab_rng_alloc(12, 5);
    int started = 1;
    for (int c = 0; c < C; c++) {
        started &= lab_gibbs_start_dispersed(g, j, 10, c % 2 ? 1.0 : -1.0, r) == LAB_OK;
        memcpy(st[c], lab_gibbs_state(g), sizeof st[c]);
        cblas_dgemv(CblasRowMajor, CblasNoTrans, P, N, 1.0, pr.a, N, st[c], 1, 0.0, m, 1);
        for (size_t mu = 0; mu < P; mu++)
            worst = fmin(worst, m[mu]);
        *(c % 2 ? &rout : &rin) += overlap(N, st[c], pr.t) / (C / 2);
        for (int q = 0; q < c; q++)
            closest = fmin(closest, 1 - overlap(N, st[c], st[q]));
    }
    ok(started && worst > 0 && closest > 1e-3 && rout < rin,
       "%d over-dispersed starts at alpha = 2: inside the version space (smallest margin "
       "%.3g), pairwise apart (smallest 1 - cos %.3g), mean R %.3f pushed to the walls < %.3f "
       "pulled to the centre", C, worst, closest, rout, rin);
    double zero[N] = { 0 };
    ok(lab_gibbs_start_dispersed(g, zero, 10, 1.0, r) != LAB_OK,
       "an over-dispersed start from outside the version space is refused");
    gsl_rng_free(r);
    lab_gibbs_free(g);
    release(&pr);
}

/* The radial redraw keeps the target: alone, |J|^2 is chi-squared with N
 * degrees of freedom (mean N, variance 2 N) whatever the direction; with
 * sweeps in the half-space of one example, J.a/|a| stays half-normal. */
static void test_radial(void)
{
    enum { N = 20, K = 20000 };
    problem pr = make(1, N, 13);
    double an = cblas_dnrm2(N, pr.a, 1), j[N], s1 = 0, s2 = 0, proj = 0;
    for (size_t i = 0; i < N; i++)
        j[i] = pr.a[i] / an;
    gsl_rng *r = lab_rng_alloc(14, 5);
    lab_gibbs *g = lab_gibbs_alloc(1, N, pr.a);
    lab_gibbs_start(g, j);
    long neg = 0;
    for (int s = 0; s < K; s++) {
        if (s % 2)
            lab_gibbs_sweep(g, r);
        lab_gibbs_radial(g, r);
        const double *x = lab_gibbs_state(g);
        double q = cblas_ddot(N, x, 1, x, 1), pa = cblas_ddot(N, x, 1, pr.a, 1) / an;
        s1 += q;
        s2 += q * q;
        proj += pa / K;
        neg += pa <= 0 || lab_gibbs_min_margin(g) <= 0;
    }
    /* Each radial redraw is independent of the rest given the direction:
     * the K values of |J|^2 are independent chi-squared draws. */
    double mean = s1 / K, var = s2 / K - mean * mean, se = sqrt(2.0 * N / K);
    ok(fabs(mean - N) < 4 * se && fabs(var / (2.0 * N) - 1) < 0.06,
       "radial redraws: |J|^2 has mean %.3f (N = %d, standard error %.3f) and variance / 2N "
       "%.3f (1)", mean, N, se, var / (2.0 * N));
    ok(neg == 0 && fabs(proj - sqrt(2 / M_PI)) < 0.03,
       "P = 1 with sweeps and radial redraws: J.a/|a| has mean %.4f (half-normal: %.4f)", proj,
       sqrt(2 / M_PI));
    gsl_rng_free(r);
    lab_gibbs_free(g);
    release(&pr);
}

/* The chains' mean R against the replica-symmetric Gibbs value at alpha = 2
 * (R = 0.7283: R / sqrt(1 - R) = (alpha / pi) int Dt exp(-R t^2/2) /
 * H(-sqrt(R) t), THEORY.md section 5.3), and R-hat over 4 chains per teacher
 * from over-dispersed starts, a sweep and a radial redraw an iteration.
 * 3000 sweeps: with 1500 the worst of the 4 teachers' R-hat was 1.084 with
 * OpenBLAS's AVX-512 kernels and 1.118 with its Haswell kernels (the chains
 * follow the last bits of the products); with 3000, 1.029 with both. */
static void test_mixing(void)
{
    enum { N = 100, P = 200, CHAINS = 4, TEACHERS = 4, BURN = 200, SWEEPS = 3000 };
    double j[N], total = 0, worst_rhat = 0;
    for (int tch = 0; tch < TEACHERS; tch++) {
        problem pr = make(P, N, 20 + tch);
        lab_svm_result res;
        char err[256];
        if (lab_svm_maxmargin(P, N, pr.a, j, NULL, &res, err, sizeof err))
            bail("%s", err);
        double sc = sqrt((double)N) / cblas_dnrm2(N, j, 1);
        cblas_dscal(N, sc, j, 1);
        double mean[CHAINS], var[CHAINS], grand = 0, within = 0, between = 0;
        for (int c = 0; c < CHAINS; c++) {
            lab_gibbs *g = lab_gibbs_alloc(P, N, pr.a);
            gsl_rng *r = lab_rng_alloc(1000 + tch, (uint64_t)c);
            /* Over-dispersed starts, as the kind makes them. */
            lab_gibbs_start_dispersed(g, j, 10, c % 2 ? 1.0 : -1.0, r);
            double s1 = 0, s2 = 0;
            for (int s = 0; s < BURN + SWEEPS; s++) {
                lab_gibbs_sweep(g, r);
                lab_gibbs_radial(g, r);
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
    plan(21);
    test_hebb();
    test_maxmargin();
    test_version_space();
    test_known_spaces();
    test_overrelax();
    test_dispersed();
    test_radial();
    test_mixing();
    test_kind();
    return 0;
}
