/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "prune_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "plot.h"
#include "status.h"
#include "strbuf.h"

/* The order of points: the axes compared first to last (indices into the
 * swept axes), then the round. */
typedef struct order {
    size_t ax[LAB_CONFIG_MAXAXES];
    size_t n;
} order;

/* One (swept values, round): a row of a cell, or the seeds' rows merged. */
typedef struct point {
    size_t v[LAB_CONFIG_MAXAXES]; /* index of the value on each swept axis */
    long round;
    double density, kept;
    double sumlog, lo, hi;        /* over the seeds that finished */
    size_t seeds;
    const order *o;
} point;

/* The run's swept axes but the replicates, and its points. */
typedef struct prune_data {
    const lab_axis *ax[LAB_CONFIG_MAXAXES];
    size_t nax;
    long width, control;          /* their index among ax, or -1 */
    point *p;
    size_t np;
} prune_data;

static int by_order(const void *pa, const void *pb)
{
    const point *a = pa, *b = pb;
    for (size_t q = 0; q < a->o->n; q++) {
        size_t k = a->o->ax[q];
        if (a->v[k] != b->v[k])
            return a->v[k] < b->v[k] ? -1 : 1;
    }
    return (a->round > b->round) - (a->round < b->round);
}

/* The order with axis `last` (or none, -1) compared after the others. */
static void make_order(const prune_data *D, long last, order *o)
{
    o->n = 0;
    for (size_t a = 0; a < D->nax; a++)
        if ((long)a != last)
            o->ax[o->n++] = a;
    if (last >= 0)
        o->ax[o->n++] = (size_t)last;
}

static void sort_points(prune_data *D, const order *o)
{
    for (size_t i = 0; i < D->np; i++)
        D->p[i].o = o;
    qsort(D->p, D->np, sizeof *D->p, by_order);
}

/* Whether points a and b share their values on every axis but `skip` (-1:
 * none); with the round too when `round` is set. */
static int same(const prune_data *D, const point *a, const point *b, long skip, int round)
{
    for (size_t k = 0; k < D->nax; k++)
        if ((long)k != skip && a->v[k] != b->v[k])
            return 0;
    return !round || a->round == b->round;
}

static long value_index(const lab_axis *ax, const char *text)
{
    for (size_t i = 0; i < ax->n; i++)
        if (strcmp(ax->values[i], text) == 0)
            return (long)i;
    return -1;
}

/* The rows of t as points, then merged over the seeds. */
static int gather(const lab_table *t, const lab_config *c, prune_data *D, char *err,
                  size_t errlen)
{
    long cr = lab_table_col(t, "round"), cd = lab_table_col(t, "density");
    long ck = lab_table_col(t, "kept"), ce = lab_table_col(t, "test_error");
    long cs = lab_table_col(t, "status");
    if (cr < 0 || cd < 0 || ck < 0 || ce < 0 || cs < 0)
        return lab_fail(err, errlen, LAB_EFORMAT, "%s: not a table of the kind prune (round, "
                        "density, kept, test_error, status)", t->path);
    long col[LAB_CONFIG_MAXAXES];
    D->width = D->control = -1;
    for (size_t a = 0; a < c->naxes; a++) {
        const lab_axis *ax = &c->axes[a];
        if (lab_axis_is_replicate(ax))
            continue;
        if ((col[D->nax] = lab_table_col(t, lab_axis_column(ax))) < 0)
            return lab_fail(err, errlen, LAB_EFORMAT, "%s: no column %s (an axis of the run)",
                            t->path, lab_axis_column(ax));
        if (strcmp(lab_axis_column(ax), "width") == 0)
            D->width = (long)D->nax;
        if (strcmp(lab_axis_column(ax), "prune.control") == 0)
            D->control = (long)D->nax;
        D->ax[D->nax++] = ax;
    }
    D->p = malloc((t->nrows ? t->nrows : 1) * sizeof *D->p);
    if (!D->p)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    for (size_t r = 0; r < t->nrows; r++) {
        point *p = &D->p[r];
        double round, e;
        for (size_t k = 0; k < D->nax; k++) {
            long i = value_index(D->ax[k], lab_table_cell(t, r, (size_t)col[k]));
            if (i < 0)
                return lab_fail(err, errlen, LAB_EFORMAT, "%s:%ld: %s: \"%s\" is not a value "
                                "of this sweep's axis", t->path, t->lines[r],
                                lab_axis_column(D->ax[k]), lab_table_cell(t, r, (size_t)col[k]));
            p->v[k] = (size_t)i;
        }
        int rc = lab_table_number(t, r, (size_t)cr, &round, err, errlen);
        if (rc == LAB_OK)
            rc = lab_table_number(t, r, (size_t)cd, &p->density, err, errlen);
        if (rc == LAB_OK)
            rc = lab_table_number(t, r, (size_t)ck, &p->kept, err, errlen);
        if (rc == LAB_OK)
            rc = lab_table_number(t, r, (size_t)ce, &e, err, errlen);
        if (rc != LAB_OK)
            return rc;
        p->round = (long)round;
        /* A seed counts when its round finished with an error the log takes. */
        int counts = strcmp(lab_table_cell(t, r, (size_t)cs), "ok") == 0 && isfinite(e) && e > 0;
        p->seeds = counts ? 1 : 0;
        p->sumlog = counts ? log(e) : 0;
        p->lo = counts ? e : INFINITY;
        p->hi = counts ? e : -INFINITY;
    }
    D->np = t->nrows;
    /* Merge the seeds' rows: equal on every axis and the round. */
    order all; /* the points' o until the next sort_points() */
    make_order(D, -1, &all);
    sort_points(D, &all);
    size_t m = 0;
    for (size_t i = 0; i < D->np; i++) {
        if (m > 0 && same(D, &D->p[m - 1], &D->p[i], -1, 1)) {
            point *q = &D->p[m - 1];
            q->seeds += D->p[i].seeds;
            q->sumlog += D->p[i].sumlog;
            q->lo = fmin(q->lo, D->p[i].lo);
            q->hi = fmax(q->hi, D->p[i].hi);
        } else {
            D->p[m++] = D->p[i];
        }
    }
    D->np = m;
    return LAB_OK;
}

