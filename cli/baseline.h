/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The linear baseline of a run: eps_OLS (affine.h) for every teacher the
 * sweep draws, written to RUNDIR/baseline.tsv and summarised for the
 * report's message and figures (THEORY.md, "How nonlinear is the teacher?").
 *
 * A teacher is named by the values of the swept keys of [experiment],
 * [teacher] and [data], and the seed; baseline.tsv has one row per teacher:
 * those columns, then eps_ols (the test error of the best affine predictor)
 * and linear_share = 1 - eps_ols (the share of the teacher's output variance
 * that an affine function explains; eps_ols itself is the nonlinear share).
 *
 * Ownership: lab_baseline_make() fills a caller-owned struct and keeps
 * nothing. */
#ifndef LAB_BASELINE_H
#define LAB_BASELINE_H

#include <signal.h>
#include <stddef.h>

#include "config.h"

typedef struct lab_baseline {
    size_t nteachers;   /* rows of baseline.tsv */
    size_t ncurves;     /* distinct teachers but for the seed: 1 when only seeds vary */
    double gmean;       /* over the rows: geometric mean, minimum and maximum of eps_ols */
    double min, max;
} lab_baseline;

/* Compute the baseline of every teacher of c and write rundir/baseline.tsv.
 * LAB_ENOMEM, LAB_ENUMERIC or a write error, with a message. With a stop
 * flag (else NULL), the fits run in a child process, killed once *stop is
 * set: LAB_EINTERRUPTED within a few milliseconds, baseline.tsv untouched. */
int lab_baseline_make(const char *rundir, const lab_config *c, volatile sig_atomic_t *stop,
                      lab_baseline *b, char *err, size_t errlen);

/* The most bytes lab_baseline_make() holds at once for c (for one teacher:
 * they are done one at a time); INFINITY when out of memory. */
double lab_baseline_bytes(const lab_config *c);

/* Whether axis a names a teacher (and its data), as baseline.tsv's rows do:
 * a key of [experiment], [teacher] or [data], or the seed. */
int lab_baseline_names_teacher(const lab_axis *a);

/* Whether cell i of c is the first of its teacher: every other axis at its
 * first value. */
int lab_baseline_first_of_teacher(const lab_config *c, size_t i);

#endif
