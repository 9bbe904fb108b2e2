/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <configure.h>

#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <unistd.h>

#include "fileio.h"
#include "fitting.h"
#include "mlp.h"
#include "status.h"
#include "summary.h"
#include "table.h"

void lab_cli_error(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("lab: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int lab_cli_exit_code(int status)
{
    switch (status) {
    case LAB_OK:
        return LAB_EXIT_OK;
    case LAB_ECONFIG:
    case LAB_ECONFLICT:
    case LAB_EINVAL:
        return LAB_EXIT_USAGE;
    case LAB_EINTERRUPTED:
        return LAB_EXIT_INTERRUPTED;
    default:
        return LAB_EXIT_FAIL;
    }
}

/* ---- finding configs ----------------------------------------------------- */

static int readable(const char *path)
{
    return access(path, R_OK) == 0;
}

/* Try dir/name and dir/name.cfg; on success return a new string. */
static char *try_dir(const char *dir, const char *name)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
    if (readable(buf))
        return strdup(buf);
    size_t len = strlen(name);
    if (len < 4 || strcmp(name + len - 4, ".cfg") != 0) {
        strncat(buf, ".cfg", sizeof buf - strlen(buf) - 1);
        if (readable(buf))
            return strdup(buf);
    }
    return NULL;
}

static char *find_config(const char *name)
{
    if (strchr(name, '/'))
        return readable(name) ? strdup(name) : NULL;
    const char *dirs[] = { NULL, "experiments", LAB_SRCDIR "/experiments",
                           LAB_PKGDATADIR "/experiments" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char *p = try_dir(dirs[i], name);
        if (p)
            return p;
    }
    return NULL;
}

int lab_cli_load_config(lab_config *c, const char *name, char **sets, int nsets)
{
    char err[1024];
    if (lab_config_init(c) != LAB_OK) {
        lab_cli_error("out of memory");
        return LAB_EXIT_FAIL;
    }
    char *path = find_config(name);
    if (!path) {
        lab_cli_error("%s: no such config (looked in the current folder and in "
                      "experiments/; `ls %s/experiments` lists the lab's own)",
                      name, LAB_SRCDIR);
        return LAB_EXIT_USAGE;
    }
    int rc = lab_config_load(c, path, err, sizeof err);
    for (int i = 0; i < nsets && rc == LAB_OK; i++)
        rc = lab_config_set(c, sets[i], err, sizeof err);
    if (rc == LAB_OK)
        rc = lab_config_finish(c, err, sizeof err);
    free(path);
    if (rc != LAB_OK) {
        lab_cli_error("%s", rc == LAB_ENOMEM ? "out of memory" : err);
        return rc == LAB_EIO ? LAB_EXIT_USAGE : lab_cli_exit_code(rc);
    }
    return LAB_EXIT_OK;
}

int lab_cli_config_operand(lab_config *c, int argc, char **argv, const char *usage,
                           char **sets, int nsets)
{
    if (optind != argc - 1) {
        if (lab_config_init(c) != LAB_OK)
            return LAB_EXIT_FAIL;
        fputs(usage, stderr);
        return LAB_EXIT_USAGE;
    }
    return lab_cli_load_config(c, argv[optind], sets, nsets);
}

/* ---- summaries and figures ------------------------------------------------ */

static int write_summary(const char *path, const lab_summary *s, char *err, size_t errlen)
{
    lab_atomic a;
    int rc = lab_atomic_open(&a, path, err, errlen);
    if (rc != LAB_OK)
        return rc;
    lab_summary_write(s, a.f);
    return lab_atomic_commit(&a, err, errlen);
}

/* The teacher's parameter count and its widest hidden layer, which the
 * figures mark. */
static void teacher_size(const lab_config *c, long *params, long *width)
{
    size_t *w = malloc(c->teacher_widths.n * sizeof *w);
    *params = *width = 0;
    for (size_t l = 0; w && l < c->teacher_widths.n; l++) {
        w[l] = (size_t)c->teacher_widths.v[l];
        *width = c->teacher_widths.v[l] > *width ? c->teacher_widths.v[l] : *width;
    }
    lab_mlp *t = w ? lab_mlp_alloc((size_t)c->input_dim, c->teacher_widths.n, w,
                                   (enum lab_act)c->teacher_act) : NULL;
    if (t)
        *params = (long)t->n_params;
    lab_mlp_free(t);
    free(w);
}

/* Write figures/NAME.dat with curves, then NAME.gp and the image. */
static int figure(const char *figdir, const char *name, const lab_summary *s, int by_width,
                  const lab_config *c)
{
    char err[1024], warn[1024], *file = NULL, *titles = NULL, *settings = NULL;
    size_t tlen, slen;
    lab_atomic a;
    FILE *tf = NULL;
    int code = LAB_EXIT_FAIL, rc;
    char dat[64];
    snprintf(dat, sizeof dat, "%s.dat", name);
    if (!(file = lab_path_join(figdir, dat)) || !(tf = open_memstream(&titles, &tlen))) {
        lab_cli_error("out of memory");
        goto done;
    }
    if ((rc = lab_atomic_open(&a, file, err, sizeof err)) != LAB_OK) {
        lab_cli_error("%s", err);
        goto done;
    }
    fprintf(a.f, "# curves of test error from summary.tsv (%s)\n", c->name);
    size_t nblocks = lab_summary_write_curves(s, by_width, a.f, tf);
    fclose(tf);
    tf = NULL;
    if ((rc = lab_atomic_commit(&a, err, sizeof err)) != LAB_OK) {
        lab_cli_error("%s", err);
        goto done;
    }
    if (nblocks == 0) {
        lab_cli_error("warning: no finished cells to draw in %s", name);
        code = LAB_EXIT_OK;
        goto done;
    }
    long tparams, twidth;
    teacher_size(c, &tparams, &twidth);
    FILE *sf = open_memstream(&settings, &slen);
    if (!sf) {
        lab_cli_error("out of memory");
        goto done;
    }
    fprintf(sf, "datafile = '%s'\ntitles = \"%s\"\nexperiment = \"%s\"\n"
                "teacher_params = %ld\nteacher_width = %ld\n",
            dat, titles, c->name, tparams, twidth);
    fclose(sf);
    rc = lab_plot_render(figdir, name, name, (enum lab_plot_format)c->format, settings, warn,
                         sizeof warn, err, sizeof err);
    if (rc != LAB_OK) {
        lab_cli_error("%s", err);
        goto done;
    }
    if (warn[0])
        lab_cli_error("warning: %s", warn);
    code = LAB_EXIT_OK;
done:
    if (tf)
        fclose(tf);
    free(titles);
    free(settings);
    free(file);
    return code;
}

/* The [fit] section as a request: forms from a comma list, the loss with
 * its default parameter. */
static void fit_request(const lab_config *c, const char *figdir, char *forms, char **list,
                        size_t *n, lab_fit_request *req)
{
    static const double loss_param[4] = { 0, 0, 1e-3, 10 };
    char *save = NULL;
    *n = 0;
    for (char *tok = strtok_r(forms, ", ", &save); tok && *n < 16; tok = strtok_r(NULL, ", ", &save))
        list[(*n)++] = tok;
    memset(req, 0, sizeof *req);
    req->forms = list;
    req->nforms = *n;
    req->loss.kind = (enum lab_loss_kind)c->fit_loss;
    req->loss.param = loss_param[c->fit_loss];
    req->refine = 16;
    req->bootstrap = (size_t)c->fit_bootstrap;
    req->boot_by = "seed";
    req->seed = c->seed;
    req->split = c->fit_holdout > 0 ? LAB_SPLIT_FRACTION : LAB_SPLIT_NONE;
    req->split_value = c->fit_holdout;
    req->format = (enum lab_plot_format)c->format;
    req->figdir = figdir;
}

/* Fit the [fit] laws to the results table and write fits.tsv and friends.
 * Fits that fail (too few points, or no finished row at all) are warnings,
 * not a failed run: the results stand without them. */
static int fit_results(const char *rundir, const char *figdir, const lab_table *t,
                       const lab_config *c)
{
    char err[1024], *per = strdup(c->fit_per_width), *joint = strdup(c->fit_joint), *list[16];
    char *group[2] = { "width", "depth" };
    lab_fitting *fs = lab_fitting_alloc();
    int rc = per && joint && fs ? LAB_OK : LAB_ENOMEM;
    size_t n;
    lab_fit_request req;
    if (rc == LAB_OK && strcmp(per, "none") != 0) {
        fit_request(c, figdir, per, list, &n, &req);
        req.group = group;
        req.ngroup = c->depth.n > 1 ? 2 : 1;
        rc = lab_fitting_add(fs, t, &req, err, sizeof err);
    }
    if (rc == LAB_OK && strcmp(joint, "none") != 0) {
        fit_request(c, figdir, joint, list, &n, &req);
        rc = lab_fitting_add(fs, t, &req, err, sizeof err);
    }
    if (rc == LAB_OK)
        rc = lab_fitting_write(fs, rundir, err, sizeof err);
    if (rc != LAB_OK)
        lab_cli_error("warning: no fits: %s", rc == LAB_ENOMEM ? "out of memory" : err);
    else if (lab_fitting_failures(fs))
        lab_cli_error("warning: %zu fits failed (see diagnostics.tsv)", lab_fitting_failures(fs));
    lab_fitting_free(fs);
    free(per);
    free(joint);
    return rc == LAB_ENOMEM ? LAB_EXIT_FAIL : LAB_EXIT_OK;
}

int lab_cli_report(const char *rundir, const lab_config *c)
{
    char err[1024];
    char *results = lab_path_join(rundir, "results.tsv");
    char *summary = lab_path_join(rundir, "summary.tsv");
    char *figdir = lab_path_join(rundir, "figures");
    lab_table *t = NULL;
    lab_summary *s = NULL;
    int code = LAB_EXIT_FAIL;
    if (!results || !summary || !figdir) {
        lab_cli_error("out of memory");
        goto done;
    }
    int rc = lab_table_read(results, &t, err, sizeof err);
    if (rc == LAB_OK)
        rc = lab_summary_make(t, &s, err, sizeof err);
    if (rc == LAB_OK)
        rc = write_summary(summary, s, err, sizeof err);
    if (rc == LAB_OK)
        rc = lab_mkdirs(figdir, err, sizeof err);
    if (rc != LAB_OK) {
        lab_cli_error("%s", err);
        goto done;
    }
    code = figure(figdir, "error_vs_n", s, 1, c);
    if (code == LAB_EXIT_OK)
        code = figure(figdir, "error_vs_width", s, 0, c);
    if (code == LAB_EXIT_OK)
        code = fit_results(rundir, figdir, t, c);
done:
    lab_summary_free(s);
    lab_table_free(t);
    free(results);
    free(summary);
    free(figdir);
    return code;
}
