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

Two tables (--table):
  single  one student at a time (make bench).
  packed  S students of one width trained together on one shared batch
          (make bench-packed): PyTorch stacks their weights as (S, in, out)
          tensors and runs each layer as one batched product (baddbmm by
          default; --torch-variants times others and keeps the fastest),
          with one torch.optim.Adam over the stacked tensors, which is S
          independent Adams since Adam is elementwise. The loss is the sum of
          the students' own mean losses, so each gets its own gradient.
          Speed is student-samples per second: S * batch * steps / time.
          The lab's side: its students trained one after another (train-bench:
          student-samples/s equals samples/s when they run in sequence), and,
          when --lab-pack names an executable, its packed path:
            pack-bench S WIDTH DEPTH DIM BATCH STEPS
          training S students of the MLP above together on the same data
          protocol and timing STEPS steps after a warm-up, as train-bench
          does, then printing `student_samples_per_s <value>` (S * BATCH *
          STEPS / time; other words on the line are ignored). Without it that column is left out. The target is the
          issue's: packed lab >= 3x packed PyTorch.

Usage: bench/train_vs_torch.py [--table single|packed|all] [--lab PATH]
                               [--lab-pack PATH] [--repeats N]
                               [--torch-variants LIST]
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

DIM, DEPTH, BATCH, N, LR = 64, 2, 128, 16384, 1e-3
# (width, steps, target ratio lab/torch) from the foundation issue.
CASES = [(8, 4000, 5.0), (64, 2000, 2.0), (512, 300, 1.0)]
# Packed: (width, student-steps per run, lab train-bench steps); a run takes
# S * steps = student-steps, so each S does about the same work (~0.5 s).
PACKED_WIDTHS = [(8, 8192, 4000), (64, 2048, 2000)]
PACKED_S = [16, 64, 256]
PACKED_TARGET = 3.0  # issue 13: packed lab >= 3x packed PyTorch
WARMUP = 20


def torch_data():
    """The inputs and a random tanh teacher's labels, from torch's global seed."""
    torch.manual_seed(2385)
    x = torch.randn(N, DIM, dtype=torch.float64)
    teacher = torch.randn(DIM, DIM, dtype=torch.float64) / DIM ** 0.5
    y = torch.tanh(x @ teacher).sum(1, keepdim=True) / DIM ** 0.5
    return x, y


class Batches:
    """Row indices of mini-batches walking through random permutations, as the lab's trainer does."""

    def __init__(self):
        self.perm, self.pos = torch.randperm(N), 0

    def next(self):
        if self.pos + BATCH > N:
            self.perm, self.pos = torch.randperm(N), 0
        idx = self.perm[self.pos:self.pos + BATCH]
        self.pos += BATCH
        return idx


def timed(step, steps, warmup=WARMUP):
    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return time.perf_counter() - t0


def torch_model(width):
    layers, fan_in = [], DIM
    for _ in range(DEPTH):
        layers += [torch.nn.Linear(fan_in, width), torch.nn.Tanh()]
        fan_in = width
    layers.append(torch.nn.Linear(fan_in, 1))
    return torch.nn.Sequential(*layers).double()


