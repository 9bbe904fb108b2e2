#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The command line: exit codes, located config errors, lab show, config lookup.
. "${top_srcdir:-.}/tests/lib.sh"
plan 32

tiny="$top_srcdir/tests/data/tiny.cfg"

"$LAB" --version > "$scratch/out" 2>&1
ok "lab --version succeeds and names the BLAS" \
    sh -c "test $? -eq 0 && grep -q '^lab (tslab) ' '$scratch/out' && grep -q '^# blas: ' '$scratch/out'"
"$LAB" > /dev/null 2>&1
ok "lab without a command exits 2" test $? -eq 2
"$LAB" frobnicate > /dev/null 2>"$scratch/err"
ok "an unknown command exits 2" sh -c "test $? -eq 2 && grep -q 'frobnicate: unknown command' '$scratch/err'"
"$LAB" run --help > "$scratch/out" 2>&1
ok "lab run --help exits 0" sh -c "test $? -eq 0 && grep -q -- '--max-cells' '$scratch/out'"

printf '[experiment]\nname = bad\n\n[train]\nsteps = 100\nlr = fast\n' > "$scratch/bad.cfg"
"$LAB" run "$scratch/bad.cfg" --out "$scratch/badrun" > /dev/null 2>"$scratch/err"
st=$?
ok "a bad value exits 2" test $st -eq 2
ok "and names file, line and key" \
    grep -q "^lab: $scratch/bad.cfg:6: train.lr: expected a number > 0, got \"fast\"$" "$scratch/err"
ok "and runs nothing" test ! -e "$scratch/badrun"

# A NUL byte would end inih's line early and silently drop the rest of it.
printf '[experiment]\nname = x\0junk\n' > "$scratch/nul.cfg"
"$LAB" show "$scratch/nul.cfg" > /dev/null 2>"$scratch/err"
ok "a NUL byte in a config exits 2 naming file and line" \
    sh -c "test $? -eq 2 && grep -q '^lab: $scratch/nul.cfg:2: a NUL byte' '$scratch/err'"

"$LAB" show "$tiny" --set train.lr=quick > /dev/null 2>"$scratch/err"
ok "a bad --set exits 2 naming the override" \
    sh -c "test $? -eq 2 && grep -q 'set train.lr=quick: train.lr: expected a number' '$scratch/err'"
# Mistakes on the command line: said with "lab:", the closest valid name, exit 2,
# nothing on stdout.
refused() {
    want=$1
    shift
    "$LAB" "$@" > "$scratch/out" 2> "$scratch/err"
    st=$?
    if [ $st -eq 2 ] && [ ! -s "$scratch/out" ] && grep -qxF -- "$want" "$scratch/err"; then
        return 0
    fi
    echo "exit $st; stderr:" >&2
    cat "$scratch/err" >&2
    return 1
}
ok "--set KEY VALUE says how to write it" \
    refused "lab: --set train.lr: expected SECTION.KEY=VALUE as one argument; did you mean --set train.lr=0.1?" \
    run "$tiny" --out "$scratch/never" --set train.lr 0.1
ok "a mistyped key in --set names the closest" \
    refused "lab: --set train.setps=3: train.setps: unknown key; did you mean train.steps?" \
    show "$tiny" --set train.setps=3
printf '[experiment]\nname = typo\n\n[train]\nsetps = 100\n' > "$scratch/typo.cfg"
ok "a mistyped key in a config names file, line and the closest key" \
    refused "lab: $scratch/typo.cfg:5: train.setps: unknown key; did you mean train.steps?" \
    show "$scratch/typo.cfg"
ok "a mistyped option of lab run names the closest" \
    refused "lab: --jbos: unknown option; did you mean --jobs? (lab run --help lists the options)" \
    run "$tiny" --jbos 2
ok "a mistyped option of lab show names the closest" \
    refused "lab: --sett: unknown option; did you mean --set? (lab show --help lists the options)" \
    show "$tiny" --sett train.lr=1
ok "a mistyped option of lab fit names the closest" \
    refused "lab: --frm: unknown option; did you mean --form?" fit "$scratch/t.tsv" --frm exp
ok "an ambiguous option lists what it could be" \
    refused "lab: --s: ambiguous option; did you mean --set or --shard? (lab run --help lists the options)" \
    run "$tiny" --s 1/2
ok "a mistyped command names the closest" \
    refused "lab: sho: unknown command; did you mean show? (lab --help lists them)" sho "$tiny"
test ! -e "$scratch/never"
ok "and nothing ran" test $? -eq 0

"$LAB" run no-such-experiment > /dev/null 2>"$scratch/err"
ok "a missing config exits 2" sh -c "test $? -eq 2 && grep -q 'no-such-experiment: no such config' '$scratch/err'"

