/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kind "student": train one MLP student on a cell's problem and measure
 * its errors. One row per cell.
 *
 * Its section [student] (width, depth, activation, init) is open to other
 * kinds that train students: they list lab_student_section among their own.
 * The student's width and depth are always axes. */
#ifndef LAB_KIND_STUDENT_H
#define LAB_KIND_STUDENT_H

#include "config.h"
#include "kind.h"

/* The values of [student]. */
typedef struct lab_student_params {
    long width;     /* hidden width M */
    long depth;     /* number of hidden layers L */
    int act;        /* enum lab_act */
    int init;       /* enum lab_init */
} lab_student_params;

extern const lab_section lab_student_section;
extern const lab_kind lab_kind_student;

/* The student of a cell config: its [student] values and its parameter count. */
const lab_student_params *lab_student_of(const lab_config *c);
size_t lab_student_params_count(const lab_config *c);

#endif
