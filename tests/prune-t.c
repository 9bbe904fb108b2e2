/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Weight pruning (prune.h, the kind prune): the global threshold and its
 * tie rule, the counts and densities of k rounds, random pruning's count,
 * masks held through SGD and Adam steps (weights and moments exactly 0), the
 * rewind point a copy, every control, and config errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kind.h"
#include "kind_student.h"
#include "mlp.h"
#include "problem.h"
#include "prune.h"
#include "rng.h"
#include "status.h"
#include "tap.h"
#include "train.h"

/* ==== The mask ================================================================ */

static void test_alloc(void)
{
    lab_prune_mask_free(NULL);
    ok(1, "lab_prune_mask_free(NULL) is a no-op");
    lab_prune_mask *pm = lab_prune_mask_alloc(5);
    int all = pm && pm->kept == 5;
    for (size_t i = 0; pm && i < 5; i++)
        all &= pm->keep[i] == 1;
    ok(all, "a new mask keeps every weight");
    is_double_abs(1.0, lab_prune_density(pm), 0.0, "density 1");
    lab_prune_mask_free(pm);
    pm = lab_prune_mask_alloc(0);
    ok(pm && pm->kept == 0 && lab_prune_density(pm) == 1.0, "an empty mask has density 1");
    lab_prune_mask_free(pm);
}

/* The global threshold spans layers, breaks ties by position and never
 * touches the biases. */
static void test_threshold(void)
{
    size_t widths[1] = { 2 };
    lab_mlp *m = lab_mlp_alloc(3, 1, widths, LAB_ACT_TANH); /* W0 (2,3), W1 (1,2), b0, b1 */
    if (!m || m->n_weights != 8)
        bail("unexpected network");
    /* W0 = 0.5 -0.1 0.3 / 0.1 -0.3 0.2, W1 = 0.1 2.0; biases tiny. */
    const double w[8] = { 0.5, -0.1, 0.3, 0.1, -0.3, 0.2, 0.1, 2.0 };
    memcpy(m->theta, w, sizeof w);
    for (size_t i = m->n_weights; i < m->n_params; i++)
        m->theta[i] = 1e-9;
    lab_prune_mask *pm = lab_prune_mask_alloc(m->n_weights);
    /* Three weights of magnitude 0.1 (positions 1, 3, 6): two go, the first two. */
    is_int(2, (long long)lab_prune_magnitude(pm, m->theta, 2), "two removed");
    ok(!pm->keep[1] && !pm->keep[3] && pm->keep[6], "a tie goes to the earlier position");
    lab_prune_apply(pm, m->theta);
    int biases = 1;
    for (size_t i = m->n_weights; i < m->n_params; i++)
        biases &= m->theta[i] == 1e-9;
    ok(biases && m->theta[1] == 0.0 && m->theta[3] == 0.0 && m->theta[6] == 0.1,
       "apply zeroes the pruned weights, not the biases");
    /* Next: 0.1 at 6 (the output layer), then 0.2 at 5: one threshold over layers. */
    is_int(2, (long long)lab_prune_magnitude(pm, m->theta, 2), "two more removed");
    ok(!pm->keep[6] && !pm->keep[5] && pm->kept == 4, "the threshold is global (across layers)");
    /* -0.3 and 0.3 tie: position 2 before 4. */
    lab_prune_magnitude(pm, m->theta, 1);
    ok(!pm->keep[2] && pm->keep[4], "equal magnitudes of opposite sign: earlier first");
    /* More than kept: everything goes, no further. */
    is_int(3, (long long)lab_prune_magnitude(pm, m->theta, 10), "at most kept removed");
    ok(pm->kept == 0 && lab_prune_density(pm) == 0.0, "density 0 when all are pruned");
    /* NaN counts as the largest magnitude. */
    lab_prune_mask_reset(pm);
    double t[8] = { NAN, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0 };
    lab_prune_magnitude(pm, t, 7);
    ok(pm->keep[0] && pm->kept == 1, "NaN ranks as the largest magnitude");
    lab_prune_mask_free(pm);
    lab_mlp_free(m);
}

/* round(0.2 kept) per round: 100 -> 80 64 51 41 33 26 21 17 14 11, and the
 * stated distance to 0.8^k n. */
