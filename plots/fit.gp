# SPDX-License-Identifier: GPL-3.0-or-later
# A fitted scaling law: the data, the fitted curve with its bootstrap band
# (95%), held-out points as open circles, and the extrapolation region (x
# beyond the largest fitted x) shaded. The lab sets above this line:
# `curvefile` (blocks of: x pred band_lo band_hi), `pointsfile` (blocks of:
# x y held_out), `titles` (a word per block), `form`, `xname`, `yname` and
# `xfit_max`.
set title sprintf("%s fit", form) noenhanced
set logscale xy
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel xname noenhanced
set ylabel yname noenhanced
set format y "10^{%L}"
set grid xtics ytics lc rgb "#d0d0d0"
set key outside right top noenhanced
colours = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf #000000 #aec7e8"
do for [i=1:words(colours)] { set linetype i lc rgb word(colours, i) }
set linetype cycle words(colours)
if (xfit_max > 0) {
    set object 1 rect from first xfit_max, graph 0 to graph 1, graph 1 behind \
        fc rgb "#eeeeee" fs solid 1.0 noborder
    set label 1 "extrapolation" at first xfit_max, graph 0.03 offset 0.5, 0 \
        font ",9" tc rgb "#707070"
}
plot for [i=1:words(titles)] curvefile index (i-1) using 1:3:4 with filledcurves \
         lc i fs transparent solid 0.18 noborder notitle, \
     for [i=1:words(titles)] curvefile index (i-1) using 1:2 with lines lw 2 lc i \
         title word(titles, i), \
     for [i=1:words(titles)] pointsfile index (i-1) using 1:($3 == 0 ? $2 : NaN) \
         with points pt 7 ps 0.7 lc i notitle, \
     for [i=1:words(titles)] pointsfile index (i-1) using 1:($3 == 1 ? $2 : NaN) \
         with points pt 6 ps 1.4 lw 2 lc i notitle
