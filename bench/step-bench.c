/* SPDX-License-Identifier: GPL-3.0-or-later */
/* step-bench: the training step at the main job's shapes
 * (experiments/teacher_student.cfg: D = 16, depth 1, tanh, batch 128, Adam),
 * one student at a time (lab_trainer_step()) and the 7 widths 2 .. 128
 * packed (lab_pack_step()).
 *
 *   step-bench [REPEATS]
 *
 * Prints per width the median over REPEATS (default 7) of microseconds per
 * lab_trainer_step(), then microseconds per packed step of the 7 widths,
 * each with the range of the 1-minute load average read before the repeats
 * (the machine may be shared: read numbers with their load). Then a
 * breakdown of one student's step by phase, timed around each phase of a
 * copy of the step made of the same public calls (checked to give the
 * trainer's bits), in microseconds per step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "blas.h"
#include "clock.h"
#include "data.h"
#include "dense.h"
#include "pack.h"
#include "rng.h"
#include "teacher.h"
#include "train.h"
#include "stats.h"

enum { D = 16, BATCH = 128, NPOINTS = 4096, MAXREP = 64, NW = 7 };

static const size_t widths[NW] = { 2, 4, 8, 16, 32, 64, 128 };

static lab_mlp *make_student(size_t width, unsigned long s)
{
    gsl_rng *r = lab_rng_alloc(99, s);
    lab_mlp *m = lab_mlp_alloc(D, 1, &width, LAB_ACT_TANH);
    if (!m)
        exit(1);
    lab_mlp_init(m, LAB_INIT_TORCH, r);
    gsl_rng_free(r);
    return m;
}

static lab_train_params params(long steps)
{
    lab_train_params p = { .opt = lab_optim_default_params(), .batch = BATCH, .steps = steps };
    p.opt.lr = 0.003;
    p.opt.schedule = LAB_SCHED_COSINE;
    return p;
}

/* Steps so that a measurement takes about 0.1 s at today's speed. */
static long steps_for(size_t width)
{
    return width <= 8 ? 10000 : width <= 32 ? 4000 : 1200;
}

/* Microseconds per lab_trainer_step() of one student. */
static double time_single(size_t width, const lab_dataset *ds)
{
    long steps = steps_for(width);
    lab_mlp *m = make_student(width, 0);
    lab_train_params p = params(20000);
    lab_trainer *tr = lab_trainer_alloc(m, &p, ds->n);
    gsl_rng *r = lab_rng_alloc(7, 7);
    if (!tr)
        exit(1);
    lab_trainer_step(tr, m, ds, r); /* first touch */
    double t0 = lab_clock_s();
    for (long t = 0; t < steps; t++)
        lab_trainer_step(tr, m, ds, r);
    double dt = lab_clock_s() - t0;
    gsl_rng_free(r);
    lab_trainer_free(tr);
    lab_mlp_free(m);
    return 1e6 * dt / (double)steps;
}

/* The pack's own phases (lab_pack_times()), microseconds per step summed
 * over the repeats. */
static double pack_phases[4];

/* Microseconds per lab_pack_step() of the 7 widths. */
static double time_packed(const lab_dataset *ds)
{
    long steps = 800;
    lab_mlp *m[NW];
    for (int i = 0; i < NW; i++)
        m[i] = make_student(widths[i], (unsigned long)i);
    lab_train_params p = params(20000);
    char err[256];
    double loss[NW];
    lab_pack *pk = lab_pack_alloc(NW, m, &p, ds->n, err, sizeof err);
    if (!pk) {
        fprintf(stderr, "step-bench: %s\n", err);
        exit(1);
    }
    gsl_rng *r = lab_rng_alloc(7, 7);
    lab_pack_step(pk, ds, r, loss);
    double t0 = lab_clock_s(), ph0[4], ph1[4];
    lab_pack_times(pk, ph0);
    for (long t = 0; t < steps; t++)
        lab_pack_step(pk, ds, r, loss);
    double dt = lab_clock_s() - t0;
    lab_pack_times(pk, ph1);
    for (int i = 0; i < 4; i++)
        pack_phases[i] += 1e6 * (ph1[i] - ph0[i]) / (double)steps;
    gsl_rng_free(r);
    lab_pack_free(pk);
    for (int i = 0; i < NW; i++)
        lab_mlp_free(m[i]);
    return 1e6 * dt / (double)steps;
}

