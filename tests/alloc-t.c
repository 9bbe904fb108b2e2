/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The training step never allocates: the test is linked with
 * -Wl,--wrap=malloc (and calloc, realloc), so every allocation made by the
 * lab's own code passes through the counters below. */
#include <stdlib.h>

#include "configure.h"

#include "data.h"
#include "pack.h"
#include "rng.h"
#include "tap.h"
#include "train.h"

static long allocations;
static double bytes; /* requested by malloc and calloc */

#ifdef LAB_GEMM_XSMM
/* libxsmm.a refers to __real_malloc (and realloc, free) as hidden symbols:
 * under --wrap they become references to a hidden malloc, which must then
 * be defined in the program. glibc's own entry points do it. */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void *malloc(size_t n)
{
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t size)
{
    return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n)
{
    return __libc_realloc(p, n);
}
#endif

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

void *__wrap_malloc(size_t n)
{
    allocations++;
    bytes += (double)n;
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    allocations++;
    bytes += (double)n * (double)size;
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    allocations++;
    return __real_realloc(p, n);
}

static void check(enum lab_optimizer opt, size_t batch, size_t depth)
{
    const size_t D = 9, n = 300, widths[2] = { 17, 5 };
    gsl_rng *r = lab_rng_alloc(2385, 5);
    lab_mlp *m = lab_mlp_alloc(D, depth, widths, LAB_ACT_TANH);
    lab_dataset *ds = lab_dataset_alloc(n, D);
    lab_data_sample(ds, LAB_DIST_GAUSSIAN, r);
    for (size_t i = 0; i < n; i++)
        ds->y[i] = ds->x[i * D];
    lab_mlp_init(m, LAB_INIT_LECUN, r);
    lab_train_params p = { .opt = lab_optim_default_params(), .batch = batch, .steps = 500 };
    p.opt.type = opt;
    p.opt.weight_decay = 1e-3;
    long before = allocations;
    lab_trainer *tr = lab_trainer_alloc(m, &p, n);
    long setup = allocations - before;
    before = allocations;
    for (int t = 0; t < 500; t++) /* several epochs: reshuffles included */
        lab_trainer_step(tr, m, ds, r);
    long during = allocations - before;
    ok(setup > 0 && during == 0, "%s, batch %zu, depth %zu: %ld allocations to set up, %ld "
       "in 500 steps", lab_optimizer_names[opt], batch, depth, setup, during);
    lab_trainer_free(tr);
    lab_dataset_free(ds);
    lab_mlp_free(m);
    gsl_rng_free(r);
}

/* The packed step (pack.h) likewise, in groups, with a frozen student. */
static void check_pack(void)
{
    const size_t D = 9, n = 300, S = 4, widths[4][2] = { { 300, 3 }, { 5, 4 }, { 400, 2 }, { 7, 7 } };
    gsl_rng *r = lab_rng_alloc(2385, 6);
    lab_mlp *m[4];
    for (size_t s = 0; s < S; s++) {
        m[s] = lab_mlp_alloc(D, 2, widths[s], LAB_ACT_TANH);
        lab_mlp_init(m[s], LAB_INIT_LECUN, r);
    }
    lab_dataset *ds = lab_dataset_alloc(n, D);
    lab_data_sample(ds, LAB_DIST_GAUSSIAN, r);
    for (size_t i = 0; i < n; i++)
        ds->y[i] = ds->x[i * D];
    lab_train_params p = { .opt = lab_optim_default_params(), .batch = 32, .steps = 100 };
    double loss[4];
    long before = allocations;
    double bytes0 = bytes;
    lab_pack *pk = lab_pack_alloc(S, m, &p, n, NULL, 0);
    long setup = allocations - before;
    double took = bytes - bytes0, said = lab_pack_bytes(S, D, 2, &widths[0][0], &p, n);
    before = allocations;
    for (int t = 0; t < 100; t++) {
        lab_pack_step(pk, ds, r, loss);
        if (t == 50)
            lab_pack_freeze(pk, 1);
    }
    long during = allocations - before;
    ok(pk && setup > 0 && during == 0, "packed: %ld allocations to set up, %ld in 100 steps",
       setup, during);
    ok(said >= took && said < 1.05 * took, "lab_pack_bytes() says %.0f bytes; it took %.0f",
       said, took);
    lab_pack_free(pk);
    lab_dataset_free(ds);
    for (size_t s = 0; s < S; s++)
        lab_mlp_free(m[s]);
    gsl_rng_free(r);
}

int main(void)
{
    plan(6);
    check_pack();
    check(LAB_OPT_ADAM, 32, 2);
    check(LAB_OPT_SGD, 32, 1);
    check(LAB_OPT_ADAM, 0, 2);
    check(LAB_OPT_SGD, 1000, 2);
    return 0;
}
