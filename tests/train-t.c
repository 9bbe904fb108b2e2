/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Training: a closed form (least squares), the lab's main claim on a small
 * scale (a wide student learns the teacher), stopping rules, divergence. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_multifit.h>

#include "config.h"
#include "kind_student.h"
#include "problem.h"
#include "data.h"
#include "rng.h"
#include "status.h"
#include "tap.h"
#include "teacher.h"
#include "train.h"

/* A config from INI text on top of the defaults. */
static void load(lab_config *c, const char *text)
{
    char err[512];
    if (lab_config_init(c) || lab_config_load_string(c, text, "test", err, sizeof err)
        || lab_config_finish(c, err, sizeof err))
        bail("config: %s", err);
}

/* The student kind's row of the (single) cell of c: its columns. */
enum { P_PARAMS, P_TRAIN, P_TEST, P_STEPS, P_STATUS, P_STOP, P_WALL, NCOL };

static int run_cell(const lab_config *c, double *v, volatile sig_atomic_t *stop, char *err,
                    size_t errlen)
{
    lab_config cell;
    if (lab_config_ncells(c) != 1 || lab_config_copy(&cell, c) || lab_config_cell(c, 0, &cell))
        bail("not a single cell");
    lab_rows rows = { 1, NCOL, v };
    if (lab_kind_student.ncolumns != NCOL)
        bail("the student kind has %zu columns", lab_kind_student.ncolumns);
    int rc = lab_kind_student.run(&cell, &rows, stop, err, errlen);
    lab_config_release(&cell);
    return rc;
}

/* Full-batch gradient descent on a linear model converges to the ordinary
 * least-squares solution, which GSL computes in closed form. */
static void test_least_squares(void)
{
    const size_t D = 6, n = 200;
    lab_mlp *m = lab_mlp_alloc(D, 0, NULL, LAB_ACT_LINEAR);
    lab_dataset *ds = lab_dataset_alloc(n, D);
    gsl_rng *r = lab_rng_alloc(2385, 3);
    lab_data_sample(ds, LAB_DIST_GAUSSIAN, r);
    for (size_t i = 0; i < n; i++) {
        double y = 0.3;
        for (size_t j = 0; j < D; j++)
            y += (double)(j + 1) * 0.1 * ds->x[i * D + j];
        ds->y[i] = y + gsl_rng_uniform(r) - 0.5; /* noise: the fit is not exact */
    }
    lab_train_params p = { .opt = lab_optim_default_params(), .batch = 0, .steps = 4000 };
    p.opt.type = LAB_OPT_SGD;
    p.opt.lr = 0.2;
    p.opt.momentum = 0.5;
    lab_trainer *tr = lab_trainer_alloc(m, &p, n);
    lab_train_result res;
    int rc = lab_trainer_run(tr, m, ds, r, 1.0, NULL, &res);

    gsl_matrix *X = gsl_matrix_alloc(n, D + 1);
    gsl_vector *y = gsl_vector_alloc(n), *beta = gsl_vector_alloc(D + 1);
    gsl_matrix *cov = gsl_matrix_alloc(D + 1, D + 1);
    gsl_multifit_linear_workspace *work = gsl_multifit_linear_alloc(n, D + 1);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < D; j++)
            gsl_matrix_set(X, i, j, ds->x[i * D + j]);
        gsl_matrix_set(X, i, D, 1.0);
        gsl_vector_set(y, i, ds->y[i]);
    }
    double chisq;
    gsl_multifit_linear(X, y, beta, cov, &chisq, work);
    double worst = fabs(m->theta[D] - gsl_vector_get(beta, D)); /* the bias */
    for (size_t j = 0; j < D; j++)
        worst = fmax(worst, fabs(m->theta[j] - gsl_vector_get(beta, j)));
    ok(rc == 0 && worst < 1e-10, "full-batch descent on a linear model reaches the "
       "least-squares solution (max diff %.1g)", worst);
    is_double_abs(chisq / (double)n, res.train_error, 1e-10, "its training error is the "
                  "residual mean square");
    gsl_multifit_linear_free(work);
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(y);
    gsl_vector_free(beta);
    lab_trainer_free(tr);
    gsl_rng_free(r);
    lab_dataset_free(ds);
    lab_mlp_free(m);
}

/* The realizable case at the lab's default sizes: a student four times as
 * wide as the teacher learns it from 16384 examples. */
