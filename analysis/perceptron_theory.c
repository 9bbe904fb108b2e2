/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Learning curves of perceptron students: the saddle-point equations of
 * THEORY.md §5.1, solved with GSL's adaptive quadrature and Brent's root
 * finder. Every root is found in v = ln tan(phi), phi the angle between
 * student and teacher: cos(phi), sin(phi) and 1 - cos(phi) then all keep
 * their relative digits, when R -> 1 (large alpha) as when R -> 0 (small
 * alpha), and one absolute tolerance on v serves every alpha. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_erf.h>

#include "perceptron_theory.h"
#include "status.h"

const char *const lab_plearner_names[LAB_PLEARNER_COUNT] = {
    [LAB_PLEARNER_GIBBS] = "gibbs",
    [LAB_PLEARNER_BAYES] = "bayes",
    [LAB_PLEARNER_MAXMARGIN] = "maxmargin",
    [LAB_PLEARNER_HEBB] = "hebb",
};

int lab_plearner_parse(const char *name)
{
    for (int i = 0; i < LAB_PLEARNER_COUNT; i++)
        if (strcmp(name, lab_plearner_names[i]) == 0)
            return i;
    return -1;
}

/* 1/sqrt(2 pi) */
#define INV_SQRT_2PI (0.5 * M_2_SQRTPI * M_SQRT1_2)
/* Quadrature: a relative accuracy well above GSL's floor (50 DBL_EPSILON),
 * far below the 1e-10 the equations are solved to. */
#define QUAD_EPSREL 1e-13
#define QUAD_LIMIT 256
/* Roots: v to 1e-14, so cos(phi) and sin(phi) to 14 digits; the margin
 * kappa to 14 digits. */
#define ROOT_EPS 1e-14
#define ROOT_MAXITER 200
/* Beyond 40 standard deviations a Gaussian weight is below 1e-347: zero. */
#define GAUSS_END 40.0
/* The range of v searched: phi from 1e-9 (every root at alpha <= 1e6 lies
 * above) to pi/2 - 1e-15. */
#define V_MIN (-20.7)
#define V_MAX 34.5
#define ALPHA_MAX 1e6

struct lab_ptheory {
    gsl_integration_workspace *quad;
    gsl_root_fsolver *outer, *inner; /* maxmargin nests a root in kappa in one in phi */
};

lab_ptheory *lab_ptheory_alloc(void)
{
    lab_ptheory *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    if (!(w->quad = gsl_integration_workspace_alloc(QUAD_LIMIT))
        || !(w->outer = gsl_root_fsolver_alloc(gsl_root_fsolver_brent))
        || !(w->inner = gsl_root_fsolver_alloc(gsl_root_fsolver_brent))) {
        lab_ptheory_free(w);
        return NULL;
    }
    return w;
}

void lab_ptheory_free(lab_ptheory *w)
{
    if (!w)
        return;
    gsl_integration_workspace_free(w->quad);
    gsl_root_fsolver_free(w->outer);
    gsl_root_fsolver_free(w->inner);
    free(w);
}

/* ==== The data ============================================================= */

static double half_normal(double u, void *params)
{
    (void)params;
    return 2 * INV_SQRT_2PI * exp(-0.5 * u * u);
}

lab_ptheory_data lab_ptheory_gaussian(void)
{
    lab_ptheory_data d = { .density = half_normal, .params = NULL, .nbreaks = 0,
                           .end = GAUSS_END, .isotropic = 1 };
    return d;
}

/* ==== Quadrature =========================================================== */

/* The integral of f over [a, b] with QAG, its status mapped onto ours.
 * epsabs is what the equation the integral enters can neglect: 1e-15 of
 * its other terms. */
static int quad(lab_ptheory *w, gsl_function *f, double a, double b, double epsabs,
                double *out, const char *what, char *err, size_t errlen)
{
    double abserr;
    *out = 0;
    if (!(b > a))
        return LAB_OK;
    int rc = gsl_integration_qag(f, a, b, epsabs, QUAD_EPSREL, QUAD_LIMIT, GSL_INTEG_GAUSS61,
                                 w->quad, out, &abserr);
    /* Round-off stopping the refinement means the integral is as good as
     * doubles allow: far better than the equations need. */
    if (rc == GSL_EROUND && abserr <= fmax(100 * epsabs, 1e-11 * fabs(*out)))
        rc = GSL_SUCCESS;
    if (rc != GSL_SUCCESS || !isfinite(*out))
        return lab_fail(err, errlen, LAB_ENUMERIC, "%s: integral over [%g, %g] failed: %s",
                        what, a, b, gsl_strerror(rc));
    return LAB_OK;
}

