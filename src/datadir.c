/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <configure.h>

#include "datadir.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "install-dirs.h"

/* Whether path is dir or lies below it (both resolved). */
static int below(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0' || n == 1);
}

int lab_datadir_installed(void)
{
    /* Linux names the running program here. Without it, the program is
     * taken as installed: a build tree's templates are gnuplot scripts
     * (system() runs commands), read only by that tree's own lab, never
     * because the tree is there (LAB_PLOTS_DIR names them explicitly). */
    char *exe = realpath("/proc/self/exe", NULL);
    if (!exe)
        return 1;
    char *build = realpath(LAB_BUILDDIR, NULL), *bin = realpath(LAB_BINDIR, NULL);
    char *exedir = dirname(exe);
    /* bindir first: a prefix may lie inside the build tree. */
    int installed = (bin && strcmp(exedir, bin) == 0) || !build || !below(exedir, build);
    free(exe);
    free(build);
    free(bin);
    return installed;
}

const char *lab_datadir_path(enum lab_datadir_kind which)
{
    int installed = lab_datadir_installed();
    switch (which) {
    case LAB_DATADIR_EXPERIMENTS:
        return installed ? LAB_PKGDATADIR "/experiments" : LAB_SRCDIR "/experiments";
    case LAB_DATADIR_PLOTS:
    default:
        return installed ? LAB_PKGDATADIR "/plots" : LAB_SRCDIR "/plots";
    }
}
