/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PCG32 against the reference streams, uniform and normal sampling, and the
 * independence of derived streams. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "rng.h"
#include "tap.h"

#define NOUT 16

/* Compare every line of a reference listing ("seed stream|- o1 .. o16") with
 * our generator; returns the number of lines that matched, -1 on bad input. */
static int check_listing(FILE *f, const char *what, int *lines)
{
    char buf[1024];
    int matched = 0;
    *lines = 0;
    while (fgets(buf, sizeof buf, f)) {
        char stream[32];
        unsigned long long seed;
        int off;
        if (sscanf(buf, "%llu %31s%n", &seed, stream, &off) != 2)
            return -1;
        lab_pcg32 g;
        gsl_rng *r = gsl_rng_alloc(lab_rng_pcg32);
        if (strcmp(stream, "-") == 0) {
            /* The default stream, through the gsl_rng interface. */
            gsl_rng_set(r, (unsigned long)seed);
            g = *(lab_pcg32 *)r->state;
        } else {
            lab_pcg32_seed(&g, seed, strtoull(stream, NULL, 10));
        }
        int same = 1;
        char *p = buf + off;
        for (int i = 0; i < NOUT; i++) {
            unsigned long v = strtoul(p, &p, 10);
            if (lab_pcg32_next(&g) != v)
                same = 0;
        }
        gsl_rng_free(r);
        (*lines)++;
        matched += same;
        if (!same)
            diag("%s: mismatch for seed %llu stream %s", what, seed, stream);
    }
    return matched;
}

static void test_reference(void)
{
    int lines;
    FILE *f = fopen(test_file_path("data/pcg32-ref.txt"), "r");
    if (!f)
        bail("cannot open %s", test_file_path("data/pcg32-ref.txt"));
    int matched = check_listing(f, "committed vectors", &lines);
    fclose(f);
    ok(lines == 30 && matched == lines,
       "pcg32 matches the committed reference vectors (%d of %d streams)", matched, lines);

    /* When the C++ reference was built (libpcg-cpp-dev), check it live too. */
    const char *ref = getenv("PCG_REF");
    if (!ref || !*ref)
        ref = "tests/pcg-ref";
    FILE *p = fopen(ref, "r") ? popen(ref, "r") : NULL;
    if (!p) {
        skip("the C++ reference generator was not built (libpcg-cpp-dev missing)");
        return;
    }
    matched = check_listing(p, "pcg_random.hpp", &lines);
    int st = pclose(p);
    ok(st == 0 && lines == 30 && matched == lines,
       "pcg32 matches pcg_random.hpp run now (%d of %d streams)", matched, lines);
}

static void test_uniform(void)
{
    lab_pcg32 g;
    lab_pcg32_seed(&g, 2385, 7);
    double lo = 1.0, hi = 0.0, sum = 0.0;
    int fine_bits = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double u = lab_pcg32_uniform(&g);
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
        sum += u;
        /* A 32-bit uniform is a multiple of 2^-32: 53-bit ones mostly not. */
        fine_bits += ldexp(u, 32) != floor(ldexp(u, 32));
    }
    ok(lo >= 0.0 && hi < 1.0, "uniforms lie in [0, 1): min %g max %.17g", lo, hi);
    is_double_abs(0.5, sum / n, 4 * sqrt(1.0 / 12 / n), "uniform mean within 4 sigma");
    ok(fine_bits > n * 0.99, "uniforms carry more than 32 random bits (%d of %d)", fine_bits, n);

    /* The composition of two outputs is documented: check it exactly. */
    lab_pcg32 a, b;
    lab_pcg32_seed(&a, 99, 3);
    lab_pcg32_seed(&b, 99, 3);
    uint64_t hi27 = lab_pcg32_next(&b) >> 5, lo26 = lab_pcg32_next(&b) >> 6;
    is_double_abs((double)((hi27 << 26) | lo26) / 9007199254740992.0,
                  lab_pcg32_uniform(&a), 0.0, "a uniform is (o1 >> 5, o2 >> 6) / 2^53");
}

