/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The perceptron learning curves (analysis/perceptron_theory.h) against
 * closed forms, their own equations, and limits derived independently here
 * (THEORY.md §5.1). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_erf.h>

#include "perceptron_theory.h"
#include "status.h"
#include "tap.h"

static lab_ptheory *w;
static char err[512];

static lab_perceptron_state solve(enum lab_plearner l, double alpha)
{
    lab_ptheory_data d = lab_ptheory_gaussian();
    lab_perceptron_state st;
    if (lab_ptheory_solve(w, l, alpha, &d, &st, err, sizeof err) != LAB_OK)
        bail("%s at alpha = %g: %s", lab_plearner_names[l], alpha, err);
    return st;
}

/* ---- constants of the large-alpha limits, computed here on their own ---- */

/* Dt exp(-t^2/2) / H(-t), H(x) = erfc(x/sqrt 2)/2. */
static double i1_integrand(double t, void *p)
{
    (void)p;
    return exp(-t * t - log(0.5 * erfc(-t * M_SQRT1_2))) / sqrt(2 * M_PI);
}

/* I1 = int Dt exp(-t^2/2)/H(-t): Gibbs alpha eps -> sqrt(2)/I1, Bayes 1/I1. */
static double i1(void)
{
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(200);
    gsl_function f = { i1_integrand, NULL };
    double v, e;
    /* The integrand falls like exp(-t^2/2) both ways: [-30, 30] holds it all. */
    if (!ws || gsl_integration_qag(&f, -30, 30, 0, 1e-12, 200, GSL_INTEG_GAUSS61, ws, &v, &e)
        != GSL_SUCCESS)
        bail("I1");
    gsl_integration_workspace_free(ws);
    return v;
}

/* F(k) = E(k - z)_+^3 and F'(k) = 3 E(k - z)_+^2 in closed form. */
static double f3(double k)
{
    return (k * k * k + 3 * k) * gsl_cdf_ugaussian_P(k) + (k * k + 2) * exp(-k * k / 2) /
        sqrt(2 * M_PI);
}

static double f3_prime(double k)
{
    return 3 * ((k * k + 1) * gsl_cdf_ugaussian_P(k) + k * exp(-k * k / 2) / sqrt(2 * M_PI));
}

static double kstar_eq(double k, void *p)
{
    (void)p;
    return f3(k) - k * f3_prime(k);
}

/* k* maximises k/F(k): max margin alpha eps -> 3/(sqrt(2 pi) F(k*)) and
 * alpha kappa -> 3 k* / (sqrt(2/pi) F(k*)). */
static double kstar(void)
{
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_function f = { kstar_eq, NULL };
    gsl_root_fsolver_set(s, &f, 0.1, 3);
    int status = GSL_CONTINUE;
    for (int i = 0; i < 200 && status == GSL_CONTINUE; i++) {
        gsl_root_fsolver_iterate(s);
        status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                        0, 1e-15);
    }
    double k = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    return k;
}

/* The half-normal density cut into pieces: the same data, other breaks. */
static double half_normal(double u, void *p)
{
    (void)p;
    return 2 * exp(-u * u / 2) / sqrt(2 * M_PI);
}

