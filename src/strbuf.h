/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A growing string, in the manner of git's strbuf: what the lab uses instead
 * of hand-written snprintf append loops and strcpy/strcat.
 *
 * A lab_strbuf starts zeroed (LAB_STRBUF_INIT) and always holds a
 * NUL-terminated string in `s` once anything was added (`s` may be NULL
 * before). Appending never truncates: when memory runs out the buffer keeps
 * what it had and remembers the failure in `failed`, which callers check
 * once at the end.
 *
 * Ownership: the buffer owns `s`; lab_strbuf_release() frees it, and
 * lab_strbuf_detach() hands it to the caller (who frees it). */
#ifndef LAB_STRBUF_H
#define LAB_STRBUF_H

#include <stddef.h>

typedef struct lab_strbuf {
    char *s;      /* the text, NUL-terminated (NULL while empty) */
    size_t len;   /* its length */
    size_t cap;   /* bytes allocated */
    int failed;   /* an allocation failed: the text is incomplete */
} lab_strbuf;

#define LAB_STRBUF_INIT { NULL, 0, 0, 0 }

/* Append formatted text. */
void lab_strbuf_printf(lab_strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append n bytes of text. */
void lab_strbuf_add(lab_strbuf *b, const char *text, size_t n);
/* Append a NUL-terminated string. */
void lab_strbuf_puts(lab_strbuf *b, const char *text);
/* Append items joined by sep. */
void lab_strbuf_join(lab_strbuf *b, const char *const *items, size_t n, const char *sep);

/* The text, "" while empty (never NULL). */
const char *lab_strbuf_str(const lab_strbuf *b);
/* Empty the buffer, keeping its memory. */
void lab_strbuf_reset(lab_strbuf *b);
/* Hand the text to the caller (NULL when an allocation failed); the buffer
 * is empty afterwards. */
char *lab_strbuf_detach(lab_strbuf *b);
void lab_strbuf_release(lab_strbuf *b);

#endif
