/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reference optimiser: the output Jacobian against central finite
 * differences, Levenberg-Marquardt to machine precision on a realizable
 * problem, a planted student left alone, refinement of an Adam endpoint by
 * lm and bfgs, interruption and the memory refusal. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "config.h"
#include "data.h"
#include "kind.h"
#include "kind_student.h"
#include "mlp.h"
#include "refine.h"
#include "rng.h"
#include "status.h"
#include "tap.h"
#include "teacher.h"
#include "train.h"

/* ---- the Jacobian ------------------------------------------------------------ */

/* The smallest |pre-activation| of the hidden units on inputs X (B,D): the
 * distance to ReLU's kink. */
static double min_abs_preact(const lab_mlp *m, const double *X, size_t B)
{
    double least = INFINITY, cur[16], nxt[16];
    size_t D = m->sizes[0];
    for (size_t i = 0; i < B; i++) {
        memcpy(cur, X + i * D, D * sizeof *cur);
        for (size_t l = 0; l < m->depth; l++) {
            const double *W = lab_mlp_w(m, m->theta, l), *b = lab_mlp_b(m, m->theta, l);
            for (size_t j = 0; j < m->sizes[l + 1]; j++) {
                double z = b[j];
                for (size_t k = 0; k < m->sizes[l]; k++)
                    z += W[j * m->sizes[l] + k] * cur[k];
                least = fabs(z) < least ? fabs(z) : least;
                nxt[j] = lab_act_eval(m->act, z);
            }
            memcpy(cur, nxt, m->sizes[l + 1] * sizeof *cur);
        }
    }
    return least;
}

static void test_jacobian(gsl_rng *r)
{
    const size_t D = 6, B = 11, widths[2] = { 5, 4 };
    const enum lab_act acts[2] = { LAB_ACT_TANH, LAB_ACT_RELU };
    double X[11 * 6], y[11], fp[11], fm[11];
    for (int a = 0; a < 2; a++)
        for (size_t depth = 1; depth <= 2; depth++) {
            lab_mlp *m = lab_mlp_alloc(D, depth, widths, acts[a]);
            for (size_t i = 0; i < m->n_params; i++)
                m->theta[i] = gsl_ran_gaussian(r, 0.8);
            do {
                for (size_t i = 0; i < B * D; i++)
                    X[i] = gsl_ran_gaussian(r, 1.0);
            } while (min_abs_preact(m, X, B) < 1e-3);
            for (size_t i = 0; i < B; i++)
                y[i] = gsl_ran_gaussian(r, 1.0);
            size_t P = m->n_params;
            lab_mlp_work *w = lab_mlp_work_alloc(m, 4); /* rows: B is done in chunks */
            lab_mlp_work *wb = lab_mlp_work_alloc(m, B);
            double *J = malloc(B * P * sizeof *J), *g = malloc(P * sizeof *g);
            const double *f0 = NULL;
            for (size_t i = 0; i < B; i += 4) {
                size_t n = B - i < 4 ? B - i : 4;
                lab_mlp_jacobian(m, w, n, X + i * D, J + i * P, &f0);
            }
            /* Central differences, column by column; the error relative to
             * the largest entry (h = 1e-6: truncation ~1e-12, rounding ~1e-10). */
            double worst = 0, big = 0;
            for (size_t k = 0; k < P; k++) {
                double keep = m->theta[k], h = 1e-6;
                m->theta[k] = keep + h;
                lab_mlp_predict(m, w, B, X, fp);
                m->theta[k] = keep - h;
                lab_mlp_predict(m, w, B, X, fm);
                m->theta[k] = keep;
                for (size_t i = 0; i < B; i++) {
                    double fd = (fp[i] - fm[i]) / (2 * h), e = fabs(fd - J[i * P + k]);
                    worst = e > worst ? e : worst;
                    big = fabs(fd) > big ? fabs(fd) : big;
                }
            }
            ok(worst <= 1e-6 * big, "%s, depth %zu: Jacobian (%zu x %zu) matches central "
               "differences (rel %.2g)", lab_act_names[acts[a]], depth, B, P, worst / big);
            /* J^T r / B is the loss gradient of backward(). */
            double f[11];
            lab_mlp_predict(m, w, B, X, f);
            lab_mlp_loss_grad(m, wb, B, X, y, g);
            double gerr = 0, gbig = 0;
            for (size_t k = 0; k < P; k++) {
                double s = 0;
                for (size_t i = 0; i < B; i++)
                    s += J[i * P + k] * (f[i] - y[i]) / (double)B;
                gerr = fabs(s - g[k]) > gerr ? fabs(s - g[k]) : gerr;
                gbig = fabs(g[k]) > gbig ? fabs(g[k]) : gbig;
            }
            ok(gerr <= 1e-12 * gbig, "%s, depth %zu: J^T r / B is the backward gradient",
               lab_act_names[acts[a]], depth);
            free(J);
            free(g);
            lab_mlp_work_free(w);
            lab_mlp_work_free(wb);
            lab_mlp_free(m);
        }
}

