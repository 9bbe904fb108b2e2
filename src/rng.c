/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rng.h"

#include <gsl/gsl_randist.h>

/* The LCG multiplier of all 64-bit PCG generators. */
#define PCG_MULT UINT64_C(6364136223846793005)
/* The reference's default stream for pcg32 (its default increment is
 * 1442695040888963407 = 2 * this + 1). */
#define PCG_DEFAULT_STREAM UINT64_C(721347520444481703)

void lab_pcg32_seed(lab_pcg32 *g, uint64_t seed, uint64_t stream)
{
    g->inc = (stream << 1) | 1u;
    g->state = (seed + g->inc) * PCG_MULT + g->inc;
}

uint32_t lab_pcg32_next(lab_pcg32 *g)
{
    uint64_t old = g->state;
    g->state = old * PCG_MULT + g->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
    unsigned rot = (unsigned)(old >> 59);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

double lab_pcg32_uniform(lab_pcg32 *g)
{
    /* 27 high bits of one output and 26 of the next make a 53-bit integer. */
    uint64_t hi = lab_pcg32_next(g) >> 5;
    uint64_t lo = lab_pcg32_next(g) >> 6;
    return (double)((hi << 26) | lo) * 0x1p-53;
}

/* ---- the gsl_rng adaptor ---------------------------------------------- */

static void pcg_set(void *state, unsigned long seed)
{
    lab_pcg32_seed(state, (uint64_t)seed, PCG_DEFAULT_STREAM);
}

static unsigned long pcg_get(void *state)
{
    return lab_pcg32_next(state);
}

static double pcg_get_double(void *state)
{
    return lab_pcg32_uniform(state);
}

static const gsl_rng_type lab_rng_pcg32_type = {
    "lab-pcg32", 0xffffffffUL, 0, sizeof(lab_pcg32),
    pcg_set, pcg_get, pcg_get_double
};

const gsl_rng_type *const lab_rng_pcg32 = &lab_rng_pcg32_type;

gsl_rng *lab_rng_alloc(uint64_t seed, uint64_t stream)
{
    gsl_rng *r = gsl_rng_alloc(lab_rng_pcg32);
    if (r)
        lab_pcg32_seed(r->state, seed, stream);
    return r;
}

/* ---- stream derivation ------------------------------------------------- */

uint64_t lab_rng_mix(uint64_t x)
{
    uint64_t z = x + UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void lab_stream_derive(uint64_t experiment_seed, enum lab_stream purpose,
                       const int64_t *coords, size_t ncoords,
                       uint64_t *seed, uint64_t *stream)
{
    /* Mixing after every addition makes the result depend on the order and
     * the number of the inputs, not only on their sum. */
    uint64_t h = lab_rng_mix(experiment_seed);
    h = lab_rng_mix(h + (uint64_t)purpose);
    h = lab_rng_mix(h + ncoords);
    for (size_t i = 0; i < ncoords; i++)
        h = lab_rng_mix(h + (uint64_t)coords[i]);
    *seed = lab_rng_mix(h + 1);
    *stream = lab_rng_mix(h + 2);
}

gsl_rng *lab_rng_alloc_stream(uint64_t experiment_seed, enum lab_stream purpose,
                              const int64_t *coords, size_t ncoords)
{
    uint64_t seed, stream;
    lab_stream_derive(experiment_seed, purpose, coords, ncoords, &seed, &stream);
    return lab_rng_alloc(seed, stream);
}

void lab_rng_fill_normal(gsl_rng *r, double *x, size_t n, double sigma)
{
    for (size_t i = 0; i < n; i++)
        x[i] = gsl_ran_gaussian(r, sigma);
}
