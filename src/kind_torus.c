/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kind "torus": learners of a band-limited target on the torus
 * [0, 2pi)^k (THEORY.md §10.2). The teacher (torus.h) is a random Fourier
 * series with |j|_inf <= B, or a random MLP of the features (cos theta_i,
 * sin theta_i) projected onto that band, or the same MLP unprojected. One row
 * per learner, all on the same n training points and the same test set:
 *
 *   nyquist  least squares (least norm below D) in the Fourier basis of a band
 *            b: the teacher's B, a fixed b, or the largest band n samples
 *            determine, (2b + 1)^k <= n: the learner that knows the band
 *   krr      kernel ridge regression with an RBF kernel on the features
 *   mlp      an MLP student of the features, as [student] and [train] say
 *            (and refined by [refine] when its method is not none)
 *   mlp_band the same student on the band's Fourier features instead (the
 *            basis of the Nyquist learner's band b: D = (2b + 1)^k inputs):
 *            an MLP that projects its inputs on the band
 *
 * Errors are MSEs over the teacher's variance, which is 1 over the torus.
 * Streams: the teacher's coefficients (or network) from the teacher stream,
 * the training angles row by row from the train stream (smaller n are
 * prefixes), the test angles from the test stream, the student from the init
 * stream and its batches from the batch stream. */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "blas.h"
#include "clock.h"
#include "kind.h"
#include "kind_student.h"
#include "krr.h"
#include "mlp.h"
#include "names.h"
#include "refine.h"
#include "rng.h"
#include "status.h"
#include "teacher.h"
#include "torus.h"
#include "train.h"

/* ==== [torus] ===================================================================== */

enum { L_NYQUIST, L_KRR, L_MLP, L_MLP_BAND, NLEARN };
static const char *const learner_names[NLEARN] = { "nyquist", "krr", "mlp", "mlp_band" };

typedef struct torus_params {
    long dim;            /* k */
    long band;           /* B */
    int teacher;         /* enum lab_torus_kind */
    double decay;        /* series: the spectrum's decay */
    long grid;           /* mlp teachers: G (0: lab_torus_default_grid()) */
    char *learners;      /* names, comma-separated */
    char *learner_band;  /* "teacher", "auto" or a band */
    double oversample;   /* auto: n / D at least this */
    double krr_length, krr_ridge;
} torus_params;

#define OFF(field) offsetof(torus_params, field)
#define S_TORUS_DIM (LAB_SHAPES(LAB_STREAM_TEACHER) | LAB_SHAPES(LAB_STREAM_TEST) \
                     | LAB_SHAPES(LAB_STREAM_TRAIN) | LAB_SHAPES(LAB_STREAM_INIT))

