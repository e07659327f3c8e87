# Errors: one Python class per C++ ErrorKind under hetsched.Error, with the C++ message (the same
# text the CLI prints after "hetsched: error: ").
import os
import subprocess
import sys

import numpy as np
import pytest

from py_support import REFUSED, ROOT, SMALL_MODEL, import_hetsched, model_path, zoo

hetsched = import_hetsched()

KINDS = {
    "InvalidModelError": "invalid model",
    "UnsupportedError": "unsupported",
    "InvalidArgumentError": "invalid argument",
    "ResourceExhaustedError": "resource exhausted",
    "DeviceUnavailableError": "device unavailable",
    "InternalError": "internal error",
}


def cli_error(*args) -> str:
    binary = zoo.hetsched_bin()
    if not binary.is_file():
        pytest.skip(f"no CLI at {binary} to compare messages with")
    proc = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    line = proc.stderr.strip()
    assert line.startswith("hetsched: error: "), line
    return line[len("hetsched: error: "):]


def test_hierarchy():
    assert issubclass(hetsched.Error, Exception)
    for name, kind in KINDS.items():
        cls = getattr(hetsched, name)
        assert issubclass(cls, hetsched.Error) and cls is not hetsched.Error
        assert cls.kind == kind
        assert cls.__module__ == "hetsched"
    assert issubclass(hetsched.InvalidArgumentError, ValueError)
    assert len({getattr(hetsched, n) for n in KINDS}) == len(KINDS)


def test_garbage_file_is_invalid_model_with_the_cli_message(tmp_path):
    bad = tmp_path / "garbage.tflite"
    bad.write_bytes(np.random.default_rng(1).bytes(4096))
    with pytest.raises(hetsched.InvalidModelError) as err:
        hetsched.Model(bad)
    assert "garbage.tflite" in str(err.value)
    assert str(err.value) == cli_error("info", bad)


def test_missing_file_is_invalid_argument(tmp_path):
    with pytest.raises(hetsched.InvalidArgumentError, match="no_such.tflite"):
        hetsched.Model(tmp_path / "no_such.tflite")


@pytest.mark.parametrize("e", REFUSED, ids=[e["name"] for e in REFUSED])
def test_custom_op_is_unsupported_with_the_cli_message(e):
    with pytest.raises(hetsched.UnsupportedError) as err:
        hetsched.Model(ROOT / e["file"])
    assert e["name"] in str(err.value)
    assert str(err.value) == cli_error("info", ROOT / e["file"])


def test_bad_options_are_invalid_argument():
    m = hetsched.Model(model_path(SMALL_MODEL))
    with pytest.raises(hetsched.InvalidArgumentError) as err:
        hetsched.Session(m, policy="no_such_policy")
    assert str(err.value) == cli_error("run", model_path(SMALL_MODEL), "--policy", "no_such_policy")
    with pytest.raises(hetsched.InvalidArgumentError, match="precision"):
        hetsched.Session(m, policy="cpu", precision="fp8")
    with pytest.raises(hetsched.InvalidArgumentError, match="threads"):
        hetsched.Session(m, policy="cpu", threads=-1)
    with pytest.raises(hetsched.InvalidArgumentError, match="device"):
        hetsched.Session(m, policy="gpu", device=-2)


def test_fp16_on_the_cpu_is_unsupported():
    with pytest.raises(hetsched.UnsupportedError, match="fp16"):
        hetsched.Session(model_path(SMALL_MODEL), policy="cpu", precision="fp16")


def test_no_vulkan_device_is_device_unavailable(tmp_path):
    """In a child process whose Vulkan loader sees no driver: the gpu policy raises
    DeviceUnavailableError, devices() is empty, and the cpu policy still runs."""
    code = f"""
import hetsched, numpy as np
assert hetsched.devices() == [], hetsched.devices()
try:
    hetsched.Session({model_path(SMALL_MODEL)!r}, policy="gpu")
    raise SystemExit("no error")
except hetsched.DeviceUnavailableError as e:
    assert "Vulkan" in str(e), str(e)
s = hetsched.Session({model_path(SMALL_MODEL)!r}, policy="cpu")
s.run([np.zeros(s.model.inputs[0].shape, np.float32)])
print("ok")
"""
    none = str(tmp_path / "none.json")
    env = dict(os.environ, VK_ICD_FILENAMES=none, VK_DRIVER_FILES=none, HETSCHED_CACHE_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
