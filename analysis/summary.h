/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Summaries over seeds: the rows of a results table grouped by every column
 * that names the group (the sweep's axes except the seed, and a kind's key
 * columns), with the mean, spread and count of each measured column; and the
 * curves that figures draw from them.
 *
 * Groups are compared as text, never as numbers, and ordered as the table
 * first shows their values (a results table is in cell order, so this is
 * the config's order), the last group column outermost: with the columns
 * n, width, depth, the summary lists depth, then width, then n.
 *
 * Rows whose status column is not "ok" are counted as diverged and left out
 * of the statistics. Standard deviations are the sample ones (n - 1), NaN
 * for a single row.
 *
 * Ownership: a lab_summary from lab_summary_make() owns its texts and is
 * freed with lab_summary_free() (NULL is fine); the spec is borrowed. */
#ifndef LAB_SUMMARY_H
#define LAB_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "table.h"

/* What summary.tsv gives of a measured column. */
enum lab_sum_stat {
    LAB_SUM_SAME,    /* one value per group (the first row's): name */
    LAB_SUM_MEAN,    /* name_mean */
    LAB_SUM_MEANSD,  /* name_mean, name_std */
    LAB_SUM_FULL     /* name_mean, name_std, name_min, name_max */
};

typedef struct lab_summary_spec {
    const char *const *group;    /* the columns that name a group */
    size_t ngroup;
    const char *status;          /* "ok" marks a finished row; NULL: every row is */
    const char *const *cols;     /* measured columns */
    const enum lab_sum_stat *stats;
    size_t ncols;
} lab_summary_spec;

typedef struct lab_summary_group {
    char **key;                  /* ngroup texts */
    size_t *rank;                /* ngroup ranks: the order the table first shows each */
    size_t count;                /* finished rows */
    size_t diverged;             /* the others */
    double *v;                   /* per measured column, 4 slots: mean, sd, min, max
                                    (SAME: the value in slot 0) */
} lab_summary_group;

typedef struct lab_summary {
    const lab_summary_spec *spec;
    size_t nrows;                /* rows of the table (ranks are row numbers below it) */
    size_t ngroups;
    lab_summary_group *groups;   /* in summary order */
} lab_summary;

/* Group table t as spec says. LAB_EFORMAT with a message when a column is
 * missing or a measured cell is not a number. */
int lab_summary_make(const lab_table *t, const lab_summary_spec *spec, lab_summary **out,
                     char *err, size_t errlen);
void lab_summary_free(lab_summary *s);

/* Write summary.tsv: a header row and one row per group, %.17g numbers. */
void lab_summary_write(const lab_summary *s, FILE *f);

/* Curves for a figure, as gnuplot data blocks separated by two blank lines:
 * the measured column y (a LAB_SUM_FULL one) against the group column x,
 * one block per value of the group column `series` (NULL: none) and of every
 * other group column that takes several values. Rows: x mean min max count;
 * groups with no finished row, and x values that are not numbers > 0 (a log
 * axis cannot show them), are left out. Each block's title, e.g. "w=8" or
 * "w=8,L=2" (labels[i] names group column i; NULL: the column names), is
 * written space-separated to titles. Returns the number of blocks, or 0
 * when x or y is not a column of the summary. */
size_t lab_summary_write_curves(const lab_summary *s, const char *x, const char *y,
                                const char *series, const char *const *labels,
                                FILE *data, FILE *titles);

/* The number of distinct values group column i takes. */
size_t lab_summary_distinct(const lab_summary *s, size_t i);

#endif
