/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mlp.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "blas.h"
#include "dense.h"
#include "simd.h"
#include "status.h"

/* ---- allocation and layout -------------------------------------------- */

size_t lab_mlp_count_params(size_t n_in, size_t depth, const size_t *widths)
{
    /* Each layer: a (fan_out, fan_in) weight matrix and fan_out biases. */
    size_t total = 0, fan_in = n_in;
    for (size_t l = 0; l <= depth; l++) {
        size_t fan_out = l < depth ? widths[l] : 1;
        total += fan_out * (fan_in + 1);
        fan_in = fan_out;
    }
    return total;
}

lab_mlp *lab_mlp_alloc(size_t n_in, size_t depth, const size_t *widths,
                       enum lab_act act)
{
    if (n_in == 0 || (unsigned)act >= LAB_NACT)
        return NULL;
    for (size_t l = 0; l < depth; l++)
        if (widths[l] == 0)
            return NULL;

    lab_mlp *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->depth = depth;
    m->act = act;
    m->sizes = malloc((depth + 2) * sizeof *m->sizes);
    m->w_off = malloc((depth + 1) * sizeof *m->w_off);
    m->b_off = malloc((depth + 1) * sizeof *m->b_off);
    if (!m->sizes || !m->w_off || !m->b_off)
        goto fail;
    m->sizes[0] = n_in;
    for (size_t l = 0; l < depth; l++)
        m->sizes[l + 1] = widths[l];
    m->sizes[depth + 1] = 1;

    size_t off = 0;
    for (size_t l = 0; l <= depth; l++) {
        m->w_off[l] = off;
        off += m->sizes[l + 1] * m->sizes[l];
    }
    m->n_weights = off;
    for (size_t l = 0; l <= depth; l++) {
        m->b_off[l] = off;
        off += m->sizes[l + 1];
    }
    m->n_params = off;
    assert(m->n_params == lab_mlp_count_params(n_in, depth, widths));
    m->theta = calloc(m->n_params, sizeof *m->theta);
    if (!m->theta)
        goto fail;
    return m;
fail:
    lab_mlp_free(m);
    return NULL;
}

void lab_mlp_free(lab_mlp *m)
{
    if (!m)
        return;
    free(m->theta);
    free(m->sizes);
    free(m->w_off);
    free(m->b_off);
    free(m);
}

/* ---- initialisation ---------------------------------------------------- */

const char *const lab_init_names[LAB_NINIT] = { "lecun", "he", "xavier", "torch" };

void lab_mlp_init(lab_mlp *m, enum lab_init scheme, gsl_rng *r)
{
    /* Layer by layer, weights then biases, so a layer's draws do not depend
     * on the layout of theta. */
    for (size_t l = 0; l <= m->depth; l++) {
        size_t fan_in = m->sizes[l], fan_out = m->sizes[l + 1];
        double *W = lab_mlp_w(m, m->theta, l), *b = lab_mlp_b(m, m->theta, l);
        double bound = 1.0 / sqrt((double)fan_in), sd;
        switch (scheme) {
        case LAB_INIT_TORCH:
            for (size_t i = 0; i < fan_out * fan_in; i++)
                W[i] = gsl_ran_flat(r, -bound, bound);
            for (size_t i = 0; i < fan_out; i++)
                b[i] = gsl_ran_flat(r, -bound, bound);
            continue;
        case LAB_INIT_HE:
            sd = sqrt(2.0 / (double)fan_in);
            break;
        case LAB_INIT_XAVIER:
            sd = sqrt(2.0 / (double)(fan_in + fan_out));
            break;
        case LAB_INIT_LECUN:
        default:
            sd = bound;
            break;
        }
        for (size_t i = 0; i < fan_out * fan_in; i++)
            W[i] = gsl_ran_gaussian(r, sd);
        memset(b, 0, fan_out * sizeof *b);
    }
}

int lab_mlp_embed(const lab_mlp *small, lab_mlp *big)
{
    if (small->depth != big->depth || small->act != big->act
        || small->sizes[0] != big->sizes[0])
        return LAB_EINVAL;
    for (size_t l = 1; l <= small->depth; l++)
        if (small->sizes[l] > big->sizes[l])
            return LAB_EINVAL;

    memset(big->theta, 0, big->n_params * sizeof *big->theta);
    for (size_t l = 0; l <= small->depth; l++) {
        size_t rows = small->sizes[l + 1], cols = small->sizes[l];
        const double *Ws = lab_mlp_w(small, small->theta, l);
        double *Wb = lab_mlp_w(big, big->theta, l);
        for (size_t i = 0; i < rows; i++)
            memcpy(Wb + i * big->sizes[l], Ws + i * cols, cols * sizeof *Wb);
        memcpy(lab_mlp_b(big, big->theta, l), lab_mlp_b(small, small->theta, l),
               rows * sizeof(double));
    }
    return LAB_OK;
}

