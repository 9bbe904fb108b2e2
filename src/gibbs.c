/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gibbs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "rng.h"
#include "simd.h"
#include "status.h"

struct lab_gibbs {
    size_t p, n;
    double *at; /* (N, P): A transposed, column i of A at at + i P */
    double *j;  /* (N) the state */
    double *m;  /* (P) its margins A J */
    double *d;  /* (N) scratch: the centre of an over-dispersed start */
};

double lab_gibbs_bytes(size_t p, size_t n)
{
    return sizeof(lab_gibbs) + ((double)p * (double)n + 2 * (double)n + (double)p) * sizeof(double);
}

lab_gibbs *lab_gibbs_alloc(size_t p, size_t n, const double *a)
{
    lab_gibbs *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->p = p;
    g->n = n;
    g->at = malloc((p > 0 && n > 0 ? p * n : 1) * sizeof *g->at);
    g->j = calloc(n ? n : 1, sizeof *g->j);
    g->m = calloc(p ? p : 1, sizeof *g->m);
    g->d = calloc(n ? n : 1, sizeof *g->d);
    if (!g->at || !g->j || !g->m || !g->d) {
        lab_gibbs_free(g);
        return NULL;
    }
    for (size_t mu = 0; mu < p; mu++)
        for (size_t i = 0; i < n; i++)
            g->at[i * p + mu] = a[mu * n + i];
    return g;
}