static void test_normal_moments(void)
{
    gsl_rng *r = lab_rng_alloc(2385, 11);
    const size_t n = 1000000;
    double *x = malloc(n * sizeof *x);
    if (!x || !r)
        bail("out of memory");
    lab_rng_fill_normal(r, x, n, 1.0);
    double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        m1 += v;
        m2 += v * v;
        m3 += v * v * v;
        m4 += v * v * v * v;
    }
    m1 /= n;
    m2 /= n;
    m3 /= n;
    m4 /= n;
    /* Standard errors of the sample moments of N(0,1): sqrt(k/n) with
     * k = 1, 2, 15, 96; allow 5 of them. */
    is_double_abs(0.0, m1, 5 * sqrt(1.0 / n), "normal mean 0 (%.5f)", m1);
    is_double_abs(1.0, m2, 5 * sqrt(2.0 / n), "normal variance 1 (%.5f)", m2);
    is_double_abs(0.0, m3, 5 * sqrt(15.0 / n), "normal third moment 0 (%.5f)", m3);
    is_double_abs(3.0, m4, 5 * sqrt(96.0 / n), "normal fourth moment 3 (%.5f)", m4);
    size_t tail = 0;
    for (size_t i = 0; i < n; i++)
        tail += fabs(x[i]) > 3.0;
    /* P(|Z| > 3) = 0.0026998; binomial sd sqrt(n p (1-p)) = 51.9. */
    is_double_abs(2699.8, (double)tail, 5 * 51.9, "normal tails: %zu beyond 3 sigma", tail);
    free(x);
    gsl_rng_free(r);
}

static void test_streams(void)
{
    int64_t a[2] = { 0, 16 }, b[2] = { 1, 16 }, c[2] = { 16, 0 };
    uint64_t s1, t1, s2, t2, s3, t3, s4, t4;
    lab_stream_derive(1, LAB_STREAM_INIT, a, 2, &s1, &t1);
    lab_stream_derive(1, LAB_STREAM_INIT, a, 2, &s2, &t2);
    ok(s1 == s2 && t1 == t2, "the same inputs derive the same stream");
    lab_stream_derive(1, LAB_STREAM_INIT, b, 2, &s2, &t2);
    lab_stream_derive(1, LAB_STREAM_INIT, c, 2, &s3, &t3);
    lab_stream_derive(1, LAB_STREAM_BATCH, a, 2, &s4, &t4);
    ok(s1 != s2 && s1 != s3 && s1 != s4 && t1 != t2 && t1 != t3 && t1 != t4,
       "other coordinates, their order, or another purpose derive other streams");
    lab_stream_derive(2, LAB_STREAM_INIT, a, 2, &s2, &t2);
    ok(s1 != s2 && t1 != t2, "another experiment seed derives another stream");
    lab_stream_derive(1, LAB_STREAM_INIT, a, 1, &s2, &t2);
    ok(s1 != s2, "a prefix of the coordinates derives another stream");

    /* Two derived generators should be uncorrelated. */
    gsl_rng *r1 = lab_rng_alloc_stream(1, LAB_STREAM_INIT, a, 2);
    gsl_rng *r2 = lab_rng_alloc_stream(1, LAB_STREAM_INIT, b, 2);
    double sxy = 0;
    const int n = 100000;
    for (int i = 0; i < n; i++)
        sxy += gsl_ran_gaussian(r1, 1.0) * gsl_ran_gaussian(r2, 1.0);
    is_double_abs(0.0, sxy / n, 5.0 / sqrt(n), "neighbouring streams are uncorrelated");
    gsl_rng_free(r1);
    gsl_rng_free(r2);
}

int main(void)
{
    plan(16);
    test_reference();
    test_uniform();
    test_normal_moments();
    test_streams();
    return 0;
}
