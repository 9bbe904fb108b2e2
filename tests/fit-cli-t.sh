#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# lab fit on tables: outputs, held-out scores, tournaments, and the errors of
# bad tables.
. "${top_srcdir:-.}/tests/lib.sh"
plan 37

# y = 2 x^-0.5 + 0.01 at 12 sizes, two groups (the second twice the first).
awk 'BEGIN { print "size\tloss\tgroup\tsplit";
             for (i = 0; i < 12; i++) { x = 100 * 2 ^ i;
               print x "\t" 2 * x ^ -0.5 + 0.01 "\ta\t" (i < 9 ? "fit" : "test");
               print x "\t" 2 * (2 * x ^ -0.5 + 0.01) "\tb\t" (i < 9 ? "fit" : "test") } }' \
    > "$scratch/curve.tsv"
fit() { "$LAB" fit "$scratch/curve.tsv" --x size --y loss --format none "$@" \
            > "$scratch/out" 2> "$scratch/err"; }

fit --form hestness --group group --out "$scratch/f1"
ok "a fit per group succeeds" test $? -eq 0
ok "fits.tsv has the long format, recovering beta = -0.5 in both groups" \
    sh -c "head -n 1 '$scratch/f1/fits.tsv' | grep -q '^group	form	param	value	ci_low	ci_high' \
           && test \$(awk -F '\t' '\$3 == \"beta\" && \$4 > -0.50001 && \$4 < -0.49999' '$scratch/f1/fits.tsv' | wc -l) -eq 2"
ok "diagnostics.tsv reports convergence, bounds, conditioning, spread, rms, aic, bic, starts" \
    sh -c "head -n 1 '$scratch/f1/diagnostics.tsv' | grep -q 'converged	at_bound	cond	start_spread	rms	aic	bic	starts' \
           && test \$(grep -c '	yes	-	' '$scratch/f1/diagnostics.tsv') -eq 2"
ok "predictions.tsv and the figure's script and data are written" \
    sh -c "test -s '$scratch/f1/predictions.tsv' && test -f '$scratch/f1/figures/fit_hestness.gp' \
           && test -f '$scratch/f1/figures/fit_hestness_curves.dat'"

fit --form exp,hestness --group group --holdout 0.25 --bootstrap 50 --out "$scratch/f2"
ok "a tournament with held-out points and a bootstrap succeeds" test $? -eq 0
ok "scores.tsv scores the fitted and the held-out points" \
    sh -c "grep -q '^group=a	hestness	holdout	3	' '$scratch/f2/scores.tsv' && grep -q '^group=b	exp	fit	9	' '$scratch/f2/scores.tsv'"
ok "the forms are ranked by held-out error, the true form first" \
    sh -c "grep -q '^ranking of group=a by held-out RMSLE: 1. hestness' '$scratch/out' \
           && grep -q '^ranking of group=b by held-out RMSLE: 1. hestness' '$scratch/out'"
ok "bootstrap intervals bracket the estimate" \
    sh -c "awk -F '\t' 'NR > 1 && \$2 == \"hestness\" && !(\$5 <= \$4 && \$4 <= \$6) { bad = 1 } END { exit bad }' '$scratch/f2/fits.tsv'"

fit --form hestness --split-col split --out "$scratch/f3"
ok "--split-col holds out the rows not marked fit" grep -q '^all	hestness	holdout	6	' "$scratch/f3/scores.tsv"

# A curve that falls below its floor: gamma stops at its bound 0. The
# bootstrap still moves alpha and beta, and gamma gets no interval.
awk 'BEGIN { print "x\ty"; for (i = 0; i < 20; i++) { x = 100 * 2 ^ (i / 2); print x "\t" 5 * x ^ -0.3 - 0.05 } }' \
    > "$scratch/below.tsv"
"$LAB" fit "$scratch/below.tsv" --form hestness --x x --y y --bootstrap 50 --format none \
    --out "$scratch/f4" > /dev/null 2>&1
ok "a parameter at its bound gets no bootstrap interval and says so; the others get theirs" \
    sh -c "grep -q '^all	hestness	gamma	0	nan	nan	at_bound\$' '$scratch/f4/fits.tsv' \
           && awk -F '\t' '\$3 ~ /alpha|beta/ && \$5 < \$4 && \$4 < \$6 && \$7 == \"fitted\" { n++ } END { exit n != 2 }' '$scratch/f4/fits.tsv'"
ok "and its fit is flagged, though not as a poor one" \
    sh -c "awk -F '\t' 'NR > 1 { print \$18 }' '$scratch/f4/diagnostics.tsv' | grep -qx 'at a bound: gamma=0'"

