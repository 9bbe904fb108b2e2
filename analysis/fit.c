/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fit.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_multimin.h>

#include "clock.h"
#include "simd.h"
#include "status.h"
#include "strbuf.h"

/* Grids larger than this are refused rather than run for hours. */
#define MAX_STARTS 5000000
/* Refining every start is allowed up to this many. */
#define MAX_REFINE_ALL 200000
/* A local solve's tolerances: on the relative step, on the gradient, and on
 * the relative decrease of the loss over CTOL_STEPS accepted steps (GSL's own
 * test on the loss is unused, and near a kink of the Huber loss the steps
 * shrink only linearly). */
#define XTOL 1e-10
#define GTOL 1e-10
#define CTOL 1e-13
#define CTOL_STEPS 3
/* Iterations of the brief refinement of many starts (lab_fit_run). */
#define SHORT_ITER 200
/* Residuals at points where the curve is not positive. */
#define BAD_RESIDUAL 1e3

/* ==== Losses ================================================================= */

/* The registry of losses: name and default parameter, by kind. */
const char *const lab_loss_names[LAB_NLOSS] = { "log", "rel", "huber", "asym" };
static const double loss_default_param[LAB_NLOSS] = { 0, 0, 1e-3, 10 };

lab_loss lab_loss_default(enum lab_loss_kind kind)
{
    return (lab_loss){ kind, loss_default_param[kind] };
}

int lab_loss_parse(const char *text, lab_loss *loss, char *err, size_t errlen)
{
    const char *colon = strchr(text, ':');
    size_t len = colon ? (size_t)(colon - text) : strlen(text);
    int kind = -1;
    for (int k = 0; k < LAB_NLOSS; k++)
        if (strlen(lab_loss_names[k]) == len && strncmp(text, lab_loss_names[k], len) == 0)
            kind = k;
    if (kind < 0 || (colon && loss_default_param[kind] == 0))
        return lab_fail(err, errlen, LAB_EINVAL,
                        "--loss %s: expected log, rel, huber[:DELTA] or asym[:LAMBDA]", text);
    *loss = lab_loss_default((enum lab_loss_kind)kind);
    if (!colon)
        return LAB_OK;
    char *end;
    loss->param = strtod(colon + 1, &end);
    if (end == colon + 1 || *end || !(loss->param > 0) || !isfinite(loss->param))
        return lab_fail(err, errlen, LAB_EINVAL, "--loss %s: the parameter must be a number > 0",
                        text);
    return LAB_OK;
}

void lab_loss_format(const lab_loss *loss, char *buf, size_t len)
{
    if (loss_default_param[loss->kind] == 0)
        snprintf(buf, len, "%s", lab_loss_names[loss->kind]);
    else
        snprintf(buf, len, "%s:%g", lab_loss_names[loss->kind], loss->param);
}

lab_fit_opts lab_fit_default_opts(void)
{
    lab_fit_opts o = { .loss = { LAB_LOSS_LOG, 0 }, .refine = 16, .max_iter = 1000 };
    return o;
}

/* ==== The fitter ============================================================== */

struct lab_fitter {
    const lab_form *form;
    lab_fit_opts opts;
    size_t np, nfree;
    size_t free_idx[LAB_FIT_MAXP];  /* fitted parameter k is theta[free_idx[k]] */
    enum lab_param_kind kind[LAB_FIT_MAXP];
    double fixed[LAB_FIT_MAXP];     /* values of fixed parameters (others unused) */
    int is_fixed[LAB_FIT_MAXP];
    size_t namp;                    /* amplitudes of the form */
    size_t amp[4];
    /* Buffers for up to cap points. */
    size_t cap;
    double *f;                      /* (n) curve values */
    double *grad;                   /* (n, np) df/dtheta */
    double *phi;                    /* (n, namp) amplitude basis */
    double *X, *t;                  /* (n, namp) and (n): amplitude least squares */
    double *lx, *ly;                /* (n, nx) log x and (n) log y of the data */
    double *r, *drdf;               /* (n) residuals and their derivatives in f */
    double cached_u[LAB_FIT_MAXP];  /* where lm_f last evaluated, gradient included */
    int cached;
    /* The data being fitted (valid during a call). */
    const lab_fit_data *d;
    /* GSL workspaces, kept while the size does not change. */
    gsl_multifit_nlinear_workspace *lm[2]; /* Cholesky, pivoted QR */
    size_t lm_n, lm_p;
    /* The starts the last lab_fit_run() refined: (nstarts, np); and the
     * solutions they reached: nsol losses and (nsol, np) parameters. */
    double *starts;
    size_t nstarts;
    double *sol_obj, *sol_theta;
    size_t nsol;
};

/* Whether the caller asked the fit to stop. */
static int stopped(const lab_fitter *w)
{
    return w->opts.stop && *w->opts.stop;
}

lab_fitter *lab_fitter_alloc(const lab_form *f, const lab_fit_opts *o)
{
    size_t np = lab_form_nparams(f);
    if (np > LAB_FIT_MAXP)
        return NULL;
    lab_fitter *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->form = f;
    w->opts = *o;
    w->np = np;
    for (size_t i = 0; i < np; i++) {
        w->kind[i] = lab_form_param_kind(f, i);
        w->is_fixed[i] = lab_form_param_fixed(f, i, &w->fixed[i]);
        if (!w->is_fixed[i])
            w->free_idx[w->nfree++] = i;
    }
    w->namp = lab_form_amplitudes(f, w->amp);
    return w;
}

void lab_fitter_free(lab_fitter *w)
{
    if (!w)
        return;
    free(w->f);
    free(w->grad);
    free(w->phi);
    free(w->X);
    free(w->t);
    free(w->lx);
    free(w->ly);
    free(w->r);
    free(w->drdf);
    free(w->starts);
    free(w->sol_obj);
    free(w->sol_theta);
    for (int k = 0; k < 2; k++)
        if (w->lm[k])
            gsl_multifit_nlinear_free(w->lm[k]);
    free(w);
}

static int reserve_buffers(lab_fitter *w, size_t n)
{
    double *f = realloc(w->f, n * sizeof *f);
    if (f)
        w->f = f;
    double *g = realloc(w->grad, n * w->np * sizeof *g);
    if (g)
        w->grad = g;
    size_t na = w->namp ? w->namp : 1;
    double *p = realloc(w->phi, n * na * sizeof *p);
    if (p)
        w->phi = p;
    double *X = realloc(w->X, n * na * sizeof *X);
    if (X)
        w->X = X;
    double *t = realloc(w->t, n * sizeof *t);
    if (t)
        w->t = t;
    double *lx = realloc(w->lx, n * lab_form_nx(w->form) * sizeof *lx);
    if (lx)
        w->lx = lx;
    double *ly = realloc(w->ly, n * sizeof *ly);
    if (ly)
        w->ly = ly;
    double *r = realloc(w->r, n * sizeof *r);
    if (r)
        w->r = r;
    double *drdf = realloc(w->drdf, n * sizeof *drdf);
    if (drdf)
        w->drdf = drdf;
    if (!f || !g || !p || !X || !t || !lx || !ly || !r || !drdf)
        return -1;
    w->cap = n;
    return 0;
}

