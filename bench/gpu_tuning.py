#!/usr/bin/env python3
"""Workgroup tuning gain per model (and fp16 vs fp32): each runnable zoo model GPU-only with
--no-tune vs tuned, median of --iterations runs (after --warmup), with a fresh tuning cache per
model. The tuned side first starts until the tuning cache is complete (a start may defer op shapes
past its tuning budget to the next one; tune_starts and the summed tuning_ms / tune_init_ms say
what that cost); the timed comparison then alternates --no-tune and tuned (cache warm) for --rounds rounds and
takes the median of the per-round medians, so both sides see the same machine load.
With --fp16 the tuned side also runs with --precision fp16 (column fp16_ms).
Writes bench/results/gpu_tuning_<tag>_<date>.{csv,md}.

usage: bench/gpu_tuning.py [--bin build/hetsched] [--iterations 50] [--warmup 5] [--rounds 3]
                           [--models a,b] [--fp16] [--out-dir bench/results] [--tag NAME]
"""
import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_common import add_zoo_run_args, run_hetsched, write_zoo_table, zoo_models  # noqa: E402


def run(binary, model, cache_dir, iterations, warmup, *extra):
    return run_hetsched(binary, model, "gpu", iterations, warmup, cache_dir, *extra)


def main():
    ap = argparse.ArgumentParser()
    add_zoo_run_args(ap)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--fp16", action="store_true")
    args = ap.parse_args()
    rows = []
    for m, path in zoo_models(args.index, args.models):
        row = {"model": m["name"]}
        try:
            with tempfile.TemporaryDirectory() as cache:
                # Fresh cache: start until nothing is deferred (each start tunes within its budget).
                starts, tuning_ms, init_ms, timed, default_us, best_us = 0, 0.0, 0.0, 0, 0.0, 0.0
                while True:
                    r = run(args.bin, path, cache, 1, 0)
                    t = r["tuning"]
                    starts, tuning_ms, init_ms = starts + 1, tuning_ms + t["tuning_ms"], init_ms + r["init_ms"]
                    timed, default_us, best_us = timed + t["shapes_timed"], default_us + t["timed_default_us"], \
                        best_us + t["timed_best_us"]
                    if t["deferred"] == 0 or starts >= 30:
                        break
                row.update(kernels=t["kernels"], shapes_timed=timed, changed=t["changed"], deferred=t["deferred"],
                           tune_starts=starts, tuning_ms=round(tuning_ms, 1), tune_init_ms=round(init_ms, 1),
                           timed_gain=round(default_us / best_us, 3) if best_us else "")
                plain, tuned, fp16 = [], [], []
                for _ in range(args.rounds):
                    plain.append(run(args.bin, path, cache, args.iterations, args.warmup, "--no-tune")["latency_ms"]["median"])
                    tuned.append(run(args.bin, path, cache, args.iterations, args.warmup)["latency_ms"]["median"])
                    if args.fp16:
                        fp16.append(run(args.bin, path, cache, args.iterations, args.warmup,
                                        "--precision", "fp16")["latency_ms"]["median"])
                row.update(no_tune_ms=statistics.median(plain), tuned_ms=statistics.median(tuned))
                row["gain"] = round(row["no_tune_ms"] / row["tuned_ms"], 3)
                if fp16:
                    row["fp16_ms"] = statistics.median(fp16)
        except Exception as e:  # noqa: BLE001 - a model the GPU cannot run is reported, not fatal
            row["error"] = str(e)
        print(json.dumps(row), flush=True)
        rows.append(row)
    cols = ["model", "no_tune_ms", "tuned_ms", "gain", "fp16_ms", "kernels", "shapes_timed", "changed", "deferred",
            "timed_gain", "tune_starts", "tuning_ms", "tune_init_ms", "error"]
    gains = [r["gain"] for r in rows if isinstance(r.get("gain"), float)]
    geo = statistics.geometric_mean(gains) if gains else float("nan")
    write_zoo_table(
        args, "gpu_tuning", rows, cols,
        lambda tag, date: [f"GPU-only latency, --no-tune vs tuned (workgroup sizes from a fresh tuning cache), median "
                           f"of {args.iterations} runs after {args.warmup} warm-up, median of {args.rounds} alternating "
                           f"rounds. gain = no_tune / tuned (geometric mean {geo:.3f}); timed_gain = the tuner's own "
                           f"estimate (sum of default / sum of best dispatch times of the shapes it timed). "
                           f"Machine: {tag}, {date}."])

if __name__ == "__main__":
    sys.exit(main())
