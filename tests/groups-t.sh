#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Cell groups (sweep.h, kind.h): the students of one (seed, n) train
# together, and every number is the one each gets alone, at -j 1 and -j 2,
# cut short and resumed, in shards, and when some of a group diverge.
. "${top_srcdir:-.}/tests/lib.sh"
plan 13

tiny="$top_srcdir/tests/data/tiny.cfg"
# 3 widths x 2 initialisation seeds train together: 4 groups of 6 cells.
axes="--set student.width=2,8,32 --set sweep.init_seeds=0..1 --set sweep.n=32,128"
run() { "$LAB" run "$tiny" $axes "$@" 2>"$scratch/stderr"; }
rows() { tail -n +2 "$1" | wc -l; }

run --out "$scratch/alone" -j 1 --no-groups
ok "--no-groups trains the 24 cells one by one" \
    sh -c "test \$(tail -n +2 '$scratch/alone/results.tsv' | wc -l) -eq 24 && ! grep -q 'trained in' '$scratch/stderr'"
run --out "$scratch/g1" -j 1
ok "grouped, the 24 cells train as 4 groups" grep -q '24 run in .*; trained in 4 groups$' "$scratch/stderr"
ok "run.log counts the tasks" grep -q '| 4 tasks |' "$scratch/g1/run.log"
ok "grouped, each cell has the bits it has alone (timings aside)" \
    same_file "$scratch/alone/results.tsv" "$scratch/g1/results.tsv"
run --out "$scratch/g2" -j 2
ok "-j 2 gives the same table" same_file "$scratch/alone/results.tsv" "$scratch/g2/results.tsv"

# A stop in the middle of a group: the rest of it runs on resuming.
run --out "$scratch/cut" -j 1 --max-cells 9
ok "--max-cells 9 keeps 9 rows: one group and half of another" \
    test "$(rows "$scratch/cut/results.tsv")" -eq 9
run --out "$scratch/cut" -j 1
ok "resuming runs the 15 missing cells" grep -q '(9 kept, 15 run' "$scratch/stderr"
ok "and the table equals the uninterrupted one" \
    same_file "$scratch/alone/results.tsv" "$scratch/cut/results.tsv"

# Shards hold whole groups.
for k in 1 2; do
    "$LAB" run "$tiny" $axes --out "$scratch/sh" -j 1 --shard $k/2 2>"$scratch/shard$k.err"
done
# The (n, seed) pairs of each shard's table (columns n and seed).
for k in 1 2; do tail -n +2 "$scratch/sh/shards/$k-of-2.tsv" | cut -f 1,5 | sort -u >"$scratch/pairs$k"; done
ok "each shard holds whole groups: 12 cells, 2 (n, seed) pairs, none in both" \
    sh -c "test \$(tail -n +2 '$scratch/sh/shards/1-of-2.tsv' | wc -l) -eq 12 \
           && test \$(wc -l <'$scratch/pairs1') -eq 2 && test \$(wc -l <'$scratch/pairs2') -eq 2 \
           && test -z \"\$(sort '$scratch/pairs1' '$scratch/pairs2' | uniq -d)\""
ok "and the merged table equals the one-by-one table" \
    same_file "$scratch/alone/results.tsv" "$scratch/sh/results.tsv"

# SGD at lr 1: some students of a group diverge, the others go on.
sgd="--set train.optimizer=sgd --set train.lr=1"
run --out "$scratch/dalone" -j 1 --no-groups $sgd
run --out "$scratch/dg" -j 1 $sgd
ok "with SGD at lr 1 some cells diverge and others do not" \
    sh -c "cut -f 10 '$scratch/dg/results.tsv' | grep -q '^diverged\$' && cut -f 10 '$scratch/dg/results.tsv' | grep -q '^ok\$'"
ok "and each cell's row, diverged or not, is its row alone" \
    same_file "$scratch/dalone/results.tsv" "$scratch/dg/results.tsv"

# Online training draws each batch fresh: those cells run alone.
sed '/^steps/d' "$tiny" >"$scratch/online.cfg"
"$LAB" run "$scratch/online.cfg" $axes --out "$scratch/online" -j 1 --set train.online=true \
    --set sweep.n=128 2>"$scratch/stderr"
ok "online cells run alone" \
    sh -c "grep -q '12 run in' '$scratch/stderr' && ! grep -q 'trained in' '$scratch/stderr'"
