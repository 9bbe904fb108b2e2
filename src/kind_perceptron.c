/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kind "perceptron": learners of a sign teacher y = sign(T.x) in N
 * dimensions from P = alpha N Gaussian examples, the classic setting of the
 * statistical mechanics of learning (THEORY.md section 5.3). One row per
 * learner: Hebb's rule, Gibbs learning (a uniform sample of the version
 * space), the Bayes-optimal centre of mass of Gibbs samples, the maximal
 * stability perceptron (hard-margin SVM) and Rosenblatt's perceptron. For
 * isotropic Gaussian inputs the test error is exact, arccos(R) / pi with R
 * the student-teacher overlap, so no test set is drawn.
 *
 * With data.bandlimit the inputs are band-limited (band.h, white spectrum):
 * the learners work in R^N as before, but the test inputs lie in the band,
 * so the exact test error is arccos(R_B) / pi with R_B the overlap of the
 * band coordinates of J and T (THEORY.md section 10.1, "Negative control"),
 * and every measure is taken in the band's coordinates (data.bandlimit_test
 * = off: full-band test inputs, R as without the limit).
 *
 * The data axis is alpha: the cells of one seed share the teacher and the
 * first examples (the examples are rows of one stream, so a smaller alpha
 * sees a prefix of a larger one's). */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_statistics_double.h>

#include "band.h"
#include "dataprune.h"
#include "clock.h"
#include "gibbs.h"
#include "kind.h"
#include "names.h"
#include "perceptron.h"
#include "rng.h"
#include "status.h"
#include "svm.h"

/* ==== [perceptron] ============================================================= */

enum { L_HEBB, L_GIBBS, L_BAYES, L_MAXMARGIN, L_PERCEPTRON, NLEARN };
static const char *const learner_names[NLEARN] = {
    "hebb", "gibbs", "bayes", "maxmargin", "perceptron"
};

typedef struct perc_params {
    long dim;        /* N */
    double alpha;    /* P / N */
    char *learners;  /* names, comma-separated */
    long burnin;     /* Gibbs iterations before a chain's first sample */
    long thin;       /* Gibbs iterations between samples */
    long samples;    /* Gibbs samples per chain */
    long chains;     /* independent Gibbs chains */
    long overrelax;  /* overrelaxed sweeps per Gibbs iteration */
    long disperse;   /* tilted sweeps that make each chain's start */
    long epochs;     /* Rosenblatt's budget */
    int prune;       /* enum lab_dprune_mode */
    double prune_fraction; /* f: the kept fraction of the pool */
    int prune_metric;      /* enum lab_dprune_metric */
    double probe_angle;    /* theta in degrees, the margin probe's angle to T */
    long probe_epochs;     /* the probe student's epochs (el2n, grand, forgetting) */
    double probe_lr;       /* its step */
    long prune_clusters;   /* k of k-means (prototype) */
} perc_params;

#define OFF(field) offsetof(perc_params, field)
#define S_ALL_DATA (LAB_SHAPES(LAB_STREAM_TEACHER) | LAB_SHAPES(LAB_STREAM_TRAIN) \
                    | LAB_SHAPES(LAB_STREAM_INIT) | LAB_SHAPES(LAB_STREAM_BATCH) \
                    | LAB_SHAPES(LAB_STREAM_PRUNE))
#define S_PRUNE LAB_SHAPES(LAB_STREAM_PRUNE)

