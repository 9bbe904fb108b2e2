/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Text bound for line-oriented files: config files, whose values must not
 * break a line, and tab-separated tables, whose fields must not hold the
 * tab or line breaks that separate them.
 *
 * The rule for tables: every tab, newline and carriage return inside a
 * field is written as a space (any other control character too), so a
 * table the lab writes always has as many fields on each row as in its
 * header. Config values are not rewritten: a value holding a control
 * character is refused (lab_text_control()). */
#ifndef LAB_TEXT_H
#define LAB_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "strbuf.h"

/* The first control character in text (newline, carriage return, tab, ...),
 * or NULL when there is none. */
const char *lab_text_control(const char *text);

/* A control character's name for messages: "a newline (\n)", "a tab (\t)",
 * "a control character (0x01)". */
void lab_text_describe(int ch, char *buf, size_t len);

/* Write text as one field of a tab-separated table: control characters
 * written as spaces. Returns what fputs returns. */
int lab_tsv_field_write(FILE *f, const char *text);

/* The same, appended to b. */
void lab_tsv_field_add(lab_strbuf *b, const char *text);

/* text as a message shows it, in b (reset first): control characters as
 * spaces, and one longer than 120 characters (a path) cut in the middle so
 * that what follows stays in view. Returns b's text. */
const char *lab_text_shown(const char *text, lab_strbuf *b);

#endif
