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
 * dz[i] <- g'(z[i]) for the backward pass. tanh and erf are vectorised with
 * the library chosen at configure time (--with-vecmath, README "Vector
 * maths"): glibc's libmvec where the build found it, or SLEEF. A value's bits
 * never depend on n or on its place in z. */
void lab_act_forward(enum lab_act a, size_t n, double *z, double *dz);

/* The vector maths' paths, best first, for tests and benches: with
 * --with-vecmath=sleef "avx512f", "avx2", "purecfma" (scalar, FMA) and "purec"
 * (scalar, no FMA), of which lab_act_forward() takes the first this CPU
 * runs; with libmvec one, "libmvec" (the compiler's clones pick its variant
 * at load time). NULL past the last. */
const char *lab_act_path_name(size_t path);

/* lab_act_forward() on the given path. Returns 0, or -1 (nothing done) when
 * there is no such path or this CPU cannot run it. */
int lab_act_forward_path(size_t path, enum lab_act a, size_t n, double *z, double *dz);

/* A one-line description of the vector maths, for provenance: "libmvec",
 * "scalar libm", or "SLEEF 3.5.1 1.0-ulp tanh, erf and exp (erf's
 * derivative), path avx512f". Writes into buf. */
const char *lab_act_describe(char *buf, size_t len);

/* Scalar reference versions, for tests. */
double lab_act_eval(enum lab_act a, double z);
double lab_act_deriv(enum lab_act a, double z);

#endif
