/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Figures: gnuplot scripts from the templates in plots/, run by gnuplot.
 *
 * A figure is three files in the figures folder: NAME.gp (a header of
 * settings written by the lab, the line styles of plots/style.gp, then the
 * template's body), the data files it
 * reads, and the image gnuplot makes from them. The script runs on its own
 * (`cd figures && gnuplot NAME.gp`), so a figure can be restyled without
 * rerunning anything. gnuplot is a run-time dependency only: without it the
 * scripts and data are still written and lab_plot_render() says so.
 *
 * Ownership: no allocation crosses this interface. */
#ifndef LAB_PLOT_H
#define LAB_PLOT_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

enum lab_plot_format { LAB_PLOT_PNG, LAB_PLOT_SVG, LAB_PLOT_PDF, LAB_PLOT_NONE, LAB_NPLOT };
extern const char *const lab_plot_format_names[LAB_NPLOT];

/* The folder holding the gnuplot templates: $LAB_PLOTS_DIR if set, else the
 * lab's own (datadir.h: the source tree's plots/ for a lab in its build
 * tree, the installed ones for an installed lab). */
const char *lab_plot_templates_dir(void);

/* Write dir/NAME.gp from the template TEMPLATES/TEMPLATE.gp, preceded by
 * the terminal and output settings for `format` (the image is NAME.png, ...)
 * and by `settings` (gnuplot lines, may be NULL), then run gnuplot on it in
 * dir unless format is none. gnuplot draws into a temporary file, which
 * takes the image's name only when it is whole. Returns LAB_OK; LAB_EIO with
 * a message naming what is missing when the script cannot be written, or
 * gnuplot fails, or its image is incomplete (a full disk); when gnuplot is
 * missing, LAB_OK with a warning in `warning` (empty otherwise). Once
 * *stop is set (stop may be NULL), gnuplot is killed and its unfinished
 * image dropped: LAB_EINTERRUPTED. */
int lab_plot_render(const char *dir, const char *template, const char *name,
                    enum lab_plot_format format, const char *settings,
                    volatile sig_atomic_t *stop, char *warning, size_t warnlen,
                    char *err, size_t errlen);

/* Write text into a gnuplot string: characters that could end the string or
 * be substituted there (quotes, backslash, backquote, macro and variable
 * marks, control characters) become underscores, and so do spaces when word
 * is set (gnuplot's word() splits titles on them). */
void lab_plot_text(FILE *f, const char *text, int word);

#endif
