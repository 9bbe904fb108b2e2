/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "dense.h"

#include <math.h>
#include <string.h>

#include "status.h"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define LAB_DENSE_X86 1
#endif

/* W^T in panels of PANEL units: a panel's slice holds, for each k of a
 * block, the weights W_jk of its units j side by side (zeros past N), so
 * that one k is one or two vector loads. */
enum { PANEL = 16, ROWS = 6, KB = 128 };

/* Units j0 .. j0+u-1 and columns k0 .. k0+kn-1 of W (N,K) into P (kn,PANEL). */
static void pack(size_t k, const double *W, size_t j0, size_t u, size_t k0, size_t kn, double *P)
{
    for (size_t c = 0; c < u; c++) {
        const double *w = W + (j0 + c) * k + k0;
        for (size_t kk = 0; kk < kn; kk++)
            P[kk * PANEL + c] = w[kk];
    }
    for (size_t c = u; c < PANEL; c++)
        for (size_t kk = 0; kk < kn; kk++)
            P[kk * PANEL + c] = 0.0;
}

/* Each kernel continues the sums s[r][0 .. PANEL-1] of up to ROWS rows of A
 * against one panel over k columns; every path does the same fused
 * multiply-adds in the same order, so they agree bit for bit. */
typedef void kernel_fn(size_t R, size_t k, const double *A, size_t lda, const double *P,
                       double (*s)[PANEL]);

/* A direct kernel (k <= KB) writes Z = b + s for up to u units of a panel
 * and its rows straight from the sums, begun at zero (below). */
typedef void direct_fn(size_t R, size_t k, const double *A, size_t lda, const double *P,
                       const double *b, size_t u, double *Z, size_t ldz);

static void kernel_c(size_t R, size_t k, const double *A, size_t lda, const double *P,
                     double (*s)[PANEL])
{
    for (size_t r = 0; r < R; r++) {
        double acc[PANEL];
        memcpy(acc, s[r], sizeof acc);
        for (size_t kk = 0; kk < k; kk++) {
            double a = A[r * lda + kk];
            for (size_t c = 0; c < PANEL; c++)
                acc[c] = fma(a, P[kk * PANEL + c], acc[c]);
        }
        memcpy(s[r], acc, sizeof acc);
    }
}

#ifdef LAB_DENSE_X86
/* The multiply-adds of R rows by a panel of 16 units over k: c0, c1 (R
 * each) take A_rk P_k for k = 0, 1, .. in turn. */
__attribute__((target("avx512f"), always_inline)) static inline void
madd512(size_t R, size_t k, const double *A, size_t lda, const double *P, __m512d *c0,
        __m512d *c1)
{
    for (size_t kk = 0; kk < k; kk++) {
        __m512d w0 = _mm512_loadu_pd(P + kk * PANEL), w1 = _mm512_loadu_pd(P + kk * PANEL + 8);
#pragma GCC unroll 6
        for (size_t r = 0; r < R; r++) {
            __m512d a = _mm512_set1_pd(A[r * lda + kk]);
            c0[r] = _mm512_fmadd_pd(a, w0, c0[r]);
            c1[r] = _mm512_fmadd_pd(a, w1, c1[r]);
        }
    }
}

/* AVX-512: R rows by two vectors of 8, 2R accumulators in registers. R is a
 * constant at each call site, so the row loops unroll. */
__attribute__((target("avx512f"), always_inline)) static inline void
tile512(size_t R, size_t k, const double *A, size_t lda, const double *P, double (*s)[PANEL])
{
    __m512d c0[ROWS], c1[ROWS];
#pragma GCC unroll 6
    for (size_t r = 0; r < R; r++)
        c0[r] = _mm512_loadu_pd(s[r]), c1[r] = _mm512_loadu_pd(s[r] + 8);
    madd512(R, k, A, lda, P, c0, c1);
#pragma GCC unroll 6
    for (size_t r = 0; r < R; r++) {
        _mm512_storeu_pd(s[r], c0[r]);
        _mm512_storeu_pd(s[r] + 8, c1[r]);
    }
}

