/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "act.h"
#include "data.h"
#include "fit.h"
#include "forms.h"
#include "kind.h"
#include "names.h"
#include "optim.h"
#include "plot.h"
#include "status.h"

/* ==== The common keys ====================================================== */

#define OFF(field) offsetof(lab_config, field)
#define CHOICES(names, n) .choices = names, .nchoices = n
#define BIG INFINITY /* no upper bound */

/* Streams (rng.h) by purpose. */
#define S_TEACHER LAB_SHAPES(LAB_STREAM_TEACHER)
#define S_TEST LAB_SHAPES(LAB_STREAM_TEST)
#define S_TRAIN LAB_SHAPES(LAB_STREAM_TRAIN)
#define S_INIT LAB_SHAPES(LAB_STREAM_INIT)
#define S_BATCH LAB_SHAPES(LAB_STREAM_BATCH)

static const lab_key keys[] = {
    { "experiment", "name", LAB_KEY_STRING, OFF(name), "experiment",
      "experiment name; the run folder defaults to runs/<name>",
      0, 0, LAB_KEY_COSMETIC | LAB_KEY_FOLDER, 0, NULL, 0, NULL, NULL },
    { "experiment", "kind", LAB_KEY_STRING, OFF(kind), "student",
      "what a cell computes: student (train an MLP student) or linear (the constant and least-squares baselines)", 0, 0, LAB_KEY_KIND, 0, NULL, 0, NULL, NULL },
    { "experiment", "seed", LAB_KEY_U64, OFF(seed), "1",
      "experiment seed: every random stream derives from it (THEORY.md section 7)",
      0, BIG, 0, 0, NULL, 0, NULL, NULL },

    { "teacher", "input_dim", LAB_KEY_LONG, OFF(input_dim), "16",
      "input dimension D", 1, 1e6, 0, S_TEACHER | S_TEST | S_TRAIN | S_INIT, NULL, 0, NULL, NULL },
    { "teacher", "widths", LAB_KEY_LIST, OFF(teacher_widths), "16",
      "hidden-layer widths of the teacher, one per hidden layer", 1, 1e6, 0, S_TEACHER,
      NULL, 0, NULL, NULL },
    { "teacher", "activation", LAB_KEY_ENUM, OFF(teacher_act), "tanh",
      "hidden activation: linear, tanh, relu or erf (erf(z/sqrt 2))",
      0, 0, 0, 0, CHOICES(lab_act_names, LAB_NACT), NULL, NULL },
    { "teacher", "weight_scale", LAB_KEY_DOUBLE, OFF(weight_scale), "1",
      "sigma_w^2: teacher weights are N(0, sigma_w^2 / fan_in)", 0, 1e6, LAB_KEY_MIN_OPEN, 0,
      NULL, 0, NULL, NULL },
    { "teacher", "bias_scale", LAB_KEY_DOUBLE, OFF(bias_scale), "0",
      "sigma_b^2: teacher biases are N(0, sigma_b^2)", 0, 1e6, 0, 0, NULL, 0, NULL, NULL },
    { "teacher", "label_noise", LAB_KEY_DOUBLE, OFF(label_noise), "0",
      "std of Gaussian noise added to training labels (teacher outputs have variance 1); "
      "0 = noiseless", 0, 1e6, 0, 0, NULL, 0, NULL, NULL },

    { "data", "distribution", LAB_KEY_ENUM, OFF(distribution), "gaussian",
      "inputs: gaussian N(0, I) or uniform U(-sqrt 3, sqrt 3)^D",
      0, 0, 0, S_TEST | S_TRAIN, CHOICES(lab_dist_names, LAB_NDIST), NULL, NULL },
    { "data", "test_size", LAB_KEY_LONG, OFF(test_size), "8192",
      "test points per teacher, shared by all cells with the same teacher and inputs",
      2, 1e9, 0, 0, NULL, 0, NULL, NULL },

    { "train", "optimizer", LAB_KEY_ENUM, OFF(optimizer), "adam",
      "sgd (heavy-ball momentum) or adam (decoupled weight decay)",
      0, 0, 0, 0, CHOICES(lab_optimizer_names, LAB_NOPT), NULL, NULL },
    { "train", "lr", LAB_KEY_DOUBLE, OFF(lr), "0.003",
      "peak learning rate", 0, BIG, LAB_KEY_MIN_OPEN, 0, NULL, 0, NULL, NULL },
    { "train", "batch", LAB_KEY_LONG, OFF(batch), "128",
      "mini-batch size; 0 = full batch (also used when n <= batch)", 0, 1e9, 0, 0,
      NULL, 0, NULL, NULL },
    { "train", "steps", LAB_KEY_LONG, OFF(steps), "5000",
      "step budget (and the horizon of the cosine schedule)", 1, BIG, 0, 0, NULL, 0, NULL, NULL },
    { "train", "schedule", LAB_KEY_ENUM, OFF(schedule), "cosine",
      "learning-rate schedule: constant, or cosine decay to 0 at the step budget",
      0, 0, 0, 0, CHOICES(lab_schedule_names, LAB_NSCHED), NULL, NULL },
    { "train", "momentum", LAB_KEY_DOUBLE, OFF(momentum), "0.9",
      "SGD momentum", 0, 1, LAB_KEY_MAX_OPEN, 0, NULL, 0, NULL, NULL },
    { "train", "beta1", LAB_KEY_DOUBLE, OFF(beta1), "0.9",
      "Adam: decay of the first moment", 0, 1, LAB_KEY_MAX_OPEN, 0, NULL, 0, NULL, NULL },
    { "train", "beta2", LAB_KEY_DOUBLE, OFF(beta2), "0.999",
      "Adam: decay of the second moment", 0, 1, LAB_KEY_MAX_OPEN, 0, NULL, 0, NULL, NULL },
    { "train", "eps", LAB_KEY_DOUBLE, OFF(eps), "1e-08",
      "Adam: added to the root of the second moment", 0, 1, LAB_KEY_MIN_OPEN, 0,
      NULL, 0, NULL, NULL },
    { "train", "weight_decay", LAB_KEY_DOUBLE, OFF(weight_decay), "0",
      "weight decay of weights (biases are not decayed)", 0, 1e6, 0, 0, NULL, 0, NULL, NULL },
    { "train", "target_loss", LAB_KEY_DOUBLE, OFF(target_loss), "0",
      "stop once the training error (MSE / teacher variance) is at most this; 0 = never",
      0, 1e6, 0, 0, NULL, 0, NULL, NULL },
    { "train", "check_every", LAB_KEY_LONG, OFF(check_every), "0",
      "steps between stopping checks; 0 = once per epoch", 0, BIG, 0, 0, NULL, 0, NULL, NULL },
    { "train", "patience", LAB_KEY_LONG, OFF(patience), "0",
      "stop after this many checks without relative improvement plateau_tol; 0 = never",
      0, BIG, 0, 0, NULL, 0, NULL, NULL },
    { "train", "plateau_tol", LAB_KEY_DOUBLE, OFF(plateau_tol), "0.001",
      "relative improvement of the training error that resets the patience",
      0, 1, LAB_KEY_MAX_OPEN, 0, NULL, 0, NULL, NULL },

    { "sweep", "n", LAB_KEY_LONG, OFF(n), "1024",
      "training-set sizes (an axis); smaller sets are prefixes of larger ones",
      1, 1e9, LAB_KEY_AXIS, S_BATCH, NULL, 0, "n", NULL },
    { "sweep", "seeds", LAB_KEY_LONG, OFF(replicate), "0",
      "replicates (an axis, column seed): each draws its own teacher, data, initialisation "
      "and batches", 0, 1e9, LAB_KEY_AXIS, LAB_SHAPES_ALL, NULL, 0, "seed", NULL },

    { "output", "dir", LAB_KEY_STRING, OFF(dir), "",
      "run folder; empty = runs/<experiment name>", 0, 0, LAB_KEY_COSMETIC, 0,
      NULL, 0, NULL, NULL },

    { "plot", "format", LAB_KEY_ENUM, OFF(format), "png",
      "figure format: png, svg, pdf, or none (scripts and data only)",
      0, 0, LAB_KEY_COSMETIC, 0, CHOICES(lab_plot_format_names, LAB_NPLOT), NULL, NULL },
    { "plot", "curves", LAB_KEY_STRING, OFF(curves), "",
      "figures of the error: X:SERIES, ... draws error against axis X with a line per value "
      "of SERIES (and of every other swept axis); empty = the kind's", 0, 0,
      LAB_KEY_COSMETIC | LAB_KEY_AXES, 0, NULL, 0, NULL, NULL },

    { "fit", "per_curve", LAB_KEY_STRING, OFF(fit_per_curve), "hestness",
      "laws fitted to each learning curve (error against fit.x, one curve per value of "
      "the other swept axes), or none", 0, 0, LAB_KEY_COSMETIC | LAB_KEY_FORMS, 0,
      NULL, 0, NULL, NULL },
    { "fit", "joint", LAB_KEY_STRING, OFF(fit_joint), "",
      "laws fitted jointly over data and model size (error against n and params), or none; "
      "empty = the kind's", 0, 0, LAB_KEY_COSMETIC | LAB_KEY_FORMS, 0, NULL, 0, NULL, NULL },
    { "fit", "x", LAB_KEY_STRING, OFF(fit_x), "n",
      "the axis a learning curve runs along", 0, 0, LAB_KEY_COSMETIC | LAB_KEY_AXES, 0,
      NULL, 0, NULL, NULL },
    { "fit", "holdout", LAB_KEY_DOUBLE, OFF(fit_holdout), "0",
      "fraction of the largest x held out to score extrapolation", 0, 1,
      LAB_KEY_COSMETIC | LAB_KEY_MAX_OPEN, 0, NULL, 0, NULL, NULL },
    { "fit", "bootstrap", LAB_KEY_LONG, OFF(fit_bootstrap), "200",
      "bootstrap refits, resampling seeds, for 95% intervals (0 = none)", 0, 100000,
      LAB_KEY_COSMETIC, 0, NULL, 0, NULL, NULL },
    { "fit", "loss", LAB_KEY_ENUM, OFF(fit_loss), "log",
      "fitting loss: log (squared log residuals), rel, huber (delta 1e-3) or asym (lambda 10)",
      0, 0, LAB_KEY_COSMETIC, 0, CHOICES(lab_loss_names, LAB_NLOSS), NULL, NULL },
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* The common sections in the order they are written; the kind's own
 * sections are written after [data]. */
static const char *const sections[] = {
    "experiment", "teacher", "data", "train", "sweep", "output", "plot", "fit"
};
#define NSECTIONS (sizeof sections / sizeof sections[0])
#define KIND_SECTIONS_AFTER "data"

/* The longest list a key or axis may hold: a guard against "1..1000000000". */
#define MAX_LIST 100000
/* The most cells a sweep may have. */
#define MAX_CELLS 1000000
/* inih reads lines of at most 198 characters: string values are kept short
 * enough that the resolved config can always be written back and read. */
#define MAX_STRING 160
_Static_assert(sizeof(long) >= 8, "the lab assumes 64-bit long integers");

/* ==== Every key: the common ones, then each kind's sections ================== */

/* A key with the place of its value: sec < 0 for lab_config's own fields,
 * else the index of a kind's section in c->sections. idx is the key's index
 * in c->line. */
struct keyref {
    const lab_key *k;
    int sec;
    size_t idx;
};

/* The kinds' sections, each once, in the order of the kind table. */
static size_t kind_sections(const lab_section **out)
{
    size_t n = 0;
    for (size_t i = 0; i < lab_nkinds; i++)
        for (size_t s = 0; s < lab_kinds[i]->nsections; s++) {
            const lab_section *sec = lab_kinds[i]->sections[s];
            size_t j = 0;
            while (j < n && out[j] != sec)
                j++;
            if (j == n) {
                assert(n < LAB_CONFIG_MAXSECTIONS);
                out[n++] = sec;
            }
        }
    return n;
}

/* Every key the lab knows, into out (LAB_CONFIG_MAXKEYS entries). */
static size_t all_keys(struct keyref *out)
{
    const lab_section *secs[LAB_CONFIG_MAXSECTIONS];
    size_t n = 0, ns = kind_sections(secs);
    for (size_t i = 0; i < NKEYS; i++, n++)
        out[n] = (struct keyref){ &keys[i], -1, n };
    for (size_t s = 0; s < ns; s++)
        for (size_t i = 0; i < secs[s]->nkeys; i++, n++) {
            assert(n < LAB_CONFIG_MAXKEYS);
            out[n] = (struct keyref){ &secs[s]->keys[i], (int)s, n };
        }
    return n;
}

static int find_key(const char *section, const char *name, struct keyref *ref)
{
    struct keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = all_keys(all);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].k->section, section) == 0 && strcmp(all[i].k->name, name) == 0) {
            *ref = all[i];
            return 1;
        }
    return 0;
}

