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
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_multiroots.h>
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

/* Pruned data (THEORY.md section 11): fixed Gauss-Legendre rules of
 * GL_NODES points on each piece of a 2-D integral, the pieces split where
 * the integrand has a kink or turns; the Gaussian weights end at PRUNE_END
 * standard deviations (exp(-72) relative: nothing in double precision). */
#define GL_NODES 40
/* gibbs's ln H turns over a width sqrt(1-q) that large alpha makes small */
#define GL_NODES_GIBBS 100
#define PRUNE_END 12.0
#define PRUNE_ALPHA_MAX 1000.0

struct lab_ptheory {
    gsl_integration_workspace *quad;
    gsl_root_fsolver *outer, *inner; /* maxmargin nests a root in kappa in one in phi */
    gsl_integration_glfixed_table *gl, *gl_gibbs;
    gsl_multimin_fminimizer *simplex;   /* maxmargin, theta > 0: min over (rho, eta) */
    gsl_multiroot_fsolver *hybrid;      /* gibbs on pruned data: grad f(q, R) = 0 */
};

lab_ptheory *lab_ptheory_alloc(void)
{
    lab_ptheory *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    if (!(w->quad = gsl_integration_workspace_alloc(QUAD_LIMIT))
        || !(w->outer = gsl_root_fsolver_alloc(gsl_root_fsolver_brent))
        || !(w->inner = gsl_root_fsolver_alloc(gsl_root_fsolver_brent))
        || !(w->gl = gsl_integration_glfixed_table_alloc(GL_NODES))
        || !(w->gl_gibbs = gsl_integration_glfixed_table_alloc(GL_NODES_GIBBS))
        || !(w->simplex = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 2))
        || !(w->hybrid = gsl_multiroot_fsolver_alloc(gsl_multiroot_fsolver_hybrids, 2))) {
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
    if (w->gl)
        gsl_integration_glfixed_table_free(w->gl);
    if (w->gl_gibbs)
        gsl_integration_glfixed_table_free(w->gl_gibbs);
    if (w->simplex)
        gsl_multimin_fminimizer_free(w->simplex);
    if (w->hybrid)
        gsl_multiroot_fsolver_free(w->hybrid);
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
    lab_perceptron_state st = { alpha, NAN, NAN, NAN, NAN, NAN, NAN, NAN };
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

/* ==== Pruned data (THEORY.md section 11) ==================================== */

const char *const lab_pprune_names[LAB_PPRUNE_COUNT] = {
    [LAB_PPRUNE_NONE] = "none",
    [LAB_PPRUNE_HARD] = "hard",
    [LAB_PPRUNE_EASY] = "easy",
};

int lab_pprune_parse(const char *name)
{
    for (int i = 0; i < LAB_PPRUNE_COUNT; i++)
        if (strcmp(name, lab_pprune_names[i]) == 0)
            return i;
    return -1;
}

double lab_ptheory_prune_gamma(const lab_ptheory_prune *prune)
{
    switch (prune->mode) {
    case LAB_PPRUNE_HARD:
        return prune->fraction >= 1 ? INFINITY : gsl_cdf_ugaussian_Pinv(0.5 * (1 + prune->fraction));
    case LAB_PPRUNE_EASY:
        return prune->fraction >= 1 ? 0 : gsl_cdf_ugaussian_Qinv(0.5 * prune->fraction);
    default:
        return NAN;
    }
}

/* The kept range of the probe's field p >= 0 (the data are symmetric under
 * x -> -x, so p < 0 mirrors it): [0, gamma] or [gamma, PRUNE_END]. */
static void kept_range(const lab_ptheory_prune *prune, double *lo, double *hi)
{
    double gamma = lab_ptheory_prune_gamma(prune);
    if (prune->mode == LAB_PPRUNE_EASY) {
        *lo = gamma;
        *hi = PRUNE_END;
    } else {
        *lo = 0;
        *hi = fmin(gamma, PRUNE_END);
    }
}

/* ---- theta = 0: the density of u = |t| truncated (THEORY-SOURCES §5.3) ---- */

struct kept_u {
    double lo, hi, f;
};

static double kept_density(double u, void *params)
{
    const struct kept_u *k = params;
    return u >= k->lo && u <= k->hi ? half_normal(u, NULL) / k->f : 0;
}

static lab_ptheory_data kept_data(const lab_ptheory_prune *prune, struct kept_u *k)
{
    kept_range(prune, &k->lo, &k->hi);
    k->f = prune->fraction;
    lab_ptheory_data d = { .density = kept_density, .params = k, .nbreaks = 0,
                           .end = k->hi, .isotropic = 0 };
    if (k->lo > 0)
        d.breaks[d.nbreaks++] = k->lo;
    return d;
}

/* ---- fixed Gauss-Legendre over pieces ---- */

/* The integral of f over [a, b] split at the points cut[0..n-1] that fall
 * inside, GL_NODES points on each piece. */
static double gl_pieces(const gsl_integration_glfixed_table *gl, gsl_function *f, double a, double b,
                        const double *cut, size_t n)
{
    /* at most 14 cuts */
    double pts[16];
    size_t m = 0;
    pts[m++] = a;
    for (size_t i = 0; i < n; i++)
        if (cut[i] > a && cut[i] < b && isfinite(cut[i]))
            pts[m++] = cut[i];
    pts[m++] = b;
    /* insertion sort: at most 15 points */
    for (size_t i = 1; i < m; i++)
        for (size_t j = i; j > 0 && pts[j - 1] > pts[j]; j--) {
            double t = pts[j];
            pts[j] = pts[j - 1];
            pts[j - 1] = t;
        }
    double sum = 0;
    for (size_t i = 0; i + 1 < m; i++)
        if (pts[i + 1] > pts[i])
            sum += gsl_integration_glfixed(f, pts[i], pts[i + 1], gl);
    return sum;
}

/* ---- maxmargin, theta > 0: the 2-D integral over the plane ---- */

/* In the plane of teacher and probe take p = cos(theta) t + sin(theta) v,
 * the probe's field, and p' = -sin(theta) t + cos(theta) v: independent
 * N(0,1), the pruning acting on p alone. A student (rho, eta, s) has field
 * rho t + eta v = A p + B p' there, y = sign(cos(theta) p - sin(theta) p'). */
struct mm2 {
    const lab_ptheory *w;
    double c, sn;           /* cos, sin theta */
    double kappa, rho, eta, s, A, B;
    double p;               /* the outer variable, for the inner integral */
    int what;               /* 0: G's term; 1, 2: d/drho, d/deta terms */
};

static double mm2_inner(double pp, void *params)
{
    const struct mm2 *m = params;
    double t = m->c * m->p - m->sn * pp, v = m->sn * m->p + m->c * pp;
    double y = t >= 0 ? 1 : -1;
    double a = m->kappa - y * (m->rho * t + m->eta * v), c = a / m->s;
    if (c < -GAUSS_END)
        return 0;
    double wgt = INV_SQRT_2PI * exp(-0.5 * pp * pp), val;
    if (m->what == 0)
        val = plus2(a, m->s);
    else if (m->what == 1) /* d/drho of plus2, over -2 */
        val = y * t * plus1(a, m->s) + m->rho * gsl_cdf_ugaussian_P(c);
    else
        val = y * v * plus1(a, m->s) + m->eta * gsl_cdf_ugaussian_P(c);
    return wgt * val;
}

static double mm2_outer(double p, void *params)
{
    struct mm2 *m = params;
    m->p = p;
    gsl_function f = { mm2_inner, m };
    double cut[7] = { NAN, NAN, NAN, NAN, NAN, NAN, NAN };
    if (m->sn > 0)
        cut[0] = p * m->c / m->sn; /* t = 0: the label flips */
    if (m->B != 0) {
        /* a = 0 on either side: the integrand turns over a width s/|B|,
         * narrow when s is small (large alpha); pieces of that width around
         * it keep the rule's accuracy */
        double w = 3 * m->s / fabs(m->B), t1 = (m->kappa - m->A * p) / m->B,
               t2 = -(m->kappa + m->A * p) / m->B;
        cut[1] = t1 - w;
        cut[2] = t1;
        cut[3] = t1 + w;
        cut[4] = t2 - w;
        cut[5] = t2;
        cut[6] = t2 + w;
    }
    return INV_SQRT_2PI * exp(-0.5 * p * p)
        * gl_pieces(m->w->gl, &f, -PRUNE_END, PRUNE_END, cut, 7);
}

/* E_kept[...] of the term m->what, both halves p < 0 and p > 0. */
static double mm2_expect(struct mm2 *m, const lab_ptheory_prune *prune)
{
    double lo, hi;
    kept_range(prune, &lo, &hi);
    gsl_function f = { mm2_outer, m };
    /* the p range in three pieces: the Gaussian weight changes scale */
    double cut[2] = { lo + (hi - lo) / 3, lo + 2 * (hi - lo) / 3 };
    return 2 * gl_pieces(m->w->gl, &f, lo, hi, cut, 2) / prune->fraction;
}

static struct mm2 mm2_at(const lab_ptheory *w, const lab_ptheory_prune *prune, double kappa,
                         double rho, double eta, double s)
{
    struct mm2 m = { w, cos(prune->theta), sin(prune->theta), kappa, rho, eta, s, 0, 0, 0, 0 };
    m.A = rho * m.c + eta * m.sn;
    m.B = -rho * m.sn + eta * m.c;
    return m;
}

int lab_ptheory_pruned_g(lab_ptheory *w, double alpha, const lab_ptheory_prune *prune,
                         double kappa, double rho, double eta, double *g, char *err,
                         size_t errlen)
{
    double s2 = 1 - rho * rho - eta * eta;
    if (!(s2 > 0) || prune->mode == LAB_PPRUNE_NONE)
        return lab_fail(err, errlen, LAB_EINVAL, "maxmargin: (rho, eta) = (%g, %g) is not "
                        "inside the unit disc, or no pruning", rho, eta);
    struct mm2 m = mm2_at(w, prune, kappa, rho, eta, sqrt(s2));
    *g = alpha * mm2_expect(&m, prune) - s2;
    return LAB_OK;
}

/* The student's in-plane part in unconstrained coordinates x = (ln tan omega,
 * beta): s = sin(omega) out of the plane, (rho, eta) = cos(omega) (cos beta,
 * sin beta). */
struct mm2_min {
    lab_ptheory *w;
    const lab_ptheory_prune *prune;
    double alpha, kappa;
    int warm_only;  /* start from the warm start alone (when it is set) */
};

static void mm2_coords(const gsl_vector *x, double *rho, double *eta, double *s)
{
    struct angle a = angle_of(gsl_vector_get(x, 0));
    double beta = gsl_vector_get(x, 1);
    *s = a.s;
    *rho = a.r * cos(beta);
    *eta = a.r * sin(beta);
}

static double mm2_g_of(const gsl_vector *x, void *params)
{
    const struct mm2_min *p = params;
    double rho, eta, s;
    mm2_coords(x, &rho, &eta, &s);
    struct mm2 m = mm2_at(p->w, p->prune, p->kappa, rho, eta, s);
    return p->alpha * mm2_expect(&m, p->prune) - s * s;
}

/* min over (rho, eta) of G at kappa, from several starts (the landscape can
 * have more than one minimum, THEORY-SOURCES §5.3); *best holds the warm
 * start on entry (NaN: none) and the minimiser on return. */
#define MM2_STARTS 4
/* G is quadratic at its minimum and known to ~1e-16: x to ~1e-8 at best */
#define MM2_XTOL 1e-7
/* a lower basin found at the root by the other starts: G below the warm
 * start's minimum by more than this (G's own accuracy is ~1e-12) */
#define MM2_BASIN 1e-9
static int mm2_min_g(struct mm2_min *p, double best[2], double *gmin, char *err, size_t errlen)
{
    gsl_multimin_fminimizer *s = p->w->simplex;
    gsl_multimin_function f = { mm2_g_of, 2, p };
    const double starts[MM2_STARTS][2] = {
        { best[0], best[1] }, { 0, 0 }, { 0, 2 * p->prune->theta }, { 0, -p->prune->theta }
    };
    double x0[2], step[2] = { 0.5, 0.2 };
    gsl_vector_view xv = gsl_vector_view_array(x0, 2), sv = gsl_vector_view_array(step, 2);
    *gmin = INFINITY;
    for (int k = 0; k < MM2_STARTS; k++) {
        if (!isfinite(starts[k][0]) || (k > 0 && p->warm_only && isfinite(best[0])))
            continue;
        x0[0] = starts[k][0];
        x0[1] = starts[k][1];
        gsl_multimin_fminimizer_set(s, &f, &xv.vector, &sv.vector);
        int rc = GSL_CONTINUE;
        for (int it = 0; it < 1000 && rc == GSL_CONTINUE; it++) {
            if ((rc = gsl_multimin_fminimizer_iterate(s)) != GSL_SUCCESS)
                break;
            rc = gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), MM2_XTOL);
        }
        /* A start that runs to the edge of the disc (the minimum there, at
         * kappa far from kappa*) still gives a value of G: an upper bound on
         * the minimum, all the bracketing needs. Only a NaN fails. */
        if (rc != GSL_SUCCESS && rc != GSL_CONTINUE && rc != GSL_ENOPROG)
            return lab_fail(err, errlen, LAB_ENUMERIC, "maxmargin: the minimisation over "
                            "(rho, eta) at kappa = %g failed: %s", p->kappa, gsl_strerror(rc));
        if (!isfinite(s->fval))
            return lab_fail(err, errlen, LAB_ENUMERIC, "maxmargin: G is not finite at kappa = "
                            "%g", p->kappa);
        if (s->fval < *gmin) {
            *gmin = s->fval;
            best[0] = gsl_vector_get(s->x, 0);
            best[1] = gsl_vector_get(s->x, 1);
        }
    }
    return LAB_OK;
}

