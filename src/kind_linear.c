/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kind "linear": the simplest baselines, fitted on each cell's training
 * set. Two learners see the same data (one row each): the constant predictor
 * (the mean of the training labels) and the best affine predictor f(x) =
 * w.x + b, by least squares with an optional ridge on w (affine.h). Errors
 * are divided by the teacher's output variance, as the student's are, and
 * the cells draw the same teachers and data as a student sweep with the same
 * seeds (THEORY.md section 7), so the two tables compare cell by cell. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "affine.h"
#include "clock.h"
#include "kind.h"
#include "problem.h"
#include "status.h"

/* ==== [linear] ================================================================ */

typedef struct linear_params {
    double ridge; /* lambda */
} linear_params;

static const lab_key linear_keys[] = {
    { "linear", "ridge", LAB_KEY_DOUBLE, offsetof(linear_params, ridge), "0",
      "ridge penalty lambda on the weights (not the intercept): minimise the training MSE + "
      "lambda w.w; 0 = least squares (of least norm when n <= input_dim: many fit)", 0, 1e12, 0, 0,
      NULL, 0, NULL, NULL },
};

static const lab_section linear_section = {
    "linear", linear_keys, sizeof linear_keys / sizeof linear_keys[0], sizeof(linear_params)
};

/* ==== Columns ================================================================== */

enum { LEARN_MEAN, LEARN_LINEAR, NLEARN };
static const char *const learner_names[NLEARN] = { "mean", "linear" };

enum { C_LEARNER, C_PARAMS, C_TRAIN, C_TEST, C_STATUS, C_WALL, NCOLS };

static const lab_column columns[NCOLS] = {
    [C_LEARNER] = { "learner", LAB_COL_NAME, learner_names, NLEARN, LAB_STAT_KEY,
                    "mean (the training labels' mean) or linear (least-squares affine)" },
    [C_PARAMS] = { "params", LAB_COL_INT, NULL, 0, LAB_STAT_SAME,
                   "the learner's parameter count: 1, or input_dim + 1" },
    [C_TRAIN] = { "train_error", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                  "training MSE / teacher output variance" },
    [C_TEST] = { "test_error", LAB_COL_REAL, NULL, 0, LAB_STAT_FULL,
                 "test MSE / teacher output variance" },
    [C_STATUS] = { "status", LAB_COL_NAME, lab_status_names, LAB_NROW, LAB_STAT_NONE,
                   "ok, or diverged (the solve failed or its errors are not finite)" },
    [C_WALL] = { "wall_s", LAB_COL_TIME, NULL, 0, LAB_STAT_NONE, "seconds for the learner" },
};

/* ==== The cell =================================================================== */

static size_t rows(const lab_config *c)
{
    (void)c;
    return NLEARN;
}

/* The SVD of an (n + D) x (D + 1) matrix, and the test set's predictions. */
static double cost(const lab_config *c)
{
    double n = (double)c->n, p = (double)c->input_dim + 1;
    return (n + p) * p * p + (double)c->test_size * p;
}

/* The problem and the least-squares fit, which copies the training set
 * twice (with a column of ones, then in LAPACK's layout). */
static double memory(const lab_config *c)
{
    const linear_params *lp = lab_config_section(c, &linear_section);
    size_t D = (size_t)c->input_dim;
    return lab_problem_bytes(c, (double)c->n) + (double)(D + 1) * sizeof(double)
           + lab_affine_fit_bytes((size_t)c->n, D, lp->ridge);
}

static void set_row(double *v, int learner, size_t params, double train, double test, double t0)
{
    v[C_LEARNER] = learner;
    v[C_PARAMS] = (double)params;
    v[C_TRAIN] = train;
    v[C_TEST] = test;
    v[C_STATUS] = isfinite(train) && isfinite(test) ? LAB_ROW_OK : LAB_ROW_DIVERGED;
    v[C_WALL] = lab_clock_s() - t0;
}

static int run(const lab_config *c, lab_rows *out, volatile sig_atomic_t *stop,
               char *err, size_t errlen)
{
    const linear_params *lp = lab_config_section(c, &linear_section);
    assert(lp && out->nrows == NLEARN && out->ncols == NCOLS);
    (void)stop; /* the solve cannot be interrupted: a stop is honoured between cells */
    double t0 = lab_clock_s();
    lab_problem prob = { 0 };
    int rc = lab_problem_make(c, &prob, err, errlen);
    if (rc != LAB_OK)
        return rc;
    size_t d = prob.train->d;

    /* The constant: the training labels' mean. */
    double mean = 0, *theta = calloc(d + 1, sizeof *theta);
    if (!theta) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < prob.train->n; i++)
        mean += prob.train->y[i];
    theta[d] = mean / (double)prob.train->n; /* w = 0 */
    set_row(out->v + LEARN_MEAN * NCOLS, LEARN_MEAN, 1,
            lab_affine_error(prob.train, theta, prob.var),
            lab_affine_error(prob.test, theta, prob.var), t0);

    /* The affine least-squares fit. */
    t0 = lab_clock_s();
    double *v = out->v + LEARN_LINEAR * NCOLS;
    if (lab_affine_fit(prob.train, lp->ridge, theta) == LAB_OK)
        set_row(v, LEARN_LINEAR, d + 1, lab_affine_error(prob.train, theta, prob.var),
                lab_affine_error(prob.test, theta, prob.var), t0);
    else
        set_row(v, LEARN_LINEAR, d + 1, NAN, NAN, t0);
done:
    free(theta);
    lab_problem_release(&prob);
    return rc;
}

/* ==== The kind ===================================================================== */

static const lab_section *const sections[] = { &linear_section };

const lab_kind lab_kind_linear = {
    .name = "linear",
    .doc = "fit the constant and the least-squares affine predictor to each cell's data",
    .sections = sections,
    .nsections = 1,
    .columns = columns,
    .ncolumns = NCOLS,
    .error = "test_error",
    .joint = "none",
    .curves = "n:learner",
    .size_axes = "",
    .teacher = 1,
    .rows = rows,
    .cost = cost,
    .memory = memory,
    .run = run,
};
