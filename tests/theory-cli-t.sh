#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# lab theory perceptron: the table it writes, and the errors of bad options.
. "${top_srcdir:-.}/tests/lib.sh"
plan 19

"$LAB" theory perceptron --learner gibbs,hebb --alpha "0.5, 1..100 x10" \
    > "$scratch/t.tsv" 2> "$scratch/err"
ok "a table for two learners and four alphas succeeds" test $? -eq 0
ok "it is a plain TSV" strict_tsv "$scratch/t.tsv"
ok "its header row starts learner, alpha, test_error" \
    sh -c "head -n 1 '$scratch/t.tsv' | grep -q '^learner	alpha	test_error	overlap	kappa\$'"
ok "one row per learner and alpha, in the order given" \
    sh -c "test \"\$(cut -f 1,2 '$scratch/t.tsv' | tail -n +2 | tr '\t\n' ':,')\" = \
'gibbs:0.5,gibbs:1,gibbs:10,gibbs:100,hebb:0.5,hebb:1,hebb:10,hebb:100,'"
# Hebb's closed form: R = sqrt(2 alpha / (2 alpha + pi)), eps = arccos(R) / pi.
ok "hebb's row meets its closed form" \
    awk -F '\t' '$1 == "hebb" { r = sqrt(2 * $2 / (2 * $2 + 3.141592653589793));
                                e = atan2(sqrt(1 - r * r), r) / 3.141592653589793;
                                if ((e - $3) ^ 2 > 1e-24 || (r - $4) ^ 2 > 1e-24) bad = 1; n++ }
                 END { exit bad || n != 4 }' "$scratch/t.tsv"
ok "numbers have 17 significant digits; kappa is nan but for maxmargin" \
    awk -F '\t' 'NR == 2 { exit !(length($3) >= 18 && $5 == "nan") }' "$scratch/t.tsv"
ok "nothing on stderr" test ! -s "$scratch/err"

"$LAB" theory perceptron > "$scratch/d.tsv"
ok "the defaults: four learners at seven alphas" \
    sh -c "test \$(tail -n +2 '$scratch/d.tsv' | wc -l) -eq 28 \
           && awk -F '\t' '\$1 == \"maxmargin\" && \$2 == 1000 && \$3 * 1000 > 0.495 && \$3 * 1000 < 0.505 { f = 1 } END { exit !f }' '$scratch/d.tsv'"

# refused CMD... PATTERN: exits 2 with PATTERN on stderr and nothing on stdout.
refused() {
    pattern=$1
    shift
    "$LAB" "$@" > "$scratch/out" 2> "$scratch/err"
    test $? -eq 2 && test ! -s "$scratch/out" && grep -q -- "$pattern" "$scratch/err"
}
ok "an unknown learner suggests the closest" \
    refused 'unknown learner "gibs"; did you mean gibbs?' theory perceptron --learner gibs
ok "alpha 0 is out of range" refused '0 is out of range' theory perceptron --alpha 0
ok "a malformed alpha list is refused" \
    refused 'expected a list of numbers' theory perceptron --alpha '1,,2'
ok "an unknown option is refused" refused 'unknown option' theory perceptron --alhpa 1
ok "an unknown model suggests the closest" refused 'did you mean perceptron' theory percepton
ok "lab theory --help describes the options" \
    sh -c "'$LAB' theory --help | grep -q -- '--learner LIST' && '$LAB' theory perceptron --help | grep -q -- '--alpha LIST'"

"$LAB" theory perceptron --prune easy --fraction 0.2 --alpha 1 > "$scratch/p.tsv"
ok "pruned: the header gains prune, fraction, probe_angle, alpha_tot, q" \
    sh -c "head -n 1 '$scratch/p.tsv' | grep -q '^learner	alpha	test_error	overlap	kappa	prune	fraction	probe_angle	alpha_tot	q\$'"
ok "pruned: maxmargin keep easy at alpha_prune 1, f 0.2 is 0.1346, alpha_tot 5" \
    awk -F '\t' '$1 == "maxmargin" { f = ($3 > 0.1345 && $3 < 0.1347 && $6 == "easy" && $9 == 5) } END { exit !f }' "$scratch/p.tsv"
ok "--fraction without --prune is refused" refused '--fraction needs --prune' theory perceptron --fraction 0.5
ok "an unknown pruning mode suggests the closest" refused 'did you mean hard' theory perceptron --prune har
ok "gibbs at a probe angle > 0 is refused" \
    refused '--learner gibbs' theory perceptron --prune hard --probe-angle 10 --learner gibbs