/* ---- the step by phase -------------------------------------------------- */

enum { GATHER, DENSE, ACT, OUT, LOSS, BW_OUT, BW_DA, BW_W0, ADAM, NPH };
static const char *const phase_names[NPH] = {
    "gather", "dense0", "tanh", "out", "loss", "dW1,db1", "dA1*g'", "dW0,db0", "adam"
};

/* lab_trainer_step() for depth 1 written out with the same calls as
 * mlp.c, a clock around each phase (t, seconds added). */
static void phased_step(lab_mlp *m, lab_optim *opt, const lab_dataset *ds, size_t *perm,
                        size_t *pos, gsl_rng *r, double *buf, double t[NPH])
{
    size_t B = BATCH, M = m->sizes[1];
    double *xb = buf, *yb = xb + B * D, *Z = yb + B, *dz = Z + B * M, *f = dz + B * M;
    double *resid = f + B, *dA = resid + B, *ones = dA + B * M, *grad = ones + B;
    double *work = grad + m->n_params;
    for (size_t i = 0; i < B; i++)
        ones[i] = 1.0;
    double c[NPH + 1];
    c[0] = lab_clock_s();
    lab_train_next_batch(ds, ds->n, B, perm, pos, r, xb, yb);
    c[1] = lab_clock_s();
    lab_dense_forward(B, M, D, xb, lab_mlp_w(m, m->theta, 0), lab_mlp_b(m, m->theta, 0), Z,
                      work);
    c[2] = lab_clock_s();
    lab_act_forward(LAB_ACT_TANH, B * M, Z, dz);
    c[3] = lab_clock_s();
    lab_mlp_output_sum(B, M, Z, lab_mlp_w(m, m->theta, 1), lab_mlp_b(m, m->theta, 1)[0], f);
    c[4] = lab_clock_s();
    double sse = 0.0, scale = 1.0 / (double)B;
    for (size_t i = 0; i < B; i++) {
        double e = f[i] - yb[i];
        sse += e * e;
        resid[i] = e * scale;
    }
    c[5] = lab_clock_s();
    lab_gemm(1, 0, 1, M, B, 1.0, resid, Z, 0.0, lab_mlp_w(m, grad, 1));
    lab_gemv_t(B, 1, 1.0, resid, ones, 0.0, lab_mlp_b(m, grad, 1));
    c[6] = lab_clock_s();
    lab_mlp_back_product(B, M, 1, resid, lab_mlp_w(m, m->theta, 1), dz, dA);
    c[7] = lab_clock_s();
    lab_gemm(1, 0, M, D, B, 1.0, dA, xb, 0.0, lab_mlp_w(m, grad, 0));
    lab_gemv_t(B, M, 1.0, dA, ones, 0.0, lab_mlp_b(m, grad, 0));
    c[8] = lab_clock_s();
    if (sse == sse)
        lab_optim_step(opt, m->theta, grad);
    c[9] = lab_clock_s();
    for (int k = 0; k < NPH; k++)
        t[k] += c[k + 1] - c[k];
}

/* The phases of one student's step (microseconds per step, medians of
 * reps) after checking that the written-out step gives the trainer's
 * bits. */
