/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The config as a whole: defaults, copies, loading files and --set with
 * located errors, checks across keys, writing and comparing (config.h; the
 * keys, values and axes are in keys.c, values.c and axes.c). */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config_keys.h"
#include "forms.h"
#include "kind.h"
#include "status.h"
#include "text.h"

/* ==== Defaults, copies and release ========================================== */

void *lab_config_section(const lab_config *c, const lab_section *s)
{
    const lab_section *secs[LAB_CONFIG_MAXSECTIONS];
    size_t n = lab_keys_sections(secs);
    for (size_t i = 0; i < n; i++)
        if (secs[i] == s)
            return c->sections[i];
    return NULL;
}

int lab_config_init(lab_config *c)
{
    memset(c, 0, sizeof *c);
    const lab_section *secs[LAB_CONFIG_MAXSECTIONS];
    size_t ns = lab_keys_sections(secs);
    for (size_t s = 0; s < ns; s++)
        if (!(c->sections[s] = calloc(1, secs[s]->size ? secs[s]->size : 1)))
            return LAB_ENOMEM;
    struct lab_keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = lab_keys_all(all);
    char why[256];
    for (size_t i = 0; i < n; i++) {
        const lab_key *k = all[i].k;
        /* The defaults are valid: only memory can fail. */
        if (lab_value_parse(k, lab_keys_field(c, &all[i]), k->def, 0, why, sizeof why) < 0)
            return LAB_ENOMEM;
        /* The kinds' own always-axes are made by lab_config_finish(), once
         * the kind is known. */
        if ((k->flags & LAB_KEY_AXIS) && !(k->flags & LAB_KEY_QUIET) && all[i].sec < 0
            && lab_axes_set(c, k, k->def, 0, 0, why, sizeof why) < 0)
            return LAB_ENOMEM;
    }
    return LAB_OK;
}

void lab_config_release(lab_config *c)
{
    struct lab_keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = lab_keys_all(all);
    for (size_t i = 0; i < n; i++)
        if (all[i].sec < 0 || c->sections[all[i].sec])
            lab_value_release(all[i].k, lab_keys_field(c, &all[i]));
    for (size_t s = 0; s < LAB_CONFIG_MAXSECTIONS; s++) {
        free(c->sections[s]);
        c->sections[s] = NULL;
    }
    for (size_t a = 0; a < c->naxes; a++)
        lab_axis_free(&c->axes[a]);
    c->naxes = 0;
    free(c->source);
    c->source = NULL;
}

