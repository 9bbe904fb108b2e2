/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Memory estimates against the peak resident memory of cells run in a child
 * process, the largest cell of a sweep and of a shard, and sizes as people
 * write them. With --table, prints the estimate and the measure for cells
 * of many shapes (for the record: the README's numbers). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blas.h"
#include "config.h"
#include "kind.h"
#include "memory.h"
#include "tap.h"

/* Address sanitizers multiply the resident memory: the measures mean nothing. */
#if defined(__SANITIZE_ADDRESS__)
#define LAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LAB_ASAN 1
#endif
#endif

static void load(lab_config *c, const char *text)
{
    char err[512];
    if (lab_config_init(c) || lab_config_load_string(c, text, "m.cfg", err, sizeof err)
        || lab_config_finish(c, err, sizeof err))
        bail("config: %s", err);
}

/* The estimate for the first cell of text (the process's part included),
 * and the peak resident memory of a child that runs it, in bytes. */
static void measure(const char *text, double *estimate, double *peak)
{
    lab_config c, cell;
    load(&c, text);
    if (lab_config_copy(&cell, &c) || lab_config_cell(&c, 0, &cell))
        bail("no cell");
    const lab_kind *k = lab_config_kind(&c);
    *estimate = k->memory(&cell) + LAB_MEMORY_PROCESS;
    int fd[2];
    fflush(NULL);
    pid_t pid = pipe(fd) == 0 ? fork() : -1;
    if (pid < 0)
        bail("fork");
    if (pid == 0) {
        /* As a sweep's worker runs it; then its own peak, to the parent. */
        char err[512];
        size_t nrows = k->rows(&cell);
        double *v = calloc(nrows * k->ncolumns, sizeof *v);
        lab_rows rows = { nrows, k->ncolumns, v };
        lab_blas_single_thread();
        struct rusage ru;
        if (!v || k->run(&cell, &rows, NULL, err, sizeof err) != 0
            || getrusage(RUSAGE_SELF, &ru) != 0)
            _exit(1);
        double kb = (double)ru.ru_maxrss; /* Linux: kilobytes */
        _exit(write(fd[1], &kb, sizeof kb) == (ssize_t)sizeof kb ? 0 : 1);
    }
    close(fd[1]);
    double kb = -1;
    int status;
    if (read(fd[0], &kb, sizeof kb) != (ssize_t)sizeof kb || waitpid(pid, &status, 0) != pid
        || !WIFEXITED(status) || WEXITSTATUS(status))
        bail("the cell failed");
    close(fd[0]);
    *peak = kb * 1024;
    lab_config_release(&cell);
    lab_config_release(&c);
}

/* Cells of many shapes: small and large n, narrow and wide, D = 1 and 64,
 * both kinds. */
static const char *const shapes[] = {
    "[teacher]\ninput_dim = 16\n[sweep]\nn = 1024\n[train]\nsteps = 50\n",
    "[teacher]\ninput_dim = 1\n[sweep]\nn = 4000000\n[train]\nsteps = 50\n",
    "[teacher]\ninput_dim = 1\n[sweep]\nn = 4000000\n[train]\nsteps = 50\nbatch = 0\n"
    "[student]\nwidth = 8\n",
    "[teacher]\ninput_dim = 64\n[sweep]\nn = 200000\n[train]\nsteps = 50\n[student]\nwidth = 64\n",
    "[teacher]\ninput_dim = 64\n[sweep]\nn = 1000000\n[train]\nsteps = 50\n[student]\nwidth = 64\n"
    "[train]\noptimizer = sgd\n",
    "[teacher]\ninput_dim = 64\n[sweep]\nn = 20000\n[train]\nsteps = 20\nbatch = 0\n"
    "[student]\nwidth = 256\n",
    "[teacher]\ninput_dim = 64\n[sweep]\nn = 4096\n[train]\nsteps = 50\n"
    "[student]\nwidth = 2048\ndepth = 3\n",
    "[teacher]\ninput_dim = 64\nwidths = 256, 256\n[data]\ntest_size = 100000\n"
    "[sweep]\nn = 1024\n[train]\nsteps = 50\n",
    "[experiment]\nkind = linear\n[teacher]\ninput_dim = 1\n[sweep]\nn = 4000000\n",
    "[experiment]\nkind = linear\n[teacher]\ninput_dim = 64\n[sweep]\nn = 200000\n",
    "[experiment]\nkind = linear\n[teacher]\ninput_dim = 512\n[sweep]\nn = 1000\n",
};

static void table(void)
{
    printf("estimate_MiB\tpeak_rss_MiB\tratio\tconfig\n");
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        double est, peak;
        measure(shapes[i], &est, &peak);
        char text[512];
        snprintf(text, sizeof text, "%s", shapes[i]);
        for (char *p = text; *p; p++)
            *p = *p == '\n' ? ' ' : *p;
        printf("%.1f\t%.1f\t%.2f\t%s\n", est / 1048576, peak / 1048576, est / peak, text);
    }
}

