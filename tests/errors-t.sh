#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The kind error_sources and lab decompose (issue 10): four learners per cell,
# the ensemble identity, planting, the parts summing to the measured error, the
# replicates as the student kind's init_seed cells, label noise, refusals.
. "${top_srcdir:-.}/tests/lib.sh"
plan 15

cfg="$top_srcdir/tests/data/errors.cfg"
run="$scratch/run"
"$LAB" run "$cfg" --out "$run" -j 2 2> "$scratch/err"
ok "an error_sources sweep runs" test $? -eq 0
rows() { grep -v '^#' "$1"; }
# The column of a name in a table's header, for awk.
colno() { rows "$1" | head -1 | tr '\t' '\n' | grep -nx "$2" | cut -d: -f1; }

ok "four rows per cell: trained, refined, clean, realizable" \
    sh -c "test \$(grep -v '^#' '$run/results.tsv' | sed 1d | wc -l) -eq 144 &&
           test \"\$(grep -v '^#' '$run/results.tsv' | sed -n '2,5p' | cut -f6 | tr '\n' ' ')\" = 'trained refined clean realizable '"
T=$(colno "$run/results.tsv" test_error)
E=$(colno "$run/results.tsv" ens_error)
D=$(colno "$run/results.tsv" disagreement)
L=$(colno "$run/results.tsv" learner)
W=$(colno "$run/results.tsv" width)
ok "test_error = ens_error + disagreement to 1e-12 relative, in every ensemble row" \
    sh -c "grep -v '^#' '$run/results.tsv' | awk -F '\t' 'NR > 1 && \$$L != \"realizable\" && \$$T != \"nan\" {
               n++; d = \$$T - \$$E - \$$D; if (d < 0) d = -d; if (d > 1e-12 * \$$T) bad = 1 }
           END { exit bad || n < 100 }'"
ok "a student that contains the teacher is realizable: planted, its error is <= 1e-28" \
    sh -c "grep -v '^#' '$run/results.tsv' | awk -F '\t' '\$$L == \"realizable\" && \$$W >= 4 {
               n++; if (\$$T > 1e-28) bad = 1 } END { exit bad || n != 24 }'"
ok "a narrower student's floor is > 0 and at most its cell's clean error" \
    sh -c "grep -v '^#' '$run/results.tsv' | awk -F '\t' '\$$W == 2 && \$$L == \"clean\" { ref[\$1 \" \" \$4] = \$$T }
               \$$W == 2 && \$$L == \"realizable\" { n++; k = \$1 \" \" \$4;
                   if (!(\$$T > 1e-4) || (k in ref && ref[k] == ref[k] && \$$T > ref[k])) bad = 1 }
           END { exit bad || n != 12 }'"
R=$(colno "$run/results.tsv" train_error)
ok "below P_S = 81 the wide student's refinement interpolates its data (train error <= 1e-20)" \
    sh -c "grep -v '^#' '$run/results.tsv' | awk -F '\t' '\$1 < 81 && \$$W == 8 && \$$L == \"refined\" {
               n++; if (!(\$$R <= 1e-20)) bad = 1 } END { exit bad || n != 6 }'"

P=$(colno "$run/results.tsv" params)
ok "from n = 2 P_S on, the refined students agree: disagreement <= 1e-6 (optimiser's floor)" \
    sh -c "grep -v '^#' '$run/results.tsv' | awk -F '\t' '\$$L == \"clean\" && \$1 >= 2 * \$$P &&
               \$$D != \"nan\" { n++; if (!(\$$D <= 1e-6)) bad = 1 } END { exit bad || n < 12 }'"

ok "the report writes decomposition.tsv, a strict table" strict_tsv "$run/decomposition.tsv"
# decomposition.tsv: measured, then noise, realizability, uncertainty,
# learning_deficiency, each with _lo and _hi.
ok "the parts sum to the measured error (1e-12 relative) in every group with seeds" \
    sh -c "awk -F '\t' 'NR > 1 && \$4 > 0 { n++; s = \$9 + \$12 + \$15 + \$18; d = s - \$6;
               if (d < 0) d = -d; if (d > 1e-12 * \$6 + 1e-300) bad = 1 } END { exit bad || n < 10 }' \
               '$run/decomposition.tsv'"

