/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <configure.h>

#include "dataprune_report.h"

#include <errno.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "fileio.h"
#include "plot.h"
#include "status.h"
#include "strbuf.h"

enum { NAME = 24, FINE = 48, COARSE = 12 };

/* ==== Groups of rows ============================================================ */

/* What a group shares; theta in degrees, as the table has it. */
typedef struct key {
    int mode; /* enum lab_pprune */
    double f, theta, dim, alpha;
    char metric[NAME], learner[NAME];
} key;

typedef struct rec {
    key k;
    double e;    /* the row's test error */
    double seed; /* nan without a seed column */
} rec;

typedef struct group {
    key k;
    int pl;               /* the theory's learner, or -1 */
    size_t n;             /* seeds */
    double mean, sem;     /* over seeds; sem nan below two seeds */
    double theory;        /* nan where none applies */
} group;

static int cmp_num(double a, double b)
{
    return a < b ? -1 : a > b;
}

/* Curves (all but alpha) first, then alpha: a curve's groups are adjacent
 * and in increasing alpha. */
static int cmp_curve(const key *a, const key *b)
{
    int c;
    if ((c = (a->mode > b->mode) - (a->mode < b->mode)))
        return c;
    if ((c = strcmp(a->metric, b->metric)) || (c = strcmp(a->learner, b->learner)))
        return c;
    if ((c = cmp_num(a->dim, b->dim)) || (c = cmp_num(a->theta, b->theta)))
        return c;
    return cmp_num(a->f, b->f);
}

static int cmp_key(const key *a, const key *b)
{
    int c = cmp_curve(a, b);
    return c ? c : cmp_num(a->alpha, b->alpha);
}

static int cmp_rec(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    int c = cmp_key(&x->k, &y->k);
    return c ? c : cmp_num(x->seed, y->seed);
}

static int by_value(const void *a, const void *b)
{
    return cmp_num(*(const double *)a, *(const double *)b);
}

/* The pareto family of a key: all but f and alpha. */
static int same_family(const key *a, const key *b)
{
    return a->mode == b->mode && strcmp(a->metric, b->metric) == 0
           && strcmp(a->learner, b->learner) == 0 && a->dim == b->dim && a->theta == b->theta;
}

/* The crossover family: all but the mode and alpha. */
static int same_pair(const key *a, const key *b)
{
    return strcmp(a->metric, b->metric) == 0 && strcmp(a->learner, b->learner) == 0
           && a->dim == b->dim && a->theta == b->theta && a->f == b->f;
}

/* Whether the solver describes the groups of k with learner pl: the
 * margin metric (the only score the theory knows), theta = 0 but for
 * maxmargin (THEORY.md section 11.2), alpha in its range. */
static int applies(const key *k, int pl)
{
    if (pl < 0 || !(k->alpha > 0 && k->alpha <= 1000))
        return 0;
    if (k->mode == LAB_PPRUNE_NONE)
        return 1;
    if (strcmp(k->metric, "margin") != 0 || !(k->theta * M_PI / 180 <= 1.5))
        return 0;
    return k->theta == 0 || pl == LAB_PLEARNER_MAXMARGIN;
}

/* A cell's text, or the config's value when the column is absent (an axis
 * not swept); "" when neither has one. */
static const char *text_of(const lab_table *t, size_t r, long col, const lab_config *c,
                           const char *fullname, lab_strbuf *b)
{
    if (col >= 0)
        return lab_table_cell(t, r, (size_t)col);
    lab_strbuf_reset(b);
    if (lab_config_value_text(c, fullname, b) != LAB_OK || b->failed)
        return "";
    return lab_strbuf_str(b);
}

static void copy_name(char *dst, const char *src)
{
    snprintf(dst, NAME, "%s", src);
}

/* The ok rows of t that are pruned, or unpruned on white inputs, as
 * records sorted by key; *nrec of them. */
static int gather(const lab_table *t, const lab_config *c, rec **out, size_t *nrec, char *err,
                  size_t errlen)
{
    long ca = lab_table_col(t, "alpha"), cl = lab_table_col(t, "learner");
    long ce = lab_table_col(t, "test_error"), cst = lab_table_col(t, "status");
    long cp = lab_table_col(t, "prune"), cf = lab_table_col(t, "prune_fraction");
    long ct = lab_table_col(t, "probe_angle"), cm = lab_table_col(t, "prune_metric");
    long cd = lab_table_col(t, "perceptron.dim"), cb = lab_table_col(t, "data.bandlimit");
    long cs = lab_table_col(t, "seed");
    *out = NULL;
    *nrec = 0;
    if (ca < 0 || cl < 0 || ce < 0 || cst < 0)
        return lab_fail(err, errlen, LAB_EFORMAT, "%s: not a table of the kind perceptron "
                        "(alpha, learner, test_error, status)", t->path);
    rec *R = malloc((t->nrows ? t->nrows : 1) * sizeof *R);
    if (!R)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    lab_strbuf b = LAB_STRBUF_INIT;
    int rc = LAB_OK;
    size_t n = 0;
    for (size_t r = 0; r < t->nrows && rc == LAB_OK; r++) {
        if (strcmp(lab_table_cell(t, r, (size_t)cst), "ok") != 0)
            continue;
        rec *x = &R[n];
        memset(x, 0, sizeof *x);
        int mode = lab_pprune_parse(text_of(t, r, cp, c, "perceptron.prune", &b));
        x->k.mode = mode < 0 ? LAB_PPRUNE_NONE : mode;
        const char *band = text_of(t, r, cb, c, "data.bandlimit", &b);
        if (x->k.mode == LAB_PPRUNE_NONE && band[0] && strtod(band, NULL) >= 0)
            continue; /* band-limited: perceptron_report.c's part */
        x->k.f = strtod(text_of(t, r, cf, c, "perceptron.prune_fraction", &b), NULL);
        x->k.theta = strtod(text_of(t, r, ct, c, "perceptron.probe_angle", &b), NULL);
        x->k.dim = strtod(text_of(t, r, cd, c, "perceptron.dim", &b), NULL);
        copy_name(x->k.metric, text_of(t, r, cm, c, "perceptron.prune_metric", &b));
        copy_name(x->k.learner, lab_table_cell(t, r, (size_t)cl));
        if (b.failed)
            rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        if (rc == LAB_OK)
            rc = lab_table_number(t, r, (size_t)ca, &x->k.alpha, err, errlen);
        if (rc == LAB_OK)
            rc = lab_table_number(t, r, (size_t)ce, &x->e, err, errlen);
        x->seed = NAN;
        if (rc == LAB_OK && cs >= 0)
            rc = lab_table_number(t, r, (size_t)cs, &x->seed, err, errlen);
        /* f and theta do not act on unpruned rows: one curve, whatever the
         * sweep gave them (its repeats are dropped in make_groups()). */
        if (x->k.mode == LAB_PPRUNE_NONE)
            x->k.f = 1, x->k.theta = 0;
        if (rc == LAB_OK && isfinite(x->e) && isfinite(x->k.alpha))
            n++;
    }
    lab_strbuf_release(&b);
    if (rc != LAB_OK) {
        free(R);
        return rc;
    }
    qsort(R, n, sizeof *R, cmp_rec);
    *out = R;
    *nrec = n;
    return LAB_OK;
}

