/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "names.h"
#include "status.h"

void lab_results_header(const lab_config *c, lab_strbuf *b)
{
    const lab_kind *kind = lab_config_kind(c);
    for (size_t a = 0; a < c->naxes; a++)
        lab_strbuf_printf(b, "%s%s", a ? "\t" : "", lab_axis_column(&c->axes[a]));
    for (size_t j = 0; j < kind->ncolumns; j++)
        lab_strbuf_printf(b, "\t%s", kind->columns[j].name);
}

static void write_value(FILE *f, const lab_column *col, double v)
{
    switch (col->type) {
    case LAB_COL_INT:
        if (isfinite(v))
            fprintf(f, "%.0f", v);
        else
            fputs("nan", f);
        break;
    case LAB_COL_REAL:
        fprintf(f, "%.17g", v);
        break;
    case LAB_COL_NAME:
        fputs(lab_name_of((int)v, col->names, col->nnames), f);
        break;
    case LAB_COL_TIME:
        /* Milliseconds; a timing too large for them (a hand-edited table
         * read back) in %g, which the reader takes (parse_value). */
        fprintf(f, fabs(v) < 1e15 ? "%.3f" : "%.17g", v);
        break;
    }
}

void lab_results_write(FILE *f, const lab_config *c, size_t cell, const lab_rows *rows)
{
    const lab_kind *kind = lab_config_kind(c);
    for (size_t r = 0; r < rows->nrows; r++) {
        for (size_t a = 0; a < c->naxes; a++)
            fprintf(f, "%s%s", a ? "\t" : "",
                    c->axes[a].values[lab_config_coord(c, cell, a)]);
        for (size_t j = 0; j < kind->ncolumns; j++) {
            fputc('\t', f);
            write_value(f, &kind->columns[j], rows->v[r * rows->ncols + j]);
        }
        fputc('\n', f);
    }
}

/* The next tab-separated field of *p, as [start, end); advances *p past the
 * tab. -1 when there is no field left. */
static int next_field(const char **p, const char **start, size_t *len)
{
    if (!*p)
        return -1;
    *start = *p;
    *len = strcspn(*p, "\t\n");
    const char *end = *p + *len;
    *p = *end == '\t' ? end + 1 : NULL;
    return 0;
}

static int parse_value(const lab_column *col, const char *s, size_t len, double *v)
{
    char buf[64], *end;
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    switch (col->type) {
    case LAB_COL_NAME: {
        int k = lab_name_index(buf, col->names, col->nnames);
        *v = k;
        return k < 0 ? -1 : 0;
    }
    case LAB_COL_INT:
        if (strcmp(buf, "nan") == 0) {
            *v = NAN;
            return 0;
        }
        *v = (double)strtol(buf, &end, 10);
        return *end ? -1 : 0;
    default:
        *v = strtod(buf, &end);
        return *end ? -1 : 0;
    }
}

/* strcmp of the field [s, s + len) with text. */
static int field_cmp(const char *s, size_t len, const char *text)
{
    int c = strncmp(s, text, len);
    return c ? c : text[len] ? -1 : 0;
}

/* The index of the value [s, s + len) on axis a, by binary search in its
 * sorted order; -1 when the axis has no such value. */
