/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fitting engine: a scaling-law form fitted to (x, y) points.
 *
 * Multi-start: every combination of the form's start grid (forms.h) is
 * tried; where amplitudes enter linearly they are solved exactly at each
 * start by weighted least squares with the signs the form demands (variable
 * projection of the start grid), so the grid only spans the exponents and
 * break positions. The best starts by their initial loss, and the best start
 * of each basin the form names (forms.h), are then refined (when the basins
 * add starts, all of them briefly, and the best of those to the end) by GSL: trust-region Levenberg-Marquardt (gsl_multifit_nlinear) with
 * analytic Jacobians for the least-squares losses, vector BFGS
 * (gsl_multimin) for the Huber loss. Constrained parameters are fitted in a
 * transformed variable (a positive one as its logarithm), so bounds hold at
 * every step. THEORY.md, "Fitting scaling laws", gives the details.
 *
 * Losses, with s_i = log f(x_i) - log y_i:
 *   log         sum s_i^2                         (the default)
 *   rel         sum ((f(x_i) - y_i) / y_i)^2      (Rosenfeld's divergence)
 *   huber:d     sum huber_d(s_i)                  (Chinchilla replication, d = 1e-3)
 *   asym:l      sum w_i s_i^2, w_i = l where the curve is above the point, else 1
 *               (a lower envelope; l = 10 by default)
 *
 * Ownership: a lab_fitter owns its buffers and GSL workspaces; it keeps a
 * pointer to the form, which must outlive it. Results are plain structs. */
#ifndef LAB_FIT_H
#define LAB_FIT_H

#include <signal.h>
#include <stddef.h>

#include "forms.h"

enum lab_loss_kind { LAB_LOSS_LOG, LAB_LOSS_REL, LAB_LOSS_HUBER, LAB_LOSS_ASYM, LAB_NLOSS };

typedef struct lab_loss {
    enum lab_loss_kind kind;
    double param; /* huber's delta or asym's lambda */
} lab_loss;

/* The losses' names ("log", "rel", "huber", "asym"), indexed by kind, and
 * each with its default parameter (0 when it has none). */
extern const char *const lab_loss_names[LAB_NLOSS];
lab_loss lab_loss_default(enum lab_loss_kind kind);

/* Parse "log", "rel", "huber", "huber:0.01", "asym", "asym:20". */
int lab_loss_parse(const char *text, lab_loss *loss, char *err, size_t errlen);
/* The loss as text, e.g. "huber:0.001". */
void lab_loss_format(const lab_loss *loss, char *buf, size_t len);

/* Points to fit: x is (n, nx) row-major. */
typedef struct lab_fit_data {
    size_t n, nx;
    const double *x;
    const double *y;
} lab_fit_data;

typedef struct lab_fit_opts {
    lab_loss loss;
    size_t refine;     /* best grid starts refined, besides the best of each
                          basin; 0 = every start */
    size_t max_iter;   /* iterations of one local solve */
    /* The caller's stop flag (set by its signal handler), or NULL: once it
     * is set, a fit ends at its next iteration with LAB_EINTERRUPTED. */
    volatile sig_atomic_t *stop;
} lab_fit_opts;

/* log loss, 16 refined starts, 1000 iterations, no stop flag. */
lab_fit_opts lab_fit_default_opts(void);

#define LAB_FIT_MAXP 32

typedef struct lab_fit_result {
    size_t np;              /* parameters of the form */
    size_t nfree;           /* of them fitted (not fixed) */
    double theta[LAB_FIT_MAXP]; /* the fitted parameters, fixed ones included */
    double objective;       /* the loss at theta */
    double rms;             /* root mean square of the residuals s_i (rel: relative ones) */
    double aic, bic;        /* n ln(RSS/n) + 2k and + k ln n, RSS = sum of squared residuals */
    double cond;            /* condition number of the residuals' Jacobian (fitted variables) */
    double se[LAB_FIT_MAXP]; /* asymptotic standard errors from the Jacobian (0 if fixed;
                               NaN at a bound, where the others are those with it held
                               there, and where J is singular); the bootstrap is the
                               robust alternative */
    double start_spread;    /* largest relative spread of a parameter among refined starts
                               ending within 1% of the best loss (0 = they agree) */
    int converged;          /* the best start's local solve met its tolerances */
    char at_bound[256];     /* parameters at a bound, e.g. "gamma=0", or "" */
    unsigned char bounded[LAB_FIT_MAXP]; /* 1 where theta[i] is one of them */
    size_t starts;          /* grid starts evaluated */
    size_t refined;         /* starts refined */
    size_t agree;           /* refined starts reaching the best loss (relative 1e-6) */
    double grid_s;          /* seconds spent evaluating the start grid */
    double refine_s;        /* seconds spent refining starts */
} lab_fit_result;

typedef struct lab_fitter lab_fitter;

/* A fitter for form f. NULL when out of memory. */
lab_fitter *lab_fitter_alloc(const lab_form *f, const lab_fit_opts *o);
void lab_fitter_free(lab_fitter *w);

/* Check that d suits the form and loss: enough points for the fitted
 * parameters, positive x where the form takes logs, positive y for the
 * log-based losses, no NaN. LAB_EINVAL with a message naming the point. */
int lab_fit_check(const lab_fitter *w, const lab_fit_data *d, char *err, size_t errlen);

/* Multi-start fit of d. LAB_OK with res filled (converged or not: see
 * res->converged); LAB_EINVAL for unusable data; LAB_ENUMERIC when no start
 * could be evaluated; LAB_EINTERRUPTED when the stop flag was set. */
int lab_fit_run(lab_fitter *w, const lab_fit_data *d, lab_fit_result *res,
                char *err, size_t errlen);

/* The starts the last lab_fit_run() refined, n rows of all the form's
 * parameters (valid until the next run), for comparing with other fitters
 * from the same starts. */
const double *lab_fitter_starts(const lab_fitter *w, size_t *n);

/* The range [lo, hi] of the curve at x (nx values) over the solutions that
 * the last lab_fit_run() (whose result is res) reached within a fraction tol
 * of its best loss, and how many there were: near-optimal fits that disagree
 * there extrapolate differently however well they fit. NaN when none. */
void lab_fit_near_range(const lab_fitter *w, const lab_fit_result *res, double tol,
                        const double *x, double *lo, double *hi, size_t *count);

/* One local solve from theta0 (for the bootstrap, which starts each resample
 * at the full fit). Diagnostics are filled as in lab_fit_run(), for one
 * start; LAB_EINTERRUPTED as there. */
int lab_fit_refine(lab_fitter *w, const lab_fit_data *d, const double *theta0,
                   lab_fit_result *res, char *err, size_t errlen);

#endif