/* The records' groups: means and standard errors by GSL. */
static int make_groups(const rec *R, size_t nrec, group **out, size_t *ngroup, char *err,
                       size_t errlen)
{
    group *G = malloc((nrec ? nrec : 1) * sizeof *G);
    double *e = malloc((nrec ? nrec : 1) * sizeof *e);
    if (!G || !e) {
        free(G);
        free(e);
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    }
    size_t ng = 0;
    for (size_t i = 0; i < nrec;) {
        size_t j = i;
        size_t m = 0;
        for (; j < nrec && cmp_key(&R[j].k, &R[i].k) == 0; j++)
            if (!(j > i && R[j].k.mode == LAB_PPRUNE_NONE && R[j].seed == R[j - 1].seed))
                e[m++] = R[j].e; /* an unpruned cell repeated for each f counts once */
        group *g = &G[ng++];
        g->k = R[i].k;
        g->pl = lab_plearner_parse(g->k.learner);
        g->n = m;
        g->mean = gsl_stats_mean(e, 1, g->n);
        g->sem = g->n > 1 ? gsl_stats_sd(e, 1, g->n) / sqrt((double)g->n) : NAN;
        g->theory = NAN;
        i = j;
    }
    free(e);
    *out = G;
    *ngroup = ng;
    return LAB_OK;
}

/* ==== The theory, each point solved once ====================================== */

/* A point of the theory (theta in degrees) and its error; rc and why as
 * the solver said (why allocated only on failure). used: the report has
 * asked for it (a point solved ahead counts its failure when first asked
 * for, as the serial path would, so the warning is the same). */
typedef struct tpoint {
    int pl, mode;
    double f, theta, alpha, e;
    int rc, used;
    char *why;
} tpoint;

typedef struct theo {
    lab_ptheory *w;
    tpoint *p;
    size_t n, cap;
    volatile sig_atomic_t *stop;
    size_t failed;        /* points the solver refused or failed: nan */
    char first[640];      /* the first of its messages */
} theo;

static void theo_release(theo *T)
{
    for (size_t i = 0; i < T->n; i++)
        free(T->p[i].why);
    free(T->p);
    lab_ptheory_free(T->w);
}

static tpoint *find_point(const theo *T, int pl, int mode, double f, double theta, double alpha)
{
    for (size_t i = 0; i < T->n; i++) {
        tpoint *p = &T->p[i];
        if (p->pl == pl && p->mode == mode && p->f == f && p->theta == theta
            && p->alpha == alpha)
            return p;
    }
    return NULL;
}

/* Room for one more point in T. */
static int grow(theo *T, char *err, size_t errlen)
{
    if (T->n < T->cap)
        return LAB_OK;
    size_t cap = T->cap ? 2 * T->cap : 64;
    tpoint *p = realloc(T->p, cap * sizeof *p);
    if (!p)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    T->p = p;
    T->cap = cap;
    return LAB_OK;
}

/* Solve point p with workspace w into p->e, p->rc and why (whyl bytes). */
static void solve_point(lab_ptheory *w, tpoint *p, char *why, size_t whyl)
{
    lab_ptheory_prune prune = { (enum lab_pprune)p->mode, p->f, p->theta * M_PI / 180 };
    lab_perceptron_state s;
    why[0] = '\0';
    p->rc = lab_ptheory_solve_pruned(w, (enum lab_plearner)p->pl, p->alpha, &prune, &s, why,
                                     whyl);
    p->e = p->rc == LAB_OK ? s.test_error : NAN;
}

/* The theory's error of learner pl at alpha (theta in degrees; mode none
 * ignores f and theta), nan when the solver fails there (counted). */
static int theory_at(theo *T, int pl, int mode, double f, double theta, double alpha, double *e,
                     char *err, size_t errlen)
{
    if (mode == LAB_PPRUNE_NONE)
        f = 1, theta = 0;
    tpoint *p = find_point(T, pl, mode, f, theta, alpha);
    if (!p) {
        if (T->stop && *T->stop)
            return lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted");
        int rc = grow(T, err, errlen);
        if (rc != LAB_OK)
            return rc;
        char why[256];
        tpoint q = { pl, mode, f, theta, alpha, NAN, LAB_OK, 0, NULL };
        solve_point(T->w, &q, why, sizeof why);
        if (q.rc == LAB_ENOMEM)
            return lab_fail(err, errlen, q.rc, "out of memory");
        if (q.rc != LAB_OK && !(q.why = strdup(why)))
            return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        p = &T->p[T->n++];
        *p = q;
    }
    if (!p->used && p->rc != LAB_OK && T->failed++ == 0)
        snprintf(T->first, sizeof T->first, "%s %s f = %g theta = %g alpha = %g: %s",
                 lab_plearner_names[pl], lab_pprune_names[mode], f, theta, alpha, p->why);
    p->used = 1;
    *e = p->e;
    return LAB_OK;
}

/* How many log-spaced alphas a theory line gets: the 2-D quadrature of
 * maxmargin at theta > 0 takes seconds a point, so it gets the run's
 * alphas only; gibbs and bayes on pruned data a fraction of a second. */
static size_t grid_points(const key *k, int pl)
{
    if (k->mode != LAB_PPRUNE_NONE && k->theta > 0)
        return 0;
    if (k->mode != LAB_PPRUNE_NONE && (pl == LAB_PLEARNER_GIBBS || pl == LAB_PLEARNER_BAYES))
        return COARSE;
    return FINE;
}

/* The grid of theory lines: the run's alphas (all groups'), and m
 * log-spaced ones from the smallest / 1.5 to the largest x 1.5 (at most
 * 1000); *n of them, increasing, distinct. */
static int make_grid(const group *G, size_t ng, size_t m, double **out, size_t *n, char *err,
                     size_t errlen)
{
    double *x = malloc((ng + m + 1) * sizeof *x), lo = INFINITY, hi = 0;
    if (!x)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < ng; i++)
        if (G[i].k.alpha > 0 && G[i].k.alpha <= 1000) {
            x[k++] = G[i].k.alpha;
            lo = fmin(lo, G[i].k.alpha / 1.5);
            hi = fmin(1000, fmax(hi, G[i].k.alpha * 1.5));
        }
    for (size_t i = 0; k > 0 && i < m; i++)
        x[k++] = lo * pow(hi / lo, (double)i / (double)(m - 1));
    qsort(x, k, sizeof *x, by_value);
    size_t d = 0;
    for (size_t i = 0; i < k; i++)
        if (d == 0 || x[i] != x[d - 1])
            x[d++] = x[i];
    *out = x;
    *n = d;
    return LAB_OK;
}

/* ==== The slow points ahead, on worker processes ================================ */

/* One solved point, as a worker sends it down its pipe. */
typedef struct tmsg {
    size_t index; /* into the points to solve */
    int rc;
    double e;
    char why[256];
} tmsg;

/* The worker k of nw: points k, k + nw, ... of P (n of them) with a
 * workspace of its own, a message each on fd. */
