/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What produced a result: the lab's version and the libraries it ran on. */
#ifndef LAB_PROVENANCE_H
#define LAB_PROVENANCE_H

#include <stdio.h>

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

#endif
