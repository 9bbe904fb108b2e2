/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <configure.h>

#include "cli.h"

#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <unistd.h>

#include "datadir.h"
#include "fileio.h"
#include "options.h"
#include "report.h"
#include "runfolder.h"
#include "status.h"
#include "strbuf.h"

void lab_cli_error(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("lab: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int lab_cli_exit_code(int status)
{
    switch (status) {
    case LAB_OK:
        return LAB_EXIT_OK;
    case LAB_ECONFIG:
    case LAB_ECONFLICT:
    case LAB_EINVAL:
    case LAB_EFORMAT:
        return LAB_EXIT_USAGE;
    case LAB_EINTERRUPTED:
        return LAB_EXIT_INTERRUPTED;
    default:
        return LAB_EXIT_FAIL;
    }
}

/* ---- options ---------------------------------------------------------------- */

int lab_cli_refused(const char *cmd, int opt, char **argv, const struct option *longopts)
{
    char msg[512];
    lab_options_refused(opt, argv, longopts, msg, sizeof msg);
    lab_cli_error("%s (lab %s --help lists the options)", msg, cmd);
    return LAB_EXIT_USAGE;
}

int lab_cli_set_option(int argc, char **argv, char *arg, char **sets, int *nsets)
{
    if (strchr(arg, '=')) {
        sets[(*nsets)++] = arg;
        return -1;
    }
    /* The value given as the next argument: getopt has not reached it yet.
     * A number may be negative. */
    const char *next = optind < argc ? argv[optind] : NULL;
    if (next && (next[0] != '-' || isdigit((unsigned char)next[1]) || next[1] == '.'))
        lab_cli_error("--set %s: expected SECTION.KEY=VALUE as one argument; did you mean "
                      "--set %s=%s?", arg, arg, next);
    else
        lab_cli_error("--set %s: expected SECTION.KEY=VALUE (e.g. --set train.lr=0.01)", arg);
    return LAB_EXIT_USAGE;
}

/* ---- finding configs ----------------------------------------------------- */

static int readable(const char *path)
{
    return access(path, R_OK) == 0;
}

/* Try dir/name and dir/name.cfg; on success return a new string. */
static char *try_dir(const char *dir, const char *name)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    if (dir)
        lab_strbuf_printf(&b, "%s/", dir);
    lab_strbuf_puts(&b, name);
    if (!b.failed && readable(b.s))
        return lab_strbuf_detach(&b);
    size_t len = strlen(name);
    if (len < 4 || strcmp(name + len - 4, ".cfg") != 0) {
        lab_strbuf_puts(&b, ".cfg");
        if (!b.failed && readable(b.s))
            return lab_strbuf_detach(&b);
    }
    lab_strbuf_release(&b);
    return NULL;
}

static char *find_config(const char *name)
{
    if (strchr(name, '/'))
        return readable(name) ? strdup(name) : NULL;
    const char *dirs[] = { NULL, "experiments", lab_datadir_path(LAB_DATADIR_EXPERIMENTS) };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char *p = try_dir(dirs[i], name);
        if (p)
            return p;
    }
    return NULL;
}

int lab_cli_load_config(lab_config *c, const char *name, char **sets, int nsets)
{
    char err[1024];
    if (lab_config_init(c) != LAB_OK) {
        lab_cli_error("out of memory");
        return LAB_EXIT_FAIL;
    }
    char *path = find_config(name);
    if (!path) {
        lab_cli_error("%s: no such config (looked in the current folder, in experiments/ "
                      "and in the lab's own %s)", name,
                      lab_datadir_path(LAB_DATADIR_EXPERIMENTS));
        return LAB_EXIT_USAGE;
    }
    int rc = lab_config_load(c, path, err, sizeof err);
    for (int i = 0; i < nsets && rc == LAB_OK; i++)
        rc = lab_config_set(c, sets[i], err, sizeof err);
    if (rc == LAB_OK)
        rc = lab_config_finish(c, err, sizeof err);
    free(path);
    if (rc != LAB_OK) {
        lab_cli_error("%s", rc == LAB_ENOMEM ? "out of memory" : err);
        return rc == LAB_EIO ? LAB_EXIT_USAGE : lab_cli_exit_code(rc);
    }
    return LAB_EXIT_OK;
}

