/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <configure.h>

#include "sweep.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
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

/* ==== Groups ================================================================= */

/* The most cells one group holds (pack.h stacks their first layers). */
#define GROUP_MAX 64

/* Whether axis a is one of the kind's group axes. */
static int is_group_axis(const lab_kind *k, const lab_axis *a)
{
    const char *p = k->group_axes;
    size_t ls = strlen(a->key->section), ln = strlen(a->key->name);
    while (p && *p) {
        p += strspn(p, ", ");
        size_t len = strcspn(p, ", ");
        if (len == ls + 1 + ln && strncmp(p, a->key->section, ls) == 0 && p[ls] == '.'
            && strncmp(p + ls + 1, a->key->name, ln) == 0)
            return 1;
        p += len;
    }
    return 0;
}

struct group_item {
    size_t key, index;
};

static int by_key(const void *pa, const void *pb)
{
    const struct group_item *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* The groups of all cells of c, before any split for memory or workers:
 * cells with the same coordinates on every axis but the kind's group axes,
 * that groupable() accepts, at most GROUP_MAX, in table order. Fills
 * cells (ncells entries: the groups one after the other) and start
 * (ngroups + 1 offsets into cells); *ngroups. */
static int groups_form(const lab_config *c, size_t *cells, size_t *start, size_t *ngroups)
{
    const lab_kind *kind = lab_config_kind(c);
    size_t n = lab_config_ncells(c), nkeys = 1;
    struct group_item *it = malloc((n ? n : 1) * sizeof *it);
    lab_config cell;
    if (!it || lab_config_copy(&cell, c) != LAB_OK) {
        free(it);
        return LAB_ENOMEM;
    }
    for (size_t a = 0; a < c->naxes; a++)
        if (!kind->run_group || !is_group_axis(kind, &c->axes[a]))
            nkeys *= c->axes[a].n;
    int rc = LAB_OK;
    for (size_t i = 0; i < n; i++) {
        /* The coordinates off the group axes, as one mixed-radix number; a
         * cell that runs alone gets a key of its own, past all of them. */
        size_t key = 0, stride = 1;
        for (size_t a = c->naxes; a-- > 0;)
            if (!kind->run_group || !is_group_axis(kind, &c->axes[a])) {
                key += lab_config_coord(c, i, a) * stride;
                stride *= c->axes[a].n;
            }
        if (kind->run_group && kind->groupable) {
            if ((rc = lab_config_cell(c, i, &cell)) != LAB_OK)
                break;
            if (!kind->groupable(&cell))
                key = nkeys + i;
        }
        it[i] = (struct group_item){ kind->run_group ? key : i, i };
    }
    lab_config_release(&cell);
    if (rc == LAB_OK) {
        qsort(it, n, sizeof *it, by_key);
        size_t g = 0;
        start[0] = 0;
        for (size_t k = 0; k < n; k++) {
            if (k > 0 && (it[k].key != it[k - 1].key || k - start[g] == GROUP_MAX))
                start[++g] = k;
            cells[k] = it[k].index;
        }
        *ngroups = n ? g + 1 : 0;
        start[*ngroups] = n;
    }
    free(it);
    return rc;
}

/* The shard of every group, balanced by cost, as split_costs(). */
static int groups_shards(const lab_config *c, size_t nshards, const double *cost,
                         size_t *shard_of)
{
    size_t n = lab_config_ncells(c), ng = 0;
    size_t *cells = malloc((n ? n : 1) * sizeof *cells);
    size_t *start = malloc((n + 1) * sizeof *start);
    double *gcost = malloc((n ? n : 1) * sizeof *gcost);
    size_t *gshard = malloc((n ? n : 1) * sizeof *gshard);
    int rc = cells && start && gcost && gshard ? groups_form(c, cells, start, &ng) : LAB_ENOMEM;
    for (size_t g = 0; g < ng && rc == LAB_OK; g++) {
        gcost[g] = 0;
        for (size_t k = start[g]; k < start[g + 1]; k++)
            gcost[g] += cost[cells[k]];
    }
    if (rc == LAB_OK)
        rc = split_costs(gcost, ng, nshards, gshard);
    for (size_t g = 0; g < ng && rc == LAB_OK; g++)
        for (size_t k = start[g]; k < start[g + 1]; k++)
            shard_of[cells[k]] = gshard[g];
    free(cells);
    free(start);
    free(gcost);
    free(gshard);
    return rc;
}

int lab_sweep_shards(const lab_config *c, size_t nshards, size_t *shard_of)
{
    double *cost = cell_costs(c);
    int rc = cost ? groups_shards(c, nshards, cost, shard_of) : LAB_ENOMEM;
    free(cost);
    return rc;
}

/* ==== Running cells ========================================================= */

/* A task: cells run together, one worker's unit of work. */
struct task {
    double cost;       /* the cells' summed cost */
    size_t off, n;     /* its cells: tcells[off .. off + n) */
};

struct runner {
    const lab_config *c;
    const lab_sweep_opts *o;
    lab_results *t;
    FILE *out;          /* the table, opened for appending */
    struct task *tasks; /* the tasks still to run, longest first */
    size_t *tcells;     /* their cells */
    size_t ntasks, next;
    size_t nqueue;      /* cells in the tasks */
    size_t task_max;    /* the most cells a task holds */
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

/* The largest number of values a cell's rows take. */
static size_t max_values(const lab_results *t)
{
    size_t m = 1;
    for (size_t i = 0; i < t->ncells; i++)
        m = t->nrows[i] * t->ncols > m ? t->nrows[i] * t->ncols : m;
    return m;
}

/* What running a task takes: the cells' configs, their rows, and each
 * cell's status and message. */
struct task_space {
    size_t cap, stride;       /* cells, values per cell */
    lab_config *cells;
    const lab_config **ptr;
    lab_rows *rows;
    double *values;           /* cap blocks of stride values */
    int *status;
    char (*why)[512];
};

static void task_space_release(struct task_space *ts)
{
    for (size_t i = 0; ts->cells && i < ts->cap; i++)
        lab_config_release(&ts->cells[i]);
    free(ts->cells);
    free(ts->ptr);
    free(ts->rows);
    free(ts->values);
    free(ts->status);
    free(ts->why);
    memset(ts, 0, sizeof *ts);
}

static int task_space_init(struct task_space *ts, const struct runner *R)
{
    size_t cap = R->task_max ? R->task_max : 1;
    memset(ts, 0, sizeof *ts);
    ts->stride = max_values(R->t);
    ts->cells = calloc(cap, sizeof *ts->cells);
    ts->ptr = malloc(cap * sizeof *ts->ptr);
    ts->rows = malloc(cap * sizeof *ts->rows);
    ts->values = malloc(cap * ts->stride * sizeof *ts->values);
    ts->status = malloc(cap * sizeof *ts->status);
    ts->why = malloc(cap * sizeof *ts->why);
    if (!ts->cells || !ts->ptr || !ts->rows || !ts->values || !ts->status || !ts->why) {
        task_space_release(ts);
        return LAB_ENOMEM;
    }
    for (; ts->cap < cap; ts->cap++)
        if (lab_config_copy(&ts->cells[ts->cap], R->c) != LAB_OK) {
            task_space_release(ts);
            return LAB_ENOMEM;
        }
    return LAB_OK;
}

/* Run the n cells idx of a task: as one group where the kind can (kind.h),
 * else, or when the group fails, one by one. Each cell's status and
 * message, and its values when LAB_OK, land in ts. */
static void task_run(const struct runner *R, struct task_space *ts, const size_t *idx, size_t n)
{
    const lab_kind *kind = lab_config_kind(R->c);
    int ready = 1;
    assert(n <= ts->cap);
    for (size_t i = 0; i < n; i++) {
        ts->status[i] = lab_config_cell(R->c, idx[i], &ts->cells[i]);
        ts->why[i][0] = '\0';
        if (ts->status[i] != LAB_OK) {
            ready = 0;
            lab_fail(ts->why[i], sizeof ts->why[i], LAB_ENOMEM, "out of memory");
        }
        ts->ptr[i] = &ts->cells[i];
        ts->rows[i] = (lab_rows){ R->t->nrows[idx[i]], kind->ncolumns,
                                  ts->values + i * ts->stride };
    }
    if (!ready)
        return;
    if (n > 1 && kind->run_group) {
        int rc = kind->run_group(ts->ptr, n, ts->rows, R->o->stop, ts->why[0],
                                 sizeof ts->why[0]);
        if (rc == LAB_OK || rc == LAB_EINTERRUPTED) {
            for (size_t i = 0; i < n; i++)
                ts->status[i] = rc;
            return;
        }
    }
    for (size_t i = 0; i < n; i++)
        ts->status[i] = stopped(R) ? LAB_EINTERRUPTED
                                   : kind->run(&ts->cells[i], &ts->rows[i], R->o->stop,
                                               ts->why[i], sizeof ts->why[i]);
}

static int run_inline(struct runner *R)
{
    struct task_space ts;
    if (task_space_init(&ts, R) != LAB_OK)
        return lab_fail(R->err, R->errlen, LAB_ENOMEM, "out of memory");
    int rc = LAB_OK;
    while (R->next < R->ntasks && rc == LAB_OK) {
        if (stopped(R)) {
            rc = LAB_EINTERRUPTED;
            break;
        }
        const struct task *tk = &R->tasks[R->next++];
        const size_t *idx = R->tcells + tk->off;
        task_run(R, &ts, idx, tk->n);
        for (size_t i = 0; i < tk->n && rc == LAB_OK; i++) {
            if (ts.status[i] == LAB_EINTERRUPTED)
                rc = LAB_EINTERRUPTED;
            else if (ts.status[i] != LAB_OK)
                cell_failed(R, idx[i], ts.status[i], ts.why[i]);
            else
                rc = record(R, idx[i], ts.rows[i].v);
        }
    }
    task_space_release(&ts);
    return rc;
}

/* What a worker sends back for each cell of its task, in the task's order:
 * this header, then the cell's values (nvalues doubles) when status is
 * LAB_OK. */
struct reply {
    int64_t index;
    int32_t status;
    uint32_t nvalues;
    char err[512];
};

struct worker {
    pid_t pid;
    int task_fd;     /* parent -> worker: a task, its cell count then its cells (int64) */
    int reply_fd;    /* worker -> parent: struct reply and values, per cell */
    long busy;       /* the task in progress, or -1 */
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

/* The worker's life: read a task, run it, reply for each of its cells;
 * until the task pipe closes. Never returns. */
static void worker_main(const struct runner *R, int task_fd, int reply_fd)
{
    int64_t n, index[GROUP_MAX];
    size_t idx[GROUP_MAX];
    struct task_space ts;
    if (task_space_init(&ts, R) != LAB_OK)
        _exit(1);
    lab_blas_single_thread();
    int interrupted = 0;
    while (!interrupted && read_full(task_fd, &n, sizeof n) == 0) {
        if (n < 1 || (size_t)n > ts.cap || n > GROUP_MAX
            || read_full(task_fd, index, (size_t)n * sizeof *index) != 0)
            break;
        for (int64_t i = 0; i < n; i++)
            idx[i] = (size_t)index[i];
        task_run(R, &ts, idx, (size_t)n);
        int broken = 0;
        for (size_t i = 0; i < (size_t)n && !broken; i++) {
            struct reply rep;
            memset(&rep, 0, sizeof rep);
            rep.index = index[i];
            rep.status = ts.status[i];
            snprintf(rep.err, sizeof rep.err, "%s", ts.why[i]);
            rep.nvalues = rep.status == LAB_OK ? (uint32_t)(ts.rows[i].nrows * R->t->ncols) : 0;
            broken = write_full(reply_fd, &rep, sizeof rep) < 0
                     || write_full(reply_fd, ts.rows[i].v, rep.nvalues * sizeof(double)) < 0;
            /* Stopped (a signal to the sweep, or to this worker alone): every
             * further cell would stop at once. */
            interrupted |= rep.status == LAB_EINTERRUPTED;
        }
        if (broken)
            break;
    }
    task_space_release(&ts);
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
    if (R->next >= R->ntasks || stopped(R))
        return 0;
    const struct task *tk = &R->tasks[R->next];
    int64_t msg[1 + GROUP_MAX];
    msg[0] = (int64_t)tk->n;
    for (size_t i = 0; i < tk->n; i++)
        msg[1 + i] = (int64_t)R->tcells[tk->off + i];
    if (write_full(w->task_fd, msg, (1 + tk->n) * sizeof *msg) < 0)
        return -1;
    w->busy = (long)R->next++;
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

/* A worker died while running a task: record its cells from `from` on as
 * failed and start a new worker in its place, so one bad cell does not
 * stop the sweep. */
static void worker_died(struct runner *R, struct worker *ws, int nw, int k,
                        const struct task *tk, size_t from)
{
    int status = worker_reap(&ws[k]);
    if (!stopped(R)) {
        char why[128];
        if (WIFSIGNALED(status))
            snprintf(why, sizeof why, "its worker was killed by signal %d", WTERMSIG(status));
        else
            snprintf(why, sizeof why, "its worker exited with status %d", WEXITSTATUS(status));
        for (size_t i = from; i < tk->n; i++)
            cell_failed(R, R->tcells[tk->off + i], LAB_ECHILD, why);
        if (worker_start(&ws[k], R, ws, nw) != 0)
            ws[k].busy = -1;
    }
}

/* Read the replies of worker k, one per cell of its task, and act on them. */
static int collect(struct runner *R, struct worker *ws, int nw, int k, double *values)
{
    const struct task *tk = &R->tasks[ws[k].busy];
    ws[k].busy = -1;
    int rc = LAB_OK, alone = 0;
    for (size_t i = 0; i < tk->n; i++) {
        struct reply rep;
        size_t index = R->tcells[tk->off + i];
        size_t want = R->t->nrows[index] * R->t->ncols;
        if (read_full(ws[k].reply_fd, &rep, sizeof rep) != 0 || rep.index != (int64_t)index
            || rep.nvalues != (rep.status == LAB_OK ? want : 0)
            || read_full(ws[k].reply_fd, values, rep.nvalues * sizeof *values) != 0) {
            worker_died(R, ws, nw, k, tk, i);
            return rc;
        }
        rep.err[sizeof rep.err - 1] = '\0';
        if (rep.status == LAB_OK) {
            int r2 = record(R, index, values);
            rc = rc == LAB_OK ? r2 : rc;
        } else if (rep.status != LAB_EINTERRUPTED) {
            cell_failed(R, index, rep.status, rep.err);
        } else if (!stopped(R)) {
            /* A signal stopped this worker alone: its cells failed. */
            cell_failed(R, index, LAB_ECHILD, "its worker was stopped by a signal");
            alone = 1;
        }
    }
    if (alone) {
        /* It exits; a new worker takes its place. */
        worker_reap(&ws[k]);
        if (worker_start(&ws[k], R, ws, nw) != 0)
            ws[k].busy = -1;
    }
    return rc;
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

/* Splitting groups into tasks (plan_queue()). */
struct planner {
    struct runner *R;
    const double *cost;
    double limit;          /* a task's most cost, for balance between workers */
    lab_config *cfg;       /* GROUP_MAX scratch configs, for group_memory() */
    const lab_config **ptr;
    int rc;
};

/* Whether the cells hold more memory as one group than a task may. */
static int too_big(struct planner *P, const size_t *cells, size_t n)
{
    const lab_kind *kind = lab_config_kind(P->R->c);
    if (P->R->o->group_bytes <= 0 || !kind->group_memory)
        return 0;
    for (size_t i = 0; i < n && P->rc == LAB_OK; i++) {
        P->rc = lab_config_cell(P->R->c, cells[i], &P->cfg[i]);
        P->ptr[i] = &P->cfg[i];
    }
    return P->rc == LAB_OK && !(kind->group_memory(P->ptr, n) <= P->R->o->group_bytes);
}

/* Add the cells (a group's missing cells, in table order) as one task, or,
 * when they cost more than P->limit or hold more memory than a task may,
 * as two of about equal cost, each split again as needed. */
static void plan_task(struct planner *P, size_t *cells, size_t n)
{
    struct runner *R = P->R;
    double cost = 0;
    for (size_t i = 0; i < n; i++)
        cost += P->cost[cells[i]];
    if (n == 1 || P->rc != LAB_OK || (!(cost > P->limit) && !too_big(P, cells, n))) {
        if (P->rc != LAB_OK)
            return;
        size_t off = R->ntasks ? R->tasks[R->ntasks - 1].off + R->tasks[R->ntasks - 1].n : 0;
        memmove(R->tcells + off, cells, n * sizeof *cells);
        R->tasks[R->ntasks++] = (struct task){ cost, off, n };
        return;
    }
    /* Longest first, each to the lighter half; then each half in table
     * order. it[].index is a place in cells[]. */
    struct order_item *it = malloc(n * sizeof *it);
    size_t *sorted = malloc(n * sizeof *sorted);
    char *side = malloc(n);
    if (!it || !sorted || !side) {
        free(it);
        free(sorted);
        free(side);
        P->rc = LAB_ENOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++)
        it[i] = (struct order_item){ P->cost[cells[i]], i };
    qsort(it, n, sizeof *it, by_cost_desc);
    double load[2] = { 0, 0 };
    size_t half[2] = { 0, 0 };
    for (size_t i = 0; i < n; i++) {
        int h = load[1] < load[0];
        load[h] += it[i].cost;
        half[h]++;
        side[it[i].index] = (char)h;
    }
    for (size_t i = 0, a = 0, b = half[0]; i < n; i++)
        sorted[side[i] ? b++ : a++] = cells[i];
    memcpy(cells, sorted, n * sizeof *cells);
    free(it);
    free(sorted);
    free(side);
    plan_task(P, cells, half[0]);
    plan_task(P, cells + half[0], half[1]);
}

static int by_task_cost_desc(const void *pa, const void *pb)
{
    const struct task *a = pa, *b = pb;
    if (a->cost != b->cost)
        return a->cost > b->cost ? -1 : 1;
    return a->off < b->off ? -1 : a->off > b->off;
}

/* The cells of this run still missing, as tasks (groups: kind.h), longest
 * first, into R->tasks; the number of cells in the run (or shard) into
 * *total. A group's cells stay in one shard. Tasks are split so that none
 * holds more memory than opts->group_bytes, and, with several workers,
 * none costs more than an eighth of a worker's share (so that the last
 * tasks to finish leave the workers idle little: 9 groups of 8 students on
 * 2 workers took 11 % longer whole than as 72 cells). */
static int plan_queue(struct runner *R, size_t *total, size_t *nmissing)
{
    const lab_sweep_opts *o = R->o;
    size_t n = R->t->ncells, ng = 0, *shard_of = NULL;
    double *cost = cell_costs(R->c);
    size_t *gcells = malloc((n ? n : 1) * sizeof *gcells);
    size_t *gstart = malloc((n + 1) * sizeof *gstart);
    R->tasks = malloc((n ? n : 1) * sizeof *R->tasks);
    R->tcells = malloc((n ? n : 1) * sizeof *R->tcells);
    struct planner P = { .R = R, .cost = cost, .limit = INFINITY };
    P.cfg = calloc(GROUP_MAX, sizeof *P.cfg);
    P.ptr = malloc(GROUP_MAX * sizeof *P.ptr);
    int rc = cost && gcells && gstart && R->tasks && R->tcells && P.cfg && P.ptr ? LAB_OK
                                                                                 : LAB_ENOMEM;
    size_t ncfg = 0;
    for (; rc == LAB_OK && ncfg < GROUP_MAX; ncfg++)
        rc = lab_config_copy(&P.cfg[ncfg], R->c);
    if (rc == LAB_OK && o->nshards > 1) {
        shard_of = malloc((n ? n : 1) * sizeof *shard_of);
        rc = shard_of ? groups_shards(R->c, o->nshards, cost, shard_of) : LAB_ENOMEM;
    }
    if (rc == LAB_OK)
        rc = groups_form(R->c, gcells, gstart, &ng);
    *total = *nmissing = 0;
    double left = 0;
    for (size_t i = 0; i < n && rc == LAB_OK; i++)
        if (!shard_of || shard_of[i] == o->shard) {
            (*total)++;
            left += R->t->rows[i] ? 0.0 : cost[i];
        }
    if (o->jobs > 1)
        P.limit = left / (8.0 * o->jobs);
    P.rc = rc;
    for (size_t g = 0; g < ng && P.rc == LAB_OK; g++) {
        /* The group's missing cells, packed to the front of its slice. */
        size_t m = 0;
        for (size_t k = gstart[g]; k < gstart[g + 1]; k++) {
            size_t i = gcells[k];
            if ((!shard_of || shard_of[i] == o->shard) && !R->t->rows[i])
                gcells[gstart[g] + m++] = i;
        }
        *nmissing += m;
        for (size_t k = 0; k < m && (o->alone || k == 0); k++)
            plan_task(&P, gcells + gstart[g] + k, o->alone ? 1 : m);
    }
    rc = P.rc;
    if (rc == LAB_OK) {
        qsort(R->tasks, R->ntasks, sizeof *R->tasks, by_task_cost_desc);
        /* max_cells: the first tasks, the last one cut short. */
        size_t cells = 0, k = 0;
        for (; k < R->ntasks; k++) {
            if (o->max_cells > 0 && cells + R->tasks[k].n > (size_t)o->max_cells)
                R->tasks[k].n = (size_t)o->max_cells - cells;
            if (R->tasks[k].n == 0)
                break;
            cells += R->tasks[k].n;
            R->task_max = R->tasks[k].n > R->task_max ? R->tasks[k].n : R->task_max;
        }
        R->ntasks = k;
        R->nqueue = cells;
    }
    for (size_t k = 0; P.cfg && k < ncfg; k++)
        lab_config_release(&P.cfg[k]);
    free(P.cfg);
    free(P.ptr);
    free(cost);
    free(gcells);
    free(gstart);
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
    if (!R.t) {
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
    if ((size_t)jobs > R.ntasks)
        jobs = (int)R.ntasks;
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
    rep->tasks = R.next;
    rep->failed = R.failed;
    if (R.t) {
        long status_col = lab_kind_column(lab_config_kind(c), "status");
        for (size_t i = 0; i < R.t->ncells; i++)
            rep->diverged += diverged(R.t, i, status_col);
    }
    if (rc != LAB_OK && !R.t)
        rep->remaining = rep->total;
    lab_results_free(R.t);
    free(R.tasks);
    free(R.tcells);
    return rc;
}
