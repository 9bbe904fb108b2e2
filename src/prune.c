/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "prune.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

lab_prune_mask *lab_prune_mask_alloc(size_t n)
{
    lab_prune_mask *pm = calloc(1, sizeof *pm);
    if (!pm)
        return NULL;
    pm->n = n;
    pm->keep = malloc(n ? n : 1);
    pm->rank = malloc((n ? n : 1) * sizeof *pm->rank);
    if (!pm->keep || !pm->rank) {
        lab_prune_mask_free(pm);
        return NULL;
    }
    lab_prune_mask_reset(pm);
    return pm;
}

void lab_prune_mask_free(lab_prune_mask *pm)
{
    if (!pm)
        return;
    free(pm->keep);
    free(pm->rank);
    free(pm);
}

double lab_prune_mask_bytes(size_t n)
{
    return sizeof(lab_prune_mask) + (double)n * (1.0 + (double)sizeof(lab_prune_rank));
}

void lab_prune_mask_reset(lab_prune_mask *pm)
{
    memset(pm->keep, 1, pm->n);
    pm->kept = pm->n;
}

void lab_prune_mask_copy(lab_prune_mask *dst, const lab_prune_mask *src)
{
    memcpy(dst->keep, src->keep, src->n);
    dst->kept = src->kept;
}

size_t lab_prune_count(size_t kept, double fraction)
{
    double c = round(fraction * (double)kept);
    if (!(c > 0.0))
        return 0;
    return c >= (double)kept ? kept : (size_t)c;
}

size_t lab_prune_kept_after(size_t n, double fraction, long rounds)
{
    for (long k = 0; k < rounds; k++)
        n -= lab_prune_count(n, fraction);
    return n;
}

double lab_prune_density(const lab_prune_mask *pm)
{
    return pm->n ? (double)pm->kept / (double)pm->n : 1.0;
}

/* The kept weights in order, with their magnitudes (theta NULL: 0), into
 * pm->rank; returns how many. */
static size_t kept_weights(lab_prune_mask *pm, const double *theta)
{
    size_t m = 0;
    for (size_t i = 0; i < pm->n; i++)
        if (pm->keep[i])
            pm->rank[m++] = (lab_prune_rank){ theta ? fabs(theta[i]) : 0.0, i };
    return m;
}

/* By magnitude, NaN last, then by index: a total order, so the ranking is
 * unique and qsort's instability cannot show. */
static int by_magnitude(const void *pa, const void *pb)
{
    const lab_prune_rank *a = pa, *b = pb;
    int an = isnan(a->mag), bn = isnan(b->mag);
    if (an != bn)
        return an - bn;
    if (!an && a->mag != b->mag)
        return a->mag < b->mag ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Remove the first count weights of pm->rank. */
static size_t remove_first(lab_prune_mask *pm, size_t count)
{
    for (size_t j = 0; j < count; j++)
        pm->keep[pm->rank[j].idx] = 0;
    pm->kept -= count;
    return count;
}

size_t lab_prune_magnitude(lab_prune_mask *pm, const double *theta, size_t count)
{
    size_t m = kept_weights(pm, theta);
    qsort(pm->rank, m, sizeof *pm->rank, by_magnitude);
    return remove_first(pm, count < m ? count : m);
}

size_t lab_prune_random(lab_prune_mask *pm, size_t count, gsl_rng *r)
{
    size_t m = kept_weights(pm, NULL);
    if (m > 1)
        gsl_ran_shuffle(r, pm->rank, m, sizeof *pm->rank);
    return remove_first(pm, count < m ? count : m);
}

void lab_prune_apply(const lab_prune_mask *pm, double *buf)
{
    for (size_t i = 0; i < pm->n; i++)
        if (!pm->keep[i])
            buf[i] = 0.0;
}