struct mm2_root {
    struct mm2_min *p;
    double best[2];
    int rc;
    char *err;
    size_t errlen;
};

static double mm2_m_of_kappa(double kappa, void *params)
{
    struct mm2_root *r = params;
    double g;
    r->p->kappa = kappa;
    if ((r->rc = mm2_min_g(r->p, r->best, &g, r->err, r->errlen)) != LAB_OK)
        return GSL_NAN;
    return g;
}

/* kappa* is the root of m(kappa) = min_(rho, eta) G, which rises with kappa;
 * m(0) < 0 as long as the kept data are separable with a margin (always at
 * finite alpha). */
static int solve_mm2(lab_ptheory *w, double alpha, const lab_ptheory_prune *prune,
                     lab_perceptron_state *st, char *err, size_t errlen)
{
    struct mm2_min p = { w, prune, alpha, 0, 0 };
    struct mm2_root r = { &p, { NAN, NAN }, LAB_OK, err, errlen };
    /* warm start: the theta = 0 solution's angle */
    lab_perceptron_state s0;
    lab_ptheory_prune p0 = *prune;
    p0.theta = 0;
    int rc = lab_ptheory_solve_pruned(w, LAB_PLEARNER_MAXMARGIN, alpha, &p0, &s0, err, errlen);
    if (rc != LAB_OK)
        return rc;
    r.best[0] = log(tan(s0.phi));
    r.best[1] = 0;
    /* Bracket from the theta = 0 margin (> 0) by steps of 1.25 down or up (far above kappa*
     * the minimum over (rho, eta) can leave the disc); kappa = 0
     * itself is no bound: there G's minimum runs to the edge s -> 0. */
    double lo = s0.kappa, hi = s0.kappa, m0 = mm2_m_of_kappa(lo, &r), mk;
    if (r.rc != LAB_OK)
        return r.rc;
    for (int i = 0; m0 >= 0 ? !((mk = mm2_m_of_kappa(lo /= 1.25, &r)) < 0)
                            : !((mk = mm2_m_of_kappa(hi *= 1.25, &r)) > 0); i++) {
        if (r.rc != LAB_OK)
            return r.rc;
        if (i == 200)
            return lab_fail(err, errlen, LAB_ENUMERIC, "maxmargin: no bracket of the margin");
        if (m0 >= 0)
            hi = lo;
        else
            lo = hi;
    }
    if (r.rc != LAB_OK)
        return r.rc;
    /* Inside the bracket the minimiser moves little with kappa: Brent's
     * steps start from the previous minimiser alone (four times fewer
     * evaluations of G). All starts are tried again at the root; should
     * another basin lie lower there, or the warm start alone not see the
     * bracket's change of sign, Brent is run again with all starts. */
    gsl_function f = { mm2_m_of_kappa, &r };
    double kappa, g, lo0 = lo, hi0 = hi, best0[2] = { r.best[0], r.best[1] };
    for (p.warm_only = 1;; p.warm_only = 0) {
        int warm = p.warm_only;
        rc = brent(w->inner, &f, lo0, hi0, 1e-12, 1e-11, &kappa, "maxmargin margin", err,
                   errlen);
        if (r.rc != LAB_OK)
            return r.rc;
        if (rc != LAB_OK && warm) { /* the warm start alone missed a basin at an end */
            r.best[0] = best0[0];
            r.best[1] = best0[1];
            continue;
        }
        if (rc != LAB_OK)
            return rc;
        double at_root[2] = { r.best[0], r.best[1] }, g_warm;
        p.kappa = kappa;
        p.warm_only = 1;
        if ((rc = mm2_min_g(&p, at_root, &g_warm, err, errlen)) != LAB_OK)
            return rc;
        p.warm_only = 0;
        if ((rc = mm2_min_g(&p, r.best, &g, err, errlen)) != LAB_OK)
            return rc;
        if (!warm || !(g < g_warm - MM2_BASIN))
            break;
        r.best[0] = best0[0];
        r.best[1] = best0[1];
    }
    double rho, eta, s, x[2] = { r.best[0], r.best[1] };
    gsl_vector_view xv = gsl_vector_view_array(x, 2);
    mm2_coords(&xv.vector, &rho, &eta, &s);
    st->kappa = kappa;
    st->R = rho;
    st->eta = eta;
    st->phi = acos(rho);
    st->test_error = st->phi / M_PI;
    st->residual = fabs(g) / (s * s);
    return LAB_OK;
}

