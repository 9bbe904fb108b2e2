/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The stream rule (THEORY.md section 7): a random stream of a cell config
 * derives from the experiment seed, its purpose, and the canonical values of
 * exactly the keys that shape its draws and differ from their defaults. */
#include <stdlib.h>
#include <string.h>

#include "config_keys.h"
#include "status.h"

/* ==== Streams ================================================================ */

struct named_value {
    char *name, *value;
};

static int by_name(const void *pa, const void *pb)
{
    const struct named_value *a = pa, *b = pb;
    return strcmp(a->name, b->name);
}

/* FNV-1a over a string, continuing from h. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

int lab_config_stream_key(const lab_config *c, enum lab_stream purpose, uint64_t *key)
{
    struct lab_keyref ord[LAB_CONFIG_MAXKEYS];
    struct named_value nv[LAB_CONFIG_MAXKEYS];
    size_t n = lab_keys_ordered(c, ord), m = 0;
    lab_strbuf b = LAB_STRBUF_INIT;
    int rc = LAB_OK;
    for (size_t i = 0; i < n && rc == LAB_OK; i++) {
        const lab_key *k = ord[i].k;
        if (!(k->shapes & LAB_SHAPES(purpose)))
            continue;
        /* The default's canonical text: keys left at their default do not
         * enter, so a key added to the lab later changes no stream. */
        union { char *s; uint64_t u; long l; double d; int e; lab_list list; } def;
        char why[256];
        memset(&def, 0, sizeof def);
        lab_strbuf_reset(&b);
        if (lab_value_parse(k, &def, k->def, 0, why, sizeof why) == 0)
            lab_value_canonical(k, &def, &b);
        lab_value_release(k, &def);
        char *deftext = lab_strbuf_detach(&b);
        lab_value_canonical(k, lab_keys_cfield(c, &ord[i]), &b);
        if (!deftext || b.failed) {
            rc = LAB_ENOMEM;
        } else if (strcmp(deftext, lab_strbuf_str(&b)) != 0) {
            nv[m].value = lab_strbuf_detach(&b);
            lab_strbuf_printf(&b, "%s.%s", k->section, k->name);
            nv[m].name = lab_strbuf_detach(&b);
            rc = nv[m].value && nv[m].name ? LAB_OK : LAB_ENOMEM;
            m++;
        }
        free(deftext);
    }
    lab_strbuf_release(&b);
    /* By name, so the order of the key table does not matter. */
    if (rc == LAB_OK)
        qsort(nv, m, sizeof *nv, by_name);
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < m; i++) {
        if (rc == LAB_OK) {
            h = fnv1a(h, nv[i].name);
            h = fnv1a(h, "=");
            h = fnv1a(h, nv[i].value);
            h = fnv1a(h, ";");
        }
        free(nv[i].name);
        free(nv[i].value);
    }
    *key = h;
    return rc;
}

gsl_rng *lab_config_rng(const lab_config *c, enum lab_stream purpose)
{
    uint64_t key;
    if (lab_config_stream_key(c, purpose, &key) != LAB_OK)
        return NULL;
    int64_t coord = (int64_t)key;
    return lab_rng_alloc_stream(c->seed, purpose, &coord, 1);
}
