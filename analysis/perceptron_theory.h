/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Exact learning curves of perceptron students of a sign teacher, in the
 * limit N -> infinity at alpha = P/N fixed, noiseless (THEORY.md §5.1).
 *
 * For each learner the solver returns the angle phi between student and
 * teacher, the overlap R = cos(phi) and the test error epsilon = phi/pi,
 * with the learner's other order parameters (q, the margin kappa) and the
 * residual of the equations it solved:
 *
 *   hebb       J = sum y x: R^2 = alpha m^2 / (alpha m^2 + 1), m = E|t|;
 *              on Gaussian data R = sqrt(2 alpha / (2 alpha + pi)).
 *   gibbs      a random student of the version space (replica-symmetric
 *              saddle point, q = R by Nishimori symmetry).
 *   bayes      the centre of mass of the version space: R = sqrt(R_gibbs).
 *   maxmargin  the student of largest margin kappa (optimal stability),
 *              by Gordon's comparison inequality (equal to Gardner's
 *              replica result).
 *
 * The data enter through the distribution of u = |T.x|/|T| among the
 * examples (lab_ptheory_data): for the full Gaussian, u is half-normal; a
 * pruned set (keep hard or easy examples along the teacher) truncates it.
 * hebb and maxmargin take any density of u, gibbs and bayes only the
 * isotropic Gaussian (their q = R reduction needs it).
 *
 * Pruned data (Sorscher et al. 2022; THEORY.md section 11): a probe at angle
 * theta to the teacher scores each example by |probe.x|, and the fraction f
 * of smallest (keep hard) or largest (keep easy) scores is kept;
 * lab_ptheory_solve_pruned() gives the learning curve against alpha_prune,
 * the kept examples per dimension. maxmargin at any theta (a 2-D integral
 * over the plane of teacher and probe when theta > 0); gibbs (with q != R),
 * bayes (R/sqrt(q) of gibbs) and hebb at theta = 0 only.
 *
 * Ownership: a lab_ptheory workspace comes from lab_ptheory_alloc() and goes
 * to lab_ptheory_free() (a no-op on NULL); the solver keeps no pointer to
 * its arguments. A workspace serves one thread at a time. */
#ifndef LAB_PERCEPTRON_THEORY_H
#define LAB_PERCEPTRON_THEORY_H

#include <stddef.h>

/* The learners, in the order of lab_plearner_names. */
enum lab_plearner {
    LAB_PLEARNER_GIBBS,
    LAB_PLEARNER_BAYES,
    LAB_PLEARNER_MAXMARGIN,
    LAB_PLEARNER_HEBB,
    LAB_PLEARNER_COUNT
};

/* "gibbs", "bayes", "maxmargin", "hebb". */
extern const char *const lab_plearner_names[LAB_PLEARNER_COUNT];

/* The learner named name, or -1. */
int lab_plearner_parse(const char *name);

/* The most breakpoints a density of u may have. */
#define LAB_PTHEORY_MAXBREAKS 4

/* The distribution of u = |T.x|/|T| >= 0 over the training examples; the
 * other N - 1 directions of x are standard Gaussian and independent of it. */
typedef struct lab_ptheory_data {
    double (*density)(double u, void *params); /* density of u, integrating to 1 */
    void *params;                              /* passed to density (not owned) */
    double breaks[LAB_PTHEORY_MAXBREAKS];      /* where the density jumps, increasing */
    size_t nbreaks;
    double end;       /* the density is zero, or below 1e-300, beyond end */
    int isotropic;    /* 1: the full Gaussian (u half-normal) */
} lab_ptheory_data;

/* The unpruned data: u half-normal, density 2 phi(u). */
lab_ptheory_data lab_ptheory_gaussian(void);

/* The solution at one alpha. Parameters a learner does not have are NaN. */
typedef struct lab_perceptron_state {
    double alpha;      /* examples per dimension, P/N */
    double phi;        /* angle between student and teacher, in [0, pi/2] */
    double R;          /* overlap cos(phi) of the normalised vectors */
    double q;          /* gibbs: the overlap of two students, q = R */
    double kappa;      /* maxmargin: the largest margin min_mu y J.x / |J| */
    double test_error; /* phi / pi */
    double residual;   /* largest residual of the equations solved, relative
                        * to their terms (0 for hebb's closed form) */
    double eta;        /* maxmargin on data pruned with theta > 0: the student's
                        * overlap with v, the probe's direction orthogonal to
                        * the teacher in their plane; NaN otherwise */
} lab_perceptron_state;

typedef struct lab_ptheory lab_ptheory;

