/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scaling-law forms: every gradient against central finite differences, the
 * amplitude basis against the curve, special cases against closed forms,
 * and the errors of bad specs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "forms.h"
#include "tap.h"

struct cas {
    const char *spec;
    size_t nx;
    double theta[16];
    double x[3][4]; /* three points */
};

static const struct cas cases[] = {
    { "hestness", 1, { 2.385, -0.43, 0.0123 }, { { 64 }, { 1000 }, { 3.7e5 } } },
    { "hestness:3", 1, { 40, -0.6, 0.003, 0.9 }, { { 64 }, { 700 }, { 3.7e5 } } },
    { "rosenfeld", 2, { 1.3, 0.7, 3.0, 0.5, 0.002, 0.05, 0.95 },
      { { 64, 37 }, { 1024, 577 }, { 16384, 2305 } } },
    { "rosenfeld-prune", 2, { 0.9, 2.0, 0.05 }, { { 0.8, 0.08 }, { 0.04, 0.07 }, { 0.003, 0.1 } } },
    { "rosenfeld-prune", 4, { 0.9, 1.7, 0.05, 0.6, 1.3 },
      { { 0.8, 0.08, 3, 2 }, { 0.04, 0.07, 5, 0.5 }, { 0.003, 0.1, 8, 4 } } },
    { "bnsl:0", 1, { 0.1, 3.0, 0.35 }, { { 10 }, { 500 }, { 1e5 } } },
    { "bnsl:1", 1, { 0.41, 2.28, 0.055, 5.66, 612.6, 0.059 }, { { 160 }, { 600 }, { 928 } } },
    { "bnsl:3", 1, { 0.01, 5.0, 0.2, 1.5, 300, 0.1, -1.0, 3000, 0.3, 0.7, 4e4, 2.0 },
      { { 100 }, { 2900 }, { 5e4 } } },
    { "kaplan", 2, { 8.8e13, 5.4e13, 0.076, 0.095 }, { { 1e8, 1e10 }, { 1e9, 3e11 }, { 7e10, 2e9 } } },
    { "chinchilla", 2, { 1.69, 406.4, 410.7, 0.34, 0.28 },
      { { 1e8, 1e10 }, { 1e9, 3e11 }, { 7e10, 2e9 } } },
    { "exp", 1, { 0.5, 300, 0.01 }, { { 10 }, { 400 }, { 2000 } } },
};
#define NCASES (sizeof cases / sizeof cases[0])

static void test_gradients(void)
{
    for (size_t c = 0; c < NCASES; c++) {
        const struct cas *k = &cases[c];
        lab_form *f;
        char err[256];
        if (lab_form_alloc(k->spec, k->nx, &f, err, sizeof err) != 0)
            bail("%s", err);
        size_t np = lab_form_nparams(f);
        double worst = 0;
        for (int p = 0; p < 3; p++) {
            double g[16], th[16];
            double y = lab_form_eval(f, k->theta, k->x[p], g);
            memcpy(th, k->theta, sizeof th);
            for (size_t i = 0; i < np; i++) {
                /* A relative step: parameters range from 1e-3 to 1e13. */
                double h = 1e-6 * (fabs(th[i]) > 1e-3 ? fabs(th[i]) : 1e-3);
                th[i] = k->theta[i] + h;
                double up = lab_form_eval(f, th, k->x[p], NULL);
                th[i] = k->theta[i] - h;
                double down = lab_form_eval(f, th, k->x[p], NULL);
                th[i] = k->theta[i];
                double fd = (up - down) / (2 * h);
                /* The error in y per relative change of the parameter, relative
                 * to y: what the fitter sees. Central differences with this step
                 * are good to about 1e-10; a wrong derivative is off by O(1). */
                double scale = fabs(th[i]) > 1e-3 ? fabs(th[i]) : 1e-3;
                worst = fmax(worst, fabs(fd - g[i]) * scale / fabs(y));
            }
        }
        ok(worst < 1e-7, "%s: all %zu gradients match central differences (worst %.1g)",
           k->spec, np, worst);
        lab_form_free(f);
    }
}

static void test_amplitudes(void)
{
    for (size_t c = 0; c < NCASES; c++) {
        const struct cas *k = &cases[c];
        lab_form *f;
        char err[256];
        lab_form_alloc(k->spec, k->nx, &f, err, sizeof err);
        size_t amp[4], na = lab_form_amplitudes(f, amp);
        if (na == 0) {
            lab_form_free(f);
            continue;
        }
        double worst = 0;
        for (int p = 0; p < 3; p++) {
            double phi[4], lx[4], sum = 0, y = lab_form_eval(f, k->theta, k->x[p], NULL);
            for (size_t c = 0; c < k->nx; c++)
                lx[c] = log(k->x[p][c]);
            double scratch[1];
            lab_form_basis_n(f, k->theta, 1, k->x[p], lx, phi, scratch);
            for (size_t j = 0; j < na; j++)
                sum += k->theta[amp[j]] * phi[j];
            worst = fmax(worst, fabs(sum - y) / fabs(y));
        }
        ok(worst < 1e-13, "%s: the curve is the sum of its amplitudes times their basis "
           "(rel %.1g)", k->spec, worst);
        lab_form_free(f);
    }
}