/* Room for n points, and the logarithms of data d (checked positive). */
static int reserve(lab_fitter *w, const lab_fit_data *d)
{
    if (d->n > w->cap && reserve_buffers(w, d->n) != 0)
        return -1;
    for (size_t i = 0; i < d->n; i++) {
        for (size_t c = 0; c < d->nx; c++)
            w->lx[i * d->nx + c] = log(d->x[i * d->nx + c]);
        w->ly[i] = log(d->y[i]);
    }
    w->d = d;
    return 0;
}

/* ==== Parametrisation ============================================================ */

/* Fitted variable u <-> parameter theta: positive kinds are fitted as logs. */
static double natural(enum lab_param_kind k, double u)
{
    switch (k) {
    case LAB_PARAM_POS:
    case LAB_PARAM_NONNEG: return exp(u);
    case LAB_PARAM_NEG: return -exp(u);
    default: return u;
    }
}

static double fitted(enum lab_param_kind k, double theta)
{
    switch (k) {
    case LAB_PARAM_POS:
    case LAB_PARAM_NONNEG: return log(theta);
    case LAB_PARAM_NEG: return log(-theta);
    default: return theta;
    }
}

/* d theta / d u */
static double dnatural(enum lab_param_kind k, double theta)
{
    return k == LAB_PARAM_FREE ? 1.0 : theta;
}

static void theta_from_u(const lab_fitter *w, const double *u, double *theta)
{
    for (size_t i = 0; i < w->np; i++)
        theta[i] = w->fixed[i];
    for (size_t k = 0; k < w->nfree; k++) {
        size_t i = w->free_idx[k];
        theta[i] = natural(w->kind[i], u[k]);
    }
}

/* ==== Residuals ==================================================================== */

/* Evaluate the curve at every point (and its gradient when want_grad). Returns
 * 0, or -1 when a parameter or a value is not finite. */
static int curve(lab_fitter *w, const double *theta, int want_grad)
{
    const lab_fit_data *d = w->d;
    for (size_t k = 0; k < w->np; k++)
        if (!isfinite(theta[k]))
            return -1;
    lab_form_eval_n(w->form, theta, d->n, d->x, w->lx, w->f, want_grad ? w->grad : NULL);
    for (size_t i = 0; i < d->n; i++)
        if (!isfinite(w->f[i]))
            return -1;
    return 0;
}

/* The residuals r_i of a loss and their derivatives dr_i/df_i, for all
 * points at once (vectorised), from the curve values f and the data y, with
 * ly = log y. With s_i = log f_i - log y_i (BAD_RESIDUAL where f_i <= 0):
 *   log   r = s                       rel  r = (f - y) / y
 *   asym  r = sqrt(l) s if s > 0 else s
 *   huber r = s if |s| <= d, else sign(s) sqrt(2 d |s| - d^2),
 * so r^2 / 2 = huber_d(s) exactly and least squares minimises the Huber loss
 * itself (r is continuously differentiable in s). */
LAB_VECTOR_KERNEL
static void residuals(enum lab_loss_kind kind, double param, size_t n, const double *f,
                      const double *y, const double *ly, double *r, double *drdf)
{
    double sl = sqrt(param), d = param;
    switch (kind) {
    case LAB_LOSS_REL:
LAB_SIMD
        for (size_t i = 0; i < n; i++) {
            r[i] = (f[i] - y[i]) / y[i];
            drdf[i] = 1.0 / y[i];
        }
        break;
    case LAB_LOSS_HUBER:
LAB_SIMD
        for (size_t i = 0; i < n; i++) {
            int pos = f[i] > 0;
            double s = pos ? log(f[i]) - ly[i] : BAD_RESIDUAL, a = fabs(s);
            double lin = sqrt(fmax(2.0 * d * a - d * d, d * d));
            int inside = a <= d;
            r[i] = inside ? s : copysign(lin, s);
            drdf[i] = pos ? (inside ? 1.0 : d / lin) / f[i] : 0.0;
        }
        break;
    case LAB_LOSS_ASYM:
LAB_SIMD
        for (size_t i = 0; i < n; i++) {
            int pos = f[i] > 0;
            double s = pos ? log(f[i]) - ly[i] : BAD_RESIDUAL, sw = s > 0 ? sl : 1.0;
            r[i] = sw * s;
            drdf[i] = pos ? sw / f[i] : 0.0;
        }
        break;
    default:
LAB_SIMD
        for (size_t i = 0; i < n; i++) {
            int pos = f[i] > 0;
            r[i] = pos ? log(f[i]) - ly[i] : BAD_RESIDUAL;
            drdf[i] = pos ? 1.0 / f[i] : 0.0;
        }
        break;
    }
}

/* The loss from residuals: sum r^2, or for Huber sum huber(s) = sum r^2 / 2. */
static double loss_of(const lab_fitter *w, const double *r)
{
    double sum = 0.0;
    for (size_t i = 0; i < w->d->n; i++)
        sum += r[i] * r[i];
    return w->opts.loss.kind == LAB_LOSS_HUBER ? 0.5 * sum : sum;
}

/* The loss at theta (NAN when the curve cannot be evaluated). */
static double objective(lab_fitter *w, const double *theta)
{
    if (curve(w, theta, 0) != 0)
        return NAN;
    residuals(w->opts.loss.kind, w->opts.loss.param, w->d->n, w->f, w->d->y, w->ly, w->r,
              w->drdf);
    return loss_of(w, w->r);
}

/* The loss at a start whose amplitude basis w->phi was just computed: the
 * curve is then sum_j theta[amp_j] phi_j, with no evaluation of the form. */
static double objective_from_basis(lab_fitter *w, const double *theta)
{
    size_t n = w->d->n, na = w->namp;
    for (size_t i = 0; i < n; i++) {
        double f = 0;
        for (size_t j = 0; j < na; j++)
            f += theta[w->amp[j]] * w->phi[i * na + j];
        if (!isfinite(f))
            return NAN;
        w->f[i] = f;
    }
    residuals(w->opts.loss.kind, w->opts.loss.param, n, w->f, w->d->y, w->ly, w->r, w->drdf);
    return loss_of(w, w->r);
}

/* J_ik = dr_i/du_k from dr/df and df/dtheta. */
static void jacobian(const lab_fitter *w, const double *theta, double *J)
{
    double dnat[LAB_FIT_MAXP];
    for (size_t k = 0; k < w->nfree; k++) {
        size_t j = w->free_idx[k];
        dnat[k] = dnatural(w->kind[j], theta[j]);
    }
    for (size_t i = 0; i < w->d->n; i++) {
        const double *g = w->grad + i * w->np;
        for (size_t k = 0; k < w->nfree; k++)
            J[i * w->nfree + k] = w->drdf[i] * g[w->free_idx[k]] * dnat[k];
    }
}

