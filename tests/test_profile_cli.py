# `hetsched profile` end to end at CI size (no accuracy target: accuracy is a benchmark,
# profiles/report.py): generate one tiny NAS-Bench-101 architecture, profile it and a small zoo model
# (--quick, 1 thread), train the predictors on the architecture only (the zoo is never trained
# on), predict the zoo model with the C++ evaluator and check it agrees with the Python one; the
# device profile file is written, a predictor installs into it, a corrupt predictor is refused.
import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
sys.path.insert(0, str(ROOT / "profiles" / "train"))
import predictors as P  # noqa: E402
from cli_support import binary, cache_workspace, run  # noqa: E402

ZOO_MODEL = ROOT / "models" / "face_detection_short_range.tflite"
ARCH_SEED = 3


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    d, env = cache_workspace(tmp_path_factory, "profile", ZOO_MODEL)
    print(f"architecture seed {ARCH_SEED}")
    run([PY, str(ROOT / "profiles/gen/gen_archs.py"), "--family", "nb101", "--count", "1", "--seed", str(ARCH_SEED),
         "--out", str(d / "archs"), "--resolution", "16", "--stem-channels", "16"], env)
    arch = d / "archs" / f"nb101_s{ARCH_SEED}_0.tflite"
    assert arch.is_file()
    run([binary(), "profile", str(arch), "--quick", "--threads", "1", "--out", str(d / "train.csv")], env)
    run([binary(), "profile", str(ZOO_MODEL), "--quick", "--threads", "1", "--out", str(d / "zoo.csv"),
         "--no-device-profile"], env)
    return d, env, arch


def test_dataset_rows_cover_every_kernel_and_range(work):
    d, _, arch = work
    info = json.loads(subprocess.run([binary(), "info", str(arch), "--json"], capture_output=True, text=True,
                                     check=True).stdout)
    r = rows(d / "train.csv")
    kernels = [x for x in r if x["op_type"] not in ("MODEL", "FIXED")]
    whole = {int(x["op_index"]) for x in kernels if x["axis"] == "whole"}
    assert whole == set(range(len(info["ops"])))
    assert any(x["axis"] == "slices" and x["fraction"] == "0.5" for x in kernels)
    assert any(x["axis"] == "rows" and x["fraction"] == "0.5" for x in kernels)
    for x in kernels:
        assert float(x["median_us"]) > 0 and int(x["n"]) == 3, x
        assert float(x["p25_us"]) <= float(x["median_us"]) <= float(x["p75_us"]), x
        assert x["processor"] == "cpu" and x["threads"] == "1"
        if x["axis"] != "whole":  # a partial range covers less than the whole output
            assert float(x["f_fraction"]) < 1
    assert [x["model"] for x in r if x["op_type"] == "FIXED"] == ["cpu_task_us"]
    assert len([x for x in r if x["op_type"] == "MODEL"]) == 1
    assert set(P.FEATURE_NAMES) == {k[2:] for k in r[0] if k.startswith("f_")}


def test_device_profile_is_written(work):
    d, _, _ = work
    files = list((d / "cache").glob("device-*.json"))
    assert len(files) == 1
    j = json.loads(files[0].read_text())
    assert j["format"] == "hetsched-device-profile" and j["version"] == 1
    assert j["cpu"]["threads"] == [1] and j["fixed_us"]["cpu:t1"]["cpu_task_us"] > 0


def test_train_predict_and_cpp_agrees_with_python(work):
    d, env, _ = work
    r = run([PY, str(ROOT / "profiles/train/train.py"), str(d / "train.csv"), str(d / "zoo.csv"), "--out",
             str(d / "pred.json"), "--flops-out", str(d / "flops.json"), "--rounds", "20", "--min-rows", "5"], env)
    assert "ignoring" in r.stderr and "zoo" in r.stderr  # the zoo model's rows were not trained on
    out = run([binary(), "profile", "--predict", str(d / "pred.json"), str(ZOO_MODEL)], env).stdout
    pred = {x["processor"]: float(x["predicted_us"]) for x in csv.DictReader(out.splitlines())}
    assert set(pred) == {"cpu:t1"}
    assert math.isfinite(pred["cpu:t1"]) and pred["cpu:t1"] > 0
    # The same sum from the Python evaluator over the zoo model's whole-range kernel rows.
    zoo = P.Dataset.load([d / "zoo.csv"])
    trained = {"gbt": json.loads((d / "pred.json").read_text())}
    whole = [x for x in P.kernel_rows(zoo) if x["axis"] == "whole"]
    py = float(sum(P.predict_rows(trained, "gbt", whole, zoo.feature_names)
                   * P.context_factors(trained["gbt"], "cpu:t1", whole, zoo.feature_names)))
    fixed = trained["gbt"]["processors"]["cpu:t1"]["fixed_us"]
    per_op = fixed.get("per_op_us", 0.0)
    assert per_op >= 0
    py = fixed.get("kernel_scale", 1.0) * py + per_op * len(whole)  # kernels in a run, and the gaps between them
    assert pred["cpu:t1"] == pytest.approx(py, rel=1e-4)
    # The predictor installs into the device profile.
    run([binary(), "profile", "--install-predictor", str(d / "pred.json")], env)
    prof = json.loads(next((d / "cache").glob("device-*.json")).read_text())
    assert prof["predictor"]["format"] == "hetsched-latency-predictor"