int main(void)
{
    gsl_set_error_handler_off();
    plan_lazy();
    lab_ptheory_free(NULL);
    ok(1, "lab_ptheory_free(NULL) is a no-op");
    if (!(w = lab_ptheory_alloc()))
        bail("out of memory");
    for (int l = 0; l < LAB_PLEARNER_COUNT; l++)
        is_int(l, lab_plearner_parse(lab_plearner_names[l]), "the name %s reads back",
               lab_plearner_names[l]);
    is_int(-1, lab_plearner_parse("gibs"), "an unknown learner is -1");

    /* ---- Hebb: R = sqrt(2 alpha / (2 alpha + pi)) ---- */
    const double hebb_alphas[] = { 0.01, 0.5, 2.385, 37.7, 1000 };
    for (size_t i = 0; i < sizeof hebb_alphas / sizeof *hebb_alphas; i++) {
        double a = hebb_alphas[i];
        lab_perceptron_state st = solve(LAB_PLEARNER_HEBB, a);
        is_double_rel(sqrt(2 * a / (2 * a + M_PI)), st.R, 1e-13, "hebb R at alpha = %g", a);
        is_double_rel(acos(st.R) / M_PI, st.test_error, 1e-12, "hebb eps = arccos(R)/pi");
    }

    /* ---- Gibbs and Bayes: the equation, and R_B = sqrt(R_G) ---- */
    const double mid[] = { 0.01, 0.5, 1, 2.385, 10, 100, 1000 };
    for (size_t i = 0; i < sizeof mid / sizeof *mid; i++) {
        double a = mid[i], res, off;
        lab_perceptron_state g = solve(LAB_PLEARNER_GIBBS, a), b = solve(LAB_PLEARNER_BAYES, a);
        ok(lab_ptheory_gibbs_residual(w, a, g.R, &res, err, sizeof err) == LAB_OK
           && fabs(res) <= 1e-10, "gibbs solves its equation at alpha = %g (residual %.2g)", a,
           res);
        /* The check can fail: a 1e-6 change of 1 - R leaves a residual. */
        lab_ptheory_gibbs_residual(w, a, 1 - (1 - g.R) * (1 + 1e-6), &off, err, sizeof err);
        ok(fabs(off) > 1e-8, "the residual sees a 1e-6 change of 1 - R (%.2g)", off);
        is_double_rel(g.R, g.q, 1e-15, "gibbs q = R");
        is_double_rel(sqrt(g.R), b.R, 1e-13, "bayes R = sqrt(gibbs R) at alpha = %g", a);
        ok(g.residual <= 1e-10 && b.residual <= 1e-10, "the residuals are reported");
    }

    /* ---- max margin: kappa* is the largest margin some angle reaches ---- */
    lab_ptheory_data gauss = lab_ptheory_gaussian();
    for (size_t i = 0; i < sizeof mid / sizeof *mid; i++) {
        double a = mid[i], g0, below, above = INFINITY;
        lab_perceptron_state m = solve(LAB_PLEARNER_MAXMARGIN, a);
        double s2 = gsl_pow_2(sin(m.phi));
        lab_ptheory_maxmargin_g(w, a, &gauss, m.kappa, m.phi, &g0, err, sizeof err);
        lab_ptheory_maxmargin_g(w, a, &gauss, m.kappa * (1 - 1e-6), m.phi, &below, err,
                                sizeof err);
        ok(fabs(g0) <= 1e-10 * s2 && below < 0,
           "maxmargin at alpha = %g: G(kappa*, phi*) = 0 (%.2g s^2), G < 0 just below", a,
           g0 / s2);
        /* No angle reaches a margin 1e-6 larger: scan phi around phi*. */
        for (int j = -200; j <= 200; j++) {
            double phi = m.phi * exp(j * 0.01), g;
            if (phi >= M_PI_2)
                continue;
            lab_ptheory_maxmargin_g(w, a, &gauss, m.kappa * (1 + 1e-6), phi, &g, err,
                                    sizeof err);
            above = fmin(above, g);
        }
        ok(above > 0, "no angle reaches kappa* (1 + 1e-6) at alpha = %g", a);
    }

    /* ---- large alpha: alpha eps tends to constants computed above ---- */
    double c_i1 = i1(), k = kstar();
    double c_gibbs = M_SQRT2 / c_i1, c_bayes = 1 / c_i1;
    double c_mm = 3 / (sqrt(2 * M_PI) * f3(k)), c_kappa = 3 * k / (sqrt(2 / M_PI) * f3(k));
    diag("limits: alpha eps -> %.10f (gibbs), %.10f (bayes), %.10f (maxmargin); "
         "alpha kappa -> %.10f", c_gibbs, c_bayes, c_mm, c_kappa);
    is_double_rel(0.6245, 1000 * solve(LAB_PLEARNER_GIBBS, 1000).test_error, 0.01,
                  "gibbs alpha eps at alpha = 1000 within 1%% of 0.6245");
    is_double_rel(0.4417, 1000 * solve(LAB_PLEARNER_BAYES, 1000).test_error, 0.01,
                  "bayes alpha eps at alpha = 1000 within 1%% of 0.4417");
    is_double_rel(0.4996, 1000 * solve(LAB_PLEARNER_MAXMARGIN, 1000).test_error, 0.01,
                  "maxmargin alpha eps at alpha = 1000 within 1%% of 0.4996");
    is_double_rel(c_gibbs, 1e6 * solve(LAB_PLEARNER_GIBBS, 1e6).test_error, 1e-6,
                  "gibbs alpha eps -> sqrt(2)/I1 (alpha = 1e6)");
    is_double_rel(c_bayes, 1e6 * solve(LAB_PLEARNER_BAYES, 1e6).test_error, 1e-6,
                  "bayes alpha eps -> 1/I1 (alpha = 1e6)");
    lab_perceptron_state mbig = solve(LAB_PLEARNER_MAXMARGIN, 1e6);
    is_double_rel(c_mm, 1e6 * mbig.test_error, 1e-6,
                  "maxmargin alpha eps -> 3/(sqrt(2 pi) F(k*)) (alpha = 1e6)");
    is_double_rel(c_kappa, 1e6 * mbig.kappa, 1e-5,
                  "maxmargin alpha kappa -> 3 k*/(sqrt(2/pi) F(k*)) (alpha = 1e6)");
    is_double_rel(1 / sqrt(2 * M_PI), sqrt(1e6) * solve(LAB_PLEARNER_HEBB, 1e6).test_error,
                  1e-5, "hebb sqrt(alpha) eps -> 1/sqrt(2 pi)");

    /* ---- small alpha: eps -> 1/2 with the slopes of THEORY.md §5.1 ---- */
    double tiny = 1e-6, slope_sqrt = M_SQRT2 / pow(M_PI, 1.5);
    is_double_rel(2 / (M_PI * M_PI), (0.5 - solve(LAB_PLEARNER_GIBBS, tiny).test_error) / tiny,
                  1e-4, "gibbs: 1/2 - eps ~ 2 alpha/pi^2");
    is_double_rel(slope_sqrt, (0.5 - solve(LAB_PLEARNER_BAYES, tiny).test_error) / sqrt(tiny),
                  1e-3, "bayes: 1/2 - eps ~ sqrt(2 alpha)/pi^1.5");
    is_double_rel(slope_sqrt, (0.5 - solve(LAB_PLEARNER_HEBB, tiny).test_error) / sqrt(tiny),
                  1e-3, "hebb: 1/2 - eps ~ sqrt(2 alpha)/pi^1.5");
    lab_perceptron_state msmall = solve(LAB_PLEARNER_MAXMARGIN, tiny);
    is_double_rel(slope_sqrt, (0.5 - msmall.test_error) / sqrt(tiny), 1e-3,
                  "maxmargin: 1/2 - eps ~ sqrt(2 alpha)/pi^1.5");
    is_double_rel(1, msmall.kappa * sqrt(tiny), 1e-3, "maxmargin: kappa ~ 1/sqrt(alpha)");

    /* ---- every curve falls with alpha; Bayes is best at every alpha ---- */
    for (int l = 0; l < LAB_PLEARNER_COUNT; l++) {
        double prev = 0.5;
        int falls = 1;
        for (double a = 0.01; a <= 1000; a *= 1.25) {
            double e = solve((enum lab_plearner)l, a).test_error;
            falls &= e < prev;
            prev = e;
        }
        ok(falls, "%s: eps falls strictly from alpha = 0.01 to 1000", lab_plearner_names[l]);
    }
    int bayes_best = 1;
    for (double a = 0.01; a <= 1000; a *= 1.25) {
        double b = solve(LAB_PLEARNER_BAYES, a).test_error;
        for (int l = 0; l < LAB_PLEARNER_COUNT; l++)
            bayes_best &= l == LAB_PLEARNER_BAYES || b <= solve((enum lab_plearner)l, a).test_error;
    }
    ok(bayes_best, "bayes has the least error of the four at every alpha");

    /* THEORY-SOURCES §5.5: max margin at alpha = 1 without pruning, 0.266
     * (solved there and checked against SVM simulations at N = 200). */
    is_double_abs(0.266, solve(LAB_PLEARNER_MAXMARGIN, 1).test_error, 5e-4,
                  "maxmargin eps(1) = 0.266");

    /* ---- the same density cut at breaks gives the same curves ---- */
    lab_ptheory_data cut = { .density = half_normal, .breaks = { 0.5, 1.7, 3.1 }, .nbreaks = 3,
                             .end = 40, .isotropic = 0 };
    for (int l = 0; l < LAB_PLEARNER_COUNT; l++) {
        lab_perceptron_state a, b;
        int rc = lab_ptheory_solve(w, (enum lab_plearner)l, 2.385, &cut, &a, err, sizeof err);
        if (l == LAB_PLEARNER_GIBBS || l == LAB_PLEARNER_BAYES) {
            is_int(LAB_EINVAL, rc, "%s refuses data it cannot take: %s", lab_plearner_names[l],
                   err);
            continue;
        }
        b = solve((enum lab_plearner)l, 2.385);
        ok(rc == LAB_OK && fabs(a.test_error - b.test_error) <= 1e-12 * b.test_error,
           "%s: breaks in the density change nothing", lab_plearner_names[l]);
    }

    /* ---- errors ---- */
    lab_perceptron_state st;
    is_int(LAB_EINVAL, lab_perceptron_theory(LAB_PLEARNER_GIBBS, 0, &st, err, sizeof err),
           "alpha = 0 is refused: %s", err);
    ok(isnan(st.test_error), "and the state is NaN");
    is_int(LAB_EINVAL, lab_perceptron_theory(LAB_PLEARNER_HEBB, 2e6, &st, err, sizeof err),
           "alpha = 2e6 is refused: %s", err);
    is_int(LAB_EINVAL, lab_perceptron_theory(LAB_PLEARNER_HEBB, NAN, &st, err, sizeof err),
           "alpha = NaN is refused");
    is_int(LAB_EINVAL, lab_perceptron_theory(LAB_PLEARNER_COUNT, 1, &st, err, sizeof err),
           "an unknown learner is refused: %s", err);
    double res;
    is_int(LAB_EINVAL, lab_ptheory_gibbs_residual(w, 1, 1, &res, err, sizeof err),
           "the residual at R = 1 is refused: %s", err);

    lab_ptheory_free(w);
    return 0;
}
