/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "refine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_multimin.h>

#include "clock.h"
#include "status.h"

/* Rows per chunk of the forward and Jacobian passes. */
#define CHUNK 256

const char *const lab_refine_names[LAB_NREFINE] = { "none", "lm", "bfgs" };
const char *const lab_refine_stop_names[LAB_NREFINE_STOP] = {
    "xtol", "gtol", "ftol", "iters", "stalled", "interrupted"
};

struct lab_refine {
    lab_refine_params p;
    size_t n, P, D;
    size_t nf;             /* lm: residual rows, max(n, P) (below) */
    lab_mlp *net;          /* a private copy of the shape: the callbacks set its theta */
    lab_mlp_work *w;       /* CHUNK rows */
    const lab_dataset *train; /* borrowed during a run */
    gsl_vector *x;         /* (P) start */
    double *grad;          /* (P) bfgs: one chunk's gradient */
    gsl_multifit_nlinear_workspace *lm;
    gsl_multimin_fdfminimizer *bfgs;
    long nevalf, nevaldf;
};

lab_refine_params lab_refine_default_params(void)
{
    lab_refine_params p = {
        .method = LAB_REFINE_LM, .max_iter = 1000, .xtol = 1e-12, .gtol = 0.0,
        .ftol = 0.0, .accel = 0, .max_bytes = 2.0 * 1024 * 1024 * 1024
    };
    return p;
}

double lab_refine_bytes(const lab_refine_params *p, size_t n, size_t n_params,
                        size_t depth, const size_t *widths)
{
    double N = (double)n, P = (double)n_params;
    double own = sizeof(struct lab_refine) + lab_mlp_work_bytes(depth, widths, CHUNK)
                 + 2.0 * P * sizeof(double);
    if (p->method == LAB_REFINE_BFGS)
        /* bfgs2's state: about a dozen vectors of P. */
        return own + 16.0 * P * sizeof(double);
    /* gsl_multifit_nlinear with the Cholesky solver: J (n,P), J^T J and its
     * factor (P,P), and vectors of n (f, weights, trial f, workspace, fvv)
     * and of P; n at least P (the padding of lm_f). */
    N = fmax(N, P);
    return own + (N * P + 2.0 * P * P + 10.0 * N + 20.0 * P) * sizeof(double);
}

/* ---- the network at x ------------------------------------------------------ */

static void set_theta(lab_refine *r, const gsl_vector *x)
{
    for (size_t i = 0; i < r->P; i++)
        r->net->theta[i] = gsl_vector_get(x, i);
}

/* ---- lm: residuals and their Jacobian --------------------------------------- */

/* f_i = f(x_i) - y_i, then zeros up to nf rows. GSL's least squares wants
 * at least as many residuals as parameters; with fewer points than
 * parameters (n < P, where the data leave the student undetermined) rows of
 * zero residual and zero gradient change neither the loss nor J^T J nor
 * J^T f, and the damping mu I keeps the steps defined. */
static int lm_f(const gsl_vector *x, void *params, gsl_vector *f)
{
    lab_refine *r = params;
    const lab_dataset *ds = r->train;
    set_theta(r, x);
    for (size_t i = 0; i < r->n; i += CHUNK) {
        size_t B = r->n - i < CHUNK ? r->n - i : CHUNK;
        const double *out = lab_mlp_forward(r->net, r->w, B, ds->x + i * r->D, 0);
        for (size_t k = 0; k < B; k++)
            gsl_vector_set(f, i + k, out[k] - ds->y[i + k]);
    }
    for (size_t i = r->n; i < r->nf; i++)
        gsl_vector_set(f, i, 0.0);
    r->nevalf++;
    return GSL_SUCCESS;
}

/* J (n,P): row i = df(x_i)/dtheta; GSL's matrix rows are contiguous. */
static int lm_df(const gsl_vector *x, void *params, gsl_matrix *J)
{
    lab_refine *r = params;
    set_theta(r, x);
    if (J->tda != r->P)
        return GSL_EBADLEN;
    for (size_t i = 0; i < r->n; i += CHUNK) {
        size_t B = r->n - i < CHUNK ? r->n - i : CHUNK;
        lab_mlp_jacobian(r->net, r->w, B, r->train->x + i * r->D, J->data + i * J->tda,
                         NULL);
    }
    for (size_t i = r->n; i < r->nf; i++)
        memset(J->data + i * J->tda, 0, r->P * sizeof(double));
    r->nevaldf++;
    return GSL_SUCCESS;
}

/* ---- bfgs: the loss (1/2n) sum r_i^2 and its gradient ----------------------- */

static double loss_grad(lab_refine *r, const gsl_vector *x, gsl_vector *g)
{
    const lab_dataset *ds = r->train;
    set_theta(r, x);
    if (g)
        gsl_vector_set_zero(g);
    double loss = 0.0;
    for (size_t i = 0; i < r->n; i += CHUNK) {
        size_t B = r->n - i < CHUNK ? r->n - i : CHUNK;
        double share = (double)B / (double)r->n; /* the chunk's weight in the mean */
        loss += share * lab_mlp_loss_grad(r->net, r->w, B, ds->x + i * r->D, ds->y + i,
                                          g ? r->grad : NULL);
        if (g)
            for (size_t j = 0; j < r->P; j++)
                g->data[j * g->stride] += share * r->grad[j];
    }
    return loss;
}

