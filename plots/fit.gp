# SPDX-License-Identifier: GPL-3.0-or-later
# A fitted scaling law: the data, the fitted curve with its 95 % bootstrap
# band, held-out points as open shapes, the extrapolation region (x beyond
# the largest fitted x) shaded, a poor fit dashed and named so in the key, and
# where near-optimal fits disagree about the extrapolation, the range of
# their predictions at the largest x as a bar. The lab sets above this line:
# `curvefile` (blocks of: x pred band_lo band_hi), `pointsfile` (blocks of:
# x y held_out), `titles` (a word per block), `poor` (1 or 0 per block),
# `form`, `formula`, `experiment`, `xname`, `yname`, `xfit_max`, `bars`
# (four words per bar: x, low, high, block) and whether any block has a band
# (`bands`) or held-out points (`held`).
set encoding utf8
set title sprintf("%s\n%s fit: %s", experiment, form, formula) noenhanced
set logscale xy
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel xname noenhanced
set ylabel yname noenhanced
set format y "10^{%L}"
set grid xtics ytics lc rgb "#d0d0d0"
set key outside right top noenhanced
# Okabe and Ito's palette, distinguishable by colour-blind readers, with a
# point shape per curve (filled where fitted, open where held out) so the
# figure also reads in grey.
colours = "#000000 #E69F00 #56B4E9 #009E73 #0072B2 #D55E00 #CC79A7 #F0E442"
filled = "7 5 9 11 13 15"
open = "6 4 8 10 12 14"
do for [i=1:words(colours)] { set linetype i lc rgb word(colours, i) }
set linetype cycle words(colours)
shape(i) = int(word(filled, (i - 1) % words(filled) + 1))
hollow(i) = int(word(open, (i - 1) % words(open) + 1))
is_poor(i) = word(poor, i) eq "1"
bar(k, j) = word(bars, 4 * k + j) + 0
do for [k=0:words(bars) / 4 - 1] {
    set arrow from bar(k, 1), bar(k, 2) to bar(k, 1), bar(k, 3) heads size screen 0.006, 90 \
        lt bar(k, 4) lw 2 front
}
if (xfit_max > 0) {
    set object 1 rect from first xfit_max, graph 0 to graph 1, graph 1 behind \
        fc rgb "#eeeeee" fs solid 1.0 noborder
    set label 1 "extrapolation" at first xfit_max, graph 0.03 offset 0.5, 0 \
        font ",9" tc rgb "#707070"
}
plot for [i=1:words(titles)] curvefile index (i-1) using 1:3:4 with filledcurves \
         lc i fs transparent solid 0.18 noborder notitle, \
     for [i=1:words(titles)] curvefile index (i-1) using 1:2 with linespoints lw 2 lc i \
         dt 1 + is_poor(i) pt shape(i) pi -40 ps 0.9 \
         title (word(titles, i) . (is_poor(i) ? " (poor fit)" : "")), \
     for [i=1:words(titles)] pointsfile index (i-1) using 1:($3 == 0 ? $2 : NaN) \
         with points pt shape(i) ps 0.8 lc i notitle, \
     for [i=1:words(titles)] pointsfile index (i-1) using 1:($3 == 1 ? $2 : NaN) \
         with points pt hollow(i) ps 1.3 lw 2 lc i notitle, \
     keyentry with filledcurves fc rgb "#bbbbbb" fs solid 0.5 noborder \
         title (bands ? "95 % bootstrap" : ""), \
     keyentry with points pt 6 ps 1.3 lw 2 lc rgb "#606060" \
         title (held ? "held out (open)" : ""), \
     keyentry with yerrorbars pt 0 lw 2 lc rgb "#606060" \
         title (words(bars) ? "fits within 1 % of best" : "")
