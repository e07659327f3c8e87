#!/usr/bin/env python3
# The model's total weight bytes as a context-model input (predictors.CONTEXT_EXTRA), tried on the
# committed data of this run: (1) the whole report with the input on (report.md, metrics.json here;
# ../with_encdec/ is the same data without it); (2) the context model alone, trained on the
# architectures' in-model / alone factors and scored on the zoo's, with and without the input.
#   .venv/bin/python profiles/results/encdec_2core_2026-12-07/model_weights_feature/run.py
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
sys.path.insert(0, str(ROOT / "profiles"))
sys.path.insert(0, str(ROOT / "profiles" / "train"))
import predictors as P  # noqa: E402
import report  # noqa: E402

DATA = HERE.parent / "data"
P.CONTEXT_EXTRA = ["model_weight_bytes"]
sys.argv = ["report.py", "--train", str(DATA / "archs.csv.xz"), "--zoo", str(DATA / "zoo.csv.xz"), "--out", str(HERE),
            "--label", "2-core VM, with encdec, context model sees the model's weight bytes"]
report.main()
for f in [*HERE.glob("predictor_*.json"), *HERE.glob("scatter_*.png")]:
    f.unlink()  # 16 MB of trees and the plots: the metrics and the report are what this folder keeps

lines = ["# Model level (gbt): MAPE and share within 10%, without (../with_encdec) -> with the input", ""]
base = json.loads((HERE.parent / "with_encdec" / "metrics.json").read_text())
new = json.loads((HERE / "metrics.json").read_text())
for sec in ("model_held_out", "model_zoo", "kernel_in_model_held_out", "kernel_in_model_zoo"):
    for key in ("cpu:t1/gbt", "cpu:t2/gbt"):
        a, b = base[sec][key], new[sec][key]
        lines.append(f"{sec} {key}: MAPE {a['mape'] * 100:.1f}% -> {b['mape'] * 100:.1f}%, "
                     f"within 10% {a['within10'] * 100:.1f}% -> {b['within10'] * 100:.1f}%")

lines += ["", "# Context model alone: |log(predicted / measured in-model factor)| on the zoo's kernels, "
          "weighted by alone time; per op type (5 largest by time): error, median predicted / measured factor", ""]
archs, zoo = P.Dataset.load([DATA / "archs.csv.xz"]), P.Dataset.load([DATA / "zoo.csv.xz"])
names = archs.feature_names
train, test = P.context_pairs(archs), P.context_pairs(zoo, zoo=True)
for key in ("cpu:t1", "cpu:t2"):
    X, y = [a for a, _ in train[key]], np.array([f for _, f in train[key]])
    Xt, yt = [a for a, _ in test[key]], np.array([f for _, f in test[key]])
    w = np.array([P.row_time(a) for a in Xt])
    for label, extra in (("kernel features", []), ("+ model_weight_bytes", ["model_weight_bytes"])):
        P.CONTEXT_EXTRA = extra
        pred = P.eval_kernel_model(P.fit_gbt(P.context_features(X, names), y), P.context_features(Xt, names))
        err = np.abs(np.log(pred / yt))
        by_type = defaultdict(list)
        for a, e, wt, p, m in zip(Xt, err, w, pred, yt):
            by_type[a["op_type"]].append((e, wt, p, m))
        s = f"{key} {label}: {np.sum(err * w) / np.sum(w):.3f} |"
        for t, v in sorted(by_type.items(), key=lambda kv: -sum(x[1] for x in kv[1]))[:5]:
            v = np.array(v)
            s += f" {t} {np.sum(v[:, 0] * v[:, 1]) / np.sum(v[:, 1]):.3f} ({np.median(v[:, 2]):.2f} / {np.median(v[:, 3]):.2f})"
        lines.append(s)
(HERE / "summary.txt").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
