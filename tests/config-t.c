/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Config files: values, lists, defaults, the resolved form, and an error with
 * file, line and key for every kind of mistake. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "config.h"
#include "optim.h"
#include "status.h"
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

/* Loading `text` succeeds, and finishing it fails with exactly `want`. */
static void check_finish(const char *text, const char *want, const char *what)
{
    lab_config c;
    char err[1024];
    int rc = try_load(&c, text, err, sizeof err);
    if (rc == 0)
        rc = lab_config_finish(&c, err, sizeof err);
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
    rc = lab_config_set(&c, "train.setps=10", err, sizeof err);
    is_string("--set train.setps=10: train.setps: unknown key; did you mean train.steps?", err,
              "--set names the closest key");
    rc = lab_config_set(&c, "trian.lr=0.1", err, sizeof err);
    is_string("--set trian.lr=0.1: trian.lr: unknown key; did you mean train.lr?", err,
              "--set names the key in the closest section");
    rc = lab_config_set(&c, "train.activation=erf", err, sizeof err);
    is_string("--set train.activation=erf: train.activation: unknown key; did you mean "
              "teacher.activation or student.activation?", err,
              "--set names every section with the key");
    rc = lab_config_set(&c, "sweep.lr=0.1,0.2", err, sizeof err);
    is_string("--set sweep.lr=0.1,0.2: sweep.lr: unknown key; did you mean sweep.train.lr?",
              err, "--set sweep names the key with its section");
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
    check_error("[experiment]\nseed = 1\n\n[hyper]\nlr = 0.1\n",
                "exp.cfg:5: hyper.lr: unknown section [hyper] (sections: experiment, "
                "teacher, data, train, sweep, output, plot, fit, student, refine, linear, errors, perceptron, "
                "torus, prune)",
                "an unknown section names file, line and section");
    check_error("[experiment]\nseed = 1\n\n[traning]\nlr = 0.1\n",
                "exp.cfg:5: traning.lr: unknown section [traning]; did you mean [train]?",
                "a mistyped section names the closest");
    check_error("[train]\nlr = 0.1\nlearning_rate = 0.1\n",
                "exp.cfg:3: train.learning_rate: unknown key; [train] has optimizer lr batch "
                "steps schedule momentum beta1 beta2 eps weight_decay target_loss check_every "
                "patience plateau_tol online",
                "an unknown key lists the section's keys");
    check_error("[train]\nlr = 0.1\nsetps = 100\n",
                "exp.cfg:3: train.setps: unknown key; did you mean train.steps?",
                "a mistyped key names the closest");
    check_error("[train]\nwidth = 8\n",
                "exp.cfg:2: train.width: unknown key; did you mean student.width?",
                "a key in the wrong section names the right one");
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
    char dir[5100];
    memset(dir, 'd', 5011);
    memcpy(dir, "output.dir=", 11);
    dir[5011] = '\0';
    lab_config_init(&c);
    rc = lab_config_set(&c, dir, err, sizeof err);
    ok(rc != 0 && strstr(err, "output.dir: expected at most 4096 characters, got 5000"),
       "a string value longer than PATH_MAX is refused");
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

    /* The default folder, runs/<name>, is an output.dir like any other: the
     * longest name (255 characters, a folder name's limit) must make a
     * config.cfg that reads back (found by fuzz/config.c when output.dir
     * was limited to 160 characters). */
    char set[300];
    memset(set, 'a', sizeof set);
    memcpy(set, "experiment.name=", 16);
    set[16 + 255] = '\0';
    rc = lab_config_init(&a);
    rc = rc ? rc : lab_config_set(&a, set, err, sizeof err);
    rc = rc ? rc : lab_config_finish(&a, err, sizeof err);
    text = NULL;
    f = open_memstream(&text, &len);
    lab_config_write(&a, f, 0);
    fclose(f);
    ok(rc == 0 && strlen(a.dir) == 260 && try_load(&b, text, err, sizeof err) == 0
           && strcmp(b.dir, a.dir) == 0,
       "a name of 255 characters makes a folder of 260, which loads back (%s)", rc ? err : "ok");
    free(text);
    lab_config_release(&a);
    lab_config_release(&b);
    set[16 + 255] = 'b';
    set[16 + 256] = '\0';
    rc = lab_config_init(&a);
    rc = rc ? rc : lab_config_set(&a, set, err, sizeof err);
    ok(rc == LAB_ECONFIG && strstr(err, "experiment.name: expected at most 255 characters, got 256"),
       "one more character is refused, naming the name (%s)", err);
    lab_config_release(&a);
}

