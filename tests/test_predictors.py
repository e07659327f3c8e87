# Latency predictors on synthetic data with a known law (profiles/train/predictors.py): the
# FLOPs-linear baseline recovers a linear law, the trees learn a law that is not linear in FLOPs
# (and beat the baseline there), the LUT returns measured points exactly, and the exported trees
# evaluate exactly as LightGBM's own predict.
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "profiles" / "train"))
import predictors as P  # noqa: E402

SEED = 20261205


def synthetic_rows(law, n, seed, op_type="CONV_2D", threads=1):
    """Rows like the profiler's: random conv shapes and range fractions, median_us = law(features)."""
    print(f"synthetic_rows seed={seed} n={n} op_type={op_type}")
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        h = int(rng.choice([7, 14, 28, 56, 112]))
        cin, cout = int(rng.choice([16, 32, 64, 128, 256])), int(rng.choice([16, 32, 64, 128, 256]))
        k = int(rng.choice([1, 3, 5]))
        frac = float(rng.choice([0.25, 0.5, 0.75, 1.0]))
        macs = h * h * cin * cout * k * k
        f = dict.fromkeys(P.FEATURE_NAMES, 0.0)
        f.update(in_h=h, in_w=h, in_c=cin, out_h=h, out_w=h, out_c=cout, kernel_h=k, kernel_w=k, stride_h=1,
                 stride_w=1, dilation_h=1, dilation_w=1, groups=1, macs=macs, bytes_in=h * h * cin * 4,
                 bytes_out=h * h * cout * 4, axis=0 if frac == 1 else 1, fraction=frac,
                 range_macs=macs * frac, range_bytes_out=h * h * cout * 4 * frac)
        us = law(f) * float(rng.uniform(0.99, 1.01))
        r = {"model": f"synthetic_{i // 10}", "op_type": op_type, "processor": "cpu", "threads": str(threads),
             "precision": "fp32", "median_us": repr(us)}
        r.update({"f_" + k2: repr(float(v)) for k2, v in f.items()})
        rows.append(r)
    return rows


def linear_law(f):
    return 5.0 + 2e-3 * f["range_macs"]


def step_law(f):
    # Not a function of FLOPs: 1x1 convs run at 4x the MAC rate of the others, plus a fixed 20 us.
    rate = 8e-4 if f["kernel_h"] == 1 else 3.2e-3
    return 20.0 + rate * f["range_macs"]


def dataset(rows):
    d = P.Dataset(rows)
    d.feature_names = P.FEATURE_NAMES
    return d


def mape(pred, meas):
    return float(np.mean(np.abs(pred - meas) / meas))


def test_flops_linear_recovers_a_linear_law():
    rows = synthetic_rows(linear_law, 400, SEED)
    t = P.train_all(dataset(rows), rounds=50)
    lin = t["flops"]["processors"]["cpu:t1"]["kernels"]["*"]
    b = lin["coef"][P.FEATURE_NAMES.index("range_macs")]
    assert b == pytest.approx(2e-3, rel=0.02)
    assert lin["intercept"] == pytest.approx(5.0, abs=3.0)


def test_trees_learn_a_nonlinear_law_and_beat_flops_on_held_out_rows():
    train = synthetic_rows(step_law, 600, SEED)
    test = synthetic_rows(step_law, 200, SEED + 1)
    for r in test:
        r["model"] = "held_out_" + r["model"]
    t = P.train_all(dataset(train), rounds=300)
    meas = P.targets(test)
    gbt = P.predict_rows(t, "gbt", test, P.FEATURE_NAMES)
    flops = P.predict_rows(t, "flops", test, P.FEATURE_NAMES)
    print(f"MAPE gbt {mape(gbt, meas):.3f} flops {mape(flops, meas):.3f}")
    assert mape(gbt, meas) < 0.10
    assert mape(gbt, meas) < 0.5 * mape(flops, meas)
    within10 = np.mean(np.abs(gbt - meas) / meas <= 0.10)
    assert within10 >= 0.8


def test_lut_returns_measured_configurations():
    rows = synthetic_rows(linear_law, 100, SEED + 2)
    t = P.train_all(dataset(rows), rounds=10)
    lut = P.predict_rows(t, "lut", rows[:20], P.FEATURE_NAMES)
    # Duplicated configurations may carry different noise: within the 1% noise band of the law.
    np.testing.assert_allclose(lut, P.targets(rows[:20]), rtol=0.025)


