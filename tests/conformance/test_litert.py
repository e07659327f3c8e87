# Conformance of `hetsched run` against LiteRT on every zoo model, plus the CLI's error handling.
"""Each model of models/index.json gets seeded random float32 inputs in [0, 1) (saved as .npy;
see INPUT_LOW below for why); LiteRT (ai_edge_litert, on `reference_file` when given) and
`hetsched run --policy P` run them; every output must be within relative L2 < 1e-4 of LiteRT:
of the nearest of its three CPU paths (zoo.LITERT_PATHS: XNNPACK, its default; the builtin
optimized kernels; the builtin reference kernels). Where those three differ from each other by
more than 3.3e-5 (a few ill-conditioned outputs of the pose models, up to 4.3e-4), the bound is 3x
their largest distance. The reference norm is floored at RMS 1e-3 for nearly-all-zero outputs (see
zoo.relative_l2). Every distance is printed. LiteRT runs once per model and seed (litert_outputs).
Policies: $HETSCHED_POLICIES (default "cpu"); the binary: $HETSCHED_BIN (default
build/hetsched). Seed: printed; HETSCHED_SEED reproduces. The policies in $HETSCHED_PY_POLICIES
(default "ratio=0.5") run through the Python package (hetsched.Session, in process) instead of the
CLI when it is installed (required when HETSCHED_REQUIRE_PY=1, as scripts/test.sh sets).
Split rotation: with HETSCHED_SPLIT_ROTATION=N (scripts/test.sh sets N=2 with its own policy list,
never with a user's HETSCHED_POLICIES) each split policy (ratio=R, ratio=R:rows) runs on N models
per run instead of all, chosen by the seed (seeded_run.py: the models shuffled by the seed, dealt
round-robin to the split policies, so every split variant still runs on N distinct models and every
model gets one or more, and over many seeds every (model, policy) pair comes up; HETSCHED_SEED
reproduces the choice). cpu, gpu, auto and the $HETSCHED_PY_POLICIES (the Python package path) run
on every model regardless; unset or 0 runs every policy on every model. test_split_rotation checks
and prints the assignment.
With "gpu" among the policies, every model also runs `--policy gpu --precision fp16` (float16
tensors and weights on the GPU; inputs and outputs float32) within relative L2 < 2e-2
(FP16_TOLERANCE) of the nearest LiteRT path, the reference norm floored at RMS 1e-3
(FP16_RMS_FLOOR), and 0.1 on the three ill-conditioned pose_landmark models
(FP16_ILL_CONDITIONED); the error is printed per output. Where the device has cooperative matrices (or with
HETSCHED_CONFORMANCE_MIXED=1), `--precision mixed` (tensor cores with float16 operands, float32
tensors) is held to the same bound and its error printed per output (test_mixed_matches_litert).
Models marked expect_refused must make `hetsched run` fail with a message naming the custom op
and the model.
"""
import functools
import hashlib
import itertools
import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import seeded_run
import zoo

ROOT = zoo.ROOT


def ids(entries):
    return [e["name"] for e in entries]


