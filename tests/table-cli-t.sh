#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Tables from the real world in lab fit: a spreadsheet's CSV with a
# byte-order mark and missing values (empty, NA, nan) fits what is there and
# says how many rows it skipped; a NUL byte is a malformed line.
. "${top_srcdir:-.}/tests/lib.sh"
plan 6

# A power law with a floor, 0.3 n^-0.5 + 0.01, as a spreadsheet exports it.
{
    printf '\357\273\277size,loss,comment\r\n'
    for n in 16 32 64 128 256 512 1024 2048 4096 8192; do
        awk -v n=$n 'BEGIN { printf "%d,%.6f,run %d\r\n", n, 0.3 / sqrt(n) + 0.01, n }'
    done
    printf '16384,NA,lost\r\n,0.0123,no size\r\n32768,,\r\n65536,nan,diverged\r\n'
    printf '131072,0.0108,NA\r\n'
} > "$scratch/sheet.csv"

"$LAB" fit "$scratch/sheet.csv" --form hestness --x size --y loss --format none \
    --out "$scratch/fit" > "$scratch/out" 2> "$scratch/err"
st=$?
ok "a CSV with a byte-order mark, CRLF and missing values fits (exit $st)" test $st -eq 0
ok "saying how many rows it skipped and where the values were missing" \
    grep -q "sheet.csv: skipped 4 rows with missing values in loss or size$" "$scratch/err"
# The values of column $2 in the rows of table $1 where column $3 is $4.
column() {
    awk -F '\t' -v want="$2" -v key="$3" -v is="$4" '
        NR == 1 { for (i = 1; i <= NF; i++) { c[$i] = i } next }
        $c[key] == is { print $c[want] }' "$1"
}
ok "a missing value in another column does not matter: 11 points fitted" \
    test "$(column "$scratch/fit/scores.tsv" n_points form hestness)" = 11
beta=$(column "$scratch/fit/fits.tsv" value param beta)
ok "and the law is found: beta = $beta" awk -v b="$beta" 'BEGIN { exit !(b > -0.51 && b < -0.49) }'


printf 'size\tloss\n16\t0.1\n32\t0.08\0\n64\t0.06\n128\t0.05\n256\t0.04\n' > "$scratch/nul.tsv"
"$LAB" fit "$scratch/nul.tsv" --form hestness --x size --y loss --format none \
    --out "$scratch/nul" > /dev/null 2> "$scratch/err"
st=$?
ok "a NUL byte in a line exits 2 (exit $st)" test $st -eq 2
ok "naming file and line" grep -q 'nul.tsv:3: a NUL byte' "$scratch/err"
