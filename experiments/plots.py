"""experiments/: the figures (matplotlib, PNG + SVG), one function per experiment; each returns
the file stems it wrote."""
import math
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import analysis  # noqa: E402


def save(fig, out, stem):
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(out / f"{stem}.{ext}", dpi=110)
    plt.close(fig)
    return stem


def style(ax, xlabel=None, ylabel=None, xscale=None, yscale=None, legend=None, unity=False):
    """What the figures set on an axes: a grey line at 1 (`unity`: gains and ratios), log scales,
    the axis labels and a legend at font size `legend`."""
    if unity:
        ax.axhline(1, color="grey", lw=0.8)
    if xscale:
        ax.set_xscale(xscale)
    if yscale:
        ax.set_yscale(yscale)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if legend:
        ax.legend(fontsize=legend)


def e1(out, pot):
    if not pot:
        return []
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    xs = sorted(p["speed_ratio"] for p in pot)
    lo, hi = min(xs + [0.5]) / 1.5, max(xs + [2]) * 1.5
    grid = [lo * (hi / lo) ** (i / 200) for i in range(201)]
    ax.plot(grid, [analysis.ideal_gain(s) for s in grid], "k--", lw=1, label="ideal bound 1 + min(s, 1/s)")
    ax.scatter([p["speed_ratio"] for p in pot], [p["plan_gain"] for p in pot], marker="o", label="best plan found")
    ax.scatter([p["speed_ratio"] for p in pot if p["auto_gain"] == p["auto_gain"]],
               [p["auto_gain"] for p in pot if p["auto_gain"] == p["auto_gain"]], marker="x", label="auto")
    style(ax, "speed ratio s = T_cpu / T_gpu (model x CPU threads)", "gain over the best single processor",
          xscale="log", legend=8, unity=True)
    return [save(fig, out, "E1_gain_vs_speed_ratio")]


def e2(out, lrows):
    if not lrows:
        return []
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    by = defaultdict(list)
    for r in lrows:
        by[r["op_type"]].append(r["gain"])
    names = sorted(by)
    ax.boxplot([by[n] for n in names])
    ax.set_xticks(range(1, len(names) + 1))
    ax.set_xticklabels(names, fontsize=7)
    style(ax, ylabel="best split / better processor (gain, per layer)", yscale="log", unity=True)
    return [save(fig, out, "E2_layer_gain_by_type")]


def e3(out, rows):
    if not rows:
        return []
    fig, ax = plt.subplots(figsize=(max(6.4, 1.1 * len(rows) * 2), 4.2))
    labels, x = [], 0
    colors = {"compute": "tab:blue", "waiting": "tab:orange", "rest": "tab:grey"}
    done = set()
    for r in rows:
        for dev in ("cpu", "gpu"):
            bottom = 0
            for part in ("compute", "waiting", "rest"):
                v = r.get(f"{dev}:{part}", 0) or 0
                ax.bar(x, v, bottom=bottom, color=colors[part], label=part if part not in done else None)
                done.add(part)
                bottom += v
            labels.append(f"{r['model'][:14]}\n{r['policy']}\n{dev}")
            x += 1
        x += 0.5
    ticks = []
    x = 0
    for _ in rows:
        ticks += [x, x + 1]
        x += 2.5
    ax.set_xticks(ticks)
    ax.set_xticklabels(labels, fontsize=6)
    style(ax, ylabel="ms per run (median of profiled runs)", legend=8)
    return [save(fig, out, "E3_breakdown")]


def e4(out, points):
    if not points:
        return []
    fig, axs = plt.subplots(1, 2, figsize=(10, 4))
    for (model, axis, rnd), pts in sorted(group(points, ("model", "axis", "round")).items()):
        axs[0].plot([p["ratio"] for p in pts], [p["ms"] for p in pts], marker=".", lw=0.8,
                    label=f"{model[:18]} {axis} r{rnd}")
        axs[1].scatter([p["distance"] for p in pts], [p["penalty"] for p in pts], s=10)
    style(axs[0], "split ratio (CPU share)", "median latency (ms)", yscale="log", legend=6)
    style(axs[1], "distance from the round's optimum ratio", "latency / optimum", yscale="log")
    return [save(fig, out, "E4_ratio_sweep")]


def group(rows, keys):
    g = defaultdict(list)
    for r in rows:
        g[tuple(r[k] for k in keys)].append(r)
    return g


def e5(out, env, phases):
    if not env:
        return []
    stems = []
    for model, rs in sorted(group(env, ("model",)).items()):
        rs = sorted(rs, key=lambda r: phases.index(r["phase"]) if r["phase"] in phases else 99)
        pols = [p for p in ("cpu", "gpu", "auto:static", "auto") if any(f"{p}_ms" in r for r in rs)]
        fig, ax = plt.subplots(figsize=(max(6.4, 0.9 * len(rs) * len(pols) / 2), 4.2))
        w = 0.8 / (len(pols) + 1)
        for i, p in enumerate(pols + ["oracle"]):
            ax.bar([k + i * w for k in range(len(rs))], [r.get(f"{p}_ms", math.nan) for r in rs], w, label=p)
        ax.set_xticks([k + 0.4 for k in range(len(rs))])
        ax.set_xticklabels([r["phase"] for r in rs], fontsize=7)
        ax.set_title(model[0], fontsize=9)
        style(ax, ylabel="median latency (ms)", yscale="log", legend=7)
        stems.append(save(fig, out, f"E5_{model[0]}"))
    return stems


def e6(out, table):
    if not table:
        return []
    fig, axs = plt.subplots(1, 3, figsize=(11, 3.6))
    for ax, f in zip(axs, ("depthwise_mac_share", "macs_per_byte", "resolution")):
        ax.scatter([t[f] for t in table], [t["plan_gain"] for t in table])
        style(ax, xlabel=f, unity=True)
    style(axs[0], ylabel="best plan gain over the best single processor")
    return [save(fig, out, "E6_features_vs_gain")]


def e7(out, rows):
    rows = [r for r in rows if r.get("status") == "ok"]
    if not rows:
        return []
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.8))
    labels = [f"{r['model'][:14]}\n{r['policy']}" for r in rows]
    axs[0].bar(range(len(rows)), [float(r["arena_bytes"] or "nan") / 2**20 for r in rows])
    axs[0].set_ylabel("arena (MiB)")
    axs[1].bar(range(len(rows)), [float(r["peak_rss_mib"] or "nan") for r in rows])
    axs[1].set_ylabel("peak RSS of the process (MiB)")
    for ax in axs:
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels(labels, fontsize=6, rotation=60)
    return [save(fig, out, "E7_memory")]


def e8(out, rows):
    rows = [r for r in rows if r.get("status") == "ok" and r["level"] == "kernel"]
    if not rows:
        return []
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    procs = sorted({r["processor"] for r in rows})
    preds = ["flops", "lut", "gbt"]
    w = 0.8 / len(preds)
    for i, p in enumerate(preds):
        v = {r["processor"]: float(r["within10"]) for r in rows if r["predictor"] == p}
        ax.bar([k + i * w for k in range(len(procs))], [v.get(q, math.nan) * 100 for q in procs], w, label=p)
    ax.set_xticks([k + 0.4 for k in range(len(procs))])
    ax.set_xticklabels(procs)
    style(ax, ylabel="% of held-out kernels within +-10%", legend=8)
    return [save(fig, out, "E8_within10")]
