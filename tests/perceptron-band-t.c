/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Perceptrons on band-limited inputs, the negative control of issue 11
 * (THEORY.md section 10.1, "Negative control"): the exact test error
 * arccos(R_B) / pi against a Monte Carlo estimate on band-limited test
 * inputs; Gibbs sampling in R^N on band-limited examples against the
 * sampler in the band's D_B coordinates (the out-of-band part of the
 * samples standard gaussian and uncorrelated with R_B); and the kind's rows
 * at (N, B) against the unfiltered kind at N = D_B, in distribution over
 * teachers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "band.h"
#include "blas.h"
#include "config.h"
#include "gibbs.h"
#include "kind.h"
#include "rng.h"
#include "status.h"
#include "tap.h"

enum { N = 64, B = 7, DB = 15 };

static double overlap(size_t n, const double *j, const double *t)
{
    return cblas_ddot((int)n, j, 1, t, 1) / (cblas_dnrm2((int)n, j, 1) * cblas_dnrm2((int)n, t, 1));
}

/* Students J = T + s g against M band-limited test inputs: the fraction on
 * which sign(J.x) and sign(T.x) differ, against arccos(R_B) / pi within 4
 * standard errors; and a student that differs from T only outside the band
 * errs on none, while arccos(R) / pi with the full overlap says 0.3 or so. */
static void test_exact_error(void)
{
    enum { M = 100000 };
    lab_band *band = lab_band_alloc(N, B);
    double *x = malloc((size_t)M * N * sizeof *x), t[N], j[N], g[N], zt[DB], zj[DB];
    if (!band || !x)
        bail("out of memory");
    gsl_rng *r = lab_rng_alloc(31, 1);
    lab_rng_fill_normal(r, x, (size_t)M * N, 1.0);
    lab_band_filter(band, M, x);
    lab_rng_fill_normal(r, t, N, 1.0);
    lab_band_coords(band, 1, t, zt);
    const double scale[3] = { 0.5, 1.5, 4 };
    int fine = 1;
    char what[512] = "";
    for (int k = 0; k < 4; k++) {
        lab_rng_fill_normal(r, g, N, 1.0);
        if (k < 3) {
            for (size_t i = 0; i < N; i++)
                j[i] = t[i] + scale[k] * g[i];
        } else {
            /* J = P T + 3 (I - P) g: the teacher in the band. */
            double pt[N], pg[N];
            memcpy(pt, t, sizeof pt);
            memcpy(pg, g, sizeof pg);
            lab_band_project(band, 1, pt);
            lab_band_project(band, 1, pg);
            for (size_t i = 0; i < N; i++)
                j[i] = pt[i] + 3 * (g[i] - pg[i]);
        }
        lab_band_coords(band, 1, j, zj);
        long wrong = 0;
        for (size_t m = 0; m < M; m++)
            wrong += (cblas_ddot(N, x + m * N, 1, j, 1) >= 0)
                     != (cblas_ddot(N, x + m * N, 1, t, 1) >= 0);
        double mc = (double)wrong / M, exact = acos(fmin(1, overlap(DB, zj, zt))) / M_PI;
        double full = acos(overlap(N, j, t)) / M_PI, se = sqrt(exact * (1 - exact) / M);
        if (k < 3)
            fine = fine && fabs(mc - exact) < 4 * se;
        else
            fine = fine && wrong == 0 && exact < 1e-7 && full > 0.2;
        size_t len = strlen(what);
        snprintf(what + len, sizeof what - len, "%s%.4f/%.4f (se %.4f; full R: %.4f)",
                 k ? ", " : "", mc, exact, se, full);
    }
    ok(fine, "band-limited test inputs, N = %d, B = %d: the Monte Carlo error of %d inputs "
       "against arccos(R_B)/pi: %s", N, B, M, what);
    free(x);
    gsl_rng_free(r);
    lab_band_free(band);
}

