/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The perceptron learning curves on pruned data (lab_ptheory_solve_pruned,
 * THEORY.md section 11): no pruning (f = 1) gives the unpruned solver's
 * values, the 2-D quadrature of theta > 0 meets the 1-D one at theta = 0,
 * gibbs's gradient meets central differences of its f, and the reference
 * numbers of THEORY-SOURCES §5.5 are reproduced to their stated digits. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_roots.h>

#include "perceptron_theory.h"
#include "status.h"
#include "tap.h"

static lab_ptheory *w;
static char err[512];

static lab_perceptron_state solve(enum lab_plearner l, double alpha, enum lab_pprune mode,
                                  double f, double theta_deg)
{
    lab_ptheory_prune p = { mode, f, theta_deg * M_PI / 180 };
    lab_perceptron_state st;
    if (lab_ptheory_solve_pruned(w, l, alpha, &p, &st, err, sizeof err) != LAB_OK)
        bail("%s at alpha = %g: %s", lab_plearner_names[l], alpha, err);
    return st;
}

/* The kept density of u = |t| at theta = 0, written here on its own. */
struct kept {
    double gamma, f;
    int easy;
};

static double kept_density(double u, void *p)
{
    const struct kept *k = p;
    int in = k->easy ? u > k->gamma : u < k->gamma;
    return in ? 2 * exp(-u * u / 2) / sqrt(2 * M_PI) / k->f : 0;
}

/* eps(keep hard) - eps(keep easy) at alpha, f = *params: the crossover. */
static double hard_minus_easy(double alpha, void *params)
{
    double f = *(const double *)params;
    return solve(LAB_PLEARNER_MAXMARGIN, alpha, LAB_PPRUNE_HARD, f, 0).test_error
        - solve(LAB_PLEARNER_MAXMARGIN, alpha, LAB_PPRUNE_EASY, f, 0).test_error;
}

static double crossover(double f)
{
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_function fn = { hard_minus_easy, &f };
    gsl_root_fsolver_set(s, &fn, 1.5, 5);
    int status = GSL_CONTINUE;
    for (int i = 0; i < 100 && status == GSL_CONTINUE; i++) {
        gsl_root_fsolver_iterate(s);
        status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                        1e-6, 0);
    }
    double a = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    return a;
}

