/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report of a perceptron run (src/kind_perceptron.c) against the exact
 * large-N theory (analysis/perceptron_theory.h, THEORY.md sections 5.1 and
 * 5.3):
 *
 *   theory.tsv                        learner, alpha, test_error, overlap,
 *                                     kappa on a grid of alpha spanning the
 *                                     run's, the run's own values included
 *   figures/perceptron_theory.*       the test error against alpha per
 *                                     learner: the mean over seeds as points
 *                                     with a band of one standard deviation,
 *                                     the theory as lines
 *   figures/perceptron_decomposition.*  Bayes's error (the uncertainty, the
 *                                     lower limit given the data) and each
 *                                     other learner's excess over it on the
 *                                     same teacher and data (its learning
 *                                     deficiency), with the theory's
 *
 * The alpha of a cell is P / D, D the dimension its inputs span: N, or D_B
 * on band-limited inputs (THEORY.md section 10.1), where every learner is
 * the same learner in D_B dimensions; cells trained band-limited and
 * tested on the full band are left out (no theory describes them).
 *
 * Nothing here prints: a warning (gnuplot missing) comes back in warning,
 * one line on how far the simulation is from the theory in info.
 *
 * Ownership: nothing allocated crosses this interface. */
#ifndef LAB_PERCEPTRON_REPORT_H
#define LAB_PERCEPTRON_REPORT_H

#include <signal.h>
#include <stddef.h>

#include "config.h"
#include "table.h"

/* Write the files above for table t (rundir's results, of config c).
 * LAB_EIO naming the file when one cannot be written, LAB_EFORMAT when the
 * table lacks the perceptron columns, LAB_ENUMERIC when the theory fails,
 * LAB_EINTERRUPTED once *stop is set. The pruned rows go to
 * lab_dataprune_report() (dataprune_report.h) with jobs, its worker
 * processes. */
int lab_perceptron_report(const char *rundir, const lab_config *c, const lab_table *t, int jobs,
                          volatile sig_atomic_t *stop, char *info, size_t infolen,
                          char *warning, size_t warnlen, char *err, size_t errlen);

#endif
