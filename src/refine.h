/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A reference optimiser for students: full batch, to convergence, by GSL.
 *
 * Given a student (from any start: a random initialisation, or where a
 * budgeted first-order run ended) and its training set, it minimises the
 * training MSE with one of
 *   lm    GSL's nonlinear least squares (gsl_multifit_nlinear) on the
 *         residuals r_i = f(x_i) - y_i: a trust region with Levenberg-
 *         Marquardt steps (damping mu I; or their geodesic-acceleration
 *         variant), normal equations by Cholesky, with the analytic Jacobian, whose rows are the per-point gradients of
 *         the output (lab_mlp_jacobian). Gauss-Newton-type steps converge
 *         quadratically on zero-residual problems, the realizable noiseless
 *         case, which is what makes this the stronger reference (THEORY.md
 *         section 5: what it removes of a budgeted run's error is learning
 *         deficiency, what stays is left open by the data).
 *   bfgs  GSL's multimin vector_bfgs2 (quasi-Newton with a line search) on
 *         the loss (1/2n) sum r_i^2 and its full-batch gradient.
 *
 * Memory. lm stores the whole n x P Jacobian (and a few P x P matrices for
 * the normal equations): alloc refuses, with a message, when that would
 * exceed params.max_bytes, rather than switching silently to another
 * method; bfgs holds only a few vectors of P and is the choice for larger
 * problems. lab_refine_bytes() gives the figure for memory estimates.
 *
 * Stopping (GSL's tests, checked after each iteration):
 *   xtol   the last step is small: |dx_i| <= xtol (|x_i| + xtol) for all i
 *   gtol   the gradient is small: lm as gsl_multifit_nlinear_test, bfgs
 *          as gsl_multimin_test_gradient (|g| <= gtol)
 *   ftol   (lm) GSL's test on the relative change of |f|; 0 turns it off
 *   iters  the iteration budget ran out
 *   stalled  no step reduced the loss (GSL_ENOPROG), which is where a run
 *          at the floor of double precision ends
 * A start whose gradient is exactly zero (a student planted at the
 * teacher) stops as gtol after 0 iterations.
 *
 * Ownership: a lab_refine owns its GSL workspaces and scratch; it borrows
 * the network and the data only during lab_refine_run(), which leaves the
 * network at the last accepted point. */
#ifndef LAB_REFINE_H
#define LAB_REFINE_H

#include <signal.h>
#include <stddef.h>

#include "data.h"
#include "mlp.h"

enum lab_refine_method { LAB_REFINE_NONE, LAB_REFINE_LM, LAB_REFINE_BFGS, LAB_NREFINE };
extern const char *const lab_refine_names[LAB_NREFINE]; /* none, lm, bfgs */

enum lab_refine_stop {
    LAB_REFINE_XTOL, LAB_REFINE_GTOL, LAB_REFINE_FTOL, LAB_REFINE_ITERS,
    LAB_REFINE_STALLED, LAB_REFINE_INTERRUPTED, LAB_NREFINE_STOP
};
extern const char *const lab_refine_stop_names[LAB_NREFINE_STOP];

typedef struct lab_refine_params {
    enum lab_refine_method method; /* lm or bfgs */
    long max_iter;                 /* iteration budget */
    double xtol, gtol, ftol;       /* GSL's tests (above); 0 turns one off */
    int accel;                     /* lm: geodesic acceleration (lmaccel) */
    double max_bytes;              /* lm: the most its workspace may take */
} lab_refine_params;

/* lm, 1000 iterations, xtol 1e-12, gtol 0, ftol 0, no acceleration,
 * max_bytes 2 GiB. */
lab_refine_params lab_refine_default_params(void);

typedef struct lab_refine_result {
    long iters;            /* iterations taken (accepted steps) */
    double initial_error;  /* training MSE / var at the start */
    double train_error;    /* training MSE / var at the end */
    enum lab_refine_stop stop;
    double wall_s;         /* seconds in lab_refine_run() */
    long nevalf, nevaldf;  /* residual and Jacobian (or gradient) evaluations */
} lab_refine_result;

typedef struct lab_refine lab_refine;

/* A refiner for network m (its shape, not its values) on n training points.
 * NULL with a message on bad parameters, a workspace over max_bytes, or no
 * memory. */
lab_refine *lab_refine_alloc(const lab_mlp *m, size_t n, const lab_refine_params *p,
                             char *err, size_t errlen);
void lab_refine_free(lab_refine *r);

/* The bytes lab_refine_alloc() takes for n points and P parameters with
 * method p->method (GSL's workspaces counted as its sources allocate them,
 * to within a few vectors): the figure compared with max_bytes. */
double lab_refine_bytes(const lab_refine_params *p, size_t n, size_t n_params,
                        size_t depth, const size_t *widths);

/* Refine m on train (n points, as allocated) until a test passes. `stop`,
 * when not NULL, is polled between iterations. var scales the errors (the
 * teacher's output variance). Returns LAB_OK, LAB_EINTERRUPTED, or
 * LAB_EDIVERGED when the loss is not finite (then m is left at the start);
 * res is filled in every case. */
int lab_refine_run(lab_refine *r, lab_mlp *m, const lab_dataset *train, double var,
                   volatile sig_atomic_t *stop, lab_refine_result *res);

#endif
