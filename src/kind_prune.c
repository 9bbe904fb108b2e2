/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kind "prune": iterative magnitude pruning (IMP) of an MLP student on
 * the cell's problem, with its controls (THEORY.md section 11). One row per
 * round k = 0 .. prune.rounds.
 *
 * Round 0 trains the dense student exactly as the kind student does (the
 * same streams, the same trainer: its errors are that kind's, bit for bit);
 * its test error is the cell's eps_np. Round k >= 1 removes
 * round(fraction x kept) of the weights still kept (prune.h; never biases),
 * then retrains for train.steps steps with a fresh optimizer and the cell's
 * batch stream from its start, the mask held after every step (the pruned
 * weights and their moments stay exactly 0: optim.h):
 *   imp       by magnitude of the last round's trained weights; the
 *             survivors go back to the rewind point (prune.rewind: the
 *             weights after that many steps of round 0's run; 0 = the
 *             initialisation)
 *   random    the same counts chosen at random (draws from the init stream
 *             after the initialisation); survivors rewound as imp's
 *   reinit    imp's masks (an imp chain runs alongside), but the network
 *             trained and reported starts from a fresh initialisation drawn
 *             from the init stream, masked: the lottery-ticket control
 *   finetune  masks by magnitude, survivors keep their trained values (no
 *             rewind): pruning then fine-tuning
 * Once the chain that sets the masks diverges, later rounds report diverged.
 *
 * Every draw comes from the cell's streams (problem.h; init and batch as the
 * student kind's), so the [prune] keys shape none: cells that differ only in
 * them share the teacher, the data and the initialisation. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "kind_student.h"
#include "mlp.h"
#include "problem.h"
#include "prune.h"
#include "rng.h"
#include "status.h"
#include "train.h"

/* ==== [prune] =============================================================== */

enum prune_control { CTRL_IMP, CTRL_RANDOM, CTRL_REINIT, CTRL_FINETUNE, NCTRL };
static const char *const control_names[NCTRL] = { "imp", "random", "reinit", "finetune" };

typedef struct prune_params {
    long rounds;     /* K */
    double fraction; /* removed from the kept weights each round */
    long rewind;     /* the step whose weights survivors return to */
    int control;     /* enum prune_control */
} prune_params;

#define OFF(field) offsetof(prune_params, field)

static const lab_key prune_keys[] = {
    { "prune", "rounds", LAB_KEY_LONG, OFF(rounds), "5",
      "pruning rounds K after the dense run: rows for rounds 0 .. K, round k at density about "
      "(1 - fraction)^k", 0, 200, 0, 0, NULL, 0, NULL, NULL },
    { "prune", "fraction", LAB_KEY_DOUBLE, OFF(fraction), "0.2",
      "fraction of the kept weights each round removes: round(fraction x kept), one global "
      "threshold over every layer, never biases", 0, 1,
      LAB_KEY_MIN_OPEN | LAB_KEY_MAX_OPEN, 0, NULL, 0, NULL, NULL },
    { "prune", "rewind", LAB_KEY_LONG, OFF(rewind), "0",
      "the step of round 0's training whose weights the survivors return to before each "
      "retraining (0 = the initialisation; at most train.steps; not used by finetune)", 0,
      INFINITY, 0, 0, NULL, 0, NULL, NULL },
    { "prune", "control", LAB_KEY_ENUM, OFF(control), "imp",
      "imp (by magnitude, survivors rewound), random (the same counts at random, rewound), "
      "reinit (imp's masks on a fresh initialisation: the lottery-ticket control) or finetune "
      "(by magnitude, no rewind)", 0, 0, 0, 0, control_names, NCTRL, NULL, NULL },
};

static const lab_section prune_section = {
    "prune", prune_keys, sizeof prune_keys / sizeof prune_keys[0], sizeof(prune_params)
};

static const prune_params *prune_of(const lab_config *c)
{
    const prune_params *pp = lab_config_section(c, &prune_section);
    assert(pp);
    return pp;
}

/* ==== Columns ================================================================= */

enum { C_ROUND, C_DENSITY, C_KEPT, C_PARAMS, C_EPS_NP, C_TRAIN, C_TEST, C_STEPS, C_STATUS,
       C_WALL, NCOLS };

static const lab_column columns[NCOLS] = {
    /* The density is the key (it falls strictly from round to round:
     * check()), so that figures draw a line per width, not a point per round. */
    [C_ROUND] = { "round", LAB_COL_INT, NULL, 0, LAB_STAT_SAME,
                  "pruning round k (0: the dense student)" },
    [C_DENSITY] = { "density", LAB_COL_REAL, NULL, 0, LAB_STAT_KEY,
                    "kept / prunable weights after round k, exactly (the biases are not "
                    "counted)" },
    [C_KEPT] = { "kept", LAB_COL_INT, NULL, 0, LAB_STAT_SAME,
                 "weights kept after round k's pruning" },
    [C_PARAMS] = { "params", LAB_COL_INT, NULL, 0, LAB_STAT_SAME,
                   "the dense student's parameter count P_S" },
    [C_EPS_NP] = { "eps_np", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                   "the cell's unpruned test error (round 0's; nan if it diverged)" },
    [C_TRAIN] = { "train_error", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                  "training MSE / teacher output variance after round k's training" },
    [C_TEST] = { "test_error", LAB_COL_REAL, NULL, 0, LAB_STAT_FULL,
                 "test MSE / teacher output variance after round k's training" },
    [C_STEPS] = { "steps", LAB_COL_INT, NULL, 0, LAB_STAT_MEAN,
                  "optimizer steps of round k's training" },
    [C_STATUS] = { "status", LAB_COL_NAME, lab_status_names, LAB_NROW, LAB_STAT_NONE,
                   "ok, or diverged (this round's run, or that of an earlier round whose "
                   "weights set the mask; errors nan)" },
    [C_WALL] = { "wall_s", LAB_COL_TIME, NULL, 0, LAB_STAT_NONE,
                 "seconds for round k (reinit: both trainings)" },
};

/* ==== Sizes ==================================================================== */

/* Rows per chunk when the student is evaluated. */
#define EVAL_ROWS 512

static size_t rows(const lab_config *c)
{
    return (size_t)prune_of(c)->rounds + 1;
}

static size_t *widths_of(const lab_student_params *sp)
{
    size_t *w = malloc((size_t)sp->depth * sizeof *w);
    for (long l = 0; w && l < sp->depth; l++)
        w[l] = (size_t)sp->width;
    return w;
}

static size_t batch_size(const lab_config *c)
{
    return c->batch == 0 || c->batch > c->n ? (size_t)c->n : (size_t)c->batch;
}

/* Trainings per cell: the dense run, a run per round, a second per round
 * for reinit; plus the steps to the rewind point. */
static double cost(const lab_config *c)
{
    const prune_params *pp = prune_of(c);
    double runs = 1.0 + (double)pp->rounds * (pp->control == CTRL_REINIT ? 2.0 : 1.0);
    double steps = runs * (double)c->steps + (pp->control == CTRL_FINETUNE ? 0.0
                                                                          : (double)pp->rewind);
    double params = (double)lab_student_params_count(c);
    return params * (3.0 * (double)batch_size(c) * steps
                     + runs * ((double)c->n + (double)c->test_size));
}

/* The problem, two students (reinit's second), one trainer at a time, the
 * evaluation workspace, the initial and rewind weights and the mask. */
static double memory(const lab_config *c)
{
    const lab_student_params *sp = lab_student_of(c);
    size_t *w = widths_of(sp);
    if (!w)
        return INFINITY;
    size_t D = (size_t)c->input_dim, L = (size_t)sp->depth;
    lab_train_params tp = lab_student_train_params(c, c->steps);
    double P = (double)lab_mlp_count_params(D, L, w);
    double bytes = lab_problem_bytes(c, (double)c->n) + 2.0 * lab_mlp_bytes(D, L, w)
                   + lab_trainer_bytes(D, L, w, &tp, (size_t)c->n)
                   + lab_mlp_work_bytes(L, w, EVAL_ROWS) + 2.0 * P * sizeof(double)
                   + lab_prune_mask_bytes((size_t)P);
    free(w);
    return bytes;
}

/* ==== The cell ================================================================= */

/* What one training of a round gives. */
struct outcome {
    lab_train_result res;
    double test;    /* test error (nan when diverged) */
    int ok;         /* not diverged */
};

/* Train net (its pruned weights already zero) for the cell's steps with a
 * fresh trainer and the batch stream from its start, the mask held when pm
 * is not NULL; then its test error. LAB_OK (diverged included: o->ok),
 * LAB_EINTERRUPTED or LAB_ENOMEM. */
static int train_round(const lab_config *c, const lab_problem *prob, lab_mlp *net,
                       const lab_prune_mask *pm, lab_mlp_work *w, volatile sig_atomic_t *stop,
                       struct outcome *o)
{
    lab_train_params tp = lab_student_train_params(c, c->steps);
    lab_trainer *tr = lab_trainer_alloc(net, &tp, (size_t)c->n);
    gsl_rng *r = lab_config_rng(c, LAB_STREAM_BATCH);
    if (!tr || !r) {
        lab_trainer_free(tr);
        gsl_rng_free(r);
        return LAB_ENOMEM;
    }
    if (pm)
        lab_trainer_set_mask(tr, pm->keep, pm->n);
    int rc = lab_trainer_run(tr, net, prob->train, r, prob->var, stop, &o->res);
    lab_trainer_free(tr);
    gsl_rng_free(r);
    if (rc == LAB_EINTERRUPTED)
        return rc;
    o->ok = 0;
    o->test = NAN;
    if (rc == LAB_OK) {
        o->test = lab_mlp_error(net, w, prob->test, prob->var);
        o->ok = !lab_train_runaway(o->test, o->res.initial_error);
    }
    if (!o->ok)
        o->res.train_error = o->test = NAN;
    return LAB_OK;
}

/* The weights after `steps` steps of round 0's run from theta0 (the same
 * trainer and batch stream, so its first steps exactly), into net->theta. */
static int rewind_point(const lab_config *c, const lab_problem *prob, lab_mlp *net, long steps)
{
    if (steps == 0)
        return LAB_OK;
    lab_train_params tp = lab_student_train_params(c, c->steps);
    lab_trainer *tr = lab_trainer_alloc(net, &tp, (size_t)c->n);
    gsl_rng *r = lab_config_rng(c, LAB_STREAM_BATCH);
    if (!tr || !r) {
        lab_trainer_free(tr);
        gsl_rng_free(r);
        return LAB_ENOMEM;
    }
    for (long t = 0; t < steps; t++)
        lab_trainer_step(tr, net, prob->train, r);
    lab_trainer_free(tr);
    gsl_rng_free(r);
    return LAB_OK;
}

static void fill_row(double *v, long k, const lab_prune_mask *pm, size_t params, double eps_np,
                     const struct outcome *o, double wall)
{
    v[C_ROUND] = (double)k;
    v[C_DENSITY] = lab_prune_density(pm);
    v[C_KEPT] = (double)pm->kept;
    v[C_PARAMS] = (double)params;
    v[C_EPS_NP] = eps_np;
    v[C_TRAIN] = o ? o->res.train_error : NAN;
    v[C_TEST] = o ? o->test : NAN;
    v[C_STEPS] = o ? (double)o->res.steps : 0.0;
    v[C_STATUS] = o && o->ok ? LAB_ROW_OK : LAB_ROW_DIVERGED;
    v[C_WALL] = wall;
}

static int run(const lab_config *c, lab_rows *out, volatile sig_atomic_t *stop,
               char *err, size_t errlen)
{
    const lab_student_params *sp = lab_student_of(c);
    const prune_params *pp = prune_of(c);
    lab_problem prob = { 0 };
    lab_mlp *net = NULL, *fresh = NULL;
    lab_mlp_work *w = NULL;
    lab_prune_mask *pm = NULL;
    gsl_rng *r_init = NULL;
    double *theta0 = NULL, *theta_rw = NULL;
    size_t *widths = widths_of(sp);
    assert(out->nrows == (size_t)pp->rounds + 1 && out->ncols == NCOLS);

    int rc = widths ? lab_problem_make(c, &prob, err, errlen) : LAB_ENOMEM;
    if (rc != LAB_OK)
        goto done;
    rc = LAB_ENOMEM;
    size_t D = (size_t)c->input_dim, L = (size_t)sp->depth;
    enum lab_act act = (enum lab_act)sp->act;
    if (!(net = lab_mlp_alloc(D, L, widths, act))
        || (pp->control == CTRL_REINIT && !(fresh = lab_mlp_alloc(D, L, widths, act)))
        || !(w = lab_mlp_work_alloc(net, EVAL_ROWS))
        || !(pm = lab_prune_mask_alloc(net->n_weights))
        || !(r_init = lab_config_rng(c, LAB_STREAM_INIT))
        || !(theta0 = malloc(net->n_params * sizeof *theta0))
        || !(theta_rw = malloc(net->n_params * sizeof *theta_rw)))
        goto nomem;
    size_t P = net->n_params, bytes = P * sizeof *theta0;
    if (lab_student_start(sp, &prob, net, r_init) != LAB_OK) {
        rc = lab_fail(err, errlen, LAB_ECONFIG, "student.init = teacher: the student cannot "
                      "contain the teacher");
        goto done;
    }
    memcpy(theta0, net->theta, bytes);
    /* The rewind point is a copy: later training never writes into it. */
    if (pp->control != CTRL_FINETUNE) {
        if (rewind_point(c, &prob, net, pp->rewind) != LAB_OK)
            goto nomem;
        memcpy(theta_rw, net->theta, bytes);
        memcpy(net->theta, theta0, bytes);
    }

    /* Round 0: the dense student. */
    double t0 = lab_clock_s();
    struct outcome o;
    if ((rc = train_round(c, &prob, net, NULL, w, stop, &o)) != LAB_OK)
        goto fail;
    double eps_np = o.test;
    int alive = o.ok; /* the chain that sets the masks has not diverged */
    fill_row(out->v, 0, pm, P, eps_np, &o, lab_clock_s() - t0);

    for (long k = 1; k <= pp->rounds; k++) {
        double *v = out->v + (size_t)k * NCOLS;
        t0 = lab_clock_s();
        size_t count = lab_prune_count(pm->kept, pp->fraction);
        if (!alive) {
            /* The mask would come from a diverged network: the count as
             * it would be, no errors. */
            pm->kept -= count;
            fill_row(v, k, pm, P, eps_np, NULL, 0.0);
            continue;
        }
        if (pp->control == CTRL_RANDOM)
            lab_prune_random(pm, count, r_init);
        else
            lab_prune_magnitude(pm, net->theta, count);
        if (pp->control != CTRL_FINETUNE)
            memcpy(net->theta, theta_rw, bytes);
        lab_prune_apply(pm, net->theta);
        if ((rc = train_round(c, &prob, net, pm, w, stop, &o)) != LAB_OK)
            goto fail;
        alive = o.ok;
        if (pp->control == CTRL_REINIT) {
            if (lab_student_start(sp, &prob, fresh, r_init) != LAB_OK) {
                rc = lab_fail(err, errlen, LAB_ECONFIG, "student.init = teacher: the student "
                              "cannot contain the teacher");
                goto done;
            }
            lab_prune_apply(pm, fresh->theta);
            if ((rc = train_round(c, &prob, fresh, pm, w, stop, &o)) != LAB_OK)
                goto fail;
        }
        fill_row(v, k, pm, P, eps_np, &o, lab_clock_s() - t0);
    }
    rc = LAB_OK;
    goto done;
fail:
    if (rc == LAB_EINTERRUPTED)
        goto done;
nomem:
    rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
done:
    free(theta0);
    free(theta_rw);
    gsl_rng_free(r_init);
    lab_prune_mask_free(pm);
    lab_mlp_work_free(w);
    lab_mlp_free(fresh);
    lab_mlp_free(net);
    lab_problem_release(&prob);
    free(widths);
    return rc;
}

/* ==== Checks =================================================================== */

/* The student's prunable weights: D M + (L - 1) M^2 + M. */
static size_t prunable(const lab_config *c)
{
    const lab_student_params *sp = lab_student_of(c);
    size_t M = (size_t)sp->width, L = (size_t)sp->depth;
    return (size_t)c->input_dim * M + (L - 1) * M * M + M;
}

/* No online training (a mask and a rewind point need the training set the
 * rounds share), the student kind's checks, and in every cell prune.rewind
 * at most train.steps and every round removing a weight (so the density,
 * the rows' key, falls strictly). */
static int check(const lab_config *c, char *err, size_t errlen)
{
    char at[512], other[512];
    if (c->online || lab_config_axis(c, "train.online")) {
        lab_config_where(c, "train", "online", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG, "%s: the kind prune retrains on one "
                        "training set each round, not online", at);
    }
    int rc = lab_student_check(c, err, errlen);
    if (rc != LAB_OK)
        return rc;
    lab_config cell;
    if (lab_config_copy(&cell, c) != LAB_OK)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    size_t n = lab_config_ncells(c);
    for (size_t i = 0; i < n && rc == LAB_OK; i++) {
        if ((rc = lab_config_cell(c, i, &cell)) != LAB_OK) {
            rc = lab_fail(err, errlen, rc, "out of memory");
            break;
        }
        const prune_params *pp = prune_of(&cell);
        size_t kept = prunable(&cell);
        for (long k = 1; k <= pp->rounds && rc == LAB_OK; k++) {
            size_t count = lab_prune_count(kept, pp->fraction);
            if (count == 0) {
                lab_config_where(c, "prune", "rounds", at, sizeof at);
                lab_config_where(c, "prune", "fraction", other, sizeof other);
                rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: round %ld would remove no weight "
                              "of the %zu kept by width %ld (round(%g x %zu) = 0, %s): fewer "
                              "rounds or a larger fraction", at, k, kept,
                              lab_student_of(&cell)->width, pp->fraction, kept, other);
            }
            kept -= count;
        }
        if (rc != LAB_OK)
            break;
        if (pp->control != CTRL_FINETUNE && pp->rewind > cell.steps) {
            lab_config_where(c, "prune", "rewind", at, sizeof at);
            lab_config_where(c, "train", "steps", other, sizeof other);
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: rewinding to step %ld, after the "
                          "%ld steps of training (%s)", at, pp->rewind, cell.steps, other);
        }
    }
    lab_config_release(&cell);
    return rc;
}

/* ==== The kind ================================================================= */

static const lab_section *const sections[] = { &lab_student_section, &prune_section };

const lab_kind lab_kind_prune = {
    .name = "prune",
    .doc = "iterative magnitude pruning of an MLP student, a row per round, with random, "
           "reinitialised and fine-tuned controls",
    .sections = sections,
    .nsections = 2,
    .columns = columns,
    .ncolumns = NCOLS,
    .error = "test_error",
    .joint = "none",
    .curves = "density:width",
    .size_axes = "width, depth",
    .teacher = 1,
    .rows = rows,
    .cost = cost,
    .memory = memory,
    .check = check,
    .run = run,
};