def torch_samples_per_s(width, steps):
    x, y = torch_data()
    model = torch_model(width)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    batches = Batches()

    def step():
        idx = batches.next()
        loss = 0.5 * ((model(x[idx]) - y[idx]) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return steps * BATCH / timed(step, steps)


# ---- packed PyTorch: S students stacked ------------------------------------

def packed_params(s, width):
    """Stacked (weight (S, in, out), bias (S, 1, out)) per layer, drawn as
    torch.nn.Linear draws them: uniform on +-1/sqrt(fan_in)."""
    params, fan_in = [], DIM
    for fan_out in [width] * DEPTH + [1]:
        bound = fan_in ** -0.5
        for shape in ((s, fan_in, fan_out), (s, 1, fan_out)):
            t = torch.empty(shape, dtype=torch.float64).uniform_(-bound, bound)
            params.append(t.requires_grad_())
        fan_in = fan_out
    return params


def packed_forward(params, xb, variant):
    """Outputs (S, batch, 1) of the S students on the shared batch xb (batch, DIM).
    The variants compute the same thing with different torch calls."""
    s, nl = params[0].shape[0], len(params) // 2
    h = xb.expand(s, *xb.shape)
    for l in range(nl):
        w, b = params[2 * l], params[2 * l + 1]
        if variant == "bmm":
            z = torch.bmm(h, w) + b
        elif variant == "baddbmm":
            z = torch.baddbmm(b, h, w)
        elif variant == "einsum":
            z = torch.einsum("sbi,sio->sbo", h, w) + b
        elif variant == "mm1":
            # The first layer of all students as one GEMM: xb . [W_1 ... W_S].
            if l == 0:
                wide = w.permute(1, 0, 2).reshape(DIM, -1)
                z = (xb @ wide).view(xb.shape[0], s, -1).transpose(0, 1) + b
            else:
                z = torch.baddbmm(b, h, w)
        else:
            raise ValueError(f"unknown variant {variant}")
        h = torch.tanh(z) if l < nl - 1 else z
    return h


def packed_loss(params, xb, yb, variant):
    # Sum of each student's own 0.5 * mean squared error: student s's
    # gradient is its single-student gradient.
    return 0.5 * ((packed_forward(params, xb, variant) - yb) ** 2).mean(dim=(1, 2)).sum()


def torch_packed_samples_per_s(s, width, steps, variant):
    x, y = torch_data()
    params = packed_params(s, width)
    opt = torch.optim.Adam(params, lr=LR)
    batches = Batches()

    def step():
        idx = batches.next()
        loss = packed_loss(params, x[idx], y[idx], variant)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    # A shorter warm-up where steps are long (256 students of width 64: ~0.1 s each).
    return s * steps * BATCH / timed(step, steps, max(2, min(WARMUP, steps // 4)))


def check_packed(variants, s=3, width=5, steps=12):
    """The packed trainer must train S independent students: start it from S
    separate torch models' weights, train both on the same batches, and
    compare every parameter. Exits on a mismatch."""
    x, y = torch_data()
    models = [torch_model(width) for _ in range(s)]
    opts = [torch.optim.Adam(m.parameters(), lr=LR) for m in models]
    lins = [[m for m in model if isinstance(m, torch.nn.Linear)] for model in models]

    def stacked():
        out = []
        for l in range(DEPTH + 1):
            out.append(torch.stack([ls[l].weight.detach().t() for ls in lins]))
            out.append(torch.stack([ls[l].bias.detach().view(1, -1) for ls in lins]))
        return out

    start = [t.clone().requires_grad_() for t in stacked()]
    packs = {v: [t.detach().clone().requires_grad_() for t in start] for v in variants}
    popts = {v: torch.optim.Adam(p, lr=LR) for v, p in packs.items()}
    batches = Batches()
    for _ in range(steps):
        idx = batches.next()
        for model, opt in zip(models, opts):
            opt.zero_grad(set_to_none=True)
            (0.5 * ((model(x[idx]) - y[idx]) ** 2).mean()).backward()
            opt.step()
        for v in variants:
            popts[v].zero_grad(set_to_none=True)
            packed_loss(packs[v], x[idx], y[idx], v).backward()
            popts[v].step()
    ref = stacked()
    moved = max((a - b.detach()).abs().max().item() for a, b in zip(ref, start))
    for v in variants:
        diff = max((a - b.detach()).abs().max().item() for a, b in zip(ref, packs[v]))
        # Adam moves each weight by about lr per step; the stacked products
        # sum in another order, so allow rounding, far below one step.
        if not moved > 1e-3 or diff > 1e-12:
            sys.exit(f"bench: packed torch ({v}) differs from {s} separate students by "
                     f"{diff:.3g} after {steps} steps (weights moved {moved:.3g})")
    return moved


# ---- the lab ----------------------------------------------------------------

def lab_samples_per_s(lab, width, steps):
    out = subprocess.run([lab, str(width), str(DEPTH), str(DIM), str(BATCH), str(steps)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[out.index("samples_per_s") + 1])


def lab_packed_samples_per_s(pack, s, width, steps):
    out = subprocess.run([pack, str(s), str(width), str(DEPTH), str(DIM), str(BATCH), str(steps)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[out.index("student_samples_per_s") + 1])


# ---- reports ----------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def torch_blas():
    """The BLAS library torch has loaded (Debian's torch uses the system one)."""
    a = torch.ones(2, 2, dtype=torch.float64)
    a @ a
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower()}
        return os.path.basename(sorted(libs, key=len)[-1]) if libs else "unknown"
    except OSError:
        return "unknown"


def header(title, repeats):
    print(f"# {title}")
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}; cpu: {cpu_model()}; {os.cpu_count()} cores; "
          f"load average {loadavg()} (at start)")
    print(f"# OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; "
          f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}; torch {torch.__version__} with "
          f"{torch.get_num_threads()} thread(s), {torch.get_num_interop_threads()} interop, "
          f"BLAS {torch_blas()}; float64 on both sides")
    print(f"# MLP d={DIM}, depth {DEPTH} (tanh), batch {BATCH}, Adam lr {LR:g}; "
          f"median of {repeats} interleaved runs")


def single_table(args):
    header("lab vs PyTorch: training samples per second (higher is better)", args.repeats)
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
    print(f"# load average {loadavg()} (at end)")
    return failed


def packed_table(args):
    variants = args.torch_variants
    pack = args.lab_pack if args.lab_pack and os.access(args.lab_pack, os.X_OK) else None
    header("many students per step: packed PyTorch vs the lab, student-samples per second "
           "(higher is better)", args.repeats)
    moved = check_packed(variants)
    print(f"# torch packed: stacked weights, {', '.join(variants)} (fastest kept); checked "
          f"equal to separate students (weights moved {moved:.2g}, agree to 1e-12)")
    print("# lab_seq: the lab training the S students one after another (train-bench)")
    if pack:
        print(f"# lab_packed: {args.lab_pack}")
    else:
        print(f"# lab_packed: no packed lab program ({args.lab_pack or 'none given'}); "
              "column left out, target not judged")
    cols = ["S", "width", "steps", "torch_variant", "torch_packed", "lab_seq", "seq_ratio"]
    if pack:
        cols += ["lab_packed", "ratio"]
    cols += ["target", "met"]
    if len(variants) > 1:
        cols += [f"torch_{v}" for v in variants]
    print("\t".join(cols))
    failed = 0
    for width, student_steps, lab_steps in PACKED_WIDTHS:
        for s in PACKED_S:
            steps = max(student_steps // s, 5)
            tor = {v: [] for v in variants}
            seq, packed = [], []
            for _ in range(args.repeats):
                seq.append(lab_samples_per_s(args.lab, width, lab_steps))
                if pack:
                    packed.append(lab_packed_samples_per_s(pack, s, width, steps))
                for v in variants:
                    tor[v].append(torch_packed_samples_per_s(s, width, steps, v))
            best = max(variants, key=lambda v: statistics.median(tor[v]))
            tor_m, seq_m = statistics.median(tor[best]), statistics.median(seq)
            row = [str(s), str(width), str(steps), best, f"{tor_m:.0f}", f"{seq_m:.0f}",
                   f"{seq_m / tor_m:.2f}"]
            if pack:
                ratio = statistics.median(packed) / tor_m
                met = "yes" if ratio >= PACKED_TARGET else "NO"
                failed += met == "NO"
                row += [f"{statistics.median(packed):.0f}", f"{ratio:.2f}"]
            else:
                met = "n/a"
            row += [f">= {PACKED_TARGET:g}", met]
            if len(variants) > 1:
                row += [f"{statistics.median(tor[v]):.0f}" for v in variants]
            print("\t".join(row), flush=True)
    print(f"# load average {loadavg()} (at end)")
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(__file__)
    ap.add_argument("--table", choices=["single", "packed", "all"], default="single")
    ap.add_argument("--lab", default=os.path.join(here, "train-bench"))
    ap.add_argument("--lab-pack", default=os.path.join(here, "pack-bench"),
                    help="the lab's packed bench program; its column is left out when absent")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--torch-variants", default="baddbmm",
                    type=lambda s: [v for v in s.split(",") if v],
                    help="comma-separated packed PyTorch variants to time: bmm, baddbmm, "
                         "einsum, mm1 (first layer as one GEMM); the fastest is reported")
    args = ap.parse_args()
    known = {"bmm", "baddbmm", "einsum", "mm1"}
    if not args.torch_variants or set(args.torch_variants) - known:
        sys.exit(f"bench: --torch-variants takes a list of {', '.join(sorted(known))}")
    if not os.access(args.lab, os.X_OK):
        sys.exit(f"bench: {args.lab} not found; build it with `make bench/train-bench`")
    torch.set_num_threads(1)

    failed = 0
    if args.table in ("single", "all"):
        failed += single_table(args)
    if args.table == "all":
        print()
    if args.table in ("packed", "all"):
        failed += packed_table(args)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
