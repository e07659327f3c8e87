#!/usr/bin/env python3
# Accuracy report of the latency predictors, as the papers report it (nn-Meter, LitePred).
"""Usage: report.py --train ARCHS.csv... [--zoo ZOO.csv] --out DIR [--holdout 0.2] [--label TEXT]

Splits the generated architectures' models into train and held-out sets (by a hash of the model
name, --holdout of them held out), trains the three predictors (profiles/train/predictors.py:
FLOPs-linear, lookup table, gradient-boosted trees) on the train set, and reports per processor
and predictor: RMSE (us), MAPE, and the share within +-5% and +-10%,
  - kernel level on the held-out architectures' kernels (every measured range),
  - model level on the held-out architectures and on the zoo (the sum of the model's whole-range
    kernels plus the processor's fixed costs, against the measured whole-model run).
The zoo is never trained on. Writes DIR/report.md, DIR/metrics.json, DIR/scatter_<processor>.png,
DIR/predictor_gbt.json and DIR/predictor_flops.json (C++-readable).
"""
import argparse
import hashlib
import json
import math
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "train"))
import predictors as P  # noqa: E402

PREDICTORS = ["flops", "lut", "gbt"]
# At model level also "measured": the sum of the model's measured kernel medians, i.e. the error of
# the sum law itself (kernels timed alone vs the whole run), which no kernel predictor can remove.
MODEL_PREDICTORS = PREDICTORS + ["measured"]


def held_out(model, share):
    h = int(hashlib.sha256(P.model_stem(model).encode()).hexdigest()[:8], 16)
    return (h % 1000) < share * 1000


def wilson(k, n, z=1.96):
    """The 95% Wilson score interval of a share k / n: how far the share of 20 zoo models (or 94
    held-out ones) within +-10% can move between two runs of the same code by chance alone."""
    if n == 0:
        return 0.0, 1.0
    p, z2 = k / n, z * z
    centre, half = (p + z2 / (2 * n)) / (1 + z2 / n), z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def metrics(pred, meas):
    ok = np.isfinite(pred)
    pred, meas = pred[ok], meas[ok]
    if len(meas) == 0:
        return {"n": 0}
    rel = np.abs(pred - meas) / meas
    within10 = int(np.sum(rel <= 0.10))
    return {"n": int(len(meas)), "rmse_us": float(np.sqrt(np.mean((pred - meas) ** 2))), "mape": float(np.mean(rel)),
            "within5": float(np.mean(rel <= 0.05)), "within10": within10 / len(meas),
            "within10_ci95": list(wilson(within10, len(meas)))}


def model_level(trained, which, ds, measure="wall"):
    """(processor, model, measured, predicted) for every MODEL row whose whole-range kernels are in ds.
    measure "cpu": the row's process CPU time (cpu_us) instead of its wall time, CPU rows that have it.
    A model measured in several files counts once (the last row wins)."""
    kernels = defaultdict(list)
    off = P.clock_off_models(ds)  # a kernel timed at a low GPU clock: the sum misses it
    for r in P.kernel_rows(ds):
        if r["axis"] == "whole" and (P.processor_key(r), r["model"]) not in off:
            kernels[(P.processor_key(r), r["model"])].append(r)
    measured = {}
    for r in ds.rows:
        if r["op_type"] != "MODEL":
            continue
        if measure == "cpu":
            if r["processor"] != "cpu" or float(r.get("cpu_us") or -1) <= 0:
                continue
            measured[(P.processor_key(r), r["model"])] = float(r["cpu_us"])
        else:
            measured[(P.processor_key(r), r["model"])] = P.row_time(r)
    out = []
    for (key, model), meas in sorted(measured.items()):
        ks = kernels.get((key, model), [])
        if not ks:
            continue
        if which == "measured":  # the sum law itself: the measured kernels' medians, no predictor
            pred = float(sum(P.row_time(k) for k in ks))
        else:
            own = trained["gbt" if which == "gbt" else "flops"]  # the LUT shares the FLOPs file's run context
            fixed = own["processors"].get(key, {}).get("fixed_us", {})
            kernel_us = P.predict_rows(trained, which, ks, ds.feature_names)
            if which == "gbt":  # each kernel as it runs inside the model (the context model)
                kernel_us = kernel_us * P.context_factors(own, key, ks, ds.feature_names)
            pred = fixed.get("kernel_scale", 1.0) * float(np.sum(kernel_us))
            pred += fixed.get("per_op_us", 0.0) * len(ks)
            if key.startswith("gpu"):
                pred += fixed.get("gpu_submit_us", 0.0)
        out.append((key, model, meas, pred))
    return out


