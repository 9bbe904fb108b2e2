/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: `lab fit`'s options (cli/fit_table.c), then the checks of
 * the request that run before any fit (cli/fitting.c: forms, columns,
 * --fix, --release and --start), on a one-row table whose cells are 0, so
 * that reading the first point stops it before anything is fitted.
 *
 * The input is the argument list, one argument a line ("fit" comes first
 * by itself). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "fit_table.h"
#include "fitting.h"
#include "fuzz.h"
#include "status.h"
#include "table.h"

#define MAXARGS 256

/* getopt may keep its place in the argument list of the call before (inside a
 * cluster of short options, say): a fresh start for each input. */
static void reset_getopt(void)
{
    static char *none[] = { "fit", NULL };
    static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
    optind = 0;
    opterr = 0;
    while (getopt_long(1, none, ":", longopts, NULL) != -1)
        ;
}

/* Add name to the table's columns unless it has it. */
static void add_column(char **names, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(names[i], name) == 0)
            return;
    names[(*n)++] = (char *)name;
}

/* The checks of a request, on one row of zeros with every column it names. */
static void request(lab_fit_options *o)
{
    lab_fit_request *req = &o->req;
    static const char *const fixed[] = { "n", "params", "d", "eps_np", "test_error", "status" };
    char *names[MAXARGS + 8], *cells[MAXARGS + 8];
    size_t n = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        add_column(names, &n, fixed[i]);
    for (size_t i = 0; i < req->nx; i++)
        add_column(names, &n, req->x[i]);
    for (size_t i = 0; i < req->ngroup; i++)
        add_column(names, &n, req->group[i]);
    if (req->y)
        add_column(names, &n, req->y);
    if (req->split_col)
        add_column(names, &n, req->split_col);
    if (req->boot_by)
        add_column(names, &n, req->boot_by);
    for (size_t i = 0; i < n; i++)
        cells[i] = strcmp(names[i], "status") == 0 ? "ok" : "0";
    long line = 2;
    lab_table t = { "fuzz.tsv", n, 1, names, cells, &line };
    req->format = LAB_PLOT_NONE;
    lab_fitting *fs = lab_fitting_alloc();
    char err[1024];
    fuzz_check(fs != NULL, "lab_fitting_alloc");
    int rc = lab_fitting_add(fs, &t, req, err, sizeof err);
    fuzz_check(rc != LAB_OK, "a row of zeros is refused");
    lab_fitting_free(fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = strdup(fuzz_string(data, size)), *argv[MAXARGS + 2];
    fuzz_check(text != NULL, "strdup");
    int argc = 0;
    argv[argc++] = "fit";
    /* Empty arguments count: strtok would skip them. */
    for (char *p = text; *p && argc < MAXARGS;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        argv[argc++] = p;
        if (!nl)
            break;
        p = nl + 1;
    }
    argv[argc] = NULL;
    reset_getopt();
    lab_fit_options o;
    char err[1024];
    int rc = lab_fit_options_parse(argc, argv, &o, err, sizeof err);
    fuzz_check(rc == LAB_OK || rc == LAB_EINVAL, "a bad option is LAB_EINVAL");
    if (rc == LAB_OK && !o.help) {
        fuzz_check(o.table && o.req.nforms > 0, "a table and forms");
        free(lab_fit_out_dir(&o));
        request(&o);
    }
    lab_fit_options_release(&o);
    free(text);
    return 0;
}
