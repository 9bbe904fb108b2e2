/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Random MLP teachers: the noiseless, realizable targets of the lab.
 *
 * A teacher is a lab_mlp with Gaussian weights W_l ~ N(0, sigma_w^2 / fan_in)
 * and biases b_l ~ N(0, sigma_b^2), the usual "NNGP" parametrisation. After
 * drawing, its output layer is rescaled so that the outputs over the test
 * inputs have mean 0 and variance 1 (THEORY.md, "The setting"): an error of
 * 1 then means "no better than predicting the mean".
 *
 * Ownership: teachers are lab_mlp objects, freed with lab_mlp_free(). */
#ifndef LAB_TEACHER_H
#define LAB_TEACHER_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "mlp.h"

typedef struct lab_teacher_spec {
    size_t n_in;          /* D */
    size_t depth;         /* number of hidden layers */
    const size_t *widths; /* their widths */
    enum lab_act act;     /* hidden activation */
    double weight_scale;  /* sigma_w^2 */
    double bias_scale;    /* sigma_b^2 */
} lab_teacher_spec;

/* Draw a teacher's weights from r, layer by layer; NULL when out of memory or
 * when the spec is invalid. */
lab_mlp *lab_teacher_alloc(const lab_teacher_spec *spec, gsl_rng *r);

/* Rescale the output layer so the outputs on the n inputs X (n,D) have mean 0
 * and variance 1 (population variance). w is a workspace for t. Returns
 * LAB_ENUMERIC when the outputs are constant or not finite. */
int lab_teacher_normalize(lab_mlp *t, lab_mlp_work *w, size_t n, const double *X);

#endif
