/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "baseline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "affine.h"
#include "fileio.h"
#include "status.h"

/* Whether axis a names the teacher (and its data): its key is in
 * [experiment], [teacher] or [data], or it is the seed. */
static int names_teacher(const lab_axis *a)
{
    const char *s = a->key->section;
    return strcmp(s, "experiment") == 0 || strcmp(s, "teacher") == 0 || strcmp(s, "data") == 0
        || strcmp(lab_axis_column(a), "seed") == 0;
}

/* Whether cell i is the first of its teacher: every other axis at its first
 * value. */
static int first_of_teacher(const lab_config *c, size_t i)
{
    for (size_t a = 0; a < c->naxes; a++)
        if (!names_teacher(&c->axes[a]) && lab_config_coord(c, i, a) != 0)
            return 0;
    return 1;
}

double lab_baseline_bytes(const lab_config *c)
{
    lab_config cell;
    double most = 0;
    if (lab_config_copy(&cell, c) != LAB_OK)
        return INFINITY;
    size_t ncells = lab_config_ncells(c);
    for (size_t i = 0; i < ncells; i++) {
        if (!first_of_teacher(c, i))
            continue;
        if (lab_config_cell(c, i, &cell) != LAB_OK) {
            most = INFINITY;
            break;
        }
        most = fmax(most, lab_affine_baseline_bytes(&cell));
    }
    lab_config_release(&cell);
    return most;
}

int lab_baseline_make(const char *rundir, const lab_config *c, lab_baseline *b, char *err,
                      size_t errlen)
{
    *b = (lab_baseline){ 0, 1, NAN, NAN, NAN };
    char *path = lab_path_join(rundir, "baseline.tsv");
    lab_config cell;
    int rc = path ? lab_config_copy(&cell, c) : LAB_ENOMEM;
    if (rc != LAB_OK) {
        free(path);
        return lab_fail(err, errlen, rc, "out of memory");
    }
    lab_atomic at;
    rc = lab_atomic_open(&at, path, err, errlen);
    int opened = rc == LAB_OK;
    if (opened) {
        for (size_t a = 0; a < c->naxes; a++)
            if (names_teacher(&c->axes[a])) {
                fprintf(at.f, "%s\t", lab_axis_column(&c->axes[a]));
                if (strcmp(lab_axis_column(&c->axes[a]), "seed") != 0)
                    b->ncurves *= c->axes[a].n;
            }
        fputs("eps_ols\tlinear_share\n", at.f);
    }
    double logsum = 0;
    size_t ncells = lab_config_ncells(c);
    for (size_t i = 0; i < ncells && rc == LAB_OK; i++) {
        if (!first_of_teacher(c, i))
            continue;
        double eps;
        if ((rc = lab_config_cell(c, i, &cell)) != LAB_OK) {
            lab_fail(err, errlen, rc, "out of memory");
            break;
        }
        if ((rc = lab_affine_baseline(&cell, &eps, err, errlen)) != LAB_OK)
            break;
        for (size_t a = 0; a < c->naxes; a++)
            if (names_teacher(&c->axes[a]))
                fprintf(at.f, "%s\t", c->axes[a].values[lab_config_coord(c, i, a)]);
        fprintf(at.f, "%.17g\t%.17g\n", eps, 1.0 - eps);
        logsum += log(eps);
        b->min = b->nteachers == 0 || eps < b->min ? eps : b->min;
        b->max = b->nteachers == 0 || eps > b->max ? eps : b->max;
        b->nteachers++;
    }
    if (rc == LAB_OK)
        rc = lab_atomic_commit(&at, err, errlen);
    else if (opened)
        lab_atomic_abort(&at);
    if (rc == LAB_OK && b->nteachers)
        b->gmean = exp(logsum / (double)b->nteachers);
    lab_config_release(&cell);
    free(path);
    return rc;
}
