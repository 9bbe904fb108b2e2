/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "forms.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"
#include "status.h"
#include "strbuf.h"

/* The most parameters a form has (bnsl:8: 2 + 1 + 3*8). */
#define MAX_PARAMS 32
#define MAX_BREAKS 8
#define MAX_GRID LAB_FORM_MAXGRID

enum form_id { HESTNESS, HESTNESS3, ROSENFELD, PRUNE, BNSL, KAPLAN, CHINCHILLA, EXPDECAY };

struct param {
    char name[16];
    enum lab_param_kind kind;
    int fixed;              /* held at `value` */
    double value;
    int user_grid;          /* grid replaced by lab_form_set_grid() */
    size_t ngrid;
    double grid[MAX_GRID];
};

struct lab_form {
    enum form_id id;
    char name[32];
    size_t nx;
    size_t np;
    size_t breaks;          /* bnsl: K */
    int joint;              /* rosenfeld-prune: the (d, eps_np, l, w) law */
    struct param p[MAX_PARAMS];
};

const char lab_form_list[] =
    "hestness, hestness:3, rosenfeld, rosenfeld-prune, bnsl[:K], kaplan, chinchilla, exp";

/* The registry: every form's name, its x columns by default (the columns of
 * the lab's results that it reads) and their meaning. The parameters and
 * start grids of each form follow below (lab_form_alloc, lab_form_grid). */
static const lab_form_info registry[] = {
    [HESTNESS] = { "hestness", 1, { "n" }, "x", "y = α x^β + γ" },
    [HESTNESS3] = { "hestness:3", 1, { "n" }, "x",
                    "y = ε0 s / √(s² + ε0²), s = α x^β + γ" },
    [ROSENFELD] = { "rosenfeld", 2, { "n", "params" }, "n, m",
                    "ε = ε0 |e / (e − iη)|, e = a n^−α + b m^−β + c∞" },
    [PRUNE] = { "rosenfeld-prune", 2, { "d", "eps_np" }, "d, eps_np",
                "ε = ε_np |(d − i p (ε↑/ε_np)^(1/γ)) / (d − i p)|^γ" },
    [BNSL] = { "bnsl", 1, { "n" }, "x",
               "y = a + b x^−c0 ∏ₖ (1 + (x/dₖ)^(1/fₖ))^(−cₖ fₖ)" },
    [KAPLAN] = { "kaplan", 2, { "params", "n" }, "N, D", "L = ((N_c/N)^(α_N/α_D) + D_c/D)^α_D" },
    [CHINCHILLA] = { "chinchilla", 2, { "params", "n" }, "N, D", "L = E + A/N^α + B/D^β" },
    [EXPDECAY] = { "exp", 1, { "n" }, "x", "y = a exp(−x/b) + c" },
};
#define NFORMS (sizeof registry / sizeof registry[0])
_Static_assert(NFORMS == EXPDECAY + 1, "one registry entry per form");

/* The form id of a spec (-1 with a message when none); for bnsl:K, K in
 * breaks. */
static int lookup(const char *spec, size_t *breaks, char *err, size_t errlen)
{
    *breaks = 0;
    if (strncmp(spec, "bnsl", 4) == 0 && (spec[4] == '\0' || spec[4] == ':')) {
        char *end;
        long k = spec[4] ? strtol(spec + 5, &end, 10) : 1;
        if (spec[4] && (end == spec + 5 || *end || k < 0 || k > MAX_BREAKS)) {
            lab_fail(err, errlen, LAB_EINVAL, "%s: the number of breaks must be an integer in "
                     "[0, %d]", spec, MAX_BREAKS);
            return -1;
        }
        *breaks = (size_t)k;
        spec = "bnsl";
    }
    for (size_t i = 0; i < NFORMS; i++)
        if (strcmp(spec, registry[i].name) == 0)
            return (int)i;
    lab_fail(err, errlen, LAB_EINVAL, "%s: unknown form (forms: %s)", spec, lab_form_list);
    return -1;
}

int lab_form_lookup(const char *spec, lab_form_info *info, char *err, size_t errlen)
{
    size_t breaks;
    int id = lookup(spec, &breaks, err, errlen);
    if (id < 0)
        return LAB_EINVAL;
    *info = registry[id];
    return LAB_OK;
}

/* ==== Construction ========================================================== */

static void add(lab_form *f, const char *name, enum lab_param_kind kind)
{
    struct param *p = &f->p[f->np++];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->kind = kind;
}

