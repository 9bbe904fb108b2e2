/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report of a run folder: from RUNDIR/results.tsv, summary.tsv, the
 * figures of [plot] curves and the fits of [fit] (fits.tsv and its
 * companions).
 *
 * The summary groups rows by every axis except the replicates (the seed and
 * the initialisation seed), and by the kind's key columns; a figure draws the kind's error against an axis with a line
 * per value of another (and of every other swept axis); a per-curve fit
 * runs along fit.x, one curve per value of every other swept axis; a joint
 * fit runs over n and the model size, one per value of every swept axis that
 * does not set the model's size. Kinds that learn a random teacher also get
 * baseline.tsv, the teachers' linear baseline (baseline.h), drawn on the
 * figures and said through the info hook.
 *
 * Nothing here prints: warnings go through the hook, errors come back with a
 * message. */
#ifndef LAB_REPORT_H
#define LAB_REPORT_H

#include <signal.h>
#include <stddef.h>

#include "config.h"

typedef struct lab_report_hooks {
    void (*warn)(void *ctx, const char *message); /* may be NULL */
    void (*info)(void *ctx, const char *message); /* what the run found; may be NULL */
    void *ctx;
    volatile sig_atomic_t *stop; /* the caller's stop flag, or NULL */
    int jobs; /* worker processes for the theory of pruned data (dataprune_report.h);
               * <= 1: none, all in this process */
} lab_report_hooks;

/* Write the report of the run in rundir, whose config is c. Fits that fail
 * and missing gnuplot are warnings; a table that cannot be read or written
 * returns its status with a message. Once h->stop is set, the report ends
 * at the fits' next iteration or before the next file: LAB_EINTERRUPTED,
 * each file it wrote whole, the others as they were. */
int lab_report_write(const char *rundir, const lab_config *c, const lab_report_hooks *h,
                     char *err, size_t errlen);

#endif
