/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kind "error_sources": the errors of four learners on one cell's
 * teacher and data, from which analysis/decompose.h splits the measured
 * error into noise, realizability, uncertainty and learning deficiency
 * (THEORY.md §5.2). Four rows per cell, one per learner:
 *
 *   trained     the student trained as [train] says (the learner under
 *               study), on the labels as drawn (with teacher.label_noise)
 *   refined     each trained student refined to convergence by the reference
 *               optimiser ([refine], lm by default) on the same labels
 *   clean       the same on noiseless labels (the refined students when there
 *               is no label noise; with it, refined goes on from clean)
 *   realizable  the student class's floor: 0 measured by planting when the
 *               student contains the teacher; else the test error of the
 *               best (on fresh samples) of errors.restarts students trained
 *               online on fresh noiseless samples, with the [train] budget of
 *               steps, or of the clean students when one did better
 *
 * The first three are ensembles of errors.inits initialisation replicates,
 * each with the init stream that sweep.init_seeds = r gives (so replicate r
 * is the student kind's cell with init_seed r, bit for bit): test_error is
 * their mean error (a sampling learner), ens_error the error of their mean
 * prediction (an averaging learner) and disagreement their mean squared
 * distance from it; test_error = ens_error + disagreement exactly, up to
 * rounding. All errors are MSEs on the cell's test set over the teacher's
 * output variance.
 *
 * The replicates share the cell's data and batches, so they train together
 * as one pack (pack.h), each bit for bit as alone, before each is evaluated
 * and refined in turn. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "kind.h"
#include "kind_student.h"
#include "linear_noise.h"
#include "mlp.h"
#include "pack.h"
#include "problem.h"
#include "refine.h"
#include "rng.h"
#include "status.h"
#include "train.h"

/* ==== [errors] ================================================================= */

typedef struct errors_params {
    long inits;          /* initialisation replicates per learner */
    long restarts;       /* restarts of the realizability estimate */
} errors_params;

#define OFF(field) offsetof(errors_params, field)

static const lab_key errors_keys[] = {
    { "errors", "inits", LAB_KEY_LONG, OFF(inits), "4",
      "initialisation replicates trained in each cell on its teacher and data (the streams "
      "of sweep.init_seeds = 0, 1, ...)", 2, 100, 0, 0, NULL, 0,
      NULL, NULL },
    { "errors", "restarts", LAB_KEY_LONG, OFF(restarts), "5",
      "restarts of the realizability estimate of a student narrower than the teacher",
      1, 100, 0, 0, NULL, 0, NULL, NULL },
};

static const lab_section errors_section = {
    "errors", errors_keys, sizeof errors_keys / sizeof errors_keys[0], sizeof(errors_params)
};

static const errors_params *errors_of(const lab_config *c)
{
    const errors_params *ep = lab_config_section(c, &errors_section);
    assert(ep);
    return ep;
}

/* ==== Columns ==================================================================== */

enum { L_TRAINED, L_REFINED, L_CLEAN, L_REALIZABLE, NLEARNERS };
static const char *const learner_names[NLEARNERS] = { "trained", "refined", "clean",
                                                      "realizable" };

enum { C_PARAMS, C_LEARNER, C_TRAIN, C_TEST, C_ENS, C_DIS, C_KEPT, C_STEPS, C_STATUS, C_WALL,
       C_LIN, NCOLS };

static const lab_column columns[NCOLS] = {
    [C_PARAMS] = { "params", LAB_COL_INT, NULL, 0, LAB_STAT_SAME,
                   "the student's parameter count P_S" },
    [C_LEARNER] = { "learner", LAB_COL_NAME, learner_names, NLEARNERS, LAB_STAT_KEY,
                    "trained, refined (then to convergence), clean (the same on noiseless "
                    "labels) or realizable (the class's floor)" },
    [C_TRAIN] = { "train_error", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                  "training MSE / teacher output variance, mean over the replicates" },
    [C_TEST] = { "test_error", LAB_COL_REAL, NULL, 0, LAB_STAT_FULL,
                 "test MSE / teacher output variance, mean over the replicates" },
    [C_ENS] = { "ens_error", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                "test error of the replicates' mean prediction (nan for realizable)" },
    [C_DIS] = { "disagreement", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                "mean squared distance of the replicates from their mean, on the test set "
                "(test_error = ens_error + disagreement)" },
    [C_KEPT] = { "kept", LAB_COL_INT, NULL, 0, LAB_STAT_MEAN,
                 "replicates in the row's ensemble: refined and clean keep those that fit "
                 "their labels as well as the class allows (THEORY.md 5.2)" },
    [C_STEPS] = { "steps", LAB_COL_INT, NULL, 0, LAB_STAT_MEAN,
                  "optimizer steps (refined and clean: iterations), mean over the replicates" },
    [C_STATUS] = { "status", LAB_COL_NAME, lab_status_names, LAB_NROW, LAB_STAT_NONE,
                   "ok, or diverged (some replicate diverged: errors nan)" },
    [C_WALL] = { "wall_s", LAB_COL_TIME, NULL, 0, LAB_STAT_NONE,
                 "seconds for the whole cell (in every row)" },
    [C_LIN] = { "noise_linear", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                "refined: the noise part least squares would add if the student were linear "
                "in its parameters near its clean fit, sigma^2 dof / n (THEORY.md 5.2), mean "
                "over the kept replicates; 0 without label noise, nan in the other rows" },
};

/* ==== Sizes ========================================================================= */

/* Rows per chunk when a network is evaluated. */
#define EVAL_ROWS 512

static size_t *student_widths(const lab_config *c)
{
    const lab_student_params *sp = lab_student_of(c);
    size_t *w = malloc((size_t)sp->depth * sizeof *w);
    for (long l = 0; w && l < sp->depth; l++)
        w[l] = (size_t)sp->width;
    return w;
}

static int contains_teacher(const lab_config *c)
{
    const lab_student_params *sp = lab_student_of(c);
    if ((size_t)sp->depth != c->teacher_widths.n || sp->act != c->teacher_act)
        return 0;
    for (size_t l = 0; l < c->teacher_widths.n; l++)
        if (sp->width < c->teacher_widths.v[l])
            return 0;
    return 1;
}

static size_t rows(const lab_config *c)
{
    (void)c;
    return NLEARNERS;
}

static lab_train_params train_params(const lab_config *c, long steps)
{
    return lab_student_train_params(c, steps);
}

/* The reference optimiser: [refine], lm when its method is none. */
static lab_refine_params refine_params(const lab_config *c)
{
    lab_refine_params p = lab_refine_params_of(c);
    if (p.method == LAB_REFINE_NONE)
        p.method = LAB_REFINE_LM;
    return p;
}

/* About the multiply-adds: each replicate's training, its refinement (about
 * 50 Gauss-Newton iterations of n P^2; twice with label noise), and the
 * realizability restarts. */
static double cost(const lab_config *c)
{
    double n = (double)c->n, P = (double)lab_student_params_count(c);
    double batch = c->batch == 0 || (double)c->batch > n ? n : (double)c->batch;
    double K = (double)errors_of(c)->inits, runs = c->label_noise > 0 ? 2 : 1;
    double train = P * 3.0 * batch * (double)c->steps, refine = 50.0 * fmax(n, P) * P * P;
    double lin = c->label_noise > 0 ? (n + (double)c->test_size) * P * P : 0.0;
    double cell = K * (train + runs * refine + lin + 3.0 * P * (double)c->test_size);
    if (!contains_teacher(c)) /* online: batches of 128 when [train] says full batch */
        cell += (double)errors_of(c)->restarts * P * 3.0 * (c->batch > 0 ? (double)c->batch : 128)
                * (double)c->steps;
    return cell;
}

/* The problem, a clean copy of its training set, the replicates' test
 * predictions and trained parameters, one student with its workspace and
 * refiner, and the replicates' training: a pack of K students, or one
 * trainer when they cannot share their batches; then, for the
 * realizability estimate, an online problem and trainer. */
static double memory(const lab_config *c)
{
    size_t *w = student_widths(c);
    if (!w)
        return INFINITY;
    const lab_student_params *sp = lab_student_of(c);
    size_t D = (size_t)c->input_dim, L = (size_t)sp->depth, P = lab_student_params_count(c);
    lab_train_params tp = train_params(c, c->steps);
    lab_refine_params rp = refine_params(c);
    double K = (double)errors_of(c)->inits;
    double net = 2.0 * lab_mlp_bytes(D, L, w) + lab_mlp_work_bytes(L, w, EVAL_ROWS);
    size_t *ws = malloc((size_t)K * L * sizeof *ws);
    if (!ws) {
        free(w);
        return INFINITY;
    }
    for (size_t i = 0; i < (size_t)K * L; i++)
        ws[i] = w[i % L];
    double pack = lab_pack_bytes((size_t)K, D, L, ws, &tp, (size_t)c->n)
                  + K * lab_mlp_bytes(D, L, w);
    free(ws);
    double at = lab_problem_bytes(c, (double)c->n) + lab_dataset_bytes((double)c->n, (double)D)
                + 3.0 * K * (double)c->test_size * sizeof(double)
                + K * (double)P * sizeof(double)
                + fmax(pack, lab_trainer_bytes(D, L, w, &tp, (size_t)c->n))
                + lab_refine_bytes(&rp, (size_t)c->n, P, L, w)
                + (c->label_noise > 0 ? lab_linear_noise_bytes(P, EVAL_ROWS) : 0.0);
    /* The realizability estimate's online problem and trainer come and go
     * after the ensembles. */
    lab_train_params op = tp;
    op.online = 1;
    double real = lab_problem_bytes(c, 0.0) + lab_trainer_bytes(D, L, w, &op, 128);
    free(w);
    return net + fmax(at, real);
}

/* ==== The cell ========================================================================== */

/* A refined replicate belongs to its learner's ensemble when it fits its
 * labels as well as the class allows: noiseless labels and a student that
 * contains the teacher (whose training error can be 0), a training error of
 * at most INTERPOLATES; noisy labels or a narrower student, whose floor is
 * unknown, one within REFERENCE_TOL (relative, or 1e-12) of the least one
 * found. The others stopped in a worse minimum, an optimiser's failure that
 * counts as learning deficiency, not as what the data leave open (THEORY.md
 * §5.2). When no replicate of a containing student interpolates its clean
 * labels, the data-consistent students were not found and the row is
 * undetermined (nan, kept 0). */
#define INTERPOLATES 1e-20
#define REFERENCE_TOL 1e-2

/* What one learner's replicates gave. */
struct ensemble {
    double *pred;        /* (K, T) test predictions */
    double *train;       /* (K) training errors */
    double *steps;       /* (K) steps or iterations */
    unsigned char *kept; /* (K) in the ensemble */
    double *lin;         /* (K) refined: the linearised noise at the clean fit */
    int diverged;
};

/* Keep, of a refined learner's replicates, those that fit the data as well
 * as the class allows (above; exact: their labels can be fitted exactly). */
static void keep_best(struct ensemble *e, size_t K, int exact)
{
    double best = INFINITY;
    for (size_t k = 0; k < K; k++)
        best = fmin(best, e->train[k]);
    for (size_t k = 0; k < K; k++) /* nan (not recorded) is never kept */
        e->kept[k] = exact ? e->train[k] <= INTERPOLATES
                           : e->train[k] <= best * (1 + REFERENCE_TOL) + 1e-12;
}

/* Its row, over the kept replicates: the error of each and of their mean
 * prediction, and their disagreement. */
static void ensemble_row(const struct ensemble *e, size_t K, const lab_dataset *test, double var,
                         double *v)
{
    size_t T = test->n, m = 0;
    double err = 0, ens = 0, dis = 0, train = 0, steps = 0, lin = 0;
    for (size_t k = 0; k < K; k++)
        if (e->kept[k]) {
            m++;
            train += e->train[k];
            steps += e->steps[k];
            lin += e->lin ? e->lin[k] : NAN;
        }
    /* In residuals r_k = f_k - y, not predictions: near the teacher they are
     * tiny, and their mean keeps its digits where the predictions' mean
     * would round them away, so the identity holds at any size. */
    for (size_t t = 0; m && t < T; t++) {
        double mean = 0;
        for (size_t k = 0; k < K; k++)
            mean += e->kept[k] ? e->pred[k * T + t] - test->y[t] : 0.0;
        mean /= (double)m;
        ens += mean * mean;
        for (size_t k = 0; k < K; k++) {
            if (!e->kept[k])
                continue;
            double r = e->pred[k * T + t] - test->y[t];
            err += r * r;
            dis += (r - mean) * (r - mean);
        }
    }
    double scale = 1.0 / ((double)T * var);
    /* no replicate kept: nan */
    v[C_TEST] = m ? err * scale / (double)m : NAN;
    v[C_ENS] = m ? ens * scale : NAN;
    v[C_DIS] = m ? dis * scale / (double)m : NAN;
    v[C_TRAIN] = m ? train / (double)m : NAN;
    v[C_STEPS] = m ? steps / (double)m : NAN;
    v[C_KEPT] = (double)m;
    v[C_LIN] = m ? lin / (double)m : NAN;
    v[C_STATUS] = LAB_ROW_OK;
    if (e->diverged) {
        v[C_TEST] = v[C_ENS] = v[C_DIS] = v[C_TRAIN] = v[C_STEPS] = v[C_LIN] = NAN;
        v[C_STATUS] = LAB_ROW_DIVERGED;
    }
}

/* What a cell's run holds. */
struct cell {
    const lab_config *c;
    volatile sig_atomic_t *stop;
    lab_mlp *student;
    lab_mlp_work *w;
    lab_linear_noise *lin; /* with label noise */
    double *theta;       /* (K, P): each replicate's start, then its trained parameters */
    char *err;
    size_t errlen;
};

/* Each replicate's start in cs->theta (K, P): the student as
 * lab_student_start() draws it from replicate k's init stream (rep, a copy
 * of the cell, becomes replicate k). */
static int starts(struct cell *cs, const lab_problem *prob, lab_config *rep, size_t K)
{
    const lab_student_params *sp = lab_student_of(cs->c);
    size_t P = cs->student->n_params;
    for (size_t k = 0; k < K; k++) {
        rep->init_replicate = (long)k;
        gsl_rng *r_init = lab_config_rng(rep, LAB_STREAM_INIT);
        if (!r_init)
            return lab_fail(cs->err, cs->errlen, LAB_ENOMEM, "out of memory");
        int status = lab_student_start(sp, prob, cs->student, r_init);
        gsl_rng_free(r_init);
        if (status != LAB_OK)
            return lab_fail(cs->err, cs->errlen, status,
                            "the student cannot start at its teacher");
        memcpy(cs->theta + k * P, cs->student->theta, P * sizeof(double));
    }
    return LAB_OK;
}

/* Whether the K replicates draw the same batches. The stream rule
 * (THEORY.md §7) lets sweep.init_seeds shape the init stream alone, so they
 * do; the check keeps the pack exact should a key ever shape both. */
static int same_batches(lab_config *rep, size_t K)
{
    uint64_t k0, key;
    rep->init_replicate = 0;
    if (lab_config_stream_key(rep, LAB_STREAM_BATCH, &k0) != LAB_OK)
        return 0;
    for (size_t k = 1; k < K; k++) {
        rep->init_replicate = (long)k;
        if (lab_config_stream_key(rep, LAB_STREAM_BATCH, &key) != LAB_OK || key != k0)
            return 0;
    }
    return 1;
}

/* Train replicate k from its start in cs->theta, alone, on data with the
 * batches of its config; its parameters go back to cs->theta. res and the
 * returned status as lab_trainer_run(). */
static int train_one(struct cell *cs, lab_config *rep, size_t k, const lab_dataset *data,
                     double var, lab_train_result *res)
{
    size_t P = cs->student->n_params;
    rep->init_replicate = (long)k;
    memcpy(cs->student->theta, cs->theta + k * P, P * sizeof(double));
    lab_train_params tp = train_params(rep, rep->steps);
    lab_trainer *tr = lab_trainer_alloc(cs->student, &tp, data->n);
    gsl_rng *r_batch = lab_config_rng(rep, LAB_STREAM_BATCH);
    int status = tr && r_batch
                     ? lab_trainer_run(tr, cs->student, data, r_batch, var, cs->stop, res)
                     : lab_fail(cs->err, cs->errlen, LAB_ENOMEM, "out of memory");
    gsl_rng_free(r_batch);
    lab_trainer_free(tr);
    memcpy(cs->theta + k * P, cs->student->theta, P * sizeof(double));
    return status;
}

/* Train all K replicates from their starts in cs->theta as one pack
 * (pack.h) on their shared batches, each bit for bit as train_one() trains
 * it; their parameters go back to cs->theta. res[k] and rc[k] as
 * lab_trainer_run() gives them; returns LAB_EINTERRUPTED, LAB_ENOMEM or
 * LAB_OK. */
static int train_pack(struct cell *cs, lab_config *rep, size_t K, const lab_dataset *data,
                      double var, lab_train_result *res, int *rc)
{
    const lab_mlp *m = cs->student;
    size_t P = m->n_params, L = m->depth;
    lab_mlp **students = calloc(K, sizeof *students);
    lab_pack *pk = NULL;
    rep->init_replicate = 0;
    lab_train_params tp = train_params(rep, rep->steps);
    gsl_rng *r_batch = lab_config_rng(rep, LAB_STREAM_BATCH);
    int status = students && r_batch ? LAB_OK : LAB_ENOMEM;
    for (size_t k = 0; k < K && status == LAB_OK; k++) {
        if (!(students[k] = lab_mlp_alloc(m->sizes[0], L, m->sizes + 1, m->act)))
            status = LAB_ENOMEM;
        else
            memcpy(students[k]->theta, cs->theta + k * P, P * sizeof(double));
    }
    if (status != LAB_OK)
        lab_fail(cs->err, cs->errlen, status, "out of memory");
    else if (!(pk = lab_pack_alloc(K, students, &tp, data->n, cs->err, cs->errlen)))
        status = LAB_ENOMEM; /* err says why */
    else
        status = lab_pack_run(pk, data, r_batch, var, cs->stop, res);
    for (size_t k = 0; status == LAB_OK && k < K; k++) {
        rc[k] = res[k].stop == LAB_STOP_DIVERGED ? LAB_EDIVERGED : LAB_OK;
        memcpy(cs->theta + k * P, students[k]->theta, P * sizeof(double));
    }
    lab_pack_free(pk);
    for (size_t k = 0; students && k < K; k++)
        lab_mlp_free(students[k]);
    free(students);
    gsl_rng_free(r_batch);
    return status;
}

/* Refine the student on data to convergence; its training error in *train. */
static int refine(struct cell *cs, const lab_dataset *data, double var, double *train,
                  double *iters)
{
    lab_refine_params rp = refine_params(cs->c);
    lab_refine *ref = lab_refine_alloc(cs->student, data->n, &rp, cs->err, cs->errlen);
    if (!ref)
        return LAB_ENOMEM;
    lab_refine_result res;
    int rc = lab_refine_run(ref, cs->student, data, var, cs->stop, &res);
    lab_refine_free(ref);
    *train = res.train_error;
    *iters = (double)res.iters;
    return rc;
}

/* Whether a run's end counts as diverged (train.h). */
static int runaway(int rc, const lab_train_result *res, double test)
{
    return rc == LAB_EDIVERGED || lab_train_runaway(test, res->initial_error);
}

/* Record the student's test predictions and training error as replicate k
 * of ensemble e. */
static void record(struct cell *cs, const lab_problem *prob, struct ensemble *e, size_t k,
                   double train, double steps)
{
    size_t T = prob->test->n;
    lab_mlp_predict(cs->student, cs->w, T, prob->test->x, e->pred + k * T);
    e->train[k] = train;
    e->steps[k] = steps;
}

/* Refine the student, from where it is, on data into replicate k of e; a
 * refinement that diverges marks e. */
static int refine_into(struct cell *cs, const lab_problem *prob, const lab_dataset *data,
                       struct ensemble *e, size_t k)
{
    double train = NAN, iters = 0;
    int status = refine(cs, data, prob->var, &train, &iters);
    if (status == LAB_EDIVERGED) {
        e->diverged = 1;
        return LAB_OK;
    }
    if (status == LAB_OK)
        record(cs, prob, e, k, train, iters);
    return status;
}

/* The three ensembles: replicate k trained from its start on the labels as
 * drawn, then refined to convergence: without label noise on those labels
 * (refined and clean are the same); with it, first on noiseless labels
 * (clean), then from there on the noisy ones (refined). */
static int ensembles(struct cell *cs, const lab_problem *prob, const lab_dataset *clean,
                     struct ensemble *e, size_t K)
{
    const lab_config *c = cs->c;
    size_t T = prob->test->n, P = cs->student->n_params;
    lab_config rep; /* the cell, as replicate k */
    lab_train_result *res = malloc(K * sizeof *res);
    int *rc = malloc(K * sizeof *rc);
    if (!res || !rc || lab_config_copy(&rep, c) != LAB_OK) {
        free(res);
        free(rc);
        return lab_fail(cs->err, cs->errlen, LAB_ENOMEM, "out of memory");
    }
    /* Every replicate trained first, together when they share their
     * batches: nothing of one replicate's refinement reaches another's
     * training, so the order changes no bit. */
    int status = starts(cs, prob, &rep, K);
    if (status == LAB_OK && same_batches(&rep, K)) {
        status = train_pack(cs, &rep, K, prob->train, prob->var, res, rc);
    } else {
        for (size_t k = 0; k < K && status == LAB_OK; k++) {
            rc[k] = train_one(cs, &rep, k, prob->train, prob->var, &res[k]);
            status = rc[k] == LAB_EDIVERGED ? LAB_OK : rc[k];
        }
    }
    for (size_t k = 0; k < K && status == LAB_OK; k++) {
        memcpy(cs->student->theta, cs->theta + k * P, P * sizeof(double));
        double test = lab_mlp_error(cs->student, cs->w, prob->test, prob->var);
        if (runaway(rc[k], &res[k], test)) {
            /* nothing to refine from */
            e[L_TRAINED].diverged = e[L_REFINED].diverged = e[L_CLEAN].diverged = 1;
            status = LAB_OK;
            continue;
        }
        record(cs, prob, &e[L_TRAINED], k, res[k].train_error, (double)res[k].steps);
        if (clean == prob->train) {
            /* No label noise: one refinement is both. */
            status = refine_into(cs, prob, prob->train, &e[L_REFINED], k);
            memcpy(e[L_CLEAN].pred + k * T, e[L_REFINED].pred + k * T, T * sizeof(double));
            e[L_CLEAN].train[k] = e[L_REFINED].train[k];
            e[L_CLEAN].steps[k] = e[L_REFINED].steps[k];
            e[L_CLEAN].diverged = e[L_REFINED].diverged;
            continue;
        }
        /* With label noise: the fit of the noiseless labels first, then from
         * there the fit of the noisy ones, so that their difference is the
         * noise's effect on the fit nearest the clean one (the classical
         * sigma^2 P / n of least squares), not a change of basin. */
        status = refine_into(cs, prob, clean, &e[L_CLEAN], k);
        if (status == LAB_OK && e[L_CLEAN].diverged) {
            e[L_REFINED].diverged = 1;
            continue;
        }
        if (status == LAB_OK) {
            /* What the noise would add to this clean fit, linearised, as a
             * share of the teacher's output variance like every error here. */
            double dof;
            lab_linear_noise_dof(cs->lin, cs->student, cs->w, clean, prob->test, &dof);
            e[L_REFINED].lin[k] = c->label_noise * c->label_noise * dof
                                  / ((double)clean->n * prob->var);
            status = refine_into(cs, prob, prob->train, &e[L_REFINED], k);
        }
    }
    /* Noiseless labels can be fitted exactly by a student that contains the
     * teacher; noisy ones, or a narrower student, only as well as found. */
    if (status == LAB_OK) {
        keep_best(&e[L_CLEAN], K, contains_teacher(c));
        /* With label noise, noise = refined - clean over the same replicates:
         * a refined one whose clean fit was not kept is not kept either, nor
         * does it set the bar for the others (from another basin its noisy
         * fit can fit the noise better: not the estimator near the clean fit
         * that the noise part measures). */
        for (size_t k = 0; clean != prob->train && k < K; k++)
            if (!e[L_CLEAN].kept[k])
                e[L_REFINED].train[k] = NAN;
        keep_best(&e[L_REFINED], K, contains_teacher(c) && clean == prob->train);
    }
    lab_config_release(&rep);
    free(res);
    free(rc);
    return status;
}

static void draw_fresh(void *ctx, lab_dataset *batch)
{
    lab_problem_draw(ctx, batch);
}

/* The realizable row: planted at the teacher when the student contains it;
 * else the test error of the best of errors.restarts students trained
 * online, on fresh noiseless samples (train.online: the [train] budget of steps,
 * each on a new batch), so that no finite training set adds its estimation
 * error to the class's floor; or of the cell's clean students, when one of them
 * did better (a narrow class has local minima, and any student of the class
 * bounds its floor from above). */
static int realizable(struct cell *cs, const lab_problem *prob, double found, double *v)
{
    const lab_config *c = cs->c;
    v[C_ENS] = v[C_DIS] = v[C_LIN] = NAN;
    v[C_STATUS] = LAB_ROW_OK;
    v[C_KEPT] = 1;
    if (contains_teacher(c)) {
        if (lab_mlp_embed(prob->teacher, cs->student) != LAB_OK)
            return lab_fail(cs->err, cs->errlen, LAB_EINVAL, "the student cannot contain "
                            "its teacher");
        v[C_TEST] = lab_mlp_error(cs->student, cs->w, prob->test, prob->var);
        v[C_TRAIN] = v[C_TEST];
        v[C_STEPS] = 0;
        return LAB_OK;
    }
    /* The same teacher and test set, fresh points without noise: an online
     * problem drawn like c's (its streams do not depend on n). */
    lab_config rep; /* the cell, as replicate or restart */
    if (lab_config_copy(&rep, c) != LAB_OK)
        return lab_fail(cs->err, cs->errlen, LAB_ENOMEM, "out of memory");
    size_t B = c->batch > 0 ? (size_t)c->batch : 128;
    rep.online = 1;
    rep.label_noise = 0;
    rep.n = (long)B * c->steps;
    lab_train_params tp = train_params(&rep, c->steps);
    tp.batch = B;
    tp.online = 1;
    /* The best restart by its error on fresh samples (its last window), not
     * by the test set it is then measured on. */
    double best = INFINITY, best_fresh = INFINITY, best_train = NAN, best_steps = 0;
    const lab_student_params *sp = lab_student_of(c);
    int status = LAB_OK;
    for (long q = 0; status == LAB_OK && q < errors_of(c)->restarts; q++) {
        /* Restart q draws its start as init replicate -1 - q: streams no
         * replicate of the ensembles uses. */
        rep.init_replicate = -1 - q;
        lab_problem rp = { 0 };
        lab_trainer *tr = NULL;
        gsl_rng *r_init = lab_config_rng(&rep, LAB_STREAM_INIT);
        status = r_init ? lab_problem_make_online(&rep, &rp, cs->err, cs->errlen) : LAB_ENOMEM;
        if (status == LAB_OK && (status = lab_student_start(sp, &rp, cs->student, r_init)))
            lab_fail(cs->err, cs->errlen, status, "the student cannot start at its teacher");
        if (status == LAB_OK && !(tr = lab_trainer_alloc(cs->student, &tp, (size_t)rep.n)))
            status = LAB_ENOMEM;
        lab_train_result res;
        if (status == LAB_OK)
            status = lab_trainer_run_online(tr, cs->student, draw_fresh, &rp, rp.var, cs->stop,
                                            &res);
        double test = status == LAB_OK ? lab_mlp_error(cs->student, cs->w, prob->test, prob->var)
                                       : NAN;
        if (status == LAB_EDIVERGED || (status == LAB_OK && runaway(status, &res, test)))
            status = LAB_OK; /* a restart that diverged is not the best */
        else if (status == LAB_OK && res.train_error < best_fresh) {
            best_fresh = res.train_error;
            best = test;
            best_train = res.train_error;
            best_steps = (double)res.steps;
        }
        lab_trainer_free(tr);
        gsl_rng_free(r_init);
        lab_problem_release(&rp);
    }
    lab_config_release(&rep);
    if (status == LAB_ENOMEM)
        lab_fail(cs->err, cs->errlen, status, "out of memory");
    if (found < best) {
        best = found;
        best_train = NAN; /* a clean student's training error is on its n points */
        best_steps = 0;
    }
    v[C_TEST] = isfinite(best) ? best : NAN;
    v[C_TRAIN] = best_train;
    v[C_STEPS] = best_steps;
    if (!isfinite(best))
        v[C_STATUS] = LAB_ROW_DIVERGED;
    return status;
}

static int run(const lab_config *c, lab_rows *out, volatile sig_atomic_t *stop, char *err,
               size_t errlen)
{
    double t0 = lab_clock_s();
    const lab_student_params *sp = lab_student_of(c);
    size_t K = (size_t)errors_of(c)->inits;
    assert(out->nrows == NLEARNERS && out->ncols == NCOLS);
    struct cell cs = { .c = c, .stop = stop, .err = err, .errlen = errlen };
    struct ensemble e[3] = { { 0 } };
    lab_problem prob = { 0 };
    lab_dataset *clean = NULL;
    size_t *widths = student_widths(c);
    int rc = widths ? lab_problem_make(c, &prob, err, errlen) : LAB_ENOMEM;
    if (rc != LAB_OK)
        goto done;
    size_t T = prob.test->n;
    if (!(cs.student = lab_mlp_alloc((size_t)c->input_dim, (size_t)sp->depth, widths,
                                     (enum lab_act)sp->act))
        || !(cs.w = lab_mlp_work_alloc(cs.student, EVAL_ROWS))
        || !(cs.theta = malloc(K * cs.student->n_params * sizeof *cs.theta))) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    for (int l = 0; l < 3; l++) {
        e[l].pred = malloc(K * T * sizeof *e[l].pred);
        e[l].train = malloc(K * sizeof *e[l].train);
        e[l].steps = malloc(K * sizeof *e[l].steps);
        e[l].kept = malloc(K);
        e[l].lin = l == L_REFINED ? calloc(K, sizeof *e[l].lin) : NULL;
        if (!e[l].pred || !e[l].train || !e[l].steps || !e[l].kept
            || (l == L_REFINED && !e[l].lin)) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            goto done;
        }
        memset(e[l].kept, 1, K);
        /* A replicate that is not recorded (its run diverged) stays nan. */
        for (size_t k = 0; k < K; k++)
            e[l].train[k] = e[l].steps[k] = NAN;
        for (size_t i = 0; i < K * T; i++)
            e[l].pred[i] = NAN;
    }
    /* The noiseless labels of the training inputs (in a workspace of the
     * teacher's own shape). */
    clean = prob.train;
    if (c->label_noise > 0) {
        lab_mlp_work *tw = lab_mlp_work_alloc(prob.teacher, EVAL_ROWS);
        cs.lin = lab_linear_noise_alloc(cs.student->n_params, EVAL_ROWS);
        if (!tw || !cs.lin || !(clean = lab_dataset_alloc(prob.train->n, prob.train->d))) {
            lab_mlp_work_free(tw);
            clean = prob.train;
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            goto done;
        }
        memcpy(clean->x, prob.train->x, prob.train->n * prob.train->d * sizeof *clean->x);
        lab_data_label(clean, prob.teacher, tw, 0.0, NULL);
        lab_mlp_work_free(tw);
    }
    rc = ensembles(&cs, &prob, clean, e, K);
    /* The least test error of a kept clean student, for the realizable row. */
    double found = INFINITY;
    for (size_t k = 0; rc == LAB_OK && !e[L_CLEAN].diverged && k < K; k++) {
        if (!e[L_CLEAN].kept[k])
            continue;
        double sse = 0;
        for (size_t t = 0; t < T; t++) {
            double r = e[L_CLEAN].pred[k * T + t] - prob.test->y[t];
            sse += r * r;
        }
        found = fmin(found, sse / ((double)T * prob.var));
    }
    if (rc == LAB_OK)
        rc = realizable(&cs, &prob, found, out->v + L_REALIZABLE * NCOLS);
    if (rc != LAB_OK)
        goto done;
    for (int l = 0; l < 3; l++)
        ensemble_row(&e[l], K, prob.test, prob.var, out->v + l * NCOLS);
    double wall = lab_clock_s() - t0;
    for (int l = 0; l < NLEARNERS; l++) {
        double *v = out->v + l * NCOLS;
        v[C_PARAMS] = (double)cs.student->n_params;
        v[C_LEARNER] = l;
        v[C_WALL] = wall;
    }
done:
    if (clean != prob.train)
        lab_dataset_free(clean);
    for (int l = 0; l < 3; l++) {
        free(e[l].pred);
        free(e[l].train);
        free(e[l].steps);
        free(e[l].kept);
        free(e[l].lin);
    }
    lab_linear_noise_free(cs.lin);
    free(cs.theta);
    lab_mlp_work_free(cs.w);
    lab_mlp_free(cs.student);
    lab_problem_release(&prob);
    free(widths);
    return rc;
}

