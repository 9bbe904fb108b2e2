#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make fuzz: run each fuzz target under libFuzzer for SECONDS, one at a
# time, and say how many inputs each ran and whether it crashed.
#
#   fuzz/run.sh SECONDS SRCDIR TARGET...
#
# Run in the build tree, after the fuzzers (fuzz/TARGET-fuzz) are built. New
# inputs that reach new code go to fuzz/work/TARGET/ (the seeds of
# SRCDIR/fuzz/corpus/TARGET/ and the kept crashes of SRCDIR/fuzz/regress/TARGET/
# are read, never written); a crash is written to fuzz/crashes/ and its log
# to fuzz/TARGET.log. Keep each crash input, once fixed, in
# fuzz/regress/TARGET/: make check replays them all. FUZZ_OPTIONS adds
# libFuzzer options (e.g. FUZZ_OPTIONS=-jobs=2).
set -u
seconds=$1
srcdir=$2
shift 2
mkdir -p fuzz/crashes
failed=
for t in "$@"; do
    mkdir -p "fuzz/work/$t"
    dirs="fuzz/work/$t $srcdir/fuzz/corpus/$t"
    [ -d "$srcdir/fuzz/regress/$t" ] && dirs="$dirs $srcdir/fuzz/regress/$t"
    dict=
    [ -f "$srcdir/fuzz/$t.dict" ] && dict="-dict=$srcdir/fuzz/$t.dict"
    # A slow input is a finding too (timeout), but the list syntax may take
    # seconds on a long range under ASan: 25 s is a hang, not a slow input.
    # shellcheck disable=SC2086
    "fuzz/$t-fuzz" -max_total_time="$seconds" -timeout=25 -print_final_stats=1 \
        -artifact_prefix="fuzz/crashes/$t-" $dict ${FUZZ_OPTIONS:-} $dirs \
        >"fuzz/$t.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz/$t.log" | tail -n 1)
    secs=$(sed -n 's/^stat::.*//; s/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' \
        "fuzz/$t.log" | tail -n 1)
    corpus=$(ls "fuzz/work/$t" | wc -l)
    if [ "$rc" -eq 0 ]; then
        printf 'fuzz %-8s %10s inputs in %s s, %s new in fuzz/work/%s\n' \
            "$t" "${runs:-?}" "${secs:-$seconds}" "$corpus" "$t"
    else
        crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "fuzz/$t.log" | tail -n 1)
        printf 'fuzz %-8s FAILED after %s inputs: %s (log: fuzz/%s.log)\n' \
            "$t" "${runs:-?}" "${crash:-see the log}" "$t"
        failed="$failed $t"
    fi
done
if [ -n "$failed" ]; then
    echo "make fuzz: crashes in:$failed; fix them and keep each input in fuzz/regress/TARGET/" >&2
    exit 1
fi
