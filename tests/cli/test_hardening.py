"""CLI hardening (issue #19): each test failed on main before the fix. Bounded and identically
validated --threads and --device in every command, .npy and plan files refused when wrong (with the
file named), output paths checked before the first iteration, model paths that are directories,
--version, bare usage, --help contents, the device named in the run summary, a pipeline cache
replaced by a directory. CPU-only unless the test says otherwise; GPU parts skip without Vulkan."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import zoo  # noqa: E402

MODEL = ROOT / "models" / "face_detection_short_range.tflite"
OTHER = ROOT / "models" / "face_detection_full_range.tflite"
TIMEOUT_S = 600


def hetsched(*args, env=None, timeout=TIMEOUT_S):
    binary = zoo.hetsched_bin()
    if not binary.is_file():
        pytest.fail(f"hetsched binary not found at {binary} (build it, or set HETSCHED_BIN)")
    cmd = [str(binary), *map(str, args)]
    print("$", " ".join(cmd))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env=dict(os.environ, **(env or {})))


def one_line_error(proc, code=None):
    assert proc.returncode > 0, f"expected an error exit, got {proc.returncode}: {proc.stderr!r}"
    if code is not None:
        assert proc.returncode == code, proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {proc.stderr!r}"
    return lines[0]


def needs_model(path=MODEL):
    if not path.is_file():
        pytest.skip(f"{path.name} not in models/ (scripts/setup.sh fetches the zoo)")


def has_vulkan():
    return hetsched("devices", timeout=120).returncode == 0


@pytest.mark.parametrize("command", ["run", "plan"])
@pytest.mark.parametrize("threads", ["-1", "70000", "100000", "1025", "x"])
def test_threads_bounded_identically(command, threads):
    needs_model()
    extra = ["--iterations", "1"] if command == "run" else []
    msg = one_line_error(hetsched(command, MODEL, "--policy", "cpu", "--threads", threads, *extra), code=2)
    assert "--threads" in msg and "1024" in msg, msg
    assert len(msg) < 200, f"a 300-digit bound again? {msg}"


@pytest.mark.parametrize("command", ["run", "plan"])
def test_negative_device_refused_for_every_policy(command):
    needs_model()
    for policy in ("cpu", "gpu"):
        msg = one_line_error(hetsched(command, MODEL, "--policy", policy, "--device", "-5"), code=2)
        assert "--device" in msg, msg


def test_device_out_of_range_refused_even_for_cpu():
    needs_model()
    msg = one_line_error(hetsched("run", MODEL, "--policy", "cpu", "--device", "999", "--iterations", "1"))
    assert "999" in msg, msg


def test_negative_npy_dimension_refused(tmp_path):
    needs_model()
    good = tmp_path / "good.npy"
    np.save(good, np.zeros((1, 128, 128, 3), np.float32))
    raw = good.read_bytes().replace(b"(1, 128, 128, 3)", b"(-1,128,128,3) ")
    bad = tmp_path / "neg.npy"
    bad.write_bytes(raw)
    msg = one_line_error(hetsched("run", MODEL, "--input", bad, "--iterations", "1", "--warmup", "0"))
    assert "neg.npy" in msg and "-1" in msg, msg
    huge = tmp_path / "huge.npy"
    huge.write_bytes(good.read_bytes().replace(b"(1, 128, 128, 3)", b"(99999999999999,)"))
    msg = one_line_error(hetsched("run", MODEL, "--input", huge, "--iterations", "1", "--warmup", "0"))
    assert "huge.npy" in msg and "stoi" not in msg, msg


def test_model_directory_is_named(tmp_path):
    for command in (["run"], ["info"], ["plan", "--policy", "cpu"]):
        msg = one_line_error(hetsched(command[0], tmp_path, *command[1:]))
        assert str(tmp_path) in msg and "directory" in msg and "bad_alloc" not in msg, msg


@pytest.mark.parametrize("option", ["--report", "--trace"])
def test_bad_output_paths_fail_before_the_first_iteration(tmp_path, option):
    needs_model()
    bad = tmp_path / "no_such_dir" / "out.x"
    # 100000 iterations would take minutes: an early check answers at once.
    proc = hetsched("run", MODEL, "--policy", "cpu", "--iterations", "100000", option, bad, timeout=60)
    msg = one_line_error(proc)
    assert option in msg and "no_such_dir" in msg, msg
    msg = one_line_error(hetsched("run", MODEL, "--iterations", "100000", option, tmp_path, timeout=60))
    assert "directory" in msg, msg


def test_output_dir_that_is_a_file_fails_first(tmp_path):
    needs_model()
    f = tmp_path / "file"
    f.write_text("x")
    msg = one_line_error(hetsched("run", MODEL, "--iterations", "100000", "--output-dir", f / "sub", timeout=60))
    assert "--output-dir" in msg, msg


def test_plan_for_another_model_is_refused(tmp_path):
    needs_model()
    needs_model(OTHER)
    plan = tmp_path / "plan.json"
    assert hetsched("plan", MODEL, "--policy", "cpu", "--save", plan).returncode == 0
    assert json.loads(plan.read_text())["graph_hash"]
    ok = hetsched("run", MODEL, "--policy", f"plan={plan}", "--iterations", "1", "--warmup", "0")
    if ok.returncode != 0 and not has_vulkan():
        pytest.skip("plan policies need a Vulkan device")
    assert ok.returncode == 0, ok.stderr
    msg = one_line_error(hetsched("run", OTHER, "--policy", f"plan={plan}", "--iterations", "1"))
    assert "made for model" in msg and str(plan) in msg, msg
    j = json.loads(plan.read_text())
    j["steps"][0]["op"] = 4294967296
    plan.write_text(json.dumps(j))
    msg = one_line_error(hetsched("run", MODEL, "--policy", f"plan={plan}", "--iterations", "1"))
    assert "int range" in msg, msg


def test_version_and_bare_usage_and_help():
    v = hetsched("--version")
    assert v.returncode == 0, v.stderr
    for text in ("hetsched 0.", "git", "SIMD", "Vulkan loader"):
        assert text in v.stdout, v.stdout
    bare = hetsched()
    assert bare.returncode == 2 and "usage: hetsched" in bare.stderr, bare
    h = hetsched("run", "--help")
    assert h.returncode == 0
    for text in ("HETSCHED_CACHE_DIR", "Exit codes", "CPU's share", "uniform random in [-1, 1]", "0..1024"):
        assert text in h.stdout, f"{text!r} missing from run --help"


def test_run_summary_names_the_device(tmp_path):
    needs_model()
    cpu = hetsched("run", MODEL, "--policy", "cpu", "--iterations", "1", "--warmup", "0")
    assert cpu.returncode == 0 and "device    CPU only" in cpu.stdout, cpu.stdout
    if not has_vulkan():
        pytest.skip("no Vulkan device")
    env = {"HETSCHED_CACHE_DIR": str(tmp_path / "cache")}
    gpu = hetsched("run", MODEL, "--policy", "gpu", "--no-tune", "--iterations", "1", "--warmup", "0", env=env)
    assert gpu.returncode == 0, gpu.stderr
    assert "device    Vulkan device" in gpu.stdout, gpu.stdout
    j = hetsched("run", MODEL, "--policy", "gpu", "--no-tune", "--iterations", "1", "--warmup", "0", "--json", env=env)
    assert json.loads(j.stdout)["device"].startswith("Vulkan device"), j.stdout


def test_pipeline_cache_replaced_by_a_directory_recovers(tmp_path):
    needs_model()
    if not has_vulkan():
        pytest.skip("no Vulkan device")
    cache = tmp_path / "cache"
    env = {"HETSCHED_CACHE_DIR": str(cache)}
    args = ("run", MODEL, "--policy", "gpu", "--no-tune", "--iterations", "1", "--warmup", "0")
    assert hetsched(*args, env=env).returncode == 0
    files = list(cache.glob("pipelines-*.bin"))
    assert len(files) == 1, list(cache.iterdir())
    files[0].unlink()
    (files[0] / "junk").mkdir(parents=True)
    proc = hetsched(*args, env=env)
    assert proc.returncode == 0, proc.stderr
    assert str(files[0]) in proc.stderr and "is a directory" in proc.stderr, proc.stderr
    assert files[0].is_file(), "the cache was not rebuilt"
    again = hetsched(*args, env=env)
    assert again.returncode == 0 and "warning" not in again.stderr, again.stderr


def test_unwritable_cache_dir_is_one_notice(tmp_path):
    needs_model()
    if not has_vulkan():
        pytest.skip("no Vulkan device")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    env = {"HETSCHED_CACHE_DIR": str(blocker / "cache"), "HETSCHED_BUSY_LOAD": "1e9"}
    proc = hetsched("run", MODEL, "--policy", "gpu", "--iterations", "1", "--warmup", "0", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("notice:") == 1, proc.stderr


def test_tuning_progress_on_stderr(tmp_path):
    needs_model()
    if not has_vulkan():
        pytest.skip("no Vulkan device")
    env = {"HETSCHED_CACHE_DIR": str(tmp_path / "cache"), "HETSCHED_BUSY_LOAD": "1e9"}
    proc = hetsched("run", MODEL, "--policy", "gpu", "--iterations", "1", "--warmup", "0", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    tuning = json.loads(proc.stdout)["tuning"]
    if tuning["tuning_ms"] < 1500:
        pytest.skip(f"tuning took only {tuning['tuning_ms']:.0f} ms: the progress line starts after 1 s")
    lines = re.findall(r"tuning (\d+)/(\d+) kernels", proc.stderr)
    assert lines, proc.stderr
    assert all(int(total) >= tuning["kernels"] and int(done) <= int(total) for done, total in lines), lines
    assert "tuning done for" in proc.stderr, proc.stderr  # not a terminal: a closing line, no redraws
