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

/* The names of list (separated by commas, spaces or tabs) that are in
 * names[0 .. count): which[k] = 1 for each (once), 0 for the others;
 * returns how many. Words not in names are passed over (the key's
 * choices have refused them already). */
static inline size_t lab_names_select(const char *list, const char *const *names, int count,
                                      int *which)
{
    size_t n = 0;
    for (int k = 0; k < count; k++)
        which[k] = 0;
    for (const char *s = list; *s;) {
        s += strspn(s, ", \t");
        size_t len = strcspn(s, ", \t");
        for (int k = 0; k < count && len; k++)
            if (strlen(names[k]) == len && strncmp(s, names[k], len) == 0 && !which[k]) {
                which[k] = 1;
                n++;
            }
        s += len;
    }
    return n;
}

/* The name of value v, or "?" when it is out of range. */
static inline const char *lab_name_of(int v, const char *const *names, int count)
{
    return v >= 0 && v < count ? names[v] : "?";
}

#endif
