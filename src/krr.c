/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "krr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "blas.h"
#include "status.h"

/* Test rows per chunk of the cross-kernel. */
#define CHUNK 256

struct lab_krr {
    size_t n, d;
    double length, ridge;
    double *x;      /* (n,d) the training inputs */
    double *alpha;  /* (n) */
    double *l;      /* (n,n) the Cholesky factor, lower triangle */
    double *kt;     /* (n,CHUNK) scratch for predictions */
};

lab_krr *lab_krr_alloc(size_t n, size_t d)
{
    if (n == 0 || d == 0)
        return NULL;
    lab_krr *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->n = n;
    m->d = d;
    m->x = malloc(n * d * sizeof *m->x);
    m->alpha = malloc(n * sizeof *m->alpha);
    m->l = malloc(n * n * sizeof *m->l);
    m->kt = malloc(CHUNK * n * sizeof *m->kt);
    if (!m->x || !m->alpha || !m->l || !m->kt) {
        lab_krr_free(m);
        return NULL;
    }
    return m;
}

void lab_krr_free(lab_krr *m)
{
    if (!m)
        return;
    free(m->x);
    free(m->alpha);
    free(m->l);
    free(m->kt);
    free(m);
}

double lab_krr_bytes(size_t n, size_t d)
{
    double N = (double)n;
    return (N * (double)d + N + N * N + CHUNK * N) * sizeof(double) + sizeof(lab_krr);
}

/* exp(-|a - b|^2 / (2 length^2)), the distance summed directly: the
 * expansion |a|^2 + |b|^2 - 2 a.b would lose the digits of near points. */
static double kernel(const double *a, const double *b, size_t d, double scale)
{
    double s = 0;
    for (size_t i = 0; i < d; i++)
        s += (a[i] - b[i]) * (a[i] - b[i]);
    return exp(-s * scale);
}

int lab_krr_fit(lab_krr *m, const double *x, const double *y, double length, double ridge)
{
    size_t n = m->n, d = m->d;
    double scale = 1 / (2 * length * length);
    m->length = length;
    m->ridge = ridge;
    memcpy(m->x, x, n * d * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            m->l[i * n + j] = kernel(x + i * d, x + j * d, d, scale);
        m->l[i * n + i] = 1 + ridge;
    }
    if (lab_cholesky(n, m->l) != 0)
        return LAB_ENUMERIC;
    /* alpha = L^-T L^-1 y */
    memcpy(m->alpha, y, n * sizeof *y);
    cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)n, m->l, (int)n,
                m->alpha, 1);
    cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, (int)n, m->l, (int)n,
                m->alpha, 1);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(m->alpha[i]))
            return LAB_ENUMERIC;
    return LAB_OK;
}

void lab_krr_predict(const lab_krr *m, size_t t, const double *xt, double *out)
{
    size_t n = m->n, d = m->d;
    double scale = 1 / (2 * m->length * m->length);
    for (size_t r0 = 0; r0 < t; r0 += CHUNK) {
        size_t rows = t - r0 < CHUNK ? t - r0 : CHUNK;
        /* kt (n,rows): the cross-kernel transposed, so that out = kt^T alpha */
        for (size_t i = 0; i < n; i++)
            for (size_t r = 0; r < rows; r++)
                m->kt[i * rows + r] = kernel(xt + (r0 + r) * d, m->x + i * d, d, scale);
        lab_gemv_t(n, rows, 1.0, m->kt, m->alpha, 0.0, out + r0);
    }
}