static void test_wide_student(void)
{
    lab_config c;
    load(&c, "[teacher]\ninput_dim = 16\nwidths = 16\n"
             "[train]\nsteps = 3000\nlr = 0.003\nbatch = 128\n"
             "[student]\nwidth = 64\n[sweep]\nn = 16384\n");
    double row[NCOL];
    char err[512];
    int rc = run_cell(&c, row, NULL, err, sizeof err);
    ok(rc == 0 && row[P_STATUS] == LAB_ROW_OK && row[P_TEST] < 1e-2,
       "a student 4x as wide as the teacher, on 16384 points, reaches test error %.2g < 1e-2",
       row[P_TEST]);
    ok(row[P_PARAMS] == 16 * 64 + 64 + 64 + 1 && row[P_STEPS] == 3000,
       "the row records %.0f parameters and %.0f steps", row[P_PARAMS], row[P_STEPS]);

    /* Every number of a cell is fixed by its streams. */
    double again[NCOL];
    run_cell(&c, again, NULL, err, sizeof err);
    ok(again[P_TEST] == row[P_TEST] && again[P_TRAIN] == row[P_TRAIN],
       "the same cell twice gives the same errors, bit for bit");
    lab_config_release(&c);
}

static void test_stopping(void)
{
    lab_config c;
    char err[512];
    double row[NCOL];
    const char *cell = "[student]\nwidth = 32\n[sweep]\nn = 512\nseeds = 1\n";
    char text[512];

    snprintf(text, sizeof text, "%s[train]\nsteps = 5000\ntarget_loss = 0.05\n"
             "check_every = 10\n", cell);
    load(&c, text);
    run_cell(&c, row, NULL, err, sizeof err);
    ok(row[P_STOP] == LAB_STOP_TARGET && row[P_STEPS] < 5000 && row[P_TRAIN] <= 0.05,
       "a target loss stops training (after %.0f steps, train error %.3g)", row[P_STEPS],
       row[P_TRAIN]);
    lab_config_release(&c);

    snprintf(text, sizeof text, "%s[train]\nsteps = 20000\npatience = 3\nplateau_tol = 0.5\n"
             "schedule = constant\n", cell);
    load(&c, text);
    run_cell(&c, row, NULL, err, sizeof err);
    ok(row[P_STOP] == LAB_STOP_PLATEAU && row[P_STEPS] < 20000,
       "a plateau stops training (after %.0f steps)", row[P_STEPS]);
    lab_config_release(&c);

    snprintf(text, sizeof text, "%s[train]\noptimizer = sgd\nlr = 1000\nsteps = 2000\n", cell);
    load(&c, text);
    int rc = run_cell(&c, row, NULL, err, sizeof err);
    ok(rc == 0 && row[P_STATUS] == LAB_ROW_DIVERGED && row[P_STOP] == LAB_STOP_DIVERGED
       && isnan(row[P_TEST]) && row[P_STEPS] < 2000,
       "a diverging learning rate is recorded as diverged (after %.0f steps)", row[P_STEPS]);

    /* Adam moves each weight by about lr per step: with lr = 1e100 the error
     * leaps to about 1e200 and stays finite (it was recorded ok). */
    lab_config_release(&c);
    snprintf(text, sizeof text, "%s[train]\nlr = 1e100\nsteps = 50\n", cell);
    load(&c, text);
    rc = run_cell(&c, row, NULL, err, sizeof err);
    ok(rc == 0 && row[P_STATUS] == LAB_ROW_DIVERGED && row[P_STOP] == LAB_STOP_DIVERGED
       && isnan(row[P_TEST]) && isnan(row[P_TRAIN]) && row[P_STEPS] < 50,
       "an error that grows past 1e6 times its start but stays finite is recorded as diverged "
       "(after %.0f steps)", row[P_STEPS]);

    volatile sig_atomic_t stop = 1;
    rc = run_cell(&c, row, &stop, err, sizeof err);
    is_int(LAB_EINTERRUPTED, rc, "a raised stop flag interrupts the cell");
    lab_config_release(&c);
}

/* The runaway rule on synthetic errors, and a trainer whose loss grows
 * without bound but finite: full-batch SGD on a linear model, with a step
 * size far past 2 / the curvature, multiplies the error by about
 * (1 - lr)^2 = 81 per step. */
