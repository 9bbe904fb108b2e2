/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The label noise of least squares, linearised (THEORY.md §5.2).
 *
 * Near a fit theta of noiseless labels a student is nearly linear in its
 * parameters, f(x; theta + d) ~ f(x; theta) + J(x) d. Least squares on
 * labels with added noise xi (independent, variance s^2) then moves the fit
 * by d = (J^T J)^-1 J^T xi, J the n x P Jacobian on the training inputs,
 * and raises the test MSE by s^2 tr((J^T J)^-1 J_t^T J_t) / T on average,
 * J_t the T x P Jacobian on the test inputs. We report it as
 *
 *   dof = n tr((J^T J)^-1 J_t^T J_t) / T,   E[noise] = s^2 dof / n,
 *
 * the number of parameters the noise is fitted with: dof -> P as n grows
 * (J^T J ~ n Sigma and J_t^T J_t ~ T Sigma), above P at finite n (the
 * sample Gram's inverse is biased up). What it leaves out is the curvature
 * of f in theta, whose effect grows with s^2 / n: the measured noise part
 * against s^2 dof / n tells the two apart.
 *
 * Ownership: a lab_linear_noise workspace (the P x P Gram and one chunk of
 * Jacobian rows) belongs to the caller; the network, its work and the data
 * are borrowed during the call. */
#ifndef LAB_LINEAR_NOISE_H
#define LAB_LINEAR_NOISE_H

#include <stddef.h>

#include "data.h"
#include "mlp.h"

typedef struct lab_linear_noise lab_linear_noise;

/* A workspace for P parameters, Jacobians taken `rows` inputs at a time
 * (at most the rows of the lab_mlp_work that will be passed). NULL when
 * memory runs out. */
lab_linear_noise *lab_linear_noise_alloc(size_t P, size_t rows);
void lab_linear_noise_free(lab_linear_noise *ln);
double lab_linear_noise_bytes(size_t P, size_t rows);

/* dof (above) of network m at its current parameters, on the inputs of
 * train and test; NaN when J^T J is singular to working precision (n < P,
 * or a fit with idle units, such as a planted student's padding). w holds at
 * least the workspace's rows. LAB_OK, or LAB_EINVAL when P differs. */
int lab_linear_noise_dof(lab_linear_noise *ln, const lab_mlp *m, lab_mlp_work *w,
                         const lab_dataset *train, const lab_dataset *test, double *dof);

#endif