static void fix(lab_form *f, const char *name, double value)
{
    long i = lab_form_param_index(f, name);
    f->p[i].fixed = 1;
    f->p[i].value = value;
}

int lab_form_alloc(const char *spec, size_t nx, lab_form **out, char *err, size_t errlen)
{
    *out = NULL;
    size_t breaks;
    int id = lookup(spec, &breaks, err, errlen);
    if (id < 0)
        return LAB_EINVAL;
    lab_form *f = calloc(1, sizeof *f);
    if (!f)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    snprintf(f->name, sizeof f->name, "%s", spec);
    f->id = (enum form_id)id;
    size_t want = registry[id].nx;
    switch (f->id) {
    case HESTNESS:
    case HESTNESS3:
        add(f, "alpha", LAB_PARAM_POS);
        add(f, "beta", LAB_PARAM_NEG);
        add(f, "gamma", LAB_PARAM_NONNEG);
        if (f->id == HESTNESS3) {
            add(f, "eps0", LAB_PARAM_POS);
            fix(f, "eps0", 1.0);
        }
        break;
    case ROSENFELD:
        add(f, "a", LAB_PARAM_POS);
        add(f, "alpha", LAB_PARAM_POS);
        add(f, "b", LAB_PARAM_POS);
        add(f, "beta", LAB_PARAM_POS);
        add(f, "c_inf", LAB_PARAM_NONNEG);
        add(f, "eta", LAB_PARAM_POS);
        add(f, "eps0", LAB_PARAM_POS);
        fix(f, "a", 1.0);
        fix(f, "eps0", 1.0);
        break;
    case PRUNE:
        /* Two x columns, or four for the joint law. */
        want = nx == 4 ? 4 : want;
        f->joint = nx == 4;
        add(f, "eps_up", LAB_PARAM_POS);
        add(f, "gamma", LAB_PARAM_POS);
        add(f, "p", LAB_PARAM_POS);
        if (f->joint) {
            add(f, "phi", LAB_PARAM_FREE);
            add(f, "psi", LAB_PARAM_FREE);
        }
        break;
    case BNSL:
        f->breaks = breaks;
        add(f, "a", LAB_PARAM_NONNEG);
        add(f, "b", LAB_PARAM_POS);
        add(f, "c0", LAB_PARAM_FREE);
        for (int i = 1; i <= (int)breaks; i++) {
            char name[16];
            snprintf(name, sizeof name, "c%d", i);
            add(f, name, LAB_PARAM_FREE);
            snprintf(name, sizeof name, "d%d", i);
            add(f, name, LAB_PARAM_POS);
            snprintf(name, sizeof name, "f%d", i);
            add(f, name, LAB_PARAM_POS);
        }
        break;
    case KAPLAN:
        add(f, "N_c", LAB_PARAM_POS);
        add(f, "D_c", LAB_PARAM_POS);
        add(f, "alpha_N", LAB_PARAM_POS);
        add(f, "alpha_D", LAB_PARAM_POS);
        break;
    case CHINCHILLA:
        add(f, "E", LAB_PARAM_POS);
        add(f, "A", LAB_PARAM_POS);
        add(f, "B", LAB_PARAM_POS);
        add(f, "alpha", LAB_PARAM_FREE);
        add(f, "beta", LAB_PARAM_FREE);
        break;
    case EXPDECAY:
        add(f, "a", LAB_PARAM_POS);
        add(f, "b", LAB_PARAM_POS);
        add(f, "c", LAB_PARAM_NONNEG);
        break;
    }
    if (nx != want) {
        f->nx = want;
        int rc = lab_fail(err, errlen, LAB_EINVAL, "%s takes %zu x column%s (%s), not %zu%s",
                          spec, want, want > 1 ? "s" : "", lab_form_x_roles(f), nx,
                          f->id == PRUNE ? " (or 4: d, eps_np, l, w, for the joint law)" : "");
        free(f);
        return rc;
    }
    f->nx = nx;
    *out = f;
    return LAB_OK;
}

void lab_form_free(lab_form *f)
{
    free(f);
}

const char *lab_form_name(const lab_form *f)
{
    return f->name;
}

size_t lab_form_nx(const lab_form *f)
{
    return f->nx;
}

const char *lab_form_x_roles(const lab_form *f)
{
    if (f->id == PRUNE && f->joint)
        return "d, eps_np, l, w";
    return registry[f->id].roles;
}

