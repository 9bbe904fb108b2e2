/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Many students trained together on the same batches, each bit for bit as
 * the trainer (train.h) trains it alone.
 *
 * A pack holds S students with the same input dimension D, depth L >= 1 and
 * activation but any widths and their own parameters. Every step draws one
 * batch (the trainer's stream: the same permutations from the same r) and
 * steps every active student on it:
 *   - the first layer of all active students of at most 16 first-layer
 *     units is one product
 *     Z = X [W_0^1; W_0^2; ...]^T + [b_0^1; b_0^2; ...] of (B, sum of M_1)
 *     by the fixed-order kernel (dense.h), whose every element has the bits
 *     of the student alone; in groups of at most 512 stacked units, so that
 *     a group's Z stays in cache while its students use it; a wider
 *     student's first layer is its own product, as alone (stacked, copying
 *     its columns out cost more than the call it saved);
 *   - later layers, the loss and the backward products run per student, as
 *     lab_mlp_loss_grad() runs them (the same calls on the same shapes);
 *   - Adam (or SGD) per student, each with its own step count.
 * A student whose batch loss is not finite takes no step, as in
 * lab_trainer_step().
 *
 * Stopping: a frozen student's parameters no longer change while the others
 * go on. lab_pack_run() applies the trainer's rules (steps, target,
 * plateau, runaway: train.h) to each student and freezes it when one fires,
 * so each ends as lab_trainer_run() would end it alone; lab_pack_step() and
 * lab_pack_freeze() let a caller apply its own.
 *
 * Ownership: the pack keeps pointers to the students it was allocated with
 * and updates their theta; it does not own them, and they must outlive it.
 * It owns its workspaces, gradients and optimizers, all allocated by
 * lab_pack_alloc(): a step never allocates. lab_pack_free(NULL) does
 * nothing. */
#ifndef LAB_PACK_H
#define LAB_PACK_H

#include <signal.h>
#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "data.h"
#include "mlp.h"
#include "train.h"

typedef struct lab_pack lab_pack;

/* A pack of the S students for a training set of n points (online: n fresh
 * points) under the training parameters p, shared by all. NULL on
 * mismatched shapes (D, depth, activation), depth 0, bad parameters or no
 * memory; err (when not NULL) then says which. */
lab_pack *lab_pack_alloc(size_t S, lab_mlp *const *students, const lab_train_params *p,
                         size_t n, char *err, size_t errlen);
void lab_pack_free(lab_pack *pk);

/* The bytes lab_pack_alloc() takes for S students of these hidden widths
 * (widths[s * depth + l]: layer l of student s) on n points. */
double lab_pack_bytes(size_t S, size_t n_in, size_t depth, const size_t *widths,
                      const lab_train_params *p, size_t n);

/* The number of students S. */
size_t lab_pack_size(const lab_pack *pk);

/* One step of every active student on the next mini-batch drawn with r (the
 * trainer's batch stream: lab_trainer_step()). loss (S) receives each
 * active student's batch loss before its update; a frozen student's entry
 * is NaN. */
void lab_pack_step(lab_pack *pk, const lab_dataset *train, gsl_rng *r, double *loss);

/* The same on a batch the caller provides: B (at most the pack's batch
 * size) rows X (B,D) with labels y (B). */
void lab_pack_step_batch(lab_pack *pk, size_t B, const double *X, const double *y,
                         double *loss);

/* Freeze student s: from now on its parameters and optimizer stay as they
 * are. Freezing a frozen student does nothing. */
void lab_pack_freeze(lab_pack *pk, size_t s);

/* Whether student s is still training; how many are. */
int lab_pack_active(const lab_pack *pk, size_t s);
size_t lab_pack_nactive(const lab_pack *pk);

/* Optimizer steps student s has taken. */
long lab_pack_steps(const lab_pack *pk, size_t s);

/* Student s's optimizer, for checks of its state. */
const lab_optim *lab_pack_optim(const lab_pack *pk, size_t s);

/* Train every student until a stopping rule fires for it (every student is
 * frozen afterwards), with the rules
 * and the result of lab_trainer_run() (train.h) applied to each student on
 * its own: res (S) receives what lab_trainer_run() would give that student
 * trained alone from the same r. `stop`, when not NULL, is polled every
 * step; once nonzero every student still training ends as interrupted.
 * A student's status is that of lab_trainer_run(): LAB_EDIVERGED when
 * res[s].stop is LAB_STOP_DIVERGED, LAB_EINTERRUPTED when it is
 * LAB_STOP_INTERRUPTED, else LAB_OK. Returns LAB_EINTERRUPTED when
 * interrupted, LAB_EINVAL for a pack allocated for online training, else
 * LAB_OK. Students whose optimizer state would not fit a core's cache
 * together train in waves, one after the other, each replaying r's stream
 * from where it was (the pack's own permutation too); r is left where the
 * last wave left it. */
int lab_pack_run(lab_pack *pk, const lab_dataset *train, gsl_rng *r, double var,
                 volatile sig_atomic_t *stop, lab_train_result *res);

/* The bytes a student's step goes through: parameters, gradient and the
 * optimizer's moments. lab_pack_run() trains together consecutive students
 * whose state adds up to at most LAB_PACK_CACHE_BYTES (one core's L2 cache
 * on the machine measured), or one alone. */
double lab_pack_state_bytes(const lab_mlp *m, const lab_train_params *p);
#define LAB_PACK_CACHE_BYTES (2.0 * 1024 * 1024)

/* Time spent in each phase since the pack was allocated (seconds), for
 * profiles: [0] the batch and the stacked first-layer products, [1] each
 * student's forward pass after that (its columns, the activation, later
 * layers) and loss, [2] backward, [3] the optimizer. */
void lab_pack_times(const lab_pack *pk, double t[4]);

#endif
