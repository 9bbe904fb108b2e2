/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <configure.h>

#include "text.h"

#include <stdio.h>
#include <string.h>

/* ASCII control characters; bytes of UTF-8 text are not. */
static int is_control(unsigned char ch)
{
    return ch < 0x20 || ch == 0x7f;
}

const char *lab_text_control(const char *text)
{
    for (const char *p = text; *p; p++)
        if (is_control((unsigned char)*p))
            return p;
    return NULL;
}

void lab_text_describe(int ch, char *buf, size_t len)
{
    switch (ch) {
    case '\n':
        snprintf(buf, len, "a newline (\\n)");
        break;
    case '\r':
        snprintf(buf, len, "a carriage return (\\r)");
        break;
    case '\t':
        snprintf(buf, len, "a tab (\\t)");
        break;
    default:
        snprintf(buf, len, "a control character (0x%02x)", (unsigned)(unsigned char)ch);
        break;
    }
}

int lab_tsv_field_write(FILE *f, const char *text)
{
    const char *p = text;
    for (const char *q; (q = lab_text_control(p)); p = q + 1) {
        if (fwrite(p, 1, (size_t)(q - p), f) != (size_t)(q - p) || fputc(' ', f) == EOF)
            return EOF;
    }
    return fputs(p, f);
}

void lab_tsv_field_add(lab_strbuf *b, const char *text)
{
    const char *p = text;
    for (const char *q; (q = lab_text_control(p)); p = q + 1) {
        lab_strbuf_add(b, p, (size_t)(q - p));
        lab_strbuf_puts(b, " ");
    }
    lab_strbuf_puts(b, p);
}

const char *lab_text_shown(const char *text, lab_strbuf *b)
{
    size_t n = strlen(text);
    lab_strbuf_reset(b);
    if (n <= 120) {
        lab_tsv_field_add(b, text);
        return lab_strbuf_str(b);
    }
    char head[51];
    memcpy(head, text, 50);
    head[50] = '\0';
    lab_tsv_field_add(b, head);
    lab_strbuf_printf(b, "...(%zu characters)...", n - 100);
    lab_tsv_field_add(b, text + n - 50);
    return lab_strbuf_str(b);
}