const char *lab_form_formula(const lab_form *f)
{
    if (f->id == PRUNE && f->joint)
        return "ε = ε_np |(u − i p (ε↑/ε_np)^(1/γ)) / (u − i p)|^γ, u = l^φ w^ψ d";
    if (f->id == BNSL && f->breaks == 0)
        return "y = a + b x^−c0";
    return registry[f->id].formula;
}

size_t lab_form_nparams(const lab_form *f)
{
    return f->np;
}

const char *lab_form_param_name(const lab_form *f, size_t i)
{
    return f->p[i].name;
}

enum lab_param_kind lab_form_param_kind(const lab_form *f, size_t i)
{
    return f->p[i].kind;
}

long lab_form_param_index(const lab_form *f, const char *name)
{
    for (size_t i = 0; i < f->np; i++)
        if (strcmp(f->p[i].name, name) == 0)
            return (long)i;
    return -1;
}

int lab_form_param_fixed(const lab_form *f, size_t i, double *value)
{
    if (f->p[i].fixed && value)
        *value = f->p[i].value;
    return f->p[i].fixed;
}

/* The parameter by name, or NULL with a message listing the names. */
static struct param *named(lab_form *f, const char *name, char *err, size_t errlen)
{
    long i = lab_form_param_index(f, name);
    if (i >= 0)
        return &f->p[i];
    lab_strbuf names = LAB_STRBUF_INIT;
    for (size_t k = 0; k < f->np; k++)
        lab_strbuf_printf(&names, " %s", f->p[k].name);
    lab_fail(err, errlen, LAB_EINVAL, "%s has no parameter \"%s\" (it has%s)", f->name, name,
             lab_strbuf_str(&names));
    lab_strbuf_release(&names);
    return NULL;
}

static int kind_allows(enum lab_param_kind kind, double v)
{
    switch (kind) {
    case LAB_PARAM_POS: return v > 0 && isfinite(v);
    case LAB_PARAM_NONNEG: return v >= 0 && isfinite(v);
    case LAB_PARAM_NEG: return v < 0 && isfinite(v);
    default: return isfinite(v);
    }
}

static const char *kind_text(enum lab_param_kind kind)
{
    switch (kind) {
    case LAB_PARAM_POS: return "positive";
    case LAB_PARAM_NONNEG: return "non-negative";
    case LAB_PARAM_NEG: return "negative";
    default: return "finite";
    }
}

int lab_form_fix(lab_form *f, const char *name, double value, char *err, size_t errlen)
{
    struct param *p = named(f, name, err, errlen);
    if (!p)
        return LAB_EINVAL;
    if (!isfinite(value) || !kind_allows(p->kind, value))
        return lab_fail(err, errlen, LAB_EINVAL, "%s.%s must be %s, not %g", f->name, name,
                        kind_text(p->kind), value);
    p->fixed = 1;
    p->value = value;
    return LAB_OK;
}

int lab_form_free_param(lab_form *f, const char *name, char *err, size_t errlen)
{
    struct param *p = named(f, name, err, errlen);
    if (!p)
        return LAB_EINVAL;
    if (f->id == ROSENFELD && strcmp(name, "a") == 0)
        return lab_fail(err, errlen, LAB_EINVAL, "rosenfeld.a cannot be fitted: the envelope "
                        "does not change when a and eta scale together, so a is fixed at 1");
    p->fixed = 0;
    return LAB_OK;
}

int lab_form_set_grid(lab_form *f, const char *name, const double *vals, size_t n,
                      char *err, size_t errlen)
{
    struct param *p = named(f, name, err, errlen);
    if (!p)
        return LAB_EINVAL;
    if (n == 0 || n > MAX_GRID)
        return lab_fail(err, errlen, LAB_EINVAL, "%s.%s: a start grid has 1 to %d values",
                        f->name, name, MAX_GRID);
    for (size_t i = 0; i < n; i++)
        if (!kind_allows(p->kind, vals[i]) && !(p->kind == LAB_PARAM_NONNEG && vals[i] == 0))
            return lab_fail(err, errlen, LAB_EINVAL, "%s.%s: start %g is not %s%s", f->name,
                            name, vals[i], isfinite(vals[i]) ? "" : "finite and ",
                            kind_text(p->kind));
    memcpy(p->grid, vals, n * sizeof *vals);
    p->ngrid = n;
    p->user_grid = 1;
    return LAB_OK;
}

/* ==== Evaluation ================================================================ */