__attribute__((target("avx512f"))) static void
kernel_avx512(size_t R, size_t k, const double *A, size_t lda, const double *P,
              double (*s)[PANEL])
{
    switch (R) {
    case 6: tile512(6, k, A, lda, P, s); break;
    case 5: tile512(5, k, A, lda, P, s); break;
    case 4: tile512(4, k, A, lda, P, s); break;
    case 3: tile512(3, k, A, lda, P, s); break;
    case 2: tile512(2, k, A, lda, P, s); break;
    default: tile512(1, k, A, lda, P, s); break;
    }
}

/* AVX-512 for panels of at most 8 units (narrow layers, the last panel):
 * up to 12 rows by one vector, so as many accumulators hide the latency of
 * the multiply-adds as above without computing the panel's empty half. */
__attribute__((target("avx512f"), always_inline)) static inline void
tile512n(size_t R, size_t k, const double *A, size_t lda, const double *P, double (*s)[PANEL])
{
    __m512d c[2 * ROWS];
#pragma GCC unroll 12
    for (size_t r = 0; r < R; r++)
        c[r] = _mm512_loadu_pd(s[r]);
    for (size_t kk = 0; kk < k; kk++) {
        __m512d w = _mm512_loadu_pd(P + kk * PANEL);
#pragma GCC unroll 12
        for (size_t r = 0; r < R; r++)
            c[r] = _mm512_fmadd_pd(_mm512_set1_pd(A[r * lda + kk]), w, c[r]);
    }
#pragma GCC unroll 12
    for (size_t r = 0; r < R; r++)
        _mm512_storeu_pd(s[r], c[r]);
}

__attribute__((target("avx512f"))) static void
kernel_avx512_narrow(size_t R, size_t k, const double *A, size_t lda, const double *P,
                     double (*s)[PANEL])
{
    if (R == 2 * ROWS)
        tile512n(2 * ROWS, k, A, lda, P, s);
    else if (R >= ROWS)
        tile512n(ROWS, k, A, lda, P, s), kernel_avx512_narrow(R - ROWS, k, A + ROWS * lda, lda, P, s + ROWS);
    else if (R > 0)
        kernel_avx512(R, k, A, lda, P, s);
}

/* Direct AVX-512 kernels for a product whose k fits one slice (k <= KB,
 * every first layer of the lab): the sums start at zero in registers, as
 * from the zeroed s, and leave as Z = b + s, stored under a mask for the u
 * units of the panel, so that neither s nor its zeroing passes through
 * memory. The same multiply-adds in the same order, then the same addition
 * of the bias: the same bits. */
__attribute__((target("avx512f"), always_inline)) static inline void
direct512(size_t R, size_t k, const double *A, size_t lda, const double *P, const double *b,
          size_t u, double *Z, size_t ldz)
{
    __mmask8 m0 = u >= 8 ? 0xff : (__mmask8)((1u << u) - 1);
    __mmask8 m1 = u >= PANEL ? 0xff : u > 8 ? (__mmask8)((1u << (u - 8)) - 1) : 0;
    __m512d c0[ROWS], c1[ROWS];
#pragma GCC unroll 6
    for (size_t r = 0; r < R; r++)
        c0[r] = _mm512_setzero_pd(), c1[r] = _mm512_setzero_pd();
    madd512(R, k, A, lda, P, c0, c1);
    __m512d b0 = _mm512_maskz_loadu_pd(m0, b), b1 = _mm512_maskz_loadu_pd(m1, b + 8);
#pragma GCC unroll 6
    for (size_t r = 0; r < R; r++) {
        _mm512_mask_storeu_pd(Z + r * ldz, m0, _mm512_add_pd(b0, c0[r]));
        _mm512_mask_storeu_pd(Z + r * ldz + 8, m1, _mm512_add_pd(b1, c1[r]));
    }
}

__attribute__((target("avx512f"))) static void
direct_avx512(size_t R, size_t k, const double *A, size_t lda, const double *P,
              const double *b, size_t u, double *Z, size_t ldz)
{
    switch (R) {
    case 6: direct512(6, k, A, lda, P, b, u, Z, ldz); break;
    case 5: direct512(5, k, A, lda, P, b, u, Z, ldz); break;
    case 4: direct512(4, k, A, lda, P, b, u, Z, ldz); break;
    case 3: direct512(3, k, A, lda, P, b, u, Z, ldz); break;
    case 2: direct512(2, k, A, lda, P, b, u, Z, ldz); break;
    default: direct512(1, k, A, lda, P, b, u, Z, ldz); break;
    }
}

