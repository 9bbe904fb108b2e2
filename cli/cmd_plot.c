/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab plot RUNDIR: redo summary.tsv and figures/ from a run folder's table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "names.h"
#include "plot.h"
#include "runfolder.h"
#include "status.h"

static const char usage[] =
    "Usage: lab plot RUNDIR [--format png|svg|pdf|none] [-j N]\n"
    "Rewrite RUNDIR/summary.tsv and RUNDIR/figures/ from RUNDIR/results.tsv.\n"
    "  -j, --jobs N     worker processes for the theory of pruned perceptron data\n"
    "                   (default: the number of cores)\n"
    "Exit status: 0 done, 1 failure (or RUNDIR in use by another lab run, plot or fit),\n"
    "2 usage error or malformed table, 130 interrupted.\n";

int lab_cmd_plot(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'F' },
        { "jobs", required_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    /* A signal stops the report at its next check (exit 130). */
    volatile sig_atomic_t *stop = lab_cli_catch_signals();
    const char *format = NULL;
    int opt, jobs = lab_cli_ncores();
    char *end;
    optind = 1;
    opterr = 0; /* our messages, not getopt's */
    while ((opt = getopt_long(argc, argv, ":j:h", longopts, NULL)) != -1) {
        if (opt == 'F') {
            format = optarg;
        } else if (opt == 'j') {
            long j = strtol(optarg, &end, 10);
            if (*end || end == optarg || j < 1 || j > 1024) {
                lab_cli_error("-j %s: expected a number of jobs in [1, 1024]", optarg);
                return LAB_EXIT_USAGE;
            }
            jobs = (int)j;
        } else if (opt == 'h') {
            fputs(usage, stdout);
            return LAB_EXIT_OK;
        } else {
            return lab_cli_refused("plot", opt, argv, longopts);
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return LAB_EXIT_USAGE;
    }
    const char *dir = argv[optind];

    /* The run's own config gives the name and the default format. */
    lab_config c;
    int log = -1, code = lab_cli_run_config(&c, dir);
    if (code == LAB_EXIT_OK && format
        && (c.format = lab_name_index(format, lab_plot_format_names, LAB_NPLOT)) < 0) {
        lab_cli_error("--format %s: expected png, svg, pdf or none", format);
        code = LAB_EXIT_USAGE;
    }
    /* Not while a run writes the same files. */
    if (code == LAB_EXIT_OK)
        code = lab_cli_lock(dir, "run.log", 0, stop, &log);
    if (code == LAB_EXIT_OK)
        code = lab_cli_report(dir, &c, jobs);
    lab_runfolder_unlock(log);
    lab_config_release(&c);
    return code;
}
