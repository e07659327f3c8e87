"""experiments/: the analyses behind the report, pure functions of CSV rows (lists of dicts of
strings), one per experiment; each returns plain rows the report prints and the plots draw."""
import math
import re
import statistics
from collections import defaultdict

from common import fnum

STATIC = ("cpu", "gpu", "auto:static")


def ok(rows):
    return [r for r in rows if r.get("status", "ok") == "ok" and fnum(r, "median_ms") == fnum(r, "median_ms")]


def potential(rows):
    """E1: per (model, threads): cpu, gpu, best single, best plan (and which), ideal bound,
    auto, the CPU/GPU speed ratio T_cpu/T_gpu, and the gains over the best single processor."""
    by = defaultdict(dict)
    spread = {}
    for r in ok(rows):
        by[(r["model"], int(r["threads"]))][r["policy"]] = fnum(r, "median_ms")
        if r["policy"] == "cpu":  # run-to-run noise of the configuration: interquartile range / median
            spread[(r["model"], int(r["threads"]))] = (fnum(r, "q3_ms") - fnum(r, "q1_ms")) / fnum(r, "median_ms")
    out = []
    for (model, threads), p in sorted(by.items()):
        if "cpu" not in p or "gpu" not in p:
            continue
        c, g = p["cpu"], p["gpu"]
        single = min(c, g)
        plans = {k: v for k, v in p.items() if k.startswith("ratio=") or k == "plan"}
        best_k = min(plans, key=plans.get) if plans else ""
        best = plans.get(best_k, math.nan)
        ideal = 1 / (1 / c + 1 / g)
        auto = p.get("auto", math.nan)
        out.append({"model": model, "threads": threads, "cpu_ms": c, "gpu_ms": g, "best_single": "cpu" if c <= g else "gpu",
                    "best_single_ms": single, "best_plan": best_k, "best_plan_ms": best, "ideal_ms": ideal,
                    "auto_ms": auto, "auto_static_ms": p.get("auto:static", math.nan), "speed_ratio": c / g,
                    "plan_gain": single / best, "ideal_gain": single / ideal, "auto_gain": single / auto,
                    "cpu_iqr_rel": spread.get((model, threads), math.nan)})
    return out


def ideal_gain(speed_ratio):
    """The ideal bound's gain over the better processor for T_cpu / T_gpu = s: 1 + min(s, 1/s)."""
    return 1 + min(speed_ratio, 1 / speed_ratio)


def granularity(e1_rows, e2_rows):
    """E2: per model, the best of each granularity (op placement = plan, slices, rows) from E1 at
    the most threads; per layer (E2 rows), the best slice and row split against the better
    processor; and per layer type, how often each wins."""
    models = []
    by = defaultdict(dict)
    top = defaultdict(int)
    for r in ok(e1_rows):
        top[r["model"]] = max(top[r["model"]], int(r["threads"]))
    for r in ok(e1_rows):
        if int(r["threads"]) == top[r["model"]]:
            by[r["model"]][r["policy"]] = fnum(r, "median_ms")
    for model, p in sorted(by.items()):
        if "cpu" not in p or "gpu" not in p:
            continue
        single = min(p["cpu"], p["gpu"])
        g = {"single": single, "placement": p.get("plan", math.nan),
             "slices": min([v for k, v in p.items() if k.startswith("ratio=") and not k.endswith(":rows")], default=math.nan),
             "rows": min([v for k, v in p.items() if k.startswith("ratio=") and k.endswith(":rows")], default=math.nan)}
        win = min((k for k in g if g[k] == g[k]), key=g.get)
        models.append({"model": model, **{f"{k}_ms": v for k, v in g.items()}, "winner": win})
    layers = defaultdict(dict)
    for r in e2_rows:
        if r.get("status") != "ok":
            continue
        layers[(r["model"], r["op"], r["op_type"])][(r["axis"], r["ratio"])] = fnum(r, "median_ms")
    lrows = []
    for (model, op, typ), d in sorted(layers.items()):
        c, g = d.get(("cpu", "1.00"), math.nan), d.get(("gpu", "0.00"), math.nan)
        single = min(c, g)
        best = {}
        for axis in ("slices", "rows"):
            cand = {float(k[1]): v for k, v in d.items() if k[0] == axis and 0 < float(k[1]) < 1}
            if cand:
                rb = min(cand, key=cand.get)
                best[axis] = (rb, cand[rb])
        s, rw = best.get("slices", (math.nan, math.nan)), best.get("rows", (math.nan, math.nan))
        opts = {"single": single, "slices": s[1], "rows": rw[1]}
        win = min((k for k in opts if opts[k] == opts[k]), key=opts.get)
        lrows.append({"model": model, "op": op, "op_type": typ, "cpu_ms": c, "gpu_ms": g, "slices_ms": s[1],
                      "slices_ratio": s[0], "rows_ms": rw[1], "rows_ratio": rw[0], "winner": win,
                      "gain": single / min(v for v in opts.values() if v == v)})
    types = defaultdict(lambda: defaultdict(int))
    for r in lrows:
        types[r["op_type"]][r["winner"]] += 1
    return models, lrows, {t: dict(v) for t, v in types.items()}


def breakdown(rows):
    """E3: per (model, policy): the medians of total, per-processor compute/waiting/rest, bytes."""
    out = defaultdict(dict)
    for r in rows:
        if r.get("status") == "ok" and r["model"] != "(fixed)":
            out[(r["model"], r["policy"])][r["part"]] = fnum(r, "median")
    return [{"model": m, "policy": p, **d} for (m, p), d in sorted(out.items())]


def fixed_costs(rows):
    return [r for r in rows if r.get("status") == "ok" and r["model"] == "(fixed)"]


