# SPDX-License-Identifier: GPL-3.0-or-later
# lab spectrum (THEORY.md §10.3): power per real degree of freedom against
# frequency (top, log y: white inputs are flat), and the cumulative fraction
# of the energy with the fractions q dotted (bottom: the effective bandwidth
# is where a line first reaches a dotted one). Inputs on the left
# (frequency in cycles per coordinate), the teacher along lines on the right
# (cycles per rms of the inputs along the line, log: its bin 0 is zero by
# construction, each line's mean being removed) when there are lines.
# Settings written by the lab: experiment, inputs_file, lines_file, n_inputs,
# n_lines, titles_inputs, titles_lines (words, one per block), fractions.
cols = n_lines > 0 ? 2 : 1
set multiplot layout 2, cols title sprintf("%s: power spectra", experiment) noenhanced
set key top right Left reverse samplen 2 font ",9" noenhanced
set autoscale xfix
pos(v) = v > 0 ? v : 1/0
do for [panel=1:cols] {
    file = panel == 1 ? inputs_file : lines_file
    n = panel == 1 ? n_inputs : n_lines
    ts = panel == 1 ? titles_inputs : titles_lines
    set xlabel (panel == 1 ? "frequency (cycles per coordinate)" \
                           : "frequency (cycles per rms along the line)")
    if (panel == 2) { set logscale x; set format x "%g" } else { unset logscale x }
    set title (panel == 1 ? "inputs" : "teacher along lines") noenhanced
    set logscale y
    set format y "10^{%L}"
    set ylabel "power per degree of freedom"
    plot for [i=1:n] file index (i-1) using (panel == 2 ? pos($1) : $1):(pos($2)) \
        with linespoints lt i title word(ts, i)
}
do for [panel=1:cols] {
    file = panel == 1 ? inputs_file : lines_file
    n = panel == 1 ? n_inputs : n_lines
    ts = panel == 1 ? titles_inputs : titles_lines
    set xlabel (panel == 1 ? "frequency (cycles per coordinate)" \
                           : "frequency (cycles per rms along the line)")
    if (panel == 2) { set logscale x; set format x "%g" } else { unset logscale x }
    set title "cumulative energy" noenhanced
    set key bottom right
    unset logscale y
    set format y "%g"
    set yrange [0:1.02]
    set ylabel "fraction of the energy"
    plot for [i=1:n] file index (i-1) using (panel == 2 ? pos($1) : $1):3 with steps lt i \
             title word(ts, i), \
         for [j=1:words(fractions)] (word(fractions, j) + 0) with lines dt 3 lc rgb "#555555" \
             notitle
    set autoscale y
}
unset multiplot
