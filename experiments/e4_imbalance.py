"""E4 load imbalance: latency against the split ratio (the CPU's share of every split op), on both
axes, in several rounds: the optimum ratio per round, the penalty of a wrong ratio (latency over
the round's optimum against the distance from it), and how much the optimum moves run to run."""
from common import STAT_COLS, summarize
import measure

NAME, TITLE = "E4", "load imbalance"
KEY = ["model", "axis", "round", "ratio"]
COLUMNS = KEY + ["engine"] + STAT_COLS + ["status"]


def ratios(quick):
    return [0.0, 0.25, 0.5, 0.75, 1.0] if quick else [round(0.1 * i, 1) for i in range(11)]


def configs(ctx):
    axes = ["slices"] if ctx.quick else ["slices", "rows"]
    rounds = 2 if ctx.quick else 3
    # Round-major: a round sweeps every ratio of every model before the next starts, so the rounds
    # are minutes apart and their optima show the run-to-run variance.
    return [{"model": m, "axis": a, "round": k, "ratio": r} for k in range(rounds) for m in ctx.focus
            for a in axes for r in ratios(ctx.quick)]


def measure_config(ctx, cfg):
    measure.complete_tuning(ctx.binary, ctx.model_path(cfg["model"]))
    policy = f"ratio={cfg['ratio']}" + (":rows" if cfg["axis"] == "rows" else "")
    r = ctx.timer.time(ctx.model_path(cfg["model"]), policy, 0, ctx.warmup, ctx.iterations)
    return [dict(cfg, engine=r["engine"], status="ok", **summarize(r["latencies"]))]