static const lab_key torus_keys[] = {
    { "torus", "dim", LAB_KEY_LONG, OFF(dim), "1",
      "dimension k of the torus [0, 2pi)^k (the inputs are k angles; the MLP teacher and "
      "student see their 2k features cos, sin)", 1, 3, 0, S_TORUS_DIM, NULL, 0, "k", NULL },
    { "torus", "band", LAB_KEY_LONG, OFF(band), "4",
      "the teacher's band B: frequencies |j|_inf <= B, D = (2B + 1)^k of them (series "
      "teachers of band B extend those of B - 1: it shapes no stream)", 1, 1000, 0, 0, NULL, 0,
      "B", NULL },
    { "torus", "teacher", LAB_KEY_ENUM, OFF(teacher), "series",
      "series (a random Fourier series of band B), mlp_band (a random MLP of the features, "
      "as [teacher] says, projected onto band B by FFTW) or mlp (the same MLP, unprojected)", 0, 0, 0, LAB_SHAPES(LAB_STREAM_TEACHER),
      lab_torus_kind_names, LAB_TORUS_NKIND, NULL, NULL },
    { "torus", "decay", LAB_KEY_DOUBLE, OFF(decay), "0",
      "series teacher: coefficient std (1 + |j|_2^2)^(-decay/2) before normalisation "
      "(0: a flat spectrum)", 0, 100, 0, 0, NULL, 0, NULL, NULL },
    { "torus", "grid", LAB_KEY_LONG, OFF(grid), "0",
      "MLP teachers: grid points per dimension of their FFT (even, >= 2B + 2); 0 = the least "
      "power of two >= max(4 (2B + 1), 32)", 0, 4096, 0, 0, NULL, 0, NULL, NULL },
    { "torus", "learners", LAB_KEY_STRING, OFF(learners), "nyquist, krr, mlp",
      "the learners, one row each, in this order whatever order they are listed in", 0, 0, 0,
      0, learner_names, NLEARN, NULL, NULL },
    { "torus", "learner_band", LAB_KEY_STRING, OFF(learner_band), "teacher",
      "the Nyquist learner's band b: teacher (the teacher's B), auto (the largest b with "
      "torus.oversample (2b + 1)^k <= n) or a number >= 0", 0, 0, 0, 0, NULL, 0, NULL, NULL },
    { "torus", "oversample", LAB_KEY_DOUBLE, OFF(oversample), "1",
      "learner_band = auto: the largest b with oversample (2b + 1)^k <= n (1: as many samples "
      "as coefficients, an interpolation)", 1, 1e6, 0, 0, NULL, 0, NULL, NULL },
    { "torus", "krr_length", LAB_KEY_DOUBLE, OFF(krr_length), "0.5",
      "kernel ridge regression: length scale l of the kernel exp(-|z - z'|^2 / (2 l^2)) on "
      "the features z", 0, 1e6, LAB_KEY_MIN_OPEN, 0, NULL, 0, NULL, NULL },
    { "torus", "krr_ridge", LAB_KEY_DOUBLE, OFF(krr_ridge), "1e-8",
      "kernel ridge regression: ridge lambda, (K + lambda I) alpha = y", 0, 1e6, 0, 0, NULL,
      0, NULL, NULL },
};

static const lab_section torus_section = {
    "torus", torus_keys, sizeof torus_keys / sizeof torus_keys[0], sizeof(torus_params)
};

static const torus_params *params_of(const lab_config *c)
{
    const torus_params *tp = lab_config_section(c, &torus_section);
    assert(tp);
    return tp;
}

static size_t learners_of(const torus_params *tp, int which[NLEARN])
{
    return lab_names_select(tp->learners, learner_names, NLEARN, which);
}

/* The Nyquist learner's band for n samples: -1 when none is (auto, n = 0);
 * -2 when the key's text is not a band. */
static long learner_band(const torus_params *tp, size_t n)
{
    const char *s = tp->learner_band;
    if (strcmp(s, "teacher") == 0)
        return tp->band;
    if (strcmp(s, "auto") == 0)
        return lab_torus_band_for((size_t)tp->dim, (size_t)floor((double)n / tp->oversample));
    char *end;
    errno = 0;
    long b = strtol(s, &end, 10);
    return end != s && *end == 0 && errno == 0 && b >= 0 && b <= 1000 ? b : -2;
}

static size_t grid_of(const torus_params *tp)
{
    return tp->grid > 0 ? (size_t)tp->grid : lab_torus_default_grid(tp->band);
}

static size_t *student_widths(const lab_student_params *sp)
{
    size_t *w = malloc((size_t)sp->depth * sizeof *w);
    for (long l = 0; w && l < sp->depth; l++)
        w[l] = (size_t)sp->width;
    return w;
}

/* The inputs of an MLP learner: the 2k features (cos, sin), or for
 * mlp_band the D = (2b + 1)^k Fourier features of the Nyquist learner's
 * band b (1 when there is none, n = 0). */
static size_t student_inputs(const lab_config *c, int learner)
{
    const torus_params *tp = params_of(c);
    long b = learner_band(tp, (size_t)c->n);
    if (learner != L_MLP_BAND)
        return 2 * (size_t)tp->dim;
    return b >= 0 ? lab_torus_dim((size_t)tp->dim, b) : 1;
}

