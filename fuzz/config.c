/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the config loader (src/config.c through inih), as `lab run`
 * and `lab show` read an experiment file, then the whole-config checks.
 * A config that passes them must write itself out (lab_config_write) as a
 * file that loads back to the same config, and its first and last cells
 * must be made. */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "fuzz.h"
#include "results.h"
#include "status.h"

/* Load text, as a string, into c and finish it. */
static int load_back(lab_config *c, const char *text, char *err, size_t errlen)
{
    int rc = lab_config_init(c);
    if (rc == LAB_OK)
        rc = lab_config_load_string(c, text, "written.cfg", err, errlen);
    return rc == LAB_OK ? lab_config_finish(c, err, errlen) : rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lab_config c;
    char err[1024];
    const char *path = fuzz_file(data, size);
    int rc = lab_config_init(&c);
    fuzz_check(rc == LAB_OK, "the defaults");
    rc = lab_config_load(&c, path, err, sizeof err);
    if (rc == LAB_OK)
        rc = lab_config_finish(&c, err, sizeof err);
    fuzz_check(rc == LAB_OK || rc == LAB_ECONFIG, "a bad config is LAB_ECONFIG");
    if (rc != LAB_OK) {
        lab_config_release(&c);
        return 0;
    }

    /* What lab_config_write() says must load back to the same config. */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fuzz_check(f != NULL, "open_memstream");
    lab_config_write(&c, f, 0);
    fclose(f);
    lab_config c2;
    if (load_back(&c2, text, err, sizeof err) != LAB_OK) {
        fprintf(stderr, "%s\n---\n%s", err, text);
        fuzz_fail(__FILE__, __LINE__, "the config written does not load back");
    }
    char msg[1024];
    if (lab_config_compare(&c, &c2, msg, sizeof msg) != 0) {
        fprintf(stderr, "%s\n", msg);
        fuzz_fail(__FILE__, __LINE__, "the config written loads back to another config");
    }
    lab_config_release(&c2);
    free(text);

    /* Its cells, header and streams. */
    size_t n = lab_config_ncells(&c);
    fuzz_check(n > 0, "a sweep has a cell");
    lab_config cell;
    rc = lab_config_copy(&cell, &c);
    fuzz_check(rc == LAB_OK, "lab_config_copy");
    rc = lab_config_cell(&c, 0, &cell);
    if (rc == LAB_OK)
        rc = lab_config_cell(&c, n - 1, &cell);
    fuzz_check(rc == LAB_OK, "lab_config_cell");
    uint64_t key;
    for (int s = LAB_STREAM_TEACHER; s <= LAB_STREAM_BOOTSTRAP; s++)
        fuzz_check(lab_config_stream_key(&cell, (enum lab_stream)s, &key) == LAB_OK,
                   "lab_config_stream_key");
    lab_config_release(&cell);
    lab_strbuf h = LAB_STRBUF_INIT;
    lab_results_header(&c, &h);
    fuzz_check(!h.failed, "lab_results_header");
    lab_strbuf_release(&h);
    lab_config_release(&c);
    return 0;
}
