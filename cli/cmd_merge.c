/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab merge RUNDIR: join the shards of a run into results.tsv and report. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "fileio.h"
#include "merge.h"
#include "runfolder.h"
#include "status.h"

static const char usage[] =
    "Usage: lab merge RUNDIR\n"
    "Join the shards of a run (RUNDIR/shards/K-of-N.tsv, from lab run --shard K/N)\n"
    "into RUNDIR/results.tsv, then write summary.tsv, the fits and figures/.\n"
    "A shard run with another config is refused (exit 2); missing cells are listed\n"
    "with their shards (exit 1; what is there is merged and reported).\n";

void lab_cli_merge_warnings(const lab_merge_report *mr)
{
    if (mr->build_note[0])
        lab_cli_error("warning: cells kept from a table written under another build or "
                      "environment (%s); provenance.json lists both", mr->build_note);
    if (mr->dropped)
        lab_cli_error("warning: dropped %zu rows of the shards' tables that were malformed or "
                      "belonged to unfinished cells%s%s", mr->dropped,
                      mr->bad_row[0] ? "; the first malformed: " : "", mr->bad_row);
}

int lab_cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int opt;
    optind = 1;
    opterr = 0; /* our messages, not getopt's */
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (opt != 'h')
            return lab_cli_refused("merge", opt, argv, longopts);
        fputs(usage, stdout);
        return LAB_EXIT_OK;
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return LAB_EXIT_USAGE;
    }
    const char *dir = argv[optind];
    char err[1024];
    lab_config c;
    int log = -1, code = lab_cli_run_config(&c, dir);
    if (code != LAB_EXIT_OK)
        goto done;
    /* A signal ends the wait for the lock, or the report (exit 130). */
    volatile sig_atomic_t *stop = lab_cli_catch_signals();
    if ((code = lab_cli_lock(dir, "run.log", 1, stop, &log)) != LAB_EXIT_OK)
        goto done;
    char which[1024];
    if (lab_runfolder_shard_running(dir, which, sizeof which))
        lab_cli_error("warning: a shard is still running (%s); the cells it finished so far "
                      "are merged", which);
    lab_merge_report mr;
    int rc = lab_merge_run(&c, dir, 0, &mr, err, sizeof err);
    if (rc != LAB_OK && rc != LAB_EMISSING) {
        lab_cli_error("%s", rc == LAB_ENOMEM ? "out of memory" : err);
        code = lab_cli_exit_code(rc);
        goto done;
    }
    lab_cli_merge_warnings(&mr);
    fprintf(stderr, "lab: %s: merged %zu shard files into %s/results.tsv: %zu of %zu cells\n",
            c.name, mr.files, dir, mr.have, mr.total);
    if (rc == LAB_EMISSING)
        lab_cli_error("%s", err);
    code = mr.have > 0 ? lab_cli_report(dir, &c, lab_cli_ncores()) : LAB_EXIT_OK;
    if (rc == LAB_EMISSING && code != LAB_EXIT_INTERRUPTED)
        code = LAB_EXIT_FAIL;
done:
    lab_runfolder_unlock(log);
    lab_config_release(&c);
    return code;
}
