/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab run CFG: run an experiment's sweep into its run folder, resumably, on
 * one machine or as one shard of many. */
#include <configure.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "cli.h"
#include "clock.h"
#include "fileio.h"
#include "kind.h"
#include "memory.h"
#include "merge.h"
#include "progress.h"
#include "provenance.h"
#include "runfolder.h"
#include "status.h"
#include "strbuf.h"
#include "sweep.h"
#include "text.h"

static const char usage[] =
    "Usage: lab run CFG [options]\n"
    "Run the sweep of an experiment; rerunning resumes where it stopped.\n"
    "CFG is a path, or a name looked up in the current folder, then in experiments/,\n"
    "then in the lab's own experiments.\n"
    "\n"
    "  -j, --jobs N         cells run in parallel, and the report's worker processes\n"
    "                       (default: the number of cores)\n"
    "  --set SECTION.KEY=VALUE\n"
    "                       override a config key (repeatable); sweep a key with\n"
    "                       --set sweep.SECTION.KEY=VALUES\n"
    "  --out DIR            run folder (default: runs/<experiment name>)\n"
    "  --fresh              discard the folder's earlier results and start over\n"
    "  --max-cells N        run at most N more cells, then stop (resume later)\n"
    "  --shard K/N          run only shard K of N (1 <= K <= N) into DIR/shards/;\n"
    "                       the last shard to finish merges them (or lab merge DIR)\n"
    "  --no-groups          train every cell alone, not with the cells it shares its\n"
    "                       data and batches with (the same numbers, more slowly)\n"
    "  -h, --help           this help\n"
    "\n"
    "Writes DIR/config.cfg (resolved), results.tsv, provenance.json (the build,\n"
    "seeds and config that made it), summary.tsv, run.log and figures/.\n"
    "Progress goes to stderr: a live line on a terminal, else a line every 5 %\n"
    "of the cells or every minute, whichever comes first.\n"
    "A sweep whose largest cell does not fit in the memory available is refused,\n"
    "and -j is lowered to the cells that fit; LAB_MEMORY_LIMIT=SIZE (e.g. 8G)\n"
    "lowers the memory a run may use.\n"
    "Exit status: 0 done, 1 failure, 2 usage or config error,\n"
    "130 interrupted (rerun to resume).\n";

/* Set by SIGINT/SIGTERM (lab_cli_catch_signals()): cells stop at their next
 * step, finished rows stay; the report stops too. */
static volatile sig_atomic_t *stop_requested;

/* ---- options -------------------------------------------------------------- */

struct run_opts {
    int jobs, fresh, alone;
    double group_bytes;     /* the most a task of grouped cells may hold (sweep.h) */
    long max_cells;
    size_t shard, nshards;  /* shard K (1-based) of N; N = 0 without --shard */
    const char *out;
    char **sets;            /* --set assignments (pointers into argv) */
    int nsets;
};

/* "K/N" with 1 <= K <= N. */
static int parse_shard(const char *text, struct run_opts *o)
{
    char *end, *end2;
    unsigned long k = strtoul(text, &end, 10), n = *end == '/' ? strtoul(end + 1, &end2, 10) : 0;
    if (end == text || *end != '/' || end2 == end + 1 || *end2 || k < 1 || k > n || n > 100000)
        return -1;
    o->shard = k;
    o->nshards = n;
    return 0;
}

