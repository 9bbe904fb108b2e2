/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab fit TABLE: fit scaling laws to any table of learning curves. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fileio.h"
#include "fitting.h"
#include "forms.h"
#include "names.h"
#include "status.h"
#include "table.h"

static const char usage[] =
    "Usage: lab fit TABLE --form FORM[,FORM...] [options]\n"
    "Fit scaling laws to a TSV or CSV table with a header row. Several forms make a\n"
    "tournament, ranked by their error on the held-out points.\n"
    "\n"
    "  --form FORM[,FORM...]  hestness, hestness:3, rosenfeld, rosenfeld-prune, bnsl[:K],\n"
    "                         kaplan, chinchilla, exp\n"
    "  --x COL[,COL...]       x columns in the form's order (default: n; rosenfeld n,params;\n"
    "                         kaplan and chinchilla params,n; rosenfeld-prune d,eps_np)\n"
    "  --y COL                y column (default: test_error)\n"
    "  --group COL[,COL...]   fit each value (or combination) of these columns apart\n"
    "  --holdout FRAC         hold out the largest FRAC of the distinct first-x values\n"
    "  --holdout-from X       hold out the points whose first x is at least X\n"
    "  --split-col COL        hold out the rows whose COL is not \"fit\"\n"
    "  --loss LOSS            log (default), rel, huber[:DELTA] (1e-3), asym[:LAMBDA] (10)\n"
    "  --bootstrap B          B bootstrap refits: 95% intervals and bands (default 0)\n"
    "  --bootstrap-by COL     resample whole sets of rows sharing COL (e.g. seed)\n"
    "  --seed S               seed of the bootstrap (default 1)\n"
    "  --fix NAME=VALUE       hold a parameter fixed (repeatable)\n"
    "  --release NAME         fit a parameter fixed by default (eps0; repeatable)\n"
    "  --start NAME=V1,V2,..  the start grid of a parameter (repeatable)\n"
    "  --refine N|all         refine the N best starts (default 16), or every start\n"
    "  --out DIR              output folder (default: the table's folder)\n"
    "  --format FMT           figures: png (default), svg, pdf or none\n"
    "  --save-starts FILE     write the starts refined by each fit (group, form, k,\n"
    "                         parameters), to rerun them with another fitter\n"
    "\n"
    "Rows with a status column other than \"ok\" are left out. Writes DIR/fits.tsv,\n"
    "diagnostics.tsv, scores.tsv, predictions.tsv and DIR/figures/fit_FORM.*.\n";

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

static int parse_number(const char *opt, const char *text, double lo, double hi, double *v)
{
    char *end;
    *v = strtod(text, &end);
    if (end == text || *end || !(*v >= lo) || !(*v <= hi)) {
        lab_cli_error("%s %s: expected a number in [%g, %g]", opt, text, lo, hi);
        return -1;
    }
    return 0;
}

/* A whole number in [lo, hi], written in decimal digits. */
static int parse_count(const char *opt, const char *text, unsigned long long lo,
                       unsigned long long hi, unsigned long long *v)
{
    char *end;
    errno = 0;
    *v = strtoull(text, &end, 10);
    if (!isdigit((unsigned char)text[0]) || *end || errno || *v < lo || *v > hi) {
        lab_cli_error("%s %s: expected a whole number in [%llu, %llu]", opt, text, lo, hi);
        return -1;
    }
    return 0;
}

