#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 10 end to end: initialisation replicates (a column of their own, summaries averaged
# over them), planted starts and online training, the same with -j 1 and -j 2, resumable.
. "${top_srcdir:-.}/tests/lib.sh"
plan 10

tiny="$top_srcdir/tests/data/tiny.cfg"
run() { "$LAB" run "$tiny" "$@" 2>"$scratch/stderr"; }
col() { grep -v '^#' "$1" | head -1; }

run --out "$scratch/is1" -j 1 --set sweep.init_seeds=0..2
ok "sweep.init_seeds adds the column init_seed just before seed" \
    test "$(col "$scratch/is1/results.tsv" | cut -f1-5)" = "$(printf 'n\twidth\tdepth\tinit_seed\tseed')"
ok "the summary averages over seeds and initialisations: count 6, no init_seed column" \
    sh -c "test \"\$(cut -f1-5 '$scratch/is1/summary.tsv' | sed -n 2p)\" = \"\$(printf '32\t2\t1\t13\t6')\""
run --out "$scratch/is2" -j 2 --set sweep.init_seeds=0..2
ok "-j 2 gives the same table as -j 1" same_file "$scratch/is1/results.tsv" "$scratch/is2/results.tsv"
ok "init_seed 0 is the row of a run without init_seeds, bit for bit" \
    sh -c "run() { \"\$LAB\" run '$tiny' \"\$@\" 2>/dev/null; }; run --out '$scratch/plain' -j 2 &&
           grep -v '^#' '$scratch/plain/results.tsv' | cut -f1-3,4- | sed -n 2p | cut -f1-9 > '$scratch/a' &&
           grep -v '^#' '$scratch/is1/results.tsv' | awk -F '\t' 'NR == 1 || \$4 == 0' | cut -f1-3,5- |
               sed -n 2p | cut -f1-9 > '$scratch/b' && cmp -s '$scratch/a' '$scratch/b'"
run --out "$scratch/is1" -j 2 --set sweep.init_seeds=0..2
ok "its config.cfg loads back: a rerun keeps every cell" \
    grep -q 'tiny: 36 cells (36 kept, 0 run' "$scratch/stderr"

"$LAB" run "$tiny" --out "$scratch/bad" --set train.online=true 2>"$scratch/bad.err"
ok "online training with a step budget is a config error (exit 2)" \
    sh -c "test $? -eq 2 && grep -q 'train.steps: with online training' '$scratch/bad.err'"
sed '/^steps/d' "$tiny" | sed 's/^\[train\]$/[train]\nonline = true/' > "$scratch/online.cfg"
"$LAB" run "$scratch/online.cfg" --out "$scratch/on1" -j 1 --set sweep.student.init=lecun,teacher \
    --set student.width=4,8 --set sweep.n=64..4096x4 2>/dev/null
"$LAB" run "$scratch/online.cfg" --out "$scratch/on2" -j 2 --set sweep.student.init=lecun,teacher \
    --set student.width=4,8 --set sweep.n=64..4096x4 2>/dev/null
ok "online and planted cells: -j 2 gives the same table as -j 1" \
    same_file "$scratch/on1/results.tsv" "$scratch/on2/results.tsv"
ok "online, n = 4096 in batches of 32 takes 128 steps" \
    sh -c "grep -v '^#' '$scratch/on1/results.tsv' | awk -F '\t' '\$1 == 4096 && \$9 != 128 { bad = 1 } END { exit bad }'"
ok "planted students of the teacher's width stay at the teacher online: test errors <= 1e-28" \
    sh -c "grep -v '^#' '$scratch/on1/results.tsv' | awk -F '\t' '\$2 == 4 && \$4 == \"teacher\" { n++; if (\$8 > 1e-28) bad = 1 } END { exit bad || n != 8 }'"
"$LAB" show "$scratch/on1/config.cfg" > /dev/null 2>"$scratch/show.err"
ok "an online run's config.cfg loads back (train.steps written at its default)" test $? -eq 0
