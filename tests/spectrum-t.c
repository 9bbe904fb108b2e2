/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Power spectra (cli/spectrum.h, THEORY.md §10.3) against what they must
 * be: Parseval (the bins sum to the mean energy), pure cosines (all the
 * energy in their bin), white Gaussian inputs (flat within sampling error),
 * a linear teacher along lines (the Hann-windowed ramp, in closed form), a
 * tanh teacher broader along lines as its weights grow, the effective
 * bandwidth on hand-made spectra, and the errors of bad sizes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "problem.h"
#include "rng.h"
#include "spectrum.h"
#include "status.h"
#include "tap.h"

static void test_alloc(void)
{
    ok(lab_spectrum_alloc(0) == NULL, "a transform of length 0 is refused");
    lab_spectrum_free(NULL);
    ok(1, "lab_spectrum_free(NULL) does nothing");
    lab_spectrum *s = lab_spectrum_alloc(15);
    if (!s)
        bail("out of memory");
    is_int(8, (long long)lab_spectrum_nbins(s), "length 15 has bins 0..7");
    is_int(15, (long long)lab_spectrum_len(s), "and keeps its length");
    lab_spectrum_free(s);
    ok(lab_spectrum_dof(16, 0) == 1 && lab_spectrum_dof(16, 8) == 1
           && lab_spectrum_dof(16, 7) == 2 && lab_spectrum_dof(15, 7) == 2,
       "bins 0 and d/2 (d even) have 1 real degree of freedom, the others 2");
}

/* Sum of the bins against the mean energy, for random rows of length d. */
static void test_parseval(size_t d)
{
    enum { N = 37 };
    double *x = malloc(N * d * sizeof *x), *p = malloc((d / 2 + 1) * sizeof *p);
    gsl_rng *r = lab_rng_alloc(2385, d);
    lab_spectrum *s = lab_spectrum_alloc(d);
    if (!x || !p || !r || !s)
        bail("out of memory");
    double energy = 0, sum = 0;
    for (size_t i = 0; i < N * d; i++) {
        x[i] = 3.7 * (gsl_rng_uniform(r) - 0.3);
        energy += x[i] * x[i];
    }
    energy /= N;
    lab_spectrum_signals(s, N, x, p);
    for (size_t k = 0; k <= d / 2; k++)
        sum += p[k];
    is_double_rel(energy, sum, 1e-12, "Parseval, d = %zu: the bins sum to the mean energy", d);
    lab_spectrum_free(s);
    gsl_rng_free(r);
    free(x);
    free(p);
}

/* Rows A_i cos(2 pi k0 j / d + phi_i): every bin but k0 holds at most 1e-12
 * of the energy, bin k0 all of it to 1e-12. */
static void test_cosine(size_t d, size_t k0)
{
    enum { N = 5 };
    double *x = malloc(N * d * sizeof *x), *p = malloc((d / 2 + 1) * sizeof *p);
    lab_spectrum *s = lab_spectrum_alloc(d);
    if (!x || !p || !s)
        bail("out of memory");
    double energy = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < d; j++) {
            double v = (1.3 + 0.7 * (double)i)
                       * cos(2 * M_PI * (double)(k0 * j) / (double)d + 0.4 * (double)i + 0.1);
            x[i * d + j] = v;
            energy += v * v;
        }
    energy /= N;
    lab_spectrum_signals(s, N, x, p);
    double worst = 0;
    for (size_t k = 0; k <= d / 2; k++)
        if (k != k0)
            worst = fmax(worst, fabs(p[k]) / energy);
    ok(worst <= 1e-12, "cosines of bin %zu, d = %zu: other bins hold %.2g of the energy", k0, d,
       worst);
    is_double_rel(energy, p[k0], 1e-12, "... and bin %zu all of it", k0);
    double cum[64];
    is_int((long long)k0, (long long)lab_spectrum_bandwidth(d / 2 + 1, p, 0.999999, cum),
           "... so the effective bandwidth at q = 0.999999 is %zu", k0);
    lab_spectrum_free(s);
    free(x);
    free(p);
}

