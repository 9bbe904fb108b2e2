/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Activations: the vector path against the scalar reference, derivatives
 * against central differences, g(0) = 0. */
#include <math.h>
#include <stdlib.h>

#include "act.h"
#include "tap.h"

#define N 4099 /* odd, so vector loops have a remainder */

int main(void)
{
    plan(4 * LAB_NACT);
    double *z = malloc(N * sizeof *z), *y = malloc(N * sizeof *y), *dy = malloc(N * sizeof *dy);
    if (!z || !y || !dy)
        bail("out of memory");
    for (int i = 0; i < N; i++)
        z[i] = -9.5 + 19.0 * i / (N - 1) + 1e-3; /* from saturation to saturation */

    for (int a = 0; a < LAB_NACT; a++) {
        const char *name = lab_act_names[a];
        for (int i = 0; i < N; i++)
            y[i] = z[i];
        lab_act_forward((enum lab_act)a, N, y, dy);
        double worst = 0, worst_d = 0, worst_fd = 0;
        for (int i = 0; i < N; i++) {
            double want = lab_act_eval((enum lab_act)a, z[i]);
            double err = fabs(y[i] - want) / (fabs(want) + 1e-300);
            worst = err > worst ? err : worst;
            double dwant = lab_act_deriv((enum lab_act)a, z[i]);
            err = fabs(dy[i] - dwant);
            worst_d = err > worst_d ? err : worst_d;
            /* Central difference of the scalar function (relu: away from 0). */
            double h = 1e-5;
            if (a == LAB_ACT_RELU && fabs(z[i]) < 2 * h)
                continue;
            double fd = (lab_act_eval((enum lab_act)a, z[i] + h)
                         - lab_act_eval((enum lab_act)a, z[i] - h)) / (2 * h);
            err = fabs(fd - dwant);
            worst_fd = err > worst_fd ? err : worst_fd;
        }
        /* libmvec promises a few ulp; 1e-14 relative is about 45 ulp. */
        ok(worst <= 1e-14, "%s: vector path matches the scalar one (worst rel %.2g)", name, worst);
        ok(worst_d <= 1e-14, "%s: derivative kept by forward matches (worst %.2g)", name, worst_d);
        ok(worst_fd <= 1e-8, "%s: derivative matches central differences (worst %.2g)", name,
           worst_fd);
        double zero = 0.0;
        lab_act_forward((enum lab_act)a, 1, &zero, NULL);
        ok(zero == 0.0, "%s: g(0) = 0, so zero-padded units are silent", name);
    }
    free(z);
    free(y);
    free(dy);
    return 0;
}
