/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "status.h"

/* Rows per chunk when evaluating whole datasets. */
#define EVAL_ROWS 256

struct lab_trainer {
    lab_train_params p;
    size_t n;        /* training points */
    size_t B;        /* effective batch size */
    size_t D;        /* input dimension */
    lab_mlp_work *w;
    lab_optim *opt;
    double *grad;    /* (P) */
    double *xb, *yb; /* (B,D) and (B): the gathered batch */
    size_t *perm;    /* (n) current permutation */
    size_t pos;      /* next position in perm */
    size_t seen;     /* online: points drawn so far */
};

const char *const lab_stop_names[LAB_NSTOP] = {
    "steps", "target", "plateau", "diverged", "interrupted"
};

lab_trainer *lab_trainer_alloc(const lab_mlp *m, const lab_train_params *p, size_t n)
{
    if (n == 0 || p->steps < 0)
        return NULL;
    lab_trainer *tr = calloc(1, sizeof *tr);
    if (!tr)
        return NULL;
    tr->p = *p;
    tr->p.opt.horizon = p->steps;
    tr->n = n;
    tr->B = p->batch == 0 || p->batch > n ? n : p->batch;
    tr->D = m->sizes[0];
    tr->w = lab_mlp_work_alloc(m, tr->B > EVAL_ROWS ? tr->B : EVAL_ROWS);
    lab_mlp_backward_prepare(m, tr->B);
    tr->opt = lab_optim_alloc(&tr->p.opt, m->n_params, m->n_weights);
    tr->grad = malloc(m->n_params * sizeof *tr->grad);
    if (!tr->w || !tr->opt || !tr->grad)
        goto fail;
    if (p->online) {
        tr->xb = malloc(tr->B * tr->D * sizeof *tr->xb);
        tr->yb = malloc(tr->B * sizeof *tr->yb);
        if (!tr->xb || !tr->yb)
            goto fail;
    } else if (tr->B < n) {
        tr->xb = malloc(tr->B * tr->D * sizeof *tr->xb);
        tr->yb = malloc(tr->B * sizeof *tr->yb);
        tr->perm = malloc(n * sizeof *tr->perm);
        if (!tr->xb || !tr->yb || !tr->perm)
            goto fail;
        lab_train_perm_start(n, tr->perm, &tr->pos);
    }
    return tr;
fail:
    lab_trainer_free(tr);
    return NULL;
}

double lab_trainer_bytes(size_t n_in, size_t depth, const size_t *widths,
                         const lab_train_params *p, size_t n)
{
    size_t B = p->batch == 0 || p->batch > n ? n : p->batch;
    double params = (double)lab_mlp_count_params(n_in, depth, widths);
    double vectors = p->opt.type == LAB_OPT_ADAM ? 3 : 2; /* gradient, moments */
    double bytes = sizeof(lab_trainer)
                   + lab_mlp_work_bytes(depth, widths, B > EVAL_ROWS ? B : EVAL_ROWS)
                   + vectors * params * sizeof(double);
    if (B < n || p->online)
        bytes += (double)B * ((double)n_in + 1.0) * sizeof(double)
                 + (p->online ? 0.0 : (double)n * sizeof(size_t));
    return bytes;
}

void lab_trainer_free(lab_trainer *tr)
{
    if (!tr)
        return;
    lab_mlp_work_free(tr->w);
    lab_optim_free(tr->opt);
    free(tr->grad);
    free(tr->xb);
    free(tr->yb);
    free(tr->perm);
    free(tr);
}

void lab_trainer_set_mask(lab_trainer *tr, const unsigned char *keep, size_t n)
{
    lab_optim_set_mask(tr->opt, keep, n);
}

const lab_optim *lab_trainer_optim(const lab_trainer *tr)
{
    return tr->opt;
}

void lab_train_perm_start(size_t n, size_t *perm, size_t *pos)
{
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    *pos = n;
}

void lab_train_next_batch(const lab_dataset *train, size_t n, size_t B, size_t *perm,
                          size_t *pos, gsl_rng *r, double *xb, double *yb)
{
    size_t D = train->d;
    for (size_t k = 0; k < B; k++) {
        if (*pos == n) {
            gsl_ran_shuffle(r, perm, n, sizeof *perm);
            *pos = 0;
        }
        size_t i = perm[(*pos)++];
        memcpy(xb + k * D, train->x + i * D, D * sizeof *xb);
        yb[k] = train->y[i];
    }
}

double lab_trainer_step(lab_trainer *tr, lab_mlp *m, const lab_dataset *train,
                        gsl_rng *r)
{
    const double *X = train->x, *y = train->y;
    if (tr->B < tr->n) {
        lab_train_next_batch(train, tr->n, tr->B, tr->perm, &tr->pos, r, tr->xb, tr->yb);
        X = tr->xb;
        y = tr->yb;
    }
    double loss = lab_mlp_loss_grad(m, tr->w, tr->B, X, y, tr->grad);
    if (isfinite(loss))
        lab_optim_step(tr->opt, m->theta, tr->grad);
    return loss;
}

double lab_mlp_error(const lab_mlp *m, lab_mlp_work *w, const lab_dataset *ds,
                     double var)
{
    return lab_mlp_sse(m, w, ds->n, ds->x, ds->y) / (double)ds->n / var;
}

