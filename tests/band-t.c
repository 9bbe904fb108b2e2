/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Band-limited inputs (band.h, THEORY.md §10.1) by their properties: the
 * band's dimension; the filter linear, the projection idempotent, energy
 * above B nil, band-limited signals passing unchanged, the band's
 * coordinates against an explicit cosine/sine basis; the sample covariance
 * of band-limited inputs of rank exactly D_B (the even-d edge cases too);
 * unit variance per coordinate; the slope of power-law spectra. Then the
 * linear teacher through the kind "linear": the step of least squares at
 * n = D_B + 1 (with the intercept), the curve below it, and the floor on
 * full-band test inputs, per teacher exactly its energy outside the band. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_randist.h>

#include "band.h"
#include "config.h"
#include "kind.h"
#include "problem.h"
#include "rng.h"
#include "tap.h"

/* ==== Helpers ================================================================ */

/* (n, d) standard normal rows. */
static double *normals(size_t n, size_t d, unsigned long seed)
{
    gsl_rng *r = lab_rng_alloc(seed, 7);
    double *x = malloc(n * d * sizeof *x);
    if (!r || !x)
        bail("out of memory");
    for (size_t i = 0; i < n * d; i++)
        x[i] = gsl_ran_gaussian(r, 1.0);
    gsl_rng_free(r);
    return x;
}

static double max_abs_diff(size_t m, const double *a, const double *b)
{
    double w = 0;
    for (size_t i = 0; i < m; i++)
        w = fmax(w, fabs(a[i] - b[i]));
    return w;
}

static double max_abs(size_t m, const double *a)
{
    double w = 0;
    for (size_t i = 0; i < m; i++)
        w = fmax(w, fabs(a[i]));
    return w;
}

/* The orthonormal real Fourier basis of R^d as columns of V (d, d), in the
 * order of lab_band_coords() with no band limit: constant, cos 1, sin 1,
 * ..., Nyquist (even d). Built from cos and sin directly, with no FFT: the
 * naive reference. */
static double *fourier_basis(size_t d)
{
    double *v = malloc(d * d * sizeof *v);
    if (!v)
        bail("out of memory");
    for (size_t j = 0; j < d; j++) {
        size_t m = 0;
        v[j * d + m++] = 1 / sqrt((double)d);
        for (size_t k = 1; 2 * k < d; k++) {
            double t = 2 * M_PI * (double)((k * j) % d) / (double)d;
            v[j * d + m++] = sqrt(2.0 / (double)d) * cos(t);
            v[j * d + m++] = sqrt(2.0 / (double)d) * sin(t);
        }
        if (d % 2 == 0)
            v[j * d + m++] = (j % 2 ? -1.0 : 1.0) / sqrt((double)d);
    }
    return v;
}

/* Z (n, d) = X V: every row's coordinates in the full Fourier basis. */
static void full_coords(size_t n, size_t d, const double *v, const double *x, double *z)
{
    for (size_t i = 0; i < n; i++)
        for (size_t m = 0; m < d; m++) {
            double s = 0;
            for (size_t j = 0; j < d; j++)
                s += x[i * d + j] * v[j * d + m];
            z[i * d + m] = s;
        }
}

/* The eigenvalues (ascending) of the Gram matrix Z[:, lo:hi]^T Z[:, lo:hi] / n of
 * columns lo .. hi-1 of Z (n, d), into e (hi - lo). */
static void gram_eigen(size_t n, size_t d, const double *z, size_t lo, size_t hi, double *e)
{
    size_t m = hi - lo;
    gsl_matrix *g = gsl_matrix_calloc(m, m);
    gsl_vector *ev = gsl_vector_alloc(m);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(m);
    if (!g || !ev || !w)
        bail("out of memory");
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < m; a++)
            for (size_t b = 0; b < m; b++)
                *gsl_matrix_ptr(g, a, b) += z[i * d + lo + a] * z[i * d + lo + b] / (double)n;
    gsl_eigen_symm(g, ev, w);
    for (size_t a = 0; a < m; a++)
        e[a] = gsl_vector_get(ev, a);
    for (size_t a = 1; a < m; a++)
        for (size_t b = a; b > 0 && e[b - 1] > e[b]; b--) {
            double t = e[b];
            e[b] = e[b - 1];
            e[b - 1] = t;
        }
    gsl_eigen_symm_free(w);
    gsl_vector_free(ev);
    gsl_matrix_free(g);
}

