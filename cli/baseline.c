/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "baseline.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "affine.h"
#include "fileio.h"
#include "status.h"

int lab_baseline_names_teacher(const lab_axis *a)
{
    const char *s = a->key->section;
    return strcmp(s, "experiment") == 0 || strcmp(s, "teacher") == 0 || strcmp(s, "data") == 0
        || strcmp(lab_axis_column(a), "seed") == 0;
}

int lab_baseline_first_of_teacher(const lab_config *c, size_t i)
{
    for (size_t a = 0; a < c->naxes; a++)
        if (!lab_baseline_names_teacher(&c->axes[a]) && lab_config_coord(c, i, a) != 0)
            return 0;
    return 1;
}

double lab_baseline_bytes(const lab_config *c)
{
    lab_config cell;
    double most = 0;
    if (lab_config_copy(&cell, c) != LAB_OK)
        return INFINITY;
    size_t ncells = lab_config_ncells(c);
    for (size_t i = 0; i < ncells; i++) {
        if (!lab_baseline_first_of_teacher(c, i))
            continue;
        if (lab_config_cell(c, i, &cell) != LAB_OK) {
            most = INFINITY;
            break;
        }
        most = fmax(most, lab_affine_baseline_bytes(&cell));
    }
    lab_config_release(&cell);
    return most;
}

/* One teacher's eps_OLS, or the failure, as the child sends it. */
struct eps_msg {
    int rc;
    double eps;
    char err[512];
};

static void one_eps(const lab_config *c, size_t i, lab_config *cell, struct eps_msg *m)
{
    memset(m, 0, sizeof *m); /* all of it goes down the pipe */
    if ((m->rc = lab_config_cell(c, i, cell)) != LAB_OK)
        lab_fail(m->err, sizeof m->err, m->rc, "out of memory");
    else
        m->rc = lab_affine_baseline(cell, &m->eps, m->err, sizeof m->err);
}

/* The child: every teacher's message on fd, in order. */
static void child_eps(const lab_config *c, lab_config *cell, int fd)
{
    size_t ncells = lab_config_ncells(c);
    for (size_t i = 0; i < ncells; i++) {
        if (!lab_baseline_first_of_teacher(c, i))
            continue;
        struct eps_msg m;
        one_eps(c, i, cell, &m);
        const char *p = (const char *)&m;
        for (size_t done = 0; done < sizeof m;) {
            ssize_t w = write(fd, p + done, sizeof m - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                _exit(1);
            done += (size_t)w;
        }
        if (m.rc != LAB_OK)
            break;
    }
    _exit(0);
}

/* Read one message from the child, watching *stop: 1 read, 0 end of the
 * messages, -1 stopped or failed (the child is then killed). */
static int read_eps(pid_t pid, int fd, volatile sig_atomic_t *stop, struct eps_msg *m)
{
    char *p = (char *)m;
    size_t done = 0;
    while (done < sizeof *m) {
        if (*stop)
            break;
        struct pollfd pf = { fd, POLLIN, 0 };
        int r = poll(&pf, 1, 20);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        ssize_t n = read(fd, p + done, sizeof *m - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0 && done == 0)
                return 0;
            break;
        }
        done += (size_t)n;
    }
    if (done == sizeof *m)
        return 1;
    kill(pid, SIGKILL);
    return -1;
}

int lab_baseline_make(const char *rundir, const lab_config *c, volatile sig_atomic_t *stop,
                      lab_baseline *b, char *err, size_t errlen)
{
    *b = (lab_baseline){ 0, 1, NAN, NAN, NAN };
    char *path = lab_path_join(rundir, "baseline.tsv");
    lab_config cell;
    int rc = path ? lab_config_copy(&cell, c) : LAB_ENOMEM;
    if (rc != LAB_OK) {
        free(path);
        return lab_fail(err, errlen, rc, "out of memory");
    }
    /* With a stop flag the least squares (LAPACK, which cannot be
     * interrupted) run in a child that a stop request kills; it writes no
     * file, so nothing is left half-written. */
    int fds[2] = { -1, -1 };
    pid_t pid = -1;
    if (stop) {
        fflush(NULL);
        if (pipe(fds) != 0 || (pid = fork()) < 0) {
            rc = lab_fail(err, errlen, LAB_EIO, "cannot start the baseline: %s",
                          strerror(errno));
            stop = NULL;
        } else if (pid == 0) {
            close(fds[0]);
            child_eps(c, &cell, fds[1]);
        } else {
            close(fds[1]);
            fds[1] = -1;
        }
    }
    lab_atomic at;
    if (rc == LAB_OK)
        rc = lab_atomic_open(&at, path, err, errlen);
    int opened = rc == LAB_OK;
    if (opened) {
        for (size_t a = 0; a < c->naxes; a++)
            if (lab_baseline_names_teacher(&c->axes[a])) {
                fprintf(at.f, "%s\t", lab_axis_column(&c->axes[a]));
                if (strcmp(lab_axis_column(&c->axes[a]), "seed") != 0)
                    b->ncurves *= c->axes[a].n;
            }
        fputs("eps_ols\tlinear_share\n", at.f);
    }
    double logsum = 0;
    size_t ncells = lab_config_ncells(c);
    for (size_t i = 0; i < ncells && rc == LAB_OK; i++) {
        if (!lab_baseline_first_of_teacher(c, i))
            continue;
        struct eps_msg m;
        if (!stop) {
            one_eps(c, i, &cell, &m);
        } else if (read_eps(pid, fds[0], stop, &m) != 1) {
            rc = *stop ? lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted")
                       : lab_fail(err, errlen, LAB_EIO, "the baseline's process failed");
            break;
        }
        if ((rc = m.rc) != LAB_OK) {
            lab_fail(err, errlen, rc, "%s", m.err);
            break;
        }
        for (size_t a = 0; a < c->naxes; a++)
            if (lab_baseline_names_teacher(&c->axes[a]))
                fprintf(at.f, "%s\t", c->axes[a].values[lab_config_coord(c, i, a)]);
        fprintf(at.f, "%.17g\t%.17g\n", m.eps, 1.0 - m.eps);
        logsum += log(m.eps);
        b->min = b->nteachers == 0 || m.eps < b->min ? m.eps : b->min;
        b->max = b->nteachers == 0 || m.eps > b->max ? m.eps : b->max;
        b->nteachers++;
    }
    if (pid > 0) {
        if (rc != LAB_OK)
            kill(pid, SIGKILL);
        close(fds[0]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (rc == LAB_OK)
        rc = lab_atomic_commit(&at, err, errlen);
    else if (opened)
        lab_atomic_abort(&at);
    if (rc == LAB_OK && b->nteachers)
        b->gmean = exp(logsum / (double)b->nteachers);
    lab_config_release(&cell);
    free(path);
    return rc;
}
