/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A sweep's progress, told to a person: on stderr, say, through the sweep's
 * progress hook (sweep.h).
 *
 * Live (a terminal): one line rewritten in place at every event and tick,
 *   "  6/12 cells  50.0%  1 failed  elapsed 0:03  eta 0:03"
 * Plain (a pipe or a file: nohup, Slurm, `| tee`): lines of their own, one
 * when the run starts,
 *   "lab: tiny: 12 cells to run, 0 kept from earlier runs"
 * then one whenever the cells done and failed together reach another
 * LAB_PROGRESS_STEP_PCT percent of the cells to run, or
 * LAB_PROGRESS_INTERVAL_S seconds have passed since the last line, whichever
 * comes first (the sweep ticks every second, so no line is late by more):
 *   "lab: tiny: 6 of 12 cells done (50%), 1 failed, 0:03 elapsed, eta 0:03"
 * The estimate assumes the cells left take as long as those done did.
 *
 * Ownership: a lab_progress borrows its stream. */
#ifndef LAB_PROGRESS_H
#define LAB_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

#include "sweep.h"

#define LAB_PROGRESS_STEP_PCT 5
#define LAB_PROGRESS_INTERVAL_S 60.0

typedef struct lab_progress {
    FILE *out;
    int live;           /* rewrite one line in place */
    char name[320];     /* what runs: "tiny", "tiny shard 2/3" (names: 255 at most) */
    int started;        /* the first plain line is out */
    int drawn;          /* a live line is on screen */
    size_t step;        /* the percent step of the last plain line */
    double last_s;      /* the elapsed time of the last plain line */
} lab_progress;

/* Tell progress to out, live or plain, naming the run. */
void lab_progress_init(lab_progress *p, FILE *out, int live, const char *name);

/* The sweep's progress hook: ctx is a lab_progress. */
void lab_progress_update(void *ctx, const lab_sweep_progress *s);

/* End the live line, if one is drawn (nothing for plain lines). */
void lab_progress_finish(lab_progress *p);

/* A duration as "m:ss" or "h:mm:ss", in buf. */
void lab_progress_clock(double seconds, char *buf, size_t len);

#endif
