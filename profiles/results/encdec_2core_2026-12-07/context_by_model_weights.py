#!/usr/bin/env python3
# How much slower a CONV_2D runs inside its model than alone (in_model / alone, 1 thread), by the
# model's total weight bytes and the kernel's own: the context model sees only the kernel's features,
# but the rest of the model's weights are what evict this kernel's from cache.
#   .venv/bin/python profiles/results/encdec_2core_2026-12-07/context_by_model_weights.py \
#       profiles/results/encdec_2core_2026-12-07/data/archs.csv.xz profiles/results/encdec_2core_2026-12-07/data/zoo.csv.xz
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "train"))
import predictors as P  # noqa: E402

ds = P.Dataset.load(sys.argv[1:])
key = "cpu:t1"
model_weights, alone, in_model = defaultdict(float), {}, {}
for r in ds.rows:
    if P.processor_key(r) != key or r["op_type"] in ("MODEL", "FIXED"):
        continue
    k = (r["model"], r["op_index"])
    if P.is_in_model(r):
        in_model[k] = (P.row_time(r), r)
    elif P.is_timed_kernel(r) and r["axis"] == "whole":
        alone[k] = P.row_time(r)
        model_weights[r["model"]] += float(r["f_weight_bytes"])
pts = np.array([(model_weights[m], in_model[(m, i)][0] / a, float(in_model[(m, i)][1]["f_weight_bytes"]))
                for (m, i), a in alone.items()
                if (m, i) in in_model and in_model[(m, i)][1]["op_type"] == "CONV_2D" and a > 5])
edges = [0, 0.25e6, 1e6, 4e6, 16e6, 1e12]
print("model weights (MB) | kernel weights | CONV_2D kernels (> 5 us alone) | in-model / alone, median")
for lo, hi in zip(edges, edges[1:]):
    for klo, khi, label in ((0, 64e3, "< 64 KB"), (64e3, 1e12, ">= 64 KB")):
        sel = pts[(pts[:, 0] >= lo) & (pts[:, 0] < hi) & (pts[:, 2] >= klo) & (pts[:, 2] < khi)]
        if len(sel):
            print(f"{lo / 1e6:g}-{hi / 1e6 if hi < 1e12 else float('inf'):g} | {label} | {len(sel)} | {np.median(sel[:, 1]):.3f}")
