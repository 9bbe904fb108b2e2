/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report of pruned perceptron rows (cli/dataprune_report.h) on a hand-made
 * results table: group means and standard errors, the theory of each group
 * (the values `lab theory perceptron --prune ...` prints), the pareto
 * choice, the crossover's interpolation, and the theory's crossovers
 * against THEORY-SOURCES.md section 5.5 item 2; the points of maxmargin at
 * theta > 0 solved on worker processes, the same bytes as solved serially. */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "fileio.h"
#include "perceptron_theory.h"
#include "dataprune_report.h"
#include "status.h"
#include "table.h"
#include "tap.h"

static char dir[64];

static void test_sign_changes(void)
{
    double x[] = { 1, 2, 3, 4, 5, 6 }, r[5], lo[5], hi[5];
    double d[] = { 0.3, 0.1, -0.3, -0.1, 0, 0.2 };
    size_t n = lab_dataprune_sign_changes(6, x, d, r, lo, hi);
    ok(n == 2, "two sign changes (%zu)", n);
    is_double_abs(2.25, r[0], 1e-15, "interpolated between 2 and 3: 2 + 0.1 / 0.4");
    ok(lo[0] == 2 && hi[0] == 3, "its bracket [2, 3]");
    is_double_abs(5, r[1], 0, "an exact zero between opposite signs is the crossing");
    ok(lo[1] == 4 && hi[1] == 6, "its bracket [4, 6] skips the zero");
    double same[] = { 0.1, 0.2, 0.05 };
    ok(lab_dataprune_sign_changes(3, x, same, r, NULL, NULL) == 0, "no sign change, no root");
}

/* The reference crossovers of max-margin at theta = 0 (THEORY-SOURCES.md
 * section 5.5 item 2: keep-hard beats keep-easy above them). */
static void test_reference_crossovers(lab_ptheory *w)
{
    const double f[] = { 0.1, 0.2, 0.4, 0.6 }, want[] = { 2.011, 2.068, 2.302, 2.960 };
    char err[512];
    for (size_t i = 0; i < 4; i++) {
        double root;
        int rc = lab_dataprune_theory_crossover(w, LAB_PLEARNER_MAXMARGIN, f[i], 0, 1.5, 5, &root,
                                            err, sizeof err);
        if (rc != LAB_OK)
            diag("%s", err);
        is_double_abs(want[i], root, 1e-3, "max-margin crossover at f = %g: alpha_prune %.4f",
                      f[i], root);
    }
    double root;
    int rc = lab_dataprune_theory_crossover(w, LAB_PLEARNER_MAXMARGIN, 0.2, 0, 3, 5, &root, err,
                                        sizeof err);
    ok(rc == LAB_OK && isnan(root), "no sign change in [3, 5]: nan");
    rc = lab_dataprune_theory_crossover(w, LAB_PLEARNER_MAXMARGIN, 0.2, 0, 3, 2, &root, err,
                                    sizeof err);
    ok(rc == LAB_EINVAL, "an empty bracket is refused (%s)", err);
}

/* The row of t whose columns cols hold vals (n of them), or -1. */
static long find(const lab_table *t, size_t n, const char *const *cols, const char *const *vals)
{
    for (size_t r = 0; r < t->nrows; r++) {
        size_t k = 0;
        while (k < n && lab_table_col(t, cols[k]) >= 0
               && strcmp(lab_table_cell(t, r, (size_t)lab_table_col(t, cols[k])), vals[k]) == 0)
            k++;
        if (k == n)
            return (long)r;
    }
    return -1;
}

static double num(const lab_table *t, long r, const char *col)
{
    long c = lab_table_col(t, col);
    return r < 0 || c < 0 ? -999 : strtod(lab_table_cell(t, r, (size_t)c), NULL);
}

static lab_table *read_table(const char *name)
{
    char path[128], err[512];
    lab_table *t = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (lab_table_read(path, &t, err, sizeof err) != LAB_OK)
        diag("%s", err);
    return t;
}

