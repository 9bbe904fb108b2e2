/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Random numbers: PCG32 and named, independent streams.
 *
 * lab_pcg32 is O'Neill's pcg32 (pcg_setseq_64_xsh_rr_32): a 64-bit LCG whose
 * increment selects one of 2^63 streams, output by xorshift-high and a random
 * rotation. It reproduces the reference (pcg_random.hpp, `pcg32 g(seed,
 * stream)`) bit for bit; tests/rng-t.c checks this.
 *
 * For sampling we wrap it as a gsl_rng, so GSL's distributions (Gaussian by
 * the polar method, shuffles, ...) draw from our generator. Its uniform
 * doubles carry 53 random bits (two outputs per double).
 *
 * Streams are never shared between purposes. lab_rng_alloc_stream() derives
 * the (seed, stream) pair of a generator from the experiment seed, a purpose
 * tag and the coordinates of the thing being drawn (a seed index, a width,
 * ...), so a cell's teacher, data and initialisation do not depend on which
 * other cells ran, in what order, or in which process.
 *
 * Ownership: generators returned by lab_rng_alloc*() are freed with
 * gsl_rng_free(). */
#ifndef LAB_RNG_H
#define LAB_RNG_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

typedef struct lab_pcg32 {
    uint64_t state; /* LCG state */
    uint64_t inc;   /* odd increment: the stream */
} lab_pcg32;

/* Seed as the reference does: inc = 2*stream + 1, then state = seed + inc
 * advanced once. */
void lab_pcg32_seed(lab_pcg32 *g, uint64_t seed, uint64_t stream);

/* The next 32-bit output (computed from the state before advancing). */
uint32_t lab_pcg32_next(lab_pcg32 *g);

/* Uniform double in [0, 1) with 53 random bits, from two outputs. */
double lab_pcg32_uniform(lab_pcg32 *g);

/* The gsl_rng type whose state is a lab_pcg32 ("lab-pcg32"). gsl_rng_set(r, s)
 * seeds it with seed s on the reference's default stream. */
extern const gsl_rng_type *const lab_rng_pcg32;

/* A gsl_rng on PCG32 with an explicit seed and stream; NULL when out of
 * memory. */
gsl_rng *lab_rng_alloc(uint64_t seed, uint64_t stream);

/* Purposes of the named streams. The numbers are part of the lab's
 * reproducibility contract: never renumber them. */
enum lab_stream {
    LAB_STREAM_TEACHER = 1, /* teacher weights: coords (seed) */
    LAB_STREAM_TEST = 2,    /* test inputs: coords (seed) */
    LAB_STREAM_TRAIN = 3,   /* training inputs, a prefix per n: coords (seed) */
    LAB_STREAM_NOISE = 4,   /* label noise, in the order of training points: (seed) */
    LAB_STREAM_INIT = 5,    /* student initialisation: (seed, width, depth) */
    LAB_STREAM_BATCH = 6,   /* mini-batch order: (seed, n, width, depth) */
    LAB_STREAM_BOOTSTRAP = 7, /* bootstrap resamples of a fit: (seed, key, replicate) */
    LAB_STREAM_PRUNE = 8     /* data pruning: the probe's direction, then the metric's draws */
};

/* Derive the (seed, stream) of a generator from the experiment seed, the
 * purpose and ncoords coordinates, by chaining SplitMix64's mixing function
 * over them. Different inputs give unrelated pairs. */
void lab_stream_derive(uint64_t experiment_seed, enum lab_stream purpose,
                       const int64_t *coords, size_t ncoords,
                       uint64_t *seed, uint64_t *stream);

/* lab_rng_alloc() on the derived pair. */
gsl_rng *lab_rng_alloc_stream(uint64_t experiment_seed, enum lab_stream purpose,
                              const int64_t *coords, size_t ncoords);

/* SplitMix64's output function of the state x + golden gamma: a bijective
 * 64-bit mixer. */
uint64_t lab_rng_mix(uint64_t x);

/* Fill x[0..n) with N(0, sigma^2) draws, in order. */
void lab_rng_fill_normal(gsl_rng *r, double *x, size_t n, double sigma);

#endif
