/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "report.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "fitting.h"
#include "kind.h"
#include "plot.h"
#include "problem.h"
#include "status.h"
#include "strbuf.h"
#include "summary.h"
#include "table.h"

/* The most group and measured columns a summary takes. */
#define MAXCOLS (LAB_CONFIG_MAXAXES + 32)

/* What the report of one run works from. */
struct report {
    const char *rundir;
    const lab_config *c;
    const lab_kind *kind;
    const lab_report_hooks *h;
    char *figdir;
    /* The summary's spec: the group columns (axes but the seed, then the
     * kind's key columns) with their labels, and the measured columns. */
    const char *group[MAXCOLS], *labels[MAXCOLS], *cols[MAXCOLS];
    enum lab_sum_stat stats[MAXCOLS];
    lab_summary_spec spec;
    lab_table *t;
    lab_summary *s;
};

static void warn(const struct report *R, const char *message)
{
    if (R->h && R->h->warn)
        R->h->warn(R->h->ctx, message);
}

static void make_spec(struct report *R)
{
    const lab_config *c = R->c;
    size_t ng = 0, nc = 0;
    for (size_t a = 0; a < c->naxes; a++) {
        if (strcmp(lab_axis_column(&c->axes[a]), "seed") == 0)
            continue;
        R->labels[ng] = lab_axis_label(&c->axes[a]);
        R->group[ng++] = lab_axis_column(&c->axes[a]);
    }
    for (size_t j = 0; j < R->kind->ncolumns; j++) {
        const lab_column *col = &R->kind->columns[j];
        static const enum lab_sum_stat map[] = {
            [LAB_STAT_SAME] = LAB_SUM_SAME, [LAB_STAT_MEAN] = LAB_SUM_MEAN,
            [LAB_STAT_MEANSD] = LAB_SUM_MEANSD, [LAB_STAT_FULL] = LAB_SUM_FULL
        };
        if (col->stat == LAB_STAT_KEY) {
            R->labels[ng] = col->name;
            R->group[ng++] = col->name;
        } else if (col->stat != LAB_STAT_NONE) {
            R->stats[nc] = map[col->stat];
            R->cols[nc++] = col->name;
        }
    }
    R->spec = (lab_summary_spec){ R->group, ng, "status", R->cols, R->stats, nc };
}

/* ==== Figures ============================================================== */

/* The template for error against x: plots/error_vs_X.gp when there is one
 * (n and width mark the teacher's size), else the generic error_vs.gp. */
static const char *template_for(const char *x, lab_strbuf *b)
{
    struct stat st;
    lab_strbuf_printf(b, "%s/error_vs_%s.gp", lab_plot_templates_dir(), x);
    int own = stat(lab_strbuf_str(b), &st) == 0;
    lab_strbuf_reset(b);
    lab_strbuf_puts(b, own ? "error_vs_" : "error_vs");
    if (own)
        lab_strbuf_puts(b, x);
    return lab_strbuf_str(b);
}

/* The teacher's size for the figures' marks, or 0 when it is swept. */
static void teacher_marks(const lab_config *c, size_t *params, long *width)
{
    int swept = lab_config_axis(c, "teacher.input_dim") || lab_config_axis(c, "teacher.widths");
    *params = swept ? 0 : lab_problem_teacher_params(c);
    *width = swept ? 0 : lab_problem_teacher_width(c);
}