static void write_results(const char *rows)
{
    char path[128];
    snprintf(path, sizeof path, "%s/results.tsv", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        bail("cannot write %s", path);
    fputs("alpha\tprune\tprune_fraction\tprune_metric\tseed\tlearner\texamples\ttest_error\t"
          "status\n", f);
    fputs(rows, f);
    fclose(f);
}

static void test_report(lab_ptheory *w)
{
    lab_config c;
    char err[512], info[2048], warning[512];
    if (lab_config_init(&c)
        || lab_config_load_string(&c, "[experiment]\nname = pr\nkind = perceptron\n"
                                      "[perceptron]\ndim = 100\nlearners = maxmargin\n"
                                      "[plot]\nformat = none\n[fit]\nper_curve = none\n",
                                  "pr.cfg", err, sizeof err)
        || lab_config_finish(&c, err, sizeof err))
        bail("config: %s", err);
    /* keep-hard f = 0.2 and 0.5 and keep-easy f = 0.2 at alpha 1, 2, 3 (d =
     * hard - easy at f = 0.2: 0.28, 0.025, -0.02); a failed row, an unpruned
     * one (repeated for two f), one of another metric and one of the gradient perceptron. */
    write_results("1\thard\t0.2\tmargin\t0\tmaxmargin\t100\t0.40\tok\n"
                  "1\thard\t0.2\tmargin\t1\tmaxmargin\t100\t0.42\tok\n"
                  "1\thard\t0.2\tmargin\t2\tmaxmargin\t100\t0.44\tok\n"
                  "1\thard\t0.2\tmargin\t3\tmaxmargin\t100\t0.01\tfailed\n"
                  "2\thard\t0.2\tmargin\t0\tmaxmargin\t200\t0.10\tok\n"
                  "2\thard\t0.2\tmargin\t1\tmaxmargin\t200\t0.12\tok\n"
                  "3\thard\t0.2\tmargin\t0\tmaxmargin\t300\t0.03\tok\n"
                  "3\thard\t0.2\tmargin\t1\tmaxmargin\t300\t0.04\tok\n"
                  "3\thard\t0.2\tmargin\t2\tmaxmargin\t300\t0.05\tok\n"
                  "1\teasy\t0.2\tmargin\t0\tmaxmargin\t100\t0.14\tok\n"
                  "1\teasy\t0.2\tmargin\t1\tmaxmargin\t100\t0.13\tok\n"
                  "1\teasy\t0.2\tmargin\t2\tmaxmargin\t100\t0.15\tok\n"
                  "2\teasy\t0.2\tmargin\t0\tmaxmargin\t200\t0.08\tok\n"
                  "2\teasy\t0.2\tmargin\t1\tmaxmargin\t200\t0.09\tok\n"
                  "3\teasy\t0.2\tmargin\t0\tmaxmargin\t300\t0.055\tok\n"
                  "3\teasy\t0.2\tmargin\t1\tmaxmargin\t300\t0.065\tok\n"
                  "1\thard\t0.5\tmargin\t0\tmaxmargin\t100\t0.30\tok\n"
                  "2\thard\t0.5\tmargin\t0\tmaxmargin\t200\t0.13\tok\n"
                  "2\thard\t0.5\tmargin\t1\tmaxmargin\t200\t0.14\tok\n"
                  "3\thard\t0.5\tmargin\t0\tmaxmargin\t300\t0.08\tok\n"
                  "2\tnone\t0.2\tmargin\t0\tmaxmargin\t200\t0.19\tok\n"
                  "2\tnone\t0.5\tmargin\t0\tmaxmargin\t200\t0.19\tok\n"
                  "2\tnone\t0.5\tmargin\t1\tmaxmargin\t200\t0.21\tok\n"
                  "2\thard\t0.2\trandom\t0\tmaxmargin\t200\t0.2\tok\n"
                  "2\thard\t0.2\tmargin\t0\tperceptron\t200\t0.2\tok\n");
    char path[128];
    snprintf(path, sizeof path, "%s/results.tsv", dir);
    lab_table *t = NULL;
    if (lab_table_read(path, &t, err, sizeof err) != LAB_OK)
        bail("%s", err);
    int rc = lab_dataprune_report(dir, &c, t, 1, NULL, info, sizeof info, warning, sizeof warning, err,
                              sizeof err);
    ok(rc == LAB_OK, "the report of pruned rows (%s)", rc ? err : info);
    ok(strstr(info, "largest |rel_dev|") && strstr(info, "1 hard/easy crossover"),
       "its info line: %s", info);
    ok(warning[0] == '\0', "no warning (%s)", warning);

    /* prune_theory.tsv */
    lab_table *g = read_table("prune_theory.tsv");
    const char *cols[] = { "prune", "prune_fraction", "learner", "alpha", "prune_metric" };
    const char *h1[] = { "hard", "0.2", "maxmargin", "1", "margin" };
    long r = g ? find(g, 5, cols, h1) : -1;
    ok(g && g->nrows == 12, "prune_theory.tsv: 12 groups (%zu)", g ? g->nrows : 0);
    is_double_abs(3, num(g, r, "seeds"), 0, "the failed row is left out: 3 seeds");
    is_double_abs(0.42, num(g, r, "test_error"), 1e-15, "the mean over seeds");
    is_double_abs(0.02 / sqrt(3), num(g, r, "sem"), 1e-15, "the standard error of the mean");
    is_double_abs(5, num(g, r, "alpha_tot"), 1e-15, "alpha_tot = alpha / f");
    /* `lab theory perceptron --learner maxmargin --prune hard --fraction 0.2
     * --alpha 1,2,3` prints these. */
    const double cli[] = { 0.41766637201347628, 0.097119527800142144, 0.03472127816694582 };
    const char *alphas[] = { "1", "2", "3" };
    for (int a = 0; a < 3; a++) {
        const char *v[] = { "hard", "0.2", "maxmargin", alphas[a], "margin" };
        is_double_rel(cli[a], num(g, find(g, 5, cols, v), "theory"), 1e-12,
                      "theory at alpha %s as lab theory perceptron prints it", alphas[a]);
    }
    is_double_abs(0.42 / cli[0] - 1, num(g, r, "rel_dev"), 1e-12, "rel_dev = mean / theory - 1");
    is_double_abs((0.42 - cli[0]) / (0.02 / sqrt(3)), num(g, r, "z"), 1e-9,
                  "z = (mean - theory) / sem");
    const char *e3[] = { "hard", "0.2", "maxmargin", "2", "random" };
    long r3 = find(g, 5, cols, e3);
    ok(r3 >= 0 && strcmp(lab_table_cell(g, (size_t)r3, (size_t)lab_table_col(g, "sem")), "nan")
       == 0, "one seed: sem nan");
    lab_perceptron_state s;
    lab_ptheory_prune none = { LAB_PPRUNE_NONE, 1, 0 }, e5 = { LAB_PPRUNE_HARD, 0.5, 0 };
    if (lab_ptheory_solve_pruned(w, LAB_PLEARNER_MAXMARGIN, 2, &none, &s, err, sizeof err))
        bail("%s", err);
    const char *n2[] = { "none", "1", "maxmargin", "2", "margin" };
    long rn = find(g, 5, cols, n2);
    is_double_rel(s.test_error, num(g, rn, "theory"), 1e-12,
                  "unpruned rows get the unpruned theory");
    ok(num(g, rn, "seeds") == 2 && fabs(num(g, rn, "test_error") - 0.2) < 1e-15,
       "unpruned rows: one group at f = 1, a seed repeated for each f counted once");
    const char *rnd[] = { "hard", "0.2", "maxmargin", "2", "random" };
    const char *per[] = { "hard", "0.2", "perceptron", "2", "margin" };
    ok(isnan(num(g, find(g, 5, cols, rnd), "theory"))
       && isnan(num(g, find(g, 5, cols, per), "theory")),
       "no theory for the random metric nor the gradient perceptron");

    /* pareto.tsv: per alpha among keep-hard f = 0.2, 0.5 (keep-easy has one f). */
    lab_table *p = read_table("pareto.tsv");
    ok(p && p->nrows == 3, "pareto.tsv: three alphas (%zu)", p ? p->nrows : 0);
    const char *pc[] = { "prune", "alpha" };
    const double best[] = { 0.5, 0.2, 0.2 }, mean[] = { 0.30, 0.11, 0.04 };
    for (int a = 0; p && a < 3; a++) {
        const char *v[] = { "hard", alphas[a] };
        long q = find(p, 2, pc, v);
        ok(num(p, q, "best_fraction") == best[a] && fabs(num(p, q, "test_error") - mean[a])
           < 1e-15 && num(p, q, "fractions") == 2,
           "alpha %s: best f %g, error %g", alphas[a], num(p, q, "best_fraction"),
           num(p, q, "test_error"));
        double th[2];
        for (int k = 0; k < 2; k++) {
            e5.fraction = k ? 0.5 : 0.2;
            if (lab_ptheory_solve_pruned(w, LAB_PLEARNER_MAXMARGIN, a + 1, &e5, &s, err,
                                         sizeof err))
                bail("%s", err);
            th[k] = s.test_error;
        }
        ok(num(p, q, "theory_best_fraction") == (th[1] < th[0] ? 0.5 : 0.2)
           && num(p, q, "theory_error") == fmin(th[0], th[1]),
           "alpha %s: the theory's best f %g (%.4f, %.4f)", alphas[a],
           num(p, q, "theory_best_fraction"), th[0], th[1]);
    }

    /* crossover.tsv: between alpha 2 and 3, 2 + 0.025 / 0.045. */
    lab_table *x = read_table("crossover.tsv");
    ok(x && x->nrows == 1, "crossover.tsv: one crossover (%zu)", x ? x->nrows : 0);
    is_double_abs(2 + 0.025 / 0.045, num(x, 0, "alpha"), 1e-12, "interpolated crossover");
    is_double_abs((2 + 0.025 / 0.045) / 0.2, num(x, 0, "alpha_tot"), 1e-11, "its alpha_tot");
    /* Its standard error from the sems of d at 2 and 3, by central
     * differences of the interpolation 2 + da / (da - db). */
    double da = 0.025, db = -0.02, h = 1e-6;
    double sa = hypot(0.02 / sqrt(2) / sqrt(2), 0.01 / sqrt(2) / sqrt(2));
    double sb = hypot(0.01 / sqrt(3), 0.01 / sqrt(2) / sqrt(2));
    double ga = ((da + h) / (da + h - db) - (da - h) / (da - h - db)) / (2 * h);
    double gb = (da / (da - db - h) - da / (da - db + h)) / (2 * h);
    is_double_rel(hypot(ga * sa, gb * sb), num(x, 0, "alpha_sem"), 1e-6,
                  "its first-order standard error %.4f", num(x, 0, "alpha_sem"));
    ok(num(x, 0, "alpha_lo") == 2 && num(x, 0, "alpha_hi") == 3 && num(x, 0, "alphas") == 3,
       "its bracket [2, 3] among 3 common alphas");
    is_double_abs(2.068, num(x, 0, "theory_alpha"), 1e-3, "the theory's crossover there");
    double dt[2];
    for (int k = 0; k < 2; k++) {
        lab_ptheory_prune easy = { LAB_PPRUNE_EASY, 0.2, 0 };
        if (lab_ptheory_solve_pruned(w, LAB_PLEARNER_MAXMARGIN, k + 2, &easy, &s, err,
                                     sizeof err))
            bail("%s", err);
        dt[k] = cli[k + 1] - s.test_error;
    }
    is_double_rel(2 + dt[0] / (dt[0] - dt[1]), num(x, 0, "theory_interp"), 1e-12,
                  "the theory's crossover interpolated as the measured one: %.4f",
                  num(x, 0, "theory_interp"));
    snprintf(path, sizeof path, "%s/figures/crossover.gp", dir);
    ok(access(path, F_OK) == 0, "the crossover figure's script is written");
    lab_table_free(g);
    lab_table_free(p);
    lab_table_free(x);
    lab_table_free(t);

    /* Keep-hard only, one fraction: empty pareto and crossover tables, no figure. */
    write_results("1\thard\t0.2\tmargin\t0\tmaxmargin\t100\t0.40\tok\n"
                  "2\thard\t0.2\tmargin\t0\tmaxmargin\t200\t0.10\tok\n");
    snprintf(path, sizeof path, "%s/figures", dir);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        diag("could not remove %s", path);
    snprintf(path, sizeof path, "%s/results.tsv", dir);
    if (lab_table_read(path, &t, err, sizeof err) != LAB_OK)
        bail("%s", err);
    rc = lab_dataprune_report(dir, &c, t, 1, NULL, info, sizeof info, warning, sizeof warning, err,
                          sizeof err);
    x = read_table("crossover.tsv");
    p = read_table("pareto.tsv");
    snprintf(path, sizeof path, "%s/figures/crossover.gp", dir);
    char path2[128];
    snprintf(path2, sizeof path2, "%s/figures/pareto.gp", dir);
    ok(rc == LAB_OK && x && x->nrows == 0 && p && p->nrows == 0 && access(path, F_OK) != 0
       && access(path2, F_OK) != 0, "no pair, no fractions: empty tables and no figures");
    lab_table_free(x);
    lab_table_free(p);
    lab_table_free(t);

    /* No pruned row: nothing. */
    write_results("2\tnone\t1\tmargin\t0\tmaxmargin\t200\t0.19\tok\n");
    snprintf(path, sizeof path, "%s/prune_theory.tsv", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/results.tsv", dir);
    if (lab_table_read(path, &t, err, sizeof err) != LAB_OK)
        bail("%s", err);
    rc = lab_dataprune_report(dir, &c, t, 1, NULL, info, sizeof info, warning, sizeof warning, err,
                          sizeof err);
    snprintf(path, sizeof path, "%s/prune_theory.tsv", dir);
    ok(rc == LAB_OK && info[0] == '\0' && access(path, F_OK) != 0,
       "a table without pruned rows: no files, no info");
    lab_table_free(t);
    lab_config_release(&c);
}

/* Whether files a and b (under dir) hold the same bytes. */
static int same_file(const char *a, const char *b)
{
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/%s", dir, a);
    snprintf(pb, sizeof pb, "%s/%s", dir, b);
    size_t na, nb;
    char *x = lab_file_read(pa, &na), *y = lab_file_read(pb, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

/* Maxmargin at theta = 10 degrees (seconds a point) solved ahead on
 * worker processes: the same bytes as solved in this process. */
static void test_workers(void)
{
    lab_config c;
    char err[512], info[2][2048], warning[2][512], path[160];
    if (lab_config_init(&c)
        || lab_config_load_string(&c, "[experiment]\nname = pr\nkind = perceptron\n"
                                      "[perceptron]\ndim = 100\nlearners = maxmargin\n"
                                      "[plot]\nformat = none\n[fit]\nper_curve = none\n",
                                  "pr.cfg", err, sizeof err)
        || lab_config_finish(&c, err, sizeof err))
        bail("config: %s", err);
    /* keep-hard f = 0.9 and 0.7 at theta = 10 and alpha 0.5 (two points of
     * maxmargin ahead, about a second each; a pareto row) and at theta = 0
     * (solved here either way). */
    snprintf(path, sizeof path, "%s/results.tsv", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        bail("cannot write %s", path);
    fputs("alpha\tprune\tprune_fraction\tprobe_angle\tprune_metric\tseed\tlearner\t"
          "test_error\tstatus\n"
          "0.5\thard\t0.9\t10\tmargin\t0\tmaxmargin\t0.33\tok\n"
          "0.5\thard\t0.9\t10\tmargin\t1\tmaxmargin\t0.35\tok\n"
          "0.5\thard\t0.7\t10\tmargin\t0\tmaxmargin\t0.38\tok\n"
          "0.5\thard\t0.7\t0\tmargin\t0\tmaxmargin\t0.36\tok\n", f);
    fclose(f);
    lab_table *t = NULL;
    if (lab_table_read(path, &t, err, sizeof err) != LAB_OK)
        bail("%s", err);
    int rc[2];
    for (int j = 0; j < 2; j++) {
        char sub[128];
        snprintf(sub, sizeof sub, "%s/j%d", dir, j + 1);
        if (lab_mkdirs(sub, err, sizeof err))
            bail("%s", err);
        rc[j] = lab_dataprune_report(sub, &c, t, j + 1, NULL, info[j], sizeof info[j],
                                     warning[j], sizeof warning[j], err, sizeof err);
        ok(rc[j] == LAB_OK, "%d worker%s: the report (%s)", j + 1, j ? "s" : "",
           rc[j] ? err : info[j]);
    }
    const char *files[] = { "prune_theory.tsv", "pareto.tsv", "figures/prune_theory_theory.dat",
                            "figures/pareto_theory.dat" };
    for (size_t i = 0; i < 4; i++) {
        char a[128], b[128];
        snprintf(a, sizeof a, "j1/%s", files[i]);
        snprintf(b, sizeof b, "j2/%s", files[i]);
        ok(same_file(a, b), "%s: the same bytes with 1 and 2 workers", files[i]);
    }
    ok(strcmp(info[0], info[1]) == 0 && strcmp(warning[0], warning[1]) == 0,
       "the same info and warning");
    snprintf(path, sizeof path, "%s/j2/prune_theory.tsv", dir);
    lab_table *g = NULL;
    if (lab_table_read(path, &g, err, sizeof err) != LAB_OK)
        diag("%s", err);
    size_t with = 0;
    for (size_t r = 0; g && r < g->nrows; r++)
        with += isfinite(num(g, (long)r, "theory"))
                && strcmp(lab_table_cell(g, r, (size_t)lab_table_col(g, "probe_angle")), "10")
                   == 0;
    ok(with == 2, "both groups at theta = 10 have their theory (%zu)", with);
    lab_table_free(g);

    /* Stopped: the workers are killed and reaped. */
    volatile sig_atomic_t stop = 1;
    snprintf(path, sizeof path, "%s/j2", dir);
    int r = lab_dataprune_report(path, &c, t, 2, &stop, info[0], sizeof info[0], warning[0],
                                 sizeof warning[0], err, sizeof err);
    ok(r == LAB_EINTERRUPTED && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
       "a stop set: interrupted, no worker left (%s)", lab_strerror(r));
    lab_table_free(t);
    lab_config_release(&c);
}

int main(void)
{
    char err[512];
    gsl_set_error_handler_off();
    plan_lazy();
    lab_ptheory *w = lab_ptheory_alloc();
    if (!w)
        bail("out of memory");
    snprintf(dir, sizeof dir, "prune-report-t-%ld.tmp", (long)getpid());
    if (lab_mkdirs(dir, err, sizeof err))
        bail("%s", err);
    test_sign_changes();
    test_reference_crossovers(w);
    test_report(w);
    test_workers();
    lab_ptheory_free(w);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        diag("could not remove %s", dir);
    return 0;
}
