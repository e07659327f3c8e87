#!/usr/bin/env python3
# CPU time per run of hetsched's CPU policy at 1 thread, A/B between binaries, robust to a loaded machine.
"""Usage: bench/cpu_time_ab.py OLD_BIN,NEW_BIN model1,model2,... [REPS]

Per model and binary: `perf stat -e task-clock` of `hetsched run --threads 1` with 10 and with 110
timed iterations (3 warm-up each); (T110 - T10) / 100 is the CPU time of one run, without the
process start and model load. Binaries interleaved, median of REPS (default 3). On a machine shared
with other jobs, wall-clock medians move with the others' load (time slices lost); the task clock
of a single-threaded run only counts the time it ran (cache sharing still shows). Needs perf.
"""
import statistics
import subprocess
import sys


def task_clock_ms(binary: str, model: str, iterations: int) -> float:
    cmd = ["perf", "stat", "-x,", "-e", "task-clock", binary, "run", f"models/{model}.tflite", "--policy", "cpu",
           "--threads", "1", "--iterations", str(iterations), "--warmup", "3"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    for line in r.stderr.splitlines():
        if "task-clock" in line:
            return float(line.split(",")[0])
    raise RuntimeError(f"no task-clock from {' '.join(cmd)}: {r.stderr.strip()}")


def main() -> int:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    bins, models = sys.argv[1].split(","), sys.argv[2].split(",")
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print("| model | " + " | ".join(f"{b} ms/run" for b in bins) + f" | {bins[-1]} / {bins[0]} |")
    print("|---|" + "---|" * (len(bins) + 1))
    for m in models:
        res = {b: [] for b in bins}
        for _ in range(reps):
            for b in bins:
                res[b].append((task_clock_ms(b, m, 110) - task_clock_ms(b, m, 10)) / 100)
        med = {b: statistics.median(v) for b, v in res.items()}
        print(f"| {m} | " + " | ".join(f"{med[b]:.3f}" for b in bins) + f" | {med[bins[-1]] / med[bins[0]]:.3f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
