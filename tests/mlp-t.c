/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MLPs: the GEMM forward pass against plain loops, every gradient against
 * central finite differences, and zero-padded embedding. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "mlp.h"
#include "rng.h"
#include "tap.h"

/* Odd shapes: D = 7 inputs, up to three hidden layers of 5, 3, 4 units. */
static const size_t D = 7;
static const size_t widths[3] = { 5, 3, 4 };

static lab_mlp *random_mlp(size_t depth, enum lab_act act, gsl_rng *r)
{
    lab_mlp *m = lab_mlp_alloc(D, depth, widths, act);
    if (!m)
        bail("lab_mlp_alloc failed");
    for (size_t i = 0; i < m->n_params; i++)
        m->theta[i] = gsl_ran_gaussian(r, 0.7);
    return m;
}

static void test_layout(void)
{
    lab_mlp *m = lab_mlp_alloc(D, 2, widths, LAB_ACT_TANH);
    /* (7*5 + 5*3 + 3*1) weights, then (5 + 3 + 1) biases. */
    ok(m && m->n_weights == 53 && m->n_params == 62 && m->b_off[0] == 53
       && m->w_off[1] == 35 && m->w_off[2] == 50 && m->sizes[3] == 1,
       "weights first, then biases, in layer order");
    lab_mlp_free(m);
    lab_mlp_free(NULL);
    lab_mlp_work_free(NULL);
    size_t bad[1] = { 0 };
    ok(lab_mlp_alloc(0, 1, widths, LAB_ACT_TANH) == NULL
       && lab_mlp_alloc(D, 1, bad, LAB_ACT_TANH) == NULL,
       "alloc refuses empty layers; _free(NULL) is a no-op");
}

static void test_forward(gsl_rng *r)
{
    const size_t B = 13;
    double X[13 * 7], scratch[16];
    for (size_t i = 0; i < B * D; i++)
        X[i] = gsl_ran_gaussian(r, 1.0);
    for (int a = 0; a < LAB_NACT; a++)
        for (size_t depth = 0; depth <= 3; depth++) {
            lab_mlp *m = random_mlp(depth, (enum lab_act)a, r);
            lab_mlp_work *w = lab_mlp_work_alloc(m, 4); /* forces chunks in predict */
            double out[13], worst = 0;
            lab_mlp_predict(m, w, B, X, out);
            for (size_t i = 0; i < B; i++) {
                double want = lab_mlp_forward_ref(m, X + i * D, scratch);
                double err = fabs(out[i] - want) / (fabs(want) + 1e-12);
                worst = err > worst ? err : worst;
            }
            ok(worst < 1e-13, "%s, depth %zu: GEMM forward matches plain loops (rel %.1g)",
               lab_act_names[a], depth, worst);
            lab_mlp_work_free(w);
            lab_mlp_free(m);
        }
}

/* The smallest |pre-activation| over the hidden units on inputs X: the
 * distance to ReLU's kink. */
static double min_abs_preact(const lab_mlp *m, const double *X, size_t B)
{
    double least = INFINITY, cur[16], nxt[16];
    for (size_t i = 0; i < B; i++) {
        memcpy(cur, X + i * D, D * sizeof *cur);
        for (size_t l = 0; l < m->depth; l++) {
            const double *W = lab_mlp_w(m, m->theta, l), *b = lab_mlp_b(m, m->theta, l);
            for (size_t j = 0; j < m->sizes[l + 1]; j++) {
                double z = b[j];
                for (size_t k = 0; k < m->sizes[l]; k++)
                    z += W[j * m->sizes[l] + k] * cur[k];
                least = fabs(z) < least ? fabs(z) : least;
                nxt[j] = lab_act_eval(m->act, z);
            }
            memcpy(cur, nxt, m->sizes[l + 1] * sizeof *cur);
        }
    }
    return least;
}

