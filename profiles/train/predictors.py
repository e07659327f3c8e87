# Latency predictors trained from a profiling dataset (hetsched profile --out CSV).
"""Three predictors per processor ("cpu:t1", "cpu:t2", "gpu:fp32", ...), side by side:

  flops   FLOPs-linear: us = a + b * MACs of the range (least squares; the classic baseline).
  lut     per-layer lookup table: the nearest measured configuration of the same op type (log-scaled
          shape features), LETI's baseline; its time scaled by the range share when shares differ.
  gbt     gradient-boosted trees (LightGBM) per op type on log(us), with a fallback model "*" over
          every op type; exported as flat tree arrays that the C++ evaluator (profiles/predictor.h)
          reads.

Feature vectors are the dataset's f_* columns: the C++ profiler wrote them with the same function
the C++ evaluator uses, so training and prediction see identical features.
"""
import csv
import gzip
import json
import lzma
import math
from collections import defaultdict

import numpy as np

FORMAT = "hetsched-latency-predictor"
VERSION = 1
MIN_ROWS_PER_TYPE = 30  # fewer rows of an op type: it uses the "*" model
# profiles/kernel_features.cpp feature_names(), in order (the C++ loader refuses any other list).
FEATURE_NAMES = ["in_h", "in_w", "in_c", "out_h", "out_w", "out_c", "kernel_h", "kernel_w", "stride_h", "stride_w",
                 "dilation_h", "dilation_w", "groups", "depthwise", "macs", "bytes_in", "bytes_out", "weight_bytes",
                 "epilogue_steps", "activation", "num_inputs", "axis", "fraction", "range_slices", "range_rows",
                 "range_macs", "range_bytes_out"]
# The context model's inputs beyond a kernel's features, from the kernel's model: an experiment knob
# of the Python trainer, empty by default (the C++ evaluator reads kernel features only and refuses a
# context model with more). ["model_weight_bytes"] (the constant inputs of all the model's ops: a
# CONV_2D with >= 64 KB of weights runs 1.02x its alone time in a model of 0.25-1 MB and 1.18x in one
# over 16 MB) was tried on the 2-core VM's data and not kept: held-out models better at 1 thread,
# worse at 2 and on the zoo (profiles/results/encdec_2core_2026-12-07/model_weights_feature/).
CONTEXT_EXTRA = []

# The model zoo (models/index.json): never trained on.
ZOO = {
    "efficientnet_b0", "face_detection_full_range", "face_detection_full_range_sparse", "face_detection_short_range",
    "face_landmark", "face_landmark_with_attention", "hand_landmark_full", "hand_landmark_lite", "mobilenet_v1",
    "mobilenet_v2", "mobilenet_v3_large", "palm_detection_full", "palm_detection_lite", "pose_detection",
    "pose_landmark_full", "pose_landmark_heavy", "pose_landmark_lite", "resnet50", "selfie_segmentation",
    "selfie_segmentation_landscape", "unet_seg",
}


def model_stem(name):
    n = name.rsplit("/", 1)[-1]
    for suf in (".litert.tflite", ".tflite"):
        if n.endswith(suf):
            return n[: -len(suf)]
    return n


def is_zoo(name):
    return model_stem(name) in ZOO


class Dataset:
    """Rows of one or more dataset CSVs, with the feature matrix and targets as arrays."""

    def __init__(self, rows):
        self.rows = rows
        self.feature_names = [k[2:] for k in rows[0].keys() if k.startswith("f_")] if rows else []
        fill_model_weight_bytes(rows)

    @staticmethod
    def load(paths):
        rows = []
        for p in paths:
            opener = gzip.open if str(p).endswith(".gz") else lzma.open if str(p).endswith(".xz") else open
            with opener(p, "rt", newline="") as f:
                rows.extend(csv.DictReader(f))
        return Dataset(rows)

    def subset(self, pred):
        d = Dataset([r for r in self.rows if pred(r)])
        d.feature_names = self.feature_names
        return d


