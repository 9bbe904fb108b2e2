/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "data.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

const char *const lab_dist_names[LAB_NDIST] = { "gaussian", "uniform" };
const char *const lab_input_spectrum_names[LAB_NINPUTS_SPECTRUM] = { "white", "powerlaw" };
const char *const lab_onoff_names[2] = { "off", "on" };

lab_dataset *lab_dataset_alloc(size_t n, size_t d)
{
    lab_dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return NULL;
    ds->n = n;
    ds->d = d;
    ds->x = malloc((n * d > 0 ? n * d : 1) * sizeof *ds->x);
    ds->y = malloc((n > 0 ? n : 1) * sizeof *ds->y);
    if (!ds->x || !ds->y) {
        lab_dataset_free(ds);
        return NULL;
    }
    return ds;
}

void lab_dataset_free(lab_dataset *ds)
{
    if (!ds)
        return;
    free(ds->x);
    free(ds->y);
    free(ds);
}

void lab_data_sample(lab_dataset *ds, enum lab_dist dist, gsl_rng *r)
{
    size_t total = ds->n * ds->d;
    if (dist == LAB_DIST_UNIFORM) {
        double a = sqrt(3.0);
        for (size_t i = 0; i < total; i++)
            ds->x[i] = gsl_ran_flat(r, -a, a);
    } else {
        for (size_t i = 0; i < total; i++)
            ds->x[i] = gsl_ran_gaussian(r, 1.0);
    }
}

void lab_data_label(lab_dataset *ds, const lab_mlp *teacher, lab_mlp_work *w,
                    double noise, gsl_rng *noise_rng)
{
    lab_mlp_predict(teacher, w, ds->n, ds->x, ds->y);
    if (noise > 0.0)
        for (size_t i = 0; i < ds->n; i++)
            ds->y[i] += gsl_ran_gaussian(noise_rng, noise);
}
