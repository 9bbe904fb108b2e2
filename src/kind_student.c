/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "kind_student.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "band.h"
#include "clock.h"
#include "mlp.h"
#include "pack.h"
#include "problem.h"
#include "rng.h"
#include "status.h"
#include "train.h"

/* ==== [student] ============================================================= */

#define OFF(field) offsetof(lab_student_params, field)

/* The schemes of lab_mlp_init(), then the planted start. */
static const char *const init_names[LAB_NINIT + 1] = {
    "lecun", "he", "xavier", "torch", "teacher"
};
_Static_assert(LAB_NINIT == 4, "init_names follows enum lab_init");

static const char *const project_names[LAB_NPROJECT] = { "none", "band", "init" };

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
      "initialisation: lecun N(0,1/fan_in), he N(0,2/fan_in), xavier, torch (nn.Linear's), "
      "teacher (planted, zero-padded: must contain it), or teacher+noise:d (init_noise = d)",
      0, 0, 0, LAB_SHAPES(LAB_STREAM_INIT), init_names, LAB_NINIT + 1, NULL, NULL },
    { "student", "init_noise", LAB_KEY_DOUBLE, OFF(init_noise), "0",
      "std of Gaussian noise added to every initial parameter, weights and biases, zero "
      "padding included (absolute, after student.init)", 0, 1e6, 0, 0, NULL, 0, NULL, NULL },
    /* Not in the init stream's hash: none, band and init draw the same W. */
    { "student", "project", LAB_KEY_ENUM, OFF(project), "none",
      "with data.bandlimit: band (the first layer sees the D_B band coordinates; weights start "
      "as the full student's, projected), init (full student, first layer's start projected)", 0, 0, 0, 0, project_names, LAB_NPROJECT,
      NULL, NULL },
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

size_t lab_student_inputs(const lab_config *c)
{
    size_t d = (size_t)c->input_dim;
    if (lab_student_of(c)->project != LAB_PROJECT_BAND || c->bandlimit < 0)
        return d;
    size_t dim = 2 * (size_t)c->bandlimit + 1;
    return dim < d ? dim : d;
}

size_t lab_student_params_count(const lab_config *c)
{
    const lab_student_params *sp = lab_student_of(c);
    size_t *w = student_widths(sp);
    size_t p = w ? lab_mlp_count_params(lab_student_inputs(c), (size_t)sp->depth, w) : 0;
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
    [C_WALL] = { "wall_s", LAB_COL_TIME, NULL, 0, LAB_STAT_NONE,
                 "seconds for the cell (trained in a group: its share of the group's time, "
                 "by cost)" },
};

/* ==== The cell ================================================================ */

/* Rows per chunk when the student is evaluated. */
#define EVAL_ROWS 512

static size_t rows(const lab_config *c)
{
    (void)c;
    return 1;
}

/* The batch size, and the steps: online, n / batch (the last batch takes
 * the remainder), else the budget. */
static size_t batch_size(const lab_config *c)
{
    return c->batch == 0 || c->batch > c->n ? (size_t)c->n : (size_t)c->batch;
}

static long steps_of(const lab_config *c)
{
    size_t B = batch_size(c);
    return c->online ? (long)(((size_t)c->n + B - 1) / B) : c->steps;
}

/* About the multiply-adds of training and evaluation (online, the labelling
 * of fresh points by the teacher as well). */
static double cost(const lab_config *c)
{
    double n = (double)c->n, batch = (double)batch_size(c);
    double params = (double)lab_student_params_count(c);
    double label = c->online ? n * (double)lab_problem_teacher_params(c) : 0.0;
    double cost = params * (3.0 * batch * (double)steps_of(c) + (c->online ? 0.0 : n)
                            + (double)c->test_size) + label;
    /* Refinement, guessed at 50 iterations: lm forms J^T J (n P^2) in each. */
    lab_refine_params rp = lab_refine_params_of(c);
    if (rp.method == LAB_REFINE_LM)
        cost += 50.0 * n * params * params;
    else if (rp.method == LAB_REFINE_BFGS)
        cost += 3.0 * (double)rp.max_iter * n * params;
    return cost;
}