int lab_config_copy(lab_config *dst, const lab_config *src)
{
    const lab_section *secs[LAB_CONFIG_MAXSECTIONS];
    size_t ns = lab_keys_sections(secs);
    *dst = *src;
    /* Nothing of src is owned by dst until copied, so a failure half-way
     * can release dst safely. */
    for (size_t s = 0; s < LAB_CONFIG_MAXSECTIONS; s++)
        dst->sections[s] = NULL;
    for (size_t a = 0; a < dst->naxes; a++)
        dst->axes[a].n = 0, dst->axes[a].values = NULL, dst->axes[a].column = NULL;
    dst->source = NULL;
    struct lab_keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = lab_keys_all(all);
    int failed = 0;
    /* The common keys first: their values live in dst itself. */
    for (size_t i = 0; i < n && all[i].sec < 0; i++)
        failed |= lab_value_copy(all[i].k, lab_keys_field(dst, &all[i]));
    for (size_t s = 0; s < ns; s++) {
        if (!(dst->sections[s] = malloc(secs[s]->size ? secs[s]->size : 1))) {
            failed = 1;
            continue;
        }
        memcpy(dst->sections[s], src->sections[s], secs[s]->size);
    }
    for (size_t i = 0; i < n; i++) {
        if (all[i].sec < 0 || !dst->sections[all[i].sec])
            continue;
        failed |= lab_value_copy(all[i].k, lab_keys_field(dst, &all[i]));
    }
    for (size_t a = 0; a < src->naxes; a++) {
        char why[64];
        if (!(dst->axes[a].column = strdup(src->axes[a].column)))
            failed = 1;
        for (size_t v = 0; v < src->axes[a].n && !failed; v++)
            failed |= lab_axis_push(&dst->axes[a], src->axes[a].values[v], why, sizeof why) < 0;
    }
    if (src->source && !(dst->source = strdup(src->source)))
        failed = 1;
    if (failed) {
        /* Strings and lists not yet copied still point into src. */
        for (size_t i = 0; i < n; i++) {
            if (all[i].sec >= 0 && !dst->sections[all[i].sec])
                continue;
            void *p = lab_keys_field(dst, &all[i]);
            const void *q = lab_keys_cfield(src, &all[i]);
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
    int key_line;         /* the current line should reach the handler ... */
    int handled;          /* ... and did */
    int syntax_line;      /* a line inih refused (it never reached the handler) */
    char *err;
    size_t errlen;
    const lab_key *continued; /* an axis continued on indented lines ... */
    char continued_name[160]; /* ... as the file names it: checked at its end */
    int failed;           /* an error was recorded: parsing stops there */
    int fail_line;        /* its line */
};

/* Record the first error as "file:line: <message>". */
__attribute__((format(printf, 2, 3)))
static void ctx_fail(struct parse_ctx *x, const char *fmt, ...)
{
    if (x->failed)
        return;
    x->failed = 1;
    x->fail_line = x->line;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lab_fail(x->err, x->errlen, LAB_ECONFIG, "%s:%d: %s", x->name, x->line, msg);
}

/* Check the axis continued on the lines before (lab_axis_check) once it
 * ends, naming the line it starts on: nonzero when it holds a value twice. */
static int check_continued(struct parse_ctx *x)
{
    const lab_axis *a = x->continued ? lab_axes_find(x->c, x->continued) : NULL;
    char why[640];
    x->continued = NULL;
    if (!a || x->failed || lab_axis_check(a, why, sizeof why) == 0)
        return 0;
    int line = x->line;
    x->line = a->line;
    ctx_fail(x, "%s: %s", x->continued_name, why);
    x->line = line;
    return 1;
}

static char *reader(char *str, int num, void *stream)
{
    struct parse_ctx *x = stream;
    size_t cap = (size_t)num, n = 0;
    int ch = 0, toolong = 0, nul = 0;
    /* Stop at the first error, ours or inih's (a key line inih did not hand
     * to the handler, e.g. one without '='): what follows it is not read,
     * so the message is about the first mistake, not a later one. */
    if (x->key_line && !x->handled && !x->syntax_line)
        x->syntax_line = x->line;
    if (x->failed || x->syntax_line)
        return NULL;
    /* Read one physical line, keeping what fits in inih's buffer. */
    for (;;) {
        if (x->file) {
            ch = fgetc(x->file);
        } else {
            ch = *x->text ? (unsigned char)*x->text++ : EOF;
        }
        if (ch == EOF)
            break;
        nul |= ch == '\0'; /* inih would end the line there, silently */
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
    if (!x->continuation)
        check_continued(x);
    const char *first = str + strspn(str, " \t");
    if (*first == '[') /* a section line: what follows continues nothing */
        x->last_key = NULL;
    if (nul)
        ctx_fail(x, "a NUL byte (a binary or damaged file?)");
    /* inih skips a byte-order mark, blank lines and comments; a section
     * line may reach the handler or not (as a continuation): not checked. */
    const char *p = str;
    if (x->line == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (isspace((unsigned char)*p))
        p++;
    x->key_line = *p && !strchr(";#[", *p);
    x->handled = 0;
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

/* Append "; did you mean X?" (or "X or Y") for a mistyped section.name:
 * "section.key", or "sweep.section.key" with sweep (a [sweep] entry); the
 * sweep's own keys are "sweep.n". Nothing when no key is close. */
static void suggest_key(const char *section, const char *name, int sweep, lab_strbuf *b)
{
    const lab_key *keys[4];
    size_t n = lab_keys_suggest(section, name, keys, sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < n; i++) {
        int own = strcmp(keys[i]->section, "sweep") == 0;
        lab_strbuf_printf(b, "%s%s%s.%s", i ? " or " : "; did you mean ",
                          sweep && !own ? "sweep." : "", keys[i]->section, keys[i]->name);
    }
    if (n)
        lab_strbuf_puts(b, "?");
}

/* The key named by a [sweep] entry: "n", "seeds", or "section.key". */
static int sweep_key(const char *name, struct lab_keyref *ref, char *why, size_t len)
{
    const char *dot = strchr(name, '.');
    lab_strbuf hint = LAB_STRBUF_INIT;
    if (!dot) {
        if (lab_keys_find("sweep", name, ref))
            return 0;
        /* "sweep.nn" means n; "sweep.lr" means train.lr. */
        suggest_key("sweep", name, 1, &hint);
        if (hint.len)
            snprintf(why, len, "unknown key%s", hint.s);
        else
            snprintf(why, len, "unknown key; [sweep] has n, seeds, and section.key = values "
                     "for any key that changes results (e.g. train.lr)");
        lab_strbuf_release(&hint);
        return -1;
    }
    char section[64];
    size_t ls = (size_t)(dot - name);
    if (ls >= sizeof section || !lab_keys_find((memcpy(section, name, ls), section[ls] = '\0',
                                           section), dot + 1, ref)) {
        if (ls < sizeof section)
            suggest_key(section, dot + 1, 1, &hint);
        snprintf(why, len, "unknown key%s", hint.len ? lab_strbuf_str(&hint)
                                                     : " (lab show lists them all)");
        lab_strbuf_release(&hint);
        return -1;
    }
    return lab_axes_sweepable(ref->k, why, len) ? 0 : -1;
}

/* Whether text starts with "key =" for a key of section: an indented key
 * (a string value may hold '=' itself). */
static int names_key(const char *section, const char *text)
{
    const char *eq = strchr(text, '=');
    struct lab_keyref ref;
    if (!eq)
        return 0;
    char *name = strndup(text, (size_t)(eq - text));
    int found = name && lab_keys_find(section, lab_value_trim(name), &ref);
    free(name);
    return found;
}

/* An enum value that sets a companion key as well: "NAME+WORD:VALUE" is
 * NAME, with the number key section.key_WORD set to VALUE, so that
 * student.init = teacher+noise:0.01 reads as student.init = teacher and
 * student.init_noise = 0.01. Returns 1 and the companion in comp when text
 * has this form and the companion exists (else 0: text is parsed as it is). */
static int companion_of(const struct lab_keyref *ref, const char *text,
                        struct lab_keyref *comp)
{
    const char *plus = strchr(text, '+'), *colon = plus ? strchr(plus, ':') : NULL;
    char name[160];
    if (ref->k->type != LAB_KEY_ENUM || !colon)
        return 0;
    snprintf(name, sizeof name, "%s_%.*s", ref->k->name, (int)(colon - plus - 1), plus + 1);
    return lab_keys_find(ref->k->section, name, comp) && comp->k->type == LAB_KEY_DOUBLE;
}

/* Set both keys of such a value (companion_of()); -1 with why. */
static int set_companion(lab_config *c, const struct lab_keyref *ref,
                         const struct lab_keyref *comp, const char *text, char *why, size_t len)
{
    const char *plus = strchr(text, '+'), *colon = strchr(plus, ':');
    char name[160], reason[512];
    snprintf(name, sizeof name, "%.*s", (int)(plus - text), text);
    if (lab_value_parse(ref->k, lab_keys_field(c, ref), lab_value_trim(name), 0, why, len) < 0)
        return -1;
    if (lab_value_parse(comp->k, lab_keys_field(c, comp), colon + 1, 0, reason,
                        sizeof reason) < 0) {
        snprintf(why, len, "%s sets %s.%s: %s", text, comp->k->section, comp->k->name, reason);
        return -1;
    }
    return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *x = user;
    lab_config *c = x->c;
    char why[640];
    struct lab_keyref ref;
    x->handled = 1;
    if (x->failed)
        return 0;
    if (!*section) {
        ctx_fail(x, "%s: keys must follow a [section] header", name);
        return 0;
    }
    if (!lab_keys_known_section(section)) {
        const char *close = lab_keys_suggest_section(section);
        if (close) {
            ctx_fail(x, "%s.%s: unknown section [%s]; did you mean [%s]?", section, name,
                     section, close);
            return 0;
        }
        lab_strbuf list = LAB_STRBUF_INIT;
        size_t nsec;
        const char *const *common = lab_keys_common_sections(&nsec);
        lab_strbuf_join(&list, common, nsec, ", ");
        const lab_section *secs[LAB_CONFIG_MAXSECTIONS];
        size_t ns = lab_keys_sections(secs);
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
    } else if (!lab_keys_find(section, name, &ref)) {
        /* The closest key, else the section's keys. */
        lab_strbuf list = LAB_STRBUF_INIT;
        suggest_key(section, name, 0, &list);
        if (!list.len) {
            struct lab_keyref all[LAB_CONFIG_MAXKEYS];
            size_t n = lab_keys_all(all);
            lab_strbuf_printf(&list, "; [%s] has", section);
            for (size_t i = 0; i < n; i++)
                if (strcmp(all[i].k->section, section) == 0)
                    lab_strbuf_printf(&list, " %s", all[i].k->name);
        }
        ctx_fail(x, "%s.%s: unknown key%s", section, name, lab_strbuf_str(&list));
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
    lab_axis *a = lab_axes_find(c, k);
    int append = 0;
    if (x->continuation && x->last_key == k && x->last_axis == as_axis) {
        /* inih hands us an indented line as more of the key above it: only
         * lists and strings (a long path) take more, and only values, not
         * "key = value". */
        int takes_more = as_axis || k->type == LAB_KEY_LIST || k->type == LAB_KEY_STRING;
        int a_key = k->type == LAB_KEY_STRING ? names_key(section, v) : !!strchr(v, '=');
        if (!takes_more || a_key) {
            ctx_fail(x, "%s.%s: an indented line continues the key above; %s", section, name,
                     !takes_more ? "this key takes a single value"
                                 : "start a new key at the beginning of the line");
            free(v);
            return 0;
        }
        append = 1;
        if (as_axis) {
            x->continued = k;
            snprintf(x->continued_name, sizeof x->continued_name, "%s.%s", section, name);
        }
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
    struct lab_keyref comp;
    int companion = !as_axis && !append && !x->failed && companion_of(&ref, v, &comp);
    const lab_axis *ca = companion ? lab_axes_find(c, comp.k) : NULL;
    if (companion && c->line[comp.idx] > 0)
        ctx_fail(x, "%s.%s: %s sets %s.%s, set already on line %d", section, name, v,
                 comp.k->section, comp.k->name, c->line[comp.idx]);
    else if (ca && ca->line > 0)
        ctx_fail(x, "%s.%s: %s sets %s.%s, swept on line %d", section, name, v,
                 comp.k->section, comp.k->name, ca->line);
    if (x->failed) {
        free(v);
        return 0;
    }
    int rc = as_axis ? lab_axes_set(c, k, v, append, x->line, why, sizeof why)
             : companion ? set_companion(c, &ref, &comp, v, why, sizeof why)
                         : lab_value_parse(k, lab_keys_field(c, &ref), v, append, why, sizeof why);
    free(v);
    if (rc < 0) {
        ctx_fail(x, "%s.%s: %s", section, name, why);
        return 0;
    }
    if (!as_axis && !append)
        c->line[ref.idx] = x->line;
    if (companion)
        c->line[comp.idx] = x->line;
    x->last_key = k;
    x->last_axis = as_axis;
    return 1;
}

static int run_parse(struct parse_ctx *x)
{
    int rc = ini_parse_stream(reader, x, handler, x);
    /* inih's own first error (a section line without ']') may come before ours. */
    if (x->failed && !(rc > 0 && rc < x->fail_line))
        return LAB_ECONFIG;
    if (rc != 0) /* a syntax error inih found itself, e.g. a line without '=' */
        return lab_fail(x->err, x->errlen, LAB_ECONFIG,
                        "%s:%d: expected \"[section]\" or \"key = value\"", x->name, rc);
    return check_continued(x) ? LAB_ECONFIG : LAB_OK;
}

static int set_source(lab_config *c, const char *name)
{
    free(c->source);
    return (c->source = strdup(name)) ? LAB_OK : LAB_ENOMEM;
}

int lab_config_load(lab_config *c, const char *path, char *err, size_t errlen)
{
    /* Its name goes into the run folder's config.cfg, one line. */
    const char *bad = lab_text_control(path);
    if (bad) {
        char d[64];
        lab_text_describe(*bad, d, sizeof d);
        lab_strbuf b = LAB_STRBUF_INIT;
        lab_tsv_field_add(&b, path);
        int rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: a config file's name cannot hold %s, "
                          "at character %zu; rename the file", lab_strbuf_str(&b), d,
                          (size_t)(bad - path) + 1);
        lab_strbuf_release(&b);
        return rc;
    }
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

/* lab_config_set(), echo holding what its messages show of the assignment. */
static int set(lab_config *c, const char *assignment, lab_strbuf *echo, char *err,
               size_t errlen)
{
    const char *eq = strchr(assignment, '='), *dot = strchr(assignment, '.');
    if (!eq || !dot || dot > eq)
        return lab_fail(err, errlen, LAB_ECONFIG,
                        "--set %s: expected section.key=value", lab_text_shown(assignment, echo));
    char section[64], name[128], why[640];
    size_t ls = (size_t)(dot - assignment), ln = (size_t)(eq - dot - 1);
    if (ls >= sizeof section || ln >= sizeof name)
        return lab_fail(err, errlen, LAB_ECONFIG, "--set %s: unknown key",
                        lab_text_shown(assignment, echo));
    memcpy(section, assignment, ls);
    section[ls] = '\0';
    memcpy(name, dot + 1, ln);
    name[ln] = '\0';
    char *sec = lab_value_trim(section), *nm = lab_value_trim(name);
    struct lab_keyref ref;
    int swept = strcmp(sec, "sweep") == 0;
    if (swept ? sweep_key(nm, &ref, why, sizeof why) < 0 : !lab_keys_find(sec, nm, &ref)) {
        if (!swept) {
            lab_strbuf hint = LAB_STRBUF_INIT;
            suggest_key(sec, nm, 0, &hint);
            snprintf(why, sizeof why, "unknown key%s", hint.len ? lab_strbuf_str(&hint)
                                                                : " (lab show lists them all)");
            lab_strbuf_release(&hint);
        }
        return lab_fail(err, errlen, LAB_ECONFIG, "--set %s: %s.%s: %s",
                        lab_text_shown(assignment, echo), sec, nm, why);
    }
    char *v = strdup(eq + 1);
    if (!v)
        return LAB_ENOMEM;
    int as_axis = swept || (ref.k->flags & LAB_KEY_AXIS);
    struct lab_keyref comp;
    int companion = !as_axis && companion_of(&ref, lab_value_trim(v), &comp);
    int rc = as_axis ? lab_axes_set(c, ref.k, lab_value_trim(v), 0, -1, why, sizeof why)
             : companion ? set_companion(c, &ref, &comp, lab_value_trim(v), why, sizeof why)
                         : lab_value_parse(ref.k, lab_keys_field(c, &ref), lab_value_trim(v), 0,
                                           why, sizeof why);
    free(v);
    if (rc < 0)
        return lab_fail(err, errlen, LAB_ECONFIG, "--set %s: %s.%s: %s",
                        lab_text_shown(assignment, echo), sec, nm, why);
    if (!as_axis) {
        /* One value for a swept key ends its sweep. */
        lab_axes_remove(c, ref.k);
        c->line[ref.idx] = -1;
    }
    if (companion) {
        lab_axes_remove(c, comp.k);
        c->line[comp.idx] = -1;
    }
    return LAB_OK;
}

int lab_config_set(lab_config *c, const char *assignment, char *err, size_t errlen)
{
    lab_strbuf echo = LAB_STRBUF_INIT;
    int rc = set(c, assignment, &echo, err, errlen);
    lab_strbuf_release(&echo);
    return rc;
}

int lab_config_check_value(const char *section, const char *name, const char *value,
                           char *why, size_t len)
{
    struct lab_keyref ref;
    if (!lab_keys_find(section, name, &ref) || ref.k->type != LAB_KEY_STRING) {
        snprintf(why, len, "no string key %s.%s", section, name);
        return LAB_EINVAL;
    }
    char *scratch = NULL;
    int rc = lab_value_parse(ref.k, &scratch, value, 0, why, len);
    free(scratch);
    return rc == 0 ? LAB_OK : LAB_ECONFIG;
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
    struct lab_keyref ref;
    int found = lab_keys_find(section, name, &ref);
    assert(found);
    (void)found;
    const lab_axis *a = lab_axes_find(c, ref.k);
    where_line(c, ref.k, a ? a->line : c->line[ref.idx], buf, len);
}

void lab_config_where(const lab_config *c, const char *section, const char *name, char *buf,
                      size_t len)
{
    where(c, section, name, buf, len);
}

/* The largest value of an integer key over its axis (or its value). */
static double max_over_axis(const lab_config *c, const char *section, const char *name)
{
    struct lab_keyref ref;
    int found = lab_keys_find(section, name, &ref);
    assert(found && ref.k->type == LAB_KEY_LONG);
    (void)found;
    const lab_axis *a = lab_axes_find(c, ref.k);
    if (!a)
        return (double)*(const long *)lab_keys_cfield(c, &ref);
    double m = 0;
    for (size_t i = 0; i < a->n; i++)
        m = fmax(m, strtod(a->values[i], NULL));
    return m;
}

/* Whether name is a column that figures and fits can take as x or series:
 * an axis but the replicates, or a kind column that splits groups. With numeric,
 * the axis must hold numbers. */
static int is_curve_column(const lab_config *c, const char *name, int numeric)
{
    int found = 0;
    /* Not a replicate: figures and fits show statistics over them. */
    for (size_t a = 0; a < c->naxes && !found; a++) {
        enum lab_key_type t = c->axes[a].key->type;
        found = strcmp(c->axes[a].column, name) == 0
             && !lab_axis_is_replicate(&c->axes[a])
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

/* Whether name is a numeric kind column with one value per summary group
 * (e.g. params), which a figure's x can be divided by. */
static int is_per_column(const lab_config *c, const char *name)
{
    const lab_kind *kind = lab_config_kind(c);
    long col = lab_kind_column(kind, name);
    return col >= 0 && kind->columns[col].stat == LAB_STAT_SAME
        && kind->columns[col].type != LAB_COL_NAME;
}

/* plot.curves: "X:SERIES, ..." or "X, ..." naming numeric axes (X, or
 * X/COLUMN for X divided by a kind column such as params) and other axes or
 * key columns (SERIES). */
static int check_curves(const lab_config *c, char *err, size_t errlen)
{
    char at[512], *copy = strdup(c->curves), *save = NULL;
    int rc = copy ? LAB_OK : LAB_ENOMEM;
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && rc == LAB_OK;
         tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':'), *x = tok, *s = NULL;
        if (colon) {
            *colon = '\0';
            s = lab_value_trim(colon + 1);
        }
        x = lab_value_trim(x);
        char *slash = strchr(x, '/'), *per = NULL;
        if (slash) {
            *slash = '\0';
            per = lab_value_trim(slash + 1);
            x = lab_value_trim(x);
        }
        const char *bad = !is_curve_column(c, x, 1) ? x
                        : s && *s && !is_curve_column(c, s, 0) ? s : NULL;
        where(c, "plot", "curves", at, sizeof at);
        if (per && !is_per_column(c, per))
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: \"%s\" is not a numeric column of the "
                          "kind %s with one value per curve point (X/COLUMN divides an axis "
                          "by such a column, e.g. n/params)", at, per, lab_config_kind(c)->name);
        else if (bad)
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: \"%s\" is not an axis of this sweep%s "
                          "(X:SERIES names a numeric axis, then another axis; not a seed)",
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
            lab_form_lookup(lab_value_trim(tok), &info, at, sizeof at); /* checked when parsed */
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

/* Online training (train.online = true) draws n fresh samples in batches:
 * the steps follow from n and the batch, so a step budget other than the
 * default contradicts it, and a full batch has no size. When online is swept, the
 * budget is the offline cells'. online_axis: the axis of train.online, or
 * NULL. */
static int check_online(const lab_config *c, const lab_axis *online_axis, char *err,
                        size_t errlen)
{
    char at[512], at2[512];
    int any = c->online;
    for (size_t v = 0; online_axis && v < online_axis->n; v++)
        any |= strcmp(online_axis->values[v], "true") == 0;
    if (!any)
        return LAB_OK;
    struct lab_keyref steps, batch;
    lab_keys_find("train", "steps", &steps);
    lab_keys_find("train", "batch", &batch);
    const lab_axis *sa = lab_axes_find(c, steps.k), *ba = lab_axes_find(c, batch.k);
    /* At its default it is no budget (a written config.cfg holds it). */
    long def = 0;
    char why[128];
    lab_value_parse(steps.k, &def, steps.k->def, 0, why, sizeof why);
    if (!online_axis && (sa || c->steps != def)) {
        where(c, "train", "steps", at, sizeof at);
        where(c, "train", "online", at2, sizeof at2);
        return lab_fail(err, errlen, LAB_ECONFIG, "%s: with online training (%s = true) the "
                        "steps are n / batch: sweep.n counts the samples seen; remove "
                        "train.steps", at, at2);
    }
    int full = !ba && c->batch == 0;
    for (size_t v = 0; ba && v < ba->n; v++)
        full |= strcmp(ba->values[v], "0") == 0;
    if (full) {
        where(c, "train", "batch", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG, "%s: online training (train.online = true) "
                        "draws fresh mini-batches and needs a batch size > 0", at);
    }
    return LAB_OK;
}

/* Whether key section.name takes the value text (canonical) in some cell. */
static int some_cell_is(const lab_config *c, const char *section, const char *name,
                        const char *text)
{
    struct lab_keyref ref;
    int found = lab_keys_find(section, name, &ref);
    assert(found);
    (void)found;
    const lab_axis *a = lab_axes_find(c, ref.k);
    for (size_t i = 0; a && i < a->n; i++)
        if (strcmp(a->values[i], text) == 0)
            return 1;
    if (a)
        return 0;
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_value_canonical(ref.k, lab_keys_cfield(c, &ref), &b);
    int same = !b.failed && strcmp(lab_strbuf_str(&b), text) == 0;
    lab_strbuf_release(&b);
    return same;
}

/* Whether key section.name differs from its default in some cell (a
 * written config.cfg sets every key, most to their defaults). */
static int key_changed(const lab_config *c, const char *section, const char *name)
{
    struct lab_keyref ref;
    int found = lab_keys_find(section, name, &ref);
    assert(found);
    (void)found;
    union { char *s; uint64_t u; long l; double d; int e; lab_list list; } def;
    char why[256];
    memset(&def, 0, sizeof def);
    lab_strbuf b = LAB_STRBUF_INIT;
    if (lab_value_parse(ref.k, &def, ref.k->def, 0, why, sizeof why) == 0)
        lab_value_canonical(ref.k, &def, &b);
    lab_value_release(ref.k, &def);
    char *deftext = lab_strbuf_detach(&b);
    const lab_axis *a = lab_axes_find(c, ref.k);
    int changed = 0;
    for (size_t i = 0; deftext && a && i < a->n; i++)
        changed |= strcmp(a->values[i], deftext) != 0;
    if (deftext && !a)
        changed = !some_cell_is(c, section, name, deftext);
    free(deftext);
    lab_strbuf_release(&b);
    return changed;
}

/* The inputs' spectrum and band limit (THEORY.md section 10.1) filter
 * gaussian inputs drawn through problem.h: refuse what they cannot mean. */
static int check_inputs(const lab_config *c, char *err, size_t errlen)
{
    char at[512], at2[512];
    int limited = 0;
    struct lab_keyref bl;
    lab_keys_find("data", "bandlimit", &bl);
    const lab_axis *ba = lab_axes_find(c, bl.k);
    for (size_t i = 0; ba && i < ba->n; i++)
        limited |= strtol(ba->values[i], NULL, 10) >= 0;
    limited |= !ba && c->bandlimit >= 0;
    int powerlaw = some_cell_is(c, "data", "spectrum", "powerlaw");
    const char *filter = limited ? "bandlimit" : "spectrum";
    const lab_kind *kind = lab_config_kind(c);
    if (powerlaw && !kind->teacher && kind->band_inputs) {
        where(c, "data", "spectrum", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG, "%s: experiments of kind %s take white "
                        "band-limited inputs (data.bandlimit) but no power-law spectrum",
                        at, kind->name);
    }
    if ((limited || powerlaw) && !kind->teacher && !kind->band_inputs) {
        where(c, "data", filter, at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG, "%s: experiments of kind %s draw inputs of "
                        "their own; band-limited and power-law inputs are for kinds that draw "
                        "them through a teacher's problem (student, linear, error_sources; "
                        "perceptron takes white band-limited ones)", at, kind->name);
    }
    if ((limited || powerlaw) && some_cell_is(c, "data", "distribution", "uniform")) {
        where(c, "data", filter, at, sizeof at);
        where(c, "data", "distribution", at2, sizeof at2);
        return lab_fail(err, errlen, LAB_ECONFIG, "%s: band-limited and power-law inputs are "
                        "filtered gaussian inputs, and filtered uniform inputs would not be "
                        "uniform (%s = uniform): use gaussian", at, at2);
    }
    if (key_changed(c, "data", "spectrum_exponent") && !powerlaw) {
        where(c, "data", "spectrum_exponent", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG, "%s: the exponent of a power-law spectrum, "
                        "but data.spectrum is white in every cell", at);
    }
    if (key_changed(c, "data", "bandlimit_test") && !limited) {
        where(c, "data", "bandlimit_test", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG, "%s: whether test inputs are band-limited, "
                        "but no cell has a band limit (data.bandlimit = -1)", at);
    }
    return LAB_OK;
}

/* Whether a is a quiet axis holding its default alone (the default is
 * written canonically in the key table), which is no axis. */
static int quiet_default(const lab_axis *a)
{
    return (a->key->flags & LAB_KEY_QUIET) && a->n == 1 && strcmp(a->values[0], a->key->def) == 0;
}

int lab_config_finish(lab_config *c, char *err, size_t errlen)
{
    char at[512];
    const lab_kind *kind = lab_config_kind(c);
    struct lab_keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = lab_keys_all(all);
    /* Keys of another kind are mistakes; its always-swept keys are not axes
     * here, and this kind's are. */
    for (size_t i = 0; i < n; i++) {
        const lab_axis *a = lab_axes_find(c, all[i].k);
        int line = a && a->line ? a->line : c->line[all[i].idx];
        if (!lab_keys_active(c, &all[i]) && line) {
            where_line(c, all[i].k, line, at, sizeof at);
            return lab_fail(err, errlen, LAB_ECONFIG, "%s: this key is not used by experiments "
                            "of kind %s", at, kind->name);
        }
        if (!lab_keys_active(c, &all[i]))
            lab_axes_remove(c, all[i].k);
        else if ((all[i].k->flags & LAB_KEY_AXIS) && !(all[i].k->flags & LAB_KEY_QUIET) && !a) {
            char why[256];
            if (lab_axes_set(c, all[i].k, all[i].k->def, 0, 0, why, sizeof why) < 0)
                return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        } else if (a && quiet_default(a)) {
            /* A quiet axis at its default alone is no axis: the key keeps
             * its default value. */
            lab_axes_remove(c, all[i].k);
        }
    }
    /* Table order, now that the kind is known (axis_of() ranked them by the
     * kind of the moment). */
    for (size_t i = 1; i < c->naxes; i++)
        for (size_t j = i; j > 0 && lab_axes_rank(c, c->axes[j - 1].key)
                                        > lab_axes_rank(c, c->axes[j].key); j--) {
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
    /* Online training holds no training set: n only counts samples. */
    struct lab_keyref online;
    lab_keys_find("train", "online", &online);
    const lab_axis *online_axis = lab_axes_find(c, online.k);
    int online_only = c->online && !online_axis;
    double nmax = max_over_axis(c, "sweep", "n");
    if (nmax * dim > 1e9 && !online_only) {
        where(c, "sweep", "n", at, sizeof at);
        return lab_fail(err, errlen, LAB_ECONFIG,
                        "%s: n = %.0f with input_dim = %.0f makes %.0f input values; at most "
                        "1e9 fit in memory", at, nmax, dim, nmax * dim);
    }
    if (!*c->dir) {
        /* Set as output.dir itself would be, so that config.cfg, which
         * writes it, loads back: a name near the longest allowed makes a
         * folder longer than output.dir takes. */
        lab_strbuf b = LAB_STRBUF_INIT;
        struct lab_keyref dir;
        char why[512];
        lab_strbuf_printf(&b, "runs/%s", c->name);
        if (b.failed) {
            lab_strbuf_release(&b);
            return LAB_ENOMEM;
        }
        lab_keys_find("output", "dir", &dir);
        int rc = lab_value_parse(dir.k, lab_keys_field(c, &dir), lab_strbuf_str(&b), 0, why,
                                 sizeof why);
        lab_strbuf_release(&b);
        if (rc < 0) {
            where(c, "experiment", "name", at, sizeof at);
            return lab_fail(err, errlen, LAB_ECONFIG, "%s: the run folder runs/<name>: %s; "
                            "set output.dir", at, why);
        }
    }
    /* Learning curves run along the kind's data axis unless fit.x says. */
    struct lab_keyref fx;
    lab_keys_find("fit", "x", &fx);
    if (kind->data_axis && c->line[fx.idx] == 0) {
        char *s = strdup(kind->data_axis);
        if (!s)
            return LAB_ENOMEM;
        free(c->fit_x);
        c->fit_x = s;
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
    int rc = check_online(c, online_axis, err, errlen);
    if (rc == LAB_OK)
        rc = check_inputs(c, err, errlen);
    if (rc == LAB_OK)
        rc = check_curves(c, err, errlen);
    if (rc == LAB_OK)
        rc = check_fits(c, err, errlen);
    if (rc == LAB_OK && kind->check)
        rc = kind->check(c, err, errlen);
    return rc;
}

/* ==== Writing ============================================================= */

/* Integers as write_longs() writes them, on one line. */
static void write_longs(FILE *f, const long *v, size_t n)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_value_format_longs(&b, v, n, 1);
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
            if (lab_value_parse_ints(k, a->values[i], &l, why, sizeof why) == 0)
                lab_value_format_longs(&item, l.v, l.n, 0);
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

static void write_value(FILE *f, const lab_config *c, const struct lab_keyref *r)
{
    const void *p = lab_keys_cfield(c, r);
    if (r->k->type == LAB_KEY_LIST) {
        const lab_list *l = p;
        write_longs(f, l->v, l->n);
        return;
    }
    lab_strbuf b = LAB_STRBUF_INIT;
    if (r->k->type == LAB_KEY_STRING) /* a long one on continuation lines */
        lab_value_format_string(&b, *(char *const *)p);
    else
        lab_value_canonical(r->k, p, &b);
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
    struct lab_keyref ord[LAB_CONFIG_MAXKEYS];
    size_t n = lab_keys_ordered(c, ord);
    const char *section = "";
    for (size_t i = 0; i < n; i++) {
        const lab_key *k = ord[i].k;
        const lab_axis *a = lab_axes_find(c, k);
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
static void setting_text(const lab_config *c, const struct lab_keyref *r, lab_strbuf *b)
{
    const lab_axis *a = lab_axes_find(c, r->k);
    if (a && !quiet_default(a)) {
        lab_strbuf_puts(b, "swept over ");
        lab_strbuf_join(b, (const char *const *)a->values, a->n,
                        r->k->type == LAB_KEY_LIST ? " | " : ", ");
    } else {
        lab_value_canonical(r->k, lab_keys_cfield(c, r), b);
    }
}

int lab_config_compare(const lab_config *a, const lab_config *b, char *msg, size_t len)
{
    struct lab_keyref ord[LAB_CONFIG_MAXKEYS];
    size_t n = lab_keys_ordered(a, ord);
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

