/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fixed-order forward product (src/dense.h): every path this CPU runs
 * (plain C, AVX2, AVX-512) gives the bits of the reference order (one fma
 * per k from 0, then the bias), a row's result does not depend on the
 * batch it comes in, and zero columns appended to W change no bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "dense.h"
#include "rng.h"
#include "status.h"
#include "tap.h"

enum { MAXB = 128, MAXN = 40, MAXK = 300, PAD = 13 };

/* Z_ij = b_j + (fma over k = 0, 1, ... of A_ik W_jk from 0). */
static void reference(size_t B, size_t n, size_t k, const double *A, const double *W,
                      const double *b, double *Z)
{
    for (size_t i = 0; i < B; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t q = 0; q < k; q++)
                s = fma(A[i * k + q], W[j * k + q], s);
            Z[i * n + j] = b[j] + s;
        }
}

int main(void)
{
    plan(5);
    static const size_t Bs[] = { 1, 5, 6, 7, 12, 13, 37, 128 }, ns[] = { 1, 3, 8, 9, 16, 17, 40 },
                        ks[] = { 1, 7, 16, 64, 129, 300 };
    static const char *const names[] = { "auto", "C", "AVX2", "AVX-512" };
    gsl_rng *r = lab_rng_alloc(5, 1);
    double *A = malloc(MAXB * (MAXK + PAD) * sizeof *A), *W = malloc(MAXN * (MAXK + PAD) * sizeof *W);
    double *Ap = malloc(MAXB * (MAXK + PAD) * sizeof *Ap), *Wp = malloc(MAXN * (MAXK + PAD) * sizeof *Wp);
    double *b = malloc(MAXN * sizeof *b), *Z = malloc(MAXB * MAXN * sizeof *Z);
    double *R = malloc(MAXB * MAXN * sizeof *R), *work = malloc(lab_dense_work_len(MAXB) * sizeof *work);
    int same[4] = { 1, 1, 1, 1 }, ran[4] = { 0, 0, 0, 0 }, rows = 1, padded = 1;
    for (size_t ib = 0; ib < sizeof Bs / sizeof *Bs; ib++)
        for (size_t in = 0; in < sizeof ns / sizeof *ns; in++)
            for (size_t ik = 0; ik < sizeof ks / sizeof *ks; ik++) {
                size_t B = Bs[ib], n = ns[in], k = ks[ik];
                for (size_t i = 0; i < B * k; i++)
                    A[i] = gsl_ran_gaussian(r, 1);
                for (size_t i = 0; i < n * k; i++)
                    W[i] = gsl_ran_gaussian(r, 1);
                for (size_t j = 0; j < n; j++)
                    b[j] = gsl_ran_gaussian(r, 1);
                reference(B, n, k, A, W, b, R);
                for (int p = 0; p < 4; p++) {
                    memset(Z, 0, B * n * sizeof *Z);
                    if (lab_dense_forward_path((enum lab_dense_path)p, B, n, k, A, W, b, Z,
                                               work) != LAB_OK)
                        continue;
                    ran[p] = 1;
                    same[p] &= memcmp(Z, R, B * n * sizeof *Z) == 0;
                }
                /* Each row alone, as a batch of one. */
                for (size_t i = 0; i < B; i += 5) {
                    lab_dense_forward(1, n, k, A + i * k, W, b, Z, work);
                    rows &= memcmp(Z, R + i * n, n * sizeof *Z) == 0;
                }
                /* W with PAD zero columns, A with PAD columns of anything finite. */
                for (size_t i = 0; i < B; i++) {
                    memcpy(Ap + i * (k + PAD), A + i * k, k * sizeof *A);
                    for (size_t q = 0; q < PAD; q++)
                        Ap[i * (k + PAD) + k + q] = gsl_ran_gaussian(r, 1e3);
                }
                for (size_t j = 0; j < n; j++) {
                    memcpy(Wp + j * (k + PAD), W + j * k, k * sizeof *W);
                    memset(Wp + j * (k + PAD) + k, 0, PAD * sizeof *Wp);
                }
                lab_dense_forward(B, n, k + PAD, Ap, Wp, b, Z, work);
                padded &= memcmp(Z, R, B * n * sizeof *Z) == 0;
            }
    for (int p = 1; p < 4; p++)
        if (ran[p])
            ok(same[p], "the %s path gives the reference order's bits (336 shapes)", names[p]);
        else
            skip("this CPU cannot run the %s path", names[p]);
    ok(same[0] && rows, "lab_dense_forward (the %s path here) too, and a row alone gives the "
       "bits it gives in its batch", ran[3] ? names[3] : ran[2] ? names[2] : names[1]);
    ok(padded, "zero columns appended to W change no bit, whatever A holds there");
    free(A);
    free(W);
    free(Ap);
    free(Wp);
    free(b);
    free(Z);
    free(R);
    free(work);
    gsl_rng_free(r);
    return 0;
}
