#!/usr/bin/env python3
"""GPU-only vs CPU-only latency and init time (cold: empty pipeline cache; warm: cache filled by
the cold start) for every runnable zoo model; one table (CSV + Markdown) in bench/results/.

usage: bench/gpu_cpu_table.py [--bin build/hetsched] [--threads 16] [--iterations 50] [--warmup 5]
                              [--models a,b] [--out-dir bench/results] [--tag NAME]
"""
import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_common import add_zoo_run_args, run_hetsched, write_zoo_table, zoo_models  # noqa: E402


def run(binary, model, policy, threads, iterations, warmup, cache_dir):
    extra = ["--threads", str(threads)] if threads else []
    return run_hetsched(binary, model, policy, iterations, warmup, cache_dir, *extra, timeout=1800)


def main():
    ap = argparse.ArgumentParser()
    add_zoo_run_args(ap)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    rows = []
    for m, path in zoo_models(args.index, args.models):
        row = {"model": m["name"], "macs_m": round(m.get("macs", 0) / 1e6, 1)}
        with tempfile.TemporaryDirectory() as cache:
            try:
                cold = run(args.bin, path, "gpu", args.threads, args.iterations, args.warmup, cache)
                warm = run(args.bin, path, "gpu", args.threads, 3, 1, cache)
                row.update(gpu_ms=cold["latency_ms"]["median"], gpu_init_cold_ms=cold["init_ms"],
                           gpu_init_warm_ms=warm["init_ms"])
            except Exception as e:  # noqa: BLE001 - a model the GPU cannot run is reported, not fatal
                row.update(gpu_error=str(e))
            try:
                cpu = run(args.bin, path, "cpu", args.threads, args.iterations, args.warmup, cache)
                row.update(cpu_ms=cpu["latency_ms"]["median"], cpu_init_ms=cpu["init_ms"])
            except Exception as e:  # noqa: BLE001
                row.update(cpu_error=str(e))
        if "gpu_ms" in row and "cpu_ms" in row:
            row["cpu_over_gpu"] = row["cpu_ms"] / row["gpu_ms"]
        print(json.dumps(row), flush=True)
        rows.append(row)
    cols = ["model", "macs_m", "gpu_ms", "cpu_ms", "cpu_over_gpu", "gpu_init_cold_ms", "gpu_init_warm_ms",
            "cpu_init_ms", "gpu_error", "cpu_error"]
    write_zoo_table(
        args, "gpu_cpu", rows, cols,
        lambda tag, date: [f"GPU-only vs CPU-only ({args.threads or 'all'} threads), median of {args.iterations} runs "
                           f"after {args.warmup} warm-up; init cold = empty pipeline cache. Machine: {tag}, {date}."],
        md_cols=cols[:8], cell=lambda r, c: r.get(c, r.get("gpu_error", "") if c == "gpu_ms" else ""))

if __name__ == "__main__":
    sys.exit(main())