lab_train_params lab_student_train_params(const lab_config *c, long steps)
{
    lab_train_params p = {
        .opt = {
            .type = (enum lab_optimizer)c->optimizer, .lr = c->lr,
            .schedule = (enum lab_schedule)c->schedule, .horizon = steps,
            .momentum = c->momentum, .beta1 = c->beta1, .beta2 = c->beta2,
            .eps = c->eps, .weight_decay = c->weight_decay
        },
        .batch = (size_t)c->batch, .steps = steps, .target_loss = c->target_loss,
        .check_every = c->check_every, .patience = c->patience,
        .plateau_tol = c->plateau_tol, .online = c->online
    };
    return p;
}

static lab_train_params train_params(const lab_config *c)
{
    return lab_student_train_params(c, steps_of(c));
}

/* What every student of a group shares: the problem, and with
 * student.project the band and the data in its coordinates. */
static double shared_bytes(const lab_config *c)
{
    const lab_student_params *sp = lab_student_of(c);
    size_t D = lab_student_inputs(c);
    /* Online, no training set: the trainer holds one batch. */
    double bytes = lab_problem_bytes(c, c->online ? 0.0 : (double)c->n);
    if (sp->project != LAB_PROJECT_NONE) /* the band, the coordinates */
        bytes += lab_band_bytes((size_t)c->input_dim)
                 + ((double)c->n + (double)c->test_size) * (double)(D + 1) * sizeof(double);
    return bytes;
}

/* What each student holds of its own besides its trainer: the network, the
 * full student it starts from (student.project), the evaluation workspace
 * and the refinement. */
static double student_bytes(const lab_config *c, const size_t *w)
{
    const lab_student_params *sp = lab_student_of(c);
    size_t D = lab_student_inputs(c), L = (size_t)sp->depth;
    double bytes = lab_mlp_bytes(D, L, w) + lab_mlp_work_bytes(L, w, EVAL_ROWS);
    if (sp->project != LAB_PROJECT_NONE)
        bytes += lab_mlp_bytes((size_t)c->input_dim, L, w);
    lab_refine_params rp = lab_refine_params_of(c);
    if (rp.method != LAB_REFINE_NONE)
        bytes += lab_refine_bytes(&rp, (size_t)c->n, lab_mlp_count_params(D, L, w), L, w);
    return bytes;
}

/* The problem, the student, its trainer and the workspace it is evaluated
 * with: everything run() holds while it trains. */
static double memory(const lab_config *c)
{
    const lab_student_params *sp = lab_student_of(c);
    size_t *w = student_widths(sp);
    if (!w)
        return INFINITY;
    lab_train_params tp = train_params(c);
    double bytes = shared_bytes(c) + student_bytes(c, w)
                   + lab_trainer_bytes(lab_student_inputs(c), (size_t)sp->depth, w, &tp,
                                       (size_t)c->n);
    free(w);
    return bytes;
}

/* The same for a group (run_group()): what the students share once, each
 * student's own, and the pack in place of their trainers. */
static double group_memory(const lab_config *const *cells, size_t n)
{
    size_t L = (size_t)lab_student_of(cells[0])->depth;
    size_t *w = malloc(n * L * sizeof *w);
    if (!w)
        return INFINITY;
    double bytes = shared_bytes(cells[0]);
    for (size_t s = 0; s < n; s++) {
        for (size_t l = 0; l < L; l++)
            w[s * L + l] = (size_t)lab_student_of(cells[s])->width;
        bytes += student_bytes(cells[s], w + s * L);
    }
    lab_train_params tp = train_params(cells[0]);
    bytes += lab_pack_bytes(n, lab_student_inputs(cells[0]), L, w, &tp, (size_t)cells[0]->n);
    free(w);
    return bytes;
}

int lab_student_start(const lab_student_params *sp, const lab_problem *prob,
                      lab_mlp *student, gsl_rng *r)
{
    if (sp->init == LAB_STUDENT_INIT_TEACHER) {
        /* The normalised teacher itself: lab_teacher_normalize() rescaled
         * its output layer in place, and its labels come from these weights. */
        int rc = lab_mlp_embed(prob->teacher, student);
        if (rc != LAB_OK)
            return rc;
    } else {
        lab_mlp_init(student, (enum lab_init)sp->init, r);
    }
    /* After the scheme's own draws, in the order of theta: the noise only
     * scales them, so init_noise shapes no stream. */
    if (sp->init_noise > 0.0)
        for (size_t i = 0; i < student->n_params; i++)
            student->theta[i] += gsl_ran_gaussian(r, sp->init_noise);
    return LAB_OK;
}

