/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Summaries over seeds: the mean, spread and count of every (n, width, depth)
 * cell of a results table, and the curves that figures draw from them.
 *
 * Diverged rows are counted but left out of the statistics. Standard
 * deviations are the sample ones (n - 1), NaN for a single seed.
 *
 * Ownership: a lab_summary from lab_summary_make() is freed with
 * lab_summary_free() (NULL is fine). */
#ifndef LAB_SUMMARY_H
#define LAB_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "table.h"

typedef struct lab_summary_row {
    long n, width, depth;  /* the group */
    long params;           /* student parameters */
    size_t count;          /* rows that finished ("ok") */
    size_t diverged;       /* rows that diverged */
    double test_mean, test_sd, test_min, test_max;
    double train_mean, train_sd;
    double steps_mean;
} lab_summary_row;

typedef struct lab_summary {
    size_t nrows;
    lab_summary_row *rows; /* sorted by depth, width, n */
} lab_summary;

/* Group a results table (the columns of results.tsv). LAB_EFORMAT with a
 * message when columns are missing or cells malformed. */
int lab_summary_make(const lab_table *results, lab_summary **out, char *err, size_t errlen);
void lab_summary_free(lab_summary *s);

/* Write summary.tsv: a header row and one row per group, %.17g numbers. */
void lab_summary_write(const lab_summary *s, FILE *f);

/* Curves for figures, as gnuplot data blocks separated by two blank lines.
 * by_width: one block per (width, depth), x = n; otherwise one block per
 * (n, depth), x = width. Rows: x mean min max count. Groups with no finished
 * row are left out. The blocks' titles ("w=8", or "w=8,L=2" when several
 * depths are present) are written space-separated to titles. Returns the
 * number of blocks. */
size_t lab_summary_write_curves(const lab_summary *s, int by_width, FILE *data, FILE *titles);

#endif
