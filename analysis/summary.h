/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Summaries over seeds: the rows of a results table grouped by every column
 * that names the group (the sweep's axes except the replicates, and a kind's
 * key columns), with the mean, spread and count of each measured column; and the
 * curves that figures draw from them.
 *
 * Groups are compared as text, never as numbers, and ordered as the table
 * first shows their values (a results table is in cell order, so this is
 * the config's order), the last group column outermost: with the columns
 * n, width, depth, the summary lists depth, then width, then n.
 *
 * Rows whose status column is not "ok" are counted as diverged and left out
 * of the statistics. Standard deviations are the sample ones (n - 1), NaN
 * for a single row. summary.tsv writes NaN as NA, which pandas, R and
 * gnuplot all read as a missing value.
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
    LAB_SUM_FULL     /* name_mean, name_std, name_min, name_max, name_gmean, and
                        name_slope_X when the spec names a slope axis X */
};

/* A group's values of a measured column, in this order. The geometric mean
 * exp(mean(log y)) is what a log axis shows (0 when some y is 0, NaN when
 * some y is negative). The local slope is d log(gmean) / d log(X) from this
 * group's X to the next larger X of the same curve (the groups that agree on
 * every other group column): a secant over one step of the sweep, e.g. one
 * doubling of n, not a chord across the whole curve; NaN at a curve's last
 * point and where a gmean is not > 0. */
enum lab_sum_slot {
    LAB_SLOT_MEAN, LAB_SLOT_SD, LAB_SLOT_MIN, LAB_SLOT_MAX, LAB_SLOT_GMEAN, LAB_SLOT_SLOPE,
    LAB_SUM_SLOTS
};

typedef struct lab_summary_spec {
    const char *const *group;    /* the columns that name a group */
    size_t ngroup;
    const char *status;          /* "ok" marks a finished row; NULL: every row is */
    const char *const *cols;     /* measured columns */
    const enum lab_sum_stat *stats;
    size_t ncols;
    const char *slope_x;         /* a numeric group column for local slopes, or NULL */
} lab_summary_spec;

typedef struct lab_summary_group {
    char **key;                  /* ngroup texts */
    size_t *rank;                /* ngroup ranks: the order the table first shows each */
    size_t count;                /* finished rows */
    size_t diverged;             /* the others */
    double *v;                   /* per measured column, LAB_SUM_SLOTS values
                                    (enum lab_sum_slot; SAME: the value in slot 0) */
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

/* Write summary.tsv: a header row and one row per group, %.17g numbers, NA
 * for NaN. */
void lab_summary_write(const lab_summary *s, FILE *f);

/* What a figure's curves show: the measured column y (a LAB_SUM_FULL one)
 * against the group column x, one curve per value of the group column
 * `series` (NULL: none) and of every other group column that takes several
 * values. `labels[i]` names group column i in the curves' titles (NULL: the
 * column names). `per` names a LAB_SUM_SAME column that x is divided by
 * (e.g. n / params), or NULL; `mark` names a LAB_SUM_SAME column written on
 * every row (e.g. params, for a mark at n = params), or NULL. */
typedef struct lab_curve_spec {
    const char *x, *y, *series;
    const char *const *labels;
    const char *per, *mark;
} lab_curve_spec;

/* Write the curves as gnuplot data blocks separated by two blank lines, one
 * "#" line naming each. Rows: x gmean min max count mean mark (NA without
 * one); groups with no finished row, and x values that are not numbers > 0
 * (a log axis cannot show them), are left out. Each block's title, e.g.
 * "w=8" or "w=8,L=2", is written space-separated to titles. Returns the
 * number of blocks, or 0 when a column is not in the summary. */
size_t lab_summary_write_curves(const lab_summary *s, const lab_curve_spec *cs, FILE *data,
                                FILE *titles);

/* The number of distinct values group column i takes. */
size_t lab_summary_distinct(const lab_summary *s, size_t i);

#endif
