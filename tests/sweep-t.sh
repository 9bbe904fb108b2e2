#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Sweeps end to end: reproducible tables, -j 1 = -j 2, resuming after an
# interruption or a crash, refusing a changed config, recording divergence.
. "${top_srcdir:-.}/tests/lib.sh"
plan 39

tiny="$top_srcdir/tests/data/tiny.cfg"
run() { "$LAB" run "$tiny" "$@" 2>"$scratch/stderr"; }
rows() { tail -n +2 "$1" | wc -l; }


ok "a tiny sweep runs" run --out "$scratch/one" -j 1
ok "it leaves config.cfg, results.tsv with 12 rows, summary.tsv and figures" \
    sh -c "test -f '$scratch/one/config.cfg' && test \$(grep -v '^#' '$scratch/one/results.tsv' | tail -n +2 | wc -l) -eq 12 \
           && test -f '$scratch/one/summary.tsv' && test -f '$scratch/one/figures/error_vs_n.gp' \
           && test -f '$scratch/one/figures/error_vs_n.dat' && test -f '$scratch/one/figures/error_vs_width.dat'"
prov="$scratch/one/provenance.json"
ok "provenance.json records the build, BLAS, seeds, stream rule and config" \
    sh -c "grep -q '^    \"git\": \"' '$prov' && grep -q '^    \"blas\": \".*; core .*; threads 1; gemm [A-Za-z].*\"' '$prov' \
           && grep -q '^    \"OPENBLAS_NUM_THREADS\": ' '$prov' && grep -q '^    \"seed\": 7$' '$prov' \
           && test \"\$(sed -n '/^  \"seeds\": \[/,/\]/p' '$prov' | tr -d ' \n')\" = '\"seeds\":[0,1],' \
           && grep -q '^  \"stream_rule\": 2,' '$prov' && grep -q '^    \"steps = 300\",' '$prov'"
ok "provenance.json records the activations' vector maths (--with-vecmath)" \
    grep -Eq '^    "vector_maths": "(libmvec|scalar libm|SLEEF [0-9.]+ 1.0-ulp tanh, erf and exp .*, path [a-z0-9]+)"' "$prov"
# Every table of the run folder (predictions.tsv apart, below).
tables=$(ls "$scratch/one/"*.tsv)
ok "every table of the run is plain TSV: a header row, the same fields on every line, no #" \
    strict_tsv $tables
ok "the tables checked include results, summary, the baseline and the fits: $(echo $tables | wc -w) tables" \
    sh -c "for t in results summary baseline fits diagnostics scores predictions; do echo '$tables' | grep -q \"/\$t.tsv\" || exit 1; done"

run --out "$scratch/two" -j 1
ok "the same config twice gives the same results.tsv, timings aside" \
    same_file "$scratch/one/results.tsv" "$scratch/two/results.tsv"
ok "and byte-identical summaries" cmp -s "$scratch/one/summary.tsv" "$scratch/two/summary.tsv"

run --out "$scratch/par" -j 2
ok "-j 2 gives the same table as -j 1" same_file "$scratch/one/results.tsv" "$scratch/par/results.tsv"

# Resume after a planned stop.
run --out "$scratch/resume" -j 2 --max-cells 5
ok "--max-cells 5 keeps 5 finished rows" test "$(rows "$scratch/resume/results.tsv")" -eq 5
ok "and says how to resume" grep -q 'rerun the same command to resume' "$scratch/stderr"
run --out "$scratch/resume" -j 2
ok "rerunning resumes: the table equals an uninterrupted run" \
    same_file "$scratch/one/results.tsv" "$scratch/resume/results.tsv"
ok "and only the 7 missing cells ran" grep -q '(5 kept, 7 run' "$scratch/stderr"

# Resume after a crash that left a half-written line.
mkdir -p "$scratch/crash"
cp "$scratch/one/config.cfg" "$scratch/one/provenance.json" "$scratch/crash/"
head -n -4 "$scratch/one/results.tsv" > "$scratch/crash/results.tsv"
printf '128\t8\t1' >> "$scratch/crash/results.tsv"
run --out "$scratch/crash" -j 1
ok "a partial last line from a crash is dropped and the run completes the table" \
    same_file "$scratch/one/results.tsv" "$scratch/crash/results.tsv"