static long axis_value(const lab_results *t, size_t a, const char *s, size_t len)
{
    const lab_axis *ax = &t->c->axes[a];
    size_t lo = 0, hi = ax->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = field_cmp(s, len, ax->values[t->sorted[a][mid]]);
        if (c == 0)
            return (long)t->sorted[a][mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

int lab_results_parse(const lab_results *t, const char *line, size_t *cell, double *values)
{
    const lab_config *c = t->c;
    const lab_kind *kind = lab_config_kind(c);
    const char *p = line, *s;
    size_t len, index = 0;
    for (size_t a = 0; a < c->naxes; a++) {
        if (next_field(&p, &s, &len) < 0)
            return -1;
        long v = axis_value(t, a, s, len);
        if (v < 0)
            return -1;
        index = index * c->axes[a].n + (size_t)v;
    }
    for (size_t j = 0; j < kind->ncolumns; j++)
        if (next_field(&p, &s, &len) < 0 || parse_value(&kind->columns[j], s, len, &values[j]) < 0)
            return -1;
    if (p) /* more fields than columns */
        return -1;
    *cell = index;
    return 0;
}

/* ==== The table in memory ===================================================== */

/* For sorting an axis's value indices by their text. */
struct value_ref {
    const char *text;
    size_t index;
};

static int by_text(const void *pa, const void *pb)
{
    return strcmp(((const struct value_ref *)pa)->text, ((const struct value_ref *)pb)->text);
}

/* t->sorted[a]: the value indices of every axis in the order of their text. */
static int sort_axes(lab_results *t)
{
    const lab_config *c = t->c;
    if (!(t->sorted = calloc(c->naxes ? c->naxes : 1, sizeof *t->sorted)))
        return -1;
    for (size_t a = 0; a < c->naxes; a++) {
        size_t n = c->axes[a].n;
        struct value_ref *r = malloc((n ? n : 1) * sizeof *r);
        if (!r || !(t->sorted[a] = malloc((n ? n : 1) * sizeof **t->sorted))) {
            free(r);
            return -1;
        }
        for (size_t v = 0; v < n; v++)
            r[v] = (struct value_ref){ c->axes[a].values[v], v };
        qsort(r, n, sizeof *r, by_text);
        for (size_t v = 0; v < n; v++)
            t->sorted[a][v] = r[v].index;
        free(r);
    }
    return 0;
}

lab_results *lab_results_alloc(const lab_config *c)
{
    lab_results *t = calloc(1, sizeof *t);
    lab_config cell;
    int have_cell = 0;
    if (!t)
        return NULL;
    t->c = c;
    t->ncells = lab_config_ncells(c);
    t->ncols = lab_config_kind(c)->ncolumns;
    t->nrows = malloc((t->ncells ? t->ncells : 1) * sizeof *t->nrows);
    t->rows = calloc(t->ncells ? t->ncells : 1, sizeof *t->rows);
    if (!t->nrows || !t->rows || sort_axes(t) != 0 || lab_config_copy(&cell, c) != LAB_OK)
        goto fail;
    have_cell = 1;
    const lab_kind *kind = lab_config_kind(c);
    for (size_t i = 0; i < t->ncells; i++) {
        if (lab_config_cell(c, i, &cell) != LAB_OK)
            goto fail;
        t->nrows[i] = kind->rows(&cell);
    }
    lab_config_release(&cell);
    return t;
fail:
    if (have_cell)
        lab_config_release(&cell);
    lab_results_free(t);
    return NULL;
}

void lab_results_free(lab_results *t)
{
    if (!t)
        return;
    for (size_t i = 0; t->rows && i < t->ncells; i++)
        free(t->rows[i]);
    for (size_t a = 0; t->sorted && a < t->c->naxes; a++)
        free(t->sorted[a]);
    free(t->sorted);
    free(t->rows);
    free(t->nrows);
    free(t);
}

lab_rows lab_results_cell(const lab_results *t, size_t i)
{
    return (lab_rows){ t->nrows[i], t->ncols, t->rows[i] };
}

int lab_results_set(lab_results *t, size_t i, const double *values)
{
    size_t n = t->nrows[i] * t->ncols;
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return LAB_ENOMEM;
    memcpy(v, values, n * sizeof *v);
    if (t->rows[i])
        free(t->rows[i]);
    else
        t->complete++;
    t->rows[i] = v;
    return LAB_OK;
}

/* Whether row v repeats the key columns (a learner, a round: kind.h) of one
 * of the n rows before it: then those rows were a cell cut short. */
static int repeats_key(const lab_results *t, const double *rows, size_t n, const double *v)
{
    const lab_kind *kind = lab_config_kind(t->c);
    int keyed = 0;
    for (size_t r = 0; r < n; r++) {
        int same = 1;
        for (size_t j = 0; j < kind->ncolumns && same; j++)
            if (kind->columns[j].stat == LAB_STAT_KEY) {
                keyed = 1;
                same = rows[r * t->ncols + j] == v[j];
            }
        if (keyed && same)
            return 1;
    }
    return 0;
}

/* Rows of the file being read, per cell, until the file ends. */
struct pending {
    double *v;
    size_t n;       /* rows so far */
};

/* Keep row `values` of cell i, read from the file (see lab_results_read()).
 * last is the cell of the row before. LAB_ENOMEM when out of memory. */
static int pend_row(const lab_results *t, struct pending *pend, size_t i, size_t last,
                    const double *values, lab_results_read_info *info)
{
    /* A cell's rows are written together: the first nrows of them are the
     * cell, further ones a repetition; rows cut off by rows of another cell
     * (a crash, then the cell again in full) start anew. */
    struct pending *p = &pend[i];
    if (p->n > 0 && p->n < t->nrows[i] && (i != last || repeats_key(t, p->v, p->n, values))) {
        info->dropped += p->n;
        p->n = 0;
    }
    if (p->n == t->nrows[i]) {
        info->dropped++;
        return LAB_OK;
    }
    if (!p->v && !(p->v = malloc(t->nrows[i] * t->ncols * sizeof *p->v)))
        return LAB_ENOMEM;
    memcpy(p->v + p->n * t->ncols, values, t->ncols * sizeof *values);
    p->n++;
    return LAB_OK;
}

int lab_results_read(lab_results *t, const char *path, lab_results_read_info *info,
                     char *err, size_t errlen)
{
    memset(info, 0, sizeof *info);
    size_t len;
    char *text = lab_file_read(path, &len);
    if (!text) {
        if (errno != ENOENT)
            return lab_fail(err, errlen, LAB_EIO, "%s: %s", path, strerror(errno));
        info->missing = 1;
        return LAB_OK;
    }
    lab_strbuf want = LAB_STRBUF_INIT;
    lab_results_header(t->c, &want);
    struct pending *pend = calloc(t->ncells ? t->ncells : 1, sizeof *pend);
    double *values = malloc((t->ncols ? t->ncols : 1) * sizeof *values);
    int rc = pend && values && !want.failed ? LAB_OK
                                            : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    int seen_header = 0;
    long lineno = 0;
    size_t last = SIZE_MAX; /* the cell of the row before */
    for (char *line = text, *end = text + len; rc == LAB_OK && line < end;) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        lineno++;
        if (!nl)
            break; /* a partial last line: the crash of a writer */
        *nl = '\0';
        /* A NUL byte would end the line early: the line is damaged. */
        int damaged = strlen(line) != (size_t)(nl - line);
        size_t i;
        if (line[0] == '\0' && !damaged) {
            /* a blank line */
        } else if (!seen_header && line[0] == '#') {
            rc = lab_fail(err, errlen, LAB_EFORMAT, "%s:%ld: a \"#\" line: the table was "
                          "written by an older lab, which kept its provenance there", path,
                          lineno);
        } else if (!seen_header) {
            seen_header = 1;
            if (damaged || strcmp(line, lab_strbuf_str(&want)) != 0)
                rc = lab_fail(err, errlen, LAB_EFORMAT,
                              "%s:%ld: the table's columns are \"%s\"%s, this run's are \"%s\" "
                              "(another version, kind or set of axes)", path, lineno, line,
                              damaged ? " and a NUL byte" : "", lab_strbuf_str(&want));
        } else if (damaged || lab_results_parse(t, line, &i, values) < 0) {
            info->dropped++;
            if (!info->bad_line)
                info->bad_line = lineno;
        } else if (!t->rows[i]) {
            if (pend_row(t, pend, i, last, values, info) != LAB_OK)
                rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            last = i;
        }
        line = nl + 1;
    }
    for (size_t i = 0; pend && i < t->ncells; i++) {
        struct pending *p = &pend[i];
        if (rc == LAB_OK && p->n == t->nrows[i] && p->v) {
            t->rows[i] = p->v;
            t->complete++;
            info->added++;
            continue;
        }
        info->dropped += p->n;
        free(p->v);
    }
    lab_strbuf_release(&want);
    free(pend);
    free(values);
    free(text);
    return rc;
}

int lab_results_write_file(const lab_results *t, const char *path, char *err, size_t errlen)
{
    lab_strbuf cols = LAB_STRBUF_INIT;
    lab_results_header(t->c, &cols);
    if (cols.failed) {
        lab_strbuf_release(&cols);
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    }
    lab_atomic a;
    int rc = lab_atomic_open(&a, path, err, errlen);
    if (rc == LAB_OK) {
        fprintf(a.f, "%s\n", lab_strbuf_str(&cols));
        for (size_t i = 0; i < t->ncells; i++)
            if (t->rows[i]) {
                lab_rows r = lab_results_cell(t, i);
                lab_results_write(a.f, t->c, i, &r);
            }
        rc = lab_atomic_commit(&a, err, errlen);
    }
    lab_strbuf_release(&cols);
    return rc;
}
