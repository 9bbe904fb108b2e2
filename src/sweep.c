/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <configure.h>

#include "sweep.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "blas.h"
#include "clock.h"
#include "fileio.h"
#include "kind.h"
#include "results.h"
#include "status.h"

/* ==== Cells ================================================================= */

void lab_sweep_cell_name(const lab_config *c, size_t i, char *buf, size_t len)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    for (size_t a = 0; a < c->naxes; a++)
        lab_strbuf_printf(&b, "%s%s=%s", a ? " " : "", lab_axis_column(&c->axes[a]),
                          c->axes[a].values[lab_config_coord(c, i, a)]);
    snprintf(buf, len, "%s", lab_strbuf_str(&b));
    lab_strbuf_release(&b);
}

/* The kind's cost of every cell. */
static double *cell_costs(const lab_config *c)
{
    size_t n = lab_config_ncells(c);
    double *cost = malloc((n ? n : 1) * sizeof *cost);
    lab_config cell;
    if (!cost || lab_config_copy(&cell, c) != LAB_OK) {
        free(cost);
        return NULL;
    }
    const lab_kind *kind = lab_config_kind(c);
    for (size_t i = 0; i < n && cost; i++) {
        if (lab_config_cell(c, i, &cell) != LAB_OK) {
            free(cost);
            cost = NULL;
            break;
        }
        cost[i] = kind->cost(&cell);
    }
    lab_config_release(&cell);
    return cost;
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

/* A min-heap of shards by (load, index), for the balanced split. */
struct bin {
    double load;
    size_t shard;
};

static int bin_less(const struct bin *a, const struct bin *b)
{
    return a->load < b->load || (a->load == b->load && a->shard < b->shard);
}

static void heap_down(struct bin *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && bin_less(&h[l], &h[m]))
            m = l;
        if (r < n && bin_less(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        struct bin t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* The split of n cells of the given costs (see lab_sweep_shards()). */
static int split_costs(const double *cost, size_t n, size_t nshards, size_t *shard_of)
{
    assert(nshards >= 1);
    struct order_item *order = malloc((n ? n : 1) * sizeof *order);
    struct bin *heap = malloc(nshards * sizeof *heap);
    if (!order || !heap) {
        free(order);
        free(heap);
        return LAB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (struct order_item){ cost[i], i };
    qsort(order, n, sizeof *order, by_cost_desc);
    for (size_t s = 0; s < nshards; s++)
        heap[s] = (struct bin){ 0.0, s }; /* equal loads, increasing index: a heap */
    for (size_t k = 0; k < n; k++) {
        shard_of[order[k].index] = heap[0].shard;
        heap[0].load += order[k].cost;
        heap_down(heap, nshards, 0);
    }
    free(order);
    free(heap);
    return LAB_OK;
}

int lab_sweep_shards(const lab_config *c, size_t nshards, size_t *shard_of)
{
    double *cost = cell_costs(c);
    int rc = cost ? split_costs(cost, lab_config_ncells(c), nshards, shard_of) : LAB_ENOMEM;
    free(cost);
    return rc;
}

/* ==== Running cells ========================================================= */

struct runner {
    const lab_config *c;
    const lab_sweep_opts *o;
    lab_results *t;
    FILE *out;          /* the table, opened for appending */
    size_t *queue;      /* cell indices still to run, longest first */
    size_t nqueue, next;
    size_t done;        /* cells finished in this run */
    size_t failed;      /* cells that could not run */
    size_t kept;        /* cells found from earlier runs */
    int first_error;    /* the status of the first of them */
    double t0;
    double last_report; /* when the progress hook was last called */
    char *err;
    size_t errlen;
};

static int stopped(const struct runner *R)
{
    return R->o->stop && *R->o->stop;
}

/* Tell the progress hook where the sweep stands. */
static void report_progress(struct runner *R)
{
    if (!R->o->progress)
        return;
    R->last_report = lab_clock_s();
    lab_sweep_progress p = { R->nqueue, R->done, R->failed, R->kept, R->last_report - R->t0 };
    R->o->progress(R->o->ctx, &p);
}

/* Record a finished cell: in memory, then appended and flushed to disk in
 * one piece. */
static int record(struct runner *R, size_t index, const double *values)
{
    if (lab_results_set(R->t, index, values) != LAB_OK)
        return lab_fail(R->err, R->errlen, LAB_ENOMEM, "out of memory");
    lab_rows rows = lab_results_cell(R->t, index);
    lab_results_write(R->out, R->c, index, &rows);
    if (fflush(R->out) != 0 || ferror(R->out))
        return lab_fail(R->err, R->errlen, LAB_EIO, "cannot append to the results table: %s",
                        strerror(errno));
    R->done++;
    report_progress(R);
    return LAB_OK;
}

/* A cell that could not run: keep the first message, with the cell named,
 * and go on with the others. */
static void cell_failed(struct runner *R, size_t index, int status, const char *why)
{
    if (R->failed++ == 0) {
        char name[512];
        lab_sweep_cell_name(R->c, index, name, sizeof name);
        R->first_error = status;
        lab_fail(R->err, R->errlen, status, "cell %s: %s", name, why);
    }
    report_progress(R);
}

/* Run cell `index` of c into values (its rows x columns), with cell a
 * scratch copy of c. */
static int run_cell(const lab_config *c, lab_config *cell, size_t index, double *values,
                    size_t nrows, volatile sig_atomic_t *stop, char *err, size_t errlen)
{
    const lab_kind *kind = lab_config_kind(c);
    if (lab_config_cell(c, index, cell) != LAB_OK)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    lab_rows rows = { nrows, kind->ncolumns, values };
    return kind->run(cell, &rows, stop, err, errlen);
}

/* The largest number of values a cell's rows take. */
static size_t max_values(const lab_results *t)
{
    size_t m = 1;
    for (size_t i = 0; i < t->ncells; i++)
        m = t->nrows[i] * t->ncols > m ? t->nrows[i] * t->ncols : m;
    return m;
}

static int run_inline(struct runner *R)
{
    lab_config cell;
    double *values = malloc(max_values(R->t) * sizeof *values);
    if (!values || lab_config_copy(&cell, R->c) != LAB_OK) {
        free(values);
        return lab_fail(R->err, R->errlen, LAB_ENOMEM, "out of memory");
    }
    int rc = LAB_OK;
    while (R->next < R->nqueue && rc == LAB_OK) {
        if (stopped(R)) {
            rc = LAB_EINTERRUPTED;
            break;
        }
        size_t index = R->queue[R->next++];
        char why[512];
        int crc = run_cell(R->c, &cell, index, values, R->t->nrows[index], R->o->stop, why,
                           sizeof why);
        if (crc == LAB_EINTERRUPTED)
            rc = crc;
        else if (crc != LAB_OK)
            cell_failed(R, index, crc, why);
        else
            rc = record(R, index, values);
    }
    lab_config_release(&cell);
    free(values);
    return rc;
}

/* What a worker sends back for each cell: this header, then the cell's
 * values (nvalues doubles) when status is LAB_OK. */
struct reply {
    int64_t index;
    int32_t status;
    uint32_t nvalues;
    char err[512];
};

struct worker {
    pid_t pid;
    int task_fd;     /* parent -> worker: cell indices (int64) */
    int reply_fd;    /* worker -> parent: struct reply and values */
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
static void worker_main(const struct runner *R, int task_fd, int reply_fd)
{
    int64_t index;
    lab_config cell;
    double *values = malloc(max_values(R->t) * sizeof *values);
    if (!values || lab_config_copy(&cell, R->c) != LAB_OK) {
        free(values);
        _exit(1);
    }
    lab_blas_single_thread();
    while (read_full(task_fd, &index, sizeof index) == 0) {
        struct reply rep;
        memset(&rep, 0, sizeof rep);
        size_t nrows = R->t->nrows[index];
        rep.index = index;
        rep.status = run_cell(R->c, &cell, (size_t)index, values, nrows, R->o->stop, rep.err,
                              sizeof rep.err);
        rep.nvalues = rep.status == LAB_OK ? (uint32_t)(nrows * R->t->ncols) : 0;
        if (write_full(reply_fd, &rep, sizeof rep) < 0
            || write_full(reply_fd, values, rep.nvalues * sizeof *values) < 0)
            break;
        /* Stopped (a signal to the sweep, or to this worker alone): every
         * further cell would stop at once. */
        if (rep.status == LAB_EINTERRUPTED)
            break;
    }
    lab_config_release(&cell);
    free(values);
    _exit(0);
}

static int worker_start(struct worker *w, const struct runner *R, struct worker *all,
                        int nstarted)
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
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(task[0]);
        close(task[1]);
        close(reply[0]);
        close(reply[1]);
        return -1;
    }
    if (pid == 0) {
#ifdef HAVE_SYS_PRCTL_H
        /* A worker dies with its coordinator (a SIGKILL gives it no time to
         * stop them), rather than train on beside a rerun. It writes no
         * file, so nothing is left half-done. If the coordinator died
         * before the prctl, the worker was already given to another parent.
         * Where prctl is refused (a seccomp profile), the worker still ends
         * when its task pipe closes, after the cell it is on. */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
#else
        (void)parent;
#endif
        /* Keep only this worker's ends of its own pipes. */
        for (int k = 0; k < nstarted; k++) {
            close(all[k].task_fd);
            close(all[k].reply_fd);
        }
        close(task[1]);
        close(reply[0]);
        worker_main(R, task[0], reply[1]);
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
        if (worker_start(&ws[k], R, ws, nw) != 0)
            ws[k].busy = -1;
    }
}

/* Read one reply of worker k and act on it. */
static int collect(struct runner *R, struct worker *ws, int nw, int k, double *values)
{
    struct reply rep;
    long index = ws[k].busy;
    ws[k].busy = -1;
    size_t want = R->t->nrows[index] * R->t->ncols;
    if (read_full(ws[k].reply_fd, &rep, sizeof rep) != 0 || rep.index != index
        || rep.nvalues != (rep.status == LAB_OK ? want : 0)
        || read_full(ws[k].reply_fd, values, rep.nvalues * sizeof *values) != 0) {
        worker_died(R, ws, nw, k, index);
        return LAB_OK;
    }
    if (rep.status == LAB_OK)
        return record(R, (size_t)rep.index, values);
    if (rep.status != LAB_EINTERRUPTED) {
        cell_failed(R, (size_t)rep.index, rep.status, rep.err);
    } else if (!stopped(R)) {
        /* A signal stopped this worker alone: its cell failed; it exits, and
         * a new worker takes its place. */
        worker_reap(&ws[k]);
        cell_failed(R, (size_t)index, LAB_ECHILD, "its worker was stopped by a signal");
        if (worker_start(&ws[k], R, ws, nw) != 0)
            ws[k].busy = -1;
    }
    return LAB_OK;
}

static int run_workers(struct runner *R, int jobs)
{
    struct worker *ws = calloc((size_t)jobs, sizeof *ws);
    struct pollfd *pfd = calloc((size_t)jobs, sizeof *pfd);
    double *values = malloc(max_values(R->t) * sizeof *values);
    int nw = 0, rc = LAB_OK, signalled = 0;
    if (!ws || !pfd || !values) {
        free(ws);
        free(pfd);
        free(values);
        return lab_fail(R->err, R->errlen, LAB_ENOMEM, "out of memory");
    }
    for (int k = 0; k < jobs; k++)
        ws[k].task_fd = ws[k].reply_fd = -1;
    for (; nw < jobs; nw++)
        if (worker_start(&ws[nw], R, ws, nw) != 0) {
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
        /* Wake for the progress ticks, if any, while the workers compute. */
        int tick_ms = R->o->tick_s > 0 ? (int)(R->o->tick_s * 1000.0) : -1;
        int ready = poll(pfd, (nfds_t)nw, tick_ms > 0 ? tick_ms : -1);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            rc = lab_fail(R->err, R->errlen, LAB_ECHILD, "poll: %s", strerror(errno));
            break;
        }
        if (tick_ms > 0 && lab_clock_s() - R->last_report >= R->o->tick_s)
            report_progress(R);
        for (int k = 0; k < nw; k++) {
            if (ws[k].busy < 0 || !(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int r2 = collect(R, ws, nw, k, values);
            if (r2 != LAB_OK && rc == LAB_OK)
                rc = r2;
            if (rc == LAB_OK && ws[k].pid > 0 && dispatch(R, &ws[k]) != 0) {
                /* It died between two cells: replace it and try once more. */
                worker_reap(&ws[k]);
                if (worker_start(&ws[k], R, ws, nw) == 0 && dispatch(R, &ws[k]) != 0)
                    worker_reap(&ws[k]);
            }
        }
    }
    /* Closing the task pipes lets the workers exit. */
    for (int k = 0; k < nw; k++)
        worker_reap(&ws[k]);
    free(ws);
    free(pfd);
    free(values);
    if (rc == LAB_OK && stopped(R))
        rc = LAB_EINTERRUPTED;
    return rc;
}

/* ==== The sweep ============================================================= */

/* The cells of this run still missing, longest first, into R->queue; the
 * number of cells in the run (or shard) into *total. */
static int plan_queue(struct runner *R, size_t *total, size_t *nmissing)
{
    const lab_sweep_opts *o = R->o;
    size_t n = R->t->ncells, *shard_of = NULL;
    double *cost = cell_costs(R->c);
    struct order_item *order = malloc((n ? n : 1) * sizeof *order);
    int rc = cost && order ? LAB_OK : LAB_ENOMEM;
    if (rc == LAB_OK && o->nshards > 1) {
        shard_of = malloc((n ? n : 1) * sizeof *shard_of);
        rc = shard_of ? split_costs(cost, n, o->nshards, shard_of) : LAB_ENOMEM;
    }
    *total = *nmissing = 0;
    for (size_t i = 0; i < n && rc == LAB_OK; i++) {
        if (shard_of && shard_of[i] != o->shard)
            continue;
        (*total)++;
        if (!R->t->rows[i])
            order[(*nmissing)++] = (struct order_item){ cost[i], i };
    }
    if (rc == LAB_OK) {
        qsort(order, *nmissing, sizeof *order, by_cost_desc);
        R->nqueue = *nmissing;
        if (o->max_cells > 0 && (size_t)o->max_cells < R->nqueue)
            R->nqueue = (size_t)o->max_cells;
        for (size_t k = 0; k < R->nqueue; k++)
            R->queue[k] = order[k].index;
    }
    free(cost);
    free(order);
    free(shard_of);
    return rc == LAB_OK ? rc : lab_fail(R->err, R->errlen, rc, "out of memory");
}

/* Whether a cell has a row whose status is "diverged". */
static int diverged(const lab_results *t, size_t i, long status_col)
{
    for (size_t r = 0; status_col >= 0 && t->rows[i] && r < t->nrows[i]; r++)
        if (t->rows[i][r * t->ncols + (size_t)status_col] == LAB_ROW_DIVERGED)
            return 1;
    return 0;
}

int lab_sweep_run(const lab_config *c, const char *path, const lab_sweep_opts *opts,
                  lab_sweep_report *rep, char *err, size_t errlen)
{
    struct runner R = { .c = c, .o = opts, .err = err, .errlen = errlen };
    lab_results_read_info info = { 0 };
    size_t nmissing = 0;
    int rc;

    memset(rep, 0, sizeof *rep);
    assert(opts->nshards <= 1 || opts->shard < opts->nshards);
    R.t = lab_results_alloc(c);
    R.queue = R.t ? malloc((R.t->ncells ? R.t->ncells : 1) * sizeof *R.queue) : NULL;
    if (!R.t || !R.queue) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = lab_results_read(R.t, path, &info, err, errlen)) != LAB_OK)
        goto done;
    rep->dropped = info.dropped;
    rep->bad_line = info.bad_line;
    if ((rc = plan_queue(&R, &rep->total, &nmissing)) != LAB_OK)
        goto done;
    rep->kept = R.kept = rep->total - nmissing;

    /* Rewrite what is kept (dropping any partial line), then append. */
    if ((rc = lab_results_write_file(R.t, path, err, errlen)) != LAB_OK)
        goto done;
    if (!(R.out = fopen(path, "a"))) {
        rc = lab_fail(err, errlen, LAB_EIO, "%s: %s", path, strerror(errno));
        goto done;
    }
    R.t0 = lab_clock_s();
    report_progress(&R);
    lab_blas_single_thread();
    int jobs = opts->jobs;
    if ((size_t)jobs > R.nqueue)
        jobs = (int)R.nqueue;
    /* A cell in this process could not be interrupted for a tick. */
    int inline_run = jobs < 1 || (jobs == 1 && !(opts->progress && opts->tick_s > 0));
    rc = inline_run ? run_inline(&R) : run_workers(&R, jobs);
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
    int wrc = lab_results_write_file(R.t, path, err2, sizeof err2);
    if (wrc != LAB_OK && (rc == LAB_OK || rc == LAB_EINTERRUPTED))
        rc = lab_fail(err, errlen, wrc, "%s", err2);
    if (rc == LAB_OK && R.nqueue < nmissing)
        rc = LAB_EINTERRUPTED; /* max_cells left some undone */
    rep->remaining = nmissing - R.done;
done:
    rep->ran = R.done;
    rep->failed = R.failed;
    if (R.t) {
        long status_col = lab_kind_column(lab_config_kind(c), "status");
        for (size_t i = 0; i < R.t->ncells; i++)
            rep->diverged += diverged(R.t, i, status_col);
    }
    if (rc != LAB_OK && !R.t)
        rep->remaining = rep->total;
    lab_results_free(R.t);
    free(R.queue);
    return rc;
}