static double gmean(const point *p)
{
    return p->seeds ? exp(p->sumlog / (double)p->seeds) : NAN;
}

static double lo_of(const point *p)
{
    return p->seeds ? p->lo : NAN;
}

static double hi_of(const point *p)
{
    return p->seeds ? p->hi : NAN;
}

/* prune_contours.tsv, points in contour order. */
static int write_table(const char *rundir, const prune_data *D, char *err, size_t errlen)
{
    char *path = lab_path_join(rundir, "prune_contours.tsv");
    lab_atomic f;
    int rc = path ? lab_atomic_open(&f, path, err, errlen)
                  : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    free(path);
    if (rc != LAB_OK)
        return rc;
    for (size_t k = 0; k < D->nax; k++)
        fprintf(f.f, "%s\t", lab_axis_column(D->ax[k]));
    fputs("round\tdensity\tkept\ttest_error_gmean\ttest_error_min\ttest_error_max\tseeds\n",
          f.f);
    for (size_t i = 0; i < D->np; i++) {
        const point *p = &D->p[i];
        for (size_t k = 0; k < D->nax; k++)
            fprintf(f.f, "%s\t", D->ax[k]->values[p->v[k]]);
        fprintf(f.f, "%ld\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%zu\n", p->round, p->density,
                p->kept, gmean(p), lo_of(p), hi_of(p), p->seeds);
    }
    return lab_atomic_commit(&f, err, errlen);
}

/* A panel's title: axis=value for each axis but skip that takes several
 * values, joined by commas (spaces become underscores: one word each). */
static void panel_title(FILE *f, const prune_data *D, const point *p, long skip)
{
    int first = 1;
    for (size_t k = 0; k < D->nax; k++) {
        if ((long)k == skip || D->ax[k]->n < 2)
            continue;
        fprintf(f, "%s", first ? "" : ",");
        lab_plot_text(f, lab_axis_column(D->ax[k]), 1);
        fputc('=', f);
        lab_plot_text(f, D->ax[k]->values[p->v[k]], 1);
        first = 0;
    }
    if (first)
        fputc('-', f);
}

/* Draw figures/NAME from its template plots/NAME.gp; frees settings. */
/* Close the settings stream sf (open_memstream over *settings, which it
 * sets on closing) and, when all went well (rc), draw figure name from
 * them; *settings is freed either way. */
static int render(FILE *sf, char **settings, int rc, const char *figdir, const char *name,
                  const lab_config *c, volatile sig_atomic_t *stop, int *drawn, char *warning,
                  size_t warnlen, char *err, size_t errlen)
{
    if (fclose(sf) != 0 && rc == LAB_OK)
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK) {
        *drawn = 1;
        rc = lab_plot_render(figdir, name, name, (enum lab_plot_format)c->format, *settings,
                             stop, warning, warnlen, err, errlen);
    }
    free(*settings);
    return rc;
}

/* Open figures/NAME.dat. */
static int open_dat(const char *figdir, const char *name, lab_atomic *f, char *err,
                    size_t errlen)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_strbuf_printf(&b, "%s/%s.dat", figdir, name);
    int rc = b.failed ? lab_fail(err, errlen, LAB_ENOMEM, "out of memory")
                      : lab_atomic_open(f, lab_strbuf_str(&b), err, errlen);
    lab_strbuf_release(&b);
    return rc;
}

