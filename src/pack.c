/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "pack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


#include "act.h"
#include "blas.h"
#include "clock.h"
#include "dense.h"
#include "optim.h"
#include "status.h"

/* Rows per chunk when evaluating whole datasets, as the trainer's. */
#define EVAL_ROWS 256

/* One student: its network, optimizer and gradient. */
struct member {
    lab_mlp *m;
    lab_optim *opt;
    double *grad;     /* (P) */
    size_t row;       /* its first row in its group's stacked first layer */
    int active;
};

/* Students go through a step in groups whose first layers stack to at most
 * GROUP_ROWS units (or one wider student): the group's first-layer outputs
 * (B, rows) then stay in the core's cache while its students, one after the
 * other, use them, instead of S of them passing through memory. */
#define GROUP_ROWS 512

/* Only students of at most STACK_WIDTH first-layer units are stacked: for a
 * wider one the product's own cost outweighs a call's, and copying its
 * columns out of the stack cost more than stacking saved (bench/pack-bench
 * at width 64: 7 % slower stacked), so its first layer is computed in place,
 * as alone. */
#define STACK_WIDTH 16


/* One student's stopping state in lab_pack_run(): train.c's train_loop()
 * variables, one set per student. */
struct watch {
    double window, best, err;
    long since_check, bad_checks;
};

struct lab_pack {
    lab_train_params p;
    size_t S, n, B, D, L;
    size_t rows;         /* sum of first-layer widths M_1 over all students */
    size_t group_rows;   /* the most rows a group stacks */
    struct member *mem;  /* (S) */
    /* One student's activations at a time, sized for the widest: */
    double **a;          /* a[l], l = 1 .. L+1: (B, sizes[l]) layer outputs */
    double **dz;         /* dz[l], l = 1 .. L: (B, sizes[l]) g'(z) */
    double *delta[2];    /* (B, widest hidden layer): backward ping-pong */
    /* The active students of one group stacked (rows <= group_rows): */
    double *W0, *b0;     /* (rows, D), (rows): W_0, b_0 */
    double *Z0;          /* (B, rows): the first layer's outputs */
    int in_place;        /* the group is one wide student, its Z_1 already in a[1] */
    double *resid;       /* (B) */
    double *ones;        /* (B) */
    double *dense;       /* lab_dense_work_len(B) */
    double *xb, *yb;     /* (B,D), (B): the gathered batch */
    size_t *perm, pos;   /* the permutation stream, as the trainer's */
    lab_mlp_work *eval;  /* for full passes, sized for the widest student */
    double *loss;        /* (S): this step's batch losses, for lab_pack_run() */
    struct watch *watch; /* (S): stopping state, for lab_pack_run() */
    double t[4];         /* seconds per phase (lab_pack_times()) */
};

/* ---- allocation --------------------------------------------------------- */

static void member_release(struct member *s)
{
    lab_optim_free(s->opt);
    free(s->grad);
}

static int member_init(struct member *s, lab_mlp *m, const lab_train_params *p)
{
    s->m = m;
    s->active = 1;
    s->opt = lab_optim_alloc(&p->opt, m->n_params, m->n_weights);
    s->grad = malloc(m->n_params * sizeof *s->grad);
    return s->opt && s->grad ? LAB_OK : LAB_ENOMEM;
}

/* The activations of one student at a time, for the widest of each layer. */
static int acts_alloc(lab_pack *pk)
{
    size_t L = pk->L, B = pk->B, widest = 1;
    if (!(pk->a = calloc(L + 2, sizeof *pk->a)) || !(pk->dz = calloc(L + 2, sizeof *pk->dz)))
        return LAB_ENOMEM;
    for (size_t l = 1; l <= L + 1; l++) {
        size_t M = 1;
        for (size_t s = 0; s < pk->S; s++)
            M = pk->mem[s].m->sizes[l] > M ? pk->mem[s].m->sizes[l] : M;
        if (!(pk->a[l] = malloc(B * M * sizeof(double))))
            return LAB_ENOMEM;
        if (l <= L) {
            if (!(pk->dz[l] = malloc(B * M * sizeof(double))))
                return LAB_ENOMEM;
            widest = M > widest ? M : widest;
        }
    }
    pk->delta[0] = malloc(B * widest * sizeof(double));
    pk->delta[1] = malloc(B * widest * sizeof(double));
    return pk->delta[0] && pk->delta[1] ? LAB_OK : LAB_ENOMEM;
}

