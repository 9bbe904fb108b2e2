/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "summary.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "status.h"
#include "strbuf.h"
#include "text.h"

/* Slots per measured column in a group's values. */
#define SLOTS LAB_SUM_SLOTS

/* ==== Ranks: the order in which the table first shows each value ========== */

struct text_row {
    const char *text;
    size_t row;
};

static int by_text_row(const void *pa, const void *pb)
{
    const struct text_row *a = pa, *b = pb;
    int c = strcmp(a->text, b->text);
    if (c)
        return c;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* rank[r] = the first row whose cell in column col has row r's text. */
static int column_ranks(const lab_table *t, size_t col, size_t *rank)
{
    struct text_row *tr = malloc((t->nrows ? t->nrows : 1) * sizeof *tr);
    if (!tr)
        return LAB_ENOMEM;
    for (size_t r = 0; r < t->nrows; r++)
        tr[r] = (struct text_row){ lab_table_cell(t, r, col), r };
    qsort(tr, t->nrows, sizeof *tr, by_text_row);
    for (size_t i = 0; i < t->nrows; i++)
        rank[tr[i].row] = i > 0 && strcmp(tr[i].text, tr[i - 1].text) == 0 ? rank[tr[i - 1].row]
                                                                            : tr[i].row;
    free(tr);
    return LAB_OK;
}

/* Rows ordered by their ranks, the last group column outermost. */
static int compare_ranks(const size_t *a, const size_t *b, size_t n)
{
    for (size_t j = n; j-- > 0;)
        if (a[j] != b[j])
            return a[j] < b[j] ? -1 : 1;
    return 0;
}

/* qsort has no context argument: rows are sorted as (ranks pointer, row). */
struct ranked_row {
    const size_t *rank;
    size_t ngroup;
    size_t row;
};

static int by_ranks(const void *pa, const void *pb)
{
    const struct ranked_row *a = pa, *b = pb;
    int c = compare_ranks(a->rank, b->rank, a->ngroup);
    if (c)
        return c;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* ==== Making the summary ================================================== */

static double sd_or_nan(const double *x, size_t n, double mean)
{
    return n > 1 ? gsl_stats_sd_m(x, 1, n, mean) : NAN;
}

/* exp(mean(log x)): 0 when some x is 0, NaN when some x is negative or NaN. */
static double geometric_mean(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] >= 0))
            return NAN;
        s += log(x[i]);
    }
    return exp(s / (double)n);
}

static void group_release(lab_summary_group *g, size_t ngroup)
{
    for (size_t j = 0; g->key && j < ngroup; j++)
        free(g->key[j]);
    free(g->key);
    free(g->rank);
    free(g->v);
}

void lab_summary_free(lab_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ngroups; i++)
        group_release(&s->groups[i], s->spec->ngroup);
    free(s->groups);
    free(s);
}

/* The statistics of group g from its rows rows[0 .. n). */
static int group_stats(const lab_table *t, const lab_summary_spec *spec, const long *mcol,
                       long status, const size_t *rows, size_t n, lab_summary_group *g,
                       double *x, char *err, size_t errlen)
{
    for (size_t k = 0; k < spec->ncols; k++) {
        double *v = g->v + k * SLOTS;
        size_t m = 0;
        g->count = g->diverged = 0;
        for (size_t i = 0; i < n; i++) {
            int ok = status < 0 || strcmp(lab_table_cell(t, rows[i], (size_t)status), "ok") == 0;
            g->count += ok;
            g->diverged += !ok;
            if (!ok && spec->stats[k] != LAB_SUM_SAME)
                continue;
            int rc = lab_table_number(t, rows[i], (size_t)mcol[k], &x[m], err, errlen);
            if (rc != LAB_OK)
                return rc;
            m++;
        }
        for (size_t q = 0; q < SLOTS; q++)
            v[q] = NAN;
        if (spec->stats[k] == LAB_SUM_SAME) {
            v[0] = m ? x[0] : NAN;
        } else if (m > 0) {
            v[LAB_SLOT_MEAN] = gsl_stats_mean(x, 1, m);
            v[LAB_SLOT_SD] = sd_or_nan(x, m, v[0]);
            gsl_stats_minmax(&v[LAB_SLOT_MIN], &v[LAB_SLOT_MAX], x, 1, m);
            v[LAB_SLOT_GMEAN] = geometric_mean(x, m);
        }
    }
    if (spec->ncols == 0) {
        g->count = g->diverged = 0;
        for (size_t i = 0; i < n; i++) {
            int ok = status < 0 || strcmp(lab_table_cell(t, rows[i], (size_t)status), "ok") == 0;
            g->count += ok;
            g->diverged += !ok;
        }
    }
    return LAB_OK;
}

