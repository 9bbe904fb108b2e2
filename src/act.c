/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "act.h"

#include <configure.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "simd.h"

const char *const lab_act_names[LAB_NACT] = { "linear", "tanh", "relu", "erf" };

typedef void kernel_fn(size_t n, double *restrict z, double *restrict dz);

#ifndef LAB_VECMATH_SLEEF
/* With dz, g and g' in one pass: the same operations as two passes, one
 * trip through memory fewer. */
LAB_VECTOR_KERNEL
static void tanh_kernel(size_t n, double *restrict z, double *restrict dz)
{
    if (dz) {
LAB_SIMD
        for (size_t i = 0; i < n; i++) {
            double t = tanh(z[i]);
            z[i] = t;
            dz[i] = 1.0 - t * t;
        }
        return;
    }
LAB_SIMD
    for (size_t i = 0; i < n; i++)
        z[i] = tanh(z[i]);
}

LAB_VECTOR_KERNEL
static void erf_kernel(size_t n, double *restrict z, double *restrict dz)
{
    /* The derivative needs z, so it is computed before z is overwritten. */
    if (dz) {
LAB_SIMD
        for (size_t i = 0; i < n; i++)
            dz[i] = M_SQRT2 * M_2_SQRTPI * 0.5 * exp(-0.5 * z[i] * z[i]);
    }
LAB_SIMD
    for (size_t i = 0; i < n; i++)
        z[i] = erf(z[i] * M_SQRT1_2);
}

/* One path: the compiler's clones pick libmvec's variant at load time. */
static const struct path {
    const char *name;
    kernel_fn *tanh, *erf;
} paths[] = { { "libmvec", tanh_kernel, erf_kernel } };

static int path_runs(size_t i)
{
    return i == 0;
}

const char *lab_act_describe(char *buf, size_t len)
{
#ifdef LAB_SIMD_MATH
    snprintf(buf, len, "libmvec");
#else
    snprintf(buf, len, "scalar libm");
#endif
    return buf;
}

#else /* LAB_VECMATH_SLEEF */
#ifndef __x86_64__
#error "--with-vecmath=sleef: act.c calls SLEEF's x86-64 variants"
#endif
#include <immintrin.h>
#include <sleef.h>

/* SLEEF's 1.0-ulp functions of its FMA family ("finz"): the AVX-512, AVX2 and
 * scalar variants do the same operations, so they give the same bits
 * (bench/vecmath-bench, README "Vector maths: --with-vecmath"). A CPU without
 * FMA takes the plain-C variants ("cinz"), whose bits differ at a few values
 * (tanh 10 in 10^7, erf 3 in 1000, exp 1 in 10). sleef.h declares the vector
 * variants only where the whole file is compiled for their instruction set. */
__m512d Sleef_finz_tanhd8_u10avx512f(__m512d);
__m512d Sleef_finz_erfd8_u10avx512f(__m512d);
__m512d Sleef_finz_expd8_u10avx512f(__m512d);
__m256d Sleef_finz_tanhd4_u10avx2(__m256d);
__m256d Sleef_finz_erfd4_u10avx2(__m256d);
__m256d Sleef_finz_expd4_u10avx2(__m256d);
double Sleef_finz_tanhd1_u10purecfma(double);
double Sleef_finz_erfd1_u10purecfma(double);
double Sleef_finz_expd1_u10purecfma(double);

/* g'(z) of erf is ERF_D exp(-z z / 2): the libmvec kernel's constant and
 * order of operations, on every path. */
#define ERF_D (M_SQRT2 * M_2_SQRTPI * 0.5)

/* The vector kernels take n a multiple of their width: blocked() hands them
 * multiples of LANES. */
#define VECTOR_KERNELS(isa, suffix, width, vd, load, store, set1, mul, sub, tanh_f, erf_f, exp_f) \
    __attribute__((target(isa))) static void tanh_##suffix(size_t n, double *restrict z,       \
                                                           double *restrict dz)               \
    {                                                                                          \
        const vd one = set1(1.0);                                                              \
        for (size_t i = 0; i < n; i += width) {                                                \
            vd t = tanh_f(load(z + i));                                                        \
            store(z + i, t);                                                                   \
            if (dz)                                                                            \
                store(dz + i, sub(one, mul(t, t)));                                            \
        }                                                                                      \
    }                                                                                          \
    __attribute__((target(isa))) static void erf_##suffix(size_t n, double *restrict z,        \
                                                          double *restrict dz)                \
    {                                                                                          \
        const vd half = set1(-0.5), d = set1(ERF_D), s = set1(M_SQRT1_2);                      \
        for (size_t i = 0; i < n; i += width) {                                                \
            vd v = load(z + i);                                                                \
            if (dz)                                                                            \
                store(dz + i, mul(d, exp_f(mul(mul(half, v), v))));                            \
            store(z + i, erf_f(mul(v, s)));                                                    \
        }                                                                                      \
    }
VECTOR_KERNELS("avx512f", avx512f, 8, __m512d, _mm512_loadu_pd, _mm512_storeu_pd,
               _mm512_set1_pd, _mm512_mul_pd, _mm512_sub_pd, Sleef_finz_tanhd8_u10avx512f,
               Sleef_finz_erfd8_u10avx512f, Sleef_finz_expd8_u10avx512f)
VECTOR_KERNELS("avx2,fma", avx2, 4, __m256d, _mm256_loadu_pd, _mm256_storeu_pd,
               _mm256_set1_pd, _mm256_mul_pd, _mm256_sub_pd, Sleef_finz_tanhd4_u10avx2,
               Sleef_finz_erfd4_u10avx2, Sleef_finz_expd4_u10avx2)