/* ---- workspace ---------------------------------------------------------- */

struct lab_mlp_work {
    size_t rows;     /* B capacity */
    size_t nlayers;  /* L + 1 */
    double **a;      /* a[l], l = 1 .. L+1: (rows, sizes[l]) layer outputs */
    double **dz;     /* dz[l], l = 1 .. L: (rows, sizes[l]) g'(z) */
    double *delta[2]; /* (rows, max hidden width): backward ping-pong */
    double *resid;   /* (rows) scaled residuals for the loss gradient */
    double *ones;    /* (rows) ones, for bias gradients */
    double *dense;   /* lab_dense_work_len(rows): the forward products' */
};

lab_mlp_work *lab_mlp_work_alloc(const lab_mlp *m, size_t rows)
{
    if (rows == 0)
        return NULL;
    lab_mlp_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->rows = rows;
    w->nlayers = m->depth + 1;
    w->a = calloc(m->depth + 2, sizeof *w->a);
    w->dz = calloc(m->depth + 2, sizeof *w->dz);
    if (!w->a || !w->dz)
        goto fail;
    size_t widest = 1;
    for (size_t l = 1; l <= m->depth + 1; l++) {
        if (!(w->a[l] = malloc(rows * m->sizes[l] * sizeof(double))))
            goto fail;
        if (l <= m->depth) {
            if (!(w->dz[l] = malloc(rows * m->sizes[l] * sizeof(double))))
                goto fail;
            if (m->sizes[l] > widest)
                widest = m->sizes[l];
        }
    }
    w->delta[0] = malloc(rows * widest * sizeof(double));
    w->delta[1] = malloc(rows * widest * sizeof(double));
    w->resid = malloc(rows * sizeof(double));
    w->ones = malloc(rows * sizeof(double));
    w->dense = malloc(lab_dense_work_len(rows) * sizeof(double));
    if (!w->delta[0] || !w->delta[1] || !w->resid || !w->ones || !w->dense)
        goto fail;
    for (size_t i = 0; i < rows; i++)
        w->ones[i] = 1.0;
    return w;
fail:
    lab_mlp_work_free(w);
    return NULL;
}

double lab_mlp_bytes(size_t n_in, size_t depth, const size_t *widths)
{
    double params = 0, fan_in = (double)n_in;
    for (size_t l = 0; l <= depth; l++) {
        double fan_out = l < depth ? (double)widths[l] : 1.0;
        params += fan_out * (fan_in + 1.0);
        fan_in = fan_out;
    }
    return sizeof(lab_mlp) + 3.0 * (double)(depth + 2) * sizeof(size_t)
           + params * sizeof(double);
}

double lab_mlp_work_bytes(size_t depth, const size_t *widths, size_t rows)
{
    /* a[1..L+1] and dz[1..L]: two per hidden unit and one output; the two
     * deltas of the widest layer; resid and ones; the forward products'
     * workspace, affine in rows (in doubles, so that no size overflows). */
    double units = 0, widest = 1;
    for (size_t l = 0; l < depth; l++) {
        units += (double)widths[l];
        widest = (double)widths[l] > widest ? (double)widths[l] : widest;
    }
    double dense0 = (double)lab_dense_work_len(0);
    double dense_row = (double)lab_dense_work_len(1) - dense0;
    return sizeof(lab_mlp_work) + 2.0 * (double)(depth + 2) * sizeof(double *)
           + ((double)rows * (2.0 * units + 1.0 + 2.0 * widest + 2.0 + dense_row) + dense0)
                 * sizeof(double);
}

void lab_mlp_work_free(lab_mlp_work *w)
{
    if (!w)
        return;
    if (w->a)
        for (size_t l = 0; l <= w->nlayers; l++)
            free(w->a[l]);
    if (w->dz)
        for (size_t l = 0; l <= w->nlayers; l++)
            free(w->dz[l]);
    free(w->a);
    free(w->dz);
    free(w->delta[0]);
    free(w->delta[1]);
    free(w->resid);
    free(w->ones);
    free(w->dense);
    free(w);
}

/* ---- forward and backward ---------------------------------------------- */

/* Four rows at a time, for independent chains of additions (mlp.h says
 * why this order). */
