/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "band.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include <fftw3.h>

struct lab_band {
    size_t d;        /* signal length */
    size_t nbins;    /* r2c bins: floor(d/2) + 1 */
    size_t kept;     /* bins 0 .. kept-1 are in the band */
    size_t dim;      /* D_B */
    double s;        /* the rescale */
    double *gain;    /* (nbins) lab_band_filter()'s factor per bin, FFTW's 1/d included */
    double *row;     /* (d) scratch signal, fftw_malloc'ed */
    fftw_complex *spec; /* (nbins) scratch spectrum, fftw_malloc'ed */
    fftw_plan fwd, inv; /* r2c row -> spec, c2r spec -> row */
};

/* How often bin k of a length-d signal occurs in the full spectrum 0 .. d-1:
 * once for bin 0 and the Nyquist bin of even d, twice (k and d - k) else. */
static double multiplicity(size_t d, size_t k)
{
    return k == 0 || 2 * k == d ? 1.0 : 2.0;
}

lab_band *lab_band_alloc_powerlaw(size_t d, long B, double a)
{
    if (d == 0 || d > INT_MAX || !isfinite(a))
        return NULL;
    lab_band *b = fftw_malloc(sizeof *b);
    if (!b)
        return NULL;
    memset(b, 0, sizeof *b);
    b->d = d;
    b->nbins = d / 2 + 1;
    b->kept = B < 0 || (size_t)B >= d / 2 ? b->nbins : (size_t)B + 1;
    b->dim = B < 0 || (size_t)B >= d / 2 ? d : 2 * (size_t)B + 1;
    b->gain = fftw_malloc(b->nbins * sizeof *b->gain);
    b->row = fftw_malloc(d * sizeof *b->row);
    b->spec = fftw_malloc(b->nbins * sizeof *b->spec);
    if (!b->gain || !b->row || !b->spec) {
        lab_band_free(b);
        return NULL;
    }
    /* Planned once, on the band's own aligned buffers: FFTW_ESTIMATE picks
     * the plan without timing anything, so it is the same on every run. */
    b->fwd = fftw_plan_dft_r2c_1d((int)d, b->row, b->spec, FFTW_ESTIMATE);
    b->inv = fftw_plan_dft_c2r_1d((int)d, b->spec, b->row, FFTW_ESTIMATE);
    if (!b->fwd || !b->inv) {
        lab_band_free(b);
        return NULL;
    }
    /* The output of white unit-variance rows is circularly stationary, of
     * variance (1/d) sum over the full spectrum of the squared gains: the
     * rescale makes it 1 exactly (THEORY.md §10.1). */
    double total = 0;
    for (size_t k = 0; k < b->kept; k++)
        total += multiplicity(d, k) * pow(k > 0 ? (double)k : 1.0, -a);
    b->s = sqrt((double)d / total);
    for (size_t k = 0; k < b->nbins; k++)
        b->gain[k] = k < b->kept ? b->s * sqrt(pow(k > 0 ? (double)k : 1.0, -a)) / (double)d
                                 : 0.0;
    return b;
}

lab_band *lab_band_alloc(size_t d, long B)
{
    return lab_band_alloc_powerlaw(d, B, 0.0);
}

void lab_band_free(lab_band *b)
{
    if (!b)
        return;
    if (b->fwd)
        fftw_destroy_plan(b->fwd);
    if (b->inv)
        fftw_destroy_plan(b->inv);
    fftw_free(b->gain);
    fftw_free(b->row);
    fftw_free(b->spec);
    fftw_free(b);
}

size_t lab_band_dim(const lab_band *b)
{
    return b->dim;
}

double lab_band_rescale(const lab_band *b)
{
    return b->s;
}

double lab_band_bytes(size_t d)
{
    /* The struct, the buffers, and FFTW's plans (a few times d: an
     * estimate). */
    return sizeof(struct lab_band) + (double)(d / 2 + 1) * (sizeof(double) + sizeof(fftw_complex))
           + (double)d * sizeof(double) + 8.0 * (double)d * sizeof(double) + 4096.0;
}

/* Each row of X (n, d) through r2c, bin k times gain[k] (NULL: 1/d in the
 * band, 0 above), c2r. c2r overwrites its input: the spectrum is made anew
 * for every row. */
static void apply(lab_band *b, size_t n, double *x, const double *gain)
{
    size_t d = b->d;
    for (size_t i = 0; i < n; i++) {
        double *xi = x + i * d;
        memcpy(b->row, xi, d * sizeof *xi);
        fftw_execute(b->fwd);
        for (size_t k = 0; k < b->nbins; k++) {
            double g = gain ? gain[k] : k < b->kept ? 1.0 / (double)d : 0.0;
            b->spec[k][0] *= g;
            b->spec[k][1] *= g;
        }
        fftw_execute(b->inv);
        memcpy(xi, b->row, d * sizeof *xi);
    }
}

void lab_band_filter(lab_band *b, size_t n, double *x)
{
    apply(b, n, x, b->gain);
}

void lab_band_project(lab_band *b, size_t n, double *x)
{
    apply(b, n, x, NULL);
}

void lab_band_coords(lab_band *b, size_t n, const double *x, double *z)
{
    size_t d = b->d, D = b->dim;
    double c0 = 1.0 / sqrt((double)d), c1 = sqrt(2.0 / (double)d);
    for (size_t i = 0; i < n; i++) {
        memcpy(b->row, x + i * d, d * sizeof *x);
        fftw_execute(b->fwd);
        /* X_k = sum_j x_j (cos - i sin)(2 pi k j / d): the cosine
         * coordinate is sqrt(2/d) Re X_k, the sine one -sqrt(2/d) Im X_k. */
        double *zi = z + i * D;
        size_t m = 0;
        zi[m++] = c0 * b->spec[0][0];
        for (size_t k = 1; k < b->kept && 2 * k < d; k++) {
            zi[m++] = c1 * b->spec[k][0];
            zi[m++] = -c1 * b->spec[k][1];
        }
        if (d % 2 == 0 && b->kept == b->nbins)
            zi[m++] = c0 * b->spec[d / 2][0];
    }
}