/* Write figures/error_vs_X.dat with the curves, then its script and image. */
static int figure(struct report *R, const char *x, const char *series, char *err, size_t errlen)
{
    lab_strbuf name = LAB_STRBUF_INIT, dat = LAB_STRBUF_INIT, tmpl = LAB_STRBUF_INIT;
    char *titles = NULL, *settings = NULL, *path = NULL, warning[1024];
    size_t tlen, slen;
    lab_strbuf_puts(&name, "error_vs_");
    for (const char *p = x; *p; p++) /* a file name */
        lab_strbuf_add(&name, isalnum((unsigned char)*p) || strchr("._-", *p) ? p : "_", 1);
    lab_strbuf_printf(&dat, "%s.dat", lab_strbuf_str(&name));
    FILE *tf = open_memstream(&titles, &tlen);
    lab_atomic a;
    int rc = tf && !name.failed && !dat.failed && (path = lab_path_join(R->figdir, dat.s))
                 ? lab_atomic_open(&a, path, err, errlen)
                 : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    size_t nblocks = 0;
    if (rc == LAB_OK) {
        fprintf(a.f, "# curves of %s from summary.tsv (%s)\n", R->kind->error, R->c->name);
        nblocks = lab_summary_write_curves(R->s, x, R->kind->error, series, R->labels, a.f, tf);
        rc = lab_atomic_commit(&a, err, errlen);
    }
    if (tf)
        fclose(tf);
    if (rc == LAB_OK && nblocks == 0) {
        snprintf(warning, sizeof warning, "no finished cells to draw in %s",
                 lab_strbuf_str(&name));
        warn(R, warning);
    } else if (rc == LAB_OK) {
        size_t tparams;
        long twidth;
        teacher_marks(R->c, &tparams, &twidth);
        FILE *sf = open_memstream(&settings, &slen);
        if (!sf) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            goto done;
        }
        fprintf(sf, "datafile = '%s'\ntitles = \"", lab_strbuf_str(&dat));
        lab_plot_text(sf, titles ? titles : "", 0);
        fputs("\"\nexperiment = \"", sf);
        lab_plot_text(sf, R->c->name, 0);
        fputs("\"\nxname = \"", sf);
        lab_plot_text(sf, x, 0);
        fputs("\"\nseriesname = \"", sf);
        lab_plot_text(sf, series ? series : "", 0);
        fprintf(sf, "\"\nyname = \"%s\"\nteacher_params = %zu\nteacher_width = %ld\n",
                R->kind->error, tparams, twidth);
        fclose(sf);
        rc = lab_plot_render(R->figdir, template_for(x, &tmpl), lab_strbuf_str(&name),
                             (enum lab_plot_format)R->c->format, settings,
                             warning, sizeof warning, err, errlen);
        if (rc == LAB_OK && warning[0])
            warn(R, warning);
    }
done:
    free(titles);
    free(settings);
    free(path);
    lab_strbuf_release(&name);
    lab_strbuf_release(&dat);
    lab_strbuf_release(&tmpl);
    return rc;
}

/* Every figure of plot.curves ("X:SERIES, ..."). */
static int figures(struct report *R, char *err, size_t errlen)
{
    char *copy = strdup(R->c->curves), *save = NULL;
    int rc = copy ? LAB_OK : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && rc == LAB_OK;
         tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':'), *series = NULL;
        if (colon) {
            *colon = '\0';
            series = colon + 1;
            while (isspace((unsigned char)*series))
                series++;
            series[strcspn(series, " \t")] = '\0';
        }
        while (isspace((unsigned char)*tok))
            tok++;
        tok[strcspn(tok, " \t")] = '\0';
        rc = figure(R, tok, series && *series ? series : NULL, err, errlen);
    }
    free(copy);
    return rc;
}

/* ==== Fits ==================================================================== */

static void fit_note(void *ctx, const char *message)
{
    warn(ctx, message);
}

/* Whether name is one of the comma-separated names of list. */
static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        p += strspn(p, ", ");
        size_t len = strcspn(p, ", ");
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len;
    }
    return 0;
}

/* The group columns of a fit: every summary group column that takes several
 * values, but those the fit runs along (x) or leaves to the model size. */
static size_t fit_groups(const struct report *R, const char *x, const char *size_axes,
                         char **out)
{
    size_t n = 0;
    for (size_t j = 0; j < R->spec.ngroup; j++)
        if (strcmp(R->group[j], x) != 0 && !(size_axes && in_list(size_axes, R->group[j]))
            && lab_summary_distinct(R->s, j) > 1)
            out[n++] = (char *)R->group[j];
    return n;
}

/* The [fit] section as a request: forms from a comma list, the loss with its
 * default parameter. */
