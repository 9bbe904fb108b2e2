/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Band-limited inputs: inputs x in R^d treated as real 1-D signals of
 * length d, filtered in the Fourier domain with FFTW (THEORY.md §10.1).
 *
 * A lab_band holds FFTW's r2c and c2r plans for one length d, made once
 * with FFTW_ESTIMATE on buffers of its own (so the plan, hence every bit of
 * the result, does not depend on the data or on timing), and a gain per
 * r2c bin k = 0 .. floor(d/2). The band keeps the bins 0 .. B: D_B =
 * min(2B + 1, d) real degrees of freedom (bin 0 is real, bins 1 .. B
 * complex; for even d the Nyquist bin d/2 is real, so B >= d/2 keeps all d).
 * B < 0 keeps every bin (no band limit): a band that only shapes the
 * spectrum.
 *
 * Two maps:
 *   lab_band_project()  the orthogonal projection onto the band: zero the
 *                       bins above B. Linear and idempotent.
 *   lab_band_filter()   what inputs get: bin k multiplied by
 *                       s sqrt(S_k) [k <= B], with the input spectrum S_k
 *                       (1 for white inputs, max(k, 1)^-a for power-law
 *                       ones) and the rescale s chosen so that white
 *                       unit-variance rows come out with unit variance in
 *                       every coordinate, exactly in expectation (the output
 *                       is a circularly stationary process whose variance
 *                       is (1/d) sum_k s^2 S_k over the kept bins of the
 *                       full spectrum). For white inputs s = sqrt(d / D_B).
 * Without the rescale a band-limited input would have variance D_B / d per
 * coordinate: the teacher's pre-activations would shrink with B and a tanh
 * teacher would turn nearly linear, which would fake a result.
 *
 * A lab_band is used by one thread at a time (it executes in its own
 * buffers); FFTW's planner is not thread-safe, so allocate bands in one
 * thread (the lab runs each cell in a process of its own).
 *
 * Ownership: lab_band_alloc*() returns a band released by lab_band_free()
 * (lab_band_free(NULL) does nothing); the functions never keep or free the
 * caller's arrays. */
#ifndef LAB_BAND_H
#define LAB_BAND_H

#include <stddef.h>

typedef struct lab_band lab_band;

/* White inputs band-limited at B (B < 0: no limit). NULL when d == 0 or
 * out of memory. */
lab_band *lab_band_alloc(size_t d, long B);

/* Inputs of power spectrum S_k = max(k, 1)^-a (1/f^a; bin 0 gets the power
 * of bin 1, as 1/f^a has no value at f = 0), band-limited at B (B < 0: no
 * limit). a = 0 is lab_band_alloc(). NULL when d == 0, a is not finite, or
 * out of memory. */
lab_band *lab_band_alloc_powerlaw(size_t d, long B, double a);

void lab_band_free(lab_band *b);

/* D_B: the dimension of the band (d when B < 0). */
size_t lab_band_dim(const lab_band *b);

/* The rescale s of lab_band_filter() (above). */
double lab_band_rescale(const lab_band *b);

/* X is (n, d), row-major, filtered in place row by row: zero the bins above
 * B, shape by the spectrum and rescale (above). */
void lab_band_filter(lab_band *b, size_t n, double *x);

/* X is (n, d), row-major, projected in place onto the band: zero the bins
 * above B, nothing else. */
void lab_band_project(lab_band *b, size_t n, double *x);

/* Z (n, D_B) = the coordinates of the rows of X (n, d) in an orthonormal
 * basis of the band: 1/sqrt(d); then for k = 1 .. B (k < d/2) sqrt(2/d)
 * cos(2 pi k j / d) and sqrt(2/d) sin(2 pi k j / d); then, for even d and
 * B >= d/2, (-1)^j / sqrt(d). They are the coordinates of the projection of
 * x onto the band, so |z| = |x| for every x in the band, whatever its scale
 * (a filtered input, rescale included, is in the band). */
void lab_band_coords(lab_band *b, size_t n, const double *x, double *z);

/* The bytes a band of length d holds. */
double lab_band_bytes(size_t d);

#endif