def test_corrupt_predictor_is_refused_naming_the_file(work):
    d, env, _ = work
    bad = d / "bad.json"
    bad.write_text('{"format": "hetsched-latency-predictor", "version": 1, "features": ["x"], "processors": {}}')
    r = run([binary(), "profile", "--predict", str(bad), str(ZOO_MODEL)], env, check=False)
    assert r.returncode == 1
    assert str(bad) in r.stderr and "features" in r.stderr


def test_report_gives_the_share_within_10_percent_its_wilson_interval():
    # By path, under its own name: experiments/report.py is also a module called `report`.
    import importlib.util
    spec = importlib.util.spec_from_file_location("profiles_report", ROOT / "profiles" / "report.py")
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    lo, hi = report.wilson(17, 20)
    assert (round(lo, 3), round(hi, 3)) == (0.640, 0.948)
    assert report.wilson(0, 20)[0] == 0.0 and report.wilson(20, 20)[1] == 1.0
    m = report.metrics(np.array([1.0, 1.2, 2.0]), np.array([1.0, 1.0, 1.0]))
    assert m["within10"] == pytest.approx(1 / 3) and m["within10_ci95"] == pytest.approx(list(report.wilson(1, 3)))


def test_report_runs_and_scores_the_zoo_model(work):
    d, env, _ = work
    run([PY, str(ROOT / "profiles/report.py"), "--train", str(d / "train.csv"), "--zoo", str(d / "zoo.csv"), "--out",
         str(d / "report"), "--rounds", "10", "--holdout", "0", "--label", "CI smoke"], env)
    m = json.loads((d / "report" / "metrics.json").read_text())
    for which in ("flops", "lut", "gbt"):
        z = m["model_zoo"][f"cpu:t1/{which}"]
        assert z["n"] == 1 and math.isfinite(z["mape"])
        assert m["model_zoo_cpu_time"][f"cpu:t1/{which}"]["n"] == 1
    assert (d / "report" / "report.md").read_text().startswith("# Latency predictor accuracy: CI smoke")
    assert (d / "report" / "scatter_cpu_t1.png").stat().st_size > 0


def test_corun_rows_time_each_processor_while_the_other_runs(tmp_path):
    env = dict(os.environ, HETSCHED_CACHE_DIR=str(tmp_path / "cache"))
    out = tmp_path / "corun.csv"
    run([binary(), "profile", str(ZOO_MODEL), "--quick", "--models-only", "--gpu", "--no-fp16", "--threads", "1",
         "--corun", "--no-device-profile", "--out", str(out)], env)
    r = [x for x in rows(out) if x["op_type"] == "MODEL"]
    got = {(x["processor"], x["corun"]) for x in r}
    # Each processor alone, and each while the other runs the model in a loop.
    assert got == {("cpu", ""), ("gpu", ""), ("cpu", "gpu"), ("gpu", "cpu")}, got
    for x in r:
        assert float(x["median_us"]) > 0
    # --corun without --gpu is refused.
    bad = run([binary(), "profile", str(ZOO_MODEL), "--corun", "--out", str(tmp_path / "x.csv")], env, check=False)
    assert bad.returncode != 0 and "--corun needs --gpu" in bad.stderr


def test_measurement_cache_reuses_rows_across_calls_and_survives_corruption(work, tmp_path):
    # A second call on the same architecture times no kernel again: every kernel row is the first
    # call's, marked reused. A corrupt cache file is moved aside with a warning naming it, and the
    # call measures again; the file is rewritten. Appending to a file of other columns is refused.
    _, env, arch = work
    env = dict(env, HETSCHED_CACHE_DIR=str(tmp_path / "cache"))
    base = [binary(), "profile", str(arch), "--quick", "--threads", "1", "--no-device-profile", "--out"]
    run(base + [str(tmp_path / "a.csv")], env)
    second = run(base + [str(tmp_path / "b.csv")], env)
    # Alone kernel rows (in-model rows are timed inside this model's runs, never reused).
    kernels = lambda p: [x for x in rows(p) if x["op_type"] not in ("MODEL", "FIXED") and x["in_model"] == "0"]  # noqa: E731
    a, b = kernels(tmp_path / "a.csv"), kernels(tmp_path / "b.csv")
    assert len(a) == len(b) > 0
    assert all(x["reused"] == "1" for x in b)
    key = lambda x: (x["op_index"], x["axis"], x["fraction"])  # noqa: E731
    assert {key(x): x["median_us"] for x in a} == {key(x): x["median_us"] for x in b}
    assert "kernel rows: 0 timed" in second.stderr
    cache = next((tmp_path / "cache").glob("measurements-*.json"))
    cache.write_text("{broken")
    third = run(base + [str(tmp_path / "c.csv")], env)
    assert "corrupt" in third.stderr and str(cache) in third.stderr
    assert any(x["reused"] == "0" for x in kernels(tmp_path / "c.csv"))
    assert json.loads(cache.read_text())["format"] == "hetsched-measurement-cache"
    old = tmp_path / "old.csv"
    old.write_text("model,op_index\n")
    bad = run(base + [str(old), "--append"], env, check=False)
    assert bad.returncode != 0 and "header" in bad.stderr


