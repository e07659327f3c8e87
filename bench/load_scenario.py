#!/usr/bin/env python3
"""Load scenarios: runs build/load_scenario for every model x policy (each policy in its own process,
back to back, the way an app runs), then writes per model the latency-over-time CSV of all
policies, a plot (latency vs time, one line per policy, load phases shaded; PNG + SVG) and a
summary, plus one summary.md over all models.

Summary, per phase and over the whole schedule: mean latency per policy; the oracle (the best
static policy of that phase, measured: the lowest phase mean among cpu, gpu and auto:static);
adaptive auto / oracle; adaptive / static auto; the reaction after each load change; and the
loads as measured (CPU utilization from /proc/stat, cores used by stress-ng, the GPU busy share
hetsched_gpu_load reported).

Definitions (docs/notes/load.md):
- overall mean = the phase means weighted by the phases' durations (the same weights for every
  policy and the oracle, so a fast policy's many runs do not outweigh the slow phases);
- reaction after a load change (onset = when the new load was in place, from the phase CSV):
  the runs and ms from the onset until adaptive auto's latency is within 10% of the median of the
  phase's best static policy (that run, and the median of it and the next 2), or its runner changes;
- targets (issue #12): adaptive/oracle <= 1.10 overall, adaptive/static auto <= 1.05 in every
  phase, reaction <= 20 runs or <= 100 ms after every load change.

usage:
  load_scenario.py --bin build --models face_detection_short_range --policies cpu,gpu,auto \
      --schedule idle:3,gpu90:5,idle:3,cpu100:5,both:5,idle:3 --out-dir OUT
  load_scenario.py --analyze-only --out-dir OUT     (again from OUT/raw/*.csv, or OUT/<model>_*.csv)
"""
import argparse
import collections
import csv
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC_POLICIES = ("cpu", "gpu", "auto:static")
ADAPTIVE = "auto"
STATIC_AUTO = "auto:static"
REACTION_WITHIN = 1.10
REACTION_WINDOW = 3
TARGET_ORACLE = 1.10
TARGET_STATIC = 1.05
TARGET_RUNS, TARGET_MS = 20, 100.0


# ---------------------------------------------------------------------------------------------
# Reading


def read_csv(path):
    path = str(path)
    with (gzip.open(path, "rt", newline="") if path.endswith(".gz") else open(path, newline="")) as f:
        return list(csv.DictReader(f))


def parse_runs(rows):
    """Rows of a runs CSV -> dicts with typed fields, in file order."""
    out = []
    for r in rows:
        out.append({
            "model": r["model"], "policy": r["policy"], "run": int(r["run"]), "t_ms": float(r["t_ms"]),
            "phase_index": int(r["phase_index"]), "phase": r["phase"], "latency_ms": float(r["latency_ms"]),
            "runner": r.get("runner", "") or "", "events": r.get("events", "") or "",
        })
    return out


def parse_phases(rows):
    out = []
    for r in rows:
        out.append({
            "model": r["model"], "policy": r["policy"], "phase_index": int(r["phase_index"]), "phase": r["phase"],
            "seconds": float(r["seconds"]), "start_ms": float(r["start_ms"]), "end_ms": float(r["end_ms"]),
            "onset_ms": float(r["onset_ms"]), "runs": int(r["runs"]), "cpu_util": float(r["cpu_util"]),
            "cores": int(r["cores"]), "cpu_workers": int(r["cpu_workers"]),
            "load_cpu_cores": float(r["load_cpu_cores"]), "gpu_duty": float(r["gpu_duty"]),
            "gpu_busy": float(r["gpu_busy"]) if r["gpu_busy"] not in ("", None) else None,
            "problems": r.get("problems", "") or "",
        })
    return out


# ---------------------------------------------------------------------------------------------
# Analysis (pure functions over parsed rows; tests/bench/test_load_scenario.py checks them)


def phase_stats(runs):
    """{(policy, phase_index): {"mean", "median", "n"}} over the runs of each phase."""
    by = collections.defaultdict(list)
    for r in runs:
        by[(r["policy"], r["phase_index"])].append(r["latency_ms"])
    return {k: {"mean": statistics.fmean(v), "median": statistics.median(v), "n": len(v)} for k, v in by.items()}


