/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the commands say about options getopt_long() refuses: unknown ones
 * with the closest valid name, ambiguous ones, values missing or unwanted,
 * short options in groups. */
#include <getopt.h>
#include <string.h>

#include "options.h"
#include "tap.h"

static const struct option longopts[] = {
    { "jobs", required_argument, NULL, 'j' },
    { "set", required_argument, NULL, 's' },
    { "shard", required_argument, NULL, 'S' },
    { "fresh", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

/* Parse args (after "run") as the commands do; the message of the first
 * option refused, or "" when none is. */
static const char *refused(const char *a1, const char *a2, const char *a3)
{
    static char msg[256];
    char *argv[] = { (char *)"run", (char *)a1, (char *)a2, (char *)a3, NULL };
    int argc = 1, opt;
    while (argc < 4 && argv[argc])
        argc++;
    msg[0] = '\0';
    optind = 0; /* start afresh, also inside a group of short options */
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":j:fh", longopts, NULL)) != -1)
        if (opt == '?' || opt == ':') {
            lab_options_refused(opt, argv, longopts, msg, sizeof msg);
            break;
        }
    return msg;
}

int main(void)
{
    plan(12);
    is_string("--jbos: unknown option; did you mean --jobs?", refused("cfg", "--jbos", "2"),
              "an unknown option names the closest");
    is_string("--jbos: unknown option; did you mean --jobs?", refused("--jbos=2", "cfg", NULL),
              "also with its value after '='");
    is_string("--frobnicate: unknown option", refused("--frobnicate", NULL, NULL),
              "and none when nothing is close");
    is_string("--s: ambiguous option; did you mean --set or --shard?",
              refused("--s", "x", NULL), "an ambiguous prefix names the options it starts");
    is_string("", refused("--sh", "1/2", "--fr"), "unambiguous prefixes are taken");
    is_string("--set: the option needs a value", refused("cfg", "--set", NULL),
              "a long option without its value");
    is_string("-j: the option needs a value", refused("cfg", "-j", NULL),
              "a short option without its value");
    is_string("--fresh: the option takes no value", refused("--fresh=yes", NULL, NULL),
              "a value given to an option that takes none");
    is_string("--help: the option takes no value", refused("--fresh", "--help=1", NULL),
              "the option itself, not the one before");
    is_string("-z: unknown option", refused("-z", NULL, NULL), "an unknown short option");
    is_string("-z: unknown option", refused("--fresh", "-fzh", NULL),
              "an unknown short option inside a group, after a long option");
    is_string("-z: unknown option", refused("--set", "a.b=1", "-zf"),
              "an unknown short option after an option's value");
    return 0;
}
