/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab plot RUNDIR: redo summary.tsv and figures/ from a run folder's table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "fileio.h"
#include "names.h"
#include "status.h"

static const char usage[] =
    "Usage: lab plot RUNDIR [--format png|svg|pdf|none]\n"
    "Rewrite RUNDIR/summary.tsv and RUNDIR/figures/ from RUNDIR/results.tsv.\n";

int lab_cmd_plot(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *format = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'F') {
            format = optarg;
        } else {
            fputs(usage, opt == 'h' ? stdout : stderr);
            return opt == 'h' ? LAB_EXIT_OK : LAB_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return LAB_EXIT_USAGE;
    }
    const char *dir = argv[optind];

    /* The run's own config gives the name and the default format. */
    char err[1024];
    lab_config c;
    int rc = lab_config_init(&c);
    char *path = lab_path_join(dir, "config.cfg");
    if (rc == LAB_OK)
        rc = path ? lab_config_load(&c, path, err, sizeof err) : LAB_ENOMEM;
    free(path);
    if (rc != LAB_OK) {
        lab_cli_error("%s: not a run folder (%s)", dir,
                      rc == LAB_ENOMEM ? "out of memory" : err);
        lab_config_release(&c);
        return LAB_EXIT_USAGE;
    }
    if (format && (c.format = lab_name_index(format, lab_plot_format_names, LAB_NPLOT)) < 0) {
        lab_cli_error("--format %s: expected png, svg, pdf or none", format);
        lab_config_release(&c);
        return LAB_EXIT_USAGE;
    }
    int code = lab_cli_report(dir, &c);
    lab_config_release(&c);
    return code;
}
