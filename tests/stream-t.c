/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Streams follow meaning (THEORY.md section 7): a stream depends on the seed
 * and exactly the keys that shape its draws. Cells share a teacher across
 * learning rates and students, differ across input dimensions, see the same
 * batches at every width; a cell of a sweep is the same as its config run on
 * its own. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kind_student.h"
#include "problem.h"
#include "rng.h"
#include "tap.h"

/* The config of cell i of the sweep in text. */
static void cell_of(const char *text, size_t i, lab_config *cell)
{
    lab_config c;
    char err[512];
    if (lab_config_init(&c) || lab_config_load_string(&c, text, "s.cfg", err, sizeof err)
        || lab_config_finish(&c, err, sizeof err) || lab_config_copy(cell, &c)
        || lab_config_cell(&c, i, cell))
        bail("config: %s", err);
    lab_config_release(&c);
}

static uint64_t key_of(const lab_config *c, enum lab_stream purpose)
{
    uint64_t k;
    if (lab_config_stream_key(c, purpose, &k))
        bail("out of memory");
    return k;
}

static int same_doubles(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* Two problems share the teacher and both datasets, bit for bit. */
static int same_problem(const lab_problem *a, const lab_problem *b)
{
    return a->teacher->n_params == b->teacher->n_params
        && same_doubles(a->teacher->theta, b->teacher->theta, a->teacher->n_params)
        && a->train->n == b->train->n && same_doubles(a->train->x, b->train->x, a->train->n)
        && same_doubles(a->train->y, b->train->y, a->train->n)
        && same_doubles(a->test->x, b->test->x, a->test->n * a->test->d);
}

static void make(const lab_config *c, lab_problem *p)
{
    char err[512];
    if (lab_problem_make(c, p, err, sizeof err))
        bail("problem: %s", err);
}

/* Cells 0 and 1 of a sweep over one key. */
#define TWO(key, values) "[sweep]\nn = 64\n" key " = " values "\n"

static void test_teacher(void)
{
    lab_config a, b;
    lab_problem pa = { 0 }, pb = { 0 };

    cell_of(TWO("train.lr", "0.001, 0.1"), 0, &a);
    cell_of(TWO("train.lr", "0.001, 0.1"), 1, &b);
    make(&a, &pa);
    make(&b, &pb);
    ok(a.lr != b.lr && same_problem(&pa, &pb),
       "cells that differ in train.lr share the teacher, the test set and the training set");
    ok(key_of(&a, LAB_STREAM_INIT) == key_of(&b, LAB_STREAM_INIT)
       && key_of(&a, LAB_STREAM_BATCH) == key_of(&b, LAB_STREAM_BATCH),
       "and the student's initialisation and batches");
    lab_problem_release(&pa);
    lab_problem_release(&pb);
    lab_config_release(&a);
    lab_config_release(&b);

    cell_of(TWO("teacher.input_dim", "8, 16"), 0, &a);
    cell_of(TWO("teacher.input_dim", "8, 16"), 1, &b);
    make(&a, &pa);
    make(&b, &pb);
    ok(key_of(&a, LAB_STREAM_TEACHER) != key_of(&b, LAB_STREAM_TEACHER)
       && key_of(&a, LAB_STREAM_TRAIN) != key_of(&b, LAB_STREAM_TRAIN)
       && key_of(&a, LAB_STREAM_INIT) != key_of(&b, LAB_STREAM_INIT),
       "cells that differ in teacher.input_dim draw teacher, inputs and students from other "
       "streams");
    ok(pa.teacher->theta[0] != pb.teacher->theta[0] && pa.train->x[0] != pb.train->x[0],
       "so they have different teachers, not one teacher's draws in a new shape");
    ok(key_of(&a, LAB_STREAM_BATCH) == key_of(&b, LAB_STREAM_BATCH),
       "but the same batch order (a permutation of the same n points)");
    lab_problem_release(&pa);
    lab_problem_release(&pb);
    lab_config_release(&a);
    lab_config_release(&b);

    cell_of(TWO("teacher.widths", "8 | 16"), 0, &a);
    cell_of(TWO("teacher.widths", "8 | 16"), 1, &b);
    make(&a, &pa);
    make(&b, &pb);
    ok(key_of(&a, LAB_STREAM_TEACHER) != key_of(&b, LAB_STREAM_TEACHER)
       && same_doubles(pa.train->x, pb.train->x, pa.train->n * pa.train->d)
       && same_doubles(pa.test->x, pb.test->x, pa.test->n * pa.test->d),
       "teachers of other widths are drawn anew, on the same inputs");
    lab_problem_release(&pa);
    lab_problem_release(&pb);
    lab_config_release(&a);
    lab_config_release(&b);
}

/* Keys that only scale draws leave the streams alone: common random numbers. */
static void test_scales(void)
{
    lab_config a, b;
    lab_problem pa = { 0 }, pb = { 0 };
    const char *ws = "[teacher]\ninput_dim = 16\n[sweep]\nn = 64\nteacher.weight_scale = 1, 4\n";
    cell_of(ws, 0, &a);
    cell_of(ws, 1, &b);
    make(&a, &pa);
    make(&b, &pb);
    /* The first layer is not renormalised: sigma_w = sqrt(4/16) = 2 sqrt(1/16) exactly. */
    size_t nw = pa.teacher->sizes[0] * pa.teacher->sizes[1], bad = 0;
    for (size_t i = 0; i < nw; i++)
        bad += pb.teacher->theta[i] != 2 * pa.teacher->theta[i];
    ok(bad == 0 && same_doubles(pa.train->x, pb.train->x, pa.train->n * pa.train->d),
       "weight_scale 4 draws the weights of weight_scale 1, doubled (%zu differ)", bad);
    lab_problem_release(&pa);
    lab_problem_release(&pb);
    lab_config_release(&a);
    lab_config_release(&b);

    const char *bs = "[teacher]\ninput_dim = 16\n[sweep]\nn = 64\nteacher.bias_scale = 0, 1\n";
    cell_of(bs, 0, &a);
    cell_of(bs, 1, &b);
    make(&a, &pa);
    make(&b, &pb);
    ok(same_doubles(pa.teacher->theta, pb.teacher->theta, pa.teacher->sizes[0] * 16)
       && pa.teacher->theta[pa.teacher->b_off[0]] == 0
       && pb.teacher->theta[pb.teacher->b_off[0]] != 0,
       "teachers with and without biases share their weights");
    lab_problem_release(&pa);
    lab_problem_release(&pb);
    lab_config_release(&a);
    lab_config_release(&b);
}

static void test_students(void)
{
    lab_config a, b, c;
    const char *w = "[sweep]\nn = 64, 128\n[student]\nwidth = 8, 32\n";
    cell_of(w, 0, &a); /* n 64, width 8 */
    cell_of(w, 1, &b); /* n 64, width 32 */
    cell_of(w, 2, &c); /* n 128, width 8 */
    ok(key_of(&a, LAB_STREAM_BATCH) == key_of(&b, LAB_STREAM_BATCH)
       && key_of(&a, LAB_STREAM_BATCH) != key_of(&c, LAB_STREAM_BATCH),
       "students of every width see the same batches; another n, other batches");
    ok(key_of(&a, LAB_STREAM_INIT) != key_of(&b, LAB_STREAM_INIT)
       && key_of(&a, LAB_STREAM_INIT) == key_of(&c, LAB_STREAM_INIT)
       && key_of(&a, LAB_STREAM_TEACHER) == key_of(&b, LAB_STREAM_TEACHER)
       && key_of(&a, LAB_STREAM_TRAIN) == key_of(&c, LAB_STREAM_TRAIN),
       "a student's initialisation depends on its shape, not on n; the teacher and the "
       "inputs on neither");
    lab_config_release(&a);
    lab_config_release(&b);
    lab_config_release(&c);

    const char *s = "[sweep]\nn = 64\nseeds = 0..1\n";
    cell_of(s, 0, &a);
    cell_of(s, 1, &b);
    int differ = 1;
    for (int p = LAB_STREAM_TEACHER; p <= LAB_STREAM_BATCH; p++)
        differ &= key_of(&a, (enum lab_stream)p) != key_of(&b, (enum lab_stream)p);
    ok(differ, "each replicate seed draws every stream anew");
    lab_config_release(&a);
    lab_config_release(&b);
}

/* A cell's numbers depend on its config alone: swept or set, default or
 * written, it is the same cell. */
static void test_cell_alone(void)
{
    lab_config a, b, d;
    cell_of("[teacher]\ninput_dim = 4\nwidths = 4\n[train]\nsteps = 200\nbatch = 16\n"
            "[sweep]\nn = 32, 64\ntrain.lr = 0.01, 0.03\nseeds = 0..1\n[student]\nwidth = 4, 8\n",
            13, &a); /* 13 = ((1*2 + 1)*2 + 0)*2 + 1: n 64, width 8, lr 0.01, seed 1 */
    cell_of("[teacher]\ninput_dim = 4\nwidths = 4\n[train]\nsteps = 200\nbatch = 16\n"
            "lr = 0.01\n[sweep]\nn = 64\nseeds = 1\n[student]\nwidth = 8\n", 0, &b);
    int same = 1;
    for (int p = LAB_STREAM_TEACHER; p <= LAB_STREAM_BATCH; p++)
        same &= key_of(&a, (enum lab_stream)p) == key_of(&b, (enum lab_stream)p);
    double ra[7], rb[7];
    lab_rows rows_a = { 1, 7, ra }, rows_b = { 1, 7, rb };
    char err[512];
    int rc = lab_kind_student.run(&a, &rows_a, NULL, err, sizeof err)
           | lab_kind_student.run(&b, &rows_b, NULL, err, sizeof err);
    ok(rc == 0 && same && a.n == 64 && a.lr == 0.01 && a.replicate == 1
       && same_doubles(ra, rb, 6),
       "cell 13 of a sweep gives the same row as its config run alone (test error %.6g)",
       ra[2]);
    cell_of("[teacher]\ninput_dim = 16\nactivation = tanh\n[sweep]\nn = 1024\nseeds = 0\n", 0,
            &d);
    lab_config_release(&b);
    cell_of("", 0, &b);
    same = 1;
    for (int p = LAB_STREAM_TEACHER; p <= LAB_STREAM_BATCH; p++)
        same &= key_of(&d, (enum lab_stream)p) == key_of(&b, (enum lab_stream)p);
    ok(same, "writing out a key's default changes no stream");
    lab_config_release(&a);
    lab_config_release(&b);
    lab_config_release(&d);
}

/* Issue 10: init_seed shapes the initialisation alone; online training sees
 * the training set of size n, once, in order. */
static void test_issue10(void)
{
    lab_config a, b, d;
    lab_problem pa = { 0 }, pb = { 0 };
    cell_of("[sweep]\nn = 64\ninit_seeds = 0, 3\n", 0, &a);
    cell_of("[sweep]\nn = 64\ninit_seeds = 0, 3\n", 1, &b);
    cell_of("[sweep]\nn = 64\n", 0, &d);
    make(&a, &pa);
    make(&b, &pb);
    int others = 1;
    for (int p = LAB_STREAM_TEACHER; p <= LAB_STREAM_BATCH; p++)
        if (p != LAB_STREAM_INIT)
            others &= key_of(&a, (enum lab_stream)p) == key_of(&b, (enum lab_stream)p);
    ok(b.init_replicate == 3 && same_problem(&pa, &pb) && others
       && key_of(&a, LAB_STREAM_INIT) != key_of(&b, LAB_STREAM_INIT),
       "cells that differ in init_seed share teacher, data, noise and batches, not the "
       "initialisation");
    ok(key_of(&a, LAB_STREAM_INIT) == key_of(&d, LAB_STREAM_INIT),
       "init_seed 0 is the initialisation of a sweep without init_seeds");
    lab_problem_release(&pb);
    lab_config_release(&b);

    /* Online: fresh batches of 7 are the rows of the training set of
     * size 64, labels and label noise included. */
    char err[512];
    cell_of("[sweep]\nn = 64\n[teacher]\nlabel_noise = 0.3\n[train]\nonline = true\n", 0,
            &b);
    lab_problem_release(&pa);
    lab_config_release(&a);
    cell_of("[sweep]\nn = 64\n[teacher]\nlabel_noise = 0.3\n", 0, &a);
    make(&a, &pa);
    if (lab_problem_make_online(&b, &pb, err, sizeof err))
        bail("online problem: %s", err);
    lab_dataset *batch = lab_dataset_alloc(7, (size_t)b.input_dim);
    int same = pb.train == NULL;
    for (size_t i = 0; i < 64; i += 7) {
        batch->n = 64 - i < 7 ? 64 - i : 7;
        lab_problem_draw(&pb, batch);
        same &= same_doubles(batch->x, pa.train->x + i * pa.train->d, batch->n * batch->d)
             && same_doubles(batch->y, pa.train->y + i, batch->n);
    }
    ok(same && same_doubles(pa.test->y, pb.test->y, pa.test->n),
       "online, the first 64 fresh points are the training set of size 64, bit for bit");
    lab_dataset_free(batch);
    lab_problem_release(&pa);
    lab_problem_release(&pb);
    lab_config_release(&a);
    lab_config_release(&b);
    lab_config_release(&d);
}

int main(void)
{
    plan(6 + 2 + 3 + 2 + 3);
    test_teacher();
    test_scales();
    test_students();
    test_cell_alone();
    test_issue10();
    return 0;
}
