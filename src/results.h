/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The results table: one row per row of a cell, as tab-separated text.
 *
 * A table is one header row of column names, then data rows, and nothing
 * else (no "#" lines: what produced it is beside it, provenance.h), so that
 * any TSV reader loads it as it is. The columns are the axes of the sweep,
 * in table order (config.h), each value written as its canonical text,
 * then the kind's columns (kind.h). Numbers are written with %.17g
 * (exact round trip) and NaN as "nan". Columns ending in "_s" are timings:
 * they are the only ones that may differ between two runs of the same
 * config. The rows of a cell are written together and sorted by cell.
 *
 * In memory, a lab_results holds the rows of every cell of a config that are
 * known so far. Reading a file adds what it has: a cell counts only when all
 * its rows are there (a crash can leave part of a cell, or half a line,
 * which are dropped so the cell runs again), and a cell already complete
 * keeps its first rows.
 *
 * Ownership: a lab_results from lab_results_alloc() is freed with
 * lab_results_free(); it borrows the config, which must outlive it. */
#ifndef LAB_RESULTS_H
#define LAB_RESULTS_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "kind.h"
#include "strbuf.h"

/* The header row of c's table (column names separated by tabs, no
 * newline), appended to b. */
void lab_results_header(const lab_config *c, lab_strbuf *b);

/* Write the rows of cell `cell`, newline-terminated. */
void lab_results_write(FILE *f, const lab_config *c, size_t cell, const lab_rows *rows);

typedef struct lab_results {
    const lab_config *c;
    size_t ncells;
    size_t ncols;         /* the kind's columns */
    size_t *nrows;        /* rows each cell has */
    double **rows;        /* per cell, nrows x ncols values; NULL while missing */
    size_t complete;      /* cells with all their rows */
    size_t **sorted;      /* per axis, its value indices in the order of their text */
} lab_results;

/* An empty table for c's sweep (rows per cell asked of the kind). NULL when
 * out of memory. */
lab_results *lab_results_alloc(const lab_config *c);
void lab_results_free(lab_results *t);

/* Parse one data row of t's table (a trailing newline is allowed): its cell
 * and its kind values (the kind's ncolumns). Returns 0, or -1 when the row is
 * malformed (a field missing, too many fields, a value of the wrong type)
 * or names a value that is not on an axis. */
int lab_results_parse(const lab_results *t, const char *line, size_t *cell, double *values);

/* The rows of cell i, as a lab_rows view (v is NULL while missing). */
lab_rows lab_results_cell(const lab_results *t, size_t i);

/* Set the rows of cell i (copied). LAB_ENOMEM when out of memory. */
int lab_results_set(lab_results *t, size_t i, const double *values);

/* What reading a file found. */
typedef struct lab_results_read_info {
    int missing;          /* the file does not exist */
    size_t added;         /* cells it completed */
    size_t dropped;       /* malformed rows, and rows of cells it left incomplete */
    long bad_line;        /* the line of the first malformed row (0: none) */
} lab_results_read_info;

/* Add the complete cells of the table at path. A missing file adds nothing
 * (info->missing). A malformed row (a field missing or extra, a value of the
 * wrong type or not on its axis, a NUL byte) is dropped and counted.
 * LAB_EFORMAT when the header row is not c's (another version, another
 * kind, other axes) or the table starts with "#" lines (an older lab's),
 * LAB_EIO when it cannot be read, each with a message naming file and
 * line. */
int lab_results_read(lab_results *t, const char *path, lab_results_read_info *info,
                     char *err, size_t errlen);

/* Write the whole table, sorted by cell, through a temporary file: the
 * header row, then the rows of every complete cell. */
int lab_results_write_file(const lab_results *t, const char *path, char *err, size_t errlen);

#endif
