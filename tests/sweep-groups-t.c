/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Cell groups in the sweep engine (sweep.h): how groups become tasks under
 * a memory bound and between workers, and that no split changes a number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fileio.h"
#include "kind.h"
#include "status.h"
#include "sweep.h"
#include "tap.h"

/* 3 widths x 2 initialisation seeds share each (n, seed): 4 groups of 6. */
#define CFG(n, seeds)                                                                       \
    "[experiment]\nname = g\nseed = 7\n[teacher]\ninput_dim = 4\nwidths = 4\n"              \
    "[data]\ntest_size = 256\n[student]\nwidth = 2, 8, 32\n"                                  \
    "[train]\nsteps = 60\nbatch = 16\n"                                                        \
    "[sweep]\nn = " n "\nseeds = " seeds "\ninit_seeds = 0..1\n"

static char dir[64];

static void load(lab_config *c, const char *text)
{
    char err[512];
    if (lab_config_init(c) || lab_config_load_string(c, text, "g.cfg", err, sizeof err)
        || lab_config_finish(c, err, sizeof err))
        bail("config: %s", err);
}

/* Run the sweep into a fresh table `name`; its report. */
static lab_sweep_report sweep(const lab_config *c, const char *name, int jobs, int alone,
                              double group_bytes)
{
    char path[128], err[1024];
    snprintf(path, sizeof path, "%s/%s.tsv", dir, name);
    lab_sweep_opts o = { .jobs = jobs, .alone = alone, .group_bytes = group_bytes };
    lab_sweep_report rep;
    if (lab_sweep_run(c, path, &o, &rep, err, sizeof err) != LAB_OK)
        bail("sweep %s: %s", name, err);
    return rep;
}

/* The table `name` without its last column (wall_s, a timing). */
static char *table(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s.tsv", dir, name);
    char *text = lab_file_read(path, NULL);
    if (!text)
        bail("cannot read %s", path);
    char *out = text, *w = text;
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n'), *tab = NULL;
        size_t len = end ? (size_t)(end - line) : strlen(line);
        for (char *p = line; p < line + len; p++)
            tab = *p == '\t' ? p : tab;
        size_t keep = tab ? (size_t)(tab - line) : len;
        memmove(w, line, keep);
        w += keep;
        *w++ = '\n';
        line += len + (end != NULL);
    }
    *w = '\0';
    return out;
}

static int same(const char *a, const char *b)
{
    char *ta = table(a), *tb = table(b);
    int eq = strcmp(ta, tb) == 0;
    free(ta);
    free(tb);
    return eq;
}

/* group_memory() of the cells of the first group (n 32, seed 0): widths
 * 2, 8, 32 x init seeds 0, 1, or the first k of them. */
static double first_group_memory(const lab_config *c, size_t k)
{
    lab_config cells[6];
    const lab_config *ptr[6];
    size_t m = 0;
    for (size_t i = 0; i < lab_config_ncells(c) && m < k; i++) {
        lab_config_copy(&cells[m], c);
        lab_config_cell(c, i, &cells[m]);
        if (cells[m].n == 32 && cells[m].replicate == 0) {
            ptr[m] = &cells[m];
            m++;
        } else {
            lab_config_release(&cells[m]);
        }
    }
    double b = lab_config_kind(c)->group_memory(ptr, m);
    for (size_t i = 0; i < m; i++)
        lab_config_release(&cells[i]);
    return b;
}

int main(void)
{
    plan(9);
    snprintf(dir, sizeof dir, "groups-t-%ld.tmp", (long)getpid());
    char err[512];
    if (lab_mkdirs(dir, err, sizeof err))
        bail("%s", err);
    lab_config c;
    load(&c, CFG("32, 128", "0..1"));

    lab_sweep_report r = sweep(&c, "alone", 1, 1, 0);
    ok(r.ran == 24 && r.tasks == 24, "alone: 24 cells in 24 tasks (%zu, %zu)", r.ran, r.tasks);
    r = sweep(&c, "grouped", 1, 0, 0);
    ok(r.ran == 24 && r.tasks == 4, "grouped, no memory bound: 4 tasks (%zu)", r.tasks);
    ok(same("alone", "grouped"), "with the same table, timings aside");

    /* A bound below a whole group's memory but above half of it splits each
     * group once or twice; one below any two cells' leaves every cell alone. */
    double whole = first_group_memory(&c, 6), half = first_group_memory(&c, 3);
    double two = first_group_memory(&c, 2), one = first_group_memory(&c, 1);
    ok(one < two && two < half && half < whole, "a group's memory grows with its cells "
       "(%.0f < %.0f < %.0f < %.0f bytes)", one, two, half, whole);
    r = sweep(&c, "split", 1, 0, whole - 1);
    ok(r.tasks >= 8 && r.tasks < 24, "a bound of a group's memory less a byte: %zu tasks", r.tasks);
    ok(same("alone", "split"), "and the same table");
    r = sweep(&c, "tight", 1, 0, two - 1);
    ok(r.tasks == 24 && same("alone", "tight"),
       "a bound below two cells' memory: every cell alone (%zu tasks), the same table", r.tasks);

    /* Two workers on one group: it is split so that both work. */
    lab_config one_group;
    load(&one_group, CFG("32", "0"));
    r = sweep(&one_group, "one-j1", 1, 0, 0);
    lab_sweep_report r2 = sweep(&one_group, "one-j2", 2, 0, 0);
    ok(r.tasks == 1 && r2.tasks >= 2, "one group: 1 task on one worker, %zu on two", r2.tasks);
    ok(same("one-j1", "one-j2"), "the same table");

    lab_config_release(&one_group);
    lab_config_release(&c);
    const char *names[] = { "alone", "grouped", "split", "tight", "one-j1", "one-j2" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s.tsv", dir, names[i]);
        remove(path);
    }
    remove(dir);
    return 0;
}