/* Panels of at most 8 units: up to 12 rows by one vector, as tile512n. */
__attribute__((target("avx512f"), always_inline)) static inline void
direct512n(size_t R, size_t k, const double *A, size_t lda, const double *P, const double *b,
           size_t u, double *Z, size_t ldz)
{
    __mmask8 m0 = u >= 8 ? 0xff : (__mmask8)((1u << u) - 1);
    __m512d c[2 * ROWS];
#pragma GCC unroll 12
    for (size_t r = 0; r < R; r++)
        c[r] = _mm512_setzero_pd();
    for (size_t kk = 0; kk < k; kk++) {
        __m512d w = _mm512_loadu_pd(P + kk * PANEL);
#pragma GCC unroll 12
        for (size_t r = 0; r < R; r++)
            c[r] = _mm512_fmadd_pd(_mm512_set1_pd(A[r * lda + kk]), w, c[r]);
    }
    __m512d b0 = _mm512_maskz_loadu_pd(m0, b);
#pragma GCC unroll 12
    for (size_t r = 0; r < R; r++)
        _mm512_mask_storeu_pd(Z + r * ldz, m0, _mm512_add_pd(b0, c[r]));
}

__attribute__((target("avx512f"))) static void
direct_avx512_narrow(size_t R, size_t k, const double *A, size_t lda, const double *P,
                     const double *b, size_t u, double *Z, size_t ldz)
{
    if (R == 2 * ROWS)
        direct512n(2 * ROWS, k, A, lda, P, b, u, Z, ldz);
    else if (R >= ROWS)
        direct512n(ROWS, k, A, lda, P, b, u, Z, ldz),
            direct_avx512_narrow(R - ROWS, k, A + ROWS * lda, lda, P, b, u, Z + ROWS * ldz, ldz);
    else if (R > 0)
        direct_avx512(R, k, A, lda, P, b, u, Z, ldz);
}

/* AVX2: the panel as two halves of 8 units, each R rows by two vectors of 4
 * (2R accumulators, R <= 3 fitting the 16 registers). */
__attribute__((target("avx2,fma"), always_inline)) static inline void
tile256(size_t R, size_t k, const double *A, size_t lda, const double *P, double (*s)[PANEL],
        size_t half)
{
    __m256d c0[3], c1[3];
    const double *Ph = P + half * 8;
#pragma GCC unroll 3
    for (size_t r = 0; r < R; r++)
        c0[r] = _mm256_loadu_pd(s[r] + half * 8), c1[r] = _mm256_loadu_pd(s[r] + half * 8 + 4);
    for (size_t kk = 0; kk < k; kk++) {
        __m256d w0 = _mm256_loadu_pd(Ph + kk * PANEL), w1 = _mm256_loadu_pd(Ph + kk * PANEL + 4);
#pragma GCC unroll 3
        for (size_t r = 0; r < R; r++) {
            __m256d a = _mm256_broadcast_sd(A + r * lda + kk);
            c0[r] = _mm256_fmadd_pd(a, w0, c0[r]);
            c1[r] = _mm256_fmadd_pd(a, w1, c1[r]);
        }
    }
#pragma GCC unroll 3
    for (size_t r = 0; r < R; r++) {
        _mm256_storeu_pd(s[r] + half * 8, c0[r]);
        _mm256_storeu_pd(s[r] + half * 8 + 4, c1[r]);
    }
}

__attribute__((target("avx2,fma"))) static void
kernel_avx2(size_t R, size_t k, const double *A, size_t lda, const double *P,
            double (*s)[PANEL])
{
    for (size_t r0 = 0; r0 < R; r0 += 3) {
        size_t n = R - r0 < 3 ? R - r0 : 3;
        const double *Ar = A + r0 * lda;
        double(*sr)[PANEL] = s + r0;
        for (size_t half = 0; half < 2; half++)
            switch (n) {
            case 3: tile256(3, k, Ar, lda, P, sr, half); break;
            case 2: tile256(2, k, Ar, lda, P, sr, half); break;
            default: tile256(1, k, Ar, lda, P, sr, half); break;
            }
    }
}
#endif

