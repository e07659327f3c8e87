"""E1 potential: per model and CPU thread count, the best single processor, the best co-execution
plan found (op placement from `hetsched plan`, channel-slice and row splits at several ratios;
operator chains are part of slice splits), the ideal bound 1/(1/T_cpu + 1/T_gpu), and `auto`."""
import os
import time

import measure
from common import STAT_COLS, summarize

NAME, TITLE = "E1", "potential"
KEY = ["model", "threads", "policy"]
COLUMNS = KEY + ["kind", "engine", "runner", "decisions", "init_ms"] + STAT_COLS + ["status"]
SINGLE = ["cpu", "gpu"]
AUTO = ["auto", "auto:static"]


def policies(quick):
    if quick:
        return SINGLE + ["auto", "ratio=0.5", "ratio=0.5:rows", "plan"]
    ratios = [f"ratio={r}" for r in (0.1, 0.25, 0.5, 0.75, 0.9)]
    return SINGLE + AUTO + ratios + [r + ":rows" for r in ratios] + ["plan"]


def kind_of(policy):
    if policy in SINGLE:
        return "single"
    if policy in AUTO:
        return "auto"
    return "plan"


def configs(ctx):
    return [{"model": m, "threads": t, "policy": p} for m in ctx.models for t in ctx.thread_counts
            for p in policies(ctx.quick)]


def plan_file(ctx, model, threads):
    """`hetsched plan --policy auto --save`: the cost model's op placement (the dynamic program over
    the op sequence, from measured op profiles), saved once per model and thread count."""
    path = ctx.cache / "plans" / f"{model}_t{threads}.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        measure.cli_json(ctx.binary, ["plan", ctx.model_path(model), "--policy", "auto", "--threads", threads,
                                      "--save", path])
    return path


def measure_config(ctx, cfg):
    model, threads, policy = cfg["model"], int(cfg["threads"]), cfg["policy"]
    measure.complete_tuning(ctx.binary, ctx.model_path(model))
    run_policy = f"plan={plan_file(ctx, model, threads)}" if policy == "plan" else policy
    r = ctx.timer.time(ctx.model_path(model), run_policy, threads, ctx.warmup, ctx.iterations)
    return [dict(cfg, kind=kind_of(policy), engine=r["engine"], runner=r["runner"], decisions=r["decisions"],
                 init_ms=r["init_ms"], status="ok", **summarize(r["latencies"]))]
