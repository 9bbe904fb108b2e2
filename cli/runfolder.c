/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "runfolder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "provenance.h"
#include "status.h"
#include "strbuf.h"

int lab_runfolder_lock(const char *dir, const char *name, int wait,
                       volatile sig_atomic_t *stop, int *fd, char *err, size_t errlen)
{
    *fd = -1;
    char *path = lab_path_join(dir, name);
    if (!path)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    /* The log may live in a subfolder (shards/K-of-N.log). */
    char *slash = strrchr(path, '/');
    *slash = '\0';
    int rc = lab_mkdirs(path, err, errlen);
    *slash = '/';
    int f = rc == LAB_OK ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666) : -1;
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    if (rc != LAB_OK) {
        /* lab_mkdirs said why */
    } else if (f < 0) {
        rc = lab_fail(err, errlen, LAB_EIO, "%s: %s", path, strerror(errno));
    } else {
        int r;
        while ((r = fcntl(f, wait ? F_SETLKW : F_SETLK, &fl)) != 0 && errno == EINTR
               && !(stop && *stop))
            ;
        if (r != 0) {
            if (errno == EINTR)
                rc = lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted while waiting for %s",
                              path);
            else if (errno == EACCES || errno == EAGAIN)
                rc = lab_fail(err, errlen, LAB_EBUSY, "%s is in use by another lab run", path);
            else
                rc = lab_fail(err, errlen, LAB_EIO, "cannot lock %s: %s", path, strerror(errno));
            close(f);
            f = -1;
        }
    }
    free(path);
    *fd = f;
    return rc;
}

void lab_runfolder_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

int lab_runfolder_shard_running(const char *dir, char *which, size_t len)
{
    char *sdir = lab_path_join(dir, "shards");
    DIR *d = sdir ? opendir(sdir) : NULL;
    int running = 0;
    for (struct dirent *e; d && !running && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".log") != 0)
            continue;
        char *path = lab_path_join(sdir, e->d_name);
        int f = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        /* F_GETLK asks for a read lock's worth of access on a read-only
         * file: a writer's lock shows as F_WRLCK. */
        fl.l_type = F_RDLCK;
        if (f >= 0 && fcntl(f, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
            running = 1;
            snprintf(which, len, "%s", path);
        }
        if (f >= 0)
            close(f);
        free(path);
    }
    if (d)
        closedir(d);
    free(sdir);
    return running;
}

/* Whether dir holds results: results.tsv or a shard's table. */
static int has_results(const char *dir)
{
    char *results = lab_path_join(dir, "results.tsv"), *sdir = lab_path_join(dir, "shards");
    int have = results && access(results, F_OK) == 0;
    DIR *d = sdir && !have ? opendir(sdir) : NULL;
    for (struct dirent *e; d && !have && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        have = n > 4 && strcmp(e->d_name + n - 4, ".tsv") == 0;
    }
    if (d)
        closedir(d);
    free(results);
    free(sdir);
    return have;
}

/* Remove dir/name when it exists. */
static int discard(const char *dir, const char *name, char *err, size_t errlen)
{
    char *path = lab_path_join(dir, name);
    if (!path)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    int rc = remove(path) != 0 && errno != ENOENT
                 ? lab_fail(err, errlen, LAB_EIO, "cannot discard %s: %s", path, strerror(errno))
                 : LAB_OK;
    free(path);
    return rc;
}

/* Discard what the report wrote: the fit tables, the decomposition and the
 * figures (the files the lab names error_vs_*, fit_* and decomposition*), so
 * nothing of an earlier run stays. */
static int discard_report(const char *dir, char *err, size_t errlen)
{
    static const char *const tables[] = {
        "summary.tsv", "baseline.tsv", "fits.tsv", "diagnostics.tsv", "scores.tsv",
        "predictions.tsv", "decomposition.tsv", "decomposition_exponents.tsv"
    };
    int rc = LAB_OK;
    for (size_t i = 0; i < sizeof tables / sizeof *tables && rc == LAB_OK; i++)
        rc = discard(dir, tables[i], err, errlen);
    char *fdir = lab_path_join(dir, "figures");
    DIR *d = fdir ? opendir(fdir) : NULL;
    if (!fdir)
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    for (struct dirent *e; d && rc == LAB_OK && (e = readdir(d));)
        if (strncmp(e->d_name, "error_vs", 8) == 0 || strncmp(e->d_name, "fit_", 4) == 0
            || strncmp(e->d_name, "decomposition", 13) == 0)
            rc = discard(fdir, e->d_name, err, errlen);
    if (d)
        closedir(d);
    free(fdir);
    return rc;
}

/* Discard every shard table of dir, and its provenance. */
static int discard_shards(const char *dir, char *err, size_t errlen)
{
    char *sdir = lab_path_join(dir, "shards");
    DIR *d = sdir ? opendir(sdir) : NULL;
    int rc = sdir ? LAB_OK : LAB_ENOMEM;
    for (struct dirent *e; d && rc == LAB_OK && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if ((n > 4 && strcmp(e->d_name + n - 4, ".tsv") == 0)
            || (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0))
            rc = discard(sdir, e->d_name, err, errlen);
    }
    if (d)
        closedir(d);
    free(sdir);
    return rc;
}

