#!/usr/bin/env python3
# The numbers of this folder's README that report.py does not print: co-running factors, this call vs the first one, GPU clocks.
"""Usage: compare.py   (from anywhere; reads this folder and ../h100_2026-12-06)

1. co-running / alone per processor (whole-output kernels, as predictors.corun_factors) and per
   model, and the same ratio for whole-model runs, in this call (profiler 134b653) and the first;
2. the same kernels (model, op, processor, range) measured by both calls: new / old medians
   (the 24 architectures of the first call are the first 24 of this one, same graphs);
3. per model on the GPU: the sum of its alone whole-output kernels over its alone whole-model run
   (1 when kernel rows and model runs saw the same GPU state);
4. gpu_clocks.csv.gz: SM clock and utilization while profiling.
"""
import csv
import gzip
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "train"))
import predictors as P  # noqa: E402

PROCS = ["cpu:t1", "cpu:t4", "cpu:t16", "gpu:fp32", "gpu:fp16"]


def load(path):
    with gzip.open(path, "rt", newline="") as f:
        return [r for r in csv.DictReader(f) if r["op_type"] != "FIXED"]


def kernel_key(r):
    return r["model"], r["op_index"], P.processor_key(r), r["axis"], r["fraction"], bool(r["corun"])


def q(v):
    v = np.asarray(v)
    return f"median {np.median(v):.3f} (p10 {np.percentile(v, 10):.3f}, p90 {np.percentile(v, 90):.3f}, n {len(v)})"


def corun(rows, label):
    alone = {kernel_key(r)[:5]: float(r["median_us"]) for r in rows
             if r["op_type"] != "MODEL" and r["axis"] == "whole" and not r["corun"]}
    per, per_model = defaultdict(list), defaultdict(list)
    for r in rows:
        if r["op_type"] != "MODEL" and r["axis"] == "whole" and r["corun"] and alone.get(kernel_key(r)[:5]):
            x = float(r["median_us"]) / alone[kernel_key(r)[:5]]
            per[P.processor_key(r)].append(x)
            per_model[(P.processor_key(r), r["model"])].append(x)
    runs = {(P.processor_key(r), r["model"], bool(r["corun"])): float(r["median_us"]) for r in rows
            if r["op_type"] == "MODEL"}
    print(f"## co-running / alone, {label}")
    for k in PROCS:
        if not per[k]:
            continue
        pm = [np.median(v) for (kk, _), v in per_model.items() if kk == k]
        mr = [t / runs[(kk, m, False)] for (kk, m, c), t in runs.items() if kk == k and c and (kk, m, False) in runs]
        print(f"- {k}: kernels {q(per[k])}; per-model medians {min(pm):.2f}-{max(pm):.2f}; "
              f"whole-model runs {q(mr)}")
    return per_model


def same_kernels(new, old):
    n = {kernel_key(r): float(r["median_us"]) for r in new if r["op_type"] != "MODEL"}
    o = {kernel_key(r): float(r["median_us"]) for r in old if r["op_type"] != "MODEL"}
    print("## same kernel, this call / first call (all measured ranges)")
    for c in (False, True):
        for k in PROCS:
            v = np.array([n[x] / o[x] for x in n if x in o and x[2] == k and x[5] == c])
            if len(v):
                print(f"- {'co-running' if c else 'alone'} {k}: {q(v)}, within 10%: {100 * np.mean(abs(v - 1) <= 0.1):.0f}%")
    mn = {(P.processor_key(r), r["model"], bool(r["corun"])): float(r["median_us"]) for r in new if r["op_type"] == "MODEL"}
    mo = {(P.processor_key(r), r["model"], bool(r["corun"])): float(r["median_us"]) for r in old if r["op_type"] == "MODEL"}
    for k in PROCS:
        for c in (False, True):
            v = [mn[x] / mo[x] for x in mn if x in mo and x[0] == k and x[2] == c]
            print(f"- whole-model runs {'co-running' if c else 'alone'} {k}: {q(v)}")


def sum_law(rows, label, factors):
    print(f"## GPU fp32 per model, {label}: whole run alone / co-running (us), sum of alone kernels / run, kernel factor")
    for m in sorted({r["model"] for r in rows if r["op_type"] == "MODEL"}):
        g = [r for r in rows if r["model"] == m and P.processor_key(r) == "gpu:fp32"]
        run = {bool(r["corun"]): float(r["median_us"]) for r in g if r["op_type"] == "MODEL"}
        ks = sum(float(r["median_us"]) for r in g if r["op_type"] != "MODEL" and r["axis"] == "whole" and not r["corun"])
        f = factors.get(("gpu:fp32", m))
        print(f"- {m}: {run.get(False, -1):.0f} / {run.get(True, -1):.0f}; {ks / run.get(False, np.nan):.2f}; "
              f"{np.median(f) if f else float('nan'):.2f}")


def clocks(path):
    with gzip.open(path, "rt") as f:
        rows = list(csv.reader(f))[1:]
    num = lambda s: float(s.strip().split()[0])  # noqa: E731
    sm = np.array([num(r[2]) for r in rows])
    util = np.array([num(r[4]) for r in rows])
    power = np.array([num(r[5]) for r in rows])
    busy = util >= 20
    low = sm < 1000
    stretches, c = [], 0
    for x in low:
        if x:
            c += 1
        elif c:
            stretches.append(c)
            c = 0
    stretches += [c] if c else []
    print("## GPU clocks (nvidia-smi every 250 ms)")
    print(f"- {len(rows)} samples; pstates {dict(Counter(r[1].strip() for r in rows))}; memory clock "
          f"{sorted({num(r[3]) for r in rows})} MHz")
    print(f"- SM clock MHz p10/p25/p50/p75/p90: {np.percentile(sm, [10, 25, 50, 75, 90]).round().tolist()}; "
          f"share at >= 1900: {100 * np.mean(sm >= 1900):.0f}%, below 1000: {100 * np.mean(low):.0f}%")
    print(f"- utilization median {np.median(util):.0f}%, mean {util.mean():.0f}%; power median {np.median(power):.0f} W, "
          f"max {power.max():.0f} W")
    print(f"- samples at >= 20% utilization: {busy.sum()}, of them below 1000 MHz: {np.sum(busy & low)}, "
          f"at >= 1900 MHz: {np.sum(busy & (sm >= 1900))}")
    print(f"- stretches below 1000 MHz: {len(stretches)}, median {0.25 * np.median(stretches):.1f} s, "
          f"longest {0.25 * max(stretches):.1f} s")


def main():
    new = load(HERE / "data/archs.csv.gz")
    old = load(HERE.parent / "h100_2026-12-06/data/archs.csv.gz")
    f_new = corun(new, "this call (profiler 134b653)")
    corun(old, "first call (older profiler)")
    same_kernels(new, old)
    sum_law(new, "this call", f_new)
    clocks(HERE / "gpu_clocks.csv.gz")


if __name__ == "__main__":
    main()