/* ==== The filter ============================================================== */

static void test_dims(void)
{
    lab_band_free(NULL);
    ok(lab_band_alloc(0, 3) == NULL && lab_band_alloc_powerlaw(8, 3, NAN) == NULL,
       "lab_band_free(NULL) does nothing; no band of length 0 or of exponent nan");
    const struct { size_t d; long B; size_t D; } cases[] = {
        { 64, 7, 15 }, { 64, 0, 1 }, { 64, 30, 61 }, { 64, 31, 63 }, { 64, 32, 64 },
        { 64, 1000, 64 }, { 64, -1, 64 }, { 63, 30, 61 }, { 63, 31, 63 }, { 63, 32, 63 },
        { 1, 0, 1 }, { 2, 0, 1 }, { 2, 1, 2 },
    };
    int good = 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lab_band *b = lab_band_alloc(cases[i].d, cases[i].B);
        if (!b || lab_band_dim(b) != cases[i].D) {
            diag("d = %zu, B = %ld: D_B = %zu, wanted %zu", cases[i].d, cases[i].B,
                 b ? lab_band_dim(b) : 0, cases[i].D);
            good = 0;
        }
        if (b && fabs(lab_band_rescale(b) - sqrt((double)cases[i].d / (double)cases[i].D))
                     > 1e-15 * lab_band_rescale(b))
            good = 0;
        lab_band_free(b);
    }
    ok(good, "D_B = min(2B + 1, d) (B = d/2 of even d keeps the Nyquist bin: D_B = d; "
       "B < 0 keeps all), and the white rescale is sqrt(d / D_B)");
}

/* Linear, idempotent, nothing above B, in-band signals unchanged, and the
 * coordinates against the explicit basis: for white and power-law bands of
 * odd and even lengths. */