/* ---- gibbs, theta = 0: the free entropy f(q, R) (THEORY-SOURCES §5.3 B) ---- */

struct gibbs2 {
    const lab_ptheory *w;
    double R, sigma, d;   /* sigma = sqrt(q - R^2), d = sqrt(1 - q) */
    double u;             /* the outer variable */
    int what;             /* 0: ln H; 1: d/dq term; 2: d/dR term */
};

static double gibbs2_inner(double z, void *params)
{
    const struct gibbs2 *g = params;
    double h = g->R * g->u + g->sigma * z, x = -h / g->d, val;
    double wgt = INV_SQRT_2PI * exp(-0.5 * z * z);
    if (g->what == 0)
        return wgt * log_h(x);
    /* phi(x)/H(x), the derivative of -ln H */
    double ratio = INV_SQRT_2PI * exp(-0.5 * x * x - log_h(x));
    if (g->what == 1)
        val = ratio * (z / (2 * g->sigma * g->d) + h / (2 * g->d * g->d * g->d));
    else
        val = ratio * (g->u - z * g->R / g->sigma) / g->d;
    return wgt * val;
}

static double gibbs2_outer(double u, void *params)
{
    struct gibbs2 *g = params;
    g->u = u;
    gsl_function f = { gibbs2_inner, g };
    /* x = 0: ln H turns, over a width d/sigma in z, narrow as q -> 1 */
    double z0 = -g->R * u / g->sigma, wd = g->d / g->sigma;
    double cut[5] = { z0 - 10 * wd, z0 - 2 * wd, z0, z0 + 2 * wd, z0 + 10 * wd };
    return half_normal(u, NULL) * gl_pieces(g->w->gl_gibbs, &f, -PRUNE_END, PRUNE_END, cut, 5);
}

