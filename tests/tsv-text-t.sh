#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Free text in the tables the lab writes: a tab or a carriage return inside
# a CSV field (a group value, a column name) is written as a space, so every
# row of fits.tsv and the other fit tables has as many fields as its header,
# and the tables read back.
. "${top_srcdir:-.}/tests/lib.sh"
plan 7

tab=$(printf '\t')
cr=$(printf '\r')
# Two groups on an exact power law; a tab in one group value, a carriage
# return in the other.
{
    printf 'n,test_error,g\n'
    for g in "a${tab}b" "c${cr}d"; do
        for n in 64 128 256 512 1024 2048; do
            awk -v n=$n -v g="$g" 'BEGIN { printf "%d,%.12g,\"%s\"\n", n, 2 / sqrt(n) + 0.01, g }'
        done
    done
} > "$scratch/t.csv"

"$LAB" fit "$scratch/t.csv" --form hestness --group g --format none \
    > "$scratch/out" 2> "$scratch/err"
st=$?
ok "lab fit fits a CSV table whose group values hold a tab and a carriage return (exit $st)" \
    test $st -eq 0
ok "every fit table has as many fields on each row as in its header" \
    strict_tsv "$scratch/fit/fits.tsv" "$scratch/fit/diagnostics.tsv" "$scratch/fit/scores.tsv" \
    "$scratch/fit/predictions.tsv"
ok "the tab in a group value is written as a space" \
    grep -q "^g=a b${tab}hestness${tab}alpha${tab}" "$scratch/fit/fits.tsv"
ok "and the carriage return too, in every fit table" \
    sh -c "grep -q '^g=c d${tab}hestness${tab}alpha${tab}' '$scratch/fit/fits.tsv' \
           && grep -q '^g=c d${tab}' '$scratch/fit/diagnostics.tsv' \
           && grep -q '^g=c d${tab}' '$scratch/fit/scores.tsv' \
           && grep -q '^g=c d${tab}' '$scratch/fit/predictions.tsv'"

"$LAB" fit "$scratch/fit/fits.tsv" --form exp --x value --y value --format none \
    --out "$scratch/fit2" > /dev/null 2> "$scratch/err2"
ok "lab fit reads fits.tsv back" \
    sh -c "test -s '$scratch/fit/fits.tsv' && ! grep -q 'fields where the header has' '$scratch/err2'"
"$LAB" fit "$scratch/fit/predictions.tsv" --form hestness --group group --format none \
    --out "$scratch/fit3" > /dev/null 2> "$scratch/err3"
st=$?
ok "lab fit fits predictions.tsv again, group by group (exit $st)" test $st -eq 0
ok "with the groups' names as written" \
    grep -q "^group=g=c d${tab}hestness${tab}alpha${tab}" "$scratch/fit3/fits.tsv"
