#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Progress when stderr is not a terminal (nohup, Slurm, `| tee`): plain
# lines with the cells done and failed and the estimate, every 5 % of the
# cells (each cell of a small sweep), in order, on stderr only.
. "${top_srcdir:-.}/tests/lib.sh"
plan 10

tiny="$top_srcdir/tests/data/tiny.cfg"

# The counts of the progress lines of a log: "done failed" per line.
counts() {
    sed -n 's/^lab: tiny: \([0-9]*\) of [0-9]* cells done ([0-9]*%), \([0-9]*\) failed, .*, eta .*$/\1 \2/p' "$1" \
        | tr '\n' ',' 
}

"$LAB" run "$tiny" --out "$scratch/file" -j 2 >"$scratch/out" 2>"$scratch/err"
ok "a sweep with stderr to a file says at the start what it will run" \
    grep -q '^lab: tiny: 12 cells to run, 0 kept from earlier runs$' "$scratch/err"
ok "then a line per cell (each is 8 %), in order, with done and failed counts" \
    test "$(counts "$scratch/err")" = "1 0,2 0,3 0,4 0,5 0,6 0,7 0,8 0,9 0,10 0,11 0,12 0,"
ok "the last one at 100 %" grep -q '^lab: tiny: 12 of 12 cells done (100%), 0 failed, [0-9:]* elapsed, eta 0:00$' "$scratch/err"
ok "no carriage return, and nothing on stdout" \
    sh -c "! grep -q \"\$(printf '\\r')\" '$scratch/err' && test ! -s '$scratch/out'"

# Through a pipe, as `| tee log` or Slurm's output file sees it; at -j 1 too.
"$LAB" run "$tiny" --out "$scratch/pipe" -j 1 2>&1 >/dev/null | cat > "$scratch/piped"
ok "through a pipe at -j 1 the same lines come" \
    test "$(counts "$scratch/piped")" = "1 0,2 0,3 0,4 0,5 0,6 0,7 0,8 0,9 0,10 0,11 0,12 0,"

# Resuming counts what is left.
"$LAB" run "$tiny" --out "$scratch/resume" -j 2 --max-cells 5 2>"$scratch/err"
ok "--max-cells 5 reports 5 of 5" grep -q '^lab: tiny: 5 of 5 cells done (100%), 0 failed' "$scratch/err"
"$LAB" run "$tiny" --out "$scratch/resume" -j 2 2>"$scratch/err"
ok "the rerun says 7 to run and 5 kept, and counts to 7" \
    sh -c "grep -q '^lab: tiny: 7 cells to run, 5 kept from earlier runs$' '$scratch/err' \
           && test \"\$(sed -n 's/^lab: tiny: \\([0-9]*\\) of 7 cells done.*/\\1/p' '$scratch/err' | tr '\\n' ' ')\" = '1 2 3 4 5 6 7 '"

# A cell that fails is counted as failed, and the others as done.
long="--set sweep.seeds=0 --set train.steps=200000 --set sweep.n=32,64"
"$LAB" run "$tiny" --out "$scratch/kill" -j 2 $long 2>"$scratch/err" &
pid=$!
i=0
while [ -z "$(pgrep -P $pid)" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.2
kill -KILL $(pgrep -P $pid | head -n 1)
wait $pid
st=$?
ok "a killed worker fails its cell (exit $st)" test $st -eq 1
ok "the progress counts it as failed" grep -q '^lab: tiny: [0-3] of 4 cells done ([0-9]*%), 1 failed' "$scratch/err"
ok "and ends with 3 done and 1 failed, 100 % of the cells ended" \
    grep -q '^lab: tiny: 3 of 4 cells done (100%), 1 failed, [0-9:]* elapsed, eta 0:00$' "$scratch/err"
