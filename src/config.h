/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Experiment configuration: INI files read with inih, typed and validated.
 *
 * Every key has a type, a default, a documented meaning and a valid range,
 * all in one table (config.c), from which loading, validation, `lab show` and
 * the resolved config.cfg of a run folder are derived. Errors name the file,
 * the line and the key: "exp.cfg:12: train.lr: expected a number > 0, got
 * "fast"". Command-line overrides (--set section.key=value) go through the
 * same parser and report "--set section.key=value" in place of file:line.
 *
 * Swept keys take lists: "8, 16, 32", ranges "0..4" or "1..9 +2", geometric
 * ranges "64..16384 x2", and any comma-separated mixture of these.
 *
 * Ownership: lab_config owns its strings and lists; lab_config_init() sets
 * the defaults and lab_config_release() frees what the config owns. */
#ifndef LAB_CONFIG_H
#define LAB_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A list of integers from a swept key, in the order given. */
typedef struct lab_list {
    size_t n;
    long *v;
} lab_list;

/* The losses [fit] loss accepts, with their default parameters. */
extern const char *const lab_config_losses[4]; /* log, rel, huber, asym */

/* The most keys the table may hold (a compile-time bound for `line`). */
#define LAB_CONFIG_MAXKEYS 64

typedef struct lab_config {
    /* [experiment] */
    char *name;             /* experiment name; default output runs/<name> */
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
    /* [student] */
    lab_list width;         /* swept: hidden width */
    lab_list depth;         /* swept: number of hidden layers */
    int student_act;        /* enum lab_act */
    int init;               /* enum lab_init */
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
    /* [sweep] */
    lab_list n;             /* swept: training-set sizes */
    lab_list seeds;         /* swept: replicate indices */
    /* [output] */
    char *dir;              /* run folder; "" = runs/<name> */
    /* [plot] */
    int format;             /* enum lab_plot_format */
    /* [fit] */
    char *fit_per_width;    /* forms fitted per (width, depth): "hestness", "none", ... */
    char *fit_joint;        /* forms fitted over the grid: "rosenfeld", "none", ... */
    double fit_holdout;     /* fraction of the largest n held out */
    long fit_bootstrap;     /* bootstrap refits */
    int fit_loss;           /* index into lab_config_losses */

    /* Where each key was set, by table index: 0 = default, > 0 = the line in
     * `source`, -1 = the command line. */
    int line[LAB_CONFIG_MAXKEYS];
    char *source;           /* path of the file loaded, or NULL */
} lab_config;

/* Fill c with the defaults of every key. LAB_ENOMEM on failure (then
 * lab_config_release() is still safe). */
int lab_config_init(lab_config *c);
void lab_config_release(lab_config *c);

/* Read an INI file into c (which holds defaults or earlier values). Keys not
 * in the file keep their values. LAB_EIO if the file cannot be read,
 * LAB_ECONFIG with "file:line: key: what was expected" in err otherwise. */
int lab_config_load(lab_config *c, const char *path, char *err, size_t errlen);

/* The same from a string, reported as `name` in messages (for tests). */
int lab_config_load_string(lab_config *c, const char *text, const char *name,
                           char *err, size_t errlen);

/* Apply one "section.key=value" override from the command line. */
int lab_config_set(lab_config *c, const char *assignment, char *err, size_t errlen);

/* Checks that involve several keys, and fills in derived defaults (the output
 * folder). LAB_ECONFIG with a located message when they fail. */
int lab_config_finish(lab_config *c, char *err, size_t errlen);

/* Write the resolved configuration as INI, every key with its value and a
 * comment saying what it means; it loads back to the same config. With
 * results_only, only the keys that change the numbers are written (not the
 * name, the output folder or the figure format). */
int lab_config_write(const lab_config *c, FILE *f, int results_only);

/* Compare the keys that change results; 0 if equal, else 1 with the first
 * differing key and both values described in msg. */
int lab_config_compare(const lab_config *a, const lab_config *b, char *msg, size_t len);

#endif
