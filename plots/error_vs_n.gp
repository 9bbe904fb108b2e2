# SPDX-License-Identifier: GPL-3.0-or-later
# Learning curves: test error against training-set size n, one line per
# student width, log-log. Points are means over seeds; bars span the seeds'
# minimum and maximum. The lab sets `datafile` (blocks of: n mean min max
# count), `titles` (one word per block) and `experiment` above this line.
set title sprintf("%s: test error against training-set size", experiment) noenhanced
set logscale xy
set xlabel "training-set size n"
set ylabel "test error  (test MSE / teacher output variance)"
set format x "%g"
set format y "10^{%L}"
set grid xtics ytics lc rgb "#d0d0d0"
set key outside right top title "student" noenhanced
set style data yerrorlines
plot for [i=1:words(titles)] datafile index (i-1) using 1:2:3:4 \
     lw 2 pt 7 ps 0.6 title word(titles, i)
