/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Data pruning: difficulty scores of a pool and the kept examples
 * (dataprune.h; THEORY.md section 11). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>

#include "blas.h"
#include "dataprune.h"
#include "status.h"

const char *const lab_dprune_mode_names[LAB_DPRUNE_NMODES] = { "none", "hard", "easy" };
const char *const lab_dprune_metric_names[LAB_DPRUNE_NMETRICS] = {
    "margin", "random", "el2n", "grand", "forgetting", "prototype"
};

/* ==== Probe and margin ========================================================== */

int lab_dprune_probe_direction(size_t n, const double *t, const double *v, double theta,
                               double *jp)
{
    int in = (int)n;
    double tn = cblas_dnrm2(in, t, 1);
    if (!(tn > 0))
        return LAB_EINVAL;
    /* u = v - (v.t^) t^, normalised: Gram-Schmidt once is exact enough,
     * the probe's angle is then theta to rounding. */
    double vt = cblas_ddot(in, v, 1, t, 1) / (tn * tn);
    for (size_t i = 0; i < n; i++)
        jp[i] = v[i] - vt * t[i];
    double un = cblas_dnrm2(in, jp, 1);
    if (theta != 0 && !(un > 0))
        return LAB_EINVAL;
    double c = cos(theta) / tn, s = theta != 0 ? sin(theta) / un : 0;
    for (size_t i = 0; i < n; i++)
        jp[i] = c * t[i] + s * jp[i];
    return LAB_OK;
}

void lab_dprune_margin(size_t p, size_t n, const double *x, const double *jp, double *d)
{
    double norm = cblas_dnrm2((int)n, jp, 1);
    for (size_t mu = 0; mu < p; mu++)
        d[mu] = -fabs(cblas_ddot((int)n, x + mu * n, 1, jp, 1)) / norm;
}

void lab_dprune_random(size_t p, gsl_rng *r, double *d)
{
    for (size_t mu = 0; mu < p; mu++)
        d[mu] = gsl_rng_uniform(r);
}

/* ==== The probe student =========================================================== */

/* sigma(-z) = 1 / (1 + e^z), without overflow for large |z|. */
static double sigma_neg(double z)
{
    return z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z));
}

int lab_dprune_probe_train(size_t p, size_t n, const double *x, const double *y, long epochs,
                           double lr, gsl_rng *r, double *w, double *el2n, double *grand,
                           double *forget)
{
    int in = (int)n;
    size_t *order = malloc((p ? p : 1) * sizeof *order);
    /* Per example: right at its last presentation (-1 before the first),
     * ever right, forgetting events. */
    signed char *last = malloc(p ? p : 1), *ever = malloc(p ? p : 1);
    double *count = calloc(p ? p : 1, sizeof *count);
    if (!order || !last || !ever || !count) {
        free(order);
        free(last);
        free(ever);
        free(count);
        return LAB_ENOMEM;
    }
    double scale = 1 / sqrt((double)n);
    memset(w, 0, n * sizeof *w);
    memset(ever, 0, p ? p : 1);
    for (size_t mu = 0; mu < p; mu++) {
        order[mu] = mu;
        last[mu] = -1;
    }
    for (long e = 0; e < epochs; e++) {
        gsl_ran_shuffle(r, order, p, sizeof *order);
        for (size_t q = 0; q < p; q++) {
            size_t mu = order[q];
            const double *xm = x + mu * n;
            double yh = y[mu] * cblas_ddot(in, xm, 1, w, 1) * scale;
            signed char right = yh > 0;
            if (last[mu] == 1 && !right)
                count[mu]++;
            last[mu] = right;
            ever[mu] |= right;
            cblas_daxpy(in, lr * y[mu] * sigma_neg(yh) * scale, xm, 1, w, 1);
        }
    }
    for (size_t mu = 0; mu < p; mu++) {
        const double *xm = x + mu * n;
        double err = sigma_neg(y[mu] * cblas_ddot(in, xm, 1, w, 1) * scale);
        if (el2n)
            el2n[mu] = err;
        if (grand)
            grand[mu] = err * cblas_dnrm2(in, xm, 1) * scale;
        if (forget)
            forget[mu] = ever[mu] ? count[mu] : (double)epochs;
    }
    free(order);
    free(last);
    free(ever);
    free(count);
    return LAB_OK;
}

/* ==== k-means ====================================================================== */

double lab_dprune_kmeans_bytes(size_t p, size_t k)
{
    return ((double)p * (double)k + 3.0 * (double)p + 2.0 * (double)k) * 8;
}

/* k-means++: the first centroid a uniform example, each next one an example
 * drawn with probability proportional to its squared distance to the
 * nearest centroid so far (d2, p: kept up to date). */
