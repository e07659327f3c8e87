# examples/python: the quick start and the `# %%` walk-through run and write what they say.
import os
import subprocess
import sys

import pytest

from py_support import ROOT, SMALL_MODEL, import_hetsched, model_path

hetsched = import_hetsched()


def run(*args, cwd):
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=1200)
    print(proc.stdout[-4000:])
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stdout


def test_quick_start(tmp_path):
    out = run(ROOT / "examples/python/quick_start.py", model_path(SMALL_MODEL), "cpu", cwd=tmp_path)
    assert "face_detection_short_range" in out and "steps in" in out and "['cpu']" in out


def test_walkthrough_writes_the_split_timeline(tmp_path):
    out = run(ROOT / "examples/python/walkthrough.py", model_path(SMALL_MODEL), "--out", tmp_path, "--runs", "2",
              cwd=tmp_path)
    figure = tmp_path / f"timeline_{SMALL_MODEL}.png"
    assert figure.is_file() and figure.stat().st_size > 10_000, out
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "cpu:" in out
    if any(d["usable"] for d in hetsched.devices()):
        assert "gpu:" in out and "auto:" in out and "split ops" in out, out
