/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Power-law detection on curves with known shapes: an exact power law is
 * found with its exponent, a curve that flattens onto a floor or bends is
 * refused, and so are curves with too few or non-positive points. */
#include <math.h>

#include "powerlaw.h"
#include "tap.h"

int main(void)
{
    plan(6);
    double x[8], y[8];
    lab_powerlaw p;
    for (int i = 0; i < 8; i++) {
        x[i] = 64.0 * pow(2.0, i);
        y[i] = 3.0 * pow(x[i], -0.7);
    }
    lab_powerlaw_fit(x, y, 8, &p);
    ok(p.holds && p.points == 8 && fabs(p.slope + 0.7) < 1e-12 && p.slope_se < 1e-12
       && fabs(p.local_min + 0.7) < 1e-12 && fabs(p.local_max + 0.7) < 1e-12,
       "an exact power law: slope %.15g, holds", p.slope);

    /* The same with a floor at the curve's middle value: the local slopes
     * flatten from -0.7 towards 0. */
    for (int i = 0; i < 8; i++)
        y[i] = 3.0 * pow(x[i], -0.7) + 3.0 * pow(x[3], -0.7);
    lab_powerlaw_fit(x, y, 8, &p);
    ok(!p.holds && p.local_min < -0.5 && p.local_max > -0.2,
       "a curve flattening onto a floor is not a power law (local slopes %.2f to %.2f)",
       p.local_min, p.local_max);

    /* A broken power law: -0.3 then -1. */
    for (int i = 0; i < 8; i++)
        y[i] = i < 4 ? pow(x[i], -0.3) : pow(x[3], -0.3) * pow(x[i] / x[3], -1.0);
    lab_powerlaw_fit(x, y, 8, &p);
    ok(!p.holds, "a broken power law is not one power law (fitted %.2f)", p.slope);

    /* Noise within the tolerance keeps it. */
    for (int i = 0; i < 8; i++)
        y[i] = pow(x[i], -1.0) * (1.0 + 0.02 * (i % 2 ? 1 : -1));
    lab_powerlaw_fit(x, y, 8, &p);
    ok(p.holds && fabs(p.slope + 1.0) < 0.02, "2 %% alternating noise on slope -1 holds (%.3f)",
       p.slope);

    y[2] = 0.0;
    lab_powerlaw_fit(x, y, 8, &p);
    ok(!p.holds && p.points == 7, "a zero point is left out, and the curve is not a power law");

    lab_powerlaw_fit(x, y, 2, &p);
    ok(!p.holds && p.points == 2 && isnan(p.slope_se) && isfinite(p.slope),
       "two points give a slope but no power law");
    return 0;
}
