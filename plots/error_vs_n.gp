# SPDX-License-Identifier: GPL-3.0-or-later
# Learning curves: test error against training-set size n, one line per
# student width, log-log. Lines join the geometric means over seeds (what a
# log axis averages); the band behind each spans the seeds' minimum and
# maximum. The lab sets above this line: `datafile` (blocks of: n gmean min
# max count mean params), `titles` (one word per block), `experiment`,
# `xname`, `seriesname`, `yname`, `xvalues`, the teacher's size
# `teacher_params` and `teacher_width` (0 when the teacher is swept), `marks`
# (1: column 7 holds each line's parameter count P_S), and the teacher's
# linear baseline `ols_error`, `ols_lo`, `ols_hi` over `ols_count` teachers
# (0 when there is none, or several teachers).
set title sprintf("%s: test error against training-set size n", experiment) noenhanced
set logscale xy
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel "training-set size n"
set ylabel "test error  (test MSE / teacher output variance)"
set format x "%g"
set format y "10^{%L}"
set key outside right top Left reverse width -4 title (seriesname eq "width" ? "student width" : seriesname) noenhanced
# The teacher's parameter count P_T.
if (teacher_params > 0) {
    set arrow from teacher_params, graph 0 to teacher_params, graph 1 nohead dt 2 lw 1 lc rgb "#808080"
    set label sprintf("n = P_T = %d (teacher)", teacher_params) at teacher_params, graph 0.97 \
        offset 0.5, 0 font ",9" tc rgb "#606060"
}
# Each student's parameter count P_S: a tick at the bottom, in its line's
# colour. Near n = P_S the student can interpolate its training set.
if (marks) {
    stats datafile using 1 nooutput
    xlo = STATS_min
    xhi = STATS_max
    do for [i=1:words(titles)] {
        stats datafile index (i-1) using 7 nooutput
        if (STATS_min >= xlo && STATS_min <= xhi) {
            set arrow from STATS_min, graph 0 to STATS_min, graph 0.06 nohead lw 4 lt i
        }
    }
}
ols_title = ols_count > 1 ? sprintf("best linear predictor %.2g (%.2g-%.2g)", \
    ols_error, ols_lo, ols_hi) : sprintf("best linear predictor %.2g", ols_error)
plot for [i=1:words(titles)] datafile index (i-1) using 1:3:4 with filledcurves @lab_band lt i notitle, \
     for [i=1:words(titles)] datafile index (i-1) using 1:2 with linespoints lt i title word(titles, i) noenhanced, \
     (ols_error > 0 ? ols_error : 1/0) with lines dt 3 lw 2 lc rgb "#404040" \
         title (ols_error > 0 ? ols_title : ""), \
     keyentry with filledcurves fs solid 0.25 noborder lc rgb "#808080" title "seeds: min to max", \
     keyentry with lines lw 4 lc rgb "#808080" title (marks ? "ticks: n = P_S (student)" : "")
