# SPDX-License-Identifier: GPL-3.0-or-later
# The error against any numeric axis, one line per value of the series
# (and of every other swept axis), log-log. Lines join geometric means over
# seeds; bands span the seeds' minimum and maximum. Settings as in
# error_vs_n.gp.
set title sprintf("%s: %s against %s%s", experiment, yname, xname, per ne "" ? " / ".per : "") noenhanced
set logscale xy
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel (per ne "" ? xname." / ".per : xname) noenhanced
set ylabel sprintf("%s  (MSE / teacher output variance)", yname) noenhanced
if (per eq "" && words(xvalues) > 0 && words(xvalues) <= 12) {
    set xtics ()
    do for [i=1:words(xvalues)] { set xtics add (word(xvalues, i) word(xvalues, i) + 0) }
} else {
    set format x "%g"
}
set format y "10^{%L}"
set key outside right top Left reverse width -4 title seriesname noenhanced
ols_title = ols_count > 1 ? sprintf("best linear predictor %.2g (%.2g-%.2g)", \
    ols_error, ols_lo, ols_hi) : sprintf("best linear predictor %.2g", ols_error)
plot for [i=1:words(titles)] datafile index (i-1) using 1:3:4 with filledcurves @lab_band lt i notitle, \
     for [i=1:words(titles)] datafile index (i-1) using 1:2 with linespoints lt i title word(titles, i) noenhanced, \
     (ols_error > 0 ? ols_error : 1/0) with lines dt 3 lw 2 lc rgb "#404040" \
         title (ols_error > 0 ? ols_title : ""), \
     keyentry with filledcurves fs solid 0.25 noborder lc rgb "#808080" title "seeds: min to max"
