/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A dense layer's forward product, Z = A W^T + b, summed in a fixed order.
 *
 * Every Z_ij is b_j + s_ij, where s_ij starts at 0 and takes A_ik W_jk by
 * one fused multiply-add for each k = 0, 1, .., K-1 in turn: its bits
 * depend on row i of A, row j of W and b_j alone, never on the batch size B,
 * the layer's width N or the CPU's vector length. So a student planted at
 * its teacher (lab_mlp_embed(): zero columns appended to W) computes the
 * teacher's every bit at any depth, width and batch (THEORY.md §5.2); a
 * BLAS product groups a longer sum, or a batch of another size, otherwise.
 * OpenBLAS sums short products (K <= 16 on the machines measured) in this
 * same order, so those results keep their bits.
 *
 * Shapes as in mlp.h: A is (B,K), W is (N,K), b is (N), Z is (B,N), all
 * row-major and contiguous. The caller owns every buffer, the workspace
 * included; nothing is kept between calls. */
#ifndef LAB_DENSE_H
#define LAB_DENSE_H

#include <stddef.h>

/* Doubles of workspace lab_dense_forward() needs for B rows. */
size_t lab_dense_work_len(size_t B);

/* Z = A W^T + b in the fixed order above. Z must not overlap A, W or b. */
void lab_dense_forward(size_t B, size_t n, size_t k, const double *A, const double *W,
                       const double *b, double *Z, double *work);

/* The same by a chosen kernel, for the tests that check every path gives
 * the same bits: the plain C one, AVX2 with FMA, AVX-512, or (AUTO) the
 * best this CPU runs, which lab_dense_forward() uses. LAB_EINVAL, Z
 * untouched, when this CPU cannot run the path. */
enum lab_dense_path { LAB_DENSE_AUTO, LAB_DENSE_C, LAB_DENSE_AVX2, LAB_DENSE_AVX512 };
int lab_dense_forward_path(enum lab_dense_path path, size_t B, size_t n, size_t k,
                           const double *A, const double *W, const double *b, double *Z,
                           double *work);

#endif