static const lab_key perc_keys[] = {
    { "perceptron", "dim", LAB_KEY_LONG, OFF(dim), "400",
      "input dimension N of teacher and students (may be swept: [sweep] perceptron.dim)",
      1, 100000, 0, S_ALL_DATA, NULL, 0, "dim", "N" },
    { "perceptron", "alpha", LAB_KEY_DOUBLE, OFF(alpha), "1",
      "examples per dimension alpha = P / N (an axis, the data axis: P = round(alpha N); "
      "smaller sets are prefixes of larger ones); with perceptron.prune, alpha_prune, the "
      "kept examples per dimension, drawn from a pool of round(P / prune_fraction)",
      0, 1e6, LAB_KEY_AXIS, LAB_SHAPES(LAB_STREAM_BATCH) | S_PRUNE, NULL, 0, "alpha", NULL },
    { "perceptron", "learners", LAB_KEY_STRING, OFF(learners),
      "hebb, gibbs, bayes, maxmargin, perceptron",
      "the learners, one row each, in this order whatever order they are listed in", 0, 0, 0, 0,
      learner_names, NLEARN, NULL, NULL },
    { "perceptron", "burnin", LAB_KEY_LONG, OFF(burnin), "100",
      "Gibbs sampler: iterations (a sweep of N coordinate draws, then perceptron.overrelax "
      "overrelaxed sweeps, then an exact redraw of |J|) before each chain's first sample", 0, 1e9, 0, 0, NULL, 0, NULL,
      NULL },
    { "perceptron", "thin", LAB_KEY_LONG, OFF(thin), "1",
      "Gibbs sampler: iterations between two samples", 1, 1e9, 0, 0, NULL, 0, NULL, NULL },
    { "perceptron", "samples", LAB_KEY_LONG, OFF(samples), "250",
      "Gibbs sampler: samples per chain (gibbs averages its errors over all chains' samples; "
      "bayes is their centre of mass)", 1, 1e7, 0, 0, NULL, 0, NULL, NULL },
    { "perceptron", "chains", LAB_KEY_LONG, OFF(chains), "4",
      "Gibbs sampler: independent chains, each from its own over-dispersed start "
      "(perceptron.disperse) with a burn-in of its own (their R-hat is the column rhat)", 1,
      1000, 0, 0, NULL, 0, NULL, NULL },
    { "perceptron", "overrelax", LAB_KEY_LONG, OFF(overrelax), "3",
      "Gibbs sampler: overrelaxed sweeps (each coordinate to its mirror image in its "
      "conditional) after each sweep of draws; 0 for plain Gibbs sampling", 0, 1000, 0, 0,
      NULL, 0, NULL, NULL },
    { "perceptron", "disperse", LAB_KEY_LONG, OFF(disperse), "10",
      "Gibbs sampler: sweeps that make each chain's over-dispersed start from the max-margin "
      "student, aimed at the Gaussian centred at -j0 (odd chains) or +j0 (even chains), "
      "j0 the max-margin student at norm sqrt(N), restricted to the version space (THEORY.md "
      "section 5.3); 0 starts every chain at j0", 0, 1e9, 0, 0, NULL, 0, NULL, NULL },
    { "perceptron", "epochs", LAB_KEY_LONG, OFF(epochs), "1000",
      "Rosenblatt's perceptron: the most epochs (it stops after one without a mistake)",
      1, 1e9, 0, 0, NULL, 0, NULL, NULL },
    /* Data pruning (THEORY.md section 11): quiet axes, so unpruned tables keep
     * their columns. */
    { "perceptron", "prune", LAB_KEY_ENUM, OFF(prune), "none",
      "data pruning (an axis, column prune, none while none): none, hard (keep the "
      "prune_fraction hardest examples of the pool under prune_metric) or easy (the easiest)",
      0, 0, LAB_KEY_AXIS | LAB_KEY_QUIET, 0, lab_dprune_mode_names, LAB_DPRUNE_NMODES,
      "prune", NULL },
    { "perceptron", "prune_fraction", LAB_KEY_DOUBLE, OFF(prune_fraction), "1",
      "the kept fraction f of the pool (an axis, column prune_fraction, none while 1): the "
      "pool has P_tot = round(P / f) examples, alpha_tot = P_tot / N", 0, 1,
      LAB_KEY_AXIS | LAB_KEY_QUIET | LAB_KEY_MIN_OPEN, S_PRUNE, NULL, 0, "prune_fraction", "f" },
    { "perceptron", "prune_metric", LAB_KEY_ENUM, OFF(prune_metric), "margin",
      "the difficulty score (an axis, column prune_metric, none while margin): margin "
      "|J_p.x| / |J_p| under the probe (small = hard), random, el2n or grand of the probe "
      "student, forgetting (its forgetting events), prototype (distance to the nearest "
      "k-means centroid of the inputs, far = hard)", 0, 0, LAB_KEY_AXIS | LAB_KEY_QUIET, S_PRUNE,
      lab_dprune_metric_names, LAB_DPRUNE_NMETRICS, "prune_metric", NULL },
    { "perceptron", "probe_angle", LAB_KEY_DOUBLE, OFF(probe_angle), "0",
      "the margin probe's angle theta to the teacher, in degrees (an axis, column "
      "probe_angle, none while 0): J_p = cos theta T/|T| + sin theta v, v a random unit "
      "vector orthogonal to T", 0, 180, LAB_KEY_AXIS | LAB_KEY_QUIET, 0, NULL, 0,
      "probe_angle", "theta" },
    { "perceptron", "probe_epochs", LAB_KEY_LONG, OFF(probe_epochs), "5",
      "epochs of SGD of the probe student (a logistic linear student from 0) that scores "
      "el2n, grand and forgetting", 1, 1e6, 0, 0, NULL, 0, NULL, NULL },
    { "perceptron", "probe_lr", LAB_KEY_DOUBLE, OFF(probe_lr), "1",
      "the probe student's step: w += probe_lr y sigma(-y w.x/sqrt(N)) x/sqrt(N)", 0, 1e6,
      LAB_KEY_MIN_OPEN, 0, NULL, 0, NULL, NULL },
    { "perceptron", "prune_clusters", LAB_KEY_LONG, OFF(prune_clusters), "10",
      "prototype: k, the k-means clusters of the pool's inputs (at most the pool's size)", 1,
      1e6, 0, 0, NULL, 0, NULL, NULL },
};

static const lab_section perc_section = {
    "perceptron", perc_keys, sizeof perc_keys / sizeof perc_keys[0], sizeof(perc_params)
};

static const perc_params *params_of(const lab_config *c)
{
    const perc_params *pp = lab_config_section(c, &perc_section);
    assert(pp);
    return pp;
}

