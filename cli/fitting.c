/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fitting.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap.h"
#include "fileio.h"
#include "forms.h"
#include "score.h"
#include "status.h"

/* Central interval of the bootstrap. */
#define LEVEL 0.95
/* Points along a fitted curve in a figure. */
#define CURVE_POINTS 160
/* With more combinations of the other x columns than this, a form with
 * several x columns is drawn as predicted against observed. */
#define MAX_CURVES 12

enum { OUT_FITS, OUT_DIAG, OUT_SCORES, OUT_PRED, NOUT };
static const char *const out_names[NOUT] = {
    "fits.tsv", "diagnostics.tsv", "scores.tsv", "predictions.tsv"
};
static const char *const out_headers[NOUT] = {
    "group\tform\tparam\tvalue\tci_low\tci_high\n",
    "group\tform\tloss\tn_fit\tconverged\tat_bound\tcond\tstart_spread\trms\taic\tbic\tstarts"
    "\trefined\tagree\tboot\twarning\tgrid_s\trefine_s\n",
    "group\tform\tsplit\tn_points\trmsle\tmean_div\tstd_div\n",
    "group\tform\tsplit\tx1\tx2\tx3\tx4\ty\tpred\tpred_lo\tpred_hi\n",
};

/* What the ranking needs of each fit. */
struct outcome {
    char group[128], form[32];
    size_t order;   /* when its group was first fitted */
    double fit_rmsle, held_rmsle;
};

struct lab_fitting {
    struct outcome *outcomes;
    size_t noutcomes, cap;
    char *text[NOUT];
    size_t len[NOUT];
    FILE *f[NOUT];
    char *notes;       /* "#" lines for predictions.tsv: what x1.. mean */
    size_t notes_len;
    FILE *nf;
    size_t failures;
};

lab_fitting *lab_fitting_alloc(void)
{
    lab_fitting *fs = calloc(1, sizeof *fs);
    if (!fs)
        return NULL;
    for (int k = 0; k < NOUT; k++)
        if (!(fs->f[k] = open_memstream(&fs->text[k], &fs->len[k]))) {
            lab_fitting_free(fs);
            return NULL;
        }
    if (!(fs->nf = open_memstream(&fs->notes, &fs->notes_len))) {
        lab_fitting_free(fs);
        return NULL;
    }
    return fs;
}

void lab_fitting_free(lab_fitting *fs)
{
    if (!fs)
        return;
    for (int k = 0; k < NOUT; k++) {
        if (fs->f[k])
            fclose(fs->f[k]);
        free(fs->text[k]);
    }
    if (fs->nf)
        fclose(fs->nf);
    free(fs->notes);
    free(fs->outcomes);
    free(fs);
}

static void outcome_add(lab_fitting *fs, const char *group, const char *form, double fit,
                        double held)
{
    if (fs->noutcomes == fs->cap) {
        size_t cap = fs->cap ? 2 * fs->cap : 16;
        struct outcome *o = realloc(fs->outcomes, cap * sizeof *o);
        if (!o)
            return;
        fs->outcomes = o;
        fs->cap = cap;
    }
    struct outcome *o = &fs->outcomes[fs->noutcomes];
    o->order = fs->noutcomes++;
    for (size_t i = 0; i + 1 < fs->noutcomes; i++)
        if (strcmp(fs->outcomes[i].group, group) == 0) {
            o->order = fs->outcomes[i].order;
            break;
        }
    snprintf(o->group, sizeof o->group, "%s", group);
    snprintf(o->form, sizeof o->form, "%s", form);
    o->fit_rmsle = fit;
    o->held_rmsle = held;
}

static double rank_score(const struct outcome *o)
{
    double v = isnan(o->held_rmsle) ? o->fit_rmsle : o->held_rmsle;
    return isnan(v) ? INFINITY : v;
}

static int by_group_score(const void *pa, const void *pb)
{
    const struct outcome *a = pa, *b = pb;
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    double x = rank_score(a), y = rank_score(b);
    if (x != y)
        return x < y ? -1 : 1;
    return strcmp(a->form, b->form);
}

void lab_fitting_ranking(const lab_fitting *fs, lab_strbuf *out)
{
    struct outcome *o = malloc((fs->noutcomes ? fs->noutcomes : 1) * sizeof *o);
    if (!o)
        return;
    if (fs->noutcomes)
        memcpy(o, fs->outcomes, fs->noutcomes * sizeof *o);
    qsort(o, fs->noutcomes, sizeof *o, by_group_score);
    for (size_t i = 0; i < fs->noutcomes;) {
        size_t j = i;
        while (j < fs->noutcomes && o[j].order == o[i].order)
            j++;
        if (j - i > 1) {
            lab_strbuf_printf(out, "ranking of %s by %s RMSLE:", o[i].group,
                              isnan(o[i].held_rmsle) ? "fitted" : "held-out");
            for (size_t k = i; k < j; k++)
                lab_strbuf_printf(out, " %zu. %s (%.3g)", k - i + 1, o[k].form,
                                  rank_score(&o[k]));
            lab_strbuf_puts(out, "\n");
        }
        i = j;
    }
    free(o);
}

