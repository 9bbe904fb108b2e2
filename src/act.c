/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "act.h"

#include <math.h>

#include "simd.h"

const char *const lab_act_names[LAB_NACT] = { "linear", "tanh", "relu", "erf" };

LAB_VECTOR_KERNEL
static void tanh_forward(size_t n, double *restrict z, double *restrict dz)
{
LAB_SIMD
    for (size_t i = 0; i < n; i++)
        z[i] = tanh(z[i]);
    if (dz) {
LAB_SIMD
        for (size_t i = 0; i < n; i++)
            dz[i] = 1.0 - z[i] * z[i];
    }
}

LAB_VECTOR_KERNEL
static void erf_forward(size_t n, double *restrict z, double *restrict dz)
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

static void relu_forward(size_t n, double *restrict z, double *restrict dz)
{
    if (dz)
        for (size_t i = 0; i < n; i++)
            dz[i] = z[i] > 0.0 ? 1.0 : 0.0;
    for (size_t i = 0; i < n; i++)
        z[i] = z[i] > 0.0 ? z[i] : 0.0;
}

void lab_act_forward(enum lab_act a, size_t n, double *z, double *dz)
{
    switch (a) {
    case LAB_ACT_TANH:
        tanh_forward(n, z, dz);
        break;
    case LAB_ACT_ERF:
        erf_forward(n, z, dz);
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
