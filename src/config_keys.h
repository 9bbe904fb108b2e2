/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Inside the config module: what config.c, keys.c, values.c, axes.c and
 * streams.c share, and no other module uses.
 *
 *   keys.c     the key table and finding keys (common ones, kinds' sections)
 *   values.c   a key's value: parsing text, canonical text, copy, release
 *   axes.c     axes: parsing their values, table order, cells
 *   streams.c  the stream rule
 *   config.c   defaults, loading files and --set, whole-config checks,
 *              writing and comparing configs */
#ifndef LAB_CONFIG_KEYS_H
#define LAB_CONFIG_KEYS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "strbuf.h"

/* No upper bound. */
#define BIG INFINITY
/* The longest list a key or axis may hold: a guard against "1..1000000000". */
#define MAX_LIST 100000
/* The most cells a sweep may have. */
#define MAX_CELLS 1000000
/* inih reads lines of at most 198 characters: a list of lists is kept short
 * enough to be written back on one line. */
#define MAX_STRING 160
/* The longest string value: a path of PATH_MAX (Linux) characters. Longer
 * than a line, it is written back on continuation lines
 * (lab_value_format_string()). */
#define MAX_TEXT 4096
/* The longest folder name (NAME_MAX). */
#define MAX_NAME 255
_Static_assert(sizeof(long) >= 8, "the lab assumes 64-bit long integers");

/* ==== keys.c ================================================================= */

/* A key with the place of its value: sec < 0 for lab_config's own fields,
 * else the index of a kind's section in c->sections. idx is the key's index
 * in c->line. */
struct lab_keyref {
    const lab_key *k;
    int sec;
    size_t idx;
};

/* The kinds' sections, each once, in the order of the kind table. */
size_t lab_keys_sections(const lab_section **out);
/* The common sections in the order they are written. */
const char *const *lab_keys_common_sections(size_t *n);
/* Every key the lab knows (the common ones first), into out
 * (LAB_CONFIG_MAXKEYS entries). */
size_t lab_keys_all(struct lab_keyref *out);
int lab_keys_find(const char *section, const char *name, struct lab_keyref *ref);
struct lab_keyref lab_keys_ref(const lab_key *k);
int lab_keys_known_section(const char *section);
/* The known section closest to a mistyped one (a string of the key table),
 * or NULL when none is close (suggest.h). */
const char *lab_keys_suggest_section(const char *section);
/* The keys (at most max, into out) a mistyped section.name most likely
 * means: the key, or the closest one, in the section or the section closest
 * to it; else keys of that name in other sections. Returns how many. */
size_t lab_keys_suggest(const char *section, const char *name, const lab_key **out,
                        size_t max);
/* Whether the kind of c has key r (common keys always). */
int lab_keys_active(const lab_config *c, const struct lab_keyref *r);
/* The keys of c's kind in the order they are written: the common sections,
 * with the kind's own after [data]. */
size_t lab_keys_ordered(const lab_config *c, struct lab_keyref *out);
/* Where the value of key r lives in c. */
void *lab_keys_field(lab_config *c, const struct lab_keyref *r);
const void *lab_keys_cfield(const lab_config *c, const struct lab_keyref *r);
int lab_key_is(const lab_key *k, const char *section, const char *name);
/* The column of a key: its own name, or "section.key". */
void lab_key_column(const lab_key *k, lab_strbuf *b);

/* ==== values.c ================================================================ */

int lab_key_in_range(const lab_key *k, double v);
/* "an integer >= 1", "a number in (0, 1)", ... */
void lab_key_describe(const lab_key *k, const char *what, char *buf, size_t len);
/* A finite decimal number. */
int lab_value_parse_double(const char *s, double *out);
char *lab_value_trim(char *s);
/* Split "A..B +S" or "A..B xF" into its parts (item is modified); 0 for a
 * single value, 1 for a range (op '+' or 'x', or 0 without a step). */
int lab_value_split_range(char *item, char **a, char **b, char *op, char **step);
/* One integer list item: "A", "A..B", "A..B +S" or "A..B xF", appended to l. */
int lab_value_parse_int_item(const lab_key *k, char *item, lab_list *l, char *why, size_t len);
/* Whether a list separated by sep has an empty item. */
int lab_value_empty_item(const char *text, char sep);
/* A comma-separated list of integers, appended to l. */
int lab_value_parse_ints(const lab_key *k, const char *text, lab_list *l, char *why, size_t len);
/* Integers as a range when they are one, else comma-separated. */
void lab_value_format_longs(lab_strbuf *b, const long *v, size_t n, int wrap);
/* A string value as written in a config file: cut into pieces of at most
 * 100 characters on indented continuation lines, where it can be cut
 * (between two characters that are not blank, before one that does not
 * start a comment). -1 when it cannot be. */
int lab_value_format_string(lab_strbuf *b, const char *text);
/* The value p of key k as its canonical text. */
void lab_value_canonical(const lab_key *k, const void *p, lab_strbuf *b);
/* Parse text into the value p of key k ("expected ..., got ..." in why). */
int lab_value_parse(const lab_key *k, void *p, const char *text, int append, char *why,
                    size_t len);
void lab_value_release(const lab_key *k, void *p);
/* Replace p's owned memory by a copy (after a shallow copy). */
int lab_value_copy(const lab_key *k, void *p);

/* ==== axes.c ================================================================== */

/* Whether key k may be swept, and why not. */
int lab_axes_sweepable(const lab_key *k, char *why, size_t len);
void lab_axis_free(lab_axis *a);
/* Append a value (the caller checks duplicates). */
int lab_axis_push(lab_axis *a, const char *text, char *why, size_t len);
/* The rank of key k in table order: n first, the seed last. */
long lab_axes_rank(const lab_config *c, const lab_key *k);
lab_axis *lab_axes_find(const lab_config *c, const lab_key *k);
void lab_axes_remove(lab_config *c, const lab_key *k);
/* Set the values of key k's axis from text (replacing them, or appending). */
int lab_axes_set(lab_config *c, const lab_key *k, const char *text, int append, int line,
                 char *why, size_t len);
/* -1 when axis a holds a value twice (why says which): lab_axes_set checks
 * only what it sets, not what it appends. */
int lab_axis_check(const lab_axis *a, char *why, size_t len);

#endif