static size_t student_params(const lab_config *c, int learner)
{
    const lab_student_params *sp = lab_student_of(c);
    size_t *w = student_widths(sp);
    size_t p = w ? lab_mlp_count_params(student_inputs(c, learner), (size_t)sp->depth, w) : 0;
    free(w);
    return p;
}

/* ==== Columns ===================================================================== */

enum { C_LEARNER, C_PARAMS, C_BAND, C_TRAIN, C_TEST, C_PRED, C_ALIAS, C_STEPS, C_STATUS,
       C_WALL, NCOLS };

static const lab_column columns[NCOLS] = {
    [C_LEARNER] = { "learner", LAB_COL_NAME, learner_names, NLEARN, LAB_STAT_KEY,
                    "nyquist (least squares in the band's Fourier basis), krr (RBF kernel ridge "
                    "regression), mlp (the MLP student) or mlp_band (the MLP student on the band's Fourier "
                    "features) (THEORY.md section 10.2)" },
    [C_PARAMS] = { "params", LAB_COL_INT, NULL, 0, LAB_STAT_SAME,
                   "the learner's parameter count: (2b + 1)^k for nyquist, n for krr, P_S "
                   "for mlp and mlp_band" },
    [C_BAND] = { "band", LAB_COL_REAL, NULL, 0, LAB_STAT_MEAN,
                 "nyquist and mlp_band: the band b (nan for the others)" },
    [C_TRAIN] = { "train_error", LAB_COL_REAL, NULL, 0, LAB_STAT_MEANSD,
                  "training MSE / teacher variance" },
    [C_TEST] = { "test_error", LAB_COL_REAL, NULL, 0, LAB_STAT_FULL,
                 "test MSE / teacher variance (the variance over the torus, 1)" },
    [C_PRED] = { "predicted", LAB_COL_REAL, NULL, 0, LAB_STAT_MEAN,
                 "nyquist: the teacher's energy outside its band b, from the teacher's "
                 "spectrum alone (nan for the others)" },
    [C_ALIAS] = { "alias", LAB_COL_REAL, NULL, 0, LAB_STAT_MEAN,
                  "MLP teachers: their grid transform's energy at |j|_inf > G/4, the scale of "
                  "the aliasing left in their coefficients (0 for series)" },
    [C_STEPS] = { "steps", LAB_COL_INT, NULL, 0, LAB_STAT_MEAN,
                  "mlp, mlp_band: optimizer steps (plus refinement iterations); 0 for the others" },
    [C_STATUS] = { "status", LAB_COL_NAME, lab_status_names, LAB_NROW, LAB_STAT_NONE,
                   "ok, or diverged (a failed solve or Cholesky factorisation, or a run "
                   "away student: errors nan)" },
    [C_WALL] = { "wall_s", LAB_COL_TIME, NULL, 0, LAB_STAT_NONE, "seconds for the learner" },
};

/* ==== Sizes ========================================================================= */

#define EVAL_ROWS 512

static size_t rows(const lab_config *c)
{
    int which[NLEARN];
    return learners_of(params_of(c), which);
}

static lab_train_params train_params(const lab_config *c)
{
    return lab_student_train_params(c, c->steps);
}

static size_t teacher_params(const lab_config *c)
{
    size_t L = c->teacher_widths.n, *w = malloc((L ? L : 1) * sizeof *w);
    for (size_t l = 0; w && l < L; l++)
        w[l] = (size_t)c->teacher_widths.v[l];
    size_t p = w ? lab_mlp_count_params(2 * (size_t)params_of(c)->dim, L, w) : 0;
    free(w);
    return p;
}

/* Multiply-adds: the teacher's grid, the Nyquist SVD (n D^2) and test
 * predictions, the kernel matrices and Cholesky, the student's training. */