static void seed_centroids(size_t p, size_t n, const double *x, size_t k, gsl_rng *r, double *c,
                           double *d2)
{
    size_t first = (size_t)gsl_rng_uniform_int(r, p);
    memcpy(c, x + first * n, n * sizeof *c);
    for (size_t mu = 0; mu < p; mu++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += (x[mu * n + i] - c[i]) * (x[mu * n + i] - c[i]);
        d2[mu] = s;
    }
    for (size_t j = 1; j < k; j++) {
        double total = 0;
        for (size_t mu = 0; mu < p; mu++)
            total += d2[mu];
        /* All examples on the centroids already: take the next one in order
         * (duplicates give equal centroids; Lloyd's keeps them). */
        size_t pick = j % p;
        if (total > 0) {
            double u = gsl_rng_uniform(r) * total, acc = 0;
            pick = p - 1;
            for (size_t mu = 0; mu < p; mu++) {
                acc += d2[mu];
                if (u < acc && d2[mu] > 0) {
                    pick = mu;
                    break;
                }
            }
        }
        double *cj = c + j * n;
        memcpy(cj, x + pick * n, n * sizeof *cj);
        for (size_t mu = 0; mu < p; mu++) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += (x[mu * n + i] - cj[i]) * (x[mu * n + i] - cj[i]);
            d2[mu] = fmin(d2[mu], s);
        }
    }
}

int lab_dprune_kmeans(size_t p, size_t n, const double *x, size_t k, long max_iter, gsl_rng *r,
                      double *centroids, size_t *assign, double *dist, long *iters)
{
    if (k == 0 || k > p)
        return LAB_EINVAL;
    int in = (int)n;
    /* g: p x k products; xx: |x|^2 (p); cc: |c|^2 (k); cnt: members (k);
     * own: the assignment (p); d2: k-means++'s distances (p). */
    double *g = malloc(p * k * sizeof *g), *xx = malloc(p * sizeof *xx);
    double *cc = malloc(k * sizeof *cc), *cnt = malloc(k * sizeof *cnt);
    size_t *own = malloc(p * sizeof *own);
    double *d2 = xx; /* k-means++ is done before xx is needed */
    int rc = LAB_ENOMEM;
    if (!g || !xx || !cc || !cnt || !own)
        goto done;
    seed_centroids(p, n, x, k, r, centroids, d2);
    for (size_t mu = 0; mu < p; mu++) {
        xx[mu] = cblas_ddot(in, x + mu * n, 1, x + mu * n, 1);
        own[mu] = k; /* no cluster yet: the first pass changes every one */
    }
    long it = 0;
    for (;;) {
        for (size_t j = 0; j < k; j++)
            cc[j] = cblas_ddot(in, centroids + j * n, 1, centroids + j * n, 1);
        lab_gemm(0, 1, p, k, n, 1.0, x, centroids, 0.0, g); /* G = X C^T, (p,k) */
        size_t changed = 0;
        for (size_t mu = 0; mu < p; mu++) {
            size_t best = 0;
            double bd = INFINITY;
            for (size_t j = 0; j < k; j++) {
                double d = xx[mu] - 2 * g[mu * k + j] + cc[j];
                if (d < bd) {
                    bd = d;
                    best = j;
                }
            }
            changed += best != own[mu];
            own[mu] = best;
        }
        if (changed == 0 || it >= max_iter)
            break;
        it++;
        /* The centroids: their members' means (an empty one stays). */
        memset(cnt, 0, k * sizeof *cnt);
        for (size_t mu = 0; mu < p; mu++)
            cnt[own[mu]]++;
        for (size_t j = 0; j < k; j++)
            if (cnt[j] > 0)
                memset(centroids + j * n, 0, n * sizeof *centroids);
        for (size_t mu = 0; mu < p; mu++)
            cblas_daxpy(in, 1 / cnt[own[mu]], x + mu * n, 1, centroids + own[mu] * n, 1);
    }
    for (size_t mu = 0; mu < p; mu++) {
        if (assign)
            assign[mu] = own[mu];
        if (dist) {
            const double *c = centroids + own[mu] * n, *xm = x + mu * n;
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += (xm[i] - c[i]) * (xm[i] - c[i]);
            dist[mu] = sqrt(s);
        }
    }
    if (iters)
        *iters = it;
    rc = LAB_OK;
done:
    free(g);
    free(xx);
    free(cc);
    free(cnt);
    free(own);
    return rc;
}

/* ==== Selection ======================================================================== */

typedef struct ranked {
    double d;
    size_t i;
} ranked;

/* Hardest first: larger difficulty, then lower index. */
static int harder_first(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->d != b->d)
        return a->d > b->d ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Easiest first: smaller difficulty, then lower index. */
static int easier_first(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->d != b->d)
        return a->d < b->d ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static int by_index(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return a < b ? -1 : a > b;
}

int lab_dprune_select(size_t p, const double *d, size_t keep, enum lab_dprune_mode mode,
                      size_t *kept)
{
    if (keep > p || (mode != LAB_DPRUNE_HARD && mode != LAB_DPRUNE_EASY))
        return LAB_EINVAL;
    ranked *rk = malloc((p ? p : 1) * sizeof *rk);
    if (!rk)
        return LAB_ENOMEM;
    for (size_t mu = 0; mu < p; mu++)
        rk[mu] = (ranked){ d[mu], mu };
    qsort(rk, p, sizeof *rk, mode == LAB_DPRUNE_HARD ? harder_first : easier_first);
    for (size_t q = 0; q < keep; q++)
        kept[q] = rk[q].i;
    qsort(kept, keep, sizeof *kept, by_index);
    free(rk);
    return LAB_OK;
}