_Noreturn static void worker(tpoint *P, size_t n, size_t k, size_t nw, int fd, pid_t parent)
{
#ifdef HAVE_SYS_PRCTL_H
    /* Dies with the report's process, as the sweep's workers do (src/sweep.c);
     * where prctl is refused, at its next write into the closed pipe. */
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(1);
#else
    (void)parent;
#endif
    lab_ptheory *w = lab_ptheory_alloc();
    if (!w)
        _exit(1);
    for (size_t i = k; i < n; i += nw) {
        tmsg m;
        memset(&m, 0, sizeof m); /* all of it goes down the pipe */
        m.index = i;
        solve_point(w, &P[i], m.why, sizeof m.why);
        m.rc = P[i].rc;
        m.e = P[i].e;
        const char *b = (const char *)&m;
        for (size_t done = 0; done < sizeof m;) {
            ssize_t wr = write(fd, b + done, sizeof m - done);
            if (wr < 0 && errno == EINTR)
                continue;
            if (wr <= 0)
                _exit(1);
            done += (size_t)wr;
        }
    }
    lab_ptheory_free(w);
    _exit(0);
}

/* The points of maxmargin at theta > 0 the report asks for: each pruned
 * curve at theta > 0 that the theory describes, at every alpha of its
 * lines (grid_points() 0: the groups' alphas). That holds the groups' own
 * points, the pareto frontier's (a family's fractions are curves of its
 * own) and the crossovers' (keep-hard and keep-easy curves at common
 * alphas). Into A, distinct, none already in T. */
static int points_ahead(const theo *T, const group *G, size_t ng, theo *A, char *err,
                        size_t errlen)
{
    double *x;
    size_t nx;
    int rc = make_grid(G, ng, 0, &x, &nx, err, errlen);
    for (size_t i = 0; i < ng && rc == LAB_OK; i++) {
        if (G[i].k.mode == LAB_PPRUNE_NONE || !(G[i].k.theta > 0)
            || (i > 0 && cmp_curve(&G[i - 1].k, &G[i].k) == 0))
            continue; /* the first group of each curve at theta > 0 */
        key k = G[i].k;
        for (size_t a = 0; a < nx && rc == LAB_OK; a++) {
            k.alpha = x[a];
            if (!applies(&k, G[i].pl) || find_point(T, G[i].pl, k.mode, k.f, k.theta, x[a])
                || find_point(A, G[i].pl, k.mode, k.f, k.theta, x[a]))
                continue;
            if ((rc = grow(A, err, errlen)) == LAB_OK)
                A->p[A->n++] = (tpoint){ G[i].pl, k.mode, k.f, k.theta, x[a], NAN, LAB_OK, 0,
                                         NULL };
        }
    }
    free(x);
    return rc;
}

/* Solve the points of points_ahead() on up to jobs worker processes into
 * T's cache, where theory_at() finds them: the same numbers as solving them
 * here, since the solver carries nothing from one point to the next (its
 * workspace holds GSL solvers set anew at each use; the warm starts are
 * the point's own). A worker that
 * cannot start or dies leaves its points to theory_at(). Once *T->stop is
 * set the workers are killed: LAB_EINTERRUPTED. */
static int solve_ahead(theo *T, const group *G, size_t ng, int jobs, char *err, size_t errlen)
{
    if (jobs < 2)
        return LAB_OK;
    theo A = { 0 };
    int rc = points_ahead(T, G, ng, &A, err, errlen);
    size_t nw = A.n < (size_t)jobs ? A.n : (size_t)jobs, started = 0;
    if (rc != LAB_OK || nw < 2) {
        theo_release(&A);
        return rc;
    }
    pid_t *pid = malloc(nw * sizeof *pid);
    int *fd = malloc(nw * sizeof *fd);
    tmsg *m = malloc(nw * sizeof *m);
    size_t *have = calloc(nw, sizeof *have);
    struct pollfd *pf = malloc(nw * sizeof *pf);
    char *got = calloc(A.n, 1);
    if (!pid || !fd || !m || !have || !pf || !got)
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    fflush(NULL); /* nothing buffered twice */
    pid_t parent = getpid();
    for (size_t k = 0; k < nw && rc == LAB_OK; k++) {
        int p[2];
        if (pipe(p) != 0)
            break;
        if ((pid[k] = fork()) < 0) {
            close(p[0]);
            close(p[1]);
            break;
        }
        if (pid[k] == 0) {
            close(p[0]);
            for (size_t j = 0; j < k; j++)
                close(fd[j]);
            worker(A.p, A.n, k, nw, p[1], parent);
        }
        close(p[1]);
        fd[k] = p[0];
        started++;
    }
    for (size_t open = started; open > 0 && rc == LAB_OK;) {
        if (T->stop && *T->stop) {
            rc = lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted");
            break;
        }
        for (size_t k = 0; k < started; k++)
            pf[k] = (struct pollfd){ fd[k], POLLIN, 0 };
        int r = poll(pf, (nfds_t)started, 100);
        if (r < 0 && errno != EINTR)
            rc = lab_fail(err, errlen, LAB_ECHILD, "poll: %s", strerror(errno));
        for (size_t k = 0; k < started && r > 0 && rc == LAB_OK; k++) {
            if (fd[k] < 0 || !pf[k].revents)
                continue;
            ssize_t n = read(fd[k], (char *)&m[k] + have[k], sizeof m[k] - have[k]);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) { /* done, or dead: what it did not send is solved here */
                close(fd[k]);
                fd[k] = -1;
                open--;
                continue;
            }
            if ((have[k] += (size_t)n) < sizeof m[k])
                continue;
            have[k] = 0;
            tpoint *q = m[k].index < A.n ? &A.p[m[k].index] : NULL;
            if (!q || m[k].rc == LAB_ENOMEM)
                continue;
            m[k].why[sizeof m[k].why - 1] = '\0';
            q->rc = m[k].rc;
            q->e = m[k].e;
            if (q->rc != LAB_OK && !q->why && !(q->why = strdup(m[k].why)))
                rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
            got[m[k].index] = 1;
        }
    }
    for (size_t k = 0; k < started; k++) {
        if (fd[k] >= 0) {
            kill(pid[k], SIGKILL);
            close(fd[k]);
        }
        while (waitpid(pid[k], NULL, 0) < 0 && errno == EINTR)
            ;
    }
    for (size_t i = 0; i < A.n && rc == LAB_OK; i++)
        if (got[i] && (rc = grow(T, err, errlen)) == LAB_OK) {
            T->p[T->n++] = A.p[i];
            A.p[i].why = NULL; /* T's now */
        }
    free(pid);
    free(fd);
    free(m);
    free(have);
    free(pf);
    free(got);
    theo_release(&A);
    return rc;
}

/* ==== Crossovers ================================================================ */

size_t lab_dataprune_sign_changes(size_t n, const double *x, const double *d, double *roots,
                              double *lo, double *hi)
{
    size_t m = 0, i = 0;
    while (i < n && !(d[i] != 0 && isfinite(d[i])))
        i++;
    while (i < n) {
        size_t k = i + 1;
        while (k < n && !(d[k] != 0 && isfinite(d[k])))
            k++;
        if (k == n)
            break;
        if ((d[i] > 0) != (d[k] > 0)) {
            size_t z = i + 1;
            while (z < k && d[z] != 0)
                z++;
            roots[m] = k == i + 1 ? x[i] + (x[k] - x[i]) * d[i] / (d[i] - d[k])
                       : z < k    ? x[z]
                                  : x[i] + (x[k] - x[i]) * d[i] / (d[i] - d[k]);
            if (lo)
                lo[m] = x[i];
            if (hi)
                hi[m] = x[k];
            m++;
        }
        i = k;
    }
    return m;
}

typedef struct cross_params {
    lab_ptheory *w;
    enum lab_plearner pl;
    double f, theta;
    int rc;
    char why[256];
} cross_params;

