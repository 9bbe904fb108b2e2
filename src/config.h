/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Experiment configuration: INI files read with inih, typed and validated,
 * and the axes of the sweep.
 *
 * Every key has a type, a default, a documented meaning, a valid range and
 * the random streams it shapes, all in one table (config.c, plus the
 * sections an experiment kind adds: kind.h), from which loading,
 * validation, `lab show`, the resolved config.cfg of a run folder and the
 * stream rule are derived. Errors name the file, the line and the key:
 * "exp.cfg:12: train.lr: expected a number > 0, got "fast"". Command-line
 * overrides (--set section.key=value) go through the same parser and report
 * "--set section.key=value" in place of file:line.
 *
 * Axes. Any key that changes results can be swept: `[sweep] section.key =
 * values` makes it an axis, and the sweep is the product of the axes. Values
 * are lists ("8, 16, 32", names "adam, sgd"), integer ranges ("0..4",
 * "1..9 +2", "64..16384 x2"), ranges of reals ("1e-4..1e-1 x10",
 * "0..1 +0.25") or, for keys whose value is itself a list, lists separated
 * by '|' ("16 | 32 | 16, 16"). A few keys are always axes and take their
 * lists where they live: `sweep.n`, `sweep.seeds` (the replicates),
 * `sweep.init_seeds` (replicates of the initialisation alone: no column while
 * it is 0) and the student's `width` and `depth`. Axes come in table order: n first, then the
 * other keys in the order of the key table, the seed last; each value is
 * kept as its canonical text, which is also its text in results.tsv.
 *
 * A cell of the sweep is the config with every axis set to one of its
 * values (lab_config_cell()); everything a cell computes depends on that
 * cell config alone.
 *
 * Ownership: lab_config owns its strings, lists, axes and kind sections;
 * lab_config_init() sets the defaults and lab_config_release() frees what
 * the config owns. */
#ifndef LAB_CONFIG_H
#define LAB_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "rng.h"
#include "strbuf.h"

/* A list of integers (a key whose value is a list, e.g. teacher.widths). */
typedef struct lab_list {
    size_t n;
    long *v;
} lab_list;

/* ==== Keys =================================================================== */

enum lab_key_type {
    LAB_KEY_STRING, LAB_KEY_U64, LAB_KEY_LONG, LAB_KEY_DOUBLE, LAB_KEY_ENUM, LAB_KEY_LIST
};

/* Key flags. */
#define LAB_KEY_COSMETIC 1u  /* does not change any number in the results */
#define LAB_KEY_MIN_OPEN 2u  /* the lower bound is excluded */
#define LAB_KEY_MAX_OPEN 4u  /* the upper bound is excluded */
#define LAB_KEY_FOLDER 8u    /* a string usable as a folder name */
#define LAB_KEY_AXIS 16u     /* always an axis: its value is a list, where it lives */
#define LAB_KEY_FORMS 32u    /* "none" or scaling-law forms (checked in finish) */
#define LAB_KEY_KIND 64u     /* the name of an experiment kind */
#define LAB_KEY_AXES 128u    /* names of axes (checked in finish) */
#define LAB_KEY_QUIET 256u   /* with LAB_KEY_AXIS: no axis (no column) while it holds
                                only its default, so adding the key changed no table */

/* The streams a key shapes, as a bit mask of 1 << enum lab_stream. */
#define LAB_SHAPES(purpose) (1u << (purpose))
#define LAB_SHAPES_ALL 0xffffu

typedef struct lab_key {
    const char *section, *name;
    enum lab_key_type type;
    size_t off;                 /* offset of the value in its section's struct */
    const char *def, *doc;      /* default (as written in a file), meaning */
    double min, max;            /* numeric range; lists bound each value */
    unsigned flags;
    unsigned shapes;            /* the streams whose draws the key shapes (THEORY.md §7) */
    const char *const *choices; /* LAB_KEY_ENUM: the names */
    int nchoices;
    const char *column;         /* the column of the axis (NULL: "section.key") */
    const char *label;          /* short label in figure keys, e.g. "w" (NULL: column) */
} lab_key;

/* A section of keys whose values live in a struct of their own: how an
 * experiment kind adds keys without touching this file. */
typedef struct lab_section {
    const char *name;
    const lab_key *keys;
    size_t nkeys;
    size_t size;                /* sizeof the struct holding the values */
} lab_section;

