/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The axes of a sweep: parsing their values (integers, reals, names, lists
 * of lists), keeping them in table order, and numbering the cells
 * (config.h, config_keys.h). */
#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_keys.h"
#include "names.h"
#include "status.h"

/* ==== Axes ================================================================= */

/* Whether key k may be swept, and why not. */
int lab_axes_sweepable(const lab_key *k, char *why, size_t len)
{
    if (k->flags & LAB_KEY_KIND)
        snprintf(why, len, "cannot be swept: the kind sets the table's columns (run one "
                 "experiment per kind)");
    else if (k->flags & LAB_KEY_COSMETIC)
        snprintf(why, len, "cannot be swept: it changes no result");
    else if (k->type == LAB_KEY_STRING)
        snprintf(why, len, "cannot be swept");
    else
        return 1;
    return 0;
}

static void axis_release(lab_axis *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->values[i]);
    free(a->values);
    a->values = NULL;
    a->n = 0;
}

/* Release the values and the column. */
void lab_axis_free(lab_axis *a)
{
    axis_release(a);
    free(a->column);
    a->column = NULL;
}

/* Append a value (duplicates are checked once the axis is parsed). */
int lab_axis_push(lab_axis *a, const char *text, char *why, size_t len)
{
    if (a->n >= MAX_LIST) {
        snprintf(why, len, "more than %d values", MAX_LIST);
        return -1;
    }
    /* The capacity doubles at every power of two: n pushes cost O(n). */
    if ((a->n & (a->n - 1)) == 0) {
        char **v = realloc(a->values, (a->n ? 2 * a->n : 1) * sizeof *v);
        if (!v) {
            snprintf(why, len, "out of memory");
            return -1;
        }
        a->values = v;
    }
    if (!(a->values[a->n] = strdup(text))) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    a->n++;
    return 0;
}

static int by_text(const void *pa, const void *pb)
{
    return strcmp(*(char *const *)pa, *(char *const *)pb);
}

/* A value the axis holds twice, in why; sorting a copy makes it O(n log n). */
static int axis_distinct(const lab_axis *a, char *why, size_t len)
{
    char **v = malloc((a->n ? a->n : 1) * sizeof *v);
    if (!v) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    memcpy(v, a->values, a->n * sizeof *v);
    qsort(v, a->n, sizeof *v, by_text);
    int rc = 0;
    for (size_t i = 1; i < a->n && rc == 0; i++)
        if (strcmp(v[i - 1], v[i]) == 0) {
            snprintf(why, len, "%s appears twice", v[i]);
            rc = -1;
        }
    free(v);
    return rc;
}

/* One real item: "A", "A..B +S" or "A..B xF", appended to the axis. Values
 * of a range are rounded to 15 significant digits, so 1e-4..1e-1 x10 gives
 * exactly the numbers written 0.0001, 0.001, 0.01 and 0.1. */
static int parse_real_item(const lab_key *k, char *item, lab_axis *a, char *why, size_t len)
{
    char *as, *bs = NULL, *ss, op;
    double lo, hi, step = 0;
    int range = lab_value_split_range(item, &as, &bs, &op, &ss);
    if (lab_value_parse_double(as, &lo) < 0 || (range && lab_value_parse_double(bs, &hi) < 0)) {
        snprintf(why, len, "\"%s\" is not a number", range ? item : as);
        return -1;
    }
    if (!range)
        hi = lo;
    else if (!ss || lab_value_parse_double(ss, &step) < 0) {
        snprintf(why, len, "a range of reals needs a step, as in 1e-4..1e-1 x10 or 0..1 +0.25");
        return -1;
    } else if (hi < lo) {
        snprintf(why, len, "range %s..%s runs backwards", as, bs);
        return -1;
    } else if (op == 'x' && !(step > 1 && lo > 0)) {
        snprintf(why, len, "a geometric range needs a start > 0 and a factor > 1");
        return -1;
    } else if (op == '+' && !(step > 0)) {
        snprintf(why, len, "an arithmetic range needs a step > 0");
        return -1;
    }
    for (long i = 0;; i++) {
        double v = op == 'x' ? lo * pow(step, (double)i) : lo + step * (double)i;
        char buf[64];
        snprintf(buf, sizeof buf, "%.15g", v);
        v = strtod(buf, NULL);
        /* The end is in when it is reached up to rounding. */
        if (i > 0 && !(v <= hi || v - hi <= 1e-12 * fabs(hi)))
            break;
        if (!isfinite(v)) {
            snprintf(why, len, "the range passes the largest number");
            return -1;
        }
        if (!lab_key_in_range(k, v)) {
            char d[64];
            lab_key_describe(k, "numbers", d, sizeof d);
            snprintf(why, len, "%s is out of range (values must be %s)", buf, d);
            return -1;
        }
        lab_value_format_double(v, buf, sizeof buf);
        if (lab_axis_push(a, buf, why, len) < 0)
            return -1;
        if (!range)
            break;
    }
    return 0;
}