/* The integrand g(u) times the density of u, integrated over the data's
 * support [0, end] up to cut, split at the density's jumps and at kink. */
struct weighted {
    const lab_ptheory_data *data;
    double (*g)(double u, void *params);
    void *params;
};

static double weighted_integrand(double u, void *params)
{
    const struct weighted *p = params;
    return p->data->density(u, p->data->params) * p->g(u, p->params);
}

static int quad_data(lab_ptheory *w, const lab_ptheory_data *data,
                     double (*g)(double u, void *params), void *gparams, double kink,
                     double cut, double epsabs, double *out, const char *what, char *err,
                     size_t errlen)
{
    struct weighted p = { data, g, gparams };
    gsl_function f = { weighted_integrand, &p };
    double end = fmin(data->end, cut), pts[LAB_PTHEORY_MAXBREAKS + 3];
    size_t n = 0;
    pts[n++] = 0;
    for (size_t i = 0; i < data->nbreaks; i++)
        if (data->breaks[i] > pts[n - 1] && data->breaks[i] < end)
            pts[n++] = data->breaks[i];
    /* The kink belongs between the breaks around it. */
    if (kink > 0 && kink < end) {
        size_t i = n;
        while (i > 0 && pts[i - 1] > kink)
            i--;
        if (pts[i - 1] < kink) {
            memmove(pts + i + 1, pts + i, (n - i) * sizeof *pts);
            pts[i] = kink;
            n++;
        }
    }
    pts[n++] = end;
    *out = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double part;
        int rc = quad(w, &f, pts[i], pts[i + 1], epsabs, &part, what, err, errlen);
        if (rc != LAB_OK)
            return rc;
        *out += part;
    }
    return LAB_OK;
}

/* ==== Roots ================================================================ */

/* The root of f in [lo, hi], where f changes sign, with Brent's method, to
 * epsabs + epsrel |root|. */
static int brent(gsl_root_fsolver *s, gsl_function *f, double lo, double hi, double epsabs,
                 double epsrel, double *root, const char *what, char *err, size_t errlen)
{
    int rc = gsl_root_fsolver_set(s, f, lo, hi);
    if (rc == GSL_EBADFUNC)
        return LAB_ENUMERIC;
    for (int it = 0; rc == GSL_SUCCESS; it++) {
        if (it == ROOT_MAXITER) {
            rc = GSL_EMAXITER;
            break;
        }
        /* A function that fails returns NaN, having written its own message. */
        if ((rc = gsl_root_fsolver_iterate(s)) == GSL_EBADFUNC)
            return LAB_ENUMERIC;
        if (rc != GSL_SUCCESS)
            break;
        lo = gsl_root_fsolver_x_lower(s);
        hi = gsl_root_fsolver_x_upper(s);
        rc = gsl_root_test_interval(lo, hi, epsabs, epsrel);
        if (rc == GSL_SUCCESS) {
            *root = gsl_root_fsolver_root(s);
            return LAB_OK;
        }
        if (rc == GSL_CONTINUE)
            rc = GSL_SUCCESS;
    }
    return lab_fail(err, errlen, LAB_ENUMERIC, "%s: no root found in [%.17g, %.17g]: %s", what,
                    lo, hi, gsl_strerror(rc));
}

/* The status of a function that Brent's method calls: GSL cannot pass one
 * through, so it is kept here and the function returns NaN, which stops the
 * iteration (GSL_EBADFUNC). */
struct call {
    lab_ptheory *w;
    double alpha;
    const lab_ptheory_data *data;
    int rc;
    char *err;
    size_t errlen;
};

/* ==== Angles =============================================================== */

/* The angle phi = atan(e^v), with its cosine R, sine s and 1 - R. */
struct angle {
    double phi, r, s, one_minus_r;
};

static struct angle angle_of(double v)
{
    double t = exp(v), h = hypot(1, t);
    struct angle a = { atan(t), 1 / h, t / h, t * t / (h * (h + 1)) };
    return a;
}

/* ==== Gibbs: R/sqrt(1-R) = (alpha/pi) I(R) (§5.1) ========================== */

/* ln H(x), H(x) = int_x^inf Dz = erfc(x/sqrt 2)/2, without underflow. */
static double log_h(double x)
{
    return gsl_sf_log_erfc(x * M_SQRT1_2) - M_LN2;
}

/* The integrand of I(R): Dt exp(-R t^2/2) / H(-sqrt(R) t), in logarithms so
 * that exp(-R t^2/2) and H both small for t -> -inf do not underflow. */
