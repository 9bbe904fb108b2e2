/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The torus kind and its modules (THEORY.md §10.2): the band's basis is
 * orthonormal and nested; on the (2B + 1)^k-point grid least squares in it is
 * the DFT (FFTW); series teachers have unit variance exactly; the projected
 * MLP teacher is band-limited and its coefficients are the network's up to
 * the grid's aliasing; the Nyquist learner is exact (MSE <= 1e-25) once n >=
 * (2B + 1)^k random samples, up to the rounding of the labels amplified by the
 * design's conditioning, and not below; kernel ridge regression interpolates;
 * a cell with every learner runs; bad keys are refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>

#include "blas.h"
#include "config.h"
#include "kind.h"
#include "krr.h"
#include "rng.h"
#include "tap.h"
#include "teacher.h"
#include "torus.h"

enum { C_LEARNER, C_PARAMS, C_BAND, C_TRAIN, C_TEST, C_PRED, C_ALIAS, C_STEPS, C_STATUS,
       NCOLS = 10 };

static void test_band(void)
{
    lab_torus_band *b2 = lab_torus_band_alloc(2, 2), *b3 = lab_torus_band_alloc(2, 3);
    ok(b2 && b3 && b2->dim == 25 && b3->dim == 49 && b3->nhalf == 24, "band dims (2B+1)^k");
    ok(b2 && b3 && memcmp(b2->freq, b3->freq, b2->nhalf * 2 * sizeof(long)) == 0,
       "band 2's frequencies are a prefix of band 3's");
    is_int(0, lab_torus_band_for(3, 26), "band_for(k=3, n=26) = 0");
    is_int(1, lab_torus_band_for(3, 27), "band_for(k=3, n=27) = 1");
    is_int(4, lab_torus_band_for(1, 10), "band_for(k=1, n=10) = 4");
    ok(!lab_torus_band_alloc(4, 1) && !lab_torus_band_alloc(1, -1), "bad k or B: NULL");
    lab_torus_band_free(NULL);
    lab_torus_band_free(b2);
    lab_torus_band_free(b3);

    /* Orthonormal on a grid finer than 2B: (1/N) Phi^T Phi = I. */
    lab_torus_band *b = lab_torus_band_alloc(2, 3);
    size_t G = 8, N = G * G, D = b->dim;
    double *theta = malloc(N * 2 * sizeof *theta), *phi = malloc(N * D * sizeof *phi);
    double *g = calloc(D * D, sizeof *g), worst = 0;
    for (size_t m = 0; m < N; m++) {
        theta[2 * m] = 2 * M_PI * (double)(m / G) / (double)G;
        theta[2 * m + 1] = 2 * M_PI * (double)(m % G) / (double)G;
    }
    lab_torus_design(b, N, theta, phi);
    lab_gemm(1, 0, D, D, N, 1.0 / (double)N, phi, phi, 0.0, g);
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < D; j++)
            worst = fmax(worst, fabs(g[i * D + j] - (i == j)));
    ok(worst < 1e-13, "basis orthonormal on an 8x8 grid (B = 3): max |G - I| = %.2g", worst);
    free(theta);
    free(phi);
    free(g);
    lab_torus_band_free(b);
}

/* On the (2B + 1)^k grid, least squares in the band's basis is the DFT. */
static void test_grid_dft(size_t k, long B)
{
    lab_torus_band *b = lab_torus_band_alloc(k, B);
    size_t G = 2 * (size_t)B + 1, N = b->dim, D = b->dim;
    double *theta = malloc(N * k * sizeof *theta), *phi = malloc(N * D * sizeof *phi);
    double *f = malloc(N * sizeof *f), *c_ls = malloc(D * sizeof *c_ls);
    double *c_fft = malloc(D * sizeof *c_fft), worst = 0;
    gsl_rng *r = lab_rng_alloc(11, k);
    for (size_t m = 0; m < N; m++) {
        for (size_t i = k, q = m; i-- > 0; q /= G)
            theta[m * k + i] = 2 * M_PI * (double)(q % G) / (double)G;
        f[m] = gsl_rng_uniform(r) - 0.5; /* any values: the grid determines the band */
    }
    lab_torus_design(b, N, theta, phi);
    long rank = lab_lstsq(N, D, phi, f, -1.0, c_ls);
    int rc = lab_torus_dft(b, G, f, c_fft);
    for (size_t i = 0; i < D; i++)
        worst = fmax(worst, fabs(c_ls[i] - c_fft[i]));
    ok(rank == (long)D && rc == 0 && worst < 1e-13,
       "k = %zu, B = %ld: least squares on the %zu-point grid = FFTW's DFT (max diff %.2g)", k,
       B, N, worst);
    gsl_rng_free(r);
    free(theta);
    free(phi);
    free(f);
    free(c_ls);
    free(c_fft);
    lab_torus_band_free(b);
}

