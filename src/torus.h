/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Band-limited target functions on the torus [0, 2pi)^k (THEORY.md §10.2).
 *
 * The band of B in k dimensions holds the integer frequencies j with
 * |j|_inf <= B: D = (2B + 1)^k of them. Its real basis, orthonormal for the
 * uniform measure on the torus, is
 *
 *   phi_0 = 1,  phi_{2i+1} = sqrt 2 cos(j_i . theta),  phi_{2i+2} = sqrt 2 sin(j_i . theta)
 *
 * over the half band H (j != 0 whose first nonzero component is positive),
 * ordered by shell |j|_inf = 1, 2, ..., B and lexicographically within a
 * shell. So the basis of band b is the first (2b + 1)^k functions of that of
 * any band B >= b: smaller bands are prefixes, and a function's energy in
 * band b is the sum of squares of its first (2b + 1)^k coefficients.
 *
 * A torus teacher is one of:
 *   series    a random Fourier series of band B: coefficients N(0, w_j^2),
 *             w_j = (1 + |j|_2^2)^(-decay/2), drawn shell by shell (so the
 *             teacher of band B extends that of band B - 1 before scaling)
 *   mlp_band  a random MLP of the features (cos theta_i, sin theta_i),
 *             projected onto the band: its Fourier coefficients computed by
 *             FFTW's k-dimensional r2c transform of its values on a G^k grid,
 *             truncated to |j|_inf <= B (exact up to the grid's aliasing)
 *   mlp       the same MLP, not projected: not band-limited
 * and always has mean 0 and variance 1 over the torus: series and mlp_band
 * exactly, from their coefficients (the constant is dropped, the rest scaled
 * to unit energy); mlp from its grid transform (up to aliasing).
 *
 * Ownership: lab_torus_* functions never take ownership of their pointer
 * arguments except lab_torus_mlp_alloc(), which takes the MLP; objects from
 * an _alloc are released by the matching _free, and _free(NULL) does
 * nothing. */
#ifndef LAB_TORUS_H
#define LAB_TORUS_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "mlp.h"

/* The band |j|_inf <= B of the k-torus and its basis. Plain data. */
typedef struct lab_torus_band {
    size_t k;          /* torus dimension (1 to 3) */
    long B;            /* the band's edge */
    size_t dim;        /* D = (2B + 1)^k basis functions */
    size_t nhalf;      /* (D - 1) / 2 frequencies of H */
    long *freq;        /* (nhalf, k): the frequencies of H, in the basis's order */
} lab_torus_band;

/* D = (2B + 1)^k, or 0 when it overflows a size_t. */
size_t lab_torus_dim(size_t k, long B);

/* The largest band b with (2b + 1)^k <= n (the largest that n samples can
 * determine), or -1 when n = 0. */
long lab_torus_band_for(size_t k, size_t n);

/* The band B of the k-torus; NULL for k outside 1..3, B < 0 or no memory. */
lab_torus_band *lab_torus_band_alloc(size_t k, long B);
void lab_torus_band_free(lab_torus_band *b);

/* The design matrix of the basis at n points theta (n,k): phi (n,D),
 * row-major. */
void lab_torus_design(const lab_torus_band *b, size_t n, const double *theta, double *phi);

/* The features (cos theta_1, sin theta_1, ..., cos theta_k, sin theta_k) of n
 * points theta (n,k): z (n,2k). */
void lab_torus_features(size_t k, size_t n, const double *theta, double *z);

/* Fill theta (n,k) with points uniform on the torus, row by row from r. */
void lab_torus_sample(size_t k, size_t n, gsl_rng *r, double *theta);

/* The k-dimensional DFT of samples on the regular grid theta_m = 2 pi m / G
 * (G^k values f, row-major, the last coordinate fastest), by FFTW's r2c
 * transform, expressed in the basis of band B (2B < G): c (D) with c_0 the
 * grid mean and the others sqrt 2 Re F_j, -sqrt 2 Im F_j for
 * F_j = G^-k sum_m f_m exp(-i j.theta_m). For a function of band B these are
 * its coefficients exactly. LAB_ENOMEM or LAB_EINVAL. */
int lab_torus_dft(const lab_torus_band *b, size_t G, const double *f, double *c);

/* ==== Teachers ===================================================================== */

enum lab_torus_kind { LAB_TORUS_SERIES, LAB_TORUS_MLP_BAND, LAB_TORUS_MLP, LAB_TORUS_NKIND };
extern const char *const lab_torus_kind_names[LAB_TORUS_NKIND];

typedef struct lab_torus_teacher {
    enum lab_torus_kind kind;
    size_t k;
    long B;              /* series, mlp_band: the band; mlp: the band of the shells kept */
    lab_torus_band *band; /* series, mlp_band: the basis of its band */
    double *coef;        /* series, mlp_band: D coefficients in that basis (coef[0] = 0) */
    lab_mlp *mlp;        /* mlp_band, mlp: the network of the features */
    double shift, scale; /* mlp: f = scale (net(z) - shift) */
    size_t grid;         /* mlp_band, mlp: G, the grid per dimension */
    size_t nshell;       /* shells 0 .. nshell - 1 in shell */
    double *shell;       /* energy (fraction of the variance) at |j|_inf = s */
    double alias;        /* mlp_band, mlp: the energy at |j|_inf > G/4 of the grid's
                            transform, as a fraction of the variance: the scale of the
                            aliasing left in the coefficients (0 for series) */
} lab_torus_teacher;

/* A random Fourier series of band B in k dimensions, coefficients drawn from
 * r (see the top), scaled to variance 1. NULL on bad arguments or no
 * memory. */
lab_torus_teacher *lab_torus_series_alloc(size_t k, long B, double decay, gsl_rng *r);

/* The teacher of the network net (input dimension 2k: the features), which
 * it takes over, sampled on a G^k grid (G even, at least 2B + 2): projected
 * onto band B (project) or not. Its shells run to G/2. LAB_ENOMEM,
 * LAB_EINVAL, or LAB_ENUMERIC when its output is constant on the grid; net
 * is freed on failure. */
int lab_torus_mlp_alloc(size_t k, long B, int project, lab_mlp *net, size_t G,
                        lab_torus_teacher **out, char *err, size_t errlen);

void lab_torus_teacher_free(lab_torus_teacher *t);

/* The teacher's values at n points theta (n,k): y (n). */
int lab_torus_teacher_eval(const lab_torus_teacher *t, size_t n, const double *theta, double *y);

/* The fraction of the teacher's variance at |j|_inf > b: the error of the
 * best approximation in band b (b < 0: 1); for an unprojected MLP teacher
 * NaN from b = G/2 - 1 on (its grid knows no higher shell). */
double lab_torus_energy_outside(const lab_torus_teacher *t, long b);

/* The smallest even grid that lab_torus_mlp_alloc() uses by default for band
 * B: the least power of two >= max(4 (2B + 1), 32). */
size_t lab_torus_default_grid(long B);

#endif