/* A workspace for the integrals (NULL when out of memory). */
lab_ptheory *lab_ptheory_alloc(void);
void lab_ptheory_free(lab_ptheory *w);

/* The learning curve of learner on data at alpha (0 < alpha <= 1e6), into
 * *out. LAB_EINVAL for a learner or alpha out of range or data it cannot
 * use; LAB_ENUMERIC when an integral or a root fails (err says which). */
int lab_ptheory_solve(lab_ptheory *w, enum lab_plearner learner, double alpha,
                      const lab_ptheory_data *data, lab_perceptron_state *out, char *err,
                      size_t errlen);

/* lab_ptheory_solve() on Gaussian data with a workspace of its own. */
int lab_perceptron_theory(enum lab_plearner learner, double alpha, lab_perceptron_state *out,
                          char *err, size_t errlen);

/* The residual of the Gibbs equation (THEORY.md §5.1) at the overlap
 * R = cos(phi), phi in (0, pi/2]: R/sqrt(1-R) - (alpha/pi) I(R), relative to
 * the larger side. For tests. */
int lab_ptheory_gibbs_residual(lab_ptheory *w, double alpha, double phi, double *res,
                               char *err, size_t errlen);

/* The max-margin free energy G(kappa, phi) = alpha E[(kappa - cos(phi) u -
 * sin(phi) z)_+^2] - sin(phi)^2 (THEORY.md §5.1) on data, z ~ N(0,1). For
 * tests: kappa* is the largest kappa where min_phi G <= 0. */
int lab_ptheory_maxmargin_g(lab_ptheory *w, double alpha, const lab_ptheory_data *data,
                            double kappa, double phi, double *g, char *err, size_t errlen);

/* ==== Pruned data ========================================================= */

/* Which examples a pruned training set keeps, in the order of
 * lab_pprune_names: "none", "hard", "easy". */
enum lab_pprune {
    LAB_PPRUNE_NONE,
    LAB_PPRUNE_HARD, /* the fraction f of smallest |probe.x|: |p| < gamma */
    LAB_PPRUNE_EASY, /* the fraction f of largest |probe.x|: |p| > gamma */
    LAB_PPRUNE_COUNT
};

extern const char *const lab_pprune_names[LAB_PPRUNE_COUNT];

/* The mode named name, or -1. */
int lab_pprune_parse(const char *name);

/* A pruning of the Gaussian pool, before the student sees it. */
typedef struct lab_ptheory_prune {
    enum lab_pprune mode;
    double fraction; /* f in (0, 1]: the share of the pool kept */
    double theta;    /* angle of the probe to the teacher, radians, [0, 1.5] */
} lab_ptheory_prune;

/* The threshold gamma on |p| that keeps the fraction f: keep hard,
 * f = erf(gamma/sqrt 2); keep easy, f = erfc(gamma/sqrt 2). */
double lab_ptheory_prune_gamma(const lab_ptheory_prune *prune);

/* The learning curve of learner trained on alpha_prune N examples kept
 * from a Gaussian pool of alpha_prune N / f by prune (mode NONE: the
 * unpruned lab_ptheory_solve), into *out (out->alpha = alpha_prune).
 * LAB_EINVAL for arguments out of range (alpha_prune in (0, 1000]) or a
 * learner not implemented at this theta; LAB_ENUMERIC when an integral,
 * minimisation or root fails. */
int lab_ptheory_solve_pruned(lab_ptheory *w, enum lab_plearner learner, double alpha_prune,
                             const lab_ptheory_prune *prune, lab_perceptron_state *out,
                             char *err, size_t errlen);

/* The max-margin free energy on pruned data (THEORY.md section 11):
 * G = alpha E_kept,z[(kappa - rho y t - eta y v - s z)_+^2] - s^2,
 * s^2 = 1 - rho^2 - eta^2 > 0, by the 2-D quadrature of theta > 0 (also
 * usable at theta = 0). For tests. */
int lab_ptheory_pruned_g(lab_ptheory *w, double alpha, const lab_ptheory_prune *prune,
                         double kappa, double rho, double eta, double *g, char *err,
                         size_t errlen);

/* The replica-symmetric free entropy of the Gibbs student at theta = 0,
 * f(q, R) = 1/2 ln(1-q) + (q-R^2)/(2(1-q))
 *           + alpha E_kept|t| E_z ln H(-(R|t| + sqrt(q-R^2) z)/sqrt(1-q)),
 * and its partial derivatives (any of the outputs may be NULL). For tests. */
int lab_ptheory_gibbs_f(lab_ptheory *w, double alpha, const lab_ptheory_prune *prune, double q,
                        double R, double *f, double *df_dq, double *df_dR, char *err,
                        size_t errlen);

#endif