/* GSL callbacks for Levenberg-Marquardt. lm_f also keeps the gradient: GSL
 * asks for the Jacobian at the point of an accepted step, which is where
 * lm_f was last called, and lm_df then reuses it. */
static int lm_f(const gsl_vector *u, void *ctx, gsl_vector *r)
{
    lab_fitter *w = ctx;
    double theta[LAB_FIT_MAXP];
    theta_from_u(w, u->data, theta);
    w->cached = 0;
    if (curve(w, theta, 1) != 0) {
        gsl_vector_set_all(r, BAD_RESIDUAL);
        return GSL_SUCCESS;
    }
    memcpy(w->cached_u, u->data, w->nfree * sizeof *u->data);
    w->cached = 1;
    residuals(w->opts.loss.kind, w->opts.loss.param, w->d->n, w->f, w->d->y, w->ly, w->r,
              w->drdf);
    for (size_t i = 0; i < w->d->n; i++)
        gsl_vector_set(r, i, w->r[i]);
    return GSL_SUCCESS;
}

static int lm_df(const gsl_vector *u, void *ctx, gsl_matrix *J)
{
    lab_fitter *w = ctx;
    double theta[LAB_FIT_MAXP];
    theta_from_u(w, u->data, theta);
    if (!w->cached || memcmp(w->cached_u, u->data, w->nfree * sizeof *u->data) != 0) {
        w->cached = 0;
        if (curve(w, theta, 1) != 0) {
            gsl_matrix_set_zero(J);
            return GSL_SUCCESS;
        }
        residuals(w->opts.loss.kind, w->opts.loss.param, w->d->n, w->f, w->d->y, w->ly, w->r,
                  w->drdf);
    }
    if (J->tda == J->size2) {
        jacobian(w, theta, J->data);
    } else {
        for (size_t i = 0; i < w->d->n; i++)
            for (size_t k = 0; k < w->nfree; k++)
                gsl_matrix_set(J, i, k, w->drdf[i] * w->grad[i * w->np + w->free_idx[k]]
                                        * dnatural(w->kind[w->free_idx[k]], theta[w->free_idx[k]]));
    }
    return GSL_SUCCESS;
}

/* GSL callbacks for the BFGS polish of the Huber loss: its value and its
 * gradient sum_i r_i dr_i/du, since r_i dr_i/ds = huber'(s). */
static double mm_f(const gsl_vector *u, void *ctx)
{
    lab_fitter *w = ctx;
    double theta[LAB_FIT_MAXP];
    theta_from_u(w, u->data, theta);
    double v = objective(w, theta);
    return isfinite(v) ? v : GSL_POSINF;
}

static void mm_fdf(const gsl_vector *u, void *ctx, double *fval, gsl_vector *g)
{
    lab_fitter *w = ctx;
    double theta[LAB_FIT_MAXP];
    theta_from_u(w, u->data, theta);
    gsl_vector_set_zero(g);
    if (curve(w, theta, 1) != 0) {
        *fval = GSL_POSINF;
        return;
    }
    residuals(w->opts.loss.kind, w->opts.loss.param, w->d->n, w->f, w->d->y, w->ly, w->r,
              w->drdf);
    *fval = loss_of(w, w->r);
    for (size_t i = 0; i < w->d->n; i++) {
        const double *gr = w->grad + i * w->np;
        for (size_t k = 0; k < w->nfree; k++) {
            size_t j = w->free_idx[k];
            *gsl_vector_ptr(g, k) += w->r[i] * w->drdf[i] * gr[j] * dnatural(w->kind[j], theta[j]);
        }
    }
}

static void mm_df(const gsl_vector *u, void *ctx, gsl_vector *g)
{
    double unused;
    mm_fdf(u, ctx, &unused, g);
}

/* ==== Local solves ================================================================== */

struct solve {
    double theta[LAB_FIT_MAXP];
    double objective;
    int converged;
};

/* The largest component of the loss's gradient J^T r at the solver's position. */
static double lm_gradient(gsl_multifit_nlinear_workspace *lm)
{
    gsl_matrix *J = gsl_multifit_nlinear_jac(lm);
    gsl_vector *r = gsl_multifit_nlinear_residual(lm);
    double gmax = 0;
    for (size_t k = 0; k < J->size2; k++) {
        gsl_vector_view col = gsl_matrix_column(J, k);
        double gk;
        gsl_blas_ddot(&col.vector, r, &gk);
        gmax = fmax(gmax, fabs(gk));
    }
    return gmax;
}

/* Levenberg-Marquardt from u0 with GSL's trust-region driver. The step is
 * solved from the normal equations by Cholesky: the problems are small and
 * well scaled by the log parametrisation, and it is about twice as fast as
 * QR here. Where Cholesky makes no progress away from a minimum (the damped
 * normal matrix is singular when a parameter's column vanishes, as for a
 * constant started at its bound) the solve goes on from where it stopped
 * with pivoted QR, which copes with that. */
static int lm_solve(lab_fitter *w, const double *u0, struct solve *out)
{
    size_t n = w->d->n, p = w->nfree;
    if (!w->lm[0] || w->lm_n != n || w->lm_p != p) {
        for (int k = 0; k < 2; k++) {
            if (w->lm[k])
                gsl_multifit_nlinear_free(w->lm[k]);
            gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
            params.solver = k == 0 ? gsl_multifit_nlinear_solver_cholesky
                                   : gsl_multifit_nlinear_solver_qr;
            w->lm[k] = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, n, p);
        }
        if (!w->lm[0] || !w->lm[1])
            return LAB_ENOMEM;
        w->lm_n = n;
        w->lm_p = p;
    }
    gsl_multifit_nlinear_fdf fdf = { .f = lm_f, .df = lm_df, .fvv = NULL, .n = n, .p = p,
                                     .params = w };
    gsl_vector_const_view u = gsl_vector_const_view_array(u0, p);
    const gsl_vector *start = &u.vector;
    gsl_multifit_nlinear_workspace *lm = NULL;
    int status = GSL_SUCCESS;
    size_t it = 0;
    for (int k = 0; k < 2; k++) {
        lm = w->lm[k];
        status = gsl_multifit_nlinear_init(start, &fdf, lm);
        gsl_vector *r = gsl_multifit_nlinear_residual(lm);
        double cost = gsl_blas_dnrm2(r), stalled = 0;
        int info;
        for (; status == GSL_SUCCESS; it++) {
            if (it == w->opts.max_iter || stopped(w)) {
                status = GSL_EMAXITER;
                break;
            }
            if ((status = gsl_multifit_nlinear_iterate(lm)) != GSL_SUCCESS)
                break;
            if (gsl_multifit_nlinear_test(XTOL, GTOL, 0.0, &info, lm) == GSL_SUCCESS)
                break;
            double c = gsl_blas_dnrm2(r);
            stalled = cost - c <= CTOL * c ? stalled + 1 : 0;
            cost = c;
            if (stalled >= CTOL_STEPS)
                break;
        }
        /* "No progress" at a minimum is rounding, not failure: accept it when
         * the gradient J^T r is negligible. */
        if (status == GSL_ENOPROG) {
            double c = gsl_blas_dnrm2(r);
            if (lm_gradient(lm) <= 1e-8 * (1.0 + c * c))
                status = GSL_SUCCESS;
        }
        if (status != GSL_ENOPROG)
            break;
        start = gsl_multifit_nlinear_position(lm);
    }
    gsl_vector *ub = gsl_multifit_nlinear_position(lm);
    theta_from_u(w, ub->data, out->theta);
    out->objective = objective(w, out->theta);
    out->converged = status == GSL_SUCCESS && isfinite(out->objective);
    return LAB_OK;
}

