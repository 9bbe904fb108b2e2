/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tables read from TSV or CSV files with a header row: the input of every
 * analysis, whether the lab wrote the table or a user brought it.
 *
 * Lines starting with '#' and blank lines are skipped, and so is a UTF-8
 * byte-order mark at the start (spreadsheets write one). The separator is a
 * tab when the header row holds one, else a comma; CSV fields may be quoted
 * ("a, b" and "say ""hi"""). Every row must have as many fields as the
 * header, and no line may hold a NUL byte. Cells stay text until a caller
 * asks for a number, so errors can name the file, the line and the column.
 * Missing values (empty cells, NA, nan, ...) are the caller's to skip where
 * they matter: lab_table_drop_missing().
 *
 * Ownership: a table from lab_table_read() owns all its strings; free it
 * with lab_table_free() (NULL is fine). */
#ifndef LAB_TABLE_H
#define LAB_TABLE_H

#include <stddef.h>

typedef struct lab_table {
    char *path;      /* the file it came from */
    size_t ncols;    /* number of columns */
    size_t nrows;    /* number of data rows */
    char **names;    /* ncols column names */
    char **cells;    /* nrows * ncols cells, row-major */
    long *lines;     /* the file line of each row, for messages */
} lab_table;

/* Read path. LAB_EIO when it cannot be read, LAB_EFORMAT with
 * "file:line: what is wrong" otherwise (a row of another length, bad
 * quoting, a NUL byte, no header row). */
int lab_table_read(const char *path, lab_table **out, char *err, size_t errlen);
void lab_table_free(lab_table *t);

/* The index of column name, or -1. */
long lab_table_col(const lab_table *t, const char *name);

/* The text of a cell. */
const char *lab_table_cell(const lab_table *t, size_t row, size_t col);

/* A numeric cell ("nan" reads as NaN). LAB_EFORMAT with
 * "file:line: column: "text" is not a number" otherwise. */
int lab_table_number(const lab_table *t, size_t row, size_t col, double *v,
                     char *err, size_t errlen);

/* Whether a cell holds no value, as R, pandas and spreadsheets write one:
 * empty (or blanks only), NA, N/A, #N/A, <NA>, nan (with a sign or not),
 * NULL or None, in any case. */
int lab_table_missing(const char *cell);

/* Drop the rows that have a missing value in any of the n columns named
 * (names the table lacks are ignored: the caller reports those); other
 * columns do not matter. Returns the number of rows dropped; when there are
 * any, note says so ("data.csv: skipped 3 rows with missing values in
 * test_error or n", naming the columns that had them), else it is empty. */
size_t lab_table_drop_missing(lab_table *t, const char *const *names, size_t n, char *note,
                              size_t notelen);

/* A whole column by name into out (nrows values). LAB_EFORMAT when the
 * column is missing (the message lists the columns) or a cell is not a
 * number. */
int lab_table_column(const lab_table *t, const char *name, double *out,
                     char *err, size_t errlen);

#endif