/* The learners of c, in the table's order: which[i] says whether learner i
 * runs; returns how many do. */
static size_t learners_of(const perc_params *pp, int which[NLEARN])
{
    return lab_names_select(pp->learners, learner_names, NLEARN, which);
}

static size_t examples_of(const perc_params *pp)
{
    return (size_t)floor(pp->alpha * (double)pp->dim + 0.5);
}

/* The pool the kept examples come from: P_tot = round(P / f) when pruning,
 * else the P examples themselves. */
static size_t pool_of(const perc_params *pp)
{
    size_t p = examples_of(pp);
    if (pp->prune == LAB_DPRUNE_NONE)
        return p;
    size_t tot = (size_t)floor((double)p / pp->prune_fraction + 0.5);
    return tot < p ? p : tot;
}

/* ==== Columns ==================================================================== */

enum { C_LEARNER, C_P, C_OVERLAP, C_TEST, C_TRAIN, C_MARGIN, C_STEPS, C_SUPPORT, C_KKT,
       C_TAU, C_RHAT, C_STATUS, C_WALL, NCOLS };

static const lab_column columns[NCOLS] = {
    [C_LEARNER] = { "learner", LAB_COL_NAME, learner_names, NLEARN, LAB_STAT_KEY,
                    "hebb, gibbs, bayes, maxmargin or perceptron (THEORY.md section 5.3)" },
    [C_P] = { "examples", LAB_COL_INT, NULL, 0, LAB_STAT_SAME,
              "training examples P = round(alpha N)" },
    [C_OVERLAP] = { "overlap", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                    "R = J.T / (|J| |T|) (gibbs: the mean over its samples; bayes: that of the "
                    "centre of mass with the chains' sampling noise removed from its norm); with "
                    "data.bandlimit, R_B: that of the band coordinates of J and T (THEORY.md "
                    "section 10.1)" },
    [C_TEST] = { "test_error", LAB_COL_REAL, NULL, 0, LAB_STAT_FULL,
                 "arccos(R) / pi, exact for Gaussian inputs, band-limited ones with R_B "
                 "(gibbs: the mean over its samples; bayes: with R as in overlap)" },
    [C_TRAIN] = { "train_error", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                  "fraction of training examples misclassified (gibbs: the most over samples)" },
    [C_MARGIN] = { "margin", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                   "min_mu y_mu J.x_mu / |J| (gibbs: the mean over samples; inf when P = 0; "
                   "with data.bandlimit, |J| of the band coordinates)" },
    [C_STEPS] = { "steps", LAB_COL_INT, NULL, 0, LAB_STAT_MEAN,
                  "perceptron: epochs; gibbs and bayes: sweeps over the N coordinates, all "
                  "chains and overrelaxed ones included; maxmargin: NNLS iterations; hebb: 0" },
    [C_SUPPORT] = { "support", LAB_COL_INT, NULL, 0, LAB_STAT_MEAN,
                    "maxmargin: support vectors; others 0" },
    [C_KKT] = { "kkt", LAB_COL_REAL, NULL, 0, LAB_STAT_MEAN,
                "maxmargin: the largest violation of its KKT conditions (|margin - 1| on the "
                "support, 1 - margin off it; nan for the others)" },
    [C_TAU] = { "tau", LAB_COL_REAL, NULL, 0, LAB_STAT_MEAN,
                "gibbs and bayes: the integrated autocorrelation time of R, in sweeps, averaged "
                "over the chains (nan for the others)" },
    [C_RHAT] = { "rhat", LAB_COL_REAL, NULL, 0, LAB_STAT_MEAN,
                 "gibbs and bayes: Gelman-Rubin's R-hat of R across the chains (nan with one "
                 "chain, and for the others)" },
    [C_STATUS] = { "status", LAB_COL_NAME, lab_status_names, LAB_NROW, LAB_STAT_NONE,
                   "ok, or diverged (no student: J = 0, no separating start for gibbs, or a "
                   "failed solve; its numbers are then nan; maxmargin also when its kkt is "
                   "above 1e-8)" },
    [C_WALL] = { "wall_s", LAB_COL_TIME, NULL, 0, LAB_STAT_NONE,
                 "seconds for the learner (gibbs and bayes share one chain and give its time)" },
};

/* ==== The cell ===================================================================== */

static size_t rows(const lab_config *c)
{
    int which[NLEARN];
    return learners_of(params_of(c), which);
}

/* Multiply-adds: a Gibbs sweep (two passes over A), a perceptron epoch
 * and a margin evaluation each cost about P N; the max-margin solve about
 * 2 N of them (one GEMV per NNLS iteration, measured 1.7 N to 2.2 N
 * iterations at N = 400, alpha = 0.5 to 10). */
