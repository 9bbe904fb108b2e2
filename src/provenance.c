/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <configure.h>

#include "provenance.h"

#include <stdlib.h>

#include <fftw3.h>
#include <gsl/gsl_version.h>

#include "blas.h"
#include "git-version.h"

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
