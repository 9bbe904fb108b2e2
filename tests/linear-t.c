/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kind "linear" against closed forms: least squares of least norm
 * (LAPACK through OpenBLAS) against GSL; a linear teacher recovered exactly
 * once n exceeds its parameters; interpolation below; a huge ridge gives the
 * constant predictor; and the same teacher and data as a student sweep.
 * The teacher's linear baseline eps_OLS (affine.h): 0 for a linear teacher,
 * and the closed form for one erf unit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_multifit.h>

#include "affine.h"
#include "blas.h"
#include "problem.h"
#include "config.h"
#include "kind.h"
#include "rng.h"
#include "tap.h"

enum { C_LEARNER, C_PARAMS, C_TRAIN, C_TEST, C_STATUS, NCOLS = 6 };

/* The two rows (mean, linear) of the single cell of text. */
static void run_cell(const char *text, double v[2][NCOLS])
{
    lab_config c, cell;
    char err[512];
    if (lab_config_init(&c) || lab_config_load_string(&c, text, "l.cfg", err, sizeof err)
        || lab_config_finish(&c, err, sizeof err) || lab_config_ncells(&c) != 1
        || lab_config_copy(&cell, &c) || lab_config_cell(&c, 0, &cell))
        bail("config: %s", err);
    const lab_kind *k = lab_config_kind(&c);
    lab_rows rows = { 2, NCOLS, &v[0][0] };
    if (strcmp(k->name, "linear") || k->ncolumns != NCOLS || k->rows(&cell) != 2
        || k->run(&cell, &rows, NULL, err, sizeof err))
        bail("run: %s", err);
    lab_config_release(&cell);
    lab_config_release(&c);
}

static void test_lstsq(void)
{
    enum { M = 40, N = 7 };
    double a[M * N], b[M], x[N];
    gsl_rng *r = lab_rng_alloc(2385, 1);
    for (size_t i = 0; i < M * N; i++)
        a[i] = gsl_rng_uniform(r) - 0.5;
    for (size_t i = 0; i < M; i++)
        b[i] = gsl_rng_uniform(r);
    long rank = lab_lstsq(M, N, a, b, -1.0, x);
    gsl_matrix_view A = gsl_matrix_view_array(a, M, N);
    gsl_vector_view B = gsl_vector_view_array(b, M);
    gsl_vector *c = gsl_vector_alloc(N);
    gsl_matrix *cov = gsl_matrix_alloc(N, N);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(M, N);
    double chisq, worst = 0;
    gsl_multifit_linear(&A.matrix, &B.vector, c, cov, &chisq, w);
    for (size_t j = 0; j < N; j++)
        worst = fmax(worst, fabs(x[j] - gsl_vector_get(c, j)));
    ok(rank == N && worst < 1e-12, "least squares by dgelsd agree with GSL's (max diff %.1g)",
       worst);
    gsl_multifit_linear_free(w);
    gsl_matrix_free(cov);
    gsl_vector_free(c);

    /* Two equal columns: the least-norm solution splits the weight evenly. */
    double a2[3 * 2] = { 1, 1, 2, 2, 3, 3 }, b2[3] = { 2, 4, 6 }, x2[2];
    rank = lab_lstsq(3, 2, a2, b2, -1.0, x2);
    ok(rank == 1 && fabs(x2[0] - 1) < 1e-12 && fabs(x2[1] - 1) < 1e-12,
       "a rank-deficient system gets the solution of least norm (%g, %g)", x2[0], x2[1]);
    gsl_rng_free(r);
}

static void test_closed_forms(void)
{
    double v[2][NCOLS];
    run_cell("[experiment]\nkind = linear\n[teacher]\ninput_dim = 8\nactivation = linear\n"
             "bias_scale = 1\n[sweep]\nn = 64\n", v);
    ok(v[1][C_LEARNER] == 1 && v[1][C_PARAMS] == 9 && v[1][C_TEST] < 1e-20
       && v[1][C_TRAIN] < 1e-20 && v[1][C_STATUS] == LAB_ROW_OK,
       "a linear teacher is recovered exactly from 64 points (test error %.1g)", v[1][C_TEST]);
    ok(v[0][C_LEARNER] == 0 && v[0][C_PARAMS] == 1 && fabs(v[0][C_TEST] - 1) < 0.2,
       "the constant predictor's error is about 1 (%.3g)", v[0][C_TEST]);

    run_cell("[experiment]\nkind = linear\n[teacher]\ninput_dim = 8\nactivation = linear\n"
             "[sweep]\nn = 5\n", v);
    ok(v[1][C_TRAIN] < 1e-20 && v[1][C_TEST] > 0.1,
       "with fewer points than parameters it interpolates (train %.1g) but errs (test %.2g)",
       v[1][C_TRAIN], v[1][C_TEST]);

    run_cell("[experiment]\nkind = linear\n[linear]\nridge = 1e12\n[sweep]\nn = 256\n", v);
    ok(fabs(v[1][C_TEST] - v[0][C_TEST]) < 1e-6 * v[0][C_TEST],
       "a huge ridge leaves the constant predictor (%.6g and %.6g)", v[1][C_TEST], v[0][C_TEST]);
}

