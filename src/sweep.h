/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sweeps: every cell of the axes' product, in parallel, resumable, in
 * shards.
 *
 * Cells are numbered in table order (config.h: the first axis outermost,
 * each in the order the config lists its values); a results file always
 * ends sorted in that order, whatever order the cells ran in. Cells run
 * longest first (by the kind's cost estimate) on `jobs` worker processes,
 * each single-threaded in BLAS; with jobs = 1 they run in this process
 * (unless progress ticks are asked for). The engine knows a cell only
 * through its kind (kind.h).
 *
 * Nothing finished is lost: a cell's rows are appended and flushed as soon as
 * it ends, so a crash loses at most the cells in progress. A later run on the
 * same results file skips the cells it already holds (a partial last line
 * left by a crash, a malformed row, or a cell with some of its rows missing
 * is dropped and its cell runs again) and rewrites the table, sorted,
 * through a temporary file. A cell that cannot run (its worker dies, or
 * memory runs out) is reported and the other cells go on; a stop request is
 * passed on to the workers with SIGTERM. Callers should ignore SIGPIPE, so
 * that a worker dying between two cells is replaced rather than fatal.
 *
 * Groups. Where the kind trains cells together (kind.h: cells that differ
 * only in its group axes, e.g. the widths of one seed and n), a worker's
 * task is such a group's missing cells; a group whose cells would hold more
 * than group_bytes, or, with several workers, cost more than an eighth of
 * a worker's share, is split in two of about equal cost, again as needed.
 * Grouping changes no number: a cell's rows are those it gets alone.
 *
 * Shards. With nshards = N, the sweep runs only shard K (0-based) of N
 * disjoint slices of the cells, balanced by cost (longest-processing-time
 * first over all groups, each whole, so the slices do not depend on what
 * has run or on the memory of the machine). Each
 * shard has its own results file; lab_merge (merge.h) joins them.
 *
 * Ownership: no allocation crosses this interface. */
#ifndef LAB_SWEEP_H
#define LAB_SWEEP_H

#include <signal.h>
#include <stddef.h>

#include "config.h"

/* Where a sweep stands, for a progress hook. */
typedef struct lab_sweep_progress {
    size_t todo;      /* cells this run set out to run */
    size_t done;      /* of them, finished */
    size_t failed;    /* of them, could not run */
    size_t kept;      /* cells found from earlier runs */
    double elapsed_s; /* since the first cell started */
} lab_sweep_progress;

typedef struct lab_sweep_opts {
    int jobs;                    /* worker processes; <= 1 runs in-process (but see tick_s) */
    long max_cells;              /* run at most this many new cells; 0 = all */
    size_t shard, nshards;       /* run shard `shard` of nshards (nshards 0 or 1: all) */
    volatile sig_atomic_t *stop; /* set (e.g. by SIGINT) to stop early */
    /* Called once before the first cell, after every finished or failed
     * cell, and, with tick_s > 0, about every tick_s seconds while cells
     * run (may be NULL). Ticks need the cells in worker processes: with
     * tick_s > 0, jobs = 1 runs them in one worker rather than in-process. */
    void (*progress)(void *ctx, const lab_sweep_progress *p);
    void *ctx;
    double tick_s;
    /* The most bytes a task of grouped cells may hold (kind.h's
     * group_memory()); 0: no bound. */
    double group_bytes;
    int alone;                   /* nonzero: every cell runs alone (no groups) */
} lab_sweep_opts;

typedef struct lab_sweep_report {
    size_t total;     /* cells in the sweep (in this shard) */
    size_t kept;      /* cells found from earlier runs */
    size_t dropped;   /* malformed rows of earlier runs, dropped */
    long bad_line;    /* the line of the first malformed row (0: none) */
    size_t ran;       /* cells run now */
    size_t failed;    /* cells that could not run */
    size_t diverged;  /* cells with a row marked diverged (kept or new) */
    size_t remaining; /* cells still missing after this run */
    size_t tasks;     /* tasks started: groups of cells trained together, or cells alone */
} lab_sweep_report;

/* The shard (0-based) of every cell of c when split into nshards: the
 * groups of cells (kind.h; each cell alone for kinds without groups),
 * sorted by decreasing cost, go one by one to the shard with the least cost
 * so far (the lowest-numbered on ties). shard_of has
 * lab_config_ncells(c) entries. LAB_ENOMEM when out of memory. */
int lab_sweep_shards(const lab_config *c, size_t nshards, size_t *shard_of);

/* Run the sweep of c (or one shard of it) into the results table at path
 * (its provenance is the caller's: provenance.h). Returns LAB_OK when every
 * cell (of the shard) has its rows; LAB_EINTERRUPTED when stopped early or
 * when max_cells ended the run; LAB_EFORMAT when the existing table has
 * other columns; when cells failed, the status of the first, with the cell
 * named in err; other codes with a message in err. The report is filled in
 * every case. */
int lab_sweep_run(const lab_config *c, const char *path, const lab_sweep_opts *opts,
                  lab_sweep_report *rep, char *err, size_t errlen);

/* "n=64 width=8 seed=0": the cell named by its axes, in buf. */
void lab_sweep_cell_name(const lab_config *c, size_t i, char *buf, size_t len);

#endif
