#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Data pruning in the perceptron kind (THEORY.md section 11): pools of
# round(P / f) examples, max-margin solved to its KKT conditions on
# keep-hard (slab-shaped) data, unpruned cells unchanged, and the
# max-margin errors at alpha_prune = 1, f = 0.2 against the values the
# replica/Gordon equations give (THEORY-SOURCES section 5.5: keep-easy
# 0.135, no pruning 0.266).
. "${top_srcdir:-.}/tests/lib.sh"
plan 4

cat > "$scratch/p.cfg" <<CFG
[experiment]
name = prune
kind = perceptron
[perceptron]
dim = 400
alpha = 1, 3
learners = maxmargin
prune_fraction = 0.2
[sweep]
perceptron.prune = none, hard, easy
seeds = 0..3
[fit]
per_curve = none
[plot]
format = none
CFG
"$LAB" run "$scratch/p.cfg" --out "$scratch/r" -j 2 2> "$scratch/err"
# alpha prune seed learner examples overlap test_error train margin steps support kkt tau rhat status wall pool
ok "pools of round(P / f) examples, P = round(alpha N) kept (P without pruning)" \
    sh -c "grep -v '^#' '$scratch/r/results.tsv' | awk -F '\t' 'NR > 1 { n++
               if (\$5 != \$1 * 400 || \$17 != (\$2 == \"none\" ? \$5 : 5 * \$5)) bad = 1 }
               END { exit bad || n != 24 }'"
ok "max-margin on pruned data: positive margins, KKT violations <= 1e-8, every row ok" \
    sh -c "grep -v '^#' '$scratch/r/results.tsv' | awk -F '\t' 'NR > 1 {
               if (!(\$9 > 0) || !(\$12 <= 1e-8) || \$15 != \"ok\") bad = 1 } END { exit bad }'"
sed -e '/^prune_fraction/d' -e '/^perceptron.prune/d' "$scratch/p.cfg" > "$scratch/plain.cfg"
"$LAB" run "$scratch/plain.cfg" --out "$scratch/plain" -j 2 2> "$scratch/err"
ok "the unpruned cells are the runs without the pruning keys, number for number" \
    sh -c "grep -v '^#' '$scratch/r/results.tsv' | awk -F '\t' '\$2 == \"none\" { print \$1, \$3, \$7, \$12 }' > '$scratch/a'
           grep -v '^#' '$scratch/plain/results.tsv' | awk -F '\t' 'NR > 1 { print \$1, \$2, \$6, \$11 }' > '$scratch/b'
           test -s '$scratch/a' && cmp -s '$scratch/a' '$scratch/b'"
ok "alpha_prune = 1, f = 0.2, mean of 4 teachers: keep-easy within 10 % of 0.135, no pruning of 0.266" \
    sh -c "grep -v '^#' '$scratch/r/results.tsv' | awk -F '\t' '\$1 == 1 { s[\$2] += \$7; c[\$2]++ }
               END { e = s[\"easy\"] / c[\"easy\"]; n = s[\"none\"] / c[\"none\"]
                     exit !(c[\"easy\"] == 4 && e > 0.1215 && e < 0.1485 && n > 0.2394 && n < 0.2926) }'"