/* Grid values of teacher t on a G^k grid. */
static double *grid_values(const lab_torus_teacher *t, size_t G)
{
    size_t k = t->k, N = 1;
    for (size_t i = 0; i < k; i++)
        N *= G;
    double *theta = malloc(N * k * sizeof *theta), *f = malloc(N * sizeof *f);
    for (size_t m = 0; m < N; m++)
        for (size_t i = k, q = m; i-- > 0; q /= G)
            theta[m * k + i] = 2 * M_PI * (double)(q % G) / (double)G;
    if (lab_torus_teacher_eval(t, N, theta, f))
        bail("teacher eval");
    free(theta);
    return f;
}

static void test_series(void)
{
    gsl_rng *r = lab_rng_alloc(5, 5);
    lab_torus_teacher *t = lab_torus_series_alloc(2, 3, 1.5, r);
    double e = 0;
    for (size_t i = 1; i < t->band->dim; i++)
        e += t->coef[i] * t->coef[i];
    ok(t->coef[0] == 0 && fabs(e - 1) < 1e-15, "series teacher: mean 0, energy 1 (%.17g)", e);
    size_t G = 16, N = G * G;
    double *f = grid_values(t, G), m1 = 0, m2 = 0;
    for (size_t i = 0; i < N; i++) {
        m1 += f[i] / (double)N;
        m2 += f[i] * f[i] / (double)N;
    }
    ok(fabs(m1) < 1e-14 && fabs(m2 - 1) < 1e-13,
       "series teacher on a 16x16 grid: mean %.2g, mean square 1 + %.2g", m1, m2 - 1);
    is_double_abs(0.0, lab_torus_energy_outside(t, 3), 0, "no energy outside its band");
    ok(lab_torus_energy_outside(t, 1) > 0.01, "energy outside band 1: %.3g",
       lab_torus_energy_outside(t, 1));
    free(f);
    lab_torus_teacher_free(t);
    lab_torus_teacher_free(NULL);
    gsl_rng_free(r);
}

/* The projected MLP teacher is band-limited: a finer grid's transform has
 * no energy above B but rounding; its coefficients agree with a finer
 * grid's projection up to aliasing. */
static void test_mlp_band(size_t k, long B, size_t G)
{
    size_t widths[1] = { 16 };
    lab_teacher_spec spec = { 2 * k, 1, widths, LAB_ACT_TANH, 4.0, 1.0 };
    gsl_rng *r = lab_rng_alloc(7, k);
    lab_mlp *net = lab_teacher_alloc(&spec, r), *net2 = lab_mlp_alloc(2 * k, 1, widths,
                                                                    LAB_ACT_TANH);
    memcpy(net2->theta, net->theta, net->n_params * sizeof *net->theta);
    lab_torus_teacher *t, *fine;
    char err[256];
    if (lab_torus_mlp_alloc(k, B, 1, net, G, &t, err, sizeof err)
        || lab_torus_mlp_alloc(k, B, 1, net2, 2 * G, &fine, err, sizeof err))
        bail("mlp teacher: %s", err);
    size_t G2 = 2 * G, N = 1;
    for (size_t i = 0; i < k; i++)
        N *= G2;
    double *f = grid_values(t, G2);
    lab_torus_band *wide = lab_torus_band_alloc(k, (long)G2 / 2 - 1);
    double *c = malloc(wide->dim * sizeof *c), above = 0, worst = 0;
    lab_torus_dft(wide, G2, f, c);
    for (size_t i = t->band->dim; i < wide->dim; i++)
        above += c[i] * c[i];
    for (size_t i = 0; i < t->band->dim; i++)
        worst = fmax(worst, fabs(c[i] - t->coef[i]) + fabs(fine->coef[i] - t->coef[i]));
    ok(above < 1e-28 && worst < 1e-9,
       "mlp_band k = %zu, B = %ld, G = %zu: energy above B on a %zu grid %.2g; coefficients "
       "as the 2G grid's to %.2g; aliasing scale %.2g", k, B, G, G2, above, worst, t->alias);
    free(f);
    free(c);
    lab_torus_band_free(wide);
    lab_torus_teacher_free(t);
    lab_torus_teacher_free(fine);
    gsl_rng_free(r);
}

