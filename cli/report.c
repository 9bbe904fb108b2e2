/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "report.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baseline.h"
#include "decomposition.h"
#include "fileio.h"
#include "fitting.h"
#include "kind.h"
#include "perceptron_report.h"
#include "plot.h"
#include "problem.h"
#include "prune_report.h"
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
    /* The summary's spec: the group columns (axes but the replicates, then the
     * kind's key columns) with their labels, and the measured columns. */
    const char *group[MAXCOLS], *labels[MAXCOLS], *cols[MAXCOLS];
    enum lab_sum_stat stats[MAXCOLS];
    lab_summary_spec spec;
    lab_table *t;
    lab_summary *s;
    lab_baseline base;    /* the teachers' linear baseline; nteachers 0 when none */
    lab_strbuf lost;      /* why outputs are missing, "; " between them */
    size_t nlost;
};

/* Whether the caller asked the report to stop; says so in err. */
static int stopped(const struct report *R, char *err, size_t errlen)
{
    if (!R->h || !R->h->stop || !*R->h->stop)
        return 0;
    lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted");
    return 1;
}

static void warn(const struct report *R, const char *message)
{
    if (R->h && R->h->warn)
        R->h->warn(R->h->ctx, message);
}

/* An output that could not be written (a full disk, gnuplot failing) does
 * not stop the others: its message is kept for the end, where the report
 * fails naming each. Other errors come back as they are. */
static int lost(struct report *R, int rc, const char *message)
{
    if (rc != LAB_EIO)
        return rc;
    lab_strbuf_printf(&R->lost, "%s%s", R->nlost++ ? "; " : "", message);
    return LAB_OK;
}

static void make_spec(struct report *R)
{
    const lab_config *c = R->c;
    size_t ng = 0, nc = 0;
    for (size_t a = 0; a < c->naxes; a++) {
        if (lab_axis_is_replicate(&c->axes[a]))
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
    R->spec = (lab_summary_spec){ R->group, ng, "status", R->cols, R->stats, nc,
                                  lab_config_axis(c, c->fit_x) ? c->fit_x : NULL };
}

/* ==== The table's keys ======================================================== */

/* Whether text is one of the n names. */
static int one_of(const char *text, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], text) == 0)
            return 1;
    return 0;
}

/* Every row names a cell of this sweep: each axis column holds one of the
 * axis's values (as config.cfg writes them), each key column of the kind
 * one of its names. A hand-edited table, or one of another config, is
 * refused with its line, rather than grouped into cells that no figure or
 * fit can place (a width of "nan" or "1e300"). */
static int check_keys(const struct report *R, char *err, size_t errlen)
{
    const lab_config *c = R->c;
    const lab_table *t = R->t;
    for (size_t a = 0; a < c->naxes; a++) {
        const lab_axis *ax = &c->axes[a];
        long col = lab_table_col(t, lab_axis_column(ax));
        for (size_t r = 0; col >= 0 && r < t->nrows; r++) {
            const char *v = lab_table_cell(t, r, (size_t)col);
            if (!one_of(v, (const char *const *)ax->values, ax->n))
                return lab_fail(err, errlen, LAB_EFORMAT, "%s:%ld: %s: \"%s\" is not a value "
                                "of this sweep's axis (%zu values in config.cfg, from %s to %s)",
                                t->path, t->lines[r], lab_axis_column(ax), v, ax->n,
                                ax->values[0], ax->values[ax->n - 1]);
        }
    }
    for (size_t j = 0; j < R->kind->ncolumns; j++) {
        const lab_column *k = &R->kind->columns[j];
        long col = k->stat == LAB_STAT_KEY && k->type == LAB_COL_NAME ? lab_table_col(t, k->name)
                                                                      : -1;
        for (size_t r = 0; col >= 0 && r < t->nrows; r++) {
            const char *v = lab_table_cell(t, r, (size_t)col);
            if (!one_of(v, k->names, (size_t)k->nnames))
                return lab_fail(err, errlen, LAB_EFORMAT, "%s:%ld: %s: \"%s\" is not one of "
                                "the kind %s's names", t->path, t->lines[r], k->name, v,
                                R->kind->name);
        }
    }
    return LAB_OK;
}

