/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "decomposition.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decompose.h"
#include "fileio.h"
#include "plot.h"
#include "powerlaw.h"
#include "status.h"
#include "strbuf.h"
#include "text.h"

/* The quantities drawn and fitted, in figure order. */
static const int shown[] = { LAB_DS_MEASURED, LAB_DP_UNC, LAB_DP_LD, LAB_DP_REAL, LAB_DP_NOISE,
                             LAB_DS_DISAGREEMENT };
#define NSHOWN (sizeof shown / sizeof shown[0])
static const char *const shown_names[NSHOWN] = { "measured", "uncertainty",
                                                 "learning_deficiency", "realizability",
                                                 "noise", "disagreement" };

/* A curve: the groups that agree on every column but n, in increasing n. */
struct curve {
    size_t *g;
    size_t n;
};

struct dec {
    const lab_config *c;
    lab_decomposition *d;
    long ncol;             /* the column "n" among the groups' */
    double *nval;          /* n of each group */
    struct curve *curves;
    size_t ncurves;
};

static int same_but_n(const struct dec *D, size_t a, size_t b)
{
    for (size_t k = 0; k < D->d->ncols; k++)
        if ((long)k != D->ncol
            && strcmp(D->d->groups[a].values[k], D->d->groups[b].values[k]) != 0)
            return 0;
    return 1;
}

/* Split the groups into curves along n. */
static int make_curves(struct dec *D)
{
    size_t ng = D->d->ngroups;
    D->curves = calloc(ng ? ng : 1, sizeof *D->curves);
    D->nval = malloc((ng ? ng : 1) * sizeof *D->nval);
    char *taken = calloc(ng ? ng : 1, 1);
    if (!D->curves || !D->nval || !taken) {
        free(taken);
        return LAB_ENOMEM;
    }
    for (size_t g = 0; g < ng; g++)
        D->nval[g] = D->ncol >= 0 ? strtod(D->d->groups[g].values[D->ncol], NULL) : NAN;
    for (size_t g = 0; g < ng; g++) {
        if (taken[g])
            continue;
        struct curve *cv = &D->curves[D->ncurves++];
        if (!(cv->g = malloc(ng * sizeof *cv->g))) {
            free(taken);
            return LAB_ENOMEM;
        }
        for (size_t h = g; h < ng; h++) {
            if (taken[h] || !same_but_n(D, g, h))
                continue;
            taken[h] = 1;
            /* insertion by n */
            size_t at = cv->n++;
            while (at > 0 && D->nval[cv->g[at - 1]] > D->nval[h]) {
                cv->g[at] = cv->g[at - 1];
                at--;
            }
            cv->g[at] = h;
        }
    }
    free(taken);
    return LAB_OK;
}

/* "w=8,L=1": a curve's title from the columns other than n, with the axes'
 * labels. */
static void curve_title(const struct dec *D, const struct curve *cv, lab_strbuf *b)
{
    const lab_dgroup *g = &D->d->groups[cv->g[0]];
    int any = 0;
    for (size_t k = 0; k < D->d->ncols; k++) {
        if ((long)k == D->ncol)
            continue;
        const lab_axis *ax = lab_config_axis(D->c, D->d->cols[k]);
        /* an axis of one value says nothing about the curve */
        if (ax && ax->n == 1)
            continue;
        lab_strbuf_printf(b, "%s%s=%s", any++ ? "," : "", ax ? lab_axis_label(ax) : D->d->cols[k],
                          g->values[k]);
    }
    if (!any)
        lab_strbuf_puts(b, "all");
}

/* ==== Tables ====================================================================== */

static int write_table(const char *rundir, const char *name, const struct dec *D,
                       int (*body)(const struct dec *, FILE *), char *err, size_t errlen)
{
    char *path = lab_path_join(rundir, name);
    if (!path)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    lab_atomic a;
    int rc = lab_atomic_open(&a, path, err, errlen);
    if (rc == LAB_OK && body(D, a.f) != LAB_OK) {
        lab_atomic_abort(&a);
        rc = lab_fail(err, errlen, LAB_EIO, "%s: cannot write", path);
    } else if (rc == LAB_OK) {
        rc = lab_atomic_commit(&a, err, errlen);
    }
    free(path);
    return rc;
}

static int decomposition_body(const struct dec *D, FILE *f)
{
    return lab_decomposition_write(D->d, f);
}

/* One curve's points of quantity q: x = n, y = the mean. */
static size_t curve_points(const struct dec *D, const struct curve *cv, int q, double *x,
                           double *y)
{
    for (size_t i = 0; i < cv->n; i++) {
        x[i] = D->nval[cv->g[i]];
        y[i] = D->d->groups[cv->g[i]].stat[q].mean;
    }
    return cv->n;
}

static void put_real(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "\t%.4g", v);
    else
        fputs("\tNA", f);
}