static void test_counts(void)
{
    static const size_t want[11] = { 100, 80, 64, 51, 41, 33, 26, 21, 17, 14, 11 };
    int same = 1;
    for (long k = 0; k <= 10; k++)
        same &= lab_prune_kept_after(100, 0.2, k) == want[k];
    ok(same, "kept after k rounds of 20%% from 100: 80 64 51 41 33 26 21 17 14 11");
    is_int(3, (long long)lab_prune_count(14, 0.2), "round(2.8) = 3");
    is_int(1, (long long)lab_prune_count(5, 0.1), "round(0.5) = 1: halves away from zero");
    is_int(0, (long long)lab_prune_count(2, 0.2), "round(0.4) = 0");
    int bound = 1;
    for (size_t n = 1; n <= 3000; n += 7)
        for (long k = 0; k <= 20; k++) {
            double q = pow(0.8, (double)k);
            double gap = fabs((double)lab_prune_kept_after(n, 0.2, k) - q * (double)n);
            bound &= gap <= (1.0 - q) / (2.0 * 0.2) + 1e-9;
        }
    ok(bound, "|kept_k - 0.8^k n| <= (1 - 0.8^k) / 0.4 for n <= 3000, k <= 20");

    /* Magnitude pruning of a network's weights, round after round: density
     * exactly kept_k / n_weights. */
    size_t widths[2] = { 24, 24 };
    lab_mlp *m = lab_mlp_alloc(16, 2, widths, LAB_ACT_TANH);
    gsl_rng *r = lab_rng_alloc(11, 1);
    lab_mlp_init(m, LAB_INIT_LECUN, r);
    lab_prune_mask *pm = lab_prune_mask_alloc(m->n_weights);
    int exact = 1;
    for (long k = 1; k <= 12; k++) {
        lab_prune_magnitude(pm, m->theta, lab_prune_count(pm->kept, 0.2));
        size_t zeros = 0;
        for (size_t i = 0; i < pm->n; i++)
            zeros += !pm->keep[i];
        size_t kk = lab_prune_kept_after(m->n_weights, 0.2, k);
        exact &= pm->kept == kk && zeros == pm->n - kk
                 && lab_prune_density(pm) == (double)kk / (double)m->n_weights;
    }
    ok(exact, "12 rounds on %zu weights: kept and density exactly as computed", m->n_weights);
    lab_prune_mask_free(pm);
    gsl_rng_free(r);
    lab_mlp_free(m);
}

static void test_random(void)
{
    lab_prune_mask *a = lab_prune_mask_alloc(1000), *b = lab_prune_mask_alloc(1000);
    gsl_rng *ra = lab_rng_alloc(5, 9), *rb = lab_rng_alloc(5, 9), *rc = lab_rng_alloc(6, 9);
    is_int(200, (long long)lab_prune_random(a, 200, ra), "random: 200 removed");
    unsigned char first[1000];
    memcpy(first, a->keep, sizeof first);
    is_int(160, (long long)lab_prune_random(a, 160, ra), "random: 160 more");
    size_t zeros = 0;
    int stays = 1;
    for (size_t i = 0; i < 1000; i++) {
        zeros += !a->keep[i];
        stays &= first[i] || !a->keep[i];
    }
    ok(zeros == 360 && a->kept == 640, "exactly 360 pruned, 640 kept");
    ok(stays, "pruned weights stay pruned");
    lab_prune_random(b, 200, rb);
    lab_prune_random(b, 160, rb);
    ok(memcmp(a->keep, b->keep, 1000) == 0, "the same stream, the same mask");
    lab_prune_mask_reset(b);
    lab_prune_random(b, 200, rc);
    ok(memcmp(first, b->keep, 1000) != 0, "another stream, another mask");
    gsl_rng_free(ra);
    gsl_rng_free(rb);
    gsl_rng_free(rc);
    lab_prune_mask_free(a);
    lab_prune_mask_free(b);
}

/* ==== Training with a mask ====================================================== */

/* Masked steps: the pruned weights and their moments are exactly 0 after
 * every step, the others and the biases move. */
