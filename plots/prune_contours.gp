# SPDX-License-Identifier: GPL-3.0-or-later
# Iso-error lines of a prune run over (log width, log density): log10 of
# the geometric mean test error over seeds, a line every level_step (a
# decade; a quarter of one when the errors span less than two), labelled
# with its log10; a panel per value of the other swept axes (titles).
# Settings: datafile (a block per panel, a scan per width: width, density,
# error, their log10s, kept), titles, experiment, npanels, level_lo,
# level_hi, level_step, widths (the x tics).
ncols = npanels <= 1 ? 1 : (npanels <= 4 ? 2 : 3)
nrows = int(ceil(npanels * 1.0 / ncols))
set multiplot layout nrows, ncols title sprintf("%s: log10 of the test error over width and density (geometric mean over seeds)", experiment) noenhanced
set view map
set contour base
unset surface
set cntrparam levels incremental level_lo, level_step, level_hi
set cntrlabel onecolor format "%g" start 2 interval 12
set xlabel "width (log scale)"
set ylabel "density (log scale)"
set xtics ()
do for [i=1:words(widths)] { set xtics add (word(widths, i) log10(word(widths, i) + 0)) }
set ytics ("1" 0, "0.5" log10(0.5), "0.2" log10(0.2), "0.1" log10(0.1), "0.05" log10(0.05), \
           "0.02" log10(0.02), "0.01" log10(0.01), "0.005" log10(0.005), "0.002" log10(0.002), \
           "0.001" log10(0.001))
set autoscale xfix
set autoscale yfix
unset key
do for [p=1:npanels] {
    set title word(titles, p) noenhanced
    splot datafile index (p-1) using 4:5:6 with lines lc rgb "#0072B2" lw 1.5 notitle, \
          datafile index (p-1) using 4:5:6 with labels font ",9" notitle
}
unset multiplot
