/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The lab's one clock: seconds on the monotonic clock, for timings and ETAs
 * (never for anything that enters a result). */
#ifndef LAB_CLOCK_H
#define LAB_CLOCK_H

#include <time.h>

static inline double lab_clock_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#endif