static double bfgs_f(const gsl_vector *x, void *params)
{
    lab_refine *r = params;
    r->nevalf++;
    return loss_grad(r, x, NULL);
}

static void bfgs_df(const gsl_vector *x, void *params, gsl_vector *g)
{
    lab_refine *r = params;
    r->nevaldf++;
    loss_grad(r, x, g);
}

static void bfgs_fdf(const gsl_vector *x, void *params, double *f, gsl_vector *g)
{
    lab_refine *r = params;
    r->nevalf++;
    r->nevaldf++;
    *f = loss_grad(r, x, g);
}

/* ---- allocation ------------------------------------------------------------- */

lab_refine *lab_refine_alloc(const lab_mlp *m, size_t n, const lab_refine_params *p,
                             char *err, size_t errlen)
{
    if (n == 0 || p->max_iter < 0 || !(p->xtol >= 0) || !(p->gtol >= 0) || !(p->ftol >= 0)
        || (p->method != LAB_REFINE_LM && p->method != LAB_REFINE_BFGS)) {
        lab_fail(err, errlen, LAB_EINVAL, "refine: bad parameters");
        return NULL;
    }
    size_t depth = m->depth, P = m->n_params;
    double bytes = lab_refine_bytes(p, n, P, depth, m->sizes + 1);
    if (p->method == LAB_REFINE_LM && bytes > p->max_bytes) {
        lab_fail(err, errlen, LAB_ENOMEM,
                 "refine: lm needs %.3g GB for n = %zu points and P = %zu parameters "
                 "(limit %.3g GB); use bfgs", bytes / 1e9, n, P, p->max_bytes / 1e9);
        return NULL;
    }
    lab_refine *r = calloc(1, sizeof *r);
    if (!r)
        goto nomem;
    r->p = *p;
    r->n = n;
    r->P = P;
    r->D = m->sizes[0];
    r->nf = n > P ? n : P;
    if (!(r->net = lab_mlp_alloc(r->D, depth, m->sizes + 1, m->act))
        || !(r->w = lab_mlp_work_alloc(m, CHUNK)) || !(r->x = gsl_vector_alloc(P)))
        goto nomem;
    if (p->method == LAB_REFINE_LM) {
        gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
        fp.trs = p->accel ? gsl_multifit_nlinear_trs_lmaccel : gsl_multifit_nlinear_trs_lm;
        /* The normal equations by OpenBLAS's dsyrk: QR of the n x P Jacobian in
         * GSL is several times slower at these sizes. */
        fp.solver = gsl_multifit_nlinear_solver_cholesky;
        /* Levenberg's damping mu I rather than GSL's default (More's, mu
         * diag(J^T J)): a student wider than its teacher has many directions
         * the data barely see, and More's scaling damps exactly those too
         * little; from an Adam endpoint (n = 4096, P = 1153) it stalled
         * after 7 steps where mu I went on to machine precision. */
        fp.scale = gsl_multifit_nlinear_scale_levenberg;
        r->lm = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, r->nf, P);
        if (!r->lm)
            goto nomem;
    } else {
        r->grad = malloc(P * sizeof *r->grad);
        r->bfgs = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, P);
        if (!r->grad || !r->bfgs)
            goto nomem;
    }
    return r;
nomem:
    lab_refine_free(r);
    lab_fail(err, errlen, LAB_ENOMEM, "refine: out of memory");
    return NULL;
}

void lab_refine_free(lab_refine *r)
{
    if (!r)
        return;
    if (r->lm)
        gsl_multifit_nlinear_free(r->lm);
    if (r->bfgs)
        gsl_multimin_fdfminimizer_free(r->bfgs);
    if (r->x)
        gsl_vector_free(r->x);
    free(r->grad);
    lab_mlp_work_free(r->w);
    lab_mlp_free(r->net);
    free(r);
}

/* ---- the runs ----------------------------------------------------------------- */

/* Whether every |dx_i| <= xtol (|x_i| + xtol). */
static int small_step(const gsl_vector *dx, const gsl_vector *x, double xtol)
{
    for (size_t i = 0; i < x->size; i++)
        if (fabs(gsl_vector_get(dx, i)) > xtol * (fabs(gsl_vector_get(x, i)) + xtol))
            return 0;
    return 1;
}

static int zero_vector(const gsl_vector *v)
{
    for (size_t i = 0; i < v->size; i++)
        if (gsl_vector_get(v, i) != 0.0)
            return 0;
    return 1;
}

