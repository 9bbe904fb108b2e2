/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the commands say about an option getopt_long() refused: unknown
 * (with the closest valid name), ambiguous, missing or unwanted value.
 *
 * The commands parse with opterr = 0 and an optstring that starts with ':',
 * so getopt prints nothing and returns '?' (unknown, ambiguous, or a value
 * given to an option that takes none) or ':' (a value missing).
 *
 * Ownership: no allocation crosses this interface. */
#ifndef LAB_OPTIONS_H
#define LAB_OPTIONS_H

#include <getopt.h>
#include <stddef.h>

/* Describe into buf the option refused by the getopt_long() call that just
 * returned opt ('?' or ':'), from getopt's optind and optopt and the
 * command's longopts: "--jbos: unknown option; did you mean --jobs?",
 * "--s: ambiguous option; did you mean --set or --shard?", "--set: the option needs a
 * value", "--fresh: the option takes no value", "-z: unknown option". */
void lab_options_refused(int opt, char **argv, const struct option *longopts, char *buf,
                         size_t len);

#endif
