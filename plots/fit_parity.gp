# SPDX-License-Identifier: GPL-3.0-or-later
# A fitted law with several x columns and too many combinations to draw as
# curves: predicted against observed, with the diagonal; held-out points as
# open circles. The lab sets above this line: `pointsfile` (blocks of:
# observed predicted held_out), `titles`, `form` and `yname`.
set title sprintf("%s fit: predicted against observed %s", form, yname) noenhanced
set logscale xy
set xlabel sprintf("observed %s", yname) noenhanced
set ylabel sprintf("predicted %s", yname) noenhanced
set grid xtics ytics lc rgb "#d0d0d0"
set key outside right top noenhanced
set size square
plot x with lines dt 2 lc rgb "#808080" title "predicted = observed", \
     for [i=1:words(titles)] pointsfile index (i-1) using 1:($3 == 0 ? $2 : NaN) \
         with points pt 7 ps 0.7 lc i title word(titles, i), \
     for [i=1:words(titles)] pointsfile index (i-1) using 1:($3 == 1 ? $2 : NaN) \
         with points pt 6 ps 1.4 lw 2 lc i notitle
