#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Do a run folder's tables load, as they are, in the tools researchers use?

Every *.tsv of the folder and of its shards/ is loaded with pandas exactly as a
user would, pd.read_csv(path, sep="\\t"), and checked: as many rows as the file
has lines after its header, as many columns as the header names, no column
pandas had to invent ("Unnamed: ..."), and the axes' columns of results.tsv
numeric where provenance.json says their values are numbers. Each provenance
file (*.json) must load with json.load. Where they are installed, R's
read.delim (Rscript) and gnuplot's stats (the first column) load each table too.
Prints a line per file and tool, and exits 1 when any failed.

Usage: bench/load_tables.py RUNDIR...
       bench/load_tables.py --lab ./lab [--config tests/data/tiny.cfg]
           (runs the config, in one process and in 3 shards, into a temporary
            folder, then checks it; or: make bench-tables)
Needs Debian's python3-pandas; run with /usr/bin/python3.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import pandas as pd
except ImportError:
    sys.exit("bench: pandas is missing; on Debian: apt-get install python3-pandas")

HERE = os.path.dirname(os.path.abspath(__file__))


def data_lines(path):
    """The lines of a file after its first, as a strict reader counts them."""
    with open(path, "rb") as f:
        return max(f.read().count(b"\n") - 1, 0)


def header_fields(path):
    with open(path, "rb") as f:
        return f.readline().rstrip(b"\r\n").split(b"\t")


def with_pandas(path, prov):
    frame = pd.read_csv(path, sep="\t")
    problems = []
    if len(frame) != data_lines(path):
        problems.append(f"{len(frame)} rows where the file has {data_lines(path)} lines after its header")
    if len(frame.columns) != len(header_fields(path)):
        problems.append(f"{len(frame.columns)} columns where the header names {len(header_fields(path))}")
    invented = [c for c in frame.columns if str(c).startswith("Unnamed:")]
    if invented:
        problems.append("columns pandas had to name: " + ", ".join(invented))
    in_shards = os.path.basename(os.path.dirname(path)) == "shards"
    if prov and (os.path.basename(path) == "results.tsv" or in_shards):
        for axis in prov.get("axes", []):
            numeric = all(is_number(v) for v in axis["values"])
            column = axis["column"]
            if column not in frame.columns:
                problems.append(f"no column {column}")
            elif numeric and not pd.api.types.is_numeric_dtype(frame[column]):
                problems.append(f"column {column} is not numeric")
    return f"{len(frame)} rows x {len(frame.columns)} columns", problems


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def with_r(path):
    script = ("t <- read.delim(commandArgs(TRUE)[1], check.names = FALSE); "
              "cat(nrow(t), ncol(t))")
    out = subprocess.run(["Rscript", "-e", script, path], capture_output=True, text=True)
    if out.returncode != 0:
        lines = out.stderr.splitlines()
        at = next((i for i, l in enumerate(lines) if l.startswith("Error")), None)
        return None, [" ".join(l.strip() for l in lines[at:at + 2]) if at is not None
                      else "failed"]
    rows, cols = (int(x) for x in out.stdout.split())
    problems = []
    if rows != data_lines(path):
        problems.append(f"{rows} rows where the file has {data_lines(path)}")
    if cols != len(header_fields(path)):
        problems.append(f"{cols} columns where the header names {len(header_fields(path))}")
    return f"{rows} rows x {cols} columns", problems


def with_gnuplot(path):
    # The first column, with the header row as column titles; every other
    # line must be a record (gnuplot would skip "#" lines silently, so the
    # count is what shows them). A table of no rows has nothing to count.
    if data_lines(path) == 0:
        return "no rows", []
    script = ("set datafile separator tab; set datafile columnheaders; "
              f"stats '{path}' using 0 nooutput; print STATS_records")
    out = subprocess.run(["gnuplot", "-e", script], capture_output=True, text=True)
    text = (out.stdout + out.stderr).strip()
    if out.returncode != 0 or not text.splitlines():
        return None, [text.splitlines()[-1] if text else "failed"]
    records = int(float(text.splitlines()[-1]))
    problems = [] if records == data_lines(path) else [
        f"{records} records where the file has {data_lines(path)} lines after its header"]
    return f"{records} records", problems


def check_folder(rundir):
    tables = sorted(glob.glob(os.path.join(rundir, "*.tsv"))
                    + glob.glob(os.path.join(rundir, "shards", "*.tsv")))
    jsons = sorted(glob.glob(os.path.join(rundir, "*.json"))
                   + glob.glob(os.path.join(rundir, "shards", "*.json")))
    failed = 0
    prov = None
    for path in jsons:
        try:
            with open(path) as f:
                doc = json.load(f)
            if os.path.basename(path) == "provenance.json":
                prov = doc
            print(f"ok      json     {path}")
        except (OSError, ValueError) as e:
            failed += 1
            print(f"FAILED  json     {path}: {e}")
    if not tables:
        print(f"FAILED  {rundir}: no tables")
        return 1
    tools = [("pandas", lambda p: with_pandas(p, prov))]
    if shutil.which("Rscript"):
        tools.append(("R", with_r))
    elif not check_folder.told:
        check_folder.told = True
        print("note: Rscript not found; R's read.delim not tried (Debian: r-base-core)")
    if shutil.which("gnuplot"):
        tools.append(("gnuplot", with_gnuplot))
    for path in tables:
        for name, load in tools:
            try:
                shape, problems = load(path)
            except Exception as e:  # a loader's own error is the finding
                first = str(e).strip().splitlines()
                shape, problems = None, [f"{type(e).__name__}: {first[0] if first else ''}"]
            if problems:
                failed += 1
                print(f"FAILED  {name:8} {path}: {'; '.join(problems)}")
            else:
                print(f"ok      {name:8} {path}: {shape}")
    return failed


check_folder.told = False


def run_lab(lab, config):
    """A one-process run and a 3-shard run of config, in a temporary folder."""
    top = tempfile.mkdtemp(prefix="lab-tables.")
    one, shards = os.path.join(top, "one"), os.path.join(top, "sharded")
    subprocess.run([lab, "run", config, "--out", one, "-j", "2"], check=True,
                   stderr=subprocess.DEVNULL)
    procs = [subprocess.Popen([lab, "run", config, "--out", shards, "-j", "1",
                               "--shard", f"{k}/3"], stderr=subprocess.DEVNULL)
             for k in (1, 2, 3)]
    for p in procs:
        p.wait()
    return top, [one, shards]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rundirs", nargs="*", help="run folders to check")
    ap.add_argument("--lab", help="run the lab first, into a temporary folder")
    ap.add_argument("--config", default=os.path.join(HERE, "..", "tests", "data", "tiny.cfg"))
    args = ap.parse_args()
    if not args.rundirs and not args.lab:
        ap.error("give run folders, or --lab to make some")
    top, dirs = None, list(args.rundirs)
    if args.lab:
        top, made = run_lab(args.lab, args.config)
        dirs += made
    failed = sum(check_folder(d) for d in dirs)
    if top:
        shutil.rmtree(top)
    print(f"{'all tables load' if not failed else f'{failed} loads failed'} "
          f"(pandas {pd.__version__})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