/* [sweep] section.key: reals, names, ranges and lists of lists. */
static void test_axes(void)
{
    lab_config c;
    char err[512];
    int rc = try_load(&c,
        "[sweep]\ntrain.lr = 1e-4..1e-1 x10\nteacher.input_dim = 8..64 x2\n"
        "train.optimizer = adam, sgd\nteacher.weight_scale = 1, 4, 16\n"
        "teacher.widths = 16 | 32 | 16, 16\nteacher.bias_scale = 0..1 +0.25\n"
        "train.momentum = 0.3, 3e-2,\n  0.9\nn = 64, 128\n", err, sizeof err);
    if (rc == 0)
        rc = lab_config_finish(&c, err, sizeof err);
    is_int(0, rc, "a config sweeping reals, names and lists loads (%s)", err);
    is_string("0.0001|0.001|0.01|0.1", axis_text(&c, "train.lr"),
              "a geometric range of reals gives the numbers written with 15 digits");
    is_string("8|16|32|64", axis_text(&c, "teacher.input_dim"), "a geometric range of integers");
    is_string("adam|sgd", axis_text(&c, "train.optimizer"), "a list of names");
    is_string("16|32|16,16", axis_text(&c, "teacher.widths"),
              "lists separated by '|' sweep a key whose value is a list");
    is_string("0|0.25|0.5|0.75|1", axis_text(&c, "teacher.bias_scale"),
              "an arithmetic range of reals");
    is_string("0.3|0.03|0.9", axis_text(&c, "train.momentum"),
              "values are kept as their shortest text; lists continue on indented lines");

    /* Table order: n first, then the keys as lab show lists them, seed last. */
    lab_strbuf cols = LAB_STRBUF_INIT;
    for (size_t a = 0; a < c.naxes; a++)
        lab_strbuf_printf(&cols, "%s%s", a ? " " : "", lab_axis_column(&c.axes[a]));
    is_string("n teacher.input_dim teacher.widths teacher.weight_scale teacher.bias_scale width "
              "depth train.optimizer train.lr train.momentum seed", lab_strbuf_str(&cols),
              "axes in table order, each named by its column");
    lab_strbuf_release(&cols);
    is_int(2 * 4 * 3 * 3 * 5 * 2 * 4 * 3, (long long)lab_config_ncells(&c),
           "the sweep is the product of the axes");

    /* Cell numbering: the first axis outermost, every cell its own values. */
    lab_config cell;
    if (lab_config_copy(&cell, &c))
        bail("out of memory");
    size_t n = lab_config_ncells(&c), bad = 0, i;
    for (i = 0; i < n; i++) {
        size_t k = i, idx[LAB_CONFIG_MAXAXES];
        for (size_t a = c.naxes; a-- > 0;) {
            idx[a] = k % c.axes[a].n;
            k /= c.axes[a].n;
        }
        lab_config_cell(&c, i, &cell);
        lab_strbuf v = LAB_STRBUF_INIT;
        for (size_t a = 0; a < c.naxes; a++) {
            const lab_axis *ax = &c.axes[a];
            char full[128];
            snprintf(full, sizeof full, "%s.%s", ax->key->section, ax->key->name);
            lab_strbuf_reset(&v);
            lab_config_value_text(&cell, full, &v);
            bad += lab_config_coord(&c, i, a) != idx[a]
                || strcmp(lab_strbuf_str(&v), ax->values[idx[a]]) != 0;
        }
        lab_strbuf_release(&v);
    }
    ok(bad == 0, "each of the %zu cells holds the values of its coordinates (%zu wrong)", n,
       bad);
    lab_config_cell(&c, 1234, &cell);
    /* 1234 = ((((((0*4 + 1)*3 + 0)*3 + 1)*5 + 1)*2 + 0)*4 + 3)*3 + 1 */
    ok(cell.n == 64 && cell.input_dim == 16 && cell.teacher_widths.n == 1
       && cell.teacher_widths.v[0] == 16 && cell.weight_scale == 4 && cell.bias_scale == 0.25
       && cell.optimizer == LAB_OPT_ADAM && cell.lr == 0.1 && cell.momentum == 0.03
       && cell.replicate == 0,
       "cell 1234 is n=64, input_dim=16, widths=16, weight_scale=4, bias_scale=0.25, adam, "
       "lr=0.1, momentum=0.03");
    lab_config_release(&cell);

    /* --set sweeps a key, or fixes a swept one. */
    rc = lab_config_set(&c, "sweep.train.beta1=0.8,0.9", err, sizeof err);
    ok(rc == 0 && strcmp(axis_text(&c, "train.beta1"), "0.8|0.9") == 0,
       "--set sweep.train.beta1=0.8,0.9 sweeps a key");
    rc = lab_config_set(&c, "train.lr=0.5", err, sizeof err);
    ok(rc == 0 && !lab_config_axis(&c, "train.lr") && c.lr == 0.5,
       "--set train.lr=0.5 fixes a swept key");
    rc = lab_config_set(&c, "student.width=8,16", err, sizeof err);
    ok(rc == 0 && strcmp(axis_text(&c, "width"), "8|16") == 0,
       "--set student.width=8,16 sets the width axis, as before");

    /* The resolved config writes the axes in [sweep] and loads back. */
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    lab_config_write(&c, f, 0);
    fclose(f);
    lab_config back;
    char msg[256] = "";
    rc = try_load(&back, text, err, sizeof err);
    if (rc == 0)
        rc = lab_config_finish(&back, err, sizeof err);
    ok(rc == 0 && lab_config_compare(&c, &back, msg, sizeof msg) == 0
       && strstr(text, "\nteacher.widths = 16 | 32 | 16, 16\n")
       && strstr(text, "\n# widths: swept in [sweep]\n"),
       "the written config sweeps the same axes when loaded (%s%s)", err, msg);
    lab_config_release(&back);
    free(text);

    /* A comparison names a swept key. */
    try_load(&back, "[sweep]\ntrain.lr = 0.001, 0.01\n", err, sizeof err);
    lab_config plain;
    try_load(&plain, "", err, sizeof err);
    rc = lab_config_compare(&back, &plain, msg, sizeof msg);
    ok(rc == 1 && strcmp(msg, "train.lr is swept over 0.001, 0.01 there and 0.003 here") == 0,
       "a comparison says which key was swept (%s)", msg);
    lab_config_release(&back);
    lab_config_release(&plain);
    lab_config_release(&c);
}