/* The theory's keep-hard error less its keep-easy error at alpha. */
static double theory_difference(double alpha, void *params)
{
    cross_params *p = params;
    lab_perceptron_state hard, easy;
    lab_ptheory_prune h = { LAB_PPRUNE_HARD, p->f, p->theta };
    lab_ptheory_prune e = { LAB_PPRUNE_EASY, p->f, p->theta };
    int rc = lab_ptheory_solve_pruned(p->w, p->pl, alpha, &h, &hard, p->why, sizeof p->why);
    if (rc == LAB_OK)
        rc = lab_ptheory_solve_pruned(p->w, p->pl, alpha, &e, &easy, p->why, sizeof p->why);
    if (rc != LAB_OK) {
        if (p->rc == LAB_OK)
            p->rc = rc;
        return NAN;
    }
    return hard.test_error - easy.test_error;
}

int lab_dataprune_theory_crossover(lab_ptheory *w, enum lab_plearner learner, double fraction,
                               double theta, double lo, double hi, double *root, char *err,
                               size_t errlen)
{
    cross_params p = { w, learner, fraction, theta, LAB_OK, "" };
    *root = NAN;
    if (!(lo > 0 && hi > lo))
        return lab_fail(err, errlen, LAB_EINVAL, "the bracket [%g, %g] is empty", lo, hi);
    double dlo = theory_difference(lo, &p), dhi = theory_difference(hi, &p);
    if (p.rc != LAB_OK)
        return lab_fail(err, errlen, p.rc, "%s", p.why);
    if (dlo == 0 || dhi == 0) {
        *root = dlo == 0 ? lo : hi;
        return LAB_OK;
    }
    if ((dlo > 0) == (dhi > 0))
        return LAB_OK;
    gsl_function fn = { theory_difference, &p };
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    int status = gsl_root_fsolver_set(s, &fn, lo, hi);
    for (int it = 0; status == GSL_SUCCESS && it < 100; it++) {
        status = gsl_root_fsolver_iterate(s);
        if (status != GSL_SUCCESS || p.rc != LAB_OK)
            break;
        status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
                                        gsl_root_fsolver_x_upper(s), 0, 1e-6);
        if (status == GSL_SUCCESS) {
            *root = gsl_root_fsolver_root(s);
            break;
        }
        if (status == GSL_CONTINUE)
            status = GSL_SUCCESS;
    }
    gsl_root_fsolver_free(s);
    if (p.rc != LAB_OK)
        return lab_fail(err, errlen, p.rc, "%s", p.why);
    if (isnan(*root))
        return lab_fail(err, errlen, LAB_ENUMERIC, "the crossover in [%g, %g] did not "
                        "converge: %s", lo, hi, gsl_strerror(status));
    return LAB_OK;
}

/* ==== The tables ============================================================== */

static void put_number(FILE *f, double v)
{
    char buf[40];
    lab_value_format_double(v, buf, sizeof buf);
    fputs(isnan(v) ? "nan" : buf, f);
}

static void put_key(FILE *f, const key *k, int with_mode, int with_f)
{
    if (with_mode)
        fprintf(f, "%s\t", lab_pprune_names[k->mode]);
    if (with_f) {
        put_number(f, k->f);
        fputc('\t', f);
    }
    put_number(f, k->theta);
    fprintf(f, "\t%s\t%s", k->metric, k->learner);
}

static int open_file(lab_atomic *a, const char *rundir, const char *name, char *err,
                     size_t errlen)
{
    char *path = lab_path_join(rundir, name);
    int rc = path ? lab_atomic_open(a, path, err, errlen)
                  : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    free(path);
    return rc;
}

static double alpha_tot(const key *k)
{
    return k->mode == LAB_PPRUNE_NONE ? k->alpha : k->alpha / k->f;
}

/* The theory at every group where it applies, then prune_theory.tsv. */
static int write_groups(const char *rundir, theo *T, group *G, size_t ng, char *err,
                        size_t errlen)
{
    int rc = LAB_OK;
    for (size_t i = 0; i < ng && rc == LAB_OK; i++)
        if (applies(&G[i].k, G[i].pl))
            rc = theory_at(T, G[i].pl, G[i].k.mode, G[i].k.f, G[i].k.theta, G[i].k.alpha,
                           &G[i].theory, err, errlen);
    lab_atomic a;
    if (rc == LAB_OK)
        rc = open_file(&a, rundir, "prune_theory.tsv", err, errlen);
    if (rc != LAB_OK)
        return rc;
    fputs("# The mean test error over seeds of each group of rows against the exact large-N\n"
          "# theory of learning from pruned data (THEORY.md section 11.2; nan: none applies)\n"
          "prune\tprune_fraction\tprobe_angle\tprune_metric\tlearner\talpha\talpha_tot\tdim\t"
          "seeds\ttest_error\tsem\ttheory\trel_dev\tz\n", a.f);
    for (size_t i = 0; i < ng; i++) {
        const group *g = &G[i];
        put_key(a.f, &g->k, 1, 1);
        fputc('\t', a.f);
        put_number(a.f, g->k.alpha);
        fprintf(a.f, "\t%.17g\t", alpha_tot(&g->k));
        put_number(a.f, g->k.dim);
        fprintf(a.f, "\t%zu\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n", g->n, g->mean, g->sem,
                g->theory, g->mean / g->theory - 1, (g->mean - g->theory) / g->sem);
    }
    return lab_atomic_commit(&a, err, errlen);
}

/* One pareto row: the family and alpha of group G[i], over its fractions. */
typedef struct prow {
    size_t at;          /* the group of the best fraction */
    size_t nf;          /* fractions compared */
    double theory_f, theory_e;
} prow;

/* pareto.tsv: per family and alpha with two fractions or more. */
static int write_pareto(const char *rundir, theo *T, const group *G, size_t ng, prow **out,
                        size_t *nout, char *err, size_t errlen)
{
    prow *P = malloc((ng ? ng : 1) * sizeof *P);
    char *done = calloc(ng ? ng : 1, 1);
    size_t np = 0;
    int rc = P && done ? LAB_OK : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    for (size_t i = 0; i < ng && rc == LAB_OK; i++) {
        if (done[i] || G[i].k.mode == LAB_PPRUNE_NONE)
            continue;
        prow p = { i, 0, NAN, NAN };
        int th = 1;
        for (size_t j = i; j < ng && rc == LAB_OK; j++) {
            if (!same_family(&G[i].k, &G[j].k) || G[j].k.alpha != G[i].k.alpha)
                continue;
            done[j] = 1;
            p.nf++;
            if (G[j].mean < G[p.at].mean)
                p.at = j;
            th = th && applies(&G[j].k, G[j].pl);
        }
        /* The theory's best over the same fractions, where it applies to all. */
        for (size_t j = i; j < ng && rc == LAB_OK && th && p.nf >= 2; j++) {
            if (!same_family(&G[i].k, &G[j].k) || G[j].k.alpha != G[i].k.alpha)
                continue;
            double e;
            rc = theory_at(T, G[j].pl, G[j].k.mode, G[j].k.f, G[j].k.theta, G[j].k.alpha, &e,
                           err, errlen);
            if (rc == LAB_OK && (isnan(p.theory_e) || e < p.theory_e))
                p.theory_e = e, p.theory_f = G[j].k.f;
        }
        if (p.nf >= 2)
            P[np++] = p;
    }
    free(done);
    lab_atomic a;
    if (rc == LAB_OK)
        rc = open_file(&a, rundir, "pareto.tsv", err, errlen);
    if (rc != LAB_OK) {
        free(P);
        return rc;
    }
    fputs("# Per alpha_prune, the kept fraction f of smallest mean test error among those\n"
          "# swept (the Pareto frontier; THEORY-SOURCES.md section 5.5) and the theory's\n"
          "prune\tprobe_angle\tprune_metric\tlearner\tdim\talpha\tfractions\tbest_fraction\t"
          "test_error\tsem\talpha_tot\ttheory\ttheory_best_fraction\ttheory_error\n", a.f);
    for (size_t i = 0; i < np; i++) {
        const group *g = &G[P[i].at];
        put_key(a.f, &g->k, 1, 0);
        fputc('\t', a.f);
        put_number(a.f, g->k.dim);
        fputc('\t', a.f);
        put_number(a.f, g->k.alpha);
        fprintf(a.f, "\t%zu\t", P[i].nf);
        put_number(a.f, g->k.f);
        fprintf(a.f, "\t%.17g\t%.17g\t%.17g\t%.17g\t", g->mean, g->sem, alpha_tot(&g->k),
                g->theory);
        put_number(a.f, P[i].theory_f);
        fprintf(a.f, "\t%.17g\n", P[i].theory_e);
    }
    rc = lab_atomic_commit(&a, err, errlen);
    if (rc == LAB_OK) {
        *out = P;
        *nout = np;
    } else
        free(P);
    return rc;
}

