/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Result rows round-trip through text exactly, with the axes as columns; bad
 * rows are refused; a table file keeps the first complete rows of a cell and
 * drops what a crash left half-written. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fileio.h"
#include "kind.h"
#include "results.h"
#include "status.h"
#include "tap.h"
#include "train.h"

static const char cfg[] =
    "[student]\nwidth = 64\ndepth = 2\n"
    "[sweep]\nn = 1024, 16384\nseeds = 6..7\ntrain.lr = 0.001, 0.1\n"
    "teacher.widths = 16 | 16, 16\n";

/* Write len bytes of text (which may hold NUL bytes) to a new file and
 * return its path (static buffer). */
static const char *file_with_bytes(const char *text, size_t len)
{
    static char path[64];
    snprintf(path, sizeof path, "results-t-%ld.tmp", (long)getpid());
    FILE *f = fopen(path, "w");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
        bail("cannot write %s", path);
    return path;
}

static const char *file_with(const char *text)
{
    return file_with_bytes(text, strlen(text));
}

int main(void)
{
    plan(20);
    lab_config c;
    char err[512];
    if (lab_config_init(&c) || lab_config_load_string(&c, cfg, "r.cfg", err, sizeof err)
        || lab_config_finish(&c, err, sizeof err))
        bail("config: %s", err);

    lab_strbuf h = LAB_STRBUF_INIT;
    lab_results_header(&c, &h);
    is_string("n\tteacher.widths\twidth\tdepth\ttrain.lr\tseed\tparams\ttrain_error\ttest_error"
              "\tsteps\tstatus\tstop\twall_s", lab_strbuf_str(&h),
              "the header names every axis in table order, then the kind's columns");

    /* Cell 13: n = 16384 (1), widths 16 (0), width, depth, lr 0.1 (1), seed 7 (1). */
    double v[7] = { 5377, 0.1 + 0.2, 1.0 / 3.0, 3000, LAB_ROW_OK, LAB_STOP_TARGET, 1.25 };
    lab_rows rows = { 1, 7, v };
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    lab_results_write(f, &c, 11, &rows);
    fclose(f);
    is_string("16384\t16\t64\t2\t0.1\t7\t5377\t0.30000000000000004\t0.33333333333333331\t3000\tok\t"
              "target\t1.250\n", text, "a row is written with its axes' values and %%.17g numbers");
    double back[7];
    size_t cell;
    lab_results *tab = lab_results_alloc(&c);
    ok(lab_results_parse(tab, text, &cell, back) == 0 && cell == 11
       && memcmp(back, v, 6 * sizeof *v) == 0, "and reads back to the same cell and values");
    free(text);

    ok(lab_results_parse(tab, "1024\t16,16\t64\t2\t0.001\t6\t37\tnan\tnan\t12\tdiverged\tdiverged"
                             "\t0.010", &cell, back) == 0
       && cell == 4 && isnan(back[2]) && back[4] == LAB_ROW_DIVERGED,
       "a list-valued axis and a diverged row with nan errors parse");
    ok(lab_results_parse(tab, "1024\t16\t64\t2\t0.001\t6\t37\t0.1\t0.2\t12\tok\tsteps", &cell,
                         back) != 0, "a row cut short is refused");
    ok(lab_results_parse(tab, "1024\t16\t64\t2\t0.001\t6\t37\t0.1\t0.2\t12\tfine\tsteps\t0.1",
                         &cell, back) != 0, "an unknown status is refused");
    ok(lab_results_parse(tab, "1024\t16\t64\t2\t0.01\t6\t37\t0.1\t0.2\t12\tok\tsteps\t0.1",
                         &cell, back) != 0, "a value that is not on its axis is refused");
    ok(lab_results_parse(tab, "1024\t16\t64\t2\t0.001\t6\t37\t0.1\t0.2\t12\tok\tsteps\t0.1\tx",
                         &cell, back) != 0, "an extra field is refused");

    /* A timing of 1e300 s (a hand-edited table) read, written and read again:
     * with %.3f it took 305 characters, which the reader refused as
     * malformed (found by fuzz/results.c). */
    double v2[7];
    ok(lab_results_parse(tab, "1024\t16\t64\t2\t0.001\t6\t37\t0.1\t0.2\t12\tok\tsteps"
                              "\t1e300", &cell, v2) == 0, "a huge timing parses");
    f = open_memstream(&text, &len);
    rows = (lab_rows){ 1, 7, v2 };
    lab_results_write(f, &c, cell, &rows);
    fclose(f);
    ok(lab_results_parse(tab, text, &cell, back) == 0 && back[6] == 1e300,
       "and what the lab writes of it parses back to it");
    free(text);

    /* A table file: the header row, two rows of cell 0 (the first wins), a
     * malformed row, a partial last line. */
    lab_strbuf t = LAB_STRBUF_INIT;
    lab_strbuf_printf(&t, "%s\n", lab_strbuf_str(&h));
    lab_strbuf_puts(&t, "1024\t16\t64\t2\t0.001\t6\t37\t0.1\t0.2\t12\tok\tsteps\t0.5\n"
                        "1024\t16\t64\t2\t0.001\t6\t37\t0.3\t0.4\t12\tok\tsteps\t0.5\n"
                        "1024\t16\t64\t2\t0.001\t7\t37\t0.3\tgarbage\t12\tok\tsteps\t0.5\n"
                        "16384\t16\t64\t2\t0.001\t6\t37\t0.3\t0.4");
    const char *path = file_with(lab_strbuf_str(&t));
    lab_results_free(tab);
    tab = lab_results_alloc(&c);
    lab_results_read_info info;
    int rc = lab_results_read(tab, path, &info, err, sizeof err);
    ok(rc == 0 && tab->complete == 1 && tab->rows[0] && tab->rows[0][1] == 0.1
       && info.dropped == 2 && info.bad_line == 4,
       "a table keeps a cell's first rows, counts a repeated and a malformed row (line %ld), "
       "drops a partial line (%zu dropped)", info.bad_line, info.dropped);
    lab_results_free(tab);

    /* A NUL byte inside a row: that row is damaged, not the end of the file. */
    lab_strbuf_reset(&t);
    lab_strbuf_printf(&t, "%s\n", lab_strbuf_str(&h));
    lab_strbuf_puts(&t, "1024\t16\t64\t2\t0.001\t6\t37\t0.1\t0.2\t12\tok\tsteps\t0.5\n"
                        "1024\t16\t64\t2\t0.001\t7\t37\t0.1\t0.2\t12\tok\tsteps\t0.5\n"
                        "1024\t16\t64\t2\t0.1\t6\t37\t0.1\t0.2\t12\tok\tsteps\t0.5\n");
    char *nul = strstr(t.s, "0.001\t7") + 3; /* "0.0\0..." */
    *nul = '\0';
    path = file_with_bytes(t.s, t.len);
    tab = lab_results_alloc(&c);
    rc = lab_results_read(tab, path, &info, err, sizeof err);
    ok(rc == 0 && tab->complete == 2 && tab->rows[0] && !tab->rows[1] && info.dropped == 1
       && info.bad_line == 3,
       "a NUL byte makes its row malformed (line %ld) and the rows after it are read "
       "(%zu cells)", info.bad_line, tab->complete);
    lab_results_free(tab);
    *nul = '1';

    /* A NUL byte in the header row, and the "#" lines of an older lab. */
    char *hnul = strchr(t.s, '\t');
    *hnul = '\0';
    path = file_with_bytes(t.s, t.len);
    tab = lab_results_alloc(&c);
    rc = lab_results_read(tab, path, &info, err, sizeof err);
    ok(rc == LAB_EFORMAT && strstr(err, ":1: the table's columns are \"n\" and a NUL byte"),
       "a NUL byte in the header row is refused, naming file and line (%s)", err);
    lab_results_free(tab);
    *hnul = '\t';
    lab_strbuf_reset(&t);
    lab_strbuf_printf(&t, "# lab 0.1.0\n%s\n", lab_strbuf_str(&h));
    path = file_with(lab_strbuf_str(&t));
    tab = lab_results_alloc(&c);
    rc = lab_results_read(tab, path, &info, err, sizeof err);
    ok(rc == LAB_EFORMAT && strstr(err, ":1: a \"#\" line: the table was written by an older "
                                        "lab"), "an older lab's \"#\" header is refused (%s)", err);
    lab_results_free(tab);

    /* A table written whole is its header row and rows, nothing else. */
    tab = lab_results_alloc(&c);
    lab_results_set(tab, 11, v);
    lab_results_set(tab, 0, v);
    rc = lab_results_write_file(tab, path, err, sizeof err);
    text = lab_file_read(path, NULL);
    lab_strbuf_reset(&t);
    lab_strbuf_printf(&t, "%s\n1024\t16\t64\t2\t0.001\t6\t5377\t0.30000000000000004\t"
                      "0.33333333333333331\t3000\tok\ttarget\t1.250\n16384\t16\t64\t2\t0.1\t7"
                      "\t5377\t0.30000000000000004\t0.33333333333333331\t3000\tok\ttarget\t"
                      "1.250\n", lab_strbuf_str(&h));
    ok(rc == 0 && text && strcmp(text, lab_strbuf_str(&t)) == 0,
       "a table is written as its header row, then its cells' rows in cell order");
    free(text);
    lab_results_free(tab);

    /* Another set of axes is another table. */
    lab_strbuf_reset(&t);
    lab_strbuf_puts(&t, "n\twidth\tdepth\tseed\tparams\ttrain_error\ttest_error\tsteps\tstatus"
                        "\tstop\twall_s\n");
    path = file_with(lab_strbuf_str(&t));
    tab = lab_results_alloc(&c);
    rc = lab_results_read(tab, path, &info, err, sizeof err);
    ok(rc != 0 && strstr(err, ":1: the table's columns are \"n\twidth") != NULL,
       "a table with other columns is refused, naming its line (%s)", err);
    lab_results_free(tab);
    remove(path);

    /* A kind with key columns: a cell cut short and then written whole. */
    lab_config lc;
    if (lab_config_init(&lc)
        || lab_config_load_string(&lc, "[experiment]\nkind = linear\n[sweep]\nn = 8\n", "l.cfg",
                                  err, sizeof err)
        || lab_config_finish(&lc, err, sizeof err))
        bail("config: %s", err);
    lab_strbuf_reset(&t);
    lab_strbuf_puts(&t, "n\tseed\tlearner\tparams\ttrain_error\ttest_error\tstatus\twall_s\n"
                        "8\t0\tmean\t1\t0.5\t1.1\tok\t0.1\n"
                        "8\t0\tmean\t1\t0.5\t1.2\tok\t0.1\n"
                        "8\t0\tlinear\t17\t0\t2.5\tok\t0.1\n");
    path = file_with(lab_strbuf_str(&t));
    tab = lab_results_alloc(&lc);
    rc = lab_results_read(tab, path, &info, err, sizeof err);
    ok(rc == 0 && tab->complete == 1 && tab->rows[0][3] == 1.2 && tab->rows[0][6 + 3] == 2.5
       && info.dropped == 1,
       "a learner's row repeated starts the cell anew: the whole cell is kept (%zu dropped)",
       info.dropped);
    lab_results_free(tab);
    lab_config_release(&lc);
    remove(path);

    /* Every kind's entry holds together. */
    size_t bad = 0;
    for (size_t k = 0; k < lab_nkinds; k++) {
        const lab_kind *kd = lab_kinds[k];
        long st = lab_kind_column(kd, "status"), e = lab_kind_column(kd, kd->error);
        bad += st < 0 || kd->columns[st].type != LAB_COL_NAME
            || kd->columns[st].names != lab_status_names;
        bad += e < 0 || kd->columns[e].stat != LAB_STAT_FULL;
        bad += lab_kind_find(kd->name) != kd || !kd->rows || !kd->cost || !kd->run;
        for (size_t j = 0; j < kd->ncolumns; j++) {
            size_t n = strlen(kd->columns[j].name);
            int timing = n > 2 && strcmp(kd->columns[j].name + n - 2, "_s") == 0;
            bad += timing != (kd->columns[j].type == LAB_COL_TIME) || !kd->columns[j].doc;
            /* No clash with the axes every sweep has. */
            bad += !strcmp(kd->columns[j].name, "n") || !strcmp(kd->columns[j].name, "seed");
        }
    }
    ok(bad == 0, "every kind has a status, an error shown with its spread, timings named _s, "
       "and columns of its own (%zu faults)", bad);

    /* A missing file is an empty table. */
    tab = lab_results_alloc(&c);
    rc = lab_results_read(tab, "/nonexistent/results.tsv", &info, err, sizeof err);
    ok(rc == 0 && info.missing && tab->complete == 0, "a missing table is empty");
    ok(tab->ncells == 16 && tab->nrows[5] == 1, "16 cells of one row each");
    lab_results_free(tab);
    lab_strbuf_release(&t);
    lab_strbuf_release(&h);
    lab_config_release(&c);
    return 0;
}
