/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "kind_student.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "clock.h"
#include "mlp.h"
#include "problem.h"
#include "rng.h"
#include "status.h"
#include "train.h"

/* ==== [student] ============================================================= */

#define OFF(field) offsetof(lab_student_params, field)

static const lab_key student_keys[] = {
    { "student", "width", LAB_KEY_LONG, OFF(width), "32",
      "hidden width (an axis)", 1, 1e6, LAB_KEY_AXIS, LAB_SHAPES(LAB_STREAM_INIT), NULL, 0,
      "width", "w" },
    { "student", "depth", LAB_KEY_LONG, OFF(depth), "1",
      "number of hidden layers (an axis)", 1, 1000, LAB_KEY_AXIS,
      LAB_SHAPES(LAB_STREAM_INIT), NULL, 0, "depth", "L" },
    { "student", "activation", LAB_KEY_ENUM, OFF(act), "tanh",
      "hidden activation: linear, tanh, relu or erf", 0, 0, 0, 0, lab_act_names, LAB_NACT,
      NULL, NULL },
    { "student", "init", LAB_KEY_ENUM, OFF(init), "lecun",
      "initialisation: lecun N(0,1/fan_in), he N(0,2/fan_in), xavier, or torch (nn.Linear's)",
      0, 0, 0, LAB_SHAPES(LAB_STREAM_INIT), lab_init_names, LAB_NINIT, NULL, NULL },
};

const lab_section lab_student_section = {
    "student", student_keys, sizeof student_keys / sizeof student_keys[0],
    sizeof(lab_student_params)
};

const lab_student_params *lab_student_of(const lab_config *c)
{
    const lab_student_params *sp = lab_config_section(c, &lab_student_section);
    assert(sp);
    return sp;
}

/* ==== [refine] ============================================================== */

#undef OFF
#define OFF(field) offsetof(lab_refine_keys, field)

static const lab_key refine_keys[] = {
    { "refine", "method", LAB_KEY_ENUM, OFF(method), "none",
      "after training, minimise the training MSE to convergence on the full batch: none, lm "
      "(GSL's Levenberg-Marquardt on the residuals) or bfgs (GSL's vector_bfgs2); the errors "
      "are then the refined ones", 0, 0, 0, 0, lab_refine_names, LAB_NREFINE, NULL, NULL },
    { "refine", "iters", LAB_KEY_LONG, OFF(iters), "1000",
      "iteration budget of the refinement", 1, INFINITY, 0, 0, NULL, 0, NULL, NULL },
    { "refine", "xtol", LAB_KEY_DOUBLE, OFF(xtol), "1e-12",
      "stop when a step moves every parameter by at most xtol (|theta_i| + xtol); 0 = never",
      0, 1, LAB_KEY_MAX_OPEN, 0, NULL, 0, NULL, NULL },
    { "refine", "gtol", LAB_KEY_DOUBLE, OFF(gtol), "0",
      "stop when GSL's gradient test passes at gtol; 0 = only at a zero gradient",
      0, 1e6, 0, 0, NULL, 0, NULL, NULL },
};

const lab_section lab_refine_section = {
    "refine", refine_keys, sizeof refine_keys / sizeof refine_keys[0], sizeof(lab_refine_keys)
};

lab_refine_params lab_refine_params_of(const lab_config *c)
{
    lab_refine_params p = lab_refine_default_params();
    const lab_refine_keys *k = lab_config_section(c, &lab_refine_section);
    p.method = k ? (enum lab_refine_method)k->method : LAB_REFINE_NONE;
    if (k) {
        p.max_iter = k->iters;
        p.xtol = k->xtol;
        p.gtol = k->gtol;
    }
    return p;
}

/* The student's hidden widths (NULL when out of memory). */
static size_t *student_widths(const lab_student_params *sp)
{
    size_t *w = malloc((size_t)sp->depth * sizeof *w);
    for (long l = 0; w && l < sp->depth; l++)
        w[l] = (size_t)sp->width;
    return w;
}

