/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scaling-law forms: the functions the fitter fits, with their parameters
 * named as in their papers (THEORY.md, "Scaling-law forms").
 *
 *   hestness         y = alpha x^beta + gamma                  (beta < 0)
 *   hestness:3       the three-region curve: eps0 s / sqrt(s^2 + eps0^2),
 *                    s = alpha x^beta + gamma
 *   rosenfeld        x = (n, m): eps0 |e / (e - i eta)|,
 *                    e = a n^-alpha + b m^-beta + c_inf       (a = 1, fixed)
 *   rosenfeld-prune  x = (d, eps_np) or (d, eps_np, l, w):
 *                    eps_np |(u - i p (eps_up/eps_np)^(1/gamma)) / (u - i p)|^gamma,
 *                    u = d, or l^phi w^psi d for the joint law
 *   bnsl:K           y = a + b x^-c0 prod_i (1 + (x/d_i)^(1/f_i))^(-c_i f_i)
 *   kaplan           x = (N, D): ((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D
 *   chinchilla       x = (N, D): E + A/N^alpha + B/D^beta
 *   exp              y = a exp(-x/b) + c
 *
 * Every parameter has a kind that the fitter enforces by reparametrisation
 * (a positive parameter is fitted as its logarithm), so a constant such as
 * gamma, c_inf or E can never go negative. Where amplitudes enter linearly
 * (alpha and gamma of hestness, a and b of bnsl, E, A, B of chinchilla, a and c
 * of exp) the form says so, and the fitter solves them exactly at each start.
 *
 * Ownership: forms from lab_form_alloc() are freed with lab_form_free(). */
#ifndef LAB_FORMS_H
#define LAB_FORMS_H

#include <stddef.h>

/* How a parameter is constrained. */
enum lab_param_kind {
    LAB_PARAM_FREE,   /* any real */
    LAB_PARAM_POS,    /* > 0 */
    LAB_PARAM_NONNEG, /* >= 0 (fitted as positive; reported at its bound near 0) */
    LAB_PARAM_NEG     /* < 0 */
};

/* The most x columns any form takes, and the most values in a start grid
 * given with lab_form_set_grid(). */
#define LAB_FORM_MAXX 4
#define LAB_FORM_MAXGRID 64

typedef struct lab_form lab_form;

/* The form named by spec ("hestness", "bnsl:2", ...) for data with nx x
 * columns. LAB_EINVAL with a message when the name is unknown or nx does not
 * suit it. */
int lab_form_alloc(const char *spec, size_t nx, lab_form **out, char *err, size_t errlen);
void lab_form_free(lab_form *f);

/* The names accepted by lab_form_alloc(), for help texts. */
extern const char lab_form_list[];

/* What the registry of forms says of a spec, before any data: how many x
 * columns it takes, the columns of a lab results table it reads when none
 * are named ("n"; "n", "params" for rosenfeld; ...), and what they mean. */
typedef struct lab_form_info {
    const char *name;                 /* "bnsl" for "bnsl:2" */
    size_t nx;
    const char *x[LAB_FORM_MAXX];
    const char *roles;                /* e.g. "n, m" */
    const char *formula;              /* the law in one line of UTF-8 text */
} lab_form_info;

/* LAB_EINVAL with a message when spec is not a form ("bnsl:K" needs K in
 * [0, 8]). */
int lab_form_lookup(const char *spec, lab_form_info *info, char *err, size_t errlen);

const char *lab_form_name(const lab_form *f); /* as given, e.g. "bnsl:2" */
size_t lab_form_nx(const lab_form *f);
/* What each x column means, e.g. "n, m" (for messages and help). */
const char *lab_form_x_roles(const lab_form *f);
/* The law, e.g. "y = α x^β + γ" (for figures' titles). */
const char *lab_form_formula(const lab_form *f);

size_t lab_form_nparams(const lab_form *f);
const char *lab_form_param_name(const lab_form *f, size_t i);
enum lab_param_kind lab_form_param_kind(const lab_form *f, size_t i);
/* The index of a parameter by name, or -1. */
long lab_form_param_index(const lab_form *f, const char *name);

/* Fixed parameters keep their value in every fit (eps0 of rosenfeld and
 * hestness:3 is fixed at 1, the error of predicting the mean in the lab's
 * normalisation; a of rosenfeld is fixed at 1 since the envelope does not
 * depend on it). */
int lab_form_param_fixed(const lab_form *f, size_t i, double *value);
int lab_form_fix(lab_form *f, const char *name, double value, char *err, size_t errlen);
int lab_form_free_param(lab_form *f, const char *name, char *err, size_t errlen);

/* y at one point x (nx values); when grad is not NULL it receives dy/dtheta
 * for all parameters (fixed ones included). */
double lab_form_eval(const lab_form *f, const double *theta, const double *x, double *grad);

/* The same at n points: x is (n, nx), lx = log x likewise (a fitter keeps the
 * logarithms of its data), y gets n values and grad, when not NULL, (n, np)
 * derivatives. */
void lab_form_eval_n(const lab_form *f, const double *theta, size_t n, const double *x,
                     const double *lx, double *y, double *grad);

/* Amplitudes: when y = sum_j theta[amp[j]] phi_j(x; other parameters), the
 * form reports the amplitude indices (returns their count, 0 if none) and
 * lab_form_basis_n() fills phi (n, count) at n points, using scratch (n). */
size_t lab_form_amplitudes(const lab_form *f, size_t *amp);
void lab_form_basis_n(const lab_form *f, const double *theta, size_t n, const double *x,
                      const double *lx, double *phi, double *scratch);

/* What start grids are scaled to: the data's ranges, and the distinct
 * values of the first x column in increasing order. */
typedef struct lab_grid_data {
    const double *xmin, *xmax;  /* per x column */
    double ymin, ymax;
    const double *x0;           /* distinct first-x values, increasing */
    size_t nx0;
} lab_grid_data;

/* The start grid of parameter i in a pass: the values the fitter tries,
 * from the form's documented defaults scaled to the data, unless
 * lab_form_set_grid() replaced them. Amplitudes have no grid. Returns the
 * number of values written to vals (at most cap). Every form has pass 0;
 * bnsl:1 has a second (lab_form_grid_passes() is 2) that puts a sharp break
 * between every two neighbouring x: a local solve cannot move a sharp break
 * past a point (the loss is flat in its position between points), and the
 * first pass's positions are too few to offer every gap. Replaced grids
 * make one pass. */
size_t lab_form_grid_passes(const lab_form *f);
size_t lab_form_grid(const lab_form *f, size_t pass, size_t i, const lab_grid_data *gd,
                     double *vals, size_t cap);
int lab_form_set_grid(lab_form *f, const char *name, const double *vals, size_t n,
                      char *err, size_t errlen);

/* Basins: classes of starts that tend to end in different local optima
 * (bnsl:1: a smooth break by the sign and size of its slope change and the
 * quarter of the data's x range it lies in, or before or after it; a sharp
 * one by the sign of its slope change and the two neighbouring points it
 * lies between; bnsl:2: per break, the sign of its slope change, whether it
 * is sharp and which half of the data's x range it lies in; other forms: one
 * class). The fitter refines the best start
 * of every basin as well as the best starts overall, so a basin whose grid
 * points all fit poorly at the grid's resolution is still explored.
 * lab_form_basin() returns a class below lab_form_nbasins(). */
size_t lab_form_nbasins(const lab_form *f, const lab_grid_data *gd);
size_t lab_form_basin(const lab_form *f, const double *theta, const lab_grid_data *gd);

/* Whether a start is worth trying (bnsl: breaks in increasing order). */
int lab_form_admissible(const lab_form *f, const double *theta);

/* Rewrite theta as the canonical parameters of the same curve (bnsl: the
 * breaks sorted by position). */
void lab_form_canonical(const lab_form *f, double *theta);

#endif
