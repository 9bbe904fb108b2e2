/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The decomposition of a measured test error into its sources (THEORY.md
 * §5): noise, realizability, uncertainty and learning deficiency.
 *
 * Each seed (one teacher and one training set) of a group (one student
 * shape and one n) brings the test errors of four learners, all measured on
 * the same test set:
 *
 *   trained     the learner under study, on the labels as given (noisy or not)
 *   refined     the trained students refined to convergence on the same labels
 *   clean       the same refinement, from the same place, on noiseless labels
 *   realizable  the class's floor: its best error with ample data (0 when the
 *               student contains the teacher)
 *
 * and the parts are differences of these, so they sum to the measured error
 * by construction (up to one rounding per part):
 *
 *   learning deficiency  = trained - refined
 *   noise                = refined - clean
 *   uncertainty          = clean - realizable
 *   realizability        = realizable
 *
 * The clean learner's disagreement (the spread of its initialisation
 * replicates about their mean, part of its error) is carried along:
 * uncertainty minus disagreement is what an averaging learner keeps.
 *
 * Statistics are over seeds: the mean of each part and a percentile
 * bootstrap interval from resamples of whole seeds, drawn from the stream
 * (seed, LAB_STREAM_BOOTSTRAP, key, b), so intervals are reproducible.
 *
 * Ownership: a lab_decomposition from lab_decompose() owns its texts; free it
 * with lab_decomposition_free() (NULL is fine). The table is borrowed. */
#ifndef LAB_DECOMPOSE_H
#define LAB_DECOMPOSE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "table.h"

/* The learners a seed brings, as named in a results table's "learner"
 * column. */
enum lab_dlearner { LAB_DL_TRAINED, LAB_DL_REFINED, LAB_DL_CLEAN, LAB_DL_REALIZABLE,
                    LAB_NDL };
extern const char *const lab_dlearner_names[LAB_NDL];

/* The parts, in the order decomposition.tsv writes them. */
enum lab_dpart { LAB_DP_NOISE, LAB_DP_REAL, LAB_DP_UNC, LAB_DP_LD, LAB_NDP };
extern const char *const lab_dpart_names[LAB_NDP];

/* One seed of a group: each learner's test error, the clean learner's
 * disagreement and the refined learner's linearised noise (NaN when the
 * table has no noise_linear column). */
typedef struct lab_dseed {
    double error[LAB_NDL];
    double disagreement;
    double noise_linear;
} lab_dseed;

/* The parts of one seed (they sum to error[LAB_DL_TRAINED]). */
void lab_dseed_parts(const lab_dseed *s, double part[LAB_NDP]);

/* A mean over seeds and its bootstrap interval. */
typedef struct lab_dstat {
    double mean, lo, hi;
} lab_dstat;

/* What is reported of a group: the measured error, the parts, the
 * disagreement and the linearised noise (src/linear_noise.h). */
enum { LAB_DS_MEASURED = LAB_NDP, LAB_DS_DISAGREEMENT, LAB_DS_NOISE_LIN, LAB_NDS };

typedef struct lab_dgroup {
    char **values;       /* the group columns' values */
    size_t nseeds;       /* seeds with all four learners ok */
    size_t dropped;      /* seeds left out: a learner missing, not ok, or nan */
    lab_dstat stat[LAB_NDS]; /* by enum lab_dpart, then LAB_DS_* */
} lab_dgroup;

typedef struct lab_decomposition {
    size_t ncols;        /* group columns */
    char **cols;         /* their names */
    size_t ngroups;
    lab_dgroup *groups;  /* in the order the table first shows them */
} lab_decomposition;

typedef struct lab_decompose_opts {
    const char *const *group; /* the columns that name a group (shape, n, ...) */
    size_t ngroup;
    size_t B;                 /* bootstrap resamples (0: no intervals, NaN) */
    double level;             /* interval level, e.g. 0.95 */
    uint64_t seed;            /* experiment seed of the bootstrap streams */
} lab_decompose_opts;

/* Statistics of one group's seeds into stat (LAB_NDS entries); key tells
 * the groups' bootstrap streams apart. LAB_ENOMEM or LAB_OK. */
int lab_dseeds_stats(const lab_dseed *s, size_t n, const lab_decompose_opts *o, uint64_t key,
                     lab_dstat *stat);

/* Decompose a results table with the columns of o->group, "seed",
 * "learner", "test_error", "disagreement", "status" and, optionally,
 * "noise_linear". LAB_EFORMAT naming
 * file, line and column when one is missing or a value is malformed. */
int lab_decompose(const lab_table *t, const lab_decompose_opts *o, lab_decomposition **out,
                  char *err, size_t errlen);
void lab_decomposition_free(lab_decomposition *d);

/* decomposition.tsv: the group columns, seeds, then mean, lo and hi of
 * measured, each part, the disagreement and the linearised noise. LAB_EIO when writing fails. */
int lab_decomposition_write(const lab_decomposition *d, FILE *f);

#endif
