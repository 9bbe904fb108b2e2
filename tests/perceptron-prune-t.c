/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Data pruning's parts (src/perceptron.h): the probe at an angle to the
 * teacher, the margins under it, and the selection of the hardest or
 * easiest examples with ties broken by index. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "perceptron.h"
#include "rng.h"
#include "status.h"
#include "tap.h"

enum { N = 50 };

int main(void)
{
    plan(8);
    gsl_rng *r = lab_rng_alloc(3, 9);
    double t[N], v[N], probe[N];
    lab_rng_fill_normal(r, t, N, 1.0);
    lab_rng_fill_normal(r, v, N, 1.0);
    double tn = cblas_dnrm2(N, t, 1), worst = 0;
    for (int deg = 0; deg <= 90; deg += 10) {
        if (lab_perc_probe(N, t, v, deg * M_PI / 180, probe) != LAB_OK)
            bail("probe");
        double angle = acos(cblas_ddot(N, probe, 1, t, 1) / tn) * 180 / M_PI;
        worst = fmax(worst, fmax(fabs(angle - deg), fabs(cblas_dnrm2(N, probe, 1) - 1)));
    }
    ok(worst < 1e-6, "the probe is a unit vector at the angle asked to the teacher (0 to 90 "
       "degrees: off by at most %.1e)", worst);
    double w[N];
    for (int i = 0; i < N; i++)
        w[i] = -2.5 * t[i];
    ok(lab_perc_probe(N, t, w, 0.1, probe) == LAB_EINVAL, "a direction parallel to the teacher "
       "is refused");

    /* Margins |probe.x| / |probe| of hand-made rows. */
    double p2[2] = { 3, 4 }, x[3 * 2] = { 1, 0, 0, -1, 4, -3 }, s[3];
    lab_perc_probe_margins(3, 2, x, p2, s);
    ok(s[0] == 0.6 && s[1] == 0.8 && s[2] == 0, "margins under a probe (3, 4): 0.6, 0.8, 0");

    /* Selection: ties broken by the index. */
    double score[5] = { 0.5, 0.1, 0.5, 0.3, 0.1 }, scratch[10];
    size_t idx[5];
    lab_perc_prune_select(5, score, 2, 1, idx, scratch);
    ok(idx[0] == 1 && idx[1] == 4, "keep-hard 2 of (0.5, 0.1, 0.5, 0.3, 0.1): examples 1 and 4");
    lab_perc_prune_select(5, score, 3, 1, idx, scratch);
    ok(idx[0] == 1 && idx[1] == 3 && idx[2] == 4, "keep-hard 3: 1, 3, 4, in the pool's order");
    lab_perc_prune_select(5, score, 2, 0, idx, scratch);
    ok(idx[0] == 0 && idx[1] == 2, "keep-easy 2: 0 and 2");
    lab_perc_prune_select(5, score, 1, 0, idx, scratch);
    ok(idx[0] == 2, "keep-easy 1 of the tied 0.5s: the later index (the order is score, index)");
    lab_perc_prune_select(5, score, 9, 1, idx, scratch);
    ok(idx[0] == 0 && idx[4] == 4, "keeping more than the pool keeps all of it");
    gsl_rng_free(r);
    return 0;
}