def schedule_of(phases):
    """[(phase_index, name, seconds)] of the schedule (the same for every policy of a model)."""
    seen = {}
    for p in phases:
        seen.setdefault(p["phase_index"], (p["phase_index"], p["phase"], p["seconds"]))
    return [seen[i] for i in sorted(seen)]


def oracle(stats, schedule, static_policies=STATIC_POLICIES):
    """Per phase index: (best static policy, its mean, its median); None where no static policy ran."""
    out = {}
    for idx, _, _ in schedule:
        cands = [(stats[(p, idx)]["mean"], p) for p in static_policies if (p, idx) in stats]
        if not cands:
            out[idx] = None
            continue
        mean, policy = min(cands)
        out[idx] = (policy, mean, stats[(policy, idx)]["median"])
    return out


def overall_mean(per_phase_means, schedule):
    """Duration-weighted mean of per-phase means ({phase_index: mean}); None if a phase is missing."""
    total = sum(sec for _, _, sec in schedule)
    if any(idx not in per_phase_means for idx, _, _ in schedule) or total <= 0:
        return None
    return sum(per_phase_means[idx] * sec for idx, _, sec in schedule) / total


def policy_overall(stats, schedule, policy):
    return overall_mean({i: stats[(policy, i)]["mean"] for i, _, _ in schedule if (policy, i) in stats}, schedule)


def oracle_overall(orc, schedule):
    return overall_mean({i: o[1] for i, o in orc.items() if o is not None}, schedule)


def reactions(runs, phases, orc, policy=ADAPTIVE, within=REACTION_WITHIN, window=REACTION_WINDOW):
    """After every load change (a phase whose load differs from the one before): how long `policy`
    took, from the onset of the new load, until the median of `window` consecutive runs is within
    `within` x the phase's best static median (that run itself within, and the median of it and the
    next window-1 runs), or its runner changes. Returns one dict per change:
    phase_index, phase, onset_ms, runs, ms (None, None when it never happened in the phase), how."""
    mine = [r for r in runs if r["policy"] == policy]
    onset = {p["phase_index"]: p["onset_ms"] for p in phases if p["policy"] == policy}
    names = {p["phase_index"]: p["phase"] for p in phases if p["policy"] == policy}
    out = []
    for idx in sorted(names):
        if idx == 0 or names[idx] == names.get(idx - 1) or orc.get(idx) is None:
            continue
        t0 = onset[idx]
        before = [r for r in mine if r["t_ms"] < t0]
        runner_before = before[-1]["runner"] if before else ""
        after = [r for r in mine if r["phase_index"] == idx and r["t_ms"] >= t0]
        target = within * orc[idx][2]
        res = {"phase_index": idx, "phase": names[idx], "onset_ms": t0, "runs": None, "ms": None, "how": "never"}
        for k, r in enumerate(after):
            if runner_before and r["runner"] and r["runner"] != runner_before:
                res.update(runs=k, ms=r["t_ms"] - t0, how=f"runner {runner_before}->{r['runner']}")
                break
            win = [x["latency_ms"] for x in after[k:k + window]]  # shorter at the phase's end
            if r["latency_ms"] <= target and statistics.median(win) <= target:
                res.update(runs=k, ms=r["t_ms"] - t0, how="latency")
                break
        out.append(res)
    return out


def load_check(phases):
    """Per phase index: the loads as measured, averaged over the policies' runs of that phase."""
    by = collections.defaultdict(list)
    for p in phases:
        by[p["phase_index"]].append(p)
    out = {}
    for idx, ps in sorted(by.items()):
        busy = [p["gpu_busy"] for p in ps if p["gpu_busy"] is not None]
        out[idx] = {
            "phase": ps[0]["phase"], "cpu_util": statistics.fmean(p["cpu_util"] for p in ps), "cores": ps[0]["cores"],
            "cpu_workers": ps[0]["cpu_workers"], "load_cpu_cores": statistics.fmean(p["load_cpu_cores"] for p in ps),
            "gpu_duty": ps[0]["gpu_duty"], "gpu_busy": statistics.fmean(busy) if busy else None,
            "problems": sorted({p["problems"] for p in ps if p["problems"]}),
        }
    return out


