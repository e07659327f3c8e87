#!/usr/bin/env python3
# load_runs_by_phase.py: per policy, phase and runner of a load_scenario runs CSV (<model>_runs.csv.gz,
# bench/load_scenario.py), the runs, median, p90, mean and share of runs over 1.5x the median; then
# the controller's events. Usage: python3 bench/load_runs_by_phase.py <model>_runs.csv.gz
# With --blocks POLICY PHASE RUNNER: only that policy's runs on RUNNER in PHASE, in blocks of
# consecutive runs on it, as a list of (runs, median ms, mean ms).
import argparse
import collections
import csv
import gzip


def median(v):
    return sorted(v)[len(v) // 2]


ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("runs_csv")
ap.add_argument("--blocks", nargs=3, metavar=("POLICY", "PHASE", "RUNNER"))
a = ap.parse_args()
rows = list(csv.DictReader(gzip.open(a.runs_csv, "rt")))
if a.blocks:
    policy, phase, runner = a.blocks
    blocks, current = [], []
    for r in rows:
        if r["policy"] != policy or r["phase"] != phase:
            continue
        if r["runner"] == runner:
            current.append(float(r["latency_ms"]))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    print([(len(b), round(median(b), 2), round(sum(b) / len(b), 2)) for b in blocks])
    raise SystemExit(0)
groups = collections.defaultdict(list)
for r in rows:
    groups[(r["policy"], r["phase"], r["runner"])].append(float(r["latency_ms"]))
for (policy, phase, runner), v in sorted(groups.items()):
    n, med = len(v), median(v)
    slow = 100 * sum(x > 1.5 * med for x in v) / n
    print(f"{policy:<10} {phase:<8} {runner:<5} n={n:5d} med {med:.3f} p90 {sorted(v)[int(n * .9)]:.3f} "
          f"mean {sum(v) / n:.3f} >1.5med {slow:.1f}%")
events = [(r["policy"], r["run"], r["events"]) for r in rows if r["events"]]
print(len(events), "events")
for e in events[:30]:
    print(e)
