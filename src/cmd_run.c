/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab run CFG: run an experiment's sweep into its run folder, resumably. */
#include <configure.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "provenance.h"
#include "status.h"
#include "sweep.h"

static const char usage[] =
    "Usage: lab run CFG [options]\n"
    "Run the sweep of an experiment; rerunning resumes where it stopped.\n"
    "CFG is a path, or a name looked up in the current folder, then in experiments/.\n"
    "\n"
    "  -j, --jobs N         cells run in parallel (default: the number of cores)\n"
    "  --set SECTION.KEY=VALUE\n"
    "                       override a config key (repeatable)\n"
    "  --out DIR            run folder (default: runs/<experiment name>)\n"
    "  --fresh              discard the folder's earlier results and start over\n"
    "  --max-cells N        run at most N more cells, then stop (resume later)\n"
    "  -h, --help           this help\n"
    "\n"
    "Writes DIR/config.cfg (resolved), results.tsv, summary.tsv, run.log and\n"
    "figures/. Exit status: 0 done, 1 failure, 2 usage or config error,\n"
    "130 interrupted (rerun to resume).\n";

/* Set by SIGINT/SIGTERM: cells stop at their next step, finished rows stay. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* ---- progress ----------------------------------------------------------- */

static void clock_text(double s, char *buf, size_t len)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

static void progress(void *ctx, size_t done, size_t todo, double elapsed)
{
    (void)ctx;
    char el[32], eta[32];
    clock_text(elapsed, el, sizeof el);
    clock_text(done ? elapsed / (double)done * (double)(todo - done) : 0.0, eta, sizeof eta);
    fprintf(stderr, "\r  %zu/%zu cells  %5.1f%%  elapsed %s  eta %s ", done, todo,
            todo ? 100.0 * (double)done / (double)todo : 100.0, el, eta);
    fflush(stderr);
}

/* ---- the run folder ------------------------------------------------------- */

/* Refuse a folder holding results of another config (unless fresh, which
 * discards them); then write the resolved config.cfg. */
static int prepare_folder(const lab_config *c, int fresh)
{
    char err[1024], msg[1200];
    char *cfg = lab_path_join(c->dir, "config.cfg");
    char *results = lab_path_join(c->dir, "results.tsv");
    char *summary = lab_path_join(c->dir, "summary.tsv");
    int code = LAB_EXIT_FAIL;
    if (!cfg || !results || !summary) {
        lab_cli_error("out of memory");
        goto done;
    }
    if (lab_mkdirs(c->dir, err, sizeof err) != LAB_OK) {
        lab_cli_error("%s", err);
        goto done;
    }
    int have_results = access(results, F_OK) == 0;
    if (have_results && !fresh) {
        lab_config old;
        snprintf(err, sizeof err, "out of memory");
        int rc = lab_config_init(&old);
        if (rc == LAB_OK)
            rc = lab_config_load(&old, cfg, err, sizeof err);
        if (rc != LAB_OK)
            snprintf(msg, sizeof msg, "its config.cfg cannot be read (%s)", err);
        else if (lab_config_compare(&old, c, msg, sizeof msg) == 0)
            msg[0] = '\0';
        lab_config_release(&old);
        if (msg[0]) {
            lab_cli_error("%s holds results of a different config: %s.\n"
                          "  Rerun with --fresh to discard them, or choose another folder "
                          "with --out.", c->dir, msg);
            code = LAB_EXIT_USAGE;
            goto done;
        }
    }
    if (fresh && ((remove(results) != 0 && errno != ENOENT)
                  || (remove(summary) != 0 && errno != ENOENT))) {
        lab_cli_error("cannot discard the results in %s: %s", c->dir, strerror(errno));
        goto done;
    }
    lab_atomic a;
    if (lab_atomic_open(&a, cfg, err, sizeof err) != LAB_OK) {
        lab_cli_error("%s", err);
        goto done;
    }
    fprintf(a.f, "# The resolved configuration of this run: every key, defaults included.\n"
                 "# Written by lab %s (git %s) from %s.\n\n",
            lab_version(), lab_git_describe(), c->source ? c->source : "(defaults)");
    lab_config_write(c, a.f, 0);
    if (lab_atomic_commit(&a, err, sizeof err) != LAB_OK) {
        lab_cli_error("%s", err);
        goto done;
    }
    code = LAB_EXIT_OK;
done:
    free(cfg);
    free(results);
    free(summary);
    return code;
}