/* A workspace for full passes of every student: lab_mlp_work holds (rows,
 * sizes[l]) per layer, so one sized for the widest units of each layer
 * serves them all. */
static lab_mlp_work *eval_work(const lab_pack *pk)
{
    size_t *widths = calloc(pk->L, sizeof *widths);
    if (!widths)
        return NULL;
    for (size_t s = 0; s < pk->S; s++)
        for (size_t l = 0; l < pk->L; l++)
            if (pk->mem[s].m->sizes[l + 1] > widths[l])
                widths[l] = pk->mem[s].m->sizes[l + 1];
    lab_mlp *widest = lab_mlp_alloc(pk->D, pk->L, widths, pk->mem[0].m->act);
    size_t rows = pk->B > EVAL_ROWS ? pk->B : EVAL_ROWS;
    lab_mlp_work *w = widest ? lab_mlp_work_alloc(widest, rows) : NULL;
    lab_mlp_free(widest);
    free(widths);
    return w;
}

lab_pack *lab_pack_alloc(size_t S, lab_mlp *const *students, const lab_train_params *p,
                         size_t n, char *err, size_t errlen)
{
    if (S == 0 || n == 0 || p->steps < 0) {
        lab_fail(err, errlen, LAB_EINVAL, "pack: no students, no points or negative steps");
        return NULL;
    }
    const lab_mlp *m0 = students[0];
    for (size_t s = 0; s < S; s++) {
        const lab_mlp *m = students[s];
        if (m->depth == 0 || m->depth != m0->depth || m->sizes[0] != m0->sizes[0]
            || m->act != m0->act) {
            lab_fail(err, errlen, LAB_EINVAL,
                     "pack: student %zu has depth %zu, input dimension %zu and activation "
                     "%s; the pack needs depth >= 1 and the first's %zu, %zu, %s",
                     s, m->depth, m->sizes[0], lab_act_names[m->act], m0->depth,
                     m0->sizes[0], lab_act_names[m0->act]);
            return NULL;
        }
    }
    lab_pack *pk = calloc(1, sizeof *pk);
    if (!pk)
        goto nomem;
    pk->p = *p;
    pk->p.opt.horizon = p->steps; /* as the trainer sets it */
    pk->S = S;
    pk->n = n;
    pk->B = p->batch == 0 || p->batch > n ? n : p->batch;
    pk->D = m0->sizes[0];
    pk->L = m0->depth;
    for (size_t s = 0; s < S; s++) {
        size_t M = students[s]->sizes[1];
        pk->rows += M;
        pk->group_rows = M > pk->group_rows ? M : pk->group_rows;
    }
    if (pk->group_rows < GROUP_ROWS)
        pk->group_rows = pk->rows < GROUP_ROWS ? pk->rows : GROUP_ROWS;
    if (!(pk->mem = calloc(S, sizeof *pk->mem)))
        goto nomem;
    for (size_t s = 0; s < S; s++) {
        if (member_init(&pk->mem[s], students[s], &pk->p) != LAB_OK)
            goto nomem;
        lab_mlp_backward_prepare(students[s], pk->B); /* the step then never allocates */
    }
    if (acts_alloc(pk) != LAB_OK)
        goto nomem;
    size_t B = pk->B, R = pk->group_rows, D = pk->D;
    pk->W0 = malloc(R * D * sizeof(double));
    pk->b0 = malloc(R * sizeof(double));
    pk->Z0 = malloc(B * R * sizeof(double));
    pk->resid = malloc(B * sizeof(double));
    pk->ones = malloc(B * sizeof(double));
    pk->dense = malloc(lab_dense_work_len(B) * sizeof(double));
    pk->loss = malloc(S * sizeof *pk->loss);
    pk->watch = malloc(S * sizeof *pk->watch);
    if (!pk->loss || !pk->watch || !pk->W0 || !pk->b0 || !pk->Z0 || !pk->resid
        || !pk->ones || !pk->dense || !(pk->eval = eval_work(pk)))
        goto nomem;
    for (size_t i = 0; i < B; i++)
        pk->ones[i] = 1.0;
    if (p->online || B < n) {
        pk->xb = malloc(B * D * sizeof *pk->xb);
        pk->yb = malloc(B * sizeof *pk->yb);
        if (!pk->xb || !pk->yb)
            goto nomem;
    }
    if (!p->online && B < n) {
        if (!(pk->perm = malloc(n * sizeof *pk->perm)))
            goto nomem;
        lab_train_perm_start(n, pk->perm, &pk->pos);
    }
    return pk;
nomem:
    lab_fail(err, errlen, LAB_ENOMEM, "pack: out of memory for %zu students", S);
    lab_pack_free(pk);
    return NULL;
}

