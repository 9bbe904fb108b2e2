#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# SIGINT and SIGTERM stop a report (lab run's, lab plot's) and lab fit
# within a second, even in the middle of a long bootstrap: exit 130, no
# temporary file left, every file there whole. (The sweep's own interrupt is
# in sweep-t.sh.)
. "${top_srcdir:-.}/tests/lib.sh"
plan 19

tiny="$top_srcdir/tests/data/tiny.cfg"
run="$scratch/run"
"$LAB" run "$tiny" --out "$run" -j 2 2> /dev/null
ok "a tiny run to report on" test $? -eq 0
cp "$run/results.tsv" "$scratch/results.tsv"

# Milliseconds since the epoch (GNU date).
now_ms() { date +%s%N | cut -b1-13; }

# stop PID SIGNAL [TARGET]: signal the process (or TARGET, -PGID for its
# process group) and wait for it; st is its exit status (137 when it still
# ran 2 s later, and was killed), ms how long it took. (The bound is a
# second; 2 s leaves room for a loaded machine.)
stop() {
    t0=$(now_ms)
    kill -"$2" "${3:-$1}"
    ( sleep 2; kill -KILL "$1" ) > /dev/null 2>&1 &
    dog=$!
    wait "$1"
    st=$?
    ms=$(($(now_ms) - t0))
    kill $dog 2> /dev/null
}

# No temporary file under $1, every table there whole, the results as they were.
whole() {
    if [ -n "$(find "$1" -name '*.tmp*')" ]; then
        find "$1" -name '*.tmp*' >&2
        return 1
    fi
    strict_tsv $(find "$1" -name '*.tsv') && same_rows "$scratch/results.tsv" "$run/results.tsv"
}

# A report of minutes: 100000 bootstrap refits per fit.
sed 's/^bootstrap = .*/bootstrap = 100000/' "$run/config.cfg" > "$scratch/cfg"
cp "$scratch/cfg" "$run/config.cfg"

# lab plot: the summary is its first file; then the figures and the fits.
rm "$run/summary.tsv"
"$LAB" plot "$run" > /dev/null 2> "$scratch/err" &
pid=$!
wait_for 60 test -f "$run/summary.tsv"
stop $pid TERM
diag "lab plot stopped ${ms} ms after SIGTERM"
ok "SIGTERM stops lab plot's report within 2 s, exit 130 (exit $st)" test $st -eq 130
ok "saying it is interrupted" \
    grep -q "^lab: interrupted: the report of $run is not complete (lab plot $run makes it again)$" \
    "$scratch/err"
ok "no temporary file is left, every table is whole" whole "$run"

# lab run's report, after a sweep with nothing left to run.
"$LAB" run "$tiny" --out "$run" -j 1 --set fit.bootstrap=100000 2> "$scratch/err" &
pid=$!
wait_for 60 grep -q '^lab: tiny: 12 cells (12 kept' "$scratch/err"
sleep 0.2
stop $pid INT
diag "lab run's report stopped ${ms} ms after SIGINT"
ok "SIGINT stops lab run's report within 2 s, exit 130 (exit $st)" test $st -eq 130
ok "saying it is interrupted" grep -q "^lab: interrupted: the report of $run" "$scratch/err"
ok "no temporary file is left, every table is whole" whole "$run"
ok "nor a results line" sh -c "! grep -q '^lab: results in' '$scratch/err'"

# lab fit, in its bootstrap: nothing of the fit is left, so the same
# command runs again without --force.
out="$scratch/fitout"
"$LAB" fit "$run/results.tsv" --form hestness --group width --bootstrap 100000 --out "$out" \
    --save-starts "$scratch/starts.tsv" > /dev/null 2> "$scratch/err" &
pid=$!
wait_for 60 test -d "$out"
sleep 0.2
stop $pid TERM
diag "lab fit stopped ${ms} ms after SIGTERM"
ok "SIGTERM stops lab fit within 2 s, exit 130 (exit $st)" test $st -eq 130
ok "saying nothing was written" grep -q "^lab: interrupted: no fit written in $out/$" "$scratch/err"
ok "and leaving no output folder, no --save-starts file, no temporary file" \
    sh -c "test ! -e '$out' && test -z \"\$(ls '$scratch' | grep -e '^starts' -e '\\.tmp')\""