/* Parse the options into o; returns -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, struct run_opts *o)
{
    static const struct option longopts[] = {
        { "jobs", required_argument, NULL, 'j' },
        { "set", required_argument, NULL, 's' },
        { "out", required_argument, NULL, 'o' },
        { "fresh", no_argument, NULL, 'f' },
        { "max-cells", required_argument, NULL, 'm' },
        { "shard", required_argument, NULL, 'S' },
        { "no-groups", no_argument, NULL, 'G' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    char *end;
    int opt, code;
    o->jobs = lab_cli_ncores();
    optind = 1;
    opterr = 0; /* our messages, not getopt's */
    while ((opt = getopt_long(argc, argv, ":j:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            o->jobs = (int)strtol(optarg, &end, 10);
            if (*end || o->jobs < 1 || o->jobs > 1024) {
                lab_cli_error("-j %s: expected a number of jobs in [1, 1024]", optarg);
                return LAB_EXIT_USAGE;
            }
            break;
        case 's':
            if ((code = lab_cli_set_option(argc, argv, optarg, o->sets, &o->nsets)) >= 0)
                return code;
            break;
        case 'o':
            o->out = optarg;
            break;
        case 'f':
            o->fresh = 1;
            break;
        case 'G':
            o->alone = 1;
            break;
        case 'm':
            o->max_cells = strtol(optarg, &end, 10);
            if (*end || o->max_cells < 1) {
                lab_cli_error("--max-cells %s: expected a positive number", optarg);
                return LAB_EXIT_USAGE;
            }
            break;
        case 'S':
            if (parse_shard(optarg, o) != 0) {
                lab_cli_error("--shard %s: expected K/N with 1 <= K <= N <= 100000", optarg);
                return LAB_EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(usage, stdout);
            return LAB_EXIT_OK;
        default:
            return lab_cli_refused("run", opt, argv, longopts);
        }
    }
    return -1;
}

/* ---- memory --------------------------------------------------------------------- */

/* Refuse a sweep whose largest cell, or the report's linear baseline, does
 * not fit in the memory available (exit 2, before anything is written), and
 * run no more cells at once than fit. Returns -1 to go on, else the exit
 * code. */
static int fit_memory(const lab_config *c, struct run_opts *o)
{
    char need[32], have[32], name[512], dims[128] = "";
    lab_memory m;
    lab_memory_available(&m);
    const char *cap = getenv("LAB_MEMORY_LIMIT");
    double bytes, base;
    if (cap && *cap) {
        if (lab_memory_parse(cap, &bytes) != 0) {
            lab_cli_error("LAB_MEMORY_LIMIT=%s: expected a size such as 4G or 512M", cap);
            return LAB_EXIT_USAGE;
        }
        if (bytes < m.total) {
            m.total = bytes;
            m.total_from = "LAB_MEMORY_LIMIT";
        }
    }
    size_t cell, ncells;
    lab_config one;
    if (lab_memory_cells(c, o->nshards ? o->shard - 1 : 0, o->nshards, &bytes, &cell, &ncells)
        != LAB_OK || lab_config_copy(&one, c) != LAB_OK) {
        lab_cli_error("out of memory");
        return LAB_EXIT_FAIL;
    }
    int teacher = lab_config_kind(c)->teacher;
    if (lab_config_cell(c, cell, &one) == LAB_OK && teacher)
        snprintf(dims, sizeof dims, " (teacher.input_dim = %ld, data.test_size = %ld)",
                 one.input_dim, one.test_size);
    lab_config_release(&one);
    /* Each worker has an address space of its own; they share the rest. */
    double avail = fmin(m.total, m.process);
    const char *from = m.process < m.total ? "RLIMIT_AS, ulimit -v, less what is mapped"
                                           : m.total_from;
    const char *at = c->source ? c->source : c->name;
    lab_memory_format(avail, have, sizeof have);
    if (ncells && !(bytes <= avail)) {
        lab_sweep_cell_name(c, cell, name, sizeof name);
        lab_cli_error("%s: the cell %s%s needs about %s; %s are available (%s)", at, name, dims,
                      lab_memory_format(bytes, need, sizeof need), have, from);
        return LAB_EXIT_USAGE;
    }
    if (teacher && !((base = lab_baseline_bytes(c) + LAB_MEMORY_PROCESS) <= avail)) {
        lab_cli_error("%s: the report's linear baseline (least squares on max(16384, 64 "
                      "(teacher.input_dim + 1)) points) needs about %s; %s are available (%s)",
                      at, lab_memory_format(base, need, sizeof need), have, from);
        return LAB_EXIT_USAGE;
    }
    double fit = floor(m.total / bytes);
    if ((double)o->jobs > fit && (double)ncells > fit) {
        lab_cli_error("note: a cell needs up to %s and %s are available (%s): %.0f cells run "
                      "at a time rather than %d", lab_memory_format(bytes, need, sizeof need),
                      lab_memory_format(m.total, have, sizeof have), m.total_from, fit,
                      o->jobs);
        o->jobs = (int)fit;
    }
    /* A group of cells (sweep.h) may hold a worker's share, or what the
     * largest cell alone needs. */
    double share = fmin(m.total / o->jobs, m.process);
    o->group_bytes = isfinite(share) ? fmax(share, bytes) - LAB_MEMORY_PROCESS : 0;
    return -1;
}

/* ---- the run ---------------------------------------------------------------- */

/* The command line as typed, before getopt reorders argv. */
static char *command_line(int argc, char **argv)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_strbuf_puts(&b, "lab");
    for (int i = 0; i < argc; i++)
        lab_strbuf_printf(&b, " %s", argv[i]);
    return lab_strbuf_detach(&b);
}