static void test_properties(size_t d, long B, double a)
{
    enum { N = 16 };
    lab_band *b = lab_band_alloc_powerlaw(d, B, a);
    if (!b)
        bail("lab_band_alloc_powerlaw(%zu, %ld, %g)", d, B, a);
    size_t D = lab_band_dim(b), m = N * d;
    double *x = normals(N, d, 1), *y = normals(N, d, 2), *u = malloc(m * sizeof *u),
           *fx = malloc(m * sizeof *fx), *fy = malloc(m * sizeof *fy),
           *v = fourier_basis(d), *z = malloc(m * sizeof *z), *zb = malloc(N * D * sizeof *zb);
    if (!u || !fx || !fy || !z || !zb)
        bail("out of memory");
    const double al = 0.7, be = -1.9;
    for (size_t i = 0; i < m; i++)
        u[i] = al * x[i] + be * y[i];
    memcpy(fx, x, m * sizeof *x);
    memcpy(fy, y, m * sizeof *y);
    lab_band_filter(b, N, fx);
    lab_band_filter(b, N, fy);
    lab_band_filter(b, N, u);
    for (size_t i = 0; i < m; i++)
        fx[i] = al * fx[i] + be * fy[i];
    double scale = max_abs(m, u);
    ok(max_abs_diff(m, u, fx) <= 1e-14 * scale,
       "d = %zu, B = %ld, a = %g: the filter is linear (%.1e of the largest value)", d, B, a,
       max_abs_diff(m, u, fx) / scale);

    /* Projection: idempotent, and nothing above B. */
    memcpy(fx, x, m * sizeof *x);
    lab_band_project(b, N, fx);
    memcpy(fy, fx, m * sizeof *fx);
    lab_band_project(b, N, fy);
    scale = max_abs(m, fx);
    ok(max_abs_diff(m, fx, fy) <= 1e-15 * scale,
       "d = %zu, B = %ld: the projection is idempotent (%.1e)", d, B,
       max_abs_diff(m, fx, fy) / scale);
    full_coords(N, d, v, fx, z);
    double in = 0, out = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < d; k++)
            *(k < D ? &in : &out) += z[i * d + k] * z[i * d + k];
    ok(out <= 1e-28 * in, "d = %zu, B = %ld: energy above B of projected inputs %.1e of the "
       "total", d, B, out / in);
    memcpy(fy, x, m * sizeof *x);
    lab_band_filter(b, N, fy);
    full_coords(N, d, v, fy, z);
    in = out = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < d; k++)
            *(k < D ? &in : &out) += z[i * d + k] * z[i * d + k];
    ok(out <= 1e-28 * in, "d = %zu, B = %ld, a = %g: energy above B of filtered inputs %.1e "
       "of the total", d, B, a, out / in);

    /* A band-limited signal, made from the basis: the projection keeps it,
     * the white filter multiplies it by the rescale. */
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < d; j++) {
            double s = 0;
            for (size_t k = 0; k < D; k++)
                s += v[j * d + k] * (double)((i * 7 + k * 3) % 11 + 1);
            u[i * d + j] = s;
        }
    memcpy(fx, u, m * sizeof *u);
    lab_band_project(b, N, fx);
    scale = max_abs(m, u);
    ok(max_abs_diff(m, u, fx) <= 1e-14 * scale,
       "d = %zu, B = %ld: band-limited signals pass the projection unchanged (%.1e)", d, B,
       max_abs_diff(m, u, fx) / scale);
    if (a == 0) {
        memcpy(fx, u, m * sizeof *u);
        lab_band_filter(b, N, fx);
        for (size_t i = 0; i < m; i++)
            fx[i] /= lab_band_rescale(b);
        ok(max_abs_diff(m, u, fx) <= 1e-14 * scale,
           "d = %zu, B = %ld: and the white filter multiplies them by the rescale sqrt(d/D_B) "
           "(%.1e)", d, B, max_abs_diff(m, u, fx) / scale);
    }

    /* Coordinates: the first D_B of the explicit basis; |z| = |x| in the band. */
    lab_band_coords(b, N, x, zb);
    full_coords(N, d, v, x, z);
    double worst = 0, norm = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < D; k++) {
            worst = fmax(worst, fabs(zb[i * D + k] - z[i * d + k]));
            norm = fmax(norm, fabs(z[i * d + k]));
        }
    lab_band_coords(b, N, fy, zb);
    double nz = 0, nx = 0;
    for (size_t i = 0; i < N * D; i++)
        nz += zb[i] * zb[i];
    for (size_t i = 0; i < m; i++)
        nx += fy[i] * fy[i];
    ok(worst <= 1e-13 * norm && fabs(nz - nx) <= 1e-13 * nx,
       "d = %zu, B = %ld: lab_band_coords() gives the coordinates in the cos/sin basis "
       "(%.1e), and |z| = |x| for filtered inputs (%.1e)", d, B, worst / norm,
       fabs(nz - nx) / nx);
    free(x), free(y), free(u), free(fx), free(fy), free(v), free(z), free(zb);
    lab_band_free(b);
}

/* ==== Band-limited inputs: rank and variance ====================================== */

/* The sample covariance C of n filtered white rows has D_B eigenvalues of
 * order 1 and d - D_B below 1e-28 of the largest. An eigensolver on C
 * itself resolves its eigenvalues only to about 1e-16 of the largest, so C
 * is taken in the explicit Fourier basis (which has no FFT in it): by
 * Cauchy's interlacing theorem the d - D_B smallest eigenvalues of C are at
 * most the largest of its compression to the complement of the band, and
 * the D_B largest at least the smallest of its compression to the band. */
static void test_rank(size_t d, long B, double a)
{
    size_t n = 4000;
    lab_band *b = lab_band_alloc_powerlaw(d, B, a);
    double *x = normals(n, d, 11), *v = fourier_basis(d), *z = malloc(n * d * sizeof *z),
           *e = malloc(d * sizeof *e);
    if (!b || !z || !e)
        bail("out of memory");
    size_t D = lab_band_dim(b);
    lab_band_filter(b, n, x);
    full_coords(n, d, v, x, z);
    gram_eigen(n, d, z, 0, D, e);
    double band_min = e[0], band_max = e[D - 1];
    double out_max = 0;
    if (D < d) {
        gram_eigen(n, d, z, D, d, e);
        out_max = e[d - D - 1];
    }
    ok(band_min > 1e-3 * band_max && out_max <= 1e-28 * band_max,
       "d = %zu, B = %ld, a = %g: sample covariance of %zu rows has rank D_B = %zu: its %zu "
       "largest eigenvalues >= %.3g (largest %.3g), the other %zu <= %.1e of the largest", d, B,
       a, n, D, D, band_min, band_max, d - D, out_max / band_max);
    free(x), free(v), free(z), free(e);
    lab_band_free(b);
}