INDEX = zoo.load_index() if (ROOT / "models" / "index.json").is_file() else []
RUNNABLE = [e for e in INDEX if not e.get("expect_refused")]
REFUSED = [e for e in INDEX if e.get("expect_refused")]
POLICIES = [p for p in re.split(r"[,\s]+", os.environ.get("HETSCHED_POLICIES", "cpu")) if p]
PY_POLICIES = {p for p in re.split(r"[,\s]+", os.environ.get("HETSCHED_PY_POLICIES", "ratio=0.5")) if p}
SPLIT_ROTATION = seeded_run.split_rotation_count()  # models per split policy; 0: every policy on every model
MATCH_CASES = seeded_run.cases(ids(RUNNABLE), POLICIES, PY_POLICIES, SPLIT_ROTATION, seeded_run.SEED)
# GPU workgroup tuning per `hetsched run` start: 0.5 s instead of the default 5 s. On lavapipe a big
# model's tuning never finishes, so every GPU start spent its whole budget (pose_landmark_heavy, 212
# kernels: 16.8 s a run, 3.8 s untuned, 6.2 s with 1 s); the shapes timed are cached
# (~/.cache/hetsched) and later starts use them, so tuned kernels still run here over the suite.
# HETSCHED_CONFORMANCE_TUNING_MS overrides.
TUNING = ["--tuning-budget-ms", os.environ.get("HETSCHED_CONFORMANCE_TUNING_MS", "500")]
TOLERANCE = 1e-4  # relative L2 per output, against the nearest of LiteRT's three CPU paths
# ...raised to 3x the largest distance between those paths where LiteRT disagrees with itself by
# more than 3.3e-5 (a few ill-conditioned outputs of the pose models: up to 4.3e-4 measured).
# Why three paths and their largest distance: on such an output ANY change of float32 summation
# order moves the result by a random amount of the same size. pose_landmark_full's segmentation
# map (output 2), seed 1800716336: running one single conv (op 10, 13, 14, 16 or 17) on the GPU,
# the rest on the CPU, moves it from 8.2e-5 to 0.6-2.0e-4 vs XNNPACK; LiteRT's own paths are 1.3e-4
# (XNNPACK-builtin), 2.9e-4 (XNNPACK-reference) and 1.7e-4 (builtin-reference) apart. One pair's
# distance is one sample of that noise and can be small by chance: with the XNNPACK-builtin pair
# alone the bound was 3.8e-4 and ratio=0.1:rows (3.9e-4) failed it (CI, 2026-11-23).
SPREAD_FACTOR = 3
# Inputs: uniform in [0, 1), the pixel domain of the zoo's image models. With [-1, 1) noise the
# deepest model (pose_landmark_heavy) amplifies float32 rounding so much that LiteRT's own two
# kernel sets (XNNPACK and builtin) differ by up to 1.9e-4 (measured 2026-11-23), so no float32
# implementation could be held to 1e-4 there; in [0, 1) they agree within 2e-5.
INPUT_LOW, INPUT_HIGH = 0.0, 1.0
TIMEOUT_S = 900
SMALL_MODEL = "face_detection_short_range"
FP16_TOLERANCE = 2e-2  # relative L2 per output of --precision fp16 against LiteRT (float32)
# ...except on the three pose_landmark models, the zoo's worst-conditioned (LiteRT's own two fp32
# paths disagree most there, see SPREAD_FACTOR). Measured 2026-11-23 on lavapipe over 2-3 random
# seeds per model: segmentation map (output 2) 0.021 (heavy) to 0.078 (lite), auxiliary landmarks
# (output 4) up to 0.038, landmarks (output 0) 0.010 to 0.026. float16 storage of the activations
# causes it, not the fp16 block products: with fp32 products (MAT4 = mat4) lite's output 2 was
# still 0.040-0.059. Bound there: 0.1 on every output.
# A later seed (2280899589, 2026-11-23) gave 0.61 and 0.97 on pose_landmark_full's landmark outputs
# 0 and 4 (fused or not). Diagnosed (scripts/fp16_sensitivity.py; README, fp16 paragraph): no
# overflow (max |activation| 2360), no fp16 reduction in a shader; the models are ill-conditioned on
# these noise inputs. (1) LiteRT float32 itself, with only the INPUT rounded to float16, moves
# pose_landmark_full's outputs 0 and 4 by 0.215 and 0.446 for that seed (the 2x2x288 tail, ops
# 286-318, grows a perturbation ~1.8x per residual block): no fp16 implementation can meet 2e-2
# there. (2) The segmentation output (2) moves by 0.029-0.032 when ONE residual-stream tensor
# (unactivated conv/ADD outputs, values up to 155-309) is rounded to float16; fp16 storage of every
# activation, emulated in LiteRT, gives 0.073 on lite. The fp16 4x4 block products added to it
# (f16mat4, fixed: fp32 products, gpu/shaders/common.glsl): over seeds 2280899589, 11, 12 output 2
# 0.018-0.098 -> 0.012-0.063, outputs 0 and 4 0.008-0.025 -> 0.003-0.021 (but for that seed).
# Keeping the unactivated tensors fp32 (20% of the activation bytes) gives 0.021-0.028 in
# emulation (--emulate unbounded); not implemented. So these three cases stay expected failures that
# still run and print every output's error (and LiteRT's own move under input rounding); the other
# 17 models must pass FP16_TOLERANCE.
FP16_ILL_CONDITIONED = {"pose_landmark_lite": 0.1, "pose_landmark_full": 0.1, "pose_landmark_heavy": 0.1}
# float16 resolves about 1e-3 (2^-10) of a value's scale, so the fp16 comparison floors the
# reference norm at RMS 1e-3 (fp32: zoo.RMS_FLOOR, 1e-4). It matters only for outputs that are
# nearly all zero: selfie_segmentation_landscape's mask on a noise input is a sigmoid deep in its
# tail (max 0.0055, RMS 4e-5; seed 1800716336) and differed by at most 5.4e-4 in absolute terms,
# which the 1e-4 floor turned into a relative L2 of 0.040 (0.004 with this floor).
FP16_RMS_FLOOR = 1e-3
FP16_CASES = [pytest.param(e, id=e["name"], marks=pytest.mark.xfail(
    reason="ill-conditioned on noise inputs: LiteRT fp32 with only the input rounded to fp16 moves "
           "pose_landmark_full's landmarks by up to 0.45; fp16 storage of the residual stream gives 0.02-0.09 on "
           "the segmentation map",
    strict=False)) if e["name"] in FP16_ILL_CONDITIONED else pytest.param(e, id=e["name"]) for e in RUNNABLE]


