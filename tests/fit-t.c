/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fitting engine on data with known parameters: every form recovers its
 * parameters from exact data and from noisy data (fixed seed), from its own
 * start grid and from another; bounds hold; the default search finds the
 * global optimum where the published grids do not; every loss recovers exact
 * data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "fit.h"
#include "forms.h"
#include "rng.h"
#include "tap.h"

#define MAXN 256

struct problem {
    const char *spec;
    size_t nx;
    double truth[16];
    double lo[4], hi[4];   /* x ranges, log-spaced */
    size_t per_axis;       /* points per x column (the first, if counts says otherwise) */
    double tol;            /* relative parameter error allowed on noisy data */
    const char *alt;       /* a parameter to give another start grid */
    double alt_grid[4];
    size_t alt_n;
    size_t others;         /* points on each further x column (0: per_axis) */
};

static const struct problem problems[] = {
    { "hestness", 1, { 2.385, -0.43, 0.0123 }, { 10 }, { 1e5 }, 24, 0.05, "beta",
      { -0.9, -0.6 }, 2, 0 },
    { "hestness:3", 1, { 40, -0.6, 0.003, 1.0 }, { 10 }, { 1e6 }, 30, 0.05, "beta",
      { -1.2, -0.25 }, 2, 0 },
    { "rosenfeld", 2, { 1, 0.7, 3.0, 0.5, 0.002, 0.05, 1 }, { 64, 37 }, { 16384, 2305 }, 8, 0.1,
      "eta", { 0.3, 3 }, 2, 0 },
    { "rosenfeld-prune", 2, { 0.9, 2.0, 0.05 }, { 0.001, 0.08 }, { 1, 0.08 }, 40, 0.05, "gamma",
      { 3, 6 }, 2, 0 },
    { "rosenfeld-prune", 4, { 0.9, 2.0, 0.05, 0.7, 1.2 }, { 0.001, 0.08, 2, 0.5 },
      { 1, 0.08, 8, 4 }, 20, 0.05, "phi", { 1.5, 3 }, 2, 3 },
    { "bnsl:1", 1, { 0.41, 2.28, 0.055, 5.66, 612.6, 0.059 }, { 100 }, { 3000 }, 30, 0.1, "d1",
      { 200, 2000 }, 2, 0 },
    { "bnsl:2", 1, { 0.01, 5.0, 0.2, 1.5, 300, 0.1, -1.0, 3000, 0.3 }, { 10 }, { 1e5 }, 40, 0.15,
      "c0", { 0.35, 0.6 }, 2, 0 },
    { "bnsl:3", 1, { 0.01, 5.0, 0.2, 0.5, 100, 0.2, -0.4, 3000, 0.3, 1.0, 1e5, 0.2 }, { 10 },
      { 1e6 }, 60, 0.15, "c0", { 0.35, 0.6 }, 2, 0 },
    { "kaplan", 2, { 8.8e13, 5.4e13, 0.076, 0.095 }, { 1e8, 1e9 }, { 1e12, 1e12 }, 8, 0.1,
      "alpha_N", { 0.03, 0.15 }, 2, 0 },
    { "chinchilla", 2, { 1.69, 406.4, 410.7, 0.34, 0.28 }, { 1e7, 1e9 }, { 1e11, 1e12 }, 8, 0.1,
      "alpha", { 0.25, 0.75 }, 2, 0 },
    { "exp", 1, { 0.5, 300, 0.01 }, { 1 }, { 3000 }, 24, 0.05, "b", { 50, 2000 }, 2, 0 },
};
#define NPROB (sizeof problems / sizeof problems[0])

/* Points on a log-spaced grid (the product over x columns); the second x
 * column of rosenfeld-prune is a constant eps_np. */
static size_t make_points(const struct problem *p, const lab_form *f, double *x, double *y,
                          double noise, gsl_rng *r)
{
    size_t n = 1, m[4];
    for (size_t c = 0; c < p->nx; c++) {
        m[c] = p->lo[c] == p->hi[c] ? 1 : c > 0 && p->others ? p->others : p->per_axis;
        n *= m[c];
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = i;
        for (size_t c = 0; c < p->nx; c++) {
            size_t j = k % m[c];
            k /= m[c];
            x[i * p->nx + c] = m[c] == 1 ? p->lo[c]
                : exp(log(p->lo[c]) + (log(p->hi[c]) - log(p->lo[c])) * (double)j / (double)(m[c] - 1));
        }
        y[i] = lab_form_eval(f, p->truth, x + i * p->nx, NULL);
        if (noise > 0)
            y[i] *= exp(gsl_ran_gaussian(r, noise));
    }
    return n;
}

