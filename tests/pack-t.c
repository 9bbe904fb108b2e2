/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The packed trainer (src/pack.h): S students trained together give every
 * bit that each gives trained alone by lab_trainer_step() on the same
 * batches from the same initialisation (losses of every step, final theta
 * and optimizer moments), with the first layer's gradient per student or
 * packed; a frozen student stops where it was while the others go on; and
 * lab_pack_run() ends each student as lab_trainer_run() ends it alone
 * (steps, target, plateau, divergence). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "pack.h"
#include "rng.h"
#include "status.h"
#include "tap.h"
#include "teacher.h"
#include "train.h"

enum { S = 5, D = 20, N = 300, BATCH = 50, STEPS = 200, MAXL = 2 };
static const size_t widths[S] = { 2, 8, 8, 33, 64 };
/* Widths times wscale: 8 makes the first layers 920 units, more than one
 * group of the pack (pack.c, GROUP_ROWS). */
static size_t wscale = 1;

static lab_dataset *dataset(void)
{
    gsl_rng *r = lab_rng_alloc(17, 1);
    size_t tw = 6;
    lab_teacher_spec spec = { .n_in = D, .depth = 1, .widths = &tw, .act = LAB_ACT_TANH,
                              .weight_scale = 1.0, .bias_scale = 0.0 };
    lab_mlp *t = lab_teacher_alloc(&spec, r);
    lab_mlp_work *w = lab_mlp_work_alloc(t, 64);
    lab_dataset *ds = lab_dataset_alloc(N, D);
    if (!t || !w || !ds)
        bail("no memory");
    lab_data_sample(ds, LAB_DIST_GAUSSIAN, r);
    lab_data_label(ds, t, w, 0.0, NULL);
    lab_mlp_work_free(w);
    lab_mlp_free(t);
    gsl_rng_free(r);
    return ds;
}

/* S students of the test's widths at this depth, initialised from their own
 * streams (student s from stream 100 + s). */
static void students(size_t depth, lab_mlp **m)
{
    for (size_t s = 0; s < S; s++) {
        size_t w[MAXL] = { wscale * widths[s], widths[S - 1 - s] };
        m[s] = lab_mlp_alloc(D, depth, w, LAB_ACT_TANH);
        gsl_rng *r = lab_rng_alloc(23, 100 + s);
        if (!m[s])
            bail("no memory");
        lab_mlp_init(m[s], LAB_INIT_TORCH, r);
        gsl_rng_free(r);
    }
}

