/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "table.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fileio.h"
#include "status.h"
#include "strbuf.h"

/* A growable array of strings. */
struct strvec {
    char **v;
    size_t n, cap;
};

static int strvec_push(struct strvec *s, char *str)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        char **nv = realloc(s->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = str;
    return 0;
}

static void strvec_release(struct strvec *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

/* Split one line into fields, appending copies to out. Quotes are honoured
 * only in CSV. Returns the number of fields, or -1 (bad quoting / memory). */
static long split_line(const char *line, char sep, struct strvec *out)
{
    long count = 0;
    const char *p = line;
    for (;;) {
        size_t len = strlen(p);
        char *f = malloc(len + 1), *q = f;
        if (!f)
            return -1;
        if (sep == ',')
            p += strspn(p, " ");
        if (sep == ',' && *p == '"') {
            for (p++;; p++) {
                if (*p == '\0') {
                    free(f);
                    return -1; /* unterminated quote */
                }
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    p++;
                }
                *q++ = *p;
            }
            p++;
            p += strspn(p, " \r");
            if (*p != sep && *p != '\0') {
                free(f);
                return -1;
            }
        } else {
            while (*p && *p != sep)
                *q++ = *p++;
        }
        *q = '\0';
        /* Trim blanks around CSV fields (TSV fields are taken as they are). */
        if (sep == ',') {
            char *s = f;
            while (*s == ' ')
                s++;
            size_t n = strlen(s);
            while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r'))
                n--;
            memmove(f, s, n);
            f[n] = '\0';
        } else {
            size_t n = strlen(f);
            if (n > 0 && f[n - 1] == '\r')
                f[n - 1] = '\0';
        }
        if (strvec_push(out, f) < 0) {
            free(f);
            return -1;
        }
        count++;
        if (*p != sep)
            return count;
        p++;
    }
}

int lab_table_read(const char *path, lab_table **out, char *err, size_t errlen)
{
    *out = NULL;
    size_t len;
    char *text = lab_file_read(path, &len);
    if (!text)
        return lab_fail(err, errlen, LAB_EIO, "%s: %s", path, strerror(errno));
    char *start = text, *end = text + len;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        start += 3; /* a UTF-8 byte-order mark */

    struct strvec names = { 0 }, cells = { 0 };
    long *lines = NULL;
    size_t nrows = 0, linecap = 0;
    char sep = 0;
    int rc = LAB_OK;
    long lineno = 0;
    for (char *line = start; line < end && rc == LAB_OK;) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        if (nl)
            *nl = '\0';
        lineno++;
        const char *s = line + strspn(line, " \t\r");
        if (strlen(line) != (size_t)((nl ? nl : end) - line)) {
            rc = lab_fail(err, errlen, LAB_EFORMAT, "%s:%ld: a NUL byte (a binary or damaged "
                          "file?)", path, lineno);
        } else if (*s && *s != '#') {
            if (!sep) {
                sep = strchr(line, '\t') ? '\t' : ',';
                if (split_line(line, sep, &names) < 0)
                    rc = lab_fail(err, errlen, LAB_EFORMAT, "%s:%ld: bad header row",
                                  path, lineno);
            } else {
                long k = split_line(line, sep, &cells);
                if (k < 0)
                    rc = lab_fail(err, errlen, LAB_EFORMAT, "%s:%ld: bad quoting",
                                  path, lineno);
                else if ((size_t)k != names.n)
                    rc = lab_fail(err, errlen, LAB_EFORMAT,
                                  "%s:%ld: %ld fields where the header has %zu",
                                  path, lineno, k, names.n);
                else {
                    if (nrows == linecap) {
                        linecap = linecap ? 2 * linecap : 64;
                        long *nl2 = realloc(lines, linecap * sizeof *lines);
                        if (!nl2) {
                            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
                            break;
                        }
                        lines = nl2;
                    }
                    lines[nrows++] = lineno;
                }
            }
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    free(text);
    if (rc == LAB_OK && !sep)
        rc = lab_fail(err, errlen, LAB_EFORMAT, "%s: no header row", path);
    lab_table *t = NULL;
    if (rc == LAB_OK && !(t = calloc(1, sizeof *t)))
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK && !(t->path = strdup(path))) {
        free(t);
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    }
    if (rc != LAB_OK) {
        strvec_release(&names);
        strvec_release(&cells);
        free(lines);
        return rc;
    }
    t->ncols = names.n;
    t->nrows = nrows;
    t->names = names.v;
    t->cells = cells.v;
    t->lines = lines;
    *out = t;
    return LAB_OK;
}