void lab_pack_free(lab_pack *pk)
{
    if (!pk)
        return;
    if (pk->mem)
        for (size_t s = 0; s < pk->S; s++)
            member_release(&pk->mem[s]);
    free(pk->mem);
    if (pk->a)
        for (size_t l = 0; l <= pk->L + 1; l++)
            free(pk->a[l]);
    if (pk->dz)
        for (size_t l = 0; l <= pk->L + 1; l++)
            free(pk->dz[l]);
    free(pk->a);
    free(pk->dz);
    free(pk->delta[0]);
    free(pk->delta[1]);
    free(pk->W0);
    free(pk->b0);
    free(pk->Z0);
    free(pk->resid);
    free(pk->ones);
    free(pk->dense);
    free(pk->loss);
    free(pk->watch);
    free(pk->xb);
    free(pk->yb);
    free(pk->perm);
    lab_mlp_work_free(pk->eval);
    free(pk);
}

double lab_pack_bytes(size_t S, size_t n_in, size_t depth, const size_t *widths,
                      const lab_train_params *p, size_t n)
{
    size_t B = p->batch == 0 || p->batch > n ? n : p->batch;
    double vectors = p->opt.type == LAB_OPT_ADAM ? 3 : 2; /* gradient, moments */
    double rows = 0, group = 0, bytes = sizeof(lab_pack) + (double)S * sizeof(struct member);
    size_t *widest = calloc(depth ? depth : 1, sizeof *widest);
    if (!widest)
        return INFINITY;
    for (size_t s = 0; s < S; s++) {
        const size_t *w = widths + s * depth;
        for (size_t l = 0; l < depth; l++)
            widest[l] = w[l] > widest[l] ? w[l] : widest[l];
        rows += depth ? (double)w[0] : 0;
        bytes += vectors * (double)lab_mlp_count_params(n_in, depth, w) * sizeof(double);
    }
    /* the groups' stacked first layers, as lab_pack_alloc() sizes them */
    group = depth ? (double)widest[0] : 0;
    if (group < GROUP_ROWS)
        group = rows < GROUP_ROWS ? rows : GROUP_ROWS;
    /* one student's activations, two per hidden unit and one output, and two
     * deltas, for the widest of each layer */
    double units = 0, wide = 1;
    for (size_t l = 0; l < depth; l++) {
        units += (double)widest[l];
        wide = (double)widest[l] > wide ? (double)widest[l] : wide;
    }
    bytes += ((double)B * (2.0 * units + 1.0 + 2.0 * wide)
              + 2.0 * group * ((double)n_in + 1.0) + 2.0 * (double)B * group
              + 2.0 * (double)B + (double)lab_dense_work_len(B)
              + (double)B * ((double)n_in + 1.0) + 2.0 * (double)S)
                 * sizeof(double)
             + 2.0 * (double)(depth + 2) * sizeof(double *)
             + (double)S * sizeof(struct watch);
    if (!p->online && B < n) /* the permutation, and lab_pack_run()'s copy of it */
        bytes += 2.0 * (double)n * sizeof(size_t);
    bytes += (double)S; /* lab_pack_run()'s list of students to train */
    /* the workspace for full passes */
    bytes += lab_mlp_bytes(n_in, depth, widest)
             + lab_mlp_work_bytes(depth, widest, B > EVAL_ROWS ? B : EVAL_ROWS);
    free(widest);
    return bytes;
}

size_t lab_pack_size(const lab_pack *pk)
{
    return pk->S;
}

void lab_pack_freeze(lab_pack *pk, size_t s)
{
    pk->mem[s].active = 0;
}

int lab_pack_active(const lab_pack *pk, size_t s)
{
    return pk->mem[s].active;
}

size_t lab_pack_nactive(const lab_pack *pk)
{
    size_t k = 0;
    for (size_t s = 0; s < pk->S; s++)
        k += pk->mem[s].active != 0;
    return k;
}

long lab_pack_steps(const lab_pack *pk, size_t s)
{
    return lab_optim_steps(pk->mem[s].opt);
}

const lab_optim *lab_pack_optim(const lab_pack *pk, size_t s)
{
    return pk->mem[s].opt;
}

void lab_pack_times(const lab_pack *pk, double t[4])
{
    memcpy(t, pk->t, sizeof pk->t);
}

/* ---- the step ----------------------------------------------------------- */