static void test_axis_errors(void)
{
    check_error("[sweep]\noutput.dir = a, b\n",
                "exp.cfg:2: sweep.output.dir: cannot be swept: it changes no result",
                "a key that changes no result cannot be swept");
    check_error("[sweep]\nexperiment.kind = student\n",
                "exp.cfg:2: sweep.experiment.kind: cannot be swept: the kind sets the table's "
                "columns (run one experiment per kind)",
                "the kind cannot be swept");
    check_error("[sweep]\ntrain.speed = 1, 2\n",
                "exp.cfg:2: sweep.train.speed: unknown key (lab show lists them all)",
                "an unknown key in [sweep]");
    check_error("[sweep]\nsize = 1, 2\n",
                "exp.cfg:2: sweep.size: unknown key; [sweep] has n, seeds, and section.key = "
                "values for any key that changes results (e.g. train.lr)",
                "an unknown key of [sweep] says what [sweep] takes");
    check_error("[sweep]\nwidths = 1, 2\n",
                "exp.cfg:2: sweep.widths: unknown key; did you mean sweep.teacher.widths?",
                "a key of [sweep] without its section names it with its section");
    check_error("[sweep]\nseed = 0..2\n",
                "exp.cfg:2: sweep.seed: unknown key; did you mean sweep.seeds?",
                "a mistyped key of [sweep] itself");
    check_error("[sweep]\ntrian.lr = 0.1, 0.2\n",
                "exp.cfg:2: sweep.trian.lr: unknown key; did you mean sweep.train.lr?",
                "a mistyped section in [sweep]");
    check_error("[sweep]\ntrain.lr = 0.1, 1e-1\n",
                "exp.cfg:2: sweep.train.lr: expected a list of numbers > 0 such as \"0.001, "
                "0.01\" or \"1e-4..1e-1 x10\": 0.1 appears twice",
                "a value swept twice");
    check_error("[sweep]\ntrain.lr = 1e-4..1e-1 x1\n",
                "exp.cfg:2: sweep.train.lr: expected a list of numbers > 0 such as \"0.001, "
                "0.01\" or \"1e-4..1e-1 x10\": a geometric range needs a start > 0 and a "
                "factor > 1",
                "a geometric range of reals needs a factor > 1");
    check_error("[sweep]\ntrain.optimizer = adam, lbfgs\n",
                "exp.cfg:2: sweep.train.optimizer: expected a list of names: \"lbfgs\" is not "
                "one of sgd, adam",
                "an unknown name in a list");
    check_error("[train]\nlr = 0.1\n[sweep]\ntrain.lr = 0.1, 0.2\n",
                "exp.cfg:4: sweep.train.lr: swept here but set to one value on line 2",
                "a key both set and swept");
    check_error("[sweep]\nteacher.widths = 16 | | 8\n",
                "exp.cfg:2: sweep.teacher.widths: expected lists separated by '|', such as "
                "\"16 | 32 | 16, 16\": empty item in the list",
                "an empty list in a list of lists");
    check_error("[sweep]\nn = 64\n[student]\nwidth = 8\n[sweep]\nstudent.width = 16\n",
                "exp.cfg:6: sweep.student.width: set twice (first on line 4)",
                "the width axis set in [student] and in [sweep]");

    lab_config c;
    char err[512];
    try_load(&c, "[plot]\ncurves = train.lr:width\n", err, sizeof err);
    int rc = lab_config_finish(&c, err, sizeof err);
    ok(rc != 0 && strcmp(err, "exp.cfg:2: plot.curves: \"train.lr\" is not an axis of this "
                              "sweep (X:SERIES names a numeric axis, then another axis; not a "
                              "seed)") == 0,
       "a figure along a key that is not swept is refused (%s)", err);
    lab_config_release(&c);
    try_load(&c, "[plot]\ncurves = n:seed\n", err, sizeof err);
    rc = lab_config_finish(&c, err, sizeof err);
    ok(rc != 0 && strstr(err, "plot.curves: \"seed\" is not an axis of this sweep") != NULL,
       "figures show statistics over the seeds: the seed is no series (%s)", err);
    lab_config_release(&c);
    try_load(&c, "[plot]\ncurves = width:width\n", err, sizeof err);
    rc = lab_config_finish(&c, err, sizeof err);
    ok(rc != 0 && strcmp(err, "exp.cfg:2: plot.curves: width:width draws a line per value of "
                              "the x axis itself; name another axis as the series") == 0,
       "a series that is the x axis is refused (%s)", err);
    lab_config_release(&c);
    try_load(&c, "[plot]\ncurves = n/params:width\n", err, sizeof err);
    rc = lab_config_finish(&c, err, sizeof err);
    ok(rc == 0, "a figure against n / params is accepted (%s)", rc ? err : "");
    lab_config_release(&c);
    try_load(&c, "[plot]\ncurves = n/test_error:width\n", err, sizeof err);
    rc = lab_config_finish(&c, err, sizeof err);
    ok(rc != 0 && strstr(err, "plot.curves: \"test_error\" is not a numeric column of the kind "
                              "student with one value per curve point") != NULL,
       "x is divided only by a column with one value per point (%s)", err);
    lab_config_release(&c);
    try_load(&c, "[fit]\nper_curve = hestness, bnsl:1\njoint = bnsl:1\n", err, sizeof err);
    rc = lab_config_finish(&c, err, sizeof err);
    ok(rc != 0 && strstr(err, "fit.joint: bnsl:1 is fitted per curve too") != NULL,
       "a form fitted both per curve and jointly is refused (%s)", err);
    lab_config_release(&c);
    try_load(&c, "[sweep]\ntrain.optimizer = adam, sgd\n[fit]\nx = train.optimizer\n", err,
             sizeof err);
    rc = lab_config_finish(&c, err, sizeof err);
    ok(rc != 0 && strcmp(err, "exp.cfg:4: fit.x: \"train.optimizer\" is not a numeric axis of "
                              "this sweep") == 0,
       "a learning curve along names is refused (%s)", err);
    lab_config_release(&c);
    try_load(&c, "[fit]\njoint = rosenfeld-prune\n", err, sizeof err);
    rc = lab_config_finish(&c, err, sizeof err);
    ok(rc != 0 && strcmp(err, "exp.cfg:2: fit.joint: rosenfeld-prune reads the column \"d\", "
                              "which this experiment's results do not have") == 0,
       "a joint form reading columns the results lack is refused (%s)", err);
    lab_config_release(&c);
}

