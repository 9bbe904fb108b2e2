#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Paths and names that a line-oriented file cannot hold as they are (a
# newline, a tab, a carriage return) are refused, naming the option or key
# and the character; a run folder's path may be as long as PATH_MAX, and a
# run in such a folder resumes.
. "${top_srcdir:-.}/tests/lib.sh"
plan 14

tiny="$top_srcdir/tests/data/tiny.cfg"
nl='
'
tab=$(printf '\t')
cr=$(printf '\r')

# refused WANT ARGS...: lab exits 2, says WANT (a fixed string) and makes no folder.
refused() {
    want=$1
    shift
    "$LAB" "$@" > "$scratch/out" 2> "$scratch/err"
    st=$?
    if [ $st -eq 2 ] && grep -qF -- "$want" "$scratch/err" && [ -z "$(ls "$scratch/runs")" ]; then
        return 0
    fi
    echo "exit $st; stderr:" >&2
    cat "$scratch/err" >&2
    return 1
}
mkdir "$scratch/runs"

ok "a newline in --out is refused, naming --out and the newline" \
    refused "lab: --out $scratch/runs/a b: a value cannot hold a newline (\\n), at character" \
    run "$tiny" --out "$scratch/runs/a${nl}b"
ok "a tab in --out is refused" \
    refused "a value cannot hold a tab (\\t)" run "$tiny" --out "$scratch/runs/a${tab}b"
ok "a carriage return in --set output.dir is refused, naming the key" \
    refused ": output.dir: a value cannot hold a carriage return (\\r)" \
    run "$tiny" --set "output.dir=$scratch/runs/a${cr}b"
printf '[experiment]\nname = ctl\n[output]\ndir = %s/runs/a\001b\n' "$scratch" > "$scratch/ctl.cfg"
ok "a control character in a config file's value names file, line and key" \
    refused "lab: $scratch/ctl.cfg:4: output.dir: a value cannot hold a control character (0x01)" \
    run "$scratch/ctl.cfg"
cp "$tiny" "$scratch/t${nl}y.cfg"
ok "a newline in a config file's name is refused" \
    refused "a config file's name cannot hold a newline (\\n), at character" \
    run "$scratch/t${nl}y.cfg" --out "$scratch/runs/ty"

huge=$(printf "%05000d" 0)
ok "--out longer than PATH_MAX is refused, naming --out" \
    refused "characters)...00000000000000000000000000000000000000000000000000: expected at most 4096 characters, got 5000" \
    run "$tiny" --out "$huge"
"$LAB" run "$tiny" --out "$huge" 2> "$scratch/err"
ok "and not --set" sh -c "! grep -q -- '--set' '$scratch/err'"

# A path of about 1400 characters, with blanks, '=', '#' and ';' in it.
long="$scratch/runs/long"
i=0
while [ $i -lt 20 ]; do
    long="$long/part $i=x#y;z-abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
    i=$((i + 1))
done
"$LAB" run "$tiny" --out "$long" > /dev/null 2> "$scratch/long.err"
st=$?
ok "a run folder of ${#long} characters (exit $st)" test $st -eq 0 -a -s "$long/results.tsv"
"$LAB" run "$tiny" --out "$long" > /dev/null 2> "$scratch/long2.err"
st=$?
ok "and its run resumes, keeping every cell (exit $st)" \
    sh -c "test $st -eq 0 && grep -q 'tiny: 12 cells (12 kept, 0 run' '$scratch/long2.err'"
awk 'length($0) > 198 { bad = 1 } END { exit bad }' "$long/config.cfg"
ok "its config.cfg has no line longer than inih reads" test $? -eq 0
"$LAB" show "$long/config.cfg" > "$scratch/long.show" 2>&1
ok "config.cfg loads back" test $? -eq 0
"$LAB" show "$scratch/long.show" > "$scratch/long.show2" 2>&1
ok "and what lab show prints of it loads back the same" \
    sh -c "tail -n +2 '$scratch/long.show' > '$scratch/a' && tail -n +2 '$scratch/long.show2' > '$scratch/b' && cmp -s '$scratch/a' '$scratch/b'"
awk '/^dir = / { on = 1; sub(/^dir = /, ""); s = $0; next }
     on && /^    / { sub(/^    /, ""); s = s $0; next }
     on { print s; exit }' "$scratch/long.show" > "$scratch/long.dir"
printf '%s\n' "$long" > "$scratch/long.want"
ok "the path reads back whole" cmp -s "$scratch/long.dir" "$scratch/long.want"
"$LAB" plot "$long" > /dev/null 2>&1
ok "lab plot works on that folder" test $? -eq 0