/* A student sweep and a linear sweep with the same seeds see the same
 * teachers and data. */
static void test_same_problem(void)
{
    lab_config a, b;
    char err[512];
    if (lab_config_init(&a) || lab_config_init(&b)
        || lab_config_load_string(&a, "[sweep]\nn = 128\nseeds = 3\n", "a", err, sizeof err)
        || lab_config_load_string(&b, "[experiment]\nkind = linear\n[sweep]\nn = 128\n"
                                      "seeds = 3\n", "b", err, sizeof err)
        || lab_config_finish(&a, err, sizeof err) || lab_config_finish(&b, err, sizeof err))
        bail("config: %s", err);
    int same = 1;
    for (int p = LAB_STREAM_TEACHER; p <= LAB_STREAM_NOISE; p++) {
        uint64_t ka, kb;
        lab_config_stream_key(&a, (enum lab_stream)p, &ka);
        lab_config_stream_key(&b, (enum lab_stream)p, &kb);
        same &= ka == kb;
    }
    ok(same, "the kinds student and linear draw the same teacher, test set and training set");
    lab_config_release(&a);
    lab_config_release(&b);
}

/* The single cell of text, finished. */
static void load_cell(const char *text, lab_config *c)
{
    char err[512];
    if (lab_config_init(c) || lab_config_load_string(c, text, "b.cfg", err, sizeof err)
        || lab_config_finish(c, err, sizeof err) || lab_config_ncells(c) != 1)
        bail("config: %s", err);
}

/* One hidden unit g(z) = erf(z / sqrt 2) of z = w.x ~ N(0, s^2): by Stein's
 * lemma E[z g(z)] = s^2 sqrt(2 / pi) / sqrt(1 + s^2), and E[g^2] = (2 / pi)
 * asin(r) with r = s^2 / (1 + s^2), so the best affine predictor of g (any
 * output scale and shift) leaves 1 - E[z g]^2 / (s^2 E[g^2]) = 1 - r / asin(r)
 * of its variance. */
static void test_baseline(void)
{
    lab_config c;
    char err[512];
    double eps = -1;
    load_cell("[teacher]\nactivation = linear\ninput_dim = 8\n", &c);
    int rc = lab_affine_baseline(&c, &eps, err, sizeof err);
    ok(rc == 0 && eps < 1e-20, "a linear teacher has eps_OLS = 0 (%.1g)", eps);
    lab_config_release(&c);

    load_cell("[teacher]\nactivation = erf\ninput_dim = 4\nwidths = 1\nweight_scale = 4\n"
              "bias_scale = 0\n[data]\ntest_size = 262144\n[sweep]\nseeds = 5\n", &c);
    lab_problem p = { 0 };
    c.n = 2;
    if (lab_problem_make(&c, &p, err, sizeof err))
        bail("problem: %s", err);
    double s2 = 0, *w = lab_mlp_w(p.teacher, p.teacher->theta, 0);
    for (size_t j = 0; j < 4; j++)
        s2 += w[j] * w[j];
    lab_problem_release(&p);
    double r = s2 / (1 + s2), want = 1 - r / asin(r);
    rc = lab_affine_baseline(&c, &eps, err, sizeof err);
    /* The test set's 262144 points estimate it to about 0.3 % of itself. */
    ok(rc == 0 && fabs(eps - want) < 0.015 * want,
       "one erf unit with |w|^2 = %.3f: eps_OLS %.5f, closed form %.5f", s2, eps, want);
    lab_config_release(&c);
}

int main(void)
{
    plan(2 + 4 + 1 + 2);
    test_lstsq();
    test_closed_forms();
    test_same_problem();
    test_baseline();
    return 0;
}