static void test_masked_steps(enum lab_optimizer type)
{
    const char *name = lab_optimizer_names[type];
    size_t widths[1] = { 7 };
    lab_mlp *m = lab_mlp_alloc(5, 1, widths, LAB_ACT_TANH);
    lab_dataset *ds = lab_dataset_alloc(64, 5);
    gsl_rng *r = lab_rng_alloc(3, 4);
    lab_mlp_init(m, LAB_INIT_TORCH, r); /* torch: nonzero biases */
    lab_data_sample(ds, LAB_DIST_GAUSSIAN, r);
    for (size_t i = 0; i < ds->n; i++)
        ds->y[i] = sin(ds->x[i * 5]) + ds->x[i * 5 + 1] * ds->x[i * 5 + 2];
    lab_train_params p = { .opt = lab_optim_default_params(), .batch = 16, .steps = 100 };
    p.opt.type = type;
    p.opt.lr = 0.01;
    p.opt.weight_decay = 0.1;
    lab_trainer *tr = lab_trainer_alloc(m, &p, ds->n);
    /* A few dense steps first, so the moments are nonzero where the mask lands. */
    for (int t = 0; t < 5; t++)
        lab_trainer_step(tr, m, ds, r);
    lab_prune_mask *pm = lab_prune_mask_alloc(m->n_weights);
    lab_prune_magnitude(pm, m->theta, lab_prune_count(pm->kept, 0.4));
    lab_prune_apply(pm, m->theta);
    lab_trainer_set_mask(tr, pm->keep, pm->n);
    double *before = malloc(m->n_params * sizeof *before);
    memcpy(before, m->theta, m->n_params * sizeof *before);
    int zero = 1;
    const double *mom1, *mom2;
    lab_optim_moments(lab_trainer_optim(tr), &mom1, &mom2);
    for (size_t i = 0; i < pm->n; i++)
        zero &= pm->keep[i] || (mom1[i] == 0.0 && (!mom2 || mom2[i] == 0.0));
    ok(zero, "%s: setting the mask zeroes the pruned moments", name);
    for (int t = 0; t < 50; t++) {
        lab_trainer_step(tr, m, ds, r);
        for (size_t i = 0; i < pm->n; i++)
            zero &= pm->keep[i] || (m->theta[i] == 0.0 && !signbit(m->theta[i])
                                    && mom1[i] == 0.0 && (!mom2 || mom2[i] == 0.0));
    }
    ok(zero, "%s: 50 masked steps: pruned weights and moments exactly +0", name);
    int moved = 1, bias = 1;
    for (size_t i = 0; i < pm->n; i++)
        moved &= !pm->keep[i] || m->theta[i] != before[i];
    for (size_t i = m->n_weights; i < m->n_params; i++)
        bias &= m->theta[i] != before[i];
    ok(moved && bias, "%s: the kept weights and the biases train", name);
    lab_trainer_set_mask(tr, NULL, 0);
    lab_trainer_step(tr, m, ds, r);
    int revived = 0;
    for (size_t i = 0; i < pm->n; i++)
        revived |= !pm->keep[i] && m->theta[i] != 0.0;
    ok(revived, "%s: without the mask the pruned weights train again", name);
    free(before);
    lab_prune_mask_free(pm);
    lab_trainer_free(tr);
    gsl_rng_free(r);
    lab_dataset_free(ds);
    lab_mlp_free(m);
}

/* ==== The kind ================================================================== */

static const char *base_cfg =
    "[teacher]\ninput_dim = 4\nwidths = 4\n"
    "[data]\ntest_size = 256\n"
    "[student]\nwidth = 6\n"
    "[train]\nsteps = 150\nbatch = 32\nlr = 0.01\n"
    "[sweep]\nn = 64\n";

static int load(lab_config *c, const char *extra, char *err, size_t errlen)
{
    char text[2048];
    snprintf(text, sizeof text, "[experiment]\nkind = prune\n%s%s", base_cfg, extra);
    if (lab_config_init(c) || lab_config_load_string(c, text, "prune.cfg", err, errlen))
        return -1;
    return lab_config_finish(c, err, errlen);
}

enum { R_ROUND, R_DENSITY, R_KEPT, R_PARAMS, R_EPS_NP, R_TRAIN, R_TEST, R_STEPS, R_STATUS,
       R_WALL, RCOLS };

/* The rows of the single cell of a prune config with extra keys. */
static double *run_prune(const char *extra, size_t *nrows)
{
    lab_config c, cell;
    char err[1024];
    if (load(&c, extra, err, sizeof err) != LAB_OK)
        bail("config: %s", err);
    const lab_kind *k = lab_config_kind(&c);
    if (strcmp(k->name, "prune") != 0 || k->ncolumns != RCOLS || lab_config_ncells(&c) != 1)
        bail("not a single prune cell");
    if (lab_config_copy(&cell, &c) || lab_config_cell(&c, 0, &cell))
        bail("no cell");
    *nrows = k->rows(&cell);
    lab_rows rows = { *nrows, RCOLS, calloc(*nrows * RCOLS, sizeof(double)) };
    if (k->run(&cell, &rows, NULL, err, sizeof err) != LAB_OK)
        bail("run: %s", err);
    lab_config_release(&cell);
    lab_config_release(&c);
    return rows.v;
}