/* The estimate bounds the peak from above, within a factor 1.5, for cells
 * large enough that the process's fixed part does not dominate. */
static void test_estimates(void)
{
#ifdef LAB_ASAN
    skip("the address sanitizer's resident memory is not the program's");
    skip("the address sanitizer's resident memory is not the program's");
#else
    double est, peak;
    measure("[teacher]\ninput_dim = 64\n[sweep]\nn = 200000\n[train]\nsteps = 50\n"
            "[student]\nwidth = 64\n", &est, &peak);
    ok(est >= peak && est <= 1.5 * peak, "a student on 200000 points in 64 dimensions: "
       "estimate %.0f MiB, peak %.0f MiB", est / 1048576, peak / 1048576);
    measure("[experiment]\nkind = linear\n[teacher]\ninput_dim = 1\n[sweep]\nn = 2000000\n",
            &est, &peak);
    ok(est >= peak && est <= 1.5 * peak, "least squares on 2000000 points in 1 dimension: "
       "estimate %.0f MiB, peak %.0f MiB", est / 1048576, peak / 1048576);
#endif
}

/* The sweep's largest cell, over all cells and over one shard. */
static void test_cells(void)
{
    lab_config c;
    load(&c, "[teacher]\ninput_dim = 1\n[sweep]\nn = 100, 1000000000, 1000\nseeds = 0, 1\n");
    double bytes, big;
    size_t cell, ncells;
    /* (Each call before its check: arguments are evaluated in any order.) */
    int rc = lab_memory_cells(&c, 0, 0, &bytes, &cell, &ncells);
    ok(rc == 0 && ncells == 6 && (cell == 2 || cell == 3) && bytes > 24e9,
       "the largest cell is one with n = 1e9 (cell %zu): %.3g bytes, 8 per point for each "
       "input, label and place in the batch order", cell, bytes);
    big = bytes;
    /* Cells split by cost: the two n = 1e9 cells go to different shards. */
    rc = lab_memory_cells(&c, 0, 2, &bytes, &cell, &ncells);
    ok(rc == 0 && ncells == 3 && bytes == big, "so is the largest of shard 1 of 2");
    lab_config_release(&c);
    load(&c, "[teacher]\ninput_dim = 1\n[sweep]\nn = 100, 1000\nseeds = 0, 1\n");
    rc = lab_memory_cells(&c, 0, 0, &bytes, &cell, &ncells);
    ok(rc == 0 && bytes < LAB_MEMORY_PROCESS + 2e6,
       "small cells need little beyond the process (%.0f KiB)", (bytes - LAB_MEMORY_PROCESS) / 1024);
    lab_config_release(&c);
}

static void test_sizes(void)
{
    double b = 0;
    ok(lab_memory_parse("512M", &b) == 0 && b == 512.0 * 1048576
       && lab_memory_parse("1.5 GiB", &b) == 0 && b == 1.5 * 1073741824
       && lab_memory_parse("2g", &b) == 0 && b == 2.0 * 1073741824
       && lab_memory_parse("1000", &b) == 0 && b == 1000,
       "sizes with and without units");
    ok(lab_memory_parse("", &b) < 0 && lab_memory_parse("12X", &b) < 0
       && lab_memory_parse("-1G", &b) < 0 && lab_memory_parse("inf", &b) < 0
       && lab_memory_parse("1GG", &b) < 0,
       "and what is not a size");
    char buf[32];
    is_string("23.4 GiB", lab_memory_format(23.4 * 1073741824, buf, sizeof buf),
              "sizes are written with binary units");
    lab_memory m;
    lab_memory_available(&m);
    ok(m.total > 0 && m.process > 0, "this machine has %s available (%s)",
       lab_memory_format(m.total, buf, sizeof buf), m.total_from);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--table") == 0) {
        table();
        return 0;
    }
    plan(2 + 3 + 4);
    test_estimates();
    test_cells();
    test_sizes();
    return 0;
}
