# The public API of the hetsched package: Model, Session (run, report, plan, tuning), devices().
import json
import subprocess

import numpy as np
import pytest

from py_support import ROOT, SMALL_MODEL, entry, import_hetsched, model_path, zoo

hetsched = import_hetsched()
SEED = 1234  # inputs below: np.random.default_rng(SEED)


@pytest.fixture(scope="module")
def small_model():
    return hetsched.Model(model_path(SMALL_MODEL))


def small_input(seed=SEED):
    return np.random.default_rng(seed).uniform(0, 1, size=entry(SMALL_MODEL)["inputs"][0]["shape"]).astype(np.float32)


def test_model_matches_the_index_and_cli(small_model):
    e = entry(SMALL_MODEL)
    assert small_model.name == "face_detection_short_range.tflite"
    assert [t.name for t in small_model.inputs] == [t["name"] for t in e["inputs"]]
    assert [list(t.shape) for t in small_model.inputs] == [t["shape"] for t in e["inputs"]]
    assert [list(t.shape) for t in small_model.outputs] == [t["shape"] for t in e["outputs"]]
    assert all(t.dtype == np.float32 for t in small_model.inputs + small_model.outputs)
    binary = zoo.hetsched_bin()
    if not binary.is_file():
        pytest.skip(f"no CLI at {binary} to compare `hetsched info --json` with")
    info = json.loads(subprocess.run([str(binary), "info", model_path(SMALL_MODEL), "--json"], check=True,
                                     capture_output=True, text=True).stdout)
    assert small_model.macs == info["total_macs"] > 0
    assert small_model.op_counts == info["op_counts"]
    assert small_model.num_ops == len(info["ops"]) == sum(small_model.op_counts.values())
    assert [o["macs"] for o in small_model.ops] == [o["macs"] for o in info["ops"]]
    assert [o["type"] for o in small_model.ops] == [o["type"] for o in info["ops"]]
    assert "face_detection_short_range" in repr(small_model)


def test_run_list_dict_and_lone_array_agree(small_model):
    s = hetsched.Session(small_model, policy="cpu", threads=1)
    x = small_input()
    a = s.run([x])
    b = s.run({small_model.inputs[0].name: x})
    c = s.run(x)
    d = s.run_dict([x])
    assert len(a) == len(small_model.outputs)
    for i, spec in enumerate(small_model.outputs):
        assert a[i].dtype == np.float32 and a[i].shape == spec.shape
        assert np.array_equal(a[i], b[i]) and np.array_equal(a[i], c[i]) and np.array_equal(a[i], d[spec.name])
    assert np.isfinite(a[0]).all() and np.abs(a[0]).max() > 0


def test_session_matches_litert(small_model):
    pytest.importorskip("ai_edge_litert", reason="ai_edge_litert (the reference) is not installed")
    x = small_input()
    want = zoo.run_litert(zoo.make_interpreter(ROOT / entry(SMALL_MODEL)["file"]), [x])
    got = hetsched.Session(small_model, policy="cpu").run([x])
    for g, w in zip(got, want):
        assert zoo.relative_l2(g, w) < 1e-4


def test_session_accepts_a_path_and_reports_its_options():
    s = hetsched.Session(model_path(SMALL_MODEL), policy="cpu", threads=2)
    assert s.policy == "cpu" and s.threads == 2 and s.precision == "fp32"
    assert s.model.name == "face_detection_short_range.tflite"
    assert "policy='cpu'" in repr(s)


def test_last_report_list_and_dataframe(small_model):
    s = hetsched.Session(small_model, policy="cpu", threads=1)
    assert s.last_report() == []  # nothing ran yet
    s.run([small_input()])
    steps = s.last_report()
    assert len(steps) == small_model.num_ops
    assert [st["op_index"] for st in steps] == list(range(small_model.num_ops))
    assert [st["op_type"] for st in steps] == [o["type"] for o in small_model.ops]
    assert all(st["device"] == "cpu" and 0 <= st["start_ms"] <= st["end_ms"] for st in steps)
    assert set(steps[0]) == {"op_index", "op_type", "device", "start_ms", "end_ms", "wait_ms", "bytes_copied"}
    assert s.last_run_ms() >= steps[-1]["end_ms"] * 0.5 > 0
    pd = pytest.importorskip("pandas")
    df = s.last_report(as_dataframe=True)
    assert isinstance(df, pd.DataFrame) and len(df) == len(steps)
    assert list(df["op_type"]) == [st["op_type"] for st in steps]
    assert s.last_report_df().shape == df.shape


