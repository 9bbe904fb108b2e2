# SPDX-License-Identifier: GPL-3.0-or-later
# Test error against n / P_S, the training-set size over the student's
# parameter count, one line per student width, log-log. At n / P_S = 1 a
# student has as many examples as parameters: below it, it can interpolate
# its training set in many ways; this is where its error may peak (the
# interpolation threshold) and where, on a realizable teacher, it starts to
# identify the teacher. Lines join geometric means over seeds; bands span
# the seeds' minimum and maximum. Settings as in error_vs_n.gp; `per` names
# the column x is divided by.
set title sprintf("%s: test error against n / P_S", experiment) noenhanced
set logscale xy
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel "training-set size over the student's parameter count, n / P_S"
set ylabel "test error  (test MSE / teacher output variance)"
set format x "%g"
set format y "10^{%L}"
set key outside right top Left reverse width -4 title (seriesname eq "width" ? "student width" : seriesname) noenhanced
set arrow from 1, graph 0 to 1, graph 1 nohead dt 2 lw 1 lc rgb "#808080"
set label "n = P_S" at 1, graph 0.97 offset 0.5, 0 font ",9" tc rgb "#606060"
ols_title = ols_count > 1 ? sprintf("best linear predictor %.2g (%.2g-%.2g)", \
    ols_error, ols_lo, ols_hi) : sprintf("best linear predictor %.2g", ols_error)
plot for [i=1:words(titles)] datafile index (i-1) using 1:3:4 with filledcurves @lab_band lt i notitle, \
     for [i=1:words(titles)] datafile index (i-1) using 1:2 with linespoints lt i title word(titles, i) noenhanced, \
     (ols_error > 0 ? ols_error : 1/0) with lines dt 3 lw 2 lc rgb "#404040" \
         title (ols_error > 0 ? ols_title : ""), \
     keyentry with filledcurves fs solid 0.25 noborder lc rgb "#808080" title "seeds: min to max"