TAIL_FACTOR = 1.5  # a run this many times static auto's phase median on the same runner is a tail run


def same_runner_tails(runs, phases, factor=TAIL_FACTOR):
    """Per phase index: adaptive vs static auto on the runner static auto used most in the phase.
    Equal medians with a higher adaptive mean mean a tail: runs over `factor` x static's median,
    counted per second of the phase, and the median gap between adaptive's tail runs (a periodic
    cost shows as a gap near its period: the GPU probe's host wait showed one per 25 ms, H100,
    2026-12-07). {idx: {"runner", "adaptive_mean", "static_mean", "adaptive_median", "static_median",
    "threshold_ms", "adaptive_tail_per_s", "static_tail_per_s", "adaptive_tail_gap_ms"}}"""
    seconds = {idx: sec for idx, _, sec in schedule_of(phases)}
    by = collections.defaultdict(list)
    for r in runs:
        by[(r["policy"], r["phase_index"])].append(r)
    out = {}
    for idx, sec in seconds.items():
        static = by.get((STATIC_AUTO, idx), [])
        if not static or not by.get((ADAPTIVE, idx)) or sec <= 0:
            continue
        runner = collections.Counter(r["runner"] for r in static).most_common(1)[0][0]
        s = [r for r in static if r["runner"] == runner]
        a = [r for r in by[(ADAPTIVE, idx)] if r["runner"] == runner]
        if not a:
            continue
        s_med = statistics.median(r["latency_ms"] for r in s)
        thr = factor * s_med
        a_tail = [r["t_ms"] for r in a if r["latency_ms"] > thr]
        gaps = sorted(y - x for x, y in zip(a_tail, a_tail[1:]))
        out[idx] = {
            "runner": runner, "adaptive_mean": statistics.fmean(r["latency_ms"] for r in a),
            "static_mean": statistics.fmean(r["latency_ms"] for r in s),
            "adaptive_median": statistics.median(r["latency_ms"] for r in a), "static_median": s_med,
            "threshold_ms": thr, "adaptive_tail_per_s": len(a_tail) / sec,
            "static_tail_per_s": sum(1 for r in s if r["latency_ms"] > thr) / sec,
            "adaptive_tail_gap_ms": statistics.median(gaps) if gaps else None,
        }
    return out


def analyze(runs, phases):
    """Everything the summary shows for one model."""
    stats = phase_stats(runs)
    sched = schedule_of(phases)
    policies = list(dict.fromkeys(r["policy"] for r in runs))
    orc = oracle(stats, sched)
    res = {"stats": stats, "schedule": sched, "policies": policies, "oracle": orc,
           "overall": {p: policy_overall(stats, sched, p) for p in policies},
           "oracle_overall": oracle_overall(orc, sched), "loads": load_check(phases),
           "reactions": reactions(runs, phases, orc) if ADAPTIVE in policies else [],
           "tails": same_runner_tails(runs, phases) if ADAPTIVE in policies else {}}
    a, o = res["overall"].get(ADAPTIVE), res["oracle_overall"]
    res["adaptive_vs_oracle"] = a / o if a and o else None
    ratios = {}
    if ADAPTIVE in policies and STATIC_AUTO in policies:
        for idx, _, _ in sched:
            if (ADAPTIVE, idx) in stats and (STATIC_AUTO, idx) in stats:
                ratios[idx] = stats[(ADAPTIVE, idx)]["mean"] / stats[(STATIC_AUTO, idx)]["mean"]
    res["adaptive_vs_static"] = ratios
    return res