static void test_runaway(void)
{
    ok(!lab_train_runaway(0.9e6, 0.5) && lab_train_runaway(1.1e6, 0.5)
       && !lab_train_runaway(0.9e7, 10) && lab_train_runaway(1.1e7, 10)
       && lab_train_runaway(NAN, 1) && lab_train_runaway(INFINITY, 1)
       && !lab_train_runaway(2, NAN) && lab_train_runaway(2e6, NAN),
       "an error diverges past 1e6 times the larger of its start and 1, or when not finite");

    const size_t D = 1, n = 64;
    lab_mlp *m = lab_mlp_alloc(D, 0, NULL, LAB_ACT_LINEAR);
    lab_dataset *ds = lab_dataset_alloc(n, D);
    gsl_rng *r = lab_rng_alloc(77, 1);
    for (size_t i = 0; i < n; i++) {
        ds->x[i] = (i % 2) ? 1.0 : -1.0; /* x^2 = 1: the curvature is 1 */
        ds->y[i] = ds->x[i];
    }
    lab_train_params p = { .opt = lab_optim_default_params(), .batch = 0, .steps = 100 };
    p.opt.type = LAB_OPT_SGD;
    p.opt.lr = 10;
    p.opt.momentum = 0;
    lab_trainer *tr = lab_trainer_alloc(m, &p, n);
    lab_train_result res;
    int rc = lab_trainer_run(tr, m, ds, r, 1.0, NULL, &res);
    ok(rc == LAB_EDIVERGED && res.stop == LAB_STOP_DIVERGED && isnan(res.train_error)
       && res.initial_error == 1.0 && res.steps > 1 && res.steps < 10,
       "a trainer stops as diverged once its error passes 1e6 times its start "
       "(after %ld steps, long before it overflows)", res.steps);
    lab_trainer_free(tr);
    gsl_rng_free(r);
    lab_dataset_free(ds);
    lab_mlp_free(m);
}

/* batch = 0 and batch >= n are the same full-batch training. */
static void test_full_batch(void)
{
    lab_config a, b;
    double ra[NCOL], rb[NCOL];
    char err[512];
    load(&a, "[student]\nwidth = 8\ndepth = 2\n[sweep]\nn = 100\nseeds = 2\n"
             "[train]\nbatch = 0\nsteps = 300\n");
    load(&b, "[student]\nwidth = 8\ndepth = 2\n[sweep]\nn = 100\nseeds = 2\n"
             "[train]\nbatch = 4096\nsteps = 300\n");
    run_cell(&a, ra, NULL, err, sizeof err);
    run_cell(&b, rb, NULL, err, sizeof err);
    ok(ra[P_TEST] == rb[P_TEST] && ra[P_TRAIN] == rb[P_TRAIN],
       "batch 0 and a batch larger than n both train on the full batch");
    lab_config_release(&a);
    lab_config_release(&b);
}

/* ==== Planted starts (issue 10) ============================================== */

/* The problem of a single-cell config and its student, started as the
 * config says. */
static void start(const lab_config *c, lab_problem *p, lab_mlp **s)
{
    char err[512];
    lab_config cell;
    if (lab_config_copy(&cell, c) || lab_config_cell(c, 0, &cell)
        || lab_problem_make(&cell, p, err, sizeof err))
        bail("problem: %s", err);
    const lab_student_params *sp = lab_student_of(&cell);
    size_t w[8];
    if (sp->depth < 1 || sp->depth > 8)
        bail("depth %ld", (long)sp->depth);
    for (long l = 0; l < sp->depth; l++)
        w[l] = (size_t)sp->width;
    gsl_rng *r = lab_config_rng(&cell, LAB_STREAM_INIT);
    *s = lab_mlp_alloc((size_t)cell.input_dim, (size_t)sp->depth, w, (enum lab_act)sp->act);
    if (!*s || !r || lab_student_start(sp, p, *s, r))
        bail("student");
    gsl_rng_free(r);
    lab_config_release(&cell);
}

/* Loss and the number of nonzero gradients of s on rows [i0, i0 + B) of ds. */
static double planted_grad(const lab_mlp *s, const lab_dataset *ds, size_t i0, size_t B,
                           size_t *nonzero)
{
    lab_mlp_work *w = lab_mlp_work_alloc(s, B);
    double *g = malloc(s->n_params * sizeof *g);
    if (!w || !g)
        bail("out of memory");
    double loss = lab_mlp_loss_grad(s, w, B, ds->x + i0 * ds->d, ds->y + i0, g);
    *nonzero = 0;
    for (size_t i = 0; i < s->n_params; i++)
        *nonzero += g[i] != 0.0;
    free(g);
    lab_mlp_work_free(w);
    return loss;
}

/* Deeper: every hidden layer's padded sums leave the teacher's bits (the
 * fixed order of dense.h), at any batch: the labels come in chunks of 512
 * rows, the steps in batches of 1, 4, 37 or 128. Teachers' widths 5, 6, 7
 * are no multiple of a vector's length. */