/* The first layers of the active students from `first` on, as many as fit
 * a group, in one product: stack their W_0 and b_0 (M_1 rows each) and
 * Z0 = X W0^T + b0 (B, rows). Sets *end past the group's last student and
 * returns the rows stacked. */
static size_t first_layer(lab_pack *pk, size_t B, const double *X, size_t first, size_t *end)
{
    size_t D = pk->D, R = 0, s = first;
    pk->in_place = 0;
    for (; s < pk->S; s++) {
        struct member *me = &pk->mem[s];
        if (!me->active)
            continue;
        const lab_mlp *m = me->m;
        size_t M = m->sizes[1];
        if (M > STACK_WIDTH) {
            if (R > 0)
                break; /* it starts the next group, alone */
            me->row = 0;
            *end = s + 1;
            pk->in_place = 1;
            lab_dense_forward(B, M, D, X, lab_mlp_w(m, m->theta, 0), lab_mlp_b(m, m->theta, 0),
                              pk->a[1], pk->dense);
            return M;
        }
        if (R > 0 && R + M > pk->group_rows)
            break;
        me->row = R;
        memcpy(pk->W0 + R * D, lab_mlp_w(m, m->theta, 0), M * D * sizeof(double));
        memcpy(pk->b0 + R, lab_mlp_b(m, m->theta, 0), M * sizeof(double));
        R += M;
    }
    *end = s;
    if (R > 0) /* Z0 = X W0^T + b0: X is (B,D), W0 is (R,D), Z0 is (B,R) */
        lab_dense_forward(B, R, D, X, pk->W0, pk->b0, pk->Z0, pk->dense);
    return R;
}

/* One student's forward pass after its first layer's product (its columns
 * of Z0, R wide), and the loss (1/2B) sum (f - y)^2 with the residuals
 * (f - y)/B in pk->resid, as lab_mlp_loss_grad() computes them. */
static double rest_forward(lab_pack *pk, struct member *me, size_t B, size_t R,
                           const double *y)
{
    const lab_mlp *m = me->m;
    size_t M = m->sizes[1];
    for (size_t i = 0; i < B && !pk->in_place; i++)
        memcpy(pk->a[1] + i * M, pk->Z0 + i * R + me->row, M * sizeof(double));
    lab_act_forward(m->act, B * M, pk->a[1], pk->dz[1]);
    for (size_t l = 1; l <= m->depth; l++) {
        size_t n_in = m->sizes[l], n_out = m->sizes[l + 1];
        const double *W = lab_mlp_w(m, m->theta, l), *b = lab_mlp_b(m, m->theta, l);
        if (l == m->depth) {
            lab_mlp_output_sum(B, n_in, pk->a[l], W, b[0], pk->a[l + 1]);
            break;
        }
        /* Z = A_l W_l^T + b_l: A_l (B, n_in), W_l (n_out, n_in) */
        lab_dense_forward(B, n_out, n_in, pk->a[l], W, b, pk->a[l + 1], pk->dense);
        lab_act_forward(m->act, B * n_out, pk->a[l + 1], pk->dz[l + 1]);
    }
    const double *f = pk->a[m->depth + 1];
    double sse = 0.0, scale = 1.0 / (double)B;
    for (size_t i = 0; i < B; i++) {
        double r = f[i] - y[i];
        sse += r * r;
        pk->resid[i] = r * scale; /* dLoss/df_i */
    }
    return 0.5 * sse * scale;
}

/* Backward through layers L .. 1 of one student, as lab_mlp_backward() does
 * it (the same products on the same shapes); returns dLoss/dZ_1 (B, M_1),
 * the first layer's delta, whose gradient is left to the caller. */
static const double *rest_backward(lab_pack *pk, struct member *me, size_t B)
{
    const lab_mlp *m = me->m;
    const double *delta = pk->resid; /* dLoss/dZ_{l+1}: (B, sizes[l+1]) */
    int next = 0;
    for (size_t l = m->depth; l >= 1; l--) {
        size_t n_in = m->sizes[l], n_out = m->sizes[l + 1];
        const double *in = pk->a[l]; /* A_l: (B, n_in) */
        lab_gemm(1, 0, n_out, n_in, B, 1.0, delta, in, 0.0,
                 lab_mlp_w(m, me->grad, l));                  /* dW_l = delta^T A_l */
        lab_gemv_t(B, n_out, 1.0, delta, pk->ones, 0.0,
                   lab_mlp_b(m, me->grad, l));                /* db_l = delta^T 1 */
        double *dZ = pk->delta[next];                         /* (B, n_in) */
        lab_mlp_back_product(B, n_in, n_out, delta, lab_mlp_w(m, m->theta, l), pk->dz[l],
                             dZ);                             /* (delta W_l) * g'(Z_l) */
        next ^= 1;
        delta = dZ;
    }
    return delta;
}