static int same_bits(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

static lab_train_params adam_params(void)
{
    lab_train_params p = { .opt = lab_optim_default_params(), .batch = BATCH, .steps = STEPS };
    p.opt.lr = 3e-3;
    p.opt.weight_decay = 1e-3; /* decays the weights of each student, not its biases */
    return p;
}

/* Train packed for STEPS steps (freezing student `freeze` after step
 * `at`, none when freeze >= S) and each student alone, and compare. */
static void compare_steps(size_t depth, size_t freeze, long at)
{
    lab_dataset *ds = dataset();
    lab_mlp *pm[S], *am[S];
    students(depth, pm);
    students(depth, am);
    lab_train_params p = adam_params();
    char err[256];
    lab_pack *pk = lab_pack_alloc(S, pm, &p, N, err, sizeof err);
    if (!pk)
        bail("lab_pack_alloc: %s", err);
    static double loss[STEPS][S];
    gsl_rng *r = lab_rng_alloc(31, 7);
    for (long t = 0; t < STEPS; t++) {
        lab_pack_step(pk, ds, r, loss[t]);
        if (t + 1 == at && freeze < S)
            lab_pack_freeze(pk, freeze);
    }
    gsl_rng_free(r);

    int losses = 1, thetas = 1, moments = 1, frozen_nan = 1, steps = 1;
    for (size_t s = 0; s < S; s++) {
        lab_trainer *tr = lab_trainer_alloc(am[s], &p, N);
        gsl_rng *rs = lab_rng_alloc(31, 7);
        long stop = s == freeze ? at : STEPS;
        for (long t = 0; t < STEPS; t++) {
            double l = lab_trainer_step(tr, am[s], ds, rs);
            if (t < stop)
                losses &= same_bits(&l, &loss[t][s], 1);
            else
                frozen_nan &= isnan(loss[t][s]);
            if (t + 1 == stop && stop < STEPS) {
                thetas &= same_bits(am[s]->theta, pm[s]->theta, am[s]->n_params);
                break;
            }
        }
        if (stop == STEPS) {
            thetas &= same_bits(am[s]->theta, pm[s]->theta, am[s]->n_params);
            const double *m1, *v1, *m2, *v2;
            lab_optim_moments(lab_trainer_optim(tr), &m1, &v1);
            lab_optim_moments(lab_pack_optim(pk, s), &m2, &v2);
            moments &= same_bits(m1, m2, am[s]->n_params) && same_bits(v1, v2, am[s]->n_params);
        }
        steps &= lab_pack_steps(pk, s) == stop;
        gsl_rng_free(rs);
        lab_trainer_free(tr);
    }
    ok(losses, "depth %zu%s%s: every batch loss of %d steps has the bits of the student alone",
       depth, freeze < S ? ", one frozen" : "", wscale > 1 ? ", groups" : "", STEPS);
    ok(thetas, "depth %zu%s%s: every final theta has the bits of the student alone", depth,
       freeze < S ? ", one frozen" : "", wscale > 1 ? ", groups" : "");
    ok(moments, "and the same Adam moments");
    ok(steps, "and as many steps");
    if (freeze < S)
        ok(frozen_nan, "a frozen student reports no loss");
    lab_pack_free(pk);
    for (size_t s = 0; s < S; s++) {
        lab_mlp_free(pm[s]);
        lab_mlp_free(am[s]);
    }
    lab_dataset_free(ds);
}

/* lab_pack_run() against lab_trainer_run() of each student alone: the same
 * result (stop, steps, errors to the bit) and final theta. Returns a mask of
 * the stop reasons seen. */
static unsigned compare_run(size_t depth, const lab_train_params *p, const char *what)
{
    lab_dataset *ds = dataset();
    lab_mlp *pm[S], *am[S];
    students(depth, pm);
    students(depth, am);
    char err[256];
    lab_pack *pk = lab_pack_alloc(S, pm, p, N, err, sizeof err);
    if (!pk)
        bail("lab_pack_alloc: %s", err);
    lab_train_result res[S];
    gsl_rng *r = lab_rng_alloc(31, 9);
    int rc = lab_pack_run(pk, ds, r, 1.0, NULL, res);
    gsl_rng_free(r);
    int same = rc == LAB_OK;
    unsigned seen = 0;
    for (size_t s = 0; s < S; s++) {
        lab_trainer *tr = lab_trainer_alloc(am[s], p, N);
        gsl_rng *rs = lab_rng_alloc(31, 9);
        lab_train_result one;
        int rc1 = lab_trainer_run(tr, am[s], ds, rs, 1.0, NULL, &one);
        int expect = one.stop == LAB_STOP_DIVERGED ? LAB_EDIVERGED : LAB_OK;
        same &= rc1 == expect && one.stop == res[s].stop && one.steps == res[s].steps
                && same_bits(&one.initial_error, &res[s].initial_error, 1)
                && same_bits(&one.train_error, &res[s].train_error, 1)
                && same_bits(am[s]->theta, pm[s]->theta, am[s]->n_params);
        diag("%s: student %zu (width %zu) %s after %ld steps, error %g", what, s, widths[s],
             lab_stop_names[res[s].stop], res[s].steps, res[s].train_error);
        seen |= 1u << res[s].stop;
        gsl_rng_free(rs);
        lab_trainer_free(tr);
    }
    ok(same, "%s: each student ends as lab_trainer_run() ends it alone", what);
    ok(lab_pack_nactive(pk) == 0, "and every student is frozen afterwards");
    lab_pack_free(pk);
    for (size_t s = 0; s < S; s++) {
        lab_mlp_free(pm[s]);
        lab_mlp_free(am[s]);
    }
    lab_dataset_free(ds);
    return seen;
}

int main(void)
{
    plan_lazy();
    for (size_t depth = 1; depth <= 2; depth++)
        compare_steps(depth, S, 0);
    compare_steps(2, 3, 77);
    wscale = 8;
    compare_steps(2, 3, 77);
    compare_steps(1, S, 0);
    wscale = 1;

    lab_train_params p = adam_params();
    p.steps = 400;
    p.target_loss = 0.028;
    p.patience = 3;
    p.plateau_tol = 0.1;
    p.check_every = 20;
    unsigned seen = compare_run(1, &p, "Adam, target and plateau");
    p = adam_params();
    p.opt.type = LAB_OPT_SGD;
    p.opt.lr = 0.5;
    p.opt.momentum = 0.9;
    seen |= compare_run(2, &p, "SGD, a large rate");
    ok(seen == (1u << LAB_STOP_STEPS | 1u << LAB_STOP_TARGET | 1u << LAB_STOP_PLATEAU
                | 1u << LAB_STOP_DIVERGED),
       "the runs met every stopping rule: steps, target, plateau, divergence");

    /* Students whose state (parameters, gradient, Adam's moments) exceeds
     * the 2 MiB lab_pack_run() trains at once go in waves, each from the
     * batch stream's start. */
    wscale = 32;
    double state = 0;
    for (size_t s = 0; s < S; s++) {
        size_t w = wscale * widths[s];
        state += 4.0 * (double)lab_mlp_count_params(D, 1, &w) * sizeof(double);
    }
    ok(state > 2.0 * 1024 * 1024, "students of widths 64 to 2048 hold %.2f MiB of state",
       state / 1048576);
    p = adam_params();
    p.target_loss = 0.028;
    p.check_every = 20;
    compare_run(1, &p, "Adam, in waves");
    wscale = 1;

    /* An interrupt stops every student still training. */
    lab_dataset *ds = dataset();
    lab_mlp *m[S];
    students(1, m);
    char err[256];
    p = adam_params();
    lab_pack *pk = lab_pack_alloc(S, m, &p, N, err, sizeof err);
    volatile sig_atomic_t flag = 1;
    lab_train_result res[S];
    gsl_rng *r = lab_rng_alloc(1, 1);
    int rc = lab_pack_run(pk, ds, r, 1.0, &flag, res);
    int all = 1;
    for (size_t s = 0; s < S; s++)
        all &= res[s].stop == LAB_STOP_INTERRUPTED && res[s].steps == 0;
    ok(rc == LAB_EINTERRUPTED && all, "an interrupt ends every student as interrupted");
    lab_pack_free(pk);
    gsl_rng_free(r);

    /* Students that do not fit one pack. */
    lab_mlp *odd = lab_mlp_alloc(D + 1, 1, widths, LAB_ACT_TANH);
    lab_mlp *two[2] = { m[0], odd };
    err[0] = 0;
    ok(!lab_pack_alloc(2, two, &p, N, err, sizeof err) && strstr(err, "student 1"),
       "a student of another input dimension is refused: %s", err);
    two[1] = lab_mlp_alloc(D, 0, NULL, LAB_ACT_TANH);
    ok(!lab_pack_alloc(2, two, &p, N, err, sizeof err), "as is one of depth 0");
    lab_mlp_free(two[1]);
    lab_mlp_free(odd);
    lab_pack_free(NULL);
    ok(1, "lab_pack_free(NULL) does nothing");
    for (size_t s = 0; s < S; s++)
        lab_mlp_free(m[s]);
    lab_dataset_free(ds);
    return 0;
}