static void fit_request(const struct report *R, char *forms, char **list, lab_fit_request *req)
{
    const lab_config *c = R->c;
    char *save = NULL;
    size_t n = 0;
    for (char *tok = strtok_r(forms, ", ", &save); tok && n < 16; tok = strtok_r(NULL, ", ", &save))
        list[n++] = tok;
    memset(req, 0, sizeof *req);
    req->forms = list;
    req->nforms = n;
    req->loss = lab_loss_default((enum lab_loss_kind)c->fit_loss);
    req->refine = 16;
    req->bootstrap = (size_t)c->fit_bootstrap;
    req->boot_by = "seed";
    req->seed = c->seed;
    req->split = c->fit_holdout > 0 ? LAB_SPLIT_FRACTION : LAB_SPLIT_NONE;
    req->split_value = c->fit_holdout;
    req->format = (enum lab_plot_format)c->format;
    req->figdir = R->figdir;
    req->y = R->kind->error;
    req->note = fit_note;
    req->ctx = (void *)R;
}

/* Fit the [fit] laws to the results and write fits.tsv and friends. Fits
 * that fail (too few points, or no finished row at all) are warnings, not a
 * failed run: the results stand without them. */
static int fits(struct report *R, char *err, size_t errlen)
{
    const lab_config *c = R->c;
    char *per = strdup(c->fit_per_curve), *joint = strdup(c->fit_joint), *list[16];
    char *group[MAXCOLS], *x[1] = { c->fit_x };
    lab_fitting *fs = lab_fitting_alloc();
    int rc = per && joint && fs ? LAB_OK : LAB_ENOMEM;
    lab_fit_request req;
    char why[1024];
    if (rc == LAB_OK && strcmp(per, "none") != 0) {
        fit_request(R, per, list, &req);
        req.x = x;
        req.nx = 1;
        req.group = group;
        req.ngroup = fit_groups(R, c->fit_x, NULL, group);
        rc = lab_fitting_add(fs, R->t, &req, why, sizeof why);
    }
    if (rc == LAB_OK && strcmp(joint, "none") != 0) {
        fit_request(R, joint, list, &req);
        req.group = group;
        req.ngroup = fit_groups(R, "n", R->kind->size_axes, group);
        rc = lab_fitting_add(fs, R->t, &req, why, sizeof why);
    }
    if (rc == LAB_OK)
        rc = lab_fitting_write(fs, R->rundir, why, sizeof why);
    lab_strbuf b = LAB_STRBUF_INIT;
    if (rc != LAB_OK)
        lab_strbuf_printf(&b, "no fits: %s", rc == LAB_ENOMEM ? "out of memory" : why);
    else if (lab_fitting_failures(fs))
        lab_strbuf_printf(&b, "%zu fits failed (see diagnostics.tsv)", lab_fitting_failures(fs));
    if (b.len)
        warn(R, lab_strbuf_str(&b));
    lab_strbuf_release(&b);
    lab_fitting_free(fs);
    free(per);
    free(joint);
    return rc == LAB_ENOMEM ? lab_fail(err, errlen, rc, "out of memory") : LAB_OK;
}

/* ==== The report =============================================================== */

static int write_summary(const char *path, const lab_summary *s, char *err, size_t errlen)
{
    lab_atomic a;
    int rc = lab_atomic_open(&a, path, err, errlen);
    if (rc != LAB_OK)
        return rc;
    lab_summary_write(s, a.f);
    return lab_atomic_commit(&a, err, errlen);
}

int lab_report_write(const char *rundir, const lab_config *c, const lab_report_hooks *h,
                     char *err, size_t errlen)
{
    struct report R = { .rundir = rundir, .c = c, .kind = lab_config_kind(c), .h = h };
    char *results = lab_path_join(rundir, "results.tsv");
    char *summary = lab_path_join(rundir, "summary.tsv");
    R.figdir = lab_path_join(rundir, "figures");
    int rc = results && summary && R.figdir ? LAB_OK
                                            : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    make_spec(&R);
    if (rc == LAB_OK)
        rc = lab_table_read(results, &R.t, err, errlen);
    if (rc == LAB_OK)
        rc = lab_summary_make(R.t, &R.spec, &R.s, err, errlen);
    if (rc == LAB_OK)
        rc = write_summary(summary, R.s, err, errlen);
    if (rc == LAB_OK)
        rc = lab_mkdirs(R.figdir, err, errlen);
    if (rc == LAB_OK)
        rc = figures(&R, err, errlen);
    if (rc == LAB_OK)
        rc = fits(&R, err, errlen);
    lab_summary_free(R.s);
    lab_table_free(R.t);
    free(results);
    free(summary);
    free(R.figdir);
    return rc;
}
