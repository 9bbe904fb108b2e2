/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

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
#include "mlp.h"
#include "names.h"
#include "optim.h"
#include "plot.h"
#include "status.h"

/* ==== The key table ====================================================== */

enum key_type { K_STRING, K_U64, K_LONG, K_DOUBLE, K_ENUM, K_LIST };

#define F_SWEPT 1u      /* a list of distinct values that the sweep runs over */
#define F_COSMETIC 2u   /* does not change any number in the results */
#define F_MIN_OPEN 4u   /* the lower bound is excluded */
#define F_MAX_OPEN 8u   /* the upper bound is excluded */
#define F_FOLDER 16u    /* a string usable as a folder name */
#define F_FORMS1 32u    /* "none" or scaling-law forms of one x (n) */
#define F_FORMS2 64u    /* "none" or scaling-law forms of two x (n, parameters) */

struct key {
    const char *section, *name;
    enum key_type type;
    size_t off;                 /* offset of the field in lab_config */
    const char *def, *doc;      /* default (as written in a file), meaning */
    double min, max;            /* numeric range; lists bound each value */
    unsigned flags;
    const char *const *choices; /* K_ENUM: the names */
    int nchoices;
};

#define OFF(field) offsetof(lab_config, field)
#define CHOICES(names, n) .choices = names, .nchoices = n
#define BIG INFINITY /* no upper bound */

