#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# lab run against the memory it has: a sweep whose largest cell does not fit
# is refused before anything runs, and -j is lowered to the cells that fit
# (the estimates themselves: tests/memory-t.c).
. "${top_srcdir:-.}/tests/lib.sh"
plan 9

tiny="$top_srcdir/tests/data/tiny.cfg"
# Should the check ever break, a limit on the address space keeps a cell of
# 22 GiB from being tried; the address sanitizer needs its own, larger.
if grep -q __asan_init "$LAB"; then asan=1; else asan=; fi
guarded() { ( if [ -z "$asan" ]; then ulimit -v 8000000; fi; "$@" ); }

# One input dimension and 1e9 points: 15 GiB of data and 7.5 GiB of batch
# order, though n x input_dim passes the config's own bound.
start=$(date +%s)
LAB_MEMORY_LIMIT=4G guarded "$LAB" run "$tiny" --set teacher.input_dim=1 --set sweep.n=1000000000 \
    --set student.width=8 --set sweep.seeds=0 --out "$scratch/huge" > "$scratch/out" 2> "$scratch/err"
st=$?
ok "a cell larger than the memory available is refused with exit 2" test $st -eq 2
ok "naming the cell, what it needs and what is available" \
    grep -qx "lab: $tiny: the cell n=1000000000 width=8 depth=1 seed=0 (teacher.input_dim = 1, data.test_size = 512) needs about 22.4 GiB; 4.00 GiB are available (LAB_MEMORY_LIMIT)" "$scratch/err"
ok "at once, before writing anything" \
    sh -c "test $(($(date +%s) - start)) -le 5 && test ! -e '$scratch/huge'"

# A student no machine holds, with no limit of ours: the machine's own.
"$LAB" run "$tiny" --set student.width=1000000 --set student.depth=1000 --set sweep.n=32 \
    --set sweep.seeds=0 --out "$scratch/wide" > /dev/null 2> "$scratch/err"
ok "a student of 1e15 parameters is refused against the machine's memory" \
    sh -c "test $? -eq 2 && grep -q 'needs about [0-9.]* PiB; [0-9.]* [GMT]iB are available (' '$scratch/err'"

# Four cells of about 44 MiB each (with the process's 32) in 100 MiB: two at a time.
LAB_MEMORY_LIMIT=100M "$LAB" run "$tiny" --set teacher.input_dim=1 --set sweep.n=500000 \
    --set student.width=2 --set sweep.seeds=0..3 --set train.steps=10 -j 4 \
    --out "$scratch/two" > /dev/null 2> "$scratch/err"
st=$?
ok "-j is lowered to the cells that fit, and the run goes on" \
    sh -c "test $st -eq 0 && test \$(grep -c '	ok	' '$scratch/two/results.tsv') -eq 4"
ok "saying so on stderr and in run.log" \
    sh -c "grep -q '^lab: note: a cell needs up to 4[0-9.]* MiB and 100 MiB are available (LAB_MEMORY_LIMIT): 2 cells run at a time rather than 4\$' '$scratch/err' \
           && grep -q ' | jobs 2 | ' '$scratch/two/run.log'"

LAB_MEMORY_LIMIT=lots "$LAB" run "$tiny" --out "$scratch/lots" > /dev/null 2> "$scratch/err"
ok "a malformed LAB_MEMORY_LIMIT exits 2" \
    sh -c "test $? -eq 2 && grep -qx 'lab: LAB_MEMORY_LIMIT=lots: expected a size such as 4G or 512M' '$scratch/err'"

# ulimit -v bounds each process: 2 GiB of address space cannot hold a cell
# of 2.3 GiB (the sanitizer's shadow memory would not fit either).
if [ -n "$asan" ]; then
    ok "ulimit -v is honoured # SKIP under the address sanitizer" true
    ok "and named # SKIP under the address sanitizer" true
else
    ( ulimit -v 2000000; "$LAB" run "$tiny" --set teacher.input_dim=1 --set sweep.n=100000000 \
        --set sweep.seeds=0 --set student.width=8 --out "$scratch/ulimit" > /dev/null 2> "$scratch/err" )
    st=$?
    ok "ulimit -v is honoured" test $st -eq 2
    ok "and named" grep -q 'needs about 2.2[0-9] GiB; 1.[0-9]* GiB are available (RLIMIT_AS, ulimit -v, less what is mapped)$' "$scratch/err"
fi
