/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Weight pruning: a mask over a network's weights, and the rules that shrink
 * it (iterative magnitude pruning, the kind "prune": THEORY.md section 11).
 *
 * The prunable parameters are the weights, the prefix [0, n_weights) of
 * theta in lab_mlp's layout (every W_l, then every bias): biases are never
 * pruned, so a mask of n = n_weights entries lines up with theta, its
 * gradient and its optimizer moments.
 *
 * A round removes count = round(fraction * kept) of the kept weights
 * (lab_prune_count(): fraction * kept in double, rounded half away from
 * zero), never fewer nor more: by magnitude (lab_prune_magnitude(), one
 * global threshold over every layer) or at random (lab_prune_random()). The
 * kept count after k rounds (lab_prune_kept_after()) is then exact and
 * depends on n, fraction and k alone; it differs from (1 - fraction)^k n by
 * less than (1 - (1 - fraction)^k) / (2 fraction) weights (each round's
 * rounding moves it by at most 1/2, and later rounds shrink that by
 * 1 - fraction each).
 *
 * Ownership: a lab_prune_mask owns its arrays; lab_prune_mask_free() frees
 * it (NULL: nothing). Functions never keep the pointers they are given. */
#ifndef LAB_PRUNE_H
#define LAB_PRUNE_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

/* A kept weight as ranked: its magnitude and its index in theta. */
typedef struct lab_prune_rank {
    double mag;
    size_t idx;
} lab_prune_rank;

typedef struct lab_prune_mask {
    size_t n;             /* prunable weights: a network's n_weights */
    size_t kept;          /* weights that remain (keep[i] = 1) */
    unsigned char *keep;  /* (n): 1 keeps weight i of theta, 0 prunes it */
    lab_prune_rank *rank; /* (n): scratch for ranking and drawing */
} lab_prune_mask;

/* A mask over n weights, every one kept; NULL when out of memory. n may be 0. */
lab_prune_mask *lab_prune_mask_alloc(size_t n);
void lab_prune_mask_free(lab_prune_mask *pm);

/* The bytes lab_prune_mask_alloc(n) takes (memory estimates: kind.h). */
double lab_prune_mask_bytes(size_t n);

/* Keep every weight again. */
void lab_prune_mask_reset(lab_prune_mask *pm);

/* Copy src's mask into dst (of the same n). */
void lab_prune_mask_copy(lab_prune_mask *dst, const lab_prune_mask *src);

/* The weights a round removes from `kept`: round(fraction * kept), at most
 * kept, fraction in [0, 1]. */
size_t lab_prune_count(size_t kept, double fraction);

/* The weights kept after `rounds` rounds of lab_prune_count() from n. */
size_t lab_prune_kept_after(size_t n, double fraction, long rounds);

/* kept / n: exactly the fraction of prunable weights that remain (1 when
 * n = 0). */
double lab_prune_density(const lab_prune_mask *pm);

/* Remove the `count` kept weights of smallest |theta[i]|, over all layers at
 * once (a global threshold). Ties go by position: of two weights of equal
 * magnitude the one earlier in theta is removed first, so the result is
 * unique whatever the sort; a NaN counts as larger than any number. Removes
 * min(count, kept) weights and returns how many. */
size_t lab_prune_magnitude(lab_prune_mask *pm, const double *theta, size_t count);

/* Remove `count` kept weights chosen uniformly at random (every subset of
 * that size equally likely) with draws from r: the kept indices in order,
 * shuffled by gsl_ran_shuffle(), the first count removed. Returns
 * min(count, kept). */
size_t lab_prune_random(lab_prune_mask *pm, size_t count, gsl_rng *r);

/* Zero the pruned entries of buf, a vector in theta's layout (theta, a
 * gradient, a moment); entries from n on (the biases) are left alone. */
void lab_prune_apply(const lab_prune_mask *pm, double *buf);

#endif
