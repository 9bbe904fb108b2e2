/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Datasets: inputs drawn from a distribution, labelled by a teacher.
 *
 * Inputs are drawn row by row from one stream, so the first n rows do not
 * depend on how many rows are drawn: the training set of size n is a prefix
 * of the one of size 2n (nested training sets give smooth learning curves).
 *
 * Ownership: datasets from lab_dataset_alloc() are freed with
 * lab_dataset_free(); lab_dataset_free(NULL) does nothing. */
#ifndef LAB_DATA_H
#define LAB_DATA_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "mlp.h"

/* Input distributions, each with zero mean and identity covariance:
 *   gaussian  x ~ N(0, I)
 *   uniform   x_j ~ U(-sqrt 3, sqrt 3) independently */
enum lab_dist { LAB_DIST_GAUSSIAN, LAB_DIST_UNIFORM, LAB_NDIST };
extern const char *const lab_dist_names[LAB_NDIST];

/* Input spectra (THEORY.md §10.1; band.h): the gaussian inputs, read as
 * signals of length D, either as drawn (white) or filtered to a power
 * spectrum 1/f^a (powerlaw), each coordinate of unit variance. */
enum lab_input_spectrum { LAB_INPUTS_WHITE, LAB_INPUTS_POWERLAW, LAB_NINPUTS_SPECTRUM };
extern const char *const lab_input_spectrum_names[LAB_NINPUTS_SPECTRUM];

/* The names of data.bandlimit_test: "off" (0), "on" (1). */
extern const char *const lab_onoff_names[2];

typedef struct lab_dataset {
    size_t n;  /* number of points */
    size_t d;  /* input dimension D */
    double *x; /* (n, D) inputs, row-major */
    double *y; /* (n) labels */
} lab_dataset;

lab_dataset *lab_dataset_alloc(size_t n, size_t d);
void lab_dataset_free(lab_dataset *ds);

/* Fill the inputs with n draws from dist, in row order. */
void lab_data_sample(lab_dataset *ds, enum lab_dist dist, gsl_rng *r);

/* Label the inputs with the teacher's outputs, plus N(0, noise^2) label noise
 * drawn in row order from noise_rng when noise > 0 (noise_rng may be NULL
 * otherwise). w is a workspace for the teacher. */
void lab_data_label(lab_dataset *ds, const lab_mlp *teacher, lab_mlp_work *w,
                    double noise, gsl_rng *noise_rng);

#endif
