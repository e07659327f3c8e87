#!/usr/bin/env python3
"""Summarizes split_sweep CSVs: per model (and per conv layer) the CPU-only and GPU-only latency,
the best split (axis, ratio), its gain over the best single processor, the ideal bound
1/(1/T_cpu + 1/T_gpu), and, where measured, `auto` against the better of cpu/gpu and against the
best split. Writes a Markdown table and one plot per model (latency vs ratio, both axes).

Honest auto (the check printed per model): `auto` is at most 5% slower than the better of cpu and
gpu, and where a split with 0 < ratio < 1 beats both by more than 3% (above the run-to-run noise
of a median), `auto` gets at least 80% of that gain.

usage: split_report.py SWEEP.csv[.gz] [MORE.csv ...] OUT_DIR [--title TEXT]
Several CSVs are read in order, as if one: a later honest check (split_sweep --honest-only, in a
file of its own) replaces an earlier one of the same model.
"""
import argparse
import collections
import csv
import gzip
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(path, rows):
    with (gzip.open(path, "rt") if path.endswith(".gz") else open(path)) as f:
        for r in csv.reader(f):
            if not r or r[0] == "scope":
                continue
            scope, model, op, axis, ratio, med, p10, p90 = r
            rows[(scope, model, int(op))].append((axis, float(ratio), float(med), float(p10), float(p90)))


def summarize(entries):
    by = collections.defaultdict(list)
    for axis, ratio, med, _, _ in entries:
        by[axis].append((ratio, med))
    t_cpu = by["cpu"][0][1]
    t_gpu = by["gpu"][0][1]
    single = min(t_cpu, t_gpu)
    best = (single, "cpu" if t_cpu <= t_gpu else "gpu", 1.0 if t_cpu <= t_gpu else 0.0)
    for axis in ("slices", "rows"):
        for ratio, med in by[axis]:
            if med < best[0]:
                best = (med, axis, ratio)
    ideal = 1.0 / (1.0 / t_cpu + 1.0 / t_gpu)
    out = {
        "t_cpu": t_cpu, "t_gpu": t_gpu, "best_ms": best[0], "best_axis": best[1], "best_ratio": best[2],
        "gain": single / best[0], "ideal": ideal, "by": by,
    }
    if by["auto"]:
        # The latest honest check (split_sweep --honest-only appends a newer one): auto, cpu50 and
        # gpu50 interleaved over 50 runs each.
        t_auto = by["auto"][-1][1]
        if by["cpu50"] and by["gpu50"]:
            single = min(by["cpu50"][-1][1], by["gpu50"][-1][1])
        out["auto"] = t_auto
        out["auto_vs_single"] = t_auto / single
        split_gain = single - best[0]
        split_wins = best[1] in ("slices", "rows") and 0 < best[2] < 1 and best[0] < 0.97 * single
        # Only where a split beats both processors (bullet 8's second half); elsewhere the share
        # of a noise-sized "gain" means nothing.
        out["auto_share_of_gain"] = (single - t_auto) / split_gain if split_wins and split_gain > 0 else None
        ok = t_auto <= 1.05 * single and (not split_wins or (single - t_auto) >= 0.8 * split_gain)
        out["honest"] = ("ok" if ok else "MISS") + (" (split wins)" if split_wins else "")
    return out


def plot(name, s, path, title):
    plt.figure(figsize=(6, 4))
    for axis, style in (("slices", "o-"), ("rows", "s--")):
        pts = sorted(s["by"][axis])
        if pts:
            plt.plot([p[0] for p in pts], [p[1] for p in pts], style, label=f"split by {axis}", markersize=3)
    plt.axhline(s["t_cpu"], color="tab:green", lw=1, label=f"CPU only {s['t_cpu']:.2f} ms")
    plt.axhline(s["t_gpu"], color="tab:red", lw=1, label=f"GPU only {s['t_gpu']:.2f} ms")
    plt.axhline(s["ideal"], color="gray", ls=":", lw=1, label=f"ideal bound {s['ideal']:.2f} ms")
    if "auto" in s:
        plt.axhline(s["auto"], color="tab:purple", ls="-.", lw=1, label=f"auto {s['auto']:.2f} ms")
    plt.xlabel("CPU share of each split op")
    plt.ylabel("latency (ms, median)")
    plt.title(f"{name}\n{title}", fontsize=9)
    plt.legend(fontsize=7)
    plt.tight_layout()
    plt.savefig(path, dpi=90)
    plt.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="+")
    ap.add_argument("out_dir")
    ap.add_argument("--title", default="")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    rows = collections.defaultdict(list)
    for path in args.csv:
        load(path, rows)
    lines = ["| scope | model | op | CPU ms | GPU ms | best split | best ms | gain vs best single | ideal ms | auto ms | auto / best single | auto share of split gain | honest auto |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for (scope, model, op), entries in sorted(rows.items()):
        s = summarize(entries)
        name = model.replace(".tflite", "") + ("" if op < 0 else f"_op{op}")
        if scope == "model":
            plot(name, s, os.path.join(args.out_dir, f"split_{name}.png"), args.title)
        auto = f"{s['auto']:.3f}" if "auto" in s else ""
        vs = f"{s['auto_vs_single']:.3f}" if "auto" in s else ""
        share = "" if "auto" not in s or s["auto_share_of_gain"] is None else f"{s['auto_share_of_gain']:.2f}"
        lines.append(f"| {scope} | {model} | {op if op >= 0 else ''} | {s['t_cpu']:.3f} | {s['t_gpu']:.3f} | "
                     f"{s['best_axis']} {s['best_ratio']:.2f} | {s['best_ms']:.3f} | {s['gain']:.3f} | "
                     f"{s['ideal']:.3f} | {auto} | {vs} | {share} | {s.get('honest', '')} |")
    checked = [summarize(e) for (sc, _, _), e in rows.items() if sc == "model"]
    checked = [c for c in checked if "honest" in c]
    if checked:
        misses = sum(1 for c in checked if c["honest"].startswith("MISS"))
        lines.append("")
        lines.append(f"honest auto: {len(checked) - misses} of {len(checked)} models ok "
                     "(auto <= 1.05 x the better single processor; >= 80% of a split gain above 3%)")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out_dir, "split_summary.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
