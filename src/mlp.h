/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Multilayer perceptrons with all parameters in one buffer.
 *
 * Shapes use one vocabulary throughout the lab:
 *   B  rows in a batch         D  input dimension
 *   L  number of hidden layers M  a layer's width
 *   P  number of parameters
 * A network has L + 1 linear layers; layer l maps sizes[l] inputs to
 * sizes[l+1] outputs, with sizes[0] = D and sizes[L+1] = 1 (a scalar
 * regression output). Hidden layers apply one activation; the output layer is
 * linear:
 *   A_0 = X,   A_{l+1} = g(A_l W_l^T + b_l)  (l < L),   f = A_L W_L^T + b_L.
 * W_l is (sizes[l+1], sizes[l]) row-major, as in nn.Linear.
 *
 * theta holds every weight matrix first (W_0 .. W_L) and every bias after
 * (b_0 .. b_L): weight decay then covers the prefix [0, n_weights).
 * Gradients and optimizer moments use the same layout.
 *
 * Ownership: lab_mlp_* functions never take ownership of their arguments;
 * objects from an _alloc are released by the matching _free, and
 * _free(NULL) does nothing. */
#ifndef LAB_MLP_H
#define LAB_MLP_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "act.h"

typedef struct lab_mlp {
    size_t depth;      /* L: number of hidden layers */
    size_t *sizes;     /* L + 2 layer sizes: D, M_1 .. M_L, 1 */
    enum lab_act act;  /* activation of every hidden layer */
    size_t n_params;   /* P */
    size_t n_weights;  /* weights come first in theta; biases follow */
    size_t *w_off;     /* offset of W_l in theta, l = 0 .. L */
    size_t *b_off;     /* offset of b_l in theta, l = 0 .. L */
    double *theta;     /* P parameters */
} lab_mlp;

/* The parameter count P of a network with these sizes: the one place the
 * lab computes it. */
size_t lab_mlp_count_params(size_t n_in, size_t depth, const size_t *widths);

/* A network with input dimension n_in, `depth` hidden layers of the given
 * widths and the given activation; parameters are zero. NULL on bad sizes or
 * no memory. */
lab_mlp *lab_mlp_alloc(size_t n_in, size_t depth, const size_t *widths,
                       enum lab_act act);
void lab_mlp_free(lab_mlp *m);

/* Views into a buffer with theta's layout (theta itself, a gradient, ...). */
static inline double *lab_mlp_w(const lab_mlp *m, double *buf, size_t l)
{
    return buf + m->w_off[l];
}
static inline double *lab_mlp_b(const lab_mlp *m, double *buf, size_t l)
{
    return buf + m->b_off[l];
}

/* Initialisation schemes for students (biases start at 0 unless noted):
 *   lecun   W ~ N(0, 1/fan_in)
 *   he      W ~ N(0, 2/fan_in)
 *   xavier  W ~ N(0, 2/(fan_in + fan_out))
 *   torch   W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))  (nn.Linear's default) */
enum lab_init { LAB_INIT_LECUN, LAB_INIT_HE, LAB_INIT_XAVIER, LAB_INIT_TORCH, LAB_NINIT };
extern const char *const lab_init_names[LAB_NINIT];
void lab_mlp_init(lab_mlp *m, enum lab_init scheme, gsl_rng *r);

/* Copy `small` into `big` with zero padding: big must have the same depth,
 * input dimension and activation, and every hidden layer at least as wide.
 * Extra units get zero weights in and out and zero bias, so (because
 * g(0) = 0) big computes exactly the function of small. LAB_EINVAL when the
 * shapes do not allow it. */
int lab_mlp_embed(const lab_mlp *small, lab_mlp *big);

/* Activations, derivatives and backward scratch for up to `rows` rows. */
typedef struct lab_mlp_work lab_mlp_work;
lab_mlp_work *lab_mlp_work_alloc(const lab_mlp *m, size_t rows);
void lab_mlp_work_free(lab_mlp_work *w);

/* The bytes that lab_mlp_alloc() and lab_mlp_work_alloc() take for a network
 * of these sizes, counted in doubles so that no size overflows (memory
 * estimates: kind.h). */
