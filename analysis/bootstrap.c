/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "bootstrap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "rng.h"
#include "status.h"

/* The distinct clusters, and the points of each, as index lists. */
struct clusters {
    size_t k;        /* clusters */
    size_t *start;   /* (k + 1) offsets into members */
    size_t *members; /* (n) point indices, grouped by cluster */
};

struct member {
    long cluster;
    size_t index;
};

static int by_cluster(const void *pa, const void *pb)
{
    const struct member *a = pa, *b = pb;
    if (a->cluster != b->cluster)
        return a->cluster < b->cluster ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Group point indices by cluster. */
static int clusters_make(const long *cluster, size_t n, struct clusters *cl)
{
    memset(cl, 0, sizeof *cl);
    struct member *m = malloc(n * sizeof *m);
    cl->members = malloc(n * sizeof *cl->members);
    cl->start = malloc((n + 1) * sizeof *cl->start);
    if (!m || !cl->members || !cl->start) {
        free(m);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        m[i] = (struct member){ cluster[i], i };
    qsort(m, n, sizeof *m, by_cluster);
    for (size_t i = 0; i < n; i++) {
        cl->members[i] = m[i].index;
        if (i == 0 || m[i].cluster != m[i - 1].cluster)
            cl->start[cl->k++] = i;
    }
    cl->start[cl->k] = n;
    free(m);
    return 0;
}

static void clusters_release(struct clusters *cl)
{
    free(cl->members);
    free(cl->start);
}

int lab_boot_run(lab_fitter *w, const lab_fit_data *d, const lab_fit_result *fit,
                 const lab_boot_opts *o, lab_boot **out, char *err, size_t errlen)
{
    *out = NULL;
    lab_boot *b = calloc(1, sizeof *b);
    struct clusters cl = { 0 };
    double *x = NULL, *y = NULL;
    size_t *pick = NULL;
    int rc = LAB_OK;
    if (!b || !(b->theta = malloc((o->B ? o->B : 1) * fit->np * sizeof(double)))
        || (o->cluster && clusters_make(o->cluster, d->n, &cl) != 0)) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    /* A resample of clusters of unequal sizes can hold more points than the
     * data: up to k times the largest cluster. */
    size_t cap = d->n;
    if (o->cluster) {
        size_t big = 0;
        for (size_t k = 0; k < cl.k; k++)
            big = cl.start[k + 1] - cl.start[k] > big ? cl.start[k + 1] - cl.start[k] : big;
        cap = cl.k * big;
    }
    x = malloc(cap * d->nx * sizeof *x);
    y = malloc(cap * sizeof *y);
    pick = malloc(cap * sizeof *pick);
    if (!x || !y || !pick) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    b->np = fit->np;
    for (size_t r = 0; r < o->B; r++) {
        int64_t coords[2] = { (int64_t)o->key, (int64_t)r };
        gsl_rng *g = lab_rng_alloc_stream(o->seed, LAB_STREAM_BOOTSTRAP, coords, 2);
        if (!g) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            goto done;
        }
        /* Draw n points, or as many clusters as there are, with replacement. */
        size_t m = 0;
        if (o->cluster) {
            for (size_t k = 0; k < cl.k; k++) {
                size_t c = gsl_rng_uniform_int(g, cl.k);
                for (size_t j = cl.start[c]; j < cl.start[c + 1]; j++)
                    pick[m++] = cl.members[j];
            }
        } else {
            for (; m < d->n; m++)
                pick[m] = gsl_rng_uniform_int(g, d->n);
        }
        gsl_rng_free(g);
        for (size_t i = 0; i < m; i++) {
            memcpy(x + i * d->nx, d->x + pick[i] * d->nx, d->nx * sizeof *x);
            y[i] = d->y[pick[i]];
        }
        lab_fit_data rd = { m, d->nx, x, y };
        lab_fit_result res;
        char why[256];
        int frc = lab_fit_refine(w, &rd, fit->theta, &res, why, sizeof why);
        if (frc == LAB_EINTERRUPTED) {
            rc = lab_fail(err, errlen, frc, "%s", why);
            goto done;
        }
        if (frc == LAB_OK && isfinite(res.objective)) {
            memcpy(b->theta + b->done * b->np, res.theta, b->np * sizeof *res.theta);
            b->done++;
        } else {
            b->failed++;
        }
    }
done:
    free(x);
    free(y);
    free(pick);
    clusters_release(&cl);
    if (rc != LAB_OK)
        lab_boot_free(b);
    else
        *out = b;
    return rc;
}

void lab_boot_free(lab_boot *b)
{
    if (!b)
        return;
    free(b->theta);
    free(b);
}

/* Percentile interval of v[0..n) (sorted in place). */
static void percentile(double *v, size_t n, double level, double *lo, double *hi)
{
    if (n == 0) {
        *lo = *hi = NAN;
        return;
    }
    gsl_sort(v, 1, n);
    double tail = 0.5 * (1.0 - level);
    *lo = gsl_stats_quantile_from_sorted_data(v, 1, n, tail);
    *hi = gsl_stats_quantile_from_sorted_data(v, 1, n, 1.0 - tail);
}

void lab_boot_interval(const lab_boot *b, size_t i, double level, double *lo, double *hi)
{
    double *v = malloc((b->done ? b->done : 1) * sizeof *v);
    if (!v) {
        *lo = *hi = NAN;
        return;
    }
    for (size_t r = 0; r < b->done; r++)
        v[r] = b->theta[r * b->np + i];
    percentile(v, b->done, level, lo, hi);
    free(v);
}

void lab_boot_band(const lab_boot *b, const lab_form *f, const double *x, double level,
                   double *lo, double *hi)
{
    double *v = malloc((b->done ? b->done : 1) * sizeof *v);
    size_t m = 0;
    if (!v) {
        *lo = *hi = NAN;
        return;
    }
    for (size_t r = 0; r < b->done; r++) {
        double p = lab_form_eval(f, b->theta + r * b->np, x, NULL);
        if (isfinite(p))
            v[m++] = p;
    }
    percentile(v, m, level, lo, hi);
    free(v);
}
