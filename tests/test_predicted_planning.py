# `auto` and `hetsched plan` plan from the device profile's latency predictor (issue #14 bullet 5):
# a synthetic predictor with a known law is installed into a fresh device profile; the plan's per-op
# costs must be that law's, and flipping the law (CPU cheap vs GPU cheap) must flip the placement:
# the plan follows the prediction, not a measurement (on lavapipe a measurement always says CPU).
# A profile without a predictor, or a predictor without this thread count, falls back to measuring
# with a note that says why.
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "profiles" / "train"))
import predictors as P  # noqa: E402
from cli_support import binary, cache_workspace, run  # noqa: E402

MODEL = ROOT / "models" / "face_detection_short_range.tflite"
THREADS = 2


def hs(args, env, check=True):
    return run([binary(), *args], env, check)


def linear(intercept_us, per_mac_us):
    coef = [0.0] * len(P.FEATURE_NAMES)
    coef[P.FEATURE_NAMES.index("range_macs")] = per_mac_us
    return {"kind": "linear", "target": "us", "intercept": intercept_us, "coef": coef}


def predictor(cpu_law, gpu_law, cpu_key=f"cpu:t{THREADS}"):
    return {"format": "hetsched-latency-predictor", "version": 1, "features": P.FEATURE_NAMES,
            "processors": {cpu_key: {"kernels": {"*": linear(*cpu_law)}, "fixed_us": {"per_op_us": 2.0}},
                           "gpu:fp32": {"kernels": {"*": linear(*gpu_law)},
                                        "fixed_us": {"per_op_us": 3.0, "gpu_submit_us": 20.0, "sync_us": 40.0}}}}


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    d, env = cache_workspace(tmp_path_factory, "predicted_planning", MODEL)
    devices = subprocess.run([binary(), "devices"], capture_output=True, text=True).stdout
    if "usable" not in devices and "Vulkan" not in devices:
        pytest.skip("no Vulkan device")
    # A device profile for this CPU and GPU (whole-model timings only: fast).
    hs(["profile", MODEL, "--quick", "--models-only", "--gpu", "--no-fp16", "--threads", THREADS, "--out",
         d / "models.csv"], env)
    assert list((d / "cache").glob("device-*-gpu-*.json")), "no device profile with the GPU written"
    return d, env


def install(d, env, pred, name):
    f = d / f"{name}.json"
    f.write_text(json.dumps(pred))
    hs(["profile", "--install-predictor", f, "--gpu"], env)


def plan(env, *extra):
    return json.loads(hs(["plan", MODEL, "--policy", "auto", "--threads", THREADS, "--json", *extra], env).stdout)


def test_without_a_predictor_ops_are_measured_with_a_note(cache):
    _, env = cache
    j = plan(env)
    assert "has no predictor" in j["cost_source"] and "measured" in j["cost_source"], j["cost_source"]


def test_plan_costs_are_the_predictors_and_follow_its_law(cache):
    d, env = cache
    info = json.loads(hs(["info", MODEL, "--json"], env).stdout)
    # GPU cheap: every op the GPU can run goes there.
    install(d, env, predictor(cpu_law=(50.0, 1e-3), gpu_law=(1.0, 1e-6)), "gpu_cheap")
    j = plan(env)
    assert "predicted" in j["cost_source"] and "cpu:t2" in j["cost_source"], j["cost_source"]
    kinds = {s["kind"] for s in j["steps"]}
    assert kinds <= {"gpu"} | ({"cpu"} if len(kinds) > 1 else set()) and "gpu" in kinds, kinds
    assert sum(s["kind"] == "gpu" for s in j["steps"]) > len(j["steps"]) // 2
    # Each op's predicted costs are the law: CPU intercept + per-MAC (its per-op fixed cost is the
    # cost model's cpu_fixed_ms, added per CPU part); the GPU's the same plus its per-dispatch cost
    # for the ops it dispatches (0: a concat written in place, -1: no GPU kernel).
    assert len(j["op_costs_ms"]) == len(info["ops"])
    for (cpu_ms, gpu_ms), op in zip(j["op_costs_ms"], info["ops"]):
        assert cpu_ms == pytest.approx((50.0 + 1e-3 * op["macs"]) / 1000, rel=1e-6), op
        if gpu_ms > 0:
            assert gpu_ms == pytest.approx((1.0 + 1e-6 * op["macs"] + 3.0) / 1000, rel=1e-6), op
    # CPU cheap: the plan moves to the CPU.
    install(d, env, predictor(cpu_law=(1.0, 1e-6), gpu_law=(50.0, 1e-3)), "cpu_cheap")
    j = plan(env)
    assert "predicted" in j["cost_source"]
    assert all(s["kind"] == "cpu" for s in j["steps"]), [s["kind"] for s in j["steps"]]


def test_auto_session_reports_predicted_costs_and_runs(cache):
    d, env = cache
    install(d, env, predictor(cpu_law=(1.0, 1e-6), gpu_law=(50.0, 1e-3)), "cpu_cheap2")
    j = json.loads(hs(["run", MODEL, "--policy", "auto", "--threads", THREADS, "--iterations", "3", "--warmup", "1",
                        "--json"], env).stdout)
    assert "predicted" in j["cost_source"], j["cost_source"]
    assert j["latency_ms"]["median"] > 0


def test_predictor_without_this_thread_count_falls_back(cache):
    d, env = cache
    install(d, env, predictor(cpu_law=(1.0, 1e-6), gpu_law=(50.0, 1e-3), cpu_key="cpu:t7"), "other_threads")
    j = plan(env)
    assert "no 'cpu:t2' model" in j["cost_source"] and "measured" in j["cost_source"], j["cost_source"]


def test_measure_prints_measured_against_predicted(cache):
    _, env = cache
    j = plan(env, "--measure", "5", "--measured-costs")
    assert "measured" in j["cost_source"]
    assert j["measured_ms"] > 0 and len(j["measured_step_ms"]) == len(j["steps"])
