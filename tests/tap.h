/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A small TAP producer for the lab's tests (Test Anything Protocol, as read
 * by automake's tap-driver.sh).
 *
 * Every check prints "ok N - description" or "not ok N - description", and on
 * failure a diagnostic with the file and line of the check and what was
 * wanted and seen. The plan is printed first (plan(n)) or last (plan_lazy()).
 * At exit, the program fails when a check failed or the count is off. */
#ifndef LAB_TAP_H
#define LAB_TAP_H

#include <stddef.h>

void plan(unsigned long n);
void plan_lazy(void);

/* Skip the whole program: prints "1..0 # SKIP why" and exits 0. */
void skip_all(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Stop everything: "Bail out! why", exit 255. */
void bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* A "# " line on stderr, for context; never changes the outcome. */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Count one check as skipped. */
void skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int tap_is_int(long long wanted, long long seen, const char *file, int line,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int tap_is_string(const char *wanted, const char *seen, const char *file, int line,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* |seen - wanted| <= eps; NaN equals NaN, infinities equal themselves. */
int tap_is_double_abs(double wanted, double seen, double eps, const char *file,
                      int line, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* |seen - wanted| <= rel |wanted|. */
int tap_is_double_rel(double wanted, double seen, double rel, const char *file,
                      int line, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(w, s, ...) tap_is_int((w), (s), __FILE__, __LINE__, __VA_ARGS__)
#define is_string(w, s, ...) tap_is_string((w), (s), __FILE__, __LINE__, __VA_ARGS__)
#define is_double_abs(w, s, e, ...) tap_is_double_abs((w), (s), (e), __FILE__, __LINE__, __VA_ARGS__)
#define is_double_rel(w, s, e, ...) tap_is_double_rel((w), (s), (e), __FILE__, __LINE__, __VA_ARGS__)

/* Path of a file in the source tree's tests/ folder ($top_srcdir/tests/name),
 * in a static buffer. */
const char *test_file_path(const char *name);

#endif