static double gibbs_integrand(double t, void *params)
{
    double r = *(const double *)params;
    return INV_SQRT_2PI * exp(-0.5 * (1 + r) * t * t - log_h(-sqrt(r) * t));
}

/* I(R) over [-40, 40]: the integrand falls like exp(-t^2/2) on both sides. */
static int gibbs_integral(lab_ptheory *w, double r, double *out, char *err, size_t errlen)
{
    gsl_function f = { gibbs_integrand, &r };
    double left, right;
    int rc = quad(w, &f, -GAUSS_END, 0, 1e-15, &left, "gibbs", err, errlen);
    if (rc == LAB_OK)
        rc = quad(w, &f, 0, GAUSS_END, 1e-15, &right, "gibbs", err, errlen);
    *out = left + right;
    return rc;
}

/* Both sides of the equation at overlap r. */
static int gibbs_sides(lab_ptheory *w, double alpha, double r, double one_minus_r, double *lhs,
                       double *rhs, char *err, size_t errlen)
{
    double integral;
    int rc = gibbs_integral(w, r, &integral, err, errlen);
    *lhs = r / sqrt(one_minus_r);
    *rhs = alpha / M_PI * integral;
    return rc;
}

static double gibbs_function(double v, void *params)
{
    struct call *c = params;
    struct angle a = angle_of(v);
    double lhs, rhs;
    c->rc = gibbs_sides(c->w, c->alpha, a.r, a.one_minus_r, &lhs, &rhs, c->err, c->errlen);
    if (c->rc != LAB_OK)
        return GSL_NAN;
    return lhs - rhs;
}

int lab_ptheory_gibbs_residual(lab_ptheory *w, double alpha, double R, double *res,
                               char *err, size_t errlen)
{
    double lhs, rhs;
    if (!(R > 0 && R < 1))
        return lab_fail(err, errlen, LAB_EINVAL, "gibbs: R = %g is not in (0, 1)", R);
    int rc = gibbs_sides(w, alpha, R, 1 - R, &lhs, &rhs, err, errlen);
    *res = (lhs - rhs) / fmax(fabs(lhs), fabs(rhs));
    return rc;
}

/* The left side falls from +inf (phi -> 0) to 0 (phi = pi/2) while the
 * right side rises from (alpha/pi) I(0) = 2 alpha/pi: one root. */
static int solve_gibbs(lab_ptheory *w, double alpha, struct angle *a, double *residual,
                       char *err, size_t errlen)
{
    struct call c = { w, alpha, NULL, LAB_OK, err, errlen };
    gsl_function f = { gibbs_function, &c };
    double v, lhs, rhs;
    int rc = brent(w->outer, &f, V_MIN, V_MAX, ROOT_EPS, 0, &v, "gibbs", err, errlen);
    if (c.rc != LAB_OK)
        return c.rc;
    if (rc != LAB_OK)
        return rc;
    *a = angle_of(v);
    rc = gibbs_sides(w, alpha, a->r, a->one_minus_r, &lhs, &rhs, err, errlen);
    *residual = fabs(lhs - rhs) / fmax(fabs(lhs), fabs(rhs));
    return rc;
}

/* ==== Max margin: Gordon's comparison inequality (§5.1) ===================== */

/* E_z[(a - s z)_+^2] and E_z[(a - s z)_+], z ~ N(0,1), s > 0. */
static double plus2(double a, double s)
{
    double c = a / s;
    if (c < -GAUSS_END)
        return 0;
    return (a * a + s * s) * gsl_cdf_ugaussian_P(c) + a * s * INV_SQRT_2PI * exp(-0.5 * c * c);
}

static double plus1(double a, double s)
{
    double c = a / s;
    if (c < -GAUSS_END)
        return 0;
    return a * gsl_cdf_ugaussian_P(c) + s * INV_SQRT_2PI * exp(-0.5 * c * c);
}

/* A point (kappa, phi) of the (kappa, student angle) plane. */
struct mm_point {
    double kappa, rho, s; /* rho = cos(phi), s = sin(phi) */
};

/* The terms of G and of its derivative in phi, divided by 2 s rho (= dG/dphi
 * / (2 s rho) + 1): see THEORY.md §5.1. */
static double mm_g_term(double u, void *params)
{
    const struct mm_point *p = params;
    return plus2(p->kappa - p->rho * u, p->s);
}

static double mm_d_term(double u, void *params)
{
    const struct mm_point *p = params;
    double a = p->kappa - p->rho * u;
    if (a / p->s < -GAUSS_END)
        return 0;
    return u / p->rho * plus1(a, p->s) + gsl_cdf_ugaussian_P(a / p->s);
}