/* One step of the active students [first, end) of a group whose first
 * layers were stacked into R rows. */
static void step_group(lab_pack *pk, size_t B, const double *X, const double *y, double *loss,
                       size_t first, size_t end, size_t R)
{
    size_t D = pk->D;
    double t1, t2, t3;
    for (size_t s = first; s < end; s++) {
        struct member *me = &pk->mem[s];
        if (!me->active)
            continue;
        const lab_mlp *m = me->m;
        size_t M = m->sizes[1];
        t1 = lab_clock_s();
        loss[s] = rest_forward(pk, me, B, R, y);
        t2 = lab_clock_s();
        pk->t[1] += t2 - t1;
        if (!isfinite(loss[s]))
            continue; /* no step, as lab_trainer_step() */
        const double *d1 = rest_backward(pk, me, B);
        /* Per student: OpenBLAS sums an element of a stacked dW_0 = Delta^T
         * X, or of db_0, in an order that can depend on the rows around it
         * (measured with the Haswell kernels at batch 50, and for db_0's
         * gemv), and bit-identity comes first. */
        lab_gemv_t(B, M, 1.0, d1, pk->ones, 0.0,
                   lab_mlp_b(m, me->grad, 0));                /* db_0 = delta^T 1 */
        lab_gemm(1, 0, M, D, B, 1.0, d1, X, 0.0,
                 lab_mlp_w(m, me->grad, 0));                  /* dW_0 = delta^T X */
        t3 = lab_clock_s();
        pk->t[2] += t3 - t2;
        lab_optim_step(me->opt, me->m->theta, me->grad);
        pk->t[3] += lab_clock_s() - t3;
    }
}

static void step_batch(lab_pack *pk, size_t B, const double *X, const double *y, double *loss,
                       double t0)
{
    for (size_t s = 0; s < pk->S; s++)
        loss[s] = NAN;
    for (size_t first = 0, end; first < pk->S; first = end) {
        size_t R = first_layer(pk, B, X, first, &end);
        double t1 = lab_clock_s();
        pk->t[0] += t1 - t0;
        if (R > 0)
            step_group(pk, B, X, y, loss, first, end, R);
        t0 = lab_clock_s();
    }
}

void lab_pack_step_batch(lab_pack *pk, size_t B, const double *X, const double *y,
                         double *loss)
{
    step_batch(pk, B < pk->B ? B : pk->B, X, y, loss, lab_clock_s());
}

void lab_pack_step(lab_pack *pk, const lab_dataset *train, gsl_rng *r, double *loss)
{
    double t0 = lab_clock_s();
    const double *X = train->x, *y = train->y;
    if (pk->B < pk->n) {
        lab_train_next_batch(train, pk->n, pk->B, pk->perm, &pk->pos, r, pk->xb, pk->yb);
        X = pk->xb;
        y = pk->yb;
    }
    step_batch(pk, pk->B, X, y, loss, t0);
}

/* ---- training with the trainer's stopping rules -------------------------- */

double lab_pack_state_bytes(const lab_mlp *m, const lab_train_params *p)
{
    double vectors = p->opt.type == LAB_OPT_ADAM ? 4 : 3;
    return vectors * (double)m->n_params * sizeof(double);
}

/* Train the active students until each stops, from the batch stream's
 * present state (train.c's train_loop() once per student: the same checks
 * on the same batch errors, each freezing its student). 1 when stopped. */
