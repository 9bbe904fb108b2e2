/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "perceptron_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "perceptron_theory.h"
#include "plot.h"
#include "dataprune_report.h"
#include "status.h"
#include "strbuf.h"

/* The kind's learners, in its order, and the theory's name for each. */
enum { NLEARN = 5, BAYES = 2, GRID = 48 };
static const char *const learners[NLEARN] = { "hebb", "gibbs", "bayes", "maxmargin",
                                              "perceptron" };
static const int theory_of[NLEARN] = { LAB_PLEARNER_HEBB, LAB_PLEARNER_GIBBS,
                                       LAB_PLEARNER_BAYES, LAB_PLEARNER_MAXMARGIN, -1 };

/* Mean and standard deviation over seeds, per (learner, alpha). */
typedef struct stat {
    double sum, sum2;
    size_t n;
} stat;

typedef struct perc {
    size_t na;
    double *alpha;          /* the run's alphas P / D, increasing */
    size_t skipped;         /* rows trained band-limited, tested on the full band */
    size_t pruned;          /* rows trained on pruned data (perceptron.prune) */
    stat *err, *excess;     /* [learner * na + a]: the error, its excess over bayes */
    double *theory;         /* [learner * na + a]: the theory's error (nan: none) */
    int present[NLEARN];
} perc;

static void add(stat *s, double v)
{
    s->sum += v;
    s->sum2 += v * v;
    s->n++;
}

static double mean_of(const stat *s)
{
    return s->n ? s->sum / (double)s->n : NAN;
}

static double sd_of(const stat *s)
{
    if (s->n < 2)
        return 0;
    double m = mean_of(s);
    return sqrt(fmax(0, (s->sum2 - (double)s->n * m * m) / (double)(s->n - 1)));
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static long learner_of(const char *name)
{
    for (long l = 0; l < NLEARN; l++)
        if (strcmp(learners[l], name) == 0)
            return l;
    return -1;
}

static size_t alpha_index(const perc *P, double alpha)
{
    size_t a = 0;
    while (a + 1 < P->na && P->alpha[a] != alpha)
        a++;
    return a;
}

/* Where a row's dimension comes from: its cell's columns when swept, else
 * the run's config. */
typedef struct dims {
    long cp, cdim, cband, ctest; /* examples, perceptron.dim, data.bandlimit(_test) */
    double dim, band, test;      /* the config's values */
    long cprune;                 /* prune: pruned rows have no theory here */
} dims;

static double config_number(const lab_config *c, const char *key, double fallback)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    double v = fallback;
    if (lab_config_value_text(c, key, &b) == LAB_OK && !b.failed) {
        const char *text = lab_strbuf_str(&b);
        v = strcmp(text, "on") == 0 ? 1 : strcmp(text, "off") == 0 ? 0 : strtod(text, NULL);
    }
    lab_strbuf_release(&b);
    return v;
}

static double column_or(const lab_table *t, size_t r, long col, double fallback)
{
    if (col < 0)
        return fallback;
    const char *text = lab_table_cell(t, r, (size_t)col);
    return strcmp(text, "on") == 0 ? 1 : strcmp(text, "off") == 0 ? 0 : strtod(text, NULL);
}

/* A row's alpha as the theory reads it: P / D, D the dimension its data
 * span: D_B = min(2B + 1, N) on band-limited inputs (THEORY.md section
 * 10.1, negative control), else N. NaN for a row no theory of section 5.1
 * describes: trained band-limited but tested on the full band, or on
 * pruned data (section 11). */
static double row_alpha(const lab_table *t, size_t r, const dims *d)
{
    if (d->cprune >= 0 && strcmp(lab_table_cell(t, r, (size_t)d->cprune), "none") != 0)
        return NAN; /* pruned data: counted apart by gather() */
    double P = column_or(t, r, d->cp, NAN), N = column_or(t, r, d->cdim, d->dim);
    double B = column_or(t, r, d->cband, d->band), on = column_or(t, r, d->ctest, d->test);
    if (B < 0)
        return P / N;
    return on ? P / fmin(2 * B + 1, N) : NAN;
}

/* Whether rows a and b are of one cell (the same seed, alpha and band). */
static int same_cell(const lab_table *t, size_t a, size_t b, const long *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cols[i] >= 0
            && strcmp(lab_table_cell(t, a, (size_t)cols[i]), lab_table_cell(t, b, (size_t)cols[i])))
            return 0;
    return 1;
}