def entry(name: str) -> dict:
    return next(e for e in INDEX if e["name"] == name)


def hetsched(*args, timeout=TIMEOUT_S) -> subprocess.CompletedProcess:
    binary = zoo.hetsched_bin()
    if not binary.is_file():
        pytest.fail(f"hetsched binary not found at {binary} (build it, or set HETSCHED_BIN)")
    cmd = [str(binary), *map(str, args)]
    print("$", " ".join(cmd))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def python_package():
    """The installed `hetsched` package, or None (then the CLI runs every policy); an ImportError
    when HETSCHED_REQUIRE_PY=1 and it is missing."""
    try:
        import hetsched as package
    except ImportError:
        if os.environ.get("HETSCHED_REQUIRE_PY") == "1":
            raise
        return None
    return package


def save_inputs(tmp_path: Path, inputs: list) -> list:
    paths = []
    for i, x in enumerate(inputs):
        p = tmp_path / f"in{i}.npy"
        np.save(p, x)
        paths.append(p)
    return paths


def assert_one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode > 0, f"expected a non-zero exit (not a crash/signal), got {proc.returncode}; " \
                                f"stderr: {proc.stderr!r}"
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, f"expected a one-line error message on stderr, got {len(lines)}: {proc.stderr!r}"
    return lines[0]


# ---- the zoo itself ----

def test_index_present():
    assert INDEX, f"{ROOT / 'models' / 'index.json'} missing or empty: run scripts/setup.sh"


