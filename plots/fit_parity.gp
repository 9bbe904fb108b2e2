# SPDX-License-Identifier: GPL-3.0-or-later
# A fitted law with several x columns and too many combinations to draw as
# curves: predicted against observed, with the diagonal; held-out points as
# open shapes; a poor fit named so in the key. The lab sets above this line:
# `pointsfile` (blocks of: observed predicted held_out), `titles`, `poor`,
# `form`, `formula`, `experiment`, `yname` and `held` (some point is held
# out).
set encoding utf8
set title sprintf("%s\n%s fit: %s", experiment, form, formula) noenhanced
set logscale xy
set xlabel sprintf("observed %s", yname) noenhanced
set ylabel sprintf("predicted %s", yname) noenhanced
set grid xtics ytics lc rgb "#d0d0d0"
set key outside right top noenhanced
set size square
# Okabe and Ito's palette with a point shape per group (see fit.gp).
colours = "#000000 #E69F00 #56B4E9 #009E73 #0072B2 #D55E00 #CC79A7 #F0E442"
filled = "7 5 9 11 13 15"
open = "6 4 8 10 12 14"
do for [i=1:words(colours)] { set linetype i lc rgb word(colours, i) }
set linetype cycle words(colours)
shape(i) = int(word(filled, (i - 1) % words(filled) + 1))
hollow(i) = int(word(open, (i - 1) % words(open) + 1))
is_poor(i) = word(poor, i) eq "1"
plot x with lines dt 2 lc rgb "#808080" title "predicted = observed", \
     for [i=1:words(titles)] pointsfile index (i-1) using 1:($3 == 0 ? $2 : NaN) \
         with points pt shape(i) ps 0.8 lc i \
         title (word(titles, i) . (is_poor(i) ? " (poor fit)" : "")), \
     for [i=1:words(titles)] pointsfile index (i-1) using 1:($3 == 1 ? $2 : NaN) \
         with points pt hollow(i) ps 1.3 lw 2 lc i notitle, \
     keyentry with points pt 6 ps 1.3 lw 2 lc rgb "#606060" \
         title (held ? "held out (open)" : "")
