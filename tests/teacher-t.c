/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Teachers and data: normalisation, determinism, nested training sets, label
 * noise, and realizability (a student holding the teacher has zero error). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "data.h"
#include "rng.h"
#include "tap.h"
#include "teacher.h"
#include "train.h"

static const size_t D = 16, NTEST = 4096;

static lab_mlp *make_teacher(enum lab_act act, size_t depth, const size_t *widths, uint64_t seed)
{
    lab_teacher_spec spec = { .n_in = D, .depth = depth, .widths = widths, .act = act,
                              .weight_scale = 1.7, .bias_scale = 0.3 };
    gsl_rng *r = lab_rng_alloc(seed, 1);
    lab_mlp *t = lab_teacher_alloc(&spec, r);
    gsl_rng_free(r);
    if (!t)
        bail("lab_teacher_alloc failed");
    return t;
}

static lab_dataset *inputs(size_t n, enum lab_dist dist, uint64_t seed)
{
    lab_dataset *ds = lab_dataset_alloc(n, D);
    gsl_rng *r = lab_rng_alloc(seed, 2);
    if (!ds || !r)
        bail("out of memory");
    lab_data_sample(ds, dist, r);
    gsl_rng_free(r);
    return ds;
}

static void test_normalised(void)
{
    size_t widths[2] = { 16, 8 };
    lab_mlp *t = make_teacher(LAB_ACT_TANH, 2, widths, 5);
    lab_dataset *test = inputs(NTEST, LAB_DIST_GAUSSIAN, 6);
    lab_mlp_work *w = lab_mlp_work_alloc(t, 256);
    ok(lab_teacher_normalize(t, w, test->n, test->x) == 0, "normalisation succeeds");
    lab_data_label(test, t, w, 0.0, NULL);
    double mean = gsl_stats_mean(test->y, 1, test->n);
    double var = gsl_stats_tss_m(test->y, 1, test->n, mean) / (double)test->n;
    is_double_abs(0.0, mean, 1e-13, "teacher outputs have mean 0 on the test inputs");
    is_double_abs(1.0, var, 1e-13, "and variance 1");

    /* Weight scale: first-layer weights have variance sigma_w^2 / fan_in. */
    double *W = lab_mlp_w(t, t->theta, 0);
    double wvar = gsl_stats_variance_m(W, 1, 16 * D, 0.0);
    is_double_abs(1.7 / D, wvar, 4 * (1.7 / D) * sqrt(2.0 / (16 * D)),
                  "first-layer weights have variance sigma_w^2/fan_in (%.4f)", wvar);

    /* Same stream, same teacher. */
    lab_mlp *t2 = make_teacher(LAB_ACT_TANH, 2, widths, 5);
    lab_teacher_normalize(t2, w, test->n, test->x);
    ok(memcmp(t->theta, t2->theta, t->n_params * sizeof *t->theta) == 0,
       "a teacher is determined by its stream, bit for bit");

    /* A constant teacher (all weights zero) cannot be normalised. */
    memset(t2->theta, 0, t2->n_params * sizeof *t2->theta);
    ok(lab_teacher_normalize(t2, w, test->n, test->x) != 0, "a constant teacher is refused");
    lab_mlp_free(t2);
    lab_mlp_work_free(w);
    lab_dataset_free(test);
    lab_mlp_free(t);
}

static void test_data(void)
{
    lab_dataset *small = inputs(100, LAB_DIST_GAUSSIAN, 9), *big = inputs(1000, LAB_DIST_GAUSSIAN, 9);
    ok(memcmp(small->x, big->x, 100 * D * sizeof(double)) == 0,
       "the training set of size n is a prefix of the one of size 10n");
    lab_dataset_free(small);
    lab_dataset_free(big);

    lab_dataset *u = inputs(20000, LAB_DIST_UNIFORM, 10);
    double lo = INFINITY, hi = -INFINITY, m2 = 0;
    for (size_t i = 0; i < u->n * D; i++) {
        lo = fmin(lo, u->x[i]);
        hi = fmax(hi, u->x[i]);
        m2 += u->x[i] * u->x[i];
    }
    m2 /= (double)(u->n * D);
    ok(lo >= -sqrt(3.0) && hi <= sqrt(3.0) && fabs(m2 - 1.0) < 0.01,
       "uniform inputs lie in [-sqrt 3, sqrt 3] with unit variance (%.4f)", m2);
    lab_dataset_free(u);

    /* Label noise: residuals have the requested standard deviation. */
    size_t widths[1] = { 8 };
    lab_mlp *t = make_teacher(LAB_ACT_ERF, 1, widths, 11);
    lab_mlp_work *w = lab_mlp_work_alloc(t, 256);
    lab_dataset *clean = inputs(50000, LAB_DIST_GAUSSIAN, 12), *noisy = inputs(50000, LAB_DIST_GAUSSIAN, 12);
    gsl_rng *r = lab_rng_alloc(13, 4);
    lab_data_label(clean, t, w, 0.0, NULL);
    lab_data_label(noisy, t, w, 0.25, r);
    double s2 = 0;
    for (size_t i = 0; i < clean->n; i++)
        s2 += (noisy->y[i] - clean->y[i]) * (noisy->y[i] - clean->y[i]);
    s2 /= (double)clean->n;
    is_double_abs(0.0625, s2, 5 * 0.0625 * sqrt(2.0 / 50000), "label noise has the set variance");
    gsl_rng_free(r);
    lab_dataset_free(clean);
    lab_dataset_free(noisy);
    lab_mlp_work_free(w);
    lab_mlp_free(t);
}

/* A student initialised at the teacher, padded with zeros, has zero error:
 * the realizability error of a class that contains the teacher is 0. */
static void test_planted(void)
{
    size_t tw[2] = { 16, 6 }, sw[2] = { 64, 24 };
    for (int a = 0; a < LAB_NACT; a++) {
        lab_mlp *t = make_teacher((enum lab_act)a, 2, tw, 20 + (uint64_t)a);
        lab_dataset *test = inputs(NTEST, LAB_DIST_GAUSSIAN, 30);
        lab_mlp_work *w = lab_mlp_work_alloc(t, 256);
        if (lab_teacher_normalize(t, w, test->n, test->x) != 0)
            bail("normalisation failed");
        lab_data_label(test, t, w, 0.0, NULL);
        lab_mlp *s = lab_mlp_alloc(D, 2, sw, (enum lab_act)a);
        lab_mlp_work *ws = lab_mlp_work_alloc(s, 256);
        int rc = lab_mlp_embed(t, s);
        double err = lab_mlp_error(s, ws, test, 1.0);
        ok(rc == 0 && err < 1e-28, "%s: a student 4x as wide, planted at the teacher, has "
           "test error %.1g", lab_act_names[a], err);
        lab_mlp_work_free(ws);
        lab_mlp_free(s);
        lab_mlp_work_free(w);
        lab_dataset_free(test);
        lab_mlp_free(t);
    }
}

int main(void)
{
    plan(6 + 3 + LAB_NACT);
    test_normalised();
    test_data();
    test_planted();
    return 0;
}
