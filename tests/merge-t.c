/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shards: a balanced split of the cells, and merging them back into the
 * table a one-machine run writes; out of order, with a shard missing, half
 * written, or run with another config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fileio.h"
#include "kind.h"
#include "merge.h"
#include "provenance.h"
#include "results.h"
#include "status.h"
#include "sweep.h"
#include "tap.h"

#define NSHARDS 3

static const char cfg[] =
    "[experiment]\nname = m\n[sweep]\nn = 32, 64\ntrain.lr = 0.01, 0.1\nseeds = 0..2\n"
    "[student]\nwidth = 2, 8\n";

static char dir[64];

static void load(lab_config *c, const char *text)
{
    char err[512];
    if (lab_config_init(c) || lab_config_load_string(c, text, "m.cfg", err, sizeof err)
        || lab_config_finish(c, err, sizeof err))
        bail("config: %s", err);
}

/* Made-up rows: cell i has parameters i and test error 1/(i+1). */
static void fake(size_t i, double *v)
{
    double row[7] = { (double)i, 0.1 * (double)i, 1.0 / (double)(i + 1), 100, LAB_ROW_OK, 0,
                      0.5 };
    memcpy(v, row, sizeof row);
}

/* A shard's table: the header, then its cells in reverse order (as a run
 * that finished its cells out of order leaves them). */
static void write_shard(const lab_config *c, const char *header, const size_t *shard_of,
                        size_t k, int cut_last)
{
    char *path = lab_merge_shard_path(dir, k + 1, NSHARDS);
    FILE *f = fopen(path, "w");
    if (!f)
        bail("cannot write %s", path);
    lab_strbuf cols = LAB_STRBUF_INIT;
    lab_results_header(c, &cols);
    fprintf(f, "%s%s\n", header, lab_strbuf_str(&cols));
    lab_strbuf_release(&cols);
    for (size_t i = lab_config_ncells(c); i-- > 0;)
        if (shard_of[i] == k) {
            double v[7];
            fake(i, v);
            lab_rows r = { 1, 7, v };
            lab_results_write(f, c, i, &r);
        }
    long size = ftell(f);
    fclose(f);
    if (cut_last && truncate(path, size - 5) != 0) /* a crash mid-row */
        bail("truncate");
    free(path);
}

static char *slurp(const char *name)
{
    char *path = lab_path_join(dir, name), *text = lab_file_read(path, NULL);
    free(path);
    return text;
}

static void remove_in(const char *name)
{
    char *path = lab_path_join(dir, name);
    remove(path);
    free(path);
}