static double gibbs2_expect(struct gibbs2 *g, const lab_ptheory_prune *prune, int what)
{
    double lo, hi;
    kept_range(prune, &lo, &hi);
    g->what = what;
    gsl_function f = { gibbs2_outer, g };
    double cut[2] = { lo + (hi - lo) / 3, lo + 2 * (hi - lo) / 3 };
    return gl_pieces(g->w->gl_gibbs, &f, lo, hi, cut, 2) / prune->fraction;
}

/* f and its scaled gradient at q = R^2 + s^2 l, 1 - q = s^2 (1 - l), with
 * s = sin(phi), R = cos(phi), l in (0, 1): the forms keep their digits as
 * q -> 1 and q -> R^2. */
static void gibbs2_eval(const lab_ptheory *w, double alpha, const lab_ptheory_prune *prune,
                        double R, double qmr2, double omq, double *f, double *fq, double *fR)
{
    struct gibbs2 g = { w, R, sqrt(qmr2), sqrt(omq), 0, 0 };
    if (f)
        *f = 0.5 * log(omq) + qmr2 / (2 * omq) + alpha * gibbs2_expect(&g, prune, 0);
    if (fq)
        *fq = qmr2 / (2 * omq * omq) + alpha * gibbs2_expect(&g, prune, 1);
    if (fR)
        *fR = -R / omq + alpha * gibbs2_expect(&g, prune, 2);
}