/* ==== Local slopes ============================================================ */

/* A group on its curve along a column: the other group columns' ranks name
 * the curve, x orders it. */
struct along {
    lab_summary_group *g;
    size_t ngroup, xc;
    double x;
};

static int by_curve_x(const void *pa, const void *pb)
{
    const struct along *a = pa, *b = pb;
    for (size_t j = 0; j < a->ngroup; j++)
        if (j != a->xc && a->g->rank[j] != b->g->rank[j])
            return a->g->rank[j] < b->g->rank[j] ? -1 : 1;
    return a->x < b->x ? -1 : a->x > b->x;
}

/* The LAB_SLOT_SLOPE of every FULL column along group column xc. */
static int local_slopes(lab_summary *s, size_t xc)
{
    const lab_summary_spec *sp = s->spec;
    struct along *a = malloc((s->ngroups ? s->ngroups : 1) * sizeof *a);
    if (!a)
        return LAB_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < s->ngroups; i++) {
        char *end;
        double x = strtod(s->groups[i].key[xc], &end);
        if (!*end && x > 0 && isfinite(x))
            a[n++] = (struct along){ &s->groups[i], sp->ngroup, xc, x };
    }
    qsort(a, n, sizeof *a, by_curve_x);
    for (size_t i = 0; i + 1 < n; i++) {
        struct along next = a[i + 1];
        next.x = a[i].x;
        if (by_curve_x(&a[i], &next) != 0 || a[i + 1].x == a[i].x)
            continue; /* a[i] ends its curve */
        for (size_t k = 0; k < sp->ncols; k++) {
            double *v = a[i].g->v + k * SLOTS, y0 = v[LAB_SLOT_GMEAN],
                   y1 = a[i + 1].g->v[k * SLOTS + LAB_SLOT_GMEAN];
            if (sp->stats[k] == LAB_SUM_FULL && y0 > 0 && y1 > 0)
                v[LAB_SLOT_SLOPE] = log(y1 / y0) / log(a[i + 1].x / a[i].x);
        }
    }
    free(a);
    return LAB_OK;
}

/* The index of a column by name, or -1 with a message. */
static long need_column(const lab_table *t, const char *name, char *err, size_t errlen)
{
    long c = lab_table_col(t, name);
    if (c < 0)
        lab_fail(err, errlen, LAB_EFORMAT, "%s: no column \"%s\"", t->path, name);
    return c;
}

