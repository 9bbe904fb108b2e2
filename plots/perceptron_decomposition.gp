# SPDX-License-Identifier: GPL-3.0-or-later
# The exact error decomposition of the perceptron learners (THEORY.md
# section 5.3): Bayes's test error is the uncertainty, the lower limit
# given the data; each other learner's excess over Bayes on the same
# teacher and data is its learning deficiency. Points: means over seeds
# with a band of one standard deviation; lines: the theory's values (the
# learner's error less Bayes's). Non-positive values are left off the log
# axis. Settings written by the lab: datafile, theoryfile, experiment,
# learners (words, one per block).
set title sprintf("%s: Bayes error (uncertainty) and each learner's excess over it (learning deficiency)", experiment) noenhanced font ",10"
set datafile separator "\t"
set logscale xy
set format x "%g"
set xlabel "alpha = P / N"
set ylabel "test error, or excess over Bayes"
set key bottom left Left reverse samplen 2 font ",9" noenhanced
pos(v) = v > 0 ? v : 1/0
colour(name) = name eq "hebb" ? 1 : name eq "gibbs" ? 2 : name eq "bayes" ? 3 : \
               name eq "maxmargin" ? 4 : 5
label(name) = name eq "bayes" ? "bayes: uncertainty" : name." - bayes"
# Bayes's theory at the grid's alphas, kept as the theory file is read in
# order (bayes's rows come before maxmargin's, after gibbs's and hebb's).
nl = words(learners)
array B[200]
array A[200]
nb = 0
stats theoryfile using (strcol(1) eq "bayes" ? (nb = nb + 1, A[nb] = $2, B[nb] = $3) : 0) nooutput
bayes_at(x) = sum [k=1:nb] (A[k] == x ? B[k] : 0)
plot for [i=1:nl] datafile index (i-1) using 1:(pos($3)):(pos($4)) with filledcurves \
         fs transparent solid 0.15 noborder lt colour(word(learners, i)) notitle, \
     for [i=1:nl] datafile index (i-1) using 1:(pos($2)) with points pt 7 ps 0.8 \
         lt colour(word(learners, i)) title label(word(learners, i)), \
     for [i=1:nl] theoryfile using 2:(strcol(1) eq word(learners, i) ? \
         pos(word(learners, i) eq "bayes" ? $3 : $3 - bayes_at($2)) : 1/0) \
         with lines lw 1.5 lt colour(word(learners, i)) notitle