int lab_ptheory_gibbs_f(lab_ptheory *w, double alpha, const lab_ptheory_prune *prune, double q,
                        double R, double *f, double *df_dq, double *df_dR, char *err,
                        size_t errlen)
{
    if (!(R > 0 && q > R * R && q < 1) || prune->mode == LAB_PPRUNE_NONE)
        return lab_fail(err, errlen, LAB_EINVAL, "gibbs: (q, R) = (%g, %g) is outside "
                        "R^2 < q < 1, or no pruning", q, R);
    gibbs2_eval(w, alpha, prune, R, q - R * R, 1 - q, f, df_dq, df_dR);
    return LAB_OK;
}

struct gibbs2_call {
    const lab_ptheory *w;
    double alpha;
    const lab_ptheory_prune *prune;
};

/* (v, y) -> R = cos(atan(e^v)), l = 1/(1 + e^-y); the gradient scaled by
 * (1 - q)^2 and (1 - q), which stay finite as q -> 1. */
static void gibbs2_point(const gsl_vector *x, double *R, double *qmr2, double *omq)
{
    struct angle a = angle_of(gsl_vector_get(x, 0));
    double y = gsl_vector_get(x, 1), s2 = a.s * a.s;
    *R = a.r;
    *qmr2 = s2 / (1 + exp(-y));
    *omq = s2 / (1 + exp(y));
}