static void test_bandwidth(void)
{
    const double p[4] = { 1, 1, 1, 1 }, z[3] = { 0, 0, 0 };
    double cum[4];
    is_int(0, (long long)lab_spectrum_bandwidth(4, p, 0.25, cum), "q = 0.25 of 4 equal bins: 0");
    is_int(1, (long long)lab_spectrum_bandwidth(4, p, 0.2500001, cum), "just above: 1");
    is_int(3, (long long)lab_spectrum_bandwidth(4, p, 1, cum), "q = 1: the last bin");
    ok(cum[0] == 0.25 && cum[1] == 0.5 && cum[3] == 1, "cumulative fractions 0.25 0.5 .. 1");
    is_int(2, (long long)lab_spectrum_bandwidth(3, z, 0.5, NULL), "no energy: the last bin");
}

/* A problem drawn as runs draw it, from config text. */
static void problem(const char *text, lab_problem *p)
{
    lab_config c;
    char err[512];
    if (lab_config_init(&c) || lab_config_load_string(&c, text, "s.cfg", err, sizeof err)
        || lab_config_finish(&c, err, sizeof err)
        || lab_problem_make(&c, p, err, sizeof err))
        bail("problem: %s", err);
    lab_config_release(&c);
}

/* White Gaussian inputs: P_k / m_k = 1 in expectation; per input it is
 * Exp(1) (sd 1) in the complex bins and chi^2_1 (sd sqrt 2) in bins 0 and
 * d/2, so the mean of n inputs is within 5 sd / sqrt(n) of 1. */
static void test_white(size_t d)
{
    char text[256];
    snprintf(text, sizeof text, "[teacher]\ninput_dim = %zu\n[data]\ntest_size = 16384\n"
             "[sweep]\nn = 16\n", d);
    lab_problem pr;
    problem(text, &pr);
    size_t n = pr.test->n, nb = d / 2 + 1;
    double *p = malloc(nb * sizeof *p);
    lab_spectrum *s = lab_spectrum_alloc(d);
    if (!p || !s)
        bail("out of memory");
    lab_spectrum_signals(s, n, pr.test->x, p);
    double worst = 0; /* in standard errors */
    for (size_t k = 0; k < nb; k++) {
        int m = lab_spectrum_dof(d, k);
        double se = (m == 1 ? sqrt(2.0) : 1.0) / sqrt((double)n);
        worst = fmax(worst, fabs(p[k] / m - 1.0) / se);
    }
    ok(worst <= 5, "white Gaussian inputs, d = %zu, n = %zu: every bin within 5 standard "
       "errors of flat (worst %.2f)", d, n, worst);
    lab_spectrum_free(s);
    free(p);
    lab_problem_release(&pr);
}

/* The line spectrum of f from config text, normalised to fractions. */
static void lines(const char *text, size_t L, double *frac, size_t *B90, size_t *B99)
{
    lab_problem pr;
    problem(text, &pr);
    lab_spectrum *s = lab_spectrum_alloc(L);
    char err[256];
    if (!s || lab_spectrum_lines(s, pr.teacher, pr.test->n, pr.test->d, pr.test->x, 1024,
                                 LAB_SPECTRUM_SPAN, frac, err, sizeof err))
        bail("lines: %s", err);
    double total = 0;
    for (size_t k = 0; k <= L / 2; k++)
        total += frac[k];
    for (size_t k = 0; k <= L / 2; k++)
        frac[k] /= total;
    *B90 = lab_spectrum_bandwidth(L / 2 + 1, frac, 0.9, NULL);
    *B99 = lab_spectrum_bandwidth(L / 2 + 1, frac, 0.99, NULL);
    lab_spectrum_free(s);
    lab_problem_release(&pr);
}

/* A linear teacher is a ramp along every line; less its (Hann-weighted, so
 * 0 for the symmetric grid) mean and windowed, g_m = w_m (m - L/2). With
 * R_k = DFT(m - L/2) = -L/2 - i (L/2) cot(pi k / L) (k > 0), R_0 = -L/2,
 * and w = 1/2 - (e^{2 pi i m/L} + e^{-2 pi i m/L})/4, G_k = R_k/2 -
 * (R_{k-1} + R_{k+1})/4, whose real part is 0 and whose imaginary part is
 * -(L/2) (c_k/2 - (c_{k-1} + c_{k+1})/4), c_j = cot(pi j / L), c_0 = 0. */
