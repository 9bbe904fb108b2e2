/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "kind.h"

#include <string.h>

#include "kind_student.h"

extern const lab_kind lab_kind_linear;
extern const lab_kind lab_kind_errors;
extern const lab_kind lab_kind_perceptron;
extern const lab_kind lab_kind_torus;
extern const lab_kind lab_kind_prune;

const char *const lab_status_names[LAB_NROW] = { "ok", "diverged" };

/* The kinds: adding one is an entry here and a file of its own. The first
 * is the default. */
const lab_kind *const lab_kinds[] = {
    &lab_kind_student,
    &lab_kind_linear,
    &lab_kind_errors,
    &lab_kind_perceptron,
    &lab_kind_torus,
    &lab_kind_prune,
};
const size_t lab_nkinds = sizeof lab_kinds / sizeof lab_kinds[0];

const lab_kind *lab_kind_find(const char *name)
{
    for (size_t i = 0; i < lab_nkinds; i++)
        if (strcmp(lab_kinds[i]->name, name) == 0)
            return lab_kinds[i];
    return NULL;
}

const lab_kind *lab_config_kind(const lab_config *c)
{
    const lab_kind *k = c->kind ? lab_kind_find(c->kind) : NULL;
    return k ? k : lab_kinds[0];
}

long lab_kind_column(const lab_kind *k, const char *name)
{
    for (size_t i = 0; i < k->ncolumns; i++)
        if (strcmp(k->columns[i].name, name) == 0)
            return (long)i;
    return -1;
}