COPY_KINDS = ("host_write", "staged", "device", "readback")  # profiles/kernel_profiler.h CopyCost
COPY_PART = re.compile(r"^copy_([a-z_]+)_(\d+)_us$")


def size_label(n):
    for unit, b in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= b and n % b == 0:
            return f"{n // b} {unit}"
    return f"{n} B"


def copy_costs(rows):
    """E3: the fixed-cost probe's copies by kind and size (parts copy_<kind>_<bytes>_us): median,
    min and max us over the repetitions, and the median's rate in GB/s (1e9 bytes per second)."""
    out = []
    for r in fixed_costs(rows):
        m = COPY_PART.match(r["part"])
        if not m:
            continue
        n, us = int(m.group(2)), fnum(r, "median")
        out.append({"kind": m.group(1), "bytes": n, "size": size_label(n), "median_us": us,
                    "min_us": fnum(r, "min"), "max_us": fnum(r, "max"),
                    "gb_per_s": n / us / 1e3 if us > 0 else math.nan})
    rank = {k: i for i, k in enumerate(COPY_KINDS)}
    return sorted(out, key=lambda c: (rank.get(c["kind"], len(rank)), c["kind"], c["bytes"]))


def imbalance(rows):
    """E4: per (model, axis, round) the optimum ratio and its latency; every row's distance from
    its round's optimum and its penalty (latency / optimum's); per (model, axis) the optimum's
    spread over rounds and the median penalty at each distance."""
    rounds = defaultdict(dict)
    for r in ok(rows):
        rounds[(r["model"], r["axis"], r["round"])][float(r["ratio"])] = fnum(r, "median_ms")
    points, optima = [], defaultdict(list)
    for (model, axis, rnd), d in sorted(rounds.items()):
        r_opt = min(d, key=d.get)
        optima[(model, axis)].append((r_opt, d[r_opt]))
        for ratio, ms in sorted(d.items()):
            points.append({"model": model, "axis": axis, "round": rnd, "ratio": ratio, "ms": ms,
                           "distance": round(abs(ratio - r_opt), 4), "penalty": ms / d[r_opt]})
    summary = []
    for (model, axis), opts in sorted(optima.items()):
        rs = [o[0] for o in opts]
        pen = defaultdict(list)
        for p in points:
            if p["model"] == model and p["axis"] == axis and p["distance"] > 0:
                pen[p["distance"]].append(p["penalty"])
        near = min(pen) if pen else math.nan
        summary.append({"model": model, "axis": axis, "rounds": len(opts), "opt_min": min(rs), "opt_max": max(rs),
                        "opt_stdev": statistics.pstdev(rs), "opt_ms_median": statistics.median(o[1] for o in opts),
                        "nearest_distance": near, "penalty_nearest": statistics.median(pen[near]) if pen else math.nan,
                        "penalty_worst": max((max(v) for v in pen.values()), default=math.nan)})
    return points, summary


def environment(rows):
    """E5: per (phase, model): each policy's median, the oracle (best static policy), auto / oracle
    and the measured loads."""
    by = defaultdict(dict)
    loads = {}
    for r in ok(rows):
        k = (r["phase"], r["model"])
        by[k][r["policy"]] = fnum(r, "median_ms")
        loads.setdefault(k, []).append((fnum(r, "load_cpu_util"), fnum(r, "run_cpu_util"), fnum(r, "gpu_busy")))
    out = []
    for (phase, model), p in by.items():
        static = {k: v for k, v in p.items() if k in STATIC}
        if not static:
            continue
        ok_name = min(static, key=static.get)
        l = loads[(phase, model)]
        out.append({"phase": phase, "model": model, **{f"{k}_ms": v for k, v in p.items()}, "oracle": ok_name,
                    "oracle_ms": static[ok_name], "auto_over_oracle": p.get("auto", math.nan) / static[ok_name],
                    "load_cpu_util": statistics.median(x[0] for x in l),
                    "run_cpu_util": statistics.median(x[1] for x in l), "gpu_busy": statistics.median(x[2] for x in l)})
    return out


def ranks(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2
        i = j + 1
    return r


def spearman(xs, ys):
    """Spearman rank correlation (ties: average ranks); NaN for fewer than 3 points or no spread."""
    if len(xs) < 3:
        return math.nan
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.mean(rx), statistics.mean(ry)
    sx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    sy = math.sqrt(sum((b - my) ** 2 for b in ry))
    if sx == 0 or sy == 0:
        return math.nan
    return sum((a - mx) * (b - my) for a, b in zip(rx, ry)) / (sx * sy)


FEATURES = ["depthwise_mac_share", "mean_channels", "max_channels", "resolution", "ops", "macs", "macs_per_byte"]


def diversity(e6_rows, e1_rows):
    """E6: per model its features and E1's gain (best plan over the best single processor, at the
    most threads), and per feature its rank correlation with the gain and with T_cpu/T_gpu."""
    pot = {}
    for p in potential(e1_rows):
        if p["model"] not in pot or p["threads"] > pot[p["model"]]["threads"]:
            pot[p["model"]] = p
    table = []
    for r in e6_rows:
        if r.get("status") == "ok" and r["model"] in pot:
            p = pot[r["model"]]
            table.append({"model": r["model"], **{f: fnum(r, f) for f in FEATURES}, "plan_gain": p["plan_gain"],
                          "speed_ratio": p["speed_ratio"]})
    corr = [{"feature": f, "rho_gain": spearman([t[f] for t in table], [t["plan_gain"] for t in table]),
             "rho_speed_ratio": spearman([t[f] for t in table], [t["speed_ratio"] for t in table])} for f in FEATURES]
    return table, corr
