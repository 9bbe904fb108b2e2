# SPDX-License-Identifier: GPL-3.0-or-later
# The lab's line styles, written into every figure's script before its
# template. Colours are Okabe and Ito's palette for colour-blind readers
# (without its yellow, too pale on white); each line also gets its own point
# shape, so lines stay apart in grey print. Line i of a figure is linetype i.
lab_colours = "#E69F00 #56B4E9 #009E73 #0072B2 #D55E00 #CC79A7 #000000"
lab_points = "7 5 9 11 13 15 6 4 8 10 12 14"
do for [i=1:24] {
    set linetype i lc rgb word(lab_colours, (i - 1) % words(lab_colours) + 1) \
        pt int(word(lab_points, (i - 1) % words(lab_points) + 1)) ps 0.9 lw 2 dt 1
}
set linetype cycle 24
set grid xtics ytics lc rgb "#d8d8d8" lw 1
# The spread over seeds, drawn as a band behind each line.
lab_band = "fs transparent solid 0.18 noborder"