/* The names of a yes/no key: "false" (0), "true" (1). */
extern const char *const lab_bool_names[2];

/* ==== The config =============================================================== */

/* Bounds of the fixed-size tables below. */
#define LAB_CONFIG_MAXKEYS 96
#define LAB_CONFIG_MAXAXES 16
#define LAB_CONFIG_MAXSECTIONS 16

/* An axis of the sweep: a key and its values. */
typedef struct lab_axis {
    const lab_key *key;
    char *column;               /* its column: the key's own, or "section.key" */
    size_t n;                   /* number of values */
    char **values;              /* their canonical text */
    int line;                   /* where it was set: 0 default, > 0 line, -1 command line */
} lab_axis;

typedef struct lab_config {
    /* [experiment] */
    char *name;             /* experiment name; default output runs/<name> */
    char *kind;             /* experiment kind (kind.h) */
    uint64_t seed;          /* experiment seed: every stream derives from it */
    /* [teacher] */
    long input_dim;         /* D */
    lab_list teacher_widths; /* hidden widths (one entry per hidden layer) */
    int teacher_act;        /* enum lab_act */
    double weight_scale;    /* sigma_w^2: W ~ N(0, sigma_w^2 / fan_in) */
    double bias_scale;      /* sigma_b^2: b ~ N(0, sigma_b^2) */
    double label_noise;     /* std of Gaussian noise added to training labels */
    /* [data] */
    int distribution;       /* enum lab_dist */
    long test_size;         /* test points per teacher */
    int spectrum;           /* enum lab_input_spectrum */
    double spectrum_exponent; /* a: power 1/f^a (spectrum = powerlaw) */
    long bandlimit;         /* B: inputs keep the Fourier bins 0..B; -1 = off */
    int bandlimit_test;     /* 1: test inputs band-limited too (0: full band) */
    /* [train] */
    int optimizer;          /* enum lab_optimizer */
    double lr;
    long batch;             /* 0 = full batch */
    long steps;
    int schedule;           /* enum lab_schedule */
    double momentum, beta1, beta2, eps, weight_decay;
    double target_loss;
    long check_every, patience;
    double plateau_tol;
    int online;             /* 1: every batch is fresh (n = samples seen) */
    /* [sweep]: the values of a cell (always axes) */
    long n;                 /* training-set size */
    long replicate;         /* replicate index ("seed" in tables) */
    long init_replicate;    /* initialisation replicate ("init_seed"): the init stream only */
    /* [output] */
    char *dir;              /* run folder; "" = runs/<name> */
    /* [plot] */
    int format;             /* enum lab_plot_format */
    char *curves;           /* figures: "X:SERIES, ..." ("" = the kind's) */
    /* [fit] */
    char *fit_per_curve;    /* forms fitted to each learning curve: "hestness", "none", ... */
    char *fit_joint;        /* forms fitted over the grid: "rosenfeld", "none", ... */
    char *fit_x;            /* the axis a learning curve runs along */
    double fit_holdout;     /* fraction of the largest x held out */
    long fit_bootstrap;     /* bootstrap refits */
    int fit_loss;           /* enum lab_loss_kind */

    /* The values of the kinds' own sections, by section index. */
    void *sections[LAB_CONFIG_MAXSECTIONS];
    /* The axes, in table order. */
    size_t naxes;
    lab_axis axes[LAB_CONFIG_MAXAXES];

    /* Where each key was set, by key index: 0 = default, > 0 = the line in
     * `source`, -1 = the command line. */
    int line[LAB_CONFIG_MAXKEYS];
    char *source;           /* path of the file loaded, or NULL */
} lab_config;

/* Fill c with the defaults of every key. LAB_ENOMEM on failure (then
 * lab_config_release() is still safe). */
int lab_config_init(lab_config *c);
void lab_config_release(lab_config *c);

/* A deep copy of src into dst (uninitialised). */
int lab_config_copy(lab_config *dst, const lab_config *src);

/* Read an INI file into c (which holds defaults or earlier values). Keys not
 * in the file keep their values. LAB_EIO if the file cannot be read,
 * LAB_ECONFIG with "file:line: key: what was expected" in err otherwise. */
int lab_config_load(lab_config *c, const char *path, char *err, size_t errlen);

/* The same from a string, reported as `name` in messages (for tests). */
int lab_config_load_string(lab_config *c, const char *text, const char *name,
                           char *err, size_t errlen);

