/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Files that are never seen half-written, and folders made on demand.
 *
 * lab_atomic_open() opens "PATH.tmp"; lab_atomic_commit() flushes it to disk
 * and renames it over PATH, so a reader (or a crash) sees the old file or the
 * new one, never a mixture. */
#ifndef LAB_FILEIO_H
#define LAB_FILEIO_H

#include <stddef.h>
#include <stdio.h>

typedef struct lab_atomic {
    FILE *f;         /* write here */
    char *path;      /* final name */
    char *tmp;       /* temporary name */
} lab_atomic;

/* Open a temporary file beside path. LAB_EIO with a message on failure. */
int lab_atomic_open(lab_atomic *a, const char *path, char *err, size_t errlen);

/* Check for write errors, sync, close and rename over the final path; on any
 * failure the temporary file is removed and LAB_EIO returned. */
int lab_atomic_commit(lab_atomic *a, char *err, size_t errlen);

/* Close and remove the temporary file without touching the final path. */
void lab_atomic_abort(lab_atomic *a);

/* mkdir -p. LAB_EIO with a message on failure. */
int lab_mkdirs(const char *path, char *err, size_t errlen);

/* "dir/name" in a new string (NULL when out of memory). */
char *lab_path_join(const char *dir, const char *name);

/* Read a whole file into a new NUL-terminated string; NULL on failure, with
 * errno set. */
char *lab_file_read(const char *path, size_t *len);

#endif
