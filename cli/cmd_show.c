/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab show CFG: print the resolved configuration, every default written out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "kind.h"
#include "provenance.h"

static const char usage[] =
    "Usage: lab show CFG [--set SECTION.KEY=VALUE]...\n"
    "Print the resolved configuration: every key, with its value and meaning, and\n"
    "the axes of the sweep.\n";

int lab_cmd_show(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "set", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    char **sets = calloc((size_t)argc, sizeof *sets);
    int nsets = 0, opt, code = -1;
    if (!sets)
        return LAB_EXIT_FAIL;
    optind = 1;
    opterr = 0; /* our messages, not getopt's */
    while (code < 0 && (opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (opt == 's') {
            code = lab_cli_set_option(argc, argv, optarg, sets, &nsets);
        } else if (opt == 'h') {
            fputs(usage, stdout);
            code = LAB_EXIT_OK;
        } else {
            code = lab_cli_refused("show", opt, argv, longopts);
        }
    }
    if (code >= 0) {
        free(sets);
        return code;
    }
    lab_config c;
    code = lab_cli_config_operand(&c, argc, argv, usage, sets, nsets);
    free(sets);
    if (code == LAB_EXIT_OK) {
        printf("# The resolved configuration of %s (lab %s).\n", c.source, lab_version());
        printf("# Kind %s; axes (the columns of results.tsv, in table order):", c.kind);
        for (size_t a = 0; a < c.naxes; a++)
            printf("%s %s (%zu)", a ? "," : "", lab_axis_column(&c.axes[a]), c.axes[a].n);
        printf(": %zu cells.\n", lab_config_ncells(&c));
        const lab_kind *kind = lab_config_kind(&c);
        lab_config first;
        size_t rows = 1;
        if (lab_config_copy(&first, &c) == 0) {
            if (lab_config_cell(&c, 0, &first) == 0)
                rows = kind->rows(&first);
            lab_config_release(&first);
        }
        printf("# Then the kind's columns (its first cell gives %zu row%s):\n", rows,
               rows == 1 ? "" : "s");
        for (size_t j = 0; j < kind->ncolumns; j++)
            printf("#   %-12s %s\n", kind->columns[j].name, kind->columns[j].doc);
        printf("\n");
        lab_config_write(&c, stdout, 0);
    }
    lab_config_release(&c);
    return code;
}
