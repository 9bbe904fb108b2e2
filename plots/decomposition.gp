# SPDX-License-Identifier: GPL-3.0-or-later
# The error decomposition (THEORY.md §5): each part against n, a line per
# curve (student shape), log-log, the measured error dotted for scale. A
# curve's title carries its exponent where the part is a power law over
# the whole curve (analysis/powerlaw.h); parts <= 0 (a learner that beats
# its reference) cannot be drawn on a log axis and are left out.
# Settings written by the lab: datafile, experiment, curves, xvalues (the
# values of n), and titles_QUANTITY for each quantity (words, one per curve).
set multiplot layout 2, 2 title sprintf("%s: the error's parts against n", experiment) noenhanced
set logscale xy
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set format x "%g"
if (words(xvalues) > 0 && words(xvalues) <= 12) {
    set xtics ()
    do for [i=1:words(xvalues)] { set xtics add (word(xvalues, i) word(xvalues, i) + 0) }
}
set format y "10^{%L}"
set xlabel "n"
set key top right Left reverse samplen 2 font ",9" noenhanced
pos(v) = v > 0 ? v : 1/0
# columns: 1 n, 2 measured, 3 uncertainty, 4 learning deficiency,
# 5 realizability, 6 noise, 7 disagreement
panel_col = "3 4 5 6"
panel_name = "uncertainty learning_deficiency realizability noise"
do for [p=1:4] {
    col = int(word(panel_col, p))
    name = word(panel_name, p)
    set title name noenhanced
    set ylabel "MSE / teacher variance"
    ts = value("titles_".name)
    plot for [i=1:curves] datafile index (i-1) using 1:(pos(column(col))) \
             with linespoints lt i title word(ts, i), \
         for [i=1:curves] datafile index (i-1) using 1:(pos($2)) \
             with lines dt 3 lw 1 lt i notitle
}
unset multiplot
