/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vecmath-bench: the vector maths behind the activations (src/act.c), each
 * path called directly: glibc's libmvec (AVX-512, AVX2 and SSE variants, the
 * ones act.c's target clones call, and scalar libm) and, where configure
 * found it, SLEEF's 1.0-ulp functions (the FMA family avx512f, avx2 and
 * purecfma, the non-FMA purec, and Sleef_*_u10).
 *
 *   vecmath-bench [VALUES [REPEATS]]
 *
 * For tanh, erf and exp: on VALUES (default 10^7) points evenly spread over
 * [-20, 20] (exp: [-20, 0], where erf's derivative takes it) plus special
 * values, how many results of each path differ in their bits from the first
 * path of the same library, and the largest error in ulps against the long
 * double function (glibc's x87 tanhl, erfl, expl: 11 more bits).
 * Then nanoseconds per value on buffers of 16384 values (the main job's
 * width-128 step), paths interleaved, the median of REPEATS (default 15),
 * with the 1-minute load average (the machine may be shared). */
#include <configure.h>

#include <float.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef LAB_HAVE_SLEEF
#include <sleef.h>
#endif

#include "clock.h"
#include "stats.h"

/* glibc's vector variants (the x86-64 vector ABI names GCC calls from
 * `omp simd` loops: e = AVX-512, d = AVX2, b = SSE). */
__m512d _ZGVeN8v_tanh(__m512d), _ZGVeN8v_erf(__m512d), _ZGVeN8v_exp(__m512d);
__m256d _ZGVdN4v_tanh(__m256d), _ZGVdN4v_erf(__m256d), _ZGVdN4v_exp(__m256d);
__m128d _ZGVbN2v_tanh(__m128d), _ZGVbN2v_erf(__m128d), _ZGVbN2v_exp(__m128d);

typedef void path_fn(size_t n, const double *x, double *y); /* n a multiple of 8 */

#define VEC(name, isa, type, width, load, store, fn)                          \
    __attribute__((target(isa))) static void name(size_t n, const double *x, \
                                                     double *y)                  \
    {                                                                            \
        for (size_t i = 0; i < n; i += width)                                    \
            store(y + i, fn(load(x + i)));                                       \
    }
#define SCALAR(name, fn)                                           \
    static void name(size_t n, const double *x, double *y)       \
    {                                                              \
        for (size_t i = 0; i < n; i++)                             \
            y[i] = fn(x[i]);                                       \
    }

#define LIBMVEC(f)                                                                        \
    VEC(mvec512_##f, "avx512f", __m512d, 8, _mm512_loadu_pd, _mm512_storeu_pd, _ZGVeN8v_##f) \
    VEC(mvec256_##f, "avx2,fma", __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd, _ZGVdN4v_##f) \
    VEC(mvec128_##f, "sse2", __m128d, 2, _mm_loadu_pd, _mm_storeu_pd, _ZGVbN2v_##f)        \
    SCALAR(libm_##f, f)
LIBMVEC(tanh)
LIBMVEC(erf)
LIBMVEC(exp)

#ifdef LAB_HAVE_SLEEF
/* sleef.h declares its vector functions only where the whole file is
 * compiled for their instruction set. */
#define SLEEF_DECLARE(f)                                                        \
    __m512d Sleef_finz_##f##d8_u10avx512f(__m512d);                             \
    __m256d Sleef_finz_##f##d4_u10avx2(__m256d);                                \
    double Sleef_finz_##f##d1_u10purecfma(double);
__m512d Sleef_finz_tanhd8_u35avx512f(__m512d);
__m256d Sleef_finz_tanhd4_u35avx2(__m256d);
double Sleef_finz_tanhd1_u35purecfma(double);
SLEEF_DECLARE(tanh)
SLEEF_DECLARE(erf)
SLEEF_DECLARE(exp)
#define SLEEF(f)                                                                      \
    VEC(sleef512_##f, "avx512f", __m512d, 8, _mm512_loadu_pd, _mm512_storeu_pd,       \
        Sleef_finz_##f##d8_u10avx512f)                                                \
    VEC(sleef256_##f, "avx2,fma", __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd,      \
        Sleef_finz_##f##d4_u10avx2)                                                   \
    SCALAR(sleefcfma_##f, Sleef_finz_##f##d1_u10purecfma)                             \
    SCALAR(sleefc_##f, Sleef_cinz_##f##d1_u10purec)                                   \
    SCALAR(sleefu10_##f, Sleef_##f##_u10)
SLEEF(tanh)
SLEEF(erf)
SLEEF(exp)
/* For comparison: SLEEF's faster 3.5-ulp tanh. */
VEC(sleef512_tanh35, "avx512f", __m512d, 8, _mm512_loadu_pd, _mm512_storeu_pd,
    Sleef_finz_tanhd8_u35avx512f)
VEC(sleef256_tanh35, "avx2,fma", __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd,
    Sleef_finz_tanhd4_u35avx2)
SCALAR(sleefcfma_tanh35, Sleef_finz_tanhd1_u35purecfma)
#endif

struct path {
    const char *lib, *name, *cpu; /* cpu: the feature it needs, or NULL */
    path_fn *f[3];                /* tanh, erf, exp; NULL: not offered */
};

static const struct path paths[] = {
    { "libmvec", "avx512 (_ZGVeN8v)", "avx512f", { mvec512_tanh, mvec512_erf, mvec512_exp } },
    { "libmvec", "avx2 (_ZGVdN4v)", "avx2", { mvec256_tanh, mvec256_erf, mvec256_exp } },
    { "libmvec", "sse (_ZGVbN2v)", NULL, { mvec128_tanh, mvec128_erf, mvec128_exp } },
    { "libmvec", "scalar libm", NULL, { libm_tanh, libm_erf, libm_exp } },
#ifdef LAB_HAVE_SLEEF
    { "sleef", "avx512f (finz)", "avx512f", { sleef512_tanh, sleef512_erf, sleef512_exp } },
    { "sleef", "avx2 (finz)", "avx2", { sleef256_tanh, sleef256_erf, sleef256_exp } },
    { "sleef", "purecfma (finz)", "fma", { sleefcfma_tanh, sleefcfma_erf, sleefcfma_exp } },
    { "sleef", "purec (cinz)", NULL, { sleefc_tanh, sleefc_erf, sleefc_exp } },
    { "sleef", "Sleef_*_u10", NULL, { sleefu10_tanh, sleefu10_erf, sleefu10_exp } },
    { "sleef-u35", "avx512f (finz)", "avx512f", { sleef512_tanh35, NULL, NULL } },
    { "sleef-u35", "avx2 (finz)", "avx2", { sleef256_tanh35, NULL, NULL } },
    { "sleef-u35", "purecfma (finz)", "fma", { sleefcfma_tanh35, NULL, NULL } },
#endif
};
enum { NPATH = sizeof paths / sizeof paths[0] };

static const char *const fnames[3] = { "tanh", "erf", "exp" };

static long double ref(int f, double x)
{
    return f == 0 ? tanhl(x) : f == 1 ? erfl(x) : expl(x);
}

static int runs(const struct path *p)
{
    if (!p->cpu)
        return 1;
    if (!strcmp(p->cpu, "avx512f"))
        return __builtin_cpu_supports("avx512f");
    if (!strcmp(p->cpu, "avx2"))
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return __builtin_cpu_supports("fma");
}

/* The error of y in ulps of the double nearest to r (the spacing of doubles
 * there; subnormal spacing below DBL_MIN). Both non-finite: 0 when they
 * agree, else infinite. */
static double ulps(double y, long double r)
{
    double rd = (double)r;
    if (!isfinite(y) || !isfinite(rd))
        return (isnan(y) && isnan(rd)) || y == rd ? 0 : INFINITY;
    double a = fabs(rd);
    double spacing = a < DBL_MIN ? DBL_TRUE_MIN : nextafter(a, INFINITY) - a;
    if (a == DBL_MAX)
        spacing = a - nextafter(a, 0);
    return (double)(fabsl((long double)y - r) / spacing);
}

static int same_bits(double a, double b)
{
    if (isnan(a) && isnan(b))
        return 1;
    return memcmp(&a, &b, sizeof a) == 0;
}

static const double specials[] = { 0.0, -0.0, INFINITY, -INFINITY, NAN, DBL_MIN, -DBL_MIN,
                                   DBL_TRUE_MIN, -DBL_TRUE_MIN, DBL_MAX, -DBL_MAX, 1e-300,
                                   1e-8, -1e-8, 0.5, -0.5, 19.06, 22.0, -22.0, 710.0, -745.5,
                                   1e-20, 5.9, -5.9 };
enum { NSPEC = sizeof specials / sizeof specials[0] };

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000000;
    int repeats = argc > 2 ? atoi(argv[2]) : 15;
    if (repeats < 1 || repeats > 199)
        repeats = 15;
    size_t total = (n + NSPEC + 7) / 8 * 8; /* paths work in blocks of 8 */
    double *x = malloc(total * sizeof *x), *y = malloc(total * sizeof *y),
           *first = malloc(total * sizeof *first);
    if (!x || !y || !first)
        return 1;

    printf("# vecmath-bench: %zu values over [-20, 20] (exp: [-20, 0]) and %d specials\n", n,
           NSPEC);
    printf("function\tlibrary\tpath\tdiffer_from_first\tmax_ulp\tmax_ulp_at\n");
    for (int f = 0; f < 3; f++) {
        double lo = -20, hi = f == 2 ? 0 : 20;
        for (size_t i = 0; i < n; i++)
            x[i] = lo + (hi - lo) * (double)i / (double)(n > 1 ? n - 1 : 1);
        for (size_t i = n; i < total; i++)
            x[i] = specials[(i - n) % NSPEC];
        const char *lib = NULL;
        for (int p = 0; p < NPATH; p++) {
            if (!paths[p].f[f])
                continue;
            if (!runs(&paths[p])) {
                printf("%s\t%s\t%s\tnot run (no %s)\n", fnames[f], paths[p].lib, paths[p].name,
                       paths[p].cpu);
                continue;
            }
            paths[p].f[f](total, x, y);
            int is_first = !lib || strcmp(lib, paths[p].lib);
            if (is_first) {
                lib = paths[p].lib;
                memcpy(first, y, total * sizeof *y);
            }
            size_t differ = 0;
            double worst = 0, at = 0;
            for (size_t i = 0; i < total; i++) {
                differ += !same_bits(y[i], first[i]);
                double e = ulps(y[i], ref(f, x[i]));
                if (e > worst) {
                    worst = e;
                    at = x[i];
                }
            }
            printf("%s\t%s\t%s\t%zu\t%.3f\t%.17g\n", fnames[f], paths[p].lib, paths[p].name,
                   differ, worst, at);
        }
    }

    enum { M = 16384 };
    double *t = malloc((size_t)NPATH * 3 * (size_t)repeats * sizeof *t);
    if (!t)
        return 1;
    for (size_t i = 0; i < M; i++)
        x[i] = -4.0 + 8.0 * (double)i / M; /* pre-activations of a trained step */
    double load_lo = INFINITY, load_hi = -INFINITY;
    for (int r = 0; r < repeats; r++) {
        double l = loadavg();
        load_lo = l < load_lo ? l : load_lo;
        load_hi = l > load_hi ? l : load_hi;
        for (int p = 0; p < NPATH; p++)
            for (int f = 0; f < 3; f++) {
                if (!runs(&paths[p]) || !paths[p].f[f])
                    continue;
                int calls = 40;
                double t0 = lab_clock_s();
                for (int c = 0; c < calls; c++)
                    paths[p].f[f](M, x, y);
                t[((size_t)p * 3 + (size_t)f) * (size_t)repeats + (size_t)r] =
                    (lab_clock_s() - t0) / calls / M * 1e9;
            }
    }
    printf("\n# ns per value on %d values in [-4, 4], median of %d interleaved repeats; "
           "load %.2f-%.2f\n", M, repeats, load_lo, load_hi);
    printf("library\tpath\ttanh_ns\terf_ns\texp_ns\n");
    for (int p = 0; p < NPATH; p++) {
        if (!runs(&paths[p]))
            continue;
        printf("%s\t%s", paths[p].lib, paths[p].name);
        for (int f = 0; f < 3; f++)
            if (!paths[p].f[f])
                printf("\t-");
            else
                printf("\t%.3f", median(t + ((size_t)p * 3 + (size_t)f) * (size_t)repeats, repeats));
        printf("\n");
    }
    free(t);
    free(x);
    free(y);
    free(first);
    return 0;
}