# lab merge's report, of a run in two shards.
shards="$scratch/shards"
"$LAB" run "$tiny" --out "$shards" -j 1 --shard 1/2 2> /dev/null
"$LAB" run "$tiny" --out "$shards" -j 1 --shard 2/2 2> /dev/null
sed 's/^bootstrap = .*/bootstrap = 100000/' "$shards/config.cfg" > "$scratch/scfg"
cp "$scratch/scfg" "$shards/config.cfg"
rm "$shards/summary.tsv"
"$LAB" merge "$shards" > /dev/null 2> "$scratch/err" &
pid=$!
wait_for 60 test -f "$shards/summary.tsv"
stop $pid TERM
diag "lab merge's report stopped ${ms} ms after SIGTERM"
ok "SIGTERM stops lab merge's report within 2 s, exit 130 (exit $st)" \
    sh -c "test $st -eq 130 && grep -q '^lab: interrupted: the report of' '$scratch/err' \
           && test -z \"\$(find '$shards' -name '*.tmp*')\""

# A Ctrl-C reaches the whole process group but gnuplot (here a stand-in
# that would take a minute): lab stops, kills gnuplot and drops its
# unfinished image.
cat > "$scratch/gnuplot" <<EOS
#!/bin/sh
echo \$\$ >> "$scratch/started"
touch "\$(echo "\$2" | sed "s/^lab_output = '\\(.*\\)'\$/\\1/")"
exec sleep 60
EOS
chmod +x "$scratch/gnuplot"
# (A job in the background of a script ignores SIGINT: not so in a terminal.)
LAB_GNUPLOT="$scratch/gnuplot" env --default-signal=INT setsid "$LAB" plot "$run" --format png \
    > /dev/null 2> "$scratch/err" &
pid=$!
wait_for 60 test -s "$scratch/started"
pgid=$(ps -o pgid= -p $pid | tr -d ' ')
ok "lab plot leads its process group, as in a terminal" test "$pgid" = $pid
stop $pid INT -"$pgid"
diag "lab plot stopped ${ms} ms after Ctrl-C, gnuplot drawing"
ok "Ctrl-C stops lab plot while gnuplot draws, exit 130 (exit $st)" \
    sh -c "test $st -eq 130 && grep -q '^lab: interrupted' '$scratch/err'"
ok "gnuplot is killed, no other begun" \
    sh -c "test \$(wc -l < '$scratch/started') -eq 1 && ! kill -0 \$(cat '$scratch/started') \
           2> /dev/null"
ok "no temporary file (its image) is left, every table is whole" whole "$run"

# The teacher's linear baseline: least squares that LAPACK cannot interrupt
# (here 20 s of them, for D = 1000), so they run in a process lab kills.
sed 's/^input_dim = .*/input_dim = 1000/' "$scratch/cfg" > "$run/config.cfg"
rm "$run/summary.tsv"
"$LAB" plot "$run" --format none > /dev/null 2> "$scratch/err" &
pid=$!
wait_for 60 test -f "$run/summary.tsv"
sleep 0.3
stop $pid TERM
diag "lab plot stopped ${ms} ms after SIGTERM, in the linear baseline"
ok "SIGTERM stops the linear baseline within 2 s, exit 130 (exit $st)" \
    sh -c "test $st -eq 130 && grep -q '^lab: interrupted' '$scratch/err'"
ok "and leaves no temporary file, every table whole" whole "$run"

# The tables stay whole whatever was interrupted: the next report is complete.
sed 's/^bootstrap = .*/bootstrap = 20/' "$scratch/cfg" > "$run/config.cfg"
"$LAB" plot "$run" > /dev/null 2>&1
ok "and lab plot then makes the whole report" \
    sh -c "test $? -eq 0 && test -f '$run/fits.tsv' && test -f '$run/summary.tsv'"
