# SPDX-License-Identifier: GPL-3.0-or-later
# The controls of iterative magnitude pruning against it: the test error
# against density, a line per control (geometric mean over seeds, a band
# from the seeds' minimum to maximum), a panel per value of the other swept
# axes. Settings: datafile (a block per panel and control: density, error,
# minimum, maximum, seeds, round), titles, controls, experiment, npanels.
ncontrols = words(controls)
ncols = npanels <= 1 ? 1 : (npanels <= 4 ? 2 : 3)
nrows = int(ceil(npanels * 1.0 / ncols))
set multiplot layout nrows, ncols title sprintf("%s: the controls against imp", experiment) noenhanced
set logscale xy
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel "density"
set ylabel "test error"
set xtics ("0.02" 0.02, "0.05" 0.05, "0.1" 0.1, "0.2" 0.2, "0.3" 0.3, "0.5" 0.5, "0.7" 0.7, "1" 1)
set format y "10^{%L}"
set key left bottom noenhanced
do for [p=1:npanels] {
    set title word(titles, p) noenhanced
    plot for [i=1:ncontrols] datafile index ((p-1)*ncontrols + i-1) using 1:3:4 \
             with filledcurves @lab_band lt i notitle, \
         for [i=1:ncontrols] datafile index ((p-1)*ncontrols + i-1) using 1:2 \
             with linespoints lt i title word(controls, i)
}
unset multiplot
