/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "linear_noise.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "status.h"

struct lab_linear_noise {
    size_t P, rows;
    double *gram; /* (P, P): J^T J, then its Cholesky factor L */
    double *jac;  /* (rows, P): one chunk of Jacobian rows */
};

double lab_linear_noise_bytes(size_t P, size_t rows)
{
    return sizeof(lab_linear_noise) + ((double)P * (double)P + (double)rows * (double)P)
                                          * sizeof(double);
}

lab_linear_noise *lab_linear_noise_alloc(size_t P, size_t rows)
{
    lab_linear_noise *ln = calloc(1, sizeof *ln);
    if (!ln)
        return NULL;
    ln->P = P;
    ln->rows = rows ? rows : 1;
    ln->gram = malloc((P ? P * P : 1) * sizeof *ln->gram);
    ln->jac = malloc((P ? P : 1) * ln->rows * sizeof *ln->jac);
    if (!ln->gram || !ln->jac) {
        lab_linear_noise_free(ln);
        return NULL;
    }
    return ln;
}

void lab_linear_noise_free(lab_linear_noise *ln)
{
    if (!ln)
        return;
    free(ln->gram);
    free(ln->jac);
    free(ln);
}

int lab_linear_noise_dof(lab_linear_noise *ln, const lab_mlp *m, lab_mlp_work *w,
                         const lab_dataset *train, const lab_dataset *test, double *dof)
{
    size_t P = ln->P, D = train->d;
    *dof = NAN;
    if (m->n_params != P)
        return LAB_EINVAL;
    if (train->n < P || test->n == 0)
        return LAB_OK;
    /* J^T J, a chunk of training rows at a time. */
    memset(ln->gram, 0, P * P * sizeof *ln->gram);
    for (size_t i = 0; i < train->n; i += ln->rows) {
        size_t B = train->n - i < ln->rows ? train->n - i : ln->rows;
        lab_mlp_jacobian(m, w, B, train->x + i * D, ln->jac, NULL);
        lab_syrk_t(P, B, ln->jac, ln->gram);
    }
    if (lab_cholesky(P, ln->gram) != 0)
        return LAB_OK; /* singular to working precision */
    /* tr((J^T J)^-1 J_t^T J_t) = sum over test rows g of |L^-1 g|^2. */
    double tr = 0;
    for (size_t i = 0; i < test->n; i += ln->rows) {
        size_t B = test->n - i < ln->rows ? test->n - i : ln->rows;
        lab_mlp_jacobian(m, w, B, test->x + i * D, ln->jac, NULL);
        lab_trsm_lt(B, P, ln->gram, ln->jac);
        for (size_t k = 0; k < B * P; k++)
            tr += ln->jac[k] * ln->jac[k];
    }
    *dof = isfinite(tr) ? (double)train->n * tr / (double)test->n : NAN;
    return LAB_OK;
}
