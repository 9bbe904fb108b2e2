/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Optimizers against hand-computed updates, schedules against their
 * formulas, and convergence on a quadratic. */
#include <math.h>

#include "optim.h"
#include "tap.h"

static void test_sgd(void)
{
    lab_optim_params p = lab_optim_default_params();
    p.type = LAB_OPT_SGD;
    p.lr = 0.1;
    p.momentum = 0.5;
    p.weight_decay = 0.25;
    lab_optim *o = lab_optim_alloc(&p, 2, 1); /* theta[0] decays, theta[1] does not */
    double theta[2] = { 2.0, 3.0 }, g[2] = { 1.5, -0.5 };
    /* v1 = g + wd*theta = (2.0, -0.5); theta1 = theta - 0.1 v1 = (1.8, 3.05). */
    lab_optim_step(o, theta, g);
    is_double_abs(1.8, theta[0], 1e-15, "sgd step 1, decayed weight");
    is_double_abs(3.05, theta[1], 1e-15, "sgd step 1, bias not decayed");
    /* v2 = 0.5 v1 + g + wd*theta1 = (1 + 1.5 + 0.45, -0.25 - 0.5) = (2.95, -0.75);
     * theta2 = (1.8 - 0.295, 3.05 + 0.075). */
    lab_optim_step(o, theta, g);
    is_double_abs(1.505, theta[0], 1e-15, "sgd step 2 carries momentum");
    is_double_abs(3.125, theta[1], 1e-15, "sgd step 2, bias");
    is_int(2, lab_optim_steps(o), "two steps counted");
    lab_optim_free(o);
    lab_optim_free(NULL);
}

static void test_adam(void)
{
    lab_optim_params p = lab_optim_default_params();
    p.lr = 0.01;
    p.eps = 1e-12;
    p.weight_decay = 0.5;
    lab_optim *o = lab_optim_alloc(&p, 2, 1);
    double theta[2] = { 1.0, -2.0 }, g[2] = { 3.0, -0.002 };
    /* First step: bias-corrected m/sqrt(v) = sign(g); decoupled decay of the
     * weight by lr * wd * theta. */
    lab_optim_step(o, theta, g);
    is_double_abs(1.0 - 0.01 * 0.5 * 1.0 - 0.01, theta[0], 1e-10, "adam step 1 = -lr sign(g) - lr wd theta");
    is_double_abs(-2.0 + 0.01, theta[1], 1e-10, "adam step 1 on a bias: -lr sign(g), no decay");
    /* Second step with the same gradient: still exactly sign(g). */
    double before = theta[1];
    lab_optim_step(o, theta, g);
    is_double_abs(before + 0.01, theta[1], 1e-10, "adam step 2 with a constant gradient");
    lab_optim_free(o);
}

static void test_schedule(void)
{
    lab_optim_params p = lab_optim_default_params();
    p.lr = 0.3;
    p.schedule = LAB_SCHED_COSINE;
    p.horizon = 100;
    is_double_abs(0.3, lab_optim_lr(&p, 0), 1e-16, "cosine starts at the peak");
    is_double_abs(0.15, lab_optim_lr(&p, 50), 1e-15, "cosine is at half the peak half-way");
    is_double_abs(0.3 * 0.5 * (1 + cos(M_PI * 0.99)), lab_optim_lr(&p, 99), 1e-16,
                  "cosine's last step");
    is_double_abs(0.0, lab_optim_lr(&p, 100), 0.0, "cosine is 0 past the horizon");
    p.schedule = LAB_SCHED_CONSTANT;
    is_double_abs(0.3, lab_optim_lr(&p, 77), 0.0, "constant schedule");
}

/* Minimise 1/2 sum_i k_i x_i^2 with each optimizer. */
static void test_converges(void)
{
    const double k[3] = { 1.0, 4.0, 0.25 };
    for (int type = 0; type < LAB_NOPT; type++) {
        lab_optim_params p = lab_optim_default_params();
        p.type = (enum lab_optimizer)type;
        p.lr = type == LAB_OPT_SGD ? 0.1 : 0.05;
        p.schedule = LAB_SCHED_COSINE;
        p.horizon = 2000;
        lab_optim *o = lab_optim_alloc(&p, 3, 3);
        double x[3] = { 2.385, -1.7, 0.9 }, g[3];
        for (int t = 0; t < 2000; t++) {
            for (int i = 0; i < 3; i++)
                g[i] = k[i] * x[i];
            lab_optim_step(o, x, g);
        }
        double norm = sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
        ok(norm < 1e-6, "%s minimises a quadratic (|x| = %.1g)", lab_optimizer_names[type], norm);
        lab_optim_free(o);
    }
}

int main(void)
{
    plan(5 + 3 + 5 + LAB_NOPT);
    test_sgd();
    test_adam();
    test_schedule();
    test_converges();
    return 0;
}
