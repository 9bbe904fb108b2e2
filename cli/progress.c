/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "progress.h"

#include <string.h>

void lab_progress_clock(double seconds, char *buf, size_t len)
{
    long t = seconds > 0 ? (long)(seconds + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

void lab_progress_init(lab_progress *p, FILE *out, int live, const char *name)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->live = live;
    snprintf(p->name, sizeof p->name, "%s", name);
}

/* The estimated time left, or "?" before any cell has ended. */
static void eta_text(const lab_sweep_progress *s, char *buf, size_t len)
{
    size_t ended = s->done + s->failed;
    if (ended == 0) {
        snprintf(buf, len, "?");
        return;
    }
    lab_progress_clock(s->elapsed_s / (double)ended * (double)(s->todo - ended), buf, len);
}

void lab_progress_update(void *ctx, const lab_sweep_progress *s)
{
    lab_progress *p = ctx;
    if (s->todo == 0)
        return;
    size_t ended = s->done + s->failed;
    char el[32], eta[32];
    lab_progress_clock(s->elapsed_s, el, sizeof el);
    eta_text(s, eta, sizeof eta);
    if (p->live) {
        fprintf(p->out, "\r  %zu/%zu cells  %5.1f%%  %zu failed  elapsed %s  eta %s ", s->done,
                s->todo, 100.0 * (double)ended / (double)s->todo, s->failed, el, eta);
        fflush(p->out);
        p->drawn = 1;
        return;
    }
    size_t step = ended * (100 / LAB_PROGRESS_STEP_PCT) / s->todo;
    if (!p->started) {
        fprintf(p->out, "lab: %s: %zu cells to run, %zu kept from earlier runs\n", p->name,
                s->todo, s->kept);
    } else if (step > p->step || s->elapsed_s - p->last_s >= LAB_PROGRESS_INTERVAL_S) {
        fprintf(p->out, "lab: %s: %zu of %zu cells done (%zu%%), %zu failed, %s elapsed, "
                "eta %s\n", p->name, s->done, s->todo, ended * 100 / s->todo, s->failed, el,
                eta);
    } else {
        return;
    }
    fflush(p->out);
    p->started = 1;
    p->step = step;
    p->last_s = s->elapsed_s;
}

void lab_progress_finish(lab_progress *p)
{
    if (p->drawn)
        fputc('\n', p->out);
    p->drawn = 0;
}
