#!/usr/bin/env python3
# A notebook-style walk-through of the hetsched package (run it as a script, or cell by cell in an
# editor that knows `# %%` cells): load a model, compare the policies cpu, gpu and auto, and plot
# where each op of a split run (ratio=0.5) ran, one timeline per processor.
"""Usage: examples/python/walkthrough.py [MODEL] [--out DIR] [--runs N]
(default models/face_detection_short_range.tflite, figures to the current directory)."""

# %% Set-up: the model and where figures go
import argparse
import statistics
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import hetsched  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ap = argparse.ArgumentParser()
ap.add_argument("model", nargs="?", default=str(ROOT / "models" / "face_detection_short_range.tflite"))
ap.add_argument("--out", type=Path, default=Path("."))
ap.add_argument("--runs", type=int, default=5)
args, _ = ap.parse_known_args()  # parse_known_args: cells may run inside a notebook kernel too
args.out.mkdir(parents=True, exist_ok=True)

# %% Load the model: inputs, outputs, op counts and MACs
model = hetsched.Model(args.model)
print(model)
print("ops by type:", model.op_counts)
print(f"{model.macs / 1e6:.1f} M multiply-accumulates per inference")
gpu_ok = any(d["usable"] for d in hetsched.devices())
print("Vulkan devices:", [f"{d['name']}{' (selected)' if d['selected'] else ''}" for d in hetsched.devices()])

# %% One input, seeded
rng = np.random.default_rng(0)
inputs = [rng.uniform(0, 1, size=t.shape).astype(np.float32) for t in model.inputs]

# %% Compare the policies: median latency of a few runs, and the outputs against the CPU's
policies = ["cpu", "gpu", "auto"] if gpu_ok else ["cpu"]
results, reference = {}, None
for policy in policies:
    session = hetsched.Session(model, policy=policy)
    outputs = session.run(inputs)  # warm-up
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        session.run(inputs)
        times.append((time.perf_counter() - t0) * 1e3)
    reference = outputs if reference is None else reference
    err = max(float(np.linalg.norm(o - r) / max(np.linalg.norm(r), 1e-12)) for o, r in zip(outputs, reference))
    devices_used = sorted({s["device"] for s in session.last_report()})
    results[policy] = statistics.median(times)
    print(f"{policy:>5}: {results[policy]:8.2f} ms median of {args.runs}, ran on {devices_used}, "
          f"relative L2 vs cpu {err:.2e}")

# %% A split run: every splittable op's output channels half on the CPU, half on the GPU
if gpu_ok:
    split = hetsched.Session(model, policy="ratio=0.5")
    plan = split.plan
    kinds = [s["kind"] for s in plan["steps"]]
    print(f"plan: {kinds.count('split')} split ops, {kinds.count('cpu')} on the CPU, {kinds.count('gpu')} on the GPU")
    split.profiling = True  # GPU timestamps per step
    split.run(inputs)
    split.run(inputs)
    steps = split.last_report()
else:
    print("no usable Vulkan device: the timeline shows a CPU-only run")
    split = hetsched.Session(model, policy="cpu")
    split.run(inputs)
    steps = split.last_report()

# %% Plot the trace: one row per processor, one bar per step part (colour = op type)
types = sorted({s["op_type"] for s in steps})
colours = {t: plt.cm.tab20(i % 20) for i, t in enumerate(types)}
rows = ["cpu", "gpu"]
fig, ax = plt.subplots(figsize=(12, 3.2))
for row, device in enumerate(rows):
    mine = [s for s in steps if s["device"] == device]
    ax.broken_barh([(s["start_ms"], max(s["end_ms"] - s["start_ms"], 1e-3)) for s in mine], (row - 0.4, 0.8),
                   facecolors=[colours[s["op_type"]] for s in mine], edgecolor="black", linewidth=0.2)
ax.set_yticks(range(len(rows)), [r.upper() for r in rows])
ax.set_xlabel("ms from the start of the run (host clock)")
ax.set_title(f"{model.name}: {split.policy}, {split.last_run_ms():.1f} ms")
handles = [plt.Rectangle((0, 0), 1, 1, color=colours[t]) for t in types]
ax.legend(handles, types, ncol=min(len(types), 6), fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.3))
fig.tight_layout()
figure = args.out / f"timeline_{Path(model.path).stem}.png"
fig.savefig(figure, dpi=120)
print(f"wrote {figure}")

# %% The same report as a table (pandas, when installed)
try:
    df = split.last_report(as_dataframe=True)
    df["ms"] = df["end_ms"] - df["start_ms"]
    print(df.groupby(["device", "op_type"])["ms"].sum().round(3).to_string())
except ImportError:
    print("pandas is not installed: skipping the table")
