#!/usr/bin/env python3
# load_runs_by_phase.py: per policy, phase and runner of a load_scenario runs CSV (<model>_runs.csv.gz,
# bench/load_scenario.py), the runs, median, p90, mean and share of runs over 1.5x the median; then
# the controller's events. Usage: python3 bench/load_runs_by_phase.py <model>_runs.csv.gz
import collections
import csv
import gzip
import sys

rows = list(csv.DictReader(gzip.open(sys.argv[1], "rt")))
groups = collections.defaultdict(list)
for r in rows:
    groups[(r["policy"], r["phase"], r["runner"])].append(float(r["latency_ms"]))
for (policy, phase, runner), v in sorted(groups.items()):
    v.sort()
    n, med = len(v), v[len(v) // 2]
    slow = 100 * sum(x > 1.5 * med for x in v) / n
    print(f"{policy:<10} {phase:<8} {runner:<5} n={n:5d} med {med:.3f} p90 {v[int(n * .9)]:.3f} "
          f"mean {sum(v) / n:.3f} >1.5med {slow:.1f}%")
events = [(r["policy"], r["run"], r["events"]) for r in rows if r["events"]]
print(len(events), "events")
for e in events[:30]:
    print(e)