/* A dataset of the coordinates of ds's inputs in the band's basis, and
 * its labels. NULL when memory runs out. */
static lab_dataset *band_coords(lab_band *band, const lab_dataset *ds)
{
    lab_dataset *z = lab_dataset_alloc(ds->n, lab_band_dim(band));
    if (!z)
        return NULL;
    lab_band_coords(band, ds->n, ds->x, z->x);
    memcpy(z->y, ds->y, ds->n * sizeof *z->y);
    return z;
}

/* student.project: start as lab_student_start() would start the full
 * student (the same draws), then project the first layer: band, the
 * student on the band's coordinates gets V = W Q (each row's coordinates);
 * init, W becomes W Q Q^T in place. full is a student of the d inputs. */
static int start_projected(const lab_student_params *sp, const lab_problem *prob,
                           lab_band *band, lab_mlp *full, lab_mlp *student, gsl_rng *r)
{
    int rc = lab_student_start(sp, prob, full, r);
    if (rc != LAB_OK)
        return rc;
    size_t M = full->sizes[1], d = full->sizes[0];
    double *W = lab_mlp_w(full, full->theta, 0);
    if (sp->project == LAB_PROJECT_INIT) {
        lab_band_project(band, M, W);
        memcpy(student->theta, full->theta, full->n_params * sizeof *full->theta);
        return LAB_OK;
    }
    /* Every parameter but the first layer's weights, in place. */
    lab_band_coords(band, M, W, lab_mlp_w(student, student->theta, 0));
    size_t tail = full->n_params - full->w_off[0] - M * d;
    memcpy(lab_mlp_w(student, student->theta, 0) + M * lab_band_dim(band), W + M * d,
           tail * sizeof *W);
    return LAB_OK;
}

static void draw_fresh(void *ctx, lab_dataset *batch)
{
    lab_problem_draw(ctx, batch);
}

/* What the students of a group share (shared_bytes()): the problem and,
 * with student.project, the band and, for band, the data in the band's
 * coordinates (train and test: what the students see). */
struct shared {
    lab_problem prob;
    lab_band *band;
    lab_dataset *ztrain, *ztest;
    const lab_dataset *train, *test;
};

static void shared_release(struct shared *sh)
{
    lab_dataset_free(sh->ztrain);
    lab_dataset_free(sh->ztest);
    lab_band_free(sh->band);
    lab_problem_release(&sh->prob);
}

static int shared_make(const lab_config *c, struct shared *sh, char *err, size_t errlen)
{
    memset(sh, 0, sizeof *sh);
    int rc = c->online ? lab_problem_make_online(c, &sh->prob, err, errlen)
                       : lab_problem_make(c, &sh->prob, err, errlen);
    if (rc != LAB_OK)
        return rc;
    sh->train = sh->prob.train;
    sh->test = sh->prob.test;
    if (lab_student_of(c)->project == LAB_PROJECT_NONE)
        return LAB_OK;
    if (!(sh->band = lab_band_alloc((size_t)c->input_dim, c->bandlimit)))
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (lab_student_of(c)->project == LAB_PROJECT_BAND) {
        if (!(sh->ztrain = band_coords(sh->band, sh->prob.train))
            || !(sh->ztest = band_coords(sh->band, sh->prob.test)))
            return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        sh->train = sh->ztrain;
        sh->test = sh->ztest;
    }
    return LAB_OK;
}

/* One student (student_bytes()), from its start to its row. */
struct one {
    lab_mlp *student, *full; /* full: the student of all d inputs it starts from (project) */
    lab_mlp_work *w;
    lab_refine *ref;
};

static void one_release(struct one *o)
{
    lab_refine_free(o->ref);
    lab_mlp_work_free(o->w);
    lab_mlp_free(o->full);
    lab_mlp_free(o->student);
}

