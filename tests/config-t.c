/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Config files: values, lists, defaults, the resolved form, and an error with
 * file, line and key for every kind of mistake. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "config.h"
#include "tap.h"

/* Load text over the defaults; returns the status, message in err. */
static int try_load(lab_config *c, const char *text, char *err, size_t len)
{
    err[0] = '\0';
    if (lab_config_init(c) != 0)
        bail("out of memory");
    return lab_config_load_string(c, text, "exp.cfg", err, len);
}

/* Loading `text` must fail with exactly `want`. */
static void check_error(const char *text, const char *want, const char *what)
{
    lab_config c;
    char err[1024];
    int rc = try_load(&c, text, err, sizeof err);
    ok(rc != 0 && strcmp(err, want) == 0, "%s", what);
    if (strcmp(err, want) != 0)
        diag("    wanted: %s\n#     seen:   %s", want, err);
    lab_config_release(&c);
}

static int list_is(const lab_list *l, const long *v, size_t n)
{
    return l->n == n && memcmp(l->v, v, n * sizeof *v) == 0;
}

/* The values of the axis with this column, joined by '|'. */
static const char *axis_text(const lab_config *c, const char *column)
{
    static char buf[1024];
    const lab_axis *a = lab_config_axis(c, column);
    buf[0] = '\0';
    for (size_t i = 0; a && i < a->n; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "|" : "",
                 a->values[i]);
    return a ? buf : "(no axis)";
}

static void test_values(void)
{
    lab_config c;
    char err[512];
    int rc = try_load(&c,
        "# a comment\n"
        "[experiment]\nname = my-run.1\nseed = 18446744073709551615\n"
        "[teacher]\nwidths = 32, 16\nactivation = erf\nweight_scale = 2.5\n"
        "[student]\nwidth = 8, 16..64 x2, 100\ndepth = 1..5 +2\n"
        "[train]\nlr = 1e-2   # inline comment\nsteps = 1e4\nbatch = 0\n"
        "[sweep]\nn = 64..1000 x2\nseeds = 0..3\n",
        err, sizeof err);
    is_int(0, rc, "a valid file loads (%s)", err);
    static const long tw[] = { 32, 16 };
    ok(strcmp(axis_text(&c, "width"), "8|16|32|64|100") == 0
       && strcmp(axis_text(&c, "depth"), "1|3|5") == 0
       && strcmp(axis_text(&c, "n"), "64|128|256|512") == 0
       && strcmp(axis_text(&c, "seed"), "0|1|2|3") == 0 && list_is(&c.teacher_widths, tw, 2),
       "lists, geometric and arithmetic ranges expand in order");
    ok(c.seed == UINT64_MAX && c.lr == 0.01 && c.steps == 10000 && c.batch == 0
       && c.teacher_act == LAB_ACT_ERF && c.weight_scale == 2.5 && strcmp(c.name, "my-run.1") == 0,
       "scalars, 64-bit seeds, 1e4 as an integer, inline # comments");
    ok(c.input_dim == 16 && c.test_size == 8192 && c.line[0] == 3,
       "keys not in the file keep their defaults; lines are recorded");
    is_int(0, lab_config_finish(&c, err, sizeof err), "finish");
    is_string("runs/my-run.1", c.dir, "the run folder defaults to runs/<name>");

    /* Overrides from the command line. */
    rc = lab_config_set(&c, "train.lr=0.5", err, sizeof err);
    ok(rc == 0 && c.lr == 0.5, "--set overrides a key");
    rc = lab_config_set(&c, "train.lr=fast", err, sizeof err);
    is_string("--set train.lr=fast: train.lr: expected a number > 0, got \"fast\"", err,
              "--set reports a bad value");
    rc = lab_config_set(&c, "train.speed=1", err, sizeof err);
    is_string("--set train.speed=1: train.speed: unknown key (lab show lists them all)", err,
              "--set reports an unknown key");
    rc = lab_config_set(&c, "lr", err, sizeof err);
    is_string("--set lr: expected section.key=value", err, "--set reports a malformed override");

    /* Long lists continue on indented lines. */
    lab_config_release(&c);
    rc = try_load(&c, "[student]\nwidth = 3, 5,\n  7, 11\n# a comment\n  13\n", err, sizeof err);
    ok(rc == 0 && strcmp(axis_text(&c, "width"), "3|5|7|11|13") == 0,
       "a list continues on indented lines, across comments");
    lab_config_release(&c);
}