void lab_table_free(lab_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ncols; i++)
        free(t->names[i]);
    for (size_t i = 0; i < t->ncols * t->nrows; i++)
        free(t->cells[i]);
    free(t->names);
    free(t->cells);
    free(t->lines);
    free(t->path);
    free(t);
}

long lab_table_col(const lab_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->names[i], name) == 0)
            return (long)i;
    return -1;
}

const char *lab_table_cell(const lab_table *t, size_t row, size_t col)
{
    return t->cells[row * t->ncols + col];
}

int lab_table_number(const lab_table *t, size_t row, size_t col, double *v,
                     char *err, size_t errlen)
{
    const char *s = lab_table_cell(t, row, col);
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end != '\0')
        return lab_fail(err, errlen, LAB_EFORMAT, "%s:%ld: %s: \"%s\" is not a number",
                        t->path, t->lines[row], t->names[col], s);
    return LAB_OK;
}

int lab_table_missing(const char *cell)
{
    static const char *const none[] = {
        "", "na", "n/a", "#n/a", "<na>", "nan", "-nan", "+nan", "null", "none"
    };
    const char *s = cell + strspn(cell, " \t");
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        if (strlen(none[i]) == n && strncasecmp(s, none[i], n) == 0)
            return 1;
    return 0;
}

size_t lab_table_drop_missing(lab_table *t, const char *const *names, size_t n, char *note,
                              size_t notelen)
{
    note[0] = '\0';
    size_t kept = 0, dropped = 0;
    char *use = calloc(t->ncols ? t->ncols : 1, 1); /* 1: asked for, 2: and had one missing */
    if (!use)
        return 0; /* out of memory: the rows stay, and their numbers are checked later */
    for (size_t k = 0; k < n; k++) {
        long c = lab_table_col(t, names[k]);
        if (c >= 0)
            use[c] = 1;
    }
    for (size_t r = 0; r < t->nrows; r++) {
        char **row = t->cells + r * t->ncols;
        int missing = 0;
        for (size_t c = 0; c < t->ncols; c++)
            if (use[c] && lab_table_missing(row[c])) {
                missing = 1;
                use[c] = 2;
            }
        if (missing) {
            for (size_t c = 0; c < t->ncols; c++)
                free(row[c]);
            dropped++;
            continue;
        }
        memmove(t->cells + kept * t->ncols, row, t->ncols * sizeof *row);
        t->lines[kept++] = t->lines[r];
    }
    t->nrows = kept;
    if (dropped) {
        /* The columns that had missing values, in the order asked. */
        lab_strbuf b = LAB_STRBUF_INIT;
        lab_strbuf_printf(&b, "%s: skipped %zu row%s with missing values in ", t->path, dropped,
                          dropped == 1 ? "" : "s");
        for (size_t k = 0, said = 0; k < n; k++) {
            long c = lab_table_col(t, names[k]);
            if (c >= 0 && use[c] == 2) {
                lab_strbuf_printf(&b, "%s%s", said++ ? " or " : "", names[k]);
                use[c] = 1;
            }
        }
        snprintf(note, notelen, "%s", lab_strbuf_str(&b));
        lab_strbuf_release(&b);
    }
    free(use);
    return dropped;
}

int lab_table_column(const lab_table *t, const char *name, double *out,
                     char *err, size_t errlen)
{
    long col = lab_table_col(t, name);
    if (col < 0) {
        lab_strbuf have = LAB_STRBUF_INIT;
        lab_strbuf_join(&have, (const char *const *)t->names, t->ncols, ", ");
        lab_fail(err, errlen, LAB_EFORMAT, "%s: no column \"%s\" (columns: %s)", t->path, name,
                 lab_strbuf_str(&have));
        lab_strbuf_release(&have);
        return LAB_EFORMAT;
    }
    for (size_t r = 0; r < t->nrows; r++) {
        int rc = lab_table_number(t, r, (size_t)col, &out[r], err, errlen);
        if (rc != LAB_OK)
            return rc;
    }
    return LAB_OK;
}
