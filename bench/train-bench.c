/* SPDX-License-Identifier: GPL-3.0-or-later */
/* train-bench: time the lab's training step, for bench/train_vs_torch.py.
 *
 *   train-bench WIDTH DEPTH DIM BATCH STEPS [ACT]
 *
 * Trains a student (DEPTH hidden layers of WIDTH units, activation ACT,
 * default tanh) with Adam (lr 1e-3, constant) on mini-batches of BATCH rows
 * drawn from 16384 Gaussian inputs labelled by a random teacher, for STEPS
 * steps after 20 warm-up steps, and prints one line:
 *   samples_per_s <value> final_loss <value>
 * The step is lab_trainer_step(): gather the batch, forward, backward, Adam. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "clock.h"
#include "blas.h"
#include "data.h"
#include "rng.h"
#include "teacher.h"
#include "train.h"

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: train-bench WIDTH DEPTH DIM BATCH STEPS [tanh|relu|erf|linear]\n");
        return 2;
    }
    size_t width = strtoul(argv[1], NULL, 10), depth = strtoul(argv[2], NULL, 10);
    size_t dim = strtoul(argv[3], NULL, 10), batch = strtoul(argv[4], NULL, 10);
    long steps = strtol(argv[5], NULL, 10);
    enum lab_act act = LAB_ACT_TANH;
    for (int a = 0; argc > 6 && a < LAB_NACT; a++)
        if (strcmp(argv[6], lab_act_names[a]) == 0)
            act = (enum lab_act)a;
    const size_t n = 16384;

    gsl_set_error_handler_off();
    lab_blas_single_thread();
    gsl_rng *r = lab_rng_alloc(2385, 1);
    size_t *widths = malloc(depth * sizeof *widths);
    for (size_t l = 0; l < depth; l++)
        widths[l] = width;
    lab_teacher_spec spec = { .n_in = dim, .depth = 1, .widths = &dim, .act = act,
                              .weight_scale = 1.0, .bias_scale = 0.0 };
    lab_mlp *teacher = lab_teacher_alloc(&spec, r);
    lab_mlp *student = lab_mlp_alloc(dim, depth, widths, act);
    lab_dataset *ds = lab_dataset_alloc(n, dim);
    lab_mlp_work *w = teacher ? lab_mlp_work_alloc(teacher, 512) : NULL;
    if (!teacher || !student || !ds || !w) {
        fprintf(stderr, "train-bench: out of memory\n");
        return 1;
    }
    lab_data_sample(ds, LAB_DIST_GAUSSIAN, r);
    lab_data_label(ds, teacher, w, 0.0, NULL);
    lab_mlp_init(student, LAB_INIT_TORCH, r);

    lab_train_params p = { .opt = lab_optim_default_params(), .batch = batch,
                           .steps = steps + 20 };
    lab_trainer *tr = lab_trainer_alloc(student, &p, n);
    double loss = 0;
    for (int i = 0; i < 20; i++)
        loss = lab_trainer_step(tr, student, ds, r);
    double t0 = lab_clock_s();
    for (long i = 0; i < steps; i++)
        loss = lab_trainer_step(tr, student, ds, r);
    double dt = lab_clock_s() - t0;
    printf("samples_per_s %.6g final_loss %.6g\n", (double)steps * (double)batch / dt, loss);

    lab_trainer_free(tr);
    lab_mlp_work_free(w);
    lab_dataset_free(ds);
    lab_mlp_free(student);
    lab_mlp_free(teacher);
    free(widths);
    gsl_rng_free(r);
    return 0;
}
