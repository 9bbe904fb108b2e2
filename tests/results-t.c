/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Result rows round-trip through text exactly, and bad rows are refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "tap.h"

int main(void)
{
    plan(5);
    lab_row r = { .n = 16384, .width = 64, .depth = 2, .seed = 7, .params = 5377,
                  .train_error = 0.1 + 0.2, .test_error = 1.0 / 3.0, .steps = 3000,
                  .status = LAB_ROW_OK, .stop = LAB_STOP_TARGET, .wall_s = 1.25 };
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    lab_row_write(f, &r);
    fclose(f);
    is_string("16384\t64\t2\t7\t5377\t0.30000000000000004\t0.33333333333333331\t3000\tok\t"
              "target\t1.250\n", text, "a row is written with %%.17g numbers");
    lab_row back;
    ok(lab_row_parse(text, &back) == 0 && back.train_error == r.train_error
       && back.test_error == r.test_error && back.n == r.n && back.stop == r.stop
       && back.status == r.status, "and reads back exactly");
    free(text);

    ok(lab_row_parse("64\t2\t1\t0\t37\tnan\tnan\t12\tdiverged\tdiverged\t0.010", &back) == 0
       && isnan(back.test_error) && back.status == LAB_ROW_DIVERGED,
       "a diverged row with nan errors parses");
    ok(lab_row_parse("64\t2\t1\t0\t37\t0.1\t0.2\t12\tok\tsteps", &back) != 0,
       "a row cut short is refused");
    ok(lab_row_parse("64\t2\t1\t0\t37\t0.1\t0.2\t12\tfine\tsteps\t0.1", &back) != 0,
       "an unknown status is refused");
    return 0;
}