def test_exported_trees_match_lightgbm_predict():
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(SEED + 3)
    print(f"seed {SEED + 3}")
    X = rng.uniform(0, 10, size=(300, len(P.FEATURE_NAMES)))
    y = np.exp(0.3 * X[:, 0] + np.sin(X[:, 1]))
    booster = lgb.train(dict(P.GBT_PARAMS, seed=1), lgb.Dataset(X, np.log(y)), num_boost_round=40)
    exported = P.export_booster(booster)
    for t in exported["trees"]:
        for i, f in enumerate(t["feature"]):
            if f >= 0:
                assert t["left"][i] > i and t["right"][i] > i  # children after parents (the C++ loader checks)
    Xq = rng.uniform(0, 10, size=(50, len(P.FEATURE_NAMES)))
    np.testing.assert_allclose(P.eval_kernel_model(exported, Xq), np.exp(booster.predict(Xq)), rtol=1e-9)


def test_zoo_rows_are_never_trained_on():
    rows = synthetic_rows(linear_law, 60, SEED + 4)
    for r in rows[:30]:
        r["model"] = "mobilenet_v2.tflite"
        r["median_us"] = "1e9"  # would wreck the fit if used
    t = P.train_all(dataset(rows), rounds=10)
    lin = t["flops"]["processors"]["cpu:t1"]["kernels"]["*"]
    assert lin["intercept"] < 1e3


def context_rows(scale, per_op, seed):
    """Models synthetic_0..3 (10 whole-range kernels each) whose whole runs take scale x the sum
    of their kernels plus per_op per kernel."""
    rows = synthetic_rows(linear_law, 40, seed)
    for r in rows:
        r["axis"] = "whole"
    for m in range(4):
        total = sum(float(r["median_us"]) for r in rows if r["model"] == f"synthetic_{m}")
        rows.append(dict(rows[0], model=f"synthetic_{m}", op_type="MODEL", median_us=repr(scale * total + 10 * per_op)))
    return rows


def test_run_context_is_the_gap_between_a_run_and_its_kernels():
    rows = context_rows(1.0, 1.5, SEED + 5)
    ctx = P.run_context(dataset(rows))["cpu:t1"]
    assert ctx["per_op_us"] == pytest.approx(1.5) and ctx["kernel_scale"] == pytest.approx(1.0)
    t = P.train_all(dataset(rows), rounds=10, min_rows=1000)
    assert t["gbt"]["processors"]["cpu:t1"]["fixed_us"]["per_op_us"] == pytest.approx(1.5)
    # Kernels that run 1.2x slower inside a model than alone: both terms come back.
    rows = context_rows(1.2, 1.5, SEED + 5)
    ctx = P.run_context(dataset(rows))["cpu:t1"]
    assert ctx["kernel_scale"] == pytest.approx(1.2) and ctx["per_op_us"] == pytest.approx(1.5)
    fixed = P.train_all(dataset(rows), rounds=10, min_rows=1000)["gbt"]["processors"]["cpu:t1"]["fixed_us"]
    assert fixed["kernel_scale"] == pytest.approx(1.2) and fixed["per_op_us"] == pytest.approx(1.5)
    # A run faster than its kernels plus any gap: the scale alone (no negative gap).
    ctx = P.run_context(dataset(context_rows(0.9, -2.0, SEED + 5)))["cpu:t1"]
    assert ctx["per_op_us"] == 0.0 and 0.8 < ctx["kernel_scale"] < 0.9


def context_law(f):
    """In-model / alone: kernels with big weights stream them from memory inside a model (1.5x from
    ~1 MB of weights on), small ones keep them in cache (1.0x)."""
    return 1.5 if f["weight_bytes"] > 1e6 else 1.0


