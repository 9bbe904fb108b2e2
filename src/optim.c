/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "optim.h"

#include <math.h>
#include <stdlib.h>

#include "simd.h"

struct lab_optim {
    lab_optim_params p;
    size_t n, n_decay;
    long t;     /* steps taken */
    double *m;  /* SGD velocity, or Adam's first moment */
    double *v;  /* Adam's second moment (NULL for SGD) */
    const unsigned char *keep; /* (n_keep): 0 pins a parameter at 0; NULL: no mask */
    size_t n_keep;
};

const char *const lab_optimizer_names[LAB_NOPT] = { "sgd", "adam" };
const char *const lab_schedule_names[LAB_NSCHED] = { "constant", "cosine" };

lab_optim_params lab_optim_default_params(void)
{
    lab_optim_params p = {
        .type = LAB_OPT_ADAM, .lr = 1e-3, .schedule = LAB_SCHED_CONSTANT,
        .horizon = 1, .momentum = 0.9, .beta1 = 0.9, .beta2 = 0.999,
        .eps = 1e-8, .weight_decay = 0.0
    };
    return p;
}

lab_optim *lab_optim_alloc(const lab_optim_params *p, size_t n_params, size_t n_decay)
{
    if (n_decay > n_params)
        return NULL;
    lab_optim *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->p = *p;
    o->n = n_params;
    o->n_decay = n_decay;
    o->m = calloc(n_params ? n_params : 1, sizeof *o->m);
    if (p->type == LAB_OPT_ADAM)
        o->v = calloc(n_params ? n_params : 1, sizeof *o->v);
    if (!o->m || (p->type == LAB_OPT_ADAM && !o->v)) {
        lab_optim_free(o);
        return NULL;
    }
    return o;
}

void lab_optim_free(lab_optim *o)
{
    if (!o)
        return;
    free(o->m);
    free(o->v);
    free(o);
}

double lab_optim_lr(const lab_optim_params *p, long t)
{
    if (p->schedule == LAB_SCHED_COSINE) {
        long T = p->horizon > 0 ? p->horizon : 1;
        if (t >= T)
            return 0.0;
        return p->lr * 0.5 * (1.0 + cos(M_PI * (double)t / (double)T));
    }
    return p->lr;
}

long lab_optim_steps(const lab_optim *o)
{
    return o->t;
}

LAB_VECTOR_KERNEL
static void sgd_step(lab_optim *o, double eta, double *restrict theta,
                     const double *restrict grad)
{
    double mu = o->p.momentum, lambda = o->p.weight_decay;
    double *restrict vel = o->m;
    size_t n = o->n, nd = o->n_decay;
LAB_SIMD
    for (size_t i = 0; i < nd; i++) {
        vel[i] = mu * vel[i] + (grad[i] + lambda * theta[i]);
        theta[i] -= eta * vel[i];
    }
LAB_SIMD
    for (size_t i = nd; i < n; i++) {
        vel[i] = mu * vel[i] + grad[i];
        theta[i] -= eta * vel[i];
    }
}

LAB_VECTOR_KERNEL
static void adam_step(lab_optim *o, double eta, double *restrict theta,
                      const double *restrict grad)
{
    double b1 = o->p.beta1, b2 = o->p.beta2, eps = o->p.eps;
    double c1 = 1.0 / (1.0 - pow(b1, (double)o->t));
    double c2 = 1.0 / (1.0 - pow(b2, (double)o->t));
    double decay = eta * o->p.weight_decay;
    double *restrict m = o->m, *restrict v = o->v;
    size_t n = o->n;
    if (decay != 0.0)
        for (size_t i = 0; i < o->n_decay; i++)
            theta[i] -= decay * theta[i];
LAB_SIMD
    for (size_t i = 0; i < n; i++) {
        double g = grad[i];
        m[i] = b1 * m[i] + (1.0 - b1) * g;
        v[i] = b2 * v[i] + (1.0 - b2) * g * g;
        theta[i] -= eta * (m[i] * c1) / (sqrt(v[i] * c2) + eps);
    }
}

/* Zero theta (when not NULL) and the moments wherever the mask prunes. */
static void apply_mask(lab_optim *o, double *theta)
{
    for (size_t i = 0; i < o->n_keep; i++)
        if (!o->keep[i]) {
            if (theta)
                theta[i] = 0.0;
            o->m[i] = 0.0;
            if (o->v)
                o->v[i] = 0.0;
        }
}

void lab_optim_step(lab_optim *o, double *theta, const double *grad)
{
    double eta = lab_optim_lr(&o->p, o->t);
    o->t++;
    if (o->p.type == LAB_OPT_ADAM)
        adam_step(o, eta, theta, grad);
    else
        sgd_step(o, eta, theta, grad);
    /* After the unmasked kernel, so that a run without a mask is untouched. */
    if (o->keep)
        apply_mask(o, theta);
}

void lab_optim_set_mask(lab_optim *o, const unsigned char *keep, size_t n)
{
    o->keep = keep;
    o->n_keep = keep ? (n < o->n ? n : o->n) : 0;
    if (keep)
        apply_mask(o, NULL);
}

void lab_optim_moments(const lab_optim *o, const double **m, const double **v)
{
    *m = o->m;
    *v = o->v;
}