static int exponents_body(const struct dec *D, FILE *f)
{
    size_t ng = D->d->ngroups ? D->d->ngroups : 1;
    double *x = malloc(ng * sizeof *x), *y = malloc(ng * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return LAB_ENOMEM;
    }
    fputs("curve\tquantity\tpoints\texponent\texponent_se\tlocal_min\tlocal_max\tpower_law\n", f);
    for (size_t i = 0; i < D->ncurves; i++) {
        lab_strbuf title = LAB_STRBUF_INIT;
        curve_title(D, &D->curves[i], &title);
        for (size_t s = 0; s < NSHOWN; s++) {
            size_t m = curve_points(D, &D->curves[i], shown[s], x, y);
            lab_powerlaw p;
            lab_powerlaw_fit(x, y, m, &p);
            lab_tsv_field_write(f, lab_strbuf_str(&title));
            fprintf(f, "\t%s\t%zu", shown_names[s], p.points);
            /* An error falls with n: the exponent is minus the slope. */
            put_real(f, -p.slope);
            put_real(f, p.slope_se);
            put_real(f, -p.local_max);
            put_real(f, -p.local_min);
            fprintf(f, "\t%s\n", p.holds ? "yes" : "no");
        }
        lab_strbuf_release(&title);
    }
    free(x);
    free(y);
    return ferror(f) ? LAB_EIO : LAB_OK;
}

/* ==== Figures ===================================================================== */

/* figures/decomposition.dat: a block per curve, columns n then the mean of
 * each shown quantity; figures/decomposition_shares.dat: a row per (curve,
 * n) with the positive parts' shares. */
static int dat_body(const struct dec *D, FILE *f)
{
    for (size_t i = 0; i < D->ncurves; i++) {
        const struct curve *cv = &D->curves[i];
        fputs(i ? "\n\n# n" : "# n", f);
        for (size_t s = 0; s < NSHOWN; s++)
            fprintf(f, " %s", shown_names[s]);
        fputc('\n', f);
        for (size_t j = 0; j < cv->n; j++) {
            const lab_dgroup *g = &D->d->groups[cv->g[j]];
            fprintf(f, "%.17g", D->nval[cv->g[j]]);
            for (size_t s = 0; s < NSHOWN; s++)
                fprintf(f, " %.6g", g->stat[shown[s]].mean);
            fputc('\n', f);
        }
    }
    return ferror(f) ? LAB_EIO : LAB_OK;
}

static int shares_body(const struct dec *D, FILE *f)
{
    static const int parts[] = { LAB_DP_UNC, LAB_DP_LD, LAB_DP_REAL, LAB_DP_NOISE };
    fputs("# label uncertainty learning_deficiency realizability noise (shares of the "
          "positive parts)\n", f);
    for (size_t i = 0; i < D->ncurves; i++) {
        const struct curve *cv = &D->curves[i];
        lab_strbuf title = LAB_STRBUF_INIT;
        curve_title(D, cv, &title);
        for (size_t j = 0; j < cv->n; j++) {
            const lab_dgroup *g = &D->d->groups[cv->g[j]];
            double sum = 0;
            for (size_t p = 0; p < 4; p++)
                sum += fmax(g->stat[parts[p]].mean, 0.0);
            fputc('"', f);
            lab_plot_text(f, lab_strbuf_str(&title), 0);
            fprintf(f, " n=%g\"", D->nval[cv->g[j]]);
            for (size_t p = 0; p < 4; p++)
                fprintf(f, " %.6g", sum > 0 ? fmax(g->stat[parts[p]].mean, 0.0) / sum : 0.0);
            fputc('\n', f);
        }
        lab_strbuf_release(&title);
    }
    return ferror(f) ? LAB_EIO : LAB_OK;
}

/* The figure's settings: the data file, the experiment, and per quantity
 * the curves' titles with their exponent where a power law holds. */
static char *figure_settings(const struct dec *D, const char *dat)
{
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    size_t ng = D->d->ngroups ? D->d->ngroups : 1;
    double *x = malloc(ng * sizeof *x), *y = malloc(ng * sizeof *y);
    fprintf(f, "datafile = '%s'\nexperiment = \"", dat);
    lab_plot_text(f, D->c->name, 0);
    fprintf(f, "\"\ncurves = %zu\nxvalues = \"", D->ncurves);
    /* The n of the longest curve, for the tics. */
    size_t longest = 0;
    for (size_t i = 1; i < D->ncurves; i++)
        if (D->curves[i].n > D->curves[longest].n)
            longest = i;
    for (size_t j = 0; D->ncurves && j < D->curves[longest].n; j++)
        fprintf(f, "%s%g", j ? " " : "", D->nval[D->curves[longest].g[j]]);
    fputs("\"\n", f);
    for (size_t s = 0; x && y && s < NSHOWN; s++) {
        fprintf(f, "titles_%s = \"", shown_names[s]);
        for (size_t i = 0; i < D->ncurves; i++) {
            lab_strbuf t = LAB_STRBUF_INIT;
            curve_title(D, &D->curves[i], &t);
            lab_powerlaw p;
            lab_powerlaw_fit(x, y, curve_points(D, &D->curves[i], shown[s], x, y), &p);
            if (p.holds)
                lab_strbuf_printf(&t, " n^-%.2f", -p.slope);
            fputs(i ? " " : "", f);
            lab_plot_text(f, lab_strbuf_str(&t), 1);
            lab_strbuf_release(&t);
        }
        fputs("\"\n", f);
    }
    int bad = !x || !y;
    free(x);
    free(y);
    if (fclose(f) != 0 || bad) {
        free(text);
        return NULL;
    }
    return text;
}

