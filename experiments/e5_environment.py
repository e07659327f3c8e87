"""E5 dynamic environment: background CPU load (stress-ng, a share of the cores) and background GPU
load (another process at a duty cycle), alone and together; per load phase, `cpu`, `gpu`, static
and adaptive `auto`, each in its own `hetsched run` process started inside the phase (so `auto`
prepares under the load); the oracle is the best static policy of the phase (computed). The load
is verified: the CPU utilization of the load alone, during each run, and the GPU busy share."""
import math

import measure
from common import STAT_COLS, log, summarize
from loads import CpuMeter, Phase

NAME, TITLE = "E5", "dynamic environment"
KEY = ["phase", "model", "policy"]
COLUMNS = KEY + ["runner", "decisions", "load_cpu_util", "run_cpu_util", "gpu_busy"] + STAT_COLS + ["status"]


def phases(quick):
    if quick:
        return ["idle", "cpu100", "gpu90", "cpu100+gpu90"]
    return ["idle", "cpu25", "cpu50", "cpu100", "gpu50", "gpu90", "cpu50+gpu50", "cpu100+gpu90"]


def policies(quick):
    return ["cpu", "gpu", "auto"] if quick else ["cpu", "gpu", "auto:static", "auto"]


def configs(ctx):
    models = ctx.models[:1] if ctx.quick else ctx.focus
    return [{"phase": ph, "model": m, "policy": p} for ph in phases(ctx.quick) for m in models
            for p in policies(ctx.quick)]


def measure_config(ctx, cfg):
    measure.complete_tuning(ctx.binary, ctx.model_path(cfg["model"]))  # before the load starts
    cur = ctx.state.get("phase")
    if cur is None or cur.name != cfg["phase"]:
        close(ctx)
        ctx.state["phase"] = cur = Phase(cfg["phase"], ctx.gpu_load, settle_s=0.5 if ctx.quick else 1.0).start()
        log(f"load phase {cur.name}: load alone uses {cur.load_alone:.2f} of the cores")
    mark = len(getattr(cur.gpu, "lines", []))
    meter = CpuMeter().start()
    r = measure.time_cli(ctx.binary, ctx.model_path(cfg["model"]), cfg["policy"], 0, ctx.warmup, min(ctx.iterations, 20))
    util = meter.stop()
    busy = cur.gpu.busy_since(mark) if cur.gpu_duty > 0 else 0.0
    return [dict(cfg, runner=r["runner"], decisions=r["decisions"], load_cpu_util=round(cur.load_alone, 3)
                 if not math.isnan(cur.load_alone) else 0.0, run_cpu_util=round(util, 3), gpu_busy=busy,
                 status="ok", **summarize(r["latencies"]))]


def close(ctx):
    cur = ctx.state.pop("phase", None)
    if cur is not None:
        util, busy = cur.stop()
        log(f"load phase {cur.name} ended: {util:.2f} of the cores busy over the phase, GPU busy share {busy:.2f}")