size_t lab_student_params_count(const lab_config *c)
{
    const lab_student_params *sp = lab_student_of(c);
    size_t *w = student_widths(sp);
    size_t p = w ? lab_mlp_count_params((size_t)c->input_dim, (size_t)sp->depth, w) : 0;
    free(w);
    return p;
}

/* ==== Columns ================================================================= */

enum { C_PARAMS, C_TRAIN, C_TEST, C_STEPS, C_STATUS, C_STOP, C_WALL, NCOLS };

static const lab_column columns[NCOLS] = {
    [C_PARAMS] = { "params", LAB_COL_INT, NULL, 0, LAB_STAT_SAME,
                   "the student's parameter count P_S" },
    [C_TRAIN] = { "train_error", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                  "training MSE / teacher output variance" },
    [C_TEST] = { "test_error", LAB_COL_REAL, NULL, 0, LAB_STAT_FULL,
                 "test MSE / teacher output variance" },
    [C_STEPS] = { "steps", LAB_COL_INT, NULL, 0, LAB_STAT_MEAN, "optimizer steps taken" },
    [C_STATUS] = { "status", LAB_COL_NAME, lab_status_names, LAB_NROW, LAB_STAT_NONE,
                   "ok, or diverged (an error not finite or past 1e6 times its start: errors nan)" },
    [C_STOP] = { "stop", LAB_COL_NAME, lab_stop_names, LAB_NSTOP, LAB_STAT_NONE,
                 "why training ended: steps, target, plateau or diverged" },
    [C_WALL] = { "wall_s", LAB_COL_TIME, NULL, 0, LAB_STAT_NONE, "seconds for the whole cell" },
};

/* ==== The cell ================================================================ */

/* Rows per chunk when the student is evaluated. */
#define EVAL_ROWS 512

static size_t rows(const lab_config *c)
{
    (void)c;
    return 1;
}

/* About the multiply-adds of training and evaluation. */
static double cost(const lab_config *c)
{
    double n = (double)c->n;
    double batch = c->batch == 0 || (double)c->batch > n ? n : (double)c->batch;
    double params = (double)lab_student_params_count(c);
    double cost = params * (3.0 * batch * (double)c->steps + n + (double)c->test_size);
    /* Refinement, guessed at 50 iterations: lm forms J^T J (n P^2) in each. */
    lab_refine_params rp = lab_refine_params_of(c);
    if (rp.method == LAB_REFINE_LM)
        cost += 50.0 * n * params * params;
    else if (rp.method == LAB_REFINE_BFGS)
        cost += 3.0 * (double)rp.max_iter * n * params;
    return cost;
}

static lab_train_params train_params(const lab_config *c)
{
    lab_train_params p = {
        .opt = {
            .type = (enum lab_optimizer)c->optimizer, .lr = c->lr,
            .schedule = (enum lab_schedule)c->schedule, .horizon = c->steps,
            .momentum = c->momentum, .beta1 = c->beta1, .beta2 = c->beta2,
            .eps = c->eps, .weight_decay = c->weight_decay
        },
        .batch = (size_t)c->batch, .steps = c->steps, .target_loss = c->target_loss,
        .check_every = c->check_every, .patience = c->patience,
        .plateau_tol = c->plateau_tol
    };
    return p;
}

/* The problem, the student, its trainer and the workspace it is evaluated
 * with: everything run() holds while it trains. */
static double memory(const lab_config *c)
{
    const lab_student_params *sp = lab_student_of(c);
    size_t *w = student_widths(sp);
    if (!w)
        return INFINITY;
    size_t D = (size_t)c->input_dim, L = (size_t)sp->depth;
    lab_train_params tp = train_params(c);
    double bytes = lab_problem_bytes(c, (double)c->n) + lab_mlp_bytes(D, L, w)
                   + lab_trainer_bytes(D, L, w, &tp, (size_t)c->n)
                   + lab_mlp_work_bytes(L, w, EVAL_ROWS);
    lab_refine_params rp = lab_refine_params_of(c);
    if (rp.method != LAB_REFINE_NONE)
        bytes += lab_refine_bytes(&rp, (size_t)c->n, lab_mlp_count_params(D, L, w), L, w);
    free(w);
    return bytes;
}

