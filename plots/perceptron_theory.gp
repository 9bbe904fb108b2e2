# SPDX-License-Identifier: GPL-3.0-or-later
# Perceptron learning curves against the exact large-N theory (THEORY.md
# sections 5.1 and 5.3): per learner the mean test error over seeds as
# points with a band of one standard deviation, the theory as a line of
# the same colour. Settings written by the lab: datafile, theoryfile
# (theory.tsv of the run), experiment, learners (words, one per block).
set title sprintf("%s: test error against alpha, theory as lines", experiment) noenhanced
set datafile separator "\t"
set logscale xy
set format x "%g"
set xlabel "alpha = P / N"
set ylabel "test error"
set key bottom left Left reverse samplen 2 font ",9" noenhanced
colour(name) = name eq "hebb" ? 1 : name eq "gibbs" ? 2 : name eq "bayes" ? 3 : \
               name eq "maxmargin" ? 4 : 5
nl = words(learners)
plot for [i=1:nl] datafile index (i-1) using 1:3:4 with filledcurves \
         fs transparent solid 0.15 noborder lt colour(word(learners, i)) notitle, \
     for [i=1:nl] datafile index (i-1) using 1:2 with points pt 7 ps 0.8 \
         lt colour(word(learners, i)) title word(learners, i), \
     for [i=1:nl] theoryfile using 2:(strcol(1) eq word(learners, i) ? $3 : 1/0) \
         with lines lw 1.5 lt colour(word(learners, i)) notitle