static void test_errors(void)
{
    check_error("[experiment]\nseed = 1\n\n[traning]\nlr = 0.1\n",
                "exp.cfg:5: traning.lr: unknown section [traning] (sections: experiment, "
                "teacher, data, train, sweep, output, plot, fit, student)",
                "an unknown section names file, line and section");
    check_error("[train]\nlr = 0.1\nlearning_rate = 0.1\n",
                "exp.cfg:3: train.learning_rate: unknown key; [train] has optimizer lr batch "
                "steps schedule momentum beta1 beta2 eps weight_decay target_loss check_every "
                "patience plateau_tol",
                "an unknown key lists the section's keys");
    check_error("[train]\n\nlr = quick\n",
                "exp.cfg:3: train.lr: expected a number > 0, got \"quick\"",
                "a value of the wrong type");
    check_error("[train]\nlr = -0.1\n",
                "exp.cfg:2: train.lr: expected a number > 0, got \"-0.1\"",
                "a value out of range");
    check_error("[train]\nbeta2 = 1\n",
                "exp.cfg:2: train.beta2: expected a number in [0, 1), got \"1\"",
                "an open upper bound");
    check_error("[data]\ntest_size = 1\n",
                "exp.cfg:2: data.test_size: expected an integer in [2, 1000000000], got \"1\"",
                "an integer out of range");
    check_error("[teacher]\nactivation = sigmoid\n",
                "exp.cfg:2: teacher.activation: expected one of linear, tanh, relu, erf, "
                "got \"sigmoid\"",
                "an unknown choice lists the choices");
    check_error("[student]\nwidth = 64..8 x2\n",
                "exp.cfg:2: student.width: expected a list of integers in [1, 1000000] such "
                "as \"8, 16, 32\" or \"64..16384 x2\": range 64..8 runs backwards",
                "a backwards range");
    check_error("[sweep]\nn = 64, 128, 64\n",
                "exp.cfg:2: sweep.n: expected a list of integers in [1, 1000000000] such as "
                "\"8, 16, 32\" or \"64..16384 x2\": 64 appears twice",
                "a repeated value of a swept key");
    check_error("[student]\ndepth = 0, 1\n",
                "exp.cfg:2: student.depth: expected a list of integers in [1, 1000] such as "
                "\"8, 16, 32\" or \"64..16384 x2\": 0 is out of range (values must be "
                "integers in [1, 1000])",
                "a list value out of range");
    check_error("[train]\nsteps = 10\nbatch = 4\nsteps = 20\n",
                "exp.cfg:4: train.steps: set twice (first on line 2)",
                "a key set twice");
    check_error("lr = 0.1\n",
                "exp.cfg:1: lr: keys must follow a [section] header",
                "a key before any section");
    check_error("[train]\nlr 0.1\n",
                "exp.cfg:2: expected \"[section]\" or \"key = value\"",
                "a line that is neither a section nor a key");
    check_error("[experiment]\nname = ../up\n",
                "exp.cfg:2: experiment.name: expected a name of letters, digits, '.', '_' or "
                "'-' (not starting with '.'), got \"../up\"",
                "a name that is not a folder name");

    check_error("[train]\nlr = 0.01\n  steps = 100\n",
                "exp.cfg:3: train.lr: an indented line continues the key above; this key takes "
                "a single value",
                "an indented key after a scalar");
    check_error("[student]\nwidth = 8, 16\n  depth = 2\n",
                "exp.cfg:3: student.width: an indented line continues the key above; start a "
                "new key at the beginning of the line",
                "an indented key after a list");
    check_error("[sweep]\nn = 0x40\n",
                "exp.cfg:2: sweep.n: expected a list of integers in [1, 1000000000] such as "
                "\"8, 16, 32\" or \"64..16384 x2\": \"0x40\" is not an integer",
                "hexadecimal is not an integer");
    check_error("[train]\nsteps = 2.5\n",
                "exp.cfg:2: train.steps: expected an integer >= 1, got \"2.5\"",
                "a fraction is not an integer");

    char longline[400];
    snprintf(longline, sizeof longline, "[student]\nwidth = 1");
    for (int i = 2; strlen(longline) < 300; i++)
        snprintf(longline + strlen(longline), sizeof longline - strlen(longline), ", %d", i);
    strcat(longline, "\n");
    check_error(longline,
                "exp.cfg:2: line longer than 198 characters (continue a long list on "
                "indented lines)",
                "a line too long for the parser");

    /* Comments may be longer than a line inih can hold; values may not. */
    lab_config c;
    char err[512];
    char text[600];
    memset(text, '#', 400);
    snprintf(text + 400, sizeof text - 400, "\n[train]\nlr = 0.5\n");
    int rc = try_load(&c, text, err, sizeof err);
    ok(rc == 0 && c.lr == 0.5, "a long comment line is fine (%s)", rc ? err : "ok");
    lab_config_release(&c);
    char dir[200];
    memset(dir, 'd', 170);
    dir[170] = '\0';
    snprintf(text, sizeof text, "output.dir=%s", dir);
    lab_config_init(&c);
    rc = lab_config_set(&c, text, err, sizeof err);
    ok(rc != 0 && strstr(err, "output.dir: expected at most 160 characters, got 170"),
       "a string value too long to write back is refused");
    lab_config_release(&c);

    lab_config_init(&c);
    rc = lab_config_load(&c, "/nonexistent/exp.cfg", err, sizeof err);
    ok(rc != 0 && strcmp(err, "/nonexistent/exp.cfg: No such file or directory") == 0,
       "a missing file is reported with its path");
    lab_config_release(&c);

    /* Cross-key checks name the key that made them fail. */
    lab_config_init(&c);
    lab_config_load_string(&c, "[sweep]\nn = 1..1000\nseeds = 0..999\n[student]\nwidth = 1..2\n",
                           "exp.cfg", err, sizeof err);
    rc = lab_config_finish(&c, err, sizeof err);
    is_string("exp.cfg:2: sweep.n: the sweep has 2000000 cells; at most 1000000 are allowed",
              err, "a sweep too large is refused at the key that sets n");
    lab_config_release(&c);
}

