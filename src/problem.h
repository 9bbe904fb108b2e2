/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The problem of a cell: its teacher, normalised on its test set, and its
 * training and test data. Every kind that learns from a teacher starts here.
 *
 * Gaussian inputs are filtered as data.spectrum and data.bandlimit say
 * (band.h, THEORY.md section 10.1): the training inputs always, the test
 * inputs unless data.bandlimit_test = off (then they keep the spectrum but
 * the full band). The filter transforms the streams' draws: cells that
 * differ only in these keys share the raw draws and the teacher.
 *
 * Each part is drawn from its own stream of the cell config (config.h,
 * THEORY.md section 7): the teacher's weights, the test inputs, the training
 * inputs (the first n rows of one stream, so smaller sets are prefixes of
 * larger ones) and the label noise. Cells whose configs agree on the keys
 * that shape a stream share what it draws: changing train.lr or the
 * student's width leaves the teacher and both datasets as they were.
 *
 * Ownership: a lab_problem owns its teacher and datasets;
 * lab_problem_release() frees them (and is safe on a zeroed problem). */
#ifndef LAB_PROBLEM_H
#define LAB_PROBLEM_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "band.h"
#include "config.h"
#include "data.h"
#include "mlp.h"

typedef struct lab_problem {
    lab_mlp *teacher;     /* normalised: outputs of mean 0, variance 1 on the test inputs */
    lab_dataset *test;    /* data.test_size points, noiseless labels */
    lab_dataset *train;   /* n points, labels with teacher.label_noise (NULL online) */
    double var;           /* the variance of the test labels (1 up to rounding) */
    /* Online only (lab_problem_make_online()): where fresh points come from. */
    gsl_rng *r_train, *r_noise; /* the training inputs' and the label noise's streams */
    lab_mlp_work *label_w;      /* the teacher's workspace */
    int dist;                   /* enum lab_dist */
    double noise;               /* teacher.label_noise */
    lab_band *band;             /* the training inputs' filter (band.h), or NULL */
} lab_problem;

/* Draw the problem of cell config c. LAB_ENOMEM, or LAB_ENUMERIC when the
 * teacher's outputs are constant or not finite, with a message. */
int lab_problem_make(const lab_config *c, lab_problem *p, char *err, size_t errlen);
void lab_problem_release(lab_problem *p);

/* The problem of c for online training (train.online): the teacher and the
 * test set, but no training set: lab_problem_draw() labels fresh points as
 * they are needed, the training stream's rows in order with the label
 * noise's draws in order, so the first n points drawn are exactly the
 * training set of size n that lab_problem_make() holds. */
int lab_problem_make_online(const lab_config *c, lab_problem *p, char *err, size_t errlen);

/* Fill batch (batch->n rows of the problem's input dimension) with the next
 * fresh points of an online problem. */
void lab_problem_draw(lab_problem *p, lab_dataset *batch);

/* The bytes of a dataset of n points in D dimensions, and the most that
 * lab_problem_make() holds at once for c with n training points (c->n, or
 * another n for a problem drawn like c's; 0 online): both datasets, the
 * teacher, and the scratch it labels them with. */
double lab_dataset_bytes(double n, double D);
double lab_problem_bytes(const lab_config *c, double n);

/* The teacher's parameter count and its widest hidden layer. */
size_t lab_problem_teacher_params(const lab_config *c);
long lab_problem_teacher_width(const lab_config *c);

#endif