double lab_mlp_bytes(size_t n_in, size_t depth, const size_t *widths);
double lab_mlp_work_bytes(size_t depth, const size_t *widths, size_t rows);

/* The output unit, f_i = b + sum_j A_ij w_j for the B rows of A (B, n),
 * summed from j = 0 up in that order, as the reference does: appended units
 * whose A_ij w_j is 0 (the zero padding of an embedded teacher,
 * lab_mlp_embed()) then leave every bit of f unchanged, so a student planted
 * at its teacher computes exactly the teacher's outputs and its gradient is
 * exactly 0 (THEORY.md §5.2), as the hidden layers' sums do (dense.h); a
 * BLAS product may group a longer sum otherwise. lab_mlp_forward() and the
 * packed trainer (pack.h) both sum the output this way. */
void lab_mlp_output_sum(size_t B, size_t n, const double *A, const double *w, double b,
                        double *f);

/* Forward pass over B <= rows inputs X (B,D). Returns the outputs (B), which
 * live in the workspace until its next use. With `train` set it also keeps
 * g'(z) of every hidden layer for lab_mlp_backward(). Each output's bits
 * depend on its input row and theta alone, not on B, and a zero-padded
 * embedding (lab_mlp_embed()) reproduces them: every sum runs in a fixed
 * order (dense.h). */
const double *lab_mlp_forward(const lab_mlp *m, lab_mlp_work *w, size_t B,
                              const double *X, int train);

/* Backward pass after a training forward pass on the same X: given
 * dout = dLoss/df (B), writes dLoss/dtheta into grad (P), overwriting it. */
void lab_mlp_backward(const lab_mlp *m, lab_mlp_work *w, size_t B,
                      const double *X, const double *dout, double *grad);

/* One step of the backward recursion (THEORY.md §5): from delta =
 * dLoss/dZ_{l+1} (B, n_out) of a layer with weights W (n_out, n_in) and
 * g'(Z_l) in gp (B, n_in), dZ = (delta W) * gp elementwise (B, n_in).
 * The product is lab_gemm()'s, except for n_out = 1 (the output layer),
 * where it is an outer product with no sum, computed here in one pass
 * with the bits the BLAS gives (OpenBLAS's Haswell kernels; others may give
 * -0 where these give +0, for products that underflow). dZ must not
 * overlap the others. lab_mlp_backward() and the packed trainer use it. */
void lab_mlp_back_product(size_t B, size_t n_in, size_t n_out, const double *delta,
                          const double *W, const double *gp, double *dZ);

/* Ready lab_mlp_backward() for batches of B rows (lab_gemm_prepare() on its
 * products), so that its calls allocate nothing (tests/alloc-t.c). */
void lab_mlp_backward_prepare(const lab_mlp *m, size_t B);

/* The Jacobian of the outputs after a forward pass over B <= rows inputs X
 * (B,D): row i of J (B,P) is df(x_i)/dtheta, in theta's layout. One forward
 * pass and the backward recursion with dout = 1 per row, kept per row rather
 * than summed over the batch: the residual Jacobian of least squares
 * (refine.h). Also leaves the outputs f (B) in *out when out is not NULL. */
void lab_mlp_jacobian(const lab_mlp *m, lab_mlp_work *w, size_t B,
                      const double *X, double *J, const double **out);

/* The training loss (1/2B) sum_i (f(x_i) - y_i)^2 of a batch; when grad is
 * not NULL, also its gradient (forward and backward in one call). */
double lab_mlp_loss_grad(const lab_mlp *m, lab_mlp_work *w, size_t B,
                         const double *X, const double *y, double *grad);

/* Outputs for n inputs X (n,D), in chunks of the workspace's rows. */
void lab_mlp_predict(const lab_mlp *m, lab_mlp_work *w, size_t n,
                     const double *X, double *out);

/* Sum over n points of (f(x_i) - y_i)^2, in chunks of the workspace's rows. */
double lab_mlp_sse(const lab_mlp *m, lab_mlp_work *w, size_t n,
                   const double *X, const double *y);

/* Plain-loop forward for one input x (D), with no BLAS: the reference that
 * tests compare the GEMM path against. scratch needs 2 * max(sizes). */
double lab_mlp_forward_ref(const lab_mlp *m, const double *x, double *scratch);

#endif