static void test_gradients(gsl_rng *r)
{
    const size_t B = 9;
    double X[9 * 7], y[9];
    for (int a = 0; a < LAB_NACT; a++)
        for (size_t depth = 1; depth <= 3; depth++) {
            lab_mlp *m = random_mlp(depth, (enum lab_act)a, r);
            /* Draw inputs until no pre-activation sits near ReLU's kink. */
            do {
                for (size_t i = 0; i < B * D; i++)
                    X[i] = gsl_ran_gaussian(r, 1.0);
            } while (min_abs_preact(m, X, B) < 1e-3);
            for (size_t i = 0; i < B; i++)
                y[i] = gsl_ran_gaussian(r, 1.0);
            lab_mlp_work *w = lab_mlp_work_alloc(m, B);
            double *g = malloc(m->n_params * sizeof *g);
            lab_mlp_loss_grad(m, w, B, X, y, g);
            double worst = 0;
            size_t worst_i = 0;
            for (size_t i = 0; i < m->n_params; i++) {
                double keep = m->theta[i], h = 1e-6;
                m->theta[i] = keep + h;
                double up = lab_mlp_loss_grad(m, w, B, X, y, NULL);
                m->theta[i] = keep - h;
                double down = lab_mlp_loss_grad(m, w, B, X, y, NULL);
                m->theta[i] = keep;
                double fd = (up - down) / (2 * h);
                /* Central differences with h = 1e-6 on a loss of order 1
                 * carry about 1e-10 of rounding noise: allow 1e-9 absolute
                 * plus 1e-6 relative. A wrong factor, sign or transpose is
                 * off by the size of the gradient itself. */
                double err = fabs(fd - g[i]) / (1e-6 * fabs(g[i]) + 1e-9);
                if (err > worst) {
                    worst = err;
                    worst_i = i;
                }

            }
            ok(worst <= 1.0, "%s, depth %zu: all %zu gradients match central differences "
               "(worst %.2g of the tolerance, at %zu)", lab_act_names[a], depth, m->n_params, worst, worst_i);
            free(g);
            lab_mlp_work_free(w);
            lab_mlp_free(m);
        }
}

static void test_embed(gsl_rng *r)
{
    size_t wide[3] = { 11, 6, 9 }, narrow[3] = { 4, 3, 4 };
    double X[20 * 7], a[20], b[20];
    for (size_t i = 0; i < 20 * D; i++)
        X[i] = gsl_ran_gaussian(r, 1.0);
    for (int act = 0; act < LAB_NACT; act++) {
        lab_mlp *small = random_mlp(3, (enum lab_act)act, r);
        lab_mlp *big = lab_mlp_alloc(D, 3, wide, (enum lab_act)act);
        lab_mlp_work *ws = lab_mlp_work_alloc(small, 20), *wb = lab_mlp_work_alloc(big, 20);
        int rc = lab_mlp_embed(small, big);
        lab_mlp_predict(small, ws, 20, X, a);
        lab_mlp_predict(big, wb, 20, X, b);
        double worst = 0;
        for (int i = 0; i < 20; i++)
            worst = fmax(worst, fabs(a[i] - b[i]));
        ok(rc == 0 && worst < 1e-14, "%s: a zero-padded wider copy computes the same "
           "function (max diff %.1g)", lab_act_names[act], worst);
        lab_mlp_work_free(ws);
        lab_mlp_work_free(wb);
        lab_mlp_free(big);
        big = lab_mlp_alloc(D, 3, narrow, (enum lab_act)act);
        ok(lab_mlp_embed(small, big) != 0, "%s: embedding into a narrower net is refused",
           lab_act_names[act]);
        lab_mlp_free(big);
        lab_mlp_free(small);
    }
}

int main(void)
{
    plan(2 + 4 * LAB_NACT + 3 * LAB_NACT + 2 * LAB_NACT);
    gsl_rng *r = lab_rng_alloc(2385, 1);
    test_layout();
    test_forward(r);
    test_gradients(r);
    test_embed(r);
    gsl_rng_free(r);
    return 0;
}
