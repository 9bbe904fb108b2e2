# SPDX-License-Identifier: GPL-3.0-or-later
# Keep-hard against keep-easy (Sorscher et al. 2022; THEORY-SOURCES.md
# section 5.5): the test error against alpha_tot = alpha_prune / f, the
# initial pool per dimension, per kept fraction f: keep-hard filled points,
# keep-easy open points of the same colour, error bars of one standard
# error; the theory as lines (keep-hard solid, keep-easy dashed). Settings
# written by the lab: datafile, linesfile, experiment, ncurves, titles (a
# word per data block, keep-hard and keep-easy in turn), nlines, linecurve
# (per block of linesfile, the data block it belongs to, from 1).
set title sprintf("%s: keep-hard (filled) and keep-easy (open) against alpha_tot", experiment) noenhanced
set datafile separator "\t"
set logscale xy
set format x "%g"
set format y "%g"
set xlabel "alpha_tot = pool / N = alpha_prune / f" noenhanced
set ylabel "test error"
set key outside right top Left reverse samplen 2 font ",8" noenhanced
colour(i) = (i - 1) / 2 + 1
easy(i) = (i - 1) % 2
plot for [i=1:ncurves] datafile index (i-1) using 1:2:3:4 with yerrorbars \
         lt colour(i) pt (easy(i) ? 6 : 7) title word(titles, i), \
     for [j=1:nlines] linesfile index (j-1) using 1:2 with lines lw 1.5 \
         lt colour(int(word(linecurve, j))) dt 1 + easy(int(word(linecurve, j))) notitle