static void test_controls(void)
{
    static const char *const controls[] = { "imp", "random", "reinit", "finetune" };
    double *rows[4];
    size_t n;
    size_t nw = 4 * 6 + 6; /* W0 (6,4), W1 (1,6) */
    for (int j = 0; j < 4; j++) {
        char extra[128];
        snprintf(extra, sizeof extra, "[prune]\nrounds = 4\ncontrol = %s\n", controls[j]);
        rows[j] = run_prune(extra, &n);
        is_int(5, (long long)n, "%s: rounds 0..4, five rows", controls[j]);
        int good = 1;
        for (size_t k = 0; k < n; k++) {
            const double *v = rows[j] + k * RCOLS;
            size_t kept = lab_prune_kept_after(nw, 0.2, (long)k);
            good &= v[R_ROUND] == (double)k && v[R_KEPT] == (double)kept
                    && v[R_DENSITY] == (double)kept / (double)nw
                    && v[R_STATUS] == LAB_ROW_OK && isfinite(v[R_TEST]) && v[R_TEST] > 0.0
                    && v[R_EPS_NP] == rows[j][R_TEST] && v[R_STEPS] == 150;
        }
        ok(good, "%s: rounds, kept, exact densities, eps_np = round 0's, finite errors",
           controls[j]);
        if (j > 0) {
            ok(memcmp(rows[j], rows[0], R_WALL * sizeof(double)) == 0,
               "%s: round 0 is imp's, bit for bit", controls[j]);
            int differ = 0;
            for (size_t k = 1; k < n; k++)
                differ |= rows[j][k * RCOLS + R_TEST] != rows[0][k * RCOLS + R_TEST];
            ok(differ, "%s: later rounds differ from imp's", controls[j]);
        }
    }
    for (int j = 0; j < 4; j++)
        free(rows[j]);
}

/* Round 0 is the student kind's run of the same cell, bit for bit. */
static void test_round0_is_student(void)
{
    size_t n;
    double *v = run_prune("[prune]\nrounds = 1\n", &n);
    lab_config c, cell;
    char err[1024], text[2048];
    snprintf(text, sizeof text, "[experiment]\nkind = student\n%s", base_cfg);
    if (lab_config_init(&c) || lab_config_load_string(&c, text, "s.cfg", err, sizeof err)
        || lab_config_finish(&c, err, sizeof err) || lab_config_copy(&cell, &c)
        || lab_config_cell(&c, 0, &cell))
        bail("student config: %s", err);
    double s[7];
    lab_rows rows = { 1, 7, s };
    if (lab_kind_student.run(&cell, &rows, NULL, err, sizeof err) != LAB_OK)
        bail("student: %s", err);
    ok(s[1] == v[R_TRAIN] && s[2] == v[R_TEST], "round 0 = the student kind's errors (%g)",
       s[2]);
    lab_config_release(&cell);
    lab_config_release(&c);
    free(v);
}

/* Round 1 of the cell of base_cfg with prune.rewind = s, computed here
 * apart from the kind: the start, the weights after s steps kept aside,
 * round 0's run, 20 % of its weights removed by magnitude, the survivors set
 * back to the weights kept aside, a masked run. */
