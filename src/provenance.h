/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What produced a result: the lab's version and the libraries it ran on. */
#ifndef LAB_PROVENANCE_H
#define LAB_PROVENANCE_H

#include <stdio.h>

#include "config.h"
#include "strbuf.h"

/* The lab's release version ("0.1.0"). */
const char *lab_version(void);

/* `git describe --always --dirty` of the source tree at build time, or
 * "unknown" outside a git checkout. */
const char *lab_git_describe(void);

/* Write the provenance as comment lines, each starting with "# ": lab
 * version and commit, compiler, BLAS (with core type and threads),
 * OPENBLAS_CORETYPE, GSL, FFTW, inih, vector maths. Only facts fixed for a
 * given build and environment are written, so identical runs give identical
 * headers. */
void lab_provenance_write(FILE *f);

/* The "#" block that heads a run's results.tsv (and its shards' files):
 * what results.tsv holds, the provenance, the experiment, its kind, axes,
 * seeds and stream rule, and the config (the keys that change results, one
 * "#   " line each). Identical for identical runs. LAB_ENOMEM on failure. */
int lab_provenance_results_header(const lab_config *c, lab_strbuf *b);

#endif
