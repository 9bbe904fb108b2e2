/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The command layer as a library: `lab fit`'s options parsed into a struct
 * and its fit run without the program; the run folder's locks between
 * processes; a run folder's report from a table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "fileio.h"
#include "fit_table.h"
#include "report.h"
#include "runfolder.h"
#include "status.h"
#include "tap.h"

static char dir[64];

static int parse(lab_fit_options *o, char *err, const char *a1, const char *a2,
                 const char *a3, const char *a4)
{
    const char *args[] = { "fit", a1, a2, a3, a4, NULL };
    int argc = 1;
    while (args[argc])
        argc++;
    return lab_fit_options_parse(argc, (char **)args, o, err, 512);
}

static void test_options(void)
{
    lab_fit_options o;
    char err[512];
    const char *args[] = { "fit", "t.tsv", "--form", "hestness,bnsl:2", "--holdout", "0.25",
                           "--loss", "huber:0.01", "--bootstrap", "7", "--group", "width,depth",
                           "--fix", "gamma=0.1", "--refine", "all", NULL };
    int rc = lab_fit_options_parse(16, (char **)args, &o, err, sizeof err);
    ok(rc == LAB_OK && strcmp(o.table, "t.tsv") == 0 && o.req.nforms == 2
       && strcmp(o.req.forms[1], "bnsl:2") == 0 && o.req.split == LAB_SPLIT_FRACTION
       && o.req.split_value == 0.25 && o.req.loss.kind == LAB_LOSS_HUBER
       && o.req.loss.param == 0.01 && o.req.bootstrap == 7 && o.req.ngroup == 2
       && o.req.nfix == 1 && o.req.refine == 0,
       "lab fit's options land in the request (%s)", rc ? err : "ok");
    lab_fit_options_release(&o);

    rc = parse(&o, err, "t.tsv", "--form", "exp", "--frob");
    ok(rc == LAB_EINVAL && strcmp(err, "--frob: unknown option") == 0, "an unknown option (%s)",
       err);
    lab_fit_options_release(&o);
    rc = parse(&o, err, "a.tsv", "b.tsv", "--form", "exp");
    ok(rc == LAB_EINVAL && strstr(err, "expected one TABLE, got 2"), "two tables (%s)", err);
    lab_fit_options_release(&o);
    rc = parse(&o, err, "t.tsv", "--holdout", "0.5", NULL);
    ok(rc == LAB_EINVAL && strstr(err, "--form is required"), "no form (%s)", err);
    lab_fit_options_release(&o);
    rc = parse(&o, err, "t.tsv", "--form", "exp,,hestness", NULL);
    ok(rc == LAB_EINVAL && strstr(err, "none of them empty"), "an empty form (%s)", err);
    lab_fit_options_release(&o);
    rc = parse(&o, err, "--help", NULL, NULL, NULL);
    ok(rc == LAB_OK && o.help, "--help");
    lab_fit_options_release(&o);
}

static int nlines;

static void count_line(void *ctx, const char *line)
{
    (void)ctx;
    nlines += line[0] != '\0';
}

/* A power law with a floor, known parameters, through lab_fit_table(). */
static void test_fit_table(void)
{
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/curve.tsv", dir);
    FILE *f = fopen(path, "w");
    fputs("n\tg\ttest_error\n", f);
    for (int g = 0; g < 2; g++)
        for (double n = 16; n <= 16384; n *= 2)
            fprintf(f, "%g\t%d\t%.17g\n", n, g, (g ? 3.0 : 2.0) * pow(n, -0.5) + 0.01);
    fclose(f);
    lab_fit_options o;
    lab_fitting *fs = NULL;
    const char *args[] = { "fit", path, "--form", "hestness", "--group", "g", "--format",
                           "none", NULL };
    int rc = lab_fit_options_parse(8, (char **)args, &o, err, sizeof err);
    o.req.fitted = count_line;
    if (rc == LAB_OK)
        rc = lab_fit_table(&o, &fs, err, sizeof err);
    char fits[160];
    snprintf(fits, sizeof fits, "%s/fit/fits.tsv", dir);
    char *text = lab_file_read(fits, NULL), *beta = text ? strstr(text, "g=1\thestness\tbeta\t")
                                                         : NULL;
    double b = beta ? strtod(beta + strlen("g=1\thestness\tbeta\t"), NULL) : NAN;
    ok(rc == LAB_OK && nlines == 2 && lab_fitting_failures(fs) == 0 && fabs(b + 0.5) < 1e-6,
       "lab_fit_table fits each group (beta %.9g), reports a line per fit, writes fit/fits.tsv "
       "beside the table (%s)",
       b, rc ? err : "ok");
    free(text);
    lab_fitting_free(fs);
    lab_fit_options_release(&o);
}

