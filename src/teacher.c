/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "teacher.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "status.h"

lab_mlp *lab_teacher_alloc(const lab_teacher_spec *spec, gsl_rng *r)
{
    if (!(spec->weight_scale >= 0.0) || !(spec->bias_scale >= 0.0))
        return NULL;
    lab_mlp *t = lab_mlp_alloc(spec->n_in, spec->depth, spec->widths, spec->act);
    if (!t)
        return NULL;
    double sb = sqrt(spec->bias_scale);
    for (size_t l = 0; l <= t->depth; l++) {
        size_t fan_in = t->sizes[l], fan_out = t->sizes[l + 1];
        double sw = sqrt(spec->weight_scale / (double)fan_in);
        double *W = lab_mlp_w(t, t->theta, l), *b = lab_mlp_b(t, t->theta, l);
        for (size_t i = 0; i < fan_out * fan_in; i++)
            W[i] = gsl_ran_gaussian(r, sw);
        /* Biases are drawn even when sigma_b = 0, so that bias_scale never
         * changes which numbers the weights get (THEORY.md section 7). */
        for (size_t i = 0; i < fan_out; i++) {
            double z = gsl_ran_gaussian(r, sb > 0.0 ? sb : 1.0);
            b[i] = sb > 0.0 ? z : 0.0;
        }
    }
    return t;
}

int lab_teacher_normalize(lab_mlp *t, lab_mlp_work *w, size_t n, const double *X)
{
    if (n < 2)
        return LAB_EINVAL;
    double *f = malloc(n * sizeof *f);
    if (!f)
        return LAB_ENOMEM;
    lab_mlp_predict(t, w, n, X, f);
    double mean = gsl_stats_mean(f, 1, n);
    double sd = sqrt(gsl_stats_tss_m(f, 1, n, mean) / (double)n);
    free(f);
    if (!isfinite(mean) || !isfinite(sd) || sd <= 0.0)
        return LAB_ENUMERIC;

    /* f -> (f - mean) / sd changes only the linear output layer. */
    size_t L = t->depth;
    double *W = lab_mlp_w(t, t->theta, L), *b = lab_mlp_b(t, t->theta, L);
    for (size_t i = 0; i < t->sizes[L]; i++)
        W[i] /= sd;
    b[0] = (b[0] - mean) / sd;
    return LAB_OK;
}
