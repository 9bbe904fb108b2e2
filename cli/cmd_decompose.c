/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab decompose RUNDIR: the error decomposition of an error_sources run
 * (decomposition.h), also written by that run's report. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "decomposition.h"
#include "fileio.h"
#include "kind.h"
#include "runfolder.h"
#include "status.h"
#include "table.h"

static const char usage[] =
    "Usage: lab decompose RUNDIR\n"
    "Split the test error of an error_sources run (RUNDIR/results.tsv) into noise,\n"
    "realizability, uncertainty and learning deficiency (THEORY.md section 5): per\n"
    "student shape and n, the mean over seeds with 95% bootstrap intervals\n"
    "(fit.bootstrap resamples of the seeds), the parts summing to the measured error.\n"
    "Writes RUNDIR/decomposition.tsv, RUNDIR/decomposition_exponents.tsv (each part's\n"
    "log-log slope along n, and whether it is a power law) and the figures\n"
    "decomposition and decomposition_shares. The run's report writes them too.\n"
    "Exit status: 0 done, 1 failure (or RUNDIR in use by another lab command),\n"
    "2 usage error, not an error_sources run, or malformed table, 130 interrupted.\n";

int lab_cmd_decompose(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    volatile sig_atomic_t *stop = lab_cli_catch_signals();
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(usage, stdout);
            return LAB_EXIT_OK;
        }
        return lab_cli_refused("decompose", opt, argv, longopts);
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return LAB_EXIT_USAGE;
    }
    const char *dir = argv[optind];
    lab_config c;
    int log = -1, code = lab_cli_run_config(&c, dir);
    if (code == LAB_EXIT_OK && !lab_config_kind(&c)->decompose) {
        lab_cli_error("%s: a run of the kind %s; lab decompose reads runs of the kind "
                      "error_sources", dir, lab_config_kind(&c)->name);
        code = LAB_EXIT_USAGE;
    }
    if (code == LAB_EXIT_OK)
        code = lab_cli_lock(dir, "run.log", 0, stop, &log);
    lab_table *t = NULL;
    char err[1024], info[2048], warning[1024];
    char *results = code == LAB_EXIT_OK ? lab_path_join(dir, "results.tsv") : NULL;
    if (code == LAB_EXIT_OK) {
        int rc = results ? lab_table_read(results, &t, err, sizeof err)
                         : lab_fail(err, sizeof err, LAB_ENOMEM, "out of memory");
        if (rc == LAB_OK)
            rc = lab_decomposition_report(dir, &c, t, stop, info, sizeof info, warning,
                                          sizeof warning, err, sizeof err);
        if (rc == LAB_OK) {
            if (warning[0])
                lab_cli_error("warning: %s", warning);
            if (info[0])
                fprintf(stderr, "lab: %s\n", info);
            fprintf(stderr, "lab: decomposition in %s/decomposition.tsv\n", dir);
        } else {
            lab_cli_error("%s", err);
            code = lab_cli_exit_code(rc);
        }
    }
    lab_table_free(t);
    free(results);
    lab_runfolder_unlock(log);
    lab_config_release(&c);
    return code;
}
