# SPDX-License-Identifier: GPL-3.0-or-later
# The shares of the error's parts (THEORY.md §5), stacked per (curve, n):
# each part's share of the sum of the positive parts. A negative part (a
# learner that beats its reference) counts as 0 here; decomposition.tsv has
# its value. Settings written by the lab: datafile, experiment.
set title sprintf("%s: shares of the error's parts", experiment) noenhanced
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 noborder
set boxwidth 0.8
set yrange [0:1]
set ylabel "share of the positive parts"
set xtics rotate by -60 font ",8" noenhanced
set key outside right top Left reverse noenhanced
plot datafile using 2:xtic(1) title "uncertainty" lt 2, \
     '' using 3 title "learning deficiency" lt 1, \
     '' using 4 title "realizability" lt 3, \
     '' using 5 title "noise" lt 5
