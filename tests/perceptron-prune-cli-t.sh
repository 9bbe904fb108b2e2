#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The report of a perceptron run on pruned data (THEORY.md section 11): the
# unpruned large-N theory describes none of its rows, so the report draws
# its learning curves and no theory figure, and the run succeeds; the
# theory of pruned data describes them (cli/prune_report.h).
. "${top_srcdir:-.}/tests/lib.sh"
plan 3

cat > "$scratch/p.cfg" <<CFG
[experiment]
name = pruned
kind = perceptron
[perceptron]
dim = 100
alpha = 1, 3
learners = maxmargin
prune = hard
prune_fraction = 0.5
[sweep]
seeds = 0
[fit]
per_curve = none
[plot]
format = svg
CFG
"$LAB" run "$scratch/p.cfg" --out "$scratch/r" -j 2 2> "$scratch/err"
ok "an all-pruned run succeeds, saying no row has a theory here" \
    sh -c "test $? -eq 0 && grep -q 'no row the large-N theory describes (2 rows of pruned data' '$scratch/err'"
ok "its report has the learning curves and no theory figure" \
    sh -c "test -e '$scratch/r/figures/error_vs_alpha.svg' && test ! -e '$scratch/r/figures/perceptron_theory.svg' \
           && test ! -e '$scratch/r/theory.tsv'"
ok "the pruned rows against the theory of pruned data: prune_theory.tsv and its figure" \
    sh -c "grep -q 'pruned rows against the theory of pruned data' '$scratch/err' \
           && test \$(grep -c '^hard' '$scratch/r/prune_theory.tsv') -eq 2 \
           && test -e '$scratch/r/figures/prune_theory.gp'"