/* Every form is one function of one point (NAME_1), evaluated over a batch
 * of points by one loop, with lx = log x precomputed (the fitter keeps the
 * logarithms of its data): a power x^b is one exp, and the loops vectorise
 * through libmvec (simd.h). Gradients are stored point by point:
 * g[i * np + j] = dy_i / dtheta_j. */

/* log(1 + e^z) and 1 / (1 + e^-z) without overflow or branches. */
static inline double softplus(double z)
{
    return fmax(z, 0.0) + log1p(exp(-fabs(z)));
}

static inline double sigmoid(double z)
{
    double e = exp(-fabs(z));
    return z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

/* One loop over the points, vectorised; point_call computes y_i and writes
 * its gradient to gi. Without g the gradient goes to a local array, whose
 * stores the compiler removes once the call is inlined. */
#define FORM_LOOP(point_call)                              \
    do {                                                   \
        if (g) {                                           \
            LAB_SIMD                                       \
            for (size_t i = 0; i < n; i++) {               \
                double *gi = g + i * np;                   \
                y[i] = point_call;                         \
            }                                              \
        } else {                                           \
            LAB_SIMD                                       \
            for (size_t i = 0; i < n; i++) {               \
                double gi[MAX_PARAMS];                     \
                y[i] = point_call;                         \
            }                                              \
        }                                                  \
    } while (0)

/* The envelope of Rosenfeld et al. 2020, |s / (s - i eta)| scaled by eps0:
 * y = eps0 s / sqrt(s^2 + eta^2), with its derivatives. */
static inline double envelope(double s, double eta, double eps0, double *ds, double *deta,
                              double *deps0)
{
    double r2 = s * s + eta * eta, r = sqrt(r2), r3 = r2 * r;
    *ds = eps0 * eta * eta / r3;
    *deta = -eps0 * s * eta / r3;
    *deps0 = s / r;
    return eps0 * s / r;
}

/* theta: alpha beta gamma; lx: log x. */
static inline double hestness_1(const double *t, const double *lx, double *g)
{
    double xb = exp(t[1] * lx[0]);
    g[0] = xb;
    g[1] = t[0] * xb * lx[0];
    g[2] = 1.0;
    return t[0] * xb + t[2];
}

/* theta: alpha beta gamma eps0. */
static inline double hestness3_1(const double *t, const double *lx, double *g)
{
    double ds, deta, deps0;
    double y = envelope(hestness_1(t, lx, g), t[3], t[3], &ds, &deta, &deps0);
    g[0] *= ds;
    g[1] *= ds;
    g[2] *= ds;
    g[3] = deta + deps0; /* eps0 is both the scale and the pole */
    return y;
}

/* theta: a alpha b beta c_inf eta eps0; x: n m. */
static inline double rosenfeld_1(const double *t, const double *lx, double *g)
{
    double na = exp(-t[1] * lx[0]), mb = exp(-t[3] * lx[1]);
    double de, deta, deps0, e = t[0] * na + t[2] * mb + t[4];
    double y = envelope(e, t[5], t[6], &de, &deta, &deps0);
    g[0] = de * na;
    g[1] = -de * t[0] * na * lx[0];
    g[2] = de * mb;
    g[3] = -de * t[2] * mb * lx[1];
    g[4] = de;
    g[5] = deta;
    g[6] = deps0;
    return y;
}

/* theta: eps_up gamma p [phi psi]; x: d eps_np [l w].
 * y = eps_np ((u^2 + q^2) / (u^2 + p^2))^(gamma/2), q = p (eps_up/eps_np)^(1/gamma),
 * the modulus form of Rosenfeld et al. 2021, Eq. 1, with u = d, or
 * u = l^phi w^psi d for the joint law. Returns y and dlog y/du in *dly_du. */
static inline double prune_u(const double *t, double u, double lenp, double *g, double *dly_du)
{
    double up = t[0], gam = t[1], p = t[2];
    double ratio = log(up) - lenp, k = exp(ratio / gam), q = p * k;
    double u2 = u * u, aq = u2 + q * q, ap = u2 + p * p, la = log(aq) - log(ap);
    double y = exp(lenp + 0.5 * gam * la);
    double dq_dgam = -q * ratio / (gam * gam);
    g[0] = y * (q * q / (up * aq));
    g[1] = y * (0.5 * la + gam * q * dq_dgam / aq);
    g[2] = y * gam * (q * k / aq - p / ap);
    *dly_du = gam * u * (1.0 / aq - 1.0 / ap);
    return y;
}

static inline double prune_1(const double *t, const double *x, const double *lx, double *g)
{
    double unused;
    return prune_u(t, x[0], lx[1], g, &unused);
}

static inline double prune_joint_1(const double *t, const double *lx, double *g)
{
    double dly_du, u = exp(lx[0] + t[3] * lx[2] + t[4] * lx[3]);
    double y = prune_u(t, u, lx[1], g, &dly_du);
    g[3] = y * dly_du * u * lx[2];
    g[4] = y * dly_du * u * lx[3];
    return y;
}

/* theta: a b c0 (c_k d_k f_k)...:
 * y = a + b exp(-c0 log x - sum_k c_k f_k softplus((log x - log d_k) / f_k)). */
static inline double bnsl_1(const double *t, size_t breaks, const double *lx, double *g)
{
    double l = lx[0], lg = -t[2] * l;
    for (size_t k = 0; k < breaks; k++) {
        const double *c = t + 3 + 3 * k;
        lg -= c[0] * c[2] * softplus((l - log(c[1])) / c[2]);
    }
    double shape = exp(lg), by = t[1] * shape;
    g[0] = 1.0;
    g[1] = shape;
    g[2] = -by * l;
    for (size_t k = 0; k < breaks; k++) {
        const double *c = t + 3 + 3 * k;
        double z = (l - log(c[1])) / c[2], sp = softplus(z), sg = sigmoid(z);
        g[3 + 3 * k] = -by * c[2] * sp;
        g[4 + 3 * k] = by * c[0] * sg / c[1];
        g[5 + 3 * k] = -by * c[0] * (sp - z * sg);
    }
    return t[0] + by;
}

/* theta: N_c D_c alpha_N alpha_D; x: N D. */
static inline double kaplan_1(const double *t, const double *lx, double *g)
{
    double r = t[2] / t[3], lnc = log(t[0]) - lx[0];
    double t1 = exp(r * lnc), t2 = exp(log(t[1]) - lx[1]), S = t1 + t2, lS = log(S);
    double y = exp(t[3] * lS);
    g[0] = y * t[2] * t1 / (t[0] * S);
    g[1] = y * t[3] * t2 / (t[1] * S);
    g[2] = y * t1 * lnc / S;
    g[3] = y * (lS - r * t1 * lnc / S);
    return y;
}

/* theta: E A B alpha beta; x: N D. */
static inline double chinchilla_1(const double *t, const double *lx, double *g)
{
    double na = exp(-t[3] * lx[0]), db = exp(-t[4] * lx[1]);
    g[0] = 1.0;
    g[1] = na;
    g[2] = db;
    g[3] = -t[1] * na * lx[0];
    g[4] = -t[2] * db * lx[1];
    return t[0] + t[1] * na + t[2] * db;
}

/* theta: a b c. */
static inline double exp_1(const double *t, const double *x, double *g)
{
    double e = exp(-x[0] / t[1]);
    g[0] = e;
    g[1] = t[0] * e * x[0] / (t[1] * t[1]);
    g[2] = 1.0;
    return t[0] * e + t[2];
}

LAB_VECTOR_KERNEL
static void eval_batch(const lab_form *f, const double *t, size_t n, const double *x,
                       const double *lx, double *y, double *g)
{
    size_t nx = f->nx, np = f->np;
    size_t breaks = f->breaks;
    switch (f->id) {
    case HESTNESS: FORM_LOOP(hestness_1(t, lx + i * nx, gi)); break;
    case HESTNESS3: FORM_LOOP(hestness3_1(t, lx + i * nx, gi)); break;
    case ROSENFELD: FORM_LOOP(rosenfeld_1(t, lx + i * nx, gi)); break;
    case PRUNE:
        if (f->joint)
            FORM_LOOP(prune_joint_1(t, lx + i * nx, gi));
        else
            FORM_LOOP(prune_1(t, x + i * nx, lx + i * nx, gi));
        break;
    case BNSL: FORM_LOOP(bnsl_1(t, breaks, lx + i * nx, gi)); break;
    case KAPLAN: FORM_LOOP(kaplan_1(t, lx + i * nx, gi)); break;
    case CHINCHILLA: FORM_LOOP(chinchilla_1(t, lx + i * nx, gi)); break;
    case EXPDECAY: FORM_LOOP(exp_1(t, x + i * nx, gi)); break;
    }
}

void lab_form_eval_n(const lab_form *f, const double *theta, size_t n, const double *x,
                     const double *lx, double *y, double *grad)
{
    eval_batch(f, theta, n, x, lx, y, grad);
}

double lab_form_eval(const lab_form *f, const double *theta, const double *x, double *grad)
{
    double lx[4], y;
    for (size_t c = 0; c < f->nx; c++)
        lx[c] = log(x[c]);
    lab_form_eval_n(f, theta, 1, x, lx, &y, grad);
    return y;
}

/* ==== Amplitudes ================================================================= */

size_t lab_form_amplitudes(const lab_form *f, size_t *amp)
{
    switch (f->id) {
    case HESTNESS:
    case EXPDECAY:
        amp[0] = 0; /* alpha or a */
        amp[1] = 2; /* gamma or c */
        return 2;
    case BNSL:
        amp[0] = 0; /* a */
        amp[1] = 1; /* b */
        return 2;
    case CHINCHILLA:
        amp[0] = 0;
        amp[1] = 1;
        amp[2] = 2;
        return 3;
    default:
        return 0;
    }
}

/* Whether amplitude j (in lab_form_amplitudes() order) is an additive
 * constant, whose basis is 1: then no evaluation is needed. */
static int constant_amplitude(const lab_form *f, size_t j)
{
    switch (f->id) {
    case HESTNESS:
    case EXPDECAY: return j == 1; /* gamma, c */
    case BNSL:
    case CHINCHILLA: return j == 0; /* a, E */
    default: return 0;
    }
}

void lab_form_basis_n(const lab_form *f, const double *theta, size_t n, const double *x,
                      const double *lx, double *phi, double *scratch)
{
    /* The basis is the curve at unit amplitudes with the others at zero. */
    double t[MAX_PARAMS];
    size_t amp[4], na = lab_form_amplitudes(f, amp);
    memcpy(t, theta, f->np * sizeof *t);
    for (size_t j = 0; j < na; j++)
        t[amp[j]] = 0.0;
    for (size_t j = 0; j < na; j++) {
        if (constant_amplitude(f, j)) {
            for (size_t i = 0; i < n; i++)
                phi[i * na + j] = 1.0;
            continue;
        }
        t[amp[j]] = 1.0;
        lab_form_eval_n(f, t, n, x, lx, scratch, NULL);
        for (size_t i = 0; i < n; i++)
            phi[i * na + j] = scratch[i];
        t[amp[j]] = 0.0;
    }
}

int lab_form_admissible(const lab_form *f, const double *theta)
{
    /* Breaks in increasing order: the same curve otherwise appears K! times. */
    if (f->id == BNSL)
        for (size_t i = 1; i < f->breaks; i++)
            if (theta[4 + 3 * i] <= theta[4 + 3 * (i - 1)])
                return 0;
    return 1;
}

void lab_form_canonical(const lab_form *f, double *theta)
{
    /* The product over breaks does not depend on their order: list them by
     * position, so one curve has one set of parameters. */
    if (f->id != BNSL)
        return;
    for (size_t i = 1; i < f->breaks; i++)
        for (size_t j = i; j > 0 && theta[4 + 3 * j] < theta[4 + 3 * (j - 1)]; j--)
            for (size_t k = 0; k < 3; k++) {
                double t = theta[3 + 3 * j + k];
                theta[3 + 3 * j + k] = theta[3 + 3 * (j - 1) + k];
                theta[3 + 3 * (j - 1) + k] = t;
            }
}

/* ==== Start grids ================================================================ */

/* n values from lo to hi, evenly spaced in log. */
static size_t logspace(double lo, double hi, size_t n, double *v)
{
    for (size_t i = 0; i < n; i++)
        v[i] = n == 1 ? lo : exp(log(lo) + (log(hi) - log(lo)) * (double)i / (double)(n - 1));
    return n;
}

static size_t list(double *v, size_t n, const double *src)
{
    memcpy(v, src, n * sizeof *v);
    return n;
}

#define LIST(v, ...) list((v), sizeof((const double[]){ __VA_ARGS__ }) / sizeof(double), \
                          (const double[]){ __VA_ARGS__ })