static int run_wave(lab_pack *pk, const lab_dataset *train, gsl_rng *r, double var,
                    volatile sig_atomic_t *stop, lab_train_result *res)
{
    const lab_train_params *p = &pk->p;
    long steps = p->steps;
    long every = p->check_every > 0 ? p->check_every : (long)((pk->n + pk->B - 1) / pk->B);
    int interrupted = 0;
    for (long t = 0; t < steps && lab_pack_nactive(pk) > 0; t++) {
        if (stop && *stop) {
            for (size_t s = 0; s < pk->S; s++)
                if (pk->mem[s].active) {
                    res[s].stop = LAB_STOP_INTERRUPTED;
                    lab_pack_freeze(pk, s);
                }
            interrupted = 1;
            break;
        }
        lab_pack_step(pk, train, r, pk->loss);
        for (size_t s = 0; s < pk->S; s++) {
            if (!pk->mem[s].active)
                continue;
            struct watch *w = &pk->watch[s];
            double batch_err = 2.0 * pk->loss[s] / var;
            if (t == 0)
                res[s].initial_error = batch_err;
            if (lab_train_runaway(batch_err, res[s].initial_error)) {
                res[s].stop = LAB_STOP_DIVERGED;
                lab_pack_freeze(pk, s);
                continue;
            }
            w->window += batch_err;
            if (++w->since_check < every)
                continue;
            w->err = w->window / (double)w->since_check;
            w->window = 0.0;
            w->since_check = 0;
            if (p->target_loss > 0.0 && w->err <= p->target_loss
                && lab_mlp_error(pk->mem[s].m, pk->eval, train, var) <= p->target_loss) {
                res[s].stop = LAB_STOP_TARGET;
                lab_pack_freeze(pk, s);
                continue;
            }
            if (p->patience > 0) {
                if (w->err < w->best * (1.0 - p->plateau_tol)) {
                    w->best = w->err;
                    w->bad_checks = 0;
                } else if (++w->bad_checks >= p->patience) {
                    res[s].stop = LAB_STOP_PLATEAU;
                    lab_pack_freeze(pk, s);
                }
            }
        }
    }
    return interrupted;
}

int lab_pack_run(lab_pack *pk, const lab_dataset *train, gsl_rng *r, double var,
                 volatile sig_atomic_t *stop, lab_train_result *res)
{
    if (pk->p.online)
        return LAB_EINVAL;
    /* The students go in waves whose state fits LAB_PACK_CACHE_BYTES (at least
     * one each), one wave after the other, each from the batch stream's
     * start: more students at once than a core's cache holds step slower
     * together than one after the other (bench/pack-bench, 64 students of
     * width 64: 6 % slower). */
    gsl_rng *r0 = gsl_rng_clone(r);
    size_t *perm0 = pk->perm ? malloc(pk->n * sizeof *perm0) : NULL;
    char *todo = malloc(pk->S);
    if (!r0 || (pk->perm && !perm0) || !todo) {
        gsl_rng_free(r0);
        free(perm0);
        free(todo);
        return LAB_ENOMEM;
    }
    size_t pos0 = pk->pos;
    if (perm0)
        memcpy(perm0, pk->perm, pk->n * sizeof *perm0);
    for (size_t s = 0; s < pk->S; s++) {
        pk->watch[s] = (struct watch){ 0.0, INFINITY, NAN, 0, 0 };
        res[s].stop = LAB_STOP_STEPS;
        res[s].initial_error = NAN;
        todo[s] = (char)pk->mem[s].active;
        pk->mem[s].active = 0;
    }
    int interrupted = 0;
    for (size_t first = 0, end; first < pk->S; first = end) {
        double bytes = 0;
        for (end = first; end < pk->S; end++) {
            double b = lab_pack_state_bytes(pk->mem[end].m, &pk->p);
            if (todo[end] && end > first && bytes + b > LAB_PACK_CACHE_BYTES)
                break;
            bytes += todo[end] ? b : 0;
            pk->mem[end].active = todo[end];
        }
        if (interrupted) {
            for (size_t s = first; s < end; s++)
                if (todo[s])
                    res[s].stop = LAB_STOP_INTERRUPTED;
            continue;
        }
        if (first > 0) { /* the stream again from its start */
            gsl_rng_memcpy(r, r0);
            pk->pos = pos0;
            if (perm0)
                memcpy(pk->perm, perm0, pk->n * sizeof *perm0);
        }
        interrupted = run_wave(pk, train, r, var, stop, res);
    }
    gsl_rng_free(r0);
    free(perm0);
    free(todo);
    for (size_t s = 0; s < pk->S; s++) {
        lab_pack_freeze(pk, s);
        res[s].steps = lab_pack_steps(pk, s);
        if (res[s].stop == LAB_STOP_DIVERGED) {
            res[s].train_error = NAN;
            continue;
        }
        res[s].train_error = lab_mlp_error(pk->mem[s].m, pk->eval, train, var);
        if (lab_train_runaway(res[s].train_error, res[s].initial_error)) {
            res[s].train_error = NAN;
            res[s].stop = LAB_STOP_DIVERGED;
        }
    }
    return interrupted ? LAB_EINTERRUPTED : LAB_OK;
}
