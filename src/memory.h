/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Memory: what a sweep's cells need, what the system has for them now, and
 * sizes written for people.
 *
 * Two bounds matter. What all the run's processes may use together: the
 * memory the kernel says is available (MemAvailable in /proc/meminfo, which
 * counts reclaimable caches; sysconf's free pages where there is no such
 * line), and what is left under the memory limit of the process's cgroup
 * and of each cgroup above it (v2 memory.max less memory.current, v1
 * memory.limit_in_bytes less memory.usage_in_bytes). And what one process
 * may still map: RLIMIT_AS (ulimit -v) less the address space it has now;
 * each worker has its own.
 *
 * Ownership: nothing is kept between calls. */
#ifndef LAB_MEMORY_H
#define LAB_MEMORY_H

#include <stddef.h>

#include "config.h"

/* What a process that runs cells holds besides them: the program, its
 * libraries, OpenBLAS's buffers, the sweep's own tables (measured: 6 MiB
 * for a worker with a tiny cell, 23 MiB for a whole `lab run`, report and
 * figures included). */
#define LAB_MEMORY_PROCESS (32.0 * 1024 * 1024)

typedef struct lab_memory {
    double total;           /* bytes the processes may use together (INFINITY: no bound found) */
    const char *total_from; /* which bound that is, for messages */
    double process;         /* bytes one process may still map (INFINITY: no limit) */
} lab_memory;

/* Read the bounds from /proc and /sys (a bound that cannot be read is no
 * bound). */
void lab_memory_available(lab_memory *m);

/* The most memory one cell of c needs: the kind's estimate (kind.h) for its
 * largest cell, plus LAB_MEMORY_PROCESS. With nshards > 1, only the cells
 * of shard `shard` (0-based) count. *cell: that cell's index; *ncells: how
 * many cells count. LAB_ENOMEM when out of memory. */
int lab_memory_cells(const lab_config *c, size_t shard, size_t nshards, double *bytes,
                     size_t *cell, size_t *ncells);

/* A size: a number of bytes, or a number with a suffix K, M, G or T (powers
 * of 1024; a trailing "B" or "iB" is allowed). 0 and *bytes set, or -1. */
int lab_memory_parse(const char *text, double *bytes);

/* bytes as "512 MiB", "23.4 GiB", ... in buf; returns buf. */
const char *lab_memory_format(double bytes, char *buf, size_t len);

#endif
