/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const lab_status_text[] = {
#define LAB_STATUS_TEXT(name, text) text,
    LAB_ERRORS(LAB_STATUS_TEXT)
#undef LAB_STATUS_TEXT
};
_Static_assert(sizeof lab_status_text / sizeof *lab_status_text == LAB_NSTATUS,
               "one text per status");

const char *lab_strerror(int status)
{
    if (status < 0 || status >= LAB_NSTATUS)
        return "unknown status";
    return lab_status_text[status];
}

int lab_fail(char *err, size_t errlen, int status, const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}