/* One crossover row. */
typedef struct xrow {
    key k;              /* the hard group's key, alpha the crossover's */
    size_t nalpha;      /* common alphas */
    double lo, hi, at, theory;
    double at_sem;      /* the first-order standard error of at */
    double interp;      /* the theory's crossover by the same interpolation */
} xrow;

/* The standard error of the crossover x0 = a + (b - a) da / (da - db) of d
 * between a and b, to first order in the errors sa, sb of da and db (the
 * difference of two independent means each): dx0/dda = -(b - a) db /
 * (da - db)^2, dx0/ddb = (b - a) da / (da - db)^2. */
static double crossing_sem(double a, double b, double da, double db, double sa, double sb)
{
    double w = (b - a) / ((da - db) * (da - db));
    return sqrt(w * w * (db * db * sa * sa + da * da * sb * sb));
}

/* The keep-hard and keep-easy groups of a crossover family: hard[i] and
 * easy[i] at common alpha x[i]; *n of them. */
static size_t pair_up(const group *G, size_t ng, const key *k, size_t *hard, size_t *easy,
                      double *x)
{
    size_t n = 0;
    for (size_t i = 0; i < ng; i++) {
        if (G[i].k.mode != LAB_PPRUNE_HARD || !same_pair(&G[i].k, k))
            continue;
        for (size_t j = 0; j < ng; j++)
            if (G[j].k.mode == LAB_PPRUNE_EASY && same_pair(&G[j].k, k)
                && G[j].k.alpha == G[i].k.alpha) {
                hard[n] = i, easy[n] = j, x[n] = G[i].k.alpha;
                n++;
            }
    }
    return n; /* increasing in alpha: G is sorted */
}

/* The theory's crossover for a measured one at `at` in [lo, hi]: in that
 * bracket if the theory changes sign there, else in the bracket of x where
 * it does nearest at (any, when at is nan). */
static int theory_crossover(theo *T, const key *k, int pl, size_t n, const double *x,
                            double lo, double hi, double at, double *root, double *interp,
                            char *err, size_t errlen)
{
    double *d = malloc((n ? n : 1) * 4 * sizeof *d);
    if (!d)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    double *r = d + n, *blo = r + n, *bhi = blo + n;
    int rc = LAB_OK;
    *root = *interp = NAN;
    for (size_t i = 0; i < n && rc == LAB_OK; i++) {
        double eh, ee;
        rc = theory_at(T, pl, LAB_PPRUNE_HARD, k->f, k->theta, x[i], &eh, err, errlen);
        if (rc == LAB_OK)
            rc = theory_at(T, pl, LAB_PPRUNE_EASY, k->f, k->theta, x[i], &ee, err, errlen);
        d[i] = eh - ee;
    }
    size_t m = rc == LAB_OK ? lab_dataprune_sign_changes(n, x, d, r, blo, bhi) : 0;
    size_t best = m;
    for (size_t i = 0; i < m; i++)
        if (blo[i] == lo && bhi[i] == hi) {
            best = i;
            break;
        } else if (best == m || fabs(r[i] - at) < fabs(r[best] - at))
            best = i;
    if (best < m) {
        *interp = r[best];
        rc = T->stop && *T->stop ? lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted")
                                 : lab_dataprune_theory_crossover(T->w, (enum lab_plearner)pl,
                                                              k->f, k->theta * M_PI / 180,
                                                              blo[best], bhi[best], root, err,
                                                              errlen);
        if (rc == LAB_EINVAL || rc == LAB_ENUMERIC) {
            if (T->failed++ == 0)
                snprintf(T->first, sizeof T->first, "crossover: %s", err);
            rc = LAB_OK;
        }
    }
    free(d);
    return rc;
}

/* crossover.tsv: per crossover family, its sign changes. */
static int write_crossover(const char *rundir, theo *T, const group *G, size_t ng,
                           xrow **out, size_t *nout, char *err, size_t errlen)
{
    size_t *hard = malloc((ng ? ng : 1) * 2 * sizeof *hard);
    double *x = malloc((ng ? ng : 1) * 5 * sizeof *x);
    xrow *X = malloc((ng ? ng : 1) * sizeof *X);
    int rc = hard && x && X ? LAB_OK : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    size_t nx = 0;
    for (size_t i = 0; i < ng && rc == LAB_OK; i++) {
        if (G[i].k.mode != LAB_PPRUNE_HARD || (i > 0 && G[i - 1].k.mode == LAB_PPRUNE_HARD
                                               && same_pair(&G[i - 1].k, &G[i].k)))
            continue; /* the first group of each keep-hard curve */
        size_t *easy = hard + ng, n = pair_up(G, ng, &G[i].k, hard, easy, x);
        if (n < 2)
            continue;
        double *d = x + ng, *r = d + ng, *lo = r + ng, *hi = lo + ng;
        for (size_t j = 0; j < n; j++)
            d[j] = G[hard[j]].mean - G[easy[j]].mean;
        size_t m = lab_dataprune_sign_changes(n, x, d, r, lo, hi);
        int th = applies(&G[hard[0]].k, G[i].pl);
        for (size_t j = 0; j < (m ? m : 1) && rc == LAB_OK; j++) {
            xrow *row = &X[nx++];
            row->k = G[i].k;
            row->nalpha = n;
            row->lo = m ? lo[j] : NAN;
            row->hi = m ? hi[j] : NAN;
            row->at = m ? r[j] : NAN;
            row->theory = row->interp = NAN;
            row->at_sem = NAN;
            for (size_t q = 0; m && q + 1 < n; q++)
                if (x[q] == lo[j] && x[q + 1] == hi[j]) {
                    const group *h0 = &G[hard[q]], *e0 = &G[easy[q]];
                    const group *h1 = &G[hard[q + 1]], *e1 = &G[easy[q + 1]];
                    row->at_sem = crossing_sem(x[q], x[q + 1], d[q], d[q + 1],
                                               hypot(h0->sem, e0->sem),
                                               hypot(h1->sem, e1->sem));
                }
            if (th)
                rc = theory_crossover(T, &row->k, G[i].pl, n, x, row->lo, row->hi, row->at,
                                      &row->theory, &row->interp, err, errlen);
        }
    }
    free(hard);
    free(x);
    lab_atomic a;
    if (rc == LAB_OK)
        rc = open_file(&a, rundir, "crossover.tsv", err, errlen);
    if (rc != LAB_OK) {
        free(X);
        return rc;
    }
    fputs("# Where keep-hard starts to beat keep-easy, or the reverse: the sign changes of\n"
          "# mean(hard) - mean(easy) between consecutive alphas, interpolated, and the theory's\n"
          "prune_fraction\tprobe_angle\tprune_metric\tlearner\tdim\talphas\talpha_lo\t"
          "alpha_hi\talpha\talpha_sem\talpha_tot\ttheory_alpha\ttheory_alpha_tot\ttheory_interp\n", a.f);
    for (size_t i = 0; i < nx; i++) {
        const xrow *r = &X[i];
        put_number(a.f, r->k.f);
        fputc('\t', a.f);
        put_key(a.f, &r->k, 0, 0);
        fputc('\t', a.f);
        put_number(a.f, r->k.dim);
        fprintf(a.f, "\t%zu\t", r->nalpha);
        put_number(a.f, r->lo);
        fputc('\t', a.f);
        put_number(a.f, r->hi);
        fprintf(a.f, "\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n", r->at, r->at_sem,
                r->at / r->k.f, r->theory, r->theory / r->k.f, r->interp);
    }
    rc = lab_atomic_commit(&a, err, errlen);
    if (rc == LAB_OK) {
        *out = X;
        *nout = nx;
    } else
        free(X);
    return rc;
}