/* The key with this lab_key entry. */
static struct keyref ref_of(const lab_key *k)
{
    struct keyref r = { NULL, -1, 0 };
    int found = find_key(k->section, k->name, &r);
    assert(found);
    (void)found;
    return r;
}

static int known_section(const char *section)
{
    struct keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = all_keys(all);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].k->section, section) == 0)
            return 1;
    return 0;
}

/* Whether the kind of c has key r (common keys always). */
static int active(const lab_config *c, const struct keyref *r)
{
    if (r->sec < 0)
        return 1;
    const lab_section *secs[LAB_CONFIG_MAXSECTIONS];
    kind_sections(secs);
    const lab_kind *kind = lab_config_kind(c);
    for (size_t s = 0; s < kind->nsections; s++)
        if (kind->sections[s] == secs[r->sec])
            return 1;
    return 0;
}

/* The keys of c's kind in the order they are written: the common sections,
 * with the kind's own after [data]. */
static size_t ordered_keys(const lab_config *c, struct keyref *out)
{
    struct keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = all_keys(all), m = 0;
    const lab_kind *kind = lab_config_kind(c);
    for (size_t s = 0; s < NSECTIONS; s++) {
        for (size_t i = 0; i < NKEYS; i++)
            if (strcmp(keys[i].section, sections[s]) == 0)
                out[m++] = all[i];
        if (strcmp(sections[s], KIND_SECTIONS_AFTER) != 0)
            continue;
        for (size_t ks = 0; ks < kind->nsections; ks++)
            for (size_t i = NKEYS; i < n; i++)
                if (strcmp(all[i].k->section, kind->sections[ks]->name) == 0)
                    out[m++] = all[i];
    }
    return m;
}

static void *field(lab_config *c, const struct keyref *r)
{
    char *base = r->sec < 0 ? (char *)c : (char *)c->sections[r->sec];
    return base + r->k->off;
}

static const void *cfield(const lab_config *c, const struct keyref *r)
{
    return field((lab_config *)c, r);
}

static int is_key(const lab_key *k, const char *section, const char *name)
{
    return strcmp(k->section, section) == 0 && strcmp(k->name, name) == 0;
}

