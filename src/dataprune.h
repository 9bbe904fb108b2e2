/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Data pruning (Sorscher et al. 2022; THEORY.md section 11): score every
 * example of a pool by how hard it is, then keep the hardest or the
 * easiest fraction of the pool.
 *
 * Every scorer writes a difficulty per example, oriented so that a larger
 * value is a harder example: minus the margin under a probe, a random
 * number, EL2N or GraNd of a briefly trained logistic probe student, the
 * forgetting count of that probe's training, or the distance to the
 * nearest k-means centroid in the input space. lab_dprune_select() then
 * keeps the chosen examples, in the pool's order.
 *
 * The pool is x (p x n, row-major, one example a row) with labels
 * y (p, +1 or -1). Random draws come from the generator the caller passes
 * (a stream of the cell config), so the scores depend on it alone.
 *
 * Ownership: the caller owns every array; functions that need scratch of
 * their own allocate and free it within the call (LAB_ENOMEM). */
#ifndef LAB_DATAPRUNE_H
#define LAB_DATAPRUNE_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

/* Which end of the difficulty order is kept. */
enum lab_dprune_mode { LAB_DPRUNE_NONE, LAB_DPRUNE_HARD, LAB_DPRUNE_EASY, LAB_DPRUNE_NMODES };

enum lab_dprune_metric {
    LAB_DPRUNE_MARGIN, LAB_DPRUNE_RANDOM, LAB_DPRUNE_EL2N, LAB_DPRUNE_GRAND,
    LAB_DPRUNE_FORGETTING, LAB_DPRUNE_PROTOTYPE, LAB_DPRUNE_NMETRICS
};

/* Their names, as the config writes them: "none", "hard", "easy"; "margin",
 * "random", "el2n", "grand", "forgetting", "prototype". */
extern const char *const lab_dprune_mode_names[LAB_DPRUNE_NMODES];
extern const char *const lab_dprune_metric_names[LAB_DPRUNE_NMETRICS];

/* The probe at angle theta (radians) to the teacher t (n):
 * jp = cos(theta) t/|t| + sin(theta) u, u the unit vector along the part of
 * v (n, e.g. a Gaussian draw) orthogonal to t. LAB_EINVAL when t is zero,
 * or when theta != 0 and v has no part orthogonal to t. */
int lab_dprune_probe_direction(size_t n, const double *t, const double *v, double theta,
                               double *jp);

/* Margin difficulty: d_mu = -|jp.x_mu| / |jp| (the smallest margins, the
 * examples nearest the probe's boundary, are the hardest). */
void lab_dprune_margin(size_t p, size_t n, const double *x, const double *jp, double *d);

/* Random difficulty: d_mu uniform in [0, 1), p draws from r in pool order. */
void lab_dprune_random(size_t p, gsl_rng *r, double *d);

/* The probe student: a linear logistic student w (n) from w = 0, trained
 * by stochastic gradient descent for epochs passes over the pool, each in
 * an order drawn from r, on the loss ln(1 + exp(-y h)) with h = w.x/sqrt(n),
 * step lr: w += lr y sigma(-y h) x / sqrt(n). At each presentation, before
 * its step, an example is right when y h > 0; it is forgotten when it was
 * right at its previous presentation and is not now (Toneva et al. 2019).
 * After training (h from the final w):
 *   el2n[mu]   = sigma(-y h) = |sigma(h) - (1 + y)/2|, the error of the
 *                predicted probability (Paul et al. 2021);
 *   grand[mu]  = |grad_w ln(1 + exp(-y h))| = sigma(-y h) |x| / sqrt(n);
 *   forget[mu] = the forgetting events, or epochs (more than any count can
 *                reach) for an example never right at any presentation.
 * Any of el2n, grand, forget may be NULL. w (n) holds the probe on return.
 * LAB_ENOMEM. */
int lab_dprune_probe_train(size_t p, size_t n, const double *x, const double *y, long epochs,
                           double lr, gsl_rng *r, double *w, double *el2n, double *grand,
                           double *forget);

/* Lloyd's k-means of the p rows of x into k <= p clusters, from k-means++
 * seeds drawn from r (Arthur and Vassilvitskii 2007), until no example
 * changes cluster or after max_iter iterations. Squared distances come from
 * one GEMM per iteration, |x|^2 - 2 x.c + |c|^2; ties go to the lower
 * centroid; an emptied cluster keeps its centroid. On return centroids
 * (k x n) and, when not NULL, assign (p) and dist (p: the Euclidean
 * distance of each example to its own centroid, computed directly), and
 * *iters (may be NULL) the iterations run. LAB_EINVAL when k is 0 or above
 * p; LAB_ENOMEM. */
int lab_dprune_kmeans(size_t p, size_t n, const double *x, size_t k, long max_iter, gsl_rng *r,
                      double *centroids, size_t *assign, double *dist, long *iters);

/* The most bytes lab_dprune_kmeans() allocates for p, k (and the kept
 * indices' scratch of lab_dprune_select(): at most this for k = 1). */
double lab_dprune_kmeans_bytes(size_t p, size_t k);

/* The keep examples with the largest difficulty d (mode LAB_DPRUNE_HARD) or
 * the smallest (LAB_DPRUNE_EASY), ties broken by the lower index, written to
 * kept (keep values) in increasing order. LAB_EINVAL when keep > p or
 * mode is LAB_DPRUNE_NONE; LAB_ENOMEM. */
int lab_dprune_select(size_t p, const double *d, size_t keep, enum lab_dprune_mode mode,
                      size_t *kept);

#endif