static void phases(size_t width, const lab_dataset *ds, int reps)
{
    long steps = steps_for(width) / 2;
    lab_mlp *m = make_student(width, 0), *m2 = make_student(width, 0);
    lab_train_params p = params(20000);
    lab_trainer *tr = lab_trainer_alloc(m2, &p, ds->n);
    lab_optim *opt = lab_optim_alloc(&(lab_optim_params){ .type = LAB_OPT_ADAM }, 1, 0);
    size_t M = width, *perm = malloc(ds->n * sizeof *perm), pos = ds->n;
    double *buf = malloc((BATCH * (D + 6 + 3 * M) + m->n_params + lab_dense_work_len(BATCH))
                         * sizeof *buf);
    if (!tr || !opt || !perm || !buf)
        exit(1);
    lab_optim_free(opt);
    lab_train_params tp = p;
    tp.opt.horizon = tp.steps;
    opt = lab_optim_alloc(&tp.opt, m->n_params, m->n_weights);
    for (size_t i = 0; i < ds->n; i++)
        perm[i] = i;
    gsl_rng *r = lab_rng_alloc(7, 7), *r2 = lab_rng_alloc(7, 7);
    double t[NPH] = { 0 }, per[NPH][MAXREP];
    for (int k = 0; k < 20; k++) { /* the bits of lab_trainer_step() */
        phased_step(m, opt, ds, perm, &pos, r, buf, t);
        lab_trainer_step(tr, m2, ds, r2);
    }
    if (memcmp(m->theta, m2->theta, m->n_params * sizeof *m->theta) != 0) {
        fprintf(stderr, "step-bench: the written-out step lost the trainer's bits\n");
        exit(1);
    }
    for (int k = 0; k < reps; k++) {
        memset(t, 0, sizeof t);
        for (long s = 0; s < steps; s++)
            phased_step(m, opt, ds, perm, &pos, r, buf, t);
        for (int q = 0; q < NPH; q++)
            per[q][k] = 1e6 * t[q] / (double)steps;
    }
    double total = 0;
    printf("width %3zu phases (us/step):", width);
    for (int q = 0; q < NPH; q++) {
        double v = median(per[q], reps);
        total += v;
        printf(" %s %.2f", phase_names[q], v);
    }
    printf("  sum %.2f\n", total);
    gsl_rng_free(r);
    gsl_rng_free(r2);
    free(perm);
    free(buf);
    lab_optim_free(opt);
    lab_trainer_free(tr);
    lab_mlp_free(m);
    lab_mlp_free(m2);
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 7;
    reps = reps < 1 ? 1 : reps > MAXREP ? MAXREP : reps;
    gsl_set_error_handler_off();
    lab_blas_single_thread();
    gsl_rng *r = lab_rng_alloc(2385, 1);
    size_t tw = 16;
    lab_teacher_spec spec = { .n_in = D, .depth = 1, .widths = &tw, .act = LAB_ACT_TANH,
                              .weight_scale = 4.0, .bias_scale = 1.0 };
    lab_mlp *teacher = lab_teacher_alloc(&spec, r);
    lab_dataset *ds = lab_dataset_alloc(NPOINTS, D);
    lab_mlp_work *w = teacher ? lab_mlp_work_alloc(teacher, 512) : NULL;
    if (!teacher || !ds || !w) {
        fprintf(stderr, "step-bench: out of memory\n");
        return 1;
    }
    lab_data_sample(ds, LAB_DIST_GAUSSIAN, r);
    lab_data_label(ds, teacher, w, 0.0, NULL);
    printf("# D %d, depth 1, tanh, batch %d, Adam, one thread; median of %d repeats, "
           "interleaved\n", D, BATCH, reps);
    static const size_t single[] = { 2, 8, 32, 128 };
    double us[5][MAXREP], lmin = 1e9, lmax = -1;
    for (int k = 0; k < reps; k++) {
        double l = loadavg();
        lmin = l < lmin ? l : lmin;
        lmax = l > lmax ? l : lmax;
        for (int i = 0; i < 4; i++)
            us[i][k] = time_single(single[i], ds);
        us[4][k] = time_packed(ds);
    }
    for (int i = 0; i < 4; i++)
        printf("single width %3zu  %8.2f us/step  load %.2f-%.2f\n", single[i],
               median(us[i], reps), lmin, lmax);
    printf("pack of 7 (2..128) %8.2f us/step  load %.2f-%.2f\n", median(us[4], reps), lmin,
           lmax);
    printf("pack phases (us/step, mean): batch+first layer %.2f, rest of forward and loss "
           "%.2f, backward %.2f, adam %.2f\n", pack_phases[0] / reps, pack_phases[1] / reps,
           pack_phases[2] / reps, pack_phases[3] / reps);
    for (int i = 0; i < 4; i++)
        phases(single[i], ds, reps);
    printf("load after %.2f\n", loadavg());
    lab_mlp_work_free(w);
    lab_dataset_free(ds);
    lab_mlp_free(teacher);
    gsl_rng_free(r);
    return 0;
}