static void round1_apart(long s, double *train, double *test)
{
    lab_config c, cell;
    char err[1024], extra[64];
    snprintf(extra, sizeof extra, "[prune]\nrewind = %ld\n", s);
    if (load(&c, extra, err, sizeof err) || lab_config_copy(&cell, &c)
        || lab_config_cell(&c, 0, &cell))
        bail("config: %s", err);
    lab_problem prob = { 0 };
    if (lab_problem_make(&cell, &prob, err, sizeof err))
        bail("problem: %s", err);
    size_t widths[1] = { 6 };
    lab_mlp *m = lab_mlp_alloc(4, 1, widths, LAB_ACT_TANH);
    gsl_rng *ri = lab_config_rng(&cell, LAB_STREAM_INIT);
    lab_student_start(lab_student_of(&cell), &prob, m, ri);
    size_t bytes = m->n_params * sizeof(double);
    double *theta0 = malloc(bytes), *kept_aside = malloc(bytes);
    memcpy(theta0, m->theta, bytes);
    lab_train_params tp = lab_student_train_params(&cell, cell.steps);
    lab_train_result res;
    for (int run = 0; run < 3; run++) {
        gsl_rng *rb = lab_config_rng(&cell, LAB_STREAM_BATCH);
        lab_trainer *tr = lab_trainer_alloc(m, &tp, 64);
        lab_prune_mask *pm = lab_prune_mask_alloc(m->n_weights);
        if (run == 0) { /* the weights after s steps */
            for (long t = 0; t < s; t++)
                lab_trainer_step(tr, m, prob.train, rb);
            memcpy(kept_aside, m->theta, bytes);
            memcpy(m->theta, theta0, bytes);
        } else if (run == 1) { /* round 0 */
            lab_trainer_run(tr, m, prob.train, rb, prob.var, NULL, &res);
        }
        if (run == 2) { /* round 1 */
            lab_prune_magnitude(pm, m->theta, lab_prune_count(pm->kept, 0.2));
            memcpy(m->theta, kept_aside, bytes);
            lab_prune_apply(pm, m->theta);
            lab_trainer_set_mask(tr, pm->keep, pm->n);
            lab_trainer_run(tr, m, prob.train, rb, prob.var, NULL, &res);
        }
        lab_prune_mask_free(pm);
        lab_trainer_free(tr);
        gsl_rng_free(rb);
    }
    lab_mlp_work *w = lab_mlp_work_alloc(m, 256);
    *train = res.train_error;
    *test = lab_mlp_error(m, w, prob.test, prob.var);
    lab_mlp_work_free(w);
    free(theta0);
    free(kept_aside);
    gsl_rng_free(ri);
    lab_mlp_free(m);
    lab_problem_release(&prob);
    lab_config_release(&cell);
    lab_config_release(&c);
}

/* The rewind point is a copy: round 1 of the kind is the run computed apart
 * from the weights kept aside before round 0 trained (a rewind point that
 * round 0's training had overwritten would start from its trained weights),
 * from the initialisation and from step 40. */
static void test_rewind(void)
{
    for (long s = 0; s <= 40; s += 40) {
        char extra[64];
        size_t n;
        double train, test;
        snprintf(extra, sizeof extra, "[prune]\nrounds = 1\nrewind = %ld\n", s);
        double *v = run_prune(extra, &n);
        round1_apart(s, &train, &test);
        ok(v[RCOLS + R_TEST] == test && v[RCOLS + R_TRAIN] == train,
           "rewind %ld: round 1 = the run from the copy computed apart (%g)", s, test);
        free(v);
    }
}

static void test_config_errors(void)
{
    lab_config c;
    char err[1024];
    int rc = load(&c, "[prune]\nrewind = 200\n", err, sizeof err);
    ok(rc == LAB_ECONFIG && strstr(err, "prune.cfg:") && strstr(err, "prune.rewind"),
       "rewind after the last step: file, line and key (%s)", err);
    lab_config_release(&c);
    rc = load(&c, "[prune]\nfraction = 1\n", err, sizeof err);
    ok(rc != LAB_OK && strstr(err, "prune.cfg:") && strstr(err, "fraction"),
       "fraction 1 refused with file, line and key (%s)", err);
    lab_config_release(&c);
    rc = load(&c, "[prune]\ncontrol = lottery\n", err, sizeof err);
    ok(rc != LAB_OK && strstr(err, "prune.cfg:") && strstr(err, "control"),
       "an unknown control refused (%s)", err);
    lab_config_release(&c);
    rc = lab_config_init(&c) ? -1 : lab_config_load_string(&c, "[experiment]\nkind = prune\n"
                                                          "[train]\nonline = true\n", "on.cfg",
                                                          err, sizeof err);
    rc = rc ? rc : lab_config_finish(&c, err, sizeof err);
    ok(rc == LAB_ECONFIG && strstr(err, "on.cfg:4: train.online"),
       "online training refused with file, line and key (%s)", err);
    lab_config_release(&c);
    rc = load(&c, "[prune]\nrounds = 21\nfraction = 0.05\n", err, sizeof err);
    ok(rc == LAB_ECONFIG && strstr(err, "prune.cfg:17: prune.rounds: round 21 would remove no "
                                        "weight of the 9 kept"),
       "a round that would remove nothing is refused: the density is the rows' key (%s)", err);
    lab_config_release(&c);
    rc = load(&c, "[prune]\nrewind = 200\ncontrol = finetune\n", err, sizeof err);
    ok(rc == LAB_OK, "finetune does not rewind: any rewind passes");
    lab_config_release(&c);
}

int main(void)
{
    plan_lazy();
    test_alloc();
    test_threshold();
    test_counts();
    test_random();
    test_masked_steps(LAB_OPT_ADAM);
    test_masked_steps(LAB_OPT_SGD);
    test_controls();
    test_round0_is_student();
    test_rewind();
    test_config_errors();
    return 0;
}
