#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# One lab at a time in a run folder: lab run holds the folder's lock
# (RUNDIR/run.log) from start to the end of its report, and lab plot and
# lab fit into the folder's fit/ take it too; the others are refused with
# "in use" (exit 1), and what the folder holds stays whole.
. "${top_srcdir:-.}/tests/lib.sh"
plan 13

tiny="$top_srcdir/tests/data/tiny.cfg"
probe="${top_builddir:-.}/tests/lockprobe"
run="$scratch/run"

"$LAB" run "$tiny" --out "$run" -j 2 2> /dev/null
ok "a tiny run to share" test $? -eq 0
cp "$run/results.tsv" "$scratch/results.tsv"

# No file half-written or left behind: no temporary, every table whole.
intact() {
    if [ -n "$(find "$run" -name '*.tmp*')" ]; then
        find "$run" -name '*.tmp*' >&2
        return 1
    fi
    strict_tsv "$run"/*.tsv $(ls "$run"/fit/*.tsv 2> /dev/null) \
        && same_rows "$scratch/results.tsv" "$run/results.tsv"
}

# Rerun on the finished folder with a report that takes minutes (100000
# bootstrap refits per fit): its sweep line says the report has begun.
"$LAB" run "$tiny" --out "$run" -j 1 --set fit.bootstrap=100000 2> "$scratch/holder.err" &
holder=$!
trap 'kill -KILL $holder 2> /dev/null; rm -rf "$scratch"' EXIT
wait_for 60 grep -q '^lab: tiny: 12 cells (12 kept' "$scratch/holder.err"
ok "lab run on a finished folder goes on to its report" test $? -eq 0
"$probe" "$run/run.log" > "$scratch/pid"
ok "during the report, lab run holds the folder's lock" \
    sh -c "test $? -eq 0 && test \"\$(cat '$scratch/pid')\" = $holder"

# Nine contenders at once, three of each command: all refused.
i=0
contenders=
for cmd in run plot fit run plot fit run plot fit; do
    i=$((i + 1))
    case $cmd in
    run) set -- run "$tiny" --out "$run" -j 1 ;;
    plot) set -- plot "$run" ;;
    fit) set -- fit "$run/results.tsv" --form hestness --group width --force ;;
    esac
    ( "$LAB" "$@" > /dev/null 2> "$scratch/c$i.err"; echo $? > "$scratch/c$i.st" ) &
    contenders="$contenders $!"
done
wait $contenders
# refused N COMMAND: the contenders of that command exited 1, saying the
# folder is in use.
refused() {
    for i in $(seq "$1" 3 9); do
        st=$(cat "$scratch/c$i.st" 2> /dev/null)
        if [ "$st" != 1 ] || ! grep -q "^lab: $run/run.log is in use by another lab run$" \
                                   "$scratch/c$i.err"; then
            echo "contender $i ($2): exit ${st:-none}" >&2
            cat "$scratch/c$i.err" >&2
            return 1
        fi
    done
}
ok "a second lab run is refused: in use (exit 1)" refused 1 run
ok "lab plot is refused: in use (exit 1)" refused 2 plot
ok "lab fit into the run's fit/ is refused: in use (exit 1)" refused 3 fit
ok "and wrote no fit/" test ! -e "$run/fit"
"$probe" "$run/run.log" > "$scratch/pid"
ok "the report still holds the lock" sh -c "test $? -eq 0 && test \"\$(cat '$scratch/pid')\" = $holder"

kill -TERM $holder
wait $holder
st=$?
ok "stopped with SIGTERM, the report exits 130 (exit $st)" test $st -eq 130
"$probe" "$run/run.log"
ok "and lets the lock go" test $? -eq 1
ok "the folder is whole: no temporary file, every table complete" intact

# A stampede on a quick report: each proceeds or is refused, none fails,
# and the folder stays whole.
"$LAB" run "$tiny" --out "$run" -j 1 --set fit.bootstrap=20 2> /dev/null
rm -f "$scratch"/c*.st "$scratch"/c*.err
i=0
for cmd in run plot fit run plot fit run plot fit; do
    i=$((i + 1))
    case $cmd in
    run) set -- run "$tiny" --out "$run" -j 1 --set fit.bootstrap=20 ;;
    plot) set -- plot "$run" ;;
    fit) set -- fit "$run/results.tsv" --form hestness --group width --force ;;
    esac
    ( "$LAB" "$@" > /dev/null 2> "$scratch/c$i.err"; echo $? > "$scratch/c$i.st" ) &
done
wait
ran=0
bad=0
for i in 1 2 3 4 5 6 7 8 9; do
    st=$(cat "$scratch/c$i.st")
    if [ "$st" = 0 ]; then
        ran=$((ran + 1))
    elif [ "$st" != 1 ] || ! grep -q 'is in use by another lab run$' "$scratch/c$i.err"; then
        bad=$((bad + 1))
        echo "contender $i: exit $st" >&2
        cat "$scratch/c$i.err" >&2
    fi
done
diag "of 9 at once, $ran proceeded and $((9 - ran - bad)) were refused"
ok "nine at once: each proceeds or is refused as in use, none fails" \
    sh -c "test $bad -eq 0 && test $ran -ge 1"
ok "and the folder is whole" intact