int lab_summary_make(const lab_table *t, const lab_summary_spec *spec, lab_summary **out,
                     char *err, size_t errlen)
{
    size_t nr = t->nrows, ng = spec->ngroup;
    long status = -1;
    *out = NULL;
    if (spec->status && (status = need_column(t, spec->status, err, errlen)) < 0)
        return LAB_EFORMAT;
    long *gcol = malloc((ng ? ng : 1) * sizeof *gcol);
    long *mcol = malloc((spec->ncols ? spec->ncols : 1) * sizeof *mcol);
    size_t *ranks = malloc((nr * ng > 0 ? nr * ng : 1) * sizeof *ranks);
    size_t *colrank = malloc((nr ? nr : 1) * sizeof *colrank);
    struct ranked_row *order = malloc((nr ? nr : 1) * sizeof *order);
    size_t *rows = malloc((nr ? nr : 1) * sizeof *rows);
    double *x = malloc((nr ? nr : 1) * sizeof *x);
    lab_summary *s = calloc(1, sizeof *s);
    int rc = LAB_OK;
    if (!gcol || !mcol || !ranks || !colrank || !order || !rows || !x || !s
        || !(s->groups = calloc(nr ? nr : 1, sizeof *s->groups))) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    s->spec = spec;
    s->nrows = nr;
    for (size_t j = 0; j < ng && rc == LAB_OK; j++)
        if ((gcol[j] = need_column(t, spec->group[j], err, errlen)) < 0)
            rc = LAB_EFORMAT;
    for (size_t k = 0; k < spec->ncols && rc == LAB_OK; k++)
        if ((mcol[k] = need_column(t, spec->cols[k], err, errlen)) < 0)
            rc = LAB_EFORMAT;
    for (size_t j = 0; j < ng && rc == LAB_OK; j++) {
        if ((rc = column_ranks(t, (size_t)gcol[j], colrank)) != LAB_OK)
            lab_fail(err, errlen, rc, "out of memory");
        for (size_t r = 0; r < nr; r++)
            ranks[r * ng + j] = colrank[r];
    }
    if (rc != LAB_OK)
        goto done;
    for (size_t r = 0; r < nr; r++)
        order[r] = (struct ranked_row){ ranks + r * ng, ng, r };
    qsort(order, nr, sizeof *order, by_ranks);

    for (size_t i = 0; i < nr && rc == LAB_OK;) {
        size_t j = i, n = 0;
        while (j < nr && compare_ranks(order[j].rank, order[i].rank, ng) == 0)
            rows[n++] = order[j++].row;
        lab_summary_group *g = &s->groups[s->ngroups++];
        g->key = calloc(ng ? ng : 1, sizeof *g->key);
        g->rank = malloc((ng ? ng : 1) * sizeof *g->rank);
        g->v = malloc((spec->ncols ? spec->ncols : 1) * SLOTS * sizeof *g->v);
        if (!g->key || !g->rank || !g->v) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            break;
        }
        for (size_t c = 0; c < ng; c++) {
            g->rank[c] = order[i].rank[c];
            if (!(g->key[c] = strdup(lab_table_cell(t, rows[0], (size_t)gcol[c])))) {
                rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
                break;
            }
        }
        if (rc == LAB_OK)
            rc = group_stats(t, spec, mcol, status, rows, n, g, x, err, errlen);
        i = j;
    }
    for (size_t j = 0; rc == LAB_OK && spec->slope_x && j < ng; j++)
        if (strcmp(spec->group[j], spec->slope_x) == 0 && (rc = local_slopes(s, j)) != LAB_OK)
            lab_fail(err, errlen, rc, "out of memory");
done:
    free(gcol);
    free(mcol);
    free(ranks);
    free(colrank);
    free(order);
    free(rows);
    free(x);
    if (rc != LAB_OK)
        lab_summary_free(s);
    else
        *out = s;
    return rc;
}

/* ==== Writing ================================================================ */

static const char *const slot_names[SLOTS] = { "mean", "std", "min", "max", "gmean", "slope" };

/* The slots a statistic writes. */
static size_t nslots(const lab_summary_spec *sp, enum lab_sum_stat st)
{
    switch (st) {
    case LAB_SUM_MEAN: return 1;
    case LAB_SUM_MEANSD: return 2;
    case LAB_SUM_FULL: return sp->slope_x ? 6 : 5;
    default: return 0;
    }
}

/* A number as summary.tsv writes it: NaN as NA. */
static void put_number(FILE *f, const char *sep, double v)
{
    if (isnan(v))
        fprintf(f, "%sNA", sep);
    else
        fprintf(f, "%s%.17g", sep, v);
}