int lab_train_runaway(double error, double initial)
{
    /* A NaN initial (no step taken) leaves the mean's error as the scale. */
    double scale = initial > 1.0 ? initial : 1.0;
    return !isfinite(error) || error > LAB_TRAIN_RUNAWAY * scale;
}

/* One step on the next batch of fresh points (rows: how many); the batch
 * loss before the update. */
static double online_step(lab_trainer *tr, lab_mlp *m, lab_train_draw draw, void *ctx,
                          size_t *rows)
{
    size_t b = tr->n - tr->seen < tr->B ? tr->n - tr->seen : tr->B;
    lab_dataset batch = { b, tr->D, tr->xb, tr->yb };
    draw(ctx, &batch);
    tr->seen += b;
    *rows = b;
    double loss = lab_mlp_loss_grad(m, tr->w, b, tr->xb, tr->yb, tr->grad);
    if (isfinite(loss))
        lab_optim_step(tr->opt, m->theta, tr->grad);
    return loss;
}

/* Where batches come from: a training set with r, or fresh points. */
struct source {
    const lab_dataset *train;
    gsl_rng *r;
    lab_train_draw draw;
    void *ctx;
};

static int train_loop(lab_trainer *tr, lab_mlp *m, const struct source *src, double var,
                      volatile sig_atomic_t *stop, lab_train_result *res)
{
    const lab_train_params *p = &tr->p;
    int online = src->draw != NULL;
    long steps = p->steps;
    if (online && (double)steps > ceil((double)tr->n / (double)tr->B))
        steps = (long)((tr->n + tr->B - 1) / tr->B);
    long every = p->check_every > 0 ? p->check_every
                 : online ? (steps + 9) / 10 > 1 ? (steps + 9) / 10 : 1
                          : (long)((tr->n + tr->B - 1) / tr->B);
    double window = 0.0, best = INFINITY, err = NAN, tail = 0.0;
    long since_check = 0, bad_checks = 0;
    size_t tail_rows = 0;

    res->stop = LAB_STOP_STEPS;
    res->initial_error = NAN;
    for (long t = 0; t < steps; t++) {
        if (stop && *stop) {
            res->stop = LAB_STOP_INTERRUPTED;
            break;
        }
        size_t rows = tr->B;
        double batch_err = 2.0 * (online ? online_step(tr, m, src->draw, src->ctx, &rows)
                                         : lab_trainer_step(tr, m, src->train, src->r)) / var;
        if (t >= steps - every) {
            tail += batch_err * (double)rows;
            tail_rows += rows;
        }
        if (t == 0)
            res->initial_error = batch_err;
        if (lab_train_runaway(batch_err, res->initial_error)) {
            res->stop = LAB_STOP_DIVERGED;
            break;
        }
        window += batch_err;
        if (++since_check < every)
            continue;
        err = window / (double)since_check;
        window = 0.0;
        since_check = 0;
        if (p->target_loss > 0.0 && err <= p->target_loss
            && (online || lab_mlp_error(m, tr->w, src->train, var) <= p->target_loss)) {
            res->stop = LAB_STOP_TARGET;
            break;
        }
        if (p->patience > 0) {
            if (err < best * (1.0 - p->plateau_tol)) {
                best = err;
                bad_checks = 0;
            } else if (++bad_checks >= p->patience) {
                res->stop = LAB_STOP_PLATEAU;
                break;
            }
        }
    }
    res->steps = lab_optim_steps(tr->opt);
    if (res->stop == LAB_STOP_DIVERGED) {
        res->train_error = NAN;
        return LAB_EDIVERGED;
    }
    if (online && res->stop == LAB_STOP_INTERRUPTED) {
        res->train_error = NAN; /* the cell runs again */
        return LAB_EINTERRUPTED;
    }
    if (!online)
        res->train_error = lab_mlp_error(m, tr->w, src->train, var);
    else if (res->stop == LAB_STOP_TARGET || res->stop == LAB_STOP_PLATEAU)
        res->train_error = err; /* the window of the check that stopped it */
    else
        res->train_error = tail_rows ? tail / (double)tail_rows : NAN;
    if (lab_train_runaway(res->train_error, res->initial_error)) {
        res->train_error = NAN;
        res->stop = LAB_STOP_DIVERGED;
        return LAB_EDIVERGED;
    }
    return res->stop == LAB_STOP_INTERRUPTED ? LAB_EINTERRUPTED : LAB_OK;
}

int lab_trainer_run(lab_trainer *tr, lab_mlp *m, const lab_dataset *train,
                    gsl_rng *r, double var, volatile sig_atomic_t *stop,
                    lab_train_result *res)
{
    struct source src = { train, r, NULL, NULL };
    return train_loop(tr, m, &src, var, stop, res);
}

int lab_trainer_run_online(lab_trainer *tr, lab_mlp *m, lab_train_draw draw, void *ctx,
                           double var, volatile sig_atomic_t *stop, lab_train_result *res)
{
    if (!tr->p.online)
        return LAB_EINVAL;
    struct source src = { NULL, NULL, draw, ctx };
    return train_loop(tr, m, &src, var, stop, res);
}
