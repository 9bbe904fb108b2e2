/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "act.h"

#include <math.h>
#include <string.h>

#include "simd.h"

const char *const lab_act_names[LAB_NACT] = { "linear", "tanh", "relu", "erf" };

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

/* The vector and scalar versions of tanh and erf may differ in the last
 * bit, so a value must not depend on whether it falls in the vector body of
 * a loop or its scalar remainder, that is on its place in the buffer (the
 * same network on the same input would give other outputs in a batch of
 * another size, and a student planted at its teacher would not compute the
 * teacher's labels exactly). The remainder goes through the vector loop
 * too, padded with zeros to a block of LANES, a multiple of every vector
 * width. */
#define LANES 16

static void blocked(void (*kernel)(size_t, double *restrict, double *restrict), size_t n,
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

void lab_act_forward(enum lab_act a, size_t n, double *z, double *dz)
{
    switch (a) {
    case LAB_ACT_TANH:
        blocked(tanh_kernel, n, z, dz);
        break;
    case LAB_ACT_ERF:
        blocked(erf_kernel, n, z, dz);
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