/* One line per invocation in a run log: when, how, what happened. */
static void append_log(int fd, const char *cmdline, int jobs, const lab_sweep_report *rep,
                       double seconds, int rc)
{
    char when[64];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S%z", localtime(&now));
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_strbuf_printf(&b, "%s (git %s) %s | jobs %d | %zu cells: %zu kept, %zu run, %zu failed, "
                      "%zu missing, %zu diverged | %zu tasks | %.1f s | %s", when, lab_git_describe(),
                      cmdline, jobs, rep->total, rep->kept, rep->ran, rep->failed,
                      rep->remaining, rep->diverged, rep->tasks, seconds, lab_strerror(rc));
    /* The results stand without their log line: a warning, not a failure. */
    if (b.failed || lab_runfolder_log(fd, b.s) != LAB_OK)
        lab_cli_error("warning: this run's line in its log (run.log) was not written: %s",
                      b.failed ? "out of memory" : strerror(errno));
    lab_strbuf_release(&b);
}

static void catch_signals(void)
{
    stop_requested = lab_cli_catch_signals();
    /* A worker that dies leaves a broken pipe: an error to handle, not a kill. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
}

/* Run the sweep (or the shard) into path, log it in the locked log, and say
 * what happened; build_note: how the build of the table's earlier cells
 * differs, if it does. Returns the sweep's status. */
static int sweep(const lab_config *c, const struct run_opts *o, const char *path,
                 const char *build_note, int log, const char *cmdline, lab_sweep_report *rep)
{
    char err[1024], el[32], what[64] = "", name[320];
    if (o->nshards)
        snprintf(what, sizeof what, " shard %zu/%zu", o->shard, o->nshards);
    snprintf(name, sizeof name, "%s%s", c->name, what);
    lab_progress progress;
    lab_progress_init(&progress, stderr, isatty(STDERR_FILENO), name);
    lab_sweep_opts opts = {
        .jobs = o->jobs, .max_cells = o->max_cells, .stop = stop_requested,
        .shard = o->nshards ? o->shard - 1 : 0, .nshards = o->nshards,
        .progress = lab_progress_update, .ctx = &progress, .tick_s = 1.0,
        .group_bytes = o->group_bytes, .alone = o->alone
    };
    double t0 = lab_clock_s();
    int rc = lab_sweep_run(c, path, &opts, rep, err, sizeof err);
    double seconds = lab_clock_s() - t0;
    lab_progress_finish(&progress);
    append_log(log, cmdline, o->jobs, rep, seconds, rc);
    if (rep->dropped) {
        char first[64] = "";
        if (rep->bad_line)
            snprintf(first, sizeof first, " (the first malformed: line %ld)", rep->bad_line);
        lab_cli_error("warning: dropped %zu rows of %s that were malformed or belonged to "
                      "unfinished cells%s; their cells ran again", rep->dropped, path, first);
    }
    if (build_note[0] && rep->kept)
        lab_cli_error("warning: %zu cells kept from a table written under another build or "
                      "environment (%s); provenance.json lists both", rep->kept, build_note);
    if (rc != LAB_OK && rc != LAB_EINTERRUPTED) {
        lab_cli_error("%s", err);
        if (rc == LAB_EFORMAT)
            lab_cli_error("rerun with --fresh to start over, or choose another folder with "
                          "--out");
        return rc;
    }
    lab_progress_clock(seconds, el, sizeof el);
    fprintf(stderr, "lab: %s: %zu cells (%zu kept, %zu run in %s, %zu failed, %zu diverged)",
            name, rep->total, rep->kept, rep->ran, el, rep->failed, rep->diverged);
    if (rep->tasks < rep->ran + rep->failed)
        fprintf(stderr, "; trained in %zu groups", rep->tasks);
    if (rep->remaining)
        fprintf(stderr, "; %zu still to run: rerun the same command to resume", rep->remaining);
    fprintf(stderr, "\n");
    return rc;
}

/* The exit code after the sweep: failed cells still get their report. */
static int sweep_exit(int rc, const lab_sweep_report *rep)
{
    if (rc == LAB_OK || rc == LAB_EINTERRUPTED)
        return -1;
    if (rc == LAB_EFORMAT)
        return LAB_EXIT_USAGE;
    return rep->kept + rep->ran == 0 ? LAB_EXIT_FAIL : -2;
}

/* Merge the shards (all of them, or only when complete). Returns an exit
 * code; *merged says whether results.tsv was written. */
static int merge(const lab_config *c, unsigned flags, int *merged)
{
    char err[1024], which[1024];
    lab_merge_report mr;
    int rc = lab_merge_run(c, c->dir, flags, &mr, err, sizeof err);
    *merged = mr.written;
    lab_cli_merge_warnings(&mr);
    if (rc != LAB_OK && rc != LAB_EMISSING) {
        lab_cli_error("%s", err);
        return lab_cli_exit_code(rc);
    }
    if (mr.written)
        fprintf(stderr, "lab: %s: merged %zu shard files into results.tsv: %zu of %zu cells\n",
                c->name, mr.files, mr.have, mr.total);
    if (rc == LAB_EMISSING && (flags & LAB_MERGE_ONLY_COMPLETE)) {
        if (lab_runfolder_shard_running(c->dir, which, sizeof which))
            fprintf(stderr, "lab: %s: %zu cells are still to come from other shards (%s); the "
                    "last shard to finish merges them\n", c->name, mr.total - mr.have,
                    mr.missing);
        else
            lab_cli_error("%zu cells are missing (%s) and no other shard is running: rerun "
                          "those shards (lab run CFG --shard K/N), or merge what there is with "
                          "lab merge %s", mr.total - mr.have, mr.missing, c->dir);
    }
    return LAB_EXIT_OK;
}

/* One shard: run it into its own table under its own lock, then, when it is
 * the last to finish, merge and report under the folder's lock. */
static int run_shard(lab_config *c, const struct run_opts *o, const char *cmdline)
{
    char err[1024], logname[64], note[512];
    snprintf(logname, sizeof logname, "shards/%zu-of-%zu.log", o->shard, o->nshards);
    char *path = lab_merge_shard_path(c->dir, o->shard, o->nshards);
    int folder = -1, log = -1, code = LAB_EXIT_FAIL, rc, merged;
    lab_sweep_report rep;
    if (!path) {
        lab_cli_error("out of memory");
        goto done;
    }
    /* Prepare under the folder's lock: never beside a run without shards,
     * and shards that start together write config.cfg one at a time. */
    if ((code = lab_cli_lock(c->dir, "run.log", 1, stop_requested, &folder)) != LAB_EXIT_OK)
        goto done;
    rc = lab_runfolder_lock(c->dir, logname, 0, NULL, &log, err, sizeof err);
    if (rc == LAB_EBUSY)
        lab_cli_error("shard %zu/%zu of %s is running already", o->shard, o->nshards, c->dir);
    else if (rc == LAB_OK)
        rc = lab_runfolder_prepare(c, o->fresh, path, note, sizeof note, err, sizeof err);
    if (rc != LAB_OK) {
        if (rc != LAB_EBUSY)
            lab_cli_error("%s", err);
        code = lab_cli_exit_code(rc);
        goto done;
    }
    lab_runfolder_unlock(folder);
    folder = -1;

    rc = sweep(c, o, path, note, log, cmdline, &rep);
    lab_runfolder_unlock(log);
    log = -1;
    if ((code = sweep_exit(rc, &rep)) != -1) {
        code = code == -2 ? LAB_EXIT_FAIL : code;
        goto done;
    }
    if (rc == LAB_EINTERRUPTED) {
        code = *stop_requested ? LAB_EXIT_INTERRUPTED : LAB_EXIT_OK;
        goto done;
    }
    /* Wait for a merge in progress rather than fail: this may be the last shard. */
    if ((code = lab_cli_lock(c->dir, "run.log", 1, stop_requested, &folder)) != LAB_EXIT_OK)
        goto done;
    code = merge(c, LAB_MERGE_ONLY_COMPLETE | LAB_MERGE_SKIP_DONE, &merged);
    if (code == LAB_EXIT_OK && merged) {
        code = lab_cli_report(c->dir, c, o->jobs);
        if (code == LAB_EXIT_OK)
            fprintf(stderr, "lab: results in %s/ (results.tsv, summary.tsv, figures/)\n",
                    c->dir);
    }
done:
    lab_runfolder_unlock(folder);
    lab_runfolder_unlock(log);
    free(path);
    return code;
}

/* The whole sweep on this machine, under the folder's lock from start to
 * report. */
static int run_all(lab_config *c, const struct run_opts *o, const char *cmdline)
{
    char err[1024], which[1024], note[512];
    char *results = lab_path_join(c->dir, "results.tsv");
    int log = -1, code = LAB_EXIT_FAIL, rc, merged;
    lab_sweep_report rep;
    if (!results) {
        lab_cli_error("out of memory");
        goto done;
    }
    if ((code = lab_cli_lock(c->dir, "run.log", 0, NULL, &log)) != LAB_EXIT_OK)
        goto done;
    code = LAB_EXIT_FAIL;
    if (lab_runfolder_shard_running(c->dir, which, sizeof which)) {
        lab_cli_error("%s: a shard of this run is running (%s); wait for the shards, or use "
                      "another folder", c->dir, which);
        goto done;
    }
    if ((rc = lab_runfolder_prepare(c, o->fresh, NULL, note, sizeof note, err, sizeof err))
        != LAB_OK) {
        lab_cli_error("%s", err);
        code = lab_cli_exit_code(rc);
        goto done;
    }
    /* Cells that shards finished count as done. */
    if ((code = merge(c, LAB_MERGE_IF_SHARDS | LAB_MERGE_SKIP_DONE, &merged)) != LAB_EXIT_OK)
        goto done;
    rc = sweep(c, o, results, note, log, cmdline, &rep);
    /* Stopped by a signal: no report (the rerun makes it). */
    int report = rep.kept + rep.ran > 0 && !*stop_requested;
    if ((code = sweep_exit(rc, &rep)) != -1) {
        /* Failed cells: still summarise and draw what finished; a signal
         * during that report still means interrupted. */
        if (code == -2 && report && lab_cli_report(c->dir, c, o->jobs) == LAB_EXIT_INTERRUPTED)
            code = LAB_EXIT_INTERRUPTED;
        code = code == -2 ? LAB_EXIT_FAIL : code;
        goto done;
    }
    code = report ? lab_cli_report(c->dir, c, o->jobs) : LAB_EXIT_OK;
    if (code == LAB_EXIT_OK && !*stop_requested)
        fprintf(stderr, "lab: results in %s/ (results.tsv, summary.tsv, figures/)\n", c->dir);
    if (*stop_requested)
        code = LAB_EXIT_INTERRUPTED;
done:
    lab_runfolder_unlock(log);
    free(results);
    return code;
}

/* Refuse --out DIR as --set output.dir=DIR would, in words about --out. */
static int check_out(const char *out)
{
    char why[1024];
    if (lab_config_check_value("output", "dir", out, why, sizeof why) == LAB_OK)
        return -1;
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_cli_error("--out %s: %s", lab_text_shown(out, &b), why);
    lab_strbuf_release(&b);
    return LAB_EXIT_USAGE;
}

int lab_cmd_run(int argc, char **argv)
{
    struct run_opts o = { 0 };
    char *cmdline = command_line(argc, argv);
    o.sets = calloc((size_t)argc + 1, sizeof *o.sets); /* + 1 for --out */
    lab_strbuf out_set = LAB_STRBUF_INIT;
    int code = cmdline && o.sets ? parse_options(argc, argv, &o) : LAB_EXIT_FAIL;
    if (code < 0 && o.out) {
        /* --out DIR is --set output.dir=DIR, with the same checks. */
        lab_strbuf_printf(&out_set, "output.dir=%s", o.out);
        if (out_set.failed)
            code = LAB_EXIT_FAIL;
        else if ((code = check_out(o.out)) < 0)
            o.sets[o.nsets++] = out_set.s;
    }
    if (code < 0) {
        lab_config c;
        code = lab_cli_config_operand(&c, argc, argv, usage, o.sets, o.nsets);
        if (code == LAB_EXIT_OK && (code = fit_memory(&c, &o)) < 0) {
            catch_signals();
            code = o.nshards ? run_shard(&c, &o, cmdline) : run_all(&c, &o, cmdline);
        }
        lab_config_release(&c);
    }
    lab_strbuf_release(&out_set);
    free(o.sets);
    free(cmdline);
    return code;
}