static void test_planted_deep(void)
{
    static const struct {
        const char *teacher;
        int width, depth;
    } deep[] = {
        { "input_dim = 16\nwidths = 16, 16", 64, 2 },
        { "input_dim = 7\nwidths = 5, 7", 32, 2 },
        { "input_dim = 9\nwidths = 6, 5, 7", 64, 3 },
        { "input_dim = 20\nwidths = 7, 6, 5", 48, 3 },
    };
    static const int batches[] = { 37, 1, 4, 128 };
    for (size_t i = 0; i < sizeof deep / sizeof deep[0]; i++) {
        int batch = batches[i % 4];
        char text[512], err[512];
        snprintf(text, sizeof text,
                 "[teacher]\n%s\n[student]\nwidth = %d\ndepth = %d\ninit = teacher\n"
                 "[train]\nbatch = %d\nsteps = 3000\n[sweep]\nn = 301\n",
                 deep[i].teacher, deep[i].width, deep[i].depth, batch);
        lab_config c;
        lab_problem p = { 0 };
        lab_mlp *s;
        load(&c, text);
        start(&c, &p, &s);
        size_t nz_all, nz_37, nz_1;
        double l_all = planted_grad(s, p.train, 0, p.train->n, &nz_all);
        double l_37 = planted_grad(s, p.train, 101, 37, &nz_37);
        double l_1 = planted_grad(s, p.train, 300, 1, &nz_1);
        ok(l_all == 0.0 && l_37 == 0.0 && l_1 == 0.0 && nz_all + nz_37 + nz_1 == 0,
           "depth %d, teacher %s planted at width %d: loss %g, %g, %g and %zu, %zu, %zu "
           "nonzero gradients of %zu on 301, 37, 1 rows",
           deep[i].depth, strchr(deep[i].teacher, '\n') + 1, deep[i].width, l_all, l_37, l_1,
           nz_all, nz_37, nz_1, s->n_params);
        lab_mlp_free(s);
        lab_problem_release(&p);

        double row[NCOL];
        int rc = run_cell(&c, row, NULL, err, sizeof err);
        ok(rc == 0 && row[P_TEST] == 0.0 && row[P_TRAIN] == 0.0 && row[P_STEPS] == 3000,
           "... after 3000 Adam steps on batches of %d its test error is %g", batch,
           row[P_TEST]);
        lab_config_release(&c);
    }
}

/* A student planted at its teacher computes the teacher's labels exactly:
 * its loss and gradient are 0, not small, so no optimizer moves it (Adam
 * included, whose steps do not shrink with the gradient). */
static void test_planted(void)
{
    /* batch x width = 37 x 5 leaves a remainder to the activation's vector
     * loop (act.c): the labels came in chunks of 512 rows. */
    static const char *cfg = "[teacher]\ninput_dim = 7\nwidths = 5\n[student]\nwidth = 5\n"
                             "init = teacher\n[train]\nbatch = 37\nsteps = 1000\n"
                             "[sweep]\nn = 301\n";
    lab_config c;
    lab_problem p = { 0 };
    lab_mlp *s;
    load(&c, cfg);
    start(&c, &p, &s);
    lab_mlp_work *w = lab_mlp_work_alloc(s, p.train->n);
    double *g = malloc(s->n_params * sizeof *g);
    size_t nonzero = 0;
    double loss = lab_mlp_loss_grad(s, w, p.train->n, p.train->x, p.train->y, g);
    for (size_t i = 0; i < s->n_params; i++)
        nonzero += g[i] != 0.0;
    ok(loss == 0.0 && nonzero == 0,
       "a student planted at its teacher has loss %g and %zu nonzero gradients of %zu",
       loss, nonzero, s->n_params);
    free(g);
    lab_mlp_work_free(w);
    lab_mlp_free(s);
    lab_problem_release(&p);

    double row[NCOL];
    char err[512];
    int rc = run_cell(&c, row, NULL, err, sizeof err);
    ok(rc == 0 && row[P_TEST] <= 1e-28 && row[P_TRAIN] <= 1e-28 && row[P_STEPS] == 1000,
       "after 1000 Adam steps on batches of 37 its test error is %g <= 1e-28", row[P_TEST]);
    lab_config_release(&c);

    /* Wider: the zero padding adds exact zeros to every sum (each is summed
     * in a fixed order, dense.h and mlp.c), so the gradient stays exactly 0
     * and Adam, whose steps lr * g / (sqrt(v) + eps) would blow up any
     * rounding residue, never moves. */
    static const char *const wider[] = {
        "[teacher]\ninput_dim = 8\nwidths = 8\n[student]\nwidth = 32\n",
        "[teacher]\ninput_dim = 16\nwidths = 16\n[student]\nwidth = 128\n",
    };
    for (size_t i = 0; i < sizeof wider / sizeof wider[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "%sinit = teacher\n[train]\nbatch = 37\nsteps = 2000\n"
                 "[sweep]\nn = 301\n", wider[i]);
        load(&c, text);
        rc = run_cell(&c, row, NULL, err, sizeof err);
        ok(rc == 0 && row[P_TEST] == 0.0 && row[P_TRAIN] == 0.0,
           "planted in a wider student (%s), after 2000 Adam steps its test error is %g",
           i ? "width 128 on 16" : "width 32 on 8",
           row[P_TEST]);
        lab_config_release(&c);
    }

    test_planted_deep();

    /* teacher+noise:d starts d away in every parameter and trains back. */
    load(&c, "[teacher]\ninput_dim = 7\nwidths = 5\n[student]\nwidth = 10\n"
             "init = teacher+noise:0.05\n[train]\nbatch = 37\nsteps = 1000\n"
             "[sweep]\nn = 301\n");
    start(&c, &p, &s);
    w = lab_mlp_work_alloc(s, 512);
    double e0 = lab_mlp_error(s, w, p.test, p.var);
    lab_mlp_work_free(w);
    lab_mlp_free(s);
    lab_problem_release(&p);
    rc = run_cell(&c, row, NULL, err, sizeof err);
    ok(rc == 0 && e0 > 1e-4 && row[P_TEST] < e0 / 100,
       "a start 0.05 away from the teacher (test error %.3g) trains back to %.3g", e0,
       row[P_TEST]);
    lab_config_release(&c);
}