int main(void)
{
    gsl_set_error_handler_off();
    plan_lazy();
    if (!(w = lab_ptheory_alloc()))
        bail("out of memory");
    is_int(LAB_PPRUNE_EASY, lab_pprune_parse("easy"), "the mode easy reads back");
    is_int(-1, lab_pprune_parse("hardd"), "an unknown mode is -1");
    lab_ptheory_prune h = { LAB_PPRUNE_HARD, 0.3, 0 }, e = { LAB_PPRUNE_EASY, 0.3, 0 };
    is_double_rel(0.3, erf(lab_ptheory_prune_gamma(&h) / M_SQRT2), 1e-13, "hard: f = erf(g/sqrt2)");
    is_double_rel(0.3, erfc(lab_ptheory_prune_gamma(&e) / M_SQRT2), 1e-13,
                  "easy: f = erfc(g/sqrt2)");

    /* ---- f = 1: the unpruned values ---- */
    const double alphas[] = { 1, 20 };
    for (size_t i = 0; i < sizeof alphas / sizeof *alphas; i++) {
        double a = alphas[i];
        for (int l = 0; l < LAB_PLEARNER_COUNT; l++) {
            lab_perceptron_state u = solve((enum lab_plearner)l, a, LAB_PPRUNE_NONE, 1, 0);
            lab_perceptron_state ph = solve((enum lab_plearner)l, a, LAB_PPRUNE_HARD, 1, 0);
            lab_perceptron_state pe = solve((enum lab_plearner)l, a, LAB_PPRUNE_EASY, 1, 0);
            ok(fabs(ph.test_error - u.test_error) <= 1e-8 * u.test_error
               && fabs(pe.test_error - u.test_error) <= 1e-8 * u.test_error,
               "f = 1, %s at alpha = %g: eps %.12g (hard), %.12g (easy), unpruned %.12g",
               lab_plearner_names[l], a, ph.test_error, pe.test_error, u.test_error);
            if (l == LAB_PLEARNER_GIBBS)
                ok(fabs(ph.q - ph.R) <= 1e-8 && fabs(pe.q - pe.R) <= 1e-8,
                   "f = 1: gibbs finds q = R (Nishimori), %.12g %.12g", ph.q, ph.R);
        }
    }
    /* the 2-D quadrature of theta > 0 with f = 1: the simplex's tolerance
     * on (ln tan omega, beta), 1e-7, bounds the overlap's digits there */
    const double a2[] = { 1, 10 };
    for (size_t i = 0; i < 2; i++) {
        lab_perceptron_state u = solve(LAB_PLEARNER_MAXMARGIN, a2[i], LAB_PPRUNE_NONE, 1, 0);
        lab_perceptron_state p = solve(LAB_PLEARNER_MAXMARGIN, a2[i], LAB_PPRUNE_HARD, 1, 10);
        ok(fabs(p.test_error - u.test_error) <= 1e-7 * u.test_error
           && fabs(p.kappa - u.kappa) <= 1e-8 * u.kappa && fabs(p.eta) <= 1e-6,
           "f = 1, theta = 10 deg, maxmargin at alpha = %g: eps %.12g, unpruned %.12g, eta %.2g",
           a2[i], p.test_error, u.test_error, p.eta);
    }

    /* ---- the 2-D G at theta = 0 against the 1-D G on the kept density ---- */
    for (int easy = 0; easy < 2; easy++) {
        lab_ptheory_prune p = { easy ? LAB_PPRUNE_EASY : LAB_PPRUNE_HARD, 0.2, 0 };
        struct kept k = { lab_ptheory_prune_gamma(&p), 0.2, easy };
        lab_ptheory_data d = { .density = kept_density, .params = &k, .nbreaks = 1,
                               .breaks = { k.gamma }, .end = 40, .isotropic = 0 };
        double g1, g2, rho = 0.8, kappa = 0.3;
        lab_ptheory_maxmargin_g(w, 2, &d, kappa, acos(rho), &g1, err, sizeof err);
        lab_ptheory_pruned_g(w, 2, &p, kappa, rho, 0, &g2, err, sizeof err);
        /* 40-point rules on each piece: 1e-8 relative */
        ok(fabs(g1 - g2) <= 1e-8 * fabs(g1), "keep %s: the 2-D G at theta = 0 is the 1-D one (%.15g, "
           "%.15g)", easy ? "easy" : "hard", g2, g1);
    }

    /* ---- gibbs: the gradient of f against central differences ---- */
    {
        lab_ptheory_prune p = { LAB_PPRUNE_HARD, 0.2, 0 };
        double q = 0.6, R = 0.3, f, fq, fR, fp, fm, hq = 1e-5;
        lab_ptheory_gibbs_f(w, 1.5, &p, q, R, &f, &fq, &fR, err, sizeof err);
        lab_ptheory_gibbs_f(w, 1.5, &p, q + hq, R, &fp, NULL, NULL, err, sizeof err);
        lab_ptheory_gibbs_f(w, 1.5, &p, q - hq, R, &fm, NULL, NULL, err, sizeof err);
        is_double_rel((fp - fm) / (2 * hq), fq, 1e-7, "gibbs df/dq by central differences");
        lab_ptheory_gibbs_f(w, 1.5, &p, q, R + hq, &fp, NULL, NULL, err, sizeof err);
        lab_ptheory_gibbs_f(w, 1.5, &p, q, R - hq, &fm, NULL, NULL, err, sizeof err);
        is_double_rel((fp - fm) / (2 * hq), fR, 1e-7, "gibbs df/dR by central differences");
        lab_perceptron_state g = solve(LAB_PLEARNER_GIBBS, 1.5, LAB_PPRUNE_HARD, 0.2, 0);
        lab_ptheory_gibbs_f(w, 1.5, &p, g.q, g.R, &f, &fq, &fR, err, sizeof err);
        ok(fabs(fq) * gsl_pow_2(1 - g.q) <= 1e-10 && fabs(fR) * (1 - g.q) <= 1e-10,
           "gibbs keep hard f = 0.2, alpha = 1.5: grad f = 0 at (q, R) = (%.6g, %.6g), q > R",
           g.q, g.R);
        ok(g.q > g.R, "pruning on the teacher breaks q = R");
        lab_perceptron_state b = solve(LAB_PLEARNER_BAYES, 1.5, LAB_PPRUNE_HARD, 0.2, 0);
        is_double_rel(g.R / sqrt(g.q), b.R, 1e-14, "bayes R = R/sqrt(q) of gibbs");
    }

    /* ---- THEORY-SOURCES §5.5 ---- */
    double ez = solve(LAB_PLEARNER_MAXMARGIN, 1, LAB_PPRUNE_EASY, 0.2, 0).test_error;
    double un = solve(LAB_PLEARNER_MAXMARGIN, 1, LAB_PPRUNE_NONE, 1, 0).test_error;
    ok(fabs(ez - 0.135) <= 0.0005 && fabs(un - 0.266) <= 0.0005,
       "maxmargin alpha_prune = 1, f = 0.2: keep easy %.5f (0.135), no pruning %.5f (0.266)", ez,
       un);
    const double fs[] = { 0.1, 0.2, 0.4, 0.6 }, cross[] = { 2.01, 2.07, 2.30, 2.96 };
    for (int i = 0; i < 4; i++) {
        double a = crossover(fs[i]);
        ok(fabs(a - cross[i]) <= 0.005, "keep hard beats keep easy past alpha_prune = %.4f at "
           "f = %g (%.2f)", a, fs[i], cross[i]);
    }
    /* keep hard at alpha_prune = 5: the full data's error at alpha_tot */
    const double fh[] = { 0.1, 0.2, 0.4 };
    for (int i = 0; i < 3; i++) {
        double p = solve(LAB_PLEARNER_MAXMARGIN, 5, LAB_PPRUNE_HARD, fh[i], 0).test_error;
        double u = solve(LAB_PLEARNER_MAXMARGIN, 5 / fh[i], LAB_PPRUNE_NONE, 1, 0).test_error;
        ok(fabs(p / u - 1) <= 0.01, "keep hard f = %g, alpha_prune = 5: eps %.6g, full data at "
           "alpha_tot = %g: %.6g", fh[i], p, 5 / fh[i], u);
    }
    /* gibbs: keep easy wins at alpha_prune = 1, keep hard at 2 (f = 0.2) */
    double gh1 = solve(LAB_PLEARNER_GIBBS, 1, LAB_PPRUNE_HARD, 0.2, 0).test_error;
    double ge1 = solve(LAB_PLEARNER_GIBBS, 1, LAB_PPRUNE_EASY, 0.2, 0).test_error;
    double gh2 = solve(LAB_PLEARNER_GIBBS, 2, LAB_PPRUNE_HARD, 0.2, 0).test_error;
    double ge2 = solve(LAB_PLEARNER_GIBBS, 2, LAB_PPRUNE_EASY, 0.2, 0).test_error;
    ok(ge1 < gh1 && gh2 < ge2, "gibbs f = 0.2: easy wins at alpha 1 (%.4f < %.4f), hard at 2 "
       "(%.4f < %.4f)", ge1, gh1, gh2, ge2);
    double gu = solve(LAB_PLEARNER_GIBBS, 100, LAB_PPRUNE_HARD, 1, 0).test_error;
    ok(fabs(100 * gu - 0.6246) <= 0.0005, "gibbs through the pruned solver, f = 1: alpha eps "
       "at alpha = 100 is %.5f (-> 0.6247)", 100 * gu);

    /* ---- bad arguments ---- */
    lab_perceptron_state st;
    lab_ptheory_prune bad = { LAB_PPRUNE_HARD, 0, 0 };
    is_int(LAB_EINVAL, lab_ptheory_solve_pruned(w, LAB_PLEARNER_MAXMARGIN, 1, &bad, &st, err,
                                                sizeof err), "fraction 0 is refused");
    bad.fraction = 0.5;
    bad.theta = 0.1;
    is_int(LAB_EINVAL, lab_ptheory_solve_pruned(w, LAB_PLEARNER_GIBBS, 1, &bad, &st, err,
                                                sizeof err), "gibbs at theta > 0 is refused");
    lab_ptheory_free(w);
    return 0;
}