def test_gpu_rows_mark_fused_chains_and_carry_the_clock_reference(tmp_path):
    # A generated mobile architecture with squeeze-excite blocks and a pooled classifier head: the
    # GPU runs each MEAN (and the SE's first 1x1 conv) inside the chain's last kernel (MEAN + FC
    # fusion). Their rows say so (fused_into = that op, whose row has chain_ops > 1), every GPU kernel
    # row carries the clock guard's reference reading (lavapipe: recorded, never re-timed: clock_ok
    # 1), and the trainer scores and learns no elided row and learns no chain row.
    env = dict(os.environ, HETSCHED_CACHE_DIR=str(tmp_path / "cache"))
    seed = 5
    print(f"mobile architecture seed {seed}")
    run([PY, str(ROOT / "profiles/gen/gen_archs.py"), "--family", "mobile", "--count", "1", "--seed", str(seed),
         "--out", str(tmp_path / "archs"), "--min-res", "32", "--max-res", "32", "--width-scale", "0.25"], env)
    arch = tmp_path / "archs" / f"mobile_s{seed}_0.tflite"
    out = tmp_path / "gpu.csv"
    r = run([binary(), "profile", str(arch), "--quick", "--threads", "1", "--gpu", "--no-fp16", "--tuning-budget-ms", "0",
             "--no-device-profile", "--no-measurement-cache", "--out", str(out)], env)
    assert "GPU clock guard:" in r.stderr
    data = rows(out)
    assert {"fused_into", "chain_ops", "ref_us", "clock_ok"} <= set(data[0])
    kernels = [x for x in data if x["op_type"] not in ("MODEL", "FIXED") and x["in_model"] == "0"]
    gpu = [x for x in kernels if x["processor"] == "gpu"]
    by_op = {int(x["op_index"]): x for x in gpu if x["axis"] == "whole"}
    # In-model GPU rows: one per dispatched op of its own (no clock reference: timed right after
    # the whole runs), none for an op of a fused chain.
    gpu_in_model = {int(x["op_index"]) for x in data if x["in_model"] == "1" and x["processor"] == "gpu"}
    assert gpu_in_model == {i for i, x in by_op.items() if int(x["fused_into"]) < 0 and int(x["chain_ops"]) == 1}
    elided = [x for x in gpu if int(x["fused_into"]) >= 0]
    assert {x["op_type"] for x in elided} >= {"MEAN"}
    assert all(x["op_type"] != "MEAN" or int(x["fused_into"]) >= 0 for x in gpu)  # every MEAN is fused here
    for x in elided:
        last = by_op[int(x["fused_into"])]
        assert int(last["op_index"]) > int(x["op_index"]) and int(last["chain_ops"]) >= 2, (x, last)
        assert last["op_type"] in ("CONV_2D", "FULLY_CONNECTED") and int(last["fused_into"]) == -1
    assert sum(int(x["chain_ops"]) > 1 for x in by_op.values()) >= 2  # the SE block and the head
    for x in gpu:
        assert float(x["ref_us"]) > 0 and x["clock_ok"] == "1", x
    for x in kernels:
        if x["processor"] == "cpu":
            assert (x["fused_into"], x["chain_ops"], x["clock_ok"]) == ("-1", "1", "-1"), x
    # The trainer: no elided row is scored or learnt, no chain row learnt; the CPU's MEAN rows are.
    ds = P.Dataset.load([out])
    for x in ds.rows:
        if x["processor"] == "gpu":
            x["tuned"] = "1"  # as a fully tuned profile (this one tuned nothing: --tuning-budget-ms 0)
    scored = P.kernel_rows(ds)
    assert not any(int(x["fused_into"]) >= 0 for x in scored)
    assert any(x["op_type"] == "MEAN" and x["processor"] == "cpu" for x in scored)
    learnt = P.training_rows(ds)
    assert not any(int(x["chain_ops"]) > 1 for x in learnt)
    t = P.train_all(ds, rounds=5, min_rows=1)
    assert "MEAN" not in t["gbt"]["processors"]["gpu:fp32"]["kernels"]
    assert "MEAN" in t["gbt"]["processors"]["cpu:t1"]["kernels"]
    # A tolerance below 1 would re-time everything: refused.
    bad = run([binary(), "profile", str(arch), "--gpu", "--clock-tolerance", "0.5", "--out", str(tmp_path / "x.csv")],
              env, check=False)
    assert bad.returncode != 0 and "--clock-tolerance" in bad.stderr