def in_model_rows(seed, n_models=30):
    """Models of 10 whole-range kernels (linear law alone), each op also as an in-model row at
    context_law x its alone time; whole runs take the in-model sum plus 1.5 us per kernel."""
    rows = synthetic_rows(linear_law, 10 * n_models, seed)
    out = []
    for i, r in enumerate(rows):
        r.update(axis="whole", op_index=str(i % 10), **{"f_axis": "0.0", "f_fraction": "1.0"})
        f = {k: float(r["f_" + k]) for k in P.FEATURE_NAMES}
        f["weight_bytes"] = f["in_c"] * f["out_c"] * f["kernel_h"] * f["kernel_w"] * 4
        r["f_weight_bytes"] = repr(f["weight_bytes"])
        r["f_range_macs"], r["f_range_bytes_out"] = repr(f["macs"]), repr(f["bytes_out"])
        r["median_us"] = repr(linear_law(dict(f, range_macs=f["macs"])))
        out.append(r)
        out.append(dict(r, in_model="1", median_us=repr(float(r["median_us"]) * context_law(f))))
    for m in range(n_models):
        total = sum(float(r["median_us"]) for r in out if r["model"] == f"synthetic_{m}" and r.get("in_model") == "1")
        out.append(dict(out[0], model=f"synthetic_{m}", op_type="MODEL", op_index="-1", in_model="0",
                        median_us=repr(total + 10 * 1.5)))
    return out


def test_in_model_rows_teach_a_context_factor_that_predicts_whole_runs():
    rows = in_model_rows(SEED + 9)
    ds = dataset(rows)
    assert len(P.kernel_rows(ds)) == 300, "in-model rows are not alone kernel rows"
    pairs = P.context_pairs(ds)["cpu:t1"]
    assert len(pairs) == 300 and {round(f, 6) for _, f in pairs} == {1.0, 1.5}
    t = P.train_all(ds, rounds=200, min_rows=30)
    g = t["gbt"]["processors"]["cpu:t1"]
    assert "context" in g, "no context model from 300 in-model rows"
    whole = [a for a, _ in pairs]
    factors = P.context_factors(t["gbt"], "cpu:t1", whole, P.FEATURE_NAMES)
    np.testing.assert_allclose(factors, [f for _, f in pairs], rtol=0.03)
    # The trees' run context is fitted over the in-model sums (nothing left to scale), the baselines'
    # over the alone sums (the big-weight kernels' extra time read as a scale).
    assert g["fixed_us"]["kernel_scale"] == pytest.approx(1.0, abs=1e-6)
    assert g["fixed_us"]["per_op_us"] == pytest.approx(1.5, rel=1e-3)
    assert t["flops"]["processors"]["cpu:t1"]["fixed_us"]["kernel_scale"] > 1.05
    # Without in-model rows: no context model, and the factor is 1.
    t2 = P.train_all(dataset([r for r in rows if r.get("in_model") != "1"]), rounds=10, min_rows=30)
    assert "context" not in t2["gbt"]["processors"]["cpu:t1"]
    assert list(P.context_factors(t2["gbt"], "cpu:t1", whole[:3], P.FEATURE_NAMES)) == [1.0, 1.0, 1.0]


def test_the_model_weight_bytes_context_input_sees_what_kernel_features_cannot(monkeypatch):
    """predictors.CONTEXT_EXTRA (an experiment knob, off by default): in-model factors that depend on
    the whole model's weights (1.3x in models over the median, 1.0x below) are learned only when the
    context model sees model_weight_bytes, which datasets without the column get from their ops."""
    rows = in_model_rows(SEED + 12)
    ds = dataset(rows)
    totals = {}
    for r in rows:
        if r["op_type"] != "MODEL" and r.get("in_model") != "1":
            totals[r["model"]] = totals.get(r["model"], 0.0) + float(r["f_weight_bytes"])
    assert {r["model"]: float(r["model_weight_bytes"]) for r in rows} == pytest.approx(totals)
    cut = float(np.median(list(totals.values())))
    for r in rows:
        if r.get("in_model") == "1":
            alone = next(a for a in rows if a["model"] == r["model"] and a["op_index"] == r["op_index"]
                         and a.get("in_model") != "1")
            big = float(r["model_weight_bytes"]) > cut
            r["median_us"] = repr(float(alone["median_us"]) * (1.3 if big else 1.0))
    pairs = P.context_pairs(ds)["cpu:t1"]
    whole, want = [a for a, _ in pairs], np.array([f for _, f in pairs])
    off = P.train_all(ds, rounds=200, min_rows=30)["gbt"]
    assert "features" not in off["processors"]["cpu:t1"]["context"], "the C++ evaluator's context model"
    err_off = np.abs(P.context_factors(off, "cpu:t1", whole, P.FEATURE_NAMES) / want - 1).mean()
    monkeypatch.setattr(P, "CONTEXT_EXTRA", ["model_weight_bytes"])
    on = P.train_all(ds, rounds=200, min_rows=30)["gbt"]
    assert on["processors"]["cpu:t1"]["context"]["features"] == P.FEATURE_NAMES + ["model_weight_bytes"]
    factors_on = P.context_factors(on, "cpu:t1", whole, P.FEATURE_NAMES)
    err_on = np.abs(factors_on / want - 1).mean()
    assert err_on < 0.01 and err_off > 0.03, (err_on, err_off)
    # A trained model is evaluated on the inputs it names, whatever the knob says later.
    monkeypatch.setattr(P, "CONTEXT_EXTRA", [])
    np.testing.assert_array_equal(P.context_factors(on, "cpu:t1", whole, P.FEATURE_NAMES), factors_on)


