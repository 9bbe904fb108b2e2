/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab: command dispatch only. The work is in the subcommands (cmd_*.c), which
 * call the simulation library (src/) and the analysis library (analysis/). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "blas.h"
#include "cli.h"
#include "provenance.h"
#include "suggest.h"

static const char usage[] =
    "Usage: lab COMMAND [ARGS]\n"
    "tslab: scaling laws in the noiseless, realizable teacher-student setting.\n"
    "\n"
    "Commands:\n"
    "  run CFG           run an experiment (resumable)\n"
    "  show CFG          print the resolved configuration with every default\n"
    "  plot RUNDIR       redo the summary and figures of a run folder\n"
    "  fit TABLE         fit scaling laws to a table\n"
    "  merge RUNDIR      join the shards of a run (lab run --shard K/N) and report\n"
    "  decompose RUNDIR  split an error_sources run's error into its sources\n"
    "  theory MODEL      exact learning curves of a model (perceptron) as a table\n"
    "  spectrum CFG      power spectra of the inputs and of the teacher along lines,\n"
    "                    and their effective bandwidths (or of a TABLE of inputs)\n"
    "\n"
    "`lab COMMAND --help` describes a command. CFG is a path, or a name looked up\n"
    "in the current folder, then in experiments/, then in the lab's own experiments.\n"
    "\n"
    "Options:\n"
    "  -h, --help    this help\n"
    "  --version     the version, and the libraries and BLAS of this build\n";

/* The commands, in the order of the usage. */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    { "run", lab_cmd_run },
    { "show", lab_cmd_show },
    { "plot", lab_cmd_plot },
    { "fit", lab_cmd_fit },
    { "merge", lab_cmd_merge },
    { "decompose", lab_cmd_decompose },
    { "theory", lab_cmd_theory },
    { "spectrum", lab_cmd_spectrum },
};

/* OpenBLAS starts its thread pool when it is loaded, before main(), unless
 * OPENBLAS_NUM_THREADS says 1; openblas_set_num_threads(1) later keeps every
 * product on the calling thread, but the idle pool still takes CPU time from
 * the other cells of a sweep. So the lab restarts itself once with the
 * variable set. If that fails it goes on: results are the same either way. */
static void restart_with_single_threaded_blas(char **argv)
{
    const char *v = getenv("OPENBLAS_NUM_THREADS"), *preload = getenv("LD_PRELOAD");
    if (v && strcmp(v, "1") == 0)
        return;
    /* Under valgrind the restarted process would run unchecked. */
    if (preload && strstr(preload, "vgpreload"))
        return;
    if (setenv("OPENBLAS_NUM_THREADS", "1", 1) == 0)
        execv("/proc/self/exe", argv);
}

/* What a command printed must have reached its file: a table or config
 * redirected to a full disk is a failure like any other output. */
static int stdout_written(int code)
{
    int bad = ferror(stdout), flushed = fflush(stdout) == 0;
    if (flushed && !bad)
        return code;
    lab_cli_error("standard output: not written: %s", flushed ? "a write failed"
                                                               : strerror(errno));
    return code == LAB_EXIT_OK ? LAB_EXIT_FAIL : code;
}

int main(int argc, char **argv)
{
    restart_with_single_threaded_blas(argv);
    /* GSL's default handler aborts; the lab checks every status itself. */
    gsl_set_error_handler_off();
    /* One single-threaded BLAS per process: reproducible and fastest at MLP
     * sizes (sweeps run one process per core). */
    lab_blas_single_thread();

    if (argc < 2) {
        fputs(usage, stderr);
        return LAB_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return stdout_written(LAB_EXIT_OK);
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("lab (tslab) %s\n", lab_version());
        lab_provenance_write(stdout);
        return stdout_written(LAB_EXIT_OK);
    }
    lab_suggest close;
    lab_suggest_init(&close, cmd);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(cmd, commands[i].name) == 0)
            return stdout_written(commands[i].run(argc - 1, argv + 1));
        lab_suggest_add(&close, commands[i].name);
    }
    if (close.best)
        lab_cli_error("%s: unknown command; did you mean %s? (lab --help lists them)", cmd,
                      close.best);
    else
        lab_cli_error("%s: unknown command (lab --help lists them)", cmd);
    return LAB_EXIT_USAGE;
}
