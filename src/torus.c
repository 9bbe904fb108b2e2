/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "torus.h"

#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>
#include <gsl/gsl_randist.h>

#include "status.h"

const char *const lab_torus_kind_names[LAB_TORUS_NKIND] = { "series", "mlp_band", "mlp" };

/* Rows per chunk when a network is evaluated. */
#define EVAL_ROWS 512

/* ==== The band ===================================================================== */

size_t lab_torus_dim(size_t k, long B)
{
    if (B < 0)
        return 0;
    size_t d = 1, side = 2 * (size_t)B + 1;
    for (size_t i = 0; i < k; i++) {
        if (d > SIZE_MAX / side)
            return 0;
        d *= side;
    }
    return d;
}

long lab_torus_band_for(size_t k, size_t n)
{
    if (n == 0)
        return -1;
    long b = 0;
    while (lab_torus_dim(k, b + 1) != 0 && lab_torus_dim(k, b + 1) <= n)
        b++;
    return b;
}

/* Whether j (k) is in the half band H: nonzero, its first nonzero
 * component positive. */
static int in_half(const long *j, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (j[i] != 0)
            return j[i] > 0;
    return 0;
}

static long norm_inf(const long *j, size_t k)
{
    long m = 0;
    for (size_t i = 0; i < k; i++)
        m = labs(j[i]) > m ? labs(j[i]) : m;
    return m;
}

lab_torus_band *lab_torus_band_alloc(size_t k, long B)
{
    size_t D = lab_torus_dim(k, B);
    if (k < 1 || k > 3 || B < 0 || D == 0)
        return NULL;
    lab_torus_band *b = malloc(sizeof *b);
    if (!b)
        return NULL;
    b->k = k;
    b->B = B;
    b->dim = D;
    b->nhalf = (D - 1) / 2;
    b->freq = malloc((b->nhalf ? b->nhalf : 1) * k * sizeof *b->freq);
    if (!b->freq) {
        free(b);
        return NULL;
    }
    /* Shell by shell, each in lexicographic order over [-s, s]^k. */
    size_t h = 0;
    for (long s = 1; s <= B; s++) {
        long j[3];
        size_t side = 2 * (size_t)s + 1, count = lab_torus_dim(k, s);
        for (size_t idx = 0; idx < count; idx++) {
            size_t r = idx;
            for (size_t i = k; i-- > 0;) {
                j[i] = (long)(r % side) - s;
                r /= side;
            }
            if (norm_inf(j, k) == s && in_half(j, k)) {
                memcpy(b->freq + h * k, j, k * sizeof *j);
                h++;
            }
        }
    }
    return b;
}

void lab_torus_band_free(lab_torus_band *b)
{
    if (!b)
        return;
    free(b->freq);
    free(b);
}

/* The basis at one point theta (k): phi (D). */
static void basis_row(const lab_torus_band *b, const double *theta, double *phi)
{
    phi[0] = 1.0;
    for (size_t h = 0; h < b->nhalf; h++) {
        const long *j = b->freq + h * b->k;
        double a = 0;
        for (size_t i = 0; i < b->k; i++)
            a += (double)j[i] * theta[i];
        phi[2 * h + 1] = M_SQRT2 * cos(a);
        phi[2 * h + 2] = M_SQRT2 * sin(a);
    }
}

void lab_torus_design(const lab_torus_band *b, size_t n, const double *theta, double *phi)
{
    for (size_t m = 0; m < n; m++)
        basis_row(b, theta + m * b->k, phi + m * b->dim);
}

void lab_torus_features(size_t k, size_t n, const double *theta, double *z)
{
    for (size_t m = 0; m < n; m++)
        for (size_t i = 0; i < k; i++) {
            z[m * 2 * k + 2 * i] = cos(theta[m * k + i]);
            z[m * 2 * k + 2 * i + 1] = sin(theta[m * k + i]);
        }
}

void lab_torus_sample(size_t k, size_t n, gsl_rng *r, double *theta)
{
    for (size_t m = 0; m < n * k; m++)
        theta[m] = 2 * M_PI * gsl_rng_uniform(r);
}