# A changed config is refused, unless --fresh.
run --out "$scratch/one" --set train.lr=0.01
ok "a changed config with the same folder exits 2" test $? -eq 2
ok "naming the key that changed" grep -q 'train.lr is 0.003 there and 0.01 here' "$scratch/stderr"
run --out "$scratch/one" --set train.lr=0.01 --fresh
ok "--fresh discards the old results and runs the new config" \
    sh -c "test \$? -eq 0 && grep -q '(0 kept, 12 run' '$scratch/stderr'"
run --out "$scratch/one" --set train.lr=0.01 --set plot.format=svg
ok "changing only the figure format is not a different config" grep -q '(12 kept, 0 run' "$scratch/stderr"

# A malformed row (a damaged file) is dropped and its cell runs again.
mkdir -p "$scratch/damaged"
cp "$scratch/par/config.cfg" "$scratch/par/provenance.json" "$scratch/damaged/"
awk -F '\t' -v OFS='\t' '/^[0-9]/ && ++r == 3 { $7 = "garbage" } { print }' \
    "$scratch/par/results.tsv" > "$scratch/damaged/results.tsv"
run --out "$scratch/damaged" -j 1
ok "a malformed row is dropped with a warning naming its line" \
    grep -q 'dropped 1 rows of .* that were malformed .*(the first malformed: line 4)' "$scratch/stderr"
ok "and the table is completed as if it had never been damaged" \
    same_file "$scratch/par/results.tsv" "$scratch/damaged/results.tsv"
# A NUL byte in a row: that row runs again, and only it.
awk '/^[0-9]/ && ++r == 5 { sub(/\t/, "\t\001") } { print }' "$scratch/par/results.tsv" \
    | tr '\001' '\000' > "$scratch/damaged/results.tsv"
run --out "$scratch/damaged" -j 1
ok "a NUL byte in a row drops that row alone, naming its line" \
    sh -c "grep -q 'dropped 1 rows of .*(the first malformed: line 6)' '$scratch/stderr' \
           && grep -q '(11 kept, 1 run' '$scratch/stderr'"

# The provenance decides whether a folder is continued.
mkdir -p "$scratch/build"
cp "$scratch/par/config.cfg" "$scratch/par/results.tsv" "$scratch/build/"
sed 's/^    "git": "/    "git": "other-/' "$scratch/par/provenance.json" > "$scratch/build/provenance.json"
run --out "$scratch/build" -j 1
ok "cells of another build are kept, with a warning naming what differs" \
    sh -c "grep -q '12 cells kept from a table written under another build or environment (git was other-' '$scratch/stderr' \
           && grep -q '(12 kept, 0 run' '$scratch/stderr'"
ok "and provenance.json lists that build too" \
    sh -c "grep -q '^  \"other_builds\": \[' '$scratch/build/provenance.json' \
           && grep -q '\"git\": \"other-' '$scratch/build/provenance.json'"
sed -i 's/^  "stream_rule": 2,/  "stream_rule": 1,/' "$scratch/build/provenance.json"
run --out "$scratch/build" -j 1
ok "cells of another stream rule are refused (exit $?), naming it" \
    grep -q 'holds results of another config or stream rule: its cells follow stream rule 1, this lab.s follow rule 2' \
        "$scratch/stderr"
rm "$scratch/build/provenance.json"
{ echo '# lab 0.1.0 (git 0409ac4)'; cat "$scratch/par/results.tsv"; } > "$scratch/build/results.tsv"
run --out "$scratch/build" -j 1
ok "a folder of an older lab (# lines, no provenance.json) is refused (exit $?)" \
    grep -q 'results.tsv was written by an older lab, which kept the provenance in "#" lines' "$scratch/stderr"
"$LAB" plot "$scratch/build" 2>"$scratch/stderr"
ok "and lab plot still draws it" test $? -eq 0 -a -f "$scratch/build/figures/error_vs_n.gp"
run --out "$scratch/build" -j 1 --fresh
ok "--fresh starts it over" \
    sh -c "grep -q '(0 kept, 12 run' '$scratch/stderr' && test -f '$scratch/build/provenance.json' \
           && ! grep -q other_builds '$scratch/build/provenance.json'"
ok "with a plain table" strict_tsv "$scratch/build/results.tsv"

