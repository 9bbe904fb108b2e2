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
#include "text.h"

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
/* predictions.tsv's header is made when it is written: its data columns
 * are the table's own, named as there. */
static const char *const out_headers[NOUT] = {
    "group\tform\tparam\tvalue\tci_low\tci_high\tstatus\n",
    "group\tform\tloss\tn_fit\tconverged\tat_bound\tcond\tstart_spread\trms\taic\tbic\tstarts"
    "\trefined\tagree\tboot\tnear_fits\tnear_spread\twarning\tgrid_s\trefine_s\n",
    "group\tform\tsplit\tn_points\trmsle\tmean_div\tstd_div\n",
    NULL,
};
/* The columns of predictions.tsv before and after the data columns. */
static const char *const pred_lead[] = { "group", "form", "split" };
static const char *const pred_tail[] = { "pred", "pred_lo", "pred_hi" };
_Static_assert(sizeof pred_lead == sizeof pred_tail, "as many columns before as after");

/* A row of predictions.tsv: the point's x and y, each with the index of its
 * column among the collection's data columns. */
struct pred_row {
    char *group;
    char form[32];
    int held;
    size_t ncol;
    size_t col[LAB_FORM_MAXX + 1];
    double v[LAB_FORM_MAXX + 1];
    double pred, lo, hi;
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
    struct pred_row *pred;  /* predictions.tsv's rows */
    size_t npred, pred_cap;
    char **cols;            /* its data columns: every x and y column fitted */
    char *col_is_y;         /* which are y columns (written after the x ones) */
    size_t ncols, cols_cap;
    size_t failures;
};