static double cost(const lab_config *c)
{
    const perc_params *pp = params_of(c);
    int which[NLEARN];
    learners_of(pp, which);
    double pn = (double)examples_of(pp) * (double)pp->dim + (double)pp->dim, units = 10;
    if (which[L_GIBBS] || which[L_BAYES])
        units += 2.0 * (double)pp->chains
                 * ((double)(1 + pp->overrelax) * (double)(pp->burnin + pp->thin * pp->samples)
                    + (double)pp->disperse);
    if (which[L_GIBBS] || which[L_BAYES] || which[L_MAXMARGIN])
        units += 4.0 * (double)pp->dim;
    if (which[L_PERCEPTRON])
        units += fmin((double)pp->epochs, 200);
    /* Scoring the pool: a pass (margin), probe_epochs passes, or k per
     * Lloyd iteration (about 20 of them). */
    double score = 0;
    if (pp->prune != LAB_DPRUNE_NONE) {
        double tn = (double)pool_of(pp) * (double)pp->dim;
        score = tn * (pp->prune_metric == LAB_DPRUNE_PROTOTYPE ? 20.0 * (double)pp->prune_clusters
                      : pp->prune_metric == LAB_DPRUNE_RANDOM ? 0.0
                      : pp->prune_metric == LAB_DPRUNE_MARGIN ? 1.0 : 2.0 * (double)pp->probe_epochs);
    }
    return pn * units + score;
}

/* The teacher, the inputs, A, the students and scratch, the sampler and the
 * max-margin solve; with a band limit, the band and A's band coordinates. */
static double memory(const lab_config *c)
{
    const perc_params *pp = params_of(c);
    size_t p = examples_of(pp), n = (size_t)pp->dim;
    double P = (double)p, N = (double)n;
    double series = (double)pp->chains * ((double)(pp->samples * pp->thin) + N) * 8;
    double band = c->bandlimit >= 0 ? P * N * 8 + 2 * N * 8 + lab_band_bytes(n) : 0;
    /* Pruning: the rest of the pool, its scores, the probe and k-means. */
    double prune = 0;
    if (pp->prune != LAB_DPRUNE_NONE) {
        double tot = (double)pool_of(pp), k = (double)pp->prune_clusters;
        prune = (tot - P) * (N + 1) * 8 + tot * 8 * 3 + 2 * N * 8
                + (pp->prune_metric == LAB_DPRUNE_PROTOTYPE
                   ? k * N * 8 + lab_dprune_kmeans_bytes(pool_of(pp), (size_t)k) : 0);
    }
    return prune + 2 * P * N * 8 + 6 * N * 8 + 2 * P * 8 + P * sizeof(size_t) + series
           + lab_gibbs_bytes(p, n) + lab_svm_bytes(p, n) + band;
}

static void set_row(double *v, int learner, size_t p, lab_perc_eval e, double steps,
                    double support, double t0)
{
    v[C_LEARNER] = learner;
    v[C_P] = (double)p;
    v[C_OVERLAP] = e.overlap;
    v[C_TEST] = e.test_error;
    v[C_TRAIN] = e.train_error;
    v[C_MARGIN] = e.margin;
    v[C_STEPS] = steps;
    v[C_SUPPORT] = support;
    v[C_KKT] = v[C_TAU] = v[C_RHAT] = NAN;
    v[C_STATUS] = isfinite(e.overlap) && isfinite(e.test_error) ? LAB_ROW_OK : LAB_ROW_DIVERGED;
    v[C_WALL] = lab_clock_s() - t0;
}

static const lab_perc_eval no_student = { NAN, NAN, NAN, NAN };

/* ==== Where students are measured ================================================= */

/* The space the test inputs span: R^N (band NULL), or the band, where a
 * student J is seen through its coordinates Q^T J (D_B values) and the
 * examples and the teacher through theirs. Every measure is then that of
 * the D_B-dimensional problem (THEORY.md section 10.1). */
typedef struct view {
    lab_band *band;
    size_t dim;        /* N, or D_B */
    const double *a;   /* P x dim: the examples y x as seen */
    const double *t;   /* dim: the teacher as seen */
    double *j;         /* dim: scratch for a student's coordinates */
} view;

/* J (N values) as seen: itself, or its band coordinates (in v->j). */
static const double *seen(const view *v, const double *j)
{
    if (!v->band)
        return j;
    lab_band_coords(v->band, 1, j, v->j);
    return v->j;
}

static lab_perc_eval evaluate(const view *v, size_t p, const double *j, double *m)
{
    return lab_perc_evaluate(p, v->dim, v->a, v->t, seen(v, j), m);
}

/* ==== The Gibbs chains ============================================================== */

/* The integrated autocorrelation time 1 + 2 sum_k rho_k of c series of len
 * values each (x[q * len ...]), rho_k averaged over the series (each about
 * its own mean), the sum cut at the first k >= 5 times the running value
 * (Sokal's window). NaN when the series do not vary. */