/* The "#" block heading results.tsv: provenance, seeds, and the config
 * (the keys that change results). Identical for identical runs. */
static char *results_header(const lab_config *c)
{
    char *buf = NULL, *cfgtext = NULL;
    size_t len = 0, cfglen = 0;
    FILE *cf = open_memstream(&cfgtext, &cfglen);
    if (!cf)
        return NULL;
    lab_config_write(c, cf, 1);
    fclose(cf);
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        free(cfgtext);
        return NULL;
    }
    fprintf(f, "# tslab results: one row per trained student (columns ending in _s are "
               "timings)\n");
    lab_provenance_write(f);
    fprintf(f, "# experiment %s from %s; experiment seed %" PRIu64 "; sweep seeds",
            c->name, c->source ? c->source : "(defaults)", c->seed);
    for (size_t i = 0; i < c->seeds.n; i++)
        fprintf(f, "%s%ld", i ? ", " : " ", c->seeds.v[i]);
    fputs("\n# config (keys that change results):\n", f);
    for (char *line = cfgtext, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        fprintf(f, "#   %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
    }
    fclose(f);
    free(cfgtext);
    return buf;
}

/* The command line as typed, before getopt reorders argv. */
static char *command_line(int argc, char **argv)
{
    size_t len = sizeof "lab";
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    strcpy(s, "lab");
    for (int i = 0; i < argc; i++) {
        strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

/* One line per invocation in RUNDIR/run.log (open as fd): when, how, what
 * happened. */
static void append_log(int fd, const char *cmdline, int jobs, const lab_sweep_report *rep,
                       double seconds, int rc)
{
    int dup_fd = dup(fd);
    FILE *f = dup_fd >= 0 ? fdopen(dup_fd, "a") : NULL;
    if (!f) {
        if (dup_fd >= 0)
            close(dup_fd);
        return;
    }
    char when[64];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S%z", localtime(&now));
    fprintf(f, "%s (git %s) %s | jobs %d | %zu cells: %zu kept, %zu run, %zu failed, "
               "%zu missing, %zu diverged | %.1f s | %s\n", when, lab_git_describe(), cmdline,
            jobs, rep->total, rep->kept, rep->ran, rep->failed, rep->remaining, rep->diverged,
            seconds, lab_strerror(rc));
    fclose(f);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- the command ------------------------------------------------------------ */

struct run_opts {
    int jobs, fresh;
    long max_cells;
    const char *out;
    char **sets; /* --set assignments (pointers into argv) */
    int nsets;
};

/* Parse the options into o; returns -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, struct run_opts *o)
{
    static const struct option longopts[] = {
        { "jobs", required_argument, NULL, 'j' },
        { "set", required_argument, NULL, 's' },
        { "out", required_argument, NULL, 'o' },
        { "fresh", no_argument, NULL, 'f' },
        { "max-cells", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    long ncores = sysconf(_SC_NPROCESSORS_ONLN);
    char *end;
    int opt;
    o->jobs = ncores > 0 ? (int)ncores : 1;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "j:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            o->jobs = (int)strtol(optarg, &end, 10);
            if (*end || o->jobs < 1 || o->jobs > 1024) {
                lab_cli_error("-j %s: expected a number of jobs in [1, 1024]", optarg);
                return LAB_EXIT_USAGE;
            }
            break;
        case 's':
            o->sets[o->nsets++] = optarg;
            break;
        case 'o':
            o->out = optarg;
            break;
        case 'f':
            o->fresh = 1;
            break;
        case 'm':
            o->max_cells = strtol(optarg, &end, 10);
            if (*end || o->max_cells < 1) {
                lab_cli_error("--max-cells %s: expected a positive number", optarg);
                return LAB_EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(usage, stdout);
            return LAB_EXIT_OK;
        default:
            fputs(usage, stderr);
            return LAB_EXIT_USAGE;
        }
    }
    return -1;
}

/* Hold a lock on RUNDIR/run.log for the whole run: two runs on one folder
 * would repeat cells and could drop each other's rows. Returns the locked
 * descriptor, or -1 after printing why. */
static int lock_folder(const char *dir)
{
    char err[1024];
    char *path = lab_path_join(dir, "run.log");
    if (!path || lab_mkdirs(dir, err, sizeof err) != LAB_OK) {
        lab_cli_error("%s", path ? err : "out of memory");
        free(path);
        return -1;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0666);
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    if (fd < 0) {
        lab_cli_error("%s: %s", path, strerror(errno));
    } else if (fcntl(fd, F_SETLK, &fl) != 0) {
        lab_cli_error("%s is in use by another lab run (%s)", dir, strerror(errno));
        close(fd);
        fd = -1;
    }
    free(path);
    return fd;
}

/* Prepare the folder, run the sweep, write summary and figures. */
static int run(lab_config *c, const struct run_opts *o, const char *cmdline)
{
    int lock = lock_folder(c->dir);
    if (lock < 0)
        return LAB_EXIT_FAIL;
    int code = prepare_folder(c, o->fresh);
    if (code != LAB_EXIT_OK) {
        close(lock);
        return code;
    }
    char *header = results_header(c), *results = lab_path_join(c->dir, "results.tsv");
    if (!header || !results) {
        lab_cli_error("out of memory");
        free(header);
        free(results);
        close(lock);
        return LAB_EXIT_FAIL;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A worker that dies leaves a broken pipe: an error to handle, not a kill. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    int tty = isatty(STDERR_FILENO);
    lab_sweep_opts opts = {
        .jobs = o->jobs, .max_cells = o->max_cells, .stop = &stop_requested,
        .progress = tty ? progress : NULL
    };
    lab_sweep_report rep;
    char err[1024];
    double t0 = now_s();
    int rc = lab_sweep_run(c, results, header, &opts, &rep, err, sizeof err);
    double seconds = now_s() - t0;
    if (tty && rep.ran > 0)
        fputc('\n', stderr);
    append_log(lock, cmdline, o->jobs, &rep, seconds, rc);
    close(lock);
    free(header);
    free(results);

    if (rep.dropped)
        lab_cli_error("warning: dropped %zu malformed rows of results.tsv; their cells ran "
                      "again", rep.dropped);
    if (rep.header_note[0] && rep.kept)
        lab_cli_error("warning: %zu rows kept from a results.tsv written under another build "
                      "or environment (%s)", rep.kept, rep.header_note);
    if (rc != LAB_OK && rc != LAB_EINTERRUPTED) {
        lab_cli_error("%s", err);
        if (rc == LAB_EFORMAT || rep.kept + rep.ran == 0)
            return rc == LAB_EFORMAT ? LAB_EXIT_USAGE : LAB_EXIT_FAIL;
        /* Failed cells: still summarise and draw what finished. */
        lab_cli_report(c->dir, c);
        return LAB_EXIT_FAIL;
    }
    char el[32];
    clock_text(seconds, el, sizeof el);
    fprintf(stderr, "lab: %s: %zu cells (%zu kept, %zu run in %s, %zu diverged)",
            c->name, rep.total, rep.kept, rep.ran, el, rep.diverged);
    if (rep.remaining)
        fprintf(stderr, "; %zu still to run: rerun the same command to resume",
                rep.remaining);
    fprintf(stderr, "\n");
    if (rep.kept + rep.ran > 0)
        code = lab_cli_report(c->dir, c);
    if (code == LAB_EXIT_OK)
        fprintf(stderr, "lab: results in %s/ (results.tsv, summary.tsv, figures/)\n", c->dir);
    return stop_requested ? LAB_EXIT_INTERRUPTED : code;
}

int lab_cmd_run(int argc, char **argv)
{
    struct run_opts o = { 0 };
    char *cmdline = command_line(argc, argv);
    o.sets = calloc((size_t)argc + 1, sizeof *o.sets); /* + 1 for --out */
    char *out_set = NULL;
    int code = cmdline && o.sets ? parse_options(argc, argv, &o) : LAB_EXIT_FAIL;
    lab_config c;
    if (code < 0 && o.out) {
        /* --out DIR is --set output.dir=DIR, with the same checks. */
        out_set = malloc(strlen(o.out) + sizeof "output.dir=");
        if (out_set) {
            sprintf(out_set, "output.dir=%s", o.out);
            o.sets[o.nsets++] = out_set;
        } else {
            code = LAB_EXIT_FAIL;
        }
    }
    if (code < 0) {
        code = lab_cli_config_operand(&c, argc, argv, usage, o.sets, o.nsets);
        if (code == LAB_EXIT_OK)
            code = run(&c, &o, cmdline);
        lab_config_release(&c);
    }
    free(out_set);
    free(o.sets);
    free(cmdline);
    return code;
}
