/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The inputs of a fuzz target replayed without libFuzzer, as a TAP test:
 * every file of fuzz/corpus/TARGET/ and fuzz/regress/TARGET/ (the seeds,
 * and the inputs that once crashed it) goes through the target's
 * LLVMFuzzerTestOneInput(), one "ok" line each. A crash, or a property the
 * target checks, aborts the test; under ./configure --enable-sanitizers
 * ASan and UBSan watch every input.
 *
 * Files named on the command line are replayed instead. The target's name
 * is the program's, less "-replay" (fuzz/table-replay replays table); the
 * folders are looked up under $top_srcdir (the test environment sets it),
 * else ".". */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "fuzz.h"

struct names {
    char **v;
    size_t n, cap;
};

static void push(struct names *s, char *name)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        if (!(s->v = realloc(s->v, s->cap * sizeof *s->v))) {
            perror("realloc");
            exit(99);
        }
    }
    s->v[s->n++] = name;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of dir (none when it does not exist), sorted, appended to s. */
static void list_dir(const char *dir, struct names *s)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return;
        perror(dir);
        exit(99);
    }
    size_t first = s->n;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(len);
        if (!path) {
            perror("malloc");
            exit(99);
        }
        snprintf(path, len, "%s/%s", dir, e->d_name);
        push(s, path);
    }
    closedir(d);
    qsort(s->v + first, s->n - first, sizeof *s->v, by_name);
}

int main(int argc, char **argv)
{
    struct names files = { 0 };
    char target[256];
    const char *base = strrchr(argv[0], '/');
    snprintf(target, sizeof target, "%s", base ? base + 1 : argv[0]);
    char *suffix = strstr(target, "-replay");
    if (suffix)
        *suffix = '\0';
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            push(&files, strdup(argv[i]));
    } else {
        const char *top = getenv("top_srcdir");
        static const char *const kinds[] = { "corpus", "regress" };
        for (size_t k = 0; k < 2; k++) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/fuzz/%s/%s", top && *top ? top : ".", kinds[k],
                     target);
            list_dir(dir, &files);
        }
    }
    if (files.n == 0) {
        printf("1..0 # SKIP no inputs for %s\n", target);
        return 0;
    }
    printf("1..%zu\n", files.n);
    for (size_t i = 0; i < files.n; i++) {
        size_t len;
        char *data = lab_file_read(files.v[i], &len);
        if (!data) {
            printf("not ok %zu - %s: %s\n", i + 1, files.v[i], strerror(errno));
            free(files.v[i]);
            continue;
        }
        /* Announced first: if the input crashes the target, the log names it. */
        fprintf(stderr, "# %s\n", files.v[i]);
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        printf("ok %zu - %s %s\n", i + 1, target, files.v[i]);
        fflush(stdout);
        free(data);
        free(files.v[i]);
    }
    free(files.v);
    return 0;
}