def test_corun_rows_give_a_slowdown_factor_and_are_not_trained_on():
    rows = synthetic_rows(linear_law, 40, SEED + 6)
    for i, r in enumerate(rows):
        r["axis"], r["op_index"], r["corun"] = "whole", str(i), ""
    # The same kernels timed while the other processor ran: 1.25x slower.
    slowed = [dict(r, corun="gpu", median_us=repr(float(r["median_us"]) * 1.25)) for r in rows]
    ds = dataset(rows + slowed)
    factors = P.corun_factors(ds)
    assert factors["cpu:t1"][0] == pytest.approx(1.25) and factors["cpu:t1"][1] == 40
    assert len(P.kernel_rows(ds)) == 40  # the corun rows are not kernel training rows
    t = P.train_all(ds, rounds=10, min_rows=1000)
    assert t["gbt"]["processors"]["cpu:t1"]["fixed_us"]["corun_factor"] == pytest.approx(1.25)
    # Trained on the idle rows only: the linear fit recovers the idle law, not a 1.25x one.
    lin = t["flops"]["processors"]["cpu:t1"]["kernels"]["*"]
    assert lin["coef"][P.FEATURE_NAMES.index("range_macs")] == pytest.approx(2e-3, rel=0.05)


def test_untuned_gpu_rows_are_not_trained_on():
    # Rows the profiler timed at a default workgroup size (tuned = "0") carry another law (here 3x
    # slower); the fit sees only the tuned rows and recovers their law.
    rows = synthetic_rows(linear_law, 40, SEED + 7)
    for r in rows:
        r["tuned"] = "1"
    untuned = [dict(r, tuned="0", median_us=repr(float(r["median_us"]) * 3)) for r in rows]
    t = P.train_all(dataset(rows + untuned), rounds=10, min_rows=1000)
    lin = t["flops"]["processors"]["cpu:t1"]["kernels"]["*"]
    assert lin["coef"][P.FEATURE_NAMES.index("range_macs")] == pytest.approx(2e-3, rel=0.05)


def test_gpu_corun_rows_of_the_old_profiler_give_no_factor():
    # GPU co-running rows from a dataset without the `tuned` column (the profiler before the clock
    # fix) are left out of the factor; the same rows with the column give it.
    rows = synthetic_rows(linear_law, 40, SEED + 8)
    for i, r in enumerate(rows):
        r.update(axis="whole", op_index=str(i), corun="", processor="gpu", threads="0", precision="fp32")
    fast = [dict(r, corun="cpu", median_us=repr(float(r["median_us"]) * 0.27)) for r in rows]
    assert "gpu:fp32" not in P.corun_factors(dataset(rows + fast))
    tagged = [dict(r, tuned="1") for r in rows + fast]
    assert P.corun_factors(dataset(tagged))["gpu:fp32"][0] == pytest.approx(0.27)


def gpu_rows(rows):
    for r in rows:
        r.update(processor="gpu", threads="0", precision="fp32", tuned="1", fused_into="-1", chain_ops="1",
                 ref_us="10.0", clock_ok="1")
    return rows


