#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# lab spectrum: the tables it writes for a config and for a table of inputs,
# the folder of --out, and the errors of bad arguments (exit 2, naming the
# option). The numbers themselves are checked in tests/spectrum-t.c.
. "${top_srcdir:-.}/tests/lib.sh"
plan 30

tiny="$top_srcdir/tests/data/tiny.cfg"

"$LAB" spectrum "$tiny" > "$scratch/s.tsv" 2> "$scratch/err"
ok "the spectra of a config succeed" test $? -eq 0
ok "they are a plain TSV" strict_tsv "$scratch/s.tsv"
ok "its header row: seed, what, bin, frequency, dof, power, cumulative" \
    sh -c "head -n 1 '$scratch/s.tsv' | grep -q '^seed	what	bin	frequency	dof	power	cumulative\$'"
# tiny.cfg: d = 4 (bins 0..2), 256 lines of 256 points (bins 0..128), two seeds.
ok "per seed: 3 bins of train and of test inputs, 129 of the lines" \
    sh -c "test \"\$(cut -f 1,2 '$scratch/s.tsv' | tail -n +2 | sort | uniq -c | awk '{ printf \"%s:%s:%s,\", \$2, \$3, \$1 }')\" = \
'0:teacher_lines:129,0:test_inputs:3,0:train_inputs:3,1:teacher_lines:129,1:test_inputs:3,1:train_inputs:3,'"
ok "each spectrum's cumulative fraction ends at 1" \
    awk -F '\t' 'NR > 1 && (($2 != "teacher_lines" && $3 == 2) || $3 == 128) { n++; if ($7 != 1) bad = 1 }
                 END { exit bad || n != 6 }' "$scratch/s.tsv"
ok "nothing on stderr" test ! -s "$scratch/err"

"$LAB" spectrum --bandwidth --seed 1 --fraction 0.5,0.99 "$tiny" > "$scratch/b.tsv"
ok "--bandwidth --seed 1: one row per set and fraction" \
    sh -c "test \"\$(tail -n +2 '$scratch/b.tsv' | cut -f 1-3 | tr '\t\n' ':,')\" = \
'1:train_inputs:0.5,1:train_inputs:0.99,1:test_inputs:0.5,1:test_inputs:0.99,1:teacher_lines:0.5,1:teacher_lines:0.99,'"
ok "its header row and sample counts (n = 128 train, 512 test, 256 lines)" \
    sh -c "head -n 1 '$scratch/b.tsv' | grep -q '^seed	what	q	bandwidth	frequency	dof	energy	samples\$' \
           && test \"\$(tail -n +2 '$scratch/b.tsv' | cut -f 8 | tr '\n' ,)\" = '128,128,512,512,256,256,'"

ok "--through train: lines through the training inputs (64 pairs of n = 128)" \
    sh -c "'$LAB' spectrum --bandwidth --through train --seed 0 '$tiny' | awk -F '\t' '\$2 == \"teacher_lines\" { n++; if (\$8 != 64) bad = 1 } END { exit bad || n != 2 }'"

# Pure cosines of bins 3 and 5 (d = 16), with a label column that is no
# coordinate: all the energy in those two bins.
awk 'BEGIN { OFS = "\t"; printf "label"; for (j = 0; j < 16; j++) printf "\tx%d", j; print "";
             pi = atan2(0, -1);
             for (i = 0; i < 6; i++) { printf "r%d", i; k = i % 2 ? 5 : 3;
                 for (j = 0; j < 16; j++) printf "\t%.17g", (1 + i) * cos(2 * pi * k * j / 16 + i);
                 print "" } }' > "$scratch/cos.tsv"
"$LAB" spectrum "$scratch/cos.tsv" > "$scratch/c.tsv" 2> "$scratch/err"
ok "a table of inputs: its spectrum" test $? -eq 0
ok "with one column per bin (9 bins) and no axis columns" \
    sh -c "test \$(tail -n +2 '$scratch/c.tsv' | wc -l) -eq 9 && head -n 1 '$scratch/c.tsv' | grep -q '^what	bin'"
ok "the label column is named as not a coordinate" grep -q 'not coordinates (not numbers): label' "$scratch/err"
ok "cosines of bins 3 and 5 hold all the energy (to 1e-12)" \
    awk -F '\t' 'NR > 1 { e += $5; if ($2 == 3 || $2 == 5) in_ += $5; else out += ($5 < 0 ? -$5 : $5) }
                 END { exit !(out <= 1e-12 * e && in_ >= e * (1 - 1e-12)) }' "$scratch/c.tsv"
"$LAB" spectrum --bandwidth --fraction 0.5 "$scratch/cos.tsv" > "$scratch/cb.tsv" 2> /dev/null
# The rows' energies: 8 (1 + i)^2, i.e. 8, 32, 72, 128, 200, 288: bin 3 holds
# 8 + 72 + 200 = 280 of 728, bin 5 the rest; so q = 0.5 is reached at bin 5.
ok "its effective bandwidth at q = 0.5 is bin 5, 11 degrees of freedom" \
    awk -F '\t' 'NR == 2 { exit !($1 == "inputs" && $3 == 5 && $5 == 11 && $7 == 6) }' "$scratch/cb.tsv"

"$LAB" spectrum --out "$scratch/o" "$tiny" > "$scratch/out" 2> "$scratch/err"
ok "--out writes nothing to standard output" test ! -s "$scratch/out"
ok "but the two tables" strict_tsv "$scratch/o/spectrum.tsv" "$scratch/o/bandwidth.tsv"
ok "and the figure's script and data" \
    test -s "$scratch/o/figures/spectrum.gp" -a -s "$scratch/o/figures/spectrum_inputs.dat" \
         -a -s "$scratch/o/figures/spectrum_lines.dat"
ok "spectrum.tsv is what standard output gets" cmp -s "$scratch/o/spectrum.tsv" "$scratch/s.tsv"

# refused PATTERN ARGS...: exits 2 with PATTERN on stderr and nothing on stdout.
refused() {
    pattern=$1
    shift
    "$LAB" spectrum "$@" > "$scratch/out" 2> "$scratch/err"
    test $? -eq 2 && test ! -s "$scratch/out" && grep -q -- "$pattern" "$scratch/err"
}
ok "a fraction of 0 is refused" refused '--fraction 0: .*out of range' --fraction 0 "$tiny"
ok "a fraction above 1 too" refused '--fraction 1.5' --fraction 1.5 "$tiny"
ok "an odd number of points" refused '--points 7' --points 7 "$tiny"
ok "0 lines" refused '--lines 0: expected a whole number' --lines 0 "$tiny"
ok "more lines than pairs of test inputs" refused '--lines 300: each line takes two test inputs' \
    --lines 300 "$tiny"
ok "a span that is not positive" refused '--span -1' --span -1 "$tiny"
ok "a seed the sweep lacks" refused '--seed 5: no spectrum cell' --seed 5 "$tiny"
ok "a cell past the last" refused '--cell 2: the config has 2 spectrum cells' --cell 2 "$tiny"
ok "an unknown option, with the closest" refused 'did you mean --lines' --lnes 4 "$tiny"
ok "a kind without a teacher" refused 'kind perceptron' "$top_srcdir/experiments/perceptron.cfg"
ok "--through takes test or train only" refused '--through trian: expected test or train' \
    --through trian "$tiny"
printf 'x1\tx2\n1\t2\n3\toops\n' > "$scratch/bad.tsv"
ok "a table cell that is not a number names file, line and column" \
    refused 'bad.tsv:3: x2: "oops" is not a number' "$scratch/bad.tsv"