static double autocorrelation_time(const double *x, size_t c, size_t len)
{
    double var = 0, tau = 1;
    for (size_t q = 0; q < c; q++)
        var += gsl_stats_variance_m(x + q * len, 1, len, gsl_stats_mean(x + q * len, 1, len));
    if (!(var > 0))
        return NAN;
    for (size_t k = 1; k < len / 2 && (double)k < 5 * tau; k++) {
        double cov = 0;
        for (size_t q = 0; q < c; q++) {
            const double *s = x + q * len;
            double mean = gsl_stats_mean(s, 1, len), sum = 0;
            for (size_t i = 0; i + k < len; i++)
                sum += (s[i] - mean) * (s[i + k] - mean);
            cov += sum / (double)(len - 1);
        }
        tau += 2 * cov / var;
    }
    return tau;
}

/* Gelman and Rubin's potential scale reduction of c >= 2 series of len
 * values: sqrt(((len - 1) W / len + B / len) / W), W the mean variance
 * within a series, B / len the variance of their means. */
static double gelman_rubin(const double *x, size_t c, size_t len)
{
    double w = 0, grand = 0, b = 0;
    for (size_t q = 0; q < c; q++) {
        double mean = gsl_stats_mean(x + q * len, 1, len);
        w += gsl_stats_variance_m(x + q * len, 1, len, mean) / (double)c;
        grand += mean / (double)c;
    }
    for (size_t q = 0; q < c; q++) {
        double d = gsl_stats_mean(x + q * len, 1, len) - grand;
        b += d * d * (double)len / (double)(c - 1);
    }
    return sqrt(((double)(len - 1) / (double)len * w + b / (double)len) / w);
}

typedef struct sampled {
    lab_perc_eval gibbs, bayes;
    long sweeps;
    double tau, rhat; /* in sweeps; NaN without two chains */
} sampled;

/* The Bayes student from the chains' centres (chains x n, each the mean of
 * its chain's normalised samples): their mean c, whose overlap with the
 * teacher is reported with the finite-sample excess of |c|^2 removed
 * (THEORY.md section 5.3). c = c_inf + e with e the sampling noise: c.T
 * is unbiased, but |c|^2 = |c_inf|^2 + |e|^2 on average, which lowers the
 * overlap by a factor 1/sqrt(1 + |e|^2/|c_inf|^2). Independent chains
 * estimate E|e|^2 = sum_q |c_q - c|^2 / (C (C - 1)); with one chain the
 * overlap stays that of c. The other measures are those of c itself. */
static lab_perc_eval bayes_of(size_t p, size_t n, size_t chains, const double *a,
                              const double *t, const double *centres, double *centre, double *m)
{
    memset(centre, 0, n * sizeof *centre);
    for (size_t q = 0; q < chains; q++)
        cblas_daxpy((int)n, 1 / (double)chains, centres + q * n, 1, centre, 1);
    lab_perc_eval e = lab_perc_evaluate(p, n, a, t, centre, m);
    if (chains < 2 || !isfinite(e.overlap))
        return e;
    double noise = 0;
    for (size_t q = 0; q < chains; q++)
        for (size_t i = 0; i < n; i++) {
            double d = centres[q * n + i] - centre[i];
            noise += d * d / (double)(chains * (chains - 1));
        }
    double c2 = cblas_ddot((int)n, centre, 1, centre, 1);
    if (!(noise < c2))
        return no_student;
    e.overlap *= sqrt(c2 / (c2 - noise));
    e.overlap = fmin(e.overlap, 1);
    e.test_error = acos(e.overlap) / M_PI;
    return e;
}

/* pp->chains Gibbs chains on the examples a (p x n), each from its own
 * over-dispersed start made from j0 (n): their samples' mean measures, the
 * Bayes student from their centres (centres: chains x v->dim; centre:
 * v->dim), and the mixing of R (series: chains x samples x thin), all as
 * seen by v (in the band: of the samples' band coordinates, normalised by
 * their own norm).
 * LAB_EINTERRUPTED when stopped; a start outside the version space gives
 * no student. */
