/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "status.h"

/* The results columns a summary reads. */
enum { C_N, C_WIDTH, C_DEPTH, C_PARAMS, C_TRAIN, C_TEST, C_STEPS, NCOL };
static const char *const colnames[NCOL] = {
    "n", "width", "depth", "params", "train_error", "test_error", "steps"
};

struct rec {
    double v[NCOL];
    int ok;
};

static int by_group(const void *pa, const void *pb)
{
    const struct rec *a = pa, *b = pb;
    static const int order[3] = { C_DEPTH, C_WIDTH, C_N };
    for (int k = 0; k < 3; k++)
        if (a->v[order[k]] != b->v[order[k]])
            return a->v[order[k]] < b->v[order[k]] ? -1 : 1;
    return 0;
}

static double sd_or_nan(const double *x, size_t n, double mean)
{
    return n > 1 ? gsl_stats_sd_m(x, 1, n, mean) : NAN;
}

int lab_summary_make(const lab_table *results, lab_summary **out, char *err, size_t errlen)
{
    size_t nr = results->nrows;
    long col[NCOL], status_col = lab_table_col(results, "status");
    *out = NULL;
    if (status_col < 0)
        return lab_fail(err, errlen, LAB_EFORMAT, "%s: no column \"status\"", results->path);
    for (int k = 0; k < NCOL; k++)
        if ((col[k] = lab_table_col(results, colnames[k])) < 0)
            return lab_fail(err, errlen, LAB_EFORMAT, "%s: no column \"%s\"",
                            results->path, colnames[k]);

    struct rec *recs = calloc(nr ? nr : 1, sizeof *recs);
    double *test = malloc((nr ? nr : 1) * sizeof *test);
    double *train = malloc((nr ? nr : 1) * sizeof *train);
    double *steps = malloc((nr ? nr : 1) * sizeof *steps);
    lab_summary *s = calloc(1, sizeof *s);
    int rc = LAB_OK;
    if (!recs || !test || !train || !steps || !s || !(s->rows = calloc(nr ? nr : 1, sizeof *s->rows))) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t r = 0; r < nr && rc == LAB_OK; r++) {
        for (int k = 0; k < NCOL && rc == LAB_OK; k++)
            rc = lab_table_number(results, r, (size_t)col[k], &recs[r].v[k], err, errlen);
        recs[r].ok = strcmp(lab_table_cell(results, r, (size_t)status_col), "ok") == 0;
    }
    if (rc != LAB_OK)
        goto done;
    qsort(recs, nr, sizeof *recs, by_group);

    for (size_t i = 0; i < nr;) {
        size_t j = i, m = 0;
        lab_summary_row *g = &s->rows[s->nrows++];
        memset(g, 0, sizeof *g);
        g->n = (long)recs[i].v[C_N];
        g->width = (long)recs[i].v[C_WIDTH];
        g->depth = (long)recs[i].v[C_DEPTH];
        g->params = (long)recs[i].v[C_PARAMS];
        for (; j < nr && by_group(&recs[i], &recs[j]) == 0; j++) {
            if (!recs[j].ok) {
                g->diverged++;
                continue;
            }
            test[m] = recs[j].v[C_TEST];
            train[m] = recs[j].v[C_TRAIN];
            steps[m++] = recs[j].v[C_STEPS];
        }
        g->count = m;
        if (m > 0) {
            g->test_mean = gsl_stats_mean(test, 1, m);
            g->test_sd = sd_or_nan(test, m, g->test_mean);
            gsl_stats_minmax(&g->test_min, &g->test_max, test, 1, m);
            g->train_mean = gsl_stats_mean(train, 1, m);
            g->train_sd = sd_or_nan(train, m, g->train_mean);
            g->steps_mean = gsl_stats_mean(steps, 1, m);
        } else {
            g->test_mean = g->test_sd = g->test_min = g->test_max = NAN;
            g->train_mean = g->train_sd = g->steps_mean = NAN;
        }
        i = j;
    }
done:
    free(recs);
    free(test);
    free(train);
    free(steps);
    if (rc != LAB_OK)
        lab_summary_free(s);
    else
        *out = s;
    return rc;
}

void lab_summary_free(lab_summary *s)
{
    if (!s)
        return;
    free(s->rows);
    free(s);
}

void lab_summary_write(const lab_summary *s, FILE *f)
{
    fputs("n\twidth\tdepth\tparams\tcount\tdiverged\ttest_error_mean\ttest_error_std"
          "\ttest_error_min\ttest_error_max\ttrain_error_mean\ttrain_error_std"
          "\tsteps_mean\n", f);
    for (size_t i = 0; i < s->nrows; i++) {
        const lab_summary_row *g = &s->rows[i];
        fprintf(f, "%ld\t%ld\t%ld\t%ld\t%zu\t%zu\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n",
                g->n, g->width, g->depth, g->params, g->count, g->diverged, g->test_mean,
                g->test_sd, g->test_min, g->test_max, g->train_mean, g->train_sd,
                g->steps_mean);
    }
}

/* Sort keys for curves: the block key (depth, then width or n), then x. */
struct curve_key {
    const lab_summary_row *g;
    int by_width;
};

static long block_of(const lab_summary_row *g, int by_width)
{
    return by_width ? g->width : g->n;
}

static long x_of(const lab_summary_row *g, int by_width)
{
    return by_width ? g->n : g->width;
}

static int by_curve(const void *pa, const void *pb)
{
    const struct curve_key *a = pa, *b = pb;
    long ka[3] = { a->g->depth, block_of(a->g, a->by_width), x_of(a->g, a->by_width) };
    long kb[3] = { b->g->depth, block_of(b->g, b->by_width), x_of(b->g, b->by_width) };
    for (int k = 0; k < 3; k++)
        if (ka[k] != kb[k])
            return ka[k] < kb[k] ? -1 : 1;
    return 0;
}

size_t lab_summary_write_curves(const lab_summary *s, int by_width, FILE *f, FILE *titles)
{
    struct curve_key *keys = malloc((s->nrows ? s->nrows : 1) * sizeof *keys);
    size_t nk = 0, nblocks = 0;
    int several_depths = 0;
    if (!keys)
        return 0;
    for (size_t i = 0; i < s->nrows; i++) {
        if (s->rows[i].count == 0)
            continue;
        keys[nk].g = &s->rows[i];
        keys[nk++].by_width = by_width;
        several_depths |= s->rows[i].depth != s->rows[0].depth;
    }
    qsort(keys, nk, sizeof *keys, by_curve);
    for (size_t i = 0; i < nk; i++) {
        const lab_summary_row *g = keys[i].g;
        int new_block = i == 0 || g->depth != keys[i - 1].g->depth
                     || block_of(g, by_width) != block_of(keys[i - 1].g, by_width);
        if (new_block) {
            char title[64];
            if (several_depths)
                snprintf(title, sizeof title, "%s=%ld,L=%ld", by_width ? "w" : "n",
                         block_of(g, by_width), g->depth);
            else
                snprintf(title, sizeof title, "%s=%ld", by_width ? "w" : "n",
                         block_of(g, by_width));
            if (i > 0)
                fputs("\n\n", f);
            fprintf(f, "# %s: %s mean min max count\n", title, by_width ? "n" : "width");
            fprintf(titles, "%s%s", nblocks ? " " : "", title);
            nblocks++;
        }
        fprintf(f, "%ld\t%.17g\t%.17g\t%.17g\t%zu\n", x_of(g, by_width), g->test_mean,
                g->test_min, g->test_max, g->count);
    }
    free(keys);
    return nblocks;
}
