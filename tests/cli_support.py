"""The hetsched binary for the Python suites at tests/: $HETSCHED_BIN (scripts/test.sh sets it),
else build/hetsched; and a runner that fails the test with the command's output."""
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


def run(args, env, check=True):
    """Runs args (the binary first, or any command) under env; fails the test on a non-zero exit."""
    args = [str(a) for a in args]
    r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    if check and r.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r
