#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fitting speed and quality: `lab fit` against SciPy's curve_fit from the same starts.

For each data set and form, `lab fit` runs as a user runs it (its grid of starts,
amplitudes solved at each, the best starts refined) and saves the starts it refined
(--save-starts). SciPy's curve_fit then refines the same starts on the same points
and objective (log residuals, as Caballero et al.'s code fits BNSL; Huber with
f_scale = delta for Chinchilla), with the same sign constraints as bounds.
Reported: the lab's refinement time (diagnostics.tsv, refine_s) against the time of
the curve_fit calls, their ratio (the same work), and for context the lab's grid
time and the wall time of the whole `lab fit` process; both final objectives are
computed by the same function here. Targets: ratio >= 10, and the lab's objective
never worse than SciPy's.

Usage: bench/fit_vs_scipy.py [--lab PATH] [--data DIR] [--runs DIR]   (or: make bench-fit)
Needs Debian's python3-scipy; run with /usr/bin/python3.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

try:
    import scipy
    from scipy.optimize import curve_fit
except ImportError:
    sys.exit("bench: SciPy is missing; on Debian: apt-get install python3-scipy")

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- the forms, as a SciPy user writes them (log-space where it avoids overflow) ----


def log_hestness(x, alpha, beta, gamma):
    return np.log(alpha * x[0] ** beta + gamma)


def log_bnsl1(x, a, b, c0, c1, d1, f1):
    lx = np.log(x[0])
    lg = -c0 * lx - c1 * f1 * np.logaddexp(0.0, (lx - np.log(d1)) / f1)
    return np.log(a + b * np.exp(lg))


def log_chinchilla(x, E, A, B, alpha, beta):
    return np.log(E + A * x[0] ** -alpha + B * x[1] ** -beta)


def log_kaplan(x, Nc, Dc, aN, aD):
    return aD * np.log((Nc / x[0]) ** (aN / aD) + Dc / x[1])


def log_rosenfeld(x, alpha, b, beta, c_inf, eta):  # a = 1 and eps0 = 1, fixed
    e = x[0] ** -alpha + b * x[1] ** -beta + c_inf
    return np.log(e / np.sqrt(e * e + eta * eta))


INF = np.inf
# model, indices of the lab's parameters that are fitted, bounds from the kinds
FORMS = {
    "hestness": (log_hestness, [0, 1, 2], ([0, -INF, 0], [INF, 0, INF])),
    "bnsl:1": (log_bnsl1, [0, 1, 2, 3, 4, 5], ([0, 0, -INF, -INF, 0, 0], [INF] * 6)),
    "chinchilla": (log_chinchilla, [0, 1, 2, 3, 4], ([0, 0, 0, -INF, -INF], [INF] * 5)),
    "kaplan": (log_kaplan, [0, 1, 2, 3], ([0] * 4, [INF] * 4)),
    "rosenfeld": (log_rosenfeld, [1, 2, 3, 4, 5], ([0] * 5, [INF] * 5)),
}


def objective(model, theta, x, y, huber):
    s = model(x, *theta) - np.log(y)
    if not np.all(np.isfinite(s)):
        return INF
    if huber:
        a = np.abs(s)
        return float(np.sum(np.where(a <= huber, 0.5 * s * s, huber * (a - 0.5 * huber))))
    return float(np.sum(s * s))


def read_table(path):
    with open(path, newline="") as f:
        lines = [l for l in f if not l.startswith("#")]
    delim = "\t" if "\t" in lines[0] else ","
    return list(csv.DictReader(lines, delimiter=delim))


