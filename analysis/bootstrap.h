/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bootstrap uncertainty for a fit: refit resamples of the points (or of
 * whole clusters of points, such as the seeds of a sweep), each started at
 * the full fit, and read parameter intervals and prediction bands off the
 * percentiles of the refits.
 *
 * Resample b draws from the PCG stream (seed, LAB_STREAM_BOOTSTRAP, key, b),
 * so the intervals are reproducible and do not depend on the other fits of
 * a run.
 *
 * Ownership: a lab_boot from lab_boot_run() is freed with lab_boot_free(). */
#ifndef LAB_BOOTSTRAP_H
#define LAB_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

#include "fit.h"

typedef struct lab_boot_opts {
    size_t B;              /* resamples */
    uint64_t seed;         /* experiment seed of the streams */
    uint64_t key;          /* distinguishes the fits of one run (group, form) */
    const long *cluster;   /* cluster of each point (resampled whole), or NULL */
} lab_boot_opts;

typedef struct lab_boot {
    size_t np;       /* parameters per refit */
    size_t done;     /* refits that gave a finite loss (rows of theta) */
    size_t failed;   /* refits that did not */
    double *theta;   /* (done, np) */
} lab_boot;

/* Refit B resamples of d, starting each at fit->theta. LAB_EINTERRUPTED
 * (and no lab_boot) when the fitter's stop flag is set (fit.h). */
int lab_boot_run(lab_fitter *w, const lab_fit_data *d, const lab_fit_result *fit,
                 const lab_boot_opts *o, lab_boot **out, char *err, size_t errlen);
void lab_boot_free(lab_boot *b);

/* The central `level` percentile interval of parameter i (NaN when no refit
 * succeeded). */
void lab_boot_interval(const lab_boot *b, size_t i, double level, double *lo, double *hi);

/* The central `level` band of the curve at x over the refits. */
void lab_boot_band(const lab_boot *b, const lab_form *f, const double *x, double level,
                   double *lo, double *hi);

#endif
