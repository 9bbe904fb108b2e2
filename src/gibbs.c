/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gibbs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_cdf.h>

#include "status.h"

struct lab_gibbs {
    size_t p, n;
    double *at; /* (N, P): A transposed, column i of A at at + i P */
    double *inv; /* (N, P): the reciprocals of at, so a chord costs no division */
    double *j;  /* (N) the state */
    double *m;  /* (P) its margins A J */
};

double lab_gibbs_bytes(size_t p, size_t n)
{
    return sizeof(lab_gibbs) + (2 * (double)p * (double)n + (double)n + (double)p) * sizeof(double);
}

lab_gibbs *lab_gibbs_alloc(size_t p, size_t n, const double *a)
{
    lab_gibbs *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->p = p;
    g->n = n;
    g->at = malloc((p > 0 && n > 0 ? p * n : 1) * sizeof *g->at);
    g->inv = malloc((p > 0 && n > 0 ? p * n : 1) * sizeof *g->inv);
    g->j = calloc(n ? n : 1, sizeof *g->j);
    g->m = calloc(p ? p : 1, sizeof *g->m);
    if (!g->at || !g->inv || !g->j || !g->m) {
        lab_gibbs_free(g);
        return NULL;
    }
    for (size_t mu = 0; mu < p; mu++)
        for (size_t i = 0; i < n; i++)
            g->at[i * p + mu] = a[mu * n + i], g->inv[i * p + mu] = a[mu * n + i] != 0 ? 1 / a[mu * n + i] : 0;
    return g;
}

void lab_gibbs_free(lab_gibbs *g)
{
    if (!g)
        return;
    free(g->at);
    free(g->inv);
    free(g->j);
    free(g->m);
    free(g);
}

static void margins(lab_gibbs *g)
{
    if (g->p)
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)g->n, (int)g->p, 1.0, g->at, (int)g->p,
                    g->j, 1, 0.0, g->m, 1);
}

int lab_gibbs_start(lab_gibbs *g, const double *j0)
{
    memcpy(g->j, j0, g->n * sizeof *g->j);
    margins(g);
    for (size_t mu = 0; mu < g->p; mu++)
        if (!(g->m[mu] > 0) || !isfinite(g->m[mu]))
            return LAB_EINVAL;
    return LAB_OK;
}

/* The standard normal on [lo, hi] with lo > 0: by Q, which keeps the
 * precision of the upper tail. */
static double upper_tail(gsl_rng *r, double lo, double hi)
{
    double qlo = gsl_cdf_ugaussian_Q(lo), qhi = gsl_cdf_ugaussian_Q(hi);
    if (qlo > 1e-300 && qlo - qhi > 1e-12 * qlo)
        return gsl_cdf_ugaussian_Qinv(qhi + (qlo - qhi) * gsl_rng_uniform_pos(r));
    /* Far out (or a sliver): the density exp(-z^2/2) is exp(-lo (z - lo)) up
     * to a factor within exp(-(hi - lo)^2 / 2) of 1 here. */
    double u = gsl_rng_uniform_pos(r);
    return lo - log1p(u * expm1(-lo * (hi - lo))) / lo;
}

double lab_truncated_normal(gsl_rng *r, double a, double b)
{
    double z;
    if (a > 0) {
        z = upper_tail(r, a, b);
    } else if (b < 0) {
        z = -upper_tail(r, -b, -a);
    } else {
        double pa = gsl_cdf_ugaussian_P(a), pb = gsl_cdf_ugaussian_P(b);
        z = gsl_cdf_ugaussian_Pinv(pa + (pb - pa) * gsl_rng_uniform_pos(r));
        if (!isfinite(z)) /* a probability that rounded to 0 or 1 (odds 2^-53) */
            z = 0;
    }
    /* The inverse is exact only to rounding: keep the draw in its interval. */
    return z < a ? a : z > b ? b : z;
}

void lab_gibbs_sweep(lab_gibbs *g, gsl_rng *r)
{
    size_t p = g->p;
    double *m = g->m;
    for (size_t i = 0; i < g->n; i++) {
        const double *col = g->at + i * p, *inv = g->inv + i * p;
        /* The chord: m + t col >= 0 for every constraint. */
        double lo = -INFINITY, hi = INFINITY;
        for (size_t mu = 0; mu < p; mu++) {
            double t = -m[mu] * inv[mu];
            if (col[mu] > 0)
                lo = t > lo ? t : lo;
            else if (col[mu] < 0)
                hi = t < hi ? t : hi;
        }
        if (!(lo <= 0 && hi >= 0))
            continue; /* rounding left the state on a face: stay there this once */
        /* J_i + t ~ N(0, 1) on the chord: t = z - J_i. Shrink the chord by a
         * relative 1e-12 so that no margin lands on zero by rounding. */
        double ji = g->j[i], a = ji + lo, b = ji + hi;
        if (isfinite(lo) && isfinite(hi)) {
            double eps = 1e-12 * (hi - lo);
            a += eps;
            b -= eps;
        } else {
            a += isfinite(lo) ? 1e-12 * fabs(lo) : 0;
            b -= isfinite(hi) ? 1e-12 * fabs(hi) : 0;
        }
        if (!(a <= b))
            continue;
        double t = lab_truncated_normal(r, a, b) - ji;
        g->j[i] = ji + t;
        if (p)
            cblas_daxpy((int)p, t, col, 1, m, 1);
    }
    margins(g);
}

const double *lab_gibbs_state(const lab_gibbs *g)
{
    return g->j;
}

double lab_gibbs_min_margin(const lab_gibbs *g)
{
    double mn = INFINITY;
    for (size_t mu = 0; mu < g->p; mu++)
        mn = g->m[mu] < mn ? g->m[mu] : mn;
    return mn;
}