static void run_lm(lab_refine *r, volatile sig_atomic_t *stop, lab_refine_result *res)
{
    gsl_multifit_nlinear_fdf fdf = {
        .f = lm_f, .df = lm_df, .fvv = NULL, .n = r->nf, .p = r->P, .params = r
    };
    int status = gsl_multifit_nlinear_init(r->x, &fdf, r->lm);
    gsl_vector *g = r->lm->g;
    if (status == GSL_SUCCESS) {
        /* g = J^T f at the start: a zero gradient is a stationary point. */
        gsl_blas_dgemv(CblasTrans, 1.0, r->lm->J, r->lm->f, 0.0, g);
        if (zero_vector(g)) {
            res->stop = LAB_REFINE_GTOL;
            return;
        }
    }
    res->stop = LAB_REFINE_ITERS;
    while (status == GSL_SUCCESS && res->iters < r->p.max_iter) {
        if (stop && *stop) {
            res->stop = LAB_REFINE_INTERRUPTED;
            return;
        }
        status = gsl_multifit_nlinear_iterate(r->lm);
        if (status == GSL_ENOPROG) {
            res->stop = LAB_REFINE_STALLED;
            return;
        }
        if (status != GSL_SUCCESS)
            break;
        res->iters++;
        int info = 0;
        if (r->p.gtol > 0 || r->p.ftol > 0) {
            /* The xtol test is ours (below), so that xtol = 0 turns it off. */
            gsl_multifit_nlinear_test(0.0, r->p.gtol, r->p.ftol, &info, r->lm);
            if (info == 2) {
                res->stop = LAB_REFINE_GTOL;
                return;
            }
            if (info == 3) {
                res->stop = LAB_REFINE_FTOL;
                return;
            }
        }
        if (r->p.xtol > 0 && small_step(r->lm->dx, r->lm->x, r->p.xtol)) {
            res->stop = LAB_REFINE_XTOL;
            return;
        }
    }
    if (status != GSL_SUCCESS)
        res->stop = LAB_REFINE_STALLED; /* a solver failure: no further progress */
}

static void run_bfgs(lab_refine *r, volatile sig_atomic_t *stop, lab_refine_result *res)
{
    gsl_multimin_function_fdf fdf = {
        .f = bfgs_f, .df = bfgs_df, .fdf = bfgs_fdf, .n = r->P, .params = r
    };
    /* A first trial step of 0.01 and GSL's recommended line-search tolerance. */
    int status = gsl_multimin_fdfminimizer_set(r->bfgs, &fdf, r->x, 0.01, 0.1);
    gsl_vector *g = gsl_multimin_fdfminimizer_gradient(r->bfgs);
    if (status == GSL_SUCCESS && zero_vector(g)) {
        res->stop = LAB_REFINE_GTOL;
        return;
    }
    res->stop = LAB_REFINE_ITERS;
    while (status == GSL_SUCCESS && res->iters < r->p.max_iter) {
        if (stop && *stop) {
            res->stop = LAB_REFINE_INTERRUPTED;
            return;
        }
        status = gsl_multimin_fdfminimizer_iterate(r->bfgs);
        if (status != GSL_SUCCESS)
            break;
        res->iters++;
        if (r->p.gtol > 0 && gsl_multimin_test_gradient(r->bfgs->gradient, r->p.gtol)
                                 == GSL_SUCCESS) {
            res->stop = LAB_REFINE_GTOL;
            return;
        }
        if (r->p.xtol > 0 && small_step(r->bfgs->dx, r->bfgs->x, r->p.xtol)) {
            res->stop = LAB_REFINE_XTOL;
            return;
        }
    }
    if (status != GSL_SUCCESS)
        res->stop = LAB_REFINE_STALLED; /* the line search found no lower point */
}

int lab_refine_run(lab_refine *r, lab_mlp *m, const lab_dataset *train, double var,
                   volatile sig_atomic_t *stop, lab_refine_result *res)
{
    double t0 = lab_clock_s();
    lab_mlp_work *w = r->w;
    memset(res, 0, sizeof *res);
    r->train = train;
    r->nevalf = r->nevaldf = 0;
    memcpy(r->net->theta, m->theta, r->P * sizeof *m->theta);
    for (size_t i = 0; i < r->P; i++)
        gsl_vector_set(r->x, i, m->theta[i]);
    res->initial_error = lab_mlp_sse(r->net, w, r->n, train->x, train->y) / (double)r->n / var;
    res->train_error = res->initial_error;
    res->stop = LAB_REFINE_ITERS;
    int rc = LAB_OK;
    if (!isfinite(res->initial_error)) {
        rc = LAB_EDIVERGED;
        goto done;
    }
    if (r->p.method == LAB_REFINE_LM)
        run_lm(r, stop, res);
    else
        run_bfgs(r, stop, res);
    /* The last accepted point (GSL keeps it in x). */
    const gsl_vector *x = r->lm ? r->lm->x : r->bfgs->x;
    set_theta(r, x);
    double err = lab_mlp_sse(r->net, w, r->n, train->x, train->y) / (double)r->n / var;
    if (!isfinite(err)) {
        rc = LAB_EDIVERGED;
        goto done;
    }
    memcpy(m->theta, r->net->theta, r->P * sizeof *m->theta);
    res->train_error = err;
    if (res->stop == LAB_REFINE_INTERRUPTED)
        rc = LAB_EINTERRUPTED;
done:
    res->nevalf = r->nevalf;
    res->nevaldf = r->nevaldf;
    res->wall_s = lab_clock_s() - t0;
    r->train = NULL;
    return rc;
}
