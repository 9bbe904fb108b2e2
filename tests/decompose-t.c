/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The error decomposition on tables with known parts: the parts are the
 * stated differences and sum to the measured error, the bootstrap interval
 * covers the mean and is reproducible, incomplete or diverged seeds are left
 * out and counted, and malformed tables are named. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decompose.h"
#include "status.h"
#include "table.h"
#include "tap.h"

static const char header[] = "n\twidth\tseed\tlearner\ttest_error\tdisagreement\tstatus\n";

static lab_table *read_text(const char *text, char *err, size_t errlen)
{
    char path[64];
    snprintf(path, sizeof path, "decompose-t-%ld.tmp", (long)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        bail("cannot write %s", path);
    fputs(text, f);
    fclose(f);
    lab_table *t = NULL;
    int rc = lab_table_read(path, &t, err, errlen);
    remove(path);
    return rc == LAB_OK ? t : NULL;
}

/* One seed's four rows: trained, refined, clean, realizable. */
static void seed_rows(char *buf, size_t len, const char *group, int seed, const double e[4],
                      double dis)
{
    static const char *const ln[4] = { "trained", "refined", "clean", "realizable" };
    size_t at = strlen(buf);
    for (int l = 0; l < 4; l++)
        at += (size_t)snprintf(buf + at, len - at, "%s\t%d\t%s\t%.17g\t%.17g\tok\n", group,
                               seed, ln[l], e[l], l == 2 ? dis : NAN);
}

int main(void)
{
    plan(14);
    char err[512];

    /* The parts of one seed. */
    lab_dseed one = { { 0.5, 0.3, 0.1, 0.02 }, 0.04, NAN };
    double p[LAB_NDP];
    lab_dseed_parts(&one, p);
    ok(p[LAB_DP_LD] == 0.5 - 0.3 && p[LAB_DP_NOISE] == 0.3 - 0.1 && p[LAB_DP_UNC] == 0.1 - 0.02
       && p[LAB_DP_REAL] == 0.02, "learning deficiency, noise, uncertainty, realizability "
       "are the stated differences");
    is_double_rel(0.5, p[0] + p[1] + p[2] + p[3], 1e-15, "they sum to the measured error");

    /* A table of two groups; the second has a diverged and an incomplete seed. */
    static char text[8192];
    strcpy(text, header);
    const double e[5][4] = { { 0.4, 0.3, 0.2, 0.1 }, { 0.5, 0.35, 0.15, 0.1 },
                             { 0.45, 0.32, 0.22, 0.1 }, { 0.8, 0.7, 0.6, 0.5 },
                             { 0.9, 0.8, 0.7, 0.6 } };
    for (int s = 0; s < 3; s++)
        seed_rows(text, sizeof text, "64\t8", s, e[s], 0.01 * (s + 1));
    seed_rows(text, sizeof text, "128\t8", 0, e[3], 0.05);
    seed_rows(text, sizeof text, "128\t8", 1, e[4], 0.05);
    /* seed 2 of n = 128 diverged in its clean refinement; seed 3 lacks a
     * realizable row; seed 4's clean refinement is undetermined (nan). */
    strcat(text, "128\t8\t2\ttrained\t1\tnan\tok\n128\t8\t2\trefined\t1\tnan\tok\n"
                 "128\t8\t2\tclean\tnan\tnan\tdiverged\n128\t8\t2\trealizable\t0.5\tnan\tok\n"
                 "128\t8\t3\ttrained\t1\tnan\tok\n128\t8\t3\trefined\t1\tnan\tok\n"
                 "128\t8\t3\tclean\t1\t0\tok\n"
                 "128\t8\t4\ttrained\t1\tnan\tok\n128\t8\t4\trefined\t1\tnan\tok\n"
                 "128\t8\t4\tclean\tnan\tnan\tok\n128\t8\t4\trealizable\t0.5\tnan\tok\n");
    lab_table *t = read_text(text, err, sizeof err);
    if (!t)
        bail("%s", err);
    static const char *const group[] = { "n", "width" };
    lab_decompose_opts o = { group, 2, 400, 0.95, 7 };
    lab_decomposition *d = NULL;
    int rc = lab_decompose(t, &o, &d, err, sizeof err);
    ok(rc == LAB_OK && d && d->ngroups == 2, "two groups (%s)", rc ? err : "");
    if (!d)
        bail("no decomposition");
    const lab_dgroup *g = &d->groups[0], *h = &d->groups[1];
    ok(g->nseeds == 3 && g->dropped == 0 && h->nseeds == 2 && h->dropped == 3
       && strcmp(h->values[0], "128") == 0,
       "a seed with a diverged, missing or undetermined (nan) learner is left out and counted");
    double sum = 0, want[LAB_NDS] = { 0 };
    for (int s = 0; s < 3; s++) {
        lab_dseed sd = { { e[s][0], e[s][1], e[s][2], e[s][3] }, 0.01 * (s + 1), NAN };
        double q[LAB_NDP];
        lab_dseed_parts(&sd, q);
        for (int k = 0; k < LAB_NDP; k++)
            want[k] += q[k] / 3;
        want[LAB_DS_MEASURED] += e[s][0] / 3;
    }
    for (int k = 0; k < LAB_NDP; k++)
        sum += g->stat[k].mean;
    is_double_rel(want[LAB_DS_MEASURED], g->stat[LAB_DS_MEASURED].mean, 1e-15,
                  "the measured error is the mean over seeds");
    is_double_rel(g->stat[LAB_DS_MEASURED].mean, sum, 1e-14,
                  "the mean parts sum to the mean measured error");
    ok(fabs(g->stat[LAB_DP_UNC].mean - want[LAB_DP_UNC]) < 1e-15
       && fabs(g->stat[LAB_DS_DISAGREEMENT].mean - 0.02) < 1e-15,
       "uncertainty and the clean learner's disagreement");
    int inside = 1;
    for (int k = 0; k < LAB_DS_NOISE_LIN; k++)
        inside &= g->stat[k].lo <= g->stat[k].mean && g->stat[k].mean <= g->stat[k].hi;
    ok(inside && g->stat[LAB_DP_REAL].lo == 0.1 && g->stat[LAB_DP_REAL].hi == 0.1,
       "each interval holds its mean; a part equal on every seed has a point interval");

    lab_decomposition *d2 = NULL;
    rc = lab_decompose(t, &o, &d2, err, sizeof err);
    ok(rc == LAB_OK && d2->groups[0].stat[LAB_DP_LD].lo == g->stat[LAB_DP_LD].lo
       && d2->groups[0].stat[LAB_DP_LD].hi == g->stat[LAB_DP_LD].hi,
       "the intervals are reproducible");
    lab_decomposition_free(d2);
    ok(isnan(g->stat[LAB_DS_NOISE_LIN].mean), "without a noise_linear column, no linearised "
       "noise");

    /* The table written. */
    char path[64];
    snprintf(path, sizeof path, "decompose-t-%ld.tsv", (long)getpid());
    FILE *f = fopen(path, "w+");
    if (!f)
        bail("cannot write %s", path);
    rc = lab_decomposition_write(d, f);
    rewind(f);
    char line[1024];
    static const char head[] =
        "n\twidth\tseeds\tdropped\tmeasured\tmeasured_lo\tmeasured_hi\tnoise\t";
    ok(rc == LAB_OK && fgets(line, sizeof line, f) && strncmp(line, head, strlen(head)) == 0,
       "decomposition.tsv starts with the group columns, seeds, then the measured error");
    fclose(f);
    remove(path);
    lab_decomposition_free(d);
    lab_table_free(t);

    /* The linearised noise is the refined rows' noise_linear, averaged
     * over the complete seeds. */
    t = read_text("n\tseed\tlearner\ttest_error\tdisagreement\tstatus\tnoise_linear\n"
                  "64\t0\ttrained\t0.4\tnan\tok\tnan\n64\t0\trefined\t0.3\tnan\tok\t0.01\n"
                  "64\t0\tclean\t0.2\t0\tok\tnan\n64\t0\trealizable\t0\tnan\tok\tnan\n"
                  "64\t1\ttrained\t0.4\tnan\tok\tnan\n64\t1\trefined\t0.3\tnan\tok\t0.03\n"
                  "64\t1\tclean\t0.2\t0\tok\tnan\n64\t1\trealizable\t0\tnan\tok\tnan\n",
                  err, sizeof err);
    lab_decompose_opts o1 = { group, 1, 0, 0.95, 7 };
    rc = t ? lab_decompose(t, &o1, &d, err, sizeof err) : -1;
    ok(rc == LAB_OK && fabs(d->groups[0].stat[LAB_DS_NOISE_LIN].mean - 0.02) < 1e-17,
       "the linearised noise is the mean of the refined rows' noise_linear (%s)",
       rc ? err : "");
    lab_decomposition_free(d);
    lab_table_free(t);

    /* Malformed tables. */
    t = read_text("n\twidth\tseed\tlearner\ttest_error\tstatus\n64\t8\t0\ttrained\t1\tok\n", err,
                  sizeof err);
    rc = t ? lab_decompose(t, &o, &d, err, sizeof err) : -1;
    ok(rc == LAB_EFORMAT && strstr(err, "no column \"disagreement\""),
       "a missing column is named (%s)", err);
    lab_table_free(t);
    strcpy(text, header);
    strcat(text, "64\t8\t0\tgibbs\t1\tnan\tok\n");
    t = read_text(text, err, sizeof err);
    rc = t ? lab_decompose(t, &o, &d, err, sizeof err) : -1;
    ok(rc == LAB_EFORMAT && strstr(err, ":2: learner: \"gibbs\""),
       "an unknown learner is named with its line (%s)", err);
    lab_table_free(t);
    lab_decomposition_free(NULL);
    return 0;
}
