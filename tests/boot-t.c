/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bootstrap intervals: they cover the true parameters at about their nominal
 * rate over repeated synthetic draws, resampling clusters widens them when
 * points within a cluster share their errors, and they are reproducible. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "bootstrap.h"
#include "fit.h"
#include "forms.h"
#include "rng.h"
#include "tap.h"

static const double truth[3] = { 2.385, -0.43, 0.0123 };

/* n points of the hestness curve with log-normal noise of sd sigma; with
 * clusters, each of k clusters shares one extra offset of sd shared. */
static void draw(const lab_form *f, gsl_rng *r, size_t n, double sigma, size_t k,
                 double shared, double *x, double *y, long *cluster)
{
    double offset[16] = { 0 };
    for (size_t c = 0; c < k; c++)
        offset[c] = gsl_ran_gaussian(r, shared);
    for (size_t i = 0; i < n; i++) {
        size_t c = k ? i % k : 0;
        x[i] = exp(log(10) + (log(1e5) - log(10)) * (double)(k ? i / k : i) / (double)((k ? n / k : n) - 1));
        y[i] = lab_form_eval(f, truth, x + i, NULL) * exp(gsl_ran_gaussian(r, sigma) + offset[c]);
        if (cluster)
            cluster[i] = (long)c;
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    plan(6);
    char err[256];
    lab_form *f;
    lab_form_alloc("hestness", 1, &f, err, sizeof err);
    lab_fit_opts o = lab_fit_default_opts();
    lab_fitter *w = lab_fitter_alloc(f, &o);
    gsl_rng *r = lab_rng_alloc(2385, 21);

    /* Coverage of 95% intervals over 100 data sets of 20 points. */
    const int draws = 100;
    int covered[3] = { 0 };
    double x[64], y[64];
    long cl[64];
    for (int k = 0; k < draws; k++) {
        draw(f, r, 20, 0.05, 0, 0, x, y, NULL);
        lab_fit_data d = { 20, 1, x, y };
        lab_fit_result res;
        lab_boot *b;
        lab_boot_opts bo = { .B = 200, .seed = 7, .key = (uint64_t)k };
        if (lab_fit_run(w, &d, &res, err, sizeof err) || lab_boot_run(w, &d, &res, &bo, &b, err,
                                                                        sizeof err))
            bail("%s", err);
        for (size_t i = 0; i < 3; i++) {
            double lo, hi;
            lab_boot_interval(b, i, 0.95, &lo, &hi);
            covered[i] += lo <= truth[i] && truth[i] <= hi;
        }
        lab_boot_free(b);
    }
    /* 100 draws: the binomial sd of the rate is about 0.022. */
    ok(covered[1] >= 87 && covered[1] <= 99,
       "95%% intervals of beta cover the truth in %d of %d data sets", covered[1], draws);
    ok(covered[0] >= 87 && covered[0] <= 99 && covered[2] >= 87 && covered[2] <= 99,
       "and of alpha and gamma in %d and %d", covered[0], covered[2]);

    /* Clustered errors (8 clusters sharing offsets of sd 0.15, 0.02 within):
     * resampling clusters gives wider intervals than resampling points, which
     * takes the 64 correlated points for independent ones. */
    draw(f, r, 64, 0.02, 8, 0.15, x, y, cl);
    lab_fit_data d = { 64, 1, x, y };
    lab_fit_result res;
    lab_fit_run(w, &d, &res, err, sizeof err);
    lab_boot *bp, *bc, *again;
    lab_boot_opts bo = { .B = 300, .seed = 3, .key = 1 };
    lab_boot_run(w, &d, &res, &bo, &bp, err, sizeof err);
    bo.cluster = cl;
    lab_boot_run(w, &d, &res, &bo, &bc, err, sizeof err);
    lab_boot_run(w, &d, &res, &bo, &again, err, sizeof err);
    /* The overall level of the curve is what shared offsets move: compare
     * the bands at x = 1000. */
    double xm[1] = { 1000 }, lp, hp, lc, hc, la, ha;
    lab_boot_band(bp, f, xm, 0.95, &lp, &hp);
    lab_boot_band(bc, f, xm, 0.95, &lc, &hc);
    lab_boot_band(again, f, xm, 0.95, &la, &ha);
    ok(hc - lc > 1.5 * (hp - lp), "with errors shared within clusters, cluster resampling "
       "widens the band at x = 1000 (%.3g vs %.3g)", hc - lc, hp - lp);
    ok(la == lc && ha == hc && memcmp(bc->theta, again->theta, bc->done * 3 * sizeof(double)) == 0,
       "the same seed gives the same resamples, bit for bit");

    /* The band contains the fitted curve. */
    double mid = lab_form_eval(f, res.theta, xm, NULL);
    ok(lc < mid && mid < hc, "the 95%% band at x = 1000 (%.4g, %.4g) holds the fit %.4g", lc, hc,
       mid);

    /* Clusters of unequal sizes (one point against nineteen): a resample
     * can hold many more points than the data, and every refit must run. */
    draw(f, r, 20, 0.05, 0, 0, x, y, NULL);
    for (size_t i = 0; i < 20; i++)
        cl[i] = i == 0 ? 0 : 1;
    lab_fit_data du = { 20, 1, x, y };
    lab_boot *bu = NULL;
    lab_boot_opts uo = { .B = 40, .seed = 7, .key = 3, .cluster = cl };
    int urc = lab_fit_run(w, &du, &res, err, sizeof err) == 0
              && lab_boot_run(w, &du, &res, &uo, &bu, err, sizeof err) == 0;
    ok(urc && bu->done + bu->failed == 40 && bu->done > 20,
       "clusters of unequal sizes resample without overrunning (%zu of 40 refits done)",
       bu ? bu->done : 0);
    lab_boot_free(bu);

    lab_boot_free(bp);
    lab_boot_free(bc);
    lab_boot_free(again);
    lab_boot_free(NULL);
    gsl_rng_free(r);
    lab_fitter_free(w);
    lab_form_free(f);
    return 0;
}