"$LAB" show "$tiny" > "$scratch/shown.cfg"
ok "lab show prints every key with its default" \
    sh -c "test $? -eq 0 && grep -q '^plateau_tol = 0.001$' '$scratch/shown.cfg' && grep -q '^init = lecun$' '$scratch/shown.cfg'"
"$LAB" show "$scratch/shown.cfg" > "$scratch/shown2.cfg"
ok "the printed config loads back and prints the same" \
    sh -c "tail -n +2 '$scratch/shown.cfg' > '$scratch/a' && tail -n +2 '$scratch/shown2.cfg' > '$scratch/b' && cmp -s '$scratch/a' '$scratch/b'"

mkdir -p "$scratch/proj/experiments"
cp "$tiny" "$scratch/proj/experiments/mine.cfg"
(cd "$scratch/proj" && "$LAB" show mine > "$scratch/out" 2>&1)
ok "a bare name is found in experiments/" grep -q 'resolved configuration of experiments/mine.cfg' "$scratch/out"
(cd "$scratch" && "$LAB" show teacher_student > "$scratch/out" 2>&1)
ok "the lab's own experiments are found from anywhere" grep -q '^name = teacher_student$' "$scratch/out"

"$LAB" plot "$scratch" > /dev/null 2>"$scratch/err"
ok "lab plot on a folder that is not a run exits 2" test $? -eq 2
"$LAB" run "$tiny" --out "$scratch/run" 2>/dev/null && cp "$scratch/run/summary.tsv" "$scratch/s1" \
    && rm "$scratch/run/summary.tsv" && "$LAB" plot "$scratch/run" --format none 2>/dev/null
ok "lab plot redoes the summary of a run folder" cmp -s "$scratch/s1" "$scratch/run/summary.tsv"
# A key that is no value of the sweep (nan, inf, 1e300 as a width) is refused
# with its line, before any summary is grouped (issue 9, point 1).
for bad in nan inf 1e300; do
    cp -r "$scratch/run" "$scratch/run-$bad"
    awk -v bad="$bad" 'BEGIN { FS = OFS = "\t" } NR == 1 { for (i = 1; i <= NF; i++) if ($i == "width") w = i }
                       NR == 3 { $w = bad } { print }' "$scratch/run/results.tsv" > "$scratch/run-$bad/results.tsv"
    "$LAB" plot "$scratch/run-$bad" --format none > /dev/null 2>"$scratch/err"
    st=$?
    ok "lab plot refuses a width of $bad: exit 2, naming file, line and column" \
        sh -c "test $st -eq 2 && grep -q '^lab: $scratch/run-$bad/results.tsv:3: width: \"$bad\" is not a value of this sweep' '$scratch/err'"
done
printf '[experiment]\nkind = linear\n[sweep]\nn = 32\n' > "$scratch/lin.cfg"
"$LAB" run "$scratch/lin.cfg" --out "$scratch/lin" --set plot.format=none > /dev/null 2>&1
sed 's/\tlinear\t/\tlinea\t/' "$scratch/lin/results.tsv" > "$scratch/lin/r" && mv "$scratch/lin/r" "$scratch/lin/results.tsv"
"$LAB" plot "$scratch/lin" > /dev/null 2>"$scratch/err"
ok "and a learner that is not one of the kind's names" \
    sh -c "test $? -eq 2 && grep -q 'results.tsv:3: learner: \"linea\" is not one of the kind linear' '$scratch/err'"

# The README's table of keys lists every key lab knows, of every kind.
missing=$(for kind in student linear error_sources perceptron prune; do
              printf '[experiment]\nkind = %s\n' "$kind" > "$scratch/kind.cfg"
              "$LAB" show "$scratch/kind.cfg"
          done |
          awk '/^\[/ { sec = substr($0, 2, length($0) - 2) } /^[a-z_0-9]+ = / { print sec "." $1 }' | sort -u |
          while read -r key; do grep -q "^| \`$key\` |" "$top_srcdir/README.md" || echo "$key"; done)
ok "README.md documents every config key${missing:+ (missing: $missing)}" test -z "$missing"

# Without gnuplot the figures' scripts and data are still written.
LAB_GNUPLOT=/nonexistent/gnuplot "$LAB" run "$tiny" --out "$scratch/nognuplot" --set plot.format=png \
    > /dev/null 2>"$scratch/err"
ok "a run without gnuplot still succeeds" test $? -eq 0
ok "warning that gnuplot is missing, with scripts and data written" \
    sh -c "grep -q 'warning: gnuplot not found' '$scratch/err' && test -f '$scratch/nognuplot/figures/error_vs_n.gp' \
           && test -f '$scratch/nognuplot/figures/error_vs_n.dat' && test ! -f '$scratch/nognuplot/figures/error_vs_n.png'"
