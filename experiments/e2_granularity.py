"""E2 granularity: operator-level placement vs channel-slice split vs row split (operator chains are
the slice splits' channel-local runs, which need no synchronization). Whole models: from E1's rows
(plan vs ratio=R vs ratio=R:rows). Per layer: bench/split_sweep --layers on each model's largest
conv layers (each layer alone: CPU, GPU, and every ratio on both axes), grouped by layer type."""
import csv
import subprocess
import tempfile

import measure

NAME, TITLE = "E2", "granularity"
KEY = ["model", "op", "axis", "ratio"]
COLUMNS = KEY + ["op_type", "macs", "median_ms", "p10_ms", "p90_ms", "runs", "status"]


def configs(ctx):
    return [{"model": m, "op": "*", "axis": "*", "ratio": "*"} for m in ctx.focus]


def measure_config(ctx, cfg):
    model = cfg["model"]
    path = ctx.model_path(model)
    measure.complete_tuning(ctx.binary, path)
    info = measure.cli_json(ctx.binary, ["info", path])
    ops = {o["index"]: o for o in info["ops"]}
    layers, runs, step = (3, 3, 0.25) if ctx.quick else (12, 10, 0.1)
    with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
        p = subprocess.run([str(ctx.split_sweep), path, "--layers", "--no-model", "--max-layers", str(layers),
                            "--runs", str(runs), "--warmup", "2", "--step", str(step), "--csv", tmp.name,
                            "--threads", "0", "--cutoff", "0" if ctx.quick else "4"],
                           capture_output=True, text=True, timeout=3600)
        if p.returncode != 0:
            raise RuntimeError(f"split_sweep {model}: {p.stderr.strip()[-300:]}")
        names = ["scope", "model", "op", "axis", "ratio", "median_ms", "p10_ms", "p90_ms"]
        raw = [dict(zip(names, r)) for r in csv.reader(open(tmp.name)) if r and r[0] == "layer"]
    rows = [{"model": model, "op": r["op"], "axis": r["axis"], "ratio": r["ratio"],
             "op_type": ops.get(int(r["op"]), {}).get("type", ""), "macs": ops.get(int(r["op"]), {}).get("macs", ""),
             "median_ms": r["median_ms"], "p10_ms": r["p10_ms"], "p90_ms": r["p90_ms"], "runs": runs, "status": "ok"}
            for r in raw]
    # The config's own key marks the model done (resume), even when it has no conv layer.
    return rows + [dict(cfg, status=f"{len(raw)} layer rows")]
