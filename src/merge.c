/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "merge.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "provenance.h"
#include "results.h"
#include "status.h"
#include "strbuf.h"
#include "sweep.h"

#define SHARDS "shards"

char *lab_merge_shard_path(const char *rundir, size_t k, size_t n)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_strbuf_printf(&b, "%s/" SHARDS "/%zu-of-%zu.tsv", rundir, k, n);
    return lab_strbuf_detach(&b);
}

/* A shard file in the shards' folder: K-of-N.tsv. */
struct shard {
    size_t k, n;
    char *path;
};

static int by_n_k(const void *pa, const void *pb)
{
    const struct shard *a = pa, *b = pb;
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    return a->k < b->k ? -1 : a->k > b->k;
}

/* The shard files of rundir, sorted by N then K. */
static int list_shards(const char *rundir, struct shard **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    char *dir = lab_path_join(rundir, SHARDS);
    if (!dir)
        return LAB_ENOMEM;
    DIR *d = opendir(dir);
    free(dir);
    if (!d)
        return LAB_OK; /* no shards */
    int rc = LAB_OK;
    for (struct dirent *e; rc == LAB_OK && (e = readdir(d));) {
        size_t k, n;
        int used = 0;
        if (sscanf(e->d_name, "%zu-of-%zu.tsv%n", &k, &n, &used) != 2
            || e->d_name[used] != '\0' || k < 1 || k > n)
            continue;
        struct shard *s = realloc(*out, (*count + 1) * sizeof *s);
        if (!s || !(s[*count].path = lab_merge_shard_path(rundir, k, n))) {
            if (s)
                *out = s;
            rc = LAB_ENOMEM;
            break;
        }
        *out = s;
        s[*count].k = k;
        s[*count].n = n;
        (*count)++;
    }
    closedir(d);
    if (rc == LAB_OK && *count > 1)
        qsort(*out, *count, sizeof **out, by_n_k);
    return rc;
}

/* For every split into N found among the shard files: the shards that miss
 * cells, as "K/N (m of t cells)" or "K/N (no file)". */
static int describe_missing(const lab_config *c, const lab_results *t, const struct shard *s,
                            size_t ns, lab_strbuf *b)
{
    size_t *shard_of = malloc((t->ncells ? t->ncells : 1) * sizeof *shard_of);
    if (!shard_of)
        return LAB_ENOMEM;
    for (size_t i = 0; i < ns; i++) {
        if (i > 0 && s[i].n == s[i - 1].n)
            continue; /* one pass per N */
        size_t n = s[i].n;
        if (lab_sweep_shards(c, n, shard_of) != LAB_OK) {
            free(shard_of);
            return LAB_ENOMEM;
        }
        for (size_t k = 0; k < n; k++) {
            size_t cells = 0, miss = 0;
            for (size_t j = 0; j < t->ncells; j++)
                if (shard_of[j] == k) {
                    cells++;
                    miss += !t->rows[j];
                }
            int file = 0;
            for (size_t j = i; j < ns && s[j].n == n; j++)
                file |= s[j].k == k + 1;
            if (miss)
                lab_strbuf_printf(b, "%s%zu/%zu (%s%zu of %zu cells)", b->len ? ", " : "",
                                  k + 1, n, file ? "" : "no file; ", miss, cells);
        }
    }
    free(shard_of);
    return LAB_OK;
}

/* Add the complete cells of the table at path to t, once its provenance
 * shows they are cells of p's run (a shard's, when shard). */
static int read_table(lab_results *t, lab_provenance *p, const char *path, int shard,
                      lab_merge_report *rep, char *err, size_t errlen)
{
    char note[256], why[900];
    int rc = lab_provenance_check(p, path, note, sizeof note, why, sizeof why);
    if (rc == LAB_ECONFLICT)
        return lab_fail(err, errlen, rc, "%s was run with another config (%s)%s", path, why,
                        shard ? "; rerun that shard, or remove it" : "");
    if (rc == LAB_EFORMAT)
        return lab_fail(err, errlen, rc, "%s; %s", why, shard ? "rerun that shard with --fresh, "
                        "or merge with the lab that wrote it" : "rerun with --fresh");
    if (rc != LAB_OK)
        return lab_fail(err, errlen, rc, "%s", why);
    if (note[0] && !rep->build_note[0])
        snprintf(rep->build_note, sizeof rep->build_note, "%s: %s", path, note);
    lab_results_read_info info;
    rc = lab_results_read(t, path, &info, err, errlen);
    if (rc == LAB_OK && shard) {
        rep->files++;
        rep->dropped += info.dropped;
        if (info.bad_line && !rep->bad_row[0])
            snprintf(rep->bad_row, sizeof rep->bad_row, "%s:%ld", path, info.bad_line);
    }
    return rc;
}

int lab_merge_run(const lab_config *c, const char *rundir, unsigned flags,
                  lab_merge_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    struct shard *s = NULL;
    size_t ns = 0;
    lab_results *t = lab_results_alloc(c);
    lab_provenance *prov = lab_provenance_alloc(c);
    char *results = lab_path_join(rundir, "results.tsv");
    char *prov_path = results ? lab_provenance_path(results) : NULL;
    lab_strbuf miss = LAB_STRBUF_INIT;
    int rc = t && prov && prov_path ? list_shards(rundir, &s, &ns) : LAB_ENOMEM;
    if (rc == LAB_OK && ns == 0 && (flags & LAB_MERGE_IF_SHARDS))
        goto done;
    if (rc == LAB_OK)
        rc = read_table(t, prov, results, 0, rep, err, errlen);
    rep->total = t ? t->ncells : 0;
    if (rc == LAB_OK && (flags & LAB_MERGE_SKIP_DONE) && t->complete == t->ncells) {
        rep->have = t->complete;
        goto done;
    }
    for (size_t i = 0; i < ns && rc == LAB_OK; i++)
        rc = read_table(t, prov, s[i].path, 1, rep, err, errlen);
    if (rc != LAB_OK)
        goto done;
    rep->have = t->complete;
    if (describe_missing(c, t, s, ns, &miss) != LAB_OK) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(rep->missing, sizeof rep->missing, "%s", lab_strbuf_str(&miss));
    if (t->complete < t->ncells && (flags & LAB_MERGE_ONLY_COMPLETE)) {
        rc = LAB_EMISSING;
        goto done;
    }
    /* The provenance first: a table is never without its own. */
    if ((rc = lab_provenance_save(prov, prov_path, err, errlen)) != LAB_OK
        || (rc = lab_results_write_file(t, results, err, errlen)) != LAB_OK)
        goto done;
    rep->written = 1;
    if (t->complete < t->ncells)
        rc = LAB_EMISSING;
done:
    if (rc == LAB_ENOMEM)
        lab_fail(err, errlen, rc, "out of memory");
    if (rc == LAB_EMISSING)
        lab_fail(err, errlen, rc, "%zu of %zu cells have no results yet%s%s", rep->total
                 - rep->have, rep->total, rep->missing[0] ? "; shards missing cells: " : "",
                 rep->missing);
    for (size_t i = 0; i < ns; i++)
        free(s[i].path);
    free(s);
    free(results);
    free(prov_path);
    lab_provenance_free(prov);
    lab_results_free(t);
    lab_strbuf_release(&miss);
    return rc;
}