static int bfgs_solve(lab_fitter *w, const double *u0, struct solve *out)
{
    size_t p = w->nfree;
    gsl_multimin_fdfminimizer *s =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, p);
    if (!s)
        return LAB_ENOMEM;
    gsl_multimin_function_fdf fdf = { .f = mm_f, .df = mm_df, .fdf = mm_fdf, .n = p,
                                      .params = w };
    gsl_vector_const_view u = gsl_vector_const_view_array(u0, p);
    int status = gsl_multimin_fdfminimizer_set(s, &fdf, &u.vector, 0.01, 0.1);
    int ok = 0;
    for (size_t it = 0; status == GSL_SUCCESS && it < 200 && !stopped(w); it++) {
        status = gsl_multimin_fdfminimizer_iterate(s);
        double f = gsl_multimin_fdfminimizer_minimum(s);
        if (gsl_multimin_test_gradient(gsl_multimin_fdfminimizer_gradient(s),
                                       1e-10 * (1.0 + fabs(f))) == GSL_SUCCESS) {
            ok = 1;
            break;
        }
    }
    /* BFGS stops when its line search makes no progress: at a kink of the
     * Huber loss this is the minimum when the gradient is small. */
    if (!ok) {
        const gsl_vector *g = gsl_multimin_fdfminimizer_gradient(s);
        double f = gsl_multimin_fdfminimizer_minimum(s);
        ok = status == GSL_ENOPROG && gsl_blas_dnrm2(g) <= 1e-6 * (1.0 + fabs(f));
    }
    theta_from_u(w, gsl_multimin_fdfminimizer_x(s)->data, out->theta);
    out->objective = objective(w, out->theta);
    out->converged = ok && isfinite(out->objective);
    gsl_multimin_fdfminimizer_free(s);
    return LAB_OK;
}

/* A parameter whose exponential underflowed to 0 (or overflowed) at a bound
 * is brought back to where it is finite, so a refit can start from it. */
static void to_fitted(const lab_fitter *w, const double *theta, double *u)
{
    for (size_t k = 0; k < w->nfree; k++) {
        size_t i = w->free_idx[k];
        u[k] = fitted(w->kind[i], theta[i]);
        if (w->kind[i] != LAB_PARAM_FREE)
            u[k] = fmin(fmax(u[k], -700.0), 700.0);
    }
}

/* Levenberg-Marquardt. The Huber loss is a sum of squares of residuals that
 * are only once differentiable, and LM can stop short near their kinks: then
 * a BFGS polish on the loss itself follows, kept when it lowers the loss. */
static const char *at_bound(lab_fitter *w, const double *theta, size_t i);

/* A solve can end with a non-negative constant driven to 0 because it
 * started there (its log-parametrised column vanishes, so no step can bring
 * it back), not because the data want it there. Probe the loss with the
 * constant at fractions of the smallest y; where a probe is lower, the bound
 * was a trap: solve again from the best probe. */
static int leave_bounds(lab_fitter *w, struct solve *out)
{
    double ymin = INFINITY;
    for (size_t i = 0; i < w->d->n; i++)
        ymin = fmin(ymin, w->d->y[i]);
    for (size_t k = 0; k < w->nfree; k++) {
        size_t i = w->free_idx[k];
        if (w->kind[i] != LAB_PARAM_NONNEG || !at_bound(w, out->theta, i))
            continue;
        double theta[LAB_FIT_MAXP], best = out->objective, best_v = NAN;
        memcpy(theta, out->theta, w->np * sizeof *theta);
        for (double frac = 1e-3; frac < 1; frac *= 10) {
            theta[i] = frac * ymin;
            double obj = objective(w, theta);
            if (obj < best) {
                best = obj;
                best_v = theta[i];
            }
        }
        if (isnan(best_v))
            continue;
        theta[i] = best_v;
        double u[LAB_FIT_MAXP];
        struct solve again;
        to_fitted(w, theta, u);
        int rc = lm_solve(w, u, &again);
        if (rc != LAB_OK)
            return rc;
        if (again.objective < out->objective)
            *out = again;
    }
    return LAB_OK;
}

static int local_solve(lab_fitter *w, const double *theta0, struct solve *out)
{
    double u0[LAB_FIT_MAXP];
    to_fitted(w, theta0, u0);
    for (size_t k = 0; k < w->nfree; k++)
        if (!isfinite(u0[k]))
            return LAB_ENUMERIC;
    int rc = lm_solve(w, u0, out);
    if (rc == LAB_OK && isfinite(out->objective))
        rc = leave_bounds(w, out);
    if (rc == LAB_OK && w->opts.loss.kind == LAB_LOSS_HUBER && isfinite(out->objective)
        && !out->converged) {
        struct solve polish;
        to_fitted(w, out->theta, u0);
        if (bfgs_solve(w, u0, &polish) == LAB_OK && polish.objective < out->objective) {
            polish.converged |= out->converged;
            *out = polish;
        }
    }
    lab_form_canonical(w->form, out->theta);
    return rc;
}

/* ==== Starts ======================================================================== */

/* Solve the amplitudes in `solve` (indices into w->amp) for the other
 * parameters of theta, by least squares on the relative residuals
 * (sum_j a_j phi_j - y) / y, keeping the signs their kinds demand. */
