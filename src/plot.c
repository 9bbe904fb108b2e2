/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <configure.h>

#include "plot.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datadir.h"
#include "fileio.h"
#include "provenance.h"
#include "status.h"

void lab_plot_text(FILE *f, const char *text, int word)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        fputc(strchr("\"'\\`@$", *p) || iscntrl(*p) || (word && isspace(*p)) ? '_' : *p, f);
}

const char *const lab_plot_format_names[LAB_NPLOT] = { "png", "svg", "pdf", "none" };

/* gnuplot terminal and file extension per format. */
static const char *const terminals[LAB_NPLOT] = {
    "pngcairo size 960,680 enhanced font \",12\"",
    "svg size 960,680 enhanced font \",12\" dynamic",
    "pdfcairo size 6.4in,4.5in enhanced font \",10\"",
    NULL
};

const char *lab_plot_templates_dir(void)
{
    const char *env = getenv("LAB_PLOTS_DIR");
    if (env && *env)
        return env;
    return lab_datadir_path(LAB_DATADIR_PLOTS);
}

/* Run gnuplot on script in dir, its messages going to log. Returns the exit
 * status, 127 when gnuplot could not be started, or -1. */
static int run_gnuplot(const char *dir, const char *script, const char *log)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        const char *prog = getenv("LAB_GNUPLOT");
        prog = prog && *prog ? prog : "gnuplot";
        execlp(prog, prog, script, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int lab_plot_render(const char *dir, const char *template, const char *name,
                    enum lab_plot_format format, const char *settings,
                    char *warning, size_t warnlen, char *err, size_t errlen)
{
    char file[256], tfile[256];
    if (warnlen)
        warning[0] = '\0';

    /* The template's body. */
    snprintf(file, sizeof file, "%s.gp", name);
    snprintf(tfile, sizeof tfile, "%s.gp", template);
    char *tpath = lab_path_join(lab_plot_templates_dir(), tfile);
    if (!tpath)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    char *body = lab_file_read(tpath, NULL);
    if (!body) {
        int rc = lab_fail(err, errlen, LAB_EIO, "figure template %s: %s (set LAB_PLOTS_DIR "
                          "to the folder of the templates)", tpath, strerror(errno));
        free(tpath);
        return rc;
    }
    free(tpath);
    /* The lab's line styles (style.gp), when the templates have them. */
    char *stpath = lab_path_join(lab_plot_templates_dir(), "style.gp");
    char *style = stpath ? lab_file_read(stpath, NULL) : NULL;
    free(stpath);

    /* The script: our settings, the styles, then the template. */
    char *spath = lab_path_join(dir, file);
    lab_atomic a;
    int rc = spath ? lab_atomic_open(&a, spath, err, errlen)
                   : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc != LAB_OK) {
        free(body);
        free(style);
        free(spath);
        return rc;
    }
    fprintf(a.f, "# %s.gp: written by lab %s. Edit freely; run `gnuplot %s.gp` in this\n"
                 "# folder to redraw the figure from the data files beside it.\n",
            name, lab_version(), name);
    if (terminals[format])
        fprintf(a.f, "set terminal %s\nset output '%s.%s'\n", terminals[format], name,
                lab_plot_format_names[format]);
    if (settings)
        fputs(settings, a.f);
    fputs("\n", a.f);
    if (style)
        fputs(style, a.f);
    fputs(body, a.f);
    free(body);
    free(style);
    rc = lab_atomic_commit(&a, err, errlen);
    free(spath);
    if (rc != LAB_OK || format == LAB_PLOT_NONE)
        return rc;

    char log[300];
    snprintf(log, sizeof log, "%s.log", name);
    int st = run_gnuplot(dir, file, log);
    if (st == 127)
        snprintf(warning, warnlen, "gnuplot not found: %s/%s and its data are written, but "
                 "no image (on Debian: apt-get install gnuplot-nox)", dir, file);
    else if (st != 0)
        snprintf(warning, warnlen, "gnuplot failed on %s/%s (messages in %s/%s)", dir, file,
                 dir, log);
    else {
        /* An empty log is noise in the run folder. */
        char *lpath = lab_path_join(dir, log);
        struct stat stl;
        if (lpath && stat(lpath, &stl) == 0 && stl.st_size == 0)
            remove(lpath);
        free(lpath);
    }
    return LAB_OK;
}