/* ---- a realizable problem ----------------------------------------------------- */

/* A tanh teacher of width 4 in D = 8 (sigma_w^2 = 4, sigma_b^2 = 1,
 * normalised on the test inputs), n training and 4096 test points. */
typedef struct problem {
    lab_mlp *teacher;
    lab_dataset *train, *test;
} problem;

#define D_IN 8
static const size_t teacher_width = 4, student_width = 8;

static void label(lab_mlp *t, lab_dataset *ds)
{
    lab_mlp_work *w = lab_mlp_work_alloc(t, 256);
    lab_mlp_predict(t, w, ds->n, ds->x, ds->y);
    lab_mlp_work_free(w);
}

static problem make_problem(size_t n, gsl_rng *r)
{
    problem p;
    lab_teacher_spec spec = { D_IN, 1, &teacher_width, LAB_ACT_TANH, 4.0, 1.0 };
    p.teacher = lab_teacher_alloc(&spec, r);
    p.train = lab_dataset_alloc(n, D_IN);
    p.test = lab_dataset_alloc(4096, D_IN);
    if (!p.teacher || !p.train || !p.test)
        bail("out of memory");
    lab_data_sample(p.test, LAB_DIST_GAUSSIAN, r);
    lab_data_sample(p.train, LAB_DIST_GAUSSIAN, r);
    lab_mlp_work *w = lab_mlp_work_alloc(p.teacher, 256);
    if (lab_teacher_normalize(p.teacher, w, p.test->n, p.test->x) != LAB_OK)
        bail("teacher outputs are constant");
    lab_mlp_work_free(w);
    label(p.teacher, p.train);
    label(p.teacher, p.test);
    return p;
}

static void free_problem(problem *p)
{
    lab_mlp_free(p->teacher);
    lab_dataset_free(p->train);
    lab_dataset_free(p->test);
}

static double error_on(const lab_mlp *m, const lab_dataset *ds)
{
    lab_mlp_work *w = lab_mlp_work_alloc(m, 256);
    double e = lab_mlp_error(m, w, ds, 1.0);
    lab_mlp_work_free(w);
    return e;
}

static lab_mlp *random_student(gsl_rng *r)
{
    lab_mlp *s = lab_mlp_alloc(D_IN, 1, &student_width, LAB_ACT_TANH);
    if (!s)
        bail("out of memory");
    lab_mlp_init(s, LAB_INIT_LECUN, r);
    return s;
}

static lab_refine *refiner(const lab_mlp *m, size_t n, const lab_refine_params *p)
{
    char err[200];
    lab_refine *r = lab_refine_alloc(m, n, p, err, sizeof err);
    if (!r)
        bail("%s", err);
    return r;
}

static void test_realizable(gsl_rng *r)
{
    lab_mlp *s = random_student(r);
    size_t n = 32 * s->n_params; /* 2592 */
    problem pb = make_problem(n, r);
    lab_refine_params p = lab_refine_default_params();
    p.max_iter = 500;
    lab_refine *ref = refiner(s, n, &p);
    lab_refine_result res;
    int rc = lab_refine_run(ref, s, pb.train, 1.0, NULL, &res);
    double test = error_on(s, pb.test);
    diag("lm from a random start: train %.3g -> %.3g, test %.3g, %ld iterations, stop %s, "
         "%.2f s", res.initial_error, res.train_error, test, res.iters,
         lab_refine_stop_names[res.stop], res.wall_s);
    ok(rc == LAB_OK && res.train_error <= 1e-20 && res.iters > 0,
       "lm from a random start reaches training error %.2g <= 1e-20", res.train_error);
    ok(test <= 1e-16, "... and test error %.2g <= 1e-16", test);
    ok(res.train_error == error_on(s, pb.train), "the student is left at the reported point");

    /* Planted: the student computes the teacher's function exactly. */
    lab_mlp_embed(pb.teacher, s);
    rc = lab_refine_run(ref, s, pb.train, 1.0, NULL, &res);
    ok(rc == LAB_OK && res.iters == 0 && res.stop == LAB_REFINE_GTOL
       && res.train_error == 0.0 && res.initial_error == 0.0,
       "a student planted at the teacher stays at 0 in 0 iterations (stop %s, %ld)",
       lab_refine_stop_names[res.stop], res.iters);
    lab_refine_free(ref);
    free_problem(&pb);
    lab_mlp_free(s);
}

