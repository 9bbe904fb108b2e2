/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Experiment kinds: what one cell of a sweep computes.
 *
 * A kind is one entry in the table of kind.c: its name, the config sections
 * (keys) it adds, the columns of its rows, and its cell function. The sweep
 * engine, the results table, resuming, sharding and the summary know kinds
 * only through this interface, so adding a kind touches that table and one
 * new file.
 *
 * A cell function gets the cell's own config (every axis set to the cell's
 * value: config.h) and fills a fixed number of rows, rows(cell), each with
 * the kind's columns; the axes' columns are added by the engine. A cell may
 * so report one row per pruning round or per learner, and may train several
 * students on the same data. Every random number it draws must come from
 * lab_config_rng() on the cell config, so that its rows depend on that config
 * alone (never on which cells ran before, in which process or shard).
 *
 * Every kind has a column "status" (lab_status_names: ok or diverged): a run
 * that diverged is a result, not an error.
 *
 * Ownership: kinds are static; lab_rows buffers belong to the caller. */
#ifndef LAB_KIND_H
#define LAB_KIND_H

#include <signal.h>
#include <stddef.h>

#include "config.h"

enum lab_col_type {
    LAB_COL_INT,    /* an integer, written %ld */
    LAB_COL_REAL,   /* a double, written %.17g (nan for none) */
    LAB_COL_NAME,   /* one of the column's names, stored as its index */
    LAB_COL_TIME    /* seconds, written %.3f; the name ends in _s (timings differ between runs) */
};

/* What summary.tsv gives of a column over the seeds of a group. */
enum lab_col_stat {
    LAB_STAT_NONE,   /* nothing */
    LAB_STAT_KEY,    /* the column splits rows into groups, like an axis (a round, a learner) */
    LAB_STAT_SAME,   /* one value per group (e.g. the parameter count) */
    LAB_STAT_MEAN,   /* the mean */
    LAB_STAT_MEANSD, /* mean and standard deviation */
    LAB_STAT_FULL    /* mean, standard deviation, minimum and maximum */
};

typedef struct lab_column {
    const char *name;
    enum lab_col_type type;
    const char *const *names;   /* LAB_COL_NAME: the names */
    int nnames;
    enum lab_col_stat stat;
    const char *doc;            /* one line for the README and `lab show` */
} lab_column;

/* The status column's names. */
enum lab_row_status { LAB_ROW_OK, LAB_ROW_DIVERGED, LAB_NROW };
extern const char *const lab_status_names[LAB_NROW];

/* The rows of one cell: nrows x ncols values, row-major, in the kind's
 * column order; a name is stored as its index, an integer as an exact
 * double. */
typedef struct lab_rows {
    size_t nrows, ncols;
    double *v;
} lab_rows;

typedef struct lab_kind {
    const char *name;
    const char *doc;
    const lab_section *const *sections; /* the sections it adds */
    size_t nsections;
    const lab_column *columns;
    size_t ncolumns;
    const char *error;          /* the column that figures and fits show */
    const char *curves;         /* default [plot] curves: "X:SERIES, ..." */
    const char *joint;          /* default [fit] joint: forms, or "none" */
    const char *size_axes;      /* the axes that set the model's size, which joint fits
                                   see through the column "params" */
    int teacher;                /* learns a random teacher (problem.h): the report gives
                                   the teacher's linear baseline (cli/baseline.h) */
    int band_inputs;            /* draws white gaussian inputs of its own that
                                   data.bandlimit may band-limit (its cell function
                                   filters them); without a teacher, other kinds refuse
                                   data.bandlimit and data.spectrum */
    int decompose;              /* its rows are learners whose errors decompose
                                   (analysis/decompose.h): the report writes
                                   decomposition.tsv (cli/decomposition.h) */
    const char *data_axis;      /* the axis learning curves run along (the default of
                                   fit.x); NULL: n. A kind with another data axis does
                                   not use sweep.n (it is no axis of its tables) */
    /* Rows per cell (at least 1). */
    size_t (*rows)(const lab_config *cell);
    /* A relative cost, to run the longest cells first and balance shards. */
    double (*cost)(const lab_config *cell);
    /* The most bytes the cell's run holds at once (its data, networks,
     * workspaces, optimizer state, solver scratch), an upper bound but a
     * close one: the sweep refuses a cell that does not fit in the memory
     * available and runs only as many cells at once as fit (sweep.h). The
     * process's own fixed overhead is the engine's to add. */
    double (*memory)(const lab_config *cell);
    /* Checks of the kind's keys against others, over every cell (NULL: none),
     * run last by lab_config_finish(): LAB_ECONFIG with a message that names
     * file, line and key (lab_config_where()). */
    int (*check)(const lab_config *c, char *err, size_t errlen);
    /* Fill out (nrows and ncols already set, v sized for them). Returns
     * LAB_OK (a diverged run included), LAB_EINTERRUPTED once *stop is
     * nonzero, or another status with a message when the cell cannot run. */
    int (*run)(const lab_config *cell, lab_rows *out, volatile sig_atomic_t *stop,
               char *err, size_t errlen);

    /* Cell groups (all NULL: every cell runs alone). Cells that differ
     * only in the axes group_axes names ("section.key, ...") and that
     * groupable() accepts may run as one group: run_group() fills each
     * cell's rows with the bits run() gives it alone (the time columns
     * aside), sharing what the cells share (the data, the batches, the
     * first-layer product: pack.h). group_memory() bounds the bytes the
     * group holds at once, as memory() for one cell. run_group() returns
     * LAB_OK, LAB_EINTERRUPTED, or another status with a message, and the
     * engine then runs the cells one by one (so that the cell at fault is
     * named). Which cells share a group never changes a number. */
    const char *group_axes;
    int (*groupable)(const lab_config *cell);
    double (*group_memory)(const lab_config *const *cells, size_t n);
    int (*run_group)(const lab_config *const *cells, size_t n, lab_rows *outs,
                     volatile sig_atomic_t *stop, char *err, size_t errlen);
} lab_kind;

/* The kinds, and the one named (NULL when none is). */
extern const lab_kind *const lab_kinds[];
extern const size_t lab_nkinds;
const lab_kind *lab_kind_find(const char *name);

/* The kind of a config (the default kind when its name is unknown). */
const lab_kind *lab_config_kind(const lab_config *c);

/* The index of a column by name, or -1. */
long lab_kind_column(const lab_kind *k, const char *name);

#endif
