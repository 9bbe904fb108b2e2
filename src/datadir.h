/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where the lab's own data lives: its experiments (configs) and its figure
 * templates.
 *
 * A lab built in a source tree reads the tree's experiments/ and plots/, so
 * an edited template takes effect without installing; an installed lab
 * reads $(pkgdatadir)/experiments and $(pkgdatadir)/plots. Which one runs is
 * told by the program's own file: inside the build tree (and not in the
 * configured bindir) means uninstalled; where the system does not say
 * (no /proc/self/exe), installed. An installed lab never reads a build
 * tree's templates, which may be anyone's: gnuplot runs what they say.
 * The folders come from the build's install-dirs.h, remade whenever
 * configure or make is given other folders.
 *
 * Ownership: the strings returned are static; nothing is allocated. */
#ifndef LAB_DATADIR_H
#define LAB_DATADIR_H

enum lab_datadir_kind { LAB_DATADIR_EXPERIMENTS, LAB_DATADIR_PLOTS };

/* The folder holding the lab's own experiments or figure templates. */
const char *lab_datadir_path(enum lab_datadir_kind which);

/* Whether the running program is an installed one (see above). */
int lab_datadir_installed(void);

#endif