/* The student of cell c, allocated and started from its init stream. */
static int one_make(const lab_config *c, const struct shared *sh, struct one *o, char *err,
                    size_t errlen)
{
    const lab_student_params *sp = lab_student_of(c);
    size_t *widths = student_widths(sp);
    lab_refine_params rp = lab_refine_params_of(c);
    gsl_rng *r_init = NULL;
    int rc = LAB_ENOMEM;
    memset(o, 0, sizeof *o);
    if (!widths
        || (sp->project != LAB_PROJECT_NONE
            && !(o->full = lab_mlp_alloc((size_t)c->input_dim, (size_t)sp->depth, widths,
                                         (enum lab_act)sp->act)))
        || !(o->student = lab_mlp_alloc(lab_student_inputs(c), (size_t)sp->depth, widths,
                                        (enum lab_act)sp->act))
        || !(o->w = lab_mlp_work_alloc(o->student, EVAL_ROWS))
        || !(r_init = lab_config_rng(c, LAB_STREAM_INIT))) {
        lab_fail(err, errlen, rc, "out of memory");
        goto done;
    }
    /* Online there is no training set to refine on (check() refuses both). */
    if (rp.method != LAB_REFINE_NONE && sh->prob.train
        && !(o->ref = lab_refine_alloc(o->student, sh->prob.train->n, &rp, err, errlen)))
        goto done;
    rc = o->full ? start_projected(sp, &sh->prob, sh->band, o->full, o->student, r_init)
                 : lab_student_start(sp, &sh->prob, o->student, r_init);
    if (rc != LAB_OK)
        rc = lab_fail(err, errlen, LAB_ECONFIG, "student.init = teacher: the student cannot "
                      "contain the teacher");
done:
    gsl_rng_free(r_init);
    free(widths);
    return rc;
}

/* The row of a student whose training ended with status rc (not
 * interrupted) and result res: refined (refine.method) and evaluated, or
 * marked diverged. LAB_EINTERRUPTED when the refinement was stopped. */
static int one_finish(const struct shared *sh, struct one *o, int rc, lab_train_result res,
                      volatile sig_atomic_t *stop, double *v)
{
    if (rc == LAB_OK && o->ref) {
        /* From where the first-order run ended, to convergence (refine.h). */
        lab_refine_result rres;
        rc = lab_refine_run(o->ref, o->student, sh->train, sh->prob.var, stop, &rres);
        if (rc == LAB_EINTERRUPTED)
            return rc;
        res.train_error = rc == LAB_OK ? rres.train_error : NAN;
        if (rc != LAB_OK)
            res.stop = LAB_STOP_DIVERGED;
    }
    v[C_PARAMS] = (double)o->student->n_params;
    v[C_TRAIN] = res.train_error;
    v[C_TEST] = NAN;
    v[C_STEPS] = (double)res.steps;
    v[C_STATUS] = LAB_ROW_DIVERGED;
    v[C_STOP] = (double)res.stop;
    if (rc == LAB_OK) {
        v[C_TEST] = lab_mlp_error(o->student, o->w, sh->test, sh->prob.var);
        if (!lab_train_runaway(v[C_TEST], res.initial_error)) {
            v[C_STATUS] = LAB_ROW_OK;
        } else {
            v[C_TRAIN] = v[C_TEST] = NAN;
            v[C_STOP] = LAB_STOP_DIVERGED;
        }
    }
    return LAB_OK; /* a diverged run is a result */
}

static int run(const lab_config *c, lab_rows *out, volatile sig_atomic_t *stop,
               char *err, size_t errlen)
{
    double t0 = lab_clock_s();
    struct shared sh;
    struct one o = { 0 };
    lab_trainer *tr = NULL;
    gsl_rng *r_batch = NULL;
    lab_train_params tp = train_params(c);
    assert(out->nrows == 1 && out->ncols == NCOLS);

    int rc = shared_make(c, &sh, err, errlen);
    if (rc != LAB_OK || (rc = one_make(c, &sh, &o, err, errlen)) != LAB_OK)
        goto done;
    if (!(r_batch = lab_config_rng(c, LAB_STREAM_BATCH))
        || !(tr = lab_trainer_alloc(o.student, &tp, (size_t)c->n))) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    lab_train_result res;
    rc = c->online ? lab_trainer_run_online(tr, o.student, draw_fresh, &sh.prob, sh.prob.var,
                                            stop, &res)
                   : lab_trainer_run(tr, o.student, sh.train, r_batch, sh.prob.var, stop, &res);
    if (rc != LAB_EINTERRUPTED)
        rc = one_finish(&sh, &o, rc, res, stop, out->v);
    out->v[C_WALL] = lab_clock_s() - t0;
done:
    lab_trainer_free(tr);
    gsl_rng_free(r_batch);
    one_release(&o);
    shared_release(&sh);
    return rc;
}

/* ==== Cell groups ================================================================ */

