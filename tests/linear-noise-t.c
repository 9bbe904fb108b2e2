/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The linearised noise of least squares (src/linear_noise.h): dof is P
 * exactly when the test inputs are the training inputs, agrees with the
 * trace computed the long way, predicts the test error that the reference
 * optimiser's refit adds under small label noise, and is NaN where the
 * Gram matrix is singular. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>

#include "data.h"
#include "linear_noise.h"
#include "mlp.h"
#include "refine.h"
#include "rng.h"
#include "status.h"
#include "tap.h"
#include "train.h"

enum { D = 4, ROWS = 64 };

/* n inputs drawn from r, labelled by m itself (so m is their exact fit). */
static lab_dataset *labelled(const lab_mlp *m, lab_mlp_work *w, size_t n, gsl_rng *r)
{
    lab_dataset *ds = lab_dataset_alloc(n, D);
    lab_data_sample(ds, LAB_DIST_GAUSSIAN, r);
    for (size_t i = 0; i < n; i += ROWS) {
        size_t B = n - i < ROWS ? n - i : ROWS;
        memcpy(ds->y + i, lab_mlp_forward(m, w, B, ds->x + i * D, 0), B * sizeof *ds->y);
    }
    return ds;
}

/* n tr((J^T J)^-1 J_t^T J_t) / T the long way: every Jacobian row by
 * itself, the Gram by loops, GSL's Cholesky solve per test row. */
static double dof_by_hand(const lab_mlp *m, lab_mlp_work *w, const lab_dataset *train,
                          const lab_dataset *test)
{
    size_t P = m->n_params;
    gsl_matrix *G = gsl_matrix_calloc(P, P);
    gsl_vector *g = gsl_vector_alloc(P), *z = gsl_vector_alloc(P);
    double *J = malloc(P * sizeof *J), tr = 0;
    for (size_t i = 0; i < train->n; i++) {
        lab_mlp_jacobian(m, w, 1, train->x + i * D, J, NULL);
        for (size_t a = 0; a < P; a++)
            for (size_t b = 0; b < P; b++)
                *gsl_matrix_ptr(G, a, b) += J[a] * J[b];
    }
    gsl_linalg_cholesky_decomp1(G);
    for (size_t i = 0; i < test->n; i++) {
        lab_mlp_jacobian(m, w, 1, test->x + i * D, J, NULL);
        for (size_t a = 0; a < P; a++)
            gsl_vector_set(g, a, J[a]);
        gsl_linalg_cholesky_solve(G, g, z);
        double q;
        gsl_blas_ddot(g, z, &q);
        tr += q;
    }
    gsl_matrix_free(G);
    gsl_vector_free(g);
    gsl_vector_free(z);
    free(J);
    return (double)train->n * tr / (double)test->n;
}

int main(void)
{
    plan(6);
    gsl_rng *r = lab_rng_alloc(11, 3);
    const size_t widths[1] = { 6 }, wide[1] = { 9 };
    lab_mlp *m = lab_mlp_alloc(D, 1, widths, LAB_ACT_TANH);
    lab_mlp_init(m, LAB_INIT_LECUN, r);
    for (size_t i = 0; i < m->n_params; i++)
        m->theta[i] += 0.3 * gsl_ran_gaussian(r, 1); /* biases off zero too */
    size_t P = m->n_params, n = 200, T = 3000;
    lab_mlp_work *w = lab_mlp_work_alloc(m, ROWS);
    lab_linear_noise *ln = lab_linear_noise_alloc(P, ROWS);
    lab_dataset *train = labelled(m, w, n, r), *test = labelled(m, w, T, r);

    double dof;
    int rc = lab_linear_noise_dof(ln, m, w, train, train, &dof);
    is_double_rel((double)P, dof, 1e-9, "on its own training inputs, dof = P = %zu (rc %d)", P,
                  rc);
    lab_linear_noise_dof(ln, m, w, train, test, &dof);
    is_double_rel(dof_by_hand(m, w, train, test), dof, 1e-9,
                  "on other inputs, the trace the long way (dof %.3f)", dof);

    /* Least squares on labels with noise s, refitted from the exact fit by
     * lm to convergence: the mean excess test MSE against s^2 dof / n. With
     * s small the fit is linear in its parameters to high accuracy. */
    const double s = 1e-3;
    const int R = 300;
    lab_refine_params rp = lab_refine_default_params();
    char err[256];
    lab_refine *ref = lab_refine_alloc(m, n, &rp, err, sizeof err);
    lab_dataset *noisy = lab_dataset_alloc(n, D);
    memcpy(noisy->x, train->x, n * D * sizeof *noisy->x);
    double *fit = malloc(P * sizeof *fit), sum = 0, sum2 = 0;
    memcpy(fit, m->theta, P * sizeof *fit);
    for (int q = 0; q < R; q++) {
        for (size_t i = 0; i < n; i++)
            noisy->y[i] = train->y[i] + gsl_ran_gaussian(r, s);
        memcpy(m->theta, fit, P * sizeof *fit);
        lab_refine_result res;
        lab_refine_run(ref, m, noisy, 1.0, NULL, &res);
        double e = lab_mlp_error(m, w, test, 1.0) / (s * s);
        sum += e;
        sum2 += e * e;
    }
    memcpy(m->theta, fit, P * sizeof *fit);
    double mean = sum / R, se = sqrt((sum2 / R - mean * mean) / (R - 1)), want = dof / (double)n;
    ok(fabs(mean - want) < 4 * se, "noise s = %g: refits add %.4f s^2 (se %.4f) to the test "
       "MSE, the linearisation %.4f s^2 = s^2 dof / n", s, mean, se, want);

    /* Singular Grams. */
    lab_dataset *few = labelled(m, w, P - 1, r);
    lab_linear_noise_dof(ln, m, w, few, test, &dof);
    ok(isnan(dof), "fewer points than parameters: NaN");
    lab_mlp *big = lab_mlp_alloc(D, 1, wide, LAB_ACT_TANH);
    lab_mlp_work *bw = lab_mlp_work_alloc(big, ROWS);
    lab_linear_noise *bln = lab_linear_noise_alloc(big->n_params, ROWS);
    lab_mlp_embed(m, big);
    rc = lab_linear_noise_dof(bln, big, bw, train, test, &dof);
    ok(rc == LAB_OK && isnan(dof), "a planted wider student, whose padding idles: NaN");
    rc = lab_linear_noise_dof(ln, big, bw, train, test, &dof);
    ok(rc == LAB_EINVAL && isnan(dof), "a network of another size: LAB_EINVAL");

    lab_linear_noise_free(NULL);
    lab_linear_noise_free(bln);
    lab_linear_noise_free(ln);
    lab_refine_free(ref);
    lab_mlp_work_free(bw);
    lab_mlp_work_free(w);
    lab_mlp_free(big);
    lab_mlp_free(m);
    lab_dataset_free(train);
    lab_dataset_free(test);
    lab_dataset_free(noisy);
    lab_dataset_free(few);
    free(fit);
    gsl_rng_free(r);
    return 0;
}