/* The per-seed errors of t into P, against alpha = P / D (row_alpha());
 * each non-Bayes row is paired with the Bayes row of its cell (the same
 * teacher and data). */
static int gather(const lab_table *t, const lab_config *c, perc *P, char *err, size_t errlen)
{
    long ca = lab_table_col(t, "alpha"), cs = lab_table_col(t, "seed");
    long cl = lab_table_col(t, "learner"), ce = lab_table_col(t, "test_error");
    long cst = lab_table_col(t, "status");
    dims d = { lab_table_col(t, "examples"), lab_table_col(t, "perceptron.dim"),
               lab_table_col(t, "data.bandlimit"), lab_table_col(t, "data.bandlimit_test"),
               config_number(c, "perceptron.dim", NAN), config_number(c, "data.bandlimit", -1),
               config_number(c, "data.bandlimit_test", 1), lab_table_col(t, "prune") };
    if (ca < 0 || cs < 0 || cl < 0 || ce < 0 || cst < 0 || d.cp < 0)
        return lab_fail(err, errlen, LAB_EFORMAT, "%s: not a table of the kind perceptron "
                        "(alpha, seed, learner, examples, test_error, status)", t->path);
    const long cell[] = { ca, cs, d.cdim, d.cband, d.ctest };
    P->alpha = malloc((t->nrows ? t->nrows : 1) * sizeof *P->alpha);
    if (!P->alpha)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        double a = row_alpha(t, r, &d);
        if (isfinite(a))
            P->alpha[m++] = a;
    }
    qsort(P->alpha, m, sizeof *P->alpha, by_value);
    for (size_t r = 0; r < m; r++)
        if (P->na == 0 || P->alpha[r] != P->alpha[P->na - 1])
            P->alpha[P->na++] = P->alpha[r];
    size_t cells = NLEARN * (P->na ? P->na : 1);
    P->err = calloc(cells, sizeof *P->err);
    P->excess = calloc(cells, sizeof *P->excess);
    P->theory = malloc(cells * sizeof *P->theory);
    if (!P->err || !P->excess || !P->theory)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    for (size_t r = 0; r < t->nrows; r++) {
        long l = learner_of(lab_table_cell(t, r, (size_t)cl));
        double alpha = row_alpha(t, r, &d), e;
        if (l < 0 || strcmp(lab_table_cell(t, r, (size_t)cst), "ok") != 0)
            continue;
        if (d.cprune >= 0 && strcmp(lab_table_cell(t, r, (size_t)d.cprune), "none") != 0) {
            P->pruned++;
            continue;
        }
        if (!isfinite(alpha)) {
            P->skipped++;
            continue;
        }
        int rc = lab_table_number(t, r, (size_t)ce, &e, err, errlen);
        if (rc != LAB_OK)
            return rc;
        size_t a = alpha_index(P, alpha);
        P->present[l] = 1;
        add(&P->err[(size_t)l * P->na + a], e);
        for (size_t b = 0; l != BAYES && b < t->nrows; b++) {
            double eb;
            if (strcmp(lab_table_cell(t, b, (size_t)cl), "bayes") == 0
                && strcmp(lab_table_cell(t, b, (size_t)cst), "ok") == 0
                && same_cell(t, r, b, cell, sizeof cell / sizeof cell[0])
                && lab_table_number(t, b, (size_t)ce, &eb, err, errlen) == LAB_OK)
                add(&P->excess[(size_t)l * P->na + a], e - eb);
        }
    }
    return LAB_OK;
}

/* theory.tsv: every theory learner on a log grid from the smallest positive
 * alpha / 2 to the largest x 2, the run's alphas included; the values at
 * the run's alphas into P->theory. */
