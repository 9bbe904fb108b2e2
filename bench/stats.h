/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the benchmarks' timing loops share: the median of repeats, and the
 * machine's 1-minute load average to print beside it (the machine may be
 * shared). Header-only: each bench program is one file. */
#ifndef LAB_BENCH_STATS_H
#define LAB_BENCH_STATS_H

#include <stdio.h>
#include <stdlib.h>

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n), sorting v. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The 1-minute load average, or -1 where /proc/loadavg cannot be read. */
static double loadavg(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

#endif
