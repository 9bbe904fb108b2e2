/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The commands: what `lab` subcommands share (cmd_common.c) and the
 * subcommands (cmd_*.c). Only these files and main.c print to the terminal
 * and pick exit codes; the rest of the command layer is a library
 * (liblabcli.a: fitting, fit_table, report, runfolder) that reports through
 * hooks and messages. Exit codes:
 *   0 success, 1 run-time failure, 2 usage or config error,
 *   130 interrupted (the run can be resumed). */
#ifndef LAB_CLI_H
#define LAB_CLI_H

#include <signal.h>

#include "config.h"

enum { LAB_EXIT_OK = 0, LAB_EXIT_FAIL = 1, LAB_EXIT_USAGE = 2, LAB_EXIT_INTERRUPTED = 130 };

/* Print "lab: <message>" to stderr. */
void lab_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The exit code for a library status. */
int lab_cli_exit_code(int status);

/* After getopt_long() refused an option of command cmd (it returned '?' or
 * ':'; options.h): say which and why, with the closest valid option.
 * Returns LAB_EXIT_USAGE. */
struct option;
int lab_cli_refused(const char *cmd, int opt, char **argv, const struct option *longopts);

/* Take the value of --set, "SECTION.KEY=VALUE", into sets[(*nsets)++]. One
 * without '=' is refused here, saying how to write it: for
 * `--set train.lr 0.1`, "did you mean --set train.lr=0.1?". getopt's optind
 * must still point after arg. Returns -1 to go on, else an exit code. */
int lab_cli_set_option(int argc, char **argv, char *arg, char **sets, int *nsets);

/* Load a config by name (a path, or a bare name looked up in the current
 * folder and then in experiments/), apply the --set overrides and finish it.
 * Prints the error and returns an exit code on failure, 0 on success; in
 * both cases c must be released with lab_config_release(). */
int lab_cli_load_config(lab_config *c, const char *name, char **sets, int nsets);

/* After option parsing: exactly one operand, the config, must remain in argv
 * (else usage goes to stderr); load it as lab_cli_load_config() does. */
int lab_cli_config_operand(lab_config *c, int argc, char **argv, const char *usage,
                           char **sets, int nsets);

/* Load RUNDIR/config.cfg, the resolved config of a run, with RUNDIR as its
 * folder (wherever it was run). Prints the error and returns an exit code
 * on failure; c must be released with lab_config_release() in both cases. */
int lab_cli_run_config(lab_config *c, const char *rundir);

/* Take the lock on dir/name (runfolder.h), saying so when it must wait for
 * another run first (with wait; else a busy lock is an error). Prints the
 * error and returns an exit code (LAB_EXIT_INTERRUPTED when *stop ended the
 * wait). */
int lab_cli_lock(const char *dir, const char *name, int wait, volatile sig_atomic_t *stop,
                 int *fd);

/* Catch SIGINT and SIGTERM: the flag returned is set when one comes, for
 * the command to stop at its next check and exit 130. */
volatile sig_atomic_t *lab_cli_catch_signals(void);

/* The report of a run folder (report.h), printing its warnings and error;
 * jobs: its worker processes (the theory of pruned data). Returns an exit
 * code. It stops (130) once a signal caught by lab_cli_catch_signals()
 * comes. */
int lab_cli_report(const char *rundir, const lab_config *c, int jobs);

/* The number of online cores, in [1, 1024]: the default of -j. */
int lab_cli_ncores(void);

/* The warnings of a merge (merge.h): shards of another build, rows
 * dropped (cmd_merge.c). */
struct lab_merge_report;
void lab_cli_merge_warnings(const struct lab_merge_report *mr);

/* Subcommands: each gets argv from its own name on. */
int lab_cmd_run(int argc, char **argv);
int lab_cmd_show(int argc, char **argv);
int lab_cmd_plot(int argc, char **argv);
int lab_cmd_fit(int argc, char **argv);
int lab_cmd_merge(int argc, char **argv);
int lab_cmd_decompose(int argc, char **argv);
int lab_cmd_theory(int argc, char **argv);
int lab_cmd_spectrum(int argc, char **argv);

#endif
