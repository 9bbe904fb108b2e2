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
    ok(rc != 0 && strstr(err, "exp.cfg:2: student.width: ")
       && strstr(err, "more than 100000 values") && cpu < 3, "one value past the limit is refused in %.2f s (%s)", cpu, err);
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

/* An axis continued on many indented lines (as lab_config_write writes a
 * long one) is checked for duplicates once, not at every line: that was
 * quadratic (a second for 18 000 values, 25 s under ASan). */
static void test_continued_axis(void)
{
    lab_strbuf text = LAB_STRBUF_INIT;
    lab_strbuf_puts(&text, "[student]\nwidth = 9");
    for (int w = 64; w <= 18724; w++)
        lab_strbuf_printf(&text, w % 16 ? ", %d" : ",\n  %d", w);
    lab_strbuf_puts(&text, "\n[train]\nsteps = 10\n");
    lab_config c;
    char err[1024];
    clock_t t0 = clock();
    int rc = try_load(&c, text.s, err, sizeof err);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    const lab_axis *w = rc == 0 ? lab_config_axis(&c, "width") : NULL;
    ok(rc == 0 && w && w->n == 18662 && cpu < 0.5,
       "18662 widths on 1167 indented lines load in %.2f s of CPU (%s)", cpu, err);
    lab_config_release(&c);
    lab_strbuf_release(&text);

    /* A duplicate on a continuation line is still found, named at the
     * axis's first line, and before an error on a later line. */
    check_error("[sweep]\nn = 16, 32,\n  64,\n  16\n[train]\nlr = fast\n",
                "exp.cfg:2: sweep.n: expected a list of integers in [1, 1000000000] such as "
                "\"8, 16, 32\" or \"64..16384 x2\": 16 appears twice",
                "a value repeated on a continuation line is refused before a later error");
    check_error("[sweep]\nn = 16, 32,\n  16\nno equals sign here\n",
                "exp.cfg:2: sweep.n: expected a list of integers in [1, 1000000000] such as "
                "\"8, 16, 32\" or \"64..16384 x2\": 16 appears twice",
                "a value repeated on a continuation line is refused before a line inih refuses");
    check_error("[student]\nwidth = 2, 4,\n  2\n",
                "exp.cfg:2: student.width: expected a list of integers in [1, 1000000] such as "
                "\"8, 16, 32\" or \"64..16384 x2\": 2 appears twice",
                "a value repeated on the last line of the file is refused");
}

/* A string longer than a line goes on continuation lines and reads back. */
static void test_long_strings(void)
{
    lab_config c, back;
    char err[1024];
    int rc = try_load(&c, "[output]\ndir = /a/b\n    c d/e\n[plot]\nformat = none\n", err,
                      sizeof err);
    ok(rc == 0 && strcmp(c.dir, "/a/bc d/e") == 0, "an indented line continues a string (%s)",
       rc ? err : c.dir);
    lab_config_release(&c);
    check_error("[output]\ndir = /a/b\n  dir = /c\n",
                "exp.cfg:3: output.dir: an indented line continues the key above; start a new "
                "key at the beginning of the line", "an indented key after a string is refused");

    /* Pieces that could read as comments or keys: the writer cuts elsewhere. */
    lab_strbuf set = LAB_STRBUF_INIT;
    lab_strbuf_puts(&set, "output.dir=/runs");
    for (int i = 0; i < 200; i++)
        lab_strbuf_printf(&set, "/dir=%d#;x  y[%d]", i, i);
    lab_config_init(&c);
    rc = lab_config_set(&c, set.s, err, sizeof err);
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    if (rc == 0)
        lab_config_write(&c, f, 0);
    fclose(f);
    int rc2 = rc == 0 ? try_load(&back, text, err, sizeof err) : -1;
    ok(rc == 0 && rc2 == 0 && strcmp(back.dir, c.dir) == 0 && strlen(c.dir) > 2000,
       "a path of %zu characters with '=', '#', ';', '[' and blanks is written on lines and "
       "reads back (%s)", c.dir ? strlen(c.dir) : 0, err);
    if (rc2 == 0)
        lab_config_release(&back);
    lab_config_release(&c);
    free(text);
    lab_strbuf_release(&set);
}

int main(void)
{
    plan(5 + 6 + 4 + 3);
    test_first_error();
    test_long_lists();
    test_continued_axis();
    test_long_strings();
    return 0;
}
