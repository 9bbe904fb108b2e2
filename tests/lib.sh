# SPDX-License-Identifier: GPL-3.0-or-later
# TAP helpers for the shell tests. Source it, call `plan N`, then `ok`.
# Needs $LAB (the lab binary) and $top_srcdir, as set by `make check`.

: "${top_srcdir:=.}"
: "${LAB:=./lab}"
tap_count=0
tap_failed=0

plan() { echo "1..$1"; }

# ok DESCRIPTION COMMAND...: one check, passing when the command succeeds.
ok() {
    desc=$1
    shift
    tap_count=$((tap_count + 1))
    if "$@"; then
        echo "ok $tap_count - $desc"
    else
        echo "not ok $tap_count - $desc"
        tap_failed=$((tap_failed + 1))
    fi
}

diag() { printf '# %s\n' "$*" >&2; }

# todo REASON DESCRIPTION COMMAND...: a check expected to fail until REASON
# is done (TAP's TODO: a pass is reported as unexpected, to be made an ok).
todo() {
    why=$1
    desc=$2
    shift 2
    tap_count=$((tap_count + 1))
    if "$@"; then
        echo "ok $tap_count - $desc # TODO $why"
    else
        echo "not ok $tap_count - $desc # TODO $why"
    fi
}

# strict_tsv FILE...: each file is a plain table that any TSV reader loads
# as it is: a header row first, then rows with as many tab-separated
# fields, every line ended by a newline; no "#" line, blank line, carriage
# return or NUL byte. What is wrong goes to stderr.
strict_tsv() {
    for f in "$@"; do
        if [ ! -s "$f" ] || [ -n "$(tail -c 1 "$f")" ]; then
            echo "$f: empty, or its last line has no newline" >&2
            return 1
        fi
        if ! tr -d '\000\r' < "$f" | cmp -s - "$f"; then
            echo "$f: a NUL byte or a carriage return" >&2
            return 1
        fi
        awk -F '\t' -v f="$f" '
            function bad(why) { print f ":" NR ": " why > "/dev/stderr"; failed = 1; exit }
            /^#/ { bad("a \"#\" line") }
            /^$/ { bad("a blank line") }
            NR == 1 { n = NF; next }
            NF != n { bad(NF " fields where the header row has " n) }
            END { exit failed }' "$f" || return 1
    done
}

# A table without its timing columns (those whose name ends in _s); with
# "rows", without its comment lines too.
without_timings() {
    awk -F '\t' -v rows="${2:-}" '
        /^#/ { if (!rows) print; next }
        !header { for (i = 1; i <= NF; i++) keep[i] = ($i !~ /_s$/); header = 1 }
        { out = ""; for (i = 1; i <= NF; i++) if (keep[i]) out = out $i "\t"; print out }
    ' "$1"
}

# compare_tables A B [rows]: the two tables are the same but for their
# timings (and, with "rows", their comment lines); a diff on stderr if not.
compare_tables() {
    without_timings "$1" "${3:-}" > "$1.cmp"
    without_timings "$2" "${3:-}" > "$2.cmp"
    if cmp -s "$1.cmp" "$2.cmp"; then
        rm -f "$1.cmp" "$2.cmp"
        return 0
    fi
    diff "$1.cmp" "$2.cmp" | head -n 5 >&2
    return 1
}

# same_rows A B: the two tables hold the same rows, timings aside.
same_rows() { compare_tables "$1" "$2" rows; }

# same_file A B: the two tables are the same, comments included, timings aside.
same_file() { compare_tables "$1" "$2"; }

# wait_for SECONDS COMMAND...: poll every 0.1 s until the command succeeds;
# fails once SECONDS have passed.
wait_for() {
    _wf_deadline=$(($(date +%s) + $1))
    shift
    while ! "$@"; do
        [ "$(date +%s)" -ge $_wf_deadline ] && return 1
        sleep 0.1
    done
}

# A scratch folder for this test, removed at exit.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/lab-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