def run_case(lab, name, table, form, xcols, ycol, extra, group=None, huber=None, repeats=3):
    """Time lab fit and curve_fit on one case; returns a table row."""
    model, free, bounds = FORMS[form]
    with tempfile.TemporaryDirectory() as tmp:
        starts_path = os.path.join(tmp, "starts.tsv")
        cmd = [lab, "fit", table, "--form", form, "--x", ",".join(xcols), "--y", ycol,
               "--format", "none", "--out", tmp, "--force", "--save-starts", starts_path] + extra
        if group:
            cmd += ["--group", group]
        lab_times, refine, grid = [], [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            lab_times.append(time.perf_counter() - t0)
            diag = read_table(os.path.join(tmp, "diagnostics.tsv"))
            refine.append(sum(float(d["refine_s"]) for d in diag))
            grid.append(sum(float(d["grid_s"]) for d in diag))
        fits = read_table(os.path.join(tmp, "fits.tsv"))
        with open(starts_path) as f:
            starts = [l.rstrip("\n").split("\t") for l in f]
    rows = [r for r in read_table(table) if r.get("status", "ok") == "ok"]
    if "--split-col" in extra:  # fit only the rows the lab fits
        col = extra[extra.index("--split-col") + 1]
        rows = [r for r in rows if r[col] == "fit"]
    groups = {}
    for r in rows:
        key = f"{group}={r[group]}" if group else "all"
        groups.setdefault(key, []).append(r)

    scipy_times, lab_obj, sp_obj, nstarts, npoints = [], 0.0, 0.0, 0, 0
    kwargs = {"method": "trf", "bounds": bounds, "max_nfev": 20000}
    if huber:
        kwargs.update(loss="huber", f_scale=huber)
    for _ in range(repeats):
        t_total, lab_obj, sp_obj, nstarts, npoints = 0.0, 0.0, 0.0, 0, 0
        for key, grows in groups.items():
            x = np.array([[float(r[c]) for r in grows] for c in xcols])
            y = np.array([float(r[ycol]) for r in grows])
            theta_lab = [float(r["value"]) for r in fits if r["group"] == key and r["form"] == form]
            lab_obj += objective(model, [theta_lab[i] for i in free], x, y, huber)
            best = INF
            t0 = time.perf_counter()
            for s in starts:
                if s[0] != key:
                    continue
                p0 = [float(s[3 + i]) for i in free]
                # curve_fit needs starts strictly inside the bounds
                p0 = [min(max(v, lo + 1e-12 if lo > -INF else v), hi - 1e-12 if hi < INF else v)
                      for v, lo, hi in zip(p0, bounds[0], bounds[1])]
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        popt, _ = curve_fit(model, x, np.log(y), p0=p0, **kwargs)
                    best = min(best, objective(model, popt, x, y, huber))
                except (RuntimeError, ValueError):
                    pass
                nstarts += 1
            t_total += time.perf_counter() - t0
            sp_obj += best
            npoints += len(y)
        scipy_times.append(t_total)
    lab_t, sp_t, ref_t, grid_t = min(lab_times), min(scipy_times), min(refine), min(grid)
    return (name, form, npoints, nstarts, ref_t * 1e3, sp_t * 1e3, sp_t / ref_t, grid_t * 1e3,
            lab_t * 1e3, lab_obj, sp_obj)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", default=os.path.join(HERE, "..", "lab"))
    ap.add_argument("--data", default=os.environ.get("LAB_SHARED_DATA",
                                                     os.path.join(HERE, "..", "..", "shared", "data")))
    ap.add_argument("--runs", default=os.path.join(HERE, "..", "runs"))
    args = ap.parse_args()

    cases = []
    bnsl = os.path.join(args.data, "bnsl", "four_digit_addition.csv")
    if os.path.exists(bnsl):
        for form in ("bnsl:1", "hestness"):
            cases.append(("4-digit addition", bnsl, form, ["train_dataset_size"],
                          "test_cross_entropy", ["--split-col", "split"], None, None))
    epoch = os.path.join(args.data, "epoch_chinchilla", "svg_extracted_data.csv")
    tmpdir = tempfile.mkdtemp()
    if os.path.exists(epoch):
        # N, D = FLOP / 6N, loss; the 5 highest losses dropped (Besiroglu et al.)
        rows = [(float(r["Model Size"]), float(r["Training FLOP"]) / (6 * float(r["Model Size"])),
                 float(r["loss"])) for r in read_table(epoch)]
        rows = sorted(rows, key=lambda r: r[2])[:-5]
        path = os.path.join(tmpdir, "epoch.tsv")
        with open(path, "w") as f:
            f.write("N\tD\tloss\n" + "".join("%.17g\t%.17g\t%.17g\n" % r for r in rows))
        cases.append(("Chinchilla (Epoch)", path, "chinchilla", ["N", "D"], "loss",
                      ["--loss", "huber:1e-3"], None, 1e-3))
    kyo = os.path.join(args.data, "kyo_takano_chinchilla", "df.csv")
    if os.path.exists(kyo):
        cases.append(("kyo-takano LLM runs", kyo, "kaplan", ["N", "D"], "loss", [], None, None))
    results = os.path.join(args.runs, "teacher_student", "results.tsv")
    if os.path.exists(results):
        cases.append(("teacher_student, per width", results, "hestness", ["n"], "test_error", [],
                      "width", None))
        cases.append(("teacher_student, joint", results, "rosenfeld", ["n", "params"],
                      "test_error", [], None, None))
    if not cases:
        sys.exit("bench: no data (../shared/data or runs/teacher_student); nothing to compare")

    print("# lab fit vs SciPy curve_fit from the same starts (times: best of 3)")
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}; scipy {scipy.__version__}, numpy {np.__version__}; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; one thread each")
    print("# lab_refine_ms and scipy_ms: refining the same starts; lab_grid_ms: the lab's start grid;")
    print("# lab_process_ms: the whole lab fit command (start-up, grid, refinement, outputs)")
    print("case\tform\tpoints\tstarts\tlab_refine_ms\tscipy_ms\tspeedup\tlab_grid_ms\t"
          "lab_process_ms\tlab_objective\tscipy_objective\tmet")
    failed = 0
    for name, table, form, xcols, ycol, extra, group, huber in cases:
        r = run_case(args.lab, name, table, form, xcols, ycol, extra, group, huber)
        met = r[6] >= 10 and r[9] <= r[10] * (1 + 1e-9) + 1e-15
        failed += not met
        print("%s\t%s\t%d\t%d\t%.2f\t%.1f\t%.1f\t%.1f\t%.1f\t%.10g\t%.10g\t%s"
              % (r + ("yes" if met else "NO",)), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
