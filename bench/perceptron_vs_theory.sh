#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The perceptron learners against the lab's exact large-N theory (issue 10):
# run experiments/perceptron.cfg (or CONFIG), join the mean test error per
# (learner, alpha) of its summary.tsv with `lab theory perceptron` at the
# same alpha, and print the relative deviation (sim - theory) / theory with
# the standard error of the mean over seeds, both in %. A row passes when
# the deviation is within TOL % (default 3). Rosenblatt's perceptron has no
# theory and is left out. Not a test: it takes minutes.
#
# Usage: bench/perceptron_vs_theory.sh [LAB] [CONFIG] [OUTDIR] [lab run options...]
#   e.g. bench/perceptron_vs_theory.sh ./lab experiments/perceptron.cfg /tmp/p1000 \
#            --set perceptron.dim=1000 --set sweep.seeds=0..7
# An OUTDIR holding a finished run of the same config is reused (lab run
# resumes). Exit status: 0 every row passes, 1 some row fails, 2 a run or
# the theory failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
lab=${1:-$here/../lab}
cfg=${2:-$here/../experiments/perceptron.cfg}
out=${3:-runs/perceptron_vs_theory}
[ $# -ge 3 ] && shift 3 || shift $#
tol=${TOL:-3}
start=$(date +%s)
"$lab" run "$cfg" --out "$out" -j "${JOBS:-2}" "$@" || exit 2
echo "run: $(( $(date +%s) - start )) s for the cells not kept from an earlier run ($out)"
summary=$out/summary.tsv
alphas=$(awk -F '\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
                      { print $c["alpha"] }' "$summary" | sort -gu | paste -sd, -)
"$lab" theory perceptron --alpha "$alphas" > "$out/theory_bench.tsv" || exit 2
awk -F '\t' -v tol="$tol" '
    FNR == 1 && FILENAME ~ /theory_bench/ { for (i = 1; i <= NF; i++) t[$i] = i; next }
    FILENAME ~ /theory_bench/ { th[$t["learner"] "|" ($t["alpha"] + 0)] = $t["test_error"]; next }
    /^#/ { next }
    !hs { for (i = 1; i <= NF; i++) s[$i] = i; hs = 1; next }
    {
        key = $s["learner"] "|" ($s["alpha"] + 0)
        if (!(key in th)) next
        n = $s["count"]; m = $s["test_error_mean"]; sd = $s["test_error_std"]
        se = n > 1 ? 100 * sd / sqrt(n) / th[key] : 0
        dev = 100 * (m - th[key]) / th[key]
        ok = dev <= tol && dev >= -tol
        fails += !ok
        printf "%-10s %6g %5d %10.5f %10.5f %+7.2f %6.2f  %s\n", $s["learner"], $s["alpha"], n,
               m, th[key], dev, se, ok ? "pass" : "FAIL"
        rows++
    }
    BEGIN { printf "%-10s %6s %5s %10s %10s %7s %6s  %s\n", "learner", "alpha", "seeds",
                   "simulated", "theory", "dev_%", "se_%", "within " tol " %" }
    END {
        printf "%d of %d rows within %g %% of the theory\n", rows - fails, rows, tol
        exit fails > 0
    }' "$out/theory_bench.tsv" "$summary"