mkdir "$scratch/beside"
cp "$scratch/curve.tsv" "$scratch/beside/curve.tsv"
echo keep > "$scratch/beside/fits.tsv"
"$LAB" fit "$scratch/beside/curve.tsv" --form exp,hestness --x size --y loss --format svg \
    > /dev/null 2>&1
ok "outputs go to fit/ beside the table by default, never over the table's own folder" \
    sh -c "test -f '$scratch/beside/fit/fits.tsv' && test -f '$scratch/beside/fit/figures/fit_exp.gp' \
           && test \"\$(cat '$scratch/beside/fits.tsv')\" = keep"
"$LAB" fit "$scratch/beside/curve.tsv" --form hestness --x size --y loss --format svg \
    > /dev/null 2> "$scratch/err"
ok "a second fit into the same folder is refused (exit 2), naming --force" \
    sh -c "test $? -eq 2 && grep -q 'beside/fit is not empty: lab fit does not write over what is there' '$scratch/err' \
           && test -f '$scratch/beside/fit/figures/fit_exp.gp'"
echo mine > "$scratch/beside/fit/notes.txt"
"$LAB" fit "$scratch/beside/curve.tsv" --form hestness --x size --y loss --format svg --force \
    > /dev/null 2>&1
ok "--force replaces the fit tables and fit figures, leaving no stale figure and nothing else touched" \
    sh -c "test $? -eq 0 && test ! -e '$scratch/beside/fit/figures/fit_exp.gp' \
           && test ! -e '$scratch/beside/fit/figures/fit_exp_points.dat' \
           && test -f '$scratch/beside/fit/figures/fit_hestness.gp' \
           && ! grep -q '	exp	' '$scratch/beside/fit/fits.tsv' && test -f '$scratch/beside/fit/notes.txt'"

# Errors.
fit --form hestness --x length --out "$scratch/e1"
ok "a missing column exits 2 and lists the columns" \
    sh -c "test $? -eq 2 && grep -q 'no column \"length\" (columns: size, loss, group, split)' '$scratch/err'"
fit --form powerlaw --out "$scratch/e2"
ok "an unknown form exits 2 and lists the forms" \
    sh -c "test $? -eq 2 && grep -q 'powerlaw: unknown form (forms: hestness' '$scratch/err'"
sed '5s/^\([0-9]*\)\t[^\t]*/\1\tmany/' "$scratch/curve.tsv" > "$scratch/text.tsv"
"$LAB" fit "$scratch/text.tsv" --form hestness --x size --y loss --format none --out "$scratch/e3" 2> "$scratch/err"
ok "a non-numeric cell exits 2 naming file, line and column" \
    sh -c "test $? -eq 2 && grep -q 'text.tsv:5: loss: \"many\" is not a number' '$scratch/err'"
sed '5s/^\([0-9]*\)\t[^\t]*/\1\t-0.5/' "$scratch/curve.tsv" > "$scratch/neg.tsv"
"$LAB" fit "$scratch/neg.tsv" --form hestness --x size --y loss --format none --out "$scratch/e4" 2> "$scratch/err"
ok "a non-positive value under a log exits 2 naming it" \
    sh -c "test $? -eq 2 && grep -q 'neg.tsv:5: loss: -0.5; the fit takes its log' '$scratch/err'"
head -n 4 "$scratch/curve.tsv" > "$scratch/short.tsv"
"$LAB" fit "$scratch/short.tsv" --form hestness --x size --y loss --format none --out "$scratch/e5" > /dev/null 2> "$scratch/err"
ok "too few points for the form fails the fit (exit 1) and says why" \
    sh -c "test $? -eq 1 && grep -q 'hestness fits 3 parameters: it needs at least 4 points, and has 3' '$scratch/err' \
           && grep -q '	no	-	' '$scratch/e5/diagnostics.tsv'"
fit --form hestness --holdout 2 --out "$scratch/e6"
ok "a bad holdout fraction exits 2" sh -c "test $? -eq 2 && grep -q 'expected a fraction in \[0, 1) (0: none)' '$scratch/err'"
fit --form hestness --holdout 1 --out "$scratch/e6b"
ok "so does holding out everything" sh -c "test $? -eq 2 && grep -q 'expected a fraction in' '$scratch/err'"
fit --form hestness --fix betta=-0.5 --out "$scratch/e7"
ok "a misspelt parameter exits 2 and lists the parameters" \
    sh -c "test $? -eq 2 && grep -q 'no parameter \"betta\" in the forms fitted (parameters: alpha, beta, gamma)' '$scratch/err'"
