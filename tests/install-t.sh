#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make install into two prefixes in turn, configure rerun between them, in a
# copy of this build tree (the tree the other tests use is left alone); then
# each installed lab, with the copy gone, runs from another folder on its own
# experiments and figure templates, and its manual page and docs are there.
#
# With LAB_INSTALLED=BINDIR:PKGDATADIR:MANDIR:DOCDIR (make installcheck, also
# under make distcheck) it checks only that installed lab.
. "${top_srcdir:-.}/tests/lib.sh"
unset LAB_PLOTS_DIR
mkdir "$scratch/elsewhere"

# ends_with FILE TAIL: FILE ends with the lines of TAIL.
ends_with() { tail -n "$(wc -l < "$2")" "$1" | cmp -s - "$2"; }

# check_installed NAME BINDIR PKGDATADIR MANDIR DOCDIR: five checks of the lab
# installed there, run from another folder.
check_installed() {
    name=$1 lab=$2/lab data=$3 page=$4/man1/lab.1 docs=$5
    (cd "$scratch/elsewhere" && "$lab" show teacher_student > "$scratch/$name.show" 2>&1)
    ok "$name: lab show finds the experiment installed beside it" \
        grep -q "^# The resolved configuration of $data/experiments/teacher_student.cfg " \
        "$scratch/$name.show"
    # A sweep of two cells that takes well under a second.
    (cd "$scratch/elsewhere" && "$lab" run teacher_student.cfg --out "run-$name" \
         --set student.width=4 --set sweep.n=32,64 --set sweep.seeds=0 --set train.steps=100 \
         --set data.test_size=256 --set fit.per_curve=none --set fit.joint=none \
         --set plot.format=none > "$scratch/$name.run" 2>&1)
    ok "$name: lab run teacher_student.cfg runs from another folder (exit $?)" \
        test -s "$scratch/elsewhere/run-$name/results.tsv"
    # A figure's script ends with its template's body.
    ok "$name: its figures come from the templates installed beside it" \
        ends_with "$scratch/elsewhere/run-$name/figures/error_vs_n.gp" "$data/plots/error_vs_n.gp"
    if command -v man > /dev/null 2>&1; then
        man -l "$page" > "$scratch/$name.man" 2>/dev/null
    else
        nroff -man "$page" > "$scratch/$name.man" 2>/dev/null
    fi
    ok "$name: the manual page renders and describes every command" \
        sh -c "for c in RUN SHOW PLOT FIT MERGE; do grep -q \"^LAB \$c\$\" '$scratch/$name.man' || exit 1; done \
               && grep -q -- '--max-cells' '$scratch/$name.man'"
    ok "$name: README.md and THEORY.md are installed as docs" \
        test -s "$docs/README.md" -a -s "$docs/THEORY.md"
}

if [ -n "${LAB_INSTALLED:-}" ]; then
    plan 5
    IFS=: read -r bindir pkgdatadir mandir docdir <<EOF
$LAB_INSTALLED
EOF
    check_installed installed "$bindir" "$pkgdatadir" "$mandir" "$docdir"
    exit 0
fi

here=$(pwd -P)
if [ "$(cd "$top_srcdir" && pwd -P)" != "$here" ]; then
    echo "1..0 # SKIP needs an in-tree build to copy (make installcheck checks the installed lab)"
    exit 0
fi
plan 17

# The sources and the finished build, without runs, logs and git: only what
# embeds the install folders should be rebuilt in the copy.
tree="$scratch/tree"
mkdir "$tree"
tar -C "$here" -cf - --exclude=./runs --exclude=./.git --exclude='./tslab-*' \
    --exclude='./tests/*.log' --exclude='./tests/*.trs' --exclude=./test-suite.log \
    --exclude=./config.cache . | tar -C "$tree" -xf -
ok "a copy of the build tree" test -x "$tree/lab" -a -f "$tree/config.status"

# The same options as this build (say, sanitizers), with another prefix.
options=$(cd "$tree" && ./config.status --config)
install_into() {
    (cd "$tree" && eval "./configure -q -C $options --prefix='$1'" && make -s install) \
        > "$scratch/install.log" 2>&1 || { tail -n 20 "$scratch/install.log" >&2; return 1; }
}
ok "configure --prefix=A && make install" install_into "$scratch/A"
(cd "$scratch/elsewhere" && "$tree/lab" show teacher_student > "$scratch/tree.out" 2>&1)
ok "the uninstalled lab reads its source tree's experiments" \
    grep -q "^# The resolved configuration of $tree/experiments/teacher_student.cfg " \
    "$scratch/tree.out"
ok "configure --prefix=B && make install" install_into "$scratch/B"

# A template planted in the build tree, where anyone who can write there
# could put it: gnuplot's system() would run what it says. Only the lab of
# that tree reads it; an installed lab reads its own templates.
printf '\n# planted\nsystem("touch %s/planted-ran")\n' "$scratch" >> "$tree/plots/error_vs_n.gp"
tiny_run() { # LAB FOLDER FORMAT
    (cd "$scratch/elsewhere" && "$1" run teacher_student.cfg --out "$2" \
         --set student.width=4 --set sweep.n=32,64 --set sweep.seeds=0 --set train.steps=100 \
         --set data.test_size=256 --set fit.per_curve=none --set fit.joint=none \
         --set plot.format="$3" > "$scratch/$2.log" 2>&1)
}
tiny_run "$tree/lab" run-tree none
ok "the build tree's own lab reads the tree's templates" \
    grep -q '^# planted$' "$scratch/elsewhere/run-tree/figures/error_vs_n.gp"
# With gnuplot, the figure is drawn: a planted system() would run.
format=none
command -v "${LAB_GNUPLOT:-gnuplot}" > /dev/null 2>&1 && format=png
tiny_run "$scratch/B/bin/lab" run-planted "$format"
ok "an installed lab ignores the templates of the build tree beside it" \
    sh -c "test -s '$scratch/elsewhere/run-planted/figures/error_vs_n.gp' \
           && ! grep -q planted '$scratch/elsewhere/run-planted/figures/error_vs_n.gp' \
           && test ! -e '$scratch/planted-ran'"
ok "and draws its figures from its own (format $format)" \
    ends_with "$scratch/elsewhere/run-planted/figures/error_vs_n.gp" \
    "$scratch/B/share/tslab/plots/error_vs_n.gp"

# Neither installed lab may lean on the tree.
rm -rf "$tree"

for p in A B; do
    check_installed "$p" "$scratch/$p/bin" "$scratch/$p/share/tslab" "$scratch/$p/share/man" \
        "$scratch/$p/share/doc/tslab"
done