def table(title, rows):
    lines = [f"### {title}", "", "| processor | predictor | n | RMSE (us) | MAPE | within 5% | within 10% | within 10%: 95% CI |",
             "|---|---|---|---|---|---|---|---|"]
    if not any(m["n"] for _, _, m in rows):
        return [f"### {title}", "", "(no data)", ""]
    for key, which, m in rows:
        if m["n"] == 0:
            continue
        lines.append(f"| {key} | {which} | {m['n']} | {m['rmse_us']:.1f} | {100 * m['mape']:.1f}% | "
                     f"{100 * m['within5']:.1f}% | {100 * m['within10']:.1f}% | "
                     f"{100 * m['within10_ci95'][0]:.0f}-{100 * m['within10_ci95'][1]:.0f}% |")
    return lines + [""]


def scatter(path, key, series, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(series), figsize=(5 * len(series), 4.5), squeeze=False)
    for ax, (name, pts) in zip(axes[0], series.items()):
        for which, color in zip(MODEL_PREDICTORS, ["tab:gray", "tab:orange", "tab:blue", "tab:green"]):
            xs = [m for w, m, p in pts if w == which]
            ys = [p for w, m, p in pts if w == which]
            if xs:
                ax.scatter(xs, ys, s=6, alpha=0.5, color=color, label=which)
        allv = [v for _, m, p in pts for v in (m, p) if v > 0]
        if allv:
            lo, hi = min(allv), max(allv)
            ax.plot([lo, hi], [lo, hi], "k-", lw=0.8)
            ax.plot([lo, hi], [lo * 1.1, hi * 1.1], "k:", lw=0.6)
            ax.plot([lo, hi], [lo / 1.1, hi / 1.1], "k:", lw=0.6)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("measured (us)")
        ax.set_ylabel("predicted (us)")
        ax.set_title(f"{key}: {name}")
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", nargs="+", required=True)
    ap.add_argument("--zoo", nargs="*", default=[])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--label", default="")
    ap.add_argument("--t1-cpu-time", action="store_true",
                    help="1-thread CPU rows: train and score on process CPU time (a busy machine; see predictors.py)")
    a = ap.parse_args()
    P.T1_CPU_TIME = a.t1_cpu_time
    a.out.mkdir(parents=True, exist_ok=True)

    archs = P.Dataset.load(a.train).subset(lambda r: not P.is_zoo(r["model"]))
    train = archs.subset(lambda r: r["op_type"] == "FIXED" or not held_out(r["model"], a.holdout))
    test = archs.subset(lambda r: r["op_type"] != "FIXED" and held_out(r["model"], a.holdout))
    zoo = P.Dataset.load(a.zoo).subset(lambda r: P.is_zoo(r["model"])) if a.zoo else P.Dataset([])
    if zoo.rows:
        zoo.feature_names = archs.feature_names
    trained = P.train_all(train, a.rounds)
    P.save(trained["gbt"], a.out / "predictor_gbt.json")
    P.save(trained["flops"], a.out / "predictor_flops.json")

    test_k = P.kernel_rows(test)
    meas_k = P.targets(test_k) if test_k else np.array([])
    keys = sorted({P.processor_key(r) for r in test_k} | {P.processor_key(r) for r in zoo.rows if r["op_type"] != "FIXED"})
    result = {"kernel": {}, "model_held_out": {}, "model_zoo": {}, "model_held_out_cpu_time": {},
              "model_zoo_cpu_time": {}}
    rows_k, rows_mh, rows_mz, rows_mhc, rows_mzc = [], [], [], [], []
    points = defaultdict(lambda: defaultdict(list))
    pred_k = {w: P.predict_rows(trained, w, test_k, archs.feature_names) for w in PREDICTORS} if test_k else {}
    ml_test = {w: model_level(trained, w, test) for w in MODEL_PREDICTORS}
    ml_zoo = {w: model_level(trained, w, zoo) for w in MODEL_PREDICTORS} if zoo.rows else {}
    ml_zoo_cpu = {w: model_level(trained, w, zoo, "cpu") for w in MODEL_PREDICTORS} if zoo.rows else {}
    ml_test_cpu = {w: model_level(trained, w, test, "cpu") for w in MODEL_PREDICTORS}
    # A held-out kernel whose configuration (processor and feature vector) a training architecture
    # also has: with the profiler's measurement cache both rows are one measurement, which the lookup
    # table then matches exactly. The "unseen" table scores the held-out kernels without such a twin.
    def config_of(r):
        return P.processor_key(r), tuple(r["f_" + n] for n in archs.feature_names)
    seen = {config_of(r) for r in P.kernel_rows(train)}
    unseen = [config_of(r) not in seen for r in test_k]
    result["kernel_unseen"] = {}
    rows_ku = []
    for key in keys:
        idx = [i for i, r in enumerate(test_k) if P.processor_key(r) == key]
        idx_u = [i for i in idx if unseen[i]]
        for w in MODEL_PREDICTORS:
            if idx_u and w in PREDICTORS:
                m = metrics(pred_k[w][idx_u], meas_k[idx_u])
                result["kernel_unseen"][f"{key}/{w}"] = m
                rows_ku.append((key, w, m))
            if idx and w in PREDICTORS:
                m = metrics(pred_k[w][idx], meas_k[idx])
                result["kernel"][f"{key}/{w}"] = m
                rows_k.append((key, w, m))
                points[key]["kernels (held-out archs)"] += [(w, float(meas_k[i]), float(pred_k[w][i])) for i in idx]
            for name, ml, rows, res in (("models (held-out archs)", ml_test, rows_mh, result["model_held_out"]),
                                        ("models (zoo)", ml_zoo, rows_mz, result["model_zoo"]),
                                        ("models (zoo, CPU time)", ml_zoo_cpu, rows_mzc, result["model_zoo_cpu_time"]),
                                        ("models (held-out, CPU time)", ml_test_cpu, rows_mhc,
                                         result["model_held_out_cpu_time"])):
                pts = [(meas, pred) for k, _, meas, pred in ml.get(w, []) if k == key]
                if not pts:
                    continue
                m = metrics(np.array([p for _, p in pts]), np.array([x for x, _ in pts]))
                res[f"{key}/{w}"] = m
                rows.append((key, w, m))
                points[key][name] += [(w, x, p) for x, p in pts]
    # In-model kernels: the trees' alone prediction times the context model against the in-model
    # row, beside the kernel's measured alone time taken as the prediction (what ignoring the
    # context costs).
    rows_ki, rows_kiz = [], []
    for name, ds, rows in (("held_out", test, rows_ki), ("zoo", zoo, rows_kiz)):
        for key, pairs in sorted(P.context_pairs(ds, zoo=True).items()):
            alone = [r for r, _ in pairs]
            meas = np.array([P.row_time(r) * f for r, f in pairs])
            pred = P.predict_rows(trained, "gbt", alone, archs.feature_names) * P.context_factors(
                trained["gbt"], key, alone, archs.feature_names)
            for w, p in (("gbt", pred), ("measured alone", np.array([P.row_time(r) for r in alone]))):
                m = metrics(p, meas)
                result.setdefault(f"kernel_in_model_{name}", {})[f"{key}/{w}"] = m
                rows.append((key, w, m))
    for key, series in points.items():
        scatter(a.out / f"scatter_{key.replace(':', '_')}.png", key, series, a.label)

    all_rows = archs.rows + zoo.rows
    loads = [float(r["load_avg"]) for r in all_rows if float(r.get("load_avg", -1)) >= 0]
    kr = P.kernel_rows(archs)
    ratios = [float(r["median_us"]) / float(r["cpu_us"]) for r in all_rows
              if r["op_type"] == "MODEL" and r["processor"] == "cpu" and r["threads"] == "1"
              and float(r.get("cpu_us") or -1) > 0]
    summary = {
        "model_wall_over_cpu_time_t1": statistics.median(ratios) if ratios else -1,
        "label": a.label,
        "devices": sorted({f"{r['processor']}: {r['device']} {r['driver']}".strip() for r in all_rows}),
        "arch_models": len({r["model"] for r in archs.rows if r["op_type"] != "FIXED"}),
        "train_models": len({r["model"] for r in train.rows if r["op_type"] != "FIXED"}),
        "held_out_models": len({r["model"] for r in test.rows}),
        "zoo_models": len({r["model"] for r in zoo.rows}),
        "kernel_rows": len(kr), "op_types": sorted({r["op_type"] for r in kr}),
        "outlier_share": float(np.mean([int(r["outliers"]) / max(1, int(r["n"])) for r in kr])) if kr else 0.0,
        "load_avg_median": statistics.median(loads) if loads else -1, "load_avg_max": max(loads) if loads else -1,
        "fixed_us": trained["gbt"]["processors"] and {k: v["fixed_us"] for k, v in trained["gbt"]["processors"].items()},
        "corun": {k: {"factor": f, "kernels": n} for k, (f, n) in P.corun_factors(archs).items()},
    }
    result["summary"] = summary
    (a.out / "metrics.json").write_text(json.dumps(result, indent=1) + "\n")
    lines = [f"# Latency predictor accuracy: {a.label}", "",
             "Predictors trained on the generated architectures' train split (never on the zoo). Kernel level: "
             "every measured range (whole and partial) of the held-out architectures' kernels. Model level: the "
             "sum of a model's whole-range kernels plus fixed costs vs its measured whole run; the row "
             "`measured` sums the measured kernels instead of predicted ones: the error of the sum law itself.",
             "" if not a.t1_cpu_time else "\nWith --t1-cpu-time: every cpu:t1 time (training targets, kernel and "
             "model measurements) is the process CPU time, not the wall time (the machine was busy).", "",
             "## Dataset", "",
             f"- devices: {'; '.join(summary['devices'])}",
             f"- generated architectures: {summary['arch_models']} ({summary['train_models']} train, "
             f"{summary['held_out_models']} held out); zoo models (evaluation only): {summary['zoo_models']}",
             f"- kernel rows: {summary['kernel_rows']}; op types: {', '.join(summary['op_types'])}",
             f"- samples flagged as outliers (Tukey fences), mean share per row: {100 * summary['outlier_share']:.1f}%",
             f"- 1-minute load average while measuring: median {summary['load_avg_median']:.2f}, "
             f"max {summary['load_avg_max']:.2f}",
             f"- whole-model runs at 1 thread, wall time / process CPU time (1.0 on a quiet machine), median: "
             f"{summary['model_wall_over_cpu_time_t1']:.2f}",
             f"- fixed costs (us): {json.dumps(summary['fixed_us'])}",
             "- co-running slowdown (`--corun` rows: a whole kernel timed while the other processor runs the model, "
             "over the same kernel alone; median): " + (", ".join(
                 f"{k} x{v['factor']:.3f} ({v['kernels']} kernels)" for k, v in sorted(summary["corun"].items()))
                 or "not measured (profile with --corun)"), "", "## Accuracy", "",
             "The last column is the 95% Wilson interval of the share within 10%: on 20 zoo models, 17 within "
             "(85%) is consistent with any true share from 64% to 95%.", ""]
    lines += table("Kernel level, held-out architectures", rows_k)
    lines += table("Kernel level, held-out architectures, configurations no training architecture has", rows_ku)
    if rows_ki or rows_kiz:
        lines += ["In-model kernels (`in_model` rows: each op timed inside the model's runs): `gbt` is the trees' "
                  "alone prediction times the context model; `measured alone` takes the kernel's own alone time as "
                  "the prediction. Factors are clipped to [0.2, 20] as in training.", ""]
        lines += table("Kernel level inside the model, held-out architectures", rows_ki)
        lines += table("Kernel level inside the model, zoo", rows_kiz)
    lines += table("Model level, held-out architectures", rows_mh)
    lines += table("Model level, zoo (never trained on)", rows_mz)
    lines += ["Model level again with the measured side as the whole run's process CPU time (`cpu_us`): on a "
              "busy machine a long run is preempted and its wall time grows with the load; at one thread its CPU "
              "time is what a quiet machine's wall time would be (at two threads it is the sum of both threads' "
              "time, so only the cpu:t1 rows are meaningful).", ""]
    lines += table("Model level, held-out architectures, measured as CPU time", rows_mhc)
    lines += table("Model level, zoo, measured as CPU time", rows_mzc)
    lines += ["Scatter plots (predicted vs measured, log-log, dotted lines at +-10%): " +
              ", ".join(f"`scatter_{k.replace(':', '_')}.png`" for k in points), ""]
    (a.out / "report.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