static int write_theory(const char *rundir, perc *P, char *err, size_t errlen)
{
    double lo = INFINITY, hi = 0;
    for (size_t a = 0; a < P->na; a++)
        if (P->alpha[a] > 0) {
            lo = fmin(lo, P->alpha[a] / 2);
            hi = fmax(hi, P->alpha[a] * 2);
        }
    double grid[GRID + 64];
    size_t ng = 0;
    for (size_t i = 0; hi > 0 && i < GRID; i++)
        grid[ng++] = lo * pow(hi / lo, (double)i / (GRID - 1));
    for (size_t a = 0; a < P->na && ng < GRID + 64; a++)
        if (P->alpha[a] > 0 && P->alpha[a] <= 1e6)
            grid[ng++] = P->alpha[a];
    qsort(grid, ng, sizeof *grid, by_value);
    for (size_t i = 0; i < NLEARN * P->na; i++)
        P->theory[i] = NAN;
    char *path = lab_path_join(rundir, "theory.tsv");
    lab_ptheory *w = lab_ptheory_alloc();
    lab_atomic f;
    int rc = path && w ? lab_atomic_open(&f, path, err, errlen)
                       : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc != LAB_OK)
        goto done;
    fputs("# The exact large-N test error of each learner (THEORY.md section 5.1)\n"
          "learner\talpha\ttest_error\toverlap\tkappa\n", f.f);
    lab_ptheory_data gauss = lab_ptheory_gaussian();
    for (int l = 0; l < NLEARN && rc == LAB_OK; l++)
        for (size_t i = 0; theory_of[l] >= 0 && i < ng && rc == LAB_OK; i++) {
            lab_perceptron_state s;
            rc = lab_ptheory_solve(w, (enum lab_plearner)theory_of[l], grid[i], &gauss, &s, err,
                                   errlen);
            if (rc != LAB_OK)
                break;
            fprintf(f.f, "%s\t%.17g\t%.17g\t%.17g\t%.17g\n", learners[l], grid[i], s.test_error,
                    s.R, s.kappa);
            for (size_t a = 0; a < P->na; a++)
                if (P->alpha[a] == grid[i])
                    P->theory[(size_t)l * P->na + a] = s.test_error;
        }
    if (rc == LAB_OK)
        rc = lab_atomic_commit(&f, err, errlen);
    else
        lab_atomic_abort(&f);
done:
    lab_ptheory_free(w);
    free(path);
    return rc;
}

/* figures/NAME.dat: a block per present learner: alpha, value, lo, hi,
 * seeds; the value is the error, or (excess) the excess over Bayes for all
 * but Bayes. */
static int write_dat(const char *figdir, const char *name, const perc *P, int excess,
                     char *err, size_t errlen)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_strbuf_printf(&b, "%s/%s.dat", figdir, name);
    lab_atomic f;
    int rc = b.failed ? lab_fail(err, errlen, LAB_ENOMEM, "out of memory")
                      : lab_atomic_open(&f, lab_strbuf_str(&b), err, errlen);
    lab_strbuf_release(&b);
    if (rc != LAB_OK)
        return rc;
    fprintf(f.f, "# %s per learner: alpha, mean over seeds, mean - sd, mean + sd, seeds\n",
            excess ? "the excess over bayes (bayes: its error)" : "the test error");
    int block = 0;
    for (int l = 0; l < NLEARN; l++) {
        if (!P->present[l])
            continue;
        fprintf(f.f, "%s# %s\n", block++ ? "\n\n" : "", learners[l]);
        const stat *s = (excess && l != BAYES ? P->excess : P->err) + (size_t)l * P->na;
        for (size_t a = 0; a < P->na; a++)
            if (s[a].n)
                fprintf(f.f, "%.17g\t%.17g\t%.17g\t%.17g\t%zu\n", P->alpha[a], mean_of(&s[a]),
                        mean_of(&s[a]) - sd_of(&s[a]), mean_of(&s[a]) + sd_of(&s[a]), s[a].n);
    }
    return lab_atomic_commit(&f, err, errlen);
}

static int figure(const char *figdir, const char *name, const perc *P, const lab_config *c,
                  volatile sig_atomic_t *stop, char *warning, size_t warnlen, char *err,
                  size_t errlen)
{
    int rc = write_dat(figdir, name, P, strstr(name, "decomposition") != NULL, err, errlen);
    if (rc != LAB_OK)
        return rc;
    char *settings = NULL;
    size_t len;
    FILE *f = open_memstream(&settings, &len);
    if (!f)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    fprintf(f, "datafile = '%s.dat'\ntheoryfile = '../theory.tsv'\nexperiment = \"", name);
    lab_plot_text(f, c->name, 0);
    fputs("\"\nlearners = \"", f);
    for (int l = 0, k = 0; l < NLEARN; l++)
        if (P->present[l])
            fprintf(f, "%s%s", k++ ? " " : "", learners[l]);
    fputs("\"\n", f);
    if (fclose(f) != 0) {
        free(settings);
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    }
    rc = lab_plot_render(figdir, name, name, (enum lab_plot_format)c->format, settings, stop,
                         warning, warnlen, err, errlen);
    free(settings);
    return rc;
}

