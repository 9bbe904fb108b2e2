/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading TSV and CSV tables, and the errors on bad ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "status.h"
#include "table.h"
#include "tap.h"

static char path[64];

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        bail("cannot write %s", path);
}

static int read_text(const char *text, lab_table **t, char *err, size_t len)
{
    write_file(text);
    return lab_table_read(path, t, err, len);
}

/* The same with len bytes of text, NUL bytes included. */
static int read_bytes(const char *text, size_t n, lab_table **t, char *err, size_t len)
{
    FILE *f = fopen(path, "w");
    if (!f || fwrite(text, 1, n, f) != n || fclose(f) != 0)
        bail("cannot write %s", path);
    return lab_table_read(path, t, err, len);
}

int main(void)
{
    plan(19);
    snprintf(path, sizeof path, "table-t-%ld.tmp", (long)getpid());
    lab_table *t;
    char err[512];
    double v[4];

    int rc = read_text("# provenance\n# more\nn\tloss\tnote\n64\t0.5\ta b\n\n128\tnan\tc\n",
                       &t, err, sizeof err);
    ok(rc == 0 && t->ncols == 3 && t->nrows == 2 && t->lines[1] == 6,
       "TSV: comments and blank lines skipped, rows keep their line numbers");
    rc = lab_table_column(t, "loss", v, err, sizeof err);
    ok(rc == 0 && v[0] == 0.5 && isnan(v[1]), "numeric columns, nan included");
    is_string("a b", lab_table_cell(t, 0, 2), "TSV cells keep their spaces");
    rc = lab_table_column(t, "size", v, err, sizeof err);
    ok(rc != 0 && strstr(err, ": no column \"size\" (columns: n, loss, note)"),
       "a missing column lists the columns");
    rc = lab_table_column(t, "note", v, err, sizeof err);
    char want[256];
    snprintf(want, sizeof want, "%s:4: note: \"a b\" is not a number", path);
    is_string(want, err, "a non-numeric cell names file, line and column");
    lab_table_free(t);

    rc = read_text("x, \"Model Size\",y\r\n1, \"a, \"\"b\"\"\", 2.5\r\n", &t, err, sizeof err);
    ok(rc == 0 && t->ncols == 3 && strcmp(t->names[1], "Model Size") == 0
       && strcmp(lab_table_cell(t, 0, 1), "a, \"b\"") == 0
       && strcmp(lab_table_cell(t, 0, 2), "2.5") == 0,
       "CSV: quoted fields, doubled quotes, CRLF, blanks around fields");
    lab_table_free(t);

    rc = read_text("a,b\n1,2\n3\n", &t, err, sizeof err);
    snprintf(want, sizeof want, "%s:3: 1 fields where the header has 2", path);
    ok(rc != 0 && t == NULL && strcmp(err, want) == 0, "a short row is reported with its line");
    rc = read_text("a,b\n\"1,2\n", &t, err, sizeof err);
    snprintf(want, sizeof want, "%s:2: bad quoting", path);
    is_string(want, err, "an unterminated quote is reported");
    static const char nul[] = "n,loss\n1,2\n3,4\0junk\n5,6\n";
    rc = read_bytes(nul, sizeof nul - 1, &t, err, sizeof err);
    snprintf(want, sizeof want, "%s:3: a NUL byte (a binary or damaged file?)", path);
    ok(rc == LAB_EFORMAT && t == NULL && strcmp(err, want) == 0,
       "a NUL byte inside a line is a malformed line, named by file and line (%s)", err);

    /* A spreadsheet's CSV: a byte-order mark, missing values of every kind. */
    rc = read_text("\xEF\xBB\xBFn,loss,note\n64,0.5,\n128,NA,a\n256, ,b\n512,nan,c\n,0.2,d\n"
                   "1024,0.1,e\n2048,N/A,f\n4096,0.05,NA\n8192,NaN,g\n16384,0.01,h\n",
                   &t, err, sizeof err);
    ok(rc == 0 && t->ncols == 3 && strcmp(t->names[0], "n") == 0 && t->nrows == 10,
       "a UTF-8 byte-order mark is not part of the first column's name (%s)",
       rc ? err : t->names[0]);
    const char *cols[] = { "loss", "n", "size", "loss" };
    char note[256];
    size_t dropped = lab_table_drop_missing(t, cols, 4, note, sizeof note);
    snprintf(want, sizeof want, "%s: skipped 6 rows with missing values in loss or n", path);
    ok(dropped == 6 && t->nrows == 4 && strcmp(note, want) == 0,
       "rows with empty, blank, NA, N/A, nan or NaN in the columns asked for are dropped, "
       "counted and their columns named (%s)", note);
    ok(strcmp(lab_table_cell(t, 0, 0), "64") == 0 && strcmp(lab_table_cell(t, 3, 1), "0.01") == 0
       && t->lines[0] == 2 && t->lines[1] == 7 && t->lines[2] == 9 && t->lines[3] == 11,
       "the other columns do not matter, and rows keep their line numbers");
    rc = lab_table_column(t, "loss", v, err, sizeof err);
    ok(rc == 0 && v[0] == 0.5 && v[3] == 0.01, "what is left reads as numbers");
    ok(lab_table_drop_missing(t, cols, 2, note, sizeof note) == 0 && note[0] == '\0',
       "nothing more to drop, nothing said");
    lab_table_free(t);
    ok(lab_table_missing("  <NA> ") && lab_table_missing("#N/A") && lab_table_missing("None")
       && lab_table_missing("NULL") && lab_table_missing("-nan") && !lab_table_missing("0")
       && !lab_table_missing("nano") && !lab_table_missing("inf"),
       "what counts as missing: R's, pandas' and spreadsheets' ways of writing none");

    /* A TSV with a byte-order mark and a comment line. */
    rc = read_text("\xEF\xBB\xBF# from a spreadsheet\nx\ty\n1\t2\n", &t, err, sizeof err);
    ok(rc == 0 && t->ncols == 2 && strcmp(t->names[0], "x") == 0 && t->nrows == 1,
       "a byte-order mark before a comment line is skipped too");
    lab_table_free(t);

    rc = read_text("# only comments\n", &t, err, sizeof err);
    snprintf(want, sizeof want, "%s: no header row", path);
    is_string(want, err, "a file without a header row is refused");
    remove(path);
    rc = lab_table_read(path, &t, err, sizeof err);
    ok(rc != 0 && strstr(err, "No such file"), "a missing file is reported");
    lab_table_free(NULL);
    ok(1, "lab_table_free(NULL) is a no-op");
    return 0;
}