size_t lab_fitting_failures(const lab_fitting *fs)
{
    return fs->failures;
}

/* Write the pieces of text (NULL-terminated list of text, length pairs) to
 * dir/name, atomically. */
static int write_text(const char *dir, const char *name, char *err, size_t errlen, ...)
{
    char *path = lab_path_join(dir, name);
    lab_atomic a;
    int rc = path ? lab_atomic_open(&a, path, err, errlen)
                  : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    free(path);
    if (rc != LAB_OK)
        return rc;
    va_list ap;
    va_start(ap, errlen);
    for (const char *text; (text = va_arg(ap, const char *));) {
        size_t len = va_arg(ap, size_t);
        if (len)
            fwrite(text, 1, len, a.f);
    }
    va_end(ap);
    return lab_atomic_commit(&a, err, errlen);
}

int lab_fitting_write(lab_fitting *fs, const char *dir, char *err, size_t errlen)
{
    fflush(fs->nf);
    for (int k = 0; k < NOUT; k++) {
        fflush(fs->f[k]);
        const char *notes = k == OUT_PRED && fs->notes ? fs->notes : "";
        int rc = write_text(dir, out_names[k], err, errlen, notes,
                            k == OUT_PRED ? fs->notes_len : (size_t)0, out_headers[k],
                            strlen(out_headers[k]), fs->text[k], fs->len[k], (const char *)NULL);
        if (rc != LAB_OK)
            return rc;
    }
    return LAB_OK;
}

/* ==== Columns and groups ======================================================== */

/* The x columns a form reads when the request names none (the forms'
 * registry); 0 when the spec is not a form (its own error comes later). */
static size_t default_x(const char *form, const char **cols)
{
    lab_form_info info;
    if (lab_form_lookup(form, &info, NULL, 0) != LAB_OK)
        return 0;
    for (size_t i = 0; i < info.nx; i++)
        cols[i] = info.x[i];
    return info.nx;
}

static long column(const lab_table *t, const char *name, char *err, size_t errlen)
{
    long c = lab_table_col(t, name);
    if (c < 0) {
        lab_strbuf cols = LAB_STRBUF_INIT;
        lab_strbuf_join(&cols, (const char *const *)t->names, t->ncols, ", ");
        lab_fail(err, errlen, LAB_EINVAL, "%s: no column \"%s\" (columns: %s)", t->path, name,
                 lab_strbuf_str(&cols));
        lab_strbuf_release(&cols);
    }
    return c;
}

/* The rows a request fits, split into groups by the values of the group
 * columns (in order of first appearance). */
struct groups {
    size_t n;        /* groups */
    char **key;      /* "width=8" or "all" */
    size_t *start;   /* (n + 1) offsets into rows */
    size_t *rows;    /* table rows, grouped */
};

static void groups_release(struct groups *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->key[i]);
    free(g->key);
    free(g->start);
    free(g->rows);
}

static int groups_make(const lab_table *t, const lab_fit_request *req, struct groups *g,
                       char *err, size_t errlen)
{
    memset(g, 0, sizeof *g);
    long status = lab_table_col(t, "status");
    long *gc = calloc(req->ngroup + 1, sizeof *gc);
    char **rowkey = calloc(t->nrows ? t->nrows : 1, sizeof *rowkey);
    g->key = calloc(t->nrows + 1, sizeof *g->key);
    g->start = calloc(t->nrows + 2, sizeof *g->start);
    g->rows = calloc(t->nrows + 1, sizeof *g->rows);
    int rc = LAB_OK;
    if (!gc || !rowkey || !g->key || !g->start || !g->rows) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < req->ngroup; k++)
        if ((gc[k] = column(t, req->group[k], err, errlen)) < 0) {
            rc = LAB_EINVAL;
            goto done;
        }
    /* The key of each usable row; rows of runs that did not finish are left out. */
    for (size_t r = 0; r < t->nrows; r++) {
        if (status >= 0 && strcmp(lab_table_cell(t, r, (size_t)status), "ok") != 0)
            continue;
        lab_strbuf key = LAB_STRBUF_INIT;
        for (size_t k = 0; k < req->ngroup; k++)
            lab_strbuf_printf(&key, "%s%s=%s", k ? "," : "", req->group[k],
                              lab_table_cell(t, r, (size_t)gc[k]));
        if (!req->ngroup)
            lab_strbuf_puts(&key, "all");
        if (!(rowkey[r] = lab_strbuf_detach(&key))) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            goto done;
        }
    }
    /* Groups in order of first appearance; rows in table order within each. */
    size_t m = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!rowkey[r])
            continue;
        int seen = 0;
        for (size_t i = 0; i < g->n && !seen; i++)
            seen = strcmp(g->key[i], rowkey[r]) == 0;
        if (seen)
            continue;
        g->key[g->n] = strdup(rowkey[r]);
        if (!g->key[g->n]) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            goto done;
        }
        g->start[g->n++] = m;
        for (size_t q = r; q < t->nrows; q++)
            if (rowkey[q] && strcmp(rowkey[q], g->key[g->n - 1]) == 0)
                g->rows[m++] = q;
    }
    g->start[g->n] = m;
    if (g->n == 0)
        rc = lab_fail(err, errlen, LAB_EINVAL, "%s: no rows to fit%s", t->path,
                      status >= 0 ? " (no row has status ok)" : "");