/* The folder's lock keeps two processes apart. */
static void test_locks(void)
{
    char err[512];
    int fd = -1;
    int rc = lab_runfolder_lock(dir, "run.log", 0, NULL, &fd, err, sizeof err);
    pid_t pid = fork();
    if (pid == 0) {
        int fd2 = -1;
        int rc2 = lab_runfolder_lock(dir, "run.log", 0, NULL, &fd2, err, sizeof err);
        _exit(rc2 == LAB_EBUSY && strstr(err, "is in use by another lab run") ? 0 : 1);
    }
    int status = 1;
    waitpid(pid, &status, 0);
    ok(rc == LAB_OK && WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "a second process finds the folder's lock taken");
    ok(lab_runfolder_log(fd, "a line") == LAB_OK, "the locked log takes a line");
    lab_runfolder_unlock(fd);
    pid = fork();
    if (pid == 0) {
        int fd2 = -1;
        _exit(lab_runfolder_lock(dir, "run.log", 0, NULL, &fd2, err, sizeof err) == LAB_OK ? 0 : 1);
    }
    waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "and free again once it is unlocked");
}

static int nwarnings;

static void count_warning(void *ctx, const char *message)
{
    (void)ctx;
    (void)message;
    nwarnings++;
}

/* A run folder's report from a results table alone. */
static void test_report(void)
{
    lab_config c;
    char err[512], path[128];
    if (lab_config_init(&c)
        || lab_config_load_string(&c, "[student]\nwidth = 4\n[sweep]\nn = 8, 16\n"
                                      "[plot]\nformat = none\n[fit]\nper_curve = none\n",
                                  "r.cfg", err, sizeof err)
        || lab_config_finish(&c, err, sizeof err))
        bail("config: %s", err);
    snprintf(path, sizeof path, "%s/results.tsv", dir);
    FILE *f = fopen(path, "w");
    fputs("n\twidth\tdepth\tseed\tparams\ttrain_error\ttest_error\tsteps\tstatus\tstop\twall_s\n"
          "8\t4\t1\t0\t73\t0.1\t0.5\t10\tok\tsteps\t0.1\n"
          "16\t4\t1\t0\t73\t0.1\t0.25\t10\tok\tsteps\t0.1\n", f);
    fclose(f);
    lab_report_hooks h = { count_warning, NULL, NULL, NULL, 1 };
    int rc = lab_report_write(dir, &c, &h, err, sizeof err);
    snprintf(path, sizeof path, "%s/summary.tsv", dir);
    char *text = lab_file_read(path, NULL);
    ok(rc == LAB_OK && text && strstr(text, "\n16\t4\t1\t73\t1\t0\t") && nwarnings == 1,
       "the report writes the summary, and warns that one width makes no joint fit (%d)",
       nwarnings);
    free(text);
    /* The teacher's linear baseline, one row per teacher (seed). */
    snprintf(path, sizeof path, "%s/baseline.tsv", dir);
    text = lab_file_read(path, NULL);
    double eps = -1;
    int read = text && sscanf(text, "seed\teps_ols\tlinear_share\n0\t%lf\t", &eps) == 1;
    ok(read && eps > 0.01 && eps < 1 && !strchr(strchr(text, '\n') + 1, '\n')[1],
       "baseline.tsv: one teacher, eps_OLS %g", eps);
    free(text);
    lab_config_release(&c);
}

int main(void)
{
    plan(6 + 1 + 3 + 2);
    snprintf(dir, sizeof dir, "cli-lib-t-%ld.tmp", (long)getpid());
    char err[512];
    if (lab_mkdirs(dir, err, sizeof err))
        bail("%s", err);
    test_options();
    test_fit_table();
    test_locks();
    test_report();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        diag("could not remove %s", dir);
    return 0;
}