/* Each coordinate of n filtered white rows has variance 1: a sample
 * variance of n Gaussian values has standard deviation sqrt(2/n) (0.01 for
 * n = 20000); every coordinate within 5 of them. */
static void test_variance(size_t d, long B, double a)
{
    size_t n = 20000;
    lab_band *b = lab_band_alloc_powerlaw(d, B, a);
    double *x = normals(n, d, 21);
    if (!b)
        bail("out of memory");
    lab_band_filter(b, n, x);
    double worst = 0, tol = 5 * sqrt(2.0 / (double)n);
    for (size_t j = 0; j < d; j++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += x[i * d + j] * x[i * d + j];
        worst = fmax(worst, fabs(s / (double)n - 1));
    }
    ok(worst <= tol, "d = %zu, B = %ld, a = %g: every coordinate has variance 1 (worst "
       "deviation %.4f, tolerance %.4f = 5 sd for %zu rows)", d, B, a, worst, tol, n);
    free(x);
    lab_band_free(b);
}

/* The mean periodogram of n power-law rows, against log k for k = 1 .. d/2 - 1:
 * slope -a. Each bin's mean of n periodograms (exponential variables) has
 * relative sd 1/sqrt(n), 0.016 for n = 4000; the slope's sd is then about
 * 0.0015 over 127 bins: tolerance 0.01. Bins above B hold nothing. */