/* ==== The grid transform ============================================================= */

/* The r2c transform of G^k grid values f: out (G^(k-1) (G/2 + 1)), scaled
 * by G^-k; NULL when out of memory. Free with fftw_free(). */
static fftw_complex *grid_transform(size_t k, size_t G, const double *f)
{
    size_t N = 1, M = 1;
    int dims[3];
    for (size_t i = 0; i < k; i++) {
        N *= G;
        M *= i + 1 < k ? G : G / 2 + 1;
        dims[i] = (int)G;
    }
    double *in = fftw_malloc(N * sizeof *in);
    fftw_complex *out = fftw_malloc(M * sizeof *out);
    /* FFTW_ESTIMATE: the plan, hence every bit, does not depend on timing. */
    fftw_plan p = in && out ? fftw_plan_dft_r2c((int)k, dims, in, out, FFTW_ESTIMATE) : NULL;
    if (!p) {
        fftw_free(in);
        fftw_free(out);
        return NULL;
    }
    memcpy(in, f, N * sizeof *in);
    fftw_execute(p);
    fftw_destroy_plan(p);
    fftw_free(in);
    for (size_t m = 0; m < M; m++)
        out[m] /= (double)N;
    return out;
}

/* F_j from the r2c output of a G^k grid: the last coordinate holds only
 * 0 .. G/2, the rest by Hermitian symmetry F_-j = conj F_j. */
static double complex grid_coef(const fftw_complex *F, size_t k, size_t G, const long *j)
{
    long jj[3];
    int conj_ = j[k - 1] < 0;
    size_t idx = 0;
    for (size_t i = 0; i < k; i++) {
        jj[i] = conj_ ? -j[i] : j[i];
        long g = (long)G, m = ((jj[i] % g) + g) % g;
        idx = idx * (i + 1 < k ? G : G / 2 + 1) + (size_t)m;
    }
    double complex c = F[idx];
    return conj_ ? conj(c) : c;
}

int lab_torus_dft(const lab_torus_band *b, size_t G, const double *f, double *c)
{
    if (2 * (size_t)b->B >= G)
        return LAB_EINVAL;
    fftw_complex *F = grid_transform(b->k, G, f);
    if (!F)
        return LAB_ENOMEM;
    long zero[3] = { 0, 0, 0 };
    c[0] = creal(grid_coef(F, b->k, G, zero));
    for (size_t h = 0; h < b->nhalf; h++) {
        double complex z = grid_coef(F, b->k, G, b->freq + h * b->k);
        c[2 * h + 1] = M_SQRT2 * creal(z);
        c[2 * h + 2] = -M_SQRT2 * cimag(z);
    }
    fftw_free(F);
    return LAB_OK;
}

/* ==== Teachers ===================================================================== */

void lab_torus_teacher_free(lab_torus_teacher *t)
{
    if (!t)
        return;
    lab_torus_band_free(t->band);
    free(t->coef);
    lab_mlp_free(t->mlp);
    free(t->shell);
    free(t);
}

/* The energy of coefficients coef (in band b's basis) per shell: shell
 * (B + 1). */
static void shells_of_coef(const lab_torus_band *b, const double *coef, double *shell)
{
    memset(shell, 0, ((size_t)b->B + 1) * sizeof *shell);
    shell[0] = coef[0] * coef[0];
    for (size_t h = 0; h < b->nhalf; h++) {
        long s = norm_inf(b->freq + h * b->k, b->k);
        shell[s] += coef[2 * h + 1] * coef[2 * h + 1] + coef[2 * h + 2] * coef[2 * h + 2];
    }
}

/* Scale coef[1..D) to unit energy, coef[0] to 0. */
static int normalise_coef(size_t D, double *coef)
{
    double e = 0;
    coef[0] = 0;
    for (size_t i = 1; i < D; i++)
        e += coef[i] * coef[i];
    if (!(e > 0) || !isfinite(e))
        return LAB_ENUMERIC;
    double s = 1 / sqrt(e);
    for (size_t i = 1; i < D; i++)
        coef[i] *= s;
    return LAB_OK;
}