def targets(res):
    """(name, value text, pass: True/False/None when not measurable) for the three targets of #12."""
    out = []
    r = res["adaptive_vs_oracle"]
    out.append(("adaptive auto / oracle, whole schedule (<= 1.10)", f"{r:.3f}" if r else "n/a",
                None if r is None else r <= TARGET_ORACLE))
    ratios = res["adaptive_vs_static"]
    worst = max(ratios.values()) if ratios else None
    out.append(("adaptive / static auto, worst phase (<= 1.05)", f"{worst:.3f}" if worst else "n/a",
                None if worst is None else worst <= TARGET_STATIC))
    reacts = res["reactions"]
    if not reacts:
        out.append(("reaction after a load change (<= 20 runs or 100 ms)", "n/a", None))
    else:
        ok = all(x["runs"] is not None and (x["runs"] <= TARGET_RUNS or x["ms"] <= TARGET_MS) for x in reacts)
        worst_txt = "; ".join(
            f"{x['phase']}: " + ("never" if x["runs"] is None else f"{x['runs']} runs / {x['ms']:.0f} ms")
            for x in reacts)
        out.append(("reaction after a load change (<= 20 runs or 100 ms)", worst_txt, ok))
    return out


# ---------------------------------------------------------------------------------------------
# Writing


def fmt_ms(v):
    return "" if v is None else f"{v:.3f}"


def mark(ok):
    return "n/a" if ok is None else ("pass" if ok else "MISS")


def summary_markdown(model, res, header=""):
    sched, stats, pols, orc = res["schedule"], res["stats"], res["policies"], res["oracle"]
    lines = [f"### {model}", ""]
    if header:
        lines += [header, ""]
    cols = ["phase", "s"] + [f"{p} ms" for p in pols] + ["oracle", "oracle ms"]
    if ADAPTIVE in pols:
        cols.append("adaptive / oracle")
    if res["adaptive_vs_static"]:
        cols.append("adaptive / static auto")
    lines += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for idx, name, sec in sched:
        row = [f"{idx} {name}", f"{sec:g}"]
        row += [fmt_ms(stats[(p, idx)]["mean"]) if (p, idx) in stats else "" for p in pols]
        o = orc.get(idx)
        row += [o[0] if o else "", fmt_ms(o[1]) if o else ""]
        if ADAPTIVE in pols:
            a = stats.get((ADAPTIVE, idx))
            row.append(f"{a['mean'] / o[1]:.3f}" if a and o else "")
        if res["adaptive_vs_static"]:
            r = res["adaptive_vs_static"].get(idx)
            row.append(f"{r:.3f}" if r is not None else "")
        lines.append("| " + " | ".join(row) + " |")
    row = ["whole schedule (duration-weighted)", f"{sum(s for _, _, s in sched):g}"]
    row += [fmt_ms(res["overall"][p]) for p in pols]
    row += ["", fmt_ms(res["oracle_overall"])]
    if ADAPTIVE in pols:
        row.append(f"{res['adaptive_vs_oracle']:.3f}" if res["adaptive_vs_oracle"] else "")
    if res["adaptive_vs_static"]:
        row.append("")
    lines += ["| " + " | ".join(row) + " |", ""]
    # Medians beside the means: on a shared machine a few runs stalled by the OS scheduler move a
    # mean far more than a median.
    lines += ["Median latency per phase (ms):", "", "| phase | " + " | ".join(pols) + " |", "|---|" + "---|" * len(pols)]
    for idx, name, _ in sched:
        lines.append(f"| {idx} {name} | " + " | ".join(
            fmt_ms(stats[(p, idx)]["median"]) if (p, idx) in stats else "" for p in pols) + " |")
    lines.append("")
    if res["reactions"]:
        lines += ["Reaction of adaptive `auto` after each load change (from the load's onset):", "",
                  "| phase | onset ms | runs | ms | how |", "|---|---|---|---|---|"]
        for x in res["reactions"]:
            runs_txt = "" if x["runs"] is None else str(x["runs"])
            ms_txt = "" if x["ms"] is None else f"{x['ms']:.0f}"
            lines.append(f"| {x['phase_index']} {x['phase']} | {x['onset_ms']:.0f} | {runs_txt} | {ms_txt} | {x['how']} |")
        lines.append("")
    if res.get("tails"):
        lines += [f"Adaptive vs static `auto` on the runner static auto used most in the phase: means, medians, and "
                  f"tail runs (over {TAIL_FACTOR:g}x static's median) per second, with the median gap between "
                  "adaptive's tail runs (a periodic cost shows as its period):", "",
                  "| phase | runner | adaptive mean | static mean | adaptive median | static median | "
                  "adaptive tail /s | static tail /s | adaptive tail gap ms |", "|---|---|---|---|---|---|---|---|---|"]
        for idx, name, _ in sched:
            t = res["tails"].get(idx)
            if t is None:
                continue
            gap = "" if t["adaptive_tail_gap_ms"] is None else f"{t['adaptive_tail_gap_ms']:.1f}"
            lines.append(f"| {idx} {name} | {t['runner']} | {fmt_ms(t['adaptive_mean'])} | {fmt_ms(t['static_mean'])} | "
                         f"{fmt_ms(t['adaptive_median'])} | {fmt_ms(t['static_median'])} | "
                         f"{t['adaptive_tail_per_s']:.1f} | {t['static_tail_per_s']:.1f} | {gap} |")
        lines.append("")
    lines += ["Loads as measured (mean over the policies' processes): CPU utilization of all cores from "
              "/proc/stat (the model's own threads included), cores the load processes used (their CPU time / phase "
              "time), the GPU busy share hetsched_gpu_load measured from its timestamps:", "",
              "| phase | CPU util | stress-ng workers | load processes, cores | GPU duty | GPU busy | problems |",
              "|---|---|---|---|---|---|---|"]
    for idx, lc in res["loads"].items():
        busy_txt = "" if lc["gpu_busy"] is None else f"{100 * lc['gpu_busy']:.0f}%"
        lines.append(f"| {idx} {lc['phase']} | {100 * lc['cpu_util']:.0f}% of {lc['cores']} | {lc['cpu_workers']} | "
                     f"{lc['load_cpu_cores']:.2f} | {100 * lc['gpu_duty']:.0f}% | {busy_txt} | "
                     f"{'; '.join(lc['problems'])} |")
    lines.append("")
    if ADAPTIVE in pols:
        lines += ["Targets (issue #12):", ""] + [f"- {n}: {v} ({mark(ok)})" for n, v, ok in targets(res)] + [""]
    return "\n".join(lines)


