#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The kind "perceptron" through the engine: the same rows at -j 1 and -j 2
# (timings aside); alpha is the data axis (no column n) and learning curves
# run along it; sweep.n is refused.
. "${top_srcdir:-.}/tests/lib.sh"
plan 5

cat > "$scratch/p.cfg" <<CFG
[experiment]
name = p
kind = perceptron
[perceptron]
dim = 30
alpha = 0.5, 1, 2
burnin = 20
samples = 10
thin = 2
[sweep]
seeds = 0..1
[plot]
format = none
CFG
"$LAB" run "$scratch/p.cfg" --out "$scratch/j1" -j 1 2>"$scratch/stderr"
"$LAB" run "$scratch/p.cfg" --out "$scratch/j2" -j 2 2>>"$scratch/stderr"
strip() { grep -v '^#' "$1" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_s") w = i } { $w = ""; print }'; }
strip "$scratch/j1/results.tsv" > "$scratch/r1"
strip "$scratch/j2/results.tsv" > "$scratch/r2"
ok "the rows are the same at -j 1 and -j 2 (30 rows)" \
    sh -c "cmp -s '$scratch/r1' '$scratch/r2' && test \$(tail -n +2 '$scratch/r1' | wc -l) -eq 30"
ok "the table starts with the axes alpha and seed, then learner (no n)" \
    sh -c "head -1 '$scratch/r1' | grep -q '^alpha seed learner examples'"
ok "learning curves run along alpha" grep -q '^x = alpha' "$scratch/j1/config.cfg"
printf '[experiment]\nkind = perceptron\n[sweep]\nn = 10\n' > "$scratch/bad.cfg"
"$LAB" show "$scratch/bad.cfg" >/dev/null 2>"$scratch/stderr"
ok "sweep.n is not a key of the kind perceptron" \
    grep -q "bad.cfg:4: sweep.n: this key is not used by experiments of kind perceptron" "$scratch/stderr"

# On band-limited inputs the report puts each cell at alpha = P / D_B: N = 16,
# B = 2 (D_B = 5), alpha = 0.5 (P = 8) is drawn at 1.6; without the limit at 0.5.
cat > "$scratch/band.cfg" <<CFG
[experiment]
kind = perceptron
[perceptron]
dim = 16
alpha = 0.5
learners = hebb, bayes
chains = 2
burnin = 5
samples = 5
[sweep]
data.bandlimit = -1, 2
seeds = 0..1
[fit]
per_curve = none
[plot]
format = none
CFG
"$LAB" run "$scratch/band.cfg" --out "$scratch/band" -j 1 2>"$scratch/stderr"
ok "the report draws band-limited cells at alpha = P / D_B (1.6), the others at P / N (0.5)" \
    sh -c "awk '/^# hebb/ { h = 1; next } /^# / { h = 0 } h && NF { a[\$1] = 1 }
               END { exit !(a[\"1.6000000000000001\"] && a[\"0.5\"] && length(a) == 2) }' \
           '$scratch/band/figures/perceptron_theory.dat'"