static int solve_amplitudes(lab_fitter *w, double *theta, const size_t *solve, size_t ns)
{
    const lab_fit_data *d = w->d;
    size_t n = d->n, na = w->namp;
    lab_form_basis_n(w->form, theta, n, d->x, w->lx, w->phi, w->t);
    double *Xbuf = w->X, *tbuf = w->t;

    /* Try every pattern of constrained amplitudes held at zero; keep the best
     * feasible solution. With at most three amplitudes this is exact. */
    double best = INFINITY, best_a[4] = { 0 };
    for (unsigned mask = 0; mask < (1u << ns); mask++) {
        size_t cols[4], nc = 0;
        int skip = 0;
        for (size_t j = 0; j < ns; j++) {
            int zero = (mask >> j) & 1u;
            if (zero && w->kind[w->amp[solve[j]]] == LAB_PARAM_FREE)
                skip = 1;
            if (!zero)
                cols[nc++] = j;
        }
        if (skip)
            continue;
        double a[4] = { 0 };
        if (nc > 0) {
            /* Rows scaled by 1/y: the target is y minus the known terms. */
            for (size_t i = 0; i < n; i++) {
                double t = d->y[i];
                for (size_t j = 0; j < na; j++) {
                    int solved = 0;
                    for (size_t s = 0; s < ns; s++)
                        solved |= solve[s] == j;
                    if (!solved)
                        t -= theta[w->amp[j]] * w->phi[i * na + j];
                }
                tbuf[i] = t / d->y[i];
                for (size_t c = 0; c < nc; c++)
                    Xbuf[i * nc + c] = w->phi[i * na + solve[cols[c]]] / d->y[i];
            }
            /* Householder QR: a few columns, so far cheaper than an SVD. */
            double tau[4], cbuf[4];
            gsl_matrix_view X = gsl_matrix_view_array(Xbuf, n, nc);
            gsl_vector_view t = gsl_vector_view_array(tbuf, n);
            gsl_vector_view tv = gsl_vector_view_array(tau, nc);
            gsl_vector_view c = gsl_vector_view_array(cbuf, nc);
            gsl_vector_view resid = gsl_vector_view_array(w->r, n);
            if (gsl_linalg_QR_decomp(&X.matrix, &tv.vector) != GSL_SUCCESS
                || gsl_linalg_QR_lssolve(&X.matrix, &tv.vector, &t.vector, &c.vector,
                                         &resid.vector) != GSL_SUCCESS)
                continue;
            int finite = 1;
            for (size_t k = 0; k < nc; k++) {
                finite &= isfinite(cbuf[k]);
                a[cols[k]] = cbuf[k];
            }
            if (!finite)
                continue;
        }
        int feasible = 1;
        for (size_t j = 0; j < ns; j++)
            if (w->kind[w->amp[solve[j]]] != LAB_PARAM_FREE && a[j] < 0)
                feasible = 0;
        if (!feasible)
            continue;
        double sse = 0;
        for (size_t i = 0; i < n; i++) {
            double fi = 0;
            for (size_t j = 0; j < na; j++) {
                double aj = theta[w->amp[j]];
                for (size_t s = 0; s < ns; s++)
                    if (solve[s] == j)
                        aj = a[s];
                fi += aj * w->phi[i * na + j];
            }
            double r = (fi - d->y[i]) / d->y[i];
            sse += r * r;
        }
        if (sse < best) {
            best = sse;
            memcpy(best_a, a, sizeof best_a);
        }
    }
    if (!isfinite(best))
        return LAB_ENUMERIC;
    /* A positive amplitude solved as 0 starts small instead (its logarithm
     * is what is fitted). */
    double ymax = 0;
    for (size_t i = 0; i < n; i++)
        ymax = fmax(ymax, fabs(d->y[i]));
    for (size_t s = 0; s < ns; s++) {
        size_t j = solve[s];
        double scale = 0;
        for (size_t i = 0; i < n; i++)
            scale = fmax(scale, fabs(w->phi[i * na + j]));
        double floor = 1e-6 * ymax / (scale > 0 ? scale : 1.0);
        theta[w->amp[j]] = w->kind[w->amp[j]] == LAB_PARAM_FREE ? best_a[s]
                                                                : fmax(best_a[s], floor);
    }
    return LAB_OK;
}

/* Doubles in increasing order, for qsort(). */
static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The data as the start grids see them: ranges, and the distinct values of
 * the first x column in increasing order (x0, allocated; NULL when out of
 * memory). */
static double *grid_data(const lab_fit_data *d, lab_grid_data *gd, double *xmin, double *xmax)
{
    double *x0 = malloc((d->n ? d->n : 1) * sizeof *x0);
    if (!x0)
        return NULL;
    *gd = (lab_grid_data){ xmin, xmax, INFINITY, -INFINITY, x0, 0 };
    for (size_t c = 0; c < d->nx; c++) {
        xmin[c] = INFINITY;
        xmax[c] = -INFINITY;
    }
    for (size_t i = 0; i < d->n; i++) {
        for (size_t c = 0; c < d->nx; c++) {
            xmin[c] = fmin(xmin[c], d->x[i * d->nx + c]);
            xmax[c] = fmax(xmax[c], d->x[i * d->nx + c]);
        }
        gd->ymin = fmin(gd->ymin, d->y[i]);
        gd->ymax = fmax(gd->ymax, d->y[i]);
        x0[i] = d->x[i * d->nx];
    }
    qsort(x0, d->n, sizeof *x0, by_value);
    for (size_t i = 0; i < d->n; i++)
        if (gd->nx0 == 0 || x0[i] != x0[gd->nx0 - 1])
            x0[gd->nx0++] = x0[i];
    return x0;
}

/* The start grid of one pass: per parameter, its grid values, or one value. */
struct grid {
    size_t count[LAB_FIT_MAXP];
    double vals[LAB_FIT_MAXP][128];
    size_t solve[4], nsolve;   /* amplitudes solved at each start */
    size_t total;
};

static int make_grid(lab_fitter *w, const lab_grid_data *gd, size_t pass, struct grid *g,
                     char *err, size_t errlen)
{
    memset(g, 0, sizeof *g);
    g->total = 1;
    for (size_t i = 0; i < w->np; i++) {
        if (w->is_fixed[i]) {
            g->count[i] = 1;
            g->vals[i][0] = w->fixed[i];
            continue;
        }
        g->count[i] = lab_form_grid(w->form, pass, i, gd, g->vals[i], 128);
        if (g->count[i] == 0) {
            int amplitude = 0;
            for (size_t j = 0; j < w->namp; j++)
                if (w->amp[j] == i) {
                    amplitude = 1;
                    g->solve[g->nsolve++] = j;
                }
            g->count[i] = 1;
            g->vals[i][0] = amplitude ? 0.0
                          : w->kind[i] == LAB_PARAM_NEG ? -1.0
                          : w->kind[i] == LAB_PARAM_FREE ? 0.0 : 1.0;
        }
        g->total *= g->count[i];
        if (g->total > MAX_STARTS)
            return lab_fail(err, errlen, LAB_EINVAL, "%s: the start grid has more than %d "
                            "points; give smaller grids with --start", lab_form_name(w->form),
                            MAX_STARTS);
    }
    return LAB_OK;
}

/* Fill theta with start number k of the grid. */
static void grid_point(const lab_fitter *w, const struct grid *g, size_t k, double *theta)
{
    for (size_t i = w->np; i-- > 0;) {
        theta[i] = g->vals[i][k % g->count[i]];
        k /= g->count[i];
    }
}

/* ==== Diagnostics =================================================================== */

/* Which parameters sit at a bound ("0", "inf", "-inf"; NULL when none): a
 * non-negative one at 0 (relative to the data's scale), or one fitted in
 * logs that ran off to 0 or infinity: far out (|log| > 40) and where going
 * further out changes nothing. Far out alone is not enough: a break at
 * x = 1e20 (training compute) is in the data, not at infinity. Evaluates
 * the loss, so the fitter's buffers change. */