/* The column of a key: its own name, or "section.key". */
static void key_column(const lab_key *k, lab_strbuf *b)
{
    if (k->column)
        lab_strbuf_puts(b, k->column);
    else
        lab_strbuf_printf(b, "%s.%s", k->section, k->name);
}

/* ==== Parsing values ====================================================== */

static int in_range(const lab_key *k, double v)
{
    if ((k->flags & LAB_KEY_MIN_OPEN) ? !(v > k->min) : !(v >= k->min))
        return 0;
    if ((k->flags & LAB_KEY_MAX_OPEN) ? !(v < k->max) : !(v <= k->max))
        return 0;
    return 1;
}

/* "an integer >= 1", "a number in (0, 1)", ... */
static void describe(const lab_key *k, const char *what, char *buf, size_t len)
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

static int parse_double(const char *s, double *out)
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

static int parse_u64(const char *s, uint64_t *out)
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

static char *trim(char *s)
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
static void format_double(double v, char *buf, size_t len)
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
static int split_range(char *item, char **a, char **b, char *op, char **step)
{
    char *dots = strstr(item, "..");
    *op = 0;
    *step = NULL;
    if (!dots) {
        *a = trim(item);
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
        *step = trim(o + 1);
        *o = '\0';
    }
    *a = trim(item);
    *b = trim(rest);
    return 1;
}

/* One integer list item: "A", "A..B", "A..B +S" or "A..B xF", appended to
 * l. */
