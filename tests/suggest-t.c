/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "Did you mean ...?": the edit distance on known answers, the rule for
 * what is close enough, and the closest of several names. */
#include <stdint.h>
#include <string.h>

#include "suggest.h"
#include "tap.h"

static void test_distance(void)
{
    static const struct {
        const char *a, *b;
        size_t d;
    } known[] = {
        { "", "", 0 },
        { "", "abc", 3 },
        { "abc", "", 3 },
        { "steps", "steps", 0 },
        { "kitten", "sitting", 3 },   /* two changes and an insertion */
        { "setps", "steps", 1 },      /* one swap */
        { "ab", "ba", 1 },
        { "flaw", "lawn", 2 },
        { "trian.lr", "train.lr", 1 },
        /* The optimal string alignment edits no substring twice: 3, where
         * the unrestricted Damerau-Levenshtein distance is 2. */
        { "ca", "abc", 3 },
        { "Steps", "steps", 1 },      /* case matters */
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        is_int((long long)known[i].d, (long long)lab_suggest_distance(known[i].a, known[i].b),
               "distance(\"%s\", \"%s\")", known[i].a, known[i].b);
        is_int((long long)known[i].d, (long long)lab_suggest_distance(known[i].b, known[i].a),
               "and it is symmetric");
    }
    char longer[LAB_SUGGEST_MAXLEN + 2];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    ok(lab_suggest_distance(longer, "a") == SIZE_MAX && lab_suggest_distance("a", longer) == SIZE_MAX,
       "a word longer than LAB_SUGGEST_MAXLEN is never compared");
    longer[LAB_SUGGEST_MAXLEN] = '\0';
    is_int(LAB_SUGGEST_MAXLEN - 1, (long long)lab_suggest_distance(longer, "a"),
           "one of LAB_SUGGEST_MAXLEN characters is");
}

static void test_close(void)
{
    ok(lab_suggest_close("jbos", 1) && !lab_suggest_close("jbos", 2),
       "up to 4 characters: one edit");
    ok(lab_suggest_close("traning", 2) && !lab_suggest_close("traning", 3),
       "up to 9 characters: two edits");
    ok(lab_suggest_close("learning_rat", 3) && !lab_suggest_close("learning_rat", 4),
       "longer: three edits");
    ok(!lab_suggest_close("x", 1) && lab_suggest_close("xy", 1),
       "never a whole word replaced");
}

static void test_best(void)
{
    lab_suggest s;
    lab_suggest_init(&s, "stpes");
    ok(s.best == NULL, "nothing before a candidate");
    lab_suggest_add(&s, "seeds");
    lab_suggest_add(&s, "steps");
    lab_suggest_add(&s, "step");
    is_string("steps", s.best, "the closest candidate wins");
    ok(s.dist == 1, "with its distance");

    lab_suggest_init(&s, "lx");
    lab_suggest_add(&s, "lr");
    lab_suggest_add(&s, "ln");
    is_string("lr", s.best, "of equally close ones, the first");

    lab_suggest_init(&s, "frobnicate");
    lab_suggest_add(&s, "run");
    lab_suggest_add(&s, "show");
    ok(s.best == NULL, "none when nothing is close");

    /* The candidate may go away: the best is a copy. */
    char cand[8] = "shwo";
    lab_suggest_init(&s, "show");
    lab_suggest_add(&s, cand);
    cand[0] = '\0';
    is_string("shwo", s.best, "the best is kept as a copy");
}

int main(void)
{
    plan(11 * 2 + 2 + 4 + 6);
    test_distance();
    test_close();
    test_best();
    return 0;
}