static void test_slope(size_t d, long B, double a)
{
    size_t n = 4000, nb = d / 2 + 1;
    lab_band *b = lab_band_alloc_powerlaw(d, B, a);
    double *x = normals(n, d, 31), *p = calloc(nb, sizeof *p), *row = fftw_malloc(d * sizeof *row);
    fftw_complex *spec = fftw_malloc(nb * sizeof *spec);
    if (!b || !p || !row || !spec)
        bail("out of memory");
    fftw_plan plan = fftw_plan_dft_r2c_1d((int)d, row, spec, FFTW_ESTIMATE);
    lab_band_filter(b, n, x);
    for (size_t i = 0; i < n; i++) {
        memcpy(row, x + i * d, d * sizeof *row);
        fftw_execute(plan);
        for (size_t k = 0; k < nb; k++)
            p[k] += (spec[k][0] * spec[k][0] + spec[k][1] * spec[k][1]) / (double)n;
    }
    size_t top = B >= 0 && (size_t)B < nb - 2 ? (size_t)B : nb - 2, m = 0;
    double *lk = malloc(top * sizeof *lk), *lp = malloc(top * sizeof *lp), c0, c1, cov00,
           cov01, cov11, sumsq, total = 0, above = 0;
    for (size_t k = 1; k <= top; k++, m++) {
        lk[m] = log((double)k);
        lp[m] = log(p[k]);
    }
    gsl_fit_linear(lk, 1, lp, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    for (size_t k = 0; k < nb; k++)
        *(B >= 0 && k > (size_t)B ? &above : &total) += p[k];
    ok(fabs(c1 + a) <= 0.01 && above <= 1e-28 * total,
       "d = %zu, B = %ld: power-law inputs (a = %g) have spectrum slope %.4f over bins 1..%zu, "
       "and %.1e of their energy above B", d, B, a, c1, top, above / total);
    fftw_destroy_plan(plan);
    fftw_free(row);
    fftw_free(spec);
    free(x), free(p), free(lk), free(lp);
    lab_band_free(b);
}

/* ==== The linear teacher ============================================================ */

enum { C_TEST = 3, NCOLS = 6 };

static void load_cell(const char *text, lab_config *cell)
{
    lab_config c;
    char err[512];
    if (lab_config_init(&c) || lab_config_load_string(&c, text, "band.cfg", err, sizeof err)
        || lab_config_finish(&c, err, sizeof err) || lab_config_ncells(&c) != 1
        || lab_config_copy(cell, &c) || lab_config_cell(&c, 0, cell))
        bail("config: %s", err);
    lab_config_release(&c);
}

/* The test error of the least-squares affine fit (kind linear) on a linear
 * teacher with d = D inputs, band limit B, n points, seed s. */
static double linear_error(long D, long B, const char *test, long n, long seed)
{
    char text[512];
    snprintf(text, sizeof text, "[experiment]\nkind = linear\n[teacher]\ninput_dim = %ld\n"
             "widths = 8\nactivation = linear\n[data]\nbandlimit = %ld\n%s%s\n"
             "test_size = 2048\n[sweep]\nn = %ld\nseeds = %ld\n", D, B,
             *test ? "bandlimit_test = " : "", test, n, seed);
    lab_config cell;
    load_cell(text, &cell);
    double v[2][NCOLS];
    lab_rows rows = { 2, NCOLS, &v[0][0] };
    char err[512];
    if (lab_config_kind(&cell)->run(&cell, &rows, NULL, err, sizeof err))
        bail("run: %s", err);
    lab_config_release(&cell);
    return v[1][C_TEST];
}

/* The step: least squares of least norm interpolates below D_B + 1 points
 * and recovers the teacher on the band from D_B + 1 (the intercept is the
 * one more). */
static void test_step(void)
{
    const struct { long B; long step; } cases[] = { { 7, 16 }, { -1, 65 } };
    for (size_t i = 0; i < 2; i++) {
        double below = INFINITY, at = 0;
        for (long s = 0; s < 3; s++) {
            below = fmin(below, linear_error(64, cases[i].B, "", cases[i].step - 1, s));
            at = fmax(at, linear_error(64, cases[i].B, "", cases[i].step, s));
        }
        ok(below > 1e-6 && at <= 1e-25, "linear teacher, d = 64, B = %ld: test error %.2g or "
           "more at n = %ld, %.1e or less at n = %ld (3 seeds)", cases[i].B, below,
           cases[i].step - 1, at, cases[i].step);
    }
}

/* Below the step, E eps(n) = 1 - n/D_B for a linear fit without intercept
 * (n isotropic points in the band); with the intercept a Monte Carlo of
 * 4000 draws gives 0.669 at n = 5 and 0.346 at n = 10 for D_B = 15 (against
 * 0.667 and 0.333), with a spread of 0.16 per teacher: the mean of 20 seeds
 * is within 4 standard errors (0.14) of 1 - n/D_B. */
static void test_curve(void)
{
    const long ns[] = { 5, 10 };
    for (size_t i = 0; i < 2; i++) {
        double mean = 0;
        for (long s = 0; s < 20; s++)
            mean += linear_error(64, 7, "", ns[i], s) / 20;
        double want = 1 - (double)ns[i] / 15;
        ok(fabs(mean - want) <= 0.14, "linear teacher, d = 64, B = 7, n = %ld: mean error %.3f "
           "over 20 seeds, 1 - n/D_B = %.3f", ns[i], mean, want);
    }
}

/* Trained on band-limited inputs and tested on full-band ones, the fit is
 * the teacher on the band: its error is the teacher's energy outside the
 * band, f(x) - f(Px) = w.(x - Px) on the test inputs, exactly for each
 * teacher; in expectation over isotropic teachers 1 - D_B/d = 0.766 for
 * d = 64, B = 7, with a spread of 0.074 per teacher (the Beta(49/2, 15/2)
 * law of the fraction of a random direction outside a 15-dimensional
 * subspace): the mean of 20 seeds within 3 standard errors (0.05). */
static void test_out_of_band(void)
{
    double mean = 0, worst = 0;
    for (long s = 0; s < 20; s++) {
        double eps = linear_error(64, 7, "off", 32, s);
        mean += eps / 20;
        char text[512];
        snprintf(text, sizeof text, "[experiment]\nkind = linear\n[teacher]\ninput_dim = 64\n"
                 "widths = 8\nactivation = linear\n[data]\nbandlimit = 7\n"
                 "bandlimit_test = off\ntest_size = 2048\n[sweep]\nn = 32\nseeds = %ld\n", s);
        lab_config cell;
        lab_problem p;
        char err[512];
        load_cell(text, &cell);
        if (lab_problem_make(&cell, &p, err, sizeof err))
            bail("problem: %s", err);
        size_t n = p.test->n, d = p.test->d;
        lab_band *b = lab_band_alloc(d, 7);
        lab_mlp_work *w = lab_mlp_work_alloc(p.teacher, 512);
        double *px = malloc(n * d * sizeof *px), *fp = malloc(n * sizeof *fp), e = 0;
        if (!b || !w || !px || !fp)
            bail("out of memory");
        memcpy(px, p.test->x, n * d * sizeof *px);
        lab_band_project(b, n, px);
        lab_mlp_predict(p.teacher, w, n, px, fp);
        for (size_t i = 0; i < n; i++)
            e += (p.test->y[i] - fp[i]) * (p.test->y[i] - fp[i]) / (double)n;
        e /= p.var;
        worst = fmax(worst, fabs(eps - e) / e);
        free(px), free(fp);
        lab_mlp_work_free(w);
        lab_band_free(b);
        lab_problem_release(&p);
        lab_config_release(&cell);
    }
    ok(worst <= 1e-9, "out of band (d = 64, B = 7, n = 32): each teacher's test error is its "
       "energy outside the band (relative difference %.1e, 20 seeds)", worst);
    ok(fabs(mean - (1 - 15.0 / 64)) <= 0.05, "out of band: mean floor %.3f over 20 seeds, "
       "1 - D_B/d = %.3f", mean, 1 - 15.0 / 64);
}

/* Online, the first n points drawn are the training set of size n,
 * band-limited alike (problem.h). */
static void test_online(void)
{
    lab_config cell;
    lab_problem off, on;
    char err[512];
    load_cell("[teacher]\ninput_dim = 32\n[data]\nbandlimit = 3\nspectrum = powerlaw\n"
              "test_size = 256\n[sweep]\nn = 48\n", &cell);
    if (lab_problem_make(&cell, &off, err, sizeof err)
        || lab_problem_make_online(&cell, &on, err, sizeof err))
        bail("problem: %s", err);
    lab_dataset *batch[2] = { lab_dataset_alloc(16, 32), lab_dataset_alloc(32, 32) };
    if (!batch[0] || !batch[1])
        bail("out of memory");
    lab_problem_draw(&on, batch[0]);
    lab_problem_draw(&on, batch[1]);
    int same = memcmp(batch[0]->x, off.train->x, 16 * 32 * sizeof(double)) == 0
               && memcmp(batch[1]->x, off.train->x + 16 * 32, 32 * 32 * sizeof(double)) == 0
               && memcmp(batch[0]->y, off.train->y, 16 * sizeof(double)) == 0
               && memcmp(batch[1]->y, off.train->y + 16, 32 * sizeof(double)) == 0;
    ok(same, "online, the band-limited power-law points drawn in batches of 16 and 32 are the "
       "training set of 48, bit for bit");
    lab_dataset_free(batch[0]);
    lab_dataset_free(batch[1]);
    lab_problem_release(&off);
    lab_problem_release(&on);
    lab_config_release(&cell);
}

int main(void)
{
    plan_lazy();
    test_dims();
    test_properties(64, 7, 0);
    test_properties(63, 31, 0);
    test_properties(64, 32, 0);
    test_properties(64, 31, 0);
    test_properties(30, 4, 1.5);
    test_rank(64, 7, 0);
    test_rank(64, 31, 0);
    test_rank(64, 32, 0);
    test_rank(63, 20, 0);
    test_rank(64, 7, 2);
    test_variance(64, 7, 0);
    test_variance(63, 20, 0);
    test_variance(64, -1, 1);
    test_variance(64, 7, 2);
    test_slope(256, -1, 1.5);
    test_slope(256, 40, 1);
    test_step();
    test_curve();
    test_out_of_band();
    test_online();
    return 0;
}