int lab_cmd_fit(int argc, char **argv)
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
        { "out", required_argument, NULL, 'o' },
        { "format", required_argument, NULL, 'p' },
        { "save-starts", required_argument, NULL, 'W' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    lab_fit_request req = { .loss = { LAB_LOSS_LOG, 0 }, .refine = 16, .seed = 1,
                            .format = LAB_PLOT_PNG, .print = 1 };
    char **fix = calloc((size_t)argc, sizeof *fix), **release = calloc((size_t)argc, sizeof *release);
    char **starts = calloc((size_t)argc, sizeof *starts), err[1024];
    const char *out = NULL, *starts_path = NULL;
    int code = -1, opt, nsplit = 0;
    double v;
    unsigned long long u;
    if (!fix || !release || !starts)
        code = LAB_EXIT_FAIL;
    req.fix = fix;
    req.release = release;
    req.starts = starts;
    optind = 1;
    while (code < 0 && (opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'F':
            free_list(req.forms, req.nforms);
            req.forms = split_list(optarg, &req.nforms);
            break;
        case 'x':
            free_list(req.x, req.nx);
            req.x = split_list(optarg, &req.nx);
            break;
        case 'y':
            req.y = optarg;
            break;
        case 'g':
            free_list(req.group, req.ngroup);
            req.group = split_list(optarg, &req.ngroup);
            break;
        case 'H':
            if (parse_number("--holdout", optarg, 0, 1, &v) != 0 || !(v > 0 && v < 1)) {
                lab_cli_error("--holdout %s: expected a fraction in (0, 1)", optarg);
                code = LAB_EXIT_USAGE;
            }
            req.split = LAB_SPLIT_FRACTION;
            req.split_value = v;
            nsplit++;
            break;
        case 'f':
            if (parse_number("--holdout-from", optarg, -1e308, 1e308, &v) != 0)
                code = LAB_EXIT_USAGE;
            req.split = LAB_SPLIT_FROM;
            req.split_value = v;
            nsplit++;
            break;
        case 'c':
            req.split = LAB_SPLIT_COLUMN;
            req.split_col = optarg;
            nsplit++;
            break;
        case 'l':
            if (lab_loss_parse(optarg, &req.loss, err, sizeof err) != LAB_OK) {
                lab_cli_error("%s", err);
                code = LAB_EXIT_USAGE;
            }
            break;
        case 'b':
            if (parse_count("--bootstrap", optarg, 0, 1000000, &u) != 0)
                code = LAB_EXIT_USAGE;
            req.bootstrap = (size_t)u;
            break;
        case 'B':
            req.boot_by = optarg;
            break;
        case 's':
            if (parse_count("--seed", optarg, 0, ULLONG_MAX, &u) != 0)
                code = LAB_EXIT_USAGE;
            req.seed = u;
            break;
        case 'X':
            fix[req.nfix++] = optarg;
            break;
        case 'R':
            release[req.nrelease++] = optarg;
            break;
        case 'S':
            starts[req.nstarts++] = optarg;
            break;
        case 'r':
            if (strcmp(optarg, "all") == 0)
                req.refine = 0;
            else if (parse_count("--refine", optarg, 1, 1000000, &u) == 0)
                req.refine = (size_t)u;
            else
                code = LAB_EXIT_USAGE;
            break;
        case 'o':
            out = optarg;
            break;
        case 'p': {
            int k = lab_name_index(optarg, lab_plot_format_names, LAB_NPLOT);
            if (k < 0) {
                lab_cli_error("--format %s: expected png, svg, pdf or none", optarg);
                code = LAB_EXIT_USAGE;
            }
            req.format = (enum lab_plot_format)k;
            break;
        }
        case 'W':
            starts_path = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            code = LAB_EXIT_OK;
            break;
        default:
            fputs(usage, stderr);
            code = LAB_EXIT_USAGE;
            break;
        }
    }
    if (code < 0 && (optind != argc - 1 || !req.forms)) {
        if (optind == argc - 1)
            lab_cli_error("fit: --form is required (forms: %s)", lab_form_list);
        else
            fputs(usage, stderr);
        code = LAB_EXIT_USAGE;
    }
    if (code < 0 && nsplit > 1) {
        lab_cli_error("fit: give one of --holdout, --holdout-from and --split-col");
        code = LAB_EXIT_USAGE;
    }

    lab_table *t = NULL;
    lab_fitting *fs = NULL;
    char *dir = NULL, *figdir = NULL;
    if (code < 0) {
        const char *path = argv[optind];
        char *copy = strdup(path);
        dir = out ? strdup(out) : copy ? strdup(dirname(copy)) : NULL;
        free(copy);
        figdir = dir ? lab_path_join(dir, "figures") : NULL;
        req.figdir = figdir;
        int rc = !dir || !figdir ? LAB_ENOMEM : lab_table_read(path, &t, err, sizeof err);
        if (rc == LAB_OK)
            rc = lab_mkdirs(dir, err, sizeof err);
        if (rc == LAB_OK && starts_path && !(req.starts_out = fopen(starts_path, "w")))
            rc = lab_fail(err, sizeof err, LAB_EIO, "%s: %s", starts_path, strerror(errno));
        if (rc == LAB_OK && !(fs = lab_fitting_alloc()))
            rc = lab_fail(err, sizeof err, LAB_ENOMEM, "out of memory");
        if (rc == LAB_OK)
            rc = lab_fitting_add(fs, t, &req, err, sizeof err);
        if (rc == LAB_OK)
            rc = lab_fitting_write(fs, dir, err, sizeof err);
        if (rc == LAB_OK) {
            lab_fitting_print_ranking(fs, stdout);
            fprintf(stderr, "lab: fits in %s/ (fits.tsv, diagnostics.tsv, scores.tsv, "
                    "predictions.tsv, figures/)\n", dir);
            code = lab_fitting_failures(fs) ? LAB_EXIT_FAIL : LAB_EXIT_OK;
        } else {
            lab_cli_error("%s", rc == LAB_ENOMEM ? "out of memory" : err);
            code = rc == LAB_EINVAL || rc == LAB_EFORMAT || rc == LAB_EIO ? LAB_EXIT_USAGE
                                                                         : LAB_EXIT_FAIL;
        }
    }
    if (req.starts_out && fclose(req.starts_out) != 0 && code == LAB_EXIT_OK) {
        lab_cli_error("%s: %s", starts_path, strerror(errno));
        code = LAB_EXIT_FAIL;
    }
    lab_fitting_free(fs);
    lab_table_free(t);
    free(dir);
    free(figdir);
    free_list(req.forms, req.nforms);
    free_list(req.x, req.nx);
    free_list(req.group, req.ngroup);
    free(fix);
    free(release);
    free(starts);
    return code;
}
