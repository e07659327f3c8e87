"""experiments/: REPORT.md of a results folder, written from its CSVs and machine.json only (every
number in it is computed here), with the plots (plots.py) beside it."""
import json
import math
from pathlib import Path

import analysis
import plots
from common import read_csv, fnum
import e5_environment
import measure


def f(x, d=2):
    if x is None or x == "" or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float):
        return f"{x:.{d}f}"
    return str(x)


def table(rows, cols, heads=None):
    if not rows:
        return "(no rows)\n"
    out = ["| " + " | ".join(heads or cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        out.append("| " + " | ".join(f(r.get(c)) for c in cols) + " |")
    return "\n".join(out) + "\n"


def figs(stems):
    return "".join(f"\n![{s}]({s}.png) ([SVG]({s}.svg))\n" for s in stems)


def errors(rows):
    bad = [r for r in rows if r.get("status", "").startswith("error")]
    if not bad:
        return ""
    return f"\n{len(bad)} configuration(s) failed; first: `{bad[0]['status'][:160]}`\n"


def sec_e1(out, rows, ctx):
    pot = analysis.potential(rows)
    s = ["**Question.** How much can CPU+GPU co-execution gain over the best single processor, and "
         "how does that depend on the processors' speed ratio?",
         "**Method.** Per model and CPU thread count, `cpu`, `gpu`, splits at several ratios on both "
         "axes, the cost model's op placement (`hetsched plan --policy auto`), and `auto`; each in its "
         "own session, back to back after warm-up. Ideal bound: 1/(1/T_cpu + 1/T_gpu)."]
    if pot:
        wins = [p for p in pot if p["plan_gain"] > 1.0]
        best = max(pot, key=lambda p: p["plan_gain"])
        sr = [p["speed_ratio"] for p in pot]
        s.append(f"**Finding.** {len(wins)} of {len(pot)} (model, threads) configurations have a plan faster than "
                 f"the best single processor; the largest gain is {best['plan_gain']:.2f}x ({best['model']}, "
                 f"{best['threads']} threads, {best['best_plan']}), against an ideal bound of {best['ideal_gain']:.2f}x "
                 f"there. T_cpu/T_gpu ranges from {min(sr):.3g} to {max(sr):.3g}; the ideal bound's gain "
                 f"(1 + min(s, 1/s)) is {min(p['ideal_gain'] for p in pot):.3f}-{max(p['ideal_gain'] for p in pot):.3f}x, "
                 f"the best plans reach {min(p['plan_gain'] for p in pot):.3f}-{max(p['plan_gain'] for p in pot):.3f}x, "
                 f"`auto` {min(p['auto_gain'] for p in pot):.3f}-{max(p['auto_gain'] for p in pot):.3f}x.")
        above = [p for p in pot if p["plan_gain"] > p["ideal_gain"] * 1.02]
        if above:
            s.append(f"{len(above)} configuration(s) beat the ideal bound by more than 2%, which only a slowed "
                     "single-processor run or a plan that avoids the executors' own overheads can explain: read "
                     "them as noise of this machine's load, or the executors' overheads, not as co-execution gain.")
    s.append(table(pot, ["model", "threads", "cpu_ms", "gpu_ms", "speed_ratio", "best_plan", "best_plan_ms", "ideal_ms",
                         "auto_ms", "plan_gain", "ideal_gain", "auto_gain", "cpu_iqr_rel"]))
    s.append("`cpu_iqr_rel`: the `cpu` runs' interquartile range over their median (run-to-run noise).\n")
    s.append(figs(plots.e1(out, pot)))
    return s


def sec_e2(out, rows, ctx):
    models, lrows, types = analysis.granularity(ctx["E1"], rows)
    s = ["**Question.** Which granularity of co-execution wins: operator placement, channel-slice "
         "splits, row splits (operator chains are the slice splits' channel-local runs)?",
         "**Method.** Whole models: E1's configurations at the most threads. Single layers: "
         "`bench/split_sweep --layers` on each model's largest conv layers (each layer alone, CPU, GPU "
         "and every ratio on both axes; its spread columns are p10/p90)."]
    if models:
        wins = {}
        for m in models:
            wins[m["winner"]] = wins.get(m["winner"], 0) + 1
        s.append("**Finding (models).** Winner per model: " + ", ".join(f"{k} {v} of {len(models)}" for k, v in
                                                                       sorted(wins.items())) + ".")
    if lrows:
        s.append("**Finding (layers).** Winner per layer type: " + "; ".join(
            f"{t}: " + ", ".join(f"{k} {v}" for k, v in sorted(d.items())) for t, d in sorted(types.items()))
                 + f"; the largest layer gain is {max(r['gain'] for r in lrows):.2f}x.")
    s.append(table(models, ["model", "single_ms", "placement_ms", "slices_ms", "rows_ms", "winner"]))
    s.append(table(lrows, ["model", "op", "op_type", "cpu_ms", "gpu_ms", "slices_ratio", "slices_ms", "rows_ratio",
                           "rows_ms", "winner", "gain"]))
    s.append(figs(plots.e2(out, lrows)))
    return s


def sec_e3(out, rows, ctx):
    copies = analysis.copy_costs(rows)
    fixed = [r for r in analysis.fixed_costs(rows) if not analysis.COPY_PART.match(r["part"])]
    bd = analysis.breakdown(rows)
    s = ["**Question.** What do synchronization, copies, dispatch and task starts cost, and where does a "
         "split run's time go?",
         "**Method.** Fixed costs from `hetsched profile` (each a median of 21 probes; repeated, the "
         "spread is over repetitions). Breakdown: profiled runs of a split in process; per processor "
         "compute (its steps), waiting for the other processor, and the rest of the run (dispatch, "
         "submit, synchronization, idle). "
         + ("Copy cost by bytes, per size: `host_write` the CPU's memcpy into a mapped host-visible "
            "(shared) buffer (host clock), and GPU copies by timestamps: `staged` host-visible -> "
            "device-local, `device` device-local -> device-local, `readback` device-local -> host-visible; "
            "GB/s is bytes / median."
            if copies else
            "Not measured: copy cost by bytes for staged and device-local memory separately (the "
            "profiler measures one host-visible -> device-local copy per MiB).")]
    fx = {r["part"]: r for r in fixed}
    if "sync_us" in fx:
        s.append(f"**Finding.** One cross-device synchronization (timeline round trip) costs "
                 f"{fnum(fx['sync_us'], 'median'):.1f} us (min {fnum(fx['sync_us'], 'min'):.1f}, "
                 f"max {fnum(fx['sync_us'], 'max'):.1f}); an empty GPU submit "
                 f"{fnum(fx.get('gpu_submit_us', {}), 'median'):.1f} us; a CPU task start "
                 f"{fnum(fx.get('cpu_task_us', {}), 'median'):.2f} us.")
    if bd:
        w = max(bd, key=lambda r: (r.get("cpu:waiting", 0) + r.get("gpu:waiting", 0)) / max(r.get("total", 1), 1e-9))
        s.append(f"The largest waiting share: {w['model']} {w['policy']}, CPU waits "
                 f"{w.get('cpu:waiting', 0):.2f} ms and the GPU {w.get('gpu:waiting', 0):.2f} ms of a "
                 f"{w.get('total', 0):.2f} ms run.")
    if copies:
        def of_size(n):
            return f"{analysis.size_label(n)}: " + ", ".join(
                f"`{c['kind']}` {c['median_us']:.1f} us ({c['gb_per_s']:.2f} GB/s)" for c in copies if c["bytes"] == n)
        sizes = [c["bytes"] for c in copies]
        s.append(f"Copies of {of_size(max(sizes))}; of {of_size(min(sizes))}.")
    s.append(table(fixed, ["part", "unit", "n", "median", "min", "q1", "q3", "max"]))
    if copies:
        s.append("Copy cost by bytes (median over repetitions):\n\n"
                 + table(copies, ["kind", "size", "bytes", "median_us", "min_us", "max_us", "gb_per_s"],
                         ["kind", "size", "bytes", "median us", "min us", "max us", "GB/s"]))
    s.append(table(bd, ["model", "policy", "total", "cpu:compute", "cpu:waiting", "cpu:rest", "gpu:compute",
                        "gpu:waiting", "gpu:rest", "bytes_copied"]))
    s.append(figs(plots.e3(out, bd)))
    return s


def sec_e4(out, rows, ctx):
    points, summ = analysis.imbalance(rows)
    s = ["**Question.** How much does a wrong split ratio cost, and is the optimum stable from run to run?",
         "**Method.** Every ratio on each axis, each in its own session back to back, in rounds; the "
         "optimum and penalty (latency / optimum's) per round."]
    if summ:
        worst = max(summ, key=lambda r: r["penalty_nearest"])
        s.append(f"**Finding.** The optimum ratio moved by up to {max(r['opt_max'] - r['opt_min'] for r in summ):.2f} "
                 f"between rounds; one step off the optimum costs up to {worst['penalty_nearest']:.2f}x "
                 f"({worst['model']}, {worst['axis']}); the worst ratio costs up to "
                 f"{max(r['penalty_worst'] for r in summ):.1f}x.")
    s.append(table(summ, ["model", "axis", "rounds", "opt_min", "opt_max", "opt_stdev", "opt_ms_median",
                          "nearest_distance", "penalty_nearest", "penalty_worst"]))
    s.append(figs(plots.e4(out, points)))
    return s


def sec_e5(out, rows, ctx):
    env = analysis.environment(rows)
    ph = e5_environment.phases(False) + [p for p in e5_environment.phases(True) if p not in e5_environment.phases(False)]
    env.sort(key=lambda r: (r["model"], ph.index(r["phase"]) if r["phase"] in ph else 99))
    s = ["**Question.** What happens to each policy when another process loads the CPU, the GPU, or both?",
         "**Method.** Load phases (stress-ng on a share of the cores; hetsched_gpu_load at a duty cycle); "
         "in each, every policy in its own `hetsched run` process started under the load. Oracle: the "
         "best static policy of the phase. Loads verified: `load_cpu_util` is the share of all cores "
         "busy with the load alone, `run_cpu_util` during the runs, `gpu_busy` the load's measured "
         "GPU busy share."]
    if env:
        r = [e for e in env if e["auto_over_oracle"] == e["auto_over_oracle"]]
        if r:
            w = max(r, key=lambda e: e["auto_over_oracle"])
            s.append(f"**Finding.** `auto` is {min(e['auto_over_oracle'] for e in r):.2f}-"
                     f"{w['auto_over_oracle']:.2f}x the oracle across {len(r)} (phase, model) cells (worst: "
                     f"{w['model']} under {w['phase']}); the oracle is "
                     + ", ".join(f"{k} in {sum(1 for e in env if e['oracle'] == k)}" for k in ("cpu", "gpu", "auto:static")
                                 if any(e['oracle'] == k for e in env)) + " of them.")
    bg = ctx.get("_machine", {}).get("background_cpu_util_start")
    if bg not in (None, "") and float(bg) >= 0.9:
        s.append(f"**Caveat.** Other processes already kept {float(bg):.2f} of all cores busy when the run began, so "
                 "the measured utilization cannot show the added CPU load here; the GPU busy share still verifies "
                 "the GPU load.")
    cols = ["phase", "model"] + [f"{p}_ms" for p in ("cpu", "gpu", "auto:static", "auto") if any(f"{p}_ms" in e for e in env)]
    s.append(table(env, cols + ["oracle", "auto_over_oracle", "load_cpu_util", "run_cpu_util", "gpu_busy"]))
    s.append(figs(plots.e5(out, env, ph)))
    return s


def sec_e6(out, rows, ctx):
    tab, corr = analysis.diversity(rows, ctx["E1"])
    s = ["**Question.** Which structural features go with a co-execution gain?",
         "**Method.** Features from `hetsched info` joined with E1's best plan gain at the most threads; "
         "Spearman rank correlation per feature (few models: read it as a description, not a law)."]
    c = [x for x in corr if x["rho_gain"] == x["rho_gain"]]
    if c:
        top = max(c, key=lambda x: abs(x["rho_gain"]))
        s.append(f"**Finding.** Over {len(tab)} models the feature most related to the gain is {top['feature']} "
                 f"(rho {top['rho_gain']:.2f}).")
    elif not tab:
        s.append("**Finding.** No gains to relate: E1 has not run on these models.")
    s.append(table(tab, ["model"] + analysis.FEATURES + ["speed_ratio", "plan_gain"]))
    s.append(table(corr, ["feature", "rho_gain", "rho_speed_ratio"]))
    s.append(figs(plots.e6(out, tab)))
    return s


def sec_e7(out, rows, ctx):
    okr = [r for r in rows if r.get("status") == "ok"]
    s = ["**Question.** What does each policy cost in memory, and in energy per inference?",
         "**Method.** Arena bytes from `hetsched info --memory --policy P` (none for `auto`, decided at "
         "run time); peak RSS of a `hetsched run` process (GNU time, else /proc VmHWM); energy around back-to-back runs of a "
         "warmed-up session (RAPL package energy, NVIDIA board power x time), per inference."]
    if okr:
        notes = sorted({r["energy_note"] for r in okr})
        big = max(okr, key=lambda r: fnum(r, "peak_rss_mib"))
        energy = []
        for col, what in (("gpu_energy_mj", "GPU board"), ("cpu_energy_mj", "CPU package")):
            er = [r for r in okr if r.get(col) not in (None, "")]
            if er:
                lo, hi = min(er, key=lambda r: fnum(r, col)), max(er, key=lambda r: fnum(r, col))
                energy.append(f"{what} energy per inference {fnum(lo, col):.1f} mJ ({lo['model']} {lo['policy']}) to "
                              f"{fnum(hi, col):.1f} mJ ({hi['model']} {hi['policy']})")
        s.append(f"**Finding.** Peak RSS ranges {min(fnum(r, 'peak_rss_mib') for r in okr):.1f}-"
                 f"{fnum(big, 'peak_rss_mib'):.1f} MiB (largest: {big['model']} {big['policy']}). Energy: "
                 + "; ".join(energy + [n for n in notes if n]) + ".")
    s.append(table(okr, ["model", "policy", "arena_bytes", "peak_rss_mib", "cpu_energy_mj", "gpu_energy_mj",
                         "energy_runs", "median_ms"]))
    s.append(figs(plots.e7(out, rows)))
    return s


def sec_e8(out, rows, ctx):
    okr = [r for r in rows if r.get("status") == "ok"]
    s = ["**Question.** How accurate are the latency predictors (issue #14) on this machine?",
         "**Method.** profiles/report.py on the dataset named below: FLOPs-linear, lookup table, "
         "boosted trees; kernel level on held-out architectures, model level on held-out "
         "architectures and the zoo (never trained on). Scatter plots: `E8_report/`."]
    k = [r for r in okr if r["level"] == "kernel" and r["predictor"] == "gbt"]
    if k:
        s.append("**Finding.** Boosted trees, held-out kernels within +-10%: " + ", ".join(
            f"{r['processor']} {100 * fnum(r, 'within10'):.1f}% (MAPE {100 * fnum(r, 'mape'):.1f}%)" for r in k)
                 + f". Dataset: {okr[0]['dataset']}.")
    s.append(table(okr, ["level", "processor", "predictor", "n", "rmse_us", "mape", "within5", "within10"]))
    s.append(figs(plots.e8(out, okr)))
    return s


SECTIONS = {"E1": sec_e1, "E2": sec_e2, "E3": sec_e3, "E4": sec_e4, "E5": sec_e5, "E6": sec_e6, "E7": sec_e7,
            "E8": sec_e8}


def write(out, experiments, csv_name):
    out = Path(out)
    m = json.loads((out / "machine.json").read_text()) if (out / "machine.json").exists() else {}
    data = {e.NAME: read_csv(out / csv_name(e)) for e in experiments}
    data["_machine"] = m
    lines = [f"# CPU+GPU co-execution study: {m.get('host_slug', '?')}, {m.get('date_utc', '?')}", "",
             "Generated by `experiments/run.sh` from the CSVs in this folder; every number below is "
             "computed from them (`experiments/run.sh --report-only --out DIR` rewrites this file).", "",
             "## Machine", "",
             f"- CPU: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('memory_gib', '?')} GiB",
             f"- GPU: {m.get('gpu', '?')} ({m.get('gpu_driver', '')}) {m.get('nvidia_smi', '')}",
             f"- hetsched {m.get('hetsched_version', '')} at {m.get('git_commit', '')}; engine {m.get('engine', '?')}; "
             f"{m.get('warmup', '?')} warm-up + {m.get('iterations', '?')} timed runs per configuration; input seed "
             f"{measure.SEED}; quick: {m.get('quick', '?')}",
             f"- Background load: load average {m.get('loadavg_start', '?')} at the start, {m.get('loadavg_end', '?')} "
             f"at the end; CPU utilization by others {m.get('background_cpu_util_start', '?')} / "
             f"{m.get('background_cpu_util_end', '?')} of all cores (measured over 2 s).",
             f"- Models (E1): {', '.join(sorted({r['model'] for r in data.get('E1', [])})) or '-'}; "
             f"HETSCHED_BUSY_LOAD={m.get('hetsched_busy_load', '') or 'default'}", ""]
    if m.get("gpu_shares_cpu"):
        lines += ["**The GPU here is a software Vulkan device (lavapipe) on the same CPU cores**: GPU and CPU "
                  "contend for the same cores, so co-execution cannot gain what it would on a real GPU, and "
                  "'GPU load' also loads the CPU.", ""]
    if m.get("background_cpu_util_start", 0) and float(m.get("background_cpu_util_start", 0)) > 0.1:
        lines += ["**Shared machine**: other processes used the cores while this ran (see the background load "
                  "above); timings are noisier and slower than on a quiet machine.", ""]
    for e in experiments:
        rows = data[e.NAME]
        lines += [f"## {e.NAME} {e.TITLE}", ""]
        if not rows:
            lines += [f"Not run (`experiments/run.sh --only {e.NAME}`).", ""]
            continue
        try:
            parts = SECTIONS[e.NAME](out, rows, data)
        except Exception as ex:  # a broken analysis must not hide the others
            parts = [f"Analysis failed: `{ex}`"]
        lines += [p if p.endswith("\n") else p + "\n" for p in parts]
        lines.append(errors(rows))
    (out / "REPORT.md").write_text("\n".join(lines) + "\n")