/* What review found: the axes' order never depends on where the kind is
 * set; long lists of lists, exponents in ranges, empty items, infinities,
 * the largest axis named, a section repeated. */
static void test_axis_edges(void)
{
    lab_config a, b;
    char err[512], msg[256] = "";
    try_load(&a, "[sweep]\ntrain.lr = 0.1, 0.2\nlinear.ridge = 0, 1\n[experiment]\nkind = linear\n",
             err, sizeof err);
    try_load(&b, "[experiment]\nkind = linear\n[sweep]\ntrain.lr = 0.1, 0.2\nlinear.ridge = 0, 1\n",
             err, sizeof err);
    lab_config_finish(&a, err, sizeof err);
    lab_config_finish(&b, err, sizeof err);
    ok(a.naxes == 4 && strcmp(a.axes[1].column, "linear.ridge") == 0
       && strcmp(a.axes[2].column, "train.lr") == 0 && strcmp(b.axes[1].column, "linear.ridge") == 0,
       "the axes come in table order wherever the kind is set (%s, %s)", a.axes[1].column,
       a.axes[2].column);
    lab_config_release(&a);
    lab_config_release(&b);

    int rc = try_load(&a, "[sweep]\nteacher.widths = 1..60 | 5\n", err, sizeof err);
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    lab_config_finish(&a, err, sizeof err);
    lab_config_write(&a, f, 0);
    fclose(f);
    if (rc == 0)
        rc = try_load(&b, text, err, sizeof err);
    ok(rc == 0 && strstr(text, "teacher.widths = 1..60 | 5\n") && lab_config_finish(&b, err, sizeof err) == 0
       && lab_config_compare(&a, &b, msg, sizeof msg) == 0,
       "a long list in a list of lists is written as its range and reads back (%s%s)", err, msg);
    free(text);
    lab_config_release(&a);
    lab_config_release(&b);

    rc = try_load(&a, "[sweep]\nexperiment.seed = 1, 2\ntrain.lr = 1e-4..1e+2 x10\n"
                      "teacher.weight_scale = 10, 100\n", err, sizeof err);
    ok(rc == 0 && strcmp(axis_text(&a, "experiment.seed"), "1|2") == 0
       && strcmp(axis_text(&a, "train.lr"), "0.0001|0.001|0.01|0.1|1|10|100") == 0
       && strcmp(axis_text(&a, "teacher.weight_scale"), "10|100") == 0,
       "the experiment seed is swept; a range may end in 1e+2; whole numbers need no exponent "
       "(%s)", err);
    lab_config_release(&a);

    check_error("[sweep]\ntrain.lr = 0.1,,0.2\n",
                "exp.cfg:2: sweep.train.lr: expected a list of numbers > 0 such as \"0.001, "
                "0.01\" or \"1e-4..1e-1 x10\": empty item in the list",
                "an empty item in a list is refused");
    rc = try_load(&a, "[sweep]\ntrain.lr = 1..1.7976931348623157e308 x10\n", err, sizeof err);
    const lab_axis *lr = lab_config_axis(&a, "train.lr");
    ok(rc == 0 && lr && lr->n == 309 && strcmp(lr->values[308], "1e+308") == 0,
       "a range up to the largest number stops at its last finite value (%s)", err);
    lab_config_release(&a);
    check_error("[teacher]\nwidths = 16\n[teacher]\n  widths = 32\n",
                "exp.cfg:4: teacher.widths: set twice (first on line 2)",
                "an indented key after a section header continues nothing");
    try_load(&a, "[sweep]\nseeds = 0..999\ntrain.lr = 1..2000 +1\n", err, sizeof err);
    rc = lab_config_finish(&a, err, sizeof err);
    is_string("exp.cfg:3: train.lr: the sweep has 2000000 cells; at most 1000000 are "
              "allowed", err, "a sweep too large names its largest axis");
    lab_config_release(&a);
    lab_config_init(&a);
    rc = lab_config_set(&a, "output.dir=runs/a ;b", err, sizeof err);
    ok(rc != 0 && strstr(err, "a value with \" ;\" cannot be written back"),
       "a value that would read back as a comment is refused (%s)", err);
    lab_config_release(&a);
}

