/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[4096];
static int fd = -1;
static char *text;

static void remove_file(void)
{
    unlink(path);
}

static void free_text(void)
{
    free(text);
}

static void fail_io(const char *what)
{
    perror(what);
    abort();
}

const char *fuzz_file(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        /* In memory when there is /dev/shm: a disk's ftruncate can cost
         * milliseconds, a hundred times what the readers take. */
        const char *dir = getenv("TMPDIR");
        if (!dir || !*dir)
            dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof path, "%s/lab-fuzz-XXXXXX", dir);
        if ((fd = mkstemp(path)) < 0)
            fail_io(path);
        atexit(remove_file);
    }
    /* One file rewritten in place: no open or unlink per input. */
    if (ftruncate(fd, 0) != 0)
        fail_io(path);
    for (size_t done = 0; done < size;) {
        ssize_t k = pwrite(fd, data + done, size - done, (off_t)done);
        if (k <= 0)
            fail_io(path);
        done += (size_t)k;
    }
    return path;
}

const char *fuzz_string(const uint8_t *data, size_t size)
{
    static size_t cap;
    if (!text)
        atexit(free_text);
    if (size + 1 > cap) {
        free(text);
        cap = size + 1;
        if (!(text = malloc(cap)))
            fail_io("malloc");
    }
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: broken: %s\n", file, line, what);
    abort();
}