lab_torus_teacher *lab_torus_series_alloc(size_t k, long B, double decay, gsl_rng *r)
{
    if (B < 1)
        return NULL;
    lab_torus_teacher *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->kind = LAB_TORUS_SERIES;
    t->k = k;
    t->B = B;
    t->nshell = (size_t)B + 1;
    if (!(t->band = lab_torus_band_alloc(k, B)) || !(t->coef = malloc(t->band->dim * sizeof(double)))
        || !(t->shell = malloc(t->nshell * sizeof(double)))) {
        lab_torus_teacher_free(t);
        return NULL;
    }
    t->coef[0] = 0;
    /* In the basis's order, shell by shell: the draws of band B - 1 come
     * first, and the decay only scales them. */
    for (size_t h = 0; h < t->band->nhalf; h++) {
        const long *j = t->band->freq + h * k;
        double j2 = 0;
        for (size_t i = 0; i < k; i++)
            j2 += (double)(j[i] * j[i]);
        double w = pow(1 + j2, -decay / 2);
        t->coef[2 * h + 1] = w * gsl_ran_gaussian(r, 1.0);
        t->coef[2 * h + 2] = w * gsl_ran_gaussian(r, 1.0);
    }
    if (normalise_coef(t->band->dim, t->coef) != LAB_OK) {
        lab_torus_teacher_free(t);
        return NULL;
    }
    shells_of_coef(t->band, t->coef, t->shell);
    return t;
}

/* The network's outputs at n points theta (n,k): y (n). */
static int net_eval(const lab_mlp *net, size_t k, size_t n, const double *theta, double *y)
{
    lab_mlp_work *w = lab_mlp_work_alloc(net, EVAL_ROWS);
    double *z = malloc(EVAL_ROWS * 2 * k * sizeof *z);
    if (!w || !z) {
        lab_mlp_work_free(w);
        free(z);
        return LAB_ENOMEM;
    }
    for (size_t m = 0; m < n; m += EVAL_ROWS) {
        size_t rows = n - m < EVAL_ROWS ? n - m : EVAL_ROWS;
        lab_torus_features(k, rows, theta + m * k, z);
        lab_mlp_predict(net, w, rows, z, y + m);
    }
    lab_mlp_work_free(w);
    free(z);
    return LAB_OK;
}

