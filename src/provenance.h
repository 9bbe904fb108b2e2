/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What produced a run's table: the lab's build and environment, and the
 * experiment it ran, kept in a JSON file beside the table so that the table
 * itself is plain TSV for every other tool.
 *
 * RUNDIR/results.tsv has RUNDIR/provenance.json; a shard's table
 * shards/K-of-N.tsv has shards/K-of-N.json. The document holds:
 *
 *   tslab_provenance  the format of this file (1)
 *   table             the table it describes, and its columns
 *   experiment        name, kind (with what a cell computes), seed
 *   seeds, axes       the sweep's replicates and axes, values as written in the table
 *   stream_rule       the version of the stream rule (THEORY.md section 7)
 *   config            the keys that change results, as INI lines
 *                     ("\n".join(config) loads back)
 *   build             lab version and commit, compiler, BLAS with its core
 *                     type and threads, OPENBLAS_* variables, GSL, FFTW,
 *                     inih, vector maths
 *   other_builds      other builds whose cells the table also holds (kept
 *                     on resume, or merged from shards); absent when none
 *
 * Only facts fixed for a given build, environment and config are written,
 * so identical runs write identical files. Before a run keeps the cells of
 * a table, its provenance decides: the format, the stream rule and the
 * config must agree (or the cells would not be the ones this run computes);
 * the build may differ, with a note, and is then listed in other_builds.
 *
 * Ownership: a lab_provenance from lab_provenance_alloc() is freed with
 * lab_provenance_free(); it borrows the config, which must outlive it.
 * lab_provenance_path() returns a string the caller frees. */
#ifndef LAB_PROVENANCE_H
#define LAB_PROVENANCE_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* The lab's release version ("0.1.0"). */
const char *lab_version(void);

/* `git describe --always --dirty` of the source tree at build time, or
 * "unknown" outside a git checkout. */
const char *lab_git_describe(void);

/* Write the build's provenance for people (lab --version): version and
 * commit, compiler, BLAS, OPENBLAS_* variables, GSL, FFTW, inih, vector
 * maths, one "# " line each. */
void lab_provenance_write(FILE *f);

typedef struct lab_provenance lab_provenance;

/* The provenance this build gives a run of c. NULL when out of memory. */
lab_provenance *lab_provenance_alloc(const lab_config *c);
void lab_provenance_free(lab_provenance *p);

/* The provenance file of a table: DIR/provenance.json for DIR/results.tsv,
 * T.json for any other T.tsv (a shard's). NULL when out of memory. */
char *lab_provenance_path(const char *table);

/* May p's run keep the cells of the table at path `table`? LAB_OK when
 * there is no such table, or when its provenance agrees with p on what
 * decides the numbers; then, if its build differs, note says how ("git was
 * 0409ac4, now 1234567"; else note is empty) and p lists that build among
 * its other builds. Otherwise, with a message in err:
 *   LAB_ECONFLICT  the table's stream rule or config differ (err names the
 *                  key: "train.steps is 10 there and 5000 here");
 *   LAB_EFORMAT    the table has no provenance file (written by an older lab,
 *                  which kept it in "#" lines), or the file is not this
 *                  format (err names file, line and column);
 *   LAB_EIO, LAB_ENOMEM. */
int lab_provenance_check(lab_provenance *p, const char *table, char *note, size_t notelen,
                         char *err, size_t errlen);

/* Write p to path as JSON, through a temporary file. LAB_EIO or LAB_ENOMEM
 * with a message. */
int lab_provenance_save(const lab_provenance *p, const char *path, char *err, size_t errlen);

#endif
