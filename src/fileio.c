/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fileio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"

/* The process's umask (mkstemp makes files 0600; results are shared like
 * any file the user writes). */
static mode_t current_umask(void)
{
    mode_t m = umask(0);
    umask(m);
    return m;
}

int lab_atomic_open(lab_atomic *a, const char *path, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    /* A name of its own (PATH.tmp.XXXXXX), so that processes writing the same
     * file at once (shards writing config.cfg) never share a temporary. */
    size_t len = strlen(path) + sizeof ".tmp.XXXXXX";
    a->path = strdup(path);
    a->tmp = malloc(len);
    if (!a->path || !a->tmp) {
        lab_atomic_abort(a);
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    }
    snprintf(a->tmp, len, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(a->tmp);
    if (fd >= 0 && fchmod(fd, 0666 & ~current_umask()) == 0)
        a->f = fdopen(fd, "w");
    if (!a->f) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            remove(a->tmp);
        }
        int rc = lab_fail(err, errlen, LAB_EIO, "%s: not written: %s", path, strerror(e));
        free(a->tmp);
        a->tmp = NULL;
        lab_atomic_abort(a);
        return rc;
    }
    return LAB_OK;
}

int lab_atomic_commit(lab_atomic *a, char *err, size_t errlen)
{
    /* A write that failed earlier left the error flag, and errno as it set
     * it unless something changed it since: the best guess at why, when the
     * flush below has nothing left to fail on. */
    int seen = ferror(a->f) ? (errno ? errno : EIO) : 0;
    int rc = LAB_OK, e = fflush(a->f) != 0 || fsync(fileno(a->f)) != 0 ? errno : seen;
    if (fclose(a->f) != 0 && !e)
        e = errno;
    a->f = NULL;
    /* The final name in the message: it is what the user will miss. */
    if (e)
        rc = lab_fail(err, errlen, LAB_EIO, "%s: not written: %s", a->path, strerror(e));
    if (rc == LAB_OK && rename(a->tmp, a->path) != 0)
        rc = lab_fail(err, errlen, LAB_EIO, "%s: not written: %s", a->path, strerror(errno));
    if (rc != LAB_OK)
        remove(a->tmp);
    free(a->tmp);
    free(a->path);
    a->tmp = a->path = NULL;
    return rc;
}

void lab_atomic_abort(lab_atomic *a)
{
    if (a->f) {
        fclose(a->f);
        remove(a->tmp);
    }
    free(a->tmp);
    free(a->path);
    memset(a, 0, sizeof *a);
}

int lab_mkdirs(const char *path, char *err, size_t errlen)
{
    if (!*path)
        return lab_fail(err, errlen, LAB_EINVAL, "empty folder name");
    char *p = strdup(path);
    if (!p)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    int rc = LAB_OK;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            rc = lab_fail(err, errlen, LAB_EIO, "%s: %s", p, strerror(errno));
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    struct stat st;
    if (rc == LAB_OK && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = lab_fail(err, errlen, LAB_EIO, "%s: not a folder", path);
    free(p);
    return rc;
}

char *lab_path_join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "%s/%s", dir, name);
    return s;
}

char *lab_file_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *nb = realloc(buf, cap *= 2);
        if (!nb) {
            free(buf);
            buf = NULL;
        } else {
            buf = nb;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        errno = bad ? EIO : ENOMEM;
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}