static const char *at_bound(lab_fitter *w, const double *theta, size_t i)
{
    double ymax = 0;
    for (size_t k = 0; k < w->d->n; k++)
        ymax = fmax(ymax, fabs(w->d->y[k]));
    if (w->kind[i] == LAB_PARAM_NONNEG && theta[i] < 1e-9 * ymax)
        return "0";
    if (w->kind[i] == LAB_PARAM_FREE)
        return fabs(theta[i]) <= 1e15 ? NULL : theta[i] > 0 ? "inf" : "-inf";
    double u = fitted(w->kind[i], theta[i]);
    if (!(fabs(u) > 40))
        return NULL;
    double further[LAB_FIT_MAXP];
    memcpy(further, theta, w->np * sizeof *theta);
    further[i] = natural(w->kind[i], u + copysign(10.0, u));
    double here = objective(w, theta), there = objective(w, further);
    if (!(fabs(there - here) <= 1e-9 * fabs(here) + 1e-300))
        return NULL;
    return u < 0 ? "0" : w->kind[i] == LAB_PARAM_NEG ? "-inf" : "inf";
}

/* The asymptotic standard errors from the SVD of a Jacobian J (n x p, in
 * the fitted variables of the parameters idx[]): se = |dtheta/du| s
 * sqrt(diag (J^T J)^-1), s^2 = RSS / (n - p); left NaN where J is singular.
 * J is overwritten. Returns the condition number of J. */
static double stderrs(const lab_fitter *w, const double *theta, gsl_matrix *J, const size_t *idx,
                      double rss, double *se)
{
    size_t n = J->size1, p = J->size2;
    gsl_matrix *V = gsl_matrix_alloc(p, p);
    gsl_vector *S = gsl_vector_alloc(p), *work = gsl_vector_alloc(p);
    double cond = NAN;
    if (V && S && work && n >= p && gsl_linalg_SV_decomp(J, V, S, work) == GSL_SUCCESS) {
        double smax = gsl_vector_get(S, 0), smin = gsl_vector_get(S, p - 1);
        cond = smin > 0 ? smax / smin : INFINITY;
        double s2 = n > p ? rss / (double)(n - p) : NAN;
        for (size_t k = 0; k < p && smin > 1e-14 * smax; k++) {
            double var = 0;
            for (size_t m = 0; m < p; m++) {
                double v = gsl_matrix_get(V, k, m), sm = gsl_vector_get(S, m);
                var += v * v / (sm * sm);
            }
            size_t j = idx[k];
            se[j] = fabs(dnatural(w->kind[j], theta[j])) * sqrt(s2 * var);
        }
    }
    gsl_matrix_free(V);
    gsl_vector_free(S);
    gsl_vector_free(work);
    return cond;
}

/* Linearise at theta: the residuals (the loss's own; log residuals for
 * Huber) and their Jacobian J in the fitted variables u. Sets *rss, returns
 * the condition number of J, and fills the standard errors. A parameter at a
 * bound has none (NaN): its interval is one-sided, and its column, which
 * vanishes there, would make J singular for every other parameter; the
 * others' errors are those with it held at its bound. */
static double linearise(lab_fitter *w, const double *theta, const unsigned char *bounded,
                        double *rss, double *se)
{
    size_t n = w->d->n, p = w->nfree, q = 0, idx[LAB_FIT_MAXP];
    *rss = NAN;
    for (size_t i = 0; i < w->np; i++)
        se[i] = w->is_fixed[i] ? 0.0 : NAN;
    if (p == 0 || curve(w, theta, 1) != 0)
        return NAN;
    for (size_t k = 0; k < p; k++)
        if (!bounded[w->free_idx[k]])
            idx[q++] = w->free_idx[k];
    gsl_matrix *J = gsl_matrix_alloc(n, p), *Jq = q ? gsl_matrix_alloc(n, q) : NULL;
    double cond = NAN, sum = 0, dummy[LAB_FIT_MAXP];
    if (J && (Jq || q == 0)) {
        /* Huber's residuals are reported as the log residuals s_i. */
        enum lab_loss_kind kind = w->opts.loss.kind == LAB_LOSS_HUBER ? LAB_LOSS_LOG
                                                                       : w->opts.loss.kind;
        residuals(kind, w->opts.loss.param, n, w->f, w->d->y, w->ly, w->r, w->drdf);
        for (size_t i = 0; i < n; i++) {
            sum += w->r[i] * w->r[i];
            for (size_t k = 0, c = 0; k < p; k++) {
                size_t j = w->free_idx[k];
                double v = w->drdf[i] * w->grad[i * w->np + j] * dnatural(w->kind[j], theta[j]);
                gsl_matrix_set(J, i, k, v);
                if (c < q && idx[c] == j)
                    gsl_matrix_set(Jq, i, c++, v);
            }
        }
        *rss = sum;
        cond = stderrs(w, theta, J, w->free_idx, sum, q == p ? se : dummy);
        if (q > 0 && q < p)
            stderrs(w, theta, Jq, idx, sum, se);
    }
    gsl_matrix_free(J);
    gsl_matrix_free(Jq);
    return cond;
}

static void bounds_report(lab_fitter *w, lab_fit_result *res)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    for (size_t k = 0; k < w->nfree; k++) {
        size_t i = w->free_idx[k];
        const char *what = at_bound(w, res->theta, i);
        res->bounded[i] = what != NULL;
        if (what)
            lab_strbuf_printf(&b, "%s%s=%s", b.len ? " " : "", lab_form_param_name(w->form, i),
                              what);
    }
    snprintf(res->at_bound, sizeof res->at_bound, "%s", lab_strbuf_str(&b));
    lab_strbuf_release(&b);
}

static void diagnose(lab_fitter *w, lab_fit_result *res)
{
    double rss;
    size_t n = w->d->n, k = w->nfree;
    bounds_report(w, res);
    res->cond = linearise(w, res->theta, res->bounded, &rss, res->se);
    res->rms = sqrt(rss / (double)n);
    double ll = (double)n * log(rss / (double)n > 1e-300 ? rss / (double)n : 1e-300);
    res->aic = ll + 2.0 * (double)k;
    res->bic = ll + (double)k * log((double)n);
}

/* ==== Driver ======================================================================== */

int lab_fit_check(const lab_fitter *w, const lab_fit_data *d, char *err, size_t errlen)
{
    const char *name = lab_form_name(w->form);
    if (d->nx != lab_form_nx(w->form))
        return lab_fail(err, errlen, LAB_EINVAL, "%s takes %zu x columns, not %zu", name,
                        lab_form_nx(w->form), d->nx);
    if (w->nfree == 0)
        return lab_fail(err, errlen, LAB_EINVAL, "%s: every parameter is fixed; there is "
                        "nothing to fit", name);
    if (d->n <= w->nfree)
        return lab_fail(err, errlen, LAB_EINVAL, "%s fits %zu parameters: it needs at least %zu "
                        "points, and has %zu", name, w->nfree, w->nfree + 1, d->n);
    int logs = w->opts.loss.kind != LAB_LOSS_REL;
    for (size_t i = 0; i < d->n; i++) {
        if (!isfinite(d->y[i]))
            return lab_fail(err, errlen, LAB_EINVAL, "point %zu: y is not a finite number", i + 1);
        if (!(d->y[i] > 0))
            return lab_fail(err, errlen, LAB_EINVAL, "point %zu: y = %g; %s needs y > 0",
                            i + 1, d->y[i], logs ? "a loss on log y" : "the relative error");
        for (size_t c = 0; c < d->nx; c++) {
            double x = d->x[i * d->nx + c];
            if (!isfinite(x) || !(x > 0))
                return lab_fail(err, errlen, LAB_EINVAL, "point %zu: x%zu = %g; %s needs "
                                "x > 0 (its terms are powers of x)", i + 1, c + 1, x, name);
        }
    }
    return LAB_OK;
}