PHASE_COLORS = {"cpu": "#f4a261", "gpu": "#8ecae6", "both": "#cdb4db"}
POLICY_COLORS = {"cpu": "#e76f51", "gpu": "#219ebc", "auto:static": "#6a994e", "auto": "#222222"}


def phase_kind(name):
    has_cpu = "cpu" in name or name == "both"
    has_gpu = "gpu" in name or name == "both"
    return "both" if has_cpu and has_gpu else ("cpu" if has_cpu else ("gpu" if has_gpu else None))


def rolling_median(values, k):
    half = k // 2
    return [statistics.median(values[max(0, i - half):i + half + 1]) for i in range(len(values))]


def plot(model, runs, phases, out_base, title_extra=""):
    """Writes out_base.png and .svg; returns False (with a message) where matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"no matplotlib in {sys.executable}: no plot for {model} (run --analyze-only with the .venv's python)")
        return False

    fig, ax = plt.subplots(figsize=(11, 4.8))
    ref = [p for p in phases if p["policy"] == phases[0]["policy"]]
    for p in ref:
        kind = phase_kind(p["phase"])
        lo, hi = p["start_ms"] / 1000, p["end_ms"] / 1000
        if kind:
            ax.axvspan(lo, hi, color=PHASE_COLORS[kind], alpha=0.35, lw=0)
        ax.text((lo + hi) / 2, 1.01, p["phase"], transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=8)
    lat = [r["latency_ms"] for r in runs]
    for pol in dict.fromkeys(r["policy"] for r in runs):
        mine = [r for r in runs if r["policy"] == pol]
        t = [r["t_ms"] / 1000 for r in mine]
        y = [r["latency_ms"] for r in mine]
        color = POLICY_COLORS.get(pol)
        ax.plot(t, y, ".", ms=1.5, alpha=0.25, color=color, rasterized=True)  # keeps the SVG small
        label = {"auto": "auto (adaptive)", "auto:static": "auto:static (decide once)"}.get(pol, pol)
        # The line: a rolling median over about 200 ms of runs (at least 5, at most 101 runs).
        span_s = max(t[-1] - t[0], 1e-3) if t else 1.0
        k = max(5, min(101, int(len(t) / span_s * 0.2) | 1))
        ax.plot(t, rolling_median(y, k), "-", lw=1.2, color=color, label=label)
        for r in mine:
            if r["events"]:
                ax.axvline(r["t_ms"] / 1000, color=color, lw=0.6, ls=":")
    if lat and max(lat) / max(min(lat), 1e-9) > 20:
        ax.set_yscale("log")
    ax.set_xlabel("time since the schedule started (s)")
    ax.set_ylabel("latency per run (ms); line: rolling median")
    ax.set_title(f"{model}: latency under load{title_extra}", pad=16)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(f"{out_base}.png", dpi=110)
    fig.savefig(f"{out_base}.svg")
    plt.close(fig)
    return True


def write_concat(paths, out_path):
    header, body = None, []
    for p in paths:
        with open(p, newline="") as f:
            rows = list(csv.reader(f))
        if not rows:
            continue
        header = header or rows[0]
        body += rows[1:]
    out_path = str(out_path)
    with (gzip.open(out_path, "wt", newline="") if out_path.endswith(".gz") else open(out_path, "w", newline="")) as f:
        w = csv.writer(f)
        if header:
            w.writerow(header)
        w.writerows(body)


def safe(policy):
    return policy.replace(":", "_").replace("=", "_").replace("/", "_")


# ---------------------------------------------------------------------------------------------
# Running


def run_one(args, model_path, policy, raw_dir):
    name = model_path.stem
    runs_csv = raw_dir / f"{name}__{safe(policy)}.csv"
    phases_csv = raw_dir / f"{name}__{safe(policy)}.phases.csv"
    cmd = [str(Path(args.bin) / "load_scenario"), str(model_path), "--policy", policy, "--schedule", args.schedule,
           "--warmup", str(args.warmup), "--seed", str(args.seed), "--csv", str(runs_csv),
           "--phases-csv", str(phases_csv), "--gpu-load", str(Path(args.bin) / "hetsched_gpu_load"),
           "--stress-ng", args.stress_ng]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    if args.device is not None:
        cmd += ["--device", str(args.device)]
    if args.complete_tuning:
        cmd.append("--complete-tuning")
    cmd += args.extra.split()
    print(f"== {name} {policy} ({time.strftime('%H:%M:%S')})", flush=True)
    t = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    sys.stdout.write(p.stdout)
    if p.returncode != 0:
        print(f"load_scenario failed on {name} {policy} (exit {p.returncode}): {p.stderr.strip()[-500:]}", flush=True)
        return False
    if p.stderr.strip():
        sys.stdout.write(p.stderr)
    print(f"   {time.time() - t:.1f} s", flush=True)
    return True


def analyze_dir(out_dir, title, header_lines, keep_raw=True):
    raw = out_dir / "raw"
    # From raw/ (one CSV pair per process) when it is there, else from the per-model CSVs it was
    # merged into (a committed result keeps only those).
    models = sorted({p.name.split("__")[0] for p in raw.glob("*__*.phases.csv")}) or \
        sorted(p.name[:-len("_phases.csv")] for p in out_dir.glob("*_phases.csv"))
    sections, table = [], []
    for model in models:
        runs_paths = sorted(p for p in raw.glob(f"{model}__*.csv") if not p.name.endswith(".phases.csv"))
        phase_paths = sorted(raw.glob(f"{model}__*.phases.csv"))
        if phase_paths:  # every run of every policy, gzipped (a GPU machine's runs are 100k+ rows)
            write_concat(runs_paths, out_dir / f"{model}_runs.csv.gz")
            write_concat(phase_paths, out_dir / f"{model}_phases.csv")
        order = {p: i for i, p in enumerate(("cpu", "gpu", "auto:static", "auto"))}
        runs = sorted(parse_runs(read_csv(out_dir / f"{model}_runs.csv.gz")),
                      key=lambda r: (order.get(r["policy"], 9), r["policy"], r["run"]))
        phases = parse_phases(read_csv(out_dir / f"{model}_phases.csv"))
        res = analyze(runs, phases)
        plotted = plot(model, runs, phases, out_dir / model, f" ({title})" if title else "")
        md = summary_markdown(model, res)
        (out_dir / f"{model}_summary.md").write_text(md + "\n")
        sections.append(md + (f"\n![{model}]({model}.png)\n" if plotted else ""))
        if ADAPTIVE in res["policies"]:
            t = targets(res)
            table.append(f"| {model} | " + " | ".join(f"{v} ({mark(ok)})" for _, v, ok in t) + " |")
    out = [f"# Load scenarios{': ' + title if title else ''}", ""] + header_lines + [""]
    if table:
        out += ["| model | adaptive / oracle (<= 1.10) | adaptive / static auto, worst phase (<= 1.05) | "
                "reaction (<= 20 runs or 100 ms) |", "|---|---|---|---|"] + table + [""]
    out += sections
    (out_dir / "summary.md").write_text("\n".join(out) + "\n")
    if not keep_raw and models:
        shutil.rmtree(raw, ignore_errors=True)
    print(f"wrote {out_dir / 'summary.md'} ({len(models)} models)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=str(ROOT / "build"), help="folder with load_scenario and hetsched_gpu_load")
    ap.add_argument("--models", default="face_detection_short_range", help="comma-separated zoo names or .tflite paths")
    ap.add_argument("--models-dir", default=str(ROOT / "models"))
    ap.add_argument("--policies", default="cpu,gpu,auto:static,auto")
    ap.add_argument("--schedule", default="idle:3,gpu90:5,idle:3,cpu100:5,both:5,idle:3")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", type=int, default=None)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stress-ng", default=os.environ.get("HETSCHED_STRESS_NG", "stress-ng"))
    ap.add_argument("--timeout", type=float, default=600, help="seconds per load_scenario process")
    ap.add_argument("--complete-tuning", action="store_true", help="load_scenario --complete-tuning")
    ap.add_argument("--extra", default="", help="more load_scenario arguments, space-separated (--extra='--x 1')")
    ap.add_argument("--budget-s", type=float, default=0,
                    help="start no process that would end after this many seconds (0: no limit)")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--title", default="", help="machine and date, for the plots and summary.md")
    ap.add_argument("--note", action="append", default=[], help="a line for the top of summary.md")
    ap.add_argument("--analyze-only", action="store_true", help="only (re)write the summary from OUT/raw")
    ap.add_argument("--drop-raw", action="store_true",
                    help="remove OUT/raw once merged into OUT/<model>_runs.csv.gz and OUT/<model>_phases.csv")
    args = ap.parse_args()
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    header = list(args.note)
    if args.title:
        (out_dir / "title.txt").write_text(args.title + "\n")
    elif (out_dir / "title.txt").exists():
        args.title = (out_dir / "title.txt").read_text().strip()
    if not args.analyze_only:
        (out_dir / "raw").mkdir(exist_ok=True)
        failures, skipped, started = 0, [], time.time()
        schedule_s = sum(float(item.split(":")[1]) for item in args.schedule.split(","))
        for m in filter(None, args.models.split(",")):
            path = Path(m) if m.endswith(".tflite") else Path(args.models_dir) / f"{m}.tflite"
            for policy in filter(None, args.policies.split(",")):
                if args.budget_s and time.time() - started + schedule_s + 10 > args.budget_s:
                    skipped.append(f"{path.stem} {policy}")
                    continue
                failures += not run_one(args, path, policy, out_dir / "raw")
        if skipped:
            print(f"budget of {args.budget_s:.0f} s spent; not run: {', '.join(skipped)}")
            header.append(f"Not run (time budget): {', '.join(skipped)}.")
        header.append(f"Schedule `{args.schedule}`; policies {args.policies}, each in its own process after "
                      f"{args.warmup} warm-up runs; threads {args.threads or 'all'}; input seed {args.seed}.")
        (out_dir / "header.txt").write_text("\n".join(header) + "\n")
        if failures:
            print(f"{failures} load_scenario runs failed")
    elif (out_dir / "header.txt").exists():
        header = (out_dir / "header.txt").read_text().splitlines() + header
    analyze_dir(out_dir, args.title, header, keep_raw=not args.drop_raw)


if __name__ == "__main__":
    main()