/* ==== Online training (issue 10) ================================================ */

static void test_online(void)
{
    static const char *cfg = "[teacher]\ninput_dim = 8\nwidths = 8\n[student]\nwidth = %d\n"
                             "[train]\nbatch = 32\nonline = true\n[data]\ntest_size = 2048\n"
                             "[sweep]\nn = %d\n";
    char text[512], err[512];
    double small[NCOL], large[NCOL], again[NCOL], narrow[2][NCOL];
    lab_config c;
    snprintf(text, sizeof text, cfg, 32, 4096);
    load(&c, text);
    run_cell(&c, small, NULL, err, sizeof err);
    lab_config_release(&c);
    snprintf(text, sizeof text, cfg, 32, 65536);
    load(&c, text);
    int rc = run_cell(&c, large, NULL, err, sizeof err);
    run_cell(&c, again, NULL, err, sizeof err);
    lab_config_release(&c);
    ok(rc == 0 && large[P_STEPS] == 65536 / 32 && small[P_STEPS] == 4096 / 32,
       "online, n = 65536 samples in batches of 32 take %.0f steps", large[P_STEPS]);
    ok(large[P_TEST] < small[P_TEST] / 5 && large[P_TEST] < 0.05,
       "a student that contains the teacher learns online: test error %.3g at n = 4096, "
       "%.3g at n = 65536", small[P_TEST], large[P_TEST]);
    ok(fabs(large[P_TRAIN] - large[P_TEST]) < 0.5 * large[P_TEST],
       "the training error of the last fresh batches (%.3g) estimates the test error",
       large[P_TRAIN]);
    ok(memcmp(again, large, P_WALL * sizeof *again) == 0,
       "the same online cell twice gives the same row, bit for bit");
    /* A student too narrow to contain the teacher stops improving: its
     * floor is the best of its class, which more samples do not lower. */
    for (int i = 0; i < 2; i++) {
        snprintf(text, sizeof text, cfg, 1, i ? 262144 : 65536);
        load(&c, text);
        run_cell(&c, narrow[i], NULL, err, sizeof err);
        lab_config_release(&c);
    }
    ok(narrow[1][P_TEST] > 0.5 * narrow[0][P_TEST] && narrow[1][P_TEST] > 5 * large[P_TEST],
       "a width-1 student online reaches a floor: %.3g at n = 65536, %.3g at 4x as many",
       narrow[0][P_TEST], narrow[1][P_TEST]);
}

int main(void)
{
    plan(2 + 3 + 5 + 2 + 1 + 4 + 6 + 8);
    test_least_squares();
    test_wide_student();
    test_stopping();
    test_runaway();
    test_full_batch();
    test_planted();
    test_online();
    return 0;
}