/* The starts kept for refinement: the best `cap` by initial loss. */
struct pool {
    size_t cap, n;
    double *obj;    /* (cap) */
    double *theta;  /* (cap, np) */
};

static void pool_offer(struct pool *p, size_t np, double obj, const double *theta)
{
    size_t slot = p->n;
    if (p->n == p->cap) {
        size_t worst = 0;
        for (size_t i = 1; i < p->n; i++)
            if (p->obj[i] > p->obj[worst])
                worst = i;
        if (!(obj < p->obj[worst]))
            return;
        slot = worst;
    } else {
        p->n++;
    }
    p->obj[slot] = obj;
    memcpy(p->theta + slot * np, theta, np * sizeof *theta);
}

/* Spread and agreement among refined solutions (obj, theta rows). */
static void spread(const lab_fitter *w, const double *obj, const double *theta, size_t m,
                   lab_fit_result *res)
{
    double best = res->objective;
    res->agree = 0;
    res->start_spread = 0;
    for (size_t s = 0; s < m; s++) {
        if (obj[s] <= best + 1e-6 * fabs(best) + 1e-300)
            res->agree++;
        if (!(obj[s] <= best + 0.01 * fabs(best) + 1e-300))
            continue;
        for (size_t k = 0; k < w->nfree; k++) {
            size_t i = w->free_idx[k];
            if (res->bounded[i]) /* where it stops near 0 says nothing */
                continue;
            double ref = fabs(res->theta[i]) > 1e-12 ? fabs(res->theta[i]) : 1e-12;
            res->start_spread = fmax(res->start_spread,
                                     fabs(theta[s * w->np + i] - res->theta[i]) / ref);
        }
    }
}

static void result_init(const lab_fitter *w, lab_fit_result *res)
{
    memset(res, 0, sizeof *res);
    res->np = w->np;
    res->nfree = w->nfree;
    res->objective = INFINITY;
}

/* What every fit does first: an empty result, the data checked, buffers
 * sized and the data's logs taken. */
static int fit_begin(lab_fitter *w, const lab_fit_data *d, lab_fit_result *res, char *err,
                     size_t errlen)
{
    result_init(w, res);
    int rc = lab_fit_check(w, d, err, errlen);
    if (rc == LAB_OK && reserve(w, d) != 0)
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    return rc;
}

/* The starts worth refining: the best `cap` overall by their loss, and
 * the best of every basin of the form (nb of them). */
struct kept {
    struct pool pool;
    size_t nb;
    double *basin_obj;    /* (nb) */
    double *basin_theta;  /* (nb, np) */
};

static void kept_offer(lab_fitter *w, const lab_grid_data *gd, struct kept *k, double obj,
                       const double *theta)
{
    pool_offer(&k->pool, w->np, obj, theta);
    if (k->nb) {
        size_t b = lab_form_basin(w->form, theta, gd);
        if (obj < k->basin_obj[b]) {
            k->basin_obj[b] = obj;
            memcpy(k->basin_theta + b * w->np, theta, w->np * sizeof *theta);
        }
    }
}

/* Append the basins' best starts that are not in the pool already (it has
 * room for them). */
static void kept_merge(const lab_fitter *w, struct kept *k)
{
    size_t np = w->np;
    struct pool *p = &k->pool;
    for (size_t b = 0; b < k->nb; b++) {
        int known = !isfinite(k->basin_obj[b]);
        for (size_t s = 0; s < p->n && !known; s++)
            known = memcmp(p->theta + s * np, k->basin_theta + b * np, np * sizeof *p->theta) == 0;
        if (!known) {
            p->obj[p->n] = k->basin_obj[b];
            memcpy(p->theta + p->n++ * np, k->basin_theta + b * np, np * sizeof *p->theta);
        }
    }
}

/* Evaluate every admissible start of grid g, amplitudes solved. */
static void scan(lab_fitter *w, const lab_grid_data *gd, const struct grid *g, struct kept *k,
                 lab_fit_result *res)
{
    for (size_t s = 0; s < g->total && !stopped(w); s++) {
        double theta[LAB_FIT_MAXP];
        grid_point(w, g, s, theta);
        if (!lab_form_admissible(w->form, theta))
            continue;
        if (g->nsolve && solve_amplitudes(w, theta, g->solve, g->nsolve) != LAB_OK)
            continue;
        double obj = g->nsolve ? objective_from_basis(w, theta) : objective(w, theta);
        res->starts++;
        if (isfinite(obj))
            kept_offer(w, gd, k, obj, theta);
    }
}

#define MAX_PASSES 2

/* Refine every start of the pool for at most SHORT_ITER iterations and put
 * the `keep` best solutions (*nout of them: fewer when starts fail), best
 * first, in a new (keep, np) array *out: where they lead is a better guide
 * than where they began. */
static int refine_briefly(lab_fitter *w, const struct pool *pool, size_t keep, double **out,
                          size_t *nout)
{
    size_t np = w->np, m = 0, full_iter = w->opts.max_iter;
    double *obj = malloc(pool->n * sizeof *obj), *theta = malloc(pool->n * np * sizeof *theta);
    *out = malloc(keep * np * sizeof **out);
    if (!obj || !theta || !*out) {
        free(obj);
        free(theta);
        return LAB_ENOMEM;
    }
    w->opts.max_iter = full_iter < SHORT_ITER ? full_iter : SHORT_ITER;
    for (size_t s = 0; s < pool->n && !stopped(w); s++) {
        struct solve sol;
        if (local_solve(w, pool->theta + s * np, &sol) != LAB_OK || !isfinite(sol.objective))
            continue;
        obj[m] = sol.objective;
        memcpy(theta + m++ * np, sol.theta, np * sizeof *theta);
    }
    w->opts.max_iter = full_iter;
    /* The best `keep`, by selection: keep is small. */
    for (size_t j = 0; j < keep && j < m; j++) {
        size_t best = j;
        for (size_t s = j + 1; s < m; s++)
            if (obj[s] < obj[best])
                best = s;
        double t = obj[j];
        obj[j] = obj[best];
        obj[best] = t;
        for (size_t i = 0; i < np; i++) {
            t = theta[j * np + i];
            theta[j * np + i] = theta[best * np + i];
            theta[best * np + i] = t;
        }
        memcpy(*out + j * np, theta + j * np, np * sizeof *theta);
    }
    *nout = m < keep ? m : keep;
    free(obj);
    free(theta);
    return LAB_OK;
}