done:
    for (size_t r = 0; r < t->nrows && rowkey; r++)
        free(rowkey[r]);
    free(rowkey);
    free(gc);
    if (rc != LAB_OK)
        groups_release(g);
    return rc;
}

/* A numeric cell that a fit may take the log of. */
/* A cell that must hold a number > 0; why says what needs it. */
static int positive_cell(const lab_table *t, size_t r, long c, const char *why, double *v,
                         char *err, size_t errlen)
{
    int rc = lab_table_number(t, r, (size_t)c, v, err, errlen);
    if (rc != LAB_OK)
        return rc;
    if (!isfinite(*v) || !(*v > 0))
        return lab_fail(err, errlen, LAB_EINVAL, "%s:%ld: %s: %s; %s, so it must be a number > 0",
                        t->path, t->lines[r], t->names[c], lab_table_cell(t, r, (size_t)c), why);
    return LAB_OK;
}

/* ==== Figures ==================================================================== */

/* A figure's data, collected over groups: curves (x pred lo hi) and points
 * (x y held-out), one gnuplot block per curve. */
struct figure {
    FILE *curves, *points, *titles;
    char *ctext, *ptext, *ttext;
    size_t clen, plen, tlen, blocks;
    double xfit_max;      /* the largest x of a fitted point */
    int parity;           /* predicted against observed */
};

static int figure_open(struct figure *fg)
{
    memset(fg, 0, sizeof *fg);
    fg->curves = open_memstream(&fg->ctext, &fg->clen);
    fg->points = open_memstream(&fg->ptext, &fg->plen);
    fg->titles = open_memstream(&fg->ttext, &fg->tlen);
    fg->xfit_max = -INFINITY;
    return fg->curves && fg->points && fg->titles ? 0 : -1;
}

static void figure_close(struct figure *fg)
{
    if (fg->curves)
        fclose(fg->curves);
    if (fg->points)
        fclose(fg->points);
    if (fg->titles)
        fclose(fg->titles);
    free(fg->ctext);
    free(fg->ptext);
    free(fg->ttext);
}

static void figure_title(struct figure *fg, const char *title)
{
    fputs(fg->blocks ? " " : "", fg->titles);
    lab_plot_text(fg->titles, title, 1);
    if (fg->blocks) {
        fputs("\n\n", fg->curves);
        fputs("\n\n", fg->points);
    }
    fg->blocks++;
}

