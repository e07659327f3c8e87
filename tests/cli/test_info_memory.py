# `hetsched info MODEL --memory --policy P` (issue #12): the co-execution arenas of P's plan, aliased
# by the plan's order, within 1.3x of the single-device best on split plans of zoo models, far below
# the arenas without aliasing; `auto` without a saved plan and --policy without --memory are one
# clear error line each. Device-free.
import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import zoo  # noqa: E402

MODELS = ["mobilenet_v2", "palm_detection_lite", "selfie_segmentation"]


def info(*args):
    binary = zoo.hetsched_bin()
    if not binary.is_file():
        pytest.fail(f"hetsched binary not found at {binary} (build it, or set HETSCHED_BIN)")
    return subprocess.run([str(binary), "info", *map(str, args)], capture_output=True, text=True, timeout=300,
                          cwd=zoo.ROOT)


def model_path(name):
    p = zoo.ROOT / "models" / f"{name}.tflite"
    if not p.is_file():
        pytest.skip(f"{p} not present (scripts/setup.sh fetches the zoo)")
    return p


@pytest.mark.parametrize("policy", ["ratio=0.5", "ratio=0.5:rows"])
@pytest.mark.parametrize("name", MODELS)
def test_coexec_arenas_within_target(name, policy):
    p = info(model_path(name), "--memory", "--policy", policy, "--json")
    assert p.returncode == 0, p.stderr
    c = json.loads(p.stdout)["coexec_memory"]
    print(name, policy, c)
    assert c["single_device_best_bytes"] == json.loads(p.stdout)["activation_arena_bytes"]
    assert c["total_bytes"] == c["host_arena_bytes"] + c["device_arena_bytes"]
    assert c["ratio_to_single_device"] <= 1.3
    assert c["total_bytes"] * 2 < c["without_aliasing_bytes"]
    assert c["total_bytes"] <= c["plan_order_only_bytes"]
    assert c["memory_syncs"] >= 0


def test_text_output_names_the_arenas():
    p = info(model_path("mobilenet_v2"), "--memory", "--policy", "ratio=0.5:rows")
    assert p.returncode == 0, p.stderr
    for word in ("co-execution arenas of policy ratio=0.5:rows", "host-visible", "device-local", "memory syncs",
                 "single-device best"):
        assert word in p.stdout


@pytest.mark.parametrize("args,expected", [
    (["--memory", "--policy", "auto"], "--save FILE"),
    (["--policy", "ratio=0.5"], "--policy needs --memory"),
    (["--memory", "--policy", "ratio=2"], "ratio"),
])
def test_errors_are_one_line(args, expected):
    p = info(model_path("mobilenet_v2"), *args)
    assert p.returncode != 0
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], p.stderr
