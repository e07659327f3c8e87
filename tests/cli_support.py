"""The hetsched binary for the Python suites at tests/: $HETSCHED_BIN (scripts/test.sh sets it),
else build/hetsched; a runner that fails the test with the command's output; and the workspace of
a module whose runs share one hetsched cache."""
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def binary():
    b = Path(os.environ.get("HETSCHED_BIN", ROOT / "build" / "hetsched"))
    if not b.is_file():
        pytest.fail(f"hetsched binary not found at {b} (build it, or set HETSCHED_BIN)")
    return str(b)


def cache_workspace(tmp_path_factory, name, model):
    """A fresh folder for a module's runs and an environment whose hetsched cache is inside it.
    Fails the test when `model` (a zoo model the module needs) is missing."""
    if not model.is_file():
        pytest.fail(f"{model} missing (scripts/setup.sh fetches the zoo)")
    d = tmp_path_factory.mktemp(name)
    return d, dict(os.environ, HETSCHED_CACHE_DIR=str(d / "cache"))


def run(args, env, check=True):
    """Runs args (the binary first, or any command) under env; fails the test on a non-zero exit."""
    args = [str(a) for a in args]
    r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    if check and r.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r
