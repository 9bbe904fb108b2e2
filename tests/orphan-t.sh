#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A sweep's workers die with their coordinator: after a SIGKILL of lab run
# none trains on beside the rerun, which resumes from the finished cells.
. "${top_srcdir:-.}/tests/lib.sh"

# Workers are found through /proc, and die by Linux's parent-death signal.
if [ ! -r /proc/self/stat ] || [ "$(uname -s)" != Linux ]; then
    echo "1..0 # SKIP needs Linux and /proc"
    exit 0
fi
plan 7

# The pids of the children of process $1.
children() { pgrep -P "$1"; }

# Whether process $1 runs (exists and is no zombie waiting to be reaped).
alive() {
    st=$(sed -n 's/.*) \(.\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

lines() { [ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ]; }
has_children() { [ "$(children "$1" | wc -l)" -ge "$2" ]; }

# Two cells that take minutes, two that take a moment: with three workers,
# two are busy with the long cells when the short ones are in the table.
cat > "$scratch/slow.cfg" <<'EOF'
[experiment]
name = slow
seed = 3

[teacher]
input_dim = 4
widths = 4

[data]
test_size = 64

[student]
width = 4
depth = 1

[train]
batch = 32

[sweep]
n = 32
seeds = 0..1
train.steps = 50, 50000000

[plot]
format = none
EOF
run="$scratch/run"
"$LAB" run "$scratch/slow.cfg" --out "$run" -j 3 > /dev/null 2> "$scratch/err1" &
lab=$!
workers=""
cleanup() {
    kill -KILL $lab $workers 2> /dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT
wait_for 120 lines "$run/results.tsv" 3
ok "the short cells finish while the long ones train" test $? -eq 0
wait_for 30 has_children $lab 2
workers=$(children $lab)
ok "two workers train the long cells" test "$(echo $workers | wc -w)" -ge 2
cp "$run/results.tsv" "$scratch/before.tsv"

kill -KILL $lab
wait $lab 2> /dev/null
start=$(date +%s)
# Any that still runs after 5 s trains on (a cell here takes minutes).
none_alive() {
    for w in $workers; do
        alive "$w" && return 1
    done
    return 0
}
wait_for 5 none_alive
gone=$?
diag "workers gone $(($(date +%s) - start)) s after the SIGKILL (bound: 5 s)"
ok "after a SIGKILL of lab run, its workers are gone within 5 s" test $gone -eq 0
ok "the table holds the two finished cells" test "$(wc -l < "$run/results.tsv")" -eq 3
strict_tsv "$run/results.tsv"
ok "and loads as a strict table" test $? -eq 0

# The rerun resumes: the short cells are kept, the long ones start again;
# stopped with SIGTERM, it leaves the table as it was.
"$LAB" run "$scratch/slow.cfg" --out "$run" -j 3 > /dev/null 2> "$scratch/err2" &
lab=$!
wait_for 60 grep -q 'cells to run' "$scratch/err2"
ok "the rerun resumes with the finished cells kept" \
    grep -q '^lab: slow: 2 cells to run, 2 kept from earlier runs$' "$scratch/err2"
wait_for 30 has_children $lab 2
kill -TERM $lab
wait $lab
st=$?
same_rows "$scratch/before.tsv" "$run/results.tsv"
ok "stopped with SIGTERM it exits 130, the table unchanged" \
    sh -c "test $st -eq 130 && test $? -eq 0"