static int figure(const char *rundir, const struct dec *D, const char *name,
                  int (*body)(const struct dec *, FILE *), volatile sig_atomic_t *stop,
                  char *warning, size_t warnlen, char *err, size_t errlen)
{
    lab_strbuf dat = LAB_STRBUF_INIT, rel = LAB_STRBUF_INIT;
    char *figdir = lab_path_join(rundir, "figures"), *settings = NULL;
    lab_strbuf_printf(&dat, "figures/%s.dat", name);
    lab_strbuf_printf(&rel, "%s.dat", name);
    int rc = figdir && !dat.failed && !rel.failed
                 ? lab_mkdirs(figdir, err, errlen)
                 : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK)
        rc = write_table(rundir, lab_strbuf_str(&dat), D, body, err, errlen);
    if (rc == LAB_OK && !(settings = figure_settings(D, lab_strbuf_str(&rel))))
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK)
        rc = lab_plot_render(figdir, name, name, (enum lab_plot_format)D->c->format, settings,
                             stop, warning, warnlen, err, errlen);
    free(settings);
    free(figdir);
    lab_strbuf_release(&dat);
    lab_strbuf_release(&rel);
    return rc;
}

/* ==== The report ===================================================================== */

/* "at n = 4096, uncertainty dominates (62 % of 1.2e-3) for w=8; ...": the
 * largest part at each curve's largest n. */
static void say_dominant(const struct dec *D, char *info, size_t len)
{
    static const int parts[] = { LAB_DP_UNC, LAB_DP_LD, LAB_DP_REAL, LAB_DP_NOISE };
    lab_strbuf b = LAB_STRBUF_INIT;
    for (size_t i = 0; i < D->ncurves && i < 8; i++) {
        const struct curve *cv = &D->curves[i];
        const lab_dgroup *g = &D->d->groups[cv->g[cv->n - 1]];
        int best = parts[0];
        for (size_t p = 1; p < 4; p++)
            if (g->stat[parts[p]].mean > g->stat[best].mean)
                best = parts[p];
        lab_strbuf t = LAB_STRBUF_INIT;
        curve_title(D, cv, &t);
        double m = g->stat[LAB_DS_MEASURED].mean;
        lab_strbuf_printf(&b, "%s%s at n = %g: %s %.0f %% of %.2g", i ? "; " : "",
                          lab_strbuf_str(&t), D->nval[cv->g[cv->n - 1]], lab_dpart_names[best],
                          m > 0 ? 100 * g->stat[best].mean / m : NAN, m);
        lab_strbuf_release(&t);
    }
    snprintf(info, len, "largest part of the error: %s (decomposition.tsv)",
             b.failed ? "?" : lab_strbuf_str(&b));
    lab_strbuf_release(&b);
}

int lab_decomposition_report(const char *rundir, const lab_config *c, const lab_table *t,
                             volatile sig_atomic_t *stop, char *info, size_t infolen,
                             char *warning, size_t warnlen, char *err, size_t errlen)
{
    /* The groups: every swept axis but the seeds. */
    const char *group[LAB_CONFIG_MAXAXES];
    size_t ngroup = 0;
    long ncol = -1;
    for (size_t a = 0; a < c->naxes; a++) {
        const char *col = lab_axis_column(&c->axes[a]);
        if (strcmp(col, "seed") == 0 || strcmp(col, "init_seed") == 0)
            continue;
        if (strcmp(col, "n") == 0)
            ncol = (long)ngroup;
        group[ngroup++] = col;
    }
    lab_decompose_opts o = { group, ngroup, (size_t)c->fit_bootstrap, 0.95, c->seed };
    struct dec D = { .c = c, .ncol = ncol };
    if (warning && warnlen)
        warning[0] = '\0';
    if (info && infolen)
        info[0] = '\0';
    int rc = lab_decompose(t, &o, &D.d, err, errlen);
    if (rc == LAB_OK && make_curves(&D) != LAB_OK)
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK)
        rc = write_table(rundir, "decomposition.tsv", &D, decomposition_body, err, errlen);
    if (rc == LAB_OK)
        rc = write_table(rundir, "decomposition_exponents.tsv", &D, exponents_body, err, errlen);
    if (rc == LAB_OK && stop && *stop)
        rc = lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted");
    if (rc == LAB_OK)
        rc = figure(rundir, &D, "decomposition", dat_body, stop, warning, warnlen, err, errlen);
    if (rc == LAB_OK)
        rc = figure(rundir, &D, "decomposition_shares", shares_body, stop, warning, warnlen,
                    err, errlen);
    if (rc == LAB_OK && info && D.ncurves)
        say_dominant(&D, info, infolen);
    for (size_t i = 0; i < D.ncurves; i++)
        free(D.curves[i].g);
    free(D.curves);
    free(D.nval);
    lab_decomposition_free(D.d);
    return rc;
}