/* ==== Figures ================================================================== */

/* A figure's data file, its blocks separated by two blank lines. */
typedef struct dat {
    lab_atomic a;
    size_t blocks;
} dat;

static int dat_open(dat *d, const char *figdir, const char *name, const char *what,
                    char *err, size_t errlen)
{
    d->blocks = 0;
    int rc = open_file(&d->a, figdir, name, err, errlen);
    if (rc == LAB_OK)
        fprintf(d->a.f, "# %s\n", what);
    return rc;
}

static void dat_block(dat *d, const char *title)
{
    fprintf(d->a.f, "%s# ", d->blocks++ ? "\n\n" : "");
    lab_plot_text(d->a.f, title, 0);
    fputc('\n', d->a.f);
}

/* A point with its error bar: x, mean, mean - sem, mean + sem, seeds. */
static void dat_point(dat *d, double x, const group *g)
{
    double s = isnan(g->sem) ? 0 : g->sem;
    fprintf(d->a.f, "%.17g\t%.17g\t%.17g\t%.17g\t%zu\n", x, g->mean, g->mean - s, g->mean + s,
            g->n);
}

/* "hard f=0.2 theta=10 maxmargin", with the metric and the dimension when
 * the run has several. */
static void title_of(lab_strbuf *b, const key *k, int mode, int f, int metric, int dim)
{
    lab_strbuf_reset(b);
    if (mode)
        lab_strbuf_printf(b, "%s ", lab_pprune_names[k->mode]);
    if (f && k->mode != LAB_PPRUNE_NONE)
        lab_strbuf_printf(b, "f=%g ", k->f);
    if (k->mode != LAB_PPRUNE_NONE)
        lab_strbuf_printf(b, "theta=%g ", k->theta);
    if (metric && k->mode != LAB_PPRUNE_NONE)
        lab_strbuf_printf(b, "%s ", k->metric);
    if (dim)
        lab_strbuf_printf(b, "N=%g ", k->dim);
    lab_strbuf_puts(b, k->learner);
}

/* What a figure is told in its settings. */
typedef struct figure {
    const char *name;
    lab_strbuf titles;  /* of the data blocks, a word each */
    lab_strbuf lines;   /* per theory block, the data block (from 1) it goes with */
    size_t ncurves, nlines;
    int many_metric, many_dim;
} figure;

static int render(const char *figdir, figure *F, const lab_config *c,
                  volatile sig_atomic_t *stop, char *warning, size_t warnlen, char *err,
                  size_t errlen)
{
    char *settings = NULL;
    size_t len;
    FILE *f = open_memstream(&settings, &len);
    if (!f)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    fprintf(f, "datafile = '%s.dat'\nlinesfile = '%s_theory.dat'\nexperiment = \"", F->name,
            F->name);
    lab_plot_text(f, c->name, 0);
    fprintf(f, "\"\nncurves = %zu\nnlines = %zu\ntitles = \"", F->ncurves, F->nlines);
    lab_plot_text(f, F->titles.failed ? "" : lab_strbuf_str(&F->titles), 0);
    fprintf(f, "\"\nlinecurve = \"%s\"\n", F->lines.failed ? "" : lab_strbuf_str(&F->lines));
    if (fclose(f) != 0 || F->titles.failed || F->lines.failed) {
        free(settings);
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    }
    char warn[512] = "";
    int rc = lab_plot_render(figdir, F->name, F->name, (enum lab_plot_format)c->format,
                             settings, stop, warn, sizeof warn, err, errlen);
    if (warn[0] && warning && !warning[0])
        snprintf(warning, warnlen, "%s", warn);
    free(settings);
    return rc;
}

/* Add one word (spaces made underscores) to a list of titles. */
static void add_title(figure *F, const lab_strbuf *t)
{
    if (F->titles.len)
        lab_strbuf_puts(&F->titles, " ");
    for (const char *s = t->failed ? "?" : lab_strbuf_str(t); *s; s++)
        lab_strbuf_add(&F->titles, *s == ' ' ? "_" : s, 1);
}

/* The theory of curve k (learner pl) on its grid, as a block of lines
 * (x = alpha / scale) for data block `curve`; nothing where it has no
 * point. */
static int theory_block(dat *L, figure *F, theo *T, const group *G, size_t ng, key k, int pl,
                        double scale, size_t curve, const char *title, char *err,
                        size_t errlen)
{
    double *x;
    size_t n, m = 0;
    int rc = make_grid(G, ng, grid_points(&k, pl), &x, &n, err, errlen);
    for (size_t i = 0; i < n && rc == LAB_OK; i++) {
        double e = NAN;
        k.alpha = x[i];
        if (applies(&k, pl))
            rc = theory_at(T, pl, k.mode, k.f, k.theta, x[i], &e, err, errlen);
        if (rc == LAB_OK && isfinite(e)) {
            if (m++ == 0) {
                dat_block(L, title);
                lab_strbuf_printf(&F->lines, "%s%zu", F->nlines++ ? " " : "", curve);
            }
            fprintf(L->a.f, "%.17g\t%.17g\n", x[i] / scale, e);
        }
    }
    free(x);
    return rc;
}

static int commit_both(dat *D, dat *L, int rc, char *err, size_t errlen)
{
    if (rc == LAB_OK)
        rc = lab_atomic_commit(&D->a, err, errlen);
    else
        lab_atomic_abort(&D->a);
    if (rc == LAB_OK)
        rc = lab_atomic_commit(&L->a, err, errlen);
    else
        lab_atomic_abort(&L->a);
    return rc;
}

