#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The prune kind's own report (cli/prune_report.h): prune_contours.tsv, a
# row per (width, depth, round) with the geometric mean of the seeds' test
# errors, and the figures drawn from it: iso-error lines when two widths
# and two rounds are there, the controls against imp when prune.control is
# swept, neither otherwise.
. "${top_srcdir:-.}/tests/lib.sh"
plan 12

cat > "$scratch/p.cfg" <<CFG
[experiment]
name = pr
kind = prune
[teacher]
input_dim = 4
widths = 4
[student]
width = 4, 8
depth = 1, 2
[train]
steps = 100
batch = 32
[prune]
rounds = 3
[sweep]
n = 64
seeds = 0..2
[fit]
per_curve = none
[plot]
format = svg
CFG
r="$scratch/r"
"$LAB" run "$scratch/p.cfg" --out "$r" -j 2 2> "$scratch/err"
ok "a prune run with two widths and two depths succeeds" test $? -eq 0
t="$r/prune_contours.tsv"
ok "prune_contours.tsv is a plain table with the columns named" \
    sh -c "head -1 '$t' | grep -qx 'n	width	depth	round	density	kept	test_error_gmean	test_error_min	test_error_max	seeds'"
ok "it is a strict TSV table" strict_tsv "$t"
# One row per (width, depth, round): 2 x 2 x 4, no key twice.
ok "a row per (width, depth, round)" \
    sh -c "test \$(awk 'NR > 1' '$t' | wc -l) -eq 16 \
           && test \$(awk -F '\t' 'NR > 1 { print \$2, \$3, \$4 }' '$t' | sort -u | wc -l) -eq 16"
# Recompute every row from results.tsv: the geometric mean, minimum and
# maximum of the seeds' test errors, their number, the density and kept.
awk -F '\t' '
    FNR == 1 { for (i = 1; i <= NF; i++) c[FILENAME, $i] = i; next }
    FILENAME == ARGV[1] {
        k = $c[FILENAME, "width"] " " $c[FILENAME, "depth"] " " $c[FILENAME, "round"]
        e = $c[FILENAME, "test_error"]
        if ($c[FILENAME, "status"] == "ok") { s[k] += log(e); n[k]++
            if (!(k in lo) || e < lo[k]) lo[k] = e; if (!(k in hi) || e > hi[k]) hi[k] = e }
        d[k] = $c[FILENAME, "density"]; kept[k] = $c[FILENAME, "kept"]
        next
    }
    {
        k = $c[FILENAME, "width"] " " $c[FILENAME, "depth"] " " $c[FILENAME, "round"]
        g = exp(s[k] / n[k])
        rel = ($c[FILENAME, "test_error_gmean"] - g) / g
        if (rel < 0) rel = -rel
        if (rel > 1e-12 || $c[FILENAME, "seeds"] != n[k] || n[k] != 3 \
            || $c[FILENAME, "test_error_min"] != lo[k] || $c[FILENAME, "test_error_max"] != hi[k] \
            || $c[FILENAME, "density"] != d[k] || $c[FILENAME, "kept"] != kept[k]) {
            print "row " FNR ": " $0 " against " g, n[k], lo[k], hi[k] > "/dev/stderr"; bad = 1
        }
        rows++
    }
    END { exit bad || rows != 16 }' "$r/results.tsv" "$t"
ok "each row holds the geometric mean, minimum, maximum and count of its seeds' errors" test $? -eq 0
ok "the contour figure's script and data are written, a panel per depth" \
    sh -c "test -f '$r/figures/prune_contours.gp' && test -f '$r/figures/prune_contours.dat' \
           && grep -qx 'npanels = 2' '$r/figures/prune_contours.gp'"
ok "its data hold a block per depth, a scan per width, a point per round" \
    sh -c "test \$(grep -c '^[0-9]' '$r/figures/prune_contours.dat') -eq 16"
if command -v "${LAB_GNUPLOT:-gnuplot}" > /dev/null 2>&1; then
    ok "with gnuplot, the contour image is drawn" test -s "$r/figures/prune_contours.svg"
else
    ok "without gnuplot, no contour image # SKIP gnuplot not installed" true
fi
ok "no controls figure when prune.control is not swept" test ! -e "$r/figures/prune_controls.gp"

# One width: the table, no contours.
"$LAB" run "$scratch/p.cfg" --out "$scratch/one" --set student.width=8 -j 2 2> "$scratch/err1"
ok "one width: the table is written, the contour figure skipped without a word" \
    sh -c "test $? -eq 0 && test \$(awk 'NR > 1' '$scratch/one/prune_contours.tsv' | wc -l) -eq 8 \
           && test ! -e '$scratch/one/figures/prune_contours.gp' && ! grep -q 'iso-error\|warning' '$scratch/err1'"

# The controls swept: a panel per (width, depth), a line per control.
"$LAB" run "$scratch/p.cfg" --out "$scratch/ctl" --set student.depth=1 --set sweep.seeds=0 \
    --set sweep.prune.control=imp,random,finetune -j 2 2> "$scratch/err2"
ok "the controls swept: the controls figure has a panel per width and a block per control" \
    sh -c "test $? -eq 0 && grep -qx 'npanels = 2' '$scratch/ctl/figures/prune_controls.gp' \
           && grep -qx 'controls = \"imp random finetune\"' '$scratch/ctl/figures/prune_controls.gp' \
           && test \$(grep -c '^# panel' '$scratch/ctl/figures/prune_controls.dat') -eq 6"
ok "its table keys rows by control too" \
    test "$(awk -F '\t' 'NR > 1 { print $2, $3, $4, $5 }' "$scratch/ctl/prune_contours.tsv" | sort -u | wc -l)" -eq 24