/* Special cases with closed forms. */
static void test_closed_forms(void)
{
    lab_form *f;
    char err[256];
    double x[2] = { 250, 0 };

    /* bnsl:0 is a power law with a constant. */
    lab_form_alloc("bnsl:0", 1, &f, err, sizeof err);
    double b0[3] = { 0.1, 3.0, 0.35 };
    is_double_rel(0.1 + 3.0 * pow(250, -0.35), lab_form_eval(f, b0, x, NULL), 1e-15,
                  "bnsl:0 is a + b x^-c0");
    lab_form_free(f);

    /* Far past a sharp break bnsl:1 is a power law of slope -(c0 + c1). */
    lab_form_alloc("bnsl:1", 1, &f, err, sizeof err);
    double b1[6] = { 0, 2.0, 0.3, 1.2, 100, 0.01 };
    double x1[1] = { 1e4 }, x2[1] = { 1e5 };
    double slope = log(lab_form_eval(f, b1, x2, NULL) / lab_form_eval(f, b1, x1, NULL)) / log(10);
    is_double_abs(-1.5, slope, 1e-9, "bnsl:1 after a sharp break has slope -(c0 + c1)");
    lab_form_free(f);

    /* The envelope: eps0 |e/(e - i eta)| is eps0 e / sqrt(e^2 + eta^2). */
    lab_form_alloc("rosenfeld", 2, &f, err, sizeof err);
    double r[7] = { 1, 0.7, 3.0, 0.5, 0.002, 0.05, 0.95 }, xr[2] = { 1024, 577 };
    double e = pow(1024, -0.7) + 3.0 * pow(577, -0.5) + 0.002;
    is_double_rel(0.95 * e / sqrt(e * e + 0.05 * 0.05), lab_form_eval(f, r, xr, NULL), 1e-15,
                  "rosenfeld's envelope is eps0 e / sqrt(e^2 + eta^2)");
    lab_form_free(f);

    /* The pruning law: flat at eps_np for large d, eps_up as d -> 0. */
    lab_form_alloc("rosenfeld-prune", 2, &f, err, sizeof err);
    double pr[3] = { 0.9, 2.0, 0.05 }, big[2] = { 1e6, 0.08 }, small[2] = { 1e-9, 0.08 };
    ok(fabs(lab_form_eval(f, pr, big, NULL) - 0.08) < 1e-9
       && fabs(lab_form_eval(f, pr, small, NULL) - 0.9) < 1e-9,
       "rosenfeld-prune runs from eps_np (dense) to eps_up (sparse)");
    lab_form_free(f);

    /* bnsl's breaks commute: the canonical order is by position. */
    lab_form_alloc("bnsl:2", 1, &f, err, sizeof err);
    double sw[9] = { 0.01, 5.0, 0.2, -1.0, 3000, 0.3, 1.5, 300, 0.1 }, cw[9], xb[1] = { 777 };
    memcpy(cw, sw, sizeof cw);
    lab_form_canonical(f, cw);
    ok(cw[4] == 300 && cw[7] == 3000 && cw[3] == 1.5 && cw[6] == -1.0
       && fabs(lab_form_eval(f, sw, xb, NULL) - lab_form_eval(f, cw, xb, NULL)) < 1e-15,
       "bnsl's canonical parameters list breaks by position, for the same curve");
    lab_form_free(f);

    /* Kaplan at D -> infinity is (N_c/N)^alpha_N. */
    lab_form_alloc("kaplan", 2, &f, err, sizeof err);
    double ka[4] = { 8.8e13, 5.4e13, 0.076, 0.095 }, xk[2] = { 1e9, 1e300 };
    is_double_rel(pow(8.8e13 / 1e9, 0.076), lab_form_eval(f, ka, xk, NULL), 1e-12,
                  "kaplan with unlimited data is (N_c/N)^alpha_N");
    lab_form_free(f);
}

static void test_errors(void)
{
    lab_form *f = NULL;
    char err[512];
    ok(lab_form_alloc("powerlaw", 1, &f, err, sizeof err) != 0 && f == NULL
       && strstr(err, "powerlaw: unknown form (forms: hestness, "),
       "an unknown form lists the forms");
    ok(lab_form_alloc("bnsl:9", 1, &f, err, sizeof err) != 0
       && strstr(err, "number of breaks must be an integer in [0, 8]"), "too many breaks");
    ok(lab_form_alloc("rosenfeld", 1, &f, err, sizeof err) != 0
       && strcmp(err, "rosenfeld takes 2 x columns (n, m), not 1") == 0,
       "the number of x columns is checked");
    lab_form_alloc("hestness", 1, &f, err, sizeof err);
    ok(lab_form_fix(f, "gamma", -1, err, sizeof err) != 0
       && strcmp(err, "hestness.gamma must be non-negative, not -1") == 0,
       "a fixed value must respect the parameter's sign");
    ok(lab_form_fix(f, "delta", 1, err, sizeof err) != 0
       && strcmp(err, "hestness has no parameter \"delta\" (it has alpha beta gamma)") == 0,
       "an unknown parameter lists the parameters");
    double bad[1] = { 0.5 };
    ok(lab_form_set_grid(f, "beta", bad, 1, err, sizeof err) != 0
       && strcmp(err, "hestness.beta: start 0.5 is not negative") == 0,
       "a start grid must respect the parameter's sign");
    lab_form_free(f);
    lab_form_alloc("rosenfeld", 2, &f, err, sizeof err);
    double v;
    ok(lab_form_param_fixed(f, lab_form_param_index(f, "eps0"), &v) && v == 1.0
       && lab_form_free_param(f, "a", err, sizeof err) != 0,
       "rosenfeld fixes eps0 = 1 and a = 1; a cannot be fitted");
    lab_form_free(f);
    lab_form_free(NULL);
}

int main(void)
{
    plan(NCASES + 6 + 6 + 7);
    test_gradients();
    test_amplitudes();
    test_closed_forms();
    test_errors();
    return 0;
}
