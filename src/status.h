/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Status codes shared by every lab_* function that can fail.
 *
 * Library code returns a lab_status and never prints or exits; functions that
 * can say more than the code take a caller-owned message buffer (err, errlen)
 * and fill it with one line that names what went wrong and where. Only the
 * command layer (src/main.c and src/cmd_*.c) turns these into messages and
 * exit codes. */
#ifndef LAB_STATUS_H
#define LAB_STATUS_H

#include <stddef.h>

/* X(name, description): one table generates the enum and lab_strerror(). */
#define LAB_ERRORS(X)                                                 \
    X(OK, "success")                                                  \
    X(ENOMEM, "out of memory")                                        \
    X(EINVAL, "invalid argument")                                     \
    X(EIO, "input/output error")                                      \
    X(ECONFIG, "configuration error")                                 \
    X(EFORMAT, "malformed table")                                     \
    X(EDIVERGED, "training diverged")                                 \
    X(EINTERRUPTED, "interrupted")                                    \
    X(ECONFLICT, "run folder holds results of a different config")    \
    X(ECHILD, "worker process failed")                                \
    X(ENUMERIC, "numerical failure")                                  \
    X(EMISSING, "cells have no results yet")                          \
    X(EBUSY, "run folder in use by another lab run")

enum lab_status {
#define LAB_STATUS_ENUM(name, text) LAB_##name,
    LAB_ERRORS(LAB_STATUS_ENUM)
#undef LAB_STATUS_ENUM
    LAB_NSTATUS
};

/* A static description of a status code (never NULL). */
const char *lab_strerror(int status);

/* snprintf into err (when err is not NULL) and return status: lets a function
 * write `return lab_fail(err, errlen, LAB_EIO, "%s: %s", path, why);`. */
int lab_fail(char *err, size_t errlen, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
