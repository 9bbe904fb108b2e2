#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A failed write is a failure. A disk filling up is simulated per file with
# ulimit -f (SIGXFSZ ignored, so a write past the limit fails with EFBIG):
# at every limit, an output that the report misses or leaves incomplete makes
# lab exit 1 naming it, and an exit 0 means every output is there and whole.
. "${top_srcdir:-.}/tests/lib.sh"
plan 13

tiny="$top_srcdir/tests/data/tiny.cfg"

# limited BLOCKS COMMAND...: the command with every file it writes limited
# to BLOCKS blocks (of 512 or 1024 bytes, as the shell counts them); its
# messages, then "exit STATUS", on stdout through a pipe (a file would be
# limited too).
limited() {
    { sh -c 'trap "" XFSZ; ulimit -f "$0" && exec "$@"' "$@" 2>&1 > /dev/null
      echo "exit $?"; } | cat
}
status() { sed -n 's/^exit //p' "$1"; }

# A run to report on, with images when gnuplot is here.
format=none
command -v gnuplot > /dev/null 2>&1 && format=png
"$LAB" run "$tiny" --out "$scratch/ref" --set plot.format=$format > /dev/null 2>&1
ok "a run to report on (figures: $format)" test $? -eq 0

# bad REF DIR: the outputs of REF that DIR lacks, or has incomplete (an
# image without its end, a table without all its lines), one a line.
bad() {
    (cd "$1" && find . -type f ! -name '*.log' ! -name results.tsv ! -name config.cfg \
                       ! -name provenance.json) | sed 's|^\./||' | sort | while read -r f; do
        if [ ! -f "$2/$f" ]; then
            echo "$f"
        elif [ "${f%.png}" != "$f" ]; then
            [ "$(tail -c 8 "$2/$f" | od -An -tx1 | tr -d ' \n')" = 49454e44ae426082 ] || echo "$f"
        elif [ "$(wc -l < "$2/$f")" != "$(wc -l < "$1/$f")" ]; then
            echo "$f"
        fi
    done
}

# named ERRFILE OUTPUT: the message names the output as not written; a
# figure's files go together, so any of them names the figure.
named() {
    case $2 in
    figures/*)
        stem=${2%.*}
        stem=${stem%_curves}
        stem=${stem%_points}
        grep -Eq "$stem(_curves|_points)?\.[a-z]+: not written" "$1" ;;
    *)
        grep -Fq "$2: not written" "$1" ;;
    esac
}

# lab plot on a copy of the run's table and config at each limit.
problems="" failing=0
for blocks in 0 4 16 32 48 64 96 1000000; do
    d="$scratch/at$blocks"
    mkdir "$d" && cp "$scratch/ref/config.cfg" "$scratch/ref/results.tsv" "$d/"
    limited "$blocks" "$LAB" plot "$d" > "$d.err"
    rc=$(status "$d.err")
    missing=$(bad "$scratch/ref" "$d")
    left=$(find "$d" -name '*.tmp*')
    [ -n "$left" ] && problems="$problems; at $blocks blocks left $left"
    [ "$blocks" = 1000000 ] && generous="rc=$rc $missing"
    if [ -z "$missing" ]; then
        [ $rc -eq 0 ] || problems="$problems; at $blocks blocks exit $rc with every output"
        continue
    fi
    failing=$((failing + 1))
    [ $rc -eq 1 ] || problems="$problems; at $blocks blocks exit $rc without $(echo $missing)"
    for f in $missing; do
        named "$d.err" "$f" || problems="$problems; at $blocks blocks $f missing, not named"
    done
done
[ -z "$problems" ] || diag "$problems"
ok "at every limit: exit 1 naming each output missing or incomplete, or exit 0 with all" \
    test -z "$problems"
ok "some limits kept outputs out ($failing did)" test $failing -ge 4
ok "a generous limit: exit 0 with every output" test "$generous" = "rc=0 "

# gnuplot failing, or exiting 0 without its image, is a figure missing.
mkdir "$scratch/gp" && cp "$scratch/ref/config.cfg" "$scratch/ref/results.tsv" "$scratch/gp/"
LAB_GNUPLOT=false "$LAB" plot "$scratch/gp" --format png > /dev/null 2> "$scratch/err"
ok "gnuplot failing: exit 1" test $? -eq 1
ok "naming the image and gnuplot's messages" \
    grep -q "figures/error_vs_n.png: not written: gnuplot failed on .*error_vs_n.gp (messages in .*error_vs_n.log)" \
    "$scratch/err"
LAB_GNUPLOT=true "$LAB" plot "$scratch/gp" --format svg > /dev/null 2> "$scratch/err"
ok "gnuplot exiting 0 without an image: exit 1 naming it, the other outputs written" \
    sh -c "test $? -eq 1 && grep -q 'error_vs_n.svg: not written: gnuplot.s image is missing or incomplete' '$scratch/err' \
           && test -s '$scratch/gp/fits.tsv' && test -s '$scratch/gp/summary.tsv' && ! test -e '$scratch/gp/figures/error_vs_n.svg'"
# A script that draws a truncated image (what a full disk leaves).
# It is called as gnuplot is: -e "lab_output = 'FILE'" SCRIPT.
cat > "$scratch/halfplot" <<'EOF'
#!/bin/sh
out=$(printf '%s\n' "$2" | sed "s/^lab_output = '\(.*\)'\$/\1/")
printf '<?xml version="1.0"?>\n<svg>\n<g>\n' > "$out"
EOF
chmod +x "$scratch/halfplot"
LAB_GNUPLOT="$scratch/halfplot" "$LAB" plot "$scratch/gp" --format svg > /dev/null 2> "$scratch/err"
ok "an image without its end is not taken: exit 1, naming it" \
    sh -c "test $? -eq 1 && grep -q 'error_vs_n.svg: not written' '$scratch/err' \
           && ! test -e '$scratch/gp/figures/error_vs_n.svg' && test -z \"\$(find '$scratch/gp' -name '*.tmp*')\""

# Standard output on a full device.
"$LAB" show "$tiny" > /dev/full 2> "$scratch/err"
ok "lab show to a full device: exit 1" test $? -eq 1
ok "saying standard output was not written" \
    grep -q "standard output: not written: No space left on device" "$scratch/err"

# lab fit: a file it cannot write is a failure; a figure missing leaves
# the tables written.
awk 'BEGIN { print "size\tloss"; for (i = 0; i < 12; i++) { x = 100 * 2 ^ i; print x "\t" 2 * x ^ -0.5 + 0.01 } }' \
    > "$scratch/curve.tsv"
"$LAB" fit "$scratch/curve.tsv" --x size --y loss --form hestness --format none \
    --out "$scratch/f1" --save-starts /dev/full > /dev/null 2> "$scratch/err"
ok "lab fit --save-starts /dev/full: exit 1 naming it" \
    sh -c "test $? -eq 1 && grep -q '/dev/full: not written' '$scratch/err'"
limited 8 "$LAB" fit "$scratch/curve.tsv" --x size --y loss --form hestness,exp --format none \
    --out "$scratch/f2" > "$scratch/err"
ok "lab fit with a figure's data too large: exit 1" test "$(status "$scratch/err")" = 1
ok "naming both figures, with the fit tables written" \
    sh -c "grep -q 'fit_hestness_curves.dat: not written: File too large' '$scratch/err' \
           && grep -q 'fit_exp_curves.dat: not written' '$scratch/err' \
           && test \$(wc -l < '$scratch/f2/fits.tsv') -eq 7 && test -s '$scratch/f2/predictions.tsv'"
