# SPDX-License-Identifier: GPL-3.0-or-later
# The Pareto frontier of data pruning (THEORY-SOURCES.md section 5.5):
# keep-hard test error against alpha_prune per kept fraction f (thin, with
# error bars of one standard error), and per family (probe angle, learner)
# the best f at each alpha_prune in bold; the theory's frontier over the
# same fractions dashed. Settings written by the lab: datafile, linesfile,
# experiment, ncurves, titles (a word per data block; frontier blocks'
# titles start with "frontier"), nlines, linecurve (per block of linesfile,
# the frontier block it belongs to, from 1).
set title sprintf("%s: keep-hard error per f, the best f in bold, theory dashed", experiment) noenhanced
set datafile separator "\t"
set logscale y
set format y "%g"
set xlabel "alpha_prune = kept examples / N" noenhanced
set ylabel "test error"
set key outside right top Left reverse samplen 2 font ",8" noenhanced
front(i) = strstrt(word(titles, i), "frontier") == 1
plot for [i=1:ncurves] datafile index (i-1) using 1:2:3:4 with yerrorlines \
         lt (front(i) ? 7 : i) lw (front(i) ? 4 : 1) title word(titles, i), \
     for [j=1:nlines] linesfile index (j-1) using 1:2 with lines lw 2 dt 2 \
         lc rgb "#555555" title "theory ".word(titles, int(word(linecurve, j)))