/* Fewer points than parameters: GSL's least squares wants n >= P, so the
 * residuals are padded with zero rows; lm still interpolates the data. */
static void test_underdetermined(gsl_rng *r)
{
    lab_mlp *s = random_student(r);
    size_t n = s->n_params / 2;
    problem pb = make_problem(n, r);
    lab_refine_params p = lab_refine_default_params();
    p.max_iter = 500;
    lab_refine *ref = refiner(s, n, &p);
    lab_refine_result res;
    int rc = lab_refine_run(ref, s, pb.train, 1.0, NULL, &res);
    ok(rc == LAB_OK && res.train_error <= 1e-20 && res.train_error == error_on(s, pb.train),
       "with n = %zu < P = %zu, lm interpolates the data: training error %.2g <= 1e-20 "
       "(%ld iterations)", n, s->n_params, res.train_error, res.iters);
    lab_refine_free(ref);
    free_problem(&pb);
    lab_mlp_free(s);
}

/* From where Adam stopped, lm and bfgs lower the training error. */
static void test_after_adam(gsl_rng *r)
{
    lab_mlp *s = random_student(r);
    size_t n = 32 * s->n_params;
    problem pb = make_problem(n, r);
    lab_train_params tp = { .opt = lab_optim_default_params(), .batch = 128, .steps = 2000 };
    tp.opt.lr = 3e-3;
    tp.opt.schedule = LAB_SCHED_COSINE;
    lab_trainer *tr = lab_trainer_alloc(s, &tp, n);
    lab_train_result tres;
    lab_trainer_run(tr, s, pb.train, r, 1.0, NULL, &tres);
    lab_trainer_free(tr);
    lab_mlp *start = lab_mlp_alloc(D_IN, 1, &student_width, LAB_ACT_TANH);
    memcpy(start->theta, s->theta, s->n_params * sizeof *s->theta);
    double adam_test = error_on(s, pb.test);

    lab_refine_params p = lab_refine_default_params();
    p.max_iter = 200;
    lab_refine *ref = refiner(s, n, &p);
    lab_refine_result res;
    int rc = lab_refine_run(ref, s, pb.train, 1.0, NULL, &res);
    double test = error_on(s, pb.test);
    diag("Adam %ld steps: train %.3g, test %.3g; lm: train %.3g, test %.3g, %ld iterations "
         "(%s, %.2f s)", tres.steps, tres.train_error, adam_test, res.train_error, test,
         res.iters, lab_refine_stop_names[res.stop], res.wall_s);
    ok(rc == LAB_OK && res.initial_error == tres.train_error
       && res.train_error <= 1e-6 * res.initial_error,
       "lm lowers Adam's training error by more than 6 orders (%.2g -> %.2g)",
       res.initial_error, res.train_error);
    ok(test <= 1e-3 * adam_test, "... and its test error by more than 3 (%.2g -> %.2g)",
       adam_test, test);
    lab_refine_free(ref);

    /* bfgs: a quasi-Newton method, slower to finish but it gets there. */
    memcpy(s->theta, start->theta, s->n_params * sizeof *s->theta);
    p.method = LAB_REFINE_BFGS;
    p.max_iter = 300;
    ref = refiner(s, n, &p);
    rc = lab_refine_run(ref, s, pb.train, 1.0, NULL, &res);
    diag("bfgs: train %.3g -> %.3g, %ld iterations (%s, %.2f s)", res.initial_error,
         res.train_error, res.iters, lab_refine_stop_names[res.stop], res.wall_s);
    ok(rc == LAB_OK && res.iters > 0 && res.train_error <= 1e-2 * res.initial_error,
       "bfgs lowers Adam's training error by more than 2 orders (%.2g -> %.2g)",
       res.initial_error, res.train_error);

    /* A stop flag already raised: nothing moves. */
    volatile sig_atomic_t stop = 1;
    memcpy(s->theta, start->theta, s->n_params * sizeof *s->theta);
    rc = lab_refine_run(ref, s, pb.train, 1.0, &stop, &res);
    ok(rc == LAB_EINTERRUPTED && res.iters == 0 && res.stop == LAB_REFINE_INTERRUPTED
       && memcmp(s->theta, start->theta, s->n_params * sizeof *s->theta) == 0,
       "a raised stop flag interrupts before the first iteration");
    lab_refine_free(ref);
    lab_mlp_free(start);
    free_problem(&pb);
    lab_mlp_free(s);
}

