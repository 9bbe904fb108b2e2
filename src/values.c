/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The values of keys: parsing text into them, with ranges and lists, their
 * canonical text, and what they own (config_keys.h). */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config_keys.h"
#include "forms.h"
#include "kind.h"
#include "names.h"
#include "status.h"
#include "text.h"

/* ==== Parsing values ====================================================== */

int lab_key_in_range(const lab_key *k, double v)
{
    if ((k->flags & LAB_KEY_MIN_OPEN) ? !(v > k->min) : !(v >= k->min))
        return 0;
    if ((k->flags & LAB_KEY_MAX_OPEN) ? !(v < k->max) : !(v <= k->max))
        return 0;
    return 1;
}

/* "an integer >= 1", "a number in (0, 1)", ... */
void lab_key_describe(const lab_key *k, const char *what, char *buf, size_t len)
{
    int lo = k->min > -BIG, hi = k->max < BIG;
    if (lo && hi)
        snprintf(buf, len, "%s in %c%.15g, %.15g%c", what,
                 (k->flags & LAB_KEY_MIN_OPEN) ? '(' : '[', k->min, k->max,
                 (k->flags & LAB_KEY_MAX_OPEN) ? ')' : ']');
    else if (lo)
        snprintf(buf, len, "%s %s %.15g", what, (k->flags & LAB_KEY_MIN_OPEN) ? ">" : ">=",
                 k->min);
    else
        snprintf(buf, len, "%s", what);
}

/* An integer written in decimal, or as an integral number such as 1e5. */
static int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end != s && *end == '\0' && errno == 0) {
        *out = v;
        return 0;
    }
    /* Scientific notation only: strtod would also take hex, "inf" or "nan". */
    if (!strpbrk(s, "eE.") || strpbrk(s, "xXnNiI"))
        return -1;
    double d = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(d) || d != floor(d)
        || fabs(d) > 9007199254740992.0)
        return -1;
    *out = (long)d;
    return 0;
}

int lab_value_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    /* Decimal only: strtod would also take hex, "inf" or "nan". */
    if (strpbrk(s, "xXnNiI"))
        return -1;
    double d = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

static int lab_value_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno != 0)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

char *lab_value_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Shortest decimal that reads back to exactly v; whole numbers below 1e15
 * without an exponent (10, not 1e+01). */
void lab_value_format_double(double v, char *buf, size_t len)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (strchr(buf, 'e') && v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, len, "%.0f", v);
}

static int list_push(lab_list *l, long v)
{
    if (l->n >= MAX_LIST)
        return -1;
    /* The capacity doubles at every power of two: n pushes cost O(n). */
    if ((l->n & (l->n - 1)) == 0) {
        long *nv = realloc(l->v, (l->n ? 2 * l->n : 1) * sizeof *nv);
        if (!nv)
            return -1;
        l->v = nv;
    }
    l->v[l->n++] = v;
    return 0;
}

/* Split "A..B +S" or "A..B xF" into its parts (item is modified); returns
 * 0 for a single value, 1 for a range (op is '+' or 'x', or 0 without a
 * step). */
int lab_value_split_range(char *item, char **a, char **b, char *op, char **step)
{
    char *dots = strstr(item, "..");
    *op = 0;
    *step = NULL;
    if (!dots) {
        *a = lab_value_trim(item);
        return 0;
    }
    *dots = '\0';
    /* The step's sign: 'x' (or '*') or '+', not the '+' of an exponent. */
    char *rest = dots + 2, *o = NULL;
    for (char *p = rest; *p && !o; p++)
        if (*p == 'x' || *p == '*' || (*p == '+' && !(p > rest && (p[-1] == 'e' || p[-1] == 'E'))))
            o = p;
    if (o) {
        *op = *o == '+' ? '+' : 'x';
        *step = lab_value_trim(o + 1);
        *o = '\0';
    }
    *a = lab_value_trim(item);
    *b = lab_value_trim(rest);
    return 1;
}

/* One integer list item: "A", "A..B", "A..B +S" or "A..B xF", appended to
 * l. */