/* Discard a shard's table and its provenance. */
static int discard_table(const char *table, char *err, size_t errlen)
{
    char *prov = lab_provenance_path(table);
    const char *paths[2] = { table, prov };
    int rc = prov ? LAB_OK : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    for (int i = 0; i < 2 && rc == LAB_OK; i++)
        if (remove(paths[i]) != 0 && errno != ENOENT)
            rc = lab_fail(err, errlen, LAB_EIO, "cannot discard %s: %s", paths[i],
                          strerror(errno));
    free(prov);
    return rc;
}

/* Refuse dir when its results come from another config than c's (the
 * config.cfg beside them says). */
static int check_config(const lab_config *c, const char *cfg, char *err, size_t errlen)
{
    char msg[1200];
    lab_config old;
    msg[0] = '\0';
    int rc = lab_config_init(&old);
    if (rc == LAB_OK)
        rc = lab_config_load(&old, cfg, msg, sizeof msg);
    if (rc != LAB_OK) {
        char why[1000];
        snprintf(why, sizeof why, "%s", rc == LAB_ENOMEM ? "out of memory" : msg);
        snprintf(msg, sizeof msg, "its config.cfg cannot be read (%s)", why);
    } else if (lab_config_compare(&old, c, msg, sizeof msg) == 0) {
        msg[0] = '\0';
    }
    lab_config_release(&old);
    if (msg[0])
        return lab_fail(err, errlen, LAB_ECONFLICT, "%s holds results of a different config: "
                        "%s.\n  Rerun with --fresh to discard them, or choose another folder "
                        "with --out.", c->dir, msg);
    return LAB_OK;
}

/* Check that the run may continue the table, and write the table's
 * provenance (this build's, listing the builds whose cells it keeps). */
static int check_provenance(const lab_config *c, const char *table, int fresh, char *note,
                            size_t notelen, char *err, size_t errlen)
{
    lab_provenance *p = lab_provenance_alloc(c);
    char *path = lab_provenance_path(table), why[1000];
    int rc = p && path ? LAB_OK : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK && !fresh) {
        rc = lab_provenance_check(p, table, note, notelen, why, sizeof why);
        if (rc == LAB_ECONFLICT)
            lab_fail(err, errlen, rc, "%s holds results of another config or stream rule: %s."
                     "\n  Rerun with --fresh to discard them, or choose another folder with "
                     "--out.", c->dir, why);
        else if (rc == LAB_EFORMAT)
            lab_fail(err, errlen, rc, "%s.\n  Rerun with --fresh to discard its results, or "
                     "finish the run with the lab that started it.", why);
        else if (rc != LAB_OK)
            lab_fail(err, errlen, rc, "%s", why);
    }
    if (rc == LAB_OK)
        rc = lab_provenance_save(p, path, err, errlen);
    lab_provenance_free(p);
    free(path);
    return rc;
}

int lab_runfolder_prepare(const lab_config *c, int fresh, const char *shard_path,
                          char *note, size_t notelen, char *err, size_t errlen)
{
    note[0] = '\0';
    int rc = lab_mkdirs(c->dir, err, errlen);
    if (rc != LAB_OK)
        return rc;
    char *cfg = lab_path_join(c->dir, "config.cfg");
    char *results = lab_path_join(c->dir, "results.tsv");
    if (!cfg || !results)
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK && !fresh && has_results(c->dir))
        rc = check_config(c, cfg, err, errlen);
    if (rc == LAB_OK && fresh) {
        /* The merged table and its report go too: they are made again. */
        rc = discard(c->dir, "results.tsv", err, errlen);
        if (rc == LAB_OK)
            rc = discard(c->dir, "provenance.json", err, errlen);
        if (rc == LAB_OK)
            rc = discard_report(c->dir, err, errlen);
        if (rc == LAB_OK && shard_path)
            rc = discard_table(shard_path, err, errlen);
        if (rc == LAB_OK && !shard_path)
            rc = discard_shards(c->dir, err, errlen);
    }
    if (rc == LAB_OK)
        rc = check_provenance(c, shard_path ? shard_path : results, fresh, note, notelen, err,
                              errlen);
    lab_atomic a;
    if (rc == LAB_OK && (rc = lab_atomic_open(&a, cfg, err, errlen)) == LAB_OK) {
        fprintf(a.f, "# The resolved configuration of this run: every key, defaults included.\n"
                     "# Written by lab %s (git %s) from %s.\n\n",
                lab_version(), lab_git_describe(), c->source ? c->source : "(defaults)");
        lab_config_write(c, a.f, 0);
        rc = lab_atomic_commit(&a, err, errlen);
    }
    free(cfg);
    free(results);
    return rc;
}

int lab_runfolder_log(int fd, const char *line)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    lab_strbuf_printf(&b, "%s\n", line);
    /* Past a short write (a full disk), the next one says why (errno). */
    size_t done = 0;
    while (!b.failed && done < b.len) {
        ssize_t n = write(fd, b.s + done, b.len - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    int rc = !b.failed && done == b.len ? LAB_OK : LAB_EIO;
    lab_strbuf_release(&b);
    return rc;
}
