/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "options.h"

#include <stdio.h>
#include <string.h>

#include "strbuf.h"
#include "suggest.h"

void lab_options_refused(int opt, char **argv, const struct option *longopts, char *buf,
                         size_t len)
{
    /* getopt has moved past a long option; a short one may be inside a group
     * ("-zq"), so it is named by optopt. glibc sets optopt to 0 for an
     * unknown or ambiguous long option, and to the option's value when the
     * option lacks its value or has one it does not take. */
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    const char *name = strncmp(arg, "--", 2) == 0 ? arg + 2 : NULL;
    int nlen = name ? (int)strcspn(name, "=") : 0;
    const struct option *exact = NULL;
    for (const struct option *o = longopts; name && o->name; o++)
        if ((int)strlen(o->name) == nlen && strncmp(o->name, name, (size_t)nlen) == 0)
            exact = o;
    /* A value refused ends "=VALUE"; a missing one, the option itself. */
    if (name && optopt
        && !(exact && exact->val == optopt && name[nlen] == (opt == ':' ? '\0' : '=')))
        name = NULL; /* a short option after a long one */
    if (!name) {
        snprintf(buf, len, "-%c: %s", optopt ? optopt : '?',
                 opt == ':' ? "the option needs a value" : "unknown option");
        return;
    }
    if (opt == ':') {
        snprintf(buf, len, "--%.*s: the option needs a value", nlen, name);
        return;
    }
    if (exact) {
        snprintf(buf, len, "--%.*s: the option takes no value", nlen, name);
        return;
    }
    /* Ambiguous: the start of several options. */
    lab_strbuf b = LAB_STRBUF_INIT;
    size_t nprefix = 0;
    for (const struct option *o = longopts; o->name; o++)
        if (strncmp(o->name, name, (size_t)nlen) == 0)
            lab_strbuf_printf(&b, "%s--%s", nprefix++ ? " or " : "", o->name);
    if (nprefix > 1) {
        snprintf(buf, len, "--%.*s: ambiguous option; did you mean %s?", nlen, name,
                 lab_strbuf_str(&b));
        lab_strbuf_release(&b);
        return;
    }
    lab_strbuf_release(&b);
    char word[LAB_SUGGEST_MAXLEN + 1];
    snprintf(word, sizeof word, "%.*s", nlen, name);
    lab_suggest s;
    lab_suggest_init(&s, word);
    for (const struct option *o = longopts; o->name; o++)
        lab_suggest_add(&s, o->name);
    snprintf(buf, len, "--%.*s: unknown option%s%s%s", nlen, name,
             s.best ? "; did you mean --" : "", s.best ? s.best : "", s.best ? "?" : "");
}