static int gibbs2_grad(const gsl_vector *x, void *params, gsl_vector *out)
{
    const struct gibbs2_call *c = params;
    double R, qmr2, omq, fq, fR;
    gibbs2_point(x, &R, &qmr2, &omq);
    gibbs2_eval(c->w, c->alpha, c->prune, R, qmr2, omq, NULL, &fq, &fR);
    gsl_vector_set(out, 0, fq * omq * omq);
    gsl_vector_set(out, 1, fR * omq);
    return isfinite(fq) && isfinite(fR) ? GSL_SUCCESS : GSL_EBADFUNC;
}

/* The stationary points of f from several starts; the one of largest f. */
static int solve_gibbs2(lab_ptheory *w, double alpha, const lab_ptheory_prune *prune,
                        lab_perceptron_state *st, char *err, size_t errlen)
{
    struct gibbs2_call c = { w, alpha, prune };
    gsl_multiroot_function F = { gibbs2_grad, 2, &c };
    /* starts: the unpruned solutions at alpha_prune and at alpha_tot, q = R */
    double starts[3][2];
    int nstarts = 0;
    const double alphas[2] = { alpha, fmin(alpha / prune->fraction, ALPHA_MAX) };
    for (int k = 0; k < 2; k++) {
        lab_perceptron_state u;
        int rc = lab_perceptron_theory(LAB_PLEARNER_GIBBS, alphas[k], &u, err, errlen);
        if (rc != LAB_OK)
            return rc;
        double v = log(tan(u.phi)), s2 = gsl_pow_2(sin(u.phi));
        /* q = R: l = (R - R^2) / s^2 */
        double l = (u.R - u.R * u.R) / s2;
        starts[nstarts][0] = v;
        starts[nstarts++][1] = log(l / (1 - l));
    }
    starts[nstarts][0] = 0;
    starts[nstarts++][1] = 0;
    double bestf = -INFINITY, best[3] = { NAN, NAN, NAN }, bestres = NAN;
    for (int k = 0; k < nstarts; k++) {
        gsl_vector_view xv = gsl_vector_view_array(starts[k], 2);
        if (gsl_multiroot_fsolver_set(w->hybrid, &F, &xv.vector) != GSL_SUCCESS)
            continue;
        int rc = GSL_CONTINUE;
        for (int it = 0; it < 200 && rc == GSL_CONTINUE; it++) {
            if ((rc = gsl_multiroot_fsolver_iterate(w->hybrid)) != GSL_SUCCESS)
                break;
            rc = gsl_multiroot_test_residual(w->hybrid->f, 1e-13);
        }
        if (rc != GSL_SUCCESS)
            continue;
        double R, qmr2, omq, f;
        gibbs2_point(w->hybrid->x, &R, &qmr2, &omq);
        gibbs2_eval(w, alpha, prune, R, qmr2, omq, &f, NULL, NULL);
        if (f > bestf) {
            bestf = f;
            best[0] = R;
            best[1] = qmr2 + R * R;
            best[2] = gsl_vector_get(w->hybrid->x, 0);
            bestres = fmax(fabs(gsl_vector_get(w->hybrid->f, 0)),
                           fabs(gsl_vector_get(w->hybrid->f, 1)));
        }
    }
    if (!isfinite(bestf))
        return lab_fail(err, errlen, LAB_ENUMERIC, "gibbs: no stationary point of f(q, R) "
                        "found at alpha = %g", alpha);
    /* Past 1 - q = 1e-4 (unpruned alpha ~ 100) the fixed rules lose digits:
     * at f = 1 the error is 1e-5 relative at alpha = 300, 1e-2 at 1000. */
    if (1 - best[1] < 1e-4)
        return lab_fail(err, errlen, LAB_ENUMERIC, "gibbs: 1 - q = %.2g at alpha = %g is below "
                        "1e-4, where the quadrature of pruned data is not trusted", 1 - best[1],
                        alpha);
    struct angle a = angle_of(best[2]);
    st->R = best[0];
    st->q = best[1];
    st->phi = a.phi;
    st->test_error = a.phi / M_PI;
    st->residual = bestres;
    return LAB_OK;
}