/* The rows of the single cell of text (at most 3). */
static int run_cell(const char *text, lab_config *cell, double v[4][NCOLS], char *err,
                    size_t errlen)
{
    lab_config c;
    int rc = lab_config_init(&c);
    if (!rc)
        rc = lab_config_load_string(&c, text, "t.cfg", err, errlen);
    if (!rc)
        rc = lab_config_finish(&c, err, errlen);
    if (rc) {
        lab_config_release(&c);
        return rc;
    }
    const lab_kind *k = lab_config_kind(&c);
    if (lab_config_ncells(&c) != 1 || lab_config_copy(cell, &c) || lab_config_cell(&c, 0, cell))
        bail("cell");
    lab_rows rows = { k->rows(cell), NCOLS, &v[0][0] };
    if (strcmp(k->name, "torus") || k->ncolumns != NCOLS || rows.nrows > 4)
        bail("kind");
    rc = k->run(cell, &rows, NULL, err, errlen);
    lab_config_release(&c);
    return rc;
}

/* The bound on the Nyquist learner's error from the labels' rounding:
 * |Phi^+ delta|^2 with |delta| <= sqrt(n) D eps max|y|, so at most
 * (sqrt(n) D eps max|y| / sigma_min)^2 (sigma_min of the design). */
static double rounding_bound(const lab_config *cell, size_t k, long B, size_t n)
{
    lab_torus_band *b = lab_torus_band_alloc(k, B);
    size_t D = b->dim;
    double *theta = malloc(n * k * sizeof *theta);
    gsl_rng *r = lab_config_rng(cell, LAB_STREAM_TRAIN);
    lab_torus_sample(k, n, r, theta);
    gsl_matrix *a = gsl_matrix_alloc(n, D), *v = gsl_matrix_alloc(D, D);
    gsl_vector *s = gsl_vector_alloc(D), *w = gsl_vector_alloc(D);
    lab_torus_design(b, n, theta, a->data);
    gsl_linalg_SV_decomp(a, v, s, w);
    double smin = gsl_vector_min(s), e = sqrt((double)n) * (double)D * 2.3e-16 * 4 / smin;
    gsl_matrix_free(a);
    gsl_matrix_free(v);
    gsl_vector_free(s);
    gsl_vector_free(w);
    gsl_rng_free(r);
    free(theta);
    lab_torus_band_free(b);
    return e * e;
}

static void test_nyquist(size_t k, long B)
{
    size_t D = lab_torus_dim(k, B);
    size_t ns[] = { D / 2, D - 1, D, D + 2, 2 * D, 4 * D };
    int below = 1, above = 1, at = 1, bounded = 1;
    double worst_above = 0, least_below = INFINITY, worst_at = 0;
    for (int seed = 0; seed < 5; seed++)
        for (size_t q = 0; q < sizeof ns / sizeof ns[0]; q++) {
            char text[512], err[512];
            double v[4][NCOLS];
            lab_config cell;
            snprintf(text, sizeof text, "[experiment]\nkind = torus\n[torus]\ndim = %zu\n"
                     "band = %ld\nlearners = nyquist\n[data]\ntest_size = 2048\n[sweep]\n"
                     "n = %zu\nseeds = %d\n", k, B, ns[q], seed);
            if (run_cell(text, &cell, v, err, sizeof err))
                bail("run: %s", err);
            double e = v[0][C_TEST];
            if (ns[q] < D) {
                below &= e > 1e-6;
                least_below = fmin(least_below, e);
            } else if (ns[q] == D) {
                /* At n = D the design can be ill-conditioned: the labels'
                 * rounding, amplified, may pass 1e-25 (but not the bound). */
                double bound = rounding_bound(&cell, k, B, ns[q]);
                at &= e <= 1e-25;
                bounded &= e <= fmax(1e-25, bound);
                worst_at = fmax(worst_at, e);
            } else {
                above &= e <= 1e-25;
                worst_above = fmax(worst_above, e);
            }
            lab_config_release(&cell);
        }
    ok(below, "k = %zu, B = %ld: nyquist error > 1e-6 below n = %zu (least %.3g)", k, B, D,
       least_below);
    ok(bounded, "k = %zu, B = %ld: at n = D, error <= max(1e-25, rounding bound) (worst %.3g%s)",
       k, B, worst_at, at ? "" : ", above 1e-25 for some seed");
    ok(above, "k = %zu, B = %ld: nyquist error <= 1e-25 from n = D + 2 (worst %.3g)", k, B,
       worst_above);
}