/* Where the integrands vanish: kappa - rho u < -40 s. */
static double mm_cut(const struct mm_point *p)
{
    return p->rho > 0 ? (p->kappa + GAUSS_END * p->s) / p->rho : INFINITY;
}

static int mm_g(struct call *c, const struct mm_point *p, double *g)
{
    double e;
    int rc = quad_data(c->w, c->data, mm_g_term, (void *)p, p->kappa / p->rho, mm_cut(p),
                       1e-15 * p->s * p->s / c->alpha, &e, "maxmargin", c->err, c->errlen);
    *g = c->alpha * e - p->s * p->s;
    return rc;
}

static int mm_d(struct call *c, const struct mm_point *p, double *d)
{
    double e;
    int rc = quad_data(c->w, c->data, mm_d_term, (void *)p, p->kappa / p->rho, mm_cut(p),
                       1e-15 / c->alpha, &e, "maxmargin", c->err, c->errlen);
    *d = c->alpha * e - 1;
    return rc;
}

static struct mm_point mm_at(double kappa, struct angle a)
{
    struct mm_point p = { kappa, a.r, a.s };
    return p;
}

int lab_ptheory_maxmargin_g(lab_ptheory *w, double alpha, const lab_ptheory_data *data,
                            double kappa, double phi, double *g, char *err, size_t errlen)
{
    struct call c = { w, alpha, data, LAB_OK, err, errlen };
    struct angle a = { phi, cos(phi), sin(phi), 2 * gsl_pow_2(sin(0.5 * phi)) };
    struct mm_point p = mm_at(kappa, a);
    return mm_g(&c, &p, g);
}

/* G at a fixed angle, as a function of kappa for Brent. */
struct mm_call {
    struct call *c;
    struct angle a;
};

static double mm_g_of_kappa(double kappa, void *params)
{
    struct mm_call *m = params;
    struct mm_point p = mm_at(kappa, m->a);
    double g;
    if ((m->c->rc = mm_g(m->c, &p, &g)) != LAB_OK)
        return GSL_NAN;
    return g;
}

/* The largest margin of students at angle phi: G rises with kappa (from
 * -s^2 at -inf), so its one root is bracketed by doubling outwards. */
static int mm_kappa(struct call *c, struct angle a, double *kappa)
{
    struct mm_call m = { c, a };
    gsl_function f = { mm_g_of_kappa, &m };
    double s = a.s, lo = 0, hi = s, glo = mm_g_of_kappa(lo, &m), ghi;
    if (c->rc != LAB_OK)
        return c->rc;
    for (int i = 0; glo >= 0; i++) {
        if (i == 60 || c->rc != LAB_OK)
            return c->rc != LAB_OK ? c->rc
                : lab_fail(c->err, c->errlen, LAB_ENUMERIC, "maxmargin: no margin at angle %g",
                           a.phi);
        hi = lo;
        lo = lo == 0 ? -s : 2 * lo;
        glo = mm_g_of_kappa(lo, &m);
    }
    for (int i = 0; (ghi = mm_g_of_kappa(hi, &m)) < 0; i++) {
        if (i == 60 || c->rc != LAB_OK)
            return c->rc != LAB_OK ? c->rc
                : lab_fail(c->err, c->errlen, LAB_ENUMERIC, "maxmargin: no margin at angle %g",
                           a.phi);
        lo = hi;
        hi *= 2;
    }
    if (c->rc != LAB_OK)
        return c->rc;
    if (ghi == 0) {
        *kappa = hi;
        return LAB_OK;
    }
    /* kappa is measured in units of s, the spread of the stabilities. */
    int rc = brent(c->w->inner, &f, lo, hi, 1e-3 * ROOT_EPS * s, ROOT_EPS, kappa,
                   "maxmargin margin", c->err, c->errlen);
    return c->rc != LAB_OK ? c->rc : rc;
}

/* dG/dphi / (2 s rho) at (kappa_max(phi), phi): negative where kappa_max
 * still rises with phi, positive past its maximum. */
static double mm_stationarity(double v, void *params)
{
    struct call *c = params;
    struct angle a = angle_of(v);
    double kappa, d;
    if ((c->rc = mm_kappa(c, a, &kappa)) != LAB_OK)
        return GSL_NAN;
    struct mm_point p = mm_at(kappa, a);
    if ((c->rc = mm_d(c, &p, &d)) != LAB_OK)
        return GSL_NAN;
    return d;
}

/* kappa* = max over phi of kappa_max(phi); the maximiser solves dG/dphi = 0
 * on G = 0. At phi -> 0 the derivative term is alpha P(u < 0) - 1 = -1; at
 * phi -> pi/2 the u/rho term makes it +inf. */
