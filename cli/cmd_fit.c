/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab fit TABLE: fit scaling laws to any table of learning curves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fit_table.h"
#include "status.h"

static const char usage[] =
    "Usage: lab fit TABLE --form FORM[,FORM...] [options]\n"
    "Fit scaling laws to a TSV or CSV table with a header row. Several forms make a\n"
    "tournament, ranked by their error on the held-out points.\n"
    "\n"
    "  --form FORM[,FORM...]  hestness, hestness:3, rosenfeld, rosenfeld-prune, bnsl[:K],\n"
    "                         kaplan, chinchilla, exp\n"
    "  --x COL[,COL...]       x columns in the form's order (default: n; rosenfeld n,params;\n"
    "                         kaplan and chinchilla params,n; rosenfeld-prune d,eps_np)\n"
    "  --y COL                y column (default: test_error)\n"
    "  --group COL[,COL...]   fit each value (or combination) of these columns apart\n"
    "  --holdout FRAC         hold out the largest FRAC of the distinct first-x values\n"
    "                         (0: none, the default)\n"
    "  --holdout-from X       hold out the points whose first x is at least X\n"
    "  --split-col COL        hold out the rows whose COL is not \"fit\"\n"
    "  --loss LOSS            log (default), rel, huber[:DELTA] (1e-3), asym[:LAMBDA] (10)\n"
    "  --bootstrap B          B bootstrap refits: 95%% intervals and bands (default 0)\n"
    "  --bootstrap-by COL     resample whole sets of rows sharing COL (e.g. seed)\n"
    "  --seed S               seed of the bootstrap (default 1)\n"
    "  --fix NAME=VALUE       hold a parameter fixed (repeatable)\n"
    "  --release NAME         fit a parameter fixed by default (eps0; repeatable)\n"
    "  --start NAME=V1,V2,..  the start grid of a parameter (repeatable)\n"
    "  --refine N|all         refine the N best starts (default 16) and the best start of\n"
    "                         each basin of the form (bnsl), or every start\n"
    "  --max-iter N           iterations of each local solve (default %zu)\n"
    "  --out DIR              output folder (default: fit/ beside the table)\n"
    "  --force                write into an output folder that is not empty, replacing\n"
    "                         the fit tables and fit_* figures there (nothing else)\n"
    "  --format FMT           figures: png (default), svg, pdf or none\n"
    "  --save-starts FILE     write the starts refined by each fit (group, form, k,\n"
    "                         parameters), to rerun them with another fitter\n"
    "\n"
    "Rows with a status column other than \"ok\" are left out. Writes DIR/fits.tsv\n"
    "(each parameter's value, 95%% bootstrap interval and status: fitted, fixed or\n"
    "at_bound), diagnostics.tsv (one row per fit), scores.tsv (RMSLE on the fitted\n"
    "and held-out points), predictions.tsv (every point with its columns named as in\n"
    "TABLE and the fitted curve there) and DIR/figures/fit_FORM.*. An output folder\n"
    "that holds anything is refused without --force, so a run's own fits are never\n"
    "written over.\n"
    "\n"
    "A fit is flagged with a warning (on stderr, in diagnostics.tsv's warning column\n"
    "and, when poor, as \"poor fit\" in its figure) when its RMSLE on the fitted or the\n"
    "held-out points exceeds %g, when it predicts a held-out point as not finite or\n"
    "did not converge (a poor fit); and, though not poor, when a parameter stopped at\n"
    "a bound, or when the predictions at the largest x of the fits within %g%% of its\n"
    "loss spread by more than %g as log(highest / lowest) (diagnostics.tsv's near_fits\n"
    "and near_spread; the figure draws their range there): they fit alike but\n"
    "extrapolate differently.\n";

static void print_note(void *ctx, const char *message)
{
    (void)ctx;
    lab_cli_error("warning: %s", message);
}

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
}

int lab_cmd_fit(int argc, char **argv)
{
    lab_fit_options o;
    lab_fitting *fs = NULL;
    char err[1024];
    int rc = lab_fit_options_parse(argc, argv, &o, err, sizeof err), code;
    if (rc == LAB_OK && o.help) {
        printf(usage, lab_fit_default_opts().max_iter, LAB_FIT_POOR_RMSLE, 100 * LAB_FIT_NEAR,
               LAB_FIT_NEAR_SPREAD);
        code = LAB_EXIT_OK;
    } else if (rc != LAB_OK) {
        lab_cli_error("%s", rc == LAB_ENOMEM ? "out of memory" : err);
        code = rc == LAB_ENOMEM ? LAB_EXIT_FAIL : LAB_EXIT_USAGE;
    } else {
        o.req.note = print_note;
        o.req.fitted = print_line;
        rc = lab_fit_table(&o, &fs, err, sizeof err);
        if (rc == LAB_OK) {
            lab_strbuf ranking = LAB_STRBUF_INIT;
            lab_fitting_ranking(fs, &ranking);
            fputs(lab_strbuf_str(&ranking), stdout);
            lab_strbuf_release(&ranking);
            char *dir = lab_fit_out_dir(&o);
            fprintf(stderr, "lab: fits in %s/ (fits.tsv, diagnostics.tsv, scores.tsv, "
                    "predictions.tsv, figures/)\n", dir ? dir : ".");
            free(dir);
            code = lab_fitting_failures(fs) ? LAB_EXIT_FAIL : LAB_EXIT_OK;
        } else {
            lab_cli_error("%s", rc == LAB_ENOMEM ? "out of memory" : err);
            code = rc == LAB_EINVAL || rc == LAB_EFORMAT ? LAB_EXIT_USAGE : LAB_EXIT_FAIL;
        }
    }
    lab_fitting_free(fs);
    lab_fit_options_release(&o);
    return code;
}