int main(void)
{
    plan(11);
    snprintf(dir, sizeof dir, "merge-t-%ld.tmp", (long)getpid());
    char err[1024], sub[128];
    snprintf(sub, sizeof sub, "%s/shards", dir);
    if (lab_mkdirs(sub, err, sizeof err))
        bail("%s", err);
    lab_config c;
    load(&c, cfg);
    lab_strbuf header = LAB_STRBUF_INIT;
    if (lab_provenance_results_header(&c, &header))
        bail("out of memory");
    size_t n = lab_config_ncells(&c), shard_of[64], count[NSHARDS] = { 0 };

    /* The split: every cell in one shard, the shards balanced by cost. */
    lab_sweep_shards(&c, NSHARDS, shard_of);
    lab_config cell;
    lab_config_copy(&cell, &c);
    double load_of[NSHARDS] = { 0 }, biggest = 0;
    int valid = 1;
    for (size_t i = 0; i < n; i++) {
        lab_config_cell(&c, i, &cell);
        double cost = lab_config_kind(&c)->cost(&cell);
        valid &= shard_of[i] < NSHARDS;
        load_of[shard_of[i] % NSHARDS] += cost;
        count[shard_of[i] % NSHARDS]++;
        biggest = cost > biggest ? cost : biggest;
    }
    lab_config_release(&cell);
    double lo = load_of[0], hi = load_of[0];
    for (int k = 1; k < NSHARDS; k++) {
        lo = load_of[k] < lo ? load_of[k] : lo;
        hi = load_of[k] > hi ? load_of[k] : hi;
    }
    ok(valid && count[0] && count[1] && count[2] && hi - lo <= biggest,
       "%zu cells in 3 shards of %zu, %zu and %zu cells, whose costs differ by at most one "
       "cell's", n, count[0], count[1], count[2]);

    /* What a one-machine run writes. */
    lab_results *t = lab_results_alloc(&c);
    for (size_t i = 0; i < n; i++) {
        double v[7];
        fake(i, v);
        lab_results_set(t, i, v);
    }
    char *expect_path = lab_path_join(dir, "expected.tsv");
    lab_results_write_file(t, expect_path, header.s, err, sizeof err);
    lab_results_free(t);
    char *expected = lab_file_read(expect_path, NULL);

    /* Shards written last to first, their cells in reverse order. */
    for (int k = NSHARDS - 1; k >= 0; k--)
        write_shard(&c, header.s, shard_of, (size_t)k, 0);
    lab_merge_report rep;
    int rc = lab_merge_run(&c, dir, header.s, 0, &rep, err, sizeof err);
    char *merged = slurp("results.tsv");
    ok(rc == 0 && rep.files == 3 && rep.have == n && rep.written && merged
       && strcmp(merged, expected) == 0,
       "three shards merge into the one-machine table, byte for byte (%s)", rc ? err : "ok");
    free(merged);
    rc = lab_merge_run(&c, dir, header.s, LAB_MERGE_SKIP_DONE, &rep, err, sizeof err);
    ok(rc == 0 && !rep.written, "a complete results.tsv is left as it is when asked");

    /* A shard missing. */
    remove_in("results.tsv");
    remove_in("shards/2-of-3.tsv");
    rc = lab_merge_run(&c, dir, header.s, LAB_MERGE_ONLY_COMPLETE, &rep, err, sizeof err);
    char want[256];
    snprintf(want, sizeof want, "2/3 (no file; %zu of %zu cells)", count[1], count[1]);
    merged = slurp("results.tsv");
    ok(rc == LAB_EMISSING && strcmp(rep.missing, want) == 0 && !merged,
       "a missing shard is named (%s) and nothing is written before it is there", rep.missing);
    ok(strstr(err, "cells have no results yet; shards missing cells: 2/3") != NULL,
       "the message says how many cells and which shard (%s)", err);
    free(merged);
    rc = lab_merge_run(&c, dir, header.s, 0, &rep, err, sizeof err);
    merged = slurp("results.tsv");
    ok(rc == LAB_EMISSING && rep.written && rep.have == n - count[1] && merged,
       "or, when asked, the others are merged (%zu of %zu cells)", rep.have, n);
    free(merged);

    /* A shard cut off in the middle of its last row: that cell is missing. */
    write_shard(&c, header.s, shard_of, 1, 1);
    remove_in("results.tsv");
    rc = lab_merge_run(&c, dir, header.s, 0, &rep, err, sizeof err);
    snprintf(want, sizeof want, "2/3 (1 of %zu cells)", count[1]);
    ok(rc == LAB_EMISSING && rep.have == n - 1 && strcmp(rep.missing, want) == 0,
       "a half-written shard gives all but its cut cell (%s)", rep.missing);

    /* The shard rerun completes the table; results.tsv counts as well. */
    write_shard(&c, header.s, shard_of, 1, 0);
    remove_in("shards/1-of-3.tsv");
    rc = lab_merge_run(&c, dir, header.s, 0, &rep, err, sizeof err);
    merged = slurp("results.tsv");
    ok(rc == 0 && merged && strcmp(merged, expected) == 0,
       "cells already in results.tsv count: the table is complete again (%s)",
       rc ? err : "ok");
    free(merged);

    /* A shard of another config. */
    lab_config other;
    lab_strbuf oheader = LAB_STRBUF_INIT;
    load(&other, "[experiment]\nname = m\n[train]\nsteps = 10\n[sweep]\nn = 32, 64\n"
                 "train.lr = 0.01, 0.1\nseeds = 0..2\n[student]\nwidth = 2, 8\n");
    lab_provenance_results_header(&other, &oheader);
    write_shard(&other, oheader.s, shard_of, 2, 0);
    rc = lab_merge_run(&c, dir, header.s, 0, &rep, err, sizeof err);
    ok(rc == LAB_ECONFLICT && strstr(err, "shards/3-of-3.tsv was run with another config (was "
                                          "\"#   steps = 10\", now \"#   steps = 5000\")"),
       "a shard run with another config is refused, naming the file and the key (%s)", err);
    lab_config_release(&other);
    lab_strbuf_release(&oheader);

    /* A shard of other axes. */
    load(&other, "[experiment]\nname = m\n[sweep]\nn = 32, 64\nseeds = 0..2\n"
                 "[student]\nwidth = 2, 8\n");
    lab_provenance_results_header(&other, &oheader);
    write_shard(&other, oheader.s, shard_of, 2, 0);
    rc = lab_merge_run(&c, dir, header.s, 0, &rep, err, sizeof err);
    ok(rc == LAB_EFORMAT && strstr(err, "shards/3-of-3.tsv:") && strstr(err, "another version, "
                                                                             "kind or set of axes"),
       "a shard with other columns is refused (%s)", err);
    lab_config_release(&other);
    lab_strbuf_release(&oheader);

    /* Nothing to merge. */
    remove_in("shards/3-of-3.tsv");
    remove_in("shards/2-of-3.tsv");
    remove_in("results.tsv");
    rc = lab_merge_run(&c, dir, header.s, LAB_MERGE_IF_SHARDS, &rep, err, sizeof err);
    merged = slurp("results.tsv");
    ok(rc == 0 && !rep.written && !merged, "without shard files, nothing is merged");

    free(merged);
    free(expected);
    remove(expect_path);
    free(expect_path);
    remove_in("results.tsv");
    remove_in("shards/1-of-3.tsv");
    remove_in("shards");
    remove(dir);
    lab_strbuf_release(&header);
    lab_config_release(&c);
    return 0;
}