/* Open figures/NAME.dat into f and a settings stream sf over *settings
 * and *len, which must outlive it (for render()); on failure neither is
 * left open. */
static int open_outputs(const char *figdir, const char *name, lab_atomic *f, char **settings,
                        size_t *len, FILE **sf, char *err, size_t errlen)
{
    int rc = open_dat(figdir, name, f, err, errlen);
    if (rc != LAB_OK)
        return rc;
    if (!(*sf = open_memstream(settings, len))) {
        lab_atomic_abort(f);
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    }
    return LAB_OK;
}

/* The contour panels: runs of points sharing every axis but the width, in
 * contour order (sorted so). A panel is whole when it holds two widths or
 * more, each with the same rounds, two or more. Fills start[] (each panel's
 * first point) and whole[] (whether it is), *npanel; returns how many are
 * whole. */
static size_t whole_panels(const prune_data *D, char *whole, size_t *start, size_t *npanel)
{
    size_t n = 0, nwhole = 0;
    for (size_t i = 0; i < D->np;) {
        size_t j = i;
        while (j < D->np && same(D, &D->p[i], &D->p[j], D->width, 0))
            j++;
        /* widths in [i, j): the first width's rounds set the grid */
        size_t rounds = 0, widths = 0, ok = 1;
        for (size_t a = i; a < j;) {
            size_t b = a;
            while (b < j && D->p[b].v[D->width] == D->p[a].v[D->width])
                b++;
            if (widths == 0)
                rounds = b - a;
            for (size_t q = a; q < b && ok; q++)
                ok = b - a == rounds && D->p[q].round == D->p[i + (q - a)].round;
            widths++;
            a = b;
        }
        start[n] = i;
        whole[n] = ok && widths >= 2 && rounds >= 2;
        nwhole += (size_t)whole[n];
        n++;
        i = j;
    }
    *npanel = n;
    return nwhole;
}

/* figures/prune_contours: a block per whole panel, a scan per width. */
static int contours(const char *figdir, const lab_config *c, prune_data *D,
                    volatile sig_atomic_t *stop, int *drawn, char *warning, size_t warnlen,
                    char *err, size_t errlen)
{
    *drawn = 0;
    if (D->width < 0 || D->np == 0)
        return LAB_OK;
    order o;
    make_order(D, D->width, &o);
    sort_points(D, &o);
    size_t np = 0;
    char *whole = malloc(D->np);
    size_t *start = malloc(D->np * sizeof *start);
    if (!whole || !start) {
        free(whole);
        free(start);
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    }
    size_t nwhole = whole_panels(D, whole, start, &np);
    if (nwhole == 0) {
        free(whole);
        free(start);
        return LAB_OK;
    }
    lab_atomic f;
    char *settings = NULL;
    size_t slen = 0;
    FILE *sf = NULL;
    int rc = open_outputs(figdir, "prune_contours", &f, &settings, &slen, &sf, err, errlen);
    if (rc != LAB_OK) {
        free(whole);
        free(start);
        return rc;
    }
    fputs("# log10 of the geometric mean test error over seeds per panel (blocks), width "
          "(scans), round:\n# width, density, test_error_gmean, log10 width, log10 density, "
          "log10 test_error_gmean, kept\n", f.f);
    fputs("titles = \"", sf);
    double zlo = INFINITY, zhi = -INFINITY;
    int block = 0;
    for (size_t q = 0; q < np; q++) {
        if (!whole[q])
            continue;
        size_t end = q + 1 < np ? start[q + 1] : D->np;
        fprintf(f.f, "%s# panel %d\n", block ? "\n\n" : "", block + 1);
        fputs(block ? " " : "", sf);
        panel_title(sf, D, &D->p[start[q]], D->width);
        block++;
        for (size_t i = start[q]; i < end; i++) {
            const point *p = &D->p[i];
            double w = strtod(D->ax[D->width]->values[p->v[D->width]], NULL), e = gmean(p);
            if (i > start[q] && p->v[D->width] != D->p[i - 1].v[D->width])
                fputc('\n', f.f);
            fprintf(f.f, "%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n", w, p->density, e,
                    log10(w), log10(p->density), log10(e), p->kept);
            if (isfinite(e)) {
                zlo = fmin(zlo, log10(e));
                zhi = fmax(zhi, log10(e));
            }
        }
    }
    rc = lab_atomic_commit(&f, err, errlen);
    /* A line at every decade the errors span (one at least), or at every
     * quarter decade when they span less than two. */
    if (!isfinite(zlo))
        zlo = zhi = 0;
    double step = zhi - zlo >= 2 ? 1 : 0.25;
    zlo = floor(zlo);
    zhi = fmax(ceil(zhi), zlo + 1);
    fprintf(sf, "\"\ndatafile = 'prune_contours.dat'\nexperiment = \"");
    lab_plot_text(sf, c->name, 0);
    fprintf(sf, "\"\nnpanels = %d\nlevel_lo = %.0f\nlevel_hi = %.0f\nlevel_step = %g\nwidths = \"",
            block, zlo, zhi, step);
    for (size_t i = 0; i < D->ax[D->width]->n; i++)
        fprintf(sf, "%s%s", i ? " " : "", D->ax[D->width]->values[i]);
    fputs("\"\n", sf);
    free(whole);
    free(start);
    return render(sf, &settings, rc, figdir, "prune_contours", c, stop, drawn, warning, warnlen,
                  err, errlen);
}