#define SCALAR_KERNELS(suffix, tanh_f, erf_f, exp_f)                                    \
    static void tanh_##suffix(size_t n, double *restrict z, double *restrict dz)        \
    {                                                                                   \
        for (size_t i = 0; i < n; i++) {                                                \
            double t = tanh_f(z[i]);                                                    \
            z[i] = t;                                                                   \
            if (dz)                                                                     \
                dz[i] = 1.0 - t * t;                                                    \
        }                                                                               \
    }                                                                                   \
    static void erf_##suffix(size_t n, double *restrict z, double *restrict dz)         \
    {                                                                                   \
        for (size_t i = 0; i < n; i++) {                                                \
            if (dz)                                                                     \
                dz[i] = ERF_D * exp_f(-0.5 * z[i] * z[i]);                              \
            z[i] = erf_f(z[i] * M_SQRT1_2);                                             \
        }                                                                               \
    }
SCALAR_KERNELS(purecfma, Sleef_finz_tanhd1_u10purecfma, Sleef_finz_erfd1_u10purecfma,
               Sleef_finz_expd1_u10purecfma)
SCALAR_KERNELS(purec, Sleef_cinz_tanhd1_u10purec, Sleef_cinz_erfd1_u10purec,
               Sleef_cinz_expd1_u10purec)

/* Best first: lab_act_forward() takes the first this CPU runs. */
static const struct path {
    const char *name;
    kernel_fn *tanh, *erf;
} paths[] = {
    { "avx512f", tanh_avx512f, erf_avx512f },
    { "avx2", tanh_avx2, erf_avx2 },
    { "purecfma", tanh_purecfma, erf_purecfma },
    { "purec", tanh_purec, erf_purec },
};

static int path_runs(size_t i)
{
    switch (i) {
    case 0: return __builtin_cpu_supports("avx512f");
    case 1: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case 2: return __builtin_cpu_supports("fma");
    case 3: return 1;
    default: return 0;
    }
}

const char *lab_act_describe(char *buf, size_t len)
{
    size_t i = 0;
    while (!path_runs(i))
        i++;
    snprintf(buf, len, "SLEEF %d.%d.%d 1.0-ulp tanh, erf and exp (erf's derivative), path %s",
             SLEEF_VERSION_MAJOR, SLEEF_VERSION_MINOR, SLEEF_VERSION_PATCHLEVEL, paths[i].name);
    return buf;
}
#endif /* LAB_VECMATH_SLEEF */

#define NPATHS (sizeof paths / sizeof paths[0])

/* The vector and scalar versions of tanh and erf may differ in the last
 * bit, so a value must not depend on whether it falls in the vector body of
 * a loop or its scalar remainder, that is on its place in the buffer (the
 * same network on the same input would give other outputs in a batch of
 * another size, and a student planted at its teacher would not compute the
 * teacher's labels exactly). The remainder goes through the vector loop
 * too, padded with zeros to a block of LANES, a multiple of every vector
 * width. */
#define LANES 16

static void blocked(kernel_fn *kernel, size_t n,
                    double *z, double *dz)
{
    size_t body = n - n % LANES, rest = n - body;
    kernel(body, z, dz);
    if (rest == 0)
        return;
    double zt[LANES] = { 0 }, dt[LANES];
    memcpy(zt, z + body, rest * sizeof *zt);
    kernel(LANES, zt, dz ? dt : NULL);
    memcpy(z + body, zt, rest * sizeof *zt);
    if (dz)
        memcpy(dz + body, dt, rest * sizeof *dt);
}

static void relu_forward(size_t n, double *restrict z, double *restrict dz)
{
    if (dz)
        for (size_t i = 0; i < n; i++)
            dz[i] = z[i] > 0.0 ? 1.0 : 0.0;
    for (size_t i = 0; i < n; i++)
        z[i] = z[i] > 0.0 ? z[i] : 0.0;
}

static void forward(const struct path *p, enum lab_act a, size_t n, double *z, double *dz)
{
    switch (a) {
    case LAB_ACT_TANH:
        blocked(p->tanh, n, z, dz);
        break;
    case LAB_ACT_ERF:
        blocked(p->erf, n, z, dz);
        break;
    case LAB_ACT_RELU:
        relu_forward(n, z, dz);
        break;
    case LAB_ACT_LINEAR:
    default:
        if (dz)
            for (size_t i = 0; i < n; i++)
                dz[i] = 1.0;
        break;
    }
}

void lab_act_forward(enum lab_act a, size_t n, double *z, double *dz)
{
    size_t i = 0;
    while (!path_runs(i))
        i++;
    forward(&paths[i], a, n, z, dz);
}

const char *lab_act_path_name(size_t path)
{
    return path < NPATHS ? paths[path].name : NULL;
}

int lab_act_forward_path(size_t path, enum lab_act a, size_t n, double *z, double *dz)
{
    if (path >= NPATHS || !path_runs(path))
        return -1;
    forward(&paths[path], a, n, z, dz);
    return 0;
}

double lab_act_eval(enum lab_act a, double z)
{
    switch (a) {
    case LAB_ACT_TANH: return tanh(z);
    case LAB_ACT_ERF: return erf(z / sqrt(2.0));
    case LAB_ACT_RELU: return z > 0.0 ? z : 0.0;
    default: return z;
    }
}

double lab_act_deriv(enum lab_act a, double z)
{
    switch (a) {
    case LAB_ACT_TANH: return 1.0 - tanh(z) * tanh(z);
    case LAB_ACT_ERF: return sqrt(2.0 / M_PI) * exp(-0.5 * z * z);
    case LAB_ACT_RELU: return z > 0.0 ? 1.0 : 0.0;
    default: return 1.0;
    }
}