/* Why the values of an axis over key k were refused (reason), in why: what
 * the key takes, then the reason. */
static void axis_refused(const lab_key *k, const char *reason, char *why, size_t len)
{
    char expect[128];
    switch (k->type) {
    case LAB_KEY_LONG:
    case LAB_KEY_U64:
        lab_key_describe(k, "integers", expect, sizeof expect);
        snprintf(why, len, "expected a list of %s such as \"8, 16, 32\" or \"64..16384 x2\": %s",
                 expect, reason);
        break;
    case LAB_KEY_DOUBLE:
        lab_key_describe(k, "numbers", expect, sizeof expect);
        snprintf(why, len, "expected a list of %s such as \"0.001, 0.01\" or "
                 "\"1e-4..1e-1 x10\": %s", expect, reason);
        break;
    case LAB_KEY_ENUM:
        snprintf(why, len, "expected a list of names: %s", reason);
        break;
    default:
        snprintf(why, len, "expected lists separated by '|', such as \"16 | 32 | 16, 16\": %s",
                 reason);
        break;
    }
}

/* Parse the values of an axis over key k from text, appended to a; with
 * distinct, check that no value is there twice. */
static int parse_axis(const lab_key *k, const char *text, lab_axis *a, int distinct,
                      char *why, size_t len)
{
    char reason[200] = "";
    char *copy = strdup(text), *save = NULL;
    int rc = copy ? 0 : -1;
    lab_strbuf b = LAB_STRBUF_INIT;
    if (!copy)
        snprintf(reason, sizeof reason, "out of memory");
    /* A key whose value is a list takes lists separated by '|'. */
    const char *sep = k->type == LAB_KEY_LIST ? "|" : ",";
    if (copy && lab_value_empty_item(text, sep[0])) {
        snprintf(reason, sizeof reason, "empty item in the list");
        rc = -1;
    }
    char *item = copy && rc == 0 ? strtok_r(copy, sep, &save) : NULL;
    if (copy && rc == 0 && (!item || !*lab_value_trim(item)))
        snprintf(reason, sizeof reason, "the list is empty"), rc = -1;
    for (; item && rc == 0; item = strtok_r(NULL, sep, &save)) {
        item = lab_value_trim(item);
        lab_list l = { 0, NULL };
        lab_strbuf_reset(&b);
        if (k->type == LAB_KEY_LONG || k->type == LAB_KEY_U64) {
            rc = lab_value_parse_int_item(k, item, &l, reason, sizeof reason);
            for (size_t i = 0; rc == 0 && i < l.n; i++) {
                char num[32];
                snprintf(num, sizeof num, "%ld", l.v[i]);
                rc = lab_axis_push(a, num, reason, sizeof reason);
            }
        } else if (k->type == LAB_KEY_DOUBLE) {
            rc = parse_real_item(k, item, a, reason, sizeof reason);
        } else if (k->type == LAB_KEY_ENUM) {
            int v = lab_name_index(item, k->choices, k->nchoices);
            if (v < 0) {
                lab_strbuf_join(&b, k->choices, (size_t)k->nchoices, ", ");
                snprintf(reason, sizeof reason, "\"%s\" is not one of %s", item,
                         lab_strbuf_str(&b));
                rc = -1;
            } else {
                rc = lab_axis_push(a, item, reason, sizeof reason);
            }
        } else { /* LAB_KEY_LIST */
            rc = lab_value_parse_ints(k, item, &l, reason, sizeof reason);
            /* A list is written on one line (as a range when it is one). */
            lab_strbuf text = LAB_STRBUF_INIT;
            lab_value_format_longs(&text, l.v, l.n, 0);
            if (rc == 0 && text.len > MAX_STRING) {
                snprintf(reason, sizeof reason, "a list longer than %d characters cannot be "
                         "written back on one line", MAX_STRING);
                rc = -1;
            }
            lab_strbuf_release(&text);
            if (rc == 0) {
                lab_value_canonical(k, &l, &b);
                rc = lab_axis_push(a, lab_strbuf_str(&b), reason, sizeof reason);
            }
        }
        free(l.v);
    }
    if (rc == 0 && distinct)
        rc = axis_distinct(a, reason, sizeof reason);
    free(copy);
    lab_strbuf_release(&b);
    if (rc == 0)
        return 0;
    axis_refused(k, reason, why, len);
    return -1;
}