static int solve_maxmargin(lab_ptheory *w, double alpha, const lab_ptheory_data *data,
                           struct angle *a, double *kappa, double *residual, char *err,
                           size_t errlen)
{
    struct call c = { w, alpha, data, LAB_OK, err, errlen };
    gsl_function f = { mm_stationarity, &c };
    double v;
    int rc = brent(w->outer, &f, V_MIN, V_MAX, ROOT_EPS, 0, &v, "maxmargin", err, errlen);
    if (c.rc != LAB_OK)
        return c.rc;
    if (rc != LAB_OK)
        return rc;
    *a = angle_of(v);
    if ((rc = mm_kappa(&c, *a, kappa)) != LAB_OK)
        return rc;
    struct mm_point p = mm_at(*kappa, *a);
    double g, d;
    if ((rc = mm_g(&c, &p, &g)) != LAB_OK || (rc = mm_d(&c, &p, &d)) != LAB_OK)
        return rc;
    *residual = fmax(fabs(g) / (p.s * p.s), fabs(d));
    return LAB_OK;
}

/* ==== Hebb ================================================================= */

static double identity(double u, void *params)
{
    (void)params;
    return u;
}

/* R^2 = alpha m^2 / (alpha m^2 + 1): tan(phi) = 1/(sqrt(alpha) m). */
static int solve_hebb(lab_ptheory *w, double alpha, const lab_ptheory_data *data,
                      struct angle *a, char *err, size_t errlen)
{
    double m;
    int rc = quad_data(w, data, identity, NULL, 0, INFINITY, 1e-15, &m, "hebb", err, errlen);
    *a = angle_of(-log(sqrt(alpha) * m));
    return rc;
}

/* ==== The solver =========================================================== */

int lab_ptheory_solve(lab_ptheory *w, enum lab_plearner learner, double alpha,
                      const lab_ptheory_data *data, lab_perceptron_state *out, char *err,
                      size_t errlen)
{
    lab_perceptron_state st = { alpha, NAN, NAN, NAN, NAN, NAN, NAN };
    *out = st;
    if ((int)learner < 0 || learner >= LAB_PLEARNER_COUNT)
        return lab_fail(err, errlen, LAB_EINVAL, "unknown learner %d", (int)learner);
    if (!(alpha > 0 && alpha <= ALPHA_MAX))
        return lab_fail(err, errlen, LAB_EINVAL, "alpha = %g is out of range (0, %g]", alpha,
                        ALPHA_MAX);
    if (data->nbreaks > LAB_PTHEORY_MAXBREAKS || !(data->end > 0))
        return lab_fail(err, errlen, LAB_EINVAL, "the density of the data is malformed");
    int rc = LAB_OK;
    struct angle a = { NAN, NAN, NAN, NAN };
    switch (learner) {
    case LAB_PLEARNER_HEBB:
        rc = solve_hebb(w, alpha, data, &a, err, errlen);
        st.residual = 0;
        break;
    case LAB_PLEARNER_GIBBS:
    case LAB_PLEARNER_BAYES:
        /* q = R holds only where pruning does not single out the teacher. */
        if (!data->isotropic)
            return lab_fail(err, errlen, LAB_EINVAL, "%s: only unpruned (isotropic Gaussian) "
                            "data are implemented", lab_plearner_names[learner]);
        rc = solve_gibbs(w, alpha, &a, &st.residual, err, errlen);
        st.q = a.r;
        if (learner == LAB_PLEARNER_BAYES) {
            /* R_B = sqrt(R_G): tan^2(phi_B) = (1 - R_G) / R_G. */
            a = angle_of(0.5 * log(a.one_minus_r / a.r));
            st.q = NAN;
        }
        break;
    case LAB_PLEARNER_MAXMARGIN:
        rc = solve_maxmargin(w, alpha, data, &a, &st.kappa, &st.residual, err, errlen);
        break;
    default:
        break;
    }
    if (rc != LAB_OK)
        return rc;
    st.phi = a.phi;
    st.R = a.r;
    st.test_error = a.phi / M_PI;
    *out = st;
    return LAB_OK;
}

int lab_perceptron_theory(enum lab_plearner learner, double alpha, lab_perceptron_state *out,
                          char *err, size_t errlen)
{
    lab_ptheory *w = lab_ptheory_alloc();
    if (!w)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    lab_ptheory_data data = lab_ptheory_gaussian();
    int rc = lab_ptheory_solve(w, learner, alpha, &data, out, err, errlen);
    lab_ptheory_free(w);
    return rc;
}
