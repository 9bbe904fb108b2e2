# SPDX-License-Identifier: GPL-3.0-or-later
# The error against any numeric axis of a sweep, one line per value of the
# series axis (and of every other swept axis), log-log. Points are means over
# seeds; bars span the seeds' minimum and maximum. The lab sets above this
# line: `datafile` (blocks of: x mean min max count), `titles` (one word per
# block), `experiment`, `xname` (the axis), `seriesname`, `yname` (the error's
# column), `teacher_params` and `teacher_width`.
set title sprintf("%s: %s against %s", experiment, yname, xname) noenhanced
set logscale xy
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel xname noenhanced
set ylabel sprintf("%s  (MSE / teacher output variance)", yname) noenhanced
set format x "%g"
set format y "10^{%L}"
set grid xtics ytics lc rgb "#d0d0d0"
set key outside right top title seriesname noenhanced
# Twelve distinguishable colours, so sweeps with many lines stay readable.
colours = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf #000000 #aec7e8"
do for [i=1:words(colours)] { set linetype i lc rgb word(colours, i) }
set linetype cycle words(colours)
set style data yerrorlines
plot for [i=1:words(titles)] datafile index (i-1) using 1:2:3:4 \
     lw 2 pt 7 ps 0.6 title word(titles, i)