void lab_mlp_output_sum(size_t B, size_t n, const double *A, const double *w, double b,
                        double *f)
{
    size_t i = 0;
    for (; i + 4 <= B; i += 4) {
        const double *a0 = A + i * n, *a1 = a0 + n, *a2 = a1 + n, *a3 = a2 + n;
        double s0 = b, s1 = b, s2 = b, s3 = b;
        for (size_t j = 0; j < n; j++) {
            s0 += a0[j] * w[j];
            s1 += a1[j] * w[j];
            s2 += a2[j] * w[j];
            s3 += a3[j] * w[j];
        }
        f[i] = s0;
        f[i + 1] = s1;
        f[i + 2] = s2;
        f[i + 3] = s3;
    }
    for (; i < B; i++) {
        double s = b;
        for (size_t j = 0; j < n; j++)
            s += A[i * n + j] * w[j];
        f[i] = s;
    }
}

const double *lab_mlp_forward(const lab_mlp *m, lab_mlp_work *w, size_t B,
                              const double *X, int train)
{
    const double *in = X; /* A_l: (B, sizes[l]) */
    for (size_t l = 0; l <= m->depth; l++) {
        size_t n_in = m->sizes[l], n_out = m->sizes[l + 1];
        const double *W = lab_mlp_w(m, m->theta, l); /* (n_out, n_in) */
        const double *b = lab_mlp_b(m, m->theta, l); /* (n_out) */
        double *Z = w->a[l + 1];                     /* (B, n_out) */
        if (l == m->depth) { /* the one output unit */
            lab_mlp_output_sum(B, n_in, in, W, b[0], Z);
            break;
        }
        /* Z = A_l W_l^T + b_l, in a fixed order (dense.h) */
        lab_dense_forward(B, n_out, n_in, in, W, b, Z, w->dense);
        if (l < m->depth)
            lab_act_forward(m->act, B * n_out, Z, train ? w->dz[l + 1] : NULL);
        in = Z;
    }
    return w->a[m->depth + 1];
}

void lab_mlp_back_product(size_t B, size_t n_in, size_t n_out, const double *delta,
                          const double *W, const double *gp, double *dZ)
{
    if (n_out != 1) {
        lab_gemm(0, 0, B, n_in, n_out, 1.0, delta, W, 0.0, dZ);  /* dA = delta W */
        for (size_t i = 0; i < B * n_in; i++)
            dZ[i] *= gp[i];                                       /* dZ = dA * g'(Z) */
        return;
    }
    /* One output unit: dA is the outer product delta W, one rounded product
     * per element and no sum, which is what the BLAS computes too: it adds
     * the product to the C it zeroed for beta = 0, and "+ 0.0" does that
     * here, so that a product of -0 becomes +0 as it does there. Then the
     * same multiplication by g'(Z), in the same pass. */
    for (size_t i = 0; i < B; i++) {
        double d = delta[i];
        const double *g = gp + i * n_in;
        double *z = dZ + i * n_in;
        LAB_SIMD
        for (size_t j = 0; j < n_in; j++) {
            double a = d * W[j] + 0.0;
            z[j] = a * g[j];
        }
    }
}

/* From delta = dLoss/dZ_{l+1} (B, sizes[l+1]) to dLoss/dZ_l (B, sizes[l]),
 * into the workspace's buffer *next (which then alternates). */
static const double *back_through(const lab_mlp *m, lab_mlp_work *w, size_t B, size_t l,
                                  const double *delta, int *next)
{
    double *dZ = w->delta[*next]; /* (B, n_in) */
    lab_mlp_back_product(B, m->sizes[l], m->sizes[l + 1], delta, lab_mlp_w(m, m->theta, l),
                         w->dz[l], dZ);
    *next ^= 1;
    return dZ;
}

void lab_mlp_backward(const lab_mlp *m, lab_mlp_work *w, size_t B,
                      const double *X, const double *dout, double *grad)
{
    /* delta = dLoss/dZ_{l+1} for layer l: (B, sizes[l+1]). */
    const double *delta = dout;
    int next = 0;
    for (size_t l = m->depth + 1; l-- > 0;) {
        size_t n_in = m->sizes[l], n_out = m->sizes[l + 1];
        const double *in = l == 0 ? X : w->a[l]; /* A_l: (B, n_in) */
        lab_gemm(1, 0, n_out, n_in, B, 1.0, delta, in, 0.0,
                 lab_mlp_w(m, grad, l));                      /* dW_l = delta^T A_l */
        lab_gemv_t(B, n_out, 1.0, delta, w->ones, 0.0,
                   lab_mlp_b(m, grad, l));                    /* db_l = delta^T 1 */
        if (l == 0)
            break;
        delta = back_through(m, w, B, l, delta, &next);
    }
}

