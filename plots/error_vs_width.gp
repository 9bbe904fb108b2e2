# SPDX-License-Identifier: GPL-3.0-or-later
# Test error against student width, one line per training-set size n,
# log-log, the x axis ticked at the widths swept. Lines join geometric means
# over seeds; bands span the seeds' minimum and maximum. Settings as in
# error_vs_n.gp.
set title sprintf("%s: test error against student width", experiment) noenhanced
set logscale xy
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel "student width (hidden units per layer)"
set ylabel "test error  (test MSE / teacher output variance)"
set xtics ()
do for [i=1:words(xvalues)] { set xtics add (word(xvalues, i) word(xvalues, i) + 0) }
set format y "10^{%L}"
set key outside right top Left reverse width -4 title (seriesname eq "n" ? "training-set size n" : seriesname) noenhanced
if (teacher_width > 0) {
    set arrow from teacher_width, graph 0 to teacher_width, graph 1 nohead dt 2 lw 1 lc rgb "#808080"
    set label sprintf("teacher width %d", teacher_width) at teacher_width, graph 0.97 \
        offset 0.5, 0 font ",9" tc rgb "#606060"
}
ols_title = ols_count > 1 ? sprintf("best linear predictor %.2g (%.2g-%.2g)", \
    ols_error, ols_lo, ols_hi) : sprintf("best linear predictor %.2g", ols_error)
plot for [i=1:words(titles)] datafile index (i-1) using 1:3:4 with filledcurves @lab_band lt i notitle, \
     for [i=1:words(titles)] datafile index (i-1) using 1:2 with linespoints lt i title word(titles, i) noenhanced, \
     (ols_error > 0 ? ols_error : 1/0) with lines dt 3 lw 2 lc rgb "#404040" \
         title (ols_error > 0 ? ols_title : ""), \
     keyentry with filledcurves fs solid 0.25 noborder lc rgb "#808080" title "seeds: min to max"
