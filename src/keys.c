/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The key table: every key the lab knows, where its value lives, and the
 * order lab show writes them in (config_keys.h). */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "act.h"
#include "config_keys.h"
#include "data.h"
#include "fit.h"
#include "kind.h"
#include "optim.h"
#include "plot.h"
#include "suggest.h"

/* ==== The common keys ====================================================== */

#define OFF(field) offsetof(lab_config, field)
#define CHOICES(names, n) .choices = names, .nchoices = n

/* Streams (rng.h) by purpose. */
#define S_TEACHER LAB_SHAPES(LAB_STREAM_TEACHER)
#define S_TEST LAB_SHAPES(LAB_STREAM_TEST)
#define S_TRAIN LAB_SHAPES(LAB_STREAM_TRAIN)
#define S_INIT LAB_SHAPES(LAB_STREAM_INIT)
#define S_BATCH LAB_SHAPES(LAB_STREAM_BATCH)

const char *const lab_bool_names[2] = { "false", "true" };

static const lab_key keys[] = {
    { "experiment", "name", LAB_KEY_STRING, OFF(name), "experiment",
      "experiment name; the run folder defaults to runs/<name>",
      0, 0, LAB_KEY_COSMETIC | LAB_KEY_FOLDER, 0, NULL, 0, NULL, NULL },
    { "experiment", "kind", LAB_KEY_STRING, OFF(kind), "student",
      "what a cell computes: student (an MLP student), linear (baselines), error_sources (error sources), perceptron (sign-teacher learners), torus (learners on the torus) or prune (pruned students)", 0, 0, LAB_KEY_KIND, 0, NULL, 0, NULL, NULL },
    { "experiment", "seed", LAB_KEY_U64, OFF(seed), "1",
      "experiment seed: every random stream derives from it (THEORY.md section 7)",
      0, BIG, 0, 0, NULL, 0, NULL, NULL },

    { "teacher", "input_dim", LAB_KEY_LONG, OFF(input_dim), "16",
      "input dimension D", 1, 1e6, 0, S_TEACHER | S_TEST | S_TRAIN | S_INIT, NULL, 0, NULL, NULL },
    { "teacher", "widths", LAB_KEY_LIST, OFF(teacher_widths), "16",
      "hidden-layer widths of the teacher, one per hidden layer", 1, 1e6, 0, S_TEACHER,
      NULL, 0, NULL, NULL },
    { "teacher", "activation", LAB_KEY_ENUM, OFF(teacher_act), "tanh",
      "hidden activation: linear, tanh, relu or erf (erf(z/sqrt 2))",
      0, 0, 0, 0, CHOICES(lab_act_names, LAB_NACT), NULL, NULL },
    { "teacher", "weight_scale", LAB_KEY_DOUBLE, OFF(weight_scale), "4",
      "sigma_w^2: teacher weights are N(0, sigma_w^2 / fan_in)", 0, 1e6, LAB_KEY_MIN_OPEN, 0,
      NULL, 0, NULL, NULL },
    { "teacher", "bias_scale", LAB_KEY_DOUBLE, OFF(bias_scale), "1",
      "sigma_b^2: teacher biases are N(0, sigma_b^2)", 0, 1e6, 0, 0, NULL, 0, NULL, NULL },
    { "teacher", "label_noise", LAB_KEY_DOUBLE, OFF(label_noise), "0",
      "std of Gaussian noise added to training labels (teacher outputs have variance 1); "
      "0 = noiseless", 0, 1e6, 0, 0, NULL, 0, NULL, NULL },

    { "data", "distribution", LAB_KEY_ENUM, OFF(distribution), "gaussian",
      "inputs: gaussian N(0, I) or uniform U(-sqrt 3, sqrt 3)^D",
      0, 0, 0, S_TEST | S_TRAIN, CHOICES(lab_dist_names, LAB_NDIST), NULL, NULL },
    { "data", "test_size", LAB_KEY_LONG, OFF(test_size), "8192",
      "test points per teacher, shared by all cells with the same teacher and inputs",
      2, 1e9, 0, 0, NULL, 0, NULL, NULL },
    /* The spectrum and the band limit transform the draws of the test and
     * train streams and shape neither: cells that differ in them share the
     * raw draws (THEORY.md §7). */
    { "data", "spectrum", LAB_KEY_ENUM, OFF(spectrum), "white",
      "spectrum of the gaussian inputs, read as signals of length input_dim: white (as drawn) "
      "or powerlaw (power 1/f^a, a = data.spectrum_exponent; unit variance per coordinate)",
      0, 0, 0, 0, CHOICES(lab_input_spectrum_names, LAB_NINPUTS_SPECTRUM), NULL, NULL },
    { "data", "spectrum_exponent", LAB_KEY_DOUBLE, OFF(spectrum_exponent), "1",
      "the exponent a of data.spectrum = powerlaw: bin k of the inputs' spectrum has power "
      "max(k, 1)^-a", 0, 16, 0, 0, NULL, 0, NULL, NULL },
    { "data", "bandlimit", LAB_KEY_LONG, OFF(bandlimit), "-1",
      "band limit B of the gaussian inputs (THEORY.md section 10.1): each keeps its Fourier "
      "bins 0..B, D_B = min(2B + 1, input_dim) dimensions, rescaled to unit variance per "
      "coordinate; -1 = off", -1, 1e6, 0, 0, NULL, 0, NULL, NULL },
    { "data", "bandlimit_test", LAB_KEY_ENUM, OFF(bandlimit_test), "on",
      "on: the test inputs are band-limited too; off: they keep the full band (out-of-band "
      "generalisation)", 0, 0, 0, 0, CHOICES(lab_onoff_names, 2), NULL, NULL },

    { "train", "optimizer", LAB_KEY_ENUM, OFF(optimizer), "adam",
      "sgd (heavy-ball momentum) or adam (decoupled weight decay)",
      0, 0, 0, 0, CHOICES(lab_optimizer_names, LAB_NOPT), NULL, NULL },
    { "train", "lr", LAB_KEY_DOUBLE, OFF(lr), "0.003",
      "peak learning rate", 0, BIG, LAB_KEY_MIN_OPEN, 0, NULL, 0, NULL, NULL },
    { "train", "batch", LAB_KEY_LONG, OFF(batch), "128",
      "mini-batch size; 0 = full batch (also used when n <= batch)", 0, 1e9, 0, 0,
      NULL, 0, NULL, NULL },
    { "train", "steps", LAB_KEY_LONG, OFF(steps), "5000",
      "step budget (and the horizon of the cosine schedule)", 1, BIG, 0, 0, NULL, 0, NULL, NULL },
    { "train", "schedule", LAB_KEY_ENUM, OFF(schedule), "cosine",
      "learning-rate schedule: constant, or cosine decay to 0 at the step budget",
      0, 0, 0, 0, CHOICES(lab_schedule_names, LAB_NSCHED), NULL, NULL },
    { "train", "momentum", LAB_KEY_DOUBLE, OFF(momentum), "0.9",
      "SGD momentum", 0, 1, LAB_KEY_MAX_OPEN, 0, NULL, 0, NULL, NULL },
    { "train", "beta1", LAB_KEY_DOUBLE, OFF(beta1), "0.9",
      "Adam: decay of the first moment", 0, 1, LAB_KEY_MAX_OPEN, 0, NULL, 0, NULL, NULL },
    { "train", "beta2", LAB_KEY_DOUBLE, OFF(beta2), "0.999",
      "Adam: decay of the second moment", 0, 1, LAB_KEY_MAX_OPEN, 0, NULL, 0, NULL, NULL },
    { "train", "eps", LAB_KEY_DOUBLE, OFF(eps), "1e-08",
      "Adam: added to the root of the second moment", 0, 1, LAB_KEY_MIN_OPEN, 0,
      NULL, 0, NULL, NULL },
    { "train", "weight_decay", LAB_KEY_DOUBLE, OFF(weight_decay), "0",
      "weight decay of weights (biases are not decayed)", 0, 1e6, 0, 0, NULL, 0, NULL, NULL },
    { "train", "target_loss", LAB_KEY_DOUBLE, OFF(target_loss), "0",
      "stop once the training error (MSE / teacher variance) is at most this; 0 = never",
      0, 1e6, 0, 0, NULL, 0, NULL, NULL },
    { "train", "check_every", LAB_KEY_LONG, OFF(check_every), "0",
      "steps between stopping checks; 0 = once per epoch", 0, BIG, 0, 0, NULL, 0, NULL, NULL },
    { "train", "patience", LAB_KEY_LONG, OFF(patience), "0",
      "stop after this many checks without relative improvement plateau_tol; 0 = never",
      0, BIG, 0, 0, NULL, 0, NULL, NULL },
    { "train", "plateau_tol", LAB_KEY_DOUBLE, OFF(plateau_tol), "0.001",
      "relative improvement of the training error that resets the patience",
      0, 1, LAB_KEY_MAX_OPEN, 0, NULL, 0, NULL, NULL },
    { "train", "online", LAB_KEY_ENUM, OFF(online), "false",
      "true: every mini-batch is fresh (the training stream read once, in order): n counts the "
      "samples seen, in n / batch steps (train.steps left at its default)", 0, 0, 0, 0, CHOICES(lab_bool_names, 2), NULL, NULL },

    { "sweep", "n", LAB_KEY_LONG, OFF(n), "1024",
      "training-set sizes (an axis); smaller sets are prefixes of larger ones",
      1, 1e9, LAB_KEY_AXIS, S_BATCH, NULL, 0, "n", NULL },
    { "sweep", "seeds", LAB_KEY_LONG, OFF(replicate), "0",
      "replicates (an axis, column seed): each draws its own teacher, data, initialisation "
      "and batches", 0, 1e9, LAB_KEY_AXIS, LAB_SHAPES_ALL, NULL, 0, "seed", NULL },
    { "sweep", "init_seeds", LAB_KEY_LONG, OFF(init_replicate), "0",
      "initialisation replicates (an axis, column init_seed, none while 0): each draws its own "
      "student initialisation; teacher, data, label noise and batches stay the seed's",
      0, 1e9, LAB_KEY_AXIS | LAB_KEY_QUIET, S_INIT, NULL, 0, "init_seed", NULL },

    { "output", "dir", LAB_KEY_STRING, OFF(dir), "",
      "run folder; empty = runs/<experiment name>", 0, 0, LAB_KEY_COSMETIC, 0,
      NULL, 0, NULL, NULL },

    { "plot", "format", LAB_KEY_ENUM, OFF(format), "png",
      "figure format: png, svg, pdf, or none (scripts and data only)",
      0, 0, LAB_KEY_COSMETIC, 0, CHOICES(lab_plot_format_names, LAB_NPLOT), NULL, NULL },
    { "plot", "curves", LAB_KEY_STRING, OFF(curves), "",
      "figures of the error: X:SERIES, ... draws error against axis X (or AXIS/COLUMN, e.g. "
      "n/params) with a line per value of SERIES (and of every other swept axis); empty = the "
      "kind's", 0, 0,
      LAB_KEY_COSMETIC | LAB_KEY_AXES, 0, NULL, 0, NULL, NULL },

    { "fit", "per_curve", LAB_KEY_STRING, OFF(fit_per_curve), "hestness",
      "laws fitted to each learning curve (error against fit.x, one curve per value of "
      "the other swept axes), or none", 0, 0, LAB_KEY_COSMETIC | LAB_KEY_FORMS, 0,
      NULL, 0, NULL, NULL },
    { "fit", "joint", LAB_KEY_STRING, OFF(fit_joint), "",
      "laws fitted jointly over data and model size (error against n and params), or none; "
      "empty = the kind's", 0, 0, LAB_KEY_COSMETIC | LAB_KEY_FORMS, 0, NULL, 0, NULL, NULL },
    { "fit", "x", LAB_KEY_STRING, OFF(fit_x), "n",
      "the axis a learning curve runs along", 0, 0, LAB_KEY_COSMETIC | LAB_KEY_AXES, 0,
      NULL, 0, NULL, NULL },
    { "fit", "holdout", LAB_KEY_DOUBLE, OFF(fit_holdout), "0",
      "fraction of the largest x held out to score extrapolation", 0, 1,
      LAB_KEY_COSMETIC | LAB_KEY_MAX_OPEN, 0, NULL, 0, NULL, NULL },
    { "fit", "bootstrap", LAB_KEY_LONG, OFF(fit_bootstrap), "200",
      "bootstrap refits, resampling seeds, for 95% intervals (0 = none)", 0, 100000,
      LAB_KEY_COSMETIC, 0, NULL, 0, NULL, NULL },
    { "fit", "loss", LAB_KEY_ENUM, OFF(fit_loss), "log",
      "fitting loss: log (squared log residuals), rel, huber (delta 1e-3) or asym (lambda 10)",
      0, 0, LAB_KEY_COSMETIC, 0, CHOICES(lab_loss_names, LAB_NLOSS), NULL, NULL },
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* The common sections in the order they are written; the kind's own
 * sections are written after [data]. */
static const char *const sections[] = {
    "experiment", "teacher", "data", "train", "sweep", "output", "plot", "fit"
};
#define NSECTIONS (sizeof sections / sizeof sections[0])
#define KIND_SECTIONS_AFTER "data"

const char *const *lab_keys_common_sections(size_t *n)
{
    *n = NSECTIONS;
    return sections;
}

/* ==== Every key: the common ones, then each kind's sections ================== */

/* The kinds' sections, each once, in the order of the kind table. */
size_t lab_keys_sections(const lab_section **out)
{
    size_t n = 0;
    for (size_t i = 0; i < lab_nkinds; i++)
        for (size_t s = 0; s < lab_kinds[i]->nsections; s++) {
            const lab_section *sec = lab_kinds[i]->sections[s];
            size_t j = 0;
            while (j < n && out[j] != sec)
                j++;
            if (j == n) {
                assert(n < LAB_CONFIG_MAXSECTIONS);
                out[n++] = sec;
            }
        }
    return n;
}

/* Every key the lab knows, into out (LAB_CONFIG_MAXKEYS entries). */
size_t lab_keys_all(struct lab_keyref *out)
{
    const lab_section *secs[LAB_CONFIG_MAXSECTIONS];
    size_t n = 0, ns = lab_keys_sections(secs);
    for (size_t i = 0; i < NKEYS; i++, n++)
        out[n] = (struct lab_keyref){ &keys[i], -1, n };
    for (size_t s = 0; s < ns; s++)
        for (size_t i = 0; i < secs[s]->nkeys; i++, n++) {
            assert(n < LAB_CONFIG_MAXKEYS);
            out[n] = (struct lab_keyref){ &secs[s]->keys[i], (int)s, n };
        }
    return n;
}

int lab_keys_find(const char *section, const char *name, struct lab_keyref *ref)
{
    struct lab_keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = lab_keys_all(all);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].k->section, section) == 0 && strcmp(all[i].k->name, name) == 0) {
            *ref = all[i];
            return 1;
        }
    return 0;
}