lab_fitting *lab_fitting_alloc(void)
{
    lab_fitting *fs = calloc(1, sizeof *fs);
    if (!fs)
        return NULL;
    for (int k = 0; k < NOUT; k++)
        if (k != OUT_PRED && !(fs->f[k] = open_memstream(&fs->text[k], &fs->len[k]))) {
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
    for (size_t i = 0; i < fs->npred; i++)
        free(fs->pred[i].group);
    free(fs->pred);
    for (size_t i = 0; i < fs->ncols; i++)
        free(fs->cols[i]);
    free(fs->cols);
    free(fs->col_is_y);
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

/* The index of data column name in predictions.tsv, added when new; -1
 * when out of memory. An x column stays one when it is also a y. */
static long pred_column(lab_fitting *fs, const char *name, int is_y)
{
    for (size_t i = 0; i < fs->ncols; i++)
        if (strcmp(fs->cols[i], name) == 0) {
            fs->col_is_y[i] &= is_y;
            return (long)i;
        }
    if (fs->ncols == fs->cols_cap) {
        size_t cap = fs->cols_cap ? 2 * fs->cols_cap : 8;
        char **c = realloc(fs->cols, cap * sizeof *c);
        if (c)
            fs->cols = c;
        char *y = realloc(fs->col_is_y, cap);
        if (y)
            fs->col_is_y = y;
        if (!c || !y)
            return -1;
        fs->cols_cap = cap;
    }
    if (!(fs->cols[fs->ncols] = strdup(name)))
        return -1;
    fs->col_is_y[fs->ncols] = (char)is_y;
    return (long)fs->ncols++;
}

/* A data column's name in predictions.tsv's header: its own, unless it is
 * one of the lab's columns there, which it would shadow. */
static void pred_column_name(FILE *f, const char *name)
{
    int taken = 0;
    for (size_t k = 0; k < sizeof pred_lead / sizeof *pred_lead; k++)
        taken |= strcmp(name, pred_lead[k]) == 0 || strcmp(name, pred_tail[k]) == 0;
    fprintf(f, "\t%s", taken ? "data_" : "");
    lab_tsv_field_write(f, name);
}

static void put(FILE *f, double v)
{
    fprintf(f, "\t%.17g", v);
}

/* predictions.tsv: the fixed columns, then every data column fitted, the
 * x columns first (NaN where a row's form did not use it), then the
 * predictions. */
static char *pred_text(const lab_fitting *fs, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f)
        return NULL;
    fprintf(f, "%s\t%s\t%s", pred_lead[0], pred_lead[1], pred_lead[2]);
    for (int y = 0; y < 2; y++)
        for (size_t c = 0; c < fs->ncols; c++)
            if (fs->col_is_y[c] == y)
                pred_column_name(f, fs->cols[c]);
    fprintf(f, "\t%s\t%s\t%s\n", pred_tail[0], pred_tail[1], pred_tail[2]);
    for (size_t i = 0; i < fs->npred; i++) {
        const struct pred_row *r = &fs->pred[i];
        lab_tsv_field_write(f, r->group);
        fprintf(f, "\t%s\t%s", r->form, r->held ? "holdout" : "fit");
        for (int y = 0; y < 2; y++)
            for (size_t c = 0; c < fs->ncols; c++) {
                if (fs->col_is_y[c] != y)
                    continue;
                double v = NAN;
                for (size_t k = 0; k < r->ncol; k++)
                    if (r->col[k] == c)
                        v = r->v[k];
                put(f, v);
            }
        put(f, r->pred);
        put(f, r->lo);
        put(f, r->hi);
        fputc('\n', f);
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

int lab_fitting_write(lab_fitting *fs, const char *dir, char *err, size_t errlen)
{
    /* A table that cannot be written does not keep the others from being
     * written; the messages of those missing are joined. */
    lab_strbuf lost = LAB_STRBUF_INIT;
    int first = LAB_OK;
    for (int k = 0; k < NOUT; k++) {
        int rc;
        if (k == OUT_PRED) {
            size_t len;
            char *text = pred_text(fs, &len);
            rc = text ? write_text(dir, out_names[k], err, errlen, text, len, (const char *)NULL)
                      : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            free(text);
        } else {
            fflush(fs->f[k]);
            rc = write_text(dir, out_names[k], err, errlen, out_headers[k],
                            strlen(out_headers[k]), fs->text[k], fs->len[k], (const char *)NULL);
        }
        if (rc != LAB_OK) {
            lab_strbuf_printf(&lost, "%s%s", first ? "; " : "", err);
            first = first ? first : rc;
        }
        if (rc == LAB_ENOMEM)
            break;
    }
    if (first != LAB_OK && !lost.failed)
        lab_fail(err, errlen, first, "%s", lost.s);
    lab_strbuf_release(&lost);
    return first;
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
 * (x y held-out), one gnuplot block per curve; per block a word saying
 * whether its fit is poor; and the range of the near-optimal fits' predictions
 * at the largest x, drawn as bars: "x low high block" each. */
struct figure {
    FILE *curves, *points, *titles, *poor, *near;
    char *ctext, *ptext, *ttext, *rtext, *ntext;
    size_t clen, plen, tlen, rlen, nlen, blocks;
    double xfit_max;      /* the largest x of a fitted point */
    int parity;           /* predicted against observed */
    int bands, held;      /* some block has a bootstrap band, held-out points */
    size_t bars;
};

static int figure_open(struct figure *fg)
{
    memset(fg, 0, sizeof *fg);
    fg->curves = open_memstream(&fg->ctext, &fg->clen);
    fg->points = open_memstream(&fg->ptext, &fg->plen);
    fg->titles = open_memstream(&fg->ttext, &fg->tlen);
    fg->poor = open_memstream(&fg->rtext, &fg->rlen);
    fg->near = open_memstream(&fg->ntext, &fg->nlen);
    fg->xfit_max = -INFINITY;
    return fg->curves && fg->points && fg->titles && fg->poor && fg->near ? 0 : -1;
}

static void figure_close(struct figure *fg)
{
    FILE *f[] = { fg->curves, fg->points, fg->titles, fg->poor, fg->near };
    for (size_t k = 0; k < sizeof f / sizeof *f; k++)
        if (f[k])
            fclose(f[k]);
    free(fg->ctext);
    free(fg->ptext);
    free(fg->ttext);
    free(fg->rtext);
    free(fg->ntext);
}

static void figure_title(struct figure *fg, const char *title, int poor)
{
    fputs(fg->blocks ? " " : "", fg->titles);
    lab_plot_text(fg->titles, title, 1);
    fprintf(fg->poor, "%s%d", fg->blocks ? " " : "", poor);
    if (fg->blocks) {
        fputs("\n\n", fg->curves);
        fputs("\n\n", fg->points);
    }
    fg->blocks++;
}

/* Axis labels in words for the lab's own columns; other tables' columns
 * keep their names. */
static const char *axis_words(const char *column)
{
    static const char *const words[][2] = {
        { "n", "training-set size n" },
        { "params", "parameter count P" },
        { "width", "student width" },
        { "depth", "student depth" },
        { "test_error", "test error" },
        { "train_error", "training error" },
    };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcmp(column, words[i][0]) == 0)
            return words[i][1];
    return column;
}

/* A gnuplot string setting: name = "text", text made inert. */
static void setting(FILE *s, const char *name, const char *text)
{
    fprintf(s, "%s = \"", name);
    lab_plot_text(s, text, 0);
    fputs("\"\n", s);
}

static int figure_render(struct figure *fg, const lab_fit_request *req, const lab_form *form,
                         const char *experiment, const char *xname, const char *yname,
                         char *err, size_t errlen)
{
    fflush(fg->curves);
    fflush(fg->points);
    fflush(fg->titles);
    fflush(fg->poor);
    fflush(fg->near);
    char base[64], cname[80], pname[80], warn[1024];
    snprintf(base, sizeof base, "fit_%s", lab_form_name(form));
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
    fprintf(s, "curvefile = '%s'\npointsfile = '%s'\ntitles = \"%s\"\npoor = \"%s\"\n", cname,
            pname, fg->ttext ? fg->ttext : "", fg->rtext ? fg->rtext : "");
    setting(s, "form", lab_form_name(form));
    setting(s, "formula", lab_form_formula(form));
    setting(s, "experiment", experiment);
    setting(s, "xname", axis_words(xname));
    setting(s, "yname", axis_words(yname));
    fprintf(s, "xfit_max = %.17g\nbands = %d\nheld = %d\nbars = \"%s\"\n",
            isfinite(fg->xfit_max) ? fg->xfit_max : -1.0, fg->bands, fg->held,
            fg->ntext ? fg->ntext : "");
    fclose(s);
    rc = lab_plot_render(req->figdir, fg->parity ? "fit_parity" : "fit", base, req->format,
                         settings, req->stop, warn, sizeof warn, err, errlen);
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

struct job {
    lab_fitting *fs;
    const lab_fit_request *req;
    const lab_form *form;
    lab_fitter *fitter;
    const char *group;
    size_t key;                /* for bootstrap streams */
    const char *const *xnames; /* the x columns */
    size_t col[LAB_FORM_MAXX + 1]; /* the x and y columns among predictions.tsv's */
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
    FILE *d = jb->fs->f[OUT_DIAG];
    lab_tsv_field_write(d, jb->group);
    fprintf(d, "\t%s\t%s\t%zu\tno\t-\tnan\tnan\tnan\tnan\tnan\t0\t0\t0\t0\t0\tnan\t",
            lab_form_name(jb->form), loss, nfit);
    lab_tsv_field_write(d, why);
    fputs("\tnan\tnan\n", d);
    note(jb, "%s", why);
    jb->fs->failures++;
}

static void write_scores(struct job *jb, const char *split, const lab_fit_data *d,
                         const double *theta, lab_score *sc)
{
    lab_score_points(jb->form, theta, d, sc);
    lab_tsv_field_write(jb->fs->f[OUT_SCORES], jb->group);
    fprintf(jb->fs->f[OUT_SCORES], "\t%s\t%s\t%zu", lab_form_name(jb->form), split, sc->n);
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

/* What one fit of one group gave. */
struct fitted {
    lab_fit_data fit, held;   /* the points fitted and held out */
    lab_fit_result res;
    lab_boot *boot;           /* NULL without bootstrap */
    lab_score sf, sh;         /* scores on the fitted and held-out points */
    /* The fits within LAB_FIT_NEAR of the best loss: how many, the range of
     * their predictions at the group's largest x (xfar, held-out points
     * included), and its spread log(hi / lo). */
    size_t near_n;
    double xfar[LAB_FORM_MAXX], near_lo, near_hi, near_spread;
    char warning[512];        /* why the fit is flagged, or "" */
    int poor;                 /* a failed fit: drawn as such */
};

/* Curves for the figure: one per group for one x column; else one per
 * combination of the other x columns, or, when there are too many, observed
 * against predicted points (fg->parity). A poor fit is marked as such, and
 * where near-optimal fits disagree at the largest x their range is drawn. */
static void figure_add(struct figure *fg, struct job *jb, const struct points *p,
                       const struct fitted *F)
{
    size_t nx = p->nx;
    const double *theta = F->res.theta;
    const lab_boot *boot = F->boot;
    double xlo = INFINITY, xhi = -INFINITY;
    for (size_t i = 0; i < p->n; i++) {
        xlo = fmin(xlo, p->x[i * nx]);
        xhi = fmax(xhi, p->x[i * nx]);
        if (!p->held[i])
            fg->xfit_max = fmax(fg->xfit_max, p->x[i * nx]);
        fg->held |= p->held[i];
    }
    fg->bands |= boot && boot->done;
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
        figure_title(fg, jb->group, F->poor);
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
        figure_title(fg, lab_strbuf_str(&title), F->poor);
        lab_strbuf_release(&title);
        double xv[LAB_FORM_MAXX];
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
        /* The near-optimal fits' range on the curve through the largest x. */
        int far = memcmp(F->xfar + 1, p->x + combo[c] * nx + 1, (nx - 1) * sizeof *p->x) == 0;
        if (far && F->near_spread > LAB_FIT_NEAR_DRAWN)
            fprintf(fg->near, "%s%.17g %.17g %.17g %zu", fg->bars++ ? " " : "", F->xfar[0],
                    F->near_lo, F->near_hi, fg->blocks);
    }
    free(combo);
}

/* The point of p with the largest x (the first x column, then the next). */
static const double *farthest(const struct points *p)
{
    size_t best = 0;
    for (size_t i = 1; i < p->n; i++)
        for (size_t c = 0; c < p->nx; c++) {
            double a = p->x[i * p->nx + c], b = p->x[best * p->nx + c];
            if (a != b) {
                if (a > b)
                    best = i;
                break;
            }
        }
    return p->x + best * p->nx;
}

/* Why a fit is flagged (LAB_FIT_POOR_RMSLE and friends in fitting.h): a
 * failed fit (poor), or one whose parameters or near-optimal fits deserve a
 * look. */
static void verdict(struct fitted *F)
{
    const lab_fit_result *res = &F->res;
    lab_strbuf b = LAB_STRBUF_INIT;
    if (F->sf.rmsle > LAB_FIT_POOR_RMSLE)
        lab_strbuf_printf(&b, "; fit RMSLE %.3g > %g", F->sf.rmsle, LAB_FIT_POOR_RMSLE);
    if (F->held.n && F->sh.nonfinite)
        lab_strbuf_printf(&b, "; prediction not finite at %zu held-out points", F->sh.nonfinite);
    else if (F->held.n && F->sh.rmsle > LAB_FIT_POOR_RMSLE)
        lab_strbuf_printf(&b, "; held-out RMSLE %.3g > %g", F->sh.rmsle, LAB_FIT_POOR_RMSLE);
    if (!res->converged)
        lab_strbuf_puts(&b, "; not converged");
    F->poor = b.len > 0;
    if (res->at_bound[0])
        lab_strbuf_printf(&b, "; at a bound: %s", res->at_bound);
    if (F->near_spread > LAB_FIT_NEAR_SPREAD)
        lab_strbuf_printf(&b, "; %zu fits within %g%% of the best loss differ by a factor %.3g "
                          "at the largest x, %g", F->near_n, 100 * LAB_FIT_NEAR,
                          F->near_hi / F->near_lo, F->xfar[0]);
    const char *text = lab_strbuf_str(&b);
    snprintf(F->warning, sizeof F->warning, "%s%s", F->poor ? "poor fit: " : "",
             b.len ? text + 2 : "");
    lab_strbuf_release(&b);
}

/* fits.tsv: each parameter with its bootstrap interval, and whether it was
 * fitted, held fixed (no interval) or stopped at a bound (none either). */
static void write_params(struct job *jb, const struct fitted *F)
{
    const lab_form *form = jb->form;
    const lab_fit_result *res = &F->res;
    for (size_t i = 0; i < res->np; i++) {
        double lo = NAN, hi = NAN;
        if (F->boot && F->boot->done)
            lab_boot_interval(F->boot, i, LEVEL, &lo, &hi);
        /* Refits start at the fit, and cannot leave a bound or a direction
         * where the loss is flat (a sharp break's f_i). A parameter at a
         * bound gets no interval (its diagnostics name it), nor does one
         * whose interval has zero width where the linearised error does not
         * vouch for it (as it does on exact data): either would claim a
         * precision the data do not give. */
        double tiny = 1e-9 * fabs(res->theta[i]);
        int fixed_here = lab_form_param_fixed(form, i, NULL);
        if (fixed_here || res->bounded[i] || (hi - lo <= tiny && !(res->se[i] <= tiny)))
            lo = hi = NAN;
        FILE *f = jb->fs->f[OUT_FITS];
        lab_tsv_field_write(f, jb->group);
        fprintf(f, "\t%s\t%s", lab_form_name(form), lab_form_param_name(form, i));
        put(f, res->theta[i]);
        put(f, lo);
        put(f, hi);
        fprintf(f, "\t%s\n", fixed_here ? "fixed" : res->bounded[i] ? "at_bound" : "fitted");
    }
}

/* diagnostics.tsv, with the fit's warning. */
static void write_diagnostics(struct job *jb, const struct fitted *F)
{
    const lab_fit_result *res = &F->res;
    char loss[32];
    lab_loss_format(&jb->req->loss, loss, sizeof loss);
    FILE *d = jb->fs->f[OUT_DIAG];
    lab_tsv_field_write(d, jb->group);
    fprintf(d, "\t%s\t%s\t%zu\t%s\t%s", lab_form_name(jb->form), loss, F->fit.n,
            res->converged ? "yes" : "no", res->at_bound[0] ? res->at_bound : "-");
    put(d, res->cond);
    put(d, res->start_spread);
    put(d, res->rms);
    put(d, res->aic);
    put(d, res->bic);
    fprintf(d, "\t%zu\t%zu\t%zu\t%zu\t%zu", res->starts, res->refined, res->agree,
            F->boot ? F->boot->done : 0, F->near_n);
    put(d, F->near_spread);
    fputc('\t', d);
    lab_tsv_field_write(d, F->warning[0] ? F->warning : "-");
    fprintf(d, "\t%.6f\t%.6f\n", res->grid_s, res->refine_s);
    if (F->warning[0])
        note(jb, "%s", F->warning);
}

/* predictions.tsv: every point with the fitted curve and its band. */
static void write_predictions(struct job *jb, const struct points *p, const struct fitted *F)
{
    lab_fitting *fs = jb->fs;
    if (fs->npred + p->n > fs->pred_cap) {
        size_t cap = fs->pred_cap ? 2 * fs->pred_cap : 64;
        while (cap < fs->npred + p->n)
            cap *= 2;
        struct pred_row *r = realloc(fs->pred, cap * sizeof *r);
        if (!r)
            return;
        fs->pred = r;
        fs->pred_cap = cap;
    }
    for (size_t i = 0; i < p->n; i++) {
        const double *x = p->x + i * p->nx;
        struct pred_row *r = &fs->pred[fs->npred];
        memset(r, 0, sizeof *r);
        if (!(r->group = strdup(jb->group)))
            return;
        fs->npred++;
        snprintf(r->form, sizeof r->form, "%s", lab_form_name(jb->form));
        r->held = p->held[i];
        r->ncol = p->nx + 1;
        for (size_t c = 0; c < r->ncol; c++) {
            r->col[c] = jb->col[c];
            r->v[c] = c < p->nx ? x[c] : p->y[i];
        }
        r->pred = lab_form_eval(jb->form, F->res.theta, x, NULL);
        r->lo = r->hi = NAN;
        if (F->boot && F->boot->done)
            lab_boot_band(F->boot, jb->form, x, LEVEL, &r->lo, &r->hi);
    }
}

/* The starts the fitter refined, for --save-starts. */
static void write_starts(struct job *jb, const struct fitted *F)
{
    size_t ns;
    const double *st = lab_fitter_starts(jb->fitter, &ns);
    for (size_t k = 0; k < ns; k++) {
        lab_tsv_field_write(jb->req->starts_out, jb->group);
        fprintf(jb->req->starts_out, "\t%s\t%zu", lab_form_name(jb->form), k);
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
    if (F->warning[0])
        lab_strbuf_printf(&b, "  [%s]", F->warning);
    jb->req->fitted(jb->req->ctx, lab_strbuf_str(&b));
    lab_strbuf_release(&b);
}

/* Fit one group with one form, then record it in every table, the figure
 * and the caller's report. Returns LAB_EINTERRUPTED when stopped, with
 * nothing recorded; else LAB_OK (a failed fit is recorded as such). */
static int fit_group(struct job *jb, const struct points *p, struct figure *fg)
{
    const lab_fit_request *req = jb->req;
    struct fitted F = { 0 };
    double *fx = NULL, *fy = NULL, *hx = NULL, *hy = NULL;
    long *fcl = NULL, *hcl = NULL;
    size_t nf, nh;
    char err[512];
    int rc = LAB_OK;
    if (points_split(p, 0, &fx, &fy, &fcl, &nf) || points_split(p, 1, &hx, &hy, &hcl, &nh)) {
        record_failure(jb, 0, "out of memory");
        goto done;
    }
    F.fit = (lab_fit_data){ nf, p->nx, fx, fy };
    F.held = (lab_fit_data){ nh, p->nx, hx, hy };
    if ((rc = lab_fit_run(jb->fitter, &F.fit, &F.res, err, sizeof err)) != LAB_OK) {
        if (rc != LAB_EINTERRUPTED)
            record_failure(jb, nf, err);
        rc = rc == LAB_EINTERRUPTED ? rc : LAB_OK;
        goto done;
    }
    if (req->starts_out)
        write_starts(jb, &F);
    /* The near-optimal fits, before the bootstrap's refits replace them. */
    memcpy(F.xfar, farthest(p), p->nx * sizeof *F.xfar);
    lab_fit_near_range(jb->fitter, &F.res, LAB_FIT_NEAR, F.xfar, &F.near_lo, &F.near_hi,
                       &F.near_n);
    F.near_spread = F.near_lo > 0 ? log(F.near_hi / F.near_lo) : NAN;
    if (req->bootstrap) {
        lab_boot_opts bo = { .B = req->bootstrap, .seed = req->seed, .key = jb->key,
                             .cluster = req->boot_by ? fcl : NULL };
        rc = lab_boot_run(jb->fitter, &F.fit, &F.res, &bo, &F.boot, err, sizeof err);
        if (rc == LAB_EINTERRUPTED)
            goto done;
        rc = LAB_OK; /* no bootstrap: no intervals */
    }
    write_params(jb, &F);
    write_scores(jb, "fit", &F.fit, F.res.theta, &F.sf);
    if (nh)
        write_scores(jb, "holdout", &F.held, F.res.theta, &F.sh);
    outcome_add(jb->fs, jb->group, lab_form_name(jb->form), F.sf.rmsle, nh ? F.sh.rmsle : NAN);
    verdict(&F);
    write_diagnostics(jb, &F);
    write_predictions(jb, p, &F);
    figure_add(fg, jb, p, &F);
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
    return rc;
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
    /* A figure that cannot be written (a full disk) leaves the other forms
     * to fit; the messages of those missing come back at the end. */
    lab_strbuf lost = LAB_STRBUF_INIT;

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
        opts.stop = req->stop;
        if (req->max_iter)
            opts.max_iter = req->max_iter;
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
        size_t col[LAB_FORM_MAXX + 1];
        for (size_t c = 0; c <= nx && rc == LAB_OK; c++) {
            long k = pred_column(fs, c < nx ? names[c] : yname, c == nx);
            col[c] = (size_t)k;
            if (k < 0)
                rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        }
        for (size_t gi = 0; gi < g.n && rc == LAB_OK; gi++) {
            struct points p;
            rc = points_make(t, &g, gi, xc, nx, yc, split_col, boot_col, req, &p, err, errlen);
            if (rc == LAB_OK) {
                struct job jb = { fs, req, form, fitter, g.key[gi], fi * 1000003u + gi, names,
                                  { 0 } };
                memcpy(jb.col, col, sizeof col);
                if (fit_group(&jb, &p, &fg) == LAB_EINTERRUPTED)
                    rc = lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted");
            }
            points_release(&p);
        }
        if (rc == LAB_OK && req->stop && *req->stop)
            rc = lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted");
        if (rc == LAB_OK && fg.blocks
            && (rc = figure_render(&fg, req, form, req->experiment ? req->experiment : t->path,
                                   names[0], yname, err, errlen)) == LAB_EIO) {
            lab_strbuf_printf(&lost, "%s%s", lost.len ? "; " : "", err);
            rc = LAB_OK;
        }
        figure_close(&fg);
        lab_fitter_free(fitter);
        lab_form_free(form);
    }
    groups_release(&g);
    if (rc == LAB_OK && (lost.len || lost.failed))
        rc = lab_fail(err, errlen, LAB_EIO, "%s", lost.failed ? "out of memory" : lost.s);
    lab_strbuf_release(&lost);
    return rc;
}