/* "bayes within 2.1 % of the theory (worst at alpha = 10), ...": per
 * learner, the largest relative deviation of the mean error. */
static void say_deviation(const perc *P, char *info, size_t infolen)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    for (int l = 0; l < NLEARN; l++) {
        double worst = 0, at = NAN;
        for (size_t a = 0; a < P->na; a++) {
            double th = P->theory[(size_t)l * P->na + a];
            double dev = (mean_of(&P->err[(size_t)l * P->na + a]) - th) / th;
            if (isfinite(dev) && fabs(dev) >= fabs(worst))
                worst = dev, at = P->alpha[a];
        }
        if (isfinite(at))
            lab_strbuf_printf(&b, "%s%s %+.1f %% at alpha = %g", b.len ? ", " : "", learners[l],
                              100 * worst, at);
    }
    char skipped[320] = "";
    if (P->skipped)
        snprintf(skipped, sizeof skipped, "; %zu rows trained on band-limited inputs and tested "
                 "on the full band left out (no theory)", P->skipped);
    if (P->pruned)
        snprintf(skipped + strlen(skipped), sizeof skipped - strlen(skipped), "; %zu rows "
                 "trained on pruned data compared apart", P->pruned);
    snprintf(info, infolen, "the mean test error against the large-N theory at alpha = P / D "
             "(D = D_B on band-limited inputs), largest deviation per learner: %s (theory.tsv, "
             "figures/perceptron_theory)%s", b.failed || !b.len ? "none" : lab_strbuf_str(&b),
             skipped);
    lab_strbuf_release(&b);
}

int lab_perceptron_report(const char *rundir, const lab_config *c, const lab_table *t, int jobs,
                          volatile sig_atomic_t *stop, char *info, size_t infolen,
                          char *warning, size_t warnlen, char *err, size_t errlen)
{
    perc P = { 0 };
    char *figdir = lab_path_join(rundir, "figures");
    if (info && infolen)
        info[0] = '\0';
    if (warning && warnlen)
        warning[0] = '\0';
    int rc = figdir ? gather(t, c, &P, err, errlen)
                    : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    /* No row the theory describes (all pruned, say): no theory, no figures. */
    int any = P.na > 0;
    if (rc == LAB_OK && any)
        rc = write_theory(rundir, &P, err, errlen);
    if (rc == LAB_OK && any)
        rc = lab_mkdirs(figdir, err, errlen);
    if (rc == LAB_OK && any)
        rc = figure(figdir, "perceptron_theory", &P, c, stop, warning, warnlen, err, errlen);
    if (rc == LAB_OK && any && P.present[BAYES])
        rc = figure(figdir, "perceptron_decomposition", &P, c, stop, warning, warnlen, err,
                    errlen);
    if (rc == LAB_OK && info && any)
        say_deviation(&P, info, infolen);
    else if (rc == LAB_OK && info)
        snprintf(info, infolen, "no row the large-N theory describes (%zu rows of pruned data, "
                 "%zu of band-limited training tested on the full band): no theory.tsv, no "
                 "perceptron figures", P.pruned, P.skipped);
    /* The pruned rows against the theory of pruned data, in info after ours. */
    if (rc == LAB_OK && P.pruned) {
        char more[1024], warn[512];
        rc = lab_dataprune_report(rundir, c, t, jobs, stop, more, sizeof more, warn, sizeof warn,
                                  err, errlen);
        if (rc == LAB_OK && info && more[0])
            snprintf(info + strlen(info), infolen - strlen(info), "; %s", more);
        if (rc == LAB_OK && warning && warn[0] && !warning[0])
            snprintf(warning, warnlen, "%s", warn);
    }
    free(figdir);
    free(P.alpha);
    free(P.err);
    free(P.excess);
    free(P.theory);
    return rc;
}