void lab_gibbs_free(lab_gibbs *g)
{
    if (!g)
        return;
    free(g->at);
    free(g->j);
    free(g->m);
    free(g->d);
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
 * precision of the upper tail. With reflect, not a draw but the mirror
 * image of z in the distribution: Q(z') = Q(lo) + Q(hi) - Q(z). */
static double upper_tail(gsl_rng *r, double lo, double hi, double z)
{
    double qlo = gsl_cdf_ugaussian_Q(lo), qhi = gsl_cdf_ugaussian_Q(hi);
    if (qlo > 1e-300 && qlo - qhi > 1e-12 * qlo) {
        double q = r ? qhi + (qlo - qhi) * gsl_rng_uniform_pos(r)
                     : qlo + qhi - gsl_cdf_ugaussian_Q(z);
        return gsl_cdf_ugaussian_Qinv(q);
    }
    /* Far out (or a sliver): the density exp(-z^2/2) is exp(-lo (z - lo)) up
     * to a factor within exp(-(hi - lo)^2 / 2) of 1 here. */
    double width = expm1(-lo * (hi - lo));
    double u = r ? gsl_rng_uniform_pos(r) : 1 - expm1(-lo * (z - lo)) / width;
    return lo - log1p(u * width) / lo;
}

/* A draw from the standard normal on [a, b] (r not NULL), or the mirror
 * image of z in that distribution (r NULL): F(z') = F(a) + F(b) - F(z). */
static double truncated(gsl_rng *r, double a, double b, double z)
{
    double out;
    if (a > 0) {
        out = upper_tail(r, a, b, z);
    } else if (b < 0) {
        out = -upper_tail(r, -b, -a, -z);
    } else {
        double pa = gsl_cdf_ugaussian_P(a), pb = gsl_cdf_ugaussian_P(b);
        out = gsl_cdf_ugaussian_Pinv(r ? pa + (pb - pa) * gsl_rng_uniform_pos(r)
                                       : pa + pb - gsl_cdf_ugaussian_P(z));
        if (!isfinite(out)) /* a probability that rounded to 0 or 1 (odds 2^-53) */
            out = r ? 0 : z;
    }
    /* The inverse is exact only to rounding: keep the result in its interval. */
    return out < a ? a : out > b ? b : out;
}

double lab_truncated_normal(gsl_rng *r, double a, double b)
{
    return truncated(r, a, b, 0);
}

double lab_truncated_normal_reflect(double a, double b, double z)
{
    return truncated(NULL, a, b, z);
}

/* The chord of coordinate i: [lo, hi] = the t with m + t col >= 0. With
 * w = m / col, a constraint with col > 0 (w > 0) bounds t from below by
 * -w, one with col < 0 from above by -w; col = 0 bounds nothing (w is
 * then +-inf, which says just that, or NaN, which no comparison takes). Written as two reductions that vectorise: min and
 * max are exact in any order, so the result does not depend on the
 * vector width. */
LAB_VECTOR_KERNEL
static void chord(size_t p, const double *m, const double *col, double *lo, double *hi)
{
    double wpos = INFINITY, wneg = -INFINITY;
#ifdef LAB_SIMD_MATH
    _Pragma("omp simd reduction(min:wpos) reduction(max:wneg)")
#endif
    for (size_t mu = 0; mu < p; mu++) {
        double w = m[mu] / col[mu];
        double pos = w > 0 ? w : INFINITY, neg = w < 0 ? w : -INFINITY;
        wpos = pos < wpos ? pos : wpos;
        wneg = neg > wneg ? neg : wneg;
    }
    *lo = -wpos;
    *hi = -wneg;
}

/* One pass over the coordinates: a Gibbs draw each (r) or the mirror image
 * of the current value (r NULL). */
static void pass(lab_gibbs *g, gsl_rng *r, const double *mean)
{
    size_t p = g->p;
    double *m = g->m;
    for (size_t i = 0; i < g->n; i++) {
        const double *col = g->at + i * p;
        double lo, hi;
        chord(p, m, col, &lo, &hi);
        if (!(lo <= 0 && hi >= 0))
            continue; /* rounding left the state on a face: stay there this once */
        /* J_i + t ~ N(0, 1) on the chord: t = z - J_i. Shrink the chord by a
         * relative 1e-12 so that no margin lands on zero by rounding. */
        double mi = mean ? mean[i] : 0, ji = g->j[i] - mi, a = ji + lo, b = ji + hi;
        if (isfinite(lo) && isfinite(hi)) {
            double eps = 1e-12 * (hi - lo);
            a += eps;
            b -= eps;
        } else {
            a += isfinite(lo) ? 1e-12 * fabs(lo) : 0;
            b -= isfinite(hi) ? 1e-12 * fabs(hi) : 0;
        }
        if (!(a <= b) || (!r && !(a <= ji && ji <= b)))
            continue;
        double t = truncated(r, a, b, ji) - ji;
        g->j[i] += t;
        if (p)
            cblas_daxpy((int)p, t, col, 1, m, 1);
    }
    margins(g);
}

void lab_gibbs_sweep(lab_gibbs *g, gsl_rng *r)
{
    pass(g, r, NULL);
}

void lab_gibbs_overrelax(lab_gibbs *g)
{
    pass(g, NULL, NULL);
}

void lab_gibbs_radial(lab_gibbs *g, gsl_rng *r)
{
    double norm = cblas_dnrm2((int)g->n, g->j, 1);
    if (!(norm > 0) || g->n == 0)
        return;
    /* Given the direction u = J/|J| the target's density in r = |J| is
     * r^(N-1) exp(-r^2/2) on (0, inf) whatever u (V is a cone): chi_N. */
    double s = sqrt(gsl_ran_chisq(r, (double)g->n)) / norm;
    if (!(s > 0) || !isfinite(s))
        return;
    cblas_dscal((int)g->n, s, g->j, 1);
    if (g->p)
        cblas_dscal((int)g->p, s, g->m, 1);
}

int lab_gibbs_start_dispersed(lab_gibbs *g, const double *j0, long sweeps, double tilt,
                              gsl_rng *r)
{
    int rc = lab_gibbs_start(g, j0);
    if (rc != LAB_OK)
        return rc;
    /* Sweeps aimed at the Gaussian of mean -tilt j0 restricted to the cone
     * (the same exact coordinate draws, about another centre): they push
     * J away from j0's direction, towards the walls for tilt > 0. */
    for (size_t i = 0; i < g->n; i++)
        g->d[i] = -tilt * j0[i];
    for (long k = 0; k < sweeps; k++) {
        pass(g, r, g->d);
        /* Keep |J| at the target's: the tilt then acts on the angle. */
        lab_gibbs_radial(g, r);
    }
    margins(g);
    for (size_t mu = 0; mu < g->p; mu++)
        if (!(g->m[mu] > 0))
            return lab_gibbs_start(g, j0); /* rounding put it on a face: j0 itself */
    return LAB_OK;
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
