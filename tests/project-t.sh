#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# student.project (THEORY.md §10.1): on band-limited inputs, a student whose
# first layer sees the band's D_B coordinates, one whose initial first layer
# is projected onto the band, and a plain one train to the same function
# under SGD (to 1e-12 relative); under Adam, which rescales each coordinate
# of the gradient, the projecting student is another learner. Refusals name
# file, line and key.
. "${top_srcdir:-.}/tests/lib.sh"
plan 7

cat > "$scratch/pj.cfg" <<CFG
[experiment]
name = pj
kind = student
[teacher]
input_dim = 32
widths = 4
[data]
bandlimit = 3
test_size = 512
[student]
width = 8
[train]
optimizer = sgd
lr = 0.05
batch = 25
steps = 400
[sweep]
n = 100
seeds = 0
student.project = band, init, none
[fit]
per_curve = none
[plot]
format = none
CFG
"$LAB" run "$scratch/pj.cfg" --out "$scratch/sgd" -j 1 2> "$scratch/err"
ok "a sweep over student.project runs" test $? -eq 0
# n width depth project seed params train test
table() { grep -v '^#' "$1/results.tsv"; }
ok "the projecting student has P_S(D_B) = 8 (7 + 2) + 1 = 73 parameters, the others 8 (32 + 2) + 1" \
    sh -c "table() { grep -v '^#' \"\$1/results.tsv\"; }; table '$scratch/sgd' | awk -F '\t' '
        \$4 == \"band\" && \$6 == 73 { b++ } \$4 != \"band\" && NR > 1 && \$6 == 273 { o++ }
        END { exit !(b == 1 && o == 2) }'"
same() { table "$1" | awk -F '\t' -v tol="$2" 'NR > 1 { tr[$4] = $7; te[$4] = $8 }
    function far(a, b) { d = a - b; if (d < 0) d = -d; return d > tol * (a < 0 ? -a : a) }
    END { bad = far(tr["band"], tr["init"]) || far(te["band"], te["init"]) ||
                far(tr["band"], tr["none"]) || far(te["band"], te["none"]) || !(te["band"] > 0)
          exit '"${3:-}"'bad }'; }
ok "SGD: band, init and none train to the same errors, to 1e-12 relative" same "$scratch/sgd" 1e-12
"$LAB" run "$scratch/pj.cfg" --out "$scratch/adam" -j 1 --set train.optimizer=adam \
    --set train.lr=0.01 2> "$scratch/err"
ok "Adam: the projecting student's errors differ by more than 1e-3 relative" \
    same "$scratch/adam" 1e-3 '!'

"$LAB" run "$scratch/pj.cfg" --out "$scratch/off" --set data.bandlimit=-1 2> "$scratch/err"
ok "projecting without a band limit is refused (exit 2), naming both keys" \
    sh -c "test $? -eq 2 && grep -q 'pj.cfg:[0-9]*: student.project.*needs a band limit.*data.bandlimit' '$scratch/err'"
sed -e 's/^kind = student/kind = error_sources/' -e 's/^student.project = .*/student.project = band/' \
    "$scratch/pj.cfg" > "$scratch/es.cfg"
"$LAB" run "$scratch/es.cfg" --out "$scratch/es" 2> "$scratch/err"
ok "a kind that does not project refuses student.project (exit 2)" \
    sh -c "test $? -eq 2 && grep -q 'the kind error_sources does not project its students' '$scratch/err'"
sed -e 's/^width = 8/width = 8\ninit = teacher/' -e 's/^student.project = .*/student.project = band/' \
    "$scratch/pj.cfg" > "$scratch/pl.cfg"
"$LAB" run "$scratch/pl.cfg" --out "$scratch/pl" 2> "$scratch/err"
ok "a planted student is not projected (exit 2)" \
    sh -c "test $? -eq 2 && grep -q 'a planted student .* is not projected' '$scratch/err'"
