/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading TSV and CSV tables, and the errors on bad ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int main(void)
{
    plan(11);
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
