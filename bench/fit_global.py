#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Does the default BNSL search reach the global optimum? `lab fit` against an exhaustive reference.

For every curve, `lab fit --form bnsl:K` runs as a user runs it (default starts, the
default number refined) on the fitted points, and an independent reference written
here with NumPy and SciPy looks for the optimum of the same objective (sum of squared
log residuals, a >= 0, b, d_k, f_k > 0): a dense grid over the exponents, break
positions and sharpnesses (c0 in [-1, 3] by 0.125; for one break c1 in [-3, 8] by 0.25,
40 positions over the data's log range widened by half of it on each side, 14
sharpnesses from 1e-3 to 10; for two breaks, per break c in [-2, 6] by 1, 10 positions
and 5 sharpnesses), the amplitudes a and b solved at every grid point; then
the best grid point of every cell (slope change by 1, position by a tenth of the range,
sharp, medium or smooth) is polished by SciPy's least_squares, briefly, and the best 8
of those at length; synthetic curves also start at the parameters they were built
from. Both parameter sets are scored by the same function here. Printed per curve: the
points fitted and held out, both objectives, their ratio (lab / reference; the target
is <= 1.001), both held-out RMSLEs, the spread of the lab's near-optimal fits at the
largest x (its diagnostics.tsv near_spread: log of the highest over the lowest
prediction) and the times; then the mean and median held-out RMSLE of each. Where the
best fits form a continuum (a break beyond the data, a step), equal objectives can
extrapolate very differently: near_spread says so.

Curves (read from ../shared/data, never copied into the project; missing files are
skipped with a note), the held-out points being the largest x of each:
  bnsl/4-digit addition      test cross-entropy against training-set size; the file's
                             split column (14 fitted, 3 held out)
  lcdb11 covertype, CIFAR-10 each learner's mean test error rate against training-set
                             size (missing anchors and zero errors left out); the
                             largest 20% of sizes held out
  epoch / kyo-takano         the lower envelope of the Chinchilla runs' loss against
  chinchilla                 training compute C = 6 N D: the smallest loss in each
                             0.1-decade bin of C; the largest 20% held out
  synthetic                  curves built from known BNSL parameters with negative
                             slope changes c1, sharp late breaks and flat directions,
                             times 0.2% log-normal noise (fixed seed); 20% held out

Usage: bench/fit_global.py [--lab PATH] [--data DIR] [--form bnsl:0|bnsl:1|bnsl:2]
           [--sets bnsl,lcdb,chinchilla,synthetic] [--only TEXT] [--cache FILE]
