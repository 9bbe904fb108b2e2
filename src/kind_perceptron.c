/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kind "perceptron": learners of a sign teacher y = sign(T.x) in N
 * dimensions from P = alpha N Gaussian examples, the classic setting of the
 * statistical mechanics of learning (THEORY.md section 11). One row per
 * learner: Hebb's rule, Gibbs learning (a uniform sample of the version
 * space), the Bayes-optimal centre of mass of Gibbs samples, the maximal
 * stability perceptron (hard-margin SVM) and Rosenblatt's perceptron. For
 * isotropic Gaussian inputs the test error is exact, arccos(R) / pi with R
 * the student-teacher overlap, so no test set is drawn.
 *
 * The data axis is alpha: the cells of one seed share the teacher and the
 * first examples (the examples are rows of one stream, so a smaller alpha
 * sees a prefix of a larger one's). */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "clock.h"
#include "gibbs.h"
#include "kind.h"
#include "names.h"
#include "perceptron.h"
#include "rng.h"
#include "status.h"
#include "svm.h"

/* ==== [perceptron] ============================================================= */

enum { L_HEBB, L_GIBBS, L_BAYES, L_MAXMARGIN, L_PERCEPTRON, NLEARN };
static const char *const learner_names[NLEARN] = {
    "hebb", "gibbs", "bayes", "maxmargin", "perceptron"
};

typedef struct perc_params {
    long dim;        /* N */
    double alpha;    /* P / N */
    char *learners;  /* names, comma-separated */
    long burnin;     /* Gibbs sweeps before the first sample */
    long thin;       /* Gibbs sweeps between samples */
    long samples;    /* Gibbs samples K */
    long epochs;     /* Rosenblatt's budget */
} perc_params;

#define OFF(field) offsetof(perc_params, field)
#define S_ALL_DATA (LAB_SHAPES(LAB_STREAM_TEACHER) | LAB_SHAPES(LAB_STREAM_TRAIN) \
                    | LAB_SHAPES(LAB_STREAM_INIT) | LAB_SHAPES(LAB_STREAM_BATCH))

static const lab_key perc_keys[] = {
    { "perceptron", "dim", LAB_KEY_LONG, OFF(dim), "400",
      "input dimension N of teacher and students (may be swept: [sweep] perceptron.dim)",
      1, 100000, 0, S_ALL_DATA, NULL, 0, "dim", "N" },
    { "perceptron", "alpha", LAB_KEY_DOUBLE, OFF(alpha), "1",
      "examples per dimension alpha = P / N (an axis, the data axis: P = round(alpha N); "
      "smaller sets are prefixes of larger ones)", 0, 1e6, LAB_KEY_AXIS,
      LAB_SHAPES(LAB_STREAM_BATCH), NULL, 0, "alpha", NULL },
    { "perceptron", "learners", LAB_KEY_STRING, OFF(learners),
      "hebb, gibbs, bayes, maxmargin, perceptron",
      "the learners, one row each, in this order whatever order they are listed in", 0, 0, 0, 0,
      learner_names, NLEARN, NULL, NULL },
    { "perceptron", "burnin", LAB_KEY_LONG, OFF(burnin), "300",
      "Gibbs sampler: sweeps (N coordinate updates each) before the first sample", 0, 1e9, 0,
      0, NULL, 0, NULL, NULL },
    { "perceptron", "thin", LAB_KEY_LONG, OFF(thin), "10",
      "Gibbs sampler: sweeps between two samples", 1, 1e9, 0, 0, NULL, 0, NULL, NULL },
    { "perceptron", "samples", LAB_KEY_LONG, OFF(samples), "100",
      "Gibbs sampler: samples K (gibbs averages its errors over them; bayes is their centre "
      "of mass)", 1, 1e7, 0, 0, NULL, 0, NULL, NULL },
    { "perceptron", "epochs", LAB_KEY_LONG, OFF(epochs), "1000",
      "Rosenblatt's perceptron: the most epochs (it stops after one without a mistake)",
      1, 1e9, 0, 0, NULL, 0, NULL, NULL },
};

static const lab_section perc_section = {
    "perceptron", perc_keys, sizeof perc_keys / sizeof perc_keys[0], sizeof(perc_params)
};

static const perc_params *params_of(const lab_config *c)
{
    const perc_params *pp = lab_config_section(c, &perc_section);
    assert(pp);
    return pp;
}

/* The learners of c, in the table's order: which[i] says whether learner i
 * runs; returns how many do. */
