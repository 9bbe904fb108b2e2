/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The command layer's fitting: tables in, fit tables and figures out. Used
 * by `lab fit` on any table and by `lab run` on its own results.
 *
 * A request names the forms, the columns, the grouping, the held-out
 * points, the loss and the bootstrap; lab_fitting_add() fits every (group,
 * form) pair of one table and collects the rows of fits.tsv,
 * diagnostics.tsv, scores.tsv and predictions.tsv, and draws one figure per
 * form; it never prints: what a user should see goes through the request's
 * hooks; lab_fitting_write() writes the four tables. Several requests can add
 * to one collection (lab run fits a law per width and a joint law).
 *
 * Ownership: a lab_fitting from lab_fitting_alloc() is freed with
 * lab_fitting_free(); requests are borrowed. */
#ifndef LAB_FITTING_H
#define LAB_FITTING_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fit.h"
#include "plot.h"
#include "strbuf.h"
#include "table.h"

enum lab_split { LAB_SPLIT_NONE, LAB_SPLIT_FRACTION, LAB_SPLIT_FROM, LAB_SPLIT_COLUMN };

typedef struct lab_fit_request {
    char **forms;          /* form specs, e.g. "hestness", "bnsl:2" */
    size_t nforms;
    char **x;              /* x columns, in the forms' order (NULL: each form's default) */
    size_t nx;
    const char *y;         /* y column (NULL: test_error) */
    char **group;          /* columns whose values split the table into fits */
    size_t ngroup;
    enum lab_split split;  /* which points are held out */
    double split_value;    /* the fraction, or the x from which to hold out */
    const char *split_col; /* a column of "fit" / anything else */
    lab_loss loss;
    size_t refine;         /* starts refined (0 = all) */
    size_t max_iter;       /* iterations of one local solve (0 = the fitter's default) */
    size_t bootstrap;      /* resamples (0 = none) */
    const char *boot_by;   /* column whose values are resampled whole, or NULL */
    uint64_t seed;         /* bootstrap streams */
    char **fix;            /* "name=value": parameters held fixed */
    size_t nfix;
    char **release;        /* names of parameters fixed by default, to fit */
    size_t nrelease;
    char **starts;         /* "name=v1,v2,...": start grids */
    size_t nstarts;
    enum lab_plot_format format;
    const char *figdir;    /* where figures go */
    const char *experiment; /* named in the figures' titles (NULL: the table's path) */
    FILE *starts_out;      /* when not NULL, the refined starts are written here */
    /* Messages for the caller to show (NULL: none): a failed fit or a
     * warning (note), and one line per fit with its parameters and scores
     * (fitted). */
    void (*note)(void *ctx, const char *message);
    void (*fitted)(void *ctx, const char *line);
    void *ctx;
} lab_fit_request;

/* When a fit is flagged (diagnostics.tsv's warning column, the caller's
 * note hook, "poor fit" in its figure): a poor fit misses the fitted or the
 * held-out points by an RMSLE above LAB_FIT_POOR_RMSLE (about 10 % on
 * average), predicts a held-out point as not finite, or did not converge;
 * a fit is also flagged, though not poor, with a parameter at a bound, or
 * when the predictions of the fits within a fraction LAB_FIT_NEAR of its
 * loss spread at the largest x by more than LAB_FIT_NEAR_SPREAD, as
 * log(highest / lowest) (they fit alike but extrapolate differently: their
 * range is drawn once it exceeds LAB_FIT_NEAR_DRAWN). */
#define LAB_FIT_POOR_RMSLE 0.1
#define LAB_FIT_NEAR 0.01
#define LAB_FIT_NEAR_SPREAD 0.1
#define LAB_FIT_NEAR_DRAWN 0.01

typedef struct lab_fitting lab_fitting;

lab_fitting *lab_fitting_alloc(void);
void lab_fitting_free(lab_fitting *fs);

/* Fit table t as asked. Failed fits (too few points, a curve that cannot
 * be evaluated) are reported in diagnostics.tsv and on stderr and do not
 * stop the others; bad requests (unknown form or column, non-numeric cells,
 * non-positive values under a log) return LAB_EINVAL with a message. A
 * figure that cannot be written does not stop the fits either: LAB_EIO at
 * the end, the message naming each figure missing. */
int lab_fitting_add(lab_fitting *fs, const lab_table *t, const lab_fit_request *req,
                    char *err, size_t errlen);

/* Write fits.tsv, diagnostics.tsv, scores.tsv and predictions.tsv in dir;
 * one that cannot be written leaves the others to be written, and LAB_EIO
 * comes back with a message naming each missing. */
int lab_fitting_write(lab_fitting *fs, const char *dir, char *err, size_t errlen);

/* Fits that failed so far. */
size_t lab_fitting_failures(const lab_fitting *fs);

/* For each group fitted with several forms, a line ranking the forms by
 * their held-out RMSLE (by their fitted RMSLE when nothing is held out),
 * appended to out. */
void lab_fitting_ranking(const lab_fitting *fs, lab_strbuf *out);

#endif