int lab_value_parse_int_item(const lab_key *k, char *item, lab_list *l, char *why, size_t len)
{
    char *as, *bs = NULL, *ss, op;
    long a, b, step = 1;
    int range = lab_value_split_range(item, &as, &bs, &op, &ss);
    if (!range) {
        if (parse_long(as, &a) < 0) {
            snprintf(why, len, "\"%s\" is not an integer", as);
            return -1;
        }
        b = a;
    } else {
        if (parse_long(as, &a) < 0 || parse_long(bs, &b) < 0) {
            snprintf(why, len, "a range needs integer ends, as in 64..16384 x2 or 0..9 +3");
            return -1;
        }
        if (ss && parse_long(ss, &step) < 0) {
            snprintf(why, len, "the step of a range must be an integer");
            return -1;
        }
        if (b < a) {
            snprintf(why, len, "range %ld..%ld runs backwards", a, b);
            return -1;
        }
        if (op == 'x' && (step < 2 || a < 1)) {
            snprintf(why, len, "a geometric range needs a start >= 1 and a factor >= 2");
            return -1;
        }
        if (op != 'x' && step < 1) {
            snprintf(why, len, "an arithmetic range needs a step >= 1");
            return -1;
        }
    }
    for (long v = a; v <= b;) {
        if (!lab_key_in_range(k, (double)v)) {
            char d[64];
            lab_key_describe(k, "integers", d, sizeof d);
            snprintf(why, len, "%ld is out of range (values must be %s)", v, d);
            return -1;
        }
        if (list_push(l, v) < 0) {
            snprintf(why, len, "the list is longer than %d values", MAX_LIST);
            return -1;
        }
        if (op == 'x' ? v > LONG_MAX / step : v > LONG_MAX - step)
            break;
        v = op == 'x' ? v * step : v + step;
    }
    return 0;
}

/* Whether a list separated by sep has an empty item: one at the start, or
 * two separators with only blanks between (one at the end is fine: a list
 * continued on the next line). */
int lab_value_empty_item(const char *text, char sep)
{
    const char *p = text + strspn(text, " \t");
    if (*p == sep)
        return 1;
    for (; *p; p++)
        if (*p == sep && p[1 + strspn(p + 1, " \t")] == sep)
            return 1;
    return 0;
}

/* A comma-separated list of integers, appended to l. */
int lab_value_parse_ints(const lab_key *k, const char *text, lab_list *l, char *why,
                          size_t len)
{
    if (lab_value_empty_item(text, ',')) {
        snprintf(why, len, "empty item in the list");
        return -1;
    }
    char *copy = strdup(text);
    if (!copy) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    int rc = 0;
    char *save = NULL, *item = strtok_r(copy, ",", &save);
    if (!item || !*lab_value_trim(item))
        snprintf(why, len, "the list is empty"), rc = -1;
    for (; item && rc == 0; item = strtok_r(NULL, ",", &save))
        rc = lab_value_parse_int_item(k, lab_value_trim(item), l, why, len);
    free(copy);
    return rc;
}

/* Integers as a range when they are one ("64..16384 x2", "0..4", "1..9 +2"),
 * else comma-separated; with wrap, long lists go on indented lines to fit
 * inih's lines. */
void lab_value_format_longs(lab_strbuf *b, const long *v, size_t n, int wrap)
{
    if (n >= 3) {
        long a = v[0], d = v[1] - a, r = a > 0 ? v[1] / a : 0;
        int arith = d >= 1, geom = r >= 2 && v[1] == a * r;
        for (size_t i = 2; i < n; i++) {
            arith = arith && v[i] - v[i - 1] == d;
            geom = geom && v[i - 1] <= LONG_MAX / r && v[i] == v[i - 1] * r;
        }
        if (geom) {
            lab_strbuf_printf(b, "%ld..%ld x%ld", a, v[n - 1], r);
            return;
        }
        if (arith) {
            if (d == 1)
                lab_strbuf_printf(b, "%ld..%ld", a, v[n - 1]);
            else
                lab_strbuf_printf(b, "%ld..%ld +%ld", a, v[n - 1], d);
            return;
        }
    }
    /* The key takes up to 30 characters; keep every line well under inih's 198. */
    size_t col = 30;
    for (size_t i = 0; i < n; i++) {
        char num[32];
        size_t w = (size_t)snprintf(num, sizeof num, "%ld", v[i]);
        if (i && wrap && col + w + 2 > 110) {
            lab_strbuf_puts(b, ",\n    ");
            col = 4;
        } else if (i) {
            lab_strbuf_puts(b, ", ");
            col += 2;
        }
        lab_strbuf_puts(b, num);
        col += w;
    }
}

