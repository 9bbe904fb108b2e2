/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cell.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_statistics_double.h>

#include "data.h"
#include "mlp.h"
#include "rng.h"
#include "status.h"
#include "teacher.h"
#include "train.h"

/* Rows per chunk when the teacher labels data. */
#define LABEL_ROWS 512

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The student of a cell: `depth` hidden layers of `width` units. */
static lab_mlp *student_alloc(const lab_config *c, const lab_cell *cell)
{
    size_t *widths = malloc((size_t)cell->depth * sizeof *widths);
    if (!widths)
        return NULL;
    for (long l = 0; l < cell->depth; l++)
        widths[l] = (size_t)cell->width;
    lab_mlp *m = lab_mlp_alloc((size_t)c->input_dim, (size_t)cell->depth, widths,
                               (enum lab_act)c->student_act);
    free(widths);
    return m;
}

long lab_cell_params(const lab_config *c, const lab_cell *cell)
{
    /* D*M + M, then (M*M + M) per further hidden layer, then M + 1. */
    long D = c->input_dim, M = cell->width;
    return D * M + M + (cell->depth - 1) * (M * M + M) + M + 1;
}

/* The cell's teacher, normalised on its test set, and both datasets. */
struct problem {
    lab_mlp *teacher;
    lab_dataset *test, *train;
    double var; /* variance of the test labels */
};

static void problem_release(struct problem *p)
{
    lab_mlp_free(p->teacher);
    lab_dataset_free(p->test);
    lab_dataset_free(p->train);
}

static int problem_make(const lab_config *c, const lab_cell *cell, struct problem *p,
                        char *err, size_t errlen)
{
    int64_t seed = cell->seed;
    size_t D = (size_t)c->input_dim;
    size_t *widths = malloc(c->teacher_widths.n * sizeof *widths);
    gsl_rng *r_teacher = lab_rng_alloc_stream(c->seed, LAB_STREAM_TEACHER, &seed, 1);
    gsl_rng *r_test = lab_rng_alloc_stream(c->seed, LAB_STREAM_TEST, &seed, 1);
    gsl_rng *r_train = lab_rng_alloc_stream(c->seed, LAB_STREAM_TRAIN, &seed, 1);
    gsl_rng *r_noise = lab_rng_alloc_stream(c->seed, LAB_STREAM_NOISE, &seed, 1);
    lab_mlp_work *w = NULL;
    int rc = LAB_ENOMEM;

    p->test = lab_dataset_alloc((size_t)c->test_size, D);
    p->train = lab_dataset_alloc((size_t)cell->n, D);
    if (!widths || !r_teacher || !r_test || !r_train || !r_noise || !p->test || !p->train)
        goto done;
    for (size_t l = 0; l < c->teacher_widths.n; l++)
        widths[l] = (size_t)c->teacher_widths.v[l];
    lab_teacher_spec spec = {
        .n_in = D, .depth = c->teacher_widths.n, .widths = widths,
        .act = (enum lab_act)c->teacher_act, .weight_scale = c->weight_scale,
        .bias_scale = c->bias_scale
    };
    if (!(p->teacher = lab_teacher_alloc(&spec, r_teacher))
        || !(w = lab_mlp_work_alloc(p->teacher, LABEL_ROWS)))
        goto done;

    lab_data_sample(p->test, (enum lab_dist)c->distribution, r_test);
    if ((rc = lab_teacher_normalize(p->teacher, w, p->test->n, p->test->x)) != LAB_OK) {
        lab_fail(err, errlen, rc, "seed %ld: the teacher's outputs are constant or not "
                 "finite on the test set", cell->seed);
        goto done;
    }
    lab_data_label(p->test, p->teacher, w, 0.0, NULL);
    double mean = gsl_stats_mean(p->test->y, 1, p->test->n);
    p->var = gsl_stats_tss_m(p->test->y, 1, p->test->n, mean) / (double)p->test->n;

    lab_data_sample(p->train, (enum lab_dist)c->distribution, r_train);
    lab_data_label(p->train, p->teacher, w, c->label_noise, r_noise);
    rc = LAB_OK;
done:
    if (rc == LAB_ENOMEM)
        lab_fail(err, errlen, rc, "out of memory");
    lab_mlp_work_free(w);
    gsl_rng_free(r_teacher);
    gsl_rng_free(r_test);
    gsl_rng_free(r_train);
    gsl_rng_free(r_noise);
    free(widths);
    return rc;
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

int lab_cell_run(const lab_config *c, const lab_cell *cell, lab_row *row,
                 volatile sig_atomic_t *stop, char *err, size_t errlen)
{
    double t0 = now_s();
    struct problem prob = { 0 };
    lab_mlp *student = NULL;
    lab_trainer *tr = NULL;
    lab_mlp_work *w = NULL;
    gsl_rng *r_init = NULL, *r_batch = NULL;
    int64_t init_coords[3] = { cell->seed, cell->width, cell->depth };
    int64_t batch_coords[4] = { cell->seed, cell->n, cell->width, cell->depth };
    lab_train_params tp = train_params(c);

    int rc = problem_make(c, cell, &prob, err, errlen);
    if (rc != LAB_OK)
        goto done;
    rc = LAB_ENOMEM;
    if (!(student = student_alloc(c, cell))
        || !(r_init = lab_rng_alloc_stream(c->seed, LAB_STREAM_INIT, init_coords, 3))
        || !(r_batch = lab_rng_alloc_stream(c->seed, LAB_STREAM_BATCH, batch_coords, 4))
        || !(tr = lab_trainer_alloc(student, &tp, prob.train->n))
        || !(w = lab_mlp_work_alloc(student, LABEL_ROWS))) {
        lab_fail(err, errlen, rc, "out of memory");
        goto done;
    }
    lab_mlp_init(student, (enum lab_init)c->init, r_init);

    lab_train_result res;
    rc = lab_trainer_run(tr, student, prob.train, r_batch, prob.var, stop, &res);
    if (rc == LAB_EINTERRUPTED)
        goto done;
    *row = (lab_row){
        .n = cell->n, .width = cell->width, .depth = cell->depth, .seed = cell->seed,
        .params = (long)student->n_params, .train_error = res.train_error,
        .test_error = NAN, .steps = res.steps, .status = LAB_ROW_DIVERGED,
        .stop = (int)res.stop
    };
    if (rc == LAB_OK) {
        row->test_error = lab_mlp_error(student, w, prob.test, prob.var);
        if (isfinite(row->test_error)) {
            row->status = LAB_ROW_OK;
        } else {
            row->test_error = NAN;
            row->stop = LAB_STOP_DIVERGED;
        }
    }
    rc = LAB_OK; /* a diverged run is a result */
    row->wall_s = now_s() - t0;
done:
    lab_mlp_work_free(w);
    lab_trainer_free(tr);
    gsl_rng_free(r_init);
    gsl_rng_free(r_batch);
    lab_mlp_free(student);
    problem_release(&prob);
    return rc;
}