/* The bnsl grid. One break: built on the published 4-digit-addition and
 * noiseless grids (Caballero et al.'s code: c0 in [0, 1) by 0.25 and
 * [0, 0.2) by 0.05; c1 in [0, 8) by 0.5; d1 = 1.25^d' - 1 with d' in
 * [0, 40) by 2.5; f1 in [0, 1) by 0.25 and (0, 0.2) by 0.05), thinned (c1
 * skips 2.5 to 6.5 by 1, d' keeps the breaks within 4 times the data's x
 * range) and widened where better optima
 * of real curves lie: steeper starts (c0 up to 2), negative slope changes
 * (the curve bends less steeply after the break), sharp breaks (f1 down to
 * 0.01) and break positions log-spaced densely enough over the data to put
 * a sharp break between any two late points. Two breaks: coarser grids per
 * break, the breaks kept in increasing order by admissibility. Three or
 * more: each break gets its own slice of the x range (in log), so the order
 * holds by construction, with fewer values per break as K grows (5103
 * starts for K = 3, 45927 for K = 4, 7 2^K from K = 5). */
static size_t bnsl_grid(const lab_form *f, size_t pass, size_t i, const lab_grid_data *gd,
                        double *v, size_t cap)
{
    size_t which = (i - 3) % 3, k = (i - 3) / 3; /* c_k, d_k or f_k of break k */
    size_t K = (size_t)f->breaks;
    double xmin = gd->xmin[0], xmax = gd->xmax[0];
    if (pass == 1) { /* one sharp break in every gap between neighbouring x */
        if (i == 2)
            return LIST(v, -10, -1, 0, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2);
        if (which == 0)
            return LIST(v, -1, -0.5, -0.2, 0.2, 0.5, 1, 2, 4, 8, 10, 30);
        if (which == 2)
            return LIST(v, 0.005);
        /* Every gap, or as many as fit, spread evenly over the data. */
        size_t gaps = gd->nx0 > 1 ? gd->nx0 - 1 : 0, n = gaps < cap ? gaps : cap;
        for (size_t j = 0; j < n; j++) {
            size_t g = j * gaps / n;
            v[j] = sqrt(gd->x0[g] * gd->x0[g + 1]);
        }
        return n;
    }
    if (i == 2)
        return K == 1 ? LIST(v, 0, 0.05, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 1.5, 2)
                      : LIST(v, 0, 0.05, 0.1, 0.15, 0.25, 0.5, 0.75);
    if (K >= 3) {
        if (which == 0)
            return K <= 4 ? LIST(v, -0.5, 1, 3) : LIST(v, 1);
        if (which == 2)
            return LIST(v, 0.25);
        size_t npos = K <= 4 ? 3 : 2;
        double a = log(xmin), w = (log(xmax) - a) / (double)K;
        for (size_t j = 0; j < npos; j++)
            v[j] = exp(a + w * ((double)k + ((double)j + 0.5) / (double)npos));
        return npos;
    }
    if (which == 0)
        return K == 2 ? LIST(v, -0.5, 0.5, 1, 2, 4)
                      : LIST(v, -2, -1, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5,
                             6, 7, 7.5);
    if (which == 2)
        return K == 2 ? LIST(v, 0.05, 0.25, 1)
                      : LIST(v, 0.01, 0.02, 0.05, 0.1, 0.15, 0.25, 0.5, 0.75);
    /* break positions */
    if (K == 2)
        return logspace(xmin, xmax, 6, v);
    size_t n = 0;
    for (double dp = 2.5; dp < 40; dp += 2.5) {
        double d = pow(1.25, dp) - 1 + 1e-8;
        if (d >= xmin / 4 && d <= xmax * 4)
            v[n++] = d;
    }
    n += logspace(xmin, xmax, 16, v + n);
    return n;
}

