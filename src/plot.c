/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <configure.h>

#include "plot.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "datadir.h"
#include "fileio.h"
#include "provenance.h"
#include "status.h"
#include "strbuf.h"

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

/* Run gnuplot on script in dir, its messages going to log, the image going
 * to output. Returns the exit status, 127 when gnuplot could not be started,
 * -2 when *stop was set while it ran (it is killed), or -1. */
static int run_gnuplot(const char *dir, const char *script, const char *log, const char *output,
                       volatile sig_atomic_t *stop)
{
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* Out of lab's process group and away from the terminal: a Ctrl-C
         * reaches lab alone, which kills gnuplot and drops its unfinished
         * image (below). And gone with lab, should lab be killed. */
        setpgid(0, 0);
#ifdef HAVE_SYS_PRCTL_H
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(126);
#else
        (void)parent;
#endif
        int in = open("/dev/null", O_RDONLY);
        if (in >= 0 && in != STDIN_FILENO) {
            dup2(in, STDIN_FILENO);
            close(in);
        }
        if (chdir(dir) != 0)
            _exit(126);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd < 0) /* never the terminal, from a background process group */
            fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        const char *prog = getenv("LAB_GNUPLOT");
        prog = prog && *prog ? prog : "gnuplot";
        char set[320];
        snprintf(set, sizeof set, "lab_output = '%s'", output);
        execlp(prog, prog, "-e", set, script, (char *)NULL);
        _exit(127);
    }
    /* Poll, so that a stop request is seen while gnuplot draws. */
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return -1;
        if (stop && *stop) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            return -2;
        }
        nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Whether the image at path is whole: gnuplot exits 0 when its terminal
 * could not write all of it (a full disk), so the file is checked for the
 * format's own end. */
static int image_complete(const char *path, enum lab_plot_format format)
{
    static const struct {
        const char *head, *tail;
        size_t nhead, ntail;
        int trim;       /* trailing white space allowed */
    } marks[] = {
        [LAB_PLOT_PNG] = { "\x89PNG\r\n\x1a\n", "\0\0\0\0IEND\xae\x42\x60\x82", 8, 12, 0 },
        [LAB_PLOT_SVG] = { "<", "</svg>", 1, 6, 1 },
        [LAB_PLOT_PDF] = { "%PDF-", "%%EOF", 5, 5, 1 },
    };
    size_t len;
    char *img = lab_file_read(path, &len);
    if (!img)
        return 0;
    size_t end = len;
    while (marks[format].trim && end > 0 && strchr(" \t\r\n", img[end - 1]))
        end--;
    int whole = end >= marks[format].nhead + marks[format].ntail
             && memcmp(img, marks[format].head, marks[format].nhead) == 0
             && memcmp(img + end - marks[format].ntail, marks[format].tail,
                       marks[format].ntail) == 0;
    free(img);
    return whole;
}

/* Check the image gnuplot drew into dir/tmp and move it to dir/NAME.EXT.
 * LAB_EIO with a message naming the image when it is incomplete or cannot
 * be moved; the temporary file is gone either way. */
static int image_commit(const char *dir, const char *tmp, const char *name,
                        enum lab_plot_format format, const char *log, char *err, size_t errlen)
{
    lab_strbuf from = LAB_STRBUF_INIT, to = LAB_STRBUF_INIT;
    lab_strbuf_printf(&from, "%s/%s", dir, tmp);
    lab_strbuf_printf(&to, "%s/%s.%s", dir, name, lab_plot_format_names[format]);
    int rc = LAB_OK;
    if (from.failed || to.failed) {
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    } else if (!image_complete(from.s, format)) {
        rc = lab_fail(err, errlen, LAB_EIO, "%s: not written: gnuplot's image is missing or "
                      "incomplete (is the disk full? messages in %s/%s)", to.s, dir, log);
    } else {
        /* On disk before it replaces the old image, as the tables are. */
        int fd = open(from.s, O_RDONLY);
        if (fd < 0 || fsync(fd) != 0 || rename(from.s, to.s) != 0)
            rc = lab_fail(err, errlen, LAB_EIO, "%s: not written: %s", to.s, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    if (rc != LAB_OK && !from.failed)
        remove(from.s);
    lab_strbuf_release(&from);
    lab_strbuf_release(&to);
    return rc;
}

int lab_plot_render(const char *dir, const char *template, const char *name,
                    enum lab_plot_format format, const char *settings,
                    volatile sig_atomic_t *stop, char *warning, size_t warnlen,
                    char *err, size_t errlen)
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
    /* The lab has gnuplot draw into a temporary file (lab_output), to be
     * checked before it takes the image's name. */
    if (terminals[format])
        fprintf(a.f, "if (!exists(\"lab_output\")) lab_output = '%s.%s'\n"
                     "set terminal %s\nset output lab_output\n", name,
                lab_plot_format_names[format], terminals[format]);
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

    char log[300], tmp[300];
    snprintf(log, sizeof log, "%s.log", name);
    snprintf(tmp, sizeof tmp, "%s.%s.tmp.%ld", name, lab_plot_format_names[format],
             (long)getpid());
    int st = run_gnuplot(dir, file, log, tmp, stop);
    if (st == 127) {
        snprintf(warning, warnlen, "gnuplot not found: %s/%s and its data are written, but "
                 "no image (on Debian: apt-get install gnuplot-nox)", dir, file);
    } else if (st != 0) {
        if (st == -2)
            rc = lab_fail(err, errlen, LAB_EINTERRUPTED, "interrupted");
        else
            rc = lab_fail(err, errlen, LAB_EIO, "%s/%s.%s: not written: gnuplot failed on "
                          "%s/%s (messages in %s/%s)", dir, name, lab_plot_format_names[format],
                          dir, file, dir, log);
        char *tpath = lab_path_join(dir, tmp);
        if (tpath)
            remove(tpath);
        free(tpath);
    } else if ((rc = image_commit(dir, tmp, name, format, log, err, errlen)) == LAB_OK) {
        /* An empty log is noise in the run folder. */
        char *lpath = lab_path_join(dir, log);
        struct stat stl;
        if (lpath && stat(lpath, &stl) == 0 && stl.st_size == 0)
            remove(lpath);
        free(lpath);
    }
    if (rc != LAB_OK) {
        /* No image is left older than the script and data beside it. */
        lab_strbuf old = LAB_STRBUF_INIT;
        lab_strbuf_printf(&old, "%s/%s.%s", dir, name, lab_plot_format_names[format]);
        if (!old.failed)
            remove(old.s);
        lab_strbuf_release(&old);
    }
    return rc;
}