static int sample(const perc_params *pp, size_t p, size_t n, const double *a, const view *v,
                  const double *j0, double *m, double *centres, double *centre, double *series,
                  gsl_rng *r, sampled *out, volatile sig_atomic_t *stop)
{
    out->gibbs = out->bayes = no_student;
    out->sweeps = 0;
    out->tau = out->rhat = NAN;
    lab_gibbs *g = lab_gibbs_alloc(p, n, a);
    if (!g)
        return LAB_ENOMEM;
    int rc = LAB_OK;
    lab_perc_eval sum = { 0, 0, 0, 0 };
    int dim = (int)v->dim;
    double tnorm = cblas_dnrm2(dim, v->t, 1);
    size_t len = (size_t)(pp->samples * pp->thin), chains = (size_t)pp->chains;
    memset(centres, 0, chains * v->dim * sizeof *centres);
    for (size_t c = 0; c < chains; c++) {
        /* Chains alternate between starts pulled to the centre (high R) and
         * pushed to the walls (low R): over-dispersed for R-hat. */
        double tilt = c % 2 ? 1.0 : -1.0;
        if (lab_gibbs_start_dispersed(g, j0, pp->disperse, tilt, r) != LAB_OK)
            goto done;
        out->sweeps += pp->disperse;
        for (long s = 1; s <= pp->burnin + (long)len; s++) {
            if (stop && *stop) {
                rc = LAB_EINTERRUPTED;
                goto done;
            }
            lab_gibbs_sweep(g, r);
            for (long k = 0; k < pp->overrelax; k++)
                lab_gibbs_overrelax(g);
            /* The slow mode of coordinate moves in a narrow cone is |J|:
             * redraw it exactly (O(N + P)). */
            lab_gibbs_radial(g, r);
            out->sweeps += 1 + pp->overrelax;
            if (s <= pp->burnin)
                continue;
            const double *j = lab_gibbs_state(g), *js = seen(v, j);
            double norm = cblas_dnrm2(dim, js, 1);
            double overlap = cblas_ddot(dim, js, 1, v->t, 1) / (norm * tnorm);
            series[c * len + (size_t)(s - pp->burnin - 1)] = overlap;
            if ((s - pp->burnin) % pp->thin != 0)
                continue;
            sum.overlap += overlap;
            sum.test_error += acos(fmax(-1, fmin(1, overlap))) / M_PI;
            sum.margin += lab_gibbs_min_margin(g) / norm;
            /* A sample is inside the version space unless rounding put it
             * on a face: count its errors then. */
            if (!(lab_gibbs_min_margin(g) > 0))
                sum.train_error = fmax(sum.train_error, evaluate(v, p, j, m).train_error);
            cblas_daxpy(dim, 1 / (norm * (double)pp->samples), js, 1, centres + c * v->dim, 1);
        }
    }
    double k = (double)(chains * (size_t)pp->samples);
    out->gibbs = (lab_perc_eval){ sum.overlap / k, sum.test_error / k, sum.train_error,
                                  sum.margin / k };
    out->bayes = bayes_of(p, v->dim, chains, v->a, v->t, centres, centre, m);
    out->tau = autocorrelation_time(series, chains, len) * (double)(1 + pp->overrelax);
    if (chains > 1 && len > 1)
        out->rhat = gelman_rubin(series, chains, len);
done:
    lab_gibbs_free(g);
    return rc;
}

/* ==== Data pruning ==================================================================== */

/* Keep p of the pool's tot examples (x: tot x n, labels y: tot) by
 * pp->prune_metric and pp->prune, moving them to the front of x and y in
 * the pool's order (THEORY.md section 11). The pruning stream first draws the
 * probe's random direction (n normals, whatever the metric, so that the
 * metric's draws that follow start at the same place), then the metric's:
 * random, p uniforms; el2n, grand and forgetting, the probe student's
 * epoch orders; prototype, the k-means++ seeds. */
static int prune_pool(const lab_config *c, const perc_params *pp, size_t tot, size_t p,
                      size_t n, const double *t, double *x, double *y, char *err, size_t errlen)
{
    gsl_rng *r = lab_config_rng(c, LAB_STREAM_PRUNE);
    double *v = malloc(n * sizeof *v), *w = malloc(n * sizeof *w);
    double *d = malloc(tot * sizeof *d), *cent = NULL;
    size_t *kept = malloc((p ? p : 1) * sizeof *kept);
    size_t k = (size_t)pp->prune_clusters < tot ? (size_t)pp->prune_clusters : tot;
    if (pp->prune_metric == LAB_DPRUNE_PROTOTYPE)
        cent = malloc(k * n * sizeof *cent);
    int rc = LAB_ENOMEM;
    if (!r || !v || !w || !d || !kept || (pp->prune_metric == LAB_DPRUNE_PROTOTYPE && !cent)) {
        lab_fail(err, errlen, rc, "out of memory");
        goto done;
    }
    lab_rng_fill_normal(r, v, n, 1.0);
    switch (pp->prune_metric) {
    case LAB_DPRUNE_MARGIN:
        rc = lab_dprune_probe_direction(n, t, v, pp->probe_angle * M_PI / 180, w);
        if (rc != LAB_OK) {
            lab_fail(err, errlen, LAB_ENUMERIC, "no probe at %g degrees to the teacher in %zu "
                     "dimensions", pp->probe_angle, n);
            goto done;
        }
        lab_dprune_margin(tot, n, x, w, d);
        break;
    case LAB_DPRUNE_RANDOM:
        lab_dprune_random(tot, r, d);
        rc = LAB_OK;
        break;
    case LAB_DPRUNE_EL2N:
    case LAB_DPRUNE_GRAND:
    case LAB_DPRUNE_FORGETTING: {
        int m = pp->prune_metric;
        rc = lab_dprune_probe_train(tot, n, x, y, pp->probe_epochs, pp->probe_lr, r, w,
                                    m == LAB_DPRUNE_EL2N ? d : NULL,
                                    m == LAB_DPRUNE_GRAND ? d : NULL,
                                    m == LAB_DPRUNE_FORGETTING ? d : NULL);
        break;
    }
    case LAB_DPRUNE_PROTOTYPE:
        rc = lab_dprune_kmeans(tot, n, x, k, 1000, r, cent, NULL, d, NULL);
        break;
    default:
        assert(0);
    }
    if (rc == LAB_OK)
        rc = lab_dprune_select(tot, d, p, (enum lab_dprune_mode)pp->prune, kept);
    if (rc != LAB_OK) {
        lab_fail(err, errlen, rc, "pruning the pool: %s", lab_strerror(rc));
        goto done;
    }
    /* kept is increasing, so kept[q] >= q: moving rows forward in order
     * never overwrites a row still to be moved. */
    for (size_t q = 0; q < p; q++)
        if (kept[q] != q) {
            memcpy(x + q * n, x + kept[q] * n, n * sizeof *x);
            y[q] = y[kept[q]];
        }
done:
    gsl_rng_free(r);
    free(v);
    free(w);
    free(d);
    free(kept);
    free(cent);
    return rc;
}

