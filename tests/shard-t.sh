#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Sweeps over any key, on one machine or in shards: a sweep over train.lr and
# teacher.input_dim gives the same table at -j 1, at -j 2, and from 3 shards
# run at once and merged; the summary, figures and fits group by every axis.
. "${top_srcdir:-.}/tests/lib.sh"
plan 21

tiny="$top_srcdir/tests/data/tiny.cfg"
axes="--set sweep.train.lr=0.003,0.03 --set sweep.teacher.input_dim=4..8x2"
run() { "$LAB" run "$tiny" $axes "$@" 2>"$scratch/stderr"; }
rows() { tail -n +2 "$1" | wc -l; }
# The columns of a run's axes, as provenance.json lists them.
axes() { grep '^      "column": "' "$1" | cut -d '"' -f 4 | tr '\n' ' '; }

run --out "$scratch/j1" -j 1
ok "a sweep over train.lr and teacher.input_dim runs (48 cells)" \
    test "$(rows "$scratch/j1/results.tsv")" -eq 48
ok "its table names every axis, in table order" \
    sh -c "test '$(axes "$scratch/j1/provenance.json")' = 'n teacher.input_dim width depth train.lr seed ' \
           && head -n 1 '$scratch/j1/results.tsv' | grep -q '^n	teacher.input_dim	width	depth	train.lr	seed	params	'"
run --out "$scratch/j2" -j 2
ok "-j 2 gives the same table as -j 1" same_file "$scratch/j1/results.tsv" "$scratch/j2/results.tsv"

# Three shards at once; the last to finish merges.
for k in 1 2 3; do
    "$LAB" run "$tiny" $axes --out "$scratch/sh" -j 1 --shard $k/3 2>"$scratch/shard$k.err" &
done
wait
ok "three shards run at once leave their tables" \
    sh -c "test -f '$scratch/sh/shards/1-of-3.tsv' && test -f '$scratch/sh/shards/2-of-3.tsv' && test -f '$scratch/sh/shards/3-of-3.tsv'"
ok "the last shard to finish merged them into the -j 1 table, bit for bit (timings aside)" \
    same_file "$scratch/j1/results.tsv" "$scratch/sh/results.tsv"
ok "and wrote the same summary" cmp -s "$scratch/j1/summary.tsv" "$scratch/sh/summary.tsv"
ok "and the same provenance.json" cmp -s "$scratch/j1/provenance.json" "$scratch/sh/provenance.json"
ok "each shard's table is plain TSV" strict_tsv "$scratch/sh/shards/"*.tsv
ok "with its provenance beside it" \
    sh -c "test -f '$scratch/sh/shards/1-of-3.json' && test -f '$scratch/sh/shards/3-of-3.json' \
           && cmp -s '$scratch/sh/shards/2-of-3.json' '$scratch/j1/provenance.json'"
"$LAB" merge "$scratch/sh" 2>"$scratch/stderr"
ok "lab merge on the finished shards merges again, the same" \
    sh -c "test $? -eq 0 && grep -q 'merged 3 shard files' '$scratch/stderr'"
ok "still the same table" same_file "$scratch/j1/results.tsv" "$scratch/sh/results.tsv"

# The summary, figures and fits group by every axis but the seed.
ok "summary.tsv has a row per (n, input_dim, width, depth, lr): 24" \
    sh -c "test \$(tail -n +2 '$scratch/j1/summary.tsv' | wc -l) -eq 24 \
           && head -n 1 '$scratch/j1/summary.tsv' | grep -q '^n	teacher.input_dim	width	depth	train.lr	params	count	'"
ok "a figure draws a line per width and per value of the other swept axes" \
    grep -q '^titles = "w=2,teacher.input_dim=4,train.lr=0.003 w=8,teacher.input_dim=4,train.lr=0.003 w=2,teacher.input_dim=8,' \
        "$scratch/j1/figures/error_vs_n.gp"
ok "each learning curve is fitted apart: 8 curves" \
    test "$(awk -F '\t' '$2 == "hestness" && $3 == "alpha"' "$scratch/j1/fits.tsv" | wc -l)" -eq 8

# A shard resumes; a merge names what is missing.
"$LAB" run "$tiny" $axes --out "$scratch/part" --shard 2/3 --max-cells 3 2>"$scratch/stderr"
ok "a shard stopped early keeps its cells" test "$(rows "$scratch/part/shards/2-of-3.tsv")" -eq 3
"$LAB" run "$tiny" $axes --out "$scratch/part" --shard 2/3 2>"$scratch/stderr"
ok "rerun, it finishes its 16 cells and says which shards are missing, none running" \
    sh -c "test \$(tail -n +2 '$scratch/part/shards/2-of-3.tsv' | wc -l) -eq 16 \
           && grep -q '(3 kept, 13 run' '$scratch/stderr' \
           && grep -q '32 cells are missing (1/3 (no file; 16 of 16 cells), 3/3 (no file; 16 of 16 cells)) and no other shard is running' '$scratch/stderr' \
           && test ! -f '$scratch/part/results.tsv'"
"$LAB" merge "$scratch/part" > /dev/null 2>"$scratch/stderr"
ok "lab merge with shards missing exits 1 naming them" \
    sh -c "test $? -eq 1 && grep -q 'shards missing cells: 1/3 (no file; 16 of 16 cells), 3/3 (no file; 16 of 16 cells)' '$scratch/stderr'"

# Another config cannot join the shards.
"$LAB" run "$tiny" $axes --out "$scratch/part" --shard 1/3 --set train.steps=200 2>"$scratch/stderr"
ok "a shard of another config is refused (exit $?)" \
    sh -c "grep -q 'holds results of a different config: train.steps is 300 there and 200 here' '$scratch/stderr'"
"$LAB" run "$tiny" --out "$scratch/j1" 2>"$scratch/stderr"
ok "resuming with other axes is refused, naming the axis (exit $?)" \
    grep -q 'teacher.input_dim is swept over 4, 8 there and 4 here' "$scratch/stderr"
"$LAB" run "$tiny" $axes --out "$scratch/bad" --shard 4/3 2>"$scratch/stderr"
ok "--shard 4/3 is a usage error (exit $?)" grep -q 'shard 4/3: expected K/N' "$scratch/stderr"

"$LAB" show "$tiny" $axes > "$scratch/shown" 2>&1
ok "lab show prints the axes" \
    sh -c "grep -q '^# Kind student; axes (the columns of results.tsv, in table order): n (3), teacher.input_dim (2), width (2), depth (1), train.lr (2), seed (2): 48 cells.$' '$scratch/shown' \
           && grep -q '^train.lr = 0.003, 0.03$' '$scratch/shown'"