/* Apply one "section.key=value" override from the command line:
 * "sweep.section.key=values" sweeps a key, "section.key=value" fixes it (and
 * ends its sweep). */
int lab_config_set(lab_config *c, const char *assignment, char *err, size_t errlen);

/* Whether value may be the value of the string key section.name (a path
 * given by an option of its own, e.g. --out); LAB_ECONFIG with the reason
 * in why when not. */
int lab_config_check_value(const char *section, const char *name, const char *value,
                           char *why, size_t len);

/* A list of reals written as a real axis takes them: "0.5, 1, 2",
 * "1e-4..1e-1 x10", "0..1 +0.25" (ranges rounded to 15 digits), each value
 * > min (>= min without LAB_KEY_MIN_OPEN in flags) and <= max, for command
 * options that take such lists. *v is malloc'ed (the caller frees it), *n
 * its length. LAB_EINVAL with "expected a list of numbers ...: reason" in
 * why when the text is not such a list; LAB_ENOMEM. */
int lab_config_parse_reals(const char *text, double min, double max, unsigned flags,
                           double **v, size_t *n, char *why, size_t len);

/* The shortest decimal that reads back to exactly v; whole numbers below
 * 1e15 without an exponent (10, not 1e+01). */
void lab_value_format_double(double v, char *buf, size_t len);

/* Checks that involve several keys (keys of another kind, the size of the
 * sweep, memory, online training, figures and fits naming axes, and the
 * kind's own check: kind.h), and fills in derived defaults (the output folder, the kind's figures). LAB_ECONFIG with a
 * located message when they fail. */
int lab_config_finish(lab_config *c, char *err, size_t errlen);

/* Where key section.name was set, for a message about it: "file:line:
 * section.key", "--set section.key" or "file: section.key (default)". */
void lab_config_where(const lab_config *c, const char *section, const char *name, char *buf,
                      size_t len);

/* Write the resolved configuration as INI, every key with its value and a
 * comment saying what it means; it loads back to the same config. With
 * results_only, only the keys that change the numbers are written, without
 * comments. */
int lab_config_write(const lab_config *c, FILE *f, int results_only);

/* Compare the keys and axes that change results; 0 if equal, else 1 with
 * the first difference described in msg. */
int lab_config_compare(const lab_config *a, const lab_config *b, char *msg, size_t len);

/* ==== Axes and cells ============================================================ */

/* The column name of an axis ("n", "width", "train.lr", ...) and its label
 * in figure keys ("n", "w", "train.lr", ...). */
const char *lab_axis_column(const lab_axis *a);
const char *lab_axis_label(const lab_axis *a);

/* Whether axis a holds replicates (the seed, the initialisation seed):
 * summaries, figures and fits average over them. */
int lab_axis_is_replicate(const lab_axis *a);

/* The axis named by its column, or NULL. */
const lab_axis *lab_config_axis(const lab_config *c, const char *column);

/* The number of cells: the product of the axes' sizes. */
size_t lab_config_ncells(const lab_config *c);

/* The value index of axis a in cell i (cells are numbered with the first
 * axis outermost). */
size_t lab_config_coord(const lab_config *c, size_t i, size_t a);

/* Cell i as a config of its own: c with every axis set to the cell's value.
 * cell must hold a copy of c (lab_config_copy()), or an earlier cell of the
 * same c: only the axes' keys are rewritten. */
int lab_config_cell(const lab_config *c, size_t i, lab_config *cell);

/* ==== Kinds' sections and streams ==================================================== */

/* The values of a kind's section in c (NULL when no kind has it). */
void *lab_config_section(const lab_config *c, const lab_section *s);

/* The generator of a stream for a cell config: its seed and stream derive
 * from the experiment seed, the purpose, and the canonical values of exactly
 * the keys that shape this purpose's draws and differ from their defaults
 * (THEORY.md §7). NULL when out of memory. */
gsl_rng *lab_config_rng(const lab_config *c, enum lab_stream purpose);

/* The 64-bit digest of those values, on which the stream depends.
 * LAB_ENOMEM when out of memory. */
int lab_config_stream_key(const lab_config *c, enum lab_stream purpose, uint64_t *key);

/* The canonical text of a key's value in c (as its axis values are written),
 * appended to b; the key is found by its full name "section.key". LAB_EINVAL
 * when there is no such key. */
int lab_config_value_text(const lab_config *c, const char *fullname, lab_strbuf *b);

#endif