void lab_summary_write(const lab_summary *s, FILE *f)
{
    const lab_summary_spec *sp = s->spec;
    lab_strbuf h = LAB_STRBUF_INIT;
    /* Names and keys come from a table: written as text.h says. */
    for (size_t j = 0; j < sp->ngroup; j++) {
        lab_strbuf_puts(&h, j ? "\t" : "");
        lab_tsv_field_add(&h, sp->group[j]);
    }
    for (size_t k = 0; k < sp->ncols; k++)
        if (sp->stats[k] == LAB_SUM_SAME) {
            lab_strbuf_puts(&h, h.len ? "\t" : "");
            lab_tsv_field_add(&h, sp->cols[k]);
        }
    lab_strbuf_printf(&h, "%scount\tdiverged", h.len ? "\t" : "");
    for (size_t k = 0; k < sp->ncols; k++)
        for (size_t q = 0; q < nslots(sp, sp->stats[k]); q++) {
            lab_strbuf_puts(&h, "\t");
            lab_tsv_field_add(&h, sp->cols[k]);
            if (q == LAB_SLOT_SLOPE) {
                lab_strbuf_puts(&h, "_slope_");
                lab_tsv_field_add(&h, sp->slope_x);
            } else {
                lab_strbuf_printf(&h, "_%s", slot_names[q]);
            }
        }
    fprintf(f, "%s\n", lab_strbuf_str(&h));
    lab_strbuf_release(&h);
    for (size_t i = 0; i < s->ngroups; i++) {
        const lab_summary_group *g = &s->groups[i];
        const char *sep = "";
        for (size_t j = 0; j < sp->ngroup; j++, sep = "\t") {
            fputs(sep, f);
            lab_tsv_field_write(f, g->key[j]);
        }
        for (size_t k = 0; k < sp->ncols; k++, sep = "\t")
            if (sp->stats[k] == LAB_SUM_SAME)
                put_number(f, sep, g->v[k * SLOTS]);
        fprintf(f, "%s%zu\t%zu", sep, g->count, g->diverged);
        for (size_t k = 0; k < sp->ncols; k++)
            for (size_t q = 0; q < nslots(sp, sp->stats[k]); q++)
                put_number(f, "\t", g->v[k * SLOTS + q]);
        fputc('\n', f);
    }
}

size_t lab_summary_distinct(const lab_summary *s, size_t j)
{
    /* A rank is the row where a value first shows: mark each once. */
    char *seen = calloc(s->nrows ? s->nrows : 1, 1);
    size_t n = 0;
    for (size_t i = 0; seen && i < s->ngroups; i++) {
        size_t r = s->groups[i].rank[j];
        assert(r < s->nrows);
        n += !seen[r];
        seen[r] = 1;
    }
    free(seen);
    return n;
}

/* ==== Curves ================================================================== */

static long index_of(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    return -1;
}

/* A point of a curve, with the group columns that name its block. */
struct point {
    const lab_summary_group *g;
    double x;
    const size_t *block;   /* ranks of the block's columns, outermost first */
};

static int by_block_x(const void *pa, const void *pb)
{
    const struct point *a = pa, *b = pb;
    for (size_t j = 0; a->block[j] != SIZE_MAX; j++)
        if (a->block[j] != b->block[j])
            return a->block[j] < b->block[j] ? -1 : 1;
    return a->x < b->x ? -1 : a->x > b->x;
}

/* The index of a LAB_SUM_SAME column (-1 when name is NULL, -2 when it is
 * not one). */
static long same_column(const lab_summary_spec *sp, const char *name)
{
    long k = index_of(sp->cols, sp->ncols, name);
    return !name ? -1 : k >= 0 && sp->stats[k] == LAB_SUM_SAME ? k : -2;
}

