/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the table reader (analysis/table.c), TSV and CSV, and what
 * callers do with a table: numbers, missing values, whole columns, rows
 * dropped. A table read has ncols names, nrows * ncols cells and rising
 * line numbers. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "status.h"
#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lab_table *t;
    char err[1024];
    int rc = lab_table_read(fuzz_file(data, size), &t, err, sizeof err);
    fuzz_check(rc == LAB_OK || rc == LAB_EFORMAT, "a bad table is LAB_EFORMAT");
    if (rc != LAB_OK)
        return 0;
    fuzz_check(t->ncols > 0, "a header has a column");
    for (size_t r = 0; r < t->nrows; r++) {
        fuzz_check(r == 0 || t->lines[r] > t->lines[r - 1], "rows in file order");
        for (size_t c = 0; c < t->ncols; c++) {
            double v;
            const char *cell = lab_table_cell(t, r, c);
            fuzz_check(cell != NULL, "every cell");
            rc = lab_table_number(t, r, c, &v, err, sizeof err);
            fuzz_check(rc == LAB_OK || rc == LAB_EFORMAT, "a bad number is LAB_EFORMAT");
            (void)lab_table_missing(cell);
        }
    }
    double *col = malloc((t->nrows ? t->nrows : 1) * sizeof *col);
    fuzz_check(col != NULL, "malloc");
    lab_table_column(t, t->names[0], col, err, sizeof err);
    lab_table_column(t, "no such column", col, err, sizeof err);
    free(col);
    const char *names[2] = { t->names[0], t->names[t->ncols - 1] };
    size_t before = t->nrows;
    char note[512];
    size_t dropped = lab_table_drop_missing(t, names, 2, note, sizeof note);
    fuzz_check(dropped + t->nrows == before && (dropped == 0) == (note[0] == '\0'),
               "dropped rows are counted and said");
    /* Names are looked up as lab_table_col() does: the first of a name. */
    size_t c0 = (size_t)lab_table_col(t, names[0]), c1 = (size_t)lab_table_col(t, names[1]);
    for (size_t r = 0; r < t->nrows; r++)
        fuzz_check(!lab_table_missing(lab_table_cell(t, r, c0))
                   && !lab_table_missing(lab_table_cell(t, r, c1)),
                   "no row left with a missing value");
    lab_table_free(t);
    return 0;
}