/* Every default is written as it reads back (the stream rule compares a
 * value's text with its default's). */
static void test_defaults(void)
{
    lab_config c;
    char *text = NULL, err[512], msg[256] = "";
    size_t len;
    lab_config_init(&c);
    lab_config_finish(&c, err, sizeof err);
    FILE *f = open_memstream(&text, &len);
    lab_config_write(&c, f, 1);
    fclose(f);
    lab_config back;
    int rc = try_load(&back, text, err, sizeof err);
    if (rc == 0)
        rc = lab_config_finish(&back, err, sizeof err);
    ok(rc == 0 && lab_config_compare(&c, &back, msg, sizeof msg) == 0,
       "the defaults written and read back are the defaults (%s%s)", err, msg);
    free(text);
    lab_config_release(&back);
    lab_config_release(&c);
}

/* Issue 10: initialisation replicates, planted starts, online training. */
static void test_student_keys(void)
{
    lab_config a, b;
    char err[1024], msg[256], *text = NULL;
    size_t len;

    /* init_seeds: no axis (no column) at its default, an axis before the
     * seed otherwise; the written config loads back. */
    int rc = try_load(&a, "[sweep]\ninit_seeds = 0\n", err, sizeof err)
             || lab_config_finish(&a, err, sizeof err);
    ok(rc == 0 && !lab_config_axis(&a, "init_seed") && a.init_replicate == 0
       && lab_config_axis(&a, "seed"),
       "sweep.init_seeds = 0 makes no axis (the tables keep their columns)");
    lab_config_release(&a);
    rc = try_load(&a, "[sweep]\ninit_seeds = 0..2\nseeds = 0, 1\n[student]\nwidth = 4, 8\n",
                  err, sizeof err) || lab_config_finish(&a, err, sizeof err);
    const lab_axis *is = lab_config_axis(&a, "init_seed");
    ok(rc == 0 && is && is->n == 3 && a.naxes == 5 && is == &a.axes[3]
       && lab_axis_is_replicate(is) && lab_axis_is_replicate(&a.axes[4])
       && !lab_axis_is_replicate(&a.axes[1]),
       "sweep.init_seeds = 0..2 is the replicate axis init_seed, just before the seed");
    FILE *f = open_memstream(&text, &len);
    lab_config_write(&a, f, 0);
    fclose(f);
    rc = try_load(&b, text, err, sizeof err) || lab_config_finish(&b, err, sizeof err);
    ok(rc == 0 && lab_config_compare(&a, &b, msg, sizeof msg) == 0
       && strstr(text, "\ninit_seeds = 0..2\n"),
       "and its written config loads back to the same sweep");
    free(text);
    lab_config_release(&a);
    lab_config_release(&b);
    check_finish("[sweep]\ninit_seeds = 0..2\n[plot]\ncurves = init_seed:n\n",
                "exp.cfg:4: plot.curves: \"init_seed\" is not an axis of this sweep (X:SERIES "
                "names a numeric axis, then another axis; not a seed)",
                "figures cannot run along the initialisation seed");

    /* student.init = teacher, and the spelling teacher+noise:d. */
    rc = try_load(&a, "[student]\ninit = teacher+noise:0.01\n", err, sizeof err);
    lab_strbuf v = LAB_STRBUF_INIT;
    lab_config_value_text(&a, "student.init", &v);
    lab_strbuf_puts(&v, " ");
    lab_config_value_text(&a, "student.init_noise", &v);
    ok(rc == 0 && strcmp(lab_strbuf_str(&v), "teacher 0.01") == 0,
       "student.init = teacher+noise:0.01 is init teacher with init_noise 0.01 (%s)",
       lab_strbuf_str(&v));
    lab_strbuf_release(&v);
    lab_config_release(&a);
    check_error("[student]\ninit_noise = 0.1\ninit = teacher+noise:0.2\n",
                "exp.cfg:3: student.init: teacher+noise:0.2 sets student.init_noise, set already "
                "on line 2", "teacher+noise:d cannot set init_noise twice");
    check_error("[student]\ninit = teacher+noise:big\n",
                "exp.cfg:2: student.init: teacher+noise:big sets student.init_noise: expected a "
                "number in [0, 1000000], got \"big\"", "teacher+noise:d needs a number");

    /* A planted student must contain its teacher, in every cell. */
    check_finish("[student]\ninit = teacher\nwidth = 32, 8\n[teacher]\nwidths = 16\n",
                "exp.cfg:3: student.width: a student planted at its teacher (exp.cfg:2: "
                "student.init = teacher) must contain it: width 8 is narrower than the "
                "teacher's hidden layer 1 (16 units)", "a narrower planted student is refused");
    check_finish("[student]\ninit = teacher\ndepth = 2\n[teacher]\nwidths = 16\n",
                "exp.cfg:3: student.depth: a student planted at its teacher (exp.cfg:2: "
                "student.init = teacher) must contain it: depth 2 is not the teacher's 1 "
                "(padding a layer with an identity is not exact through its activation)",
                "so is a deeper one");
    check_finish("[student]\ninit = teacher\nactivation = relu\n",
                "exp.cfg:3: student.activation: a student planted at its teacher (exp.cfg:2: "
                "student.init = teacher) must contain it: relu is not the teacher's activation "
                "tanh", "and one with another activation");

    /* Online: the steps follow from n. */
    check_finish("[train]\nonline = true\nsteps = 100\n",
                "exp.cfg:3: train.steps: with online training (exp.cfg:2: train.online = true) "
                "the steps are n / batch: sweep.n counts the samples seen; remove train.steps",
                "online training refuses a step budget");
    check_finish("[train]\nonline = true\nbatch = 0\n",
                "exp.cfg:3: train.batch: online training (train.online = true) draws fresh "
                "mini-batches and needs a batch size > 0", "and a full batch");
    rc = try_load(&a, "[train]\nonline = true\n[sweep]\nn = 1000000000\n[teacher]\n"
                  "input_dim = 64\n", err, sizeof err) || lab_config_finish(&a, err, sizeof err);
    ok(rc == 0 && a.online == 1, "online, n counts samples, not points held in memory (%s)",
       rc ? err : "ok");
    lab_config_release(&a);
}

int main(void)
{
    plan(15 + 26 + 7 + 16 + 21 + 8 + 1 + 13);
    test_values();
    test_errors();
    test_round_trip();
    test_student_keys();
    test_axes();
    test_axis_errors();
    test_axis_edges();
    test_defaults();
    return 0;
}
