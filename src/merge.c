/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "merge.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
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

/* The config lines ("#   key = value") of a "#" block, one after the other. */
static void config_lines(const char *block, lab_strbuf *b)
{
    for (const char *p = block; *p;) {
        size_t len = strcspn(p, "\n");
        if (strncmp(p, "#   ", 4) == 0) {
            lab_strbuf_add(b, p, len);
            lab_strbuf_puts(b, "\n");
        }
        p += len + (p[len] == '\n');
    }
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

int lab_merge_run(const lab_config *c, const char *rundir, const char *header, unsigned flags,
                  lab_merge_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    struct shard *s = NULL;
    size_t ns = 0;
    lab_results *t = lab_results_alloc(c);
    char *results = lab_path_join(rundir, "results.tsv");
    lab_strbuf ours = LAB_STRBUF_INIT, theirs = LAB_STRBUF_INIT, miss = LAB_STRBUF_INIT;
    lab_results_read_info info = { 0 };
    int rc = t && results ? list_shards(rundir, &s, &ns) : LAB_ENOMEM;
    if (rc == LAB_OK && ns == 0 && (flags & LAB_MERGE_IF_SHARDS))
        goto done;
    if (rc == LAB_OK)
        rc = lab_results_read(t, results, &info, err, errlen);
    free(info.comments);
    info.comments = NULL;
    rep->total = t ? t->ncells : 0;
    if (rc == LAB_OK && (flags & LAB_MERGE_SKIP_DONE) && t->complete == t->ncells) {
        rep->have = t->complete;
        goto done;
    }
    config_lines(header, &ours);
    for (size_t i = 0; i < ns && rc == LAB_OK; i++) {
        rc = lab_results_read(t, s[i].path, &info, err, errlen);
        if (rc != LAB_OK)
            break;
        rep->files++;
        rep->dropped += info.dropped;
        lab_strbuf_reset(&theirs);
        config_lines(info.comments, &theirs);
        char note[512];
        lab_sweep_compare_headers(lab_strbuf_str(&theirs), lab_strbuf_str(&ours), note,
                                  sizeof note);
        if (note[0])
            rc = lab_fail(err, errlen, LAB_ECONFLICT, "%s was run with another config (%s); "
                          "rerun that shard, or remove it", s[i].path, note);
        else if (!rep->header_note[0])
            lab_sweep_compare_headers(info.comments, header, rep->header_note,
                                      sizeof rep->header_note);
        free(info.comments);
        info.comments = NULL;
    }
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
    if ((rc = lab_results_write_file(t, results, header, err, errlen)) != LAB_OK)
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
    lab_results_free(t);
    lab_strbuf_release(&ours);
    lab_strbuf_release(&theirs);
    lab_strbuf_release(&miss);
    return rc;
}
