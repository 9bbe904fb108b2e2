#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Training speed: the lab against PyTorch on CPU, on identical work.

Both train the same MLP (d=64 inputs, 2 hidden tanh layers of width W, one
linear output) in float64 with Adam (lr 1e-3) on mini-batches of 128 rows
drawn from 16384 Gaussian inputs, for the same number of steps; each step
gathers the batch, runs forward and backward and updates the parameters.
PyTorch runs single-threaded (torch.set_num_threads(1)); the lab's step is
lab_trainer_step() in bench/train-bench. Runs are interleaved (lab, torch,
lab, torch, ...) and the median of the repeats is reported.

Usage: bench/train_vs_torch.py [--lab PATH] [--repeats N]   (or: make bench)
Needs Debian's python3-torch; run with /usr/bin/python3.
"""
import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

# One BLAS thread for both sides, set before torch loads its BLAS.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"

try:
    import torch
except ImportError:
    sys.exit("bench: PyTorch is missing; on Debian: apt-get install python3-torch")

DIM, DEPTH, BATCH, N = 64, 2, 128, 16384
# (width, steps, target ratio lab/torch) from the foundation issue.
CASES = [(8, 4000, 5.0), (64, 2000, 2.0), (512, 300, 1.0)]


def torch_samples_per_s(width, steps):
    torch.manual_seed(2385)
    x = torch.randn(N, DIM, dtype=torch.float64)
    teacher = torch.randn(DIM, DIM, dtype=torch.float64) / DIM ** 0.5
    y = torch.tanh(x @ teacher).sum(1, keepdim=True) / DIM ** 0.5
    layers, fan_in = [], DIM
    for _ in range(DEPTH):
        layers += [torch.nn.Linear(fan_in, width), torch.nn.Tanh()]
        fan_in = width
    layers.append(torch.nn.Linear(fan_in, 1))
    model = torch.nn.Sequential(*layers).double()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    state = {"perm": torch.randperm(N), "pos": 0}

    def step():
        # Walk through random permutations, as the lab's trainer does.
        if state["pos"] + BATCH > N:
            state["perm"], state["pos"] = torch.randperm(N), 0
        idx = state["perm"][state["pos"]:state["pos"] + BATCH]
        state["pos"] += BATCH
        loss = 0.5 * ((model(x[idx]) - y[idx]) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(20):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return steps * BATCH / (time.perf_counter() - t0)


def lab_samples_per_s(lab, width, steps):
    out = subprocess.run([lab, str(width), str(DEPTH), str(DIM), str(BATCH), str(steps)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[out.index("samples_per_s") + 1])


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", default=os.path.join(os.path.dirname(__file__), "train-bench"))
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    if not os.access(args.lab, os.X_OK):
        sys.exit(f"bench: {args.lab} not found; build it with `make bench/train-bench`")
    torch.set_num_threads(1)

    print("# lab vs PyTorch: training samples per second (higher is better)")
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}; cpu: {cpu_model()}; {os.cpu_count()} cores")
    print(f"# OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
          f"OPENBLAS_NUM_THREADS=1; torch {torch.__version__} with "
          f"{torch.get_num_threads()} thread(s); float64 on both sides")
    print(f"# MLP d={DIM}, depth {DEPTH} (tanh), batch {BATCH}, Adam lr 1e-3; "
          f"median of {args.repeats} interleaved runs")
    print("width\tsteps\tlab_samples_per_s\ttorch_samples_per_s\tratio\ttarget\tmet")
    failed = 0
    for width, steps, target in CASES:
        lab, tor = [], []
        for _ in range(args.repeats):
            lab.append(lab_samples_per_s(args.lab, width, steps))
            tor.append(torch_samples_per_s(width, steps))
        lab_m, tor_m = statistics.median(lab), statistics.median(tor)
        ratio = lab_m / tor_m
        met = ratio >= target
        failed += not met
        print(f"{width}\t{steps}\t{lab_m:.0f}\t{tor_m:.0f}\t{ratio:.2f}\t>= {target:g}\t"
              f"{'yes' if met else 'NO'}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
