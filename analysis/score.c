/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

void lab_score_points(const lab_form *f, const double *theta, const lab_fit_data *d,
                      lab_score *s)
{
    double *div = malloc((d->n ? d->n : 1) * sizeof *div);
    double sse = 0;
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < d->n; i++) {
        double p = lab_form_eval(f, theta, d->x + i * d->nx, NULL);
        if (!isfinite(p) || !(p > 0)) {
            s->nonfinite++;
            continue;
        }
        double e = log(p) - log(d->y[i]);
        sse += e * e;
        if (div)
            div[s->n] = (p - d->y[i]) / d->y[i];
        s->n++;
    }
    /* A point the curve cannot predict has an infinite log error: leaving it
     * out would let a form that blows up win a tournament. */
    s->rmsle = s->nonfinite ? INFINITY : s->n ? sqrt(sse / (double)s->n) : NAN;
    s->mean_div = s->n && div ? gsl_stats_mean(div, 1, s->n) : NAN;
    s->std_div = s->n > 1 && div ? gsl_stats_sd_m(div, 1, s->n, s->mean_div) : NAN;
    free(div);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void lab_split_fraction(const double *x0, size_t n, double frac, char *holdout)
{
    memset(holdout, 0, n);
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v || n == 0) {
        free(v);
        return;
    }
    memcpy(v, x0, n * sizeof *v);
    qsort(v, n, sizeof *v, by_value);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || v[i] != v[distinct - 1])
            v[distinct++] = v[i];
    size_t out = (size_t)llround(frac * (double)distinct);
    if (out < 1)
        out = 1;
    if (out >= distinct)
        out = distinct - 1;
    if (out > 0)
        lab_split_from(x0, n, v[distinct - out], holdout);
    free(v);
}

void lab_split_from(const double *x0, size_t n, double from, char *holdout)
{
    for (size_t i = 0; i < n; i++)
        holdout[i] = x0[i] >= from;
}
