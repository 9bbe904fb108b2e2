/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: a run folder's results.tsv as lab run (resuming) and lab
 * plot read it: the row parser (src/results.c) on every line and through
 * lab_results_read(), then the table reader and the summary
 * (analysis/summary.c) with the spec and curves the report uses, for three
 * sweeps: tests/data/tiny.cfg, a linear one (a key column, learner) and one
 * with a list and reals on its axes.
 *
 * A row that parses must write back (lab_results_write) as a line that
 * parses to the same cell and values (timings are written rounded). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "kind.h"
#include "results.h"
#include "status.h"
#include "summary.h"
#include "table.h"

static const char *const configs[] = {
    /* tests/data/tiny.cfg */
    "[experiment]\nname = tiny\nseed = 7\n[teacher]\ninput_dim = 4\nwidths = 4\n"
    "[data]\ntest_size = 512\n[student]\nwidth = 2, 8\ndepth = 1\n"
    "[train]\nsteps = 300\nbatch = 32\n[sweep]\nn = 32..128 x2\nseeds = 0..1\n",
    /* the linear kind: two learners per cell */
    "[experiment]\nname = lin\nkind = linear\nseed = 3\n[teacher]\ninput_dim = 4\n"
    "widths = 4\n[data]\ntest_size = 256\n[sweep]\nn = 8..64 x2\nseeds = 0..2\n",
    /* lists and reals on the axes (tests/results-t.c) */
    "[student]\nwidth = 64\ndepth = 2\n[sweep]\nn = 1024, 16384\nseeds = 6..7\n"
    "train.lr = 0.001, 0.1\nteacher.widths = 16 | 16, 16\n",
};
#define NCONFIGS (sizeof configs / sizeof configs[0])
#define MAXCOLS (LAB_CONFIG_MAXAXES + 32)

static lab_config config[NCONFIGS];

static void setup(void)
{
    static int done;
    char err[512];
    for (size_t i = 0; !done && i < NCONFIGS; i++)
        if (lab_config_init(&config[i]) != LAB_OK
            || lab_config_load_string(&config[i], configs[i], "fuzz.cfg", err, sizeof err)
            || lab_config_finish(&config[i], err, sizeof err))
            fuzz_fail(__FILE__, __LINE__, err);
    done = 1;
}

/* Values equal as the table keeps them: NaN is NaN, timings to 1 ms. */
static int same_values(const lab_kind *k, const double *a, const double *b)
{
    for (size_t j = 0; j < k->ncolumns; j++) {
        if (k->columns[j].type == LAB_COL_TIME)
            continue;
        if (!(a[j] == b[j] || (isnan(a[j]) && isnan(b[j]))))
            return 0;
    }
    return 1;
}

/* Every line through the row parser, and what parses back through the
 * writer. */
static void rows(const lab_results *t, const char *text)
{
    const lab_kind *k = lab_config_kind(t->c);
    double *v = malloc((k->ncolumns + 1) * sizeof *v), *w = malloc((k->ncolumns + 1) * sizeof *w);
    char *copy = strdup(text);
    fuzz_check(v && w && copy, "malloc");
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t cell, again;
        if (lab_results_parse(t, line, &cell, v) != 0)
            continue;
        fuzz_check(cell < t->ncells, "a cell of the sweep");
        char *out = NULL;
        size_t len;
        FILE *f = open_memstream(&out, &len);
        fuzz_check(f != NULL, "open_memstream");
        lab_rows r = { 1, k->ncolumns, v };
        lab_results_write(f, t->c, cell, &r);
        fclose(f);
        fuzz_check(lab_results_parse(t, out, &again, w) == 0, "a row written parses");
        fuzz_check(again == cell && same_values(k, v, w), "to the same cell and values");
        free(out);
    }
    free(copy);
    free(v);
    free(w);
}

/* The summary as the report makes it (cli/report.c), and its curves. */
static void summary(const lab_config *c, const char *path)
{
    const lab_kind *kind = lab_config_kind(c);
    const char *group[MAXCOLS], *labels[MAXCOLS], *cols[MAXCOLS];
    enum lab_sum_stat stats[MAXCOLS];
    size_t ng = 0, nc = 0;
    for (size_t a = 0; a < c->naxes; a++)
        if (strcmp(lab_axis_column(&c->axes[a]), "seed") != 0) {
            labels[ng] = lab_axis_label(&c->axes[a]);
            group[ng++] = lab_axis_column(&c->axes[a]);
        }
    for (size_t j = 0; j < kind->ncolumns; j++) {
        const lab_column *col = &kind->columns[j];
        static const enum lab_sum_stat map[] = {
            [LAB_STAT_SAME] = LAB_SUM_SAME, [LAB_STAT_MEAN] = LAB_SUM_MEAN,
            [LAB_STAT_MEANSD] = LAB_SUM_MEANSD, [LAB_STAT_FULL] = LAB_SUM_FULL
        };
        if (col->stat == LAB_STAT_KEY) {
            labels[ng] = col->name;
            group[ng++] = col->name;
        } else if (col->stat != LAB_STAT_NONE) {
            stats[nc] = map[col->stat];
            cols[nc++] = col->name;
        }
    }
    lab_summary_spec spec = { group, ng, "status", cols, stats, nc, "n" };
    lab_table *t;
    lab_summary *s;
    char err[1024];
    if (lab_table_read(path, &t, err, sizeof err) != LAB_OK)
        return;
    int rc = lab_summary_make(t, &spec, &s, err, sizeof err);
    fuzz_check(rc == LAB_OK || rc == LAB_EFORMAT, "a bad table is LAB_EFORMAT");
    if (rc == LAB_OK) {
        char *out = NULL, *titles = NULL;
        size_t len, tlen;
        FILE *f = open_memstream(&out, &len), *tf = open_memstream(&titles, &tlen);
        fuzz_check(f && tf, "open_memstream");
        lab_summary_write(s, f);
        for (size_t j = 0; j < ng; j++) {
            fuzz_check(lab_summary_distinct(s, j) <= s->ngroups, "distinct values");
            for (size_t q = 0; q <= ng; q++) {
                lab_curve_spec cs = { group[j], kind->error, q < ng ? group[q] : NULL, labels,
                                      NULL, lab_kind_column(kind, "params") >= 0 ? "params"
                                                                               : NULL };
                lab_summary_write_curves(s, &cs, f, tf);
                cs.per = cs.mark;
                lab_summary_write_curves(s, &cs, f, tf);
            }
        }
        fclose(f);
        fclose(tf);
        free(out);
        free(titles);
        lab_summary_free(s);
    }
    lab_table_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    const char *path = fuzz_file(data, size), *text = fuzz_string(data, size);
    char err[1024];
    for (size_t i = 0; i < NCONFIGS; i++) {
        lab_results *t = lab_results_alloc(&config[i]);
        fuzz_check(t != NULL, "lab_results_alloc");
        lab_results_read_info info;
        int rc = lab_results_read(t, path, &info, err, sizeof err);
        fuzz_check(rc == LAB_OK || rc == LAB_EFORMAT, "a bad table is LAB_EFORMAT");
        fuzz_check(t->complete == info.added && info.added <= t->ncells, "cells counted");
        rows(t, text);
        lab_results_free(t);
        summary(&config[i], path);
    }
    return 0;
}
