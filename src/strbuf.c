/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Make room for n more bytes and the NUL. */
static int grow(lab_strbuf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = 1;
        return -1;
    }
    if (!b->s)
        s[0] = '\0';
    b->s = s;
    b->cap = cap;
    return 0;
}

void lab_strbuf_add(lab_strbuf *b, const char *text, size_t n)
{
    if (grow(b, n) != 0)
        return;
    memcpy(b->s + b->len, text, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void lab_strbuf_puts(lab_strbuf *b, const char *text)
{
    lab_strbuf_add(b, text, strlen(text));
}

void lab_strbuf_printf(lab_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || grow(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void lab_strbuf_join(lab_strbuf *b, const char *const *items, size_t n, const char *sep)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            lab_strbuf_puts(b, sep);
        lab_strbuf_puts(b, items[i]);
    }
}

const char *lab_strbuf_str(const lab_strbuf *b)
{
    return b->s ? b->s : "";
}

void lab_strbuf_reset(lab_strbuf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

char *lab_strbuf_detach(lab_strbuf *b)
{
    char *s = b->failed ? NULL : b->s ? b->s : strdup("");
    if (b->failed)
        free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
    return s;
}

void lab_strbuf_release(lab_strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}