sed '5s/^\([0-9]*\)\t[^\t]*/\1\t0/' "$scratch/curve.tsv" > "$scratch/zero.tsv"
"$LAB" fit "$scratch/zero.tsv" --form hestness --x size --y loss --loss rel --format none --out "$scratch/e8" 2> "$scratch/err"
ok "a zero under the relative error exits 2 naming file, line and column" \
    sh -c "test $? -eq 2 && grep -q 'zero.tsv:5: loss: 0; the relative error divides by it' '$scratch/err'"

# Table text reaches gnuplot's scripts only as inert words.
awk -F '\t' -v OFS='\t' 'NR > 1 && $3 == "b" { $3 = "z\";system(\"touch${IFS}'"$scratch"'/pwned\");x=\"" } 1' \
    "$scratch/curve.tsv" > "$scratch/evil.tsv"
"$LAB" fit "$scratch/evil.tsv" --form hestness --x size --y loss --group group --format svg \
    --out "$scratch/e9" > /dev/null 2>&1
ok "a group name cannot run commands through the figure's script" \
    sh -c "test ! -e '$scratch/pwned' && test -f '$scratch/e9/figures/fit_hestness.gp'"
fit --form hestness --x size,size,size,size,size --out "$scratch/e10"
ok "more than four x columns exit 2" \
    sh -c "test $? -eq 2 && grep -q -- '--x: 5 columns; a form takes at most 4' '$scratch/err'"
fit --form hestness --start beta=$(awk 'BEGIN { for (i = 1; i <= 65; i++) printf "%s-0.%02d", (i > 1 ? "," : ""), i }') --out "$scratch/e11"
ok "a start grid of more than 64 values exits 2 rather than being cut" \
    sh -c "test $? -eq 2 && grep -q -- '--start beta: at most 64 values' '$scratch/err'"

# Every table loads as it is: no comment lines, as many fields in every row as
# in the header, and predictions.tsv names the table's own columns.
ok "the four tables are plain rectangular TSV, without comment lines" \
    sh -c "for t in fits diagnostics scores predictions; do \
             awk -F '\t' 'NR == 1 { n = NF } /^#/ || NF != n { bad = 1 } END { exit bad || NR < 2 }' \
                 '$scratch/f2/'\$t.tsv || exit 1; done"
ok "predictions.tsv names the x and y columns as the table does" \
    sh -c "head -n 1 '$scratch/f2/predictions.tsv' | grep -qx 'group	form	split	size	loss	pred	pred_lo	pred_hi' \
           && test \$(awk -F '\t' '\$3 == \"holdout\"' '$scratch/f2/predictions.tsv' | wc -l) -eq 12"
fit --form hestness --holdout 0 --out "$scratch/f5"
ok "--holdout 0 holds nothing out" \
    sh -c "test $? -eq 0 && ! grep -q holdout '$scratch/f5/scores.tsv' && ! grep -q holdout '$scratch/f5/predictions.tsv' \
           && grep -q '^all	hestness	fit	24	' '$scratch/f5/scores.tsv'"

# Fixed parameters are marked fixed, with no interval.
fit --form hestness:3 --group group --bootstrap 20 --out "$scratch/f6"
ok "a fixed parameter is marked fixed and gets no interval" \
    sh -c "test \$(grep -c '	hestness:3	eps0	1	nan	nan	fixed\$' '$scratch/f6/fits.tsv') -eq 2"

# Poor fits are flagged in the warning column, on stderr, on the fit's line
# and in the figure.
awk 'BEGIN { print "size\tloss\tgroup"; for (i = 0; i < 12; i++) { x = 100 * 2 ^ i;
             print x "\t" 2 * x ^ -0.5 + 0.01 "\tgood"; print x "\t" (i % 2 ? 1 : 0.1) "\tzigzag" } }' \
    > "$scratch/zigzag.tsv"
"$LAB" fit "$scratch/zigzag.tsv" --form hestness --x size --y loss --group group --format svg \
    --out "$scratch/f7" > "$scratch/out" 2> "$scratch/err"
ok "a curve no law fits is a poor fit: warning column, stderr and its line say why" \
    sh -c "test $? -eq 0 && awk -F '\t' '\$1 == \"group=zigzag\" { print \$18 }' '$scratch/f7/diagnostics.tsv' | grep -q '^poor fit: fit RMSLE 1\.[0-9]* > 0.1; at a bound: alpha=0 beta=0\$' \
           && awk -F '\t' '\$1 == \"group=good\" { print \$18 }' '$scratch/f7/diagnostics.tsv' | grep -qx -- - \
           && grep -q 'warning: group=zigzag, hestness: poor fit: fit RMSLE' '$scratch/err' \
           && grep -q '^group=zigzag .*\[poor fit: fit RMSLE' '$scratch/out'"
