/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Vector loops without fast-math.
 *
 * LAB_SIMD before a loop asks the compiler to vectorise it (OpenMP's simd
 * directive, enabled by -fopenmp-simd alone, without OpenMP threads);
 * LAB_VECTOR_KERNEL before a function builds it twice, for AVX2 and for the
 * x86-64 baseline, and picks one at load time. Both are empty when configure
 * found no libmvec (then the loops are plain loops). Neither changes IEEE
 * semantics: results are reproducible on a given machine. */
#ifndef LAB_SIMD_H
#define LAB_SIMD_H

#include <configure.h>

#include <math.h>

#ifdef LAB_SIMD_MATH
/* glibc's libm declares its vector variants (libmvec) only under
 * -ffast-math, which we refuse: divergence checks need IEEE semantics.
 * Declaring them here lets LAB_SIMD loops call the vector versions, which are
 * as accurate (a few ulp) but several times faster. */
double tanh(double) __attribute__((simd("notinbranch")));
double erf(double) __attribute__((simd("notinbranch")));
double exp(double) __attribute__((simd("notinbranch")));
double log(double) __attribute__((simd("notinbranch")));
double log1p(double) __attribute__((simd("notinbranch")));
#define LAB_SIMD _Pragma("omp simd")
#define LAB_VECTOR_KERNEL __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LAB_SIMD
#define LAB_VECTOR_KERNEL
#endif

#endif