static void test_linear_lines(void)
{
    enum { L = 256 };
    double frac[L / 2 + 1], want[L / 2 + 1], total = 0, worst = 0;
    size_t B90, B99;
    lines("[teacher]\nactivation = linear\n[sweep]\nn = 16\n", L, frac, &B90, &B99);
    for (size_t k = 0; k <= L / 2; k++) {
        double c[3];
        for (int j = 0; j < 3; j++) {
            size_t kk = k + (size_t)j - 1;
            c[j] = k + (size_t)j == 0 || kk == 0 ? 0 : 1 / tan(M_PI * (double)kk / L);
        }
        double im = k == 0 ? 0 : c[1] / 2 - (c[0] + c[2]) / 4;
        want[k] = lab_spectrum_dof(L, k) * im * im;
        total += want[k];
    }
    for (size_t k = 0; k <= L / 2; k++)
        worst = fmax(worst, fabs(frac[k] - want[k] / total));
    ok(worst <= 1e-12, "a linear teacher along lines is the windowed ramp: every bin's share "
       "within %.1g of the closed form", worst);
    diag("windowed ramp: bins 1, 2, 3 hold %.5f, %.5f, %.6f of the energy", want[1] / total,
         want[2] / total, want[3] / total);
    is_int(1, (long long)B90, "its effective bandwidth at q = 0.9 is bin 1");
    is_int(2, (long long)B99, "and at q = 0.99 bin 2");
}

/* Larger weights make a tanh teacher bend more along a line. */
static void test_tanh_lines(void)
{
    enum { L = 256 };
    double f4[L / 2 + 1], f256[L / 2 + 1];
    size_t a90, a99, b90, b99;
    lines("[teacher]\nweight_scale = 4\n[sweep]\nn = 16\n", L, f4, &a90, &a99);
    lines("[teacher]\nweight_scale = 256\n[sweep]\nn = 16\n", L, f256, &b90, &b99);
    diag("tanh teacher (d = 16, width 16, seed 0) along lines: B_0.9, B_0.99 = %zu, %zu at "
         "weight_scale 4; %zu, %zu at 256", a90, a99, b90, b99);
    ok(b99 > a99 && b90 > a90, "weight_scale 256 gives a broader line spectrum than 4 "
       "(B_0.99 %zu > %zu, B_0.9 %zu > %zu)", b99, a99, b90, a90);
}

static void test_line_errors(void)
{
    lab_problem pr;
    problem("[sweep]\nn = 16\n[data]\ntest_size = 64\n", &pr);
    double p[200];
    char err[256];
    lab_spectrum *odd = lab_spectrum_alloc(9), *s = lab_spectrum_alloc(16);
    if (!odd || !s)
        bail("out of memory");
    is_int(LAB_EINVAL, lab_spectrum_lines(odd, pr.teacher, 64, 16, pr.test->x, 8, 3, p, err,
                                          sizeof err), "an odd number of points is refused");
    is_int(LAB_EINVAL, lab_spectrum_lines(s, pr.teacher, 64, 16, pr.test->x, 33, 3, p, err,
                                          sizeof err), "more lines than pairs of inputs too");
    is_int(LAB_EINVAL, lab_spectrum_lines(s, pr.teacher, 64, 16, pr.test->x, 8, 0, p, err,
                                          sizeof err), "and a span of 0");
    double zero[64 * 16] = { 0 };
    is_int(LAB_ENUMERIC, lab_spectrum_lines(s, pr.teacher, 64, 16, zero, 8, 3, p, err,
                                            sizeof err), "a direction of 0 is a numeric error");
    ok(strstr(err, "line 0") != NULL, "which names the line: %s", err);
    lab_spectrum_free(odd);
    lab_spectrum_free(s);
    lab_problem_release(&pr);
}

int main(void)
{
    plan_lazy();
    test_alloc();
    test_parseval(16);
    test_parseval(15);
    test_parseval(1);
    test_cosine(32, 0);
    test_cosine(32, 3);
    test_cosine(32, 16);
    test_cosine(15, 7);
    test_bandwidth();
    test_white(16);
    test_white(15);
    test_linear_lines();
    test_tanh_lines();
    test_line_errors();
    return 0;
}