def fill_model_weight_bytes(rows):
    """Datasets before the model_weight_bytes column: each row gets its model's sum of f_weight_bytes
    over its ops (each op index once), what the profiler writes when every op has a row (a
    --kernel-share below 1 leaves some out: the column is exact, this is not)."""
    missing = [r for r in rows if r.get("model_weight_bytes") in (None, "")]
    if not missing:
        return
    seen, total = set(), defaultdict(float)
    for r in rows:
        if r["op_type"] in ("MODEL", "FIXED") or (r["model"], r.get("op_index")) in seen:
            continue
        seen.add((r["model"], r.get("op_index")))
        total[r["model"]] += float(r.get("f_weight_bytes") or 0)
    for r in missing:
        r["model_weight_bytes"] = str(total.get(r["model"], 0.0))


def processor_key(r):
    return f"cpu:t{r['threads']}" if r["processor"] == "cpu" else f"gpu:{r['precision']}"


def is_corun(r):
    """A row timed while the other processor ran the model (`hetsched profile --corun`)."""
    return bool(r.get("corun") or "")


def _int_column(r, name, default):
    v = r.get(name)
    return int(v) if v not in (None, "") else default


def fused_into(r):
    """The op whose fused GPU kernel computes this row's op (the row times nothing: its time is on
    that op's row), else -1. Datasets before the column: -1."""
    return _int_column(r, "fused_into", -1)


def chain_ops(r):
    """How many graph ops the row's kernel executes (> 1 on the last op of a fused GPU chain, whose
    time is the chain's). Datasets before the column: 1."""
    return _int_column(r, "chain_ops", 1)


def clock_ok(r):
    """0 when the profiler's GPU clock guard still read its reference kernel slow after the retries
    (the row was timed at a low clock), else 1 (-1, not guarded, counts as 1). Datasets before the
    column: 1."""
    return 0 if _int_column(r, "clock_ok", 1) == 0 else 1


def is_in_model(r):
    """A row the profiler timed inside consecutive whole-model runs (column in_model = 1), not alone.
    Older datasets have no such rows."""
    return _int_column(r, "in_model", 0) == 1


def is_timed_kernel(r):
    """A kernel row timed alone with a real timing of its own: not an op run inside another op's
    fused kernel (an empty row), not one timed at a low GPU clock, not an in-model row."""
    return (r["op_type"] not in ("MODEL", "FIXED") and fused_into(r) < 0 and clock_ok(r) == 1
            and not is_in_model(r))


def kernel_rows(ds):
    """Kernel rows timed with the other processor idle, without the empty rows of ops inside a fused
    GPU kernel and the rows timed at a low GPU clock (what the predictors are scored on; the models
    learn these less the chain rows and untuned rows: training_rows). A fused chain's row keeps its
    place: summed over a model, each kernel counts once."""
    return [r for r in ds.rows if is_timed_kernel(r) and not is_corun(r)]


def clock_off_models(ds):
    """(processor key, model) pairs with a kernel row timed at a low GPU clock (clock_ok 0): the sum
    of their kernels misses that kernel, so they are left out of sums against the whole run."""
    return {(processor_key(r), r["model"]) for r in ds.rows
            if r["op_type"] not in ("MODEL", "FIXED") and not is_corun(r) and clock_ok(r) == 0}


def corun_factors(ds):
    """Per processor: the median over whole-output kernels of (time while the other processor ran
    the model) / (time with it idle), and how many kernels that is: the co-running slowdown a split
    pays (shared memory bandwidth, host threads). Empty without --corun rows."""
    idle, ratios = {}, defaultdict(list)
    key_of = lambda r: (r["model"], r.get("op_index"), processor_key(r), r.get("axis"))  # noqa: E731
    for r in ds.rows:
        if is_timed_kernel(r) and r.get("axis") == "whole" and not is_corun(r):
            idle[key_of(r)] = row_time(r)
    for r in ds.rows:
        if is_timed_kernel(r) and r.get("axis") == "whole" and is_corun(r):
            if r["processor"] == "gpu" and "tuned" not in r:
                # A profiler before the `tuned` column timed a model's alone GPU rows after seconds
                # of CPU timing (GPU clocks down) and its co-running ones right after a GPU load
                # (clocks up): the H100's "factor" 0.27 (docs/notes/profspeed.md). Not used.
                continue
            base = idle.get(key_of(r))
            if base and base > 0:
                ratios[processor_key(r)].append(row_time(r) / base)
    return {k: (float(np.median(v)), len(v)) for k, v in ratios.items()}