static int run(const lab_config *c, lab_rows *out, volatile sig_atomic_t *stop,
               char *err, size_t errlen)
{
    const perc_params *pp = params_of(c);
    int which[NLEARN];
    size_t nrows = learners_of(pp, which), p = examples_of(pp), n = (size_t)pp->dim;
    size_t tot = pool_of(pp);
    assert(out->nrows == nrows && out->ncols == NCOLS);
    double *t = malloc(n * sizeof *t), *x = malloc((tot ? tot : 1) * n * sizeof *x);
    double *y = malloc((tot ? tot : 1) * sizeof *y), *a = malloc((p ? p : 1) * n * sizeof *a);
    double *j = malloc(n * sizeof *j), *jmm = malloc(n * sizeof *jmm);
    double *centre = malloc(n * sizeof *centre), *m = malloc((p ? p : 1) * sizeof *m);
    size_t *order = malloc((p ? p : 1) * sizeof *order);
    double *centres = malloc((size_t)pp->chains * n * sizeof *centres);
    double *series = malloc((size_t)(pp->chains * pp->samples * pp->thin) * sizeof *series);
    gsl_rng *rt = lab_config_rng(c, LAB_STREAM_TEACHER), *rx = lab_config_rng(c, LAB_STREAM_TRAIN);
    gsl_rng *rb = NULL, *ri = NULL;
    /* Band-limited inputs: the band, and the examples', teacher's and a
     * student's band coordinates. */
    lab_band *band = NULL;
    double *za = NULL, *zt = NULL, *zj = NULL;
    int limited = c->bandlimit >= 0;
    if (limited && (band = lab_band_alloc(n, c->bandlimit))) {
        size_t db = lab_band_dim(band);
        za = malloc((p ? p : 1) * db * sizeof *za);
        zt = malloc(db * sizeof *zt);
        zj = malloc(db * sizeof *zj);
    }
    int rc = LAB_ENOMEM;
    if (!t || !x || !y || !a || !j || !jmm || !centre || !m || !order || !centres || !series || !rt
        || !rx || (limited && (!band || !za || !zt || !zj))) {
        lab_fail(err, errlen, rc, "out of memory");
        goto done;
    }
    /* The teacher, then the examples row by row (a prefix for smaller P),
     * band-limited in place (unit variance per coordinate). */
    lab_rng_fill_normal(rt, t, n, 1.0);
    lab_rng_fill_normal(rx, x, tot * n, 1.0);
    if (limited)
        lab_band_filter(band, p, x);
    for (size_t mu = 0; mu < tot; mu++)
        y[mu] = cblas_ddot((int)n, x + mu * n, 1, t, 1) >= 0 ? 1 : -1;
    /* Pruning keeps p of the pool's tot examples (check() refuses a band
     * limit with pruning). */
    assert(!limited || tot == p);
    if (pp->prune != LAB_DPRUNE_NONE && p > 0
        && (rc = prune_pool(c, pp, tot, p, n, t, x, y, err, errlen)) != LAB_OK)
        goto done;
    for (size_t mu = 0; mu < p; mu++) {
        for (size_t i = 0; i < n; i++)
            a[mu * n + i] = y[mu] * x[mu * n + i];
    }
    /* Band-limited test inputs: students are measured in the band. */
    view v = { NULL, n, a, t, NULL };
    if (limited && c->bandlimit_test) {
        lab_band_coords(band, p, a, za);
        lab_band_coords(band, 1, t, zt);
        v = (view){ band, lab_band_dim(band), za, zt, zj };
    }
    double *row = out->v;
    rc = LAB_OK;
    double start = lab_clock_s();

    if (which[L_HEBB]) {
        lab_perc_hebb(p, n, a, j);
        set_row(row, L_HEBB, p, evaluate(&v, p, j, m), 0, 0, start);
        row += NCOLS;
    }

    /* The maximal-stability student, which also starts the Gibbs chain. */
    int mm_ok = 0;
    lab_svm_result sres = { 0 };
    double mm_wall = 0;
    if (which[L_GIBBS] || which[L_BAYES] || which[L_MAXMARGIN]) {
        start = lab_clock_s();
        char why[256];
        mm_ok = p > 0 && lab_svm_maxmargin(p, n, a, jmm, NULL, &sres, why, sizeof why)
                             == LAB_OK;
        mm_wall = lab_clock_s() - start;
    }

    if (which[L_GIBBS] || which[L_BAYES]) {
        start = lab_clock_s();
        /* A start inside the version space, at the typical norm sqrt(N) of
         * the Gaussian the chain samples: the max-margin student, or, with
         * no examples, a Gaussian draw. */
        if (!(ri = lab_config_rng(c, LAB_STREAM_INIT))) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            goto done;
        }
        if (p == 0) {
            lab_rng_fill_normal(ri, j, n, 1.0);
        } else if (mm_ok) {
            double s = sqrt((double)n) / cblas_dnrm2((int)n, jmm, 1);
            for (size_t i = 0; i < n; i++)
                j[i] = s * jmm[i];
        } else {
            memset(j, 0, n * sizeof *j); /* no start: lab_gibbs_start refuses it */
        }
        sampled out;
        rc = sample(pp, p, n, a, &v, j, m, centres, centre, series, ri, &out, stop);
        if (rc == LAB_ENOMEM)
            lab_fail(err, errlen, rc, "out of memory");
        if (rc != LAB_OK)
            goto done;
        if (which[L_GIBBS]) {
            set_row(row, L_GIBBS, p, out.gibbs, (double)out.sweeps, 0, start);
            row[C_TAU] = out.tau;
            row[C_RHAT] = out.rhat;
            row += NCOLS;
        }
        if (which[L_BAYES]) {
            set_row(row, L_BAYES, p, out.bayes, (double)out.sweeps, 0, start);
            row[C_TAU] = out.tau;
            row[C_RHAT] = out.rhat;
            row[C_WALL] = row[C_WALL - NCOLS * which[L_GIBBS]];
            row += NCOLS;
        }
    }

    if (which[L_MAXMARGIN]) {
        set_row(row, L_MAXMARGIN, p, mm_ok ? evaluate(&v, p, jmm, m) : no_student,
                (double)sres.rounds, (double)sres.support, 0);
        row[C_KKT] = mm_ok ? sres.kkt : NAN;
        /* A solve whose KKT conditions fail, or whose smallest margin is
         * not positive (pruned, slab-shaped data make hard solves), is no
         * max-margin student. */
        if (!(sres.kkt <= 1e-8) || !(row[C_MARGIN] > 0))
            row[C_STATUS] = LAB_ROW_DIVERGED;
        row[C_WALL] = mm_wall;
        row += NCOLS;
    }

    if (which[L_PERCEPTRON]) {
        start = lab_clock_s();
        if (!(rb = lab_config_rng(c, LAB_STREAM_BATCH))) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            goto done;
        }
        int converged;
        long epochs = lab_perc_rosenblatt(p, n, a, pp->epochs, rb, j, order, &converged);
        set_row(row, L_PERCEPTRON, p, evaluate(&v, p, j, m), (double)epochs, 0,
                start);
        row += NCOLS;
    }
    assert(row == out->v + nrows * NCOLS);