/* The largest relative error over the fitted parameters. */
static double param_error(const lab_form *f, const double *theta, const double *truth)
{
    double worst = 0;
    for (size_t i = 0; i < lab_form_nparams(f); i++)
        if (!lab_form_param_fixed(f, i, NULL))
            worst = fmax(worst, fabs(theta[i] - truth[i]) / fabs(truth[i]));
    return worst;
}

/* The largest error over the fitted parameters in units of their
 * asymptotic standard errors, measured in the coordinates the fitter works
 * in: a positive or non-negative parameter is fitted as its logarithm, where
 * the loss is close to quadratic, so its error is |log(theta/truth)| against
 * the standard error of log theta, se/theta. On a ridge such as Chinchilla's
 * A-B trade-off the linear-scale interval is far from symmetric. */
static double param_z(const lab_form *f, const lab_fit_result *res, const double *truth)
{
    double worst = 0;
    for (size_t i = 0; i < lab_form_nparams(f); i++) {
        if (lab_form_param_fixed(f, i, NULL))
            continue;
        /* One at its bound has a one-sided interval and no standard error. */
        if (res->bounded[i] && isnan(res->se[i]))
            continue;
        enum lab_param_kind k = lab_form_param_kind(f, i);
        double t = res->theta[i], z;
        if ((k == LAB_PARAM_POS || k == LAB_PARAM_NONNEG) && t > 0 && truth[i] > 0)
            z = fabs(log(t / truth[i])) / (res->se[i] / t);
        else
            z = fabs(t - truth[i]) / res->se[i];
        worst = isnan(z) ? INFINITY : fmax(worst, z);
    }
    return worst;
}

/* The log loss of theta on the points. */
static double log_loss(const lab_form *f, const double *theta, const double *x, const double *y,
                       size_t n, size_t nx)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double e = log(lab_form_eval(f, theta, x + i * nx, NULL)) - log(y[i]);
        s += e * e;
    }
    return s;
}

static void test_recovery(void)
{
    static double x[MAXN * 4], y[MAXN];
    for (size_t k = 0; k < NPROB; k++) {
        const struct problem *p = &problems[k];
        /* Each problem draws its noise from its own stream, so adding one
         * does not change the draws of the others. */
        gsl_rng *r = lab_rng_alloc(2385, 100 + k);
        char err[512];
        lab_form *f;
        if (lab_form_alloc(p->spec, p->nx, &f, err, sizeof err) != 0)
            bail("%s", err);
        lab_fit_opts o = lab_fit_default_opts();
        for (int grid = 0; grid < 2; grid++) {
            if (grid == 1 && lab_form_set_grid(f, p->alt, p->alt_grid, p->alt_n, err,
                                               sizeof err) != 0)
                bail("%s", err);
            lab_fitter *w = lab_fitter_alloc(f, &o);
            for (int noisy = 0; noisy < 2; noisy++) {
                size_t n = make_points(p, f, x, y, noisy ? 0.01 : 0.0, r);
                lab_fit_data d = { n, p->nx, x, y };
                lab_fit_result res;
                int rc = lab_fit_run(w, &d, &res, err, sizeof err);
                double e = param_error(f, res.theta, p->truth);
                const char *g = grid ? "another grid" : "its grid";
                if (!noisy) {
                    ok(rc == 0 && res.converged && e < 1e-6, "%s (%zu x), %s, exact data: "
                       "parameters recovered (worst rel error %.1g)", p->spec, p->nx, g, e);
                } else {
                    /* The fit must do at least as well as the truth, and miss it by
                     * no more than 4 standard errors in any parameter. */
                    double at_truth = log_loss(f, p->truth, x, y, n, p->nx);
                    double z = param_z(f, &res, p->truth);
                    if (getenv("FIT_T_VERBOSE"))
                        for (size_t i = 0; i < lab_form_nparams(f); i++)
                            diag("%s = %.6g (truth %.6g, se %.3g)", lab_form_param_name(f, i),
                                 res.theta[i], p->truth[i], res.se[i]);
                    ok(rc == 0 && res.converged && res.objective <= at_truth && z < 4,
                       "%s (%zu x), %s, 1%% noise: loss %.3g <= %.3g at the truth, parameters "
                       "within %.2g standard errors", p->spec, p->nx, g, res.objective, at_truth,
                       z);
                }
            }
            lab_fitter_free(w);
        }
        lab_form_free(f);
        gsl_rng_free(r);
    }
}

/* A curve below its asymptote's floor: hestness data with a negative
 * constant. The constant stays >= 0 and is reported at its bound. */
