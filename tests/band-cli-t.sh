#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Band-limited inputs from the command line (issue 11, THEORY.md §10.1): a
# sweep over data.bandlimit with a linear teacher steps at n = D_B + 1 (the
# same table at -j 1 and -j 2); band-limited students train offline and
# online; the refusals name file, line and key.
. "${top_srcdir:-.}/tests/lib.sh"
plan 14

cat > "$scratch/nyq.cfg" <<CFG
[experiment]
name = nyq
kind = linear
[teacher]
input_dim = 64
widths = 8
activation = linear
[data]
test_size = 1024
[sweep]
n = 15, 16, 64, 65
seeds = 0..1
data.bandlimit = -1, 7
[fit]
per_curve = none
[plot]
format = none
CFG
"$LAB" run "$scratch/nyq.cfg" --out "$scratch/j1" -j 1 2> "$scratch/err"
ok "a sweep over data.bandlimit runs, with its column" \
    sh -c "grep -v '^#' '$scratch/j1/results.tsv' | head -1 | grep -q '^n	data.bandlimit	seed	learner'"
"$LAB" run "$scratch/nyq.cfg" --out "$scratch/j2" -j 2 2> "$scratch/err"
ok "-j 2 gives the same table" same_file "$scratch/j1/results.tsv" "$scratch/j2/results.tsv"
# n, bandlimit, seed, learner, params, train, test
steps() { grep -v '^#' "$scratch/j1/results.tsv" | awk -F '\t' -v B="$1" -v lo="$2" -v hi="$3" '
    $2 == B && $4 == "linear" && $1 < lo && !($7 > 1e-6) { bad = 1 }
    $2 == B && $4 == "linear" && $1 >= lo && $1 <= hi && !($7 <= 1e-25) { bad = 1 }
    $2 == B && $4 == "linear" { n++ } END { exit bad || n != 8 }'; }
ok "B = 7: least squares steps from > 1e-6 at n = 15 to <= 1e-25 at n = 16 = D_B + 1" steps 7 16 65
ok "no band limit: the step is at n = 65 = d + 1" steps -1 65 65

cat > "$scratch/st.cfg" <<CFG
[experiment]
name = st
[teacher]
input_dim = 32
widths = 4
[data]
bandlimit = 3
spectrum = powerlaw
spectrum_exponent = 1.5
test_size = 512
[student]
width = 8
[sweep]
n = 64
[fit]
per_curve = none
joint = none
[plot]
format = none
CFG
"$LAB" run "$scratch/st.cfg" --out "$scratch/st" -j 1 --set train.steps=200 2> "$scratch/err"
ok "a student learns from band-limited power-law inputs" \
    sh -c "grep -v '^#' '$scratch/st/results.tsv' | awk -F '\t' 'NR == 2 && \$7 > 0 && \$7 < 1 { ok = 1 } END { exit !ok }'"
"$LAB" run "$scratch/st.cfg" --out "$scratch/on" -j 1 --set train.online=true \
    --set train.batch=16 2> "$scratch/err"
ok "and online, from fresh band-limited batches" \
    sh -c "grep -v '^#' '$scratch/on/results.tsv' | awk -F '\t' 'NR == 2 && \$7 > 0 && \$7 < 1 { ok = 1 } END { exit !ok }'"

# refuse LINE... : the config made of the lines is refused (exit 2) with a
# message that starts with "FILE:LINE: KEY" or names the key.
refuse() {
    want=$1
    shift
    printf '%s\n' "$@" > "$scratch/bad.cfg"
    "$LAB" show "$scratch/bad.cfg" > /dev/null 2> "$scratch/bad.err"
    rc=$?
    test $rc -eq 2 && grep -q "$want" "$scratch/bad.err" || { cat "$scratch/bad.err" >&2; return 1; }
}
ok "uniform inputs with a band limit are refused at the key" \
    refuse "bad.cfg:3: data.bandlimit: .*uniform" "[data]" "distribution = uniform" "bandlimit = 3"
ok "uniform inputs with a power-law spectrum are refused" \
    refuse "bad.cfg:2: data.spectrum: .*uniform" "[data]" "spectrum = powerlaw" "distribution = uniform"
ok "an exponent with a white spectrum is refused" \
    refuse "bad.cfg:2: data.spectrum_exponent: .*white" "[data]" "spectrum_exponent = 2"
ok "data.bandlimit_test without a band limit is refused" \
    refuse "bad.cfg:2: data.bandlimit_test: .*no cell" "[data]" "bandlimit_test = off"
ok "a band limit for the torus kind, which draws its own inputs, is refused" \
    refuse "bad.cfg:4: data.bandlimit: .*torus" "[experiment]" "kind = torus" "[data]" "bandlimit = 3"
ok "the perceptron kind takes a band limit but refuses a power-law spectrum" \
    refuse "bad.cfg:4: data.spectrum: .*perceptron.*power-law" "[experiment]" "kind = perceptron" \
    "[data]" "spectrum = powerlaw" "bandlimit = 3"
printf '[experiment]\nkind = perceptron\n[data]\nbandlimit = 3\n' > "$scratch/pb.cfg"
ok "the perceptron kind takes a band limit" "$LAB" show "$scratch/pb.cfg"
ok "a band limit below -1 is refused by its range" \
    refuse "bad.cfg:2: data.bandlimit: expected" "[data]" "bandlimit = -2"

