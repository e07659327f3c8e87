#!/usr/bin/env python3
"""Merges the per-call results of a multi-call GPU-machine session (bench/device_batch.sh writes
<call>/<suite>/<model>/...) into one CSV + Markdown table per suite, with geometric means.

usage: merge_device_results.py SUITE OUT_STEM DIR...
  SUITE: litert (cpu_vs_litert_*.csv: model,threads,...,ratio) or gpu_tuning (gpu_tuning_*.csv)
  OUT_STEM: e.g. bench/results/cpu_vs_litert_h100-xeon_2026-11-23 (writes .csv and .md)
"""
import csv
import glob
import math
import os
import sys


def geomean(xs):
    xs = [x for x in xs if x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def rows_of(dirs, pattern):
    rows = []
    for d in dirs:
        for f in sorted(glob.glob(os.path.join(d, "**", pattern), recursive=True)):
            with open(f) as fh:
                rows.extend(csv.DictReader(fh))
    return rows


def main():
    suite, stem, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    if suite == "litert":
        rows = rows_of(dirs, "cpu_vs_litert_*.csv")
        fields = ["model", "threads", "macs_m", "ours_ms", "litert_ms", "ratio"]
        lines = ["| model | threads | MMACs | ours ms | LiteRT ms | ratio (ours/LiteRT) |", "|---|---|---|---|---|---|"]
        for r in rows:
            lines.append(f"| {r['model']} | {r['threads']} | {float(r['macs_m']):.1f} | {float(r['ours_ms']):.2f} | "
                         f"{float(r['litert_ms']):.2f} | {float(r['ratio']):.2f} |")
        threads = sorted({int(r["threads"]) for r in rows})
        gm = {}
        for t in threads:
            sel = [r for r in rows if int(r["threads"]) == t]
            gm[t] = (geomean([float(r['ours_ms']) for r in sel]), geomean([float(r['litert_ms']) for r in sel]))
            lines.append(f"| **geomean** ({len(sel)} models) | {t} | | {gm[t][0]:.2f} | {gm[t][1]:.2f} | "
                         f"{geomean([float(r['ratio']) for r in sel]):.2f} |")
        if len(threads) > 1:  # thread scaling: geomean latency and speedup over the fewest threads
            b = threads[0]
            lines += ["", f"Thread scaling (geomean over models; speedup over {b} thread(s)):", "",
                      "| threads | ours ms | ours speedup | LiteRT ms | LiteRT speedup |", "|---|---|---|---|---|"]
            for t in threads:
                lines.append(f"| {t} | {gm[t][0]:.2f} | {gm[b][0] / gm[t][0]:.2f} | {gm[t][1]:.2f} | "
                             f"{gm[b][1] / gm[t][1]:.2f} |")
    elif suite == "gpu_tuning":
        rows = rows_of(dirs, "gpu_tuning_*.csv")
        fields = list(rows[0].keys())
        lines = ["| model | no-tune ms | tuned ms | gain | fp16 ms | shapes timed | tuning ms (first start) |",
                 "|---|---|---|---|---|---|---|"]
        for r in rows:
            lines.append(f"| {r['model']} | {float(r['no_tune_ms']):.3f} | {float(r['tuned_ms']):.3f} | "
                         f"{float(r['gain']):.3f} | {r['fp16_ms'] and float(r['fp16_ms']):.3f} | {r['shapes_timed']} | "
                         f"{r['tuning_ms']} |")
        lines.append(f"| **geomean** ({len(rows)} models) | {geomean([float(r['no_tune_ms']) for r in rows]):.3f} | "
                     f"{geomean([float(r['tuned_ms']) for r in rows]):.3f} | {geomean([float(r['gain']) for r in rows]):.3f} | "
                     f"{geomean([float(r['fp16_ms']) for r in rows if r['fp16_ms']]):.3f} | | |")
    else:
        sys.exit(f"unknown suite {suite}")
    with open(stem + ".csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    with open(stem + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines[-4:]))


if __name__ == "__main__":
    main()