/* The resolved config loads back to an identical config. */
static void test_round_trip(void)
{
    lab_config a, b;
    char err[512], *text = NULL, *text2 = NULL;
    size_t len, len2;
    try_load(&a, "[student]\nwidth = 2, 3, 9, 27, 81, 243, 729, 2187, 6561, 19683, 59049, "
                 "177147, 531441, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47\n"
                 "[sweep]\nseeds = 0..49, 51..140\n"
                 "[train]\nlr = 0.1\nmomentum = 0.3\n[sweep]\nn = 64..16384 x2\n",
             err, sizeof err);
    lab_config_finish(&a, err, sizeof err);
    FILE *f = open_memstream(&text, &len);
    lab_config_write(&a, f, 0);
    fclose(f);
    int rc = try_load(&b, text, err, sizeof err);
    char msg[256];
    ok(rc == 0 && lab_config_compare(&a, &b, msg, sizeof msg) == 0,
       "the written config loads back to the same values (%s)", rc ? err : "ok");
    f = open_memstream(&text2, &len2);
    lab_config_write(&b, f, 0);
    fclose(f);
    ok(strcmp(text, text2) == 0, "and writes the same text again");
    ok(strstr(text, "n = 64..16384 x2\n") && strstr(text, "momentum = 0.3\n")
       && strstr(text, "lr = 0.1\n"), "ranges stay ranges; numbers are written shortest");

    b.lr = 0.2;
    rc = lab_config_compare(&a, &b, msg, sizeof msg);
    ok(rc == 1 && strcmp(msg, "train.lr is 0.1 there and 0.2 here") == 0,
       "a comparison names the first key that differs");
    free(b.dir);
    b.dir = strdup("elsewhere");
    b.lr = 0.1;
    ok(lab_config_compare(&a, &b, msg, sizeof msg) == 0,
       "the output folder does not count as a difference");
    free(text);
    free(text2);
    lab_config_release(&a);
    lab_config_release(&b);
}

int main(void)
{
    plan(11 + 23 + 5);
    test_values();
    test_errors();
    test_round_trip();
    return 0;
}
