/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <configure.h>

#include "provenance.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>
#include <gsl/gsl_version.h>
#include <jansson.h>

#include "act.h"
#include "blas.h"
#include "fileio.h"
#include "git-version.h"
#include "kind.h"
#include "results.h"
#include "status.h"
#include "strbuf.h"

/* The version of this file's format, and of the stream rule (THEORY.md
 * section 7): results of one rule are reproduced bit for bit by every later
 * build that keeps it. */
#define LAB_PROVENANCE_FORMAT 1
#define LAB_STREAM_RULE 2

#if defined __GNUC__ && !defined __clang__
#define LAB_COMPILER "gcc " __VERSION__
#elif defined __VERSION__
#define LAB_COMPILER __VERSION__
#else
#define LAB_COMPILER "an unknown compiler"
#endif

/* How cells run: part of the environment a result depends on. */
#define LAB_CELLS "one single-threaded cell per worker process"

const char *lab_version(void)
{
    return PACKAGE_VERSION;
}

const char *lab_git_describe(void)
{
    return LAB_GIT_DESCRIBE;
}

void lab_provenance_write(FILE *f)
{
    char blas[512], vecmath[128];
    const char *core = getenv("OPENBLAS_CORETYPE");
    const char *threads = getenv("OPENBLAS_NUM_THREADS");
    fprintf(f, "# lab %s (git %s), built with %s\n", lab_version(), lab_git_describe(),
            LAB_COMPILER);
    fprintf(f, "# blas: %s\n", lab_blas_describe(blas, sizeof blas));
    fprintf(f, "# OPENBLAS_CORETYPE=%s OPENBLAS_NUM_THREADS=%s; " LAB_CELLS "\n",
            core ? core : "(unset)", threads ? threads : "(unset)");
    fprintf(f, "# gsl %s; %s; inih %s; vector maths %s\n", gsl_version, fftw_version,
            LAB_INIH_VERSION, lab_act_describe(vecmath, sizeof vecmath));
}

/* ==== Building the document =================================================== */

struct lab_provenance {
    const lab_config *c;
    json_t *doc;
};

/* A JSON string of s. JSON text is UTF-8: should s not be (a name typed in
 * another encoding), its other bytes are written as '?'. NULL when out of
 * memory. */
static json_t *text(const char *s)
{
    json_t *v = json_string(s);
    if (v)
        return v;
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    for (char *q = copy; *q; q++)
        if ((unsigned char)*q >= 0x80)
            *q = '?';
    v = json_string(copy);
    free(copy);
    return v;
}

/* The value of an environment variable, or null when it is unset. */
static json_t *env(const char *name)
{
    const char *v = getenv(name);
    return v ? text(v) : json_null();
}

/* o[key] = v, taking v; counts failures (v NULL when out of memory) in *bad. */
static void put(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!v || json_object_set_new(o, key, v) != 0)
        (*bad)++;
}

/* a += v, taking v. */
static void push(json_t *a, json_t *v, int *bad)
{
    if (!v || json_array_append_new(a, v) != 0)
        (*bad)++;
}

static json_t *build_object(int *bad)
{
    char blas[512], vecmath[128];
    json_t *b = json_object();
    if (!b) {
        (*bad)++;
        return NULL;
    }
    put(b, "lab", text(lab_version()), bad);
    put(b, "git", text(lab_git_describe()), bad);
    put(b, "compiler", text(LAB_COMPILER), bad);
    put(b, "blas", text(lab_blas_describe(blas, sizeof blas)), bad);
    put(b, "OPENBLAS_CORETYPE", env("OPENBLAS_CORETYPE"), bad);
    put(b, "OPENBLAS_NUM_THREADS", env("OPENBLAS_NUM_THREADS"), bad);
    put(b, "cells", text(LAB_CELLS), bad);
    put(b, "gsl", text(gsl_version), bad);
    put(b, "fftw", text(fftw_version), bad);
    put(b, "inih", text(LAB_INIH_VERSION), bad);
    put(b, "vector_maths", text(lab_act_describe(vecmath, sizeof vecmath)), bad);
    return b;
}

static json_t *experiment_object(const lab_config *c, int *bad)
{
    const lab_kind *kind = lab_config_kind(c);
    json_t *e = json_object();
    if (!e) {
        (*bad)++;
        return NULL;
    }
    put(e, "name", text(c->name), bad);
    put(e, "kind", text(kind->name), bad);
    put(e, "cell", text(kind->doc), bad);
    /* A JSON integer holds 63 bits; a larger seed is written as text. */
    _Static_assert(sizeof(json_int_t) >= sizeof(int64_t), "jansson has 64-bit integers");
    if (c->seed <= (uint64_t)INT64_MAX) {
        put(e, "seed", json_integer((json_int_t)c->seed), bad);
    } else {
        char s[32];
        snprintf(s, sizeof s, "%llu", (unsigned long long)c->seed);
        put(e, "seed", text(s), bad);
    }
    return e;
}

/* The axes, each with its column and values as the table writes them; the
 * replicates also as numbers in seeds. */
