/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report of the pruned rows of a perceptron run (perceptron.prune hard
 * or easy; THEORY.md section 11) against the exact large-N theory of
 * learning from pruned data (analysis/perceptron_theory.h,
 * lab_ptheory_solve_pruned()). A group is the ok rows sharing prune,
 * prune_fraction f, probe_angle theta, prune_metric, learner, alpha
 * (alpha_prune, the kept examples per dimension) and perceptron.dim; a
 * curve is a group without its alpha. Written into the run folder:
 *
 *   prune_theory.tsv    one row per group: prune, prune_fraction,
 *                       probe_angle, prune_metric, learner, alpha,
 *                       alpha_tot (alpha / f), dim, seeds, test_error (the
 *                       mean over seeds), sem (its standard error), theory
 *                       (the solver's error), rel_dev (mean / theory - 1),
 *                       z ((mean - theory) / sem). The run's unpruned rows
 *                       (prune none, not band-limited) come too, against
 *                       the unpruned theory, as one curve at f = 1 and
 *                       theta = 0 (alpha_tot = alpha; a cell the sweep
 *                       repeats for each f counts once per seed). theory is
 *                       nan where none applies: a metric other than margin,
 *                       the learner perceptron, gibbs, bayes or hebb at
 *                       theta > 0, alpha outside (0, 1000].
 *   pareto.tsv          per (prune, probe_angle, prune_metric, learner, dim,
 *                       alpha) with at least two fractions: fractions (how
 *                       many), best_fraction f* (the smallest mean error;
 *                       ties go to the smaller f), test_error and sem at
 *                       f*, alpha_tot = alpha / f*, theory (the solver at
 *                       f*), theory_best_fraction and theory_error (the
 *                       solver's best among the same fractions; nan where
 *                       no theory applies). The frontier of THEORY-SOURCES
 *                       section 5.5 item 4; columns alpha and test_error
 *                       make it a table for `lab fit --x alpha --group
 *                       prune,probe_angle,prune_metric,learner`.
 *   crossover.tsv       per (prune_fraction, probe_angle, prune_metric,
 *                       learner, dim) with keep-hard and keep-easy rows at
 *                       two or more common alphas: a row per sign change of
 *                       d = mean(hard) - mean(easy) between consecutive
 *                       common alphas (alpha_lo, alpha_hi), at alpha, the
 *                       linear interpolation of d, alpha_sem (its standard
 *                       error to first order in the sems of the two means
 *                       at each end; it understates the spread when an
 *                       end's d is within its error of 0), and alpha_tot =
 *                       alpha / f;
 *                       theory_alpha (and theory_alpha_tot): the root of the
 *                       solver's difference (Brent) in the same bracket, or
 *                       when it keeps its sign there, in the bracket of the
 *                       swept alphas nearest the measured crossover where it
 *                       changes; theory_interp: the theory's crossover
 *                       located as the measured one is, by linear
 *                       interpolation of its difference at the bracket's
 *                       ends (the like-for-like comparison: between swept
 *                       alphas d is not linear, keep-hard falls steeply
 *                       near alpha_prune 2). A group without sign change gets one row
 *                       with alpha nan (and the theory's crossover among the
 *                       swept alphas, if any).
 *   figures/prune_theory.*  the error of every curve against alpha_prune,
 *                       log y: means +- sem as points, the theory as lines
 *                       on a grid (48 log-spaced alphas where the solver is
 *                       fast, 12 for gibbs and bayes on pruned data, only the
 *                       run's alphas for maxmargin at theta > 0, 3 s each)
 *   figures/pareto.*    keep-hard error against alpha_prune per f, the
 *                       frontier in bold, the theory's frontier dashed
 *   figures/crossover.* keep-hard and keep-easy against alpha_tot per f
 *   A figure whose table has no row is not drawn.
 *
 * Each theory point is solved once per report (a cache); *stop is checked
 * between solves, not inside one Brent search. The points of maxmargin at
 * theta > 0 (seconds each) are solved first, on `jobs` worker processes
 * (forked, each with a workspace of its own, killed once *stop is set; jobs
 * <= 1: none, all here), the same numbers bit for bit: every point is an
 * independent solve.
 *
 * Nothing here prints: a warning (gnuplot missing, a theory point the
 * solver failed, left nan) comes back in warning, one line on how far the
 * pruned rows are from the theory in info.
 *
 * Ownership: nothing allocated crosses this interface; a lab_ptheory
 * workspace passed in stays the caller's. */
#ifndef LAB_DATAPRUNE_REPORT_H
#define LAB_DATAPRUNE_REPORT_H

#include <signal.h>
#include <stddef.h>

#include "config.h"
#include "perceptron_theory.h"
#include "table.h"

/* Write the files above for table t (rundir's results, of config c). A
 * table without pruned rows writes nothing (info empty). LAB_EIO naming the
 * file when one cannot be written, LAB_EFORMAT when the table lacks the
 * perceptron columns or a test_error is not a number, LAB_ENOMEM,
 * LAB_ECHILD when the workers cannot be watched, LAB_EINTERRUPTED once
 * *stop is set (stop may be NULL). */
int lab_dataprune_report(const char *rundir, const lab_config *c, const lab_table *t, int jobs,
                         volatile sig_atomic_t *stop, char *info, size_t infolen, char *warning,
                         size_t warnlen, char *err, size_t errlen);

/* The places where d changes sign along increasing x (n points), into
 * roots (room for n - 1), returning how many. Between consecutive nonzero
 * values of opposite signs at x[i] and x[k]: the linear interpolation when
 * k = i + 1, else x of the first zero between them; the bracket's ends go
 * to lo and hi (either may be NULL). */
size_t lab_dataprune_sign_changes(size_t n, const double *x, const double *d, double *roots,
                              double *lo, double *hi);

/* The alpha_prune in [lo, hi] where the theory's keep-hard and keep-easy
 * errors of learner are equal (f = fraction, probe angle theta in radians),
 * by GSL's Brent solver to 1e-6 relative. *root is NaN when the difference
 * has the same sign at lo and hi. LAB_EINVAL for arguments the solver
 * refuses, LAB_ENUMERIC when it fails. */
int lab_dataprune_theory_crossover(lab_ptheory *w, enum lab_plearner learner, double fraction,
                               double theta, double lo, double hi, double *root, char *err,
                               size_t errlen);

#endif
