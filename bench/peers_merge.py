#!/usr/bin/env python3
"""Merges the two calls of bench/peers_device.sh (ours + PyTorch, ours + ncnn; each a
gpu_peers_<tag>-<set>_<date>.csv of bench/gpu_peers.py) into one table: each peer's ratio comes from
its own call (ours and the peer in the same run); ours' latency in both calls shows the run-to-run
spread.

usage: bench/peers_merge.py TORCH_CSV NCNN_CSV OUT_STEM   (writes OUT_STEM.csv and OUT_STEM.md)
"""
import csv
import math
import sys

PRECISIONS = ("fp32", "fp32strict", "fp16")  # fp32strict: PyTorch with TF32 off (bench/gpu_peers.py); ncnn has none


def load(path):
    with open(path) as f:
        return {r["model"]: r for r in csv.DictReader(f)}


def num(v):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if x > 0 and math.isfinite(x) else None


def geomean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    torch, ncnn, stem = load(sys.argv[1]), load(sys.argv[2]), sys.argv[3]
    models = list(torch) + [m for m in ncnn if m not in torch]
    # The precisions the calls measured (older calls have no fp32strict).
    precisions = [p for p in PRECISIONS if any(f"ours_{p}_ms" in r for r in list(torch.values()) + list(ncnn.values()))]
    cols = ["model"]
    for p in precisions:
        cols += [f"ours_{p}_ms (torch call)", f"torch_graph_{p}_ms", f"ours_over_torch_graph_{p}",
                 f"ours_{p}_ms (ncnn call)", f"ncnn_{p}_ms", f"ours_over_ncnn_{p}"]
    rows = []
    for m in models:
        t, n = torch.get(m, {}), ncnn.get(m, {})
        r = {"model": m}
        for p in precisions:
            ot, tg, on, nc = (num(t.get(f"ours_{p}_ms")), num(t.get(f"torch_graph_{p}_ms")),
                              num(n.get(f"ours_{p}_ms")), num(n.get(f"ncnn_{p}_ms")))
            r.update({f"ours_{p}_ms (torch call)": ot, f"torch_graph_{p}_ms": tg,
                      f"ours_over_torch_graph_{p}": ot / tg if ot and tg else None,
                      f"ours_{p}_ms (ncnn call)": on, f"ncnn_{p}_ms": nc,
                      f"ours_over_ncnn_{p}": on / nc if on and nc else None})
        rows.append(r)
    ratios = [c for c in cols if c.startswith("ours_over_")]
    gm = {c: geomean([r[c] for r in rows]) for c in ratios}
    spread = {p: geomean([r[f"ours_{p}_ms (ncnn call)"] / r[f"ours_{p}_ms (torch call)"] for r in rows
                          if r[f"ours_{p}_ms (ncnn call)"] and r[f"ours_{p}_ms (torch call)"]]) for p in precisions}
    fmt = lambda v: f"{v:.4g}" if isinstance(v, float) else ""  # noqa: E731
    with open(stem + ".csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: fmt(r[c]) if c != "model" else r[c] for c in cols})
    lines = [f"# GPU peers, merged: {sys.argv[1]} and {sys.argv[2]}", "",
             "Each ratio ours/peer comes from one call (ours and the peer in the same run); > 1 means ours is slower. "
             "Latency in ms, '-' where an engine failed (reasons in the per-call files).", "",
             "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join([r["model"]] + [f"{r[c]:.3f}" if r[c] else "-" for c in cols[1:]]) + " |")
    lines.append("| **geometric mean** | " + " | ".join(
        (f"**{gm[c]:.3f}**" if gm.get(c) else "") for c in cols[1:]) + " |")
    lines += ["", "Geometric means over the models where both engines ran: " + ", ".join(
        f"{c} {gm[c]:.3f}" for c in ratios if gm[c]) + ".",
        "Ours, ncnn call / torch call (geometric mean, run-to-run): " + ", ".join(
            f"{p} {spread[p]:.3f}" for p in precisions if spread[p]) + "."]
    with open(stem + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
