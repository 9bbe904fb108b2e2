/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The limits of config parsing: the first error is the one reported, long
 * lists parse in n log n, huge ranges end in an error and not in memory
 * exhaustion, and string values take what a line-oriented file can hold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "strbuf.h"
#include "tap.h"

/* Load text over the defaults; returns the status, message in err. */
static int try_load(lab_config *c, const char *text, char *err, size_t len)
{
    err[0] = '\0';
    if (lab_config_init(c) != 0)
        bail("out of memory");
    return lab_config_load_string(c, text, "exp.cfg", err, len);
}

/* Loading `text` fails with a message starting with `want`. */
static void check_error(const char *text, const char *want, const char *what)
{
    lab_config c;
    char err[1024];
    int rc = try_load(&c, text, err, sizeof err);
    ok(rc != 0 && strncmp(err, want, strlen(want)) == 0, "%s", what);
    if (strncmp(err, want, strlen(want)) != 0)
        diag("    wanted: %s...\n#     seen:   %s", want, err);
    lab_config_release(&c);
}

/* The parser stops at the first error, whoever finds it. */
static void test_first_error(void)
{
    check_error("[experiment]\nname = x\nno equals sign here\n[train]\nlr = fast\n",
                "exp.cfg:3: expected \"[section]\" or \"key = value\"",
                "a line without '=' before a bad value is the error reported");
    check_error("[experiment]\nname = x\n[bogus\n[train]\nlr = fast\n",
                "exp.cfg:3: expected \"[section]\" or \"key = value\"",
                "a section line without ']' before a bad value is the error reported");
    check_error("[train]\nlr = fast\nno equals sign here\nsteps = -1\n",
                "exp.cfg:2: train.lr: expected a number > 0",
                "a bad value before a line without '=' is the error reported");
    check_error("[train]\nlr = fast\n[student]\nwidth = 1..1e12\n",
                "exp.cfg:2: train.lr: expected a number > 0",
                "a bad value stops the parse before a huge range is expanded");
    check_error("\xEF\xBB\xBF[train]\n; a comment\n# another\n\n  lr = 0.1\nsteps = many\n",
                "exp.cfg:6: train.steps: expected an integer",
                "a byte-order mark, comments and blank lines are not errors");
}

/* 1e5 values with a duplicate check over them: quadratic took a minute. */
static void test_long_lists(void)
{
    lab_config c;
    char err[1024];
    clock_t t0 = clock();
    int rc = try_load(&c, "[student]\nwidth = 2..100000, 1\n", err, sizeof err);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    const lab_axis *w = lab_config_axis(&c, "width");
    ok(rc == 0 && w && w->n == 100000 && cpu < 3,
       "100000 widths parse in %.2f s of CPU (%s)", cpu, err);
    lab_config_release(&c);

    t0 = clock();
    rc = try_load(&c, "[student]\nwidth = 1..100000, 16\n", err, sizeof err);
    cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    ok(rc != 0 && strstr(err, "exp.cfg:2: student.width: ") && strstr(err, "more than 100000 values")
       && cpu < 3, "one value past the limit is refused in %.2f s (%s)", cpu, err);
    lab_config_release(&c);

    /* Huge ranges: the limit on values, not memory, ends them. */
    check_error("[student]\nwidth = 1..1e12\n",
                "exp.cfg:2: student.width: expected a list of integers in [1, 1000000] such "
                "as \"8, 16, 32\" or \"64..16384 x2\": the list is longer than 100000 values",
                "an integer range of 1e12 values is refused by the limit on values");
    check_error("[sweep]\ntrain.lr = 1e-12..1 +1e-12\n",
                "exp.cfg:2: sweep.train.lr: expected a list of numbers > 0 such as \"0.001, "
                "0.01\" or \"1e-4..1e-1 x10\": more than 100000 values",
                "a range of reals of 1e12 values is refused by the limit on values");
    check_error("[teacher]\nwidths = 1..1e12\n",
                "exp.cfg:2: teacher.widths: expected a list of integers in [1, 1000000] such "
                "as \"16, 16\": the list is longer than 100000 values",
                "a list key of 1e12 values is refused by the limit on values");
    lab_config_init(&c);
    rc = lab_config_set(&c, "sweep.n=1..1e12", err, sizeof err);
    ok(rc != 0 && strstr(err, "longer than 100000 values"),
       "--set sweep.n=1..1e12 is refused by the limit on values (%s)", err);
    lab_config_release(&c);
}

int main(void)
{
    plan(5 + 6);
    test_first_error();
    test_long_lists();
    return 0;
}