done:
    gsl_rng_free(rt);
    gsl_rng_free(rx);
    gsl_rng_free(rb);
    gsl_rng_free(ri);
    free(t);
    free(x);
    free(y);
    free(a);
    free(j);
    free(jmm);
    free(centre);
    free(m);
    free(order);
    free(series);
    free(centres);
    free(za);
    free(zt);
    free(zj);
    lab_band_free(band);
    return rc;
}

/* ==== The kind ===================================================================== */

/* Pruning draws its pool from white inputs: no cell may prune band-limited
 * ones (no theory of that case, and the band keeps P rows only). */
static int check(const lab_config *c, char *err, size_t errlen)
{
    lab_config cell;
    if (lab_config_copy(&cell, c) != LAB_OK)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    int rc = LAB_OK;
    size_t ncells = lab_config_ncells(c);
    for (size_t i = 0; i < ncells && rc == LAB_OK; i++) {
        if ((rc = lab_config_cell(c, i, &cell)) != LAB_OK) {
            lab_fail(err, errlen, rc, "out of memory");
            break;
        }
        if (params_of(&cell)->prune != LAB_DPRUNE_NONE && cell.bandlimit >= 0) {
            char at[512], other[512];
            lab_config_where(c, "perceptron", "prune", at, sizeof at);
            lab_config_where(c, "data", "bandlimit", other, sizeof other);
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: data pruning draws white inputs; "
                          "%s band-limits them", at, other);
        }
    }
    lab_config_release(&cell);
    return rc;
}

static const lab_section *const sections[] = { &perc_section };

const lab_kind lab_kind_perceptron = {
    .name = "perceptron",
    .doc = "learn a sign teacher with Hebb, Gibbs, Bayes, max-margin and Rosenblatt perceptrons",
    .sections = sections,
    .nsections = 1,
    .columns = columns,
    .ncolumns = NCOLS,
    .error = "test_error",
    .joint = "none",
    .curves = "alpha:learner",
    .size_axes = "",
    .teacher = 0,
    .band_inputs = 1,
    .data_axis = "alpha",
    .rows = rows,
    .cost = cost,
    .memory = memory,
    .check = check,
    .run = run,
};
