# SPDX-License-Identifier: GPL-3.0-or-later
# Pruned perceptron runs against the exact theory of learning from pruned
# data (THEORY.md section 11.2): per curve (prune mode, kept fraction f,
# probe angle theta, learner) the mean test error over seeds against
# alpha_prune with error bars of one standard error, the theory as a line
# of the same colour. Settings written by the lab: datafile, linesfile,
# experiment, ncurves, titles (a word per data block), nlines, linecurve
# (per block of linesfile, the data block it belongs to, from 1).
set title sprintf("%s: pruned data against theory (lines)", experiment) noenhanced
set datafile separator "\t"
set logscale y
set format y "%g"
set xlabel "alpha_prune = kept examples / N" noenhanced
set ylabel "test error"
set key outside right top Left reverse samplen 2 font ",8" noenhanced
plot for [i=1:ncurves] datafile index (i-1) using 1:2:3:4 with yerrorlines \
         lt i lw 1 dt 3 title word(titles, i), \
     for [j=1:nlines] linesfile index (j-1) using 1:2 with lines lw 1.5 \
         lt int(word(linecurve, j)) notitle