/* ==== Figures ============================================================== */

/* The template for a figure named error_vs_X: plots/error_vs_X.gp when
 * there is one (n and width mark the teacher's size), else the generic
 * error_vs.gp. */
static const char *template_for(const char *name, lab_strbuf *b)
{
    struct stat st;
    lab_strbuf_printf(b, "%s/%s.gp", lab_plot_templates_dir(), name);
    int own = stat(lab_strbuf_str(b), &st) == 0;
    lab_strbuf_reset(b);
    lab_strbuf_puts(b, own ? name : "error_vs");
    return lab_strbuf_str(b);
}

/* The teacher's size for the figures' marks, or 0 when it is swept. */
static void teacher_marks(const lab_config *c, size_t *params, long *width)
{
    int swept = lab_config_axis(c, "teacher.input_dim") || lab_config_axis(c, "teacher.widths");
    *params = swept ? 0 : lab_problem_teacher_params(c);
    *width = swept ? 0 : lab_problem_teacher_width(c);
}

/* Append text to a file name, other characters than letters, digits, '.',
 * '_' and '-' as '_'. */
static void file_name(lab_strbuf *b, const char *text)
{
    for (const char *p = text; *p; p++)
        lab_strbuf_add(b, isalnum((unsigned char)*p) || strchr("._-", *p) ? p : "_", 1);
}

/* Remove the images of a figure that has nothing to draw any more. */
static void remove_images(const char *figdir, const char *name)
{
    for (int f = 0; f < LAB_PLOT_NONE; f++) {
        lab_strbuf b = LAB_STRBUF_INIT;
        lab_strbuf_printf(&b, "%s/%s.%s", figdir, name, lab_plot_format_names[f]);
        if (!b.failed)
            remove(b.s);
        lab_strbuf_release(&b);
    }
}

/* The gnuplot settings of a figure, above its template (plots/error_vs_n.gp
 * lists them). */
static void figure_settings(const struct report *R, FILE *sf, const char *dat,
                            const char *titles, const lab_curve_spec *cs)
{
    size_t tparams;
    long twidth;
    teacher_marks(R->c, &tparams, &twidth);
    fprintf(sf, "datafile = '%s'\ntitles = \"", dat);
    lab_plot_text(sf, titles, 0);
    fputs("\"\nexperiment = \"", sf);
    lab_plot_text(sf, R->c->name, 0);
    fputs("\"\nxname = \"", sf);
    lab_plot_text(sf, cs->x, 0);
    fputs("\"\nper = \"", sf);
    lab_plot_text(sf, cs->per ? cs->per : "", 0);
    fputs("\"\nseriesname = \"", sf);
    lab_plot_text(sf, cs->series ? cs->series : "", 0);
    fprintf(sf, "\"\nyname = \"%s\"\nteacher_params = %zu\nteacher_width = %ld\n",
            R->kind->error, tparams, twidth);
    /* The x axis's values, for its tics (a divided x has others). */
    const lab_axis *ax = cs->per ? NULL : lab_config_axis(R->c, cs->x);
    fputs("xvalues = \"", sf);
    for (size_t i = 0; ax && i < ax->n; i++)
        fprintf(sf, "%s%s", i ? " " : "", ax->values[i]);
    fprintf(sf, "\"\nmarks = %d\n", cs->mark != NULL);
    /* The linear baseline is one line when the teacher does not vary but
     * for its seed. */
    int ols = R->base.nteachers > 0 && R->base.ncurves == 1;
    fprintf(sf, "ols_error = %.6g\nols_lo = %.6g\nols_hi = %.6g\nols_count = %zu\n",
            ols ? R->base.gmean : 0.0, ols ? R->base.min : 0.0, ols ? R->base.max : 0.0,
            ols ? R->base.nteachers : 0);
}