/* The value of a scalar key as its canonical text: the text the lab writes
 * in tables and hashes into stream keys. */
void lab_value_canonical(const lab_key *k, const void *p, lab_strbuf *b)
{
    char buf[64];
    switch (k->type) {
    case LAB_KEY_STRING:
        lab_strbuf_puts(b, *(char *const *)p);
        break;
    case LAB_KEY_U64:
        lab_strbuf_printf(b, "%" PRIu64, *(const uint64_t *)p);
        break;
    case LAB_KEY_LONG:
        lab_strbuf_printf(b, "%ld", *(const long *)p);
        break;
    case LAB_KEY_DOUBLE:
        lab_value_format_double(*(const double *)p, buf, sizeof buf);
        lab_strbuf_puts(b, buf);
        break;
    case LAB_KEY_ENUM:
        lab_strbuf_puts(b, lab_name_of(*(const int *)p, k->choices, k->nchoices));
        break;
    case LAB_KEY_LIST: {
        const lab_list *l = p;
        for (size_t i = 0; i < l->n; i++)
            lab_strbuf_printf(b, "%s%ld", i ? "," : "", l->v[i]);
        break;
    }
    }
}

static int valid_folder_name(const char *s)
{
    if (!*s || *s == '.')
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
            return 0;
    return 1;
}

/* The pieces of a string value on its lines: inih strips blanks at both
 * ends of a line and reads a line starting with '#' or ';' as a comment; a
 * piece starting with '[' would end the key above, one starting "word ="
 * would read as an indented key (config.c). */
#define PIECE 100

static int can_cut(const char *s, size_t i)
{
    if (isspace((unsigned char)s[i - 1]) || isspace((unsigned char)s[i]) || strchr("#;[", s[i]))
        return 0;
    const char *p = s + i;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    while (p > s + i && (*p == ' ' || *p == '\t'))
        p++;
    return !(p > s + i && *p == '=');
}

int lab_value_format_string(lab_strbuf *b, const char *text)
{
    size_t n = strlen(text), at = 0;
    while (n - at > PIECE) {
        size_t cut = at + PIECE;
        while (cut > at && !can_cut(text, cut))
            cut--;
        if (cut == at)
            return -1;
        lab_strbuf_add(b, text + at, cut - at);
        lab_strbuf_puts(b, "\n    ");
        at = cut;
    }
    lab_strbuf_puts(b, text + at);
    return 0;
}

/* Why string text cannot be a config value, in why; 0 when it can. */
static int check_text(const lab_key *k, const char *text, char *why, size_t len)
{
    const char *bad = lab_text_control(text);
    size_t max = (k->flags & LAB_KEY_FOLDER) ? MAX_NAME : MAX_TEXT;
    if (bad) {
        char d[64];
        lab_text_describe(*bad, d, sizeof d);
        snprintf(why, len, "a value cannot hold %s, at character %zu: it would break the "
                 "config file's lines", d, (size_t)(bad - text) + 1);
        return -1;
    }
    if (strlen(text) > max) {
        snprintf(why, len, "expected at most %zu characters, got %zu", max, strlen(text));
        return -1;
    }
    lab_strbuf b = LAB_STRBUF_INIT;
    int rc = lab_value_format_string(&b, text);
    lab_strbuf_release(&b);
    if (rc < 0)
        snprintf(why, len, "a value is written on lines of at most %d characters, cut between "
                 "two characters that are not blanks and not before '#', ';', '[' or "
                 "\"word =\"; this one has a stretch of %d characters with no such place",
                 PIECE, PIECE);
    return rc;
}