static size_t learners_of(const perc_params *pp, int which[NLEARN])
{
    size_t n = 0;
    for (int i = 0; i < NLEARN; i++)
        which[i] = 0;
    for (const char *s = pp->learners; *s;) {
        s += strspn(s, ", \t");
        size_t len = strcspn(s, ", \t");
        for (int i = 0; i < NLEARN && len; i++)
            if (strlen(learner_names[i]) == len && strncmp(s, learner_names[i], len) == 0
                && !which[i]) {
                which[i] = 1;
                n++;
            }
        s += len;
    }
    return n;
}

static size_t examples_of(const perc_params *pp)
{
    return (size_t)floor(pp->alpha * (double)pp->dim + 0.5);
}

/* ==== Columns ==================================================================== */

enum { C_LEARNER, C_P, C_OVERLAP, C_TEST, C_TRAIN, C_MARGIN, C_STEPS, C_SUPPORT, C_STATUS,
       C_WALL, NCOLS };

static const lab_column columns[NCOLS] = {
    [C_LEARNER] = { "learner", LAB_COL_NAME, learner_names, NLEARN, LAB_STAT_KEY,
                    "hebb, gibbs, bayes, maxmargin or perceptron (THEORY.md section 11)" },
    [C_P] = { "examples", LAB_COL_INT, NULL, 0, LAB_STAT_SAME,
              "training examples P = round(alpha N)" },
    [C_OVERLAP] = { "overlap", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                    "R = J.T / (|J| |T|) (gibbs: the mean over its samples)" },
    [C_TEST] = { "test_error", LAB_COL_REAL, NULL, 0, LAB_STAT_FULL,
                 "arccos(R) / pi, exact for Gaussian inputs (gibbs: the mean over its samples)" },
    [C_TRAIN] = { "train_error", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                  "fraction of training examples misclassified (gibbs: the most over samples)" },
    [C_MARGIN] = { "margin", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                   "min_mu y_mu J.x_mu / |J| (gibbs: the mean over samples; inf when P = 0)" },
    [C_STEPS] = { "steps", LAB_COL_INT, NULL, 0, LAB_STAT_MEAN,
                  "perceptron: epochs; gibbs and bayes: sweeps; maxmargin: active-set rounds "
                  "after liblinear; hebb: 0" },
    [C_SUPPORT] = { "support", LAB_COL_INT, NULL, 0, LAB_STAT_MEAN,
                    "maxmargin: support vectors; others 0" },
    [C_STATUS] = { "status", LAB_COL_NAME, lab_status_names, LAB_NROW, LAB_STAT_NONE,
                   "ok, or diverged (no student: J = 0, no separating start for gibbs, or a "
                   "failed solve); its numbers are then nan" },
    [C_WALL] = { "wall_s", LAB_COL_TIME, NULL, 0, LAB_STAT_NONE,
                 "seconds for the learner (gibbs and bayes share one chain and give its time)" },
};

/* ==== The cell ===================================================================== */

static size_t rows(const lab_config *c)
{
    int which[NLEARN];
    return learners_of(params_of(c), which);
}

/* Multiply-adds: a Gibbs sweep, a perceptron epoch and a margin evaluation
 * each cost about P N; the max-margin solve a few hundred of them (a
 * guess). */
static double cost(const lab_config *c)
{
    const perc_params *pp = params_of(c);
    int which[NLEARN];
    learners_of(pp, which);
    double pn = (double)examples_of(pp) * (double)pp->dim + (double)pp->dim, units = 10;
    if (which[L_GIBBS] || which[L_BAYES])
        units += 2.0 * (double)(pp->burnin + pp->thin * pp->samples) + (double)pp->samples;
    if (which[L_GIBBS] || which[L_BAYES] || which[L_MAXMARGIN])
        units += 200;
    if (which[L_PERCEPTRON])
        units += fmin((double)pp->epochs, 200);
    return pn * units;
}

/* The teacher, the inputs, A, the students and scratch, the sampler and the
 * max-margin solve. */
static double memory(const lab_config *c)
{
    const perc_params *pp = params_of(c);
    size_t p = examples_of(pp), n = (size_t)pp->dim;
    double P = (double)p, N = (double)n;
    return 2 * P * N * 8 + 6 * N * 8 + 2 * P * 8 + P * sizeof(size_t)
           + lab_gibbs_bytes(p, n) + lab_svm_bytes(p, n);
}