# Replicate k of a cell is the student kind's cell with init_seed k: their
# mean test error is the trained row's. The cells train alone (--no-groups),
# so this holds the replicates' pack to the trainer itself.
sed -e 's/^kind = error_sources/kind = student/' -e '/^\[errors\]/,/^restarts/d' "$cfg" \
    > "$scratch/student.cfg"
"$LAB" run "$scratch/student.cfg" --out "$scratch/st" -j 2 --set sweep.init_seeds=0..2 \
    --set student.width=8 --no-groups 2> /dev/null
ok "the trained row is the mean of the student kind's init_seed cells (1e-14 relative)" \
    sh -c "grep -v '^#' '$scratch/st/results.tsv' | awk -F '\t' 'NR > 1 { m[\$1 \"_\" \$5] += \$8 / 3 }
               END { for (k in m) printf \"%s %.17g\\n\", k, m[k] }' | sort > '$scratch/a' &&
           grep -v '^#' '$run/results.tsv' | awk -F '\t' '\$$L == \"trained\" && \$$W == 8 { print \$1 \"_\" \$4, \$$T }' |
               sort > '$scratch/b' &&
           join '$scratch/a' '$scratch/b' 2>/dev/null | awk '{ n++; d = \$2 - \$3; if (d < 0) d = -d;
               if (d > 1e-14 * \$3) bad = 1 } END { exit bad || n != 12 }'"

# Label noise: the noise part is the refined minus the clean error. (Width 2,
# narrower than the teacher, labels its clean set in the teacher's own
# workspace: a sanitizer build would catch one too small.)
"$LAB" run "$cfg" --out "$scratch/noisy" -j 2 --set teacher.label_noise=0.1 \
    --set student.width=2,4 --set sweep.n=256 2> /dev/null
ok "with label noise the refined and clean students differ: the noise part is > 0" \
    sh -c "awk -F '\t' 'NR > 1 { n++ } NR > 1 && \$2 == 4 { if (!(\$9 > 0) || \$9 != \$9) bad = 1 }
               END { exit bad || n != 2 }' '$scratch/noisy/decomposition.tsv'"
ok "without label noise the noise part is exactly 0" \
    sh -c "awk -F '\t' 'NR > 1 && \$4 > 0 && \$9 != 0 { bad = 1 } END { exit bad }' '$run/decomposition.tsv'"
lin=$(colno "$scratch/noisy/results.tsv" noise_linear)
lrn=$(colno "$scratch/noisy/results.tsv" learner)
kept=$(colno "$scratch/noisy/results.tsv" kept)
ok "noise_linear: > 0 in every refined row that kept a replicate, nan in the other rows" \
    sh -c "grep -v '^#' '$scratch/noisy/results.tsv' | awk -F '\t' 'NR > 1 && \$$lrn == \"refined\" && \$$kept > 0 {
               r++; if (!(\$$lin > 0)) bad = 1 } NR > 1 && \$$lrn != \"refined\" && \$$lin != \"nan\" { bad = 1 }
               END { exit bad || r == 0 }'"
lin0=$(colno "$run/results.tsv" noise_linear)
lrn0=$(colno "$run/results.tsv" learner)
kept0=$(colno "$run/results.tsv" kept)
ok "and 0 in the refined rows without label noise (that kept a replicate)" \
    sh -c "grep -v '^#' '$run/results.tsv' | awk -F '\t' 'NR > 1 && \$$lrn0 == \"refined\" && \$$kept0 > 0 {
               r++; if (\$$lin0 != 0) bad = 1 } END { exit bad || r == 0 }'"

"$LAB" run "$top_srcdir/tests/data/tiny.cfg" --out "$scratch/tiny" 2> /dev/null
"$LAB" decompose "$scratch/tiny" 2> "$scratch/derr"
ok "lab decompose refuses a run of another kind (exit 2)" \
    sh -c "test $? -eq 2 && grep -q 'a run of the kind student; lab decompose reads runs of the kind error_sources' '$scratch/derr'"