/* The class of a slope change: negative, moderate (below 2) or steep. */
static size_t slope_class(double c)
{
    return c < 0 ? 0 : c < 2 ? 1 : 2;
}

/* The places a sharp break can be among the data (before every point, or
 * after the last), merged into at most this many on long curves. */
#define MAX_SHARP_PLACES 64

static size_t sharp_places(const lab_grid_data *gd)
{
    return gd->nx0 + 1 < MAX_SHARP_PLACES ? gd->nx0 + 1 : MAX_SHARP_PLACES;
}

size_t lab_form_nbasins(const lab_form *f, const lab_grid_data *gd)
{
    if (f->id != BNSL || f->breaks == 0 || f->breaks > 2)
        return 1;
    if (f->breaks == 2)
        return 8 * 8;
    return 3 * 6 + 2 * sharp_places(gd);
}

size_t lab_form_basin(const lab_form *f, const double *theta, const lab_grid_data *gd)
{
    if (f->id != BNSL || f->breaks == 0 || f->breaks > 2)
        return 0;
    if (f->breaks == 2) {
        double mid = 0.5 * (log(gd->xmin[0]) + log(gd->xmax[0]));
        size_t basin = 0;
        for (size_t k = 0; k < 2; k++) {
            const double *c = theta + 3 + 3 * k;
            basin = basin * 8 + (c[0] < 0) * 4 + (c[2] < 0.1) * 2 + (log(c[1]) > mid);
        }
        return basin;
    }
    const double *c = theta + 3;
    if (c[2] >= 0.1) {
        double lo = log(gd->xmin[0]), span = log(gd->xmax[0]) - lo;
        double pos = span > 0 ? (log(c[1]) - lo) / span : 0.5;
        size_t where = pos < 0 ? 0 : pos >= 1 ? 5 : 1 + (size_t)(4 * pos);
        return slope_class(c[0]) * 6 + where;
    }
    size_t below = 0; /* the points below the break */
    while (below < gd->nx0 && gd->x0[below] < c[1])
        below++;
    size_t place = below * sharp_places(gd) / (gd->nx0 + 1);
    return 3 * 6 + 2 * place + (c[0] < 0);
}