static double cost(const lab_config *c)
{
    const torus_params *tp = params_of(c);
    int which[NLEARN];
    learners_of(tp, which);
    double n = (double)c->n, T = (double)c->test_size, k = (double)tp->dim;
    double cost = 0;
    if (tp->teacher != LAB_TORUS_SERIES)
        cost += pow((double)grid_of(tp), k) * (double)teacher_params(c) * 2;
    long b = learner_band(tp, (size_t)c->n);
    double D = b >= 0 ? (double)lab_torus_dim((size_t)tp->dim, b) : 1;
    D = fmax(D, (double)lab_torus_dim((size_t)tp->dim, tp->band));
    cost += (n + T) * D * 4;
    if (which[L_NYQUIST])
        cost += 4 * n * D * D;
    if (which[L_KRR])
        cost += n * n * n / 3 + (n * n / 2 + T * n) * (2 * k + 20);
    for (int l = L_MLP; l <= L_MLP_BAND; l++) {
        if (!which[l])
            continue;
        double batch = c->batch == 0 || (double)c->batch > n ? n : (double)c->batch;
        double P = (double)student_params(c, l);
        cost += P * (3 * batch * (double)c->steps + n + T);
        lab_refine_params rp = lab_refine_params_of(c);
        if (rp.method == LAB_REFINE_LM)
            cost += 50.0 * n * P * P;
        else if (rp.method == LAB_REFINE_BFGS)
            cost += 3.0 * (double)rp.max_iter * n * P;
    }
    return cost;
}

/* The teacher (and its grid, its values and transform), the angles and
 * labels, then the largest of the learners' holdings. */
static double memory(const lab_config *c)
{
    const torus_params *tp = params_of(c);
    int which[NLEARN];
    learners_of(tp, which);
    size_t k = (size_t)tp->dim, n = (size_t)c->n, T = (size_t)c->test_size;
    double N = (double)n, TT = (double)T, K = (double)k, d = sizeof(double);
    double teacher = (double)lab_torus_dim(k, tp->band) * (K + 4) * d;
    if (tp->teacher != LAB_TORUS_SERIES)
        teacher += pow((double)grid_of(tp), K) * (K + 4) * d + (double)teacher_params(c) * 2 * d
                   + EVAL_ROWS * (2 * K + 64.0) * d;
    double data = (N + TT) * (K + 3) * d;
    double learner = 0;
    long b = learner_band(tp, n);
    if (which[L_NYQUIST] && b >= 0) {
        double D = (double)lab_torus_dim(k, b);
        learner = fmax(learner, N * D * d + lab_lstsq_bytes(n, (size_t)D) + 2 * D * d);
    }
    if (which[L_KRR])
        learner = fmax(learner, lab_krr_bytes(n, 2 * k) + (N + TT) * 2 * K * d);
    for (int l = L_MLP; l <= L_MLP_BAND; l++) {
        if (!which[l])
            continue;
        const lab_student_params *sp = lab_student_of(c);
        size_t *w = student_widths(sp), in = student_inputs(c, l);
        if (!w)
            return INFINITY;
        lab_train_params trp = train_params(c);
        lab_refine_params rp = lab_refine_params_of(c);
        /* mlp_band also holds its features (n + T rows of D) */
        double m = lab_mlp_bytes(in, (size_t)sp->depth, w)
                   + lab_mlp_work_bytes((size_t)sp->depth, w, EVAL_ROWS)
                   + 2 * (lab_dataset_bytes(N, (double)in) + lab_dataset_bytes(TT, (double)in))
                   + lab_trainer_bytes(in, (size_t)sp->depth, w, &trp, n)
                   + (rp.method != LAB_REFINE_NONE
                          ? lab_refine_bytes(&rp, n, student_params(c, l), (size_t)sp->depth, w)
                          : 0.0);
        free(w);
        learner = fmax(learner, m);
    }
    return teacher + data + learner;
}

/* ==== The learners ================================================================== */

/* What a cell's learners share. */
struct cell {
    const lab_config *c;
    const torus_params *tp;
    size_t k, n, T;
    const double *theta, *y;       /* training angles (n,k) and labels */
    const double *theta_t, *y_t;   /* test angles (T,k) and labels */
    const lab_torus_teacher *teacher;
    volatile sig_atomic_t *stop;
    char *err;
    size_t errlen;
};