/* The axes are kept in table order: n first, the seed last (the
 * initialisation seed just before it), the others in
 * the order lab show writes the keys. */
long lab_axes_rank(const lab_config *c, const lab_key *k)
{
    if (lab_key_is(k, "sweep", "n"))
        return -1;
    if (lab_key_is(k, "sweep", "seeds"))
        return LONG_MAX;
    if (lab_key_is(k, "sweep", "init_seeds"))
        return LONG_MAX - 1;
    struct lab_keyref ord[LAB_CONFIG_MAXKEYS];
    size_t n = lab_keys_ordered(c, ord);
    for (size_t i = 0; i < n; i++)
        if (ord[i].k == k)
            return (long)i;
    return (long)(LAB_CONFIG_MAXKEYS + lab_keys_ref(k).idx); /* another kind's: refused in finish */
}

lab_axis *lab_axes_find(const lab_config *c, const lab_key *k)
{
    for (size_t a = 0; a < c->naxes; a++)
        if (c->axes[a].key == k)
            return (lab_axis *)&c->axes[a];
    return NULL;
}

void lab_axes_remove(lab_config *c, const lab_key *k)
{
    lab_axis *a = lab_axes_find(c, k);
    if (!a)
        return;
    lab_axis_free(a);
    size_t i = (size_t)(a - c->axes);
    memmove(&c->axes[i], &c->axes[i + 1], (c->naxes - i - 1) * sizeof *a);
    c->naxes--;
}

/* The axis of key k, made (empty, in its place) when there is none; NULL
 * when there are too many axes. */
static lab_axis *axis_of(lab_config *c, const lab_key *k)
{
    lab_axis *a = lab_axes_find(c, k);
    if (a || c->naxes == LAB_CONFIG_MAXAXES)
        return a;
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_key_column(k, &b);
    char *column = lab_strbuf_detach(&b);
    if (!column)
        return NULL;
    long rank = lab_axes_rank(c, k);
    size_t i = 0;
    while (i < c->naxes && lab_axes_rank(c, c->axes[i].key) < rank)
        i++;
    memmove(&c->axes[i + 1], &c->axes[i], (c->naxes - i) * sizeof *a);
    c->naxes++;
    c->axes[i] = (lab_axis){ k, column, 0, NULL, 0 };
    return &c->axes[i];
}

/* Set the values of key k's axis from text (replacing them, or appending
 * with append). */
int lab_axes_set(lab_config *c, const lab_key *k, const char *text, int append, int line,
                    char *why, size_t len)
{
    lab_axis fresh = { k, NULL, 0, NULL, 0 };
    lab_axis *a = axis_of(c, k);
    if (!a) {
        snprintf(why, len, c->naxes == LAB_CONFIG_MAXAXES ? "more than %d axes" : "out of memory",
                 LAB_CONFIG_MAXAXES);
        return -1;
    }
    lab_axis *target = append ? a : &fresh;
    /* An axis continued over many lines is checked once, when the file is
     * read (lab_axis_check): checking it at every line was quadratic. */
    if (parse_axis(k, text, target, !append, why, len) < 0) {
        axis_release(&fresh);
        if (!append && a->n == 0)
            lab_axes_remove(c, k);
        return -1;
    }
    if (!append) {
        axis_release(a);
        a->n = fresh.n;
        a->values = fresh.values;
        a->line = line;
    }
    return 0;
}

