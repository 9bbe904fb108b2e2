/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gemm-bench: time the small products of a training step on each GEMM library
 * the build found, for choosing --with-gemm (README, "Small-matrix GEMM").
 *
 *   gemm-bench [SECONDS_PER_SAMPLE]        (default 0.002)
 *
 * For batch B = 128, inputs D = 16, 32, 64 and widths M = 2 .. 512 (then
 * D = M = 128, 256, 512: hidden layers), a layer's three products, all
 * row-major as the lab stores them:
 *   fwd  Z = X W^T   (B,M) from X (B,D), W (M,D)   lab_gemm(0, 1, B, M, D)
 *   dX   G W         (B,D) from G (B,M)            lab_gemm(0, 0, B, D, M)
 *   dW   G^T X       (M,D)                         lab_gemm(1, 0, M, D, B)
 * by OpenBLAS (cblas_dgemm), BLIS (bli_dgemm, its native strided API),
 * libxsmm (a JIT kernel looked up by libxsmm_dmmdispatch on every call, as
 * lab_gemm() does; fwd needs W transposed first, which its time includes)
 * and, for fwd, the lab's fixed-order kernel lab_dense_forward(). Each row
 * prints ns per call and GFLOP/s (2 B M D flops), the median of interleaved
 * samples, and whether the product's bits equal OpenBLAS's ('=') or not (the
 * largest difference relative to the largest |entry|); '!' marks a backend
 * whose bits differ between two calls on the same inputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <gsl/gsl_rng.h>

#include "configure.h"
#include "clock.h"
#include "blas.h"
#include "dense.h"
#include "rng.h"

#ifdef LAB_HAVE_BLIS
#include <blis.h>
#endif
#ifdef LAB_HAVE_XSMM
#include <libxsmm.h>
#endif

enum { NB = 4, NSAMPLE = 9 };
enum prod { FWD, DX, DW };
static const char *prod_names[] = { "fwd", "dX", "dW" };

/* One product's operands; the backends compute C = op(A) op(B) (beta 0). */
typedef struct {
    int ta, tb;
    size_t m, n, k;
    const double *a, *b;
    double *c;
    double *scratch; /* libxsmm's transposed B */
    const double *zero_bias;
    double *dense_work;
} job;

static void run_openblas(const job *j)
{
    cblas_dgemm(CblasRowMajor, j->ta ? CblasTrans : CblasNoTrans,
                j->tb ? CblasTrans : CblasNoTrans, (int)j->m, (int)j->n, (int)j->k, 1.0, j->a,
                (int)(j->ta ? j->m : j->k), j->b, (int)(j->tb ? j->k : j->n), 0.0, j->c,
                (int)j->n);
}

#ifdef LAB_HAVE_BLIS
static void run_blis(const job *j)
{
    double one = 1.0, zero = 0.0;
    /* Strides of the stored matrices: row-major, so column stride 1. */
    bli_dgemm(j->ta ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
              j->tb ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, (dim_t)j->m, (dim_t)j->n,
              (dim_t)j->k, &one, (double *)j->a, (inc_t)(j->ta ? j->m : j->k), 1,
              (double *)j->b, (inc_t)(j->tb ? j->k : j->n), 1, &zero, j->c, (inc_t)j->n, 1);
}
#endif

#ifdef LAB_HAVE_XSMM
/* Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: the
 * kernel's first operand is B, its second A. libxsmm 1.17 generates
 * kernels for a transposed second operand only, so a transposed B is
 * transposed into scratch first. */
static void run_xsmm(const job *j)
{
    const double *b = j->b;
    if (j->tb) { /* B stored (n,k): scratch (k,n) */
        for (size_t r = 0; r < j->n; r++)
            for (size_t c = 0; c < j->k; c++)
                j->scratch[c * j->n + r] = j->b[r * j->k + c];
        b = j->scratch;
    }
    libxsmm_blasint m = (libxsmm_blasint)j->n, n = (libxsmm_blasint)j->m,
                    k = (libxsmm_blasint)j->k;
    libxsmm_blasint lda = m, ldb = j->ta ? n : k, ldc = m;
    double alpha = 1.0, beta = 0.0;
    int flags = j->ta ? LIBXSMM_GEMM_FLAG_TRANS_B : LIBXSMM_GEMM_FLAG_NONE;
    libxsmm_dmmfunction f =
        libxsmm_dmmdispatch(m, n, k, &lda, &ldb, &ldc, &alpha, &beta, &flags, NULL);
    if (!f) {
        fprintf(stderr, "gemm-bench: libxsmm made no kernel for %ld x %ld x %ld\n", (long)m,
                (long)n, (long)k);
        exit(1);
    }
    f(b, j->a, j->c);
}
#endif