# Divergence is a result, not a crash.
run --out "$scratch/div" --set train.optimizer=sgd --set train.lr=1000
st=$?
ok "a diverging learning rate finishes the sweep (exit $st)" test $st -eq 0
ok "every row says diverged, with nan errors" \
    sh -c "test \$(grep -c '	nan	nan	[0-9]*	diverged	diverged	' '$scratch/div/results.tsv') -eq 12"

# An interrupt keeps finished cells; the rerun completes the same table.
long="--set sweep.seeds=0 --set train.steps=200000 --set sweep.n=32,64"
run --out "$scratch/ref" -j 1 $long
"$LAB" run "$tiny" --out "$scratch/int" -j 1 $long 2>"$scratch/int.err" &
pid=$!
i=0
while [ "$(rows "$scratch/int/results.tsv" 2>/dev/null || echo 0)" -lt 1 ] && [ $i -lt 600 ]; do
    sleep 0.05
    i=$((i + 1))
done
kill -INT $pid
wait $pid
st=$?
kept=$(rows "$scratch/int/results.tsv")
ok "SIGINT stops the sweep with status 130, keeping $kept finished rows" \
    sh -c "test $st -eq 130 && test $kept -ge 1 && test $kept -lt 4"
"$LAB" run "$tiny" --out "$scratch/int" -j 1 $long 2>"$scratch/stderr"
ok "rerunning after the interrupt gives the uninterrupted table" \
    same_file "$scratch/ref/results.tsv" "$scratch/int/results.tsv"

# A -j 2 sweep of long cells into folder $1 whose first worker gets signal
# $2 once it runs; sets st to the sweep's exit status.
signal_worker() {
    "$LAB" run "$tiny" --out "$scratch/$1" -j 2 $long 2>"$scratch/$1.err" &
    pid=$!
    i=0
    while [ -z "$(pgrep -P $pid)" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    sleep 0.2
    kill -"$2" $(pgrep -P $pid | head -n 1)
    wait $pid
    st=$?
}

# A worker killed in the middle of a cell: that cell is reported, the others
# finish, and a rerun completes the table.
signal_worker kill KILL
ok "a killed worker fails its cell (exit $st) and names it" \
    sh -c "test $st -eq 1 && grep -q 'cell n=.* seed=0: its worker was killed by signal 9' '$scratch/kill.err'"
ok "the other cells finish" test "$(rows "$scratch/kill/results.tsv")" -eq 3
run --out "$scratch/kill" -j 2 $long
ok "a rerun completes the table" same_file "$scratch/ref/results.tsv" "$scratch/kill/results.tsv"

# A worker stopped alone (SIGTERM to it, not to the sweep): its cell fails,
# a new worker takes its place, and the other cells finish.
signal_worker wterm TERM
ok "a worker stopped by a signal fails its cell (exit $st), the others finish" \
    sh -c "test $st -eq 1 && grep -q 'its worker was stopped by a signal' '$scratch/wterm.err' \
           && test $(rows "$scratch/wterm/results.tsv") -eq 3"

# One run per folder at a time.
"$LAB" run "$tiny" --out "$scratch/busy" -j 1 $long 2>/dev/null &
pid=$!
i=0
while [ ! -f "$scratch/busy/results.tsv" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
run --out "$scratch/busy" -j 1 $long
st=$?
ok "a second run on a busy folder is refused (exit $st)" \
    sh -c "test $st -eq 1 && grep -q 'is in use by another lab run' '$scratch/stderr'"
wait $pid

# SIGTERM to the parent stops the workers' cells too, at once.
"$LAB" run "$tiny" --out "$scratch/term" -j 2 --set sweep.seeds=0 --set train.steps=3000000 \
    --set sweep.n=32,64 2>/dev/null &
pid=$!
i=0
while [ -z "$(pgrep -P $pid)" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.3
kill -TERM $pid
wait $pid
st=$?
ok "SIGTERM stops a -j 2 sweep before its long cells end (exit $st)" \
    sh -c "test $st -eq 130 && test $(rows "$scratch/term/results.tsv") -eq 0"

# --fresh leaves nothing of the earlier run: a run whose cells all diverge
# has no fits, and neither fits nor fit figures of the run before remain.
run --out "$scratch/one" --fresh --set train.optimizer=sgd --set train.lr=1000
ok "--fresh leaves no fit of the earlier run behind" \
    sh -c "test \$(wc -l < '$scratch/one/fits.tsv') -eq 1 && test ! -f '$scratch/one/figures/fit_hestness.gp'"
