/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Summaries over seeds on a table with known statistics, and the curves
 * written for figures. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "summary.h"
#include "table.h"
#include "tap.h"

int main(void)
{
    plan(8);
    char path[64], err[512];
    snprintf(path, sizeof path, "summary-t-%ld.tmp", (long)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        bail("cannot write %s", path);
    fputs("# a results table\n"
          "n\twidth\tdepth\tseed\tparams\ttrain_error\ttest_error\tsteps\tstatus\tstop\twall_s\n"
          "64\t8\t1\t0\t145\t0.1\t0.2\t100\tok\tsteps\t0.1\n"
          "64\t8\t1\t1\t145\t0.3\t0.4\t200\tok\tsteps\t0.1\n"
          "64\t8\t1\t2\t145\tnan\tnan\t30\tdiverged\tdiverged\t0.1\n"
          "128\t8\t1\t0\t145\t0.05\t0.1\t100\tok\tsteps\t0.1\n"
          "64\t4\t1\t0\t73\t0.2\t0.6\t100\tok\tsteps\t0.1\n", f);
    fclose(f);
    lab_table *t;
    lab_summary *s;
    int rc = lab_table_read(path, &t, err, sizeof err);
    if (rc == 0)
        rc = lab_summary_make(t, &s, err, sizeof err);
    remove(path);
    if (rc != 0)
        bail("%s", err);

    ok(s->nrows == 3 && s->rows[0].width == 4 && s->rows[1].n == 64 && s->rows[2].n == 128,
       "one group per (n, width, depth), sorted by depth, width, n");
    const lab_summary_row *g = &s->rows[1];
    ok(g->count == 2 && g->diverged == 1, "diverged rows are counted apart");
    is_double_abs(0.3, g->test_mean, 1e-15, "mean over the finished seeds");
    is_double_abs(sqrt(0.02), g->test_sd, 1e-15, "sample standard deviation");
    ok(g->test_min == 0.2 && g->test_max == 0.4 && g->steps_mean == 150, "min, max, mean steps");
    ok(isnan(s->rows[0].test_sd), "one seed has no standard deviation (nan)");

    char *text = NULL, *titles = NULL;
    size_t len, tlen;
    f = open_memstream(&text, &len);
    FILE *tf = open_memstream(&titles, &tlen);
    size_t nb = lab_summary_write_curves(s, 1, f, tf);
    fclose(f);
    fclose(tf);
    ok(nb == 2 && strcmp(titles, "w=4 w=8") == 0
       && strcmp(text, "# w=4: n mean min max count\n64\t0.59999999999999998\t0.59999999999999998"
                       "\t0.59999999999999998\t1\n\n\n# w=8: n mean min max count\n"
                       "64\t0.30000000000000004\t0.20000000000000001\t0.40000000000000002\t2\n"
                       "128\t0.10000000000000001\t0.10000000000000001\t0.10000000000000001\t1\n") == 0,
       "curves by width: one gnuplot block per width, x = n");
    free(text);
    free(titles);
    lab_summary_free(s);
    lab_table_free(t);

    /* Missing columns are reported. */
    f = fopen(path, "w");
    fputs("n\twidth\n1\t2\n", f);
    fclose(f);
    lab_table_read(path, &t, err, sizeof err);
    remove(path);
    rc = lab_summary_make(t, &s, err, sizeof err);
    char want[128];
    snprintf(want, sizeof want, "%s: no column \"status\"", path);
    ok(rc != 0 && strcmp(err, want) == 0, "a table without the results columns is refused");
    lab_table_free(t);
    return 0;
}