static void run_dense(const job *j)
{
    lab_dense_forward(j->m, j->n, j->k, j->a, j->b, j->zero_bias, j->c, j->dense_work);
}

typedef struct {
    const char *name;
    void (*run)(const job *);
    int fwd_only;
} backend;

static const backend backends[NB] = {
    { "openblas", run_openblas, 0 },
#ifdef LAB_HAVE_BLIS
    { "blis", run_blis, 0 },
#else
    { "blis", NULL, 0 },
#endif
#ifdef LAB_HAVE_XSMM
    { "libxsmm", run_xsmm, 0 },
#else
    { "libxsmm", NULL, 0 },
#endif
    { "dense", run_dense, 1 },
};

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double time_reps(const backend *be, const job *j, long reps)
{
    double t0 = lab_clock_s();
    for (long r = 0; r < reps; r++)
        be->run(j);
    return lab_clock_s() - t0;
}

static void loadavg(char *buf, size_t len)
{
    FILE *f = fopen("/proc/loadavg", "r");
    buf[0] = 0;
    if (f) {
        if (!fgets(buf, (int)len, f))
            buf[0] = 0;
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = 0;
}

int main(int argc, char **argv)
{
    double sample_s = argc > 1 ? atof(argv[1]) : 0.002;
    if (!(sample_s > 0) || sample_s > 1) {
        fprintf(stderr, "usage: gemm-bench [SECONDS_PER_SAMPLE (0 < s <= 1)]\n");
        return 2;
    }
    static const size_t Ds[] = { 16, 32, 64 };
    static const size_t Ms[] = { 2, 4, 8, 16, 32, 64, 128, 256, 512 };
    /* and a hidden layer's products (D = M) at the widths the grid leaves out */
    static const size_t Hs[] = { 128, 256, 512 };
    const size_t B = 128, Dmax = 512, Mmax = 512;

    lab_blas_single_thread();
#ifdef LAB_HAVE_BLIS
    bli_thread_set_num_threads(1);
#endif
#ifdef LAB_HAVE_XSMM
    libxsmm_init();
#endif
    char buf[512], load[128];
    loadavg(load, sizeof load);
    printf("# gemm-bench: B = %zu, float64, one thread; load %s\n", B, load);
    printf("# openblas: %s\n", lab_blas_describe(buf, sizeof buf));
#ifdef LAB_HAVE_BLIS
    printf("# blis: %s, arch %s\n", bli_info_get_version_str(),
           bli_arch_string(bli_arch_query_id()));
#else
    printf("# blis: not built (apt-get install libblis-dev, then ./bootstrap)\n");
#endif
#ifdef LAB_HAVE_XSMM
    printf("# libxsmm: %s, target %s\n", LIBXSMM_VERSION, libxsmm_get_target_arch());
#else
    printf("# libxsmm: not built (apt-get install libxsmm-dev, then ./bootstrap)\n");
#endif
    printf("# ns per call and GFLOP/s: median of %d interleaved samples of %.3g s;\n"
           "# '=' bits equal OpenBLAS's, else max |diff| / max |C|; '!' differs run to run\n",
           NSAMPLE, sample_s);
    printf("%3s %4s %-4s", "D", "M", "prod");
    for (int i = 0; i < NB; i++)
        if (backends[i].run)
            printf(" | %8s %-6s %-7s", backends[i].name, "GF/s", "bits");
    printf("\n");

    gsl_rng *r = lab_rng_alloc(13, 7);
    size_t big = Mmax * Dmax > B * Mmax ? Mmax * Dmax : B * Mmax;
    double *X = malloc(B * Dmax * sizeof *X), *W = malloc(Mmax * Dmax * sizeof *W);
    double *G = malloc(B * Mmax * sizeof *G), *C = malloc(big * sizeof *C);
    double *ref = malloc(big * sizeof *ref), *c1 = malloc(big * sizeof *c1);
    double *scratch = malloc(big * sizeof *scratch);
    double *zero_bias = calloc(Mmax, sizeof *zero_bias);
    double *dense_work = malloc(lab_dense_work_len(B) * sizeof *dense_work);
    if (!r || !X || !W || !G || !C || !ref || !c1 || !scratch || !zero_bias || !dense_work) {
        fprintf(stderr, "gemm-bench: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < B * Dmax; i++)
        X[i] = 2 * gsl_rng_uniform(r) - 1;
    for (size_t i = 0; i < Mmax * Dmax; i++)
        W[i] = 2 * gsl_rng_uniform(r) - 1;
    for (size_t i = 0; i < B * Mmax; i++)
        G[i] = 2 * gsl_rng_uniform(r) - 1;

    size_t nshape = sizeof Ds / sizeof *Ds * (sizeof Ms / sizeof *Ms);
    for (size_t si = 0; si < nshape + sizeof Hs / sizeof *Hs; si++)
        for (int p = FWD; p <= DW; p++) {
            size_t D = si < nshape ? Ds[si / (sizeof Ms / sizeof *Ms)] : Hs[si - nshape];
            size_t M = si < nshape ? Ms[si % (sizeof Ms / sizeof *Ms)] : Hs[si - nshape];
            job j;
            if (p == FWD)
                j = (job){ 0, 1, B, M, D, X, W, C, scratch, zero_bias, dense_work };
            else if (p == DX)
                j = (job){ 0, 0, B, D, M, G, W, C, scratch, zero_bias, dense_work };
            else
                j = (job){ 1, 0, M, D, B, G, X, C, scratch, zero_bias, dense_work };
            size_t nc = j.m * j.n;
            double flops = 2.0 * (double)B * (double)M * (double)D;
            int on[NB];
            long reps[NB];
            double t[NB][NSAMPLE];
            for (int i = 0; i < NB; i++) {
                on[i] = backends[i].run && !(backends[i].fwd_only && p != FWD);
                if (!on[i])
                    continue;
                backends[i].run(&j); /* warm up: JIT, packing buffers */
                long n = 1;
                double s;
                while ((s = time_reps(&backends[i], &j, n)) < sample_s / 8)
                    n *= 2;
                reps[i] = (long)ceil((double)n * sample_s / s);
            }
            /* Interleaved, rotating who goes first: drifting load hits
             * every backend alike. */
            for (int s = 0; s < NSAMPLE; s++)
                for (int q = 0; q < NB; q++) {
                    int i = (q + s) % NB;
                    if (on[i])
                        t[i][s] = time_reps(&backends[i], &j, reps[i]) / (double)reps[i];
                }
            printf("%3zu %4zu %-4s", D, M, prod_names[p]);
            for (int i = 0; i < NB; i++) {
                if (!backends[i].run)
                    continue;
                if (!on[i]) {
                    printf(" | %8s %-6s %-7s", "", "", "");
                    continue;
                }
                qsort(t[i], NSAMPLE, sizeof *t[i], cmp_double);
                double ns = 1e9 * t[i][NSAMPLE / 2];
                /* Bits: two calls on the same inputs, then against OpenBLAS
                 * (backend 0, whose result is kept in ref). */
                memset(C, 0x7f, nc * sizeof *C);
                backends[i].run(&j);
                memcpy(c1, C, nc * sizeof *C);
                memset(C, 0x55, nc * sizeof *C);
                backends[i].run(&j);
                int same_run = memcmp(c1, C, nc * sizeof *C) == 0;
                if (i == 0)
                    memcpy(ref, C, nc * sizeof *C);
                double dmax = 0, cmax = 0;
                for (size_t e = 0; e < nc; e++) {
                    dmax = fmax(dmax, fabs(C[e] - ref[e]));
                    cmax = fmax(cmax, fabs(ref[e]));
                }
                char bits[32];
                if (memcmp(C, ref, nc * sizeof *C) == 0)
                    snprintf(bits, sizeof bits, "=%s", same_run ? "" : "!");
                else
                    snprintf(bits, sizeof bits, "%.0e%s", dmax / cmax, same_run ? "" : "!");
                printf(" | %8.0f %-6.1f %-7s", ns, flops / ns, bits);
            }
            printf("\n");
            fflush(stdout);
        }
    loadavg(load, sizeof load);
    printf("# load at the end %s\n", load);
    gsl_rng_free(r);
    free(X);
    free(W);
    free(G);
    free(C);
    free(ref);
    free(c1);
    free(scratch);
    free(zero_bias);
    free(dense_work);
    return 0;
}
