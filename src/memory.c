/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "memory.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kind.h"
#include "status.h"
#include "sweep.h"

/* Limits at or above this are "no limit" (cgroup v1 writes 2^63 rounded
 * down to a page). */
#define NO_LIMIT 1e18

/* The number a file of /sys holds; INFINITY for "max"; -1 when it cannot be
 * read. */
static double read_value(const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[64] = "";
    if (!f)
        return -1;
    int got = fgets(buf, sizeof buf, f) != NULL;
    fclose(f);
    if (!got)
        return -1;
    if (strncmp(buf, "max", 3) == 0)
        return INFINITY;
    char *end;
    double v = strtod(buf, &end);
    return end == buf ? -1 : v;
}

/* The value of the line "key N" of a file such as memory.stat or (with a
 * colon and a unit) /proc/meminfo, in the file's units; -1 when absent. */
static double read_field(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    char line[256];
    size_t len = strlen(key);
    double v = -1;
    if (!f)
        return -1;
    while (v < 0 && fgets(line, sizeof line, f))
        if (strncmp(line, key, len) == 0 && (line[len] == ' ' || line[len] == ':'))
            v = strtod(line + len + 1, NULL);
    fclose(f);
    return v;
}

/* What is left under the memory limits of cgroup `path` and its ancestors
 * in the hierarchy mounted at root, with the given file names; INFINITY
 * when none is set. Usage counts the page cache, so the inactive part of
 * it, which the kernel reclaims first, is not counted as used. */
static double cgroup_left(const char *root, const char *path, const char *limit_file,
                          const char *usage_file, const char *inactive_key)
{
    char dir[4096], file[4200];
    double left = INFINITY;
    snprintf(dir, sizeof dir, "%s%s", root, strcmp(path, "/") == 0 ? "" : path);
    for (;;) {
        snprintf(file, sizeof file, "%s/%s", dir, limit_file);
        double limit = read_value(file);
        if (limit >= 0 && limit < NO_LIMIT) {
            snprintf(file, sizeof file, "%s/%s", dir, usage_file);
            double used = read_value(file);
            snprintf(file, sizeof file, "%s/memory.stat", dir);
            double inactive = read_field(file, inactive_key);
            used = used < 0 ? 0 : used - (inactive > 0 && inactive < used ? inactive : 0);
            left = fmin(left, fmax(limit - used, 0));
        }
        char *slash = strrchr(dir, '/');
        if (strlen(dir) <= strlen(root) || !slash)
            break;
        *slash = '\0';
    }
    return left;
}

/* The smallest amount left under the cgroups of this process (v2 and v1). */
static double cgroups_left(void)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    char line[4096];
    double left = INFINITY;
    if (!f)
        return left;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2 || c2[1] != '/')
            continue;
        *c1 = *c2 = '\0';
        const char *controllers = c1 + 1, *path = c2 + 1;
        if (strcmp(line, "0") == 0 && !*controllers) {
            left = fmin(left, cgroup_left("/sys/fs/cgroup", path, "memory.max",
                                          "memory.current", "inactive_file"));
        } else {
            /* v1: "memory" among the comma-separated controllers. */
            size_t n = strlen(controllers);
            for (const char *p = controllers; p < controllers + n; p += strcspn(p, ",") + 1)
                if (strncmp(p, "memory", 6) == 0 && (p[6] == ',' || !p[6]))
                    left = fmin(left, cgroup_left("/sys/fs/cgroup/memory", path,
                                                  "memory.limit_in_bytes",
                                                  "memory.usage_in_bytes",
                                                  "total_inactive_file"));
        }
    }
    fclose(f);
    return left;
}

void lab_memory_available(lab_memory *m)
{
    double kb = read_field("/proc/meminfo", "MemAvailable");
    m->total = INFINITY;
    m->total_from = "no limit found";
    if (kb >= 0) {
        m->total = kb * 1024;
        m->total_from = "MemAvailable in /proc/meminfo";
    } else {
        long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        if (pages > 0 && size > 0) {
            m->total = (double)pages * (double)size;
            m->total_from = "free memory (sysconf)";
        }
    }
    double cg = cgroups_left();
    if (cg < m->total) {
        m->total = cg;
        m->total_from = "the cgroup's memory limit";
    }
    /* RLIMIT_AS bounds the address space, which already holds the program,
     * its libraries and their reservations. */
    struct rlimit rl;
    m->process = INFINITY;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        double vm_kb = read_field("/proc/self/status", "VmSize");
        m->process = fmax((double)rl.rlim_cur - (vm_kb > 0 ? vm_kb * 1024 : 0), 0);
    }
}

int lab_memory_cells(const lab_config *c, size_t shard, size_t nshards, double *bytes,
                     size_t *cell, size_t *ncells)
{
    const lab_kind *kind = lab_config_kind(c);
    size_t n = lab_config_ncells(c), *shard_of = NULL;
    lab_config one;
    int rc = LAB_ENOMEM;
    *bytes = 0;
    *cell = *ncells = 0;
    if (lab_config_copy(&one, c) != LAB_OK)
        return rc;
    if (nshards > 1 && (!(shard_of = malloc((n ? n : 1) * sizeof *shard_of))
                        || lab_sweep_shards(c, nshards, shard_of) != LAB_OK))
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (shard_of && shard_of[i] != shard)
            continue;
        if (lab_config_cell(c, i, &one) != LAB_OK)
            goto done;
        double b = kind->memory(&one);
        b = isnan(b) ? INFINITY : b;
        if (*ncells == 0 || b > *bytes) {
            *bytes = b;
            *cell = i;
        }
        (*ncells)++;
    }
    *bytes += LAB_MEMORY_PROCESS;
    rc = LAB_OK;
done:
    free(shard_of);
    lab_config_release(&one);
    return rc;
}

int lab_memory_parse(const char *text, double *bytes)
{
    static const char units[] = "KMGT";
    char *end;
    double v = strtod(text, &end);
    if (end == text || !(v >= 0) || !isfinite(v))
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    const char *u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
    if (u) {
        v *= pow(1024, (double)(u - units + 1));
        end++;
        if (*end == 'i' && end[1] == 'B')
            end++;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end)
        return -1;
    *bytes = v;
    return 0;
}

const char *lab_memory_format(double bytes, char *buf, size_t len)
{
    static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    size_t u = 0;
    while (bytes >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        bytes /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%.0f bytes", bytes);
    else
        snprintf(buf, len, bytes < 10 ? "%.2f %s" : bytes < 100 ? "%.1f %s" : "%.0f %s", bytes,
                 units[u]);
    return buf;
}