size_t lab_summary_write_curves(const lab_summary *s, const lab_curve_spec *cs, FILE *data,
                                FILE *titles)
{
    const lab_summary_spec *sp = s->spec;
    const char *const *labels = cs->labels;
    long xc = index_of(sp->group, sp->ngroup, cs->x), yc = index_of(sp->cols, sp->ncols, cs->y);
    long sc = index_of(sp->group, sp->ngroup, cs->series);
    long pc = same_column(sp, cs->per), mc = same_column(sp, cs->mark);
    if (xc < 0 || yc < 0 || sp->stats[yc] != LAB_SUM_FULL || pc < -1 || mc < -1)
        return 0;
    /* The block's columns: every other column with several values (not x),
     * the last group column outermost, then the series. */
    size_t *bcols = malloc((sp->ngroup + 1) * sizeof *bcols), nb = 0;
    char *in_block = calloc(sp->ngroup + 1, 1);
    size_t *keys = malloc((s->ngroups ? s->ngroups : 1) * (sp->ngroup + 1) * sizeof *keys);
    struct point *pts = malloc((s->ngroups ? s->ngroups : 1) * sizeof *pts);
    size_t np = 0, nblocks = 0;
    if (!bcols || !in_block || !keys || !pts)
        goto done;
    for (size_t j = sp->ngroup; j-- > 0;)
        if ((long)j != xc && (long)j != sc && lab_summary_distinct(s, j) > 1) {
            bcols[nb++] = j;
            in_block[j] = 1;
        }
    if (sc >= 0 && sc != xc) /* the series varies fastest */
        bcols[nb++] = (size_t)sc;
    for (size_t i = 0; i < s->ngroups; i++) {
        const lab_summary_group *g = &s->groups[i];
        char *end;
        double xv = strtod(g->key[xc], &end);
        if (pc >= 0)
            xv /= g->v[(size_t)pc * SLOTS];
        if (g->count == 0 || *end || !(xv > 0) || !isfinite(xv))
            continue;
        size_t *k = keys + np * (sp->ngroup + 1);
        for (size_t q = 0; q < nb; q++)
            k[q] = g->rank[bcols[q]];
        k[nb] = SIZE_MAX;
        pts[np++] = (struct point){ g, xv, k };
    }
    qsort(pts, np, sizeof *pts, by_block_x);
    lab_strbuf title = LAB_STRBUF_INIT;
    for (size_t i = 0; i < np; i++) {
        const lab_summary_group *g = pts[i].g;
        int new_block = i == 0;
        for (size_t q = 0; q < nb && !new_block; q++)
            new_block = pts[i].block[q] != pts[i - 1].block[q];
        if (new_block) {
            /* The title names the series first, then the others in table order. */
            lab_strbuf_reset(&title);
            for (long q = -1; q < (long)sp->ngroup; q++) {
                size_t j = q < 0 ? (size_t)sc : (size_t)q;
                int in_title = q < 0 ? sc >= 0 : (long)j != sc && in_block[j];
                if (in_title)
                    lab_strbuf_printf(&title, "%s%s=%s", title.len ? "," : "",
                                      labels && labels[j] ? labels[j] : sp->group[j],
                                      g->key[j]);
            }
            if (!title.len)
                lab_strbuf_puts(&title, "all");
            if (i > 0)
                fputs("\n\n", data);
            fprintf(data, "# %s: %s%s%s gmean min max count mean %s\n", lab_strbuf_str(&title),
                    cs->x, pc >= 0 ? "/" : "", pc >= 0 ? cs->per : "", mc >= 0 ? cs->mark : "-");
            fprintf(titles, "%s%s", nblocks ? " " : "", lab_strbuf_str(&title));
            nblocks++;
        }
        const double *v = g->v + (size_t)yc * SLOTS;
        fprintf(data, "%.17g", pts[i].x);
        put_number(data, "\t", v[LAB_SLOT_GMEAN]);
        put_number(data, "\t", v[LAB_SLOT_MIN]);
        put_number(data, "\t", v[LAB_SLOT_MAX]);
        fprintf(data, "\t%zu", g->count);
        put_number(data, "\t", v[LAB_SLOT_MEAN]);
        put_number(data, "\t", mc >= 0 ? g->v[(size_t)mc * SLOTS] : NAN);
        fputc('\n', data);
    }
    lab_strbuf_release(&title);
done:
    free(bcols);
    free(in_block);
    free(keys);
    free(pts);
    return nblocks;
}
