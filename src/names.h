/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Lookup in the name tables of the lab's enums (activations, optimizers,
 * ...), which are the values users write in config files. */
#ifndef LAB_NAMES_H
#define LAB_NAMES_H

#include <string.h>

/* The index of name in names[0 .. count), or -1. */
static inline int lab_name_index(const char *name, const char *const *names, int count)
{
    for (int k = 0; k < count; k++)
        if (strcmp(name, names[k]) == 0)
            return k;
    return -1;
}

/* The name of value v, or "?" when it is out of range. */
static inline const char *lab_name_of(int v, const char *const *names, int count)
{
    return v >= 0 && v < count ? names[v] : "?";
}

#endif