@pytest.mark.parametrize("e", INDEX, ids=ids(INDEX))
def test_model_file_sha256(e):
    data = (ROOT / e["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == e["sha256"]


@pytest.mark.parametrize("e", RUNNABLE, ids=ids(RUNNABLE))
def test_litert_reference_runs(e, seed):
    """LiteRT runs the reference file; output shapes match the index; values are finite."""
    outs = zoo.run_litert(zoo.make_interpreter(zoo.reference_path(e)), zoo.random_inputs(e, seed))
    assert [list(o.shape) for o in outs] == [t["shape"] for t in e["outputs"]]
    for i, o in enumerate(outs):
        assert o.dtype == np.float32
        assert np.isfinite(o).all(), f"output {i} not finite"


# ---- hetsched vs LiteRT ----

@functools.lru_cache(maxsize=None)
def litert_outputs(name: str, seed: int) -> tuple:
    """The model's seeded inputs in [INPUT_LOW, INPUT_HIGH) and each LiteRT path's outputs on them,
    {path: [outputs]}: computed once per model and seed, shared by every policy's test."""
    e = entry(name)
    inputs = zoo.random_inputs(e, seed, INPUT_LOW, INPUT_HIGH)
    outs = {k: zoo.run_litert(zoo.make_interpreter(zoo.reference_path(e), kernels=k), inputs) for k in zoo.LITERT_PATHS}
    return inputs, outs


def test_split_rotation():
    """The split rotation this run uses (printed): each split policy on SPLIT_ROTATION distinct models,
    cpu/gpu/auto and the Python package's policies on every model (without rotation: all on all)."""
    per_policy = {p: [m for m, q in MATCH_CASES if q == p] for p in POLICIES}
    for p, models in per_policy.items():
        print(f"{p}: {len(models)} models: {' '.join(models)}")
        if SPLIT_ROTATION and seeded_run.is_rotated(p, PY_POLICIES):
            want = min(SPLIT_ROTATION, len(RUNNABLE))
            assert len(models) == len(set(models)) == want, f"{p} runs on {models}, expected {want} distinct models"
        else:
            assert models == ids(RUNNABLE), f"{p} must run on every model, runs on {models}"
    if SPLIT_ROTATION and len(RUNNABLE) > 1:  # the seed decides it: another seed deals the models differently
        rotated = [p for p in POLICIES if seeded_run.is_rotated(p, PY_POLICIES)]
        again = seeded_run.cases(ids(RUNNABLE), POLICIES, PY_POLICIES, SPLIT_ROTATION, seeded_run.SEED)
        assert again == MATCH_CASES, "the same seed must give the same cases"
        if rotated:
            others = {tuple(seeded_run.cases(ids(RUNNABLE), POLICIES, PY_POLICIES, SPLIT_ROTATION, s)) for s in range(8)}
            assert len(others) > 1, "the rotation does not depend on the seed"


@pytest.mark.parametrize("name, policy", MATCH_CASES, ids=[f"{m}-{p}" for m, p in MATCH_CASES])
def test_matches_litert(name, policy, seed, tmp_path):
    e = entry(name)
    inputs, litert = litert_outputs(e["name"], seed)
    in_paths = save_inputs(tmp_path, inputs)
    out_dir = tmp_path / "out"
    package = python_package() if policy in PY_POLICIES else None
    if package:  # in process, through the Python API; the outputs saved as the CLI saves them
        print(f"hetsched.Session({e['file']!r}, policy={policy!r}).run(inputs)")
        results = package.Session(str(ROOT / e["file"]), policy=policy).run(inputs)
        out_dir.mkdir()
        for i, out in enumerate(results):
            np.save(out_dir / f"output_{i}.npy", out)
        proc = None
    else:
        proc = hetsched("run", ROOT / e["file"], "--policy", policy, *TUNING, "--input", *in_paths,
                        "--output-dir", out_dir, "--iterations", 1, "--warmup", 0)
        assert proc.returncode == 0, f"hetsched run failed ({proc.returncode}): {proc.stderr.strip()}"

    assert_outputs_match(e, policy, litert, out_dir, proc, tmp_path)


def assert_outputs_match(e, policy, litert, out_dir, proc, tmp_path):
    """Every output_<i>.npy in out_dir within tolerance of the nearest LiteRT path (see TOLERANCE)."""
    expected = litert["xnnpack"]
    worst = []
    for i, want in enumerate(expected):
        path = out_dir / f"output_{i}.npy"
        assert path.is_file(), f"{path} not written (stdout: {proc.stdout[-2000:] if proc else ''})"
        got = np.load(path)
        assert got.dtype == np.float32, f"output {i}: dtype {got.dtype}, expected float32"
        assert got.shape == want.shape, f"output {i}: shape {got.shape}, expected {want.shape}"
        refs = {k: litert[k][i] for k in zoo.LITERT_PATHS}
        dist = {k: zoo.relative_l2(got, r) for k, r in refs.items()}
        rel = min(dist.values()) if all(np.isfinite(d) for d in dist.values()) else float("nan")
        spread = max(zoo.relative_l2(a, b) for a, b in itertools.combinations(refs.values(), 2))
        tol = max(TOLERANCE, SPREAD_FACTOR * spread)
        max_abs = float(np.max(np.abs(got.astype(np.float64) - want))) if want.size else 0.0
        print(f"{e['name']} [{policy}] output {i} {e['outputs'][i]['name']}: shape {list(want.shape)} relative L2 "
              + ", ".join(f"{d:.3g} vs {k}" for k, d in dist.items())
              + f" (tolerance {tol:.3g}; LiteRT's paths up to {spread:.3g} apart), "
              f"max abs {max_abs:.3g} vs xnnpack, |ref| max {float(np.max(np.abs(want))):.3g}")
        worst.append((rel, tol, i))
    bad = [(r, t, i) for r, t, i in worst if not r < t]  # `not <` also catches NaN
    assert not bad, "outputs over tolerance: " + ", ".join(f"#{i}: {r:.3g} >= {t:.3g}" for r, t, i in bad) + \
                    f" (inputs in {tmp_path})"
    assert not (out_dir / f"output_{len(expected)}.npy").exists(), "more outputs written than the model has"


# Models for the adaptive-auto case below: small, so their software-GPU runs stay short in CI.
SWITCH_MODELS = ["face_detection_short_range", "selfie_segmentation"]


@pytest.mark.parametrize("name", SWITCH_MODELS)
def test_auto_across_a_switch_matches_litert(name, seed, tmp_path):
    """Adaptive auto with the processor it chose slowed 200x during the 15 timed runs (the FakeSlowdown
    test hook): it must switch away during them (and comes back in the profiled runs after them,
    when the slowdown is gone); the outputs of the last run, after those switches, match LiteRT
    like every other policy's."""
    if "auto" not in POLICIES:
        pytest.skip("put auto in HETSCHED_POLICIES")
    if not any(x["name"] == name for x in RUNNABLE):
        pytest.skip(f"{name} is not in the zoo")
    e = entry(name)
    inputs, litert = litert_outputs(name, seed)
    in_paths = save_inputs(tmp_path, inputs)
    for slowed in ("cpu", "gpu"):
        out_dir = tmp_path / f"out_{slowed}"
        proc = hetsched("run", ROOT / e["file"], "--policy", "auto", *TUNING, "--input", *in_paths,
                        "--output-dir", out_dir, "--iterations", 15, "--warmup", 0, "--json",
                        "--test-slowdown", f"{slowed}:200:0:1000")
        assert proc.returncode == 0, f"hetsched run failed ({proc.returncode}): {proc.stderr.strip()}"
        summary = json.loads(proc.stdout)
        decided = summary["decisions"][0]["to"]
        if slowed not in decided and decided != "co":
            continue  # it chose the other processor: slow that one instead
        switches = [d for d in summary["decisions"] if d["kind"] == "switch"]
        assert switches, f"auto did not switch away from the slowed {slowed}: {summary['decisions']}"
        print(f"{name}: decided {decided}, switched {[(d['from'], d['to'], d['run']) for d in switches]}, "
              f"runs {summary['runs_by_runner']}")
        assert_outputs_match(e, f"auto, {slowed} slowed", litert, out_dir, proc, tmp_path)
        return
    pytest.fail(f"auto chose neither processor? {summary['decisions']}")


def fp16_bound_errors(e, out_dir, litert):
    """Per output of a run with float16 arithmetic (fp16 storage, or mixed's float16 operands) in
    out_dir: (index, LiteRT's output, ours, relative L2 against the nearest of LiteRT's float32
    paths with the fp16 RMS floor, the model's tolerance). Checks dtype and shape."""
    for i, want in enumerate(litert["xnnpack"]):
        got = np.load(out_dir / f"output_{i}.npy")
        assert got.dtype == np.float32 and got.shape == want.shape
        rel = min(zoo.relative_l2(got, litert[k][i], FP16_RMS_FLOOR) for k in zoo.LITERT_PATHS)
        yield i, want, got, rel, FP16_ILL_CONDITIONED.get(e["name"], FP16_TOLERANCE)


@pytest.mark.parametrize("e", FP16_CASES)
def test_fp16_matches_litert(e, seed, tmp_path):
    """--policy gpu --precision fp16 against LiteRT's float32 paths, bound FP16_TOLERANCE."""
    if "gpu" not in POLICIES:
        pytest.skip("fp16 runs on the GPU: put gpu in HETSCHED_POLICIES")
    inputs, litert = litert_outputs(e["name"], seed)
    in_paths = save_inputs(tmp_path, inputs)
    # The model's own conditioning, printed beside each error: LiteRT float32 on the input rounded to
    # float16 (the first thing --precision fp16 does). Where this alone is near the bound, so is fp16.
    moved = zoo.run_litert(zoo.make_interpreter(zoo.reference_path(e)),
                           [x.astype(np.float16).astype(np.float32) for x in inputs])
    out_dir = tmp_path / "out"
    proc = hetsched("run", ROOT / e["file"], "--policy", "gpu", "--precision", "fp16", *TUNING, "--input", *in_paths,
                    "--output-dir", out_dir, "--iterations", 1, "--warmup", 0)
    assert proc.returncode == 0, f"hetsched run --precision fp16 failed ({proc.returncode}): {proc.stderr.strip()}"
    bad = []
    for i, want, got, rel, tol in fp16_bound_errors(e, out_dir, litert):
        print(f"{e['name']} [gpu fp16] output {i} {e['outputs'][i]['name']}: shape {list(want.shape)} "
              f"relative L2 {rel:.3g} vs LiteRT (tolerance {tol}; RMS floor {FP16_RMS_FLOOR}; max abs "
              f"{float(np.max(np.abs(got.astype(np.float64) - want))) if want.size else 0.0:.3g}; LiteRT fp32 "
              f"on the fp16-rounded input: {zoo.relative_l2(moved[i], want, FP16_RMS_FLOOR):.3g})")
        if not rel < tol:
            bad.append(f"#{i}: {rel:.3g}")
    assert not bad, "fp16 outputs over tolerance: " + ", ".join(bad) + f" (inputs in {tmp_path})"


@functools.lru_cache(maxsize=1)
def device_has_tensor_cores() -> bool:
    """Whether the device `--policy gpu` picks runs the cooperative-matrix kernels (hetsched devices --json)."""
    proc = subprocess.run([str(zoo.hetsched_bin()), "devices", "--json"], capture_output=True, text=True,
                          timeout=TIMEOUT_S)
    try:
        devices = json.loads(proc.stdout)
        devices = devices.get("devices", devices) if isinstance(devices, dict) else devices
        return any(d.get("features", {}).get("cooperative_matrix_nv_usable") for d in devices)
    except (ValueError, AttributeError):
        return False


@pytest.mark.parametrize("e", FP16_CASES)
def test_mixed_matches_litert(e, seed, tmp_path):
    """--policy gpu --precision mixed (float32 tensors, tensor cores with float16 operands and float32
    accumulators) against LiteRT's float32 paths, bound FP16_TOLERANCE; the error is printed per
    output. Runs where the device has cooperative matrices (elsewhere mixed runs the fp32 kernels,
    which test_model_matches_litert covers) or with HETSCHED_CONFORMANCE_MIXED=1."""
    if "gpu" not in POLICIES:
        pytest.skip("mixed runs on the GPU: put gpu in HETSCHED_POLICIES")
    if os.environ.get("HETSCHED_CONFORMANCE_MIXED") != "1" and not device_has_tensor_cores():
        pytest.skip("no cooperative matrices on this device: mixed runs the fp32 kernels (HETSCHED_CONFORMANCE_MIXED=1 forces it)")
    inputs, litert = litert_outputs(e["name"], seed)
    in_paths = save_inputs(tmp_path, inputs)
    out_dir = tmp_path / "out"
    proc = hetsched("run", ROOT / e["file"], "--policy", "gpu", "--precision", "mixed", *TUNING, "--input", *in_paths,
                    "--output-dir", out_dir, "--iterations", 1, "--warmup", 0, "--json")
    assert proc.returncode == 0, f"hetsched run --precision mixed failed ({proc.returncode}): {proc.stderr.strip()}"
    coopmat = json.loads(proc.stdout).get("coopmat_kernels")
    bad = []
    for i, _, _, rel, tol in fp16_bound_errors(e, out_dir, litert):
        print(f"{e['name']} [gpu mixed, {coopmat} tensor-core kernels] output {i} {e['outputs'][i]['name']}: "
              f"relative L2 {rel:.3g} vs LiteRT (tolerance {tol}; RMS floor {FP16_RMS_FLOOR})")
        if not rel < tol:
            bad.append(f"#{i}: {rel:.3g}")
    assert not bad, "mixed outputs over tolerance: " + ", ".join(bad) + f" (inputs in {tmp_path})"


def test_fp16_without_the_feature_is_one_clear_line(tmp_path):
    """A device without shaderFloat16 / 16-bit storage (hidden by the test hook): one line naming them."""
    if "gpu" not in POLICIES:
        pytest.skip("needs a Vulkan device: put gpu in HETSCHED_POLICIES")
    e = entry(SMALL_MODEL)
    env = dict(os.environ, HETSCHED_VK_HIDE_FEATURES="fp16", HETSCHED_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run([str(zoo.hetsched_bin()), "run", str(ROOT / e["file"]), "--policy", "gpu", "--precision",
                           "fp16", "--iterations", "1", "--warmup", "0"],
                          capture_output=True, text=True, env=env, timeout=TIMEOUT_S)
    msg = assert_one_line_error(proc)
    assert "fp16" in msg and "shaderFloat16" in msg, msg


def test_fp16_needs_the_gpu_policy():
    e = entry(SMALL_MODEL)
    msg = assert_one_line_error(hetsched("run", ROOT / e["file"], "--policy", "cpu", "--precision", "fp16"))
    assert "fp16" in msg and "gpu" in msg, msg


def test_tuning_cache_round_trip_and_no_tune(tmp_path):
    """First GPU run times the op shapes, the second only reads the cache; --no-tune skips tuning;
    all three give identical outputs (workgroup sizes do not change the arithmetic)."""
    if "gpu" not in POLICIES:
        pytest.skip("needs a Vulkan device: put gpu in HETSCHED_POLICIES")
    e = entry(SMALL_MODEL)
    # HETSCHED_BUSY_LOAD: timings are saved even when CI keeps the machine busy (round trip under test).
    env = dict(os.environ, HETSCHED_CACHE_DIR=str(tmp_path / "cache"), HETSCHED_BUSY_LOAD="1e9")
    binary = str(zoo.hetsched_bin())

    def run(*extra, out):
        proc = subprocess.run([binary, "run", str(ROOT / e["file"]), "--policy", "gpu", "--iterations", "1",
                               "--warmup", "0", "--seed", "5", "--json", "--output-dir", str(tmp_path / out), *extra],
                              capture_output=True, text=True, env=env, timeout=TIMEOUT_S)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)["tuning"]

    first = run(out="first")
    assert first["enabled"] and first["kernels"] > 0 and first["shapes_timed"] > 0, first
    assert list((tmp_path / "cache").glob("workgroups-*.json")), "no tuning cache written"
    # On a slow device (lavapipe) the per-prepare tuning budget may defer some shapes to later
    # starts; each start times only what is still missing, so it converges.
    timed, runs = first, 0
    while timed["deferred"] > 0 and runs < 8:
        timed, runs = run(out="second"), runs + 1
        assert timed["cache_hits"] > 0, timed
    assert timed["deferred"] == 0, f"tuning did not finish in {runs + 1} starts: {timed}"
    second = run(out="second")
    assert second["shapes_timed"] == 0 and second["deferred"] == 0, second
    assert second["cache_hits"] == second["kernels"] == first["kernels"], second
    off = run("--no-tune", out="off")
    assert not off["enabled"] and off["kernels"] == 0, off
    for i in range(len(e["outputs"])):
        a = np.load(tmp_path / "first" / f"output_{i}.npy")
        for other in ("second", "off"):
            assert np.array_equal(a, np.load(tmp_path / other / f"output_{i}.npy")), f"output {i} differs ({other})"


@pytest.mark.parametrize("e", REFUSED, ids=ids(REFUSED))
def test_refused_model(e):
    """A model with unsupported custom ops fails at import with a message naming the op and the model."""
    proc = hetsched("run", ROOT / e["file"], "--policy", "cpu", "--iterations", 1, "--warmup", 0)
    msg = assert_one_line_error(proc)
    customs = [op.split(":", 1)[1] for op in e["ops"] if op.startswith("CUSTOM:")]
    assert any(c in msg for c in customs), f"message names none of the custom ops {customs}: {msg}"
    assert e["name"] in msg, f"message does not name the model {e['name']}: {msg}"


# ---- CLI contract and errors ----

def test_json_output(tmp_path):
    e = entry(SMALL_MODEL)
    proc = hetsched("run", ROOT / e["file"], "--policy", "cpu", "--threads", 1, "--iterations", 2,
                    "--warmup", 0, "--output-dir", tmp_path, "--json")
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert isinstance(r["model"], str) and r["policy"] == "cpu"
    assert r["threads"] == 1 and r["iterations"] == 2
    lat = r["latency_ms"]
    assert 0 <= lat["min"] <= lat["median"] <= lat["max"]
    assert r["ops"] and all({"index", "type", "ms"} <= set(op) for op in r["ops"])
    assert [o["shape"] for o in r["outputs"]] == [t["shape"] for t in e["outputs"]]
    for o in r["outputs"]:
        assert {"name", "shape", "file"} <= set(o)


def test_missing_model_file():
    proc = hetsched("run", ROOT / "models" / "no_such_model.tflite", "--iterations", 1, "--warmup", 0)
    msg = assert_one_line_error(proc)
    assert "no_such_model" in msg, msg


def test_not_a_model_file(tmp_path):
    bad = tmp_path / "garbage.tflite"
    bad.write_bytes(np.random.default_rng(1).bytes(4096))
    assert_one_line_error(hetsched("run", bad, "--iterations", 1, "--warmup", 0))


def test_wrong_input_shape(tmp_path):
    e = entry(SMALL_MODEL)
    shape = list(e["inputs"][0]["shape"])
    shape[1] += 1
    p = tmp_path / "in0.npy"
    np.save(p, np.zeros(shape, np.float32))
    msg = assert_one_line_error(hetsched("run", ROOT / e["file"], "--input", p, "--iterations", 1, "--warmup", 0))
    assert "shape" in msg.lower(), msg


def test_wrong_input_dtype(tmp_path):
    e = entry(SMALL_MODEL)
    p = tmp_path / "in0.npy"
    np.save(p, np.zeros(e["inputs"][0]["shape"], np.float64))
    msg = assert_one_line_error(hetsched("run", ROOT / e["file"], "--input", p, "--iterations", 1, "--warmup", 0))
    assert re.search(r"dtype|type|float", msg, re.I), msg


def test_bad_flag():
    e = entry(SMALL_MODEL)
    assert_one_line_error(hetsched("run", ROOT / e["file"], "--no-such-flag"))


def test_bad_policy():
    e = entry(SMALL_MODEL)
    assert_one_line_error(hetsched("run", ROOT / e["file"], "--policy", "no_such_policy"))


def test_no_vulkan_device_is_one_clear_line_and_cpu_still_works(tmp_path):
    """With the Vulkan loader pointed at no driver, the GPU policy fails with one line naming the
    cause, and the CPU policy still runs."""
    e = entry(SMALL_MODEL)
    env = dict(os.environ, VK_ICD_FILENAMES=str(tmp_path / "none.json"), VK_DRIVER_FILES=str(tmp_path / "none.json"),
               HETSCHED_CACHE_DIR=str(tmp_path / "cache"))
    binary = str(zoo.hetsched_bin())
    gpu = subprocess.run([binary, "run", str(ROOT / e["file"]), "--policy", "gpu", "--iterations", "1", "--warmup", "0"],
                         capture_output=True, text=True, env=env, timeout=TIMEOUT_S)
    msg = assert_one_line_error(gpu)
    assert "Vulkan" in msg and "device" in msg, msg
    cpu = subprocess.run([binary, "run", str(ROOT / e["file"]), "--policy", "cpu", "--iterations", "1", "--warmup", "0"],
                         capture_output=True, text=True, env=env, timeout=TIMEOUT_S)
    assert cpu.returncode == 0, cpu.stderr