/* The widths and initialisations of one (seed, n, training keys) train as a
 * pack (pack.h), each bit for bit as alone; online training draws its
 * batches through the trainer, so those cells run alone. */
static int groupable(const lab_config *c)
{
    return !c->online;
}

/* Whether the cells draw the same batches (the stream rule: the group axes
 * shape only the init stream). */
static int same_batches(const lab_config *const *cells, size_t n)
{
    uint64_t k0, k;
    if (lab_config_stream_key(cells[0], LAB_STREAM_BATCH, &k0) != LAB_OK)
        return 0;
    for (size_t s = 1; s < n; s++)
        if (lab_config_stream_key(cells[s], LAB_STREAM_BATCH, &k) != LAB_OK || k != k0)
            return 0;
    return 1;
}

static int run_group(const lab_config *const *cells, size_t n, lab_rows *outs,
                     volatile sig_atomic_t *stop, char *err, size_t errlen)
{
    double t0 = lab_clock_s();
    const lab_config *c = cells[0];
    struct shared sh;
    struct one *o = calloc(n, sizeof *o);
    lab_mlp **students = malloc(n * sizeof *students);
    lab_train_result *res = malloc(n * sizeof *res);
    lab_pack *pk = NULL;
    gsl_rng *r_batch = NULL;
    lab_train_params tp = train_params(c);

    int rc = shared_make(c, &sh, err, errlen);
    if (rc != LAB_OK)
        goto done;
    if (!o || !students || !res) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    if (c->online || !same_batches(cells, n)) {
        rc = lab_fail(err, errlen, LAB_EINVAL, "these cells do not share their batches");
        goto done;
    }
    for (size_t s = 0; s < n && rc == LAB_OK; s++)
        if ((rc = one_make(cells[s], &sh, &o[s], err, errlen)) == LAB_OK)
            students[s] = o[s].student;
    if (rc != LAB_OK)
        goto done;
    if (!(r_batch = lab_config_rng(c, LAB_STREAM_BATCH))
        || !(pk = lab_pack_alloc(n, students, &tp, (size_t)c->n, err, errlen))) {
        rc = r_batch ? LAB_ENOMEM : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = lab_pack_run(pk, sh.train, r_batch, sh.prob.var, stop, res)) != LAB_OK)
        goto done;
    double total = 0;
    for (size_t s = 0; s < n; s++)
        total += cost(cells[s]);
    for (size_t s = 0; s < n && rc == LAB_OK; s++) {
        assert(outs[s].nrows == 1 && outs[s].ncols == NCOLS);
        int trc = res[s].stop == LAB_STOP_DIVERGED ? LAB_EDIVERGED : LAB_OK;
        rc = one_finish(&sh, &o[s], trc, res[s], stop, outs[s].v);
    }
    /* Each cell's share of the group's time, by its cost. */
    for (size_t s = 0; s < n && rc == LAB_OK; s++)
        outs[s].v[C_WALL] = (lab_clock_s() - t0) * cost(cells[s]) / total;
done:
    lab_pack_free(pk);
    gsl_rng_free(r_batch);
    for (size_t s = 0; o && s < n; s++)
        one_release(&o[s]);
    free(o);
    free(students);
    free(res);
    shared_release(&sh);
    return rc;
}

/* ==== Checks =================================================================== */

/* Why the student of cell c cannot contain its teacher (a planted start),
 * naming the key at fault in at; 0 when it can. */
static int uncontained(const lab_config *c, char *at, size_t atlen, char *why, size_t len)
{
    const lab_student_params *sp = lab_student_of(c);
    long depth = (long)c->teacher_widths.n;
    if (sp->depth != depth) {
        lab_config_where(c, "student", "depth", at, atlen);
        snprintf(why, len, "depth %ld is not the teacher's %ld (padding a layer with an "
                 "identity is not exact through its activation)", sp->depth, depth);
        return 1;
    }
    if (sp->act != c->teacher_act) {
        lab_config_where(c, "student", "activation", at, atlen);
        snprintf(why, len, "%s is not the teacher's activation %s", lab_act_names[sp->act],
                 lab_act_names[c->teacher_act]);
        return 1;
    }
    for (long l = 0; l < depth; l++)
        if (sp->width < c->teacher_widths.v[l]) {
            lab_config_where(c, "student", "width", at, atlen);
            snprintf(why, len, "width %ld is narrower than the teacher's hidden layer %ld "
                     "(%ld units)", sp->width, l + 1, c->teacher_widths.v[l]);
            return 1;
        }
    return 0;
}

