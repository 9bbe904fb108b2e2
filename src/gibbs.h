/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Gibbs learning of a perceptron: samples uniform on the sphere among the
 * students that classify every training example correctly (the version
 * space, a polyhedral cone {J : y_mu J.x_mu >= 0} cut by the sphere).
 *
 * The chain samples the standard Gaussian restricted to the cone, whose
 * radial projection is uniform on the sphere within the cone (THEORY.md
 * section 5.3). A sweep updates each coordinate J_i in turn: the constraints
 * cut the line J + t e_i to an interval (the chord), and t is drawn from
 * the Gaussian's conditional on it, a truncated normal. The margins
 * m = A J (A the P x N matrix of rows y_mu x_mu, kept transposed so a
 * column is contiguous) are updated in O(P) per coordinate, so a sweep
 * costs O(P N), like one GEMV.
 *
 * Moves besides the sweeps: overrelaxed sweeps, an exact redraw of the
 * radius |J| (the slow mode of coordinate moves in a narrow cone), and
 * over-dispersed starts for the chains' R-hat.
 *
 * Ownership: a lab_gibbs holds its own copy of A (transposed), the state J
 * and the margins; lab_gibbs_free(NULL) does nothing. */
#ifndef LAB_GIBBS_H
#define LAB_GIBBS_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

typedef struct lab_gibbs lab_gibbs;

/* A sampler for the cone of the P x N matrix a (row-major, rows
 * y_mu x_mu); P may be 0 (the whole space). NULL when out of memory. */
lab_gibbs *lab_gibbs_alloc(size_t p, size_t n, const double *a);
void lab_gibbs_free(lab_gibbs *g);

/* The bytes a sampler of P x N holds. */
double lab_gibbs_bytes(size_t p, size_t n);

/* Start from j0 (N), which must be strictly inside the cone: LAB_EINVAL
 * when a margin is not > 0 or not finite. */
int lab_gibbs_start(lab_gibbs *g, const double *j0);

/* One sweep over the N coordinates, drawing from r. The margins are
 * recomputed from scratch at the end, so rounding does not accumulate. */
void lab_gibbs_sweep(lab_gibbs *g, gsl_rng *r);

/* One sweep of overrelaxation (Neal's ordered overrelaxation in its
 * limit): each coordinate in turn moves to its mirror image in the
 * conditional on its chord, F(z') = F(a) + F(b) - F(z), F the standard
 * normal's distribution function. Deterministic, and it leaves the target
 * invariant; alternated with sweeps it suppresses the random walk along
 * the chords (THEORY.md section 5.3). */
void lab_gibbs_overrelax(lab_gibbs *g);

/* An exact redraw of the radius: J <- u r with u = J / |J| kept and
 * r ~ chi_N (the target is a product of a law of u and chi_N in r,
 * because V is a cone; THEORY.md section 5.3). The margins are rescaled:
 * O(N + P). */
void lab_gibbs_radial(lab_gibbs *g, gsl_rng *r);

/* An over-dispersed start (THEORY.md section 5.3): from j0 (strictly
 * inside the cone), `sweeps` sweeps of coordinate draws aimed at the
 * Gaussian of mean -tilt j0 restricted to the cone, each followed by a
 * radial redraw so that the tilt acts on the direction: tilt > 0 pushes J
 * away from j0 towards the walls, tilt < 0 pulls it towards j0. Every draw
 * is from r, so independent calls give different starts, all inside the
 * cone. LAB_EINVAL when j0 is not inside. */
int lab_gibbs_start_dispersed(lab_gibbs *g, const double *j0, long sweeps, double tilt,
                              gsl_rng *r);

/* The current state J (N values) and its smallest margin min_mu (A J)_mu
 * (+inf when P = 0). */
const double *lab_gibbs_state(const lab_gibbs *g);
double lab_gibbs_min_margin(const lab_gibbs *g);

/* A draw from the standard normal restricted to [a, b] (a <= b; either may
 * be infinite), by inverting the distribution function on the side of
 * zero the interval lies on, so far tails keep their precision. */
double lab_truncated_normal(gsl_rng *r, double a, double b);

/* The mirror image of z (in [a, b]) in the standard normal restricted to
 * [a, b]: the z' with F(z') - F(a) = F(b) - F(z), computed on the side of
 * zero the interval lies on, like lab_truncated_normal(). */
double lab_truncated_normal_reflect(double a, double b, double z);

#endif
