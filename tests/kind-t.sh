#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Experiment kinds: the kind "linear" fills two rows per cell (one per
# learner) through the same engine as the students: the same table at -j 1,
# -j 2 and from shards; a cell cut in half by a crash runs again; the
# summary and figures group by the learner; keys of another kind are refused.
. "${top_srcdir:-.}/tests/lib.sh"
plan 10

cat > "$scratch/lin.cfg" <<CFG
[experiment]
name = lin
kind = linear
[teacher]
input_dim = 8
[sweep]
n = 4..256 x2
seeds = 0..2
teacher.weight_scale = 1, 4
[fit]
joint = none
[plot]
format = none
CFG
run() { "$LAB" run "$scratch/lin.cfg" "$@" 2>"$scratch/stderr"; }
rows() { grep -v '^#' "$1" | tail -n +2 | wc -l; }

run --out "$scratch/j1" -j 1
ok "a linear sweep writes two rows per cell: 42 cells, 84 rows" \
    sh -c "test \$(grep -v '^#' '$scratch/j1/results.tsv' | tail -n +2 | wc -l) -eq 84 \
           && grep -q '^n	teacher.weight_scale	seed	learner	params	train_error	test_error	status	wall_s$' '$scratch/j1/results.tsv'"
ok "the rows of a cell follow each other, mean then linear" \
    sh -c "grep -v '^#' '$scratch/j1/results.tsv' | sed -n '2p;3p' | cut -f4 | tr '\n' ' ' | grep -qx 'mean linear '"
run --out "$scratch/j2" -j 2
ok "-j 2 gives the same table" same_file "$scratch/j1/results.tsv" "$scratch/j2/results.tsv"
for k in 1 2; do "$LAB" run "$scratch/lin.cfg" --out "$scratch/sh" --shard $k/2 2>/dev/null & done
wait
ok "two shards give the same table" same_file "$scratch/j1/results.tsv" "$scratch/sh/results.tsv"

# A crash that left one of a cell's two rows: the cell runs again, whole.
mkdir -p "$scratch/cut"
cp "$scratch/j1/config.cfg" "$scratch/j1/provenance.json" "$scratch/cut/"
head -n -1 "$scratch/j1/results.tsv" > "$scratch/cut/results.tsv"
run --out "$scratch/cut" -j 1
ok "a cell with one of its two rows runs again" grep -q '(41 kept, 1 run' "$scratch/stderr"
ok "and the table is whole again" same_file "$scratch/j1/results.tsv" "$scratch/cut/results.tsv"

ok "the summary groups by n, weight_scale and learner: 28 groups" \
    sh -c "test \$(tail -n +2 '$scratch/j1/summary.tsv' | wc -l) -eq 28 \
           && head -n 1 '$scratch/j1/summary.tsv' | grep -q '^n	teacher.weight_scale	learner	params	count	'"
ok "the figure draws a line per learner and weight scale" \
    grep -q '^titles = "learner=mean,teacher.weight_scale=1 learner=linear,teacher.weight_scale=1 ' \
        "$scratch/j1/figures/error_vs_n.gp"

printf '[experiment]\nkind = linear\n[student]\nwidth = 8\n' > "$scratch/bad.cfg"
"$LAB" show "$scratch/bad.cfg" > /dev/null 2>"$scratch/stderr"
ok "a key of another kind is refused (exit $?)" \
    grep -q "bad.cfg:4: student.width: this key is not used by experiments of kind linear" "$scratch/stderr"
printf '[experiment]\nkind = lasso\n' > "$scratch/bad.cfg"
"$LAB" show "$scratch/bad.cfg" > /dev/null 2>"$scratch/stderr"
ok "an unknown kind lists the kinds (exit $?)" \
    grep -q 'experiment.kind: expected one of student, linear, error_sources, perceptron, torus, prune, got "lasso"' "$scratch/stderr"
