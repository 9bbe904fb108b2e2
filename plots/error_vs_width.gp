# SPDX-License-Identifier: GPL-3.0-or-later
# Test error against student width, one line per training-set size n,
# log-log. Points are means over seeds; bars span the seeds' minimum and
# maximum. The lab sets above this line: `datafile` (blocks of: width mean
# min max count), `titles` (one word per block), `experiment`, `xname`,
# `seriesname`, `yname`, and the teacher's size `teacher_params` and
# `teacher_width` (0 when the teacher is swept).
set title sprintf("%s: test error against student width", experiment) noenhanced
set logscale xy
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel "student width (hidden units per layer)"
set ylabel "test error  (test MSE / teacher output variance)"
set format x "%g"
set format y "10^{%L}"
set grid xtics ytics lc rgb "#d0d0d0"
set key outside right top title (seriesname eq "n" ? "data" : seriesname) noenhanced
# Students at least this wide can represent the teacher exactly.
if (teacher_width > 0) {
    set arrow from teacher_width, graph 0 to teacher_width, graph 1 nohead dt 2 lc rgb "#808080"
    set label sprintf("teacher width %d", teacher_width) at teacher_width, graph 0.97 \
        offset 0.5, 0 font ",9" tc rgb "#606060"
}
# Twelve distinguishable colours, so sweeps with many lines stay readable.
colours = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf #000000 #aec7e8"
do for [i=1:words(colours)] { set linetype i lc rgb word(colours, i) }
set linetype cycle words(colours)
set style data yerrorlines
plot for [i=1:words(titles)] datafile index (i-1) using 1:2:3:4 \
     lw 2 pt 7 ps 0.6 title word(titles, i)