int lab_torus_mlp_alloc(size_t k, long B, int project, lab_mlp *net, size_t G,
                        lab_torus_teacher **out, char *err, size_t errlen)
{
    *out = NULL;
    if (k < 1 || k > 3 || B < 1 || G % 2 || G < 2 * (size_t)B + 2 || net->sizes[0] != 2 * k) {
        lab_mlp_free(net);
        return lab_fail(err, errlen, LAB_EINVAL, "torus teacher: bad dimension, band or grid");
    }
    lab_torus_teacher *t = calloc(1, sizeof *t);
    size_t N = 1;
    for (size_t i = 0; i < k; i++)
        N *= G;
    double *theta = malloc(N * k * sizeof *theta), *f = malloc(N * sizeof *f);
    fftw_complex *F = NULL;
    int rc = LAB_ENOMEM;
    if (!t || !theta || !f) {
        lab_mlp_free(net);
        goto done;
    }
    t->kind = project ? LAB_TORUS_MLP_BAND : LAB_TORUS_MLP;
    t->k = k;
    t->B = B;
    t->mlp = net;
    t->grid = G;
    /* The grid theta_m = 2 pi m / G, row-major, the last coordinate fastest. */
    for (size_t m = 0; m < N; m++)
        for (size_t i = k, r = m; i-- > 0; r /= G)
            theta[m * k + i] = 2 * M_PI * (double)(r % G) / (double)G;
    if ((rc = net_eval(net, k, N, theta, f)) != LAB_OK || !(F = grid_transform(k, G, f)))
        goto done;
    /* Energy per shell of the grid's transform (Parseval: sums to the grid
     * mean of f^2): bins of the last coordinate other than 0 and G/2 stand
     * for two frequencies, j and -j. */
    size_t M = N / G * (G / 2 + 1), nshell = G / 2 + 1;
    double *shell = calloc(nshell, sizeof *shell);
    if (!shell) {
        rc = LAB_ENOMEM;
        goto done;
    }
    for (size_t m = 0; m < M; m++) {
        long s = 0;
        size_t r = m, last = m % (G / 2 + 1);
        for (size_t i = k; i-- > 0;) {
            size_t side = i + 1 < k ? G : G / 2 + 1, q = r % side;
            long fq = q <= G / 2 ? (long)q : (long)q - (long)G;
            s = labs(fq) > s ? labs(fq) : s;
            r /= side;
        }
        double e = creal(F[m]) * creal(F[m]) + cimag(F[m]) * cimag(F[m]);
        shell[s] += (last == 0 || 2 * last == G ? 1 : 2) * e;
    }
    double var = 0, tail = 0;
    for (size_t s = 1; s < nshell; s++) {
        var += shell[s];
        tail += 4 * s > G ? shell[s] : 0;
    }
    if (!(var > 1e-300) || !isfinite(var)) {
        free(shell);
        rc = lab_fail(err, errlen, LAB_ENUMERIC, "torus teacher: the network's output is "
                      "constant on the grid");
        goto done;
    }
    t->alias = tail / var;
    if (!project) {
        t->shift = creal(F[0]);
        t->scale = 1 / sqrt(var);
        shell[0] = 0;
        for (size_t s = 1; s < nshell; s++)
            shell[s] /= var;
        t->shell = shell;
        t->nshell = nshell;
        rc = LAB_OK;
        goto done;
    }
    free(shell);
    t->nshell = (size_t)B + 1;
    if (!(t->band = lab_torus_band_alloc(k, B)) || !(t->coef = malloc(t->band->dim * sizeof(double)))
        || !(t->shell = malloc(t->nshell * sizeof(double)))) {
        rc = LAB_ENOMEM;
        goto done;
    }
    if ((rc = lab_torus_dft(t->band, G, f, t->coef)) != LAB_OK)
        goto done;
    double band_e = 0;
    for (size_t i = 1; i < t->band->dim; i++)
        band_e += t->coef[i] * t->coef[i];
    if ((rc = normalise_coef(t->band->dim, t->coef)) != LAB_OK) {
        lab_fail(err, errlen, rc, "torus teacher: the network has no energy in the band");
        goto done;
    }
    t->alias = tail / band_e; /* relative to the band's energy, now 1 */
    shells_of_coef(t->band, t->coef, t->shell);
done:
    if (rc == LAB_ENOMEM)
        lab_fail(err, errlen, rc, "out of memory");
    fftw_free(F);
    free(theta);
    free(f);
    if (rc != LAB_OK)
        lab_torus_teacher_free(t);
    else
        *out = t;
    return rc;
}

int lab_torus_teacher_eval(const lab_torus_teacher *t, size_t n, const double *theta, double *y)
{
    if (t->kind == LAB_TORUS_MLP) {
        int rc = net_eval(t->mlp, t->k, n, theta, y);
        for (size_t m = 0; rc == LAB_OK && m < n; m++)
            y[m] = t->scale * (y[m] - t->shift);
        return rc;
    }
    double *phi = malloc(t->band->dim * sizeof *phi);
    if (!phi)
        return LAB_ENOMEM;
    for (size_t m = 0; m < n; m++) {
        basis_row(t->band, theta + m * t->k, phi);
        double s = 0;
        for (size_t i = 0; i < t->band->dim; i++)
            s += t->coef[i] * phi[i];
        y[m] = s;
    }
    free(phi);
    return LAB_OK;
}

double lab_torus_energy_outside(const lab_torus_teacher *t, long b)
{
    if (b < 0)
        return 1;
    /* An MLP teacher's shells are known up to the grid's G/2 only. */
    if (t->kind == LAB_TORUS_MLP && (size_t)b + 1 >= t->nshell)
        return NAN;
    double e = 0;
    for (size_t s = (size_t)b + 1; s < t->nshell; s++)
        e += t->shell[s];
    return e;
}

size_t lab_torus_default_grid(long B)
{
    size_t G = 32;
    while (G < 4 * (2 * (size_t)B + 1))
        G *= 2;
    return G;
}
