/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Joining the shards of a run into its results table.
 *
 * `lab run CFG --shard K/N` writes RUNDIR/shards/K-of-N.tsv (sweep.h) and
 * its provenance shards/K-of-N.json (provenance.h); a merge reads
 * RUNDIR/results.tsv and every shard file, checks by their provenance that
 * each was run with the run's config and stream rule, and writes the union
 * of their complete cells to results.tsv, sorted, and the run's provenance
 * to provenance.json: the same table a one-machine run writes. A shard of
 * another config, or without provenance, is refused; one written by another
 * build is taken with a note (as resuming does), and that build is listed
 * in provenance.json.
 *
 * Ownership: lab_merge_shard_path() returns a string the caller frees;
 * nothing else crosses this interface. */
#ifndef LAB_MERGE_H
#define LAB_MERGE_H

#include <stddef.h>

#include "config.h"

/* RUNDIR/shards/K-of-N.tsv for shard K (1-based) of N; NULL when out of
 * memory. The shards' folder is RUNDIR/shards. */
char *lab_merge_shard_path(const char *rundir, size_t k, size_t n);

#define LAB_MERGE_ONLY_COMPLETE 1u /* write results.tsv only when every cell is there */
#define LAB_MERGE_SKIP_DONE 2u     /* do nothing when results.tsv already has every cell */
#define LAB_MERGE_IF_SHARDS 4u     /* do nothing when there is no shard file */

typedef struct lab_merge_report {
    size_t total;          /* cells in the sweep */
    size_t have;           /* cells with all their rows */
    size_t files;          /* shard files read */
    size_t dropped;        /* malformed rows and rows of incomplete cells */
    char bad_row[512];     /* "FILE:LINE" of the first malformed row, or "" */
    int written;           /* results.tsv was written */
    char missing[1024];    /* the shards that miss cells, e.g. "2/3 (5 of 21 cells)" */
    char build_note[512];  /* a table written under another build: how it differs */
} lab_merge_report;

/* Merge the shards of c's run in rundir. Returns LAB_OK when every cell is
 * in results.tsv, LAB_EMISSING when cells are missing (rep->missing says
 * where; the table is written with what there is unless
 * LAB_MERGE_ONLY_COMPLETE), LAB_ECONFLICT when a shard was run with another
 * config or stream rule, LAB_EFORMAT when a table has other columns or no
 * provenance, LAB_EIO or LAB_ENOMEM; each with a message. */
int lab_merge_run(const lab_config *c, const char *rundir, unsigned flags,
                  lab_merge_report *rep, char *err, size_t errlen);

#endif
