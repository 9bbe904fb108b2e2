/* SPDX-License-Identifier: GPL-3.0-or-later */
/* First-order optimizers over a flat parameter vector.
 *
 *   sgd   v <- mu v + g + lambda theta_w;  theta <- theta - eta_t v
 *         (heavy-ball momentum as in torch.optim.SGD; mu = 0 is plain SGD)
 *   adam  m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2
 *         theta <- theta - eta_t (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 *                        - eta_t lambda theta_w   (decoupled decay, AdamW)
 * where theta_w is theta on the weights (the first n_decay entries; biases
 * are not decayed) and eta_t the scheduled learning rate:
 *   constant  eta_t = eta
 *   cosine    eta_t = eta (1 + cos(pi t / T)) / 2 over the horizon of T steps.
 *
 * Ownership: a lab_optim owns its moment buffers; free it with
 * lab_optim_free(). */
#ifndef LAB_OPTIM_H
#define LAB_OPTIM_H

#include <stddef.h>

enum lab_optimizer { LAB_OPT_SGD, LAB_OPT_ADAM, LAB_NOPT };
enum lab_schedule { LAB_SCHED_CONSTANT, LAB_SCHED_COSINE, LAB_NSCHED };

/* Config names, indexed by the enums. */
extern const char *const lab_optimizer_names[LAB_NOPT];
extern const char *const lab_schedule_names[LAB_NSCHED];

typedef struct lab_optim_params {
    enum lab_optimizer type;
    double lr;                  /* eta: peak learning rate */
    enum lab_schedule schedule;
    long horizon;               /* T: steps over which the schedule runs */
    double momentum;            /* mu, for SGD */
    double beta1, beta2, eps;   /* for Adam */
    double weight_decay;        /* lambda */
} lab_optim_params;

/* Adam, lr 1e-3, constant, momentum 0.9, betas (0.9, 0.999), eps 1e-8, no
 * weight decay, horizon 1. */
lab_optim_params lab_optim_default_params(void);

typedef struct lab_optim lab_optim;

/* An optimizer for n_params parameters, the first n_decay of them decayed. */
lab_optim *lab_optim_alloc(const lab_optim_params *p, size_t n_params, size_t n_decay);
void lab_optim_free(lab_optim *o);

/* The learning rate of step t (counted from 0). */
double lab_optim_lr(const lab_optim_params *p, long t);

/* One update of theta from the gradient grad; grad is not modified. */
void lab_optim_step(lab_optim *o, double *theta, const double *grad);

/* A mask over the first n parameters (weight pruning, prune.h): keep[i] = 0
 * pins parameter i at exactly 0. From now on every step ends by zeroing
 * theta[i] and its moments (SGD's velocity, Adam's m and v) wherever
 * keep[i] = 0; the moments there are zeroed at once. Since both optimizers
 * update each parameter from its own gradient and moments alone, the other
 * parameters follow exactly the steps they would take in a network whose
 * pruned weights are absent. The caller zeroes the pruned entries of theta
 * before the first step (lab_prune_apply()) and keeps keep alive while the
 * optimizer steps; keep = NULL removes the mask. No mask (the default)
 * leaves every step as it was. */
void lab_optim_set_mask(lab_optim *o, const unsigned char *keep, size_t n);

/* The moment buffers (P each): SGD's velocity in *m and NULL in *v, or
 * Adam's first and second moments; for checks. */
void lab_optim_moments(const lab_optim *o, const double **m, const double **v);

/* Steps taken so far. */
long lab_optim_steps(const lab_optim *o);

#endif