/* The kernels for this CPU: one for full panels (up to ROWS rows a call),
 * one for panels of at most 8 units (up to 2 ROWS rows). */
struct kernels {
    kernel_fn *wide, *narrow;
    direct_fn *direct_wide, *direct_narrow; /* NULL: none for this path */
};

/* The kernels of a path, or { NULL, NULL } when this CPU cannot run it. */
static struct kernels choose(enum lab_dense_path path)
{
#ifdef LAB_DENSE_X86
    int avx512 = __builtin_cpu_supports("avx512f");
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (path == LAB_DENSE_AUTO)
        path = avx512 ? LAB_DENSE_AVX512 : avx2 ? LAB_DENSE_AVX2 : LAB_DENSE_C;
    if (path == LAB_DENSE_AVX512)
        return avx512 ? (struct kernels){ kernel_avx512, kernel_avx512_narrow, direct_avx512,
                                          direct_avx512_narrow }
                      : (struct kernels){ NULL, NULL, NULL, NULL };
    if (path == LAB_DENSE_AVX2)
        return avx2 ? (struct kernels){ kernel_avx2, kernel_avx2, NULL, NULL }
                    : (struct kernels){ NULL, NULL, NULL, NULL };
#else
    if (path != LAB_DENSE_AUTO && path != LAB_DENSE_C)
        return (struct kernels){ NULL, NULL, NULL, NULL };
#endif
    return (struct kernels){ kernel_c, kernel_c, NULL, NULL };
}

size_t lab_dense_work_len(size_t B)
{
    return (B + KB) * PANEL;
}

void lab_dense_forward(size_t B, size_t n, size_t k, const double *A, const double *W,
                       const double *b, double *Z, double *work)
{
    lab_dense_forward_path(LAB_DENSE_AUTO, B, n, k, A, W, b, Z, work);
}

int lab_dense_forward_path(enum lab_dense_path path, size_t B, size_t n, size_t k,
                           const double *A, const double *W, const double *b, double *Z,
                           double *work)
{
    /* A panel's slice of KB values of k stays in the first-level cache while
     * every row passes it; the rows' partial sums s wait in work between
     * slices, which changes none of their operations. */
    struct kernels kern = choose(path);
    if (!kern.wide)
        return LAB_EINVAL;
    double(*s)[PANEL] = (double(*)[PANEL])work, *P = work + B * PANEL;
    if (k <= KB && kern.direct_wide) {
        for (size_t p = 0; p < n; p += PANEL) {
            size_t u = n - p < PANEL ? n - p : PANEL;
            direct_fn *direct = u <= PANEL / 2 ? kern.direct_narrow : kern.direct_wide;
            size_t step = direct == kern.direct_wide ? ROWS : 2 * ROWS;
            pack(k, W, p, u, 0, k, P);
            for (size_t i = 0; i < B; i += step)
                direct(B - i < step ? B - i : step, k, A + i * k, k, P, b + p, u, Z + i * n + p,
                       n);
        }
        return LAB_OK;
    }
    for (size_t p = 0; p < n; p += PANEL) {
        size_t u = n - p < PANEL ? n - p : PANEL;
        kernel_fn *kernel = u <= PANEL / 2 ? kern.narrow : kern.wide;
        size_t step = kernel == kern.wide ? ROWS : 2 * ROWS;
        memset(s, 0, B * sizeof s[0]);
        for (size_t k0 = 0; k0 < k; k0 += KB) {
            size_t kn = k - k0 < KB ? k - k0 : KB;
            pack(k, W, p, u, k0, kn, P);
            for (size_t i = 0; i < B; i += step)
                kernel(B - i < step ? B - i : step, kn, A + i * k + k0, k, P, s + i);
        }
        for (size_t i = 0; i < B; i++) {
            double *z = Z + i * n + p;
            if (u == PANEL) /* a constant count, for the vectoriser */
                for (size_t c = 0; c < PANEL; c++)
                    z[c] = b[p + c] + s[i][c];
            else
                for (size_t c = 0; c < u; c++)
                    z[c] = b[p + c] + s[i][c];
        }
    }
    return LAB_OK;
}