int lab_cli_config_operand(lab_config *c, int argc, char **argv, const char *usage,
                           char **sets, int nsets)
{
    if (optind != argc - 1) {
        if (lab_config_init(c) != LAB_OK)
            return LAB_EXIT_FAIL;
        fputs(usage, stderr);
        return LAB_EXIT_USAGE;
    }
    return lab_cli_load_config(c, argv[optind], sets, nsets);
}

int lab_cli_run_config(lab_config *c, const char *rundir)
{
    char err[1024];
    int rc = lab_config_init(c);
    char *path = lab_path_join(rundir, "config.cfg");
    if (rc == LAB_OK)
        rc = path ? lab_config_load(c, path, err, sizeof err) : LAB_ENOMEM;
    free(path);
    if (rc == LAB_OK) {
        char *dir = strdup(rundir);
        rc = dir ? LAB_OK : LAB_ENOMEM;
        if (dir) {
            free(c->dir);
            c->dir = dir;
        }
    }
    if (rc == LAB_OK)
        rc = lab_config_finish(c, err, sizeof err);
    if (rc != LAB_OK) {
        lab_cli_error("%s: not a run folder (%s)", rundir,
                      rc == LAB_ENOMEM ? "out of memory" : err);
        return rc == LAB_ENOMEM ? LAB_EXIT_FAIL : LAB_EXIT_USAGE;
    }
    return LAB_EXIT_OK;
}

int lab_cli_lock(const char *dir, const char *name, int wait, volatile sig_atomic_t *stop,
                 int *fd)
{
    char err[1024];
    int rc = lab_runfolder_lock(dir, name, 0, stop, fd, err, sizeof err);
    if (rc == LAB_EBUSY && wait) {
        fprintf(stderr, "lab: waiting for %s/%s: another lab run or merge holds it\n", dir,
                name);
        rc = lab_runfolder_lock(dir, name, 1, stop, fd, err, sizeof err);
    }
    if (rc == LAB_OK)
        return LAB_EXIT_OK;
    lab_cli_error("%s", err);
    return rc == LAB_EINTERRUPTED ? LAB_EXIT_INTERRUPTED : LAB_EXIT_FAIL;
}

/* ---- signals ------------------------------------------------------------- */

/* Set by SIGINT/SIGTERM once lab_cli_catch_signals() was called. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

volatile sig_atomic_t *lab_cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &stop_requested;
}

/* ---- reports ------------------------------------------------------------- */

static void print_warning(void *ctx, const char *message)
{
    (void)ctx;
    lab_cli_error("warning: %s", message);
}

static void print_info(void *ctx, const char *message)
{
    (void)ctx;
    lab_cli_error("%s", message);
}

int lab_cli_ncores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n <= 1024 ? (int)n : n > 1024 ? 1024 : 1;
}

int lab_cli_report(const char *rundir, const lab_config *c, int jobs)
{
    char err[8192]; /* room to name every output a full disk kept out */
    lab_report_hooks h = { print_warning, print_info, NULL, &stop_requested, jobs };
    int rc = lab_report_write(rundir, c, &h, err, sizeof err);
    if (rc == LAB_EINTERRUPTED)
        lab_cli_error("interrupted: the report of %s is not complete (lab plot %s makes it "
                      "again)", rundir, rundir);
    else if (rc != LAB_OK)
        lab_cli_error("%s", rc == LAB_ENOMEM ? "out of memory" : err);
    /* A malformed table is bad input, like a bad config. */
    return rc == LAB_OK ? LAB_EXIT_OK : rc == LAB_EFORMAT ? LAB_EXIT_USAGE
         : rc == LAB_EINTERRUPTED ? LAB_EXIT_INTERRUPTED : LAB_EXIT_FAIL;
}