def features(rows, names):
    return np.array([[float(r["f_" + n]) for n in names] for r in rows], dtype=np.float64).reshape(len(rows), len(names))


def context_features(rows, names, extra=None):
    """The context model's inputs: the kernel's features, then `extra` (default CONTEXT_EXTRA: columns
    of the row's model)."""
    extra = CONTEXT_EXTRA if extra is None else extra
    if not extra:
        return features(rows, names)
    more = np.array([[float(r[n]) for n in extra] for r in rows], dtype=np.float64)
    return np.c_[features(rows, names), more.reshape(len(rows), len(extra))]


# With T1_CPU_TIME on, a 1-thread CPU row's time is its process CPU time (cpu_us) where it has one:
# on a busy shared machine long kernels are preempted and their wall time measures the load; at one
# thread the CPU time is what a quiet machine's wall time would be. Off (the default) everywhere
# but on such a machine.
T1_CPU_TIME = False


def row_time(r):
    if T1_CPU_TIME and r["processor"] == "cpu" and r["threads"] == "1" and float(r.get("cpu_us") or -1) > 0:
        return float(r["cpu_us"])
    return float(r["median_us"])


def targets(rows):
    return np.array([max(row_time(r), 1e-3) for r in rows])


# ---------------------------------------------------------------- FLOPs-linear
def fit_flops(X, y, names):
    """us = a + b * range_macs, least squares on relative errors (each row weighted by 1/us)."""
    i = names.index("range_macs")
    A = np.stack([np.ones(len(y)), X[:, i]], 1) / y[:, None]
    coef, *_ = np.linalg.lstsq(A, np.ones(len(y)), rcond=None)
    a, b = float(coef[0]), float(max(coef[1], 0.0))
    c = [0.0] * len(names)
    c[i] = b
    return {"kind": "linear", "target": "us", "intercept": a, "coef": c}


# ---------------------------------------------------------------- lookup table
LUT_KEYS = ["in_h", "in_w", "in_c", "out_h", "out_w", "out_c", "kernel_h", "kernel_w", "stride_h", "groups",
            "epilogue_steps", "axis", "fraction"]


class Lut:
    def __init__(self, rows, names):
        self.idx = [names.index(k) for k in LUT_KEYS]
        self.share = names.index("fraction")
        self.by_type = defaultdict(list)
        for r, x, y in zip(rows, features(rows, names), targets(rows)):
            self.by_type[r["op_type"]].append((x, y))
        self.tables = {t: (np.array([x for x, _ in v]), np.array([y for _, y in v])) for t, v in self.by_type.items()}

    def predict(self, op_type, x, fallback):
        if op_type not in self.tables:
            return fallback
        X, Y = self.tables[op_type]
        k = np.log1p(np.abs(X[:, self.idx]))
        q = np.log1p(np.abs(x[self.idx]))
        j = int(np.argmin(np.sum((k - q) ** 2, 1)))
        s0, s1 = X[j, self.share], x[self.share]
        return float(Y[j] * (s1 / s0 if s0 > 0 and s1 > 0 else 1.0))


# ---------------------------------------------------------------- gradient-boosted trees
GBT_PARAMS = {"objective": "regression", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 5,
              "feature_fraction": 0.9, "bagging_fraction": 0.9, "bagging_freq": 1, "lambda_l2": 1.0,
              "verbose": -1, "deterministic": True, "force_row_wise": True, "num_threads": 1}


