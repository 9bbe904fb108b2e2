/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "tap.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long planned, run, failed;
static int lazy, have_plan;

static void finish(void)
{
    if (lazy)
        printf("1..%lu\n", run);
    fflush(stdout);
    if (have_plan && !lazy && run != planned)
        fprintf(stderr, "# planned %lu checks but ran %lu\n", planned, run);
    if (failed)
        fprintf(stderr, "# failed %lu of %lu checks\n", failed, run);
    if (failed || (have_plan && !lazy && run != planned))
        _Exit(1);
}

void plan(unsigned long n)
{
    planned = n;
    have_plan = 1;
    printf("1..%lu\n", n);
    fflush(stdout);
    atexit(finish);
}

void plan_lazy(void)
{
    lazy = have_plan = 1;
    atexit(finish);
}

void skip_all(const char *fmt, ...)
{
    va_list ap;
    printf("1..0 # SKIP ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    _Exit(0);
}

void bail(const char *fmt, ...)
{
    va_list ap;
    fflush(stderr);
    printf("Bail out! ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    _Exit(255);
}

void diag(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "# ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    fflush(stderr);
}

static void vreport(int pass, const char *directive, const char *fmt, va_list ap)
{
    run++;
    if (!pass)
        failed++;
    printf("%sok %lu", pass ? "" : "not ", run);
    if (fmt && *fmt) {
        printf(" - ");
        vprintf(fmt, ap);
    }
    if (directive)
        printf(" # %s", directive);
    printf("\n");
    fflush(stdout);
}

void skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(1, "SKIP", fmt, ap);
    va_end(ap);
}

int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(pass, NULL, fmt, ap);
    va_end(ap);
    if (!pass)
        diag("    failed at %s:%d", file, line);
    return pass;
}

#define REPORT(pass)                          \
    do {                                      \
        va_list ap;                           \
        va_start(ap, fmt);                    \
        vreport((pass), NULL, fmt, ap);       \
        va_end(ap);                           \
    } while (0)

int tap_is_int(long long wanted, long long seen, const char *file, int line,
               const char *fmt, ...)
{
    int pass = wanted == seen;
    REPORT(pass);
    if (!pass)
        diag("    failed at %s:%d: wanted %lld, seen %lld", file, line, wanted, seen);
    return pass;
}

int tap_is_string(const char *wanted, const char *seen, const char *file, int line,
                  const char *fmt, ...)
{
    int pass = (wanted == NULL && seen == NULL)
            || (wanted && seen && strcmp(wanted, seen) == 0);
    REPORT(pass);
    if (!pass)
        diag("    failed at %s:%d:\n#     wanted \"%s\"\n#     seen   \"%s\"", file, line,
             wanted ? wanted : "(null)", seen ? seen : "(null)");
    return pass;
}

static int close_enough(double wanted, double seen, double tol)
{
    if (isnan(wanted) || isnan(seen))
        return isnan(wanted) && isnan(seen);
    if (isinf(wanted) || isinf(seen))
        return wanted == seen;
    return fabs(seen - wanted) <= tol;
}

int tap_is_double_abs(double wanted, double seen, double eps, const char *file,
                      int line, const char *fmt, ...)
{
    int pass = close_enough(wanted, seen, eps);
    REPORT(pass);
    if (!pass)
        diag("    failed at %s:%d: wanted %.17g, seen %.17g (tolerance %g)", file, line,
             wanted, seen, eps);
    return pass;
}

int tap_is_double_rel(double wanted, double seen, double rel, const char *file,
                      int line, const char *fmt, ...)
{
    int pass = close_enough(wanted, seen, rel * fabs(wanted));
    REPORT(pass);
    if (!pass)
        diag("    failed at %s:%d: wanted %.17g, seen %.17g (relative tolerance %g)",
             file, line, wanted, seen, rel);
    return pass;
}

const char *test_file_path(const char *name)
{
    static char buf[4096];
    const char *top = getenv("top_srcdir");
    snprintf(buf, sizeof buf, "%s/tests/%s", top && *top ? top : ".", name);
    return buf;
}
