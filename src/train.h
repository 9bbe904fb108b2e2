/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Training a student on a dataset: mini-batches, stopping rules, divergence.
 *
 * The loss is (1/2B) sum (f - y)^2 over a batch. Errors reported by the
 * trainer are mean squared errors divided by a reference variance `var` (the
 * teacher's output variance), so 1 means "as bad as predicting the mean".
 *
 * Mini-batches walk through successive random permutations of the training
 * set, so every point is seen once per epoch and the batch size never
 * changes; with batch = 0 or batch >= n every step is a full-batch step.
 *
 * Online training (lab_trainer_run_online()) draws every batch fresh: the
 * n points it is allocated for are seen once each, in batches of B (the
 * last one takes the remainder), so at most ceil(n / B) steps.
 *
 * Stopping: after `steps` steps; or when the training error is at most
 * target_loss (target_loss > 0); or on a plateau, when `patience` checks in a
 * row failed to improve the best windowed training error by a relative
 * plateau_tol (patience > 0). Checks happen every check_every steps (0: once
 * per epoch) on the mean batch loss of the window, which costs nothing; a
 * target is confirmed by a full pass before stopping. A non-finite batch loss
 * stops training as diverged.
 *
 * Ownership: a lab_trainer owns its workspace, gradient and optimizer, all
 * allocated by lab_trainer_alloc(): the step itself never allocates. */
#ifndef LAB_TRAIN_H
#define LAB_TRAIN_H

#include <signal.h>
#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "data.h"
#include "mlp.h"
#include "optim.h"

typedef struct lab_train_params {
    lab_optim_params opt; /* optimizer; its horizon is set to `steps` */
    size_t batch;         /* B; 0 = full batch */
    long steps;           /* step budget */
    double target_loss;   /* stop at this training error; 0 = never */
    long check_every;     /* steps between stopping checks; 0 = one epoch */
    long patience;        /* plateau: checks without improvement; 0 = never */
    double plateau_tol;   /* relative improvement that resets the patience */
    int online;           /* fresh batches (lab_trainer_run_online()) */
} lab_train_params;

/* Why training stopped. */
enum lab_stop {
    LAB_STOP_STEPS, LAB_STOP_TARGET, LAB_STOP_PLATEAU, LAB_STOP_DIVERGED,
    LAB_STOP_INTERRUPTED, LAB_NSTOP
};
extern const char *const lab_stop_names[LAB_NSTOP];

/* How many times its starting error (or the mean's, if larger) a run may
 * reach before it counts as diverged. A healthy run, loss spikes included,
 * stays within a few powers of ten of its start; a learning rate that is too
 * large grows the error geometrically, and with a decaying schedule it can
 * freeze at any finite size (errors of 1e275 were once recorded as
 * results). 1e6 is far above the first and far below overflow. */
#define LAB_TRAIN_RUNAWAY 1e6

/* Whether error (an MSE / var) marks a diverged run whose first batch had
 * error initial: not finite, or above LAB_TRAIN_RUNAWAY * max(initial, 1). */
int lab_train_runaway(double error, double initial);

typedef struct lab_train_result {
    long steps;          /* optimizer steps taken */
    double initial_error; /* the first batch's error, before any step (NaN: no step) */
    double train_error;  /* final training MSE / var (NaN if diverged) */
    enum lab_stop stop;  /* why it stopped */
} lab_train_result;

/* The permutation stream's start: perm (n) the identity, *pos = n, so
 * that the first batch shuffles it first. */
void lab_train_perm_start(size_t n, size_t *perm, size_t *pos);

/* The next B points of a permutation stream over the first n points of
 * train into xb (B, D) and yb (B): perm (n) is walked from *pos, and
 * shuffled with r (then *pos = 0) each time *pos reaches n. These are the
 * trainer's mini-batches; the packed trainer (pack.h) draws the same. */
void lab_train_next_batch(const lab_dataset *train, size_t n, size_t B, size_t *perm,
                          size_t *pos, gsl_rng *r, double *xb, double *yb);

typedef struct lab_trainer lab_trainer;

/* A trainer for network m on a training set of n points (online: on n fresh
 * points); NULL on bad parameters or no memory. */
lab_trainer *lab_trainer_alloc(const lab_mlp *m, const lab_train_params *p, size_t n);
void lab_trainer_free(lab_trainer *tr);

/* The bytes lab_trainer_alloc() takes for a network of these sizes (as
 * lab_mlp_alloc() takes them) on n points: its workspace, gradient,
 * optimizer state and, with mini-batches, the batch and the permutation
 * (online: the batch alone). */
double lab_trainer_bytes(size_t n_in, size_t depth, const size_t *widths,
                         const lab_train_params *p, size_t n);

/* Pin the first n parameters of the network where keep[i] = 0 at exactly 0,
 * with their optimizer moments, after every step (lab_optim_set_mask(),
 * weight pruning: prune.h); keep = NULL removes the mask. The trainer does
 * not own keep, which must outlive its use; the caller zeroes those entries
 * of theta before training. Without a mask training is as it was. */
void lab_trainer_set_mask(lab_trainer *tr, const unsigned char *keep, size_t n);

/* The trainer's optimizer, for checks of its state. */
const lab_optim *lab_trainer_optim(const lab_trainer *tr);

/* One optimizer step on the next mini-batch drawn with r; returns the batch
 * loss before the update. */
double lab_trainer_step(lab_trainer *tr, lab_mlp *m, const lab_dataset *train,
                        gsl_rng *r);

/* Train until a stopping rule fires. `stop`, when not NULL, is polled every
 * step: once it is nonzero training ends as interrupted. Returns LAB_OK,
 * LAB_EDIVERGED or LAB_EINTERRUPTED, with res filled in every case. */
int lab_trainer_run(lab_trainer *tr, lab_mlp *m, const lab_dataset *train,
                    gsl_rng *r, double var, volatile sig_atomic_t *stop,
                    lab_train_result *res);

/* Fresh points for online training: fill batch->n rows of batch. */
typedef void (*lab_train_draw)(void *ctx, lab_dataset *batch);

/* Train on fresh batches from draw (a trainer allocated with p->online)
 * until the n points are spent or a stopping rule fires; as
 * lab_trainer_run() otherwise. Checks happen every check_every steps (0:
 * ten times a run, every ceil(steps / 10) steps), a target needs no
 * confirming pass (each batch is new to the student), and the training
 * error is the mean error of the batches of the last check window (that of
 * the check that stopped it, or the last ceil(steps / 10) or check_every
 * steps), each measured before its step on points the student had not
 * seen: an estimate of its test error plus the label noise's variance. */
int lab_trainer_run_online(lab_trainer *tr, lab_mlp *m, lab_train_draw draw, void *ctx,
                           double var, volatile sig_atomic_t *stop, lab_train_result *res);

/* Mean squared error of m on ds divided by var, using workspace w. */
double lab_mlp_error(const lab_mlp *m, lab_mlp_work *w, const lab_dataset *ds,
                     double var);

#endif
