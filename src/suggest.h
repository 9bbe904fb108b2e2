/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "Did you mean ...?": the valid name closest to a mistyped one.
 *
 * Closeness is the Damerau-Levenshtein distance in its optimal string
 * alignment form: inserting, deleting or changing a character, or swapping
 * two adjacent ones ("setps" -> "steps"), each count 1. A name is offered
 * only when it is close enough to be a typo of the word (see
 * lab_suggest_close()), and the first of equally close names wins, so
 * callers list candidates in their table order.
 *
 * Ownership: a lab_suggest holds a copy of its best candidate; nothing is
 * allocated. */
#ifndef LAB_SUGGEST_H
#define LAB_SUGGEST_H

#include <stddef.h>

/* Words and names longer than this are never compared (distance SIZE_MAX). */
#define LAB_SUGGEST_MAXLEN 128

/* The edit distance between a and b (SIZE_MAX when either is longer than
 * LAB_SUGGEST_MAXLEN). */
size_t lab_suggest_distance(const char *a, const char *b);

/* Whether a name at distance d from word is close enough to offer: d is at
 * most 1 for words of up to 4 characters, 2 up to 9, 3 beyond, and smaller
 * than the word's length (a one-letter word has no typo to correct). */
int lab_suggest_close(const char *word, size_t d);

/* The search for the closest name: init with the word, add each candidate,
 * then read best (NULL when none is close enough). */
typedef struct lab_suggest {
    const char *word;                     /* the mistyped word (not owned) */
    size_t dist;                          /* distance of best (SIZE_MAX: none) */
    char buf[LAB_SUGGEST_MAXLEN + 1];     /* the best candidate so far */
    const char *best;                     /* buf, or NULL */
} lab_suggest;

void lab_suggest_init(lab_suggest *s, const char *word);
/* Consider candidate (copied when it is the closest so far). */
void lab_suggest_add(lab_suggest *s, const char *candidate);

#endif
