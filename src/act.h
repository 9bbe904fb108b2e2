/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Activation functions of hidden layers, forward with derivative.
 *
 *   linear  g(z) = z                 g'(z) = 1
 *   tanh    g(z) = tanh z            g'(z) = 1 - g(z)^2
 *   relu    g(z) = max(z, 0)         g'(z) = [z > 0]
 *   erf     g(z) = erf(z / sqrt 2)   g'(z) = sqrt(2/pi) exp(-z^2 / 2)
 *
 * erf is scaled as in the teacher-student literature (Saad & Solla; Goldt et
 * al.), so that g is the CDF-like sigmoid of a standard normal. Every g has
 * g(0) = 0, which lets a wider student embed a narrower teacher by zero
 * padding (THEORY.md, "Students and realizability"). */
#ifndef LAB_ACT_H
#define LAB_ACT_H

#include <stddef.h>

enum lab_act { LAB_ACT_LINEAR, LAB_ACT_TANH, LAB_ACT_RELU, LAB_ACT_ERF, LAB_NACT };

/* Config names, indexed by enum lab_act ("linear", "tanh", ...). */
extern const char *const lab_act_names[LAB_NACT];

/* In place over n values: z[i] <- g(z[i]); when dz is not NULL also
 * dz[i] <- g'(z[i]) for the backward pass. Vectorised with libmvec where the
 * build found it. */
void lab_act_forward(enum lab_act a, size_t n, double *z, double *dz);

/* Scalar reference versions, for tests. */
double lab_act_eval(enum lab_act a, double z);
double lab_act_deriv(enum lab_act a, double z);

#endif
