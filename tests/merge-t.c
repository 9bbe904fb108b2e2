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

/* A shard's table: its header row, then its cells in reverse order (as a
 * run that finished its cells out of order leaves them); and its
 * provenance, c's, beside it. */
static void write_shard(const lab_config *c, const size_t *shard_of, size_t k, int cut_last)
{
    char *path = lab_merge_shard_path(dir, k + 1, NSHARDS), *prov = lab_provenance_path(path);
    char err[512];
    lab_provenance *p = lab_provenance_alloc(c);
    if (!p || lab_provenance_save(p, prov, err, sizeof err) != LAB_OK)
        bail("cannot write the provenance of %s", path);
    lab_provenance_free(p);
    free(prov);
    FILE *f = fopen(path, "w");
    if (!f)
        bail("cannot write %s", path);
    lab_strbuf cols = LAB_STRBUF_INIT;
    lab_results_header(c, &cols);
    fprintf(f, "%s\n", lab_strbuf_str(&cols));
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

/* Replace the first `from` in file dir/name by `to`. */
static void edit_in(const char *name, const char *from, const char *to)
{
    char *path = lab_path_join(dir, name), *text = lab_file_read(path, NULL);
    char *at = text ? strstr(text, from) : NULL;
    FILE *f = at ? fopen(path, "w") : NULL;
    if (!f)
        bail("cannot edit %s", path);
    fprintf(f, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    fclose(f);
    free(text);
    free(path);
}

int main(void)
{
    plan(16);
    snprintf(dir, sizeof dir, "merge-t-%ld.tmp", (long)getpid());
    char err[1024], sub[128];
    snprintf(sub, sizeof sub, "%s/shards", dir);
    if (lab_mkdirs(sub, err, sizeof err))
        bail("%s", err);
    lab_config c;
    load(&c, cfg);
    size_t n = lab_config_ncells(&c), shard_of[64], count[NSHARDS] = { 0 };

    /* The split: every cell in one shard, the shards balanced by cost, the
     * widths of one (n, lr, seed) (a cell group: sweep.h) in one shard. */
    lab_sweep_shards(&c, NSHARDS, shard_of);
    lab_config cell;
    lab_config_copy(&cell, &c);
    double load_of[NSHARDS] = { 0 }, group_cost[64] = { 0 }, biggest = 0;
    long key[64];
    int valid = 1;
    for (size_t i = 0; i < n; i++) {
        lab_config_cell(&c, i, &cell);
        double cost = lab_config_kind(&c)->cost(&cell);
        valid &= shard_of[i] < NSHARDS;
        load_of[shard_of[i] % NSHARDS] += cost;
        count[shard_of[i] % NSHARDS]++;
        key[i] = cell.n * 1000 + (cell.lr > 0.05) * 100 + cell.replicate;
        for (size_t j = 0; j <= i; j++)
            if (key[j] == key[i]) {
                group_cost[j] += cost;
                valid &= shard_of[j] == shard_of[i];
                biggest = group_cost[j] > biggest ? group_cost[j] : biggest;
                break;
            }
    }
    lab_config_release(&cell);
    double lo = load_of[0], hi = load_of[0];
    for (int k = 1; k < NSHARDS; k++) {
        lo = load_of[k] < lo ? load_of[k] : lo;
        hi = load_of[k] > hi ? load_of[k] : hi;
    }
    ok(valid && count[0] && count[1] && count[2] && hi - lo <= biggest,
       "%zu cells in 3 shards of %zu, %zu and %zu cells, each (n, lr, seed) whole, whose costs "
       "differ by at most one group's", n, count[0], count[1], count[2]);

    /* What a one-machine run writes. */
    lab_results *t = lab_results_alloc(&c);
    for (size_t i = 0; i < n; i++) {
        double v[7];
        fake(i, v);
        lab_results_set(t, i, v);
    }
    char *expect_path = lab_path_join(dir, "expected.tsv");
    lab_results_write_file(t, expect_path, err, sizeof err);
    lab_results_free(t);
    char *expected = lab_file_read(expect_path, NULL);
    lab_provenance *prov = lab_provenance_alloc(&c);
    char *expect_prov_path = lab_path_join(dir, "expected.json");
    lab_provenance_save(prov, expect_prov_path, err, sizeof err);
    lab_provenance_free(prov);
    char *expected_prov = lab_file_read(expect_prov_path, NULL);

    /* Shards written last to first, their cells in reverse order. */
    for (int k = NSHARDS - 1; k >= 0; k--)
        write_shard(&c, shard_of, (size_t)k, 0);
    lab_merge_report rep;
    int rc = lab_merge_run(&c, dir, 0, &rep, err, sizeof err);
    char *merged = slurp("results.tsv"), *merged_prov = slurp("provenance.json");
    ok(rc == 0 && rep.files == 3 && rep.have == n && rep.written && merged
       && strcmp(merged, expected) == 0,
       "three shards merge into the one-machine table, byte for byte (%s)", rc ? err : "ok");
    ok(merged_prov && strcmp(merged_prov, expected_prov) == 0 && !rep.build_note[0],
       "and provenance.json is the one-machine run's");
    free(merged);
    free(merged_prov);
    rc = lab_merge_run(&c, dir, LAB_MERGE_SKIP_DONE, &rep, err, sizeof err);
    ok(rc == 0 && !rep.written, "a complete results.tsv is left as it is when asked");

    /* A shard missing. */
    remove_in("results.tsv");
    remove_in("shards/2-of-3.tsv");
    rc = lab_merge_run(&c, dir, LAB_MERGE_ONLY_COMPLETE, &rep, err, sizeof err);
    char want[256];
    snprintf(want, sizeof want, "2/3 (no file; %zu of %zu cells)", count[1], count[1]);
    merged = slurp("results.tsv");
    ok(rc == LAB_EMISSING && strcmp(rep.missing, want) == 0 && !merged,
       "a missing shard is named (%s) and nothing is written before it is there", rep.missing);
    ok(strstr(err, "cells have no results yet; shards missing cells: 2/3") != NULL,
       "the message says how many cells and which shard (%s)", err);
    free(merged);
    rc = lab_merge_run(&c, dir, 0, &rep, err, sizeof err);
    merged = slurp("results.tsv");
    ok(rc == LAB_EMISSING && rep.written && rep.have == n - count[1] && merged,
       "or, when asked, the others are merged (%zu of %zu cells)", rep.have, n);
    free(merged);

    /* A shard cut off in the middle of its last row: that cell is missing. */
    write_shard(&c, shard_of, 1, 1);
    remove_in("results.tsv");
    rc = lab_merge_run(&c, dir, 0, &rep, err, sizeof err);
    snprintf(want, sizeof want, "2/3 (1 of %zu cells)", count[1]);
    ok(rc == LAB_EMISSING && rep.have == n - 1 && strcmp(rep.missing, want) == 0,
       "a half-written shard gives all but its cut cell (%s)", rep.missing);

    /* The shard rerun completes the table; results.tsv counts as well. */
    write_shard(&c, shard_of, 1, 0);
    remove_in("shards/1-of-3.tsv");
    rc = lab_merge_run(&c, dir, 0, &rep, err, sizeof err);
    merged = slurp("results.tsv");
    ok(rc == 0 && merged && strcmp(merged, expected) == 0,
       "cells already in results.tsv count: the table is complete again (%s)",
       rc ? err : "ok");
    free(merged);

    /* A shard of another build: taken, with a note, and listed. */
    write_shard(&c, shard_of, 2, 0);
    edit_in("shards/3-of-3.json", "\"git\": \"", "\"git\": \"old-");
    rc = lab_merge_run(&c, dir, 0, &rep, err, sizeof err);
    merged_prov = slurp("provenance.json");
    ok(rc == 0 && strstr(rep.build_note, "shards/3-of-3.tsv: git was old-")
       && merged_prov && strstr(merged_prov, "\"other_builds\": [") && strstr(merged_prov,
                                                                           "\"git\": \"old-"),
       "a shard of another build is merged with a note (%s), its build listed in "
       "provenance.json (%s)", rep.build_note, rc ? err : "ok");
    free(merged_prov);

    /* A shard of another config. */
    lab_config other;
    load(&other, "[experiment]\nname = m\n[train]\nsteps = 10\n[sweep]\nn = 32, 64\n"
                 "train.lr = 0.01, 0.1\nseeds = 0..2\n[student]\nwidth = 2, 8\n");
    write_shard(&other, shard_of, 2, 0);
    rc = lab_merge_run(&c, dir, 0, &rep, err, sizeof err);
    ok(rc == LAB_ECONFLICT && strstr(err, "shards/3-of-3.tsv was run with another config "
                                          "(train.steps is 10 there and 5000 here); rerun that "
                                          "shard, or remove it"),
       "a shard run with another config is refused, naming the file and the key (%s)", err);
    lab_config_release(&other);

    /* A shard of another stream rule. */
    write_shard(&c, shard_of, 2, 0);
    edit_in("shards/3-of-3.json", "\"stream_rule\": 2", "\"stream_rule\": 1");
    rc = lab_merge_run(&c, dir, 0, &rep, err, sizeof err);
    ok(rc == LAB_ECONFLICT && strstr(err, "shards/3-of-3.tsv was run with another config (its "
                                          "cells follow stream rule 1, this lab's follow rule 2"),
       "a shard of another stream rule is refused (%s)", err);

    /* A shard without its provenance, and one of an older lab. */
    write_shard(&c, shard_of, 2, 0);
    remove_in("shards/3-of-3.json");
    rc = lab_merge_run(&c, dir, 0, &rep, err, sizeof err);
    ok(rc == LAB_EFORMAT && strstr(err, "shards/3-of-3.tsv has no provenance file ")
       && strstr(err, "shards/3-of-3.json: its build and stream rule are unknown; rerun that "
                      "shard with --fresh"),
       "a shard without provenance is refused (%s)", err);
    edit_in("shards/3-of-3.tsv", "n\t", "# lab 0.1.0\nn\t");
    rc = lab_merge_run(&c, dir, 0, &rep, err, sizeof err);
    ok(rc == LAB_EFORMAT && strstr(err, "shards/3-of-3.tsv was written by an older lab"),
       "a shard of an older lab is refused (%s)", err);

    /* A shard of other axes. */
    load(&other, "[experiment]\nname = m\n[sweep]\nn = 32, 64\nseeds = 0..2\n"
                 "[student]\nwidth = 2, 8\n");
    write_shard(&other, shard_of, 2, 0);
    rc = lab_merge_run(&c, dir, 0, &rep, err, sizeof err);
    ok(rc == LAB_ECONFLICT && strstr(err, "shards/3-of-3.tsv was run with another config "
                                          "(train.lr is 0.003 there and swept over 0.01, 0.1 "
                                          "here)"),
       "a shard of other axes is refused (%s)", err);
    lab_config_release(&other);

    /* Nothing to merge. */
    remove_in("shards/3-of-3.tsv");
    remove_in("shards/2-of-3.tsv");
    remove_in("shards/1-of-3.tsv");
    remove_in("results.tsv");
    rc = lab_merge_run(&c, dir, LAB_MERGE_IF_SHARDS, &rep, err, sizeof err);
    merged = slurp("results.tsv");
    ok(rc == 0 && !rep.written && !merged, "without shard files, nothing is merged");

    free(merged);
    free(expected);
    free(expected_prov);
    remove(expect_path);
    remove(expect_prov_path);
    free(expect_path);
    free(expect_prov_path);
    remove_in("provenance.json");
    for (int k = 1; k <= NSHARDS; k++) {
        char name[64];
        snprintf(name, sizeof name, "shards/%d-of-%d.json", k, NSHARDS);
        remove_in(name);
    }
    remove_in("shards");
    remove(dir);
    lab_config_release(&c);
    return 0;
}