/* ==== The kind ============================================================================ */

/* The student's checks, and no online training: the ensembles need their
 * training set (the realizability estimate trains online by itself). */
static int check(const lab_config *c, char *err, size_t errlen)
{
    if (c->online || lab_config_axis(c, "train.online")) {
        char at[512];
        lab_config_where(c, "train", "online", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG, "%s: the kind error_sources trains on a "
                        "training set of n points; its realizable row trains online by "
                        "itself", at);
    }
    return lab_student_check(c, err, errlen);
}

static const lab_section *const sections[] = { &lab_student_section, &lab_refine_section,
                                               &errors_section };

const lab_kind lab_kind_errors = {
    .name = "error_sources",
    .doc = "per cell, errors.inits students trained on the teacher's data, refined to "
           "convergence on the labels as drawn and on noiseless ones, and the class's floor: "
           "lab decompose splits the error into noise, realizability, uncertainty and "
           "learning deficiency",
    .sections = sections,
    .nsections = 3,
    .columns = columns,
    .ncolumns = NCOLS,
    .error = "test_error",
    .joint = "none",
    .curves = "n:width",
    .size_axes = "width, depth",
    .teacher = 1,
    .decompose = 1,
    .check = check,
    .rows = rows,
    .cost = cost,
    .memory = memory,
    .run = run,
};
