/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <configure.h>

#include "provenance.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>
#include <gsl/gsl_version.h>

#include "blas.h"
#include "git-version.h"
#include "kind.h"
#include "status.h"

const char *lab_version(void)
{
    return PACKAGE_VERSION;
}

const char *lab_git_describe(void)
{
    return LAB_GIT_DESCRIBE;
}

void lab_provenance_write(FILE *f)
{
    char blas[512];
    const char *core = getenv("OPENBLAS_CORETYPE");
    const char *threads = getenv("OPENBLAS_NUM_THREADS");
    fprintf(f, "# lab %s (git %s), built with %s\n", lab_version(), lab_git_describe(),
#if defined __GNUC__ && !defined __clang__
            "gcc " __VERSION__
#elif defined __VERSION__
            __VERSION__
#else
            "an unknown compiler"
#endif
    );
    fprintf(f, "# blas: %s\n", lab_blas_describe(blas, sizeof blas));
    fprintf(f, "# OPENBLAS_CORETYPE=%s OPENBLAS_NUM_THREADS=%s; one single-threaded cell "
            "per worker process\n", core ? core : "(unset)", threads ? threads : "(unset)");
    fprintf(f, "# gsl %s; %s; inih %s; vector maths %s\n", gsl_version, fftw_version,
            LAB_INIH_VERSION,
#ifdef LAB_SIMD_MATH
            "libmvec"
#else
            "scalar libm"
#endif
    );
}

/* The version of the stream rule (THEORY.md section 7): results of one
 * version are reproduced bit for bit by every later build that keeps it. */
#define LAB_STREAM_RULE 2

int lab_provenance_results_header(const lab_config *c, lab_strbuf *b)
{
    char *text = NULL, *cfg = NULL;
    size_t len = 0, cfglen = 0;
    FILE *f = open_memstream(&text, &len), *cf = open_memstream(&cfg, &cfglen);
    if (!f || !cf) {
        if (f)
            fclose(f);
        if (cf)
            fclose(cf);
        free(text);
        free(cfg);
        return LAB_ENOMEM;
    }
    lab_config_write(c, cf, 1);
    fclose(cf);
    const lab_kind *kind = lab_config_kind(c);
    fprintf(f, "# tslab results: one row per row of a cell (kind %s: %s); columns ending in "
               "_s are timings\n", kind->name, kind->doc);
    lab_provenance_write(f);
    fprintf(f, "# experiment %s; experiment seed %" PRIu64 "; sweep seeds", c->name, c->seed);
    const lab_axis *seeds = lab_config_axis(c, "seed");
    for (size_t i = 0; seeds && i < seeds->n; i++)
        fprintf(f, "%s%s", i ? ", " : " ", seeds->values[i]);
    fputs("\n# axes:", f);
    for (size_t a = 0; a < c->naxes; a++)
        fprintf(f, " %s", lab_axis_column(&c->axes[a]));
    fprintf(f, "\n# streams: rule %d, each stream from the experiment seed and the values of "
               "the keys that shape its draws (THEORY.md section 7)\n", LAB_STREAM_RULE);
    fputs("# config (keys that change results):\n", f);
    for (char *line = cfg, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        fprintf(f, "#   %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
    }
    fclose(f);
    free(cfg);
    lab_strbuf_add(b, text ? text : "", text ? len : 0);
    free(text);
    return b->failed || !text ? LAB_ENOMEM : LAB_OK;
}