/* "none", or a comma-separated list of forms (the forms' registry decides,
 * analysis/forms.h). */
static int check_forms(const char *s, char *why, size_t len)
{
    if (strcmp(s, "none") == 0)
        return 0;
    char *copy = strdup(s), *save = NULL;
    int rc = copy && *s ? 0 : -1;
    if (rc)
        snprintf(why, len, "expected none or a comma-separated list of forms (%s)",
                 lab_form_list);
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; rc == 0 && tok;
         tok = strtok_r(NULL, ",", &save)) {
        lab_form_info info;
        char msg[256];
        if (lab_form_lookup(lab_value_trim(tok), &info, msg, sizeof msg) != LAB_OK) {
            snprintf(why, len, "expected none or a comma-separated list of forms: %s", msg);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

/* Check text and make it the string value p of key k. */
/* A string key with choices holds a comma-separated list of them, each at
 * most once (e.g. perceptron.learners). */
static int check_names(const lab_key *k, const char *text, char *why, size_t len)
{
    char *copy = strdup(text), *save = NULL;
    int seen[64] = { 0 }, n = 0, rc = 0;
    if (!copy) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    assert(k->nchoices <= 64);
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0;
         tok = strtok_r(NULL, ",", &save), n++) {
        tok = lab_value_trim(tok);
        int v = lab_name_index(tok, k->choices, k->nchoices);
        if (v < 0 || seen[v]) {
            lab_strbuf b = LAB_STRBUF_INIT;
            lab_strbuf_join(&b, k->choices, (size_t)k->nchoices, ", ");
            snprintf(why, len, v < 0 ? "expected names among %s, got \"%s\""
                                     : "expected names among %s, each once: \"%s\" twice",
                     lab_strbuf_str(&b), tok);
            lab_strbuf_release(&b);
            rc = -1;
        } else {
            seen[v] = 1;
        }
    }
    free(copy);
    size_t end = strlen(text);
    while (end > 0 && isspace((unsigned char)text[end - 1]))
        end--;
    if (rc == 0 && (n == 0 || lab_value_empty_item(text, ',') || text[end - 1] == ',')) {
        snprintf(why, len, "expected a list of names, got \"%s\"", text);
        rc = -1;
    }
    return rc;
}

static int parse_string(const lab_key *k, void *p, const char *text, char *why, size_t len)
{
    if (check_text(k, text, why, len) < 0)
        return -1;
    /* Empty, where the default is, means the kind's forms. */
    if ((k->flags & LAB_KEY_FORMS) && (*text || *k->def) && check_forms(text, why, len) < 0)
        return -1;
    /* inih would read " #" or " ;" as a comment when the config is
     * written back. */
    for (const char *q = text; *q; q++)
        if ((*q == '#' || *q == ';') && q > text && isspace((unsigned char)q[-1])) {
            snprintf(why, len, "a value with \" %c\" cannot be written back (it reads as a "
                     "comment), got \"%s\"", *q, text);
            return -1;
        }
    if ((k->flags & LAB_KEY_FOLDER) && !valid_folder_name(text)) {
        snprintf(why, len, "expected a name of letters, digits, '.', '_' or '-' "
                 "(not starting with '.'), got \"%s\"", text);
        return -1;
    }
    if (k->choices && check_names(k, text, why, len) < 0)
        return -1;
    if ((k->flags & LAB_KEY_KIND) && !lab_kind_find(text)) {
        lab_strbuf kinds = LAB_STRBUF_INIT;
        for (size_t i = 0; i < lab_nkinds; i++)
            lab_strbuf_printf(&kinds, "%s%s", i ? ", " : "", lab_kinds[i]->name);
        snprintf(why, len, "expected one of %s, got \"%s\"", lab_strbuf_str(&kinds), text);
        lab_strbuf_release(&kinds);
        return -1;
    }
    char *s = strdup(text);
    if (!s) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    free(*(char **)p);
    *(char **)p = s;
    return 0;
}

/* Parse text into the scalar value p of key k. On failure, fills why with
 * "expected ..., got ...". With append, a list value is added to the
 * current list (a continuation line) instead of replacing it, and a string
 * value continues the current string. */
int lab_value_parse(const lab_key *k, void *p, const char *text, int append,
                        char *why, size_t len)
{
    char expect[128];
    switch (k->type) {
    case LAB_KEY_STRING: {
        lab_strbuf joined = LAB_STRBUF_INIT;
        if (append && *(char **)p) {
            lab_strbuf_puts(&joined, *(char **)p);
            lab_strbuf_puts(&joined, text);
            if (joined.failed) {
                snprintf(why, len, "out of memory");
                return -1;
            }
            text = joined.s;
        }
        int rc = parse_string(k, p, text, why, len);
        lab_strbuf_release(&joined);
        return rc;
    }
    case LAB_KEY_U64:
        if (lab_value_parse_u64(text, p) < 0) {
            snprintf(why, len, "expected an integer in [0, 2^64), got \"%s\"", text);
            return -1;
        }
        return 0;
    case LAB_KEY_LONG: {
        long v;
        if (parse_long(text, &v) < 0 || !lab_key_in_range(k, (double)v)) {
            lab_key_describe(k, "an integer", expect, sizeof expect);
            snprintf(why, len, "expected %s, got \"%s\"", expect, text);
            return -1;
        }
        *(long *)p = v;
        return 0;
    }
    case LAB_KEY_DOUBLE: {
        double v;
        if (lab_value_parse_double(text, &v) < 0 || !lab_key_in_range(k, v)) {
            lab_key_describe(k, "a number", expect, sizeof expect);
            snprintf(why, len, "expected %s, got \"%s\"", expect, text);
            return -1;
        }
        *(double *)p = v;
        return 0;
    }
    case LAB_KEY_ENUM: {
        int v = lab_name_index(text, k->choices, k->nchoices);
        if (v < 0) {
            lab_strbuf b = LAB_STRBUF_INIT;
            lab_strbuf_join(&b, k->choices, (size_t)k->nchoices, ", ");
            snprintf(why, len, "expected one of %s, got \"%s\"", lab_strbuf_str(&b), text);
            lab_strbuf_release(&b);
            return -1;
        }
        *(int *)p = v;
        return 0;
    }
    case LAB_KEY_LIST: {
        lab_list fresh = { 0, NULL }, *l = p;
        char reason[160];
        if (lab_value_parse_ints(k, text, append ? l : &fresh, reason, sizeof reason) < 0) {
            lab_key_describe(k, "integers", expect, sizeof expect);
            snprintf(why, len, "expected a list of %s such as \"16, 16\": %s", expect, reason);
            free(fresh.v);
            return -1;
        }
        if (!append) {
            free(l->v);
            *l = fresh;
        }
        return 0;
    }
    }
    return -1;
}

/* Free what a scalar value owns. */
void lab_value_release(const lab_key *k, void *p)
{
    if (k->type == LAB_KEY_STRING) {
        free(*(char **)p);
        *(char **)p = NULL;
    } else if (k->type == LAB_KEY_LIST) {
        free(((lab_list *)p)->v);
        ((lab_list *)p)->v = NULL;
        ((lab_list *)p)->n = 0;
    }
}

/* Replace p's owned memory by a copy (after a shallow copy). */
int lab_value_copy(const lab_key *k, void *p)
{
    if (k->type == LAB_KEY_STRING && *(char **)p) {
        char *s = strdup(*(char **)p);
        *(char **)p = s;
        return s ? 0 : -1;
    }
    if (k->type == LAB_KEY_LIST && ((lab_list *)p)->n) {
        lab_list *l = p;
        long *v = malloc(l->n * sizeof *v);
        if (v)
            memcpy(v, l->v, l->n * sizeof *v);
        else
            l->n = 0;
        l->v = v;
        return v ? 0 : -1;
    }
    if (k->type == LAB_KEY_LIST)
        ((lab_list *)p)->v = NULL;
    return 0;
}