def fit_gbt(X, y, rounds=300, seed=1):
    import lightgbm as lgb
    params = dict(GBT_PARAMS, seed=seed, min_data_in_leaf=int(min(GBT_PARAMS["min_data_in_leaf"], max(1, len(y) // 4))))
    booster = lgb.train(params, lgb.Dataset(X, np.log(y), free_raw_data=False), num_boost_round=rounds)
    return export_booster(booster)


def export_booster(booster):
    """LightGBM's dump as flat arrays in preorder (children after their parent)."""
    trees = []
    for t in booster.dump_model()["tree_info"]:
        arr = {"feature": [], "threshold": [], "left": [], "right": [], "value": [], "default_left": []}

        def visit(node):
            i = len(arr["feature"])
            for k in arr:
                arr[k].append(0)
            if "leaf_value" in node or "split_feature" not in node:
                arr["feature"][i] = -1
                arr["value"][i] = float(node.get("leaf_value", 0.0))
                arr["threshold"][i] = 0.0
                return i
            if node.get("decision_type", "<=") != "<=":
                raise ValueError(f"unsupported LightGBM decision type {node.get('decision_type')}")
            arr["feature"][i] = int(node["split_feature"])
            arr["threshold"][i] = float(node["threshold"])
            arr["default_left"][i] = 1 if node.get("default_left", True) else 0
            arr["value"][i] = 0.0
            arr["left"][i] = visit(node["left_child"])
            arr["right"][i] = visit(node["right_child"])
            return i

        visit(t["tree_structure"])
        trees.append(arr)
    return {"kind": "gbt", "target": "log_us", "base": 0.0, "trees": trees}


def _tree_arrays(t):
    if "_np" not in t:  # cached numpy views of the exported arrays
        t["_np"] = tuple(np.asarray(t[k]) for k in ("feature", "threshold", "left", "right", "value", "default_left"))
    return t["_np"]


def eval_kernel_model(m, X):
    """Evaluates an exported kernel model (gbt or linear) exactly as profiles/predictor.cpp does."""
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    n = len(X)
    if m["kind"] == "linear":
        y = m["intercept"] + X @ np.array(m["coef"])
    else:
        y = np.full(n, float(m.get("base", 0.0)))
        rows = np.arange(n)
        for t in m["trees"]:
            feat, thr, left, right, val, dl = _tree_arrays(t)
            idx = np.zeros(n, dtype=np.int64)
            while True:
                f = feat[idx]
                internal = f >= 0
                if not internal.any():
                    break
                v = X[rows, np.where(internal, f, 0)]
                go_left = np.where(np.isnan(v), dl[idx] != 0, v <= thr[idx])
                idx = np.where(internal, np.where(go_left, left[idx], right[idx]), idx)
            y += val[idx]
    return np.exp(y) if m["target"] == "log_us" else np.maximum(y, 0.0)


# ---------------------------------------------------------------- training all predictors
def fixed_costs(ds):
    out = defaultdict(dict)
    for r in ds.rows:
        if r["op_type"] == "FIXED":
            out[processor_key(r)][r["model"]] = float(r["median_us"])
    # A GPU's fixed costs hold for each precision measured.
    for key in {processor_key(r) for r in ds.rows if r["processor"] == "gpu"}:
        if not out.get(key) and out.get("gpu:fp32"):
            out[key] = dict(out["gpu:fp32"])
    return out


def run_context(ds, in_model=False):
    """Per processor: {"kernel_scale": a, "per_op_us": b}, fitted over the training models so that a
    whole run ~ a x (sum of its measured whole-range kernels) + b x kernels, least squares on the
    relative error (each model counts the same). b is what a run spends between kernels (views,
    task starts, barriers); a is how much slower a kernel runs inside a model than timed alone
    (its weights and inputs are not in cache there: on a quiet 2-core VM, 2026-12-06, runs took
    1.12x their kernels' sum at 1 thread and 1.23x at 2, median over 400 architectures). With
    in_model, the sum is of the kernels' in-model rows, for the processors whose models have them
    (what the context model predicts): a is then what remains. With fewer than 3 models, or b < 0:
    a alone (b = 0), or a = 1 and b = the median gap per kernel."""
    sums, counts, runs, inm = defaultdict(float), defaultdict(int), {}, defaultdict(float)
    off = clock_off_models(ds)
    for r in ds.rows:
        if is_zoo(r["model"]) or is_corun(r) or (processor_key(r), r["model"]) in off:
            continue
        key = (processor_key(r), r["model"])
        if r["op_type"] == "MODEL":
            runs[key] = row_time(r)
        elif is_timed_kernel(r) and r.get("axis") == "whole":  # a fused chain counts once
            sums[key] += row_time(r)
            counts[key] += 1
        elif in_model and is_in_model(r):
            inm[key] += row_time(r)
    with_inm = {key[0] for key in inm}
    per = defaultdict(list)
    for key, t in runs.items():
        if key[0] in with_inm:
            if inm.get(key) and counts.get(key) and t > 0:
                per[key[0]].append((inm[key], counts[key], t))
        elif counts.get(key) and t > 0:
            per[key[0]].append((sums[key], counts[key], t))
    out = {}
    for proc, v in per.items():
        s, n, w = (np.array(x, dtype=float) for x in zip(*v))
        if len(v) < 3:
            out[proc] = {"kernel_scale": 1.0, "per_op_us": max(0.0, float(np.median((w - s) / n)))}
            continue
        (a, b), *_ = np.linalg.lstsq(np.c_[s / w, n / w], np.ones(len(w)), rcond=None)
        if b < 0:
            a, b = float(np.sum(s / w) / np.sum((s / w) ** 2)), 0.0
        out[proc] = {"kernel_scale": float(a), "per_op_us": float(b)}
    return out


CONTEXT_RANGE = (0.2, 20.0)  # in-model / alone factors outside it are clipped (a preempted sample)


def context_pairs(ds, zoo=False):
    """Per processor: [(alone whole-output row, in-model / alone factor)] for every op that has both
    rows (the profiler's in_model rows), of the models outside the zoo (zoo=True: of every model)."""
    alone, inm = {}, {}
    off = clock_off_models(ds)
    for r in ds.rows:
        if (is_zoo(r["model"]) and not zoo) or is_corun(r) or r.get("axis") != "whole" or (processor_key(r), r["model"]) in off:
            continue
        key = (processor_key(r), r["model"], r.get("op_index"))
        if is_in_model(r):
            inm[key] = row_time(r)
        elif is_timed_kernel(r) and chain_ops(r) == 1:
            alone[key] = r
    out = defaultdict(list)
    for key, t in sorted(inm.items()):
        a = alone.get(key)
        if a is not None and row_time(a) > 0 and t > 0:
            out[key[0]].append((a, float(np.clip(t / row_time(a), *CONTEXT_RANGE))))
    return out


def context_factors(pred, key, whole_rows, names):
    """The context model's in-model / alone factor of each whole-output kernel row (1 where the
    predictor has no context model for the processor), as profiles/predictor.cpp applies it."""
    ctx = pred.get("processors", {}).get(key, {}).get("context") if pred else None
    if ctx is None or not whole_rows:
        return np.ones(len(whole_rows))
    # The inputs the model was trained with (its "features" list), whatever CONTEXT_EXTRA is now.
    return eval_kernel_model(ctx, context_features(whole_rows, names, ctx.get("features", names)[len(names):]))


def training_rows(ds):
    """The kernel rows the models learn: kernel_rows outside the zoo, less
    - GPU kernels timed at their default workgroup size (column tuned = 0: the profiler's tuning
      budget ran out): they would teach untuned times, and a run tunes them;
    - the rows of a fused GPU chain's last op (chain_ops > 1): their time is the whole chain's (e.g.
      MEAN + FC) while their features describe the last op only, so they would teach single-op
      models of that type a chain's time. The chain's ops are predicted one by one, as unfused.
    Older datasets have none of these columns (all kept)."""
    return [r for r in kernel_rows(ds) if not is_zoo(r["model"]) and r.get("tuned") != "0" and chain_ops(r) == 1]


def train_all(ds, rounds=300, seed=1, min_rows=MIN_ROWS_PER_TYPE):
    """Returns {"gbt": predictor json, "flops": predictor json, "lut": {key: Lut}} trained on ds."""
    rows = training_rows(ds)
    names = ds.feature_names
    fixed = fixed_costs(ds)
    for key, (factor, _) in corun_factors(ds.subset(lambda r: not is_zoo(r["model"]))).items():
        fixed[key]["corun_factor"] = factor
    # The trees' processors with enough in-model rows get a context model and a run context fitted
    # over in-model sums; the baselines keep the alone sums' run context.
    contexts = {key: fit_gbt(context_features([a for a, _ in v], names), np.array([f for _, f in v]), rounds, seed)
                for key, v in context_pairs(ds).items() if len(v) >= min_rows}
    if CONTEXT_EXTRA:
        for c in contexts.values():
            c["features"] = list(names) + CONTEXT_EXTRA
    for key, v in run_context(ds).items():
        fixed[key].update(v)
    fixed_gbt = defaultdict(dict, {k: dict(v) for k, v in fixed.items()})
    for key, v in run_context(ds, in_model=True).items():
        if key in contexts:
            fixed_gbt[key].update(v)
    by_proc = defaultdict(list)
    for r in rows:
        by_proc[processor_key(r)].append(r)
    gbt = {"format": FORMAT, "version": VERSION, "features": names, "processors": {}}
    flops = {"format": FORMAT, "version": VERSION, "features": names, "processors": {}}
    luts = {}
    for key, prow in sorted(by_proc.items()):
        X, y = features(prow, names), targets(prow)
        lin = fit_flops(X, y, names)
        flops["processors"][key] = {"kernels": {"*": lin}, "fixed_us": fixed.get(key, {})}
        kernels = {"*": fit_gbt(X, y, rounds, seed)}
        by_type = defaultdict(list)
        for i, r in enumerate(prow):
            by_type[r["op_type"]].append(i)
        for t, idx in sorted(by_type.items()):
            if len(idx) >= min_rows:
                kernels[t] = fit_gbt(X[idx], y[idx], rounds, seed)
        gbt["processors"][key] = {"kernels": kernels, "fixed_us": fixed_gbt.get(key, {})}
        if key in contexts:
            gbt["processors"][key]["context"] = contexts[key]
        luts[key] = (Lut(prow, names), lin)
    return {"gbt": gbt, "flops": flops, "lut": luts}


def predict_rows(trained, which, rows, names):
    """Per-row predictions (us) of one predictor for kernel rows (NaN where it has no processor)."""
    out = np.full(len(rows), np.nan)
    if not rows:
        return out
    X = features(rows, names)
    groups = defaultdict(list)
    for i, r in enumerate(rows):
        groups[(processor_key(r), r["op_type"])].append(i)
    for (key, op_type), idx in groups.items():
        if which == "lut":
            if key not in trained["lut"]:
                continue
            lut, lin = trained["lut"][key]
            fb = eval_kernel_model(lin, X[idx])
            out[idx] = [lut.predict(op_type, X[i], fb[j]) for j, i in enumerate(idx)]
            continue
        p = trained[which]["processors"].get(key)
        if p is None:
            continue
        m = p["kernels"].get(op_type, p["kernels"].get("*"))
        out[idx] = eval_kernel_model(m, X[idx])
    return out


def save(pred, path):
    def clean(o):  # drops the cached numpy arrays
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items() if k != "_np"}
        if isinstance(o, list):
            return [clean(v) for v in o]
        return o
    with open(path, "w") as f:
        json.dump(clean(pred), f, separators=(",", ":"))