/* The key with this lab_key entry. */
struct lab_keyref lab_keys_ref(const lab_key *k)
{
    struct lab_keyref r = { NULL, -1, 0 };
    int found = lab_keys_find(k->section, k->name, &r);
    assert(found);
    (void)found;
    return r;
}

int lab_keys_known_section(const char *section)
{
    struct lab_keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = lab_keys_all(all);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].k->section, section) == 0)
            return 1;
    return 0;
}

/* ==== Suggestions for mistyped keys ========================================= */

const char *lab_keys_suggest_section(const char *section)
{
    struct lab_keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = lab_keys_all(all);
    lab_suggest s;
    lab_suggest_init(&s, section);
    for (size_t i = 0; i < n; i++)
        lab_suggest_add(&s, all[i].k->section);
    /* The table's own string, which outlives s. */
    for (size_t i = 0; s.best && i < n; i++)
        if (strcmp(all[i].k->section, s.best) == 0)
            return all[i].k->section;
    return NULL;
}

size_t lab_keys_suggest(const char *section, const char *name, const lab_key **out,
                        size_t max)
{
    struct lab_keyref all[LAB_CONFIG_MAXKEYS], ref;
    size_t n = lab_keys_all(all), m = 0;
    /* In the section, or the closest to a mistyped one: the key as it is, or
     * a close one. */
    const char *sec = lab_keys_known_section(section) ? section
                                                      : lab_keys_suggest_section(section);
    if (sec && lab_keys_find(sec, name, &ref) && max > 0) {
        out[0] = ref.k;
        return 1;
    }
    lab_suggest s;
    lab_suggest_init(&s, name);
    for (size_t i = 0; sec && i < n; i++)
        if (strcmp(all[i].k->section, sec) == 0)
            lab_suggest_add(&s, all[i].k->name);
    if (s.best && lab_keys_find(sec, s.best, &ref) && max > 0) {
        out[0] = ref.k;
        return 1;
    }
    /* The same name in other sections (train.width for student.width). */
    for (size_t i = 0; i < n && m < max; i++)
        if (strcmp(all[i].k->name, name) == 0 && strcmp(all[i].k->section, section) != 0)
            out[m++] = all[i].k;
    return m;
}

