/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sweeps: every cell of n x width x depth x seeds, in parallel, resumable.
 *
 * Cells are numbered in table order (n outermost, then width, depth, seed,
 * each in the order the config lists them); results.tsv always ends sorted in
 * that order, whatever order the cells ran in. Cells run longest first (by an
 * estimate of their cost) on `jobs` worker processes, each single-threaded in
 * BLAS; with jobs = 1 they run in this process.
 *
 * Nothing finished is lost: each row is appended and flushed as soon as its
 * cell ends, so a crash loses at most the cells in progress. A later run on
 * the same results file skips the cells it already holds (a partial last line
 * left by a crash, or a malformed row, is dropped and its cell runs again)
 * and rewrites the table, sorted, through a temporary file. A cell that
 * cannot run (its worker dies, or memory runs out) is reported and the other
 * cells go on; a stop request is passed on to the workers with SIGTERM.
 * Callers should ignore SIGPIPE, so that a worker dying between two cells is
 * replaced rather than fatal.
 *
 * Ownership: no allocation crosses this interface. */
#ifndef LAB_SWEEP_H
#define LAB_SWEEP_H

#include <signal.h>
#include <stddef.h>

#include "cell.h"
#include "config.h"

/* Number of cells, and cell i in table order. */
size_t lab_sweep_size(const lab_config *c);
void lab_sweep_cell(const lab_config *c, size_t i, lab_cell *cell);

typedef struct lab_sweep_opts {
    int jobs;                    /* worker processes; <= 1 runs in-process */
    long max_cells;              /* run at most this many new cells; 0 = all */
    volatile sig_atomic_t *stop; /* set (e.g. by SIGINT) to stop early */
    /* Called after every finished cell (may be NULL). */
    void (*progress)(void *ctx, size_t done, size_t todo, double elapsed_s);
    void *ctx;
} lab_sweep_opts;

typedef struct lab_sweep_report {
    size_t total;     /* cells in the sweep */
    size_t kept;      /* rows found from earlier runs */
    size_t dropped;   /* malformed rows of earlier runs, dropped */
    size_t ran;       /* cells run now */
    size_t failed;    /* cells that could not run */
    size_t diverged;  /* rows marked diverged (kept or new) */
    size_t remaining; /* cells still missing after this run */
    /* When the earlier table was written under another header (another build
     * or environment): its first differing line, "was ..., now ..."; else "". */
    char header_note[512];
} lab_sweep_report;

/* Run the sweep of c into the results table at path; header is written as
 * the table's "#" comment block (each line must start with "#"). Returns
 * LAB_OK when every cell has a row; LAB_EINTERRUPTED when stopped early or
 * when max_cells ended the run; LAB_EFORMAT when the existing table has other
 * columns; when cells failed, the status of the first, with the cell named in
 * err; other codes with a message in err. The report is filled in every
 * case. */
int lab_sweep_run(const lab_config *c, const char *path, const char *header,
                  const lab_sweep_opts *opts, lab_sweep_report *rep,
                  char *err, size_t errlen);

#endif