static void set_row(double *v, int learner, size_t p, lab_perc_eval e, double steps,
                    double support, double t0)
{
    v[C_LEARNER] = learner;
    v[C_P] = (double)p;
    v[C_OVERLAP] = e.overlap;
    v[C_TEST] = e.test_error;
    v[C_TRAIN] = e.train_error;
    v[C_MARGIN] = e.margin;
    v[C_STEPS] = steps;
    v[C_SUPPORT] = support;
    v[C_STATUS] = isfinite(e.overlap) && isfinite(e.test_error) ? LAB_ROW_OK : LAB_ROW_DIVERGED;
    v[C_WALL] = lab_clock_s() - t0;
}

static const lab_perc_eval no_student = { NAN, NAN, NAN, NAN };

/* The Gibbs chain from the start j0 (n), its samples' mean measures into
 * *gibbs and their centre of mass into *bayes. LAB_EINTERRUPTED when
 * stopped; a start outside the version space gives no student. */
static int chain(const perc_params *pp, size_t p, size_t n,
                 const double *a, const double *t, const double *j0, double *m,
                 double *centre, gsl_rng *r, lab_perc_eval *gibbs, lab_perc_eval *bayes,
                 long *sweeps, volatile sig_atomic_t *stop)
{
    *gibbs = *bayes = no_student;
    *sweeps = 0;
    lab_gibbs *g = lab_gibbs_alloc(p, n, a);
    int rc = LAB_ENOMEM;
    if (!g)
        goto done;
    rc = LAB_OK;
    if (lab_gibbs_start(g, j0) != LAB_OK)
        goto done;
    memset(centre, 0, n * sizeof *centre);
    lab_perc_eval sum = { 0, 0, 0, 0 };
    double worst_train = 0;
    long total = pp->burnin + pp->thin * pp->samples;
    for (long s = 1; s <= total; s++) {
        if (stop && *stop) {
            rc = LAB_EINTERRUPTED;
            goto done;
        }
        lab_gibbs_sweep(g, r);
        if (s <= pp->burnin || (s - pp->burnin) % pp->thin != 0)
            continue;
        const double *j = lab_gibbs_state(g);
        lab_perc_eval e = lab_perc_evaluate(p, n, a, t, j, m);
        sum.overlap += e.overlap;
        sum.test_error += e.test_error;
        sum.margin += e.margin;
        worst_train = fmax(worst_train, e.train_error);
        double norm = cblas_dnrm2((int)n, j, 1);
        cblas_daxpy((int)n, 1 / norm, j, 1, centre, 1);
    }
    double k = (double)pp->samples;
    *gibbs = (lab_perc_eval){ sum.overlap / k, sum.test_error / k, worst_train, sum.margin / k };
    *bayes = lab_perc_evaluate(p, n, a, t, centre, m);
    *sweeps = total;
done:
    lab_gibbs_free(g);
    return rc;
}

