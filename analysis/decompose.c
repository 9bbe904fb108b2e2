/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "decompose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "rng.h"
#include "status.h"
#include "strbuf.h"
#include "text.h"

const char *const lab_dlearner_names[LAB_NDL] = { "trained", "refined", "clean",
                                                  "realizable" };
const char *const lab_dpart_names[LAB_NDP] = { "noise", "realizability", "uncertainty",
                                               "learning_deficiency" };

void lab_dseed_parts(const lab_dseed *s, double part[LAB_NDP])
{
    part[LAB_DP_LD] = s->error[LAB_DL_TRAINED] - s->error[LAB_DL_REFINED];
    part[LAB_DP_NOISE] = s->error[LAB_DL_REFINED] - s->error[LAB_DL_CLEAN];
    part[LAB_DP_UNC] = s->error[LAB_DL_CLEAN] - s->error[LAB_DL_REALIZABLE];
    part[LAB_DP_REAL] = s->error[LAB_DL_REALIZABLE];
}

/* The LAB_NDS values of one seed. */
static void seed_values(const lab_dseed *s, double v[LAB_NDS])
{
    lab_dseed_parts(s, v);
    v[LAB_DS_MEASURED] = s->error[LAB_DL_TRAINED];
    v[LAB_DS_DISAGREEMENT] = s->disagreement;
    v[LAB_DS_NOISE_LIN] = s->noise_linear;
}

int lab_dseeds_stats(const lab_dseed *s, size_t n, const lab_decompose_opts *o, uint64_t key,
                     lab_dstat *stat)
{
    double v[LAB_NDS];
    for (size_t k = 0; k < LAB_NDS; k++)
        stat[k] = (lab_dstat){ n ? 0.0 : NAN, NAN, NAN };
    for (size_t i = 0; i < n; i++) {
        seed_values(s + i, v);
        for (size_t k = 0; k < LAB_NDS; k++)
            stat[k].mean += v[k] / (double)n;
    }
    if (n == 0 || o->B == 0)
        return LAB_OK;

    /* Means of B resamples of the seeds, per statistic. */
    double *means = malloc(o->B * LAB_NDS * sizeof *means);
    if (!means)
        return LAB_ENOMEM;
    for (size_t b = 0; b < o->B; b++) {
        int64_t coords[2] = { (int64_t)key, (int64_t)b };
        gsl_rng *g = lab_rng_alloc_stream(o->seed, LAB_STREAM_BOOTSTRAP, coords, 2);
        if (!g) {
            free(means);
            return LAB_ENOMEM;
        }
        double *m = means + b * LAB_NDS;
        memset(m, 0, LAB_NDS * sizeof *m);
        for (size_t i = 0; i < n; i++) {
            seed_values(s + gsl_rng_uniform_int(g, n), v);
            for (size_t k = 0; k < LAB_NDS; k++)
                m[k] += v[k] / (double)n;
        }
        gsl_rng_free(g);
    }
    double tail = 0.5 * (1.0 - o->level);
    for (size_t k = 0; k < LAB_NDS; k++) {
        gsl_sort(means + k, LAB_NDS, o->B);
        stat[k].lo = gsl_stats_quantile_from_sorted_data(means + k, LAB_NDS, o->B, tail);
        stat[k].hi = gsl_stats_quantile_from_sorted_data(means + k, LAB_NDS, o->B, 1.0 - tail);
    }
    free(means);
    return LAB_OK;
}

/* ==== Reading a results table ================================================ */

void lab_decomposition_free(lab_decomposition *d)
{
    if (!d)
        return;
    for (size_t g = 0; d->groups && g < d->ngroups; g++) {
        for (size_t c = 0; d->groups[g].values && c < d->ncols; c++)
            free(d->groups[g].values[c]);
        free(d->groups[g].values);
    }
    for (size_t c = 0; d->cols && c < d->ncols; c++)
        free(d->cols[c]);
    free(d->cols);
    free(d->groups);
    free(d);
}

static long need(const lab_table *t, const char *name, char *err, size_t errlen)
{
    long c = lab_table_col(t, name);
    if (c < 0)
        lab_fail(err, errlen, LAB_EFORMAT, "%s: no column \"%s\" (a table of the kind "
                 "error_sources has it)", t->path, name);
    return c;
}

