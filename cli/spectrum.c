/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "spectrum.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "blas.h"
#include "status.h"

struct lab_spectrum {
    size_t len;
    double *in;        /* len: the signal (r2c with FFTW_ESTIMATE keeps it) */
    fftw_complex *out; /* len / 2 + 1 bins */
    fftw_plan plan;
};

lab_spectrum *lab_spectrum_alloc(size_t len)
{
    if (len == 0 || len > (size_t)0x7fffffff)
        return NULL;
    lab_spectrum *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->len = len;
    s->in = fftw_malloc(len * sizeof *s->in);
    s->out = fftw_malloc((len / 2 + 1) * sizeof *s->out);
    /* ESTIMATE picks the algorithm without timing it: the same plan, hence
     * the same bits, on every run (MEASURE is not deterministic). */
    if (s->in && s->out)
        s->plan = fftw_plan_dft_r2c_1d((int)len, s->in, s->out, FFTW_ESTIMATE);
    if (!s->plan) {
        lab_spectrum_free(s);
        return NULL;
    }
    return s;
}

void lab_spectrum_free(lab_spectrum *s)
{
    if (!s)
        return;
    if (s->plan)
        fftw_destroy_plan(s->plan);
    fftw_free(s->in);
    fftw_free(s->out);
    free(s);
}

size_t lab_spectrum_len(const lab_spectrum *s)
{
    return s->len;
}

size_t lab_spectrum_nbins(const lab_spectrum *s)
{
    return s->len / 2 + 1;
}

int lab_spectrum_dof(size_t len, size_t k)
{
    return k == 0 || (len % 2 == 0 && k == len / 2) ? 1 : 2;
}

/* acc[k] += m_k |X_k|^2 for the signal in s->in (which it keeps). */
static void add_power(lab_spectrum *s, double *acc)
{
    fftw_execute(s->plan);
    size_t nb = s->len / 2 + 1;
    for (size_t k = 0; k < nb; k++) {
        double re = s->out[k][0], im = s->out[k][1];
        acc[k] += lab_spectrum_dof(s->len, k) * (re * re + im * im);
    }
}

void lab_spectrum_signals(lab_spectrum *s, size_t n, const double *x, double *power)
{
    size_t nb = s->len / 2 + 1;
    memset(power, 0, nb * sizeof *power);
    for (size_t i = 0; i < n; i++) {
        memcpy(s->in, x + i * s->len, s->len * sizeof *s->in);
        add_power(s, power);
    }
    /* Parseval: sum_k m_k |X_k|^2 = len * sum_j x_j^2. */
    double scale = 1.0 / ((double)n * (double)s->len);
    for (size_t k = 0; k < nb; k++)
        power[k] *= scale;
}

/* u' C u for C symmetric with its lower triangle filled (d, d). */
static double quad_lower(size_t d, const double *C, const double *u)
{
    double q = 0;
    for (size_t i = 0; i < d; i++) {
        q += C[i * d + i] * u[i] * u[i];
        for (size_t j = 0; j < i; j++)
            q += 2.0 * C[i * d + j] * u[i] * u[j];
    }
    return q;
}

int lab_spectrum_lines(lab_spectrum *s, const lab_mlp *f, size_t n, size_t d,
                       const double *x, size_t lines, double span, double *power,
                       char *err, size_t errlen)
{
    size_t L = s->len, nb = L / 2 + 1;
    if (L < 4 || L % 2 || lines == 0 || lines > n / 2 || d == 0 || !(span > 0)
        || !isfinite(span))
        return lab_fail(err, errlen, LAB_EINVAL, "lines: bad sizes (%zu points, %zu lines "
                        "through %zu inputs, span %g)", L, lines, n, span);
    double *C = calloc(d * d, sizeof *C), *pts = malloc(L * d * sizeof *pts);
    double *u = malloc(d * sizeof *u), *w = malloc(L * sizeof *w), *fv = malloc(L * sizeof *fv);
    lab_mlp_work *work = lab_mlp_work_alloc(f, L);
    int rc = LAB_OK;
    if (!C || !pts || !u || !w || !fv || !work) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    /* C = X'X / n: the set's second moments, for its spread along u. */
    lab_syrk_t(d, n, x, C);
    for (size_t i = 0; i < d * d; i++)
        C[i] /= (double)n;
    /* Hann, periodic: w_0 = 0 and w symmetric about m = L/2 (t = 0), so the
     * weighted mean of t is 0 and a ramp stays a ramp. */
    double wsum = 0, w2sum = 0;
    for (size_t m = 0; m < L; m++) {
        double sn = sin(M_PI * (double)m / (double)L);
        w[m] = sn * sn;
        wsum += w[m];
        w2sum += w[m] * w[m];
    }
    memset(power, 0, nb * sizeof *power);
    for (size_t i = 0; i < lines; i++) {
        const double *x0 = x + 2 * i * d, *x1 = x0 + d;
        double norm = 0;
        for (size_t j = 0; j < d; j++)
            norm += x1[j] * x1[j];
        norm = sqrt(norm);
        if (!(norm > 0)) {
            rc = lab_fail(err, errlen, LAB_ENUMERIC, "line %zu: its direction (input %zu) is 0",
                          i, 2 * i + 1);
            goto done;
        }
        for (size_t j = 0; j < d; j++)
            u[j] = x1[j] / norm;
        double sigma = sqrt(quad_lower(d, C, u));
        if (!(sigma > 0) || !isfinite(sigma)) {
            rc = lab_fail(err, errlen, LAB_ENUMERIC, "line %zu: the inputs have no spread "
                          "along its direction", i);
            goto done;
        }
        double T = span * sigma;
        for (size_t m = 0; m < L; m++) {
            double t = T * (2.0 * (double)m / (double)L - 1.0);
            for (size_t j = 0; j < d; j++)
                pts[m * d + j] = x0[j] + t * u[j];
        }
        lab_mlp_predict(f, work, L, pts, fv);
        double mean = 0;
        for (size_t m = 0; m < L; m++)
            mean += w[m] * fv[m];
        mean /= wsum;
        if (!isfinite(mean)) {
            rc = lab_fail(err, errlen, LAB_ENUMERIC, "line %zu: the teacher's output is not "
                          "finite", i);
            goto done;
        }
        for (size_t m = 0; m < L; m++)
            s->in[m] = w[m] * (fv[m] - mean);
        add_power(s, power);
    }
    double scale = 1.0 / ((double)lines * (double)L * w2sum);
    for (size_t k = 0; k < nb; k++)
        power[k] *= scale;
done:
    lab_mlp_work_free(work);
    free(C);
    free(pts);
    free(u);
    free(w);
    free(fv);
    return rc;
}

size_t lab_spectrum_bandwidth(size_t nbins, const double *power, double q, double *cumulative)
{
    double total = 0;
    for (size_t k = 0; k < nbins; k++)
        total += power[k];
    size_t B = nbins - 1;
    int found = 0;
    double run = 0;
    for (size_t k = 0; k < nbins; k++) {
        run += power[k];
        /* The last bin is 1 exactly: the same sum in the same order. */
        double frac = k == nbins - 1 && total > 0 ? 1.0 : run / total;
        if (cumulative)
            cumulative[k] = frac;
        if (!found && total > 0 && isfinite(total) && frac >= q) {
            B = k;
            found = 1;
        }
    }
    return B;
}
