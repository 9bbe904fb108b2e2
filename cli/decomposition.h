/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The error decomposition of a run folder (analysis/decompose.h): what
 * `lab decompose RUNDIR` and the report of an error_sources run write.
 *
 *   decomposition.tsv            per group (every swept axis but the seed) the
 *                                measured error and its parts, with bootstrap
 *                                intervals over seeds (fit.bootstrap resamples)
 *   decomposition_exponents.tsv  per curve along n and per part, the log-log
 *                                slope and whether it is a power law
 *                                (analysis/powerlaw.h), with the local slopes
 *   figures/decomposition.*      each part against n, a line per curve
 *   figures/decomposition_shares.*  the parts' shares, stacked per (curve, n)
 *
 * Tables are written whole or not at all (fileio.h). Nothing here prints:
 * a warning (gnuplot missing) comes back in `warning`.
 *
 * Ownership: nothing allocated crosses this interface. */
#ifndef LAB_DECOMPOSITION_H
#define LAB_DECOMPOSITION_H

#include <signal.h>
#include <stddef.h>

#include "config.h"
#include "table.h"

/* Write the decomposition of table t (rundir's results, of config c) into
 * rundir. info, when not NULL, gets one line saying what dominates at the
 * largest n. LAB_EIO naming the file when one cannot be written,
 * LAB_EFORMAT when the table lacks the error_sources columns,
 * LAB_EINTERRUPTED once *stop is set. */
int lab_decomposition_report(const char *rundir, const lab_config *c, const lab_table *t,
                             volatile sig_atomic_t *stop, char *info, size_t infolen,
                             char *warning, size_t warnlen, char *err, size_t errlen);

#endif