/* Whether rows a and b agree on the columns cols[0..n). */
static int same_cells(const lab_table *t, size_t a, size_t b, const long *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(lab_table_cell(t, a, (size_t)cols[i]), lab_table_cell(t, b, (size_t)cols[i])))
            return 0;
    return 1;
}

/* The seeds of the group of row `first` (rows with its group values), into
 * s (at most t->nrows); the seeds not complete counted in *dropped. */
static int group_seeds(const lab_table *t, size_t first, const long *gcols, size_t ng,
                       const long *col, lab_dseed *s, size_t *ns, size_t *dropped,
                       char *err, size_t errlen)
{
    enum { SEED, LEARNER, TEST, DIS, STATUS, LIN };
    size_t n = 0;
    /* Which learners each seed has, and whether all are ok. */
    unsigned char *have = calloc(t->nrows, 1), *bad = calloc(t->nrows, 1);
    const char **seed = calloc(t->nrows, sizeof *seed);
    int rc = have && bad && seed ? LAB_OK : LAB_ENOMEM;
    for (size_t r = first; rc == LAB_OK && r < t->nrows; r++) {
        if (!same_cells(t, first, r, gcols, ng))
            continue;
        const char *sd = lab_table_cell(t, r, (size_t)col[SEED]);
        size_t k = 0;
        while (k < n && strcmp(seed[k], sd) != 0)
            k++;
        if (k == n) {
            seed[n] = sd;
            for (int l = 0; l < LAB_NDL; l++)
                s[n].error[l] = NAN;
            s[n].noise_linear = NAN;
            s[n++].disagreement = NAN;
        }
        const char *ln = lab_table_cell(t, r, (size_t)col[LEARNER]);
        int l = 0;
        while (l < LAB_NDL && strcmp(lab_dlearner_names[l], ln) != 0)
            l++;
        if (l == LAB_NDL) {
            rc = lab_fail(err, errlen, LAB_EFORMAT, "%s:%ld: learner: \"%s\" is not one of "
                          "trained, refined, clean, realizable", t->path, t->lines[r], ln);
            break;
        }
        if (strcmp(lab_table_cell(t, r, (size_t)col[STATUS]), "ok") != 0) {
            bad[k] = 1;
            continue;
        }
        rc = lab_table_number(t, r, (size_t)col[TEST], &s[k].error[l], err, errlen);
        if (rc == LAB_OK && l == LAB_DL_CLEAN)
            rc = lab_table_number(t, r, (size_t)col[DIS], &s[k].disagreement, err, errlen);
        if (rc == LAB_OK && l == LAB_DL_REFINED && col[LIN] >= 0)
            rc = lab_table_number(t, r, (size_t)col[LIN], &s[k].noise_linear, err, errlen);
        /* nan: the learner has no value for this seed (a refinement that
         * found no data-consistent student) */
        if (rc == LAB_OK && !isnan(s[k].error[l]))
            have[k] |= (unsigned char)(1u << l);
    }
    /* Keep the complete seeds, in order. */
    size_t kept = 0;
    *dropped = 0;
    for (size_t k = 0; rc == LAB_OK && k < n; k++) {
        if (bad[k] || have[k] != (1u << LAB_NDL) - 1)
            (*dropped)++;
        else
            s[kept++] = s[k];
    }
    *ns = kept;
    free(have);
    free(bad);
    free(seed);
    return rc;
}

/* A 64-bit key of a group's values, for its bootstrap streams. */
static uint64_t group_key(const lab_dgroup *g, size_t ncols)
{
    uint64_t h = 0x9e3779b97f4a7c15u;
    for (size_t c = 0; c < ncols; c++)
        for (const unsigned char *p = (const unsigned char *)g->values[c]; ; p++) {
            h = lab_rng_mix(h ^ *p);
            if (!*p)
                break;
        }
    return h;
}