/* figures/prune_controls: a block per (panel, control), in control order
 * within each panel; empty blocks keep the count. */
static int controls(const char *figdir, const lab_config *c, prune_data *D,
                    volatile sig_atomic_t *stop, int *drawn, char *warning, size_t warnlen,
                    char *err, size_t errlen)
{
    *drawn = 0;
    if (D->control < 0 || D->ax[D->control]->n < 2 || D->np == 0)
        return LAB_OK;
    order o;
    make_order(D, D->control, &o);
    sort_points(D, &o);
    /* Within a panel the points now run control by control, round by round. */
    lab_atomic f;
    char *settings = NULL;
    size_t slen = 0;
    FILE *sf = NULL;
    int rc = open_outputs(figdir, "prune_controls", &f, &settings, &slen, &sf, err, errlen);
    if (rc != LAB_OK)
        return rc;
    fputs("# the test error per panel and control (blocks): density, geometric mean over "
          "seeds, minimum, maximum, seeds, round\n", f.f);
    fputs("titles = \"", sf);
    const lab_axis *cax = D->ax[D->control];
    int npanels = 0;
    for (size_t i = 0; i < D->np;) {
        size_t j = i;
        while (j < D->np && same(D, &D->p[i], &D->p[j], D->control, 0))
            j++;
        fputs(npanels ? " " : "", sf);
        panel_title(sf, D, &D->p[i], D->control);
        for (size_t k = 0; k < cax->n; k++) {
            fprintf(f.f, "%s# panel %d, %s\n", npanels || k ? "\n\n" : "", npanels + 1,
                    cax->values[k]);
            for (size_t q = i; q < j; q++) {
                const point *p = &D->p[q];
                if (p->v[D->control] == k && p->seeds)
                    fprintf(f.f, "%.17g\t%.17g\t%.17g\t%.17g\t%zu\t%ld\n", p->density, gmean(p),
                            p->lo, p->hi, p->seeds, p->round);
            }
        }
        npanels++;
        i = j;
    }
    rc = lab_atomic_commit(&f, err, errlen);
    fprintf(sf, "\"\ndatafile = 'prune_controls.dat'\nexperiment = \"");
    lab_plot_text(sf, c->name, 0);
    fprintf(sf, "\"\nnpanels = %d\ncontrols = \"", npanels);
    for (size_t k = 0; k < cax->n; k++) {
        fputs(k ? " " : "", sf);
        lab_plot_text(sf, cax->values[k], 1);
    }
    fputs("\"\n", sf);
    return render(sf, &settings, rc, figdir, "prune_controls", c, stop, drawn, warning, warnlen,
                  err, errlen);
}

int lab_prune_report(const char *rundir, const lab_config *c, const lab_table *t,
                     volatile sig_atomic_t *stop, char *info, size_t infolen,
                     char *warning, size_t warnlen, char *err, size_t errlen)
{
    prune_data D = { 0 };
    char w1[1024] = "", w2[1024] = "";
    if (info && infolen)
        info[0] = '\0';
    if (warning && warnlen)
        warning[0] = '\0';
    char *figdir = lab_path_join(rundir, "figures");
    int rc = figdir ? gather(t, c, &D, err, errlen)
                    : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK)
        rc = write_table(rundir, &D, err, errlen);
    int cdrawn = 0, kdrawn = 0;
    if (rc == LAB_OK)
        rc = lab_mkdirs(figdir, err, errlen);
    if (rc == LAB_OK)
        rc = contours(figdir, c, &D, stop, &cdrawn, w1, sizeof w1, err, errlen);
    if (rc == LAB_OK)
        rc = controls(figdir, c, &D, stop, &kdrawn, w2, sizeof w2, err, errlen);
    if (rc == LAB_OK && warning && warnlen)
        snprintf(warning, warnlen, "%s", w1[0] ? w1 : w2);
    if (rc == LAB_OK && info && infolen)
        snprintf(info, infolen, "the geometric mean test error per width, depth and round in "
                 "prune_contours.tsv%s%s", cdrawn ? ", its iso-error lines in "
                 "figures/prune_contours" : "", kdrawn ? "; the controls against imp in "
                 "figures/prune_controls" : "");
    free(figdir);
    free(D.p);
    return rc;
}