/* Whether the kind of c has key r (common keys always). */
int lab_keys_active(const lab_config *c, const struct lab_keyref *r)
{
    if (r->sec < 0)
        return !lab_key_is(r->k, "sweep", "n") || !lab_config_kind(c)->data_axis;
    const lab_section *secs[LAB_CONFIG_MAXSECTIONS];
    lab_keys_sections(secs);
    const lab_kind *kind = lab_config_kind(c);
    for (size_t s = 0; s < kind->nsections; s++)
        if (kind->sections[s] == secs[r->sec])
            return 1;
    return 0;
}

/* The keys of c's kind in the order they are written: the common sections,
 * with the kind's own after [data]. */
size_t lab_keys_ordered(const lab_config *c, struct lab_keyref *out)
{
    struct lab_keyref all[LAB_CONFIG_MAXKEYS];
    size_t n = lab_keys_all(all), m = 0;
    const lab_kind *kind = lab_config_kind(c);
    for (size_t s = 0; s < NSECTIONS; s++) {
        for (size_t i = 0; i < NKEYS; i++)
            if (strcmp(keys[i].section, sections[s]) == 0 && lab_keys_active(c, &all[i]))
                out[m++] = all[i];
        if (strcmp(sections[s], KIND_SECTIONS_AFTER) != 0)
            continue;
        for (size_t ks = 0; ks < kind->nsections; ks++)
            for (size_t i = NKEYS; i < n; i++)
                if (strcmp(all[i].k->section, kind->sections[ks]->name) == 0)
                    out[m++] = all[i];
    }
    return m;
}

void *lab_keys_field(lab_config *c, const struct lab_keyref *r)
{
    char *base = r->sec < 0 ? (char *)c : (char *)c->sections[r->sec];
    return base + r->k->off;
}

const void *lab_keys_cfield(const lab_config *c, const struct lab_keyref *r)
{
    return lab_keys_field((lab_config *)c, r);
}

int lab_key_is(const lab_key *k, const char *section, const char *name)
{
    return strcmp(k->section, section) == 0 && strcmp(k->name, name) == 0;
}

/* The column of a key: its own name, or "section.key". */
void lab_key_column(const lab_key *k, lab_strbuf *b)
{
    if (k->column)
        lab_strbuf_puts(b, k->column);
    else
        lab_strbuf_printf(b, "%s.%s", k->section, k->name);
}

