/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kind "student": train one MLP student on a cell's problem and measure
 * its errors. One row per cell.
 *
 * Its section [student] (width, depth, activation, init, init_noise) is open
 * to other kinds that train students: they list lab_student_section among
 * their own. The student's width and depth are always axes.
 *
 * Its section [refine] (method, iters, xtol, gtol) says whether the student,
 * once trained, is refined to convergence by the reference optimiser
 * (refine.h); then train_error and test_error are the refined errors. The
 * columns stay those of an unrefined run (a kind's columns are fixed, and a
 * table without refinement must not change). */
#ifndef LAB_KIND_STUDENT_H
#define LAB_KIND_STUDENT_H

#include <gsl/gsl_rng.h>

#include "config.h"
#include "kind.h"
#include "mlp.h"
#include "problem.h"
#include "refine.h"
#include "train.h"

/* The values of [student]. */
typedef struct lab_student_params {
    long width;     /* hidden width M */
    long depth;     /* number of hidden layers L */
    int act;        /* enum lab_act */
    int init;       /* enum lab_init, or LAB_STUDENT_INIT_TEACHER */
    double init_noise; /* std of N(0, init_noise^2) added to every initial parameter */
    int project;    /* enum lab_student_project */
} lab_student_params;

/* student.project (THEORY.md section 10.1), with data.bandlimit = B:
 *   none  the student sees the d inputs
 *   band  its first layer sees the D_B coordinates of the inputs in an
 *         orthonormal basis Q of the band (lab_band_coords: z = Q^T x); its
 *         first-layer weights start at V = W Q, W drawn as for the d inputs,
 *         so it computes what a full student of weights W Q Q^T computes
 *   init  the full student, its initial first-layer weights projected onto
 *         the band: W Q Q^T (lab_band_project) */
enum lab_student_project { LAB_PROJECT_NONE, LAB_PROJECT_BAND, LAB_PROJECT_INIT,
                           LAB_NPROJECT };

/* student.init = teacher: the student starts as the cell's normalised
 * teacher embedded with zero padding (lab_mlp_embed()), which it must
 * contain: the same depth and activation, every hidden layer as wide. */
#define LAB_STUDENT_INIT_TEACHER LAB_NINIT

/* The student of a cell starts from its init (with init_noise): drawn from
 * r, or planted at the problem's teacher. LAB_EINVAL when a planted student
 * cannot contain the teacher. */
int lab_student_start(const lab_student_params *sp, const lab_problem *prob,
                      lab_mlp *student, gsl_rng *r);

/* The values of [refine]. */
typedef struct lab_refine_keys {
    int method;     /* enum lab_refine_method */
    long iters;     /* iteration budget */
    double xtol, gtol;
} lab_refine_keys;

extern const lab_section lab_student_section;
extern const lab_section lab_refine_section;
extern const lab_kind lab_kind_student;

/* The student of a cell config: its [student] values and its parameter count. */
const lab_student_params *lab_student_of(const lab_config *c);
size_t lab_student_params_count(const lab_config *c);
/* The inputs its first layer sees: D_B under student.project = band, else d. */
size_t lab_student_inputs(const lab_config *c);

/* The trainer's parameters from c's [train] keys, for a run of `steps`
 * steps (the cosine schedule's horizon too); online as train.online says. */
lab_train_params lab_student_train_params(const lab_config *c, long steps);

/* The student kind's checks, for other kinds that train students: a planted
 * student must contain its teacher in every cell that plants one, a
 * refined one needs its training set (not online), and student.project
 * stays none (only the student kind projects). LAB_ECONFIG with a located
 * message. */
int lab_student_check(const lab_config *c, char *err, size_t errlen);

/* The refiner's parameters of a cell config: [refine] over
 * lab_refine_default_params(). */
lab_refine_params lab_refine_params_of(const lab_config *c);

#endif