def test_plan_and_tuning(small_model):
    s = hetsched.Session(small_model, policy="cpu")
    plan = s.plan
    assert plan["policy"] == "cpu" and len(plan["steps"]) == small_model.num_ops
    assert {st["kind"] for st in plan["steps"]} == {"cpu"}
    t = s.tuning
    assert t["enabled"] is False and t["kernels"] == 0 and t["deferred"] == 0


def test_split_plan_and_report_use_both_processors(small_model):
    if not any(d["usable"] for d in hetsched.devices()):
        pytest.skip("no usable Vulkan device")
    s = hetsched.Session(small_model, policy="ratio=0.5", threads=1)
    plan = s.plan
    assert plan["policy"] == "ratio=0.5"
    assert "split" in {st["kind"] for st in plan["steps"]}
    s.profiling = True
    assert s.profiling
    x = small_input()
    out = s.run([x])
    devices_used = {st["device"] for st in s.last_report()}
    assert devices_used == {"cpu", "gpu"}, devices_used
    want = hetsched.Session(small_model, policy="cpu").run([x])
    for g, w in zip(out, want):
        assert zoo.relative_l2(g, w) < 1e-4


def test_devices_and_simd_target():
    devs = hetsched.devices()
    assert isinstance(devs, list)
    for d in devs:
        assert {"index", "name", "type", "usable", "selected", "features", "limits"} <= set(d)
    if devs and any(d["usable"] for d in devs):
        assert sum(d["selected"] for d in devs) == 1
    assert isinstance(hetsched.cpu_simd_target(), str) and hetsched.cpu_simd_target()


def test_gpu_session_matches_cpu_and_reports_tuning(small_model, tmp_path, monkeypatch):
    if not any(d["usable"] for d in hetsched.devices()):
        pytest.skip("no usable Vulkan device")
    monkeypatch.setenv("HETSCHED_CACHE_DIR", str(tmp_path))
    # Timings are saved even when the machine is busy (a busy machine's are kept out of the cache by
    # design; CI or parallel builds can make it so), since the round trip is under test here.
    monkeypatch.setenv("HETSCHED_BUSY_LOAD", "1e9")
    x = small_input()
    gpu = hetsched.Session(small_model, policy="gpu", tune=False)
    assert gpu.tuning["enabled"] is False and gpu.tuning["kernels"] == 0
    got = gpu.run([x])
    assert {st["device"] for st in gpu.last_report()} == {"gpu"}
    assert {st["kind"] for st in gpu.plan["steps"]} == {"gpu"}
    want = hetsched.Session(small_model, policy="cpu").run([x])
    for g, w in zip(got, want):
        assert zoo.relative_l2(g, w) < 1e-4
    tuned = hetsched.Session(small_model, policy="gpu")  # tunes into the empty cache in tmp_path
    t = tuned.tuning
    print(f"tuning: {t}")
    assert t["enabled"] and t["kernels"] > 0 and t["shapes_timed"] + t["cache_hits"] > 0, t
    assert list(tmp_path.glob("workgroups-*.json")), "no tuning cache written"
    for g, w in zip(tuned.run([x]), got):
        assert np.array_equal(g, w)  # workgroup sizes do not change the arithmetic


def test_runner_and_decisions_of_a_cpu_session(small_model):
    s = hetsched.Session(small_model, policy="cpu")
    s.run([small_input()])
    summary = s.last_run_summary()
    assert summary["runner"] == "cpu" and summary["events"] == [] and summary["total_ms"] > 0
    assert s.current_runner == "cpu" and s.decisions == []


def test_auto_reports_its_decisions(small_model, tmp_path, monkeypatch):
    if not any(d["usable"] for d in hetsched.devices()):
        pytest.skip("no usable Vulkan device")
    monkeypatch.setenv("HETSCHED_CACHE_DIR", str(tmp_path))
    s = hetsched.Session(small_model, policy="auto", tune=False)
    decisions = s.decisions
    print(decisions)
    assert decisions and all({"run", "session_ms", "kind", "from", "to", "reason"} <= set(d) for d in decisions)
    assert s.current_runner in {"cpu", "gpu", "co"}
    assert len(s.plan["steps"]) == small_model.num_ops
    x = small_input()
    out = s.run([x])
    summary = s.last_run_summary()
    used = {st["device"] for st in s.last_report()}
    assert summary["runner"] in {"cpu", "gpu", "co"}
    if summary["runner"] != "co":
        assert used == {summary["runner"]}, (summary, used)
    for g, w in zip(out, hetsched.Session(small_model, policy="cpu").run([x])):
        assert zoo.relative_l2(g, w) < 1e-4
