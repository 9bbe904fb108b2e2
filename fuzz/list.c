/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the list syntax of swept keys and list-valued keys
 * (src/values.c, src/axes.c): "1..100000, 16", "64..16384 x2",
 * "1e-4..1e-1 x10", "16 | 16, 16", "adam, sgd", as --set gives them.
 *
 * The first byte picks the key, the rest is the value. A value that is
 * accepted must be accepted again, to the same values, when written back
 * as its canonical text (the text config.cfg and results.tsv carry). */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "status.h"
#include "strbuf.h"

/* Keys of every type: integers, reals, names, lists; always-axes and
 * others, swept or fixed. */
static const char *const keys[] = {
    "sweep.n", "student.width", "student.depth", "sweep.seeds",
    "sweep.train.lr", "sweep.teacher.widths", "teacher.widths", "sweep.train.optimizer",
    "sweep.data.test_size", "sweep.teacher.input_dim", "sweep.train.steps",
    "sweep.teacher.weight_scale", "sweep.train.momentum", "sweep.experiment.seed",
    "sweep.train.batch", "sweep.teacher.activation",
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* The axis a key ("sweep.section.key", or an always-axis) sets, or NULL. */
static const lab_axis *axis_of(const lab_config *c, const char *key)
{
    const char *column = strncmp(key, "sweep.", 6) == 0 ? key + 6 : key;
    if (strcmp(column, "student.width") == 0)
        column = "width";
    else if (strcmp(column, "student.depth") == 0)
        column = "depth";
    else if (strcmp(column, "seeds") == 0)
        column = "seed";
    return lab_config_axis(c, column);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *key = keys[data[0] % NKEYS];
    const char *value = fuzz_string(data + 1, size - 1);
    lab_config c;
    char err[1024];
    lab_strbuf set = LAB_STRBUF_INIT;
    lab_strbuf_printf(&set, "%s=%s", key, value);
    fuzz_check(lab_config_init(&c) == LAB_OK && !set.failed, "the defaults");
    int rc = lab_config_set(&c, lab_strbuf_str(&set), err, sizeof err);
    fuzz_check(rc == LAB_OK || rc == LAB_ECONFIG, "a bad value is LAB_ECONFIG");
    const lab_axis *a = rc == LAB_OK ? axis_of(&c, key) : NULL;
    lab_strbuf_reset(&set);
    if (a) {
        /* The canonical texts, joined as a list, read back to themselves. */
        const char *sep = strcmp(key, "sweep.teacher.widths") == 0 ? " | " : ", ";
        lab_strbuf_printf(&set, "%s=", key);
        for (size_t i = 0; i < a->n; i++)
            lab_strbuf_printf(&set, "%s%s", i ? sep : "", a->values[i]);
        size_t n = a->n;
        char **v = malloc(n * sizeof *v);
        fuzz_check(v != NULL, "malloc");
        for (size_t i = 0; i < n; i++)
            fuzz_check((v[i] = strdup(a->values[i])) != NULL, "strdup");
        rc = lab_config_set(&c, lab_strbuf_str(&set), err, sizeof err);
        fuzz_check(rc == LAB_OK, "an axis's values, written back, are accepted");
        a = axis_of(&c, key);
        fuzz_check(a && a->n == n, "the same number of values");
        for (size_t i = 0; i < n; i++) {
            fuzz_check(strcmp(a->values[i], v[i]) == 0, "the same values");
            free(v[i]);
        }
        free(v);
    } else if (rc == LAB_OK) {
        /* A fixed key: its canonical text sets it to the same value. */
        const char *full = strncmp(key, "sweep.", 6) == 0 ? key + 6 : key;
        lab_strbuf text = LAB_STRBUF_INIT, again = LAB_STRBUF_INIT;
        fuzz_check(lab_config_value_text(&c, full, &text) == LAB_OK, "its text");
        lab_strbuf_printf(&set, "%s=%s", full, lab_strbuf_str(&text));
        rc = lab_config_set(&c, lab_strbuf_str(&set), err, sizeof err);
        fuzz_check(rc == LAB_OK, "a key's canonical text is accepted");
        fuzz_check(lab_config_value_text(&c, full, &again) == LAB_OK
                   && strcmp(lab_strbuf_str(&text), lab_strbuf_str(&again)) == 0,
                   "and gives the same value");
        lab_strbuf_release(&text);
        lab_strbuf_release(&again);
    }
    lab_strbuf_release(&set);
    lab_config_release(&c);
    return 0;
}