static int open_both(dat *D, dat *L, const char *figdir, const char *name, const char *what,
                     char *err, size_t errlen)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_strbuf_printf(&b, "%s.dat", name);
    int rc = b.failed ? lab_fail(err, errlen, LAB_ENOMEM, "out of memory")
                      : dat_open(D, figdir, lab_strbuf_str(&b), what, err, errlen);
    lab_strbuf_reset(&b);
    lab_strbuf_printf(&b, "%s_theory.dat", name);
    if (rc == LAB_OK) {
        rc = b.failed ? lab_fail(err, errlen, LAB_ENOMEM, "out of memory")
                      : dat_open(L, figdir, lab_strbuf_str(&b), "the theory per curve: x, "
                                 "test error", err, errlen);
        if (rc != LAB_OK)
            lab_atomic_abort(&D->a);
    }
    lab_strbuf_release(&b);
    return rc;
}

/* figures/prune_theory.*: every curve against alpha_prune. */
static int fig_theory(const char *figdir, figure *F, theo *T, const group *G, size_t ng,
                      char *err, size_t errlen)
{
    dat D, L;
    int rc = open_both(&D, &L, figdir, F->name, "per curve: alpha_prune, mean test error, "
                       "mean - sem, mean + sem, seeds", err, errlen);
    if (rc != LAB_OK)
        return rc;
    lab_strbuf b = LAB_STRBUF_INIT;
    for (size_t i = 0; i < ng && rc == LAB_OK;) {
        size_t j = i;
        title_of(&b, &G[i].k, 1, 1, F->many_metric, F->many_dim);
        dat_block(&D, b.failed ? "" : lab_strbuf_str(&b));
        add_title(F, &b);
        F->ncurves++;
        for (; j < ng && cmp_curve(&G[j].k, &G[i].k) == 0; j++)
            dat_point(&D, G[j].k.alpha, &G[j]);
        rc = theory_block(&L, F, T, G, ng, G[i].k, G[i].pl, 1, F->ncurves,
                          b.failed ? "" : lab_strbuf_str(&b), err, errlen);
        i = j;
    }
    lab_strbuf_release(&b);
    return commit_both(&D, &L, rc, err, errlen);
}

/* figures/pareto.*: the keep-hard curves of each family with a pareto row,
 * then the family's frontier (measured; the theory's as lines). */
static int fig_pareto(const char *figdir, figure *F, theo *T, const group *G, size_t ng,
                      const prow *P, size_t np, char *err, size_t errlen)
{
    dat D, L;
    int rc = open_both(&D, &L, figdir, F->name, "per keep-hard curve, then per frontier: "
                       "alpha_prune, mean test error, mean - sem, mean + sem, seeds", err,
                       errlen);
    if (rc != LAB_OK)
        return rc;
    lab_strbuf b = LAB_STRBUF_INIT, fr = LAB_STRBUF_INIT;
    double *fs = malloc((ng ? ng : 1) * sizeof *fs);
    size_t *order = malloc((np ? np : 1) * sizeof *order);
    if (!fs || !order)
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    for (size_t i = 0; i < ng && rc == LAB_OK; i++) {
        /* The first group of each keep-hard family that has pareto rows. */
        if (G[i].k.mode != LAB_PPRUNE_HARD || (i > 0 && same_family(&G[i - 1].k, &G[i].k)))
            continue;
        size_t no = 0;
        for (size_t p = 0; p < np; p++)
            if (same_family(&G[P[p].at].k, &G[i].k)) {
                size_t q = no++; /* insertion by alpha */
                while (q > 0 && G[P[order[q - 1]].at].k.alpha > G[P[p].at].k.alpha) {
                    order[q] = order[q - 1];
                    q--;
                }
                order[q] = p;
            }
        if (no == 0)
            continue;
        size_t nf = 0, j = i;
        for (; j < ng && same_family(&G[j].k, &G[i].k); j++) {
            if (j == i || G[j].k.f != G[j - 1].k.f) {
                fs[nf++] = G[j].k.f;
                title_of(&b, &G[j].k, 0, 1, F->many_metric, F->many_dim);
                dat_block(&D, b.failed ? "" : lab_strbuf_str(&b));
                add_title(F, &b);
                F->ncurves++;
            }
            dat_point(&D, G[j].k.alpha, &G[j]);
        }
        title_of(&b, &G[i].k, 0, 0, F->many_metric, F->many_dim);
        lab_strbuf_reset(&fr);
        lab_strbuf_printf(&fr, "frontier %s", b.failed ? "" : lab_strbuf_str(&b));
        dat_block(&D, fr.failed ? "" : lab_strbuf_str(&fr));
        add_title(F, &fr);
        F->ncurves++;
        for (size_t q = 0; q < no; q++)
            dat_point(&D, G[P[order[q]].at].k.alpha, &G[P[order[q]].at]);
        /* The theory's frontier over the family's fractions, on its grid. */
        double *x;
        size_t n, m = 0;
        if (!applies(&G[i].k, G[i].pl) || nf < 2)
            continue;
        rc = make_grid(G, ng, grid_points(&G[i].k, G[i].pl), &x, &n, err, errlen);
        for (size_t a = 0; a < n && rc == LAB_OK; a++) {
            double best = NAN;
            key k = G[i].k;
            k.alpha = x[a];
            for (size_t q = 0; q < nf && rc == LAB_OK && applies(&k, G[i].pl); q++) {
                double e;
                rc = theory_at(T, G[i].pl, k.mode, fs[q], k.theta, x[a], &e, err, errlen);
                if (rc == LAB_OK && isfinite(e) && !(e >= best))
                    best = e;
            }
            if (rc == LAB_OK && isfinite(best)) {
                if (m++ == 0) {
                    dat_block(&L, fr.failed ? "" : lab_strbuf_str(&fr));
                    lab_strbuf_printf(&F->lines, "%s%zu", F->nlines++ ? " " : "", F->ncurves);
                }
                fprintf(L.a.f, "%.17g\t%.17g\n", x[a], best);
            }
        }
        free(x);
    }
    free(fs);
    free(order);
    lab_strbuf_release(&b);
    lab_strbuf_release(&fr);
    return commit_both(&D, &L, rc, err, errlen);
}

/* figures/crossover.*: per crossover family, keep-hard then keep-easy
 * against alpha_tot, with the theory's. */
static int fig_crossover(const char *figdir, figure *F, theo *T, const group *G, size_t ng,
                         const xrow *X, size_t nx, char *err, size_t errlen)
{
    dat D, L;
    int rc = open_both(&D, &L, figdir, F->name, "per family, keep-hard then keep-easy: "
                       "alpha_tot, mean test error, mean - sem, mean + sem, seeds", err,
                       errlen);
    if (rc != LAB_OK)
        return rc;
    lab_strbuf b = LAB_STRBUF_INIT;
    for (size_t i = 0; i < nx && rc == LAB_OK; i++) {
        if (i > 0 && same_pair(&X[i - 1].k, &X[i].k))
            continue;
        for (int mode = LAB_PPRUNE_HARD; mode <= LAB_PPRUNE_EASY && rc == LAB_OK; mode++) {
            key k = X[i].k;
            k.mode = mode;
            title_of(&b, &k, 1, 1, F->many_metric, F->many_dim);
            dat_block(&D, b.failed ? "" : lab_strbuf_str(&b));
            add_title(F, &b);
            F->ncurves++;
            int pl = -1;
            for (size_t j = 0; j < ng; j++)
                if (G[j].k.mode == mode && same_pair(&G[j].k, &k)) {
                    dat_point(&D, G[j].k.alpha / k.f, &G[j]);
                    pl = G[j].pl;
                }
            rc = theory_block(&L, F, T, G, ng, k, pl, k.f, F->ncurves,
                              b.failed ? "" : lab_strbuf_str(&b), err, errlen);
        }
    }
    lab_strbuf_release(&b);
    return commit_both(&D, &L, rc, err, errlen);
}