static const struct key keys[] = {
    { "experiment", "name", K_STRING, OFF(name), "experiment",
      "experiment name; the run folder defaults to runs/<name>",
      0, 0, F_COSMETIC | F_FOLDER, NULL, 0 },
    { "experiment", "seed", K_U64, OFF(seed), "1",
      "experiment seed: every random stream derives from it and the cell's coordinates",
      0, 0, 0, NULL, 0 },

    { "teacher", "input_dim", K_LONG, OFF(input_dim), "16",
      "input dimension D", 1, 1e6, 0, NULL, 0 },
    { "teacher", "widths", K_LIST, OFF(teacher_widths), "16",
      "hidden-layer widths of the teacher, one per hidden layer", 1, 1e6, 0, NULL, 0 },
    { "teacher", "activation", K_ENUM, OFF(teacher_act), "tanh",
      "hidden activation: linear, tanh, relu or erf (erf(z/sqrt 2))",
      0, 0, 0, CHOICES(lab_act_names, LAB_NACT) },
    { "teacher", "weight_scale", K_DOUBLE, OFF(weight_scale), "1",
      "sigma_w^2: teacher weights are N(0, sigma_w^2 / fan_in)", 0, 1e6, F_MIN_OPEN, NULL, 0 },
    { "teacher", "bias_scale", K_DOUBLE, OFF(bias_scale), "0",
      "sigma_b^2: teacher biases are N(0, sigma_b^2)", 0, 1e6, 0, NULL, 0 },
    { "teacher", "label_noise", K_DOUBLE, OFF(label_noise), "0",
      "std of Gaussian noise added to training labels (teacher outputs have variance 1); 0 = noiseless",
      0, 1e6, 0, NULL, 0 },

    { "data", "distribution", K_ENUM, OFF(distribution), "gaussian",
      "inputs: gaussian N(0, I) or uniform U(-sqrt 3, sqrt 3)^D",
      0, 0, 0, CHOICES(lab_dist_names, LAB_NDIST) },
    { "data", "test_size", K_LONG, OFF(test_size), "8192",
      "test points per teacher, shared by all cells of a seed", 2, 1e9, 0, NULL, 0 },

    { "student", "width", K_LIST, OFF(width), "32",
      "hidden width (swept)", 1, 1e6, F_SWEPT, NULL, 0 },
    { "student", "depth", K_LIST, OFF(depth), "1",
      "number of hidden layers (swept)", 1, 1000, F_SWEPT, NULL, 0 },
    { "student", "activation", K_ENUM, OFF(student_act), "tanh",
      "hidden activation: linear, tanh, relu or erf", 0, 0, 0, CHOICES(lab_act_names, LAB_NACT) },
    { "student", "init", K_ENUM, OFF(init), "lecun",
      "initialisation: lecun N(0,1/fan_in), he N(0,2/fan_in), xavier, or torch (nn.Linear's)",
      0, 0, 0, CHOICES(lab_init_names, LAB_NINIT) },

    { "train", "optimizer", K_ENUM, OFF(optimizer), "adam",
      "sgd (heavy-ball momentum) or adam (decoupled weight decay)",
      0, 0, 0, CHOICES(lab_optimizer_names, LAB_NOPT) },
    { "train", "lr", K_DOUBLE, OFF(lr), "0.003",
      "peak learning rate", 0, BIG, F_MIN_OPEN, NULL, 0 },
    { "train", "batch", K_LONG, OFF(batch), "128",
      "mini-batch size; 0 = full batch (also used when n <= batch)", 0, 1e9, 0, NULL, 0 },
    { "train", "steps", K_LONG, OFF(steps), "5000",
      "step budget (and the horizon of the cosine schedule)", 1, BIG, 0, NULL, 0 },
    { "train", "schedule", K_ENUM, OFF(schedule), "cosine",
      "learning-rate schedule: constant, or cosine decay to 0 at the step budget",
      0, 0, 0, CHOICES(lab_schedule_names, LAB_NSCHED) },
    { "train", "momentum", K_DOUBLE, OFF(momentum), "0.9",
      "SGD momentum", 0, 1, F_MAX_OPEN, NULL, 0 },
    { "train", "beta1", K_DOUBLE, OFF(beta1), "0.9",
      "Adam: decay of the first moment", 0, 1, F_MAX_OPEN, NULL, 0 },
    { "train", "beta2", K_DOUBLE, OFF(beta2), "0.999",
      "Adam: decay of the second moment", 0, 1, F_MAX_OPEN, NULL, 0 },
    { "train", "eps", K_DOUBLE, OFF(eps), "1e-08",
      "Adam: added to the root of the second moment", 0, 1, F_MIN_OPEN, NULL, 0 },
    { "train", "weight_decay", K_DOUBLE, OFF(weight_decay), "0",
      "weight decay of weights (biases are not decayed)", 0, 1e6, 0, NULL, 0 },
    { "train", "target_loss", K_DOUBLE, OFF(target_loss), "0",
      "stop once the training error (MSE / teacher variance) is at most this; 0 = never",
      0, 1e6, 0, NULL, 0 },
    { "train", "check_every", K_LONG, OFF(check_every), "0",
      "steps between stopping checks; 0 = once per epoch", 0, BIG, 0, NULL, 0 },
    { "train", "patience", K_LONG, OFF(patience), "0",
      "stop after this many checks without relative improvement plateau_tol; 0 = never",
      0, BIG, 0, NULL, 0 },
    { "train", "plateau_tol", K_DOUBLE, OFF(plateau_tol), "0.001",
      "relative improvement of the training error that resets the patience",
      0, 1, F_MAX_OPEN, NULL, 0 },

    { "sweep", "n", K_LIST, OFF(n), "1024",
      "training-set sizes (swept); smaller sets are prefixes of larger ones",
      1, 1e9, F_SWEPT, NULL, 0 },
    { "sweep", "seeds", K_LIST, OFF(seeds), "0",
      "replicates (swept): each seed has its own teacher, data and initialisation",
      0, 1e9, F_SWEPT, NULL, 0 },

    { "output", "dir", K_STRING, OFF(dir), "",
      "run folder; empty = runs/<experiment name>", 0, 0, F_COSMETIC, NULL, 0 },

    { "plot", "format", K_ENUM, OFF(format), "png",
      "figure format: png, svg, pdf, or none (scripts and data only)",
      0, 0, F_COSMETIC, CHOICES(lab_plot_format_names, LAB_NPLOT) },

    { "fit", "per_width", K_STRING, OFF(fit_per_width), "hestness",
      "laws fitted to each student's learning curve (test error against n), or none",
      0, 0, F_COSMETIC | F_FORMS1, NULL, 0 },
    { "fit", "joint", K_STRING, OFF(fit_joint), "rosenfeld",
      "laws fitted over the whole grid (test error against n and parameters), or none",
      0, 0, F_COSMETIC | F_FORMS2, NULL, 0 },
    { "fit", "holdout", K_DOUBLE, OFF(fit_holdout), "0",
      "fraction of the largest n held out to score extrapolation", 0, 1, F_COSMETIC | F_MAX_OPEN,
      NULL, 0 },
    { "fit", "bootstrap", K_LONG, OFF(fit_bootstrap), "200",
      "bootstrap refits, resampling seeds, for 95% intervals (0 = none)", 0, 100000,
      F_COSMETIC, NULL, 0 },
    { "fit", "loss", K_ENUM, OFF(fit_loss), "log",
      "fitting loss: log (squared log residuals), rel, huber (delta 1e-3) or asym (lambda 10)",
      0, 0, F_COSMETIC, CHOICES(lab_config_losses, 4) },
};