/* Write figures/NAME.dat with the curves of the error against x (divided by
 * the column per, when not NULL), then its script and image. */
static int figure(struct report *R, const char *x, const char *per, const char *series,
                  int by_series, char *err, size_t errlen)
{
    lab_strbuf base = LAB_STRBUF_INIT, name = LAB_STRBUF_INIT, dat = LAB_STRBUF_INIT,
               tmpl = LAB_STRBUF_INIT;
    char *titles = NULL, *settings = NULL, *path = NULL, warning[1024];
    size_t tlen, slen;
    /* error_vs_X or error_vs_X_per_COLUMN, then _by_SERIES when X has
     * several figures */
    lab_strbuf_puts(&base, "error_vs_");
    file_name(&base, x);
    if (per) {
        lab_strbuf_puts(&base, "_per_");
        file_name(&base, per);
    }
    lab_strbuf_puts(&name, lab_strbuf_str(&base));
    if (by_series) {
        lab_strbuf_puts(&name, "_by_");
        file_name(&name, series ? series : "none");
    }
    /* Each curve's model size (params) is marked on the n axis. */
    int marks = !per && strcmp(x, "n") == 0 && lab_kind_column(R->kind, "params") >= 0;
    lab_curve_spec cs = { x, R->kind->error, series, R->labels, per, marks ? "params" : NULL };
    lab_strbuf_printf(&dat, "%s.dat", lab_strbuf_str(&name));
    FILE *tf = open_memstream(&titles, &tlen);
    lab_atomic a;
    int rc = tf && !name.failed && !dat.failed && (path = lab_path_join(R->figdir, dat.s))
                 ? lab_atomic_open(&a, path, err, errlen)
                 : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    size_t nblocks = 0;
    if (rc == LAB_OK) {
        nblocks = lab_summary_write_curves(R->s, &cs, a.f, tf);
        rc = lab_atomic_commit(&a, err, errlen);
    }
    if (tf)
        fclose(tf);
    if (rc == LAB_OK && nblocks == 0) {
        snprintf(warning, sizeof warning, "no finished cells to draw in %s",
                 lab_strbuf_str(&name));
        warn(R, warning);
        remove_images(R->figdir, lab_strbuf_str(&name));
    } else if (rc == LAB_OK) {
        FILE *sf = open_memstream(&settings, &slen);
        if (!sf) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            goto done;
        }
        figure_settings(R, sf, lab_strbuf_str(&dat), titles ? titles : "", &cs);
        fclose(sf);
        rc = lab_plot_render(R->figdir, template_for(lab_strbuf_str(&base), &tmpl),
                             lab_strbuf_str(&name), (enum lab_plot_format)R->c->format,
                             settings, R->h ? R->h->stop : NULL, warning, sizeof warning,
                             err, errlen);
        if (rc == LAB_OK && warning[0])
            warn(R, warning);
    }
done:
    free(titles);
    free(settings);
    free(path);
    lab_strbuf_release(&base);
    lab_strbuf_release(&name);
    lab_strbuf_release(&dat);
    lab_strbuf_release(&tmpl);
    return rc;
}

/* The figures of plot.curves ("X:SERIES, ...", X maybe AXIS/COLUMN), as
 * (x, per, series) in place in copy; returns their number. */
static size_t parse_curves(char *copy, char **x, char **per, char **series, size_t cap)
{
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok && n < cap; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':'), *s = NULL;
        if (colon) {
            *colon = '\0';
            s = colon + 1;
            s += strspn(s, " \t");
            s[strcspn(s, " \t")] = '\0';
        }
        char *slash = strchr(tok, '/');
        per[n] = NULL;
        if (slash) {
            *slash = '\0';
            per[n] = slash + 1 + strspn(slash + 1, " \t");
            per[n][strcspn(per[n], " \t")] = '\0';
        }
        tok += strspn(tok, " \t");
        tok[strcspn(tok, " \t")] = '\0';
        x[n] = tok;
        series[n++] = s && *s ? s : NULL;
    }
    return n;
}