/* ==== The report =============================================================== */

/* "pruned rows against their theory (prune_theory.tsv): largest |rel_dev|
 * 2.1 % (hard f=0.2 theta=0 maxmargin at alpha = 3), largest |z| 1.8 (...);
 * 2 crossovers (crossover.tsv): maxmargin f = 0.2 theta = 0 at alpha_prune
 * 2.21 (theory 2.07)". */
static void say(const group *G, size_t ng, const xrow *X, size_t nx, const theo *T,
                char *info, size_t infolen, char *warning, size_t warnlen)
{
    size_t wr = ng, wz = ng, none = 0;
    for (size_t i = 0; i < ng; i++) {
        double r = G[i].mean / G[i].theory - 1, z = (G[i].mean - G[i].theory) / G[i].sem;
        if (G[i].k.mode == LAB_PPRUNE_NONE)
            continue;
        if (isnan(G[i].theory))
            none++;
        if (isfinite(r) && (wr == ng || fabs(r) > fabs(G[wr].mean / G[wr].theory - 1)))
            wr = i;
        if (isfinite(z) && (wz == ng || fabs(z) > fabs((G[wz].mean - G[wz].theory) / G[wz].sem)))
            wz = i;
    }
    lab_strbuf b = LAB_STRBUF_INIT, t = LAB_STRBUF_INIT;
    lab_strbuf_puts(&b, "pruned rows against the theory of pruned data (prune_theory.tsv, "
                    "figures/prune_theory): ");
    if (wr < ng) {
        title_of(&t, &G[wr].k, 1, 1, 0, 0);
        lab_strbuf_printf(&b, "largest |rel_dev| %.1f %% (%s, alpha = %g)",
                          100 * fabs(G[wr].mean / G[wr].theory - 1), lab_strbuf_str(&t),
                          G[wr].k.alpha);
    } else
        lab_strbuf_puts(&b, "no group the theory describes");
    if (wz < ng) {
        title_of(&t, &G[wz].k, 1, 1, 0, 0);
        lab_strbuf_printf(&b, ", largest |z| %.1f (%s, alpha = %g)",
                          fabs((G[wz].mean - G[wz].theory) / G[wz].sem), lab_strbuf_str(&t),
                          G[wz].k.alpha);
    }
    if (none)
        lab_strbuf_printf(&b, "; %zu pruned groups without theory", none);
    size_t nc = 0;
    for (size_t i = 0; i < nx; i++)
        nc += !isnan(X[i].at);
    if (nx)
        lab_strbuf_printf(&b, "; %zu hard/easy crossover%s (crossover.tsv)%s", nc,
                          nc == 1 ? "" : "s", nc ? ":" : "");
    for (size_t i = 0, k = 0; i < nx && k < 4; i++)
        if (!isnan(X[i].at)) {
            lab_strbuf_printf(&b, "%s %s f = %g theta = %g at alpha_prune %.3g +- %.2g "
                              "(theory %.4g, interpolated as measured %.3g)", k++ ? "," : "",
                              X[i].k.learner, X[i].k.f, X[i].k.theta, X[i].at, X[i].at_sem,
                              X[i].theory, X[i].interp);
            if (k == 4 && nc > 4)
                lab_strbuf_puts(&b, ", ...");
        }
    snprintf(info, infolen, "%s", b.failed ? "pruned rows against their theory: out of memory"
                                           : lab_strbuf_str(&b));
    if (T->failed && warning && !warning[0])
        snprintf(warning, warnlen, "the theory of pruned data failed at %zu point%s, left nan "
                 "(first: %s)", T->failed, T->failed == 1 ? "" : "s", T->first);
    lab_strbuf_release(&b);
    lab_strbuf_release(&t);
}

int lab_dataprune_report(const char *rundir, const lab_config *c, const lab_table *t, int jobs,
                         volatile sig_atomic_t *stop, char *info, size_t infolen, char *warning,
                         size_t warnlen, char *err, size_t errlen)
{
    if (info && infolen)
        info[0] = '\0';
    if (warning && warnlen)
        warning[0] = '\0';
    rec *R = NULL;
    group *G = NULL;
    prow *P = NULL;
    xrow *X = NULL;
    size_t nrec = 0, ng = 0, np = 0, nx = 0, pruned = 0;
    theo T = { .w = lab_ptheory_alloc(), .stop = stop };
    figure F[3] = { { .name = "prune_theory" }, { .name = "pareto" }, { .name = "crossover" } };
    char *figdir = lab_path_join(rundir, "figures");
    int rc = T.w && figdir ? gather(t, c, &R, &nrec, err, errlen)
                           : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK)
        rc = make_groups(R, nrec, &G, &ng, err, errlen);
    for (size_t i = 0; i < ng; i++)
        pruned += G[i].k.mode != LAB_PPRUNE_NONE;
    if (rc != LAB_OK || pruned == 0)
        goto done;
    for (size_t i = 0; i < 3; i++) {
        for (size_t j = 1; j < ng; j++) {
            F[i].many_metric |= strcmp(G[j].k.metric, G[0].k.metric) != 0;
            F[i].many_dim |= G[j].k.dim != G[0].k.dim;
        }
    }
    rc = solve_ahead(&T, G, ng, jobs, err, errlen);
    if (rc == LAB_OK)
        rc = write_groups(rundir, &T, G, ng, err, errlen);
    if (rc == LAB_OK)
        rc = write_pareto(rundir, &T, G, ng, &P, &np, err, errlen);
    if (rc == LAB_OK)
        rc = write_crossover(rundir, &T, G, ng, &X, &nx, err, errlen);
    if (rc == LAB_OK)
        rc = lab_mkdirs(figdir, err, errlen);
    if (rc == LAB_OK)
        rc = fig_theory(figdir, &F[0], &T, G, ng, err, errlen);
    if (rc == LAB_OK)
        rc = render(figdir, &F[0], c, stop, warning, warnlen, err, errlen);
    if (rc == LAB_OK && np)
        rc = fig_pareto(figdir, &F[1], &T, G, ng, P, np, err, errlen);
    if (rc == LAB_OK && np && F[1].ncurves)
        rc = render(figdir, &F[1], c, stop, warning, warnlen, err, errlen);
    if (rc == LAB_OK && nx)
        rc = fig_crossover(figdir, &F[2], &T, G, ng, X, nx, err, errlen);
    if (rc == LAB_OK && nx)
        rc = render(figdir, &F[2], c, stop, warning, warnlen, err, errlen);
    if (rc == LAB_OK && info)
        say(G, ng, X, nx, &T, info, infolen, warning, warnlen);
done:
    for (size_t i = 0; i < 3; i++) {
        lab_strbuf_release(&F[i].titles);
        lab_strbuf_release(&F[i].lines);
    }
    theo_release(&T);
    free(figdir);
    free(R);
    free(G);
    free(P);
    free(X);
    return rc;
}
