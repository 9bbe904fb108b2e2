/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab theory MODEL: learning curves the lab computes exactly rather than by
 * simulation, as a table on standard output. One model so far: perceptron
 * students of a sign teacher (analysis/perceptron_theory.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>

#include "cli.h"
#include "config.h"
#include "perceptron_theory.h"
#include "status.h"
#include "strbuf.h"
#include "suggest.h"

static const char usage[] =
    "Usage: lab theory perceptron [--learner LIST] [--alpha LIST]\n"
    "                             [--prune hard|easy [--fraction F] [--probe-angle DEG]]\n"
    "Exact learning curves of a perceptron student of a sign teacher: N -> infinity\n"
    "inputs, Gaussian and unpruned, P = alpha N noiseless examples (THEORY.md 5.1).\n"
    "Writes a table to standard output: learner, alpha, test_error (the student's\n"
    "angle to the teacher over pi), overlap (the cosine of that angle) and kappa\n"
    "(the margin of maxmargin, nan for the others); one row per learner and alpha.\n"
    "\n"
    "Options:\n"
    "  --learner LIST  comma-separated, from gibbs (a random student of the version\n"
    "                  space), bayes (its centre of mass), maxmargin (the student of\n"
    "                  largest margin) and hebb (J = sum of y x); default all four\n"
    "  --alpha LIST    examples per dimension, each in (0, 1e6], as a real axis of a\n"
    "                  config takes them: \"0.5, 1, 2\" or \"0.1..1000 x10\";\n"
    "                  default \"0.5, 1, 2, 5, 10, 100, 1000\"\n"
    "  --prune MODE    train on a pruned pool (Sorscher et al. 2022): a probe scores\n"
    "                  each example by |probe.x|, and the fraction F of smallest\n"
    "                  (hard) or largest (easy) scores is kept; none: no pruning.\n"
    "                  --alpha is then alpha_prune, the kept examples per\n"
    "                  dimension (each in (0, 1000]); the table gains the columns\n"
    "                  prune, fraction, probe_angle, alpha_tot (= alpha / F) and q\n"
    "                  (gibbs's overlap of two students). Learners: maxmargin at\n"
    "                  any angle; gibbs, bayes and hebb at angle 0 only; default\n"
    "                  maxmargin,gibbs\n"
    "  --fraction F    the share of the pool kept, in [1e-6, 1]; default 0.2\n"
    "  --probe-angle DEG  the probe's angle to the teacher in degrees, in [0, 85];\n"
    "                  default 0 (the teacher itself)\n"
    "  -h, --help      this help\n";

#define ALPHA_DEFAULT "0.5, 1, 2, 5, 10, 100, 1000"
#define ALPHA_MAX 1e6
#define PRUNE_ALPHA_MAX 1000
#define ANGLE_MAX 85

/* One real of option in [min, max] into *out; LAB_EXIT_OK or, after saying
 * why, LAB_EXIT_USAGE (LAB_EXIT_FAIL when out of memory). */
static int parse_one_real(const char *option, const char *text, double min, double max,
                          double *out)
{
    double *v;
    size_t n;
    char why[512];
    int rc = lab_config_parse_reals(text, min, max, 0, &v, &n, why, sizeof why);
    if (rc != LAB_OK) {
        lab_cli_error("theory perceptron: %s %s: %s", option, text, why);
        return rc == LAB_ENOMEM ? LAB_EXIT_FAIL : LAB_EXIT_USAGE;
    }
    if (n != 1) {
        free(v);
        lab_cli_error("theory perceptron: %s %s: expected one number", option, text);
        return LAB_EXIT_USAGE;
    }
    *out = v[0];
    free(v);
    return LAB_EXIT_OK;
}

/* The pruning mode named text into *mode, or LAB_EXIT_USAGE after saying why. */
static int parse_prune(const char *text, enum lab_pprune *mode)
{
    int m = lab_pprune_parse(text);
    if (m >= 0) {
        *mode = (enum lab_pprune)m;
        return LAB_EXIT_OK;
    }
    lab_suggest close;
    lab_suggest_init(&close, text);
    for (int i = 0; i < LAB_PPRUNE_COUNT; i++)
        lab_suggest_add(&close, lab_pprune_names[i]);
    if (close.best)
        lab_cli_error("theory perceptron: --prune: unknown mode \"%s\"; did you mean %s? (one "
                      "of none, hard, easy)", text, close.best);
    else
        lab_cli_error("theory perceptron: --prune: unknown mode \"%s\" (one of none, hard, "
                      "easy)", text);
    return LAB_EXIT_USAGE;
}

/* Parse the learner names of list into which[] (in the order given);
 * returns how many, or -1 after printing why. */
static int parse_learners(const char *list, enum lab_plearner *which)
{
    char *copy = strdup(list), *save = NULL;
    int n = 0;
    if (!copy) {
        lab_cli_error("out of memory");
        return -1;
    }
    if (strstr(copy, ",,") || copy[0] == ',' || copy[strlen(copy) - 1] == ',') {
        lab_cli_error("theory perceptron: --learner %s: empty item in the list", list);
        free(copy);
        return -1;
    }
    for (char *item = strtok_r(copy, ", \t", &save); item; item = strtok_r(NULL, ", \t", &save)) {
        int l = lab_plearner_parse(item);
        if (l < 0) {
            lab_suggest close;
            lab_suggest_init(&close, item);
            lab_strbuf all = LAB_STRBUF_INIT;
            for (int i = 0; i < LAB_PLEARNER_COUNT; i++)
                lab_suggest_add(&close, lab_plearner_names[i]);
            lab_strbuf_join(&all, lab_plearner_names, LAB_PLEARNER_COUNT, ", ");
            if (close.best)
                lab_cli_error("theory perceptron: --learner: unknown learner \"%s\"; did you "
                              "mean %s? (one of %s)", item, close.best, lab_strbuf_str(&all));
            else
                lab_cli_error("theory perceptron: --learner: unknown learner \"%s\" (one of "
                              "%s)", item, lab_strbuf_str(&all));
            lab_strbuf_release(&all);
            free(copy);
            return -1;
        }
        for (int i = 0; i < n; i++)
            if (which[i] == (enum lab_plearner)l) {
                lab_cli_error("theory perceptron: --learner: %s appears twice", item);
                free(copy);
                return -1;
            }
        which[n++] = (enum lab_plearner)l;
    }
    free(copy);
    if (n == 0)
        lab_cli_error("theory perceptron: --learner: the list is empty");
    return n > 0 ? n : -1;
}

static int cmd_perceptron(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "learner", required_argument, NULL, 'l' },
        { "alpha", required_argument, NULL, 'a' },
        { "prune", required_argument, NULL, 'p' },
        { "fraction", required_argument, NULL, 'f' },
        { "probe-angle", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *learners = NULL, *alphas = ALPHA_DEFAULT;
    const char *prune_text = NULL, *fraction_text = NULL, *angle_text = NULL;
    int opt;
    optind = 1;
    opterr = 0; /* our messages, not getopt's */
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'l':
            learners = optarg;
            break;
        case 'a':
            alphas = optarg;
            break;
        case 'p':
            prune_text = optarg;
            break;
        case 'f':
            fraction_text = optarg;
            break;
        case 't':
            angle_text = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return LAB_EXIT_OK;
        default:
            return lab_cli_refused("theory perceptron", opt, argv, longopts);
        }
    }
    if (optind != argc) {
        lab_cli_error("theory perceptron: unexpected argument %s (lab theory --help)",
                      argv[optind]);
        return LAB_EXIT_USAGE;
    }
    lab_ptheory_prune prune = { LAB_PPRUNE_NONE, 0.2, 0 };
    double degrees = 0;
    int code;
    if (prune_text && (code = parse_prune(prune_text, &prune.mode)) != LAB_EXIT_OK)
        return code;
    if (prune.mode == LAB_PPRUNE_NONE && (fraction_text || angle_text)) {
        lab_cli_error("theory perceptron: %s needs --prune hard or easy",
                      fraction_text ? "--fraction" : "--probe-angle");
        return LAB_EXIT_USAGE;
    }
    if (fraction_text
        && (code = parse_one_real("--fraction", fraction_text, 1e-6, 1, &prune.fraction))
               != LAB_EXIT_OK)
        return code;
    if (angle_text
        && (code = parse_one_real("--probe-angle", angle_text, 0, ANGLE_MAX, &degrees))
               != LAB_EXIT_OK)
        return code;
    prune.theta = degrees * M_PI / 180;
    int pruned = prune.mode != LAB_PPRUNE_NONE;
    if (!learners)
        learners = pruned ? "maxmargin,gibbs" : "gibbs,bayes,maxmargin,hebb";
    enum lab_plearner which[LAB_PLEARNER_COUNT];
    int nl = parse_learners(learners, which);
    if (nl < 0)
        return LAB_EXIT_USAGE;
    for (int l = 0; l < nl && pruned && prune.theta > 0; l++)
        if (which[l] != LAB_PLEARNER_MAXMARGIN) {
            lab_cli_error("theory perceptron: --learner %s: with --probe-angle > 0 only "
                          "maxmargin is implemented", lab_plearner_names[which[l]]);
            return LAB_EXIT_USAGE;
        }
    double *alpha;
    size_t na;
    char why[512];
    int rc = lab_config_parse_reals(alphas, 0, pruned ? PRUNE_ALPHA_MAX : ALPHA_MAX,
                                    LAB_KEY_MIN_OPEN, &alpha, &na, why, sizeof why);
    if (rc != LAB_OK) {
        lab_cli_error("theory perceptron: --alpha %s: %s", alphas, why);
        return rc == LAB_ENOMEM ? LAB_EXIT_FAIL : LAB_EXIT_USAGE;
    }
    lab_ptheory *w = lab_ptheory_alloc();
    if (!w) {
        free(alpha);
        lab_cli_error("out of memory");
        return LAB_EXIT_FAIL;
    }
    code = LAB_EXIT_OK;
    fputs(pruned ? "learner\talpha\ttest_error\toverlap\tkappa\tprune\tfraction\tprobe_angle"
                   "\talpha_tot\tq\n"
                 : "learner\talpha\ttest_error\toverlap\tkappa\n", stdout);
    for (int l = 0; l < nl && code == LAB_EXIT_OK; l++)
        for (size_t i = 0; i < na && code == LAB_EXIT_OK; i++) {
            lab_perceptron_state st;
            char err[512], a[64];
            rc = lab_ptheory_solve_pruned(w, which[l], alpha[i], &prune, &st, err, sizeof err);
            if (rc != LAB_OK) {
                lab_cli_error("theory perceptron: %s at alpha = %g: %s",
                              lab_plearner_names[which[l]], alpha[i], err);
                code = lab_cli_exit_code(rc);
                break;
            }
            lab_value_format_double(alpha[i], a, sizeof a);
            printf("%s\t%s\t%.17g\t%.17g\t%.17g", lab_plearner_names[which[l]], a,
                   st.test_error, st.R, st.kappa);
            if (pruned) {
                char f[64], t[64];
                lab_value_format_double(prune.fraction, f, sizeof f);
                lab_value_format_double(degrees, t, sizeof t);
                printf("\t%s\t%s\t%s\t%.17g\t%.17g", lab_pprune_names[prune.mode], f, t,
                       alpha[i] / prune.fraction, st.q);
            }
            putchar('\n');
        }
    lab_ptheory_free(w);
    free(alpha);
    return code;
}

/* The models, in the order of the usage. */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} models[] = {
    { "perceptron", cmd_perceptron },
};

int lab_cmd_theory(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return LAB_EXIT_USAGE;
    }
    const char *model = argv[1];
    if (strcmp(model, "--help") == 0 || strcmp(model, "-h") == 0) {
        fputs(usage, stdout);
        return LAB_EXIT_OK;
    }
    lab_suggest close;
    lab_suggest_init(&close, model);
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        if (strcmp(model, models[i].name) == 0)
            return models[i].run(argc - 1, argv + 1);
        lab_suggest_add(&close, models[i].name);
    }
    if (close.best)
        lab_cli_error("theory %s: unknown model; did you mean %s? (lab theory --help)", model,
                      close.best);
    else
        lab_cli_error("theory %s: unknown model (lab theory --help)", model);
    return LAB_EXIT_USAGE;
}
