/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The results table: one row per trained student, as tab-separated text.
 *
 * results.tsv starts with "# " provenance lines, then one header row of
 * column names, then data rows. Numbers are written with %.17g (exact round
 * trip) and NaN as "nan". Columns ending in "_s" are timings: they are the
 * only ones that may differ between two runs of the same config. */
#ifndef LAB_RESULTS_H
#define LAB_RESULTS_H

#include <stddef.h>
#include <stdio.h>

#include "train.h"

enum lab_row_status { LAB_ROW_OK, LAB_ROW_DIVERGED, LAB_NROW };
extern const char *const lab_row_status_names[LAB_NROW];

typedef struct lab_row {
    long n, width, depth, seed; /* the cell */
    long params;                /* student parameter count */
    double train_error;         /* training MSE / teacher variance */
    double test_error;          /* test MSE / teacher variance */
    long steps;                 /* optimizer steps taken */
    int status;                 /* enum lab_row_status */
    int stop;                   /* enum lab_stop: why training ended */
    double wall_s;              /* seconds for the whole cell */
} lab_row;

/* The header row, without newline. */
extern const char lab_results_header[];

/* Write one row, newline-terminated. */
void lab_row_write(FILE *f, const lab_row *r);

/* Parse one data row (no newline needed). 0 on success, -1 if malformed. */
int lab_row_parse(const char *line, lab_row *r);

#endif
