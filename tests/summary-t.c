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
    plan(13);
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
          "256\t8\t1\t0\t145\t0.05\t0.025\t100\tok\tsteps\t0.1\n"
          "256\t8\t1\t1\t145\t0.05\t0.1\t100\tok\tsteps\t0.1\n"
          "64\t4\t1\t0\t73\t0.2\t0.6\t100\tok\tsteps\t0.1\n", f);
    fclose(f);
    lab_table *t;
    lab_summary *s;
    static const char *const group[] = { "n", "width", "depth" };
    static const char *const cols[] = { "params", "train_error", "test_error", "steps" };
    static const enum lab_sum_stat stats[] = { LAB_SUM_SAME, LAB_SUM_MEANSD, LAB_SUM_FULL,
                                               LAB_SUM_MEAN };
    static const lab_summary_spec spec = { group, 3, "status", cols, stats, 4, "n" };
    static const char *const labels[] = { "n", "w", "L" };
    int rc = lab_table_read(path, &t, err, sizeof err);
    if (rc == 0)
        rc = lab_summary_make(t, &spec, &s, err, sizeof err);
    remove(path);
    if (rc != 0)
        bail("%s", err);

    /* The table first shows width 8, then 4: that is the order of the groups. */
    ok(s->ngroups == 4 && strcmp(s->groups[0].key[1], "8") == 0
       && strcmp(s->groups[0].key[0], "64") == 0 && strcmp(s->groups[1].key[0], "128") == 0
       && strcmp(s->groups[2].key[0], "256") == 0 && strcmp(s->groups[3].key[1], "4") == 0,
       "one group per (n, width, depth), in the table's order, depth then width then n");
    const lab_summary_group *g = &s->groups[0];
    ok(g->count == 2 && g->diverged == 1, "diverged rows are counted apart");
    /* test_error is measured column 2. */
    const double *te = g->v + 2 * LAB_SUM_SLOTS, *st = g->v + 3 * LAB_SUM_SLOTS;
    is_double_abs(0.3, te[0], 1e-15, "mean over the finished seeds");
    is_double_abs(sqrt(0.02), te[1], 1e-15, "sample standard deviation");
    ok(te[2] == 0.2 && te[3] == 0.4 && st[0] == 150 && g->v[0] == 145,
       "min, max, mean steps, and the parameter count");
    ok(isnan(s->groups[3].v[2 * LAB_SUM_SLOTS + 1]), "one seed has no standard deviation (nan)");
    is_double_abs(sqrt(0.2 * 0.4), te[LAB_SLOT_GMEAN], 1e-15, "geometric mean over the seeds");

    /* Local slopes of the geometric mean: sqrt(0.08) -> 0.1 -> 0.05 along n =
     * 64, 128, 256 (gmean of 0.025 and 0.1); none after the curve's last n,
     * none for a curve of one point. */
    const double *t128 = s->groups[1].v + 2 * LAB_SUM_SLOTS;
    ok(fabs(te[LAB_SLOT_SLOPE] - log2(0.1 / sqrt(0.08))) < 1e-14
       && fabs(t128[LAB_SLOT_SLOPE] + 1) < 1e-14
       && isnan(s->groups[2].v[2 * LAB_SUM_SLOTS + LAB_SLOT_SLOPE])
       && isnan(s->groups[3].v[2 * LAB_SUM_SLOTS + LAB_SLOT_SLOPE]),
       "local slopes per doubling of n, curve by curve (%g, %g)", te[LAB_SLOT_SLOPE],
       t128[LAB_SLOT_SLOPE]);

    /* summary.tsv: gmean and slope columns, NaN written as NA. */
    char *sum = NULL;
    size_t slen;
    f = open_memstream(&sum, &slen);
    lab_summary_write(s, f);
    fclose(f);
    ok(strstr(sum, "\ttest_error_mean\ttest_error_std\ttest_error_min\ttest_error_max\t"
                   "test_error_gmean\ttest_error_slope_n\tsteps_mean\n")
       && strstr(sum, "\n256\t8\t1\t145\t2\t0\t") && strstr(sum, "\t0.05000000000000001\tNA\t")
       && !strstr(sum, "nan"), "summary.tsv names the geometric mean and the slope, NA for NaN");
    free(sum);

    char *text = NULL, *titles = NULL;
    size_t len, tlen;
    f = open_memstream(&text, &len);
    FILE *tf = open_memstream(&titles, &tlen);
    lab_curve_spec cs = { "n", "test_error", "width", labels, NULL, "params" };
    size_t nb = lab_summary_write_curves(s, &cs, f, tf);
    fclose(f);
    fclose(tf);
    ok(nb == 2 && strcmp(titles, "w=8 w=4") == 0
       && strcmp(text, "# w=8: n gmean min max count mean params\n"
                       "64\t0.28284271247461906\t0.20000000000000001\t0.40000000000000002\t2\t"
                       "0.30000000000000004\t145\n"
                       "128\t0.10000000000000002\t0.10000000000000001\t0.10000000000000001\t1\t"
                       "0.10000000000000001\t145\n"
                       "256\t0.05000000000000001\t0.025000000000000001\t0.10000000000000001\t2\t"
                       "0.0625\t145\n"
                       "\n\n# w=4: n gmean min max count mean params\n64\t0.59999999999999998\t"
                       "0.59999999999999998\t0.59999999999999998\t1\t0.59999999999999998\t73\n")
              == 0,
       "curves by width: one gnuplot block per width, x = n, geometric means, each size");

    free(text);
    free(titles);

    /* x divided by a column: n / params; no mark column. */
    f = open_memstream(&text, &len);
    tf = open_memstream(&titles, &tlen);
    cs = (lab_curve_spec){ "n", "test_error", "width", labels, "params", NULL };
    nb = lab_summary_write_curves(s, &cs, f, tf);
    fclose(f);
    fclose(tf);
    ok(nb == 2 && strstr(text, "# w=8: n/params gmean min max count mean -\n"
                               "0.44137931034482758\t0.28284271247461906\t") == text
       && strstr(text, "\n0.87671232876712324\t0.59999999999999998\t") && strstr(text, "\tNA\n"),
       "curves against n / params");

    free(text);
    free(titles);
    cs.per = "test_error";
    ok(lab_summary_write_curves(s, &cs, stdout, stdout) == 0,
       "x is divided only by a column with one value per group");
    lab_summary_free(s);
    lab_table_free(t);

    /* Missing columns are reported. */
    f = fopen(path, "w");
    fputs("n\twidth\n1\t2\n", f);
    fclose(f);
    lab_table_read(path, &t, err, sizeof err);
    remove(path);
    rc = lab_summary_make(t, &spec, &s, err, sizeof err);
    char want[128];
    snprintf(want, sizeof want, "%s: no column \"status\"", path);
    ok(rc != 0 && strcmp(err, want) == 0, "a table without the results columns is refused");
    lab_table_free(t);
    return 0;
}