static int run(const lab_config *c, lab_rows *out, volatile sig_atomic_t *stop,
               char *err, size_t errlen)
{
    double t0 = lab_clock_s();
    const lab_student_params *sp = lab_student_of(c);
    lab_problem prob = { 0 };
    lab_mlp *student = NULL;
    lab_trainer *tr = NULL;
    lab_refine *ref = NULL;
    lab_mlp_work *w = NULL;
    gsl_rng *r_init = NULL, *r_batch = NULL;
    size_t *widths = student_widths(sp);
    lab_train_params tp = train_params(c);
    lab_refine_params rp = lab_refine_params_of(c);
    assert(out->nrows == 1 && out->ncols == NCOLS);

    int rc = widths ? lab_problem_make(c, &prob, err, errlen) : LAB_ENOMEM;
    if (rc != LAB_OK)
        goto done;
    rc = LAB_ENOMEM;
    if (!(student = lab_mlp_alloc((size_t)c->input_dim, (size_t)sp->depth, widths,
                                  (enum lab_act)sp->act))
        || !(r_init = lab_config_rng(c, LAB_STREAM_INIT))
        || !(r_batch = lab_config_rng(c, LAB_STREAM_BATCH))
        || !(tr = lab_trainer_alloc(student, &tp, prob.train->n))
        || !(w = lab_mlp_work_alloc(student, EVAL_ROWS))) {
        lab_fail(err, errlen, rc, "out of memory");
        goto done;
    }
    if (rp.method != LAB_REFINE_NONE
        && !(ref = lab_refine_alloc(student, prob.train->n, &rp, err, errlen)))
        goto done;
    lab_mlp_init(student, (enum lab_init)sp->init, r_init);

    lab_train_result res;
    rc = lab_trainer_run(tr, student, prob.train, r_batch, prob.var, stop, &res);
    if (rc == LAB_EINTERRUPTED)
        goto done;
    if (rc == LAB_OK && ref) {
        /* From where the first-order run ended, to convergence (refine.h). */
        lab_refine_result rres;
        rc = lab_refine_run(ref, student, prob.train, prob.var, stop, &rres);
        if (rc == LAB_EINTERRUPTED)
            goto done;
        res.train_error = rc == LAB_OK ? rres.train_error : NAN;
        if (rc != LAB_OK)
            res.stop = LAB_STOP_DIVERGED;
    }
    double *v = out->v;
    v[C_PARAMS] = (double)student->n_params;
    v[C_TRAIN] = res.train_error;
    v[C_TEST] = NAN;
    v[C_STEPS] = (double)res.steps;
    v[C_STATUS] = LAB_ROW_DIVERGED;
    v[C_STOP] = (double)res.stop;
    if (rc == LAB_OK) {
        v[C_TEST] = lab_mlp_error(student, w, prob.test, prob.var);
        if (!lab_train_runaway(v[C_TEST], res.initial_error)) {
            v[C_STATUS] = LAB_ROW_OK;
        } else {
            v[C_TRAIN] = v[C_TEST] = NAN;
            v[C_STOP] = LAB_STOP_DIVERGED;
        }
    }
    rc = LAB_OK; /* a diverged run is a result */
    v[C_WALL] = lab_clock_s() - t0;
done:
    lab_mlp_work_free(w);
    lab_refine_free(ref);
    lab_trainer_free(tr);
    gsl_rng_free(r_init);
    gsl_rng_free(r_batch);
    lab_mlp_free(student);
    lab_problem_release(&prob);
    free(widths);
    return rc;
}

/* ==== The kind ================================================================= */

static const lab_section *const sections[] = { &lab_student_section, &lab_refine_section };

const lab_kind lab_kind_student = {
    .name = "student",
    .doc = "train one MLP student per cell on the teacher's data",
    .sections = sections,
    .nsections = 2,
    .columns = columns,
    .ncolumns = NCOLS,
    .error = "test_error",
    .joint = "rosenfeld",
    .curves = "n:width, n/params:width, width:n",
    .size_axes = "width, depth",
    .teacher = 1,
    .rows = rows,
    .cost = cost,
    .memory = memory,
    .run = run,
};