/* ---- the pruned solver ---- */

int lab_ptheory_solve_pruned(lab_ptheory *w, enum lab_plearner learner, double alpha_prune,
                             const lab_ptheory_prune *prune, lab_perceptron_state *out,
                             char *err, size_t errlen)
{
    lab_perceptron_state st = { alpha_prune, NAN, NAN, NAN, NAN, NAN, NAN, NAN };
    *out = st;
    if ((int)prune->mode < 0 || prune->mode >= LAB_PPRUNE_COUNT)
        return lab_fail(err, errlen, LAB_EINVAL, "unknown pruning mode %d", (int)prune->mode);
    if (prune->mode == LAB_PPRUNE_NONE) {
        lab_ptheory_data d = lab_ptheory_gaussian();
        return lab_ptheory_solve(w, learner, alpha_prune, &d, out, err, errlen);
    }
    if ((int)learner < 0 || learner >= LAB_PLEARNER_COUNT)
        return lab_fail(err, errlen, LAB_EINVAL, "unknown learner %d", (int)learner);
    if (!(alpha_prune > 0 && alpha_prune <= PRUNE_ALPHA_MAX))
        return lab_fail(err, errlen, LAB_EINVAL, "alpha_prune = %g is out of range (0, %g]",
                        alpha_prune, PRUNE_ALPHA_MAX);
    /* f below 1e-6 puts the easy threshold past 4.9 sd, where the tail
     * left before PRUNE_END gets thin; the probe must see the teacher. */
    if (!(prune->fraction >= 1e-6 && prune->fraction <= 1))
        return lab_fail(err, errlen, LAB_EINVAL, "fraction = %g is out of range [1e-6, 1]",
                        prune->fraction);
    if (!(prune->theta >= 0 && prune->theta <= 1.5))
        return lab_fail(err, errlen, LAB_EINVAL, "probe angle = %g rad is out of range "
                        "[0, 1.5]", prune->theta);
    int rc = LAB_OK;
    if (prune->theta > 0) {
        if (learner != LAB_PLEARNER_MAXMARGIN)
            return lab_fail(err, errlen, LAB_EINVAL, "%s: a probe angle > 0 is implemented "
                            "for maxmargin only", lab_plearner_names[learner]);
        rc = solve_mm2(w, alpha_prune, prune, &st, err, errlen);
    } else if (learner == LAB_PLEARNER_MAXMARGIN || learner == LAB_PLEARNER_HEBB) {
        struct kept_u k;
        lab_ptheory_data d = kept_data(prune, &k);
        rc = lab_ptheory_solve(w, learner, alpha_prune, &d, &st, err, errlen);
    } else {
        rc = solve_gibbs2(w, alpha_prune, prune, &st, err, errlen);
        if (rc == LAB_OK && learner == LAB_PLEARNER_BAYES) {
            /* the centre of mass: overlap R, norm sqrt(q) */
            st.R /= sqrt(st.q);
            st.phi = acos(st.R);
            st.test_error = st.phi / M_PI;
            st.q = NAN;
        }
    }
    if (rc != LAB_OK)
        return rc;
    *out = st;
    return LAB_OK;
}