static double mse(size_t n, const double *f, const double *y)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (f[i] - y[i]) * (f[i] - y[i]);
    return n ? s / (double)n : NAN;
}

static void row_init(double *v, int learner, double t0)
{
    v[C_LEARNER] = learner;
    v[C_PARAMS] = 0;
    v[C_BAND] = v[C_PRED] = v[C_TRAIN] = v[C_TEST] = NAN;
    v[C_STEPS] = 0;
    v[C_STATUS] = LAB_ROW_DIVERGED;
    v[C_WALL] = t0;
}

/* Least squares of least norm in the basis of band b. */
static int nyquist(const struct cell *cs, double *v)
{
    long b = learner_band(cs->tp, cs->n);
    v[C_BAND] = (double)b;
    v[C_PRED] = lab_torus_energy_outside(cs->teacher, b);
    if (b < 0) /* no sample to fit (n >= 1 in a sweep): no row */
        return LAB_OK;
    lab_torus_band *band = lab_torus_band_alloc(cs->k, b);
    size_t D = band ? band->dim : 0, n = cs->n;
    double *phi = band ? malloc(n * D * sizeof *phi) : NULL;
    double *coef = band ? malloc(D * sizeof *coef) : NULL;
    double *f = malloc((n > cs->T ? n : cs->T) * sizeof *f), *row = band ? malloc(D * sizeof *row)
                                                                          : NULL;
    int rc = LAB_ENOMEM;
    if (!band || !phi || !coef || !f || !row)
        goto done;
    v[C_PARAMS] = (double)D;
    lab_torus_design(band, n, cs->theta, phi);
    rc = LAB_OK;
    if (lab_lstsq(n, D, phi, cs->y, -1.0, coef) < 0)
        goto done; /* a failed solve: diverged */
    lab_gemm(0, 0, n, 1, D, 1.0, phi, coef, 0.0, f); /* f = Phi c */
    v[C_TRAIN] = mse(n, f, cs->y);
    for (size_t t = 0; t < cs->T; t++) {
        lab_torus_design(band, 1, cs->theta_t + t * cs->k, row);
        double s = 0;
        for (size_t i = 0; i < D; i++)
            s += row[i] * coef[i];
        f[t] = s;
    }
    v[C_TEST] = mse(cs->T, f, cs->y_t);
    v[C_STATUS] = isfinite(v[C_TEST]) ? LAB_ROW_OK : LAB_ROW_DIVERGED;
done:
    lab_torus_band_free(band);
    free(phi);
    free(coef);
    free(f);
    free(row);
    return rc;
}

static int krr(const struct cell *cs, const double *z, const double *z_t, double *v)
{
    size_t n = cs->n, T = cs->T;
    lab_krr *m = lab_krr_alloc(n, 2 * cs->k);
    double *f = malloc((n > T ? n : T) * sizeof *f);
    if (!m || !f) {
        lab_krr_free(m);
        free(f);
        return LAB_ENOMEM;
    }
    v[C_PARAMS] = (double)n;
    if (lab_krr_fit(m, z, cs->y, cs->tp->krr_length, cs->tp->krr_ridge) == LAB_OK) {
        lab_krr_predict(m, n, z, f);
        v[C_TRAIN] = mse(n, f, cs->y);
        lab_krr_predict(m, T, z_t, f);
        v[C_TEST] = mse(T, f, cs->y_t);
        v[C_STATUS] = isfinite(v[C_TEST]) ? LAB_ROW_OK : LAB_ROW_DIVERGED;
    }
    lab_krr_free(m);
    free(f);
    return LAB_OK;
}