static int run(const lab_config *c, lab_rows *out, volatile sig_atomic_t *stop,
               char *err, size_t errlen)
{
    const perc_params *pp = params_of(c);
    int which[NLEARN];
    size_t nrows = learners_of(pp, which), p = examples_of(pp), n = (size_t)pp->dim;
    assert(out->nrows == nrows && out->ncols == NCOLS);
    double *t = malloc(n * sizeof *t), *x = malloc((p ? p : 1) * n * sizeof *x);
    double *y = malloc((p ? p : 1) * sizeof *y), *a = malloc((p ? p : 1) * n * sizeof *a);
    double *j = malloc(n * sizeof *j), *jmm = malloc(n * sizeof *jmm);
    double *centre = malloc(n * sizeof *centre), *m = malloc((p ? p : 1) * sizeof *m);
    size_t *order = malloc((p ? p : 1) * sizeof *order);
    gsl_rng *rt = lab_config_rng(c, LAB_STREAM_TEACHER), *rx = lab_config_rng(c, LAB_STREAM_TRAIN);
    gsl_rng *rb = NULL, *ri = NULL;
    int rc = LAB_ENOMEM;
    if (!t || !x || !y || !a || !j || !jmm || !centre || !m || !order || !rt || !rx) {
        lab_fail(err, errlen, rc, "out of memory");
        goto done;
    }
    /* The teacher, then the examples row by row (a prefix for smaller P). */
    lab_rng_fill_normal(rt, t, n, 1.0);
    lab_rng_fill_normal(rx, x, p * n, 1.0);
    for (size_t mu = 0; mu < p; mu++) {
        y[mu] = cblas_ddot((int)n, x + mu * n, 1, t, 1) >= 0 ? 1 : -1;
        for (size_t i = 0; i < n; i++)
            a[mu * n + i] = y[mu] * x[mu * n + i];
    }
    double *row = out->v;
    rc = LAB_OK;
    double start = lab_clock_s();

    if (which[L_HEBB]) {
        lab_perc_hebb(p, n, a, j);
        set_row(row, L_HEBB, p, lab_perc_evaluate(p, n, a, t, j, m), 0, 0, start);
        row += NCOLS;
    }

    /* The maximal-stability student, which also starts the Gibbs chain. */
    int mm_ok = 0;
    lab_svm_result sres = { 0 };
    double mm_wall = 0;
    if (which[L_GIBBS] || which[L_BAYES] || which[L_MAXMARGIN]) {
        start = lab_clock_s();
        char why[256];
        mm_ok = p > 0 && lab_svm_maxmargin(p, n, x, y, jmm, NULL, &sres, why, sizeof why)
                             == LAB_OK;
        mm_wall = lab_clock_s() - start;
    }

    if (which[L_GIBBS] || which[L_BAYES]) {
        start = lab_clock_s();
        /* A start inside the version space, at the typical norm sqrt(N) of
         * the Gaussian the chain samples: the max-margin student, or, with
         * no examples, a Gaussian draw. */
        if (!(ri = lab_config_rng(c, LAB_STREAM_INIT))) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            goto done;
        }
        if (p == 0) {
            lab_rng_fill_normal(ri, j, n, 1.0);
        } else if (mm_ok) {
            double s = sqrt((double)n) / cblas_dnrm2((int)n, jmm, 1);
            for (size_t i = 0; i < n; i++)
                j[i] = s * jmm[i];
        } else {
            memset(j, 0, n * sizeof *j); /* no start: lab_gibbs_start refuses it */
        }
        lab_perc_eval eg, eb;
        long sweeps;
        rc = chain(pp, p, n, a, t, j, m, centre, ri, &eg, &eb, &sweeps, stop);
        if (rc == LAB_ENOMEM)
            lab_fail(err, errlen, rc, "out of memory");
        if (rc != LAB_OK)
            goto done;
        if (which[L_GIBBS]) {
            set_row(row, L_GIBBS, p, eg, (double)sweeps, 0, start);
            row += NCOLS;
        }
        if (which[L_BAYES]) {
            set_row(row, L_BAYES, p, eb, (double)sweeps, 0, start);
            row[C_WALL] = row[C_WALL - NCOLS * which[L_GIBBS]];
            row += NCOLS;
        }
    }

    if (which[L_MAXMARGIN]) {
        set_row(row, L_MAXMARGIN, p, mm_ok ? lab_perc_evaluate(p, n, a, t, jmm, m) : no_student,
                (double)sres.rounds, (double)sres.support, 0);
        row[C_WALL] = mm_wall;
        row += NCOLS;
    }

    if (which[L_PERCEPTRON]) {
        start = lab_clock_s();
        if (!(rb = lab_config_rng(c, LAB_STREAM_BATCH))) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            goto done;
        }
        int converged;
        long epochs = lab_perc_rosenblatt(p, n, a, pp->epochs, rb, j, order, &converged);
        set_row(row, L_PERCEPTRON, p, lab_perc_evaluate(p, n, a, t, j, m), (double)epochs, 0,
                start);
        row += NCOLS;
    }
    assert(row == out->v + nrows * NCOLS);
done:
    gsl_rng_free(rt);
    gsl_rng_free(rx);
    gsl_rng_free(rb);
    gsl_rng_free(ri);
    free(t);
    free(x);
    free(y);
    free(a);
    free(j);
    free(jmm);
    free(centre);
    free(m);
    free(order);
    return rc;
}

/* ==== The kind ===================================================================== */

static const lab_section *const sections[] = { &perc_section };

const lab_kind lab_kind_perceptron = {
    .name = "perceptron",
    .doc = "learn a sign teacher with Hebb, Gibbs, Bayes, max-margin and Rosenblatt perceptrons",
    .sections = sections,
    .nsections = 1,
    .columns = columns,
    .ncolumns = NCOLS,
    .error = "test_error",
    .joint = "none",
    .curves = "alpha:learner",
    .size_axes = "",
    .teacher = 0,
    .data_axis = "alpha",
    .rows = rows,
    .cost = cost,
    .memory = memory,
    .run = run,
};