static void test_bounds(void)
{
    double x[20], y[20];
    for (int i = 0; i < 20; i++) {
        x[i] = 100 * pow(2, i * 0.5);
        y[i] = 5 * pow(x[i], -0.3) - 0.05;
    }
    char err[256];
    lab_form *f;
    lab_form_alloc("hestness", 1, &f, err, sizeof err);
    lab_fit_opts o = lab_fit_default_opts();
    lab_fitter *w = lab_fitter_alloc(f, &o);
    lab_fit_data d = { 20, 1, x, y };
    lab_fit_result res;
    int rc = lab_fit_run(w, &d, &res, err, sizeof err);
    ok(rc == 0 && res.theta[2] >= 0 && strcmp(res.at_bound, "gamma=0") == 0,
       "data with a negative constant: gamma = %.3g stays >= 0 and is flagged (\"%s\")",
       res.theta[2], res.at_bound);
    ok(res.theta[0] > 0 && res.theta[1] < 0, "alpha > 0 and beta < 0 hold too");

    /* Exact data with a positive constant, from a start where the solved
     * constant is 0: the fit must not stay trapped at the bound. */
    for (int i = 0; i < 20; i++)
        y[i] = 2 * pow(x[i], -0.5) + 0.01;
    double beta0 = -0.3;
    char err2[256];
    if (lab_form_set_grid(f, "beta", &beta0, 1, err2, sizeof err2) != 0)
        bail("%s", err2);
    lab_fitter_free(w);
    w = lab_fitter_alloc(f, &o);
    rc = lab_fit_run(w, &d, &res, err, sizeof err);
    ok(rc == 0 && fabs(res.theta[2] - 0.01) < 1e-8 && res.at_bound[0] == '\0',
       "a start with the constant solved at 0 does not trap it there (gamma = %.3g, \"%s\")",
       res.theta[2], res.at_bound);
    lab_fitter_free(w);
    lab_form_free(f);
}

/* Many breaks: bnsl:8 fits a three-break curve (its extra breaks are free
 * to do nothing) from its default grid, which stays small. */
static void test_many_breaks(void)
{
    const struct problem *p = NULL;
    for (size_t k = 0; k < NPROB; k++)
        if (strcmp(problems[k].spec, "bnsl:3") == 0)
            p = &problems[k];
    static double x[MAXN], y[MAXN];
    char err[256];
    lab_form *f3, *f8;
    lab_form_alloc("bnsl:3", 1, &f3, err, sizeof err);
    size_t n = make_points(p, f3, x, y, 0, NULL);
    lab_form_alloc("bnsl:8", 1, &f8, err, sizeof err);
    lab_fit_opts o = lab_fit_default_opts();
    lab_fitter *w = lab_fitter_alloc(f8, &o);
    lab_fit_data d = { n, 1, x, y };
    lab_fit_result res;
    int rc = lab_fit_run(w, &d, &res, err, sizeof err);
    ok(rc == 0 && res.objective < 1e-16 && res.starts <= 7 * 256,
       "bnsl:8 fits a three-break curve (loss %.2g) from %zu starts", res.objective, res.starts);
    lab_fitter_free(w);
    lab_form_free(f3);
    lab_form_free(f8);
}

/* The default bnsl:1 search reaches the global optimum (the truth, loss 0
 * on exact data) on curves whose best fits the published grids of starts
 * miss: a negative slope change (the curve bends less steeply after the
 * break) at a smooth break, at a sharp one, and at a sharp break late in
 * the data. */
static void test_search(void)
{
    static const struct problem curves[] = {
        { "bnsl:1", 1, { 0.0, 3.0, 0.9, -0.5, 3e3, 0.3 }, { 10 }, { 1e6 }, 30, 0, NULL, { 0 },
          0, 0 },
        { "bnsl:1", 1, { 0.02, 2.0, 0.6, -0.45, 2e4, 0.05 }, { 10 }, { 1e6 }, 30, 0, NULL,
          { 0 }, 0, 0 },
        { "bnsl:1", 1, { 0.0, 2.0, 0.8, -0.6, 5e4, 0.01 }, { 10 }, { 1e5 }, 30, 0, NULL,
          { 0 }, 0, 0 },
    };
    static double x[MAXN], y[MAXN];
    char err[256];
    for (size_t k = 0; k < sizeof curves / sizeof *curves; k++) {
        const struct problem *p = &curves[k];
        lab_form *f;
        lab_form_alloc(p->spec, 1, &f, err, sizeof err);
        size_t n = make_points(p, f, x, y, 0, NULL);
        lab_fit_opts o = lab_fit_default_opts();
        lab_fitter *w = lab_fitter_alloc(f, &o);
        lab_fit_data d = { n, 1, x, y };
        lab_fit_result res;
        int rc = lab_fit_run(w, &d, &res, err, sizeof err);
        double c1 = res.theta[3], d1 = res.theta[4];
        ok(rc == 0 && res.objective < 1e-12 && fabs(c1 - p->truth[3]) < 1e-3
               && fabs(d1 / p->truth[4] - 1) < 1e-3,
           "bnsl:1 search reaches the global optimum with c1 = %g, d1 = %g, f1 = %g: loss %.2g, "
           "c1 = %.6g, d1 = %.6g (%zu starts, %zu refined)", p->truth[3], p->truth[4],
           p->truth[5], res.objective, c1, d1, res.starts, res.refined);
        lab_fitter_free(w);
        lab_form_free(f);
    }
}