int lab_decompose(const lab_table *t, const lab_decompose_opts *o, lab_decomposition **out,
                  char *err, size_t errlen)
{
    *out = NULL;
    long col[6], *gcols = malloc((o->ngroup ? o->ngroup : 1) * sizeof *gcols);
    lab_dseed *s = malloc((t->nrows ? t->nrows : 1) * sizeof *s);
    unsigned char *done = calloc(t->nrows ? t->nrows : 1, 1);
    lab_decomposition *d = calloc(1, sizeof *d);
    int rc = gcols && s && done && d ? LAB_OK : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    static const char *const named[5] = { "seed", "learner", "test_error", "disagreement",
                                          "status" };
    for (size_t i = 0; rc == LAB_OK && i < o->ngroup; i++)
        if ((gcols[i] = need(t, o->group[i], err, errlen)) < 0)
            rc = LAB_EFORMAT;
    for (size_t i = 0; rc == LAB_OK && i < 5; i++)
        if ((col[i] = need(t, named[i], err, errlen)) < 0)
            rc = LAB_EFORMAT;
    col[5] = lab_table_col(t, "noise_linear"); /* tables from before it: -1 */
    if (rc == LAB_OK) {
        d->ncols = o->ngroup;
        d->cols = calloc(o->ngroup ? o->ngroup : 1, sizeof *d->cols);
        d->groups = calloc(t->nrows ? t->nrows : 1, sizeof *d->groups);
        if (!d->cols || !d->groups)
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        for (size_t i = 0; rc == LAB_OK && i < o->ngroup; i++)
            if (!(d->cols[i] = strdup(o->group[i])))
                rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    }
    for (size_t r = 0; rc == LAB_OK && r < t->nrows; r++) {
        if (done[r])
            continue;
        for (size_t q = r; q < t->nrows; q++)
            if (same_cells(t, r, q, gcols, o->ngroup))
                done[q] = 1;
        lab_dgroup *g = &d->groups[d->ngroups++];
        if (!(g->values = calloc(o->ngroup ? o->ngroup : 1, sizeof *g->values))) {
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            break;
        }
        for (size_t i = 0; rc == LAB_OK && i < o->ngroup; i++)
            if (!(g->values[i] = strdup(lab_table_cell(t, r, (size_t)gcols[i]))))
                rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        if (rc == LAB_OK)
            rc = group_seeds(t, r, gcols, o->ngroup, col, s, &g->nseeds, &g->dropped, err,
                             errlen);
        if (rc == LAB_OK
            && lab_dseeds_stats(s, g->nseeds, o, group_key(g, o->ngroup), g->stat) != LAB_OK)
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    }
    free(gcols);
    free(s);
    free(done);
    if (rc != LAB_OK) {
        lab_decomposition_free(d);
        return rc;
    }
    *out = d;
    return LAB_OK;
}

/* ==== decomposition.tsv ========================================================== */

static void put_number(FILE *f, double v)
{
    if (isnan(v))
        fputs("\tNA", f);
    else
        fprintf(f, "\t%.17g", v);
}

int lab_decomposition_write(const lab_decomposition *d, FILE *f)
{
    static const char *const stat_names[LAB_NDS] = {
        "noise", "realizability", "uncertainty", "learning_deficiency", "measured",
        "disagreement", "noise_linear"
    };
    /* measured first, then the parts in order, the disagreement and the
     * linearised noise. */
    static const int order[LAB_NDS] = { LAB_DS_MEASURED, LAB_DP_NOISE, LAB_DP_REAL, LAB_DP_UNC,
                                        LAB_DP_LD, LAB_DS_DISAGREEMENT, LAB_DS_NOISE_LIN };
    for (size_t c = 0; c < d->ncols; c++) {
        lab_tsv_field_write(f, d->cols[c]);
        fputc('\t', f);
    }
    fputs("seeds\tdropped", f);
    for (size_t k = 0; k < LAB_NDS; k++) {
        const char *name = stat_names[order[k]];
        fprintf(f, "\t%s\t%s_lo\t%s_hi", name, name, name);
    }
    fputc('\n', f);
    for (size_t g = 0; g < d->ngroups; g++) {
        const lab_dgroup *gr = &d->groups[g];
        for (size_t c = 0; c < d->ncols; c++) {
            lab_tsv_field_write(f, gr->values[c]);
            fputc('\t', f);
        }
        fprintf(f, "%zu\t%zu", gr->nseeds, gr->dropped);
        for (size_t k = 0; k < LAB_NDS; k++) {
            const lab_dstat *st = &gr->stat[order[k]];
            put_number(f, st->mean);
            put_number(f, st->lo);
            put_number(f, st->hi);
        }
        fputc('\n', f);
    }
    return ferror(f) ? LAB_EIO : LAB_OK;
}