/* The MLP student on inputs z (n, d) and z_t (T, d). */
static int mlp(const struct cell *cs, size_t d, const double *z, const double *z_t, double *v)
{
    const lab_config *c = cs->c;
    const lab_student_params *sp = lab_student_of(c);
    size_t n = cs->n, T = cs->T;
    size_t *w = student_widths(sp);
    lab_mlp *student = w ? lab_mlp_alloc(d, (size_t)sp->depth, w, (enum lab_act)sp->act) : NULL;
    lab_mlp_work *work = student ? lab_mlp_work_alloc(student, EVAL_ROWS) : NULL;
    lab_dataset *train = lab_dataset_alloc(n, d), *test = lab_dataset_alloc(T, d);
    lab_train_params trp = train_params(c);
    lab_trainer *tr = student ? lab_trainer_alloc(student, &trp, n) : NULL;
    gsl_rng *r_init = lab_config_rng(c, LAB_STREAM_INIT), *r_batch = lab_config_rng(c,
                                                                                   LAB_STREAM_BATCH);
    lab_refine *ref = NULL;
    lab_refine_params rp = lab_refine_params_of(c);
    int rc = LAB_ENOMEM;
    if (!w || !student || !work || !train || !test || !tr || !r_init || !r_batch)
        goto done;
    if (rp.method != LAB_REFINE_NONE
        && !(ref = lab_refine_alloc(student, n, &rp, cs->err, cs->errlen)))
        goto done;
    memcpy(train->x, z, n * d * sizeof *z);
    memcpy(train->y, cs->y, n * sizeof *cs->y);
    memcpy(test->x, z_t, T * d * sizeof *z_t);
    memcpy(test->y, cs->y_t, T * sizeof *cs->y_t);
    v[C_PARAMS] = (double)student->n_params;
    lab_mlp_init(student, (enum lab_init)sp->init, r_init);
    if (sp->init_noise > 0.0)
        for (size_t i = 0; i < student->n_params; i++)
            student->theta[i] += gsl_ran_gaussian(r_init, sp->init_noise);
    lab_train_result res;
    rc = lab_trainer_run(tr, student, train, r_batch, 1.0, cs->stop, &res);
    if (rc == LAB_EINTERRUPTED)
        goto done;
    v[C_STEPS] = (double)res.steps;
    v[C_TRAIN] = res.train_error;
    if (rc == LAB_OK && ref) {
        lab_refine_result rres;
        rc = lab_refine_run(ref, student, train, 1.0, cs->stop, &rres);
        if (rc == LAB_EINTERRUPTED)
            goto done;
        v[C_TRAIN] = rc == LAB_OK ? rres.train_error : NAN;
        v[C_STEPS] += (double)rres.iters;
    }
    if (rc == LAB_OK) {
        v[C_TEST] = lab_mlp_error(student, work, test, 1.0);
        if (!lab_train_runaway(v[C_TEST], res.initial_error))
            v[C_STATUS] = LAB_ROW_OK;
    }
    if (v[C_STATUS] != LAB_ROW_OK)
        v[C_TRAIN] = v[C_TEST] = NAN;
    rc = LAB_OK; /* a diverged student is a result */
done:
    if (rc == LAB_ENOMEM)
        lab_fail(cs->err, cs->errlen, rc, "out of memory");
    gsl_rng_free(r_init);
    gsl_rng_free(r_batch);
    lab_refine_free(ref);
    lab_trainer_free(tr);
    lab_dataset_free(train);
    lab_dataset_free(test);
    lab_mlp_work_free(work);
    lab_mlp_free(student);
    free(w);
    return rc;
}

/* The MLP student on the Fourier features of the Nyquist learner's band. */
static int mlp_band(const struct cell *cs, double *v)
{
    long b = learner_band(cs->tp, cs->n);
    v[C_BAND] = (double)b;
    if (b < 0)
        return LAB_OK;
    lab_torus_band *band = lab_torus_band_alloc(cs->k, b);
    size_t D = band ? band->dim : 0;
    double *phi = band ? malloc(cs->n * D * sizeof *phi) : NULL;
    double *phi_t = band ? malloc(cs->T * D * sizeof *phi_t) : NULL;
    int rc = LAB_ENOMEM;
    if (band && phi && phi_t) {
        lab_torus_design(band, cs->n, cs->theta, phi);
        lab_torus_design(band, cs->T, cs->theta_t, phi_t);
        rc = mlp(cs, D, phi, phi_t, v);
    }
    lab_torus_band_free(band);
    free(phi);
    free(phi_t);
    return rc;
}