static void test_krr(void)
{
    enum { N = 40 };
    double x[N * 2], y[N], f[N];
    gsl_rng *r = lab_rng_alloc(3, 3);
    for (size_t i = 0; i < N; i++) {
        double th = 2 * M_PI * gsl_rng_uniform(r);
        x[2 * i] = cos(th);
        x[2 * i + 1] = sin(th);
        y[i] = sin(3 * th);
    }
    lab_krr *m = lab_krr_alloc(N, 2);
    int rc = lab_krr_fit(m, x, y, 0.5, 1e-10);
    lab_krr_predict(m, N, x, f);
    double worst = 0;
    for (size_t i = 0; i < N; i++)
        worst = fmax(worst, fabs(f[i] - y[i]));
    ok(rc == 0 && worst < 1e-6, "krr with a tiny ridge interpolates (max residual %.2g)", worst);
    lab_krr_free(m);
    lab_krr_free(NULL);
    gsl_rng_free(r);
}

static void test_cell(void)
{
    char err[512];
    double v[4][NCOLS];
    lab_config cell;
    int rc = run_cell("[experiment]\nkind = torus\n[torus]\nteacher = mlp\nband = 3\n"
                      "learner_band = auto\n[train]\nsteps = 300\n[data]\ntest_size = 512\n"
                      "[student]\nwidth = 8\n[sweep]\nn = 20\n", &cell, v, err, sizeof err);
    ok(rc == 0 && v[0][C_STATUS] == 0 && v[1][C_STATUS] == 0 && v[2][C_STATUS] == 0,
       "mlp teacher, all learners: rows ok (%s)", rc ? err : "");
    ok(v[0][C_BAND] == 9 && v[0][C_PARAMS] == 19 && v[1][C_PARAMS] == 20 && v[2][C_PARAMS] == 33,
       "auto band 9 at n = 20; params 19, 20, 33");
    ok(v[0][C_PRED] > 0 && v[0][C_PRED] < 1 && v[0][C_TEST] > 0,
       "not band-limited: predicted %.3g, measured %.3g", v[0][C_PRED], v[0][C_TEST]);
    if (rc == 0)
        lab_config_release(&cell);
    /* mlp_band: the student on the band's (2b + 1)^k Fourier features. */
    rc = run_cell("[experiment]\nkind = torus\n[torus]\nband = 3\nlearners = mlp_band, nyquist\n"
                  "[train]\nsteps = 300\n[data]\ntest_size = 512\n[student]\nwidth = 8\n"
                  "[sweep]\nn = 20\n", &cell, v, err, sizeof err);
    ok(rc == 0 && v[0][C_LEARNER] == 0 && v[1][C_LEARNER] == 3 && v[1][C_STATUS] == 0
       && v[1][C_BAND] == 3 && v[1][C_PARAMS] == 8 * (7 + 2) + 1 && v[1][C_TEST] > 0
       && v[1][C_STEPS] == 300, "mlp_band: the band's 7 features in, 8 (7 + 2) + 1 parameters, "
       "band 3, after nyquist whatever the list's order (%s)", rc ? err : "");
    if (rc == 0)
        lab_config_release(&cell);
    rc = run_cell("[experiment]\nkind = torus\n[torus]\nlearner_band = wide\n", &cell, v, err,
                  sizeof err);
    ok(rc != 0 && strstr(err, "t.cfg") && strstr(err, "torus.learner_band"),
       "learner_band = wide refused: %s", err);
    rc = run_cell("[experiment]\nkind = torus\n[student]\ninit = teacher\n", &cell, v, err,
                  sizeof err);
    ok(rc != 0 && strstr(err, "student.init"), "a planted student refused: %s", err);
}

int main(void)
{
    plan_lazy();
    lab_blas_single_thread();
    test_band();
    test_grid_dft(1, 5);
    test_grid_dft(2, 3);
    test_grid_dft(3, 1);
    test_series();
    test_mlp_band(1, 4, 64);
    test_mlp_band(2, 3, 32);
    test_nyquist(1, 4);
    test_nyquist(2, 2);
    test_krr();
    test_cell();
    return 0;
}