static void put_axes(json_t *doc, const lab_config *c, int *bad)
{
    json_t *axes = json_array(), *seeds = json_array();
    const lab_axis *seed = lab_config_axis(c, "seed");
    for (size_t a = 0; axes && a < c->naxes; a++) {
        json_t *axis = json_object(), *values = json_array();
        for (size_t v = 0; values && v < c->axes[a].n; v++)
            push(values, text(c->axes[a].values[v]), bad);
        if (axis) {
            put(axis, "column", text(lab_axis_column(&c->axes[a])), bad);
            put(axis, "values", values, bad);
        } else {
            json_decref(values);
        }
        push(axes, axis, bad);
    }
    for (size_t v = 0; seeds && seed && v < seed->n; v++)
        push(seeds, json_integer(strtoll(seed->values[v], NULL, 10)), bad);
    put(doc, "axes", axes, bad);
    put(doc, "seeds", seeds, bad);
}

/* The keys that change results, one INI line each. */
static json_t *config_lines(const lab_config *c, int *bad)
{
    char *ini = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&ini, &len);
    json_t *lines = json_array();
    if (!f || !lines || lab_config_write(c, f, 1) != LAB_OK) {
        (*bad)++;
        if (f)
            fclose(f);
        free(ini);
        return lines;
    }
    fclose(f);
    for (char *line = ini, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        push(lines, text(line), bad);
    }
    free(ini);
    return lines;
}

lab_provenance *lab_provenance_alloc(const lab_config *c)
{
    lab_provenance *p = calloc(1, sizeof *p);
    json_t *doc = json_object(), *columns = json_array();
    int bad = !p || !doc || !columns;
    if (!bad) {
        lab_strbuf header = LAB_STRBUF_INIT;
        put(doc, "tslab_provenance", json_integer(LAB_PROVENANCE_FORMAT), &bad);
        put(doc, "experiment", experiment_object(c, &bad), &bad);
        /* The header row of the table, split (results.h). */
        lab_results_header(c, &header);
        for (const char *s = lab_strbuf_str(&header); !header.failed && *s;) {
            size_t n = strcspn(s, "\t");
            push(columns, json_stringn(s, n), &bad);
            s += n + (s[n] == '\t');
        }
        bad += header.failed;
        lab_strbuf_release(&header);
        put(doc, "columns", columns, &bad);
        columns = NULL;
        put_axes(doc, c, &bad);
        put(doc, "stream_rule", json_integer(LAB_STREAM_RULE), &bad);
        put(doc, "config", config_lines(c, &bad), &bad);
        put(doc, "build", build_object(&bad), &bad);
    }
    json_decref(columns);
    if (bad) {
        json_decref(doc);
        free(p);
        return NULL;
    }
    p->c = c;
    p->doc = doc;
    return p;
}

void lab_provenance_free(lab_provenance *p)
{
    if (!p)
        return;
    json_decref(p->doc);
    free(p);
}

char *lab_provenance_path(const char *table)
{
    const char *slash = strrchr(table, '/'), *base = slash ? slash + 1 : table;
    size_t n = strlen(table);
    lab_strbuf b = LAB_STRBUF_INIT;
    if (strcmp(base, "results.tsv") == 0)
        lab_strbuf_printf(&b, "%.*sprovenance.json", (int)(base - table), table);
    else if (n > 4 && strcmp(table + n - 4, ".tsv") == 0)
        lab_strbuf_printf(&b, "%.*s.json", (int)(n - 4), table);
    else
        lab_strbuf_printf(&b, "%s.json", table);
    return lab_strbuf_detach(&b);
}

/* ==== Checking a table's provenance ============================================ */

/* What the start of a table says: whether it exists, opens with a "#" line
 * (an older lab's header), and has a row after its first line. */
struct table_start {
    int exists, hash, rows;
};

static int table_start(const char *path, struct table_start *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? LAB_OK
                               : lab_fail(err, errlen, LAB_EIO, "%s: %s", path, strerror(errno));
    s->exists = 1;
    int ch = fgetc(f), past_first = 0;
    s->hash = ch == '#';
    for (; ch != EOF && !s->rows; ch = fgetc(f)) {
        s->rows = past_first;
        past_first |= ch == '\n';
    }
    fclose(f);
    return LAB_OK;
}

/* A value for messages: a string as it is, anything else as JSON. */
static void describe(const json_t *v, char *buf, size_t len)
{
    if (json_is_string(v)) {
        snprintf(buf, len, "%s", json_string_value(v));
        return;
    }
    char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    snprintf(buf, len, "%s", s ? s : "(none)");
    free(s);
}

/* The first key where two builds differ, as "git was X, now Y". */
static void build_note(const json_t *old, const json_t *now, char *note, size_t len)
{
    const char *key;
    json_t *v;
    char was[200], is[200];
    json_object_foreach((json_t *)now, key, v) {
        const json_t *o = json_object_get(old, key);
        if (!o || !json_equal(o, v)) {
            describe(o, was, sizeof was);
            describe(v, is, sizeof is);
            snprintf(note, len, "%s was %s, now %s", key, was, is);
            return;
        }
    }
    snprintf(note, len, "the builds differ");
}

