#!/usr/bin/env python3
"""Slow runs (over 1.5x the policy's phase median) per 250 ms of phase 0 (idle) and phase 3 (cpu100), per
model and policy, from the *_auto_runs.csv.gz files here (policies gpu, auto:static, auto)."""
import csv
import gzip
import statistics
from pathlib import Path

HERE = Path(__file__).resolve().parent
for f in sorted(HERE.glob("*_auto_runs.csv.gz")):
    rows = list(csv.DictReader(gzip.open(f, "rt")))
    for phase in ("0", "3"):
        for policy in ("gpu", "auto:static", "auto"):
            runs = [r for r in rows if r["policy"] == policy and r["phase_index"] == phase]
            if not runs:
                continue
            med = statistics.median(float(r["latency_ms"]) for r in runs)
            buckets: dict[int, int] = {}
            t0 = min(float(r["t_ms"]) for r in runs)
            for r in runs:
                k = int((float(r["t_ms"]) - t0) // 250)
                buckets[k] = buckets.get(k, 0) + (float(r["latency_ms"]) > 1.5 * med)
            print(f"{f.name.replace('_auto_runs.csv.gz', ''):27s} phase {phase} {policy:11s} median {med:.3f} ms; "
                  "slow runs per 250 ms: " + " ".join(f"{buckets[k]:3d}" for k in sorted(buckets)))