/* Every figure of plot.curves. */
static int figures(struct report *R, char *err, size_t errlen)
{
    char *copy = strdup(R->c->curves), *x[MAXCOLS], *per[MAXCOLS], *series[MAXCOLS];
    if (!copy)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    size_t n = parse_curves(copy, x, per, series, MAXCOLS);
    int rc = LAB_OK;
    for (size_t i = 0; i < n && rc == LAB_OK; i++) {
        int shared = 0;
        for (size_t j = 0; j < n; j++)
            shared |= j != i && strcmp(x[j], x[i]) == 0
                   && (per[i] && per[j] ? strcmp(per[i], per[j]) == 0 : per[i] == per[j]);
        rc = stopped(R, err, errlen)
                 ? LAB_EINTERRUPTED
                 : lost(R, figure(R, x[i], per[i], series[i], shared, err, errlen), err);
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
    /* By the seed alone: its rows hold every initialisation seed of its
     * teacher, which so stay together (the teacher is the unit drawn). */
    req->boot_by = "seed";
    req->seed = c->seed;
    req->split = c->fit_holdout > 0 ? LAB_SPLIT_FRACTION : LAB_SPLIT_NONE;
    req->split_value = c->fit_holdout;
    req->format = (enum lab_plot_format)c->format;
    req->figdir = R->figdir;
    req->experiment = c->name;
    req->y = R->kind->error;
    req->note = fit_note;
    req->ctx = (void *)R;
    req->stop = R->h ? R->h->stop : NULL;
}

/* A summary group seen through some of its group columns, for sorting. */
struct sized {
    const lab_summary_group *g;
    const size_t *cols;     /* indices of the group columns compared */
    size_t ncols;
    double params;
};

static int by_cols_params(const void *pa, const void *pb)
{
    const struct sized *a = pa, *b = pb;
    for (size_t q = 0; q < a->ncols; q++)
        if (a->g->rank[a->cols[q]] != b->g->rank[b->cols[q]])
            return a->g->rank[a->cols[q]] < b->g->rank[b->cols[q]] ? -1 : 1;
    return a->params < b->params ? -1 : a->params > b->params;
}

/* Whether a joint fit has something to fit: some group of rows that share
 * the values of the group columns holds two model sizes (params). */
static int several_sizes(const struct report *R, char *const *group, size_t ngroup)
{
    const lab_summary *s = R->s;
    long pc = -1;
    for (size_t k = 0; k < R->spec.ncols; k++)
        if (strcmp(R->cols[k], "params") == 0 && R->stats[k] == LAB_SUM_SAME)
            pc = (long)k;
    size_t gi[MAXCOLS];
    for (size_t q = 0; q < ngroup; q++)
        for (size_t j = 0; j < R->spec.ngroup; j++)
            if (R->group[j] == group[q])
                gi[q] = j;
    struct sized *v = malloc((s->ngroups ? s->ngroups : 1) * sizeof *v);
    if (pc < 0 || !v) {
        free(v);
        return 0;
    }
    for (size_t a = 0; a < s->ngroups; a++)
        v[a] = (struct sized){ &s->groups[a], gi, ngroup, s->groups[a].v[pc * 4] };
    qsort(v, s->ngroups, sizeof *v, by_cols_params);
    int several = 0;
    for (size_t a = 1; a < s->ngroups && !several; a++) {
        struct sized prev = v[a - 1];
        prev.params = v[a].params;
        several = by_cols_params(&prev, &v[a]) == 0 && v[a - 1].params != v[a].params;
    }
    free(v);
    return several;
}

/* Fit the [fit] laws to the results and write fits.tsv and friends. Fits
 * that fail (too few points, or no finished row at all) are warnings, not a
 * failed run: the results stand without them, and the tables say so (they
 * are written even empty, so no fit of an earlier run stays behind). A table
 * or figure that cannot be written is lost(). */
static int fits(struct report *R, char *err, size_t errlen)
{
    const lab_config *c = R->c;
    char *per = strdup(c->fit_per_curve), *joint = strdup(c->fit_joint), *list[16];
    char *group[MAXCOLS], *x[1] = { c->fit_x };
    lab_fitting *fs = lab_fitting_alloc();
    int rc = per && joint && fs ? LAB_OK : LAB_ENOMEM;
    lab_fit_request req;
    char why[4096];
    if (rc == LAB_OK && strcmp(per, "none") != 0) {
        fit_request(R, per, list, &req);
        req.x = x;
        req.nx = 1;
        req.group = group;
        req.ngroup = fit_groups(R, c->fit_x, NULL, group);
        rc = lost(R, lab_fitting_add(fs, R->t, &req, why, sizeof why), why);
    }
    if (rc == LAB_OK && strcmp(joint, "none") != 0) {
        fit_request(R, joint, list, &req);
        req.group = group;
        req.ngroup = fit_groups(R, "n", R->kind->size_axes, group);
        if (several_sizes(R, group, req.ngroup))
            rc = lost(R, lab_fitting_add(fs, R->t, &req, why, sizeof why), why);
        else
            warn(R, "no joint fit: no group of cells holds two model sizes (params); sweep the "
                    "student's width or depth, or set fit.joint = none");
    }
    if (rc == LAB_EINTERRUPTED) {
        /* Not the fits of part of the groups: the earlier tables stay. */
        lab_fitting_free(fs);
        free(per);
        free(joint);
        return lab_fail(err, errlen, rc, "interrupted");
    }
    lab_strbuf b = LAB_STRBUF_INIT;
    if (rc != LAB_OK)
        lab_strbuf_printf(&b, "no fits: %s", rc == LAB_ENOMEM ? "out of memory" : why);
    int wrc = fs ? lost(R, lab_fitting_write(fs, R->rundir, why, sizeof why), why) : LAB_OK;
    if (wrc != LAB_OK)
        lab_strbuf_printf(&b, "%sfit tables not written: %s", b.len ? "; " : "", why);
    else if (fs && lab_fitting_failures(fs))
        lab_strbuf_printf(&b, "%s%zu fits failed (see diagnostics.tsv)", b.len ? "; " : "",
                          lab_fitting_failures(fs));
    if (b.len)
        warn(R, lab_strbuf_str(&b));
    lab_strbuf_release(&b);
    lab_fitting_free(fs);
    free(per);
    free(joint);
    return rc == LAB_ENOMEM || wrc == LAB_ENOMEM ? lab_fail(err, errlen, LAB_ENOMEM,
                                                           "out of memory") : LAB_OK;
}

/* ==== The teacher's linear baseline ============================================ */

static int baseline(struct report *R, char *err, size_t errlen)
{
    int rc = lab_baseline_make(R->rundir, R->c, R->h ? R->h->stop : NULL, &R->base, err,
                               errlen);
    if (rc == LAB_EIO) /* baseline.tsv not written: the figures go without it */
        R->base.nteachers = 0;
    if (rc != LAB_OK || !R->h || !R->h->info || R->base.nteachers == 0)
        return lost(R, rc, err);
    char msg[512];
    if (R->base.nteachers == 1)
        snprintf(msg, sizeof msg, "the best linear predictor reaches test error %.3g: the "
                 "teacher's nonlinear share (baseline.tsv)", R->base.gmean);
    else
        snprintf(msg, sizeof msg, "the best linear predictor reaches test error %.3g "
                 "(geometric mean over %zu %s; %.3g to %.3g): the teachers' nonlinear share "
                 "(baseline.tsv)", R->base.gmean, R->base.nteachers,
                 R->base.ncurves == 1 ? "seeds" : "teachers", R->base.min, R->base.max);
    R->h->info(R->h->ctx, msg);
    return rc;
}

/* ==== A kind's own part of the report ============================================ */

/* The perceptron's theory (perceptron_report.h, which solves the theory of
 * pruned data on jobs worker processes); the error decomposition
 * (decomposition.h) and the prune kind's report (prune_report.h) take the
 * same arguments but jobs. */
typedef int (*kind_report_fn)(const char *rundir, const lab_config *c, const lab_table *t,
                              int jobs, volatile sig_atomic_t *stop, char *info, size_t infolen,
                              char *warning, size_t warnlen, char *err, size_t errlen);

static int decomposition_part(const char *rundir, const lab_config *c, const lab_table *t,
                              int jobs, volatile sig_atomic_t *stop, char *info, size_t infolen,
                              char *warning, size_t warnlen, char *err, size_t errlen)
{
    (void)jobs;
    return lab_decomposition_report(rundir, c, t, stop, info, infolen, warning, warnlen, err,
                                    errlen);
}

static int prune_part(const char *rundir, const lab_config *c, const lab_table *t, int jobs,
                      volatile sig_atomic_t *stop, char *info, size_t infolen, char *warning,
                      size_t warnlen, char *err, size_t errlen)
{
    (void)jobs;
    return lab_prune_report(rundir, c, t, stop, info, infolen, warning, warnlen, err, errlen);
}

static int kind_part(struct report *R, kind_report_fn fn, char *err, size_t errlen)
{
    char info[2048], warning[1024];
    int rc = fn(R->rundir, R->c, R->t, R->h ? R->h->jobs : 1, R->h ? R->h->stop : NULL, info,
                sizeof info, warning, sizeof warning, err, errlen);
    if (rc == LAB_OK && warning[0])
        warn(R, warning);
    if (rc == LAB_OK && info[0] && R->h && R->h->info)
        R->h->info(R->h->ctx, info);
    return lost(R, rc, err);
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
        rc = check_keys(&R, err, errlen);
    if (rc == LAB_OK)
        rc = lab_summary_make(R.t, &R.spec, &R.s, err, errlen);
    if (rc == LAB_OK)
        rc = lost(&R, write_summary(summary, R.s, err, errlen), err);
    if (rc == LAB_OK && R.kind->teacher)
        rc = stopped(&R, err, errlen) ? LAB_EINTERRUPTED : baseline(&R, err, errlen);
    int figdir = rc == LAB_OK ? lab_mkdirs(R.figdir, err, errlen) : LAB_OK;
    if (rc == LAB_OK && figdir == LAB_OK)
        rc = figures(&R, err, errlen);
    else if (rc == LAB_OK)
        rc = lost(&R, figdir, err);
    if (rc == LAB_OK)
        rc = stopped(&R, err, errlen) ? LAB_EINTERRUPTED : fits(&R, err, errlen);
    kind_report_fn part = R.kind->decompose ? decomposition_part
                          : strcmp(R.kind->name, "perceptron") == 0 ? lab_perceptron_report
                          : strcmp(R.kind->name, "prune") == 0      ? prune_part
                                                                     : NULL;
    if (rc == LAB_OK && part)
        rc = stopped(&R, err, errlen) ? LAB_EINTERRUPTED : kind_part(&R, part, err, errlen);
    if (rc == LAB_OK && R.nlost)
        rc = lab_fail(err, errlen, LAB_EIO, "the report is incomplete: %s",
                      R.lost.failed ? "out of memory" : lab_strbuf_str(&R.lost));
    lab_strbuf_release(&R.lost);
    lab_summary_free(R.s);
    lab_table_free(R.t);
    free(results);
    free(summary);
    free(R.figdir);
    return rc;
}
