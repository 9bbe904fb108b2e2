/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sweep.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blas.h"
#include "fileio.h"
#include "status.h"

/* ==== Cells =============================================================== */

size_t lab_sweep_size(const lab_config *c)
{
    return c->n.n * c->width.n * c->depth.n * c->seeds.n;
}

void lab_sweep_cell(const lab_config *c, size_t i, lab_cell *cell)
{
    cell->seed = c->seeds.v[i % c->seeds.n];
    i /= c->seeds.n;
    cell->depth = c->depth.v[i % c->depth.n];
    i /= c->depth.n;
    cell->width = c->width.v[i % c->width.n];
    i /= c->width.n;
    cell->n = c->n.v[i];
}

/* Position of v in list l, or -1. */
static long list_find(const lab_list *l, long v)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] == v)
            return (long)i;
    return -1;
}

/* The table index of a row's cell, or -1 when the cell is not in the sweep. */
static long cell_index(const lab_config *c, const lab_row *r)
{
    long in = list_find(&c->n, r->n), iw = list_find(&c->width, r->width);
    long id = list_find(&c->depth, r->depth), is = list_find(&c->seeds, r->seed);
    if (in < 0 || iw < 0 || id < 0 || is < 0)
        return -1;
    return ((in * (long)c->width.n + iw) * (long)c->depth.n + id) * (long)c->seeds.n + is;
}

/* A cost estimate, for running the longest cells first. */
static double cell_cost(const lab_config *c, const lab_cell *cell)
{
    double batch = c->batch == 0 || c->batch > cell->n ? (double)cell->n : (double)c->batch;
    double params = (double)lab_cell_params(c, cell);
    return params * (3.0 * batch * (double)c->steps + (double)cell->n + (double)c->test_size);
}

struct order_item {
    double cost;
    size_t index;
};

static int by_cost_desc(const void *pa, const void *pb)
{
    const struct order_item *a = pa, *b = pb;
    if (a->cost != b->cost)
        return a->cost > b->cost ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* ==== The table on disk ===================================================== */

struct table {
    lab_row *rows;  /* by cell index */
    char *have;     /* have[i]: rows[i] is filled */
    size_t total;
};

/* The first line where the "#" block of an earlier table differs from the
 * new header, as "was: ...; now: ..." in note (empty when they agree). */
static void compare_headers(const char *old, size_t oldlen, const char *header,
                            char *note, size_t len)
{
    note[0] = '\0';
    const char *a = old, *b = header, *aend = old + oldlen;
    while (a < aend || *b) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (a >= aend)
            la = 0;
        if (la != lb || memcmp(a, b, la) != 0) {
            snprintf(note, len, "was \"%.*s\", now \"%.*s\"", (int)(la > 200 ? 200 : la), a,
                     (int)(lb > 200 ? 200 : lb), b);
            return;
        }
        a += la + (a[la] == '\n');
        b += lb + (b[lb] == '\n');
    }
}

/* Read the rows of an earlier run. A missing file is an empty table; a last
 * line without newline (a crash mid-write) is dropped, and so is a malformed
 * row (counted in rep->dropped): their cells run again. */
static int table_read(struct table *t, const lab_config *c, const char *path,
                      const char *header, lab_sweep_report *rep, char *err, size_t errlen)
{
    size_t len;
    char *text = lab_file_read(path, &len);
    if (!text)
        return errno == ENOENT ? LAB_OK
                               : lab_fail(err, errlen, LAB_EIO, "%s: %s", path, strerror(errno));
    int rc = LAB_OK, seen_header = 0;
    long lineno = 0;
    size_t comments = 0; /* length of the leading "#" block */
    for (char *line = text; *line && rc == LAB_OK;) {
        char *nl = strchr(line, '\n');
        lineno++;
        if (!nl)
            break; /* partial last line */
        *nl = '\0';
        if (line[0] == '#' || line[0] == '\0') {
            if (!seen_header)
                comments = (size_t)(nl - text) + 1;
        } else if (!seen_header) {
            seen_header = 1;
            if (strcmp(line, lab_results_header) != 0)
                rc = lab_fail(err, errlen, LAB_EFORMAT,
                              "%s:%ld: unexpected columns (written by another version?); "
                              "run with --fresh to start over", path, lineno);
        } else {
            lab_row r;
            long i;
            if (lab_row_parse(line, &r) < 0)
                rep->dropped++;
            else if ((i = cell_index(c, &r)) >= 0 && !t->have[i]) {
                t->rows[i] = r;
                t->have[i] = 1;
            }
        }
        line = nl + 1;
    }
    /* "#" lines become newlines above; compare_headers reads up to them. */
    for (size_t k = 0; k < comments; k++)
        if (text[k] == '\0')
            text[k] = '\n';
    if (rc == LAB_OK && seen_header)
        compare_headers(text, comments, header, rep->header_note, sizeof rep->header_note);
    free(text);
    return rc;
}