/* Whether any parameter's grid was replaced. */
static int user_grids(const lab_form *f)
{
    int any = 0;
    for (size_t i = 0; i < f->np; i++)
        any |= f->p[i].user_grid;
    return any;
}

size_t lab_form_grid_passes(const lab_form *f)
{
    return f->id == BNSL && f->breaks == 1 && !user_grids(f) ? 2 : 1;
}

size_t lab_form_grid(const lab_form *f, size_t pass, size_t i, const lab_grid_data *gd,
                     double *vals, size_t cap)
{
    const struct param *p = &f->p[i];
    const double *xmin = gd->xmin, *xmax = gd->xmax;
    double ymin = gd->ymin, ymax = gd->ymax;
    double v[MAX_GRID * 2];
    size_t n = 0;
    if (p->user_grid) {
        n = p->ngrid;
        memcpy(v, p->grid, n * sizeof *v);
    } else {
        switch (f->id) {
        case HESTNESS:
        case HESTNESS3:
            if (i == 1) /* beta */
                n = LIST(v, -0.05, -0.1, -0.2, -0.35, -0.5, -0.75, -1, -1.5, -2, -3);
            else if (i == 0 && f->id == HESTNESS3) /* alpha, when not solved */
                n = logspace(1e-3 * ymax, 1e8 * ymax, 12, v);
            else if (i == 2 && f->id == HESTNESS3)
                n = LIST(v, 1e-3 * ymin, 0.5 * ymin);
            break;
        case ROSENFELD:
            if (i == 1 || i == 3) /* alpha, beta */
                n = LIST(v, 0.1, 0.25, 0.5, 1, 2);
            else if (i == 2) /* b */
                n = LIST(v, 0.01, 0.1, 1, 10, 100);
            else if (i == 4) /* c_inf */
                n = LIST(v, 1e-6 * ymin, 0.5 * ymin);
            else if (i == 5) /* eta */
                n = LIST(v, 1e-3, 1e-2, 0.1, 1);
            break;
        case PRUNE:
            if (i == 0) /* eps_up */
                n = LIST(v, 1.1 * ymax, 2 * ymax, 5 * ymax);
            else if (i == 1) /* gamma */
                n = LIST(v, 0.5, 1, 2, 4);
            else if (i == 2) /* p */
                n = logspace(xmin[0], xmax[0], 5, v);
            else /* phi, psi */
                n = LIST(v, 0, 0.5, 1, 2);
            break;
        case BNSL:
            if (i >= 2) /* a and b are amplitudes */
                n = bnsl_grid(f, pass, i, gd, v, sizeof v / sizeof *v);
            break;
        case KAPLAN:
            if (i == 0)
                n = logspace(xmin[0] / 10, xmax[0] * 1e6, 8, v);
            else if (i == 1)
                n = logspace(xmin[1] / 10, xmax[1] * 1e6, 8, v);
            else
                n = LIST(v, 0.05, 0.1, 0.2, 0.35, 0.5, 0.8);
            break;
        case CHINCHILLA:
            /* The replication's grid for the exponents (Besiroglu et al. 2024). */
            if (i == 3 || i == 4)
                n = LIST(v, 0, 0.5, 1, 1.5, 2);
            break;
        case EXPDECAY:
            if (i == 1)
                n = logspace(xmin[0] / 4, xmax[0] * 4, 12, v);
            break;
        }
    }
    if (n > cap)
        n = cap;
    memcpy(vals, v, n * sizeof *v);
    return n;
}
