/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

const char *const lab_row_status_names[LAB_NROW] = { "ok", "diverged" };

const char lab_results_header[] =
    "n\twidth\tdepth\tseed\tparams\ttrain_error\ttest_error\tsteps\tstatus\tstop\twall_s";

void lab_row_write(FILE *f, const lab_row *r)
{
    fprintf(f, "%ld\t%ld\t%ld\t%ld\t%ld\t%.17g\t%.17g\t%ld\t%s\t%s\t%.3f\n",
            r->n, r->width, r->depth, r->seed, r->params, r->train_error,
            r->test_error, r->steps,
            lab_name_of(r->status, lab_row_status_names, LAB_NROW),
            lab_name_of(r->stop, lab_stop_names, LAB_NSTOP), r->wall_s);
}

/* Fields are separated by single tabs; returns the next field's start. */
static const char *field_end(const char *p)
{
    return p + strcspn(p, "\t\n");
}

static int next_long(const char **p, long *v)
{
    char *end;
    *v = strtol(*p, &end, 10);
    if (end == *p || (*end != '\t' && *end != '\n' && *end != '\0'))
        return -1;
    *p = *end == '\t' ? end + 1 : end;
    return 0;
}

static int next_double(const char **p, double *v)
{
    char *end;
    *v = strtod(*p, &end);
    if (end == *p || (*end != '\t' && *end != '\n' && *end != '\0'))
        return -1;
    *p = *end == '\t' ? end + 1 : end;
    return 0;
}

static int next_name(const char **p, const char *const *names, int count, int *v)
{
    const char *end = field_end(*p);
    char buf[32];
    size_t len = (size_t)(end - *p);
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, *p, len);
    buf[len] = '\0';
    if ((*v = lab_name_index(buf, names, count)) < 0)
        return -1;
    *p = *end == '\t' ? end + 1 : end;
    return 0;
}

int lab_row_parse(const char *line, lab_row *r)
{
    const char *p = line;
    if (next_long(&p, &r->n) || next_long(&p, &r->width) || next_long(&p, &r->depth)
        || next_long(&p, &r->seed) || next_long(&p, &r->params)
        || next_double(&p, &r->train_error) || next_double(&p, &r->test_error)
        || next_long(&p, &r->steps)
        || next_name(&p, lab_row_status_names, LAB_NROW, &r->status)
        || next_name(&p, lab_stop_names, LAB_NSTOP, &r->stop)
        || next_double(&p, &r->wall_s))
        return -1;
    return *p == '\0' || *p == '\n' ? 0 : -1;
}