/* Write the whole table, sorted, through a temporary file. */
static int table_write(const struct table *t, const char *path, const char *header,
                       char *err, size_t errlen)
{
    lab_atomic a;
    int rc = lab_atomic_open(&a, path, err, errlen);
    if (rc != LAB_OK)
        return rc;
    fputs(header, a.f);
    fprintf(a.f, "%s\n", lab_results_header);
    for (size_t i = 0; i < t->total; i++)
        if (t->have[i])
            lab_row_write(a.f, &t->rows[i]);
    return lab_atomic_commit(&a, err, errlen);
}

/* ==== Running cells ========================================================= */

struct runner {
    const lab_config *c;
    const lab_sweep_opts *o;
    struct table *t;
    FILE *out;          /* the table, opened for appending */
    size_t *queue;      /* cell indices still to run, longest first */
    size_t nqueue, next;
    size_t done;        /* cells finished in this run */
    size_t failed;      /* cells that could not run */
    int first_error;    /* the status of the first of them */
    double t0;
    char *err;
    size_t errlen;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int stopped(const struct runner *R)
{
    return R->o->stop && *R->o->stop;
}

/* Record a finished cell: in memory, then appended and flushed to disk. */
static int record(struct runner *R, size_t index, const lab_row *row)
{
    R->t->rows[index] = *row;
    R->t->have[index] = 1;
    lab_row_write(R->out, row);
    if (fflush(R->out) != 0 || ferror(R->out))
        return lab_fail(R->err, R->errlen, LAB_EIO, "cannot append to the results table: %s",
                        strerror(errno));
    R->done++;
    if (R->o->progress)
        R->o->progress(R->o->ctx, R->done, R->nqueue, now_s() - R->t0);
    return LAB_OK;
}

/* A cell that could not run: keep the first message, with the cell named,
 * and go on with the others. */
static void cell_failed(struct runner *R, size_t index, int status, const char *why)
{
    lab_cell cell;
    lab_sweep_cell(R->c, index, &cell);
    if (R->failed++ == 0) {
        R->first_error = status;
        lab_fail(R->err, R->errlen, status, "cell n=%ld width=%ld depth=%ld seed=%ld: %s",
                 cell.n, cell.width, cell.depth, cell.seed, why);
    }
}

static int run_inline(struct runner *R)
{
    while (R->next < R->nqueue) {
        if (stopped(R))
            return LAB_EINTERRUPTED;
        size_t index = R->queue[R->next++];
        lab_cell cell;
        lab_row row;
        lab_sweep_cell(R->c, index, &cell);
        char why[512];
        int rc = lab_cell_run(R->c, &cell, &row, R->o->stop, why, sizeof why);
        if (rc == LAB_EINTERRUPTED)
            return rc;
        if (rc != LAB_OK) {
            cell_failed(R, index, rc, why);
            continue;
        }
        if ((rc = record(R, index, &row)) != LAB_OK)
            return rc;
    }
    return LAB_OK;
}

/* What a worker sends back for each cell. */
struct reply {
    int64_t index;
    int32_t status;
    lab_row row;
    char err[512];
};

struct worker {
    pid_t pid;
    int task_fd;     /* parent -> worker: cell indices (int64) */
    int reply_fd;    /* worker -> parent: struct reply */
    long busy;       /* cell in progress, or -1 */
};

/* read() or write() exactly len bytes, through interruptions; -1 on end of
 * file or error. */
static int transfer(int fd, void *buf, size_t len, int writing)
{
    char *p = buf;
    while (len > 0) {
        ssize_t k = writing ? write(fd, p, len) : read(fd, p, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        len -= (size_t)k;
    }
    return 0;
}

static int read_full(int fd, void *buf, size_t len)
{
    return transfer(fd, buf, len, 0);
}

static int write_full(int fd, const void *buf, size_t len)
{
    return transfer(fd, (void *)buf, len, 1);
}

/* The worker's life: read a cell index, run it, reply; until the task pipe
 * closes. Never returns. */
static void worker_main(const lab_config *c, int task_fd, int reply_fd,
                        volatile sig_atomic_t *stop)
{
    int64_t index;
    lab_blas_single_thread();
    while (read_full(task_fd, &index, sizeof index) == 0) {
        struct reply rep;
        memset(&rep, 0, sizeof rep);
        lab_cell cell;
        lab_sweep_cell(c, (size_t)index, &cell);
        rep.index = index;
        rep.status = lab_cell_run(c, &cell, &rep.row, stop, rep.err, sizeof rep.err);
        if (write_full(reply_fd, &rep, sizeof rep) < 0)
            break;
    }
    _exit(0);
}

static int worker_start(struct worker *w, const lab_config *c, struct worker *all,
                        int nstarted, volatile sig_atomic_t *stop)
{
    int task[2], reply[2];
    if (pipe(task) != 0)
        return -1;
    if (pipe(reply) != 0) {
        close(task[0]);
        close(task[1]);
        return -1;
    }
    fflush(NULL); /* nothing buffered may be written twice */
    pid_t pid = fork();
    if (pid < 0) {
        close(task[0]);
        close(task[1]);
        close(reply[0]);
        close(reply[1]);
        return -1;
    }
    if (pid == 0) {
        /* Keep only this worker's ends of its own pipes. */
        for (int k = 0; k < nstarted; k++) {
            close(all[k].task_fd);
            close(all[k].reply_fd);
        }
        close(task[1]);
        close(reply[0]);
        worker_main(c, task[0], reply[1], stop);
    }
    close(task[0]);
    close(reply[1]);
    w->pid = pid;
    w->task_fd = task[1];
    w->reply_fd = reply[0];
    w->busy = -1;
    return 0;
}

static int dispatch(struct runner *R, struct worker *w)
{
    if (R->next >= R->nqueue || stopped(R))
        return 0;
    int64_t index = (int64_t)R->queue[R->next];
    if (write_full(w->task_fd, &index, sizeof index) < 0)
        return -1;
    w->busy = (long)R->queue[R->next++];
    return 0;
}

/* Close a worker's pipes and collect its exit status. */
static int worker_reap(struct worker *w)
{
    int status = 0;
    if (w->task_fd >= 0)
        close(w->task_fd);
    if (w->reply_fd >= 0)
        close(w->reply_fd);
    w->task_fd = w->reply_fd = -1;
    while (w->pid > 0 && waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    w->pid = 0;
    return status;
}

/* A worker died while running a cell: record the cell as failed and start a
 * new worker in its place, so one bad cell does not stop the sweep. */
static void worker_died(struct runner *R, struct worker *ws, int nw, int k, long index)
{
    int status = worker_reap(&ws[k]);
    if (!stopped(R)) {
        char why[128];
        if (WIFSIGNALED(status))
            snprintf(why, sizeof why, "its worker was killed by signal %d", WTERMSIG(status));
        else
            snprintf(why, sizeof why, "its worker exited with status %d", WEXITSTATUS(status));
        cell_failed(R, (size_t)index, LAB_ECHILD, why);
        if (worker_start(&ws[k], R->c, ws, nw, R->o->stop) != 0)
            ws[k].busy = -1;
    }
}

static int run_workers(struct runner *R, int jobs)
{
    struct worker *ws = calloc((size_t)jobs, sizeof *ws);
    struct pollfd *pfd = calloc((size_t)jobs, sizeof *pfd);
    int nw = 0, rc = LAB_OK, signalled = 0;
    if (!ws || !pfd) {
        free(ws);
        free(pfd);
        return lab_fail(R->err, R->errlen, LAB_ENOMEM, "out of memory");
    }
    for (int k = 0; k < jobs; k++)
        ws[k].task_fd = ws[k].reply_fd = -1;
    for (; nw < jobs; nw++)
        if (worker_start(&ws[nw], R->c, ws, nw, R->o->stop) != 0) {
            rc = lab_fail(R->err, R->errlen, LAB_ECHILD, "cannot start a worker: %s",
                          strerror(errno));
            break;
        }
    for (int k = 0; k < nw && rc == LAB_OK; k++)
        if (dispatch(R, &ws[k]) != 0)
            rc = lab_fail(R->err, R->errlen, LAB_ECHILD, "worker %d stopped early", k);

    for (;;) {
        /* Pass a stop on to the workers, so their cells end at the next step. */
        if (stopped(R) && !signalled) {
            signalled = 1;
            for (int k = 0; k < nw; k++)
                if (ws[k].busy >= 0)
                    kill(ws[k].pid, SIGTERM);
        }
        int busy = 0;
        for (int k = 0; k < nw; k++) {
            pfd[k].fd = ws[k].busy >= 0 ? ws[k].reply_fd : -1;
            pfd[k].events = POLLIN;
            busy += ws[k].busy >= 0;
        }
        if (!busy)
            break;
        if (poll(pfd, (nfds_t)nw, -1) < 0) {
            if (errno == EINTR)
                continue;
            rc = lab_fail(R->err, R->errlen, LAB_ECHILD, "poll: %s", strerror(errno));
            break;
        }
        for (int k = 0; k < nw; k++) {
            if (ws[k].busy < 0 || !(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            struct reply rep;
            long index = ws[k].busy;
            ws[k].busy = -1;
            if (read_full(ws[k].reply_fd, &rep, sizeof rep) != 0) {
                worker_died(R, ws, nw, k, index);
            } else if (rep.status == LAB_OK) {
                int r2 = record(R, (size_t)rep.index, &rep.row);
                if (r2 != LAB_OK && rc == LAB_OK)
                    rc = r2;
            } else if (rep.status != LAB_EINTERRUPTED) {
                cell_failed(R, (size_t)rep.index, rep.status, rep.err);
            }
            if (rc == LAB_OK && ws[k].pid > 0 && dispatch(R, &ws[k]) != 0) {
                /* It died between two cells: replace it and try once more. */
                worker_reap(&ws[k]);
                if (worker_start(&ws[k], R->c, ws, nw, R->o->stop) == 0
                    && dispatch(R, &ws[k]) != 0)
                    worker_reap(&ws[k]);
            }
        }
    }
    /* Closing the task pipes lets the workers exit. */
    for (int k = 0; k < nw; k++)
        worker_reap(&ws[k]);
    free(ws);
    free(pfd);
    if (rc == LAB_OK && stopped(R))
        rc = LAB_EINTERRUPTED;
    return rc;
}

/* ==== The sweep ============================================================= */

int lab_sweep_run(const lab_config *c, const char *path, const char *header,
                  const lab_sweep_opts *opts, lab_sweep_report *rep,
                  char *err, size_t errlen)
{
    struct table t = { 0 };
    struct runner R = { .c = c, .o = opts, .t = &t, .err = err, .errlen = errlen };
    int rc = LAB_ENOMEM;

    memset(rep, 0, sizeof *rep);
    t.total = rep->total = lab_sweep_size(c);
    t.rows = calloc(t.total, sizeof *t.rows);
    t.have = calloc(t.total, 1);
    struct order_item *order = calloc(t.total, sizeof *order);
    R.queue = calloc(t.total, sizeof *R.queue);
    if (!t.rows || !t.have || !order || !R.queue) {
        lab_fail(err, errlen, rc, "out of memory");
        goto done;
    }
    if ((rc = table_read(&t, c, path, header, rep, err, errlen)) != LAB_OK)
        goto done;

    /* The cells still missing, longest first. */
    size_t nmissing = 0;
    for (size_t i = 0; i < t.total; i++) {
        if (t.have[i]) {
            rep->kept++;
            continue;
        }
        lab_cell cell;
        lab_sweep_cell(c, i, &cell);
        order[nmissing].cost = cell_cost(c, &cell);
        order[nmissing++].index = i;
    }
    qsort(order, nmissing, sizeof *order, by_cost_desc);
    R.nqueue = nmissing;
    if (opts->max_cells > 0 && (size_t)opts->max_cells < R.nqueue)
        R.nqueue = (size_t)opts->max_cells;
    for (size_t k = 0; k < R.nqueue; k++)
        R.queue[k] = order[k].index;

    /* Rewrite what is kept (dropping any partial line), then append. */
    if ((rc = table_write(&t, path, header, err, errlen)) != LAB_OK)
        goto done;
    if (!(R.out = fopen(path, "a"))) {
        rc = lab_fail(err, errlen, LAB_EIO, "%s: %s", path, strerror(errno));
        goto done;
    }
    R.t0 = now_s();
    lab_blas_single_thread();
    int jobs = opts->jobs;
    if ((size_t)jobs > R.nqueue)
        jobs = (int)R.nqueue;
    rc = jobs <= 1 ? run_inline(&R) : run_workers(&R, jobs);
    if (R.failed > 0 && (rc == LAB_OK || rc == LAB_EINTERRUPTED)) {
        rc = R.first_error;
        if (R.failed > 1) {
            size_t used = strlen(err);
            snprintf(err + used, errlen - used, " (and %zu more cells failed)", R.failed - 1);
        }
    }
    if (fclose(R.out) != 0 && rc == LAB_OK)
        rc = lab_fail(err, errlen, LAB_EIO, "%s: %s", path, strerror(errno));

    /* Sort the table, whatever happened: the rows on disk stay the same. */
    char err2[512];
    int wrc = table_write(&t, path, header, err2, sizeof err2);
    if (wrc != LAB_OK && (rc == LAB_OK || rc == LAB_EINTERRUPTED))
        rc = lab_fail(err, errlen, wrc, "%s", err2);
    if (rc == LAB_OK && R.nqueue < nmissing)
        rc = LAB_EINTERRUPTED; /* max_cells left some undone */
done:
    rep->ran = R.done;
    rep->failed = R.failed;
    for (size_t i = 0; i < t.total; i++) {
        if (!t.have || !t.have[i])
            rep->remaining++;
        else if (t.rows[i].status == LAB_ROW_DIVERGED)
            rep->diverged++;
    }
    free(t.rows);
    free(t.have);
    free(order);
    free(R.queue);
    return rc;
}