The reference takes minutes per curve (--cache keeps its optima between runs). Needs
Debian's python3-scipy; run with /usr/bin/python3.
"""
import argparse
import csv
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

try:
    from scipy.optimize import least_squares
except ImportError:
    sys.exit("bench: SciPy is missing; on Debian: apt-get install python3-scipy")

HERE = os.path.dirname(os.path.abspath(__file__))
HOLDOUT = 0.2

# ---- the form --------------------------------------------------------------------------


def log_bnsl(theta, lx, K):
    """log y of BNSL with K breaks at log x; theta = a b c0 (c d f)*K."""
    a, b, c0 = theta[0], theta[1], theta[2]
    lg = -c0 * lx
    for k in range(K):
        c, d, f = theta[3 + 3 * k: 6 + 3 * k]
        lg = lg - c * f * np.logaddexp(0.0, (lx - np.log(d)) / f)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return np.log(a + b * np.exp(lg))


def objective(theta, lx, ly, K):
    s = log_bnsl(np.asarray(theta, float), lx, K) - ly
    return float(np.sum(s * s)) if np.all(np.isfinite(s)) else math.inf


def rmsle(theta, lx, ly, K):
    if len(lx) == 0:
        return math.nan
    return math.sqrt(objective(theta, lx, ly, K) / len(lx))


# ---- curves ----------------------------------------------------------------------------


def split_largest(x, frac=HOLDOUT):
    """Hold out the largest frac of the distinct x (as lab's --holdout)."""
    vals = sorted(set(x))
    out = min(max(1, round(frac * len(vals))), len(vals) - 1)
    cut = vals[len(vals) - out]
    return ["holdout" if v >= cut else "fit" for v in x]


def curves_bnsl(data):
    path = os.path.join(data, "bnsl", "four_digit_addition.csv")
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [("4-digit-addition", [float(r["train_dataset_size"]) for r in rows],
             [float(r["test_cross_entropy"]) for r in rows], [r["split"] for r in rows])]


def curves_lcdb(data):
    out = []
    meta_path = os.path.join(data, "lcdb11", "meta.json")
    if not os.path.exists(meta_path):
        return out
    with open(meta_path) as f:
        meta = json.load(f)
    for name in ("er_180_covertype.json", "er_40927_CIFAR_10.json"):
        path = os.path.join(data, "lcdb11", name)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            er = json.load(f)  # (learner, stat, anchor, train-val-test)
        ds = name.split("_", 2)[2][:-5]
        for li, learner in enumerate(meta["learners"]):
            x, y = [], []
            for k, n in enumerate(meta["anchors"]):
                cell = er[li][0][k]
                v = cell[2] if isinstance(cell, list) else None
                if v is not None and v > 0:
                    x.append(float(n))
                    y.append(float(v))
            if len(x) >= 10:
                out.append((f"lcdb-{ds}-{learner.replace(' ', '_')}", x, y, split_largest(x)))
    return out


def envelope(C, loss):
    """Smallest loss in each 0.1-decade bin of compute."""
    best = {}
    for c, l in zip(C, loss):
        b = math.floor(math.log10(c) * 10)
        if b not in best or l < best[b][1]:
            best[b] = (c, l)
    pts = sorted(best.values())
    return [p[0] for p in pts], [p[1] for p in pts]


def curves_chinchilla(data):
    out = []
    for name, path, cols in (
            ("chinchilla-epoch-envelope", ("epoch_chinchilla", "svg_extracted_data.csv"),
             ("Training FLOP", "loss")),
            ("chinchilla-kyo-envelope", ("kyo_takano_chinchilla", "df.csv"), ("C", "loss"))):
        path = os.path.join(data, *path)
        if not os.path.exists(path):
            continue
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        x, y = envelope([float(r[cols[0]]) for r in rows], [float(r[cols[1]]) for r in rows])
        out.append((name, x, y, split_largest(x)))
    return out


# name, theta (a b c0 c1 d1 f1 ...), x range, points
SYNTHETIC = [
    ("syn-negative-c1", [0.0, 3.0, 0.9, -0.5, 3e3, 0.3], (10, 1e6), 30),
    ("syn-negative-c1-sharp", [0.02, 2.0, 0.6, -0.45, 2e4, 0.05], (10, 1e6), 30),
    ("syn-sharp-late-break", [0.0, 1.5, 0.15, 1.2, 4e4, 0.02], (10, 1e5), 30),
    ("syn-late-break-floor", [0.05, 4.0, 0.3, 2.5, 2e5, 0.1], (1e2, 1e6), 25),
    ("syn-flat-beyond-data", [0.0, 2.0, 0.4, 1.0, 1e9, 0.5], (10, 1e5), 20),
    ("syn-flat-smooth", [0.1, 1.0, 0.2, 0.3, 1e3, 3.0], (10, 1e6), 20),
    ("syn-early-break-neg-c0", [0.3, 0.05, -0.2, 1.0, 30, 0.2], (10, 1e5), 25),
    ("syn-negative-c1-sharp-late", [0.0, 2.0, 0.8, -0.6, 5e4, 0.01], (10, 1e5), 30),
]


def curves_synthetic():
    rng = np.random.default_rng(20240607)
    out = []
    for name, theta, (lo, hi), n in SYNTHETIC:
        x = np.exp(np.linspace(math.log(lo), math.log(hi), n))
        ly = log_bnsl(np.array(theta), np.log(x), (len(theta) - 3) // 3)
        y = np.exp(ly + 0.002 * rng.standard_normal(n))
        out.append((name, list(x), list(y), split_largest(list(x))))
    return out


# ---- the lab -----------------------------------------------------------------------------


def run_lab(lab, curves, form, tmp):
    table = os.path.join(tmp, "curves.tsv")
    with open(table, "w") as f:
        f.write("curve\tx\ty\tsplit\n")
        for name, x, y, split in curves:
            for xi, yi, si in zip(x, y, split):
                f.write(f"{name}\t{xi:.17g}\t{yi:.17g}\t{si}\n")
    out = os.path.join(tmp, "fit")
    cmd = [lab, "fit", table, "--form", form, "--x", "x", "--y", "y", "--group", "curve",
           "--split-col", "split", "--format", "none", "--out", out]
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True)
    wall = time.perf_counter() - t0
    theta, secs, spread = {}, {}, {}
    with open(os.path.join(out, "fits.tsv"), newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            theta.setdefault(r["group"].split("=", 1)[1], []).append(float(r["value"]))
    with open(os.path.join(out, "diagnostics.tsv"), newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            name = r["group"].split("=", 1)[1]
            secs[name] = float(r["grid_s"]) + float(r["refine_s"])
            spread[name] = float(r.get("near_spread", "nan"))  # older labs lack it
    return theta, secs, spread, wall


# ---- the reference ------------------------------------------------------------------------


def amplitudes(S, y):
    """a >= 0, b > 0 minimising sum ((a + b S - y) / y)^2 for each row of S (m, n)."""
    w = 1.0 / y
    u, v = w, S * w  # columns of the weighted design
    uu, uv, vv = np.sum(u * u), np.sum(u * v, axis=1), np.sum(v * v, axis=1)
    uy, vy = np.sum(u * y * w), np.sum(v * (y * w), axis=1)
    det = uu * vv - uv * uv
    with np.errstate(divide="ignore", invalid="ignore"):
        a = (vv * uy - uv * vy) / det
        b = (uu * vy - uv * uy) / det
        b0 = vy / vv  # with a held at 0
    neg = ~(a >= 0) | ~np.isfinite(a)
    a = np.where(neg, 0.0, a)
    b = np.where(neg, b0, b)
    return a, b


def reference_grid(lx, ly, K):
    """The grid, for K = 0, 1 or 2: each row a b c0 (c d f)*K."""
    lo, hi = lx.min(), lx.max()
    c0 = np.linspace(-1.0, 3.0, 33)
    if K == 0:
        return [np.column_stack([np.zeros_like(c0), np.zeros_like(c0), c0])]
    c = np.linspace(-3.0, 8.0, 45) if K == 1 else np.linspace(-2.0, 6.0, 9)
    ld = np.linspace(lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo), 40 if K == 1 else 10)
    lf = np.linspace(math.log(1e-3), math.log(10.0), 14 if K == 1 else 5)
    axes = [c0] + [c, ld, lf] * K
    mesh = np.meshgrid(*axes, indexing="ij")
    cols = [m.ravel() for m in mesh]
    keep = np.ones(cols[0].shape, bool)
    for k in range(1, K):  # breaks in increasing order
        keep &= cols[2 + 3 * k] > cols[2 + 3 * (k - 1)]
    cols = [v[keep] for v in cols]
    rows = [np.zeros_like(cols[0]), np.zeros_like(cols[0]), cols[0]]
    for k in range(K):
        rows += [cols[1 + 3 * k], np.exp(cols[2 + 3 * k]), np.exp(cols[3 + 3 * k])]
    G = np.column_stack(rows)
    return [G[i:i + 20000] for i in range(0, len(G), 20000)]


def cells(G, K, lo, hi):
    """A cell per grid row: slope change c in steps of 1, break position in tenths of
    the data's log range, sharpness sharp (f < 0.03), medium or smooth (f > 0.5)."""
    cell = np.zeros(len(G), np.int64)
    for k in range(K):
        c, d, f = G[:, 3 + 3 * k], G[:, 4 + 3 * k], G[:, 5 + 3 * k]
        ci = np.floor(c).astype(np.int64) + 4
        di = np.clip(np.floor((np.log(d) - lo) / (hi - lo) * 10).astype(np.int64) + 6, 0, 21)
        fi = np.where(f < 0.03, 0, np.where(f > 0.5, 2, 1))
        cell = cell * 2000 + (ci * 22 + di) * 3 + fi
    return cell


def reference(lx, ly, K, extra=(), maxpolish=300):
    """The best of: every grid row's amplitudes solved, then the best row of every cell
    polished (the best maxpolish cells by their grid objective), and the extra starts."""
    y = np.exp(ly)
    objs, rows = [], []
    for G in reference_grid(lx, ly, K):
        lg = -G[:, 2:3] * lx[None, :]
        for k in range(K):
            c, d, f = G[:, 3 + 3 * k, None], G[:, 4 + 3 * k, None], G[:, 5 + 3 * k, None]
            lg = lg - c * f * np.logaddexp(0.0, (lx[None, :] - np.log(d)) / f)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            S = np.exp(lg)
            a, b = amplitudes(S, y)
            s = np.log(a[:, None] + b[:, None] * S) - ly[None, :]
            obj = np.sum(s * s, axis=1)
        obj[~np.isfinite(obj) | ~(b > 0)] = np.inf
        G[:, 0], G[:, 1] = a, b
        objs.append(obj)
        rows.append(G)
    obj, G = np.concatenate(objs), np.concatenate(rows)
    order = np.argsort(obj, kind="stable")
    order = order[np.isfinite(obj[order])]
    _, first = np.unique(cells(G[order], K, lx.min(), lx.max()), return_index=True)
    starts = [G[i] for i in order[np.sort(first)][:maxpolish]] + [np.asarray(t) for t in extra]
    # A short polish of every start, then a long one of the best few.
    done = []
    for th in starts:
        th = polish(th, lx, ly, K, 100)
        done.append((objective(th, lx, ly, K), list(th)))
    done.sort(key=lambda t: t[0])
    top, top_theta = obj[order[0]], G[order[0]]
    for _, th in done[:8]:
        th = polish(np.array(th), lx, ly, K, 3000)
        o = objective(th, lx, ly, K)
        if o < top:
            top, top_theta = o, th
    return top, top_theta


def polish(theta, lx, ly, K, evals):
    """least_squares on u = (a, log b, c0, (c, log d, log f)*K), a >= 0, with the
    analytic Jacobian of the log residuals."""
    def to_u(t):
        u = [max(t[0], 0.0), math.log(t[1]), t[2]]
        for k in range(K):
            u += [t[3 + 3 * k], math.log(t[4 + 3 * k]), math.log(t[5 + 3 * k])]
        return np.array(u)

    def to_theta(u):
        t = [u[0], math.exp(u[1]), u[2]]
        for k in range(K):
            t += [u[3 + 3 * k], math.exp(u[4 + 3 * k]), math.exp(u[5 + 3 * k])]
        return np.array(t)

    def res(u):
        s = log_bnsl(to_theta(u), lx, K) - ly
        return np.where(np.isfinite(s), s, 1e3)

    def jac(u):
        t = to_theta(u)
        lg = -t[2] * lx
        parts = []
        for k in range(K):
            c, d, f = t[3 + 3 * k: 6 + 3 * k]
            z = (lx - math.log(d)) / f
            sp, sg = np.logaddexp(0.0, z), 0.5 * (1.0 + np.tanh(0.5 * z))
            lg = lg - c * f * sp
            parts += [-f * sp, c * sg, -c * f * (sp - z * sg)]
        with np.errstate(over="ignore", invalid="ignore"):
            bg = t[1] * np.exp(lg)
            fx = t[0] + bg
            w = bg / fx
        cols = [1.0 / fx, w, -lx * w] + [p * w for p in parts]
        J = np.column_stack(cols)
        return np.where(np.isfinite(J), J, 0.0)

    lo = [0.0] + [-np.inf] * (2 + 3 * K)
    hi = [np.inf] * (3 + 3 * K)
    for k in range(K):  # sharpness: below 1e-6 softplus is a kink on any data
        lo[5 + 3 * k], hi[5 + 3 * k] = math.log(1e-6), math.log(1e3)
    u0 = np.clip(to_u(theta), np.array(lo) + 1e-12, np.array(hi) - 1e-12)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = least_squares(res, u0, jac=jac, bounds=(lo, hi), method="trf", xtol=1e-15,
                              ftol=1e-15, gtol=1e-15, max_nfev=evals)
        return to_theta(r.x)
    except (ValueError, OverflowError):
        return np.asarray(theta)


# ---- main ---------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", default=os.path.join(HERE, "..", "lab"))
    ap.add_argument("--data", default=os.environ.get("LAB_SHARED_DATA",
                                                     os.path.join(HERE, "..", "..", "shared", "data")))
    ap.add_argument("--form", default="bnsl:1", help="bnsl:0, bnsl:1 or bnsl:2")
    ap.add_argument("--only", default="", help="only curves whose name contains this")
    ap.add_argument("--sets", default="bnsl,lcdb,chinchilla,synthetic",
                    help="which sets of curves (comma-separated)")
    ap.add_argument("--cache", help="JSON file keeping the reference optima between runs")
    args = ap.parse_args()
    cache = {}
    if args.cache and os.path.exists(args.cache):
        with open(args.cache) as f:
            cache = json.load(f)
    K = int(args.form.split(":")[1]) if ":" in args.form else 1
    if K > 2:
        sys.exit("bench: the reference grid covers bnsl:0, bnsl:1 and bnsl:2")
    if not os.path.isdir(args.data):
        print(f"# {args.data} not found: synthetic curves only")
    sets = {"bnsl": lambda: curves_bnsl(args.data), "lcdb": lambda: curves_lcdb(args.data),
            "chinchilla": lambda: curves_chinchilla(args.data), "synthetic": curves_synthetic}
    curves = [c for name in args.sets.split(",") for c in sets[name]()]
    curves = [c for c in curves if args.only in c[0]]
    with tempfile.TemporaryDirectory() as tmp:
        theta, secs, spread, wall = run_lab(args.lab, curves, args.form, tmp)
    print(f"# {args.form}: lab fit (default search) against a dense grid with a polish; "
          f"objective = sum of squared log residuals on the fitted points")
    print("curve\tn_fit\tn_held\tlab_objective\tref_objective\tratio\tlab_held_rmsle\t"
          "ref_held_rmsle\tlab_near_spread\tlab_s\tref_s\tmet")
    failed, held_lab, held_ref = 0, [], []
    for name, x, y, split in curves:
        lx, ly = np.log(np.array(x)), np.log(np.array(y))
        fit = np.array([s == "fit" for s in split])
        key = hashlib.sha1(repr((K, name, x, y, split)).encode()).hexdigest()
        t0 = time.perf_counter()
        if key in cache:
            ref_obj, ref_theta = cache[key]
        else:
            truth = [t for n, t, _, _ in SYNTHETIC if n == name and len(t) == 3 + 3 * K]
            ref_obj, ref_theta = reference(lx[fit], ly[fit], K, truth)
            cache[key] = (float(ref_obj), [float(v) for v in ref_theta])
            if args.cache:
                with open(args.cache, "w") as f:
                    json.dump(cache, f)
        ref_s = time.perf_counter() - t0
        th = theta.get(name)
        lab_obj = objective(th, lx[fit], ly[fit], K) if th else math.inf
        ratio = lab_obj / ref_obj if ref_obj > 0 else (1.0 if lab_obj == 0 else math.inf)
        met = ratio <= 1.001
        failed += not met
        hl = rmsle(th, lx[~fit], ly[~fit], K) if th else math.nan
        hr = rmsle(ref_theta, lx[~fit], ly[~fit], K)
        held_lab.append(hl)
        held_ref.append(hr)
        print(f"{name}\t{fit.sum()}\t{(~fit).sum()}\t{lab_obj:.6g}\t{ref_obj:.6g}\t{ratio:.6f}\t"
              f"{hl:.4g}\t{hr:.4g}\t{spread.get(name, math.nan):.3g}\t"
              f"{secs.get(name, math.nan):.3f}\t{ref_s:.1f}\t"
              f"{'yes' if met else 'NO'}", flush=True)
    print(f"# held-out RMSLE, mean (median): lab {np.nanmean(held_lab):.4g} "
          f"({np.nanmedian(held_lab):.4g}), reference {np.nanmean(held_ref):.4g} "
          f"({np.nanmedian(held_ref):.4g}); curves {len(curves)}, missed {failed}; "
          f"lab fit time {sum(secs.values()):.2f} s in all ({wall:.2f} s wall)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