/* ---- the student kind with [refine] --------------------------------------------- */

/* The student kind's single row for a config text. */
static int run_kind(const char *text, double *v)
{
    lab_config c, cell;
    char err[512];
    if (lab_config_init(&c) || lab_config_load_string(&c, text, "test", err, sizeof err)
        || lab_config_finish(&c, err, sizeof err))
        bail("config: %s", err);
    if (lab_config_ncells(&c) != 1 || lab_config_copy(&cell, &c) || lab_config_cell(&c, 0, &cell))
        bail("not a single cell");
    lab_rows rows = { 1, lab_kind_student.ncolumns, v };
    int rc = lab_kind_student.run(&cell, &rows, NULL, err, sizeof err);
    if (rc != LAB_OK)
        diag("%s", err);
    lab_config_release(&cell);
    lab_config_release(&c);
    return rc;
}

static void test_kind(void)
{
    static const char base[] =
        "[teacher]\ninput_dim = 8\nwidths = 4\n[student]\nwidth = 8\n"
        "[train]\nsteps = 300\n[sweep]\nn = 512\n[data]\ntest_size = 1024\n";
    char text[sizeof base + 64];
    double plain[16], lm[16];
    long tr = lab_kind_column(&lab_kind_student, "train_error");
    long te = lab_kind_column(&lab_kind_student, "test_error");
    long st = lab_kind_column(&lab_kind_student, "steps");
    long status = lab_kind_column(&lab_kind_student, "status");
    snprintf(text, sizeof text, "%s", base);
    int rc1 = run_kind(text, plain);
    snprintf(text, sizeof text, "%s[refine]\nmethod = lm\n", base);
    int rc2 = run_kind(text, lm);
    diag("kind student, 300 Adam steps: train %.3g, test %.3g; with refine.method = lm: "
         "train %.3g, test %.3g", plain[tr], plain[te], lm[tr], lm[te]);
    ok(rc1 == LAB_OK && rc2 == LAB_OK && lm[status] == LAB_ROW_OK && lm[st] == plain[st]
       && lm[tr] <= 1e-20 && lm[te] <= 1e-3 * plain[te],
       "refine.method = lm: the student kind reports the refined errors");
}

static void test_alloc(void)
{
    lab_mlp *s = lab_mlp_alloc(D_IN, 1, &student_width, LAB_ACT_TANH);
    lab_refine_params p = lab_refine_default_params();
    char err[200] = "";
    p.max_bytes = 1e6; /* J alone: 20000 x 81 doubles, 13 MB */
    ok(lab_refine_alloc(s, 20000, &p, err, sizeof err) == NULL && strstr(err, "bfgs"),
       "lm refuses a Jacobian over its memory limit: %s", err);
    p.method = LAB_REFINE_BFGS;
    lab_refine *r = lab_refine_alloc(s, 20000, &p, err, sizeof err);
    ok(r != NULL, "bfgs needs no Jacobian");
    lab_refine_free(r);
    p.method = LAB_REFINE_NONE;
    ok(lab_refine_alloc(s, 10, &p, err, sizeof err) == NULL, "method none is refused");
    lab_refine_free(NULL);
    lab_mlp_free(s);
}

int main(void)
{
    gsl_set_error_handler_off();
    plan_lazy();
    gsl_rng *r = lab_rng_alloc(4101, 7);
    test_jacobian(r);
    test_realizable(r);
    test_underdetermined(r);
    test_after_adam(r);
    test_kind();
    test_alloc();
    gsl_rng_free(r);
    return 0;
}