/* ==== The cell ======================================================================= */

/* The cell's teacher, drawn from the teacher stream. */
static int make_teacher(const lab_config *c, lab_torus_teacher **out, char *err, size_t errlen)
{
    const torus_params *tp = params_of(c);
    size_t k = (size_t)tp->dim;
    *out = NULL;
    gsl_rng *r = lab_config_rng(c, LAB_STREAM_TEACHER);
    if (!r)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    int rc = LAB_OK;
    if (tp->teacher == LAB_TORUS_SERIES) {
        if (!(*out = lab_torus_series_alloc(k, tp->band, tp->decay, r)))
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    } else {
        size_t L = c->teacher_widths.n, *w = malloc(L * sizeof *w);
        for (size_t l = 0; w && l < L; l++)
            w[l] = (size_t)c->teacher_widths.v[l];
        lab_teacher_spec spec = { .n_in = 2 * k, .depth = L, .widths = w,
                                  .act = (enum lab_act)c->teacher_act,
                                  .weight_scale = c->weight_scale, .bias_scale = c->bias_scale };
        lab_mlp *net = w ? lab_teacher_alloc(&spec, r) : NULL;
        free(w);
        if (!net)
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        else
            rc = lab_torus_mlp_alloc(k, tp->band, tp->teacher == LAB_TORUS_MLP_BAND, net,
                                     grid_of(tp), out, err, errlen);
    }
    gsl_rng_free(r);
    return rc;
}

static int run(const lab_config *c, lab_rows *out, volatile sig_atomic_t *stop, char *err,
               size_t errlen)
{
    const torus_params *tp = params_of(c);
    int which[NLEARN];
    size_t nrows = learners_of(tp, which), k = (size_t)tp->dim, n = (size_t)c->n;
    size_t T = (size_t)c->test_size;
    assert(out->nrows == nrows && out->ncols == NCOLS);
    lab_torus_teacher *teacher = NULL;
    double *theta = malloc(n * k * sizeof *theta), *theta_t = malloc(T * k * sizeof *theta_t);
    double *y = malloc(n * sizeof *y), *y_t = malloc(T * sizeof *y_t);
    double *z = malloc(n * 2 * k * sizeof *z), *z_t = malloc(T * 2 * k * sizeof *z_t);
    gsl_rng *r_train = lab_config_rng(c, LAB_STREAM_TRAIN), *r_test = lab_config_rng(c,
                                                                                    LAB_STREAM_TEST);
    int rc = LAB_ENOMEM;
    if (!theta || !theta_t || !y || !y_t || !z || !z_t || !r_train || !r_test) {
        lab_fail(err, errlen, rc, "out of memory");
        goto done;
    }
    if ((rc = make_teacher(c, &teacher, err, errlen)) != LAB_OK)
        goto done;
    lab_torus_sample(k, n, r_train, theta);
    lab_torus_sample(k, T, r_test, theta_t);
    if ((rc = lab_torus_teacher_eval(teacher, n, theta, y)) != LAB_OK
        || (rc = lab_torus_teacher_eval(teacher, T, theta_t, y_t)) != LAB_OK) {
        lab_fail(err, errlen, rc, "out of memory");
        goto done;
    }
    lab_torus_features(k, n, theta, z);
    lab_torus_features(k, T, theta_t, z_t);
    struct cell cs = { .c = c, .tp = tp, .k = k, .n = n, .T = T, .theta = theta, .y = y,
                       .theta_t = theta_t, .y_t = y_t, .teacher = teacher, .stop = stop,
                       .err = err, .errlen = errlen };
    double *v = out->v;
    for (int l = 0; l < NLEARN && rc == LAB_OK; l++) {
        if (!which[l])
            continue;
        if (stop && *stop) {
            rc = LAB_EINTERRUPTED;
            break;
        }
        double t0 = lab_clock_s();
        row_init(v, l, t0);
        rc = l == L_NYQUIST ? nyquist(&cs, v)
             : l == L_KRR   ? krr(&cs, z, z_t, v)
             : l == L_MLP   ? mlp(&cs, 2 * k, z, z_t, v)
                            : mlp_band(&cs, v);
        if (rc == LAB_ENOMEM)
            lab_fail(err, errlen, rc, "out of memory");
        v[C_ALIAS] = teacher->alias;
        v[C_WALL] = lab_clock_s() - t0;
        v += NCOLS;
    }
done:
    lab_torus_teacher_free(teacher);
    gsl_rng_free(r_train);
    gsl_rng_free(r_test);
    free(theta);
    free(theta_t);
    free(y);
    free(y_t);
    free(z);
    free(z_t);
    return rc;
}