static int parse_int_item(const lab_key *k, char *item, lab_list *l, char *why, size_t len)
{
    char *as, *bs = NULL, *ss, op;
    long a, b, step = 1;
    int range = split_range(item, &as, &bs, &op, &ss);
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
        if (!in_range(k, (double)v)) {
            char d[64];
            describe(k, "integers", d, sizeof d);
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
static int empty_item(const char *text, char sep)
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
static int parse_int_list(const lab_key *k, const char *text, lab_list *l, char *why,
                          size_t len)
{
    if (empty_item(text, ',')) {
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
    if (!item || !*trim(item))
        snprintf(why, len, "the list is empty"), rc = -1;
    for (; item && rc == 0; item = strtok_r(NULL, ",", &save))
        rc = parse_int_item(k, trim(item), l, why, len);
    free(copy);
    return rc;
}

/* Integers as a range when they are one ("64..16384 x2", "0..4", "1..9 +2"),
 * else comma-separated; with wrap, long lists go on indented lines to fit
 * inih's lines. */
static void format_longs(lab_strbuf *b, const long *v, size_t n, int wrap)
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
static void canonical(const lab_key *k, const void *p, lab_strbuf *b)
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
        format_double(*(const double *)p, buf, sizeof buf);
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
        if (lab_form_lookup(trim(tok), &info, msg, sizeof msg) != LAB_OK) {
            snprintf(why, len, "expected none or a comma-separated list of forms: %s", msg);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

/* Parse text into the scalar value p of key k. On failure, fills why with
 * "expected ..., got ...". With append, a list value is added to the
 * current list (a continuation line) instead of replacing it. */
static int parse_scalar(const lab_key *k, void *p, const char *text, int append,
                        char *why, size_t len)
{
    char expect[128];
    switch (k->type) {
    case LAB_KEY_STRING: {
        if (strlen(text) > MAX_STRING) {
            snprintf(why, len, "expected at most %d characters, got %zu", MAX_STRING,
                     strlen(text));
            return -1;
        }
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
    case LAB_KEY_U64:
        if (parse_u64(text, p) < 0) {
            snprintf(why, len, "expected an integer in [0, 2^64), got \"%s\"", text);
            return -1;
        }
        return 0;
    case LAB_KEY_LONG: {
        long v;
        if (parse_long(text, &v) < 0 || !in_range(k, (double)v)) {
            describe(k, "an integer", expect, sizeof expect);
            snprintf(why, len, "expected %s, got \"%s\"", expect, text);
            return -1;
        }
        *(long *)p = v;
        return 0;
    }
    case LAB_KEY_DOUBLE: {
        double v;
        if (parse_double(text, &v) < 0 || !in_range(k, v)) {
            describe(k, "a number", expect, sizeof expect);
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
        if (parse_int_list(k, text, append ? l : &fresh, reason, sizeof reason) < 0) {
            describe(k, "integers", expect, sizeof expect);
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
static void release_scalar(const lab_key *k, void *p)
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
static int copy_scalar(const lab_key *k, void *p)
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

/* ==== Axes ================================================================= */

/* Whether key k may be swept, and why not. */
static int sweepable(const lab_key *k, char *why, size_t len)
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
static void axis_free(lab_axis *a)
{
    axis_release(a);
    free(a->column);
    a->column = NULL;
}

/* Append a value (duplicates are checked once the axis is parsed). */
static int axis_push(lab_axis *a, const char *text, char *why, size_t len)
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
    int range = split_range(item, &as, &bs, &op, &ss);
    if (parse_double(as, &lo) < 0 || (range && parse_double(bs, &hi) < 0)) {
        snprintf(why, len, "\"%s\" is not a number", range ? item : as);
        return -1;
    }
    if (!range)
        hi = lo;
    else if (!ss || parse_double(ss, &step) < 0) {
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
        if (!in_range(k, v)) {
            char d[64];
            describe(k, "numbers", d, sizeof d);
            snprintf(why, len, "%s is out of range (values must be %s)", buf, d);
            return -1;
        }
        format_double(v, buf, sizeof buf);
        if (axis_push(a, buf, why, len) < 0)
            return -1;
        if (!range)
            break;
    }
    return 0;
}

/* Parse the values of an axis over key k from text, appended to a. */
static int parse_axis(const lab_key *k, const char *text, lab_axis *a, char *why, size_t len)
{
    char expect[128], reason[200] = "";
    char *copy = strdup(text), *save = NULL;
    int rc = copy ? 0 : -1;
    lab_strbuf b = LAB_STRBUF_INIT;
    if (!copy)
        snprintf(reason, sizeof reason, "out of memory");
    /* A key whose value is a list takes lists separated by '|'. */
    const char *sep = k->type == LAB_KEY_LIST ? "|" : ",";
    if (copy && empty_item(text, sep[0])) {
        snprintf(reason, sizeof reason, "empty item in the list");
        rc = -1;
    }
    char *item = copy && rc == 0 ? strtok_r(copy, sep, &save) : NULL;
    if (copy && rc == 0 && (!item || !*trim(item)))
        snprintf(reason, sizeof reason, "the list is empty"), rc = -1;
    for (; item && rc == 0; item = strtok_r(NULL, sep, &save)) {
        item = trim(item);
        lab_list l = { 0, NULL };
        lab_strbuf_reset(&b);
        if (k->type == LAB_KEY_LONG || k->type == LAB_KEY_U64) {
            rc = parse_int_item(k, item, &l, reason, sizeof reason);
            for (size_t i = 0; rc == 0 && i < l.n; i++) {
                char num[32];
                snprintf(num, sizeof num, "%ld", l.v[i]);
                rc = axis_push(a, num, reason, sizeof reason);
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
                rc = axis_push(a, item, reason, sizeof reason);
            }
        } else { /* LAB_KEY_LIST */
            rc = parse_int_list(k, item, &l, reason, sizeof reason);
            /* A list is written on one line (as a range when it is one). */
            lab_strbuf text = LAB_STRBUF_INIT;
            format_longs(&text, l.v, l.n, 0);
            if (rc == 0 && text.len > MAX_STRING) {
                snprintf(reason, sizeof reason, "a list longer than %d characters cannot be "
                         "written back on one line", MAX_STRING);
                rc = -1;
            }
            lab_strbuf_release(&text);
            if (rc == 0) {
                canonical(k, &l, &b);
                rc = axis_push(a, lab_strbuf_str(&b), reason, sizeof reason);
            }
        }
        free(l.v);
    }
    if (rc == 0)
        rc = axis_distinct(a, reason, sizeof reason);
    free(copy);
    lab_strbuf_release(&b);
    if (rc == 0)
        return 0;
    switch (k->type) {
    case LAB_KEY_LONG:
    case LAB_KEY_U64:
        describe(k, "integers", expect, sizeof expect);
        snprintf(why, len, "expected a list of %s such as \"8, 16, 32\" or \"64..16384 x2\": %s",
                 expect, reason);
        break;
    case LAB_KEY_DOUBLE:
        describe(k, "numbers", expect, sizeof expect);
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
    return -1;
}

/* The axes are kept in table order: n first, the seed last, the others in
 * the order lab show writes the keys. */
static long axis_rank(const lab_config *c, const lab_key *k)
{
    if (is_key(k, "sweep", "n"))
        return -1;
    if (is_key(k, "sweep", "seeds"))
        return LONG_MAX;
    struct keyref ord[LAB_CONFIG_MAXKEYS];
    size_t n = ordered_keys(c, ord);
    for (size_t i = 0; i < n; i++)
        if (ord[i].k == k)
            return (long)i;
    return (long)(LAB_CONFIG_MAXKEYS + ref_of(k).idx); /* another kind's: refused in finish */
}

static lab_axis *find_axis(const lab_config *c, const lab_key *k)
{
    for (size_t a = 0; a < c->naxes; a++)
        if (c->axes[a].key == k)
            return (lab_axis *)&c->axes[a];
    return NULL;
}

static void remove_axis(lab_config *c, const lab_key *k)
{
    lab_axis *a = find_axis(c, k);
    if (!a)
        return;
    axis_free(a);
    size_t i = (size_t)(a - c->axes);
    memmove(&c->axes[i], &c->axes[i + 1], (c->naxes - i - 1) * sizeof *a);
    c->naxes--;
}

/* The axis of key k, made (empty, in its place) when there is none; NULL
 * when there are too many axes. */
static lab_axis *axis_of(lab_config *c, const lab_key *k)
{
    lab_axis *a = find_axis(c, k);
    if (a || c->naxes == LAB_CONFIG_MAXAXES)
        return a;
    lab_strbuf b = LAB_STRBUF_INIT;
    key_column(k, &b);
    char *column = lab_strbuf_detach(&b);
    if (!column)
        return NULL;
    long rank = axis_rank(c, k);
    size_t i = 0;
    while (i < c->naxes && axis_rank(c, c->axes[i].key) < rank)
        i++;
    memmove(&c->axes[i + 1], &c->axes[i], (c->naxes - i) * sizeof *a);
    c->naxes++;
    c->axes[i] = (lab_axis){ k, column, 0, NULL, 0 };
    return &c->axes[i];
}

/* Set the values of key k's axis from text (replacing them, or appending
 * with append). */
static int set_axis(lab_config *c, const lab_key *k, const char *text, int append, int line,
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
    if (parse_axis(k, text, target, why, len) < 0) {
        axis_release(&fresh);
        if (!append && a->n == 0)
            remove_axis(c, k);
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

/* ==== Defaults, copies and release ========================================== */

void *lab_config_section(const lab_config *c, const lab_section *s)
{
    const lab_section *secs[LAB_CONFIG_MAXSECTIONS];
    size_t n = kind_sections(secs);
    for (size_t i = 0; i < n; i++)
        if (secs[i] == s)
            return c->sections[i];
    return NULL;
}

int lab_config_init(lab_config *c)
{
    memset(c, 0, sizeof *c);
    const lab_section *secs[LAB_CONFIG_MAXSECTIONS];
    size_t ns = kind_sections(secs);
    for (size_t s = 0; s < ns; s++)
        if (!(c->sections[s] = calloc(1, secs[s]->size ? secs[s]->size : 1)))
            return LAB_ENOMEM;
    struct keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = all_keys(all);
    char why[256];
    for (size_t i = 0; i < n; i++) {
        const lab_key *k = all[i].k;
        /* The defaults are valid: only memory can fail. */
        if (parse_scalar(k, field(c, &all[i]), k->def, 0, why, sizeof why) < 0)
            return LAB_ENOMEM;
        /* The kinds' own always-axes are made by lab_config_finish(), once
         * the kind is known. */
        if ((k->flags & LAB_KEY_AXIS) && all[i].sec < 0
            && set_axis(c, k, k->def, 0, 0, why, sizeof why) < 0)
            return LAB_ENOMEM;
    }
    return LAB_OK;
}

void lab_config_release(lab_config *c)
{
    struct keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = all_keys(all);
    for (size_t i = 0; i < n; i++)
        if (all[i].sec < 0 || c->sections[all[i].sec])
            release_scalar(all[i].k, field(c, &all[i]));
    for (size_t s = 0; s < LAB_CONFIG_MAXSECTIONS; s++) {
        free(c->sections[s]);
        c->sections[s] = NULL;
    }
    for (size_t a = 0; a < c->naxes; a++)
        axis_free(&c->axes[a]);
    c->naxes = 0;
    free(c->source);
    c->source = NULL;
}

int lab_config_copy(lab_config *dst, const lab_config *src)
{
    const lab_section *secs[LAB_CONFIG_MAXSECTIONS];
    size_t ns = kind_sections(secs);
    *dst = *src;
    /* Nothing of src is owned by dst until copied, so a failure half-way
     * can release dst safely. */
    for (size_t s = 0; s < LAB_CONFIG_MAXSECTIONS; s++)
        dst->sections[s] = NULL;
    for (size_t a = 0; a < dst->naxes; a++)
        dst->axes[a].n = 0, dst->axes[a].values = NULL, dst->axes[a].column = NULL;
    dst->source = NULL;
    struct keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = all_keys(all);
    int failed = 0;
    for (size_t i = 0; i < NKEYS; i++)
        failed |= copy_scalar(all[i].k, field(dst, &all[i]));
    for (size_t s = 0; s < ns; s++) {
        if (!(dst->sections[s] = malloc(secs[s]->size ? secs[s]->size : 1))) {
            failed = 1;
            continue;
        }
        memcpy(dst->sections[s], src->sections[s], secs[s]->size);
    }
    for (size_t i = NKEYS; i < n; i++) {
        if (!dst->sections[all[i].sec])
            continue;
        failed |= copy_scalar(all[i].k, field(dst, &all[i]));
    }
    for (size_t a = 0; a < src->naxes; a++) {
        char why[64];
        if (!(dst->axes[a].column = strdup(src->axes[a].column)))
            failed = 1;
        for (size_t v = 0; v < src->axes[a].n && !failed; v++)
            failed |= axis_push(&dst->axes[a], src->axes[a].values[v], why, sizeof why) < 0;
    }
    if (src->source && !(dst->source = strdup(src->source)))
        failed = 1;
    if (failed) {
        /* Strings and lists not yet copied still point into src. */
        for (size_t i = 0; i < n; i++) {
            if (all[i].sec >= 0 && !dst->sections[all[i].sec])
                continue;
            void *p = field(dst, &all[i]);
            const void *q = cfield(src, &all[i]);
            if (all[i].k->type == LAB_KEY_STRING && *(char **)p == *(char *const *)q)
                *(char **)p = NULL;
            if (all[i].k->type == LAB_KEY_LIST && ((lab_list *)p)->v == ((const lab_list *)q)->v)
                ((lab_list *)p)->v = NULL, ((lab_list *)p)->n = 0;
        }
        lab_config_release(dst);
        return LAB_ENOMEM;
    }
    return LAB_OK;
}

/* ==== Loading files ======================================================= */

/* The state of one parse: inih calls our reader once per physical line, so
 * the reader knows the line the handler is looking at. */
struct parse_ctx {
    lab_config *c;
    const char *name;     /* file name for messages */
    FILE *file;           /* source: a file ... */
    const char *text;     /* ... or a string */
    int line;             /* current physical line */
    int continuation;     /* the current line starts with blank space */
    const lab_key *last_key; /* the last key set ... */
    int last_axis;        /* ... and whether as an axis */
    char *err;
    size_t errlen;
    int failed;           /* an error was recorded (the first one wins) */
};

/* Record the first error as "file:line: <message>". */
__attribute__((format(printf, 2, 3)))
static void ctx_fail(struct parse_ctx *x, const char *fmt, ...)
{
    if (x->failed)
        return;
    x->failed = 1;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lab_fail(x->err, x->errlen, LAB_ECONFIG, "%s:%d: %s", x->name, x->line, msg);
}

static char *reader(char *str, int num, void *stream)
{
    struct parse_ctx *x = stream;
    size_t cap = (size_t)num, n = 0;
    int ch = 0, toolong = 0;
    /* Read one physical line, keeping what fits in inih's buffer. */
    for (;;) {
        if (x->file) {
            ch = fgetc(x->file);
        } else {
            ch = *x->text ? (unsigned char)*x->text++ : EOF;
        }
        if (ch == EOF)
            break;
        if (n + 2 < cap)
            str[n++] = (char)ch;
        else if (ch != '\n' && ch != '\r')
            toolong = 1;
        if (ch == '\n')
            break;
    }
    if (ch == EOF && n == 0)
        return NULL;
    str[n] = '\0';
    x->line++;
    x->continuation = (str[0] == ' ' || str[0] == '\t');
    const char *first = str + strspn(str, " \t");
    if (*first == '[') /* a section line: what follows continues nothing */
        x->last_key = NULL;
    if (toolong && *first != '#' && *first != ';') /* a comment may be cut */
        ctx_fail(x, "line longer than %d characters (continue a long list on "
                 "indented lines)", num - 2);
    return str;
}

/* Drop an inline "# comment" (inih only strips ";" comments itself). */
static void strip_hash_comment(char *v)
{
    for (char *p = v; *p; p++)
        if (*p == '#' && (p == v || isspace((unsigned char)p[-1]))) {
            *p = '\0';
            break;
        }
    size_t n = strlen(v);
    while (n > 0 && isspace((unsigned char)v[n - 1]))
        v[--n] = '\0';
}

/* The key named by a [sweep] entry: "n", "seeds", or "section.key". */
static int sweep_key(const char *name, struct keyref *ref, char *why, size_t len)
{
    const char *dot = strchr(name, '.');
    if (!dot) {
        if (find_key("sweep", name, ref))
            return 0;
        snprintf(why, len, "unknown key; [sweep] has n, seeds, and section.key = values for "
                 "any key that changes results (e.g. train.lr)");
        return -1;
    }
    char section[64];
    size_t ls = (size_t)(dot - name);
    if (ls >= sizeof section || !find_key((memcpy(section, name, ls), section[ls] = '\0',
                                           section), dot + 1, ref)) {
        snprintf(why, len, "unknown key (lab show lists them all)");
        return -1;
    }
    return sweepable(ref->k, why, len) ? 0 : -1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *x = user;
    lab_config *c = x->c;
    char why[640];
    struct keyref ref;
    if (!*section) {
        ctx_fail(x, "%s: keys must follow a [section] header", name);
        return 0;
    }
    if (!known_section(section)) {
        lab_strbuf list = LAB_STRBUF_INIT;
        lab_strbuf_join(&list, sections, NSECTIONS, ", ");
        const lab_section *secs[LAB_CONFIG_MAXSECTIONS];
        size_t ns = kind_sections(secs);
        for (size_t s = 0; s < ns; s++)
            lab_strbuf_printf(&list, ", %s", secs[s]->name);
        ctx_fail(x, "%s.%s: unknown section [%s] (sections: %s)", section, name, section,
                 lab_strbuf_str(&list));
        lab_strbuf_release(&list);
        return 0;
    }
    int swept = strcmp(section, "sweep") == 0;
    if (swept) {
        if (sweep_key(name, &ref, why, sizeof why) < 0) {
            ctx_fail(x, "sweep.%s: %s", name, why);
            return 0;
        }
    } else if (!find_key(section, name, &ref)) {
        lab_strbuf list = LAB_STRBUF_INIT;
        struct keyref all[LAB_CONFIG_MAXKEYS];
        size_t n = all_keys(all);
        for (size_t i = 0; i < n; i++)
            if (strcmp(all[i].k->section, section) == 0)
                lab_strbuf_printf(&list, " %s", all[i].k->name);
        ctx_fail(x, "%s.%s: unknown key; [%s] has%s", section, name, section,
                 lab_strbuf_str(&list));
        lab_strbuf_release(&list);
        return 0;
    }
    const lab_key *k = ref.k;
    int as_axis = swept || (k->flags & LAB_KEY_AXIS);
    char *v = strdup(value);
    if (!v) {
        ctx_fail(x, "%s.%s: out of memory", section, name);
        return 0;
    }
    strip_hash_comment(v);
    lab_axis *a = find_axis(c, k);
    int append = 0;
    if (x->continuation && x->last_key == k && x->last_axis == as_axis) {
        /* inih hands us an indented line as more of the key above it: only
         * lists take more, and only values, not "key = value". */
        if ((!as_axis && k->type != LAB_KEY_LIST) || strchr(v, '=')) {
            ctx_fail(x, "%s.%s: an indented line continues the key above; %s", section, name,
                     !as_axis && k->type != LAB_KEY_LIST
                         ? "this key takes a single value"
                         : "start a new key at the beginning of the line");
            free(v);
            return 0;
        }
        append = 1;
    } else if (as_axis && a && a->line > 0) {
        ctx_fail(x, "%s.%s: set twice (first on line %d)", section, name, a->line);
    } else if (!as_axis && c->line[ref.idx] > 0) {
        ctx_fail(x, "%s.%s: set twice (first on line %d)", section, name, c->line[ref.idx]);
    } else if (as_axis && !(k->flags & LAB_KEY_AXIS) && c->line[ref.idx] > 0) {
        ctx_fail(x, "%s.%s: swept here but set to one value on line %d", section, name,
                 c->line[ref.idx]);
    } else if (!as_axis && a && a->line > 0) {
        ctx_fail(x, "%s.%s: set to one value here but swept on line %d", section, name,
                 a->line);
    }
    if (x->failed) {
        free(v);
        return 0;
    }
    int rc = as_axis ? set_axis(c, k, v, append, x->line, why, sizeof why)
                     : parse_scalar(k, field(c, &ref), v, append, why, sizeof why);
    free(v);
    if (rc < 0) {
        ctx_fail(x, "%s.%s: %s", section, name, why);
        return 0;
    }
    if (!as_axis && !append)
        c->line[ref.idx] = x->line;
    x->last_key = k;
    x->last_axis = as_axis;
    return 1;
}

static int run_parse(struct parse_ctx *x)
{
    int rc = ini_parse_stream(reader, x, handler, x);
    if (x->failed)
        return LAB_ECONFIG;
    if (rc != 0) /* a syntax error inih found itself, e.g. a line without '=' */
        return lab_fail(x->err, x->errlen, LAB_ECONFIG,
                        "%s:%d: expected \"[section]\" or \"key = value\"", x->name, rc);
    return LAB_OK;
}

static int set_source(lab_config *c, const char *name)
{
    free(c->source);
    return (c->source = strdup(name)) ? LAB_OK : LAB_ENOMEM;
}

int lab_config_load(lab_config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return lab_fail(err, errlen, LAB_EIO, "%s: %s", path, strerror(errno));
    struct parse_ctx x = { .c = c, .name = path, .file = f, .err = err, .errlen = errlen };
    int rc = run_parse(&x);
    if (ferror(f) && rc == LAB_OK)
        rc = lab_fail(err, errlen, LAB_EIO, "%s: read error", path);
    fclose(f);
    return rc == LAB_OK ? set_source(c, path) : rc;
}

int lab_config_load_string(lab_config *c, const char *text, const char *name,
                           char *err, size_t errlen)
{
    struct parse_ctx x = { .c = c, .name = name, .text = text, .err = err, .errlen = errlen };
    int rc = run_parse(&x);
    return rc == LAB_OK ? set_source(c, name) : rc;
}

int lab_config_set(lab_config *c, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '='), *dot = strchr(assignment, '.');
    if (!eq || !dot || dot > eq)
        return lab_fail(err, errlen, LAB_ECONFIG,
                        "--set %s: expected section.key=value", assignment);
    char section[64], name[128], why[640];
    size_t ls = (size_t)(dot - assignment), ln = (size_t)(eq - dot - 1);
    if (ls >= sizeof section || ln >= sizeof name)
        return lab_fail(err, errlen, LAB_ECONFIG, "--set %s: unknown key", assignment);
    memcpy(section, assignment, ls);
    section[ls] = '\0';
    memcpy(name, dot + 1, ln);
    name[ln] = '\0';
    char *sec = trim(section), *nm = trim(name);
    struct keyref ref;
    int swept = strcmp(sec, "sweep") == 0;
    if (swept ? sweep_key(nm, &ref, why, sizeof why) < 0 : !find_key(sec, nm, &ref)) {
        if (!swept)
            snprintf(why, sizeof why, "unknown key (lab show lists them all)");
        return lab_fail(err, errlen, LAB_ECONFIG, "--set %s: %s.%s: %s", assignment, sec, nm,
                        why);
    }
    char *v = strdup(eq + 1);
    if (!v)
        return LAB_ENOMEM;
    int as_axis = swept || (ref.k->flags & LAB_KEY_AXIS);
    int rc = as_axis ? set_axis(c, ref.k, trim(v), 0, -1, why, sizeof why)
                     : parse_scalar(ref.k, field(c, &ref), trim(v), 0, why, sizeof why);
    free(v);
    if (rc < 0)
        return lab_fail(err, errlen, LAB_ECONFIG, "--set %s: %s.%s: %s", assignment, sec, nm,
                        why);
    if (!as_axis) {
        /* One value for a swept key ends its sweep. */
        remove_axis(c, ref.k);
        c->line[ref.idx] = -1;
    }
    return LAB_OK;
}

/* ==== Whole-config checks ================================================== */

/* "file:line: section.key" or "--set section.key" for messages about a key
 * already parsed (line: where it was set). */
static void where_line(const lab_config *c, const lab_key *k, int line, char *buf, size_t len)
{
    if (line > 0)
        snprintf(buf, len, "%s:%d: %s.%s", c->source ? c->source : "config", line,
                 k->section, k->name);
    else if (line < 0)
        snprintf(buf, len, "--set %s.%s", k->section, k->name);
    else
        snprintf(buf, len, "%s: %s.%s (default)", c->source ? c->source : "config",
                 k->section, k->name);
}

static void where(const lab_config *c, const char *section, const char *name,
                  char *buf, size_t len)
{
    struct keyref ref;
    int found = find_key(section, name, &ref);
    assert(found);
    (void)found;
    const lab_axis *a = find_axis(c, ref.k);
    where_line(c, ref.k, a ? a->line : c->line[ref.idx], buf, len);
}

/* The largest value of an integer key over its axis (or its value). */
static double max_over_axis(const lab_config *c, const char *section, const char *name)
{
    struct keyref ref;
    int found = find_key(section, name, &ref);
    assert(found && ref.k->type == LAB_KEY_LONG);
    (void)found;
    const lab_axis *a = find_axis(c, ref.k);
    if (!a)
        return (double)*(const long *)cfield(c, &ref);
    double m = 0;
    for (size_t i = 0; i < a->n; i++)
        m = fmax(m, strtod(a->values[i], NULL));
    return m;
}

/* Whether name is a column that figures and fits can take as x or series:
 * an axis but the seed, or a kind column that splits groups. With numeric,
 * the axis must hold numbers. */
static int is_curve_column(const lab_config *c, const char *name, int numeric)
{
    int found = 0;
    /* Not the seed: figures and fits show statistics over the seeds. */
    for (size_t a = 0; a < c->naxes && !found; a++) {
        enum lab_key_type t = c->axes[a].key->type;
        found = strcmp(c->axes[a].column, name) == 0 && !is_key(c->axes[a].key, "sweep", "seeds")
             && (!numeric || t == LAB_KEY_LONG || t == LAB_KEY_DOUBLE || t == LAB_KEY_U64);
    }
    const lab_kind *kind = lab_config_kind(c);
    long col = lab_kind_column(kind, name);
    if (!found && col >= 0 && kind->columns[col].stat == LAB_STAT_KEY)
        found = !numeric || kind->columns[col].type != LAB_COL_NAME;
    return found;
}

/* Whether name is a column of c's results table. */
static int is_column(const lab_config *c, const char *name)
{
    return is_curve_column(c, name, 0) || lab_kind_column(lab_config_kind(c), name) >= 0;
}

/* plot.curves: "X:SERIES, ..." or "X, ..." naming numeric axes (X) and other
 * axes or key columns (SERIES). */
static int check_curves(const lab_config *c, char *err, size_t errlen)
{
    char at[512], *copy = strdup(c->curves), *save = NULL;
    int rc = copy ? LAB_OK : LAB_ENOMEM;
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && rc == LAB_OK;
         tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':'), *x = tok, *s = NULL;
        if (colon) {
            *colon = '\0';
            s = trim(colon + 1);
        }
        x = trim(x);
        const char *bad = !is_curve_column(c, x, 1) ? x
                        : s && *s && !is_curve_column(c, s, 0) ? s : NULL;
        where(c, "plot", "curves", at, sizeof at);
        if (bad)
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: \"%s\" is not an axis of this sweep%s "
                          "(X:SERIES names a numeric axis, then another axis; not the seed)",
                          at, bad, bad == x && is_curve_column(c, x, 0) ? " with numbers" : "");
        else if (s && strcmp(s, x) == 0)
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: %s:%s draws a line per value of the x "
                          "axis itself; name another axis as the series", at, x, s);
    }
    free(copy);
    return rc;
}

/* fit.x names a numeric axis; the forms of fit.per_curve take one x, and
 * those of fit.joint read columns of this table. */
static int check_fits(const lab_config *c, char *err, size_t errlen)
{
    char at[512];
    if (!is_curve_column(c, c->fit_x, 1)) {
        where(c, "fit", "x", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG, "%s: \"%s\" is not a numeric axis of this "
                        "sweep", at, c->fit_x);
    }
    const char *names[2] = { "per_curve", "joint" };
    const char *values[2] = { c->fit_per_curve, c->fit_joint };
    /* A form fitted both ways would write both fits under one name. */
    if (strcmp(c->fit_joint, "none") != 0) {
        char *copy = strdup(c->fit_joint), *save = NULL;
        if (!copy)
            return LAB_ENOMEM;
        int rc = LAB_OK;
        for (char *tok = strtok_r(copy, ", ", &save); tok && rc == LAB_OK;
             tok = strtok_r(NULL, ", ", &save)) {
            size_t n = strlen(tok);
            for (const char *p = c->fit_per_curve; *p && rc == LAB_OK;) {
                p += strspn(p, ", ");
                size_t len = strcspn(p, ", ");
                if (len == n && strncmp(p, tok, n) == 0) {
                    where(c, "fit", "joint", at, sizeof at);
                    rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: %s is fitted per curve too; "
                                  "fit a form one way", at, tok);
                }
                p += len;
            }
        }
        free(copy);
        if (rc != LAB_OK)
            return rc;
    }
    for (int j = 0; j < 2; j++) {
        if (strcmp(values[j], "none") == 0)
            continue;
        char *copy = strdup(values[j]), *save = NULL;
        if (!copy)
            return LAB_ENOMEM;
        int rc = LAB_OK;
        for (char *tok = strtok_r(copy, ",", &save); tok && rc == LAB_OK;
             tok = strtok_r(NULL, ",", &save)) {
            lab_form_info info;
            lab_form_lookup(trim(tok), &info, at, sizeof at); /* checked when parsed */
            where(c, "fit", names[j], at, sizeof at);
            if (j == 0 && info.nx != 1)
                rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: %s takes %zu x columns; a "
                              "learning curve has one (fit.x)", at, tok, info.nx);
            for (size_t i = 0; j == 1 && i < info.nx && rc == LAB_OK; i++)
                if (!is_column(c, info.x[i]))
                    rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: %s reads the column \"%s\", "
                                  "which this experiment's results do not have", at, tok,
                                  info.x[i]);
        }
        free(copy);
        if (rc != LAB_OK)
            return rc;
    }
    return LAB_OK;
}

int lab_config_finish(lab_config *c, char *err, size_t errlen)
{
    char at[512];
    const lab_kind *kind = lab_config_kind(c);
    struct keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = all_keys(all);
    /* Keys of another kind are mistakes; its always-swept keys are not axes
     * here, and this kind's are. */
    for (size_t i = 0; i < n; i++) {
        const lab_axis *a = find_axis(c, all[i].k);
        int line = a && a->line ? a->line : c->line[all[i].idx];
        if (!active(c, &all[i]) && line) {
            where_line(c, all[i].k, line, at, sizeof at);
            return lab_fail(err, errlen, LAB_ECONFIG, "%s: this key is not used by experiments "
                            "of kind %s", at, kind->name);
        }
        if (!active(c, &all[i]))
            remove_axis(c, all[i].k);
        else if ((all[i].k->flags & LAB_KEY_AXIS) && !a) {
            char why[256];
            if (set_axis(c, all[i].k, all[i].k->def, 0, 0, why, sizeof why) < 0)
                return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        }
    }
    /* Table order, now that the kind is known (axis_of() ranked them by the
     * kind of the moment). */
    for (size_t i = 1; i < c->naxes; i++)
        for (size_t j = i; j > 0 && axis_rank(c, c->axes[j - 1].key)
                                        > axis_rank(c, c->axes[j].key); j--) {
            lab_axis t = c->axes[j];
            c->axes[j] = c->axes[j - 1];
            c->axes[j - 1] = t;
        }
    double cells = 1;
    const lab_axis *largest = &c->axes[0];
    for (size_t a = 0; a < c->naxes; a++) {
        cells *= (double)c->axes[a].n;
        largest = c->axes[a].n > largest->n ? &c->axes[a] : largest;
    }
    if (cells > MAX_CELLS) {
        where_line(c, largest->key, largest->line, at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG,
                        "%s: the sweep has %.0f cells; at most %d are allowed", at, cells,
                        MAX_CELLS);
    }
    /* Inputs are held in memory: keep each set under 1e9 doubles (8 GB). */
    double dim = max_over_axis(c, "teacher", "input_dim");
    double test_doubles = max_over_axis(c, "data", "test_size") * dim;
    if (test_doubles > 1e9) {
        where(c, "data", "test_size", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG,
                        "%s: test_size x input_dim = %.0f values exceeds 1e9", at, test_doubles);
    }
    double nmax = max_over_axis(c, "sweep", "n");
    if (nmax * dim > 1e9) {
        where(c, "sweep", "n", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG,
                        "%s: n = %.0f with input_dim = %.0f makes %.0f input values; at most "
                        "1e9 fit in memory", at, nmax, dim, nmax * dim);
    }
    if (!*c->dir) {
        lab_strbuf b = LAB_STRBUF_INIT;
        lab_strbuf_printf(&b, "runs/%s", c->name);
        char *dir = lab_strbuf_detach(&b);
        if (!dir)
            return LAB_ENOMEM;
        free(c->dir);
        c->dir = dir;
    }
    /* Figures and joint fits left empty are the kind's. */
    char **own[2] = { &c->curves, &c->fit_joint };
    const char *kinds[2] = { kind->curves, kind->joint };
    for (int j = 0; j < 2; j++) {
        if (**own[j])
            continue;
        char *s = strdup(kinds[j]);
        if (!s)
            return LAB_ENOMEM;
        free(*own[j]);
        *own[j] = s;
    }
    int rc = check_curves(c, err, errlen);
    return rc == LAB_OK ? check_fits(c, err, errlen) : rc;
}

/* ==== Writing ============================================================= */

/* Integers as write_longs() writes them, on one line. */
static void write_longs(FILE *f, const long *v, size_t n)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    format_longs(&b, v, n, 1);
    fprintf(f, "%s\n", lab_strbuf_str(&b));
    lab_strbuf_release(&b);
}

/* An axis's values: integers as write_longs() does; others as a list (lists
 * of lists separated by '|', each as a range when it is one), wrapped onto
 * indented lines. */
static void write_axis(FILE *f, const lab_axis *a)
{
    const lab_key *k = a->key;
    if (k->type == LAB_KEY_LONG || k->type == LAB_KEY_U64) {
        long *v = malloc((a->n ? a->n : 1) * sizeof *v);
        if (v) {
            for (size_t i = 0; i < a->n; i++)
                v[i] = strtol(a->values[i], NULL, 10);
            write_longs(f, v, a->n);
            free(v);
            return;
        }
    }
    size_t col = 30;
    lab_strbuf item = LAB_STRBUF_INIT;
    for (size_t i = 0; i < a->n; i++) {
        lab_strbuf_reset(&item);
        if (k->type == LAB_KEY_LIST) {
            lab_list l = { 0, NULL };
            char why[128];
            if (parse_int_list(k, a->values[i], &l, why, sizeof why) == 0)
                format_longs(&item, l.v, l.n, 0);
            free(l.v);
        } else {
            lab_strbuf_puts(&item, a->values[i]);
        }
        if (i && col + item.len + 3 > 110) {
            /* A continuation line starts a new list (or value). */
            fputs(k->type == LAB_KEY_LIST ? "\n    " : ",\n    ", f);
            col = 4;
        } else if (i) {
            fputs(k->type == LAB_KEY_LIST ? " | " : ", ", f);
            col += 3;
        }
        fputs(lab_strbuf_str(&item), f);
        col += item.len;
    }
    lab_strbuf_release(&item);
    fputc('\n', f);
}

static void write_value(FILE *f, const lab_config *c, const struct keyref *r)
{
    const void *p = cfield(c, r);
    if (r->k->type == LAB_KEY_LIST) {
        const lab_list *l = p;
        write_longs(f, l->v, l->n);
        return;
    }
    lab_strbuf b = LAB_STRBUF_INIT;
    canonical(r->k, p, &b);
    fprintf(f, "%s\n", lab_strbuf_str(&b));
    lab_strbuf_release(&b);
}

/* The axes swept from [sweep] as "section.key = values" (those that are
 * always axes are written where they live). */
static void write_swept(const lab_config *c, FILE *f, int results_only)
{
    for (size_t j = 0; j < c->naxes; j++) {
        const lab_key *k = c->axes[j].key;
        if (k->flags & LAB_KEY_AXIS)
            continue;
        if (!results_only)
            fprintf(f, "# swept: %s\n", k->doc);
        fprintf(f, "%s.%s = ", k->section, k->name);
        write_axis(f, &c->axes[j]);
    }
}

int lab_config_write(const lab_config *c, FILE *f, int results_only)
{
    struct keyref ord[LAB_CONFIG_MAXKEYS];
    size_t n = ordered_keys(c, ord);
    const char *section = "";
    for (size_t i = 0; i < n; i++) {
        const lab_key *k = ord[i].k;
        const lab_axis *a = find_axis(c, k);
        if (results_only && (k->flags & LAB_KEY_COSMETIC))
            continue;
        if (strcmp(section, k->section) != 0) {
            fprintf(f, "%s[%s]\n", *section ? "\n" : "", k->section);
            section = k->section;
        }
        if (a && !(k->flags & LAB_KEY_AXIS)) {
            if (!results_only)
                fprintf(f, "# %s\n# %s: swept in [sweep]\n", k->doc, k->name);
        } else {
            if (!results_only)
                fprintf(f, "# %s\n", k->doc);
            fprintf(f, "%s = ", k->name);
            if (a)
                write_axis(f, a);
            else
                write_value(f, c, &ord[i]);
        }
        if (strcmp(k->section, "sweep") == 0 && (i + 1 == n || strcmp(ord[i + 1].k->section,
                                                                       "sweep") != 0))
            write_swept(c, f, results_only);
    }
    return ferror(f) ? LAB_EIO : LAB_OK;
}

/* A key's setting as text: its value, or "swept over v1, v2, ...". */
static void setting_text(const lab_config *c, const struct keyref *r, lab_strbuf *b)
{
    const lab_axis *a = find_axis(c, r->k);
    if (a) {
        lab_strbuf_puts(b, "swept over ");
        lab_strbuf_join(b, (const char *const *)a->values, a->n, " | ");
    } else {
        canonical(r->k, cfield(c, r), b);
    }
}

int lab_config_compare(const lab_config *a, const lab_config *b, char *msg, size_t len)
{
    struct keyref ord[LAB_CONFIG_MAXKEYS];
    size_t n = ordered_keys(a, ord);
    lab_strbuf ta = LAB_STRBUF_INIT, tb = LAB_STRBUF_INIT;
    int differ = 0;
    for (size_t i = 0; i < n && !differ; i++) {
        if (ord[i].k->flags & LAB_KEY_COSMETIC)
            continue;
        lab_strbuf_reset(&ta);
        lab_strbuf_reset(&tb);
        setting_text(a, &ord[i], &ta);
        setting_text(b, &ord[i], &tb);
        if (strcmp(lab_strbuf_str(&ta), lab_strbuf_str(&tb)) != 0) {
            snprintf(msg, len, "%s.%s is %s there and %s here", ord[i].k->section,
                     ord[i].k->name, lab_strbuf_str(&ta), lab_strbuf_str(&tb));
            differ = 1;
        }
    }
    lab_strbuf_release(&ta);
    lab_strbuf_release(&tb);
    return differ;
}

/* ==== Axes and cells ======================================================== */

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
        struct keyref r = ref_of(ax->key);
        if (parse_scalar(ax->key, field(cell, &r), ax->values[i % ax->n], 0, why,
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
    struct keyref r;
    size_t ls = dot ? (size_t)(dot - fullname) : 0;
    if (!dot || ls >= sizeof section)
        return LAB_EINVAL;
    memcpy(section, fullname, ls);
    section[ls] = '\0';
    if (!find_key(section, dot + 1, &r) || (r.sec >= 0 && !c->sections[r.sec]))
        return LAB_EINVAL;
    canonical(r.k, cfield(c, &r), b);
    return LAB_OK;
}

/* ==== Streams ================================================================ */

struct named_value {
    char *name, *value;
};

static int by_name(const void *pa, const void *pb)
{
    const struct named_value *a = pa, *b = pb;
    return strcmp(a->name, b->name);
}

/* FNV-1a over a string, continuing from h. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

int lab_config_stream_key(const lab_config *c, enum lab_stream purpose, uint64_t *key)
{
    struct keyref ord[LAB_CONFIG_MAXKEYS];
    struct named_value nv[LAB_CONFIG_MAXKEYS];
    size_t n = ordered_keys(c, ord), m = 0;
    lab_strbuf b = LAB_STRBUF_INIT;
    int rc = LAB_OK;
    for (size_t i = 0; i < n && rc == LAB_OK; i++) {
        const lab_key *k = ord[i].k;
        if (!(k->shapes & LAB_SHAPES(purpose)))
            continue;
        /* The default's canonical text: keys left at their default do not
         * enter, so a key added to the lab later changes no stream. */
        union { char *s; uint64_t u; long l; double d; int e; lab_list list; } def;
        char why[256];
        memset(&def, 0, sizeof def);
        lab_strbuf_reset(&b);
        if (parse_scalar(k, &def, k->def, 0, why, sizeof why) == 0)
            canonical(k, &def, &b);
        release_scalar(k, &def);
        char *deftext = lab_strbuf_detach(&b);
        canonical(k, cfield(c, &ord[i]), &b);
        if (!deftext || b.failed) {
            rc = LAB_ENOMEM;
        } else if (strcmp(deftext, lab_strbuf_str(&b)) != 0) {
            nv[m].value = lab_strbuf_detach(&b);
            lab_strbuf_printf(&b, "%s.%s", k->section, k->name);
            nv[m].name = lab_strbuf_detach(&b);
            rc = nv[m].value && nv[m].name ? LAB_OK : LAB_ENOMEM;
            m++;
        }
        free(deftext);
    }
    lab_strbuf_release(&b);
    /* By name, so the order of the key table does not matter. */
    if (rc == LAB_OK)
        qsort(nv, m, sizeof *nv, by_name);
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < m; i++) {
        if (rc == LAB_OK) {
            h = fnv1a(h, nv[i].name);
            h = fnv1a(h, "=");
            h = fnv1a(h, nv[i].value);
            h = fnv1a(h, ";");
        }
        free(nv[i].name);
        free(nv[i].value);
    }
    *key = h;
    return rc;
}

gsl_rng *lab_config_rng(const lab_config *c, enum lab_stream purpose)
{
    uint64_t key;
    if (lab_config_stream_key(c, purpose, &key) != LAB_OK)
        return NULL;
    int64_t coord = (int64_t)key;
    return lab_rng_alloc_stream(c->seed, purpose, &coord, 1);
}