const char *const lab_config_losses[4] = { "log", "rel", "huber", "asym" };

#define NKEYS (sizeof keys / sizeof keys[0])
_Static_assert(NKEYS <= LAB_CONFIG_MAXKEYS, "raise LAB_CONFIG_MAXKEYS");

static const char *const sections[] = {
    "experiment", "teacher", "data", "student", "train", "sweep", "output", "plot", "fit"
};
#define NSECTIONS (sizeof sections / sizeof sections[0])

/* The longest list a key may expand to: a guard against "1..1000000000". */
#define MAX_LIST 100000
/* inih reads lines of at most 198 characters: string values are kept short
 * enough that the resolved config can always be written back and read. */
#define MAX_STRING 160
_Static_assert(sizeof(long) >= 8, "the lab assumes 64-bit long integers");

static void *field(lab_config *c, const struct key *k)
{
    return (char *)c + k->off;
}

static const void *cfield(const lab_config *c, const struct key *k)
{
    return (const char *)c + k->off;
}

/* ==== Parsing values ====================================================== */

static int in_range(const struct key *k, double v)
{
    if ((k->flags & F_MIN_OPEN) ? !(v > k->min) : !(v >= k->min))
        return 0;
    if ((k->flags & F_MAX_OPEN) ? !(v < k->max) : !(v <= k->max))
        return 0;
    return 1;
}

