/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Activations: on every vector-maths path this CPU runs (act.h), the vector
 * path against the scalar reference, derivatives against central
 * differences, g(0) = 0, and a value's bits independent of its place in the
 * buffer (act.c's blocked()); with SLEEF, the FMA-family paths give the
 * same bits as the one lab_act_forward() takes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "tap.h"

#define N 4099 /* odd, so vector loops have a remainder */
#define WIDE 100003 /* over [-20, 20], for the paths' agreement */

static double *alloc(size_t n)
{
    double *v = malloc(n * sizeof *v);
    if (!v)
        bail("out of memory");
    return v;
}

/* Whether a and b hold the same bits. */
static int same(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* The reference checks of path p (the first five of the test's per-path
 * plan). */
static void check_path(size_t p, const double *z)
{
    const char *path = lab_act_path_name(p);
    double *y = alloc(N), *dy = alloc(N), *one = alloc(N), *done = alloc(N);
    for (int a = 0; a < LAB_NACT; a++) {
        const char *name = lab_act_names[a];
        memcpy(y, z, N * sizeof *y);
        lab_act_forward_path(p, (enum lab_act)a, N, y, dy);
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
        /* libmvec promises a few ulp, SLEEF 1; 1e-14 relative is about 45 ulp. */
        ok(worst <= 1e-14, "%s %s: vector path matches the scalar one (worst rel %.2g)", path,
           name, worst);
        ok(worst_d <= 1e-14, "%s %s: derivative kept by forward matches (worst %.2g)", path,
           name, worst_d);
        ok(worst_fd <= 1e-8, "%s %s: derivative matches central differences (worst %.2g)", path,
           name, worst_fd);
        double zero = 0.0;
        lab_act_forward_path(p, (enum lab_act)a, 1, &zero, NULL);
        ok(zero == 0.0, "%s %s: g(0) = 0, so zero-padded units are silent", path, name);

        /* Each value alone (the scalar remainder of a loop), and the buffer
         * one place on (the other values in other lanes). */
        for (int i = 0; i < N; i++) {
            one[i] = z[i];
            lab_act_forward_path(p, (enum lab_act)a, 1, one + i, done + i);
        }
        int alone = same(one, y, N) && same(done, dy, N);
        memcpy(one, z, N * sizeof *one);
        lab_act_forward_path(p, (enum lab_act)a, N - 1, one + 1, done + 1);
        int shifted = same(one + 1, y + 1, N - 1) && same(done + 1, dy + 1, N - 1);
        ok(alone && shifted,
           "%s %s: a value's bits do not depend on its place in the buffer (alone %s, "
           "shifted %s)", path, name, alone ? "same" : "differ", shifted ? "same" : "differ");
    }
    free(y);
    free(dy);
    free(one);
    free(done);
}

int main(void)
{
    size_t npaths = 0, nruns = 0;
    double probe = 0.0;
    while (lab_act_path_name(npaths)) {
        nruns += lab_act_forward_path(npaths, LAB_ACT_LINEAR, 1, &probe, NULL) == 0;
        npaths++;
    }
    /* The first path that runs is lab_act_forward()'s; with SLEEF every
     * other that runs but "purec" (no FMA, other bits) is compared with it. */
    plan((int)(1 + 5 * LAB_NACT * nruns + (nruns > 1 ? nruns - 1 : 0)));

    double *z = alloc(N);
    for (int i = 0; i < N; i++)
        z[i] = -9.5 + 19.0 * i / (N - 1) + 1e-3; /* from saturation to saturation */

    size_t first = npaths;
    for (size_t p = 0; p < npaths; p++) {
        if (lab_act_forward_path(p, LAB_ACT_LINEAR, 1, &probe, NULL) != 0)
            continue;
        if (first == npaths)
            first = p;
        check_path(p, z);
    }
    double *y = alloc(N), *dy = alloc(N);
    memcpy(y, z, N * sizeof *y);
    lab_act_forward(LAB_ACT_TANH, N, y, dy);
    double *y0 = alloc(N), *dy0 = alloc(N);
    memcpy(y0, z, N * sizeof *y0);
    lab_act_forward_path(first, LAB_ACT_TANH, N, y0, dy0);
    ok(same(y, y0, N) && same(dy, dy0, N), "lab_act_forward takes path %s, the first this CPU runs",
       lab_act_path_name(first));

    /* The paths' agreement, on a wide grid with the special values. */
    double *w = alloc(WIDE), *w0 = alloc(WIDE), *dw = alloc(WIDE), *dw0 = alloc(WIDE),
           *x = alloc(WIDE);
    static const double special[] = { 0.0, -0.0, INFINITY, -INFINITY, 1e-300, -1e-310, 710.0 };
    enum { NSPECIAL = sizeof special / sizeof special[0] };
    for (int i = 0; i < WIDE; i++)
        x[i] = i < NSPECIAL ? special[i] : -20.0 + 40.0 * i / (WIDE - 1);
    for (size_t p = first + 1; p < npaths; p++) {
        if (lab_act_forward_path(p, LAB_ACT_LINEAR, 1, &probe, NULL) != 0)
            continue;
        const char *path = lab_act_path_name(p);
        if (strcmp(path, "purec") == 0) {
            skip("%s: SLEEF's non-FMA variants, whose erf and exp differ in the last bit",
                 path);
            continue;
        }
        int agree = 1;
        const char *which = "";
        for (int a = 0; a < LAB_NACT && agree; a++) {
            memcpy(w, x, WIDE * sizeof *w);
            memcpy(w0, x, WIDE * sizeof *w0);
            lab_act_forward_path(p, (enum lab_act)a, WIDE, w, dw);
            lab_act_forward_path(first, (enum lab_act)a, WIDE, w0, dw0);
            agree = same(w, w0, WIDE) && same(dw, dw0, WIDE);
            which = lab_act_names[a];
        }
        ok(agree, "%s gives the bits of %s on %d values over [-20, 20] and specials%s%s", path,
           lab_act_path_name(first), WIDE, agree ? "" : ": not ", agree ? "" : which);
    }
    free(w);
    free(w0);
    free(dw);
    free(dw0);
    free(x);
    free(y);
    free(dy);
    free(y0);
    free(dy0);
    free(z);
    return 0;
}