/* Every loss is 0 at the truth on exact data, so each recovers it. */
static void test_losses(void)
{
    const char *losses[] = { "log", "rel", "huber:0.001", "asym:10" };
    const struct problem *p = &problems[0];
    static double x[MAXN], y[MAXN];
    char err[256];
    lab_form *f;
    lab_form_alloc(p->spec, 1, &f, err, sizeof err);
    size_t n = make_points(p, f, x, y, 0, NULL);
    for (int k = 0; k < 4; k++) {
        lab_fit_opts o = lab_fit_default_opts();
        lab_loss_parse(losses[k], &o.loss, err, sizeof err);
        lab_fitter *w = lab_fitter_alloc(f, &o);
        lab_fit_data d = { n, 1, x, y };
        lab_fit_result res;
        int rc = lab_fit_run(w, &d, &res, err, sizeof err);
        double e = param_error(f, res.theta, p->truth);
        ok(rc == 0 && e < 1e-6, "loss %s recovers exact data (worst rel error %.1g)", losses[k], e);
        lab_fitter_free(w);
    }

    /* asym puts the curve under the noisy points: a lower envelope. */
    gsl_rng *r = lab_rng_alloc(2385, 10);
    n = make_points(p, f, x, y, 0.05, r);
    gsl_rng_free(r);
    int below[2];
    for (int k = 0; k < 2; k++) {
        lab_fit_opts o = lab_fit_default_opts();
        lab_loss_parse(k ? "asym:50" : "log", &o.loss, err, sizeof err);
        lab_fitter *w = lab_fitter_alloc(f, &o);
        lab_fit_data d = { n, 1, x, y };
        lab_fit_result res;
        lab_fit_run(w, &d, &res, err, sizeof err);
        below[k] = 0;
        for (size_t i = 0; i < n; i++)
            below[k] += lab_form_eval(f, res.theta, x + i, NULL) <= y[i];
        lab_fitter_free(w);
    }
    ok(below[1] >= (int)n - 3 && below[0] < (int)n - 3,
       "asym:50 is a lower envelope: %d of %zu points on or above it (log: %d)", below[1], n,
       below[0]);

    ok(lab_loss_parse("huber:-1", &(lab_loss){ 0 }, err, sizeof err) != 0
       && strcmp(err, "--loss huber:-1: the parameter must be a number > 0") == 0
       && lab_loss_parse("l2", &(lab_loss){ 0 }, err, sizeof err) != 0,
       "bad losses are refused");
    lab_form_free(f);
}

/* Too few points, and points a log cannot take. */
static void test_bad_data(void)
{
    char err[256];
    lab_form *f;
    lab_form_alloc("bnsl:1", 1, &f, err, sizeof err);
    lab_fit_opts o = lab_fit_default_opts();
    lab_fitter *w = lab_fitter_alloc(f, &o);
    double x[6] = { 1, 2, 3, 4, 5, 6 }, y[6] = { 1, 0.9, 0.8, 0.7, 0.6, 0.5 };
    lab_fit_data d = { 6, 1, x, y };
    lab_fit_result res;
    int rc = lab_fit_run(w, &d, &res, err, sizeof err);
    ok(rc != 0 && strcmp(err, "bnsl:1 fits 6 parameters: it needs at least 7 points, and has 6") == 0,
       "too few points for the parameters");
    y[3] = -0.1;
    d.n = 6;
    lab_fitter_free(w);
    lab_form_free(f);
    lab_form_alloc("exp", 1, &f, err, sizeof err);
    w = lab_fitter_alloc(f, &o);
    rc = lab_fit_run(w, &d, &res, err, sizeof err);
    ok(rc != 0 && strcmp(err, "point 4: y = -0.1; a loss on log y needs y > 0") == 0,
       "a negative y under a log loss is refused");
    lab_fitter_free(w);
    lab_form_free(f);
}

int main(void)
{
    gsl_set_error_handler_off();
    plan(NPROB * 4 + 3 + 1 + 3 + 6 + 2);
    test_recovery();
    test_bounds();
    test_many_breaks();
    test_search();
    test_losses();
    test_bad_data();
    return 0;
}