/* "an integer >= 1", "a number in (0, 1)", ... */
static void describe(const struct key *k, const char *what, char *buf, size_t len)
{
    int lo = k->min > -BIG, hi = k->max < BIG;
    if (lo && hi)
        snprintf(buf, len, "%s in %c%.15g, %.15g%c", what, (k->flags & F_MIN_OPEN) ? '(' : '[',
                 k->min, k->max, (k->flags & F_MAX_OPEN) ? ')' : ']');
    else if (lo)
        snprintf(buf, len, "%s %s %.15g", what, (k->flags & F_MIN_OPEN) ? ">" : ">=", k->min);
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

static int list_push(lab_list *l, long v)
{
    if (l->n >= MAX_LIST)
        return -1;
    long *nv = realloc(l->v, (l->n + 1) * sizeof *nv);
    if (!nv)
        return -1;
    nv[l->n++] = v;
    l->v = nv;
    return 0;
}

/* One list item: "A", "A..B", "A..B +S" or "A..B xF", appended to l. */
static int parse_list_item(const struct key *k, char *item, lab_list *l,
                           char *why, size_t len)
{
    char *dots = strstr(item, ".."), *stepstr = NULL;
    long a, b, step = 1;
    int geometric = 0;
    if (!dots) {
        if (parse_long(item, &a) < 0) {
            snprintf(why, len, "\"%s\" is not an integer", item);
            return -1;
        }
        b = a;
    } else {
        /* "A..B", "A..B +S" (arithmetic) or "A..B xF" (geometric). */
        *dots = '\0';
        char *rest = dots + 2, *op = strpbrk(rest, "x*+");
        if (op) {
            geometric = *op != '+';
            stepstr = op + 1;
            *op = '\0';
        }
        if (parse_long(trim(item), &a) < 0 || parse_long(trim(rest), &b) < 0) {
            snprintf(why, len, "a range needs integer ends, as in 64..16384 x2 or 0..9 +3");
            return -1;
        }
        if (stepstr && parse_long(trim(stepstr), &step) < 0) {
            snprintf(why, len, "the step of a range must be an integer");
            return -1;
        }
        if (b < a) {
            snprintf(why, len, "range %ld..%ld runs backwards", a, b);
            return -1;
        }
        if (geometric && (step < 2 || a < 1)) {
            snprintf(why, len, "a geometric range needs a start >= 1 and a factor >= 2");
            return -1;
        }
        if (!geometric && step < 1) {
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
        if (k->flags & F_SWEPT)
            for (size_t i = 0; i < l->n; i++)
                if (l->v[i] == v) {
                    snprintf(why, len, "%ld appears twice", v);
                    return -1;
                }
        if (list_push(l, v) < 0) {
            snprintf(why, len, "the list is longer than %d values", MAX_LIST);
            return -1;
        }
        if (geometric ? v > LONG_MAX / step : v > LONG_MAX - step)
            break;
        v = geometric ? v * step : v + step;
    }
    return 0;
}

/* Parse a comma-separated list, appending to l. */
static int parse_list(const struct key *k, const char *text, lab_list *l,
                      char *why, size_t len)
{
    char *copy = strdup(text);
    if (!copy) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    int rc = 0;
    char *save = NULL, *item = strtok_r(copy, ",", &save);
    if (!item)
        snprintf(why, len, "the list is empty"), rc = -1;
    for (; item && rc == 0; item = strtok_r(NULL, ",", &save)) {
        item = trim(item);
        if (!*item) {
            snprintf(why, len, "empty item in the list");
            rc = -1;
        } else {
            rc = parse_list_item(k, item, l, why, len);
        }
    }
    free(copy);
    return rc;
}

/* "none", or a comma-separated list of forms taking one x column (n) or two
 * (n and the parameter count): the forms lab run can fit to its results. */
static int valid_forms(const char *s, int two)
{
    static const char *const one_x[] = { "hestness", "hestness:3", "bnsl", "exp" };
    static const char *const two_x[] = { "rosenfeld", "kaplan", "chinchilla" };
    if (strcmp(s, "none") == 0)
        return 1;
    char *copy = strdup(s), *save = NULL;
    int ok = copy != NULL && *s;
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; ok && tok;
         tok = strtok_r(NULL, ",", &save)) {
        tok = trim(tok);
        int found = 0;
        if (two) {
            for (size_t i = 0; i < sizeof two_x / sizeof *two_x; i++)
                found |= strcmp(tok, two_x[i]) == 0;
        } else {
            for (size_t i = 0; i < sizeof one_x / sizeof *one_x; i++)
                found |= strcmp(tok, one_x[i]) == 0;
            char *end;
            if (strncmp(tok, "bnsl:", 5) == 0) {
                long k = strtol(tok + 5, &end, 10);
                found |= end != tok + 5 && !*end && k >= 0 && k <= 8;
            }
        }
        ok = found;
    }
    free(copy);
    return ok;
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

/* Parse text into key k of c. On failure, fills why with "expected ..., got
 * ...". With append, a list value is added to the current list (a
 * continuation line) instead of replacing it. */
static int parse_value(lab_config *c, const struct key *k, const char *text,
                       int append, char *why, size_t len)
{
    char expect[128];
    void *p = field(c, k);
    switch (k->type) {
    case K_STRING: {
        if (strlen(text) > MAX_STRING) {
            snprintf(why, len, "expected at most %d characters, got %zu", MAX_STRING,
                     strlen(text));
            return -1;
        }
        if ((k->flags & (F_FORMS1 | F_FORMS2)) && !valid_forms(text, k->flags & F_FORMS2)) {
            snprintf(why, len, "expected none or a comma-separated list of %s, got \"%s\"",
                     (k->flags & F_FORMS2) ? "rosenfeld, kaplan, chinchilla"
                                           : "hestness, hestness:3, bnsl[:K], exp", text);
            return -1;
        }
        if ((k->flags & F_FOLDER) && !valid_folder_name(text)) {
            snprintf(why, len, "expected a name of letters, digits, '.', '_' or '-' "
                     "(not starting with '.'), got \"%s\"", text);
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
    case K_U64:
        if (parse_u64(text, p) < 0) {
            snprintf(why, len, "expected an integer in [0, 2^64), got \"%s\"", text);
            return -1;
        }
        return 0;
    case K_LONG: {
        long v;
        if (parse_long(text, &v) < 0 || !in_range(k, (double)v)) {
            describe(k, "an integer", expect, sizeof expect);
            snprintf(why, len, "expected %s, got \"%s\"", expect, text);
            return -1;
        }
        *(long *)p = v;
        return 0;
    }
    case K_DOUBLE: {
        double v;
        if (parse_double(text, &v) < 0 || !in_range(k, v)) {
            describe(k, "a number", expect, sizeof expect);
            snprintf(why, len, "expected %s, got \"%s\"", expect, text);
            return -1;
        }
        *(double *)p = v;
        return 0;
    }
    case K_ENUM: {
        int v = lab_name_index(text, k->choices, k->nchoices);
        if (v < 0) {
            int off = snprintf(why, len, "expected one of");
            for (int i = 0; i < k->nchoices && off > 0 && (size_t)off < len; i++)
                off += snprintf(why + off, len - (size_t)off, "%s %s",
                                i ? "," : "", k->choices[i]);
            if (off > 0 && (size_t)off < len)
                snprintf(why + off, len - (size_t)off, ", got \"%s\"", text);
            return -1;
        }
        *(int *)p = v;
        return 0;
    }
    case K_LIST: {
        lab_list fresh = { 0, NULL }, *l = p;
        lab_list *target = append ? l : &fresh;
        char reason[160];
        if (parse_list(k, text, target, reason, sizeof reason) < 0) {
            describe(k, "integers", expect, sizeof expect);
            snprintf(why, len, "expected a list of %s such as \"8, 16, 32\" or "
                     "\"64..16384 x2\": %s", expect, reason);
            if (!append)
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

/* ==== Defaults and release ================================================ */

int lab_config_init(lab_config *c)
{
    memset(c, 0, sizeof *c);
    char why[256];
    for (size_t i = 0; i < NKEYS; i++)
        if (parse_value(c, &keys[i], keys[i].def, 0, why, sizeof why) < 0)
            return LAB_ENOMEM; /* the defaults are valid: only memory can fail */
    return LAB_OK;
}

void lab_config_release(lab_config *c)
{
    for (size_t i = 0; i < NKEYS; i++) {
        void *p = field(c, &keys[i]);
        if (keys[i].type == K_STRING) {
            free(*(char **)p);
            *(char **)p = NULL;
        } else if (keys[i].type == K_LIST) {
            free(((lab_list *)p)->v);
            ((lab_list *)p)->v = NULL;
            ((lab_list *)p)->n = 0;
        }
    }
    free(c->source);
    c->source = NULL;
}

/* ==== Loading files ======================================================= */

static const struct key *find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static int known_section(const char *section)
{
    for (size_t i = 0; i < NSECTIONS; i++)
        if (strcmp(sections[i], section) == 0)
            return 1;
    return 0;
}

/* The state of one parse: inih calls our reader once per physical line, so
 * the reader knows the line the handler is looking at. */
struct parse_ctx {
    lab_config *c;
    const char *name;     /* file name for messages */
    FILE *file;           /* source: a file ... */
    const char *text;     /* ... or a string */
    int line;             /* current physical line */
    int continuation;     /* the current line starts with blank space */
    const struct key *last_key; /* the last key set */
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

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *x = user;
    char why[640];
    if (!*section) {
        ctx_fail(x, "%s: keys must follow a [section] header", name);
        return 0;
    }
    if (!known_section(section)) {
        char list[256];
        size_t off = 0;
        for (size_t i = 0; i < NSECTIONS && off < sizeof list; i++)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "",
                                    sections[i]);
        ctx_fail(x, "%s.%s: unknown section [%s] (sections: %s)", section, name, section, list);
        return 0;
    }
    const struct key *k = find_key(section, name);
    if (!k) {
        int off = snprintf(why, sizeof why, "unknown key; [%s] has", section);
        for (size_t i = 0; i < NKEYS; i++)
            if (strcmp(keys[i].section, section) == 0 && off > 0 && (size_t)off < sizeof why)
                off += snprintf(why + off, sizeof why - (size_t)off, " %s", keys[i].name);
        ctx_fail(x, "%s.%s: %s", section, name, why);
        return 0;
    }
    size_t idx = (size_t)(k - keys);
    char *v = strdup(value);
    if (!v) {
        ctx_fail(x, "%s.%s: %s", section, name, "out of memory");
        return 0;
    }
    strip_hash_comment(v);
    int append = 0;
    if (x->continuation && x->last_key == k && x->c->line[idx] > 0) {
        /* inih hands us an indented line as more of the key above it: only
         * lists take more, and only values, not "key = value". */
        if (k->type != K_LIST || strchr(v, '=')) {
            ctx_fail(x, "%s.%s: an indented line continues the key above; %s", section, name,
                     k->type != K_LIST ? "this key takes a single value"
                                       : "start a new key at the beginning of the line");
            free(v);
            return 0;
        }
        append = 1;
    } else if (x->c->line[idx] > 0) {
        snprintf(why, sizeof why, "set twice (first on line %d)", x->c->line[idx]);
        ctx_fail(x, "%s.%s: %s", section, name, why);
        free(v);
        return 0;
    }
    int rc = parse_value(x->c, k, v, append, why, sizeof why);
    free(v);
    if (rc < 0) {
        ctx_fail(x, "%s.%s: %s", section, name, why);
        return 0;
    }
    if (!append)
        x->c->line[idx] = x->line;
    x->last_key = k;
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
    if (rc == LAB_OK) {
        free(c->source);
        if (!(c->source = strdup(path)))
            return LAB_ENOMEM;
    }
    return rc;
}

int lab_config_load_string(lab_config *c, const char *text, const char *name,
                           char *err, size_t errlen)
{
    struct parse_ctx x = { .c = c, .name = name, .text = text, .err = err, .errlen = errlen };
    int rc = run_parse(&x);
    if (rc == LAB_OK) {
        free(c->source);
        if (!(c->source = strdup(name)))
            return LAB_ENOMEM;
    }
    return rc;
}

int lab_config_set(lab_config *c, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '='), *dot = strchr(assignment, '.');
    if (!eq || !dot || dot > eq)
        return lab_fail(err, errlen, LAB_ECONFIG,
                        "--set %s: expected section.key=value", assignment);
    char section[64], name[64];
    size_t ls = (size_t)(dot - assignment), ln = (size_t)(eq - dot - 1);
    if (ls >= sizeof section || ln >= sizeof name)
        return lab_fail(err, errlen, LAB_ECONFIG, "--set %s: unknown key", assignment);
    memcpy(section, assignment, ls);
    section[ls] = '\0';
    memcpy(name, dot + 1, ln);
    name[ln] = '\0';
    char *sec = trim(section), *nm = trim(name);
    const struct key *k = find_key(sec, nm);
    if (!k)
        return lab_fail(err, errlen, LAB_ECONFIG,
                        "--set %s: %s.%s: unknown key (lab show lists them all)",
                        assignment, sec, nm);
    char *v = strdup(eq + 1), why[640];
    if (!v)
        return LAB_ENOMEM;
    int rc = parse_value(c, k, trim(v), 0, why, sizeof why);
    free(v);
    if (rc < 0)
        return lab_fail(err, errlen, LAB_ECONFIG, "--set %s: %s.%s: %s",
                        assignment, sec, nm, why);
    c->line[k - keys] = -1;
    return LAB_OK;
}

/* ==== Whole-config checks ================================================== */

/* "file:line: key" or "--set key" for messages about a key already parsed. */
static void where(const lab_config *c, const char *section, const char *name,
                  char *buf, size_t len)
{
    const struct key *k = find_key(section, name);
    int line = k ? c->line[k - keys] : 0;
    if (line > 0)
        snprintf(buf, len, "%s:%d: %s.%s", c->source ? c->source : "config", line,
                 section, name);
    else if (line < 0)
        snprintf(buf, len, "--set %s.%s", section, name);
    else
        snprintf(buf, len, "%s: %s.%s (default)", c->source ? c->source : "config",
                 section, name);
}

int lab_config_finish(lab_config *c, char *err, size_t errlen)
{
    char at[512];
    double cells = (double)c->n.n * (double)c->width.n * (double)c->depth.n
                 * (double)c->seeds.n;
    if (cells > 1e6) {
        where(c, "sweep", "n", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG,
                        "%s: the sweep has %.0f cells; at most 1000000 are allowed", at, cells);
    }
    /* Inputs are held in memory: keep each set under 1e9 doubles (8 GB). */
    double test_doubles = (double)c->test_size * (double)c->input_dim;
    if (test_doubles > 1e9) {
        where(c, "data", "test_size", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG,
                        "%s: test_size x input_dim = %.0f values exceeds 1e9", at, test_doubles);
    }
    long nmax = 0;
    for (size_t i = 0; i < c->n.n; i++)
        nmax = c->n.v[i] > nmax ? c->n.v[i] : nmax;
    if ((double)nmax * (double)c->input_dim > 1e9) {
        where(c, "sweep", "n", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG,
                        "%s: n = %ld with input_dim = %ld makes %.0f input values; at most 1e9 "
                        "fit in memory", at, nmax, c->input_dim,
                        (double)nmax * (double)c->input_dim);
    }
    if (!*c->dir) {
        size_t len = strlen(c->name) + sizeof "runs/";
        char *dir = malloc(len);
        if (!dir)
            return LAB_ENOMEM;
        snprintf(dir, len, "runs/%s", c->name);
        free(c->dir);
        c->dir = dir;
    }
    return LAB_OK;
}

/* ==== Writing ============================================================= */

/* Shortest decimal that reads back to exactly v. */
static void format_double(double v, char *buf, size_t len)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* A list as a range when it is one ("64..16384 x2", "0..4", "1..9 +2"),
 * else comma-separated, wrapped onto indented lines to fit inih's lines. */
static void write_list(FILE *f, const lab_list *l)
{
    if (l->n >= 3) {
        long a = l->v[0], d = l->v[1] - a, r = a > 0 ? l->v[1] / a : 0;
        int arith = d >= 1, geom = r >= 2 && l->v[1] == a * r;
        for (size_t i = 2; i < l->n; i++) {
            arith = arith && l->v[i] - l->v[i - 1] == d;
            geom = geom && l->v[i] == l->v[i - 1] * r;
        }
        if (geom) {
            fprintf(f, "%ld..%ld x%ld\n", a, l->v[l->n - 1], r);
            return;
        }
        if (arith) {
            if (d == 1)
                fprintf(f, "%ld..%ld\n", a, l->v[l->n - 1]);
            else
                fprintf(f, "%ld..%ld +%ld\n", a, l->v[l->n - 1], d);
            return;
        }
    }
    /* The key takes up to 20 characters; keep every line well under inih's 198. */
    int col = 20;
    for (size_t i = 0; i < l->n; i++) {
        char num[32];
        int w = snprintf(num, sizeof num, "%ld", l->v[i]);
        if (i && col + w + 2 > 100) {
            fputs(",\n    ", f);
            col = 4;
        } else if (i) {
            fputs(", ", f);
            col += 2;
        }
        fputs(num, f);
        col += w;
    }
    fputc('\n', f);
}

static void write_value(FILE *f, const lab_config *c, const struct key *k)
{
    const void *p = cfield(c, k);
    char buf[64];
    switch (k->type) {
    case K_STRING:
        fprintf(f, "%s\n", *(char *const *)p);
        break;
    case K_U64:
        fprintf(f, "%" PRIu64 "\n", *(const uint64_t *)p);
        break;
    case K_LONG:
        fprintf(f, "%ld\n", *(const long *)p);
        break;
    case K_DOUBLE:
        format_double(*(const double *)p, buf, sizeof buf);
        fprintf(f, "%s\n", buf);
        break;
    case K_ENUM:
        fprintf(f, "%s\n", lab_name_of(*(const int *)p, k->choices, k->nchoices));
        break;
    case K_LIST:
        write_list(f, p);
        break;
    }
}

int lab_config_write(const lab_config *c, FILE *f, int results_only)
{
    const char *section = "";
    for (size_t i = 0; i < NKEYS; i++) {
        const struct key *k = &keys[i];
        if (results_only && (k->flags & F_COSMETIC))
            continue;
        if (strcmp(section, k->section) != 0) {
            fprintf(f, "%s[%s]\n", *section ? "\n" : "", k->section);
            section = k->section;
        }
        if (!results_only)
            fprintf(f, "# %s\n", k->doc);
        fprintf(f, "%s = ", k->name);
        write_value(f, c, k);
    }
    return ferror(f) ? LAB_EIO : LAB_OK;
}

/* The value of key k as written in a file, into buf. */
static void value_text(const lab_config *c, const struct key *k, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *m = fmemopen(buf, len, "w");
    if (!m)
        return;
    write_value(m, c, k);
    fclose(m);
    buf[strcspn(buf, "\n")] = '\0';
}

static int values_equal(const lab_config *a, const lab_config *b, const struct key *k)
{
    const void *pa = cfield(a, k), *pb = cfield(b, k);
    switch (k->type) {
    case K_STRING:
        return strcmp(*(char *const *)pa, *(char *const *)pb) == 0;
    case K_U64:
        return *(const uint64_t *)pa == *(const uint64_t *)pb;
    case K_LONG:
        return *(const long *)pa == *(const long *)pb;
    case K_DOUBLE:
        return *(const double *)pa == *(const double *)pb;
    case K_ENUM:
        return *(const int *)pa == *(const int *)pb;
    case K_LIST: {
        const lab_list *la = pa, *lb = pb;
        return la->n == lb->n && memcmp(la->v, lb->v, la->n * sizeof *la->v) == 0;
    }
    }
    return 0;
}

int lab_config_compare(const lab_config *a, const lab_config *b, char *msg, size_t len)
{
    char va[256], vb[256];
    for (size_t i = 0; i < NKEYS; i++) {
        if ((keys[i].flags & F_COSMETIC) || values_equal(a, b, &keys[i]))
            continue;
        value_text(a, &keys[i], va, sizeof va);
        value_text(b, &keys[i], vb, sizeof vb);
        snprintf(msg, len, "%s.%s is %s there and %s here", keys[i].section,
                 keys[i].name, va, vb);
        return 1;
    }
    return 0;
}
