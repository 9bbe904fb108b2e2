/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Power spectra for `lab spectrum` (THEORY.md §10.3): of inputs x in R^d,
 * each read as a 1-D signal of length d, and of a teacher's output along
 * lines through the input space; and the effective bandwidth of a spectrum
 * at an energy fraction q.
 *
 * A spectrum of signals of length L has the r2c bins k = 0..floor(L/2).
 * Bin k holds m_k |X_k|^2 / L, where X is the unnormalised DFT (FFTW's) and
 * m_k is the bin's real degrees of freedom: 1 for bin 0 and, for even L,
 * the Nyquist bin L/2; 2 for the others (each stands for itself and its
 * mirror L - k). By Parseval the bins of one signal then sum to its energy
 * sum_j x_j^2, and a mean spectrum sums to the mean energy.
 *
 * Lines (lab_spectrum_lines()): line i runs through input x0 = row 2i of a
 * set, in the direction u = x1 / |x1| of row 2i + 1, over t in [-T, T) with
 * T = span * sigma_u, where sigma_u^2 = u' C u is the set's mean square
 * along u (C = X'X / n), on the periodic grid t_m = T (2m/L - 1),
 * m = 0..L-1. The outputs f_m, less their Hann-weighted mean, are windowed
 * by Hann's w_m = sin^2(pi m / L) (centred on x0), then transformed; bin k
 * holds m_k |G_k|^2 / (L sum_m w_m^2), so the bins sum to the w^2-weighted
 * mean square of f - mean along the line. Bin k is k cycles over the
 * segment, k / (2 span) cycles per sigma_u.
 *
 * Ownership: a lab_spectrum from lab_spectrum_alloc() owns its FFTW plan
 * and buffers and is freed by lab_spectrum_free() (NULL is fine); the other
 * functions write into caller-owned arrays and keep nothing. */
#ifndef LAB_SPECTRUM_H
#define LAB_SPECTRUM_H

#include <stddef.h>

#include "mlp.h"

/* A transform for real signals of one length, planned once (FFTW_ESTIMATE,
 * so the same on every run) and reused. */
typedef struct lab_spectrum lab_spectrum;

/* NULL when len is 0 or memory runs out. */
lab_spectrum *lab_spectrum_alloc(size_t len);
void lab_spectrum_free(lab_spectrum *s);

/* The signals' length, and the number of bins: len / 2 + 1. */
size_t lab_spectrum_len(const lab_spectrum *s);
size_t lab_spectrum_nbins(const lab_spectrum *s);

/* m_k: the real degrees of freedom of bin k of signals of length len. */
int lab_spectrum_dof(size_t len, size_t k);

/* The mean spectrum of n >= 1 signals, the rows of x (n, len), into power
 * (nbins): it sums to the mean of sum_j x_j^2. */
void lab_spectrum_signals(lab_spectrum *s, size_t n, const double *x, double *power);

/* Defaults of the lines (THEORY.md §10.3 says why). */
#define LAB_SPECTRUM_LINES 1024
#define LAB_SPECTRUM_POINTS 256
#define LAB_SPECTRUM_SPAN 3.0

/* The mean spectrum of f along `lines` lines through the rows of x (n, d),
 * as above: s is of length L (even, >= 4), lines <= n / 2, span > 0. power
 * (L/2 + 1). LAB_EINVAL on bad sizes, LAB_ENOMEM, LAB_ENUMERIC when a
 * direction row is 0, the set has no spread along it, or f is not finite
 * (with a message naming the line). */
int lab_spectrum_lines(lab_spectrum *s, const lab_mlp *f, size_t n, size_t d,
                       const double *x, size_t lines, double span, double *power,
                       char *err, size_t errlen);

/* The effective bandwidth at fraction q in (0, 1]: the smallest bin B whose
 * bins 0..B hold at least q of the total (nbins - 1 when the total is 0 or
 * not finite). cumulative, when not NULL, gets the fractions (nbins). */
size_t lab_spectrum_bandwidth(size_t nbins, const double *power, double q,
                              double *cumulative);

#endif
