#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The Slurm job array against a real Slurm: a private slurmctld and slurmd
# on localhost (tests/slurm-local.sh) run slurm/lab-array.sbatch as 3 array
# tasks, and the table the last task merges equals `lab run -j 2`'s. Skipped,
# with the reason, where the daemons cannot start (no slurm-wlm, not root).
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/slurm-local.sh"

# The tasks run in another folder: absolute paths.
top=$(cd "$top_srcdir" && pwd)
tiny="$top/tests/data/tiny.cfg"
axes="--set sweep.train.lr=0.003,0.03 --set sweep.teacher.input_dim=4..8x2"
mkdir -p "$scratch/slurm"
trap 'slurm_local_stop; rm -rf "$scratch"' EXIT
if ! slurm_local_start "$scratch/slurm"; then
    echo "1..0 # SKIP $slurm_local_why"
    exit 0
fi
plan 4

"$LAB" run "$tiny" $axes --out "$scratch/one" -j 2 2>/dev/null
# The tasks run in the submit folder; the run folder is absolute.
(cd "$scratch" && LAB="$LAB" sbatch --wait --array=0-2 --output="$scratch/task-%a.out" \
    "$top/slurm/lab-array.sbatch" "$tiny" $axes --out "$scratch/array" \
    > "$scratch/sbatch.out" 2>&1)
st=$?
[ $st -eq 0 ] || diag "sbatch: $(cat "$scratch/sbatch.out")"
ok "sbatch --array=0-2 runs the three shards (exit $st)" \
    sh -c "test $st -eq 0 && test -f '$scratch/array/shards/1-of-3.tsv' && test -f '$scratch/array/shards/2-of-3.tsv' && test -f '$scratch/array/shards/3-of-3.tsv'"
ok "each task ran its own shard" \
    sh -c "grep -q 'shard 1/3' '$scratch/task-0.out' && grep -q 'shard 2/3' '$scratch/task-1.out' && grep -q 'shard 3/3' '$scratch/task-2.out'"
ok "the last task to finish merged them into results.tsv" \
    test -f "$scratch/array/results.tsv"
ok "which equals lab run -j 2's table, bit for bit outside the timings" \
    same_rows "$scratch/one/results.tsv" "$scratch/array/results.tsv"
for f in "$scratch"/task-*.out; do
    diag "$(basename "$f"): $(tail -n 3 "$f" | tr '\n' ' ')"
done