void lab_mlp_backward_prepare(const lab_mlp *m, size_t B)
{
    /* The products of lab_mlp_backward() and back_through(), as called there. */
    for (size_t l = 0; l <= m->depth; l++) {
        size_t n_in = m->sizes[l], n_out = m->sizes[l + 1];
        lab_gemm_prepare(1, 0, n_out, n_in, B, 1.0, 0.0);
        if (l > 0)
            lab_gemm_prepare(0, 0, B, n_in, n_out, 1.0, 0.0);
    }
}

void lab_mlp_jacobian(const lab_mlp *m, lab_mlp_work *w, size_t B,
                      const double *X, double *J, const double **out)
{
    const double *f = lab_mlp_forward(m, w, B, X, 1);
    if (out)
        *out = f;
    /* delta = df_i/dZ_{l+1} for layer l: (B, sizes[l+1]); 1 at the output.
     * Row i of J holds delta_i (x) A_l,i for W_l and delta_i for b_l. */
    const double *delta = w->ones;
    size_t P = m->n_params;
    int next = 0;
    for (size_t l = m->depth + 1; l-- > 0;) {
        size_t n_in = m->sizes[l], n_out = m->sizes[l + 1];
        const double *in = l == 0 ? X : w->a[l]; /* A_l: (B, n_in) */
        for (size_t i = 0; i < B; i++) {
            const double *d = delta + i * n_out, *a = in + i * n_in;
            double *jw = J + i * P + m->w_off[l], *jb = J + i * P + m->b_off[l];
            for (size_t j = 0; j < n_out; j++) {
                for (size_t k = 0; k < n_in; k++)
                    jw[j * n_in + k] = d[j] * a[k]; /* dZ_ij/dW_l[j,k] */
                jb[j] = d[j];
            }
        }
        if (l == 0)
            break;
        delta = back_through(m, w, B, l, delta, &next);
    }
}

double lab_mlp_loss_grad(const lab_mlp *m, lab_mlp_work *w, size_t B,
                         const double *X, const double *y, double *grad)
{
    const double *f = lab_mlp_forward(m, w, B, X, grad != NULL);
    double sse = 0.0, scale = 1.0 / (double)B;
    for (size_t i = 0; i < B; i++) {
        double r = f[i] - y[i];
        sse += r * r;
        w->resid[i] = r * scale; /* dLoss/df_i */
    }
    if (grad)
        lab_mlp_backward(m, w, B, X, w->resid, grad);
    return 0.5 * sse * scale;
}

void lab_mlp_predict(const lab_mlp *m, lab_mlp_work *w, size_t n,
                     const double *X, double *out)
{
    size_t D = m->sizes[0];
    for (size_t i = 0; i < n; i += w->rows) {
        size_t B = n - i < w->rows ? n - i : w->rows;
        memcpy(out + i, lab_mlp_forward(m, w, B, X + i * D, 0), B * sizeof *out);
    }
}

double lab_mlp_sse(const lab_mlp *m, lab_mlp_work *w, size_t n,
                   const double *X, const double *y)
{
    size_t D = m->sizes[0];
    double sse = 0.0;
    for (size_t i = 0; i < n; i += w->rows) {
        size_t B = n - i < w->rows ? n - i : w->rows;
        const double *f = lab_mlp_forward(m, w, B, X + i * D, 0);
        for (size_t k = 0; k < B; k++) {
            double r = f[k] - y[i + k];
            sse += r * r;
        }
    }
    return sse;
}

double lab_mlp_forward_ref(const lab_mlp *m, const double *x, double *scratch)
{
    size_t widest = 0;
    for (size_t l = 0; l <= m->depth + 1; l++)
        if (m->sizes[l] > widest)
            widest = m->sizes[l];
    double *cur = scratch, *nxt = scratch + widest;
    memcpy(cur, x, m->sizes[0] * sizeof *cur);
    for (size_t l = 0; l <= m->depth; l++) {
        const double *W = lab_mlp_w(m, m->theta, l), *b = lab_mlp_b(m, m->theta, l);
        for (size_t j = 0; j < m->sizes[l + 1]; j++) {
            double z = b[j];
            for (size_t k = 0; k < m->sizes[l]; k++)
                z += W[j * m->sizes[l] + k] * cur[k];
            nxt[j] = l < m->depth ? lab_act_eval(m->act, z) : z;
        }
        double *t = cur;
        cur = nxt;
        nxt = t;
    }
    return cur[0];
}