/* student.project needs the student kind, a band limit in every cell that
 * projects, a training set (not online) and a drawn start (not planted). */
static int check_project(const lab_config *c, int student_kind, char *err, size_t errlen)
{
    const lab_axis *pa = lab_config_axis(c, "student.project");
    int any = lab_student_of(c)->project != LAB_PROJECT_NONE;
    for (size_t v = 0; pa && v < pa->n; v++)
        any |= strcmp(pa->values[v], "none") != 0;
    if (!any)
        return LAB_OK;
    lab_config cell;
    if (lab_config_copy(&cell, c) != LAB_OK)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    int rc = LAB_OK;
    size_t n = lab_config_ncells(c);
    for (size_t i = 0; i < n && rc == LAB_OK; i++) {
        char at[512], other[512];
        if ((rc = lab_config_cell(c, i, &cell)) != LAB_OK) {
            rc = lab_fail(err, errlen, rc, "out of memory");
            break;
        }
        const lab_student_params *sp = lab_student_of(&cell);
        if (sp->project == LAB_PROJECT_NONE)
            continue;
        lab_config_where(c, "student", "project", at, sizeof at);
        if (!student_kind) {
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: the kind %s does not project its "
                          "students (the kind student does)", at, c->kind ? c->kind : "?");
        } else if (cell.bandlimit < 0) {
            lab_config_where(c, "data", "bandlimit", other, sizeof other);
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: projecting onto the band needs a band "
                          "limit (%s is off)", at, other);
        } else if (sp->init == LAB_STUDENT_INIT_TEACHER) {
            lab_config_where(c, "student", "init", other, sizeof other);
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: a planted student (%s = teacher) is "
                          "not projected", at, other);
        } else if (cell.online) {
            lab_config_where(c, "train", "online", other, sizeof other);
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: a projected student trains on its "
                          "training set, not online (%s)", at, other);
        }
    }
    lab_config_release(&cell);
    return rc;
}

/* A planted student must contain its teacher, in every cell that plants
 * one; a refined student needs its training set (not online). */
static int student_checks(const lab_config *c, char *err, size_t errlen)
{
    if (lab_refine_params_of(c).method != LAB_REFINE_NONE
        && (c->online || lab_config_axis(c, "train.online"))) {
        char at[512];
        lab_config_where(c, "refine", "method", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG, "%s: online training (train.online) keeps "
                        "no training set to refine on", at);
    }
    const lab_axis *ia = lab_config_axis(c, "student.init");
    int planted = lab_student_of(c)->init == LAB_STUDENT_INIT_TEACHER;
    for (size_t v = 0; ia && v < ia->n; v++)
        planted |= strcmp(ia->values[v], "teacher") == 0;
    if (!planted)
        return LAB_OK;
    lab_config cell;
    if (lab_config_copy(&cell, c) != LAB_OK)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    int rc = LAB_OK;
    size_t n = lab_config_ncells(c);
    for (size_t i = 0; i < n && rc == LAB_OK; i++) {
        char at[512], where_init[512], why[256];
        if ((rc = lab_config_cell(c, i, &cell)) != LAB_OK) {
            rc = lab_fail(err, errlen, rc, "out of memory");
            break;
        }
        if (lab_student_of(&cell)->init != LAB_STUDENT_INIT_TEACHER
            || !uncontained(&cell, at, sizeof at, why, sizeof why))
            continue;
        lab_config_where(c, "student", "init", where_init, sizeof where_init);
        rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: a student planted at its teacher (%s = "
                      "teacher) must contain it: %s", at, where_init, why);
    }
    lab_config_release(&cell);
    return rc;
}

/* The checks of kinds that train students but do not project them. */
int lab_student_check(const lab_config *c, char *err, size_t errlen)
{
    int rc = check_project(c, 0, err, errlen);
    return rc != LAB_OK ? rc : student_checks(c, err, errlen);
}

static int check(const lab_config *c, char *err, size_t errlen)
{
    int rc = check_project(c, 1, err, errlen);
    return rc != LAB_OK ? rc : student_checks(c, err, errlen);
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
    .check = check,
    .run = run,
    .group_axes = "student.width, student.init, student.init_noise, sweep.init_seeds",
    .groupable = groupable,
    .group_memory = group_memory,
    .run_group = run_group,
};
