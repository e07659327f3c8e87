#!/usr/bin/env python3
# Does a timing twin (scripts/timing_twin.py: same graph, patterned weights) run as fast as its
# original? Each model and policy, original and twin alternating in their own `hetsched run`
# processes, GPU tuning completed first; prints a Markdown table of medians and twin/original.
"""Usage: timing_twin_check.py --originals DIR --twins DIR [--models a,b] [--policies cpu,gpu]
                              [--rounds 3] [--iterations 50] [--bin build/hetsched] [--out FILE.md]"""
import argparse
import platform
import statistics
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import complete_tuning, run_json  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--originals", type=Path, required=True)
    ap.add_argument("--twins", type=Path, required=True)
    ap.add_argument("--models", default="")
    ap.add_argument("--policies", default="cpu,gpu")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--bin", default="build/hetsched")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    names = [m for m in args.models.split(",") if m] or sorted(
        p.stem for p in args.originals.glob("*.tflite") if (args.twins / p.name).exists())
    lines = [f"# Timing twins vs originals ({platform.node()}, "
             f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             f"Each cell: median over {args.rounds} processes of each process's median of {args.iterations} "
             f"runs after {args.warmup} warm-ups; original and twin alternate; GPU tuning completed first.", "",
             "| model | policy | original ms | twin ms | twin / original |", "|---|---|---|---|---|"]
    worst = 1.0
    for name in names:
        paths = {"original": args.originals / f"{name}.tflite", "twin": args.twins / f"{name}.tflite"}
        for policy in args.policies.split(","):
            if policy == "gpu":
                for p in paths.values():
                    complete_tuning(args.bin, p, log=lambda s: print(s, file=sys.stderr))
            med = {k: [] for k in paths}
            for _ in range(args.rounds):
                for kind, p in paths.items():
                    j = run_json(args.bin, ["run", p, "--policy", policy, "--iterations", args.iterations,
                                            "--warmup", args.warmup], 600)
                    med[kind].append(j["latency_ms"]["median"])
            o, t = statistics.median(med["original"]), statistics.median(med["twin"])
            worst = max(worst, t / o, o / t)
            lines.append(f"| {name} | {policy} | {o:.3f} | {t:.3f} | {t / o:.3f} |")
            print(lines[-1], file=sys.stderr)
    lines += ["", f"Largest ratio either way: {worst:.3f}."]
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