static int figure_render(struct figure *fg, const lab_fit_request *req, const char *form,
                         const char *xname, const char *yname, char *err, size_t errlen)
{
    fflush(fg->curves);
    fflush(fg->points);
    fflush(fg->titles);
    char base[64], cname[80], pname[80], warn[1024];
    snprintf(base, sizeof base, "fit_%s", form);
    for (char *p = base; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            *p = '_';
    snprintf(cname, sizeof cname, "%s_curves.dat", base);
    snprintf(pname, sizeof pname, "%s_points.dat", base);
    int rc = lab_mkdirs(req->figdir, err, errlen);
    if (rc == LAB_OK)
        rc = write_text(req->figdir, cname, err, errlen, fg->ctext, fg->clen, (const char *)NULL);
    if (rc == LAB_OK)
        rc = write_text(req->figdir, pname, err, errlen, fg->ptext, fg->plen, (const char *)NULL);
    if (rc != LAB_OK)
        return rc;
    char *settings = NULL;
    size_t slen;
    FILE *s = open_memstream(&settings, &slen);
    if (!s)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    fprintf(s, "curvefile = '%s'\npointsfile = '%s'\ntitles = \"%s\"\nform = \"%s\"\n",
            cname, pname, fg->ttext ? fg->ttext : "", form);
    fputs("xname = \"", s);
    lab_plot_text(s, xname, 0);
    fputs("\"\nyname = \"", s);
    lab_plot_text(s, yname, 0);
    fprintf(s, "\"\nxfit_max = %.17g\n", isfinite(fg->xfit_max) ? fg->xfit_max : -1.0);
    fclose(s);
    rc = lab_plot_render(req->figdir, fg->parity ? "fit_parity" : "fit", base, req->format,
                         settings, warn, sizeof warn, err, errlen);
    free(settings);
    if (rc == LAB_OK && warn[0] && req->note)
        req->note(req->ctx, warn);
    return rc;
}

/* ==== One fit ====================================================================== */

/* The points of one group for one form: x (n, nx), y, held out or not. */
struct points {
    size_t n, nx;
    double *x, *y;
    char *held;
    long *cluster;
    size_t *row;
};

static void points_release(struct points *p)
{
    free(p->x);
    free(p->y);
    free(p->held);
    free(p->cluster);
    free(p->row);
}

/* Split into fitted and held-out data (copies). */
static int points_split(const struct points *p, int held, double **x, double **y, long **cl,
                        size_t *n)
{
    *n = 0;
    *x = malloc((p->n ? p->n : 1) * p->nx * sizeof **x);
    *y = malloc((p->n ? p->n : 1) * sizeof **y);
    *cl = malloc((p->n ? p->n : 1) * sizeof **cl);
    if (!*x || !*y || !*cl)
        return -1;
    for (size_t i = 0; i < p->n; i++)
        if (p->held[i] == held) {
            memcpy(*x + *n * p->nx, p->x + i * p->nx, p->nx * sizeof **x);
            (*y)[*n] = p->y[i];
            (*cl)[*n] = p->cluster ? p->cluster[i] : 0;
            (*n)++;
        }
    return 0;
}

static void put(FILE *f, double v)
{
    fprintf(f, "\t%.17g", v);
}

struct job {
    lab_fitting *fs;
    const lab_fit_request *req;
    const lab_form *form;
    lab_fitter *fitter;
    const char *group;
    size_t key;                /* for bootstrap streams */
    const char *const *xnames; /* the x columns */
};

/* A message for the caller about the fit of jb ("group, form: text"). */
static void note(struct job *jb, const char *fmt, const char *text)
{
    if (!jb->req->note)
        return;
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_strbuf_printf(&b, "%s, %s: ", jb->group, lab_form_name(jb->form));
    lab_strbuf_printf(&b, fmt, text);
    jb->req->note(jb->req->ctx, lab_strbuf_str(&b));
    lab_strbuf_release(&b);
}

static void record_failure(struct job *jb, size_t nfit, const char *why)
{
    char loss[32];
    lab_loss_format(&jb->req->loss, loss, sizeof loss);
    fprintf(jb->fs->f[OUT_DIAG], "%s\t%s\t%s\t%zu\tno\t-\tnan\tnan\tnan\tnan\tnan\t0\t0\t0\t0\t%s"
            "\tnan\tnan\n",
            jb->group, lab_form_name(jb->form), loss, nfit, why);
    note(jb, "%s", why);
    jb->fs->failures++;
}

static void write_scores(struct job *jb, const char *split, const lab_fit_data *d,
                         const double *theta, lab_score *sc)
{
    lab_score_points(jb->form, theta, d, sc);
    fprintf(jb->fs->f[OUT_SCORES], "%s\t%s\t%s\t%zu", jb->group, lab_form_name(jb->form),
            split, sc->n);
    put(jb->fs->f[OUT_SCORES], sc->rmsle);
    put(jb->fs->f[OUT_SCORES], sc->mean_div);
    put(jb->fs->f[OUT_SCORES], sc->std_div);
    fputc('\n', jb->fs->f[OUT_SCORES]);
}

/* The curves a figure would need with several x columns: one per group and
 * combination of the other columns' cells. Beyond MAX_CURVES the whole figure
 * is a parity plot, decided before any group is drawn. */
static size_t curves_needed(const lab_table *t, const struct groups *g, const long *xc,
                            size_t nx)
{
    size_t total = 0;
    for (size_t gi = 0; gi < g->n && nx > 1 && total <= MAX_CURVES; gi++) {
        const size_t *rows = g->rows + g->start[gi];
        size_t n = g->start[gi + 1] - g->start[gi];
        for (size_t i = 0; i < n && total <= MAX_CURVES; i++) {
            int seen = 0;
            for (size_t j = 0; j < i && !seen; j++) {
                seen = 1;
                for (size_t c = 1; c < nx && seen; c++)
                    seen = strcmp(lab_table_cell(t, rows[i], (size_t)xc[c]),
                                  lab_table_cell(t, rows[j], (size_t)xc[c])) == 0;
            }
            total += !seen;
        }
    }
    return total;
}

/* Curves for the figure: one per group for one x column; else one per
 * combination of the other x columns, or, when there are too many, observed
 * against predicted points (fg->parity). */
static void figure_add(struct figure *fg, struct job *jb, const struct points *p,
                       const double *theta, const lab_boot *boot)
{
    size_t nx = p->nx;
    double xlo = INFINITY, xhi = -INFINITY;
    for (size_t i = 0; i < p->n; i++) {
        xlo = fmin(xlo, p->x[i * nx]);
        xhi = fmax(xhi, p->x[i * nx]);
        if (!p->held[i])
            fg->xfit_max = fmax(fg->xfit_max, p->x[i * nx]);
    }
    /* The combinations of the other x columns. */
    size_t *combo = malloc((p->n ? p->n : 1) * sizeof *combo), ncombo = 0;
    if (!combo)
        return;
    for (size_t i = 0; i < p->n; i++) {
        size_t c = 0;
        for (; c < ncombo; c++)
            if (memcmp(p->x + combo[c] * nx + 1, p->x + i * nx + 1, (nx - 1) * sizeof *p->x) == 0)
                break;
        if (c == ncombo)
            combo[ncombo++] = i;
    }
    if (fg->parity) {
        figure_title(fg, jb->group);
        for (size_t i = 0; i < p->n; i++) {
            double pred = lab_form_eval(jb->form, theta, p->x + i * nx, NULL);
            fprintf(fg->points, "%.17g\t%.17g\t%d\n", p->y[i], pred, p->held[i]);
        }
        free(combo);
        return;
    }
    for (size_t c = 0; c < ncombo; c++) {
        /* "width=8", or "params=577" for the other x columns of the curve */
        lab_strbuf title = LAB_STRBUF_INIT;
        if (!(strcmp(jb->group, "all") == 0 && nx > 1))
            lab_strbuf_puts(&title, jb->group);
        for (size_t k = 1; k < nx; k++)
            lab_strbuf_printf(&title, "%s%s=%g", title.len ? "," : "", jb->xnames[k],
                              p->x[combo[c] * nx + k]);
        figure_title(fg, lab_strbuf_str(&title));
        lab_strbuf_release(&title);
        double xv[8];
        memcpy(xv, p->x + combo[c] * nx, nx * sizeof *xv);
        double a = log(xlo), b = log(xhi * 1.5);
        for (int k = 0; k < CURVE_POINTS; k++) {
            xv[0] = exp(a + (b - a) * k / (CURVE_POINTS - 1));
            double pred = lab_form_eval(jb->form, theta, xv, NULL), lo = NAN, hi = NAN;
            if (boot && boot->done)
                lab_boot_band(boot, jb->form, xv, LEVEL, &lo, &hi);
            fprintf(fg->curves, "%.17g\t%.17g\t%.17g\t%.17g\n", xv[0], pred, lo, hi);
        }
        for (size_t i = 0; i < p->n; i++)
            if (memcmp(p->x + i * nx + 1, p->x + combo[c] * nx + 1, (nx - 1) * sizeof *p->x) == 0)
                fprintf(fg->points, "%.17g\t%.17g\t%d\n", p->x[i * nx], p->y[i], p->held[i]);
    }
    free(combo);
}

/* What one fit of one group gave. */
struct fitted {
    lab_fit_data fit, held;   /* the points fitted and held out */
    lab_fit_result res;
    lab_boot *boot;           /* NULL without bootstrap */
    lab_score sf, sh;         /* scores on the fitted and held-out points */
};

/* fits.tsv: each parameter with its bootstrap interval. */
static void write_params(struct job *jb, const struct fitted *F)
{
    const lab_form *form = jb->form;
    const lab_fit_result *res = &F->res;
    for (size_t i = 0; i < res->np; i++) {
        double lo = NAN, hi = NAN, fixed;
        if (lab_form_param_fixed(form, i, &fixed))
            lo = hi = fixed;
        else if (F->boot && F->boot->done)
            lab_boot_interval(F->boot, i, LEVEL, &lo, &hi);
        /* Refits start at the fit, and cannot leave a bound or a direction
         * where the loss is flat (a sharp break's f_i). A parameter at a
         * bound gets no interval (its diagnostics name it), nor does one
         * whose interval has zero width where the linearised error does not
         * vouch for it (as it does on exact data): either would claim a
         * precision the data do not give. */
        double tiny = 1e-9 * fabs(res->theta[i]);
        if (res->bounded[i] || (!lab_form_param_fixed(form, i, NULL) && hi - lo <= tiny
                                && !(res->se[i] <= tiny)))
            lo = hi = NAN;
        FILE *f = jb->fs->f[OUT_FITS];
        fprintf(f, "%s\t%s\t%s", jb->group, lab_form_name(form), lab_form_param_name(form, i));
        put(f, res->theta[i]);
        put(f, lo);
        put(f, hi);
        fputc('\n', f);
    }
}

/* diagnostics.tsv, with a warning for extrapolations that are not finite. */
static void write_diagnostics(struct job *jb, const struct fitted *F)
{
    const lab_fit_result *res = &F->res;
    char warning[128] = "-", loss[32];
    if (F->sh.nonfinite)
        snprintf(warning, sizeof warning, "prediction not finite at %zu held-out points",
                 F->sh.nonfinite);
    lab_loss_format(&jb->req->loss, loss, sizeof loss);
    FILE *d = jb->fs->f[OUT_DIAG];
    fprintf(d, "%s\t%s\t%s\t%zu\t%s\t%s", jb->group, lab_form_name(jb->form), loss, F->fit.n,
            res->converged ? "yes" : "no", res->at_bound[0] ? res->at_bound : "-");
    put(d, res->cond);
    put(d, res->start_spread);
    put(d, res->rms);
    put(d, res->aic);
    put(d, res->bic);
    fprintf(d, "\t%zu\t%zu\t%zu\t%zu\t%s\t%.6f\t%.6f\n", res->starts, res->refined, res->agree,
            F->boot ? F->boot->done : 0, warning, res->grid_s, res->refine_s);
    if (F->sh.nonfinite)
        note(jb, "warning: %s", warning);
}

/* predictions.tsv: every point with the fitted curve and its band. */
static void write_predictions(struct job *jb, const struct points *p, const struct fitted *F)
{
    for (size_t i = 0; i < p->n; i++) {
        const double *x = p->x + i * p->nx;
        double pred = lab_form_eval(jb->form, F->res.theta, x, NULL), lo = NAN, hi = NAN;
        if (F->boot && F->boot->done)
            lab_boot_band(F->boot, jb->form, x, LEVEL, &lo, &hi);
        FILE *o = jb->fs->f[OUT_PRED];
        fprintf(o, "%s\t%s\t%s", jb->group, lab_form_name(jb->form),
                p->held[i] ? "holdout" : "fit");
        for (size_t c = 0; c < 4; c++)
            put(o, c < p->nx ? x[c] : NAN);
        put(o, p->y[i]);
        put(o, pred);
        put(o, lo);
        put(o, hi);
        fputc('\n', o);
    }
}

/* The starts the fitter refined, for --save-starts. */
static void write_starts(struct job *jb, const struct fitted *F)
{
    size_t ns;
    const double *st = lab_fitter_starts(jb->fitter, &ns);
    for (size_t k = 0; k < ns; k++) {
        fprintf(jb->req->starts_out, "%s\t%s\t%zu", jb->group, lab_form_name(jb->form), k);
        for (size_t i = 0; i < F->res.np; i++)
            put(jb->req->starts_out, st[k * F->res.np + i]);
        fputc('\n', jb->req->starts_out);
    }
}

/* One line for the caller: the free parameters and the scores. */
static void report_fit(struct job *jb, const struct fitted *F)
{
    const lab_fit_result *res = &F->res;
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_strbuf_printf(&b, "%-14s %-12s", jb->group, lab_form_name(jb->form));
    for (size_t i = 0; i < res->np; i++)
        if (!lab_form_param_fixed(jb->form, i, NULL))
            lab_strbuf_printf(&b, " %s=%.4g", lab_form_param_name(jb->form, i), res->theta[i]);
    lab_strbuf_printf(&b, "  rmsle %.3g", F->sf.rmsle);
    if (F->held.n)
        lab_strbuf_printf(&b, " | held out %.3g", F->sh.rmsle);
    if (!res->converged || res->at_bound[0])
        lab_strbuf_printf(&b, "  [%s%s%s]", res->converged ? "" : "not converged",
                          !res->converged && res->at_bound[0] ? "; " : "",
                          res->at_bound[0] ? res->at_bound : "");
    jb->req->fitted(jb->req->ctx, lab_strbuf_str(&b));
    lab_strbuf_release(&b);
}

/* Fit one group with one form, then record it in every table, the figure
 * and the caller's report. */
static void fit_group(struct job *jb, const struct points *p, struct figure *fg)
{
    const lab_fit_request *req = jb->req;
    struct fitted F = { 0 };
    double *fx = NULL, *fy = NULL, *hx = NULL, *hy = NULL;
    long *fcl = NULL, *hcl = NULL;
    size_t nf, nh;
    char err[512];
    if (points_split(p, 0, &fx, &fy, &fcl, &nf) || points_split(p, 1, &hx, &hy, &hcl, &nh)) {
        record_failure(jb, 0, "out of memory");
        goto done;
    }
    F.fit = (lab_fit_data){ nf, p->nx, fx, fy };
    F.held = (lab_fit_data){ nh, p->nx, hx, hy };
    if (lab_fit_run(jb->fitter, &F.fit, &F.res, err, sizeof err) != LAB_OK) {
        record_failure(jb, nf, err);
        goto done;
    }
    if (req->starts_out)
        write_starts(jb, &F);
    if (req->bootstrap) {
        lab_boot_opts bo = { .B = req->bootstrap, .seed = req->seed, .key = jb->key,
                             .cluster = req->boot_by ? fcl : NULL };
        if (lab_boot_run(jb->fitter, &F.fit, &F.res, &bo, &F.boot, err, sizeof err) != LAB_OK)
            F.boot = NULL;
    }
    write_params(jb, &F);
    write_scores(jb, "fit", &F.fit, F.res.theta, &F.sf);
    if (nh)
        write_scores(jb, "holdout", &F.held, F.res.theta, &F.sh);
    outcome_add(jb->fs, jb->group, lab_form_name(jb->form), F.sf.rmsle, nh ? F.sh.rmsle : NAN);
    write_diagnostics(jb, &F);
    write_predictions(jb, p, &F);
    figure_add(fg, jb, p, F.res.theta, F.boot);
    if (req->fitted)
        report_fit(jb, &F);
done:
    lab_boot_free(F.boot);
    free(fx);
    free(fy);
    free(fcl);
    free(hx);
    free(hy);
    free(hcl);
}

/* ==== Requests ====================================================================== */

/* The parameter named by a --fix or --start argument ("name=..."), or by a
 * --release argument (the whole text), in buf; empty when it has no '='. */
static const char *option_name(const char *arg, int whole, char *buf, size_t len)
{
    const char *eq = whole ? NULL : strchr(arg, '=');
    size_t n = whole ? strlen(arg) : eq ? (size_t)(eq - arg) : 0;
    if (n >= len)
        n = len - 1;
    memcpy(buf, arg, n);
    buf[n] = '\0';
    return buf;
}

/* Each parameter named by --fix, --release or --start must belong to one of
 * the forms, so a misspelt name is an error rather than silently ignored. */
static int check_option_names(const lab_fit_request *req, char *err, size_t errlen)
{
    struct { const char *opt; char **args; size_t n; int whole; } opts[] = {
        { "--fix", req->fix, req->nfix, 0 },
        { "--release", req->release, req->nrelease, 1 },
        { "--start", req->starts, req->nstarts, 0 },
    };
    for (size_t o = 0; o < sizeof opts / sizeof opts[0]; o++) {
        for (size_t k = 0; k < opts[o].n; k++) {
            char name[64];
            option_name(opts[o].args[k], opts[o].whole, name, sizeof name);
            if (!*name)
                continue; /* reported with its form by configure_form() */
            int found = 0;
            lab_strbuf list = LAB_STRBUF_INIT;
            for (size_t fi = 0; fi < req->nforms && !found; fi++) {
                const char *defaults[LAB_FORM_MAXX];
                size_t nx = req->x ? req->nx : default_x(req->forms[fi], defaults);
                lab_form *f;
                char why[256];
                if (lab_form_alloc(req->forms[fi], nx, &f, why, sizeof why) != LAB_OK)
                    continue; /* the form's own error comes later */
                found = lab_form_param_index(f, name) >= 0;
                for (size_t i = 0; i < lab_form_nparams(f); i++)
                    lab_strbuf_printf(&list, "%s%s", list.len ? ", " : "",
                                      lab_form_param_name(f, i));
                lab_form_free(f);
            }
            if (!found)
                lab_fail(err, errlen, LAB_EINVAL, "%s %s: no parameter \"%s\" in the forms "
                         "fitted (parameters: %s)", opts[o].opt, opts[o].args[k], name,
                         lab_strbuf_str(&list));
            lab_strbuf_release(&list);
            if (!found)
                return LAB_EINVAL;
        }
    }
    return LAB_OK;
}

/* Apply --fix, --release and --start to a form. */
static int configure_form(lab_form *f, const lab_fit_request *req, char *err, size_t errlen)
{
    for (size_t k = 0; k < req->nfix; k++) {
        char name[64], *eq = strchr(req->fix[k], '='), *end;
        if (!eq || (size_t)(eq - req->fix[k]) >= sizeof name)
            return lab_fail(err, errlen, LAB_EINVAL, "--fix %s: expected NAME=VALUE", req->fix[k]);
        memcpy(name, req->fix[k], (size_t)(eq - req->fix[k]));
        name[eq - req->fix[k]] = '\0';
        double v = strtod(eq + 1, &end);
        if (end == eq + 1 || *end)
            return lab_fail(err, errlen, LAB_EINVAL, "--fix %s: %s is not a number", req->fix[k],
                            eq + 1);
        if (lab_form_param_index(f, name) < 0)
            continue; /* another form's parameter */
        int rc = lab_form_fix(f, name, v, err, errlen);
        if (rc != LAB_OK)
            return rc;
    }
    for (size_t k = 0; k < req->nrelease; k++) {
        if (lab_form_param_index(f, req->release[k]) < 0)
            continue;
        int rc = lab_form_free_param(f, req->release[k], err, errlen);
        if (rc != LAB_OK)
            return rc;
    }
    for (size_t k = 0; k < req->nstarts; k++) {
        char name[64], *eq = strchr(req->starts[k], '=');
        double v[LAB_FORM_MAXGRID];
        size_t n = 0;
        if (!eq || (size_t)(eq - req->starts[k]) >= sizeof name)
            return lab_fail(err, errlen, LAB_EINVAL, "--start %s: expected NAME=V1,V2,...",
                            req->starts[k]);
        memcpy(name, req->starts[k], (size_t)(eq - req->starts[k]));
        name[eq - req->starts[k]] = '\0';
        if (lab_form_param_index(f, name) < 0)
            continue;
        for (char *p = eq + 1, *end; *p; p = *end ? end + 1 : end) {
            if (n == LAB_FORM_MAXGRID)
                return lab_fail(err, errlen, LAB_EINVAL, "--start %s: at most %d values",
                                name, LAB_FORM_MAXGRID);
            v[n++] = strtod(p, &end);
            if (end == p || (*end && *end != ','))
                return lab_fail(err, errlen, LAB_EINVAL, "--start %s: expected numbers "
                                "separated by commas", req->starts[k]);
        }
        int rc = lab_form_set_grid(f, name, v, n, err, errlen);
        if (rc != LAB_OK)
            return rc;
    }
    return LAB_OK;
}

/* Read the points of one group for a form with the given x columns. */
static int points_make(const lab_table *t, const struct groups *g, size_t gi, const long *xc,
                       size_t nx, long yc, long split_col, long boot_col,
                       const lab_fit_request *req, struct points *p, char *err, size_t errlen)
{
    size_t n = g->start[gi + 1] - g->start[gi];
    memset(p, 0, sizeof *p);
    p->n = n;
    p->nx = nx;
    p->x = malloc((n ? n : 1) * nx * sizeof *p->x);
    p->y = malloc((n ? n : 1) * sizeof *p->y);
    p->held = calloc(n ? n : 1, 1);
    p->cluster = calloc(n ? n : 1, sizeof *p->cluster);
    if (!p->x || !p->y || !p->held || !p->cluster)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    const char *why_y = req->loss.kind == LAB_LOSS_REL ? "the relative error divides by it"
                                                        : "the fit takes its log";
    for (size_t i = 0; i < n; i++) {
        size_t r = g->rows[g->start[gi] + i];
        for (size_t c = 0; c < nx; c++) {
            int rc = positive_cell(t, r, xc[c], "the fit takes its log", &p->x[i * nx + c],
                                  err, errlen);
            if (rc != LAB_OK)
                return rc;
        }
        int rc = positive_cell(t, r, yc, why_y, &p->y[i], err, errlen);
        if (rc != LAB_OK)
            return rc;
        if (split_col >= 0)
            p->held[i] = strcmp(lab_table_cell(t, r, (size_t)split_col), "fit") != 0;
        if (boot_col >= 0) {
            /* clusters by the first row with the same text */
            const char *v = lab_table_cell(t, r, (size_t)boot_col);
            size_t j = 0;
            while (j < i && strcmp(lab_table_cell(t, g->rows[g->start[gi] + j], (size_t)boot_col), v))
                j++;
            p->cluster[i] = (long)j;
        }
    }
    double *x0 = malloc((n ? n : 1) * sizeof *x0);
    if (!x0)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        x0[i] = p->x[i * nx];
    if (req->split == LAB_SPLIT_FRACTION)
        lab_split_fraction(x0, n, req->split_value, p->held);
    else if (req->split == LAB_SPLIT_FROM)
        lab_split_from(x0, n, req->split_value, p->held);
    free(x0);
    return LAB_OK;
}

int lab_fitting_add(lab_fitting *fs, const lab_table *t, const lab_fit_request *req,
                    char *err, size_t errlen)
{
    if (req->x && req->nx > LAB_FORM_MAXX)
        return lab_fail(err, errlen, LAB_EINVAL, "--x: %zu columns; a form takes at most %d",
                        req->nx, LAB_FORM_MAXX);
    int rc = check_option_names(req, err, errlen);
    if (rc != LAB_OK)
        return rc;
    struct groups g;
    rc = groups_make(t, req, &g, err, errlen);
    if (rc != LAB_OK)
        return rc;
    long yc = column(t, req->y ? req->y : "test_error", err, errlen);
    long split_col = req->split == LAB_SPLIT_COLUMN ? column(t, req->split_col, err, errlen) : -2;
    long boot_col = req->boot_by ? column(t, req->boot_by, err, errlen) : -2;
    if (yc < 0 || split_col == -1 || boot_col == -1) {
        groups_release(&g);
        return LAB_EINVAL;
    }
    const char *yname = t->names[yc];

    for (size_t fi = 0; fi < req->nforms && rc == LAB_OK; fi++) {
        const char *defaults[LAB_FORM_MAXX], **names = (const char **)req->x;
        size_t nx = req->nx;
        if (!req->x)
            nx = default_x(req->forms[fi], names = defaults);
        long xc[LAB_FORM_MAXX];
        for (size_t c = 0; c < nx && rc == LAB_OK; c++)
            if ((xc[c] = column(t, names[c], err, errlen)) < 0)
                rc = LAB_EINVAL;
        lab_form *form = NULL;
        if (rc == LAB_OK)
            rc = lab_form_alloc(req->forms[fi], nx, &form, err, errlen);
        if (rc == LAB_OK)
            rc = configure_form(form, req, err, errlen);
        lab_fit_opts opts = lab_fit_default_opts();
        opts.loss = req->loss;
        opts.refine = req->refine;
        lab_fitter *fitter = rc == LAB_OK ? lab_fitter_alloc(form, &opts) : NULL;
        if (rc == LAB_OK && !fitter)
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        struct figure fg;
        if (rc == LAB_OK && figure_open(&fg) != 0)
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        if (rc != LAB_OK) {
            lab_fitter_free(fitter);
            lab_form_free(form);
            break;
        }
        fg.parity = curves_needed(t, &g, xc, nx) > MAX_CURVES;
        fprintf(fs->nf, "# %s:", req->forms[fi]);
        for (size_t c = 0; c < nx; c++)
            fprintf(fs->nf, "%s x%zu is %s", c ? "," : "", c + 1, names[c]);
        fprintf(fs->nf, "; y is %s\n", yname);
        for (size_t gi = 0; gi < g.n && rc == LAB_OK; gi++) {
            struct points p;
            rc = points_make(t, &g, gi, xc, nx, yc, split_col, boot_col, req, &p, err, errlen);
            if (rc == LAB_OK) {
                struct job jb = { fs, req, form, fitter, g.key[gi], fi * 1000003u + gi, names };
                fit_group(&jb, &p, &fg);
            }
            points_release(&p);
        }
        if (rc == LAB_OK && fg.blocks)
            rc = figure_render(&fg, req, req->forms[fi], names[0], yname, err, errlen);
        figure_close(&fg);
        lab_fitter_free(fitter);
        lab_form_free(form);
    }
    groups_release(&g);
    return rc;
}