/* ==== The kind ======================================================================= */

/* The Nyquist learner's band is a word or a number; the student is drawn
 * (it cannot be planted: the teacher is no network of its shape) and trains
 * on its training set. */
static int check(const lab_config *c, char *err, size_t errlen)
{
    char at[512];
    size_t ncells = lab_config_ncells(c);
    lab_config cell;
    if (lab_config_copy(&cell, c) != LAB_OK)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    int rc = LAB_OK;
    for (size_t i = 0; i < ncells && rc == LAB_OK; i++) {
        if ((rc = lab_config_cell(c, i, &cell)) != LAB_OK) {
            lab_fail(err, errlen, rc, "out of memory");
            break;
        }
        const torus_params *tp = params_of(&cell);
        const char *what = NULL, *key = NULL;
        if (learner_band(tp, (size_t)cell.n) == -2) {
            key = "learner_band";
            what = "expected teacher, auto or a band 0..1000, got \"%s\"";
        } else if (tp->teacher != LAB_TORUS_SERIES && tp->grid != 0
                   && (tp->grid % 2 || tp->grid < 2 * tp->band + 2)) {
            key = "grid";
            what = "the grid must be even and at least 2 torus.band + 2 (got %s)";
        } else if (lab_student_of(&cell)->init == LAB_STUDENT_INIT_TEACHER) {
            lab_config_where(c, "student", "init", at, sizeof at);
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: the kind torus cannot plant its "
                          "student at the teacher (the teacher is no network of its shape)",
                          at);
            break;
        } else if (cell.online) {
            lab_config_where(c, "train", "online", at, sizeof at);
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: the kind torus trains its learners on "
                          "one training set of n points", at);
            break;
        }
        if (what) {
            char val[64];
            if (strcmp(key, "grid") == 0)
                snprintf(val, sizeof val, "%ld", tp->grid);
            else
                snprintf(val, sizeof val, "%.60s", tp->learner_band);
            lab_config_where(c, "torus", key, at, sizeof at);
            char msg[160];
            snprintf(msg, sizeof msg, what, val);
            rc = lab_fail(err, errlen, LAB_ECONFIG, "%s: %s", at, msg);
        }
    }
    lab_config_release(&cell);
    /* and student.project, which the torus's inputs have no band for */
    return rc == LAB_OK ? lab_student_check(c, err, errlen) : rc;
}

static const lab_section *const sections[] = { &torus_section, &lab_student_section,
                                               &lab_refine_section };

const lab_kind lab_kind_torus = {
    .name = "torus",
    .doc = "learn a band-limited target on the torus [0, 2pi)^k with the Nyquist learner "
           "(least squares in the band's Fourier basis), kernel ridge regression and an MLP "
           "student, a row each",
    .sections = sections,
    .nsections = 3,
    .columns = columns,
    .ncolumns = NCOLS,
    .error = "test_error",
    .joint = "none",
    .curves = "n:learner",
    .size_axes = "",
    .teacher = 0,
    .check = check,
    .rows = rows,
    .cost = cost,
    .memory = memory,
    .run = run,
};
