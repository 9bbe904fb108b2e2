/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A sweep's progress for people: plain lines every 5 % of the cells or
 * every minute, whichever comes first, with the counts and the estimate;
 * a live line on a terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "tap.h"

/* What the progress wrote into a memory stream, and the number of lines. */
struct sink {
    FILE *f;
    char *text;
    size_t len;
};

static void sink_open(struct sink *s)
{
    s->text = NULL;
    if (!(s->f = open_memstream(&s->text, &s->len)))
        bail("open_memstream");
}

static size_t sink_close(struct sink *s)
{
    fclose(s->f);
    size_t lines = 0;
    for (const char *p = s->text; *p; p++)
        lines += *p == '\n';
    return lines;
}

static void update(lab_progress *p, size_t todo, size_t done, size_t failed, double t)
{
    lab_sweep_progress s = { todo, done, failed, 3, t };
    lab_progress_update(p, &s);
}

int main(void)
{
    plan(11);
    lab_progress p;
    struct sink s;
    char buf[32];

    /* 40 cells, one every 2 s: a line for the start and for every 2 cells. */
    sink_open(&s);
    lab_progress_init(&p, s.f, 0, "tiny shard 2/3");
    update(&p, 40, 0, 0, 0.0);
    for (size_t k = 1; k <= 40; k++)
        update(&p, 40, k, 0, 2.0 * (double)k);
    lab_progress_finish(&p);
    size_t lines = sink_close(&s);
    is_int(21, (long)lines, "40 cells give the start line and one line per 5 %% (2 cells)");
    const char *first = "lab: tiny shard 2/3: 40 cells to run, 3 kept from earlier runs\n"
                        "lab: tiny shard 2/3: 2 of 40 cells done (5%), 0 failed, 0:04 elapsed, "
                        "eta 1:16\n";
    ok(strncmp(s.text, first, strlen(first)) == 0,
       "the start line names the run and the cells kept; then done, %%, failed, elapsed, eta");
    ok(strstr(s.text, "\nlab: tiny shard 2/3: 40 of 40 cells done (100%), 0 failed, 1:20 "
                      "elapsed, eta 0:00\n") != NULL, "the last line says 100 %%");
    free(s.text);

    /* 1000 slow cells: a line a minute even when no 5 % step is crossed. */
    sink_open(&s);
    lab_progress_init(&p, s.f, 0, "big");
    update(&p, 1000, 0, 0, 0.0);
    update(&p, 1000, 1, 0, 10.0);
    update(&p, 1000, 1, 0, 59.5);
    update(&p, 1000, 1, 1, 60.5);
    update(&p, 1000, 2, 1, 70.0);
    update(&p, 1000, 2, 1, 120.0);
    update(&p, 1000, 2, 1, 121.0);
    lines = sink_close(&s);
    is_int(3, (long)lines, "no 5 %% step crossed: the start line, then one line a minute");
    ok(strstr(s.text, "\nlab: big: 1 of 1000 cells done (0%), 1 failed, 1:01 elapsed, "
                      "eta 8:23:10\n") != NULL,
       "failed cells are counted, and count for the estimate");
    ok(strstr(s.text, "\nlab: big: 2 of 1000 cells done (0%), 1 failed, 2:01 elapsed, eta ")
       != NULL, "the next line comes a minute after the last");
    free(s.text);

    /* Before any cell has ended there is no estimate. */
    sink_open(&s);
    lab_progress_init(&p, s.f, 0, "slow");
    update(&p, 2, 0, 0, 0.0);
    update(&p, 2, 0, 0, 61.0);
    sink_close(&s);
    ok(strstr(s.text, "\nlab: slow: 0 of 2 cells done (0%), 0 failed, 1:01 elapsed, eta ?\n")
       != NULL, "a minute without a cell ended: a line, without an estimate");
    free(s.text);

    /* A terminal: one line rewritten in place, ended by finish. */
    sink_open(&s);
    lab_progress_init(&p, s.f, 1, "tiny");
    update(&p, 4, 0, 0, 0.0);
    update(&p, 4, 1, 0, 1.0);
    update(&p, 4, 1, 1, 2.0);
    lab_progress_finish(&p);
    lines = sink_close(&s);
    ok(lines == 1 && strcmp(s.text + s.len - 1, "\n") == 0
       && strstr(s.text, "\r  1/4 cells   50.0%  1 failed  elapsed 0:02  eta 0:02 \n"),
       "live: one line redrawn with \\r, ended once");
    free(s.text);

    /* Nothing to run: nothing to say. */
    sink_open(&s);
    lab_progress_init(&p, s.f, 0, "done");
    update(&p, 0, 0, 0, 0.0);
    lab_progress_finish(&p);
    is_int(0, (long)sink_close(&s), "nothing to run prints nothing");
    free(s.text);

    lab_progress_clock(3725.2, buf, sizeof buf);
    is_string("1:02:05", buf, "an hour and more as h:mm:ss");
    lab_progress_clock(59.6, buf, sizeof buf);
    is_string("1:00", buf, "less as m:ss, rounded");
    return 0;
}
