/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pack-bench: S students trained together (src/pack.h) against one at a
 * time (lab_trainer_step(), bench/train-bench's path).
 *
 *   pack-bench [REPEATS [S WIDTH]]
 *   pack-bench S WIDTH DEPTH DIM BATCH STEPS
 *
 * The second form, for bench/train_vs_torch.py --lab-pack, times STEPS
 * packed steps (after one) of S students and prints one line,
 * student_samples_per_s <value>; DEPTH, DIM and BATCH must be this
 * program's 2, 64 and 128.
 *
 * For S = 16, 64, 256 students of widths 8 and 64 (or the one S and WIDTH
 * given): D = 64, depth 2, tanh, batch 128, Adam (lr 1e-3, constant), on
 * 16384 Gaussian inputs labelled by a random teacher. Each repeat times, in
 * turn, the S students one at a time (each its own trainer, every student
 * the same steps) and packed, and prints per mode the median over REPEATS
 * (default 5) of student-samples per second (S B steps / seconds, after one
 * untimed step), with the 1-minute load average read before each repeat,
 * and the packed path's time per phase.
 * The machine is shared: read numbers with their load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "blas.h"
#include "clock.h"
#include "data.h"
#include "pack.h"
#include "rng.h"
#include "teacher.h"
#include "train.h"
#include "stats.h"

enum { D = 64, DEPTH = 2, BATCH = 128, NPOINTS = 16384, MAXREP = 64 };

static lab_mlp **make_students(size_t S, size_t width)
{
    lab_mlp **m = malloc(S * sizeof *m);
    size_t w[DEPTH] = { width, width };
    for (size_t s = 0; m && s < S; s++) {
        gsl_rng *r = lab_rng_alloc(99, s);
        if (!(m[s] = lab_mlp_alloc(D, DEPTH, w, LAB_ACT_TANH)))
            exit(1);
        lab_mlp_init(m[s], LAB_INIT_TORCH, r);
        gsl_rng_free(r);
    }
    return m;
}

static void free_students(lab_mlp **m, size_t S)
{
    for (size_t s = 0; s < S; s++)
        lab_mlp_free(m[s]);
    free(m);
}

/* Seconds for `steps` steps of S students one at a time. */
static double time_single(size_t S, size_t width, long steps, const lab_dataset *ds)
{
    lab_mlp **m = make_students(S, width);
    lab_train_params p = { .opt = lab_optim_default_params(), .batch = BATCH, .steps = steps };
    lab_trainer **tr = malloc(S * sizeof *tr);
    for (size_t s = 0; s < S; s++)
        if (!(tr[s] = lab_trainer_alloc(m[s], &p, ds->n)))
            exit(1);
    gsl_rng *warm = lab_rng_alloc(7, 8);
    for (size_t s = 0; s < S; s++) /* first touch of every buffer */
        lab_trainer_step(tr[s], m[s], ds, warm);
    gsl_rng_free(warm);
    double t0 = lab_clock_s();
    for (size_t s = 0; s < S; s++) {
        gsl_rng *r = lab_rng_alloc(7, 7);
        for (long t = 0; t < steps; t++)
            lab_trainer_step(tr[s], m[s], ds, r);
        gsl_rng_free(r);
    }
    double dt = lab_clock_s() - t0;
    for (size_t s = 0; s < S; s++)
        lab_trainer_free(tr[s]);
    free(tr);
    free_students(m, S);
    return dt;
}

/* Seconds for `steps` packed steps of the S students as lab_pack_run()
 * trains them: in waves whose state fits LAB_PACK_CACHE_BYTES, each wave a
 * pack of its own on the same batches; adds the phases to ph. */
static double time_packed(size_t S, size_t width, long steps, const lab_dataset *ds,
                          double ph[4])
{
    lab_mlp **m = make_students(S, width);
    lab_train_params p = { .opt = lab_optim_default_params(), .batch = BATCH, .steps = steps };
    double dt = 0;
    for (size_t first = 0, end; first < S; first = end) {
        double bytes = lab_pack_state_bytes(m[first], &p);
        for (end = first + 1; end < S; end++) {
            double b = lab_pack_state_bytes(m[end], &p);
            if (bytes + b > LAB_PACK_CACHE_BYTES)
                break;
            bytes += b;
        }
        char err[256];
        lab_pack *pk = lab_pack_alloc(end - first, m + first, &p, ds->n, err, sizeof err);
        double *loss = malloc(S * sizeof *loss);
        if (!pk || !loss) {
            fprintf(stderr, "pack-bench: %s\n", pk ? "out of memory" : err);
            exit(1);
        }
        gsl_rng *r = lab_rng_alloc(7, 7);
        double t00[4], t4[4];
        lab_pack_step(pk, ds, r, loss); /* first touch of every buffer */
        lab_pack_times(pk, t00);
        double t0 = lab_clock_s();
        for (long t = 0; t < steps; t++)
            lab_pack_step(pk, ds, r, loss);
        dt += lab_clock_s() - t0;
        lab_pack_times(pk, t4);
        for (int i = 0; i < 4; i++)
            ph[i] += t4[i] - t00[i];
        gsl_rng_free(r);
        free(loss);
        lab_pack_free(pk);
    }
    free_students(m, S);
    return dt;
}

static void bench(size_t S, size_t width, int reps, const lab_dataset *ds)
{
    /* About 0.2 s a mode at 20 GFLOP/s: student-steps in inverse
     * proportion to the parameters. */
    long steps = (long)((width <= 8 ? 3072 : 384) / S);
    steps = steps < 3 ? 3 : steps;
    double rate[2][MAXREP], load[MAXREP], ph[2][4] = { { 0 } };
    double samples = (double)S * BATCH * (double)steps;
    for (int k = 0; k < reps; k++) {
        load[k] = loadavg();
        rate[0][k] = samples / time_single(S, width, steps, ds);
        rate[1][k] = samples / time_packed(S, width, steps, ds, ph[1]);
    }
    static const char *const names[2] = { "single", "packed" };
    double lmin = load[0], lmax = load[0];
    for (int k = 1; k < reps; k++) {
        lmin = load[k] < lmin ? load[k] : lmin;
        lmax = load[k] > lmax ? load[k] : lmax;
    }
    double single = median(rate[0], reps);
    for (int i = 0; i < 2; i++) {
        double med = i == 0 ? single : median(rate[i], reps);
        printf("S %3zu width %2zu %-10s %10.4g student-samples/s  x%.2f  load %.2f-%.2f", S,
               width, names[i], med, med / single, lmin, lmax);
        if (i > 0) {
            double tot = ph[i][0] + ph[i][1] + ph[i][2] + ph[i][3];
            printf("  [first layer %2.0f%%, forward %2.0f%%, backward %2.0f%%, adam %2.0f%%]",
                   100 * ph[i][0] / tot, 100 * ph[i][1] / tot, 100 * ph[i][2] / tot,
                   100 * ph[i][3] / tot);
        }
        printf("\n");
        fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    int reps = argc > 1 && argc != 7 ? atoi(argv[1]) : 5;
    reps = reps < 1 ? 1 : reps > MAXREP ? MAXREP : reps;
    gsl_set_error_handler_off();
    lab_blas_single_thread();
    gsl_rng *r = lab_rng_alloc(2385, 1);
    size_t tw = D;
    lab_teacher_spec spec = { .n_in = D, .depth = 1, .widths = &tw, .act = LAB_ACT_TANH,
                              .weight_scale = 1.0, .bias_scale = 0.0 };
    lab_mlp *teacher = lab_teacher_alloc(&spec, r);
    lab_dataset *ds = lab_dataset_alloc(NPOINTS, D);
    lab_mlp_work *w = teacher ? lab_mlp_work_alloc(teacher, 512) : NULL;
    if (!teacher || !ds || !w) {
        fprintf(stderr, "pack-bench: out of memory\n");
        return 1;
    }
    lab_data_sample(ds, LAB_DIST_GAUSSIAN, r);
    lab_data_label(ds, teacher, w, 0.0, NULL);
    if (argc == 7) {
        size_t S = strtoul(argv[1], NULL, 10), width = strtoul(argv[2], NULL, 10);
        long steps = strtol(argv[6], NULL, 10);
        if (atoi(argv[3]) != DEPTH || atoi(argv[4]) != D || atoi(argv[5]) != BATCH || S < 1
            || width < 1 || steps < 1) {
            fprintf(stderr, "pack-bench: S WIDTH %d %d %d STEPS, each positive\n", DEPTH, D,
                    BATCH);
            return 2;
        }
        double ph[4] = { 0 };
        printf("student_samples_per_s %.6g\n",
               (double)S * BATCH * (double)steps / time_packed(S, width, steps, ds, ph));
    } else {
        printf("# D %d, depth %d, tanh, batch %d, Adam, one thread; median of %d repeats\n",
               D, DEPTH, BATCH, reps);
        static const size_t Ss[] = { 16, 64, 256 }, widths[] = { 8, 64 };
        if (argc > 3)
            bench(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10), reps, ds);
        for (int iw = 0; iw < 2 && argc <= 3; iw++)
            for (int is = 0; is < 3; is++)
                bench(Ss[is], widths[iw], reps, ds);
    }
    lab_mlp_work_free(w);
    lab_dataset_free(ds);
    lab_mlp_free(teacher);
    gsl_rng_free(r);
    return 0;
}
