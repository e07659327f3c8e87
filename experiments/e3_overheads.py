"""E3 overheads: the fixed costs of co-execution (one cross-device synchronization as a timeline
semaphore round trip, a GPU copy per MiB from host-visible to device-local memory, an empty GPU
submit, one dispatch, a CPU task start, and copies by size and kind as parts copy_<kind>_<bytes>_us:
the CPU writing mapped shared memory, GPU staged, device-local and readback copies; from
`hetsched profile`, repeated), and each split run's
time per processor broken into compute, waiting for the other processor, and the rest (dispatch,
submit, synchronization, idle), from the run report (profiled runs, in process)."""
import collections
import csv
import os
import subprocess
import tempfile

import measure
from common import summarize

NAME, TITLE = "E3", "overheads"
KEY = ["model", "policy", "part"]
COLUMNS = KEY + ["unit", "n", "median", "min", "q1", "q3", "max", "status"]
FIXED = ["sync_us", "copy_us_per_mb", "gpu_submit_us", "gpu_dispatch_us", "cpu_task_us"]  # + copy_<kind>_<bytes>_us


def configs(ctx):
    out = [{"model": "(fixed)", "policy": "-", "part": "*"}]
    pols = ["ratio=0.5", "ratio=0.5:rows"] + ([] if ctx.quick else ["ratio=0.25", "ratio=0.75", "plan"])
    return out + [{"model": m, "policy": p, "part": "*"} for m in ctx.focus for p in pols]


def fixed_costs(ctx, reps):
    vals = collections.defaultdict(list)
    for _ in range(reps):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "p.csv")
            p = subprocess.run([str(ctx.binary), "profile", "--quick", "--gpu", "--no-fp16", "--models-only",
                                "--threads", "0", "--no-device-profile", "--out", out, ctx.model_path(ctx.models[0])],
                               capture_output=True, text=True, timeout=600)
            if p.returncode != 0:
                raise RuntimeError(f"hetsched profile: {p.stderr.strip()[-300:]}")
            seen = set()
            for r in csv.DictReader(open(out)):
                if r["op_type"] == "FIXED" and r["model"] not in seen:
                    seen.add(r["model"])
                    vals[r["model"]].append(float(r["median_us"]))
    return [{"model": "(fixed)", "policy": "-", "part": k, "unit": "us/MiB" if k == "copy_us_per_mb" else "us",
             "status": "ok", **summarize(v, suffix="")} for k, v in vals.items()]


def breakdown(ctx, model, policy, runs):
    """Per profiled run and processor: compute (sum of its steps), waiting (its wait_ms), rest
    (total - compute - waiting); plus bytes copied and the run's total."""
    from e1_potential import plan_file
    run_policy = f"plan={plan_file(ctx, model, 0)}" if policy == "plan" else policy
    inp = ctx.timer.inproc
    if inp is None:
        raise RuntimeError("the breakdown needs the hetsched Python package (run reports in process)")
    s, x, _ = inp.session(ctx.model_path(model), run_policy, 0)
    for _ in range(ctx.warmup):
        s.run(x)
    s.profiling = True
    parts = collections.defaultdict(list)
    for _ in range(runs):
        s.run(x)
        total = s.last_run_summary()["total_ms"]
        rep = s.last_report()
        parts["total"].append(total)
        parts["bytes_copied"].append(sum(r.get("bytes_copied", 0) for r in rep))
        for dev in ("cpu", "gpu"):
            steps = [r for r in rep if r["device"] == dev]
            comp = sum(r["end_ms"] - r["start_ms"] for r in steps)
            wait = sum(r.get("wait_ms", 0.0) for r in steps)
            parts[f"{dev}:compute"].append(comp)
            parts[f"{dev}:waiting"].append(wait)
            parts[f"{dev}:rest"].append(max(0.0, total - comp - wait))
    return [{"model": model, "policy": policy, "part": k, "unit": "bytes" if k == "bytes_copied" else "ms",
             "status": "ok", **summarize(v, suffix="")} for k, v in parts.items()]


def measure_config(ctx, cfg):
    if cfg["model"] == "(fixed)":
        rows = fixed_costs(ctx, 2 if ctx.quick else 7)
    else:
        measure.complete_tuning(ctx.binary, ctx.model_path(cfg["model"]))
        rows = breakdown(ctx, cfg["model"], cfg["policy"], 5 if ctx.quick else 20)
    return rows + [dict(cfg, status="done")]
