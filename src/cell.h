/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One cell of a sweep: draw the teacher and data, train one student, measure.
 *
 * Everything a cell draws comes from streams named by the experiment seed and
 * the cell's own coordinates (rng.h), so its row is the same whichever cells
 * ran before it, in whichever process:
 *   teacher weights   (seed)        test inputs    (seed)
 *   training inputs   (seed), the first n rows     label noise    (seed)
 *   student init      (seed, width, depth)
 *   mini-batch order  (seed, n, width, depth)
 * The teacher is normalised on the test inputs (teacher.h); errors are
 * divided by the variance of the test labels. */
#ifndef LAB_CELL_H
#define LAB_CELL_H

#include <signal.h>
#include <stddef.h>

#include "config.h"
#include "results.h"

typedef struct lab_cell {
    long n, width, depth, seed;
} lab_cell;

/* Run the cell and fill row (wall_s included). A diverged run is a result,
 * not an error: it returns LAB_OK with row->status = LAB_ROW_DIVERGED. Returns
 * LAB_EINTERRUPTED when *stop became nonzero, and other codes (with a message)
 * only when the cell could not be run at all. */
int lab_cell_run(const lab_config *c, const lab_cell *cell, lab_row *row,
                 volatile sig_atomic_t *stop, char *err, size_t errlen);

/* The parameter count of the student of a cell. */
long lab_cell_params(const lab_config *c, const lab_cell *cell);

#endif
