/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A run folder: the locks that keep runs apart, the resolved config and the
 * run log.
 *
 * RUNDIR/run.log is the folder's lock: a run without shards (to the end of
 * its report), a merge, lab plot and lab fit writing into the folder hold it
 * from start to end (fcntl record locks, which also work on NFS with lockd).
 * The process must never close another descriptor of run.log while it
 * holds the lock: closing any releases a POSIX lock. A shard K of N holds
 * RUNDIR/shards/K-of-N.log while it runs, so N shards can run at once; the last to finish takes run.log to
 * merge. Each log gets one line per invocation.
 *
 * Ownership: nothing allocated crosses this interface. */
#ifndef LAB_RUNFOLDER_H
#define LAB_RUNFOLDER_H

#include <signal.h>
#include <stddef.h>

#include "config.h"

/* Open dir/name (making the folders it needs) for appending and lock it:
 * *fd on success. With wait, block until the holder is done, or until a
 * signal comes while *stop is set (LAB_EINTERRUPTED); without, LAB_EBUSY when
 * another process holds it. */
int lab_runfolder_lock(const char *dir, const char *name, int wait,
                       volatile sig_atomic_t *stop, int *fd, char *err, size_t errlen);

/* Close a locked log (releasing the lock); -1 is ignored. */
void lab_runfolder_unlock(int fd);

/* Whether a shard of dir's run is running now (holds its log's lock): 1 with
 * its log named in which, else 0. */
int lab_runfolder_shard_running(const char *dir, char *which, size_t len);

/* Prepare dir for c's run, or for one shard of it (shard_path: its table).
 * Refuse a folder whose results (results.tsv or shard files) come from
 * another config: LAB_ECONFLICT naming the first key that differs; and a
 * table this run would continue (results.tsv, or the shard's) whose
 * provenance shows another stream rule (LAB_ECONFLICT) or that has none,
 * being an older lab's (LAB_EFORMAT). A table of another build is kept: note
 * says how the build differs (else it is empty). With fresh, nothing is
 * refused and the earlier results are discarded (results.tsv, its
 * provenance, summary, fits and figures, and the shard's own table when
 * shard_path is given, else every shard's). Then write the resolved
 * config.cfg and the table's provenance (provenance.h). */
int lab_runfolder_prepare(const lab_config *c, int fresh, const char *shard_path,
                          char *note, size_t notelen, char *err, size_t errlen);

/* Append one line (newline added) to a log opened by lab_runfolder_lock(),
 * with a single write so that concurrent writers never interleave. */
int lab_runfolder_log(int fd, const char *line);

#endif