def test_rows_inside_a_fused_kernel_and_chain_rows_are_not_trained_on():
    # The GPU profiler marks an op computed inside a later op's fused kernel (fused_into >= 0: its
    # row times nothing, ~0.05 us on the H100) and the chain's last op (chain_ops > 1: the chain's
    # time). Neither teaches the models; the elided rows are not scored either, the chain rows are
    # (a model's sum counts the chain once).
    rows = gpu_rows(synthetic_rows(linear_law, 40, SEED + 9))
    elided = [dict(r, op_type="MEAN", fused_into=str(i), median_us="0.05") for i, r in enumerate(rows)]
    chains = [dict(r, chain_ops="2", median_us=repr(float(r["median_us"]) * 5)) for r in rows]
    ds = dataset(rows + elided + chains)
    assert len(P.kernel_rows(ds)) == 80 and not any(P.fused_into(r) >= 0 for r in P.kernel_rows(ds))
    assert len(P.training_rows(ds)) == 40
    t = P.train_all(ds, rounds=10, min_rows=1)
    assert set(t["gbt"]["processors"]["gpu:fp32"]["kernels"]) == {"*", "CONV_2D"}  # no MEAN model from empty rows
    lin = t["flops"]["processors"]["gpu:fp32"]["kernels"]["*"]
    assert lin["coef"][P.FEATURE_NAMES.index("range_macs")] == pytest.approx(2e-3, rel=0.05)


def test_rows_timed_at_a_low_gpu_clock_are_left_out():
    # clock_ok = 0: the clock guard's reference still read slow after the retries; the same kernels
    # timed at a third of the clock would teach a 3x law. The model with such a row is left out of
    # the per-op overhead (its kernel sum misses one kernel).
    rows = gpu_rows(synthetic_rows(linear_law, 40, SEED + 10))
    for r in rows:
        r["axis"] = "whole"
    for m in range(4):
        total = sum(float(r["median_us"]) for r in rows if r["model"] == f"synthetic_{m}")
        rows.append(dict(rows[0], model=f"synthetic_{m}", op_type="MODEL", median_us=repr(total + 10 * 2.0)))
    # Half the kernels of synthetic_0 and _1 timed at low clock (in place of their good rows).
    bad = {id(r) for r in rows[:5] + rows[10:15]}
    slow = [dict(r, clock_ok="0", ref_us="30.0", median_us=repr(float(r["median_us"]) * 3)) for r in rows[:5] + rows[10:15]]
    ds = dataset([r for r in rows if id(r) not in bad] + slow)
    assert not any(r["clock_ok"] == "0" for r in P.kernel_rows(ds))
    assert P.clock_off_models(ds) == {("gpu:fp32", "synthetic_0"), ("gpu:fp32", "synthetic_1")}
    assert P.run_context(ds) == {"gpu:fp32": {"kernel_scale": pytest.approx(1.0), "per_op_us": pytest.approx(2.0)}}
    t = P.train_all(ds, rounds=10, min_rows=1000)
    lin = t["flops"]["processors"]["gpu:fp32"]["kernels"]["*"]
    assert lin["coef"][P.FEATURE_NAMES.index("range_macs")] == pytest.approx(2e-3, rel=0.05)


def test_datasets_without_the_new_columns_train_as_before():
    # Files of the profiler before fused_into / chain_ops / ref_us / clock_ok: fused_into -1,
    # chain_ops 1, clock_ok 1 (every row kept).
    rows = synthetic_rows(linear_law, 40, SEED + 11)
    assert all(k not in rows[0] for k in ("fused_into", "chain_ops", "clock_ok"))
    assert (P.fused_into(rows[0]), P.chain_ops(rows[0]), P.clock_ok(rows[0])) == (-1, 1, 1)
    assert P.clock_ok({"clock_ok": "-1"}) == 1  # not guarded (CPU rows)
    ds = dataset(rows)
    assert len(P.kernel_rows(ds)) == len(P.training_rows(ds)) == 40


def test_datasets_load_alike_from_plain_gzip_and_xz_files(tmp_path):
    """Committed datasets are .csv.gz (older) or .csv.xz (2.3x smaller); both read like the CSV."""
    import gzip
    import lzma
    text = "model,op_type,f_macs\nnb101_s1_0.tflite,CONV_2D,12.5\nmobile_s1_3.tflite,ADD,0\n"
    (tmp_path / "d.csv").write_text(text)
    with gzip.open(tmp_path / "d.csv.gz", "wt") as f:
        f.write(text)
    with lzma.open(tmp_path / "d.csv.xz", "wt") as f:
        f.write(text)
    plain = P.Dataset.load([tmp_path / "d.csv"])
    assert [r["model"] for r in plain.rows] == ["nb101_s1_0.tflite", "mobile_s1_3.tflite"]
    assert plain.feature_names == ["macs"]
    for name in ("d.csv.gz", "d.csv.xz"):
        d = P.Dataset.load([tmp_path / name])
        assert d.rows == plain.rows and d.feature_names == plain.feature_names, name
