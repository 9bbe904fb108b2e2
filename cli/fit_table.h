/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `lab fit` as a library: its options parsed into a struct, then one call
 * that fits the table and writes the fit tables and figures. cmd_fit.c adds
 * only the usage text and the printing, so the tests reach everything else.
 *
 * Ownership: lab_fit_options owns the lists it parsed (freed by
 * lab_fit_options_release()); its strings otherwise point into argv. */
#ifndef LAB_FIT_TABLE_H
#define LAB_FIT_TABLE_H

#include <stddef.h>

#include "fitting.h"

typedef struct lab_fit_options {
    lab_fit_request req;      /* what to fit (hooks left to the caller) */
    const char *table;        /* the table's path */
    const char *out;          /* --out DIR, or NULL: the folder fit/ beside the table */
    int force;                /* --force: replace the fit outputs in a folder in use */
    const char *starts_path;  /* --save-starts FILE, or NULL */
    int help;                 /* --help was asked for */
} lab_fit_options;

/* Parse `lab fit` arguments (argv[0] is "fit"). LAB_OK, or LAB_EINVAL with
 * a message (a usage error: the caller exits 2). After --help nothing else
 * is checked. */
int lab_fit_options_parse(int argc, char **argv, lab_fit_options *o, char *err, size_t errlen);
void lab_fit_options_release(lab_fit_options *o);

/* Fit the table as o says and write the fit tables in the output folder
 * (lab_fit_out_dir()) and its figures/: *fs receives the fits (the caller
 * frees it, also on failure). An output folder that holds anything is
 * refused (LAB_EINVAL) unless o->force, so a run's own fits and figures are
 * never written over by accident; with it, only the fit tables and fit_*
 * figures there are replaced. LAB_EINVAL or LAB_EFORMAT for a bad table,
 * folder or request (a usage error), LAB_EIO for outputs not written (the
 * message names each; a figure not written leaves the tables to be
 * written), other codes for run-time failures. */
int lab_fit_table(lab_fit_options *o, lab_fitting **fs, char *err, size_t errlen);

/* The output folder of o (--out, else fit/ beside the table), in a new
 * string. */
char *lab_fit_out_dir(const lab_fit_options *o);

#endif
