/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "problem.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_statistics_double.h>

#include "band.h"
#include "rng.h"
#include "status.h"
#include "teacher.h"

/* Rows per chunk when the teacher labels data. */
#define LABEL_ROWS 512

/* The teacher's hidden widths as sizes (NULL when out of memory). */
static size_t *teacher_widths(const lab_config *c)
{
    size_t *w = malloc((c->teacher_widths.n ? c->teacher_widths.n : 1) * sizeof *w);
    for (size_t l = 0; w && l < c->teacher_widths.n; l++)
        w[l] = (size_t)c->teacher_widths.v[l];
    return w;
}

size_t lab_problem_teacher_params(const lab_config *c)
{
    size_t *w = teacher_widths(c);
    size_t p = w ? lab_mlp_count_params((size_t)c->input_dim, c->teacher_widths.n, w) : 0;
    free(w);
    return p;
}

long lab_problem_teacher_width(const lab_config *c)
{
    long m = 0;
    for (size_t l = 0; l < c->teacher_widths.n; l++)
        m = c->teacher_widths.v[l] > m ? c->teacher_widths.v[l] : m;
    return m;
}

double lab_dataset_bytes(double n, double D)
{
    return sizeof(lab_dataset) + n * (D + 1.0) * sizeof(double);
}

double lab_problem_bytes(const lab_config *c, double n)
{
    size_t *widths = teacher_widths(c);
    if (!widths)
        return INFINITY;
    size_t depth = c->teacher_widths.n;
    double D = (double)c->input_dim, test = (double)c->test_size;
    double bytes = lab_dataset_bytes(test, D) + lab_dataset_bytes(n, D)
                   + lab_mlp_bytes((size_t)c->input_dim, depth, widths)
                   + lab_mlp_work_bytes(depth, widths, LABEL_ROWS)
                   + test * sizeof(double) /* the outputs lab_teacher_normalize() centres */
                   + 2 * lab_band_bytes((size_t)c->input_dim);
    free(widths);
    return bytes;
}

void lab_problem_release(lab_problem *p)
{
    lab_mlp_free(p->teacher);
    lab_dataset_free(p->test);
    lab_dataset_free(p->train);
    gsl_rng_free(p->r_train);
    gsl_rng_free(p->r_noise);
    lab_mlp_work_free(p->label_w);
    lab_band_free(p->band);
    p->band = NULL;
    p->teacher = NULL;
    p->test = p->train = NULL;
    p->r_train = p->r_noise = NULL;
    p->label_w = NULL;
}

void lab_problem_draw(lab_problem *p, lab_dataset *batch)
{
    lab_data_sample(batch, (enum lab_dist)p->dist, p->r_train);
    if (p->band)
        lab_band_filter(p->band, batch->n, batch->x);
    lab_data_label(batch, p->teacher, p->label_w, p->noise, p->r_noise);
}

/* The filters of c's training inputs (band limit) and test inputs (band
 * limit unless data.bandlimit_test = off), each NULL when it would leave
 * the inputs as drawn. 0 when out of memory. */
static int make_bands(const lab_config *c, lab_band **train, lab_band **test)
{
    size_t D = (size_t)c->input_dim;
    double a = c->spectrum == LAB_INPUTS_POWERLAW ? c->spectrum_exponent : 0.0;
    int shaped = c->spectrum != LAB_INPUTS_WHITE;
    long test_B = c->bandlimit_test ? c->bandlimit : -1;
    *train = *test = NULL;
    if (shaped || c->bandlimit >= 0)
        *train = lab_band_alloc_powerlaw(D, c->bandlimit, a);
    if (shaped || test_B >= 0)
        *test = lab_band_alloc_powerlaw(D, test_B, a);
    return (*train || !(shaped || c->bandlimit >= 0)) && (*test || !(shaped || test_B >= 0));
}

/* The problem, with its training set (offline) or the streams it would be
 * drawn from (online). */
static int make(const lab_config *c, lab_problem *p, int online, char *err, size_t errlen)
{
    size_t D = (size_t)c->input_dim;
    size_t *widths = teacher_widths(c);
    gsl_rng *r_teacher = lab_config_rng(c, LAB_STREAM_TEACHER);
    gsl_rng *r_test = lab_config_rng(c, LAB_STREAM_TEST);
    gsl_rng *r_train = lab_config_rng(c, LAB_STREAM_TRAIN);
    gsl_rng *r_noise = lab_config_rng(c, LAB_STREAM_NOISE);
    lab_mlp_work *w = NULL;
    lab_band *train_band = NULL, *test_band = NULL;
    int rc = LAB_ENOMEM;

    *p = (lab_problem){ 0 };
    if (!make_bands(c, &train_band, &test_band))
        goto done;
    p->test = lab_dataset_alloc((size_t)c->test_size, D);
    p->train = online ? NULL : lab_dataset_alloc((size_t)c->n, D);
    if (!widths || !r_teacher || !r_test || !r_train || !r_noise || !p->test
        || (!online && !p->train))
        goto done;
    lab_teacher_spec spec = {
        .n_in = D, .depth = c->teacher_widths.n, .widths = widths,
        .act = (enum lab_act)c->teacher_act, .weight_scale = c->weight_scale,
        .bias_scale = c->bias_scale
    };
    if (!(p->teacher = lab_teacher_alloc(&spec, r_teacher))
        || !(w = lab_mlp_work_alloc(p->teacher, LABEL_ROWS)))
        goto done;

    lab_data_sample(p->test, (enum lab_dist)c->distribution, r_test);
    if (test_band)
        lab_band_filter(test_band, p->test->n, p->test->x);
    if ((rc = lab_teacher_normalize(p->teacher, w, p->test->n, p->test->x)) != LAB_OK) {
        lab_fail(err, errlen, rc, "seed %ld: the teacher's outputs are constant or not "
                 "finite on the test set", c->replicate);
        goto done;
    }
    lab_data_label(p->test, p->teacher, w, 0.0, NULL);
    double mean = gsl_stats_mean(p->test->y, 1, p->test->n);
    p->var = gsl_stats_tss_m(p->test->y, 1, p->test->n, mean) / (double)p->test->n;

    p->dist = c->distribution;
    p->noise = c->label_noise;
    if (online) {
        /* The problem keeps them (released with it). */
        p->r_train = r_train;
        p->r_noise = r_noise;
        p->label_w = w;
        p->band = train_band;
        r_train = r_noise = NULL;
        w = NULL;
        train_band = NULL;
    } else {
        lab_data_sample(p->train, (enum lab_dist)c->distribution, r_train);
        if (train_band)
            lab_band_filter(train_band, p->train->n, p->train->x);
        lab_data_label(p->train, p->teacher, w, c->label_noise, r_noise);
    }
    rc = LAB_OK;
done:
    if (rc == LAB_ENOMEM)
        lab_fail(err, errlen, rc, "out of memory");
    if (rc != LAB_OK)
        lab_problem_release(p);
    lab_mlp_work_free(w);
    lab_band_free(train_band);
    lab_band_free(test_band);
    gsl_rng_free(r_teacher);
    gsl_rng_free(r_test);
    gsl_rng_free(r_train);
    gsl_rng_free(r_noise);
    free(widths);
    return rc;
}

int lab_problem_make(const lab_config *c, lab_problem *p, char *err, size_t errlen)
{
    return make(c, p, 0, err, errlen);
}

int lab_problem_make_online(const lab_config *c, lab_problem *p, char *err, size_t errlen)
{
    return make(c, p, 1, err, errlen);
}