int lab_fit_run(lab_fitter *w, const lab_fit_data *d, lab_fit_result *res,
                char *err, size_t errlen)
{
    int rc = fit_begin(w, d, res, err, errlen);
    if (rc != LAB_OK)
        return rc;

    size_t np = w->np, keep = w->opts.refine, total = 0;
    size_t npass = lab_form_grid_passes(w->form);
    double xmin[LAB_FORM_MAXX], xmax[LAB_FORM_MAXX];
    lab_grid_data gd;
    double *x0 = grid_data(d, &gd, xmin, xmax);
    struct grid *g = malloc(MAX_PASSES * sizeof *g);
    struct kept k = { 0 };
    double *mid = NULL;
    if (!x0 || !g) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    assert(npass <= MAX_PASSES);
    for (size_t pass = 0; pass < npass && rc == LAB_OK; pass++)
        if ((rc = make_grid(w, &gd, pass, &g[pass], err, errlen)) == LAB_OK)
            total += g[pass].total;
    if (rc != LAB_OK)
        goto done;
    if (keep == 0 && total > MAX_REFINE_ALL) {
        rc = lab_fail(err, errlen, LAB_EINVAL, "%s: refining all %zu starts is too slow; "
                      "refine the best few (--refine N)", lab_form_name(w->form), total);
        goto done;
    }
    if (keep == 0 || keep > total)
        keep = total;
    /* The best start of every basin joins the best starts overall. */
    k.nb = keep == total ? 0 : lab_form_nbasins(w->form, &gd);
    size_t cap = keep + k.nb;
    k.pool = (struct pool){ .cap = keep };
    k.pool.obj = malloc(cap * sizeof *k.pool.obj);
    k.pool.theta = malloc(cap * np * sizeof *k.pool.theta);
    k.basin_obj = malloc((k.nb ? k.nb : 1) * sizeof *k.basin_obj);
    k.basin_theta = malloc((k.nb ? k.nb : 1) * np * sizeof *k.basin_theta);
    double *sol_obj = realloc(w->sol_obj, cap * sizeof *sol_obj);
    if (sol_obj)
        w->sol_obj = sol_obj;
    double *sol_theta = realloc(w->sol_theta, cap * np * sizeof *sol_theta);
    if (sol_theta)
        w->sol_theta = sol_theta;
    w->nsol = 0;
    if (!k.pool.obj || !k.pool.theta || !k.basin_obj || !k.basin_theta || !sol_obj
        || !sol_theta) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t b = 0; b < k.nb; b++)
        k.basin_obj[b] = INFINITY;

    double t0 = lab_clock_s();
    for (size_t pass = 0; pass < npass; pass++)
        scan(w, &gd, &g[pass], &k, res);
    if (stopped(w)) {
        rc = lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted");
        goto done;
    }
    kept_merge(w, &k);
    struct pool pool = k.pool;
    if (pool.n == 0) {
        rc = lab_fail(err, errlen, LAB_ENUMERIC, "%s: the curve is not finite at any start",
                      lab_form_name(w->form));
        goto done;
    }

    /* Refine the kept starts; the best solution wins. When the basins add
     * starts to the best `keep`, each is first refined briefly, and only
     * the best `keep` of those to the end. */
    double t1 = lab_clock_s();
    res->grid_s = t1 - t0;
    const double *full = pool.theta;
    size_t nfull = pool.n;
    if (pool.n > keep) {
        if ((rc = refine_briefly(w, &pool, keep, &mid, &nfull)) != LAB_OK) {
            lab_fail(err, errlen, rc, "out of memory");
            goto done;
        }
        full = mid;
        res->refined = pool.n;
    }
    size_t nsol = 0;
    for (size_t s = 0; s < nfull && !stopped(w); s++) {
        struct solve sol;
        if (local_solve(w, full + s * np, &sol) != LAB_OK || !isfinite(sol.objective))
            continue;
        sol_obj[nsol] = sol.objective;
        memcpy(sol_theta + nsol * np, sol.theta, np * sizeof *sol.theta);
        w->nsol = ++nsol;
        if (sol.objective < res->objective) {
            res->objective = sol.objective;
            res->converged = sol.converged;
            memcpy(res->theta, sol.theta, np * sizeof *sol.theta);
        }
    }
    if (full == pool.theta)
        res->refined = nsol;
    res->refine_s = lab_clock_s() - t1;
    if (stopped(w)) {
        rc = lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted");
        goto done;
    }
    if (nsol == 0) {
        rc = lab_fail(err, errlen, LAB_ENUMERIC, "%s: no start could be refined",
                      lab_form_name(w->form));
        goto done;
    }
    diagnose(w, res);
    spread(w, sol_obj, sol_theta, nsol, res);
done:
    free(mid);
    free(k.pool.obj);
    free(k.basin_obj);
    free(k.basin_theta);
    free(w->starts);
    w->starts = k.pool.theta;
    w->nstarts = k.pool.n;
    free(g);
    free(x0);
    return rc;
}

void lab_fit_near_range(const lab_fitter *w, const lab_fit_result *res, double tol,
                        const double *x, double *lo, double *hi, size_t *count)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    *count = 0;
    for (size_t s = 0; s < w->nsol; s++) {
        if (!(w->sol_obj[s] <= res->objective + tol * fabs(res->objective) + 1e-300))
            continue;
        double y = lab_form_eval(w->form, w->sol_theta + s * w->np, x, NULL);
        if (!isfinite(y))
            continue;
        *lo = fmin(*lo, y);
        *hi = fmax(*hi, y);
        (*count)++;
    }
    if (*count == 0)
        *lo = *hi = NAN;
}

const double *lab_fitter_starts(const lab_fitter *w, size_t *n)
{
    *n = w->nstarts;
    return w->starts;
}

int lab_fit_refine(lab_fitter *w, const lab_fit_data *d, const double *theta0,
                   lab_fit_result *res, char *err, size_t errlen)
{
    int rc = fit_begin(w, d, res, err, errlen);
    if (rc != LAB_OK)
        return rc;
    double theta[LAB_FIT_MAXP];
    memcpy(theta, theta0, w->np * sizeof *theta);
    for (size_t i = 0; i < w->np; i++)
        if (w->is_fixed[i])
            theta[i] = w->fixed[i];
    struct solve sol;
    rc = local_solve(w, theta, &sol);
    if (stopped(w))
        return lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted");
    if (rc != LAB_OK || !isfinite(sol.objective))
        return lab_fail(err, errlen, rc == LAB_OK ? LAB_ENUMERIC : rc,
                        "%s: the start cannot be refined", lab_form_name(w->form));
    res->starts = res->refined = res->agree = 1;
    res->objective = sol.objective;
    res->converged = sol.converged;
    memcpy(res->theta, sol.theta, w->np * sizeof *sol.theta);
    diagnose(w, res);
    return LAB_OK;
}
