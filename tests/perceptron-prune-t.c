/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Data pruning (src/dataprune.c and the perceptron kind's prune keys): each
 * metric on a hand-made case, the selection's ends and ties, keep-hard with
 * a perfect probe keeping exactly the smallest margins, the max-margin
 * student on slab-shaped keep-hard data (positive margin, KKT), and the
 * kind: f = 1 changes nothing, every metric runs, a band limit is refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>

#include "blas.h"
#include "config.h"
#include "dataprune.h"
#include "kind.h"
#include "rng.h"
#include "status.h"
#include "svm.h"
#include "tap.h"

static void test_probe(void)
{
    enum { N = 50 };
    double t[N], v[N], jp[N];
    gsl_rng *r = lab_rng_alloc(3, 9);
    lab_rng_fill_normal(r, t, N, 1.0);
    lab_rng_fill_normal(r, v, N, 1.0);
    gsl_rng_free(r);
    double tn = cblas_dnrm2(N, t, 1);
    ok(lab_dprune_probe_direction(N, t, v, 20 * M_PI / 180, jp) == LAB_OK, "a probe at 20 degrees");
    is_double_abs(1, cblas_dnrm2(N, jp, 1), 1e-14, "is a unit vector");
    is_double_abs(cos(20 * M_PI / 180), cblas_ddot(N, jp, 1, t, 1) / tn, 1e-14,
                  "at 20 degrees to the teacher");
    lab_dprune_probe_direction(N, t, v, 0, jp);
    double worst = 0;
    for (size_t i = 0; i < N; i++)
        worst = fmax(worst, fabs(jp[i] - t[i] / tn));
    ok(worst < 1e-15, "the perfect probe (theta = 0) is T / |T| (off by %.1e)", worst);
    double e1[2] = { 1, 0 }, same[2] = { 2, 0 };
    ok(lab_dprune_probe_direction(2, e1, same, 0.1, jp) == LAB_EINVAL,
       "no probe at an angle from a v parallel to T");
}

/* Margins under a known probe, and both ends of the selection. */
static void test_margin_select(void)
{
    /* Probe e1 (scaled: the margin divides by |J_p|); |x_1| = 3, 0.5, 2, 1, 4. */
    const double x[5 * 2] = { 3, 1, -0.5, 7, 2, -2, -1, 0, 4, 4 }, jp[2] = { 5, 0 };
    double d[5];
    lab_dprune_margin(5, 2, x, jp, d);
    ok(d[0] == -3 && d[1] == -0.5 && d[2] == -2 && d[3] == -1 && d[4] == -4,
       "margin difficulty -|J_p.x|/|J_p|: -3 -0.5 -2 -1 -4 (got %g %g %g %g %g)", d[0], d[1], d[2],
       d[3], d[4]);
    size_t kept[5];
    lab_dprune_select(5, d, 2, LAB_DPRUNE_HARD, kept);
    ok(kept[0] == 1 && kept[1] == 3, "keep-hard 2 of 5: the two smallest margins, 1 and 3");
    lab_dprune_select(5, d, 2, LAB_DPRUNE_EASY, kept);
    ok(kept[0] == 0 && kept[1] == 4, "keep-easy 2 of 5: the two largest, 0 and 4");
    const double flat[5] = { 1, 1, 1, 1, 1 };
    lab_dprune_select(5, flat, 3, LAB_DPRUNE_HARD, kept);
    ok(kept[0] == 0 && kept[1] == 1 && kept[2] == 2, "ties go to the lower index (hard)");
    lab_dprune_select(5, flat, 3, LAB_DPRUNE_EASY, kept);
    ok(kept[0] == 0 && kept[1] == 1 && kept[2] == 2, "ties go to the lower index (easy)");
    ok(lab_dprune_select(5, flat, 6, LAB_DPRUNE_HARD, kept) == LAB_EINVAL
           && lab_dprune_select(5, flat, 2, LAB_DPRUNE_NONE, kept) == LAB_EINVAL,
       "keeping more than the pool, or mode none, is refused");
}

/* Random scores keep exactly round(f P_tot) distinct examples. */
static void test_random(void)
{
    enum { P = 1000 };
    static double d[P], e[P];
    static size_t kept[P];
    gsl_rng *r = lab_rng_alloc(5, 1), *s = lab_rng_alloc(5, 1);
    lab_dprune_random(P, r, d);
    lab_dprune_random(P, s, e);
    gsl_rng_free(r);
    gsl_rng_free(s);
    ok(memcmp(d, e, sizeof d) == 0, "random scores are the stream's");
    size_t keep = (size_t)floor(0.3 * P + 0.5);
    lab_dprune_select(P, d, keep, LAB_DPRUNE_HARD, kept);
    int fine = 1;
    double lowest = 1;
    for (size_t q = 0; q < keep; q++) {
        fine &= kept[q] < P && (q == 0 || kept[q] > kept[q - 1]);
        lowest = fmin(lowest, d[kept[q]]);
    }
    size_t above = 0;
    for (size_t mu = 0; mu < P; mu++)
        above += d[mu] >= lowest;
    ok(fine && above == keep, "keep-hard with f = 0.3 keeps exactly %zu = f P_tot distinct "
       "examples, the largest scores", keep);
}

/* Keep-hard with the perfect probe: exactly the smallest |T.x|; the
 * max-margin student of that slab separates it with KKT conditions met. */
static void test_perfect_hard(void)
{
    enum { N = 100, TOT = 1000, KEEP = 200 };
    static double t[N], x[TOT * N], d[TOT], a[KEEP * N], j[N], v[N], jp[N];
    static size_t kept[KEEP];
    gsl_rng *r = lab_rng_alloc(11, 2);
    lab_rng_fill_normal(r, t, N, 1.0);
    lab_rng_fill_normal(r, v, N, 1.0);
    lab_rng_fill_normal(r, x, TOT * N, 1.0);
    gsl_rng_free(r);
    lab_dprune_probe_direction(N, t, v, 0, jp);
    lab_dprune_margin(TOT, N, x, jp, d);
    lab_dprune_select(TOT, d, KEEP, LAB_DPRUNE_HARD, kept);
    double in = 0, out = INFINITY;
    size_t q = 0;
    for (size_t mu = 0; mu < TOT; mu++) {
        double m = fabs(cblas_ddot(N, x + mu * N, 1, t, 1));
        if (q < KEEP && kept[q] == mu) {
            in = fmax(in, m);
            double y = cblas_ddot(N, x + mu * N, 1, t, 1) >= 0 ? 1 : -1;
            for (size_t i = 0; i < N; i++)
                a[q * N + i] = y * x[mu * N + i];
            q++;
        } else {
            out = fmin(out, m);
        }
    }
    ok(q == KEEP && in < out, "keep-hard (perfect probe) keeps exactly the %d smallest |T.x| "
       "(largest kept %.4g < smallest dropped %.4g)", KEEP, in, out);
    lab_svm_result res;
    char err[256];
    int rc = lab_svm_maxmargin(KEEP, N, a, j, NULL, &res, err, sizeof err);
    double m = INFINITY, jn = cblas_dnrm2(N, j, 1);
    for (size_t mu = 0; mu < KEEP; mu++)
        m = fmin(m, cblas_ddot(N, a + mu * N, 1, j, 1) / jn);
    ok(rc == LAB_OK && m > 0 && res.kkt <= 1e-8, "max-margin on the slab (alpha_prune = 2, "
       "f = 0.2): margin %.4g > 0, KKT violation %.2g <= 1e-8", m, res.kkt);
}

/* Keep-hard at alpha_prune = 4, f = 0.05 with the perfect probe: the
 * support fills all N dimensions and the margins are small (|J| ~ 100),
 * where the NNLS's normal equations lose the KKT conditions (violations
 * of 1e-4 to 1e-3 at N = 400 before the SVD polish); after the polish
 * every solve meets them. The seeds include ones that need the polish. */
static void test_slab_polish(void)
{
    enum { N = 200, KEEP = 800, TOT = 16000, SEEDS = 6 };
    static double t[N], v[N], jp[N], x[TOT * N], d[TOT], a[KEEP * N], j[N];
    static size_t kept[KEEP];
    double worst = 0;
    long polished = 0, support = 0;
    int fine = 1;
    for (unsigned seed = 0; seed < SEEDS; seed++) {
        gsl_rng *r = lab_rng_alloc(seed, 2);
        lab_rng_fill_normal(r, t, N, 1.0);
        lab_rng_fill_normal(r, v, N, 1.0);
        lab_rng_fill_normal(r, x, TOT * N, 1.0);
        gsl_rng_free(r);
        lab_dprune_probe_direction(N, t, v, 0, jp);
        lab_dprune_margin(TOT, N, x, jp, d);
        lab_dprune_select(TOT, d, KEEP, LAB_DPRUNE_HARD, kept);
        for (size_t q = 0; q < KEEP; q++) {
            double y = cblas_ddot(N, x + kept[q] * N, 1, t, 1) >= 0 ? 1 : -1;
            for (size_t i = 0; i < N; i++)
                a[q * N + i] = y * x[kept[q] * N + i];
        }
        lab_svm_result res;
        char err[256];
        fine &= lab_svm_maxmargin(KEEP, N, a, j, NULL, &res, err, sizeof err) == LAB_OK;
        double m = INFINITY, jn = cblas_dnrm2(N, j, 1);
        for (size_t mu = 0; mu < KEEP; mu++)
            m = fmin(m, cblas_ddot(N, a + mu * N, 1, j, 1) / jn);
        fine &= m > 0 && fabs(m - res.kappa) <= 1e-12 * m;
        worst = fmax(worst, res.kkt);
        polished += res.polished > 0;
        support = res.support > (size_t)support ? (long)res.support : support;
    }
    ok(fine && worst <= 1e-10 && polished > 0, "max-margin on a thin slab (N = %d, alpha_prune "
       "= 4, f = 0.05, %d seeds): largest KKT violation %.2g <= 1e-10; %ld of them polished by "
       "SVD; largest support %ld", N, SEEDS, worst, polished, support);
}

/* Two separated clusters and an outlier: k-means finds the clusters, the
 * outlier is the farthest from its centroid. */
static void test_prototype(void)
{
    enum { N = 5, P = 41 };
    double x[P * N], c[2 * N], d[P];
    size_t as[P];
    gsl_rng *r = lab_rng_alloc(2, 4);
    for (size_t mu = 0; mu < P; mu++)
        for (size_t i = 0; i < N; i++)
            x[mu * N + i] = 0.1 * gsl_ran_gaussian(r, 1) + (i == 0 ? (mu % 2 ? 10 : -10) : 0);
    x[40 * N + 1] = 3; /* example 40 (first cluster) sits 3 away along e2 */
    long iters;
    int rc = lab_dprune_kmeans(P, N, x, 2, 100, r, c, as, d, &iters);
    gsl_rng_free(r);
    int split = rc == LAB_OK;
    for (size_t mu = 0; mu < P; mu++)
        split &= as[mu] == as[mu % 2];
    ok(split && as[0] != as[1], "k-means (k = 2) splits two separated clusters (%ld iterations)",
       iters);
    double worst = 0;
    for (size_t mu = 0; mu < P; mu++) {
        double s = 0, m[N] = { 0 };
        size_t cnt = 0;
        for (size_t nu = 0; nu < P; nu++)
            if (as[nu] == as[mu]) {
                cnt++;
                for (size_t i = 0; i < N; i++)
                    m[i] += x[nu * N + i];
            }
        for (size_t i = 0; i < N; i++)
            s += (x[mu * N + i] - m[i] / (double)cnt) * (x[mu * N + i] - m[i] / (double)cnt);
        worst = fmax(worst, fabs(sqrt(s) - d[mu]));
    }
    ok(worst < 1e-12, "each distance is that to its cluster's mean (off by %.1e)", worst);
    size_t kept[1];
    lab_dprune_select(P, d, 1, LAB_DPRUNE_HARD, kept);
    ok(kept[0] == 40, "keep-hard 1: the outlier, farthest from its prototype");
    ok(lab_dprune_kmeans(P, N, x, P + 1, 10, NULL, c, NULL, NULL, NULL) == LAB_EINVAL,
       "more clusters than examples are refused");
}

/* The probe student against a naive replay of its SGD: EL2N, GraNd and
 * the forgetting counts. */
static void test_probe_student(void)
{
    enum { N = 3, P = 12, EPOCHS = 6 };
    double x[P * N], y[P], w[N], el2n[P], grand[P], forget[P];
    gsl_rng *r = lab_rng_alloc(8, 8);
    lab_rng_fill_normal(r, x, P * N, 1.0);
    for (size_t mu = 0; mu < P; mu++)
        y[mu] = mu % 3 ? 1 : -1; /* labels no linear rule fits: forgetting happens */
    gsl_rng_free(r);
    r = lab_rng_alloc(8, 9);
    lab_dprune_probe_train(P, N, x, y, EPOCHS, 2.0, r, w, el2n, grand, forget);
    gsl_rng_free(r);
    /* The replay, from the same stream. */
    double u[N] = { 0 }, cnt[P] = { 0 }, s = 1 / sqrt((double)N);
    int last[P], ever[P] = { 0 };
    size_t order[P];
    for (size_t mu = 0; mu < P; mu++) {
        last[mu] = -1;
        order[mu] = mu;
    }
    r = lab_rng_alloc(8, 9);
    for (int e = 0; e < EPOCHS; e++) {
        gsl_ran_shuffle(r, order, P, sizeof *order);
        for (size_t q = 0; q < P; q++) {
            size_t mu = order[q];
            double h = 0;
            for (size_t i = 0; i < N; i++)
                h += u[i] * x[mu * N + i] * s;
            int right = y[mu] * h > 0;
            cnt[mu] += last[mu] == 1 && !right;
            last[mu] = right;
            ever[mu] |= right;
            double g = 2.0 * y[mu] / (1 + exp(y[mu] * h)) * s;
            for (size_t i = 0; i < N; i++)
                u[i] += g * x[mu * N + i];
        }
    }
    gsl_rng_free(r);
    double werr = 0, eerr = 0, gerr = 0, events = 0;
    int fsame = 1;
    for (size_t i = 0; i < N; i++)
        werr = fmax(werr, fabs(w[i] - u[i]));
    for (size_t mu = 0; mu < P; mu++) {
        double h = 0, xn = 0;
        for (size_t i = 0; i < N; i++) {
            h += u[i] * x[mu * N + i] * s;
            xn += x[mu * N + i] * x[mu * N + i];
        }
        double p1 = 1 / (1 + exp(-h)); /* the predicted P(y = +1) */
        eerr = fmax(eerr, fabs(el2n[mu] - fabs(p1 - (1 + y[mu]) / 2)));
        gerr = fmax(gerr, fabs(grand[mu] - fabs(p1 - (1 + y[mu]) / 2) * sqrt(xn) * s));
        fsame &= forget[mu] == (ever[mu] ? cnt[mu] : EPOCHS);
        events += cnt[mu];
    }
    ok(werr < 1e-12, "the probe student is the replay's (off by %.1e)", werr);
    ok(eerr < 1e-12, "EL2N = |sigma(h) - (1 + y)/2| (off by %.1e)", eerr);
    ok(gerr < 1e-12, "GraNd = |grad_w loss| = EL2N |x| / sqrt(N) (off by %.1e)", gerr);
    ok(fsame && events > 0, "forgetting counts are the replay's (%g events)", events);
    /* One example, one epoch: never right (h = 0 at its only presentation). */
    double one = 1, pos = 1, w1, f1, e1;
    r = lab_rng_alloc(1, 1);
    lab_dprune_probe_train(1, 1, &one, &pos, 1, 1.0, r, &w1, &e1, NULL, &f1);
    gsl_rng_free(r);
    ok(w1 == 0.5 && f1 == 1 && fabs(e1 - 1 / (1 + exp(0.5))) < 1e-15,
       "one example, one epoch: w = lr sigma(0) x = 0.5, never right counts as 1 epoch, "
       "EL2N = sigma(-0.5)");
}

/* ==== The kind ==================================================================== */

static int run_cell(const char *text, double *v, size_t max, char *err, size_t errlen)
{
    lab_config c, cell;
    if (lab_config_init(&c))
        bail("out of memory");
    int rc = lab_config_load_string(&c, text, "p.cfg", err, errlen);
    if (rc == LAB_OK)
        rc = lab_config_finish(&c, err, errlen);
    if (rc != LAB_OK) {
        lab_config_release(&c);
        return rc;
    }
    if (lab_config_ncells(&c) != 1 || lab_config_copy(&cell, &c) || lab_config_cell(&c, 0, &cell))
        bail("config: one cell");
    const lab_kind *k = lab_config_kind(&c);
    size_t nrows = k->rows(&cell);
    if (nrows * k->ncolumns > max)
        bail("too many rows");
    lab_rows rows = { nrows, k->ncolumns, v };
    rc = k->run(&cell, &rows, NULL, err, errlen);
    lab_config_release(&cell);
    lab_config_release(&c);
    return rc;
}

static void test_kind(void)
{
    const lab_kind *k = lab_kind_find("perceptron");
    size_t nc = k->ncolumns;
    long wall = lab_kind_column(k, "wall_s"), status = lab_kind_column(k, "status");
    long ex = lab_kind_column(k, "examples"), kkt = lab_kind_column(k, "kkt");
    long margin = lab_kind_column(k, "margin"), test = lab_kind_column(k, "test_error");
    double a[3 * 20], b[3 * 20];
    char err[512], cfg[512];
    const char *base = "[experiment]\nkind = perceptron\n[perceptron]\ndim = 60\nalpha = 2\n"
                       "learners = hebb, maxmargin, perceptron\n";
    if (run_cell(base, a, 60, err, sizeof err))
        bail("%s", err);
    snprintf(cfg, sizeof cfg, "%sprune = hard\nprune_fraction = 1\n", base);
    if (run_cell(cfg, b, 60, err, sizeof err))
        bail("%s", err);
    int same = 1;
    for (size_t i = 0; i < 3 * nc; i++)
        same &= (long)(i % nc) == wall || memcmp(&a[i], &b[i], sizeof a[i]) == 0;
    ok(same, "keep-hard with f = 1 gives the unpruned rows bit for bit");

    int all = 1;
    for (int m = 0; m < LAB_DPRUNE_NMETRICS; m++)
        for (int mode = LAB_DPRUNE_HARD; mode <= LAB_DPRUNE_EASY; mode++) {
            snprintf(cfg, sizeof cfg, "%sprune = %s\nprune_fraction = 0.25\nprune_metric = %s\n"
                     "probe_angle = 10\nprune_clusters = 4\n", base, lab_dprune_mode_names[mode],
                     lab_dprune_metric_names[m]);
            int rc = run_cell(cfg, a, 60, err, sizeof err);
            for (size_t r = 0; r < 3 && rc == LAB_OK; r++)
                all &= a[r * nc + ex] == 120 && a[r * nc + status] == LAB_ROW_OK
                       && a[r * nc + test] < 0.5;
            if (rc != LAB_OK || !all)
                diag("%s %s: %s", lab_dprune_metric_names[m], lab_dprune_mode_names[mode],
                     rc ? err : "bad rows");
            all &= rc == LAB_OK;
        }
    ok(all, "every metric, keep-hard and keep-easy: 120 kept examples, rows ok, below chance");

    snprintf(cfg, sizeof cfg, "[experiment]\nkind = perceptron\n[perceptron]\ndim = 400\n"
             "alpha = 2\nlearners = maxmargin\nprune = hard\nprune_fraction = 0.2\n");
    int rc = run_cell(cfg, a, 60, err, sizeof err);
    ok(rc == LAB_OK && a[status] == LAB_ROW_OK && a[margin] > 0 && a[kkt] <= 1e-8,
       "the kind's max-margin on keep-hard data (N = 400, alpha_prune = 2, f = 0.2): margin "
       "%.3g > 0, kkt %.2g", a[margin], a[kkt]);

    snprintf(cfg, sizeof cfg, "%sprune = easy\nprune_fraction = 0.5\n[data]\nbandlimit = 5\n",
             base);
    rc = run_cell(cfg, a, 60, err, sizeof err);
    ok(rc == LAB_ECONFIG && strstr(err, "perceptron.prune"),
       "pruning band-limited inputs is a config error naming the key (%s)", err);
}

int main(void)
{
    lab_blas_single_thread();
    plan(29);
    test_probe();
    test_margin_select();
    test_random();
    test_perfect_hard();
    test_slab_polish();
    test_prototype();
    test_probe_student();
    test_kind();
    return 0;
}