/* A Gibbs chain on the examples a (p x n) from t, `len` iterations kept
 * after `burn` (a sweep, 3 overrelaxed ones and a radial redraw each):
 * rb[k] the overlap R_B of the state's band coordinates with zt (band
 * non-NULL) or of the state with zt, out[k] its squared norm outside the
 * band (0 without a band). */
static void chain(size_t p, size_t n, const double *a, const double *t, lab_band *band,
                  const double *zt, int burn, int len, gsl_rng *r, double *rb, double *out)
{
    lab_gibbs *g = lab_gibbs_alloc(p, n, a);
    if (!g || lab_gibbs_start(g, t) != LAB_OK)
        bail("no chain");
    double zj[DB];
    for (int s = 0; s < burn + len; s++) {
        lab_gibbs_sweep(g, r);
        for (int k = 0; k < 3; k++)
            lab_gibbs_overrelax(g);
        lab_gibbs_radial(g, r);
        if (s < burn)
            continue;
        const double *j = lab_gibbs_state(g);
        if (band) {
            lab_band_coords(band, 1, j, zj);
            rb[s - burn] = overlap(DB, zj, zt);
            out[s - burn] = cblas_ddot((int)n, j, 1, j, 1) - cblas_ddot(DB, zj, 1, zj, 1);
        } else {
            rb[s - burn] = overlap(n, j, zt);
            out[s - burn] = 0;
        }
    }
    lab_gibbs_free(g);
}

/* The mean of x (len values) and its standard error by batch means over
 * `batches` batches. */
static double batch_mean(const double *x, int len, int batches, double *se)
{
    int per = len / batches;
    double mean = 0, var = 0;
    for (int b = 0; b < batches; b++) {
        double m = 0;
        for (int i = 0; i < per; i++)
            m += x[b * per + i] / per;
        mean += m / batches;
        var += m * m / batches;
    }
    var -= mean * mean;
    *se = sqrt(fmax(0, var) * batches / (batches - 1.0) / batches);
    return mean;
}

/* The Gibbs target on band-limited examples is N(0, I_N) restricted to
 * C_B x R^(N - D_B) (C_B the version space of the band coordinates): its
 * in-band part is the D_B-dimensional Gibbs target, its out-of-band part
 * standard gaussian and independent. The chain in R^64 and the chain in
 * the band's 15 coordinates give the same mean R_B; |J_out|^2 / (N - D_B)
 * has mean 1 and no covariance with R_B. */
