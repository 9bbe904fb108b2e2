/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report of a prune run (src/kind_prune.c, THEORY.md section 11.3), on
 * top of the generic figures (error against density, a line per width):
 *
 *   prune_contours.tsv           a row per (swept values, round): every
 *                                swept axis but the seed (width and depth
 *                                among them), round, density, kept, the
 *                                geometric mean, minimum and maximum of the
 *                                test error over the seeds whose round
 *                                finished (status ok, error finite and > 0)
 *                                and their number (seeds; 0 and nan errors
 *                                when none did)
 *   figures/prune_contours.*     iso-error lines over (log width, log
 *                                density): log10 of the geometric mean, a
 *                                line at every decade, a panel per value of
 *                                the other swept axes (depth, control, ...);
 *                                drawn for the panels whose grid is whole
 *                                (every width at every round, two widths
 *                                and two rounds at least), else skipped
 *   figures/prune_controls.*     when prune.control is swept: the error
 *                                against density, a line per control, a
 *                                panel per value of the other swept axes
 *                                (width, depth, ...)
 *
 * The figures draw from figures/prune_contours.dat and prune_controls.dat,
 * written from the same means as the table. Nothing here prints: gnuplot's
 * absence comes back in warning, a line naming what was written in info.
 *
 * Ownership: nothing allocated crosses this interface. */
#ifndef LAB_PRUNE_REPORT_H
#define LAB_PRUNE_REPORT_H

#include <signal.h>
#include <stddef.h>

#include "config.h"
#include "table.h"

/* Write the files above for table t (rundir's results, of config c, whose
 * axis columns hold values of c's axes). LAB_EIO naming the file when one
 * cannot be written, LAB_EFORMAT when the table lacks the prune columns or
 * an axis value is not one of c's, LAB_ENOMEM, LAB_EINTERRUPTED once *stop
 * is set (stop may be NULL). */
int lab_prune_report(const char *rundir, const lab_config *c, const lab_table *t,
                     volatile sig_atomic_t *stop, char *info, size_t infolen,
                     char *warning, size_t warnlen, char *err, size_t errlen);

#endif