int lab_axis_check(const lab_axis *a, char *why, size_t len)
{
    char reason[200];
    if (axis_distinct(a, reason, sizeof reason) == 0)
        return 0;
    axis_refused(a->key, reason, why, len);
    return -1;
}

/* ==== Axes and cells ======================================================== */

int lab_axis_is_replicate(const lab_axis *a)
{
    return lab_key_is(a->key, "sweep", "seeds") || lab_key_is(a->key, "sweep", "init_seeds");
}

const char *lab_axis_column(const lab_axis *a)
{
    return a->column;
}

const char *lab_axis_label(const lab_axis *a)
{
    return a->key->label ? a->key->label : a->column;
}

const lab_axis *lab_config_axis(const lab_config *c, const char *column)
{
    for (size_t a = 0; a < c->naxes; a++)
        if (strcmp(c->axes[a].column, column) == 0)
            return &c->axes[a];
    return NULL;
}

size_t lab_config_ncells(const lab_config *c)
{
    size_t n = 1;
    for (size_t a = 0; a < c->naxes; a++)
        n *= c->axes[a].n;
    return n;
}

size_t lab_config_coord(const lab_config *c, size_t i, size_t a)
{
    assert(a < c->naxes);
    for (size_t b = c->naxes - 1; b > a; b--)
        i /= c->axes[b].n;
    return i % c->axes[a].n;
}

int lab_config_cell(const lab_config *c, size_t i, lab_config *cell)
{
    assert(i < lab_config_ncells(c));
    char why[256];
    for (size_t a = c->naxes; a-- > 0;) {
        const lab_axis *ax = &c->axes[a];
        struct lab_keyref r = lab_keys_ref(ax->key);
        if (lab_value_parse(ax->key, lab_keys_field(cell, &r), ax->values[i % ax->n], 0, why,
                         sizeof why) < 0)
            return LAB_ENOMEM; /* the values were checked when parsed */
        i /= ax->n;
    }
    return LAB_OK;
}

int lab_config_value_text(const lab_config *c, const char *fullname, lab_strbuf *b)
{
    const char *dot = strchr(fullname, '.');
    char section[64];
    struct lab_keyref r;
    size_t ls = dot ? (size_t)(dot - fullname) : 0;
    if (!dot || ls >= sizeof section)
        return LAB_EINVAL;
    memcpy(section, fullname, ls);
    section[ls] = '\0';
    if (!lab_keys_find(section, dot + 1, &r) || (r.sec >= 0 && !c->sections[r.sec]))
        return LAB_EINVAL;
    lab_value_canonical(r.k, lab_keys_cfield(c, &r), b);
    return LAB_OK;
}


int lab_config_parse_reals(const char *text, double min, double max, unsigned flags,
                           double **v, size_t *n, char *why, size_t len)
{
    /* A nameless real key: its range and the axis parser say the rest. */
    lab_key k = { .type = LAB_KEY_DOUBLE, .min = min, .max = max, .flags = flags };
    lab_axis a = { 0 };
    *v = NULL;
    *n = 0;
    if (parse_axis(&k, text, &a, 0, why, len) < 0) {
        lab_axis_free(&a);
        return LAB_EINVAL;
    }
    double *out = malloc((a.n ? a.n : 1) * sizeof *out);
    if (!out) {
        lab_axis_free(&a);
        snprintf(why, len, "out of memory");
        return LAB_ENOMEM;
    }
    for (size_t i = 0; i < a.n; i++)
        out[i] = strtod(a.values[i], NULL);
    *v = out;
    *n = a.n;
    lab_axis_free(&a);
    return LAB_OK;
}
