/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fit_table.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "forms.h"
#include "names.h"
#include "options.h"
#include "status.h"
#include "table.h"

/* Split "a,b,c" into a new array of new strings. */
static char **split_list(const char *text, size_t *n)
{
    size_t count = 1;
    for (const char *p = text; *p; p++)
        count += *p == ',';
    char **v = calloc(count + 1, sizeof *v), *copy = strdup(text), *save = NULL;
    *n = 0;
    if (!v || !copy) {
        free(v);
        free(copy);
        return NULL;
    }
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (!(v[(*n)++] = strdup(tok)))
            break;
    free(copy);
    return v;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static int parse_number(const char *opt, const char *text, double lo, double hi, double *v,
                        char *err, size_t errlen)
{
    char *end;
    *v = strtod(text, &end);
    if (end == text || *end || !(*v >= lo) || !(*v <= hi))
        return lab_fail(err, errlen, LAB_EINVAL, "%s %s: expected a number in [%g, %g]", opt,
                        text, lo, hi);
    return LAB_OK;
}

/* A whole number in [lo, hi], written in decimal digits. */
static int parse_count(const char *opt, const char *text, unsigned long long lo,
                       unsigned long long hi, unsigned long long *v, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    *v = strtoull(text, &end, 10);
    if (!isdigit((unsigned char)text[0]) || *end || errno || *v < lo || *v > hi)
        return lab_fail(err, errlen, LAB_EINVAL, "%s %s: expected a whole number in [%llu, %llu]",
                        opt, text, lo, hi);
    return LAB_OK;
}

/* Replace a list option's value by the list in text (opt names it in
 * messages); empty items are refused. */
static int set_list(const char *opt, char ***list, size_t *n, const char *text, char *err,
                    size_t errlen)
{
    free_list(*list, *n);
    *list = NULL;
    *n = 0;
    size_t len = strlen(text);
    if (!len || text[0] == ',' || text[len - 1] == ',' || strstr(text, ",,"))
        return lab_fail(err, errlen, LAB_EINVAL, "%s %s: expected a comma-separated list of "
                        "names, none of them empty", opt, text);
    *list = split_list(text, n);
    return *list ? LAB_OK : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
}

/* One option of `lab fit`. */
static int fit_option(lab_fit_options *o, int opt, const char *arg, int *nsplit, char *err,
                      size_t errlen)
{
    lab_fit_request *req = &o->req;
    unsigned long long u;
    double v;
    int rc = LAB_OK;
    switch (opt) {
    case 'F':
        return set_list("--form", &req->forms, &req->nforms, arg, err, errlen);
    case 'x':
        return set_list("--x", &req->x, &req->nx, arg, err, errlen);
    case 'g':
        return set_list("--group", &req->group, &req->ngroup, arg, err, errlen);
    case 'y':
        req->y = arg;
        return LAB_OK;
    case 'H':
        if (parse_number("--holdout", arg, 0, 1, &v, err, errlen) != LAB_OK || !(v < 1))
            return lab_fail(err, errlen, LAB_EINVAL, "--holdout %s: expected a fraction in "
                            "[0, 1) (0: none)", arg);
        /* 0 holds nothing out, as [fit] holdout = 0 does. */
        req->split = v > 0 ? LAB_SPLIT_FRACTION : LAB_SPLIT_NONE;
        req->split_value = v;
        (*nsplit)++;
        return LAB_OK;
    case 'f':
        rc = parse_number("--holdout-from", arg, -1e308, 1e308, &v, err, errlen);
        req->split = LAB_SPLIT_FROM;
        req->split_value = v;
        (*nsplit)++;
        return rc;
    case 'c':
        req->split = LAB_SPLIT_COLUMN;
        req->split_col = arg;
        (*nsplit)++;
        return LAB_OK;
    case 'l':
        return lab_loss_parse(arg, &req->loss, err, errlen);
    case 'b':
        rc = parse_count("--bootstrap", arg, 0, 1000000, &u, err, errlen);
        req->bootstrap = (size_t)u;
        return rc;
    case 'B':
        req->boot_by = arg;
        return LAB_OK;
    case 's':
        rc = parse_count("--seed", arg, 0, ULLONG_MAX, &u, err, errlen);
        req->seed = u;
        return rc;
    case 'X':
        req->fix[req->nfix++] = (char *)arg;
        return LAB_OK;
    case 'R':
        req->release[req->nrelease++] = (char *)arg;
        return LAB_OK;
    case 'S':
        req->starts[req->nstarts++] = (char *)arg;
        return LAB_OK;
    case 'r':
        if (strcmp(arg, "all") == 0) {
            req->refine = 0;
            return LAB_OK;
        }
        rc = parse_count("--refine", arg, 1, 1000000, &u, err, errlen);
        req->refine = (size_t)u;
        return rc;
    case 'I':
        rc = parse_count("--max-iter", arg, 1, 1000000, &u, err, errlen);
        req->max_iter = (size_t)u;
        return rc;
    case 'o':
        o->out = arg;
        return LAB_OK;
    case 'O':
        o->force = 1;
        return LAB_OK;
    case 'p': {
        int k = lab_name_index(arg, lab_plot_format_names, LAB_NPLOT);
        if (k < 0)
            return lab_fail(err, errlen, LAB_EINVAL, "--format %s: expected png, svg, pdf or "
                            "none", arg);
        req->format = (enum lab_plot_format)k;
        return LAB_OK;
    }
    case 'W':
        o->starts_path = arg;
        return LAB_OK;
    default:
        return lab_fail(err, errlen, LAB_EINVAL, "unknown option");
    }
}

int lab_fit_options_parse(int argc, char **argv, lab_fit_options *o, char *err, size_t errlen)
{
    static const struct option longopts[] = {
        { "form", required_argument, NULL, 'F' },
        { "x", required_argument, NULL, 'x' },
        { "y", required_argument, NULL, 'y' },
        { "group", required_argument, NULL, 'g' },
        { "holdout", required_argument, NULL, 'H' },
        { "holdout-from", required_argument, NULL, 'f' },
        { "split-col", required_argument, NULL, 'c' },
        { "loss", required_argument, NULL, 'l' },
        { "bootstrap", required_argument, NULL, 'b' },
        { "bootstrap-by", required_argument, NULL, 'B' },
        { "seed", required_argument, NULL, 's' },
        { "fix", required_argument, NULL, 'X' },
        { "release", required_argument, NULL, 'R' },
        { "start", required_argument, NULL, 'S' },
        { "refine", required_argument, NULL, 'r' },
        { "max-iter", required_argument, NULL, 'I' },
        { "out", required_argument, NULL, 'o' },
        { "force", no_argument, NULL, 'O' },
        { "format", required_argument, NULL, 'p' },
        { "save-starts", required_argument, NULL, 'W' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    memset(o, 0, sizeof *o);
    lab_fit_request *req = &o->req;
    req->loss = lab_loss_default(LAB_LOSS_LOG);
    req->refine = 16;
    req->seed = 1;
    req->format = LAB_PLOT_PNG;
    req->fix = calloc((size_t)argc + 1, sizeof *req->fix);
    req->release = calloc((size_t)argc + 1, sizeof *req->release);
    req->starts = calloc((size_t)argc + 1, sizeof *req->starts);
    if (!req->fix || !req->release || !req->starts)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    int opt, nsplit = 0, rc = LAB_OK;
    optind = 1;
    opterr = 0; /* our messages, not getopt's */
    while (rc == LAB_OK && (opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            o->help = 1;
            return LAB_OK;
        }
        if (opt == '?' || opt == ':') {
            char msg[512];
            lab_options_refused(opt, argv, longopts, msg, sizeof msg);
            rc = lab_fail(err, errlen, LAB_EINVAL, "%s", msg);
        }
        else
            rc = fit_option(o, opt, optarg, &nsplit, err, errlen);
    }
    if (rc != LAB_OK)
        return rc;
    if (optind != argc - 1)
        return lab_fail(err, errlen, LAB_EINVAL, "fit: expected one TABLE, got %d (lab fit "
                        "--help)", argc - optind);
    o->table = argv[optind];
    if (!req->forms)
        return lab_fail(err, errlen, LAB_EINVAL, "fit: --form is required (forms: %s)",
                        lab_form_list);
    if (nsplit > 1)
        return lab_fail(err, errlen, LAB_EINVAL,
                        "fit: give one of --holdout, --holdout-from and --split-col");
    return LAB_OK;
}

void lab_fit_options_release(lab_fit_options *o)
{
    lab_fit_request *req = &o->req;
    free_list(req->forms, req->nforms);
    free_list(req->x, req->nx);
    free_list(req->group, req->ngroup);
    free(req->fix);
    free(req->release);
    free(req->starts);
    memset(o, 0, sizeof *o);
}

char *lab_fit_out_dir(const lab_fit_options *o)
{
    if (o->out)
        return strdup(o->out);
    char *copy = strdup(o->table), *dir = copy ? lab_path_join(dirname(copy), "fit") : NULL;
    free(copy);
    return dir;
}

/* Skip the rows that have no value where the fits read a number (the y
 * column, or an x column of any form), saying how many (table.h). */
static int skip_missing(lab_table *t, const lab_fit_request *req, char *err, size_t errlen)
{
    size_t n = 0, cap = 1 + (req->x ? req->nx : req->nforms * LAB_FORM_MAXX);
    const char **cols = malloc(cap * sizeof *cols);
    if (!cols)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    cols[n++] = req->y ? req->y : "test_error";
    for (size_t i = 0; req->x && i < req->nx; i++)
        cols[n++] = req->x[i];
    for (size_t f = 0; !req->x && f < req->nforms; f++) {
        lab_form_info info;
        for (size_t i = 0; lab_form_lookup(req->forms[f], &info, NULL, 0) == LAB_OK
                           && i < info.nx; i++)
            cols[n++] = info.x[i];
    }
    char note[512];
    if (lab_table_drop_missing(t, cols, n, note, sizeof note) && req->note)
        req->note(req->ctx, note);
    free(cols);
    return LAB_OK;
}

/* Remove dir/name when it exists. */
static int discard(const char *dir, const char *name, char *err, size_t errlen)
{
    char *path = lab_path_join(dir, name);
    if (!path)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    int rc = remove(path) != 0 && errno != ENOENT
                 ? lab_fail(err, errlen, LAB_EIO, "cannot replace %s: %s", path, strerror(errno))
                 : LAB_OK;
    free(path);
    return rc;
}

/* Whether dir holds anything (-1 when it cannot be read). */
static int occupied(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    int any = 0;
    for (struct dirent *e; !any && (e = readdir(d));)
        any = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return any;
}

/* The output folder, made ready: created when missing; refused when it
 * holds anything, unless force, and then only what a fit writes is replaced
 * (the four tables and the fit figures), so no earlier fit's file stays
 * beside the new ones while the rest of the folder (a run's results and
 * figures) is left alone. */
static int prepare_out(const char *dir, int force, char *err, size_t errlen)
{
    int any = occupied(dir);
    if (any < 0)
        return lab_fail(err, errlen, LAB_EIO, "%s: %s", dir, strerror(errno));
    if (any && !force)
        return lab_fail(err, errlen, LAB_EINVAL, "%s is not empty: lab fit does not write over "
                        "what is there; give another --out, or --force to replace the fit "
                        "tables and fit figures in it", dir);
    static const char *const tables[] = {
        "fits.tsv", "diagnostics.tsv", "scores.tsv", "predictions.tsv"
    };
    int rc = LAB_OK;
    for (size_t i = 0; any && i < sizeof tables / sizeof *tables && rc == LAB_OK; i++)
        rc = discard(dir, tables[i], err, errlen);
    char *fdir = lab_path_join(dir, "figures");
    DIR *d = any && fdir ? opendir(fdir) : NULL;
    if (!fdir)
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    for (struct dirent *e; d && rc == LAB_OK && (e = readdir(d));)
        if (strncmp(e->d_name, "fit_", 4) == 0)
            rc = discard(fdir, e->d_name, err, errlen);
    if (d)
        closedir(d);
    free(fdir);
    return rc == LAB_OK ? lab_mkdirs(dir, err, errlen) : rc;
}

int lab_fit_table(lab_fit_options *o, lab_fitting **fs, char *err, size_t errlen)
{
    lab_fit_request *req = &o->req;
    lab_table *t = NULL;
    char *dir = lab_fit_out_dir(o), *figdir = dir ? lab_path_join(dir, "figures") : NULL;
    *fs = NULL;
    req->figdir = figdir;
    int rc = dir && figdir ? lab_table_read(o->table, &t, err, errlen)
                           : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK)
        rc = skip_missing(t, req, err, errlen);
    if (rc == LAB_OK)
        rc = prepare_out(dir, o->force, err, errlen);
    if (rc == LAB_OK && o->starts_path && !(req->starts_out = fopen(o->starts_path, "w")))
        rc = lab_fail(err, errlen, LAB_EIO, "%s: %s", o->starts_path, strerror(errno));
    /* Until here LAB_EIO is a table or folder that cannot be used (a usage
     * error); from here it is an output not written (a failure). */
    rc = rc == LAB_EIO ? LAB_EINVAL : rc;
    if (rc == LAB_OK && !(*fs = lab_fitting_alloc()))
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK)
        rc = lab_fitting_add(*fs, t, req, err, errlen);
    /* A figure not written leaves the tables to write; the message names
     * all that is missing. */
    if (rc == LAB_OK || rc == LAB_EIO) {
        char why[2048];
        int wrc = lab_fitting_write(*fs, dir, why, sizeof why);
        if (wrc != LAB_OK && rc == LAB_OK)
            rc = lab_fail(err, errlen, wrc, "%s", why);
        else if (wrc != LAB_OK) {
            size_t used = strlen(err);
            snprintf(err + used, errlen - used, "; %s", why);
        }
    }
    if (req->starts_out) {
        /* An earlier write may have failed with nothing left for fclose to
         * fail on. */
        int bad = ferror(req->starts_out), closed = fclose(req->starts_out) == 0;
        if ((!closed || bad) && rc == LAB_OK)
            rc = lab_fail(err, errlen, LAB_EIO, "%s: not written: %s", o->starts_path,
                          closed ? "a write failed" : strerror(errno));
    }
    req->starts_out = NULL;
    req->figdir = NULL;
    lab_table_free(t);
    free(dir);
    free(figdir);
    return rc;
}