static void test_gibbs_band(void)
{
    enum { P = 30, BURN = 200, LEN = 8000, BATCHES = 40 };
    lab_band *band = lab_band_alloc(N, B);
    double *x = malloc(P * N * sizeof *x), *a = malloc(P * N * sizeof *a), za[P * DB];
    double *rb1 = malloc(LEN * sizeof *rb1), *rb2 = malloc(LEN * sizeof *rb2);
    double *out = malloc(LEN * sizeof *out), *tmp = malloc(LEN * sizeof *tmp);
    double t[N], zt[DB];
    if (!band || !x || !a || !rb1 || !rb2 || !out || !tmp)
        bail("out of memory");
    gsl_rng *r = lab_rng_alloc(41, 1);
    lab_rng_fill_normal(r, t, N, 1.0);
    lab_rng_fill_normal(r, x, P * N, 1.0);
    lab_band_filter(band, P, x);
    for (size_t mu = 0; mu < P; mu++) {
        double y = cblas_ddot(N, x + mu * N, 1, t, 1) >= 0 ? 1 : -1;
        for (size_t i = 0; i < N; i++)
            a[mu * N + i] = y * x[mu * N + i];
    }
    lab_band_coords(band, P, a, za);
    lab_band_coords(band, 1, t, zt);
    gsl_rng *r1 = lab_rng_alloc(42, 1), *r2 = lab_rng_alloc(42, 2);
    chain(P, N, a, t, band, zt, BURN, LEN, r1, rb1, out);
    chain(P, DB, za, zt, NULL, zt, BURN, LEN, r2, rb2, tmp);
    double se1, se2, m1 = batch_mean(rb1, LEN, BATCHES, &se1);
    double m2 = batch_mean(rb2, LEN, BATCHES, &se2);
    ok(fabs(m1 - m2) < 4 * hypot(se1, se2), "Gibbs, N = %d, B = %d, P = %d: mean R_B %.4f "
       "(se %.4f) in R^%d, %.4f (se %.4f) in the band's %d coordinates", N, B, P, m1, se1, N,
       m2, se2, DB);
    for (int i = 0; i < LEN; i++)
        out[i] /= N - DB;
    double so, mo = batch_mean(out, LEN, BATCHES, &so);
    for (int i = 0; i < LEN; i++)
        tmp[i] = (out[i] - mo) * (rb1[i] - m1);
    double sc, cov = batch_mean(tmp, LEN, BATCHES, &sc);
    ok(fabs(mo - 1) < 4 * so && fabs(cov) < 4 * sc, "its out-of-band part: |J_out|^2/(N - D_B) "
       "has mean %.4f (se %.4f; 1) and covariance with R_B %.2e (se %.1e; 0)", mo, so, cov, sc);
    free(x);
    free(a);
    free(rb1);
    free(rb2);
    free(out);
    free(tmp);
    gsl_rng_free(r);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    lab_band_free(band);
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

/* Hebb's and the max-margin student's mean test errors over many teachers:
 * filtered at N = 64, B = 7 against unfiltered at N = 15, P = 15 and 75
 * examples each, within 4 standard errors of their difference. The
 * learners see band-limited data only through the band coordinates, which
 * are i.i.d. gaussian like the unfiltered inputs at N = D_B. */
static void test_same_law(void)
{
    enum { TEACHERS = 300 };
    const lab_kind *k = lab_kind_find("perceptron");
    long test = lab_kind_column(k, "test_error"), status = lab_kind_column(k, "status");
    size_t nc = k->ncolumns;
    const int examples[2] = { 15, 75 };
    for (int e = 0; e < 2; e++) {
        double sum[2][2] = { { 0 } }, sum2[2][2] = { { 0 } }, v[2 * 16];
        int fine = 1;
        for (int s = 0; s < TEACHERS; s++)
            for (int f = 0; f < 2; f++) {
                char cfg[512];
                int dim = f ? N : DB;
                snprintf(cfg, sizeof cfg, "[experiment]\nkind = perceptron\n[perceptron]\n"
                         "dim = %d\nalpha = %.17g\nlearners = hebb, maxmargin\n[data]\n"
                         "bandlimit = %d\n[sweep]\nseeds = %d\n", dim,
                         (double)examples[e] / dim, f ? B : -1, s);
                if (run_cell(cfg, v, 32) != 2)
                    bail("rows");
                for (int l = 0; l < 2; l++) {
                    double err = v[l * nc + test];
                    fine = fine && v[l * nc + status] == LAB_ROW_OK;
                    sum[f][l] += err;
                    sum2[f][l] += err * err;
                }
            }
        char what[256] = "";
        for (int l = 0; l < 2; l++) {
            double m[2], se2 = 0;
            for (int f = 0; f < 2; f++) {
                m[f] = sum[f][l] / TEACHERS;
                se2 += (sum2[f][l] / TEACHERS - m[f] * m[f]) / (TEACHERS - 1);
            }
            fine = fine && fabs(m[1] - m[0]) < 4 * sqrt(se2);
            size_t len = strlen(what);
            snprintf(what + len, sizeof what - len, "%s %s %.4f and %.4f (se %.4f)",
                     l ? "," : "", l ? "maxmargin" : "hebb", m[1], m[0], sqrt(se2));
        }
        ok(fine, "P = %d, %d teachers: N = %d, B = %d against N = %d unfiltered:%s",
           examples[e], TEACHERS, N, B, DB, what);
    }
}

int main(void)
{
    lab_blas_single_thread();
    plan(5);
    test_exact_error();
    test_gibbs_band();
    test_same_law();
    return 0;
}
