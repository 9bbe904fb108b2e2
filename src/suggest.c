/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "suggest.h"

#include <stdint.h>
#include <string.h>

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

size_t lab_suggest_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > LAB_SUGGEST_MAXLEN || nb > LAB_SUGGEST_MAXLEN)
        return SIZE_MAX;
    /* Three rows of the (na+1) x (nb+1) table: d[i][j] is the distance
     * between the first i characters of a and the first j of b; a swap
     * looks two rows back. */
    size_t rows[3][LAB_SUGGEST_MAXLEN + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= nb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t change = a[i - 1] != b[j - 1];
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + change);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && prev2[j - 2] + 1 < cur[j])
                cur[j] = prev2[j - 2] + 1;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[nb];
}

int lab_suggest_close(const char *word, size_t d)
{
    size_t n = strlen(word), limit = n <= 4 ? 1 : n <= 9 ? 2 : 3;
    return d <= limit && d < n;
}

void lab_suggest_init(lab_suggest *s, const char *word)
{
    s->word = word;
    s->dist = SIZE_MAX;
    s->buf[0] = '\0';
    s->best = NULL;
}

void lab_suggest_add(lab_suggest *s, const char *candidate)
{
    size_t d = lab_suggest_distance(s->word, candidate);
    if (d < s->dist && lab_suggest_close(s->word, d)) {
        s->dist = d;
        /* Fits: the distance is finite only for names this short. */
        memcpy(s->buf, candidate, strlen(candidate) + 1);
        s->best = s->buf;
    }
}