/* Add build b to p's other builds unless it is p's own or listed already. */
static int add_other_build(lab_provenance *p, json_t *b)
{
    if (!json_is_object(b) || json_equal(b, json_object_get(p->doc, "build")))
        return LAB_OK;
    json_t *others = json_object_get(p->doc, "other_builds");
    if (!others) {
        if (!(others = json_array()) || json_object_set_new(p->doc, "other_builds", others))
            return LAB_ENOMEM;
    }
    size_t i;
    json_t *o;
    json_array_foreach(others, i, o)
        if (json_equal(o, b))
            return LAB_OK;
    return json_array_append(others, b) == 0 ? LAB_OK : LAB_ENOMEM;
}

/* The stream rule and the config of an earlier table against p's. */
static int check_decisive(const lab_provenance *p, const json_t *old, const char *path,
                          char *err, size_t errlen)
{
    json_int_t rule = json_integer_value(json_object_get(old, "stream_rule"));
    if (rule != LAB_STREAM_RULE)
        return lab_fail(err, errlen, LAB_ECONFLICT, "its cells follow stream rule %lld, this "
                        "lab's follow rule %d (THEORY.md section 7)", (long long)rule,
                        LAB_STREAM_RULE);
    const json_t *lines = json_object_get(old, "config");
    lab_strbuf ini = LAB_STRBUF_INIT;
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line)
        lab_strbuf_printf(&ini, "%s\n", json_is_string(line) ? json_string_value(line) : "");
    if (ini.failed) {
        lab_strbuf_release(&ini);
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    }
    lab_config then;
    char msg[700];
    int rc = lab_config_init(&then);
    if (rc == LAB_OK)
        rc = lab_config_load_string(&then, lab_strbuf_str(&ini), path, msg, sizeof msg);
    if (rc == LAB_ENOMEM)
        rc = lab_fail(err, errlen, rc, "out of memory");
    else if (rc != LAB_OK)
        rc = lab_fail(err, errlen, LAB_ECONFLICT, "its config cannot be read by this lab (%s)",
                      msg);
    else if (lab_config_compare(&then, p->c, msg, sizeof msg))
        rc = lab_fail(err, errlen, LAB_ECONFLICT, "%s", msg);
    lab_config_release(&then);
    lab_strbuf_release(&ini);
    return rc;
}

int lab_provenance_check(lab_provenance *p, const char *table, char *note, size_t notelen,
                         char *err, size_t errlen)
{
    note[0] = '\0';
    struct table_start start;
    int rc = table_start(table, &start, err, errlen);
    if (rc != LAB_OK || !start.exists)
        return rc;
    char *path = lab_provenance_path(table);
    if (!path)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    json_error_t je;
    json_t *old = NULL;
    FILE *f = fopen(path, "rb");
    if (!f && errno != ENOENT) {
        rc = lab_fail(err, errlen, LAB_EIO, "%s: %s", path, strerror(errno));
    } else if (!f && start.hash) {
        rc = lab_fail(err, errlen, LAB_EFORMAT, "%s was written by an older lab, which kept "
                      "the provenance in \"#\" lines at the top of the table", table);
    } else if (!f) {
        rc = lab_fail(err, errlen, LAB_EFORMAT, "%s has no provenance file %s: its build and "
                      "stream rule are unknown", table, path);
    } else if (!(old = json_loadf(f, JSON_REJECT_DUPLICATES, &je))) {
        rc = lab_fail(err, errlen, LAB_EFORMAT, "%s:%d:%d: %s", path, je.line, je.column,
                      je.text);
    } else if (json_integer_value(json_object_get(old, "tslab_provenance"))
               != LAB_PROVENANCE_FORMAT || !json_is_array(json_object_get(old, "config"))) {
        rc = lab_fail(err, errlen, LAB_EFORMAT, "%s: not a provenance file of this lab (format "
                      "%d)", path, LAB_PROVENANCE_FORMAT);
    } else {
        rc = check_decisive(p, old, path, err, errlen);
    }
    if (f)
        fclose(f);
    const json_t *build = json_object_get(old, "build"), *others;
    if (rc == LAB_OK && start.rows && !json_equal(build, json_object_get(p->doc, "build"))) {
        build_note(build, json_object_get(p->doc, "build"), note, notelen);
        rc = add_other_build(p, (json_t *)build);
    }
    if (rc == LAB_OK && start.rows && (others = json_object_get(old, "other_builds"))) {
        size_t i;
        json_t *b;
        json_array_foreach(others, i, b)
            if (rc == LAB_OK)
                rc = add_other_build(p, b);
    }
    if (rc == LAB_ENOMEM)
        lab_fail(err, errlen, rc, "out of memory");
    json_decref(old);
    free(path);
    return rc;
}

int lab_provenance_save(const lab_provenance *p, const char *path, char *err, size_t errlen)
{
    char *s = json_dumps(p->doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!s)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    lab_atomic a;
    int rc = lab_atomic_open(&a, path, err, errlen);
    if (rc == LAB_OK) {
        fputs(s, a.f);
        fputc('\n', a.f);
        rc = lab_atomic_commit(&a, err, errlen);
    }
    free(s);
    return rc;
}
