#!/usr/bin/env python3
# The Python package on a real GPU (scripts/python_device_run.sh runs it on the GPU machine): the
# device list, then per model the policies cpu, gpu, auto and ratio=0.5 in process: median latency,
# devices used, outputs against the CPU's (relative L2), and a per-processor timeline of the split.
"""Usage: scripts/python_device_check.py [--models DIR] [--names a,b] [--runs N] [--out DIR]"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import hetsched

DEFAULT = "face_detection_short_range,mobilenet_v2,resnet50,selfie_segmentation"


def rel_l2(a, b):
    return float(np.linalg.norm(a.astype(np.float64) - b) / max(np.linalg.norm(b.astype(np.float64)), 1e-12))


def timeline(steps, title, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(12, 2.5))
    for row, device in enumerate(["cpu", "gpu"]):
        mine = [s for s in steps if s["device"] == device]
        ax.broken_barh([(s["start_ms"], max(s["end_ms"] - s["start_ms"], 1e-4)) for s in mine], (row - 0.4, 0.8))
    ax.set_yticks([0, 1], ["CPU", "GPU"])
    ax.set_xlabel("ms")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--names", default=DEFAULT)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--out", type=Path, default=Path("."))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"hetsched {hetsched.__version__} from {hetsched.__file__}; CPU SIMD {hetsched.cpu_simd_target()}")
    devs = hetsched.devices()
    for d in devs:
        print(f"device {d['index']}: {d['name']} ({d['type']}, {d['driver_name']}) usable={d['usable']}"
              f"{' selected' if d['selected'] else ''}")
    results = []
    failures = 0
    for name in filter(None, args.names.split(",")):
        path = args.models / f"{name}.tflite"
        if not path.is_file():
            print(f"{name}: {path} missing, skipped")
            continue
        model = hetsched.Model(path)
        rng = np.random.default_rng(1)
        inputs = [rng.uniform(0, 1, size=t.shape).astype(np.float32) for t in model.inputs]
        reference = None
        for policy in ["cpu", "gpu", "auto", "ratio=0.5"]:
            try:
                t0 = time.perf_counter()
                s = hetsched.Session(model, policy=policy)
                init_ms = (time.perf_counter() - t0) * 1e3
                out = s.run(inputs)
                for _ in range(3):
                    s.run(inputs)
                times = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    s.run(inputs)
                    times.append((time.perf_counter() - t0) * 1e3)
                s.profiling = True
                s.run(inputs)
                steps = s.last_report()
                reference = out if reference is None else reference
                err = max(rel_l2(o, r) for o, r in zip(out, reference))
                row = {"model": name, "policy": policy, "median_ms": statistics.median(times), "init_ms": init_ms,
                       "devices": sorted({st["device"] for st in steps}), "rel_l2_vs_cpu": err,
                       "tuning": s.tuning}
                if policy == "ratio=0.5":
                    png = args.out / f"timeline_{name}.png"
                    timeline(steps, f"{name} ratio=0.5 ({s.last_run_ms():.2f} ms profiled)", png)
                    row["timeline"] = str(png)
                ok = err < 1e-4
                failures += not ok
                print(f"{name:28s} {policy:10s} {row['median_ms']:9.3f} ms  init {init_ms:8.1f} ms  on {row['devices']}"
                      f"  rel L2 vs cpu {err:.2e}{'' if ok else '  OVER 1e-4'}", flush=True)
            except hetsched.Error as e:
                failures += 1
                row = {"model": name, "policy": policy, "error": f"{type(e).__name__}: {e}"}
                print(f"{name:28s} {policy:10s} {row['error']}", flush=True)
            results.append(row)
    (args.out / "python_device_check.json").write_text(json.dumps(results, indent=2))
    print(f"wrote {args.out / 'python_device_check.json'}; {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