ok "and the figure marks it: dashed, named a poor fit in the key" \
    sh -c "grep -qx 'poor = \"0 1\"' '$scratch/f7/figures/fit_hestness.gp' \
           && grep -q '(poor fit)' '$scratch/f7/figures/fit_hestness.gp'"
awk 'BEGIN { print "size\tloss"; for (i = 0; i < 12; i++) { x = 100 * 2 ^ i; print x "\t" 2 * x ^ -0.5 * (i < 9 ? 1 : 3) } }' \
    > "$scratch/jump.tsv"
"$LAB" fit "$scratch/jump.tsv" --form hestness --x size --y loss --holdout-from 51200 --format none \
    --out "$scratch/f8" > /dev/null 2>&1
ok "a law that fits but misses the held-out points is a poor fit" \
    sh -c "awk -F '\t' 'NR > 1 { print \$18 }' '$scratch/f8/diagnostics.tsv' | grep -qx 'poor fit: held-out RMSLE 1\.[0-9]* > 0.1'"
fit --form hestness --max-iter 1 --refine 1 --out "$scratch/f9"
ok "a fit that did not converge is a poor fit" \
    sh -c "awk -F '\t' 'NR > 1 { print \$5, \$18 }' '$scratch/f9/diagnostics.tsv' | grep -q '^no poor fit: .*not converged$'"

# Fits equal in-sample that extrapolate differently: breaks beyond the fitted
# points leave them unchanged whatever their slope change.
awk 'BEGIN { srand(3); print "x\ty"; for (i = 0; i < 24; i++) { x = 10 * 2 ^ i;
             print x "\t" 2 * x ^ -0.5 * (1 + 0.02 * (rand() - 0.5)) } }' > "$scratch/late.tsv"
"$LAB" fit "$scratch/late.tsv" --form bnsl:1 --x x --y y --holdout-from 1e5 --start d1=1e6,1e7 \
    --start c1=-0.3,1 --start f1=0.01 --start c0=0.5 --refine all --format svg \
    --out "$scratch/f10" > /dev/null 2>&1
ok "near-optimal fits that disagree at the largest x are reported and drawn" \
    sh -c "awk -F '\t' 'NR > 1 && \$16 == 4 && \$17 > 1 { print \$18 }' '$scratch/f10/diagnostics.tsv' \
           | grep -q '4 fits within 1% of the best loss differ by a factor [0-9.e+]* at the largest x, 8.38861e+07' \
           && grep -q '^bars = \"83886080 ' '$scratch/f10/figures/fit_bnsl_1.gp'"

# [fit] holdout = 0 in a config means no holdout too; 0.25 holds some out.
tiny="$top_srcdir/tests/data/tiny.cfg"
"$LAB" run "$tiny" --out "$scratch/r0" -j 1 --set fit.holdout=0 > /dev/null 2>&1
"$LAB" run "$tiny" --out "$scratch/r1" -j 1 --set fit.holdout=0.25 > /dev/null 2>&1
ok "[fit] holdout = 0 holds nothing out; 0.25 holds out the largest n" \
    sh -c "test -s '$scratch/r0/scores.tsv' && ! grep -q '	holdout	' '$scratch/r0/scores.tsv' \
           && grep -q '	holdout	' '$scratch/r1/scores.tsv'"

# A diverged row, however large its error, is not fitted: the fit is that of
# the ok rows alone.
awk 'BEGIN { print "size\tloss\tstatus"; for (i = 0; i < 12; i++) { x = 100 * 2 ^ i;
             print x "\t" 2 * x ^ -0.5 + 0.01 "\tok" }
             print 409600 "\t8.5e275\tdiverged" }' > "$scratch/runaway.tsv"
grep -v diverged "$scratch/runaway.tsv" > "$scratch/runaway-ok.tsv"
"$LAB" fit "$scratch/runaway.tsv" --form hestness --x size --y loss --format none \
    --out "$scratch/f11" > /dev/null 2>&1
"$LAB" fit "$scratch/runaway-ok.tsv" --form hestness --x size --y loss --format none \
    --out "$scratch/f12" > /dev/null 2>&1
ok "a diverged row with an error of 8.5e275 is left out of the fit" \
    sh -c "cmp -s '$scratch/f11/fits.tsv' '$scratch/f12/fits.tsv' \
           && awk -F '\t' '\$3 == \"beta\" && \$4 > -0.50001 && \$4 < -0.49999 { n++ } END { exit n != 1 }' '$scratch/f11/fits.tsv'"
